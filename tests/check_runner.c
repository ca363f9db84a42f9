/*
 * check_runner.c - the runner's step, command by command: the outcome of
 * each command, its verdict against what was expected, and what it
 * observed, as a reporter receives them; and a streamed run (the file
 * read again, a command at a time) against a loaded one.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner_fixture.h"
#include "scenario/session.h"

/* Parse text and bring up a runner on the mock backend. */
static void start(const char *text)
{
	start_with(text, false, NULL);
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

/* ---- a streamed run (scenario_open) against a loaded one ---- */

/* A scenario with output, a failure, a dead thread and an expect prefix. */
static const char stream_text[] =
	"process A userland=64K\nspawn A t\nspawn A u\n"
	"write t ipc \"hi\"\nread t ipc\nexpect tls u 0x0\n"
	"tls-alloc A as r\nshow A\nexit t\n"
	"expect error InvalidState\nexit t\nwrite t ipc \"x\"\n";

/* Write text to a new temporary file; its path, in path. */
static void write_file(char *path, size_t size, const char *text)
{
	FILE *f;

	snprintf(path, size, "%s/check_runner.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_int_ge(mkstemp(path), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_streamed_as_loaded)
{
	struct diag *d = diag_new_memory();
	struct scenario *loaded, *opened;
	char path[256], *out[2], *err[2];
	int status[2];

	ck_assert_ptr_nonnull(d);
	write_file(path, sizeof(path), stream_text);
	ck_assert_int_eq(scenario_parse(path, stream_text, strlen(stream_text),
					d, &loaded), 0);
	ck_assert_int_eq(scenario_open(path, 0, NULL, d, &opened), 0);
	/* the check keeps no command, only their count */
	ck_assert_ptr_null(opened->cmds);
	ck_assert_uint_eq(opened->cmd_count, loaded->cmd_count);
	run_both(loaded, opened, false, out, err, status);
	ck_assert_int_eq(status[0], RUN_FAILED);
	ck_assert_int_eq(status[1], RUN_FAILED);
	ck_assert_str_eq(out[1], out[0]);
	ck_assert_str_eq(err[1], err[0]);
	ck_assert_ptr_nonnull(strstr(out[0], "t ipc = \"hi\""));
	ck_assert_ptr_nonnull(strstr(err[0], "t exited at line 9"));
	free_both(out, err);
	scenario_free(loaded);
	scenario_free(opened);
	unlink(path);
	diag_free(d);
}
END_TEST

START_TEST(test_streamed_file_changed)
{
	struct diag *d = diag_new_memory();
	struct scenario *opened;
	char path[256], *out, *err;
	FILE *f;

	ck_assert_ptr_nonnull(d);
	write_file(path, sizeof(path), stream_text);
	ck_assert_int_eq(scenario_open(path, 0, NULL, d, &opened), 0);
	/* the check saw a good file; the run sees a bad second line */
	f = fopen(path, "r+");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 23, SEEK_SET), 0);
	ck_assert_int_eq(fputs("spwan", f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(run_captured(opened, false, &out, &err), RUN_MALFORMED);
	ck_assert_msg(strstr(err, ":2:1: error: unknown command 'spwan'") != NULL,
		      "%s", err);
	ck_assert_msg(strstr(out, "the scenario changed") != NULL, "%s", out);
	free(out);
	free(err);
	scenario_free(opened);
	unlink(path);
	diag_free(d);
}
END_TEST

/*
 * stream_text with comment lines of 100 KiB and more between its lines
 * (longer than a block of the line reader, which grows with lines read
 * ahead in it), its last line without a newline, then bad_last if not
 * NULL. malloc'd.
 */
static char *with_long_lines(const char *bad_last)
{
	size_t n = strlen(stream_text), cap = n + 16 * 300000 + 64, len = 0;
	char *text = malloc(cap);
	size_t line = 0;

	ck_assert_ptr_nonnull(text);
	for (size_t i = 0; i < n; i++) {
		text[len++] = stream_text[i];
		if (stream_text[i] != '\n' || line++ % 4 != 1)
			continue;
		text[len++] = '#';
		for (size_t k = 0; k < 100000 + 50000 * (line % 4); k++)
			text[len++] = 'x';
		text[len++] = '\n';
	}
	len--;	/* no newline at the end */
	snprintf(text + len, cap - len, "%s", bad_last ? bad_last : "");
	return text;
}

START_TEST(test_streamed_long_lines)
{
	struct diag *d = diag_new_memory();
	struct scenario *loaded, *opened;
	char path[256], *out[2], *err[2], *text = with_long_lines(NULL);
	int status[2];

	ck_assert_ptr_nonnull(d);
	write_file(path, sizeof(path), text);
	ck_assert_int_eq(scenario_parse(path, text, strlen(text), d, &loaded),
			 0);
	ck_assert_int_eq(scenario_open(path, 0, NULL, d, &opened), 0);
	ck_assert_uint_eq(opened->cmd_count, loaded->cmd_count);
	run_both(loaded, opened, false, out, err, status);
	ck_assert_int_eq(status[1], status[0]);
	ck_assert_str_eq(out[1], out[0]);
	ck_assert_str_eq(err[1], err[0]);
	ck_assert_ptr_nonnull(strstr(err[0], "t exited at line"));
	free_both(out, err);
	scenario_free(loaded);
	scenario_free(opened);
	unlink(path);
	free(text);
	/* a bad last line, with no newline, after the long ones */
	text = with_long_lines("\nexit nobody");
	write_file(path, sizeof(path), text);
	ck_assert_int_eq(scenario_open(path, 0, NULL, d, &opened), -EINVAL);
	ck_assert_msg(strstr(diag_text(d), ":16:6: error: unknown thread "
			     "'nobody'") != NULL, "%s", diag_text(d));
	unlink(path);
	free(text);
	diag_free(d);
}
END_TEST

/* Whether the bytes at addr (a place of k's process p) are text. */
static bool memory_holds(struct process *p, uintptr_t addr, const char *text)
{
	char got[64];
	size_t len = strlen(text);

	ck_assert_uint_lt(len, sizeof(got));
	ck_assert_int_eq(process_debug_read(r.k, p, process_offset(p, addr),
					    got, len), KERR_OK);
	return memcmp(got, text, len) == 0;
}

/*
 * A write into an IPC buffer says where it landed (what the flip-book
 * reads back from the memory): the writer's region at the field's
 * offset; through a stale register, the region the register points at.
 * Other commands say nothing.
 */
START_TEST(test_ipc_write_place)
{
	struct step_report s;
	const struct thread *t1, *t2;

	start("process A userland=64K\nspawn A t1\nspawn A t2\n"
	      "write t2 ipc+4 0x4142\nread t2 ipc\nwrite t2 self 0x10\n");
	for (int i = 0; i < 3; i++)
		ck_assert_ptr_null(step().ipc_write);
	t2 = r.th[1].t;
	s = step();
	ck_assert_ptr_nonnull(s.ipc_write);
	ck_assert_str_eq(s.ipc_write->thread, "t2");
	ck_assert_str_eq(s.ipc_write->field, "ipc+0x4");
	ck_assert(s.ipc_write->region == thread_tls(t2));
	ck_assert(s.ipc_write->addr == thread_tls(t2) + TLS_OFF_IPC + 4);
	ck_assert_uint_eq(s.ipc_write->len, 2);
	ck_assert(memory_holds(r.procs[0], s.ipc_write->addr, "AB"));
	ck_assert_ptr_null(step().ipc_write);	/* read */
	ck_assert_ptr_null(step().ipc_write);	/* a pointer field */
	stop();

	/* the register kept across switches: t2 writes into t1's region */
	start("process A userland=64K\nspawn A t1\nspawn A t2\n"
	      "switch t1\nswitch t2\nwrite t2 ipc \"stale\"\n");
	runner_fini(&r);
	opt.no_tls_restore = true;
	ck_assert_int_eq(runner_init(&r, scn, &opt), 0);
	for (int i = 0; i < 5; i++)
		ck_assert_ptr_null(step().ipc_write);
	t1 = r.th[0].t;
	s = step();
	ck_assert_int_eq(s.verdict, STEP_HELD);
	ck_assert_ptr_nonnull(s.ipc_write);
	ck_assert_str_eq(s.ipc_write->thread, "t2");
	ck_assert(s.ipc_write->region == thread_tls(t1));
	ck_assert(s.ipc_write->addr == thread_tls(t1) + TLS_OFF_IPC);
	ck_assert_uint_eq(s.ipc_write->len, 5);
	ck_assert(memory_holds(r.procs[0], s.ipc_write->addr, "stale"));
	stop();
}
END_TEST

/*
 * A held step carries its command and outcome texts only when a reporter
 * reads them (held_texts); a failing step carries them always, in its
 * message too.
 */
START_TEST(test_held_texts)
{
	struct step_report s;

	start("process A userland=64K\nspawn A t\nexit t\n"
	      "exit t # again\nspawn A u\nexpect tls u 0x200\n");
	s = step();
	ck_assert_str_eq(s.command, "process A userland=64K");
	ck_assert_str_eq(s.outcome, "success");
	r.held_texts = false;
	for (int i = 0; i < 2; i++) {
		s = step();
		ck_assert_int_eq(s.verdict, STEP_HELD);
		ck_assert_ptr_null(s.command);
		ck_assert_ptr_null(s.outcome);
	}
	s = step();		/* the command fails */
	ck_assert_int_eq(s.verdict, STEP_FAILED);
	ck_assert_str_eq(s.command, "exit t");
	ck_assert_str_eq(s.outcome,
			 "KernelError InvalidState (t exited at line 3)");
	ck_assert_str_eq(s.message, "command failed: 'exit t': KernelError "
			 "InvalidState (t exited at line 3)");
	ck_assert_ptr_null(step().command);	/* held again */
	s = step();		/* what it checked fails */
	ck_assert_int_eq(s.verdict, STEP_FAILED);
	ck_assert_str_eq(s.command, "expect tls u 0x200");
	ck_assert_str_eq(s.outcome, "success");
	ck_assert_ptr_nonnull(s.check_failure);
	stop();
}
END_TEST

/*
 * The register is read back from the hardware (a host call without
 * fsgsbase) only for a switch a trace or a story shows; otherwise the
 * CPU's copy serves, writes included. Either way the write lands in the
 * writer's region.
 */
START_TEST(test_register_read_back_only_when_shown)
{
	static const char text[] =
		"process A userland=64K\nprocess B userland=64K\n"
		"spawn A t\nspawn B u\nwrite t ipc \"a\"\n"
		"write u ipc \"b\"\nwrite t ipc \"c\"\nread t ipc\n";
	char *trace_text = NULL;
	size_t trace_len;

	for (int shown = 0; shown < 3; shown++) {
		FILE *trace = open_memstream(&trace_text, &trace_len);
		struct step_report s;
		uint64_t switches, want;

		ck_assert_ptr_nonnull(trace);
		start_with(text, shown == 1, NULL);
		if (shown == 2) {
			runner_fini(&r);
			opt.trace = true;
			opt.trace_to = trace;
			ck_assert_int_eq(runner_init(&r, scn, &opt), 0);
		}
		for (int i = 0; i < 7; i++) {
			s = step();
			ck_assert_int_eq(s.verdict, STEP_HELD);
		}
		/* the last, t's second write */
		ck_assert(s.ipc_write->region == thread_tls(r.th[0].t));
		s = step();
		ck_assert_str_eq(s.observed, "t ipc = \"c\"");
		switches = kernel_switches(r.k);
		ck_assert_uint_eq(switches, 3);
		want = shown ? switches : 0;
		ck_assert_uint_eq(kernel_register_readbacks(r.k), want);
		stop();
		fclose(trace);
		if (shown == 2)
			ck_assert_ptr_nonnull(strstr(trace_text,
						     "switch -> t (A) reg=A+0x0"));
		free(trace_text);
	}
}
END_TEST

/*
 * tlssim step turns the trace on and off between steps: the register is
 * read back from then on, and no more once it is off again.
 */
START_TEST(test_step_trace_reads_back)
{
	static const char text[] =
		"process A userland=64K\nspawn A t\nspawn A u\n"
		"switch t\nswitch u\nswitch t\nswitch u\n";
	char *trace_text = NULL;
	size_t trace_len, i = 0;
	FILE *trace = open_memstream(&trace_text, &trace_len);
	struct diag *d = diag_new_memory();
	struct run_options ro = { .arch = ARCH_MOCK, .out = stdout,
				  .err = stderr, .trace_to = trace };
	struct scenario *sc;
	struct scn_session *ss;
	struct step_report rep;
	struct kernel *kk;

	ck_assert_ptr_nonnull(trace);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(scenario_parse("t.tls", text, strlen(text), d, &sc), 0);
	ck_assert_int_eq(scn_session_start(sc, &ro, &ss), 0);
	kk = scn_session_kernel(ss);
	for (; i < 4; i++)		/* up to the first switch, silent */
		scn_session_step(ss, &sc->cmds[i], &rep);
	ck_assert_uint_eq(kernel_switches(kk), 1);
	ck_assert_uint_eq(kernel_register_readbacks(kk), 0);
	scn_session_trace(ss, true);
	for (; i < 6; i++)		/* two switches, traced */
		scn_session_step(ss, &sc->cmds[i], &rep);
	ck_assert_uint_eq(kernel_switches(kk), 3);
	ck_assert_uint_eq(kernel_register_readbacks(kk), 2);
	scn_session_trace(ss, false);
	scn_session_step(ss, &sc->cmds[i], &rep);
	ck_assert_uint_eq(kernel_switches(kk), 4);
	ck_assert_uint_eq(kernel_register_readbacks(kk), 2);
	scn_session_end(ss);
	fclose(trace);
	ck_assert_ptr_nonnull(strstr(trace_text, "switch -> t (A) reg=A+0x0"));
	free(trace_text);
	scenario_free(sc);
	diag_free(d);
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
	tcase_add_test(tc, test_streamed_as_loaded);
	tcase_add_test(tc, test_streamed_file_changed);
	tcase_add_test(tc, test_streamed_long_lines);
	tcase_add_test(tc, test_ipc_write_place);
	tcase_add_test(tc, test_held_texts);
	tcase_add_test(tc, test_register_read_back_only_when_shown);
	tcase_add_test(tc, test_step_trace_reads_back);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
