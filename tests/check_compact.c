/*
 * check_compact.c - the check's compact table of thread names (past
 * NAME_EXACT_MAX names, a name of up to 8 bytes is its own key, a longer
 * one points to its bytes): duplicates and unknown names still found and
 * reported at file:line, short and long, and a valid scenario's names
 * resolved to the right threads by the run, also with every name forced
 * to the same hash (name_hash_mask = 0: each lookup walks all of them);
 * numbered names (t17: in an array by number, numbered.c) beside the
 * hashed ones, each kind that does not go there found in the hash table;
 * and the table sized ahead from the input's size.
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario/bigtable.h"
#include "scenario/parser.h"
#include "testutil.h"

/* Short names t0.., long names a_long_thread_name_0.. */
#define SHORT_NAMES (NAME_EXACT_MAX + 100)
#define LONG_NAMES 50

/*
 * A scenario declaring SHORT_NAMES then LONG_NAMES threads (t<i> on line
 * i + 2, the long name <i> on line SHORT_NAMES + i + 2), then tail.
 * Returns the path of a temporary file holding it.
 */
static char *write_scenario(const char *tail)
{
	static char path[] = "/tmp/tlssim-compact-XXXXXX";
	int fd;
	FILE *f;

	strcpy(path, "/tmp/tlssim-compact-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "process A userland=16M\n");
	for (int i = 0; i < SHORT_NAMES; i++)
		fprintf(f, "spawn A t%d\n", i);
	for (int i = 0; i < LONG_NAMES; i++)
		fprintf(f, "spawn A a_long_thread_name_%d\n", i);
	fputs(tail, f);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* What scenario_open of path says: its return value, its messages. */
static int open_and_say(const char *path, char **msgs, struct scenario **scn)
{
	size_t len = 0;
	FILE *f = open_memstream(msgs, &len);
	struct diag *d;
	int rc;

	ck_assert_ptr_nonnull(f);
	d = diag_new_stream(f, false);
	ck_assert_ptr_nonnull(d);
	rc = scenario_open(path, 0, NULL, d, scn);
	diag_free(d);
	fclose(f);
	return rc;
}

/* Whether msgs holds s; shows msgs when not. */
static void has(const char *msgs, const char *s)
{
	if (!strstr(msgs, s))
		ck_abort_msg("'%s' not in:\n%s", s, msgs);
}

/* Bad names past the exact table: each reported at its line, exactly. */
static void check_bad_names(uint32_t mask)
{
	char *path, *msgs = NULL, want[256];
	struct scenario *scn = NULL;
	size_t line = SHORT_NAMES + LONG_NAMES + 2;

	name_hash_mask = mask;
	path = write_scenario("spawn A t17\n"
			      "spawn A a_long_thread_name_7\n"
			      "exit t5000\n"
			      "exit a_long_thread_name_999\n"
			      "exit a_long_thread_name_\n"
			      "exit a_long_thread_name_70\n"
			      "exit t1\n"
			      "exit a_long_thread_name_49\n");
	ck_assert_int_eq(open_and_say(path, &msgs, &scn), -EINVAL);
	name_hash_mask = UINT32_MAX;
	unlink(path);
	ck_assert_ptr_null(scn);
	snprintf(want, sizeof(want),
		 ":%zu:9: error: duplicate name 't17': thread 't17' was already declared at line 19\n",
		 line);
	has(msgs, want);
	snprintf(want, sizeof(want),
		 ":%zu:9: error: duplicate name 'a_long_thread_name_7': thread 'a_long_thread_name_7' was already declared at line %d\n",
		 line + 1, SHORT_NAMES + 7 + 2);
	has(msgs, want);
	snprintf(want, sizeof(want),
		 ":%zu:6: error: unknown thread 't5000'\n", line + 2);
	has(msgs, want);
	snprintf(want, sizeof(want),
		 ":%zu:6: error: unknown thread 'a_long_thread_name_999'\n",
		 line + 3);
	has(msgs, want);
	snprintf(want, sizeof(want),
		 ":%zu:6: error: unknown thread 'a_long_thread_name_'\n",
		 line + 4);
	has(msgs, want);
	snprintf(want, sizeof(want),
		 ":%zu:6: error: unknown thread 'a_long_thread_name_70'\n",
		 line + 5);
	has(msgs, want);
	/* and nothing else: the last two lines are right */
	snprintf(want, sizeof(want), ":%zu:", line + 6);
	ck_assert_ptr_null(strstr(msgs, want));
	snprintf(want, sizeof(want), ":%zu:", line + 7);
	ck_assert_ptr_null(strstr(msgs, want));
	free(msgs);
}

START_TEST(compact_reports_bad_names)
{
	check_bad_names(UINT32_MAX);
}
END_TEST

START_TEST(compact_reports_bad_names_all_colliding)
{
	check_bad_names(0);
}
END_TEST

struct run_seen {
	struct scn_stream *st;
	size_t commands, named, forgotten;
};

/* Whether src[0..len) holds name as a word of its own. */
static bool has_word(const char *src, size_t len, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 1; i + n <= len; i++)
		if (src[i - 1] == ' ' && memcmp(src + i, name, n) == 0 &&
		    (i + n == len || src[i + n] == ' '))
			return true;
	return false;
}

/* Each command naming a thread: the view's name is the one on its line. */
static bool each(void *ctx, const struct scn_cmd *c)
{
	struct run_seen *s = ctx;
	const char *name;

	s->commands++;
	if (c->thread == SCN_NONE)
		return true;
	s->named++;
	name = s->st->view.threads[c->thread].name;
	if (!has_word(c->src, c->src_len, name))
		ck_abort_msg("line %zu '%.*s' ran on thread '%s'", c->line,
			     (int)c->src_len, c->src, name);
	return true;
}

static void forget(void *ctx, const size_t *threads, size_t n)
{
	struct run_seen *s = ctx;

	(void)threads;
	s->forgotten += n;
}

/*
 * Open path (a valid scenario: nothing is said of it), unlink it, and run
 * it streamed, each name forgotten past its last use, counting into *s.
 */
static void run_streamed(const char *path, struct run_seen *s)
{
	char *msgs = NULL;
	struct scenario *scn = NULL;
	struct scn_stream st;
	struct diag *d;

	ck_assert_int_eq(open_and_say(path, &msgs, &scn), 0);
	unlink(path);
	ck_assert_str_eq(msgs, "");
	free(msgs);
	d = diag_new_stream(stderr, false);
	s->st = &st;
	scn_stream_begin(&st, scn, d);
	scn_stream_recycle(&st, forget);
	ck_assert_int_eq(scn_stream_run(&st, each, s), 0);
	scn_stream_end(&st);
	s->st = NULL;
	scenario_free(scn);
	diag_free(d);
}

/* A valid scenario past the exact table: the run names the right threads. */
static void check_run(uint32_t mask)
{
	struct run_seen s = { 0 };
	char *path;

	name_hash_mask = mask;
	path = write_scenario("exit t17\n"
			      "exit a_long_thread_name_7\n"
			      "expect tls t18 0x1000\n"
			      "exit a_long_thread_name_49\n"
			      "exit t1099\n"
			      "spawn A t_new\n"
			      "exit t_new\n"
			      "exit t0\n");
	run_streamed(path, &s);
	name_hash_mask = UINT32_MAX;
	ck_assert_uint_eq(s.commands, 1 + SHORT_NAMES + LONG_NAMES + 8);
	ck_assert_uint_eq(s.named, SHORT_NAMES + LONG_NAMES + 8);
	/* every name but the last command's (t0) was forgotten */
	ck_assert_uint_eq(s.forgotten, SHORT_NAMES + LONG_NAMES);
}

START_TEST(compact_names_run_right)
{
	check_run(UINT32_MAX);
}
END_TEST

START_TEST(compact_names_run_right_all_colliding)
{
	check_run(0);
}
END_TEST

/*
 * Names past the exact table that are not numbered, or not kept so: of
 * another form, of a fifth prefix, with a leading zero, past 2^24, or
 * whose array chunk would be too sparse. Each declared (line by line
 * from the tail's first), then what a line of the check says of it.
 */
static const char *const mixed_names[] = {
	"w5z", "a1", "b1", "c1", "d1", "t007", "t16777216", "t16777215",
	"t9000000", "t0x", "t2000000", "t3000000", "t4000000",
};
#define MIXED (sizeof(mixed_names) / sizeof(mixed_names[0]))

/* The tail declaring mixed_names, then lines. */
static char *mixed_scenario(const char *lines)
{
	static char tail[4096];
	size_t n = 0;

	for (size_t i = 0; i < MIXED; i++)
		n += (size_t)snprintf(tail + n, sizeof(tail) - n,
				      "spawn A %s\n", mixed_names[i]);
	snprintf(tail + n, sizeof(tail) - n, "%s", lines);
	return write_scenario(tail);
}

/* Every kind found again (duplicates) and none made up (unknown). */
START_TEST(numbered_and_hashed_names_mix)
{
	size_t first = SHORT_NAMES + LONG_NAMES + 2, line = first + MIXED;
	char lines[2048], want[256], *msgs = NULL;
	struct scenario *scn = NULL;
	const char *unknown[] = { "t9000001", "t16777214", "e1", "t08",
				  "w5", "t1100" };
	size_t n = 0;
	char *path;

	for (size_t i = 0; i < MIXED; i++)
		n += (size_t)snprintf(lines + n, sizeof(lines) - n,
				      "spawn A %s\n", mixed_names[i]);
	for (size_t i = 0; i < 6; i++)
		n += (size_t)snprintf(lines + n, sizeof(lines) - n,
				      "exit %s\n", unknown[i]);
	snprintf(lines + n, sizeof(lines) - n, "exit t7\nexit t16777215\n");
	path = mixed_scenario(lines);
	ck_assert_int_eq(open_and_say(path, &msgs, &scn), -EINVAL);
	unlink(path);
	ck_assert_ptr_null(scn);
	for (size_t i = 0; i < MIXED; i++) {
		snprintf(want, sizeof(want),
			 ":%zu:9: error: duplicate name '%s': thread '%s' was already declared at line %zu\n",
			 line + i, mixed_names[i], mixed_names[i], first + i);
		has(msgs, want);
	}
	for (size_t i = 0; i < 6; i++) {
		snprintf(want, sizeof(want),
			 ":%zu:6: error: unknown thread '%s'\n",
			 line + MIXED + i, unknown[i]);
		has(msgs, want);
	}
	/* the two last lines name declared threads */
	snprintf(want, sizeof(want), ":%zu:", line + MIXED + 6);
	ck_assert_ptr_null(strstr(msgs, want));
	snprintf(want, sizeof(want), ":%zu:", line + MIXED + 7);
	ck_assert_ptr_null(strstr(msgs, want));
	free(msgs);
}
END_TEST

/* The run of the mix: each line on its own thread, every name forgotten. */
START_TEST(numbered_and_hashed_names_run_right)
{
	struct run_seen s = { 0 };
	char lines[1024];
	size_t n = 0;

	for (size_t i = 0; i < MIXED; i++)
		n += (size_t)snprintf(lines + n, sizeof(lines) - n,
				      "exit %s\n", mixed_names[i]);
	snprintf(lines + n, sizeof(lines) - n, "exit t7\nexit t0\n");
	run_streamed(mixed_scenario(lines), &s);
	ck_assert_uint_eq(s.named, SHORT_NAMES + LONG_NAMES + 2 * MIXED + 2);
	/* every name but the last command's (t0) was forgotten */
	ck_assert_uint_eq(s.forgotten, SHORT_NAMES + LONG_NAMES + MIXED - 1);
}
END_TEST

/* Whether the n bytes at p are all zero. */
static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * The tables' memory (bigtable.c): zeroed and writable below and past the
 * size whose pages are brought in at once, and NULL when the size does
 * not fit in a size_t.
 */
START_TEST(table_zalloc_zeroed)
{
	static const size_t sizes[] = { 1, 4096, TABLE_PREFAULT_MIN - 1,
					TABLE_PREFAULT_MIN,
					4 * TABLE_PREFAULT_MIN + 123 };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];
		unsigned char *p = table_zalloc(n, 1);

		ck_assert_ptr_nonnull(p);
		ck_assert_msg(all_zero(p, n), "%zu bytes not zeroed", n);
		memset(p, 0xa5, n);
		ck_assert_uint_eq(p[n - 1], 0xa5);
		free(p);
	}
	/* 16-byte items, as the compact slots */
	{
		uint64_t *v = table_zalloc(TABLE_PREFAULT_MIN / 8, 16);

		ck_assert_ptr_nonnull(v);
		ck_assert(all_zero((const unsigned char *)v,
				   TABLE_PREFAULT_MIN * 2));
		free(v);
	}
	ck_assert_ptr_null(table_zalloc(SIZE_MAX / 2, 4));
}
END_TEST

