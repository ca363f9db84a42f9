/*
 * bench_scenario.c - the scenario workload of `tlssim bench`: what a user
 * pays to run a churn through `tlssim run`, next to what the same
 * operations cost the kernel model alone (fill and churn in kernel mode).
 *
 * The churn is written to a temporary file, then opened and run as the
 * run command does it: a check that parses every line and keeps no
 * command, then a second reading that parses each command just before
 * the runner runs it (src/sim/scenario/stream.c). Both readings are
 * timed, the writing of the file is not.
 */
#include <config.h>

#include "bench_work.h"
#include "random.h"
#include "report/diag.h"
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

int bench_scenario_run(const struct tls_manager_ops *ops, size_t n,
		       uint64_t rng, struct bench_sample *s)
{
	struct reporter quiet = reporter_silent();	/* the runner's own cost */
	struct run_options opt = { .arch = ARCH_AUTO, .quiet = true,
				   .out = stdout, .err = stderr,
				   .policy = ops, .reporter = &quiet };
	struct diag *d = diag_new_stream(stderr, false);
	struct scenario *scn = NULL;
	char *path = NULL;
	FILE *f = d ? temp_scenario(&path) : NULL;
	size_t commands = f ? write_churn(f, n, rng) : 0;
	double t0, t1;
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
	status = scenario_run(scn, &opt);
	t1 = bench_now_ns();
	if (status != RUN_OK) {
		fprintf(stderr, "tlssim bench: the generated scenario ended "
			"with status %d\n", status);
		status = status == RUN_HOST ? -EAGAIN : -EIO;
		goto out;
	}
	bench_timed(s, commands, t0, t1);
out:
	scenario_free(scn);
	if (path)
		unlink(path);
	free(path);
	diag_free(d);
	return status;
}
