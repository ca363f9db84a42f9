/*
 * maptree.h - the mappings of one user land, by address: a treap whose
 * every subtree knows its lowest start, highest end and the largest gap
 * between two of its mappings, so that first fit, lookups and updates
 * cost O(log n) whatever the number of mappings.
 *
 * Mappings never overlap (the caller checks). Pointers returned stay valid
 * until the next insert or remove.
 */
#ifndef TLSSIM_MAPTREE_H
#define TLSSIM_MAPTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memory.h"

struct maptree_node;

struct maptree {
	struct maptree_node *node;	/* slab; index 0 is "none" */
	uint32_t root;
	uint32_t free;			/* free list of slab slots */
	uint32_t nfree;			/* its length */
	uint32_t used;			/* slots taken, 0 included */
	uint32_t cap;
	uint64_t rng;			/* priorities, the same every run */
};

/* An empty tree (no allocation yet). */
void maptree_init(struct maptree *t);
void maptree_fini(struct maptree *t);

/* Forget every mapping; keeps the slab. */
void maptree_clear(struct maptree *t);

/* Whether n more inserts fit without growing. */
bool maptree_has_room(const struct maptree *t, size_t n);

/*
 * Room for n more inserts, so that they cannot fail. 0, or -1 when the
 * host has no memory (the tree is unchanged).
 */
int maptree_reserve(struct maptree *t, size_t n);

/* Add m (room reserved, no overlap with another mapping). */
void maptree_insert(struct maptree *t, const struct mapping *m);

/* Remove the mapping that starts at start (nothing if there is none). */
void maptree_remove(struct maptree *t, uintptr_t start);

/* The mapping with the lowest end above addr, or NULL. */
const struct mapping *maptree_ending_after(const struct maptree *t,
					   uintptr_t addr);

/* The i-th mapping by address, or NULL past the end. */
const struct mapping *maptree_at(const struct maptree *t, size_t i);

size_t maptree_count(const struct maptree *t);

/*
 * The mapping m (a pointer this tree returned), writable: for what no
 * summary of the tree depends on (its type, rights and hosted flag; never
 * its start or length).
 */
struct mapping *maptree_mut(struct maptree *t, const struct mapping *m);

/*
 * First fit: the lowest address a >= lo with [a, a + length) free and
 * inside [lo, hi). True and *out set, or false when no gap is that large.
 */
bool maptree_first_fit(const struct maptree *t, uintptr_t lo, uintptr_t hi,
		       size_t length, uintptr_t *out);

#endif
