/*
 * thread.c - threads of the kernel model: creation (which allocates the
 * TLS), death (which frees it).
 */
#include <config.h>

#include "hostcall.h"
#include "process.h"
#include "sched.h"
#include "thread.h"

#include <stdlib.h>
#include <string.h>

enum kernel_error thread_create(struct kernel *k, struct process *p,
				const char *name, user_program program,
				void *arg, struct thread **out)
{
	size_t len = strlen(name) + 1;
	enum kernel_error err;
	struct thread *t;

	if (p->dead)
		return KERR_PROCESS_KILLED;
	/* the record and its name in one block: one allocation a thread */
	t = host_calloc(1, sizeof(*t) + len);
	if (!t)
		return host_refused("memory for thread %s", name);
	t->name = memcpy(t + 1, name, len);
	kernel_lock(k);
	t->tid = ++k->next_tid;
	kernel_unlock(k);

	pthread_mutex_lock(&p->lock);
	err = process_tls_take(k, p, t, &t->tls);
	pthread_mutex_unlock(&p->lock);
	if (err)
		goto out_free_t;

	t->kernel = k;
	t->proc = p;
	t->tls_offset = process_offset(p, t->tls);
	t->state = THREAD_READY;
	t->program = program;
	t->program_arg = arg;
	thread_attach(k, t);
	kernel_emit(k, &(struct trace_event){ .kind = EV_THREAD_SPAWN,
					      .proc = p, .thread = t,
					      .offset = t->tls_offset });
	*out = t;
	return KERR_OK;

out_free_t:
	/* a failed spawn takes no tid (unless another CPU took the next) */
	kernel_lock(k);
	if (t->tid && k->next_tid == t->tid)
		k->next_tid--;
	kernel_unlock(k);
	free(t);
	return err;
}

void thread_attach(struct kernel *k, struct thread *t)
{
	struct process *p = t->proc;

	kernel_lock(k);
	if (!t->tid)
		t->tid = ++k->next_tid;
	KLIST_APPEND(k->threads, k->threads_tail, t);
	t->live_prev = p->threads_tail;
	t->live_next = NULL;
	if (p->threads_tail)
		p->threads_tail->live_next = t;
	else
		p->threads = t;
	p->threads_tail = t;
	kernel_unlock(k);
}

void thread_mark_dead(struct kernel *k, struct thread *t)
{
	struct percpu *pc = this_cpu(k);
	struct process *p = t->proc;

	kernel_lock(k);
	if (t->state != THREAD_DEAD) {
		if (t->live_prev)
			t->live_prev->live_next = t->live_next;
		else
			p->threads = t->live_next;
		if (t->live_next)
			t->live_next->live_prev = t->live_prev;
		else
			p->threads_tail = t->live_prev;
		t->live_prev = t->live_next = NULL;
	}
	t->state = THREAD_DEAD;
	t->tls = 0;
	for (unsigned i = 0; i < k->ncpus; i++)
		if (k->cpus[i].current == t)
			k->cpus[i].current = NULL;
	if (t->stack) {
		t->next_zombie = pc->zombies;
		pc->zombies = t;
	}
	kernel_unlock(k);
}

enum kernel_error thread_exit(struct kernel *k, struct thread *t)
{
	struct process *p = t->proc;

	if (t->state == THREAD_DEAD)
		return KERR_INVALID_STATE;
	/* The manager checks before it changes anything: a panic here
	 * leaves the thread alive. */
	process_tls_release(p, t->tls);
	thread_mark_dead(k, t);
	kernel_emit(k, &(struct trace_event){ .kind = EV_TLS_FREE, .proc = p,
					      .thread = t,
					      .offset = t->tls_offset });
	kernel_emit(k, &(struct trace_event){ .kind = EV_THREAD_EXIT,
					      .proc = p, .thread = t });
	return KERR_OK;
}
