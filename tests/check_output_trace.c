/*
 * check_output_trace.c - the trace sink: a text line per event kind, the
 * register as PROCESS+OFFSET, and JSON Lines parsed back with jansson.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "outpututil.h"
#include "report/trace_out.h"

/* ---- trace: helpers ---- */

struct capture {
	char *buf;
	size_t len;
	FILE *f;
	struct trace_out t;
};

static void capture_start(struct capture *c, enum trace_format fmt,
			  const char *file)
{
	memset(c, 0, sizeof(*c));
	c->f = open_memstream(&c->buf, &c->len);
	ck_assert_ptr_nonnull(c->f);
	ck_assert_int_eq(trace_out_init(&c->t, c->f, fmt, file), 0);
}

/* Close the stream; the text stays in c->buf (caller frees). */
static char *capture_end(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

static char *one_event(enum trace_format fmt, const struct trace_event *ev)
{
	struct capture c;

	capture_start(&c, fmt, "lab.tls");
	trace_out_set_line(&c.t, 12);
	trace_out_event(&c.t, ev);
	ck_assert(!trace_out_failed(&c.t));
	return capture_end(&c);
}

/* One event as text, compared with the expected line. */
static void text_is(const struct trace_event *ev, const char *want)
{
	char *s = one_event(TRACE_TEXT, ev);

	ck_assert_str_eq(s, want);
	free(s);
}

/* One event as JSON: exactly one line, parsed back into an object. */
static json_t *json_of(const struct trace_event *ev)
{
	char *s = one_event(TRACE_JSON, ev);
	json_error_t err;
	json_t *o;
	size_t n = strlen(s);

	ck_assert_uint_gt(n, 1);
	ck_assert_int_eq(s[n - 1], '\n');
	ck_assert_ptr_null(memchr(s, '\n', n - 1));
	o = json_loads(s, 0, &err);
	ck_assert_msg(o != NULL, "bad JSON %s: %s", s, err.text);
	ck_assert(json_is_object(o));
	free(s);
	return o;
}

static void json_str_is(json_t *o, const char *key, const char *want)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	ck_assert_str_eq(json_string_value(v), want);
}

static void json_int_is(json_t *o, const char *key, json_int_t want)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_integer(v), "%s is not an integer", key);
	ck_assert_int_eq(json_integer_value(v), want);
}

/* ---- trace: text ---- */

