/*
 * step_move.c - moving through a scenario in `tlssim step`: next,
 * continue, back, breakpoints, the trace, and where the session stands.
 *
 * Each step is printed as `tlssim run --verbose` prints its line
 * (FILE:LINE: COMMAND: OUTCOME, FAILED when it did not do what was
 * expected), then indented under it: the step's narration (each line
 * starting with STEP_NARRATION_MARK), the value it read, its show drawing
 * and why it failed. All of it goes to the session's stream, in order.
 *
 * Going back starts again on a fresh kernel and runs the scenario, saying
 * nothing, up to the step asked for. One CPU runs it the same every time;
 * with several, each thread's job still runs on CPU tid mod N while the
 * runner waits, so the re-run reaches the same state. Either way each
 * step's fingerprint (its outcome, value and messages) is compared with
 * the first run's, and a re-run that went otherwise says so.
 */
#include <config.h>

#include "step_int.h"
#include "hostmem.h"
#include "cli.h"
#include "report/escape.h"
#include "report/reporter.h"

#include <stdlib.h>
#include <string.h>

#define C_RED	"\033[1;31m"
#define C_OFF	"\033[0m"

/* Source lines `where` shows before the next command, at most. */
#define WHERE_CONTEXT 8

/* FNV-1a of s (and a separator), on top of h. */
static uint64_t hash_str(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return (h ^ 0xff) * 0x100000001b3ull;
}

/* What a step did, as one number: equal steps, equal numbers. */
static uint64_t fingerprint(const struct step_report *r)
{
	uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)r->verdict;

	h = hash_str(h, r->outcome);
	h = hash_str(h, r->observed);
	h = hash_str(h, r->check_failure);
	h = hash_str(h, r->message);
	return hash_str(h, r->narration);
}

/* An indented line under a step, in red under colour when red. */
static void under(const struct stepper *st, const char *text, bool red)
{
	red = red && st->opt->color;
	fprintf(st->out, "  %s%s%s\n", red ? C_RED : "", text,
		red ? C_OFF : "");
}

/* One step as the session shows it (see the top of this file). */
static void print_step(const struct stepper *st, const struct step_report *r)
{
	struct show_options so = {
		.color = st->opt->color, .owner = r->owner,
		.owner_ctx = r->owner_ctx,
	};
	char outcome[512];
	bool red = st->opt->color && r->verdict != STEP_HELD;

	step_outcome_text(r, outcome, sizeof(outcome));
	fprintf(st->out, "%s:%zu: %s: %s%s%s\n", r->file, r->line, r->command,
		red ? C_RED : "", outcome, red ? C_OFF : "");
	for (const char *n = r->narration; n && *n;) {
		size_t len = strcspn(n, "\n");

		fprintf(st->out, STEP_NARRATION_MARK "%.*s\n", (int)len, n);
		n += len + (n[len] == '\n');
	}
	if (r->observed)
		under(st, r->observed, false);
	if (r->show)
		show_process(st->out, r->kernel, r->show, &so);
	if (r->check_failure)
		under(st, r->check_failure, true);
	if (r->message)
		under(st, r->message, true);
}

int step_restart(struct stepper *st)
{
	size_t n = st->scn->cmd_count + 1;
	int err;

	scn_session_end(st->s);
	st->s = NULL;
	st->pos = 0;
	st->summarized = false;
	if (!st->prints) {
		st->prints = calloc(n, sizeof(*st->prints));
		if (!st->prints) {
			host_say_no_memory(st->err);
			return RUN_HOST;
		}
		st->prints_cap = n;
	}
	err = scn_session_start(st->scn, st->opt, &st->s);
	if (err)
		return err;
	scn_session_trace(st->s, st->tracing);
	return 0;
}

