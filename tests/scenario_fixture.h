/*
 * scenario_fixture.h - helpers of the scenario lexer and parser suites
 * (tests/scenario_fixture.c). Most tests parse a small text into a memory
 * diagnostic sink and look at the AST or at the exact message a user reads.
 */
#ifndef TLSSIM_SCENARIO_FIXTURE_H
#define TLSSIM_SCENARIO_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "scenario/scenario.h"

/* The sink and the scenario of the last parse (freed by teardown). */
extern struct diag *D;
extern struct scenario *S;
/* Three declaring lines put before the text by parse_pre. */
extern const char PRE[];

void setup(void);
void teardown(void);
/* Parse text[0..len) (or a C string) into D and S; scenario_parse's value. */
int parse_n(const char *text, size_t len);
int parse(const char *text);
/* PRE followed by text: line 4 is the first line of text. */
int parse_pre(const char *text);
/* The last command parsed. */
const struct scn_cmd *last(void);
/* scn_lex_number on a C string. */
int num(const char *s, uint64_t *v, struct scn_lex_error *e);
uint64_t num_ok(const char *s);
void num_bad(const char *s, const char *want, size_t col);

/* text parses; returns the number of commands. */
#define PARSE_OK(text) do {						\
	int rc_ = parse(text);						\
	ck_assert_msg(rc_ == 0, "parse failed:\n%s", diag_text(D));	\
	ck_assert_ptr_nonnull(S);					\
	ck_assert_uint_eq(diag_count(D), 0);				\
} while (0)

/* text fails and the diagnostics contain want. */
#define PARSE_ERR(text, want) do {					\
	int rc_ = parse(text);						\
	ck_assert_int_eq(rc_, -EINVAL);					\
	ck_assert_ptr_null(S);						\
	ck_assert_msg(strstr(diag_text(D), want),			\
		      "wanted <%s> in:\n%s", want, diag_text(D));	\
} while (0)

#define PRE_OK(text) do {						\
	int rc_ = parse_pre(text);					\
	ck_assert_msg(rc_ == 0, "parse failed:\n%s", diag_text(D));	\
} while (0)

#define PRE_ERR(text, want) do {					\
	ck_assert_int_eq(parse_pre(text), -EINVAL);			\
	ck_assert_msg(strstr(diag_text(D), want),			\
		      "wanted <%s> in:\n%s", want, diag_text(D));	\
} while (0)

#endif
