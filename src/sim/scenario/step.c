/*
 * step.c - the runner's step: one command executed on the kernel under a
 * panic catch, its outcome (done, KernelError, panic, fault, host refusal)
 * judged against what its `expect` prefix asked for, and all of it
 * described for a reporter. Also the runner's lifetime, and its listener
 * of kernel events (deaths of threads, traces).
 */
#include <config.h>

#include "runner.h"
#include "hostmem.h"
#include "kernel/kernel.h"
#include "report/place.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- the runner's lifetime and its listener ---- */

/*
 * The scenario's name of the raw region a TLS event of the command being
 * run is about (`tls-alloc P as NAME`, `tls-free P NAME`), or NULL.
 */
static const char *event_region(const struct runner *r,
				const struct trace_event *ev)
{
	const struct scn_cmd *c = r->cmd;

	if (ev->thread || !c || (c->kind != SCN_TLS_ALLOC &&
				 c->kind != SCN_TLS_FREE) ||
	    c->region == SCN_NONE)
		return NULL;
	return r->scn->regions[c->region].name;
}

/* How a thread died, by enum death_how (DEATH_NONE: alive). */
static const char *const death_hows[] = {
	[DEATH_UNKNOWN] = "is dead", [DEATH_EXITED] = "exited",
	[DEATH_WITH_PROCESS] = "died with its process",
	[DEATH_FAULTED] = "faulted",
};

/*
 * The event goes into the step's story: a thread's death says how (i:
 * the dying thread's entry, or SCN_NONE).
 */
static void narrate_event(struct runner *r, const struct trace_event *ev,
			  size_t i)
{
	const char *note = NULL;

	if (ev->kind == EV_THREAD_EXIT && ev->thread)
		note = death_hows[i != SCN_NONE ? r->th_how[i] : r->death_how];
	narration_event(&r->narr, ev, event_region(r, ev), note);
}

/*
 * Every kernel event the runner takes passes here (all of them for a trace
 * or a story, else deaths and faults: runner_set_tracing): a thread's
 * death is noted with how it went and the line that caused it (its first
 * reason sticks), then the event goes on to the story and the trace, if
 * any.
 */
static void on_event(void *ctx, const struct trace_event *ev)
{
	struct runner *r = ctx;
	size_t i = SCN_NONE;

	if (ev->kind == EV_FAULT)
		r->death_how = DEATH_FAULTED;
	if (ev->kind == EV_THREAD_EXIT && ev->thread)
		i = runner_thread_of(r, ev->thread);
	if (i != SCN_NONE) {
		struct run_thread *rt = &r->th[i];

		if (!r->th_how[i]) {
			size_t line = r->cmd ? r->cmd->line : 0;

			r->th_how[i] = r->death_how ? r->death_how
						    : DEATH_UNKNOWN;
			rt->death_line = line < UINT32_MAX ? (uint32_t)line
							   : UINT32_MAX;
			rt->next_dead = r->dead_unreleased == SCN_NONE ?
					UINT32_MAX : (uint32_t)r->dead_unreleased;
			r->dead_unreleased = i;
		}
	}
	if (r->narrating)
		narrate_event(r, ev, i);
	if (r->tracing)
		trace_out_event(&r->trace, ev);
}

static void free_tables(struct runner *r)
{
	free(r->procs);
	free(r->th);
	free(r->th_how);
	free(r->late);
	tidmap_free(&r->th_by_tid);
	free(r->reg);
}

int runner_init(struct runner *r, const struct scenario *scn,
		const struct run_options *opt)
{
	int err;

	memset(r, 0, sizeof(*r));
	kernel_inject_map_fail(0);
	r->scn = scn;
	r->opt = opt;
	r->procs_cap = scn->process_count + 1;
	r->th_cap = scn->thread_count + 1;
	r->reg_cap = scn->region_count + 1;
	r->procs = calloc(r->procs_cap, sizeof(*r->procs));
	r->th = calloc(r->th_cap, sizeof(*r->th));
	r->th_how = calloc(r->th_cap, sizeof(*r->th_how));
	r->reg = calloc(r->reg_cap, sizeof(*r->reg));
	if (!r->procs || !r->th || !r->th_how || !r->reg) {
		host_say_no_memory(opt->err);
		err = RUN_HOST;
		goto out_free;
	}
	r->dead_unreleased = SCN_NONE;
	r->held_texts = true;
	err = kernel_create(opt->arch, opt->no_tls_restore, &r->k);
	if (err == -ENOTSUP) {
		char why[256];

		err = arch_backend_why_not(opt->arch, why, sizeof(why)) ?
		      RUN_HOST : RUN_MALFORMED;
		fprintf(opt->err, "tlssim: %s\n", why);
		goto out_free;
	}
	if (err) {
		fprintf(opt->err, "tlssim: cannot bring up the simulated CPU: %s\n",
			strerror(-err));
		err = RUN_HOST;
		goto out_free;
	}
	err = kernel_set_cpus(r->k, opt->cpus ? opt->cpus : 1);
	if (err) {
		fprintf(opt->err, "tlssim: the host refused %u CPUs: %s\n",
			opt->cpus, strerror(-err));
		kernel_destroy(r->k);
		err = RUN_HOST;
		goto out_free;
	}
	if (opt->trace)
		trace_out_init(&r->trace, opt->trace_to ? opt->trace_to : opt->out,
			       opt->trace_format, scn->file_name);
	if (opt->narrate) {
		r->narrating = true;
		kernel_explain_tls(r->k, true);
	}
	kernel_set_trace(r->k, on_event, r);
	runner_set_tracing(r, opt->trace);
	return 0;

out_free:
	free_tables(r);
	return err;
}

