/*
 * scenario_run.h - run a parsed scenario on a fresh simulated kernel, step
 * by step, judging its expectations and telling a reporter.
 */
#ifndef TLSSIM_SCENARIO_RUN_H
#define TLSSIM_SCENARIO_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include "cpu/cpu.h"
#include "scenario.h"
#include "report/reporter.h"
#include "report/trace_out.h"
#include "tls_manager.h"

struct run_options {
	enum arch_backend arch;
	bool no_tls_restore;
	bool trace;		/* print kernel events */
	enum trace_format trace_format;
	bool quiet;		/* diagnostics only */
	bool no_progress;	/* --quiet: no progress line either (render
				   runs quiet, yet shows its progress) */
	bool verbose;		/* one line per command */
	/*
	 * Tell each step's story (step_report.narration, and the kernel asked
	 * for the policies' reasons). Off, the runner pays nothing for it:
	 * for the benchmark, grade, quiz and output that does not show it.
	 */
	bool narrate;
	bool fail_fast;		/* stop at the first failed expectation */
	bool color;		/* colours on out */
	bool err_color;		/* colours on err (failures) */
	FILE *out;		/* read/show output, summaries, traces */
	FILE *trace_to;		/* traces instead of out (NULL: out) */
	FILE *err;		/* failures and errors */
	/* The policy of processes that name none (NULL: sunrise). */
	const struct tls_manager_ops *policy;
	/* Simulated CPUs (0 or 1: one); jobs run on CPU tid mod cpus. */
	unsigned cpus;
	/* Who is told about each step (NULL: the text reporter). */
	const struct reporter *reporter;
	/* Also told, after it (NULL: nobody): pictures (--render). */
	const struct reporter *also;
};

/*
 * Whether a run with opt shows its progress (on a terminal): not with
 * --quiet (no_progress), nor among a line per command (verbose) or per
 * event printed (a trace not sent to trace_to). The check's progress
 * follows the same rule.
 */
bool run_shows_progress(const struct run_options *opt);

/*
 * Run scn on a fresh kernel. Returns a run_status: RUN_OK, RUN_FAILED,
 * RUN_PANIC (the run stops at an unexpected panic), RUN_HOST (the run
 * stops when the host refuses a user land or memory), or RUN_MALFORMED when
 * the register backend is not available here.
 */
int scenario_run(const struct scenario *scn, const struct run_options *opt);

#endif
