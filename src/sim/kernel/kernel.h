/*
 * kernel.h - the kernel model's public face: all that the layers above it
 * (the scenario runner, the reporters, the built-in programs, the command
 * line) may know of it. A kernel, its processes and its threads are
 * opaque handles: the layers above create and drive them with the calls
 * below, and see their state only through the queries at the end. The
 * other headers of src/sim/kernel/ are private to that folder (and to the
 * kernel's own tests); tests/layers-test.sh enforces it.
 *
 * A query takes the lock it needs itself; its callbacks must not call the
 * kernel. Offsets are from the start of a process's user land; addresses
 * are host addresses, as the TLS register holds them.
 */
#ifndef TLSSIM_KERNEL_API_H
#define TLSSIM_KERNEL_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "kerror.h"
#include "memory.h"
#include "trace.h"

struct kernel;
struct process;
struct thread;

/* CPUs one kernel can drive (--cpus=N). */
#define KERNEL_MAX_CPUS 64

/* What a simulated thread runs. It must end with sys_exit (or loop). */
typedef void (*user_program)(struct kernel *k, struct thread *t, void *arg);

enum thread_state {
	THREAD_READY,		/* created or runnable */
	THREAD_DEAD,		/* exited, killed or faulted; TLS freed */
};

/*
 * A new kernel on one CPU with the given register backend (ARCH_AUTO: the
 * best of this host), into *out. Returns 0; -ENOTSUP when the backend
 * cannot be had here (arch_backend_why_not says why); -ENOMEM, or the
 * backend's negative errno, when the host refuses.
 */
int kernel_create(enum arch_backend backend, bool no_tls_restore,
		  struct kernel **out);

/* Kill every process, free everything, restore the host register. */
void kernel_destroy(struct kernel *k);

/* ---- The kernel ---- */

/*
 * Report events to fn(ctx, event), every kind of them until
 * kernel_trace_kinds says otherwise; NULL stops reporting.
 */
void kernel_set_trace(struct kernel *k, trace_fn fn, void *ctx);

/*
 * Report only the events whose bit (1u << kind) is in kinds
 * (TRACE_ALL_KINDS: all of them); inside the kernel, an event nobody
 * takes is not even built.
 */
void kernel_trace_kinds(struct kernel *k, uint32_t kinds);

/*
 * Ask each TLS policy, right after every allocate and free, why it did
 * what it did (its explain op), into the events' why; off by default (it
 * costs a call and a copy per operation). For narrated runs.
 */
void kernel_explain_tls(struct kernel *k, bool on);

/*
 * Whether a switch event's reg is the register read back from the
 * hardware (on, the default) or the CPU's copy of what it last loaded
 * there (off). The two are equal; the readback proves it, and costs a
 * host call a switch where the CPU has no fsgsbase (ARCH_GET_GS) or on
 * i386 (get_thread_area). For a listener that never shows reg.
 */
void kernel_read_back_register(struct kernel *k, bool on);

/* Emit an event to the kernel's listener, if any. */
void kernel_emit(struct kernel *k, const struct trace_event *ev);

/*
 * Fault injection for labs and tests: the n-th create_regular_mapping from
 * now (1 = the next one), in any process of this host thread, fails at the
 * host mmap step with PhysicalMemoryExhaustion. 0 cancels.
 */
void kernel_inject_map_fail(unsigned n);

/*
 * Drive n CPUs (1 to KERNEL_MAX_CPUS): start CPUs 1..n-1, each bringing up
 * its register backend in its own host thread. Call once, right after
 * kernel_init, before any thread runs. Returns 0; -EINVAL for a bad n or a
 * second call; -EAGAIN when the host refuses a thread; or a CPU's cpu_init
 * error (then the kernel is back to one CPU).
 */
int kernel_set_cpus(struct kernel *k, unsigned n);

