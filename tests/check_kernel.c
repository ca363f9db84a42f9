/*
 * check_kernel.c - the kernel model on every register backend this host
 * runs: threads reach their own TLS through the register, first schedule
 * wipes it, a context switch loads it, and --no-tls-restore breaks that.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "backends.h"
#include "programs/demo/demo.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/thread.h"

static struct kernel k;
static struct process *proc;

/* Bring up a kernel on backend b (one this host runs) with a process P. */
static void up(enum arch_backend b, bool no_restore)
{
	ck_assert_int_eq(kernel_init(&k, b, no_restore), 0);
	ck_assert_int_eq(process_create(&k, "P", 64 * PAGE_SIZE, NULL, &proc), 0);
}

/* Slots of p's manager in use, through the kernel front. */
static size_t tls_used(const struct process *p)
{
	struct tlsm_stats st;

	process_tls_stats(p, &st);
	return st.used;
}

static struct thread *spawn(const char *name, user_program prog, void *arg)
{
	struct thread *t = NULL;

	ck_assert_int_eq(thread_create(&k, proc, name, prog, arg, &t), KERR_OK);
	return t;
}

/* Jobs run as a thread by kernel_run_as. */
struct io {
	size_t off;
	char buf[TLS_IPC_SIZE];
	size_t len;
};

static void job_write(struct kernel *kk, struct thread *t, void *arg)
{
	struct io *io = arg;

	(void)t;
	user_write(kk, io->off, io->buf, io->len);
}

static void job_read(struct kernel *kk, struct thread *t, void *arg)
{
	struct io *io = arg;

	(void)t;
	user_read(kk, io->off, io->buf, io->len);
}

static void write_as(struct thread *t, size_t off, const char *s)
{
	struct io io = { off, { 0 }, strlen(s) };

	memcpy(io.buf, s, io.len);
	ck_assert_int_eq(kernel_run_as(&k, t, job_write, &io), 0);
}

static void read_as(struct thread *t, size_t off, void *buf, size_t len)
{
	struct io io = { off, { 0 }, len };

	ck_assert_int_eq(kernel_run_as(&k, t, job_read, &io), 0);
	memcpy(buf, io.buf, len);
}

/* Many threads, many yields: every check through the register holds. */
START_TEST(test_many_threads_many_yields)
{
	struct demo_result res[12];

	up(BACKEND(_i), false);
	memset(res, 0, sizeof(res));
	for (int i = 0; i < 12; i++) {
		char name[16];

		snprintf(name, sizeof(name), "T%d", i);
		snprintf(res[i].message, sizeof(res[i].message), "message of %s", name);
		res[i].yields = 200;
		spawn(name, i % 4 == 3 ? prog_context : prog_ipc_check, &res[i]);
		res[i].own_tls = k.programs_tail->tls;
	}
	ck_assert_int_eq(kernel_run(&k), 0);
	for (int i = 0; i < 12; i++) {
		ck_assert_uint_eq(res[i].checks, 200);
		ck_assert_uint_eq(res[i].failures, 0);
		ck_assert_uint_eq(res[i].first_self, res[i].own_tls);
		ck_assert_uint_eq(res[i].last_self, res[i].own_tls);
	}
	ck_assert_uint_ge(k.switches, 12 * 200);
	kernel_fini(&k);
}
END_TEST

