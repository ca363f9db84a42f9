/*
 * cmd_expect.c - the expectations: `expect tls/pages/used/read/map`, which
 * look at kernel state through the kernel front, and the prefixes `expect
 * panic/error/fault`, which say what the next command does (the runner's
 * step judges those).
 */
#include <config.h>

#include "runner.h"
#include "report/place.h"

#include <inttypes.h>
#include <string.h>

/* ---- expect tls T OFFSET ---- */

static bool parse_expect_tls(struct parser *p, struct scn_cmd *c,
			     const struct scn_token *a, size_t n)
{
	(void)n;
	return arg_resolve(p, &p->threads, &a[0], &c->thread) &&
	       arg_number(p, &a[1], &c->offset);
}

static void exec_expect_tls(struct runner *r, const struct scn_cmd *c,
			    struct step *s)
{
	uint64_t got = r->th[c->thread].tls_offset;
	const char *proc = r->scn->processes[r->scn->threads[c->thread].process].name;

	step_expect(s);
	if (got != c->offset)
		step_fail(s, "expectation failed: expected %s's TLS at %s+0x%" PRIx64 ", got %s+0x%" PRIx64,
			  runner_thread_name(r, c->thread), proc, c->offset,
			  proc, got);
}

/* ---- expect pages P N, expect used P N ---- */

static bool parse_expect_count(struct parser *p, struct scn_cmd *c,
			       const struct scn_token *a, size_t n)
{
	(void)n;
	return arg_resolve(p, &p->procs, &a[0], &c->process) &&
	       arg_number(p, &a[1], &c->count);
}

static void exec_expect_count(struct runner *r, const struct scn_cmd *c,
			      struct step *s)
{
	const struct process *p = r->procs[c->process];
	bool pages = c->kind == SCN_EXPECT_PAGES;
	struct tlsm_stats st;
	uint64_t got;

	process_tls_stats(p, &st);
	got = pages ? st.pages : st.used;
	step_expect(s);
	if (got != c->count)
		step_fail(s, "expectation failed: expected %" PRIu64 " TLS %s in %s, got %" PRIu64,
			  c->count, pages ? "pages" : "slots used", process_name(p),
			  got);
}

/* ---- expect read T FIELD VALUE ---- */

static bool parse_expect_read(struct parser *p, struct scn_cmd *c,
			      const struct scn_token *a, size_t n)
{
	(void)n;
	if (!arg_resolve(p, &p->threads, &a[0], &c->thread) ||
	    !arg_field(p, &a[1], &c->field))
		return false;
	return arg_value(p, &a[2], &c->field, c->field.id == SCN_FIELD_SELF,
			 &c->value);
}

static void exec_expect_read(struct runner *r, const struct scn_cmd *c,
			     struct step *s)
{
	exec_thread_rw(r, c, s, true);
}

/* ---- expect map P OFFSET TYPE [PERMS] ---- */

static bool parse_expect_map(struct parser *p, struct scn_cmd *c,
			     const struct scn_token *a, size_t n)
{
	if (!arg_resolve(p, &p->procs, &a[0], &c->process) ||
	    !arg_number(p, &a[1], &c->offset) ||
	    !arg_type(p, &a[2], &c->type))
		return false;
	c->perms_given = n == 4;
	return n < 4 || arg_perms(p, &a[3], &c->perms);
}

/*
 * expect map P OFFSET TYPE [PERMS]: the mapping at OFFSET has that type
 * (and rights); a verdict that says what was there instead.
 */
static void exec_expect_map(struct runner *r, const struct scn_cmd *c,
			    struct step *s)
{
	const struct process *p = r->procs[c->process];
	char want[64], seen[64], rights[4], at[PLACE_TEXT];
	struct mapping m;
	bool mapped = process_mapping_at(p, c->offset, &m);

