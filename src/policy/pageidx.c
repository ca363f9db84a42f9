/*
 * pageidx.c - page address -> index in leaves of consecutive pages.
 */
#include <config.h>

#include "pageidx.h"
#include "tls_manager.h"

#include <stdlib.h>
#include <string.h>

#define LEAF_SPAN ((uintptr_t)PAGEIDX_LEAF_PAGES * TLSM_PAGE_SIZE)
#define NO_INDEX UINT32_MAX

/*
 * The key of page's leaf in leaf_of: the end of the span it covers, never
 * 0 (which addrmap keeps for empty entries), even for the span at 0.
 */
static uintptr_t leaf_key(uintptr_t page)
{
	return (page & ~(LEAF_SPAN - 1)) + LEAF_SPAN;
}

static size_t leaf_slot(uintptr_t page)
{
	return (size_t)((page & (LEAF_SPAN - 1)) / TLSM_PAGE_SIZE);
}

/* The leaf that covers page, or NULL. */
static uint32_t *find_leaf(const struct pageidx *m, uintptr_t page)
{
	uint32_t n;

	if (!addrmap_get(&m->leaf_of, leaf_key(page), &n))
		return NULL;
	return m->leaf[n];
}

int pageidx_reserve(struct pageidx *m, uintptr_t page)
{
	uint32_t *leaf;

	if (find_leaf(m, page))
		return 0;
	if (m->nleaves == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 8;
		uint32_t **grown = realloc(m->leaf, cap * sizeof(*grown));

		if (!grown)
			return -1;
		m->leaf = grown;
		m->cap = cap;
	}
	if (addrmap_reserve(&m->leaf_of, 1) < 0)
		return -1;
	leaf = malloc(PAGEIDX_LEAF_PAGES * sizeof(*leaf));
	if (!leaf)
		return -1;
	memset(leaf, 0xff, PAGEIDX_LEAF_PAGES * sizeof(*leaf));	/* NO_INDEX */
	m->leaf[m->nleaves] = leaf;
	addrmap_add(&m->leaf_of, leaf_key(page), (uint32_t)m->nleaves++);
	return 0;
}

bool pageidx_add(struct pageidx *m, uintptr_t page, uint32_t idx)
{
	uint32_t *leaf = find_leaf(m, page);

	if (!leaf || leaf[leaf_slot(page)] != NO_INDEX)
		return false;
	leaf[leaf_slot(page)] = idx;
	return true;
}

bool pageidx_get(const struct pageidx *m, uintptr_t page, uint32_t *idx)
{
	const uint32_t *leaf = find_leaf(m, page);

	if (!leaf || leaf[leaf_slot(page)] == NO_INDEX)
		return false;
	*idx = leaf[leaf_slot(page)];
	return true;
}

size_t pageidx_bytes(const struct pageidx *m)
{
	return addrmap_bytes(&m->leaf_of) + m->cap * sizeof(*m->leaf) +
	       m->nleaves * PAGEIDX_LEAF_PAGES * sizeof(uint32_t);
}

void pageidx_free(struct pageidx *m)
{
	for (size_t i = 0; i < m->nleaves; i++)
		free(m->leaf[i]);
	free(m->leaf);
	addrmap_free(&m->leaf_of);
	memset(m, 0, sizeof(*m));
}
