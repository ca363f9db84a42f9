/*
 * picture_page.c - a page of a picture: a heading (what the picture shows:
 * the scenario file, the line and the command, its outcome), the panels of
 * the processes (picture.c) in one or more columns, and a legend of the
 * colours, on white. The page has a natural size (picture_page_size); a
 * flip-book page of a fixed size draws it scaled to fit (picture_page_fit).
 */
#include <config.h>

#include "picture.h"

#define MARGIN		20.0
#define SPACE		12.0	/* between heading, panels and legend */
#define COL_GAP		16.0
#define ROW_GAP		12.0
#define TITLE_H		20.0
#define LINE_H		15.0
#define TITLE_LINE_H	18.0	/* a title's lines, when it wraps */
#define EMPTY_H		24.0	/* "no process yet" */
#define LEGEND_COLS	3
#define LEGEND_ITEM_H	15.0
#define LEGEND_H	(LEGEND_ITEM_H * ((PC_COUNT + LEGEND_COLS - 1) / \
					  LEGEND_COLS) + 16.0)
#define FIT_MAX		1.25	/* a small page is enlarged this much at most */
#define COLS_MAX	4

/*
 * The lines of pg's heading below its title, on a page w wide: the note
 * and the further lines are wrapped, never cut.
 */
static size_t heading_lines(const struct picture_page *pg, double w)
{
	double max_w = w - 2 * MARGIN;
	size_t n = !!pg->detail + !!pg->observed;

	if (pg->note)
		n += picture_wrap_lines(pg->note, PF_BOLD, 10, max_w);
	for (size_t i = 0; i < pg->line_count; i++)
		n += picture_wrap_lines(pg->lines[i], PF_SANS, 9.5, max_w);
	return n;
}

/* The height of pg's heading on a page w wide: a long title wraps. */
static double heading_height(const struct picture_page *pg, double w)
{
	size_t title = picture_wrap_lines(pg->title ? pg->title : "", PF_BOLD,
					  14, w - 2 * MARGIN);

	return TITLE_H + TITLE_LINE_H * (double)(title - 1) +
	       LINE_H * (double)heading_lines(pg, w);
}

/* pg's heading at the top of a page w wide. */
static void draw_heading(cairo_t *cr, const struct picture_page *pg,
			 double w)
{
	double y = MARGIN + 15, max_w = w - 2 * MARGIN;

	picture_rgb(cr, 0x111111);
	y += TITLE_LINE_H * (double)(picture_text_wrapped(cr, MARGIN, y, max_w,
			PF_BOLD, 14, TITLE_LINE_H, pg->title ? pg->title : "") - 1);
	y += LINE_H;
	if (pg->detail) {
		picture_rgb(cr, 0x444444);
		picture_text(cr, MARGIN, y, max_w, 0, PF_SANS, 10, pg->detail);
		y += LINE_H;
	}
	if (pg->observed) {
		picture_rgb(cr, 0x1f4e99);
		picture_text(cr, MARGIN, y, max_w, 0, PF_MONO, 9.5,
			     pg->observed);
		y += LINE_H;
	}
	if (pg->note) {
		picture_rgb(cr, 0xc0392b);
		y += LINE_H * (double)picture_text_wrapped(cr, MARGIN, y, max_w,
							   PF_BOLD, 10, LINE_H,
							   pg->note);
	}
	for (size_t i = 0; i < pg->line_count; i++) {
		picture_rgb(cr, 0x1e5631);
		y += LINE_H * (double)picture_text_wrapped(cr, MARGIN, y, max_w,
							   PF_SANS, 9.5,
							   LINE_H, pg->lines[i]);
	}
}

