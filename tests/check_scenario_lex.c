/*
 * check_scenario_lex.c - the scenario lexer: numbers, strings, hex bytes,
 * comments, line ends, odd input, and the command a lexed line names.
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario/parser.h"
#include "scenario_fixture.h"
#include "testutil.h"
#include "tls_manager.h"

START_TEST(numbers_decimal_and_hex)
{
	ck_assert_uint_eq(num_ok("0"), 0);
	ck_assert_uint_eq(num_ok("42"), 42);
	ck_assert_uint_eq(num_ok("007"), 7);
	ck_assert_uint_eq(num_ok("0x1f"), 0x1f);
	ck_assert_uint_eq(num_ok("0X1F"), 0x1f);
	ck_assert_uint_eq(num_ok("1_000_000"), 1000000);
	ck_assert_uint_eq(num_ok("0x10_00"), 0x1000);
}
END_TEST

START_TEST(numbers_suffixes)
{
	ck_assert_uint_eq(num_ok("4K"), 4096);
	ck_assert_uint_eq(num_ok("0x2M"), 2u << 20);
	ck_assert_uint_eq(num_ok("3G"), 3ull << 30);
	ck_assert_uint_eq(num_ok("1_0K"), 10240);
	num_bad("4k", "suffixes are K, M and G", 2);
	/* a unit as people write it: the suffix alone is asked for */
	num_bad("1MB", "a size's suffix is K, M or G alone, for KiB, MiB or "
		"GiB (write 1M)", 2);
	num_bad("64kib", "(write 64K)", 3);
	num_bad("0x10GB", "(write 0x10G)", 5);
	num_bad("1MX", "unexpected 'M'", 2);
	num_bad("0xMB", "unexpected 'M'", 3);
	num_bad("4KB", "(write 4K)", 2);
}
END_TEST

START_TEST(numbers_overflow)
{
	ck_assert_uint_eq(num_ok("18446744073709551615"), UINT64_MAX);
	ck_assert_uint_eq(num_ok("0xffff_ffff_ffff_ffff"), UINT64_MAX);
	num_bad("18446744073709551616", "does not fit in 64 bits", 1);
	num_bad("0x1_0000_0000_0000_0000", "does not fit in 64 bits", 1);
	/* 2^34 G is 2^64: the suffix overflows. */
	ck_assert_uint_eq(num_ok("17179869183G"), 17179869183ull << 30);
	num_bad("17179869184G", "does not fit in 64 bits", 1);
	num_bad("0x40000000000000K", "does not fit in 64 bits", 1);
}
END_TEST

START_TEST(numbers_malformed)
{
	num_bad("0x", "no digits after '0x'", 1);
	num_bad("0xK", "no digits after '0x'", 1);
	num_bad("1__0", "'_' must be between two digits", 2);
	num_bad("1_", "'_' must be between two digits", 2);
	num_bad("0x_1", "'_' must be between two digits", 3);
	num_bad("_1", "expected a number", 1);
	num_bad("-1", "expected a number", 1);
	num_bad("12z4", "unexpected 'z'", 3);
	num_bad("0x1g", "unexpected 'g'", 4);
	num_bad("K", "expected a number", 1);
}
END_TEST

START_TEST(number_errors_in_context)
{
	PRE_ERR("expect pages A 1__0\n",
		"t.scn:4:17: error: bad number '1__0': '_' must be between two digits");
	PRE_ERR("expect pages A 0x\n", "t.scn:4:16: error: bad number '0x'");
	PRE_ERR("expect pages A many\n",
		"t.scn:4:16: error: expected a number, found 'many'");
}
END_TEST

START_TEST(comments_and_blank_lines)
{
	PARSE_OK("# only a comment\n   # indented\n\n\t\n#");
	ck_assert_uint_eq(S->cmd_count, 0);
	PARSE_OK("process A # trailing comment\nspawn A T#tight\n");
	ck_assert_uint_eq(S->cmd_count, 2);
	ck_assert_str_eq(S->threads[0].name, "T");
}
END_TEST

START_TEST(hash_inside_string)
{
	PRE_OK("write T ipc \"a#b\" # real comment\n");
	ck_assert_int_eq(last()->value.kind, SCN_VALUE_BYTES);
	ck_assert_uint_eq(last()->value.bytes.len, 3);
	ck_assert_mem_eq(last()->value.bytes.data, "a#b", 3);
}
END_TEST

