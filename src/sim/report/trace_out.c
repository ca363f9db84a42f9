/*
 * trace_out.c - kernel events as text lines or JSON Lines.
 *
 * Text:  trace: lab.tls:12: tls-alloc P1 T2 offset=0x1200
 * JSON:  {"event":"tls-alloc","file":"lab.tls","line":12,"process":"P1",
 *         "thread":"T2","offset":4608}
 *
 * Positions are offsets in a process's user land. The register of a
 * switch is shown as PROCESS+OFFSET after the live process whose user land
 * holds it (the thread's own first), or "?" when none does: never a host
 * address. JSON objects are built with jansson; doc/trace-format.md lists
 * the fields.
 */
#include <config.h>

#include "trace_out.h"
#include "escape.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kernel/kernel.h"

enum trace_format trace_format_from_name(const char *name)
{
	if (!name)
		return TRACE_FORMAT_COUNT;
	if (strcmp(name, "text") == 0)
		return TRACE_TEXT;
	if (strcmp(name, "json") == 0)
		return TRACE_JSON;
	return TRACE_FORMAT_COUNT;
}

int trace_out_init(struct trace_out *t, FILE *out, enum trace_format fmt,
		   const char *file_name)
{
	if (!t)
		return -EINVAL;
	*t = (struct trace_out){ .out = out, .fmt = fmt,
				 .file_name = file_name };
	if (!out || (unsigned)fmt >= TRACE_FORMAT_COUNT) {
		t->out = NULL;
		t->failed = true;
		return -EINVAL;
	}
	return 0;
}

void trace_out_set_line(struct trace_out *t, size_t line)
{
	t->line = line;
}

bool trace_out_failed(const struct trace_out *t)
{
	return t->failed;
}

/* The process an event is about: its own, else its thread's. */
static const struct process *ev_proc(const struct trace_event *ev)
{
	if (ev->proc)
		return ev->proc;
	return ev->thread ? thread_process(ev->thread) : NULL;
}

/*
 * The live process whose user land holds reg: the event's own process
 * when it does, else any other of the thread's kernel. NULL when none.
 */
static const struct process *reg_owner(const struct trace_event *ev)
{
	const struct process *own = ev_proc(ev);
	const struct kernel *k = ev->thread ? thread_kernel(ev->thread) : NULL;

	if (process_holds(own, ev->reg))
		return own;
	if (!k || !ev->reg)
		return NULL;
	return kernel_process_at(k, ev->reg);
}

static const char *type_name(int type)
{
	const char *name = NULL;

	if (type >= 0 && type < MEM_TYPE_COUNT)
		name = memory_type_name((enum memory_type)type);
	return name;
}

/* ---- text ---- */

/* s on one line: backslash, control bytes and DEL escaped C-style. */
static void put_escaped(FILE *out, const char *s)
{
	if (!s)
		s = "";
	for (; *s; s++) {
		char one[5];

		escape_byte((unsigned char)*s, ESCAPE_TRACE, one);
		fputs(one, out);
	}
}

static const char *name_of_proc(const struct process *p)
{
	return p && process_name(p) ? process_name(p) : "?";
}

static const char *name_of_thread(const struct thread *t)
{
	return t && thread_name(t) ? thread_name(t) : "?";
}

/* " P1" and, when there is a thread, " T2". */
static void text_who(FILE *out, const struct trace_event *ev)
{
	fputc(' ', out);
	put_escaped(out, name_of_proc(ev_proc(ev)));
	if (ev->thread) {
		fputc(' ', out);
		put_escaped(out, name_of_thread(ev->thread));
	}
}

/* " T2 (P1)" */
static void text_thread_in(FILE *out, const struct trace_event *ev)
{
	fputc(' ', out);
	put_escaped(out, name_of_thread(ev->thread));
	fputs(" (", out);
	put_escaped(out, name_of_proc(ev_proc(ev)));
	fputc(')', out);
}

