/*
 * render.h - pictures of a scenario run, drawn with cairo: the state at the
 * end of the run as one SVG, PNG or PDF picture (tlssim render, run
 * --render), and a flip-book (--render-steps, render --steps, render
 * --out=FILE.html): a PDF, or one self-contained HTML file, with a page
 * per step that changes what is drawn, the steps that change nothing
 * listed on the page before them.
 * A reporter (reporter.h) draws them from what the runner tells it, through
 * the kernel front's queries and the view of a process (view.h).
 *
 * A build without cairo has this interface too: render_available() is
 * false there and render_open refuses with -ENOTSUP.
 */
#ifndef TLSSIM_RENDER_H
#define TLSSIM_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "reporter.h"

/* The picture formats, chosen by the file name's extension. */
enum render_format {
	RENDER_SVG,
	RENDER_PNG,
	RENDER_PDF,
	RENDER_HTML,		/* a flip-book only */
	RENDER_FORMAT_COUNT	/* not a picture's extension */
};

/*
 * The format of a file named path: .svg, .png, .pdf or .html (in any
 * case), or RENDER_FORMAT_COUNT for any other name.
 */
static inline enum render_format render_format_of(const char *path)
{
	static const char *const ext[RENDER_FORMAT_COUNT] = {
		".svg", ".png", ".pdf", ".html" };
	size_t n = strlen(path);

	for (int f = 0; f < RENDER_FORMAT_COUNT; f++) {
		size_t e = strlen(ext[f]);

		if (n > e && strcasecmp(path + n - e, ext[f]) == 0)
			return (enum render_format)f;
	}
	return RENDER_FORMAT_COUNT;
}

struct render_options {
	const char *out;	/* the end state's picture, or NULL */
	const char *steps;	/* the flip-book, a .pdf or .html, or NULL */
	const char *process;	/* draw only this process (NULL: all) */
	size_t commands;	/* the scenario's, for "step 3 of 12" */
	const char *source;	/* HTML: the scenario file to show (or NULL) */
	const char *name;	/* HTML: the scenario's name for people */
};

struct render;

/* Whether this build draws pictures (it was built with cairo). */
bool render_available(void);

/*
 * Get ready to draw what o asks for: the files are created now (so a bad
 * path is known before the run), and drawn as the run goes. Returns 0 and
 * sets *out; -ENOTSUP in a build without cairo; -EINVAL for a name that
 * is not .svg, .png or .pdf (.pdf or .html for o->steps) or when o asks
 * for nothing;
 * -errno when a file cannot be created at its path; -ENOMEM when the
 * host refused memory or a file (no descriptor, no room). Every failure
 * is told on err as "tlssim: ..." and leaves no file behind.
 */
int render_open(const struct render_options *o, FILE *err,
		struct render **out);

/*
 * Where the run must write its text trace (--trace=text) for an HTML
 * flip-book, which shows each step's events; NULL for other pictures.
 */
FILE *render_trace(struct render *r);

/* The reporter that draws for r: tell it every step and the summary. */
struct reporter render_reporter(struct render *r);

/*
 * Finish and close r's files and free r. Returns 0; the write's -errno
 * (-ENOSPC, -EIO, ...) when a file could not be written whole, -ENOMEM
 * when the host refused the drawing memory, -EFBIG when the picture is
 * too large for its format (a PNG over 32767 pixels a side: bad input),
 * -ENODATA when the run ended before anything was drawn (the run did not
 * start); each told on err, and the unfinished file removed.
 */
int render_close(struct render *r);

#endif
