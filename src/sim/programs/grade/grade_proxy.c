/*
 * grade_proxy.c - a manager split across two processes: the recorder in
 * the test child (the student's ops, each answer sent as a record) and
 * the replayer in the verifier (a manager answering with the records).
 * See grade_proxy.h for why.
 */
#include <config.h>

#include "grade_proxy.h"
#include "kerror.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the recorder (test child) ---- */

struct record_mgr {
	uint32_t id;
	struct tlsm *inner;
	struct tlsm_memory real;	/* the kernel's callbacks */
	struct tlsm_memory wrapped;	/* what the manager is given */
};

static const struct tls_manager_ops *inner_ops;
static uint32_t recorded_managers;
static struct grade_progress *progress;

/* The recording callbacks: the kernel's answer, sent along. */
static enum kernel_error record_find(void *ctx, size_t length,
				     uintptr_t *addr)
{
	struct record_mgr *m = ctx;
	enum kernel_error err;

	*addr = 0;
	err = m->real.find_available_space(m->real.ctx, length, addr);
	wire_put(WIRE_FIND, m->id, length, *addr, 0, err, NULL, 0);
	return err;
}

static enum kernel_error record_map(void *ctx, uintptr_t addr, size_t length)
{
	struct record_mgr *m = ctx;
	enum kernel_error err = m->real.map(m->real.ctx, addr, length);

	wire_put(WIRE_MAP, m->id, addr, length, 0, err, NULL, 0);
	return err;
}

static enum kernel_error record_unmap(void *ctx, uintptr_t addr,
				      size_t length)
{
	struct record_mgr *m = ctx;
	enum kernel_error err = m->real.unmap(m->real.ctx, addr, length);

	wire_put(WIRE_UNMAP, m->id, addr, length, 0, err, NULL, 0);
	return err;
}

enum call_op { CALL_CREATE, CALL_DESTROY, CALL_ALLOC, CALL_FREE, CALL_STATS,
	       CALL_PAGES };

const char *grade_op_name(uint32_t op)
{
	static const char *const names[] = {
		"create", "destroy", "allocate", "free", "stats",
		"for_each_page",
	};

	return op < sizeof(names) / sizeof(names[0]) ? names[op] : "a call";
}

/* One call of the student's code, its arguments and its results. */
struct call {
	enum call_op op;
	struct record_mgr *m;
	uintptr_t tls;
	enum kernel_error err;
	struct tlsm_stats *stats;
	tlsm_page_fn fn;
	void *arg;
};

/* for_each_page's callback: the page goes out, then to the kernel's. */
static void record_page(void *arg, const struct tlsm_page *page)
{
	struct call *c = arg;

	wire_put(WIRE_PAGE, c->m->id, page->address, page->used, 0, 0,
		 NULL, 0);
	c->fn(c->arg, page);
}

/* panic_call's function: the call itself. */
static void make_call(void *arg)
{
	struct call *c = arg;
	struct record_mgr *m = c->m;

	switch (c->op) {
	case CALL_CREATE:
		m->inner = inner_ops->create(&m->wrapped);
		break;
	case CALL_DESTROY:
		inner_ops->destroy(m->inner);
		break;
	case CALL_ALLOC:
		c->err = inner_ops->allocate(m->inner, &c->tls);
		break;
	case CALL_FREE:
		inner_ops->free(m->inner, c->tls);
		break;
	case CALL_STATS:
		inner_ops->stats(m->inner, c->stats);
		break;
	case CALL_PAGES:
		inner_ops->for_each_page(m->inner, record_page, c);
		break;
	}
}

/*
 * Make the call, saying first which it is (a crash or a hang is then
 * charged to it). A panic is sent, then raised again.
 */
static void guarded(struct call *c)
{
	struct panic_catch catch;

	progress->op = c->op;
	progress->call++;
	if (!panic_call(&catch, make_call, c))
		return;
	wire_put(WIRE_PANIC, c->m->id, 0, 0, 0, 0, catch.message,
		 strnlen(catch.message, sizeof(catch.message)));
	wire_flush();
	panic("%s", catch.message);
}

