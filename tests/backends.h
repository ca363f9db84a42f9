/*
 * backends.h - the register backends a suite runs on this host.
 *
 * Loop tests are registered over the backends this host runs, never over
 * the others: a loop iteration for a backend that cannot run would pass
 * without running anything. The suite prints which backends ran and which
 * were skipped, and why; the build's own architecture backend must run
 * (test_own_backend_runs in each suite asserts it).
 */
#ifndef TLSSIM_BACKENDS_H
#define TLSSIM_BACKENDS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"

struct backend_set {
	enum arch_backend run[ARCH_BACKEND_COUNT];
	int n;
};

/* The backends of this run (filled by backends_select in main). */
static struct backend_set backends;

/* The backend of loop iteration i. */
#define BACKEND(i) (backends.run[(i)])

/* Fill `backends` and print "SUITE: backends run: ...; skipped: ...". */
static inline void backends_select(const char *suite)
{
	const char *sep = "";

	backends.n = 0;
	printf("%s: backends run:", suite);
	for (int b = ARCH_MOCK; b < ARCH_BACKEND_COUNT; b++) {
		if (!arch_backend_available((enum arch_backend)b))
			continue;
		backends.run[backends.n++] = (enum arch_backend)b;
		printf(" %s", arch_backend_name((enum arch_backend)b));
	}
	printf("; skipped:");
	for (int b = ARCH_MOCK; b < ARCH_BACKEND_COUNT; b++) {
		if (arch_backend_available((enum arch_backend)b))
			continue;
		printf("%s %s (%s)", sep, arch_backend_name((enum arch_backend)b),
		       arch_backend_in_build((enum arch_backend)b) ?
		       arch_backend_refusal((enum arch_backend)b) :
		       "not in this build");
		sep = ",";
	}
	printf("\n");
	fflush(stdout);
}

/*
 * The backends of `backends` that can run on several CPUs here, into out.
 * qemu-i386 keeps one GDT for all the threads it emulates, so the i386
 * backend's per-thread TLS descriptor cannot exist on several CPUs there
 * (kernel_set_cpus is refused): it is left out, and the suite says so.
 */
static inline void backends_smp(struct backend_set *out, const char *suite)
{
	const char *emu = getenv("TLSSIM_EMULATOR");
	const struct backend_set all = backends;	/* out may be backends */

	out->n = 0;
	for (int i = 0; i < all.n; i++) {
		if (all.run[i] == ARCH_I386_GDT && emu &&
		    strstr(emu, "qemu-i386")) {
			printf("%s: SKIP (not counted): i386 on several CPUs "
			       "under %s, whose threads share one GDT\n",
			       suite, emu);
			fflush(stdout);
			continue;
		}
		out->run[out->n++] = all.run[i];
	}
}

/*
 * The backend of this build's own architecture, from the table. Every
 * build is for x86_64, i386 or aarch64 (configure refuses the others), so
 * it is never the mock: test_host_backends_available checks that.
 */
static inline enum arch_backend backend_native(void)
{
	return arch_backend_baseline();
}

#endif
