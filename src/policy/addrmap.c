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

static void put(uintptr_t *keys, uint32_t *vals, size_t cap, uintptr_t key,
		uint32_t val)
{
	size_t i = slot_of(key, cap);

	while (keys[i] != EMPTY)
		i = (i + 1) & (cap - 1);
	keys[i] = key;
	vals[i] = val;
}

int addrmap_reserve(struct addrmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 16;
	uintptr_t *keys;
	uint32_t *vals;

	/* the new entries count as used: keep used at most half of cap */
	if (m->cap && 2 * (m->used + n) <= m->cap)
		return 0;
	while (2 * (m->live + n) > cap)
		cap *= 2;
	keys = calloc(cap, sizeof(*keys));
	vals = malloc(cap * sizeof(*vals));
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i] > REMOVED)
			put(keys, vals, cap, m->keys[i], m->vals[i]);
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	m->used = m->live;
	return 0;
}

bool addrmap_add(struct addrmap *m, uintptr_t key, uint32_t val)
{
	size_t i = slot_of(key, m->cap), hole = SIZE_MAX;

	for (;; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key)
			return false;
		if (m->keys[i] == REMOVED && hole == SIZE_MAX)
			hole = i;
		if (m->keys[i] == EMPTY)
			break;
	}
	if (hole == SIZE_MAX) {
		hole = i;
		m->used++;
	}
	m->keys[hole] = key;
	m->vals[hole] = val;
	m->live++;
	return true;
}

bool addrmap_get(const struct addrmap *m, uintptr_t key, uint32_t *val)
{
	if (!m->cap)
		return false;
	for (size_t i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key) {
			*val = m->vals[i];
			return true;
		}
		if (m->keys[i] == EMPTY)
			return false;
	}
}

void addrmap_remove(struct addrmap *m, uintptr_t key)
{
	if (!m->cap)
		return;
	for (size_t i = slot_of(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key) {
			m->keys[i] = REMOVED;
			m->live--;
			return;
		}
		if (m->keys[i] == EMPTY)
			return;
	}
}

size_t addrmap_bytes(const struct addrmap *m)
{
	return m->cap * (sizeof(*m->keys) + sizeof(*m->vals));
}

void addrmap_free(struct addrmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
