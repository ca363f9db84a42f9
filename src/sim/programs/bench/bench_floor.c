/*
 * bench_floor.c - the floor of `tlssim bench`: the least bookkeeping a
 * manager handing out the seed's slots can do, to measure the policies
 * against. Not a policy: it frees without checking, and assumes its pages
 * lie above the first one it mapped (true of a fresh user land and first
 * fit).
 *
 * Pages are numbered by address from the first page ((addr - base) /
 * 4 KiB); a byte per page holds its used slots, and a two-level bitmap of
 * page numbers with room gives the first one with find-first-set.
 */
#include <config.h>

#include "bench_work.h"

#include <stdlib.h>
#include <string.h>

struct floor {
	struct tlsm_memory mem;
	uintptr_t base;			/* the first page; 0: none yet */
	uint8_t *used;			/* by page number */
	uint64_t *room;			/* bit: page has a free slot */
	uint64_t *summary;		/* bit: room word is not zero */
	size_t cap;			/* page numbers room for (x64) */
	size_t pages, live;
};

static void set_room(struct floor *f, size_t pn, bool on)
{
	size_t w = pn / 64;

	if (on)
		f->room[w] |= 1ull << (pn % 64);
	else
		f->room[w] &= ~(1ull << (pn % 64));
	if (f->room[w])
		f->summary[w / 64] |= 1ull << (w % 64);
	else
		f->summary[w / 64] &= ~(1ull << (w % 64));
}

/* Room for page number pn. 0, or -1 out of memory. */
static int grow(struct floor *f, size_t pn)
{
	size_t cap = f->cap ? f->cap : 4096;
	uint8_t *used;
	uint64_t *room, *summary;

	if (pn < f->cap)
		return 0;
	while (cap <= pn)
		cap *= 2;
	used = realloc(f->used, cap);
	if (!used)
		return -1;
	f->used = used;
	room = realloc(f->room, cap / 8);
	if (!room)
		return -1;
	f->room = room;
	summary = realloc(f->summary, cap / 512);
	if (!summary)
		return -1;
	f->summary = summary;
	memset(f->used + f->cap, 0xff, cap - f->cap);	/* no page: full */
	memset(f->room + f->cap / 64, 0, (cap - f->cap) / 8);
	memset(f->summary + f->cap / 4096, 0, (cap - f->cap) / 512);
	f->cap = cap;
	return 0;
}

static struct tlsm *floor_create(const struct tlsm_memory *mem)
{
	struct floor *f = calloc(1, sizeof(*f));

	if (f)
		f->mem = *mem;
	return (struct tlsm *)f;
}

static void floor_destroy(struct tlsm *t)
{
	struct floor *f = (struct floor *)t;

	if (!f)
		return;
	free(f->used);
	free(f->room);
	free(f->summary);
	free(f);
}

/*
 * The floor's allocate: the first page with a free slot by page number,
 * else a new page. KERR_OK and *out, or the memory's error.
 */
static enum kernel_error floor_allocate(struct tlsm *t, uintptr_t *out)
{
	struct floor *f = (struct floor *)t;
	enum kernel_error err;
	uintptr_t addr;
	size_t pn = SIZE_MAX;
	unsigned slot;

	for (size_t s = 0; s < f->cap / 4096; s++) {
		if (f->summary[s]) {
			size_t w = s * 64 + (size_t)__builtin_ctzll(f->summary[s]);

			pn = w * 64 + (size_t)__builtin_ctzll(f->room[w]);
			break;
		}
	}
	if (pn == SIZE_MAX) {
		err = f->mem.find_available_space(f->mem.ctx, TLSM_PAGE_SIZE,
						  &addr);
		if (err)
			return err;
		if (!f->base)
			f->base = addr;
		if (addr < f->base)
			tlsm_panic("floor: page 0x%lx below the first",
				   (unsigned long)addr);
		pn = (addr - f->base) / TLSM_PAGE_SIZE;
		if (grow(f, pn) < 0)
			return KERR_PHYSICAL_MEMORY_EXHAUSTION;
		err = f->mem.map(f->mem.ctx, addr, TLSM_PAGE_SIZE);
		if (err)
			return err;
		f->used[pn] = 0;
		set_room(f, pn, true);
		f->pages++;
	}
	slot = (unsigned)__builtin_ctz(~(unsigned)f->used[pn]);
	f->used[pn] |= (uint8_t)(1u << slot);
	if (f->used[pn] == 0xff)
		set_room(f, pn, false);
	f->live++;
	*out = f->base + pn * TLSM_PAGE_SIZE + slot * TLS_SIZE;
	return KERR_OK;
}

static void floor_free(struct tlsm *t, uintptr_t tls)
{
	struct floor *f = (struct floor *)t;
	size_t off = tls - f->base;
	size_t pn = off / TLSM_PAGE_SIZE;

	f->used[pn] &= (uint8_t)~(1u << (off % TLSM_PAGE_SIZE / TLS_SIZE));
	set_room(f, pn, true);
	f->live--;
}

static void floor_stats(const struct tlsm *t, struct tlsm_stats *out)
{
	const struct floor *f = (const struct floor *)t;

	out->pages = f->pages;
	out->used = f->live;
	out->bookkeeping_bytes = sizeof(*f) + f->cap + f->cap / 8 +
				 f->cap / 512;
}

/* Only the pages with a free slot: a full page and no page look alike. */
static void floor_for_each_page(const struct tlsm *t, tlsm_page_fn fn,
				void *arg)
{
	const struct floor *f = (const struct floor *)t;

	for (size_t pn = 0; pn < f->cap; pn++) {
		struct tlsm_page page = { f->base + pn * TLSM_PAGE_SIZE,
					  f->used[pn] };

		if (f->used[pn] != 0xff)
			fn(arg, &page);
	}
}

const struct tls_manager_ops bench_floor_ops = {
	.version = TLSM_VERSION,
	.name = "floor",
	.summary = "the benchmark's floor: pages by number, a two-level "
		   "bitmap of pages with room; no checks",
	.create = floor_create,
	.destroy = floor_destroy,
	.allocate = floor_allocate,
	.free = floor_free,
	.stats = floor_stats,
	.for_each_page = floor_for_each_page,
};
