/*
 * picture_pen.c - the pens of a picture (picture.h): its colours, each
 * with what it means in the legend, its fonts, and text drawn cut to fit
 * with "...". Colours are light fills under dark text, so a picture reads
 * on paper, in grey, and on a projector.
 */
#include <config.h>

#include "picture.h"
#include "textline.h"

#include <string.h>

static const unsigned colors[PC_COUNT] = {
	[PC_CODE] = 0xa6cee3, [PC_DATA] = 0xfdd9a8, [PC_STACK] = 0xcab2d6,
	[PC_OTHER] = 0xf4b6b6, [PC_TLS] = 0xe8d0ee, [PC_FREE] = 0xf0f0f0,
	[PC_THREAD] = 0xb9e08c, [PC_RAW] = 0xffe48a,
	[PC_FREE_SLOT] = 0xffffff,
};

static const char *const meanings[PC_COUNT] = {
	[PC_CODE] = "code", [PC_DATA] = "data, heap", [PC_STACK] = "stack",
	[PC_OTHER] = "IPC, shared, I/O, other",
	[PC_TLS] = "ThreadLocal: TLS page",
	[PC_FREE] = "free range (shortened)",
	[PC_THREAD] = "slot of a live thread",
	[PC_RAW] = "slot from tls-alloc",
	[PC_FREE_SLOT] = "free slot",
};

void picture_rgb(cairo_t *cr, unsigned rgb)
{
	cairo_set_source_rgb(cr, (rgb >> 16 & 0xff) / 255.0,
			     (rgb >> 8 & 0xff) / 255.0, (rgb & 0xff) / 255.0);
}

unsigned picture_color_rgb(enum picture_color c)
{
	return colors[c];
}

void picture_color(cairo_t *cr, enum picture_color c)
{
	picture_rgb(cr, colors[c]);
}

const char *picture_color_meaning(enum picture_color c)
{
	return meanings[c];
}

void picture_font(cairo_t *cr, enum picture_font f, double pt)
{
	cairo_select_font_face(cr, f == PF_MONO ? "monospace" : "sans-serif",
			       f == PF_ITALIC ? CAIRO_FONT_SLANT_ITALIC
					      : CAIRO_FONT_SLANT_NORMAL,
			       f == PF_BOLD ? CAIRO_FONT_WEIGHT_BOLD
					    : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, pt);
}

/* The advance of s in cr's font. */
static double text_width(cairo_t *cr, const char *s)
{
	cairo_text_extents_t e;

	cairo_text_extents(cr, s, &e);
	return e.x_advance;
}

double picture_text_width(cairo_t *cr, enum picture_font f, double pt,
			  const char *text)
{
	char buf[256];

	picture_font(cr, f, pt);
	fit_name(buf, sizeof(buf), text, sizeof(buf) - 1);
	return text_width(cr, buf);
}

double picture_text(cairo_t *cr, double x, double y, double max_w,
		    double align, enum picture_font f, double pt,
		    const char *text)
{
	char buf[256];
	size_t n;
	double w;

	picture_font(cr, f, pt);
	fit_name(buf, sizeof(buf), text, sizeof(buf) - 1);
	n = strlen(buf);
	w = text_width(cr, buf);
	/* shorten a character at a time: labels are short */
	while (w > max_w && n > 0) {
		n--;
		while (n > 0 && buf[n - 1] == ' ')
			n--;
		memcpy(buf + n, "...", 4);
		w = text_width(cr, buf);
		if (n == 0 && w > max_w)
			return 0;
	}
	cairo_move_to(cr, x - align * w, y);
	cairo_show_text(cr, buf);
	return w;
}

/*
 * Characters of font f at size pt that fit in max_w: a character is taken
 * as wide as DejaVu's widest common ones, so that a wrapped line fits.
 */
static size_t wrap_cols(enum picture_font f, double pt, double max_w)
{
	double em = f == PF_MONO ? 0.61 : f == PF_BOLD ? 0.68 : 0.6;
	double cols = max_w / (em * pt);

	return cols < 8 ? 8 : (size_t)cols;
}

/*
 * The length of the line of text that starts at s, at most cols bytes:
 * up to its last space that fits, or cut hard when a word is longer.
 */
static size_t wrap_next(const char *s, size_t cols)
{
	size_t n = strlen(s), cut = 0;

	if (n <= cols)
		return n;
	for (size_t i = 1; i <= cols; i++)
		if (s[i] == ' ')
			cut = i;
	return cut ? cut : cols;
}

size_t picture_wrap_lines(const char *text, enum picture_font f, double pt,
			  double max_w)
{
	size_t cols = wrap_cols(f, pt, max_w), lines = 0;

	while (*text) {
		text += wrap_next(text, cols);
		while (*text == ' ')
			text++;
		lines++;
	}
	return lines ? lines : 1;
}

size_t picture_text_wrapped(cairo_t *cr, double x, double y, double max_w,
			    enum picture_font f, double pt, double line_h,
			    const char *text)
{
	size_t cols = wrap_cols(f, pt, max_w), lines = 0;
	char buf[256];

	while (*text) {
		size_t n = wrap_next(text, cols);

		if (n >= sizeof(buf))
			n = sizeof(buf) - 1;
		memcpy(buf, text, n);
		buf[n] = '\0';
		picture_text(cr, x, y + line_h * (double)lines, max_w, 0, f, pt,
			     buf);
		text += n;
		while (*text == ' ')
			text++;
		lines++;
	}
	return lines;
}
