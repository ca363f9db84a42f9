/*
 * show.c - the `show P` drawing of a process's memory map and TLS slots,
 * in text, from a view of the process (view.h).
 *
 * Layout (widths adapt to the user land size and the type names present):
 *
 *   process P1: user land 0x100000 bytes (256 pages), 3 mappings
 *     TLS: 1 page, 0x1000 bytes mapped, 3/8 slots used
 *     offset    size      type         rights
 *     0x0       0x1000    Normal       rw-
 *     0x1000    0x1000    ThreadLocal  rw-  TLS page 1 (3/8 used)
 *       [0] 0x1000 T1         0x1200 T2         0x1400 buf        0x1600 free
 *       [4] 0x1800 free       0x1a00 free       0x1c00 free       0x1e00 free
 *     0x2000    0xfe000   free
 *
 * Every line goes through the line builder of textline.h, so no input can
 * make a line wider than SHOW_COLUMNS; names are first shortened to their
 * cell with the same ellipsis.
 */
#include <config.h>

#include "show.h"
#include "textline.h"
#include "view.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ESC_TYPE	"\033[36m"	/* cyan: a memory type */
#define ESC_TLS		"\033[35m"	/* magenta: TLS pages */
#define ESC_THREAD	"\033[32m"	/* green: a slot of a live thread */
#define ESC_RAW		"\033[33m"	/* yellow: a slot of a raw region */
#define ESC_WARN	"\033[31m"	/* red: a TLS page not mapped */

#define SLOT_INDENT	8	/* "    [0] " */

/* Everything the drawing of one process needs. */
struct show {
	FILE *out;
	const struct process *p;
	const struct show_options *o;
	const struct process_view *v;
	bool color;
	size_t off_w;		/* width of the offset and size columns */
	size_t type_w;		/* width of the type column */
};

static size_t hex_len(uint64_t v)
{
	return (size_t)snprintf(NULL, 0, "0x%jx", (uintmax_t)v);
}

/* Name and colour of the owner of a used slot. */
static const char *slot_owner(const struct show *s, uintptr_t tls,
			      const char **esc)
{
	const char *name = process_view_owner(s->v, tls);

	if (name) {
		*esc = ESC_THREAD;
		return name;
	}
	*esc = ESC_RAW;
	if (s->o && s->o->owner) {
		name = s->o->owner(s->o->owner_ctx, s->p, tls);
		if (name)
			return name;
	}
	return "(used)";
}

/* The slot table of one page: 4 slots a row (2 when offsets are wide). */
static void show_slots(struct show *s, const struct view_page *page)
{
	uint64_t base = process_offset(s->p, page->addr);
	size_t sw = hex_len(base + (TLS_PER_PAGE - 1) * TLS_SIZE);
	size_t per_row = sw <= 10 ? 4 : 2;
	size_t cell = (SHOW_COLUMNS - SLOT_INDENT) / per_row;
	size_t name_w = cell - sw - 2;
	char name[SHOW_COLUMNS + 1];
	struct line l;

	for (size_t i = 0; i < TLS_PER_PAGE; i++) {
		uint64_t off = base + i * TLS_SIZE;
		const char *who = "free", *esc = ESC_DIM;
		size_t col = i % per_row;

		if (col == 0) {
			line_start(&l, s->color);
			line_printf(&l, NULL, "    [%zu] ", i);
		}
		line_pad(&l, SLOT_INDENT + col * cell);
		line_printf(&l, NULL, "0x%-*jx ", (int)(sw - 2),
			    (uintmax_t)off);
		if (page->used & (1u << i))
			who = slot_owner(s, page->addr + i * TLS_SIZE, &esc);
		fit_name(name, sizeof(name), who, name_w);
		line_put(&l, esc, name);
		if (col == per_row - 1 || i == TLS_PER_PAGE - 1)
			line_end(s->out, &l);
	}
}

/* Number (from 1, creation order) and text "TLS page N (k/8 used)". */
static void page_label(struct line *l, const struct view_page *page)
{
	line_printf(l, ESC_TLS, "TLS page %zu (%zu/%zu used)",
		    page->index + 1, view_page_used(page),
		    (size_t)TLS_PER_PAGE);
}

