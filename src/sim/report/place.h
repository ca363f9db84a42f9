/*
 * place.h - a place in a user land as people read it: PROCESS+0xOFF,
 * never a host address (HACKING, house style). The one spelling of the
 * flip-book's lines, the story of a step and tlssim step's regs.
 *
 * The contract:
 * - a place is the name of the process whose user land holds it, "+0x"
 *   and the offset from the start of that land in lower-case hex without
 *   leading zeros ("A+0x0" for the first byte, "A+0xffff" for the last
 *   of a 64K land);
 * - an address is looked up among the live processes' lands first;
 *   a killed process's land is named only when the caller asks for it,
 *   and then says so: "A+0x200 (A is dead)";
 * - an address in no land (0, or just past a land's end) is no place:
 *   the caller says what that means where it is ("0 (never loaded)",
 *   "outside every user land").
 */
#ifndef TLSSIM_PLACE_H
#define TLSSIM_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"

/* Room for a place; a longer process name is cut to fit. */
#define PLACE_TEXT	160

/*
 * Offset off of the user land of the process named name, "NAME+0xOFF",
 * into buf (size bytes, cut to fit); a NULL name is "?". Returns buf. For
 * callers that hold a process's name, not the process (quiz, conform).
 */
const char *place_named(const char *name, uint64_t off, char *buf,
			size_t size);

/*
 * Offset off of p's user land, "P+0xOFF", into buf (size bytes, cut to
 * fit). A process unknown (NULL) or without a name is "?". Returns buf.
 */
const char *place_off(const struct process *p, uint64_t off, char *buf,
		      size_t size);

/*
 * The process whose user land holds addr: a live one, else, when dead,
 * the last created of the killed processes whose land held it (the host
 * may have given one range to several in turn). NULL when none does.
 */
const struct process *place_owner(const struct kernel *k, uintptr_t addr,
				  bool dead);

/*
 * addr as a place into buf: place_owner's process (dead as there) and
 * the offset, " (P is dead)" after a killed one. Returns that process, or
 * NULL, writing nothing, when addr is in no land.
 */
const struct process *place_addr(const struct kernel *k, uintptr_t addr,
				 bool dead, char *buf, size_t size);

#endif
