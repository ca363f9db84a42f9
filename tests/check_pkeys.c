/*
 * check_pkeys.c - isolation by the host's protection keys (hostkey.h),
 * where the host has them: a land once shown holds a key and keeps its
 * real protections, yet a host thread that does not run its process
 * cannot read it; its contents survive hiding; the keys run out after 15
 * lands, and the lands past them are hidden by mprotect as before; a key
 * comes back when its land is retired; with two CPUs, each reaches the
 * land it runs and not the other's.
 *
 * Without keys (most hosts, emulators, i386, arm64, TLSSIM_PKEYS=0) the
 * program says SKIP and why. scripts/check-cross's pku-vm leg runs it in
 * a virtual machine whose CPU has them.
 */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "hostkey.h"
#include "kernel/pmem.h"
#include "kernel/process.h"
#include "kernel/smp.h"
#include "kernel/thread.h"

#define LAND (16 * 0x1000)

/* A job run as a thread: its text into its IPC buffer (offset 0x10). */
static void job_put(struct kernel *k, struct thread *t, void *arg)
{
	(void)t;
	user_write(k, 0x10, arg, strlen(arg));
}

/* A job run as a thread: 4 bytes of its IPC buffer into arg. */
static void job_get(struct kernel *k, struct thread *t, void *arg)
{
	(void)t;
	user_read(k, 0x10, arg, 4);
}

/*
 * How a raw read of addr by this host thread ends, in a child that
 * inherits its PKRU: 0 when it read `want` (4 bytes), SIGSEGV when it
 * faulted, -1 when it read something else.
 */
static int child_reads(uintptr_t addr, const char *want)
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		_exit(memcmp((const void *)addr, want, 4) == 0 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		return WTERMSIG(status);
	return WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The permissions /proc/self/maps gives the page at addr ("rw-p"...). */
static void perms_at(uintptr_t addr, char perms[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long lo, hi;
	char line[512];

	ck_assert_ptr_nonnull(f);
	strcpy(perms, "none");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 &&
		    addr >= lo && addr < hi)
			break;
	fclose(f);
}

START_TEST(test_keyed_land_hidden_by_its_key)
{
	struct kernel *k;
	struct process *a, *b;
	struct thread *ta, *tb;
	char got[4], perms[5];
	int ka, kb;

	ck_assert_int_eq(kernel_create(ARCH_MOCK, false, &k), 0);
	ck_assert_int_eq(process_create(k, "A", LAND, NULL, &a), 0);
	ck_assert_int_eq(process_create(k, "B", LAND, NULL, &b), 0);
	ck_assert_int_eq(thread_create(k, a, "ta", NULL, NULL, &ta), KERR_OK);
	ck_assert_int_eq(thread_create(k, b, "tb", NULL, NULL, &tb), KERR_OK);
	ck_assert_int_eq(pmem_key(a->pm), -1);	/* never shown: no key */
	ck_assert_int_eq(kernel_run_as(k, ta, job_put, "in A"), 0);
	ck_assert_int_eq(kernel_run_as(k, tb, job_put, "in B"), 0);

	/* B runs: both lands hold keys, A's closed to this thread by it */
	ka = pmem_key(a->pm);
	kb = pmem_key(b->pm);
	ck_assert_int_ge(ka, 1);
	ck_assert_int_ge(kb, 1);
	ck_assert_int_ne(ka, kb);
	ck_assert(pmem_hidden(a->pm));
	perms_at(thread_tls(ta), perms);
	ck_assert_str_eq(perms, "rw-p");	/* not PROT_NONE: a key hides it */
	ck_assert_int_eq(child_reads(thread_tls(tb) + 0x10, "in B"), 0);
	ck_assert_int_eq(child_reads(thread_tls(ta) + 0x10, "in A"), SIGSEGV);

	/* back to A: its contents are as it left them, B's now closed */
	ck_assert_int_eq(kernel_run_as(k, ta, job_get, got), 0);
	ck_assert_int_eq(memcmp(got, "in A", 4), 0);
	ck_assert_int_eq(child_reads(thread_tls(ta) + 0x10, "in A"), 0);
	ck_assert_int_eq(child_reads(thread_tls(tb) + 0x10, "in B"), SIGSEGV);
	ck_assert_int_eq(pmem_key(a->pm), ka);	/* kept, not taken again */

	/* the debugger reads a land closed by its key, and leaves it closed */
	ck_assert_int_eq(process_debug_read(k, b, thread_tls_offset(tb) + 0x10,
					    got, 4), KERR_OK);
	ck_assert_int_eq(memcmp(got, "in B", 4), 0);
	ck_assert_int_eq(child_reads(thread_tls(tb) + 0x10, "in B"), SIGSEGV);
	kernel_destroy(k);
}
END_TEST

/* Processes made in test_keys_run_out: more than there are keys. */
#define MANY (HOSTKEY_MAX + 5)

START_TEST(test_keys_run_out_and_come_back)
{
	struct process *p[MANY], *late;
	struct thread *t[MANY], *tl;
	char name[16], got[4], perms[5];
	unsigned keyed = 0;
	struct kernel *k;
	int freed;

	ck_assert_int_eq(kernel_create(ARCH_MOCK, false, &k), 0);
	for (int i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "P%d", i);
		ck_assert_int_eq(process_create(k, name, LAND, NULL, &p[i]), 0);
		ck_assert_int_eq(thread_create(k, p[i], name, NULL, NULL,
					       &t[i]), KERR_OK);
		snprintf(name, sizeof(name), "%04d", i);
		ck_assert_int_eq(kernel_run_as(k, t[i], job_put, name), 0);
	}
	for (int i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "%04d", i);
		ck_assert_int_eq(process_debug_read(k, p[i],
			thread_tls_offset(t[i]) + 0x10, got, 4), KERR_OK);
		ck_assert_int_eq(memcmp(got, name, 4), 0);
		if (i < MANY - 1)	/* not running: closed, either way */
			ck_assert_int_eq(child_reads(thread_tls(t[i]) + 0x10,
						     name), SIGSEGV);
		if (pmem_key(p[i]->pm) >= 0) {
			keyed++;
			continue;
		}
		/* past the keys: hidden by mprotect, as on a host without */
		perms_at(thread_tls(t[i]), perms);
		ck_assert_str_eq(perms, i == MANY - 1 ? "rw-p" : "---p");
	}
	ck_assert_uint_ge(keyed, 1);
	ck_assert_uint_le(keyed, HOSTKEY_MAX);
	ck_assert_msg(keyed < MANY, "every land got a key: %u", keyed);

	/* a keyed land retired gives its key to the next land shown */
	freed = pmem_key(p[0]->pm);
	ck_assert_int_ge(freed, 1);
	ck_assert_int_eq(process_kill(k, p[0]), KERR_OK);
	ck_assert_int_eq(process_create(k, "late", LAND, NULL, &late), 0);
	ck_assert_int_eq(thread_create(k, late, "tl", NULL, NULL, &tl),
			 KERR_OK);
	ck_assert_int_eq(kernel_run_as(k, tl, job_put, "late"), 0);
	ck_assert_int_eq(pmem_key(late->pm), freed);
	ck_assert_int_eq(child_reads(thread_tls(tl) + 0x10, "late"), 0);
	kernel_destroy(k);
}
END_TEST

