/*
 * check_forget_procs.c - what a streamed run forgets of its processes:
 * the check's last use of each process name, each name forgotten before
 * the first command after its last use and never before (nor while a
 * thread name that is its still lives), its entry then given to the next
 * process declared; the runner giving the kernel back each dead process
 * so that a churn of processes holds a few records, not one a process;
 * live processes, and every one when a reporter lists killed processes,
 * kept; the story forgetting a process given back; and a streamed run
 * that reuses process entries printing what a loaded one prints, on a
 * scenario made for it and on random ones.
 */
#include <config.h>

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "random.h"
#include "runner_fixture.h"
#include "scenario/parser.h"
#include "scenario/scenario_run.h"
#include "testutil.h"

/*
 * text written to a new temporary file (its name into name, unless NULL),
 * checked and opened keeping process (--process), the file then gone.
 */
static struct scenario *open_text(const char *text, const char *process,
				  struct diag *d, char *name)
{
	char path[] = "/tmp/tlssim-forget-procs-XXXXXX";
	int fd = mkstemp(path);
	struct scenario *opened = NULL;
	size_t len = strlen(text);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	ck_assert_msg(scenario_open_for(path, 0, NULL, process, d, &opened) == 0,
		      "%s", diag_text(d));
	unlink(path);
	if (name)
		strcpy(name, path);
	return opened;
}

/*
 * Line: what it does to the process names.
 *  1 P1 (entry 0)   2 spawn t1 in P1: t1 holds P1's entry
 *  3 kill P1 (its last use, but t1 is named at line 6)
 *  4 P2 (entry 1: P1's is still held)   5 kill P2 (its last use)
 *  6 t1's last use: P2 goes before its command
 *  7 P3 takes P2's entry; P1 goes, t1 gone   8 show P3 (its last use)
 *  9 P4 takes P1's entry; P3 goes before its command
 */
static const char text[] =
	"process P1 userland=64K\n"
	"spawn P1 t1\n"
	"kill P1\n"
	"process P2 userland=64K\n"
	"kill P2\n"
	"expect tls t1 0x0\n"
	"process P3 userland=64K\n"
	"show P3\n"
	"process P4 userland=64K\n";

struct seen {
	struct scn_stream *st;
	bool keep;			/* the forget answers: kept */
	char log[512];
	size_t len;
};

/* Each command naming a process: name@line:entry (in the view). */
static bool each(void *ctx, const struct scn_cmd *c)
{
	struct seen *s = ctx;

	if (c->process != SCN_NONE)
		s->len += (size_t)snprintf(s->log + s->len,
					   sizeof(s->log) - s->len,
					   "%s@%zu:%zu ",
					   s->st->view.processes[c->process].name,
					   c->line, c->process);
	return true;
}

/* Each process the stream would forget: -name:entry, still readable. */
static bool forget(void *ctx, size_t i)
{
	struct seen *s = ctx;

	s->len += (size_t)snprintf(s->log + s->len, sizeof(s->log) - s->len,
				   "-%s:%zu ", s->st->view.processes[i].name,
				   i);
	return !s->keep;
}

/* The stream lets the threads go as the run does (nothing to do here). */
static void forget_threads(void *ctx, const size_t *v, size_t n)
{
	(void)ctx;
	(void)v;
	(void)n;
}

/* Run text's stream, logging into s; the view's process entries after. */
static size_t stream_log(struct seen *s, struct diag *d)
{
	struct scenario *sc = open_text(text, NULL, d, NULL);
	struct scn_stream st;
	size_t entries;

	s->st = &st;
	/*
	 * Occurrences of process names: 0 1 2 (P1, the last), 3 4 (P2),
	 * 5 6 (P3), 7 (P4): the last ones are 2, 4, 6 and 7.
	 */
	ck_assert_uint_eq(sc->process_occurrences, 8);
	ck_assert_uint_eq(sc->process_last_bits[0], 0xd4);
	/* no process name is kept that no option asked for */
	ck_assert_uint_eq(sc->process_count, 0);
	scn_stream_begin(&st, sc, d);
	scn_stream_recycle(&st, forget_threads);
	scn_stream_recycle_processes(&st, forget);
	ck_assert_int_eq(scn_stream_run(&st, each, s), 0);
	entries = st.view.process_count;
	/* a name kept is still found, one forgotten is not */
	if (s->keep)
		ck_assert_uint_eq(name_find(&st.p.procs, "P1", 2), 0);
	else
		ck_assert_uint_eq(name_find(&st.p.procs, "P1", 2), SCN_NONE);
	ck_assert_uint_eq(name_find(&st.p.procs, "P4", 2), s->keep ? 3 : 0);
	scn_stream_end(&st);
	scenario_free(sc);
	return entries;
}

