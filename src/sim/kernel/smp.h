/*
 * smp.h - several simulated CPUs. CPU 0 is the host thread that made the
 * kernel; each other CPU is a host thread of its own, with its own TLS
 * register (the GS base, the i386 GDT entry, the aarch64 mock), current
 * thread, idle context and fault record. They run the same kernel model
 * side by side: the threads of one process allocate and free TLS at the
 * same time under the process's lock; the kernel's lock (machine.h)
 * guards its lists and the scheduler.
 *
 * Address spaces: the host's page protections belong to the whole
 * simulator, not to one host thread. A user land is shown while at least
 * one CPU runs a thread of its process, hidden when none does; so with
 * several CPUs, a thread can reach the land of a process that another CPU
 * runs at that moment. One CPU gives the strict isolation of a page-table
 * switch.
 */
#ifndef TLSSIM_SMP_H
#define TLSSIM_SMP_H

#include "machine.h"

/*
 * Run work(k, arg) on CPU cpu (its host thread) and wait for it to end.
 * CPU 0 (or a kernel of one CPU) runs it on the calling thread.
 */
void smp_run_on(struct kernel *k, unsigned cpu,
		void (*work)(struct kernel *k, void *arg), void *arg);

/*
 * Internal to the kernel model. smp_run_all: every CPU runs the scheduler
 * loop until no program thread is left; returns the faults, or -ENOMEM
 * when the host refused a stack. smp_stop: end CPUs 1.. (kernel_fini).
 */
int smp_run_all(struct kernel *k);
void smp_stop(struct kernel *k);

#endif
