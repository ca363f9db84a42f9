/*
 * bench_switch.c - the context-switch benchmark. Each timed round is one
 * loop of `iterations` operations timed with CLOCK_MONOTONIC; a figure is
 * the median over BENCH_ROUNDS rounds (after one untimed warm-up round).
 */
#include <config.h>

#include "bench_switch.h"
#include "kerror.h"
#include "hostkey.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#define BENCH_ROUNDS		9
#define BENCH_DEFAULT_ITERS	100000u
#define BENCH_STACK_SIZE	(64 * 1024)

/* The two contexts of the ping-pong and what they load. */
struct pingpong {
	struct cpu *cpu;
	struct context main, peer;
	uintptr_t tls_main, tls_peer;
	bool with_load;
};

/* Nanoseconds of CLOCK_MONOTONIC. */
static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* qsort order of doubles. */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of n samples (sorts them). */
static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The peer context: load its TLS, switch back, forever. */
static void peer_entry(void *arg)
{
	struct pingpong *pp = arg;

	for (;;) {
		if (pp->with_load)
			cpu_load_tls(pp->cpu, pp->tls_peer);
		context_switch(&pp->peer, &pp->main);
	}
}

/* One round of cpu_load_tls alone; returns ns per load. */
static double round_load(struct cpu *cpu, uintptr_t a, uintptr_t b,
			 unsigned iters)
{
	double t0 = now_ns();

	for (unsigned i = 0; i < iters; i++)
		cpu_load_tls(cpu, i & 1 ? b : a);
	return (now_ns() - t0) / iters;
}

/*
 * One round of ping-pong; returns ns per switch (two per iteration).
 * With loads, clears *ok when the user side then does not see the peer's
 * TLS, the one the last switch loaded.
 */
static double round_switch(struct pingpong *pp, bool with_load,
			   unsigned iters, bool *ok)
{
	double t0, ns;

	pp->with_load = with_load;
	t0 = now_ns();
	for (unsigned i = 0; i < iters; i++) {
		if (with_load)
			cpu_load_tls(pp->cpu, pp->tls_main);
		context_switch(&pp->main, &pp->peer);
	}
	ns = (now_ns() - t0) / (2.0 * iters);
	if (with_load && cpu_user_self(pp->cpu) != pp->tls_peer)
		*ok = false;
	return ns;
}

/*
 * The rounds of the three figures, interleaved (a load round, a bare
 * switch round, a switch+load round, and again), so that all three see
 * the same state of the host; one untimed warm-up round of each first.
 */
static void measure_rounds(struct pingpong *pp, unsigned iters,
			   struct bench_switch_figures *f, bool *ok)
{
	double load[BENCH_ROUNDS], bare[BENCH_ROUNDS], whole[BENCH_ROUNDS];
	unsigned warm = iters / 10 + 1;

	round_load(pp->cpu, pp->tls_main, pp->tls_peer, warm);
	round_switch(pp, false, warm, ok);
	round_switch(pp, true, warm, ok);
	for (int r = 0; r < BENCH_ROUNDS; r++) {
		load[r] = round_load(pp->cpu, pp->tls_main, pp->tls_peer,
				     iters);
		bare[r] = round_switch(pp, false, iters, ok);
		whole[r] = round_switch(pp, true, iters, ok);
	}
	/* median() sorts: the first round is then the fastest. */
	f->load_ns = median(load, BENCH_ROUNDS);
	f->bare_switch_ns = median(bare, BENCH_ROUNDS);
	f->switch_ns = median(whole, BENCH_ROUNDS);
	f->load_min_ns = load[0];
	f->load_max_ns = load[BENCH_ROUNDS - 1];
	f->switch_min_ns = whole[0];
	f->switch_max_ns = whole[BENCH_ROUNDS - 1];
}

/* Measure backend b; see bench_switch.h. */
int bench_switch_measure(enum arch_backend b, unsigned iterations,
			 struct bench_switch_figures *f)
{
	struct pingpong pp;
	struct cpu cpu;
	uint8_t *page = NULL;
	void *stack = NULL;
	bool ok = true;
	int err;

	if (!iterations)
		iterations = BENCH_DEFAULT_ITERS;
	memset(f, 0, sizeof(*f));
	err = cpu_init(&cpu, b, false);
	if (err)
		return err;
	err = -ENOMEM;
	page = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	stack = malloc(BENCH_STACK_SIZE);
	if (!page || !stack)
		goto out_free;
	memset(page, 0, PAGE_SIZE);
	memset(&pp, 0, sizeof(pp));
	pp.cpu = &cpu;
	pp.tls_main = (uintptr_t)page;
	pp.tls_peer = (uintptr_t)page + TLS_SIZE;
	((struct tls *)pp.tls_main)->ptr_self = (void *)pp.tls_main;
	((struct tls *)pp.tls_peer)->ptr_self = (void *)pp.tls_peer;

	context_init(&pp.peer, stack, BENCH_STACK_SIZE, peer_entry, &pp);
	measure_rounds(&pp, iterations, f, &ok);
	err = ok ? 0 : -EIO;
	/* The peer stays parked in context_switch; its stack just goes. */
out_free:
	cpu_fini(&cpu);
	free(stack);
	free(page);
	return err;
}

