/*
 * bigtable.c - zeroed memory for large hash tables, made resident at once
 * (see bigtable.h).
 */
#include <config.h>

#include "bigtable.h"
#include "hostmem.h"

#include <stdint.h>
#include <stdlib.h>

void *table_zalloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = calloc(n, size);
	if (p && n * size >= TABLE_PREFAULT_MIN)
		host_prefault(p, n * size);
	return p;
}
