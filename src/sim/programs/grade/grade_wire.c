/*
 * grade_wire.c - the channel from a test child to the verifier: records
 * queued and written by the child, read under a deadline by the
 * verifier, which meanwhile keeps the first bytes the child prints and
 * kills it when its resident memory passes a limit.
 */
#include <config.h>

#include "grade_wire.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How often the verifier looks at the child's memory while it waits. */
#define WATCH_SLICE_MS 200

static struct {
	int fd;
	size_t len;
	unsigned char buf[65536];
} writer = { -1, 0, { 0 } };

void wire_writer_open(int fd)
{
	writer.fd = fd;
	writer.len = 0;
}

void wire_flush(void)
{
	size_t done = 0;

	while (done < writer.len) {
		ssize_t n = write(writer.fd, writer.buf + done,
				  writer.len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(3);
		done += (size_t)n;
	}
	writer.len = 0;
}

void wire_put(uint32_t kind, uint32_t id, uint64_t a, uint64_t b, uint64_t c,
	      int32_t err, const char *text, size_t len)
{
	struct wire_rec r = { kind, id, a, b, c, err, 0 };

	if (len > WIRE_TEXT_MAX)
		len = WIRE_TEXT_MAX;
	r.len = (uint32_t)len;
	if (writer.len + sizeof(r) + len > sizeof(writer.buf))
		wire_flush();
	memcpy(writer.buf + writer.len, &r, sizeof(r));
	writer.len += sizeof(r);
	if (len)
		memcpy(writer.buf + writer.len, text, len);
	writer.len += len;
}

double wire_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The child's resident bytes and CPU seconds (user and system) from
 * /proc. Returns false when /proc does not say.
 */
static bool child_usage(pid_t pid, size_t *resident, double *cpu)
{
	unsigned long utime, stime;
	long rss;
	char buf[1024], path[64];
	const char *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* past the command's name */
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
			 "%*u %lu %lu %*d %*d %*d %*d %*d %*d %*u %*u %ld",
			 &utime, &stime, &rss) != 3)
		return false;
	*resident = rss > 0 ? (size_t)rss * (size_t)sysconf(_SC_PAGESIZE) : 0;
	*cpu = (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
	return true;
}

/*
 * Watch the child while the verifier waits: its memory, and the CPU
 * time of the call under way. Returns WIRE_OK or why to stop it.
 */
static enum wire_status watch(struct wire_reader *rd)
{
	size_t resident;
	uint64_t beat;
	double cpu;

	if (!child_usage(rd->pid, &resident, &cpu))
		return WIRE_OK;
	if (rd->rss_limit && resident > rd->rss_limit)
		return WIRE_MEMORY;
	if (!rd->beat || rd->call_budget <= 0)
		return WIRE_OK;
	beat = *rd->beat;
	if (beat != rd->last_beat || rd->last_beat_cpu == 0) {
		rd->last_beat = beat;
		rd->last_beat_cpu = cpu > 0 ? cpu : 1e-9;
		return WIRE_OK;
	}
	return cpu - rd->last_beat_cpu >= rd->call_budget ? WIRE_STALLED :
							    WIRE_OK;
}

/* Keep what the child printed (the first bytes); count the rest. */
static void take_output(struct wire_reader *rd)
{
	char chunk[4096];
	ssize_t n = read(rd->out_fd, chunk, sizeof(chunk));
	size_t keep;

	if (n <= 0) {
		if (n == 0 || errno != EINTR) {
			close(rd->out_fd);
			rd->out_fd = -1;
		}
		return;
	}
	keep = sizeof(rd->output) - rd->output_len;
	if (keep > (size_t)n)
		keep = (size_t)n;
	memcpy(rd->output + rd->output_len, chunk, keep);
	rd->output_len += keep;
	rd->output_total += (size_t)n;
}

/*
 * Wait for the record channel to have bytes, taking output meanwhile.
 * Returns WIRE_OK when it has (or is at its end), else why not.
 */
