/*
 * picture_priv.h - what the panel's files share (picture.c draws a panel,
 * picture_marks.c what a flip-book page marks on it): the geometry of a
 * panel, its inks, and two pens. Private to src/sim/report/picture*.c.
 */
#ifndef TLSSIM_PICTURE_PRIV_H
#define TLSSIM_PICTURE_PRIV_H

#include "picture.h"

#define PAD		10.0	/* inside the panel's frame */
#define OFF_W		118.0	/* the column of offsets */
#define BLOCK_X		(PAD + OFF_W)
#define BLOCK_W		(PICTURE_PANEL_W - BLOCK_X - PAD)
#define INDENT		14.0	/* a TLS page under its mapping */
#define HEAD_H		42.0	/* name and figures */
#define MAP_H		22.0
#define FREE_H		18.0
#define CAPTION_H	16.0	/* "TLS page 1: 3/8 slots used" */
#define SLOT_H		27.0
#define SLOTS_PER_ROW	4
#define PAGE_H		(CAPTION_H + 2 * SLOT_H + 6.0)
#define MORE_H		16.0
#define END_H		10.0
#define NOTE_H		18.0

#define LABEL_NAME	12	/* characters of a name in an offset */

#define INK		0x222222	/* text */
#define GREY		0x666666	/* secondary text */
#define LINE		0x555555	/* outlines */
#define TLS_EDGE	0x8e44ad	/* TLS pages' outline */
#define WARN		0xc0392b	/* a TLS page not mapped, a stale register */
#define FRESH		0x1e8449	/* what this step made: a page, a slot */
#define FREED		0xd35400	/* what this step freed */
#define REG		0x1f5fbf	/* a register that is right */

/* "shell+0x3000": the offset of addr in v's land, its name shortened. */
const char *offset_label(char *buf, size_t size, const struct process_view *v,
			 uintptr_t addr);

/* A rectangle filled with fill, outlined in edge. */
void box(cairo_t *cr, double x, double y, double w, double h, unsigned fill,
	 unsigned edge, double edge_w);

/* ---- picture_marks.c ---- */

/* What this step did to one slot. */
enum slot_mark {
	SLOT_SAME,
	SLOT_TAKEN,		/* used now, free (or no page) before */
	SLOT_FREED,		/* free now, used before */
};

/* Whether page addr of a marked panel is new (no marks: false). */
bool marks_page_new(const struct picture_marks *m, uintptr_t addr);

/* What happened to slot i of pg (no marks: SLOT_SAME). */
enum slot_mark marks_slot(const struct picture_marks *m,
			  const struct view_page *pg, size_t i);

/*
 * The pages of m->before that v no longer holds, at most max of them, into
 * out; returns how many there are in all.
 */
size_t marks_ghosts(const struct picture_marks *m,
		    const struct process_view *v,
		    const struct view_page **out, size_t max);

/*
 * Outline slot i of a page drawn at (x, y) cell wide as its mark says,
 * and tag it; nothing for SLOT_SAME.
 */
void marks_draw_slot(cairo_t *cr, enum slot_mark mark, double x, double y,
		     double w);

/*
 * The registers of m that point into pg (drawn with its top at y, its
 * slots from x0, cell wide): a label in the column of offsets and an
 * arrow into the slot, blue, or red when stale.
 */
void marks_draw_regs(cairo_t *cr, const struct picture_marks *m,
		     const struct view_page *pg, double y, double x0,
		     double cell);

/* A page unmapped by this step: a dashed outline of its slots. */
void marks_draw_ghost(cairo_t *cr, const struct process_view *v,
		      const struct view_page *pg, double y);

#endif
