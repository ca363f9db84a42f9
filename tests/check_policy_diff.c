/*
 * check_policy_diff.c - differential tests of a policy against a model of
 * its own rule: the same random operations on two managers, each on its
 * own process memory, must give the same regions (as offsets into the
 * user land), the same errors, the same panics and the same pages.
 *
 * - mesosphere against a plain model of its rules written here: a list of
 *   pages sorted by address, searched from the start.
 * - indexed's page map (pageidx) against a list.
 *
 * The policies that promise the seed's addresses (indexed, seed) are
 * checked against the seed's port by the conformance suite's
 * differential (check_conformance.c), the one `tlssim grade` runs.
 *
 * Operations: spawn (allocate), exit (free), bad frees (panics), mappings
 * and unmaps of other memory that close and reopen holes, refused maps,
 * kill (a new process). Several seeds, small user lands that fill up.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "pmem_memory.h"
#include "policy/pageidx.h"
#include "policy/policy.h"
#include "tls.h"
#include "random.h"
#include "policy_world.h"

/* ---- the model of mesosphere's rules ---- */

struct model {
	struct tlsm_memory mem;
	struct tlsm_page page[4096];	/* sorted by address */
	size_t pages, used;
};

static struct tlsm *model_create(const struct tlsm_memory *mem)
{
	struct model *m = calloc(1, sizeof(*m));

	if (m)
		m->mem = *mem;
	return (struct tlsm *)m;
}

static void model_destroy(struct tlsm *t)
{
	free(t);
}

/*
 * The model's allocate: the first page by address with a free slot, its
 * lowest slot; else a new page where the memory finds room.
 */
static enum kernel_error model_allocate(struct tlsm *t, uintptr_t *out)
{
	struct model *m = (struct model *)t;
	enum kernel_error err;
	uintptr_t addr;
	size_t i;

	for (i = 0; i < m->pages && m->page[i].used == 0xff; i++)
		;
	if (i == m->pages) {
		err = m->mem.find_available_space(m->mem.ctx, PAGE_SIZE, &addr);
		if (!err)
			err = m->mem.map(m->mem.ctx, addr, PAGE_SIZE);
		if (err)
			return err;
		ck_assert_uint_lt(m->pages, 4096);
		for (i = 0; i < m->pages && m->page[i].address < addr; i++)
			;
		memmove(&m->page[i + 1], &m->page[i],
			(m->pages - i) * sizeof(m->page[0]));
		m->page[i] = (struct tlsm_page){ addr, 0 };
		m->pages++;
	}
	for (unsigned s = 0; s < 8; s++) {
		if (m->page[i].used & (1u << s))
			continue;
		m->page[i].used |= 1u << s;
		m->used++;
		*out = m->page[i].address + s * TLS_SIZE;
		return KERR_OK;
	}
	return KERR_INVALID_STATE;	/* not reached */
}

/*
 * The model's free: mesosphere's panics for a bad address, then the slot
 * goes back, and an empty page is unmapped.
 */
static void model_free(struct tlsm *t, uintptr_t tls)
{
	struct model *m = (struct model *)t;
	size_t i;
	unsigned s;

	for (i = 0; i < m->pages; i++)
		if (tls >= m->page[i].address &&
		    tls < m->page[i].address + PAGE_SIZE)
			break;
	if (i == m->pages)
		tlsm_panic("Freed TLS 0x%lx is not in TLSManager.",
			   (unsigned long)tls);
	if (tls % TLS_SIZE)
		tlsm_panic("Freed TLS ptr is not TLS size aligned.");
	s = (unsigned)((tls - m->page[i].address) / TLS_SIZE);
	if (!(m->page[i].used & (1u << s)))
		tlsm_panic("Freed TLS was not marked occupied");
	m->page[i].used &= ~(1u << s);
	m->used--;
	if (m->page[i].used ||
	    m->mem.unmap(m->mem.ctx, m->page[i].address, PAGE_SIZE))
		return;
	memmove(&m->page[i], &m->page[i + 1],
		(m->pages - i - 1) * sizeof(m->page[0]));
	m->pages--;
}

static void model_stats(const struct tlsm *t, struct tlsm_stats *out)
{
	const struct model *m = (const struct model *)t;

	*out = (struct tlsm_stats){ m->pages, m->used, sizeof(*m) };
}

static void model_for_each_page(const struct tlsm *t, tlsm_page_fn fn,
				void *arg)
{
	const struct model *m = (const struct model *)t;

	for (size_t i = 0; i < m->pages; i++)
		fn(arg, &m->page[i]);
}

static const struct tls_manager_ops model_ops = {
	TLSM_VERSION, "model", "mesosphere's rules, plainly",
	model_create, model_destroy, model_allocate, model_free,
	model_stats, model_for_each_page, NULL,	/* no reasons */
};

/* ---- two worlds driven alike ---- */

struct run {
	struct worlds d;
	size_t spawned, errors, panics;
};

/* Allocate in both (the host refusing the next map when refuse_map). */
static void spawn(struct run *r, bool refuse_map)
{
	if (worlds_spawn(&r->d, refuse_map))
		r->errors++;
	else
		r->spawned++;
}

