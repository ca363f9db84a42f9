/*
 * render_priv.h - what the files of pictures share (render.c the files,
 * the end state and the reporter; render_book.c the flip-book's pages;
 * render_change.c what changed between them; render_html.c the HTML
 * flip-book). Private to src/sim/report/render*.c.
 */
#ifndef TLSSIM_RENDER_PRIV_H
#define TLSSIM_RENDER_PRIV_H

#include "membuf.h"
#include "picture.h"
#include "render.h"

#include <cairo.h>
#include <stdint.h>

#define BOOK_W		842.0		/* A4 landscape, in points */
#define BOOK_H		595.0
#define BOOK_PAGES_MAX	4		/* TLS pages opened on a book's page */
#define BOOK_ROWS_MAX	16		/* rows of mappings on a book's page */

struct render_file {
	const char *path;
	FILE *f;
	enum render_format format;
	int write_error;		/* errno of the first failed write */
};

/* The processes of a step, with their views, ready to draw. */
struct scene {
	const struct process **list;	/* the processes to draw */
	size_t count, cap;
	struct process_view *views;	/* built: the first `built` */
	size_t built;
	struct picture_process *procs;	/* what the page draws */
	size_t drawn;
	const char *only;		/* --process, or NULL */
	int err;
};

/* A process as it was on the page before: its TLS pages and mappings. */
struct snap_proc {
	const struct process *p;
	bool dead;
	struct view_page *pages;	/* sorted by address */
	size_t page_count;
	struct mapping *maps;		/* in address order */
	size_t map_count;
	uint64_t map_hash;
};

/* The state a page showed: to find what the next one changed. */
struct snap {
	struct snap_proc *procs;
	size_t count;
	bool taken;			/* a page was drawn already */
	uint64_t digest;
};

/*
 * The IPC buffers written, per region (where the writer's register
 * pointed: another thread's region when it was stale): what pages show,
 * the bytes of the last write as the memory holds them now.
 */
struct ipc_entry {
	char *thread;			/* who wrote it */
	uintptr_t addr;			/* the region written */
	char *field;			/* "ipc", "ipc+0x10" */
	uintptr_t at;			/* the bytes written: the first */
	size_t len;			/* and how many */
	char *text;			/* "ipc = \"open /etc/motd\"" (NULL
					 * until ipc_refresh reads it) */
};

struct book;				/* render_book.c */

struct render {
	struct render_options o;
	FILE *err;
	struct render_file end, book;
	cairo_surface_t *book_surface;	/* the PDF, open while the run goes */
	bool html;			/* the book is an HTML file */
	size_t steps;			/* told so far */
	size_t pages;			/* in the book */
	bool end_drawn;
	char last[96];			/* "line N: command" of the last step */
	char stop[160];			/* a step's stop_reason, or "" */
	int error;			/* the first failure, -errno */
	struct book *bk;		/* the flip-book's state */
	FILE *trace;			/* HTML: the run's text trace */
	char *trace_buf;
	size_t trace_len, trace_pos;
	size_t first_line;		/* HTML: the first page's line */
	/* HTML: the glyphs of every page, each once (render_html.c) */
	char **glyphs;
	size_t glyph_count, glyph_cap;
};

/* ---- render.c ---- */

/* cairo's writes into a struct render_file; a failed write's errno kept. */
cairo_status_t render_write_file(void *closure, const unsigned char *data,
				 unsigned int length);

/*
 * cairo's writes into a struct membuf: CAIRO_STATUS_NO_MEMORY (and oom
 * set) when the host refuses it room.
 */
cairo_status_t render_write_mem(void *closure, const unsigned char *data,
				unsigned int length);

/* Remember and tell the first failure of the file `what`. */
void render_fail(struct render *r, int err, const char *what);

/* A cairo status as -errno (the write's own errno when f failed). */
int render_cairo_errno(cairo_status_t st, const struct render_file *f);

/*
 * The views of k's processes (or of the one named only), with the book's
 * limits if book. Returns 0 or -ENOMEM; scene_free either way.
 */
int scene_build(struct scene *sc, const struct kernel *k, const char *only,
		bool book);
/* Release what scene_build took, built or not. */
void scene_free(struct scene *sc);

/* ---- render_change.c ---- */

/*
 * A digest of what a page shows: the processes of sc (their mappings,
 * pages, slots and owners), every CPU's running thread and register, and
 * ipc_gen (bumped on every write into an IPC buffer).
 */
