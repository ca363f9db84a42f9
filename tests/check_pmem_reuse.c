/*
 * check_pmem_reuse.c - a released user land is reused clean: the same
 * reservation comes back with no mapping, no page and no byte of the
 * process that had it, its guards in place; a land that could not be
 * cleaned never comes back; the kept lands are bounded. A hidden land
 * maps, unmaps and retires without a host call while it was never shown,
 * and stays as isolated and as clean as one that made them; once shown, a
 * mapping is a host mapping of its own, not merged back when hidden.
 */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "kernel/hostcall.h"
#include "kernel/pmem.h"
#include "kernel/sched.h"

#define LAND (8 * PAGE_SIZE)

/* Fork a child that reads addr; true when it died of SIGSEGV. */
static bool read_faults(uintptr_t addr)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		(void)*(volatile char *)addr;
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

/*
 * Host mappings of this process overlapping [lo, hi): those that are not
 * PROT_NONE are returned (or -1 when /proc/self/smaps cannot be read),
 * all of them counted in *all, and the kB of them that hold a page (Rss)
 * whatever their protection in *rss_kb.
 */
static int land_maps(uintptr_t lo, uintptr_t hi, int *all, size_t *rss_kb)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512], perms[8];
	unsigned long a, b;
	bool inside = false;
	size_t kb;
	int n = 0;

	if (!f)
		return -1;
	*all = 0;
	*rss_kb = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s", &a, &b, perms) == 3) {
			inside = a < hi && b > lo;
			*all += inside;
			if (inside && strcmp(perms, "---p") != 0)
				n++;
		} else if (inside && sscanf(line, "Rss: %zu kB", &kb) == 1) {
			*rss_kb += kb;
		}
	}
	fclose(f);
	return n;
}

/* land_maps, its count of all the host's mappings not wanted. */
static int accessible_maps(uintptr_t lo, uintptr_t hi, size_t *rss_kb)
{
	int all;

	return land_maps(lo, hi, &all, rss_kb);
}

/*
 * Every byte of [start, start + len) reads zero: one assertion, not one a
 * byte (each marks its place for Check, a system call, slow under the
 * emulators of the cross legs).
 */
static void check_zero(uintptr_t start, size_t len)
{
	size_t i = 0;

	while (i < len && ((volatile unsigned char *)start)[i] == 0)
		i++;
	ck_assert_msg(i == len, "byte %zu of 0x%zx reads 0x%x", i, len,
		      i < len ? ((volatile unsigned char *)start)[i] : 0);
}

/* Map every page of p's land read-write and write a mark in each. */
static void fill_land(struct pmem *p)
{
	uintptr_t start = pmem_userland_start(p);

	ck_assert_int_eq(pmem_create_regular_mapping(p, start, LAND / 2,
						     MEM_NORMAL, MAR_U_RW),
			 KERR_OK);
	ck_assert_int_eq(pmem_create_regular_mapping(p, start + LAND / 2,
						     LAND / 2, MEM_THREAD_LOCAL,
						     MAR_U_RW), KERR_OK);
	memset((void *)start, 0xa5, LAND);
}

/*
 * The land of p (its old start) is clean: nothing mapped, nothing
 * readable, no page behind it, the guards fault, and a new mapping over
 * all of it reads zero.
 */
static void check_clean(struct pmem *p, uintptr_t old_start)
{
	uintptr_t start = pmem_userland_start(p);
	size_t rss = 1;

	ck_assert_uint_eq(start, old_start);
	ck_assert_uint_eq(pmem_mapping_count(p), 0);
	ck_assert_int_eq(accessible_maps(start - PMEM_GUARD_SIZE,
					 start + LAND + PMEM_GUARD_SIZE, &rss), 0);
	ck_assert_uint_eq(rss, 0);
	for (uintptr_t a = start; a < start + LAND; a += PAGE_SIZE)
		ck_assert(read_faults(a));
	ck_assert(read_faults(start - 1));
	ck_assert(read_faults(start - PMEM_GUARD_SIZE));
	ck_assert(read_faults(start + LAND));
	ck_assert(read_faults(start + LAND + PMEM_GUARD_SIZE - 1));
	ck_assert_int_eq(pmem_create_regular_mapping(p, start, LAND,
						     MEM_NORMAL, MAR_U_RW),
			 KERR_OK);
	check_zero(start, LAND);
}

