/*
 * syscall.c - the system calls of user programs: yield the CPU, exit.
 */
#include <config.h>

#include "process.h"
#include "sched.h"
#include "smp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sys_yield(struct kernel *k)
{
	struct thread *prev = current_thread(k);
	struct thread *next;

	if (k->ncpus > 1) {
		/* back to this CPU's loop; resumed by whichever CPU picks it */
		context_switch(&prev->ctx, &this_cpu(k)->idle);
		return;
	}
	next = sched_pick_next(k, prev);

	if (!next || next == prev)
		return;
	/* no stack for next: prev goes on; kernel_run reports the refusal */
	if (sched_launch(k, next) < 0)
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
	next = sched_pick_next(k, self);
	if (next && sched_launch(k, next) == 0) {
		sched_switch_to(k, next);
		context_switch(&self->ctx, &next->ctx);
	} else {
		context_switch(&self->ctx, &this_cpu(k)->idle);
	}
	panic("sys_exit: a dead thread was resumed");
}
