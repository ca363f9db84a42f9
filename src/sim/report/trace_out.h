/*
 * trace_out.h - the scenario runner's trace sink: kernel events written as
 * text lines or as JSON Lines (--trace=text|json), each naming the scenario
 * line that caused it. Memory positions are offsets in a process's user
 * land, never host addresses, so traces are deterministic. The JSON fields
 * are listed in doc/trace-format.md.
 */
#ifndef TLSSIM_TRACE_OUT_H
#define TLSSIM_TRACE_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "kernel/trace.h"

enum trace_format {
	TRACE_TEXT,
	TRACE_JSON,
	TRACE_FORMAT_COUNT
};

struct trace_out {
	FILE *out;
	enum trace_format fmt;
	const char *file_name;	/* borrowed: must outlive the sink */
	size_t line;		/* 0: no line known */
	bool failed;		/* an event could not be written */
};

/*
 * Format for a --trace value: "text" or "json". Returns TRACE_FORMAT_COUNT
 * for anything else (NULL included).
 */
enum trace_format trace_format_from_name(const char *name);

/*
 * Set up t to write events to out in format fmt, naming file_name (may be
 * NULL; not copied) as their origin. Returns 0, or -EINVAL when t or out is
 * NULL or fmt is not a format (t is then left unusable: every event fails).
 */
int trace_out_init(struct trace_out *t, FILE *out, enum trace_format fmt,
		   const char *file_name);

/* The scenario line the next events come from (0: none). */
void trace_out_set_line(struct trace_out *t, size_t line);

/*
 * A trace_fn for kernel_set_trace(k, trace_out_event, t): write ev as one
 * line. Never fails loudly; when the line cannot be built or written,
 * t->failed is set (see trace_out_failed).
 */
void trace_out_event(void *ctx, const struct trace_event *ev);

/* Whether some event could not be written (out of memory, write error). */
bool trace_out_failed(const struct trace_out *t);

#endif
