/*
 * grade_report.h - private to `tlssim grade`: the report, as text (a line
 * a test, as it runs), JSON, or the results.json of Gradescope's
 * autograder.
 */
#ifndef TLSSIM_GRADE_REPORT_H
#define TLSSIM_GRADE_REPORT_H

#include <stdio.h>

#include "grade_run.h"

enum grade_format { GRADE_TEXT, GRADE_JSON, GRADE_GRADESCOPE };

/* What the report says of the grading as a whole. */
struct grade_summary {
	const struct grade_manager *m;
	const char *spec;		/* --manager as given */
	uint64_t seed;
	unsigned timeout;
	size_t scenarios;
	const char *from;		/* where the scenarios came from */
};

/* The text report's header: the manager, the seed, the columns. */
void grade_report_header(FILE *out, const struct grade_summary *s);

/* The text line of test t (then each further line of its reason). */
void grade_report_line(FILE *out, const struct grade_item *t,
		       const struct grade_result *res);

/*
 * The whole report of n tests with their results, as JSON or for
 * Gradescope. Returns 0, or 4 when memory ran out.
 */
int grade_report_json(FILE *out, enum grade_format format,
		      const struct grade_summary *s,
		      const struct grade_item *items,
		      const struct grade_result *results, size_t n);

#endif
