/*
 * membuf.c - bytes that grow in memory (membuf.h).
 */
#include <config.h>

#include "membuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEMBUF_FIRST	256	/* the room taken first */

/*
 * Room in m for need more bytes and a NUL. Returns false, with m->oom
 * set, when the host refuses it (or need is past any size).
 */
static bool membuf_room(struct membuf *m, size_t need)
{
	size_t cap = m->cap ? m->cap : MEMBUF_FIRST;
	char *p;

	if (need > SIZE_MAX / 2 - m->len)
		goto refused;
	if (m->len + need + 1 <= m->cap)
		return true;
	while (cap < m->len + need + 1)
		cap *= 2;
	p = realloc(m->p, cap);
	if (!p)
		goto refused;
	m->p = p;
	m->cap = cap;
	return true;

refused:
	m->oom = true;
	return false;
}

bool membuf_add(struct membuf *m, const void *data, size_t len)
{
	if (!membuf_room(m, len))
		return false;
	if (len)
		memcpy(m->p + m->len, data, len);
	m->len += len;
	m->p[m->len] = '\0';
	return true;
}

bool membuf_printf(struct membuf *m, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || !membuf_room(m, (size_t)len)) {
		m->oom = true;
		return false;
	}
	va_start(ap, fmt);
	vsnprintf(m->p + m->len, (size_t)len + 1, fmt, ap);
	va_end(ap);
	m->len += (size_t)len;
	return true;
}

void membuf_reset(struct membuf *m)
{
	m->len = 0;
	m->oom = false;
	if (m->p)
		m->p[0] = '\0';
}

void membuf_free(struct membuf *m)
{
	free(m->p);
	memset(m, 0, sizeof(*m));
}
