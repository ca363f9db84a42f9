/*
 * process.h - processes of the kernel model and the kernel front's queries
 * about them.
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
	size_t userland_size;
	uintptr_t userland_start;	/* kept after death, for reports */
	struct process *next_in_kernel;
	struct process *next_retired;	/* on k->retired */
	struct process *live_prev, *live_next;	/* on k->live */
	struct thread_list threads;	/* live, creation order */
};

/*
 * New process with an empty user land of `userland` bytes, its TLS managed
 * by policy (NULL: the default, "sunrise"). Returns 0 and sets *out;
 * -EINVAL for a bad size; -ENOMEM when the host refuses.
 */
int process_create(struct kernel *k, const char *name, size_t userland,
		   const struct tls_manager_ops *policy, struct process **out);

/*
 * Kill p: its threads die, its memory goes. KERR_PROCESS_KILLED if dead.
 * While a CPU's register still points into p's range, the range stays
 * reserved PROT_NONE (retired) so no other host mapping can land there.
 */
enum kernel_error process_kill(struct kernel *k, struct process *p);

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
 * What the host last refused the kernel model, for a KERR_HOST_REFUSED
 * (e.g. "mmap of 0x1000 bytes: Cannot allocate memory").
 */
const char *kernel_host_error(void);

/* create_regular_mapping / unmap on p, at offsets in its user land. */
enum kernel_error process_map(struct kernel *k, struct process *p,
			      uint64_t offset, uint64_t size,
			      enum memory_type type, unsigned rights);
enum kernel_error process_unmap(struct kernel *k, struct process *p,
				uint64_t offset, uint64_t size);

/* Raw TLSManager calls (no thread), under p's lock. free can panic. */
enum kernel_error process_tls_alloc(struct kernel *k, struct process *p,
				    uint64_t *offset);
enum kernel_error process_tls_free(struct kernel *k, struct process *p,
				   uint64_t offset);

/*
 * Internal to the kernel model. process_tls_take: allocate a region for t
 * (NULL: raw) with p->lock held by the caller; returns the manager's
 * error; a panic of the manager is raised again after p->lock is dropped.
 * process_tls_release: free a region, taking p->lock; a panic of the
 * manager is raised again after the lock is dropped.
 */
enum kernel_error process_tls_take(struct kernel *k, struct process *p,
				   const struct thread *t, uintptr_t *tls);
void process_tls_release(struct process *p, uintptr_t tls);

/* ---- the kernel front: queries ---- */

/* Offset of a host address in p's user land. */
uint64_t process_offset(const struct process *p, uintptr_t addr);

/* Whether p is alive and addr lies in its user land. */
bool process_holds(const struct process *p, uintptr_t addr);

/*
 * The live process whose user land holds addr, or NULL. A dead process
 * never matches: the host may have reused its range for another.
 */
struct process *kernel_process_at(const struct kernel *k, uintptr_t addr);

/*
 * fn(arg, p) for every process k has created, in creation order, killed
 * ones too (p->dead is set: their user land is gone, their name stays).
 * No lock is held while fn runs, so fn may use the other queries here;
 * it must not create or kill processes.
 */
void kernel_for_each_process(const struct kernel *k,
			     void (*fn)(void *arg, const struct process *p),
			     void *arg);

/* p's TLS manager's figures; all zero once p is dead. */
void process_tls_stats(const struct process *p, struct tlsm_stats *out);

/*
 * fn(arg, page) for every TLS page p's manager holds, in the manager's
 * order; nothing once p is dead.
 */
void process_for_each_tls_page(const struct process *p, tlsm_page_fn fn,
			       void *arg);

/* Whether user code may reach p's user land now (isolation). */
bool process_land_shown(const struct process *p);

/* Number of mappings in p's user land (0 once dead). */
size_t process_mapping_count(const struct process *p);

/* fn(arg, m) for every mapping of p in address order. */
void process_for_each_mapping(const struct process *p,
			      void (*fn)(void *arg, const struct mapping *m),
			      void *arg);

/*
 * The mapping holding the byte at offset in p's user land: copies it to
 * *out and returns true; false when that byte is not mapped (or p dead,
 * or offset past the land).
 */
bool process_mapping_at(const struct process *p, uint64_t offset,
			struct mapping *out);

#endif
