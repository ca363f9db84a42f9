/*
 * narrate_pages.c - the numbers a story gives TLS pages ("page 3, slot
 * 1"): from 1, in the order the process's manager lists its pages, as
 * `show` numbers them.
 *
 * Walking every page after each page mapped would make a fill of n
 * threads cost n^2/128 page visits (n/8 pages, each walk up to n/8). So
 * the numbering of a process is kept between steps and changed where its
 * policy's order says a page goes (tls_policy_page_order): in creation
 * order a new page takes the next number; in address order a page's
 * number is the count of pages held at or below it, kept in a Fenwick
 * tree (O(log n) a change). A manager that promises no order, a page
 * unmapped in creation order, a killed process or a change the numbering
 * did not expect make it walk again when a number is next asked for. A
 * walk that contradicts the promised order turns the promise off for
 * that process.
 *
 * The numberings are found by process through an open-addressing index,
 * so a story of many processes costs no scan of them all.
 */
#include <config.h>

#include "narrate.h"
#include "probe.h"

#include <stdlib.h>
#include <string.h>

/* Lands larger than this many pages are not numbered (names by address). */
#define NARR_MAX_LAND_PAGES ((size_t)1 << 24)

/* The home slot of process p in an index of cap slots (a power of two). */
static size_t home(const struct process *p, size_t cap)
{
	uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) & (cap - 1);
}

/* The index slot of p's numbering, or of the empty slot where it would go. */
static size_t slot_of(const struct narration *n, const struct process *p)
{
	size_t mask = n->index_cap - 1, i = home(p, n->index_cap);

	while (n->index[i] && n->pages[n->index[i] - 1].p != p)
		i = (i + 1) & mask;
	return i;
}

/*
 * Make the index at least twice as large as the numberings (at least 16
 * slots), entered again. False when memory ran out (index unchanged).
 */
static bool index_fit(struct narration *n, size_t want)
{
	size_t cap = n->index_cap ? n->index_cap : 16;
	uint32_t *index;

	while (cap < 2 * want)
		cap *= 2;
	if (cap == n->index_cap)
		return true;
	index = calloc(cap, sizeof(*index));
	if (!index)
		return false;
	free(n->index);
	n->index = index;
	n->index_cap = cap;
	for (size_t k = 0; k < n->npages; k++)
		n->index[slot_of(n, n->pages[k].p)] = (uint32_t)(k + 1);
	return true;
}

/*
 * Take slot i out of the index, moving back the slots after it that its
 * place would hide (linear probing without tombstones).
 */
static void index_remove(struct narration *n, size_t i)
{
	size_t mask = n->index_cap - 1, j;

	for (j = (i + 1) & mask; n->index[j]; j = (j + 1) & mask) {
		size_t h = home(n->pages[n->index[j] - 1].p, n->index_cap);

		if (probe_entry_stays(i, j, h))
			continue;
		n->index[i] = n->index[j];
		i = j;
	}
	n->index[i] = 0;
}

/* The numbering of p's pages, or NULL when the story has none yet. */
static struct narr_pages *pages_find(struct narration *n,
				     const struct process *p)
{
	size_t i;

	if (!n->npages)
		return NULL;
	i = slot_of(n, p);
	return n->index[i] ? &n->pages[n->index[i] - 1] : NULL;
}

/* The numbering of p's pages, made on first use; NULL without memory. */
static struct narr_pages *pages_of(struct narration *n,
				   const struct process *p)
{
	struct narr_pages *np = pages_find(n, p);

	if (np)
		return np;
	if (n->npages >= UINT32_MAX - 1 || !index_fit(n, n->npages + 1))
		return NULL;
	if (n->npages == n->pagescap) {
		size_t cap = n->pagescap ? n->pagescap * 2 : 4;

		np = realloc(n->pages, cap * sizeof(*np));
		if (!np)
			return NULL;
		n->pages = np;
		n->pagescap = cap;
	}
	np = &n->pages[n->npages];
	*np = (struct narr_pages){
		.p = p, .stale = true,
		.order = tls_policy_page_order(process_policy(p)),
	};
	n->npages++;
	n->index[slot_of(n, p)] = (uint32_t)n->npages;
	return np;
}

/* Add d (1, or -1 as UINT32_MAX) at page at of Fenwick tree t of len. */
static void tree_add(uint32_t *t, size_t len, size_t at, uint32_t d)
{
	for (size_t i = at + 1; i <= len; i += i & -i)
		t[i - 1] += d;
}

/* The pages held in Fenwick tree t at page at or below it. */
static uint32_t tree_upto(const uint32_t *t, size_t at)
{
	uint32_t sum = 0;

	for (size_t i = at + 1; i; i -= i & -i)
		sum += t[i - 1];
	return sum;
}

void narr_pages_changed(struct narration *n, const struct process *p)
{
	struct narr_pages *np = pages_find(n, p);

	if (np)
		np->stale = true;
}

