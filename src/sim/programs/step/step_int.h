/*
 * step_int.h - inside `tlssim step`: the session's state and the files
 * that share it. step.c the session and its command table, step_move.c
 * moving through the scenario (next, continue, back, break, where),
 * step_look.c looking at the kernel between commands (show, regs, peek),
 * step_input.c reading the user's lines.
 */
#ifndef TLSSIM_STEP_INT_H
#define TLSSIM_STEP_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "scenario/scenario.h"
#include "scenario/session.h"

/* Narration lines start with this, so that they are easy to find. */
#define STEP_NARRATION_MARK "  | "

struct stepper {
	const struct scenario *scn;	/* loaded: commands and text */
	const struct run_options *opt;
	FILE *out;			/* the session, steps, looks */
	FILE *err;			/* bad commands */
	struct scn_session *s;
	size_t pos;			/* commands run: the next is cmds[pos] */
	int fatal;			/* the kernel could not come up again
					 * (a run_status): the session ends */
	bool summarized;		/* the end's summary was printed */
	bool tracing;			/* `trace on` */
	/* Breakpoints: lines of commands, in ascending order. */
	size_t *breaks;
	size_t nbreaks, breaks_cap;
	/* What each step run so far did (a fingerprint), for `back`. */
	uint64_t *prints;
	size_t prints_cap;
	/* Where each line of the source starts in scn->text. */
	size_t *line_start;
	size_t nlines;
};

/* ---- step_move.c ---- */

/*
 * The commands that move: each takes the rest of the line (its
 * arguments, NUL terminated, no leading blank) and returns 0, or -1 after
 * telling on st->err why it did nothing (a bad argument, the end).
 */
int step_next(struct stepper *st, const char *args);
int step_continue(struct stepper *st, const char *args);
int step_back(struct stepper *st, const char *args);
int step_break(struct stepper *st, const char *args);
int step_delete(struct stepper *st, const char *args);
int step_trace(struct stepper *st, const char *args);
int step_where(struct stepper *st, const char *args);

/*
 * A fresh kernel for st (the old one, if any, torn down first). Returns 0,
 * or a run_status when the host or the backend refused (told on err).
 */
int step_restart(struct stepper *st);

/* ---- step_look.c ---- */

int step_show(struct stepper *st, const char *args);
int step_regs(struct stepper *st, const char *args);
int step_peek(struct stepper *st, const char *args);

/* ---- step.c ---- */

/*
 * Tell a bad command or argument on st->err (the session goes on).
 * Returns -1.
 */
int step_complain(struct stepper *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The first blank-separated word of *args into word (size bytes, cut to
 * fit), *args moved past it and the blanks after it. Returns the word's
 * length, 0 at the end of the line.
 */
size_t step_word(const char **args, char *word, size_t size);

/* ---- step_input.c ---- */

struct step_input;

/*
 * Read lines from in: with line editing and history when in is a
 * terminal and the build has libedit, else plainly (then each line is
 * echoed after the prompt on echo, so that a transcript reads as a
 * session). Returns NULL when memory ran out.
 */
struct step_input *step_input_open(FILE *in, FILE *echo, const char *prompt);

/*
 * The next line without its newline, valid until the next call; NULL at
 * the end of the input.
 */
const char *step_input_line(struct step_input *si);

/* Whether the input is a terminal (the prompt is shown). */
bool step_input_interactive(const struct step_input *si);

void step_input_close(struct step_input *si);

#endif
