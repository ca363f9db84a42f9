/*
 * process.c - processes of the kernel model: creation, death, their user
 * land, the memory their TLS manager borrows, and the raw TLS manager
 * calls scenario labs use.
 */
#include <config.h>

#include "process.h"
#include "hostcall.h"
#include "pmem.h"
#include "policy/policy.h"
#include "thread.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint64_t process_offset(const struct process *p, uintptr_t addr)
{
	return (uint64_t)(addr - p->userland_start);
}

/*
 * The memory a manager borrows: p's process memory. Pages it maps or
 * unmaps are traced here, where they happen. ctx is the process; the
 * caller of the manager holds its lock.
 */
struct tlsm_ctx {
	struct kernel *k;
	struct process *p;
};

static enum kernel_error mem_find(void *ctx, size_t length, uintptr_t *addr)
{
	struct process *p = ((struct tlsm_ctx *)ctx)->p;

	return pmem_find_available_space(p->pm, length, addr);
}

static enum kernel_error mem_page_op(void *ctx, uintptr_t addr,
				     size_t length, bool map)
{
	struct tlsm_ctx *c = ctx;
	struct process *p = c->p;
	enum kernel_error err;

	if (map)
		err = pmem_create_regular_mapping(p->pm, addr, length,
						  MEM_THREAD_LOCAL, MAR_U_RW);
	else
		err = pmem_unmap(p->pm, addr, length);
	if (!err)
		kernel_event(c->k, &(struct trace_event){
			.kind = map ? EV_TLS_PAGE : EV_TLS_PAGE_UNMAP,
			.proc = p, .offset = process_offset(p, addr),
			.length = length, .mem_type = MEM_THREAD_LOCAL,
			.rights = MAR_U_RW });
	return err;
}

static enum kernel_error mem_map(void *ctx, uintptr_t addr, size_t length)
{
	return mem_page_op(ctx, addr, length, true);
}

static enum kernel_error mem_unmap(void *ctx, uintptr_t addr, size_t length)
{
	return mem_page_op(ctx, addr, length, false);
}