void narr_pages_moved(struct narration *n, const struct process *p,
		      uint64_t offset, bool mapped)
{
	struct narr_pages *np = pages_find(n, p);
	size_t at = (size_t)(offset / TLSM_PAGE_SIZE);

	if (!np || np->stale || !np->num)
		return;		/* walked when next asked anyway */
	if (offset % TLSM_PAGE_SIZE || at >= np->len ||
	    (np->num[at] != 0) == mapped) {
		np->stale = true;	/* not the change the numbering expects */
		return;
	}
	switch (np->order) {
	case TLS_ORDER_ADDRESS:
		np->num[at] = mapped;
		tree_add(np->tree, np->len, at, mapped ? 1 : UINT32_MAX);
		return;
	case TLS_ORDER_CREATED:
		/* a page unmapped moves the ones after it: walk */
		if (mapped && np->seen < UINT32_MAX && index_push(&np->held, at)) {
			np->num[at] = ++np->seen;
			return;
		}
		break;
	case TLS_ORDER_UNKNOWN:
		break;
	}
	np->stale = true;
}

struct renumber {
	struct narr_pages *np;
	uintptr_t start, last;
	uint32_t seen;
	bool failed;
	bool ascending;		/* every page above the one before */
};

/* One page in the manager's order: the first of an address keeps it. */
static void renumber_page(void *arg, const struct tlsm_page *page)
{
	struct renumber *rn = arg;
	struct narr_pages *np = rn->np;
	size_t at = (size_t)((page->address - rn->start) / TLSM_PAGE_SIZE);

	rn->seen++;
	if (page->address < rn->start || at >= np->len || np->num[at])
		return;
	if (np->held.n && page->address <= rn->last)
		rn->ascending = false;
	rn->last = page->address;
	if (!index_push(&np->held, at)) {
		rn->failed = true;
		return;
	}
	np->num[at] = rn->seen;
}

/*
 * Number the pages of np's process (a land of len pages) by walking
 * them. False when memory ran out (then nothing is numbered).
 */
static bool renumber(struct narration *n, struct narr_pages *np, size_t len)
{
	struct renumber rn = { np, process_userland_start(np->p), 0, 0,
			       false, true };
	bool by_address = np->order == TLS_ORDER_ADDRESS;

	if (!np->num) {
		np->num = calloc(len, sizeof(*np->num));
		np->tree = by_address ? calloc(len, sizeof(*np->tree)) : NULL;
		if (!np->num || (by_address && !np->tree)) {
			free(np->num);
			free(np->tree);
			np->num = np->tree = NULL;
			return false;
		}
		np->len = len;
	} else if (by_address) {
		/* the pages mapped since the last walk are in no list */
		memset(np->num, 0, len * sizeof(*np->num));
		memset(np->tree, 0, len * sizeof(*np->tree));
	} else {
		for (size_t i = 0; i < np->held.n; i++)
			np->num[np->held.v[i]] = 0;
	}
	np->held.n = 0;
	n->walks++;
	process_for_each_tls_page(np->p, renumber_page, &rn);
	np->seen = rn.seen;
	np->stale = rn.failed;
	if (by_address && !rn.ascending)
		np->order = TLS_ORDER_UNKNOWN;	/* not the order promised */
	else if (by_address)
		for (size_t i = 0; i < np->held.n; i++)
			tree_add(np->tree, len, np->held.v[i], 1);
	return true;
}

size_t narr_page_number(struct narration *n, const struct process *p,
			uint64_t page)
{
	struct narr_pages *np = pages_of(n, p);
	size_t len = process_userland_size(p) / TLSM_PAGE_SIZE;

	if (!np || len > NARR_MAX_LAND_PAGES)
		return 0;
	if ((np->stale || !np->num) && !renumber(n, np, len))
		return 0;
	page /= TLSM_PAGE_SIZE;
	if (page >= np->len || !np->num[page])
		return 0;
	if (np->order == TLS_ORDER_ADDRESS)
		return tree_upto(np->tree, (size_t)page);
	return np->num[page];
}

/* Free what numbering np holds. */
static void pages_drop(struct narr_pages *np)
{
	free(np->num);
	free(np->tree);
	free(np->held.v);
}

void narration_forget_process(struct narration *n, const struct process *p)
{
	size_t i, k, last;

	if (!pages_find(n, p))
		return;
	i = slot_of(n, p);
	k = n->index[i] - 1;
	pages_drop(&n->pages[k]);
	index_remove(n, i);
	last = --n->npages;
	if (k == last)
		return;
	/* the last numbering takes the place of p's */
	n->pages[k] = n->pages[last];
	n->index[slot_of(n, n->pages[k].p)] = (uint32_t)(k + 1);
}

void narr_pages_free(struct narration *n)
{
	for (size_t i = 0; i < n->npages; i++)
		pages_drop(&n->pages[i]);
	free(n->pages);
	free(n->index);
	n->pages = NULL;
	n->index = NULL;
	n->npages = n->pagescap = n->index_cap = 0;
}
