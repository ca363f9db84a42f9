/*
 * arch.h - private to the simulated CPU: one register backend is a table of
 * operations that also describes itself (name, whether it is the host's
 * real register, what it needs of the host, its segment limit and the
 * fault past it). Each arch_*.c file defines its backends on every host:
 * compiled for another architecture, a backend is only its description,
 * with carried = false. cpu.c keeps the one table of backends.
 */
#ifndef TLSSIM_ARCH_H
#define TLSSIM_ARCH_H

#include <stddef.h>
#include <stdint.h>

#include "cpu.h"

struct arch_ops {
	enum arch_backend backend;
	const char *name;	/* its --arch name: "x86_64-prctl" */
	const char *summary;	/* one line for --help and the man page */
	/* Compiled for this host (false: it describes another host's). */
	bool carried;
	/* The host's real register (false: a variable, the mock's way). */
	bool native;
	/*
	 * Runs on every host of its architecture: the build's own backend,
	 * which a build's tests insist on. Others need a CPU feature.
	 */
	bool baseline;
	/* auto's preference among the backends that run: higher first. */
	int auto_rank;
	/* Bytes reachable through the register, 0 when unlimited. */
	size_t seg_limit;
	/* The fault past seg_limit (si_addr 0), as reports tell it. */
	const char *limit_fault;
	/*
	 * NULL when the backend runs on this host (its CPU and kernel have
	 * what it needs); otherwise why the host refuses it, in one clause
	 * ("this CPU has no fsgsbase (...)").
	 */
	const char *(*refusal)(void);
	/*
	 * May be NULL. When the backend runs only because the user overrode
	 * what the host says (TLSSIM_HOST_FSGSBASE=yes), why; else NULL.
	 */
	const char *(*granted)(void);
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

/* Every backend, on every host (see carried). */
extern const struct arch_ops arch_mock_ops;
extern const struct arch_ops arch_x86_64_prctl_ops;
extern const struct arch_ops arch_x86_64_wrgsbase_ops;
extern const struct arch_ops arch_i386_ops;
extern const struct arch_ops arch_aarch64_ops;

/*
 * The context switch's helpers for the arch files, each of which lays out
 * its host's first frame in context_init (context.c).
 */
uintptr_t context_stack_top(void *stack, size_t size);
void context_new_fiber(struct context *ctx);
/* In context_<host>.S: calls entry(arg) from the callee-saved registers. */
extern char context_trampoline[];

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
