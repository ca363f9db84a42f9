/*
 * args.c - the arguments of each scenario command: names, numbers,
 * fields, values, memory types and permissions, checked and resolved into
 * a struct scn_cmd. Each handler reports the first bad argument and returns
 * false; the argument count was checked before it is called.
 */
#include <config.h>

#include "parser.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_manager.h"

/* Tables larger than this get no "did you mean" (it would be slow). */
#define SUGGEST_NAMES_MAX 1000
_Static_assert(SUGGEST_NAMES_MAX <= NAME_EXACT_MAX,
	       "a table keeps the names it suggests");

const char *const scn_perms_names[4] = { "r", "rw", "rx", "rwx" };
static const unsigned perms_bits[] = {
	MAR_READABLE,
	MAR_READABLE | MAR_WRITABLE,
	MAR_READABLE | MAR_EXECUTABLE,
	MAR_READABLE | MAR_WRITABLE | MAR_EXECUTABLE,
};

const char *const scn_field_names[SCN_FIELD_COUNT] = {
	"ipc", "context", "self", "tls",
};

size_t scn_field_room(const struct scn_field_ref *f)
{
	size_t room;

	if (f->id == SCN_FIELD_IPC)
		return TLS_IPC_SIZE - f->off;
	room = SCN_TLS_REACH - f->off;
	return room < TLS_IPC_SIZE ? room : TLS_IPC_SIZE;
}

const char *scn_field_text(const struct scn_field_ref *f, char *buf,
			   size_t size)
{
	if (f->id == SCN_FIELD_IPC && f->off)
		snprintf(buf, size, "ipc+0x%zx", f->off);
	else if (f->id == SCN_FIELD_TLS)
		snprintf(buf, size, "tls+0x%zx", f->off);
	else
		snprintf(buf, size, "%s", scn_field_names[f->id]);
	return buf;
}

bool tok_is(const struct scn_token *t, const char *word)
{
	return !t->quoted && t->len == strlen(word) &&
	       memcmp(t->text, word, t->len) == 0;
}

const char *did_you_mean(char *buf, size_t size,
				const struct scn_token *t,
				const char *const *cands, size_t n)
{
	size_t i = diag_suggest(t->text, t->len, cands, n);

	buf[0] = '\0';
	if (i != (size_t)-1)
		snprintf(buf, size, " (did you mean '%s'?)", cands[i]);
	return buf;
}

bool lex_failed(struct parser *p, int rc, const struct scn_lex_error *e)
{
	if (rc == -2)
		return poom(p);
	return perr(p, e->col, "%s", e->msg);
}

bool arg_number(struct parser *p, const struct scn_token *t, uint64_t *out)
{
	struct scn_lex_error e;

	if (scn_lex_number(t, out, &e) < 0)
		return lex_failed(p, -1, &e);
	return true;
}

bool arg_aligned(struct parser *p, const struct scn_token *t,
		    const char *what, uint64_t v)
{
	if (v % PAGE_SIZE == 0)
		return true;
	return perr(p, t->col, "%s 0x%llx is not page aligned (0x%zx)", what,
		    (unsigned long long)v, PAGE_SIZE);
}

/*
 * Whether t's bytes make a name: the lexer's mark when it set one, else
 * the bytes looked at (a token not from scn_lex_line has no mark).
 */
static bool token_is_name(const struct scn_token *t)
{
	return t->name || scn_lex_is_name(t->text, t->len);
}

/* check_name's error, or true for a name the lexer did not mark. */
static bool __attribute__((noinline))
check_name_slow(struct parser *p, const struct scn_token *t,
		const char *what)
{
	char q[64];

	if (t->quoted)
		return perr(p, t->col, "expected a %s name, found a string",
			    what);
	if (token_is_name(t))
		return true;
	diag_quote(q, sizeof(q), t->text, t->len);
	return perr(p, t->col,
		    "bad %s name '%s' (a name is a letter or '_', then letters, digits, '_', '.', '-')",
		    what, q);
}

/*
 * A valid name in t, or an error naming what was expected. A word the
 * lexer marked a name is one (inline: a line's names pass here).
 */
static inline bool check_name(struct parser *p, const struct scn_token *t,
			      const char *what)
{
	return (!t->quoted && t->name) || check_name_slow(p, t, what);
}

