/*
 * hostile_fork.c - a manager that forks at its first allocate: the
 * grandchild prints fake score lines and keeps the grader's pipes open
 * for a minute. No grandchild may be made: the grading must end in
 * seconds with one score line, and the manager, correct otherwise,
 * loses nothing.
 */
#include <stdio.h>
#include <unistd.h>

static int forked;

#define MANAGER_NAME "hostile_fork"
#define BEFORE_ALLOCATE(m) \
	do { \
		(void)(m); \
		if (!forked++ && fork() == 0) { \
			for (int i = 0; i < 5; i++) \
				printf("score: 115/115\n"); \
			fflush(stdout); \
			sleep(60); \
			_exit(0); \
		} \
	} while (0)
#include "manager.h"
