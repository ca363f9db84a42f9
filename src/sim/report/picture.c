/*
 * picture.c - the panel of one process, drawn with cairo from its view
 * (view.h): what `show P` prints, as a picture.
 *
 *   process shell                                       (a header)
 *   user land 0x100000 bytes (256 pages), 3 mappings; TLS: ...
 *   shell+0x0      [ CodeStatic  r-x            0x2000 bytes (2 pages) ]
 *   shell+0x2000   [ ThreadLocal rw-            0x1000 bytes (1 page)  ]
 *                    [ TLS page 1: 3/8 slots used                      ]
 *                    [ [0] shell+0x2000 | [1] ...  | [2] ... | [3] ... ]
 *                    [   main           |   w1     |  buf    |  free   ]
 *                    [ [4] ...          | ...                          ]
 *   shell+0x3000   [///// ... free 0xfd000 bytes (253 pages) ... /////]
 *   shell+0x100000
 *
 * The rows are not to scale: a mapping is one row, a free range one
 * shorter row whatever its length, so a 1 MiB land with three pages is as
 * readable as a 64 KiB one. Past PICTURE_MAP_ROWS_MAX rows and
 * PICTURE_PAGES_MAX opened pages a row says how many more there are. The
 * rows are planned first (plan_rows), so the height and the drawing agree.
 */
#include <config.h>

#include "picture.h"
#include "picture_priv.h"
#include "place.h"
#include "textline.h"

#include <stdio.h>
#include <string.h>

const char *offset_label(char *buf, size_t size,
				const struct process_view *v, uintptr_t addr)
{
	char name[LABEL_NAME + 1];

	fit_name(name, sizeof(name), process_name(v->p) ? process_name(v->p) : "?",
		 LABEL_NAME);
	return place_named(name, process_offset(v->p, addr), buf, size);
}

/* "0x2000 bytes (2 pages)". */
static const char *size_label(char *buf, size_t size, uint64_t bytes)
{
	uint64_t pages = bytes / PAGE_SIZE;

	if (bytes % PAGE_SIZE)
		snprintf(buf, size, "0x%jx bytes", (uintmax_t)bytes);
	else
		snprintf(buf, size, "0x%jx bytes (%ju page%s)",
			 (uintmax_t)bytes, (uintmax_t)pages,
			 pages == 1 ? "" : "s");
	return buf;
}

/* The colour of a mapping of type t. */
static enum picture_color type_color(enum memory_type t)
{
	switch (t) {
	case MEM_CODE_STATIC: case MEM_CODE_MUTABLE:
	case MEM_MODULE_CODE_STATIC: case MEM_MODULE_CODE_MUTABLE:
	case MEM_CODE_READ_ONLY: case MEM_CODE_WRITABLE:
		return PC_CODE;
	case MEM_NORMAL: case MEM_HEAP: case MEM_ALIAS:
	case MEM_PROCESS_MEMORY:
		return PC_DATA;
	case MEM_STACK: case MEM_KERNEL_STACK:
		return PC_STACK;
	case MEM_THREAD_LOCAL:
		return PC_TLS;
	default:
		return PC_OTHER;
	}
}

/* ---- planning the rows ---- */

enum row_kind {
	ROW_MAP,		/* a mapping */
	ROW_FREE,		/* a free range, shortened */
	ROW_PAGE,		/* a TLS page's slots, under its mapping */
	ROW_LOST,		/* a TLS page whose memory is not mapped */
	ROW_END,		/* the end of the land */
	ROW_MORE_MAPS,		/* mappings not drawn */
	ROW_MORE_PAGES,		/* TLS pages not opened */
	ROW_GHOST,		/* a TLS page this step unmapped (marks) */
	ROW_MORE_GHOSTS,	/* ghosts not drawn */
};

struct row {
	enum row_kind kind;
	uintptr_t addr;			/* where it starts */
	uint64_t size;			/* ROW_FREE */
	const struct mapping *m;	/* ROW_MAP */
	const struct view_page *pg;	/* ROW_PAGE, ROW_LOST */
	bool at;			/* ROW_PAGE: name its offset */
	size_t more;			/* ROW_MORE_* */
};

#define ROWS_MAX (PICTURE_MAP_ROWS_MAX + PICTURE_PAGES_MAX + \
		  PICTURE_GHOSTS_MAX + 4)

struct plan {
	struct row rows[ROWS_MAX];
	size_t n;
};

/* Append r (the plan has room for every row plan_rows makes). */
static void add_row(struct plan *pl, struct row r)
{
	if (pl->n < ROWS_MAX)
		pl->rows[pl->n++] = r;
}

