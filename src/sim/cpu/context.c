/*
 * context.c - context_init: lay out on a new stack the frame that
 * context_switch (context_<host>.S) pops, so that the first switch to it
 * "returns" into context_trampoline, which calls entry(arg).
 */
#include <config.h>

#include "cpu.h"

#include <string.h>

/* In context_<host>.S: calls entry(arg) from the callee-saved registers. */
extern char context_trampoline[];

/* Under ThreadSanitizer, a new context runs on a fiber of its own. */
static void context_new_fiber(struct context *ctx)
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
static uintptr_t stack_top(void *stack, size_t size)
{
	return ((uintptr_t)stack + size) & ~(uintptr_t)15;
}

#if defined(__x86_64__)
/*
 * Frame, low to high: r15 r14 r13 r12(entry) rbx rbp(0) ret(trampoline),
 * then a zero word; rsp after the ret is top - 16, 16-byte aligned.
 */
void context_init(struct context *ctx, void *stack, size_t size,
		  void (*entry)(void *), void *arg)
{
	uintptr_t *sp = (uintptr_t *)(stack_top(stack, size) - 16) - 7;

	memset(sp, 0, 9 * sizeof(*sp));
	sp[3] = (uintptr_t)entry;
	sp[2] = (uintptr_t)arg;		/* r13 */
	sp[6] = (uintptr_t)context_trampoline;
	ctx->sp = sp;
	context_new_fiber(ctx);
}
#elif defined(__i386__)
/*
 * Frame, low to high: edi esi(arg) ebx(entry) ebp(0) ret(trampoline);
 * esp after the ret is top - 16, 16-byte aligned.
 */
void context_init(struct context *ctx, void *stack, size_t size,
		  void (*entry)(void *), void *arg)
{
	uintptr_t *sp = (uintptr_t *)(stack_top(stack, size) - 16) - 5;

	memset(sp, 0, 9 * sizeof(*sp));
	sp[1] = (uintptr_t)arg;
	sp[2] = (uintptr_t)entry;
	sp[4] = (uintptr_t)context_trampoline;
	ctx->sp = sp;
	context_new_fiber(ctx);
}
#elif defined(__aarch64__)
/*
 * Frame of 20 slots: x19(entry) x20(arg) x21..x28 x29(0) x30(trampoline)
 * d8..d15; sp after the frame is top, 16-byte aligned.
 */
void context_init(struct context *ctx, void *stack, size_t size,
		  void (*entry)(void *), void *arg)
{
	uint64_t *sp = (uint64_t *)stack_top(stack, size) - 20;

	memset(sp, 0, 20 * sizeof(*sp));
	sp[0] = (uintptr_t)entry;
	sp[1] = (uintptr_t)arg;
	sp[11] = (uintptr_t)context_trampoline;
	ctx->sp = sp;
	context_new_fiber(ctx);
}
#else
#error "no context switch for this host: add src/sim/context_<host>.S"
#endif
