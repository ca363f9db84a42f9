/*
 * tls_manager.h - the TLS manager interface of tlssim.
 *
 * A TLS manager hands out the 0x200-byte Thread Local Storage regions of
 * one process: eight to a 4 KiB page, in pages it asks the kernel to map.
 * tlssim runs several managers ("policies") behind this one interface: the
 * Sunrise kernel's own (src/tls.c), and others that compute the same thing
 * faster or differently. A student's manager, built as a shared object,
 * implements the same interface and `tlssim grade` loads it.
 *
 * The interface uses no simulator types. A manager sees memory only
 * through the callbacks of struct tlsm_memory (as the original sees only
 * ProcessMemory), keeps its own bookkeeping, and reports its pages through
 * for_each_page. Addresses are plain host addresses: the kernel hands them
 * to user code, which dereferences them.
 *
 * A shared object exports one symbol, TLSM_SYMBOL, of type
 * `const struct tls_manager_ops`; its `version` should be TLSM_VERSION.
 * Version 2 added the optional explain op at the end of the table; a
 * manager built against version 1 (without it) still loads, and tlssim
 * then narrates its runs from the kernel's events alone.
 *
 * Installed as <tlssim/tls_manager.h>.
 */
#ifndef TLSSIM_TLS_MANAGER_H
#define TLSSIM_TLS_MANAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLSM_VERSION		2u
/* The oldest version tlssim still loads (no explain op). */
#define TLSM_VERSION_MIN	1u
#define TLSM_SYMBOL		"tls_manager_ops"

#define TLSM_PAGE_SIZE		((size_t)0x1000)

/* Room tlssim gives explain: a longer reason is cut. */
#define TLSM_WHY_MAX		200

/*
 * The KernelError kinds (0 is success). A memory callback returns one of
 * them; a manager passes it back unchanged, and answers
 * KERR_PHYSICAL_MEMORY_EXHAUSTION when its own bookkeeping cannot grow.
 */
enum kernel_error {
	KERR_OK = 0,
	KERR_PHYSICAL_MEMORY_EXHAUSTION,
	KERR_VIRTUAL_MEMORY_EXHAUSTION,
	KERR_INVALID_ADDRESS,
	KERR_INVALID_SIZE,
	KERR_INVALID_MEM_STATE,
	KERR_PROCESS_KILLED,
	KERR_INVALID_STATE,
	KERR_COUNT,
	/*
	 * Not a KernelError of the original: the host refused the simulator
	 * something (a mapping, memory). A memory callback may return it; a
	 * manager passes it back like any other error, and tlssim reports it
	 * as a refusal of the host, never as a simulated error.
	 */
	KERR_HOST_REFUSED = 0x100
};

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
#define TLS_PER_PAGE		(TLSM_PAGE_SIZE / TLS_SIZE)

/*
 * What the kernel lends a manager: its process's memory. Each callback
 * gets ctx first and returns KERR_OK or a KernelError, changing nothing
 * on error.
 *
 * find_available_space: the lowest free range of length bytes (first fit).
 * map: make [addr, addr + length) a ThreadLocal mapping, user read-write,
 *      zero filled; the kernel traces it as a TLS page.
 * unmap: give [addr, addr + length) back; it must be a whole page the
 *      manager mapped. The kernel traces it.
 */
struct tlsm_memory {
	void *ctx;
	enum kernel_error (*find_available_space)(void *ctx, size_t length,
						  uintptr_t *addr);
	enum kernel_error (*map)(void *ctx, uintptr_t addr, size_t length);
	enum kernel_error (*unmap)(void *ctx, uintptr_t addr, size_t length);
};

/* A manager's figures. */
struct tlsm_stats {
	size_t pages;			/* pages it holds */
	size_t used;			/* regions handed out, not freed */
	size_t bookkeeping_bytes;	/* host memory of its own structures */
};

/* One page as a manager reports it: bit i of used is slot i. */
struct tlsm_page {
	uintptr_t address;
	uint32_t used;
};

typedef void (*tlsm_page_fn)(void *arg, const struct tlsm_page *page);

/* A manager instance; each implementation defines what it points at. */
struct tlsm;

struct tls_manager_ops {
	unsigned version;		/* TLSM_VERSION */
	const char *name;		/* "sunrise" */
	const char *summary;		/* one line for --help and reports */

	/*
	 * A new manager holding no page. mem is copied. Returns NULL when
	 * the host has no memory for it.
	 */
	struct tlsm *(*create)(const struct tlsm_memory *mem);

	/*
	 * Drop the manager's bookkeeping. Whether its pages are unmapped is
	 * the policy's business; the kernel tears the process memory down
	 * right after. NULL is a no-op.
	 */
	void (*destroy)(struct tlsm *m);

	/*
	 * A free region: set *out, return KERR_OK; or the error of a memory
	 * callback (or KERR_PHYSICAL_MEMORY_EXHAUSTION for the manager's own
	 * bookkeeping), leaving the manager as it was. The region may still
	 * hold a dead thread's data.
	 */
	enum kernel_error (*allocate)(struct tlsm *m, uintptr_t *out);

	/*
	 * Give a region back. A region the manager did not hand out, or
	 * already free, is a broken kernel invariant: call tlsm_panic
	 * before changing anything.
	 */
	void (*free)(struct tlsm *m, uintptr_t tls);

	/* Fill *out. Never fails. */
	void (*stats)(const struct tlsm *m, struct tlsm_stats *out);

	/*
	 * Call fn(arg, page) for every page held, in the manager's own order
	 * (the order its allocation scans them, e.g. creation order). fn must
	 * not call back into the manager.
	 */
	void (*for_each_page)(const struct tlsm *m, tlsm_page_fn fn,
			      void *arg);

	/* ---- version 2: read only when version >= 2 ---- */

	/*
	 * Why the last allocate or free did what it did, in the manager's
	 * own words: which rule chose the page and the slot, why a page was
	 * mapped or unmapped ("the first page with a free slot", "no page
	 * with room: a new page, first fit in the user land"). Write it into
	 * buf as snprintf does (one line, no newline, no address: tlssim
	 * names the page, the slot and the addresses itself) and return
	 * snprintf's result; 0 when there is nothing to say. tlssim calls it
	 * right after allocate or free returned, only when someone reads the
	 * story (a narrated run), never after a failed allocate. It must not
	 * call the memory callbacks. NULL: the manager gives no reasons.
	 *
	 * The simplest way: keep a `const char *why` in the manager, set it
	 * in allocate and free, and here return snprintf(buf, size, "%s",
	 * m->why).
	 */
	int (*explain)(const struct tlsm *m, char *buf, size_t size);
};

/*
 * Stop the kernel with a message, like the original's panic!. Provided by
 * the program that runs the manager (tlssim catches it and reports it).
 * Never returns.
 */
void tlsm_panic(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

#endif
