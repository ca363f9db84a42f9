/*
 * reporter.h - what a reporter is told about a scenario run: one report per
 * command (what it did, what it observed, whether it held) and a summary
 * at the end. The runner judges; reporters only present. The text reporter
 * is what `tlssim run` prints; quiz and grade are reporters too.
 */
#ifndef TLSSIM_REPORTER_H
#define TLSSIM_REPORTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "show.h"

/* Exit statuses of `tlssim run` (DESIGN.md). */
enum run_status {
	RUN_OK = 0,		/* every expectation held */
	RUN_FAILED = 1,		/* an expectation failed, or a command */
	RUN_MALFORMED = 2,	/* bad scenario or command line */
	RUN_PANIC = 3,		/* the kernel panicked unexpectedly */
	RUN_HOST = 4,		/* the host refused the simulator */
};

/* How a command's step ended. */
enum step_verdict {
	STEP_HELD,		/* did what was expected */
	STEP_FAILED,		/* an expectation or the command failed */
	STEP_PANIC,		/* the kernel panicked unexpectedly: run stops */
	STEP_HOST,		/* the host refused the simulator: run stops */
};

/*
 * Bytes a command stored through a thread's TLS register into an IPC
 * buffer (`write T ipc[+OFF] VALUE`): where, so that a reporter can read
 * what the memory holds (process_debug_read), not the command's text.
 */
struct step_store {
	const char *thread;		/* who wrote */
	const char *field;		/* "ipc", "ipc+0x10" */
	uintptr_t region;		/* where its register pointed (the
					 * region written; another thread's
					 * when the register was stale) */
	uintptr_t addr;			/* the first byte stored */
	size_t len;			/* bytes stored ("" stores none) */
};

struct step_report {
	const char *file;
	size_t line;
	const char *command;		/* its source text, for messages */
	const char *outcome;		/* "success", "KernelError X", ... */
	enum step_verdict verdict;
	/* An expectation the command itself checked, failed (or NULL). */
	const char *check_failure;
	/* The outcome was not the expected one (or NULL). */
	const char *message;
	/*
	 * A step that stops the run (STEP_PANIC, STEP_HOST): the panic's
	 * message, or what the host refused, in its own words (else NULL).
	 */
	const char *stop_reason;
	/* A value the command read, "t ipc = \"hi\"" (or NULL). */
	const char *observed;
	/*
	 * The step's story for people (or NULL): one line per thing the
	 * kernel did and why ("t3 -> A+0x3400: page 1 (...), slot 2"),
	 * each ending in a newline, in the words of the policy that ran.
	 */
	const char *narration;
	/* A process to draw (show), or NULL. */
	const struct process *show;
	/* The IPC buffer the command wrote, when it did and held; or NULL. */
	const struct step_store *ipc_write;
	/*
	 * On every step: the kernel right after the command, for reporters
	 * that draw it (through the front's queries only), and the names of
	 * raw regions for a drawing's slots.
	 */
	const struct kernel *kernel;
	show_owner_fn owner;
	void *owner_ctx;
};

struct run_summary {
	const char *file;
	int status;			/* enum run_status */
	size_t commands;
	unsigned failures;
	unsigned expectations;
	size_t stop_line;		/* RUN_PANIC: the panic's line */
	/* The kernel as the run left it (not torn down yet), as in steps. */
	const struct kernel *kernel;
	show_owner_fn owner;
	void *owner_ctx;
};

struct reporter {
	void (*step)(void *ctx, const struct step_report *s);
	void (*summary)(void *ctx, const struct run_summary *s);
	void *ctx;
	/*
	 * It reads a step's command and outcome texts only when the step
	 * failed: the runner leaves them NULL on the others, and saves
	 * writing them a step (most of the steps of a long quiet run).
	 */
	bool texts_on_failure;
	/*
	 * It says nothing of a step that held with nothing to tell (no
	 * story, value, drawing, failure or message): the runner does not
	 * call it for one (most of the steps of a long quiet run).
	 */
	bool news_only;
	/*
	 * It lists every process the kernel holds, killed ones too
	 * (kernel_for_each_process): a streamed run then releases no
	 * process, so that killed ones stay listed to the end.
	 */
	bool all_processes;
};

/* The text reporter's settings: what `tlssim run` prints, and where. */
struct text_reporter {
	FILE *out;		/* story, values, show, --verbose, summary */
	FILE *err;		/* failures */
	bool quiet;		/* failures only */
	bool verbose;		/* a line per command */
	bool color;		/* colours on out */
	bool err_color;		/* colours on err */
};

/*
 * The outcome of step s as reporters print it, into buf: s->outcome when
 * it did what was expected, else "FAILED" (its outcome was a success but
 * what it checked did not hold) or "FAILED: OUTCOME". Returns buf.
 */
const char *step_outcome_text(const struct step_report *s, char *buf,
			      size_t size);

/* A reporter that prints as tlssim run does, to tr's streams. */
struct reporter text_reporter(struct text_reporter *tr);

/*
 * A reporter that presents nothing: for the runner's own cost (the
 * benchmark), or pictures in a build without cairo.
 */
struct reporter reporter_silent(void);

#endif
