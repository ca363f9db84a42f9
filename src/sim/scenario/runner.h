/*
 * runner.h - the scenario runner's state and its step: one command run on
 * the kernel, its outcome judged, what it observed handed to a reporter.
 * Shared by the runner (step.c, run.c) and the commands' executors
 * (cmd_*.c); not for use elsewhere.
 */
#ifndef TLSSIM_RUNNER_H
#define TLSSIM_RUNNER_H

#include "kernel/kernel.h"
#include "narrate.h"
#include "parser.h"
#include "report/reporter.h"
#include "scenario_run.h"
#include "tidmap.h"

/* What one command did to the kernel. */
struct outcome {
	enum { OUT_DONE, OUT_ERROR, OUT_PANIC, OUT_FAULT, OUT_HOST } kind;
	enum kernel_error err;			/* OUT_ERROR */
	char message[PANIC_MESSAGE_MAX];	/* panic, fault, host; or why */
};

/* Room for a failure naming two IPC buffers, escaped. */
#define STEP_TEXT_MAX (2 * (TLS_IPC_SIZE * 4 + 8) + 256)

/* What one command did and saw, filled by its executor (each field reset
 * by step_clear in step.c before it runs: a new field goes there too). */
struct step {
	struct outcome o;
	bool checked;			/* it checked an expectation ... */
	char failure[STEP_TEXT_MAX];	/* ... which failed, saying why */
	char observed[TLS_IPC_SIZE * 4 + 64];	/* a value it read */
	const struct process *show;	/* a process to draw */
	bool wrote_ipc;			/* a write into an IPC buffer ... */
	struct step_store ipc_write;	/* ... landed here */
	char field[24];			/* its field, as scn_field_text */
};

/*
 * A scenario thread at run time. Once it is dead, the runner keeps what it
 * still needs (its last TLS, how and where it died) and gives the kernel's
 * record back at the next step, so a long run holds the records of its
 * live threads only. 24 bytes, and a byte in r->th_how: a run holds one
 * per thread a later line names (10^6 in a large churn).
 */
struct run_thread {
	struct thread *t;		/* NULL until spawned, and once released */
	uint64_t tls_offset;		/* its TLS, from its spawn on */
	uint32_t death_line;		/* UINT32_MAX: that line or later */
	uint32_t next_dead;		/* on r->dead_unreleased, or UINT32_MAX */
};

/*
 * A streamed run's thread names, which the stream keeps (the context,
 * runner.names_ctx). find: the entry of r->scn's threads of that name, or
 * SCN_NONE; the kernel's thread keeps the name, so the run needs no tid
 * map. borrow: a spawned thread's name becomes the kernel's copy of it
 * (one copy instead of two). own: the name gets bytes of its own again
 * before the runner lets the kernel's record go while the name lives on;
 * false when memory ran out, and the record is kept.
 */
struct runner_names {
	size_t (*find)(void *ctx, const char *name);
	void (*borrow)(void *ctx, size_t thread, const char *bytes);
	bool (*own)(void *ctx, size_t thread);
};

/* How a thread died (death_hows in step.c says it in words). */
enum death_how {
	DEATH_NONE,		/* alive, or no cause known yet */
	DEATH_UNKNOWN,		/* "is dead" */
	DEATH_EXITED,
	DEATH_WITH_PROCESS,
	DEATH_FAULTED,
};

/* A region named by `tls-alloc P as NAME`. */
struct run_region {
	uint64_t off;
	unsigned pid;			/* its process's (an entry of a
					 * streamed run's names is reused) */
	bool live;			/* allocated and not freed yet */
	bool named;			/* its tls-alloc succeeded once */
};

struct runner {
	const struct scenario *scn;
	const struct run_options *opt;
	struct kernel *k;
	/* Runtime objects by the scenario's name indexes. */
	struct process **procs;
	struct run_thread *th;
	uint8_t *th_how;		/* how each died (enum death_how),
					 * DEATH_NONE while alive */
	size_t procs_cap, th_cap, reg_cap;	/* entries of the three */
	struct tidmap th_by_tid;	/* kernel tid -> scenario thread,
					 * unless names is set */
	const struct runner_names *names;	/* NULL: the scenario's */
	void *names_ctx;
	/* Records of dead threads forgotten this step: back at the next. */
	struct thread **late;
	size_t late_n, late_cap;
	struct run_region *reg;
	const struct scn_cmd *cmd;	/* the command being run */
	enum death_how death_how;	/* how threads die right now */
	/* Threads dead since the last step, whose records go back at the next
	 * one (the reporters of this step may still look at them). */
	size_t dead_unreleased;
	int status;
	bool stop;
	size_t stop_line;		/* the line a panic stopped it at */
	unsigned failures;
	unsigned expectations;
	struct trace_out trace;
	bool tracing;
	struct narration narr;		/* the step's story (opt->narrate) */
	bool narrating;
	/* Whether a held step's report carries its command and outcome
	 * texts (runner_init: true; false when no reporter reads them). */
	bool held_texts;
	/* A reporter lists the kernel's processes, killed ones too: none
	 * is released (runner_forget_process keeps them). */
	bool keep_processes;
};

