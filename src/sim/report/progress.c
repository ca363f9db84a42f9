/*
 * progress.c - the progress line of long work on a terminal (progress.h).
 */
#include <config.h>

#include "progress.h"

#include <stdlib.h>
#include <unistd.h>

/* Units between two looks at the clock, at most (fast units: commands). */
#define PROGRESS_STRIDE 1024
/* Seconds between two looks at the clock, about: slow units look sooner. */
#define PROGRESS_LOOK 0.01
/* Seconds between two redraws. */
#define PROGRESS_EVERY 0.25

/* Seconds since pg started. */
static double elapsed(const struct progress *pg)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - pg->start.tv_sec) +
	       (double)(now.tv_nsec - pg->start.tv_nsec) / 1e9;
}

/* The delay TLSSIM_PROGRESS_DELAY asks for, else PROGRESS_AFTER. */
static double delay(void)
{
	const char *s = getenv("TLSSIM_PROGRESS_DELAY");
	char *end;
	double v;

	if (!s || !*s)
		return PROGRESS_AFTER;
	v = strtod(s, &end);
	return *end || !(v >= 0) ? PROGRESS_AFTER : v;
}

void progress_begin(struct progress *pg, FILE *out, bool quiet,
		    const char *what, size_t total)
{
	*pg = (struct progress){
		.out = out, .what = what, .total = total,
		.on = !quiet && out && isatty(fileno(out)),
		.next = 1, .after = delay(),
	};
	clock_gettime(CLOCK_MONOTONIC, &pg->start);
}

void progress_redraw(struct progress *pg, size_t done)
{
	double t = elapsed(pg);
	double rate, stride = PROGRESS_STRIDE;
	int prec;

	/*
	 * The next look at the clock about PROGRESS_LOOK from now at the rate
	 * so far: a page of a flip-book (10 ms) is looked at each time, a
	 * command of a quiet run (under 1 us) every PROGRESS_STRIDE.
	 */
	if (t > 0 && (double)done / t * PROGRESS_LOOK < stride)
		stride = (double)done / t * PROGRESS_LOOK;
	pg->next = done + (stride >= 1 ? (size_t)stride : 1);
	if (t < pg->after || (pg->visible && t - pg->last < PROGRESS_EVERY))
		return;
	rate = (double)done / t;
	/* slow units (a benchmark's runs) keep a decimal */
	prec = rate < 10 ? 1 : 0;
	if (pg->total)
		fprintf(pg->out, "\r%zu/%zu %s (%zu%%), %.*f/s\033[K", done,
			pg->total, pg->what, done * 100 / pg->total, prec,
			rate);
	else
		fprintf(pg->out, "\r%zu %s, %.*f/s\033[K", done, pg->what,
			prec, rate);
	fflush(pg->out);
	pg->visible = true;
	pg->last = t;
}

void progress_clear(struct progress *pg)
{
	if (!pg->visible)
		return;
	fputs("\r\033[K", pg->out);
	fflush(pg->out);
	pg->visible = false;
}

void progress_end(struct progress *pg)
{
	progress_clear(pg);
	pg->on = false;
}