int process_create(struct kernel *k, const char *name, size_t userland,
		   const struct tls_manager_ops *policy, struct process **out)
{
	struct tlsm_memory mem = { NULL, mem_find, mem_map, mem_unmap };
	struct tlsm_ctx *ctx;
	struct process *p;
	int err = -ENOMEM;

	if (k->released)
		process_free_released(k);
	p = host_calloc(1, sizeof(*p) + sizeof(*ctx));
	if (!p)
		return -ENOMEM;
	ctx = (struct tlsm_ctx *)(p + 1);
	*ctx = (struct tlsm_ctx){ k, p };
	p->threads = THREAD_LIST_EMPTY;
	p->name = host_strdup(name);
	if (!p->name)
		goto out_free_p;
	err = pmem_create(&p->pm, userland);
	if (err)
		goto out_free_name;
	/* A new land is hidden until one of its threads runs (isolation). */
	if (pmem_set_hidden(p->pm, true) != KERR_OK) {
		err = -ENOMEM;
		goto out_free_pmem;
	}
	pmem_use_keys(p->pm);	/* hidden by a key where the host has them */
	p->policy = policy ? policy : tls_policy_find(TLS_POLICY_DEFAULT);
	mem.ctx = ctx;
	p->mgr = p->policy->create(&mem);
	if (!p->mgr) {
		err = -ENOMEM;
		goto out_free_pmem;
	}
	pthread_mutex_init(&p->lock, NULL);
	p->pid = ++k->next_pid;
	p->userland_size = userland;
	p->userland_start = pmem_userland_start(p->pm);
	p->prev_in_kernel = k->procs_tail;
	KLIST_APPEND(k->procs, k->procs_tail, p);
	p->live_next = k->live;
	if (k->live)
		k->live->live_prev = p;
	k->live = p;
	kernel_event(k, &(struct trace_event){ .kind = EV_PROCESS_CREATE,
					       .proc = p, .length = userland });
	*out = p;
	return 0;

out_free_pmem:
	pmem_destroy(p->pm);
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
	for (;;) {
		struct thread *t;

		kernel_lock(k);
		t = thread_list_first(&k->threads, &p->threads);
		kernel_unlock(k);
		if (!t)
			break;
		thread_end(k, t);
	}
	if (p->live_prev)
		p->live_prev->live_next = p->live_next;
	else
		k->live = p->live_next;
	if (p->live_next)
		p->live_next->live_prev = p->live_prev;
	for (unsigned i = 0; i < k->ncpus; i++)
		if (k->cpus[i].space == p)
			k->cpus[i].space = NULL;
	p->cpus_in = 0;
	pthread_mutex_lock(&p->lock);
	p->policy->destroy(p->mgr);
	p->mgr = NULL;
	pmem_retire(p->pm);
	p->dead = true;
	pthread_mutex_unlock(&p->lock);
	p->next_retired = k->retired;
	k->retired = p;
	process_sweep_retired(k);
	kernel_event(k, &(struct trace_event){ .kind = EV_PROCESS_KILL,
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
		kernel_event(k, &(struct trace_event){
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

struct alloc_call {
	struct process *p;
	uintptr_t *tls;
	enum kernel_error err;
};

static void call_tls_alloc(void *arg)
{
	struct alloc_call *c = arg;

	c->err = c->p->policy->allocate(c->p->mgr, c->tls);
}

/*
 * Allocate a region under p's lock (the caller holds it). A page the
 * manager maps on the way is traced by the memory callbacks. A panic of
 * the manager (a student's, say) is raised again after p's lock is
 * dropped: the panic skips the caller's unlock, and a lock left held
 * would hang whoever kills the process next.
 */
enum kernel_error process_tls_take(struct kernel *k, struct process *p,
				   const struct thread *t, uintptr_t *tls)
{
	struct alloc_call call = { p, tls, KERR_OK };
	struct panic_catch catch;
	enum kernel_error err;
	char why[TLSM_WHY_MAX];

	if (panic_call(&catch, call_tls_alloc, &call)) {
		pthread_mutex_unlock(&p->lock);
		panic("%s", catch.message);
	}
	err = call.err;
	if (err)
		return err;
	kernel_event(k, &(struct trace_event){
		.kind = EV_TLS_ALLOC, .proc = p, .thread = t,
		.offset = process_offset(p, *tls),
		.why = k->explain && process_tls_why(k, p, why, sizeof(why)) ?
		       why : NULL });
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
	struct process *p;
	uintptr_t tls;
};

static void call_tls_free(void *arg)
{
	struct free_call *c = arg;

	c->p->policy->free(c->p->mgr, c->tls);
}

/*
 * Free a region under p's lock. A panic of the manager is caught, the lock
 * dropped, and the panic raised again with the same message.
 */
void process_tls_release(struct kernel *k, struct process *p, uintptr_t tls,
			 char *why, size_t size)
{
	struct free_call call = { p, tls };
	struct panic_catch catch;

	why[0] = '\0';
	pthread_mutex_lock(&p->lock);
	if (panic_call(&catch, call_tls_free, &call)) {
		pthread_mutex_unlock(&p->lock);
		panic("%s", catch.message);
	}
	if (k->explain)
		process_tls_why(k, p, why, size);
	pthread_mutex_unlock(&p->lock);
}

enum kernel_error process_tls_free(struct kernel *k, struct process *p,
				   uint64_t offset)
{
	char why[TLSM_WHY_MAX];

	if (p->dead)
		return KERR_PROCESS_KILLED;
	process_tls_release(k, p, p->userland_start + offset, why,
			    sizeof(why));
	kernel_event(k, &(struct trace_event){ .kind = EV_TLS_FREE, .proc = p,
					       .offset = offset,
					       .why = why[0] ? why : NULL });
	return KERR_OK;
}

const char *kernel_host_error(void)
{
	return host_error();
}

enum kernel_error process_switch_space(struct kernel *k, struct process *p)
{
	struct percpu *pc = this_cpu(k);
	enum kernel_error err;

	struct process *old = pc->space;

	if (old == p)
		return KERR_OK;
	kernel_lock(k);
	/* a land stays shown while some CPU runs its process (smp.h) */
	if (old && old->cpus_in == 1) {
		err = pmem_set_hidden(old->pm, true);
		if (err)
			goto out_unlock;
	}
	if (p->cpus_in == 0) {
		err = pmem_set_hidden(p->pm, false);
		if (err) {
			/* back to the old space (showing what was shown before) */
			if (old && old->cpus_in == 1)
				pmem_set_hidden(old->pm, false);
			goto out_unlock;
		}
	}
	if (old)
		old->cpus_in--;
	p->cpus_in++;
	pc->space = p;
	pmem_enter(p->pm);	/* this CPU's keys: p's alone */
	err = KERR_OK;
out_unlock:
	kernel_unlock(k);
	return err;
}

enum kernel_error process_leave_space(struct kernel *k, struct percpu *pc)
{
	struct process *old = pc->space;
	enum kernel_error err = KERR_OK;

	if (!old)
		return KERR_OK;
	kernel_lock(k);
	if (old->cpus_in == 1)
		err = pmem_set_hidden(old->pm, true);
	if (!err) {
		old->cpus_in--;
		pc->space = NULL;
		/* another CPU's keys are its host thread's, not the caller's */
		if (pc == this_cpu(k))
			pmem_enter(NULL);
	}
	kernel_unlock(k);
	return err;
}

/* Whether some CPU's register holds an address in p's old range. */
static bool register_points_into(struct kernel *k, const struct process *p)
{
	struct percpu *self = this_cpu(k);

	for (unsigned i = 0; i < k->ncpus; i++) {
		/* another CPU's register lives in its own host thread */
		uintptr_t reg = &k->cpus[i] == self ?
				cpu_tls_register(&k->cpus[i].cpu) :
				k->cpus[i].reg_shadow;

		if (reg >= p->userland_start &&
		    reg - p->userland_start < p->userland_size)
			return true;
	}
	return false;
}

void process_sweep_retired(struct kernel *k)
{
	struct process **link = &k->retired, *p;

	while ((p = *link) != NULL) {
		if (!register_points_into(k, p)) {
			*link = p->next_retired;
			pmem_destroy(p->pm);
			p->pm = NULL;
		} else {
			link = &p->next_retired;
		}
	}
}

/* Take p out of k->procs and free its record. */
static void process_free(struct kernel *k, struct process *p)
{
	if (p->prev_in_kernel)
		p->prev_in_kernel->next_in_kernel = p->next_in_kernel;
	else
		k->procs = p->next_in_kernel;
	if (p->next_in_kernel)
		p->next_in_kernel->prev_in_kernel = p->prev_in_kernel;
	else
		k->procs_tail = p->prev_in_kernel;
	pthread_mutex_destroy(&p->lock);
	free(p->name);
	free(p);
}

void process_free_released(struct kernel *k)
{
	struct process **link = &k->released, *p;

	kernel_lock(k);
	while ((p = *link) != NULL) {
		if (p->dead && !p->pm &&
		    !__atomic_load_n(&p->thread_records, __ATOMIC_RELAXED)) {
			*link = p->next_released;
			process_free(k, p);
		} else {
			link = &p->next_released;
		}
	}
	kernel_unlock(k);
}

void process_release(struct kernel *k, struct process *p)
{
	kernel_lock(k);
	p->next_released = k->released;
	k->released = p;
	kernel_unlock(k);
	process_free_released(k);
}
