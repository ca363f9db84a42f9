/*
 * tls.h - the TLS manager of the Sunrise kernel, a port of its
 * thread_local_storage.rs (see tls.c for the story): the "sunrise" policy.
 * The region layout and the manager interface it implements are in
 * tls_manager.h; this header is private to the port and its tests.
 */
#ifndef TLSSIM_TLS_H
#define TLSSIM_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kerror.h"

/* A page of TLS_PER_PAGE regions and the bitmap of the used ones. */
struct tls_page {
	uintptr_t page_address;
	uint8_t usage[TLS_PER_PAGE / 8];
};

/* A process's TLS allocator: its pages, in the order they were mapped. */
struct tls_manager {
	struct tlsm_memory mem;		/* its process's memory */
	struct tls_page *pages;
	size_t page_count;
	size_t page_capacity;
	/* Why the last allocate or free did what it did (explain). */
	const char *why;
};

/*
 * Index of the first zero bit of an array of `len` bytes (bytes in order,
 * bits LSB first), or SIZE_MAX when every bit is set.
 */
size_t bit_array_first_zero(const uint8_t *bits, size_t len);

/*
 * Map a fresh page of TLS_PER_PAGE free slots in mem: user read-write,
 * memory type ThreadLocal, at the first place with room. Returns KERR_OK, or
 * the error of find_available_space / map (nothing mapped).
 */
enum kernel_error tls_page_new(struct tls_page *page,
			       const struct tlsm_memory *mem);

/*
 * Take the lowest free slot of the page and return its address, or 0 when
 * the page is full. The region may still hold a dead thread's data.
 */
uintptr_t tls_page_allocate(struct tls_page *page);

/*
 * Mark the slot at address free. Panics, changing nothing, with
 * "Freed TLS ptr is outside of TLSPage." / "... is not TLS size aligned." /
 * "Freed TLS was not marked occupied".
 */
void tls_page_free(struct tls_page *page, uintptr_t address);

/* An empty manager over the process memory mem; it owns no page yet. */
void tls_manager_init(struct tls_manager *mgr, const struct tlsm_memory *mem);

/*
 * Drop the manager's bookkeeping. Its pages stay mapped (the original's
 * memory leak) until the process memory is destroyed.
 */
void tls_manager_fini(struct tls_manager *mgr);

/*
 * Allocate a TLS region, reusing a free slot when there is one, else
 * mapping a new ThreadLocal page. Returns KERR_OK and sets *out, or the
 * KernelError of the failed mapping, leaving the manager as it was. The
 * region may hold a dead thread's data: the caller zeroes it.
 * Panics "Empty TLSPage can't allocate" if a fresh page has no free slot.
 */
enum kernel_error tls_manager_allocate(struct tls_manager *mgr,
				       uintptr_t *out);

/*
 * Mark the region at tls free for reuse. Panics, changing nothing, when tls
 * is in no page of the manager, not TLS_SIZE aligned, or already free.
 */
void tls_manager_free(struct tls_manager *mgr, uintptr_t tls);

/*
 * Why the last tls_manager_allocate or tls_manager_free did what it did,
 * in the seed's terms (one of the tls_why_ texts), into buf as snprintf
 * does. Returns snprintf's count, 0 before the first operation.
 */
int tls_manager_explain(const struct tls_manager *mgr, char *buf,
			size_t size);
extern const char tls_why_first_page[], tls_why_new_page[],
	tls_why_free[];

/* Pages held, and slots in use over all pages. */
size_t tls_manager_page_count(const struct tls_manager *mgr);
size_t tls_manager_used(const struct tls_manager *mgr);
/* The i-th page in creation order, or NULL past the end. */
const struct tls_page *tls_manager_page(const struct tls_manager *mgr,
					size_t i);
/* Whether slot i (0 .. TLS_PER_PAGE-1) of the page is in use. */
bool tls_page_slot_used(const struct tls_page *page, size_t i);

/* The port behind the manager interface is policy "sunrise" (policy.h). */

#endif