/* The run's summary line, once, when it has ended or stopped. */
static void maybe_summary(struct stepper *st)
{
	struct text_reporter tr = {
		.out = st->out, .err = st->err, .color = st->opt->color,
	};
	struct reporter rep = text_reporter(&tr);
	struct run_summary sum;

	if (st->summarized || (st->pos < st->scn->cmd_count &&
			       !scn_session_stopped(st->s)))
		return;
	scn_session_summary(st->s, st->pos, &sum);
	rep.summary(rep.ctx, &sum);
	st->summarized = true;
}

/* Whether the next command can run; else says why (-1 to return). */
static bool can_run(struct stepper *st)
{
	const struct scenario *scn = st->scn;

	if (scn_session_stopped(st->s))
		return step_complain(st, "the run stopped at %s:%zu: nothing runs after a kernel panic or a host refusal ('back' or 'quit')",
				     scn->file_name, scn->cmds[st->pos - 1].line), false;
	if (st->pos >= scn->cmd_count)
		return step_complain(st, "the scenario has ended: all %zu commands ran ('back' or 'quit')",
				     scn->cmd_count), false;
	return true;
}

/* Run the next command and print it. Returns its verdict. */
static enum step_verdict run_one(struct stepper *st)
{
	struct step_report r;

	scn_session_step(st->s, &st->scn->cmds[st->pos], &r);
	st->prints[st->pos++] = fingerprint(&r);
	print_step(st, &r);
	return r.verdict;
}

/*
 * An optional count argument (1 when there is none) into *n. Returns
 * false after telling why it is not one.
 */
static bool count_arg(struct stepper *st, const char *cmd, const char *args,
		      uint64_t *n)
{
	char word[32];

	*n = 1;
	if (!step_word(&args, word, sizeof(word)))
		return true;
	if (*args || !cli_parse_decimal(word, 1, SIZE_MAX, n))
		return step_complain(st, "%s wants a count of commands (1 or more), not '%s%s%s'",
				     cmd, word, *args ? " " : "", args), false;
	return true;
}

int step_next(struct stepper *st, const char *args)
{
	uint64_t n;

	if (!count_arg(st, "next", args, &n) || !can_run(st))
		return -1;
	while (n-- > 0 && st->pos < st->scn->cmd_count &&
	       !scn_session_stopped(st->s))
		run_one(st);
	maybe_summary(st);
	return 0;
}

/* Whether a breakpoint is set at line; *at is where it is, or goes. */
static bool find_break(const struct stepper *st, size_t line, size_t *at)
{
	size_t i = 0;

	while (i < st->nbreaks && st->breaks[i] < line)
		i++;
	*at = i;
	return i < st->nbreaks && st->breaks[i] == line;
}

/* The text of source line line (1-based) into buf, escaped, no newline. */
static void source_line(const struct stepper *st, size_t line, char *buf,
			size_t size)
{
	const char *text = st->scn->text;
	size_t from, end, n = 0;

	buf[0] = '\0';
	if (line == 0 || line > st->nlines)
		return;
	from = st->line_start[line - 1];
	end = line < st->nlines ? st->line_start[line] - 1 : st->scn->text_len;
	if (end > from && text[end - 1] == '\r')
		end--;
	for (size_t i = from; i < end && n + 5 < size; i++)
		n += escape_byte((unsigned char)text[i], ESCAPE_SOURCE, buf + n);
	buf[n] = '\0';
}

int step_continue(struct stepper *st, const char *args)
{
	const struct scenario *scn = st->scn;
	size_t at;

	if (*args)
		return step_complain(st, "continue takes no argument, not '%s'",
				     args);
	if (!can_run(st))
		return -1;
	do {
		if (run_one(st) != STEP_HELD) {
			fprintf(st->out, "stopped: the step at %s:%zu did not do what was expected\n",
				scn->file_name, scn->cmds[st->pos - 1].line);
			break;
		}
		if (st->pos < scn->cmd_count &&
		    find_break(st, scn->cmds[st->pos].line, &at)) {
			fprintf(st->out, "breakpoint: stopped before %s:%zu\n",
				scn->file_name, scn->cmds[st->pos].line);
			break;
		}
	} while (st->pos < scn->cmd_count && !scn_session_stopped(st->s));
	maybe_summary(st);
	return 0;
}

