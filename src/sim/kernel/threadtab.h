/*
 * threadtab.h - where the kernel model keeps its thread records.
 *
 * Records live in chunks of THREADTAB_CHUNK and are numbered by slot; a
 * record given back goes on a free list and is the next one handed out,
 * while it is still in the cache. A process's live threads form a list in
 * creation order whose links are slot numbers kept beside the records, not
 * in them: unlinking a thread touches its neighbours' links (a few bytes in
 * a dense array) rather than their records (which, among 10^5 threads, are
 * rarely in any cache).
 *
 * The table does no locking: the kernel's lock guards it (machine.h).
 */
#ifndef TLSSIM_THREADTAB_H
#define TLSSIM_THREADTAB_H

#include <stddef.h>
#include <stdint.h>

struct thread;
struct thread_chunk;

/* Records a chunk holds; slots a table can number. */
#define THREADTAB_CHUNK 1024u
#define THREADTAB_MAX_CHUNKS 65536u

/*
 * Past the first THREADTAB_SMALL chunks, chunks are carved out of slabs
 * (host_slab, hostmem.h): THREADTAB_SLAB_BYTES aligned to their size,
 * huge pages asked for, resident at once. A large table is most of its
 * kernel's memory (136 bytes a thread); brought in a 4 KiB page at a
 * time, it cost a page fault every 30 threads, which on a virtual machine
 * was most of a spawn (doc/performance.md). A small table keeps its chunks
 * from malloc, so a kernel of a few threads holds no slab.
 */
#define THREADTAB_SMALL 16u
#define THREADTAB_SLAB_BYTES ((size_t)2 << 20)

/* No slot: the end of a list. */
#define THREADTAB_NONE UINT32_MAX

struct thread_table {
	struct thread_chunk **chunks;	/* THREADTAB_MAX_CHUNKS pointers */
	uint32_t nchunks;
	uint32_t free_head;		/* a record given back, or NONE */
	size_t in_use;
};

/* A list of live threads in creation order (a process's). */
struct thread_list {
	uint32_t head, tail;
};

#define THREAD_LIST_EMPTY ((struct thread_list){ THREADTAB_NONE, THREADTAB_NONE })

/* An empty table. Returns 0, or -ENOMEM when the host refuses. */
int threadtab_init(struct thread_table *tt);

/*
 * fn(arg, t) for every record still handed out (fn may be NULL), then
 * everything goes. fn must not touch the table.
 */
void threadtab_fini(struct thread_table *tt,
		    void (*fn)(void *arg, struct thread *t), void *arg);

/* fn(arg, t) for every record handed out, in slot order. */
void threadtab_for_each(const struct thread_table *tt,
			void (*fn)(void *arg, struct thread *t), void *arg);

/*
 * A zeroed record with its slot set, or NULL when the host refuses memory
 * for a new chunk or the table has numbered all the slots it can.
 */
struct thread *threadtab_alloc(struct thread_table *tt);

/* Give t back: it is handed out again by a later threadtab_alloc. */
void threadtab_free(struct thread_table *tt, struct thread *t);

/* Append t to l; t is on no list. */
void thread_list_append(struct thread_table *tt, struct thread_list *l,
			struct thread *t);
/* Take t off l, which holds it. */
void thread_list_remove(struct thread_table *tt, struct thread_list *l,
			struct thread *t);
/* The first thread of l, or NULL. */
struct thread *thread_list_first(const struct thread_table *tt,
				 const struct thread_list *l);
/* The thread after t on its list, or NULL. */
struct thread *thread_list_next(const struct thread_table *tt,
				const struct thread *t);

#endif
