/*
 * cpu.h - the simulated CPU: the TLS register path (one backend per
 * architecture), the hand-written context switch, and user faults.
 *
 * Kernel side: cpu_load_tls() is what a context switch does with the next
 * thread's TLS address. User side: cpu_user_read()/cpu_user_write() are the
 * only way simulated user code reaches its TLS: through %gs (x86_64), %fs
 * (i386) or the tpidrro_el0 mock (aarch64, mock).
 */
#ifndef TLSSIM_CPU_H
#define TLSSIM_CPU_H

#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Register backends. */
enum arch_backend {
	ARCH_AUTO = 0,		/* the best backend the host runs */
	ARCH_MOCK,		/* a plain variable; any host */
	ARCH_X86_64_PRCTL,	/* GS base via arch_prctl(ARCH_SET_GS) */
	ARCH_X86_64_WRGSBASE,	/* GS base via wrgsbase (needs FSGSBASE) */
	ARCH_I386_GDT,		/* set_thread_area descriptor in %fs */
	ARCH_AARCH64,		/* tpidrro_el0 mock + tpidr_el0 proof */
	ARCH_BACKEND_COUNT
};

/*
 * Backend for a --arch name: "auto", "mock", "x86_64" (wrgsbase when the
 * host has it, else arch_prctl), "x86_64-prctl", "x86_64-wrgsbase", "i386",
 * "aarch64". Returns ARCH_BACKEND_COUNT for an unknown name.
 */
enum arch_backend arch_backend_from_name(const char *name);
/* Short name of a backend ("x86_64-wrgsbase"). */
const char *arch_backend_name(enum arch_backend b);
/* Whether the backend can run on this host, in this build. */
bool arch_backend_available(enum arch_backend b);
/* Whether this build carries the backend (it may still not run here). */
bool arch_backend_in_build(enum arch_backend b);
/*
 * Why the host refuses a backend this build carries ("this CPU has no
 * fsgsbase (...)"); NULL when it runs it, or when the build lacks it.
 */
const char *arch_backend_refusal(enum arch_backend b);
/*
 * Why b cannot be had, a sentence into buf. Returns true when the host
 * refuses it (exit 4), false when this build lacks it (exit 2).
 */
bool arch_backend_why_not(enum arch_backend b, char *buf, size_t size);
/*
 * Why the host runs b although it does not say it can (an override the
 * user set, as "TLSSIM_HOST_FSGSBASE=yes: ..."); NULL when it says so
 * itself, or when b does not run here.
 */
const char *arch_backend_granted(enum arch_backend b);
/*
 * Whether /proc/cpuinfo lists flag among the CPU's flags ("fsgsbase",
 * "hypervisor"). *known, when not NULL, says whether it lists flags at all.
 */
bool host_cpu_flag(const char *flag, bool *known);
/* The backend of this build's architecture that runs on all its hosts. */
enum arch_backend arch_backend_baseline(void);
/* One line on what a backend is (for --help). */
const char *arch_backend_summary(enum arch_backend b);
/* This build's backends as "mock, x86_64-prctl, ..." in buf; returns buf. */
const char *arch_backend_build_list(char *buf, size_t size);
/* ARCH_AUTO resolved: the preferred available backend of this host. */
enum arch_backend arch_backend_resolve(enum arch_backend b);

struct arch_ops;

