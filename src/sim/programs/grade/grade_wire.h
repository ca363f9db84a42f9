/*
 * grade_wire.h - private to `tlssim grade`: the one-way channel from a
 * test child, which runs the student's manager, to the verifier, which
 * never does.
 *
 * The child reports every answer the manager gives, and every memory
 * call it makes on the way, as a record. The verifier reads them with a
 * deadline, while it keeps what the child prints and watches the child's
 * memory. Nothing the child sends is trusted: a record that does not
 * parse is "garbled", and text is escaped and cut before anyone prints
 * it (grade_escape).
 */
#ifndef TLSSIM_GRADE_WIRE_H
#define TLSSIM_GRADE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The longest text a record carries (a name, a panic message). */
#define WIRE_TEXT_MAX 512

enum wire_kind {
	WIRE_HELLO = 1,		/* loaded: a = version, b = mask of ops set */
	WIRE_NAME,		/* text: ops->name (sent apart: it may crash) */
	WIRE_SUMMARY,		/* text: ops->summary */
	WIRE_LOAD_ERROR,	/* text: why it cannot be loaded; err: 1 the
				   object, 2 the symbol */
	WIRE_NO_SANDBOX,	/* err: errno of the seccomp install */
	WIRE_PANIC,		/* text: the call under way panicked */
	WIRE_CREATE,		/* id: the new manager (0: create gave NULL);
				   a: the land's first free page, err: the
				   error finding it */
	WIRE_DESTROY,		/* id */
	WIRE_ALLOC,		/* id, err, a = the region */
	WIRE_FREE,		/* id, a = the region; it returned */
	WIRE_STATS,		/* id, a = pages, b = used, c = bookkeeping */
	WIRE_PAGE,		/* id, a = address, b = used mask */
	WIRE_PAGES_END,		/* id: for_each_page returned */
	WIRE_FIND,		/* a memory call: a = length, b = address, err */
	WIRE_MAP,		/* a = address, b = length, err */
	WIRE_UNMAP,		/* a = address, b = length, err */
	WIRE_DONE,		/* the child's test ended; err = its rc */
	WIRE_LAP,		/* the child waits to be let go (conform_lap) */
	WIRE_CRASH_AT,		/* text: where a fatal signal hit (dladdr) */
	WIRE_KIND_END
};

struct wire_rec {
	uint32_t kind;
	uint32_t id;
	uint64_t a, b, c;
	int32_t err;
	uint32_t len;		/* bytes of text after the record */
};

/* ---- the writing side (a test child) ---- */

/* Send records to fd from now on. */
void wire_writer_open(int fd);

/*
 * Queue a record and its text (len bytes, cut to WIRE_TEXT_MAX). The
 * queue goes out when it fills and at wire_flush. A write that fails ends
 * the child: nobody is listening.
 */
void wire_put(uint32_t kind, uint32_t id, uint64_t a, uint64_t b, uint64_t c,
	      int32_t err, const char *text, size_t len);

/* Write out what is queued (before a call that may crash or hang). */
void wire_flush(void);

/* ---- the reading side (the verifier) ---- */

enum wire_status {
	WIRE_OK = 0,
	WIRE_EOF = -1,		/* the child closed the channel (or died) */
	WIRE_TIMEOUT = -2,	/* the test's time is up */
	WIRE_GARBLED = -3,	/* bytes that are no record */
	WIRE_MEMORY = -4,	/* the child outgrew its memory */
	WIRE_STALLED = -5,	/* a call spent its CPU budget unanswered */
};

#define WIRE_OUTPUT_KEPT 600

struct wire_reader {
	int fd;			/* the records */
	int out_fd;		/* the child's stdout and stderr, or -1 */
	pid_t pid;		/* the child, whose memory is watched */
	double deadline;	/* CLOCK_MONOTONIC seconds */
	size_t rss_limit;	/* bytes */
	/*
	 * A counter the child moves at each call (NULL: none), and the CPU
	 * seconds one call may take without moving it.
	 */
	const volatile uint64_t *beat;
	double call_budget;
	uint64_t last_beat;
	double last_beat_cpu;
	double next_watch;	/* when to look at the child again */
	unsigned char buf[65536];
	size_t pos, len;
	char output[WIRE_OUTPUT_KEPT];	/* the first bytes printed */
	size_t output_len, output_total;
	unsigned long records;	/* read so far */
};

/* Seconds on the monotonic clock. */
double wire_now(void);

/*
 * Read the next record into *r and its text, NUL-terminated, into text
 * (WIRE_TEXT_MAX + 1 bytes). Returns WIRE_OK or why there is none.
 */
enum wire_status wire_get(struct wire_reader *rd, struct wire_rec *r,
			  char *text);

/* Read what the child still prints, for up to wait seconds. */
void wire_drain_output(struct wire_reader *rd, double wait);

/*
 * Escape src (len bytes) into dst (size bytes, NUL-terminated): printable
 * ASCII stays, a newline is "\n", any other byte "\xHH"; what does not
 * fit is cut with "...". Returns dst.
 */
char *grade_escape(char *dst, size_t size, const char *src, size_t len);

/* "SIGSEGV (Segmentation fault)" for a signal number, into buf. */
const char *grade_signal_text(int sig, char *buf, size_t len);

#endif
