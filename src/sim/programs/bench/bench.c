/*
 * bench.c - `tlssim bench`: runs the workloads of bench_work.c for each
 * policy, mode and size, several times; reports the median, the
 * bookkeeping per live TLS and the peak resident memory; judges the
 * project's targets on the figures of this one run.
 */
#include <config.h>

#include "bench.h"
#include "cli.h"
#include "bench_switch.h"
#include "bench_report.h"
#include "bench_work.h"
#include "policy/policy.h"
#include "report/progress.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SIZES 16
#define MAX_POLICIES 8
/*
 * Where the slow cases stop: sunrise and seed (the seed's own code) are
 * linear in pages (their churn at 10^6 would take an hour); processes
 * take many seconds a run.
 */
#define SLOW_MAX_N 100000

struct bench_cfg {
	bool workload[BW_COUNT];
	const struct tls_manager_ops *policy[MAX_POLICIES];
	size_t npolicies;
	bool mode[2];
	size_t size[MAX_SIZES];
	size_t nsizes;
	unsigned runs;
	unsigned long iterations;	/* switches, and `bench switch` */
	bool json, progress;
	bool cold;		/* --cold: no prefetch of churn's victims */
	struct progress *pg;	/* runs done of all, on a terminal */
	size_t *runs_done;
};


static const char usage[] =
	"Usage: tlssim bench [WORKLOAD...] [--policy=P[,P...]] [--mode=M]\n"
	"                    [--n=N[,N...]] [--runs=R] [--cold] [--json]\n"
	"       tlssim bench switch [--iterations=N]\n"
	"Workloads and policies: see below (default: all of them).\n"
	"Modes: kernel, bookkeeping, both (default).\n"
	"Sizes: default 1000,10000,100000,1000000; sunrise, seed and processes\n"
	"stop at 100000. Runs: 5 by default; the median is reported.\n"
	"The policies of one workload, mode and size run interleaved (run 1 of each, then 2...).\n"
	"Kernel-mode churn brings the next victim's thread record into the\n"
	"cache ahead, as a kernel has the running thread's; --cold does not.\n"
	"switch-cross times, beside its switches, one mprotect of a land\n"
	"(its floor); the targets judge a switch against it (lands hidden by\n"
	"protection keys where the host has them, TLSSIM_PKEYS=0 to not), and\n"
	"a process at n=100000. scenario writes the churn to a file and times `run` of\n"
	"it, both readings included; the targets judge it against fill and\n"
	"churn in kernel mode at the same n, and a note gives its floor here:\n"
	"the file read twice, a name looked up a line, nothing parsed or run;\n"
	"another splits its time into the check and the run (the second\n"
	"reading, each command parsed and run) against the kernel model.\n"
	"On a terminal, runs done and their rate show on stderr after 2 s.\n";

/* The workloads' names, "fill, churn, ...", into buf; returns buf. */
static const char *workload_names(char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int w = 0; w < BW_COUNT; w++)
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s",
				      w ? ", " : "",
				      bench_workload_name((enum bench_workload)w));
	return buf;
}

/* The policies bench measures, its floor included, into buf. */
static const char *policy_names(char *buf, size_t size)
{
	size_t n = strlen(tls_policy_names(buf, size));

	snprintf(buf + n, n < size ? size - n : 0, ", %s", bench_floor_ops.name);
	return buf;
}

/*
 * take(cfg, item) for each comma-separated item of arg, which says whether
 * the item was good. False when one was not, or was empty ("1,,2", "1,"
 * and "" are refused, not read as a shorter list).
 */
static bool parse_list(struct bench_cfg *cfg, const char *arg,
		       bool (*take)(struct bench_cfg *cfg, const char *item))
{
	char *copy = strdup(arg), *rest = copy, *item;
	bool ok = copy != NULL;

	/* strsep, unlike strtok, sees the empty item of "1,,2" or "1," */
	while (ok && (item = strsep(&rest, ",")) != NULL)
		ok = *item && take(cfg, item);
	free(copy);
	return ok;
}

/* A size of --n ("1000", "1e6") into cfg->size. */
static bool take_size(struct bench_cfg *cfg, const char *item)
{
	uint64_t v;

	if (!cli_parse_count(item, 1, 10000000, &v) ||
	    cfg->nsizes == MAX_SIZES)
		return false;
	cfg->size[cfg->nsizes++] = (size_t)v;
	return true;
}

static const struct tls_manager_ops *policy_named(const char *name)
{
	if (strcmp(name, bench_floor_ops.name) == 0)
		return &bench_floor_ops;
	return tls_policy_find(name);
}

/* Why a policy of --policy is not in this build, when that was the fault. */
static const char *bad_policy_why;

