/*
 * conform_complexity.c - how a manager's cost grows with the regions in
 * use. Lab 4 asks for a manager that does not scan every page: this test
 * fills a land with n regions, then times pairs of a free (of a random
 * region among the last made, on the last pages) and an allocate (which
 * must find that hole), at n = 10^3 and at n = 10^5. A linear scan pays about 100 times more at the larger n; a
 * manager that finds a free slot in O(1) or O(log n) pays about the same.
 *
 * The time of a pair is the least of several rounds, the figure least
 * disturbed by whatever else the host runs. Under `tlssim grade` a round
 * starts when the verifier lets the test child go and ends when the
 * verifier has checked its last answer (conform_lap): the slower of the
 * two processes sets it, and the verifier's own constant cost a pair
 * makes the growth look smaller, never larger.
 */
#include <config.h>

#include "conform.h"

#include <stdlib.h>

#define ROUNDS 7
#define PAIRS_A_ROUND 2000
/* The regions freed: among the last ones, on the last pages made. */
#define LAST_REGIONS 256

/*
 * Fill a new land with n regions and time rounds of pairs. Returns 0 and
 * sets *ns to the least time of a pair, or -1 with the reason.
 */
static int time_pairs(struct conform_ctx *g, size_t n, double *ns)
{
	uint64_t rng = g->seed * 0x9e3779b97f4a7c15ull + n;
	char msg[PANIC_MESSAGE_MAX];
	struct conform_land l = { 0 };
	uint64_t *off = malloc(n * sizeof(*off));
	struct kernel *k = NULL;
	enum kernel_error err;
	int rc = -1;

	if (!off)
		return conform_fail(g, "the host has no memory for the test");
	if (conform_kernel_up(g, &k))
		goto out_free;
	if (conform_land_open(g, k, g->ops, "A", n / TLS_PER_PAGE + 64, &l))
		goto out_down;
	for (size_t i = 0; i < n; i++)
		if ((err = conform_alloc(&l, &off[i])) != KERR_OK) {
			conform_fail(g, "allocate #%zu of %zu failed with %s",
				     i + 1, n, kernel_error_name(err));
			goto out_close;
		}
	*ns = 0;
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = conform_lap(g), t;

		for (int j = 0; j < PAIRS_A_ROUND; j++) {
			size_t i = n - 1 - xorshift64s(&rng) % LAST_REGIONS;

			if (conform_free(&l, off[i], msg, sizeof(msg))) {
				conform_fail(g, "free of %s (in use) panicked: "
					     "%s", conform_where(&l, off[i]),
					     msg);
				goto out_close;
			}
			if ((err = conform_alloc(&l, &off[i])) != KERR_OK) {
				conform_fail(g, "allocate after a free failed "
					     "with %s at %zu regions",
					     kernel_error_name(err), n);
				goto out_close;
			}
		}
		t = (conform_lap(g) - t0) / PAIRS_A_ROUND;
		if (r == 0 || t < *ns)
			*ns = t;
	}
	rc = 0;
out_close:
	conform_land_close(&l);
out_down:
	kernel_destroy(k);
out_free:
	free(off);
	return rc;
}

int conform_complexity(struct conform_ctx *g)
{
	double small, large, growth;

	if (time_pairs(g, CONFORM_GROWTH_SMALL, &small) ||
	    time_pairs(g, CONFORM_GROWTH_LARGE, &large))
		return -1;
	growth = large / (small > 1 ? small : 1);
	if (growth >= CONFORM_GROWTH_MAX)
		return conform_fail(g, "a free and an allocate cost %.2f us "
				    "at %d regions, %.2f us at %d: %.1f times "
				    "more for 100 times the regions (a scan of "
				    "every page?); under %.0f times passes",
				    small / 1e3, CONFORM_GROWTH_SMALL,
				    large / 1e3, CONFORM_GROWTH_LARGE, growth,
				    CONFORM_GROWTH_MAX);
	return conform_note(g, "a free and an allocate: %.2f us at %d "
			    "regions, %.2f us at %d (%.1f times)",
			    small / 1e3, CONFORM_GROWTH_SMALL, large / 1e3,
			    CONFORM_GROWTH_LARGE, growth);
}
