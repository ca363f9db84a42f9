/*
 * conform_land.c - what the conformance tests stand on: a process on
 * a kernel, its TLS managed by the manager under test, reached only
 * through the kernel front (raw TLSManager calls at offsets, the
 * manager's figures and pages, the process's mappings).
 */
#include <config.h>

#include "conform.h"
#include "report/place.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* vsnprintf into g->reason. */
static void set_reason(struct conform_ctx *g, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void set_reason(struct conform_ctx *g, const char *fmt, va_list ap)
{
	vsnprintf(g->reason, sizeof(g->reason), fmt, ap);
}

int conform_fail(struct conform_ctx *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_reason(g, fmt, ap);
	va_end(ap);
	return -1;
}

int conform_note(struct conform_ctx *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_reason(g, fmt, ap);
	va_end(ap);
	return 0;
}

int conform_kernel_up(struct conform_ctx *g, struct kernel **k)
{
	int err = kernel_create(ARCH_MOCK, false, k);

	if (err)
		return conform_fail(g, "the host refused the kernel model: %s",
				  strerror(-err));
	return 0;
}

int conform_land_open(struct conform_ctx *g, struct kernel *k,
		    const struct tls_manager_ops *ops, const char *name,
		    size_t pages, struct conform_land *l)
{
	int err = process_create(k, name, pages * TLSM_PAGE_SIZE, ops, &l->p);

	l->k = k;
	l->ops = ops;
	l->name = name;
	if (err == -ENOMEM)
		return conform_fail(g, "create returned NULL (or the host had "
				  "no memory for a process)");
	if (err)
		return conform_fail(g, "the host refused a process: %s",
				  strerror(-err));
	return 0;
}

void conform_land_close(struct conform_land *l)
{
	if (l->p)
		process_kill(l->k, l->p);
	l->p = NULL;
}

enum kernel_error conform_alloc(struct conform_land *l, uint64_t *off)
{
	*off = UINT64_MAX;
	return process_tls_alloc(l->k, l->p, off);
}

struct free_call {
	struct conform_land *l;
	uint64_t off;
};

/* panic_call's function: the free itself. */
static void call_free(void *arg)
{
	struct free_call *c = arg;

	process_tls_free(c->l->k, c->l->p, c->off);
}

const char *conform_free(struct conform_land *l, uint64_t off, char *msg,
		       size_t len)
{
	struct free_call call = { l, off };
	struct panic_catch catch;
	char hex[32];
	const char *at;

	if (!panic_call(&catch, call_free, &call))
		return NULL;
	snprintf(hex, sizeof(hex), "0x%lx",
		 (unsigned long)(process_userland_start(l->p) + off));
	at = strstr(catch.message, hex);
	if (at)
		snprintf(msg, len, "%.*sADDR%s", (int)(at - catch.message),
			 catch.message, at + strlen(hex));
	else
		snprintf(msg, len, "%s", catch.message);
	return msg;
}

struct tlsm_stats conform_stats(const struct conform_land *l)
{
	struct tlsm_stats st;

	process_tls_stats(l->p, &st);
	return st;
}

/* for_each_page's callback: one page into the list, as an offset. */
static void add_page(void *arg, const struct tlsm_page *page)
{
	struct conform_pages *out = arg;

	if (out->n == CONFORM_MAX_PAGES) {
		out->overflow = true;
		return;
	}
	out->page[out->n].address = page->address - out->base;
	out->page[out->n++].used = page->used;
}

/* qsort's order: by address. */
static int by_address(const void *a, const void *b)
{
	const struct tlsm_page *x = a, *y = b;

	return x->address < y->address ? -1 : x->address > y->address;
}

void conform_pages(const struct conform_land *l, struct conform_pages *out)
{
	out->n = 0;
	out->overflow = false;
	out->base = process_userland_start(l->p);
	process_for_each_tls_page(l->p, add_page, out);
	qsort(out->page, out->n, sizeof(out->page[0]), by_address);
}

size_t conform_mappings(const struct conform_land *l)
{
	return process_mapping_count(l->p);
}

bool conform_region_ok(const struct conform_land *l, uint64_t off)
{
	struct mapping m;
	uint64_t start;

	if (off % TLS_SIZE || !process_mapping_at(l->p, off, &m) ||
	    m.type != MEM_THREAD_LOCAL)
		return false;
	start = m.start - process_userland_start(l->p);
	return off + TLS_SIZE <= start + m.length;
}

const char *conform_where(const struct conform_land *l, uint64_t off)
{
	static char ring[4][64];
	static unsigned next;
	char *buf = ring[next++ % 4];

	if (off >= process_userland_size(l->p))
		return "a region outside the user land";
	return place_named(l->name, off, buf, sizeof(ring[0]));
}

double conform_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

double conform_lap(struct conform_ctx *g)
{
	return g->lap ? g->lap(g) : conform_now_ns();
}
