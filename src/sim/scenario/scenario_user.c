/*
 * scenario_user.c - the scenario commands that act as a thread: write,
 * read, expect read, peek, poke. Each switches the CPU to the thread and
 * runs a job on the thread's own stack, which reaches the TLS only through
 * the register (peek and poke: plain loads and stores at a flat address).
 * A fault kills the thread; the command's outcome says so.
 */
#include <config.h>

#include "scenario_exec.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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
	default:
		*off = TLS_OFF_SELF;
		break;
	}
}

/* The field as written in a scenario ("ipc+0x20"), for messages. */
static const char *field_name(const struct scn_field_ref *f, char *buf,
			      size_t size)
{
	static const char *const names[] = { "ipc", "context", "self" };

	if (f->id == SCN_FIELD_IPC && f->off)
		snprintf(buf, size, "ipc+0x%zx", f->off);
	else
		snprintf(buf, size, "%s", names[f->id]);
	return buf;
}

/*
 * A value as "P+0xOFF" when it points into the user land of a live process
 * (deterministic whatever ASLR does). Returns false, writing nothing, when
 * it points into none.
 */
static bool pointer_text(const struct kernel *k, uint64_t v, char *buf,
			 size_t size)
{
	const struct process *p = kernel_process_at(k, (uintptr_t)v);

	if (!p)
		return false;
	snprintf(buf, size, "%s+0x%" PRIx64, p->name, process_offset(p, v));
	return true;
}

