/*
 * bench_scenario.c - the scenario workload of `tlssim bench`: what a user
 * pays to run a churn through `tlssim run`, next to what the same
 * operations cost the kernel model alone (fill and churn in kernel mode).
 *
 * The churn is written to a temporary file, then opened and run as the
 * run command does it: a check that parses every line and keeps no
 * command, then a second reading that parses each command just before
 * the runner runs it (src/sim/scenario/stream.c). Both readings are
 * timed, and the first apart too; the writing of the file is not.
 */
#include <config.h>

#include "bench_work.h"
#include "random.h"
#include "report/diag.h"
#include "scenario/bigtable.h"
#include "scenario/parser.h"
#include "scenario/scenario_run.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Write the churn of n threads to f: a process, n spawns, then the pairs
 * (a random live thread exits, a new one is spawned). Returns the number
 * of commands, or 0 when f could not be written.
 */
static size_t write_churn(FILE *f, size_t n, uint64_t rng)
{
	size_t pairs = bench_churn_pairs(n);
	size_t *name = malloc(n * sizeof(*name));

	if (!name)
		return 0;
	fprintf(f, "process A userland=%zu\n", bench_land_for(n));
	for (size_t i = 0; i < n; i++) {
		name[i] = i;
		fprintf(f, "spawn A t%zu\n", i);
	}
	for (size_t j = 0; j < pairs; j++) {
		size_t i = xorshift64s(&rng) % n;

		fprintf(f, "exit t%zu\nspawn A t%zu\n", name[i], n + j);
		name[i] = n + j;
	}
	free(name);
	if (fflush(f) || ferror(f))
		return 0;
	return 1 + n + 2 * pairs;
}

/*
 * A new empty file in $TMPDIR (else /tmp), its name in *path (malloc'd).
 * Returns it open for writing, or NULL with errno set.
 */
static FILE *temp_scenario(char **path)
{
	const char *dir = getenv("TMPDIR");
	FILE *f;
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	if (asprintf(path, "%s/tlssim-bench-XXXXXX", dir) < 0) {
		*path = NULL;
		errno = ENOMEM;
		return NULL;
	}
	fd = mkstemp(*path);
	if (fd < 0)
		goto fail;
	f = fdopen(fd, "w");
	if (f)
		return f;
	close(fd);
	unlink(*path);
fail:
	free(*path);
	*path = NULL;
	return NULL;
}

/* Lines read ahead by the floor, their name's slot on its way. */
#define FLOOR_AHEAD 8

/* A line of the floor's reading, its name's key and home slot. */
struct floor_line {
	char *buf;
	size_t cap;
	uint64_t key;
	size_t home;
};

/*
 * The key of the last word of s[0..len) (scn_word_before): its first 8
 * bytes, with its length folded into the top byte (the floor compares
 * keys, never bytes). Never 0, which marks an empty slot: the one key
 * that would be is 1.
 */
static uint64_t last_word_key(const char *s, size_t len)
{
	size_t e = len, b = len;
	uint64_t k = 0;

	scn_word_before(s, &b, &e);
	memcpy(&k, s + b, e - b < 8 ? e - b : 8);
	k ^= (uint64_t)(e - b) << 56;
	return k ? k : 1;
}

/*
 * One reading of f from its start: each line's name found in t (cap
 * slots, a power of two, keys; 0 is empty), added where it is missing.
 * Returns the lines read, or 0 when f could not be read.
 */
static size_t floor_reading(FILE *f, uint64_t *t, size_t cap,
			    struct floor_line *a)
{
	unsigned bits = (unsigned)__builtin_ctzll(cap);
	size_t head = 0, tail = 0, lines = 0;
	bool end = false;

