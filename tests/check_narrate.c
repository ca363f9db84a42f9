/*
 * check_narrate.c - the story of each step (step_report.narration): off
 * unless run_options.narrate asks; what it tells of allocates, frees and
 * pages, with the policy's reasons; and a policy without reasons (a
 * version 1 table, or no explain op) narrated from the events alone, its
 * explain never called.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "runner_fixture.h"

static unsigned spy_calls;

/* An explain that must not be called: it counts its calls. */
static int spy_explain(const struct tlsm *m, char *b, size_t size)
{
	(void)m;
	spy_calls++;
	return snprintf(b, size, "spy");
}

/* Step the next command; its story ("" when it has none). */
static const char *story(void)
{
	struct step_report rep = step();

	return rep.narration ? rep.narration : "";
}

START_TEST(test_off_by_default)
{
	start_with("process A userland=64K\nspawn A t\n", false, NULL);
	ck_assert_str_eq(story(), "");
	ck_assert_str_eq(story(), "");
	stop();
}
END_TEST

START_TEST(test_sunrise_story)
{
	start_with("process A userland=64K\nspawn A t\nspawn A u\n"
	      "expect tls u 0x200\nexit t\ntls-alloc A as r\n", true, NULL);
	ck_assert_str_eq(story(), "process A: a user land of 0x10000 bytes, "
			 "TLS policy sunrise\n");
	ck_assert_str_eq(story(), "new TLS page mapped at A+0x0\n"
			 "t -> A+0x0: page 1, slot 0 (no page in tls_pages "
			 "had a free slot: TLSPage::new mapped one where "
			 "find_available_space found room, first fit in the "
			 "user land)\n");
	ck_assert_str_eq(story(), "u -> A+0x200: page 1, slot 1 (the first "
			 "page in tls_pages with a free slot; "
			 "bit_array_first_zero gives its first free slot)\n");
	ck_assert_str_eq(story(), "");	/* an expectation changes nothing */
	ck_assert_str_eq(story(), "A+0x0 (t's TLS) freed: page 1, slot 0 "
			 "(its page in tls_pages found by address, the "
			 "slot's usage bit cleared; the page stays mapped: "
			 "the seed never unmaps one)\nt exited\n");
	ck_assert_ptr_nonnull(strstr(story(), "r -> A+0x0: page 1, slot 0 "
				     "(the first page in tls_pages"));
	stop();
}
END_TEST

/* mesosphere's unmap is told after the free that caused it. */
START_TEST(test_mesosphere_unmap_after_free)
{
	const char *s;

	start_with("process A userland=64K policy=mesosphere\nspawn A t\nexit t\n",
	      true, NULL);
	story();
	ck_assert_ptr_nonnull(strstr(story(), "(no page had a free slot: a new "
				     "page at the lowest free range"));
	s = story();
	ck_assert_str_eq(s, "A+0x0 (t's TLS) freed: slot 0 of the page at "
			 "A+0x0 (that was its page's last region in use: "
			 "mesosphere unmaps an empty page at once)\n"
			 "TLS page at A+0x0 unmapped\nt exited\n");
	stop();
}
END_TEST

/* A version 1 table ends before explain: it is never read. */
START_TEST(test_version1_gives_no_reasons)
{
	struct tls_manager_ops v1 = tls_sunrise_ops;

	v1.version = 1;
	v1.name = "v1";
	v1.explain = spy_explain;
	spy_calls = 0;
	start_with("process A userland=64K\nspawn A t\nexit t\n", true, &v1);
	story();
	ck_assert_str_eq(story(), "new TLS page mapped at A+0x0\n"
			 "t -> A+0x0: page 1, slot 0 (v1 gives no reasons)\n");
	ck_assert_str_eq(story(), "A+0x0 (t's TLS) freed: page 1, slot 0 "
			 "(v1 gives no reasons)\nt exited\n");
	ck_assert_uint_eq(spy_calls, 0);
	stop();
}
END_TEST

/* Version 2 without an explain op: the same. */
START_TEST(test_no_explain_op)
{
	struct tls_manager_ops quiet = tls_indexed_ops;

	quiet.name = "mute";
	quiet.explain = NULL;
	start_with("process A userland=64K\nspawn A t\n", true, &quiet);
	story();
	ck_assert_str_eq(story(), "new TLS page mapped at A+0x0\n"
			 "t -> A+0x0: page 1, slot 0 (mute gives no "
			 "reasons)\n");
	stop();
}
END_TEST

/* Without narration the policies are not asked either. */
START_TEST(test_not_asked_unless_narrating)
{
	struct tls_manager_ops spy = tls_sunrise_ops;

	spy.explain = spy_explain;
	spy_calls = 0;
	start_with("process A userland=64K\nspawn A t\nexit t\n", false, &spy);
	story();
	story();
	story();
	ck_assert_uint_eq(spy_calls, 0);
	stop();
	start_with("process A userland=64K\nspawn A t\nexit t\n", true, &spy);
	story();
	ck_assert_ptr_nonnull(strstr(story(), "slot 0 (spy)\n"));
	ck_assert_ptr_nonnull(strstr(story(), "slot 0 (spy)\n"));
	ck_assert_uint_eq(spy_calls, 2);
	stop();
}
END_TEST

static Suite *narrate_suite(void)
{
	Suite *s = suite_create("narrate");
	TCase *tc = tcase_create("story");

	tcase_add_test(tc, test_off_by_default);
	tcase_add_test(tc, test_sunrise_story);
	tcase_add_test(tc, test_mesosphere_unmap_after_free);
	tcase_add_test(tc, test_version1_gives_no_reasons);
	tcase_add_test(tc, test_no_explain_op);
	tcase_add_test(tc, test_not_asked_unless_narrating);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(narrate_suite());
}
