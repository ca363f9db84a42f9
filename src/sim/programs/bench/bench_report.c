/*
 * bench_report.c - the targets of the scale issue judged on one run's
 * figures, and the JSON form of the results.
 */
#include <config.h>

#include "bench_report.h"
#include "hostkey.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

const struct bench_result *bench_find(const struct bench_results *rs,
				      enum bench_workload w, const char *policy,
				      enum bench_mode m, size_t n)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->r[i].workload == w && rs->r[i].mode == m &&
		    rs->r[i].n == n && strcmp(rs->r[i].ops->name, policy) == 0)
			return &rs->r[i];
	return NULL;
}

/* A target: a ratio (or figure) and the bound it must meet. */
struct target {
	char name[224];
	double value, bound;
	bool at_least;		/* value >= bound, else value <= bound */
};

/* Whether t's value is on the right side of its bound. */
static bool target_met(const struct target *t)
{
	return t->at_least ? t->value >= t->bound : t->value <= t->bound;
}

/* The ratio a / b of churn medians, when both ran. */
static bool churn_ratio(const struct bench_results *rs, const char *a,
			enum bench_mode ma, const char *b, enum bench_mode mb,
			size_t n, double *out)
{
	const struct bench_result *x = bench_find(rs, BW_CHURN, a, ma, n);
	const struct bench_result *y = bench_find(rs, BW_CHURN, b, mb, n);

	if (!x || !y || y->ns_per_op <= 0)
		return false;
	*out = x->ns_per_op / y->ns_per_op;
	return true;
}

/* The case of workload w in kernel mode at any size (the first), or NULL. */
static const struct bench_result *find_any(const struct bench_results *rs,
					   enum bench_workload w)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->r[i].workload == w && rs->r[i].mode == BM_KERNEL)
			return &rs->r[i];
	return NULL;
}

/*
 * The costs of the host in kernel mode: a process at 10^5 processes (the
 * slowest policy: the host's part is the same for all) and a cross-process
 * switch against its floor, one mprotect of a land measured side by side.
 * Appended to t from k; the new number of targets.
 */
static size_t judge_host(const struct bench_results *rs, struct target *t,
			 size_t k)
{
	const struct bench_result *r, *worst = NULL;

	for (size_t i = 0; i < rs->n; i++) {
		r = &rs->r[i];
		if (r->workload == BW_PROCESSES && r->mode == BM_KERNEL &&
		    r->n == 100000 && (!worst || r->ns_per_op > worst->ns_per_op))
			worst = r;
	}
	if (worst) {
		t[k] = (struct target){ "", worst->ns_per_op / 1000, 1.5, false };
		snprintf(t[k++].name, sizeof(t[0].name), "processes n=100000 "
			 "kernel: a process costs %.2f us (the slowest policy, "
			 "%s)", worst->ns_per_op / 1000, worst->ops->name);
	}
	r = find_any(rs, BW_SWITCH_CROSS);
	if (r && r->floor_ns > 0) {
		t[k] = (struct target){ "", r->ns_per_op / r->floor_ns, 2,
					false };
		snprintf(t[k++].name, sizeof(t[0].name), "switch-cross: a "
			 "switch costs %.0f ns, %.2fx one mprotect of a land "
			 "(%.0f ns, side by side; lands hidden %s)",
			 r->ns_per_op, r->ns_per_op / r->floor_ns, r->floor_ns,
			 hostkey_available(NULL) ? "by protection keys" :
			 "by mprotect: no protection keys here");
	}
	return k;
}

/*
 * The runner's memory at n = 10^5 and 10^6: the peak resident set of the scenario
 * (the check, then the run) over fill's in kernel mode (the kernel
 * model's state for n live threads, and the bench's own), at most 64 MiB.
 * Its churn is short (pairs: bench_churn_pairs): a later line names few
 * of its threads again, so the run holds few names; the 10^7
 * commands are measured by hand (doc/performance.md). Judged only when
 * both peaks are known. Appended to t from k; the new number of targets.
 */
static size_t judge_runner_memory(const struct bench_result *sc,
				  const struct bench_result *fill,
				  struct target *t, size_t k)
{
	double mib = 1 << 20, over;

