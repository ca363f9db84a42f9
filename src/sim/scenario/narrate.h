/*
 * narrate.h - the story of a step for people (step_report.narration):
 * the kernel events of the step, each told as a line that says what the
 * kernel did and, for a TLS allocate or free, why, in the words of the
 * policy that ran (its explain op, through the kernel's events). Built
 * only when a reporter reads it (run_options.narrate): the runner then
 * asks the kernel to explain (kernel_explain_tls). Private to the runner.
 */
#ifndef TLSSIM_NARRATE_H
#define TLSSIM_NARRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "index_list.h"
#include "kernel/kernel.h"
#include "policy/policy.h"
#include "report/membuf.h"

/* One event kept until the step ends (the kernel holds locks now). */
struct narr_fact {
	enum trace_kind kind;
	const struct process *proc;
	uint64_t offset, length;
	uintptr_t reg;
	int mem_type;
	unsigned rights;
	size_t who, why;	/* offsets in names: a name, the reason */
	bool has_who, has_why;
	bool raw;		/* a region of no thread (tls-alloc) */
};

/*
 * The TLS pages of one process numbered as its manager orders them, by
 * page of its user land, kept between steps and changed where the
 * policy's order puts a page (narrate_pages.c).
 */
struct narr_pages {
	const struct process *p;
	enum tls_page_order order;	/* promised by the policy; UNKNOWN once
					   a walk contradicted it */
	uint32_t *num;		/* by page of the land: its number, 0: none
				   (in address order, 1: held) */
	uint32_t *tree;		/* address order: the pages held, a Fenwick
				   tree by page of the land */
	size_t len;		/* entries of num (0: not numbered) */
	struct index_list held;	/* the entries of num set (in address
				   order: by the last walk; later ones not) */
	uint32_t seen;		/* creation order: the last number given */
	bool stale;		/* walk again before the next number */
};

struct narration {
	struct narr_fact *facts;
	size_t count, cap;
	struct membuf names;	/* the facts' names and reasons, NUL-ended */
	struct membuf text;	/* the story */
	bool broken;		/* memory ran out: no story this step */
	struct narr_pages *pages;	/* by process, as the story met them */
	size_t npages, pagescap;
	uint32_t *index;	/* slots: an entry of pages + 1, 0: empty */
	size_t index_cap;
	size_t walks;		/* of a manager's pages, ever (for tests) */
};

/* Forget the last step's story (keeps the memory). */
void narration_begin(struct narration *n);

/*
 * Note event ev of the step; who names what it happened to (a thread or
 * a region; NULL: the event's thread, if any), note how a thread died
 * (NULL: the event's reason). Never fails: when memory runs out, the step
 * has no story.
 */
void narration_event(struct narration *n, const struct trace_event *ev,
		     const char *who, const char *note);

/*
 * The step's story: one line per event told, each ending in '\n', or
 * NULL when nothing was told (or memory ran out). Valid until the next
 * narration_begin. Call it after the step: it asks the kernel which page
 * each region is in.
 */
const char *narration_end(struct narration *n);

/*
 * Forget what the story keeps of p (its pages' numbering), between steps:
 * p is about to be given back, and a process created later may be at the
 * same address.
 */
void narration_forget_process(struct narration *n, const struct process *p);

void narration_free(struct narration *n);

/* ---- the pages' numbers (narrate_pages.c) ---- */

/*
 * The number (from 1, in the manager's order) of p's page at offset page
 * of its land, or 0 when p holds no page there (or it cannot be told:
 * memory ran out, or the land is too large to number).
 */
size_t narr_page_number(struct narration *n, const struct process *p,
			uint64_t page);

/* p's manager mapped (mapped) or unmapped the page at offset of its land. */
void narr_pages_moved(struct narration *n, const struct process *p,
		      uint64_t offset, bool mapped);

/* Something else happened to p's pages: walk them when next asked. */
void narr_pages_changed(struct narration *n, const struct process *p);

/* Free every numbering. */
void narr_pages_free(struct narration *n);

#endif
