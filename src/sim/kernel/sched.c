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

	if (t->state == THREAD_DEAD)
		return KERR_INVALID_STATE;
	if (pc->current == t)
		return KERR_OK;
	if (!t->scheduled_once)
		first_schedule(k, t);
	cpu_load_tls(&pc->cpu, t->tls);
	pc->current = t;
	k->switches++;
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

/* Describe the fault pc recorded, for traces and reports. */
static void describe_fault(struct kernel *k, struct percpu *pc)
{
	uintptr_t addr = pc->cpu.fault_addr;
	const struct process *p = kernel_process_at(k, addr);

	if (p)
		snprintf(pc->fault_detail, sizeof(pc->fault_detail),
			 "page fault at offset 0x%llx of process %s",
			 (unsigned long long)process_offset(p, addr), p->name);
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
	thread_exit(k, t);
}

unsigned kernel_run(struct kernel *k)
{
	struct percpu *pc = this_cpu(k);
	sigjmp_buf env;
	volatile unsigned faults = 0;
	struct thread *t;

	pc->cpu.fault_env = &env;
	if (sigsetjmp(env, 0) != 0) {
		fault_kill_current(k);
		faults++;
	}
	while ((t = pick_next(k, pc->current)) != NULL) {
		sched_switch_to(k, t);
		context_switch(&pc->idle, &t->ctx);
	}
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

	err = sched_switch_to(k, t);
	if (err)
		return -1;
	pc->faulted = false;
	pc->cpu.fault_env = &env;
	if (sigsetjmp(env, 0) != 0) {
		pc->cpu.fault_env = NULL;
		fault_kill_current(k);
		return 1;
	}
	t->job = job;
	t->job_arg = arg;
	context_switch(&pc->idle, &t->ctx);
	pc->cpu.fault_env = NULL;
	return 0;
}

void sys_yield(struct kernel *k)
{
	struct thread *prev = current_thread(k);
	struct thread *next = pick_next(k, prev);

	if (!next || next == prev)
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
	if (next) {
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
