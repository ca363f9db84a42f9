/*
 * session.c - the runner driven from outside, a command at a time
 * (session.h): runner_init, runner_step and runner_fini behind an opaque
 * handle, so that `tlssim step` needs nothing of the runner's insides.
 */
#include <config.h>

#include "session.h"
#include "hostmem.h"
#include "runner.h"

#include <stdlib.h>

struct scn_session {
	struct runner r;
	struct step_buf buf;		/* the last step's strings */
	bool trace_ready;		/* r.trace was set up */
};

int scn_session_start(const struct scenario *scn, const struct run_options *opt,
		      struct scn_session **out)
{
	struct scn_session *s = calloc(1, sizeof(*s));
	int err;

	*out = NULL;
	if (!s) {
		host_say_no_memory(opt->err);
		return RUN_HOST;
	}
	err = runner_init(&s->r, scn, opt);
	if (err) {
		free(s);
		return err;
	}
	s->trace_ready = s->r.tracing;
	*out = s;
	return 0;
}

void scn_session_end(struct scn_session *s)
{
	if (!s)
		return;
	runner_fini(&s->r);
	free(s);
}

void scn_session_step(struct scn_session *s, const struct scn_cmd *c,
		      struct step_report *rep)
{
	runner_step(&s->r, c, &s->buf, rep);
}

bool scn_session_stopped(const struct scn_session *s)
{
	/* --fail-fast is not a session's: only panics and hosts stop it */
	return s->r.stop;
}

void scn_session_summary(const struct scn_session *s, size_t commands,
			 struct run_summary *out)
{
	*out = (struct run_summary){
		.file = s->r.scn->file_name, .status = s->r.status,
		.commands = commands, .failures = s->r.failures,
		.expectations = s->r.expectations, .kernel = s->r.k,
		.stop_line = s->r.stop_line, .owner = runner_region_owner,
		.owner_ctx = (void *)&s->r,
	};
}

struct kernel *scn_session_kernel(const struct scn_session *s)
{
	return s->r.k;
}

struct process *scn_session_process(const struct scn_session *s, size_t index)
{
	if (index >= s->r.procs_cap)
		return NULL;
	return s->r.procs[index];
}

void scn_session_trace(struct scn_session *s, bool on)
{
	const struct run_options *opt = s->r.opt;

	if (on && !s->trace_ready) {
		trace_out_init(&s->r.trace, opt->trace_to ? opt->trace_to : opt->out,
			       opt->trace_format, s->r.scn->file_name);
		s->trace_ready = true;
	}
	runner_set_tracing(&s->r, on);
}
