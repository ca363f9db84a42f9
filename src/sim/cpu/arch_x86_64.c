/*
 * arch_x86_64.c - the x86_64 register path: the GS base. The kernel side
 * sets it with arch_prctl(ARCH_SET_GS) or, when the kernel enabled
 * FSGSBASE, with the wrgsbase instruction; user code reaches its TLS with
 * %gs: loads and stores. glibc keeps its own TLS in FS, so GS is free; the
 * host's GS base is saved at init and put back at fini.
 */
#include <config.h>

#include "arch.h"
#include "hostkey.h"

/* What the two x86_64 backends say of themselves, on every host. */
#define PRCTL_ABOUT							\
	.backend = ARCH_X86_64_PRCTL, .name = "x86_64-prctl",		\
	.summary = "GS base set by arch_prctl(ARCH_SET_GS), a system call", \
	.native = true, .baseline = true, .auto_rank = 1
#define WRGSBASE_ABOUT							\
	.backend = ARCH_X86_64_WRGSBASE, .name = "x86_64-wrgsbase",	\
	.summary = "GS base set by the wrgsbase instruction (needs fsgsbase)", \
	.native = true, .auto_rank = 2

#if defined(__x86_64__)
#include <asm/prctl.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE (1UL << 1)
#endif

/* The backend's private registers, in cpu->arch_state. */
struct __attribute__((may_alias)) x86_64_state {
	uintptr_t saved_gs;	/* the host GS base before init */
};
ARCH_STATE_FITS(struct x86_64_state);

/* What the backend holds of the host. */
static void x86_64_info(const struct cpu *cpu, struct cpu_arch_info *out)
{
	out->saved_host = ((const struct x86_64_state *)(const void *)
			   cpu->arch_state)->saved_gs;
}

static int prctl_get_gs(uintptr_t *base)
{
	unsigned long v = 0;

	if (syscall(SYS_arch_prctl, ARCH_GET_GS, &v) != 0)
		return -errno;
	*base = v;
	return 0;
}

/* GS base := base via arch_prctl; returns 0 or a negative errno. */
static int prctl_set_gs(uintptr_t base)
{
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)base) != 0)
		return -errno;
	return 0;
}

/* GS base via rdgsbase (FSGSBASE must be on). */
static inline uintptr_t rdgsbase(void)
{
	uintptr_t v;

	asm volatile("rdgsbase %0" : "=r"(v) : : "memory");
	return v;
}

/* GS base := base via wrgsbase (FSGSBASE must be on). */
static inline void wrgsbase(uintptr_t base)
{
	asm volatile("wrgsbase %0" : : "r"(base) : "memory");
}

/* arch_prctl is there on every x86_64 Linux: never refused. */
static const char *prctl_refusal(void)
{
	return NULL;
}

/* Where the probe's SIGILL handler goes back to. */
static sigjmp_buf probe_env;

static void probe_sigill(int sig)
{
	(void)sig;
	hostkey_restore();	/* a handler runs with the default PKRU */
	siglongjmp(probe_env, 1);
}

/* Whether rdgsbase ran here (the probe's answer, once). */
static bool rdgsbase_ran;

/* Run rdgsbase once, a SIGILL handler catching a CPU that refuses it. */
static void probe_rdgsbase(void)
{
	struct sigaction sa = { .sa_handler = probe_sigill }, old;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGILL, &sa, &old) != 0)
		return;
	if (sigsetjmp(probe_env, 1) == 0) {
		(void)rdgsbase();
		rdgsbase_ran = true;
	}
	sigaction(SIGILL, &old, NULL);
}

/*
 * Whether the fsgsbase instructions run on this CPU, tried rather than
 * read: for TLSSIM_HOST_FSGSBASE=yes, which stands for an emulator that
 * runs them without saying so in AT_HWCAP2 (qemu-x86_64 -cpu max). A CPU
 * that refuses them is found out by the probe, not crashed by a load.
 */
static bool fsgsbase_runs(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, probe_rdgsbase);
	return rdgsbase_ran;
}

/* What TLSSIM_HOST_FSGSBASE says: 'n' (no), 'y' (yes), or 0 (nothing). */
static char fsgsbase_override(void)
{
	const char *force = getenv("TLSSIM_HOST_FSGSBASE");

	if (force && strcmp(force, "no") == 0)
		return 'n';
	if (force && strcmp(force, "yes") == 0)
		return 'y';
	return 0;
}

/* Whether the kernel says it enabled fsgsbase (bit 1 of AT_HWCAP2). */
static bool kernel_enabled_fsgsbase(void)
{
	return (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE) != 0;
}

/*
 * wrgsbase runs only when the kernel set CR4.FSGSBASE and says so in
 * AT_HWCAP2. TLSSIM_HOST_FSGSBASE=no makes tlssim see a host without it
 * (the tests of that path run on every machine); =yes trusts the
 * instructions when they run, AT_HWCAP2 aside (the tests of the wrgsbase
 * path under an emulator, scripts/check-cross). Returns NULL or why not.
 */
static const char *wrgsbase_refusal(void)
{
	char force = fsgsbase_override();

	if (force == 'n')
		return "this CPU has no fsgsbase (TLSSIM_HOST_FSGSBASE=no says so)";
	if (kernel_enabled_fsgsbase())
		return NULL;
	if (force == 'y')
		return fsgsbase_runs() ? NULL :
		       "rdgsbase raised SIGILL here (TLSSIM_HOST_FSGSBASE=yes "
		       "asked for it)";
	if (host_cpu_flag("fsgsbase", NULL))
		return "the kernel did not enable fsgsbase (the CPU has it; "
		       "Linux enables it from 5.9 on, and says so in AT_HWCAP2)";
	return "this CPU has no fsgsbase (see the flags in /proc/cpuinfo)";
}

