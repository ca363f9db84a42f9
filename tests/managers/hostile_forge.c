/*
 * hostile_forge.c - a cheat: its first allocate writes a zeroed verdict
 * ("passed", in the old grader's format) into every file descriptor it
 * may reach, then ends its process. It hands out no region: the grader
 * must fail every test that allocates.
 */
#include <unistd.h>

static char forged[4 + 1024];

#define MANAGER_NAME "hostile_forge"
#define BEFORE_ALLOCATE(m) \
	do { \
		(void)(m); \
		for (int fd = 3; fd < 64; fd++) \
			(void)!write(fd, forged, sizeof(forged)); \
		_exit(0); \
	} while (0)
#include "manager.h"
