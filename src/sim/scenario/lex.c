/*
 * scenario_lex.c - the scenario lexer: a line into tokens, and tokens into
 * numbers, strings, hex bytes and names.
 *
 * Every function looks only at the bytes it is given (a line is never NUL
 * terminated here) and reports the first problem with its column.
 */
#include <config.h>

#include "scenario.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a byte can be in a line: a bit set of enum char_class. */
enum char_class {
	CH_SPACE = 1,		/* between tokens */
	CH_STOP = 2,		/* ends a bare word: '"' or '#' */
	CH_NAME_FIRST = 4,	/* may start a name */
	CH_NAME = 8,		/* may be in a name after its first byte */
};

/* Every byte's class (a table, not comparisons: each byte of a line
 * passes here, and each byte of a name again). */
static const unsigned char char_class[256] = {
	[' '] = CH_SPACE, ['\t'] = CH_SPACE, ['\r'] = CH_SPACE,
	['\v'] = CH_SPACE, ['\f'] = CH_SPACE,
	['"'] = CH_STOP, ['#'] = CH_STOP,
	['A' ... 'Z'] = CH_NAME_FIRST | CH_NAME,
	['a' ... 'z'] = CH_NAME_FIRST | CH_NAME,
	['_'] = CH_NAME_FIRST | CH_NAME,
	['0' ... '9'] = CH_NAME, ['.'] = CH_NAME, ['-'] = CH_NAME,
};

static bool has_class(char c, unsigned cls)
{
	return char_class[(unsigned char)c] & cls;
}

