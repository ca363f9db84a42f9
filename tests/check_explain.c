/*
 * check_explain.c - each built-in policy explains its last allocate and
 * free (the explain op of tls_manager.h, version 2): a new page, a page
 * with room, a free that keeps the page, a free that empties it, each in
 * the policy's own words, over real process memory.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "pmem_memory.h"
#include "policy/policy.h"

/* What a policy must say, as substrings of its reasons. */
struct words {
	const char *policy;
	const char *new_page;		/* first allocate: a page mapped */
	const char *with_room;		/* second: a page with room */
	const char *keeps;		/* a free that leaves a region in use */
	const char *emptied;		/* the free of the page's last region */
};

static const struct words words[] = {
	{ "sunrise", "TLSPage::new mapped one",
	  "the first page in tls_pages with a free slot",
	  "the seed never unmaps", "the seed never unmaps" },
	{ "indexed", "no page had a free slot",
	  "the first page, in creation order, with a free slot",
	  "stays mapped, as in the seed", "stays mapped, as in the seed" },
	{ "mesosphere", "a new page at the lowest free range",
	  "the lowest-address page with a free slot",
	  "still holds a region in use", "unmaps an empty page at once" },
	{ "seed", "TLSPage::new mapped one",
	  "the first TLSPage of tls_pages whose allocate_tls found",
	  "the seed never unmaps", "the seed never unmaps" },
};

/* The reason m gives now; fails the test when it gives none. */
static const char *why(const struct tls_manager_ops *ops, struct tlsm *m)
{
	static char buf[TLSM_WHY_MAX];
	int n = ops->explain(m, buf, sizeof(buf));

	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(strlen(buf), (size_t)n < sizeof(buf) ?
			  (size_t)n : sizeof(buf) - 1);
	ck_assert_ptr_null(strchr(buf, '\n'));
	return buf;
}

static void assert_says(const char *policy, const char *when,
			const char *said, const char *want)
{
	ck_assert_msg(strstr(said, want), "%s, %s: said \"%s\", not \"%s\"",
		      policy, when, said, want);
}

/* One policy through the four cases. */
static void check_policy(const struct words *w)
{
	const struct tls_manager_ops *ops = tls_policy_find(w->policy);
	struct pmem *pm;
	struct tlsm_memory mem;
	struct tlsm *m;
	uintptr_t a, b;
	char small[8];

	ck_assert_ptr_nonnull(ops);
	ck_assert_uint_ge(ops->version, 2);
	ck_assert_ptr_nonnull(ops->explain);
	ck_assert_int_eq(pmem_create(&pm, 16 * TLSM_PAGE_SIZE), 0);
	mem = pmem_memory(pm);
	m = ops->create(&mem);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(ops->explain(m, small, sizeof(small)), 0);

	ck_assert_int_eq(ops->allocate(m, &a), KERR_OK);
	assert_says(w->policy, "first allocate", why(ops, m), w->new_page);
	ck_assert_int_eq(ops->allocate(m, &b), KERR_OK);
	assert_says(w->policy, "second allocate", why(ops, m), w->with_room);
	/* cut to fit, as snprintf: the count is what it wanted */
	ck_assert_int_gt(ops->explain(m, small, sizeof(small)),
			 (int)sizeof(small));
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);

	ops->free(m, b);
	assert_says(w->policy, "free of one of two", why(ops, m), w->keeps);
	ops->free(m, a);
	assert_says(w->policy, "free of the last", why(ops, m), w->emptied);
	ops->destroy(m);
	pmem_destroy(pm);
}

START_TEST(test_policy_explains)
{
	const struct words *w = &words[_i];

	if (tls_policy_unbuilt(w->policy)) {
		fprintf(stderr, "SKIP %s: %s\n", w->policy,
			tls_policy_unbuilt(w->policy));
		return;
	}
	check_policy(w);
}
END_TEST

/* Every built-in policy has its words here, so none goes untested. */
START_TEST(test_every_policy_listed)
{
	for (size_t i = 0; tls_policy_at(i); i++) {
		bool found = false;

		for (size_t j = 0; j < sizeof(words) / sizeof(words[0]); j++)
			found |= !strcmp(words[j].policy, tls_policy_at(i)->name);
		ck_assert_msg(found, "%s has no words in check_explain.c",
			      tls_policy_at(i)->name);
	}
}
END_TEST

static Suite *explain_suite(void)
{
	Suite *s = suite_create("explain");
	TCase *tc = tcase_create("policies");

	tcase_add_loop_test(tc, test_policy_explains, 0,
			    sizeof(words) / sizeof(words[0]));
	tcase_add_test(tc, test_every_policy_listed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(explain_suite());
}
