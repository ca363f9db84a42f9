/*
 * check_cpu.c - the simulated CPU: every register backend the host runs
 * (user reads and writes through the register, switching regions, the
 * no_tls_restore lab fault), the hand-written context switch and user
 * faults. The per-architecture facts are check_cpu_arch.c's.
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

#include "programs/bench/bench_switch.h"
#include "cpu/cpu.h"
#include "probe_switch.h"
#include "testutil.h"
#include "backends.h"
#include "tls_manager.h"

#include "cpu_fixture.h"

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

/*
 * A backend not in the build is a usage error; one the host refuses says
 * why. TLSSIM_HOST_FSGSBASE=no makes any x86_64 host one without fsgsbase.
 */
START_TEST(test_refusal_reasons)
{
	char why[256];

	for (int b = ARCH_MOCK; b < ARCH_BACKEND_COUNT; b++) {
		enum arch_backend be = (enum arch_backend)b;
		const char *r = arch_backend_refusal(be);

		ck_assert_int_eq(arch_backend_available(be),
				 arch_backend_in_build(be) && r == NULL);
		if (arch_backend_available(be))
			continue;
		ck_assert_int_eq(arch_backend_why_not(be, why, sizeof(why)),
				 r != NULL);
		ck_assert_msg(strstr(why, arch_backend_name(be)) != NULL,
			      "'%s' does not name %s", why,
			      arch_backend_name(be));
	}
	ck_assert_ptr_null(arch_backend_refusal(ARCH_AUTO));
	if (!arch_backend_in_build(ARCH_X86_64_WRGSBASE)) {
		ck_assert(!arch_backend_why_not(ARCH_X86_64_WRGSBASE, why,
						sizeof(why)));
		ck_assert(strstr(why, "is not in this build") != NULL);
		return;
	}
	ck_assert_int_eq(setenv("TLSSIM_HOST_FSGSBASE", "no", 1), 0);
	ck_assert(!arch_backend_available(ARCH_X86_64_WRGSBASE));
	ck_assert(arch_backend_why_not(ARCH_X86_64_WRGSBASE, why, sizeof(why)));
	ck_assert_str_eq(why, "the host refuses --arch=x86_64-wrgsbase: this "
			 "CPU has no fsgsbase (TLSSIM_HOST_FSGSBASE=no says so)");
	ck_assert_int_eq(arch_backend_resolve(ARCH_AUTO), ARCH_X86_64_PRCTL);
	ck_assert_int_eq(arch_backend_from_name("x86_64"), ARCH_X86_64_PRCTL);
	ck_assert_int_eq(unsetenv("TLSSIM_HOST_FSGSBASE"), 0);
	ck_assert(!arch_backend_why_not(ARCH_I386_GDT, why, sizeof(why)));
	ck_assert_str_eq(why, "--arch=i386 is not in this build (it has mock, "
			 "x86_64-prctl, x86_64-wrgsbase)");
}
END_TEST

/*
 * A backend says why it runs against what the host says only when the
 * user overrode the host: wrgsbase under TLSSIM_HOST_FSGSBASE=yes where
 * the kernel lists no fsgsbase and the instruction runs; never otherwise.
 */
START_TEST(test_granted_only_by_override)
{
	const char *g;

	for (int b = ARCH_MOCK; b < ARCH_BACKEND_COUNT; b++)
		if (b != ARCH_X86_64_WRGSBASE || !getenv("TLSSIM_HOST_FSGSBASE"))
			ck_assert_ptr_null(arch_backend_granted((enum arch_backend)b));
	ck_assert_int_eq(setenv("TLSSIM_HOST_FSGSBASE", "no", 1), 0);
	ck_assert_ptr_null(arch_backend_granted(ARCH_X86_64_WRGSBASE));
	ck_assert_int_eq(setenv("TLSSIM_HOST_FSGSBASE", "yes", 1), 0);
	g = arch_backend_granted(ARCH_X86_64_WRGSBASE);
	if (expected_available(ARCH_X86_64_WRGSBASE) && !(getauxval(AT_HWCAP2) & 2))
		ck_assert_str_eq(g, "TLSSIM_HOST_FSGSBASE=yes: the instruction "
				 "runs, AT_HWCAP2 does not list fsgsbase");
	else
		ck_assert_ptr_null(g);
	ck_assert_int_eq(unsetenv("TLSSIM_HOST_FSGSBASE"), 0);
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
	ck_assert_int_eq(arch_backend_from_name("auto"), ARCH_AUTO);
	/* auto: wrgsbase where the CPU has it, else the build's baseline */
	if (expected_available(ARCH_X86_64_WRGSBASE)) {
		ck_assert_int_eq(arch_backend_resolve(ARCH_AUTO),
				 ARCH_X86_64_WRGSBASE);
		ck_assert_int_eq(arch_backend_from_name("x86_64"),
				 ARCH_X86_64_WRGSBASE);
	} else {
		ck_assert_int_eq(arch_backend_resolve(ARCH_AUTO),
				 backend_native());
		ck_assert_int_eq(arch_backend_from_name("x86_64"),
				 ARCH_X86_64_PRCTL);
	}
	for (int b = ARCH_MOCK; b < ARCH_BACKEND_COUNT; b++)
		ck_assert_msg(*arch_backend_summary((enum arch_backend)b),
			      "%s has no summary",
			      arch_backend_name((enum arch_backend)b));
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
			/* the record the kernel uses instead of a readback */
			ck_assert_uint_eq(cpu_tls_register(&cpu), region(i));
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
	ck_assert_uint_eq(cpu_tls_register(&cpu), region(0));
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

/*
 * The CPU suite: backends and their names, switches, loads and faults
 * through the register, on every backend this host runs.
 */
static Suite *cpu_suite(void)
{
	Suite *s = suite_create("cpu");
	TCase *tc = tcase_create("backends");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_auto_init);
	tcase_add_test(tc, test_availability);
	tcase_add_test(tc, test_refusal_reasons);
	tcase_add_test(tc, test_granted_only_by_override);
	tcase_add_loop_test(tc, test_read_fields, 0, backends.n);
	tcase_add_loop_test(tc, test_write, 0, backends.n);
	tcase_add_loop_test(tc, test_switch_regions, 0, backends.n);
	tcase_add_loop_test(tc, test_no_tls_restore, 0, backends.n);
	tcase_add_loop_test(tc, test_context_pingpong, 0, backends.n);
	tcase_add_loop_test(tc, test_fault_unmapped, 0, backends.n);
	tcase_add_test_raise_signal(tc, test_fault_outside_user_crashes,
				    SIGSEGV);
	tcase_add_test(tc, test_bench_runs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	backends_select("check_cpu");
	return run_suite(cpu_suite());
}