static struct tlsm *record_create(const struct tlsm_memory *mem)
{
	struct record_mgr *m = calloc(1, sizeof(*m));
	struct call c = { .op = CALL_CREATE, .m = m };
	enum kernel_error found;
	uintptr_t first = 0;

	if (!m)
		return NULL;
	m->real = *mem;
	/* where the land's first free page is: the verifier's own land
	   starts as far from its first free page */
	found = mem->find_available_space(mem->ctx, TLSM_PAGE_SIZE, &first);
	m->wrapped = (struct tlsm_memory){ m, record_find, record_map,
					   record_unmap };
	m->id = recorded_managers + 1;
	guarded(&c);
	if (!m->inner) {
		wire_put(WIRE_CREATE, 0, 0, 0, 0, 0, NULL, 0);
		free(m);
		return NULL;
	}
	recorded_managers++;
	wire_put(WIRE_CREATE, m->id, first, 0, 0, found, NULL, 0);
	return (struct tlsm *)m;
}

static void record_destroy(struct tlsm *mgr)
{
	struct record_mgr *m = (struct record_mgr *)mgr;
	struct call c = { .op = CALL_DESTROY, .m = m };

	if (!m)
		return;
	guarded(&c);
	wire_put(WIRE_DESTROY, m->id, 0, 0, 0, 0, NULL, 0);
	free(m);
}

static enum kernel_error record_allocate(struct tlsm *mgr, uintptr_t *out)
{
	struct call c = { .op = CALL_ALLOC, .m = (struct record_mgr *)mgr };

	guarded(&c);
	wire_put(WIRE_ALLOC, c.m->id, c.tls, 0, 0, c.err, NULL, 0);
	*out = c.tls;
	return c.err;
}

static void record_free(struct tlsm *mgr, uintptr_t tls)
{
	struct call c = { .op = CALL_FREE, .m = (struct record_mgr *)mgr,
			  .tls = tls };

	guarded(&c);
	wire_put(WIRE_FREE, c.m->id, tls, 0, 0, 0, NULL, 0);
}

static void record_stats(const struct tlsm *mgr, struct tlsm_stats *out)
{
	struct call c = { .op = CALL_STATS, .m = (struct record_mgr *)mgr,
			  .stats = out };

	memset(out, 0, sizeof(*out));
	guarded(&c);
	wire_put(WIRE_STATS, c.m->id, out->pages, out->used,
		 out->bookkeeping_bytes, 0, NULL, 0);
}

static void record_for_each_page(const struct tlsm *mgr, tlsm_page_fn fn,
				 void *arg)
{
	struct call c = { .op = CALL_PAGES, .m = (struct record_mgr *)mgr,
			  .fn = fn, .arg = arg };

	guarded(&c);
	wire_put(WIRE_PAGES_END, c.m->id, 0, 0, 0, 0, NULL, 0);
}

double grade_record_lap(int go_fd)
{
	char go;

	wire_put(WIRE_LAP, 0, 0, 0, 0, 0, NULL, 0);
	wire_flush();
	while (read(go_fd, &go, 1) != 1)
		if (errno != EINTR)
			_exit(3);
	return 0;
}

const struct tls_manager_ops *grade_record_ops(
	const struct tls_manager_ops *inner, const char *name,
	struct grade_progress *where)
{
	static struct tls_manager_ops ops = {
		.version = TLSM_VERSION,
		.create = record_create,
		.destroy = record_destroy,
		.allocate = record_allocate,
		.free = record_free,
		.stats = record_stats,
		.for_each_page = record_for_each_page,
	};

	inner_ops = inner;
	progress = where;
	ops.name = name;
	ops.summary = name;
	return &ops;
}

/* ---- the replayer (verifier) ---- */

struct replay_mgr {
	uint32_t id;
	struct tlsm_memory mem;		/* the verifier's own process */
	uint64_t delta;			/* verifier address - child address */
	bool have_delta;
};

char grade_crash_at[160];

