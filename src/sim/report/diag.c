/*
 * diag.c - diagnostic sinks, the source line with its caret, and the
 * edit-distance suggestions behind "did you mean".
 */
#include <config.h>

#include "diag.h"
#include "escape.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Source lines longer than this are shown as a window around the column. */
#define SHOW_MAX	120
#define SHOW_BEFORE	60
/* Words longer than this are never typos of a short keyword. */
#define SUGGEST_MAX	64

#define C_BOLD	"\033[1m"
#define C_RED	"\033[1;31m"
#define C_GREEN	"\033[1;32m"
#define C_OFF	"\033[0m"

struct diag {
	FILE *out;
	bool color;
	/* Memory sink: out is an open_memstream over these. */
	bool memory;
	char *mem_buf;
	size_t mem_len;
	size_t count;
	struct diag_record *records;
	size_t record_count;
	size_t record_cap;
};

struct diag *diag_new_stream(FILE *out, bool color)
{
	struct diag *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->out = out;
	d->color = color;
	return d;
}

struct diag *diag_new_memory(void)
{
	struct diag *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->memory = true;
	d->out = open_memstream(&d->mem_buf, &d->mem_len);
	if (!d->out) {
		free(d);
		return NULL;
	}
	return d;
}

void diag_free(struct diag *d)
{
	if (!d)
		return;
	if (d->memory) {
		fclose(d->out);
		free(d->mem_buf);
	}
	for (size_t i = 0; i < d->record_count; i++)
		free(d->records[i].message);
	free(d->records);
	free(d);
}

size_t diag_count(const struct diag *d)
{
	return d->count;
}

const struct diag_record *diag_get(const struct diag *d, size_t i)
{
	if (i >= d->record_count)
		return NULL;
	return &d->records[i];
}

const char *diag_text(struct diag *d)
{
	if (!d->memory || fflush(d->out) != 0 || !d->mem_buf)
		return "";
	return d->mem_buf;
}

/* Keep a record; on failure the message is freed and dropped. */
static void keep(struct diag *d, size_t line, size_t col, char *message)
{
	d->count++;
	if (!message)
		return;
	if (d->record_count == d->record_cap) {
		size_t cap = d->record_cap ? 2 * d->record_cap : 8;
		struct diag_record *r = realloc(d->records, cap * sizeof(*r));

		if (!r) {
			free(message);
			return;
		}
		d->records = r;
		d->record_cap = cap;
	}
	d->records[d->record_count++] = (struct diag_record){
		.line = line, .col = col, .message = message,
	};
}

/* Length of the valid UTF-8 sequence at s[0..len), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	size_t n;
	uint32_t cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * Print the source line (or a window of it around col) with control and
 * invalid bytes as '?', then a caret line under col.
 */
static void show_source(struct diag *d, const char *src, size_t len,
			size_t col)
{
	const unsigned char *s = (const unsigned char *)src;
	char text[4 * SHOW_MAX + 16], caret[SHOW_MAX + 16];
	size_t start = 0, end = len, t = 0, c = 0, at = col ? col - 1 : 0;

	if (len > SHOW_MAX) {
		start = at > SHOW_BEFORE ? at - SHOW_BEFORE : 0;
		if (start > len)
			start = len;
		end = start + SHOW_MAX < len ? start + SHOW_MAX : len;
	}
	if (start > 0) {
		memcpy(text, "...", 3);
		memcpy(caret, "   ", 3);
		t = c = 3;
	}
	for (size_t i = start; i < end;) {
		size_t n = 1;
		bool tab = s[i] == '\t';

		if (s[i] >= 0x80)
			n = utf8_len(s + i, end - i);
		if (n > 1) {
			memcpy(text + t, s + i, n);
			t += n;
		} else {
			n = 1;
			text[t++] = (tab || (s[i] >= 0x20 && s[i] < 0x7f)) ?
				    (char)s[i] : '?';
		}
		if (at >= i + n)
			caret[c++] = tab ? '\t' : ' ';
		i += n;
	}
	if (end < len) {
		memcpy(text + t, "...", 3);
		t += 3;
	}
	text[t] = '\0';
	caret[c] = '\0';
	fprintf(d->out, " %s\n %s%s^%s\n", text, caret,
		d->color ? C_GREEN : "", d->color ? C_OFF : "");
}