/*
 * Report the name in tok unknown in t, with the closest of its names
 * while they are few. Returns false.
 */
static bool unknown_name(struct parser *p, const struct name_table *t,
			 const struct scn_token *tok)
{
	const char *cands[SUGGEST_NAMES_MAX];
	char q[64], dym[96] = "";

	/* a compact table is past the list (see NAME_EXACT_MAX) */
	if (!t->compact && t->n <= SUGGEST_NAMES_MAX) {
		for (size_t i = 0; i < t->n; i++)
			cands[i] = t->v[i].name;
		did_you_mean(dym, sizeof(dym), tok, cands, t->n);
	}
	diag_quote(q, sizeof(q), tok->text, tok->len);
	return perr(p, tok->col, "unknown %s '%s'%s", t->what, q, dym);
}

bool arg_resolve(struct parser *p, struct name_table *t,
		    const struct scn_token *tok, size_t *out)
{
	if (!check_name(p, tok, t->what))
		return false;
	*out = name_find_token(t, tok);
	if (*out == SCN_NONE)
		return unknown_name(p, t, tok);
	name_used(t, *out);
	return true;
}

bool arg_declare(struct parser *p, struct name_table *t,
		    const struct scn_token *tok, size_t process, size_t *out,
		    bool quiet)
{
	size_t old;
	char q[64];

	if (quiet && (tok->quoted || !token_is_name(tok)))
		return false;
	if (!quiet && !check_name(p, tok, t->what))
		return false;
	*out = name_add(p, t, tok, process, &old);
	if (*out == SCN_NONE) {
		if (old == SCN_NONE || quiet)
			return false;
		diag_quote(q, sizeof(q), tok->text, tok->len);
		return perr(p, tok->col,
			    "duplicate name '%s': %s '%s' was already declared at line %zu",
			    q, t->what, q, name_line(t, old));
	}
	name_used(t, *out);
	return true;
}

bool arg_type(struct parser *p, const struct scn_token *t,
		     enum memory_type *out)
{
	const char *cands[MEM_TYPE_COUNT];
	char word[WORD_MAX + 1], q[64], dym[96];

	if (!t->quoted && t->len <= WORD_MAX) {
		memcpy(word, t->text, t->len);
		word[t->len] = '\0';
		*out = memory_type_from_name(word);
		if (*out != MEM_TYPE_COUNT)
			return true;
	}
	for (int i = 0; i < MEM_TYPE_COUNT; i++)
		cands[i] = memory_type_name((enum memory_type)i);
	diag_quote(q, sizeof(q), t->text, t->len);
	return perr(p, t->col, "unknown memory type '%s'%s", q,
		    did_you_mean(dym, sizeof(dym), t, cands, MEM_TYPE_COUNT));
}

bool is_perms(const struct scn_token *t, unsigned *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(scn_perms_names); i++) {
		if (tok_is(t, scn_perms_names[i])) {
			*out = perms_bits[i];
			return true;
		}
	}
	return false;
}

bool arg_perms(struct parser *p, const struct scn_token *t,
		      unsigned *out)
{
	char q[64], dym[96];

	if (is_perms(t, out))
		return true;
	diag_quote(q, sizeof(q), t->text, t->len);
	did_you_mean(dym, sizeof(dym), t, scn_perms_names, ARRAY_SIZE(scn_perms_names));
	return perr(p, t->col, "bad permissions '%s'%s", q,
		    dym[0] ? dym : " (expected r, rw, rx or rwx)");
}

/*
 * Whether t is prefix ("ipc+") followed by a number: 1 with the number in
 * *off and its column in *col; 0 when the number is bad (reported); -1
 * when t does not start with prefix.
 */
static int offset_after(struct parser *p, const struct scn_token *t,
			const char *prefix, uint64_t *off, size_t *col)
{
	size_t n = strlen(prefix);
	struct scn_token num;

	if (t->quoted || t->len <= n || memcmp(t->text, prefix, n) != 0)
		return -1;
	num = (struct scn_token){ .text = t->text + n, .len = t->len - n,
				  .col = t->col + n };
	*col = num.col;
	return arg_number(p, &num, off) ? 1 : 0;
}