void runner_fini(struct runner *r)
{
	kernel_set_trace(r->k, NULL, NULL);	/* the teardown is not traced */
	kernel_destroy(r->k);
	free_tables(r);
	narration_free(&r->narr);
}

const char *runner_thread_name(const struct runner *r, size_t i)
{
	return r->scn->threads[i].name;
}

/* ---- for executors ---- */

void step_error(struct step *s, enum kernel_error err)
{
	if (err == KERR_OK)
		return;
	if (err == KERR_HOST_REFUSED) {
		/* the simulator's own limit, never the simulated kernel's */
		s->o.kind = OUT_HOST;
		snprintf(s->o.message, sizeof(s->o.message), "%s",
			 kernel_host_error());
		return;
	}
	s->o.kind = OUT_ERROR;
	s->o.err = err;
}

void step_expect(struct step *s)
{
	s->checked = true;
}

void step_fail(struct step *s, const char *fmt, ...)
{
	va_list ap;

	s->checked = true;
	va_start(ap, fmt);
	vsnprintf(s->failure, sizeof(s->failure), fmt, ap);
	va_end(ap);
}

/* ---- judging ---- */

/* A command's source text without its comment, quoted for messages. */
static void cmd_text(const struct runner *r, const struct scn_cmd *c,
		     char *buf, size_t size)
{
	size_t len;
	const char *src = scn_cmd_source(r->scn, c, &len);
	bool quoted = false;

	for (size_t i = 0; i < len; i++) {
		if (quoted && src[i] == '\\')
			i++;
		else if (src[i] == '"')
			quoted = !quoted;
		else if (!quoted && src[i] == '#')
			len = i;
	}
	while (len > 0 && (src[len - 1] == '\r' || src[len - 1] == ' ' ||
			   src[len - 1] == '\t'))
		len--;
	diag_quote(buf, size, src, len);
}

/* Describe an outcome for "got ..." in messages. */
static void outcome_text(const struct outcome *o, char *buf, size_t size)
{
	switch (o->kind) {
	case OUT_DONE:
		snprintf(buf, size, "success");
		break;
	case OUT_ERROR:
		snprintf(buf, size, "KernelError %s%s%s%s",
			 kernel_error_name(o->err), o->message[0] ? " (" : "",
			 o->message, o->message[0] ? ")" : "");
		break;
	case OUT_PANIC:
		snprintf(buf, size, "kernel panic \"%s\"", o->message);
		break;
	case OUT_FAULT:
		snprintf(buf, size, "fault (%s)", o->message);
		break;
	case OUT_HOST:
		snprintf(buf, size, "host refusal (%s)", o->message);
		break;
	}
}

static bool contains(const char *hay, const struct scn_bytes *needle)
{
	if (needle->len == 0)
		return true;
	return memmem(hay, strlen(hay), needle->data, needle->len) != NULL;
}

/* Whether the outcome is what the command's `expect` prefix asked for. */
static bool outcome_matches(const struct scn_cmd *c, const struct outcome *o)
{
	switch (c->expect.kind) {
	case SCN_OUTCOME_NORMAL:
		return o->kind == OUT_DONE;
	case SCN_OUTCOME_PANIC:
		return o->kind == OUT_PANIC &&
		       contains(o->message, &c->expect.panic_text);
	case SCN_OUTCOME_ERROR:
		return o->kind == OUT_ERROR && o->err == c->expect.error;
	case SCN_OUTCOME_FAULT:
		return o->kind == OUT_FAULT;
	}
	return false;
}

/*
 * What an expectation of an outcome expected, as words for a verdict
 * ("success", "panic \"...\"", "error InvalidSize"), into buf.
 */
