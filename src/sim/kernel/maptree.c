/*
 * maptree.c - mappings by address in a treap with gap summaries.
 *
 * Each node holds one mapping and, for its subtree: the number of
 * mappings, the lowest start, the highest end, and the largest gap
 * between two mappings of the subtree that follow each other. First fit
 * walks down towards the lowest gap large enough, looking at those
 * summaries only: O(depth), and a treap's depth is O(log n) expected.
 * Priorities come from a fixed-seed generator, so a run's shape (and cost)
 * is the same every time.
 */
#include <config.h>

#include "maptree.h"

#include <stdlib.h>
#include <string.h>

struct maptree_node {
	struct mapping m;		/* first: a node is its mapping */
	uint32_t left, right;
	uint32_t prio;
	uint32_t size;
	uintptr_t min_start, max_end;
	size_t max_gap;
};

#define NONE 0u

static uintptr_t end_of(const struct mapping *m)
{
	return m->start + m->length;
}

static size_t max_size(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* Recompute x's summaries from its children. */
static void pull(struct maptree_node *n, uint32_t x)
{
	struct maptree_node *v = &n[x];
	uint32_t l = v->left, r = v->right;

	v->size = 1;
	v->min_start = v->m.start;
	v->max_end = end_of(&v->m);
	v->max_gap = 0;
	if (l) {
		v->size += n[l].size;
		v->min_start = n[l].min_start;
		v->max_gap = max_size(n[l].max_gap, v->m.start - n[l].max_end);
	}
	if (r) {
		v->size += n[r].size;
		v->max_end = n[r].max_end;
		v->max_gap = max_size(v->max_gap, n[r].max_gap);
		v->max_gap = max_size(v->max_gap,
				      n[r].min_start - end_of(&v->m));
	}
}

/* Split x into *a (starts below key) and *b (the rest). */
static void split(struct maptree_node *n, uint32_t x, uintptr_t key,
		  uint32_t *a, uint32_t *b)
{
	if (!x) {
		*a = *b = NONE;
		return;
	}
	if (n[x].m.start < key) {
		split(n, n[x].right, key, &n[x].right, b);
		*a = x;
	} else {
		split(n, n[x].left, key, a, &n[x].left);
		*b = x;
	}
	pull(n, x);
}

/* Join a and b, every start of a below every start of b. */
static uint32_t merge(struct maptree_node *n, uint32_t a, uint32_t b)
{
	if (!a || !b)
		return a ? a : b;
	if (n[a].prio > n[b].prio) {
		n[a].right = merge(n, n[a].right, b);
		pull(n, a);
		return a;
	}
	n[b].left = merge(n, a, n[b].left);
	pull(n, b);
	return b;
}

void maptree_init(struct maptree *t)
{
	memset(t, 0, sizeof(*t));
	t->rng = 0x853c49e6748fea9bull;
}

void maptree_fini(struct maptree *t)
{
	free(t->node);
	maptree_init(t);
}

void maptree_clear(struct maptree *t)
{
	t->root = NONE;
	t->free = NONE;
	t->nfree = 0;
	t->used = t->cap ? 1 : 0;
}

bool maptree_has_room(const struct maptree *t, size_t n)
{
	size_t used = t->used ? t->used : 1;	/* slot 0 is "none" */

	return (t->cap > used ? t->cap - used : 0) + t->nfree >= n;
}

int maptree_reserve(struct maptree *t, size_t n)
{
	size_t used = t->used ? t->used : 1;
	size_t cap = t->cap ? t->cap : 16;
	struct maptree_node *node;

	if (maptree_has_room(t, n))
		return 0;
	while (cap < used + n) {
		if (cap > UINT32_MAX / 2)
			return -1;
		cap *= 2;
	}
	node = realloc(t->node, cap * sizeof(*node));
	if (!node)
		return -1;
	t->node = node;
	t->cap = (uint32_t)cap;
	t->used = (uint32_t)used;
	return 0;
}

static uint32_t next_prio(struct maptree *t)
{
	t->rng ^= t->rng << 13;
	t->rng ^= t->rng >> 7;
	t->rng ^= t->rng << 17;
	return (uint32_t)(t->rng >> 32);
}

void maptree_insert(struct maptree *t, const struct mapping *m)
{
	uint32_t x, a, b;

	if (t->free) {
		x = t->free;
		t->free = t->node[x].left;
		t->nfree--;
	} else {
		x = t->used++;
	}
	t->node[x] = (struct maptree_node){ .m = *m, .prio = next_prio(t) };
	pull(t->node, x);
	split(t->node, t->root, m->start, &a, &b);
	t->root = merge(t->node, merge(t->node, a, x), b);
}

void maptree_remove(struct maptree *t, uintptr_t start)
{
	uint32_t a, mid, c;

	split(t->node, t->root, start, &a, &mid);
	split(t->node, mid, start + 1, &mid, &c);
	t->root = merge(t->node, a, c);
	if (!mid)
		return;
	t->node[mid].left = t->free;
	t->free = mid;
	t->nfree++;
}

const struct mapping *maptree_ending_after(const struct maptree *t,
					   uintptr_t addr)
{
	uint32_t x = t->root, best = NONE;

	while (x) {
		if (end_of(&t->node[x].m) > addr) {
			best = x;
			x = t->node[x].left;
		} else {
			x = t->node[x].right;
		}
	}
	return best ? &t->node[best].m : NULL;
}

struct mapping *maptree_mut(struct maptree *t, const struct mapping *m)
{
	/* a node is its mapping (first member), and nodes are the tree's */
	return &t->node[(const struct maptree_node *)m - t->node].m;
}

const struct mapping *maptree_at(const struct maptree *t, size_t i)
{
	uint32_t x = t->root;

	while (x) {
		uint32_t l = t->node[x].left;
		size_t left = l ? t->node[l].size : 0;

		if (i == left)
			return &t->node[x].m;
		if (i < left) {
			x = l;
		} else {
			i -= left + 1;
			x = t->node[x].right;
		}
	}
	return NULL;
}

size_t maptree_count(const struct maptree *t)
{
	return t->root ? t->node[t->root].size : 0;
}

/* The lowest gap of at least length between two mappings under x. */
static bool gap_under(const struct maptree_node *n, uint32_t x, size_t length,
		      uintptr_t *out)
{
	while (x) {
		uint32_t l = n[x].left, r = n[x].right;

		if (l && n[l].max_gap >= length) {
			x = l;
			continue;
		}
		if (l && n[x].m.start - n[l].max_end >= length) {
			*out = n[l].max_end;
			return true;
		}
		if (r && n[r].min_start - end_of(&n[x].m) >= length) {
			*out = end_of(&n[x].m);
			return true;
		}
		if (r && n[r].max_gap >= length) {
			x = r;
			continue;
		}
		return false;
	}
	return false;
}

bool maptree_first_fit(const struct maptree *t, uintptr_t lo, uintptr_t hi,
		       size_t length, uintptr_t *out)
{
	const struct maptree_node *root = t->root ? &t->node[t->root] : NULL;
	uintptr_t last = root ? root->max_end : lo;

	if (root && root->min_start - lo >= length) {
		*out = lo;
		return true;
	}
	if (root && gap_under(t->node, t->root, length, out))
		return true;
	if (hi - last >= length) {
		*out = last;
		return true;
	}
	return false;
}
