/*
 * fault.c - user faults. While simulated user code touches its TLS
 * (cpu->in_user), a SIGSEGV or SIGBUS is the simulated thread's fault: the
 * handler records it and siglongjmps to cpu->fault_env. Anywhere else it is
 * a bug of the simulator: the handler puts back the action there was
 * before the first guard (the default, or a sanitizer's report, which a
 * fuzzer needs to keep the input) and returns, so the faulting instruction
 * runs again and the process dies the ordinary way.
 *
 * The handler runs on an alternate stack (a fault may come from a broken
 * stack) with SA_NODEFER, so SIGSEGV stays unblocked after the jump and the
 * catch sites can use sigsetjmp(env, 0): no signal-mask syscall per access.
 */
#include <config.h>

#include "arch.h"
#include "cpu.h"
#include "annotate.h"
#include "hostkey.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The CPU whose user faults this host thread catches. */
static __thread struct cpu *guard_cpu;
/* This host thread's alternate signal stack, once set up. */
static __thread void *guard_stack;
/* The actions of SIGSEGV and SIGBUS before the first guard. */
static struct sigaction prev_segv, prev_bus;
static pthread_once_t prev_once = PTHREAD_ONCE_INIT;

static void save_prev_actions(void)
{
	sigaction(SIGSEGV, NULL, &prev_segv);
	sigaction(SIGBUS, NULL, &prev_bus);
}

/* Give signo back to what handled it before the guard (never SIG_IGN). */
static void restore_prev_action(int signo)
{
	const struct sigaction *prev = signo == SIGBUS ? &prev_bus : &prev_segv;

	if (!(prev->sa_flags & SA_SIGINFO) && prev->sa_handler == SIG_IGN)
		signal(signo, SIG_DFL);
	else
		sigaction(signo, prev, NULL);
}

/* Record the fault and jump to the catch site, or let it crash. */
static void fault_handler(int signo, siginfo_t *info, void *uctx)
{
	struct cpu *cpu = guard_cpu;
	size_t end;

	(void)uctx;
	if (!cpu || !cpu->in_user || !cpu->fault_env) {
		restore_prev_action(signo);
		return;
	}
	cpu->fault_signo = signo;
	if (cpu->fault_outside) {	/* raised by cpu_user_fault_outside */
		cpu->fault_code = SEGV_MAPERR;
		cpu->in_user = 0;
		cpu->fault_beyond_limit = false;
		VALGRIND_ENABLE_ERROR_REPORTING;
		hostkey_restore();
		siglongjmp(*cpu->fault_env, 1);
	}
	cpu->fault_code = info->si_code;
	cpu->fault_addr = (uintptr_t)info->si_addr;
	end = cpu->user_off + cpu->user_len;
	cpu->fault_beyond_limit = cpu->ops && cpu->ops->seg_limit &&
				  (end > cpu->ops->seg_limit ||
				   end < cpu->user_off);
	cpu->in_user = 0;
	VALGRIND_ENABLE_ERROR_REPORTING;	/* user_leave is skipped */
	hostkey_restore();	/* the handler ran with the host's default PKRU */
	siglongjmp(*cpu->fault_env, 1);
}

/* Give this host thread an alternate signal stack; returns 0 or -errno. */
static int guard_altstack(void)
{
	stack_t ss;
	long min = sysconf(_SC_SIGSTKSZ);
	size_t size = 64 * 1024;

	if (guard_stack)
		return 0;
	if (min > 0 && (size_t)min * 4 > size)
		size = (size_t)min * 4;
	guard_stack = malloc(size);
	if (!guard_stack)
		return -ENOMEM;
	memset(&ss, 0, sizeof(ss));
	ss.ss_sp = guard_stack;
	ss.ss_size = size;
	if (sigaltstack(&ss, NULL) != 0) {
		int err = -errno;

		free(guard_stack);
		guard_stack = NULL;
		return err;
	}
	return 0;
}

/*
 * Catch cpu's user faults on this host thread: an alternate stack, then
 * the SIGSEGV and SIGBUS handler. Returns 0 or a negative errno.
 */
int cpu_fault_guard_install(struct cpu *cpu)
{
	struct sigaction sa;
	int err;

	err = guard_altstack();
	if (err)
		return err;
	pthread_once(&prev_once, save_prev_actions);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) != 0)
		return -errno;
	if (sigaction(SIGBUS, &sa, NULL) != 0)
		return -errno;
	guard_cpu = cpu;
	return 0;
}

/* Stop treating faults on this host thread as cpu's user faults. */
void cpu_fault_guard_remove(struct cpu *cpu)
{
	if (guard_cpu == cpu)
		guard_cpu = NULL;
}

void cpu_fault_guard_release(void)
{
	stack_t ss;

	if (!guard_stack)
		return;
	memset(&ss, 0, sizeof(ss));
	ss.ss_flags = SS_DISABLE;
	if (sigaltstack(&ss, NULL) == 0) {
		free(guard_stack);
		guard_stack = NULL;
	}
}
