/*
 * render.c - the file side of pictures (render.h): a reporter that, told
 * every step of a run, draws the processes of the kernel (through the
 * front's queries and views) onto cairo surfaces chosen by the file name:
 *
 *   the end state (--render, tlssim render --out): one page, every process
 *   in creation order (or only --process), as SVG, PNG (2 pixels a point)
 *   or PDF, at its natural size;
 *
 *   the flip-book (--render-steps, render --steps): a PDF, or an HTML
 *   file, with a page per step that changes what is drawn (render_book.c).
 *
 * cairo writes through our own FILE, opened before the run, so a bad path
 * is reported before anything runs and a failed write is noticed.
 */
#include <config.h>

#include "render_priv.h"
#include "hostmem.h"
#include "textline.h"

#include <cairo.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PNG_SCALE	2.0		/* pixels a point: 144 dpi */
#define PNG_SIDE_MAX	32767		/* pixels: cairo's image surfaces */

bool render_available(void)
{
	return true;
}

/* cairo's writes, into our FILE (a struct render_file); a failed one
 * keeps its errno for the message. */
cairo_status_t render_write_file(void *closure, const unsigned char *data,
				 unsigned int length)
{
	struct render_file *f = closure;

	errno = 0;
	if (fwrite(data, 1, length, f->f) == length)
		return CAIRO_STATUS_SUCCESS;
	if (!f->write_error)
		f->write_error = errno ? errno : EIO;
	return CAIRO_STATUS_WRITE_ERROR;
}

cairo_status_t render_write_mem(void *closure, const unsigned char *data,
				unsigned int length)
{
	return membuf_add(closure, data, length) ? CAIRO_STATUS_SUCCESS
						 : CAIRO_STATUS_NO_MEMORY;
}

/*
 * Remember the first failure of the picture `what`; tell it on err:
 * "cannot draw" when the host refused memory, "cannot write" otherwise.
 */
void render_fail(struct render *r, int err, const char *what)
{
	if (r->error)
		return;
	r->error = err;
	fprintf(r->err, "tlssim: cannot %s '%s': %s\n",
		err == -ENOMEM ? "draw" : "write", what, strerror(-err));
}

/*
 * A cairo status as -errno: the host's memory, or the write to f (its
 * own errno when a write failed).
 */
int render_cairo_errno(cairo_status_t st, const struct render_file *f)
{
	if (st == CAIRO_STATUS_NO_MEMORY)
		return -ENOMEM;
	return f && f->write_error ? -f->write_error : -EIO;
}

/*
 * Open f for writing. Returns 0; -ENOMEM when the host refused it (no
 * memory, descriptor or room); else -errno (a path that cannot be
 * written). The reason is told on err.
 */
static int open_file(struct render_file *f, FILE *err)
{
	int e;

	f->f = fopen(f->path, "wb");
	if (f->f)
		return 0;
	e = errno;
	fprintf(err, "tlssim: cannot write '%s': %s\n", f->path, strerror(e));
	if (e == ENOMEM || e == EMFILE || e == ENFILE || e == ENOSPC ||
	    e == EDQUOT)
		return -ENOMEM;
	return -e;
}

/*
 * Close f; 0, or -errno when a write failed (the first write's errno, or
 * the close's). Removes the file if !keep or on failure.
 */
static int close_file(struct render_file *f, bool keep)
{
	int err = 0, failed;

	if (!f->f)
		return 0;
	errno = 0;
	failed = ferror(f->f) | fclose(f->f);
	if (failed)
		err = -(f->write_error ? f->write_error : errno ? errno : EIO);
	f->f = NULL;
	if (!keep || err)
		unlink(f->path);
	return err;
}

int render_open(const struct render_options *o, FILE *err,
		struct render **out)
{
	enum render_format bf = o->steps ? render_format_of(o->steps)
					 : RENDER_FORMAT_COUNT;
	struct render *r;
	int e;

	*out = NULL;
	if ((!o->out && !o->steps) ||
	    (o->out && render_format_of(o->out) >= RENDER_HTML) ||
	    (o->steps && bf != RENDER_PDF && bf != RENDER_HTML)) {
		fprintf(err, "tlssim: pictures are .svg, .png or .pdf files, a flip-book a .pdf or .html\n");
		return -EINVAL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		host_say_no_memory(err);
		return -ENOMEM;
	}
	r->o = *o;
	r->err = err;
	r->html = bf == RENDER_HTML;
	r->end = (struct render_file){ o->out, NULL,
		o->out ? render_format_of(o->out) : RENDER_FORMAT_COUNT, 0 };
	r->book = (struct render_file){ o->steps, NULL, bf, 0 };
	if (o->out && (e = open_file(&r->end, err)))
		goto out_free;
	if (o->steps) {
		if ((e = open_file(&r->book, err)))
			goto out_close;
		if ((e = book_open(r))) {
			book_free(r);
			close_file(&r->book, false);
			goto out_close;
		}
	}
	*out = r;
	return 0;

out_close:
	close_file(&r->end, false);
out_free:
	free(r);
	return e;
}

