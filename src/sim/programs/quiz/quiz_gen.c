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
#include "quiz_run.h"
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
	[QOP_SECRET] = 40, [QOP_SPY] = 60,
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

/* Whether a secret's writer has exited (its region may be reused). */
static bool freed_secrets(const struct quiz *q)
{
	for (size_t i = 0; i < q->nsecrets; i++)
		if (!q->threads[q->secrets[i].thread].live)
			return true;
	return false;
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
	valid[QOP_SECRET] = q->par.spies && live_threads(q) > 0;
	valid[QOP_SPY] = valid[QOP_SECRET] && freed_secrets(q);
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

/*
 * The region a spy reads, as op's offset from its own region (at its
 * ipc) and size: the k-th (modulo) region of its process whose secret's
 * writer has exited, within reach above it in the shown world, else the
 * region just above its own. The draw k is made whatever the worlds hold,
 * so later operations do not depend on the policy. Never fails.
 */
static void choose_target(struct quiz *q, struct quiz_op *op, uint64_t k)
{
	uint64_t own = thread_tls_offset(q->threads[op->thread].t[QUIZ_SHOWN]);
	uint64_t cand[QUIZ_MAX_OPS];
	size_t n = 0;

	for (size_t i = 0; i < q->nsecrets; i++) {
		const struct quiz_secret *s = &q->secrets[i];
		bool dup = false;

		if (s->proc != op->proc || q->threads[s->thread].live ||
		    s->slot <= own ||
		    s->slot - own + TLS_OFF_IPC + QUIZ_SECRET_LEN > USER_REACH_MAX)
			continue;
		for (size_t j = 0; j < n; j++)
			dup = dup || cand[j] == s->slot;
		if (!dup)
			cand[n++] = s->slot;
	}
	op->slot = n ? cand[k % n] : own + TLS_SIZE;
	op->offset = op->slot - own + TLS_OFF_IPC;
	op->size = QUIZ_SECRET_LEN;
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
	case QOP_SECRET:
		op->thread = nth_live_thread(q, rng_below(q, live_threads(q)));
		op->proc = q->threads[op->thread].proc;
		break;
	case QOP_SPY:
		op->thread = nth_live_thread(q, rng_below(q, live_threads(q)));
		op->proc = q->threads[op->thread].proc;
		choose_target(q, op, rng_below(q, 1u << 16));
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

	quiz_list_pages(q, op->proc, &before);
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
		quiz_explain_spawn(q, op, &before);
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
		return quiz_run_switch(q, op);
	if (op->kind == QOP_SECRET || op->kind == QOP_SPY)
		return quiz_run_access(q, op);
	if (op->kind == QOP_EXIT)
		op->page = thread_tls_offset(q->threads[op->thread].t[QUIZ_SHOWN]) &
			   ~(uint64_t)(TLSM_PAGE_SIZE - 1);
	for (unsigned w = 0; w < q->nworlds && !err; w++)
		err = run_in_world(q, op, w);
	switch (op->kind) {
	case QOP_EXIT:
		q->threads[op->thread].live = false;
		if (!err)
			quiz_explain_exit(q, op);
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
	"write", "read",
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
	/* the shown world last: its CPU catches user faults (quiz_run.c) */
	for (unsigned w = q->nworlds; w-- > 0;) {
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
