/*
 * cli.h - what the command lines of tlssim's programs share.
 */
#ifndef TLSSIM_CLI_H
#define TLSSIM_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * What a subcommand does with one option: opt is getopt_long's value
 * (a short option's letter, or a long option's val), arg its value or
 * NULL. Returns -1 to go on, else the exit status to stop with (0 after
 * --help, 2 after cli_usage_error).
 */
typedef int (*cli_apply_fn)(void *ctx, int opt, const char *arg);

/*
 * The one option loop of every subcommand: getopt_long over argv from
 * argv[first] with shorts and longs, calling apply for each option. An
 * option that is unknown or lacks its value is said here, as
 * "CMD: unknown option 'X'" or "CMD: option 'X' needs a value", exit 2.
 * Options may follow operands (getopt permutes); afterwards *operands is
 * the index of the first operand. Returns -1 when every option applied,
 * else the exit status.
 */
int cli_parse(const char *cmd, int argc, char **argv, int first,
	      const char *shorts, const struct option *longs,
	      cli_apply_fn apply, void *ctx, int *operands);

/*
 * A whole decimal number in [min, max] (digits only: no sign, no space)
 * into *out. Returns false, leaving *out, when s is not one.
 */
bool cli_parse_decimal(const char *s, uint64_t min, uint64_t max,
		       uint64_t *out);

/*
 * A size in bytes in [min, max] into *out: decimal digits, with K, M or G
 * (powers of 1024) after them or not. Returns false, leaving *out, when
 * s is not one.
 */
bool cli_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);

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
