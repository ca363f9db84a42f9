/*
 * cli.c - helpers of the programs' command lines: one option loop,
 * numbers, usage errors, and a stdout whose write errors are never lost.
 * It includes nothing of the project, so the programs below may use it.
 */
#include <config.h>

#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* Standard output as cli_stdout_checked makes it: the first errno. */
struct checked_out {
	int fd;
	int error;
};

static struct checked_out std_out = { STDOUT_FILENO, 0 };

/*
 * The stream's writes: all of buf to the descriptor. Returns n, or -1
 * after recording the first errno (EIO for a write that wrote nothing).
 */
static ssize_t checked_write(void *cookie, const char *buf, size_t n)
{
	struct checked_out *o = cookie;
	size_t done = 0;
	ssize_t w;

	while (done < n) {
		w = write(o->fd, buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (!o->error)
				o->error = w < 0 ? errno : EIO;
			return -1;
		}
		done += (size_t)w;
	}
	return (ssize_t)n;
}

int cli_stdout_checked(void)
{
	cookie_io_functions_t io = { .write = checked_write };
	FILE *f;

	fflush(stdout);
	f = fopencookie(&std_out, "w", io);
	if (!f)
		return -errno;
	if (setvbuf(f, NULL, _IOLBF, 0) != 0) {
		fclose(f);
		return -ENOMEM;
	}
	stdout = f;	/* glibc documents stdout as a variable one may set */
	return 0;
}

int cli_stdout_finish(int status)
{
	int e;

	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout) && !std_out.error)
		return status;
	e = std_out.error ? std_out.error : errno ? errno : EIO;
	fprintf(stderr, "tlssim: cannot write standard output: %s\n",
		strerror(e));
	return status == 2 ? 2 : 4;
}


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

bool cli_parse_count(const char *s, uint64_t min, uint64_t max,
		     uint64_t *out)
{
	const char *e = strpbrk(s, "eE"), *dot;
	uint64_t mant = 0, exp10;
	size_t frac = 0;

	if (!e)
		return cli_parse_decimal(s, min, max, out);
	/* MANT[.FRAC]eEXP with every digit kept exactly: no float. */
	if (!cli_parse_decimal(e + 1, 0, 19, &exp10) || s == e)
		return false;
	dot = memchr(s, '.', (size_t)(e - s));
	for (const char *p = s; p < e; p++) {
		if (p == dot)
			continue;
		if (*p < '0' || *p > '9' || mant > UINT64_MAX / 10)
			return false;
		mant = mant * 10 + (uint64_t)(*p - '0');
		frac += dot && p > dot;
	}
	if ((dot && (dot == s || dot + 1 == e)) || frac > exp10)
		return false;
	for (uint64_t i = frac; i < exp10; i++) {
		if (mant > UINT64_MAX / 10)
			return false;
		mant *= 10;
	}
	if (mant < min || mant > max)
		return false;
	*out = mant;
	return true;
}

bool cli_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	static const char units[] = "KMG";
	char digits[32];
	size_t len = strlen(s);
	const char *unit = len ? strchr(units, s[len - 1]) : NULL;
	unsigned shift = unit && *unit ? 10u * (unsigned)(unit - units + 1) : 0;
	uint64_t v;

	if (shift)
		len--;
	if (len == 0 || len >= sizeof(digits))
		return false;
	memcpy(digits, s, len);
	digits[len] = '\0';
	if (!cli_parse_decimal(digits, 0, max >> shift, &v) || (v << shift) < min)
		return false;
	*out = v << shift;
	return true;
}

/*
 * The value of a numeric option, read by cli_parse_count when count is
 * true, else by cli_parse_decimal. -1 when it is one, else exit 2, said.
 */
static int number_option(const char *cmd, const char *opt, const char *arg,
			 uint64_t min, uint64_t max, uint64_t *out, bool count)
{
	if (count ? cli_parse_count(arg, min, max, out)
		  : cli_parse_decimal(arg, min, max, out))
		return -1;
	return cli_usage_error(cmd, "%s wants a number from %" PRIu64 " to %" PRIu64 "%s, not '%s'",
			       opt, min, max, count ? " (digits, or like 1e6)" : "",
			       arg);
}

int cli_count_option(const char *cmd, const char *opt, const char *arg,
		     uint64_t min, uint64_t max, uint64_t *out)
{
	return number_option(cmd, opt, arg, min, max, out, true);
}

int cli_number_option(const char *cmd, const char *opt, const char *arg,
		      uint64_t min, uint64_t max, uint64_t *out)
{
	return number_option(cmd, opt, arg, min, max, out, false);
}

int cli_parse(const char *cmd, int argc, char **argv, int first,
	      const char *shorts, const struct option *longs,
	      cli_apply_fn apply, void *ctx, int *operands)
{
	char spec[32], word[8];
	int opt, status;

	/* ':' first: our own messages, a missing value told apart */
	snprintf(spec, sizeof(spec), ":%s", shorts);
	optind = first;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, spec, longs, NULL)) != -1) {
		const char *bad = argv[optind - 1];

		if (opt == '?' || opt == ':') {
			/* a short option as the user wrote it, not its cluster */
			if (strncmp(bad, "--", 2) != 0 && optopt > 0 &&
			    optopt < 256) {
				snprintf(word, sizeof(word), "-%c", optopt);
				bad = word;
			}
			return cli_usage_error(cmd, opt == ':' ?
					       "option '%s' needs a value" :
					       "unknown option '%s'", bad);
		}
		status = apply(ctx, opt, optarg);
		if (status >= 0)
			return status;
	}
	*operands = optind;
	return -1;
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
