/*
 * threadtab.c - thread records in chunks, recycled last-in first-out, and
 * the live lists whose links sit beside them.
 */
#include <config.h>

#include "cpu/annotate.h"
#include "hostmem.h"
#include "threadtab.h"
#include "thread.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A slot's list links, side by side: one cache line read per neighbour. */
struct thread_links {
	uint32_t prev, next;	/* next also chains free records */
};

struct thread_chunk {
	struct thread rec[THREADTAB_CHUNK];
	struct thread_links link[THREADTAB_CHUNK];	/* by slot */
};

/* Chunks in a slab (threadtab.h). */
#define SLAB_CHUNKS (THREADTAB_SLAB_BYTES / sizeof(struct thread_chunk))

_Static_assert(SLAB_CHUNKS >= 1, "a slab holds a chunk");

/*
 * Whether chunk c starts a slab: past the small ones, chunk c is number
 * (c - THREADTAB_SMALL) % SLAB_CHUNKS of its slab.
 */
static bool starts_slab(uint32_t c)
{
	return c >= THREADTAB_SMALL &&
	       (c - THREADTAB_SMALL) % SLAB_CHUNKS == 0;
}

static struct thread_chunk *chunk_of(const struct thread_table *tt,
				     uint32_t slot)
{
	return tt->chunks[slot / THREADTAB_CHUNK];
}

static uint32_t *next_link(const struct thread_table *tt, uint32_t slot)
{
	return &chunk_of(tt, slot)->link[slot % THREADTAB_CHUNK].next;
}

static uint32_t *prev_link(const struct thread_table *tt, uint32_t slot)
{
	return &chunk_of(tt, slot)->link[slot % THREADTAB_CHUNK].prev;
}

static struct thread *record(const struct thread_table *tt, uint32_t slot)
{
	if (slot == THREADTAB_NONE)
		return NULL;
	return &chunk_of(tt, slot)->rec[slot % THREADTAB_CHUNK];
}

int threadtab_init(struct thread_table *tt)
{
	memset(tt, 0, sizeof(*tt));
	/* untouched pointers cost no memory: the host maps them lazily */
	tt->chunks = calloc(THREADTAB_MAX_CHUNKS, sizeof(*tt->chunks));
	if (!tt->chunks)
		return -ENOMEM;
	tt->free_head = THREADTAB_NONE;
	return 0;
}

void threadtab_for_each(const struct thread_table *tt,
			void (*fn)(void *arg, struct thread *t), void *arg)
{
	for (uint32_t c = 0; c < tt->nchunks; c++) {
		struct thread_chunk *ch = tt->chunks[c];

		for (uint32_t i = 0; i < THREADTAB_CHUNK; i++) {
			struct thread *t = &ch->rec[i];
			bool in_use;

			/* a free record is poisoned: look without tripping */
			RECORD_UNPOISON(t, sizeof(*t));
			in_use = t->kernel != NULL;
			if (!in_use)
				RECORD_POISON(t, sizeof(*t));
			else
				fn(arg, t);
		}
	}
}

void threadtab_fini(struct thread_table *tt,
		    void (*fn)(void *arg, struct thread *t), void *arg)
{
	if (fn)
		threadtab_for_each(tt, fn, arg);
	for (uint32_t c = 0; c < tt->nchunks; c++) {
		RECORD_UNPOISON(tt->chunks[c], sizeof(*tt->chunks[c]));
		if (c < THREADTAB_SMALL)
			free(tt->chunks[c]);
		else if (starts_slab(c))
			host_slab_free(tt->chunks[c], THREADTAB_SLAB_BYTES);
	}
	free(tt->chunks);
	memset(tt, 0, sizeof(*tt));
}

/*
 * Memory for chunk c, zeroed (kernel NULL: not in use), its records
 * aligned to cache lines as struct thread asks; NULL when refused.
 */
static struct thread_chunk *chunk_alloc(const struct thread_table *tt,
					uint32_t c)
{
	struct thread_chunk *ch;

	if (c < THREADTAB_SMALL) {
		ch = aligned_alloc(_Alignof(struct thread), sizeof(*ch));
		if (ch)
			memset(ch, 0, sizeof(*ch));
		return ch;
	}
	if (starts_slab(c))
		return host_slab(THREADTAB_SLAB_BYTES);
	return tt->chunks[c - 1] + 1;	/* the next one in the slab */
}

/* A new chunk whose records all go on the free list. false: refused. */
static bool threadtab_grow(struct thread_table *tt)
{
	struct thread_chunk *ch;
	uint32_t base;

	if (tt->nchunks == THREADTAB_MAX_CHUNKS)
		return false;
	ch = chunk_alloc(tt, tt->nchunks);
	if (!ch)
		return false;
	base = tt->nchunks * THREADTAB_CHUNK;
	tt->chunks[tt->nchunks++] = ch;
	/* the lowest slot first, so a fresh table hands out 0, 1, 2, ... */
	for (uint32_t i = 0; i < THREADTAB_CHUNK; i++)
		ch->link[i].next = i + 1 < THREADTAB_CHUNK ? base + i + 1
							  : tt->free_head;
	tt->free_head = base;
	RECORD_POISON(ch->rec, sizeof(ch->rec));
	return true;
}

struct thread *threadtab_alloc(struct thread_table *tt)
{
	struct thread *t;
	uint32_t slot;

	if (tt->free_head == THREADTAB_NONE && !threadtab_grow(tt))
		return NULL;
	slot = tt->free_head;
	tt->free_head = *next_link(tt, slot);
	t = record(tt, slot);
	RECORD_UNPOISON(t, sizeof(*t));
	memset(t, 0, sizeof(*t));
	t->slot = slot;
	*next_link(tt, slot) = *prev_link(tt, slot) = THREADTAB_NONE;
	tt->in_use++;
	return t;
}

void threadtab_free(struct thread_table *tt, struct thread *t)
{
	uint32_t slot = t->slot;

	t->kernel = NULL;	/* not handed out: threadtab_fini skips it */
	RECORD_POISON(t, sizeof(*t));
	*next_link(tt, slot) = tt->free_head;
	tt->free_head = slot;
	tt->in_use--;
}

void thread_list_append(struct thread_table *tt, struct thread_list *l,
			struct thread *t)
{
	*prev_link(tt, t->slot) = l->tail;
	*next_link(tt, t->slot) = THREADTAB_NONE;
	if (l->tail != THREADTAB_NONE)
		*next_link(tt, l->tail) = t->slot;
	else
		l->head = t->slot;
	l->tail = t->slot;
}

void thread_list_remove(struct thread_table *tt, struct thread_list *l,
			struct thread *t)
{
	uint32_t prev = *prev_link(tt, t->slot), next = *next_link(tt, t->slot);

	if (prev != THREADTAB_NONE)
		*next_link(tt, prev) = next;
	else
		l->head = next;
	if (next != THREADTAB_NONE)
		*prev_link(tt, next) = prev;
	else
		l->tail = prev;
	*prev_link(tt, t->slot) = *next_link(tt, t->slot) = THREADTAB_NONE;
}

struct thread *thread_list_first(const struct thread_table *tt,
				 const struct thread_list *l)
{
	return record(tt, l->head);
}

struct thread *thread_list_next(const struct thread_table *tt,
				const struct thread *t)
{
	return record(tt, *next_link(tt, t->slot));
}
