/*
 * machine.c - the simulated machine's lifetime, its event listener, and the
 * one lookup from a host address to the process that holds it.
 */
#include <config.h>

#include "machine.h"
#include "pmem.h"
#include "process.h"
#include "smp.h"
#include "thread.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[EV_KIND_COUNT] = {
	[EV_PROCESS_CREATE] = "process-create",
	[EV_PROCESS_KILL] = "process-kill",
	[EV_MAP] = "map",
	[EV_UNMAP] = "unmap",
	[EV_TLS_PAGE] = "tls-page",
	[EV_TLS_PAGE_UNMAP] = "tls-page-unmap",
	[EV_TLS_ALLOC] = "tls-alloc",
	[EV_TLS_FREE] = "tls-free",
	[EV_THREAD_SPAWN] = "thread-spawn",
	[EV_THREAD_EXIT] = "thread-exit",
	[EV_FIRST_SCHEDULE] = "first-schedule",
	[EV_SWITCH] = "switch",
	[EV_USER_READ] = "user-read",
	[EV_USER_WRITE] = "user-write",
	[EV_FAULT] = "fault",
	[EV_PANIC] = "panic",
	[EV_ERROR] = "error",
};

const char *trace_kind_name(enum trace_kind kind)
{
	if ((unsigned)kind >= EV_KIND_COUNT)
		return "unknown";
	return kind_names[kind];
}

/* The CPU this host thread drives, when it is a CPU of a kernel (smp.c). */
__thread struct percpu *percpu_self;

struct percpu *this_cpu(struct kernel *k)
{
	struct percpu *pc = percpu_self;

	if (pc && pc >= k->cpus && pc < k->cpus + KERNEL_MAX_CPUS)
		return pc;
	return &k->cpus[0];
}

void kernel_emit(struct kernel *k, const struct trace_event *ev)
{
	if (!kernel_traces(k, ev->kind))
		return;
	if (k->ncpus > 1)
		pthread_mutex_lock(&k->emit_lock);
	k->trace(k->trace_ctx, ev);
	if (k->ncpus > 1)
		pthread_mutex_unlock(&k->emit_lock);
}

void kernel_set_trace(struct kernel *k, trace_fn fn, void *ctx)
{
	k->trace = fn;
	k->trace_ctx = ctx;
	k->trace_kinds = TRACE_ALL_KINDS;
}

void kernel_trace_kinds(struct kernel *k, uint32_t kinds)
{
	k->trace_kinds = kinds;
}

/*
 * Bring up CPU 0 with its register backend and fault guard. Returns 0 or
 * the CPU's negative errno (the kernel is then zeroed).
 */
int kernel_init(struct kernel *k, enum arch_backend backend,
		bool no_tls_restore)
{
	struct percpu *pc = &k->cpus[0];
	int err;

	memset(k, 0, sizeof(*k));
	k->backend = backend;
	k->no_tls_restore = no_tls_restore;
	if (threadtab_init(&k->threads))
		return -ENOMEM;
	err = cpu_init(&pc->cpu, backend, no_tls_restore);
	if (err)
		goto out_fini_threads;
	err = cpu_fault_guard_install(&pc->cpu);
	if (err) {
		cpu_fini(&pc->cpu);
		goto out_fini_threads;
	}
	k->backend = pc->cpu.backend;	/* auto resolved: the same on every CPU */
	pthread_mutex_init(&k->lock, NULL);
	pthread_mutex_init(&k->emit_lock, NULL);
	pthread_cond_init(&k->sched_cond, NULL);
	k->ncpus = 1;
	return 0;

out_fini_threads:
	threadtab_fini(&k->threads, NULL, NULL);
	memset(k, 0, sizeof(*k));
	return err;
}

/* A record kernel_fini finds still handed out: its stack and name go. */
static void fini_thread(void *arg, struct thread *t)
{
	struct kernel *k = arg;

	stack_put(&k->stacks, t->stack);
	thread_free_name(t);
}

void kernel_fini(struct kernel *k)
{
	struct process *p, *pnext;

	smp_stop(k);		/* back to one CPU: CPUs 1.. end in their threads */
	/*
	 * With no listener, no thread's death is seen, and nothing after
	 * this looks at a thread's state: the processes below go with empty
	 * lists, not thread by thread along them (a cache miss a thread
	 * among 10^6), and the records with the table (fini_thread).
	 */
	if (!k->trace) {
		for (p = k->procs; p; p = p->next_in_kernel)
			p->threads = THREAD_LIST_EMPTY;
		for (unsigned i = 0; i < k->ncpus; i++)
			k->cpus[i].current = NULL;
	}
	for (p = k->procs; p; p = p->next_in_kernel)
		if (!p->dead)
			process_kill(k, p);
	threadtab_fini(&k->threads, fini_thread, k);
	stack_pool_fini(&k->stacks);
	for (p = k->procs; p; p = pnext) {
		pnext = p->next_in_kernel;
		pmem_destroy(p->pm);	/* a retired range, if still kept */
		pthread_mutex_destroy(&p->lock);
		free(p->name);
		free(p);
	}
	cpu_fini(&k->cpus[0].cpu);
	pthread_cond_destroy(&k->sched_cond);
	pthread_mutex_destroy(&k->emit_lock);
	pthread_mutex_destroy(&k->lock);
	memset(k, 0, sizeof(*k));
}

int kernel_create(enum arch_backend backend, bool no_tls_restore,
		  struct kernel **out)
{
	struct kernel *k;
	int err;

	/* the CPUs' records hold cache-line aligned state */
	k = aligned_alloc(64, (sizeof(*k) + 63) & ~(size_t)63);
	if (!k)
		return -ENOMEM;
	err = kernel_init(k, backend, no_tls_restore);
	if (err) {
		free(k);
		return err;
	}
	*out = k;
	return 0;
}

void kernel_destroy(struct kernel *k)
{
	if (!k)
		return;
	kernel_fini(k);
	free(k);
}

bool process_holds(const struct process *p, uintptr_t addr)
{
	return p && !p->dead && addr >= p->userland_start &&
	       addr - p->userland_start < p->userland_size;
}

struct process *kernel_process_at(const struct kernel *k, uintptr_t addr)
{
	for (struct process *p = k->live; p; p = p->live_next)
		if (process_holds(p, addr))
			return p;
	return NULL;
}

void kernel_inject_map_fail(unsigned n)
{
	pmem_inject_map_fail(n);
}