/* The check's emit: count nothing, keep nothing. */
static bool drop(struct parser *p, struct scn_cmd *c)
{
	(void)p;
	scn_cmd_release(c);
	return true;
}

/*
 * Declare names threads in a check's parser whose input is input_bytes
 * long (0: not known), reading as if each line were 16 bytes. Returns the
 * largest factor the compact table grew by at once, its last size in
 * *last; every name is found after.
 */
static size_t largest_leap(size_t names, size_t input_bytes, size_t *last)
{
	struct parser p;
	struct diag *d = diag_new_stream(stderr, false);
	size_t cap = 0, leap = 1;
	char line[64];

	ck_assert_ptr_nonnull(d);
	parser_begin(&p, "leap.tls", d, drop, NULL);
	p.threads.track = true;
	p.input_bytes = input_bytes;
	parser_line(&p, "process A userland=16M", 22);
	for (size_t i = 0; i < names; i++) {
		/* t<i>x: not numbered, so every name is in the hash table */
		int n = snprintf(line, sizeof(line), "spawn A t%zux", i);

		p.bytes_read = 16 * (i + 2);
		parser_line(&p, line, (size_t)n);
		if (!p.threads.compact)
			continue;
		if (cap && p.threads.cs_cap / cap > leap)
			leap = p.threads.cs_cap / cap;
		cap = p.threads.cs_cap;
	}
	ck_assert_uint_eq(p.errors, 0);
	ck_assert(p.threads.compact);
	for (size_t i = 0; i < names; i++) {
		int n = snprintf(line, sizeof(line), "t%zux", i);

		ck_assert_uint_ne(name_find(&p.threads, line, (size_t)n),
				  SCN_NONE);
	}
	ck_assert_uint_ge(4 * cap, 3 * (names + 1));
	*last = cap;
	parser_free(&p);
	diag_free(d);
	return leap;
}

