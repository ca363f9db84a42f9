/*
 * view.h - a process as the reporters draw it: a snapshot built from the
 * kernel front's queries (its mappings, its TLS pages with their slots, the
 * live threads that own slots), sorted for drawing. The text `show` draws
 * it, and so do the pictures (picture.h).
 */
#ifndef TLSSIM_VIEW_H
#define TLSSIM_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"

/* A TLS page: its address, used slots (bit i: slot i), creation index. */
struct view_page {
	uintptr_t addr;
	uint32_t used;
	size_t index;		/* 0-based, in the manager's own order */
};

/* A live thread of the process and the TLS it owns. */
struct view_owner {
	uintptr_t tls;
	const char *name;	/* borrowed from the kernel's thread */
};

struct process_view {
	const struct process *p;
	bool dead;
	struct tlsm_stats stats;
	struct mapping *maps;		/* in address order */
	size_t map_count;
	struct view_page *pages;	/* sorted by address */
	size_t page_count;
	struct view_owner *owners;	/* sorted by tls */
	size_t owner_count;
};

/*
 * Take a snapshot of p. Returns 0, or -ENOMEM when the host refuses the
 * view's memory (then v holds nothing to free). The view borrows names
 * from the kernel: draw it before the kernel changes.
 */
int process_view_build(struct process_view *v, const struct kernel *k,
		       const struct process *p);

/* Release what a view holds. */
void process_view_free(struct process_view *v);

/* The live thread whose TLS is the slot at tls, or NULL. */
const char *process_view_owner(const struct process_view *v, uintptr_t tls);

/* Slots in use in a page. */
size_t view_page_used(const struct view_page *pg);

#endif
