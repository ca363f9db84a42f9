/*
 * scenario_args.c - the arguments of each scenario command: names, numbers,
 * fields, values, memory types and permissions, checked and resolved into
 * a struct scn_cmd. Each handler reports the first bad argument and returns
 * false; the argument count was checked before it is called.
 */
#include <config.h>

#include "scenario_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "tls_manager.h"

/* Longest name looked up in a table of suggestions. */
#define WORD_MAX 64
/* Tables larger than this get no "did you mean" (it would be slow). */
#define SUGGEST_NAMES_MAX 1000

static const char *const perms_names[] = { "r", "rw", "rx", "rwx" };
static const unsigned perms_bits[] = {
	MAR_READABLE,
	MAR_READABLE | MAR_WRITABLE,
	MAR_READABLE | MAR_EXECUTABLE,
	MAR_READABLE | MAR_WRITABLE | MAR_EXECUTABLE,
};
static const char *const field_names[] = { "ipc", "context", "self" };

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static bool tok_is(const struct scn_token *t, const char *word)
{
	return !t->quoted && t->len == strlen(word) &&
	       memcmp(t->text, word, t->len) == 0;
}

/* " (did you mean 'X'?)" for the closest candidate, or "". */
static const char *did_you_mean(char *buf, size_t size,
				const struct scn_token *t,
				const char *const *cands, size_t n)
{
	size_t i = diag_suggest(t->text, t->len, cands, n);

	buf[0] = '\0';
	if (i != (size_t)-1)
		snprintf(buf, size, " (did you mean '%s'?)", cands[i]);
	return buf;
}

/* Forward a lexer error to the diagnostics. */
static bool lex_failed(struct parser *p, int rc, const struct scn_lex_error *e)
{
	if (rc == -2)
		return poom(p);
	return perr(p, e->col, "%s", e->msg);
}

static bool number(struct parser *p, const struct scn_token *t, uint64_t *out)
{
	struct scn_lex_error e;

	if (scn_lex_number(t, out, &e) < 0)
		return lex_failed(p, -1, &e);
	return true;
}

static bool aligned(struct parser *p, const struct scn_token *t,
		    const char *what, uint64_t v)
{
	if (v % PAGE_SIZE == 0)
		return true;
	return perr(p, t->col, "%s 0x%llx is not page aligned (0x%zx)", what,
		    (unsigned long long)v, PAGE_SIZE);
}

/* A valid name in t, or an error naming what was expected. */
static bool check_name(struct parser *p, const struct scn_token *t,
		       const char *what)
{
	char q[64];

	if (t->quoted)
		return perr(p, t->col, "expected a %s name, found a string",
			    what);
	if (scn_lex_is_name(t->text, t->len))
		return true;
	diag_quote(q, sizeof(q), t->text, t->len);
	return perr(p, t->col,
		    "bad %s name '%s' (a name is a letter or '_', then letters, digits, '_', '.', '-')",
		    what, q);
}

/* Resolve a declared name of table t into *out. */
static bool resolve(struct parser *p, struct name_table *t,
		    const struct scn_token *tok, size_t *out)
{
	const char *cands[SUGGEST_NAMES_MAX];
	char q[64], dym[96] = "";

	if (!check_name(p, tok, t->what))
		return false;
	*out = name_find(t, tok->text, tok->len);
	if (*out != SCN_NONE)
		return true;
	if (t->n <= SUGGEST_NAMES_MAX) {
		for (size_t i = 0; i < t->n; i++)
			cands[i] = t->v[i].name;
		did_you_mean(dym, sizeof(dym), tok, cands, t->n);
	}
	diag_quote(q, sizeof(q), tok->text, tok->len);
	return perr(p, tok->col, "unknown %s '%s'%s", t->what, q, dym);
}

/* Declare a new name of table t into *out; quiet: report nothing. */
static bool declare(struct parser *p, struct name_table *t,
		    const struct scn_token *tok, size_t process, size_t *out,
		    bool quiet)
{
	size_t old;
	char q[64];

	if (quiet && (tok->quoted || !scn_lex_is_name(tok->text, tok->len)))
		return false;
	if (!quiet && !check_name(p, tok, t->what))
		return false;
	old = name_find(t, tok->text, tok->len);
	if (old != SCN_NONE) {
		if (quiet)
			return false;
		diag_quote(q, sizeof(q), tok->text, tok->len);
		return perr(p, tok->col,
			    "duplicate name '%s': %s '%s' was already declared at line %zu",
			    q, t->what, q, t->v[old].line);
	}
	*out = name_add(p, t, tok, process);
	return *out != SCN_NONE;
}

static bool type_arg(struct parser *p, const struct scn_token *t,
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

static bool is_perms(const struct scn_token *t, unsigned *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(perms_names); i++) {
		if (tok_is(t, perms_names[i])) {
			*out = perms_bits[i];
			return true;
		}
	}
	return false;
}

