/*
 * demo.h - built-in user programs and `tlssim demo`, which runs them.
 */
#ifndef TLSSIM_DEMO_H
#define TLSSIM_DEMO_H

#include <stdbool.h>
#include <stdio.h>

#include "kernel/kernel.h"

/* What a built-in program saw; filled by the program, read by the kernel. */
struct demo_result {
	char message[64];	/* what it wrote into its IPC buffer */
	unsigned yields;	/* how many times to yield */
	unsigned checks;	/* checks made through the register */
	unsigned failures;	/* checks that did not hold */
	uintptr_t first_self;	/* ptr_self as first read through the register */
	uintptr_t last_self;	/* ... and as last read */
	uintptr_t own_tls;	/* the kernel's TLS address for the thread */
	FILE *log;		/* per-switch lines, or NULL */
};

/*
 * IPC program: writes result->message into its IPC buffer through the
 * register, then yields result->yields times; after every yield it checks
 * that the register and the ptr_self read through it are the thread's own
 * region, and that its message is intact.
 */
void prog_ipc_check(struct kernel *k, struct thread *t, void *result);

/*
 * Context program: sets ptr_thread_context to a record on its own stack,
 * yields, and checks after every yield that the pointer read through the
 * register is its own and the record behind it unchanged.
 */
void prog_context(struct kernel *k, struct thread *t, void *result);

struct demo_options {
	unsigned threads;	/* IPC threads per process */
	unsigned yields;
	unsigned processes;
	bool quiet;		/* summary only */
	enum arch_backend arch;
	bool no_tls_restore;
	unsigned cpus;		/* simulated CPUs, host threads (0: one) */
};

/*
 * Most threads one demo is asked for in all (processes x --threads; each
 * process's one context thread comes on top, at most 64 more): each holds
 * a host stack (two host mappings) until it exits, and they all live at
 * once. --help and tlssim(1) give this number.
 */
#define DEMO_MAX_THREADS 20000u

/*
 * Run the demo on a fresh kernel and print to out (errors to stderr).
 * Returns 0 when every check held, 1 when some failed, 4 when the host
 * refused what the simulator needs, 2 when the backend is not available
 * here or more than DEMO_MAX_THREADS threads were asked for.
 */
int demo_run(const struct demo_options *opt, FILE *out);

#endif
