/*
 * indexed.c - the policy "indexed": exactly the addresses the seed's
 * manager gives, for every sequence of operations, at a cost that does not
 * grow with the number of threads.
 *
 * What it computes
 *
 * The seed (src/tls.c) keeps its pages in the order it mapped them and
 * allocates the first free slot of the first page, in that order, that has
 * one; it maps a page only when every page is full and never unmaps one.
 * A free finds the page by address (the first page, in creation order,
 * whose address it is) and clears the slot, after the same three checks.
 * indexed keeps the same pages in the same order and answers the same
 * questions, so it hands out the same addresses and panics with the same
 * messages at the same moments.
 *
 * How
 *
 * Three structures replace the seed's two linear scans:
 * - the first page (in creation order) with a free slot, kept apart, and
 *   a bitmap of the other pages with a free slot, one bit per page in
 *   creation order, with a summary bitmap of one bit per nonzero word:
 *   when the first page fills up, the next one is two find-first-set
 *   instructions away (the summary is scanned word by word from the first
 *   word that may be nonzero, which the bitmap remembers: one word covers
 *   4096 pages). At steady state (a thread exits, the next spawn takes its
 *   slot) the freed page becomes the first with room and fills up again:
 *   the bitmap is not touched at all;
 * - a map from page address to creation index for free (pageidx.h:
 *   leaves of 64 consecutive pages, found through a small hash map with
 *   an entry per leaf), which keeps the oldest page of an address (as the seed's
 *   scan finds it first when a lab unmapped a TLS page and a new one was
 *   mapped at the same place);
 * - per page, its address, and apart from them a byte of used slots: a
 *   free reads one word of a leaf and one byte of a dense array, both
 *   likely in the cache even among 10^6 threads.
 * About 2 bytes of bookkeeping per region of full pages.
 *
 * Cost: allocate and free O(1), amortised: the summary scan only moves
 * forward past words that are zero until a free moves it back; the arrays
 * grow by doubling.
 */
#include <config.h>

#include "pageidx.h"
#include "policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORD_BITS 64

struct indexed {
	struct tlsm_memory mem;
	/* pages in creation order: address, and used slots (bit i = slot i) */
	uintptr_t *addr;
	uint8_t *used;
	size_t pages, cap;
	uint64_t *room;		/* bit i: page i has a free slot (but first) */
	uint64_t *summary;	/* bit j: room[j] is not zero */
	size_t room_words;	/* words allocated in room (and bits in summary) */
	size_t low_summary;	/* summary words below it are all zero */
	size_t rooms;		/* pages with a free slot */
	size_t first_room;	/* the first of them (not in the bitmap) */
	struct pageidx by_addr;	/* page address -> its oldest index */
	size_t used_slots;
	const char *why;	/* why the last operation did what it did */
};

static struct indexed *ix(struct tlsm *m)
{
	return (struct indexed *)m;
}

static const struct indexed *ix_const(const struct tlsm *m)
{
	return (const struct indexed *)m;
}

/* Put page i in the bitmap (and its word in the summary). */
static inline void bit_on(struct indexed *m, size_t i)
{
	size_t w = i / WORD_BITS;

	if (!m->room[w]) {
		m->summary[w / WORD_BITS] |= 1ull << (w % WORD_BITS);
		if (w / WORD_BITS < m->low_summary)
			m->low_summary = w / WORD_BITS;
	}
	m->room[w] |= 1ull << (i % WORD_BITS);
}

/*
 * Take the lowest page out of the bitmap, which holds one at least.
 * Skips the summary words known to be zero, and remembers how far they go.
 */
