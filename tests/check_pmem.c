/*
 * check_pmem.c - process memory: first fit, mapping errors, real memory.
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "kernel/pmem.h"
#include "kernel/sched.h"
#include "pmem_memory.h"
#include "tls.h"

#define LAND (16 * PAGE_SIZE)

static struct pmem *pm;
static uintptr_t base;

static void setup(void)
{
	ck_assert_int_eq(pmem_create(&pm, LAND), 0);
	base = pmem_userland_start(pm);
}

static void teardown(void)
{
	pmem_inject_map_fail(0);
	pmem_destroy(pm);
}

static void map_ok(size_t page, size_t pages, enum memory_type type)
{
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base + page * PAGE_SIZE,
						     pages * PAGE_SIZE, type,
						     MAR_U_RW), KERR_OK);
}

static uintptr_t fit(size_t pages)
{
	uintptr_t addr = 0;

	ck_assert_int_eq(pmem_find_available_space(pm, pages * PAGE_SIZE,
						   &addr), KERR_OK);
	return addr;
}

/* Fork a child that touches addr; true when it died of SIGSEGV. */
static bool touch_faults(uintptr_t addr, bool write)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (write)
			*(volatile char *)addr = 1;
		else
			(void)*(volatile char *)addr;
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

/* ---- creation ---- */

START_TEST(test_create_rejects_bad_sizes)
{
	struct pmem *p = NULL;

	ck_assert_int_eq(pmem_create(&p, 0), -EINVAL);
	ck_assert_int_eq(pmem_create(&p, PAGE_SIZE + 1), -EINVAL);
	ck_assert_ptr_null(p);
}
END_TEST

START_TEST(test_create_default_size)
{
	struct pmem *p;

	ck_assert_int_eq(pmem_create(&p, PMEM_DEFAULT_USERLAND), 0);
	ck_assert_uint_ge(pmem_userland_size(p) / TLS_SIZE, 1000000);
	ck_assert_uint_eq(pmem_userland_start(p) % PAGE_SIZE, 0);
	pmem_destroy(p);
}
END_TEST

START_TEST(test_memory_type_names)
{
	ck_assert_int_eq(MEM_TYPE_COUNT, 22);
	ck_assert_str_eq(memory_type_name(MEM_THREAD_LOCAL), "ThreadLocal");
	ck_assert_str_eq(memory_type_name(MEM_CODE_WRITABLE), "CodeWritable");
	ck_assert_int_eq(MEM_THREAD_LOCAL, 0xC);
	ck_assert_int_eq(MEM_KERNEL_STACK, 0x13);
	for (int i = 0; i < MEM_TYPE_COUNT; i++)
		ck_assert_int_eq(memory_type_from_name(memory_type_name(i)), i);
	ck_assert_int_eq(memory_type_from_name("threadlocal"), MEM_TYPE_COUNT);
	ck_assert_ptr_null(memory_type_name(MEM_TYPE_COUNT));
}
END_TEST

START_TEST(test_rights_bits)
{
	ck_assert_uint_eq(MAR_READABLE | MAR_WRITABLE | MAR_EXECUTABLE |
			  MAR_USER_ACCESSIBLE, 0xf);
	ck_assert_uint_eq(MAR_U_RW, 0xb);
}
END_TEST

/* ---- first fit ---- */

START_TEST(test_fit_empty_land_is_start)
{
	/* the original's quirk would say VirtualMemoryExhaustion here */
	ck_assert_uint_eq(fit(1), base);
}
END_TEST

START_TEST(test_fit_after_mapping)
{
	map_ok(0, 2, MEM_NORMAL);
	ck_assert_uint_eq(fit(1), base + 2 * PAGE_SIZE);
}
END_TEST

START_TEST(test_fit_takes_first_hole)
{
	map_ok(0, 1, MEM_NORMAL);
	map_ok(3, 1, MEM_NORMAL);
	map_ok(5, 1, MEM_NORMAL);
	ck_assert_uint_eq(fit(1), base + PAGE_SIZE);
	ck_assert_uint_eq(fit(2), base + PAGE_SIZE);
}
END_TEST

