/*
 * session.h - a scenario run under someone's control, a command at a time
 * (`tlssim step`): the runner of run.c without its loop. The caller picks
 * each command to run, reads the kernel between commands through
 * kernel.h's queries, turns the trace on and off, and starts again on a
 * fresh kernel to go back (the runner is deterministic).
 */
#ifndef TLSSIM_SESSION_H
#define TLSSIM_SESSION_H

#include <stdbool.h>

#include "kernel/kernel.h"
#include "scenario.h"
#include "scenario_run.h"

struct scn_session;

/*
 * A fresh kernel for a loaded scenario scn (its commands in memory), set
 * up as opt says (opt->reporter and opt->also are not used: the caller
 * presents each step). scn and opt must outlive the session. Returns 0
 * and sets *out; RUN_MALFORMED when the register backend does not run
 * here, RUN_HOST when the host refuses (told on opt->err).
 */
int scn_session_start(const struct scenario *scn, const struct run_options *opt,
		      struct scn_session **out);

/* Tear the kernel down and free the session. NULL is a no-op. */
void scn_session_end(struct scn_session *s);

/*
 * Run command c of the scenario and describe it in *rep, whose strings
 * live until the next step or the session's end. Updates the status and
 * the counts; after a step that stops the run (an unexpected panic, a
 * host refusal) scn_session_stopped is true.
 */
void scn_session_step(struct scn_session *s, const struct scn_cmd *c,
		      struct step_report *rep);

/* Whether the run stopped (an unexpected panic or a host refusal). */
bool scn_session_stopped(const struct scn_session *s);

/*
 * The run so far as a summary: the status (enum run_status), the failures
 * and expectations counted, the kernel and the owners of raw regions;
 * commands is the caller's count.
 */
void scn_session_summary(const struct scn_session *s, size_t commands,
			 struct run_summary *out);

/* The session's kernel, for queries between commands. */
struct kernel *scn_session_kernel(const struct scn_session *s);

/*
 * The process the scenario declared as its index-th (scenario.processes),
 * or NULL while its `process` command has not run.
 */
struct process *scn_session_process(const struct scn_session *s, size_t index);

/*
 * Kernel events of the following steps, as text lines (or in
 * opt->trace_format) on opt->trace_to, else opt->out: on or off.
 */
void scn_session_trace(struct scn_session *s, bool on);

#endif
