/*
 * cpu_fixture.h - what the CPU suites (check_cpu.c, check_cpu_arch.c)
 * stand on: a page of eight TLS regions written as the kernel and user
 * would, and bringing a CPU up on a backend.
 */
#ifndef TLSSIM_CPU_FIXTURE_H
#define TLSSIM_CPU_FIXTURE_H

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "tls_manager.h"

#define NREGIONS	((int)TLS_PER_PAGE)
#define STACK_SIZE	(64 * 1024)

/* A page of 8 TLS regions, filled in by setup(). */
static uint8_t *page;

/* Region i of the page. */
static inline uintptr_t region(int i)
{
	return (uintptr_t)page + (size_t)i * TLS_SIZE;
}

/* What region i's ptr_thread_context holds. */
static inline uintptr_t context_value(int i)
{
	return (uintptr_t)0x5EED0000u + (uintptr_t)i;
}

/* What byte j of region i's IPC buffer holds. */
static inline uint8_t ipc_byte(int i, size_t j)
{
	return (uint8_t)(i * 31 + j * 7 + 1);
}

/* Map the page and write every region as the kernel and user would. */
static inline void setup(void)
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

static inline void teardown(void)
{
	munmap(page, PAGE_SIZE);
}

/*
 * Whether rdgsbase runs here, asked of a child process (a CPU that refuses
 * it kills the child with SIGILL), apart from tlssim's own probe.
 */
static inline bool rdgsbase_runs_in_child(void)
{
#if defined(__x86_64__)
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		uintptr_t v;

		asm volatile("rdgsbase %0" : "=r"(v));
		(void)v;
		_exit(0);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid &&
	       WIFEXITED(status) && WEXITSTATUS(status) == 0;
#else
	return false;
#endif
}

/*
 * Whether backend b should run on this host and build: the mock always;
 * of the backends the build carries, its baseline always, and wrgsbase
 * when the kernel says fsgsbase is on (bit 1 of AT_HWCAP2), as tlssim is
 * told to see the host (TLSSIM_HOST_FSGSBASE: no, never; yes, also when
 * the instruction runs).
 */
static inline bool expected_available(enum arch_backend b)
{
	const char *force = getenv("TLSSIM_HOST_FSGSBASE");

	if (b == ARCH_AUTO || b == ARCH_MOCK)
		return true;
	if (!arch_backend_in_build(b))
		return false;
	if (b == ARCH_X86_64_WRGSBASE) {
		if (force && strcmp(force, "no") == 0)
			return false;
		if (getauxval(AT_HWCAP2) & 2)
			return true;
		return force && strcmp(force, "yes") == 0 &&
		       rdgsbase_runs_in_child();
	}
	return b == arch_backend_baseline();
}

/*
 * Bring up cpu on backend b if the host runs it. Returns false for a
 * backend this host does not run (loop tests never ask for one: they run
 * over BACKEND(i); the availability itself is test_availability's).
 */
static inline bool cpu_up(struct cpu *cpu, enum arch_backend b, bool no_restore)
{
	if (!arch_backend_available(b)) {
		ck_assert_int_eq(cpu_init(cpu, b, no_restore), -ENOTSUP);
		return false;
	}
	ck_assert_int_eq(cpu_init(cpu, b, no_restore), 0);
	ck_assert_int_eq(cpu->backend, b);
	return true;
}

#endif
