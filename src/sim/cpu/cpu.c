/*
 * cpu.c - the simulated CPU: picks a register backend, and is the one road
 * from the kernel (cpu_load_tls) and from user code (cpu_user_read/write)
 * to the TLS register. The backends live in arch_*.c, faults in fault.c,
 * the context switch in context_*.S.
 */
#include <config.h>

#include "arch.h"
#include "cpu.h"
#include "annotate.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

static const char *const backend_names[ARCH_BACKEND_COUNT] = {
	[ARCH_AUTO] = "auto",
	[ARCH_MOCK] = "mock",
	[ARCH_X86_64_PRCTL] = "x86_64-prctl",
	[ARCH_X86_64_WRGSBASE] = "x86_64-wrgsbase",
	[ARCH_I386_GDT] = "i386",
	[ARCH_AARCH64] = "aarch64",
};

/* The backends this build carries; NULL where the host cannot have one. */
static const struct arch_ops *const backend_ops[ARCH_BACKEND_COUNT] = {
	[ARCH_MOCK] = &arch_mock_ops,
#if defined(__x86_64__)
	[ARCH_X86_64_PRCTL] = &arch_x86_64_prctl_ops,
	[ARCH_X86_64_WRGSBASE] = &arch_x86_64_wrgsbase_ops,
#elif defined(__i386__)
	[ARCH_I386_GDT] = &arch_i386_ops,
#elif defined(__aarch64__)
	[ARCH_AARCH64] = &arch_aarch64_ops,
#endif
};

/*
 * Backend for a --arch name; "x86_64" is the best x86_64 backend of the
 * host (prctl when wrgsbase is missing or on a non-x86_64 build). Returns
 * ARCH_BACKEND_COUNT for an unknown name.
 */
enum arch_backend arch_backend_from_name(const char *name)
{
	if (!name)
		return ARCH_BACKEND_COUNT;
	if (strcmp(name, "x86_64") == 0) {
		if (arch_backend_available(ARCH_X86_64_WRGSBASE))
			return ARCH_X86_64_WRGSBASE;
		return ARCH_X86_64_PRCTL;
	}
	for (int b = 0; b < ARCH_BACKEND_COUNT; b++)
		if (strcmp(name, backend_names[b]) == 0)
			return (enum arch_backend)b;
	return ARCH_BACKEND_COUNT;
}

/* Short name of a backend; "unknown" for a value out of range. */
const char *arch_backend_name(enum arch_backend b)
{
	if ((unsigned)b >= ARCH_BACKEND_COUNT)
		return "unknown";
	return backend_names[b];
}

bool arch_backend_in_build(enum arch_backend b)
{
	return (unsigned)b < ARCH_BACKEND_COUNT &&
	       (b == ARCH_AUTO || backend_ops[b] != NULL);
}

/* Whether b runs here: carried by this build and supported by the CPU. */
bool arch_backend_available(enum arch_backend b)
{
	if (b == ARCH_AUTO)
		return true;
	if ((unsigned)b >= ARCH_BACKEND_COUNT || !backend_ops[b])
		return false;
	return backend_ops[b]->available();
}

/*
 * ARCH_AUTO resolved: x86_64 -> wrgsbase if the kernel enabled FSGSBASE,
 * else prctl; i386 -> i386; aarch64 -> aarch64; any other host -> mock.
 * Any other value is returned as it is.
 */
enum arch_backend arch_backend_resolve(enum arch_backend b)
{
	static const enum arch_backend prefs[] = {
		ARCH_X86_64_WRGSBASE, ARCH_X86_64_PRCTL, ARCH_I386_GDT,
		ARCH_AARCH64,
	};

	if (b != ARCH_AUTO)
		return b;
	for (size_t i = 0; i < sizeof(prefs) / sizeof(prefs[0]); i++)
		if (arch_backend_available(prefs[i]))
			return prefs[i];
	return ARCH_MOCK;
}

/*
 * Bring up cpu with backend. Returns 0; -EINVAL for a bad backend value;
 * -ENOTSUP when it does not run here; or the backend's negative errno.
 * On failure cpu is left zeroed (not initialised).
 */
int cpu_init(struct cpu *cpu, enum arch_backend backend, bool no_tls_restore)
{
	int err;

	memset(cpu, 0, sizeof(*cpu));
	backend = arch_backend_resolve(backend);
	if ((unsigned)backend >= ARCH_BACKEND_COUNT)
		return -EINVAL;
	if (!arch_backend_available(backend))
		return -ENOTSUP;
	cpu->ops = backend_ops[backend];
	cpu->backend = backend;
	cpu->no_tls_restore = no_tls_restore;
	err = cpu->ops->init(cpu);
	if (err) {
		memset(cpu, 0, sizeof(*cpu));
		return err;
	}
	return 0;
}

/* Give the host register back and stop guarding faults for cpu. */
void cpu_fini(struct cpu *cpu)
{
	if (!cpu->ops)
		return;
	cpu_fault_guard_remove(cpu);
	cpu->ops->fini(cpu);
	cpu->ops = NULL;
}

/*
 * The kernel side of a switch. cpu->tls always records the request (the
 * kernel's intent); with no_tls_restore only the first request on this CPU
 * reaches the register, later ones leave the stale value in place.
 */