/* Why wrgsbase runs although AT_HWCAP2 does not say so, or NULL. */
static const char *wrgsbase_granted(void)
{
	if (kernel_enabled_fsgsbase() || fsgsbase_override() != 'y')
		return NULL;
	return "TLSSIM_HOST_FSGSBASE=yes: the instruction runs, AT_HWCAP2 "
	       "does not list fsgsbase";
}

/* Save the host GS base. Returns 0 or arch_prctl's negative errno. */
static int prctl_init(struct cpu *cpu)
{
	return prctl_get_gs(&ARCH_STATE(cpu, struct x86_64_state)->saved_gs);
}

/* Put the host GS base back. */
static void prctl_fini(struct cpu *cpu)
{
	prctl_set_gs(ARCH_STATE(cpu, struct x86_64_state)->saved_gs);
}

/* Kernel side: GS base := tls with a syscall. */
static void prctl_load(struct cpu *cpu, uintptr_t tls)
{
	(void)cpu;
	prctl_set_gs(tls);
}

/* The GS base as the kernel reports it (ARCH_GET_GS); 0 if that fails. */
static uintptr_t prctl_readback(struct cpu *cpu)
{
	uintptr_t v = 0;

	(void)cpu;
	prctl_get_gs(&v);
	return v;
}

/* Save the host GS base. Returns 0. */
static int wrgsbase_init(struct cpu *cpu)
{
	ARCH_STATE(cpu, struct x86_64_state)->saved_gs = rdgsbase();
	return 0;
}

/* Put the host GS base back. */
static void wrgsbase_fini(struct cpu *cpu)
{
	wrgsbase(ARCH_STATE(cpu, struct x86_64_state)->saved_gs);
}

/* Kernel side: GS base := tls, one unprivileged instruction. */
static void wrgsbase_load(struct cpu *cpu, uintptr_t tls)
{
	(void)cpu;
	wrgsbase(tls);
}

/* The GS base (rdgsbase). */
static uintptr_t wrgsbase_readback(struct cpu *cpu)
{
	(void)cpu;
	return rdgsbase();
}

/*
 * User side: %gs:off loads into buf, 8 bytes at a time while off is 8-byte
 * aligned, bytes otherwise. A bad GS base + off faults at the load.
 */
static void gs_user_read(struct cpu *cpu, size_t off, void *buf, size_t len)
{
	uint8_t *dst = buf;

	(void)cpu;
	while (len > 0) {
		if (len >= 8 && off % 8 == 0) {
			uint64_t q;

			asm volatile("movq %%gs:(%1), %0"
				     : "=r"(q) : "r"(off) : "memory");
			memcpy(dst, &q, 8);
			off += 8, dst += 8, len -= 8;
		} else {
			uint8_t b;

			asm volatile("movb %%gs:(%1), %0"
				     : "=q"(b) : "r"(off) : "memory");
			*dst = b;
			off++, dst++, len--;
		}
	}
}

/* User side: %gs:off stores of buf, like gs_user_read. */
static void gs_user_write(struct cpu *cpu, size_t off, const void *buf,
			  size_t len)
{
	const uint8_t *src = buf;

	(void)cpu;
	while (len > 0) {
		if (len >= 8 && off % 8 == 0) {
			uint64_t q;

			memcpy(&q, src, 8);
			asm volatile("movq %0, %%gs:(%1)"
				     : : "r"(q), "r"(off) : "memory");
			off += 8, src += 8, len -= 8;
		} else {
			asm volatile("movb %0, %%gs:(%1)"
				     : : "q"(*src), "r"(off) : "memory");
			off++, src++, len--;
		}
	}
}

/*
 * Frame, low to high: r15 r14 r13 r12(entry) rbx rbp(0) ret(trampoline),
 * then a zero word; rsp after the ret is top - 16, 16-byte aligned.
 */
void context_init(struct context *ctx, void *stack, size_t size,
		  void (*entry)(void *), void *arg)
{
	uintptr_t *sp = (uintptr_t *)(context_stack_top(stack, size) - 16) - 7;

	memset(sp, 0, 9 * sizeof(*sp));
	sp[3] = (uintptr_t)entry;
	sp[2] = (uintptr_t)arg;		/* r13 */
	sp[6] = (uintptr_t)context_trampoline;
	ctx->sp = sp;
	context_new_fiber(ctx);
}

const struct arch_ops arch_x86_64_prctl_ops = {
	PRCTL_ABOUT,
	.carried = true,
	.info = x86_64_info,
	.refusal = prctl_refusal,
	.init = prctl_init,
	.fini = prctl_fini,
	.load = prctl_load,
	.readback = prctl_readback,
	.user_read = gs_user_read,
	.user_write = gs_user_write,
};

const struct arch_ops arch_x86_64_wrgsbase_ops = {
	WRGSBASE_ABOUT,
	.carried = true,
	.info = x86_64_info,
	.refusal = wrgsbase_refusal,
	.granted = wrgsbase_granted,
	.init = wrgsbase_init,
	.fini = wrgsbase_fini,
	.load = wrgsbase_load,
	.readback = wrgsbase_readback,
	.user_read = gs_user_read,
	.user_write = gs_user_write,
};
#else
const struct arch_ops arch_x86_64_prctl_ops = { PRCTL_ABOUT };
const struct arch_ops arch_x86_64_wrgsbase_ops = { WRGSBASE_ABOUT };
#endif
