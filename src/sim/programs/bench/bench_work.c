/*
 * bench_work.c - the workloads of `tlssim bench`: fill, churn, processes
 * and switches, in kernel or bookkeeping mode (scenario: bench_scenario.c). Each run sets up
 * untimed, times only the operations it counts, and checks what it can
 * (every spawn succeeds, every exit finds its thread).
 */
#include <config.h>

#include "bench_work.h"
#include "hostmem.h"
#include "kernel/kernel.h"
#include "report/diag.h"
#include "random.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static const char *const workload_names[BW_COUNT] = {
	"fill", "churn", "processes", "scenario", "switch", "switch-cross",
};

const char *bench_workload_name(enum bench_workload w)
{
	return workload_names[w];
}

enum bench_workload bench_workload_from_name(const char *name)
{
	int w;

	for (w = 0; w < BW_COUNT; w++)
		if (strcmp(name, workload_names[w]) == 0)
			break;
	return (enum bench_workload)w;
}

const char *bench_mode_name(enum bench_mode m)
{
	return m == BM_KERNEL ? "kernel" : "bookkeeping";
}

bool bench_workload_has_mode(enum bench_workload w, enum bench_mode m)
{
	return m == BM_KERNEL || w <= BW_PROCESSES;
}

double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

void bench_timed(struct bench_sample *s, size_t ops, double t0,
			double t1)
{
	s->ops = ops;
	s->ns_per_op = (t1 - t0) / (double)ops;
}

/* What the manager keeps, right after the fill, into s. */
static void bench_filled(struct bench_sample *s, const struct tlsm_stats *st)
{
	s->bookkeeping_bytes = st->bookkeeping_bytes;
	s->live_tls = st->used;
}

size_t bench_churn_pairs(size_t n)
{
	return n < BENCH_CHURN_PAIRS ? n : BENCH_CHURN_PAIRS;
}

size_t bench_land_for(size_t n)
{
	return (n / TLS_PER_PAGE + 64) * TLSM_PAGE_SIZE;
}

/* ---- bookkeeping mode: the manager on memory that costs nothing ---- */

/*
 * Page addresses from a counter, freed pages reused last-in first-out.
 * Never dereferenced: managers do not touch their regions.
 */
struct fake_memory {
	uintptr_t next;
	uintptr_t *freed;
	size_t nfreed, cap;
};

static enum kernel_error fake_find(void *ctx, size_t length, uintptr_t *addr)
{
	struct fake_memory *f = ctx;

	(void)length;
	*addr = f->nfreed ? f->freed[f->nfreed - 1] : f->next;
	return KERR_OK;
}

static enum kernel_error fake_map(void *ctx, uintptr_t addr, size_t length)
{
	struct fake_memory *f = ctx;

	if (f->nfreed && addr == f->freed[f->nfreed - 1])
		f->nfreed--;
	else
		f->next = addr + length;
	return KERR_OK;
}

static enum kernel_error fake_unmap(void *ctx, uintptr_t addr, size_t length)
{
	struct fake_memory *f = ctx;

	(void)length;
	if (f->nfreed == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 256;
		uintptr_t *freed = realloc(f->freed, cap * sizeof(*freed));

		if (!freed)
			return KERR_HOST_REFUSED;
		f->freed = freed;
		f->cap = cap;
	}
	f->freed[f->nfreed++] = addr;
	return KERR_OK;
}

/*
 * Workload w in bookkeeping mode: ops alone over a fake memory that maps
 * nothing, n regions live. 0 with s filled; -ENOMEM when the host or the
 * manager had no memory for it.
 */