	if (!sc->peak_rss || !fill->peak_rss)
		return k;
	over = ((double)sc->peak_rss - (double)fill->peak_rss) / mib;
	t[k] = (struct target){ "", over, 64, false };
	snprintf(t[k++].name, sizeof(t[0].name), "scenario n=%zu, %s: the "
		 "runner peaks at %.0f MiB, %.0f MiB over the kernel model's "
		 "%.0f MiB (fill); %zu commands, few threads named again",
		 sc->n, sc->ops->name, (double)sc->peak_rss / mib, over,
		 (double)fill->peak_rss / mib, sc->ops_per_run);
	return k;
}

/*
 * What the commands of scenario case sc cost the kernel model, a command:
 * its n spawns at fill's cost and its pairs at churn's, both in kernel
 * mode, of its policy and size. False when fill or churn did not run.
 */
static bool kernel_cost(const struct bench_results *rs,
			const struct bench_result *sc, double *kernel_ns)
{
	const char *pol = sc->ops->name;
	const struct bench_result *fill, *churn;

	fill = bench_find(rs, BW_FILL, pol, BM_KERNEL, sc->n);
	churn = bench_find(rs, BW_CHURN, pol, BM_KERNEL, sc->n);
	if (!fill || !churn || !sc->ops_per_run)
		return false;
	*kernel_ns = ((double)sc->n * fill->ns_per_op +
		      (double)bench_churn_pairs(sc->n) * churn->ns_per_op) /
		     (double)sc->ops_per_run;
	return true;
}

/*
 * The scenario case the runner is judged on at size n (indexed, else the
 * first policy with fill and churn in kernel mode too), and in *kernel_ns
 * the same operations' cost in kernel mode, a command (kernel_cost). NULL
 * when the run has no such case.
 */
static const struct bench_result *runner_case(const struct bench_results *rs,
					      size_t n, double *kernel_ns)
{
	const struct bench_result *sc = NULL;
	double ns;

	for (size_t j = 0; j < rs->n; j++) {
		const struct bench_result *r = &rs->r[j];

		if (r->workload != BW_SCENARIO || r->n != n ||
		    (sc && strcmp(r->ops->name, "indexed") != 0))
			continue;
		if (kernel_cost(rs, r, &ns)) {
			sc = r;
			*kernel_ns = ns;
		}
	}
	return sc;
}

/* The sizes the runner is judged at. */
static const size_t runner_sizes[] = { 100000, 1000000 };

/*
 * The runner against the kernel model: a command of the scenario workload
 * (parsing included) against the same operations in kernel mode
 * (runner_case), at n = 10^5 and 10^6. Appended to t from k; the new
 * number of targets.
 */
static size_t judge_runner(const struct bench_results *rs, struct target *t,
			   size_t k)
{
	for (int i = 0; i < 2; i++) {
		size_t n = runner_sizes[i];
		double kernel_ns;
		const struct bench_result *sc = runner_case(rs, n, &kernel_ns);

		if (!sc)
			continue;
		t[k] = (struct target){ "", sc->ns_per_op / kernel_ns, 2,
					false };
		snprintf(t[k++].name, sizeof(t[0].name), "scenario n=%zu, %s: "
			 "the runner takes %.0f ns a command, parsing "
			 "included, %.2fx the kernel model's %.0f ns (fill "
			 "and churn)", n, sc->ops->name, sc->ns_per_op,
			 sc->ns_per_op / kernel_ns, kernel_ns);
		k = judge_runner_memory(sc, bench_find(rs, BW_FILL,
				sc->ops->name, BM_KERNEL, n), t, k);
	}
	return k;
}

