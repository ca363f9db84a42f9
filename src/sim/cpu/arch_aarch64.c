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

const struct arch_ops arch_aarch64_ops = {
	.backend = ARCH_AARCH64,
	.seg_limit = 0,
	.refusal = aarch64_refusal,
	/* tpidrro_el0 is the mock register: msr would trap at EL0 */
	.init = arch_mock_init,
	.fini = arch_mock_fini,
	.load = arch_mock_load,
	.readback = arch_mock_readback,
	.user_read = arch_mock_user_read,
	.user_write = arch_mock_user_write,
};
