/*
 * hostcall.h - the host calls the kernel model makes, with a hook that
 * makes one of them fail on purpose.
 *
 * The kernel model asks the host for a user land reservation, for the
 * pages of a mapping, for PROT_NONE pages when it unmaps, for protection
 * changes (isolation), for thread stacks, and for memory for its own
 * records. Tests inject a failure at each of those calls in turn and check
 * that the operation reports the host's refusal and leaves the kernel
 * exactly as it was.
 */
#ifndef TLSSIM_HOSTCALL_H
#define TLSSIM_HOSTCALL_H

#include <stdbool.h>
#include <stddef.h>

#include "kerror.h"

enum host_call {
	HOST_RESERVE,		/* mmap of a user land reservation */
	HOST_MAP,		/* mmap of a mapping's pages */
	HOST_UNMAP,		/* mmap of PROT_NONE pages over an unmap */
	HOST_PROTECT,		/* mprotect for isolation */
	HOST_STACK,		/* mmap of a thread stack */
	HOST_ALLOC,		/* malloc of the kernel model's own records */
	HOST_CALL_COUNT
};

/*
 * The n-th call of kind c from now, on this host thread, fails (1: the
 * next one); 0 cancels. A failed call sets errno to ENOMEM.
 */
void host_fail_after(enum host_call c, unsigned n);

/* Cancel every injected failure of this host thread. */
void host_fail_reset(void);

/* Counts a call of kind c; true when it must fail (errno is then set). */
bool host_call_fails(enum host_call c);

/*
 * Record what the host refused, as a printf format (errno, read on entry,
 * says why; ENOMEM adds the limit that refused, host_limit_hint), and
 * return KERR_HOST_REFUSED. host_error() is the last record of this host
 * thread.
 */
enum kernel_error host_refused(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *host_error(void);

/* calloc and strdup of the kernel model's records (HOST_ALLOC). */
void *host_calloc(size_t n, size_t size);
char *host_strdup(const char *s);

#endif
