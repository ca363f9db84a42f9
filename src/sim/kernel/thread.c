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

bool thread_set_name(struct thread *t, const char *name)
{
	size_t len = strlen(name) + 1;

	char *to;

	t->name_block = len > sizeof(t->name.text);
	to = t->name_block ? host_calloc(1, len) : t->name.text;
	if (!to) {
		t->name_block = false;
		t->name.text[0] = '\0';
		return false;
	}
	if (t->name_block)
		t->name.block = to;
	memcpy(to, name, len);
	return true;
}

/* (name_block sits in the first line: an exit does not read the second.) */
void thread_free_name(struct thread *t)
{
	if (t->name_block)
		free(t->name.block);
	t->name_block = false;
}

enum kernel_error thread_create(struct kernel *k, struct process *p,
				const char *name, user_program program,
				void *arg, struct thread **out)
{
	enum kernel_error err;
	struct thread *t;

	if (p->dead)
		return KERR_PROCESS_KILLED;
	kernel_lock(k);
	t = threadtab_alloc(&k->threads);
	if (t) {
		t->kernel = k;
		t->tid = ++k->next_tid;
	}
	kernel_unlock(k);
	if (!t)
		return host_refused("a record for thread %s", name);
	if (!thread_set_name(t, name)) {
		err = host_refused("memory for the name of thread %s", name);
		goto out_free_t;
	}

	pthread_mutex_lock(&p->lock);
	err = process_tls_take(k, p, t, &t->tls);
	pthread_mutex_unlock(&p->lock);
	if (err)
		goto out_free_t;

	t->proc = p;
	t->tls_offset = process_offset(p, t->tls);
	t->state = THREAD_READY;
	t->program = program;
	t->program_arg = arg;
	thread_attach(k, t);
	kernel_event(k, &(struct trace_event){ .kind = EV_THREAD_SPAWN,
					       .proc = p, .thread = t,
					       .offset = t->tls_offset });
	*out = t;
	return KERR_OK;

out_free_t:
	thread_free_name(t);
	/* a failed spawn takes no tid (unless another CPU took the next) */
	kernel_lock(k);
	if (k->next_tid == t->tid)
		k->next_tid--;
	threadtab_free(&k->threads, t);
	kernel_unlock(k);
	return err;
}

void thread_attach(struct kernel *k, struct thread *t)
{
	kernel_lock(k);
	thread_list_append(&k->threads, &t->proc->threads, t);
	__atomic_fetch_add(&t->proc->thread_records, 1, __ATOMIC_RELAXED);
	if (t->program)
		KLIST_APPEND(k->programs, k->programs_tail, t);
	kernel_unlock(k);
}

void thread_reclaim(struct kernel *k, struct thread *t)
{
	struct process *p = t->proc;

	if (t->state != THREAD_DEAD || !t->released || t->stack || t->program)
		return;
	thread_free_name(t);
	threadtab_free(&k->threads, t);
	/* any CPU's host thread; process_free_released reads it */
	__atomic_fetch_sub(&p->thread_records, 1, __ATOMIC_RELAXED);
}

void thread_release(struct kernel *k, struct thread *t)
{
	kernel_lock(k);
	t->released = true;
	thread_reclaim(k, t);
	kernel_unlock(k);
}

void thread_mark_dead(struct kernel *k, struct thread *t)
{
	struct percpu *pc = this_cpu(k);
	struct process *p = t->proc;

	kernel_lock(k);
	if (t->state != THREAD_DEAD)
		thread_list_remove(&k->threads, &p->threads, t);
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
	char why[TLSM_WHY_MAX];

	if (t->state == THREAD_DEAD)
		return KERR_INVALID_STATE;
	/* The manager checks before it changes anything: a panic here
	 * leaves the thread alive. */
	process_tls_release(k, p, t->tls, why, sizeof(why));
	kernel_event(k, &(struct trace_event){ .kind = EV_TLS_FREE, .proc = p,
					       .thread = t,
					       .offset = t->tls_offset,
					       .why = why[0] ? why : NULL });
	thread_end(k, t);
	return KERR_OK;
}

void thread_end(struct kernel *k, struct thread *t)
{
	thread_mark_dead(k, t);
	kernel_event(k, &(struct trace_event){ .kind = EV_THREAD_EXIT,
					       .proc = t->proc, .thread = t });
	/* after the event: its listener may still look at the record */
	kernel_lock(k);
	thread_reclaim(k, t);
	kernel_unlock(k);
}
