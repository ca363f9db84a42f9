/*
 * conform_rules.c - the rules of the conformance suite (conform.h): what every
 * TLS manager must do to compute what the seed computes, each checked on
 * a fresh 16-page user land through the kernel front, with a reason a
 * student can act on when it fails.
 */
#include <config.h>

#include "conform.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define LAND_PAGES 16
#define MAX_LIVE (LAND_PAGES * TLS_PER_PAGE + 1)

/* The land of one test and the regions handed out on it. */
struct conf {
	struct conform_ctx *g;
	struct conform_land l;
	uint64_t live[MAX_LIVE];
	size_t nlive;
	unsigned calls;		/* allocates so far, for messages */
};

#define WHERE(c, off) conform_where(&(c)->l, (off))

/* Forget a live region (it was freed). */
static void forget(struct conf *c, uint64_t off)
{
	for (size_t i = 0; i < c->nlive; i++) {
		if (c->live[i] == off) {
			c->live[i] = c->live[--c->nlive];
			return;
		}
	}
}

/*
 * Allocate a region that must come: a region of a ThreadLocal page,
 * not one already handed out. Returns 0 and sets *off, or -1 with the
 * reason.
 */
static int alloc_ok(struct conf *c, uint64_t *off)
{
	enum kernel_error err = conform_alloc(&c->l, off);
	unsigned n = ++c->calls;

	if (err)
		return conform_fail(c->g, "allocate #%u failed with %s; a "
				  "region was expected", n,
				  kernel_error_name(err));
	if (!conform_region_ok(&c->l, *off))
		return conform_fail(c->g, "allocate #%u gave %s, which is not a "
				  "0x200-byte slot of a ThreadLocal page the manager mapped", n,
				  WHERE(c, *off));
	for (size_t i = 0; i < c->nlive; i++)
		if (c->live[i] == *off)
			return conform_fail(c->g, "allocate #%u gave %s again: "
					  "it is still in use (handed out "
					  "twice)", n, WHERE(c, *off));
	if (c->nlive < MAX_LIVE)
		c->live[c->nlive++] = *off;
	return 0;
}

/* Allocate and expect the region at want. Returns 0 or -1. */
static int alloc_at(struct conf *c, uint64_t want, const char *why)
{
	uint64_t off;

	if (alloc_ok(c, &off))
		return -1;
	if (off != want)
		return conform_fail(c->g, "allocate #%u gave %s, expected %s "
				  "(%s)", c->calls, WHERE(c, off),
				  WHERE(c, want), why);
	return 0;
}

/* Free a live region; it must not panic. Returns 0 or -1. */
static int free_ok(struct conf *c, uint64_t off)
{
	char msg[PANIC_MESSAGE_MAX];

	if (conform_free(&c->l, off, msg, sizeof(msg)))
		return conform_fail(c->g, "free of %s (in use) "
				  "panicked: %s", WHERE(c, off), msg);
	forget(c, off);
	return 0;
}

/* Free a bad region; it must panic with the message want. */
static int free_panics(struct conf *c, uint64_t off, const char *want,
		       const char *what)
{
	char msg[PANIC_MESSAGE_MAX];

	if (!conform_free(&c->l, off, msg, sizeof(msg)))
		return conform_fail(c->g, "free of %s (%s) did "
				  "not panic; expected tlsm_panic(\"%s\")",
				  WHERE(c, off), what, want);
	if (strcmp(msg, want) != 0)
		return conform_fail(c->g, "free of %s (%s) "
				  "panicked \"%s\"; expected \"%s\"",
				  WHERE(c, off), what, msg, want);
	return 0;
}

/*
 * The manager's figures and its pages must both say pages and used.
 * Returns 0 or -1.
 */
static int expect_counts(struct conf *c, size_t pages, size_t used,
			 const char *when)
{
	static struct conform_pages list;
	struct tlsm_stats st = conform_stats(&c->l);
	size_t listed = 0;

	if (st.pages != pages || st.used != used)
		return conform_fail(c->g, "%s: stats says %zu pages, %zu used; "
				  "expected %zu, %zu", when, st.pages, st.used,
				  pages, used);
	conform_pages(&c->l, &list);
	for (size_t i = 0; i < list.n; i++)
		listed += (size_t)__builtin_popcount(list.page[i].used);
	if (list.n != pages || listed != used)
		return conform_fail(c->g, "%s: for_each_page reports %zu pages, "
				  "%zu slots used; expected %zu, %zu", when,
				  list.n, listed, pages, used);
	return 0;
}

/* Run body on a fresh land. Returns what body returns. */
static int on_land(struct conform_ctx *g, int (*body)(struct conf *c))
{
	static struct kernel *k;
	static struct conf c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.g = g;
	if (conform_kernel_up(g, &k))
		return -1;
	rc = conform_land_open(g, k, g->ops, "A", LAND_PAGES, &c.l);
	if (rc == 0)
		rc = body(&c);
	conform_land_close(&c.l);
	kernel_destroy(k);
	return rc;
}

