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
#include <stdio.h>
#include <string.h>

#if !defined(__x86_64__) && !defined(__i386__) && !defined(__aarch64__)
#error "no context switch for this host: add an arch_<host>.c and context_<host>.S"
#endif

/*
 * The one table of register backends: every backend, on every host; each
 * says whether this build carries it (arch.h). Adding a backend is a file
 * arch_NAME.c, a value of enum arch_backend and a row here.
 */
static const struct arch_ops *const backends[ARCH_BACKEND_COUNT] = {
	[ARCH_MOCK] = &arch_mock_ops,
	[ARCH_X86_64_PRCTL] = &arch_x86_64_prctl_ops,
	[ARCH_X86_64_WRGSBASE] = &arch_x86_64_wrgsbase_ops,
	[ARCH_I386_GDT] = &arch_i386_ops,
	[ARCH_AARCH64] = &arch_aarch64_ops,
};

/* The row of b, NULL for ARCH_AUTO or a value out of range. */
static const struct arch_ops *backend_row(enum arch_backend b)
{
	if (b == ARCH_AUTO || (unsigned)b >= ARCH_BACKEND_COUNT)
		return NULL;
	return backends[b];
}

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
	if (strcmp(name, "auto") == 0)
		return ARCH_AUTO;
	for (int b = ARCH_MOCK; b < ARCH_BACKEND_COUNT; b++)
		if (strcmp(name, backends[b]->name) == 0)
			return (enum arch_backend)b;
	return ARCH_BACKEND_COUNT;
}

/* Short name of a backend; "unknown" for a value out of range. */
const char *arch_backend_name(enum arch_backend b)
{
	if (b == ARCH_AUTO)
		return "auto";
	return backend_row(b) ? backend_row(b)->name : "unknown";
}

bool arch_backend_in_build(enum arch_backend b)
{
	return b == ARCH_AUTO || (backend_row(b) && backend_row(b)->carried);
}

/* Whether b runs here: carried by this build and supported by the CPU. */
bool arch_backend_available(enum arch_backend b)
{
	return arch_backend_in_build(b) && !arch_backend_refusal(b);
}

/*
 * Why this host refuses b, a backend of this build; NULL when it runs b
 * (always for ARCH_AUTO) or when the build does not carry b at all.
 */
const char *arch_backend_refusal(enum arch_backend b)
{
	if (b == ARCH_AUTO || !arch_backend_in_build(b))
		return NULL;
	return backends[b]->refusal();
}

const char *arch_backend_granted(enum arch_backend b)
{
	if (!arch_backend_available(b) || b == ARCH_AUTO ||
	    !backends[b]->granted)
		return NULL;
	return backends[b]->granted();
}

/*
 * The backend of this build's own architecture that runs on every host of
 * it (x86_64-prctl, i386, aarch64); ARCH_MOCK on any other build.
 */
enum arch_backend arch_backend_baseline(void)
{
	for (int b = ARCH_MOCK; b < ARCH_BACKEND_COUNT; b++)
		if (backends[b]->carried && backends[b]->baseline)
			return (enum arch_backend)b;
	return ARCH_MOCK;
}

/* One line on what backend b is; "" for ARCH_AUTO or out of range. */
const char *arch_backend_summary(enum arch_backend b)
{
	return backend_row(b) ? backend_row(b)->summary : "";
}

/*
 * The fault past cpu's segment limit, as reports tell it ("segment-limit
 * fault ..."), or NULL when its backend has no limit.
 */
const char *cpu_limit_fault(const struct cpu *cpu)
{
	return cpu->ops ? cpu->ops->limit_fault : NULL;
}

/*
 * Why b cannot be had, as a sentence into buf ("the host refuses
 * --arch=B: REASON", or "--arch=B is not in this build (it has ...)").
 * Returns true when the host refuses it (exit 4), false when the build
 * lacks it (a usage error, exit 2).
 */
bool arch_backend_why_not(enum arch_backend b, char *buf, size_t size)
{
	const char *why = arch_backend_refusal(b);
	char list[128];

	if (why) {
		snprintf(buf, size, "the host refuses --arch=%s: %s",
			 arch_backend_name(b), why);
		return true;
	}
	snprintf(buf, size, "--arch=%s is not in this build (it has %s)",
		 arch_backend_name(b), arch_backend_build_list(list, sizeof(list)));
	return false;
}

/*
 * Whether the first "flags" line of /proc/cpuinfo lists flag. *known (if
 * not NULL) says whether there was such a line: none on aarch64, none
 * when the file cannot be read.
 */
bool host_cpu_flag(const char *flag, bool *known)
{
	char line[8192], *save;
	bool found = false, seen = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && !seen && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5) != 0)
			continue;
		seen = true;
		for (char *w = strtok_r(line, " \t\n", &save); w && !found;
		     w = strtok_r(NULL, " \t\n", &save))
			found = strcmp(w, flag) == 0;
	}
	if (f)
		fclose(f);
	if (known)
		*known = seen;
	return found;
}

/* The backends of this build, "mock, x86_64-prctl, ...", into buf. */
const char *arch_backend_build_list(char *buf, size_t size)
{
	size_t n = 0;

	if (!size)
		return buf;
	buf[0] = '\0';
	for (int b = ARCH_MOCK; b < ARCH_BACKEND_COUNT; b++) {
		if (!backends[b]->carried)
			continue;
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s",
				      n ? ", " : "", backends[b]->name);
	}
	return buf;
}

/*
 * ARCH_AUTO resolved: x86_64 -> wrgsbase if the kernel enabled FSGSBASE,
 * else prctl; i386 -> i386; aarch64 -> aarch64; any other host -> mock.
 * Any other value is returned as it is.
 */
enum arch_backend arch_backend_resolve(enum arch_backend b)
{
	enum arch_backend best = ARCH_MOCK;

	if (b != ARCH_AUTO)
		return b;
	for (int i = ARCH_MOCK; i < ARCH_BACKEND_COUNT; i++)
		if (backends[i]->auto_rank > backends[best]->auto_rank &&
		    arch_backend_available((enum arch_backend)i))
			best = (enum arch_backend)i;
	return best;
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
	cpu->ops = backends[backend];
	cpu->backend = backend;
	cpu->no_tls_restore = no_tls_restore;
	err = cpu->ops->init(cpu);
	if (err) {
		memset(cpu, 0, sizeof(*cpu));
		return err;
	}
	/* only cpu_load_tls changes it from now on (cpu_tls_register) */
	cpu->loaded = cpu->ops->readback(cpu);
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
	/* another host thread may sum them (kernel_register_readbacks) */
	__atomic_fetch_add(&cpu->readbacks, 1, __ATOMIC_RELAXED);
	return cpu->ops->readback(cpu);
}

uintptr_t cpu_tls_register(const struct cpu *cpu)
{
	return cpu->loaded;
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
