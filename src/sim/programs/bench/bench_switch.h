/*
 * bench_switch.h - how much a simulated context switch costs on each
 * register backend: two contexts ping-pong with context_switch and
 * cpu_load_tls of alternating TLS regions (`tlssim bench switch`).
 */
#ifndef TLSSIM_BENCH_SWITCH_H
#define TLSSIM_BENCH_SWITCH_H

#include <stdbool.h>
#include <stdio.h>

#include "cpu/cpu.h"

/* Median nanoseconds of one operation over the timed rounds. */
struct bench_switch_figures {
	double load_ns;		/* cpu_load_tls alone */
	double switch_ns;	/* context_switch + cpu_load_tls */
	double bare_switch_ns;	/* context_switch alone */
	/* The fastest and slowest rounds of load and switch+load. */
	double load_min_ns, load_max_ns, switch_min_ns, switch_max_ns;
};

/*
 * Measure backend b (iterations operations per round; 0 means 100000).
 * After every round the user side must see the TLS the last switch loaded.
 * Returns 0; -ENOTSUP if b does not run here; -ENOMEM; -EIO when the check
 * failed; or cpu_init's error.
 */
int bench_switch_measure(enum arch_backend b, unsigned iterations,
			 struct bench_switch_figures *f);

/*
 * Measure every backend available here, then print to out a line of the
 * host's facts (fsgsbase, hypervisor, one arch_prctl's cost), one line
 * per backend and the targets. With progress, says on stderr which
 * backend it measures once the run has lasted about 2 s. Returns 0, or
 * the first error of bench_switch_measure (said on stderr).
 */
int bench_switch_run(FILE *out, unsigned iterations, bool progress);

#endif
