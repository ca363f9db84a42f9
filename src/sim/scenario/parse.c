/*
 * parse.c - the scenario parser: lines into commands (looked up in the
 * command tables of the cmd_*.c files), name tables, `expect panic/error/
 * fault` prefixes, error reporting, and loading a file.
 */
#include <config.h>

#include "parser.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tokens kept per line; longer lines are counted, never stored. */
#define MAX_TOKENS 16

/* The command tables, each beside its commands' code. */
static const struct {
	const struct scn_command *v;
	const size_t *n;
} tables[] = {
	{ scn_memory_commands, &scn_memory_command_count },
	{ scn_thread_commands, &scn_thread_command_count },
	{ scn_expect_commands, &scn_expect_command_count },
};

/* Most commands of all tables together, for the suggestion list. */
#define COMMANDS_MAX 64

/*
 * Call fn(arg, cmd) for every command; stops when fn returns true and
 * returns that command, else NULL.
 */
static const struct scn_command *
each_command(bool (*fn)(void *arg, const struct scn_command *cmd), void *arg)
{
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++)
		for (size_t i = 0; i < *tables[t].n; i++)
			if (fn(arg, &tables[t].v[i]))
				return &tables[t].v[i];
	return NULL;
}

static bool kind_is(void *arg, const struct scn_command *cmd)
{
	return cmd->kind == *(const enum scn_cmd_kind *)arg && !cmd->prefix;
}

const char *scn_cmd_name(enum scn_cmd_kind kind)
{
	const struct scn_command *cmd = each_command(kind_is, &kind);

	return cmd ? cmd->name : "?";
}

const char *scn_cmd_source(const struct scenario *scn,
			   const struct scn_cmd *cmd, size_t *len)
{
	*len = cmd->src_len;
	return scn->text + cmd->src_off;
}

bool perr(struct parser *p, size_t col, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	if (p->stop)
		return false;
	if (p->errors == SCN_MAX_ERRORS) {
		diag_error_at(p->d, p->file, 0, 0, NULL, 0,
			      "too many errors (%d), giving up",
			      SCN_MAX_ERRORS);
		p->stop = true;
		return false;
	}
	p->errors++;
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

/* FNV-1a. */
static size_t hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return (size_t)h;
}

size_t name_find(const struct name_table *t, const char *s, size_t len)
{
	if (!t->slot_cap)
		return SCN_NONE;
	for (size_t i = hash(s, len) & (t->slot_cap - 1);;
	     i = (i + 1) & (t->slot_cap - 1)) {
		size_t k = t->slots[i];
		const char *name;

		if (!k)
			return SCN_NONE;
		name = t->v[k - 1].name;
		if (strlen(name) == len && memcmp(name, s, len) == 0)
			return k - 1;
	}
}

static void slot_insert(size_t *slots, size_t cap, const char *name,
			size_t index)
{
	size_t i = hash(name, strlen(name)) & (cap - 1);

	while (slots[i])
		i = (i + 1) & (cap - 1);
	slots[i] = index + 1;
}

size_t name_add(struct parser *p, struct name_table *t,
		const struct scn_token *tok, size_t process)
{
	char *name;

	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		struct scn_name *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return poom(p), SCN_NONE;
		t->v = v;
		t->cap = cap;
	}
	/* Keep the hash index at most half full. */
	if (2 * (t->n + 1) > t->slot_cap) {
		size_t cap = t->slot_cap ? 2 * t->slot_cap : 32;
		size_t *slots = calloc(cap, sizeof(*slots));

		if (!slots)
			return poom(p), SCN_NONE;
		for (size_t i = 0; i < t->n; i++)
			slot_insert(slots, cap, t->v[i].name, i);
		free(t->slots);
		t->slots = slots;
		t->slot_cap = cap;
	}
	name = strndup(tok->text, tok->len);
	if (!name)
		return poom(p), SCN_NONE;
	t->v[t->n] = (struct scn_name){
		.name = name, .line = p->lineno, .col = tok->col,
		.process = process,
	};
	slot_insert(t->slots, t->slot_cap, name, t->n);
	return t->n++;
}

