/*
 * check_forget.c - what a streamed run forgets: the runner's tid map
 * against a plain array over a long random churn (wrapping around its
 * slots, deletions moving entries back), and the stream's names: the
 * check's last line of each thread, each name forgotten before the first
 * command after its last use and never before, its entry then given to
 * the next thread declared, and the view's names right at every command,
 * also while a name is borrowed from the kernel's record of its thread
 * and after it got bytes of its own again.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "random.h"
#include "scenario/parser.h"
#include "scenario/tidmap.h"
#include "testutil.h"

/* tids 1..TIDS, each mapped or not, against the map. */
#define TIDS 5000

START_TEST(tidmap_matches_an_array)
{
	static size_t ref[TIDS + 1];
	struct tidmap m = { 0 };
	uint64_t rng = 42;
	size_t live = 0;

	for (size_t i = 0; i <= TIDS; i++)
		ref[i] = (size_t)-1;
	for (int op = 0; op < 400000; op++) {
		unsigned tid = 1 + (unsigned)(xorshift64s(&rng) % TIDS);
		size_t val = xorshift64s(&rng) % 1000;

		if (xorshift64s(&rng) % 3) {
			require(tidmap_put(&m, tid, val));
			live += ref[tid] == (size_t)-1;
			ref[tid] = val;
		} else {
			/* a wrong value leaves the entry alone */
			tidmap_del(&m, tid, ref[tid] + 1);
			tidmap_del(&m, tid, ref[tid]);
			live -= ref[tid] != (size_t)-1;
			ref[tid] = (size_t)-1;
		}
		require(m.n == live);
		require(tidmap_get(&m, tid) == ref[tid]);
		if (op % 50000 == 0)
			for (unsigned t = 1; t <= TIDS; t++)
				require(tidmap_get(&m, t) == ref[t]);
	}
	for (unsigned t = 1; t <= TIDS; t++)
		require(tidmap_get(&m, t) == ref[t]);
	require(2 * m.n <= m.cap);
	tidmap_free(&m);
	ck_assert_ptr_null(m.v);
}
END_TEST

/*
 * Line: what it does to the names.
 *  1 process     2 spawn t1 (last use: line 4)   3 spawn t2 (line 8)
 *  4 exit t1     5 spawn t3 (declared, never named again)
 *  6 spawn t4 (line 7)   7 exit t4   8 expect tls t2   9 (comment)
 * 10 spawn t5 (line 10)
 */
static const char text[] =
	"process A userland=64K\n"
	"spawn A t1\n"
	"spawn A t2\n"
	"exit t1\n"
	"spawn A t3\n"
	"spawn A t4\n"
	"exit t4\n"
	"expect tls t2 0x200\n"
	"# nothing\n"
	"spawn A t5\n";

struct seen {
	struct scn_stream *st;
	char log[512];
	size_t len;
};

/* Append name@line:entry (line 0: -name:entry, a forgetting) to s. */
static void say(struct seen *s, const char *name, size_t line, size_t entry)
{
	size_t room = sizeof(s->log) - s->len;

	if (line)
		s->len += (size_t)snprintf(s->log + s->len, room, "%s@%zu:%zu ",
					   name, line, entry);
	else
		s->len += (size_t)snprintf(s->log + s->len, room, "-%s:%zu ",
					   name, entry);
}

/* Each command: its line, its thread's entry and name (in the view). */
static bool each(void *ctx, const struct scn_cmd *c)
{
	struct seen *s = ctx;

	if (c->thread != SCN_NONE)
		say(s, s->st->view.threads[c->thread].name, c->line, c->thread);
	return true;
}

/* Each forgetting: the entries and their names, still readable. */
static void forget(void *ctx, const size_t *v, size_t n)
{
	struct seen *s = ctx;

	for (size_t i = 0; i < n; i++)
		say(s, s->st->view.threads[v[i]].name, 0, v[i]);
}

/* text, checked and opened from a file of its own (gone once opened). */
static struct scenario *open_text(struct diag *d)
{
	char path[] = "/tmp/tlssim-forget-XXXXXX";
	int fd = mkstemp(path);
	struct scenario *scn = NULL;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1),
			 (int)sizeof(text) - 1);
	close(fd);
	ck_assert_int_eq(scenario_open(path, 0, NULL, d, &scn), 0);
	unlink(path);
	return scn;
}

/* What the stream forgets of text, and when (see below). */
#define FORGET_LOG "t1@2:0 t2@3:1 t1@4:0 -t1:0 t3@5:2 -t3:2 " \
		   "t4@6:0 t4@7:0 -t4:0 t2@8:1 -t2:1 t5@10:0 "