/* The negative: without the register load the same program fails. */
START_TEST(test_no_tls_restore_breaks_checks)
{
	struct demo_result res[3];
	unsigned failures = 0, wrong_self = 0;

	up(BACKEND(_i), true);
	memset(res, 0, sizeof(res));
	for (int i = 0; i < 3; i++) {
		snprintf(res[i].message, sizeof(res[i].message), "thread %d", i);
		res[i].yields = 5;
		spawn(res[i].message, prog_ipc_check, &res[i]);
		res[i].own_tls = k.programs_tail->tls;
	}
	ck_assert_int_eq(kernel_run(&k), 0);
	for (int i = 0; i < 3; i++) {
		failures += res[i].failures;
		wrong_self += res[i].first_self != res[i].own_tls;
	}
	/* the first thread still got its own region; the others did not */
	ck_assert_uint_eq(res[0].first_self, res[0].own_tls);
	ck_assert_uint_eq(wrong_self, 2);
	ck_assert_uint_gt(failures, 0);
	/* a thread on another's region fails every check, even when what it
	 * reads there is its own message (the last writer's) */
	for (int i = 1; i < 3; i++) {
		ck_assert_uint_eq(res[i].checks, 5);
		ck_assert_uint_eq(res[i].failures, res[i].checks);
	}
	kernel_fini(&k);
}
END_TEST

START_TEST(test_register_equals_kernel_tls_after_switch)
{
	struct thread *a, *b;

	up(BACKEND(_i), false);
	a = spawn("A", NULL, NULL);
	b = spawn("B", NULL, NULL);
	for (int round = 0; round < 3; round++) {
		ck_assert_int_eq(sched_switch_to(&k, a), KERR_OK);
		ck_assert_uint_eq(cpu_read_tls_register(&this_cpu(&k)->cpu), a->tls);
		ck_assert_int_eq(sched_switch_to(&k, b), KERR_OK);
		ck_assert_uint_eq(cpu_read_tls_register(&this_cpu(&k)->cpu), b->tls);
	}
	kernel_fini(&k);
}
END_TEST

/*
 * On a fresh kernel on backend be (the register load on or off), switch
 * to a thread A, then to B; the CPU's state as kernel_cpu_state tells it,
 * in *cur and *reg, and A's and B's TLS.
 */
static void switch_a_then_b(enum arch_backend be, bool no_restore,
			    const struct thread **cur, uintptr_t *reg,
			    uintptr_t *a_tls, uintptr_t *b_tls)
{
	struct thread *a, *b;

	up(be, no_restore);
	kernel_cpu_state(&k, 0, cur, reg);
	ck_assert_ptr_null(*cur);
	a = spawn("A", NULL, NULL);
	b = spawn("B", NULL, NULL);
	ck_assert_int_eq(sched_switch_to(&k, a), KERR_OK);
	ck_assert_int_eq(sched_switch_to(&k, b), KERR_OK);
	kernel_cpu_state(&k, 0, cur, reg);
	ck_assert_ptr_eq(*cur, b);
	*a_tls = a->tls;
	*b_tls = b->tls;
	kernel_fini(&k);
}

/*
 * kernel_cpu_state tells what a reporter draws: the running thread and the
 * register; without the register load, the register stays on the first
 * thread while the second runs (stale).
 */
START_TEST(test_cpu_state_names_current_and_register)
{
	const struct thread *cur;
	uintptr_t reg, a_tls, b_tls;

	switch_a_then_b(BACKEND(_i), false, &cur, &reg, &a_tls, &b_tls);
	ck_assert_uint_eq(reg, b_tls);
	switch_a_then_b(BACKEND(_i), true, &cur, &reg, &a_tls, &b_tls);
	ck_assert_uint_ne(reg, b_tls);
	ck_assert_uint_eq(reg, a_tls);
}
END_TEST

START_TEST(test_first_schedule_zeroes_and_sets_self)
{
	struct thread *a, *b;
	uintptr_t self;
	char buf[8];

	up(BACKEND(_i), false);
	a = spawn("A", NULL, NULL);
	write_as(a, TLS_OFF_IPC, "secret!");
	write_as(a, TLS_OFF_CONTEXT, sizeof(void *) == 8 ? "ctx_ptr" : "ctx");
	ck_assert_int_eq(thread_exit(&k, a), KERR_OK);
	b = spawn("B", NULL, NULL);
	ck_assert_uint_eq(b->tls_offset, a->tls_offset);	/* slot reused */
	/* before its first schedule the dead owner's bytes are still there */
	ck_assert_mem_eq((char *)b->tls + TLS_OFF_IPC, "secret!", 7);
	read_as(b, TLS_OFF_IPC, buf, 7);
	ck_assert_mem_eq(buf, "\0\0\0\0\0\0\0", 7);
	read_as(b, TLS_OFF_CONTEXT, buf, sizeof(void *));
	ck_assert_mem_eq(buf, "\0\0\0\0\0\0\0\0", sizeof(void *));
	read_as(b, TLS_OFF_SELF, &self, sizeof(self));
	ck_assert_uint_eq(self, b->tls);
	kernel_fini(&k);
}
END_TEST

