/*
 * policy_world.h - what the differential tests of the policies share: a
 * "world" is one manager over a fresh process memory of its own, reached
 * only through the manager interface; two worlds get the same operations
 * and their pages, counts and panics are compared. Include after
 * testutil.h and pmem_memory.h.
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

/*
 * The page lists of both worlds into lists[0] and lists[1] (which the
 * caller may read after); they must be equal, and so must the numbers of
 * mappings of the two memories.
 */
static inline void worlds_same_pages(struct world w[2],
				     struct page_list lists[2])
{
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
 * In both worlds, a normal mapping of len bytes at page `page` of the
 * land (map), or the unmap of the normal mapping there (none: an
 * InvalidAddress): both must give the same error, which is returned.
 */
static inline enum kernel_error worlds_other_memory(struct world w[2],
						    uintptr_t page, size_t len,
						    bool map)
{
	enum kernel_error err[2];

	for (int k = 0; k < 2; k++) {
		uintptr_t at = w[k].base + page * PAGE_SIZE;
		const struct mapping *m = pmem_query(w[k].pm, at);

		if (map)
			err[k] = pmem_create_regular_mapping(w[k].pm, at, len,
							     MEM_NORMAL,
							     MAR_U_RW);
		else if (m && m->type == MEM_NORMAL)
			err[k] = pmem_unmap(w[k].pm, m->start, m->length);
		else
			err[k] = KERR_INVALID_ADDRESS;
	}
	require(err[0] == err[1]);
	return err[0];
}

/* The process dies in both worlds; a new one starts in each. */
static inline void worlds_restart(struct world w[2], size_t land_pages)
{
	for (int k = 0; k < 2; k++) {
		const struct tls_manager_ops *ops = w[k].ops;

		world_stop(&w[k]);
		world_start(&w[k], ops, land_pages);
	}
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

#endif