/*
 * Where each of mixed_names goes, declared after NAME_EXACT_MAX names t<i>
 * in a check's parser: an array (numbered) or the hash table.
 */
START_TEST(numbered_names_routed)
{
	/* a chunk each for t, a, b, c and four far numbers of t, then none */
	static const bool numbered[MIXED] = {
		false, true, true, true, false, false, false, true, true,
		false, true, true, false,
	};
	struct parser p;
	struct diag *d = diag_new_stream(stderr, false);
	size_t hashed = 0;
	char line[64];

	ck_assert_ptr_nonnull(d);
	parser_begin(&p, "route.tls", d, drop, NULL);
	p.threads.track = true;
	parser_line(&p, "process A userland=16M", 22);
	for (size_t i = 0; i < NAME_EXACT_MAX; i++) {
		int n = snprintf(line, sizeof(line), "spawn A t%zu", i);

		parser_line(&p, line, (size_t)n);
	}
	for (size_t i = 0; i < MIXED; i++) {
		int n = snprintf(line, sizeof(line), "spawn A %s",
				 mixed_names[i]);

		parser_line(&p, line, (size_t)n);
	}
	ck_assert_uint_eq(p.errors, 0);
	ck_assert(p.threads.compact);
	/* the first thousand moved to the array: none in the hash table */
	for (size_t i = 0; i < MIXED; i++)
		hashed += !numbered[i];
	ck_assert_uint_eq(p.threads.n, hashed);
	ck_assert(name_find(&p.threads, "t999", 4) & NAME_NUMBERED);
	for (size_t i = 0; i < MIXED; i++) {
		size_t at = name_find(&p.threads, mixed_names[i],
				      strlen(mixed_names[i]));

		ck_assert_uint_ne(at, SCN_NONE);
		ck_assert_msg(!(at & NAME_NUMBERED) == !numbered[i],
			      "%s: numbered %d", mixed_names[i], !numbered[i]);
		ck_assert_uint_eq(name_line(&p.threads, at),
				  NAME_EXACT_MAX + 2 + i);
	}
	parser_free(&p);
	diag_free(d);
}
END_TEST

