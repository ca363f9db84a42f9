/*
 * uaccess.c - user code's accesses: through the TLS register (traced as
 * user reads and writes), or at a flat address (peek, poke).
 */
#include <config.h>

#include "process.h"
#include "sched.h"
#include "smp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void user_read(struct kernel *k, size_t off, void *buf, size_t len)
{
	struct percpu *pc = this_cpu(k);

	cpu_user_read(&pc->cpu, off, buf, len);
	if (kernel_traces(k, EV_USER_READ) && pc->current)
		kernel_emit(k, &(struct trace_event){
			.kind = EV_USER_READ, .proc = pc->current->proc,
			.thread = pc->current, .offset = off, .length = len });
}

void user_write(struct kernel *k, size_t off, const void *buf, size_t len)
{
	struct percpu *pc = this_cpu(k);

	cpu_user_write(&pc->cpu, off, buf, len);
	if (kernel_traces(k, EV_USER_WRITE) && pc->current)
		kernel_emit(k, &(struct trace_event){
			.kind = EV_USER_WRITE, .proc = pc->current->proc,
			.thread = pc->current, .offset = off, .length = len });
}

/*
 * A plain load or store by the running thread at a flat address (peek and
 * poke). It does not go through the TLS register, but it is user code: a
 * fault kills the thread like any other. An access that does not lie
 * inside one process's user land faults before the host sees it.
 */
void user_access_flat(struct kernel *k, uintptr_t addr, void *buf, size_t len,
		      bool store)
{
	struct cpu *cpu = &this_cpu(k)->cpu;
	const struct process *owner = kernel_process_at(k, addr);

	if (!owner) {
		cpu_user_fault_outside(cpu, addr, len, store);
		return;
	}
	if (len && !process_holds(owner, addr + (len - 1))) {
		cpu_user_fault_outside(cpu, owner->userland_start +
					    owner->userland_size, len, store);
		return;
	}
	cpu_user_flat(cpu, addr, buf, len, store);
}