static void bytes_free(struct scn_bytes *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

static void cmd_release(struct scn_cmd *c)
{
	bytes_free(&c->value.bytes);
	bytes_free(&c->expect.panic_text);
}

/* Commands whose name starts with group ("" : the plain commands). */
struct lookup {
	const char *group;
	const struct scn_token *t;
	const char *cands[COMMANDS_MAX + 2];
	size_t n;
};

/* Whether cmd is in the group; collects its word; true when t names it. */
static bool lookup_one(void *arg, const struct scn_command *cmd)
{
	struct lookup *l = arg;
	size_t glen = strlen(l->group);
	const char *word;

	if (glen ? strncmp(cmd->name, l->group, glen) != 0 ||
		   cmd->name[glen] != ' ' :
		   strchr(cmd->name, ' ') != NULL)
		return false;
	word = cmd->name + (glen ? glen + 1 : 0);
	if (!l->t->quoted && strlen(word) == l->t->len &&
	    memcmp(word, l->t->text, l->t->len) == 0)
		return true;
	if (l->n < COMMANDS_MAX)
		l->cands[l->n++] = word;
	return false;
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
	struct lookup l = { .group = group, .t = t };
	const struct scn_command *cmd = each_command(lookup_one, &l);
	char q[64], dym[96] = "";
	size_t i;

	if (cmd)
		return cmd;
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
	return NULL;
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

/* What a pending `expect panic/error/fault` is called in messages. */
static const char *outcome_name(enum scn_outcome k)
{
	return k == SCN_OUTCOME_PANIC ? "expect panic" :
	       k == SCN_OUTCOME_ERROR ? "expect error" : "expect fault";
}

static bool append(struct parser *p, const struct scn_cmd *c)
{
	struct scenario *scn = p->scn;

	if (scn->cmd_count == p->cmd_cap) {
		size_t cap = p->cmd_cap ? 2 * p->cmd_cap : 16;
		struct scn_cmd *v = realloc(scn->cmds, cap * sizeof(*v));

		if (!v)
			return poom(p);
		scn->cmds = v;
		p->cmd_cap = cap;
	}
	scn->cmds[scn->cmd_count++] = *c;
	return true;
}

static bool word_is(const struct scn_token *t, const char *word)
{
	return !t->quoted && t->len == strlen(word) &&
	       memcmp(t->text, word, t->len) == 0;
}

/* Parse one line (no newline); pending is the outcome prefix waiting. */
static void parse_line(struct parser *p, size_t off,
		       struct scn_expect_outcome *pending)
{
	struct scn_token toks[MAX_TOKENS];
	const struct scn_command *s;
	struct scn_lex_error e;
	struct scn_cmd c;
	size_t count, first = 1;
	const char *nul = memchr(p->line, '\0', p->line_len);

	if (nul) {
		perr(p, (size_t)(nul - p->line) + 1, "NUL byte in input");
		goto consumed;
	}
	if (scn_lex_line(p->line, p->line_len, toks, MAX_TOKENS, &count,
			 &e) < 0) {
		perr(p, e.col, "%s", e.msg);
		goto consumed;
	}
	if (count == 0)
		return;
	if (word_is(&toks[0], "expect") || word_is(&toks[0], "inject")) {
		bool expect = toks[0].text[0] == 'e';

		if (count < 2) {
			perr(p, toks[0].col, expect ?
			     "'expect' needs what to expect: tls, pages, used, read, map, panic, error or fault" :
			     "'inject' needs what to inject: map-fail");
			goto consumed;
		}
		first = 2;
		s = expect ? lookup(p, &toks[1], "expect", "expectation") :
			     lookup(p, &toks[1], "inject", "injection");
	} else {
		s = lookup(p, &toks[0], "", "command");
	}
	if (!s || !check_count(p, s, toks, first, count - first))
		goto consumed_unless_outcome;

	memset(&c, 0, sizeof(c));
	c.kind = s->kind;
	c.line = p->lineno;
	c.col = toks[0].col;
	c.src_off = off;
	c.src_len = p->line_len;
	c.process = c.thread = c.region = SCN_NONE;
	c.spec = s;
	/* handlers may look at what the command is expected to do */
	if (!s->prefix)
		c.expect.kind = pending->kind;
	if (!s->parse(p, &c, toks + first, count - first)) {
		cmd_release(&c);
		goto consumed_unless_outcome;
	}
	if (s->prefix) {
		if (pending->kind != SCN_OUTCOME_NORMAL) {
			perr(p, toks[0].col,
			     "'%s' follows '%s' on line %zu: a command has one expected outcome",
			     s->name, outcome_name(pending->kind), pending->line);
			cmd_release(&c);
			return;
		}
		*pending = c.expect;
		pending->line = c.line;
		pending->col = c.col;
		return;
	}
	c.expect = *pending;
	memset(pending, 0, sizeof(*pending));
	if (!append(p, &c))
		cmd_release(&c);
	return;

consumed_unless_outcome:
	if (s && s->prefix)
		return;
consumed:
	/* A bad command still takes the outcome meant for it. */
	bytes_free(&pending->panic_text);
	memset(pending, 0, sizeof(*pending));
}

static void table_move(struct name_table *t, struct scn_name **v, size_t *n)
{
	*v = t->v;
	*n = t->n;
	free(t->slots);
}

void scenario_free(struct scenario *scn)
{
	if (!scn)
		return;
	for (size_t i = 0; i < scn->cmd_count; i++)
		cmd_release(&scn->cmds[i]);
	free(scn->cmds);
	for (size_t i = 0; i < scn->process_count; i++)
		free(scn->processes[i].name);
	for (size_t i = 0; i < scn->thread_count; i++)
		free(scn->threads[i].name);
	for (size_t i = 0; i < scn->region_count; i++)
		free(scn->regions[i].name);
	free(scn->processes);
	free(scn->threads);
	free(scn->regions);
	free(scn->file_name);
	free(scn->text);
	free(scn);
}

/*
 * Memory ran out while parsing file (at line, 0 before the first): said on
 * d once what the parse held is released. Returns -ENOMEM.
 */
static int parse_oom(struct diag *d, const char *file, size_t line)
{
	if (line)
		diag_error_plain(d, "out of memory parsing '%s' (at line %zu): the host refused the simulator memory",
				 file, line);
	else
		diag_error_plain(d, "out of memory parsing '%s': the host refused the simulator memory",
				 file);
	return -ENOMEM;
}

int scenario_parse(const char *file_name, const char *text, size_t len,
		   struct diag *d, struct scenario **out)
{
	struct scn_expect_outcome pending = { 0 };
	struct parser p = {
		.file = file_name, .d = d,
		.procs = { .what = "process" },
		.threads = { .what = "thread" },
		.regions = { .what = "region" },
	};
	struct scenario *scn;
	size_t off = 0;

	*out = NULL;
	scn = calloc(1, sizeof(*scn));
	if (!scn)
		return parse_oom(d, file_name, 0);
	p.scn = scn;
	scn->file_name = strdup(file_name);
	scn->text = malloc(len + 1);
	if (!scn->file_name || !scn->text) {
		scenario_free(scn);
		return parse_oom(d, file_name, 0);
	}
	if (len)
		memcpy(scn->text, text, len);
	scn->text[len] = '\0';
	scn->text_len = len;

	while (off < len && !p.stop) {
		const char *nl = memchr(scn->text + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - scn->text) : len;

		p.line = scn->text + off;
		p.line_len = end - off;
		if (p.line_len && p.line[p.line_len - 1] == '\r')
			p.line_len--;
		p.lineno++;
		parse_line(&p, off, &pending);
		off = end + 1;
	}
	if (pending.kind != SCN_OUTCOME_NORMAL && !p.stop) {
		p.lineno = pending.line;
		p.line = scn->text;
		p.line_len = 0;
		/* Show the expect line itself. */
		for (size_t i = 0, l = 1; i <= len; i++) {
			if (l == pending.line) {
				const char *nl = memchr(scn->text + i, '\n',
							len - i);

				p.line = scn->text + i;
				p.line_len = nl ? (size_t)(nl - p.line) :
						  len - i;
				if (p.line_len && p.line[p.line_len - 1] == '\r')
					p.line_len--;
				break;
			}
			if (i < len && scn->text[i] == '\n')
				l++;
		}
		perr(&p, pending.col,
		     "'%s' has no command after it to apply to",
		     outcome_name(pending.kind));
	}
	bytes_free(&pending.panic_text);
	table_move(&p.procs, &scn->processes, &scn->process_count);
	table_move(&p.threads, &scn->threads, &scn->thread_count);
	table_move(&p.regions, &scn->regions, &scn->region_count);
	if (p.oom || p.errors) {
		scenario_free(scn);
		return p.oom ? parse_oom(d, file_name, p.lineno) : -EINVAL;
	}
	*out = scn;
	return 0;
}

int scenario_load_file(const char *path, size_t max_input, struct diag *d,
		       struct scenario **out)
{
	bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	size_t len = 0, cap = 0, limit = max_input ? max_input
						   : SCN_MAX_INPUT_DEFAULT;
	char *buf = NULL;
	int rc;

	*out = NULL;
	if (!f) {
		diag_error_plain(d, "cannot open '%s': %s", path,
				 strerror(errno));
		return -EIO;
	}
	/* read at most limit + 1 bytes: one more says the input is too big */
	for (;;) {
		size_t got, want;

		if (len == cap) {
			size_t ncap = cap ? 2 * cap : 65536;
			char *nbuf;

			if (ncap > limit + 1)
				ncap = limit + 1;
			nbuf = ncap > cap ? realloc(buf, ncap) : NULL;
			if (!nbuf) {
				diag_error_plain(d, "out of memory reading '%s' (%zu bytes read)",
						 name, len);
				rc = -ENOMEM;
				goto out;
			}
			buf = nbuf;
			cap = ncap;
		}
		want = cap - len;
		got = fread(buf + len, 1, want, f);
		len += got;
		if (len > limit) {
			diag_error_at(d, name, 0, 0, NULL, 0,
				      "input larger than %zu bytes (--max-input=SIZE changes the limit)",
				      limit);
			rc = -EFBIG;
			goto out;
		}
		if (got < want)
			break;
	}
	if (ferror(f)) {
		diag_error_plain(d, "cannot read '%s': %s", name,
				 strerror(errno));
		rc = -EIO;
		goto out;
	}
	rc = scenario_parse(name, buf, len, d, out);
out:
	free(buf);
	if (!is_stdin)
		fclose(f);
	return rc;
}