uint64_t change_digest(const struct scene *sc, const struct kernel *k,
		       uint64_t ipc_gen);

/*
 * Set marks[i] (for sc->procs[i]) against sn, and the registers of k that
 * point into each process into regs (room for KERNEL_MAX_CPUS). Returns
 * the registers found.
 */
size_t change_marks(const struct scene *sc, const struct snap *sn,
		    const struct kernel *k, struct picture_marks *marks,
		    struct picture_reg *regs);

/*
 * What changed from sn to sc, and where each CPU's register points, as
 * lines for people, appended to *lines (a NULL-ended array the caller
 * frees with change_lines_free). Returns 0 or -ENOMEM.
 */
int change_lines(const struct scene *sc, const struct snap *sn,
		 const struct kernel *k, show_owner_fn owner, void *owner_ctx,
		 char ***lines);
/* Free lines of change_lines (NULL: nothing). */
void change_lines_free(char **lines);

/* Make sn the state of sc (its digest too). Returns 0 or -ENOMEM. */
int snap_take(struct snap *sn, const struct scene *sc, uint64_t digest);

/* Free what sn holds, and empty it. */
void snap_free(struct snap *sn);

/*
 * If the step's write w (NULL: none) wrote into an IPC buffer, note where
 * (its region: the writer's CPU register; its field and bytes) in the
 * entries (count of them): returns 1; 0 when there is no write, or the
 * same place again; -ENOMEM on the host's refusal.
 */
int ipc_note(struct ipc_entry **ents, size_t *count,
	     const struct step_store *w);

/*
 * Read each entry's bytes from k's memory into its text (process_debug_read:
 * nothing changes); an entry whose bytes cannot be read any more is
 * forgotten. Returns 1 when a text changed (or an entry went), 0 when
 * none did, -ENOMEM on the host's refusal.
 */
int ipc_refresh(struct ipc_entry *ents, size_t *count, const struct kernel *k);

/* Forget the entries of regions no live thread of sc owns any more. */
void ipc_prune(struct ipc_entry *ents, size_t *count, const struct scene *sc);

/*
 * The line of entry e for people: "IPC of t1: ipc = ..." when the region
 * is its writer's, else whose region the write landed in. Returns a
 * string to free, or NULL when the host refused.
 */
char *ipc_line(const struct ipc_entry *e, const struct scene *sc);
/* Free count entries and their array. */
void ipc_free(struct ipc_entry *ents, size_t count);

/* ---- render_book.c ---- */

/*
 * Get r's flip-book ready (r->book is open): the PDF surface, or the
 * HTML's head and the trace it collects events from. Returns 0, -ENOMEM,
 * or the PDF surface's -errno; told on r->err. book_free either way.
 */
int book_open(struct render *r);

/*
 * Step s: a page of its own when it changed what is drawn (the page
 * before is written then), else listed on the page waiting. A failure
 * is kept in r->error and told (render_fail); the book stops there.
 */
void book_step(struct render *r, const struct step_report *s);

/*
 * The end of the run of file: the page waiting is written; a run of no
 * step gets a page saying so. Failures as book_step.
 */
void book_finish(struct render *r, const char *file);

/*
 * Finish the book (the HTML's end, the PDF's last bytes: a failure is
 * kept in r->error and told) and free what it holds. Safe on a book
 * book_open failed to make.
 */
void book_free(struct render *r);

/* ---- render_html.c ---- */

/* Write what comes before the pages. Returns 0, or -EIO when it failed. */
int html_begin(struct render *r);

/* One page: its SVG, then what each of its steps did. */
struct html_step {
	size_t number, line;
	char *command, *outcome, *observed, *note, *narration, *events;
	bool failed;
};
/*
 * Write page number (from 1) of the HTML: svg its picture, steps its
 * step and those it lists, lines what changed (NULL-ended). A write
 * error shows on the file (ferror), found when it is closed.
 */
void html_page(struct render *r, size_t number, const struct membuf *svg,
	       const struct html_step *steps, size_t count,
	       char *const *lines);

/* The scenario's source, the glyphs, the script, the end (as html_page). */
void html_end(struct render *r);

/* len bytes of text escaped for HTML onto f (control bytes as '?'). */
void html_escape(FILE *f, const char *text, size_t len);

#endif
