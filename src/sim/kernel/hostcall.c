/*
 * hostcall.c - injected failures of host calls.
 */
#include <config.h>

#include "hostcall.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Countdowns per kind; 0: nothing injected. */
static __thread unsigned countdown[HOST_CALL_COUNT];

/* What the host last refused. */
static __thread char refusal[160];

const char *host_error(void)
{
	return refusal;
}

/*
 * ENOMEM from mmap or mprotect is usually the host's limit on mappings per
 * process, so the record names it with its value.
 */
enum kernel_error host_refused(const char *fmt, ...)
{
	int err = errno;
	char what[96];
	long max = 0;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (err == ENOMEM && (f = fopen("/proc/sys/vm/max_map_count", "r"))) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 0;
		fclose(f);
	}
	if (max)
		snprintf(refusal, sizeof(refusal),
			 "%s: %s (vm.max_map_count is %ld)", what,
			 strerror(err), max);
	else
		snprintf(refusal, sizeof(refusal), "%s: %s", what,
			 strerror(err));
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
