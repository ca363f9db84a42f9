/*
 * escape.h - how bytes from users (names, values, source lines) appear in
 * messages, one byte at a time, in three styles.
 */
#ifndef TLSSIM_ESCAPE_H
#define TLSSIM_ESCAPE_H

#include <stddef.h>

enum escape_style {
	/* a value, as C: \" \\ \n \t, other bytes outside ASCII's printable
	 * range as \xHH */
	ESCAPE_VALUE,
	/* a name in a trace line: \\ \n \r \t, other control bytes and DEL
	 * as \xHH, everything else (quotes, UTF-8) as it is */
	ESCAPE_TRACE,
	/* source text in a diagnostic: control and non-ASCII bytes are '?' */
	ESCAPE_SOURCE,
};

/*
 * Write the text of byte c in style into out (NUL terminated, at most 4
 * characters) and return its length.
 */
size_t escape_byte(unsigned char c, enum escape_style style, char out[5]);

#endif
