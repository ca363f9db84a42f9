/*
 * testutil.h - small helpers shared by the Check suites.
 */
#ifndef TLSSIM_TESTUTIL_H
#define TLSSIM_TESTUTIL_H

#include <check.h>
#include <stdlib.h>

#include "kerror.h"

/*
 * An assertion for loops of many comparisons. Check writes down the place
 * of every passing ck_assert (to name the last one if the test crashes),
 * one write system call each; require calls into Check only on failure.
 */
#define require(cond) \
	do { \
		if (!(cond)) \
			ck_abort_msg("%s:%d: failed: %s", __FILE__, __LINE__, \
				     #cond); \
	} while (0)

/* Run one suite; the exit status of a test program. */
static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/*
 * The emulator the suite runs under (scripts/check-cross sets
 * TLSSIM_EMULATOR), or NULL when it runs natively.
 */
static inline const char *test_emulator(void)
{
	const char *e = getenv("TLSSIM_EMULATOR");

	return e && *e ? e : NULL;
}

/* Call fn(arg) under a panic catch; the message, or NULL if no panic. */
static inline const char *call_catching_panic(struct panic_catch *c,
					      void (*fn)(void *), void *arg)
{
	return panic_call(c, fn, arg) ? c->message : NULL;
}

#endif