START_TEST(test_fit_skips_small_hole)
{
	map_ok(0, 1, MEM_NORMAL);
	map_ok(2, 1, MEM_NORMAL);
	map_ok(4, 3, MEM_NORMAL);
	ck_assert_uint_eq(fit(2), base + 7 * PAGE_SIZE);
}
END_TEST

START_TEST(test_fit_hole_before_first_mapping)
{
	map_ok(2, 1, MEM_NORMAL);
	ck_assert_uint_eq(fit(2), base);
	ck_assert_uint_eq(fit(3), base + 3 * PAGE_SIZE);
}
END_TEST

START_TEST(test_fit_trailing_gap_exact)
{
	map_ok(0, 15, MEM_NORMAL);
	ck_assert_uint_eq(fit(1), base + 15 * PAGE_SIZE);
}
END_TEST

START_TEST(test_fit_exhausted)
{
	uintptr_t addr = 1;

	map_ok(0, 8, MEM_NORMAL);
	map_ok(9, 7, MEM_NORMAL);
	ck_assert_int_eq(pmem_find_available_space(pm, 2 * PAGE_SIZE, &addr),
			 KERR_VIRTUAL_MEMORY_EXHAUSTION);
	ck_assert_uint_eq(addr, 1);
	ck_assert_uint_eq(fit(1), base + 8 * PAGE_SIZE);
}
END_TEST

START_TEST(test_fit_bad_length)
{
	uintptr_t addr;

	ck_assert_int_eq(pmem_find_available_space(pm, 0, &addr),
			 KERR_INVALID_SIZE);
	ck_assert_int_eq(pmem_find_available_space(pm, 100, &addr),
			 KERR_INVALID_SIZE);
}
END_TEST

/* ---- create_regular_mapping errors, in the original's order ---- */

START_TEST(test_map_unaligned_address)
{
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base + 8, PAGE_SIZE,
						     MEM_NORMAL, MAR_U_RW),
			 KERR_INVALID_ADDRESS);
	/* address is checked before size */
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base + 8, 3,
						     MEM_NORMAL, MAR_U_RW),
			 KERR_INVALID_ADDRESS);
}
END_TEST

START_TEST(test_map_bad_size)
{
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base, 0, MEM_NORMAL,
						     MAR_U_RW), KERR_INVALID_SIZE);
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base, 0x1800,
						     MEM_NORMAL, MAR_U_RW),
			 KERR_INVALID_SIZE);
	/* size is checked before the range */
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base + LAND, 5,
						     MEM_NORMAL, MAR_U_RW),
			 KERR_INVALID_SIZE);
}
END_TEST

START_TEST(test_map_outside_userland)
{
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base + LAND, PAGE_SIZE,
						     MEM_NORMAL, MAR_U_RW),
			 KERR_INVALID_ADDRESS);
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base - PAGE_SIZE,
						     PAGE_SIZE, MEM_NORMAL,
						     MAR_U_RW),
			 KERR_INVALID_ADDRESS);
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base + 15 * PAGE_SIZE,
						     2 * PAGE_SIZE, MEM_NORMAL,
						     MAR_U_RW),
			 KERR_INVALID_ADDRESS);
	ck_assert_uint_eq(pmem_mapping_count(pm), 0);
}
END_TEST

START_TEST(test_map_overlap)
{
	map_ok(4, 2, MEM_NORMAL);
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base + 5 * PAGE_SIZE,
						     PAGE_SIZE, MEM_NORMAL,
						     MAR_U_RW),
			 KERR_INVALID_ADDRESS);
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base + 3 * PAGE_SIZE,
						     2 * PAGE_SIZE, MEM_NORMAL,
						     MAR_U_RW),
			 KERR_INVALID_ADDRESS);
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base + 2 * PAGE_SIZE,
						     6 * PAGE_SIZE, MEM_NORMAL,
						     MAR_U_RW),
			 KERR_INVALID_ADDRESS);
	ck_assert_uint_eq(pmem_mapping_count(pm), 1);
	/* touching neighbours are fine */
	map_ok(3, 1, MEM_NORMAL);
	map_ok(6, 1, MEM_NORMAL);
	ck_assert_uint_eq(pmem_mapping_count(pm), 3);
}
END_TEST

START_TEST(test_map_unmapped_type)
{
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base, PAGE_SIZE,
						     MEM_UNMAPPED, MAR_U_RW),
			 KERR_INVALID_MEM_STATE);
}
END_TEST

