/*
 * mesosphere.c - the policy "mesosphere": the TLS pages of Atmosphere's
 * Mesosphere kernel (KThreadLocalPage in KProcess), with the seed's slots.
 *
 * What it computes
 *
 * A region comes from the lowest-address page that has a free slot (its
 * lowest free slot); when every page is full, a new page is mapped at the
 * lowest free range of the user land, as in the seed. Unlike the seed, a
 * page is unmapped as soon as its last slot is freed: no page is kept for
 * reuse, so the memory a process holds follows its live threads, and a
 * page can come back at another address. Freeing a region that is in no
 * page, misaligned or already free panics with the seed's messages.
 *
 * Not modelled: Mesosphere zeroes each region it hands out, and a process
 * takes one region for itself before its first thread. tlssim's kernel
 * model zeroes nothing and takes no region for the process, whatever the
 * policy, so that policies differ only in where regions go.
 *
 * How
 *
 * Mesosphere keeps two red-black trees (partially and fully used pages)
 * keyed by address. Here: the pages with a free slot sit in a binary
 * min-heap keyed by address (each page knows its place in the heap, so a
 * page can leave it from anywhere), and a hash map finds a page from an
 * address. Page records live in an array with a free list.
 *
 * Cost: allocate and free O(log pages); the unmap of an empty page is one
 * callback.
 */
#include <config.h>

#include "addrmap.h"
#include "policy.h"

#include <stdio.h>
#include <stdlib.h>

#define NOT_IN_HEAP UINT32_MAX

struct meso_page {
	uintptr_t address;	/* 0 while the record is free */
	uint32_t heap_pos;	/* NOT_IN_HEAP when full (or free) */
	uint8_t used;		/* bit i = slot i */
};

struct mesosphere {
	struct tlsm_memory mem;
	struct meso_page *page;	/* records; free ones chained by heap_pos */
	size_t records, cap;
	uint32_t free_record;	/* first free record, or NOT_IN_HEAP */
	uint32_t *heap;		/* records of the pages with room */
	size_t heap_len;
	struct addrmap by_addr;	/* page address -> record */
	size_t pages, used_slots;
	const char *why;	/* why the last operation did what it did */
};

static struct mesosphere *ms(struct tlsm *m)
{
	return (struct mesosphere *)m;
}

static const struct mesosphere *ms_const(const struct tlsm *m)
{
	return (const struct mesosphere *)m;
}

static uintptr_t heap_key(const struct mesosphere *m, size_t pos)
{
	return m->page[m->heap[pos]].address;
}

static void heap_place(struct mesosphere *m, size_t pos, uint32_t rec)
{
	m->heap[pos] = rec;
	m->page[rec].heap_pos = (uint32_t)pos;
}

/* Move the entry at pos up or down until the heap order holds again. */
static void heap_fix(struct mesosphere *m, size_t pos)
{
	uint32_t rec = m->heap[pos];
	uintptr_t key = m->page[rec].address;

	while (pos > 0 && heap_key(m, (pos - 1) / 2) > key) {
		heap_place(m, pos, m->heap[(pos - 1) / 2]);
		pos = (pos - 1) / 2;
	}
	for (;;) {
		size_t child = 2 * pos + 1;

		if (child >= m->heap_len)
			break;
		if (child + 1 < m->heap_len &&
		    heap_key(m, child + 1) < heap_key(m, child))
			child++;
		if (heap_key(m, child) >= key)
			break;
		heap_place(m, pos, m->heap[child]);
		pos = child;
	}
	heap_place(m, pos, rec);
}

/* The heap has room (see reserve_page). */
static void heap_push(struct mesosphere *m, uint32_t rec)
{
	heap_place(m, m->heap_len++, rec);
	heap_fix(m, m->heap_len - 1);
}

static void heap_remove(struct mesosphere *m, uint32_t rec)
{
	size_t pos = m->page[rec].heap_pos;

	m->page[rec].heap_pos = NOT_IN_HEAP;
	if (pos == --m->heap_len)
		return;
	heap_place(m, pos, m->heap[m->heap_len]);
	heap_fix(m, pos);
}

/*
 * Room for one more page in every structure, so that mapping it cannot
 * fail half way. 0, or -1 when the host has no memory.
 */
static int reserve_page(struct mesosphere *m)
{
	if (m->free_record == NOT_IN_HEAP && m->records == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		struct meso_page *page;
		uint32_t *heap;

		if (cap > NOT_IN_HEAP)
			return -1;
		page = realloc(m->page, cap * sizeof(*page));
		if (!page)
			return -1;
		m->page = page;
		heap = realloc(m->heap, cap * sizeof(*heap));
		if (!heap)
			return -1;
		m->heap = heap;
		m->cap = cap;
	}
	return addrmap_reserve(&m->by_addr, 1);
}

static uint32_t take_record(struct mesosphere *m)
{
	uint32_t rec = m->free_record;

	if (rec == NOT_IN_HEAP)
		return (uint32_t)m->records++;
	m->free_record = m->page[rec].heap_pos;
	return rec;
}

static void drop_record(struct mesosphere *m, uint32_t rec)
{
	m->page[rec].address = 0;
	m->page[rec].heap_pos = m->free_record;
	m->free_record = rec;
}

static struct tlsm *mesosphere_create(const struct tlsm_memory *mem)
{
	struct mesosphere *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->mem = *mem;
	m->free_record = NOT_IN_HEAP;
	return (struct tlsm *)m;
}

static void mesosphere_destroy(struct tlsm *t)
{
	struct mesosphere *m = ms(t);

	if (!m)
		return;
	free(m->page);
	free(m->heap);
	addrmap_free(&m->by_addr);
	free(m);
}