static size_t bit_pop_lowest(struct indexed *m)
{
	size_t summary_words = (m->room_words + WORD_BITS - 1) / WORD_BITS;

	for (size_t s = m->low_summary; s < summary_words; s++) {
		size_t w, i;

		if (!m->summary[s]) {
			m->low_summary = s + 1;
			continue;
		}
		w = s * WORD_BITS + (size_t)__builtin_ctzll(m->summary[s]);
		i = w * WORD_BITS + (size_t)__builtin_ctzll(m->room[w]);
		m->room[w] &= m->room[w] - 1;	/* its lowest bit */
		if (!m->room[w])
			m->summary[s] &= ~(1ull << (w % WORD_BITS));
		return i;
	}
	return SIZE_MAX;	/* not reached: rooms counts the bitmap */
}

/*
 * Page i, full until now (or new), has a free slot. The first page with
 * room stays out of the bitmap: when a lower one gets room, it goes in.
 */
static inline void gain_room(struct indexed *m, size_t i)
{
	if (m->rooms++ == 0) {
		m->first_room = i;
		return;
	}
	if (i < m->first_room) {
		bit_on(m, m->first_room);
		m->first_room = i;
		return;
	}
	bit_on(m, i);
}

/* The first page with room just filled up: the next one takes its place. */
static inline void lose_first_room(struct indexed *m)
{
	m->first_room = --m->rooms ? bit_pop_lowest(m) : SIZE_MAX;
}

/* The first page, in creation order, with a free slot; SIZE_MAX if none. */
static inline size_t first_with_room(const struct indexed *m)
{
	return m->rooms ? m->first_room : SIZE_MAX;
}

/*
 * Room for one more page in every structure, so that mapping it cannot
 * fail half way. Returns 0, or -1 when the host has no memory (then
 * nothing changed that matters: only capacities grew).
 */
static int reserve_page(struct indexed *m)
{
	if (m->pages == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		uintptr_t *addr = realloc(m->addr, cap * sizeof(*addr));
		uint8_t *used;

		if (!addr)
			return -1;
		m->addr = addr;
		used = realloc(m->used, cap * sizeof(*used));
		if (!used)
			return -1;
		m->used = used;
		m->cap = cap;
	}
	if (m->pages / WORD_BITS >= m->room_words) {
		size_t words = m->room_words ? 2 * m->room_words : 4;
		size_t sw = (words + WORD_BITS - 1) / WORD_BITS;
		size_t old_sw = (m->room_words + WORD_BITS - 1) / WORD_BITS;
		uint64_t *room = realloc(m->room, words * sizeof(*room));
		uint64_t *summary;

		if (!room)
			return -1;
		memset(room + m->room_words, 0,
		       (words - m->room_words) * sizeof(*room));
		m->room = room;
		summary = realloc(m->summary, sw * sizeof(*summary));
		if (!summary)
			return -1;
		memset(summary + old_sw, 0, (sw - old_sw) * sizeof(*summary));
		m->summary = summary;
		m->room_words = words;
	}
	return 0;
}

static struct tlsm *indexed_create(const struct tlsm_memory *mem)
{
	struct indexed *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->mem = *mem;
	return (struct tlsm *)m;
}

/* Bookkeeping goes; the pages stay mapped, as the seed's. */
static void indexed_destroy(struct tlsm *t)
{
	struct indexed *m = ix(t);

	if (!m)
		return;
	free(m->addr);
	free(m->used);
	free(m->room);
	free(m->summary);
	pageidx_free(&m->by_addr);
	free(m);
}

/* Take the lowest free slot of page i, the first page with room. */
static inline uintptr_t take_slot(struct indexed *m, size_t i)
{
	unsigned slot = (unsigned)__builtin_ctz(~(unsigned)m->used[i]);

	m->used[i] |= (uint8_t)(1u << slot);
	if (m->used[i] == 0xff)
		lose_first_room(m);
	m->used_slots++;
	return m->addr[i] + slot * TLS_SIZE;
}

/*
 * The first page in creation order with a free slot, else a new page at
 * the lowest free range of the user land. KERR_OK and *out, or the
 * memory's error (nothing changes then).
 */
static enum kernel_error indexed_allocate(struct tlsm *t, uintptr_t *out)
{
	struct indexed *m = ix(t);
	size_t i = first_with_room(m);
	enum kernel_error err;
	uintptr_t addr;