bool arg_field(struct parser *p, const struct scn_token *t,
		      struct scn_field_ref *f)
{
	char q[64], dym[96];
	uint64_t off;
	size_t col;
	int rc;

	f->off = 0;
	if (tok_is(t, "ipc")) {
		f->id = SCN_FIELD_IPC;
		return true;
	}
	if (tok_is(t, "context")) {
		f->id = SCN_FIELD_CONTEXT;
		return true;
	}
	if (tok_is(t, "self")) {
		f->id = SCN_FIELD_SELF;
		return true;
	}
	if ((rc = offset_after(p, t, "ipc+", &off, &col)) >= 0) {
		if (!rc)
			return false;
		if (off >= TLS_IPC_SIZE)
			return perr(p, col,
				    "ipc offset 0x%llx is outside the IPC buffer (0x%zx bytes)",
				    (unsigned long long)off, TLS_IPC_SIZE);
		f->id = SCN_FIELD_IPC;
		f->off = (size_t)off;
		return true;
	}
	if ((rc = offset_after(p, t, "tls+", &off, &col)) >= 0) {
		if (!rc)
			return false;
		if (off >= SCN_TLS_REACH)
			return perr(p, col,
				    "tls offset 0x%llx is past the reach of tls+OFF (below 0x%zx)",
				    (unsigned long long)off, SCN_TLS_REACH);
		f->id = SCN_FIELD_TLS;
		f->off = (size_t)off;
		return true;
	}
	if (tok_is(t, "tls"))
		return perr(p, t->col,
			    "field 'tls' needs an offset: tls+OFF (tls+0x0 is the region's first byte)");
	diag_quote(q, sizeof(q), t->text, t->len);
	did_you_mean(dym, sizeof(dym), t, scn_field_names, SCN_FIELD_COUNT);
	return perr(p, t->col, "unknown field '%s'%s", q,
		    dym[0] ? dym : " (expected ipc, ipc+OFF, context, self or tls+OFF)");
}

bool arg_value(struct parser *p, const struct scn_token *t,
		      const struct scn_field_ref *f, bool offset_only,
		      struct scn_value *v)
{
	struct scn_lex_error e;
	size_t room;
	int rc;

	if (scn_field_is_bytes(f->id)) {
		char fname[24];

		room = scn_field_room(f);
		if (t->quoted)
			rc = scn_lex_string(t, &v->bytes.data, &v->bytes.len, &e);
		else if (t->len >= 2 && t->text[0] == '0' &&
			 (t->text[1] == 'x' || t->text[1] == 'X'))
			rc = scn_lex_hex_bytes(t, &v->bytes.data, &v->bytes.len,
					       &e);
		else
			return perr(p, t->col,
				    "a value for '%s' is \"text\" or 0xHEX bytes",
				    scn_field_names[f->id]);
		if (rc < 0)
			return lex_failed(p, rc, &e);
		v->kind = SCN_VALUE_BYTES;
		if (v->bytes.len > room)
			return perr(p, t->col,
				    "value of %zu bytes is too long for %s (room for %zu byte%s)",
				    v->bytes.len,
				    f->off || f->id == SCN_FIELD_TLS ?
				    scn_field_text(f, fname, sizeof(fname)) :
				    "ipc+0x0", room, room == 1 ? "" : "s");
		return true;
	}
	room = sizeof(void *);
	if (t->quoted) {
		if (offset_only)
			return perr(p, t->col,
				    "'self' is compared with an OFFSET into the user land, not text");
		rc = scn_lex_string(t, &v->bytes.data, &v->bytes.len, &e);
		if (rc < 0)
			return lex_failed(p, rc, &e);
		v->kind = SCN_VALUE_BYTES;
		if (v->bytes.len > room)
			return perr(p, t->col,
				    "value of %zu bytes is too long for '%s' (%zu bytes)",
				    v->bytes.len, scn_field_names[f->id], room);
		return true;
	}
	if (!arg_number(p, t, &v->number))
		return false;
	v->kind = SCN_VALUE_NUMBER;
	if (v->number > UINTPTR_MAX)
		return perr(p, t->col,
			    "value 0x%llx is too long for '%s' (%zu bytes)",
			    (unsigned long long)v->number, scn_field_names[f->id], room);
	return true;
}
