/*
 * fuzz_run.c - the part of the libFuzzer harnesses that parses a
 * scenario's text and runs it: diagnostics and every output of the run go
 * to /dev/null, opened once for the life of the fuzzer.
 */
#include <config.h>

#include "fuzz.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "report/diag.h"
#include "scenario/scenario.h"
#include "scenario/scenario_run.h"

/* /dev/null, opened by the first run; never closed. */
static FILE *null_out;

/* The sink for diagnostics and run output. Aborts when it cannot open. */
static FILE *fuzz_null(void)
{
	if (!null_out) {
		null_out = fopen("/dev/null", "w");
		if (!null_out) {
			perror("fuzz: /dev/null");
			abort();
		}
	}
	return null_out;
}

/* Whether scn stays within FUZZ_MAX_COMMANDS and FUZZ_MAX_THREADS. */
static bool fuzz_within_limits(const struct scenario *scn)
{
	return scn->cmd_count <= FUZZ_MAX_COMMANDS &&
	       scn->thread_count <= FUZZ_MAX_THREADS;
}

int fuzz_run_text(const char *text, size_t len, const struct fuzz_options *fo)
{
	FILE *null = fuzz_null();
	struct scenario *scn = NULL;
	struct run_options opt;
	struct diag *d;
	int err, status;

	if (len > FUZZ_MAX_INPUT)
		return -1;
	d = diag_new_stream(null, false);
	if (!d)
		return -1;
	err = scenario_parse("fuzz.tls", text, len, d, &scn);
	diag_free(d);
	if (err == -EINVAL)
		return RUN_MALFORMED;
	if (err)
		return -1;
	if (!fuzz_within_limits(scn)) {
		scenario_free(scn);
		return -1;
	}
	opt = (struct run_options){
		.arch = ARCH_MOCK,
		.no_tls_restore = fo->no_tls_restore,
		.trace = fo->trace,
		.trace_format = fo->trace_format,
		.verbose = fo->verbose,
		.narrate = fo->narrate,
		.fail_fast = fo->fail_fast,
		.out = null,
		.err = null,
		.policy = fo->policy,
	};
	status = scenario_run(scn, &opt);
	scenario_free(scn);
	return status;
}
