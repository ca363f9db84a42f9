/*
 * check_pmem_diff.c - process memory's tree first fit against the
 * original's linear first fit, on random maps and unmaps that split
 * mappings and reopen holes. After every operation, for several lengths,
 * both must name the same address (or both fail), and lookups must agree
 * with a plain scan of the mappings.
 */
#include <config.h>

#include <stdio.h>

#include "testutil.h"
#include "kernel/pmem.h"
#include "random.h"

/* The mappings in address order, copied once per step. */
static struct mapping snap[1 << 16];
static size_t nsnap;

static void take_snapshot(const struct pmem *pm)
{
	const struct mapping *m;

	for (nsnap = 0; (m = pmem_mapping_at(pm, nsnap)) != NULL; nsnap++) {
		require(nsnap < sizeof(snap) / sizeof(snap[0]));
		snap[nsnap] = *m;
	}
	require(nsnap == pmem_mapping_count(pm));
}

/* The original's scan, over the snapshot. */
static enum kernel_error linear_first_fit(const struct pmem *pm, size_t length,
					  uintptr_t *out)
{
	uintptr_t cursor = pmem_userland_start(pm);
	uintptr_t end = cursor + pmem_userland_size(pm);

	for (size_t i = 0; i < nsnap; i++) {
		if (snap[i].start - cursor >= length) {
			*out = cursor;
			return KERR_OK;
		}
		cursor = snap[i].start + snap[i].length;
	}
	if (end - cursor >= length) {
		*out = cursor;
		return KERR_OK;
	}
	return KERR_VIRTUAL_MEMORY_EXHAUSTION;
}

/* The start of the mapping holding addr by a plain scan, or 0. */
static uintptr_t linear_query(uintptr_t addr)
{
	for (size_t i = 0; i < nsnap; i++)
		if (addr >= snap[i].start && addr < snap[i].start + snap[i].length)
			return snap[i].start;
	return 0;
}

/* The snapshot is sorted, apart, inside the land. */
static void assert_well_formed(const struct pmem *pm)
{
	uintptr_t cursor = pmem_userland_start(pm);

	for (size_t i = 0; i < nsnap; i++) {
		require(snap[i].start >= cursor);
		require(snap[i].length > 0);
		cursor = snap[i].start + snap[i].length;
	}
	require(cursor <= pmem_userland_start(pm) + pmem_userland_size(pm));
}

/* Unmap a random part of a random mapping: whole, head, tail or middle. */
static bool unmap_part(struct pmem *pm, uint64_t r)
{
	const struct mapping *m;
	size_t pages, from, len;

	if (!nsnap)
		return false;
	m = &snap[r % nsnap];
	pages = m->length / PAGE_SIZE;
	from = (size_t)(r >> 20) % pages;
	len = 1 + (size_t)(r >> 40) % (pages - from);
	return pmem_unmap(pm, m->start + from * PAGE_SIZE,
			  len * PAGE_SIZE) == KERR_OK;
}

START_TEST(test_tree_fit_is_linear_fit)
{
	static const size_t land_pages[] = { 64, 512, 4096, 16384 };
	size_t pages = land_pages[_i % 4];
	uint64_t rng = 0x1234567ull * (uint64_t)(_i + 1);
	size_t maps = 0, unmaps = 0, fits = 0, misses = 0;
	struct pmem *pm;
	uintptr_t base;

	ck_assert_int_eq(pmem_create(&pm, pages * PAGE_SIZE), 0);
	base = pmem_userland_start(pm);
	for (int op = 0; op < 25000; op++) {
		uint64_t r = xorshift64s(&rng);
		size_t at = (size_t)(r % pages) * PAGE_SIZE;
		size_t len = (1 + (size_t)(r >> 32) % 8) * PAGE_SIZE;
		/* grow for a while, then shrink */
		bool map = (xorshift64s(&rng) % 100) < ((op / 3000) % 2 ? 40u : 60u);
		uintptr_t tree_at = 0, lin_at = 0;
		enum kernel_error te, le;

		if (map) {
			/* half at a chosen place, half where first fit says */
			if (r & 1 && pmem_find_available_space(pm, len,
							       &tree_at) == 0)
				at = tree_at - base;
			maps += pmem_create_regular_mapping(pm, base + at, len,
							    MEM_NORMAL,
							    MAR_U_RW) == 0;
		} else {
			unmaps += unmap_part(pm, r);
		}
		take_snapshot(pm);
		assert_well_formed(pm);
		for (size_t l = 1; l <= 16; l *= 4) {
			te = pmem_find_available_space(pm, l * PAGE_SIZE,
						       &tree_at);
			le = linear_first_fit(pm, l * PAGE_SIZE, &lin_at);
			require(te == le);
			require(te != KERR_OK || tree_at == lin_at);
			fits += te == KERR_OK;
			misses += te != KERR_OK;
		}
		at = (size_t)(xorshift64s(&rng) % (pages * PAGE_SIZE));
		require((pmem_query(pm, base + at) ?
			 pmem_query(pm, base + at)->start : 0) ==
			linear_query(base + at));
	}
	printf("%zu-page land: %zu maps, %zu unmaps, %zu fits, %zu misses, "
	       "%zu mappings at the end\n", pages, maps, unmaps, fits, misses,
	       pmem_mapping_count(pm));
	ck_assert_uint_gt(maps, 1000);
	ck_assert_uint_gt(unmaps, 1000);
	ck_assert_uint_gt(misses, 0);
	pmem_destroy(pm);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pmem differential");
	TCase *tc = tcase_create("tree vs linear first fit");

	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_tree_fit_is_linear_fit, 0, 4);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
