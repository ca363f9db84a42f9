/*
 * sched.c - the scheduler of the simulated CPU: context switches (which load
 * the TLS register) and the round-robin run loops, one CPU's and several
 * CPUs'. Its neighbours: runas.c (a scenario's job run as a thread),
 * syscall.c (what user programs call), uaccess.c (user code's accesses)
 * and ufault.c (what a user fault did).
 */
#include <config.h>

#include "process.h"
#include "sched.h"
#include "smp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* First code of every thread, on its own stack. Never returns. */
static void thread_entry(void *arg)
{
	struct thread *t = arg;
	struct kernel *k = t->kernel;

	if (t->program) {
		t->program(k, t, t->program_arg);
		sys_exit(k);
	}
	/* A scenario thread: do the runner's job, then hand back for good. */
	t->job(k, t, t->job_arg);
	context_switch(&t->ctx, &this_cpu(k)->idle);
	panic("thread_entry: a finished job was resumed");
}

/*
 * Give t a host stack and a context that starts at thread_entry, unless it
 * has them. Returns 0, or -ENOMEM when the host refuses the stack.
 */
int sched_launch(struct kernel *k, struct thread *t)
{
	if (t->stack)
		return 0;
	t->stack = stack_get(&k->stacks);
	if (!t->stack)
		return -ENOMEM;
	context_init(&t->ctx, t->stack, THREAD_STACK_USABLE, thread_entry, t);
	return 0;
}

/*
 * Stacks of threads that died on this CPU go back to the pool. Call only
 * on the kernel's own stack: a thread that died in sys_exit was still
 * running on its stack when it was marked dead.
 */
void sched_reap(struct kernel *k)
{
	struct percpu *pc = this_cpu(k);
	struct thread *t;

	while ((t = pc->zombies) != NULL) {
		pc->zombies = t->next_zombie;
		stack_put(&k->stacks, t->stack);
		t->stack = NULL;
		thread_reclaim(k, t);
	}
}

/*
 * The first schedule of a thread: its region may hold a dead thread's
 * data, so the kernel wipes it and writes ptr_self. The kernel writes user
 * memory directly; a region that is not mapped writable any more (a lab
 * unmapped it) is a page fault in kernel mode: a panic.
 */
static void first_schedule(struct kernel *k, struct thread *t)
{
	struct process *p = t->proc;
	struct mapping m;
	struct tls *tls;

	if (!process_mapping_at(p, t->tls_offset, &m) ||
	    !(m.rights & MAR_WRITABLE) || t->tls_offset % TLS_SIZE ||
	    t->tls + TLS_SIZE > m.start + m.length)
		panic("page fault in kernel mode: TLS 0x%lx of thread %s is not mapped writable",
		      (unsigned long)t->tls, thread_name(t));
	tls = (struct tls *)t->tls;
	memset(tls, 0, sizeof(*tls));
	tls->ptr_self = tls;
	t->scheduled_once = true;
	kernel_event(k, &(struct trace_event){ .kind = EV_FIRST_SCHEDULE,
					       .proc = p, .thread = t,
					       .offset = t->tls_offset });
}

enum kernel_error sched_switch_to(struct kernel *k, struct thread *t)
{
	struct percpu *pc = this_cpu(k);
	enum kernel_error err;

	if (t->state == THREAD_DEAD)
		return KERR_INVALID_STATE;
	kernel_lock(k);		/* another CPU may clear a stale current */
	if (pc->current == t) {
		kernel_unlock(k);
		return KERR_OK;
	}
	kernel_unlock(k);
	/* the address space first: the kernel writes the TLS through it */
	err = process_switch_space(k, t->proc);
	if (err)
		return err;
	if (!t->scheduled_once)
		first_schedule(k, t);
	/* user code reaches no further than the land the register is in */
	cpu_load_tls_in(&pc->cpu, t->tls, t->proc->userland_start,
			t->proc->userland_start + t->proc->userland_size);
	kernel_lock(k);
	pc->current = t;
	kernel_unlock(k);
	if (k->ncpus > 1) {
		pc->reg_shadow = cpu_tls_register(&pc->cpu);
		__atomic_fetch_add(&k->switches, 1, __ATOMIC_RELAXED);
	} else {
		k->switches++;
	}
	if (k->retired) {
		kernel_lock(k);
		process_sweep_retired(k);
		kernel_unlock(k);
	}
	if (kernel_traces(k, EV_SWITCH))
		kernel_emit(k, &(struct trace_event){
			.kind = EV_SWITCH, .proc = t->proc, .thread = t,
			.offset = t->tls_offset,
			.reg = k->copy_register ?
			       cpu_tls_register(&pc->cpu) :
			       cpu_read_tls_register(&pc->cpu) });
	return KERR_OK;
}

