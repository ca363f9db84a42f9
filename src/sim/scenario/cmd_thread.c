/*
 * cmd_thread.c - the commands about threads: spawn, exit, switch, and the
 * ones that act as a thread: write, read (and expect read), peek, poke.
 * Those switch the CPU to the thread and run a job on the thread's own
 * stack, which reaches the TLS only through the register (peek and poke:
 * plain loads and stores at a flat address). A fault kills the thread; the
 * step's outcome says so.
 */
#include <config.h>

#include "runner.h"
#include "report/escape.h"
#include "report/place.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- spawn P T, exit T, switch T ---- */

static bool parse_spawn(struct parser *p, struct scn_cmd *c,
			const struct scn_token *a, size_t n)
{
	(void)n;
	if (!arg_resolve(p, &p->procs, &a[0], &c->process)) {
		/* Declare the thread anyway: one mistake, one message. */
		arg_declare(p, &p->threads, &a[1], SCN_NONE, &c->thread, true);
		return false;
	}
	return arg_declare(p, &p->threads, &a[1], c->process, &c->thread,
			   false);
}

/*
 * spawn P T: the kernel creates T (allocating its TLS); the runner keeps
 * its handle and TLS offset, and finds it for its events by tid, or by
 * the name the kernel keeps (runner_thread_of).
 */
static void exec_spawn(struct runner *r, const struct scn_cmd *c,
		       struct step *s)
{
	struct thread *t = NULL;
	enum kernel_error err;

	err = thread_create(r->k, r->procs[c->process],
			    runner_thread_name(r, c->thread), NULL, NULL, &t);
	step_error(s, err);
	if (err)
		return;
	r->th[c->thread].t = t;
	r->th[c->thread].tls_offset = thread_tls_offset(t);
	if (r->names)
		r->names->borrow(r->names_ctx, c->thread, thread_name(t));
	if (!r->names &&
	    !tidmap_put(&r->th_by_tid, thread_tid(t), c->thread)) {
		s->o.kind = OUT_HOST;
		snprintf(s->o.message, sizeof(s->o.message),
			 "no memory for the runner's thread index");
	}
}

static bool parse_thread_only(struct parser *p, struct scn_cmd *c,
			      const struct scn_token *a, size_t n)
{
	(void)n;
	return arg_resolve(p, &p->threads, &a[0], &c->thread);
}

static void exec_exit(struct runner *r, const struct scn_cmd *c,
		      struct step *s)
{
	r->death_how = DEATH_EXITED;
	step_error(s, thread_exit(r->k, r->th[c->thread].t));
}

static void exec_switch(struct runner *r, const struct scn_cmd *c,
			struct step *s)
{
	step_error(s, kernel_switch_to(r->k, r->th[c->thread].t));
}

/* ---- jobs run as a thread, on its stack ---- */

/* Where a field lives in the region, and how many bytes it has. */
static void field_place(const struct scn_field_ref *f, size_t *off,
			size_t *len)
{
	*len = sizeof(void *);
	switch (f->id) {
	case SCN_FIELD_IPC:
		*off = TLS_OFF_IPC + f->off;
		*len = TLS_IPC_SIZE - f->off;
		break;
	case SCN_FIELD_CONTEXT:
		*off = TLS_OFF_CONTEXT;
		break;
	case SCN_FIELD_TLS:
		*off = f->off;
		*len = scn_field_room(f);
		break;
	default:
		*off = TLS_OFF_SELF;
		break;
	}
}

/*
 * A value as "P+0xOFF" when it points into the user land of a live process
 * (deterministic whatever ASLR does). Returns false, writing nothing, when
 * it points into none.
 */
static bool pointer_text(const struct kernel *k, uint64_t v, char *buf,
			 size_t size)
{
	return place_addr(k, (uintptr_t)v, false, buf, size) != NULL;
}

/* Bytes as a quoted, escaped string. */
static void bytes_text(const uint8_t *b, size_t len, char *buf, size_t size)
{
	size_t n = 0;

	if (size < 8)
		return;
	buf[n++] = '"';
	for (size_t i = 0; i < len && n + 8 < size; i++)
		n += escape_byte(b[i], ESCAPE_VALUE, buf + n);
	buf[n++] = '"';
	buf[n] = '\0';
}

/*
 * Bytes as text in memory order, as hexdump -C shows them: "|secret o|",
 * a byte that is not printable ASCII as '.'. Nothing for no bytes.
 */
