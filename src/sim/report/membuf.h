/*
 * membuf.h - bytes that grow in memory: an SVG page drawn before it is
 * written, a step's story told line by line. Used by the reporters and
 * the runner's story; nothing here knows what the bytes are.
 */
#ifndef TLSSIM_MEMBUF_H
#define TLSSIM_MEMBUF_H

#include <stdbool.h>
#include <stddef.h>

/*
 * p holds len bytes (and a NUL after them once anything was added), in
 * cap bytes of room; oom is set, and stays set, once the host refused
 * room. A zeroed struct membuf is an empty one.
 */
struct membuf {
	char *p;
	size_t len, cap;
	bool oom;
};

/*
 * Append len bytes of data to m (a NUL kept after them). Returns false,
 * with m->oom set and m unchanged, when the host refuses the room.
 */
bool membuf_add(struct membuf *m, const void *data, size_t len);

/* Append fmt's text to m. Returns false as membuf_add. */
bool membuf_printf(struct membuf *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Empty m, keeping its room (and forgetting a refusal). */
void membuf_reset(struct membuf *m);

/* Free what m holds; m is then empty. */
void membuf_free(struct membuf *m);

#endif
