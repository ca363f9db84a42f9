/*
 * check_narrate.c - the story of each step (step_report.narration): off
 * unless run_options.narrate asks; what it tells of allocates, frees and
 * pages, with the policy's reasons; and a policy without reasons (a
 * version 1 table, or no explain op) narrated from the events alone, its
 * explain never called; and the pages' numbers, kept between steps,
 * against a walk of the manager's pages after each step.
 */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "random.h"
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

/*
 * A scenario of steps spawns and exits in process A (a 1 MiB land) that
 * fills it to about 400 threads, drains it to a few, and fills it again,
 * so that a policy that unmaps empty pages does; its text (malloc'd).
 */
static char *churn_text(unsigned steps, uint64_t rng)
{
	size_t cap = 64 + (size_t)steps * 24, len;
	char *text = malloc(cap);
	unsigned *live = malloc(steps * sizeof(*live)), n = 0, next = 0;

	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(live);
	len = (size_t)sprintf(text, "process A userland=1M\n");
	for (unsigned i = 0; i < steps; i++) {
		unsigned target = (i / 800) % 2 ? 4 : 400;
		bool out = n && (n > target ||
				 xorshift64s(&rng) % 100 < 30);

		if (out) {
			unsigned k = (unsigned)(xorshift64s(&rng) % n);

			len += (size_t)sprintf(text + len, "exit t%u\n", live[k]);
			live[k] = live[--n];
		} else {
			len += (size_t)sprintf(text + len, "spawn A t%u\n", next);
			live[n++] = next++;
		}
	}
	free(live);
	return text;
}

struct page_rank {
	uintptr_t page;		/* the page looked for */
	size_t seen, rank;	/* pages walked; its position (0: none) */
};

static void rank_page(void *arg, const struct tlsm_page *page)
{
	struct page_rank *pr = arg;

	pr->seen++;
	if (page->address == pr->page && !pr->rank)
		pr->rank = pr->seen;
}

/*
 * Check each "P+0xOFF...: page N" of story s against the position of
 * that page in a walk of P's pages now. Process "A" is the scenario's
 * first, "Pk" its k-th. Returns the numbers checked.
 */
static unsigned check_numbers(const char *s)
{
	unsigned checked = 0;

	for (const char *at = strstr(s, "+0x"); at; at = strstr(at, "+0x")) {
		const char *eol = strchr(at, '\n');
		const char *num = strstr(at, ": page ");
		const char *name = at;
		unsigned long off = strtoul(at + 3, NULL, 16), told;
		const struct process *p;
		struct page_rank pr = { 0, 0, 0 };

		while (name > s && (isalnum((unsigned char)name[-1])))
			name--;
		p = r.procs[*name == 'P' ? strtoul(name + 1, NULL, 10) : 0];
		at += 3;
		if (!num || (eol && num > eol))
			continue;
		told = strtoul(num + 7, NULL, 10);
		pr.page = process_userland_start(p) + (off & ~0xfffUL);
		process_for_each_tls_page(p, rank_page, &pr);
		ck_assert_msg(pr.rank == told, "%.*s+0x%lx: the story says "
			      "page %lu, a walk says page %zu",
			      (int)(at - 3 - name), name, off, told, pr.rank);
		checked++;
	}
	return checked;
}

/*
 * Each built-in policy's numbers, kept from step to step in the order its
 * table promises, are a walk's; one walk serves the whole run. A copy of
 * the table promises nothing: its pages are walked again after a change.
 */
START_TEST(test_numbers_kept_are_a_walks)
{
	const struct tls_manager_ops *ops = tls_policy_at((size_t)_i);
	struct tls_manager_ops copy;
	unsigned steps = 3000, checked = 0, unmaps = 0;
	char *text = churn_text(steps, 0x9e3779b97f4a7c15ull + (uint64_t)_i);

	for (int pass = 0; pass < 2; pass++) {
		if (pass) {
			copy = *ops;
			ops = &copy;
		}
		start_with(text, true, ops);
		for (unsigned i = 0; i <= steps; i++) {
			const char *s = story();

			checked += check_numbers(s);
			unmaps += strstr(s, "TLS page at A+") != NULL;
		}
		if (!pass)
			ck_assert_uint_le(r.narr.walks, 1);
		else
			ck_assert_uint_gt(r.narr.walks, 10);
		stop();
	}
	/* a number for each spawn, and mesosphere's unmaps numbered past */
	ck_assert_uint_ge(checked, steps);
	if (strcmp(ops->name, "mesosphere") == 0)
		ck_assert_uint_gt(unmaps, 100);
	free(text);
}
END_TEST

/*
 * Numbers kept for many processes at once, found by process through the
 * story's index: a third of them killed and forgotten in a shuffled order
 * (as a streamed run lets them go), then the survivors map more pages.
 * Each process is walked once: a numbering lost from the index would be
 * made again, by another walk.
 */
START_TEST(test_numbers_of_many_processes)
{
	enum { PROCS = 300 };
	size_t cap = PROCS * 200, len = 0;
	char *text = malloc(cap);
	unsigned order[PROCS], checked = 0;
	uint64_t rng = 0x243f6a8885a308d3ull;

	ck_assert_ptr_nonnull(text);
	for (unsigned k = 0; k < PROCS; k++) {
		len += (size_t)sprintf(text + len, "process P%u userland=64K "
				       "policy=%s\nspawn P%u a%u\n", k,
				       k % 2 ? "mesosphere" : "indexed", k, k);
		order[k] = k;
	}
	for (unsigned k = PROCS - 1; k; k--) {
		unsigned j = (unsigned)(xorshift64s(&rng) % (k + 1)), t = order[k];

		order[k] = order[j];
		order[j] = t;
	}
	/* a third killed, then nine more threads in each survivor */
	for (unsigned k = 0; k < PROCS / 3; k++)
		len += (size_t)sprintf(text + len, "kill P%u\n", order[k]);
	for (unsigned k = PROCS / 3; k < PROCS; k++)
		for (unsigned t = 0; t < 9; t++)
			len += (size_t)sprintf(text + len, "spawn P%u b%u_%u\n",
					       order[k], order[k], t);
	ck_assert_uint_lt(len, cap);
	start_with(text, true, NULL);
	for (size_t i = 0; i < scn->cmd_count; i++) {
		checked += check_numbers(story());
		if (i + 1 != 2 * PROCS + PROCS / 3)
			continue;
		for (unsigned k = 0; k < PROCS / 3; k++)
			narration_forget_process(&r.narr, r.procs[order[k]]);
		ck_assert_uint_eq(r.narr.npages, PROCS - PROCS / 3);
	}
	ck_assert_uint_eq(checked, PROCS + (PROCS - PROCS / 3) * 9);
	ck_assert_uint_eq(r.narr.npages, PROCS - PROCS / 3);
	ck_assert_uint_eq(r.narr.walks, PROCS);
	stop();
	free(text);
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
	tcase_add_loop_test(tc, test_numbers_kept_are_a_walks, 0,
			    (int)tls_policy_count());
	tcase_add_test(tc, test_numbers_of_many_processes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(narrate_suite());
}
