/*
 * sched.c - the scheduler of the simulated CPU: context switches (which load
 * the TLS register), the round-robin run loop, system calls of user
 * programs, and faults of user code.
 */
#include <config.h>

#include "process.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void thread_stack_free(struct thread *t);

int kernel_init(struct kernel *k, enum arch_backend backend,
		bool no_tls_restore)
{
	int err;

	memset(k, 0, sizeof(*k));
	err = cpu_init(&k->cpu, backend, no_tls_restore);
	if (err)
		return err;
	err = cpu_fault_guard_install(&k->cpu);
	if (err) {
		cpu_fini(&k->cpu);
		return err;
	}
	return 0;
}

void kernel_fini(struct kernel *k)
{
	struct process *p, *pnext;
	struct thread *t, *tnext;

	for (p = k->procs; p; p = p->next_in_kernel)
		if (!p->dead)
			process_kill(k, p);
	for (t = k->threads; t; t = tnext) {
		tnext = t->next_in_kernel;
		thread_stack_free(t);
		free(t->name);
		free(t);
	}
	for (p = k->procs; p; p = pnext) {
		pnext = p->next_in_kernel;
		pthread_mutex_destroy(&p->lock);
		free(p->name);
		free(p);
	}
	cpu_fini(&k->cpu);
	memset(k, 0, sizeof(*k));
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
	const struct mapping *m;
	struct tls *tls;

	pthread_mutex_lock(&p->lock);
	m = pmem_query(p->pm, t->tls);
	pthread_mutex_unlock(&p->lock);
	if (!m || !(m->rights & MAR_WRITABLE))
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
	if (t->state == THREAD_DEAD)
		return KERR_INVALID_STATE;
	if (k->current == t)
		return KERR_OK;
	if (!t->scheduled_once)
		first_schedule(k, t);
	cpu_load_tls(&k->cpu, t->tls);
	k->current = t;
	k->switches++;
	if (k->trace)
		kernel_emit(k, &(struct trace_event){
			.kind = EV_SWITCH, .proc = t->proc, .thread = t,
			.offset = t->tls_offset,
			.reg = cpu_read_tls_register(&k->cpu) });
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

/* Describe the fault the CPU recorded, for traces and reports. */
static void describe_fault(struct kernel *k)
{
	uintptr_t addr = k->cpu.fault_addr;

	for (struct process *p = k->procs; p; p = p->next_in_kernel) {
		if (p->dead || addr < p->userland_start ||
		    addr - p->userland_start >= p->userland_size)
			continue;
		snprintf(k->fault_detail, sizeof(k->fault_detail),
			 "page fault at offset 0x%llx of process %s",
			 (unsigned long long)(addr - p->userland_start),
			 p->name);
		return;
	}
	if (k->cpu.backend == ARCH_I386_GDT && addr == 0)
		snprintf(k->fault_detail, sizeof(k->fault_detail),
			 "segment-limit fault (general protection) past fs:0x1ff");
	else
		snprintf(k->fault_detail, sizeof(k->fault_detail),
			 "page fault outside every user land");
}

/* A user fault landed: the running thread dies and the fault is traced. */
static void fault_kill_current(struct kernel *k)
{
	struct thread *t = k->current;

	k->faulted = true;
	if (!t)
		return;
	describe_fault(k);
	kernel_emit(k, &(struct trace_event){ .kind = EV_FAULT,
					      .proc = t->proc, .thread = t,
					      .detail = k->fault_detail });
	thread_exit(k, t);
}

unsigned kernel_run(struct kernel *k)
{
	sigjmp_buf env;
	volatile unsigned faults = 0;
	struct thread *t;

	k->cpu.fault_env = &env;
	if (sigsetjmp(env, 0) != 0) {
		fault_kill_current(k);
		faults++;
	}
	while ((t = pick_next(k, k->current)) != NULL) {
		sched_switch_to(k, t);
		context_switch(&k->idle, &t->ctx);
	}
	k->cpu.fault_env = NULL;
	return faults;
}

int kernel_run_as(struct kernel *k, struct thread *t,
		  void (*job)(struct kernel *, struct thread *, void *),
		  void *arg)
{
	sigjmp_buf env;
	enum kernel_error err;

	err = sched_switch_to(k, t);
	if (err)
		return -1;
	k->faulted = false;
	k->cpu.fault_env = &env;
	if (sigsetjmp(env, 0) != 0) {
		k->cpu.fault_env = NULL;
		fault_kill_current(k);
		return 1;
	}
	t->job = job;
	t->job_arg = arg;
	context_switch(&k->idle, &t->ctx);
	k->cpu.fault_env = NULL;
	return 0;
}

void sys_yield(struct kernel *k)
{
	struct thread *prev = k->current;
	struct thread *next = pick_next(k, prev);

	if (!next || next == prev)
		return;
	sched_switch_to(k, next);
	context_switch(&prev->ctx, &next->ctx);
}

void sys_exit(struct kernel *k)
{
	struct thread *self = k->current;
	struct thread *next;

	thread_exit(k, self);
	next = pick_next(k, self);
	if (next) {
		sched_switch_to(k, next);
		context_switch(&self->ctx, &next->ctx);
	} else {
		context_switch(&self->ctx, &k->idle);
	}
	panic("sys_exit: a dead thread was resumed");
}

void user_read(struct kernel *k, size_t off, void *buf, size_t len)
{
	cpu_user_read(&k->cpu, off, buf, len);
	if (k->trace && k->current)
		kernel_emit(k, &(struct trace_event){
			.kind = EV_USER_READ, .proc = k->current->proc,
			.thread = k->current, .offset = off, .length = len });
}

void user_write(struct kernel *k, size_t off, const void *buf, size_t len)
{
	cpu_user_write(&k->cpu, off, buf, len);
	if (k->trace && k->current)
		kernel_emit(k, &(struct trace_event){
			.kind = EV_USER_WRITE, .proc = k->current->proc,
			.thread = k->current, .offset = off, .length = len });
}

/*
 * A plain load or store by the running thread at a flat address (peek and
 * poke). It does not go through the TLS register, but it is user code: a
 * fault kills the thread like any other.
 */
void user_access_flat(struct kernel *k, uintptr_t addr, void *buf, size_t len,
		      bool store)
{
	cpu_user_flat(&k->cpu, addr, buf, len, store);
}
