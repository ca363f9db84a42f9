/*
 * runas.c - a scenario's command run as one of its threads (a job on the
 * thread's stack, through its TLS register), and a switch to it; with
 * several CPUs, on the thread's own CPU while the caller waits.
 */
#include <config.h>

#include "process.h"
#include "sched.h"
#include "smp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	if (sched_launch(k, t) < 0)
		return -2;
	err = sched_switch_to(k, t);
	if (err)
		goto out_put_stack;
	pc->cpu.fault_env = &env;
	if (sigsetjmp(env, 0) != 0) {
		pc->cpu.fault_env = NULL;
		user_fault_kill(k);
		sched_reap(k);
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
	sched_reap(k);
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
 * CPUs run nothing, hold no other process's address space, and their
 * current thread is forgotten, so t's CPU switches (and traces the switch)
 * exactly when one CPU would. A CPU whose space is t's own keeps it until
 * the job is over (focus_end): t's CPU takes the land over while it is
 * shown, where a hide and a show would cost the host two mprotects and
 * leave it as it was. Returns t's CPU, or -1 when the host refused the
 * change of address space.
 */
static int focus_cpu(struct kernel *k, const struct thread *t)
{
	unsigned cpu = t->tid % k->ncpus;

	for (unsigned i = 0; i < k->ncpus; i++) {
		if (i == cpu)
			continue;
		if (k->cpus[i].space != t->proc &&
		    process_leave_space(k, &k->cpus[i]) != KERR_OK)
			return -1;
		k->cpus[i].current = NULL;
	}
	return (int)cpu;
}

/*
 * After a job on CPU cpu: the other CPUs let go of the space they kept
 * (focus_cpu), so between commands only the last job's CPU holds one.
 * Returns 0, or -1 when the host refused to hide a land.
 */
static int focus_end(struct kernel *k, int cpu)
{
	for (unsigned i = 0; i < k->ncpus; i++)
		if (i != (unsigned)cpu &&
		    process_leave_space(k, &k->cpus[i]) != KERR_OK)
			return -1;
	return 0;
}

/*
 * Run c on its thread's CPU, focused there (focus_cpu, focus_end); a
 * panic there goes on in the caller's thread. Returns 0, or -1 when the
 * host refused a change of address space (c did not run, or ran).
 */
static int run_focused(struct kernel *k, struct run_as_call *c)
{
	int cpu = focus_cpu(k, c->t), err;

	if (cpu < 0)
		return -1;
	smp_run_on(k, (unsigned)cpu, run_as_work, c);
	err = focus_end(k, cpu);
	if (c->panicked)
		panic("%s", c->message);
	return err;
}

int kernel_run_as(struct kernel *k, struct thread *t,
		  void (*job)(struct kernel *, struct thread *, void *),
		  void *arg)
{
	struct run_as_call c = { .k = k, .t = t, .job = job, .arg = arg };

	if (k->ncpus == 1)
		return run_as_here(k, t, job, arg);
	if (run_focused(k, &c) < 0)
		return -2;
	return c.result;
}

enum kernel_error kernel_switch_to(struct kernel *k, struct thread *t)
{
	struct run_as_call c = { .k = k, .t = t };

	if (k->ncpus == 1 || t->state == THREAD_DEAD)
		return sched_switch_to(k, t);
	if (run_focused(k, &c) < 0)
		return KERR_HOST_REFUSED;
	return (enum kernel_error)c.result;
}