/*
 * Two threads write their IPC buffers, then A reads its own back. With the
 * register restored each sees its own; without it, B wrote into A's region
 * and B's own region still holds nothing.
 */
static void ipc_pair(int backend, bool no_restore)
{
	struct thread *a, *b;
	char buf[16] = { 0 };

	up((enum arch_backend)backend, no_restore);
	a = spawn("A", NULL, NULL);
	b = spawn("B", NULL, NULL);
	write_as(a, TLS_OFF_IPC, "from A");
	write_as(b, TLS_OFF_IPC, "from B");
	read_as(a, TLS_OFF_IPC, buf, 6);
	ck_assert_str_eq(buf, no_restore ? "from B" : "from A");
	ck_assert_mem_eq((char *)b->tls + TLS_OFF_IPC,
			 no_restore ? "\0\0\0\0\0\0" : "from B", 6);
	ck_assert_uint_eq(b->tls - a->tls, TLS_SIZE);
	kernel_fini(&k);
}

START_TEST(test_ipc_buffers_stay_apart)
{
	ipc_pair(BACKEND(_i), false);
}
END_TEST

START_TEST(test_ipc_buffers_collide_without_restore)
{
	ipc_pair(BACKEND(_i), true);
}
END_TEST

static void job_read_far(struct kernel *kk, struct thread *t, void *arg)
{
	char c;

	(void)t;
	(void)arg;
	/* slot 7 of the page + 0x200 is the next (unmapped) page */
	user_read(kk, 7 * TLS_SIZE + TLS_SIZE, &c, 1);
}

START_TEST(test_fault_kills_thread)
{
	struct thread *t[8];
	enum arch_backend b = BACKEND(_i);

	up(BACKEND(_i), false);
	for (int i = 0; i < 8; i++) {
		char name[16];

		snprintf(name, sizeof(name), "T%d", i);
		t[i] = spawn(name, NULL, NULL);
	}
	/* T0's register base + 0x1000 is past the TLS page: unmapped, and on
	 * i386 also past the segment limit. */
	ck_assert_int_eq(kernel_run_as(&k, t[0], job_read_far, NULL), 1);
	ck_assert_int_eq(t[0]->state, THREAD_DEAD);
	ck_assert_uint_eq(tls_used(proc), 7);
	/* qemu-i386 ignores segment limits: there the next page faults */
	if (b == ARCH_I386_GDT && !getenv("TLSSIM_EMULATOR"))
		ck_assert_ptr_nonnull(strstr(kernel_last_fault(&k), "segment"));
	else
		ck_assert_ptr_nonnull(strstr(kernel_last_fault(&k), "page fault"));
	/* the others still work */
	write_as(t[1], TLS_OFF_IPC, "alive");
	kernel_fini(&k);
}
END_TEST

START_TEST(test_spawn_failure_creates_nothing)
{
	struct thread *t = NULL;
	unsigned tid;

	up(BACKEND(_i), false);
	for (int i = 0; i < 8 * 64; i++) {
		char name[16];

		snprintf(name, sizeof(name), "T%d", i);
		spawn(name, NULL, NULL);
	}
	tid = k.next_tid;
	ck_assert_int_eq(thread_create(&k, proc, "late", NULL, NULL, &t),
			 KERR_VIRTUAL_MEMORY_EXHAUSTION);
	ck_assert_ptr_null(t);
	ck_assert_uint_eq(k.next_tid, tid);
	ck_assert_uint_eq(tls_used(proc), 8 * 64);
	kernel_fini(&k);
}
END_TEST

