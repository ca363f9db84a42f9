/*
 * grade.c - `tlssim grade`: the driver. It learns the manager to grade
 * (a built-in policy, or a shared object that a child loads for it),
 * lists the tests (conformance, differential on several seeds,
 * performance, one per scenario), runs each so that nothing the manager
 * does costs more than that test, and prints a line per test (name, PASS
 * or FAIL, points, why) and the score.
 *
 * The tests themselves are the conformance suite (programs/conform/);
 * learning and loading the manager is grade_load.c; running one test in
 * a sandboxed child (grade_sandbox.c) whose answers (grade_proxy.c, over
 * grade_wire.c) a verifier checks is grade_run.c.
 */
#include <config.h>

#include "cli.h"
#include "hostmem.h"
#include "grade.h"
#include "grade_load.h"
#include "grade_batch.h"
#include "grade_report.h"
#include "grade_run.h"
#include "policy/policy.h"
#include "report/diag.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DIFF_SEEDS 5
#define DIFF_POINTS 10
#define PERF_POINTS 10
#define COMPLEXITY_POINTS 10
#define SCENARIO_POINTS 5
#define MAX_SCENARIOS 256

static const char usage[] =
	"Usage: tlssim grade --manager=PATH|builtin:NAME [OPTIONS] [SCENARIO...]\n"
	"       tlssim grade --batch=DIR [-j N] [OPTIONS] [SCENARIO...]\n"
	"Grade a TLS manager: a shared object exporting\n"
	"`const struct tls_manager_ops tls_manager_ops` (<tlssim/tls_manager.h>),\n"
	"or a built-in policy. The grader never loads it: each test runs it in\n"
	"a sandboxed child (seccomp, limits) whose answers a verifier checks\n"
	"by running the same test; a crash, a hang, a panic, a memory blow-up\n"
	"or a forged answer fails that test and names the call.\n"
	"\n"
	"Tests: conformance (8 x 5 points), differential against the seed's\n"
	"manager on 5 seeds (5 x 10), performance: 10^5 regions within the\n"
	"timeout (10), complexity: a free and an allocate at 10^5 regions\n"
	"cost less than 10 times what they cost at 10^3 (10), and each\n"
	"scenario (5 each): the *.tls files of the\n"
	"labs directory ($TLSSIM_LABS, else the installed or source tree's\n"
	"labs/grade/), if there are any, and each SCENARIO named.\n"
	"\n"
	"Options:\n"
	"  --manager=PATH      the shared object to grade (required), or\n"
	"  --manager=builtin:NAME  a built-in policy (listed below)\n"
	"  --timeout=SECONDS   per test (default 10, at most 3600)\n"
	"  --seed=N            first seed of the random tests (default 1)\n"
	"  --only=NAME[,NAME...]  only the tests whose names begin so\n"
	"                      (e.g. lowest-free-first, differential, scenario);\n"
	"                      the score is then out of those\n"
	"  -v, --verbose       longer reasons: the operations before a\n"
	"                      difference, every failed expectation\n"
	"  --only-scenarios    the SCENARIOs named replace the labs' (by\n"
	"                      default they are graded as well)\n"
	"  --format=FORMAT     text (the default: a line a test as it runs),\n"
	"                      json, or gradescope (the results.json of\n"
	"                      Gradescope's autograder)\n"
	"  --json              --format=json\n"
	"  --batch=DIR         grade each submission of DIR (NAME.so, NAME.c,\n"
	"                      or a directory NAME holding one) and write a\n"
	"                      CSV gradebook: a row a submission, a column a\n"
	"                      test; one that does not build or load says why\n"
	"                      (on a terminal, progress on stderr after 2 s)\n"
	"  -j N, --jobs=N      with --batch: N gradings at once (default 1)\n"
	"  --no-fork           run the tests in this process, unconfined and\n"
	"                      unchecked, so that a debugger follows the\n"
	"                      manager: gdb --args tlssim grade ... --no-fork\n"
	"  --help\n"
	"\n"
	"Exit status: 0 the grading ran (whatever the score), 2 bad usage, a\n"
	"manager that cannot be loaded (or crashes, panics or exits while it\n"
	"loads) or a malformed scenario, 4 the host refused (no fork; no\n"
	"seccomp to confine a shared object; a static build cannot load one).\n";

struct grade_opts {
	const char *manager;
	const char *only;	/* NAME[,NAME...]: prefixes of tests to run */
	unsigned timeout;
	uint64_t seed;
	bool verbose;
	bool only_scenarios;	/* the scenarios named replace the labs' */
	bool no_fork;		/* in this process, for a debugger */
	const char *batch;	/* a directory of submissions */
	unsigned jobs;		/* gradings at once, with batch */
	enum grade_format format;
};