/* ---- Processes ---- */

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
 * The caller of process_create is done with p: once p is dead, its range
 * released (no register points into it) and no thread record names it
 * any more (each released, see thread_release), its record is freed and
 * it leaves the kernel's list of processes: here if it is done already,
 * else at the first process_create or process_release after that. p must
 * not be used after this call. A process never released stays, dead, until kernel_fini, for the
 * reports that name it; a run that creates and kills processes without
 * end releases them, so that its memory follows the live ones.
 */
void process_release(struct kernel *k, struct process *p);

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
 * What the host last refused the kernel model, for a KERR_HOST_REFUSED
 * (e.g. "mmap of 0x1000 bytes: Cannot allocate memory").
 */
const char *kernel_host_error(void);

/* ---- Threads ---- */

/*
 * New thread in p running program(arg). Allocates its TLS; on failure the
 * thread is not created and the KernelError is returned (KERR_PROCESS_KILLED
 * for a dead p, KERR_HOST_REFUSED when the host has no memory for the
 * thread's record). The caller holds *out until thread_release, or until
 * kernel_fini if it never releases it.
 */
enum kernel_error thread_create(struct kernel *k, struct process *p,
				const char *name, user_program program,
				void *arg, struct thread **out);

/* t dies: its TLS is freed. KERR_INVALID_STATE if already dead. */
enum kernel_error thread_exit(struct kernel *k, struct thread *t);

/*
 * The caller of thread_create is done with t: once t is dead (now, if it
 * is) and off every CPU, its record goes back to the kernel, to be the
 * next thread's. t must not be used after this call. A thread that runs a
 * program stays until kernel_fini: the round robin walks through it.
 */
void thread_release(struct kernel *k, struct thread *t);

/* ---- Running: the scheduler, user programs and their accesses ---- */

/*
 * Run every ready thread round robin until none is left ready. A thread's
 * fault kills it and is traced; the others go on. Returns the number of
 * threads that faulted, or -ENOMEM when the host refused a thread its
 * stack (the run stops there).
 */
int kernel_run(struct kernel *k);

/*
 * Switch to t and run job(k, t, arg) as t, on t's stack, then come back
 * (with several CPUs, on CPU tid mod CPUs, the caller waiting). Returns 0,
 * or 1 when the job faulted (then t is dead and kernel_last_fault says
 * why), -1 when t is dead, -2 when the host
 * refused t a stack or the switch of address space (nothing ran). t holds a host stack only during the
 * job.
 */
int kernel_run_as(struct kernel *k, struct thread *t,
		  void (*job)(struct kernel *, struct thread *, void *),
		  void *arg);

/*
 * sched_switch_to on t's CPU (see kernel_run_as), for a scenario's
 * `switch`. Returns as sched_switch_to.
 */
enum kernel_error kernel_switch_to(struct kernel *k, struct thread *t);

/*
 * What the last fault of user code was, on whichever CPU ("page fault at
 * P+0x10: not mapped"), or "" before any.
 */
const char *kernel_last_fault(struct kernel *k);

/* Syscalls for user programs: give up the CPU; die. */
void sys_yield(struct kernel *k);

void sys_exit(struct kernel *k) __attribute__((noreturn));

/*
 * How far past the register's base user code may name a byte (tls+OFF:
 * OFF below a page). Every access is checked against the land the
 * register points into; as a second defence each land has PROT_NONE guard
 * pages at least this large on both sides (pmem.c).
 */
#define USER_REACH_MAX ((size_t)0x1000)

/*
 * User side: reach the running thread's TLS through the register. An
 * access that leaves the user land the register points into is a
 * simulated fault (outside every user land) before the host sees it.
 */
void user_read(struct kernel *k, size_t off, void *buf, size_t len);

void user_write(struct kernel *k, size_t off, const void *buf, size_t len);

