/*
 * stack.c - the pool of host stacks for simulated threads.
 *
 * Each stack is registered with valgrind when it is mapped and deregistered
 * when it goes back to the host (cpu/vg.h says why); the id valgrind gives
 * it is kept in the stack's top 16 bytes, which contexts never use
 * (THREAD_STACK_USABLE).
 */
#include <config.h>

#include "stack.h"
#include "hostcall.h"
#include "kerror.h"

#include <sys/mman.h>

#include "cpu/annotate.h"

/* Where a stack keeps valgrind's id for it. */
static unsigned *stack_record(void *stack)
{
	return (unsigned *)((char *)stack + THREAD_STACK_USABLE);
}

/* A fresh stack with a guard page at its bottom; NULL when refused. */
static void *stack_map(void)
{
	char *p, *stack;

	if (host_call_fails(HOST_STACK))
		return NULL;
	p = mmap(NULL, THREAD_STACK_SIZE + PAGE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p, PAGE_SIZE, PROT_NONE) != 0) {
		munmap(p, THREAD_STACK_SIZE + PAGE_SIZE);
		return NULL;
	}
	stack = p + PAGE_SIZE;
	*stack_record(stack) = VALGRIND_STACK_REGISTER(
		stack, stack + THREAD_STACK_USABLE);
	return stack;
}

static void stack_unmap(void *stack)
{
	VALGRIND_STACK_DEREGISTER(*stack_record(stack));
	/*
	 * Frames a fault jumped out of stay poisoned; the host may hand the
	 * pages out again (a user land), which must not inherit them.
	 */
	STACK_UNPOISON(stack, THREAD_STACK_USABLE);
	munmap((char *)stack - PAGE_SIZE, THREAD_STACK_SIZE + PAGE_SIZE);
}

void *stack_get(struct stack_pool *sp)
{
	void *stack;

	if (sp->free_count) {
		stack = sp->free[--sp->free_count];
		STACK_UNPOISON(stack, THREAD_STACK_USABLE);
	} else {
		stack = stack_map();
	}
	if (stack)
		sp->in_use++;
	return stack;
}

void stack_put(struct stack_pool *sp, void *stack)
{
	if (!stack)
		return;
	sp->in_use--;
	if (sp->free_count < STACK_POOL_KEEP)
		sp->free[sp->free_count++] = stack;
	else
		stack_unmap(stack);
}

void stack_pool_fini(struct stack_pool *sp)
{
	while (sp->free_count)
		stack_unmap(sp->free[--sp->free_count]);
}
