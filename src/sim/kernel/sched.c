/*
 * sched.c - the scheduler of the simulated CPU: context switches (which load
 * the TLS register), the round-robin run loop, system calls of user
 * programs, and faults of user code.
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
static int launch(struct kernel *k, struct thread *t)
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
static void reap(struct kernel *k)
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
	    !(m.rights & MAR_WRITABLE))
		panic("page fault in kernel mode: TLS 0x%lx of thread %s is not mapped writable",
		      (unsigned long)t->tls, t->name);
	tls = (struct tls *)t->tls;
	memset(tls, 0, sizeof(*tls));
	tls->ptr_self = tls;
	t->scheduled_once = true;
	kernel_emit(k, &(struct trace_event){ .kind = EV_FIRST_SCHEDULE,
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
		pc->reg_shadow = cpu_read_tls_register(&pc->cpu);
		__atomic_fetch_add(&k->switches, 1, __ATOMIC_RELAXED);
	} else {
		k->switches++;
	}
	if (k->retired) {
		kernel_lock(k);
		process_sweep_retired(k);
		kernel_unlock(k);
	}
	if (k->trace)
		kernel_emit(k, &(struct trace_event){
			.kind = EV_SWITCH, .proc = t->proc, .thread = t,
			.offset = t->tls_offset,
			.reg = cpu_read_tls_register(&pc->cpu) });
	return KERR_OK;
}

/* The next ready program thread after `after` in creation order, wrapping
 * around; `after` itself last. NULL when there is none. */
static struct thread *pick_next(struct kernel *k, struct thread *after)
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
 * Why an access of p's thread at addr, in the user land of owner, faulted:
 * another process's land is out of reach while p runs (isolation); in its
 * own land, the page is not mapped or its rights forbid the access.
 */
static const char *fault_reason(const struct process *p,
				const struct process *owner, uintptr_t addr,
				bool store)
{
	struct mapping m;

	if (owner != p)
		return "another process's user land";
	if (!process_mapping_at(owner, process_offset(owner, addr), &m))
		return "not mapped";
	if (store && !(m.rights & MAR_WRITABLE))
		return "write to a read-only page";
	if (!store && !(m.rights & MAR_READABLE))
		return "read of a page that is not readable";
	return "access denied";
}

/* Describe the fault pc recorded, for traces and reports. */
static void describe_fault(struct kernel *k, struct percpu *pc)
{
	uintptr_t addr = pc->cpu.fault_addr;
	const struct process *owner = kernel_process_at(k, addr);
	const struct thread *t = pc->current;

	if (pc->cpu.fault_outside)	/* caught before the host saw it */
		owner = NULL;
	if (owner && t)
		snprintf(pc->fault_detail, sizeof(pc->fault_detail),
			 "page fault at %s+0x%llx: %s", owner->name,
			 (unsigned long long)process_offset(owner, addr),
			 fault_reason(t->proc, owner, addr,
				      pc->cpu.user_store));
	else if (pc->cpu.backend == ARCH_I386_GDT && addr == 0)
		snprintf(pc->fault_detail, sizeof(pc->fault_detail),
			 "segment-limit fault (general protection) past fs:0x1ff");
	else
		snprintf(pc->fault_detail, sizeof(pc->fault_detail),
			 "page fault outside every user land");
}

/* A user fault landed: the running thread dies and the fault is traced. */
static void fault_kill_current(struct kernel *k)
{
	struct percpu *pc = this_cpu(k);
	struct thread *t = pc->current;

	if (!t)
		return;
	describe_fault(k, pc);
	__atomic_store_n(&k->last_fault, pc->fault_detail, __ATOMIC_RELEASE);
	kernel_emit(k, &(struct trace_event){ .kind = EV_FAULT,
					      .proc = t->proc, .thread = t,
					      .detail = pc->fault_detail });
	/*
	 * The fault jumped off t's stack for good, so its context there is
	 * stale even if t survives (its manager may panic on the exit): the
	 * stack goes back now, and t's next run starts on a fresh one.
	 */
	kernel_lock(k);
	stack_put(&k->stacks, t->stack);
	t->stack = NULL;
	kernel_unlock(k);
	thread_exit(k, t);
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
	reap(k);
}

