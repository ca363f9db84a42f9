/*
 * cli.c - helpers of the programs' command lines: numbers, usage errors,
 * and a stdout whose write errors are never lost.
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