/*
 * The forget log of a process churn: a process the runner lets go (a
 * dead one) gives its entry to the next name; one it keeps (a live one)
 * keeps its name and entry.
 */
static const struct {
	bool keep;
	size_t entries;
	const char *log;
} forget_cases[] = {
	{ false, 2, "P1@1:0 P1@2:0 P1@3:0 P2@4:1 P2@5:1 -P2:1 "
		    "-P1:0 P3@7:1 P3@8:1 -P3:1 P4@9:0 " },
	{ true, 4, "P1@1:0 P1@2:0 P1@3:0 P2@4:1 P2@5:1 -P2:1 "
		   "-P1:0 P3@7:2 P3@8:2 -P3:2 P4@9:3 " },
};

START_TEST(stream_forgets_processes_after_their_last_use)
{
	struct diag *d = diag_new_memory();
	struct seen s = { .keep = forget_cases[_i].keep };

	ck_assert_uint_eq(stream_log(&s, d), forget_cases[_i].entries);
	ck_assert_str_eq(s.log, forget_cases[_i].log);
	diag_free(d);
}
END_TEST

/* --process: the opened scenario keeps that name only, if declared. */
START_TEST(open_keeps_the_process_asked_for)
{
	struct diag *d = diag_new_memory();
	struct scenario *sc = open_text(text, "P3", d, NULL);

	ck_assert_uint_eq(sc->process_count, 1);
	ck_assert_str_eq(sc->processes[0].name, "P3");
	ck_assert_uint_eq(sc->processes[0].line, 7);
	scenario_free(sc);
	sc = open_text(text, "P9", d, NULL);
	ck_assert_uint_eq(sc->process_count, 0);
	scenario_free(sc);
	diag_free(d);
}
END_TEST

/* ---- the runner: the kernel's process records over a churn ---- */

/* Cycles of the churn: a process, a thread in it, the process killed. */
#define CHURN 300

/*
 * A churn: A declared first and named at the end, L never named after
 * its declaration (live: kept), then CHURN processes each with a thread
 * and killed.
 */
static char *churn_text(void)
{
	size_t size = 128 + CHURN * 96, len;
	char *s = malloc(size);

	ck_assert_ptr_nonnull(s);
	len = (size_t)snprintf(s, size, "process A userland=64K\n"
			       "process L userland=64K\n");
	for (int i = 0; i < CHURN; i++)
		len += (size_t)snprintf(s + len, size - len,
					"process P%d userland=64K\n"
					"spawn P%d t%d\nkill P%d\n",
					i, i, i, i);
	snprintf(s + len, size - len, "expect used A 0\n");
	return s;
}

/* What the census reporter saw of a run. */
struct census {
	size_t steps;
	size_t most;			/* processes held after a step */
	size_t at_end;			/* ... at the summary */
	int status;
};

/* One more process (a kernel_for_each_process callback). */
static void count_one(void *arg, const struct process *p)
{
	(void)p;
	(*(size_t *)arg)++;
}

/* The process records the kernel holds (killed ones too). */
static size_t processes_held(const struct kernel *k)
{
	size_t n = 0;

	kernel_for_each_process(k, count_one, &n);
	return n;
}

/* Each step: the kernel's processes right after it, the most so far. */
static void census_step(void *ctx, const struct step_report *s)
{
	struct census *c = ctx;
	size_t n = processes_held(s->kernel);

	c->steps++;
	if (n > c->most)
		c->most = n;
}

/* The end: the processes the kernel still holds, and the status. */
static void census_summary(void *ctx, const struct run_summary *s)
{
	struct census *c = ctx;

	c->at_end = processes_held(s->kernel);
	c->status = s->status;
}

