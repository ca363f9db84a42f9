/*
 * process.h - the kernel model: processes, threads and the scheduler of one
 * simulated CPU.
 *
 * A process owns a process memory, a TLS manager and a lock. A thread owns
 * its TLS address, a stack and a saved context; it runs a user program on
 * its own stack, cooperatively: the program calls sys_yield and sys_exit.
 * Creating a thread allocates its TLS; its first schedule zeroes the region
 * and sets ptr_self; every context switch loads the TLS register; its death
 * frees the region; a process's death kills its threads and releases its
 * whole user land (which is when TLS pages come back).
 *
 * Kernel-model calls that can panic release their locks first and then
 * re-raise the panic, so a panic_call around them sees the original message
 * and a consistent kernel.
 */
#ifndef TLSSIM_PROCESS_H
#define TLSSIM_PROCESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "kernel.h"
#include "pmem.h"
#include "tls.h"
#include "trace.h"

struct kernel;
struct thread;

/* What a simulated thread runs. It must end with sys_exit (or loop). */
typedef void (*user_program)(struct kernel *k, struct thread *t, void *arg);

enum thread_state {
	THREAD_READY,		/* created or runnable */
	THREAD_DEAD,		/* exited, killed or faulted; TLS freed */
};

struct thread {
	struct kernel *kernel;
	unsigned tid;
	char *name;
	struct process *proc;
	uintptr_t tls;		/* host address of its region; 0 once dead */
	uint64_t tls_offset;	/* kept after death, for reports */
	enum thread_state state;
	bool scheduled_once;	/* the first schedule has zeroed the TLS */
	struct context ctx;
	void *stack;		/* mmap'd, guard page at the bottom */
	size_t stack_size;
	user_program program;	/* NULL: a scenario thread, runs jobs */
	void *program_arg;
	/* A job the scenario runner hands to the thread (see kernel_run_as). */
	void (*job)(struct kernel *k, struct thread *t, void *arg);
	void *job_arg;
	struct thread *next_in_kernel;
};

struct process {
	unsigned pid;
	char *name;
	struct pmem *pm;		/* NULL once killed */
	struct tls_manager tls;
	pthread_mutex_t lock;		/* guards tls and pm */
	bool dead;
	size_t userland_size;
	uintptr_t userland_start;	/* kept after death, for reports */
	struct process *next_in_kernel;
};

struct kernel {
	struct cpu cpu;
	struct thread *current;		/* whose TLS the CPU holds, or NULL */
	struct context idle;		/* the kernel's own context */
	struct process *procs;		/* in creation order */
	struct process *procs_tail;
	struct thread *threads;		/* in creation order */
	struct thread *threads_tail;
	unsigned next_pid, next_tid;
	uint64_t switches;
	trace_fn trace;
	void *trace_ctx;
	/* Set by a fault in user code; read by whoever ran the thread. */
	bool faulted;
	char fault_detail[160];
};

/*
 * Bring up a kernel on one CPU with the given register backend. Returns 0,
 * or a negative errno (-ENOTSUP: backend not available on this host).
 */
int kernel_init(struct kernel *k, enum arch_backend backend,
		bool no_tls_restore);
/* Kill every process, free everything, restore the host register. */
void kernel_fini(struct kernel *k);
/* Report events to fn(ctx, event); NULL stops reporting. */
void kernel_set_trace(struct kernel *k, trace_fn fn, void *ctx);

/* Offset of a host address in p's user land. */
uint64_t process_offset(const struct process *p, uintptr_t addr);

/*
 * New process with an empty user land of `userland` bytes. Returns 0 and
 * sets *out; -EINVAL for a bad size; -ENOMEM when the host refuses.
 */
int process_create(struct kernel *k, const char *name, size_t userland,
		   struct process **out);

/* Kill p: its threads die, its memory goes. KERR_PROCESS_KILLED if dead. */
enum kernel_error process_kill(struct kernel *k, struct process *p);

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
 * (NULL: raw) with p->lock held by the caller, tracing a new page; returns
 * the manager's error. process_tls_release: free a region, taking p->lock;
 * a panic of the manager is raised again after the lock is dropped.
 */
enum kernel_error process_tls_take(struct kernel *k, struct process *p,
				   const struct thread *t, uintptr_t *tls);
void process_tls_release(struct process *p, uintptr_t tls);

/*
 * New thread in p running program(arg). Allocates its TLS; on failure the
 * thread is not created and the KernelError is returned (KERR_PROCESS_KILLED
 * for a dead p). A host refusal of its stack gives
 * KERR_PHYSICAL_MEMORY_EXHAUSTION too.
 */
enum kernel_error thread_create(struct kernel *k, struct process *p,
				const char *name, user_program program,
				void *arg, struct thread **out);

/* t dies: its TLS is freed. KERR_INVALID_STATE if already dead. */
enum kernel_error thread_exit(struct kernel *k, struct thread *t);

/*
 * Context switch the CPU to t: on its first schedule zero its TLS and set
 * ptr_self, then load the TLS register. Switching to the current thread
 * does nothing. KERR_INVALID_STATE if t is dead.
 */
enum kernel_error sched_switch_to(struct kernel *k, struct thread *t);

/*
 * Run every ready thread round robin until none is left ready. A thread's
 * fault kills it and is traced; the others go on. Returns the number of
 * threads that faulted.
 */
unsigned kernel_run(struct kernel *k);

/*
 * Switch to t and run job(k, t, arg) as t, on t's stack, then come back.
 * Returns 0, or 1 when the job faulted (then t is dead and
 * k->fault_detail says why).
 */
int kernel_run_as(struct kernel *k, struct thread *t,
		  void (*job)(struct kernel *, struct thread *, void *),
		  void *arg);

/* Syscalls for user programs: give up the CPU; die. */
void sys_yield(struct kernel *k);
void sys_exit(struct kernel *k) __attribute__((noreturn));

/* User side: reach the running thread's TLS through the register. */
void user_read(struct kernel *k, size_t off, void *buf, size_t len);
void user_write(struct kernel *k, size_t off, const void *buf, size_t len);

/*
 * User side, flat: the running thread loads (store false) or stores len
 * bytes at a host address, outside the register path (peek, poke). A fault
 * lands like any user fault. Not traced: the caller knows which process
 * the address belongs to and traces it as an offset.
 */
void user_access_flat(struct kernel *k, uintptr_t addr, void *buf, size_t len,
		      bool store);

/* Emit an event to the kernel's listener, if any. */
void kernel_emit(struct kernel *k, const struct trace_event *ev);

#endif
