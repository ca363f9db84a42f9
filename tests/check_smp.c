/*
 * check_smp.c - several CPUs at once, on every register backend this host
 * runs: N CPUs (host threads) run user programs of several processes that
 * write their own TLS, yield, check it through the register, spawn
 * children and exit, all at random (a fixed-seed generator per thread),
 * bounded in count. Checked while it runs: no region is ever handed to two
 * live threads, and every thread always sees its own region and data.
 * Checked at the end: every manager's slots in use are the live threads of
 * the operation log, and the log balances (spawns - exits = live).
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "backends.h"
#include "kernel/hostcall.h"
#include "kernel/pmem.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "kernel/thread.h"
#include "random.h"

#define CPUS		4
#define PROCS		3
#define FIRST_THREADS	12	/* per process */
#define ROUNDS		40	/* checks per thread */
#define MAX_SPAWNS	600	/* children, in all */
#define MAX_LIVE	4096

static struct kernel k;
static struct process *procs[PROCS];

/* The operation log and the set of live regions, under log_lock. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static uintptr_t live[MAX_LIVE];
static size_t nlive;
static unsigned spawns, exits, double_holds, wrong_sees, spawn_errors;

/* Record a new live region; under log_lock. */
static void log_spawn_locked(uintptr_t tls)
{
	for (size_t i = 0; i < nlive; i++)
		if (live[i] == tls)
			double_holds++;
	if (nlive < MAX_LIVE)
		live[nlive++] = tls;
	spawns++;
}

static void log_exit(uintptr_t tls)
{
	pthread_mutex_lock(&log_lock);
	for (size_t i = 0; i < nlive; i++)
		if (live[i] == tls) {
			live[i] = live[--nlive];
			break;
		}
	exits++;
	pthread_mutex_unlock(&log_lock);
}

static void worker(struct kernel *kk, struct thread *t, void *arg);

/*
 * Spawn a child of t's process from user code, logged under log_lock
 * held across the spawn: the child may run, and exit, on another CPU at
 * once, and its exit must be logged after its spawn.
 */
static void spawn_child(struct kernel *kk, struct thread *t, uint64_t *rng)
{
	struct thread *child;
	char name[32];

	pthread_mutex_lock(&log_lock);
	if (spawns >= MAX_SPAWNS)
		goto out;
	snprintf(name, sizeof(name), "c%u.%u", t->tid, (unsigned)*rng & 0xffff);
	if (thread_create(kk, t->proc, name, worker,
			  (void *)(uintptr_t)xorshift64s(rng), &child))
		spawn_errors++;
	else
		log_spawn_locked(child->tls);
out:
	pthread_mutex_unlock(&log_lock);
}

/* Write a pattern of its own, yield, and check it, ROUNDS times. */
static void worker(struct kernel *kk, struct thread *t, void *arg)
{
	uint64_t rng = (uint64_t)(uintptr_t)arg | 1;
	uintptr_t own = t->tls, self;
	char mine[32], seen[32];

	for (unsigned r = 0; r < ROUNDS; r++) {
		snprintf(mine, sizeof(mine), "%s/%u", thread_name(t), r);
		user_write(kk, TLS_OFF_IPC, mine, sizeof(mine));
		sys_yield(kk);
		user_read(kk, TLS_OFF_IPC, seen, sizeof(seen));
		user_read(kk, TLS_OFF_SELF, &self, sizeof(self));
		if (memcmp(mine, seen, sizeof(mine)) != 0 || self != own ||
		    current_thread(kk) != t) {
			pthread_mutex_lock(&log_lock);
			wrong_sees++;
			pthread_mutex_unlock(&log_lock);
		}
		switch (xorshift64s(&rng) % 8) {
		case 0:
			spawn_child(kk, t, &rng);
			break;
		case 1:
			if (r > 2) {
				log_exit(own);
				sys_exit(kk);
			}
			break;
		}
	}
	log_exit(own);
}

/* Slots in use over all pages of p, through the kernel front. */
static void add_used(void *arg, const struct tlsm_page *page)
{
	*(size_t *)arg += (size_t)__builtin_popcount(page->used);
}

START_TEST(test_cpus_share_the_kernel)
{
	enum arch_backend b = BACKEND(_i);
	size_t used = 0, held = 0;
	int faults;

	nlive = spawns = exits = double_holds = wrong_sees = spawn_errors = 0;
	ck_assert_int_eq(kernel_init(&k, b, false), 0);
	ck_assert_int_eq(kernel_set_cpus(&k, CPUS), 0);
	ck_assert_uint_eq(k.ncpus, CPUS);
	for (int p = 0; p < PROCS; p++) {
		char name[16];

		snprintf(name, sizeof(name), "P%d", p);
		ck_assert_int_eq(process_create(&k, name, 1024 * PAGE_SIZE,
						NULL, &procs[p]), 0);
		for (int i = 0; i < FIRST_THREADS; i++) {
			struct thread *t;

			snprintf(name, sizeof(name), "t%d", i);
			ck_assert_int_eq(thread_create(&k, procs[p], name,
						       worker,
						       (void *)(uintptr_t)(p * 100 + i + 1),
						       &t), KERR_OK);
			pthread_mutex_lock(&log_lock);
			log_spawn_locked(t->tls);
			pthread_mutex_unlock(&log_lock);
		}
	}
	faults = kernel_run(&k);
	printf("%s, %d CPUs: %u spawns, %u exits, %llu switches, %d faults\n",
	       arch_backend_name(b), CPUS, spawns, exits,
	       (unsigned long long)k.switches, faults);
	ck_assert_int_eq(faults, 0);
	ck_assert_uint_eq(double_holds, 0);
	ck_assert_uint_eq(wrong_sees, 0);
	ck_assert_uint_eq(spawn_errors, 0);
	ck_assert_uint_gt(spawns, PROCS * FIRST_THREADS);
	/* every program ended: the log balances and no slot is held */
	ck_assert_uint_eq(spawns - exits, nlive);
	for (int p = 0; p < PROCS; p++) {
		struct tlsm_stats st;

		process_tls_stats(procs[p], &st);
		held += st.used;
		process_for_each_tls_page(procs[p], add_used, &used);
	}
	ck_assert_uint_eq(held, nlive);
	ck_assert_uint_eq(used, nlive);
	ck_assert_uint_eq(nlive, 0);
	kernel_fini(&k);
}
END_TEST