/* A policy of --policy into cfg->policy. */
static bool take_policy(struct bench_cfg *cfg, const char *item)
{
	const struct tls_manager_ops *ops = policy_named(item);

	if (!ops && tls_policy_unbuilt(item))
		bad_policy_why = tls_policy_unbuilt(item);
	if (!ops || cfg->npolicies == MAX_POLICIES)
		return false;
	cfg->policy[cfg->npolicies++] = ops;
	return true;
}

/* One option of bench into the struct bench_cfg at ctx (cli_parse). */
static int apply_option(void *ctx, int opt, const char *arg)
{
	struct bench_cfg *cfg = ctx;
	char names[192];
	uint64_t v;
	int status;

	switch (opt) {
	case 'p':
		cfg->npolicies = 0;
		if (!parse_list(cfg, arg, take_policy))
			return cli_usage_error("bench", "--policy wants names among %s, not '%s'%s%s",
					       policy_names(names, sizeof(names)), arg,
					       bad_policy_why ? ": seed is not in this build: " : "",
					       bad_policy_why ? bad_policy_why : "");
		return -1;
	case 'm':
		cfg->mode[BM_KERNEL] = strcmp(arg, "bookkeeping") != 0;
		cfg->mode[BM_BOOKKEEPING] = strcmp(arg, "kernel") != 0;
		if (strcmp(arg, "kernel") && strcmp(arg, "bookkeeping") &&
		    strcmp(arg, "both"))
			return cli_usage_error("bench", "--mode wants kernel, bookkeeping or both, not '%s'", arg);
		return -1;
	case 'c':
		cfg->cold = true;
		return -1;
	case 'n':
		cfg->nsizes = 0;
		if (!parse_list(cfg, arg, take_size))
			return cli_usage_error("bench", "--n wants sizes from 1 to 1e7, comma separated, not '%s'", arg);
		return -1;
	case 'r':
		if ((status = cli_number_option("bench", "--runs", arg, 1,
						101, &v)) >= 0)
			return status;
		cfg->runs = (unsigned)v;
		return -1;
	case 'i':
		if ((status = cli_count_option("bench", "--iterations", arg,
						1000, 100000000, &v)) >= 0)
			return status;
		cfg->iterations = (unsigned long)v;
		return -1;
	case 'j':
		cfg->json = true;
		return -1;
	default:	/* 'h' */
		fputs(usage, stdout);
		printf("Workloads: %s.\nPolicies: %s (seed where it is built).\n",
		       workload_names(names, sizeof(names) / 2),
		       policy_names(names + sizeof(names) / 2, sizeof(names) / 2));
		return 0;
	}
}

/* Options and workloads into cfg. -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, struct bench_cfg *cfg,
		      bool *switch_table)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, 'm' },
		{ "n", required_argument, NULL, 'n' },
		{ "runs", required_argument, NULL, 'r' },
		{ "iterations", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "cold", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char names[128];
	bool any = false;
	int status, first;

	status = cli_parse("bench", argc, argv, 1, "h", opts, apply_option,
			   cfg, &first);
	if (status >= 0)
		return status;
	for (int i = first; i < argc; i++) {
		enum bench_workload w = bench_workload_from_name(argv[i]);

		if (w == BW_COUNT)
			return cli_usage_error("bench", "unknown workload '%s' (expected %s)", argv[i],
					       workload_names(names, sizeof(names)));
		cfg->workload[w] = any = true;
	}
	*switch_table = argc - first == 1 && strcmp(argv[first], "switch") == 0;
	for (int w = 0; !any && w < BW_COUNT; w++)
		cfg->workload[w] = true;
	return -1;
}

/*
 * Forget the peak resident memory so far (Linux: clear_refs 5), after
 * giving the heap's free memory back, so a run starts from what it needs.
 */
static void reset_peak_rss(void)
{
	FILE *f;

	malloc_trim(0);
	f = fopen("/proc/self/clear_refs", "w");

	if (f) {
		fputs("5", f);
		fclose(f);
	}
}

/* Peak resident memory in bytes (VmHWM), or 0 when unknown. */
static size_t peak_rss(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	size_t kib = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %zu kB", &kib) == 1)
			break;
	fclose(f);
	return kib * 1024;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of the n figures in v (sorted here). */
static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(v[0]), by_value);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The figures of a run that a case reports as their median over its runs. */
enum { FIG_NS, FIG_FLOOR, FIG_CHECK, FIGURES };

/*
 * One run of one case into r (its figures; those reported as medians into
 * fig, by FIG_*). 0, or the error.
 */
static int measure_once(const struct bench_cfg *cfg, unsigned run,
			struct bench_result *r, double fig[FIGURES])
{
	struct bench_sample s;
	size_t peak;
	int err;