/*
 * User side, flat: the running thread loads (store false) or stores len
 * bytes at a host address, outside the register path (peek, poke). A fault
 * lands like any user fault; so does a range that is not inside one
 * process's user land, before the host sees it. Not traced: the caller
 * knows which process the address belongs to and traces it as an offset.
 */
void user_access_flat(struct kernel *k, uintptr_t addr, void *buf, size_t len,
		      bool store);

/* ---- Queries of processes ---- */

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

/*
 * The debugger's read (tlssim step's peek): len bytes at offset of p's
 * user land into buf, from the kernel's side, between commands: no thread
 * runs, no register or space changes, nothing is traced. Returns KERR_OK;
 * KERR_PROCESS_KILLED for a dead p; KERR_INVALID_ADDRESS when a byte is
 * past the land or not in a readable mapping (buf is then untouched);
 * KERR_HOST_REFUSED when the host refused to show a hidden land for the
 * copy, or to hide it again after it (kernel_host_error says what).
 */
enum kernel_error process_debug_read(struct kernel *k, struct process *p,
				     uint64_t offset, void *buf, size_t len);

/* ---- Queries of threads ---- */

/* fn(arg, t) for every live thread of p, in creation order. */
void process_for_each_thread(const struct kernel *k, const struct process *p,
			     void (*fn)(void *arg, const struct thread *t),
			     void *arg);

/* ---- Queries of the kernel ---- */

/* The register backend the kernel's CPUs run. */
enum arch_backend kernel_backend(const struct kernel *k);
/* How many CPUs it drives. */
unsigned kernel_cpu_count(const struct kernel *k);
/* Context switches made so far, on every CPU. */
uint64_t kernel_switches(const struct kernel *k);
/* Reads of a TLS register back from the hardware so far, on every CPU. */
uint64_t kernel_register_readbacks(const struct kernel *k);
/*
 * The TLS register of the CPU the calling host thread drives, as the
 * hardware (or the mock) holds it: what user code reaches now.
 */
uintptr_t kernel_tls_register(struct kernel *k);
/*
 * The same register as that CPU last loaded it, without a host call: the
 * value the hardware holds (kernel_tls_register reads it back).
 */
uintptr_t kernel_tls_loaded(struct kernel *k);
/*
 * What CPU cpu (below kernel_cpu_count) holds: *current its running
 * thread (NULL before its first switch) and *reg its TLS register as it
 * was last loaded (the live register for the CPU the caller drives). A
 * register differs from current's TLS only when it is stale
 * (--no-tls-restore). For reporters between commands.
 */
void kernel_cpu_state(struct kernel *k, unsigned cpu,
		      const struct thread **current, uintptr_t *reg);

/* ---- Queries of a process (kept after its death, for reports) ---- */

const char *process_name(const struct process *p);
unsigned process_pid(const struct process *p);
bool process_dead(const struct process *p);
/* Where its user land starts (a host address) and how large it is. */
uintptr_t process_userland_start(const struct process *p);
size_t process_userland_size(const struct process *p);
/* Its TLS manager's policy. */
const struct tls_manager_ops *process_policy(const struct process *p);
/*
 * Whether its policy gives reasons: an interface of version 2 or later
 * with an explain op (a version 1 table ends before it).
 */
bool process_policy_explains(const struct process *p);

/* ---- Queries of a thread (kept after its death until released) ---- */

const char *thread_name(const struct thread *t);
unsigned thread_tid(const struct thread *t);
struct process *thread_process(const struct thread *t);
bool thread_dead(const struct thread *t);
/* Its TLS region's host address (0 once dead) and offset (kept). */
uintptr_t thread_tls(const struct thread *t);
uint64_t thread_tls_offset(const struct thread *t);
/* The kernel that holds it. */
struct kernel *thread_kernel(const struct thread *t);
/*
 * Bring t's record into the cache ahead of its use, as a kernel has the
 * running thread's (the benchmark's churn; costs nothing else).
 */
void thread_prefetch(const struct thread *t);

#endif
