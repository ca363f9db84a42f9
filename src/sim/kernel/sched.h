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
 * Run every ready thread round robin until none is left ready. A thread's
 * fault kills it and is traced; the others go on. Returns the number of
 * threads that faulted, or -ENOMEM when the host refused a thread its
 * stack (the run stops there).
 */
int kernel_run(struct kernel *k);

/*
 * Switch to t and run job(k, t, arg) as t, on t's stack, then come back
 * (with several CPUs, on CPU tid mod CPUs, the caller waiting). Returns 0,
 * or 1 when the job faulted (then t is dead and kernel_last_fault says
 * why), -1 when t is dead, -2 when the host
 * refused t a stack or the switch of address space (nothing ran). t holds a host stack only during the
 * job.
 */
int kernel_run_as(struct kernel *k, struct thread *t,
		  void (*job)(struct kernel *, struct thread *, void *),
		  void *arg);

/*
 * sched_switch_to on t's CPU (see kernel_run_as), for a scenario's
 * `switch`. Returns as sched_switch_to.
 */
enum kernel_error kernel_switch_to(struct kernel *k, struct thread *t);

/*
 * Internal to the kernel model (smp.c): one CPU's scheduler loop when the
 * kernel drives several; returns its faults, or -ENOMEM.
 */
int sched_cpu_loop(struct kernel *k);

/*
 * What the last fault of user code was, on whichever CPU ("page fault at
 * P+0x10: not mapped"), or "" before any.
 */
const char *kernel_last_fault(struct kernel *k);

/* Syscalls for user programs: give up the CPU; die. */
void sys_yield(struct kernel *k);
void sys_exit(struct kernel *k) __attribute__((noreturn));

/*
 * How far past the register's base user code may name a byte (tls+OFF:
 * OFF below a page). Every access is checked against the land the
 * register points into; as a second defence each land has PROT_NONE guard
 * pages at least this large on both sides (pmem.c).
 */
#define USER_REACH_MAX ((size_t)0x1000)

/*
 * User side: reach the running thread's TLS through the register. An
 * access that leaves the user land the register points into is a
 * simulated fault (outside every user land) before the host sees it.
 */
void user_read(struct kernel *k, size_t off, void *buf, size_t len);
void user_write(struct kernel *k, size_t off, const void *buf, size_t len);

/*
 * User side, flat: the running thread loads (store false) or stores len
 * bytes at a host address, outside the register path (peek, poke). A fault
 * lands like any user fault; so does a range that is not inside one
 * process's user land, before the host sees it. Not traced: the caller
 * knows which process the address belongs to and traces it as an offset.
 */
void user_access_flat(struct kernel *k, uintptr_t addr, void *buf, size_t len,
		      bool store);

#endif
