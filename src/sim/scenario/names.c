/*
 * names.c - the parser's tables of declared names (processes, threads,
 * regions): an array of names and a hash index of it (their bytes are
 * namebytes.c's).
 *
 * A streamed run also forgets names (see struct name_table): the check
 * marks the last occurrence of each thread name, and the run takes a name
 * out of its table once past it, its entry and its bytes (in blocks of a
 * size class, on free lists) reused by the next names. So a run's names
 * follow the threads that a later line still names, not the scenario's
 * length. A spawned thread's name is the kernel's copy of it meanwhile
 * (name_borrow). The check itself keeps its thread names compact past a
 * thousand: a name like t17 in an array by its number (8 bytes,
 * numbered.c), any other in a hash table (16 bytes a name of up to 8
 * bytes: the name is the key).
 */
#include <config.h>

#include "bigtable.h"
#include "parser.h"
#include "probe.h"

#include <stdlib.h>
#include <string.h>

bool index_push(struct index_list *l, size_t i)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		size_t *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return false;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = i;
	return true;
}


uint32_t name_hash_mask = UINT32_MAX;

/* ---- compact tables: the check's thread names past NAME_EXACT_MAX ---- */

/* A compact key's bit saying it points to the name's bytes. */
#define CKEY_PTR (1ull << 63)

/*
 * A 64-bit value spread to a 32-bit hash whose every bit depends on every
 * bit of v (the finalizer of MurmurHash3). A multiply alone leaves the
 * low bits blind to the high bytes of v, and a packed name's high bytes
 * are its last characters: t1000000 to t1000009 would share a home.
 */
static uint32_t mix(uint64_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdull;
	v ^= v >> 33;
	v *= 0xc4ceb9fe1a85ec53ull;
	v ^= v >> 33;
	return (uint32_t)v & name_hash_mask;
}

/*
 * The hash of the name s[0..len), in either kind of table: a short name's
 * bytes mixed at once, a long one's FNV-1a (a byte at a time) mixed.
 */
static uint32_t hash(const char *s, size_t len)
{
	return mix(scn_word_key(s, len));
}

/* The hash of the name in tok: the one found when it was read ahead. */
static uint32_t tok_hash(const struct scn_token *tok)
{
	return tok->hashed ? tok->hash : hash(tok->text, tok->len);
}

/* The hash of a compact slot's name (from its key, or its bytes). */
static uint32_t cslot_hash(const struct name_cslot *c)
{
	const char *name;

	if (!(c->key & CKEY_PTR))
		return mix(c->key);
	name = (const char *)(uintptr_t)(c->key & ~CKEY_PTR);
	return mix(scn_word_key(name, strlen(name)));
}

/* Whether compact slot c (not empty) holds the name s[0..len). */
static bool cslot_is(const struct name_cslot *c, const char *s, size_t len)
{
	const char *name;

	if (len <= SCN_KEY_BYTES)
		return c->key == scn_key_pack(s, len);
	if (!(c->key & CKEY_PTR))
		return false;
	name = (const char *)(uintptr_t)(c->key & ~CKEY_PTR);
	return strncmp(name, s, len) == 0 && name[len] == '\0';
}

/*
 * The slot of the name s[0..len) in compact table t, or of the empty slot
 * where it would go (then *found is false).
 */
static size_t compact_probe(const struct name_table *t, const char *s,
			    size_t len, uint32_t h, bool *found)
{
	size_t mask = t->cs_cap - 1, i;

	for (i = h & mask; t->cs[i].line; i = (i + 1) & mask)
		if (cslot_is(&t->cs[i], s, len)) {
			*found = true;
			return i;
		}
	*found = false;
	return i;
}

/* The index of the name s[0..len), whose hash is h, numbered or not. */
static size_t compact_find(const struct name_table *t, const char *s,
			   size_t len, uint32_t h)
{
	struct num_form f;
	bool found;
	size_t i;

	/* no array yet: nothing to split */
	if (t->num && numbered_form(s, len, &f) &&
	    (i = numbered_find(t->num, &f)) != SCN_NONE)
		return i;
	i = compact_probe(t, s, len, h, &found);
	return found ? i : SCN_NONE;
}

/* Put slot c (not empty) into cs, of cap slots, by its hash. */
static void cslot_insert(struct name_cslot *cs, size_t cap,
			 const struct name_cslot *c)
{
	size_t i = cslot_hash(c) & (cap - 1);

	while (cs[i].line)
		i = (i + 1) & (cap - 1);
	cs[i] = *c;
}

/*
 * Make compact table t hold at least cap slots (a power of two), its names
 * moved. False when memory ran out (t unchanged).
 */
