/*
 * my_tls.c - your TLS manager, for `tlssim grade` (see README.md).
 *
 * Fill in the functions marked TODO so that your manager hands out the
 * same regions as the Sunrise kernel's (tlssim's policy "sunrise"):
 *
 * - A region is TLS_SIZE (0x200) bytes; a page (TLSM_PAGE_SIZE, 4 KiB)
 *   holds TLS_PER_PAGE (8) of them, slot s at page + s * TLS_SIZE.
 * - allocate hands out the lowest free slot of the first page with room,
 *   pages taken in the order you mapped them. When every page is full,
 *   map a new one: ask mem.find_available_space for TLSM_PAGE_SIZE bytes,
 *   then mem.map there. If a callback fails, return its error unchanged
 *   and leave everything as it was.
 * - free gives a region back. A region in none of your pages, not on a
 *   TLS_SIZE boundary, or not in use is a kernel bug: call tlsm_panic
 *   with the seed's message (below) before changing anything.
 * - Pages are never unmapped: the kernel drops them with the process.
 *
 * Build: make (my_tls.so). Grade: make grade, or
 *   tlssim grade --manager=./my_tls.so
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tls_manager.h"

/* Your manager: what it needs to remember about one process. */
struct tlsm {
	struct tlsm_memory mem;		/* the process's memory */
	/* TODO: your pages, in the order you mapped them. */
	const char *why;		/* optional: see my_explain */
};

/* A manager holding no page; NULL when there is no memory for it. */
static struct tlsm *my_create(const struct tlsm_memory *mem)
{
	struct tlsm *m = calloc(1, sizeof(*m));

	if (m)
		m->mem = *mem;
	return m;
}

/* Free your bookkeeping (not the pages). NULL must be a no-op. */
static void my_destroy(struct tlsm *m)
{
	if (!m)
		return;
	/* TODO: free your page records. */
	free(m);
}

/*
 * Set *out to a free region and return KERR_OK; or return the error of a
 * memory callback (KERR_PHYSICAL_MEMORY_EXHAUSTION when your own malloc
 * fails), having changed nothing.
 */
static enum kernel_error my_allocate(struct tlsm *m, uintptr_t *out)
{
	(void)m;
	(void)out;
	/* TODO */
	return KERR_INVALID_STATE;
}

/*
 * Give the region at tls back. Panics, changing nothing, with exactly:
 *   tlsm_panic("Freed TLS 0x%lx is not in TLSManager.", (unsigned long)tls)
 *   tlsm_panic("Freed TLS ptr is not TLS size aligned.")
 *   tlsm_panic("Freed TLS was not marked occupied")
 * checked in that order.
 */
static void my_free(struct tlsm *m, uintptr_t tls)
{
	(void)m;
	(void)tls;
	/* TODO */
	tlsm_panic("my_tls: free is not written yet");
}

/* Your figures: pages held, regions in use, bytes of bookkeeping. */
static void my_stats(const struct tlsm *m, struct tlsm_stats *out)
{
	/* TODO */
	out->pages = 0;
	out->used = 0;
	out->bookkeeping_bytes = sizeof(*m);
}

/*
 * Call fn(arg, &page) for each page you hold, in the order you mapped
 * them: page.address, and page.used with bit s set when slot s is in use.
 */
static void my_for_each_page(const struct tlsm *m, tlsm_page_fn fn,
			     void *arg)
{
	(void)m;
	(void)fn;
	(void)arg;
	/* TODO */
}

/*
 * Optional: why your last allocate or free did what it did, one line in
 * your own words ("the first page with a free slot", "every page was full:
 * a new page"), as snprintf writes it. Set m->why in my_allocate and
 * my_free; tlssim's story of a run puts it after the page and slot. NULL
 * here instead (or a version 1 table) is fine: you give no reasons.
 */
static int my_explain(const struct tlsm *m, char *buf, size_t size)
{
	return m->why ? snprintf(buf, size, "%s", m->why) : 0;
}

/* What tlssim looks up in my_tls.so: keep the name tls_manager_ops. */
const struct tls_manager_ops tls_manager_ops = {
	.version = TLSM_VERSION,
	.name = "my_tls",
	.summary = "my TLS manager (labs/byo)",
	.create = my_create,
	.destroy = my_destroy,
	.allocate = my_allocate,
	.free = my_free,
	.stats = my_stats,
	.for_each_page = my_for_each_page,
	.explain = my_explain,
};