/* Run the churn streamed; all: the reporter lists killed processes. */
static struct census run_churn(bool all)
{
	struct diag *d = diag_new_memory();
	char *churn = churn_text();
	struct scenario *sc = open_text(churn, NULL, d, NULL);
	struct census c = { 0 };
	struct reporter rep = {
		.step = census_step, .summary = census_summary, .ctx = &c,
		.texts_on_failure = true, .all_processes = all,
	};
	struct run_options ro = {
		.arch = ARCH_MOCK, .out = stdout, .err = stderr,
		.narrate = true, .reporter = &rep,
	};

	scenario_run(sc, &ro);
	ck_assert_int_eq(c.status, RUN_OK);
	ck_assert_uint_eq(c.steps, 3 + 3 * CHURN);
	scenario_free(sc);
	free(churn);
	diag_free(d);
	return c;
}

/*
 * A reporter of news alone (news_only) is told the steps with something
 * to say (a value read, a failed expectation) and no other; one without
 * the flag is told every step.
 */
START_TEST(news_only_reporter_told_news_alone)
{
	static const char text[] = "process A userland=64K\nspawn A t\n"
		"write t ipc \"hi\"\nread t ipc\nexpect used A 0\n";

	for (int only = 0; only < 2; only++) {
		struct diag *d = diag_new_memory();
		struct scenario *sc = open_text(text, NULL, d, NULL);
		struct census c = { 0 };
		struct reporter rep = {
			.step = census_step, .summary = census_summary,
			.ctx = &c, .texts_on_failure = true, .news_only = only,
		};
		struct run_options ro = {
			.arch = ARCH_MOCK, .out = stdout, .err = stderr,
			.reporter = &rep,
		};

		scenario_run(sc, &ro);
		ck_assert_int_eq(c.status, RUN_FAILED);
		ck_assert_uint_eq(c.steps, only ? 2 : 5);
		scenario_free(sc);
		diag_free(d);
	}
}
END_TEST

START_TEST(run_releases_dead_processes)
{
	struct census c = run_churn(false);

	/* A, L, the process of the cycle, the last one's if not gone yet */
	ck_assert_uint_le(c.most, 4);
	/* A and L: every killed process went back */
	ck_assert_uint_eq(c.at_end, 2);
}
END_TEST

START_TEST(run_keeps_processes_for_a_reporter_of_them_all)
{
	struct census c = run_churn(true);

	ck_assert_uint_eq(c.most, 2 + CHURN);
	ck_assert_uint_eq(c.at_end, 2 + CHURN);
}
END_TEST

/*
 * The runner lets a dead process go (its record, the story's numbering of
 * its pages, its entry), never a live one, nor a dead one for a reporter
 * that lists them all.
 */
START_TEST(runner_forgets_dead_processes_only)
{
	start_with("process Q userland=64K\ntls-alloc Q\nkill Q\n"
		   "process R userland=64K\ntls-alloc R\n", true, NULL);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(step().verdict, STEP_HELD);
	/* the story numbered both processes' pages */
	ck_assert_uint_eq(r.narr.npages, 2);
	ck_assert_uint_eq(processes_held(r.k), 2);
	ck_assert(!runner_forget_process(&r, 1));
	ck_assert_ptr_nonnull(r.procs[1]);
	r.keep_processes = true;
	ck_assert(!runner_forget_process(&r, 0));
	ck_assert_ptr_nonnull(r.procs[0]);
	r.keep_processes = false;
	ck_assert(runner_forget_process(&r, 0));
	ck_assert_ptr_null(r.procs[0]);
	ck_assert_uint_eq(r.narr.npages, 1);
	ck_assert_ptr_eq(r.narr.pages[0].p, r.procs[1]);
	ck_assert_uint_eq(processes_held(r.k), 1);
	/* an entry that holds no process (never created, or let go) goes */
	ck_assert(runner_forget_process(&r, 0));
	stop();
}
END_TEST

/* ---- a streamed run that reuses entries prints as a loaded one ---- */

