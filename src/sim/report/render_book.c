/*
 * render_book.c - the flip-book (render.h): a page per step that changes
 * what is drawn: the processes' mappings, TLS pages and slots, a CPU's
 * running thread or its TLS register, an IPC buffer written. A step that
 * changes nothing (expect, read, peek, show, a failed command...) is
 * listed at the foot of the page of the step before it, with its outcome.
 *
 * A page is drawn when its step comes (the kernel changes at the next
 * one) into a cairo recording surface, with the heading of its step and
 * what changed (render_change.c) marked on the panels; it is written out
 * once the next change (or the end) says which steps it lists: onto an
 * A4 landscape page of the PDF, scaled to fit, with a bookmark; or as an
 * SVG in memory, then into the HTML file (render_html.c).
 */
#include <config.h>

#include "render_priv.h"
#include "hostmem.h"
#include "textline.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FOOT_PT		9.5	/* the steps a page lists */
#define FOOT_LINE	14.0
#define FOOT_PAD	10.0
#define FOOT_MARGIN	20.0
#define FIT_MAX		1.25

struct book {
	struct snap snap;		/* what the last page showed */
	struct ipc_entry *ipc;		/* the IPC buffers written */
	size_t ipc_count;
	uint64_t ipc_gen;
	/* the page drawn, waiting for the steps it lists */
	cairo_surface_t *rec;
	double w, h;
	char *bookmark;			/* "line N: command" */
	struct html_step *steps;	/* its own first, then those listed */
	size_t count, cap;
	char **lines;			/* what changed, the registers, IPC */
};

/* What follows the outcome of step s in its page's heading. */
static const char *verdict_text(const struct step_report *s)
{
	switch (s->verdict) {
	case STEP_HELD:
	case STEP_FAILED:		/* the outcome says FAILED */
		return "";
	case STEP_PANIC:
		return " (unexpected: the run stops)";
	default:
		return " (the host refused: the run stops)";
	}
}

int book_open(struct render *r)
{
	int e;

	r->bk = calloc(1, sizeof(*r->bk));
	if (!r->bk) {
		host_say_no_memory(r->err);
		return -ENOMEM;
	}
	if (r->html) {
		r->trace = open_memstream(&r->trace_buf, &r->trace_len);
		if (!r->trace) {
			host_say_no_memory(r->err);
			return -ENOMEM;
		}
		return html_begin(r);
	}
	r->book_surface = cairo_pdf_surface_create_for_stream(
		render_write_file, &r->book, BOOK_W, BOOK_H);
	if (cairo_surface_status(r->book_surface)) {
		e = render_cairo_errno(cairo_surface_status(r->book_surface),
				       &r->book);
		fprintf(r->err, "tlssim: cannot draw '%s': %s\n", r->book.path,
			strerror(-e));
		return e;
	}
	cairo_pdf_surface_restrict_to_version(r->book_surface,
					      CAIRO_PDF_VERSION_1_4);
#if CAIRO_VERSION >= CAIRO_VERSION_ENCODE(1, 16, 0)
	cairo_pdf_surface_set_metadata(r->book_surface,
				       CAIRO_PDF_METADATA_CREATOR,
				       "tlssim " PACKAGE_VERSION);
#endif
	return 0;
}

/* Free what a step listed keeps. */
static void step_free(struct html_step *st)
{
	free(st->command);
	free(st->outcome);
	free(st->observed);
	free(st->note);
	free(st->narration);
	free(st->events);
}

/*
 * Drop the page waiting, written or not. The recording is finished before
 * it is let go: painted into an SVG page, it holds a snapshot that cairo
 * 1.16 frees only then (without it, an HTML book grew by about 200 KB a
 * page: 2.7 GB for 10,000 pages).
 */
static void page_drop(struct book *bk)
{
	if (bk->rec) {
		cairo_surface_finish(bk->rec);
		cairo_surface_destroy(bk->rec);
	}
	bk->rec = NULL;
	for (size_t i = 0; i < bk->count; i++)
		step_free(&bk->steps[i]);
	bk->count = 0;
	free(bk->bookmark);
	bk->bookmark = NULL;
	change_lines_free(bk->lines);
	bk->lines = NULL;
}

/* strdup of s, or NULL for NULL; *oom set when the host refused. */
static char *dup_or_null(const char *s, bool *oom)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*oom = true;
	return d;
}

/*
 * The events the run traced since the last step (HTML only), without
 * their "trace: FILE:LINE: " heads. NULL when none.
 */