/* The targets this run has the figures for, into t; their number. */
static size_t judge(const struct bench_results *rs, struct target *t)
{
	const size_t *big = runner_sizes;
	const struct bench_result *r;
	size_t k = 0;
	double v;

	if (churn_ratio(rs, "sunrise", BM_KERNEL, "indexed", BM_KERNEL,
			100000, &v)) {
		t[k] = (struct target){ "", v, 50, true };
		snprintf(t[k++].name, sizeof(t[0].name), "churn n=100000 "
			 "kernel: indexed is %.1fx faster than sunrise", v);
	}
	for (int i = 0; i < 2; i++) {
		for (int m = 0; m < 2; m++) {
			if (!churn_ratio(rs, "mesosphere", (enum bench_mode)m,
					 "indexed", (enum bench_mode)m, big[i], &v))
				continue;
			t[k] = (struct target){ "", v, 1, true };
			snprintf(t[k++].name, sizeof(t[0].name),
				 "churn n=%zu %s: indexed is %.2fx faster "
				 "than mesosphere", big[i],
				 bench_mode_name((enum bench_mode)m), v);
		}
		if (churn_ratio(rs, "indexed", BM_BOOKKEEPING, "floor",
				BM_BOOKKEEPING, big[i], &v)) {
			t[k] = (struct target){ "", v, 3, false };
			snprintf(t[k++].name, sizeof(t[0].name),
				 "churn n=%zu bookkeeping: indexed takes "
				 "%.2fx the floor's time", big[i], v);
		}
		/* the floor through the same kernel model */
		if (churn_ratio(rs, "indexed", BM_KERNEL, "floor",
				BM_KERNEL, big[i], &v)) {
			t[k] = (struct target){ "", v, 10, false };
			snprintf(t[k++].name, sizeof(t[0].name),
				 "churn n=%zu kernel: indexed takes %.2fx the "
				 "floor's time", big[i], v);
		}
	}
	r = bench_find(rs, BW_FILL, "indexed", BM_BOOKKEEPING, 1000000);
	if (!r)
		r = bench_find(rs, BW_FILL, "indexed", BM_BOOKKEEPING, 100000);
	if (r) {
		t[k] = (struct target){ "", r->bytes_per_tls, 16, false };
		snprintf(t[k++].name, sizeof(t[0].name), "fill n=%zu: indexed "
			 "keeps %.2f bytes of bookkeeping per live TLS", r->n,
			 r->bytes_per_tls);
	}
	k = judge_runner(rs, t, k);
	return judge_host(rs, t, k);
}

/*
 * What a cross switch adds to a switch within a process (the register's
 * load, a host call without fsgsbase), against the same floor: not a
 * target, the part of the switch the address space costs.
 */
static void print_switch_note(FILE *out, const struct bench_results *rs)
{
	const struct bench_result *x = find_any(rs, BW_SWITCH_CROSS);
	const struct bench_result *w = find_any(rs, BW_SWITCH);

	if (!x || !w || x->floor_ns <= 0)
		return;
	fprintf(out, "  (switch-cross less a switch within a process, %.0f "
		"ns: the address space costs %.2fx one mprotect)\n",
		w->ns_per_op, (x->ns_per_op - w->ns_per_op) / x->floor_ns);
}

/*
 * The runner's floor on this host beside what its target leaves it: the
 * target allows the runner twice the kernel model's time, so its own work
 * (reading, parsing, names) may cost what the kernel model costs. Not a
 * target: the part of that budget that reading the file twice and one
 * name lookup a line take before anything is parsed or run. Then the
 * runner's time in its two readings: the check, and the run (its second
 * reading, the commands parsed and run) against the kernel model.
 */
static void print_runner_note(FILE *out, const struct bench_results *rs)
{
	for (int i = 0; i < 2; i++) {
		double kernel_ns;
		const struct bench_result *sc =
			runner_case(rs, runner_sizes[i], &kernel_ns);

		if (!sc || sc->floor_ns <= 0)
			continue;
		fprintf(out, "  (scenario n=%zu: the runner's floor here, the "
			"file read twice and a name looked up a line, is %.0f "
			"ns a command: %.2fx the %.0f ns its target leaves it "
			"beside the kernel model's work)\n", sc->n,
			sc->floor_ns, sc->floor_ns / kernel_ns,
			kernel_ns);
		if (sc->check_ns > 0 && sc->ns_per_op > sc->check_ns)
			fprintf(out, "  (scenario n=%zu: of the runner's %.0f ns "
				"a command, the check took %.0f and the run "
				"%.0f, %.2fx the kernel model's %.0f)\n",
				sc->n, sc->ns_per_op, sc->check_ns,
				sc->ns_per_op - sc->check_ns,
				(sc->ns_per_op - sc->check_ns) / kernel_ns,
				kernel_ns);
	}
}

