/*
 * sched.h - the scheduler of a simulated CPU: context switches (which load
 * the TLS register), the round-robin run loop, running a job as a thread,
 * the system calls of user programs, and the user side's accesses.
 *
 * Kernel-model calls that can panic release their locks first and then
 * re-raise the panic, so a panic_call around them sees the original message
 * and a consistent kernel.
 */
#ifndef TLSSIM_SCHED_H
#define TLSSIM_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel.h"
#include "machine.h"
#include "thread.h"

/*
 * Context switch the CPU to t: switch the address space to t's process
 * (the previous process's land goes PROT_NONE), on t's first schedule zero
 * its TLS and set ptr_self, then load the TLS register. Switching to the
 * current thread does nothing. KERR_INVALID_STATE if t is dead;
 * KERR_HOST_REFUSED when the host refuses the address-space switch.
 */
enum kernel_error sched_switch_to(struct kernel *k, struct thread *t);

/* The thread the calling CPU runs, or NULL. */
static inline struct thread *current_thread(struct kernel *k)
{
	return this_cpu(k)->current;
}

/*
 * Internal to the kernel model (smp.c): one CPU's scheduler loop when the
 * kernel drives several; returns its faults, or -ENOMEM.
 */
int sched_cpu_loop(struct kernel *k);

/*
 * Private to the kernel model (sched.c and its neighbours runas.c,
 * syscall.c, ufault.c):
 * sched_launch gives t a host stack and its first frame if it has none
 * (0, or -ENOMEM when the host refused a stack); sched_reap gives back the
 * stacks of threads that died on this CPU; sched_pick_next is the next
 * ready program thread after `after` in creation order, or NULL;
 * user_fault_kill ends the running thread after a fault of its user
 * code, tracing why.
 */
int sched_launch(struct kernel *k, struct thread *t);
void sched_reap(struct kernel *k);
struct thread *sched_pick_next(struct kernel *k, struct thread *after);
void user_fault_kill(struct kernel *k);

#endif