	reset_peak_rss();
	err = bench_work_run(r->workload, r->ops, r->mode, r->n, run,
			     cfg->cold, &s);
	if (err)
		return err;
	progress_step(cfg->pg, ++*cfg->runs_done);
	fig[FIG_NS] = s.ns_per_op;
	fig[FIG_FLOOR] = s.floor_ns;
	fig[FIG_CHECK] = s.check_ns;
	peak = peak_rss();
	if (peak > r->peak_rss)
		r->peak_rss = peak;
	r->ops_per_run = s.ops;
	r->host_mappings = s.host_mappings;
	r->bytes_per_tls = s.live_tls ?
		(double)s.bookkeeping_bytes / (double)s.live_tls : 0;
	return 0;
}

/*
 * The cases r[0..count) (one workload, mode and size; a policy each), each
 * run cfg->runs times, interleaved: run 1 of every policy, then run 2, and
 * so on, so that the machine's drift (warming up, a neighbour's load) weighs
 * on every policy alike. 0, or bench_work_run's error.
 */
static int measure(const struct bench_cfg *cfg, struct bench_result *r,
		   size_t count)
{
	double fig[MAX_POLICIES][FIGURES][101], one[FIGURES], med[FIGURES];

	for (unsigned run = 0; run < cfg->runs; run++)
		for (size_t i = 0; i < count; i++) {
			int err = measure_once(cfg, run, &r[i], one);

			if (err)
				return err;
			for (int f = 0; f < FIGURES; f++)
				fig[i][f][run] = one[f];
		}
	for (size_t i = 0; i < count; i++) {
		for (int f = 0; f < FIGURES; f++)
			med[f] = median(fig[i][f], cfg->runs);
		r[i].ns_per_op = med[FIG_NS];
		r[i].floor_ns = med[FIG_FLOOR];
		r[i].check_ns = med[FIG_CHECK];
	}
	return 0;
}

/* Whether this case runs (sizes past a workload's or policy's limit do not). */
static bool case_runs(enum bench_workload w, const struct tls_manager_ops *ops,
		      enum bench_mode m, size_t n)
{
	if (!bench_workload_has_mode(w, m))
		return false;
	if (w >= BW_SWITCH)
		return ops == tls_policy_at(0);	/* the policy does not matter */
	if (w == BW_PROCESSES)
		return n <= SLOW_MAX_N;
	return (strcmp(ops->name, "sunrise") != 0 &&
		strcmp(ops->name, "seed") != 0) || n <= SLOW_MAX_N;
}

static int add_result(struct bench_results *rs, const struct bench_result *r)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? 2 * rs->cap : 64;
		struct bench_result *p = realloc(rs->r, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		rs->r = p;
		rs->cap = cap;
	}
	rs->r[rs->n++] = *r;
	return 0;
}

static void print_row(FILE *out, const struct bench_result *r)
{
	fprintf(out, "%-12s %-10s %-11s %8zu %11.1f", bench_workload_name(r->workload),
		r->ops->name, bench_mode_name(r->mode), r->n, r->ns_per_op);
	if (r->bytes_per_tls > 0)
		fprintf(out, " %7.2f", r->bytes_per_tls);
	else
		fprintf(out, " %7s", "-");
	fprintf(out, " %9.1f", (double)r->peak_rss / (1 << 20));
	if (r->host_mappings)
		fprintf(out, " %8zu", r->host_mappings);
	else
		fprintf(out, " %8s", "-");
	fprintf(out, "\n");
}

static void fill_defaults(struct bench_cfg *cfg)
{
	static const size_t sizes[] = { 1000, 10000, 100000, 1000000 };

	if (!cfg->npolicies) {
		for (size_t i = 0; tls_policy_at(i); i++)
			cfg->policy[cfg->npolicies++] = tls_policy_at(i);
		cfg->policy[cfg->npolicies++] = &bench_floor_ops;
	}
	if (!cfg->mode[BM_KERNEL] && !cfg->mode[BM_BOOKKEEPING])
		cfg->mode[BM_KERNEL] = cfg->mode[BM_BOOKKEEPING] = true;
	if (!cfg->nsizes) {
		memcpy(cfg->size, sizes, sizeof(sizes));
		cfg->nsizes = sizeof(sizes) / sizeof(sizes[0]);
	}
	if (!cfg->runs)
		cfg->runs = 5;
	if (!cfg->iterations)
		cfg->iterations = 200000;
}

/* Say that a case does not run at this size. */
static void print_skipped(FILE *out, enum bench_workload w,
			  const struct tls_manager_ops *ops, enum bench_mode m,
			  size_t n)
{
	fprintf(out, "%-12s %-10s %-11s %8zu skipped: stops at %d\n",
		bench_workload_name(w), ops->name, bench_mode_name(m), n,
		SLOW_MAX_N);
}

