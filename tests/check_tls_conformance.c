/*
 * check_tls_conformance.c - what every TLS manager must do, whatever its
 * policy: run over each built-in policy (tls_policy_at) through the
 * manager interface only, on a real process memory.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "pmem_memory.h"
#include "policy/policy.h"

#define LAND_PAGES 16

static struct pmem *pm;
static struct tlsm_memory mem;
static const struct tls_manager_ops *ops;
static struct tlsm *mgr;
static uintptr_t base;

static size_t policy_count(void)
{
	size_t n = 0;

	while (tls_policy_at(n))
		n++;
	return n;
}

static void start(int i)
{
	ops = tls_policy_at((size_t)i);
	ck_assert_ptr_nonnull(ops);
	ck_assert_int_eq(pmem_create(&pm, LAND_PAGES * PAGE_SIZE), 0);
	mem = pmem_memory(pm);
	mgr = ops->create(&mem);
	ck_assert_ptr_nonnull(mgr);
	base = pmem_userland_start(pm);
}

static void stop(void)
{
	pmem_inject_map_fail(0);
	ops->destroy(mgr);
	pmem_destroy(pm);
}

static uintptr_t alloc_ok(void)
{
	uintptr_t tls = 0;

	ck_assert_int_eq(ops->allocate(mgr, &tls), KERR_OK);
	return tls;
}

static struct tlsm_stats stats(void)
{
	struct tlsm_stats s;

	ops->stats(mgr, &s);
	return s;
}

/* What for_each_page reports, summed; and that each page is mapped. */
struct page_sum {
	size_t pages, used;
	uintptr_t first;
};

static void add_page(void *arg, const struct tlsm_page *page)
{
	struct page_sum *sum = arg;
	const struct mapping *m = pmem_query(pm, page->address);

	ck_assert_uint_eq(page->address % PAGE_SIZE, 0);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(m->type, MEM_THREAD_LOCAL);
	ck_assert_uint_le(page->used, 0xff);
	if (sum->pages++ == 0)
		sum->first = page->address;
	sum->used += (size_t)__builtin_popcount(page->used);
}

static struct page_sum pages(void)
{
	struct page_sum sum = { 0, 0, 0 };

	ops->for_each_page(mgr, add_page, &sum);
	return sum;
}

/* Free tls and return the panic message, or NULL when it did not panic. */
struct free_call {
	uintptr_t tls;
};

static void do_free(void *arg)
{
	ops->free(mgr, ((struct free_call *)arg)->tls);
}

static const char *free_catching(uintptr_t tls)
{
	static struct panic_catch c;
	struct free_call call = { tls };

	return call_catching_panic(&c, do_free, &call);
}

START_TEST(test_describes_itself)
{
	start(_i);
	ck_assert_uint_eq(ops->version, TLSM_VERSION);
	ck_assert_ptr_nonnull(ops->name);
	ck_assert_ptr_nonnull(ops->summary);
	ck_assert_uint_gt(strlen(ops->summary), 10);
	ck_assert_ptr_eq(tls_policy_find(ops->name), ops);
	ck_assert_uint_eq(stats().pages, 0);
	ck_assert_uint_eq(stats().used, 0);
	ck_assert_uint_gt(stats().bookkeeping_bytes, 0);
	ops->destroy(NULL);
	stop();
}
END_TEST

START_TEST(test_eight_regions_per_page)
{
	uintptr_t tls[9];

	start(_i);
	for (int j = 0; j < 8; j++) {
		tls[j] = alloc_ok();
		ck_assert_uint_eq(tls[j] % TLS_SIZE, 0);
		ck_assert_uint_eq(tls[j] & ~(PAGE_SIZE - 1),
				  tls[0] & ~(PAGE_SIZE - 1));
		for (int k = 0; k < j; k++)
			ck_assert_uint_ne(tls[j], tls[k]);
	}
	ck_assert_uint_eq(stats().pages, 1);
	ck_assert_uint_eq(stats().used, 8);
	tls[8] = alloc_ok();
	ck_assert_uint_ne(tls[8] & ~(PAGE_SIZE - 1), tls[0] & ~(PAGE_SIZE - 1));
	ck_assert_uint_eq(stats().pages, 2);
	ck_assert_uint_eq(stats().used, 9);
	ck_assert_uint_eq(pages().pages, 2);
	ck_assert_uint_eq(pages().used, 9);
	/* regions are user memory: they can be written */
	memset((void *)tls[8], 0xab, TLS_SIZE);
	stop();
}
END_TEST

