/*
 * check_cpu.c - the simulated CPU: every register backend the host runs
 * (user reads and writes through the register, switching regions, the
 * no_tls_restore lab fault), the hand-written context switch, user faults,
 * and the per-architecture facts (i386 segment limit, aarch64 tpidr_el0
 * proof, x86_64 GS base restore).
 *
 * The switch benchmark itself is `tlssim bench switch`.
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <asm/prctl.h>
#include <sys/syscall.h>
#endif

#include "programs/bench_switch.h"
#include "cpu/cpu.h"
#include "probe_switch.h"
#include "testutil.h"
#include "backends.h"
#include "tls_manager.h"

#define NREGIONS	((int)TLS_PER_PAGE)
#define STACK_SIZE	(64 * 1024)

/* A page of 8 TLS regions, filled in by setup(). */
static uint8_t *page;

/* Region i of the page. */
static uintptr_t region(int i)
{
	return (uintptr_t)page + (size_t)i * TLS_SIZE;
}

/* What region i's ptr_thread_context holds. */
static uintptr_t context_value(int i)
{
	return (uintptr_t)0x5EED0000u + (uintptr_t)i;
}

/* What byte j of region i's IPC buffer holds. */
static uint8_t ipc_byte(int i, size_t j)
{
	return (uint8_t)(i * 31 + j * 7 + 1);
}

/* Map the page and write every region as the kernel and user would. */
static void setup(void)
{
	page = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(page, MAP_FAILED);
	for (int i = 0; i < NREGIONS; i++) {
		struct tls *t = (struct tls *)region(i);

		t->ptr_self = t;
		for (size_t j = 0; j < TLS_IPC_SIZE; j++)
			t->ipc_command_buffer[j] = ipc_byte(i, j);
		t->ptr_thread_context = (void *)context_value(i);
	}
}

static void teardown(void)
{
	munmap(page, PAGE_SIZE);
}

/* Whether backend b should run on this host and build. */
static bool expected_available(enum arch_backend b)
{
	switch (b) {
	case ARCH_AUTO:
	case ARCH_MOCK:
		return true;
#if defined(__x86_64__)
	case ARCH_X86_64_PRCTL:
		return true;
	case ARCH_X86_64_WRGSBASE:
		return (getauxval(AT_HWCAP2) & 2) != 0;
#elif defined(__i386__)
	case ARCH_I386_GDT:
		return true;
#elif defined(__aarch64__)
	case ARCH_AARCH64:
		return true;
#endif
	default:
		return false;
	}
}

/*
 * Bring up cpu on backend b if the host runs it. Returns false for a
 * backend this host does not run (loop tests never ask for one: they run
 * over BACKEND(i); the availability itself is test_availability's).
 */
static bool cpu_up(struct cpu *cpu, enum arch_backend b, bool no_restore)
{
	if (!arch_backend_available(b)) {
		ck_assert_int_eq(cpu_init(cpu, b, no_restore), -ENOTSUP);
		return false;
	}
	ck_assert_int_eq(cpu_init(cpu, b, no_restore), 0);
	ck_assert_int_eq(cpu->backend, b);
	return true;
}

/* Every backend is available exactly when this host and build run it. */
START_TEST(test_availability)
{
	for (int b = ARCH_MOCK; b < ARCH_BACKEND_COUNT; b++) {
		struct cpu cpu;
		bool avail = arch_backend_available((enum arch_backend)b);

		ck_assert_msg(avail == expected_available((enum arch_backend)b),
			      "%s: available=%d on this host",
			      arch_backend_name((enum arch_backend)b), avail);
		if (cpu_up(&cpu, (enum arch_backend)b, false))
			cpu_fini(&cpu);
	}
	ck_assert_msg(arch_backend_available(backend_native()),
		      "this build's own backend %s does not run",
		      arch_backend_name(backend_native()));
}
END_TEST