static void expected_text(const struct scn_cmd *c, char *buf, size_t size)
{
	char text[64];

	switch (c->expect.kind) {
	case SCN_OUTCOME_NORMAL:
		snprintf(buf, size, "success");
		break;
	case SCN_OUTCOME_PANIC:
		diag_quote(text, sizeof(text),
			   (const char *)c->expect.panic_text.data,
			   c->expect.panic_text.len);
		snprintf(buf, size, "a kernel panic containing \"%s\"", text);
		break;
	case SCN_OUTCOME_ERROR:
		snprintf(buf, size, "KernelError %s",
			 kernel_error_name(c->expect.error));
		break;
	case SCN_OUTCOME_FAULT:
		snprintf(buf, size, "a fault");
		break;
	}
}

/* A failure: counted; with --fail-fast the run stops after it. */
static void count_failure(struct runner *r)
{
	r->failures++;
	if (r->status < RUN_FAILED)
		r->status = RUN_FAILED;
	if (r->opt->fail_fast)
		r->stop = true;
}

/*
 * Judge the outcome o of c (matches: outcome_matches(c, o)): its verdict,
 * and the message for one that was not expected (into buf).
 */
static enum step_verdict judge(struct runner *r, const struct scn_cmd *c,
			       const struct outcome *o, bool matches,
			       const char *text, const char *got, char *buf,
			       size_t size)
{
	char want[128];

	if (c->expect.kind != SCN_OUTCOME_NORMAL)
		r->expectations++;
	if (matches)
		return STEP_HELD;
	if (o->kind == OUT_HOST) {
		snprintf(buf, size, "tlssim: the host refused: %s", o->message);
		r->status = RUN_HOST;
		r->stop = true;
		return STEP_HOST;
	}
	if (c->expect.kind == SCN_OUTCOME_NORMAL && o->kind == OUT_PANIC) {
		snprintf(buf, size, "kernel panic: %s", o->message);
		r->status = RUN_PANIC;
		r->stop = true;
		r->stop_line = c->line;
		return STEP_PANIC;
	}
	count_failure(r);
	if (c->expect.kind == SCN_OUTCOME_NORMAL) {
		snprintf(buf, size, "command failed: '%s': %s", text, got);
		return STEP_FAILED;
	}
	expected_text(c, want, sizeof(want));
	snprintf(buf, size, "expectation failed: expected %s from '%s', got %s",
		 want, text, got);
	if (o->kind == OUT_PANIC) {
		/* a panic that was not the one expected still stops it */
		r->status = RUN_PANIC;
		r->stop = true;
		r->stop_line = c->line;
		return STEP_PANIC;
	}
	return STEP_FAILED;
}

/*
 * Panic messages of the kernel name host addresses ("Freed TLS 0x7f...
 * is not in TLSManager."). Rewrite each as PROCESS+0xOFFSET relative to
 * near, the process the command names, whose manager panicked: even when
 * its start plus the command's offset wrapped around into another land,
 * the message names the offset in near's own land (modulo the host's
 * addresses), never another process. Without near, in the live user land
 * that holds it. So no report shows a host address and golden files do
 * not depend on ASLR.
 */
static void humanize_addresses(const struct kernel *k,
			       const struct process *near, char *msg,
			       size_t size)
{
	char out[PANIC_MESSAGE_MAX];
	size_t n = 0;
	const char *s = msg;

	while (*s && n + 1 < sizeof(out)) {
		char *end;
		unsigned long long v;
		const struct process *hit = NULL;

		if (s[0] != '0' || s[1] != 'x') {
			out[n++] = *s++;
			continue;
		}
		v = strtoull(s, &end, 16);
		/* the address the command made from its process and an offset */
		hit = near ? near : kernel_process_at(k, (uintptr_t)v);
		if (!hit) {
			size_t len = (size_t)(end - s);

			if (len > sizeof(out) - 1 - n)
				len = sizeof(out) - 1 - n;
			memcpy(out + n, s, len);
			n += len;
		} else {
			/* in 64 bits, whatever the host's: an offset that
			 * wrapped below the land comes back as the command
			 * gave it (0xffff...f000), on 32-bit hosts too */
			n += strlen(place_off(hit, v - (unsigned long long)
					      process_userland_start(hit),
					      out + n, sizeof(out) - n));
		}
		s = end;
	}
	out[n] = '\0';
	snprintf(msg, size, "%s", out);
}

/* "t1 exited at line 7", for a command on a dead thread. */
static void note_death(const struct runner *r, size_t i, struct outcome *o)
{
	snprintf(o->message, sizeof(o->message), "%s %s at line %zu",
		 r->scn->threads[i].name,
		 death_hows[r->th_how[i]],
		 (size_t)r->th[i].death_line);
}

/*
 * Execute c. A thread that was never created, or is dead, does nothing
 * (InvalidState, saying why); `expect tls` of a dead thread still looks at
 * its last TLS (kept in the runner: the record may be gone).
 */
