/*
 * probe_switch.h - a test probe for the hand-written context switch.
 */
#ifndef TLSSIM_PROBE_SWITCH_H
#define TLSSIM_PROBE_SWITCH_H

#include <stdint.h>

#include "cpu/cpu.h"

/*
 * probe_switch(from, to, seed): context_switch(from, to) with every
 * callee-saved register of the ABI set to seed + i before it; returns 0
 * when all of them hold their value again after it (nonzero bits say which
 * went wrong). Written in asm so that no register is left to the compiler.
 */
uintptr_t probe_switch(struct context *from, struct context *to,
		       uintptr_t seed);

#endif
