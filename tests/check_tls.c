/*
 * check_tls.c - the ported TLS manager against the seed's behaviour.
 */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "pmem_memory.h"
#include "tls.h"

static struct pmem *pm;
static struct tls_manager mgr;
static uintptr_t base;

static struct tlsm_memory mem;

static void setup(void)
{
	ck_assert_int_eq(pmem_create(&pm, 64 * PAGE_SIZE), 0);
	mem = pmem_memory(pm);
	tls_manager_init(&mgr, &mem);
	base = pmem_userland_start(pm);
}

static void teardown(void)
{
	pmem_inject_map_fail(0);
	tls_manager_fini(&mgr);
	pmem_destroy(pm);
}

static uintptr_t alloc_ok(void)
{
	uintptr_t tls = 0;

	ck_assert_int_eq(tls_manager_allocate(&mgr, &tls), KERR_OK);
	return tls;
}

/* A deep copy of the manager's observable state, to prove "unchanged". */
struct snapshot {
	size_t pages;
	struct tls_page page[16];
	size_t mappings;
};

static void take_snapshot(struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->pages = tls_manager_page_count(&mgr);
	ck_assert_uint_le(s->pages, 16);
	for (size_t i = 0; i < s->pages; i++)
		s->page[i] = *tls_manager_page(&mgr, i);
	s->mappings = pmem_mapping_count(pm);
}

static void assert_same_as(const struct snapshot *s)
{
	struct snapshot now;

	take_snapshot(&now);
	ck_assert_uint_eq(now.pages, s->pages);
	ck_assert_uint_eq(now.mappings, s->mappings);
	ck_assert_mem_eq(now.page, s->page, sizeof(now.page));
}

/* ---- the bitmap ---- */

START_TEST(test_first_zero_empty)
{
	uint8_t bits[2] = { 0, 0 };

	ck_assert_uint_eq(bit_array_first_zero(bits, 2), 0);
}
END_TEST

START_TEST(test_first_zero_lsb_first)
{
	uint8_t bits[1] = { 0x07 };

	ck_assert_uint_eq(bit_array_first_zero(bits, 1), 3);
}
END_TEST

START_TEST(test_first_zero_crosses_byte)
{
	uint8_t bits[3] = { 0xff, 0xff, 0xfb };

	ck_assert_uint_eq(bit_array_first_zero(bits, 3), 18);
}
END_TEST

START_TEST(test_first_zero_full)
{
	uint8_t bits[2] = { 0xff, 0xff };

	ck_assert_uint_eq(bit_array_first_zero(bits, 2), SIZE_MAX);
}
END_TEST

START_TEST(test_first_zero_hole_in_later_byte)
{
	uint8_t bits[2] = { 0xff, 0x7f };

	ck_assert_uint_eq(bit_array_first_zero(bits, 2), 15);
}
END_TEST

/* ---- layout ---- */

START_TEST(test_layout)
{
	ck_assert_uint_eq(sizeof(struct tls), 0x200);
	ck_assert_uint_eq(offsetof(struct tls, ipc_command_buffer), 0x10);
	ck_assert_uint_eq(offsetof(struct tls, ptr_thread_context),
			  sizeof(void *) == 8 ? 0x1f8 : 0x1fc);
	ck_assert_uint_eq(TLS_PER_PAGE, 8);
}
END_TEST

/* ---- allocation order ---- */

START_TEST(test_first_page_fills_in_order)
{
	for (size_t i = 0; i < TLS_PER_PAGE; i++)
		ck_assert_uint_eq(alloc_ok(), base + i * TLS_SIZE);
	ck_assert_uint_eq(tls_manager_page_count(&mgr), 1);
	ck_assert_uint_eq(tls_manager_used(&mgr), 8);
}
END_TEST

START_TEST(test_ninth_maps_second_page)
{
	for (size_t i = 0; i < TLS_PER_PAGE; i++)
		alloc_ok();
	ck_assert_uint_eq(alloc_ok(), base + PAGE_SIZE);
	ck_assert_uint_eq(tls_manager_page_count(&mgr), 2);
	ck_assert_uint_eq(pmem_mapping_count(pm), 2);
}
END_TEST

START_TEST(test_page_is_thread_local_u_rw)
{
	const struct mapping *m;

	m = pmem_query(pm, alloc_ok());
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(m->type, MEM_THREAD_LOCAL);
	ck_assert_uint_eq(m->rights, MAR_U_RW);
	ck_assert_uint_eq(m->length, PAGE_SIZE);
}
END_TEST

