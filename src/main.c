/*
 * main.c - the tlssim command line: run scenarios, draw them, the demo,
 * benchmarks, quizzes, grading a TLS manager.
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
#include "programs/cli.h"
#include "programs/bench.h"
#include "programs/demo.h"
#include "programs/quiz.h"
#include "programs/grade.h"
#include "report/diag.h"
#include "report/render.h"
#include "scenario/scenario.h"
#include "scenario/scenario_run.h"

static const char usage_text[] =
	"Usage: tlssim [run] [OPTIONS] FILE...   run scenario files ('-' = stdin)\n"
	"       tlssim render FILE --out=PICTURE [--steps] [--process=P]\n"
	"                                        draw a scenario's end state\n"
	"       tlssim demo [OPTIONS]            threads checking their TLS\n"
	"       tlssim bench [WORKLOAD...] [OPTIONS]  policies at scale\n"
	"       tlssim quiz [-s SEED] [-n OPS] [-c] [OPTIONS]  TLS homework\n"
	"       tlssim grade --manager=PATH [SCENARIO...]  grade a TLS manager\n"
	"\n"
	"Simulate a microkernel's thread local storage: a 0x200-byte region per\n"
	"thread, eight to a page, reached through the TLS register.\n"
	"\n"
	"Options:\n"
	"  --help, --version\n"
	"run, render and demo:\n"
	"  --arch=auto|x86_64|x86_64-prctl|x86_64-wrgsbase|i386|aarch64|mock\n"
	"                      register backend (default auto: the best here)\n"
	"  --no-tls-restore    lab fault: switches stop loading the register\n"
	"  --cpus=N            N simulated CPUs, host threads (1 to 64; default 1)\n"
	"run and render:\n"
	"  --policy=NAME       TLS manager policy of processes that name none\n"
	"                      sunrise (default): the seed's, linear scans;\n"
	"                      indexed: the seed's addresses in O(1);\n"
	"                      mesosphere: lowest address first, empty pages\n"
	"                      unmapped (see tlssim(1), Policies)\n"
	"  --trace[=text|json] print kernel events (json: JSON Lines)\n"
	"  --quiet             failures and traces only: no summary, read,\n"
	"                      peek or show output\n"
	"  --verbose           one line per command with its outcome\n"
	"  --fail-fast         stop at the first failed expectation\n"
	"  --max-input=SIZE    largest scenario file read (default 64M);\n"
	"                      a larger one is refused (exit 2)\n"
	"  --color=auto|always|never\n"
	"  --render=FILE.svg|.png|.pdf\n"
	"                      draw the state at the end of the run\n"
	"  --render-steps=FILE.pdf\n"
	"                      a flip-book: one PDF page per command\n"
	"  --process=P         draw only process P\n"
	"render (prints failures only, as run --quiet):\n"
	"  --out=FILE.svg|.png|.pdf  the state at the end (required)\n"
	"  --steps             --out is a flip-book (.pdf), a page per command\n"
	"demo:\n"
	"  --threads=N (3, at most 10000) --yields=M (3) --processes=K (1, at\n"
	"  most 64) --quiet; at most 20000 threads in all (processes x threads)\n"
	"bench (see tlssim bench --help):\n"
	"  fill churn processes scenario switch switch-cross (default: all)\n"
	"  --policy=P[,P] --mode=kernel|bookkeeping|both --n=N[,N] --runs=R\n"
	"  --json; 'bench switch [--iterations=N]': every register backend\n"
	"grade (see tlssim grade --help):\n"
	"  --manager=PATH|builtin:NAME --timeout=SECONDS (10) --seed=N (1)\n"
	"  --verbose; exit 0 when the grading ran, whatever the score\n"
	"\n"
	"Exit status: 0 expectations held, 1 an expectation or command failed,\n"
	"2 bad scenario or command line (or pictures asked of a build without\n"
	"cairo), 3 unexpected kernel panic, 4 the host refused the simulator.\n"
	"See tlssim(1).\n";

enum {
	OPT_ARCH = 256, OPT_NO_RESTORE, OPT_POLICY, OPT_TRACE, OPT_QUIET,
	OPT_VERBOSE, OPT_FAIL_FAST, OPT_COLOR, OPT_THREADS, OPT_YIELDS,
	OPT_PROCESSES, OPT_CPUS, OPT_HELP, OPT_VERSION, OPT_MAX_INPUT, OPT_RENDER,
	OPT_RENDER_STEPS, OPT_OUT, OPT_STEPS, OPT_PROCESS,
};

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

/*
 * A size: decimal digits with an optional K, M or G suffix (powers of
 * 1024), in [min, max]; false if it is not one.
 */