/* A live region dies in both: no panic. */
static void exit_one(struct run *r, bool unused)
{
	char msg[PANIC_MESSAGE_MAX];
	uintptr_t off;

	(void)unused;
	if (!worlds_take_live(&r->d, &off))
		return;
	worlds_free(&r->d, off, msg, sizeof(msg));
	ck_assert_str_eq(msg, "");
}

/* A free of an offset that is no live region: both panic alike. */
static void bad_free(struct run *r, bool unused)
{
	char msg[PANIC_MESSAGE_MAX];
	uintptr_t off = worlds_roll(&r->d, r->d.land_pages * PAGE_SIZE) & ~7ul;

	(void)unused;
	if (worlds_is_live(&r->d, off))
		return;
	worlds_free(&r->d, off, msg, sizeof(msg));
	ck_assert_str_ne(msg, "");
	r->panics++;
}

/* A small normal mapping at a random place (map), or the unmap of one. */
static void other_memory(struct run *r, bool map)
{
	worlds_other_memory(&r->d, map);
}

/* The process dies; a new one starts in each world. */
static void restart(struct run *r, bool unused)
{
	(void)unused;
	worlds_kill(&r->d);
}

/* What the dice choose: spawns grow the worlds, then exits shrink them. */
static const struct worlds_op mix_ops[] = {
	{ 550, 350, spawn, false },
	{ 900, 900, exit_one, false },
	{ 930, 930, bad_free, false },
	{ 960, 960, other_memory, true },
	{ 990, 990, other_memory, false },
	{ 998, 998, spawn, true },
	{ 1000, 1000, restart, false },
};

static const struct worlds_mix mix = {
	mix_ops, sizeof(mix_ops) / sizeof(mix_ops[0]), 64, NULL,
};

/* ops random operations on a versus b; prints what happened. */
static void differential(const struct tls_manager_ops *a,
			 const struct tls_manager_ops *b, uint64_t seed,
			 size_t land_pages, size_t ops)
{
	static struct run r;

	memset(&r, 0, sizeof(r));
	worlds_start(&r.d, a, b, seed, land_pages);
	worlds_drive(&r.d, &r, &mix, ops);
	printf("%s vs %s, seed %lu, %zu-page land: %zu ops, %zu spawned, "
	       "%zu errors, %zu panics\n", a->name, b->name,
	       (unsigned long)seed, land_pages, ops, r.spawned, r.errors,
	       r.panics);
	ck_assert_uint_gt(r.spawned, ops / 4);
	ck_assert_uint_gt(r.errors, 0);
	ck_assert_uint_gt(r.panics, 0);
	worlds_stop(&r.d);
}

static const size_t lands[] = { 8, 24, 64, 256 };

START_TEST(test_mesosphere_is_its_rules)
{
	differential(&model_ops, &tls_mesosphere_ops, (uint64_t)_i + 101,
		     lands[_i % 4], 30000);
}
END_TEST

/*
 * indexed's page map against a list searched from the start: random pages
 * over several leaves (the span at address 0 among them), added twice at
 * times (the first index stays), looked up present and absent.
 */
START_TEST(test_pageidx_is_a_list)
{
	static const uintptr_t bases[] = { 0, 0x40000000, 0xbf000000 };
	enum { PAGES = 4000, OPS = 20000 };
	uintptr_t *page = malloc(PAGES * sizeof(*page));
	uint32_t *idx = malloc(PAGES * sizeof(*idx));
	uint64_t rng = 42;
	struct pageidx m = { 0 };
	size_t n = 0;

	ck_assert_ptr_nonnull(page);
	ck_assert_ptr_nonnull(idx);
	for (uint32_t op = 0; op < OPS; op++) {
		uintptr_t base = bases[xorshift64s(&rng) % 3];
		uintptr_t at = base + (xorshift64s(&rng) % 1000) * PAGE_SIZE;
		uint32_t want = UINT32_MAX, got = UINT32_MAX;
		bool found = false;

		for (size_t i = 0; i < n && !found; i++)
			if (page[i] == at) {
				found = true;
				want = idx[i];
			}
		if (xorshift64s(&rng) % 2 && n < PAGES) {
			ck_assert_int_eq(pageidx_reserve(&m, at), 0);
			require(pageidx_add(&m, at, op) == !found);
			if (!found) {
				page[n] = at;
				idx[n++] = want = op;
			}
			found = true;
		}
		require(pageidx_get(&m, at, &got) == found);
		if (found)
			require(got == want);
	}
	ck_assert_uint_gt(n, 1000);
	ck_assert_uint_gt(pageidx_bytes(&m), 0);
	pageidx_free(&m);
	free(page);
	free(idx);
}
END_TEST

Suite *diff_suite(void)
{
	Suite *s = suite_create("policy differential");
	TCase *tc = tcase_create("random operations");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_mesosphere_is_its_rules, 0, 4);
	tcase_add_test(tc, test_pageidx_is_a_list);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(diff_suite());
}
