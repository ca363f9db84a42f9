/*
 * main.c - the tlssim command line: run scenarios, the demo, benchmarks,
 * grading a TLS manager.
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
#include "programs/bench.h"
#include "programs/demo.h"
#include "programs/grade.h"
#include "report/diag.h"
#include "scenario/scenario.h"
#include "scenario/scenario_run.h"

static const char usage_text[] =
	"Usage: tlssim [run] [OPTIONS] FILE...   run scenario files ('-' = stdin)\n"
	"       tlssim demo [OPTIONS]            threads checking their TLS\n"
	"       tlssim bench [WORKLOAD...] [OPTIONS]  policies at scale\n"
	"       tlssim grade --manager=PATH [SCENARIO...]  grade a TLS manager\n"
	"\n"
	"Simulate a microkernel's thread local storage: a 0x200-byte region per\n"
	"thread, eight to a page, reached through the TLS register.\n"
	"\n"
	"Options:\n"
	"  --help, --version\n"
	"run and demo:\n"
	"  --arch=auto|x86_64|x86_64-prctl|x86_64-wrgsbase|i386|aarch64|mock\n"
	"                      register backend (default auto: the best here)\n"
	"  --no-tls-restore    lab fault: switches stop loading the register\n"
	"run:\n"
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
	"demo:\n"
	"  --threads=N (3, at most 10000) --yields=M (3) --processes=K (1, at\n"
	"  most 64) --quiet; at most 20000 threads in all\n"
	"bench (see tlssim bench --help):\n"
	"  fill churn processes scenario switch switch-cross (default: all)\n"
	"  --policy=P[,P] --mode=kernel|bookkeeping|both --n=N[,N] --runs=R\n"
	"  --json; 'bench switch [--iterations=N]': every register backend\n"
	"grade (see tlssim grade --help):\n"
	"  --manager=PATH|builtin:NAME --timeout=SECONDS (10) --seed=N (1)\n"
	"  --verbose; exit 0 when the grading ran, whatever the score\n"
	"\n"
	"Exit status: 0 expectations held, 1 an expectation or command failed,\n"
	"2 bad scenario or command line, 3 unexpected kernel panic, 4 the host\n"
	"refused the simulator. See tlssim(1).\n";

enum {
	OPT_ARCH = 256, OPT_NO_RESTORE, OPT_POLICY, OPT_TRACE, OPT_QUIET,
	OPT_VERBOSE, OPT_FAIL_FAST, OPT_COLOR, OPT_THREADS, OPT_YIELDS,
	OPT_PROCESSES, OPT_HELP, OPT_VERSION, OPT_MAX_INPUT,
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
	{ "max-input", required_argument, NULL, OPT_MAX_INPUT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

struct cli {
	const char *command;		/* "run", "demo" */
	struct run_options run;
	struct demo_options demo;
	size_t max_input;		/* bytes of one scenario file */
	int color;			/* -1 auto, 0 never, 1 always */
};

static int __attribute__((format(printf, 1, 2)))
bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tlssim: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'tlssim --help' for more information.\n");
	return RUN_MALFORMED;
}

/* The built-in policies' names, "sunrise, indexed, ...", into buf. */
static const char *policy_names(char *buf, size_t size)
{
	const struct tls_manager_ops *ops;
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; (ops = tls_policy_at(i)) != NULL; i++)
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s",
				      i ? ", " : "", ops->name);
	return buf;
}

/* A whole decimal number in [min, max]; false if it is not one. */
static bool parse_count(const char *s, unsigned long min, unsigned long max,
			unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

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
	unsigned long n;

	switch (opt) {
	case OPT_ARCH:
		cli->run.arch = arch_backend_from_name(arg);
		if (cli->run.arch == ARCH_BACKEND_COUNT)
			return bad_usage("unknown --arch '%s' (expected auto, x86_64, x86_64-prctl, x86_64-wrgsbase, i386, aarch64 or mock)", arg);
		cli->demo.arch = cli->run.arch;
		return -1;
	case OPT_NO_RESTORE:
		cli->run.no_tls_restore = cli->demo.no_tls_restore = true;
		return -1;
	case OPT_MAX_INPUT:
		if (!parse_size(arg, 1, (unsigned long long)SIZE_MAX >> 1,
				&cli->max_input))
			return bad_usage("--max-input wants a size in bytes (K, M or G may follow), not '%s'", arg);
		return -1;
	case OPT_POLICY:
		cli->run.policy = tls_policy_find(arg);
		if (!cli->run.policy) {
			char known[160];

			return bad_usage("unknown --policy '%s' (expected %s)", arg,
					 policy_names(known, sizeof(known)));
		}
		return -1;
	case OPT_TRACE:
		cli->run.trace = true;
		cli->run.trace_format = trace_format_from_name(arg ? arg : "text");
		if (cli->run.trace_format == TRACE_FORMAT_COUNT)
			return bad_usage("unknown --trace format '%s' (expected text or json)", arg);
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
			return bad_usage("unknown --color '%s' (expected auto, always or never)", arg);
		return -1;
	case OPT_THREADS:
		if (!parse_count(arg, 1, 10000, &n))
			return bad_usage("--threads wants a number from 1 to 10000, not '%s'", arg);
		cli->demo.threads = (unsigned)n;
		return -1;
	case OPT_YIELDS:
		if (!parse_count(arg, 0, 1000000, &n))
			return bad_usage("--yields wants a number from 0 to 1000000, not '%s'", arg);
		cli->demo.yields = (unsigned)n;
		return -1;
	case OPT_PROCESSES:
		if (!parse_count(arg, 1, 64, &n))
			return bad_usage("--processes wants a number from 1 to 64, not '%s'", arg);
		cli->demo.processes = (unsigned)n;
		return -1;
	case OPT_HELP:
		fputs(usage_text, stdout);
		return 0;
	case OPT_VERSION:
		printf("tlssim %s\n", PACKAGE_VERSION);
		return 0;
	case ':':
		return bad_usage("option '%s' needs a value", arg);
	default:
		return bad_usage("unknown option '%s'", arg);
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
 * Parse every file first: a malformed one means nothing runs (exit 2).
 * Then run them in order, each on a fresh kernel.
 */
static int cmd_run(struct cli *cli, int nfiles, char **files)
{
	struct scenario **scns;
	struct diag *d;
	int status = 0;

	if (nfiles == 0)
		return bad_usage("%s", "run: no scenario file given");
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

int main(int argc, char **argv)
{
	struct cli cli = {
		.command = "run",
		.run = { .arch = ARCH_AUTO, .out = stdout, .err = stderr },
		.demo = { .threads = 3, .yields = 3, .processes = 1,
			  .arch = ARCH_AUTO },
		.color = -1,
	};
	int first = 1, opt, rc;

	/* diagnostics (stderr) and results (stdout) interleave in order */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (argc > 1 && strcmp(argv[1], "bench") == 0)
		return bench_main(argc - 1, argv + 1, stdout);
	if (argc > 1 && strcmp(argv[1], "grade") == 0)
		return grade_main(argc - 1, argv + 1, stdout);
	if (argc > 1 && (strcmp(argv[1], "run") == 0 ||
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

	if (strcmp(cli.command, "demo") == 0) {
		if (optind < argc)
			return bad_usage("demo: unexpected argument '%s'", argv[optind]);
		return demo_run(&cli.demo, stdout);
	}
	if (first == 1 && optind == argc) {
		fputs(usage_text, stderr);
		return RUN_MALFORMED;
	}
	return cmd_run(&cli, argc - optind, argv + optind);
}
