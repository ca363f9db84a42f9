/*
 * scenario_fixture.c - what the scenario lexer and parser suites share: a
 * memory diagnostic sink, parse helpers and number helpers.
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_fixture.h"

struct diag *D;
struct scenario *S;

void setup(void)
{
	D = NULL;
	S = NULL;
}

void teardown(void)
{
	scenario_free(S);
	diag_free(D);
	S = NULL;
	D = NULL;
}

int parse_n(const char *text, size_t len)
{
	scenario_free(S);
	diag_free(D);
	S = NULL;
	D = diag_new_memory();
	ck_assert_ptr_nonnull(D);
	return scenario_parse("t.scn", text, len, D, &S);
}

int parse(const char *text)
{
	return parse_n(text, strlen(text));
}

const char PRE[] = "process A userland=1M\nprocess B\nspawn A T\n";

/* PRE followed by text: line 4 is the first line of text. */
int parse_pre(const char *text)
{
	static char buf[1 << 16];

	snprintf(buf, sizeof(buf), "%s%s", PRE, text);
	return parse(buf);
}

const struct scn_cmd *last(void)
{
	ck_assert_ptr_nonnull(S);
	ck_assert_uint_gt(S->cmd_count, 0);
	return &S->cmds[S->cmd_count - 1];
}

int num(const char *s, uint64_t *v, struct scn_lex_error *e)
{
	struct scn_token t = { .text = s, .len = strlen(s), .col = 1 };

	return scn_lex_number(&t, v, e);
}

uint64_t num_ok(const char *s)
{
	struct scn_lex_error e;
	uint64_t v = 0;

	ck_assert_msg(num(s, &v, &e) == 0, "%s: %s", s, e.msg);
	return v;
}

void num_bad(const char *s, const char *want, size_t col)
{
	struct scn_lex_error e;
	uint64_t v;

	ck_assert_msg(num(s, &v, &e) == -1, "%s parsed", s);
	ck_assert_msg(strstr(e.msg, want), "%s: <%s> lacks <%s>", s, e.msg,
		      want);
	ck_assert_uint_eq(e.col, col);
}