START_TEST(test_freed_slot_reused_first)
{
	uintptr_t t[5];

	for (int i = 0; i < 5; i++)
		t[i] = alloc_ok();
	tls_manager_free(&mgr, t[3]);
	tls_manager_free(&mgr, t[1]);
	ck_assert_uint_eq(alloc_ok(), t[1]);
	ck_assert_uint_eq(alloc_ok(), t[3]);
	ck_assert_uint_eq(alloc_ok(), base + 5 * TLS_SIZE);
}
END_TEST

START_TEST(test_freed_slot_reused_before_new_page)
{
	uintptr_t t[8];

	for (int i = 0; i < 8; i++)
		t[i] = alloc_ok();
	tls_manager_free(&mgr, t[6]);
	ck_assert_uint_eq(alloc_ok(), t[6]);
	ck_assert_uint_eq(tls_manager_page_count(&mgr), 1);
}
END_TEST

/*
 * Pages are scanned in creation order. Make page 2 sit at a lower address
 * than page 1 by having a hole open below page 1 after it was created: a
 * free slot in the lower-addressed page must lose to the older page.
 */
START_TEST(test_creation_order_not_address_order)
{
	uintptr_t first[8], second[8], third;

	ck_assert_int_eq(pmem_create_regular_mapping(pm, base, PAGE_SIZE,
						     MEM_NORMAL, MAR_U_RW), 0);
	for (int i = 0; i < 8; i++)
		first[i] = alloc_ok();
	ck_assert_uint_eq(first[0], base + PAGE_SIZE);
	ck_assert_int_eq(pmem_unmap(pm, base, PAGE_SIZE), 0);
	for (int i = 0; i < 8; i++)
		second[i] = alloc_ok();
	ck_assert_uint_eq(second[0], base);	/* lower address, newer page */
	tls_manager_free(&mgr, second[2]);
	tls_manager_free(&mgr, first[5]);
	third = alloc_ok();
	ck_assert_uint_eq(third, first[5]);
	ck_assert_uint_eq(alloc_ok(), second[2]);
}
END_TEST

START_TEST(test_new_page_after_holes_first_fit)
{
	uintptr_t t;

	ck_assert_int_eq(pmem_create_regular_mapping(pm, base, PAGE_SIZE,
						     MEM_NORMAL, MAR_U_RW), 0);
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base + 2 * PAGE_SIZE,
						     PAGE_SIZE, MEM_HEAP,
						     MAR_U_RW), 0);
	t = alloc_ok();
	ck_assert_uint_eq(t, base + PAGE_SIZE);
}
END_TEST

/*
 * An independent model of the seed: a list of pages in creation order, each
 * with 8 flags, allocate = first page with a free flag, lowest flag; pages
 * are placed by first fit, which on an otherwise empty land is the lowest
 * free page. Compared against the port on a long pseudo-random sequence.
 */
START_TEST(test_matches_seed_model_on_mixed_sequence)
{
	enum { MAXP = 32 };
	bool used[MAXP][8] = { { false } };
	uintptr_t live[MAXP * 8];
	size_t nlive = 0, npages = 0;
	unsigned seed = 12345;

	for (int step = 0; step < 4000; step++) {
		seed = seed * 1103515245u + 12345u;
		bool do_alloc = nlive == 0 ||
				(nlive < MAXP * 8 - 8 && (seed >> 16) % 3 != 0);

		if (do_alloc) {
			uintptr_t want = 0;

			for (size_t p = 0; p < npages && !want; p++)
				for (size_t s = 0; s < 8 && !want; s++)
					if (!used[p][s]) {
						used[p][s] = true;
						want = base + p * PAGE_SIZE + s * TLS_SIZE;
					}
			if (!want) {
				used[npages][0] = true;
				want = base + npages++ * PAGE_SIZE;
			}
			ck_assert_uint_eq(alloc_ok(), want);
			live[nlive++] = want;
		} else {
			size_t k = (seed >> 8) % nlive;
			uintptr_t t = live[k];
			size_t p = (t - base) / PAGE_SIZE;

			used[p][(t - base) % PAGE_SIZE / TLS_SIZE] = false;
			tls_manager_free(&mgr, t);
			live[k] = live[--nlive];
		}
		ck_assert_uint_eq(tls_manager_used(&mgr), nlive);
		ck_assert_uint_eq(tls_manager_page_count(&mgr), npages);
	}
}
END_TEST

/* ---- leaks and failures ---- */

START_TEST(test_free_never_unmaps)
{
	uintptr_t t = alloc_ok();

	tls_manager_free(&mgr, t);
	ck_assert_uint_eq(tls_manager_page_count(&mgr), 1);
	ck_assert_ptr_nonnull(pmem_query(pm, t));
	ck_assert_uint_eq(tls_manager_used(&mgr), 0);
}
END_TEST

