/*
 * probe.h - deletion in the runner's linear-probing tables (the parser's
 * name index, the thread index by tid, the story's numberings by
 * process), without tombstones: emptying slot i moves back each entry
 * after it that a search from its home would no longer reach.
 */
#ifndef TLSSIM_PROBE_H
#define TLSSIM_PROBE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Whether the entry in slot j, whose home slot is home, stays where it is
 * once slot i (before j, scanning on from i and wrapping) is emptied: it
 * does when its home is cyclically in (i, j], since a search from there
 * reaches j without passing i. Otherwise it moves to i, and j is the
 * slot emptied next.
 */
static inline bool probe_entry_stays(size_t i, size_t j, size_t home)
{
	return i <= j ? (i < home && home <= j) : (i < home || home <= j);
}

#endif
