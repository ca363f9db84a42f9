/*
 * step_input.c - the lines of a step session. From a terminal, libedit
 * (when configure found it) gives the prompt, line editing and a history
 * of the session's lines; without it, or from a pipe or a file, lines are
 * read plainly. From a pipe no prompt is waiting for a user, so each line
 * is echoed after the prompt instead: the output then reads as the
 * session would on a terminal, and golden files show what was typed.
 */
#include <config.h>

#include "step.h"
#include "step_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_LIBEDIT
#include <editline/readline.h>
#endif

struct step_input {
	FILE *in;
	FILE *echo;
	const char *prompt;
	bool tty;			/* a terminal: prompt, no echo */
	bool edit;			/* libedit reads it */
	FILE *edit_out;			/* libedit's output: stdout's descriptor
					 * (stdout may be a stream without one) */
	char *line;			/* the last line, owned */
	size_t cap;
};

bool step_line_editing(void)
{
#ifdef HAVE_LIBEDIT
	return true;
#else
	return false;
#endif
}

struct step_input *step_input_open(FILE *in, FILE *echo, const char *prompt)
{
	struct step_input *si = calloc(1, sizeof(*si));

	if (!si)
		return NULL;
	si->in = in;
	si->echo = echo;
	si->prompt = prompt;
	si->tty = isatty(fileno(in));
#ifdef HAVE_LIBEDIT
	if (si->tty && in == stdin) {
		int fd = dup(STDOUT_FILENO);

		si->edit_out = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!si->edit_out && fd >= 0)
			close(fd);
	}
	si->edit = si->edit_out != NULL;
	if (si->edit) {
		rl_readline_name = "tlssim";
		rl_instream = in;
		rl_outstream = si->edit_out;
		using_history();
	}
#endif
	return si;
}

bool step_input_interactive(const struct step_input *si)
{
	return si->tty;
}

#ifdef HAVE_LIBEDIT
/* A line through libedit, kept in the history when it is not blank. */
static const char *edited_line(struct step_input *si)
{
	char *line;

	fflush(si->echo);	/* the session's output before the prompt */
	line = readline(si->prompt);

	free(si->line);
	si->line = line;
	si->cap = 0;
	if (line && line[strspn(line, " \t")])
		add_history(line);
	return line;
}
#endif

const char *step_input_line(struct step_input *si)
{
	ssize_t n;

#ifdef HAVE_LIBEDIT
	if (si->edit)
		return edited_line(si);
#endif
	if (si->tty) {
		fputs(si->prompt, si->echo);
		fflush(si->echo);
	}
	if (si->cap == 0) {	/* libedit's line, or none yet */
		free(si->line);
		si->line = NULL;
	}
	n = getline(&si->line, &si->cap, si->in);
	if (n < 0)
		return NULL;
	if (n > 0 && si->line[n - 1] == '\n')
		si->line[--n] = '\0';
	if (n > 0 && si->line[n - 1] == '\r')
		si->line[--n] = '\0';
	if (!si->tty)	/* no blank at the end of an empty line's echo */
		fprintf(si->echo, "%.*s%s\n", n ? (int)strlen(si->prompt) :
			(int)strcspn(si->prompt, " "), si->prompt, si->line);
	return si->line;
}

void step_input_close(struct step_input *si)
{
	if (!si)
		return;
	free(si->line);
	if (si->edit_out)
		fclose(si->edit_out);
	free(si);
}