static void ascii_text(const uint8_t *b, size_t len, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	if (len == 0 || size < len + 3)
		return;
	buf[n++] = '|';
	for (size_t i = 0; i < len; i++)
		buf[n++] = b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : '.';
	buf[n++] = '|';
	buf[n] = '\0';
}

/*
 * Bytes [from, from + count) of b, which holds the region from a word
 * aligned offset on (tls+OFF), as quoted runs of bytes and, where a
 * word that the range touches points into a live user land, that pointer
 * as P+0xOFF: no host address, not even a part of one, is printed.
 */
static void region_text(const struct kernel *k, const uint8_t *b, size_t full,
			size_t from, size_t count, char *buf, size_t size)
{
	const size_t w = sizeof(uintptr_t);
	size_t n = 0, i = from, end = from + count;
	bool open = false;

	buf[0] = '\0';
	while (i < end && n + 40 < size) {
		size_t word_at = i - i % w;
		uintptr_t word;
		char ptr[48];

		if (word_at + w <= full) {
			memcpy(&word, b + word_at, w);
			if (pointer_text(k, word, ptr, sizeof(ptr))) {
				n += (size_t)snprintf(buf + n, size - n, "%s%s",
						      open ? "\" " : n ? " " : "",
						      ptr);
				open = false;
				i = word_at + w;
				continue;
			}
		}
		if (!open) {
			n += (size_t)snprintf(buf + n, size - n, "%s\"",
					      n ? " " : "");
			open = true;
		}
		n += escape_byte(b[i++], ESCAPE_VALUE, buf + n);
	}
	if (open || n == 0)
		snprintf(buf + n, size - n, "%s", open ? "\"" : "\"\"");
}

/* Length without the trailing zero bytes (how `read T ipc` prints). */
static size_t trimmed_len(const uint8_t *b, size_t len)
{
	while (len > 0 && b[len - 1] == 0)
		len--;
	return len;
}

/* Whether buf starts with the bytes of b (always, for ""). */
static bool same_bytes(const uint8_t *buf, const struct scn_bytes *b)
{
	return b->len == 0 || memcmp(buf, b->data, b->len) == 0;
}

struct access_job {
	size_t off;		/* in the region (register path) */
	uintptr_t flat;		/* flat address (peek/poke), when nonzero */
	struct process *flat_proc;	/* whose user land flat is in */
	uint8_t buf[TLS_IPC_SIZE + 2 * sizeof(uintptr_t)];
	size_t len;
	bool store;
	uintptr_t reg;		/* the register the access went through */
};

static void access_job(struct kernel *k, struct thread *t, void *arg)
{
	struct access_job *j = arg;

	if (j->flat) {
		kernel_emit(k, &(struct trace_event){
			.kind = j->store ? EV_USER_WRITE : EV_USER_READ,
			.proc = j->flat_proc, .thread = t,
			.offset = j->flat - process_userland_start(j->flat_proc),
			.length = j->len, .detail = "flat" });
		user_access_flat(k, j->flat, j->buf, j->len, j->store);
	} else if (j->store) {
		j->reg = kernel_tls_loaded(k);
		user_write(k, j->off, j->buf, j->len);
	} else {
		user_read(k, j->off, j->buf, j->len);
	}
}

/*
 * Run the job as t. Returns true when it ran; false with the step's
 * outcome filled when t is dead (InvalidState), the access faulted, or the
 * host refused t a stack.
 */
static bool run_job(struct runner *r, struct thread *t, struct access_job *j,
		    struct step *s)
{
	int rc;

	if (thread_dead(t)) {
		step_error(s, KERR_INVALID_STATE);
		return false;
	}
	rc = kernel_run_as(r->k, t, access_job, j);
	if (rc == 0)
		return true;
	if (rc > 0) {
		s->o.kind = OUT_FAULT;
		snprintf(s->o.message, sizeof(s->o.message), "%s: %s", thread_name(t),
			 kernel_last_fault(r->k));
	} else if (rc == -2) {
		s->o.kind = OUT_HOST;
		snprintf(s->o.message, sizeof(s->o.message),
			 "no host stack or address space for thread %s: %s",
			 thread_name(t), kernel_host_error());
	} else {
		step_error(s, KERR_INVALID_STATE);
	}
	return false;
}