START_TEST(string_escapes)
{
	static const uint8_t want[] = { 'x', '\n', '\t', '\\', '"', 0, 'A',
					0x7f, 0xff, ' ' };

	PRE_OK("write T ipc \"x\\n\\t\\\\\\\"\\0\\x41\\x7f\\xFF \"\n");
	ck_assert_uint_eq(last()->value.bytes.len, sizeof(want));
	ck_assert_mem_eq(last()->value.bytes.data, want, sizeof(want));
	PRE_OK("write T ipc \"\"\n");
	ck_assert_uint_eq(last()->value.bytes.len, 0);
}
END_TEST

START_TEST(string_errors)
{
	PRE_ERR("write T ipc \"abc\n", "t.scn:4:13: error: unterminated string");
	PRE_ERR("write T ipc \"abc\\\"\n", "t.scn:4:13: error: unterminated string");
	PRE_ERR("write T ipc \"ab\\qc\"\n",
		"t.scn:4:16: error: unknown escape '\\q' in string");
	PRE_ERR("write T ipc \"ab\\x4\"\n",
		"t.scn:4:16: error: escape '\\x' needs two hex digits");
	PRE_ERR("write T ipc \"a\"\"b\"\n",
		"t.scn:4:16: error: expected whitespace between arguments");
	PRE_ERR("expect panic oops\n",
		"t.scn:4:14: error: expected the panic message as a \"string\"");
}
END_TEST

START_TEST(hex_bytes)
{
	static const uint8_t want[] = { 0x01, 0x02, 0xab };

	PRE_OK("write T ipc+4 0x01_02aB\n");
	ck_assert_uint_eq(last()->field.off, 4);
	ck_assert_uint_eq(last()->value.bytes.len, 3);
	ck_assert_mem_eq(last()->value.bytes.data, want, 3);
	PRE_ERR("write T ipc 0x123\n",
		"t.scn:4:13: error: hex bytes '0x123' have an odd number of digits");
	PRE_ERR("write T ipc 0x\n", "no digits");
	PRE_ERR("write T ipc 42\n", "a value for 'ipc' is \"text\" or 0xHEX bytes");
}
END_TEST

START_TEST(crlf_and_no_trailing_newline)
{
	PARSE_OK("process A\r\nspawn A T\r\n# c\r\nexit T");
	ck_assert_uint_eq(S->cmd_count, 3);
	ck_assert_int_eq(S->cmds[2].kind, SCN_EXIT);
	ck_assert_uint_eq(S->cmds[2].line, 4);
	/* The CR is not part of the line shown. */
	PARSE_ERR("process A\r\nspwan A T\r\n",
		  "t.scn:2:1: error: unknown command 'spwan' (did you mean 'spawn'?)\n spwan A T\n ^\n");
}
END_TEST

START_TEST(empty_file)
{
	PARSE_OK("");
	ck_assert_uint_eq(S->cmd_count, 0);
	ck_assert_uint_eq(S->process_count, 0);
	ck_assert_int_eq(parse_n(NULL, 0), 0);
}
END_TEST

START_TEST(very_long_line)
{
	size_t n = 1 << 20;
	char *buf = malloc(n + 64);
	const char *text;

	ck_assert_ptr_nonnull(buf);
	buf[0] = '#';
	memset(buf + 1, 'x', n - 1);
	strcpy(buf + n, "\nprocess A\n");
	ck_assert_int_eq(parse(buf), 0);
	ck_assert_uint_eq(S->cmd_count, 1);
	ck_assert_uint_eq(S->cmds[0].line, 2);

	/* A 1 MB name: one error, its message and line cut short. */
	memcpy(buf, "kill ", 5);
	strcpy(buf + n, " extra\n");
	ck_assert_int_eq(parse(buf), -EINVAL);
	ck_assert_uint_eq(diag_count(D), 1);
	text = diag_text(D);
	ck_assert_ptr_nonnull(strstr(text, "t.scn:1:1048578: error: 'kill' takes 1 argument"));
	ck_assert_uint_lt(strlen(text), 600);
	ck_assert_ptr_nonnull(strstr(text, "...xxx"));
	free(buf);
}
END_TEST

START_TEST(nul_byte)
{
	static const char text[] = "process A\nspa\0wn A T\nkill A\n";

	ck_assert_int_eq(parse_n(text, sizeof(text) - 1), -EINVAL);
	ck_assert_uint_eq(diag_count(D), 1);
	ck_assert_ptr_nonnull(strstr(diag_text(D),
				     "t.scn:2:4: error: NUL byte in input\n spa?wn A T\n    ^\n"));
}
END_TEST

