/*
 * check_output.c - the output modules: the `show P` drawing and the
 * text/JSON trace sink. Processes are built with process_create/map/
 * tls_alloc (no CPU needed); threads are made by hand for their names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "testutil.h"
#include "process.h"
#include "show.h"
#include "trace_out.h"

#define LAND ((size_t)0x100000)	/* 256 pages */

static struct kernel k;
static struct process *p;

static struct process *new_process(const char *name, size_t size)
{
	struct process *q = NULL;

	ck_assert_int_eq(process_create(&k, name, size, &q), 0);
	return q;
}

static void setup(void)
{
	memset(&k, 0, sizeof(k));
	p = new_process("P1", LAND);
}

/* Like kernel_fini, without the CPU (not part of this branch). */
static void teardown(void)
{
	struct process *q, *qn;
	struct thread *t, *tn;

	kernel_set_trace(&k, NULL, NULL);
	for (q = k.procs; q; q = q->next_in_kernel)
		if (!q->dead)
			process_kill(&k, q);
	for (t = k.threads; t; t = tn) {
		tn = t->next_in_kernel;
		free(t->name);
		free(t);
	}
	for (q = k.procs; q; q = qn) {
		qn = q->next_in_kernel;
		pthread_mutex_destroy(&q->lock);
		free(q->name);
		free(q);
	}
	memset(&k, 0, sizeof(k));
}

/* A live thread of q whose TLS is at offset off, made by hand. */
static struct thread *add_thread(struct process *q, const char *name,
				 uint64_t off)
{
	struct thread *t = calloc(1, sizeof(*t));

	ck_assert_ptr_nonnull(t);
	t->kernel = &k;
	t->tid = ++k.next_tid;
	t->name = strdup(name);
	t->proc = q;
	t->tls = q->userland_start + off;
	t->tls_offset = off;
	t->state = THREAD_READY;
	if (k.threads_tail)
		k.threads_tail->next_in_kernel = t;
	else
		k.threads = t;
	k.threads_tail = t;
	return t;
}

static void map_ok(struct process *q, uint64_t off, uint64_t size,
		   enum memory_type type, unsigned rights)
{
	ck_assert_int_eq(process_map(&k, q, off, size, type, rights), KERR_OK);
}

static uint64_t alloc_ok(struct process *q)
{
	uint64_t off = ~0ull;

	ck_assert_int_eq(process_tls_alloc(&k, q, &off), KERR_OK);
	return off;
}

/* show_process into a string (caller frees); asserts it returns 0. */
static char *show_str(const struct process *q, const struct show_options *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(show_process(f, &k, q, o), 0);
	fclose(f);
	return buf;
}

/* Widest line of s in columns, ANSI escape sequences not counted. */
static size_t widest_line(const char *s)
{
	size_t widest = 0, cols = 0;

	for (; *s; s++) {
		if (*s == '\033') {
			while (*s && *s != 'm')
				s++;
			if (!*s)
				break;
			continue;
		}
		if (*s == '\n') {
			cols = 0;
			continue;
		}
		if (++cols > widest)
			widest = cols;
	}
	return widest;
}

/* ---- show ---- */

START_TEST(show_empty_land)
{
	char *s = show_str(p, NULL);

	ck_assert_str_eq(s,
		"process P1: user land 0x100000 bytes (256 pages), 0 mappings\n"
		"  TLS: 0 pages, 0/0 slots used\n"
		"  offset    size      type  rights\n"
		"  0x0       0x100000  free\n");
	free(s);
}
END_TEST

START_TEST(show_mappings_and_gaps)
{
	char *s;

	map_ok(p, 0x0, 0x1000, MEM_NORMAL, MAR_U_RW);
	map_ok(p, 0x3000, 0x2000, MEM_CODE_STATIC,
	       MAR_USER_ACCESSIBLE | MAR_READABLE | MAR_EXECUTABLE);
	map_ok(p, 0xff000, 0x1000, MEM_STACK,
	       MAR_USER_ACCESSIBLE | MAR_READABLE);
	s = show_str(p, NULL);
	ck_assert_str_eq(s,
		"process P1: user land 0x100000 bytes (256 pages), 3 mappings\n"
		"  TLS: 0 pages, 0/0 slots used\n"
		"  offset    size      type        rights\n"
		"  0x0       0x1000    Normal      rw-\n"
		"  0x1000    0x2000    free\n"
		"  0x3000    0x2000    CodeStatic  r-x\n"
		"  0x5000    0xfa000   free\n"
		"  0xff000   0x1000    Stack       r--\n");
	free(s);
}
END_TEST