static char *take_events(struct render *r, bool *oom)
{
	char *ev, *o;
	const char *p, *end;

	if (!r->trace)
		return NULL;
	fflush(r->trace);
	if (r->trace_len <= r->trace_pos)
		return NULL;
	p = r->trace_buf + r->trace_pos;
	end = r->trace_buf + r->trace_len;
	r->trace_pos = r->trace_len;
	o = ev = malloc((size_t)(end - p) + 1);
	if (!ev) {
		*oom = true;
		return NULL;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *line = p, *body;
		size_t n;

		nl = nl ? nl + 1 : end;
		body = line;
		/* "trace: FILE:LINE: event": keep the event */
		if (nl - line > 7 && !strncmp(line, "trace: ", 7)) {
			for (const char *q = line + 7; q < nl; q++) {
				const char *d = q + 1;

				if (*q != ':')
					continue;
				while (d < nl && *d >= '0' && *d <= '9')
					d++;
				if (d > q + 1 && d + 1 < nl && d[0] == ':' &&
				    d[1] == ' ') {
					body = d + 2;
					break;
				}
			}
		}
		n = (size_t)(nl - body);
		memcpy(o, body, n);
		o += n;
		p = nl;
	}
	*o = '\0';
	return ev;
}

/* Note step s on the page waiting (its first step when first). */
static int page_add_step(struct render *r, const struct step_report *s,
			 char *events)
{
	struct book *bk = r->bk;
	char outcome[512], full[600];
	struct html_step *st;
	bool oom = false;

	if (bk->count == bk->cap) {
		size_t cap = bk->cap ? bk->cap * 2 : 8;
		void *n = realloc(bk->steps, cap * sizeof(*bk->steps));

		if (!n) {
			free(events);
			return -ENOMEM;
		}
		bk->steps = n;
		bk->cap = cap;
	}
	step_outcome_text(s, outcome, sizeof(outcome));
	snprintf(full, sizeof(full), "%s%s", outcome, verdict_text(s));
	st = &bk->steps[bk->count++];
	*st = (struct html_step){
		.number = r->steps, .line = s->line,
		.command = dup_or_null(s->command, &oom),
		.outcome = dup_or_null(full, &oom),
		.observed = dup_or_null(s->observed, &oom),
		.note = dup_or_null(s->check_failure ? s->check_failure
						      : s->message, &oom),
		.narration = dup_or_null(s->narration, &oom),
		.events = events,
		.failed = s->verdict != STEP_HELD,
	};
	return oom ? -ENOMEM : 0;
}

/* The lines of the IPC buffers written in sc, appended to *lines. */
static int ipc_lines(struct book *bk, const struct scene *sc, char ***lines)
{
	size_t n = 0;
	char **nl;

	while (*lines && (*lines)[n])
		n++;
	if (n == 1 && !(*lines)[0][0]) {	/* the empty line: replace it */
		free((*lines)[0]);
		n = 0;
	}
	nl = realloc(*lines, (n + bk->ipc_count + 1) * sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	*lines = nl;
	for (size_t i = 0; i < bk->ipc_count; i++) {
		nl[n] = ipc_line(&bk->ipc[i], sc);
		if (!nl[n])
			return -ENOMEM;
		nl[++n] = NULL;
	}
	nl[n] = NULL;
	return 0;
}

/*
 * Draw the page of step s, the state sc (changed since bk->snap), into a
 * recording surface that waits for the steps it lists. Returns 0 or
 * -ENOMEM.
 */
static int page_record(struct render *r, const struct step_report *s,
		       struct scene *sc)
{
	struct book *bk = r->bk;
	struct picture_marks *marks = calloc(sc->built ? sc->built : 1,
					     sizeof(*marks));
	struct picture_reg regs[KERNEL_MAX_CPUS];
	char title[256], outcome[512], detail[sizeof(outcome) + 160];
	struct picture_page pg;
	size_t cols, nlines = 0;
	cairo_t *cr;
	int err;

	if (!marks)
		return -ENOMEM;
	change_marks(sc, &bk->snap, s->kernel, marks, regs);
	err = change_lines(sc, &bk->snap, s->kernel, s->owner, s->owner_ctx,
			   &bk->lines);
	if (!err)
		err = ipc_lines(bk, sc, &bk->lines);
	if (err) {
		free(marks);
		return err;
	}
	while (bk->lines && bk->lines[nlines])
		nlines++;
	snprintf(title, sizeof(title), "%s:%zu: %s", s->file, s->line,
		 s->command);
	step_outcome_text(s, outcome, sizeof(outcome));
	if (r->o.commands)
		snprintf(detail, sizeof(detail), "step %zu of %zu: %s%s",
			 r->steps, r->o.commands, outcome, verdict_text(s));
	else
		snprintf(detail, sizeof(detail), "step %zu: %s%s", r->steps,
			 outcome, verdict_text(s));
	pg = (struct picture_page){
		.title = title, .detail = detail, .observed = s->observed,
		.note = s->check_failure ? s->check_failure : s->message,
		.lines = (const char *const *)bk->lines, .line_count = nlines,
		.procs = sc->procs, .count = sc->drawn, .owner = s->owner,
		.owner_ctx = s->owner_ctx,
	};
	cols = picture_page_cols(&pg, BOOK_W, BOOK_H);
	picture_page_size(&pg, cols, &bk->w, &bk->h);
	bk->rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA,
		&(cairo_rectangle_t){ 0, 0, bk->w, bk->h });
	cr = cairo_create(bk->rec);
	picture_page_draw(cr, &pg, cols);
	err = cairo_status(cr) == CAIRO_STATUS_NO_MEMORY ? -ENOMEM : 0;
	cairo_destroy(cr);
	free(marks);
	snprintf(detail, sizeof(detail), "line %zu: %s", s->line, s->command);
	fit_name(title, sizeof(title), detail, sizeof(title) - 1);
	bk->bookmark = strdup(title);
	return err || !bk->bookmark ? -ENOMEM : 0;
}

