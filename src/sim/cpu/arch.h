/*
 * arch.h - private to the simulated CPU: one register backend is a table of
 * operations. cpu.c picks the table, the arch_*.c files fill them in.
 */
#ifndef TLSSIM_ARCH_H
#define TLSSIM_ARCH_H

#include <stddef.h>
#include <stdint.h>

#include "cpu.h"

struct arch_ops {
	enum arch_backend backend;
	/* Bytes reachable through the register, 0 when unlimited. */
	size_t seg_limit;
	/*
	 * NULL when the backend runs on this host (its CPU and kernel have
	 * what it needs); otherwise why the host refuses it, in one clause
	 * ("this CPU has no fsgsbase (...)").
	 */
	const char *(*refusal)(void);
	/* Take the register for cpu; returns 0 or a negative errno. */
	int (*init)(struct cpu *cpu);
	/* Give the register back as it was before init. */
	void (*fini)(struct cpu *cpu);
	/* Kernel side: make the register point at tls. */
	void (*load)(struct cpu *cpu, uintptr_t tls);
	/* The register as the hardware holds it. */
	uintptr_t (*readback)(struct cpu *cpu);
	/* User side: real accesses of len bytes at register base + off. */
	void (*user_read)(struct cpu *cpu, size_t off, void *buf, size_t len);
	void (*user_write)(struct cpu *cpu, size_t off, const void *buf,
			   size_t len);
	/* What it holds of the host (may be NULL: nothing). */
	void (*info)(const struct cpu *cpu, struct cpu_arch_info *out);
};

/*
 * A backend's private state inside cpu->arch_state, as its own type (each
 * declared may_alias, since it overlays the storage). Each backend checks
 * at compile time that its type fits (ARCH_STATE_FITS).
 */
#define ARCH_STATE(cpu, type) ((type *)(void *)(cpu)->arch_state)
#define ARCH_STATE_FITS(type)						\
	_Static_assert(sizeof(type) <= sizeof(((struct cpu *)0)->arch_state), \
		       #type " fits in struct cpu's arch_state")

/* The mock register's state, shared by the aarch64 tpidrro_el0 mock. */
struct __attribute__((may_alias)) mock_state {
	uintptr_t reg;
};

extern const struct arch_ops arch_mock_ops;
#if defined(__x86_64__)
extern const struct arch_ops arch_x86_64_prctl_ops;
extern const struct arch_ops arch_x86_64_wrgsbase_ops;
#elif defined(__i386__)
extern const struct arch_ops arch_i386_ops;
#elif defined(__aarch64__)
extern const struct arch_ops arch_aarch64_ops;
#endif

/*
 * Plain memory accesses at base + off, the mock register's user side (also
 * used by the aarch64 backend). Never fails; a bad base faults.
 */
/* The mock register's operations, shared by the aarch64 tpidrro_el0 mock. */
int arch_mock_init(struct cpu *cpu);
void arch_mock_fini(struct cpu *cpu);
void arch_mock_load(struct cpu *cpu, uintptr_t tls);
uintptr_t arch_mock_readback(struct cpu *cpu);
void arch_mock_user_read(struct cpu *cpu, size_t off, void *buf, size_t len);
void arch_mock_user_write(struct cpu *cpu, size_t off, const void *buf,
			  size_t len);

void arch_mock_copy_in(uintptr_t base, size_t off, void *buf, size_t len);
void arch_mock_copy_out(uintptr_t base, size_t off, const void *buf,
			size_t len);

#endif
