/*
 * grade_batch.h - private to `tlssim grade`: grading a directory of
 * submissions into a CSV gradebook.
 */
#ifndef TLSSIM_GRADE_BATCH_H
#define TLSSIM_GRADE_BATCH_H

#include <stdio.h>

/*
 * Grade every submission of dir, jobs at a time, each with the grade
 * options argv[0..argc) (scenarios included), and write the gradebook to
 * out. Returns 0 (whatever each submission got: a build or a load that
 * fails is the submission's), 2 when dir cannot be read, 4 when the host
 * refused a scratch directory, or refused the grading of a submission
 * (its row says so; the others are graded).
 */
int grade_batch(FILE *out, const char *dir, unsigned jobs, int argc,
		char **argv);

#endif