START_TEST(show_tls_slots_owners)
{
	char *s;

	map_ok(p, 0x0, 0x1000, MEM_NORMAL, MAR_U_RW);
	ck_assert_uint_eq(alloc_ok(p), 0x1000);
	ck_assert_uint_eq(alloc_ok(p), 0x1200);
	ck_assert_uint_eq(alloc_ok(p), 0x1400);
	add_thread(p, "T1", 0x1000);
	add_thread(p, "T2", 0x1200);
	s = show_str(p, NULL);
	ck_assert_str_eq(s,
		"process P1: user land 0x100000 bytes (256 pages), 2 mappings\n"
		"  TLS: 1 page, 3/8 slots used\n"
		"  offset    size      type         rights\n"
		"  0x0       0x1000    Normal       rw-\n"
		"  0x1000    0x1000    ThreadLocal  rw-  TLS page 1 (3/8 used)\n"
		"    [0] 0x1000 T1         0x1200 T2         0x1400 (used)     0x1600 free\n"
		"    [4] 0x1800 free       0x1a00 free       0x1c00 free       0x1e00 free\n"
		"  0x2000    0xfe000   free\n");
	free(s);
}
END_TEST

/* A dead thread, or a thread of another process, owns nothing here. */
START_TEST(show_owner_only_live_thread_of_p)
{
	struct process *q = new_process("P2", LAND);
	struct thread *dead;
	char *s;

	ck_assert_uint_eq(alloc_ok(p), 0x0);
	ck_assert_uint_eq(alloc_ok(p), 0x200);
	dead = add_thread(p, "Gone", 0x0);
	dead->state = THREAD_DEAD;
	/* Same offset, other process: its host address differs. */
	add_thread(q, "Other", 0x200);
	s = show_str(p, NULL);
	ck_assert_ptr_null(strstr(s, "Gone"));
	ck_assert_ptr_null(strstr(s, "Other"));
	ck_assert_ptr_nonnull(strstr(s, "[0] 0x0   (used)      0x200 (used)"));
	free(s);
}
END_TEST

struct owner_log {
	unsigned calls;
	uint64_t asked[16];
};

static const char *owner_cb(void *ctx, const struct process *q,
			    uintptr_t tls)
{
	struct owner_log *log = ctx;
	uint64_t off = process_offset(q, tls);

	if (log->calls < 16)
		log->asked[log->calls] = off;
	log->calls++;
	return off == 0x400 ? "buf" : NULL;
}

START_TEST(show_owner_callback)
{
	struct owner_log log = { 0 };
	struct show_options o = { .owner = owner_cb, .owner_ctx = &log };
	char *s;

	for (int i = 0; i < 4; i++)
		alloc_ok(p);		/* 0x0 .. 0x600 */
	add_thread(p, "T1", 0x0);
	s = show_str(p, &o);
	ck_assert_ptr_nonnull(strstr(s,
		"[0] 0x0   T1          0x200 (used)      0x400 buf         0x600 (used)\n"));
	/* Asked for the three raw slots only: not T1's, not the free ones. */
	ck_assert_uint_eq(log.calls, 3);
	ck_assert_uint_eq(log.asked[0], 0x200);
	ck_assert_uint_eq(log.asked[1], 0x400);
	ck_assert_uint_eq(log.asked[2], 0x600);
	free(s);
}
END_TEST

START_TEST(show_dead_process)
{
	char *s;

	map_ok(p, 0x0, 0x1000, MEM_NORMAL, MAR_U_RW);
	alloc_ok(p);
	ck_assert_int_eq(process_kill(&k, p), KERR_OK);
	s = show_str(p, NULL);
	ck_assert_str_eq(s, "process P1: killed; its user land was released\n");
	free(s);
}
END_TEST

START_TEST(show_pages_counts_and_order)
{
	char *s, *page1, *page2;

	map_ok(p, 0x0, 0x1000, MEM_NORMAL, MAR_U_RW);
	for (int i = 0; i < 8; i++)
		alloc_ok(p);		/* page 1 at 0x1000 */
	ck_assert_int_eq(process_unmap(&k, p, 0x0, 0x1000), KERR_OK);
	ck_assert_uint_eq(alloc_ok(p), 0x0);	/* page 2, first fit: 0x0 */
	s = show_str(p, NULL);
	ck_assert_ptr_nonnull(strstr(s, "  TLS: 2 pages, 9/16 slots used\n"));
	page1 = strstr(s, "  0x1000    0x1000    ThreadLocal  rw-  TLS page 1 (8/8 used)\n");
	page2 = strstr(s, "  0x0       0x1000    ThreadLocal  rw-  TLS page 2 (1/8 used)\n");
	ck_assert_ptr_nonnull(page1);
	ck_assert_ptr_nonnull(page2);
	/* Drawn in address order, numbered in creation order. */
	ck_assert(page2 < page1);
	free(s);
}
END_TEST