/* Bytes as a quoted, escaped string. */
static void bytes_text(const uint8_t *b, size_t len, char *buf, size_t size)
{
	size_t n = 0;

	if (size < 8)
		return;
	buf[n++] = '"';
	for (size_t i = 0; i < len && n + 8 < size; i++) {
		uint8_t c = b[i];

		if (c == '"' || c == '\\')
			n += snprintf(buf + n, size - n, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			buf[n++] = (char)c;
		else if (c == '\n')
			n += snprintf(buf + n, size - n, "\\n");
		else if (c == '\t')
			n += snprintf(buf + n, size - n, "\\t");
		else
			n += snprintf(buf + n, size - n, "\\x%02x", c);
	}
	buf[n++] = '"';
	buf[n] = '\0';
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

/* ---- jobs run as a thread, on its stack ---- */

struct access_job {
	size_t off;		/* in the region (register path) */
	uintptr_t flat;		/* flat address (peek/poke), when nonzero */
	struct process *flat_proc;	/* whose user land flat is in */
	uint8_t buf[TLS_IPC_SIZE];
	size_t len;
	bool store;
};

static void access_job(struct kernel *k, struct thread *t, void *arg)
{
	struct access_job *j = arg;

	if (j->flat) {
		kernel_emit(k, &(struct trace_event){
			.kind = j->store ? EV_USER_WRITE : EV_USER_READ,
			.proc = j->flat_proc, .thread = t,
			.offset = j->flat - j->flat_proc->userland_start,
			.length = j->len, .detail = "flat" });
		user_access_flat(k, j->flat, j->buf, j->len, j->store);
	}
	else if (j->store)
		user_write(k, j->off, j->buf, j->len);
	else
		user_read(k, j->off, j->buf, j->len);
}

/*
 * Run the job as t. Returns true when it ran; false with o filled when t
 * is dead (InvalidState) or the access faulted.
 */
static bool run_job(struct runner *r, struct thread *t, struct access_job *j,
		    struct outcome *o)
{
	int rc;

	if (t->state == THREAD_DEAD) {
		set_error(o, KERR_INVALID_STATE);
		return false;
	}
	rc = kernel_run_as(&r->k, t, access_job, j);
	if (rc == 0)
		return true;
	if (rc > 0) {
		o->kind = OUT_FAULT;
		snprintf(o->message, sizeof(o->message), "%s: %s", t->name,
			 this_cpu(&r->k)->fault_detail);
		record_deaths(r, r->cmd, "faulted");
	} else if (rc == -2) {
		o->kind = OUT_HOST;
		snprintf(o->message, sizeof(o->message),
			 "no host stack for thread %s", t->name);
	} else {
		set_error(o, KERR_INVALID_STATE);
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


void exec_rw(struct runner *r, const struct scn_cmd *c,
		    struct outcome *o, bool expect)
{
	struct thread *t = r->th[c->thread].t;
	char fname[24], got[TLS_IPC_SIZE * 4 + 8], want[TLS_IPC_SIZE * 4 + 8];
	struct access_job j;
	uintptr_t v = 0;
	bool ok;

	bool ipc_bytes = expect && c->field.id == SCN_FIELD_IPC &&
			 c->value.kind == SCN_VALUE_BYTES;

	field_job(&j, &c->field, c->kind == SCN_WRITE ? &c->value : NULL,
		  c->kind == SCN_READ ? c->len_given : ipc_bytes,
		  c->kind == SCN_READ ? c->len : ipc_bytes ? c->value.bytes.len : 0);
	if (!run_job(r, t, &j, o) || c->kind == SCN_WRITE)
		return;
	field_name(&c->field, fname, sizeof(fname));
	if (c->field.id != SCN_FIELD_IPC)
		memcpy(&v, j.buf, sizeof(v));
	if (c->field.id == SCN_FIELD_SELF &&
	    pointer_text(&r->k, v, got, sizeof(got)))
		;	/* ptr_self into a user land: shown as an offset */
	else if (c->field.id != SCN_FIELD_IPC)
		snprintf(got, sizeof(got), "0x%" PRIx64, (uint64_t)v);
	else if (c->kind == SCN_READ && !c->len_given)
		bytes_text(j.buf, trimmed_len(j.buf, j.len), got, sizeof(got));
	else
		bytes_text(j.buf, j.len, got, sizeof(got));
	if (!expect) {
		if (!r->opt->quiet)
			fprintf(r->opt->out, "%s:%zu: %s %s = %s\n",
				r->scn->file_name, c->line, t->name, fname, got);
		return;
	}
	r->expectations++;
	switch (c->field.id) {
	case SCN_FIELD_SELF:
		if (c->value.kind == SCN_VALUE_NUMBER) {
			ok = v == t->proc->userland_start + c->value.number;
			snprintf(want, sizeof(want), "%s+0x%" PRIx64,
				 t->proc->name, c->value.number);
			break;
		}
		goto compare_pointer_text;
	case SCN_FIELD_CONTEXT:
		if (c->value.kind == SCN_VALUE_BYTES) {
compare_pointer_text:
			/* text: its bytes are compared, as `write` stored them */
			ok = same_bytes(j.buf, &c->value.bytes);
			bytes_text(c->value.bytes.data, c->value.bytes.len,
				   want, sizeof(want));
			bytes_text(j.buf, c->value.bytes.len, got, sizeof(got));
			break;
		}
		ok = v == c->value.number;
		snprintf(want, sizeof(want), "0x%" PRIx64, c->value.number);
		break;
	default:
		ok = j.len == c->value.bytes.len &&
		     same_bytes(j.buf, &c->value.bytes);
		bytes_text(c->value.bytes.data, c->value.bytes.len, want,
			   sizeof(want));
		break;
	}
	if (!ok)
		runner_fail(r, c, "expectation failed: expected %s %s = %s, got %s",
			    t->name, fname, want, got);
}

void exec_peek_poke(struct runner *r, const struct scn_cmd *c,
			   struct outcome *o)
{
	struct thread *t = r->th[c->thread].t;
	struct process *p = r->procs[c->process];
	struct access_job j;
	uint64_t v = 0;
	char val[64];

	memset(&j, 0, sizeof(j));
	if (p->dead) {
		set_error(o, KERR_PROCESS_KILLED);
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
				set_error(o, KERR_INVALID_SIZE);
				return;
			}
			if (j.len)
				memcpy(j.buf, c->value.bytes.data, j.len);
		}
	}
	if (c->offset > p->userland_size || j.len > p->userland_size - c->offset) {
		set_error(o, KERR_INVALID_ADDRESS);
		return;
	}
	j.flat = p->userland_start + (uintptr_t)c->offset;
	j.flat_proc = p;
	if (!run_job(r, t, &j, o) || j.store)
		return;
	memcpy(&v, j.buf, 8);
	if (r->opt->quiet)
		return;
	/* a pointer into a user land (ptr_self, say) prints as an offset */
	if (!pointer_text(&r->k, v, val, sizeof(val)))
		snprintf(val, sizeof(val), "0x%016" PRIx64, v);
	fprintf(r->opt->out, "%s:%zu: %s peek %s+0x%" PRIx64 " = %s\n",
		r->scn->file_name, c->line, t->name, p->name, c->offset, val);
}

/* The expect commands that look at kernel state. */
