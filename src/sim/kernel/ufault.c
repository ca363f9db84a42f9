/*
 * ufault.c - faults of user code: a user access that faulted kills the
 * running thread, and the kernel says why in the words of its model
 * (another process's user land, not mapped, read-only, the segment limit).
 */
#include <config.h>

#include "process.h"
#include "sched.h"
#include "smp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	else if (addr == 0 && cpu_limit_fault(&pc->cpu))
		snprintf(pc->fault_detail, sizeof(pc->fault_detail), "%s",
			 cpu_limit_fault(&pc->cpu));
	else
		snprintf(pc->fault_detail, sizeof(pc->fault_detail),
			 "page fault outside every user land");
}

/* A user fault landed: the running thread dies and the fault is traced. */
void user_fault_kill(struct kernel *k)
{
	struct percpu *pc = this_cpu(k);
	struct thread *t = pc->current;

	if (!t)
		return;
	describe_fault(k, pc);
	__atomic_store_n(&k->last_fault, pc->fault_detail, __ATOMIC_RELEASE);
	kernel_event(k, &(struct trace_event){ .kind = EV_FAULT,
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

const char *kernel_last_fault(struct kernel *k)
{
	const char *d = __atomic_load_n(&k->last_fault, __ATOMIC_ACQUIRE);

	return d ? d : "";
}
