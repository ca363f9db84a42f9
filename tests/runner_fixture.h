/*
 * runner_fixture.h - a scenario parsed from text and a runner brought up
 * on it, stepped a command at a time (check_runner, check_narrate). One
 * runner per test program: include it once.
 */
#ifndef TLSSIM_TESTS_RUNNER_FIXTURE_H
#define TLSSIM_TESTS_RUNNER_FIXTURE_H

#include <stdbool.h>
#include <string.h>

#include "testutil.h"
#include "report/diag.h"
#include "scenario/runner.h"
#include "scenario/scenario_run.h"

static struct scenario *scn;
static struct runner r;
static struct step_buf buf;
static struct run_options opt;
static size_t next;

/*
 * Parse text and bring up a runner on the mock backend, telling the story
 * when narrate, with policy for processes that name none (NULL: sunrise).
 */
static inline void start_with(const char *text, bool narrate,
			      const struct tls_manager_ops *policy)
{
	struct diag *d = diag_new_memory();

	ck_assert_ptr_nonnull(d);
	ck_assert_msg(scenario_parse("t.tls", text, strlen(text), d, &scn) == 0,
		      "%s", diag_text(d));
	diag_free(d);
	opt = (struct run_options){ .arch = ARCH_MOCK, .out = stdout,
				    .err = stderr, .narrate = narrate,
				    .policy = policy };
	ck_assert_int_eq(runner_init(&r, scn, &opt), 0);
	next = 0;
}

static inline void stop(void)
{
	runner_fini(&r);
	scenario_free(scn);
}

/* Step the next command; its report. */
static inline struct step_report step(void)
{
	struct step_report rep;

	ck_assert_uint_lt(next, scn->cmd_count);
	runner_step(&r, &scn->cmds[next++], &buf, &rep);
	return rep;
}

/*
 * Run scn whole, as `tlssim run` does (telling the story when narrate),
 * its stdout and stderr into memory: the status, and what each got
 * (malloc'd) in *out and *err.
 */
static inline int run_captured(const struct scenario *s, bool narrate,
			       char **out, char **err)
{
	size_t olen, elen;
	FILE *o = open_memstream(out, &olen);
	FILE *e = open_memstream(err, &elen);
	struct run_options ro = { .arch = ARCH_MOCK, .out = o, .err = e,
				  .narrate = narrate };
	int status;

	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_nonnull(e);
	status = scenario_run(s, &ro);
	fclose(o);
	fclose(e);
	return status;
}

/*
 * Run a loaded scenario and the same one opened (streamed), alike: their
 * outputs in out[0], err[0] (loaded) and out[1], err[1] (opened), their
 * statuses in status[]. Free them with free_both.
 */
static inline void run_both(const struct scenario *loaded,
			    const struct scenario *opened, bool narrate,
			    char *out[2], char *err[2], int status[2])
{
	status[0] = run_captured(loaded, narrate, &out[0], &err[0]);
	status[1] = run_captured(opened, narrate, &out[1], &err[1]);
}

static inline void free_both(char *out[2], char *err[2])
{
	for (int i = 0; i < 2; i++) {
		free(out[i]);
		free(err[i]);
	}
}

#endif
