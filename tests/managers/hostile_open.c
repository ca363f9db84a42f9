/*
 * hostile_open.c - a manager that, once loaded, tries to read a file of
 * the host at its first allocate, and to read the grader's standard
 * input, printing what it got. Both must fail (EPERM); the manager,
 * correct otherwise, loses nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int tried;

#define PEEK_AT_HOST() \
	do { \
		char c; \
		int fd = open("/etc/passwd", O_RDONLY); \
		printf("open: %s\n", fd < 0 ? strerror(errno) : "opened"); \
		printf("read: %s\n", read(0, &c, 1) < 0 ? strerror(errno) : \
		       "read"); \
		fflush(stdout); \
	} while (0)
#define MANAGER_NAME "hostile_open"
#define BEFORE_ALLOCATE(m) \
	do { \
		(void)(m); \
		if (!tried++) \
			PEEK_AT_HOST(); \
	} while (0)
#include "manager.h"