START_TEST(test_names)
{
	for (int b = 0; b < ARCH_BACKEND_COUNT; b++)
		ck_assert_int_eq(arch_backend_from_name(
			arch_backend_name((enum arch_backend)b)), b);
	ck_assert_int_eq(arch_backend_from_name("pdp11"), ARCH_BACKEND_COUNT);
	ck_assert_int_eq(arch_backend_from_name(NULL), ARCH_BACKEND_COUNT);
	ck_assert_str_eq(arch_backend_name(ARCH_BACKEND_COUNT), "unknown");
	ck_assert_int_eq(arch_backend_resolve(ARCH_MOCK), ARCH_MOCK);
#if defined(__x86_64__)
	enum arch_backend best = expected_available(ARCH_X86_64_WRGSBASE) ?
		ARCH_X86_64_WRGSBASE : ARCH_X86_64_PRCTL;

	ck_assert_int_eq(arch_backend_resolve(ARCH_AUTO), best);
	ck_assert_int_eq(arch_backend_from_name("x86_64"), best);
#elif defined(__i386__)
	ck_assert_int_eq(arch_backend_resolve(ARCH_AUTO), ARCH_I386_GDT);
#elif defined(__aarch64__)
	ck_assert_int_eq(arch_backend_resolve(ARCH_AUTO), ARCH_AARCH64);
#else
	ck_assert_int_eq(arch_backend_resolve(ARCH_AUTO), ARCH_MOCK);
#endif
}
END_TEST

START_TEST(test_auto_init)
{
	struct cpu cpu;

	ck_assert_int_eq(cpu_init(&cpu, ARCH_AUTO, false), 0);
	ck_assert_int_eq(cpu.backend, arch_backend_resolve(ARCH_AUTO));
	cpu_load_tls(&cpu, region(4));
	ck_assert_uint_eq(cpu_user_self(&cpu), region(4));
	cpu_fini(&cpu);
}
END_TEST

/* Loaded region 2: every field reads back through the register. */
START_TEST(test_read_fields)
{
	enum arch_backend b = BACKEND(_i);
	uint8_t ipc[TLS_IPC_SIZE];
	uintptr_t ctx = 0;
	struct cpu cpu;

	ck_assert(cpu_up(&cpu, b, false));
	cpu_load_tls(&cpu, region(2));
	ck_assert_uint_eq(cpu.tls, region(2));
	ck_assert_uint_eq(cpu_read_tls_register(&cpu), region(2));
	ck_assert_uint_eq(cpu_user_self(&cpu), region(2));
	cpu_user_read(&cpu, TLS_OFF_IPC, ipc, sizeof(ipc));
	for (size_t j = 0; j < sizeof(ipc); j++)
		ck_assert_uint_eq(ipc[j], ipc_byte(2, j));
	cpu_user_read(&cpu, TLS_OFF_CONTEXT, &ctx, sizeof(ctx));
	ck_assert_uint_eq(ctx, context_value(2));
	/* An unaligned, odd-length read. */
	memset(ipc, 0, sizeof(ipc));
	cpu_user_read(&cpu, TLS_OFF_IPC + 3, ipc, 13);
	for (size_t j = 0; j < 13; j++)
		ck_assert_uint_eq(ipc[j], ipc_byte(2, j + 3));
	ck_assert_uint_eq(ipc[13], 0);
	cpu_fini(&cpu);
}
END_TEST

/* Writes through the register land in the loaded region only. */
START_TEST(test_write)
{
	enum arch_backend b = BACKEND(_i);
	struct tls *t3 = (struct tls *)region(3);
	struct tls *t4 = (struct tls *)region(4);
	uint8_t before4[TLS_SIZE];
	const char msg[] = "hello, kernel";
	uintptr_t ctx = 0xFEEDFACEu;
	uint64_t q = 0x0123456789ABCDEFull;
	struct cpu cpu;

	ck_assert(cpu_up(&cpu, b, false));
	memcpy(before4, t4, TLS_SIZE);
	cpu_load_tls(&cpu, region(3));
	cpu_user_write(&cpu, TLS_OFF_IPC + 5, msg, sizeof(msg) - 1);
	ck_assert_mem_eq(t3->ipc_command_buffer + 5, msg, sizeof(msg) - 1);
	ck_assert_uint_eq(t3->ipc_command_buffer[4], ipc_byte(3, 4));
	ck_assert_uint_eq(t3->ipc_command_buffer[5 + sizeof(msg) - 1],
			  ipc_byte(3, 5 + sizeof(msg) - 1));
	cpu_user_write(&cpu, TLS_OFF_CONTEXT, &ctx, sizeof(ctx));
	ck_assert_ptr_eq(t3->ptr_thread_context, (void *)ctx);
	cpu_user_write(&cpu, TLS_OFF_IPC + 0x40, &q, sizeof(q));
	ck_assert_mem_eq(t3->ipc_command_buffer + 0x40, &q, sizeof(q));
	ck_assert_mem_eq(t4, before4, TLS_SIZE);
	cpu_fini(&cpu);
}
END_TEST

