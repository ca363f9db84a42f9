/*
 * main.c - the tlssim command line: run scenarios, draw them, step
 * through one, the demo, benchmarks, quizzes, grading a TLS manager. One
 * table row per subcommand (subcommands[]); run, render, step and demo
 * share one option table here, each taking only the options its row
 * names; bench, quiz and grade parse their own.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/policy.h"
#include "cli.h"
#include "hostmem.h"
#include "programs/bench/bench.h"
#include "programs/demo/demo.h"
#include "programs/quiz/quiz.h"
#include "programs/grade/grade.h"
#include "programs/step/step.h"
#include "report/diag.h"
#include "report/render.h"
#include "scenario/scenario.h"
#include "scenario/scenario_run.h"
#include "usage.h"

/* The options of run, render and demo; OPT_x - OPT_BASE is x's bit. */
enum {
	OPT_BASE = 256,
	OPT_ARCH = OPT_BASE, OPT_NO_RESTORE, OPT_POLICY, OPT_TRACE, OPT_QUIET,
	OPT_VERBOSE, OPT_FAIL_FAST, OPT_COLOR, OPT_THREADS, OPT_YIELDS,
	OPT_PROCESSES, OPT_CPUS, OPT_HELP, OPT_VERSION, OPT_MAX_INPUT, OPT_RENDER,
	OPT_RENDER_STEPS, OPT_OUT, OPT_STEPS, OPT_PROCESS, OPT_END
};
#define OPT(o) (1ul << ((o) - OPT_BASE))

static const struct option long_options[] = {
	{ "arch", required_argument, NULL, OPT_ARCH },
	{ "no-tls-restore", no_argument, NULL, OPT_NO_RESTORE },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "trace", optional_argument, NULL, OPT_TRACE },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "fail-fast", no_argument, NULL, OPT_FAIL_FAST },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "colour", required_argument, NULL, OPT_COLOR },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "yields", required_argument, NULL, OPT_YIELDS },
	{ "processes", required_argument, NULL, OPT_PROCESSES },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "max-input", required_argument, NULL, OPT_MAX_INPUT },
	{ "render", required_argument, NULL, OPT_RENDER },
	{ "render-steps", required_argument, NULL, OPT_RENDER_STEPS },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "steps", no_argument, NULL, OPT_STEPS },
	{ "process", required_argument, NULL, OPT_PROCESS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* What run, render and demo take beside their own. */
#define OPTS_KERNEL (OPT(OPT_ARCH) | OPT(OPT_NO_RESTORE) | OPT(OPT_CPUS) | \
		     OPT(OPT_HELP))
#define OPTS_SCENARIO (OPTS_KERNEL | OPT(OPT_POLICY) | OPT(OPT_TRACE) | \
		       OPT(OPT_FAIL_FAST) | OPT(OPT_MAX_INPUT) | \
		       OPT(OPT_COLOR) | OPT(OPT_PROCESS))

static const struct subcommand subcommands[] = {
	{ "run", "run scenario files, each on a fresh kernel",
	  "run [OPTIONS] FILE...   ('-' reads the standard input)", NULL,
	  OPTS_SCENARIO | OPT(OPT_QUIET) | OPT(OPT_VERBOSE) | OPT(OPT_RENDER) |
	  OPT(OPT_RENDER_STEPS), usage_describe_run },
	{ "render", "run a scenario and draw it (svg, png, pdf; a flip-book pdf, html)",
	  "render [OPTIONS] FILE --out=PICTURE [--steps] [--process=P]", NULL,
	  OPTS_SCENARIO | OPT(OPT_QUIET) | OPT(OPT_OUT) | OPT(OPT_STEPS),
	  usage_describe_render },
	{ "step", "run a scenario a command at a time, forwards and back",
	  "step [OPTIONS] FILE   (step commands on the standard input)", NULL,
	  OPTS_KERNEL | OPT(OPT_POLICY) | OPT(OPT_MAX_INPUT) | OPT(OPT_COLOR),
	  usage_describe_step },
	{ "demo", "built-in threads checking their TLS through the register",
	  "demo [OPTIONS]", NULL,
	  OPTS_KERNEL | OPT(OPT_THREADS) | OPT(OPT_YIELDS) |
	  OPT(OPT_PROCESSES) | OPT(OPT_QUIET), usage_describe_demo },
	{ "bench", "the policies and register backends at scale",
	  "bench [WORKLOAD...] [OPTIONS]", bench_main, 0, NULL },
	{ "quiz", "a TLS homework problem, and its answer with -c",
	  "quiz [-s SEED] [-n OPS] [-c] [OPTIONS]", quiz_main, 0, NULL },
	{ "grade", "grade a TLS manager (a shared object) on the labs",
	  "grade --manager=PATH [SCENARIO...]", grade_main, 0, NULL },
};
#define NSUB (sizeof(subcommands) / sizeof(subcommands[0]))