static void show_columns(struct show *s, struct line *l, uint64_t off,
			 uint64_t size)
{
	line_start(l, s->color);
	line_printf(l, NULL, "  0x%jx", (uintmax_t)off);
	line_pad(l, 2 + s->off_w + 2);
	line_printf(l, NULL, "0x%jx", (uintmax_t)size);
	line_pad(l, 2 + 2 * (s->off_w + 2));
}

static void show_gap(struct show *s, uintptr_t from, uintptr_t to)
{
	struct line l;

	if (to <= from)
		return;
	show_columns(s, &l, process_offset(s->p, from), to - from);
	line_put(&l, ESC_DIM, "free");
	line_end(s->out, &l);
}

/* The slot table of one page, under a line that names it. */
static void show_page(struct show *s, const struct view_page *page,
		      const char *prefix, bool mapped)
{
	struct line l;

	line_start(&l, s->color);
	line_printf(&l, NULL, "%s0x%jx: ", prefix,
		    (uintmax_t)process_offset(s->p, page->addr));
	page_label(&l, page);
	if (!mapped)
		line_put(&l, ESC_WARN, " NOT MAPPED");
	line_end(s->out, &l);
	show_slots(s, page);
}

/*
 * One mapping, then the slot tables of the TLS pages inside it. *next is
 * the position in the view's pages of the first page not yet looked at;
 * pages below the mapping are not mapped and stay false in drawn[].
 */
static void show_mapping(struct show *s, const struct mapping *m,
			 size_t *next, bool *drawn)
{
	const struct view_page *pages = s->v->pages, *r;
	size_t n = s->v->page_count, first, count = 0;
	uintptr_t end = m->start + m->length;
	const char *type = memory_type_name(m->type);
	char rights[4];
	struct line l;

	while (*next < n && pages[*next].addr < m->start)
		(*next)++;
	first = *next;
	while (first + count < n && pages[first + count].addr < end)
		count++;
	*next = first + count;

	show_columns(s, &l, process_offset(s->p, m->start), m->length);
	line_put(&l, m->type == MEM_THREAD_LOCAL ? ESC_TLS : ESC_TYPE,
		 type ? type : "?");
	line_pad(&l, 2 + 2 * (s->off_w + 2) + s->type_w + 2);
	line_put(&l, NULL, mapping_rights_text(m->rights, rights));
	r = count == 1 ? &pages[first] : NULL;
	if (r && m->length == PAGE_SIZE && r->addr == m->start) {
		/* The usual case: the mapping is the page. */
		line_put(&l, NULL, "  ");
		page_label(&l, r);
		line_end(s->out, &l);
		show_slots(s, r);
		drawn[r->index] = true;
		return;
	}
	line_end(s->out, &l);
	for (size_t i = first; i < first + count; i++) {
		show_page(s, &pages[i], "    at ", true);
		drawn[pages[i].index] = true;
	}
}

/* TLS pages the manager holds whose memory is gone (a lab unmapped it). */
static void show_unmapped_pages(struct show *s, const bool *drawn)
{
	for (size_t i = 0; i < s->v->page_count; i++)
		if (!drawn[s->v->pages[i].index])
			show_page(s, &s->v->pages[i], "  ", false);
}

/*
 * The TLS pages of the view that a mapping covers (a lab may unmap one the
 * manager still holds). Both lists are sorted by address: one merge.
 * Returns that count; it cannot fail.
 */
static size_t mapped_pages(const struct process_view *v)
{
	size_t n = 0, m = 0;

	for (size_t i = 0; i < v->page_count; i++) {
		uintptr_t addr = v->pages[i].addr;

		while (m < v->map_count &&
		       v->maps[m].start + v->maps[m].length <= addr)
			m++;
		if (m < v->map_count && v->maps[m].start <= addr)
			n++;
	}
	return n;
}

/*
 * The first line of a drawing: the process, its user land, its mappings
 * and its TLS pages and slots, cut to the width.
 */