static bool is_space(char c)
{
	return has_class(c, CH_SPACE);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int digit_value(char c, unsigned base)
{
	int v = hex_value(c);

	return (v >= 0 && (unsigned)v < base) ? v : -1;
}

static int fail(struct scn_lex_error *err, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct scn_lex_error *err, size_t col, const char *fmt, ...)
{
	va_list ap;

	err->col = col;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int scn_lex_line(const char *line, size_t len, struct scn_token *toks,
		 size_t max, size_t *count, struct scn_lex_error *err)
{
	size_t i = 0, n = 0, prev_end = SIZE_MAX;
	bool clean = true;	/* blanks and names alone so far */

	*count = 0;
	while (i < len) {
		size_t start = i;
		bool name = false;

		if (is_space(line[i])) {
			i++;
			continue;
		}
		if (line[i] == '#') {
			clean = false;
			break;
		}
		if (prev_end == i)
			return fail(err, i + 1,
				    "expected whitespace between arguments");
		if (line[i] == '"') {
			size_t j = i + 1;

			while (j < len && line[j] != '"')
				j += (line[j] == '\\' && j + 1 < len) ? 2 : 1;
			if (j >= len)
				return fail(err, start + 1,
					    "unterminated string");
			i = j + 1;
			clean = false;
		} else {
			/* every byte's class and-ed: a name's have CH_NAME */
			unsigned all = char_class[(unsigned char)line[i]] &
				       CH_NAME_FIRST ? CH_NAME : 0;

			while (i < len) {
				unsigned cls = char_class[(unsigned char)line[i]];

				if (cls & (CH_SPACE | CH_STOP))
					break;
				all &= cls;
				i++;
			}
			name = all;
			clean &= name;
		}
		if (n < max)
			toks[n] = (struct scn_token){
				.text = line + start, .len = i - start,
				.col = start + 1, .quoted = line[start] == '"',
				.name = name,
			};
		n++;
		prev_end = i;
	}
	*count = n;
	return clean;
}

/*
 * Whether s[0..n) is a unit as people write sizes, KB, MB, GB, KiB, MiB
 * or GiB (in either case), where tlssim wants its suffix alone.
 */
static bool is_unit(const char *s, size_t n)
{
	if ((n != 2 && n != 3) || s[0] == '\0' || !strchr("KMGkmg", s[0]))
		return false;
	if (n == 3 && s[1] != 'i')
		return false;
	return s[n - 1] == 'B' || s[n - 1] == 'b';
}

/*
 * Digits of s[0..n) in base, '_' only between two digits, into *out.
 * col is the column of s[0].
 */
static int lex_digits(const char *s, size_t n, unsigned base, size_t col,
		      const struct scn_token *tok, uint64_t *out,
		      struct scn_lex_error *err)
{
	char q[64];
	uint64_t v = 0;

	diag_quote(q, sizeof(q), tok->text, tok->len);
	for (size_t i = 0; i < n; i++) {
		int d;

		if (s[i] == '_') {
			if (i == 0 || i + 1 == n ||
			    digit_value(s[i + 1], base) < 0 ||
			    digit_value(s[i - 1], base) < 0)
				return fail(err, col + i,
					    "bad number '%s': '_' must be between two digits",
					    q);
			continue;
		}
		d = digit_value(s[i], base);
		if (d < 0 && i > 0 && is_unit(s + i, n - i)) {
			/* the number as written, with its suffix alone */
			int digits = (int)(s + i - tok->text);

			return fail(err, col + i,
				    "bad number '%s': a size's suffix is K, M or G alone, for KiB, MiB or GiB (write %.*s%c)",
				    q, digits, tok->text, toupper((unsigned char)s[i]));
		}
		if (d < 0) {
			bool lower = i + 1 == n &&
				     (s[i] == 'k' || s[i] == 'm' || s[i] == 'g');

			return fail(err, col + i,
				    "bad number '%s': unexpected '%c'%s", q,
				    (s[i] > 0x20 && s[i] < 0x7f) ? s[i] : '?',
				    lower ? " (suffixes are K, M and G)" : "");
		}
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return fail(err, tok->col,
				    "number '%s' does not fit in 64 bits", q);
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

int scn_lex_number(const struct scn_token *tok, uint64_t *out,
		   struct scn_lex_error *err)
{
	const char *s = tok->text;
	size_t n = tok->len, p = 0;
	unsigned base = 10, shift = 0;
	char q[64];
	uint64_t v = 0;

	diag_quote(q, sizeof(q), s, n);
	if (tok->quoted)
		return fail(err, tok->col, "expected a number, found a string");
	if (n == 0 || s[0] < '0' || s[0] > '9')
		return fail(err, tok->col, "expected a number, found '%s'", q);
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		p = 2;
	}
	if (n > p && (s[n - 1] == 'K' || s[n - 1] == 'M' || s[n - 1] == 'G')) {
		shift = s[n - 1] == 'K' ? 10 : s[n - 1] == 'M' ? 20 : 30;
		n--;
	}
	if (n == p)
		return fail(err, tok->col, "bad number '%s': no digits after '0x'",
			    q);
	if (lex_digits(s + p, n - p, base, tok->col + p, tok, &v, err) < 0)
		return -1;
	if (shift && v > (UINT64_MAX >> shift))
		return fail(err, tok->col, "number '%s' does not fit in 64 bits",
			    q);
	*out = v << shift;
	return 0;
}

int scn_lex_string(const struct scn_token *tok, uint8_t **out, size_t *len,
		   struct scn_lex_error *err)
{
	const char *s = tok->text;
	size_t n, o = 0;
	uint8_t *buf;

	*out = NULL;
	*len = 0;
	if (!tok->quoted || tok->len < 2)
		return fail(err, tok->col, "expected a quoted string");
	n = tok->len - 1;	/* index of the closing quote */
	if (n == 1)
		return 0;
	buf = malloc(n);
	if (!buf)
		return -2;
	for (size_t i = 1; i < n; i++) {
		size_t col = tok->col + i;
		int hi, lo;

		if (s[i] != '\\') {
			buf[o++] = (uint8_t)s[i];
			continue;
		}
		if (++i >= n) {
			free(buf);
			return fail(err, col, "unterminated escape in string");
		}
		switch (s[i]) {
		case 'n':
			buf[o++] = '\n';
			break;
		case 't':
			buf[o++] = '\t';
			break;
		case '\\':
			buf[o++] = '\\';
			break;
		case '"':
			buf[o++] = '"';
			break;
		case '0':
			buf[o++] = '\0';
			break;
		case 'x':
			hi = i + 1 < n ? hex_value(s[i + 1]) : -1;
			lo = i + 2 < n ? hex_value(s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				free(buf);
				return fail(err, col,
					    "escape '\\x' needs two hex digits");
			}
			buf[o++] = (uint8_t)(hi << 4 | lo);
			i += 2;
			break;
		default:
			free(buf);
			if (s[i] > 0x20 && s[i] < 0x7f)
				return fail(err, col,
					    "unknown escape '\\%c' in string (known: \\n \\t \\\\ \\\" \\0 \\xHH)",
					    s[i]);
			return fail(err, col,
				    "unknown escape in string (known: \\n \\t \\\\ \\\" \\0 \\xHH)");
		}
	}
	if (o == 0) {
		free(buf);
		buf = NULL;
	}
	*out = buf;
	*len = o;
	return 0;
}

int scn_lex_hex_bytes(const struct scn_token *tok, uint8_t **out, size_t *len,
		      struct scn_lex_error *err)
{
	const char *s = tok->text;
	size_t n = tok->len, digits = 0, o = 0;
	char q[64];
	uint8_t *buf;

	*out = NULL;
	*len = 0;
	diag_quote(q, sizeof(q), s, n);
	if (tok->quoted || n < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return fail(err, tok->col,
			    "expected \"text\" or 0xHEX bytes, found '%s'", q);
	for (size_t i = 2; i < n; i++) {
		if (s[i] == '_') {
			if (i == 2 || i + 1 == n || hex_value(s[i - 1]) < 0 ||
			    hex_value(s[i + 1]) < 0)
				return fail(err, tok->col + i,
					    "bad hex bytes '%s': '_' must be between two digits",
					    q);
			continue;
		}
		if (hex_value(s[i]) < 0)
			return fail(err, tok->col + i,
				    "bad hex bytes '%s': unexpected '%c'", q,
				    (s[i] > 0x20 && s[i] < 0x7f) ? s[i] : '?');
		digits++;
	}
	if (digits == 0)
		return fail(err, tok->col, "bad hex bytes '%s': no digits", q);
	if (digits % 2)
		return fail(err, tok->col,
			    "hex bytes '%s' have an odd number of digits (two per byte)",
			    q);
	buf = malloc(digits / 2);
	if (!buf)
		return -2;
	for (size_t i = 2, half = 0; i < n; i++) {
		if (s[i] == '_')
			continue;
		if (half++ % 2 == 0)
			buf[o] = (uint8_t)(hex_value(s[i]) << 4);
		else
			buf[o++] |= (uint8_t)hex_value(s[i]);
	}
	*out = buf;
	*len = o;
	return 0;
}

bool scn_lex_is_name(const char *s, size_t len)
{
	if (len == 0 || !has_class(s[0], CH_NAME_FIRST))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!has_class(s[i], CH_NAME))
			return false;
	return true;
}
