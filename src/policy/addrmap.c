/*
 * addrmap.c - page address -> index, open addressing.
 */
#include <config.h>

#include "addrmap.h"

#include <stdlib.h>
#include <string.h>

#define EMPTY	((uintptr_t)0)
#define REMOVED	((uintptr_t)1)

/* Page addresses differ in their upper bits: mix them. */
static size_t slot_of(uintptr_t key, size_t cap)
{
	uint64_t h = (uint64_t)key >> 12;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (size_t)h & (cap - 1);
}

static void put(struct addrmap_entry *e, size_t cap, uintptr_t key,
		uint32_t val)
{
	size_t i = slot_of(key, cap);

	while (e[i].key != EMPTY)
		i = (i + 1) & (cap - 1);
	e[i].key = key;
	e[i].val = val;
}

int addrmap_reserve(struct addrmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 16;
	struct addrmap_entry *e;

	/* the new entries count as used: keep used at most half of cap */
	if (m->cap && 2 * (m->used + n) <= m->cap)
		return 0;
	while (2 * (m->live + n) > cap)
		cap *= 2;
	e = calloc(cap, sizeof(*e));
	if (!e)
		return -1;
	for (size_t i = 0; i < m->cap; i++)
		if (m->e[i].key > REMOVED)
			put(e, cap, m->e[i].key, m->e[i].val);
	free(m->e);
	m->e = e;
	m->cap = cap;
	m->used = m->live;
	return 0;
}

bool addrmap_add(struct addrmap *m, uintptr_t key, uint32_t val)
{
	size_t i = slot_of(key, m->cap), hole = SIZE_MAX;

	for (;; i = (i + 1) & (m->cap - 1)) {
		if (m->e[i].key == key)
			return false;
		if (m->e[i].key == REMOVED && hole == SIZE_MAX)
			hole = i;
		if (m->e[i].key == EMPTY)
			break;
	}
	if (hole == SIZE_MAX) {
		hole = i;
		m->used++;
	}
	m->e[hole].key = key;
	m->e[hole].val = val;
	m->live++;
	return true;
}

bool addrmap_get(const struct addrmap *m, uintptr_t key, uint32_t *val)
{
	if (!m->cap)
		return false;
	for (size_t i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->e[i].key == key) {
			*val = m->e[i].val;
			return true;
		}
		if (m->e[i].key == EMPTY)
			return false;
	}
}

void addrmap_remove(struct addrmap *m, uintptr_t key)
{
	if (!m->cap)
		return;
	for (size_t i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->e[i].key == key) {
			m->e[i].key = REMOVED;
			m->live--;
			return;
		}
		if (m->e[i].key == EMPTY)
			return;
	}
}

size_t addrmap_bytes(const struct addrmap *m)
{
	return m->cap * sizeof(*m->e);
}

void addrmap_free(struct addrmap *m)
{
	free(m->e);
	memset(m, 0, sizeof(*m));
}