/* The row of subcommand name; NULL when there is none. */
static const struct subcommand *subcommand_find(const char *name)
{
	for (size_t i = 0; name && i < NSUB; i++)
		if (strcmp(subcommands[i].name, name) == 0)
			return &subcommands[i];
	return NULL;
}

/*
 * An option that sub does not take: exit 2, naming the subcommands that
 * take it.
 */
static int foreign_option(const struct subcommand *sub, int opt)
{
	const char *name = "?";
	char takers[64] = "";
	size_t n = 0;

	for (const struct option *o = long_options; o->name; o++)
		if (o->val == opt) {
			name = o->name;
			break;
		}
	for (size_t i = 0; i < NSUB; i++)
		if (subcommands[i].options & OPT(opt))
			n += (size_t)snprintf(takers + n, sizeof(takers) - n,
					      "%s%s", n ? ", " : "",
					      subcommands[i].name);
	return cli_usage_error(sub->name, "--%s is not an option of %s (it is one of: %s)",
			       name, sub->name, takers);
}

struct cli {
	const char *command;		/* "run", "render", "demo" */
	struct run_options run;
	struct demo_options demo;
	size_t max_input;		/* bytes of one scenario file */
	int color;			/* -1 auto, 0 never, 1 always */
	struct render_options render;	/* pictures: --render*, render */
	const char *out;		/* render --out */
	bool steps;			/* render --steps */
};

