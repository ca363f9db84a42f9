/*
 * arch_aarch64.c - the aarch64 register path. Horizon loads the thread's
 * TLS into tpidrro_el0, which EL0 may read but not write (msr traps), so
 * the simulated CPU keeps it as a mock register the kernel side writes
 * (cpu->mock_reg) and user accesses go through that base. The real
 * hardware is shown by cpu_aarch64_tpidr_proof, which borrows tpidr_el0
 * (the C library's thread pointer) for one asm block.
 */
#include <config.h>

#include "arch.h"

/* Built for aarch64: always there. */
static bool aarch64_available(void)
{
	return true;
}

/* The mock tpidrro_el0 starts at 0, like the real one. Returns 0. */
static int aarch64_init(struct cpu *cpu)
{
	cpu->mock_reg = 0;
	return 0;
}

/* Nothing in the hardware was changed. */
static void aarch64_fini(struct cpu *cpu)
{
	cpu->mock_reg = 0;
}

/* Kernel side: the mock tpidrro_el0 := tls (the real msr would trap). */
static void aarch64_load(struct cpu *cpu, uintptr_t tls)
{
	cpu->mock_reg = tls;
}

/* The mock tpidrro_el0, as an mrs in user code would see it. */
static uintptr_t aarch64_readback(struct cpu *cpu)
{
	return cpu->mock_reg;
}

/* User load at tpidrro_el0 + off, the base taken from the mock. */
static void aarch64_user_read(struct cpu *cpu, size_t off, void *buf,
			      size_t len)
{
	arch_mock_copy_in(cpu->mock_reg, off, buf, len);
}

/* User store at tpidrro_el0 + off, the base taken from the mock. */
static void aarch64_user_write(struct cpu *cpu, size_t off, const void *buf,
			       size_t len)
{
	arch_mock_copy_out(cpu->mock_reg, off, buf, len);
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
	.available = aarch64_available,
	.init = aarch64_init,
	.fini = aarch64_fini,
	.load = aarch64_load,
	.readback = aarch64_readback,
	.user_read = aarch64_user_read,
	.user_write = aarch64_user_write,
};
