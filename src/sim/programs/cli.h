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

/*
 * Make stdout a line-buffered stream that remembers why its first write
 * failed (the errno of write(2): ENOSPC, EIO, ...), for
 * cli_stdout_finish. Call before anything is written. Returns 0, or a
 * negative errno when the host refused the stream (stdout stays as it
 * was, and a write error is then reported with the errno of the flush).
 */
int cli_stdout_checked(void);

/*
 * The end of every subcommand: flush stdout and, when any write to it
 * failed, say "tlssim: cannot write standard output: REASON" on stderr.
 * Returns status, or 4 (the host refused) after a write error, unless
 * status is 2 (nothing ran: the command line was wrong).
 */
int cli_stdout_finish(int status);

#endif
