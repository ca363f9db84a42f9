/*
 * hostile_print.c - a manager that prints a fake report when it is loaded
 * and at its first allocate of each test, escape codes, newlines and
 * all. The report must hold one score line, the grader's, and none of
 * the manager's bytes raw.
 */
#include <stdio.h>

#define FAKE "\033[2J\ntlssim grade: good\nscore: 100/100\n"
static int printed;

#define MANAGER_NAME "hostile_print\033[31m\nscore: 999/999"
#define ON_LOAD() (void)printf("%s", FAKE)
#define BEFORE_ALLOCATE(m) \
	do { \
		(void)(m); \
		if (!printed++) { \
			fputs(FAKE, stdout); \
			fflush(stdout); \
		} \
	} while (0)
#define BAD_FREE_PANIC "Freed TLS 0x%lx \033[31mis not\nscore: 100/100"
#include "manager.h"