/* A process's land, retired (killed) then destroyed, comes back clean. */
START_TEST(test_retired_land_reused_clean)
{
	struct pmem *p, *q;
	uintptr_t start;

	pmem_cache_drain();
	ck_assert_int_eq(pmem_create(&p, LAND), 0);
	start = pmem_userland_start(p);
	fill_land(p);
	ck_assert_int_eq(pmem_set_hidden(p, true), KERR_OK);
	pmem_retire(p);
	pmem_destroy(p);
	ck_assert_uint_eq(pmem_cached_lands(), 1);
	ck_assert_int_eq(pmem_create(&q, LAND), 0);
	ck_assert_uint_eq(pmem_cached_lands(), 0);
	check_clean(q, start);
	pmem_destroy(q);
}
END_TEST

/* A land destroyed with its mappings live (shown) comes back clean too. */
START_TEST(test_live_land_reused_clean)
{
	struct pmem *p, *q;
	uintptr_t start;

	pmem_cache_drain();
	ck_assert_int_eq(pmem_create(&p, LAND), 0);
	start = pmem_userland_start(p);
	fill_land(p);
	pmem_destroy(p);
	ck_assert_int_eq(pmem_create(&q, LAND), 0);
	check_clean(q, start);
	pmem_destroy(q);
}
END_TEST

/* A land of another size is never handed out for this one. */
START_TEST(test_reuse_only_same_size)
{
	struct pmem *p, *q;

	pmem_cache_drain();
	ck_assert_int_eq(pmem_create(&p, LAND), 0);
	pmem_destroy(p);
	ck_assert_int_eq(pmem_create(&q, 2 * LAND), 0);
	ck_assert_uint_eq(pmem_userland_size(q), 2 * LAND);
	ck_assert_uint_eq(pmem_cached_lands(), 1);
	pmem_destroy(q);
	pmem_cache_drain();
	ck_assert_uint_eq(pmem_cached_lands(), 0);
}
END_TEST

/*
 * When the host refuses to drop the pages of a killed process, its land
 * is out of reach but dirty: it goes back to the host, never to a new
 * process.
 */
START_TEST(test_dirty_land_not_reused)
{
	struct pmem *p;
	uintptr_t start;

	pmem_cache_drain();
	ck_assert_int_eq(pmem_create(&p, LAND), 0);
	start = pmem_userland_start(p);
	fill_land(p);
	host_fail_after(HOST_UNMAP, 1);
	pmem_retire(p);
	host_fail_reset();
	ck_assert(read_faults(start));
	pmem_destroy(p);
	ck_assert_uint_eq(pmem_cached_lands(), 0);
}
END_TEST

/* The kept lands are bounded: many released at once do not all stay. */
START_TEST(test_cache_bounded)
{
	enum { MANY = 200 };
	static struct pmem *p[MANY];

	pmem_cache_drain();
	for (int i = 0; i < MANY; i++)
		ck_assert_int_eq(pmem_create(&p[i], LAND), 0);
	for (int i = 0; i < MANY; i++)
		pmem_destroy(p[i]);
	ck_assert_uint_gt(pmem_cached_lands(), 0);
	ck_assert_uint_lt(pmem_cached_lands(), MANY);
	pmem_cache_drain();
}
END_TEST

/*
 * A mapping in a hidden land asks the host for nothing (an injected mmap
 * failure is never met), is out of reach until the land is shown, and
 * then reads zero; what user code wrote there is dropped by an unmap made
 * while hidden, so a new mapping in the same place reads zero again.
 */
START_TEST(test_hidden_land_maps_lazily)
{
	struct pmem *p;
	uintptr_t start;
	size_t rss = 1;

	pmem_cache_drain();
	ck_assert_int_eq(pmem_create(&p, LAND), 0);
	start = pmem_userland_start(p);
	ck_assert_int_eq(pmem_set_hidden(p, true), KERR_OK);
	host_fail_after(HOST_MAP, 1);
	ck_assert_int_eq(pmem_create_regular_mapping(p, start, LAND,
						     MEM_THREAD_LOCAL,
						     MAR_U_RW), KERR_OK);
	host_fail_reset();
	ck_assert_uint_eq(pmem_mapping_count(p), 1);
	ck_assert_int_eq(accessible_maps(start, start + LAND, &rss), 0);
	ck_assert_uint_eq(rss, 0);
	ck_assert(read_faults(start));
	ck_assert(read_faults(start + LAND - 1));

	ck_assert_int_eq(pmem_set_hidden(p, false), KERR_OK);
	check_zero(start, LAND);
	memset((void *)start, 0x5a, LAND);
	ck_assert_int_eq(pmem_set_hidden(p, true), KERR_OK);
	ck_assert(read_faults(start));
	ck_assert_int_eq(pmem_unmap(p, start, LAND), KERR_OK);
	ck_assert_int_eq(pmem_create_regular_mapping(p, start, LAND,
						     MEM_NORMAL, MAR_U_RW),
			 KERR_OK);
	ck_assert_int_eq(pmem_set_hidden(p, false), KERR_OK);
	check_zero(start, LAND);
	pmem_destroy(p);
	pmem_cache_drain();
}
END_TEST

