/*
 * scenario_run.c - the scenario runner: executes a parsed scenario command
 * by command on a fresh kernel and judges what happened against what the
 * author expected (expect panic/error/fault before a command, expect ...
 * commands on their own).
 *
 * Every command runs under a panic catch. Its outcome (done, KernelError,
 * panic, fault, host refusal) is compared with the outcome its preceding
 * `expect` asked for; anything unexpected fails the scenario. An unexpected
 * panic stops the run (the kernel is dead); so does a host refusal.
 */
#include <config.h>

#include "scenario_run.h"
#include "scenario_exec.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

void runner_fail(struct runner *r, const struct scn_cmd *c,
		 const char *fmt, ...)
{
	va_list ap;

	r->failures++;
	fflush(r->opt->out);
	fprintf(r->opt->err, "%s:%zu: ", r->scn->file_name, c->line);
	va_start(ap, fmt);
	vfprintf(r->opt->err, fmt, ap);
	va_end(ap);
	fputc('\n', r->opt->err);
	if (r->status < RUN_FAILED)
		r->status = RUN_FAILED;
	if (r->opt->fail_fast)
		r->stop = true;
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

/* Judge one command's outcome and report what was not expected. */
static void judge(struct runner *r, const struct scn_cmd *c,
		  const struct outcome *o)
{
	char want[128], got[PANIC_MESSAGE_MAX + 64], text[64];

	if (c->expect.kind != SCN_OUTCOME_NORMAL)
		r->expectations++;
	if (outcome_matches(c, o))
		return;
	outcome_text(o, got, sizeof(got));
	cmd_text(r, c, text, sizeof(text));
	fflush(r->opt->out);
	if (o->kind == OUT_HOST) {
		fprintf(r->opt->err, "%s:%zu: tlssim: the host refused: %s\n",
			r->scn->file_name, c->line, o->message);
		r->status = RUN_HOST;
		r->stop = true;
		return;
	}
	if (c->expect.kind == SCN_OUTCOME_NORMAL && o->kind == OUT_PANIC) {
		fprintf(r->opt->err, "%s:%zu: kernel panic: %s\n",
			r->scn->file_name, c->line, o->message);
		r->status = RUN_PANIC;
		r->stop = true;
		return;
	}
	if (c->expect.kind == SCN_OUTCOME_NORMAL) {
		runner_fail(r, c, "command failed: '%s': %s", text, got);
		return;
	}
	expected_text(c, want, sizeof(want));
	runner_fail(r, c, "expectation failed: expected %s from '%s', got %s",
		    want, text, got);
	if (o->kind == OUT_PANIC) {
		/* a panic that was not the one expected still stops it */
		r->status = RUN_PANIC;
		r->stop = true;
	}
}

/*
 * Panic messages of the kernel name host addresses ("Freed TLS 0x7f...
 * is not in TLSManager."). Rewrite each as PROCESS+0xOFFSET: in the live
 * user land that holds it, else relative to near (the process the command
 * names), so no report shows a host address and golden files do not
 * depend on ASLR.
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
		hit = kernel_process_at(k, (uintptr_t)v);
		/*
		 * Past every land (tls-free of an offset beyond it): the
		 * address the command made from its process and an offset.
		 */
		if (!hit)
			hit = near;
		if (!hit) {
			size_t len = (size_t)(end - s);

			if (len > sizeof(out) - 1 - n)
				len = sizeof(out) - 1 - n;
			memcpy(out + n, s, len);
			n += len;
		} else {
			n += (size_t)snprintf(out + n, sizeof(out) - n,
					      "%s+0x%llx", hit->name,
					      v - hit->userland_start);
			if (n >= sizeof(out))
				n = sizeof(out) - 1;
		}
		s = end;
	}
	out[n] = '\0';
	snprintf(msg, size, "%s", out);
}

struct exec_call {
	struct runner *r;
	const struct scn_cmd *c;
	struct outcome *o;
};

static void call_exec(void *arg)
{
	struct exec_call *e = arg;

	exec_command(e->r, e->c, e->o);
}

/* Run one command under a panic catch and judge it. */
static void run_command(struct runner *r, const struct scn_cmd *c)
{
	struct outcome o = { .kind = OUT_DONE };
	struct exec_call e = { r, c, &o };
	struct panic_catch catch;

	if (r->trace_line)
		r->trace_line(r->trace_ctx, c->line);
	if (panic_call(&catch, call_exec, &e)) {
		o.kind = OUT_PANIC;
		snprintf(o.message, sizeof(o.message), "%s", catch.message);
		humanize_addresses(&r->k, c->process != SCN_NONE ?
				   r->procs[c->process] : NULL,
				   o.message, sizeof(o.message));
		kernel_emit(&r->k, &(struct trace_event){
			.kind = EV_PANIC, .detail = o.message });
	} else if (o.kind == OUT_ERROR) {
		kernel_emit(&r->k, &(struct trace_event){
			.kind = EV_ERROR, .detail = kernel_error_name(o.err) });
	}
	if (r->opt->verbose) {
		char text[64], got[PANIC_MESSAGE_MAX + 64];

		cmd_text(r, c, text, sizeof(text));
		outcome_text(&o, got, sizeof(got));
		fprintf(r->opt->out, "%s:%zu: %s: %s\n", r->scn->file_name,
			c->line, text, got);
	}
	judge(r, c, &o);
}

static void summary(const struct runner *r)
{
	FILE *out = r->opt->out;
	const char *name = r->scn->file_name;

	if (r->opt->quiet)
		return;
	switch (r->status) {
	case RUN_OK:
		fprintf(out, "%s: ok: %zu command%s, %u expectation%s held\n",
			name, r->scn->cmd_count, r->scn->cmd_count == 1 ? "" : "s",
			r->expectations, r->expectations == 1 ? "" : "s");
		break;
	case RUN_FAILED:
		fprintf(out, "%s: FAILED: %u failure%s, %u expectation%s checked\n",
			name, r->failures, r->failures == 1 ? "" : "s",
			r->expectations, r->expectations == 1 ? "" : "s");
		break;
	case RUN_PANIC:
		fprintf(out, "%s: PANIC: the kernel panicked\n", name);
		break;
	default:
		fprintf(out, "%s: ERROR: the host refused the simulator\n", name);
		break;
	}
}

int scenario_run(const struct scenario *scn, const struct run_options *opt)
{
	struct runner r;
	int err, status;

	err = runner_init(&r, scn, opt);
	if (err)
		return err;
	for (size_t i = 0; i < scn->cmd_count && !r.stop; i++)
		run_command(&r, &scn->cmds[i]);
	summary(&r);
	status = r.status;
	runner_fini(&r);
	return status;
}