/* One option of grade into the struct grade_opts at ctx (cli_parse). */
static int apply_option(void *ctx, int opt, const char *arg)
{
	struct grade_opts *o = ctx;
	uint64_t n;
	int status;

	switch (opt) {
	case 'm':
		o->manager = arg;
		return -1;
	case 't':
		if (!cli_parse_decimal(arg, 1, 3600, &n))
			return cli_usage_error("grade", "--timeout wants seconds from 1 to 3600, not '%s'", arg);
		o->timeout = (unsigned)n;
		return -1;
	case 's':
		if ((status = cli_number_option("grade", "--seed", arg, 0,
						UINT32_MAX, &n)) >= 0)
			return status;
		o->seed = n;
		return -1;
	case 'o':
		o->only = arg;
		return -1;
	case 'v':
		o->verbose = true;
		return -1;
	case 'O':
		o->format = GRADE_JSON;
		return -1;
	case 'f':
		if (strcmp(arg, "text") == 0)
			o->format = GRADE_TEXT;
		else if (strcmp(arg, "json") == 0)
			o->format = GRADE_JSON;
		else if (strcmp(arg, "gradescope") == 0)
			o->format = GRADE_GRADESCOPE;
		else
			return cli_usage_error("grade", "--format wants text, "
					       "json or gradescope, not '%s'",
					       arg);
		return -1;
	case 'S':
		o->only_scenarios = true;
		return -1;
	case 'F':
		o->no_fork = true;
		return -1;
	case 'B':
		o->batch = arg;
		return -1;
	case 'j':
		if ((status = cli_number_option("grade", "--jobs", arg, 1, 64,
						&n)) >= 0)
			return status;
		o->jobs = (unsigned)n;
		return -1;
	default: {	/* 'h' */
		char names[160];

		fputs(usage, stdout);
		printf("Policies: %s.\n", tls_policy_names(names, sizeof(names)));
		return 0;
	}
	}
}

/*
 * Parse the options; *operands is then the index of the first scenario.
 * Returns -1 to go on, else the exit status.
 */
