/*
 * text_reporter.c - the scenario runner's text output: values read, show
 * drawings, --verbose lines, failures (on their own stream, each as
 * FILE:LINE: ...) and the summary line.
 */
#include <config.h>

#include "reporter.h"

/* A failure line on err, after everything out holds so far. */
static void fail_line(const struct text_reporter *tr,
		      const struct step_report *s, const char *msg)
{
	fflush(tr->out);
	fprintf(tr->err, "%s:%zu: %s\n", s->file, s->line, msg);
}

/*
 * One step as `tlssim run` prints it: its value (read, peek), its show
 * drawing, its --verbose line, its failure on err.
 */
static void text_step(void *ctx, const struct step_report *s)
{
	struct text_reporter *tr = ctx;
	struct show_options so = {
		.color = tr->color, .owner = s->owner,
		.owner_ctx = s->owner_ctx,
	};

	if (s->observed && !tr->quiet)
		fprintf(tr->out, "%s:%zu: %s\n", s->file, s->line,
			s->observed);
	if (s->show && !tr->quiet)
		show_process(tr->out, s->kernel, s->show, &so);
	if (s->check_failure)
		fail_line(tr, s, s->check_failure);
	if (tr->verbose)
		fprintf(tr->out, "%s:%zu: %s: %s\n", s->file, s->line,
			s->command, s->outcome);
	if (s->message)
		fail_line(tr, s, s->message);
}

/*
 * The last line of a run: ok, FAILED or PANIC with the counts (nothing
 * under --quiet).
 */
static void text_summary(void *ctx, const struct run_summary *s)
{
	struct text_reporter *tr = ctx;
	FILE *out = tr->out;

	if (tr->quiet)
		return;
	switch (s->status) {
	case RUN_OK:
		fprintf(out, "%s: ok: %zu command%s, %u expectation%s held\n",
			s->file, s->commands, s->commands == 1 ? "" : "s",
			s->expectations, s->expectations == 1 ? "" : "s");
		break;
	case RUN_FAILED:
		fprintf(out, "%s: FAILED: %u failure%s, %u expectation%s checked\n",
			s->file, s->failures, s->failures == 1 ? "" : "s",
			s->expectations, s->expectations == 1 ? "" : "s");
		break;
	case RUN_PANIC:
		fprintf(out, "%s: PANIC: the kernel panicked\n", s->file);
		break;
	case RUN_MALFORMED:
		fprintf(out, "%s: ERROR: the scenario changed since it was checked\n",
			s->file);
		break;
	default:
		fprintf(out, "%s: ERROR: the host refused the simulator\n",
			s->file);
		break;
	}
}

struct reporter text_reporter(struct text_reporter *tr)
{
	return (struct reporter){ text_step, text_summary, tr };
}

static void silent_step(void *ctx, const struct step_report *s)
{
	(void)ctx;
	(void)s;
}

static void silent_summary(void *ctx, const struct run_summary *s)
{
	(void)ctx;
	(void)s;
}

struct reporter reporter_silent(void)
{
	return (struct reporter){ silent_step, silent_summary, NULL };
}