/*
 * The host facts that explain the figures, one line: the build, fsgsbase,
 * protection keys, whether the CPU runs under a hypervisor, and one arch_prctl's cost (the
 * x86_64-prctl backend's load, when it ran).
 */
static void print_host_line(FILE *out, const struct bench_switch_figures *fig,
			    const bool *have)
{
	const char *why;
	bool known, virt = host_cpu_flag("hypervisor", &known);
	struct utsname u;

	fprintf(out, "host: %s", uname(&u) == 0 ? u.machine : "unknown");
	if (arch_backend_in_build(ARCH_X86_64_WRGSBASE)) {
		const char *granted = arch_backend_granted(ARCH_X86_64_WRGSBASE);

		why = arch_backend_refusal(ARCH_X86_64_WRGSBASE);
		if (why)
			fprintf(out, "; fsgsbase: no, %s", why);
		else if (granted)
			fprintf(out, "; fsgsbase: yes (%s)", granted);
		else
			fputs("; fsgsbase: yes", out);
	}
	if (hostkey_available(&why))
		fputs("; protection keys: yes (a cross switch changes keys, "
		      "no mprotect)", out);
	else
		fprintf(out, "; protection keys: no, %s", why);
	fprintf(out, "; virtualised: %s", !known ? "unknown (no CPU flags in /proc/cpuinfo)" :
		virt ? "yes (the CPU's hypervisor flag)" : "no");
	if (have[ARCH_X86_64_PRCTL])
		fprintf(out, "; one arch_prctl(ARCH_SET_GS): %.1f ns",
			fig[ARCH_X86_64_PRCTL].load_ns);
	fputc('\n', out);
}

/*
 * The figures of the backends this host runs, aligned under their
 * headers, and the project's targets judged on them.
 */
static void print_table(FILE *out, unsigned iterations,
			const struct bench_switch_figures *fig,
			const bool *have)
{
	print_host_line(out, fig, have);
	fprintf(out, "median of %d timed rounds of %u operations; the three "
		"figures of a backend come from interleaved rounds\n",
		BENCH_ROUNDS, iterations);
	fprintf(out, "%-16s  %10s  %16s  %16s\n", "backend", "load ns",
		"switch+load ns", "bare switch ns");
	for (int b = ARCH_MOCK; b < ARCH_BACKEND_COUNT; b++) {
		if (!have[b])
			continue;
		fprintf(out, "%-16s  %10.1f  %16.1f  %16.1f\n",
			arch_backend_name((enum arch_backend)b), fig[b].load_ns,
			fig[b].switch_ns, fig[b].bare_switch_ns);
	}
	for (int b = ARCH_MOCK; b < ARCH_BACKEND_COUNT; b++) {
		const struct bench_switch_figures *f = &fig[b];

		if (have[b] && f->load_ns > f->switch_ns)
			fprintf(out, "note: %s's load alone (%.1f to %.1f ns over the rounds) reads above switch+load (%.1f to %.1f ns): the difference is within this host's noise\n",
				arch_backend_name((enum arch_backend)b),
				f->load_min_ns, f->load_max_ns,
				f->switch_min_ns, f->switch_max_ns);
	}
	if (have[ARCH_X86_64_PRCTL] && have[ARCH_X86_64_WRGSBASE]) {
		double ratio = fig[ARCH_X86_64_PRCTL].load_ns /
			       fig[ARCH_X86_64_WRGSBASE].load_ns;
		double whole = fig[ARCH_X86_64_WRGSBASE].switch_ns;

		fprintf(out, "wrgsbase load is %.1fx cheaper than arch_prctl (target: at least 10x): %s\n",
			ratio, ratio >= 10.0 ? "met" : "NOT met");
		fprintf(out, "whole switch with wrgsbase: %.1f ns (target: under 50 ns): %s\n",
			whole, whole < 50.0 ? "met" : "NOT met");
	} else if (arch_backend_in_build(ARCH_X86_64_WRGSBASE)) {
		fprintf(out, "the wrgsbase targets are not judged: the host refuses x86_64-wrgsbase\n");
	}
}

/* Every available backend, one line each; see bench_switch.h. */
int bench_switch_run(FILE *out, unsigned iterations, bool progress)
{
	struct bench_switch_figures fig[ARCH_BACKEND_COUNT];
	bool have[ARCH_BACKEND_COUNT] = { false };
	double t0 = now_ns();
	bool shown = false;

	for (int b = ARCH_MOCK; b < ARCH_BACKEND_COUNT; b++) {
		const char *name = arch_backend_name((enum arch_backend)b);
		int err;

		if (!arch_backend_available((enum arch_backend)b))
			continue;
		/* Progress once the run has taken about 2 s. */
		if (progress && (shown || now_ns() - t0 > 2e9)) {
			fprintf(stderr, "\r\033[Kbench switch: measuring %s", name);
			shown = true;
		}
		err = bench_switch_measure((enum arch_backend)b, iterations,
					   &fig[b]);
		if (err) {
			if (shown)
				fprintf(stderr, "\r\033[K");
			fprintf(stderr, "tlssim: bench switch: %s failed: %s\n",
				name, strerror(-err));
			return err;
		}
		have[b] = true;
	}
	if (shown)
		fprintf(stderr, "\r\033[K");
	print_table(out, iterations ? iterations : BENCH_DEFAULT_ITERS, fig,
		    have);
	return 0;
}
