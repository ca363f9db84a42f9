/*
 * testutil.h - small helpers shared by the Check suites.
 */
#ifndef TLSSIM_TESTUTIL_H
#define TLSSIM_TESTUTIL_H

#include <check.h>
#include <stdlib.h>

#include "kernel.h"

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

/* Call fn(arg) under a panic catch; the message, or NULL if no panic. */
static inline const char *call_catching_panic(struct panic_catch *c,
					      void (*fn)(void *), void *arg)
{
	return panic_call(c, fn, arg) ? c->message : NULL;
}

#endif