	if (i != SIZE_MAX) {
		m->why = "the first page, in creation order, with a free slot, "
			 "as the seed chooses, read from the index of pages "
			 "with room without a scan; its lowest free slot";
		*out = take_slot(m, i);
		return KERR_OK;
	}
	if (reserve_page(m) < 0)
		return KERR_PHYSICAL_MEMORY_EXHAUSTION;
	err = m->mem.find_available_space(m->mem.ctx, TLSM_PAGE_SIZE, &addr);
	if (err)
		return err;
	if (pageidx_reserve(&m->by_addr, addr) < 0)
		return KERR_PHYSICAL_MEMORY_EXHAUSTION;
	err = m->mem.map(m->mem.ctx, addr, TLSM_PAGE_SIZE);
	if (err)
		return err;
	i = m->pages++;
	m->addr[i] = addr;
	m->used[i] = 0;
	gain_room(m, i);
	pageidx_add(&m->by_addr, addr, (uint32_t)i);
	m->why = "no page had a free slot: a new page where "
		 "find_available_space found room, first fit in the user "
		 "land, as the seed maps one";
	*out = take_slot(m, i);
	return KERR_OK;
}

/* The seed's checks, in its order, before anything changes. */
static void indexed_free(struct tlsm *t, uintptr_t tls)
{
	struct indexed *m = ix(t);
	uintptr_t page = tls & ~(uintptr_t)(TLSM_PAGE_SIZE - 1);
	unsigned slot;
	uint32_t i;

	if (!pageidx_get(&m->by_addr, page, &i))
		tlsm_panic("Freed TLS 0x%lx is not in TLSManager.",
			   (unsigned long)tls);
	if (tls % TLS_SIZE != 0)
		tlsm_panic("Freed TLS ptr is not TLS size aligned.");
	slot = (unsigned)((tls - page) / TLS_SIZE);
	if (!(m->used[i] & (1u << slot)))
		tlsm_panic("Freed TLS was not marked occupied");
	if (m->used[i] == 0xff)
		gain_room(m, i);
	m->used[i] &= (uint8_t)~(1u << slot);
	m->used_slots--;
	m->why = "its page found from the address in the page index, the "
		 "slot free again; the page stays mapped, as in the seed";
}

/* The reason set by the last allocate or free (the explain op). */
static int indexed_explain(const struct tlsm *t, char *buf, size_t size)
{
	const struct indexed *m = ix_const(t);

	return m->why ? snprintf(buf, size, "%s", m->why) : 0;
}

static void indexed_stats(const struct tlsm *t, struct tlsm_stats *out)
{
	const struct indexed *m = ix_const(t);
	size_t sw = (m->room_words + WORD_BITS - 1) / WORD_BITS;

	out->pages = m->pages;
	out->used = m->used_slots;
	out->bookkeeping_bytes = sizeof(*m) +
		m->cap * (sizeof(*m->addr) + sizeof(*m->used)) +
		(m->room_words + sw) * sizeof(uint64_t) +
		pageidx_bytes(&m->by_addr);
}

static void indexed_for_each_page(const struct tlsm *t, tlsm_page_fn fn,
				  void *arg)
{
	const struct indexed *m = ix_const(t);

	for (size_t i = 0; i < m->pages; i++) {
		struct tlsm_page page = { m->addr[i], m->used[i] };

		fn(arg, &page);
	}
}

const struct tls_manager_ops tls_indexed_ops = {
	.version = TLSM_VERSION,
	.name = "indexed",
	.summary = "the seed's addresses in O(1): pages with room in a "
		   "bitmap, pages found by address in leaves of 64",
	.create = indexed_create,
	.destroy = indexed_destroy,
	.allocate = indexed_allocate,
	.free = indexed_free,
	.stats = indexed_stats,
	.for_each_page = indexed_for_each_page,
	.explain = indexed_explain,
};
