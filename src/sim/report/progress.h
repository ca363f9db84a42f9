/*
 * progress.h - progress of long work on a terminal: after about two
 * seconds, one line on stderr, "N/TOTAL commands (P%), R/s", redrawn in
 * place a few times a second and erased at the end. Nothing when the
 * stream is not a terminal or the user asked for quiet.
 */
#ifndef TLSSIM_PROGRESS_H
#define TLSSIM_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

/*
 * Seconds of work before the line shows, unless the environment variable
 * TLSSIM_PROGRESS_DELAY gives another number of seconds (0: at once).
 */
#define PROGRESS_AFTER 2.0

struct progress {
	FILE *out;
	bool on;			/* a terminal, not quiet */
	bool visible;			/* the line is on the screen */
	const char *what;		/* "commands" */
	size_t total;			/* 0: unknown */
	size_t next;			/* the count at which to look again */
	struct timespec start;
	double after;			/* seconds before the line shows */
	double last;			/* seconds at the last redraw */
};

/*
 * Start counting what (a plural noun) out of total (0: unknown); the line
 * goes to out when it is a terminal and quiet is false.
 */
void progress_begin(struct progress *pg, FILE *out, bool quiet,
		    const char *what, size_t total);

/* Draw the line for done units, if it is time (progress_tick's). */
void progress_redraw(struct progress *pg, size_t done);

/*
 * done units are done: redraw when it is time (cheap otherwise: the clock
 * is read about every 10 ms of units, at most every 1024 units).
 */
static inline void progress_tick(struct progress *pg, size_t done)
{
	if (pg->on && done >= pg->next)
		progress_redraw(pg, done);
}

/*
 * done units are done, units that are few and slow (a benchmark's runs, a
 * class's submissions): redraw when it is time, every unit looked at.
 */
static inline void progress_step(struct progress *pg, size_t done)
{
	if (pg->on)
		progress_redraw(pg, done);
}

/* Erase the line, if shown, before other output on the terminal. */
void progress_clear(struct progress *pg);

/* The work is over: erase the line, if shown. */
void progress_end(struct progress *pg);

#endif
