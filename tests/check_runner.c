/*
 * check_runner.c - the runner's step, command by command: the outcome of
 * each command, its verdict against what was expected, and what it
 * observed, as a reporter receives them.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "report/diag.h"
#include "scenario/runner.h"

static struct scenario *scn;
static struct runner r;
static struct step_buf buf;
static struct run_options opt;
static size_t next;

/* Parse text and bring up a runner on the mock backend. */
static void start(const char *text)
{
	struct diag *d = diag_new_memory();

	ck_assert_ptr_nonnull(d);
	ck_assert_msg(scenario_parse("t.tls", text, strlen(text), d, &scn) == 0,
		      "%s", diag_text(d));
	diag_free(d);
	opt = (struct run_options){ .arch = ARCH_MOCK, .out = stdout,
				    .err = stderr };
	ck_assert_int_eq(runner_init(&r, scn, &opt), 0);
	next = 0;
}

static void stop(void)
{
	runner_fini(&r);
	scenario_free(scn);
}

/* Step the next command; its report. */
static struct step_report step(void)
{
	struct step_report rep;

	ck_assert_uint_lt(next, scn->cmd_count);
	runner_step(&r, &scn->cmds[next++], &buf, &rep);
	return rep;
}

START_TEST(test_held_and_observed)
{
	struct step_report s;

	start("process A userland=64K\nspawn A t\nwrite t ipc \"hi\"\n"
	      "read t ipc\nshow A\n");
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(step().verdict, STEP_HELD);
	s = step();
	ck_assert_int_eq(s.verdict, STEP_HELD);
	ck_assert_str_eq(s.observed, "t ipc = \"hi\"");
	ck_assert_str_eq(s.outcome, "success");
	s = step();
	ck_assert_ptr_eq(s.show, r.procs[0]);
	ck_assert_ptr_null(s.message);
	ck_assert_int_eq(r.status, RUN_OK);
	stop();
}
END_TEST

START_TEST(test_failed_expectation)
{
	struct step_report s;

	start("process A userland=64K\nspawn A t\nexpect tls t 0x200\n");
	step();
	step();
	s = step();
	ck_assert_int_eq(s.verdict, STEP_FAILED);
	ck_assert_str_eq(s.check_failure,
			 "expectation failed: expected t's TLS at A+0x200, got A+0x0");
	ck_assert_int_eq(r.status, RUN_FAILED);
	ck_assert_uint_eq(r.failures, 1);
	stop();
}
END_TEST

START_TEST(test_panics)
{
	struct step_report s;

	start("process A userland=64K\nexpect panic \"not in TLSManager\"\n"
	      "tls-free A 0x0\ntls-free A 0x0\n");
	step();
	s = step();
	ck_assert_int_eq(s.verdict, STEP_HELD);
	ck_assert_str_eq(s.outcome,
			 "kernel panic \"Freed TLS A+0x0 is not in TLSManager.\"");
	s = step();
	ck_assert_int_eq(s.verdict, STEP_PANIC);
	ck_assert_str_eq(s.message,
			 "kernel panic: Freed TLS A+0x0 is not in TLSManager.");
	ck_assert(r.stop);
	ck_assert_int_eq(r.status, RUN_PANIC);
	stop();
}
END_TEST

START_TEST(test_errors)
{
	struct step_report s;

	start("process A userland=64K\nexpect error InvalidSize\nmap A 0x0 0\n"
	      "unmap A 0x0 0x1000\n");
	step();
	ck_assert_int_eq(step().verdict, STEP_HELD);
	s = step();
	ck_assert_int_eq(s.verdict, STEP_FAILED);
	ck_assert_str_eq(s.message,
			 "command failed: 'unmap A 0x0 0x1000': KernelError InvalidAddress");
	stop();
}
END_TEST

START_TEST(test_faults)
{
	struct step_report s;

	start("process A userland=64K\nprocess B userland=64K\nspawn A t\n"
	      "expect fault\npeek t B 0x0\nwrite t ipc \"x\"\n");
	step();
	step();
	step();
	s = step();
	ck_assert_int_eq(s.verdict, STEP_HELD);
	ck_assert_str_eq(s.outcome,
			 "fault (t: page fault at B+0x0: another process's user land)");
	s = step();
	ck_assert_int_eq(s.verdict, STEP_FAILED);
	ck_assert_str_eq(s.message,
			 "command failed: 'write t ipc \"x\"': KernelError InvalidState (t faulted at line 5)");
	stop();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("runner");
	TCase *tc = tcase_create("step");

	tcase_add_test(tc, test_held_and_observed);
	tcase_add_test(tc, test_failed_expectation);
	tcase_add_test(tc, test_panics);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_faults);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