START_TEST(test_fini_leaks_pages_until_pmem_dies)
{
	uintptr_t t = alloc_ok();

	tls_manager_fini(&mgr);
	ck_assert_uint_eq(tls_manager_page_count(&mgr), 0);
	ck_assert_ptr_nonnull(pmem_query(pm, t));
	((struct tls *)t)->ptr_self = (void *)t;	/* still real memory */
}
END_TEST

START_TEST(test_virtual_exhaustion_leaves_manager)
{
	struct snapshot s;
	uintptr_t t = 0;

	/* 64 pages of land: fill 63 with a mapping, the TLS page takes 1. */
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base + PAGE_SIZE,
						     63 * PAGE_SIZE, MEM_HEAP,
						     MAR_U_RW), 0);
	for (int i = 0; i < 8; i++)
		alloc_ok();
	take_snapshot(&s);
	ck_assert_int_eq(tls_manager_allocate(&mgr, &t),
			 KERR_VIRTUAL_MEMORY_EXHAUSTION);
	ck_assert_uint_eq(t, 0);
	assert_same_as(&s);
}
END_TEST

START_TEST(test_host_refusal_leaves_manager)
{
	struct snapshot s;
	uintptr_t t = 0;

	for (int i = 0; i < 8; i++)
		alloc_ok();
	take_snapshot(&s);
	pmem_inject_map_fail(1);
	ck_assert_int_eq(tls_manager_allocate(&mgr, &t),
			 KERR_PHYSICAL_MEMORY_EXHAUSTION);
	assert_same_as(&s);
	/* the next try succeeds, at the same place it would have. */
	ck_assert_uint_eq(alloc_ok(), base + PAGE_SIZE);
}
END_TEST

START_TEST(test_memory_is_real)
{
	uintptr_t a = alloc_ok(), b = alloc_ok();
	struct tls *ta = (struct tls *)a, *tb = (struct tls *)b;

	memset(ta, 0xaa, TLS_SIZE);
	memset(tb, 0x55, TLS_SIZE);
	ck_assert_uint_eq(ta->ipc_command_buffer[0xff], 0xaa);
	ck_assert_uint_eq(tb->ipc_command_buffer[0], 0x55);
}
END_TEST

/* ---- panics ---- */

struct free_args {
	struct tls_manager *mgr;
	struct tls_page *page;
	uintptr_t tls;
};

static void do_manager_free(void *arg)
{
	struct free_args *a = arg;

	tls_manager_free(a->mgr, a->tls);
}

static void do_page_free(void *arg)
{
	struct free_args *a = arg;

	tls_page_free(a->page, a->tls);
}

START_TEST(test_panic_double_free)
{
	struct panic_catch c;
	struct snapshot s;
	uintptr_t t = alloc_ok();
	struct free_args a = { &mgr, NULL, t };

	alloc_ok();
	tls_manager_free(&mgr, t);
	take_snapshot(&s);
	ck_assert_str_eq(call_catching_panic(&c, do_manager_free, &a),
			 "Freed TLS was not marked occupied");
	assert_same_as(&s);
}
END_TEST

START_TEST(test_panic_unaligned)
{
	struct panic_catch c;
	struct snapshot s;
	uintptr_t t = alloc_ok();
	struct free_args a = { &mgr, NULL, t + 0x10 };

	take_snapshot(&s);
	ck_assert_str_eq(call_catching_panic(&c, do_manager_free, &a),
			 "Freed TLS ptr is not TLS size aligned.");
	assert_same_as(&s);
	ck_assert_uint_eq(tls_manager_used(&mgr), 1);
}
END_TEST

START_TEST(test_panic_outside_page)
{
	struct panic_catch c;
	struct tls_page page;
	struct free_args a = { NULL, &page, 0 };
	uint8_t before[sizeof(page.usage)];

	ck_assert_int_eq(tls_page_new(&page, &mem), KERR_OK);
	ck_assert_uint_eq(tls_page_allocate(&page), page.page_address);
	memcpy(before, page.usage, sizeof(before));
	a.tls = page.page_address + PAGE_SIZE;
	ck_assert_str_eq(call_catching_panic(&c, do_page_free, &a),
			 "Freed TLS ptr is outside of TLSPage.");
	ck_assert_mem_eq(page.usage, before, sizeof(before));
}
END_TEST

START_TEST(test_panic_unknown_page)
{
	struct panic_catch c;
	struct snapshot s;
	struct free_args a = { &mgr, NULL, 0 };
	char want[PANIC_MESSAGE_MAX];
	const char *msg;

	alloc_ok();
	a.tls = base + 5 * PAGE_SIZE;
	take_snapshot(&s);
	msg = call_catching_panic(&c, do_manager_free, &a);
	snprintf(want, sizeof(want), "Freed TLS 0x%lx is not in TLSManager.",
		 (unsigned long)a.tls);
	ck_assert_str_eq(msg, want);
	assert_same_as(&s);
}
END_TEST

