/*
 * textline.c - lines of text drawings, clipped and coloured.
 */
#include <config.h>

#include "textline.h"

#include <stdarg.h>
#include <string.h>

#define ELLIPSIS	"..."

void line_start(struct line *l, bool color)
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

void line_put(struct line *l, const char *esc, const char *text)
{
	size_t n = strlen(text), room = TEXTLINE_COLUMNS - l->cols;
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

void line_printf(struct line *l, const char *esc, const char *fmt, ...)
{
	char tmp[TEXTLINE_COLUMNS * 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	line_put(l, esc, tmp);
}

void line_pad(struct line *l, size_t col)
{
	static const char spaces[TEXTLINE_COLUMNS + 1] =
		"                                        "
		"                                        ";

	if (col > TEXTLINE_COLUMNS)
		col = TEXTLINE_COLUMNS;
	if (l->full || l->cols >= col)
		return;
	line_raw(l, spaces, col - l->cols);
	l->cols = col;
}

void line_end(FILE *out, struct line *l)
{
	fputs(l->buf, out);
	fputc('\n', out);
}

void fit_name(char *dst, size_t dst_size, const char *name,
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