START_TEST(trace_text_every_kind)
{
	struct thread *t = add_thread(p, "T2", 0x1200);

	text_is(&(struct trace_event){ .kind = EV_PROCESS_CREATE, .proc = p,
				       .length = LAND },
		"trace: lab.tls:12: process-create P1 size=0x100000\n");
	text_is(&(struct trace_event){ .kind = EV_PROCESS_KILL, .proc = p },
		"trace: lab.tls:12: process-kill P1\n");
	text_is(&(struct trace_event){ .kind = EV_MAP, .proc = p, .offset = 0,
				       .length = 0x1000, .mem_type = MEM_NORMAL,
				       .rights = MAR_U_RW },
		"trace: lab.tls:12: map P1 offset=0x0 size=0x1000 type=Normal rights=rw-\n");
	text_is(&(struct trace_event){ .kind = EV_UNMAP, .proc = p,
				       .offset = 0x3000, .length = 0x2000 },
		"trace: lab.tls:12: unmap P1 offset=0x3000 size=0x2000\n");
	text_is(&(struct trace_event){ .kind = EV_TLS_PAGE, .proc = p,
				       .offset = 0x1000, .length = 0x1000,
				       .mem_type = MEM_THREAD_LOCAL,
				       .rights = MAR_U_RW },
		"trace: lab.tls:12: tls-page P1 offset=0x1000 size=0x1000 type=ThreadLocal rights=rw-\n");
	text_is(&(struct trace_event){ .kind = EV_TLS_ALLOC, .proc = p,
				       .thread = t, .offset = 0x1200 },
		"trace: lab.tls:12: tls-alloc P1 T2 offset=0x1200\n");
	text_is(&(struct trace_event){ .kind = EV_TLS_ALLOC, .proc = p,
				       .offset = 0x1400 },
		"trace: lab.tls:12: tls-alloc P1 offset=0x1400\n");
	text_is(&(struct trace_event){ .kind = EV_TLS_FREE, .proc = p,
				       .offset = 0x1400 },
		"trace: lab.tls:12: tls-free P1 offset=0x1400\n");
	text_is(&(struct trace_event){ .kind = EV_THREAD_SPAWN, .proc = p,
				       .thread = t, .offset = 0x1200 },
		"trace: lab.tls:12: thread-spawn P1 T2 offset=0x1200\n");
	text_is(&(struct trace_event){ .kind = EV_THREAD_EXIT, .proc = p,
				       .thread = t },
		"trace: lab.tls:12: thread-exit P1 T2\n");
	text_is(&(struct trace_event){ .kind = EV_FIRST_SCHEDULE, .proc = p,
				       .thread = t, .offset = 0x1200 },
		"trace: lab.tls:12: first-schedule T2 (P1) offset=0x1200\n");
	text_is(&(struct trace_event){ .kind = EV_SWITCH, .proc = p,
				       .thread = t, .offset = 0x1200,
				       .reg = t->tls },
		"trace: lab.tls:12: switch -> T2 (P1) reg=P1+0x1200\n");
	text_is(&(struct trace_event){ .kind = EV_USER_READ, .thread = t,
				       .offset = 0x10, .length = 0x8 },
		"trace: lab.tls:12: user-read T2 (P1) offset=0x10 length=0x8 via=register\n");
	text_is(&(struct trace_event){ .kind = EV_USER_WRITE, .thread = t,
				       .offset = 0x1f8, .length = 0x8 },
		"trace: lab.tls:12: user-write T2 (P1) offset=0x1f8 length=0x8 via=register\n");
	text_is(&(struct trace_event){ .kind = EV_FAULT, .proc = p,
				       .thread = t,
				       .detail = "page fault at offset 0x5000 of process P1" },
		"trace: lab.tls:12: fault T2: page fault at offset 0x5000 of process P1\n");
	text_is(&(struct trace_event){ .kind = EV_PANIC,
				       .detail = "Freed TLS was not marked occupied" },
		"trace: lab.tls:12: panic: Freed TLS was not marked occupied\n");
	text_is(&(struct trace_event){ .kind = EV_ERROR,
				       .detail = "InvalidAddress" },
		"trace: lab.tls:12: error: InvalidAddress\n");
}
END_TEST

START_TEST(trace_text_switch_register)
{
	struct process *q = new_process("P2", LAND);
	struct thread *t = add_thread(p, "T1", 0x1000);
	int on_stack;

	/* In another live process's land (the --no-tls-restore lab). */
	text_is(&(struct trace_event){ .kind = EV_SWITCH, .proc = p,
				       .thread = t, .offset = 0x1000,
				       .reg = q->userland_start + 0x3400 },
		"trace: lab.tls:12: switch -> T1 (P1) reg=P2+0x3400\n");
	/* Anywhere else: never the host address. */
	text_is(&(struct trace_event){ .kind = EV_SWITCH, .proc = p,
				       .thread = t, .offset = 0x1000,
				       .reg = (uintptr_t)&on_stack },
		"trace: lab.tls:12: switch -> T1 (P1) reg=?\n");
	text_is(&(struct trace_event){ .kind = EV_SWITCH, .proc = p,
				       .thread = t, .offset = 0x1000,
				       .reg = 0 },
		"trace: lab.tls:12: switch -> T1 (P1) reg=0\n");
	/* One past the end of P1's land is outside it. */
	ck_assert_int_eq(process_kill(&k, q), KERR_OK);
	text_is(&(struct trace_event){ .kind = EV_SWITCH, .proc = p,
				       .thread = t, .offset = 0x1000,
				       .reg = p->userland_start + LAND },
		"trace: lab.tls:12: switch -> T1 (P1) reg=?\n");
}
END_TEST

