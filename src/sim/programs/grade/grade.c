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
#include "grade.h"
#include "grade_load.h"
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

#define DIFF_SEEDS 5
#define DIFF_POINTS 10
#define PERF_POINTS 10
#define SCENARIO_POINTS 5
#define MAX_SCENARIOS 256

static const char usage[] =
	"Usage: tlssim grade --manager=PATH|builtin:NAME [OPTIONS] [SCENARIO...]\n"
	"Grade a TLS manager: a shared object exporting\n"
	"`const struct tls_manager_ops tls_manager_ops` (<tlssim/tls_manager.h>),\n"
	"or a built-in policy. The grader never loads it: each test runs it in\n"
	"a sandboxed child (seccomp, limits) whose answers a verifier checks\n"
	"by running the same test; a crash, a hang, a panic, a memory blow-up\n"
	"or a forged answer fails that test and names the call.\n"
	"\n"
	"Tests: conformance (8 x 5 points), differential against the seed's\n"
	"manager on 5 seeds (5 x 10), performance: 10^5 regions within the\n"
	"timeout (10), and each scenario (5 each). Scenarios default to the\n"
	"*.tls files of the labs directory ($TLSSIM_LABS, else the installed\n"
	"or source tree's labs/grade/), if there are any.\n"
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int status = cli_parse("grade", argc, argv, 1, "vh", opts,
			       apply_option, o, operands);

	if (status >= 0)
		return status;
	if (!o->manager)
		return cli_usage_error("grade", "%s", "no manager given (--manager=PATH)");
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

/* Where the default scenarios are: $TLSSIM_LABS, installed, source. */
static const char *labs_dir(void)
{
	const char *env = getenv("TLSSIM_LABS");
	DIR *d;

	if (env && *env)
		return env;
	d = opendir(TLSSIM_LABS_INSTALLED);
	if (d) {
		closedir(d);
		return TLSSIM_LABS_INSTALLED;
	}
	return TLSSIM_LABS_SOURCE;
}

/*
 * Load the scenarios named, or those of the labs directory. Returns 0,
 * or the exit status: 2 when one is malformed or missing, 4 when memory
 * ran out. *from says where they came from.
 */
static int load_scenarios(int n, char **paths, struct scenario **scns,
			  size_t *count, char *from, size_t len)
{
	struct dirent **list = NULL;
	struct diag *d = diag_new_stream(stderr, false);
	const char *dir = NULL;
	char shown[PATH_MAX];
	int found = 0, status = 0;

	*count = 0;
	if (!d)
		return 4;
	if (n == 0) {
		dir = labs_dir();
		found = scandir(dir, &list, is_scenario, alphasort);
		if (found < 0)
			found = 0;
		snprintf(from, len, found ? "from %s" : "(none in %s)",
			 realpath(dir, shown) ? shown : dir);
	} else {
		snprintf(from, len, "given");
		found = n;
	}
	for (int i = 0; i < found && !status; i++) {
		char path[4096];
		int err;

		if (*count == MAX_SCENARIOS) {
			fprintf(stderr, "tlssim: grade: at most %d scenarios\n",
				MAX_SCENARIOS);
			status = 2;
			break;
		}
		if (dir)
			snprintf(path, sizeof(path), "%s/%s", dir,
				 list[i]->d_name);
		else
			snprintf(path, sizeof(path), "%s", paths[i]);
		err = scenario_load_file(path, 0, d, &scns[*count]);
		if (err == -ENOMEM)
			status = 4;
		else if (err)
			status = 2;
		else
			(*count)++;
	}
	for (int i = 0; dir && i < found; i++)
		free(list[i]);
	free(list);
	diag_free(d);
	return status;
}

/* ---- the report ---- */

/* The test's line, then each further line of the reason, indented. */
static void report(FILE *out, const struct grade_item *t,
		   const struct grade_result *res)
{
	const char *reason = res->reason, *nl = strchr(reason, '\n');
	char line[sizeof(res->reason) + 64];
	size_t n;

	n = (size_t)snprintf(line, sizeof(line), "%-26s %-6s %3u/%-3u %.*s",
			     t->name, res->rc ? "FAIL" : "PASS",
			     res->rc ? 0 : t->points, t->points,
			     nl ? (int)(nl - reason) : (int)strlen(reason),
			     reason);
	while (n > 0 && line[n - 1] == ' ')
		line[--n] = '\0';
	fprintf(out, "%s\n", line);
	while (nl) {
		reason = nl + 1;
		nl = strchr(reason, '\n');
		fprintf(out, "%42s%.*s\n", "",
			nl ? (int)(nl - reason) : (int)strlen(reason), reason);
	}
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
		fprintf(stderr, "differential, performance, scenario)\n");
		return 0;
	}
	for (i = 0; i < n; i++)
		if (wanted(only, items[i].name))
			items[kept++] = items[i];
	return kept;
}

/* Run every test and print the report. Returns the exit status. */
static int grade_all(FILE *out, const struct grade_opts *o,
		     const struct grade_manager *m,
		     struct scenario **scns, size_t nscns, const char *from)
{
	static struct grade_item items[32 + MAX_SCENARIOS];
	static struct grade_result res;
	unsigned score = 0, total = 0, passed = 0;
	size_t n = list_tests(o, scns, nscns, items);

	if (o->only && (n = select_tests(o->only, items, n)) == 0)
		return 2;

	fprintf(out, "tlssim grade: %s (%s): %s\n", m->name, o->manager,
		m->summary);
	if (m->loading_output[0])
		fprintf(out, "(while it was loading, the manager printed: "
			"%s)\n", m->loading_output);
	fprintf(out, "seed %" PRIu64 ", %u s a test, %zu scenario%s %s\n\n",
		o->seed, o->timeout, nscns, nscns == 1 ? "" : "s", from);
	fprintf(out, "%-26s %-6s %-7s %s\n", "test", "result", "points",
		"why");
	for (size_t i = 0; i < n; i++) {
		struct conform_ctx g = {
			.ref = tls_policy_find(TLS_POLICY_DEFAULT),
			.seed = items[i].seed, .scn = items[i].scn,
			.verbose = o->verbose,
		};

		if (grade_run_forked(&items[i], &g, m, o->timeout, &res) < 0) {
			fprintf(stderr, "tlssim: grade: the host refused a "
				"test process: %s\n", strerror(errno));
			return 4;
		}
		report(out, &items[i], &res);
		total += items[i].points;
		if (res.rc == 0) {
			score += items[i].points;
			passed++;
		}
	}
	fprintf(out, "\n%u of %zu tests passed\nscore: %u/%u\n", passed, n,
		score, total);
	return 0;
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
	status = grade_probe(o.manager, o.timeout, &m);
	if (status)
		return status;
	status = load_scenarios(argc - first, argv + first, scns, &nscns,
				from, sizeof(from));
	if (status == 0)
		status = grade_all(out, &o, &m, scns, nscns, from);
	for (size_t i = 0; i < nscns; i++)
		scenario_free(scns[i]);
	return status;
}
