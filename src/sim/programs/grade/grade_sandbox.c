/*
 * grade_sandbox.c - confining a student's manager: resource limits and a
 * seccomp allow list (a classic BPF program, built at run time because
 * the channel's fd and the process's pid are part of it).
 *
 * The list is what the test child itself needs: memory (mmap, mprotect,
 * brk, pkeys), the signals and alternate stack that catch simulated
 * faults, the register calls of the backends, clocks, futexes and
 * threads (clone with CLONE_THREAD) for a scenario on several CPUs, and
 * writes to stdout, stderr and the channel. A signal may go to the child
 * itself only, and the dynamic loader may open files read-only while it
 * loads the object (stage SANDBOX_LOADING); after that nothing opens or
 * reads a file. Every other call fails with EPERM, so the student's code
 * sees an error it can handle, and clone3 with ENOSYS, so that the C
 * library falls back to clone, whose flags the filter can read.
 */
#include <config.h>

#include "grade_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__has_include) && __has_include(<linux/seccomp.h>) && \
	__has_include(<linux/filter.h>) && __has_include(<linux/audit.h>) && \
	(defined(__x86_64__) || defined(__i386__) || defined(__aarch64__))
#define HAVE_SECCOMP 1
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#endif

/* Address space a child may add to what it holds (no sanitizer). */
#define EXTRA_ADDRESS_SPACE ((rlim_t)2 << 30)

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif

#ifndef SANITIZED
/* The bytes of address space this process holds now, or 0. */
static rlim_t address_space_now(void)
{
	unsigned long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu", &pages) != 1)
		pages = 0;
	fclose(f);
	return (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE);
}
#endif

/* No core file, CPU seconds (0: none), a bound on address space. */
static void set_limits(unsigned cpu_seconds)
{
	setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	setrlimit(RLIMIT_FSIZE, &(struct rlimit){ 0, 0 });
	if (cpu_seconds)
		setrlimit(RLIMIT_CPU, &(struct rlimit){ cpu_seconds,
							cpu_seconds + 1 });
#ifndef SANITIZED
	{
		rlim_t now = address_space_now();

		if (now)
			setrlimit(RLIMIT_AS, &(struct rlimit){
					now + EXTRA_ADDRESS_SPACE,
					now + EXTRA_ADDRESS_SPACE });
	}
#endif
}

#ifdef HAVE_SECCOMP

/* Whether TLSSIM_HOST_SECCOMP=no hides the filters (to test that path). */
static bool sandbox_hidden(void)
{
	const char *env = getenv("TLSSIM_HOST_SECCOMP");

	return env && strcmp(env, "no") == 0;
}

#if defined(__x86_64__)
#define AUDIT_ARCH_HERE AUDIT_ARCH_X86_64
#elif defined(__i386__)
#define AUDIT_ARCH_HERE AUDIT_ARCH_I386
#else
#define AUDIT_ARCH_HERE AUDIT_ARCH_AARCH64
#endif

#define ARG_LOW(i) ((uint32_t)offsetof(struct seccomp_data, args[i]))
#define RET_ERRNO(e) (SECCOMP_RET_ERRNO | ((e) & SECCOMP_RET_DATA))

/* A BPF program under construction. */
struct prog {
	struct sock_filter ins[400];
	unsigned n;
	bool overflow;
};

/* Append one instruction. */
static void emit(struct prog *p, uint16_t code, uint8_t jt, uint8_t jf,
		 uint32_t k)
{
	if (p->n == sizeof(p->ins) / sizeof(p->ins[0])) {
		p->overflow = true;
		return;
	}
	p->ins[p->n++] = (struct sock_filter){ code, jt, jf, k };
}

/* if (nr == sys) return ALLOW; (the accumulator holds nr) */
static void allow(struct prog *p, long sys)
{
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (uint32_t)sys);
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
}

/* if (nr == sys) return ERRNO(e); */
static void refuse(struct prog *p, long sys, int e)
{
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (uint32_t)sys);
	emit(p, BPF_RET | BPF_K, 0, 0, RET_ERRNO(e));
}

/*
 * if (nr == sys) allow when the low word of argument arg is one of the
 * values, else EPERM.
 */
static void allow_if_arg(struct prog *p, long sys, unsigned arg,
			 const uint32_t *values, unsigned count)
{
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, (uint8_t)(count + 3),
	     (uint32_t)sys);
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LOW(arg));
	for (unsigned i = 0; i < count; i++)
		emit(p, BPF_JMP | BPF_JEQ | BPF_K, (uint8_t)(count - i), 0,
		     values[i]);
	emit(p, BPF_RET | BPF_K, 0, 0, RET_ERRNO(EPERM));
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
}

/*
 * if (nr == sys) allow when (argument arg & mask) == want, else EPERM.
 * (The low word: the flags of open and clone fit in it.)
 */
static void allow_if_masked(struct prog *p, long sys, unsigned arg,
			    uint32_t mask, uint32_t want)
{
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 5, (uint32_t)sys);
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LOW(arg));
	emit(p, BPF_ALU | BPF_AND | BPF_K, 0, 0, mask);
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, want);
	emit(p, BPF_RET | BPF_K, 0, 0, RET_ERRNO(EPERM));
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
}

