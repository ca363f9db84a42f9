/*
 * escape.c - the text of one byte in a message.
 */
#include <config.h>

#include "escape.h"

#include <stdio.h>

size_t escape_byte(unsigned char c, enum escape_style style, char out[5])
{
	const char *named = NULL;

	if (style == ESCAPE_SOURCE) {
		out[0] = c >= 0x20 && c < 0x7f ? (char)c : '?';
		out[1] = '\0';
		return 1;
	}
	switch (c) {
	case '\\': named = "\\\\"; break;
	case '\n': named = "\\n"; break;
	case '\t': named = "\\t"; break;
	case '\r': named = style == ESCAPE_TRACE ? "\\r" : NULL; break;
	case '"': named = style == ESCAPE_VALUE ? "\\\"" : NULL; break;
	default: break;
	}
	if (named)
		return (size_t)snprintf(out, 5, "%s", named);
	if (c < 0x20 || c == 0x7f || (style == ESCAPE_VALUE && c >= 0x80))
		return (size_t)snprintf(out, 5, "\\x%02x", c);
	out[0] = (char)c;
	out[1] = '\0';
	return 1;
}