void cpu_load_tls(struct cpu *cpu, uintptr_t tls)
{
	cpu->tls = tls;
	if (cpu->no_tls_restore && cpu->loaded_once)
		return;
	cpu->ops->load(cpu, tls);
	cpu->loaded = tls;
	cpu->loaded_once = true;
	cpu->reach_bounded = false;
}

/* cpu_load_tls, and the land the register then points into. */
void cpu_load_tls_in(struct cpu *cpu, uintptr_t tls, uintptr_t lo,
		     uintptr_t hi)
{
	cpu_load_tls(cpu, tls);
	if (cpu->loaded != tls)
		return;		/* no_tls_restore kept the old value */
	cpu->reach_lo = lo;
	cpu->reach_hi = hi;
	cpu->reach_bounded = true;
}

void cpu_arch_info(const struct cpu *cpu, struct cpu_arch_info *out)
{
	*out = (struct cpu_arch_info){ .gdt_entry = -1 };
	if (cpu->ops && cpu->ops->info)
		cpu->ops->info(cpu, out);
}

/* The register as the hardware (or the mock) holds it. */
uintptr_t cpu_read_tls_register(struct cpu *cpu)
{
	return cpu->ops->readback(cpu);
}

/* Mark the user access [off, off+len) (a store or a load) as under way. */
static inline void user_enter(struct cpu *cpu, size_t off, size_t len,
			      bool store)
{
	cpu->user_off = off;
	cpu->user_len = len;
	cpu->user_store = store;
	cpu->fault_outside = false;
	VALGRIND_DISABLE_ERROR_REPORTING;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	cpu->in_user = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/* The user access is over (a fault leaves through fault_env instead). */
static inline void user_leave(struct cpu *cpu)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	cpu->in_user = 0;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	VALGRIND_ENABLE_ERROR_REPORTING;
}

/*
 * The fault is raised as a real SIGSEGV of user code, so that it takes the
 * very road of a host fault (the handler on its alternate stack, then
 * siglongjmp): sanitizers and valgrind see one kind of jump, and nothing
 * is jumped from a simulated thread's own stack. The handler keeps the
 * address recorded here.
 */
void cpu_user_fault_outside(struct cpu *cpu, uintptr_t addr, size_t len,
			    bool store)
{
	user_enter(cpu, cpu->user_off, len, store);
	cpu->fault_addr = addr;
	cpu->fault_outside = true;
	raise(SIGSEGV);
	/*
	 * Back here only without a catch site (user code always runs under
	 * one): the access is skipped. Not abort(), which would make the
	 * function noreturn for the compiler (see cpu.h).
	 */
	cpu->in_user = 0;
}

/*
 * Check an access of len bytes at register + off against the land the
 * register points into, before the host sees it. Returns true when it
 * stays inside; faults (does not return) when it leaves the land. Past a
 * segment limit the hardware faults first, so only the bytes below the
 * limit are checked. Unbounded (a CPU driven without a kernel, in tests):
 * nothing to check.
 */
static bool reach_check(struct cpu *cpu, size_t off, size_t len, bool store)
{
	uintptr_t base = cpu->loaded, room, bad;
	size_t limit = cpu->ops->seg_limit;

	if (!cpu->reach_bounded || len == 0)
		return true;
	if (limit) {
		if (off >= limit)
			return true;
		if (len > limit - off)
			len = limit - off;
	}
	room = base >= cpu->reach_lo && base < cpu->reach_hi ?
	       cpu->reach_hi - base : 0;
	if (off < room && len <= room - off)
		return true;
	bad = off < room ? cpu->reach_hi : base + off;
	cpu->user_off = off;
	cpu_user_fault_outside(cpu, bad, len, store);
	return false;
}

/* Copy len bytes at register + off into buf, as user code. */
void cpu_user_read(struct cpu *cpu, size_t off, void *buf, size_t len)
{
	if (!reach_check(cpu, off, len, false))
		return;
	user_enter(cpu, off, len, false);
	cpu->ops->user_read(cpu, off, buf, len);
	user_leave(cpu);
}

/* Copy len bytes of buf to register + off, as user code. */
void cpu_user_write(struct cpu *cpu, size_t off, const void *buf, size_t len)
{
	if (!reach_check(cpu, off, len, true))
		return;
	user_enter(cpu, off, len, true);
	cpu->ops->user_write(cpu, off, buf, len);
	user_leave(cpu);
}

/* Load (store false) or store len bytes at a flat address, as user code. */
void cpu_user_flat(struct cpu *cpu, uintptr_t addr, void *buf, size_t len,
		   bool store)
{
	user_enter(cpu, 0, len, store);
	if (store)
		arch_mock_copy_out(addr, 0, buf, len);
	else
		arch_mock_copy_in(addr, 0, buf, len);
	user_leave(cpu);
}

/* ptr_self as user code sees it: the pointer at register + 0. */
uintptr_t cpu_user_self(struct cpu *cpu)
{
	uintptr_t self = 0;

	cpu_user_read(cpu, 0, &self, sizeof(self));
	return self;
}

#if !defined(__aarch64__)
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
