/*
 * check_reach.c - no address simulated code can form reaches host memory.
 *
 * For each register backend the host runs, each built-in policy and user
 * lands of 1, 2 and 256 pages, a scenario fills the land to its last TLS
 * slot, spawns a thread there, and reaches every offset the fields allow:
 * tls+OFF (OFF below 0x1000) and ipc+OFF, reading and writing. Inside the
 * region each read gives back the pattern written there (never a host
 * byte); every access that crosses the end of the land is a simulated
 * fault outside every user land, after which a new thread takes the slot
 * again. A neighbour process, created right after, holds its own pattern:
 * none of it ever shows. The same runs once more on 4 CPUs per backend. The runs go through the runner, as `tlssim run`
 * does; a host crash fails the test in Check's child.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "backends.h"
#include "policy/policy.h"
#include "report/diag.h"
#include "scenario/runner.h"

#define REGION 0x200
#define REACH 0x1000
#define IPC_OFF 0x10
#define IPC_SIZE 0x100

static const size_t land_pages[] = { 1, 2, 256 };
#define NSIZES (sizeof(land_pages) / sizeof(land_pages[0]))

/* The pattern byte at offset i of the region. */
static unsigned pat(size_t i)
{
	return (unsigned)((i * 7 + 0x31) & 0xff);
}

/* Print "0x" and the pattern's bytes [off, off + len) as hex bytes. */
static void put_pattern(FILE *f, size_t off, size_t len)
{
	fputs("0x", f);
	for (size_t i = off; i < off + len; i++)
		fprintf(f, "%02x", pat(i));
}

/* A new thread tN on the last slot; the pattern written into it. */
static void respawn(FILE *f, unsigned *n, size_t last)
{
	++*n;
	fprintf(f, "spawn A t%u\nexpect tls t%u 0x%zx\n", *n, *n, last);
	for (size_t off = 0; off < REGION; off += IPC_SIZE) {
		fprintf(f, "write t%u tls+0x%zx ", *n, off);
		put_pattern(f, off, IPC_SIZE);
		fputc('\n', f);
	}
}

/*
 * The scenario for one land size and policy into *text. Returns the
 * number of accesses it makes that must fault.
 */
static size_t make_scenario(char **text, size_t *len, size_t pages,
			    const char *policy)
{
	size_t size = pages * 0x1000, last = size - REGION, faults = 0;
	FILE *f = open_memstream(text, len);
	unsigned n = 0;

	ck_assert_ptr_nonnull(f);
	fprintf(f, "process A userland=0x%zx policy=%s\n", size, policy);
	fprintf(f, "process Z userland=0x%zx policy=%s\n", size, policy);
	fprintf(f, "spawn Z z\nwrite z ipc \"%s\"\n", "ZZZZZZZZZZZZZZZZ");
	for (size_t i = 0; i + 1 < size / REGION; i++)
		fprintf(f, "tls-alloc A\n");
	respawn(f, &n, last);
	/* inside: each 8-byte window reads back the pattern and is written */
	for (size_t off = 0; off + 8 <= REGION; off++) {
		fprintf(f, "expect read t%u tls+0x%zx ", n, off);
		put_pattern(f, off, 8);
		fprintf(f, "\nwrite t%u tls+0x%zx ", n, off);
		put_pattern(f, off, 8);
		fputc('\n', f);
	}
	for (size_t off = 0; off + 8 <= IPC_SIZE; off++) {
		fprintf(f, "expect read t%u ipc+0x%zx ", n, off);
		put_pattern(f, IPC_OFF + off, 8);
		fprintf(f, "\nwrite t%u ipc+0x%zx ", n, off);
		put_pattern(f, IPC_OFF + off, 8);
		fputc('\n', f);
	}
	fprintf(f, "expect read t%u tls+0x0 ", n);
	put_pattern(f, 0, IPC_SIZE);
	fputc('\n', f);
	/* crossing the end, then past it: every access faults */
	for (size_t off = REGION - 7; off < REACH; off++) {
		size_t l = REACH - off < 8 ? REACH - off : 8;

		if (off + l <= REGION)
			continue;
		fprintf(f, "expect fault\nread t%u tls+0x%zx %zu\n", n, off, l);
		respawn(f, &n, last);
		fprintf(f, "expect fault\nwrite t%u tls+0x%zx ", n, off);
		fputs("0x", f);
		for (size_t i = 0; i < l; i++)
			fprintf(f, "%02x", 0xa5u);
		fputc('\n', f);
		respawn(f, &n, last);
		faults += 2;
	}
	/* the longest reads that still fit, and one byte more */
	fprintf(f, "expect read t%u tls+0x100 ", n);
	put_pattern(f, 0x100, IPC_SIZE);
	fprintf(f, "\nexpect fault\nread t%u tls+0x101 0x100\n", n);
	respawn(f, &n, last);
	fprintf(f, "expect read z ipc \"%s\"\n", "ZZZZZZZZZZZZZZZZ");
	fprintf(f, "expect used A 0x%zx\n", size / REGION);
	ck_assert_int_eq(fclose(f), 0);
	return faults + 1;
}

