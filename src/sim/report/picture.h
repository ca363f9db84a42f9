/*
 * picture.h - processes drawn with cairo, for pictures a teacher can print
 * or project: a panel per process (picture.c) with its user land as a
 * column of rows in address order (mappings coloured by type, free ranges
 * one short row each however long they are, every TLS page opened into its
 * slots with their owners), a page (picture_page.c) that puts a heading,
 * the panels and a legend together, and the pens of both: colours, fonts,
 * text cut to fit (picture_pen.c).
 *
 * Every size is in points (1/72 inch) and fixed: the size of a picture
 * depends on what it shows, never on the fonts of the host. Offsets are
 * written PROCESS+0xOFF, never host addresses.
 */
#ifndef TLSSIM_PICTURE_H
#define TLSSIM_PICTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cairo.h>

#include "show.h"
#include "view.h"

/* Width of a process's panel. */
#define PICTURE_PANEL_W 560.0

/* TLS pages of one process opened into their slots; the rest are counted. */
#define PICTURE_PAGES_MAX 16

/* Rows of mappings and free ranges of one process; the rest are counted. */
#define PICTURE_MAP_ROWS_MAX 40

/* Pages unmapped since the page before, drawn as ghosts; the rest counted. */
#define PICTURE_GHOSTS_MAX 4

/* A CPU whose TLS register points into a process (a flip-book's page). */
struct picture_reg {
	unsigned cpu;
	const char *thread;	/* the running thread's name, or NULL */
	uintptr_t reg;		/* the register's value */
	bool stale;		/* not the running thread's TLS */
};

/*
 * What changed in a process since the page before, for a flip-book's
 * page: its TLS pages then (sorted by address; none: every page is new),
 * and the registers pointing into it now.
 */
struct picture_marks {
	const struct view_page *before;
	size_t before_count;
	const struct picture_reg *regs;
	size_t reg_count;
};

/*
 * One process to draw: its view, or the name of one that does not exist;
 * and how much of it to draw (0: up to the maxima above; never more).
 */
struct picture_process {
	const struct process_view *v;	/* NULL: not created (yet) */
	const char *name;		/* when v is NULL */
	size_t pages_max;		/* TLS pages opened */
	size_t map_rows_max;		/* mapping and free rows */
	const struct picture_marks *marks;	/* NULL: nothing marked */
};

/* The colours of a picture, each with its meaning in the legend. */
enum picture_color {
	PC_CODE,		/* code mappings */
	PC_DATA,		/* Normal, Heap and other data */
	PC_STACK,		/* stacks */
	PC_OTHER,		/* IPC, shared, I/O and the rest */
	PC_TLS,			/* ThreadLocal mappings, TLS pages */
	PC_FREE,		/* a free range of the user land */
	PC_THREAD,		/* a slot whose owner is a live thread */
	PC_RAW,			/* a slot of tls-alloc (raw) */
	PC_FREE_SLOT,		/* a free slot */
	PC_COUNT
};

/* The text fonts of a picture. */
enum picture_font {
	PF_SANS,
	PF_BOLD,
	PF_ITALIC,
	PF_MONO,
};

/* Make colour c the source of cr. */
void picture_color(cairo_t *cr, enum picture_color c);

/* Colour c as 0xRRGGBB. */
unsigned picture_color_rgb(enum picture_color c);

/* Make 0xRRGGBB the source of cr. */
void picture_rgb(cairo_t *cr, unsigned rgb);

/* What colour c means, for the legend ("slot of a live thread"). */
const char *picture_color_meaning(enum picture_color c);

/* Select font f of size pt on cr. */
void picture_font(cairo_t *cr, enum picture_font f, double pt);

/* The width text takes in font f of size pt (as picture_text draws it). */
double picture_text_width(cairo_t *cr, enum picture_font f, double pt,
			  const char *text);

/*
 * Draw text in font f of size pt with its baseline at y: starting at x
 * (align 0), centred on x (0.5) or ending at x (1). Bytes outside
 * printable ASCII are drawn as '?'; text wider than max_w ends in "...".
 * Returns the width drawn.
 */
double picture_text(cairo_t *cr, double x, double y, double max_w,
		    double align, enum picture_font f, double pt,
		    const char *text);

/*
 * How many lines text takes in font f of size pt wrapped at max_w (at
 * least 1). Lines break at spaces; the width of a character is a fixed
 * share of pt, so the count never depends on the host's fonts.
 */
size_t picture_wrap_lines(const char *text, enum picture_font f, double pt,
			  double max_w);

/*
 * Draw text wrapped as picture_wrap_lines counts it, the first baseline
 * at y, a line every line_h. Returns the lines drawn.
 */
size_t picture_text_wrapped(cairo_t *cr, double x, double y, double max_w,
			    enum picture_font f, double pt, double line_h,
			    const char *text);

/* Height of the panel of pp. */
double picture_panel_height(const struct picture_process *pp);

/*
 * Draw the panel of pp with its top left corner at (x, y). A used slot no
 * live thread owns is named by owner (may be NULL), else "(used)".
 */
void picture_panel(cairo_t *cr, double x, double y,
		   const struct picture_process *pp, show_owner_fn owner,
		   void *owner_ctx);

/* A page: a heading of up to four lines, the panels, a legend. */
struct picture_page {
	const char *title;		/* bold */
	const char *detail;		/* may be NULL */
	const char *observed;		/* a value read; may be NULL */
	const char *note;		/* a failure, in red; may be NULL */
	const char *const *lines;	/* more lines (what changed...) */
	size_t line_count;
	const struct picture_process *procs;
	size_t count;			/* 0: "no process yet" */
	show_owner_fn owner;
	void *owner_ctx;
};

/* The size of pg drawn with its panels in cols columns (cols >= 1). */
void picture_page_size(const struct picture_page *pg, size_t cols,
		       double *w, double *h);

/* Draw pg at its size (picture_page_size), from (0, 0), on white. */
void picture_page_draw(cairo_t *cr, const struct picture_page *pg,
		       size_t cols);

/* The number of columns that draws pg the largest on a w x h page. */
size_t picture_page_cols(const struct picture_page *pg, double w, double h);

/*
 * Draw pg on a w x h page, white, in the number of columns that gives it
 * the largest scale, shrunk to fit (or enlarged a little when small).
 */
void picture_page_fit(cairo_t *cr, const struct picture_page *pg, double w,
		      double h);

#endif
