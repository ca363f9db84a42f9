/*
 * check_seed_diff.c - the seed against its port: the policy "seed" (the
 * Sunrise kernel's own thread_local_storage.rs, compiled by rustc) and the
 * policy "sunrise" (src/tls.c, its C port) get the same random operations,
 * each on its own process memory, through the manager interface. They must
 * agree on everything: every address handed out (as an offset into the
 * user land), every error, whether a call panics and with which message
 * (the host address in it made "ADDR"), the page list and its slots, the
 * page and slot counts, and the number of mappings.
 *
 * Operations: spawns, exits, frees that panic (an address in no page, an
 * address not TLS aligned, a free slot, a double free), other mappings
 * that open and close holes, maps the host refuses, TLS pages unmapped
 * under the managers and the space mapped again, and processes killed
 * (both managers and memories dropped, new ones made).
 *
 * Without the seed in this build (configure found no usable rustc) the
 * suite says SKIP and why.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "pmem_memory.h"
#include "policy/policy.h"
#include "tls.h"
#include "random.h"
#include "policy_world.h"

#ifdef TLSSIM_HAVE_SEED

enum { MAX_LIVE = 8192 };

/* The worlds' pages, as the last comparison listed them. */
static struct page_list lists[2];

/* Page and slot counts, and mappings, equal in both worlds. */
static void same_counts(struct world w[2])
{
	struct tlsm_stats st[2];

	for (int k = 0; k < 2; k++)
		w[k].ops->stats(w[k].mgr, &st[k]);
	require(st[0].pages == st[1].pages);
	require(st[0].used == st[1].used);
	require(pmem_mapping_count(w[0].pm) == pmem_mapping_count(w[1].pm));
}

/* The panic kinds the seed has, by message. */
enum kind { K_NOT_IN, K_ALIGN, K_NOT_OCCUPIED, K_OUTSIDE, K_OTHER, K_COUNT };

static const char *const kind_text[K_COUNT] = {
	"is not in TLSManager.", "not TLS size aligned.",
	"was not marked occupied", "outside of TLSPage.", "",
};

static enum kind kind_of(const char *msg)
{
	for (int k = 0; k < K_OTHER; k++)
		if (strstr(msg, kind_text[k]))
			return (enum kind)k;
	return K_OTHER;
}

struct run {
	struct world w[2];
	uintptr_t live[MAX_LIVE];	/* offsets */
	size_t nlive;
	uint64_t rng;
	size_t land_pages;
	size_t spawned, exits, errors, refused, panics[K_COUNT];
	size_t maps, unmaps, tls_unmaps, kills;
};

static uint64_t roll(struct run *r, uint64_t n)
{
	return xorshift64s(&r->rng) % n;
}

/* Allocate in both (the host refusing the next map when refuse). */
static void spawn(struct run *r, bool refuse)
{
	uintptr_t tls[2] = { 0, 0 };
	enum kernel_error err[2];

	for (int k = 0; k < 2; k++) {
		pmem_inject_map_fail(refuse ? 1 : 0);
		err[k] = r->w[k].ops->allocate(r->w[k].mgr, &tls[k]);
		pmem_inject_map_fail(0);
	}
	require(err[0] == err[1]);
	if (err[0]) {
		r->errors++;
		r->refused += refuse;
		return;
	}
	require(tls[0] - r->w[0].base == tls[1] - r->w[1].base);
	require(r->nlive < MAX_LIVE);
	r->live[r->nlive++] = tls[0] - r->w[0].base;
	r->spawned++;
}

/* Free offset off in both: the same outcome, counted by kind. */
static void free_both(struct run *r, uintptr_t off)
{
	char msg[2][PANIC_MESSAGE_MAX];

	for (int k = 0; k < 2; k++)
		world_free(&r->w[k], off, msg[k], sizeof(msg[k]));
	if (strcmp(msg[0], msg[1]) != 0)
		ck_abort_msg("free of +0x%lx: seed says '%s', sunrise '%s'",
			     (unsigned long)off, msg[0], msg[1]);
	if (msg[0][0])
		r->panics[kind_of(msg[0])]++;
}

/* A live region dies; sometimes it is freed a second time after. */
static void exit_one(struct run *r)
{
	size_t i;
	uintptr_t off;

	if (!r->nlive)
		return;
	i = roll(r, r->nlive);
	off = r->live[i];
	r->live[i] = r->live[--r->nlive];
	free_both(r, off);
	r->exits++;
	if (roll(r, 50) == 0)
		free_both(r, off);	/* double free: not occupied */
}

/*
 * A free that must panic: an address in no page, or in a held page but
 * not TLS aligned, or a free slot. Live regions are left alone.
 */
static void bad_free(struct run *r)
{
	uintptr_t off;

	if (lists[0].n && roll(r, 2)) {
		off = lists[0].page[roll(r, lists[0].n)].address +
		      roll(r, TLS_PER_PAGE) * TLS_SIZE;
		if (roll(r, 2))
			off += 8 * (1 + roll(r, TLS_SIZE / 8 - 1));
	} else {
		off = roll(r, r->land_pages * PAGE_SIZE) & ~(uintptr_t)7;
	}
	for (size_t i = 0; i < r->nlive; i++)
		if (r->live[i] == off)
			return;
	free_both(r, off);
}

/* A normal mapping of 1 to 3 pages somewhere, or the unmap of one. */
static void other_memory(struct run *r, bool map)
{
	uintptr_t page = roll(r, r->land_pages);
	size_t len = (1 + roll(r, 3)) * PAGE_SIZE;

	if (!worlds_other_memory(r->w, page, len, map))
		*(map ? &r->maps : &r->unmaps) += 1;
}