/*
 * Fill a job that reads or writes field f of the running thread. A read
 * covers want_len bytes when len_given (an `expect read` of "" reads none),
 * else the rest of the field.
 */
static void field_job(struct access_job *j, const struct scn_field_ref *f,
		      const struct scn_value *v, bool len_given,
		      uint64_t want_len)
{
	size_t off, room;
	uintptr_t num;

	memset(j, 0, sizeof(*j));
	field_place(f, &off, &room);
	j->off = off;
	j->len = room;
	if (len_given && want_len < room)
		j->len = (size_t)want_len;
	if (!v)
		return;
	j->store = true;
	if (v->kind == SCN_VALUE_NUMBER) {
		num = (uintptr_t)v->number;
		memcpy(j->buf, &num, sizeof(num));
		j->len = sizeof(num);
	} else {
		j->len = v->bytes.len < room ? v->bytes.len : room;
		if (j->len)	/* "" has no data at all */
			memcpy(j->buf, v->bytes.data, j->len);
	}
}

/* Judge `expect read T FIELD VALUE` against what the job read. */
static void judge_read(struct runner *r, const struct scn_cmd *c,
		       struct step *s, const struct access_job *j,
		       uintptr_t v, const char *fname, const char *got_text)
{
	const struct thread *t = r->th[c->thread].t;
	char got[TLS_IPC_SIZE * 4 + 8], want[TLS_IPC_SIZE * 4 + 8];
	bool ok;

	snprintf(got, sizeof(got), "%s", got_text);
	switch (c->field.id) {
	case SCN_FIELD_SELF:
		if (c->value.kind == SCN_VALUE_NUMBER) {
			ok = v == process_userland_start(thread_process(t)) + c->value.number;
			place_off(thread_process(t), c->value.number, want,
				  sizeof(want));
			break;
		}
		goto compare_pointer_text;
	case SCN_FIELD_CONTEXT:
		if (c->value.kind == SCN_VALUE_BYTES) {
compare_pointer_text:
			/* text: its bytes are compared, as `write` stored them */
			ok = same_bytes(j->buf, &c->value.bytes);
			bytes_text(c->value.bytes.data, c->value.bytes.len,
				   want, sizeof(want));
			bytes_text(j->buf, c->value.bytes.len, got, sizeof(got));
			break;
		}
		ok = v == c->value.number;
		snprintf(want, sizeof(want), "0x%" PRIx64, c->value.number);
		break;
	default:
		ok = j->len == c->value.bytes.len &&
		     same_bytes(j->buf, &c->value.bytes);
		bytes_text(c->value.bytes.data, c->value.bytes.len, want,
			   sizeof(want));
		break;
	}
	step_expect(s);
	if (!ok)
		step_fail(s, "expectation failed: expected %s %s = %s, got %s",
			  thread_name(t), fname, want, got);
}

/* Where a write of t into its IPC buffer (field f, job j) landed. */
static void note_ipc_write(struct step *s, const struct thread *t,
			   const struct scn_field_ref *f,
			   const struct access_job *j)
{
	scn_field_text(f, s->field, sizeof(s->field));
	s->ipc_write = (struct step_store){
		.thread = thread_name(t), .field = s->field, .region = j->reg,
		.addr = j->reg + j->off, .len = j->len,
	};
	s->wrote_ipc = true;
}

