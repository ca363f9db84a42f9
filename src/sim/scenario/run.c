/*
 * run.c - run a scenario: a fresh kernel, then one step per command, each
 * told to the reporter (and to a second one, if any), and a summary at the
 * end, while the kernel is still up. An unexpected panic or a host refusal
 * stops the run; so does a failure with --fail-fast. A loaded scenario's
 * commands are all in memory; an opened one (scenario_open) is read again
 * and each command parsed just before it runs, then let go, and the
 * runner lets go of each thread no later command names, and of each dead
 * process (process_release) once neither a later command nor a thread
 * name still held names it.
 */
#include <config.h>

#include "runner.h"
#include "hostmem.h"
#include "kernel/kernel.h"
#include "report/progress.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One run: the runner, who is told, and where the steps are described. */
struct run {
	struct runner r;
	const struct run_options *opt;
	const struct reporter *rep;
	struct step_buf *buf;
	size_t done;			/* commands run */
	struct progress pg;
};

/* Run one command and tell the reporters. Returns whether to go on. */
static bool run_one(void *ctx, const struct scn_cmd *c)
{
	struct run *run = ctx;
	const struct reporter *also = run->opt->also;
	struct step_report sr;
	bool news;

	runner_step(&run->r, c, run->buf, &sr);
	news = sr.narration || sr.observed || sr.show || sr.check_failure ||
	       sr.message;
	/* what the step prints starts on a line of its own */
	if (news)
		progress_clear(&run->pg);
	news |= sr.verdict != STEP_HELD;
	if (news || !run->rep->news_only)
		run->rep->step(run->rep->ctx, &sr);
	if (also && (news || !also->news_only))
		also->step(also->ctx, &sr);
	run->done++;
	progress_tick(&run->pg, run->done);
	return !run->r.stop;
}

/* th_how's bit for an entry runner_forget_threads is emptying. */
#define HOW_FORGOTTEN 0x80

/* Thread i's kernel record goes back; no event names it from now on. */
static void give_back(struct runner *r, size_t i)
{
	struct run_thread *rt = &r->th[i];

	tidmap_del(&r->th_by_tid, thread_tid(rt->t), i);
	thread_release(r->k, rt->t);
	rt->t = NULL;
}

void runner_release_dead(struct runner *r)
{
	for (size_t j = 0; j < r->late_n; j++)
		thread_release(r->k, r->late[j]);
	r->late_n = 0;
	while (r->dead_unreleased != SCN_NONE) {
		size_t i = r->dead_unreleased;
		struct run_thread *rt = &r->th[i];

		r->dead_unreleased = rt->next_dead == UINT32_MAX ?
				     SCN_NONE : rt->next_dead;
		if (r->th_how[i] & HOW_FORGOTTEN)
			continue;	/* runner_forget_threads takes it */
		/* its name, if a later line names it, outlives the record */
		if (r->names && !r->names->own(r->names_ctx, i))
			continue;	/* kept: runner_forget_threads lets it go */
		give_back(r, i);
	}
}

/*
 * A dead forgotten thread's record goes back at the next step, once the
 * stream has forgotten its name (which may be the record's bytes, and
 * which the stream reads once more): no copy of a name about to go. Out
 * of memory for the list, it gets bytes of its own and goes now, or,
 * failing that too, stays the kernel's until the end.
 */
static void give_back_late(struct runner *r, size_t i)
{
	struct thread **late = r->late;

	if (r->late_n == r->late_cap) {
		size_t cap = r->late_cap ? 2 * r->late_cap : 16;

		late = realloc(r->late, cap * sizeof(*late));
		if (late) {
			r->late = late;
			r->late_cap = cap;
		}
	}
	if (late) {
		tidmap_del(&r->th_by_tid, thread_tid(r->th[i].t), i);
		r->late[r->late_n++] = r->th[i].t;
	} else if (!r->names || r->names->own(r->names_ctx, i)) {
		give_back(r, i);
	}
}