/* Loading another region changes what user code sees. */
START_TEST(test_switch_regions)
{
	enum arch_backend b = BACKEND(_i);
	struct cpu cpu;

	ck_assert(cpu_up(&cpu, b, false));
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < NREGIONS; i++) {
			uint8_t c;

			cpu_load_tls(&cpu, region(i));
			ck_assert_uint_eq(cpu_read_tls_register(&cpu),
					  region(i));
			ck_assert_uint_eq(cpu_user_self(&cpu), region(i));
			cpu_user_read(&cpu, TLS_OFF_IPC + 9, &c, 1);
			ck_assert_uint_eq(c, ipc_byte(i, 9));
		}
	}
	cpu_fini(&cpu);
}
END_TEST

/* The lab fault: the second load never reaches the register. */
START_TEST(test_no_tls_restore)
{
	enum arch_backend b = BACKEND(_i);
	struct cpu cpu;

	ck_assert(cpu_up(&cpu, b, true));
	cpu_load_tls(&cpu, region(0));
	ck_assert_uint_eq(cpu_user_self(&cpu), region(0));
	cpu_load_tls(&cpu, region(1));
	ck_assert_uint_eq(cpu.tls, region(1));	/* the kernel's intent */
	ck_assert_uint_eq(cpu_read_tls_register(&cpu), region(0));
	ck_assert_uint_eq(cpu_user_self(&cpu), region(0));
	cpu_fini(&cpu);

	/* Control: without the fault the same sequence shows region 1. */
	ck_assert(cpu_up(&cpu, b, false));
	cpu_load_tls(&cpu, region(0));
	cpu_load_tls(&cpu, region(1));
	ck_assert_uint_eq(cpu_user_self(&cpu), region(1));
	cpu_fini(&cpu);
}
END_TEST

/* Context ping-pong: three contexts chained, main schedules them. */
#define NCTX		3
#define NROUNDS		2000

struct pp {
	struct cpu *cpu;
	struct context main, ctx[NCTX];
	int count[NCTX];
	bool aligned[NCTX];
};

static struct pp pp;

/* Whether a 16-byte aligned local really is aligned (the ABI held). */
static __attribute__((noinline)) bool stack_aligned(void)
{
	volatile char buf[16] __attribute__((aligned(16)));
	uintptr_t p = (uintptr_t)buf;

	buf[0] = 1;
	/* Hide p from the optimiser, which knows buf's declared alignment. */
	asm volatile("" : "+r"(p));
	return (p & 15) == 0;
}

/* A seed for context k's registers (main is k = NCTX). */
static uintptr_t seed_of(int k)
{
	return (uintptr_t)0x10000u * (uintptr_t)(k + 1) + 0x100u;
}

/*
 * Context k: after each resume check its TLS, then load the next
 * context's TLS and go there through probe_switch (the last one returns to
 * main), checking its callee-saved registers came back.
 */
static void ctx_entry(void *arg)
{
	int k = (int)(intptr_t)arg;

	pp.aligned[k] = stack_aligned();
	for (;;) {
		uintptr_t bad;

		ck_assert_uint_eq(cpu_user_self(pp.cpu), region(k));
		ck_assert_uint_eq(pp.cpu->tls, region(k));
		pp.count[k]++;
		if (k + 1 < NCTX) {
			cpu_load_tls(pp.cpu, region(k + 1));
			bad = probe_switch(&pp.ctx[k], &pp.ctx[k + 1],
					   seed_of(k));
		} else {
			bad = probe_switch(&pp.ctx[k], &pp.main, seed_of(k));
		}
		ck_assert_msg(bad == 0, "context %d: callee-saved registers "
			      "lost (xor 0x%lx)", k, (unsigned long)bad);
	}
}