static void text_mapping(FILE *out, const struct trace_event *ev, bool full)
{
	char rights[4];

	fprintf(out, " offset=0x%" PRIx64 " size=0x%" PRIx64, ev->offset,
		ev->length);
	if (!full)
		return;
	fprintf(out, " type=%s rights=%s",
		type_name(ev->mem_type) ? type_name(ev->mem_type) : "?",
		mapping_rights_text(ev->rights, rights));
}

/*
 * How a user access reached memory: "register" (an offset in the thread's
 * TLS, through the TLS register) or "flat" (peek/poke: an offset in the
 * named process's user land).
 */
static const char *user_access_via(const struct trace_event *ev)
{
	return ev->detail && strcmp(ev->detail, "flat") == 0 ? "flat"
							      : "register";
}

static void text_detail(FILE *out, const struct trace_event *ev)
{
	fputs(": ", out);
	put_escaped(out, ev->detail);
}

/*
 * One event as a text trace line: "trace: FILE:LINE: KIND ..." with
 * the fields of its kind, names escaped, offsets as PROCESS+0xOFF.
 */
static void text_event(struct trace_out *t, const struct trace_event *ev)
{
	FILE *out = t->out;
	const struct process *rp;

	fputs("trace: ", out);
	if (t->file_name) {
		put_escaped(out, t->file_name);
		if (t->line)
			fprintf(out, ":%zu", t->line);
		fputs(": ", out);
	} else if (t->line) {
		fprintf(out, "line %zu: ", t->line);
	}
	fputs(trace_kind_name(ev->kind), out);

	switch (ev->kind) {
	case EV_PROCESS_CREATE:
		text_who(out, ev);
		fprintf(out, " size=0x%" PRIx64, ev->length);
		break;
	case EV_PROCESS_KILL:
	case EV_THREAD_EXIT:
		text_who(out, ev);
		break;
	case EV_MAP:
	case EV_TLS_PAGE:
		text_who(out, ev);
		text_mapping(out, ev, true);
		break;
	case EV_UNMAP:
	case EV_TLS_PAGE_UNMAP:
		text_who(out, ev);
		text_mapping(out, ev, false);
		break;
	case EV_TLS_ALLOC:
	case EV_TLS_FREE:
	case EV_THREAD_SPAWN:
		text_who(out, ev);
		fprintf(out, " offset=0x%" PRIx64, ev->offset);
		break;
	case EV_FIRST_SCHEDULE:
		text_thread_in(out, ev);
		fprintf(out, " offset=0x%" PRIx64, ev->offset);
		break;
	case EV_SWITCH:
		fputs(" ->", out);
		text_thread_in(out, ev);
		rp = reg_owner(ev);
		if (rp) {
			fputs(" reg=", out);
			put_escaped(out, name_of_proc(rp));
			fprintf(out, "+0x%" PRIx64,
				process_offset(rp, ev->reg));
		} else {
			fputs(ev->reg ? " reg=?" : " reg=0", out);
		}
		break;
	case EV_USER_READ:
	case EV_USER_WRITE:
		text_thread_in(out, ev);
		fprintf(out, " offset=0x%" PRIx64 " length=0x%" PRIx64 " via=%s",
			ev->offset, ev->length, user_access_via(ev));
		break;
	case EV_FAULT:
		if (ev->thread) {
			fputc(' ', out);
			put_escaped(out, name_of_thread(ev->thread));
		}
		text_detail(out, ev);
		break;
	case EV_PANIC:
	case EV_ERROR:
		text_detail(out, ev);
		break;
	default:
		break;
	}
	fputc('\n', out);
}

/* ---- JSON ---- */

/*
 * A JSON string for s. jansson refuses bytes that are not UTF-8; those
 * become '?' so that the event is still written.
 */