	snprintf(want, sizeof(want), "%s", memory_type_name(c->type));
	if (c->perms_given)
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
			 " %s", mapping_rights_text(c->perms, rights));
	if (!mapped)
		snprintf(seen, sizeof(seen), "Unmapped");
	else
		snprintf(seen, sizeof(seen), "%s %s", memory_type_name(m.type),
			 mapping_rights_text(m.rights, rights));
	step_expect(s);
	if (!mapped ? c->type != MEM_UNMAPPED :
	    m.type != c->type ||
	    (c->perms_given && (m.rights & 7u) != c->perms))
		step_fail(s, "expectation failed: expected the mapping at %s to be %s, got %s",
			  place_off(p, c->offset, at, sizeof(at)), want,
			  seen);
}

/* ---- the prefixes: expect panic "TEXT", expect error KIND, expect fault */

static bool parse_expect_panic(struct parser *p, struct scn_cmd *c,
			       const struct scn_token *a, size_t n)
{
	struct scn_lex_error e;
	int rc;

	(void)n;
	c->expect.kind = SCN_OUTCOME_PANIC;
	if (!a[0].quoted)
		return perr(p, a[0].col,
			    "expected the panic message as a \"string\"");
	rc = scn_lex_string(&a[0], &c->expect.panic_text.data,
			    &c->expect.panic_text.len, &e);
	if (rc < 0)
		return lex_failed(p, rc, &e);
	return true;
}

/*
 * expect error KIND: KIND is a KernelError by the original's name (with
 * a did-you-mean otherwise). False after the error is reported.
 */
static bool parse_expect_error(struct parser *p, struct scn_cmd *c,
			       const struct scn_token *a, size_t n)
{
	const char *cands[KERR_COUNT];
	char word[WORD_MAX + 1], q[64], dym[96];

	(void)n;
	c->expect.kind = SCN_OUTCOME_ERROR;
	if (!a[0].quoted && a[0].len <= WORD_MAX) {
		memcpy(word, a[0].text, a[0].len);
		word[a[0].len] = '\0';
		c->expect.error = kernel_error_from_name(word);
		if (c->expect.error != KERR_COUNT)
			return true;
	}
	cands[0] = NULL;	/* success is not an error */
	for (int i = 1; i < KERR_COUNT; i++)
		cands[i] = kernel_error_name((enum kernel_error)i);
	diag_quote(q, sizeof(q), a[0].text, a[0].len);
	return perr(p, a[0].col, "unknown error kind '%s'%s", q,
		    did_you_mean(dym, sizeof(dym), &a[0], cands, KERR_COUNT));
}

static bool parse_expect_fault(struct parser *p, struct scn_cmd *c,
			       const struct scn_token *a, size_t n)
{
	(void)p;
	(void)a;
	(void)n;
	c->expect.kind = SCN_OUTCOME_FAULT;
	return true;
}

const struct scn_command scn_expect_commands[] = {
	{ "expect tls", SCN_EXPECT_TLS, false, 2, 2,
	  "expect tls THREAD OFFSET", parse_expect_tls, exec_expect_tls },
	{ "expect pages", SCN_EXPECT_PAGES, false, 2, 2,
	  "expect pages PROCESS N", parse_expect_count, exec_expect_count },
	{ "expect used", SCN_EXPECT_USED, false, 2, 2,
	  "expect used PROCESS N", parse_expect_count, exec_expect_count },
	{ "expect read", SCN_EXPECT_READ, false, 3, 3,
	  "expect read THREAD FIELD VALUE", parse_expect_read,
	  exec_expect_read },
	{ "expect map", SCN_EXPECT_MAP, false, 3, 4,
	  "expect map PROCESS OFFSET TYPE [PERMS]", parse_expect_map,
	  exec_expect_map },
	{ "expect panic", SCN_CMD_COUNT, true, 1, 1, "expect panic \"TEXT\"",
	  parse_expect_panic, NULL },
	{ "expect error", SCN_CMD_COUNT, true, 1, 1, "expect error KIND",
	  parse_expect_error, NULL },
	{ "expect fault", SCN_CMD_COUNT, true, 0, 0, "expect fault",
	  parse_expect_fault, NULL },
};
const size_t scn_expect_command_count = ARRAY_SIZE(scn_expect_commands);
