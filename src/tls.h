/*
 * tls.h - the TLS region and the TLS manager of the simulated kernel, a port
 * of the Sunrise kernel's thread_local_storage.rs. See tls.c for the story.
 */
#ifndef TLSSIM_TLS_H
#define TLSSIM_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel.h"
#include "kernel/pmem.h"

/* libkern's TLS: 0x200 bytes in user land, one per thread. */
struct tls {
	/* The region's own address, set by the kernel at first schedule. */
	void *ptr_self;
	uint8_t reserved0[0x10 - sizeof(void *)];
	/* The IPC command buffer, written by user code. */
	uint8_t ipc_command_buffer[0x100];
	uint8_t reserved1[0x200 - 0x110 - sizeof(void *)];
	/* User-controlled; the kernel never reads it. */
	void *ptr_thread_context;
} __attribute__((aligned(16)));

#define TLS_SIZE		((size_t)0x200)
#define TLS_OFF_SELF		((size_t)0x0)
#define TLS_OFF_IPC		((size_t)0x10)
#define TLS_IPC_SIZE		((size_t)0x100)
#define TLS_OFF_CONTEXT		(TLS_SIZE - sizeof(void *))
#define TLS_PER_PAGE		(PAGE_SIZE / TLS_SIZE)

/* A page of TLS_PER_PAGE regions and the bitmap of the used ones. */
struct tls_page {
	uintptr_t page_address;
	uint8_t usage[TLS_PER_PAGE / 8];
};

/* A process's TLS allocator: its pages, in the order they were mapped. */
struct tls_manager {
	struct tls_page *pages;
	size_t page_count;
	size_t page_capacity;
};

/*
 * Index of the first zero bit of an array of `len` bytes (bytes in order,
 * bits LSB first), or SIZE_MAX when every bit is set.
 */
size_t bit_array_first_zero(const uint8_t *bits, size_t len);

/*
 * Map a fresh page of TLS_PER_PAGE free slots in pm: user read-write, memory
 * type ThreadLocal, at the first place with room. Returns KERR_OK, or the
 * error of find_available_space / create_regular_mapping (nothing mapped).
 */
enum kernel_error tls_page_new(struct tls_page *page, struct pmem *pm);

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

/* An empty manager; it owns no page yet. */
void tls_manager_init(struct tls_manager *mgr);

/*
 * Drop the manager's bookkeeping. Its pages stay mapped (the original's
 * memory leak) until the process memory is destroyed.
 */
void tls_manager_fini(struct tls_manager *mgr);

/*
 * Allocate a TLS region in pm, reusing a free slot when there is one, else
 * mapping a new ThreadLocal page. Returns KERR_OK and sets *out, or the
 * KernelError of the failed mapping, leaving the manager as it was. The
 * region may hold a dead thread's data: the caller zeroes it.
 * Panics "Empty TLSPage can't allocate" if a fresh page has no free slot.
 */
enum kernel_error tls_manager_allocate(struct tls_manager *mgr,
				       struct pmem *pm, uintptr_t *out);

/*
 * Mark the region at tls free for reuse. Panics, changing nothing, when tls
 * is in no page of the manager, not TLS_SIZE aligned, or already free.
 */
void tls_manager_free(struct tls_manager *mgr, uintptr_t tls);

/* Pages held, and slots in use over all pages. */
size_t tls_manager_page_count(const struct tls_manager *mgr);
size_t tls_manager_used(const struct tls_manager *mgr);
/* The i-th page in creation order, or NULL past the end. */
const struct tls_page *tls_manager_page(const struct tls_manager *mgr,
					size_t i);
/* Whether slot i (0 .. TLS_PER_PAGE-1) of the page is in use. */
bool tls_page_slot_used(const struct tls_page *page, size_t i);

#endif