/* The text of a step listed at a page's foot. */
static void listed_text(char *buf, size_t size, const struct html_step *st)
{
	snprintf(buf, size, "line %zu: %s: %s%s%s", st->line,
		 st->command ? st->command : "", st->outcome ? st->outcome : "",
		 st->note ? ": " : "", st->note ? st->note : "");
}

/* The height of the foot of the page waiting, w wide: its listed steps. */
static double foot_height(const struct book *bk, double w)
{
	char text[1024];
	size_t lines = 1;

	if (bk->count < 2)
		return 0;
	for (size_t i = 1; i < bk->count; i++) {
		listed_text(text, sizeof(text), &bk->steps[i]);
		lines += picture_wrap_lines(text, PF_SANS, FOOT_PT,
					    w - 2 * FOOT_MARGIN);
	}
	return FOOT_PAD + FOOT_LINE * (double)lines + FOOT_PAD;
}

/* Draw the page waiting at its natural size from (0, 0), and its foot. */
static void page_draw(cairo_t *cr, const struct book *bk)
{
	double y = bk->h + FOOT_PAD + 10, fh = foot_height(bk, bk->w);
	char text[1024];

	cairo_save(cr);
	cairo_rectangle(cr, 0, bk->h, bk->w, fh);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_fill(cr);
	cairo_set_source_surface(cr, bk->rec, 0, 0);
	cairo_paint(cr);
	if (bk->count > 1) {
		picture_rgb(cr, 0x333333);
		picture_text(cr, FOOT_MARGIN, y, bk->w - 2 * FOOT_MARGIN, 0,
			     PF_BOLD, FOOT_PT,
			     "Then, changing nothing drawn here:");
		y += FOOT_LINE;
	}
	for (size_t i = 1; i < bk->count; i++) {
		listed_text(text, sizeof(text), &bk->steps[i]);
		picture_rgb(cr, bk->steps[i].failed ? 0xc0392b : 0x333333);
		y += FOOT_LINE * (double)picture_text_wrapped(cr, FOOT_MARGIN, y,
			bk->w - 2 * FOOT_MARGIN, PF_SANS, FOOT_PT, FOOT_LINE,
			text);
	}
	cairo_restore(cr);
}

/* The page waiting as a page of the PDF, with its bookmark. */
static void flush_pdf(struct render *r)
{
	struct book *bk = r->bk;
	double fh = foot_height(bk, bk->w), s;
	cairo_t *cr = cairo_create(r->book_surface);

	s = BOOK_W / bk->w;
	if (BOOK_H / (bk->h + fh) < s)
		s = BOOK_H / (bk->h + fh);
	if (s > FIT_MAX)
		s = FIT_MAX;
	cairo_rectangle(cr, 0, 0, BOOK_W, BOOK_H);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_fill(cr);
	cairo_translate(cr, (BOOK_W - bk->w * s) / 2, 0);
	cairo_scale(cr, s, s);
	page_draw(cr, bk);
	cairo_show_page(cr);
	if (cairo_status(cr))
		render_fail(r, render_cairo_errno(cairo_status(cr), &r->book),
			    r->book.path);
	cairo_destroy(cr);
	r->pages++;
#if CAIRO_VERSION >= CAIRO_VERSION_ENCODE(1, 16, 0)
	{
		char dest[32];

		/* cairo wants UTF-8: the outline is ASCII, as the text */
		snprintf(dest, sizeof(dest), "page=%zu", r->pages);
		cairo_pdf_surface_add_outline(r->book_surface,
					      CAIRO_PDF_OUTLINE_ROOT,
					      bk->bookmark, dest, 0);
	}
#endif
}

