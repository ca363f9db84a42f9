/*
 * show.h - the `show P` drawing: a process's memory map, its free gaps,
 * and the slot table of every TLS page, in offsets from the start of its
 * user land (never host addresses), within 80 columns.
 */
#ifndef TLSSIM_SHOW_H
#define TLSSIM_SHOW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "kernel/kernel.h"
#include "textline.h"

/* No line show_process writes is wider than this (escapes not counted). */
#define SHOW_COLUMNS TEXTLINE_COLUMNS

/*
 * Who owns a used TLS slot that no live thread of p owns: a name, or NULL
 * when the callback does not know it. tls is the slot's host address. The
 * scenario runner answers with the NAME of `tls-alloc P as NAME`.
 */
typedef const char *(*show_owner_fn)(void *ctx, const struct process *p,
				     uintptr_t tls);

struct show_options {
	bool color;		/* ANSI colours; never any escape when false */
	show_owner_fn owner;	/* may be NULL */
	void *owner_ctx;
};

/*
 * Draw p's memory map to out: a header with the counts, one line per
 * mapping and per free gap in address order, and under each TLS page of
 * p's manager (numbered from 1 in the manager's creation order) its
 * TLS_PER_PAGE slots with their owners: the live thread of p whose TLS is
 * the slot, else o->owner's answer, else "(used)"; a free slot is "free".
 * A TLS page the manager holds but that is not mapped any more is listed
 * after the map. A dead process is one line. o may be NULL (no colour, no
 * owner callback).
 *
 * Returns 0; -EINVAL when out, k or p is NULL (nothing written); -ENOMEM
 * when the host refuses the drawing's own bookkeeping (nothing written but
 * nothing else changed); -EIO when writing to out failed.
 */
int show_process(FILE *out, const struct kernel *k, const struct process *p,
		 const struct show_options *o);

#endif
