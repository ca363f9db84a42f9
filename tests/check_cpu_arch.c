/*
 * check_cpu_arch.c - the per-architecture facts of the register backends:
 * the i386 segment limit and the GDT entry given back, the aarch64
 * tpidr_el0 proof, the x86_64 GS base restored.
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <asm/prctl.h>
#include <sys/syscall.h>
#endif

#include "testutil.h"
#include "cpu_fixture.h"

#if defined(__i386__)
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
	if (!faulted && test_emulator()) {
		/* The emulator ignores the limit: it read region 1's ptr_self. */
		ck_assert_uint_eq(w, region(1));
		fprintf(stderr, "SKIP (not counted): the i386 segment-limit "
			"fault, which %s does not model: %%fs:0x200 read 0x%x "
			"(region 1's ptr_self, checked instead); the fault is "
			"checked natively\n", test_emulator(), w);
		cpu_fini(&cpu);
		return;
	}
	ck_assert_msg(faulted, "%%fs:0x200 did not fault (read 0x%x); under an "
		      "emulator set TLSSIM_EMULATOR (see tests/tests.am)", w);
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
	int *errno_at = &errno;

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
	/* The C library's TLS still works: errno is where it was, and set. */
	ck_assert_ptr_eq(&errno, errno_at);
	ck_assert_int_eq(close(-1), -1);
	ck_assert_int_eq(errno, EBADF);
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
	int *errno_at = &errno;

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
	/* glibc's FS-based TLS is untouched: errno is where it was, and set */
	ck_assert_ptr_eq(&errno, errno_at);
	ck_assert_int_eq(close(-1), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST
#endif

static Suite *cpu_arch_suite(void)
{
	Suite *s = suite_create("cpu_arch");
	TCase *tc = tcase_create("this architecture");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
#if defined(__i386__)
	tcase_add_test(tc, test_i386_segment_limit);
	tcase_add_test(tc, test_i386_fini_restores);
#endif
	tcase_add_test(tc, test_aarch64_tpidr_proof);
#if defined(__x86_64__)
	tcase_add_test(tc, test_x86_64_gs_restored);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(cpu_arch_suite());
}
