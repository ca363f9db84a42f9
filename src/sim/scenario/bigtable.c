/*
 * bigtable.c - zeroed memory for large hash tables, made resident at once
 * (see bigtable.h).
 */
#include <config.h>

#include "bigtable.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * Make the whole pages of [p, p + bytes) resident and writable now: huge
 * pages asked for (a hint), then one populating call, or, on a host
 * without it, a write to each page (one fault a page, not a read fault
 * then a copy-on-write one). The bytes stay zero.
 */
static void prefault(void *p, size_t bytes)
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

void *table_zalloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = calloc(n, size);
	if (p && n * size >= TABLE_PREFAULT_MIN)
		prefault(p, n * size);
	return p;
}
