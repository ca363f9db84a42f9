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
#include "kerror.h"
#include "machine.h"

/*
 * Names up to this long (with the NUL) live in the record itself, in the
 * room of the pointer a longer one needs: a churn's "t1234567" costs no
 * block of its own (a million of them were 32 MB of heap).
 */
#define THREAD_NAME_INLINE 16

/*
 * A thread's record. The first cache line holds what a spawn and an exit
 * touch; the second what running code and reports use. Records sit in
 * the kernel's table (threadtab.h), aligned to lines: among 10^5 threads
 * an exit then costs one cache miss, not three.
 */
struct thread {
	/* line 0: spawn and exit */
	struct kernel *kernel;		/* NULL: the record is not in use */
	struct process *proc;
	uintptr_t tls;		/* host address of its region; 0 once dead */
	uint64_t tls_offset;	/* kept after death, for reports */
	void *stack;		/* a pooled host stack while it runs user
				 * code (stack.h), else NULL */
	user_program program;	/* NULL: a scenario thread, runs jobs */
	unsigned tid;
	uint32_t slot;			/* in k->threads (threadtab.h) */
	enum thread_state state;
	bool scheduled_once;	/* the first schedule has zeroed the TLS */
	bool on_cpu;		/* several CPUs: one of them runs it */
	bool released;		/* its creator holds it no more */
	bool name_block;	/* name has a block of its own */
	/* line 1: running and reports */
	struct context ctx;	/* valid while stack is set */
	struct thread *next_zombie;	/* dead, stack not yet given back */
	void *program_arg;
	/* A job the scenario runner hands to the thread (see kernel_run_as). */
	void (*job)(struct kernel *k, struct thread *t, void *arg);
	void *job_arg;
	struct thread *next_in_kernel;	/* next on k->programs */
	union {
		char *block;		/* name_block: a block of its own */
		char text[THREAD_NAME_INLINE];	/* else: the name */
	} name;				/* read it with thread_name() */
} __attribute__((aligned(64)));

/*
 * Internal to the kernel model: t dies, its region freed already or going
 * with its process: marked dead, EV_THREAD_EXIT told, then its record goes
 * back if it was released.
 */
void thread_end(struct kernel *k, struct thread *t);

/*
 * Internal to the kernel model: t's record goes back if it is dead,
 * released and has no stack any more (called where each of those ends).
 * Under the kernel's lock.
 */
void thread_reclaim(struct kernel *k, struct thread *t);

/*
 * Internal to the kernel model (and to tests that build threads by hand):
 * give t its name, in the record when it fits; false when the host has no
 * memory for it. thread_free_name frees a name that has its own block.
 */
bool thread_set_name(struct thread *t, const char *name);
void thread_free_name(struct thread *t);

/*
 * Internal to the kernel model: t is dead, holds no TLS, and no CPU runs
 * it (its region is freed, or goes with its process). Its stack, if any,
 * waits on this CPU's zombie list until the scheduler is back on the
 * kernel's own stack (t may be running on it right now).
 */
void thread_mark_dead(struct kernel *k, struct thread *t);

/*
 * Internal to the kernel model: link a live thread t into its process's
 * live list (and the round robin, if it runs a program).
 */
void thread_attach(struct kernel *k, struct thread *t);

#endif
