/*
 * thread.c - threads of the kernel model: creation (which allocates the
 * TLS), death (which frees it), and their stacks.
 */
#include <config.h>

#include "process.h"
#include "sched.h"
#include "thread.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define THREAD_STACK_SIZE ((size_t)64 << 10)

/* First code of every thread, on its own stack. Never returns. */
static void thread_entry(void *arg)
{
	struct thread *t = arg;
	struct kernel *k = t->kernel;
	struct percpu *pc;

	if (t->program) {
		t->program(k, t, t->program_arg);
		sys_exit(k);
	}
	/* A scenario thread: do what the runner asks, then hand back. */
	for (;;) {
		t->job(k, t, t->job_arg);
		pc = this_cpu(k);
		context_switch(&t->ctx, &pc->idle);
	}
}

/* A stack with a guard page at its bottom; NULL when the host refuses. */
static void *stack_alloc(size_t size)
{
	void *p = mmap(NULL, size + PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	mprotect(p, PAGE_SIZE, PROT_NONE);
	return (char *)p + PAGE_SIZE;
}

/* Give t's stack back to the host; nothing when it has none. */
void thread_stack_free(struct thread *t)
{
	if (!t->stack)
		return;
	munmap((char *)t->stack - PAGE_SIZE, t->stack_size + PAGE_SIZE);
	t->stack = NULL;
}

enum kernel_error thread_create(struct kernel *k, struct process *p,
				const char *name, user_program program,
				void *arg, struct thread **out)
{
	enum kernel_error err = KERR_PHYSICAL_MEMORY_EXHAUSTION;
	struct thread *t;

	if (p->dead)
		return KERR_PROCESS_KILLED;
	t = calloc(1, sizeof(*t));
	if (!t)
		return err;
	t->name = strdup(name);
	if (!t->name)
		goto out_free_t;
	t->stack_size = THREAD_STACK_SIZE;
	t->stack = stack_alloc(t->stack_size);
	if (!t->stack)
		goto out_free_name;

	pthread_mutex_lock(&p->lock);
	err = process_tls_take(k, p, t, &t->tls);
	pthread_mutex_unlock(&p->lock);
	if (err)
		goto out_free_stack;

	t->kernel = k;
	t->tid = ++k->next_tid;
	t->proc = p;
	t->tls_offset = process_offset(p, t->tls);
	t->state = THREAD_READY;
	t->program = program;
	t->program_arg = arg;
	context_init(&t->ctx, t->stack, t->stack_size, thread_entry, t);
	KLIST_APPEND(k->threads, k->threads_tail, t);
	kernel_emit(k, &(struct trace_event){ .kind = EV_THREAD_SPAWN,
					      .proc = p, .thread = t,
					      .offset = t->tls_offset });
	*out = t;
	return KERR_OK;

out_free_stack:
	thread_stack_free(t);
out_free_name:
	free(t->name);
out_free_t:
	free(t);
	return err;
}

void thread_mark_dead(struct kernel *k, struct thread *t)
{
	t->state = THREAD_DEAD;
	t->tls = 0;
	for (unsigned i = 0; i < k->ncpus; i++)
		if (k->cpus[i].current == t)
			k->cpus[i].current = NULL;
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
