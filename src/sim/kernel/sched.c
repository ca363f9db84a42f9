/*
 * sched.c - the scheduler of the simulated CPU: context switches (which load
 * the TLS register), the round-robin run loop, system calls of user
 * programs, and faults of user code.
 */
#include <config.h>

#include "process.h"
#include "sched.h"

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
	if (pc->current == t)
		return KERR_OK;
	/* the address space first: the kernel writes the TLS through it */
	err = process_switch_space(k, t->proc);
	if (err)
		return err;
	if (!t->scheduled_once)
		first_schedule(k, t);
	cpu_load_tls(&pc->cpu, t->tls);
	pc->current = t;
	k->switches++;
	if (k->retired)
		process_sweep_retired(k);
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
	struct thread *t = after ? after->next_in_kernel : k->threads;

	for (int lap = 0; lap < 2; lap++) {
		for (; t; t = t->next_in_kernel)
			if (t->state == THREAD_READY && t->program)
				return t;
		t = k->threads;
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

	pc->faulted = true;
	if (!t)
		return;
	describe_fault(k, pc);
	kernel_emit(k, &(struct trace_event){ .kind = EV_FAULT,
					      .proc = t->proc, .thread = t,
					      .detail = pc->fault_detail });
	/*
	 * The fault jumped off t's stack for good, so its context there is
	 * stale even if t survives (its manager may panic on the exit): the
	 * stack goes back now, and t's next run starts on a fresh one.
	 */
	stack_put(&k->stacks, t->stack);
	t->stack = NULL;
	thread_exit(k, t);
}

int kernel_run(struct kernel *k)
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

int kernel_run_as(struct kernel *k, struct thread *t,
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
	pc->faulted = false;
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
	/* the job is over: its stack goes back until the next one */
	stack_put(&k->stacks, t->stack);
	t->stack = NULL;
	if (err == KERR_HOST_REFUSED)
		return -2;
	if (err)
		return -1;
	return 0;
}

void sys_yield(struct kernel *k)
{
	struct thread *prev = current_thread(k);
	struct thread *next = pick_next(k, prev);

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
 * fault kills the thread like any other.
 */
void user_access_flat(struct kernel *k, uintptr_t addr, void *buf, size_t len,
		      bool store)
{
	cpu_user_flat(&this_cpu(k)->cpu, addr, buf, len, store);
}
