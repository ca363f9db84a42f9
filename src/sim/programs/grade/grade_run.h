/*
 * grade_run.h - private to `tlssim grade`: one test of the conformance
 * suite (programs/conform/conform.h) run in a forked child.
 */
#ifndef TLSSIM_GRADE_RUN_H
#define TLSSIM_GRADE_RUN_H

#include "programs/conform/conform.h"

/* One test to run: a conformance test with its parameters. */
struct grade_item {
	char name[48];
	unsigned points;
	conform_fn run;
	uint64_t seed;
	const struct scenario *scn;
};

/* A test's verdict: rc 0 passed, -1 failed; the reason or a note. */
struct grade_result {
	int rc;
	char reason[CONFORM_REASON_MAX];
};

/*
 * Run test t in a child process with g, under a timeout in seconds.
 * Returns 0 with *res filled (a crash, a timeout or an exit is a failure
 * that says so), or -1 when the host refused a pipe or a process (errno
 * set).
 */
int grade_run_forked(const struct grade_item *t, struct conform_ctx *g,
		     unsigned timeout, struct grade_result *res);

#endif