/*
 * Run the scenario again, silently, on a fresh kernel, up to target
 * commands run. Returns 0, or a run_status when the kernel could not come
 * up again (the session then cannot go on: told on err).
 */
static int replay(struct stepper *st, size_t target)
{
	size_t differs = 0;
	int err;

	err = step_restart(st);
	if (err)
		return err;
	scn_session_trace(st->s, false);
	while (st->pos < target && !scn_session_stopped(st->s)) {
		struct step_report r;

		scn_session_step(st->s, &st->scn->cmds[st->pos], &r);
		if (!differs && fingerprint(&r) != st->prints[st->pos])
			differs = st->scn->cmds[st->pos].line;
		st->pos++;
	}
	scn_session_trace(st->s, st->tracing);
	if (differs)
		fprintf(st->out, "warning: run again, %s:%zu did not do what it did the first time: the state may differ\n",
			st->scn->file_name, differs);
	return 0;
}

int step_back(struct stepper *st, const char *args)
{
	uint64_t n;
	size_t target;
	int err;

	if (!count_arg(st, "back", args, &n))
		return -1;
	if (st->pos == 0)
		return step_complain(st, "already at the start: no command has run");
	if (n > st->pos) {
		fprintf(st->out, "only %zu command%s ran: back to the start\n",
			st->pos, st->pos == 1 ? "" : "s");
		n = st->pos;
	}
	target = st->pos - (size_t)n;
	err = replay(st, target);
	if (err) {
		st->fatal = err;
		step_complain(st, "back: the kernel could not come up again: the session ends");
		return -1;
	}
	fprintf(st->out, "back %zu: ", (size_t)n);
	return step_where(st, "");
}

/*
 * A line number of the source (1 to its last line) from args into *line.
 * Returns false after telling why it is not one.
 */
static bool line_arg(struct stepper *st, const char *cmd, const char *args,
		     size_t *line)
{
	char word[32];
	uint64_t v;

	step_word(&args, word, sizeof(word));
	if (*args || !cli_parse_decimal(word, 1, st->nlines, &v))
		return step_complain(st, "%s wants a line of %s (1 to %zu), not '%s%s%s'",
				     cmd, st->scn->file_name, st->nlines,
				     word, *args ? " " : "", args), false;
	*line = (size_t)v;
	return true;
}

/* break: list the breakpoints. */
static int list_breaks(struct stepper *st)
{
	char src[256];

	if (!st->nbreaks) {
		fputs("no breakpoints\n", st->out);
		return 0;
	}
	for (size_t i = 0; i < st->nbreaks; i++) {
		source_line(st, st->breaks[i], src, sizeof(src));
		fprintf(st->out, "breakpoint at %s:%zu: %s\n",
			st->scn->file_name, st->breaks[i], src);
	}
	return 0;
}

int step_break(struct stepper *st, const char *args)
{
	const struct scenario *scn = st->scn;
	size_t line, at, i = 0;
	char src[256];

	if (!*args)
		return list_breaks(st);
	if (!line_arg(st, "break", args, &line))
		return -1;
	while (i < scn->cmd_count && scn->cmds[i].line < line)
		i++;
	if (i == scn->cmd_count)
		return step_complain(st, "break: no command at or after %s:%zu",
				     scn->file_name, line);
	if (scn->cmds[i].line != line)
		fprintf(st->out, "no command at line %zu: the next is at line %zu\n",
			line, scn->cmds[i].line);
	line = scn->cmds[i].line;
	if (find_break(st, line, &at))
		return step_complain(st, "break: there is a breakpoint at %s:%zu already",
				     scn->file_name, line);
	if (st->nbreaks == st->breaks_cap) {
		size_t cap = st->breaks_cap ? 2 * st->breaks_cap : 8;
		size_t *nb = realloc(st->breaks, cap * sizeof(*nb));

		if (!nb)
			return step_complain(st, "break: out of memory");
		st->breaks = nb;
		st->breaks_cap = cap;
	}
	memmove(st->breaks + at + 1, st->breaks + at,
		(st->nbreaks - at) * sizeof(*st->breaks));
	st->breaks[at] = line;
	st->nbreaks++;
	source_line(st, line, src, sizeof(src));
	fprintf(st->out, "breakpoint at %s:%zu: %s\n", scn->file_name, line, src);
	/* continue only goes on: say so of a line it will not come to */
	if (i < st->pos)
		fprintf(st->out, "(that command has run: continue will not stop "
			"there; back %zu returns to it)\n", st->pos - i);
	return 0;
}