/*
 * The lowest slot of the lowest-address page with room (the top of the
 * heap), else of a new page mapped where the memory finds room. KERR_OK
 * and *out, or the memory's error (nothing changes then).
 */
static enum kernel_error mesosphere_allocate(struct tlsm *t, uintptr_t *out)
{
	struct mesosphere *m = ms(t);
	enum kernel_error err;
	struct meso_page *pg;
	uintptr_t addr;
	unsigned slot;
	uint32_t rec;

	m->why = "the lowest-address page with a free slot, the top of the "
		 "heap of pages with room; its lowest free slot";
	if (m->heap_len == 0) {
		if (reserve_page(m) < 0)
			return KERR_PHYSICAL_MEMORY_EXHAUSTION;
		err = m->mem.find_available_space(m->mem.ctx, TLSM_PAGE_SIZE,
						  &addr);
		if (err)
			return err;
		err = m->mem.map(m->mem.ctx, addr, TLSM_PAGE_SIZE);
		if (err)
			return err;
		rec = take_record(m);
		m->page[rec] = (struct meso_page){ addr, NOT_IN_HEAP, 0 };
		addrmap_add(&m->by_addr, addr, rec);
		heap_push(m, rec);
		m->pages++;
		m->why = "no page had a free slot: a new page at the lowest free "
			 "range of the user land, from find_available_space";
	}
	rec = m->heap[0];
	pg = &m->page[rec];
	slot = (unsigned)__builtin_ctz(~(unsigned)pg->used);
	pg->used |= (uint8_t)(1u << slot);
	if (pg->used == 0xff)
		heap_remove(m, rec);
	m->used_slots++;
	*out = pg->address + slot * TLS_SIZE;
	return KERR_OK;
}

/*
 * The seed's checks, then: a full page gets room again, an empty page is
 * unmapped. If the host refuses the unmap, the page stays, empty.
 */
static void mesosphere_free(struct tlsm *t, uintptr_t tls)
{
	struct mesosphere *m = ms(t);
	uintptr_t page = tls & ~(uintptr_t)(TLSM_PAGE_SIZE - 1);
	struct meso_page *pg;
	unsigned slot;
	uint32_t rec;

	if (!addrmap_get(&m->by_addr, page, &rec))
		tlsm_panic("Freed TLS 0x%lx is not in TLSManager.",
			   (unsigned long)tls);
	if (tls % TLS_SIZE != 0)
		tlsm_panic("Freed TLS ptr is not TLS size aligned.");
	pg = &m->page[rec];
	slot = (unsigned)((tls - page) / TLS_SIZE);
	if (!(pg->used & (1u << slot)))
		tlsm_panic("Freed TLS was not marked occupied");
	if (pg->heap_pos == NOT_IN_HEAP)
		heap_push(m, rec);
	pg->used &= (uint8_t)~(1u << slot);
	m->used_slots--;
	if (pg->used != 0) {
		m->why = "the slot is free again; its page still holds a "
			 "region in use, so it stays mapped";
		return;
	}
	if (m->mem.unmap(m->mem.ctx, page, TLSM_PAGE_SIZE) != KERR_OK) {
		m->why = "the page's last region was freed, but the unmap "
			 "failed: the page stays, empty";
		return;
	}
	m->why = "that was its page's last region in use: mesosphere "
		 "unmaps an empty page at once";
	heap_remove(m, rec);
	addrmap_remove(&m->by_addr, page);
	drop_record(m, rec);
	m->pages--;
}

/* The reason set by the last allocate or free (the explain op). */
static int mesosphere_explain(const struct tlsm *t, char *buf, size_t size)
{
	const struct mesosphere *m = ms_const(t);

	return m->why ? snprintf(buf, size, "%s", m->why) : 0;
}

static void mesosphere_stats(const struct tlsm *t, struct tlsm_stats *out)
{
	const struct mesosphere *m = ms_const(t);

	out->pages = m->pages;
	out->used = m->used_slots;
	out->bookkeeping_bytes = sizeof(*m) +
		m->cap * (sizeof(*m->page) + sizeof(*m->heap)) +
		addrmap_bytes(&m->by_addr);
}

static int by_address(const void *a, const void *b)
{
	uintptr_t x = ((const struct tlsm_page *)a)->address;
	uintptr_t y = ((const struct tlsm_page *)b)->address;

	return (x > y) - (x < y);
}

/*
 * Pages in address order, the order allocation prefers them. Needs a
 * sorted copy; when the host has none to give, record order.
 */
static void mesosphere_for_each_page(const struct tlsm *t, tlsm_page_fn fn,
				     void *arg)
{
	const struct mesosphere *m = ms_const(t);
	struct tlsm_page *sorted = malloc((m->pages + 1) * sizeof(*sorted));
	size_t n = 0;

	for (size_t r = 0; r < m->records; r++) {
		struct tlsm_page p = { m->page[r].address, m->page[r].used };

		if (!p.address)
			continue;
		if (sorted)
			sorted[n++] = p;
		else
			fn(arg, &p);
	}
	if (!sorted)
		return;
	qsort(sorted, n, sizeof(*sorted), by_address);
	for (size_t i = 0; i < n; i++)
		fn(arg, &sorted[i]);
	free(sorted);
}

const struct tls_manager_ops tls_mesosphere_ops = {
	.version = TLSM_VERSION,
	.name = "mesosphere",
	.summary = "Mesosphere's rule: lowest-address page with room first; "
		   "a page is unmapped when its last slot is freed",
	.create = mesosphere_create,
	.destroy = mesosphere_destroy,
	.allocate = mesosphere_allocate,
	.free = mesosphere_free,
	.stats = mesosphere_stats,
	.for_each_page = mesosphere_for_each_page,
	.explain = mesosphere_explain,
};
