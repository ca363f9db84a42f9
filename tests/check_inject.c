/*
 * check_inject.c - a failure injected at every host call the kernel model
 * makes on the path of each operation (reservation, mapping, unmapping,
 * protection changes, stacks, its own records): the operation reports the
 * host's refusal (never a simulated KernelError) and leaves the kernel
 * exactly as it was, compared as a full dump of the state before and
 * after.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "kernel/hostcall.h"
#include "kernel/process.h"
#include "kernel/sched.h"
#include "kernel/thread.h"

static struct kernel k;
static struct process *A, *B;
static struct thread *a1, *a2, *b1;
static unsigned injected;

/* ---- a full dump of the kernel's state, as text ---- */

struct dump {
	char *buf;
	size_t len;
	FILE *f;
	const struct process *p;
};

static void dump_mapping(void *arg, const struct mapping *m)
{
	struct dump *d = arg;

	fprintf(d->f, "  map 0x%jx+0x%zx type %d rights %x\n",
		(uintmax_t)process_offset(d->p, m->start), m->length,
		(int)m->type, m->rights);
}

static void dump_page(void *arg, const struct tlsm_page *pg)
{
	struct dump *d = arg;

	fprintf(d->f, "  tls page 0x%jx used %x\n",
		(uintmax_t)process_offset(d->p, pg->address), pg->used);
}

static void dump_thread(void *arg, struct thread *t)
{
	struct dump *d = arg;

	fprintf(d->f, "thread %s state %d tls 0x%jx once %d stack %d\n",
		thread_name(t), (int)t->state, (uintmax_t)t->tls_offset,
		t->scheduled_once, t->stack != NULL);
}

/* Everything observable: processes, mappings, pages, threads, the CPU. */
static char *dump_state(void)
{
	struct dump d = { 0 };
	struct tlsm_stats st;

	d.f = open_memstream(&d.buf, &d.len);
	ck_assert_ptr_nonnull(d.f);
	for (const struct process *p = k.procs; p; p = p->next_in_kernel) {
		d.p = p;
		process_tls_stats(p, &st);
		fprintf(d.f, "process %s dead %d shown %d pages %zu used %zu maps %zu\n",
			p->name, p->dead, process_land_shown(p), st.pages,
			st.used, process_mapping_count(p));
		process_for_each_mapping(p, dump_mapping, &d);
		process_for_each_tls_page(p, dump_page, &d);
	}
	threadtab_for_each(&k.threads, dump_thread, &d);
	fprintf(d.f, "cpu current %s space %s stacks %zu\n",
		current_thread(&k) ? thread_name(current_thread(&k)) : "-",
		this_cpu(&k)->space ? this_cpu(&k)->space->name : "-",
		k.stacks.in_use);
	fclose(d.f);
	return d.buf;
}

/* ---- the operations, on a small world ---- */

static void job_nothing(struct kernel *kk, struct thread *t, void *arg)
{
	(void)kk;
	(void)t;
	(void)arg;
}

/*
 * Two processes, three threads, a1 current (A's land is the one shown),
 * B's only TLS page is full.
 */
static void world_up(void)
{
	ck_assert_int_eq(kernel_init(&k, ARCH_MOCK, false), 0);
	ck_assert_int_eq(process_create(&k, "A", 16 * PAGE_SIZE, NULL, &A), 0);
	ck_assert_int_eq(process_create(&k, "B", 16 * PAGE_SIZE, NULL, &B), 0);
	ck_assert_int_eq(process_map(&k, A, 0, 4 * PAGE_SIZE, MEM_HEAP,
				     MAR_U_RW), KERR_OK);
	ck_assert_int_eq(thread_create(&k, A, "a1", NULL, NULL, &a1), KERR_OK);
	ck_assert_int_eq(thread_create(&k, A, "a2", NULL, NULL, &a2), KERR_OK);
	ck_assert_int_eq(thread_create(&k, B, "b1", NULL, NULL, &b1), KERR_OK);
	for (int i = 1; i < (int)TLS_PER_PAGE; i++) {	/* B's page is full */
		uint64_t off;

		ck_assert_int_eq(process_tls_alloc(&k, B, &off), KERR_OK);
	}
	/* a1 runs: A's land is shown; no stack is held or pooled yet */
	ck_assert_int_eq(sched_switch_to(&k, a1), KERR_OK);
}

