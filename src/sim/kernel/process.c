/*
 * process.c - processes of the kernel model: creation, death, their user
 * land, and the raw TLS manager calls scenario labs use.
 */
#include <config.h>

#include "process.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[EV_KIND_COUNT] = {
	[EV_PROCESS_CREATE] = "process-create",
	[EV_PROCESS_KILL] = "process-kill",
	[EV_MAP] = "map",
	[EV_UNMAP] = "unmap",
	[EV_TLS_PAGE] = "tls-page",
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

void kernel_emit(struct kernel *k, const struct trace_event *ev)
{
	if (k->trace)
		k->trace(k->trace_ctx, ev);
}

void kernel_set_trace(struct kernel *k, trace_fn fn, void *ctx)
{
	k->trace = fn;
	k->trace_ctx = ctx;
}

uint64_t process_offset(const struct process *p, uintptr_t addr)
{
	return (uint64_t)(addr - p->userland_start);
}

int process_create(struct kernel *k, const char *name, size_t userland,
		   struct process **out)
{
	struct process *p;
	int err;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->name = strdup(name);
	if (!p->name) {
		err = -ENOMEM;
		goto out_free_p;
	}
	err = pmem_create(&p->pm, userland);
	if (err)
		goto out_free_name;
	tls_manager_init(&p->tls);
	pthread_mutex_init(&p->lock, NULL);
	p->pid = ++k->next_pid;
	p->userland_size = userland;
	p->userland_start = pmem_userland_start(p->pm);
	if (k->procs_tail)
		k->procs_tail->next_in_kernel = p;
	else
		k->procs = p;
	k->procs_tail = p;
	kernel_emit(k, &(struct trace_event){ .kind = EV_PROCESS_CREATE,
					      .proc = p, .length = userland });
	*out = p;
	return 0;

out_free_name:
	free(p->name);
out_free_p:
	free(p);
	return err;
}

/*
 * The threads of a dying process die with it. Their regions are not given
 * back one by one: the manager and the memory go as a whole right after.
 */
enum kernel_error process_kill(struct kernel *k, struct process *p)
{
	if (p->dead)
		return KERR_PROCESS_KILLED;
	for (struct thread *t = k->threads; t; t = t->next_in_kernel) {
		if (t->proc != p || t->state == THREAD_DEAD)
			continue;
		t->state = THREAD_DEAD;
		t->tls = 0;
		if (k->current == t)
			k->current = NULL;
		kernel_emit(k, &(struct trace_event){ .kind = EV_THREAD_EXIT,
						      .proc = p, .thread = t });
	}
	pthread_mutex_lock(&p->lock);
	tls_manager_fini(&p->tls);
	pmem_destroy(p->pm);
	p->pm = NULL;
	p->dead = true;
	pthread_mutex_unlock(&p->lock);
	kernel_emit(k, &(struct trace_event){ .kind = EV_PROCESS_KILL,
					      .proc = p });
	return KERR_OK;
}

/*
 * create_regular_mapping (map) or unmap on p's memory under its lock,
 * traced when it worked.
 */
static enum kernel_error process_mem_op(struct kernel *k, struct process *p,
					bool map, uint64_t offset,
					uint64_t size, enum memory_type type,
					unsigned rights)
{
	uintptr_t addr = p->userland_start + (uintptr_t)offset;
	enum kernel_error err;

	if (p->dead)
		return KERR_PROCESS_KILLED;
	/*
	 * An offset past the land stands for the first address past it, with
	 * the same alignment: pmem then reports the original's error in the
	 * original's order (alignment, then size, then range).
	 */
	if (offset > p->userland_size)
		addr = p->userland_start + p->userland_size +
		       (uintptr_t)(offset % PAGE_SIZE);
	if (size > SIZE_MAX)
		size = SIZE_MAX & ~(uint64_t)(PAGE_SIZE - 1);
	pthread_mutex_lock(&p->lock);
	if (map)
		err = pmem_create_regular_mapping(p->pm, addr, (size_t)size,
						  type, rights);
	else
		err = pmem_unmap(p->pm, addr, (size_t)size);
	pthread_mutex_unlock(&p->lock);
	if (!err)
		kernel_emit(k, &(struct trace_event){
			.kind = map ? EV_MAP : EV_UNMAP, .proc = p,
			.offset = offset, .length = size, .mem_type = type,
			.rights = rights });
	return err;
}

enum kernel_error process_map(struct kernel *k, struct process *p,
			      uint64_t offset, uint64_t size,
			      enum memory_type type, unsigned rights)
{
	return process_mem_op(k, p, true, offset, size, type, rights);
}

enum kernel_error process_unmap(struct kernel *k, struct process *p,
				uint64_t offset, uint64_t size)
{
	return process_mem_op(k, p, false, offset, size, MEM_UNMAPPED, 0);
}

/*
 * Allocate a region under p's lock (the caller holds it), tracing the new
 * page when one was mapped. Returns the manager's error.
 */
enum kernel_error process_tls_take(struct kernel *k, struct process *p,
					   const struct thread *t,
					   uintptr_t *tls)
{
	size_t pages = tls_manager_page_count(&p->tls);
	enum kernel_error err;

	err = tls_manager_allocate(&p->tls, p->pm, tls);
	if (err)
		return err;
	if (tls_manager_page_count(&p->tls) != pages)
		kernel_emit(k, &(struct trace_event){
			.kind = EV_TLS_PAGE, .proc = p,
			.offset = process_offset(p, *tls & ~(PAGE_SIZE - 1)),
			.length = PAGE_SIZE, .mem_type = MEM_THREAD_LOCAL,
			.rights = MAR_U_RW });
	kernel_emit(k, &(struct trace_event){ .kind = EV_TLS_ALLOC, .proc = p,
					      .thread = t,
					      .offset = process_offset(p, *tls) });
	return KERR_OK;
}

enum kernel_error process_tls_alloc(struct kernel *k, struct process *p,
				    uint64_t *offset)
{
	enum kernel_error err;
	uintptr_t tls;

	if (p->dead)
		return KERR_PROCESS_KILLED;
	pthread_mutex_lock(&p->lock);
	err = process_tls_take(k, p, NULL, &tls);
	pthread_mutex_unlock(&p->lock);
	if (!err)
		*offset = process_offset(p, tls);
	return err;
}

struct free_call {
	struct tls_manager *mgr;
	uintptr_t tls;
};

static void call_tls_free(void *arg)
{
	struct free_call *c = arg;

	tls_manager_free(c->mgr, c->tls);
}

/*
 * Free a region under p's lock. A panic of the manager is caught, the lock
 * dropped, and the panic raised again with the same message.
 */
void process_tls_release(struct process *p, uintptr_t tls)
{
	struct free_call call = { &p->tls, tls };
	struct panic_catch catch;

	pthread_mutex_lock(&p->lock);
	if (panic_call(&catch, call_tls_free, &call)) {
		pthread_mutex_unlock(&p->lock);
		panic("%s", catch.message);
	}
	pthread_mutex_unlock(&p->lock);
}

enum kernel_error process_tls_free(struct kernel *k, struct process *p,
				   uint64_t offset)
{
	if (p->dead)
		return KERR_PROCESS_KILLED;
	process_tls_release(p, p->userland_start + offset);
	kernel_emit(k, &(struct trace_event){ .kind = EV_TLS_FREE, .proc = p,
					      .offset = offset });
	return KERR_OK;
}
