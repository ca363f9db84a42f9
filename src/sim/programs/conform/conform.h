/*
 * conform.h - the conformance suite of the TLS manager interface: one
 * library, parameterised by a manager's ops, whose tests say why they
 * failed. `tlssim grade` runs it on a student's manager (each test in a
 * forked child, grade_run.c); `make check` runs it over every built-in
 * policy (tests/check_conformance.c).
 *
 * Each test drives the manager through the kernel API (a process whose
 * TLS it manages, raw TLSManager calls, mappings of other memory) and
 * returns 0 when it passed, -1 when it failed, with the reason in the
 * context. A test may crash, hang or panic on a broken manager: whoever
 * runs it decides how to survive that.
 *
 * - the rules (conform_rules.c): what every manager must do: eight
 *   regions a page, the lowest free slot first, bad frees panic with the
 *   seed's messages, a full land and a refused map change nothing.
 * - the differential (conform_diff.c): random operations on the manager
 *   and on the reference ("sunrise") side by side: the same regions,
 *   errors, panics and pages.
 * - performance (conform_diff.c): 10^5 regions filled, 10^4 of them freed
 *   and allocated again; the time an operation takes is reported, not
 *   scored.
 * - scenario (conform_diff.c): a scenario file run with the manager as
 *   the policy of its processes; its expectations are the seed's.
 * - conform_land.c: what the tests stand on.
 */
#ifndef TLSSIM_CONFORM_H
#define TLSSIM_CONFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "scenario/scenario.h"
#include "tls_manager.h"
#include "random.h"

#define CONFORM_REASON_MAX 1024

/* What a test is given, and where it leaves its verdict's reason. */
struct conform_ctx {
	const struct tls_manager_ops *ops;	/* the manager graded */
	const struct tls_manager_ops *ref;	/* the reference: sunrise */
	uint64_t seed;				/* differential tests */
	const struct scenario *scn;		/* scenario tests */
	bool verbose;				/* longer reasons */
	/* Why the test failed, or a note on a pass (may be empty). */
	char reason[CONFORM_REASON_MAX];
	/*
	 * The clock of timed rounds (NULL: the monotonic clock): called
	 * between rounds, when all that came before is done; returns
	 * nanoseconds (see conform_lap).
	 */
	double (*lap)(struct conform_ctx *g);
};

/* A test: 0 when it passed, -1 when it failed (g->reason says why). */
typedef int (*conform_fn)(struct conform_ctx *g);

struct conform_test {
	const char *name;
	unsigned points;
	conform_fn run;
};

/*
 * Set g->reason from a printf format. conform_fail returns -1 (a test's
 * failure), conform_note returns 0 (a pass with a note).
 */
int conform_fail(struct conform_ctx *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int conform_note(struct conform_ctx *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- a land: one process on a kernel, its TLS managed by ops ---- */

struct conform_land {
	struct kernel *k;
	struct process *p;
	const struct tls_manager_ops *ops;
	const char *name;	/* the process's name, in reasons */
};

/*
 * Bring up a kernel on the mock register backend. Returns 0, or -1 with
 * g->reason set (the host refused it).
 */
int conform_kernel_up(struct conform_ctx *g, struct kernel **k);

/*
 * A new process called name on k with a user land of pages pages, its TLS
 * managed by ops. Returns 0, or -1 with g->reason set: the manager's
 * create returned NULL, or the host refused the user land.
 */
int conform_land_open(struct conform_ctx *g, struct kernel *k,
		    const struct tls_manager_ops *ops, const char *name,
		    size_t pages, struct conform_land *l);

/* Kill the land's process (its manager is destroyed). */
void conform_land_close(struct conform_land *l);

/* A raw allocate: the manager's error; *off is the region's offset. */
enum kernel_error conform_alloc(struct conform_land *l, uint64_t *off);

/*
 * A raw free of the region at offset off. Returns NULL when the manager
 * did not panic, else its message, copied into msg (len bytes) with the
 * region's host address written "ADDR" so that two lands compare.
 */
const char *conform_free(struct conform_land *l, uint64_t off, char *msg,
		       size_t len);

/*
 * Offset off of the land as text: "A+0x200", or "outside the user land"
 * past its end (a host address a manager handed out, never shown). The
 * text lives in a ring of four buffers: four may be used at once.
 */
const char *conform_where(const struct conform_land *l, uint64_t off);

/* The monotonic clock, in nanoseconds. */
double conform_now_ns(void);

/*
 * A point between timed rounds: every operation before it is done, and
 * the time after it counts from its return. Returns g->lap(g), or the
 * monotonic clock. (Under `tlssim grade` the manager runs in another
 * process, which the lap waits for.)
 */
double conform_lap(struct conform_ctx *g);

/* The manager's figures. */
struct tlsm_stats conform_stats(const struct conform_land *l);

/* The pages a manager reports, as offsets sorted by address. */
#define CONFORM_MAX_PAGES 4096
struct conform_pages {
	size_t n;
	bool overflow;		/* more than CONFORM_MAX_PAGES */
	uint64_t base;		/* the user land's start */
	struct tlsm_page page[CONFORM_MAX_PAGES];
};

void conform_pages(const struct conform_land *l, struct conform_pages *out);

/* Mappings in the land's process (TLS pages and others). */
size_t conform_mappings(const struct conform_land *l);

/*
 * Whether the region at offset off lies whole in a ThreadLocal mapping
 * of the land, on a TLS_SIZE boundary.
 */
bool conform_region_ok(const struct conform_land *l, uint64_t off);

/* ---- the tests ---- */

/* The conformance tests, in the order they run. */
extern const struct conform_test conform_rules[];
extern const size_t conform_rules_count;

/* Random operations against the reference, on the seed g->seed. */
int conform_differential(struct conform_ctx *g);

/* 10^5 regions filled, then 10^4 frees and allocates at random. */
int conform_performance(struct conform_ctx *g);
#define CONFORM_PERF_REGIONS 100000
#define CONFORM_PERF_PAIRS 10000

/*
 * How the cost of a free and an allocate grows with the regions in use,
 * from CONFORM_GROWTH_SMALL to CONFORM_GROWTH_LARGE (100 times more):
 * passes when it grows less than CONFORM_GROWTH_MAX times, as an O(1) or
 * O(log n) manager's does, and fails a linear scan's.
 */
int conform_complexity(struct conform_ctx *g);
#define CONFORM_GROWTH_SMALL 1000
#define CONFORM_GROWTH_LARGE 100000
#define CONFORM_GROWTH_MAX 10.0

/* Run g->scn with the manager as the policy of its processes. */
int conform_scenario(struct conform_ctx *g);

#endif