static bool compact_resize(struct name_table *t, size_t cap)
{
	struct name_cslot *cs = table_zalloc(cap, sizeof(*cs));

	if (!cs)
		return false;
	for (size_t i = 0; i < t->cs_cap; i++)
		if (t->cs[i].line)
			cslot_insert(cs, cap, &t->cs[i]);
	free(t->cs);
	t->cs = cs;
	t->cs_cap = cap;
	return true;
}

/* A declaration's line as a compact slot holds it (never 0). */
static uint32_t cline(size_t line)
{
	return line < UINT32_MAX ? (line ? (uint32_t)line : 1) : UINT32_MAX;
}

/*
 * Turn tracked table t compact: its names move to the numbered arrays or
 * into slots (the long ones pointing to their bytes, which stay in the
 * parser's chunks), and its entries, index and last uses go. False when
 * memory ran out (t unchanged).
 */
static bool to_compact(struct name_table *t)
{
	size_t cap = 64, in_slots = 0;
	struct num_form f;
	bool oom = false;

	while (4 * (t->n + 1) > 3 * cap)
		cap *= 2;
	t->cs_cap = 0;
	t->cs = NULL;
	if (!compact_resize(t, cap))
		return false;
	for (size_t i = 0; i < t->n && !oom; i++) {
		const char *name = t->v[i].name;
		size_t len = strlen(name);
		struct name_cslot c = {
			.key = len <= SCN_KEY_BYTES ? scn_key_pack(name, len) :
			       (uint64_t)(uintptr_t)name | CKEY_PTR,
			.line = cline(t->v[i].line),
			.last = t->last[i],
		};

		if (numbered_form(name, len, &f) &&
		    (numbered_add(&t->num, &f, c.line, c.last, &oom) !=
		     SCN_NONE || oom))
			continue;
		cslot_insert(t->cs, t->cs_cap, &c);
		in_slots++;
	}
	if (oom) {
		numbered_free(t->num);
		t->num = NULL;
		free(t->cs);
		t->cs = NULL;
		t->cs_cap = 0;
		return false;
	}
	t->n = in_slots;
	free(t->v);
	free(t->slots);
	free(t->last);
	t->v = NULL;
	t->slots = NULL;
	t->last = NULL;
	t->cap = t->slot_cap = 0;
	t->compact = true;
	return true;
}

/* A compact table grows at most this many times over at once. */
#define COMPACT_LEAP 8

/*
 * The slots full compact table t grows to: twice its own, or where the
 * input's size is known, as many as its names would need at the end if
 * they kept coming as they came so far (up to COMPACT_LEAP times its own).
 * Each table it skips is one less to zero and fill: the fresh pages of
 * the tables a doubling leaves behind cost as much as the last one's.
 * Returns 0 when no larger table can be sized (memory ran out then).
 */
static size_t compact_next_cap(const struct parser *p,
			       const struct name_table *t)
{
	size_t cap = t->cs_cap, limit = cap * COMPACT_LEAP, next = 2 * cap;
	double projected;

	if (next < cap)		/* no larger table fits a size_t */
		return 0;
	if (limit / COMPACT_LEAP != cap || !p->input_bytes ||
	    !p->bytes_read || p->bytes_read >= p->input_bytes)
		return next;
	projected = (double)t->n * ((double)p->input_bytes /
				    (double)p->bytes_read);
	while (next < limit && 3.0 * (double)next < 4.0 * projected)
		next *= 2;
	return next;
}

/*
 * name_add to compact table t: one probe finds the name or the slot it
 * takes.
 */
static size_t compact_add(struct parser *p, struct name_table *t,
			  const struct scn_token *tok, size_t *old)
{
	struct name_cslot c = { .line = cline(p->lineno) };
	struct num_form f;
	bool found, oom = false,
	     numbered = numbered_form(tok->text, tok->len, &f);
	size_t i = numbered ? numbered_find(t->num, &f) : SCN_NONE, num;

	if (i != SCN_NONE) {
		*old = i;
		return SCN_NONE;
	}
	/* at most 3/4 full */
	if (4 * (t->n + 1) > 3 * t->cs_cap) {
		size_t cap = compact_next_cap(p, t);

		if (!cap || !compact_resize(t, cap))
			return poom(p), SCN_NONE;
	}
	i = compact_probe(t, tok->text, tok->len, tok_hash(tok), &found);
	if (found) {
		*old = i;
		return SCN_NONE;
	}
	/* in neither: a numbered name goes to its array if it can */
	num = numbered ? numbered_add(&t->num, &f, c.line, 0, &oom) : SCN_NONE;
	if (num != SCN_NONE)
		return num;
	if (oom)
		return poom(p), SCN_NONE;
	if (tok->len <= SCN_KEY_BYTES) {
		c.key = scn_key_pack(tok->text, tok->len);
	} else {
		char *name = name_bytes_arena(&p->names, tok->text, tok->len);

		if (!name)
			return poom(p), SCN_NONE;
		c.key = (uint64_t)(uintptr_t)name | CKEY_PTR;
	}
	t->cs[i] = c;
	t->n++;
	return i;
}

