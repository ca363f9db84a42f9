/*
 * grade_tests.h - the tests of `tlssim grade`, private to grade*.c.
 *
 * Each test is a function that drives the manager being graded through
 * the kernel front (a process whose TLS it manages, raw TLSManager calls,
 * mappings of other memory) and says whether it passed, with a reason.
 * The driver (grade.c) runs every test in a forked child with a timeout,
 * so a test may crash, hang or panic: the driver reports that instead.
 *
 * - conformance (grade_conform.c): what every manager must do: eight
 *   regions a page, the lowest free slot first, bad frees panic with the
 *   seed's messages, a full land and a refused map change nothing.
 * - differential (grade_diff.c): random operations on the manager and on
 *   the reference ("sunrise") side by side: the same regions, errors,
 *   panics and pages.
 * - performance (grade_diff.c): 10^5 regions filled, 10^4 of them freed and
 *   allocated again, within the timeout; the time an operation takes is
 *   reported, not scored.
 * - scenario (grade_diff.c): a scenario file run with the manager as the
 *   policy of its processes; its expectations are the seed's.
 */
#ifndef TLSSIM_GRADE_TESTS_H
#define TLSSIM_GRADE_TESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "scenario/scenario.h"
#include "tls_manager.h"
#include "random.h"

#define GRADE_REASON_MAX 1024

/* What a test is given, and where it leaves its verdict's reason. */
struct grade_ctx {
	const struct tls_manager_ops *ops;	/* the manager graded */
	const struct tls_manager_ops *ref;	/* the reference: sunrise */
	uint64_t seed;				/* differential tests */
	const struct scenario *scn;		/* scenario tests */
	bool verbose;				/* longer reasons */
	/* Why the test failed, or a note on a pass (may be empty). */
	char reason[GRADE_REASON_MAX];
};

/* A test: 0 when it passed, -1 when it failed (g->reason says why). */
typedef int (*grade_fn)(struct grade_ctx *g);

struct grade_test {
	const char *name;
	unsigned points;
	grade_fn run;
};

/*
 * Set g->reason from a printf format. grade_fail returns -1 (a test's
 * failure), grade_note returns 0 (a pass with a note).
 */
int grade_fail(struct grade_ctx *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int grade_note(struct grade_ctx *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One test to run: a grade_test with its parameters. */
struct grade_item {
	char name[48];
	unsigned points;
	grade_fn run;
	uint64_t seed;
	const struct scenario *scn;
};

/* A test's verdict: rc 0 passed, -1 failed; the reason or a note. */
struct grade_result {
	int rc;
	char reason[GRADE_REASON_MAX];
};

/*
 * Run test t in a child process with g, under a timeout in seconds.
 * Returns 0 with *res filled (a crash, a timeout or an exit is a failure
 * that says so), or -1 when the host refused a pipe or a process (errno
 * set).
 */
int grade_run_forked(const struct grade_item *t, struct grade_ctx *g,
		     unsigned timeout, struct grade_result *res);

/* ---- a land: one process on a kernel, its TLS managed by ops ---- */

struct grade_land {
	struct kernel *k;
	struct process *p;
	const struct tls_manager_ops *ops;
	const char *name;	/* the process's name, in reasons */
};

/*
 * Bring up a kernel on the mock register backend. Returns 0, or -1 with
 * g->reason set (the host refused it).
 */
int grade_kernel_up(struct grade_ctx *g, struct kernel **k);

/*
 * A new process called name on k with a user land of pages pages, its TLS
 * managed by ops. Returns 0, or -1 with g->reason set: the manager's
 * create returned NULL, or the host refused the user land.
 */
int grade_land_open(struct grade_ctx *g, struct kernel *k,
		    const struct tls_manager_ops *ops, const char *name,
		    size_t pages, struct grade_land *l);

/* Kill the land's process (its manager is destroyed). */
void grade_land_close(struct grade_land *l);

/* A raw allocate: the manager's error; *off is the region's offset. */
enum kernel_error grade_alloc(struct grade_land *l, uint64_t *off);

/*
 * A raw free of the region at offset off. Returns NULL when the manager
 * did not panic, else its message, copied into msg (len bytes) with the
 * region's host address written "ADDR" so that two lands compare.
 */
const char *grade_free(struct grade_land *l, uint64_t off, char *msg,
		       size_t len);

/* The manager's figures. */
struct tlsm_stats grade_stats(const struct grade_land *l);

/* The pages a manager reports, as offsets sorted by address. */
#define GRADE_MAX_PAGES 4096
struct grade_pages {
	size_t n;
	bool overflow;		/* more than GRADE_MAX_PAGES */
	uint64_t base;		/* the user land's start */
	struct tlsm_page page[GRADE_MAX_PAGES];
};

void grade_pages(const struct grade_land *l, struct grade_pages *out);

/* Mappings in the land's process (TLS pages and others). */
size_t grade_mappings(const struct grade_land *l);

/*
 * Whether the region at offset off lies whole in a ThreadLocal mapping
 * of the land, on a TLS_SIZE boundary.
 */
bool grade_region_ok(const struct grade_land *l, uint64_t off);

/* ---- the tests ---- */

/* The conformance tests, in the order they run. */
extern const struct grade_test grade_conformance[];
extern const size_t grade_conformance_count;

/* Random operations against the reference, on the seed g->seed. */
int grade_differential(struct grade_ctx *g);

/* 10^5 regions filled, then 10^4 frees and allocates at random. */
int grade_performance(struct grade_ctx *g);
#define GRADE_PERF_REGIONS 100000
#define GRADE_PERF_PAIRS 10000

/* Run g->scn with the manager as the policy of its processes. */
int grade_scenario(struct grade_ctx *g);

#endif