	if (fseeko(f, 0, SEEK_SET))
		return 0;
	for (;;) {
		struct floor_line *x;
		size_t i;

		while (!end && head - tail < FLOOR_AHEAD) {
			ssize_t got;

			x = &a[head % FLOOR_AHEAD];
			got = getline(&x->buf, &x->cap, f);
			if (got <= 0) {
				end = true;
				break;
			}
			x->key = last_word_key(x->buf, (size_t)got);
			/* Fibonacci hashing: the top bits of a product */
			x->home = (size_t)((x->key * 0x9e3779b97f4a7c15ull) >>
					   (64 - bits));
			__builtin_prefetch(&t[x->home]);
			head++;
		}
		if (tail == head)
			break;
		x = &a[tail++ % FLOOR_AHEAD];
		for (i = x->home; t[i] && t[i] != x->key; i = (i + 1) & (cap - 1))
			;
		t[i] = x->key;
		lines++;
	}
	return ferror(f) ? 0 : lines;
}

/*
 * The floor of a run of the file at path, holding names names: two
 * readings (floor_reading), in ns a command of commands. Returns 0
 * and sets *ns; -ENOMEM when the host gave no memory for the table or
 * the file did not read again (both reported).
 */
static int read_floor(const char *path, size_t names, size_t commands,
		      double *ns)
{
	struct floor_line a[FLOOR_AHEAD] = { 0 };
	size_t cap = 64, lines = 0;
	FILE *f = fopen(path, "r");
	uint64_t *t = NULL;
	double t0, t1;
	int err = -ENOMEM;

	while (4 * names > 3 * cap)
		cap *= 2;
	t = f ? table_zalloc(cap, sizeof(*t)) : NULL;
	if (!t) {
		fprintf(stderr, "tlssim bench: no memory for the runner's "
			"floor: %s\n", f ? "out of memory" : strerror(errno));
		goto out;
	}
	t0 = bench_now_ns();
	for (int r = 0; r < 2; r++)
		lines += floor_reading(f, t, cap, a);
	t1 = bench_now_ns();
	if (lines != 2 * commands) {
		fprintf(stderr, "tlssim bench: the runner's floor read %zu "
			"lines of %zu\n", lines, 2 * commands);
		goto out;
	}
	*ns = (t1 - t0) / (double)commands;
	err = 0;
out:
	for (int i = 0; i < FLOOR_AHEAD; i++)
		free(a[i].buf);
	free(t);
	if (f)
		fclose(f);
	return err;
}

int bench_scenario_run(const struct tls_manager_ops *ops, size_t n,
		       uint64_t rng, struct bench_sample *s)
{
	/* as `tlssim run --quiet`: nothing but a failure, said on stderr */
	struct text_reporter tr = { .out = stdout, .err = stderr,
				    .quiet = true };
	struct reporter quiet = text_reporter(&tr);
	struct run_options opt = { .arch = ARCH_AUTO, .quiet = true,
				   .no_progress = true,
				   .out = stdout, .err = stderr,
				   .policy = ops, .reporter = &quiet };
	struct diag *d = diag_new_stream(stderr, false);
	struct scenario *scn = NULL;
	char *path = NULL;
	FILE *f = d ? temp_scenario(&path) : NULL;
	size_t commands = f ? write_churn(f, n, rng) : 0;
	double t0, t_checked, t1;
	int status;

	if (f && fclose(f))
		commands = 0;
	if (!commands) {
		fprintf(stderr, "tlssim bench: cannot write the scenario to a "
			"temporary file: %s\n", d ? strerror(errno)
						  : "out of memory");
		status = -ENOMEM;
		goto out;
	}
	t0 = bench_now_ns();
	status = scenario_open(path, SIZE_MAX, NULL, d, &scn);
	if (status) {
		/* said on stderr */
		status = status == -ENOMEM ? -EAGAIN : -EIO;
		goto out;
	}
	t_checked = bench_now_ns();
	status = scenario_run(scn, &opt);
	t1 = bench_now_ns();
	if (status != RUN_OK) {
		fprintf(stderr, "tlssim bench: the generated scenario ended "
			"with status %d (its failure above)\n", status);
		status = status == RUN_HOST ? -EAGAIN : -EIO;
		goto out;
	}
	bench_timed(s, commands, t0, t1);
	s->check_ns = (t_checked - t0) / (double)commands;
	scenario_free(scn);
	scn = NULL;
	if (read_floor(path, n + bench_churn_pairs(n), commands,
		       &s->floor_ns))
		status = -EAGAIN;
out:
	scenario_free(scn);
	if (path)
		unlink(path);
	free(path);
	diag_free(d);
	return status;
}