START_TEST(test_freed_slot_is_reused)
{
	uintptr_t tls[10];

	start(_i);
	for (int j = 0; j < 10; j++)
		tls[j] = alloc_ok();
	ck_assert_ptr_null(free_catching(tls[3]));
	ck_assert_uint_eq(stats().used, 9);
	ck_assert_uint_eq(alloc_ok(), tls[3]);
	ck_assert_uint_eq(stats().pages, 2);
	ck_assert_uint_eq(pages().used, 10);
	stop();
}
END_TEST

START_TEST(test_bad_frees_panic_and_change_nothing)
{
	uintptr_t a, b;
	const char *msg;

	start(_i);
	a = alloc_ok();
	b = alloc_ok();
	msg = free_catching(base + 8 * PAGE_SIZE);
	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(strstr(msg, "is not in TLSManager."));
	msg = free_catching(a + 8);
	ck_assert_str_eq(msg, "Freed TLS ptr is not TLS size aligned.");
	ck_assert_ptr_null(free_catching(b));
	msg = free_catching(b);
	ck_assert_str_eq(msg, "Freed TLS was not marked occupied");
	ck_assert_uint_eq(stats().used, 1);
	ck_assert_uint_eq(pages().used, 1);
	ck_assert_uint_eq(alloc_ok(), b);
	stop();
}
END_TEST

START_TEST(test_full_land_fails_and_changes_nothing)
{
	struct tlsm_stats before;
	size_t n = 0;
	uintptr_t tls;
	enum kernel_error err;

	start(_i);
	while ((err = ops->allocate(mgr, &tls)) == KERR_OK)
		n++;
	ck_assert_uint_eq(n, LAND_PAGES * TLS_PER_PAGE);
	ck_assert_int_eq(err, KERR_VIRTUAL_MEMORY_EXHAUSTION);
	before = stats();
	ck_assert_int_eq(ops->allocate(mgr, &tls), err);
	ck_assert_uint_eq(stats().pages, before.pages);
	ck_assert_uint_eq(stats().used, before.used);
	ck_assert_ptr_null(free_catching(base + 5 * TLS_SIZE));
	ck_assert_uint_eq(alloc_ok(), base + 5 * TLS_SIZE);
	stop();
}
END_TEST

START_TEST(test_refused_map_changes_nothing)
{
	uintptr_t tls[8], t;

	start(_i);
	for (int j = 0; j < 8; j++)
		tls[j] = alloc_ok();
	pmem_inject_map_fail(1);
	ck_assert_int_ne(ops->allocate(mgr, &t), KERR_OK);
	ck_assert_uint_eq(stats().pages, 1);
	ck_assert_uint_eq(stats().used, 8);
	ck_assert_uint_eq(pmem_mapping_count(pm), 1);
	t = alloc_ok();
	ck_assert_uint_eq(stats().pages, 2);
	ck_assert_uint_ne(t & ~(PAGE_SIZE - 1), tls[0] & ~(PAGE_SIZE - 1));
	stop();
}
END_TEST

START_TEST(test_pages_go_around_other_mappings)
{
	uintptr_t tls;

	start(_i);
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base, PAGE_SIZE,
						     MEM_NORMAL, MAR_U_RW), 0);
	tls = alloc_ok();
	ck_assert_uint_eq(tls, base + PAGE_SIZE);
	ck_assert_uint_eq(pages().first, base + PAGE_SIZE);
	stop();
}
END_TEST

Suite *conformance_suite(void)
{
	Suite *s = suite_create("tls_manager conformance");
	TCase *tc = tcase_create("every policy");
	int n = (int)policy_count();

	printf("conformance: %d policies:", n);
	for (int i = 0; i < n; i++)
		printf(" %s", tls_policy_at((size_t)i)->name);
	printf("\n");
	tcase_add_loop_test(tc, test_describes_itself, 0, n);
	tcase_add_loop_test(tc, test_eight_regions_per_page, 0, n);
	tcase_add_loop_test(tc, test_freed_slot_is_reused, 0, n);
	tcase_add_loop_test(tc, test_bad_frees_panic_and_change_nothing, 0, n);
	tcase_add_loop_test(tc, test_full_land_fails_and_changes_nothing, 0, n);
	tcase_add_loop_test(tc, test_refused_map_changes_nothing, 0, n);
	tcase_add_loop_test(tc, test_pages_go_around_other_mappings, 0, n);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(conformance_suite());
}