START_TEST(test_map_injected_failure)
{
	pmem_inject_map_fail(2);
	map_ok(0, 1, MEM_NORMAL);
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base + PAGE_SIZE,
						     PAGE_SIZE, MEM_NORMAL,
						     MAR_U_RW),
			 KERR_PHYSICAL_MEMORY_EXHAUSTION);
	ck_assert_ptr_null(pmem_query(pm, base + PAGE_SIZE));
	ck_assert_uint_eq(pmem_mapping_count(pm), 1);
	map_ok(1, 1, MEM_NORMAL);	/* only one failure was injected */
}
END_TEST

START_TEST(test_map_errors_before_injection)
{
	/* an invalid call fails with its own error and does not consume it */
	pmem_inject_map_fail(1);
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base, 0, MEM_NORMAL,
						     MAR_U_RW), KERR_INVALID_SIZE);
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base, PAGE_SIZE,
						     MEM_NORMAL, MAR_U_RW),
			 KERR_PHYSICAL_MEMORY_EXHAUSTION);
}
END_TEST

/* ---- query, iteration, unmap ---- */

START_TEST(test_query)
{
	const struct mapping *m;

	map_ok(2, 3, MEM_HEAP);
	m = pmem_query(pm, base + 4 * PAGE_SIZE + 17);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->start, base + 2 * PAGE_SIZE);
	ck_assert_uint_eq(m->length, 3 * PAGE_SIZE);
	ck_assert_int_eq(m->type, MEM_HEAP);
	ck_assert_uint_eq(m->rights, MAR_U_RW);
	ck_assert_ptr_null(pmem_query(pm, base + 5 * PAGE_SIZE));
	ck_assert_ptr_null(pmem_query(pm, base + 2 * PAGE_SIZE - 1));
}
END_TEST

START_TEST(test_iteration_in_address_order)
{
	map_ok(9, 1, MEM_STACK);
	map_ok(1, 1, MEM_HEAP);
	map_ok(5, 2, MEM_NORMAL);
	ck_assert_uint_eq(pmem_mapping_count(pm), 3);
	ck_assert_int_eq(pmem_mapping_at(pm, 0)->type, MEM_HEAP);
	ck_assert_int_eq(pmem_mapping_at(pm, 1)->type, MEM_NORMAL);
	ck_assert_int_eq(pmem_mapping_at(pm, 2)->type, MEM_STACK);
	ck_assert_ptr_null(pmem_mapping_at(pm, 3));
}
END_TEST

START_TEST(test_unmap_whole)
{
	map_ok(1, 2, MEM_NORMAL);
	ck_assert_int_eq(pmem_unmap(pm, base + PAGE_SIZE, 2 * PAGE_SIZE), 0);
	ck_assert_uint_eq(pmem_mapping_count(pm), 0);
	ck_assert_uint_eq(fit(3), base);
}
END_TEST

START_TEST(test_unmap_middle_splits)
{
	const struct mapping *m;

	map_ok(0, 5, MEM_HEAP);
	ck_assert_int_eq(pmem_unmap(pm, base + 2 * PAGE_SIZE, PAGE_SIZE), 0);
	ck_assert_uint_eq(pmem_mapping_count(pm), 2);
	m = pmem_mapping_at(pm, 0);
	ck_assert_uint_eq(m->length, 2 * PAGE_SIZE);
	m = pmem_mapping_at(pm, 1);
	ck_assert_uint_eq(m->start, base + 3 * PAGE_SIZE);
	ck_assert_uint_eq(m->length, 2 * PAGE_SIZE);
	ck_assert_int_eq(m->type, MEM_HEAP);
	ck_assert_uint_eq(fit(1), base + 2 * PAGE_SIZE);
}
END_TEST

START_TEST(test_unmap_head_and_tail)
{
	map_ok(0, 4, MEM_NORMAL);
	ck_assert_int_eq(pmem_unmap(pm, base, PAGE_SIZE), 0);
	ck_assert_int_eq(pmem_unmap(pm, base + 3 * PAGE_SIZE, PAGE_SIZE), 0);
	ck_assert_uint_eq(pmem_mapping_count(pm), 1);
	ck_assert_uint_eq(pmem_mapping_at(pm, 0)->start, base + PAGE_SIZE);
	ck_assert_uint_eq(pmem_mapping_at(pm, 0)->length, 2 * PAGE_SIZE);
}
END_TEST

