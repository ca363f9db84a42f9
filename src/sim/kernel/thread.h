/*
 * thread.h - threads of the kernel model.
 *
 * A thread owns its TLS address and, while it runs user code, a host stack
 * and a saved context; it runs a user program on that stack, cooperatively
 * (sched.h). Creating a thread allocates its TLS (and nothing on the host);
 * its first schedule zeroes the region and sets ptr_self; its death frees
 * the region and gives its stack back.
 */
#ifndef TLSSIM_THREAD_H
#define TLSSIM_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel.h"
#include "machine.h"

/* What a simulated thread runs. It must end with sys_exit (or loop). */
typedef void (*user_program)(struct kernel *k, struct thread *t, void *arg);

enum thread_state {
	THREAD_READY,		/* created or runnable */
	THREAD_DEAD,		/* exited, killed or faulted; TLS freed */
};

struct thread {
	struct kernel *kernel;
	unsigned tid;
	char *name;		/* in the same allocation, after the record */
	struct process *proc;
	uintptr_t tls;		/* host address of its region; 0 once dead */
	uint64_t tls_offset;	/* kept after death, for reports */
	enum thread_state state;
	bool scheduled_once;	/* the first schedule has zeroed the TLS */
	bool on_cpu;		/* several CPUs: one of them runs it */
	struct context ctx;	/* valid while stack is set */
	void *stack;		/* a pooled host stack while it runs user
				 * code (stack.h), else NULL */
	struct thread *next_zombie;	/* dead, stack not yet given back */
	/* p's live threads, in creation order (process.h) */
	struct thread *live_prev, *live_next;
	user_program program;	/* NULL: a scenario thread, runs jobs */
	void *program_arg;
	/* A job the scenario runner hands to the thread (see kernel_run_as). */
	void (*job)(struct kernel *k, struct thread *t, void *arg);
	void *job_arg;
	struct thread *next_in_kernel;
};

/*
 * New thread in p running program(arg). Allocates its TLS; on failure the
 * thread is not created and the KernelError is returned (KERR_PROCESS_KILLED
 * for a dead p, KERR_HOST_REFUSED when the host has no memory for the
 * thread's record).
 */
enum kernel_error thread_create(struct kernel *k, struct process *p,
				const char *name, user_program program,
				void *arg, struct thread **out);

/* t dies: its TLS is freed. KERR_INVALID_STATE if already dead. */
enum kernel_error thread_exit(struct kernel *k, struct thread *t);

/*
 * Internal to the kernel model: t is dead, holds no TLS, and no CPU runs
 * it (its region is freed, or goes with its process). Its stack, if any,
 * waits on this CPU's zombie list until the scheduler is back on the
 * kernel's own stack (t may be running on it right now).
 */
void thread_mark_dead(struct kernel *k, struct thread *t);

/*
 * Internal to the kernel model (and to tests that build threads by hand):
 * link a live thread t into the kernel's list and its process's live list.
 */
void thread_attach(struct kernel *k, struct thread *t);

/* fn(arg, t) for every live thread of p, in creation order. */
void process_for_each_thread(const struct kernel *k, const struct process *p,
			     void (*fn)(void *arg, const struct thread *t),
			     void *arg);

#endif