static int book_run(enum bench_workload w, const struct tls_manager_ops *ops,
		    size_t n, uint64_t rng, struct bench_sample *s)
{
	struct fake_memory fm = { .next = 0x10000000 };
	struct tlsm_memory mem = { &fm, fake_find, fake_map, fake_unmap };
	size_t live = w == BW_PROCESSES ? 1 : n;
	uintptr_t *tls = malloc(live * sizeof(*tls));
	struct tlsm_stats st;
	struct tlsm *m = NULL;
	double t0, t1;
	int err = -ENOMEM;

	if (!tls)
		goto out;
	if (w == BW_PROCESSES) {
		t0 = bench_now_ns();
		for (size_t i = 0; i < n; i++) {
			m = ops->create(&mem);
			if (!m || ops->allocate(m, &tls[0]))
				goto out;
			ops->free(m, tls[0]);
			ops->destroy(m);
			fm.next = 0x10000000;
			fm.nfreed = 0;
		}
		t1 = bench_now_ns();
		m = NULL;
		bench_timed(s, n, t0, t1);
		err = 0;
		goto out;
	}
	m = ops->create(&mem);
	if (!m)
		goto out;
	t0 = bench_now_ns();
	for (size_t i = 0; i < n; i++)
		if (ops->allocate(m, &tls[i]))
			goto out;
	t1 = bench_now_ns();
	ops->stats(m, &st);
	bench_filled(s, &st);
	bench_timed(s, n, t0, t1);
	if (w == BW_CHURN) {
		size_t pairs = bench_churn_pairs(n);

		t0 = bench_now_ns();
		for (size_t j = 0; j < pairs; j++) {
			size_t i = xorshift64s(&rng) % n;

			ops->free(m, tls[i]);
			if (ops->allocate(m, &tls[i]))
				goto out;
		}
		t1 = bench_now_ns();
		bench_timed(s, pairs, t0, t1);
	}
	err = 0;
out:
	if (err)
		fprintf(stderr, "tlssim bench: %s: the host has no memory for "
			"the benchmark\n", ops->name);
	if (m)
		ops->destroy(m);
	free(tls);
	free(fm.freed);
	return err;
}

/* ---- kernel mode: the kernel model on real mmap ---- */

/* Host mappings (lines of /proc/self/maps) inside [start, start + size). */
static size_t host_mappings_in(uintptr_t start, size_t size)
{
	FILE *f = fopen("/proc/self/maps", "r");
	uintptr_t lo, hi;
	size_t count = 0;
	char line[512];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR, &lo, &hi) == 2 &&
		    lo < start + size && hi > start)
			count++;
	fclose(f);
	return count;
}

/* Report a failed kernel call; the errno of bench_work_run. */
static int kernel_failed(const char *what, enum kernel_error err)
{
	if (err == KERR_HOST_REFUSED) {
		fprintf(stderr, "tlssim bench: the host refused the simulator: "
			"%s: %s\n", what, kernel_host_error());
		return -EAGAIN;
	}
	fprintf(stderr, "tlssim bench: %s: KernelError %s\n", what,
		kernel_error_name(err));
	return -EIO;
}

/* Report that the host has no memory for what, and its limit; -ENOMEM. */
static int no_memory(const char *what)
{
	char hint[HOST_LIMIT_HINT_MAX];

	fprintf(stderr, "tlssim bench: the host has no memory for %s%s\n",
		what, host_limit_hint(hint, sizeof(hint)));
	return -ENOMEM;
}

/*
 * A process of a land of size bytes into *out, or the host's refusal
 * reported (process_create's -errno: it returns no KernelError).
 */
static int bench_process(struct kernel *k, const char *name, size_t size,
			 const struct tls_manager_ops *ops, struct process **out)
{
	int err = process_create(k, name, size, ops, out);
	char hint[HOST_LIMIT_HINT_MAX] = "";

	if (err == -ENOMEM)
		host_limit_hint(hint, sizeof(hint));
	if (err)
		fprintf(stderr, "tlssim bench: the host refused the simulator: "
			"cannot reserve a user land of %zu bytes: %s%s\n", size,
			strerror(-err), hint);
	return err ? -ENOMEM : 0;
}

/*
 * "t" and i in hexadecimal, into name (24 bytes): cheaper than snprintf,
 * and up to 2^24 threads short enough to sit in the thread's record.
 */
static void bench_thread_name(char *name, size_t i)
{
	static const char hex[] = "0123456789abcdef";
	char digits[16];
	size_t d = 0;

	do {
		digits[d++] = hex[i % 16];
		i /= 16;
	} while (i);
	*name++ = 't';
	while (d)
		*name++ = digits[--d];
	*name = '\0';
}