void exec_thread_rw(struct runner *r, const struct scn_cmd *c, struct step *s,
		    bool expect)
{
	struct thread *t = r->th[c->thread].t;
	char fname[24], got[TLS_IPC_SIZE * 4 + 8], text[24] = "";
	struct access_job j;
	uintptr_t v = 0;
	size_t lead = 0, want;
	bool ipc_bytes = expect && scn_field_is_bytes(c->field.id) &&
			 c->value.kind == SCN_VALUE_BYTES;

	/* a read of tls+OFF takes a word unless told (parse_read's c->len) */
	field_job(&j, &c->field, c->kind == SCN_WRITE ? &c->value : NULL,
		  c->kind == SCN_READ ? c->len_given ||
					c->field.id == SCN_FIELD_TLS : ipc_bytes,
		  c->kind == SCN_READ ? c->len : ipc_bytes ? c->value.bytes.len : 0);
	want = j.len;
	/* tls+OFF reads whole words, to see pointers they cut (region_text) */
	if (c->field.id == SCN_FIELD_TLS && c->kind != SCN_WRITE) {
		size_t end = j.off + j.len, w = sizeof(uintptr_t);

		lead = j.off % w;
		end = (end + w - 1) / w * w;
		j.off -= lead;
		j.len = (end < SCN_TLS_REACH ? end : SCN_TLS_REACH) - j.off;
	}
	if (!run_job(r, t, &j, s))
		return;
	if (c->kind == SCN_WRITE) {
		if (c->field.id == SCN_FIELD_IPC)
			note_ipc_write(s, t, &c->field, &j);
		return;
	}
	scn_field_text(&c->field, fname, sizeof(fname));
	if (!scn_field_is_bytes(c->field.id))
		memcpy(&v, j.buf, sizeof(v));
	if (c->field.id == SCN_FIELD_SELF &&
	    pointer_text(r->k, v, got, sizeof(got)))
		;	/* ptr_self into a user land: shown as an offset */
	else if (!scn_field_is_bytes(c->field.id))
		snprintf(got, sizeof(got), "0x%" PRIx64, (uint64_t)v);
	else if (c->field.id == SCN_FIELD_TLS)
		region_text(r->k, j.buf, j.len, lead, want, got, sizeof(got));
	else if (c->kind == SCN_READ && !c->len_given)
		bytes_text(j.buf, trimmed_len(j.buf, j.len), got, sizeof(got));
	else
		bytes_text(j.buf, j.len, got, sizeof(got));
	/* a number's bytes as text, lowest first, up to its highest non-zero
	 * one (so the same on every host); a pointer's never */
	if (!scn_field_is_bytes(c->field.id) && strncmp(got, "0x", 2) == 0)
		ascii_text(j.buf, trimmed_len(j.buf, sizeof(v)), text,
			   sizeof(text));
	if (lead || j.len != want) {	/* back to the bytes asked for */
		memmove(j.buf, j.buf + lead, want);
		j.len = want;
	}
	if (expect)
		judge_read(r, c, s, &j, v, fname, got);
	else
		snprintf(s->observed, sizeof(s->observed), "%s %s = %s%s%s",
			 thread_name(t), fname, got, text[0] ? " " : "", text);
}

/* ---- write T FIELD VALUE, read T FIELD [LEN] ---- */

static bool parse_write(struct parser *p, struct scn_cmd *c,
			const struct scn_token *a, size_t n)
{
	(void)n;
	return arg_resolve(p, &p->threads, &a[0], &c->thread) &&
	       arg_field(p, &a[1], &c->field) &&
	       arg_value(p, &a[2], &c->field, false, &c->value);
}

/*
 * read T FIELD [LEN]: a pointer field, or bytes of ipc+OFF (the rest of
 * the buffer unless LEN) or tls+OFF (a word unless LEN), within reach.
 * False after the error is reported.
 */
static bool parse_read(struct parser *p, struct scn_cmd *c,
		       const struct scn_token *a, size_t n)
{
	if (!arg_resolve(p, &p->threads, &a[0], &c->thread) ||
	    !arg_field(p, &a[1], &c->field))
		return false;
	if (!scn_field_is_bytes(c->field.id)) {
		c->len = sizeof(void *);
		if (n == 3)
			return perr(p, a[2].col,
				    "a length applies only to 'ipc' and 'tls' ('%s' is one pointer)",
				    scn_field_names[c->field.id]);
		return true;
	}
	c->len = scn_field_room(&c->field);
	if (c->field.id == SCN_FIELD_TLS)
		c->len = sizeof(void *);	/* a word, unless told */
	if (n < 3)
		return true;
	c->len_given = true;
	if (!arg_number(p, &a[2], &c->len))
		return false;
	if (c->len == 0)
		return perr(p, a[2].col, "length must be at least 1");
	if (c->field.id == SCN_FIELD_TLS && c->len > scn_field_room(&c->field))
		return perr(p, a[2].col,
			    "reading 0x%llx bytes at tls+0x%zx: at most 0x%zx (a read through the register stays below tls+0x%zx, 0x%zx bytes at a time)",
			    (unsigned long long)c->len, c->field.off,
			    scn_field_room(&c->field), SCN_TLS_REACH,
			    (size_t)TLS_IPC_SIZE);
	if (c->len > scn_field_room(&c->field))
		return perr(p, a[2].col,
			    "reading 0x%llx bytes at ipc+0x%zx goes past the IPC buffer (0x%zx bytes)",
			    (unsigned long long)c->len, c->field.off,
			    TLS_IPC_SIZE);
	return true;
}