START_TEST(test_kill_process)
{
	struct thread *a, *t = NULL;
	struct process *q;

	up(BACKEND(_i), false);
	a = spawn("A", NULL, NULL);
	ck_assert_int_eq(sched_switch_to(&k, a), KERR_OK);
	ck_assert_int_eq(process_kill(&k, proc), KERR_OK);
	ck_assert_int_eq(a->state, THREAD_DEAD);
	/* the register still points into the dead land: it stays reserved */
	ck_assert_ptr_nonnull(proc->pm);
	ck_assert_ptr_eq(k.retired, proc);
	ck_assert_ptr_null(kernel_process_at(&k, proc->userland_start));
	ck_assert_int_eq(process_kill(&k, proc), KERR_PROCESS_KILLED);
	ck_assert_int_eq(thread_create(&k, proc, "B", NULL, NULL, &t),
			 KERR_PROCESS_KILLED);
	ck_assert_int_eq(sched_switch_to(&k, a), KERR_INVALID_STATE);
	/* once the register moves elsewhere, the range goes back */
	ck_assert_int_eq(process_create(&k, "Q", 4 * PAGE_SIZE, NULL, &q), 0);
	ck_assert_int_eq(thread_create(&k, q, "Q1", NULL, NULL, &t), KERR_OK);
	ck_assert_int_eq(sched_switch_to(&k, t), KERR_OK);
	ck_assert_ptr_null(k.retired);
	ck_assert_ptr_null(proc->pm);
	kernel_fini(&k);
}
END_TEST

START_TEST(test_demo_runs_and_fails_without_restore)
{
	struct demo_options o = { 4, 10, 2, true, BACKEND(_i), false, 1 };
	FILE *devnull = fopen("/dev/null", "w");

	ck_assert_ptr_nonnull(devnull);
	ck_assert_int_eq(demo_run(&o, devnull), 0);
	o.no_tls_restore = true;
	ck_assert_int_eq(demo_run(&o, devnull), 1);
	fclose(devnull);
}
END_TEST

/*
 * The address lookup names live processes only: after p dies, an address
 * in its old range belongs to whoever holds it now (q, when the host gave
 * q the same range), never to p.
 */
START_TEST(test_process_at_skips_dead)
{
	struct process *p, *q;
	uintptr_t old;

	ck_assert_int_eq(kernel_init(&k, ARCH_MOCK, false), 0);
	ck_assert_int_eq(process_create(&k, "p", 4 * PAGE_SIZE, NULL, &p), 0);
	old = p->userland_start;
	ck_assert_ptr_eq(kernel_process_at(&k, old + PAGE_SIZE), p);
	ck_assert_ptr_null(kernel_process_at(&k, old + 4 * PAGE_SIZE));
	ck_assert_int_eq(process_kill(&k, p), KERR_OK);
	ck_assert_ptr_null(kernel_process_at(&k, old));
	ck_assert_int_eq(process_create(&k, "q", 4 * PAGE_SIZE, NULL, &q), 0);
	ck_assert_ptr_eq(kernel_process_at(&k, q->userland_start + 0x3000), q);
	ck_assert_ptr_ne(kernel_process_at(&k, old), p);
	kernel_fini(&k);
}
END_TEST

/* Collects the processes kernel_for_each_process names. */
struct seen {
	const struct process *p[4];
	size_t n;
};

static void see(void *arg, const struct process *p)
{
	struct seen *s = arg;

	ck_assert_uint_lt(s->n, 4);
	s->p[s->n++] = p;
}

/*
 * Every process the kernel made, in creation order, killed ones too (for
 * pictures that say a process was killed); nothing on a fresh kernel.
 */