/* Apply one option to cli. Returns -1 when it was fine, else an exit. */
static int apply_option(struct cli *cli, int opt, const char *arg)
{
	uint64_t n;
	int status;

	switch (opt) {
	case OPT_ARCH:
		cli->run.arch = arch_backend_from_name(arg);
		if (cli->run.arch == ARCH_BACKEND_COUNT) {
			char names[160];
			size_t k = (size_t)snprintf(names, sizeof(names), "auto, x86_64");

			for (int b = ARCH_MOCK + 1; b < ARCH_BACKEND_COUNT; b++)
				k += (size_t)snprintf(names + k, sizeof(names) - k, ", %s",
						      arch_backend_name((enum arch_backend)b));
			return cli_usage_error(NULL, "unknown --arch '%s' (expected %s or %s)", arg,
					       names, arch_backend_name(ARCH_MOCK));
		}
		cli->demo.arch = cli->run.arch;
		return -1;
	case OPT_NO_RESTORE:
		cli->run.no_tls_restore = cli->demo.no_tls_restore = true;
		return -1;
	case OPT_MAX_INPUT:
		if (!cli_parse_size(arg, 1, SIZE_MAX >> 1, &n))
			return cli_usage_error(NULL, "--max-input wants a size in bytes (K, M or G may follow), not '%s'", arg);
		cli->max_input = (size_t)n;
		return -1;
	case OPT_POLICY:
		cli->run.policy = tls_policy_find(arg);
		if (!cli->run.policy) {
			char known[160];

			if (tls_policy_unbuilt(arg))
				return cli_usage_error(NULL, "--policy=%s is not in this build: %s", arg,
						 tls_policy_unbuilt(arg));
			return cli_usage_error(NULL, "unknown --policy '%s' (expected %s)", arg,
					 tls_policy_names(known, sizeof(known)));
		}
		return -1;
	case OPT_TRACE:
		cli->run.trace = true;
		cli->run.trace_format = trace_format_from_name(arg ? arg : "text");
		if (cli->run.trace_format == TRACE_FORMAT_COUNT)
			return cli_usage_error(NULL, "unknown --trace format '%s' (expected text or json)", arg);
		return -1;
	case OPT_QUIET:
		cli->run.quiet = cli->demo.quiet = true;
		cli->run.no_progress = true;
		return -1;
	case OPT_VERBOSE:
		cli->run.verbose = true;
		return -1;
	case OPT_FAIL_FAST:
		cli->run.fail_fast = true;
		return -1;
	case OPT_COLOR:
		if (strcmp(arg, "auto") == 0)
			cli->color = -1;
		else if (strcmp(arg, "always") == 0)
			cli->color = 1;
		else if (strcmp(arg, "never") == 0)
			cli->color = 0;
		else
			return cli_usage_error(NULL, "unknown --color '%s' (expected auto, always or never)", arg);
		return -1;
	case OPT_THREADS:
		if ((status = cli_number_option(NULL, "--threads", arg, 1, 10000, &n)) >= 0)
			return status;
		cli->demo.threads = (unsigned)n;
		return -1;
	case OPT_YIELDS:
		if ((status = cli_number_option(NULL, "--yields", arg, 0, 1000000, &n)) >= 0)
			return status;
		cli->demo.yields = (unsigned)n;
		return -1;
	case OPT_PROCESSES:
		if ((status = cli_number_option(NULL, "--processes", arg, 1, 64, &n)) >= 0)
			return status;
		cli->demo.processes = (unsigned)n;
		return -1;
	case OPT_CPUS:
		if ((status = cli_number_option(NULL, "--cpus", arg, 1, 64, &n)) >= 0)
			return status;
		cli->run.cpus = (unsigned)n;
		cli->demo.cpus = (unsigned)n;
		return -1;
	case OPT_RENDER:
		cli->render.out = arg;
		return -1;
	case OPT_RENDER_STEPS:
		cli->render.steps = arg;
		return -1;
	case OPT_OUT:
		cli->out = arg;
		return -1;
	case OPT_STEPS:
		cli->steps = true;
		return -1;
	case OPT_PROCESS:
		cli->render.process = arg;
		return -1;
	default:	/* OPT_VERSION */
		printf("tlssim %s\n", PACKAGE_VERSION);
		return 0;
	}
}

/* What cli_parse applies for run, render and demo: the subcommand's row
 * and the options so far. */
struct parse_ctx {
	struct cli *cli;
	const struct subcommand *sub;
	bool bare;		/* no subcommand named: `tlssim --help` */
};

/*
 * One option of run, render or demo: help, an option the subcommand does
 * not take (exit 2, naming those that do), or apply_option. Returns -1 to
 * go on, else the exit status.
 */
static int apply_sub_option(void *ctx, int opt, const char *arg)
{
	struct parse_ctx *pc = ctx;

	if (opt == 'h' || opt == OPT_HELP) {
		if (pc->bare)
			usage_print_all(stdout, subcommands, NSUB);
		else
			usage_print_sub(stdout, pc->sub);
		return 0;
	}
	if (opt != OPT_VERSION && !(pc->sub->options & OPT(opt)))
		return foreign_option(pc->sub, opt);
	return apply_option(pc->cli, opt, arg);
}

/* --color=auto: colour when fd is a terminal that can show it. */
static bool color_wanted(int color, int fd)
{
	const char *term = getenv("TERM");

	if (color >= 0)
		return color;
	return isatty(fd) && !getenv("NO_COLOR") && term &&
	       strcmp(term, "dumb") != 0;
}