/* One simulated CPU; lives on one host thread. */
struct cpu {
	const struct arch_ops *ops;
	enum arch_backend backend;
	/* Lab fault: switches stop loading the register after the first. */
	bool no_tls_restore;
	bool loaded_once;
	/*
	 * The kernel's idea of the register: the tls of the last
	 * cpu_load_tls, even when no_tls_restore kept it out of the
	 * hardware (then cpu_read_tls_register tells the truth).
	 */
	uintptr_t tls;
	/*
	 * The backend's private registers (the mock value, the i386 GDT
	 * entry, the host's saved GS base): only the backend's own file
	 * knows their layout (arch.h, arch_*.c).
	 */
	uint64_t arch_state[4] __attribute__((aligned(16)));
	/* Set while user code runs; a fault then is a simulated fault. */
	volatile sig_atomic_t in_user;
	sigjmp_buf *fault_env;	/* where a simulated fault lands */
	uintptr_t fault_addr;	/* si_addr of the last simulated fault */
	int fault_signo;
	/* Additions (contract: set by cpu_user_read/write, read after a fault). */
	size_t user_off;	/* offset and length of the user access */
	size_t user_len;	/* under way, or of the one that faulted */
	bool user_store;	/* ... and whether it stores */
	int fault_code;		/* si_code of the last simulated fault */
	/*
	 * The faulting access reached past the register's segment limit
	 * (i386: user_off + user_len > 0x200). Such a fault is a #GP, whose
	 * si_addr is 0, not the address.
	 */
	bool fault_beyond_limit;
	/*
	 * The user land the register's value lies in, [reach_lo, reach_hi),
	 * recorded by cpu_load_tls_in when it loads the register (not when
	 * no_tls_restore keeps the old value): while reach_bounded, every
	 * access through the register must stay inside it, or it is a
	 * simulated fault before any host access (cpu_user_fault_outside).
	 */
	bool reach_bounded;
	uintptr_t reach_lo, reach_hi;
	uintptr_t loaded;	/* the value the register holds (cpu_init on) */
	/* cpu_read_tls_register calls: host calls, without fsgsbase */
	uint64_t readbacks;
	/* The last fault was an access outside every user land. */
	bool fault_outside;
};

/*
 * Bring up a CPU with a backend (ARCH_AUTO resolves). Returns 0, or -ENOTSUP
 * when the backend does not run here, or another negative errno when the
 * host refuses (e.g. no free GDT TLS entry). Every field is cleared first:
 * set fault_env after cpu_init. i386: each CPU holds one of the host
 * thread's GDT TLS entries (two are free beside glibc's) until cpu_fini.
 */
int cpu_init(struct cpu *cpu, enum arch_backend backend, bool no_tls_restore);
/* Put the host's register back as it was before cpu_init. */
void cpu_fini(struct cpu *cpu);

/*
 * Kernel side of a context switch: make the register point at tls. With
 * no_tls_restore only the first call on this CPU loads it.
 */
void cpu_load_tls(struct cpu *cpu, uintptr_t tls);
/*
 * cpu_load_tls for a tls that lies in the user land [lo, hi): when the
 * register is loaded, accesses through it are bounded by that land from
 * then on (a tls in no land: lo == hi, every access faults).
 */
void cpu_load_tls_in(struct cpu *cpu, uintptr_t tls, uintptr_t lo,
		     uintptr_t hi);
/* Read the hardware register back (rdgsbase, ARCH_GET_GS, the GDT base). */
uintptr_t cpu_read_tls_register(struct cpu *cpu);
/*
 * The register's value without asking the hardware: cpu_init reads it
 * back once, and from then on only cpu_load_tls writes it and records
 * what it wrote. Without fsgsbase a readback is a host call
 * (ARCH_GET_GS), and the kernel asks on every kill.
 */
uintptr_t cpu_tls_register(const struct cpu *cpu);
/* The fault past cpu's segment limit as reports tell it; NULL: no limit. */
const char *cpu_limit_fault(const struct cpu *cpu);

/* What a backend holds of the host, for tests and diagnostics. */
struct cpu_arch_info {
	int gdt_entry;		/* i386: the GDT TLS entry in use, else -1 */
	uint16_t selector;	/* i386: the %fs selector it loads, else 0 */
	uintptr_t saved_host;	/* x86_64: the host GS base put back at fini */
};

/* Fill *out from cpu's backend (nothing held: -1, 0, 0). */
void cpu_arch_info(const struct cpu *cpu, struct cpu_arch_info *out);

/*
 * User side: copy len bytes between buf and register base + off. These are
 * real loads/stores through the segment/register; a fault lands at
 * cpu->fault_env (see cpu_fault_guard).
 */
