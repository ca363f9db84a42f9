/*
 * grade.h - `tlssim grade`: grade a TLS manager (a student's shared object,
 * or a built-in policy), each test run by a sandboxed child whose answers
 * a verifier checks, and print a line per test and a score (or JSON, or
 * Gradescope's results.json; or a CSV gradebook of a class with --batch),
 * in the manner of the CS:APP malloc lab's driver.
 */
#ifndef TLSSIM_GRADE_H
#define TLSSIM_GRADE_H

#include <stdio.h>

/*
 * Run `tlssim grade` with its arguments (argv[0] is "grade"). Prints the
 * report to out, errors to stderr. Returns the exit status: 0 when the
 * grading ran (whatever the score), 2 for a bad command line, a manager
 * that cannot be loaded or a malformed scenario, 4 when the host refused
 * (no fork, no seccomp to confine a shared object, or a static build
 * that cannot load shared objects).
 */
int grade_main(int argc, char **argv, FILE *out);

/*
 * Where one of the grader's files is: installed when installed/name is
 * readable (name "" for the directory itself), else source (tlssim run
 * from its build tree). Never fails.
 */
const char *grade_installed_or_source(const char *installed,
				      const char *name, const char *source);

#endif
