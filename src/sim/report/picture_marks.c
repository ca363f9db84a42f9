/*
 * picture_marks.c - what a flip-book page marks on a process's panel
 * (picture.h, struct picture_marks): the change since the page before and
 * the registers.
 *
 *   a new TLS page          its caption says "new", its outline green;
 *   a slot taken            a thick green outline and "new";
 *   a slot freed            a dashed orange outline and "freed";
 *   a page unmapped         a ghost: its dashed grey outline, its slots
 *                           as they were, below the land's end;
 *   a CPU's TLS register    "CPU0: t2" left of the page, an arrow into
 *                           the slot it points at; blue when it is the
 *                           running thread's own slot, red when stale.
 *
 * The end-state pictures carry no marks and look as they always did.
 */
#include <config.h>

#include "picture_priv.h"

#include <stdio.h>

/* The page of m->before at addr, or NULL. */
static const struct view_page *before_page(const struct picture_marks *m,
					   uintptr_t addr)
{
	size_t lo = 0, hi = m->before_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->before[mid].addr == addr)
			return &m->before[mid];
		if (m->before[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool marks_page_new(const struct picture_marks *m, uintptr_t addr)
{
	return m && !before_page(m, addr);
}

enum slot_mark marks_slot(const struct picture_marks *m,
			  const struct view_page *pg, size_t i)
{
	const struct view_page *was;
	bool used = pg->used & (1u << i), was_used;

	if (!m)
		return SLOT_SAME;
	was = before_page(m, pg->addr);
	was_used = was && (was->used & (1u << i));
	if (used && !was_used)
		return SLOT_TAKEN;
	if (!used && was_used)
		return SLOT_FREED;
	return SLOT_SAME;
}

/* Whether v holds a TLS page at addr (its pages are sorted). */
static bool holds_page(const struct process_view *v, uintptr_t addr)
{
	size_t lo = 0, hi = v->page_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v->pages[mid].addr == addr)
			return true;
		if (v->pages[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

size_t marks_ghosts(const struct picture_marks *m,
		    const struct process_view *v,
		    const struct view_page **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; m && i < m->before_count; i++) {
		if (holds_page(v, m->before[i].addr))
			continue;
		if (n < max)
			out[n] = &m->before[i];
		n++;
	}
	return n;
}

/* A small tag at the top right of a slot cell. */
static void tag(cairo_t *cr, double x, double y, double w, unsigned rgb,
		const char *text)
{
	picture_rgb(cr, rgb);
	picture_text(cr, x + w - 5, y + 10, w / 2, 1, PF_BOLD, 6.5, text);
}

void marks_draw_slot(cairo_t *cr, enum slot_mark mark, double x, double y,
		     double w)
{
	if (mark == SLOT_SAME)
		return;
	cairo_save(cr);
	cairo_rectangle(cr, x + 1.5, y + 1.5, w - 3, SLOT_H - 3);
	picture_rgb(cr, mark == SLOT_TAKEN ? FRESH : FREED);
	cairo_set_line_width(cr, 2.2);
	if (mark == SLOT_FREED)
		cairo_set_dash(cr, (double[]){ 3, 2 }, 2, 0);
	cairo_stroke(cr);
	cairo_restore(cr);
	tag(cr, x, y, w, mark == SLOT_TAKEN ? FRESH : FREED,
	    mark == SLOT_TAKEN ? "new" : "freed");
}

/* An arrow head at (x, y) pointing down. */
static void arrow_head(cairo_t *cr, double x, double y)
{
	cairo_move_to(cr, x, y);
	cairo_line_to(cr, x - 3.5, y - 6);
	cairo_line_to(cr, x + 3.5, y - 6);
	cairo_close_path(cr);
	cairo_fill(cr);
}

void marks_draw_regs(cairo_t *cr, const struct picture_marks *m,
		     const struct view_page *pg, double y, double x0,
		     double cell)
{
	size_t k = 0;

	for (size_t i = 0; m && i < m->reg_count; i++) {
		const struct picture_reg *r = &m->regs[i];
		size_t slot, row, col;
		double by, tx, gap, lw;
		char label[64];
		unsigned ink = r->stale ? WARN : REG;

		if (r->reg < pg->addr || r->reg - pg->addr >= PAGE_SIZE)
			continue;
		slot = (r->reg - pg->addr) / TLS_SIZE;
		row = slot / SLOTS_PER_ROW;
		col = slot % SLOTS_PER_ROW;
		/* labels stack in the column of offsets, by the slot's row */
		by = y + CAPTION_H + (double)row * SLOT_H + 4 + (double)(k % 4) * 12;
		if (by > y + PAGE_H - 12)
			by = y + PAGE_H - 12;
		k++;
		snprintf(label, sizeof(label), "CPU%u: %s%s", r->cpu,
			 r->thread ? r->thread : "idle", r->stale ? " (stale)" : "");
		lw = picture_text_width(cr, PF_BOLD, 7, label);
		if (lw > OFF_W - 10)
			lw = OFF_W - 10;
		box(cr, BLOCK_X - 8 - lw - 6, by, lw + 6, 11, 0xffffff, ink, 1);
		picture_rgb(cr, ink);
		picture_text(cr, BLOCK_X - 8 - lw - 3, by + 8.5, lw, 0, PF_BOLD,
			     7, label);
		/* along the gap above the slot's row, then down into it */
		/* into the right of the cell: its number and offset are left */
		tx = x0 + (double)(col + 1) * cell - 30 - (double)((k - 1) % 4) * 8;
		gap = y + CAPTION_H + (double)row * SLOT_H + 0.8;
		cairo_set_line_width(cr, 1.4);
		cairo_move_to(cr, BLOCK_X - 8, by + 5.5);
		cairo_line_to(cr, BLOCK_X + INDENT / 2 + 2, gap);
		cairo_line_to(cr, tx, gap);
		cairo_line_to(cr, tx, gap + 4);
		cairo_stroke(cr);
		arrow_head(cr, tx, gap + 9);
		cairo_rectangle(cr, x0 + (double)col * cell + 1.5,
				y + CAPTION_H + (double)row * SLOT_H + 1.5,
				cell - 3, SLOT_H - 3);
		cairo_set_line_width(cr, 1.8);
		cairo_stroke(cr);
	}
}

void marks_draw_ghost(cairo_t *cr, const struct process_view *v,
		      const struct view_page *pg, double y)
{
	double x = BLOCK_X + INDENT, w = BLOCK_W - INDENT;
	double cell = (w - 8) / SLOTS_PER_ROW;
	char caption[160], off[64];

	cairo_save(cr);
	cairo_set_dash(cr, (double[]){ 4, 3 }, 2, 0);
	cairo_rectangle(cr, x, y + 2, w, PAGE_H - 4);
	picture_rgb(cr, 0x999999);
	cairo_set_line_width(cr, 1.2);
	cairo_stroke(cr);
	for (size_t i = 0; i < TLS_PER_PAGE; i++) {
		cairo_rectangle(cr, x + 4 + (double)(i % SLOTS_PER_ROW) * cell + 1.5,
				y + CAPTION_H + (double)(i / SLOTS_PER_ROW) * SLOT_H + 1.5,
				cell - 3, SLOT_H - 3);
		cairo_set_line_width(cr, 0.6);
		cairo_stroke(cr);
	}
	cairo_restore(cr);
	snprintf(caption, sizeof(caption),
		 "TLS page at %s: unmapped by this step (%zu/%u slots were used)",
		 offset_label(off, sizeof(off), v, pg->addr),
		 view_page_used(pg), (unsigned)TLS_PER_PAGE);
	picture_rgb(cr, FREED);
	picture_text(cr, x + 6, y + 14, w - 12, 0, PF_BOLD, 9, caption);
	picture_rgb(cr, 0x999999);
	for (size_t i = 0; i < TLS_PER_PAGE; i++)
		picture_text(cr, x + 4 + (double)(i % SLOTS_PER_ROW) * cell + cell / 2,
			     y + CAPTION_H + (double)(i / SLOTS_PER_ROW) * SLOT_H + 17,
			     cell - 9, 0.5, PF_ITALIC, 8,
			     pg->used & (1u << i) ? "(was used)" : "");
}
