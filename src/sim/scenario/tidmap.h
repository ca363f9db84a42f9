/*
 * tidmap.h - the runner's map from a kernel thread's tid to its scenario
 * thread (an entry of the names' table): a hash table of the threads the
 * runner still holds, so that its size follows them, not every tid a long
 * run has handed out (tids are never reused).
 */
#ifndef TLSSIM_TIDMAP_H
#define TLSSIM_TIDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tidmap_slot {
	uint32_t tid;			/* 0: empty (tids start at 1) */
	uint32_t val;
};

struct tidmap {
	struct tidmap_slot *v;
	size_t cap;			/* a power of two, or 0 */
	size_t n;
};

/* Map tid (not 0) to val (below UINT32_MAX). False when memory ran out. */
bool tidmap_put(struct tidmap *m, unsigned tid, size_t val);
/* What tid maps to, or (size_t)-1 when nothing. */
size_t tidmap_get(const struct tidmap *m, unsigned tid);
/* Forget tid, when it maps to val. */
void tidmap_del(struct tidmap *m, unsigned tid, size_t val);
/* Release the map. */
void tidmap_free(struct tidmap *m);

#endif
