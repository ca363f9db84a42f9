/*
 * numbered.c - the check's numbered names: past NAME_EXACT_MAX, a thread
 * name made of a short prefix and a number (t0, t1, ... worker17, as
 * scripts/gen-churn and most generated scenarios name them) is kept in an
 * array by its number, 8 bytes a name (its declaration's line and its
 * last occurrence), instead of a 16-byte slot of the compact hash table
 * that is at most 3/4 full. A churn declares a new name with every spawn
 * and the check must know them all (a name declared twice is an error
 * anywhere in the file), so what it holds grows with the scenario; this
 * makes that growth a fraction of what the hash table's was, and the
 * lookup an index.
 *
 * Any name may still be in the hash table (names.c looks in both): one
 * of another form, of a fifth prefix, of a number past NUM_MAX, or one
 * whose chunk would leave the arrays too sparse (NUM_SPARSE).
 */
#include <config.h>

#include "parser.h"

#include <stdlib.h>
#include <string.h>

/* Prefixes a table keeps apart; the names of a fifth go to the hash. */
#define NUM_PREFIXES 4
/* Numbers of a prefix, at most: its index holds the prefix in 2 bits. */
#define NUM_BITS 24
#define NUM_MAX (1u << NUM_BITS)
/*
 * Names a chunk holds: 1 MiB, which malloc maps apart (host_memory_setup),
 * zero pages resident only once touched, and gives back to the host when
 * the check ends (no hole left in the heap).
 */
#define NUM_CHUNK (1u << 17)
/*
 * Chunks a table takes beyond two a prefix only while they hold at least
 * one name in NUM_SPARSE of their slots on average.
 */
#define NUM_SPARSE 4

/* The names of one prefix, by number: chunk[number / NUM_CHUNK]. */
struct num_prefix {
	uint64_t key;			/* scn_key_pack of the prefix */
	size_t len;
	struct name_nslot **chunk;
	size_t nchunks;			/* of chunk[], some NULL */
};

struct name_numbered {
	struct num_prefix p[NUM_PREFIXES];
	size_t nprefixes;
	size_t names;
	size_t chunks;			/* allocated, over every prefix */
};

bool numbered_form(const char *s, size_t len, struct num_form *f)
{
	size_t i = len, stop = len > 8 ? len - 8 : 0;
	uint32_t v = 0, place = 1;

	/* the number, read from its last digit: at most 8 of them */
	for (; i > stop; i--) {
		uint32_t d = (uint32_t)(unsigned char)s[i - 1] - '0';

		if (d > 9)
			break;
		v += d * place;
		place *= 10;
	}
	if (!i || i == len || i > SCN_KEY_BYTES ||
	    (unsigned)(s[i - 1] - '0') < 10 ||	/* a ninth digit */
	    (s[i] == '0' && len - i > 1) || v >= NUM_MAX)
		return false;
	*f = (struct num_form){ .key = scn_key_pack(s, i), .number = v,
				.plen = (uint32_t)i };
	return true;
}

/* The prefix of n that f's is, or NUM_PREFIXES. */
static size_t num_prefix_of(const struct name_numbered *n,
			    const struct num_form *f)
{
	for (size_t k = 0; k < n->nprefixes; k++)
		if (n->p[k].key == f->key && n->p[k].len == f->plen)
			return k;
	return NUM_PREFIXES;
}

/* The index of number v of prefix k: a flag, the prefix, the number. */
static size_t num_index(size_t k, uint32_t v)
{
	return NAME_NUMBERED | k << NUM_BITS | v;
}

struct name_nslot *numbered_slot(const struct name_numbered *n, size_t i)
{
	const struct num_prefix *p = &n->p[(i & ~NAME_NUMBERED) >> NUM_BITS];
	size_t v = i & (NUM_MAX - 1);

	return &p->chunk[v / NUM_CHUNK][v % NUM_CHUNK];
}

