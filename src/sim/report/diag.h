/*
 * diag.h - diagnostics in the compiler style:
 *
 *     FILE:LINE:COL: error: MESSAGE
 *      the offending source line
 *           ^
 *
 * A sink either prints to a stream (optionally in color) or collects into
 * memory, so that tests can look at exactly what a user would see. Lines and
 * columns count from 1; columns count bytes.
 */
#ifndef TLSSIM_DIAG_H
#define TLSSIM_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct diag;

/* One reported error, as kept by every sink. line 0: no location. */
struct diag_record {
	size_t line;
	size_t col;
	char *message;
};

/*
 * A sink printing to out (not owned; it stays open). color selects ANSI
 * bold/red/green. Returns NULL when memory runs out.
 */
struct diag *diag_new_stream(FILE *out, bool color);

/*
 * A sink that prints into a memory buffer (never in color), readable with
 * diag_text(). Returns NULL when memory runs out.
 */
struct diag *diag_new_memory(void);

/* Release a sink and its records. NULL is a no-op. */
void diag_free(struct diag *d);

/*
 * Report an error at file:line:col, showing src (the whole source line, not
 * NUL terminated, may be NULL) with a caret under col. With line 0 only
 * "FILE: error: MESSAGE" is printed. Never fails: when memory runs out the
 * record is dropped but the count still goes up.
 */
void diag_error_at(struct diag *d, const char *file, size_t line, size_t col,
		   const char *src, size_t src_len, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Report an error with no file: "tlssim: MESSAGE". */
void diag_error_plain(struct diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Number of errors reported to the sink so far. */
size_t diag_count(const struct diag *d);

/* The i-th error kept, or NULL past the end. */
const struct diag_record *diag_get(const struct diag *d, size_t i);

/*
 * Everything a memory sink printed so far, NUL terminated; "" for a stream
 * sink or when memory ran out. Valid until the next report or diag_free.
 */
const char *diag_text(struct diag *d);

/*
 * "Did you mean": the candidate closest to word[0..len) by edit distance
 * (case-insensitive, a transposition counts as one edit), if it is close
 * enough to be a plausible typo. Returns its index, or (size_t)-1 when none
 * is close enough or the word is too long to be a typo of any of them.
 */
size_t diag_suggest(const char *word, size_t len, const char *const *cands,
		    size_t n);

/*
 * Write s[0..len) into buf (size > 4) as printable text for a message:
 * control and non-ASCII bytes become '?', and more than about 40 bytes are
 * cut with "...". Always NUL terminates.
 */
void diag_quote(char *buf, size_t size, const char *s, size_t len);

#endif