START_TEST(test_unmap_errors)
{
	map_ok(0, 1, MEM_NORMAL);
	map_ok(1, 1, MEM_NORMAL);
	ck_assert_int_eq(pmem_unmap(pm, base + 1, PAGE_SIZE),
			 KERR_INVALID_ADDRESS);
	ck_assert_int_eq(pmem_unmap(pm, base, 0), KERR_INVALID_SIZE);
	ck_assert_int_eq(pmem_unmap(pm, base + 4 * PAGE_SIZE, PAGE_SIZE),
			 KERR_INVALID_ADDRESS);
	/* spans two mappings */
	ck_assert_int_eq(pmem_unmap(pm, base, 2 * PAGE_SIZE),
			 KERR_INVALID_ADDRESS);
	ck_assert_uint_eq(pmem_mapping_count(pm), 2);
}
END_TEST

/* ---- the memory is real ---- */

START_TEST(test_mapping_is_readable_writable)
{
	char *p = (char *)base + 3 * PAGE_SIZE;

	map_ok(3, 2, MEM_NORMAL);
	ck_assert_uint_eq(p[0], 0);		/* fresh pages are zero */
	memcpy(p + PAGE_SIZE + 100, "hello", 6);
	ck_assert_str_eq(p + PAGE_SIZE + 100, "hello");
}
END_TEST

START_TEST(test_unmapped_page_faults)
{
	ck_assert(touch_faults(base, false));
}
END_TEST

START_TEST(test_unmap_drops_contents_and_faults)
{
	char *p = (char *)base;

	map_ok(0, 1, MEM_NORMAL);
	p[10] = 42;
	ck_assert(!touch_faults(base + 10, true));
	ck_assert_int_eq(pmem_unmap(pm, base, PAGE_SIZE), 0);
	ck_assert(touch_faults(base + 10, false));
	map_ok(0, 1, MEM_NORMAL);
	ck_assert_int_eq(p[10], 0);
}
END_TEST

START_TEST(test_read_only_mapping_faults_on_write)
{
	ck_assert_int_eq(pmem_create_regular_mapping(pm, base, PAGE_SIZE,
						     MEM_CODE_STATIC,
						     MAR_USER_ACCESSIBLE |
						     MAR_READABLE), KERR_OK);
	ck_assert(!touch_faults(base, false));
	ck_assert(touch_faults(base, true));
}
END_TEST

/* The rights reach the host: /proc/self/maps shows r-x for an rx mapping. */
START_TEST(test_rights_reach_host_protection)
{
	char line[256], want[64];
	bool found = false;
	FILE *maps;

	ck_assert_int_eq(pmem_create_regular_mapping(pm, base, PAGE_SIZE,
						     MEM_CODE_STATIC,
						     MAR_USER_ACCESSIBLE |
						     MAR_READABLE |
						     MAR_EXECUTABLE), KERR_OK);
	snprintf(want, sizeof(want), "%lx-%lx r-xp", (unsigned long)base,
		 (unsigned long)(base + PAGE_SIZE));
	maps = fopen("/proc/self/maps", "r");
	ck_assert_ptr_nonnull(maps);
	while (fgets(line, sizeof(line), maps))
		found |= strncmp(line, want, strlen(want)) == 0;
	fclose(maps);
	ck_assert_msg(found, "no '%s' line in /proc/self/maps", want);
}
END_TEST

START_TEST(test_exhaustion_with_tls_pages)
{
	struct tlsm_memory mem = pmem_memory(pm);
	struct tls_manager mgr;
	uintptr_t t;
	size_t n = 0;

	tls_manager_init(&mgr, &mem);
	while (tls_manager_allocate(&mgr, &t) == KERR_OK)
		n++;
	ck_assert_uint_eq(n, (LAND / PAGE_SIZE) * TLS_PER_PAGE);
	ck_assert_int_eq(tls_manager_allocate(&mgr, &t),
			 KERR_VIRTUAL_MEMORY_EXHAUSTION);
	tls_manager_fini(&mgr);
}
END_TEST