/* Combination i: backend, policy and land size. */
static void combination(int i, enum arch_backend *arch,
			const struct tls_manager_ops **policy, size_t *pages)
{
	size_t npol = 0;

	while (tls_policy_at(npol))
		npol++;
	*pages = land_pages[(size_t)i % NSIZES];
	i /= (int)NSIZES;
	*policy = tls_policy_at((size_t)i % npol);
	*arch = BACKEND(i / (int)npol);
}

/*
 * Run the scenario of a land of `pages` pages under policy on arch with
 * `cpus` simulated CPUs; fail the test unless every expectation held.
 */
static void run_reach(enum arch_backend arch,
		      const struct tls_manager_ops *policy, size_t pages,
		      unsigned cpus)
{
	struct scenario *scn;
	struct run_options opt;
	char *text = NULL, *err = NULL;
	size_t len = 0, errlen = 0;
	struct diag *d = diag_new_memory();
	FILE *errf = open_memstream(&err, &errlen);
	FILE *out = fopen("/dev/null", "w");
	int status;

	make_scenario(&text, &len, pages, policy->name);
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(errf);
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(scenario_parse("reach.tls", text, len, d, &scn) == 0,
		      "%s", diag_text(d));
	opt = (struct run_options){ .arch = arch, .out = out, .err = errf,
				    .quiet = true, .cpus = cpus };
	status = scenario_run(scn, &opt);
	fclose(errf);
	ck_assert_msg(status == RUN_OK,
		      "%s, %s, %zu pages, %u CPUs: status %d: %.400s",
		      arch_backend_name(arch), policy->name, pages, cpus,
		      status, err ? err : "");
	scenario_free(scn);
	diag_free(d);
	fclose(out);
	free(err);
	free(text);
}

START_TEST(test_last_slot_reach)
{
	const struct tls_manager_ops *policy;
	enum arch_backend arch;
	size_t pages;

	combination(_i, &arch, &policy, &pages);
	run_reach(arch, policy, pages, 1);
}
END_TEST

/* The same on 4 CPUs (host threads): one land size and policy. */
/* The backends that run on several CPUs here (backends_smp). */
static struct backend_set smp;

START_TEST(test_last_slot_reach_cpus)
{
	run_reach(smp.run[_i], tls_policy_at(0), 2, 4);
}
END_TEST

/* The reproducer: a fault outside every user land, naming t. */
START_TEST(test_fault_names_outside)
{
	static const char text[] =
		"process A userland=4K\n"
		"tls-alloc A\ntls-alloc A\ntls-alloc A\ntls-alloc A\n"
		"tls-alloc A\ntls-alloc A\ntls-alloc A\n"
		"spawn A t\n"
		"write t tls+0x410 \"AAAAAAAA\"\n";
	struct scenario *scn;
	struct run_options opt;
	char *err = NULL;
	size_t errlen = 0;
	struct diag *d = diag_new_memory();
	FILE *errf = open_memstream(&err, &errlen);
	FILE *out = fopen("/dev/null", "w");

	ck_assert_int_eq(scenario_parse("h1.tls", text, strlen(text), d, &scn),
			 0);
	opt = (struct run_options){ .arch = BACKEND(_i), .out = out,
				    .err = errf };
	ck_assert_int_eq(scenario_run(scn, &opt), RUN_FAILED);
	fclose(errf);
	/* i386: past the segment limit (0x1ff) the hardware faults first */
	ck_assert_msg(strstr(err, "(t: page fault outside every user land)") ||
		      (BACKEND(_i) == ARCH_I386_GDT &&
		       strstr(err, "(t: segment-limit fault")),
		      "%s", err);
	scenario_free(scn);
	diag_free(d);
	fclose(out);
	free(err);
}
END_TEST

static Suite *reach_suite(void)
{
	Suite *s = suite_create("reach");
	TCase *tc = tcase_create("last slot");
	size_t npol = 0;

	while (tls_policy_at(npol))
		npol++;
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_fault_names_outside, 0, backends.n);
	tcase_add_loop_test(tc, test_last_slot_reach, 0,
			    backends.n * (int)npol * (int)NSIZES);
	backends_smp(&smp, "check_reach");
	tcase_add_loop_test(tc, test_last_slot_reach_cpus, 0, smp.n);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	backends_select("check_reach");
	return run_suite(reach_suite());
}
