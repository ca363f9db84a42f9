/*
 * policy_world.h - what the differential tests of the policies share: a
 * "world" is one manager over a fresh process memory of its own, reached
 * only through the manager interface; two worlds get the same operations
 * and their pages, counts and panics are compared. A differential keeps
 * its own mix of operations and its own counters in a struct run of its
 * own; worlds_drive() runs the mix. Include after testutil.h,
 * pmem_memory.h and random.h.
 */
#ifndef TLSSIM_POLICY_WORLD_H
#define TLSSIM_POLICY_WORLD_H

#include <stdio.h>
#include <string.h>

struct world {
	const struct tls_manager_ops *ops;
	struct pmem *pm;
	struct tlsm_memory mem;
	struct tlsm *mgr;
	uintptr_t base;
};

/* A manager of ops over a fresh user land of land_pages pages. */
static inline void world_start(struct world *w,
			       const struct tls_manager_ops *ops,
			       size_t land_pages)
{
	w->ops = ops;
	ck_assert_int_eq(pmem_create(&w->pm, land_pages * PAGE_SIZE), 0);
	w->mem = pmem_memory(w->pm);
	w->mgr = ops->create(&w->mem);
	ck_assert_ptr_nonnull(w->mgr);
	w->base = pmem_userland_start(w->pm);
}

/* The process dies: its manager, then its memory. */
static inline void world_stop(struct world *w)
{
	w->ops->destroy(w->mgr);
	pmem_destroy(w->pm);
}

#define WORLD_MAX_PAGES 4096

/* A manager's pages as offsets from its user land's start. */
struct page_list {
	uintptr_t base;
	size_t n;
	struct tlsm_page page[WORLD_MAX_PAGES];
};

/* for_each_page's callback: one page into the page_list at arg. */
static inline void world_list_page(void *arg, const struct tlsm_page *page)
{
	struct page_list *l = arg;

	require(l->n < WORLD_MAX_PAGES);
	l->page[l->n].address = page->address - l->base;
	l->page[l->n++].used = page->used;
}

struct world_free_call {
	struct world *w;
	uintptr_t tls;
};

/* panic_call's body: the free itself. */
static inline void world_do_free(void *arg)
{
	struct world_free_call *c = arg;

	c->w->ops->free(c->w->mgr, c->tls);
}

/*
 * Free offset off in w. msg gets "" when the free returned, else the
 * panic's message with the freed host address (0x...) made "ADDR", so
 * that two worlds' messages compare.
 */
static inline void world_free(struct world *w, uintptr_t off, char *msg,
			      size_t len)
{
	static struct panic_catch c;
	struct world_free_call call = { w, w->base + off };
	const char *m = call_catching_panic(&c, world_do_free, &call);
	char hex[32];
	const char *at;

	msg[0] = '\0';
	if (!m)
		return;
	snprintf(hex, sizeof(hex), "0x%lx", (unsigned long)call.tls);
	at = strstr(m, hex);
	if (at)
		snprintf(msg, len, "%.*sADDR%s", (int)(at - m), m,
			 at + strlen(hex));
	else
		snprintf(msg, len, "%s", m);
	require(msg[0] != '\0');
}

/* ---- two worlds driven alike ---- */

#define WORLDS_MAX_LIVE 8192

/*
 * Two worlds given the same operations: the random stream they are drawn
 * from, the regions live in both (as offsets), and the page lists of both
 * as the last comparison listed them (the operations may pick from them).
 */
struct worlds {
	struct world w[2];
	struct page_list lists[2];
	uintptr_t live[WORLDS_MAX_LIVE];
	size_t nlive;
	uint64_t rng;
	size_t land_pages;
};

/* A number below n from the worlds' random stream. */
static inline uint64_t worlds_roll(struct worlds *d, uint64_t n)
{
	return xorshift64s(&d->rng) % n;
}

/*
 * d from scratch: its stream from seed, a manager of a in the first world
 * and one of b in the second, each over a land of land_pages pages.
 */
static inline void worlds_start(struct worlds *d,
				const struct tls_manager_ops *a,
				const struct tls_manager_ops *b, uint64_t seed,
				size_t land_pages)
{
	memset(d, 0, sizeof(*d));
	d->rng = seed * 0x9e3779b97f4a7c15ull + 1;
	d->land_pages = land_pages;
	world_start(&d->w[0], a, land_pages);
	world_start(&d->w[1], b, land_pages);
}

/* Both processes die at the end. */
static inline void worlds_stop(struct worlds *d)
{
	world_stop(&d->w[0]);
	world_stop(&d->w[1]);
}

/*
 * The page lists of both worlds into d->lists; they must be equal, and so
 * must the numbers of mappings of the two memories.
 */
static inline void worlds_same_pages(struct worlds *d)
{
	struct page_list *lists = d->lists;
	struct world *w = d->w;

	for (int k = 0; k < 2; k++) {
		lists[k].base = w[k].base;
		lists[k].n = 0;
		w[k].ops->for_each_page(w[k].mgr, world_list_page, &lists[k]);
	}
	require(lists[0].n == lists[1].n);
	for (size_t i = 0; i < lists[0].n; i++) {
		require(lists[0].page[i].address == lists[1].page[i].address);
		require(lists[0].page[i].used == lists[1].page[i].used);
	}
	require(pmem_mapping_count(w[0].pm) == pmem_mapping_count(w[1].pm));
}