START_TEST(test_for_each_process)
{
	struct process *a, *b, *c;
	struct seen s = { { NULL }, 0 };

	ck_assert_int_eq(kernel_init(&k, ARCH_MOCK, false), 0);
	kernel_for_each_process(&k, see, &s);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_int_eq(process_create(&k, "a", 4 * PAGE_SIZE, NULL, &a), 0);
	ck_assert_int_eq(process_create(&k, "b", 4 * PAGE_SIZE, NULL, &b), 0);
	ck_assert_int_eq(process_kill(&k, a), KERR_OK);
	ck_assert_int_eq(process_create(&k, "c", 4 * PAGE_SIZE, NULL, &c), 0);
	kernel_for_each_process(&k, see, &s);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_ptr_eq(s.p[0], a);
	ck_assert(s.p[0]->dead);
	ck_assert_ptr_eq(s.p[1], b);
	ck_assert_ptr_eq(s.p[2], c);
	ck_assert(!s.p[2]->dead);
	kernel_fini(&k);
}
END_TEST

/* The host's own choices: a backend of this architecture must be here. */
START_TEST(test_host_backends_available)
{
	ck_assert(arch_backend_available(ARCH_MOCK));
	ck_assert_msg(arch_backend_available(backend_native()),
		      "this build's own backend %s does not run",
		      arch_backend_name(backend_native()));
	ck_assert_int_ne(backend_native(), ARCH_MOCK);
	/* A build carries its mock and one architecture's backends. */
	for (int b = ARCH_MOCK + 1; b < ARCH_BACKEND_COUNT; b++)
		if (arch_backend_in_build((enum arch_backend)b))
			ck_assert_msg(arch_backend_available((enum arch_backend)b) ||
				      arch_backend_refusal((enum arch_backend)b),
				      "%s is carried but neither runs nor says why",
				      arch_backend_name((enum arch_backend)b));
	ck_assert_int_ne(arch_backend_resolve(ARCH_AUTO), ARCH_AUTO);
}
END_TEST

/* ---- thread records: released ones come back ---- */

static void job_exit_self(struct kernel *kk, struct thread *t, void *arg)
{
	(void)arg;
	thread_release(kk, t);		/* alive: the record stays till death */
	ck_assert_int_eq(thread_exit(kk, t), KERR_OK);
}

/* A dead, released record is the next spawn's; a live released one goes
 * at its death, even when it dies on its own stack. */
START_TEST(test_release_recycles_records)
{
	struct thread *a, *b, *c, *d;
	uintptr_t b_tls;

	up(ARCH_MOCK, false);
	a = spawn("A", NULL, NULL);
	b = spawn("B", NULL, NULL);
	c = spawn("C", NULL, NULL);
	ck_assert_uint_eq(k.threads.in_use, 3);
	b_tls = b->tls;
	ck_assert_int_eq(thread_exit(&k, b), KERR_OK);
	ck_assert_uint_eq(k.threads.in_use, 3);	/* held: kept for reports */
	thread_release(&k, b);
	ck_assert_uint_eq(k.threads.in_use, 2);
	d = spawn("a-name-of-a-block", NULL, NULL);
	ck_assert_ptr_eq(d, b);			/* the same record, reused */
	ck_assert_str_eq(thread_name(d), "a-name-of-a-block");
	ck_assert(d->name_block);
	ck_assert_uint_eq(d->tls, b_tls);	/* and the seed's same slot */
	ck_assert_int_eq(d->state, THREAD_READY);
	ck_assert(!d->released);
	thread_release(&k, a);
	ck_assert_uint_eq(k.threads.in_use, 3);
	ck_assert_int_eq(thread_exit(&k, a), KERR_OK);
	ck_assert_uint_eq(k.threads.in_use, 2);
	ck_assert_int_eq(kernel_run_as(&k, c, job_exit_self, NULL), 0);
	ck_assert_uint_eq(k.threads.in_use, 1);
	ck_assert_uint_eq(k.stacks.in_use, 0);
	kernel_fini(&k);
}
END_TEST

