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
 *
 * When the host refuses memory, what the user is told names the host's
 * limit that refused it, so that a limit of the host is never read as one
 * of the simulated kernel's.
 */
#ifndef TLSSIM_HOSTMEM_H
#define TLSSIM_HOSTMEM_H

#include <stddef.h>
#include <stdio.h>

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

/*
 * Have malloc hand blocks of 1 MiB and more out as mappings of their own,
 * given back to the host when freed, instead of raising that limit as
 * large blocks come and go (glibc's default, its M_MMAP_THRESHOLD; where
 * the C library has no such setting, nothing). Then a large table freed by
 * one phase (the check's names, a hash index that doubled) leaves no
 * resident hole in the heap, which memory taken from the host (host_slab)
 * could not use: at 10^7 commands such holes came to 23 MB. Smaller blocks
 * (a picture's pixels) still come and go in the heap. For a program's
 * start: tlssim's main calls it.
 */
void host_memory_setup(void);

/*
 * Which of the host's limits refused memory (after an ENOMEM), said into
 * buf (size bytes) as " (...)": the mapping count when this process is
 * within a few mappings of vm.max_map_count, else ulimit -v (RLIMIT_AS) or
 * ulimit -d (RLIMIT_DATA) when set, which count reservations and private
 * memory too. "" when none binds (the host itself had no memory left).
 * Returns buf.
 */
const char *host_limit_hint(char *buf, size_t size);

/* Room for the longest hint host_limit_hint writes. */
#define HOST_LIMIT_HINT_MAX 96

/*
 * Say on err that the host refused the simulator memory, with the limit
 * that refused it (host_limit_hint): "tlssim: out of memory: ...". The
 * caller's exit status is then 4.
 */
void host_say_no_memory(FILE *err);

#endif
