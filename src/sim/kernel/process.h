/*
 * process.h - private to the kernel model: processes (kernel.h has the
 * calls and queries the layers above use).
 *
 * A process owns a process memory (its user land), a TLS manager (one of
 * the policies behind tls_manager.h) and a lock that guards both. Its
 * death kills its threads and releases its whole user land, which is when
 * the TLS pages of the original policy come back.
 *
 * The queries at the end are how the layers above see a process: its
 * address lookup, TLS figures and pages, and mappings. They take the
 * process's lock themselves; their callbacks must not call the kernel.
 */
#ifndef TLSSIM_PROCESS_H
#define TLSSIM_PROCESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel.h"
#include "kerror.h"
#include "machine.h"
#include "memory.h"
#include "threadtab.h"

struct pmem;

struct process {
	unsigned pid;
	char *name;
	struct pmem *pm;		/* private: NULL once killed */
	unsigned cpus_in;		/* CPUs whose space it is */
	const struct tls_manager_ops *policy;
	struct tlsm *mgr;		/* private: the policy's manager */
	pthread_mutex_t lock;		/* guards mgr and pm */
	bool dead;
	size_t thread_records;		/* records of its threads not freed */
	size_t userland_size;
	uintptr_t userland_start;	/* kept after death, for reports */
	struct process *next_in_kernel;
	struct process *prev_in_kernel;	/* to leave k->procs when freed */
	struct process *next_released;	/* on k->released once its creator
					 * lets it go, until freed */
	struct process *next_retired;	/* on k->retired */
	struct process *live_prev, *live_next;	/* on k->live */
	struct thread_list threads;	/* live, creation order */
};

/*
 * Internal to the kernel model. process_switch_space: make p's user land
 * the one user code on this CPU may reach (the previous one goes PROT_NONE,
 * as a page-table switch would); nothing when it already is. Returns
 * KERR_OK or KERR_HOST_REFUSED. process_sweep_retired: release retired
 * ranges no register points into any more.
 */
enum kernel_error process_switch_space(struct kernel *k, struct process *p);
/* pc runs nothing of any process any more: its space is left (hidden if no
 * other CPU runs that process). KERR_OK or KERR_HOST_REFUSED. */
enum kernel_error process_leave_space(struct kernel *k, struct percpu *pc);
void process_sweep_retired(struct kernel *k);

/*
 * Internal to the kernel model: free the records of the released
 * processes that are dead, swept, and named by no thread record any more.
 * Called only where processes are created (the host thread that runs the
 * kernel), so the list of processes changes only there.
 */
void process_free_released(struct kernel *k);

/*
 * Internal to the kernel model. process_tls_take: allocate a region for t
 * (NULL: raw) with p->lock held by the caller; returns the manager's
 * error; a panic of the manager is raised again after p->lock is dropped.
 * process_tls_release: free a region, taking p->lock, and put the
 * policy's reason in why (size bytes, "" without one); a panic of the
 * manager is raised again after the lock is dropped.
 */
enum kernel_error process_tls_take(struct kernel *k, struct process *p,
				   const struct thread *t, uintptr_t *tls);
void process_tls_release(struct kernel *k, struct process *p, uintptr_t tls,
			 char *why, size_t size);

/*
 * Internal to the kernel model (front.c): when k explains, ask p's policy
 * why its last allocate or free did what it did, into buf (one line);
 * the caller holds p->lock. Returns the length, 0 when there is no reason
 * (not explaining, a version 1 policy, or no explain op).
 */
size_t process_tls_why(const struct kernel *k, const struct process *p,
		       char *buf, size_t size);

/* ---- the kernel front: queries ---- */

#endif