/* A name of up to 15 bytes lives in the record, a longer one in a block
 * of its own; both read back whole, and a record reused takes either. */
START_TEST(test_thread_names_inline_or_block)
{
	struct thread *a, *b, *c;

	up(ARCH_MOCK, false);
	a = spawn("fifteen-bytes-1", NULL, NULL);
	b = spawn("sixteen-bytes-12", NULL, NULL);
	ck_assert(!a->name_block);
	ck_assert(b->name_block);
	ck_assert_str_eq(thread_name(a), "fifteen-bytes-1");
	ck_assert_str_eq(thread_name(b), "sixteen-bytes-12");
	ck_assert_int_eq(thread_exit(&k, b), KERR_OK);
	thread_release(&k, b);
	c = spawn("t5499999", NULL, NULL);
	ck_assert_ptr_eq(c, b);			/* b's record, its block gone */
	ck_assert(!c->name_block);
	ck_assert_str_eq(thread_name(c), "t5499999");
	kernel_fini(&k);
}
END_TEST

/* 10^4 spawn/exit/release pairs over 100 live threads: one chunk of
 * records, 100 in use, the process's live list intact. */
START_TEST(test_release_loop_stays_small)
{
	struct thread *t[100];
	char name[16];
	size_t live = 0;

	up(ARCH_MOCK, false);
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "T%d", i);
		t[i] = spawn(name, NULL, NULL);
	}
	for (int j = 0; j < 10000; j++) {
		int i = (j * 37) % 100;

		ck_assert_int_eq(thread_exit(&k, t[i]), KERR_OK);
		thread_release(&k, t[i]);
		snprintf(name, sizeof(name), "U%d", j);
		t[i] = spawn(name, NULL, NULL);
	}
	ck_assert_uint_eq(k.threads.nchunks, 1);
	ck_assert_uint_eq(k.threads.in_use, 100);
	for (const struct thread *u = thread_list_first(&k.threads,
							&proc->threads);
	     u; u = thread_list_next(&k.threads, u))
		live++;
	ck_assert_uint_eq(live, 100);
	ck_assert_uint_eq(tls_used(proc), 100);
	kernel_fini(&k);
}
END_TEST

/*
 * The kernel model's suite: processes, threads, switches, faults and
 * isolation, on every backend this host runs.
 */
static Suite *kernel_suite(void)
{
	Suite *s = suite_create("kernel");
	TCase *tc = tcase_create("per-backend");
	int lo = 0, hi = backends.n;

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_many_threads_many_yields, lo, hi);
	tcase_add_loop_test(tc, test_no_tls_restore_breaks_checks, lo, hi);
	tcase_add_loop_test(tc, test_register_equals_kernel_tls_after_switch, lo, hi);
	tcase_add_loop_test(tc, test_cpu_state_names_current_and_register, lo, hi);
	tcase_add_loop_test(tc, test_first_schedule_zeroes_and_sets_self, lo, hi);
	tcase_add_loop_test(tc, test_ipc_buffers_stay_apart, lo, hi);
	tcase_add_loop_test(tc, test_ipc_buffers_collide_without_restore, lo, hi);
	tcase_add_loop_test(tc, test_fault_kills_thread, lo, hi);
	tcase_add_loop_test(tc, test_spawn_failure_creates_nothing, lo, hi);
	tcase_add_loop_test(tc, test_kill_process, lo, hi);
	tcase_add_loop_test(tc, test_demo_runs_and_fails_without_restore, lo, hi);
	tcase_add_test(tc, test_host_backends_available);
	tcase_add_test(tc, test_process_at_skips_dead);
	tcase_add_test(tc, test_for_each_process);
	tcase_add_test(tc, test_release_recycles_records);
	tcase_add_test(tc, test_thread_names_inline_or_block);
	tcase_add_test(tc, test_release_loop_stays_small);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	backends_select("check_kernel");
	return run_suite(kernel_suite());
}
