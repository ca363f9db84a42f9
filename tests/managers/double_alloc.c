/*
 * double_alloc.c - a broken manager: it forgets to mark the last slot of
 * a page used, so it hands that region out again and again.
 */
#define MANAGER_NAME "double-alloc"
#define MARK_USED(used, s) \
	((uint8_t)((s) == 7 ? (used) : (used) | 1u << (s)))
#include "manager.h"