static struct wire_reader *reader;
static uint32_t replayed_managers;
static unsigned long calls;
static const char *current_op = "create";

/* Stop the test: the child answered out of turn (what says how). */
static void __attribute__((noreturn)) out_of_turn(const char *what)
{
	grade_replay_abort(REPLAY_OUT_OF_TURN, current_op, calls, what);
}

/* A child address in the verifier's user land. */
static uint64_t here(const struct replay_mgr *m, uint64_t child)
{
	return child + m->delta;
}

/*
 * Make the child's memory call r again on the verifier's process: it
 * must give the same result. A found range fixes the distance between
 * the two user lands.
 */
static void replay_memory(struct replay_mgr *m, const struct wire_rec *r)
{
	enum kernel_error err;
	uintptr_t addr = 0;

	if (!m)
		out_of_turn("a memory call outside any manager");
	switch (r->kind) {
	case WIRE_FIND:
		err = m->mem.find_available_space(m->mem.ctx, r->a, &addr);
		break;
	case WIRE_MAP:
		err = m->mem.map(m->mem.ctx, here(m, r->a), r->b);
		break;
	default:
		err = m->mem.unmap(m->mem.ctx, here(m, r->a), r->b);
		break;
	}
	if ((uint32_t)err != (uint32_t)r->err) {
		if (r->err == KERR_HOST_REFUSED)
			grade_replay_abort(REPLAY_HOST_REFUSED, current_op,
					   calls, NULL);
		grade_replay_abort(REPLAY_MEMORY_DIFFERS, current_op, calls,
				   kernel_error_name(err));
	}
	if (r->kind == WIRE_FIND && !err) {
		if (m->have_delta && addr - r->b != m->delta)
			grade_replay_abort(REPLAY_MEMORY_DIFFERS, current_op,
					   calls, "another place");
		m->delta = addr - r->b;
		m->have_delta = true;
	}
}

/* Raise the panic the child reported, with the region's address moved. */
static void __attribute__((noreturn))
replay_panic(const struct replay_mgr *m, uintptr_t tls, const char *text)
{
	char child_hex[32], here_hex[32], moved[WIRE_TEXT_MAX + 64];
	char shown[PANIC_MESSAGE_MAX];
	const char *at = NULL;

	if (m && tls) {
		snprintf(child_hex, sizeof(child_hex), "0x%lx",
			 (unsigned long)(tls - m->delta));
		snprintf(here_hex, sizeof(here_hex), "0x%lx",
			 (unsigned long)tls);
		at = strstr(text, child_hex);
	}
	if (at)
		snprintf(moved, sizeof(moved), "%.*s%s%s", (int)(at - text),
			 text, here_hex, at + strlen(child_hex));
	else
		snprintf(moved, sizeof(moved), "%s", text);
	grade_escape(shown, sizeof(shown), moved, strlen(moved));
	tlsm_panic("%s", shown);
}

/*
 * The child's answer to the call under way, of kind want (or also2):
 * memory calls on the way are made again, a panic is raised again.
 */
static void next_answer(struct replay_mgr *m, uintptr_t tls, uint32_t want,
			uint32_t also, struct wire_rec *r)
{
	static char text[WIRE_TEXT_MAX + 1];

	for (;;) {
		enum wire_status st = wire_get(reader, r, text);

		if (st)
			grade_replay_abort(st, current_op, calls, NULL);
		switch (r->kind) {
		case WIRE_FIND:
		case WIRE_MAP:
		case WIRE_UNMAP:
			replay_memory(m, r);
			continue;
		case WIRE_CRASH_AT:
			grade_escape(grade_crash_at, sizeof(grade_crash_at),
				     text, r->len);
			continue;
		case WIRE_PANIC:
			replay_panic(m, tls, text);
		case WIRE_LOAD_ERROR:
			grade_replay_abort(REPLAY_LOAD_ERROR, current_op, calls,
					   text);
		default:
			break;
		}
		if (r->kind != want && r->kind != also)
			out_of_turn("another call's answer");
		if (m && r->kind != WIRE_CREATE && r->id != m->id)
			out_of_turn("another manager's answer");
		return;
	}
}