static int spawn(struct kernel *k, struct process *p, size_t i,
		 struct thread **out)
{
	char name[24];
	enum kernel_error err;

	bench_thread_name(name, i);
	err = thread_create(k, p, name, NULL, NULL, out);
	return err ? kernel_failed("spawn", err) : 0;
}

/*
 * In a kernel the thread that exits is the one running: its record is in
 * the cache. Here the benchmark picks it at random among n, so it brings
 * the record of the next victim into the cache one pair ahead (and the
 * slot of its handle two ahead), as running it would have; otherwise each
 * pair would also time a cache miss no kernel pays (doc/performance.md;
 * `tlssim bench --cold` measures with that miss).
 */
static void prefetch_victim(struct thread *const *handle,
			    const struct thread *next)
{
	__builtin_prefetch(handle);
	thread_prefetch(next);
}

/*
 * fill and churn in kernel mode: n threads spawned in one process, then
 * (churn) exit+spawn pairs of random victims. 0 with s filled, or the
 * error of kernel_failed (the kernel model refused an operation).
 */
static int kernel_threads(struct kernel *k, enum bench_workload w,
			  const struct tls_manager_ops *ops, size_t n,
			  uint64_t rng, bool cold, struct bench_sample *s)
{
	struct thread **t = malloc(n * sizeof(*t));
	struct process *p;
	struct tlsm_stats st;
	enum kernel_error e;
	double t0, t1;
	int err = -ENOMEM;

	if (!t) {
		err = no_memory("the threads' handles");
		goto out;
	}
	if ((err = bench_process(k, "A", bench_land_for(n), ops, &p)))
		goto out;
	t0 = bench_now_ns();
	for (size_t i = 0; i < n; i++)
		if ((err = spawn(k, p, i, &t[i])) != 0)
			goto out;
	t1 = bench_now_ns();
	process_tls_stats(p, &st);
	bench_filled(s, &st);
	/* counted while the land is shown, as when a thread of it runs */
	e = kernel_switch_to(k, t[0]);
	if (e) {
		err = kernel_failed("switch", e);
		goto out;
	}
	s->host_mappings = host_mappings_in(process_userland_start(p),
					    process_userland_size(p));
	bench_timed(s, n, t0, t1);
	if (w == BW_CHURN) {
		size_t pairs = bench_churn_pairs(n);

		/* the victims of this pair and the next two */
		size_t i = xorshift64s(&rng) % n;
		size_t i1 = xorshift64s(&rng) % n;
		size_t i2 = xorshift64s(&rng) % n;

		t0 = bench_now_ns();
		for (size_t j = 0; j < pairs; j++) {
			if (!cold)
				prefetch_victim(&t[i2], t[i1]);
			e = thread_exit(k, t[i]);
			if (e) {
				err = kernel_failed("exit", e);
				goto out;
			}
			/* done with it: its record is the next spawn's */
			thread_release(k, t[i]);
			if ((err = spawn(k, p, n + j, &t[i])) != 0)
				goto out;
			i = i1;
			i1 = i2;
			i2 = xorshift64s(&rng) % n;
		}
		t1 = bench_now_ns();
		bench_timed(s, pairs, t0, t1);
	}
	err = 0;
out:
	free(t);
	return err;
}

/*
 * processes in kernel mode: n processes created, each with one thread,
 * and killed. 0 with s filled, or kernel_failed's error.
 */
static int kernel_processes(struct kernel *k, const struct tls_manager_ops *ops,
			    size_t n, struct bench_sample *s)
{
	double t0 = bench_now_ns();

	for (size_t i = 0; i < n; i++) {
		struct process *p;
		struct thread *t;
		enum kernel_error e;
		int err;

		if ((err = bench_process(k, "P", 16 * TLSM_PAGE_SIZE, ops, &p)))
			return err;
		if ((err = spawn(k, p, i, &t)) != 0)
			return err;
		if ((e = process_kill(k, p)) != KERR_OK)
			return kernel_failed("kill", e);
		/* as the runner does once a dead thread's name is forgotten */
		thread_release(k, t);
		process_release(k, p);
	}
	bench_timed(s, n, t0, bench_now_ns());
	return 0;
}

