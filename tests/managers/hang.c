/*
 * hang.c - a broken manager: when free looks for the page of a region it
 * never steps to the next page, so freeing a region that is not in the
 * first page (or in no page at all) loops forever.
 */
#define MANAGER_NAME "hang"

struct page;

/* p itself; the asm keeps the compiler from assuming the loop ends. */
static inline struct page *stay(struct page *p)
{
	__asm__ volatile("" : "+r"(p));
	return p;
}

#define NEXT_PAGE(p) stay(p)
#include "manager.h"