START_TEST(test_context_pingpong)
{
	enum arch_backend b = BACKEND(_i);
	void *stacks[NCTX];
	struct cpu cpu;
	uintptr_t m1 = 0xDEAD, m2 = 0xBEEF;
	double mx = 2.25;

	ck_assert(cpu_up(&cpu, b, false));
	memset(&pp, 0, sizeof(pp));
	pp.cpu = &cpu;
	for (int k = 0; k < NCTX; k++) {
		stacks[k] = malloc(STACK_SIZE);
		ck_assert_ptr_nonnull(stacks[k]);
		/* An odd stack end: context_init must align it. */
		context_init(&pp.ctx[k], stacks[k], STACK_SIZE - 4 - 8 * k,
			     ctx_entry, (void *)(intptr_t)k);
	}
	for (int r = 0; r < NROUNDS; r++) {
		cpu_load_tls(&cpu, region(0));
		ck_assert_uint_eq(probe_switch(&pp.main, &pp.ctx[0],
					       seed_of(NCTX)), 0);
		ck_assert_uint_eq(cpu_user_self(&cpu), region(NCTX - 1));
		ck_assert_uint_eq(m1, 0xDEAD + (uintptr_t)r);
		ck_assert_uint_eq(m2, 0xBEEF - (uintptr_t)r);
		ck_assert(mx == 2.25 + r);
		m1++, m2--, mx += 1.0;
	}
	for (int k = 0; k < NCTX; k++) {
		ck_assert_int_eq(pp.count[k], NROUNDS);
		ck_assert_msg(pp.aligned[k], "context %d misaligned stack", k);
		free(stacks[k]);
	}
	cpu_fini(&cpu);
}
END_TEST

