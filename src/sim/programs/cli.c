/*
 * cli.c - helpers of the programs' command lines.
 */
#include <config.h>

#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

bool cli_parse_decimal(const char *s, uint64_t min, uint64_t max,
		       uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

int cli_number_option(const char *cmd, const char *opt, const char *arg,
		      uint64_t min, uint64_t max, uint64_t *out)
{
	if (cli_parse_decimal(arg, min, max, out))
		return -1;
	return cli_usage_error(cmd, "%s wants a number from %" PRIu64 " to %" PRIu64 ", not '%s'",
			       opt, min, max, arg);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tlssim: %s%s", cmd ? cmd : "", cmd ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'tlssim %s%s--help' for more information.\n",
		cmd ? cmd : "", cmd ? " " : "");
	return 2;
}