int step_delete(struct stepper *st, const char *args)
{
	size_t line, at;

	if (!*args) {
		fprintf(st->out, "deleted %zu breakpoint%s\n", st->nbreaks,
			st->nbreaks == 1 ? "" : "s");
		st->nbreaks = 0;
		return 0;
	}
	if (!line_arg(st, "delete", args, &line))
		return -1;
	if (!find_break(st, line, &at))
		return step_complain(st, "delete: no breakpoint at %s:%zu",
				     st->scn->file_name, line);
	memmove(st->breaks + at, st->breaks + at + 1,
		(st->nbreaks - at - 1) * sizeof(*st->breaks));
	st->nbreaks--;
	fprintf(st->out, "deleted the breakpoint at %s:%zu\n",
		st->scn->file_name, line);
	return 0;
}

int step_trace(struct stepper *st, const char *args)
{
	char word[16];

	if (!*args) {
		fprintf(st->out, "trace is %s\n", st->tracing ? "on" : "off");
		return 0;
	}
	step_word(&args, word, sizeof(word));
	if (*args || (strcmp(word, "on") != 0 && strcmp(word, "off") != 0))
		return step_complain(st, "trace wants on or off, not '%s%s%s'",
				     word, *args ? " " : "", args);
	st->tracing = strcmp(word, "on") == 0;
	scn_session_trace(st->s, st->tracing);
	fprintf(st->out, "trace %s: %s\n", word, st->tracing ?
		"the kernel events of each step come before its line" :
		"no kernel events");
	return 0;
}

/* Source lines from..to, the line of the next command marked "=>". */
static void list_source(const struct stepper *st, size_t from, size_t to,
			size_t mark)
{
	char src[512];

	for (size_t l = from; l <= to; l++) {
		source_line(st, l, src, sizeof(src));
		fprintf(st->out, "%s %4zu%s%s\n", l == mark ? "=>" : "  ", l,
			src[0] ? "  " : "", src);
	}
}

int step_where(struct stepper *st, const char *args)
{
	const struct scenario *scn = st->scn;
	size_t next, from;

	if (*args)
		return step_complain(st, "where takes no argument, not '%s'",
				     args);
	if (scn->cmd_count == 0) {
		fprintf(st->out, "%s has no command\n", scn->file_name);
		return 0;
	}
	if (scn_session_stopped(st->s) || st->pos == scn->cmd_count) {
		size_t last = scn->cmds[st->pos - 1].line;

		fprintf(st->out, "%s after step %zu of %zu, %s:%zu:\n",
			scn_session_stopped(st->s) ? "stopped" : "the end",
			st->pos, scn->cmd_count, scn->file_name, last);
		list_source(st, last, last, 0);
		return 0;
	}
	next = scn->cmds[st->pos].line;
	from = st->pos ? scn->cmds[st->pos - 1].line + 1 : 1;
	if (next - from >= WHERE_CONTEXT)
		from = next - WHERE_CONTEXT + 1;
	fprintf(st->out, "step %zu of %zu, next: %s:%zu\n", st->pos + 1,
		scn->cmd_count, scn->file_name, next);
	list_source(st, from, next, next);
	return 0;
}