static bool perms_arg(struct parser *p, const struct scn_token *t,
		      unsigned *out)
{
	char q[64], dym[96];

	if (is_perms(t, out))
		return true;
	diag_quote(q, sizeof(q), t->text, t->len);
	did_you_mean(dym, sizeof(dym), t, perms_names, ARRAY_SIZE(perms_names));
	return perr(p, t->col, "bad permissions '%s'%s", q,
		    dym[0] ? dym : " (expected r, rw, rx or rwx)");
}

static bool field_arg(struct parser *p, const struct scn_token *t,
		      struct scn_field_ref *f)
{
	char q[64], dym[96];
	uint64_t off;

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
	if (!t->quoted && t->len > 4 && memcmp(t->text, "ipc+", 4) == 0) {
		struct scn_token num = {
			.text = t->text + 4, .len = t->len - 4,
			.col = t->col + 4,
		};

		if (!number(p, &num, &off))
			return false;
		if (off >= TLS_IPC_SIZE)
			return perr(p, num.col,
				    "ipc offset 0x%llx is outside the IPC buffer (0x%zx bytes)",
				    (unsigned long long)off, TLS_IPC_SIZE);
		f->id = SCN_FIELD_IPC;
		f->off = (size_t)off;
		return true;
	}
	diag_quote(q, sizeof(q), t->text, t->len);
	did_you_mean(dym, sizeof(dym), t, field_names, ARRAY_SIZE(field_names));
	return perr(p, t->col, "unknown field '%s'%s", q,
		    dym[0] ? dym : " (expected ipc, ipc+OFF, context or self)");
}

static const char *field_name(const struct scn_field_ref *f)
{
	return field_names[f->id];
}

/*
 * A value for field f. For `expect read T self`, offset_only: a number that
 * is an offset into the user land, no text.
 */
static bool value_arg(struct parser *p, const struct scn_token *t,
		      const struct scn_field_ref *f, bool offset_only,
		      struct scn_value *v)
{
	struct scn_lex_error e;
	size_t room;
	int rc;

	if (f->id == SCN_FIELD_IPC) {
		room = TLS_IPC_SIZE - f->off;
		if (t->quoted)
			rc = scn_lex_string(t, &v->bytes.data, &v->bytes.len, &e);
		else if (t->len >= 2 && t->text[0] == '0' &&
			 (t->text[1] == 'x' || t->text[1] == 'X'))
			rc = scn_lex_hex_bytes(t, &v->bytes.data, &v->bytes.len,
					       &e);
		else
			return perr(p, t->col,
				    "a value for 'ipc' is \"text\" or 0xHEX bytes");
		if (rc < 0)
			return lex_failed(p, rc, &e);
		v->kind = SCN_VALUE_BYTES;
		if (v->bytes.len > room)
			return perr(p, t->col,
				    "value of %zu bytes is too long for ipc+0x%zx (room for %zu byte%s)",
				    v->bytes.len, f->off, room,
				    room == 1 ? "" : "s");
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
				    v->bytes.len, field_name(f), room);
		return true;
	}
	if (!number(p, t, &v->number))
		return false;
	v->kind = SCN_VALUE_NUMBER;
	if (v->number > UINTPTR_MAX)
		return perr(p, t->col,
			    "value 0x%llx is too long for '%s' (%zu bytes)",
			    (unsigned long long)v->number, field_name(f), room);
	return true;
}

bool h_process(struct parser *p, struct scn_cmd *c,
	       const struct scn_token *a, size_t n)
{
	static const char opt[] = "userland=";
	size_t olen = sizeof(opt) - 1;
	struct scn_token num;
	char q[64];

	if (!declare(p, &p->procs, &a[0], SCN_NONE, &c->process, false))
		return false;
	c->size = PMEM_DEFAULT_USERLAND;
	if (n < 2)
		return true;
	if (a[1].quoted || a[1].len < olen || memcmp(a[1].text, opt, olen)) {
		diag_quote(q, sizeof(q), a[1].text, a[1].len);
		return perr(p, a[1].col,
			    "unknown option '%s' for 'process' (expected userland=SIZE)",
			    q);
	}
	num = (struct scn_token){
		.text = a[1].text + olen, .len = a[1].len - olen,
		.col = a[1].col + olen,
	};
	if (!number(p, &num, &c->size) || !aligned(p, &num, "user land size", c->size))
		return false;
	if (c->size < PAGE_SIZE)
		return perr(p, num.col,
			    "user land size must be at least one page (0x%zx)",
			    PAGE_SIZE);
	if (c->size > SIZE_MAX)
		return perr(p, num.col, "user land size 0x%llx is too big for this host",
			    (unsigned long long)c->size);
	return true;
}