FILE *render_trace(struct render *r)
{
	return r->trace;
}

/* ---- the processes of a step ---- */

/* Note p if it is to be drawn (a kernel_for_each_process callback). */
static void add_process(void *arg, const struct process *p)
{
	struct scene *sc = arg;

	if (sc->err || (sc->only && (!process_name(p) || strcmp(process_name(p), sc->only))))
		return;
	if (sc->count == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 8;
		void *list = realloc(sc->list, cap * sizeof(*sc->list));

		if (!list) {
			sc->err = -ENOMEM;
			return;
		}
		sc->list = list;
		sc->cap = cap;
	}
	sc->list[sc->count++] = p;
}

/*
 * The views of k's processes in creation order (or of the one named only:
 * a panel saying it does not exist when it does not), ready to draw, with
 * the book's smaller limits if book.
 * Returns 0 or -ENOMEM; release with scene_free either way.
 */
int scene_build(struct scene *sc, const struct kernel *k,
		       const char *only, bool book)
{
	size_t n;

	memset(sc, 0, sizeof(*sc));
	sc->only = only;
	kernel_for_each_process(k, add_process, sc);
	if (sc->err)
		return sc->err;
	n = sc->count ? sc->count : 1;
	sc->views = calloc(n, sizeof(*sc->views));
	sc->procs = calloc(n, sizeof(*sc->procs));
	if (!sc->views || !sc->procs)
		return -ENOMEM;
	for (; sc->built < sc->count; sc->built++) {
		int err = process_view_build(&sc->views[sc->built], k,
					     sc->list[sc->built]);

		if (err)
			return err;
		sc->procs[sc->built].v = &sc->views[sc->built];
	}
	sc->drawn = sc->count;
	if (!sc->count && only) {
		sc->procs[0].name = only;
		sc->drawn = 1;
	}
	for (size_t i = 0; book && i < sc->drawn; i++) {
		sc->procs[i].pages_max = BOOK_PAGES_MAX;
		sc->procs[i].map_rows_max = BOOK_ROWS_MAX;
	}
	return 0;
}

/* Release what scene_build took, built or not. */
void scene_free(struct scene *sc)
{
	for (size_t i = 0; i < sc->built; i++)
		process_view_free(&sc->views[i]);
	free(sc->list);
	free(sc->views);
	free(sc->procs);
	memset(sc, 0, sizeof(*sc));
}

/* A step: remember it for the end's heading; the flip-book's. */
static void render_step(void *ctx, const struct step_report *s)
{
	struct render *r = ctx;

	r->steps++;
	snprintf(r->last, sizeof(r->last), "line %zu: %s", s->line,
		 s->command);
	if (s->stop_reason)
		snprintf(r->stop, sizeof(r->stop), "%s", s->stop_reason);
	if (r->bk && !r->error)
		book_step(r, s);
}

/* ---- the end state ---- */

/*
 * The surface of file's format for a w x h point picture, writing to file
 * (a PNG is written once drawn). PDFs are PDF 1.4, whose page objects are
 * plain text (newer versions may compress them into object streams).
 */
static cairo_surface_t *end_surface(struct render_file *file,
				    double w, double h)
{
	cairo_surface_t *s;

	switch (file->format) {
	case RENDER_SVG:
		return cairo_svg_surface_create_for_stream(render_write_file,
							   file, w, h);
	case RENDER_PDF:
		s = cairo_pdf_surface_create_for_stream(render_write_file, file,
							w, h);
		cairo_pdf_surface_restrict_to_version(s, CAIRO_PDF_VERSION_1_4);
		return s;
	default:
		return cairo_image_surface_create(CAIRO_FORMAT_RGB24,
						  (int)(w * PNG_SCALE + 0.5),
						  (int)(h * PNG_SCALE + 0.5));
	}
}

/*
 * Whether a w x h point picture fits the end file's format. A PNG is an
 * image of at most PNG_SIDE_MAX pixels a side: a larger one is refused as
 * bad input (-EFBIG), saying the limit and the ways out. Returns 0 or
 * -EFBIG (told on r->err).
 */
static int check_end_size(struct render *r, double w, double h)
{
	double pw = w * PNG_SCALE + 0.5, ph = h * PNG_SCALE + 0.5;

	if (r->end.format != RENDER_PNG ||
	    (pw <= PNG_SIDE_MAX && ph <= PNG_SIDE_MAX))
		return 0;
	r->error = -EFBIG;
	fprintf(r->err, "tlssim: cannot draw '%s': the picture would be %.0f x %.0f pixels, and a PNG is at most %d a side; draw it as .svg or .pdf, or one process with --process=P\n",
		r->end.path, pw, ph, PNG_SIDE_MAX);
	return -EFBIG;
}