/*
 * A TLS page unmapped under both managers (as a stray unmap of the process
 * would): they still count it as theirs, and the space it leaves may be
 * mapped again, by other memory or by a new TLS page of the same manager.
 */
static void unmap_tls_page(struct run *r)
{
	enum kernel_error err[2];
	uintptr_t off;

	if (!lists[0].n)
		return;
	off = lists[0].page[roll(r, lists[0].n)].address;
	for (int k = 0; k < 2; k++)
		err[k] = pmem_unmap(r->w[k].pm, r->w[k].base + off, PAGE_SIZE);
	require(err[0] == err[1]);
	r->tls_unmaps += !err[0];
}

/* The process dies; a new one starts in each world. */
static void kill_process(struct run *r)
{
	worlds_restart(r->w, r->land_pages);
	r->nlive = 0;
	lists[0].n = 0;
	r->kills++;
}

/* ops random operations on seed and sunrise; prints what happened. */
static void differential(uint64_t seed, size_t land_pages, size_t ops)
{
	static struct run r;
	size_t panics = 0;

	memset(&r, 0, sizeof(r));
	memset(lists, 0, sizeof(lists));
	r.rng = seed * 0x9e3779b97f4a7c15ull + 1;
	r.land_pages = land_pages;
	world_start(&r.w[0], &tls_seed_ops, land_pages);
	world_start(&r.w[1], &tls_sunrise_ops, land_pages);
	for (size_t n = 0; n < ops; n++) {
		unsigned dice = (unsigned)roll(&r, 1000);
		/* phases: grow for a while, then shrink, to fill and empty */
		bool growing = (n / 2000) % 2 == 0;

		if (dice < (growing ? 520u : 330u))
			spawn(&r, false);
		else if (dice < 860)
			exit_one(&r);
		else if (dice < 910)
			bad_free(&r);
		else if (dice < 940)
			other_memory(&r, true);
		else if (dice < 970)
			other_memory(&r, false);
		else if (dice < 980)
			unmap_tls_page(&r);
		else if (dice < 997)
			spawn(&r, true);
		else
			kill_process(&r);
		same_counts(r.w);
		if (n % 16 == 0)
			worlds_same_pages(r.w, lists);
	}
	worlds_same_pages(r.w, lists);
	for (int k = 0; k < K_COUNT; k++)
		panics += r.panics[k];
	printf("seed vs sunrise, seed %lu, %zu-page land: %zu ops: %zu spawned, "
	       "%zu exits, %zu errors (%zu refused maps), %zu panics (%zu not "
	       "in manager, %zu unaligned, %zu not occupied, %zu other), %zu "
	       "maps, %zu unmaps, %zu TLS pages unmapped, %zu kills\n",
	       (unsigned long)seed, land_pages, ops, r.spawned, r.exits,
	       r.errors, r.refused, panics, r.panics[K_NOT_IN],
	       r.panics[K_ALIGN], r.panics[K_NOT_OCCUPIED],
	       r.panics[K_OUTSIDE] + r.panics[K_OTHER], r.maps, r.unmaps,
	       r.tls_unmaps, r.kills);
	ck_assert_uint_gt(r.spawned, ops / 5);
	ck_assert_uint_gt(r.refused, 0);
	ck_assert_uint_gt(r.panics[K_NOT_IN], 0);
	ck_assert_uint_gt(r.panics[K_ALIGN], 0);
	ck_assert_uint_gt(r.panics[K_NOT_OCCUPIED], 0);
	ck_assert_uint_gt(r.tls_unmaps, 0);
	ck_assert_uint_gt(r.kills, 0);
	world_stop(&r.w[0]);
	world_stop(&r.w[1]);
}

static const size_t lands[] = { 8, 24, 64, 256 };

/* 4 x 30,000 = 120,000 operations in all. */
START_TEST(test_seed_is_sunrise)
{
	differential((uint64_t)_i + 1, lands[_i % 4], 30000);
}
END_TEST

/* The seed's own messages, word for word, as the seed's port has them. */
START_TEST(test_seed_messages)
{
	struct world w;
	char msg[PANIC_MESSAGE_MAX];
	uintptr_t tls;

	world_start(&w, &tls_seed_ops, 8);
	ck_assert_int_eq(w.ops->allocate(w.mgr, &tls), KERR_OK);
	world_free(&w, tls - w.base + 8, msg, sizeof(msg));
	ck_assert_str_eq(msg, "Freed TLS ptr is not TLS size aligned.");
	world_free(&w, tls - w.base + TLS_SIZE, msg, sizeof(msg));
	ck_assert_str_eq(msg, "Freed TLS was not marked occupied");
	world_free(&w, tls - w.base + PAGE_SIZE, msg, sizeof(msg));
	ck_assert_str_eq(msg, "Freed TLS ADDR is not in TLSManager.");
	world_free(&w, tls - w.base, msg, sizeof(msg));
	ck_assert_str_eq(msg, "");
	world_stop(&w);
}
END_TEST

static Suite *seed_suite(void)
{
	Suite *s = suite_create("seed differential");
	TCase *tc = tcase_create("random operations");

	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_seed_is_sunrise, 0, 4);
	tcase_add_test(tc, test_seed_messages);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(seed_suite());
}

#else

int main(void)
{
	printf("check_seed_diff: SKIP: the policy seed is not in this build: "
	       "%s\n", TLSSIM_SEED_REASON);
	return 77;
}

#endif