/*
 * The slot of the name of form f whether taken or not, or NULL when it has
 * no chunk; *i its index.
 */
static struct name_nslot *num_place(const struct name_numbered *n,
				    const struct num_form *f, size_t *i)
{
	size_t k = num_prefix_of(n, f), c = f->number / NUM_CHUNK;

	if (k == NUM_PREFIXES || c >= n->p[k].nchunks || !n->p[k].chunk[c])
		return NULL;
	*i = num_index(k, f->number);
	return &n->p[k].chunk[c][f->number % NUM_CHUNK];
}

size_t numbered_find(const struct name_numbered *n, const struct num_form *f)
{
	size_t i;
	const struct name_nslot *slot = n ? num_place(n, f, &i) : NULL;

	return slot && slot->line ? i : SCN_NONE;
}

/*
 * Chunk c of prefix p, made (zeroed) if it is missing and the chunks stay
 * dense enough (NUM_SPARSE). NULL when it may not be made, or memory ran
 * out (*oom).
 */
static struct name_nslot *num_chunk(struct name_numbered *n,
				    struct num_prefix *p, size_t c, bool *oom)
{
	if (c < p->nchunks && p->chunk[c])
		return p->chunk[c];
	if (n->chunks >= 2 * NUM_PREFIXES + n->names * NUM_SPARSE / NUM_CHUNK)
		return NULL;
	if (c >= p->nchunks) {
		size_t cap = p->nchunks ? p->nchunks : 16;
		struct name_nslot **v;

		while (cap <= c)
			cap *= 2;
		v = realloc(p->chunk, cap * sizeof(*v));
		if (!v)
			return *oom = true, NULL;
		memset(v + p->nchunks, 0, (cap - p->nchunks) * sizeof(*v));
		p->chunk = v;
		p->nchunks = cap;
	}
	p->chunk[c] = calloc(NUM_CHUNK, sizeof(**p->chunk));
	if (!p->chunk[c])
		return *oom = true, NULL;
	n->chunks++;
	return p->chunk[c];
}

size_t numbered_add(struct name_numbered **np, const struct num_form *f,
		    uint32_t line, uint32_t last, bool *oom)
{
	struct name_numbered *n = *np;
	struct name_nslot *chunk;
	size_t k;

	*oom = false;
	if (!n) {
		n = *np = calloc(1, sizeof(*n));
		if (!n)
			return *oom = true, SCN_NONE;
	}
	k = num_prefix_of(n, f);
	if (k == NUM_PREFIXES) {
		if (n->nprefixes == NUM_PREFIXES)
			return SCN_NONE;
		k = n->nprefixes++;
		n->p[k] = (struct num_prefix){ .key = f->key, .len = f->plen };
	}
	chunk = num_chunk(n, &n->p[k], f->number / NUM_CHUNK, oom);
	if (!chunk)
		return SCN_NONE;
	/* the caller looked: the slot is free */
	chunk[f->number % NUM_CHUNK] = (struct name_nslot){ .line = line,
							     .last = last };
	n->names++;
	return num_index(k, f->number);
}

void numbered_last_bits(const struct name_numbered *n, uint64_t *bits,
			uint64_t count)
{
	for (size_t k = 0; n && k < n->nprefixes; k++)
		for (size_t c = 0; c < n->p[k].nchunks; c++)
			for (size_t j = 0; n->p[k].chunk[c] && j < NUM_CHUNK;
			     j++) {
				const struct name_nslot *s = &n->p[k].chunk[c][j];

				if (s->line && s->last < count)
					bits[s->last / 64] |= 1ull << (s->last % 64);
			}
}

void numbered_free(struct name_numbered *n)
{
	for (size_t k = 0; n && k < n->nprefixes; k++) {
		for (size_t c = 0; c < n->p[k].nchunks; c++)
			free(n->p[k].chunk[c]);
		free(n->p[k].chunk);
	}
	free(n);
}