/* Switches are timed in blocks of this many, each with its floor's. */
#define SWITCH_BLOCK 1000

/*
 * count mprotects toggling [m, m + size) between PROT_NONE and read-write,
 * as hiding and showing a land does. Returns the ns they took, or -1 when
 * the host refused one.
 */
static double time_mprotects(char *m, size_t size, size_t count,
			     unsigned *flip)
{
	double t0 = bench_now_ns();

	for (size_t i = 0; i < count; i++, (*flip)++)
		if (mprotect(m, size, *flip & 1 ? PROT_READ | PROT_WRITE
						 : PROT_NONE) != 0)
			return -1;
	return bench_now_ns() - t0;
}

/*
 * Switches between two threads, of one process or of two. A cross switch
 * is measured side by side with its floor, one mprotect of a host mapping
 * the size of a land holding one page (as each land here holds one TLS
 * page): blocks of switches alternate with blocks of as many mprotects,
 * so that the machine's load weighs on both alike.
 */
static int bench_kernel_switches(struct kernel *k, const struct tls_manager_ops *ops,
			   bool cross, size_t n, struct bench_sample *s)
{
	const size_t land = 16 * TLSM_PAGE_SIZE;
	double t_switch = 0, t_floor = 0, t0, dt;
	struct process *a, *b;
	struct thread *t[2];
	enum kernel_error e;
	char *floor = NULL;
	unsigned flip = 0;
	int err;

	if ((err = bench_process(k, "A", land, ops, &a)) ||
	    (err = bench_process(k, "B", land, ops, &b)))
		return err;
	if ((err = spawn(k, a, 0, &t[0])) != 0 ||
	    (err = spawn(k, cross ? b : a, 1, &t[1])) != 0)
		return err;
	if (cross) {
		floor = mmap(NULL, land, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (floor == MAP_FAILED) {
			perror("tlssim bench: mmap of the switch's floor");
			return -ENOMEM;
		}
		floor[0] = 1;
	}
	err = 0;
	for (size_t i = 0; i < n;) {
		size_t block = n - i < SWITCH_BLOCK ? n - i : SWITCH_BLOCK;

		t0 = bench_now_ns();
		for (size_t j = 0; j < block; j++, i++)
			if ((e = kernel_switch_to(k, t[i & 1])) != KERR_OK) {
				err = kernel_failed("switch", e);
				goto out;
			}
		t_switch += bench_now_ns() - t0;
		if (!cross)
			continue;
		dt = time_mprotects(floor, land, block, &flip);
		if (dt < 0) {
			perror("tlssim bench: mprotect of the switch's floor");
			err = -ENOMEM;
			goto out;
		}
		t_floor += dt;
	}
	bench_timed(s, n, 0, t_switch);
	s->floor_ns = cross ? t_floor / (double)n : 0;
out:
	if (floor)
		munmap(floor, land);
	return err;
}

int bench_work_run(enum bench_workload w, const struct tls_manager_ops *ops,
		   enum bench_mode m, size_t n, unsigned seed, bool cold,
		   struct bench_sample *s)
{
	uint64_t rng = 0x9e3779b97f4a7c15ull * (seed + 1);
	struct kernel *k;
	int err;

	memset(s, 0, sizeof(*s));
	if (m == BM_BOOKKEEPING)
		return book_run(w, ops, n, rng, s);
	if (w == BW_SCENARIO)
		return bench_scenario_run(ops, n, rng, s);
	err = kernel_create(ARCH_AUTO, false, &k);
	if (err) {
		fprintf(stderr, "tlssim bench: cannot start the kernel model: "
			"%s\n", strerror(-err));
		return -ENOMEM;
	}
	if (w == BW_FILL || w == BW_CHURN)
		err = kernel_threads(k, w, ops, n, rng, cold, s);
	else if (w == BW_PROCESSES)
		err = kernel_processes(k, ops, n, s);
	else
		err = bench_kernel_switches(k, ops, w == BW_SWITCH_CROSS, n, s);
	kernel_destroy(k);
	return err;
}
