/*
 * fuzz_scenario.c - libFuzzer entry over the scenario parser and runner:
 * the fuzz bytes are a scenario's text, parsed and, when they parse, run
 * on the mock register backend with every output going to /dev/null.
 *
 * Its seeds are the golden scenario tests and the examples (scripts/fuzz,
 * `make fuzz`); tests/fuzz/scenario.dict gives it the language's words.
 */
#include <config.h>

#include "fuzz.h"

/* libFuzzer's entry; its prototype is libFuzzer's, not a header's. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Run one input. Returns 0, or -1 for an input the harness refuses (over
 * FUZZ_MAX_INPUT or the run limits), which libFuzzer keeps out of the
 * corpus. A bug of tlssim shows as a sanitizer report or a crash.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* as `tlssim run FILE`: each step's story told */
	static const struct fuzz_options fo = {
		.trace_format = TRACE_TEXT, .narrate = true,
	};

	if (fuzz_run_text((const char *)data, size, &fo) < 0)
		return -1;
	return 0;
}
