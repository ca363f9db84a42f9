/*
 * bench_report.h - the results of `tlssim bench` and how they are told:
 * the targets judged on them (text), or one JSON object.
 */
#ifndef TLSSIM_BENCH_REPORT_H
#define TLSSIM_BENCH_REPORT_H

#include <stdio.h>

#include "bench_work.h"

/* One case: a workload, policy, mode and size, over its runs. */
struct bench_result {
	enum bench_workload workload;
	const struct tls_manager_ops *ops;
	enum bench_mode mode;
	size_t n, ops_per_run, host_mappings;
	double ns_per_op;		/* median */
	double floor_ns;		/* median of the workload's floor, or 0
					 * (bench_sample) */
	double check_ns;		/* median of bench_sample's, or 0 */
	double bytes_per_tls;		/* 0 when no TLS is live */
	size_t peak_rss;		/* bytes, largest of the runs */
	unsigned runs;
};

struct bench_results {
	struct bench_result *r;
	size_t n, cap;
	bool cold;		/* measured with --cold */
};

/* The case with these keys, or NULL when it did not run. */
const struct bench_result *bench_find(const struct bench_results *rs,
				      enum bench_workload w, const char *policy,
				      enum bench_mode m, size_t n);

/* The project's targets, judged on rs, one line each ("met"/"NOT met"). */
void bench_print_targets(FILE *out, const struct bench_results *rs);

/*
 * {"results": [...], "targets": [...], "cold": BOOL} with jansson. 0, or
 * -ENOMEM.
 */
int bench_print_json(FILE *out, const struct bench_results *rs);

#endif
