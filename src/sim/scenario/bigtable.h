/*
 * bigtable.h - zeroed memory for the large hash tables of the scenario
 * layer (the check's names, the run's names and records), its pages
 * brought in at once.
 *
 * A hash table spreads its entries over all its pages, so every page of a
 * large new table is touched within a few inserts, the first touch often
 * a read (a probe) and then a write: two page faults a page. On a virtual
 * machine a fault can cost tens of microseconds (doc/performance.md), more
 * than the inserts themselves. table_zalloc asks the host for the pages in
 * one call instead (and for huge pages where it gives them), which costs
 * the same memory, since the table would touch it all anyway.
 */
#ifndef TLSSIM_BIGTABLE_H
#define TLSSIM_BIGTABLE_H

#include <stddef.h>

/*
 * A zeroed block of n items of size bytes, as calloc (free it with free).
 * Past TABLE_PREFAULT_MIN bytes its pages are made resident before it is
 * returned, when the host can (else on first touch, as calloc's). Returns
 * NULL when memory ran out or n * size overflows.
 */
void *table_zalloc(size_t n, size_t size);

/* Blocks smaller than this are left to fault in page by page. */
#define TABLE_PREFAULT_MIN ((size_t)256 << 10)

#endif