void runner_forget_threads(struct runner *r, const size_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] < r->th_cap && r->th_how[v[i]])
			r->th_how[v[i]] |= HOW_FORGOTTEN;
	runner_release_dead(r);
	for (size_t i = 0; i < n; i++) {
		if (v[i] >= r->th_cap)
			continue;
		if (r->th[v[i]].t) {
			if (r->th_how[v[i]])
				give_back_late(r, v[i]);
			else
				give_back(r, v[i]);	/* the kernel's till it dies */
		}
		memset(&r->th[v[i]], 0, sizeof(r->th[v[i]]));
		r->th_how[v[i]] = 0;
	}
}

bool runner_forget_process(struct runner *r, size_t i)
{
	struct process *p = i < r->procs_cap ? r->procs[i] : NULL;

	if (!p)
		return true;
	if (r->keep_processes || !process_dead(p))
		return false;
	/* its dead threads' records first: it is freed once none is left */
	runner_release_dead(r);
	narration_forget_process(&r->narr, p);
	process_release(r->k, p);
	r->procs[i] = NULL;
	return true;
}

/*
 * Grow *v, of *cap entries of size bytes (fewer than need), to hold at
 * least need, the new ones zeroed. Returns false when memory ran out (*v
 * unchanged).
 */
static bool grow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 16;
	char *nv;

	while (ncap < need)
		ncap *= 2;
	nv = realloc(*v, ncap * size);
	if (!nv)
		return false;
	memset(nv + *cap * size, 0, (ncap - *cap) * size);
	*v = nv;
	*cap = ncap;
	return true;
}

/* *v holds need entries, grown if it must be (grow). */
static inline bool fit(void **v, size_t *cap, size_t need, size_t size)
{
	return need <= *cap || grow(v, cap, need, size);
}

/* Room for every name declared so far (runner.h). */
bool runner_fit(struct runner *r)
{
	const struct scenario *scn = r->scn;
	size_t th_cap = r->th_cap;

	return fit((void **)&r->procs, &r->procs_cap, scn->process_count,
		   sizeof(*r->procs)) &&
	       fit((void **)&r->th_how, &th_cap, scn->thread_count,
		   sizeof(*r->th_how)) &&
	       fit((void **)&r->th, &r->th_cap, scn->thread_count,
		   sizeof(*r->th)) &&
	       fit((void **)&r->reg, &r->reg_cap, scn->region_count,
		   sizeof(*r->reg));
}

size_t runner_thread_of(const struct runner *r, const struct thread *t)
{
	size_t i = r->cmd ? r->cmd->thread : SCN_NONE;

	/* most often the thread the command names: no lookup then */
	if (i < r->th_cap && r->th[i].t == t)
		return i;
	if (r->names)
		i = r->names->find(r->names_ctx, thread_name(t));
	else
		i = tidmap_get(&r->th_by_tid, thread_tid(t));
	if (i == SCN_NONE || i >= r->th_cap || r->th[i].t != t)
		return SCN_NONE;
	return i;
}

/* A streamed run's lookup of a thread name: the stream's table of them. */
static size_t stream_thread_named(void *ctx, const char *name)
{
	struct scn_stream *st = ctx;

	return name_find(&st->p.threads, name, strlen(name));
}

/* A spawned thread's name is the kernel's bytes from now on. */
static void stream_name_borrow(void *ctx, size_t thread, const char *bytes)
{
	struct scn_stream *st = ctx;

	name_borrow(&st->p.threads, thread, bytes);
}

/* What the runner itself hears of the kernel (on_event): deaths and faults. */
#define RUNNER_EVENTS ((1u << EV_THREAD_EXIT) | (1u << EV_FAULT))

void runner_set_tracing(struct runner *r, bool on)
{
	bool all = on || r->narrating;

	r->tracing = on;
	/* the register of a switch is shown only in a trace or a story */
	kernel_read_back_register(r->k, all);
	/* and the other events too: a quiet run is not told them */
	kernel_trace_kinds(r->k, all ? TRACE_ALL_KINDS : RUNNER_EVENTS);
}

/* Name thread owns its bytes again, before the kernel's record goes. */
static bool stream_name_own(void *ctx, size_t thread)
{
	struct scn_stream *st = ctx;

	return name_own(&st->p.threads, &st->p.names, thread);
}

static const struct runner_names stream_names = {
	.find = stream_thread_named,
	.borrow = stream_name_borrow,
	.own = stream_name_own,
};

