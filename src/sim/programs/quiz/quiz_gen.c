/*
 * quiz_gen.c - making the problems of `tlssim quiz` (see quiz_gen.h).
 *
 * A problem grows one operation at a time. Before each one the generator
 * looks at the state the earlier ones left (which processes live, which
 * threads, which pages of each user land are free, which of its own
 * mappings it may unmap) and draws one operation among those that are
 * valid there, with fixed weights: mostly spawns, then exits, then the
 * mappings --maps allows, now and then a kill. It then runs that
 * operation on the kernel model at once, so the next choice sees its
 * effect and the answer is the kernel's own: the TLS offset the policy
 * handed out, or the error of a full user land.
 *
 * Why these weights: a spawn is the question the quiz asks; exits free
 * slots that later spawns reuse; a mapping at the lowest free page fills
 * the place first fit would give the next TLS page, and an unmap opens a
 * hole below the TLS pages, which is where first fit and the policies'
 * orders part ways. A kill ends a process's story; a new process (named
 * with the next letter, as a scenario cannot declare a name twice) takes
 * its place so that --processes stay alive.
 *
 * Every operation runs in every world (one kernel per policy). Which
 * threads live is the same in all of them: every policy maps a new page
 * only when its pages are full, and takes it from the same number of free
 * pages, so a spawn fails in one world exactly when it fails in all. Only
 * where the TLS pages lie differs, and a map takes pages free everywhere.
 */
#include <config.h>

#include "quiz_gen.h"
#include "policy/policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the generator ---- */