START_TEST(random_bytes)
{
	static const char *const pieces[] = {
		"process ", "spawn ", "map ", "write ", "expect ", "panic ",
		"error ", "fault", "ipc+", "0x", "\"", "\\", "#", "\n", "\r",
		" ", "A", "T", "1", "_", "K", "tls-free ", "as ", "userland=",
		"ipc ", "self ", "\\x", "\0", "\xff", "\t", "rwx", "Normal ",
	};
	uint32_t seed = 12345;
	char buf[512];

	for (int round = 0; round < 4000; round++) {
		size_t len = 0, want;
		int rc;

		seed = seed * 1103515245u + 12345u;
		want = (seed >> 16) % sizeof(buf);
		while (len < want) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) & 1) {
				buf[len++] = (char)(seed >> 24);
			} else {
				const char *p = pieces[(seed >> 17) %
					(sizeof(pieces) / sizeof(pieces[0]))];
				size_t pl = *p ? strlen(p) : 1;

				for (size_t i = 0; i < pl && len < want; i++)
					buf[len++] = p[i];
			}
		}
		rc = parse_n(buf, len);
		if (rc == 0) {
			ck_assert_ptr_nonnull(S);
			ck_assert_uint_eq(diag_count(D), 0);
		} else {
			ck_assert_int_eq(rc, -EINVAL);
			ck_assert_uint_gt(diag_count(D), 0);
		}
	}
}
END_TEST


START_TEST(names_and_suggest)
{
	static const char *const cands[] = { "write", "read", "spawn" };

	ck_assert(scn_lex_is_name("a", 1));
	ck_assert(scn_lex_is_name("_x.y-z9", 7));
	ck_assert(!scn_lex_is_name("9a", 2));
	ck_assert(!scn_lex_is_name("a+b", 3));
	ck_assert(!scn_lex_is_name("", 0));
	ck_assert_uint_eq(diag_suggest("wirte", 5, cands, 3), 0);
	ck_assert_uint_eq(diag_suggest("REAd", 4, cands, 3), 1);
	ck_assert_uint_eq(diag_suggest("xyzzy", 5, cands, 3), (size_t)-1);
	ck_assert_uint_eq(diag_suggest("", 0, cands, 3), (size_t)-1);
}
END_TEST

