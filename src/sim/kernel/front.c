/*
 * front.c - the kernel front: read-only queries the layers above use to
 * see a process's TLS manager, memory and threads without touching their
 * private structures. Each takes the process's lock for its duration.
 */
#include <config.h>

#include "pmem.h"
#include "process.h"
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
