/*
 * conform_diff.c - the tests of the conformance suite (conform.h) that go
 * beyond single rules:
 *
 * - the differential: the manager and the reference ("sunrise"), each in
 *   its own process of the same size, get the same random operations:
 *   allocates (some with the map refused), frees of live regions, bad
 *   frees, mappings and unmaps of other memory that close and reopen
 *   holes, and new processes. They must give the same regions (as
 *   offsets in their user lands), the same errors, the same panics and
 *   the same pages. The first difference fails the test and says where.
 * - the performance smoke test: 10^5 regions filled, then 10^4 frees and
 *   allocates at random, within the timeout; the time an operation takes
 *   is reported, not scored. The seed's linear scans take a few seconds
 *   on a loaded machine; a manager that is quadratic per operation, or
 *   that walks every page on free and allocate both, does not finish.
 * - a scenario run with the manager as its processes' policy.
 */
#include <config.h>

#include "conform.h"
#include "scenario/scenario_run.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DIFF_OPS 20000
#define DIFF_CHECK_EVERY 64
#define DIFF_HISTORY 6
#define DIFF_MAX_LIVE (1024 * TLS_PER_PAGE)

/* User land sizes in pages, one per seed in turn: small ones fill up. */
static const size_t diff_lands[] = { 8, 24, 64, 256, 1024 };

struct diff {
	struct conform_ctx *g;
	struct kernel *k;
	struct conform_land l[2];		/* the manager's, the reference's */
	uint64_t live[DIFF_MAX_LIVE];	/* offsets */
	size_t nlive;
	uint64_t rng;
	size_t land_pages;
	size_t op;
	size_t allocated, errors, panics;
	/* The last operations that did something, a ring. */
	struct {
		size_t op;
		char text[80];
	} history[DIFF_HISTORY];
	size_t nhistory;
};

static struct conform_pages diff_pages[2];

/* Note the current operation in the ring of recent ones. */
static void __attribute__((format(printf, 2, 3)))
record(struct diff *d, const char *fmt, ...)
{
	size_t i = d->nhistory++ % DIFF_HISTORY;
	va_list ap;

	d->history[i].op = d->op;
	va_start(ap, fmt);
	vsnprintf(d->history[i].text, sizeof(d->history[i].text), fmt, ap);
	va_end(ap);
}

/*
 * Fail with "operation N: WHY", and with --verbose the
 * operations that led there. Returns -1.
 */
static int __attribute__((format(printf, 2, 3)))
differ(struct diff *d, const char *fmt, ...)
{
	struct conform_ctx *g = d->g;
	size_t n, first;
	va_list ap;

	n = (size_t)snprintf(g->reason, sizeof(g->reason), "operation %zu: ",
			     d->op + 1);
	va_start(ap, fmt);
	if (n < sizeof(g->reason))
		n += (size_t)vsnprintf(g->reason + n, sizeof(g->reason) - n,
				       fmt, ap);
	va_end(ap);
	if (!g->verbose)
		return -1;
	first = d->nhistory > DIFF_HISTORY ? d->nhistory - DIFF_HISTORY : 0;
	if (n < sizeof(g->reason))
		n += (size_t)snprintf(g->reason + n, sizeof(g->reason) - n,
				      "\nthe last operations (the reference's "
				      "results):");
	for (size_t i = first; i < d->nhistory && n < sizeof(g->reason); i++)
		n += (size_t)snprintf(g->reason + n, sizeof(g->reason) - n,
				      "\n  %6zu %s",
				      d->history[i % DIFF_HISTORY].op + 1,
				      d->history[i % DIFF_HISTORY].text);
	return -1;
}

/*
 * An allocate's result in land l as text: "A+0x200", "a region outside
 * the user land", or the error's name.
 */
static const char *result(const struct conform_land *l,
			  enum kernel_error err, uint64_t off)
{
	return err ? kernel_error_name(err) : conform_where(l, off);
}

/* The two processes, A and R. Returns 0, or -1 with the reason. */
static int lands_open(struct diff *d)
{
	if (conform_land_open(d->g, d->k, d->g->ops, "A", d->land_pages,
			    &d->l[0]))
		return -1;
	return conform_land_open(d->g, d->k, d->g->ref, "R", d->land_pages,
			       &d->l[1]);
}

