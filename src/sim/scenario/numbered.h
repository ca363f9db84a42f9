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
 * A name of the form prefix + number (t17): its prefix's key
 * (scn_key_pack) and length (1 to 8 bytes, ending in a non-digit), and
 * its number (below 2^24, written without a leading zero but "0" itself).
 */
struct num_form {
	uint64_t key;
	uint32_t number;
	uint32_t plen;
};

/*
 * The numbered names of a compact table, for names.c (numbered.c), kept
 * in an array by their number. numbered_form: whether the name s[0..len)
 * is of that form, then its form in *f (computed once, used by the
 * rest). numbered_find: the index of the name of form f, or SCN_NONE
 * (not there; n may be NULL). numbered_add: put it, known not to be in
 * the table, there (n made on the first), with its line and last
 * occurrence; its index, or SCN_NONE when it does not go there (a fifth
 * prefix, a chunk too sparse) or memory ran out (then *oom).
 * numbered_slot: the slot of index i. numbered_last_bits: set in bits (of count occurrences) each name's
 * last one. numbered_free: n and its arrays (NULL is a no-op).
 */
bool numbered_form(const char *s, size_t len, struct num_form *f);
size_t numbered_find(const struct name_numbered *n, const struct num_form *f);
size_t numbered_add(struct name_numbered **n, const struct num_form *f,
		    uint32_t line, uint32_t last, bool *oom);
struct name_nslot *numbered_slot(const struct name_numbered *n, size_t i);
void numbered_last_bits(const struct name_numbered *n, uint64_t *bits,
			uint64_t count);
void numbered_free(struct name_numbered *n);

#endif