void bench_print_targets(FILE *out, const struct bench_results *rs)
{
	struct target t[24];
	size_t k = judge(rs, t);
	const struct bench_result *fill;

	fprintf(out, "\nns/op: median of the runs; an op is a spawn (fill), an "
		"exit+spawn pair (churn),\na process created with one thread and "
		"killed (processes), a command (scenario),\na switch (switch, "
		"switch-cross). B/TLS: the manager's bookkeeping bytes per live "
		"TLS\nafter the fill. peak MiB: peak resident memory of a run. "
		"host maps: host mappings\nin the user land after the fill.\n");
	if (!k)
		return;
	fprintf(out, "\ntargets, judged on this run%s:\n",
		rs->cold ? " (--cold: churn's victims not prefetched)" : "");
	for (size_t i = 0; i < k; i++) {
		fprintf(out, "  %s (target: %s %g): %s\n", t[i].name,
			t[i].at_least ? "at least" : "at most", t[i].bound,
			target_met(&t[i]) ? "met" : "NOT met");
	}
	fill = bench_find(rs, BW_FILL, "indexed", BM_KERNEL, 1000000);
	if (fill)
		fprintf(out, "  fill n=1000000 kernel, indexed: completed; peak "
			"RSS %.1f MiB, %zu host mappings for the user land\n",
			(double)fill->peak_rss / (1 << 20), fill->host_mappings);
	print_switch_note(out, rs);
	print_runner_note(out, rs);
}

/*
 * One case as JSON. A scenario's kernel_ns is what its commands cost the
 * kernel model (kernel_cost), 0 when fill or churn did not run beside it.
 */
static json_t *result_json(const struct bench_results *rs,
			   const struct bench_result *r)
{
	bool cross = r->workload == BW_SWITCH_CROSS;	/* whose floor */
	double kernel_ns = 0;

	if (r->workload == BW_SCENARIO)
		(void)kernel_cost(rs, r, &kernel_ns);	/* else stays 0 */

	return json_pack("{s:s, s:s, s:s, s:I, s:f, s:f, s:I, s:i, s:I, s:I, "
			 "s:f, s:f, s:f, s:f}",
			 "workload", bench_workload_name(r->workload),
			 "policy", r->ops->name,
			 "mode", bench_mode_name(r->mode),
			 "n", (json_int_t)r->n,
			 "ns_per_op", r->ns_per_op,
			 "bookkeeping_bytes_per_tls", r->bytes_per_tls,
			 "peak_rss_bytes", (json_int_t)r->peak_rss,
			 "runs", (int)r->runs,
			 "ops_per_run", (json_int_t)r->ops_per_run,
			 "host_mappings", (json_int_t)r->host_mappings,
			 "mprotect_ns", cross ? r->floor_ns : 0.0,
			 "read_floor_ns", cross ? 0.0 : r->floor_ns,
			 "check_ns", r->check_ns,
			 "kernel_ns", kernel_ns);
}

int bench_print_json(FILE *out, const struct bench_results *rs)
{
	json_t *root = json_object(), *results = json_array();
	json_t *targets = json_array();
	struct target t[24];
	size_t k = judge(rs, t);
	int err = -ENOMEM;

	if (!root || !results || !targets)
		goto out;
	for (size_t i = 0; i < rs->n; i++)
		if (json_array_append_new(results, result_json(rs, &rs->r[i])))
			goto out;
	for (size_t i = 0; i < k; i++) {
		if (json_array_append_new(targets, json_pack(
			"{s:s, s:f, s:s, s:f, s:b}", "target", t[i].name,
			"value", t[i].value, "bound",
			t[i].at_least ? "at least" : "at most",
			"limit", t[i].bound, "met", target_met(&t[i]))))
			goto out;
	}
	if (json_object_set(root, "results", results) ||
	    json_object_set(root, "targets", targets) ||
	    json_object_set_new(root, "cold", json_boolean(rs->cold)))
		goto out;
	if (json_dumpf(root, out, JSON_INDENT(1)) == 0 && fputc('\n', out) != EOF)
		err = 0;
out:
	json_decref(results);
	json_decref(targets);
	json_decref(root);
	return err;
}
