/*
 * hostmem.c - host memory brought in at once (see hostmem.h).
 */
#include <config.h>

#include "hostmem.h"

#include <stdint.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/mman.h>
#include <unistd.h>

void host_prefault(void *p, size_t bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)p + page - 1) & ~(uintptr_t)(page - 1);
	uintptr_t e = ((uintptr_t)p + bytes) & ~(uintptr_t)(page - 1);

	if (e <= a)
		return;
#ifdef MADV_HUGEPAGE
	(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#endif
#ifdef MADV_POPULATE_WRITE
	if (madvise((void *)a, e - a, MADV_POPULATE_WRITE) == 0)
		return;
#endif
	for (; a < e; a += page)
		*(volatile char *)a = 0;
}

void *host_slab(size_t bytes)
{
	/* twice the size, then the unaligned ends given back */
	char *m = mmap(NULL, 2 * bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;

	if (m == MAP_FAILED)
		return NULL;
	a = (char *)(((uintptr_t)m + bytes - 1) & ~(uintptr_t)(bytes - 1));
	if (a > m)
		munmap(m, (size_t)(a - m));
	if (m + 2 * bytes > a + bytes)
		munmap(a + bytes, (size_t)(m + 2 * bytes - (a + bytes)));
	host_prefault(a, bytes);
	return a;
}

void host_slab_free(void *slab, size_t bytes)
{
	if (slab)
		munmap(slab, bytes);
}

void host_memory_setup(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
	(void)mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
}