void cpu_user_read(struct cpu *cpu, size_t off, void *buf, size_t len);
void cpu_user_write(struct cpu *cpu, size_t off, const void *buf, size_t len);
/*
 * User side, outside the register path: len bytes loaded from (store
 * false) or stored to a flat address. A fault lands like any user fault.
 */
void cpu_user_flat(struct cpu *cpu, uintptr_t addr, void *buf, size_t len,
		   bool store);
/*
 * A user access of len bytes at addr (a store or a load) that leaves
 * every user land: recorded as a simulated fault at the first address
 * outside (fault_outside set) and taken to cpu->fault_env, before any host
 * access. Does not return, unless no catch site is set (then the access
 * is to be skipped); it is not noreturn on purpose: AddressSanitizer
 * would check the simulated thread's stack before the call and warn.
 */
void cpu_user_fault_outside(struct cpu *cpu, uintptr_t addr, size_t len,
			    bool store);
/* ptr_self read through the register (one pointer-sized load at 0). */
uintptr_t cpu_user_self(struct cpu *cpu);

/*
 * aarch64 only: the real-register proof. In one asm block, install tls in
 * tpidr_el0, load ptr_self through it, restore the C library's value.
 * Returns the loaded value; 0 on other builds.
 */
uintptr_t cpu_aarch64_tpidr_proof(uintptr_t tls);
/*
 * Addition: the real tpidrro_el0 as EL0 reads it with mrs (0 for a native
 * 64-bit Linux task and under qemu-aarch64; the simulator never writes it).
 * Returns 0 on other builds.
 */
uintptr_t cpu_aarch64_tpidrro_el0(void);

/*
 * Install the SIGSEGV/SIGBUS handler (on an alternate stack) that turns a
 * fault taken while cpu->in_user is set into siglongjmp(*cpu->fault_env, 1).
 * A fault anywhere else is a real simulator bug: it is re-raised. Returns 0
 * or a negative errno.
 */
int cpu_fault_guard_install(struct cpu *cpu);
/*
 * Addition: forget cpu as this host thread's guarded CPU (cpu_fini does it
 * too). The handler stays installed; faults then are real crashes.
 */
void cpu_fault_guard_remove(struct cpu *cpu);

/*
 * A host thread that drove a CPU is about to end: drop its alternate
 * signal stack (the guard must be removed first).
 */
void cpu_fault_guard_release(void);

/* A saved stack pointer of a simulated execution context. */
struct context {
	void *sp;		/* first: the assembly reads it at offset 0 */
#ifdef __SANITIZE_THREAD__
	/* ThreadSanitizer's view of the stack this context runs on. */
	void *fiber;
#endif
};

/*
 * Prepare a context that starts entry(arg) on the stack [stack, stack+size).
 * entry must never return. The first switch to ctx enters entry with the
 * ABI's stack alignment (16 bytes at the call on all three hosts).
 * Only integer/pointer callee-saved registers (and d8-d15 on aarch64) are
 * switched; the FPU control words (mxcsr, x87 cw, fpcr) are shared.
 */
void context_init(struct context *ctx, void *stack, size_t size,
		  void (*entry)(void *), void *arg);
/* In context_<host>.S: save callee-saved registers in from, resume to. */
void context_switch_raw(struct context *from, struct context *to);

#ifdef __SANITIZE_THREAD__
#include <sanitizer/tsan_interface.h>
#endif

/*
 * Save callee-saved registers in from, resume to; returns when resumed.
 * Under ThreadSanitizer, tells it first which fiber (stack) runs next: a
 * simulated thread may resume on another host thread.
 */
static inline void context_switch(struct context *from, struct context *to)
{
#ifdef __SANITIZE_THREAD__
	if (!from->fiber)
		from->fiber = __tsan_get_current_fiber();
	__tsan_switch_to_fiber(to->fiber, 0);
#endif
	context_switch_raw(from, to);
}

#endif