/*
 * Whether a and b are the same text; if not, says at which line they
 * part (the whole texts are too long for Check's message).
 */
static void same_text(const char *what, const char *a, const char *b)
{
	size_t line = 1, i = 0;

	while (a[i] && a[i] == b[i])
		line += a[i++] == '\n';
	ck_assert_msg(a[i] == b[i], "%s part at line %zu: '%.80s' / '%.80s'",
		      what, line, a + i, b + i);
}

/*
 * Region r of Q lives on in no process once Q is released, and R, which
 * takes Q's entry, has a slot where r was: no owner for it in R's
 * drawing. R's story numbers its pages past Q's 16 (a second TLS page
 * above a mapping), should R's record be where Q's was. Then t1's
 * expectation fails after P1's entry would have gone but for t1 holding
 * it: the message names P1.
 */
static const char reuse_text[] =
	"process A userland=64K\n"
	"process Q userland=64K\n"
	"tls-alloc Q as r\n"
	"kill Q\n"
	"show A\n"
	"process R userland=1M\n"
	"tls-alloc R\n"
	"show R\n"
	"map R 0x1000 0x20000\n"
	"tls-alloc R\ntls-alloc R\ntls-alloc R\ntls-alloc R\n"
	"tls-alloc R\ntls-alloc R\ntls-alloc R\ntls-alloc R\n"
	"show R\n"
	"process P1 userland=64K\n"
	"spawn P1 t1\n"
	"kill P1\n"
	"process P2 userland=64K\n"
	"kill P2\n"
	"expect tls t1 0x1000\n"
	"show A\n";

START_TEST(streamed_reuse_prints_as_loaded)
{
	struct diag *d = diag_new_memory();
	struct scenario *loaded, *opened;
	char path[64], *out[2], *err[2];
	int status[2];

	opened = open_text(reuse_text, NULL, d, path);
	ck_assert_int_eq(scenario_parse(path, reuse_text, strlen(reuse_text),
					d, &loaded), 0);
	run_both(loaded, opened, true, out, err, status);
	ck_assert_int_eq(status[0], RUN_FAILED);
	ck_assert_int_eq(status[1], RUN_FAILED);
	ck_assert_ptr_nonnull(strstr(err[0], "expected t1's TLS at P1+0x1000, got P1+0x0"));
	same_text("stderr", err[0], err[1]);
	ck_assert_ptr_nonnull(strstr(out[0], "process R"));
	same_text("stdout", out[0], out[1]);
	free_both(out, err);
	scenario_free(loaded);
	scenario_free(opened);
	diag_free(d);
}
END_TEST

/* ---- random scenarios: streamed as loaded ---- */

/* Commands of a random scenario, and the names it may declare. */
#define RANDOM_CMDS 250
#define RANDOM_NAMES 256

/* A random scenario's state as it is written: who lives, who is dead. */
struct gen {
	uint64_t rng;
	bool proc_live[RANDOM_NAMES], thr_live[RANDOM_NAMES];
	unsigned thr_proc[RANDOM_NAMES];
	unsigned procs, threads, regions;
	char *s;
	size_t len, size;
};

