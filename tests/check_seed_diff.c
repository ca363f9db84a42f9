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
	struct worlds d;
	size_t spawned, exits, errors, refused, panics[K_COUNT];
	size_t maps, unmaps, tls_unmaps, kills;
};

/* Page and slot counts, and mappings, equal in both worlds. */
static void same_counts(struct run *r)
{
	struct world *w = r->d.w;
	struct tlsm_stats st[2];

	for (int k = 0; k < 2; k++)
		w[k].ops->stats(w[k].mgr, &st[k]);
	require(st[0].pages == st[1].pages);
	require(st[0].used == st[1].used);
	require(pmem_mapping_count(w[0].pm) == pmem_mapping_count(w[1].pm));
}

/* Allocate in both (the host refusing the next map when refuse). */
static void spawn(struct run *r, bool refuse)
{
	if (!worlds_spawn(&r->d, refuse)) {
		r->spawned++;
		return;
	}
	r->errors++;
	r->refused += refuse;
}

/* Free offset off in both: the same outcome, counted by kind. */
static void free_both(struct run *r, uintptr_t off)
{
	char msg[PANIC_MESSAGE_MAX];

	worlds_free(&r->d, off, msg, sizeof(msg));
	if (msg[0])
		r->panics[kind_of(msg)]++;
}

/* A live region dies; sometimes it is freed a second time after. */
static void exit_one(struct run *r, bool unused)
{
	uintptr_t off;

	(void)unused;
	if (!worlds_take_live(&r->d, &off))
		return;
	free_both(r, off);
	r->exits++;
	if (worlds_roll(&r->d, 50) == 0)
		free_both(r, off);	/* double free: not occupied */
}

/*
 * A free that must panic: an address in no page, or in a held page but
 * not TLS aligned, or a free slot. Live regions are left alone.
 */
static void bad_free(struct run *r, bool unused)
{
	struct worlds *d = &r->d;
	struct page_list *l = &d->lists[0];
	uintptr_t off;

	(void)unused;
	if (l->n && worlds_roll(d, 2)) {
		off = l->page[worlds_roll(d, l->n)].address +
		      worlds_roll(d, TLS_PER_PAGE) * TLS_SIZE;
		if (worlds_roll(d, 2))
			off += 8 * (1 + worlds_roll(d, TLS_SIZE / 8 - 1));
	} else {
		off = worlds_roll(d, d->land_pages * PAGE_SIZE) &
		      ~(uintptr_t)7;
	}
	if (!worlds_is_live(d, off))
		free_both(r, off);
}

/* A normal mapping of 1 to 3 pages somewhere (map), or the unmap of one. */
static void other_memory(struct run *r, bool map)
{
	if (!worlds_other_memory(&r->d, map))
		*(map ? &r->maps : &r->unmaps) += 1;
}

/*
 * A TLS page unmapped under both managers (as a stray unmap of the process
 * would): they still count it as theirs, and the space it leaves may be
 * mapped again, by other memory or by a new TLS page of the same manager.
 */
static void unmap_tls_page(struct run *r, bool unused)
{
	struct worlds *d = &r->d;
	enum kernel_error err[2];
	uintptr_t off;

	(void)unused;
	if (!d->lists[0].n)
		return;
	off = d->lists[0].page[worlds_roll(d, d->lists[0].n)].address;
	for (int k = 0; k < 2; k++)
		err[k] = pmem_unmap(d->w[k].pm, d->w[k].base + off, PAGE_SIZE);
	require(err[0] == err[1]);
	r->tls_unmaps += !err[0];
}

/* The process dies; a new one starts in each world. */
static void kill_process(struct run *r, bool unused)
{
	(void)unused;
	worlds_kill(&r->d);
	r->kills++;
}

/*
 * What the dice choose: spawns grow the worlds, then exits shrink them;
 * the counts compared after every operation.
 */
static const struct worlds_op mix_ops[] = {
	{ 520, 330, spawn, false },
	{ 860, 860, exit_one, false },
	{ 910, 910, bad_free, false },
	{ 940, 940, other_memory, true },
	{ 970, 970, other_memory, false },
	{ 980, 980, unmap_tls_page, false },
	{ 997, 997, spawn, true },
	{ 1000, 1000, kill_process, false },
};

static const struct worlds_mix mix = {
	mix_ops, sizeof(mix_ops) / sizeof(mix_ops[0]), 16, same_counts,
};

/* ops random operations on seed and sunrise; prints what happened. */
static void differential(uint64_t seed, size_t land_pages, size_t ops)
{
	static struct run r;
	size_t panics = 0;

	memset(&r, 0, sizeof(r));
	worlds_start(&r.d, &tls_seed_ops, &tls_sunrise_ops, seed, land_pages);
	worlds_drive(&r.d, &r, &mix, ops);
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
	worlds_stop(&r.d);
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
