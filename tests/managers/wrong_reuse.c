/*
 * wrong_reuse.c - a broken manager: it hands out the highest free slot of
 * a page instead of the lowest. Its regions are fine, its addresses are
 * not the seed's: the order tests, the differential and the scenarios
 * catch it.
 */
#define MANAGER_NAME "wrong-reuse"
#define PICK_SLOT(used) (31u - (unsigned)__builtin_clz(~(unsigned)(used) & 0xffu))
#include "manager.h"