/* Whether a mapping of v holds addr (v's mappings are in address order). */
static bool mapped(const struct process_view *v, uintptr_t addr)
{
	size_t lo = 0, hi = v->map_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mapping *m = &v->maps[mid];

		if (addr < m->start)
			hi = mid;
		else if (addr - m->start >= m->length)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* want, or max when want is 0 or over it. */
static size_t limit(size_t want, size_t max)
{
	return want && want < max ? want : max;
}

/* The rows of the pages unmapped since the page before (marks only). */
static void plan_ghosts(const struct picture_process *pp, struct plan *pl)
{
	const struct view_page *ghosts[PICTURE_GHOSTS_MAX];
	size_t n = marks_ghosts(pp->marks, pp->v, ghosts, PICTURE_GHOSTS_MAX);

	for (size_t i = 0; i < n && i < PICTURE_GHOSTS_MAX; i++)
		add_row(pl, (struct row){ .kind = ROW_GHOST,
			.addr = ghosts[i]->addr, .pg = ghosts[i] });
	if (n > PICTURE_GHOSTS_MAX)
		add_row(pl, (struct row){ .kind = ROW_MORE_GHOSTS,
			.more = n - PICTURE_GHOSTS_MAX });
}

/*
 * The rows of a live process's panel, in drawing order. TLS pages whose
 * memory is gone are rare and worth seeing: up to a quarter of the pages
 * opened is kept for them.
 */
static void plan_rows(const struct picture_process *pp, struct plan *pl)
{
	const struct process_view *v = pp->v;
	const struct view_page *pages = v->pages;
	uintptr_t cursor = process_userland_start(v->p);
	uintptr_t end = cursor + process_userland_size(v->p);
	size_t pages_max = limit(pp->pages_max, PICTURE_PAGES_MAX);
	size_t rows_max = limit(pp->map_rows_max, PICTURE_MAP_ROWS_MAX);
	size_t next = 0, map_rows = 0, opened = 0, lost = 0, i;

	for (size_t j = 0; j < v->page_count; j++)
		lost += !mapped(v, pages[j].addr);
	lost = lost < pages_max / 4 ? lost : pages_max / 4;
	pl->n = 0;
	for (i = 0; i < v->map_count; i++) {
		const struct mapping *m = &v->maps[i];
		uintptr_t mend = m->start + m->length;
		size_t first, count = 0;
		bool gap = m->start > cursor;

		if (map_rows + gap + 1 > rows_max) {
			add_row(pl, (struct row){ .kind = ROW_MORE_MAPS,
				.addr = cursor, .more = v->map_count - i });
			break;
		}
		if (gap) {
			add_row(pl, (struct row){ .kind = ROW_FREE,
				.addr = cursor, .size = m->start - cursor });
			map_rows++;
		}
		add_row(pl, (struct row){ .kind = ROW_MAP, .addr = m->start,
					  .m = m });
		map_rows++;
		while (next < v->page_count && pages[next].addr < m->start)
			next++;
		first = next;
		while (next < v->page_count && pages[next].addr < mend)
			next++, count++;
		for (size_t j = first; j < first + count &&
		     opened < pages_max - lost; j++, opened++)
			add_row(pl, (struct row){ .kind = ROW_PAGE,
				.addr = pages[j].addr, .pg = &pages[j],
				.at = count > 1 || m->length != PAGE_SIZE ||
				      pages[j].addr != m->start });
		cursor = mend;
	}
	if (i == v->map_count) {
		if (cursor < end)
			add_row(pl, (struct row){ .kind = ROW_FREE,
				.addr = cursor, .size = end - cursor });
		add_row(pl, (struct row){ .kind = ROW_END, .addr = end });
	}
	for (size_t j = 0; j < v->page_count && opened < pages_max; j++)
		if (!mapped(v, pages[j].addr)) {
			add_row(pl, (struct row){ .kind = ROW_LOST,
				.addr = pages[j].addr, .pg = &pages[j] });
			opened++;
		}
	if (opened < v->page_count)
		add_row(pl, (struct row){ .kind = ROW_MORE_PAGES,
			.more = v->page_count - opened });
	plan_ghosts(pp, pl);
}

/* The height of a row of its kind. */
static double row_height(const struct row *r)
{
	switch (r->kind) {
	case ROW_MAP:
		return MAP_H;
	case ROW_FREE:
		return FREE_H;
	case ROW_PAGE:
	case ROW_LOST:
	case ROW_GHOST:
		return PAGE_H;
	case ROW_END:
		return END_H;
	default:
		return MORE_H;
	}
}

/* ---- drawing the rows ---- */

/* The offset of a row, left of the block, with a tick at its top edge. */
static void draw_offset(cairo_t *cr, const struct process_view *v,
			uintptr_t addr, double y)
{
	char buf[64];

	picture_rgb(cr, GREY);
	cairo_set_line_width(cr, 0.6);
	cairo_move_to(cr, BLOCK_X - 5, y);
	cairo_line_to(cr, BLOCK_X, y);
	cairo_stroke(cr);
	picture_rgb(cr, INK);
	picture_text(cr, BLOCK_X - 7, y + 3.5, OFF_W - 8, 1, PF_MONO, 8.5,
		     offset_label(buf, sizeof(buf), v, addr));
}

void box(cairo_t *cr, double x, double y, double w, double h,
		unsigned fill, unsigned edge, double edge_w)
{
	cairo_rectangle(cr, x, y, w, h);
	picture_rgb(cr, fill);
	cairo_fill_preserve(cr);
	picture_rgb(cr, edge);
	cairo_set_line_width(cr, edge_w);
	cairo_stroke(cr);
}

/* A mapping: its type, rights and size on its type's colour. */
static void draw_map(cairo_t *cr, const struct process_view *v,
		     const struct row *r, double y)
{
	const char *type = memory_type_name(r->m->type);
	char rights[4], size[64];
	double w;

	box(cr, BLOCK_X, y, BLOCK_W, MAP_H, picture_color_rgb(type_color(r->m->type)),
	    r->m->type == MEM_THREAD_LOCAL ? TLS_EDGE : LINE, 0.8);
	picture_rgb(cr, INK);
	w = picture_text(cr, BLOCK_X + 6, y + 15, 150, 0, PF_BOLD, 9.5,
			 type ? type : "?");
	picture_text(cr, BLOCK_X + 6 + w + 8, y + 15, 40, 0, PF_MONO, 9,
		     mapping_rights_text(r->m->rights, rights));
	picture_rgb(cr, GREY);
	picture_text(cr, BLOCK_X + BLOCK_W - 6, y + 15, 190, 1, PF_SANS, 8.5,
		     size_label(size, sizeof(size), r->m->length));
	draw_offset(cr, v, r->addr, y);
}

/* A free range: hatched, its length written, elided when long. */
static void draw_free(cairo_t *cr, const struct process_view *v,
		      const struct row *r, double y)
{
	char size[64], label[96];
	double w;

	cairo_save(cr);
	cairo_rectangle(cr, BLOCK_X, y, BLOCK_W, FREE_H);
	picture_color(cr, PC_FREE);
	cairo_fill_preserve(cr);
	cairo_clip_preserve(cr);
	/* hatching: the range is shortened */
	picture_rgb(cr, 0xd4d4d4);
	cairo_set_line_width(cr, 0.7);
	for (double x = BLOCK_X - FREE_H; x < BLOCK_X + BLOCK_W; x += 7) {
		cairo_move_to(cr, x, y + FREE_H);
		cairo_line_to(cr, x + FREE_H, y);
	}
	cairo_stroke(cr);
	cairo_restore(cr);
	cairo_rectangle(cr, BLOCK_X, y, BLOCK_W, FREE_H);
	picture_rgb(cr, 0xaaaaaa);
	cairo_set_line_width(cr, 0.6);
	cairo_set_dash(cr, (double[]){ 3, 2 }, 2, 0);
	cairo_stroke(cr);
	cairo_set_dash(cr, NULL, 0, 0);

	size_label(size, sizeof(size), r->size);
	snprintf(label, sizeof(label), r->size > 4 * PAGE_SIZE ?
		 "... free %s ..." : "free %s", size);
	w = picture_text_width(cr, PF_ITALIC, 9, label);
	if (w > BLOCK_W - 8)
		w = BLOCK_W - 8;
	cairo_rectangle(cr, BLOCK_X + (BLOCK_W - w) / 2 - 4, y + 3, w + 8,
			FREE_H - 6);
	picture_color(cr, PC_FREE);
	cairo_fill(cr);
	picture_rgb(cr, 0x444444);
	picture_text(cr, BLOCK_X + BLOCK_W / 2, y + 12.5, BLOCK_W - 8, 0.5,
		     PF_ITALIC, 9, label);
	draw_offset(cr, v, r->addr, y);
}

/* Owner of a used slot and its colour. */
static const char *slot_owner(const struct process_view *v, uintptr_t tls,
			      show_owner_fn owner, void *owner_ctx,
			      enum picture_color *c)
{
	const char *name = process_view_owner(v, tls);

	if (name) {
		*c = PC_THREAD;
		return name;
	}
	*c = PC_RAW;
	if (owner && (name = owner(owner_ctx, v->p, tls)))
		return name;
	return "(used)";
}

/* Slot i of a TLS page: its number, offset and owner, in a cell. */
static void draw_slot(cairo_t *cr, const struct process_view *v,
		      const struct view_page *pg, size_t i, double x,
		      double y, double w, const struct picture_marks *m,
		      show_owner_fn owner, void *owner_ctx)
{
	uintptr_t tls = pg->addr + i * TLS_SIZE;
	enum picture_color c = PC_FREE_SLOT;
	const char *who = "free";
	char head[80], off[64];
	bool used = pg->used & (1u << i);

	if (used)
		who = slot_owner(v, tls, owner, owner_ctx, &c);
	box(cr, x + 1.5, y + 1.5, w - 3, SLOT_H - 3, picture_color_rgb(c), 0x888888,
	    0.6);
	snprintf(head, sizeof(head), "[%zu] %s", i,
		 offset_label(off, sizeof(off), v, tls));
	picture_rgb(cr, GREY);
	picture_text(cr, x + 5, y + 10, w - 9, 0, PF_MONO, 6.5, head);
	picture_rgb(cr, used ? INK : 0x888888);
	picture_text(cr, x + w / 2, y + 22, w - 9, 0.5,
		     c == PC_THREAD ? PF_BOLD : used ? PF_SANS : PF_ITALIC,
		     9.5, who);
	marks_draw_slot(cr, marks_slot(m, pg, i), x, y, w);
}

/*
 * A TLS page: a caption with its number and use, then its slots; tied
 * to its mapping above, or outlined in red when its memory is gone.
 */
static void draw_page(cairo_t *cr, const struct process_view *v,
		      const struct row *r, double y,
		      const struct picture_marks *m, show_owner_fn owner,
		      void *owner_ctx)
{
	const struct view_page *pg = r->pg;
	bool lost = r->kind == ROW_LOST, fresh = marks_page_new(m, pg->addr);
	double x = BLOCK_X + INDENT, w = BLOCK_W - INDENT;
	double cell = (w - 8) / SLOTS_PER_ROW;
	char caption[128], off[64];
	double cw;

	/* a bracket from the mapping above down to the page */
	if (!lost) {
		picture_rgb(cr, TLS_EDGE);
		cairo_set_line_width(cr, 1.2);
		cairo_move_to(cr, BLOCK_X + INDENT / 2, y);
		cairo_line_to(cr, BLOCK_X + INDENT / 2, y + PAGE_H / 2);
		cairo_line_to(cr, x, y + PAGE_H / 2);
		cairo_stroke(cr);
	}
	if (lost)
		cairo_set_dash(cr, (double[]){ 4, 2 }, 2, 0);
	box(cr, x, y + 2, w, PAGE_H - 4, picture_color_rgb(PC_TLS),
	    lost ? WARN : fresh ? FRESH : TLS_EDGE, lost || fresh ? 1.6 : 1);
	cairo_set_dash(cr, NULL, 0, 0);
	snprintf(caption, sizeof(caption), "TLS page %zu: %zu/%u slots used%s%s",
		 pg->index + 1, view_page_used(pg), (unsigned)TLS_PER_PAGE,
		 r->at || lost ? ", at " : "",
		 r->at || lost ? offset_label(off, sizeof(off), v, pg->addr)
			       : "");
	picture_rgb(cr, INK);
	cw = picture_text(cr, x + 6, y + 14, w - 12, 0, PF_BOLD, 9, caption);
	if (lost || fresh) {
		picture_rgb(cr, lost ? WARN : FRESH);
		picture_text(cr, x + 6 + cw + 8, y + 14, w - cw - 20, 0,
			     PF_BOLD, 9, lost ? "NOT MAPPED" : "new page");
	}
	for (size_t i = 0; i < TLS_PER_PAGE; i++)
		draw_slot(cr, v, pg, i, x + 4 + (i % SLOTS_PER_ROW) * cell,
			  y + CAPTION_H + (double)(i / SLOTS_PER_ROW) * SLOT_H,
			  cell, m, owner, owner_ctx);
	marks_draw_regs(cr, m, pg, y, x + 4, cell);
}

/* How many mappings or TLS pages were not drawn. */
static void draw_more(cairo_t *cr, const struct process_view *v,
		      const struct row *r, double y)
{
	char text[160], off[64];

	if (r->kind == ROW_MORE_MAPS)
		snprintf(text, sizeof(text),
			 "... %zu more mapping%s from %s, not drawn", r->more,
			 r->more == 1 ? "" : "s",
			 offset_label(off, sizeof(off), v, r->addr));
	else if (r->kind == ROW_MORE_PAGES)
		snprintf(text, sizeof(text),
			 "... %zu more TLS page%s, not opened", r->more,
			 r->more == 1 ? "" : "s");
	else
		snprintf(text, sizeof(text),
			 "... %zu more TLS page%s unmapped by this step",
			 r->more, r->more == 1 ? "" : "s");
	picture_rgb(cr, GREY);
	picture_text(cr, BLOCK_X + 4, y + 12, BLOCK_W - 8, 0, PF_ITALIC, 9,
		     text);
}

/* ---- the panel ---- */

/* The process's name and figures, as show's header says them. */
static void draw_header(cairo_t *cr, double x, double y,
			const struct picture_process *pp)
{
	const struct process_view *v = pp->v;
	char name[80], line[256];
	const char *pname = v ? process_name(v->p) : pp->name;

	snprintf(name, sizeof(name), "process %s", pname ? pname : "?");
	picture_rgb(cr, INK);
	picture_text(cr, x + PAD, y + 18, PICTURE_PANEL_W - 2 * PAD, 0,
		     PF_BOLD, 13, name);
	if (!v || v->dead)
		return;
	snprintf(line, sizeof(line),
		 "user land 0x%jx bytes (%zu page%s), %zu mapping%s; TLS: %zu page%s, %zu/%zu slots used; policy %s",
		 (uintmax_t)process_userland_size(v->p),
		 process_userland_size(v->p) / PAGE_SIZE,
		 process_userland_size(v->p) == PAGE_SIZE ? "" : "s", v->map_count,
		 v->map_count == 1 ? "" : "s", v->stats.pages,
		 v->stats.pages == 1 ? "" : "s", v->stats.used,
		 v->stats.pages * TLS_PER_PAGE,
		 process_policy(v->p) ? process_policy(v->p)->name : "?");
	picture_rgb(cr, GREY);
	picture_text(cr, x + PAD, y + 33, PICTURE_PANEL_W - 2 * PAD, 0,
		     PF_SANS, 8.5, line);
}

double picture_panel_height(const struct picture_process *pp)
{
	struct plan pl;
	double h = HEAD_H + PAD;

	if (!pp->v || pp->v->dead)
		return h + NOTE_H;
	plan_rows(pp, &pl);
	for (size_t i = 0; i < pl.n; i++)
		h += row_height(&pl.rows[i]);
	return h;
}

void picture_panel(cairo_t *cr, double x, double y,
		   const struct picture_process *pp, show_owner_fn owner,
		   void *owner_ctx)
{
	const struct process_view *v = pp->v;
	double h = picture_panel_height(pp), ry = HEAD_H;
	struct plan pl;

	cairo_save(cr);
	box(cr, x, y, PICTURE_PANEL_W, h, 0xffffff, 0x999999, 0.8);
	draw_header(cr, x, y, pp);
	if (!v || v->dead) {
		picture_rgb(cr, GREY);
		picture_text(cr, x + PAD, y + HEAD_H + 4,
			     PICTURE_PANEL_W - 2 * PAD, 0, PF_ITALIC, 10,
			     v ? "killed: its user land was released"
			       : "not created (yet)");
		cairo_restore(cr);
		return;
	}
	cairo_translate(cr, x, y);
	plan_rows(pp, &pl);
	for (size_t i = 0; i < pl.n; i++) {
		const struct row *r = &pl.rows[i];

		switch (r->kind) {
		case ROW_MAP:
			draw_map(cr, v, r, ry);
			break;
		case ROW_FREE:
			draw_free(cr, v, r, ry);
			break;
		case ROW_PAGE:
		case ROW_LOST:
			draw_page(cr, v, r, ry, pp->marks, owner, owner_ctx);
			break;
		case ROW_GHOST:
			marks_draw_ghost(cr, v, r->pg, ry);
			break;
		case ROW_END:
			draw_offset(cr, v, r->addr, ry);
			break;
		default:
			draw_more(cr, v, r, ry);
			break;
		}
		ry += row_height(r);
	}
	cairo_restore(cr);
}