START_TEST(trace_text_origin_and_escapes)
{
	struct capture c;
	char *s;

	capture_start(&c, TRACE_TEXT, NULL);
	trace_out_event(&c.t, &(struct trace_event){ .kind = EV_ERROR,
						    .detail = "InvalidSize" });
	trace_out_set_line(&c.t, 7);
	trace_out_event(&c.t, &(struct trace_event){
		.kind = EV_PANIC, .detail = "two\nlines\tand \\ \x01 \x7f" });
	s = capture_end(&c);
	ck_assert_str_eq(s,
		"trace: error: InvalidSize\n"
		"trace: line 7: panic: two\\nlines\\tand \\\\ \\x01 \\x7f\n");
	free(s);

	capture_start(&c, TRACE_TEXT, "x.tls");
	trace_out_event(&c.t, &(struct trace_event){ .kind = EV_ERROR,
						    .detail = "InvalidSize" });
	s = capture_end(&c);
	ck_assert_str_eq(s, "trace: x.tls: error: InvalidSize\n");
	free(s);
}
END_TEST

/*
 * A TLS region allocated at line first and freed at the next, traced
 * into c (its offset the first TLS page's).
 */
static void alloc_free(struct capture *c, size_t first)
{
	uint64_t off;

	trace_out_set_line(&c->t, first);
	ck_assert_int_eq(process_tls_alloc(&k, p, &off), KERR_OK);
	trace_out_set_line(&c->t, first + 1);
	ck_assert_int_eq(process_tls_free(&k, p, off), KERR_OK);
}

/*
 * c started on lab.tls, hearing the kernel's events of the given kinds,
 * and a page mapped at line 3.
 */
static void trace_kernel(struct capture *c, uint32_t kinds)
{
	capture_start(c, TRACE_TEXT, "lab.tls");
	kernel_set_trace(&k, trace_out_event, &c->t);
	kernel_trace_kinds(&k, kinds);
	trace_out_set_line(&c->t, 3);
	map_ok(p, 0x0, 0x1000, MEM_NORMAL, MAR_U_RW);
}

/* The kernel's listener gone, what c holds is want. */
static void kernel_traced(struct capture *c, const char *want)
{
	char *s;

	kernel_set_trace(&k, NULL, NULL);
	s = capture_end(c);
	ck_assert_str_eq(s, want);
	free(s);
}

/* Events the kernel model itself emits, through kernel_set_trace. */
START_TEST(trace_text_from_kernel)
{
	struct capture c;

	trace_kernel(&c, TRACE_ALL_KINDS);
	alloc_free(&c, 4);
	kernel_traced(&c,
		"trace: lab.tls:3: map P1 offset=0x0 size=0x1000 type=Normal rights=rw-\n"
		"trace: lab.tls:4: tls-page P1 offset=0x1000 size=0x1000 type=ThreadLocal rights=rw-\n"
		"trace: lab.tls:4: tls-alloc P1 offset=0x1000\n"
		"trace: lab.tls:5: tls-free P1 offset=0x1000\n");
}
END_TEST

/*
 * A listener told some kinds alone (kernel_trace_kinds) hears those, from
 * the kernel and from kernel_emit alike; kernel_set_trace gives it every
 * kind again.
 */
START_TEST(trace_text_kinds_chosen)
{
	struct capture c;

	trace_kernel(&c, 1u << EV_TLS_ALLOC);
	alloc_free(&c, 4);
	kernel_emit(&k, &(struct trace_event){ .kind = EV_ERROR,
					       .detail = "InvalidSize" });
	kernel_set_trace(&k, trace_out_event, &c.t);
	alloc_free(&c, 6);
	/* the page stays mapped: no tls-page at line 6 */
	kernel_traced(&c,
		"trace: lab.tls:4: tls-alloc P1 offset=0x1000\n"
		"trace: lab.tls:6: tls-alloc P1 offset=0x1000\n"
		"trace: lab.tls:7: tls-free P1 offset=0x1000\n");
}
END_TEST

/* ---- trace: JSON ---- */