/* name_find of s[0..len), whose hash is h. */
static size_t find_hashed(const struct name_table *t, const char *s,
			  size_t len, uint32_t h)
{
	if (t->compact)
		return compact_find(t, s, len, h);
	if (!t->slot_cap)
		return SCN_NONE;
	for (size_t i = h & (t->slot_cap - 1);; i = (i + 1) & (t->slot_cap - 1)) {
		const struct name_slot *slot = &t->slots[i];
		const char *name;

		if (!slot->index1)
			return SCN_NONE;
		if (slot->hash != h)
			continue;
		name = t->v[slot->index1 - 1].name;
		if (strncmp(name, s, len) == 0 && name[len] == '\0')
			return slot->index1 - 1;
	}
}

size_t name_find(const struct name_table *t, const char *s, size_t len)
{
	return find_hashed(t, s, len, hash(s, len));
}

size_t name_find_token(const struct name_table *t,
		       const struct scn_token *tok)
{
	return find_hashed(t, tok->text, tok->len, tok_hash(tok));
}

static void slot_insert(struct name_slot *slots, size_t cap, uint32_t h,
			uint32_t index1)
{
	size_t i = h & (cap - 1);

	while (slots[i].index1)
		i = (i + 1) & (cap - 1);
	slots[i] = (struct name_slot){ .index1 = index1, .hash = h };
}

/*
 * Take index1 (an entry's index + 1, its name hashing to h) out of t's
 * hash index, moving back the slots after it that its place would hide
 * (deletion in linear probing, without tombstones).
 */
static void slot_remove(struct name_table *t, uint32_t h, uint32_t index1)
{
	size_t mask = t->slot_cap - 1, i = h & mask, j;

	while (t->slots[i].index1 != index1) {
		if (!t->slots[i].index1)
			return;		/* not there: nothing to do */
		i = (i + 1) & mask;
	}
	for (j = (i + 1) & mask; t->slots[j].index1; j = (j + 1) & mask) {
		size_t home = t->slots[j].hash & mask;

		if (probe_entry_stays(i, j, home))
			continue;
		t->slots[i] = t->slots[j];
		i = j;
	}
	t->slots[i] = (struct name_slot){ 0 };
}

/*
 * Double t's hash index (to 32 slots at first), moving the slots by their
 * stored hashes. False when memory ran out (or past 2^32 slots).
 */
static bool slots_grow(struct name_table *t)
{
	size_t cap = t->slot_cap ? 2 * t->slot_cap : 32;
	struct name_slot *slots;

	if (!cap || cap - 1 > UINT32_MAX)	/* its hash has 32 bits */
		return false;
	slots = table_zalloc(cap, sizeof(*slots));
	if (!slots)
		return false;
	for (size_t i = 0; i < t->slot_cap; i++)
		if (t->slots[i].index1)
			slot_insert(slots, cap, t->slots[i].hash,
				    t->slots[i].index1);
	free(t->slots);
	t->slots = slots;
	t->slot_cap = cap;
	return true;
}

/*
 * Room in t for one more entry (its array, and its last uses when
 * tracked). False when memory ran out.
 */
static bool table_fit(struct name_table *t)
{
	size_t cap = t->cap ? 2 * t->cap : 16;
	struct scn_name *v;

	if (t->n < t->cap)
		return true;
	v = realloc(t->v, cap * sizeof(*v));
	if (!v)
		return false;
	t->v = v;
	if (t->track) {
		uint32_t *last = realloc(t->last, cap * sizeof(*last));

		if (!last)
			return false;	/* t->v grew, t->cap did not: fine */
		t->last = last;
	}
	t->cap = cap;
	return true;
}

