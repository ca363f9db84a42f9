/*
 * grade_run.h - private to `tlssim grade`: one test of the conformance
 * suite (programs/conform/conform.h), run so that the student's code can
 * neither cheat nor hurt the grader.
 */
#ifndef TLSSIM_GRADE_RUN_H
#define TLSSIM_GRADE_RUN_H

#include "grade_load.h"
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
 * Run test t of manager m, with g, under a timeout in seconds. A verifier
 * process, forked from the grader, runs the test on the answers of a
 * test child that runs the manager (grade_proxy.h); the verdict is the
 * verifier's. Returns 0 with *res filled (a crash, a timeout, an exit or
 * a forged answer is a failure that says so, naming the call), or -1
 * when the host refused a pipe or a process (errno set).
 */
int grade_run_forked(const struct grade_item *t, struct conform_ctx *g,
		     const struct grade_manager *m, unsigned timeout,
		     struct grade_result *res);

/*
 * Run test t with g (g->ops set) in this process, under a panic catch
 * only: for --no-fork, where a debugger follows the manager. Fills *res.
 */
void grade_run_here(const struct grade_item *t, struct conform_ctx *g,
		    struct grade_result *res);

#endif
