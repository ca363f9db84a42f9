/*
 * hostcall.c - injected failures of host calls.
 */
#include <config.h>

#include "hostcall.h"
#include "hostmem.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Countdowns per kind; 0: nothing injected. */
static __thread unsigned countdown[HOST_CALL_COUNT];

/* What the host last refused. */
static __thread char refusal[224];

const char *host_error(void)
{
	return refusal;
}

/* ENOMEM says which of the host's limits refused (host_limit_hint). */
enum kernel_error host_refused(const char *fmt, ...)
{
	int err = errno;
	char what[96], hint[HOST_LIMIT_HINT_MAX] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (err == ENOMEM)
		host_limit_hint(hint, sizeof(hint));
	snprintf(refusal, sizeof(refusal), "%s: %s%s", what, strerror(err),
		 hint);
	return KERR_HOST_REFUSED;
}

void host_fail_after(enum host_call c, unsigned n)
{
	countdown[c] = n;
}

void host_fail_reset(void)
{
	memset(countdown, 0, sizeof(countdown));
}

bool host_call_fails(enum host_call c)
{
	if (!countdown[c] || --countdown[c] != 0)
		return false;
	errno = ENOMEM;
	return true;
}

void *host_calloc(size_t n, size_t size)
{
	return host_call_fails(HOST_ALLOC) ? NULL : calloc(n, size);
}

char *host_strdup(const char *s)
{
	return host_call_fails(HOST_ALLOC) ? NULL : strdup(s);
}
