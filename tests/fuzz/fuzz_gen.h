/*
 * fuzz_gen.h - the structure-aware harness's building blocks
 * (fuzz_values.c): fuzz bytes consumed as choices, and the values of the
 * scenario language (numbers, strings, hex bytes, fields) written into a
 * line of scenario text.
 */
#ifndef TLSSIM_FUZZ_GEN_H
#define TLSSIM_FUZZ_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest generated line (an IPC buffer of \xHH escapes, with room). */
#define LINE_MAX_LEN 1280

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* The fuzz bytes, consumed one choice at a time; zeros once spent. */
struct chooser {
	const uint8_t *p;
	size_t n;
};

/* The next byte, or 0 when none is left. */
unsigned fz_take(struct chooser *c);

/* A choice in [0, n), n at least 1. */
unsigned fz_pick(struct chooser *c, unsigned n);

/* An entry of a table, chosen. */
#define FZ_PICK(c, table) ((table)[fz_pick((c), ARRAY_SIZE(table))])

/* One of a few interesting offsets into a user land or a region. */
uint64_t fz_offset(struct chooser *c);

/* A length in [lo, room]: small ones, around a pointer, or the room. */
size_t fz_len(struct chooser *c, size_t lo, size_t room);

/*
 * Append printf output to line[*len..LINE_MAX_LEN), moving *len on; the
 * output is cut when the line is full.
 */
void fz_put(char *line, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* " STRING": n bytes of the input, quoted, the unprintable ones escaped. */
void fz_string(struct chooser *c, char *line, size_t *len, size_t n);

/* " 0xHEX": n (at least 1) bytes of the input as hex bytes. */
void fz_hex(struct chooser *c, char *line, size_t *len, size_t n);

/* " NUMBER": a number that fits in a pointer. */
void fz_pointer(struct chooser *c, char *line, size_t *len);

/* The fields fz_field writes. */
enum fz_field { FZ_IPC, FZ_CONTEXT, FZ_SELF, FZ_TLS };

/* " FIELD": a field; *room is how many bytes it holds. Returns which. */
enum fz_field fz_field(struct chooser *c, char *line, size_t *len,
		       size_t *room);

/*
 * " VALUE": a value for field f of room bytes. expect: for `expect read`,
 * where self takes an offset into the user land.
 */
void fz_value(struct chooser *c, char *line, size_t *len, enum fz_field f,
	      size_t room, bool expect);

#endif
