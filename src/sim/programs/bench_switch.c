/*
 * bench_switch.c - the context-switch benchmark. Each timed round is one
 * loop of `iterations` operations timed with CLOCK_MONOTONIC; a figure is
 * the median over BENCH_ROUNDS rounds (after one untimed warm-up round).
 */
#include <config.h>

#include "bench_switch.h"
#include "kernel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
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

/* One round of ping-pong; returns ns per switch (two per iteration). */
static double round_switch(struct pingpong *pp, unsigned iters)
{
	double t0 = now_ns();

	for (unsigned i = 0; i < iters; i++) {
		if (pp->with_load)
			cpu_load_tls(pp->cpu, pp->tls_main);
		context_switch(&pp->main, &pp->peer);
	}
	return (now_ns() - t0) / (2.0 * iters);
}

/*
 * Median of `rounds` ping-pong rounds; *ok is cleared when, after a round,
 * the user side does not see the peer's TLS (with loads).
 */
static double measure_switch(struct pingpong *pp, unsigned iters, bool *ok)
{
	double v[BENCH_ROUNDS];

	round_switch(pp, iters / 10 + 1);
	for (int r = 0; r < BENCH_ROUNDS; r++) {
		v[r] = round_switch(pp, iters);
		if (pp->with_load &&
		    cpu_user_self(pp->cpu) != pp->tls_peer)
			*ok = false;
	}
	return median(v, BENCH_ROUNDS);
}

/* Measure backend b; see bench_switch.h. */
int bench_switch_measure(enum arch_backend b, unsigned iterations,
			 struct bench_switch_figures *f)
{
	struct pingpong pp;
	struct cpu cpu;
	double v[BENCH_ROUNDS];
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

	round_load(&cpu, pp.tls_main, pp.tls_peer, iterations / 10 + 1);
	for (int r = 0; r < BENCH_ROUNDS; r++)
		v[r] = round_load(&cpu, pp.tls_main, pp.tls_peer, iterations);
	f->load_ns = median(v, BENCH_ROUNDS);

	context_init(&pp.peer, stack, BENCH_STACK_SIZE, peer_entry, &pp);
	pp.with_load = false;
	f->bare_switch_ns = measure_switch(&pp, iterations, &ok);
	pp.with_load = true;
	f->switch_ns = measure_switch(&pp, iterations, &ok);
	err = ok ? 0 : -EIO;
	/* The peer stays parked in context_switch; its stack just goes. */
out_free:
	cpu_fini(&cpu);
	free(stack);
	free(page);
	return err;
}

/* Every available backend, one line each; see bench_switch.h. */
int bench_switch_run(FILE *out, unsigned iterations)
{
	struct bench_switch_figures fig[ARCH_BACKEND_COUNT];
	bool have[ARCH_BACKEND_COUNT] = { false };

	fprintf(out, "median of the timed rounds, %u operations a round\n",
		iterations);
	fprintf(out, "%-16s %12s %14s %14s\n", "backend", "load ns",
		"switch+load ns", "bare switch ns");
	for (int b = ARCH_MOCK; b < ARCH_BACKEND_COUNT; b++) {
		int err;

		if (!arch_backend_available((enum arch_backend)b))
			continue;
		err = bench_switch_measure((enum arch_backend)b, iterations,
					   &fig[b]);
		if (err) {
			fprintf(out, "%-16s failed: %s\n",
				arch_backend_name((enum arch_backend)b),
				strerror(-err));
			return err;
		}
		have[b] = true;
		fprintf(out, "%-16s %12.1f %14.1f %14.1f\n",
			arch_backend_name((enum arch_backend)b), fig[b].load_ns,
			fig[b].switch_ns, fig[b].bare_switch_ns);
	}
	/* The project's targets, judged on this run's figures. */
	if (have[ARCH_X86_64_PRCTL] && have[ARCH_X86_64_WRGSBASE]) {
		double ratio = fig[ARCH_X86_64_PRCTL].load_ns /
			       fig[ARCH_X86_64_WRGSBASE].load_ns;
		double whole = fig[ARCH_X86_64_WRGSBASE].switch_ns;

		fprintf(out, "wrgsbase load is %.1fx cheaper than arch_prctl (target: at least 10x): %s\n",
			ratio, ratio >= 10.0 ? "met" : "NOT met");
		fprintf(out, "whole switch with wrgsbase: %.1f ns (target: under 50 ns): %s\n",
			whole, whole < 50.0 ? "met" : "NOT met");
	}
	return 0;
}