/* The page waiting as an SVG into the HTML file. */
static void flush_html(struct render *r)
{
	struct book *bk = r->bk;
	struct membuf svg = { 0 };
	cairo_surface_t *surface;
	cairo_status_t st;
	cairo_t *cr;

	surface = cairo_svg_surface_create_for_stream(render_write_mem, &svg,
		bk->w, bk->h + foot_height(bk, bk->w));
	cr = cairo_create(surface);
	page_draw(cr, bk);
	st = cairo_status(cr);
	cairo_destroy(cr);
	cairo_surface_finish(surface);
	if (!st)
		st = cairo_surface_status(surface);
	cairo_surface_destroy(surface);
	if (st || svg.oom) {
		render_fail(r, -ENOMEM, r->book.path);
	} else {
		r->pages++;
		html_page(r, r->pages, &svg, bk->steps, bk->count, bk->lines);
	}
	free(svg.p);
}

/* Write the page waiting, if any, and drop it. */
static void page_flush(struct render *r)
{
	if (!r->bk->rec)
		return;
	if (!r->error) {
		if (r->html)
			flush_html(r);
		else
			flush_pdf(r);
	}
	page_drop(r->bk);
}

void book_step(struct render *r, const struct step_report *s)
{
	struct book *bk = r->bk;
	bool oom = false;
	char *events = take_events(r, &oom);
	struct scene sc;
	uint64_t digest;
	int err;

	if (!oom && s->verdict == STEP_HELD && s->outcome &&
	    !strcmp(s->outcome, "success")) {
		err = ipc_note(&bk->ipc, &bk->ipc_count, s->ipc_write);
		oom = err < 0;
		bk->ipc_gen += err > 0;
	}
	err = oom ? -ENOMEM : scene_build(&sc, s->kernel, r->o.process, true);
	if (err) {
		if (!oom)
			scene_free(&sc);
		free(events);
		render_fail(r, err, r->book.path);
		return;
	}
	ipc_prune(bk->ipc, &bk->ipc_count, &sc);
	/* what the buffers hold now: a later write or poke may have changed
	 * them */
	err = ipc_refresh(bk->ipc, &bk->ipc_count, s->kernel);
	if (err < 0) {
		scene_free(&sc);
		free(events);
		render_fail(r, err, r->book.path);
		return;
	}
	bk->ipc_gen += err > 0;
	digest = change_digest(&sc, s->kernel, bk->ipc_gen);
	if (bk->snap.taken && digest == bk->snap.digest && bk->rec) {
		err = page_add_step(r, s, events);
	} else {
		page_flush(r);
		err = page_record(r, s, &sc);
		if (!err)
			err = page_add_step(r, s, events);
		else
			free(events);
		if (!err)
			err = snap_take(&bk->snap, &sc, digest);
	}
	scene_free(&sc);
	if (err)
		render_fail(r, err, r->book.path);
}

void book_finish(struct render *r, const char *file)
{
	struct book *bk = r->bk;
	char title[256];
	struct picture_page pg;
	cairo_t *cr;

	page_flush(r);
	if (r->pages || r->error)
		return;
	/* a scenario without commands: a book of one page */
	snprintf(title, sizeof(title), "%s: no commands", file);
	pg = (struct picture_page){ .title = title };
	picture_page_size(&pg, 1, &bk->w, &bk->h);
	bk->rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA,
		&(cairo_rectangle_t){ 0, 0, bk->w, bk->h });
	cr = cairo_create(bk->rec);
	picture_page_draw(cr, &pg, 1);
	cairo_destroy(cr);
	bk->bookmark = strdup(title);
	if (!bk->bookmark) {
		render_fail(r, -ENOMEM, r->book.path);
		page_drop(bk);
		return;
	}
	page_flush(r);
}

void book_free(struct render *r)
{
	struct book *bk = r->bk;

	if (!bk)
		return;
	if (r->html && !r->error && r->pages)
		html_end(r);
	for (size_t i = 0; i < r->glyph_count; i++)
		free(r->glyphs[i]);
	free(r->glyphs);
	r->glyphs = NULL;
	r->glyph_count = r->glyph_cap = 0;
	page_drop(bk);
	free(bk->steps);
	snap_free(&bk->snap);
	ipc_free(bk->ipc, bk->ipc_count);
	free(bk);
	r->bk = NULL;
	if (r->book_surface) {
		cairo_surface_finish(r->book_surface);
		if (!r->error && cairo_surface_status(r->book_surface))
			render_fail(r, render_cairo_errno(
				cairo_surface_status(r->book_surface),
				&r->book), r->book.path);
		cairo_surface_destroy(r->book_surface);
		r->book_surface = NULL;
	}
	if (r->trace)
		fclose(r->trace);
	r->trace = NULL;
	free(r->trace_buf);
	r->trace_buf = NULL;
}