/*
 * process OFFSET SIZE of map and unmap, both page aligned -- unless the
 * command is expected to fail with a KernelError: then the kernel, not the
 * parser, answers an unaligned value (InvalidAddress, InvalidSize), so that
 * labs can check the original's errors and their order.
 */
static bool region_args(struct parser *p, struct scn_cmd *c,
			const struct scn_token *a)
{
	bool kernel_judges = c->expect.kind == SCN_OUTCOME_ERROR;

	return resolve(p, &p->procs, &a[0], &c->process) &&
	       number(p, &a[1], &c->offset) &&
	       (kernel_judges || aligned(p, &a[1], "offset", c->offset)) &&
	       number(p, &a[2], &c->size) &&
	       (kernel_judges || aligned(p, &a[2], "size", c->size));
}

bool h_map(struct parser *p, struct scn_cmd *c,
	   const struct scn_token *a, size_t n)
{
	const char *cands[MEM_TYPE_COUNT + ARRAY_SIZE(perms_names)];
	char q[64], dym[96], word[WORD_MAX + 1];

	c->type = MEM_NORMAL;
	c->perms = SCN_PERMS_DEFAULT;
	c->perms_given = true;
	if (!region_args(p, c, a))
		return false;
	if (n == 5)
		return type_arg(p, &a[3], &c->type) &&
		       perms_arg(p, &a[4], &c->perms);
	if (n < 4 || is_perms(&a[3], &c->perms))
		return true;
	if (!a[3].quoted && a[3].len <= WORD_MAX) {
		memcpy(word, a[3].text, a[3].len);
		word[a[3].len] = '\0';
		c->type = memory_type_from_name(word);
		if (c->type != MEM_TYPE_COUNT)
			return true;
	}
	for (int i = 0; i < MEM_TYPE_COUNT; i++)
		cands[i] = memory_type_name((enum memory_type)i);
	for (size_t i = 0; i < ARRAY_SIZE(perms_names); i++)
		cands[MEM_TYPE_COUNT + i] = perms_names[i];
	diag_quote(q, sizeof(q), a[3].text, a[3].len);
	return perr(p, a[3].col,
		    "unknown memory type or permissions '%s'%s", q,
		    did_you_mean(dym, sizeof(dym), &a[3], cands,
				 ARRAY_SIZE(cands)));
}

bool h_unmap(struct parser *p, struct scn_cmd *c,
	     const struct scn_token *a, size_t n)
{
	(void)n;
	return region_args(p, c, a);
}

bool h_spawn(struct parser *p, struct scn_cmd *c,
	     const struct scn_token *a, size_t n)
{
	(void)n;
	if (!resolve(p, &p->procs, &a[0], &c->process)) {
		/* Declare the thread anyway: one mistake, one message. */
		declare(p, &p->threads, &a[1], SCN_NONE, &c->thread, true);
		return false;
	}
	return declare(p, &p->threads, &a[1], c->process, &c->thread, false);
}

bool h_thread_only(struct parser *p, struct scn_cmd *c,
		   const struct scn_token *a, size_t n)
{
	(void)n;
	return resolve(p, &p->threads, &a[0], &c->thread);
}

bool h_process_only(struct parser *p, struct scn_cmd *c,
		    const struct scn_token *a, size_t n)
{
	(void)n;
	return resolve(p, &p->procs, &a[0], &c->process);
}

bool h_write(struct parser *p, struct scn_cmd *c,
	     const struct scn_token *a, size_t n)
{
	(void)n;
	return resolve(p, &p->threads, &a[0], &c->thread) &&
	       field_arg(p, &a[1], &c->field) &&
	       value_arg(p, &a[2], &c->field, false, &c->value);
}

bool h_read(struct parser *p, struct scn_cmd *c,
	    const struct scn_token *a, size_t n)
{
	if (!resolve(p, &p->threads, &a[0], &c->thread) ||
	    !field_arg(p, &a[1], &c->field))
		return false;
	if (c->field.id != SCN_FIELD_IPC) {
		c->len = sizeof(void *);
		if (n == 3)
			return perr(p, a[2].col,
				    "a length applies only to 'ipc' ('%s' is one pointer)",
				    field_name(&c->field));
		return true;
	}
	c->len = TLS_IPC_SIZE - c->field.off;
	if (n < 3)
		return true;
	c->len_given = true;
	if (!number(p, &a[2], &c->len))
		return false;
	if (c->len == 0)
		return perr(p, a[2].col, "length must be at least 1");
	if (c->len > TLS_IPC_SIZE - c->field.off)
		return perr(p, a[2].col,
			    "reading 0x%llx bytes at ipc+0x%zx goes past the IPC buffer (0x%zx bytes)",
			    (unsigned long long)c->len, c->field.off,
			    TLS_IPC_SIZE);
	return true;
}

