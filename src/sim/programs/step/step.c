/*
 * step.c - `tlssim step FILE`: the session. The scenario is loaded whole
 * and checked (a malformed file is the usual FILE:LINE: error, exit 2),
 * a fresh kernel comes up, and each line the user types is one step
 * command from the table below. A bad command is told on stderr and the
 * prompt comes back; an empty line repeats the last command, as in gdb.
 * `quit` or the end of the input ends the session with the status of the
 * commands run so far.
 */
#include <config.h>

#include "step.h"
#include "hostmem.h"
#include "step_int.h"
#include "report/escape.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define STEP_PROMPT "(tlssim) "

/* The longest command line kept to repeat; longer ones are not repeated. */
#define STEP_LINE_MAX 256

static int step_help(struct stepper *st, const char *args);

struct step_command {
	const char *name;
	const char *alias;		/* a short form, or NULL */
	int (*run)(struct stepper *st, const char *args);
	const char *usage;		/* its arguments, for help */
	const char *summary;
};

/* quit has no function: the loop ends on it. */
static const struct step_command step_commands[] = {
	{ "next", "n", step_next, "[N]",
	  "run the next command (N commands), show what each did" },
	{ "continue", "c", step_continue, "",
	  "run to a breakpoint, a failed step, or the end" },
	{ "back", NULL, step_back, "[N]",
	  "go back one command (N): the scenario runs again on a\n"
	  "fresh kernel up to there" },
	{ "break", "b", step_break, "[LINE]",
	  "continue stops before the command at LINE (none: list)" },
	{ "delete", NULL, step_delete, "[LINE]",
	  "remove the breakpoint at LINE (none: all of them)" },
	{ "where", NULL, step_where, "",
	  "the next command, with the source lines before it" },
	{ "show", NULL, step_show, "[PROCESS]",
	  "a process's map and TLS slots (none: every process)" },
	{ "regs", NULL, step_regs, "",
	  "each CPU's running thread and its TLS register" },
	{ "peek", NULL, step_peek, "PROCESS OFFSET",
	  "the 8 bytes at PROCESS+OFFSET, read as a debugger\n"
	  "does (no thread runs); PROCESS+OFFSET works too" },
	{ "trace", NULL, step_trace, "on|off",
	  "kernel events of the following steps" },
	{ "help", "h", step_help, "", "this list" },
	{ "quit", "q", NULL, "", "end the session (the end of the input too)" },
};
#define NCOMMANDS (sizeof(step_commands) / sizeof(step_commands[0]))

int step_complain(struct stepper *st, const char *fmt, ...)
{
	va_list ap;

	fflush(st->out);	/* after what the session printed so far */
	va_start(ap, fmt);
	vfprintf(st->err, fmt, ap);
	va_end(ap);
	fputc('\n', st->err);
	fflush(st->err);
	return -1;
}

size_t step_word(const char **args, char *word, size_t size)
{
	const char *s = *args;
	size_t len = strcspn(s, " \t");
	size_t keep = len < size ? len : size - 1;

	memcpy(word, s, keep);
	word[keep] = '\0';
	s += len;
	s += strspn(s, " \t");
	*args = s;
	return len;
}

void step_print_commands(FILE *out)
{
	fputs("Step commands (an empty line repeats the last one):\n", out);
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct step_command *c = &step_commands[i];
		char head[40];

		snprintf(head, sizeof(head), "%s%s%s%s%s", c->name,
			 c->usage[0] ? " " : "", c->usage,
			 c->alias ? ", " : "", c->alias ? c->alias : "");
		fprintf(out, "  %-20s ", head);
		for (const char *l = c->summary; *l;) {
			size_t len = strcspn(l, "\n");

			fprintf(out, "%s%.*s\n", l == c->summary ? "" : "                       ",
				(int)len, l);
			l += len + (l[len] == '\n');
		}
	}
}

/* help: every command with its arguments and what it does. */
static int step_help(struct stepper *st, const char *args)
{
	(void)args;
	step_print_commands(st->out);
	return 0;
}

/* The command named word (its name or its alias), or NULL. */
static const struct step_command *find_command(const char *word)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(word, step_commands[i].name) == 0 ||
		    (step_commands[i].alias &&
		     strcmp(word, step_commands[i].alias) == 0))
			return &step_commands[i];
	return NULL;
}

