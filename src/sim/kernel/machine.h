/*
 * machine.h - private to the kernel model: the simulated machine, its CPUs
 * (each with its own register state, current thread, idle context and
 * fault record), the processes and threads it holds, and the listener of
 * its events.
 *
 * The kernel model is the one layer that owns kernel state. The layers
 * above (the scenario runner, the reporters, the built-in programs) drive
 * and read it only through kernel.h, never through these structures, a
 * TLS manager's or process memory's.
 */
#ifndef TLSSIM_MACHINE_H
#define TLSSIM_MACHINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "kernel.h"
#include "kerror.h"
#include "stack.h"
#include "threadtab.h"
#include "trace.h"

struct process;
struct thread;
struct cpu_host;

/* Per-CPU state: everything that belongs to one simulated CPU. */
struct percpu {
	unsigned id;
	struct cpu cpu;			/* register backend and user faults */
	struct thread *current;		/* whose TLS the CPU holds, or NULL */
	struct context idle;		/* the kernel's own context */
	struct thread *zombies;		/* died here, stacks not yet back */
	/* The process whose user land user code on this CPU may reach. */
	struct process *space;
	/* What the last fault of user code on this CPU was (ufault.c). */
	char fault_detail[160];
	/* Several CPUs: the thread that just came back to this CPU's loop. */
	struct thread *prev;
	/* The TLS register as last loaded, for other CPUs to read. */
	uintptr_t reg_shadow;
};

struct kernel {
	struct percpu cpus[KERNEL_MAX_CPUS];
	unsigned ncpus;
	/*
	 * With several CPUs (smp.h): CPUs 1.. are host threads; lock guards
	 * the lists of threads, scheduling, the stack pool and the spaces;
	 * emit_lock serialises events; sched_cond wakes idle CPUs.
	 */
	struct cpu_host *hosts;
	pthread_mutex_t lock, emit_lock;
	pthread_cond_t sched_cond;
	struct thread *rr;		/* where the next pick starts */
	const char *last_fault;		/* a CPU's fault_detail, or NULL */
	enum arch_backend backend;	/* asked for at kernel_init */
	bool no_tls_restore;
	struct process *procs;		/* in creation order */
	struct process *procs_tail;
	struct process *released;	/* released, freed once done with */
	struct process *live;		/* live processes, newest first */
	/* Dead processes whose range a register may still point into. */
	struct process *retired;
	struct thread_table threads;	/* every record handed out */
	/* Threads that run a program, in creation order: the round robin. */
	struct thread *programs, *programs_tail;
	unsigned next_pid, next_tid;
	uint64_t switches;
	struct stack_pool stacks;	/* host stacks of running threads */
	trace_fn trace;
	void *trace_ctx;
	uint32_t trace_kinds;	/* bit 1 << kind: the listener takes it */
	bool explain;		/* ask policies why (kernel_explain_tls) */
	bool copy_register;	/* switch events: the CPU's copy of the
				 * register (kernel_read_back_register) */
};

/* Whether the listener takes events of this kind (kernel_trace_kinds). */
static inline bool kernel_traces(const struct kernel *k, enum trace_kind kind)
{
	return k->trace && (k->trace_kinds >> kind & 1);
}

/*
 * kernel_emit from inside the kernel: the check inline, so that an event
 * no listener takes is not even built.
 */
static inline void kernel_event(struct kernel *k, const struct trace_event *ev)
{
	if (kernel_traces(k, ev->kind))
		kernel_emit(k, ev);
}

/*
 * Bring up a kernel (kernel_create's body) in k. Returns 0, or a negative
 * errno (-ENOTSUP: backend not available on this host).
 */
int kernel_init(struct kernel *k, enum arch_backend backend,
		bool no_tls_restore);
/* Kill every process, free everything, restore the host register. */
void kernel_fini(struct kernel *k);

/*
 * The CPU the calling host thread drives: CPU 0 for the thread that made
 * the kernel. Not inline on purpose: a simulated thread may resume on
 * another host thread after a switch, and a compiler may keep the address
 * of a thread-local variable across calls within one function.
 */
struct percpu *this_cpu(struct kernel *k);

/* The kernel's lock, taken only when it drives several CPUs. */
static inline void kernel_lock(struct kernel *k)
{
	if (k->ncpus > 1)
		pthread_mutex_lock(&k->lock);
}

static inline void kernel_unlock(struct kernel *k)
{
	if (k->ncpus > 1)
		pthread_mutex_unlock(&k->lock);
}

/*
 * Append node to a singly linked list with a tail pointer, through the
 * node's link member (next_in_kernel).
 */
#define KLIST_APPEND(head, tail, node) do {			\
	if (tail)						\
		(tail)->next_in_kernel = (node);		\
	else							\
		(head) = (node);				\
	(tail) = (node);					\
} while (0)

#endif
