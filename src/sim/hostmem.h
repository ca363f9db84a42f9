/*
 * hostmem.h - host memory brought in at once, for the kernel model's
 * records and the scenario layer's tables alike.
 *
 * Memory the host hands out is mapped lazily: its first touch of each page
 * is a page fault. On a virtual machine a fault can cost tens of
 * microseconds (doc/performance.md), more than the work that touches the
 * page. Memory that will all be written soon is cheaper asked for in one
 * call, and cheaper still in huge pages where the host gives them: the
 * same memory, fewer faults.
 */
#ifndef TLSSIM_HOSTMEM_H
#define TLSSIM_HOSTMEM_H

#include <stddef.h>

/*
 * Make the whole pages of [p, p + bytes), which must be zero (memory just
 * handed out), resident and writable now: huge pages asked for (a hint),
 * then one populating call, or, on a host without it, a zero written to
 * each page (one fault a page, not a read fault then a copy-on-write one).
 */
void host_prefault(void *p, size_t bytes);

/*
 * A slab: bytes (a power of two, a multiple of the page size) of zeroed
 * memory aligned to bytes, resident (host_prefault). Returns NULL when the
 * host refuses (errno set). Give it back with host_slab_free.
 */
void *host_slab(size_t bytes);
void host_slab_free(void *slab, size_t bytes);

#endif