static void show_header(struct show *s)
{
	size_t pages = s->v->stats.pages, mappings = s->v->map_count;
	char rest[SHOW_COLUMNS * 2], name[SHOW_COLUMNS + 1];
	size_t used = strlen("process ");
	struct line l;

	snprintf(rest, sizeof(rest),
		 ": user land 0x%jx bytes (%zu page%s), %zu mapping%s",
		 (uintmax_t)process_userland_size(s->p),
		 process_userland_size(s->p) / PAGE_SIZE,
		 process_userland_size(s->p) == PAGE_SIZE ? "" : "s", mappings,
		 mappings == 1 ? "" : "s");
	used += strlen(rest);
	fit_name(name, sizeof(name), process_name(s->p) ? process_name(s->p) : "?",
		 used < SHOW_COLUMNS - 4 ? SHOW_COLUMNS - used : 4);
	line_start(&l, s->color);
	line_put(&l, ESC_BOLD, "process ");
	line_put(&l, ESC_BOLD, name);
	line_put(&l, NULL, rest);
	line_end(s->out, &l);

	line_start(&l, s->color);
	line_printf(&l, NULL, "  TLS: %zu page%s, 0x%jx bytes mapped, "
		    "%zu/%zu slots used", pages, pages == 1 ? "" : "s",
		    (uintmax_t)(mapped_pages(s->v) * PAGE_SIZE),
		    s->v->stats.used, pages * TLS_PER_PAGE);
	line_end(s->out, &l);

	line_start(&l, s->color);
	line_put(&l, NULL, "  offset");
	line_pad(&l, 2 + s->off_w + 2);
	line_put(&l, NULL, "size");
	line_pad(&l, 2 + 2 * (s->off_w + 2));
	line_put(&l, NULL, "type");
	line_pad(&l, 2 + 2 * (s->off_w + 2) + s->type_w + 2);
	line_put(&l, NULL, "rights");
	line_end(s->out, &l);
}

static void show_dead(FILE *out, const struct process *p, bool color)
{
	char name[SHOW_COLUMNS + 1];
	struct line l;

	fit_name(name, sizeof(name), process_name(p) ? process_name(p) : "?", 40);
	line_start(&l, color);
	line_put(&l, ESC_BOLD, "process ");
	line_put(&l, ESC_BOLD, name);
	line_put(&l, NULL, ": killed; its user land was released");
	line_end(out, &l);
}

/* Draw a live process's view. Returns 0 or -ENOMEM. */
static int show_live(struct show *s)
{
	const struct process_view *v = s->v;
	uintptr_t cursor = process_userland_start(s->p);
	size_t next = 0;
	bool *drawn = NULL;

	s->off_w = hex_len(process_userland_size(s->p));
	if (s->off_w < strlen("offset"))
		s->off_w = strlen("offset");
	s->type_w = strlen("type");
	for (size_t i = 0; i < v->map_count; i++) {
		const char *name = memory_type_name(v->maps[i].type);

		if (name && strlen(name) > s->type_w)
			s->type_w = strlen(name);
	}
	if (v->page_count) {
		drawn = calloc(v->page_count, sizeof(*drawn));
		if (!drawn)
			return -ENOMEM;
	}

	show_header(s);
	for (size_t i = 0; i < v->map_count; i++) {
		const struct mapping *m = &v->maps[i];

		show_gap(s, cursor, m->start);
		show_mapping(s, m, &next, drawn);
		cursor = m->start + m->length;
	}
	show_gap(s, cursor, process_userland_start(s->p) + process_userland_size(s->p));
	show_unmapped_pages(s, drawn);
	free(drawn);
	return 0;
}

int show_process(FILE *out, const struct kernel *k, const struct process *p,
		 const struct show_options *o)
{
	struct show s = { .out = out, .p = p, .o = o,
			  .color = o && o->color };
	struct process_view v;
	int err;

	if (!out || !k || !p)
		return -EINVAL;
	if (process_dead(p)) {
		show_dead(out, p, s.color);
		return ferror(out) ? -EIO : 0;
	}
	err = process_view_build(&v, k, p);
	if (err)
		return err;
	s.v = &v;
	err = show_live(&s);
	process_view_free(&v);
	if (err)
		return err;
	return ferror(out) ? -EIO : 0;
}