/* ---- the tests ---- */

/*
 * The tests: each returns 0 when the manager did what it must, else -1
 * with the reason (the first thing that went wrong).
 */

/* Name and summary set; a new manager holds and maps nothing. */
static int describes_itself(struct conf *c)
{
	const struct tls_manager_ops *ops = c->g->ops;

	if (!ops->name || !*ops->name || !ops->summary || !*ops->summary)
		return conform_fail(c->g, "name and summary must be non-empty "
				  "strings");
	if (expect_counts(c, 0, 0, "a new manager"))
		return -1;
	if (conform_mappings(&c->l) != 0)
		return conform_fail(c->g, "create mapped memory; a new manager "
				  "holds no page");
	ops->destroy(NULL);
	return 0;
}

/* Eight regions share a page; the ninth takes a new one. */
static int eight_per_page(struct conf *c)
{
	uint64_t off[TLS_PER_PAGE + 1];

	for (size_t i = 0; i < TLS_PER_PAGE; i++) {
		if (alloc_ok(c, &off[i]))
			return -1;
		if (off[i] / TLSM_PAGE_SIZE != off[0] / TLSM_PAGE_SIZE)
			return conform_fail(c->g, "allocate #%zu gave %s, "
					  "another page than the first (%s) "
					  "although it has free slots", i + 1,
					  WHERE(c, off[i]), WHERE(c, off[0]));
	}
	if (expect_counts(c, 1, TLS_PER_PAGE, "after 8 allocates"))
		return -1;
	if (alloc_ok(c, &off[TLS_PER_PAGE]))
		return -1;
	if (off[TLS_PER_PAGE] / TLSM_PAGE_SIZE == off[0] / TLSM_PAGE_SIZE)
		return conform_fail(c->g, "allocate #9 gave a region of the "
				  "full first page");
	return expect_counts(c, 2, TLS_PER_PAGE + 1, "after 9 allocates");
}

/* The seed's order: lowest slot, first page with room. */
static int lowest_free_first(struct conf *c)
{
	for (uint64_t i = 0; i < TLS_PER_PAGE; i++)
		if (alloc_at(c, i * TLS_SIZE, "slots go lowest first, and "
			     "the first page is the lowest free one"))
			return -1;
	if (free_ok(c, 5 * TLS_SIZE) || free_ok(c, 2 * TLS_SIZE))
		return -1;
	if (alloc_at(c, 2 * TLS_SIZE, "slots 2 and 5 were free: the "
		     "lowest comes first") ||
	    alloc_at(c, 5 * TLS_SIZE, "slot 5 was the only free one"))
		return -1;
	if (alloc_at(c, TLSM_PAGE_SIZE, "a new page at the first free "
		     "place of the land"))
		return -1;
	if (free_ok(c, 3 * TLS_SIZE))
		return -1;
	return alloc_at(c, 3 * TLS_SIZE, "the first page with room, in the "
			"order pages were mapped, comes first");
}

/* A freed slot comes back before a new page is needed. */
static int freed_slot_reused(struct conf *c)
{
	uint64_t off[10];

	for (size_t i = 0; i < 10; i++)
		if (alloc_ok(c, &off[i]))
			return -1;
	if (free_ok(c, off[3]) ||
	    expect_counts(c, 2, 9, "after 10 allocates and a free"))
		return -1;
	if (alloc_at(c, off[3], "the freed slot is the only free one of "
		     "the first page"))
		return -1;
	return expect_counts(c, 2, 10, "after the freed slot came back");
}

/* The three bad frees panic with the seed's words and change nothing. */
static int bad_frees_panic(struct conf *c)
{
	uint64_t a, b;

	if (alloc_ok(c, &a) || alloc_ok(c, &b))
		return -1;
	if (free_panics(c, 8 * TLSM_PAGE_SIZE,
			"Freed TLS ADDR is not in TLSManager.",
			"no page of the manager holds it"))
		return -1;
	if (free_panics(c, a + 8, "Freed TLS ptr is not TLS size aligned.",
			"inside a region"))
		return -1;
	if (free_ok(c, b))
		return -1;
	if (free_panics(c, b, "Freed TLS was not marked occupied",
			"freed already"))
		return -1;
	if (expect_counts(c, 1, 1, "after the bad frees"))
		return -1;
	return alloc_at(c, b, "bad frees change nothing");
}