void runner_ahead(void *ctx, size_t i, int stage)
{
	struct runner *r = ctx;

	if (i >= r->th_cap)
		return;
	if (stage == 0) {
		__builtin_prefetch(&r->th[i]);
		__builtin_prefetch(&r->th_how[i]);
	} else if (r->th[i].t) {
		thread_prefetch(r->th[i].t);
	}
}

/* The stream forgets threads no later command names. */
static void forget_threads(void *ctx, const size_t *threads, size_t n)
{
	struct run *run = ctx;

	runner_forget_threads(&run->r, threads, n);
}

/* The stream would forget a process no later command names. */
static bool forget_process(void *ctx, size_t process)
{
	struct run *run = ctx;

	return runner_forget_process(&run->r, process);
}

/*
 * Run an opened scenario's commands as they are read. Returns 0, or
 * RUN_MALFORMED / RUN_HOST when it could not be read again (told on the
 * error stream).
 */
static int run_streamed(struct run *run, const struct scenario *scn,
			struct scn_stream *st)
{
	struct diag *d = diag_new_stream(run->opt->err, run->opt->color);
	int err;

	if (!d) {
		host_say_no_memory(run->opt->err);
		return RUN_HOST;
	}
	scn_stream_begin(st, scn, d);
	scn_stream_recycle(st, forget_threads);
	scn_stream_recycle_processes(st, forget_process);
	st->p.ahead = runner_ahead;
	st->p.ahead_ctx = &run->r;
	run->r.names = &stream_names;
	run->r.names_ctx = st;
	run->r.scn = &st->view;
	err = scn_stream_run(st, run_one, run);
	run->r.cmd = NULL;	/* it was the stream's */
	diag_free(d);
	if (err == -ENOMEM || err == -EIO)
		return RUN_HOST;
	return err ? RUN_MALFORMED : 0;
}

bool run_shows_progress(const struct run_options *opt)
{
	return !opt->no_progress && !opt->verbose &&
	       (!opt->trace || opt->trace_to);
}

int scenario_run(const struct scenario *scn, const struct run_options *opt)
{
	struct text_reporter tr = {
		.out = opt->out, .err = opt->err, .quiet = opt->quiet,
		.verbose = opt->verbose, .color = opt->color,
		.err_color = opt->err_color,
	};
	struct reporter text = text_reporter(&tr);
	struct run run = {
		.opt = opt, .rep = opt->reporter ? opt->reporter : &text,
	};
	struct scn_stream st;
	struct run_summary sum;
	int err;

	memset(&st, 0, sizeof(st));	/* scn_stream_end of nothing is safe */
	run.buf = malloc(sizeof(*run.buf));
	if (!run.buf) {
		host_say_no_memory(opt->err);
		return RUN_HOST;
	}
	err = runner_init(&run.r, scn, opt);
	if (err) {
		free(run.buf);
		return err;
	}
	run.r.held_texts = !run.rep->texts_on_failure ||
			   (opt->also && !opt->also->texts_on_failure);
	run.r.keep_processes = run.rep->all_processes ||
			       (opt->also && opt->also->all_processes);
	progress_begin(&run.pg, opt->err, !run_shows_progress(opt), "commands",
		       scn->cmd_count);
	if (scn->stream) {
		err = run_streamed(&run, scn, &st);
	} else {
		for (size_t i = 0; i < scn->cmd_count && !run.r.stop; i++)
			run_one(&run, &scn->cmds[i]);
	}
	progress_end(&run.pg);
	sum = (struct run_summary){
		.file = scn->file_name, .status = run.r.status,
		.commands = scn->cmd_count, .failures = run.r.failures,
		.expectations = run.r.expectations, .kernel = run.r.k,
		.stop_line = run.r.stop_line,
		.owner = runner_region_owner, .owner_ctx = &run.r,
	};
	if (err > sum.status)
		sum.status = err;
	run.rep->summary(run.rep->ctx, &sum);
	if (opt->also)
		opt->also->summary(opt->also->ctx, &sum);
	runner_fini(&run.r);
	if (scn->stream)
		scn_stream_end(&st);
	free(run.buf);
	return sum.status;
}
