/*
 * namebytes.c - the bytes of the parser's names: chunks that hold them
 * side by side (a name costs its length and a NUL, not a malloc'd block
 * each: a churn declares millions of names), blocks of size classes on
 * free lists for a streamed run's names, which come and go, and names
 * borrowed from the kernel's record of a spawned thread, so that a run
 * holds one copy of a live thread's name, not two.
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
 * bytes bytes in the chunks at *head (a new chunk when the first is full).
 * Returns them, or NULL when memory ran out.
 */
static char *arena_alloc(struct scn_chunk **head, size_t bytes)
{
	struct scn_chunk *c = *head;
	char *out;

	if (!c || c->size - c->used < bytes) {
		size_t size = bytes > CHUNK_BYTES ? bytes : CHUNK_BYTES;

		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->next = *head;
		c->used = 0;
		c->size = size;
		*head = c;
	}
	out = c->data + c->used;
	c->used += bytes;
	return out;
}

/*
 * A copy of s[0..len) and a NUL in the chunks at *head. Returns it, or
 * NULL when memory ran out.
 */
char *name_bytes_arena(struct scn_chunk **head, const char *s,
			   size_t len)
{
	char *out = arena_alloc(head, len + 1);

	if (!out)
		return NULL;
	memcpy(out, s, len);
	out[len] = '\0';
	return out;
}

/* The size class of a name of len bytes, or NAME_CLASSES: too long. */
static size_t name_class(size_t len)
{
	return len / NAME_CLASS_BYTES;
}

/*
 * A copy of s[0..len) and a NUL for a retire table: in a block of its size
 * class, reused from t's free list or cut from the chunks at *head (a
 * malloc'd block for a long name). Returns it, or NULL when memory ran out.
 */
char *name_bytes_class(struct name_table *t, struct scn_chunk **head,
			   const char *s, size_t len)
{
	size_t cl = name_class(len);
	char *out;

	if (cl >= NAME_CLASSES) {
		out = malloc(len + 1);
	} else if (t->free_bytes[cl]) {
		char *next;

		out = t->free_bytes[cl];
		memcpy(&next, out, sizeof(next));
		t->free_bytes[cl] = next;
	} else {
		out = arena_alloc(head, (cl + 1) * NAME_CLASS_BYTES);
	}
	if (!out)
		return NULL;
	memcpy(out, s, len);
	out[len] = '\0';
	return out;
}

/* Give a name of class_strndup back to t (its next pointer in its bytes). */
void name_bytes_free(struct name_table *t, char *name)
{
	size_t cl = name_class(strlen(name));
	char *next;

	if (cl >= NAME_CLASSES) {
		free(name);
		return;
	}
	next = t->free_bytes[cl];
	memcpy(name, &next, sizeof(next));
	t->free_bytes[cl] = name;
}

void name_bytes_end(char *name)
{
	if (name_class(strlen(name)) >= NAME_CLASSES)
		free(name);
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
	return name_bytes_arena(head, s, strlen(s));
}

bool name_is_borrowed(const struct name_table *t, size_t i)
{
	return i / 64 < t->borrowed_words && (t->borrowed[i / 64] >> (i % 64) & 1);
}

void name_borrow(struct name_table *t, size_t i, const char *name)
{
	if (!t->retire || name_is_borrowed(t, i))
		return;
	if (i / 64 >= t->borrowed_words) {
		size_t words = t->borrowed_words ? 2 * t->borrowed_words : 64;
		uint64_t *b;

		while (words <= i / 64)
			words *= 2;
		b = realloc(t->borrowed, words * sizeof(*b));
		if (!b)
			return;
		memset(b + t->borrowed_words, 0,
		       (words - t->borrowed_words) * sizeof(*b));
		t->borrowed = b;
		t->borrowed_words = words;
	}
	name_bytes_free(t, t->v[i].name);
	t->v[i].name = (char *)name;
	t->borrowed[i / 64] |= (uint64_t)1 << (i % 64);
}

bool name_own(struct name_table *t, struct scn_chunk **head, size_t i)
{
	const char *name = t->v[i].name;
	char *own;

	if (!name || !name_is_borrowed(t, i))
		return true;
	own = name_bytes_class(t, head, name, strlen(name));
	if (!own)
		return false;
	t->v[i].name = own;
	t->borrowed[i / 64] &= ~((uint64_t)1 << (i % 64));
	return true;
}