static enum wire_status wait_readable(struct wire_reader *rd, double until)
{
	for (;;) {
		struct pollfd p[2] = { { rd->fd, POLLIN, 0 },
				       { rd->out_fd, POLLIN, 0 } };
		double left = until - wire_now();
		int ms = left > WATCH_SLICE_MS / 1e3 ? WATCH_SLICE_MS :
			 (int)(left * 1e3);
		int n;

		if (left <= 0)
			return WIRE_TIMEOUT;
		n = poll(p, rd->out_fd >= 0 ? 2 : 1, ms > 0 ? ms : 1);
		if (n < 0 && errno != EINTR)
			return WIRE_EOF;
		if (wire_now() >= rd->next_watch) {
			enum wire_status st = watch(rd);

			if (st)
				return st;
			rd->next_watch = wire_now() + WATCH_SLICE_MS / 1e3;
		}
		if (n <= 0)
			continue;
		if (rd->out_fd >= 0 && p[1].revents)
			take_output(rd);
		if (p[0].revents)
			return WIRE_OK;
	}
}

/* Make n bytes available at rd->buf + rd->pos. Returns the status. */
static enum wire_status fill(struct wire_reader *rd, size_t n)
{
	if (rd->pos + n > sizeof(rd->buf)) {
		memmove(rd->buf, rd->buf + rd->pos, rd->len - rd->pos);
		rd->len -= rd->pos;
		rd->pos = 0;
	}
	while (rd->len - rd->pos < n) {
		enum wire_status st = wait_readable(rd, rd->deadline);
		ssize_t got;

		if (st)
			return st;
		got = read(rd->fd, rd->buf + rd->len, sizeof(rd->buf) - rd->len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return rd->len > rd->pos ? WIRE_GARBLED : WIRE_EOF;
		rd->len += (size_t)got;
	}
	return WIRE_OK;
}

enum wire_status wire_get(struct wire_reader *rd, struct wire_rec *r,
			  char *text)
{
	enum wire_status st = fill(rd, sizeof(*r));

	if (st)
		return st;
	memcpy(r, rd->buf + rd->pos, sizeof(*r));
	if (r->kind == 0 || r->kind >= WIRE_KIND_END ||
	    r->len > WIRE_TEXT_MAX)
		return WIRE_GARBLED;
	st = fill(rd, sizeof(*r) + r->len);
	if (st)
		return st == WIRE_EOF ? WIRE_GARBLED : st;
	memcpy(text, rd->buf + rd->pos + sizeof(*r), r->len);
	text[r->len] = '\0';
	rd->pos += sizeof(*r) + r->len;
	rd->records++;
	return WIRE_OK;
}

void wire_drain_output(struct wire_reader *rd, double wait)
{
	double until = wire_now() + wait;

	while (rd->out_fd >= 0) {
		struct pollfd p = { rd->out_fd, POLLIN, 0 };
		double left = until - wire_now();

		if (left <= 0 || poll(&p, 1, (int)(left * 1e3) + 1) <= 0)
			return;
		take_output(rd);
	}
}

char *grade_escape(char *dst, size_t size, const char *src, size_t len)
{
	size_t o = 0;

	if (size == 0)
		return dst;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)src[i];
		char esc[8];
		size_t n;

		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			esc[0] = (char)ch, esc[1] = '\0';
		else if (ch == '\\')
			strcpy(esc, "\\\\");
		else if (ch == '\n')
			strcpy(esc, "\\n");
		else
			snprintf(esc, sizeof(esc), "\\x%02x", ch);
		n = strlen(esc);
		if (o + n + 4 > size) {
			if (o + 4 <= size)
				memcpy(dst + o, "...", 3), o += 3;
			break;
		}
		memcpy(dst + o, esc, n);
		o += n;
	}
	dst[o] = '\0';
	return dst;
}

const char *grade_signal_text(int sig, char *buf, size_t len)
{
	static const struct { int sig; const char *name; } names[] = {
		{ SIGSEGV, "SIGSEGV" }, { SIGBUS, "SIGBUS" },
		{ SIGFPE, "SIGFPE" }, { SIGILL, "SIGILL" },
		{ SIGABRT, "SIGABRT" }, { SIGTRAP, "SIGTRAP" },
		{ SIGKILL, "SIGKILL" }, { SIGTERM, "SIGTERM" },
		{ SIGSYS, "SIGSYS" }, { SIGPIPE, "SIGPIPE" },
		{ SIGXCPU, "SIGXCPU" },
	};
	const char *name = NULL;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].sig == sig)
			name = names[i].name;
	if (name)
		snprintf(buf, len, "%s (%s)", name, strsignal(sig));
	else
		snprintf(buf, len, "signal %d (%s)", sig, strsignal(sig));
	return buf;
}
