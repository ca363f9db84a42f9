/*
 * show.c - the `show P` drawing of a process's memory map and TLS slots.
 *
 * Layout (widths adapt to the user land size and the type names present):
 *
 *   process P1: user land 0x100000 bytes (256 pages), 3 mappings
 *     TLS: 1 page, 3/8 slots used
 *     offset    size      type         rights
 *     0x0       0x1000    Normal       rw-
 *     0x1000    0x1000    ThreadLocal  rw-  TLS page 1 (3/8 used)
 *       [0] 0x1000 T1         0x1200 T2         0x1400 buf        0x1600 free
 *       [4] 0x1800 free       0x1a00 free       0x1c00 free       0x1e00 free
 *     0x2000    0xfe000   free
 *
 * Every line goes through a small line builder that counts visible
 * columns (escapes excluded) and clips at SHOW_COLUMNS with "...", so no
 * input can make a line wider than that; names are first shortened to
 * their cell with the same ellipsis.
 */
#include <config.h>

#include "show.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define ESC_RESET	"\033[0m"
#define ESC_BOLD	"\033[1m"
#define ESC_DIM		"\033[2m"
#define ESC_TYPE	"\033[36m"	/* cyan: a memory type */
#define ESC_TLS		"\033[35m"	/* magenta: TLS pages */
#define ESC_THREAD	"\033[32m"	/* green: a slot of a live thread */
#define ESC_RAW		"\033[33m"	/* yellow: a slot of a raw region */
#define ESC_WARN	"\033[31m"	/* red: a TLS page not mapped */

#define ELLIPSIS	"..."
#define SLOT_INDENT	8	/* "    [0] " */

/* One output line being built, with its visible width. */
struct line {
	char buf[SHOW_COLUMNS * 8 + 64];
	size_t len;
	size_t cols;
	bool color;
	bool full;
};

static void line_start(struct line *l, bool color)
{
	l->len = 0;
	l->cols = 0;
	l->buf[0] = '\0';
	l->color = color;
	l->full = false;
}

