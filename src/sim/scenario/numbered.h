/*
 * numbered.h - the check's numbered names (numbered.c), for names.c and
 * the inline name_used of parser.h.
 */
#ifndef TLSSIM_NUMBERED_H
#define TLSSIM_NUMBERED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A numbered name of a compact table (numbered.c): the line of its
 * declaration (0: none yet) and the occurrence of its last use, as in a
 * name_cslot. Its index is NAME_NUMBERED with its prefix and number.
 */
struct name_nslot {
	uint32_t line;
	uint32_t last;
};

/* The bit of a compact table's index that says it is a numbered name. */
#define NAME_NUMBERED ((SIZE_MAX >> 1) + 1)

struct name_numbered;

/*
 * The numbered names of a compact table, for names.c (numbered.c): a
 * name of the form prefix + number (t17) kept in an array by its number.
 * numbered_find: its index, or SCN_NONE (not there, or not of the form;
 * n may be NULL). numbered_add: put the name, known not to be in the
 * table, there (n made on the first), with its line and last occurrence;
 * its index, or SCN_NONE when it does not go there (its form, a fifth
 * prefix, a chunk too sparse) or memory ran out (then *oom). numbered_slot:
 * the slot of index i. numbered_prefetch: bring the name's slot into the
 * cache; false when it has none. numbered_last_bits: set in bits (of
 * count occurrences) each name's last one. numbered_free: n and its
 * arrays (NULL is a no-op).
 */
size_t numbered_find(const struct name_numbered *n, const char *s,
		     size_t len);
size_t numbered_add(struct name_numbered **n, const char *s, size_t len,
		    uint32_t line, uint32_t last, bool *oom);
struct name_nslot *numbered_slot(const struct name_numbered *n, size_t i);
bool numbered_prefetch(const struct name_numbered *n, const char *s,
		       size_t len);
void numbered_last_bits(const struct name_numbered *n, uint64_t *bits,
			uint64_t count);
void numbered_free(struct name_numbered *n);

#endif
