/*
 * names.c - the parser's tables of declared names (processes, threads,
 * regions): an array of names and a hash index of it, and the chunks that
 * hold the names' bytes side by side (a name costs its length and a NUL,
 * not a malloc'd block each: a churn declares millions of names).
 */
#include <config.h>

#include "parser.h"

#include <stdlib.h>
#include <string.h>

/* Bytes of a chunk of names (a longer name gets a chunk of its own). */
#define CHUNK_BYTES 65536

struct scn_chunk {
	struct scn_chunk *next;
	size_t used, size;
	char data[];
};

/*
 * A copy of s[0..len) and a NUL in the chunks at *head (a new chunk when
 * the first is full). Returns it, or NULL when memory ran out.
 */
static char *arena_strndup(struct scn_chunk **head, const char *s,
			   size_t len)
{
	struct scn_chunk *c = *head;
	char *out;

	if (!c || c->size - c->used < len + 1) {
		size_t size = len + 1 > CHUNK_BYTES ? len + 1 : CHUNK_BYTES;

		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->next = *head;
		c->used = 0;
		c->size = size;
		*head = c;
	}
	out = c->data + c->used;
	memcpy(out, s, len);
	out[len] = '\0';
	c->used += len + 1;
	return out;
}

void scn_chunks_free(struct scn_chunk *head)
{
	while (head) {
		struct scn_chunk *next = head->next;

		free(head);
		head = next;
	}
}

char *scn_chunks_strdup(struct scn_chunk **head, const char *s)
{
	return arena_strndup(head, s, strlen(s));
}

/* FNV-1a, folded to 32 bits. */
static uint32_t hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return (uint32_t)(h ^ (h >> 32));
}

size_t name_find(const struct name_table *t, const char *s, size_t len)
{
	uint32_t h;

	if (!t->slot_cap)
		return SCN_NONE;
	h = hash(s, len);
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

static void slot_insert(struct name_slot *slots, size_t cap, uint32_t h,
			uint32_t index1)
{
	size_t i = h & (cap - 1);

	while (slots[i].index1)
		i = (i + 1) & (cap - 1);
	slots[i] = (struct name_slot){ .index1 = index1, .hash = h };
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
	slots = calloc(cap, sizeof(*slots));
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

size_t name_add(struct parser *p, struct name_table *t,
		const struct scn_token *tok, size_t process)
{
	char *name;

	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		struct scn_name *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return poom(p), SCN_NONE;
		t->v = v;
		t->cap = cap;
	}
	/* Keep the hash index at most half full (and indexes in 32 bits). */
	if (t->n + 1 >= UINT32_MAX ||
	    (2 * (t->n + 1) > t->slot_cap && !slots_grow(t)))
		return poom(p), SCN_NONE;
	name = arena_strndup(&p->names, tok->text, tok->len);
	if (!name)
		return poom(p), SCN_NONE;
	t->v[t->n] = (struct scn_name){
		.name = name, .line = p->lineno, .col = tok->col,
		.process = process,
	};
	slot_insert(t->slots, t->slot_cap, hash(tok->text, tok->len),
		    (uint32_t)(t->n + 1));
	return t->n++;
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
	free(t->v);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

