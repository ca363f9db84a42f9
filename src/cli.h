/*
 * cli.h - what the command lines of tlssim's programs share.
 */
#ifndef TLSSIM_CLI_H
#define TLSSIM_CLI_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A whole decimal number in [min, max] (digits only: no sign, no space)
 * into *out. Returns false, leaving *out, when s is not one.
 */
bool cli_parse_decimal(const char *s, uint64_t min, uint64_t max,
		       uint64_t *out);

/*
 * A count in [min, max] into *out: what cli_parse_decimal takes, or a
 * whole number in scientific notation ("1e6", "2.5e3"), read exactly.
 * Returns false, leaving *out, when s is neither.
 */
bool cli_parse_count(const char *s, uint64_t min, uint64_t max,
		     uint64_t *out);

/*
 * cli_number_option for a count (cli_parse_count): "--iterations=1e6".
 * Returns -1 when arg is one, else the usage error's exit status, 2.
 */
int cli_count_option(const char *cmd, const char *opt, const char *arg,
		     uint64_t min, uint64_t max, uint64_t *out);

/*
 * The value arg of option opt ("--runs"), a whole decimal number in
 * [min, max], into *out. Returns -1 when it is one; otherwise says
 * "OPT wants a number from MIN to MAX, not 'ARG'" as cli_usage_error
 * does and returns its exit status, 2.
 */
int cli_number_option(const char *cmd, const char *opt, const char *arg,
		      uint64_t min, uint64_t max, uint64_t *out);

/*
 * A bad command line: "tlssim: CMD: MESSAGE" and where to read more, on
 * stderr (no "CMD: " when cmd is NULL). Returns the exit status, 2.
 */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