START_TEST(show_unmapped_tls_page)
{
	char *s;

	ck_assert_uint_eq(alloc_ok(p), 0x0);
	ck_assert_int_eq(process_unmap(&k, p, 0x0, 0x1000), KERR_OK);
	s = show_str(p, NULL);
	ck_assert_ptr_nonnull(strstr(s, "  0x0       0x100000  free\n"));
	ck_assert_ptr_nonnull(strstr(s,
		"  0x0: TLS page 1 (1/8 used) NOT MAPPED\n"
		"    [0] 0x0   (used)      0x200 free"));
	free(s);
}
END_TEST

START_TEST(show_long_names_fit_80_columns)
{
	char long_name[301];
	struct owner_log log = { 0 };
	struct show_options o = { .owner = owner_cb, .owner_ctx = &log };
	struct process *q;
	char *s, *c;

	memset(long_name, 'N', 300);
	long_name[300] = '\0';
	q = new_process(long_name, LAND);
	for (int i = 0; i < 3; i++)
		alloc_ok(q);
	add_thread(q, long_name, 0x0);
	s = show_str(q, &o);
	ck_assert_uint_le(widest_line(s), 80);
	ck_assert_ptr_nonnull(strstr(s, "..."));
	ck_assert_ptr_nonnull(strstr(s, "[0] 0x0   NNNNNNNN... 0x200 (used)"));
	free(s);

	o.color = true;
	c = show_str(q, &o);
	ck_assert_uint_le(widest_line(c), 80);
	ck_assert_ptr_nonnull(strchr(c, '\033'));
	free(c);
}
END_TEST

/*
 * Offsets of 13 characters need the 2-slots-a-row layout; still 80
 * columns. Only a pretence can put a TLS page 2^40 bytes into a user land
 * here: move the start of P1's land (used only for reports) 2^40 lower.
 */
START_TEST(show_wide_offsets_fit_80_columns)
{
	const uint64_t far = (uint64_t)1 << 40;
	char *s;

	ck_assert_uint_eq(alloc_ok(p), 0x0);
	add_thread(p, "a-thread-with-a-long-name-indeed", 0x0);
	p->userland_start -= far;
	p->userland_size += far;
	s = show_str(p, NULL);
	ck_assert_uint_le(widest_line(s), 80);
	ck_assert_ptr_nonnull(strstr(s,
		"  0x10000000000  0x1000         ThreadLocal  rw-  TLS page 1 (1/8 used)\n"
		"    [0] 0x10000000000 a-thread-with-a-lo... 0x10000000200 free\n"
		"    [2] 0x10000000400 free"));
	ck_assert_ptr_nonnull(strstr(s, "    [6] 0x10000000c00 free"));
	p->userland_start += far;
	p->userland_size -= far;
	free(s);
}
END_TEST

START_TEST(show_no_escapes_without_color)
{
	struct show_options o = { .color = false };
	char *s;

	map_ok(p, 0x0, 0x1000, MEM_NORMAL, MAR_U_RW);
	alloc_ok(p);
	add_thread(p, "T1", 0x1000);
	s = show_str(p, &o);
	ck_assert_ptr_null(strchr(s, '\033'));
	free(s);
}
END_TEST

START_TEST(show_color_escapes)
{
	struct show_options o = { .color = true };
	char *s;

	map_ok(p, 0x0, 0x1000, MEM_NORMAL, MAR_U_RW);
	alloc_ok(p);
	alloc_ok(p);
	add_thread(p, "T1", 0x1000);
	s = show_str(p, &o);
	ck_assert_ptr_nonnull(strstr(s, "\033[36mNormal\033[0m"));
	ck_assert_ptr_nonnull(strstr(s, "\033[35mThreadLocal\033[0m"));
	ck_assert_ptr_nonnull(strstr(s, "\033[32mT1\033[0m"));
	ck_assert_ptr_nonnull(strstr(s, "\033[33m(used)\033[0m"));
	ck_assert_ptr_nonnull(strstr(s, "\033[2mfree\033[0m"));
	ck_assert_uint_le(widest_line(s), 80);
	free(s);
}
END_TEST