/*
 * The cases of one workload, mode and size, for every policy that runs
 * it, into rs (and out). 0, or the exit status of a failure.
 */
static int run_group(const struct bench_cfg *cfg, enum bench_workload w,
		     enum bench_mode m, size_t n, struct bench_results *rs,
		     FILE *out)
{
	struct bench_result r[MAX_POLICIES];
	size_t count = 0;
	int err;

	for (size_t pi = 0; pi < cfg->npolicies; pi++) {
		const struct tls_manager_ops *ops = cfg->policy[pi];

		if (case_runs(w, ops, m, n))
			r[count++] = (struct bench_result){
				.workload = w, .ops = ops, .mode = m, .n = n,
				.runs = cfg->runs };
		else if (!cfg->json && w < BW_SWITCH)
			print_skipped(out, w, ops, m, n);
	}
	/* a failure's message, and the rows, start on a line of their own */
	progress_clear(cfg->pg);
	err = measure(cfg, r, count);
	progress_clear(cfg->pg);
	if (err)
		return err == -EIO ? 1 : 4;
	for (size_t i = 0; i < count; i++) {
		if (add_result(rs, &r[i]))
			return 4;
		if (!cfg->json)
			print_row(out, &r[i]);
	}
	return 0;
}

/* The size of workload w's si-th group, or 0 when that group does not run. */
static size_t group_size(const struct bench_cfg *cfg, int w, int m, size_t si)
{
	if (!cfg->workload[w] || !cfg->mode[m] || (w >= BW_SWITCH && si > 0) ||
	    !bench_workload_has_mode((enum bench_workload)w,
				     (enum bench_mode)m))
		return 0;
	return w >= BW_SWITCH ? cfg->iterations : cfg->size[si];
}

/* How many runs cfg makes in all (its progress's total). */
static size_t count_runs(const struct bench_cfg *cfg)
{
	size_t total = 0;

	for (int w = 0; w < BW_COUNT; w++)
		for (int m = 0; m < 2; m++)
		for (size_t si = 0; si < cfg->nsizes; si++) {
			size_t n = group_size(cfg, w, m, si);

			for (size_t pi = 0; n && pi < cfg->npolicies; pi++)
				if (case_runs((enum bench_workload)w,
					      cfg->policy[pi],
					      (enum bench_mode)m, n))
					total += cfg->runs;
		}
	return total;
}

/* Every case of cfg into rs. 0, or the exit status of a failure. */
static int run_all(const struct bench_cfg *cfg, struct bench_results *rs, FILE *out)
{
	if (!cfg->json)
		fprintf(out, "%-12s %-10s %-11s %8s %11s %7s %9s %8s\n",
			"workload", "policy", "mode", "n", "ns/op", "B/TLS",
			"peak MiB", "host maps");
	for (int w = 0; w < BW_COUNT; w++) {
		for (int m = 0; m < 2; m++)
		for (size_t si = 0; si < cfg->nsizes; si++) {
			size_t n = group_size(cfg, w, m, si);
			int status;

			if (!n)
				continue;
			status = run_group(cfg, (enum bench_workload)w,
					   (enum bench_mode)m, n, rs, out);
			if (status)
				return status;
		}
	}
	return 0;
}

int bench_main(int argc, char **argv, FILE *out)
{
	struct bench_cfg cfg = { .runs = 0 };
	struct bench_results rs = { NULL, 0, 0, false };
	bool switch_table = false;
	int status = parse_args(argc, argv, &cfg, &switch_table);
	struct progress pg;
	size_t runs_done = 0;

	if (status >= 0)
		return status;
	fill_defaults(&cfg);
	rs.cold = cfg.cold;
	cfg.progress = isatty(STDERR_FILENO);
	if (switch_table && !cfg.json) {
		if (bench_switch_run(out, (unsigned)cfg.iterations,
				     cfg.progress))
			return 4;
		fprintf(out, "\nthe kernel's switch (address space, first "
			"schedule, register), %lu switches:\n", cfg.iterations);
		cfg.workload[BW_SWITCH_CROSS] = true;
	}
	/* runs done of all, with their rate, once the work lasts 2 s */
	progress_begin(&pg, stderr, false, "runs", count_runs(&cfg));
	cfg.pg = &pg;
	cfg.runs_done = &runs_done;
	status = run_all(&cfg, &rs, out);
	progress_end(&pg);
	if (!status && !switch_table) {
		if (cfg.json)
			status = bench_print_json(out, &rs) ? 4 : 0;
		else
			bench_print_targets(out, &rs);
	}
	free(rs.r);
	return status;
}
