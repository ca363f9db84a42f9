/*
 * parse.c - the scenario parser: lines into commands (looked up in the
 * command tables of the cmd_*.c files), name tables, `expect panic/error/
 * fault` prefixes, error reporting, and loading a file.
 */
#include <config.h>

#include "hostmem.h"
#include "parser.h"
#include "report/progress.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Most commands of all tables together, for the suggestion list. */
#define COMMANDS_MAX 64

const char *scn_cmd_source(const struct scenario *scn,
			   const struct scn_cmd *cmd, size_t *len)
{
	(void)scn;
	*len = cmd->src_len;
	return cmd->src;
}

bool perr(struct parser *p, size_t col, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	if (p->stop)
		return false;
	if (p->errors == SCN_MAX_ERRORS) {
		if (p->pg)
			progress_clear(p->pg);
		diag_error_at(p->d, p->file, 0, 0, NULL, 0,
			      "too many errors (%d), giving up",
			      SCN_MAX_ERRORS);
		p->stop = true;
		return false;
	}
	p->errors++;
	if (p->pg)
		progress_clear(p->pg);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	diag_error_at(p->d, p->file, p->lineno, col, p->line, p->line_len,
		      "%s", msg ? msg : "(out of memory)");
	free(msg);
	return false;
}

bool poom(struct parser *p)
{
	p->oom = true;
	p->stop = true;
	return false;
}