size_t name_add(struct parser *p, struct name_table *t,
		const struct scn_token *tok, size_t process, size_t *old)
{
	bool reuse = t->retire && t->free.n;
	size_t i;
	char *name;

	*old = SCN_NONE;
	if (t->track && !t->exact && !t->compact && t->n >= NAME_EXACT_MAX &&
	    !to_compact(t))
		return poom(p), SCN_NONE;
	if (t->compact)
		return compact_add(p, t, tok, old);
	/* a streamed run's table was checked whole: no name comes twice */
	if (!t->retire && (*old = name_find_token(t, tok)) != SCN_NONE)
		return SCN_NONE;
	if (!reuse && !table_fit(t))
		return poom(p), SCN_NONE;
	/* Keep the hash index at most 3/4 full (and indexes in 32 bits). */
	if (t->n + 1 >= UINT32_MAX ||
	    (4 * (t->n + 1) > 3 * t->slot_cap && !slots_grow(t)))
		return poom(p), SCN_NONE;
	name = t->retire ? name_bytes_class(t, &p->names, tok->text, tok->len)
			 : name_bytes_arena(&p->names, tok->text, tok->len);
	if (!name)
		return poom(p), SCN_NONE;
	i = reuse ? t->free.v[--t->free.n] : t->n++;
	/* 16 bytes an entry: a streamed run holds one a thread named later */
	t->v[i] = (struct scn_name){
		.name = name, .line = cline(p->lineno),
		.process = process < UINT32_MAX ? (uint32_t)process : UINT32_MAX,
	};
	if (t->track)
		t->last[i] = 0;
	slot_insert(t->slots, t->slot_cap, tok_hash(tok),
		    (uint32_t)(i + 1));
	return i;
}

uint32_t name_prefetch(const struct name_table *t, const char *s, size_t len)
{
	uint32_t h = hash(s, len);

	/*
	 * the hash table's slot even for a numbered name: splitting the name
	 * to bring its array's slot ahead cost more than the miss it saved
	 */
	if (t->compact)
		__builtin_prefetch(&t->cs[h & (t->cs_cap - 1)]);
	else if (t->slot_cap)
		__builtin_prefetch(&t->slots[h & (t->slot_cap - 1)]);
	return h;
}

size_t name_peek(const struct name_table *t, uint32_t h)
{
	if (t->compact || !t->slot_cap)
		return SCN_NONE;
	/* a few slots: a hint may give up */
	for (size_t i = h & (t->slot_cap - 1), k = 0; k < 4;
	     i = (i + 1) & (t->slot_cap - 1), k++) {
		const struct name_slot *slot = &t->slots[i];

		if (!slot->index1)
			break;
		if (slot->hash == h)
			return slot->index1 - 1;
	}
	return SCN_NONE;
}

size_t name_line(const struct name_table *t, size_t i)
{
	if (t->compact && (i & NAME_NUMBERED))
		return numbered_slot(t->num, i)->line;
	return t->compact ? t->cs[i].line : t->v[i].line;
}

bool name_last_bits(const struct name_table *t, uint64_t **bits,
		    uint64_t *n)
{
	uint64_t count = t->occ < UINT32_MAX ? t->occ : UINT32_MAX;
	size_t entries = t->compact ? t->cs_cap : t->n;
	uint64_t *v;

	*bits = NULL;
	*n = 0;
	if (!count || (!t->compact && !t->last))
		return true;
	v = table_zalloc((count + 63) / 64, sizeof(*v));
	if (!v)
		return false;
	for (size_t i = 0; i < entries; i++) {
		uint32_t last;

		if (t->compact && !t->cs[i].line)
			continue;
		last = t->compact ? t->cs[i].last : t->last[i];
		if (last < count)
			v[last / 64] |= 1ull << (last % 64);
	}
	if (t->compact)
		numbered_last_bits(t->num, v, count);
	*bits = v;
	*n = count;
	return true;
}

void name_forget(struct name_table *t, size_t i)
{
	char *name = t->v[i].name;

	slot_remove(t, hash(name, strlen(name)), (uint32_t)(i + 1));
	if (name_is_borrowed(t, i))
		t->borrowed[i / 64] &= ~((uint64_t)1 << (i % 64));
	else
		name_bytes_free(t, name);
	t->v[i].name = NULL;
	/* an entry that cannot be listed is not reused */
	index_push(&t->free, i);
}

void name_table_move(struct name_table *t, struct scn_name **v, size_t *n)
{
	*v = t->v;
	*n = t->n;
	free(t->slots);
	t->v = NULL;
	t->n = t->cap = 0;
	t->slots = NULL;
	t->slot_cap = 0;
}

void name_table_free(struct name_table *t)
{
	/* a retire table's long names are blocks of their own */
	for (size_t i = 0; t->retire && i < t->n; i++)
		if (t->v[i].name && !name_is_borrowed(t, i))
			name_bytes_end(t->v[i].name);
	free(t->borrowed);
	free(t->v);
	free(t->slots);
	free(t->last);
	free(t->cs);
	numbered_free(t->num);
	free(t->free.v);
	free(t->used_up.v);
	memset(t, 0, sizeof(*t));
}