static int parse_options(int argc, char **argv, struct grade_opts *o,
			 int *operands)
{
	static const struct option opts[] = {
		{ "manager", required_argument, NULL, 'm' },
		{ "timeout", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 's' },
		{ "only", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'O' },
		{ "format", required_argument, NULL, 'f' },
		{ "only-scenarios", no_argument, NULL, 'S' },
		{ "no-fork", no_argument, NULL, 'F' },
		{ "batch", required_argument, NULL, 'B' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int status = cli_parse("grade", argc, argv, 1, "vhj:", opts,
			       apply_option, o, operands);

	if (status >= 0)
		return status;
	if (!o->manager && !o->batch)
		return cli_usage_error("grade", "%s", "no manager given (--manager=PATH)");
	if (o->manager && o->batch)
		return cli_usage_error("grade", "%s", "--batch grades the "
				       "submissions of a directory: it takes no "
				       "--manager");
	return -1;
}

/* ---- the scenarios ---- */

/* scandir's filter: whether e is a NAME.tls file (not a hidden one). */
static int is_scenario(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 4 &&
	       strcmp(e->d_name + n - 4, ".tls") == 0;
}

const char *grade_installed_or_source(const char *installed,
				      const char *name, const char *source)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", installed, name);
	return access(path, R_OK) == 0 ? installed : source;
}

/* Where the default scenarios are: $TLSSIM_LABS, installed, source. */
static const char *labs_dir(void)
{
	const char *env = getenv("TLSSIM_LABS");

	if (env && *env)
		return env;
	return grade_installed_or_source(TLSSIM_LABS_INSTALLED, "",
					 TLSSIM_LABS_SOURCE);
}

/*
 * Load the scenario at path into scns[*count]. Returns 0, or the exit
 * status: 2 when it is malformed, missing or one too many, 4 when memory
 * ran out.
 */
static int load_one(const char *path, struct diag *d, struct scenario **scns,
		    size_t *count)
{
	int err;

	if (*count == MAX_SCENARIOS) {
		fprintf(stderr, "tlssim: grade: at most %d scenarios\n",
			MAX_SCENARIOS);
		return 2;
	}
	err = scenario_load_file(path, 0, d, &scns[*count]);
	if (err == -ENOMEM)
		return 4;
	if (err)
		return 2;
	(*count)++;
	return 0;
}

/*
 * Load the scenarios of the labs directory (unless only_given), then
 * those named. Returns 0, or the exit status of load_one. *from says
 * where they came from.
 */
static int load_scenarios(int n, char **paths, bool only_given,
			  struct scenario **scns, size_t *count, char *from,
			  size_t len)
{
	struct dirent **list = NULL;
	struct diag *d = diag_new_stream(stderr, false);
	const char *dir = labs_dir();
	char shown[PATH_MAX], path[4096];
	int found = 0, status = 0;

	*count = 0;
	if (!d) {
		host_say_no_memory(stderr);
		return 4;
	}
	if (!only_given) {
		found = scandir(dir, &list, is_scenario, alphasort);
		if (found < 0)
			found = 0;
	}
	for (int i = 0; i < found && !status; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		status = load_one(path, d, scns, count);
	}
	for (int i = 0; i < n && !status; i++)
		status = load_one(paths[i], d, scns, count);
	if (only_given || (n && !found))
		snprintf(from, len, "given");
	else if (n)
		snprintf(from, len, "from %s and %d given",
			 realpath(dir, shown) ? shown : dir, n);
	else
		snprintf(from, len, found ? "from %s" : "(none in %s)",
			 realpath(dir, shown) ? shown : dir);
	for (int i = 0; i < found; i++)
		free(list[i]);
	free(list);
	diag_free(d);
	return status;
}

/* The tests for this run, into items; returns how many. */
static size_t list_tests(const struct grade_opts *o, struct scenario **scns,
			 size_t nscns, struct grade_item *items)
{
	size_t n = 0;

	for (size_t i = 0; i < conform_rules_count; i++, n++) {
		snprintf(items[n].name, sizeof(items[n].name), "%s",
			 conform_rules[i].name);
		items[n].points = conform_rules[i].points;
		items[n].run = conform_rules[i].run;
	}
	for (unsigned i = 0; i < DIFF_SEEDS; i++, n++) {
		items[n].seed = o->seed + i;
		snprintf(items[n].name, sizeof(items[n].name),
			 "differential seed %" PRIu64, items[n].seed);
		items[n].points = DIFF_POINTS;
		items[n].run = conform_differential;
	}
	snprintf(items[n].name, sizeof(items[n].name), "performance");
	items[n].seed = o->seed;
	items[n].points = PERF_POINTS;
	items[n++].run = conform_performance;
	snprintf(items[n].name, sizeof(items[n].name), "complexity");
	items[n].seed = o->seed;
	items[n].points = COMPLEXITY_POINTS;
	items[n++].run = conform_complexity;
	for (size_t i = 0; i < nscns; i++, n++) {
		const char *file = scns[i]->file_name;
		const char *base = strrchr(file, '/');

		snprintf(items[n].name, sizeof(items[n].name), "scenario %s",
			 base ? base + 1 : file);
		items[n].points = SCENARIO_POINTS;
		items[n].run = conform_scenario;
		items[n].scn = scns[i];
	}
	return n;
}

/* The NAME at *p of a NAME,NAME list: its length; *p moves past it. */
static size_t next_name(const char **p, const char **name)
{
	size_t len = strcspn(*p, ",");

	*name = *p;
	*p += len + ((*p)[len] == ',');
	return len;
}

/* Whether test begins with one of the names of only. */
static bool wanted(const char *only, const char *test)
{
	const char *name;
	size_t len;

	while (*only) {
		len = next_name(&only, &name);
		if (len && strncmp(test, name, len) == 0)
			return true;
	}
	return false;
}

/*
 * Keep the items whose names begin with one of the names of only.
 * Returns how many are left, or 0 after saying which name matches none.
 */
static size_t select_tests(const char *only, struct grade_item *items,
			   size_t n)
{
	const char *p = only, *name;
	size_t kept = 0, len, i;

	while (*p) {
		len = next_name(&p, &name);
		for (i = 0; i < n; i++)
			if (len && strncmp(items[i].name, name, len) == 0)
				break;
		if (i < n)
			continue;
		fprintf(stderr, "tlssim: grade: --only: no test is called "
			"'%.*s...' (tests: ", (int)len, name);
		for (i = 0; i < conform_rules_count; i++)
			fprintf(stderr, "%s, ", conform_rules[i].name);
		fprintf(stderr, "differential, performance, complexity, scenario)\n");
		return 0;
	}
	for (i = 0; i < n; i++)
		if (wanted(only, items[i].name))
			items[kept++] = items[i];
	return kept;
}

/*
 * After a crash, a hang or an exit, the reason ends with how to follow
 * the test under a debugger.
 */
static void add_debug_hint(const struct grade_opts *o,
			   const struct grade_item *t, struct grade_result *r)
{
	size_t len = strlen(r->reason);

	if (!r->rc || (strncmp(r->reason, "crashed", 7) != 0 &&
		       strncmp(r->reason, "timed out", 9) != 0 &&
		       strncmp(r->reason, "exited", 6) != 0))
		return;
	snprintf(r->reason + len, sizeof(r->reason) - len, "\nto follow it "
		 "in a debugger: gdb --args tlssim grade --manager=%s "
		 "--only='%s' --no-fork", o->manager, t->name);
}

/* Run every test and print the report. Returns the exit status. */
static int grade_all(FILE *out, const struct grade_opts *o,
		     const struct grade_manager *m,
		     struct scenario **scns, size_t nscns, const char *from)
{
	static struct grade_item items[32 + MAX_SCENARIOS];
	static struct grade_result results[32 + MAX_SCENARIOS];
	const struct grade_summary summary = {
		.m = m, .spec = o->manager, .seed = o->seed,
		.timeout = o->timeout, .scenarios = nscns, .from = from,
	};
	const struct tls_manager_ops *ops_here = NULL;
	unsigned score = 0, total = 0, passed = 0;
	size_t n = list_tests(o, scns, nscns, items);
	bool text = o->format == GRADE_TEXT;

	if (o->only && (n = select_tests(o->only, items, n)) == 0)
		return 2;
	if (o->no_fork && !(ops_here = grade_open_here(m)))
		return 2;
	if (text)
		grade_report_header(out, &summary);
	for (size_t i = 0; i < n; i++) {
		struct conform_ctx g = {
			.ref = tls_policy_find(TLS_POLICY_DEFAULT),
			.seed = items[i].seed, .scn = items[i].scn,
			.verbose = o->verbose,
		};

		if (o->no_fork) {
			g.ops = ops_here;
			grade_run_here(&items[i], &g, &results[i]);
		} else if (grade_run_forked(&items[i], &g, m, o->timeout,
					    &results[i]) < 0) {
			fprintf(stderr, "tlssim: grade: the host refused a "
				"test process: %s\n", strerror(errno));
			return 4;
		}
		if (!o->no_fork)
			add_debug_hint(o, &items[i], &results[i]);
		if (text) {
			grade_report_line(out, &items[i], &results[i]);
			fflush(out);
		}
		total += items[i].points;
		if (results[i].rc == 0) {
			score += items[i].points;
			passed++;
		}
	}
	if (!text)
		return grade_report_json(out, o->format, &summary, items,
					 results, n);
	fprintf(out, "\n%u of %zu tests passed\nscore: %u/%u\n", passed, n,
		score, total);
	return 0;
}

/*
 * --batch: grade_batch with the options each grading takes (all but
 * --batch, --jobs, --format, --json and --no-fork). Returns its status.
 */
static int batch_main(int argc, char **argv, const struct grade_opts *o)
{
	static const char *const batch_only[] = {
		"--batch", "--jobs", "--format", "--json", "--no-fork",
	};
	static char *pass[256];
	int n = 0;

	for (int i = 1; i < argc && n < 255; i++) {
		bool skip = strncmp(argv[i], "-j", 2) == 0;

		if (strcmp(argv[i], "-j") == 0 && i + 1 < argc)
			i++;	/* and its value */
		for (size_t b = 0; b < 5; b++)
			skip |= strncmp(argv[i], batch_only[b],
					strlen(batch_only[b])) == 0;
		if (!skip)
			pass[n++] = argv[i];
	}
	return grade_batch(stdout, o->batch, o->jobs ? o->jobs : 1, n, pass);
}

int grade_main(int argc, char **argv, FILE *out)
{
	static struct scenario *scns[MAX_SCENARIOS];
	struct grade_opts o = { .timeout = 10, .seed = 1 };
	static struct grade_manager m;
	size_t nscns = 0;
	char from[4200];
	int status, first;

	status = parse_options(argc, argv, &o, &first);
	if (status >= 0)
		return status;
	if (o.batch)
		return batch_main(argc, argv, &o);
	status = grade_probe(o.manager, o.timeout, &m);
	if (status)
		return status;
	status = load_scenarios(argc - first, argv + first, o.only_scenarios,
				scns, &nscns,
				from, sizeof(from));
	if (status == 0)
		status = grade_all(out, &o, &m, scns, nscns, from);
	for (size_t i = 0; i < nscns; i++)
		scenario_free(scns[i]);
	return status;
}