/*
 * The compact table grows by doubling when the input's size is unknown
 * or already read past; when it is known, it leaps to what its names
 * would need at that rate (here 100 times more to come), at most
 * COMPACT_LEAP (8) times at once; and when the rate holds to the end, to
 * the size a doubling would end at, no larger.
 */
START_TEST(compact_table_leaps_to_its_projection)
{
	size_t names = 6 * NAME_EXACT_MAX, doubled, last;

	ck_assert_uint_eq(largest_leap(names, 0, &doubled), 2);
	ck_assert_uint_eq(largest_leap(names, 1, &last), 2);
	ck_assert_uint_eq(last, doubled);
	ck_assert_uint_eq(largest_leap(names, 100 * 16 * names, &last), 8);
	ck_assert_uint_gt(largest_leap(names, 16 * (names + 2), &last), 2);
	ck_assert_uint_eq(last, doubled);
}
END_TEST

static Suite *compact_suite(void)
{
	Suite *s = suite_create("compact");
	TCase *tc = tcase_create("compact");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, compact_reports_bad_names);
	tcase_add_test(tc, compact_reports_bad_names_all_colliding);
	tcase_add_test(tc, compact_names_run_right);
	tcase_add_test(tc, compact_names_run_right_all_colliding);
	tcase_add_test(tc, numbered_and_hashed_names_mix);
	tcase_add_test(tc, numbered_and_hashed_names_run_right);
	tcase_add_test(tc, numbered_names_routed);
	tcase_add_test(tc, table_zalloc_zeroed);
	tcase_add_test(tc, compact_table_leaps_to_its_projection);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(compact_suite());
}