/* Append a formatted line to the scenario. */
static void put_line(struct gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void put_line(struct gen *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g->len += (size_t)vsnprintf(g->s + g->len, g->size - g->len, fmt, ap);
	va_end(ap);
	ck_assert_uint_lt(g->len, g->size);
}

/* A live process, or RANDOM_NAMES when none lives. */
static unsigned some_live(struct gen *g)
{
	unsigned start = g->procs ? (unsigned)(xorshift64s(&g->rng) % g->procs)
				  : 0;

	for (unsigned k = 0; k < g->procs; k++)
		if (g->proc_live[(start + k) % g->procs])
			return (start + k) % g->procs;
	return RANDOM_NAMES;
}

/*
 * One random command: processes declared, threads spawned in them,
 * processes killed (their threads with them), threads exited (again:
 * InvalidState), dead threads' TLS expected, shows, named and raw
 * regions, writes and reads; names of the dead used again.
 */
static void random_cmd(struct gen *g)
{
	unsigned r = (unsigned)(xorshift64s(&g->rng) % 100);
	unsigned p = some_live(g), t = g->threads ?
		(unsigned)(xorshift64s(&g->rng) % g->threads) : 0;

	if ((r < 15 || p == RANDOM_NAMES) && g->procs < RANDOM_NAMES) {
		put_line(g, "process P%u userland=64K\n", g->procs);
		g->proc_live[g->procs++] = true;
	} else if (p == RANDOM_NAMES) {
		put_line(g, "# no process left\n");
	} else if (r < 35 && g->threads < RANDOM_NAMES) {
		put_line(g, "spawn P%u t%u\n", p, g->threads);
		g->thr_proc[g->threads] = p;
		g->thr_live[g->threads++] = true;
	} else if (r < 45) {
		put_line(g, "kill P%u\n", p);
		g->proc_live[p] = false;
		for (unsigned i = 0; i < g->threads; i++)
			if (g->thr_proc[i] == p)
				g->thr_live[i] = false;
	} else if (r < 55 && g->threads) {
		put_line(g, "%sexit t%u\n", g->thr_live[t] ? "" :
			 "expect error InvalidState\n", t);
		g->thr_live[t] = false;
	} else if (r < 62 && g->threads) {
		put_line(g, "expect tls t%u 0x%x\n", t, r % 2 ? 0x200 : 0);
	} else if (r < 70) {
		put_line(g, "show P%u\n", (unsigned)(xorshift64s(&g->rng) %
						      g->procs));
	} else if (r < 78 && g->regions < RANDOM_NAMES) {
		if (r % 2)
			put_line(g, "tls-alloc P%u as r%u\n", p, g->regions++);
		else
			put_line(g, "tls-alloc P%u\n", p);
	} else if (r < 90 && g->threads && g->thr_live[t]) {
		put_line(g, "write t%u ipc \"x%u\"\nread t%u ipc\n", t, r, t);
	} else {
		put_line(g, "expect pages P%u %u\n",
			 (unsigned)(xorshift64s(&g->rng) % g->procs), r % 3);
	}
}

/*
 * Random scenarios that declare, kill and name again processes and
 * threads: a streamed run, which forgets and reuses process entries and
 * gives killed processes back, prints what a loaded one prints, the
 * story and the failures told.
 */
START_TEST(random_streamed_as_loaded)
{
	for (uint64_t seed = 1; seed <= 12; seed++) {
		struct gen g = { .rng = seed * 0x9e3779b97f4a7c15ull,
				 .size = 64 * RANDOM_CMDS };
		struct diag *d = diag_new_memory();
		struct scenario *loaded, *opened;
		char path[64], *out[2], *err[2];
		int status[2];

		g.s = malloc(g.size);
		ck_assert_ptr_nonnull(g.s);
		for (int i = 0; i < RANDOM_CMDS; i++)
			random_cmd(&g);
		opened = open_text(g.s, NULL, d, path);
		ck_assert_int_eq(scenario_parse(path, g.s, g.len, d, &loaded),
				 0);
		run_both(loaded, opened, true, out, err, status);
		ck_assert_int_eq(status[1], status[0]);
		same_text("stderr", err[0], err[1]);
		same_text("stdout", out[0], out[1]);
		free_both(out, err);
		scenario_free(loaded);
		scenario_free(opened);
		diag_free(d);
		free(g.s);
	}
}
END_TEST

static Suite *forget_procs_suite(void)
{
	Suite *s = suite_create("forget_procs");
	TCase *tc = tcase_create("forget_procs");

	tcase_add_loop_test(tc, stream_forgets_processes_after_their_last_use,
			    0, (int)(sizeof(forget_cases) /
				     sizeof(forget_cases[0])));
	tcase_add_test(tc, open_keeps_the_process_asked_for);
	tcase_add_test(tc, run_releases_dead_processes);
	tcase_add_test(tc, news_only_reporter_told_news_alone);
	tcase_add_test(tc, run_keeps_processes_for_a_reporter_of_them_all);
	tcase_add_test(tc, runner_forgets_dead_processes_only);
	tcase_add_test(tc, streamed_reuse_prints_as_loaded);
	tcase_add_test(tc, random_streamed_as_loaded);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(forget_procs_suite());
}