/*
 * Allocate in both, the map refused if refuse_map. These operations
 * return 0 when both agree, else -1 with the difference as the reason.
 */
static int allocate(struct diff *d, bool refuse_map)
{
	enum kernel_error err[2];
	uint64_t off[2];

	for (int i = 0; i < 2; i++) {
		kernel_inject_map_fail(refuse_map ? 1 : 0);
		err[i] = conform_alloc(&d->l[i], &off[i]);
		kernel_inject_map_fail(0);
	}
	record(d, "allocate%s -> %s", refuse_map ? " (map refused)" : "",
	       result(&d->l[1], err[1], off[1]));
	if (err[0] != err[1] || (!err[0] && off[0] != off[1]))
		return differ(d, "allocate%s gave %s; the reference gave %s",
			      refuse_map ? " with the map refused" : "",
			      result(&d->l[0], err[0], off[0]),
			      result(&d->l[1], err[1], off[1]));
	if (err[0]) {
		d->errors++;
		return 0;
	}
	if (d->nlive < DIFF_MAX_LIVE)
		d->live[d->nlive++] = off[0];
	d->allocated++;
	return 0;
}

/* Free a random live region in both: neither may panic. */
static int free_live(struct diff *d)
{
	char msg[PANIC_MESSAGE_MAX];
	uint64_t off;
	size_t i;

	if (!d->nlive)
		return 0;
	i = xorshift64s(&d->rng) % d->nlive;
	off = d->live[i];
	record(d, "free %s", conform_where(&d->l[1], off));
	if (conform_free(&d->l[0], off, msg, sizeof(msg)))
		return differ(d, "free of %s (in use) panicked: %s",
			      conform_where(&d->l[0], off), msg);
	if (conform_free(&d->l[1], off, msg, sizeof(msg)))
		return differ(d, "the reference panicked freeing %s: %s",
			      conform_where(&d->l[1], off), msg);
	d->live[i] = d->live[--d->nlive];
	return 0;
}

/* A free of an offset that is no live region: both panic alike. */
static int free_bad(struct diff *d)
{
	char msg[2][PANIC_MESSAGE_MAX];
	uint64_t off = xorshift64s(&d->rng) % (d->land_pages * TLSM_PAGE_SIZE);
	const char *got;

	off &= ~(uint64_t)7;
	for (size_t i = 0; i < d->nlive; i++)
		if (d->live[i] == off)
			return 0;
	record(d, "free %s (not in use): a panic",
	       conform_where(&d->l[1], off));
	if (!conform_free(&d->l[1], off, msg[1], sizeof(msg[1])))
		return 0;	/* the reference has nothing to say */
	d->panics++;
	got = conform_free(&d->l[0], off, msg[0], sizeof(msg[0]));
	if (!got)
		return differ(d, "free of %s (not in use) did not panic; the "
			      "reference panicked \"%s\"",
			      conform_where(&d->l[0], off), msg[1]);
	if (strcmp(msg[0], msg[1]) != 0)
		return differ(d, "free of %s (not in use) panicked \"%s\"; the "
			      "reference \"%s\"", conform_where(&d->l[0], off),
			      msg[0], msg[1]);
	return 0;
}

/* A Normal mapping of 1 to 3 pages at a random page, or an unmap. */
static int other_memory(struct diff *d, bool map)
{
	uint64_t at = xorshift64s(&d->rng) % d->land_pages * TLSM_PAGE_SIZE;
	uint64_t len = (1 + xorshift64s(&d->rng) % 3) * TLSM_PAGE_SIZE;
	enum kernel_error err[2];
	struct mapping m;

	if (!map) {
		if (!process_mapping_at(d->l[1].p, at, &m) ||
		    m.type != MEM_NORMAL)
			return 0;
		at = m.start - process_userland_start(d->l[1].p);
		len = m.length;
	}
	record(d, "%s other memory at %s, 0x%" PRIx64 " bytes",
	       map ? "map" : "unmap", conform_where(&d->l[1], at), len);
	for (int i = 0; i < 2; i++)
		err[i] = map ? process_map(d->k, d->l[i].p, at, len,
					   MEM_NORMAL, MAR_U_RW)
			     : process_unmap(d->k, d->l[i].p, at, len);
	if (err[0] != err[1])
		return differ(d, "%s of other memory at %s gave %s in the "
			      "manager's land, %s in the reference's (their "
			      "TLS pages differ)", map ? "a map" : "an unmap",
			      conform_where(&d->l[0], at),
			      kernel_error_name(err[0]),
			      kernel_error_name(err[1]));
	return 0;
}