START_TEST(test_panic_on_empty_manager)
{
	struct panic_catch c;
	struct free_args a = { &mgr, NULL, base };

	ck_assert_ptr_nonnull(call_catching_panic(&c, do_manager_free, &a));
	ck_assert_ptr_nonnull(strstr(c.message, "is not in TLSManager."));
}
END_TEST

START_TEST(test_no_panic_returns_zero)
{
	struct panic_catch c;
	struct free_args a = { &mgr, NULL, 0 };

	a.tls = alloc_ok();
	ck_assert_int_eq(panic_call(&c, do_manager_free, &a), 0);
	ck_assert_uint_eq(tls_manager_used(&mgr), 0);
}
END_TEST

static void nested_inner(void *arg)
{
	(void)arg;
	panic("inner %d", 1);
}

static void nested_outer(void *arg)
{
	struct panic_catch inner;
	int *caught = arg;

	*caught = panic_call(&inner, nested_inner, NULL);
	ck_assert_str_eq(inner.message, "inner 1");
	panic("outer");
}

START_TEST(test_panic_catches_nest)
{
	struct panic_catch outer;
	int caught = 0;

	ck_assert_int_eq(panic_call(&outer, nested_outer, &caught), 1);
	ck_assert_int_eq(caught, 1);
	ck_assert_str_eq(outer.message, "outer");
}
END_TEST

static void uncaught(void *arg)
{
	(void)arg;
	panic("nobody catches this");
}

/* Without a catch a panic aborts the process, like the kernel stopping. */
START_TEST(test_uncaught_panic_aborts)
{
	uncaught(NULL);
}
END_TEST

START_TEST(test_error_names)
{
	ck_assert_str_eq(kernel_error_name(KERR_INVALID_SIZE), "InvalidSize");
	ck_assert_int_eq(kernel_error_from_name("VirtualMemoryExhaustion"),
			 KERR_VIRTUAL_MEMORY_EXHAUSTION);
	ck_assert_int_eq(kernel_error_from_name("Nope"), KERR_COUNT);
}
END_TEST

/*
 * The seed's port's suite: allocation, reuse, pages, the panics and the
 * documented leak, over real process memory.
 */
static Suite *tls_suite(void)
{
	Suite *s = suite_create("tls");
	TCase *bits = tcase_create("bitmap");
	TCase *alloc = tcase_create("allocate");
	TCase *pan = tcase_create("panic");

	tcase_add_test(bits, test_first_zero_empty);
	tcase_add_test(bits, test_first_zero_lsb_first);
	tcase_add_test(bits, test_first_zero_crosses_byte);
	tcase_add_test(bits, test_first_zero_full);
	tcase_add_test(bits, test_first_zero_hole_in_later_byte);
	tcase_add_test(bits, test_layout);
	suite_add_tcase(s, bits);

	tcase_add_checked_fixture(alloc, setup, teardown);
	tcase_add_test(alloc, test_first_page_fills_in_order);
	tcase_add_test(alloc, test_ninth_maps_second_page);
	tcase_add_test(alloc, test_page_is_thread_local_u_rw);
	tcase_add_test(alloc, test_freed_slot_reused_first);
	tcase_add_test(alloc, test_freed_slot_reused_before_new_page);
	tcase_add_test(alloc, test_creation_order_not_address_order);
	tcase_add_test(alloc, test_new_page_after_holes_first_fit);
	tcase_add_test(alloc, test_matches_seed_model_on_mixed_sequence);
	tcase_add_test(alloc, test_free_never_unmaps);
	tcase_add_test(alloc, test_fini_leaks_pages_until_pmem_dies);
	tcase_add_test(alloc, test_virtual_exhaustion_leaves_manager);
	tcase_add_test(alloc, test_host_refusal_leaves_manager);
	tcase_add_test(alloc, test_memory_is_real);
	suite_add_tcase(s, alloc);

	tcase_add_checked_fixture(pan, setup, teardown);
	tcase_add_test(pan, test_panic_double_free);
	tcase_add_test(pan, test_panic_unaligned);
	tcase_add_test(pan, test_panic_outside_page);
	tcase_add_test(pan, test_panic_unknown_page);
	tcase_add_test(pan, test_panic_on_empty_manager);
	tcase_add_test(pan, test_no_panic_returns_zero);
	tcase_add_test(pan, test_panic_catches_nest);
	tcase_add_test_raise_signal(pan, test_uncaught_panic_aborts, SIGABRT);
	tcase_add_test(pan, test_error_names);
	suite_add_tcase(s, pan);
	return s;
}

int main(void)
{
	return run_suite(tls_suite());
}