/*
 * Bring up the runner and its kernel. Returns 0, RUN_MALFORMED when the
 * backend does not run here, RUN_HOST when the host refuses (messages
 * printed to opt->err).
 */
int runner_init(struct runner *r, const struct scenario *scn,
		const struct run_options *opt);
void runner_fini(struct runner *r);

/*
 * Print the kernel's events from the next one on (r->trace must be set
 * up), or stop. The kernel then reads the register back for a switch
 * exactly when the runner shows it: in a trace or the story.
 */
void runner_set_tracing(struct runner *r, bool on);

/*
 * Run command c: execute it under a panic catch, judge its outcome against
 * what its `expect` prefix asked for, and describe all of it in *rep for a
 * reporter (the strings live in buf until the next step). Updates the
 * runner's status, counts and stop flag.
 */
struct step_buf {
	struct step s;
	char text[64];
	char outcome[PANIC_MESSAGE_MAX + 64];
	char message[STEP_TEXT_MAX + 128];
};
void runner_step(struct runner *r, const struct scn_cmd *c,
		 struct step_buf *buf, struct step_report *rep);

/*
 * No command from now on names the threads v[0..n) (entries of
 * r->scn->threads, about to be reused): the records of the threads dead
 * since the last step go back now, and each of v's threads is let go (a
 * live one stays the kernel's until it dies) and its entry emptied.
 */
void runner_forget_threads(struct runner *r, const size_t *v, size_t n);

/*
 * No command from now on names process i (an entry of r->scn->processes),
 * nor any thread entry. Returns true when its entry may go to the next
 * process declared: it was never created, or it is dead and then given
 * back to the kernel (process_release; nothing may look at it from now
 * on, and the story forgets it). False for a live one, or any created one
 * with keep_processes: the entry stays to the end, as the kernel's
 * process does.
 */
bool runner_forget_process(struct runner *r, size_t i);

/*
 * A hint (struct parser's ahead, run.c): thread entry i is likely named a
 * line or two from now. Stage 0 brings its row of r in, stage 1 the
 * kernel's record the row holds. Changes nothing.
 */
void runner_ahead(void *r, size_t i, int stage);

/*
 * Give the kernel back the records of the threads that died since the
 * last step (run.c, beside runner_forget_threads).
 */
void runner_release_dead(struct runner *r);

/*
 * Room in r's tables for every name the scenario declared so far (a
 * streamed one declares them as it is read). Returns false when memory
 * ran out (run.c).
 */
bool runner_fit(struct runner *r);

/*
 * The scenario thread (an entry of r->scn->threads) whose kernel thread
 * is t, or SCN_NONE when the runner holds none (run.c).
 */
size_t runner_thread_of(const struct runner *r, const struct thread *t);

/* ---- for executors ---- */

/*
 * Make the step's outcome a KernelError (KERR_OK leaves it alone), or a
 * host refusal for KERR_HOST_REFUSED.
 */
void step_error(struct step *s, enum kernel_error err);

/* The command checked an expectation; step_fail: which failed, saying how. */
void step_expect(struct step *s);
void step_fail(struct step *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The NAME of `tls-alloc P as NAME` whose live region is the slot at tls
 * in p, or NULL (a show_owner_fn; ctx is the runner).
 */
const char *runner_region_owner(void *ctx, const struct process *p,
				uintptr_t tls);

/* The scenario's name of a runtime thread (its spawn's name). */
const char *runner_thread_name(const struct runner *r, size_t i);

/* The expect read / read / write commands, shared with cmd_expect.c. */
void exec_thread_rw(struct runner *r, const struct scn_cmd *c, struct step *s,
		    bool expect);

#endif
