/*
 * landcache.h - released user land reservations kept for reuse: pmem.c
 * takes one before asking the host for a new reservation, and gives a
 * clean one back instead of unmapping it (private to the kernel layer).
 */
#ifndef TLSSIM_LANDCACHE_H
#define TLSSIM_LANDCACHE_H

#include <stdbool.h>
#include <stddef.h>

/* A kept reservation for a land of `size` bytes (taken out), or NULL. */
void *land_cache_take(size_t size);

/*
 * Keep a clean reservation (guards included, at base) for a land of size
 * bytes. Returns false when the cache is full: the caller unmaps it.
 */
bool land_cache_put(void *base, size_t size);

#endif
