/*
 * manager.h - for the tests of `tlssim grade`: a TLS manager written the
 * way a student would write one (a list of pages, a byte of slot bits
 * each), correct as it stands. Each file of tests/managers/ includes it,
 * after defining at most one of the hooks below to break it on purpose,
 * and is built as a shared object.
 *
 * Hooks (each has a correct default):
 *   MANAGER_NAME          the name in the ops table
 *   MANAGER_VERSION       the version in the ops table
 *   PICK_SLOT(used)       the slot to hand out of a page with room
 *   MAY_MAP(m)            whether allocate may map a new page
 *   MARK_USED(used, s)    the page's bits once slot s is handed out
 *   BEFORE_ALLOCATE(m)    runs first in every allocate
 *   NEXT_PAGE(p)          the page after p, when free looks for its page
 *   ON_LOAD()             a constructor: runs when the object is loaded
 *   PAGE_ADDRESS(m, p)    where a new page's slots are handed out from
 *   BAD_FREE_PANIC        the message of a free of a region not handed out
 */
#include <stdint.h>
#include <stdlib.h>

#include "tls_manager.h"

#ifndef MANAGER_NAME
#define MANAGER_NAME "student"
#endif
#ifndef MANAGER_VERSION
#define MANAGER_VERSION TLSM_VERSION
#endif
#ifndef PICK_SLOT
#define PICK_SLOT(used) ((unsigned)__builtin_ctz(~(unsigned)(used) & 0xffu))
#endif
#ifndef MAY_MAP
#define MAY_MAP(m) 1
#endif
#ifndef MARK_USED
#define MARK_USED(used, s) ((uint8_t)((used) | 1u << (s)))
#endif
#ifndef BEFORE_ALLOCATE
#define BEFORE_ALLOCATE(m) ((void)(m))
#endif
#ifndef NEXT_PAGE
#define NEXT_PAGE(p) ((p)->next)
#endif
#ifndef PAGE_ADDRESS
#define PAGE_ADDRESS(m, p) ((p)->address)
#endif
#ifndef BAD_FREE_PANIC
#define BAD_FREE_PANIC "Freed TLS 0x%lx is not in TLSManager."
#endif

#ifdef ON_LOAD
static void __attribute__((constructor)) on_load(void)
{
	ON_LOAD();
}
#endif

struct page {
	uintptr_t address;
	uint8_t used;			/* bit s: slot s is handed out */
	struct page *next;		/* in the order pages were mapped */
};

struct tlsm {
	struct tlsm_memory mem;
	struct page *first, *last;
	size_t pages;
};

/* A manager with no page; NULL when malloc fails. */
static struct tlsm *student_create(const struct tlsm_memory *mem)
{
	struct tlsm *m = calloc(1, sizeof(*m));

	if (m)
		m->mem = *mem;
	return m;
}

/* Free the records; the pages stay mapped until the process dies. */
static void student_destroy(struct tlsm *m)
{
	struct page *p, *next;

	if (!m)
		return;
	for (p = m->first; p; p = next) {
		next = p->next;
		free(p);
	}
	free(m);
}

/* Map a page at the first free place; the error of a callback on failure. */
static enum kernel_error new_page(struct tlsm *m, struct page **out)
{
	struct page *p = calloc(1, sizeof(*p));
	enum kernel_error err;

	if (!p)
		return KERR_PHYSICAL_MEMORY_EXHAUSTION;
	err = m->mem.find_available_space(m->mem.ctx, TLSM_PAGE_SIZE,
					  &p->address);
	if (!err)
		err = m->mem.map(m->mem.ctx, p->address, TLSM_PAGE_SIZE);
	if (err) {
		free(p);
		return err;
	}
	if (m->last)
		m->last->next = p;
	else
		m->first = p;
	m->last = p;
	m->pages++;
	*out = p;
	return KERR_OK;
}

/* The first free slot of the first page with room, else of a new page. */
static enum kernel_error student_allocate(struct tlsm *m, uintptr_t *out)
{
	struct page *p;
	enum kernel_error err;
	unsigned s;

	BEFORE_ALLOCATE(m);
	for (p = m->first; p && p->used == 0xff; p = p->next)
		;
	if (!p) {
		if (!MAY_MAP(m))
			return KERR_VIRTUAL_MEMORY_EXHAUSTION;
		err = new_page(m, &p);
		if (err)
			return err;
	}
	s = PICK_SLOT(p->used);
	p->used = MARK_USED(p->used, s);
	*out = PAGE_ADDRESS(m, p) + s * TLS_SIZE;
	return KERR_OK;
}

/* Give a region back; panics, changing nothing, on a bad one. */
static void student_free(struct tlsm *m, uintptr_t tls)
{
	uintptr_t page = tls & ~(uintptr_t)(TLSM_PAGE_SIZE - 1);
	struct page *p;
	unsigned s;

	for (p = m->first; p && p->address != page; p = NEXT_PAGE(p))
		;
	if (!p)
		tlsm_panic(BAD_FREE_PANIC, (unsigned long)tls);
	if (tls % TLS_SIZE)
		tlsm_panic("Freed TLS ptr is not TLS size aligned.");
	s = (unsigned)((tls - page) / TLS_SIZE);
	if (!(p->used & 1u << s))
		tlsm_panic("Freed TLS was not marked occupied");
	p->used &= (uint8_t)~(1u << s);
}

/* Pages held, slots in use, bytes of records. */
static void student_stats(const struct tlsm *m, struct tlsm_stats *out)
{
	out->pages = m->pages;
	out->used = 0;
	for (const struct page *p = m->first; p; p = p->next)
		out->used += (size_t)__builtin_popcount(p->used);
	out->bookkeeping_bytes = sizeof(*m) + m->pages * sizeof(struct page);
}

/* Each page, in the order it was mapped. */
static void student_for_each_page(const struct tlsm *m, tlsm_page_fn fn,
				  void *arg)
{
	for (const struct page *p = m->first; p; p = p->next) {
		struct tlsm_page page = { p->address, p->used };

		fn(arg, &page);
	}
}

/* What tlssim grade looks up. */
const struct tls_manager_ops tls_manager_ops = {
	.version = MANAGER_VERSION,
	.name = MANAGER_NAME,
	.summary = "a test manager of tlssim grade (tests/managers/)",
	.create = student_create,
	.destroy = student_destroy,
	.allocate = student_allocate,
	.free = student_free,
	.stats = student_stats,
	.for_each_page = student_for_each_page,
};
