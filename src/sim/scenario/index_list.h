/*
 * index_list.h - a growing array of indexes (index_push is in names.c):
 * the parser's lists of names to forget, the story's pages numbered.
 */
#ifndef TLSSIM_INDEX_LIST_H
#define TLSSIM_INDEX_LIST_H

#include <stdbool.h>
#include <stddef.h>

/* A growing array of indexes. */
struct index_list {
	size_t *v;
	size_t n, cap;
};

/* Append i to l. False when memory ran out (l unchanged). */
bool index_push(struct index_list *l, size_t i);

#endif
