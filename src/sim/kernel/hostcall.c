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
#include <sys/resource.h>

/* Countdowns per kind; 0: nothing injected. */
static __thread unsigned countdown[HOST_CALL_COUNT];

/* What the host last refused. */
static __thread char refusal[224];

const char *host_error(void)
{
	return refusal;
}

/* The number in file path (a /proc/sys entry), or 0 when unread. */
static long read_sysctl(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%ld", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* The host mappings this process holds (lines of its maps), or 0. */
static long count_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char buf[4096];
	long n = 0;
	size_t got;

	if (!f)
		return 0;
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		for (size_t i = 0; i < got; i++)
			n += buf[i] == '\n';
	fclose(f);
	return n;
}

/* Mappings this close to vm.max_map_count make its limit the one met. */
#define MAP_COUNT_SLACK 64

/*
 * Which of the host's limits refused memory: the mapping count when this
 * process is at it, else a finite ulimit -v (RLIMIT_AS) or ulimit -d
 * (RLIMIT_DATA), which count reservations too; said into buf as " (...)",
 * or "" when none of them binds (the host itself had no memory).
 */
const char *host_limit_hint(char *buf, size_t size)
{
	long max = read_sysctl("/proc/sys/vm/max_map_count");
	long maps = max ? count_mappings() : 0;
	struct rlimit as, data;

	buf[0] = '\0';
	if (max && maps + MAP_COUNT_SLACK >= max)
		snprintf(buf, size, " (%ld host mappings: vm.max_map_count is "
			 "%ld)", maps, max);
	else if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY)
		snprintf(buf, size, " (the address-space limit, ulimit -v, is "
			 "%llu KiB)", (unsigned long long)as.rlim_cur / 1024);
	else if (getrlimit(RLIMIT_DATA, &data) == 0 &&
		 data.rlim_cur != RLIM_INFINITY)
		snprintf(buf, size, " (the data limit, ulimit -d, is %llu KiB)",
			 (unsigned long long)data.rlim_cur / 1024);
	return buf;
}

/* ENOMEM says which of the host's limits refused (host_limit_hint). */
enum kernel_error host_refused(const char *fmt, ...)
{
	int err = errno;
	char what[96], hint[96] = "";
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