static void exec_rw(struct runner *r, const struct scn_cmd *c,
		    struct step *s)
{
	exec_thread_rw(r, c, s, false);
}

/* ---- peek T P OFFSET, poke T P OFFSET VALUE ---- */

static bool parse_peek(struct parser *p, struct scn_cmd *c,
		       const struct scn_token *a, size_t n)
{
	(void)n;
	return arg_resolve(p, &p->threads, &a[0], &c->thread) &&
	       arg_resolve(p, &p->procs, &a[1], &c->process) &&
	       arg_number(p, &a[2], &c->offset);
}

/*
 * poke T P OFFSET VALUE: peek's arguments and a value, a number (a
 * pointer's size) or bytes. False after the error is reported.
 */
static bool parse_poke(struct parser *p, struct scn_cmd *c,
		       const struct scn_token *a, size_t n)
{
	struct scn_lex_error e;
	int rc;

	if (!parse_peek(p, c, a, n))
		return false;
	if (!a[3].quoted) {
		c->value.kind = SCN_VALUE_NUMBER;
		return arg_number(p, &a[3], &c->value.number);
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

/*
 * peek and poke: T's user code loads or stores at P+OFFSET, a flat
 * address outside the register path; a fault kills T like any other.
 */
static void exec_peek_poke(struct runner *r, const struct scn_cmd *c,
			   struct step *s)
{
	struct thread *t = r->th[c->thread].t;
	struct process *p = r->procs[c->process];
	struct access_job j;
	uint64_t v = 0;
	char val[64], text[24], at[PLACE_TEXT];

	memset(&j, 0, sizeof(j));
	if (process_dead(p)) {
		step_error(s, KERR_PROCESS_KILLED);
		return;
	}
	j.len = 8;
	if (c->kind == SCN_POKE) {
		j.store = true;
		if (c->value.kind == SCN_VALUE_NUMBER) {
			memcpy(j.buf, &c->value.number, 8);
		} else {
			j.len = c->value.bytes.len;
			if (j.len > sizeof(j.buf)) {	/* the parser stops it */
				step_error(s, KERR_INVALID_SIZE);
				return;
			}
			if (j.len)
				memcpy(j.buf, c->value.bytes.data, j.len);
		}
	}
	if (c->offset > process_userland_size(p) || j.len > process_userland_size(p) - c->offset) {
		step_error(s, KERR_INVALID_ADDRESS);
		return;
	}
	j.flat = process_userland_start(p) + (uintptr_t)c->offset;
	j.flat_proc = p;
	if (!run_job(r, t, &j, s) || j.store)
		return;
	memcpy(&v, j.buf, 8);
	/* a pointer into a user land (ptr_self, say) prints as an offset */
	if (!pointer_text(r->k, v, val, sizeof(val))) {
		/* the word, and its bytes in memory order (lowest first) */
		ascii_text(j.buf, 8, text, sizeof(text));
		snprintf(val, sizeof(val), "0x%016" PRIx64 " %s", v, text);
	}
	snprintf(s->observed, sizeof(s->observed), "%s peek %s = %s",
		 thread_name(t), place_off(p, c->offset, at, sizeof(at)), val);
}

const struct scn_command scn_thread_commands[] = {
	{ "spawn", SCN_SPAWN, false, 2, 2, "spawn PROCESS THREAD",
	  parse_spawn, exec_spawn },
	{ "exit", SCN_EXIT, false, 1, 1, "exit THREAD", parse_thread_only,
	  exec_exit },
	{ "switch", SCN_SWITCH, false, 1, 1, "switch THREAD",
	  parse_thread_only, exec_switch },
	{ "write", SCN_WRITE, false, 3, 3, "write THREAD FIELD VALUE",
	  parse_write, exec_rw },
	{ "read", SCN_READ, false, 2, 3, "read THREAD FIELD [LEN]",
	  parse_read, exec_rw },
	{ "peek", SCN_PEEK, false, 3, 3, "peek THREAD PROCESS OFFSET",
	  parse_peek, exec_peek_poke },
	{ "poke", SCN_POKE, false, 4, 4, "poke THREAD PROCESS OFFSET VALUE",
	  parse_poke, exec_peek_poke },
};
const size_t scn_thread_command_count = ARRAY_SIZE(scn_thread_commands);
