/*
 * tidmap.c - tid -> scenario thread (tidmap.h): open addressing with
 * linear probing, at most half full, deletion by moving back the entries
 * that follow (no tombstones, so a churn of millions of threads keeps it
 * at the size of what is held).
 */
#include <config.h>

#include "tidmap.h"
#include "probe.h"

#include <stdlib.h>

/* tid's first slot in a table of mask + 1 slots. */
static size_t home(unsigned tid, size_t mask)
{
	return (size_t)((uint32_t)tid * 2654435761u) & mask;
}

/* The slot of tid in m, or the empty one where it would go. */
static size_t find(const struct tidmap *m, unsigned tid)
{
	size_t mask = m->cap - 1, i = home(tid, mask);

	while (m->v[i].tid && m->v[i].tid != tid)
		i = (i + 1) & mask;
	return i;
}

/* Double m's slots (to 64 at first). False when memory ran out. */
static bool grow(struct tidmap *m)
{
	struct tidmap old = *m;

	m->cap = old.cap ? 2 * old.cap : 64;
	m->v = calloc(m->cap, sizeof(*m->v));
	if (!m->v) {
		*m = old;
		return false;
	}
	for (size_t i = 0; i < old.cap; i++)
		if (old.v[i].tid)
			m->v[find(m, old.v[i].tid)] = old.v[i];
	free(old.v);
	return true;
}

bool tidmap_put(struct tidmap *m, unsigned tid, size_t val)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap && !grow(m))
		return false;
	i = find(m, tid);
	if (!m->v[i].tid)
		m->n++;
	m->v[i] = (struct tidmap_slot){ .tid = tid, .val = (uint32_t)val };
	return true;
}

size_t tidmap_get(const struct tidmap *m, unsigned tid)
{
	size_t i;

	if (!m->cap)
		return (size_t)-1;
	i = find(m, tid);
	return m->v[i].tid ? m->v[i].val : (size_t)-1;
}

void tidmap_del(struct tidmap *m, unsigned tid, size_t val)
{
	size_t mask = m->cap - 1, i, j;

	if (!m->cap)
		return;
	i = find(m, tid);
	if (!m->v[i].tid || m->v[i].val != val)
		return;
	for (j = (i + 1) & mask; m->v[j].tid; j = (j + 1) & mask) {
		size_t h = home(m->v[j].tid, mask);

		if (probe_entry_stays(i, j, h))
			continue;
		m->v[i] = m->v[j];
		i = j;
	}
	m->v[i] = (struct tidmap_slot){ 0 };
	m->n--;
}

void tidmap_free(struct tidmap *m)
{
	free(m->v);
	*m = (struct tidmap){ 0 };
}
