/*
 * arch_aarch64.c - the aarch64 register path. Horizon loads the thread's
 * TLS into tpidrro_el0, which EL0 may read but not write (msr traps), so
 * the simulated CPU keeps it as a mock register the kernel side writes
 * (struct mock_state, arch.h) and user accesses go through that base. The real
 * hardware is shown by cpu_aarch64_tpidr_proof, which borrows tpidr_el0
 * (the C library's thread pointer) for one asm block.
 */
#include <config.h>

#include "arch.h"

/* What the aarch64 backend says of itself, on every host. */
#define AARCH64_ABOUT							\
	.backend = ARCH_AARCH64, .name = "aarch64",			\
	.summary = "tpidrro_el0 kept as a mock, with a real tpidr_el0 proof", \
	.baseline = true, .auto_rank = 1

#if defined(__aarch64__)
#include <string.h>

/* Built for aarch64: always there. */
static const char *aarch64_refusal(void)
{
	return NULL;
}

/*
 * The real-register proof: in one asm block, save tpidr_el0, install tls,
 * read it back with mrs and load [tpidr_el0 + 0] (ptr_self), restore the C
 * library's value. Returns the loaded value. tls must be mapped: a fault
 * inside the block would run the signal handler with the wrong thread
 * pointer. No C code (hence no TLS access) runs inside the window.
 */
uintptr_t cpu_aarch64_tpidr_proof(uintptr_t tls)
{
	uintptr_t saved, val;

	asm volatile("mrs	%[saved], tpidr_el0\n\t"
		     "msr	tpidr_el0, %[tls]\n\t"
		     "mrs	%[val], tpidr_el0\n\t"
		     "ldr	%[val], [%[val]]\n\t"
		     "msr	tpidr_el0, %[saved]"
		     : [saved] "=&r"(saved), [val] "=&r"(val)
		     : [tls] "r"(tls)
		     : "memory");
	return val;
}

/* The real tpidrro_el0 read at EL0 (0 for native 64-bit tasks, qemu). */
uintptr_t cpu_aarch64_tpidrro_el0(void)
{
	uintptr_t v;

	asm volatile("mrs %0, tpidrro_el0" : "=r"(v));
	return v;
}

/*
 * Frame of 20 slots: x19(entry) x20(arg) x21..x28 x29(0) x30(trampoline)
 * d8..d15; sp after the frame is top, 16-byte aligned.
 */
void context_init(struct context *ctx, void *stack, size_t size,
		  void (*entry)(void *), void *arg)
{
	uint64_t *sp = (uint64_t *)context_stack_top(stack, size) - 20;

	memset(sp, 0, 20 * sizeof(*sp));
	sp[0] = (uintptr_t)entry;
	sp[1] = (uintptr_t)arg;
	sp[11] = (uintptr_t)context_trampoline;
	ctx->sp = sp;
	context_new_fiber(ctx);
}

const struct arch_ops arch_aarch64_ops = {
	AARCH64_ABOUT,
	.carried = true,
	.refusal = aarch64_refusal,
	/* tpidrro_el0 is the mock register: msr would trap at EL0 */
	.init = arch_mock_init,
	.fini = arch_mock_fini,
	.load = arch_mock_load,
	.readback = arch_mock_readback,
	.user_read = arch_mock_user_read,
	.user_write = arch_mock_user_write,
};
#else
const struct arch_ops arch_aarch64_ops = { AARCH64_ABOUT };

/* No tpidr_el0 on this build: returns 0. */
uintptr_t cpu_aarch64_tpidr_proof(uintptr_t tls)
{
	(void)tls;
	return 0;
}

/* No tpidrro_el0 on this build: returns 0. */
uintptr_t cpu_aarch64_tpidrro_el0(void)
{
	return 0;
}
#endif