/* Draw pg as the end state's picture. Returns 0 or -errno. */
static int draw_end(struct render *r, const struct picture_page *pg)
{
	cairo_surface_t *surface;
	cairo_status_t st;
	double w, h;
	cairo_t *cr;

	picture_page_size(pg, 1, &w, &h);
	if (check_end_size(r, w, h))
		return -EFBIG;
	surface = end_surface(&r->end, w, h);
#if CAIRO_VERSION >= CAIRO_VERSION_ENCODE(1, 16, 0)
	/* a PDF reader shows the heading as the document's title */
	if (r->end.format == RENDER_PDF) {
		cairo_pdf_surface_set_metadata(surface,
					       CAIRO_PDF_METADATA_TITLE,
					       pg->title);
		cairo_pdf_surface_set_metadata(surface,
					       CAIRO_PDF_METADATA_SUBJECT,
					       pg->detail);
	}
#endif
	cr = cairo_create(surface);
	if (r->end.format == RENDER_PNG)
		cairo_scale(cr, PNG_SCALE, PNG_SCALE);
	picture_page_draw(cr, pg, 1);
	st = cairo_status(cr);
	cairo_destroy(cr);
	if (!st && r->end.format == RENDER_PNG)
		st = cairo_surface_write_to_png_stream(surface, render_write_file,
						       &r->end);
	cairo_surface_finish(surface);
	if (!st)
		st = cairo_surface_status(surface);
	cairo_surface_destroy(surface);
	return st ? render_cairo_errno(st, &r->end) : 0;
}

/*
 * The heading's second line: how the run went, "ok: 12 commands, ...";
 * a panic or a refusal of the host with the step's words for it (stop).
 */
static void summary_text(char *buf, size_t size, const struct run_summary *s,
			 const char *stop)
{
	switch (s->status) {
	case RUN_OK:
		snprintf(buf, size, "ok: %zu command%s, %u expectation%s held",
			 s->commands, s->commands == 1 ? "" : "s",
			 s->expectations, s->expectations == 1 ? "" : "s");
		break;
	case RUN_FAILED:
		snprintf(buf, size, "FAILED: %u failure%s", s->failures,
			 s->failures == 1 ? "" : "s");
		break;
	case RUN_PANIC:
		snprintf(buf, size, "PANIC: %s", *stop ? stop :
			 "the kernel panicked");
		break;
	default:
		snprintf(buf, size, "ERROR: the host refused the simulator%s%s",
			 *stop ? ": " : "", stop);
		break;
	}
}

/*
 * The end of the run: the picture of the end state; a book that got no
 * page (no commands) gets one saying so.
 */
static void render_summary(void *ctx, const struct run_summary *s)
{
	struct render *r = ctx;
	char title[256], detail[384], how[224];
	struct picture_page pg;
	struct scene sc;
	int err;

	if (r->bk && !r->error)
		book_finish(r, s->file);
	if (!r->end.f || r->error)
		return;
	err = scene_build(&sc, s->kernel, r->o.process, false);
	if (err) {
		scene_free(&sc);
		render_fail(r, err, r->end.path);
		return;
	}
	summary_text(how, sizeof(how), s, r->stop);
	snprintf(title, sizeof(title), "%s: the end of the run", s->file);
	if (r->steps)
		snprintf(detail, sizeof(detail), "after %s. %s", r->last, how);
	else
		snprintf(detail, sizeof(detail), "%s", how);
	pg = (struct picture_page){
		.title = title, .detail = detail, .procs = sc.procs,
		.count = sc.drawn, .owner = s->owner,
		.owner_ctx = s->owner_ctx,
	};
	err = draw_end(r, &pg);
	scene_free(&sc);
	if (err && err != -EFBIG)	/* too large: told already */
		render_fail(r, err, r->end.path);
	else
		r->end_drawn = true;
}

struct reporter render_reporter(struct render *r)
{
	return (struct reporter){ .step = render_step,
				  .summary = render_summary, .ctx = r,
				  .all_processes = true };
}

int render_close(struct render *r)
{
	int err = r->error, e;
	bool book_ok = r->pages > 0;

	if (r->bk) {
		book_free(r);
		if (!err && r->error)
			err = r->error;
	}
	if ((e = close_file(&r->book, !err && book_ok)) && !err)
		render_fail(r, err = e, r->book.path);
	if ((e = close_file(&r->end, !err && r->end_drawn)) && !err)
		render_fail(r, err = e, r->end.path);
	if (!err && ((r->end.path && !r->end_drawn) ||
		     (r->book.path && !book_ok)))
		err = -ENODATA;		/* the run never started: said so */
	free(r);
	return err;
}