/* Worse statuses win: 2 (nothing ran) > 4 (host) > 3 (panic) > 1 > 0. */
static int worse(int a, int b)
{
	static const int rank[] = { 0, 1, 4, 2, 3 };

	return rank[b] > rank[a] ? b : a;
}

/*
 * Check the options of pictures: render's --out becomes --render (or
 * --render-steps with --steps or an .html name: the HTML is a flip-book),
 * and render runs quietly (its progress shows all the same, unless
 * --quiet). Returns -1 when they are fine or absent, else
 * an exit status (RUN_MALFORMED, told on stderr), also when this build has
 * no cairo.
 */
static int check_pictures(struct cli *cli, int nfiles)
{
	struct render_options *ro = &cli->render;
	bool render = strcmp(cli->command, "render") == 0;

	if (render) {
		if (!cli->out)
			return cli_usage_error(NULL, "%s", "render: no --out=FILE.svg|.png|.pdf|.html given");
		if (cli->steps || render_format_of(cli->out) == RENDER_HTML)
			ro->steps = cli->out;
		else
			ro->out = cli->out;
		cli->run.quiet = true;
	}
	if (!ro->out && !ro->steps) {
		if (ro->process)
			return cli_usage_error(NULL, "%s", "--process names the process to draw: it needs render, --render or --render-steps");
		return -1;
	}
	if (!render_available()) {
		fprintf(stderr, "tlssim: this build has no cairo: pictures (render, --render, --render-steps) are not available\n");
		return RUN_MALFORMED;
	}
	if (ro->out && render_format_of(ro->out) >= RENDER_HTML)
		return cli_usage_error(NULL, "%s '%s' is not a .svg, .png or .pdf file name%s",
				 render ? "--out:" : "--render:", ro->out,
				 render ? " (nor .html, a flip-book)" :
				 render_format_of(ro->out) == RENDER_HTML ?
				 " (an HTML flip-book is --render-steps=FILE.html)" : "");
	if (ro->steps && render_format_of(ro->steps) != RENDER_PDF &&
	    render_format_of(ro->steps) != RENDER_HTML)
		return cli_usage_error(NULL, "%s '%s' is not a .pdf or .html file name (a flip-book has a page per step that changes what is drawn)",
				 render ? "--out with --steps:" : "--render-steps:",
				 ro->steps);
	if (ro->steps && render_format_of(ro->steps) == RENDER_HTML &&
	    cli->run.trace)
		return cli_usage_error(NULL, "--trace with '%s': the HTML flip-book shows each step's kernel events itself",
				 ro->steps);
	if (ro->out && ro->steps && strcmp(ro->out, ro->steps) == 0)
		return cli_usage_error(NULL, "--render and --render-steps both name '%s'",
				 ro->out);
	if (nfiles == 0)
		return cli_usage_error(NULL, "%s: no scenario file given", cli->command);
	if (nfiles > 1)
		return cli_usage_error(NULL, "pictures are drawn of one scenario file, not %d",
				 nfiles);
	return -1;
}

/*
 * Whether scn declares a process named name (an opened scn holds the
 * one the options name, scenario_open_for).
 */
static bool declares_process(const struct scenario *scn, const char *name)
{
	for (size_t i = 0; i < scn->process_count; i++)
		if (strcmp(scn->processes[i].name, name) == 0)
			return true;
	return false;
}

/*
 * Run scn and draw it as cli->render asks. Returns the run's status;
 * RUN_MALFORMED when --process names no process of scn or a picture's file
 * cannot be created at its path (nothing runs); RUN_HOST when the host
 * refuses it (memory, file descriptors, room: nothing runs either), and at
 * least when a picture could not be written whole. Every failure is told
 * on stderr.
 */