static void execute(struct runner *r, const struct scn_cmd *c, struct step *s)
{
	const struct run_thread *rt = c->thread != SCN_NONE ? &r->th[c->thread]
							     : NULL;

	if (rt && !rt->t && !r->th_how[c->thread] && c->kind != SCN_SPAWN) {
		step_error(s, KERR_INVALID_STATE);
		snprintf(s->o.message, sizeof(s->o.message),
			 "%s was never created", r->scn->threads[c->thread].name);
		return;
	}
	if (rt && r->th_how[c->thread] && c->kind != SCN_EXPECT_TLS) {
		step_error(s, KERR_INVALID_STATE);
		note_death(r, c->thread, &s->o);
		return;
	}
	c->spec->exec(r, c, s);
}

struct exec_call {
	struct runner *r;
	const struct scn_cmd *c;
	struct step *s;
};

static void call_exec(void *arg)
{
	struct exec_call *e = arg;

	execute(e->r, e->c, e->s);
}

const char *runner_region_owner(void *ctx, const struct process *p,
				uintptr_t tls)
{
	struct runner *r = ctx;

	for (size_t i = 0; i < r->scn->region_count; i++)
		if (r->reg[i].live && r->reg[i].pid == process_pid(p) &&
		    process_userland_start(p) + r->reg[i].off == tls)
			return r->scn->regions[i].name;
	return NULL;
}

/*
 * Make s a step that did nothing yet: a success with nothing checked,
 * observed or written. Each text is cleared by its first byte (they are
 * written whole, with snprintf, when at all): a step's buffers are some
 * kilobytes, and a long run clears them once a command.
 */
static void step_clear(struct step *s)
{
	s->o.kind = OUT_DONE;
	s->o.err = KERR_OK;
	s->o.message[0] = '\0';
	s->checked = false;
	s->failure[0] = '\0';
	s->observed[0] = '\0';
	s->show = NULL;
	s->wrote_ipc = false;
	s->ipc_write = (struct step_store){ 0 };
	s->field[0] = '\0';
}

void runner_step(struct runner *r, const struct scn_cmd *c,
		 struct step_buf *b, struct step_report *rep)
{
	struct step *s = &b->s;
	struct exec_call e = { r, c, s };
	struct panic_catch catch;
	bool texts, matches;

	runner_release_dead(r);
	step_clear(s);
	r->cmd = c;
	r->death_how = DEATH_NONE;
	if (r->narrating)
		narration_begin(&r->narr);
	if (r->tracing)
		trace_out_set_line(&r->trace, c->line);
	if (!runner_fit(r)) {
		s->o.kind = OUT_HOST;
		snprintf(s->o.message, sizeof(s->o.message),
			 "out of memory for the scenario's names");
	} else if (panic_call(&catch, call_exec, &e)) {
		s->o.kind = OUT_PANIC;
		snprintf(s->o.message, sizeof(s->o.message), "%s",
			 catch.message);
		humanize_addresses(r->k, c->process != SCN_NONE ?
				   r->procs[c->process] : NULL,
				   s->o.message, sizeof(s->o.message));
		kernel_emit(r->k, &(struct trace_event){
			.kind = EV_PANIC, .detail = s->o.message });
	} else if (s->o.kind == OUT_ERROR) {
		kernel_emit(r->k, &(struct trace_event){
			.kind = EV_ERROR,
			.detail = kernel_error_name(s->o.err) });
	}
	matches = outcome_matches(c, &s->o);
	texts = r->held_texts || s->failure[0] || !matches;
	if (texts) {
		cmd_text(r, c, b->text, sizeof(b->text));
		outcome_text(&s->o, b->outcome, sizeof(b->outcome));
	}
	*rep = (struct step_report){
		.file = r->scn->file_name, .line = c->line,
		.command = texts ? b->text : NULL,
		.outcome = texts ? b->outcome : NULL,
		.observed = s->observed[0] ? s->observed : NULL,
		.show = s->show, .kernel = r->k,
		.ipc_write = s->wrote_ipc ? &s->ipc_write : NULL,
		.owner = runner_region_owner, .owner_ctx = r,
	};
	if (s->checked)
		r->expectations++;
	if (s->failure[0]) {
		rep->check_failure = s->failure;
		count_failure(r);
	}
	rep->verdict = judge(r, c, &s->o, matches, b->text, b->outcome,
			     b->message, sizeof(b->message));
	if (rep->verdict != STEP_HELD)
		rep->message = b->message;
	if (rep->verdict == STEP_PANIC || rep->verdict == STEP_HOST)
		rep->stop_reason = s->o.message;
	else if (s->failure[0])
		rep->verdict = STEP_FAILED;
	if (r->narrating)
		rep->narration = narration_end(&r->narr);
	r->cmd = NULL;	/* c is the caller's, and may go now */
}
