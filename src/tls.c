/*
 * tls.c - the TLS manager: a port of the Sunrise kernel's
 * kernel/src/process/thread_local_storage.rs.
 *
 * Abstract
 *
 * Every thread owns 0x200 bytes of user memory called its Thread Local
 * Storage. User code keeps its IPC command buffer there (0x100 bytes, which
 * the kernel reads when the thread makes an IPC call), and a pointer it may
 * set to its own per-thread data (ptr_thread_context). The kernel never
 * needs that pointer; it only gives the thread the space.
 *
 * Location
 *
 * The region lives in the process's user land so that its thread can read
 * and write it. Nothing stops a thread from touching a sibling's region if
 * it learns the address; that is allowed, just pointless. The kernel keeps
 * the region's address in the thread, uses it to find the IPC buffer, and
 * loads it into an architecture register as part of every context switch:
 * user code finds its TLS through that register (fs or gs on x86,
 * tpidrro_el0 on aarch64), and its flat address in the ptr_self field.
 *
 * Allocation
 *
 * Each process owns a TLS manager. Creating a thread asks it for a region
 * (tls_manager_allocate); a dying thread gives the region back
 * (tls_manager_free) so that the next thread can reuse it. Since a region is
 * far smaller than a page, the manager maps whole pages, cuts each one into
 * PAGE_SIZE / 0x200 = 8 slots, and maps another page only when every slot of
 * every page it holds is taken. Allocation reuses the first free slot of the
 * first page in the order the pages were mapped.
 *
 * Memory leak
 *
 * The manager never unmaps a page, not even one whose slots are all free.
 * Its pages live until the process dies and its whole process memory is
 * torn down; dropping the manager alone (tls_manager_fini) leaks them. The
 * kernel always drops both together at process death, so neither has to
 * outlive the other.
 *
 * This file speaks to memory only through the callbacks the kernel lends it
 * (struct tlsm_memory in tls_manager.h), as the original speaks only to
 * ProcessMemory. The end of the file puts the port behind the manager
 * interface, as the policy "sunrise".
 */
#include <config.h>

#include "tls.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static_assert(sizeof(struct tls) == TLS_SIZE, "struct tls is 0x200 bytes");
static_assert(offsetof(struct tls, ptr_self) == TLS_OFF_SELF,
	      "ptr_self is at 0x0");
static_assert(offsetof(struct tls, ipc_command_buffer) == TLS_OFF_IPC,
	      "the IPC command buffer is at 0x10");
static_assert(sizeof(((struct tls *)0)->ipc_command_buffer) == TLS_IPC_SIZE,
	      "the IPC command buffer is 0x100 bytes");
static_assert(offsetof(struct tls, ptr_thread_context) ==
	      TLS_SIZE - sizeof(void *),
	      "ptr_thread_context is the last pointer of the region");
/* The manager cuts pages into whole regions. */
static_assert(PAGE_SIZE % sizeof(struct tls) == 0,
	      "TLS size divides PAGE_SIZE");
static_assert(TLS_PER_PAGE % 8 == 0, "the usage bitmap is whole bytes");

/* What tls_manager_explain says, in the seed's own terms. */
const char tls_why_first_page[] =
	"the first page in tls_pages with a free slot; "
	"bit_array_first_zero gives its first free slot";
const char tls_why_new_page[] =
	"no page in tls_pages had a free slot: TLSPage::new mapped one "
	"where find_available_space found room, first fit in the user land";
const char tls_why_free[] =
	"its page in tls_pages found by address, the slot's usage bit "
	"cleared; the page stays mapped: the seed never unmaps one";

size_t bit_array_first_zero(const uint8_t *bits, size_t len)
{
	for (size_t byte = 0; byte < len; byte++) {
		if (bits[byte] == 0xff)
			continue;
		for (unsigned bit = 0; bit < 8; bit++)
			if (!(bits[byte] & (1u << bit)))
				return byte * 8 + bit;
	}
	return SIZE_MAX;
}

bool tls_page_slot_used(const struct tls_page *page, size_t i)
{
	return page->usage[i / 8] & (1u << (i % 8));
}

