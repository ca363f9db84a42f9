/*
 * fuzz.h - what the libFuzzer harnesses share (fuzz_run.c): a scenario's
 * text parsed and, when it parses and stays within the harness's limits,
 * run on a fresh kernel on the mock register backend, printing nothing
 * (the story of each step, as `tlssim run` tells it, goes to /dev/null).
 *
 * fuzz_scenario.c feeds the fuzz bytes to it as they are; fuzz_commands.c
 * first turns them into a well-formed command stream.
 */
#ifndef TLSSIM_FUZZ_H
#define TLSSIM_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/trace_out.h"
#include "tls_manager.h"

/* The largest input either harness looks at (64 KiB). */
#define FUZZ_MAX_INPUT ((size_t)64 << 10)

/*
 * Most commands and threads of a scenario the harness runs: enough for
 * every golden test and example, few enough that one run takes
 * milliseconds (a thread costs a host stack and a context).
 */
#define FUZZ_MAX_COMMANDS 4096
#define FUZZ_MAX_THREADS 512

/* The run options a harness may vary (the rest are fixed). */
struct fuzz_options {
	bool no_tls_restore;
	bool verbose;
	bool fail_fast;
	bool trace;
	bool narrate;		/* tell each step's story (run's default) */
	enum trace_format trace_format;
	const struct tls_manager_ops *policy;	/* NULL: sunrise */
};

/*
 * Parse text[0..len) and run it when it parses and is within the limits
 * above. Returns the run's status (RUN_OK ... RUN_HOST), RUN_MALFORMED when
 * the text does not parse, or -1 when the harness refused it (too large,
 * over a limit, out of memory): libFuzzer then keeps it out of the corpus.
 * Aborts when /dev/null cannot be opened.
 */
int fuzz_run_text(const char *text, size_t len, const struct fuzz_options *fo);

#endif