/* The next ready program thread after `after` in creation order, wrapping
 * around; `after` itself last. NULL when there is none. */
struct thread *sched_pick_next(struct kernel *k, struct thread *after)
{
	struct thread *t = after ? after->next_in_kernel : k->programs;

	for (int lap = 0; lap < 2; lap++) {
		for (; t; t = t->next_in_kernel)
			if (t->state == THREAD_READY)
				return t;
		t = k->programs;
	}
	return NULL;
}

/*
 * Several CPUs: the next ready program thread that no CPU runs, after the
 * last one picked, in creation order, wrapping around; marked on_cpu.
 * NULL when there is none. Under the kernel's lock.
 */
static struct thread *pick_smp(struct kernel *k)
{
	struct thread *start = k->rr ? k->rr->next_in_kernel : NULL, *t;

	for (t = start; t; t = t->next_in_kernel)
		if (t->state == THREAD_READY && !t->on_cpu)
			goto found;
	for (t = k->programs; t && t != start; t = t->next_in_kernel)
		if (t->state == THREAD_READY && !t->on_cpu)
			goto found;
	return NULL;
found:
	k->rr = t;
	t->on_cpu = true;
	return t;
}

/* Whether a program thread is still alive (running or ready). */
static bool any_program_alive(struct kernel *k)
{
	for (struct thread *t = k->programs; t; t = t->next_in_kernel)
		if (t->state == THREAD_READY)
			return true;
	return false;
}

/*
 * The thread that just came back to this CPU's loop (it yielded, exited
 * or faulted) may run elsewhere now; a dead one's stack goes back. Under
 * the kernel's lock, on the CPU's own stack.
 */
static void finish_prev(struct kernel *k, struct percpu *pc)
{
	if (pc->prev) {
		pc->prev->on_cpu = false;
		pc->prev = NULL;
		pthread_cond_broadcast(&k->sched_cond);
	}
	sched_reap(k);
}

int sched_cpu_loop(struct kernel *k)
{
	struct percpu *pc = this_cpu(k);
	sigjmp_buf env;
	volatile int faults = 0;
	struct thread *t;

	pc->cpu.fault_env = &env;
	if (sigsetjmp(env, 0) != 0) {
		user_fault_kill(k);
		faults++;
	}
	for (;;) {
		pthread_mutex_lock(&k->lock);
		finish_prev(k, pc);
		while ((t = pick_smp(k)) == NULL && any_program_alive(k))
			pthread_cond_wait(&k->sched_cond, &k->lock);
		if (t && sched_launch(k, t) < 0) {
			t->on_cpu = false;
			faults = -ENOMEM;
			t = NULL;
		}
		if (!t) {
			pthread_cond_broadcast(&k->sched_cond);
			pthread_mutex_unlock(&k->lock);
			break;
		}
		pthread_mutex_unlock(&k->lock);
		pc->prev = t;
		if (sched_switch_to(k, t) != KERR_OK) {
			/* the host refused the address-space switch */
			faults = -ENOMEM;
			pthread_mutex_lock(&k->lock);
			finish_prev(k, pc);
			pthread_cond_broadcast(&k->sched_cond);
			pthread_mutex_unlock(&k->lock);
			break;
		}
		context_switch(&pc->idle, &t->ctx);
	}
	pc->cpu.fault_env = NULL;
	return faults;
}

int kernel_run(struct kernel *k)
{
	struct percpu *pc = this_cpu(k);
	sigjmp_buf env;
	volatile int faults = 0;
	struct thread *t;

	if (k->ncpus > 1)
		return smp_run_all(k);

	pc->cpu.fault_env = &env;
	if (sigsetjmp(env, 0) != 0) {
		user_fault_kill(k);
		faults++;
	}
	while ((t = sched_pick_next(k, pc->current)) != NULL) {
		sched_reap(k);
		if (sched_launch(k, t) < 0) {
			faults = -ENOMEM;
			break;
		}
		sched_switch_to(k, t);
		context_switch(&pc->idle, &t->ctx);
	}
	sched_reap(k);
	pc->cpu.fault_env = NULL;
	return faults;
}