/*
 * A mapping made while its land was hidden becomes a host mapping of its
 * own when the land is first shown: hiding the land again merges it back
 * into the reservation no more (the host's mappings over the land stay as
 * many), so each later switch is one protection change a side, not a
 * split and a merge. What user code wrote stays across hiding and showing,
 * out of reach while hidden. Under an emulator the host's mappings are
 * the emulator's, so their count is not checked there.
 */
START_TEST(test_shown_mapping_keeps_its_host_mapping)
{
	const char *emu = test_emulator();
	uintptr_t start, page;
	int shown, hidden;
	struct pmem *p;
	size_t rss;

	pmem_cache_drain();
	ck_assert_int_eq(pmem_create(&p, LAND), 0);
	start = pmem_userland_start(p);
	page = start + PAGE_SIZE;
	ck_assert_int_eq(pmem_set_hidden(p, true), KERR_OK);
	ck_assert_int_eq(pmem_create_regular_mapping(p, page, PAGE_SIZE,
						     MEM_THREAD_LOCAL,
						     MAR_U_RW), KERR_OK);
	for (int round = 0; round < 3; round++) {
		ck_assert_int_eq(pmem_set_hidden(p, false), KERR_OK);
		ck_assert_int_eq(land_maps(start, start + LAND, &shown, &rss),
				 1);
		ck_assert_uint_eq(*(volatile unsigned char *)page,
				  round ? 0x5a : 0);
		*(volatile unsigned char *)page = 0x5a;
		ck_assert_int_eq(pmem_set_hidden(p, true), KERR_OK);
		ck_assert_int_eq(land_maps(start, start + LAND, &hidden, &rss),
				 0);
		ck_assert(read_faults(page));
		if (emu)
			continue;
		/* before the land, the page, after it */
		ck_assert_int_eq(shown, 3);
		ck_assert_int_eq(hidden, shown);
	}
	if (emu)
		printf("test_shown_mapping_keeps_its_host_mapping: the host's "
		       "mappings not counted under %s\n", emu);
	pmem_destroy(p);
	pmem_cache_drain();
}
END_TEST

/*
 * A process that never ran (its land hidden from the start) is retired
 * and destroyed without a host call: an injected failure to drop pages is
 * never met, so its land is not dirty, and it comes back clean.
 */
START_TEST(test_never_shown_land_retires_free)
{
	struct pmem *p, *q;
	uintptr_t start;

	pmem_cache_drain();
	ck_assert_int_eq(pmem_create(&p, LAND), 0);
	start = pmem_userland_start(p);
	ck_assert_int_eq(pmem_set_hidden(p, true), KERR_OK);
	ck_assert_int_eq(pmem_create_regular_mapping(p, start + PAGE_SIZE,
						     PAGE_SIZE,
						     MEM_THREAD_LOCAL,
						     MAR_U_RW), KERR_OK);
	host_fail_after(HOST_UNMAP, 1);
	pmem_retire(p);
	host_fail_reset();
	pmem_destroy(p);
	ck_assert_uint_eq(pmem_cached_lands(), 1);
	ck_assert_int_eq(pmem_create(&q, LAND), 0);
	check_clean(q, start);
	pmem_destroy(q);
	pmem_cache_drain();
}
END_TEST

static Suite *reuse_suite(void)
{
	Suite *s = suite_create("pmem_reuse");
	TCase *tc = tcase_create("reuse");

	/* the pku-vm leg runs it in an emulated machine */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_retired_land_reused_clean);
	tcase_add_test(tc, test_live_land_reused_clean);
	tcase_add_test(tc, test_reuse_only_same_size);
	tcase_add_test(tc, test_dirty_land_not_reused);
	tcase_add_test(tc, test_cache_bounded);
	tcase_add_test(tc, test_hidden_land_maps_lazily);
	tcase_add_test(tc, test_never_shown_land_retires_free);
	tcase_add_test(tc, test_shown_mapping_keeps_its_host_mapping);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(reuse_suite());
}