static json_t *jstr(const char *s)
{
	json_t *j;
	char *copy;

	if (!s)
		s = "";
	j = json_string(s);
	if (j)
		return j;
	copy = strdup(s);
	if (!copy)
		return NULL;
	for (char *c = copy; *c; c++)
		if ((unsigned char)*c >= 0x80)
			*c = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

static json_t *jnum(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* Set key to value (stolen); false when value is NULL or setting failed. */
static bool jset(json_t *obj, const char *key, json_t *value)
{
	return value && json_object_set_new(obj, key, value) == 0;
}

static bool json_mapping(json_t *o, const struct trace_event *ev, bool full)
{
	const char *type = type_name(ev->mem_type);
	char rights[4];

	if (!jset(o, "offset", jnum(ev->offset)) ||
	    !jset(o, "size", jnum(ev->length)))
		return false;
	if (!full)
		return true;
	return jset(o, "type", type ? jstr(type) : json_null()) &&
	       jset(o, "rights", jstr(mapping_rights_text(ev->rights, rights)));
}

static bool json_switch(json_t *o, const struct trace_event *ev)
{
	const struct process *own = ev_proc(ev), *rp = reg_owner(ev);
	json_t *reg;

	if (!jset(o, "offset", jnum(ev->offset)))
		return false;
	if (!jset(o, "register_offset",
		  rp && rp == own ? jnum(process_offset(own, ev->reg))
				  : json_null()))
		return false;
	if (!rp)
		return jset(o, "register", json_null());
	reg = json_object();
	if (!jset(o, "register", reg))
		return false;
	return jset(reg, "process", jstr(name_of_proc(rp))) &&
	       jset(reg, "offset", jnum(process_offset(rp, ev->reg)));
}

/* The fields particular to ev's kind. */
static bool json_fields(json_t *o, const struct trace_event *ev)
{
	switch (ev->kind) {
	case EV_PROCESS_CREATE:
		return jset(o, "size", jnum(ev->length));
	case EV_MAP:
	case EV_TLS_PAGE:
		return json_mapping(o, ev, true);
	case EV_UNMAP:
	case EV_TLS_PAGE_UNMAP:
		return json_mapping(o, ev, false);
	case EV_TLS_ALLOC:
	case EV_TLS_FREE:
	case EV_THREAD_SPAWN:
	case EV_FIRST_SCHEDULE:
		return jset(o, "offset", jnum(ev->offset));
	case EV_SWITCH:
		return json_switch(o, ev);
	case EV_USER_READ:
	case EV_USER_WRITE:
		return jset(o, "offset", jnum(ev->offset)) &&
		       jset(o, "length", jnum(ev->length)) &&
		       jset(o, "via", jstr(user_access_via(ev)));
	case EV_FAULT:
	case EV_PANIC:
	case EV_ERROR:
		return jset(o, "detail", jstr(ev->detail));
	default:
		return true;
	}
}

/*
 * One event as a JSON object (the fields of doc/trace-format.md), or
 * NULL when jansson ran out of memory.
 */
static json_t *json_event(struct trace_out *t, const struct trace_event *ev)
{
	const struct process *p = ev_proc(ev);
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (!jset(o, "event", jstr(trace_kind_name(ev->kind))) ||
	    !jset(o, "file", t->file_name ? jstr(t->file_name) : json_null()) ||
	    !jset(o, "line", t->line ? jnum(t->line) : json_null()))
		goto fail;
	if (p && !jset(o, "process", jstr(name_of_proc(p))))
		goto fail;
	if (ev->thread && !jset(o, "thread", jstr(name_of_thread(ev->thread))))
		goto fail;
	if (!json_fields(o, ev))
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

static void json_line(struct trace_out *t, const struct trace_event *ev)
{
	json_t *o = json_event(t, ev);
	char *s;

	if (!o) {
		t->failed = true;
		return;
	}
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!s) {
		t->failed = true;
		return;
	}
	fputs(s, t->out);
	fputc('\n', t->out);
	free(s);
}

void trace_out_event(void *ctx, const struct trace_event *ev)
{
	struct trace_out *t = ctx;

	if (!t || !t->out || !ev) {
		if (t)
			t->failed = true;
		return;
	}
	if (t->fmt == TRACE_JSON)
		json_line(t, ev);
	else
		text_event(t, ev);
	if (ferror(t->out))
		t->failed = true;
}