/* A full user land: VirtualMemoryExhaustion, nothing changed. */
static int full_land(struct conf *c)
{
	const size_t fit = LAND_PAGES * TLS_PER_PAGE;
	struct tlsm_stats before;
	enum kernel_error err;
	size_t mappings;
	uint64_t off;

	for (size_t i = 0; i < fit; i++)
		if (alloc_ok(c, &off))
			return -1;
	err = conform_alloc(&c->l, &off);
	if (err != KERR_VIRTUAL_MEMORY_EXHAUSTION)
		return conform_fail(c->g, "allocate in a full land gave %s; "
				  "expected VirtualMemoryExhaustion (the "
				  "error of find_available_space)",
				  err ? kernel_error_name(err) : "a region");
	before = conform_stats(&c->l);
	mappings = conform_mappings(&c->l);
	err = conform_alloc(&c->l, &off);
	if (err != KERR_VIRTUAL_MEMORY_EXHAUSTION)
		return conform_fail(c->g, "a second allocate in a full land "
				  "gave %s", err ? kernel_error_name(err)
						 : "a region");
	if (expect_counts(c, before.pages, before.used,
			  "after a failed allocate"))
		return -1;
	if (conform_mappings(&c->l) != mappings)
		return conform_fail(c->g, "a failed allocate changed the "
				  "mappings of the land");
	if (free_ok(c, 5 * TLS_SIZE))
		return -1;
	return alloc_at(c, 5 * TLS_SIZE, "the only free slot");
}

/* A refused map: its error comes back, nothing changed. */
static int refused_map(struct conf *c)
{
	enum kernel_error err;
	uint64_t off;

	for (size_t i = 0; i < TLS_PER_PAGE; i++)
		if (alloc_ok(c, &off))
			return -1;
	kernel_inject_map_fail(1);
	err = conform_alloc(&c->l, &off);
	kernel_inject_map_fail(0);
	if (err != KERR_PHYSICAL_MEMORY_EXHAUSTION)
		return conform_fail(c->g, "allocate when map fails with "
				  "PhysicalMemoryExhaustion gave %s; the "
				  "callback's error must come back unchanged",
				  err ? kernel_error_name(err) : "a region");
	if (expect_counts(c, 1, TLS_PER_PAGE, "after a refused map"))
		return -1;
	if (conform_mappings(&c->l) != 1)
		return conform_fail(c->g, "after a refused map the land holds "
				  "%zu mappings; expected 1",
				  conform_mappings(&c->l));
	if (alloc_at(c, TLSM_PAGE_SIZE, "the map works again"))
		return -1;
	return expect_counts(c, 2, TLS_PER_PAGE + 1, "after the retry");
}

/* Pages go where find_available_space says, around other mappings. */
static int around_mappings(struct conf *c)
{
	struct kernel *k = c->l.k;
	struct process *p = c->l.p;
	uint64_t off;

	if (process_map(k, p, 0, TLSM_PAGE_SIZE, MEM_NORMAL, MAR_U_RW) ||
	    process_map(k, p, 3 * TLSM_PAGE_SIZE, TLSM_PAGE_SIZE, MEM_NORMAL,
			MAR_U_RW))
		return conform_fail(c->g, "the host refused a mapping");
	if (alloc_at(c, TLSM_PAGE_SIZE, "page 0 holds another mapping: "
		     "find_available_space says where the room is"))
		return -1;
	for (size_t i = 1; i < TLS_PER_PAGE; i++)
		if (alloc_ok(c, &off))
			return -1;
	if (alloc_at(c, 2 * TLSM_PAGE_SIZE, "the first free page") ||
	    expect_counts(c, 2, TLS_PER_PAGE + 1, "around other mappings"))
		return -1;
	for (size_t i = 1; i < TLS_PER_PAGE; i++)
		if (alloc_ok(c, &off))
			return -1;
	return alloc_at(c, 4 * TLSM_PAGE_SIZE, "page 3 holds another "
			"mapping");
}

/* run_fn(g): the test fn on a fresh land; what fn returns. */
#define CONFORMANCE(fn)							\
static int run_##fn(struct conform_ctx *g)				\
{									\
	return on_land(g, fn);						\
}

CONFORMANCE(describes_itself)
CONFORMANCE(eight_per_page)
CONFORMANCE(lowest_free_first)
CONFORMANCE(freed_slot_reused)
CONFORMANCE(bad_frees_panic)
CONFORMANCE(full_land)
CONFORMANCE(refused_map)
CONFORMANCE(around_mappings)

const struct conform_test conform_rules[] = {
	{ "interface", 5, run_describes_itself },
	{ "eight-per-page", 5, run_eight_per_page },
	{ "lowest-free-first", 5, run_lowest_free_first },
	{ "freed-slot-reused", 5, run_freed_slot_reused },
	{ "bad-frees-panic", 5, run_bad_frees_panic },
	{ "full-land", 5, run_full_land },
	{ "refused-map", 5, run_refused_map },
	{ "around-mappings", 5, run_around_mappings },
};

const size_t conform_rules_count =
	sizeof(conform_rules) / sizeof(conform_rules[0]);
