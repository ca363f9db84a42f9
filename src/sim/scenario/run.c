/*
 * run.c - run a scenario: a fresh kernel, then one step per command, each
 * told to the reporter (and to a second one, if any), and a summary at the
 * end, while the kernel is still up. An unexpected panic or a host refusal
 * stops the run; so does a failure with --fail-fast.
 */
#include <config.h>

#include "runner.h"

#include <stdlib.h>

int scenario_run(const struct scenario *scn, const struct run_options *opt)
{
	struct text_reporter tr = {
		.out = opt->out, .err = opt->err, .quiet = opt->quiet,
		.verbose = opt->verbose, .color = opt->color,
		.err_color = opt->err_color,
	};
	struct reporter text = text_reporter(&tr);
	const struct reporter *rep = opt->reporter ? opt->reporter : &text;
	struct step_buf *buf;
	struct step_report sr;
	struct run_summary sum;
	struct runner r;
	int err;

	buf = malloc(sizeof(*buf));
	if (!buf) {
		fprintf(opt->err, "tlssim: out of memory\n");
		return RUN_HOST;
	}
	err = runner_init(&r, scn, opt);
	if (err) {
		free(buf);
		return err;
	}
	for (size_t i = 0; i < scn->cmd_count && !r.stop; i++) {
		runner_step(&r, &scn->cmds[i], buf, &sr);
		rep->step(rep->ctx, &sr);
		if (opt->also)
			opt->also->step(opt->also->ctx, &sr);
	}
	sum = (struct run_summary){
		.file = scn->file_name, .status = r.status,
		.commands = scn->cmd_count, .failures = r.failures,
		.expectations = r.expectations, .kernel = r.k,
		.owner = runner_region_owner, .owner_ctx = &r,
	};
	rep->summary(rep->ctx, &sum);
	if (opt->also)
		opt->also->summary(opt->also->ctx, &sum);
	runner_fini(&r);
	free(buf);
	return sum.status;
}
