/*
 * check_threadtab.c - the kernel model's table of thread records, small
 * and large: slots numbered in order, every record handed out zeroed, the
 * last one given back handed out first, and the walks seeing exactly the
 * records in use, on either side of the switch from malloc'd chunks to
 * chunks carved out of slabs (THREADTAB_SMALL); and the slabs themselves
 * (host_slab): aligned to their size, zeroed, writable.
 */
#include <config.h>

#include <stdint.h>
#include <string.h>

#include "testutil.h"
#include "hostmem.h"
#include "kernel/threadtab.h"
#include "kernel/thread.h"

/* Past the small chunks by three slabs and a part: 64 chunks. */
#define MANY (64u * THREADTAB_CHUNK + 5u)

static struct thread_table tt;
static struct thread *rec[MANY];
static struct kernel *const IN_USE = (struct kernel *)&tt;

/* Whether t is all zero but its slot. */
static bool zeroed(const struct thread *t)
{
	struct thread z;

	memset(&z, 0, sizeof(z));
	z.slot = t->slot;
	return memcmp(&z, t, sizeof(z)) == 0;
}

/* Hand out n records into rec[], each marked in use. */
static void fill(size_t n)
{
	for (size_t i = 0; i < n; i++) {
		rec[i] = threadtab_alloc(&tt);
		require(rec[i] != NULL);
		require(zeroed(rec[i]));
		rec[i]->kernel = IN_USE;
		rec[i]->tid = (unsigned)i;
	}
}

static void count(void *arg, struct thread *t)
{
	require(t->kernel == IN_USE);
	(*(size_t *)arg)++;
}

START_TEST(test_slots_in_order)
{
	ck_assert_int_eq(threadtab_init(&tt), 0);
	fill(MANY);
	for (size_t i = 0; i < MANY; i++) {
		require(rec[i]->slot == i);
		require(rec[i]->tid == i);
		require(((uintptr_t)rec[i] & (_Alignof(struct thread) - 1)) == 0);
	}
	ck_assert_uint_eq(tt.in_use, MANY);
	threadtab_fini(&tt, NULL, NULL);
}
END_TEST

/* The first record past the small chunks starts a slab: aligned to it. */
START_TEST(test_slab_aligned)
{
	const size_t first = THREADTAB_SMALL * THREADTAB_CHUNK;

	ck_assert_int_eq(threadtab_init(&tt), 0);
	fill(first + 1);
	ck_assert_uint_eq((uintptr_t)rec[first] % THREADTAB_SLAB_BYTES, 0);
	threadtab_fini(&tt, NULL, NULL);
}
END_TEST

/* Given back, last in first out, zeroed again, in small and slab chunks. */
START_TEST(test_reuse_last_first)
{
	const size_t small = 100, big = MANY - 100;

	ck_assert_int_eq(threadtab_init(&tt), 0);
	fill(MANY);
	threadtab_free(&tt, rec[small]);
	threadtab_free(&tt, rec[big]);
	ck_assert_ptr_eq(threadtab_alloc(&tt), rec[big]);
	require(zeroed(rec[big]));
	require(rec[big]->slot == big);
	ck_assert_ptr_eq(threadtab_alloc(&tt), rec[small]);
	require(zeroed(rec[small]));
	/* a new one once none is given back: the next slot */
	ck_assert_uint_eq(threadtab_alloc(&tt)->slot, MANY);
	threadtab_fini(&tt, NULL, NULL);
}
END_TEST

/* The walks see the records in use, and only them. */
START_TEST(test_walks_see_in_use)
{
	size_t seen = 0, freed = 0;

	ck_assert_int_eq(threadtab_init(&tt), 0);
	fill(MANY);
	for (size_t i = 0; i < MANY; i += 3, freed++)
		threadtab_free(&tt, rec[i]);
	threadtab_for_each(&tt, count, &seen);
	ck_assert_uint_eq(seen, MANY - freed);
	ck_assert_uint_eq(tt.in_use, MANY - freed);
	seen = 0;
	threadtab_fini(&tt, count, &seen);
	ck_assert_uint_eq(seen, MANY - freed);
}
END_TEST

START_TEST(test_host_slab)
{
	const size_t bytes = THREADTAB_SLAB_BYTES;
	unsigned char *s = host_slab(bytes);
	size_t nonzero = 0;

	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq((uintptr_t)s % bytes, 0);
	for (size_t i = 0; i < bytes; i++)
		nonzero += s[i] != 0;
	ck_assert_uint_eq(nonzero, 0);
	memset(s, 0xa5, bytes);
	ck_assert_uint_eq(s[bytes - 1], 0xa5);
	host_slab_free(s, bytes);
	host_slab_free(NULL, bytes);	/* nothing */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("threadtab");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_slots_in_order);
	tcase_add_test(tc, test_slab_aligned);
	tcase_add_test(tc, test_reuse_last_first);
	tcase_add_test(tc, test_walks_see_in_use);
	tcase_add_test(tc, test_host_slab);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