/* The calls a manager and the simulator under it make, unconditionally. */
static const long plain_calls[] = {
	SYS_mmap, SYS_munmap, SYS_mprotect, SYS_mremap, SYS_madvise,
	SYS_brk, SYS_exit, SYS_exit_group, SYS_rt_sigreturn,
	SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_sigaltstack,
	SYS_futex, SYS_getpid, SYS_gettid, SYS_clock_gettime,
	SYS_clock_getres, SYS_gettimeofday, SYS_nanosleep,
	SYS_clock_nanosleep, SYS_sched_yield, SYS_getrandom, SYS_close,
	SYS_set_robust_list, SYS_sched_getaffinity, SYS_getrusage,
	SYS_fstat, SYS_lseek, SYS_getcwd,
#ifdef SYS_newfstatat
	SYS_newfstatat,
#endif
#ifdef SYS_statx
	SYS_statx,
#endif
#ifdef SYS_rseq
	SYS_rseq,
#endif
#ifdef SYS_pkey_alloc
	SYS_pkey_alloc, SYS_pkey_free, SYS_pkey_mprotect,
#endif
#ifdef SYS_arch_prctl
	SYS_arch_prctl,
#endif
#ifdef SYS_set_thread_area
	SYS_set_thread_area, SYS_get_thread_area,
#endif
#ifdef SYS_getrlimit
	SYS_getrlimit,
#endif
#ifdef SYS_ugetrlimit
	SYS_ugetrlimit,
#endif
#ifdef SYS_sigreturn
	SYS_sigreturn,
#endif
#ifdef SYS_mmap2
	SYS_mmap2,
#endif
#ifdef SYS_fstat64
	SYS_fstat64, SYS_fstatat64, SYS__llseek,
#endif
#ifdef SYS_clock_gettime64
	SYS_clock_gettime64, SYS_clock_nanosleep_time64, SYS_futex_time64,
#endif
};

/*
 * Whether files stay readable once the object is loaded: only in
 * sanitizer builds, whose runtime reads /proc/self/maps when a simulated
 * fault unwinds the stack (pthread_getattr_np of the main thread).
 */
#ifdef SANITIZED
static const bool keeps_files = true;
#else
static const bool keeps_files = false;
#endif

/* Build the filter of stage into p. */
static void build(struct prog *p, enum sandbox_stage stage, int channel,
		  int input)
{
	uint32_t inputs[] = { (uint32_t)input };
	uint32_t outputs[] = { 1, 2, (uint32_t)channel };
	uint32_t self[] = { (uint32_t)getpid(), 0 };
	const uint32_t writes = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC |
				O_APPEND;

	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0,
	     offsetof(struct seccomp_data, arch));
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, AUDIT_ARCH_HERE);
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0,
	     offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
	/* the x32 calls: none */
	emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, 0x40000000);
	emit(p, BPF_RET | BPF_K, 0, 0, RET_ERRNO(EPERM));
#endif
	for (size_t i = 0; i < sizeof(plain_calls) / sizeof(plain_calls[0]); i++)
		allow(p, plain_calls[i]);
	allow_if_arg(p, SYS_write, 0, outputs, 3);
	allow_if_arg(p, SYS_writev, 0, outputs, 3);
	allow_if_arg(p, SYS_tgkill, 0, self, 1);
	allow_if_arg(p, SYS_tkill, 0, self, 1);
	allow_if_arg(p, SYS_prlimit64, 0, self, 2);
	allow_if_masked(p, SYS_clone, 0, CLONE_THREAD, CLONE_THREAD);
#ifdef SYS_clone3
	refuse(p, SYS_clone3, ENOSYS);
#endif
	/* more filters only take rights away */
	allow(p, SYS_seccomp);
	if (stage == SANDBOX_RUNNING && input >= 0 && !keeps_files)
		allow_if_arg(p, SYS_read, 0, inputs, 1);
	if (stage == SANDBOX_LOADING || keeps_files) {
		allow(p, SYS_read);
		allow(p, SYS_pread64);
		allow_if_masked(p, SYS_openat, 2, writes, 0);
#ifdef SYS_open
		allow_if_masked(p, SYS_open, 1, writes, 0);
#endif
	}
	emit(p, BPF_RET | BPF_K, 0, 0, RET_ERRNO(EPERM));
}

int sandbox_enter(enum sandbox_stage stage, int channel, int input,
		  unsigned cpu_seconds)
{
	static struct prog p;
	struct sock_fprog fprog;

	if (stage == SANDBOX_LOADING)
		set_limits(cpu_seconds);
	if (sandbox_hidden())
		return -ENOSYS;
	memset(&p, 0, sizeof(p));
	build(&p, stage, channel, input);
	if (p.overflow)
		return -E2BIG;
	fprog.len = (unsigned short)p.n;
	fprog.filter = p.ins;
	/* (the loading stage's filter lets seccomp(2) add the second) */
	if (stage == SANDBOX_LOADING &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0)
		return -errno;
	return 0;
}

#else

int sandbox_enter(enum sandbox_stage stage, int channel, int input,
		  unsigned cpu_seconds)
{
	(void)channel;
	(void)input;
	if (stage == SANDBOX_LOADING)
		set_limits(cpu_seconds);
	return -ENOSYS;
}

#endif
