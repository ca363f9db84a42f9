/*
 * check_report.c - the report layer's small helpers: a place in a user
 * land as people read it (report/place.h: live land, dead land, no land,
 * offset 0, the top of a land) and the growing text buffer
 * (report/membuf.h).
 */
#include <config.h>

#include <string.h>

#include "testutil.h"
#include "kernel/kernel.h"
#include "report/membuf.h"
#include "report/place.h"

#define LAND	(16 * 0x1000)

START_TEST(test_place_live)
{
	struct kernel *k;
	struct process *a, *b;
	char buf[PLACE_TEXT];
	uintptr_t sa, sb;

	ck_assert_int_eq(kernel_create(ARCH_MOCK, false, &k), 0);
	ck_assert_int_eq(process_create(k, "A", LAND, NULL, &a), 0);
	ck_assert_int_eq(process_create(k, "shell", 2 * LAND, NULL, &b), 0);
	sa = process_userland_start(a);
	sb = process_userland_start(b);
	/* offset 0, inside, the last byte: each in its own land */
	ck_assert_ptr_eq(place_addr(k, sa, false, buf, sizeof(buf)), a);
	ck_assert_str_eq(buf, "A+0x0");
	ck_assert_ptr_eq(place_addr(k, sa + 0x3200, true, buf, sizeof(buf)), a);
	ck_assert_str_eq(buf, "A+0x3200");
	ck_assert_ptr_eq(place_addr(k, sa + LAND - 1, false, buf, sizeof(buf)), a);
	ck_assert_str_eq(buf, "A+0xffff");
	ck_assert_ptr_eq(place_addr(k, sb + 2 * LAND - 1, false, buf,
				    sizeof(buf)), b);
	ck_assert_str_eq(buf, "shell+0x1ffff");
	ck_assert_str_eq(place_off(b, 0x40, buf, sizeof(buf)), "shell+0x40");
	ck_assert_str_eq(place_off(NULL, 0x40, buf, sizeof(buf)), "?+0x40");
	/* by a name alone (quiz, conform), spelled the same */
	ck_assert_str_eq(place_named("shell", 0x40, buf, sizeof(buf)),
			 "shell+0x40");
	ck_assert_str_eq(place_named(NULL, 0, buf, sizeof(buf)), "?+0x0");
	/* cut to fit, NUL-ended */
	ck_assert_str_eq(place_off(b, 0x40, buf, 6), "shell");
	kernel_destroy(k);
}
END_TEST

START_TEST(test_place_nowhere)
{
	struct kernel *k;
	struct process *a;
	char buf[PLACE_TEXT] = "unset";
	uintptr_t sa;

	ck_assert_int_eq(kernel_create(ARCH_MOCK, false, &k), 0);
	ck_assert_int_eq(process_create(k, "A", LAND, NULL, &a), 0);
	sa = process_userland_start(a);
	/* 0, and the first byte past the top of the land: no place */
	ck_assert_ptr_null(place_addr(k, 0, true, buf, sizeof(buf)));
	ck_assert_ptr_null(place_owner(k, 0, true));
	ck_assert_ptr_null(place_addr(k, sa + LAND, true, buf, sizeof(buf)));
	ck_assert_ptr_null(place_addr(k, sa - 1, false, buf, sizeof(buf)));
	/* nothing written when there is no place */
	ck_assert_str_eq(buf, "unset");
	kernel_destroy(k);
}
END_TEST

START_TEST(test_place_dead)
{
	struct kernel *k;
	struct process *a, *c;
	char buf[PLACE_TEXT];
	uintptr_t sa;

	ck_assert_int_eq(kernel_create(ARCH_MOCK, false, &k), 0);
	ck_assert_int_eq(process_create(k, "A", LAND, NULL, &a), 0);
	sa = process_userland_start(a);
	ck_assert_int_eq(process_kill(k, a), KERR_OK);
	/* a dead land is named only when asked, and says so */
	ck_assert_ptr_null(place_addr(k, sa + 0x200, false, buf, sizeof(buf)));
	ck_assert_ptr_null(place_owner(k, sa + 0x200, false));
	ck_assert_ptr_eq(place_addr(k, sa + 0x200, true, buf, sizeof(buf)), a);
	ck_assert_str_eq(buf, "A+0x200 (A is dead)");
	ck_assert_ptr_eq(place_addr(k, sa + LAND - 1, true, buf, sizeof(buf)), a);
	ck_assert_str_eq(buf, "A+0xffff (A is dead)");
	/* a live land at the same address comes first (the kernel may give
	 * the dead land's range to the next process of its size) */
	ck_assert_int_eq(process_create(k, "C", LAND, NULL, &c), 0);
	if (process_userland_start(c) == sa) {
		ck_assert_ptr_eq(place_addr(k, sa + 0x200, true, buf,
					    sizeof(buf)), c);
		ck_assert_str_eq(buf, "C+0x200");
	} else {
		ck_assert_ptr_eq(place_owner(k, sa + 0x200, true), a);
	}
	kernel_destroy(k);
}
END_TEST

START_TEST(test_membuf)
{
	struct membuf m = { 0 };
	char big[1000];

	ck_assert(membuf_add(&m, "ab", 2));
	ck_assert(membuf_printf(&m, "%s+0x%x", "A", 0x10));
	ck_assert_uint_eq(m.len, 8);
	ck_assert_str_eq(m.p, "abA+0x10");
	/* bytes, NULs among them, kept as given; room grows past the first */
	memset(big, 'x', sizeof(big));
	big[10] = '\0';
	ck_assert(membuf_add(&m, big, sizeof(big)));
	ck_assert_uint_eq(m.len, 8 + sizeof(big));
	ck_assert(m.cap > m.len);
	ck_assert_int_eq(memcmp(m.p + 8, big, sizeof(big)), 0);
	ck_assert_int_eq(m.p[m.len], '\0');
	/* nothing added is still a string */
	ck_assert(membuf_add(&m, "", 0));
	ck_assert_uint_eq(m.len, 8 + sizeof(big));
	membuf_reset(&m);
	ck_assert_uint_eq(m.len, 0);
	ck_assert_str_eq(m.p, "");
	ck_assert(membuf_printf(&m, "%d", 42));
	ck_assert_str_eq(m.p, "42");
	ck_assert(!m.oom);
	/* a size past any room is refused, m unchanged but marked */
	ck_assert(!membuf_add(&m, big, SIZE_MAX - 4));
	ck_assert(m.oom);
	ck_assert_str_eq(m.p, "42");
	membuf_free(&m);
	ck_assert_ptr_null(m.p);
	ck_assert_uint_eq(m.len + m.cap, 0);
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("place");
	TCase *tm = tcase_create("membuf");

	tcase_add_test(tc, test_place_live);
	tcase_add_test(tc, test_place_nowhere);
	tcase_add_test(tc, test_place_dead);
	tcase_add_test(tm, test_membuf);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tm);
	return s;
}

int main(void)
{
	return run_suite(report_suite());
}