static int run_pictured(struct cli *cli, const struct scenario *scn)
{
	struct render_options ro = cli->render;
	struct run_options run = cli->run;
	struct reporter rep;
	struct render *rd;
	int status, err;

	if (ro.process && !declares_process(scn, ro.process)) {
		fprintf(stderr, "tlssim: --process: %s declares no process '%s'\n",
			scn->file_name, ro.process);
		return RUN_MALFORMED;
	}
	ro.commands = scn->cmd_count;
	/* the HTML shows the source (not standard input's copy: gone) */
	if (strcmp(scn->file_name, "<stdin>") != 0)
		ro.source = scn->file_name;
	ro.name = strrchr(scn->file_name, '/') ?
		  strrchr(scn->file_name, '/') + 1 : scn->file_name;
	err = render_open(&ro, stderr, &rd);
	if (err)
		return err == -ENOMEM ? RUN_HOST : RUN_MALFORMED;
	if (render_trace(rd)) {
		/* the HTML's events of each step: the text trace, cut */
		run.trace = true;
		run.trace_format = TRACE_TEXT;
		run.trace_to = render_trace(rd);
	}
	rep = render_reporter(rd);
	run.also = &rep;
	status = scenario_run(scn, &run);
	err = render_close(rd);
	if (err == -EFBIG)	/* too large for its format: the input's */
		status = worse(status, RUN_MALFORMED);
	else if (err && err != -ENODATA)
		status = worse(status, RUN_HOST);
	return status;
}

/*
 * Check every file first (parsed whole, no command kept): a malformed one
 * means nothing runs (exit 2). Then run them in order, each read again a
 * command at a time, on a fresh kernel (with its pictures).
 */
static int cmd_run(struct cli *cli, int nfiles, char **files)
{
	const struct run_options *ro = &cli->run;
	/* the check's progress, as the run's */
	FILE *progress = run_shows_progress(ro) ? stderr : NULL;
	struct scenario **scns;
	struct diag *d;
	int status = 0;

	if (nfiles == 0)
		return cli_usage_error(NULL, "%s", "run: no scenario file given");
	d = diag_new_stream(stderr, color_wanted(cli->color, STDERR_FILENO));
	scns = calloc((size_t)nfiles, sizeof(*scns));
	if (!d || !scns) {
		host_say_no_memory(stderr);
		status = RUN_HOST;
		goto out;
	}
	for (int i = 0; i < nfiles; i++) {
		/* of the processes, it keeps the one --process names */
		int err = scenario_open_for(files[i], cli->max_input, progress,
					    cli->render.process, d, &scns[i]);

		/* a host refusal stops the checks: the next would repeat it */
		if (err == -ENOMEM) {
			status = worse(status, RUN_HOST);
			break;
		}
		if (err)
			status = worse(status, RUN_MALFORMED);
	}
	if (status)
		goto out;
	if (cli->render.out || cli->render.steps) {
		status = run_pictured(cli, scns[0]);
		goto out;
	}
	for (int i = 0; i < nfiles; i++) {
		status = worse(status, scenario_run(scns[i], &cli->run));
		fflush(stdout);
	}
out:
	for (int i = 0; scns && i < nfiles; i++)
		scenario_free(scns[i]);
	free(scns);
	diag_free(d);
	return status;
}

/*
 * `tlssim step FILE`: one scenario file, not '-' (the standard input
 * carries the step commands). Returns step_main's status; 2 for a bad
 * command line.
 */
static int cmd_step(struct cli *cli, int nfiles, char **files)
{
	if (nfiles != 1)
		return cli_usage_error(NULL, "step: %s", nfiles ?
				       "one scenario file at a time" :
				       "no scenario file given");
	if (strcmp(files[0], "-") == 0)
		return cli_usage_error(NULL, "%s", "step: the standard input carries the step commands: name the scenario's file");
	return step_main(files[0], cli->max_input, &cli->run, stdin);
}

/*
 * `tlssim help [SUB]`: the program's help, or SUB's own. Returns 0; 2 for
 * a subcommand that does not exist.
 */
