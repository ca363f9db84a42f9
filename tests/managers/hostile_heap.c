/*
 * hostile_heap.c - a manager that hands out regions of its own heap, not
 * of the pages it maps. The report must say they are outside the user
 * land, never show a host address or a difference of two.
 */
#define MANAGER_NAME "hostile_heap"
#define PAGE_ADDRESS(m, p) ((uintptr_t)(p))
#include "manager.h"
