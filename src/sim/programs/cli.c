/*
 * cli.c - helpers of the programs' command lines.
 */
#include <config.h>

#include "cli.h"

#include <errno.h>
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
