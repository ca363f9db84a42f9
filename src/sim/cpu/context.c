/*
 * context.c - what every host's context_init shares. Each arch file lays
 * out on a new stack the frame that its context_switch (context_<host>.S)
 * pops, so that the first switch to it "returns" into context_trampoline,
 * which calls entry(arg).
 */
#include <config.h>

#include "arch.h"

#include <string.h>

/* Under ThreadSanitizer, a new context runs on a fiber of its own. */
void context_new_fiber(struct context *ctx)
{
#ifdef __SANITIZE_THREAD__
	if (ctx->fiber)
		__tsan_destroy_fiber(ctx->fiber);
	ctx->fiber = __tsan_create_fiber(0);
#else
	(void)ctx;
#endif
}

/* The highest 16-byte aligned address of the stack. */
uintptr_t context_stack_top(void *stack, size_t size)
{
	return ((uintptr_t)stack + size) & ~(uintptr_t)15;
}
