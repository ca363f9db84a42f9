/*
 * bench_work.h - the workloads of `tlssim bench`, each run once and timed.
 *
 * A workload runs a TLS manager policy (or the floor, a bare data
 * structure the others are measured against) in one of two modes:
 * kernel (the kernel model on real mmap: threads, processes, the events,
 * every host call) or bookkeeping (the manager alone, on memory callbacks
 * that make no host call).
 */
#ifndef TLSSIM_BENCH_WORK_H
#define TLSSIM_BENCH_WORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls_manager.h"

enum bench_workload {
	BW_FILL,	/* n threads spawned in one process; op = a spawn */
	BW_CHURN,	/* n live threads, then exit+spawn pairs; op = a pair */
	BW_PROCESSES,	/* n processes of one thread created and killed */
	BW_SCENARIO,	/* a churn scenario through the runner; op = a command */
	BW_SWITCH,	/* context switches within a process; op = a switch */
	BW_SWITCH_CROSS, /* switches between two processes (isolation) */
	BW_COUNT
};

enum bench_mode { BM_KERNEL, BM_BOOKKEEPING };

/* The exit+spawn pairs of a churn run: min(n, BENCH_CHURN_PAIRS). */
#define BENCH_CHURN_PAIRS 200000

/* One measured run. */
struct bench_sample {
	double ns_per_op;
	size_t ops;
	size_t bookkeeping_bytes;	/* the manager's, at its fullest */
	size_t live_tls;		/* regions live at that moment */
	size_t host_mappings;		/* host mappings of the user land, or 0 */
	/* the workload's floor, an op, or 0: switch-cross, one mprotect of
	 * a land; scenario, its file read twice with a lookup a line */
	double floor_ns;
	double check_ns;	/* scenario: the check's part of ns_per_op */
};

const char *bench_workload_name(enum bench_workload w);
/* BW_COUNT when name is none. */
enum bench_workload bench_workload_from_name(const char *name);
const char *bench_mode_name(enum bench_mode m);

/* Whether workload w runs in mode m (scenario and switches: kernel only). */
bool bench_workload_has_mode(enum bench_workload w, enum bench_mode m);

/* The floor: pages by number, a two-level bitmap of pages with room. */
extern const struct tls_manager_ops bench_floor_ops;

/*
 * Run workload w once with policy ops in mode m at size n; seed varies the
 * random choices of churn. cold: kernel-mode churn does not bring the next
 * victim's record into the cache ahead (see prefetch_victim). Returns 0
 * and fills *s; -ENOMEM or -EAGAIN when the host refused the simulator
 * (reported on stderr); -EIO when the run went wrong (an unexpected
 * KernelError, reported).
 */
int bench_work_run(enum bench_workload w, const struct tls_manager_ops *ops,
		   enum bench_mode m, size_t n, unsigned seed, bool cold,
		   struct bench_sample *s);

/* ---- shared by the workloads' files ---- */

/* CLOCK_MONOTONIC in nanoseconds. */
double bench_now_ns(void);
/* ops operations timed from t0 to t1 (ns) into s. */
void bench_timed(struct bench_sample *s, size_t ops, double t0, double t1);
/* The exit+spawn pairs of a churn of n threads. */
size_t bench_churn_pairs(size_t n);
/* A user land with room for n regions and some slack, in bytes. */
size_t bench_land_for(size_t n);

/*
 * scenario (bench_scenario.c): the churn of n threads (n spawns, then
 * bench_churn_pairs(n) exit+spawn pairs, chosen from rng) written as a
 * scenario file and run as `tlssim run` runs it: checked, then read again
 * and each command parsed and run, with a silent reporter. The time is
 * the whole of it, both readings included; s->check_ns is the first
 * reading's part, a command. s->floor_ns: the same file read twice with
 * one name looked up a line and nothing parsed or run, a command.
 * Returns as bench_work_run.
 */
int bench_scenario_run(const struct tls_manager_ops *ops, size_t n,
		       uint64_t rng, struct bench_sample *s);

#endif