/*
 * Allocate in both (the host refusing the next map when refuse): the same
 * error, which is returned; on success the same offset, which is live.
 */
static inline enum kernel_error worlds_spawn(struct worlds *d, bool refuse)
{
	uintptr_t tls[2] = { 0, 0 };
	enum kernel_error err[2];

	for (int k = 0; k < 2; k++) {
		pmem_inject_map_fail(refuse ? 1 : 0);
		err[k] = d->w[k].ops->allocate(d->w[k].mgr, &tls[k]);
		pmem_inject_map_fail(0);
	}
	require(err[0] == err[1]);
	if (err[0])
		return err[0];
	require(tls[0] - d->w[0].base == tls[1] - d->w[1].base);
	require(d->nlive < WORLDS_MAX_LIVE);
	d->live[d->nlive++] = tls[0] - d->w[0].base;
	return KERR_OK;
}

/* A live region picked at random into *off, no longer live; false if none. */
static inline bool worlds_take_live(struct worlds *d, uintptr_t *off)
{
	size_t i;

	if (!d->nlive)
		return false;
	i = worlds_roll(d, d->nlive);
	*off = d->live[i];
	d->live[i] = d->live[--d->nlive];
	return true;
}

/* Whether offset off is a live region. */
static inline bool worlds_is_live(const struct worlds *d, uintptr_t off)
{
	for (size_t i = 0; i < d->nlive; i++)
		if (d->live[i] == off)
			return true;
	return false;
}

/*
 * Free offset off in both worlds: msg gets what world_free() says, which
 * must be the same in both (else the test fails, naming both).
 */
static inline void worlds_free(struct worlds *d, uintptr_t off, char *msg,
			       size_t len)
{
	char other[PANIC_MESSAGE_MAX];

	world_free(&d->w[0], off, msg, len);
	world_free(&d->w[1], off, other, sizeof(other));
	if (strcmp(msg, other) != 0)
		ck_abort_msg("free of +0x%lx: %s says '%s', %s '%s'",
			     (unsigned long)off, d->w[0].ops->name, msg,
			     d->w[1].ops->name, other);
}

/*
 * In both worlds, at a random page of the land, a normal mapping of 1 to
 * 3 pages (map), or the unmap of the normal mapping there (none: an
 * InvalidAddress): both must give the same error, which is returned.
 */
static inline enum kernel_error worlds_other_memory(struct worlds *d,
						    bool map)
{
	uintptr_t page = worlds_roll(d, d->land_pages);
	size_t len = (1 + worlds_roll(d, 3)) * PAGE_SIZE;
	enum kernel_error err[2];

	for (int k = 0; k < 2; k++) {
		struct world *w = &d->w[k];
		uintptr_t at = w->base + page * PAGE_SIZE;
		const struct mapping *m = pmem_query(w->pm, at);

		if (map)
			err[k] = pmem_create_regular_mapping(w->pm, at, len,
							     MEM_NORMAL,
							     MAR_U_RW);
		else if (m && m->type == MEM_NORMAL)
			err[k] = pmem_unmap(w->pm, m->start, m->length);
		else
			err[k] = KERR_INVALID_ADDRESS;
	}
	require(err[0] == err[1]);
	return err[0];
}

/*
 * The process dies in both worlds and a new one starts in each: no region
 * is live any more, and no page listed.
 */
static inline void worlds_kill(struct worlds *d)
{
	for (int k = 0; k < 2; k++) {
		const struct tls_manager_ops *ops = d->w[k].ops;

		world_stop(&d->w[k]);
		world_start(&d->w[k], ops, d->land_pages);
		d->lists[k].n = 0;
	}
	d->nlive = 0;
}

/* Each differential's own: its worlds (a struct worlds) and counters. */
struct run;

/*
 * One kind of operation of a mix: fn(r, arg), taken when the dice (0 to
 * 999) fall below grow while the worlds grow, below shrink while they
 * shrink. The last kind of a mix is taken when they fall above all.
 */
struct worlds_op {
	unsigned grow, shrink;
	void (*fn)(struct run *r, bool arg);
	bool arg;
};

/*
 * A differential's operations: n kinds, by rising bounds; after each
 * operation each(r) (when not NULL), and every pages_every operations the
 * page lists compared.
 */
struct worlds_mix {
	const struct worlds_op *op;
	size_t n;
	size_t pages_every;
	void (*each)(struct run *r);
};

/*
 * count operations of mix on d, whose differential is r; the page lists
 * compared at the end too. Fails the test at the first difference.
 */
static inline void worlds_drive(struct worlds *d, struct run *r,
				const struct worlds_mix *mix, size_t count)
{
	for (size_t n = 0; n < count; n++) {
		unsigned dice = (unsigned)worlds_roll(d, 1000);
		/* phases: grow for a while, then shrink, to fill and empty */
		bool growing = (n / 2000) % 2 == 0;
		const struct worlds_op *op = mix->op;

		while (op < mix->op + mix->n - 1 &&
		       dice >= (growing ? op->grow : op->shrink))
			op++;
		op->fn(r, op->arg);
		if (mix->each)
			mix->each(r);
		if (n % mix->pages_every == 0)
			worlds_same_pages(d);
	}
	worlds_same_pages(d);
}

#endif