START_TEST(lex_line_tokens)
{
	struct scn_token t[4];
	struct scn_lex_error e;
	size_t n;
	const char *line = "  ab \"c d\"\tx#y \"z";

	ck_assert_int_eq(scn_lex_line(line, strlen(line), t, 4, &n, &e), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(t[0].col, 3);
	ck_assert_uint_eq(t[1].len, 5);
	ck_assert(t[1].quoted);
	ck_assert_uint_eq(t[2].col, 12);
	line = "a b c d e f";
	/* names and blanks alone: 1, even past the tokens stored */
	ck_assert_int_eq(scn_lex_line(line, strlen(line), t, 4, &n, &e), 1);
	ck_assert_uint_eq(n, 6);
	/* a comment, a NUL byte, a word not a name: 0 */
	ck_assert_int_eq(scn_lex_line("a b #c", 6, t, 4, &n, &e), 0);
	ck_assert_int_eq(scn_lex_line("a\0b c", 5, t, 4, &n, &e), 0);
	ck_assert_int_eq(scn_lex_line("a 12", 4, t, 4, &n, &e), 0);
	ck_assert_int_eq(scn_lex_line(" ab\t ", 5, t, 4, &n, &e), 1);
	ck_assert_int_eq(scn_lex_line("", 0, t, 4, &n, &e), 1);
}
END_TEST


/*
 * A token's name flag, which spares the parse a second scan of a name's
 * bytes, says what scn_lex_is_name says of the token's bytes: for words
 * built of random bytes (names, words with a bad first or later byte) and
 * for a quoted one, which is never a name.
 */
START_TEST(lex_marks_names)
{
	static const char alphabet[] = "aZ_09.-+$\xff";
	struct scn_token t[8];
	struct scn_lex_error e;
	uint32_t seed = 777;
	size_t n, names = 0, others = 0;
	char line[128];

	for (int round = 0; round < 3000; round++) {
		size_t len = 0;
		bool all = true;
		int words, rc;

		seed = seed * 1103515245u + 12345u;
		words = 1 + (int)((seed >> 16) % 4);
		for (int w = 0; w < words; w++) {
			int wl;

			seed = seed * 1103515245u + 12345u;
			wl = 1 + (int)((seed >> 16) % 6);
			for (int i = 0; i < wl; i++) {
				seed = seed * 1103515245u + 12345u;
				line[len++] = alphabet[(seed >> 16) %
						       (sizeof(alphabet) - 1)];
			}
			line[len++] = ' ';
		}
		rc = scn_lex_line(line, len, t, 8, &n, &e);
		ck_assert_int_ge(rc, 0);
		ck_assert_uint_eq(n, (size_t)words);
		for (size_t i = 0; i < n; i++) {
			bool is = scn_lex_is_name(t[i].text, t[i].len);

			ck_assert_msg(t[i].name == is, "'%.*s': flag %d",
				      (int)t[i].len, t[i].text, t[i].name);
			*(is ? &names : &others) += 1;
			all &= is;
		}
		/* 1 says the line is names alone */
		ck_assert_int_eq(rc, all);
	}
	/* both kinds came up often */
	ck_assert_uint_gt(names, 500);
	ck_assert_uint_gt(others, 500);
	ck_assert_int_eq(scn_lex_line("\"ab\" ab", 7, t, 2, &n, &e), 0);
	ck_assert(t[0].quoted && !t[0].name);
	ck_assert(t[1].name);
}
END_TEST

/* The lexer's suite: words, strings, numbers, comments, CR LF, errors. */
/*
 * A line lexed, as the reader lexes it ahead: the command scn_line_command
 * finds in it (NULL for none) and the word it says names the thread.
 */
static const struct scn_command *line_command(const char *line,
					      size_t len, size_t *thread)
{
	static struct scn_lexed lx;
	size_t first;

	scn_lex_prepare(line, len, false, &lx);
	return scn_line_command(&lx, &first, thread);
}

/*
 * The word of a line that names its command's thread is the THREAD of
 * its usage, in a group ("expect tls") or not; a line that names no
 * command, or a bad one, finds none (the parse then says why).
 */
START_TEST(line_command_and_its_thread)
{
	static const struct { const char *line, *cmd; size_t thread; } ok[] = {
		{ "spawn A t1", "spawn", 2 }, { "exit t1", "exit", 1 },
		{ "peek t1 A 0x10", "peek", 1 },
		{ "expect tls t1 0x1000", "expect tls", 2 },
		{ "expect read t1 ipc 1", "expect read", 2 },
		{ "process A", "process", 0 }, { "expect fault", "expect fault", 0 },
		{ "exit", "exit", 1 },	/* too few words: the parse says so */
	};
	static const char *const none[] = {
		"", "# exit t1", "frobnicate t1", "\"exit\" t1", "expect",
		"expect frob t1", "exit \"t1",
	};
	const struct scn_command *c;
	size_t thread;

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		c = line_command(ok[i].line, strlen(ok[i].line), &thread);
		ck_assert_msg(c && strcmp(c->name, ok[i].cmd) == 0, "%s",
			      ok[i].line);
		ck_assert_uint_eq(thread, ok[i].thread);
	}
	for (size_t i = 0; i < ARRAY_SIZE(none); i++) {
		c = line_command(none[i], strlen(none[i]), &thread);
		ck_assert_msg(!c, "'%s' found %s", none[i], c ? c->name : "");
		ck_assert_uint_eq(thread, 0);
	}
	/* a NUL byte is all the line says */
	ck_assert_ptr_null(line_command("exit t\0", 7, &thread));
}
END_TEST

static Suite *lex_suite(void)
{
	Suite *s = suite_create("scenario_lex");
	TCase *lex = tcase_create("lexer");

	tcase_add_checked_fixture(lex, setup, teardown);
	tcase_set_timeout(lex, 60);
	tcase_add_test(lex, numbers_decimal_and_hex);
	tcase_add_test(lex, numbers_suffixes);
	tcase_add_test(lex, numbers_overflow);
	tcase_add_test(lex, numbers_malformed);
	tcase_add_test(lex, number_errors_in_context);
	tcase_add_test(lex, comments_and_blank_lines);
	tcase_add_test(lex, hash_inside_string);
	tcase_add_test(lex, string_escapes);
	tcase_add_test(lex, string_errors);
	tcase_add_test(lex, hex_bytes);
	tcase_add_test(lex, crlf_and_no_trailing_newline);
	tcase_add_test(lex, empty_file);
	tcase_add_test(lex, very_long_line);
	tcase_add_test(lex, nul_byte);
	tcase_add_test(lex, random_bytes);
	tcase_add_test(lex, names_and_suggest);
	tcase_add_test(lex, lex_line_tokens);
	tcase_add_test(lex, lex_marks_names);
	tcase_add_test(lex, line_command_and_its_thread);
	suite_add_tcase(s, lex);
	return s;
}

int main(void)
{
	return run_suite(lex_suite());
}