/*
 * Run one line of the user's. Returns 1 to quit, 0 when the line was a
 * command (it ran, or said why it could not), -1 for an unknown command.
 */
static int run_line(struct stepper *st, const char *line)
{
	const struct step_command *c;
	char word[32];

	line += strspn(line, " \t");
	step_word(&line, word, sizeof(word));
	c = find_command(word);
	if (!c) {
		char shown[sizeof(word) * 4];
		size_t n = 0;

		/* a stray key's escape sequence is shown, not obeyed */
		for (const char *w = word; *w; w++)
			n += escape_byte((unsigned char)*w, ESCAPE_VALUE,
					 shown + n);
		shown[n] = '\0';
		step_complain(st, "unknown command '%s': 'help' lists the commands",
			      shown);
		return -1;
	}
	if (!c->run)
		return 1;
	c->run(st, line);
	fflush(st->out);
	return st->fatal ? 1 : 0;
}

/* The session's opening: the file, its size, the first command. */
static void greet(struct stepper *st, bool interactive)
{
	fprintf(st->out, "%s: %zu command%s; ", st->scn->file_name,
		st->scn->cmd_count, st->scn->cmd_count == 1 ? "" : "s");
	if (interactive)
		fputs("'help' lists the step commands, 'quit' ends.\n", st->out);
	else
		fputs("commands are read from the standard input.\n", st->out);
	step_where(st, "");
}

/*
 * Read and run lines until quit or the end of the input. An empty line
 * runs the last command that ran again (not one that was unknown).
 */
static void command_loop(struct stepper *st, struct step_input *si)
{
	char last[STEP_LINE_MAX] = "";
	const char *line;

	while ((line = step_input_line(si)) != NULL) {
		int rc;

		if (line[strspn(line, " \t")] == '\0') {
			if (!last[0])
				continue;
			line = last;
		}
		rc = run_line(st, line);
		if (rc > 0)
			return;
		if (rc == 0 && line != last) {
			if (strlen(line) < sizeof(last))
				snprintf(last, sizeof(last), "%s", line);
			else
				last[0] = '\0';
		}
	}
	if (step_input_interactive(si))
		fputc('\n', st->out);	/* after the prompt, on Ctrl-D */
}

/* Where each line of the source starts, for `where`. */
static int index_lines(struct stepper *st)
{
	const struct scenario *scn = st->scn;
	size_t n = 1;

	for (size_t i = 0; i < scn->text_len; i++)
		if (scn->text[i] == '\n')
			n++;
	st->line_start = malloc(n * sizeof(*st->line_start));
	if (!st->line_start)
		return -1;
	st->line_start[0] = scn_bom_len(scn->text, scn->text_len);
	st->nlines = 1;
	for (size_t i = 0; i < scn->text_len; i++)
		if (scn->text[i] == '\n')
			st->line_start[st->nlines++] = i + 1;
	return 0;
}

int step_main(const char *file, size_t max_input,
	      const struct run_options *run, FILE *in)
{
	struct stepper st = {
		.opt = run, .out = run->out, .err = run->err,
	};
	struct scenario *scn = NULL;
	struct step_input *si = NULL;
	struct run_summary sum;
	struct diag *d;
	int status, err;

	d = diag_new_stream(run->err, run->err_color);
	if (!d) {
		host_say_no_memory(run->err);
		return RUN_HOST;
	}
	err = scenario_load_file(file, max_input, d, &scn);
	diag_free(d);
	if (err)
		return err == -ENOMEM ? RUN_HOST : RUN_MALFORMED;
	st.scn = scn;
	si = step_input_open(in, run->out, STEP_PROMPT);
	if (!si || index_lines(&st) < 0) {
		host_say_no_memory(run->err);
		status = RUN_HOST;
		goto out;
	}
	status = step_restart(&st);
	if (status)
		goto out;
	greet(&st, step_input_interactive(si));
	command_loop(&st, si);
	if (st.fatal) {
		status = st.fatal;
		goto out;
	}
	scn_session_summary(st.s, st.pos, &sum);
	status = sum.status;
out:
	scn_session_end(st.s);
	step_input_close(si);
	free(st.breaks);
	free(st.prints);
	free(st.line_start);
	scenario_free(scn);
	return status;
}
