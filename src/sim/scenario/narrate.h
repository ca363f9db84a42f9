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

#include "kernel/kernel.h"
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
 * page of its user land: kept between steps and numbered again only after
 * the manager mapped or unmapped a page, so a story costs a lookup per
 * region, not a walk of every page.
 */
struct narr_pages {
	const struct process *p;
	uint32_t *num;		/* by page of the land: its number, 0: none */
	size_t len;		/* entries of num (0: not numbered) */
	size_t *held;		/* the entries of num set now */
	size_t nheld, heldcap;
	bool stale;		/* a page was mapped or unmapped since */
};

struct narration {
	struct narr_fact *facts;
	size_t count, cap;
	struct membuf names;	/* the facts' names and reasons, NUL-ended */
	struct membuf text;	/* the story */
	bool broken;		/* memory ran out: no story this step */
	struct narr_pages *pages;	/* by process, as the story met them */
	size_t npages, pagescap, last;
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

#endif
