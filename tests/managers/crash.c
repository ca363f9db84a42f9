/*
 * crash.c - a broken manager: its 10th allocate writes through a NULL
 * pointer (SIGSEGV), as a manager with a stale pointer would.
 */
#include <stddef.h>

static int *volatile nowhere;
static unsigned allocates;

#define MANAGER_NAME "crash"
#define BEFORE_ALLOCATE(m) \
	do { \
		(void)(m); \
		if (++allocates == 10) \
			*nowhere = 1; \
	} while (0)
#include "manager.h"