/*
 * Two CPUs running two processes at once (kernel_run: every CPU runs its
 * threads side by side): each CPU's host thread reaches its own
 * process's land and not the other's, though both are shown. A's thread
 * (on CPU 1) writes its text and waits; B's (on CPU 0) then tries to read
 * it.
 */
static struct {
	struct process *a;
	uintptr_t addr;		/* A's text, in A's land */
	int own;		/* child_reads of it, from A's CPU */
	int seen;		/* ... and from B's CPU */
	bool a_shown;		/* A was shown when B read */
	int ready, done;	/* A has written; B has read */
} duo;

static void prog_a(struct kernel *k, struct thread *t, void *arg)
{
	(void)arg;
	user_write(k, 0x10, "in A", 4);
	duo.addr = thread_tls(t) + 0x10;
	duo.own = child_reads(duo.addr, "in A");
	__atomic_store_n(&duo.ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&duo.done, __ATOMIC_ACQUIRE))
		sys_yield(k);
}

static void prog_b(struct kernel *k, struct thread *t, void *arg)
{
	(void)t;
	(void)arg;
	while (!__atomic_load_n(&duo.ready, __ATOMIC_ACQUIRE))
		sys_yield(k);
	duo.a_shown = process_land_shown(duo.a);
	duo.seen = child_reads(duo.addr, "in A");
	__atomic_store_n(&duo.done, 1, __ATOMIC_RELEASE);
}

/*
 * A thread of p running prog, on CPU cpu of a kernel of two (tid mod 2;
 * tids count up, so a thread that runs nothing, ended at once, takes a
 * tid of the other parity first when needed).
 */
static void thread_on(struct kernel *k, struct process *p, unsigned cpu,
		      void (*prog)(struct kernel *, struct thread *, void *))
{
	struct thread *t;

	ck_assert_int_eq(thread_create(k, p, "filler", NULL, NULL, &t),
			 KERR_OK);
	ck_assert_int_eq(thread_exit(k, t), KERR_OK);
	if (t->tid % 2 == cpu) {
		ck_assert_int_eq(thread_create(k, p, "filler2", NULL, NULL,
					       &t), KERR_OK);
		ck_assert_int_eq(thread_exit(k, t), KERR_OK);
	}
	ck_assert_int_eq(thread_create(k, p, "run", prog, NULL, &t), KERR_OK);
	ck_assert_uint_eq(t->tid % 2, cpu);
}

START_TEST(test_each_cpu_reaches_its_own_land)
{
	struct process *b;
	struct kernel *k;

	memset(&duo, 0, sizeof(duo));
	duo.own = duo.seen = -2;
	ck_assert_int_eq(kernel_create(ARCH_MOCK, false, &k), 0);
	ck_assert_int_eq(kernel_set_cpus(k, 2), 0);
	ck_assert_int_eq(process_create(k, "A", LAND, NULL, &duo.a), 0);
	ck_assert_int_eq(process_create(k, "B", LAND, NULL, &b), 0);
	thread_on(k, duo.a, 1, prog_a);
	thread_on(k, b, 0, prog_b);
	ck_assert_int_eq(kernel_run(k), 0);
	ck_assert_int_eq(duo.own, 0);		/* A's CPU reads A */
	ck_assert(duo.a_shown);			/* A was shown meanwhile */
	ck_assert_int_eq(duo.seen, SIGSEGV);	/* B's CPU does not */
	kernel_destroy(k);
}
END_TEST

int main(void)
{
	const char *why;
	Suite *s;
	TCase *tc;

	if (!hostkey_available(&why)) {
		printf("check_pkeys: SKIP: protection keys: %s\n", why);
		return 77;
	}
	s = suite_create("pkeys");
	tc = tcase_create("keyed lands");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_keyed_land_hidden_by_its_key);
	tcase_add_test(tc, test_keys_run_out_and_come_back);
	tcase_add_test(tc, test_each_cpu_reaches_its_own_land);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
