/*
 * hostile_kill.c - a manager that tries to kill whoever runs it, when it
 * is loaded and at every allocate (its parent, and its parent's process
 * group), then goes on correctly. The grader must survive, report every
 * test and give the marks the answers earn: all of them.
 */
#include <signal.h>
#include <unistd.h>

#define KILL_PARENT() \
	do { \
		(void)kill(getppid(), SIGKILL); \
		(void)kill(-getpgid(getppid()), SIGKILL); \
	} while (0)
#define MANAGER_NAME "hostile_kill"
#define ON_LOAD() KILL_PARENT()
#define BEFORE_ALLOCATE(m) \
	do { \
		(void)(m); \
		KILL_PARENT(); \
	} while (0)
#include "manager.h"