int sched_cpu_loop(struct kernel *k)
{
	struct percpu *pc = this_cpu(k);
	sigjmp_buf env;
	volatile int faults = 0;
	struct thread *t;

	pc->cpu.fault_env = &env;
	if (sigsetjmp(env, 0) != 0) {
		fault_kill_current(k);
		faults++;
	}
	for (;;) {
		pthread_mutex_lock(&k->lock);
		finish_prev(k, pc);
		while ((t = pick_smp(k)) == NULL && any_program_alive(k))
			pthread_cond_wait(&k->sched_cond, &k->lock);
		if (t && launch(k, t) < 0) {
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
		fault_kill_current(k);
		faults++;
	}
	while ((t = pick_next(k, pc->current)) != NULL) {
		reap(k);
		if (launch(k, t) < 0) {
			faults = -ENOMEM;
			break;
		}
		sched_switch_to(k, t);
		context_switch(&pc->idle, &t->ctx);
	}
	reap(k);
	pc->cpu.fault_env = NULL;
	return faults;
}

/* kernel_run_as on the calling thread's CPU. */
static int run_as_here(struct kernel *k, struct thread *t,
		       void (*job)(struct kernel *, struct thread *, void *),
		       void *arg)
{
	struct percpu *pc = this_cpu(k);
	sigjmp_buf env;
	enum kernel_error err;

	if (t->state == THREAD_DEAD)
		return -1;
	if (launch(k, t) < 0)
		return -2;
	err = sched_switch_to(k, t);
	if (err)
		goto out_put_stack;
	pc->cpu.fault_env = &env;
	if (sigsetjmp(env, 0) != 0) {
		pc->cpu.fault_env = NULL;
		fault_kill_current(k);
		reap(k);
		return 1;
	}
	t->job = job;
	t->job_arg = arg;
	context_switch(&pc->idle, &t->ctx);
	pc->cpu.fault_env = NULL;
out_put_stack:
	/* the job is over: its stack goes back until the next one (and if
	 * the job ended t, the record of a released t with it) */
	stack_put(&k->stacks, t->stack);
	t->stack = NULL;
	reap(k);
	if (err == KERR_HOST_REFUSED)
		return -2;
	if (err)
		return -1;
	return 0;
}

/* A job handed to another CPU's host thread, and its result. */
struct run_as_call {
	struct kernel *k;
	struct thread *t;
	void (*job)(struct kernel *, struct thread *, void *);
	void *arg;
	int result;
	bool panicked;		/* the kernel panicked on t's CPU ... */
	char message[PANIC_MESSAGE_MAX];	/* ... with this */
};

static void run_as_call_fn(void *arg)
{
	struct run_as_call *c = arg;

	if (c->job)
		c->result = run_as_here(c->k, c->t, c->job, c->arg);
	else
		c->result = sched_switch_to(c->k, c->t);
}

/*
 * On t's CPU: a panic there is caught in that host thread (the caller's
 * catch is in another one) and raised again in the caller's.
 */
static void run_as_work(struct kernel *k, void *arg)
{
	struct run_as_call *c = arg;
	struct panic_catch catch;

	(void)k;
	if (panic_call(&catch, run_as_call_fn, c)) {
		c->panicked = true;
		memcpy(c->message, catch.message, sizeof(c->message));
	}
}

/*
 * With several CPUs, thread t's jobs run on CPU (tid mod CPUs) while the
 * caller waits: one at a time, so a scenario gives the results of one CPU
 * (its register lives in its CPU's host thread). Before that, the other
 * CPUs run nothing, hold no address space, and their current thread is
 * forgotten, so t's CPU switches (and traces the switch) exactly when one
 * CPU would. Returns t's CPU, or -1 when the host refused the change of
 * address space.
 */
static int focus_cpu(struct kernel *k, const struct thread *t)
{
	unsigned cpu = t->tid % k->ncpus;

	for (unsigned i = 0; i < k->ncpus; i++) {
		if (i == cpu)
			continue;
		if (process_leave_space(k, &k->cpus[i]) != KERR_OK)
			return -1;
		k->cpus[i].current = NULL;
	}
	return (int)cpu;
}

/* Run c on t's CPU; a panic there goes on in the caller's thread. */
static void run_on_focus(struct kernel *k, struct run_as_call *c, int cpu)
{
	smp_run_on(k, (unsigned)cpu, run_as_work, c);
	if (c->panicked)
		panic("%s", c->message);
}

const char *kernel_last_fault(struct kernel *k)
{
	const char *d = __atomic_load_n(&k->last_fault, __ATOMIC_ACQUIRE);

	return d ? d : "";
}

int kernel_run_as(struct kernel *k, struct thread *t,
		  void (*job)(struct kernel *, struct thread *, void *),
		  void *arg)
{
	struct run_as_call c = { .k = k, .t = t, .job = job, .arg = arg };
	int cpu;

	if (k->ncpus == 1)
		return run_as_here(k, t, job, arg);
	cpu = focus_cpu(k, t);
	if (cpu < 0)
		return -2;
	run_on_focus(k, &c, cpu);
	return c.result;
}

enum kernel_error kernel_switch_to(struct kernel *k, struct thread *t)
{
	struct run_as_call c = { .k = k, .t = t };
	int cpu;

	if (k->ncpus == 1 || t->state == THREAD_DEAD)
		return sched_switch_to(k, t);
	cpu = focus_cpu(k, t);
	if (cpu < 0)
		return KERR_HOST_REFUSED;
	run_on_focus(k, &c, cpu);
	return (enum kernel_error)c.result;
}

void sys_yield(struct kernel *k)
{
	struct thread *prev = current_thread(k);
	struct thread *next;

	if (k->ncpus > 1) {
		/* back to this CPU's loop; resumed by whichever CPU picks it */
		context_switch(&prev->ctx, &this_cpu(k)->idle);
		return;
	}
	next = pick_next(k, prev);

	if (!next || next == prev)
		return;
	/* no stack for next: prev goes on; kernel_run reports the refusal */
	if (launch(k, next) < 0)
		return;
	sched_switch_to(k, next);
	context_switch(&prev->ctx, &next->ctx);
}

void sys_exit(struct kernel *k)
{
	struct thread *self = current_thread(k);
	struct thread *next;

	thread_exit(k, self);
	if (k->ncpus > 1) {
		context_switch(&self->ctx, &this_cpu(k)->idle);
		panic("sys_exit: a dead thread was resumed");
	}
	next = pick_next(k, self);
	if (next && launch(k, next) == 0) {
		sched_switch_to(k, next);
		context_switch(&self->ctx, &next->ctx);
	} else {
		context_switch(&self->ctx, &this_cpu(k)->idle);
	}
	panic("sys_exit: a dead thread was resumed");
}

void user_read(struct kernel *k, size_t off, void *buf, size_t len)
{
	struct percpu *pc = this_cpu(k);

	cpu_user_read(&pc->cpu, off, buf, len);
	if (k->trace && pc->current)
		kernel_emit(k, &(struct trace_event){
			.kind = EV_USER_READ, .proc = pc->current->proc,
			.thread = pc->current, .offset = off, .length = len });
}

void user_write(struct kernel *k, size_t off, const void *buf, size_t len)
{
	struct percpu *pc = this_cpu(k);

	cpu_user_write(&pc->cpu, off, buf, len);
	if (k->trace && pc->current)
		kernel_emit(k, &(struct trace_event){
			.kind = EV_USER_WRITE, .proc = pc->current->proc,
			.thread = pc->current, .offset = off, .length = len });
}

/*
 * A plain load or store by the running thread at a flat address (peek and
 * poke). It does not go through the TLS register, but it is user code: a
 * fault kills the thread like any other. An access that does not lie
 * inside one process's user land faults before the host sees it.
 */
void user_access_flat(struct kernel *k, uintptr_t addr, void *buf, size_t len,
		      bool store)
{
	struct cpu *cpu = &this_cpu(k)->cpu;
	const struct process *owner = kernel_process_at(k, addr);

	if (!owner) {
		cpu_user_fault_outside(cpu, addr, len, store);
		return;
	}
	if (len && !process_holds(owner, addr + (len - 1))) {
		cpu_user_fault_outside(cpu, owner->userland_start +
					    owner->userland_size, len, store);
		return;
	}
	cpu_user_flat(cpu, addr, buf, len, store);
}
