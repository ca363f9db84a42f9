/*
 * textline.h - one line of a text drawing, built piece by piece: it counts
 * visible columns (colour escapes excluded), pads to columns, and clips at
 * TEXTLINE_COLUMNS with "...", so no input makes a line wider than that.
 */
#ifndef TLSSIM_TEXTLINE_H
#define TLSSIM_TEXTLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define TEXTLINE_COLUMNS 80

#define ESC_RESET	"\033[0m"
#define ESC_BOLD	"\033[1m"
#define ESC_DIM		"\033[2m"

struct line {
	char buf[TEXTLINE_COLUMNS * 8 + 64];
	size_t len;
	size_t cols;
	bool color;
	bool full;
};

/* An empty line; color: whether escapes are written at all. */
void line_start(struct line *l, bool color);

/*
 * Append text (in colour esc when colours are on and esc is not NULL).
 * Text past TEXTLINE_COLUMNS is dropped and the line ends in "...".
 */
void line_put(struct line *l, const char *esc, const char *text);

/* line_put of a formatted text (at most 2 * TEXTLINE_COLUMNS bytes). */
void line_printf(struct line *l, const char *esc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Pad with spaces up to visible column col. */
void line_pad(struct line *l, size_t col);

/* Write the line and a newline to out. */
void line_end(FILE *out, struct line *l);

/*
 * Copy name into dst (of dst_size bytes) so that it takes at most width
 * columns: non-printable bytes become '?', a name too long ends in "...".
 */
void fit_name(char *dst, size_t dst_size, const char *name, size_t width);

#endif