/* Scenario-style jobs on several CPUs give what one CPU gives. */
static void job_write_read(struct kernel *kk, struct thread *t, void *arg)
{
	char seen[16];

	(void)t;
	user_write(kk, TLS_OFF_IPC, arg, 16);
	user_read(kk, TLS_OFF_IPC, seen, 16);
	ck_assert_mem_eq(seen, arg, 16);
}

START_TEST(test_jobs_run_on_their_cpu)
{
	struct thread *t[6];
	char msg[16] = "per-cpu message";

	ck_assert_int_eq(kernel_init(&k, BACKEND(_i), false), 0);
	ck_assert_int_eq(kernel_set_cpus(&k, 3), 0);
	ck_assert_int_eq(kernel_set_cpus(&k, 3), -EINVAL);
	ck_assert_int_eq(process_create(&k, "A", 16 * PAGE_SIZE, NULL,
					&procs[0]), 0);
	for (int i = 0; i < 6; i++) {
		char name[16];

		snprintf(name, sizeof(name), "t%d", i);
		ck_assert_int_eq(thread_create(&k, procs[0], name, NULL, NULL,
					       &t[i]), KERR_OK);
	}
	for (int i = 0; i < 6; i++) {
		unsigned cpu = t[i]->tid % 3;

		ck_assert_int_eq(kernel_run_as(&k, t[i], job_write_read, msg), 0);
		/* the register of t's CPU holds t's region */
		ck_assert_ptr_eq(k.cpus[cpu].current, t[i]);
		ck_assert_uint_eq(k.cpus[cpu].reg_shadow, t[i]->tls);
	}
	kernel_fini(&k);
}
END_TEST

/* That CPU cpu alone holds a space, p's, and p's land is shown. */
static void assert_only_cpu_holds(unsigned cpu, struct process *p)
{
	for (unsigned i = 0; i < k.ncpus; i++)
		ck_assert_ptr_eq(k.cpus[i].space, i == cpu ? p : NULL);
	ck_assert_uint_eq(p->cpus_in, 1);
	ck_assert(!pmem_hidden(p->pm));
}

/*
 * Jobs of one process on two CPUs hand its land from CPU to CPU without
 * hiding it and showing it again: an mprotect that fails on purpose (on
 * the caller's host thread, which ends the other CPU's hold) is never
 * called. A job of another process hides the first land and shows its
 * own. Between jobs only the last job's CPU holds a space.
 */
START_TEST(test_focus_keeps_a_shown_land)
{
	struct process *a, *b;
	struct thread *a0, *a1, *b0;
	char msg[16] = "handed over";
	unsigned ca0, ca1;

	ck_assert_int_eq(kernel_init(&k, BACKEND(_i), false), 0);
	ck_assert_int_eq(kernel_set_cpus(&k, 2), 0);
	ck_assert_int_eq(process_create(&k, "A", 16 * PAGE_SIZE, NULL, &a), 0);
	ck_assert_int_eq(process_create(&k, "B", 16 * PAGE_SIZE, NULL, &b), 0);
	ck_assert_int_eq(thread_create(&k, a, "a0", NULL, NULL, &a0), KERR_OK);
	ck_assert_int_eq(thread_create(&k, a, "a1", NULL, NULL, &a1), KERR_OK);
	ck_assert_int_eq(thread_create(&k, b, "b0", NULL, NULL, &b0), KERR_OK);
	ca0 = a0->tid % 2;
	ca1 = a1->tid % 2;
	ck_assert_uint_ne(ca0, ca1);

	ck_assert_int_eq(kernel_run_as(&k, a0, job_write_read, msg), 0);
	assert_only_cpu_holds(ca0, a);
	host_fail_after(HOST_PROTECT, 1);
	ck_assert_int_eq(kernel_run_as(&k, a1, job_write_read, msg), 0);
	ck_assert_int_eq(kernel_switch_to(&k, a0), KERR_OK);
	ck_assert_int_eq(kernel_run_as(&k, a1, job_write_read, msg), 0);
	host_fail_reset();
	assert_only_cpu_holds(ca1, a);

	ck_assert_int_eq(kernel_run_as(&k, b0, job_write_read, msg), 0);
	assert_only_cpu_holds(b0->tid % 2, b);
	ck_assert_uint_eq(a->cpus_in, 0);
	ck_assert(pmem_hidden(a->pm));
	kernel_fini(&k);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("smp");
	TCase *tc = tcase_create("several CPUs");

	backends_select("check_smp");
	backends_smp(&backends, "check_smp");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_cpus_share_the_kernel, 0, backends.n);
	tcase_add_loop_test(tc, test_jobs_run_on_their_cpu, 0, backends.n);
	tcase_add_loop_test(tc, test_focus_keeps_a_shown_land, 0, backends.n);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
