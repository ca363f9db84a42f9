/*
 * text_reporter.c - the scenario runner's text output: each step's story
 * (the narration), values read, show drawings, --verbose lines, failures (on their own stream, each as
 * FILE:LINE: ...) and the summary line.
 */
#include <config.h>

#include "reporter.h"

#include <string.h>

#define C_BOLD	"\033[1m"
#define C_RED	"\033[1;31m"
#define C_GREEN	"\033[1;32m"
#define C_OFF	"\033[0m"

const char *step_outcome_text(const struct step_report *s, char *buf,
			      size_t size)
{
	if (s->verdict == STEP_HELD)
		snprintf(buf, size, "%s", s->outcome);
	else if (strcmp(s->outcome, "success") == 0)
		snprintf(buf, size, "FAILED");
	else
		snprintf(buf, size, "FAILED: %s", s->outcome);
	return buf;
}

/* A failure line on err (in red under colour), after what out holds. */
static void fail_line(const struct text_reporter *tr,
		      const struct step_report *s, const char *msg)
{
	fflush(tr->out);
	if (tr->err_color)
		fprintf(tr->err, C_BOLD "%s:%zu:" C_OFF " " C_RED "%s" C_OFF "\n",
			s->file, s->line, msg);
	else
		fprintf(tr->err, "%s:%zu: %s\n", s->file, s->line, msg);
}

/* The --verbose line of s: its command and outcome, a failure in red. */
static void verbose_line(const struct text_reporter *tr,
			 const struct step_report *s)
{
	char outcome[512];	/* a step_buf's outcome and "FAILED: " */
	bool red = tr->color && s->verdict != STEP_HELD;

	step_outcome_text(s, outcome, sizeof(outcome));
	fprintf(tr->out, "%s:%zu: %s: %s%s%s\n", s->file, s->line, s->command,
		red ? C_RED : "", outcome, red ? C_OFF : "");
}

/*
 * The step's story: each line as FILE:LINE: TEXT, or under --verbose
 * indented below the command's own line.
 */
static void story_lines(const struct text_reporter *tr,
			const struct step_report *s)
{
	const char *line = s->narration;

	while (*line) {
		const char *end = strchr(line, '\n');
		int len = end ? (int)(end - line) : (int)strlen(line);

		if (tr->verbose)
			fprintf(tr->out, "  %.*s\n", len, line);
		else
			fprintf(tr->out, "%s:%zu: %.*s\n", s->file, s->line,
				len, line);
		line += len + (end ? 1 : 0);
	}
}

/*
 * One step as `tlssim run` prints it: its --verbose line (the command
 * and its outcome), its story (what the kernel did and why), its value
 * (read, peek), its show drawing, then why it failed (on err).
 */
static void text_step(void *ctx, const struct step_report *s)
{
	struct text_reporter *tr = ctx;
	struct show_options so = {
		.color = tr->color, .owner = s->owner,
		.owner_ctx = s->owner_ctx,
	};

	if (tr->verbose)
		verbose_line(tr, s);
	if (s->narration && !tr->quiet)
		story_lines(tr, s);
	if (s->observed && !tr->quiet)
		fprintf(tr->out, "%s:%zu: %s\n", s->file, s->line,
			s->observed);
	if (s->show && !tr->quiet)
		show_process(tr->out, s->kernel, s->show, &so);
	if (s->check_failure)
		fail_line(tr, s, s->check_failure);
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
	const char *on = "", *off = tr->color ? C_OFF : "";

	if (tr->quiet)
		return;
	if (tr->color)
		on = s->status == RUN_OK ? C_GREEN : C_RED;
	switch (s->status) {
	case RUN_OK:
		fprintf(out, "%s: %sok%s: %zu command%s, %u expectation%s held\n",
			s->file, on, off, s->commands,
			s->commands == 1 ? "" : "s", s->expectations,
			s->expectations == 1 ? "" : "s");
		break;
	case RUN_FAILED:
		fprintf(out, "%s: %sFAILED%s: %u failure%s, %u expectation%s checked\n",
			s->file, on, off, s->failures,
			s->failures == 1 ? "" : "s", s->expectations,
			s->expectations == 1 ? "" : "s");
		break;
	case RUN_PANIC:
		fprintf(out, "%s: %sPANIC%s: the kernel panicked", s->file, on,
			off);
		if (s->stop_line)
			fprintf(out, " at line %zu", s->stop_line);
		fputc('\n', out);
		break;
	case RUN_MALFORMED:
		fprintf(out, "%s: ERROR: the scenario changed since it was checked\n",
			s->file);
		break;
	default:
		fprintf(out, "%s: %sERROR%s: the host refused the simulator\n",
			s->file, on, off);
		break;
	}
}

struct reporter text_reporter(struct text_reporter *tr)
{
	/* a held step's texts are printed under --verbose only */
	return (struct reporter){ .step = text_step,
				  .summary = text_summary, .ctx = tr,
				  .texts_on_failure = !tr->verbose,
				  .news_only = !tr->verbose };
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
	return (struct reporter){ .step = silent_step,
				  .summary = silent_summary,
				  .texts_on_failure = true, .news_only = true };
}
