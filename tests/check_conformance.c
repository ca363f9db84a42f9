/*
 * check_conformance.c - the conformance suite (programs/conform/conform.h),
 * the one `tlssim grade` runs, over every built-in policy of the table:
 * every rule must hold for each; the differential against the seed's port
 * must hold for each policy that promises the seed's addresses, and must
 * find the differences of those that do not (so the checker can fail).
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "policy/policy.h"
#include "programs/conform/conform.h"

/* Differential seeds run per policy (grade runs 5; each is 20,000 ops). */
#define SEEDS 3

/*
 * The built-in policies that do not promise the seed's addresses, by
 * design: mesosphere takes the lowest-address page with room and unmaps
 * empty pages (src/policy/mesosphere.c). Its own rule is checked against
 * a model in check_policy_diff.c.
 */
static const char *const differs_from_seed[] = { "mesosphere" };

static bool promises_seed(const struct tls_manager_ops *ops)
{
	for (size_t i = 0; i < sizeof(differs_from_seed) / sizeof(*differs_from_seed); i++)
		if (strcmp(ops->name, differs_from_seed[i]) == 0)
			return false;
	return true;
}

/* A context for policy number i, the reference being the seed's port. */
static struct conform_ctx ctx_for(size_t i, uint64_t seed)
{
	struct conform_ctx g = {
		.ops = tls_policy_at(i),
		.ref = tls_policy_find("sunrise"),
		.seed = seed,
	};

	ck_assert_ptr_nonnull(g.ops);
	ck_assert_ptr_nonnull(g.ref);
	return g;
}

/* Loop index _i: policy _i / rules, rule _i % rules. */
START_TEST(test_rules_hold)
{
	size_t rule = (size_t)_i % conform_rules_count;
	struct conform_ctx g = ctx_for((size_t)_i / conform_rules_count, 1);
	int rc = conform_rules[rule].run(&g);

	printf("%s: %s: %s%s%s\n", g.ops->name, conform_rules[rule].name,
	       rc ? "FAIL" : "pass", g.reason[0] ? ": " : "", g.reason);
	ck_assert_msg(rc == 0, "%s fails the rule %s: %s", g.ops->name,
		      conform_rules[rule].name, g.reason);
}
END_TEST

/* Loop index _i: policy _i / SEEDS, seed _i % SEEDS + 1. */
START_TEST(test_differential)
{
	uint64_t seed = (uint64_t)(_i % SEEDS) + 1;
	struct conform_ctx g = ctx_for((size_t)_i / SEEDS, seed);
	int rc = conform_differential(&g);

	printf("%s against sunrise, seed %lu: %s: %s\n", g.ops->name,
	       (unsigned long)seed, rc ? "differs" : "same", g.reason);
	if (promises_seed(g.ops))
		ck_assert_msg(rc == 0, "%s promises the seed's addresses but "
			      "differs: %s", g.ops->name, g.reason);
	else
		ck_assert_msg(rc == -1 && strstr(g.reason, "operation "),
			      "the differential finds no difference between "
			      "%s and the seed's port", g.ops->name);
}
END_TEST

static Suite *conformance_suite(void)
{
	Suite *s = suite_create("conformance");
	TCase *tc = tcase_create("every built-in policy");
	int n = (int)tls_policy_count();

	printf("conformance: %d policies x %zu rules, and %d differential "
	       "seeds each\n", n, conform_rules_count, SEEDS);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_rules_hold, 0,
			    n * (int)conform_rules_count);
	tcase_add_loop_test(tc, test_differential, 0, n * SEEDS);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(conformance_suite());
}