/* A user access to an unmapped page lands at fault_env with SIGSEGV. */
START_TEST(test_fault_unmapped)
{
	enum arch_backend b = BACKEND(_i);
	volatile int faults = 0;
	sigjmp_buf env;
	struct cpu cpu;
	uint8_t *none;
	uint64_t v = 0;

	ck_assert(cpu_up(&cpu, b, false));
	none = mmap(NULL, PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ck_assert_ptr_ne(none, MAP_FAILED);
	ck_assert_int_eq(cpu_fault_guard_install(&cpu), 0);
	cpu.fault_env = &env;
	cpu_load_tls(&cpu, (uintptr_t)none);
	if (sigsetjmp(env, 0) == 0) {
		cpu_user_read(&cpu, TLS_OFF_IPC, &v, sizeof(v));
		ck_abort_msg("read of a PROT_NONE page did not fault");
	}
	faults++;
	ck_assert_int_eq(cpu.fault_signo, SIGSEGV);
	ck_assert_uint_eq(cpu.fault_addr, (uintptr_t)none + TLS_OFF_IPC);
	ck_assert_int_eq(cpu.in_user, 0);
	ck_assert(!cpu.fault_beyond_limit);
	ck_assert_uint_eq(cpu.user_off, TLS_OFF_IPC);

	/* A second fault (a write) is caught too: SIGSEGV is not blocked. */
	if (sigsetjmp(env, 0) == 0) {
		cpu_user_write(&cpu, 0x20, &v, 1);
		ck_abort_msg("write to a PROT_NONE page did not fault");
	}
	faults++;
	ck_assert_uint_eq(cpu.fault_addr, (uintptr_t)none + 0x20);
	ck_assert_int_eq(faults, 2);

	/* And the CPU still works on a good region. */
	cpu_load_tls(&cpu, region(5));
	ck_assert_uint_eq(cpu_user_self(&cpu), region(5));
	cpu_fini(&cpu);
	munmap(none, PAGE_SIZE);
}
END_TEST

/* A fault outside user code is a real crash (the test expects SIGSEGV). */
START_TEST(test_fault_outside_user_crashes)
{
	volatile uint8_t *none;
	sigjmp_buf env;
	struct cpu cpu;

	ck_assert_int_eq(cpu_init(&cpu, ARCH_MOCK, false), 0);
	ck_assert_int_eq(cpu_fault_guard_install(&cpu), 0);
	cpu.fault_env = &env;
	none = mmap(NULL, PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ck_assert_ptr_ne((void *)none, MAP_FAILED);
	if (sigsetjmp(env, 0) != 0)
		ck_abort_msg("a kernel-side fault was taken as a user fault");
	(void)none[0];
	ck_abort_msg("not reached");
}
END_TEST

#if defined(__i386__)
/* Whether the suite runs under an emulator (scripts/check-cross says so). */
static const char *emulator(void)
{
	const char *e = getenv("TLSSIM_EMULATOR");

	return e && *e ? e : NULL;
}

/* i386: %fs:0x1FF is the last byte; %fs:0x200 breaks the segment limit. */
START_TEST(test_i386_segment_limit)
{
	volatile bool faulted = false;
	sigjmp_buf env;
	struct cpu cpu;
	uint8_t c = 0;
	uint32_t w = 0;

	ck_assert_int_eq(cpu_init(&cpu, ARCH_I386_GDT, false), 0);
	ck_assert_int_eq(cpu_fault_guard_install(&cpu), 0);
	cpu.fault_env = &env;
	cpu_load_tls(&cpu, region(0));
	cpu_user_read(&cpu, 0x1FF, &c, 1);
	ck_assert_uint_eq(c, ((uint8_t *)region(0))[0x1FF]);

	if (sigsetjmp(env, 0) == 0)
		cpu_user_read(&cpu, TLS_SIZE, &w, sizeof(w));
	else
		faulted = true;
	if (!faulted && emulator()) {
		/* The emulator ignores the limit: it read region 1's ptr_self. */
		ck_assert_uint_eq(w, region(1));
		fprintf(stderr, "NOTE: %s does not enforce the i386 segment "
			"limit: %%fs:0x200 read 0x%x (region 1's ptr_self); "
			"the limit fault is only checked natively\n",
			emulator(), w);
		cpu_fini(&cpu);
		return;
	}
	ck_assert_msg(faulted, "%%fs:0x200 did not fault (read 0x%x); under an "
		      "emulator set TLSSIM_EMULATOR (see src/sim/cpu.am)", w);
	ck_assert_int_eq(cpu.fault_signo, SIGSEGV);
	ck_assert(cpu.fault_beyond_limit);
	ck_assert_uint_eq(cpu.user_off, TLS_SIZE);

	/* A 4-byte access straddling the limit faults as well. */
	faulted = false;
	if (sigsetjmp(env, 0) == 0)
		cpu_user_write(&cpu, 0x1FE, &w, 2 + 1 + 1);
	else
		faulted = true;
	ck_assert(faulted);
	ck_assert(cpu.fault_beyond_limit);
	cpu_fini(&cpu);
}
END_TEST

/* i386: fini gives the GDT entry back (only two are free) and %fs. */
START_TEST(test_i386_fini_restores)
{
	uint16_t fs_before, fs_after;
	struct cpu_arch_info info;
	struct cpu cpu;

	/*
	 * Give the host %fs a nonzero selector (the flat data segment) so
	 * that a missing restore shows: freeing a GDT entry still loaded in
	 * %fs makes the kernel reset %fs to 0.
	 */
	asm volatile("movw %%ds, %%ax\n\tmovw %%ax, %%fs" : : : "ax");
	asm volatile("movw %%fs, %0" : "=rm"(fs_before));
	ck_assert_uint_ne(fs_before, 0);
	for (int i = 0; i < 10; i++) {
		ck_assert_int_eq(cpu_init(&cpu, ARCH_I386_GDT, false), 0);
		cpu_arch_info(&cpu, &info);
		ck_assert_int_ge(info.gdt_entry, 0);
		cpu_load_tls(&cpu, region(i % NREGIONS));
		ck_assert_uint_eq(cpu_read_tls_register(&cpu),
				  region(i % NREGIONS));
		asm volatile("movw %%fs, %0" : "=rm"(fs_after));
		ck_assert_uint_eq(fs_after, info.selector);
		cpu_fini(&cpu);
		asm volatile("movw %%fs, %0" : "=rm"(fs_after));
		ck_assert_uint_eq(fs_after, fs_before);
	}
}
END_TEST
#endif

#if defined(__aarch64__)
/* The C library's thread pointer. */
static uintptr_t read_tpidr_el0(void)
{
	uintptr_t v;

	asm volatile("mrs %0, tpidr_el0" : "=r"(v));
	return v;
}
#endif

/* aarch64: the proof reads ptr_self through tpidr_el0 and restores it. */
START_TEST(test_aarch64_tpidr_proof)
{
#if defined(__aarch64__)
	uintptr_t before = read_tpidr_el0();

	ck_assert_uint_ne(before, 0);
	for (int i = 0; i < NREGIONS; i++) {
		ck_assert_uint_eq(cpu_aarch64_tpidr_proof(region(i)),
				  region(i));
		ck_assert_uint_eq(read_tpidr_el0(), before);
	}
	/* The proof loads the region's content, not its address. */
	((struct tls *)region(6))->ptr_self = (void *)0x600D;
	ck_assert_uint_eq(cpu_aarch64_tpidr_proof(region(6)), 0x600D);
	ck_assert_uint_eq(read_tpidr_el0(), before);
	errno = 0;		/* TLS of the C library still works */
	ck_assert_int_eq(errno, 0);
	/* The real tpidrro_el0 is never written: 0 for a 64-bit task. */
	ck_assert_uint_eq(cpu_aarch64_tpidrro_el0(), 0);
#else
	ck_assert_uint_eq(cpu_aarch64_tpidr_proof(region(0)), 0);
	ck_assert_uint_eq(cpu_aarch64_tpidrro_el0(), 0);
	ck_assert(!arch_backend_available(ARCH_AARCH64));
#endif
}
END_TEST

#if defined(__x86_64__)
/* The GS base through arch_prctl. */
static uintptr_t get_gs(void)
{
	unsigned long v = 0;

	ck_assert_int_eq(syscall(SYS_arch_prctl, ARCH_GET_GS, &v), 0);
	return v;
}

/* x86_64: cpu_fini puts the host's GS base back, for both backends. */
START_TEST(test_x86_64_gs_restored)
{
	static uint8_t host_gs_area[64];
	enum arch_backend bs[] = { ARCH_X86_64_PRCTL, ARCH_X86_64_WRGSBASE };

	ck_assert_int_eq(syscall(SYS_arch_prctl, ARCH_SET_GS,
				 (unsigned long)host_gs_area), 0);
	for (size_t i = 0; i < 2; i++) {
		struct cpu_arch_info info;
		struct cpu cpu;

		if (!cpu_up(&cpu, bs[i], false))
			continue;
		cpu_arch_info(&cpu, &info);
		ck_assert_uint_eq(info.saved_host, (uintptr_t)host_gs_area);
		cpu_load_tls(&cpu, region(7));
		ck_assert_uint_eq(get_gs(), region(7));
		cpu_fini(&cpu);
		ck_assert_uint_eq(get_gs(), (uintptr_t)host_gs_area);
	}
	errno = 0;		/* glibc's FS-based TLS is untouched */
	ck_assert_int_eq(errno, 0);
}
END_TEST
#endif

/* The benchmark runs and its self-check passes on the best backend. */
START_TEST(test_bench_runs)
{
	struct bench_switch_figures f;

	ck_assert_int_eq(bench_switch_measure(ARCH_AUTO, 2000, &f), 0);
	ck_assert(f.load_ns > 0 && f.switch_ns > 0 && f.bare_switch_ns > 0);
	ck_assert_int_eq(bench_switch_measure(ARCH_BACKEND_COUNT, 10, &f),
			 -EINVAL);
}
END_TEST

static Suite *cpu_suite(void)
{
	Suite *s = suite_create("cpu");
	TCase *tc = tcase_create("backends");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_auto_init);
	tcase_add_test(tc, test_availability);
	tcase_add_loop_test(tc, test_read_fields, 0, backends.n);
	tcase_add_loop_test(tc, test_write, 0, backends.n);
	tcase_add_loop_test(tc, test_switch_regions, 0, backends.n);
	tcase_add_loop_test(tc, test_no_tls_restore, 0, backends.n);
	tcase_add_loop_test(tc, test_context_pingpong, 0, backends.n);
	tcase_add_loop_test(tc, test_fault_unmapped, 0, backends.n);
	tcase_add_test_raise_signal(tc, test_fault_outside_user_crashes,
				    SIGSEGV);
#if defined(__i386__)
	tcase_add_test(tc, test_i386_segment_limit);
	tcase_add_test(tc, test_i386_fini_restores);
#endif
	tcase_add_test(tc, test_aarch64_tpidr_proof);
#if defined(__x86_64__)
	tcase_add_test(tc, test_x86_64_gs_restored);
#endif
	tcase_add_test(tc, test_bench_runs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	backends_select("check_cpu");
	return run_suite(cpu_suite());
}
