/*
 * pageidx.h - a map from page address to a page's index for pages that
 * sit close together, as a process's TLS pages do: leaves of
 * PAGEIDX_LEAF_PAGES consecutive pages (4 bytes a page), found from the
 * address's upper bits through a small hash map. A lookup reads the hash
 * map, which stays in the cache (one entry per 256 KiB of user land), and one
 * word of a leaf: where a hash map of pages would cost a cache miss a free
 * among 10^5 pages, this costs none in the common case.
 *
 * Entries are never removed: the policy that uses it never unmaps a page.
 */
#ifndef TLSSIM_PAGEIDX_H
#define TLSSIM_PAGEIDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addrmap.h"

/* Pages a leaf covers: 256 KiB of address space, 256 bytes of leaf. */
#define PAGEIDX_LEAF_PAGES 64u

struct pageidx {
	struct addrmap leaf_of;		/* leaf base address -> leaf number */
	uint32_t **leaf;		/* leaf number -> its indexes */
	size_t nleaves, cap;
};

/*
 * Room for page's entry: its leaf exists afterwards. 0, or -1 when the
 * host has no memory (then nothing changed that matters).
 */
int pageidx_reserve(struct pageidx *m, uintptr_t page);

/*
 * Map page (page aligned, reserved) to idx, unless it has an index
 * already (then it keeps it). Returns whether it was added.
 */
bool pageidx_add(struct pageidx *m, uintptr_t page, uint32_t idx);

/* The index of page, or false when it has none. */
bool pageidx_get(const struct pageidx *m, uintptr_t page, uint32_t *idx);

/* Host memory the map holds, in bytes. */
size_t pageidx_bytes(const struct pageidx *m);

void pageidx_free(struct pageidx *m);

#endif