static bool parse_size(const char *s, unsigned long long min,
		       unsigned long long max, size_t *out)
{
	unsigned long long v, mul = 1;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end == 'K' || *end == 'M' || *end == 'G')
		mul = 1ull << (*end == 'K' ? 10 : *end == 'M' ? 20 : 30), end++;
	if (errno || *end || v > max / mul || v * mul < min)
		return false;
	*out = (size_t)(v * mul);
	return true;
}

/* Apply one option to cli. Returns -1 when it was fine, else an exit. */
static int apply_option(struct cli *cli, int opt, const char *arg)
{
	uint64_t n;
	int status;

	switch (opt) {
	case OPT_ARCH:
		cli->run.arch = arch_backend_from_name(arg);
		if (cli->run.arch == ARCH_BACKEND_COUNT)
			return cli_usage_error(NULL, "unknown --arch '%s' (expected auto, x86_64, x86_64-prctl, x86_64-wrgsbase, i386, aarch64 or mock)", arg);
		cli->demo.arch = cli->run.arch;
		return -1;
	case OPT_NO_RESTORE:
		cli->run.no_tls_restore = cli->demo.no_tls_restore = true;
		return -1;
	case OPT_MAX_INPUT:
		if (!parse_size(arg, 1, (unsigned long long)SIZE_MAX >> 1,
				&cli->max_input))
			return cli_usage_error(NULL, "--max-input wants a size in bytes (K, M or G may follow), not '%s'", arg);
		return -1;
	case OPT_POLICY:
		cli->run.policy = tls_policy_find(arg);
		if (!cli->run.policy) {
			char known[160];

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
	case OPT_HELP:
		fputs(usage_text, stdout);
		return 0;
	case OPT_VERSION:
		printf("tlssim %s\n", PACKAGE_VERSION);
		return 0;
	case ':':
		return cli_usage_error(NULL, "option '%s' needs a value", arg);
	default:
		return cli_usage_error(NULL, "unknown option '%s'", arg);
	}
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
 * --render-steps with --steps), and render runs quietly. Returns -1 when
 * they are fine or absent, else an exit status (RUN_MALFORMED, told on
 * stderr), also when this build has no cairo.
 */
static int check_pictures(struct cli *cli, int nfiles)
{
	struct render_options *ro = &cli->render;
	bool render = strcmp(cli->command, "render") == 0;

	if (render) {
		if (!cli->out)
			return cli_usage_error(NULL, "%s", "render: no --out=FILE.svg|.png|.pdf given");
		if (cli->steps)
			ro->steps = cli->out;
		else
			ro->out = cli->out;
		cli->run.quiet = true;
	} else if (cli->out || cli->steps) {
		return cli_usage_error(NULL, "%s", "--out and --steps are options of 'tlssim render' (run takes --render=FILE and --render-steps=FILE.pdf)");
	}
	if (!ro->out && !ro->steps) {
		if (ro->process)
			return cli_usage_error(NULL, "%s", "--process names the process to draw: it needs render, --render or --render-steps");
		return -1;
	}
	if (strcmp(cli->command, "demo") == 0)
		return cli_usage_error(NULL, "%s", "demo: no pictures (--render, --render-steps)");
	if (!render_available()) {
		fprintf(stderr, "tlssim: this build has no cairo: pictures (render, --render, --render-steps) are not available\n");
		return RUN_MALFORMED;
	}
	if (ro->out && render_format_of(ro->out) == RENDER_FORMAT_COUNT)
		return cli_usage_error(NULL, "%s '%s' is not a .svg, .png or .pdf file name",
				 render ? "--out:" : "--render:", ro->out);
	if (ro->steps && render_format_of(ro->steps) != RENDER_PDF)
		return cli_usage_error(NULL, "%s '%s' is not a .pdf file name (a flip-book has a page per command)",
				 render ? "--out with --steps:" : "--render-steps:",
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

/* Whether scn declares a process named name. */
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
 * cannot be created (nothing runs); RUN_HOST at least when a picture could
 * not be written whole. Every failure is told on stderr.
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
	err = render_open(&ro, stderr, &rd);
	if (err)
		return err == -ENOMEM ? RUN_HOST : RUN_MALFORMED;
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
 * Parse every file first: a malformed one means nothing runs (exit 2).
 * Then run them in order, each on a fresh kernel (with its pictures).
 */
static int cmd_run(struct cli *cli, int nfiles, char **files)
{
	struct scenario **scns;
	struct diag *d;
	int status = 0;

	if (nfiles == 0)
		return cli_usage_error(NULL, "%s", "run: no scenario file given");
	d = diag_new_stream(stderr, color_wanted(cli->color, STDERR_FILENO));
	scns = calloc((size_t)nfiles, sizeof(*scns));
	if (!d || !scns) {
		fprintf(stderr, "tlssim: out of memory\n");
		status = RUN_HOST;
		goto out;
	}
	for (int i = 0; i < nfiles; i++) {
		int err = scenario_load_file(files[i], cli->max_input, d,
					     &scns[i]);

		if (err == -ENOMEM)
			status = worse(status, RUN_HOST);
		else if (err)
			status = RUN_MALFORMED;
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
	int first = 1, opt, rc;

	if (argc > 1 && strcmp(argv[1], "bench") == 0)
		return bench_main(argc - 1, argv + 1, stdout);
	if (argc > 1 && strcmp(argv[1], "quiz") == 0)
		return quiz_main(argc - 1, argv + 1, stdout);
	if (argc > 1 && strcmp(argv[1], "grade") == 0)
		return grade_main(argc - 1, argv + 1, stdout);
	if (argc > 1 && (strcmp(argv[1], "run") == 0 ||
			 strcmp(argv[1], "render") == 0 ||
			 strcmp(argv[1], "demo") == 0)) {
		cli.command = argv[1];
		first = 2;
	}
	/* getopt_long permutes: options may follow the files. */
	optind = first;
	opterr = 0;	/* our own messages, without the program's path */
	while ((opt = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
		const char *arg = opt == '?' || opt == ':' ? argv[optind - 1]
							   : optarg;

		rc = apply_option(&cli, opt, arg);
		if (rc >= 0)
			return rc;
	}
	cli.run.color = color_wanted(cli.color, STDOUT_FILENO);
	rc = check_pictures(&cli, argc - optind);
	if (rc >= 0)
		return rc;

	if (strcmp(cli.command, "demo") == 0) {
		if (optind < argc)
			return cli_usage_error(NULL, "demo: unexpected argument '%s'", argv[optind]);
		return demo_run(&cli.demo, stdout);
	}
	if (first == 1 && optind == argc) {
		fputs(usage_text, stderr);
		return RUN_MALFORMED;
	}
	return cmd_run(&cli, argc - optind, argv + optind);
}

/*
 * Every subcommand ends here: a write error on stdout, however early,
 * turns its status into 4 with the reason on stderr.
 */
int main(int argc, char **argv)
{
	/* diagnostics (stderr) and results (stdout) interleave in order */
	if (cli_stdout_checked() != 0)
		setvbuf(stdout, NULL, _IOLBF, 0);
	return cli_stdout_finish(dispatch(argc, argv));
}
