/*
 * quiz_run.c - the operations of a quiz that ask the kernel more than it
 * answers by itself: why a spawn landed where it did and what an exit did
 * to its page (asked of the manager's pages and the process's mappings),
 * and the ops run as a thread (a switch and its ptr_self, a secret, a
 * spy's read). quiz_gen.c chooses the operations and calls these.
 */
#include <config.h>

#include "quiz_gen.h"
#include "quiz_run.h"
#include "policy/policy.h"

#include <stdio.h>
#include <string.h>

/*
 * The policies mixed problems take in turn: those every build has, so
 * that a seed gives the same problem with or without the seed's policy.
 */
static const char *const mixed_policies[] = {
	"sunrise", "indexed", "mesosphere",
};

const struct tls_manager_ops *quiz_policy_of(const struct quiz *q,
					     unsigned i)
{
	const struct tls_manager_ops *ops;
	size_t n = sizeof(mixed_policies) / sizeof(mixed_policies[0]);

	if (!q->par.mixed)
		return q->par.policy;
	ops = tls_policy_find(mixed_policies[i % n]);
	return ops ? ops : q->par.policy;
}


/* Add one page to the struct page_list at arg. Returns nothing. */
static void list_page(void *arg, const struct tlsm_page *page)
{
	struct page_list *l = arg;

	if (l->n < QUIZ_MAX_TLS_PAGES)
		l->page[l->n++] = *page;
}

/* The TLS pages of the i-th process in the shown world into l. */
void quiz_list_pages(const struct quiz *q, unsigned i, struct page_list *l)
{
	l->n = 0;
	process_for_each_tls_page(quiz_process(q, i), list_page, l);
}

/*
 * Why the spawn op landed where it did, from the pages before it
 * (before) and the kernel's answer: op's page_rank, first_room,
 * lowest_room, has_room, used_before and lower_free. Never fails.
 */
void quiz_explain_spawn(const struct quiz *q, struct quiz_op *op,
			  const struct page_list *before)
{
	const struct process *p = quiz_process(q, op->proc);
	uintptr_t base = process_userland_start(p);
	struct page_list after;

	op->page = op->tls & ~(uint64_t)(TLSM_PAGE_SIZE - 1);
	op->has_room = false;
	op->used_before = 0;
	for (unsigned i = 0; i < before->n; i++) {
		uint64_t off = before->page[i].address - base;

		/* used is a bitmap of the page's slots */
		op->used_before += (size_t)__builtin_popcount(before->page[i].used);
		if (__builtin_popcount(before->page[i].used) >= (int)TLS_PER_PAGE)
			continue;
		if (!op->has_room || off < op->lowest_room)
			op->lowest_room = off;
		if (!op->has_room)
			op->first_room = off;
		op->has_room = true;
	}
	quiz_list_pages(q, op->proc, &after);
	for (unsigned i = 0; i < after.n; i++)
		if (after.page[i].address - base == op->page)
			op->page_rank = i + 1;
	/* a lower slot of its page is free when no live thread holds it */
	op->lower_free = false;
	for (uint64_t slot = op->page; slot < op->tls; slot += TLS_SIZE) {
		bool held = false;

		for (size_t i = 0; i < q->nthreads; i++) {
			const struct thread *t = q->threads[i].t[QUIZ_SHOWN];

			if (t && q->threads[i].proc == op->proc &&
			    q->threads[i].live && thread_tls_offset(t) == slot)
				held = true;
		}
		op->lower_free = op->lower_free || !held;
	}
}

/*
 * What the exit op did to its page, asked of the kernel after it: the
 * page's mapping is gone (unmapped) or how many threads it still holds
 * (left_on_page). Never fails.
 */
void quiz_explain_exit(const struct quiz *q, struct quiz_op *op)
{
	const struct process *p = quiz_process(q, op->proc);
	uintptr_t base = process_userland_start(p);
	struct page_list after;
	struct mapping m;

	op->unmapped = !process_mapping_at(p, op->page, &m) ||
		       m.type != MEM_THREAD_LOCAL;
	op->left_on_page = 0;
	quiz_list_pages(q, op->proc, &after);
	for (unsigned i = 0; i < after.n; i++)
		if (after.page[i].address - base == op->page)
			op->left_on_page = (size_t)__builtin_popcount(after.page[i].used);
}

/*
 * The live thread of process proc whose region is at offset now (index
 * into q->threads), or -1. Never fails.
 */
static int holder_now(const struct quiz *q, unsigned proc, uint64_t offset)
{
	for (size_t i = 0; i < q->nthreads; i++) {
		const struct quiz_thread *qt = &q->threads[i];

		if (qt->live && qt->proc == proc && qt->t[QUIZ_SHOWN] &&
		    thread_tls_offset(qt->t[QUIZ_SHOWN]) == offset)
			return (int)i;
	}
	return -1;
}

/* What a switch's job saw: the register, and whether it read ptr_self. */
struct switch_job {
	uintptr_t reg, self;
};