static void world_down(void)
{
	host_fail_reset();
	kernel_fini(&k);
}

/* Each returns true when the operation succeeded. */
static bool op_process_create(void)
{
	struct process *p;

	return process_create(&k, "C", 8 * PAGE_SIZE, NULL, &p) == 0;
}

static bool check_refused(enum kernel_error err)
{
	ck_assert_msg(err == KERR_OK || err == KERR_HOST_REFUSED,
		      "a host refusal became KernelError %s",
		      kernel_error_name(err));
	return err == KERR_OK;
}

static bool op_map(void)
{
	return check_refused(process_map(&k, A, 8 * PAGE_SIZE, PAGE_SIZE,
					 MEM_NORMAL, MAR_U_RW));
}

static bool op_unmap_split(void)
{
	return check_refused(process_unmap(&k, A, PAGE_SIZE, PAGE_SIZE));
}

static bool op_spawn_new_page(void)
{
	struct thread *t;

	return check_refused(thread_create(&k, B, "b2", NULL, NULL, &t));
}

static bool op_tls_alloc(void)
{
	uint64_t off;

	return check_refused(process_tls_alloc(&k, B, &off));
}

static bool op_switch_other_process(void)
{
	return check_refused(sched_switch_to(&k, b1));
}

static bool op_run_as_other_process(void)
{
	int rc = kernel_run_as(&k, b1, job_nothing, NULL);

	ck_assert_msg(rc == 0 || rc == -2, "kernel_run_as gave %d", rc);
	return rc == 0;
}

static bool op_run_as_fresh_stack(void)
{
	int rc;

	rc = kernel_run_as(&k, a2, job_nothing, NULL);
	ck_assert_msg(rc == 0 || rc == -2, "kernel_run_as gave %d", rc);
	return rc == 0;
}

static const struct {
	const char *name;
	bool (*op)(void);
} ops[] = {
	{ "process_create", op_process_create },
	{ "map", op_map },
	{ "unmap (split)", op_unmap_split },
	{ "spawn (new TLS page)", op_spawn_new_page },
	{ "tls_alloc", op_tls_alloc },
	{ "switch to another process", op_switch_other_process },
	{ "run as another process's thread", op_run_as_other_process },
	{ "run as a thread (stack)", op_run_as_fresh_stack },
};

#define OPS (sizeof(ops) / sizeof(ops[0]))

/*
 * For every kind of host call, fail its 1st, 2nd, ... call on the path of
 * the operation until the operation gets through without meeting the
 * injection; every failed attempt must leave the state as it was.
 */
START_TEST(test_inject_every_host_call)
{
	unsigned here = 0;

	for (int c = 0; c < HOST_CALL_COUNT; c++) {
		for (unsigned n = 1; n < 64; n++) {
			char *before, *after;
			bool ok;

			world_up();
			before = dump_state();
			host_fail_after((enum host_call)c, n);
			ok = ops[_i].op();
			after = dump_state();
			world_down();
			if (ok) {
				free(before);
				free(after);
				break;
			}
			here++;
			ck_assert_msg(strcmp(before, after) == 0,
				      "%s, host call %d #%u: state changed:\n--- before\n%s--- after\n%s",
				      ops[_i].name, c, n, before, after);
			free(before);
			free(after);
		}
	}
	printf("check_inject: %s: %u injected failures\n", ops[_i].name,
	       here);
	injected += here;
}
END_TEST

int main(void)
{
	Suite *s = suite_create("inject");
	TCase *tc = tcase_create("host calls");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_inject_every_host_call, 0, (int)OPS);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