/*
 * Guard pages: around two fully mapped lands created one after the
 * other (the host tends to place them side by side), every byte within
 * the furthest reach of user code on either side of a land faults.
 */
START_TEST(test_guard_pages_around_lands)
{
	struct pmem *p[2];
	uintptr_t lo, hi;

	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(pmem_create(&p[i], PAGE_SIZE), 0);
		ck_assert_int_eq(pmem_create_regular_mapping(
				 p[i], pmem_userland_start(p[i]), PAGE_SIZE,
				 MEM_NORMAL, MAR_READABLE | MAR_WRITABLE),
				 KERR_OK);
	}
	for (int i = 0; i < 2; i++) {
		lo = pmem_userland_start(p[i]);
		hi = lo + pmem_userland_size(p[i]);
		ck_assert(!touch_faults(lo, true));
		ck_assert(touch_faults(hi, false));
		ck_assert(touch_faults(hi + USER_REACH_MAX - 1, true));
		ck_assert(touch_faults(lo - 1, false));
		ck_assert(touch_faults(lo - USER_REACH_MAX, true));
	}
	pmem_destroy(p[0]);
	pmem_destroy(p[1]);
}
END_TEST

/* Destroying a process memory with live TLS pages releases them. */
START_TEST(test_destroy_releases_tls_pages)
{
	struct tlsm_memory mem;
	struct tls_manager mgr;
	uintptr_t t, start;
	struct pmem *p;

	ck_assert_int_eq(pmem_create(&p, 4 * PAGE_SIZE), 0);
	start = pmem_userland_start(p);
	mem = pmem_memory(p);
	tls_manager_init(&mgr, &mem);
	ck_assert_int_eq(tls_manager_allocate(&mgr, &t), KERR_OK);
	*(volatile char *)t = 1;
	tls_manager_fini(&mgr);
	pmem_destroy(p);
	ck_assert(touch_faults(start, false));
	ck_assert(touch_faults(t, true));
}
END_TEST

/*
 * Process memory's suite: first fit, mappings, unmaps, rights, the
 * host's refusals, guard pages.
 */
static Suite *pmem_suite(void)
{
	Suite *s = suite_create("pmem");
	TCase *tc = tcase_create("pmem");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_create_rejects_bad_sizes);
	tcase_add_test(tc, test_create_default_size);
	tcase_add_test(tc, test_memory_type_names);
	tcase_add_test(tc, test_rights_bits);
	tcase_add_test(tc, test_fit_empty_land_is_start);
	tcase_add_test(tc, test_fit_after_mapping);
	tcase_add_test(tc, test_fit_takes_first_hole);
	tcase_add_test(tc, test_fit_skips_small_hole);
	tcase_add_test(tc, test_fit_hole_before_first_mapping);
	tcase_add_test(tc, test_fit_trailing_gap_exact);
	tcase_add_test(tc, test_fit_exhausted);
	tcase_add_test(tc, test_fit_bad_length);
	tcase_add_test(tc, test_map_unaligned_address);
	tcase_add_test(tc, test_map_bad_size);
	tcase_add_test(tc, test_map_outside_userland);
	tcase_add_test(tc, test_map_overlap);
	tcase_add_test(tc, test_map_unmapped_type);
	tcase_add_test(tc, test_map_injected_failure);
	tcase_add_test(tc, test_map_errors_before_injection);
	tcase_add_test(tc, test_query);
	tcase_add_test(tc, test_guard_pages_around_lands);
	tcase_add_test(tc, test_iteration_in_address_order);
	tcase_add_test(tc, test_unmap_whole);
	tcase_add_test(tc, test_unmap_middle_splits);
	tcase_add_test(tc, test_unmap_head_and_tail);
	tcase_add_test(tc, test_unmap_errors);
	tcase_add_test(tc, test_mapping_is_readable_writable);
	tcase_add_test(tc, test_unmapped_page_faults);
	tcase_add_test(tc, test_unmap_drops_contents_and_faults);
	tcase_add_test(tc, test_read_only_mapping_faults_on_write);
	tcase_add_test(tc, test_rights_reach_host_protection);
	tcase_add_test(tc, test_exhaustion_with_tls_pages);
	tcase_add_test(tc, test_destroy_releases_tls_pages);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(pmem_suite());
}