/* splitmix64: the next 64 random bits. Never fails. */
static uint64_t rng_next(struct quiz *q)
{
	uint64_t z = (q->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * A number in [0, n), every value as likely (draws above the last whole
 * multiple of n are thrown away). n must not be 0.
 */
static uint64_t rng_below(struct quiz *q, uint64_t n)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t x;

	do
		x = rng_next(q);
	while (x >= limit);
	return x % n;
}

/* ---- the state the choices look at ---- */

bool quiz_proc_alive(const struct quiz *q, unsigned i)
{
	return i < q->nprocs && !process_dead(q->procs[i].p[QUIZ_SHOWN]);
}

/* Number of live processes. Never fails. */
static unsigned live_procs(const struct quiz *q)
{
	unsigned n = 0;

	for (unsigned i = 0; i < q->nprocs; i++)
		n += quiz_proc_alive(q, i);
	return n;
}

/* The k-th live process (k below live_procs). */
static unsigned nth_live_proc(const struct quiz *q, uint64_t k)
{
	for (unsigned i = 0; i < q->nprocs; i++)
		if (quiz_proc_alive(q, i) && k-- == 0)
			return i;
	return 0;
}

/* Number of live threads, in every process. Never fails. */
static size_t live_threads(const struct quiz *q)
{
	size_t n = 0;

	for (size_t i = 0; i < q->nthreads; i++)
		n += q->threads[i].live;
	return n;
}

/* The k-th live thread (k below live_threads). */
static unsigned nth_live_thread(const struct quiz *q, uint64_t k)
{
	for (size_t i = 0; i < q->nthreads; i++)
		if (q->threads[i].live && k-- == 0)
			return (unsigned)i;
	return 0;
}

/* The pages of a user land no mapping holds in any world, and how many. */
struct free_pages {
	bool free[QUIZ_LAND_PAGES];
	unsigned count;
};

struct page_scan {
	const struct process *p;
	struct free_pages *fp;
};

/* Mark the pages mapping m covers as not free. Returns nothing. */
static void scan_mapping(void *arg, const struct mapping *m)
{
	struct page_scan *s = arg;
	uint64_t first = process_offset(s->p, m->start) / PAGE_SIZE;
	uint64_t end = first + (m->length + PAGE_SIZE - 1) / PAGE_SIZE;

	for (uint64_t i = first; i < end && i < QUIZ_LAND_PAGES; i++)
		s->fp->free[i] = false;
}

/*
 * Which pages of the i-th process's user land are free in every world,
 * into fp. Never fails.
 */
static void find_free_pages(const struct quiz *q, unsigned i,
			    struct free_pages *fp)
{
	for (unsigned pg = 0; pg < QUIZ_LAND_PAGES; pg++)
		fp->free[pg] = true;
	for (unsigned w = 0; w < q->nworlds; w++) {
		struct page_scan s = { q->procs[i].p[w], fp };

		process_for_each_mapping(s.p, scan_mapping, &s);
	}
	fp->count = 0;
	for (unsigned pg = 0; pg < QUIZ_LAND_PAGES; pg++)
		fp->count += fp->free[pg];
}

/* TLS pages of the i-th process in the shown world (0 once dead). */
static size_t tls_pages(const struct quiz *q, unsigned i)
{
	struct tlsm_stats st;

	process_tls_stats(quiz_process(q, i), &st);
	return st.pages;
}

/* ---- choosing an operation ---- */

/* How often each kind is drawn, among the valid ones. */
static const unsigned kind_weight[QOP_KIND_COUNT] = {
	[QOP_SPAWN] = 60, [QOP_EXIT] = 20, [QOP_MAP] = 15, [QOP_UNMAP] = 10,
	[QOP_KILL] = 2, [QOP_PROCESS] = 40, [QOP_SWITCH] = 30,
};

/*
 * The live processes with a page free in every world into cand (may be
 * NULL); returns how many.
 */
static unsigned procs_with_room(const struct quiz *q, unsigned *cand)
{
	struct free_pages fp;
	unsigned n = 0;

	for (unsigned i = 0; i < q->nprocs; i++) {
		if (!quiz_proc_alive(q, i))
			continue;
		find_free_pages(q, i, &fp);
		if (fp.count && cand)
			cand[n] = i;
		n += fp.count > 0;
	}
	return n;
}

/*
 * The kind of the index-th operation: one of those valid now, drawn by
 * kind_weight. A new process when none is left alive. Never fails.
 */
static enum quiz_op_kind choose_kind(struct quiz *q, size_t index)
{
	bool valid[QOP_KIND_COUNT] = { false };
	unsigned live = live_procs(q), total = 0;
	bool budget = q->maps_used < q->par.maps;
	bool names_left = q->nprocs < QUIZ_MAX_NAMES;
	uint64_t r;

	if (live == 0)
		return QOP_PROCESS;
	valid[QOP_SPAWN] = true;
	valid[QOP_EXIT] = live_threads(q) > 0;
	valid[QOP_MAP] = budget && procs_with_room(q, NULL) > 0;
	valid[QOP_UNMAP] = budget && q->nmaps > 0;
	/* not at once, and never the last process once names run out */
	valid[QOP_KILL] = index >= 4 && (live > 1 || names_left);
	valid[QOP_PROCESS] = live < q->par.processes && names_left;
	/* only when asked, so that other problems keep their draws */
	valid[QOP_SWITCH] = q->par.switches && live_threads(q) > 0;
	for (int k = 0; k < QOP_KIND_COUNT; k++)
		total += valid[k] ? kind_weight[k] : 0;
	r = rng_below(q, total);
	for (int k = 0; k < QOP_KIND_COUNT; k++) {
		if (!valid[k])
			continue;
		if (r < kind_weight[k])
			return (enum quiz_op_kind)k;
		r -= kind_weight[k];
	}
	return QOP_SPAWN;
}

/*
 * Where a map goes: a live process with a page free in every world; half
 * the time its lowest such page (where first fit looks first), else any
 * of them; one to QUIZ_MAP_MAX_PAGES pages, as many as are free there.
 * Some live process must have such a page. Never fails.
 */
static void choose_map(struct quiz *q, struct quiz_op *op)
{
	unsigned cand[QUIZ_MAX_NAMES], n, start = 0, pages, want;
	struct free_pages fp;

	n = procs_with_room(q, cand);
	op->proc = cand[rng_below(q, n)];
	find_free_pages(q, op->proc, &fp);
	if (rng_below(q, 2) == 0) {
		while (!fp.free[start])
			start++;
	} else {
		uint64_t k = rng_below(q, fp.count);

		for (start = 0; !fp.free[start] || k-- > 0; start++)
			;
	}
	want = 1 + (unsigned)rng_below(q, QUIZ_MAP_MAX_PAGES);
	for (pages = 1; pages < want && start + pages < QUIZ_LAND_PAGES &&
	     fp.free[start + pages]; pages++)
		;
	op->offset = (uint64_t)start * PAGE_SIZE;
	op->size = (uint64_t)pages * PAGE_SIZE;
}

/* The operands of op, whose kind is chosen and valid. Never fails. */
static void choose_operands(struct quiz *q, struct quiz_op *op)
{
	const struct quiz_map *m;

	switch (op->kind) {
	case QOP_SPAWN:
	case QOP_KILL:
		op->proc = nth_live_proc(q, rng_below(q, live_procs(q)));
		break;
	case QOP_EXIT:
	case QOP_SWITCH:
		op->thread = nth_live_thread(q, rng_below(q, live_threads(q)));
		op->proc = q->threads[op->thread].proc;
		break;
	case QOP_MAP:
		choose_map(q, op);
		break;
	case QOP_UNMAP:
		m = &q->maps[rng_below(q, q->nmaps)];
		op->proc = m->proc;
		op->offset = m->offset;
		op->size = m->size;
		break;
	default:
		op->proc = q->nprocs;
		break;
	}
}

/* ---- running it in every world ---- */

const struct tls_manager_ops *quiz_policy_of(const struct quiz *q,
					     unsigned i)
{
	size_t n = 0;

	if (!q->par.mixed)
		return q->par.policy;
	while (tls_policy_at(n))
		n++;
	return tls_policy_at(i % n);
}

/* A process's TLS pages in the manager's order, as it reports them. */
struct page_list {
	struct tlsm_page page[QUIZ_MAX_TLS_PAGES];
	unsigned n;
};

/* Add one page to the struct page_list at arg. Returns nothing. */
static void list_page(void *arg, const struct tlsm_page *page)
{
	struct page_list *l = arg;

	if (l->n < QUIZ_MAX_TLS_PAGES)
		l->page[l->n++] = *page;
}

/* The TLS pages of the i-th process in the shown world into l. */
static void list_pages(const struct quiz *q, unsigned i, struct page_list *l)
{
	l->n = 0;
	process_for_each_tls_page(quiz_process(q, i), list_page, l);
}

/*
 * Why the spawn op landed where it did, from the pages before it
 * (before) and the kernel's answer: op's page_rank, first_room,
 * lowest_room, has_room, used_before and lower_free. Never fails.
 */
static void explain_spawn(const struct quiz *q, struct quiz_op *op,
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

		op->used_before += before->page[i].used;
		if (before->page[i].used >= TLS_PER_PAGE)
			continue;
		if (!op->has_room || off < op->lowest_room)
			op->lowest_room = off;
		if (!op->has_room)
			op->first_room = off;
		op->has_room = true;
	}
	list_pages(q, op->proc, &after);
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
static void explain_exit(const struct quiz *q, struct quiz_op *op)
{
	const struct process *p = quiz_process(q, op->proc);
	uintptr_t base = process_userland_start(p);
	struct page_list after;
	struct mapping m;

	op->unmapped = !process_mapping_at(p, op->page, &m) ||
		       m.type != MEM_THREAD_LOCAL;
	op->left_on_page = 0;
	list_pages(q, op->proc, &after);
	for (unsigned i = 0; i < after.n; i++)
		if (after.page[i].address - base == op->page)
			op->left_on_page = after.page[i].used;
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

/*
 * Switch to the op's thread in every world and read its ptr_self, as
 * `switch T` then `read T self` do. A fault kills the thread; where it
 * faulted in some worlds only, it exits in the others, so that the same
 * threads live everywhere. Returns KERR_OK, KERR_HOST_REFUSED, or the
 * switch's error.
 */
static enum kernel_error run_switch(struct quiz *q, struct quiz_op *op)
{
	struct quiz_thread *qt = &q->threads[op->thread];
	bool died = false;

	for (unsigned w = 0; w < q->nworlds; w++) {
		struct kernel *k = q->worlds[w].k;
		struct switch_job j = { 0, 0 };
		enum kernel_error err;
		const struct process *at;
		int rc;

		err = kernel_switch_to(k, qt->t[w]);
		if (err)
			return err;
		rc = kernel_run_as(k, qt->t[w], switch_job, &j);
		if (rc == -2)
			return KERR_HOST_REFUSED;
		if (rc < 0)
			return KERR_INVALID_STATE;
		died = died || rc == 1;
		if (w != QUIZ_SHOWN)
			continue;
		op->faulted = rc == 1;
		at = kernel_process_at(k, j.reg);
		op->reg_proc = op->proc;
		for (unsigned i = 0; i < q->nprocs; i++)
			if (at && q->procs[i].p[w] == at)
				op->reg_proc = i;
		op->reg_offset = at ? process_offset(at, j.reg) : 0;
	}
	if (!died)
		return KERR_OK;
	for (unsigned w = 0; w < q->nworlds; w++)
		if (!thread_dead(qt->t[w]))
			thread_exit(q->worlds[w].k, qt->t[w]);
	qt->live = false;
	return KERR_OK;
}

/*
 * The next process, named with the next letter, with an empty user land
 * in every world. Returns 0, or process_create's error (-ENOMEM: the host
 * refused).
 */
static int new_process(struct quiz *q)
{
	struct quiz_proc *qp = &q->procs[q->nprocs];
	int err;

	qp->name[0] = (char)('A' + q->nprocs);
	qp->name[1] = '\0';
	qp->next_thread = 1;
	for (unsigned w = 0; w < q->nworlds; w++) {
		err = process_create(q->worlds[w].k, qp->name, QUIZ_LAND_SIZE,
				     w == QUIZ_SHOWN ?
				     quiz_policy_of(q, q->nprocs) :
				     q->worlds[w].policy, &qp->p[w]);
		if (err)
			return err;
	}
	q->nprocs++;
	return 0;
}

/*
 * Spawn the process's next thread in every world. A full user land is an
 * answer, not an error: op->err says so for the shown world. Returns
 * KERR_OK, or any other error.
 */
static enum kernel_error spawn(struct quiz *q, struct quiz_op *op)
{
	struct quiz_proc *qp = &q->procs[op->proc];
	struct quiz_thread *qt = &q->threads[q->nthreads];
	struct page_list before;

	list_pages(q, op->proc, &before);
	snprintf(qt->name, sizeof(qt->name), "%c%u",
		 qp->name[0] - 'A' + 'a', qp->next_thread++);
	qt->proc = op->proc;
	qt->live = true;
	op->thread = (unsigned)q->nthreads++;
	for (unsigned w = 0; w < q->nworlds; w++) {
		enum kernel_error err;

		err = thread_create(q->worlds[w].k, qp->p[w], qt->name, NULL,
				    NULL, &qt->t[w]);
		if (err && err != KERR_VIRTUAL_MEMORY_EXHAUSTION)
			return err;
		if (err)
			qt->t[w] = NULL;
		qt->live = qt->live && !err;
		if (w == QUIZ_SHOWN)
			op->err = err;
	}
	if (!op->err) {
		op->tls = thread_tls_offset(qt->t[QUIZ_SHOWN]);
		explain_spawn(q, op, &before);
	}
	return KERR_OK;
}

/*
 * Forget the quiz's own mappings of process proc that start in
 * [off, end). Never fails.
 */
static void forget_maps(struct quiz *q, unsigned proc, uint64_t off,
			uint64_t end)
{
	size_t kept = 0;

	for (size_t i = 0; i < q->nmaps; i++)
		if (q->maps[i].proc != proc || q->maps[i].offset < off ||
		    q->maps[i].offset >= end)
			q->maps[kept++] = q->maps[i];
	q->nmaps = kept;
}

/*
 * The kill of process proc: its threads are dead now, its maps gone.
 * Never fails.
 */
static void forget_proc(struct quiz *q, unsigned proc)
{
	for (size_t i = 0; i < q->nthreads; i++)
		if (q->threads[i].proc == proc)
			q->threads[i].live = false;
	forget_maps(q, proc, 0, UINT64_MAX);
}

/* Run op (not a spawn) in world w. Returns the kernel's error. */
static enum kernel_error run_in_world(struct quiz *q,
				      const struct quiz_op *op, unsigned w)
{
	struct kernel *k = q->worlds[w].k;
	struct process *p = q->procs[op->proc].p[w];

	switch (op->kind) {
	case QOP_EXIT:
		return thread_exit(k, q->threads[op->thread].t[w]);
	case QOP_MAP:
		return process_map(k, p, op->offset, op->size, MEM_NORMAL,
				   MAR_U_RW);
	case QOP_UNMAP:
		return process_unmap(k, p, op->offset, op->size);
	case QOP_KILL:
		return process_kill(k, p);
	default:
		return KERR_OK;
	}
}

/* Run op in every world and note what it changed. Returns the error. */
static enum kernel_error run_op(struct quiz *q, struct quiz_op *op)
{
	enum kernel_error err = KERR_OK;

	if (op->kind == QOP_SPAWN)
		return spawn(q, op);
	if (op->kind == QOP_SWITCH)
		return run_switch(q, op);
	if (op->kind == QOP_EXIT)
		op->page = thread_tls_offset(q->threads[op->thread].t[QUIZ_SHOWN]) &
			   ~(uint64_t)(TLSM_PAGE_SIZE - 1);
	for (unsigned w = 0; w < q->nworlds && !err; w++)
		err = run_in_world(q, op, w);
	switch (op->kind) {
	case QOP_EXIT:
		q->threads[op->thread].live = false;
		if (!err)
			explain_exit(q, op);
		break;
	case QOP_MAP:
		q->maps[q->nmaps++] = (struct quiz_map){ op->proc, op->offset,
							 op->size };
		q->maps_used++;
		break;
	case QOP_UNMAP:
		forget_maps(q, op->proc, op->offset, op->offset + op->size);
		q->maps_used++;
		break;
	case QOP_KILL:
		forget_proc(q, op->proc);
		break;
	default:
		break;
	}
	return err;
}

static const char *const kind_names[QOP_KIND_COUNT] = {
	"spawn", "exit", "map", "unmap", "kill", "process", "switch",
};

/*
 * Choose the index-th operation and run it. Returns 0; -ENOMEM when the
 * host refused; -EIO when a kernel failed a valid operation.
 */
static int step(struct quiz *q, size_t index)
{
	struct quiz_op *op = &q->ops[index];
	enum kernel_error err;

	op->kind = choose_kind(q, index);
	choose_operands(q, op);
	if (op->kind == QOP_PROCESS)
		return new_process(q);
	op->pages_before = tls_pages(q, op->proc);
	err = run_op(q, op);
	op->pages_after = tls_pages(q, op->proc);
	if (err == KERR_HOST_REFUSED) {
		fprintf(stderr, "tlssim: quiz: %s\n", kernel_host_error());
		return -ENOMEM;
	}
	if (err) {
		fprintf(stderr, "tlssim: quiz: operation %zu (%s) failed: %s\n",
			index + 1, kind_names[op->kind],
			kernel_error_name(err));
		return -EIO;
	}
	return 0;
}

/*
 * One world per policy of the table, par's policy first. Returns 0;
 * -EIO when the table has more policies than QUIZ_MAX_WORLDS (the worlds
 * would then depend on --policy, and so would the problem); kernel_init's
 * error.
 */
static int make_worlds(struct quiz *q)
{
	const struct tls_manager_ops *ops;
	int err;

	q->worlds[q->nworlds++].policy = q->par.policy;
	for (size_t i = 0; (ops = tls_policy_at(i)) != NULL; i++) {
		if (ops == q->par.policy)
			continue;
		if (q->nworlds == QUIZ_MAX_WORLDS) {
			fprintf(stderr, "tlssim: quiz: more policies than QUIZ_MAX_WORLDS\n");
			return -EIO;
		}
		q->worlds[q->nworlds++].policy = ops;
	}
	for (unsigned w = 0; w < q->nworlds; w++) {
		err = kernel_create(ARCH_MOCK, q->par.no_tls_restore,
				    &q->worlds[w].k);
		if (err)
			return err == -ENOMEM ? err : -EIO;
		q->worlds[w].up = true;
	}
	return 0;
}

int quiz_make(struct quiz *q, const struct quiz_params *par)
{
	int err;

	memset(q, 0, sizeof(*q));
	q->par = *par;
	q->rng = par->seed;
	q->ops = calloc(par->ops, sizeof(*q->ops));
	q->threads = calloc(par->ops, sizeof(*q->threads));
	if (!q->ops || !q->threads)
		return -ENOMEM;
	err = make_worlds(q);
	if (err)
		return err;
	for (unsigned i = 0; i < par->processes; i++) {
		err = new_process(q);
		if (err)
			return err;
	}
	for (size_t i = 0; i < par->ops; i++) {
		err = step(q, i);
		if (err)
			return err;
		q->nops++;
	}
	return 0;
}

void quiz_free(struct quiz *q)
{
	for (unsigned w = 0; w < q->nworlds; w++) {
		if (q->worlds[w].up)
			kernel_destroy(q->worlds[w].k);
		q->worlds[w].up = false;
	}
	free(q->ops);
	free(q->threads);
	q->ops = NULL;
	q->threads = NULL;
}