/* Kill both processes and start new ones (the manager is destroyed). */
static int restart(struct diff *d)
{
	record(d, "kill the processes, start new ones");
	conform_land_close(&d->l[0]);
	conform_land_close(&d->l[1]);
	d->nlive = 0;
	return lands_open(d);
}

/* The same pages, slots and mappings; figures that agree. */
static int same_pages(struct diff *d)
{
	struct conform_pages *a = &diff_pages[0], *b = &diff_pages[1];
	struct tlsm_stats st = conform_stats(&d->l[0]);
	size_t used = 0;

	conform_pages(&d->l[0], a);
	conform_pages(&d->l[1], b);
	for (size_t i = 0; i < a->n; i++)
		used += (size_t)__builtin_popcount(a->page[i].used);
	if (st.pages != a->n || st.used != used || used != d->nlive)
		return differ(d, "stats says %zu pages, %zu used; "
			      "for_each_page reports %zu pages, %zu used; %zu "
			      "regions are in use", st.pages, st.used, a->n,
			      used, d->nlive);
	for (size_t i = 0; i < a->n && i < b->n; i++)
		if (a->page[i].address != b->page[i].address ||
		    a->page[i].used != b->page[i].used)
			return differ(d, "page %zu is %s with slots 0x%02x "
				      "used; the reference's is %s with 0x%02x",
				      i, conform_where(&d->l[0],
						       a->page[i].address),
				      a->page[i].used,
				      conform_where(&d->l[1],
						    b->page[i].address),
				      b->page[i].used);
	if (a->n != b->n)
		return differ(d, "the manager holds %zu pages, the reference "
			      "%zu", a->n, b->n);
	if (conform_mappings(&d->l[0]) != conform_mappings(&d->l[1]))
		return differ(d, "the manager's land has %zu mappings, the "
			      "reference's %zu", conform_mappings(&d->l[0]),
			      conform_mappings(&d->l[1]));
	return 0;
}

/* One random operation; phases of growth and shrinking fill and empty. */
static int step(struct diff *d)
{
	unsigned roll = (unsigned)(xorshift64s(&d->rng) % 1000);
	bool growing = (d->op / 2000) % 2 == 0;

	if (roll < (growing ? 550u : 350u))
		return allocate(d, false);
	if (roll < 900)
		return free_live(d);
	if (roll < 930)
		return free_bad(d);
	if (roll < 960)
		return other_memory(d, true);
	if (roll < 990)
		return other_memory(d, false);
	if (roll < 998)
		return allocate(d, true);
	return restart(d);
}

int conform_differential(struct conform_ctx *g)
{
	static struct diff d;
	int rc;

	memset(&d, 0, sizeof(d));
	d.g = g;
	d.rng = g->seed * 0x9e3779b97f4a7c15ull + 1;
	d.land_pages = diff_lands[g->seed % (sizeof(diff_lands) /
					     sizeof(diff_lands[0]))];
	if (conform_kernel_up(g, &d.k))
		return -1;
	rc = lands_open(&d);
	for (d.op = 0; rc == 0 && d.op < DIFF_OPS; d.op++) {
		rc = step(&d);
		if (rc == 0 && d.op % DIFF_CHECK_EVERY == 0)
			rc = same_pages(&d);
	}
	if (rc == 0) {
		d.op--;
		rc = same_pages(&d);
	}
	if (rc == 0)
		conform_note(g, "%zu-page land: %d operations, %zu regions, %zu "
			   "errors, %zu panics alike", d.land_pages, DIFF_OPS,
			   d.allocated, d.errors, d.panics);
	conform_land_close(&d.l[0]);
	conform_land_close(&d.l[1]);
	kernel_destroy(d.k);
	return rc;
}

/* ---- performance ---- */

