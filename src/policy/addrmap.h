/*
 * addrmap.h - a map from page address to a page's index, for the policies
 * that find a page from the address of a region in O(1): open addressing,
 * linear probing, tombstones, at most half full.
 */
#ifndef TLSSIM_ADDRMAP_H
#define TLSSIM_ADDRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A key and its value side by side: one cache line read per probe. */
struct addrmap_entry {
	uintptr_t key;		/* 0: empty, 1: removed, else a page address */
	uint32_t val;
};

struct addrmap {
	struct addrmap_entry *e;
	size_t cap;		/* a power of two, or 0 */
	size_t used;		/* keys that are not empty (live + removed) */
	size_t live;
};

/* Room for n live entries without growing. 0, or -1 when out of memory. */
int addrmap_reserve(struct addrmap *m, size_t n);

/*
 * Map key (page aligned, never 0) to val, unless key is there already
 * (then it keeps its value). Needs room (addrmap_reserve). Returns whether
 * it was added.
 */
bool addrmap_add(struct addrmap *m, uintptr_t key, uint32_t val);

/* The value of key, or false when absent. */
bool addrmap_get(const struct addrmap *m, uintptr_t key, uint32_t *val);

/* Remove key (nothing when absent). */
void addrmap_remove(struct addrmap *m, uintptr_t key);

/* Host memory the map holds, in bytes. */
size_t addrmap_bytes(const struct addrmap *m);

void addrmap_free(struct addrmap *m);

#endif
