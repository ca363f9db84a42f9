/*
 * quiz_gen.h - the problems of `tlssim quiz`: a random but reproducible
 * sequence of operations on small processes (spawn, exit, map, unmap,
 * kill, and a new process after a kill), each chosen among the operations
 * that are valid in the state the earlier ones left, and each run on the
 * real kernel model as it is chosen. The answers (where each new thread's
 * TLS lands) are what that kernel said, not what a second model thinks.
 *
 * The problem is run in one kernel per built-in policy at once (a
 * "world" each), and an operation is chosen only if it is valid in every
 * world: a map goes to pages free in all of them. So one seed gives the
 * same operations whatever --policy says, and only the answers differ:
 * the quiz can ask how two policies place the same threads.
 *
 * The randomness is the project's own (splitmix64 on a uint64_t), so a
 * seed gives the same problem on every host and architecture: every
 * choice depends on the generator and on offsets in the user lands, never
 * on a host address.
 *
 * quiz.c prints a problem; this file makes it.
 */
#ifndef TLSSIM_QUIZ_GEN_H
#define TLSSIM_QUIZ_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"

/* Each process's user land: small, so that pages fill up in a few ops. */
#define QUIZ_LAND_PAGES		16
#define QUIZ_LAND_SIZE		(QUIZ_LAND_PAGES * PAGE_SIZE)
/* Processes are named A to Z, in creation order. */
#define QUIZ_MAX_NAMES		26
#define QUIZ_MAX_PROCESSES	8
#define QUIZ_MAX_OPS		1000
/* Bytes of a secret, and of a spy's read. */
#define QUIZ_SECRET_LEN		8
/* Pages a manager may hold in a quiz's user land. */
#define QUIZ_MAX_TLS_PAGES	QUIZ_LAND_PAGES
/* Other mappings of a quiz are one to this many pages. */
#define QUIZ_MAP_MAX_PAGES	3
/* Worlds: at least the number of policies in the table (policy.h). */
#define QUIZ_MAX_WORLDS		8
/* The world of --policy, whose answers are printed. */
#define QUIZ_SHOWN		0

struct quiz_params {
	uint64_t seed;
	unsigned ops;			/* 1 .. QUIZ_MAX_OPS */
	const struct tls_manager_ops *policy;
	unsigned processes;		/* live at once, 1 .. 8 */
	unsigned maps;			/* map and unmap ops, at most */
	bool switches;			/* draw switches too (the register) */
	bool no_tls_restore;		/* switches keep the old register */
	bool mixed;			/* A sunrise, B indexed, C mesosphere, ... */
	bool spies;			/* draw secrets and spies' reads */
};

enum quiz_op_kind {
	QOP_SPAWN,
	QOP_EXIT,
	QOP_MAP,
	QOP_UNMAP,
	QOP_KILL,
	QOP_PROCESS,		/* a new process, after a kill */
	QOP_SWITCH,		/* switch to a thread, read its ptr_self */
	QOP_SECRET,		/* a thread writes a secret to its ipc */
	QOP_SPY,		/* a thread reads tls+offset, size bytes */
	QOP_KIND_COUNT
};

/* One operation of the problem and what the kernel answered. */
struct quiz_op {
	enum quiz_op_kind kind;
	unsigned proc;			/* index into quiz.procs */
	unsigned thread;		/* index into quiz.threads: spawn, exit */
	uint64_t offset, size;		/* map, unmap */
	/* The answers in the shown world: spawn's error and TLS offset. */
	enum kernel_error err;
	uint64_t tls;
	/* TLS pages of the process before and after the op (shown world). */
	size_t pages_before, pages_after;
	/*
	 * Why (shown world). A spawn: its page's place in the manager's
	 * order (from 1), the first page in that order with a free slot
	 * before it (0: none), the lowest-address page with a free slot
	 * before it, the pages' slots used before it, and whether a lower
	 * slot of its page was free. An exit: the page of the region and
	 * whether the kernel unmapped it; its threads left there.
	 */
	unsigned page_rank;
	uint64_t page, first_room, lowest_room;
	bool has_room, lower_free, unmapped;
	size_t used_before, left_on_page;
	/* A switch: what the register held, or a fault. */
	bool faulted;
	unsigned reg_proc;		/* index into quiz.procs */
	uint64_t reg_offset;
	bool self_ok;			/* ptr_self read, in the thread's land */
	uint64_t self_offset;
	/* A secret written, or what a spy read (size bytes) of slot. */
	uint8_t bytes[QUIZ_SECRET_LEN];
	uint64_t slot;			/* the spy's target region, offset */
	/* the live thread whose region the register or the spy reached
	 * then (index into quiz.threads), or -1 for a free slot */
	int holder;
};

/* A secret written to a region's ipc, and by whom (shown world). */
struct quiz_secret {
	unsigned proc, thread;
	uint64_t slot;
	uint8_t bytes[QUIZ_SECRET_LEN];
};

struct quiz_proc {
	char name[2];			/* "A" */
	unsigned next_thread;		/* number of its next thread, from 1 */
	struct process *p[QUIZ_MAX_WORLDS];	/* in each world */
};

struct quiz_thread {
	char name[12];			/* "a1" */
	unsigned proc;
	struct thread *t[QUIZ_MAX_WORLDS];	/* NULL: the spawn failed */
	bool live;			/* alive in every world */
};

/* One kernel running the problem under one policy. */
struct quiz_world {
	const struct tls_manager_ops *policy;
	struct kernel *k;
	bool up;			/* k is created */
};

/* A mapping the quiz made, while it is mapped. */
struct quiz_map {
	unsigned proc;
	uint64_t offset, size;
};

struct quiz {
	struct quiz_params par;
	struct quiz_world worlds[QUIZ_MAX_WORLDS];	/* QUIZ_SHOWN first */
	unsigned nworlds;
	struct quiz_op *ops;
	size_t nops;
	struct quiz_proc procs[QUIZ_MAX_NAMES];
	unsigned nprocs;		/* the first `processes` exist at start */
	struct quiz_thread *threads;	/* QUIZ_MAX_OPS of them at most */
	size_t nthreads;
	struct quiz_map maps[QUIZ_MAX_OPS];
	size_t nmaps;
	unsigned maps_used;		/* map and unmap ops so far */
	struct quiz_secret secrets[QUIZ_MAX_OPS];
	size_t nsecrets;
	uint64_t rng;			/* splitmix64 state */
};

/*
 * Make the problem of par into q and run it in one kernel (with the mock
 * register backend) per policy; q keeps the kernels (for the final
 * pictures) until quiz_free. Returns 0; -ENOMEM when the host refuses
 * memory or a user land (q holds whatever was made: free it); -EIO when
 * a kernel failed an operation valid in its state (a bug, with a line on
 * stderr).
 */
int quiz_make(struct quiz *q, const struct quiz_params *par);

/* Release what q holds, its kernels included. q may be half made. */
void quiz_free(struct quiz *q);

/* Whether the i-th process is alive now. */
bool quiz_proc_alive(const struct quiz *q, unsigned i);

/* The policy of the i-th process in the shown world. */
const struct tls_manager_ops *quiz_policy_of(const struct quiz *q,
					     unsigned i);

/* The kernel and the i-th process of the world whose answers are shown. */
static inline const struct kernel *quiz_kernel(const struct quiz *q)
{
	return q->worlds[QUIZ_SHOWN].k;
}

static inline struct process *quiz_process(const struct quiz *q, unsigned i)
{
	return q->procs[i].p[QUIZ_SHOWN];
}

#endif
