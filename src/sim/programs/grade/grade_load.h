/*
 * grade_load.h - the manager `tlssim grade` grades: a built-in policy
 * named builtin:NAME, or a student's shared object, which the grader
 * itself never loads. A child loads it under the sandbox and reports its
 * table; each test child loads it again for itself.
 */
#ifndef TLSSIM_GRADE_LOAD_H
#define TLSSIM_GRADE_LOAD_H

#include <stdbool.h>

#include "tls_manager.h"
#include "grade_wire.h"

/* The CPU seconds one call of the manager may take. */
#define GRADE_CALL_BUDGET 2u

/* The resident memory a child running the manager may hold. */
#define GRADE_MEMORY_LIMIT ((size_t)256 << 20)

/* What the grader knows of the manager, all of it escaped and cut. */
struct grade_manager {
	const char *spec;		/* as given: PATH or builtin:NAME */
	bool builtin;
	bool sandboxed;			/* its tests run under seccomp */
	char name[96];
	char summary[200];
	char loading_output[160];	/* what it printed while loading */
};

/*
 * Learn about the manager spec names, in a child for a shared object
 * (timeout seconds at most). Returns 0 with *m filled, or an exit status
 * after saying why on stderr: 2 when the file, the symbol or the built-in
 * is missing, the table is wrong, or loading it crashed, panicked or
 * exited; 4 when the host cannot run it confined (no seccomp, no
 * process) or this build cannot load shared objects (a static link).
 */
int grade_probe(const char *spec, unsigned timeout, struct grade_manager *m);

/*
 * In a child, under the sandbox: load the manager of m, enter the
 * sandbox's running stage and return its table. A failure is sent on the
 * channel (WIRE_LOAD_ERROR, WIRE_PANIC, WIRE_NO_SANDBOX) and ends the
 * child.
 */
const struct tls_manager_ops *grade_open(const struct grade_manager *m);

/*
 * For --no-fork (a debugger): load the manager into this process,
 * unconfined. Returns its table, or NULL after saying why on stderr.
 */
const struct tls_manager_ops *grade_open_here(const struct grade_manager *m);

/*
 * In a new child: its own process group, stdout and stderr to out_fd,
 * then the sandbox's loading stage with writes to channel and reads of
 * input (-1: none). Returns 0, or the seccomp install's -errno (for a
 * shared object the child has then sent WIRE_NO_SANDBOX and ended).
 */
int grade_child_enter(const struct grade_manager *m, int out_fd, int channel,
		      int input, unsigned cpu_seconds);

#endif
