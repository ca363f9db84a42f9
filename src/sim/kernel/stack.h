/*
 * stack.h - host stacks for simulated threads, from a pool that is reused.
 *
 * A simulated thread needs a host stack only while it runs user code (a
 * demo program from its first run to its death, a scenario job for the
 * length of the job). Stacks are mmap'd with a guard page below them and
 * kept on a free list, so a spawn/exit loop costs no host call at all and
 * a thread that never runs costs no host mapping.
 */
#ifndef TLSSIM_STACK_H
#define TLSSIM_STACK_H

#include <stddef.h>

#define THREAD_STACK_SIZE ((size_t)64 << 10)
/* What a context may use: the top 16 bytes hold the stack's own record. */
#define THREAD_STACK_USABLE (THREAD_STACK_SIZE - 16)

/* Free stacks kept for reuse; more than this go back to the host. */
#define STACK_POOL_KEEP 64

struct stack_pool {
	void *free[STACK_POOL_KEEP];
	size_t free_count;
	size_t in_use;			/* handed out, not put back */
};

/*
 * A stack of THREAD_STACK_SIZE bytes (its lowest address), from the pool
 * or fresh from the host. Returns NULL when the host refuses the mapping.
 */
void *stack_get(struct stack_pool *sp);

/* Give a stack back; it may be handed out again at once. NULL: no-op. */
void stack_put(struct stack_pool *sp, void *stack);

/* Return every free stack to the host (stacks in use are the caller's). */
void stack_pool_fini(struct stack_pool *sp);

#endif
