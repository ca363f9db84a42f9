/*
 * check_debug.c - the debugger's read of a user land (process_debug_read,
 * tlssim step's peek): it reads what user code wrote, in a land hidden by
 * isolation too, and changes nothing: no switch, no register, the land
 * as hidden as before; bad addresses and dead processes are refused.
 */
#include <config.h>

#include <string.h>

#include "testutil.h"
#include "kernel/kernel.h"

struct put {
	const char *text;
};

/* A job run as a thread: its text into its IPC buffer (offset 0x10). */
static void job_put(struct kernel *k, struct thread *t, void *arg)
{
	const struct put *p = arg;

	(void)t;
	user_write(k, 0x10, p->text, strlen(p->text));
}

START_TEST(test_debug_read_changes_nothing)
{
	struct kernel *k;
	struct process *a, *b;
	struct thread *ta, *tb;
	struct put pa = { "in A" }, pb = { "in B" };
	const struct thread *cur;
	uintptr_t reg_before, reg_after, self;
	uint64_t switches;
	char buf[8];

	ck_assert_int_eq(kernel_create(ARCH_MOCK, false, &k), 0);
	ck_assert_int_eq(process_create(k, "A", 16 * 0x1000, NULL, &a), 0);
	ck_assert_int_eq(process_create(k, "B", 16 * 0x1000, NULL, &b), 0);
	ck_assert_int_eq(thread_create(k, a, "ta", NULL, NULL, &ta), KERR_OK);
	ck_assert_int_eq(thread_create(k, b, "tb", NULL, NULL, &tb), KERR_OK);
	ck_assert_int_eq(kernel_run_as(k, tb, job_put, &pb), 0);
	ck_assert_int_eq(kernel_run_as(k, ta, job_put, &pa), 0);
	/* A runs now: B's land is hidden from user code */
	ck_assert(!process_land_shown(b));
	switches = kernel_switches(k);
	kernel_cpu_state(k, 0, &cur, &reg_before);

	ck_assert_int_eq(process_debug_read(k, b, thread_tls_offset(tb) + 0x10,
					    buf, 4), KERR_OK);
	ck_assert_int_eq(memcmp(buf, "in B", 4), 0);
	ck_assert_int_eq(process_debug_read(k, b, thread_tls_offset(tb), &self,
					    sizeof(self)), KERR_OK);
	ck_assert(self == thread_tls(tb));	/* ptr_self, as the kernel set it */
	ck_assert_int_eq(process_debug_read(k, a, thread_tls_offset(ta) + 0x10,
					    buf, 4), KERR_OK);
	ck_assert_int_eq(memcmp(buf, "in A", 4), 0);

	ck_assert(!process_land_shown(b));
	ck_assert(process_land_shown(a));
	ck_assert_uint_eq(kernel_switches(k), switches);
	kernel_cpu_state(k, 0, &cur, &reg_after);
	ck_assert_ptr_eq(cur, ta);
	ck_assert(reg_after == reg_before);
	kernel_destroy(k);
}
END_TEST

START_TEST(test_debug_read_refuses)
{
	struct kernel *k;
	struct process *a;
	struct thread *t;
	char buf[8] = "unset!!";

	ck_assert_int_eq(kernel_create(ARCH_MOCK, false, &k), 0);
	ck_assert_int_eq(process_create(k, "A", 16 * 0x1000, NULL, &a), 0);
	ck_assert_int_eq(thread_create(k, a, "t", NULL, NULL, &t), KERR_OK);
	/* not mapped: the page after the TLS page */
	ck_assert_int_eq(process_debug_read(k, a, 0x8000, buf, 8),
			 KERR_INVALID_ADDRESS);
	/* across the end of the TLS page into nothing */
	ck_assert_int_eq(process_debug_read(k, a, thread_tls_offset(t) + 0xffc,
					    buf, 8), KERR_INVALID_ADDRESS);
	/* past the land, and wrapping */
	ck_assert_int_eq(process_debug_read(k, a, 16 * 0x1000 - 4, buf, 8),
			 KERR_INVALID_ADDRESS);
	ck_assert_int_eq(process_debug_read(k, a, UINT64_MAX - 2, buf, 8),
			 KERR_INVALID_ADDRESS);
	ck_assert_int_eq(memcmp(buf, "unset!!", 8), 0);
	ck_assert_int_eq(process_kill(k, a), KERR_OK);
	ck_assert_int_eq(process_debug_read(k, a, 0, buf, 8),
			 KERR_PROCESS_KILLED);
	kernel_destroy(k);
}
END_TEST

static Suite *debug_suite(void)
{
	Suite *s = suite_create("debug");
	TCase *tc = tcase_create("read");

	tcase_add_test(tc, test_debug_read_changes_nothing);
	tcase_add_test(tc, test_debug_read_refuses);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(debug_suite());
}