/* A formatted message (malloc'd), or NULL when memory runs out. */
static char *format_message(const char *fmt, va_list ap)
{
	char *message = NULL;

	if (vasprintf(&message, fmt, ap) < 0)
		return NULL;
	return message;
}

void diag_error_at(struct diag *d, const char *file, size_t line, size_t col,
		   const char *src, size_t src_len, const char *fmt, ...)
{
	char *message;
	va_list ap;

	va_start(ap, fmt);
	message = format_message(fmt, ap);
	va_end(ap);

	if (d->color)
		fputs(C_BOLD, d->out);
	if (line)
		fprintf(d->out, "%s:%zu:%zu: ", file, line, col);
	else
		fprintf(d->out, "%s: ", file);
	fprintf(d->out, "%serror:%s%s %s%s\n",
		d->color ? C_RED : "", d->color ? C_OFF : "",
		d->color ? C_BOLD : "",
		message ? message : "(out of memory formatting a message)",
		d->color ? C_OFF : "");
	if (line && src)
		show_source(d, src, src_len, col);
	keep(d, line, col, message);
}

void diag_error_plain(struct diag *d, const char *fmt, ...)
{
	char *message;
	va_list ap;

	va_start(ap, fmt);
	message = format_message(fmt, ap);
	va_end(ap);

	fprintf(d->out, "tlssim: %s\n",
		message ? message : "(out of memory formatting a message)");
	keep(d, 0, 0, message);
}

/* Optimal string alignment distance, case-insensitive; both <= SUGGEST_MAX. */
static size_t edit_distance(const char *a, size_t n, const char *b, size_t m)
{
	size_t row[3][SUGGEST_MAX + 1];
	size_t *pp = row[0], *p = row[1], *cur = row[2];

	for (size_t j = 0; j <= m; j++)
		p[j] = j;
	for (size_t i = 1; i <= n; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= m; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			size_t cost = ca != cb;
			size_t best = p[j - 1] + cost;

			if (p[j] + 1 < best)
				best = p[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    cb == tolower((unsigned char)a[i - 2]) &&
			    pp[j - 2] + 1 < best)
				best = pp[j - 2] + 1;
			cur[j] = best;
		}
		size_t *t = pp;

		pp = p;
		p = cur;
		cur = t;
	}
	return p[m];
}

size_t diag_suggest(const char *word, size_t len, const char *const *cands,
		    size_t n)
{
	size_t best = (size_t)-1, best_dist = SIZE_MAX;

	if (len == 0 || len > SUGGEST_MAX)
		return (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		size_t m, dist, limit;

		if (!cands[i])
			continue;
		m = strlen(cands[i]);
		if (m > SUGGEST_MAX)
			continue;
		dist = edit_distance(word, len, cands[i], m);
		/* One edit in three characters still reads as a typo. */
		limit = ((len > m ? len : m) + 2) / 3;
		if (limit < 1)
			limit = 1;
		if (dist <= limit && dist < best_dist && dist < m) {
			best = i;
			best_dist = dist;
		}
	}
	return best;
}

void diag_quote(char *buf, size_t size, const char *s, size_t len)
{
	size_t keep_len = len, o = 0;

	if (size < 5) {
		if (size)
			buf[0] = '\0';
		return;
	}
	if (keep_len > 40)
		keep_len = 40;
	if (keep_len > size - 4)
		keep_len = size - 4;
	for (size_t i = 0; i < keep_len; i++) {
		char one[5];

		escape_byte((unsigned char)s[i], ESCAPE_SOURCE, one);
		buf[o++] = one[0];
	}
	if (keep_len < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}
