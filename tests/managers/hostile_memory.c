/*
 * hostile_memory.c - a manager whose allocate takes memory and never
 * stops (a megabyte at a time, each written to). The grader must stop
 * it at its memory limit and name the call.
 */
#include <string.h>

#define MANAGER_NAME "hostile_memory"
#define BEFORE_ALLOCATE(m) \
	do { \
		(void)(m); \
		for (;;) { \
			char *grab = malloc(1 << 20); \
			if (grab) \
				memset(grab, 1, 1 << 20); \
			__asm__ volatile("" : : "r"(grab) : "memory"); \
		} \
	} while (0)
#include "manager.h"
