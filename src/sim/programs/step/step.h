/*
 * step.h - `tlssim step FILE`: a scenario run one command at a time under
 * the user's control, from a terminal (with line editing when the build
 * has libedit) or from a pipe (golden tests).
 */
#ifndef TLSSIM_STEP_H
#define TLSSIM_STEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "scenario/scenario_run.h"

/*
 * Load the scenario file (whole: `back` runs it again, `where` shows its
 * source; at most max_input bytes, 0: the default) and read step commands
 * from in until `quit` or its end, each step told on run->out. run gives
 * the kernel (arch, policy, CPUs, --no-tls-restore) and the colours;
 * run->out and run->err are where the session and its errors go.
 *
 * Returns the status of the commands run so far, as `tlssim run` would
 * (enum run_status: 0, 1, 3 or 4), or RUN_MALFORMED when the file is
 * malformed or cannot be read (its errors told on run->err, nothing runs)
 * or the register backend does not run here; RUN_HOST when the host
 * refused the simulator at its start.
 */
int step_main(const char *file, size_t max_input,
	      const struct run_options *run, FILE *in);

/*
 * The step commands with their arguments and what each does, from the
 * table that runs them (for help and --help).
 */
void step_print_commands(FILE *out);

/* Whether this build edits lines from a terminal (configure found libedit). */
bool step_line_editing(void);

#endif