static void bytes_free(struct scn_bytes *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

void scn_cmd_release(struct scn_cmd *c)
{
	bytes_free(&c->value.bytes);
	bytes_free(&c->expect.panic_text);
}

/* The words of the commands of a group ("": the plain commands). */
struct lookup {
	const char *group;
	const char *cands[COMMANDS_MAX + 2];
	size_t n;
};

/* Collect cmd's word when it is in the group (for a suggestion). */
static bool collect_word(void *arg, const struct scn_command *cmd)
{
	struct lookup *l = arg;
	size_t glen = strlen(l->group);

	if (glen ? strncmp(cmd->name, l->group, glen) != 0 ||
		   cmd->name[glen] != ' ' :
		   strchr(cmd->name, ' ') != NULL)
		return false;
	if (l->n < COMMANDS_MAX)
		l->cands[l->n++] = cmd->name + (glen ? glen + 1 : 0);
	return false;
}

/*
 * Report t, in group, unknown (what names the kind of word), with the
 * closest command of the group if one is close.
 */
static void report_unknown(struct parser *p, const struct scn_token *t,
			   const char *group, const char *what)
{
	struct lookup l = { .group = group };
	char q[64], dym[96] = "";
	size_t i;

	scn_each_command(collect_word, &l);
	if (!group[0]) {
		l.cands[l.n++] = "expect";
		l.cands[l.n++] = "inject";
	}
	i = diag_suggest(t->text, t->len, l.cands, l.n);
	if (i != (size_t)-1)
		snprintf(dym, sizeof(dym), " (did you mean '%s'?)", l.cands[i]);
	diag_quote(q, sizeof(q), t->text, t->len);
	if (t->quoted)
		perr(p, t->col, "expected %s, found a string", what);
	else
		perr(p, t->col, "unknown %s '%s'%s", what, q, dym);
}

/*
 * The command named by t in group ("expect", "inject" or "" for the plain
 * commands), or NULL after reporting it unknown; what names the kind of
 * word in the message.
 */
static const struct scn_command *lookup(struct parser *p,
					const struct scn_token *t,
					const char *group, const char *what)
{
	const struct scn_command *cmd = t->quoted || !t->len ? NULL :
		scn_find_command(group, t->text, t->len);

	if (!cmd)
		report_unknown(p, t, group, what);
	return cmd;
}

/*
 * Whether a command has a number of arguments its table row allows;
 * otherwise reports how many it takes, and its usage. False then.
 */
static bool check_count(struct parser *p, const struct scn_command *s,
			const struct scn_token *toks, size_t first,
			size_t nargs)
{
	char count[32];

	if (nargs >= s->min && nargs <= s->max &&
	    !(s->kind == SCN_TLS_ALLOC && nargs == 2))
		return true;
	if (s->min == s->max && s->min == 0)
		snprintf(count, sizeof(count), "no arguments");
	else if (s->min == s->max)
		snprintf(count, sizeof(count), "%u argument%s", s->min,
			 s->min == 1 ? "" : "s");
	else if (s->kind == SCN_TLS_ALLOC)
		snprintf(count, sizeof(count), "1 or 3 arguments");
	else
		snprintf(count, sizeof(count), "%u to %u arguments", s->min,
			 s->max);
	/* Point at the first argument too many, else at the command. */
	return perr(p, nargs > s->max ? toks[first + s->max].col : toks[0].col,
		    "'%s' takes %s: %s", s->name, count, s->usage);
}

/*
 * A declaring command given too many arguments still declares its name
 * (quietly: a good name not declared yet), as a spawn naming an unknown
 * process does, so that the lines naming it later are not reported too:
 * one mistake, one message. Too few, and which word was to be the name is
 * not known, but for `tls-alloc P NAME`, whose `as` alone is missing. A
 * region belongs to its process, so it is declared only in a process
 * declared already.
 */
static void declare_anyway(struct parser *p, const struct scn_command *s,
			   const struct scn_token *a, size_t nargs)
{
	size_t name, process;

	if (s->kind == SCN_PROCESS && nargs > s->max)
		arg_declare(p, &p->procs, &a[0], SCN_NONE, &name, true);
	else if (s->kind == SCN_SPAWN && nargs > s->max)
		arg_declare(p, &p->threads, &a[1], SCN_NONE, &name, true);
	if (s->kind != SCN_TLS_ALLOC || !nargs || a[0].quoted ||
	    (process = name_find(&p->procs, a[0].text, a[0].len)) == SCN_NONE)
		return;
	if (nargs > s->max && tok_is(&a[1], "as"))
		arg_declare(p, &p->regions, &a[2], process, &name, true);
	else if (nargs == 2 && !tok_is(&a[1], "as"))
		arg_declare(p, &p->regions, &a[1], process, &name, true);
}

/* What a pending `expect panic/error/fault` is called in messages. */
static const char *outcome_name(enum scn_outcome k)
{
	return k == SCN_OUTCOME_PANIC ? "expect panic" :
	       k == SCN_OUTCOME_ERROR ? "expect error" : "expect fault";
}

/*
 * The emit of scenario_parse: keep c in the scenario. Returns false when
 * memory ran out (c released, p->oom set).
 */
static bool append(struct parser *p, struct scn_cmd *c)
{
	struct scenario *scn = p->scn;

	if (scn->cmd_count == p->cmd_cap) {
		size_t cap = p->cmd_cap ? 2 * p->cmd_cap : 16;
		struct scn_cmd *v = realloc(scn->cmds, cap * sizeof(*v));

		if (!v) {
			scn_cmd_release(c);
			return poom(p);
		}
		scn->cmds = v;
		p->cmd_cap = cap;
	}
	scn->cmds[scn->cmd_count++] = *c;
	return true;
}

/*
 * Keep a copy of the current line, the line of a pending `expect` prefix,
 * for the message when no command follows it. False when memory ran out.
 */
static bool keep_pending_line(struct parser *p)
{
	char *copy = malloc(p->line_len + 1);

	if (!copy)
		return poom(p);
	memcpy(copy, p->line, p->line_len);
	copy[p->line_len] = '\0';
	free(p->pending_src);
	p->pending_src = copy;
	p->pending_src_len = p->line_len;
	return true;
}

static bool word_is(const struct scn_token *t, const char *word)
{
	return !t->quoted && t->len == strlen(word) &&
	       memcmp(t->text, word, t->len) == 0;
}

/*
 * The groups of commands a line's first word opens ("expect tls"): the
 * word, what its commands are called in messages, and what a line of the
 * word alone is told.
 */
static const struct line_group {
	const char *word, *what, *alone;
} line_groups[] = {
	{ "expect", "expectation",
	  "'expect' needs what to expect: tls, pages, used, read, map, panic, error or fault" },
	{ "inject", "injection", "'inject' needs what to inject: map-fail" },
};

/* The group first opens, or NULL. */
static const struct line_group *group_of(const struct scn_token *first)
{
	for (size_t i = 0; i < ARRAY_SIZE(line_groups); i++)
		if (word_is(first, line_groups[i].word))
			return &line_groups[i];
	return NULL;
}

const char *scn_line_group(const struct scn_token *first)
{
	const struct line_group *g = group_of(first);

	return g ? g->word : NULL;
}

/* Parse one line (no newline); pending is the outcome prefix waiting. */
static void parse_line(struct parser *p, const struct scn_lexed *lx,
		       struct scn_expect_outcome *pending)
{
	const struct scn_token *toks = lx->toks;
	const struct scn_command *s;
	struct scn_cmd c;
	size_t count = lx->count, first;

	if (lx->nul_col) {
		perr(p, lx->nul_col, "NUL byte in input");
		goto consumed;
	}
	if (lx->lex_failed) {
		perr(p, lx->err.col, "%s", lx->err.msg);
		goto consumed;
	}
	if (count == 0)
		return;
	/* found, its group too, when the line was read ahead */
	s = lx->cmd;
	if (s) {
		first = lx->first;
	} else {
		const struct line_group *group = group_of(&toks[0]);

		if (group && count < 2) {
			perr(p, toks[0].col, "%s", group->alone);
			goto consumed;
		}
		first = group ? 2 : 1;
		s = lookup(p, &toks[first - 1], group ? group->word : "",
			   group ? group->what : "command");
		if (!s)
			goto consumed_unless_outcome;
	}
	if (!check_count(p, s, toks, first, count - first)) {
		declare_anyway(p, s, toks + first, count - first);
		goto consumed_unless_outcome;
	}

	memset(&c, 0, sizeof(c));
	c.kind = s->kind;
	c.line = p->lineno;
	c.col = toks[0].col;
	c.src = p->line;
	c.src_len = p->line_len;
	c.process = c.thread = c.region = SCN_NONE;
	c.spec = s;
	/* handlers may look at what the command is expected to do */
	if (!s->prefix)
		c.expect.kind = pending->kind;
	if (!s->parse(p, &c, toks + first, count - first)) {
		scn_cmd_release(&c);
		goto consumed_unless_outcome;
	}
	if (s->prefix) {
		if (pending->kind != SCN_OUTCOME_NORMAL) {
			perr(p, toks[0].col,
			     "'%s' follows '%s' on line %zu: a command has one expected outcome",
			     s->name, outcome_name(pending->kind), pending->line);
			scn_cmd_release(&c);
			return;
		}
		if (!keep_pending_line(p)) {
			scn_cmd_release(&c);
			return;
		}
		*pending = c.expect;
		pending->line = c.line;
		pending->col = c.col;
		return;
	}
	c.expect = *pending;
	memset(pending, 0, sizeof(*pending));
	if (!p->emit(p, &c))
		p->stop = true;
	return;

consumed_unless_outcome:
	if (s && s->prefix)
		return;
consumed:
	/* A bad command still takes the outcome meant for it. */
	bytes_free(&pending->panic_text);
	memset(pending, 0, sizeof(*pending));
}

void scenario_free(struct scenario *scn)
{
	if (!scn)
		return;
	for (size_t i = 0; i < scn->cmd_count && scn->cmds; i++)
		scn_cmd_release(&scn->cmds[i]);
	free(scn->cmds);
	scn_chunks_free(scn->names);
	free(scn->processes);
	free(scn->threads);
	free(scn->regions);
	free(scn->thread_last_bits);
	free(scn->process_last_bits);
	free(scn->file_name);
	free(scn->text);
	if (scn->stream && scn->stream != stdin)
		fclose(scn->stream);
	free(scn);
}

int scn_parse_oom(struct diag *d, const char *file, size_t line)
{
	char hint[HOST_LIMIT_HINT_MAX];

	host_limit_hint(hint, sizeof(hint));
	if (line)
		diag_error_plain(d, "out of memory parsing '%s' (at line %zu): the host refused the simulator memory%s",
				 file, line, hint);
	else
		diag_error_plain(d, "out of memory parsing '%s': the host refused the simulator memory%s",
				 file, hint);
	return -ENOMEM;
}

void parser_begin(struct parser *p, const char *file, struct diag *d,
		  bool (*emit)(struct parser *p, struct scn_cmd *c), void *ctx)
{
	*p = (struct parser){
		.file = file, .d = d, .emit = emit, .ctx = ctx,
		.procs = { .what = "process" },
		.threads = { .what = "thread" },
		.regions = { .what = "region" },
	};
}

size_t scn_bom_len(const char *text, size_t len)
{
	return len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

void scn_lex_prepare(const char *line, size_t len, bool first,
		     struct scn_lexed *lx)
{
	const char *nul;
	int rc;

	if (len && line[len - 1] == '\r')
		len--;
	if (first) {
		size_t bom = scn_bom_len(line, len);

		line += bom;
		len -= bom;
	}
	lx->line = line;
	lx->len = len;
	lx->nul_col = 0;
	lx->cmd = NULL;
	rc = scn_lex_line(line, len, lx->toks, SCN_LINE_TOKENS, &lx->count,
			  &lx->err);
	lx->lex_failed = rc < 0;
	/* names and blanks alone: no NUL, and no second look for one */
	if (rc > 0)
		return;
	nul = memchr(line, '\0', len);
	if (!nul)
		return;
	/* a NUL is all there is to say of its line */
	lx->nul_col = (size_t)(nul - line) + 1;
	lx->count = 0;
	lx->lex_failed = false;
}

void parser_lexed(struct parser *p, const struct scn_lexed *lx)
{
	if (p->stop)
		return;
	p->line = lx->line;
	p->line_len = lx->len;
	p->lineno++;
	parse_line(p, lx, &p->pending);
}

void parser_line(struct parser *p, const char *line, size_t len)
{
	struct scn_lexed lx;

	if (p->stop)
		return;
	scn_lex_prepare(line, len, p->lineno == 0, &lx);
	parser_lexed(p, &lx);
}

int parser_end(struct parser *p)
{
	if (p->pending.kind != SCN_OUTCOME_NORMAL && !p->stop) {
		/* Show the expect line itself. */
		p->lineno = p->pending.line;
		p->line = p->pending_src ? p->pending_src : "";
		p->line_len = p->pending_src ? p->pending_src_len : 0;
		perr(p, p->pending.col,
		     "'%s' has no command after it to apply to",
		     outcome_name(p->pending.kind));
	}
	bytes_free(&p->pending.panic_text);
	memset(&p->pending, 0, sizeof(p->pending));
	free(p->pending_src);
	p->pending_src = NULL;
	p->line = NULL;
	p->line_len = 0;
	if (p->oom)
		return -ENOMEM;
	return p->errors ? -EINVAL : 0;
}

void parser_free(struct parser *p)
{
	name_table_free(&p->procs);
	name_table_free(&p->threads);
	name_table_free(&p->regions);
	scn_chunks_free(p->names);
	p->names = NULL;
	free(p->pending_src);
	p->pending_src = NULL;
}

int scenario_parse(const char *file_name, const char *text, size_t len,
		   struct diag *d, struct scenario **out)
{
	struct scenario *scn;
	struct parser p;
	size_t off = 0;
	int err;

	*out = NULL;
	scn = calloc(1, sizeof(*scn));
	if (!scn)
		return scn_parse_oom(d, file_name, 0);
	parser_begin(&p, file_name, d, append, NULL);
	p.scn = scn;
	scn->file_name = strdup(file_name);
	scn->text = malloc(len + 1);
	if (!scn->file_name || !scn->text) {
		scenario_free(scn);
		return scn_parse_oom(d, file_name, 0);
	}
	if (len)
		memcpy(scn->text, text, len);
	scn->text[len] = '\0';
	scn->text_len = len;

	while (off < len && !p.stop) {
		const char *nl = memchr(scn->text + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - scn->text) : len;

		parser_line(&p, scn->text + off, end - off);
		off = end + 1;
	}
	err = parser_end(&p);
	name_table_move(&p.procs, &scn->processes, &scn->process_count);
	name_table_move(&p.threads, &scn->threads, &scn->thread_count);
	name_table_move(&p.regions, &scn->regions, &scn->region_count);
	scn->names = p.names;
	p.names = NULL;
	parser_free(&p);
	if (err) {
		scenario_free(scn);
		return err == -ENOMEM ? scn_parse_oom(d, file_name, p.lineno)
				      : err;
	}
	*out = scn;
	return 0;
}