bool h_tls_alloc(struct parser *p, struct scn_cmd *c,
		 const struct scn_token *a, size_t n)
{
	char q[64];

	if (!resolve(p, &p->procs, &a[0], &c->process))
		return false;
	if (n == 1)
		return true;
	if (!tok_is(&a[1], "as")) {
		diag_quote(q, sizeof(q), a[1].text, a[1].len);
		return perr(p, a[1].col, "expected 'as NAME', found '%s'", q);
	}
	return declare(p, &p->regions, &a[2], c->process, &c->region, false);
}

bool h_tls_free(struct parser *p, struct scn_cmd *c,
		const struct scn_token *a, size_t n)
{
	const struct scn_name *r;

	(void)n;
	if (!resolve(p, &p->procs, &a[0], &c->process))
		return false;
	if (!a[1].quoted && a[1].len && a[1].text[0] >= '0' &&
	    a[1].text[0] <= '9')
		return number(p, &a[1], &c->offset);
	if (!resolve(p, &p->regions, &a[1], &c->region))
		return false;
	r = &p->regions.v[c->region];
	if (r->process != c->process)
		return perr(p, a[1].col,
			    "region '%s' was allocated in process '%s', not '%s'",
			    r->name, p->procs.v[r->process].name,
			    p->procs.v[c->process].name);
	return true;
}

bool h_expect_tls(struct parser *p, struct scn_cmd *c,
		  const struct scn_token *a, size_t n)
{
	(void)n;
	return resolve(p, &p->threads, &a[0], &c->thread) &&
	       number(p, &a[1], &c->offset);
}

bool h_expect_count(struct parser *p, struct scn_cmd *c,
		    const struct scn_token *a, size_t n)
{
	(void)n;
	return resolve(p, &p->procs, &a[0], &c->process) &&
	       number(p, &a[1], &c->count);
}

bool h_expect_read(struct parser *p, struct scn_cmd *c,
		   const struct scn_token *a, size_t n)
{
	(void)n;
	if (!resolve(p, &p->threads, &a[0], &c->thread) ||
	    !field_arg(p, &a[1], &c->field))
		return false;
	return value_arg(p, &a[2], &c->field, c->field.id == SCN_FIELD_SELF,
			 &c->value);
}

bool h_expect_map(struct parser *p, struct scn_cmd *c,
		  const struct scn_token *a, size_t n)
{
	if (!resolve(p, &p->procs, &a[0], &c->process) ||
	    !number(p, &a[1], &c->offset) || !type_arg(p, &a[2], &c->type))
		return false;
	c->perms_given = n == 4;
	return n < 4 || perms_arg(p, &a[3], &c->perms);
}

bool h_peek(struct parser *p, struct scn_cmd *c,
	    const struct scn_token *a, size_t n)
{
	(void)n;
	return resolve(p, &p->threads, &a[0], &c->thread) &&
	       resolve(p, &p->procs, &a[1], &c->process) &&
	       number(p, &a[2], &c->offset);
}

bool h_poke(struct parser *p, struct scn_cmd *c,
	    const struct scn_token *a, size_t n)
{
	struct scn_lex_error e;
	int rc;

	if (!h_peek(p, c, a, n))
		return false;
	if (!a[3].quoted) {
		c->value.kind = SCN_VALUE_NUMBER;
		return number(p, &a[3], &c->value.number);
	}
	rc = scn_lex_string(&a[3], &c->value.bytes.data, &c->value.bytes.len,
			    &e);
	if (rc < 0)
		return lex_failed(p, rc, &e);
	c->value.kind = SCN_VALUE_BYTES;
	if (c->value.bytes.len > SCN_POKE_MAX)
		return perr(p, a[3].col,
			    "value of %zu bytes is too long for 'poke' (at most %u bytes)",
			    c->value.bytes.len, SCN_POKE_MAX);
	return true;
}

bool h_inject(struct parser *p, struct scn_cmd *c,
	      const struct scn_token *a, size_t n)
{
	(void)n;
	if (!number(p, &a[0], &c->count))
		return false;
	if (c->count > UINT_MAX)
		return perr(p, a[0].col, "count %llu is too big (at most %u)",
			    (unsigned long long)c->count, UINT_MAX);
	return true;
}

bool h_expect_panic(struct parser *p, struct scn_cmd *c,
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

bool h_expect_error(struct parser *p, struct scn_cmd *c,
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

bool h_expect_fault(struct parser *p, struct scn_cmd *c,
		    const struct scn_token *a, size_t n)
{
	(void)p;
	(void)a;
	(void)n;
	c->expect.kind = SCN_OUTCOME_FAULT;
	return true;
}