/* As the thread: note the register and read ptr_self through it. */
static void switch_job(struct kernel *k, struct thread *t, void *arg)
{
	struct switch_job *j = arg;

	(void)t;
	j->reg = kernel_tls_register(k);
	user_read(k, TLS_OFF_SELF, &j->self, sizeof(j->self));
}

/* A secret's or a spy's access, as the thread. */
struct access_job {
	uint64_t off;
	uint8_t bytes[QUIZ_SECRET_LEN];
	bool store;
};

/* As the thread: write or read the bytes at tls+off. */
static void access_job(struct kernel *k, struct thread *t, void *arg)
{
	struct access_job *j = arg;

	(void)t;
	if (j->store)
		user_write(k, j->off, j->bytes, sizeof(j->bytes));
	else
		user_read(k, j->off, j->bytes, sizeof(j->bytes));
}

/*
 * The thread of a switch, secret or spy op died in the shown world: make
 * it exit in the others, so that the same threads live everywhere. Never
 * fails.
 */
static void bury(struct quiz *q, struct quiz_thread *qt)
{
	for (unsigned w = 0; w < q->nworlds; w++)
		if (!thread_dead(qt->t[w]))
			thread_exit(q->worlds[w].k, qt->t[w]);
	qt->live = false;
}

/*
 * A secret (store) or a spy's read, as the op's thread, in the shown
 * world only (see quiz_run_switch); its bytes and fault into op; a
 * secret is remembered. Returns KERR_OK, KERR_HOST_REFUSED or
 * KERR_INVALID_STATE.
 */
enum kernel_error quiz_run_access(struct quiz *q, struct quiz_op *op)
{
	struct quiz_thread *qt = &q->threads[op->thread];
	bool store = op->kind == QOP_SECRET;
	struct access_job j = { .store = store };
	int rc;

	if (store) {
		char text[32];

		snprintf(text, sizeof(text), "%s-key!!!!", qt->name);
		memcpy(op->bytes, text, QUIZ_SECRET_LEN);
		op->offset = TLS_OFF_IPC;
		op->slot = thread_tls_offset(qt->t[QUIZ_SHOWN]);
	}
	j.off = op->offset;
	memcpy(j.bytes, op->bytes, sizeof(j.bytes));
	rc = kernel_run_as(q->worlds[QUIZ_SHOWN].k, qt->t[QUIZ_SHOWN],
			   access_job, &j);
	if (rc == -2)
		return KERR_HOST_REFUSED;
	if (rc < 0)
		return KERR_INVALID_STATE;
	op->faulted = rc == 1;
	op->holder = holder_now(q, op->proc, op->slot);
	if (!store)
		memcpy(op->bytes, j.bytes, sizeof(op->bytes));
	if (op->faulted) {
		bury(q, qt);
		return KERR_OK;
	}
	if (store) {
		struct quiz_secret *s = &q->secrets[q->nsecrets++];

		s->proc = op->proc;
		s->thread = op->thread;
		s->slot = op->slot;
		memcpy(s->bytes, op->bytes, sizeof(s->bytes));
	}
	return KERR_OK;
}

/*
 * Switch to the op's thread in the shown world and read its ptr_self, as
 * `switch T` then `read T self` do. A fault kills the thread; it then
 * exits in the other worlds, so that the same threads live everywhere.
 * Returns KERR_OK, KERR_HOST_REFUSED, or the switch's error.
 *
 * The shown world only: a user fault is caught for the kernel made last
 * on this host thread (cpu/fault.c), which make_worlds makes the shown
 * one; the other worlds only keep the operations valid.
 */
enum kernel_error quiz_run_switch(struct quiz *q, struct quiz_op *op)
{
	struct quiz_thread *qt = &q->threads[op->thread];
	struct kernel *k = q->worlds[QUIZ_SHOWN].k;
	struct process *own = q->procs[op->proc].p[QUIZ_SHOWN];
	struct switch_job j = { 0, 0 };
	const struct process *at;
	enum kernel_error err;
	int rc;

	err = kernel_switch_to(k, qt->t[QUIZ_SHOWN]);
	if (err)
		return err;
	rc = kernel_run_as(k, qt->t[QUIZ_SHOWN], switch_job, &j);
	if (rc == -2)
		return KERR_HOST_REFUSED;
	if (rc < 0)
		return KERR_INVALID_STATE;
	op->faulted = rc == 1;
	at = kernel_process_at(k, j.reg);
	op->reg_proc = op->proc;
	for (unsigned i = 0; i < q->nprocs; i++)
		if (at && q->procs[i].p[QUIZ_SHOWN] == at)
			op->reg_proc = i;
	op->reg_offset = at ? process_offset(at, j.reg) : 0;
	op->holder = holder_now(q, op->reg_proc, op->reg_offset);
	op->self_ok = !op->faulted && process_holds(own, j.self);
	op->self_offset = op->self_ok ? process_offset(own, j.self) : 0;
	if (op->faulted)
		bury(q, qt);
	return KERR_OK;
}