/* The legend, LEGEND_H high, from (x, y), PICTURE_PANEL_W wide. */
static void draw_legend(cairo_t *cr, double x, double y)
{
	double col_w = PICTURE_PANEL_W / LEGEND_COLS;

	for (int c = 0; c < PC_COUNT; c++) {
		double ix = x + (c % LEGEND_COLS) * col_w;
		double iy = y + (c / LEGEND_COLS) * LEGEND_ITEM_H;

		cairo_rectangle(cr, ix, iy + 2, 18, 10);
		picture_color(cr, (enum picture_color)c);
		cairo_fill_preserve(cr);
		picture_rgb(cr, c == PC_TLS ? 0x8e44ad : 0x777777);
		cairo_set_line_width(cr, 0.7);
		cairo_stroke(cr);
		picture_rgb(cr, 0x333333);
		picture_text(cr, ix + 24, iy + 11, col_w - 28, 0, PF_SANS, 8.5,
			     picture_color_meaning((enum picture_color)c));
	}
	picture_rgb(cr, 0x666666);
	picture_text(cr, x, y + LEGEND_H - 3, PICTURE_PANEL_W, 0, PF_ITALIC,
		     8, "Rows are not to scale: a free range is one short row however long. Offsets are PROCESS+0xOFF in its user land.");
}

/* Height of the panels in cols columns: each row as high as its tallest. */
static double grid_height(const struct picture_page *pg, size_t cols)
{
	double h = 0, row = 0;

	if (!pg->count)
		return EMPTY_H;
	for (size_t i = 0; i < pg->count; i++) {
		double ph = picture_panel_height(&pg->procs[i]);

		if (ph > row)
			row = ph;
		if (i % cols == cols - 1 || i == pg->count - 1) {
			h += row + (h > 0 ? ROW_GAP : 0);
			row = 0;
		}
	}
	return h;
}

void picture_page_size(const struct picture_page *pg, size_t cols,
		       double *w, double *h)
{
	size_t used = pg->count < cols ? pg->count : cols;

	if (used == 0)
		used = 1;
	*w = 2 * MARGIN + used * PICTURE_PANEL_W + (used - 1) * COL_GAP;
	*h = MARGIN + heading_height(pg, *w) + SPACE + grid_height(pg, cols) +
	     SPACE + LEGEND_H + MARGIN;
}

void picture_page_draw(cairo_t *cr, const struct picture_page *pg,
		       size_t cols)
{
	double w, h, y, row = 0;

	picture_page_size(pg, cols, &w, &h);
	cairo_save(cr);
	cairo_rectangle(cr, 0, 0, w, h);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_fill(cr);
	draw_heading(cr, pg, w);
	y = MARGIN + heading_height(pg, w) + SPACE;
	if (!pg->count) {
		picture_rgb(cr, 0x666666);
		picture_text(cr, MARGIN, y + 14, PICTURE_PANEL_W, 0, PF_ITALIC,
			     11, "no process yet");
		y += EMPTY_H;
	}
	for (size_t i = 0; i < pg->count; i++) {
		size_t col = i % cols;
		double ph = picture_panel_height(&pg->procs[i]);

		picture_panel(cr, MARGIN + col * (PICTURE_PANEL_W + COL_GAP), y,
			      &pg->procs[i], pg->owner, pg->owner_ctx);
		if (ph > row)
			row = ph;
		if (col == cols - 1 || i == pg->count - 1) {
			y += row + (i == pg->count - 1 ? 0 : ROW_GAP);
			row = 0;
		}
	}
	draw_legend(cr, MARGIN, y + SPACE);
	cairo_restore(cr);
}

/* The smaller of a and b. */
static double smaller(double a, double b)
{
	return a < b ? a : b;
}

size_t picture_page_cols(const struct picture_page *pg, double w, double h)
{
	size_t best_cols = 1, max_cols = pg->count < COLS_MAX ? pg->count
							      : COLS_MAX;
	double best = 0, pw, ph, s;

	for (size_t cols = 1; cols <= (max_cols ? max_cols : 1); cols++) {
		picture_page_size(pg, cols, &pw, &ph);
		s = smaller(w / pw, h / ph);
		if (s > best + 1e-9) {
			best = s;
			best_cols = cols;
		}
	}
	return best_cols;
}

void picture_page_fit(cairo_t *cr, const struct picture_page *pg, double w,
		      double h)
{
	size_t cols = picture_page_cols(pg, w, h);
	double pw, ph, s;

	picture_page_size(pg, cols, &pw, &ph);
	s = smaller(smaller(w / pw, h / ph), FIT_MAX);
	cairo_save(cr);
	cairo_rectangle(cr, 0, 0, w, h);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_fill(cr);
	cairo_translate(cr, (w - pw * s) / 2, 0);
	cairo_scale(cr, s, s);
	picture_page_draw(cr, pg, cols);
	cairo_restore(cr);
}