static void line_raw(struct line *l, const char *s, size_t n)
{
	if (n > sizeof(l->buf) - 1 - l->len)
		n = sizeof(l->buf) - 1 - l->len;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

/*
 * Append text (in colour esc when colours are on and esc is not NULL).
 * Text past SHOW_COLUMNS is dropped and the line ends in an ellipsis.
 */
static void line_put(struct line *l, const char *esc, const char *text)
{
	size_t n = strlen(text), room = SHOW_COLUMNS - l->cols;
	bool clip = false;

	if (l->full || n == 0)
		return;
	if (n > room) {
		clip = true;
		n = room >= strlen(ELLIPSIS) ? room - strlen(ELLIPSIS) : room;
	}
	if (l->color && esc)
		line_raw(l, esc, strlen(esc));
	line_raw(l, text, n);
	l->cols += n;
	if (clip && room >= strlen(ELLIPSIS)) {
		line_raw(l, ELLIPSIS, strlen(ELLIPSIS));
		l->cols += strlen(ELLIPSIS);
	}
	if (l->color && esc)
		line_raw(l, ESC_RESET, strlen(ESC_RESET));
	l->full = clip;
}

static void __attribute__((format(printf, 3, 4)))
line_printf(struct line *l, const char *esc, const char *fmt, ...)
{
	char tmp[SHOW_COLUMNS * 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	line_put(l, esc, tmp);
}

/* Pad with spaces up to visible column col. */
static void line_pad(struct line *l, size_t col)
{
	static const char spaces[SHOW_COLUMNS + 1] =
		"                                        "
		"                                        ";

	if (col > SHOW_COLUMNS)
		col = SHOW_COLUMNS;
	if (l->full || l->cols >= col)
		return;
	line_raw(l, spaces, col - l->cols);
	l->cols = col;
}

static void line_end(FILE *out, struct line *l)
{
	fputs(l->buf, out);
	fputc('\n', out);
}

/*
 * Copy name into dst (of dst_size bytes) so that it takes at most width
 * columns: non-printable bytes become '?', a name too long ends in "...".
 */
static void fit_name(char *dst, size_t dst_size, const char *name,
		     size_t width)
{
	size_t n = strlen(name), keep = n, i;
	bool cut = false;

	if (width >= dst_size)
		width = dst_size - 1;
	if (n > width) {
		cut = true;
		keep = width > strlen(ELLIPSIS) ? width - strlen(ELLIPSIS)
						: width;
	}
	for (i = 0; i < keep; i++) {
		unsigned char c = (unsigned char)name[i];

		dst[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (cut && width > strlen(ELLIPSIS)) {
		memcpy(dst + i, ELLIPSIS, strlen(ELLIPSIS));
		i += strlen(ELLIPSIS);
	}
	dst[i] = '\0';
}

static size_t hex_len(uint64_t v)
{
	return (size_t)snprintf(NULL, 0, "0x%jx", (uintmax_t)v);
}

static void rights_str(char out[4], unsigned rights)
{
	out[0] = rights & MAR_READABLE ? 'r' : '-';
	out[1] = rights & MAR_WRITABLE ? 'w' : '-';
	out[2] = rights & MAR_EXECUTABLE ? 'x' : '-';
	out[3] = '\0';
}

/* A live thread of p and its TLS address, for the owner lookup. */
struct owner {
	uintptr_t tls;
	const char *name;
};

/* A page of p's manager: its address and its creation index. */
struct page_ref {
	uintptr_t addr;
	size_t index;
};

/* Everything the drawing of one process needs. */
struct show {
	FILE *out;
	const struct process *p;
	const struct show_options *o;
	bool color;
	size_t off_w;		/* width of the offset and size columns */
	size_t type_w;		/* width of the type column */
	struct owner *owners;	/* live threads of p, by tls */
	size_t owner_count;
	struct page_ref *pages;	/* p's manager's pages, by address */
	size_t page_count;
};

static int cmp_owner(const void *a, const void *b)
{
	const struct owner *x = a, *y = b;

	return x->tls < y->tls ? -1 : x->tls > y->tls;
}

static const struct tls_manager *show_mgr(const struct show *s)
{
	return &s->p->tls;
}

static int cmp_page(const void *a, const void *b)
{
	const struct page_ref *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Collect the live threads of p and p's pages, sorted. 0 or -ENOMEM. */
static int show_index(struct show *s, const struct kernel *k)
{
	const struct thread *t;
	size_t n = 0;

	for (t = k->threads; t; t = t->next_in_kernel)
		if (t->proc == s->p && t->state != THREAD_DEAD && t->tls)
			n++;
	if (n) {
		s->owners = calloc(n, sizeof(*s->owners));
		if (!s->owners)
			return -ENOMEM;
	}
	for (t = k->threads; t; t = t->next_in_kernel) {
		if (t->proc != s->p || t->state == THREAD_DEAD || !t->tls)
			continue;
		s->owners[s->owner_count++] = (struct owner){
			t->tls, t->name ? t->name : "?" };
	}
	if (s->owner_count)
		qsort(s->owners, s->owner_count, sizeof(*s->owners),
		      cmp_owner);

	s->page_count = tls_manager_page_count(show_mgr(s));
	if (!s->page_count)
		return 0;
	s->pages = calloc(s->page_count, sizeof(*s->pages));
	if (!s->pages)
		return -ENOMEM;
	for (size_t i = 0; i < s->page_count; i++)
		s->pages[i] = (struct page_ref){
			tls_manager_page(show_mgr(s), i)->page_address, i };
	qsort(s->pages, s->page_count, sizeof(*s->pages), cmp_page);
	return 0;
}

/* Name and colour of the owner of a used slot. */
static const char *slot_owner(const struct show *s, uintptr_t tls,
			      const char **esc)
{
	struct owner key = { tls, NULL }, *hit = NULL;
	const char *name;

	if (s->owner_count)
		hit = bsearch(&key, s->owners, s->owner_count,
			      sizeof(*s->owners), cmp_owner);
	if (hit) {
		*esc = ESC_THREAD;
		return hit->name;
	}
	*esc = ESC_RAW;
	if (s->o && s->o->owner) {
		name = s->o->owner(s->o->owner_ctx, s->p, tls);
		if (name)
			return name;
	}
	return "(used)";
}

static size_t page_used(const struct tls_page *page)
{
	size_t used = 0;

	for (size_t i = 0; i < TLS_PER_PAGE; i++)
		used += tls_page_slot_used(page, i);
	return used;
}

/* The slot table of one page: 4 slots a row (2 when offsets are wide). */
static void show_slots(struct show *s, const struct tls_page *page)
{
	uint64_t base = process_offset(s->p, page->page_address);
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
		if (tls_page_slot_used(page, i))
			who = slot_owner(s, page->page_address + i * TLS_SIZE,
					 &esc);
		fit_name(name, sizeof(name), who, name_w);
		line_put(&l, esc, name);
		if (col == per_row - 1 || i == TLS_PER_PAGE - 1)
			line_end(s->out, &l);
	}
}

/* Number (from 1, creation order) and text "TLS page N (k/8 used)". */
static void page_label(struct line *l, size_t index,
		       const struct tls_page *page)
{
	line_printf(l, ESC_TLS, "TLS page %zu (%zu/%zu used)", index + 1,
		    page_used(page), (size_t)TLS_PER_PAGE);
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
static void show_page(struct show *s, const struct page_ref *r,
		      const char *prefix, bool mapped)
{
	const struct tls_page *page = tls_manager_page(show_mgr(s), r->index);
	struct line l;

	line_start(&l, s->color);
	line_printf(&l, NULL, "%s0x%jx: ", prefix,
		    (uintmax_t)process_offset(s->p, r->addr));
	page_label(&l, r->index, page);
	if (!mapped)
		line_put(&l, ESC_WARN, " NOT MAPPED");
	line_end(s->out, &l);
	show_slots(s, page);
}

/*
 * One mapping, then the slot tables of the TLS pages inside it. *next is
 * the position in s->pages of the first page not yet looked at; pages
 * below the mapping are not mapped and marked so in drawn[] (false).
 */
static void show_mapping(struct show *s, const struct mapping *m,
			 size_t *next, bool *drawn)
{
	uintptr_t end = m->start + m->length;
	size_t first, count = 0;
	const char *type = memory_type_name(m->type);
	const struct page_ref *r;
	char rights[4];
	struct line l;

	while (*next < s->page_count && s->pages[*next].addr < m->start)
		(*next)++;
	first = *next;
	while (first + count < s->page_count &&
	       s->pages[first + count].addr < end)
		count++;
	*next = first + count;

	show_columns(s, &l, process_offset(s->p, m->start), m->length);
	line_put(&l, m->type == MEM_THREAD_LOCAL ? ESC_TLS : ESC_TYPE,
		 type ? type : "?");
	line_pad(&l, 2 + 2 * (s->off_w + 2) + s->type_w + 2);
	rights_str(rights, m->rights);
	line_put(&l, NULL, rights);
	r = count == 1 ? &s->pages[first] : NULL;
	if (r && m->length == PAGE_SIZE && r->addr == m->start) {
		/* The usual case: the mapping is the page. */
		line_put(&l, NULL, "  ");
		page_label(&l, r->index,
			   tls_manager_page(show_mgr(s), r->index));
		line_end(s->out, &l);
		show_slots(s, tls_manager_page(show_mgr(s), r->index));
		drawn[r->index] = true;
		return;
	}
	line_end(s->out, &l);
	for (size_t i = first; i < first + count; i++) {
		show_page(s, &s->pages[i], "    at ", true);
		drawn[s->pages[i].index] = true;
	}
}

/* TLS pages the manager holds whose memory is gone (a lab unmapped it). */
static void show_unmapped_pages(struct show *s, const bool *drawn)
{
	for (size_t i = 0; i < s->page_count; i++)
		if (!drawn[s->pages[i].index])
			show_page(s, &s->pages[i], "  ", false);
}

static void show_header(struct show *s, size_t mappings)
{
	const struct tls_manager *mgr = show_mgr(s);
	size_t pages = tls_manager_page_count(mgr);
	char rest[SHOW_COLUMNS * 2], name[SHOW_COLUMNS + 1];
	size_t used = strlen("process ");
	struct line l;

	snprintf(rest, sizeof(rest),
		 ": user land 0x%jx bytes (%zu page%s), %zu mapping%s",
		 (uintmax_t)s->p->userland_size,
		 s->p->userland_size / PAGE_SIZE,
		 s->p->userland_size == PAGE_SIZE ? "" : "s", mappings,
		 mappings == 1 ? "" : "s");
	used += strlen(rest);
	fit_name(name, sizeof(name), s->p->name ? s->p->name : "?",
		 used < SHOW_COLUMNS - 4 ? SHOW_COLUMNS - used : 4);
	line_start(&l, s->color);
	line_put(&l, ESC_BOLD, "process ");
	line_put(&l, ESC_BOLD, name);
	line_put(&l, NULL, rest);
	line_end(s->out, &l);

	line_start(&l, s->color);
	line_printf(&l, NULL, "  TLS: %zu page%s, %zu/%zu slots used", pages,
		    pages == 1 ? "" : "s", tls_manager_used(mgr),
		    pages * TLS_PER_PAGE);
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

	fit_name(name, sizeof(name), p->name ? p->name : "?", 40);
	line_start(&l, color);
	line_put(&l, ESC_BOLD, "process ");
	line_put(&l, ESC_BOLD, name);
	line_put(&l, NULL, ": killed; its user land was released");
	line_end(out, &l);
}

static int show_live(struct show *s, const struct kernel *k)
{
	const struct pmem *pm = s->p->pm;
	size_t n = pmem_mapping_count(pm);
	uintptr_t cursor = s->p->userland_start;
	size_t next = 0;
	bool *drawn = NULL;
	int err;

	s->off_w = hex_len(s->p->userland_size);
	if (s->off_w < strlen("offset"))
		s->off_w = strlen("offset");
	s->type_w = strlen("type");
	for (size_t i = 0; i < n; i++) {
		const struct mapping *m = pmem_mapping_at(pm, i);
		const char *name = memory_type_name(m->type);

		if (name && strlen(name) > s->type_w)
			s->type_w = strlen(name);
	}
	err = show_index(s, k);
	if (err)
		return err;
	if (s->page_count) {
		drawn = calloc(s->page_count, sizeof(*drawn));
		if (!drawn)
			return -ENOMEM;
	}

	show_header(s, n);
	for (size_t i = 0; i < n; i++) {
		const struct mapping *m = pmem_mapping_at(pm, i);

		show_gap(s, cursor, m->start);
		show_mapping(s, m, &next, drawn);
		cursor = m->start + m->length;
	}
	show_gap(s, cursor, s->p->userland_start + s->p->userland_size);
	show_unmapped_pages(s, drawn);
	free(drawn);
	return 0;
}

int show_process(FILE *out, const struct kernel *k, const struct process *p,
		 const struct show_options *o)
{
	struct show s = { .out = out, .p = p, .o = o,
			  .color = o && o->color };
	pthread_mutex_t *lock;
	int err;

	if (!out || !k || !p)
		return -EINVAL;
	if (p->dead || !p->pm) {
		show_dead(out, p, s.color);
		return ferror(out) ? -EIO : 0;
	}
	/* The manager and the memory are guarded by p's lock. */
	lock = (pthread_mutex_t *)&p->lock;
	pthread_mutex_lock(lock);
	err = show_live(&s, k);
	pthread_mutex_unlock(lock);
	free(s.owners);
	free(s.pages);
	if (err)
		return err;
	return ferror(out) ? -EIO : 0;
}