START_TEST(trace_json_every_kind_parses)
{
	struct thread *t = add_thread(p, "T2", 0x1200);
	struct capture c;
	size_t lines = 0;
	char *s, *line, *save = NULL;

	capture_start(&c, TRACE_JSON, "lab.tls");
	for (int kind = 0; kind < EV_KIND_COUNT; kind++) {
		trace_out_set_line(&c.t, 100 + kind);
		trace_out_event(&c.t, &(struct trace_event){
			.kind = kind, .proc = p, .thread = t, .offset = 0x1200,
			.length = 0x1000, .reg = t->tls,
			.mem_type = MEM_NORMAL, .rights = MAR_U_RW,
			.detail = "d" });
	}
	ck_assert(!trace_out_failed(&c.t));
	s = capture_end(&c);
	for (line = strtok_r(s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		json_error_t err;
		json_t *o = json_loads(line, 0, &err);

		ck_assert_msg(o != NULL, "line %zu: %s", lines, err.text);
		ck_assert(json_is_object(o));
		json_str_is(o, "event", trace_kind_name(lines));
		json_str_is(o, "file", "lab.tls");
		json_int_is(o, "line", 100 + (json_int_t)lines);
		json_decref(o);
		lines++;
	}
	ck_assert_uint_eq(lines, EV_KIND_COUNT);
	free(s);
}
END_TEST

START_TEST(trace_json_map_fields)
{
	json_t *o = json_of(&(struct trace_event){
		.kind = EV_MAP, .proc = p, .offset = 0x3000, .length = 0x2000,
		.mem_type = MEM_CODE_STATIC,
		.rights = MAR_USER_ACCESSIBLE | MAR_READABLE |
			  MAR_EXECUTABLE });

	json_str_is(o, "event", "map");
	json_str_is(o, "file", "lab.tls");
	json_int_is(o, "line", 12);
	json_str_is(o, "process", "P1");
	ck_assert_ptr_null(json_object_get(o, "thread"));
	json_int_is(o, "offset", 0x3000);
	json_int_is(o, "size", 0x2000);
	json_str_is(o, "type", "CodeStatic");
	json_str_is(o, "rights", "r-x");
	ck_assert_uint_eq(json_object_size(o), 8);
	json_decref(o);

	o = json_of(&(struct trace_event){
		.kind = EV_TLS_PAGE, .proc = p, .offset = 0x1000,
		.length = 0x1000, .mem_type = MEM_THREAD_LOCAL,
		.rights = MAR_U_RW });
	json_str_is(o, "type", "ThreadLocal");
	json_str_is(o, "rights", "rw-");
	json_decref(o);
}
END_TEST

START_TEST(trace_json_thread_fields)
{
	struct thread *t = add_thread(p, "T2", 0x1200);
	json_t *o;

	o = json_of(&(struct trace_event){ .kind = EV_TLS_ALLOC, .proc = p,
					   .thread = t, .offset = 0x1200 });
	json_str_is(o, "process", "P1");
	json_str_is(o, "thread", "T2");
	json_int_is(o, "offset", 0x1200);
	json_decref(o);

	/* Raw allocation: no thread key at all. */
	o = json_of(&(struct trace_event){ .kind = EV_TLS_ALLOC, .proc = p,
					   .offset = 0x1400 });
	ck_assert_ptr_null(json_object_get(o, "thread"));
	json_int_is(o, "offset", 0x1400);
	json_decref(o);

	/* The process comes from the thread when the event has none. */
	o = json_of(&(struct trace_event){ .kind = EV_USER_WRITE, .thread = t,
					   .offset = 0x10, .length = 5 });
	json_str_is(o, "process", "P1");
	json_int_is(o, "offset", 0x10);
	json_int_is(o, "length", 5);
	json_str_is(o, "via", "register");
	json_decref(o);

	/* peek/poke: a flat access, its offset in the named process */
	o = json_of(&(struct trace_event){ .kind = EV_USER_READ, .proc = p,
					   .thread = t, .offset = 0x3000,
					   .length = 8, .detail = "flat" });
	json_str_is(o, "via", "flat");
	json_int_is(o, "offset", 0x3000);
	json_decref(o);
}
END_TEST

START_TEST(trace_json_switch_register)
{
	struct process *q = new_process("P2", LAND);
	struct thread *t = add_thread(p, "T1", 0x1000);
	json_t *o, *reg;
	int on_stack;

	o = json_of(&(struct trace_event){ .kind = EV_SWITCH, .proc = p,
					   .thread = t, .offset = 0x1000,
					   .reg = t->tls });
	json_int_is(o, "offset", 0x1000);
	json_int_is(o, "register_offset", 0x1000);
	reg = json_object_get(o, "register");
	ck_assert(json_is_object(reg));
	json_str_is(reg, "process", "P1");
	json_int_is(reg, "offset", 0x1000);
	json_decref(o);

	o = json_of(&(struct trace_event){ .kind = EV_SWITCH, .proc = p,
					   .thread = t, .offset = 0x1000,
					   .reg = q->userland_start + 0x200 });
	ck_assert(json_is_null(json_object_get(o, "register_offset")));
	json_str_is(json_object_get(o, "register"), "process", "P2");
	json_int_is(json_object_get(o, "register"), "offset", 0x200);
	json_decref(o);

	o = json_of(&(struct trace_event){ .kind = EV_SWITCH, .proc = p,
					   .thread = t, .offset = 0x1000,
					   .reg = (uintptr_t)&on_stack });
	ck_assert(json_is_null(json_object_get(o, "register_offset")));
	ck_assert(json_is_null(json_object_get(o, "register")));
	json_decref(o);
}
END_TEST

START_TEST(trace_json_detail_escaping)
{
	const char *msg = "say \"hi\"\nthen\ttab \\ back \x01\x1f end";
	json_t *o;
	char *s;

	o = json_of(&(struct trace_event){ .kind = EV_PANIC, .detail = msg });
	json_str_is(o, "event", "panic");
	json_str_is(o, "detail", msg);
	ck_assert_ptr_null(json_object_get(o, "process"));
	json_decref(o);

	/* Bytes that are not UTF-8 still give a valid line. */
	o = json_of(&(struct trace_event){ .kind = EV_ERROR,
					   .detail = "bad \xff\xfe byte" });
	json_str_is(o, "detail", "bad ?? byte");
	json_decref(o);

	/* No file, no line: both null, still present. */
	{
		struct capture c;

		capture_start(&c, TRACE_JSON, NULL);
		trace_out_event(&c.t, &(struct trace_event){
			.kind = EV_ERROR, .detail = "InvalidAddress" });
		s = capture_end(&c);
		ck_assert_str_eq(s,
			"{\"event\":\"error\",\"file\":null,\"line\":null,"
			"\"detail\":\"InvalidAddress\"}\n");
		free(s);
	}
}
END_TEST

START_TEST(trace_init_and_failure)
{
	struct trace_out t;
	FILE *ro;

	ck_assert_int_eq(trace_format_from_name("text"), TRACE_TEXT);
	ck_assert_int_eq(trace_format_from_name("json"), TRACE_JSON);
	ck_assert_int_eq(trace_format_from_name("xml"), TRACE_FORMAT_COUNT);
	ck_assert_int_eq(trace_format_from_name(NULL), TRACE_FORMAT_COUNT);
	ck_assert_int_eq(trace_out_init(&t, NULL, TRACE_TEXT, NULL), -EINVAL);
	ck_assert_int_eq(trace_out_init(&t, stdout, TRACE_FORMAT_COUNT, NULL),
			 -EINVAL);
	trace_out_event(&t, &(struct trace_event){ .kind = EV_ERROR });
	ck_assert(trace_out_failed(&t));

	/* A stream that refuses writes sets the failure flag. */
	ro = fopen("/dev/null", "r");
	ck_assert_ptr_nonnull(ro);
	ck_assert_int_eq(trace_out_init(&t, ro, TRACE_JSON, "f"), 0);
	ck_assert(!trace_out_failed(&t));
	trace_out_event(&t, &(struct trace_event){ .kind = EV_ERROR,
						   .detail = "x" });
	ck_assert(trace_out_failed(&t));
	fclose(ro);
}
END_TEST

TCase *trace_tcase(void)
{
	TCase *trace = tcase_create("trace");

	tcase_add_checked_fixture(trace, setup, teardown);
	tcase_add_test(trace, trace_text_every_kind);
	tcase_add_test(trace, trace_text_switch_register);
	tcase_add_test(trace, trace_text_origin_and_escapes);
	tcase_add_test(trace, trace_text_from_kernel);
	tcase_add_test(trace, trace_text_kinds_chosen);
	tcase_add_test(trace, trace_json_every_kind_parses);
	tcase_add_test(trace, trace_json_map_fields);
	tcase_add_test(trace, trace_json_thread_fields);
	tcase_add_test(trace, trace_json_switch_register);
	tcase_add_test(trace, trace_json_detail_escaping);
	tcase_add_test(trace, trace_init_and_failure);
	return trace;
}
