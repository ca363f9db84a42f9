/*
 * scenario_exec.h - the runner's state and the execution of one command.
 * Shared by scenario_run.c (judging) and scenario_exec.c (doing); not for
 * use elsewhere.
 */
#ifndef TLSSIM_SCENARIO_EXEC_H
#define TLSSIM_SCENARIO_EXEC_H

#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/thread.h"
#include "scenario_run.h"
#include "report/trace_out.h"

/* What one command did. */
struct outcome {
	enum { OUT_DONE, OUT_ERROR, OUT_PANIC, OUT_FAULT, OUT_HOST } kind;
	enum kernel_error err;			/* OUT_ERROR */
	char message[PANIC_MESSAGE_MAX];	/* panic, fault, host */
};

/* A scenario thread at run time. */
struct run_thread {
	struct thread *t;		/* NULL until (unless) spawned */
	const char *death_how;		/* "exited", "faulted", ... */
	size_t death_line;
};

/* A region named by `tls-alloc P as NAME`. */
struct run_region {
	uint64_t off;
	bool live;			/* allocated and not freed yet */
	bool named;			/* its tls-alloc succeeded once */
};

struct runner {
	const struct scenario *scn;
	const struct run_options *opt;
	struct kernel k;
	/* Runtime objects by the scenario's name indexes. */
	struct process **procs;
	struct run_thread *th;
	struct run_region *reg;
	const struct scn_cmd *cmd;	/* the command being run */
	int status;
	bool stop;
	unsigned failures;
	unsigned expectations;
	struct trace_out trace;
	void (*trace_line)(void *ctx, size_t line);
	void *trace_ctx;
};

/*
 * Bring up the runner and its kernel. Returns 0, RUN_MALFORMED when the
 * backend does not run here, RUN_HOST when the host refuses (messages
 * printed).
 */
int runner_init(struct runner *r, const struct scenario *scn,
		const struct run_options *opt);
void runner_fini(struct runner *r);

/*
 * Execute c, filling o (left OUT_DONE on success). Expectation commands
 * report their own failures with runner_fail. May panic.
 */
void exec_command(struct runner *r, const struct scn_cmd *c,
		  struct outcome *o);

/*
 * Make o a KernelError outcome (KERR_OK leaves it alone), or a host
 * refusal for KERR_HOST_REFUSED.
 */
void set_error(struct outcome *o, enum kernel_error err);

/*
 * Note how threads that just died went ("exited", "faulted", ...) and at
 * c's line; the first reason of each thread sticks.
 */
void record_deaths(struct runner *r, const struct scn_cmd *c, const char *how);

/* The commands that act as a thread (scenario_user.c). */
void exec_rw(struct runner *r, const struct scn_cmd *c, struct outcome *o,
	     bool expect);
void exec_peek_poke(struct runner *r, const struct scn_cmd *c,
		    struct outcome *o);

/* Report a failed check at c's line: "FILE:LINE: ..." and count it. */
void runner_fail(struct runner *r, const struct scn_cmd *c,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