/* Fill n regions then churn pairs of them at random; times each phase. */
static int churn(struct conform_ctx *g, struct conform_land *l, uint64_t *off,
		 size_t n, size_t pairs)
{
	char msg[PANIC_MESSAGE_MAX];
	uint64_t rng = g->seed * 0x9e3779b97f4a7c15ull + 1;
	enum kernel_error err;
	double t0, t1, t2;

	t0 = conform_now_ns();
	for (size_t i = 0; i < n; i++)
		if ((err = conform_alloc(l, &off[i])) != KERR_OK)
			return conform_fail(g, "allocate #%zu of %zu failed with "
					  "%s", i + 1, n, kernel_error_name(err));
	t1 = conform_now_ns();
	for (size_t j = 0; j < pairs; j++) {
		size_t i = xorshift64s(&rng) % n;

		if (conform_free(l, off[i], msg, sizeof(msg)))
			return conform_fail(g, "free of %s (in use) panicked: "
					  "%s", conform_where(l, off[i]), msg);
		if ((err = conform_alloc(l, &off[i])) != KERR_OK)
			return conform_fail(g, "allocate after free #%zu failed "
					  "with %s", j + 1,
					  kernel_error_name(err));
	}
	t2 = conform_now_ns();
	if (conform_stats(l).used != n)
		return conform_fail(g, "after the churn stats says %zu used; "
				  "expected %zu", conform_stats(l).used, n);
	return conform_note(g, "%zu allocates: %.2f us each; %zu frees and "
			  "allocates: %.2f us a pair", n,
			  (t1 - t0) / (double)n / 1e3, pairs,
			  (t2 - t1) / (double)pairs / 1e3);
}

int conform_performance(struct conform_ctx *g)
{
	const size_t n = CONFORM_PERF_REGIONS;
	static struct kernel *k;
	struct conform_land l = { 0 };
	uint64_t *off = malloc(n * sizeof(*off));
	int rc = -1;

	if (!off)
		return conform_fail(g, "the host has no memory for the test");
	if (conform_kernel_up(g, &k))
		goto out_free;
	if (conform_land_open(g, k, g->ops, "A", n / TLS_PER_PAGE + 64, &l) == 0)
		rc = churn(g, &l, off, n, CONFORM_PERF_PAIRS);
	conform_land_close(&l);
	kernel_destroy(k);
out_free:
	free(off);
	return rc;
}

/* ---- a scenario ---- */

struct scenario_failures {
	struct conform_ctx *g;
	size_t count;
	size_t len;		/* of g->reason */
};

/* Keep the first failure (with --verbose, the first ten). */
static void collect_step(void *ctx, const struct step_report *s)
{
	struct scenario_failures *f = ctx;
	struct conform_ctx *g = f->g;
	const char *why = s->check_failure ? s->check_failure : s->message;

	if (!why)
		return;
	if (s->check_failure && s->message)
		why = s->message;
	if (f->count++ >= (g->verbose ? 10u : 1u) ||
	    f->len >= sizeof(g->reason))
		return;
	f->len += (size_t)snprintf(g->reason + f->len,
				   sizeof(g->reason) - f->len, "%s%s:%zu: %s",
				   f->len ? "\n" : "", s->file, s->line, why);
}

/* The summary: the status scenario_run returns says it all. */
static void collect_summary(void *ctx, const struct run_summary *s)
{
	(void)ctx;
	(void)s;
}

int conform_scenario(struct conform_ctx *g)
{
	struct scenario_failures f = { g, 0, 0 };
	struct reporter rep = { .step = collect_step,
				.summary = collect_summary, .ctx = &f };
	struct run_options opt = {
		.arch = ARCH_AUTO, .out = stderr, .err = stderr,
		.quiet = true, .no_progress = true, .policy = g->ops,
		.reporter = &rep,
	};
	int status;

	g->reason[0] = '\0';
	status = scenario_run(g->scn, &opt);
	if (status == RUN_OK)
		return 0;
	if (f.count == 0)
		return conform_fail(g, "the scenario did not run (status %d)",
				  status);
	if (f.count > 1 && f.len < sizeof(g->reason))
		snprintf(g->reason + f.len, sizeof(g->reason) - f.len,
			 "%s(%zu failures)", g->verbose ? "\n" : " ",
			 f.count);
	return -1;
}