/* Count the call and name it. */
static void begin(const char *op)
{
	calls++;
	current_op = op;
}

static struct tlsm *replay_create(const struct tlsm_memory *mem)
{
	struct replay_mgr *m = calloc(1, sizeof(*m));
	uintptr_t first = 0;
	struct wire_rec r;

	if (!m)
		panic("grade: the verifier has no memory for a manager");
	m->mem = *mem;
	begin("create");
	next_answer(m, 0, WIRE_CREATE, WIRE_CREATE, &r);
	if (r.id == 0) {
		free(m);
		return NULL;
	}
	if (r.id != replayed_managers + 1)
		out_of_turn("a manager that was never created");
	m->id = ++replayed_managers;
	if (!m->have_delta && r.err == KERR_OK &&
	    !mem->find_available_space(mem->ctx, TLSM_PAGE_SIZE, &first)) {
		m->delta = first - r.a;
		m->have_delta = true;
	}
	return (struct tlsm *)m;
}

static void replay_destroy(struct tlsm *mgr)
{
	struct replay_mgr *m = (struct replay_mgr *)mgr;
	struct wire_rec r;

	if (!m)
		return;
	begin("destroy");
	next_answer(m, 0, WIRE_DESTROY, WIRE_DESTROY, &r);
	free(m);
}

static enum kernel_error replay_allocate(struct tlsm *mgr, uintptr_t *out)
{
	struct replay_mgr *m = (struct replay_mgr *)mgr;
	struct wire_rec r;

	begin("allocate");
	next_answer(m, 0, WIRE_ALLOC, WIRE_ALLOC, &r);
	*out = (uintptr_t)here(m, r.a);
	return (enum kernel_error)r.err;
}

static void replay_free(struct tlsm *mgr, uintptr_t tls)
{
	struct replay_mgr *m = (struct replay_mgr *)mgr;
	struct wire_rec r;

	begin("free");
	next_answer(m, tls, WIRE_FREE, WIRE_FREE, &r);
	if (here(m, r.a) != tls)
		out_of_turn("the free of another region");
}

static void replay_stats(const struct tlsm *mgr, struct tlsm_stats *out)
{
	struct replay_mgr *m = (struct replay_mgr *)mgr;
	struct wire_rec r;

	begin("stats");
	next_answer(m, 0, WIRE_STATS, WIRE_STATS, &r);
	out->pages = (size_t)r.a;
	out->used = (size_t)r.b;
	out->bookkeeping_bytes = (size_t)r.c;
}

static void replay_for_each_page(const struct tlsm *mgr, tlsm_page_fn fn,
				 void *arg)
{
	struct replay_mgr *m = (struct replay_mgr *)mgr;
	struct wire_rec r;

	begin("for_each_page");
	for (;;) {
		struct tlsm_page page;

		next_answer(m, 0, WIRE_PAGE, WIRE_PAGES_END, &r);
		if (r.kind == WIRE_PAGES_END)
			return;
		page.address = (uintptr_t)here(m, r.a);
		page.used = (uint32_t)r.b;
		fn(arg, &page);
	}
}

double grade_replay_lap(int go_fd)
{
	struct wire_rec r;

	current_op = "a timed round";
	next_answer(NULL, 0, WIRE_LAP, WIRE_LAP, &r);
	if (write(go_fd, "g", 1) != 1)
		grade_replay_abort(WIRE_EOF, current_op, calls, NULL);
	return wire_now() * 1e9;
}

const struct tls_manager_ops *grade_replay_ops(struct wire_reader *rd,
					       const char *name)
{
	static struct tls_manager_ops ops = {
		.version = TLSM_VERSION,
		.create = replay_create,
		.destroy = replay_destroy,
		.allocate = replay_allocate,
		.free = replay_free,
		.stats = replay_stats,
		.for_each_page = replay_for_each_page,
	};

	reader = rd;
	ops.name = name;
	ops.summary = name;
	return &ops;
}
