/*
 * front.c - the kernel front: read-only queries the layers above use to
 * see a process's TLS manager, memory and threads without touching their
 * private structures. Each takes the process's lock for its duration.
 */
#include <config.h>

#include "pmem.h"
#include "process.h"
#include "sched.h"
#include "thread.h"

#include <string.h>

/* p's lock, for a query on a const process. */
static pthread_mutex_t *lock_of(const struct process *p)
{
	return (pthread_mutex_t *)&p->lock;
}

/*
 * The kernel's list of processes changes only when the kernel creates one
 * (on the host thread that runs it): walking it needs no process's lock.
 */
void kernel_for_each_process(const struct kernel *k,
			     void (*fn)(void *arg, const struct process *p),
			     void *arg)
{
	for (const struct process *p = k->procs; p; p = p->next_in_kernel)
		fn(arg, p);
}

void process_tls_stats(const struct process *p, struct tlsm_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (p->dead)
		return;
	pthread_mutex_lock(lock_of(p));
	p->policy->stats(p->mgr, out);
	pthread_mutex_unlock(lock_of(p));
}

void process_for_each_tls_page(const struct process *p, tlsm_page_fn fn,
			       void *arg)
{
	if (p->dead)
		return;
	pthread_mutex_lock(lock_of(p));
	p->policy->for_each_page(p->mgr, fn, arg);
	pthread_mutex_unlock(lock_of(p));
}

bool process_land_shown(const struct process *p)
{
	return !p->dead && !pmem_hidden(p->pm);
}

size_t process_mapping_count(const struct process *p)
{
	size_t n;

	if (p->dead)
		return 0;
	pthread_mutex_lock(lock_of(p));
	n = pmem_mapping_count(p->pm);
	pthread_mutex_unlock(lock_of(p));
	return n;
}

void process_for_each_mapping(const struct process *p,
			      void (*fn)(void *arg, const struct mapping *m),
			      void *arg)
{
	if (p->dead)
		return;
	pthread_mutex_lock(lock_of(p));
	for (size_t i = 0, n = pmem_mapping_count(p->pm); i < n; i++)
		fn(arg, pmem_mapping_at(p->pm, i));
	pthread_mutex_unlock(lock_of(p));
}

bool process_mapping_at(const struct process *p, uint64_t offset,
			struct mapping *out)
{
	const struct mapping *m = NULL;

	if (p->dead || offset >= p->userland_size)
		return false;
	pthread_mutex_lock(lock_of(p));
	m = pmem_query(p->pm, p->userland_start + (uintptr_t)offset);
	if (m)
		*out = *m;
	pthread_mutex_unlock(lock_of(p));
	return m != NULL;
}

void process_for_each_thread(const struct kernel *k, const struct process *p,
			     void (*fn)(void *arg, const struct thread *t),
			     void *arg)
{
	for (const struct thread *t = thread_list_first(&k->threads, &p->threads);
	     t; t = thread_list_next(&k->threads, t))
		if (t->tls)
			fn(arg, t);
}

/* ---- plain queries of the opaque handles (kernel.h) ---- */

enum arch_backend kernel_backend(const struct kernel *k)
{
	return k->cpus[0].cpu.backend;
}

unsigned kernel_cpu_count(const struct kernel *k)
{
	return k->ncpus;
}

uint64_t kernel_switches(const struct kernel *k)
{
	return __atomic_load_n(&k->switches, __ATOMIC_RELAXED);
}

uint64_t kernel_register_readbacks(const struct kernel *k)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < k->ncpus; i++)
		n += __atomic_load_n(&k->cpus[i].cpu.readbacks,
				     __ATOMIC_RELAXED);
	return n;
}

uintptr_t kernel_tls_register(struct kernel *k)
{
	return cpu_read_tls_register(&this_cpu(k)->cpu);
}

uintptr_t kernel_tls_loaded(struct kernel *k)
{
	return cpu_tls_register(&this_cpu(k)->cpu);
}

void kernel_cpu_state(struct kernel *k, unsigned cpu,
		      const struct thread **current, uintptr_t *reg)
{
	struct percpu *pc;

	if (cpu >= k->ncpus)
		panic("kernel_cpu_state: no CPU %u", cpu);
	pc = &k->cpus[cpu];
	kernel_lock(k);
	*current = pc->current;
	kernel_unlock(k);
	/* another CPU's register lives in its own host thread */
	*reg = pc == this_cpu(k) ? cpu_tls_register(&pc->cpu) : pc->reg_shadow;
}

const char *process_name(const struct process *p)
{
	return p->name;
}

unsigned process_pid(const struct process *p)
{
	return p->pid;
}

bool process_dead(const struct process *p)
{
	return p->dead;
}

uintptr_t process_userland_start(const struct process *p)
{
	return p->userland_start;
}

size_t process_userland_size(const struct process *p)
{
	return p->userland_size;
}

const struct tls_manager_ops *process_policy(const struct process *p)
{
	return p->policy;
}

bool process_policy_explains(const struct process *p)
{
	return p->policy->version >= 2 && p->policy->explain;
}

void kernel_explain_tls(struct kernel *k, bool on)
{
	k->explain = on;
}

void kernel_read_back_register(struct kernel *k, bool on)
{
	k->copy_register = !on;
}

size_t process_tls_why(const struct kernel *k, const struct process *p,
		       char *buf, size_t size)
{
	int n;

	if (!k->explain || !process_policy_explains(p) || !size)
		return 0;
	buf[0] = '\0';
	n = p->policy->explain(p->mgr, buf, size);
	buf[size - 1] = '\0';
	/* one line: the narration puts it in parentheses */
	for (char *c = buf; *c; c++)
		if (*c == '\n' || *c == '\r' || *c == '\t')
			*c = ' ';
	return n > 0 ? strlen(buf) : 0;
}

const char *thread_name(const struct thread *t)
{
	return t->name_block ? t->name.block : t->name.text;
}

unsigned thread_tid(const struct thread *t)
{
	return t->tid;
}

struct process *thread_process(const struct thread *t)
{
	return t->proc;
}

bool thread_dead(const struct thread *t)
{
	return t->state == THREAD_DEAD;
}

uintptr_t thread_tls(const struct thread *t)
{
	return t->tls;
}

uint64_t thread_tls_offset(const struct thread *t)
{
	return t->tls_offset;
}

struct kernel *thread_kernel(const struct thread *t)
{
	return t->kernel;
}

void thread_prefetch(const struct thread *t)
{
	for (size_t b = 0; b < sizeof(*t); b += 64)
		__builtin_prefetch((const char *)t + b);
}