static int cmd_help(int argc, char **argv)
{
	const struct subcommand *sub;
	char *help_argv[] = { NULL, "--help", NULL };
	char names[96];
	size_t n = 0;

	if (argc < 3) {
		usage_print_all(stdout, subcommands, NSUB);
		return 0;
	}
	sub = subcommand_find(argv[2]);
	if (!sub || argc > 3) {
		for (size_t i = 0; i < NSUB; i++)
			n += (size_t)snprintf(names + n, sizeof(names) - n,
					      "%s%s", i ? ", " : "",
					      subcommands[i].name);
		return cli_usage_error(NULL, "help: no subcommand '%s' (expected one of: %s)",
				       sub ? argv[3] : argv[2], names);
	}
	if (sub->main) {
		help_argv[0] = argv[2];
		return sub->main(2, help_argv, stdout);
	}
	usage_print_sub(stdout, sub);
	return 0;
}

/* Everything but the checks of stdout: the subcommand's exit status. */
static int dispatch(int argc, char **argv)
{
	struct cli cli = {
		.command = "run",
		.run = { .arch = ARCH_AUTO, .out = stdout, .err = stderr },
		.demo = { .threads = 3, .yields = 3, .processes = 1,
			  .arch = ARCH_AUTO },
		.color = -1,
	};
	const struct subcommand *sub = subcommand_find("run");
	struct parse_ctx pc = { &cli, NULL, true };
	int first = 1, rc;

	if (argc > 1 && strcmp(argv[1], "help") == 0)
		return cmd_help(argc, argv);
	if (argc == 2 && strcmp(argv[1], "-h") == 0) {
		usage_print_all(stdout, subcommands, NSUB);
		return 0;
	}
	if (argc > 1 && subcommand_find(argv[1])) {
		sub = subcommand_find(argv[1]);
		if (sub->main)
			return sub->main(argc - 1, argv + 1, stdout);
		cli.command = sub->name;
		first = 2;
	}
	/* getopt_long permutes: options may follow the files. */
	pc.sub = sub;
	pc.bare = first == 1;
	rc = cli_parse(NULL, argc, argv, first, "h", long_options,
		       apply_sub_option, &pc, &first);
	if (rc >= 0)
		return rc;
	if (cli.run.trace && cli.run.trace_format == TRACE_JSON) {
		/* stdout is JSON Lines only: what people read goes to stderr */
		cli.run.trace_to = stdout;
		cli.run.out = stderr;
	}
	cli.run.color = color_wanted(cli.color, cli.run.out == stderr ?
					       STDERR_FILENO : STDOUT_FILENO);
	cli.run.err_color = color_wanted(cli.color, STDERR_FILENO);
	rc = check_pictures(&cli, argc - first);
	if (rc >= 0)
		return rc;
	/*
	 * A plain run tells each step's story, and so does the HTML
	 * flip-book beside each page; --quiet and the other pictures do not.
	 */
	cli.run.narrate = !cli.run.quiet ||
		(cli.render.steps &&
		 render_format_of(cli.render.steps) == RENDER_HTML);

	if (strcmp(cli.command, "step") == 0)
		return cmd_step(&cli, argc - first, argv + first);
	if (strcmp(cli.command, "demo") == 0) {
		if (first < argc)
			return cli_usage_error(NULL, "demo: unexpected argument '%s'", argv[first]);
		return demo_run(&cli.demo, stdout);
	}
	if (pc.bare && first == argc) {
		usage_print_all(stderr, subcommands, NSUB);
		return RUN_MALFORMED;
	}
	return cmd_run(&cli, argc - first, argv + first);
}

/*
 * Every subcommand ends here: a write error on stdout, however early,
 * turns its status into 4 with the reason on stderr.
 */
int main(int argc, char **argv)
{
	host_memory_setup();
	/* diagnostics (stderr) and results (stdout) interleave in order */
	if (cli_stdout_checked() != 0)
		setvbuf(stdout, NULL, _IOLBF, 0);
	return cli_stdout_finish(dispatch(argc, argv));
}
