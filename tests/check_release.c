/*
 * check_release.c - process records go back to the kernel: a released
 * process is freed once it is dead, its range swept and no thread record
 * names it, and never before; a loop of processes created, given a
 * thread, killed and released keeps no record; a kernel that ends takes
 * its live threads and their lands with it, whether or not someone
 * listens.
 */
#include <config.h>

#include <stdio.h>

#include "testutil.h"
#include "kernel/pmem.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/thread.h"

static struct kernel k;

static void count_one(void *arg, const struct process *p)
{
	(void)p;
	(*(size_t *)arg)++;
}

/* Processes in the kernel's list, dead ones included. */
static size_t processes_listed(void)
{
	size_t n = 0;

	kernel_for_each_process(&k, count_one, &n);
	return n;
}

static struct process *make(const char *name)
{
	struct process *p;

	ck_assert_int_eq(process_create(&k, name, 16 * PAGE_SIZE, NULL, &p), 0);
	return p;
}

static struct thread *spawn(struct process *p, const char *name)
{
	struct thread *t = NULL;

	ck_assert_int_eq(thread_create(&k, p, name, NULL, NULL, &t), KERR_OK);
	return t;
}

/* Dead, swept and with its thread released: freed at once. */
START_TEST(test_release_dead_process)
{
	struct process *a, *b;
	struct thread *t;

	ck_assert_int_eq(kernel_init(&k, ARCH_MOCK, false), 0);
	a = make("a");
	b = make("b");
	t = spawn(a, "t");
	ck_assert_int_eq(process_kill(&k, a), KERR_OK);
	thread_release(&k, t);
	ck_assert_uint_eq(processes_listed(), 2);
	process_release(&k, a);
	ck_assert_uint_eq(processes_listed(), 1);
	ck_assert_ptr_eq(k.procs, b);
	ck_assert_ptr_eq(k.procs_tail, b);
	ck_assert_ptr_null(k.released);
	kernel_fini(&k);
}
END_TEST

/*
 * Released while alive, or while a thread record or a register still
 * names it: it stays listed, and goes at the first create or release
 * after the last of those ends.
 */
START_TEST(test_release_waits_for_records_and_register)
{
	struct process *a, *b, *c;
	struct thread *t, *u;

	ck_assert_int_eq(kernel_init(&k, ARCH_MOCK, false), 0);
	a = make("a");
	b = make("b");
	t = spawn(a, "t");
	u = spawn(b, "u");
	process_release(&k, a);			/* alive */
	ck_assert_uint_eq(processes_listed(), 2);
	ck_assert_int_eq(sched_switch_to(&k, t), KERR_OK);
	ck_assert_int_eq(process_kill(&k, a), KERR_OK);
	ck_assert_ptr_nonnull(a->pm);		/* the register points in */
	c = make("c");
	ck_assert_uint_eq(processes_listed(), 3);
	ck_assert_int_eq(sched_switch_to(&k, u), KERR_OK);
	ck_assert_ptr_null(a->pm);		/* swept */
	process_release(&k, c);			/* t's record still names a */
	ck_assert_uint_eq(processes_listed(), 3);
	ck_assert_str_eq(thread_name(t), "t");
	thread_release(&k, t);
	make("d");
	ck_assert_uint_eq(processes_listed(), 3);	/* b, c, d */
	ck_assert_ptr_eq(k.procs, b);
	ck_assert_ptr_eq(k.procs->prev_in_kernel, NULL);
	kernel_fini(&k);
}
END_TEST

/* 10^4 processes through create, spawn, kill, release: none stays. */
START_TEST(test_release_loop_stays_small)
{
	char name[16];

	ck_assert_int_eq(kernel_init(&k, ARCH_MOCK, false), 0);
	for (int i = 0; i < 10000; i++) {
		struct process *p;
		struct thread *t;

		snprintf(name, sizeof(name), "P%d", i);
		p = make(name);
		t = spawn(p, "t");
		ck_assert_int_eq(process_kill(&k, p), KERR_OK);
		thread_release(&k, t);
		process_release(&k, p);
		ck_assert_uint_eq(processes_listed(), 0);
	}
	ck_assert_uint_eq(processes_listed(), 0);
	ck_assert_uint_eq(k.threads.in_use, 0);
	kernel_fini(&k);
}
END_TEST

/* The names of the threads whose deaths were told, in order. */
struct deaths {
	char names[8][8];
	size_t n;
};

static void note_death(void *ctx, const struct trace_event *ev)
{
	struct deaths *d = ctx;

	if (ev->kind != EV_THREAD_EXIT || d->n == 8)
		return;
	snprintf(d->names[d->n++], sizeof(d->names[0]), "%s",
		 thread_name(ev->thread));
}

/*
 * A kernel that ends with live threads: with a listener, each death is
 * told, in creation order per process (an exit earlier left slot order
 * and creation order apart); without one (the walk of the table), none
 * is. Either way both lands go back, to the cache of reservations.
 */
START_TEST(test_fini_ends_live_threads)
{
	for (int listen = 0; listen < 2; listen++) {
		struct deaths d = { .n = 0 };
		struct process *a, *b;
		struct thread *t1;

		pmem_cache_drain();
		ck_assert_int_eq(kernel_init(&k, ARCH_MOCK, false), 0);
		if (listen)
			kernel_set_trace(&k, note_death, &d);
		a = make("a");
		b = make("b");
		t1 = spawn(a, "t1");
		spawn(a, "t2");
		spawn(b, "u1");
		ck_assert_int_eq(thread_exit(&k, t1), KERR_OK);
		thread_release(&k, t1);
		spawn(a, "t3");		/* t1's slot, after t2 */
		d.n = 0;		/* t1's own exit */
		ck_assert_uint_eq(pmem_cached_lands(), 0);
		kernel_fini(&k);
		ck_assert_uint_eq(pmem_cached_lands(), 2);
		pmem_cache_drain();
		if (!listen) {
			ck_assert_uint_eq(d.n, 0);
			continue;
		}
		ck_assert_uint_eq(d.n, 3);
		ck_assert_str_eq(d.names[0], "t2");
		ck_assert_str_eq(d.names[1], "t3");
		ck_assert_str_eq(d.names[2], "u1");
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("release");
	TCase *tc = tcase_create("processes");

	tcase_add_test(tc, test_release_dead_process);
	tcase_add_test(tc, test_release_waits_for_records_and_register);
	tcase_add_test(tc, test_release_loop_stays_small);
	tcase_add_test(tc, test_fini_ends_live_threads);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