static void tls_page_set_slot(struct tls_page *page, size_t i, bool used)
{
	if (used)
		page->usage[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		page->usage[i / 8] &= (uint8_t)~(1u << (i % 8));
}

enum kernel_error tls_page_new(struct tls_page *page,
			       const struct tlsm_memory *mem)
{
	enum kernel_error err;
	uintptr_t addr;

	err = mem->find_available_space(mem->ctx, PAGE_SIZE, &addr);
	if (err)
		return err;
	err = mem->map(mem->ctx, addr, PAGE_SIZE);
	if (err)
		return err;
	page->page_address = addr;
	memset(page->usage, 0, sizeof(page->usage));
	return KERR_OK;
}

uintptr_t tls_page_allocate(struct tls_page *page)
{
	size_t index = bit_array_first_zero(page->usage, sizeof(page->usage));

	if (index == SIZE_MAX)
		return 0;
	tls_page_set_slot(page, index, true);
	return page->page_address + index * TLS_SIZE;
}

/* The original makes these checks debug_asserts; here they are always on. */
void tls_page_free(struct tls_page *page, uintptr_t address)
{
	size_t index;

	if ((address & ~(uintptr_t)(PAGE_SIZE - 1)) != page->page_address)
		panic("Freed TLS ptr is outside of TLSPage.");
	if (address % TLS_SIZE != 0)
		panic("Freed TLS ptr is not TLS size aligned.");
	index = (address - page->page_address) / TLS_SIZE;
	if (!tls_page_slot_used(page, index))
		panic("Freed TLS was not marked occupied");
	tls_page_set_slot(page, index, false);
}

void tls_manager_init(struct tls_manager *mgr, const struct tlsm_memory *mem)
{
	mgr->mem = *mem;
	mgr->pages = NULL;
	mgr->page_count = 0;
	mgr->page_capacity = 0;
	mgr->why = NULL;
}

void tls_manager_fini(struct tls_manager *mgr)
{
	free(mgr->pages);
	mgr->pages = NULL;
	mgr->page_count = 0;
	mgr->page_capacity = 0;
}

/* Room for one more page record. Returns 0, or -1 when the host has none. */
static int tls_manager_reserve(struct tls_manager *mgr)
{
	size_t cap = mgr->page_capacity ? mgr->page_capacity * 2 : 4;
	struct tls_page *pages;

	if (mgr->page_count < mgr->page_capacity)
		return 0;
	pages = realloc(mgr->pages, cap * sizeof(*pages));
	if (!pages)
		return -1;
	mgr->pages = pages;
	mgr->page_capacity = cap;
	return 0;
}

enum kernel_error tls_manager_allocate(struct tls_manager *mgr,
				       uintptr_t *out)
{
	struct tls_page page;
	enum kernel_error err;
	uintptr_t tls;

	for (size_t i = 0; i < mgr->page_count; i++) {
		tls = tls_page_allocate(&mgr->pages[i]);
		if (tls) {
			mgr->why = tls_why_first_page;
			*out = tls;
			return KERR_OK;
		}
	}

	/*
	 * No free slot: map a new page. The record is reserved first so that
	 * a failure at any step leaves the manager and the memory as they
	 * were (the kernel heap running dry is physical memory exhaustion).
	 */
	if (tls_manager_reserve(mgr) < 0)
		return KERR_PHYSICAL_MEMORY_EXHAUSTION;
	err = tls_page_new(&page, &mgr->mem);
	if (err)
		return err;
	tls = tls_page_allocate(&page);
	if (!tls)
		panic("Empty TLSPage can't allocate");
	mgr->pages[mgr->page_count++] = page;
	mgr->why = tls_why_new_page;
	*out = tls;
	return KERR_OK;
}

void tls_manager_free(struct tls_manager *mgr, uintptr_t tls)
{
	uintptr_t page_address = tls & ~(uintptr_t)(PAGE_SIZE - 1);

	for (size_t i = 0; i < mgr->page_count; i++) {
		if (mgr->pages[i].page_address == page_address) {
			tls_page_free(&mgr->pages[i], tls);
			mgr->why = tls_why_free;
			return;
		}
	}
	panic("Freed TLS 0x%lx is not in TLSManager.", (unsigned long)tls);
}

/*
 * Why the last allocate or free did what it did, in the seed's terms, into
 * buf (the explain op). Returns snprintf's count; 0 before any operation.
 */
int tls_manager_explain(const struct tls_manager *mgr, char *buf,
			size_t size)
{
	if (!mgr->why)
		return 0;
	return snprintf(buf, size, "%s", mgr->why);
}

size_t tls_manager_page_count(const struct tls_manager *mgr)
{
	return mgr->page_count;
}

size_t tls_manager_used(const struct tls_manager *mgr)
{
	size_t used = 0;

	for (size_t i = 0; i < mgr->page_count; i++)
		for (size_t s = 0; s < TLS_PER_PAGE; s++)
			used += tls_page_slot_used(&mgr->pages[i], s);
	return used;
}

const struct tls_page *tls_manager_page(const struct tls_manager *mgr,
					size_t i)
{
	return i < mgr->page_count ? &mgr->pages[i] : NULL;
}

/*
 * The port behind the manager interface. A struct tlsm handed out here is
 * a struct tls_manager; the interface calls go straight to the functions
 * above, so "sunrise" computes exactly what the port does.
 */

static struct tls_manager *sunrise(struct tlsm *m)
{
	return (struct tls_manager *)m;
}

static const struct tls_manager *sunrise_const(const struct tlsm *m)
{
	return (const struct tls_manager *)m;
}

/* A manager on the heap; NULL when the host has no memory. */
static struct tlsm *sunrise_create(const struct tlsm_memory *mem)
{
	struct tls_manager *mgr = malloc(sizeof(*mgr));

	if (!mgr)
		return NULL;
	tls_manager_init(mgr, mem);
	return (struct tlsm *)mgr;
}

/* Bookkeeping goes; the pages stay mapped (the memory leak). */
static void sunrise_destroy(struct tlsm *m)
{
	if (!m)
		return;
	tls_manager_fini(sunrise(m));
	free(m);
}

static enum kernel_error sunrise_allocate(struct tlsm *m, uintptr_t *out)
{
	return tls_manager_allocate(sunrise(m), out);
}

static void sunrise_free(struct tlsm *m, uintptr_t tls)
{
	tls_manager_free(sunrise(m), tls);
}

static int sunrise_explain(const struct tlsm *m, char *buf, size_t size)
{
	return tls_manager_explain(sunrise_const(m), buf, size);
}

static void sunrise_stats(const struct tlsm *m, struct tlsm_stats *out)
{
	const struct tls_manager *mgr = sunrise_const(m);

	out->pages = tls_manager_page_count(mgr);
	out->used = tls_manager_used(mgr);
	out->bookkeeping_bytes = sizeof(*mgr) +
				 mgr->page_capacity * sizeof(*mgr->pages);
}

/* Pages in creation order, the order allocation scans them. */
static void sunrise_for_each_page(const struct tlsm *m, tlsm_page_fn fn,
				  void *arg)
{
	const struct tls_manager *mgr = sunrise_const(m);

	for (size_t i = 0; i < mgr->page_count; i++) {
		struct tlsm_page page = { mgr->pages[i].page_address, 0 };

		for (size_t s = 0; s < TLS_PER_PAGE; s++)
			if (tls_page_slot_used(&mgr->pages[i], s))
				page.used |= 1u << s;
		fn(arg, &page);
	}
}

const struct tls_manager_ops tls_sunrise_ops = {
	.version = TLSM_VERSION,
	.name = "sunrise",
	.summary = "the Sunrise kernel's manager: first free slot in page "
		   "creation order, pages never unmapped",
	.create = sunrise_create,
	.destroy = sunrise_destroy,
	.allocate = sunrise_allocate,
	.free = sunrise_free,
	.stats = sunrise_stats,
	.for_each_page = sunrise_for_each_page,
	.explain = sunrise_explain,
};