/* Same story in two processes (two host addresses): the same drawing. */
START_TEST(show_deterministic_offsets_only)
{
	struct process *a = new_process("P", LAND);
	struct process *b = new_process("P", LAND);
	char *sa, *sb;

	ck_assert_uint_ne(a->userland_start, b->userland_start);
	map_ok(a, 0x2000, 0x1000, MEM_HEAP, MAR_U_RW);
	map_ok(b, 0x2000, 0x1000, MEM_HEAP, MAR_U_RW);
	alloc_ok(a);
	alloc_ok(b);
	add_thread(a, "T", 0x0);
	add_thread(b, "T", 0x0);
	sa = show_str(a, NULL);
	sb = show_str(b, NULL);
	ck_assert_ptr_nonnull(strstr(sa, "0x0   T "));
	ck_assert_str_eq(sa, sb);
	free(sa);
	free(sb);
}
END_TEST

START_TEST(show_bad_arguments)
{
	ck_assert_int_eq(show_process(NULL, &k, p, NULL), -EINVAL);
	ck_assert_int_eq(show_process(stdout, NULL, p, NULL), -EINVAL);
	ck_assert_int_eq(show_process(stdout, &k, NULL, NULL), -EINVAL);
}
END_TEST

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
		"trace: lab.tls:12: user-read T2 (P1) offset=0x10 length=0x8\n");
	text_is(&(struct trace_event){ .kind = EV_USER_WRITE, .thread = t,
				       .offset = 0x1f8, .length = 0x8 },
		"trace: lab.tls:12: user-write T2 (P1) offset=0x1f8 length=0x8\n");
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

/* Events the kernel model itself emits, through kernel_set_trace. */
START_TEST(trace_text_from_kernel)
{
	struct capture c;
	uint64_t off;
	char *s;

	capture_start(&c, TRACE_TEXT, "lab.tls");
	kernel_set_trace(&k, trace_out_event, &c.t);
	trace_out_set_line(&c.t, 3);
	map_ok(p, 0x0, 0x1000, MEM_NORMAL, MAR_U_RW);
	trace_out_set_line(&c.t, 4);
	ck_assert_int_eq(process_tls_alloc(&k, p, &off), KERR_OK);
	trace_out_set_line(&c.t, 5);
	ck_assert_int_eq(process_tls_free(&k, p, off), KERR_OK);
	kernel_set_trace(&k, NULL, NULL);
	s = capture_end(&c);
	ck_assert_str_eq(s,
		"trace: lab.tls:3: map P1 offset=0x0 size=0x1000 type=Normal rights=rw-\n"
		"trace: lab.tls:4: tls-page P1 offset=0x1000 size=0x1000 type=ThreadLocal rights=rw-\n"
		"trace: lab.tls:4: tls-alloc P1 offset=0x1000\n"
		"trace: lab.tls:5: tls-free P1 offset=0x1000\n");
	free(s);
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
		.rights = MAR_USER_ACCESSIBLE | MAR_READABLE | MAR_EXECUTABLE });

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

static Suite *output_suite(void)
{
	Suite *s = suite_create("output");
	TCase *show = tcase_create("show");
	TCase *trace = tcase_create("trace");

	tcase_add_checked_fixture(show, setup, teardown);
	tcase_add_test(show, show_empty_land);
	tcase_add_test(show, show_mappings_and_gaps);
	tcase_add_test(show, show_tls_slots_owners);
	tcase_add_test(show, show_owner_only_live_thread_of_p);
	tcase_add_test(show, show_owner_callback);
	tcase_add_test(show, show_dead_process);
	tcase_add_test(show, show_pages_counts_and_order);
	tcase_add_test(show, show_unmapped_tls_page);
	tcase_add_test(show, show_long_names_fit_80_columns);
	tcase_add_test(show, show_wide_offsets_fit_80_columns);
	tcase_add_test(show, show_no_escapes_without_color);
	tcase_add_test(show, show_color_escapes);
	tcase_add_test(show, show_deterministic_offsets_only);
	tcase_add_test(show, show_bad_arguments);
	suite_add_tcase(s, show);

	tcase_add_checked_fixture(trace, setup, teardown);
	tcase_add_test(trace, trace_text_every_kind);
	tcase_add_test(trace, trace_text_switch_register);
	tcase_add_test(trace, trace_text_origin_and_escapes);
	tcase_add_test(trace, trace_text_from_kernel);
	tcase_add_test(trace, trace_json_every_kind_parses);
	tcase_add_test(trace, trace_json_map_fields);
	tcase_add_test(trace, trace_json_thread_fields);
	tcase_add_test(trace, trace_json_switch_register);
	tcase_add_test(trace, trace_json_detail_escaping);
	tcase_add_test(trace, trace_init_and_failure);
	suite_add_tcase(s, trace);
	return s;
}

int main(void)
{
	return run_suite(output_suite());
}