START_TEST(stream_forgets_after_the_last_use)
{
	struct diag *d = diag_new_stream(stderr, false);
	struct scenario *scn = open_text(d);
	struct scn_stream st;
	struct seen s = { .st = &st };

	/*
	 * Occurrences: 0 t1, 1 t2, 2 t1 (last), 3 t3 (last), 4 t4, 5 t4
	 * (last), 6 t2 (last), 7 t5 (last).
	 */
	ck_assert_uint_eq(scn->thread_occurrences, 8);
	ck_assert_uint_eq(scn->thread_last_bits[0], 0xec);
	scn_stream_begin(&st, scn, d);
	scn_stream_recycle(&st, forget);
	ck_assert_int_eq(scn_stream_run(&st, each, &s), 0);
	/*
	 * t1 goes before line 5's command (its last step, line 4, is over),
	 * after line 5 was read: t3 takes a new entry (2), t4 then t1's (0);
	 * t3, never named again, goes before line 6's command; t4 before
	 * line 8's, t2 before line 10's, whose t5 takes the entry freed
	 * last (t4's); t5 is never forgotten (no command follows).
	 */
	ck_assert_str_eq(s.log, FORGET_LOG);
	ck_assert_uint_eq(st.view.thread_count, 3);
	scn_stream_end(&st);
	scenario_free(scn);
	diag_free(d);
}
END_TEST

/* What stands for the kernel's records of the threads: their names. */
static char kernel_names[8][16];

/*
 * Each command as the runner does it to the names: a spawned thread's
 * name becomes the kernel's copy; an exited one gets its own bytes back
 * before its record is reused (here at once, the record then scribbled
 * over). The names read right throughout.
 */
static bool each_borrowing(void *ctx, const struct scn_cmd *c)
{
	struct seen *s = ctx;
	struct name_table *t = &s->st->p.threads;
	char *copy = kernel_names[c->thread < 8 ? c->thread : 0];

	each(ctx, c);
	if (c->kind == SCN_SPAWN) {
		ck_assert_uint_lt(c->thread, 8);
		strcpy(copy, s->st->view.threads[c->thread].name);
		name_borrow(t, c->thread, copy);
		ck_assert(name_is_borrowed(t, c->thread));
		ck_assert_ptr_eq(t->v[c->thread].name, copy);
		ck_assert_uint_eq(name_find(t, copy, strlen(copy)), c->thread);
	} else if (c->kind == SCN_EXIT) {
		ck_assert(name_own(t, &s->st->p.names, c->thread));
		ck_assert(!name_is_borrowed(t, c->thread));
		ck_assert_ptr_ne(t->v[c->thread].name, copy);
		memset(copy, 'X', sizeof(kernel_names[0]) - 1);
		ck_assert_uint_eq(name_find(t, t->v[c->thread].name,
					    strlen(t->v[c->thread].name)),
				  c->thread);
	}
	return true;
}

/* Borrowed names forget, reuse and read as owned ones do. */
START_TEST(stream_names_borrowed_from_the_kernel)
{
	struct diag *d = diag_new_stream(stderr, false);
	struct scenario *scn = open_text(d);
	struct scn_stream st;
	struct seen s = { .st = &st };

	scn_stream_begin(&st, scn, d);
	scn_stream_recycle(&st, forget);
	ck_assert_int_eq(scn_stream_run(&st, each_borrowing, &s), 0);
	ck_assert_str_eq(s.log, FORGET_LOG);
	/* t5 is still borrowed at the end: the table lets it be */
	ck_assert(name_is_borrowed(&st.p.threads, 0));
	scn_stream_end(&st);
	scenario_free(scn);
	diag_free(d);
}
END_TEST

/* Without scn_stream_recycle, every name stays, one entry each. */
START_TEST(stream_keeps_every_name_unasked)
{
	struct diag *d = diag_new_stream(stderr, false);
	struct scenario *scn = open_text(d);
	struct scn_stream st;
	struct seen s = { .st = &st };

	scn_stream_begin(&st, scn, d);
	ck_assert_int_eq(scn_stream_run(&st, each, &s), 0);
	ck_assert_str_eq(s.log, "t1@2:0 t2@3:1 t1@4:0 t3@5:2 t4@6:3 t4@7:3 "
			 "t2@8:1 t5@10:4 ");
	ck_assert_uint_eq(st.view.thread_count, 5);
	scn_stream_end(&st);
	scenario_free(scn);
	diag_free(d);
}
END_TEST

static Suite *forget_suite(void)
{
	Suite *s = suite_create("forget");
	TCase *tc = tcase_create("forget");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, tidmap_matches_an_array);
	tcase_add_test(tc, stream_forgets_after_the_last_use);
	tcase_add_test(tc, stream_keeps_every_name_unasked);
	tcase_add_test(tc, stream_names_borrowed_from_the_kernel);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(forget_suite());
}
