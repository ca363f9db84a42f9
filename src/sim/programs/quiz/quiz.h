/*
 * quiz.h - `tlssim quiz`: homework problems in the manner of the OSTEP
 * simulators. A seed gives a sequence of spawns, exits, maps, unmaps and
 * kills on small processes, printed with what it asks (-t: TLS addresses,
 * pages, unmaps, the register, a spy's read, bytes kept) left as `?`;
 * -c prints the answers (computed by the kernel model), why, and the
 * final pages and slots; --emit-scenario prints the problem as a scenario
 * that `tlssim run` checks.
 */
#ifndef TLSSIM_QUIZ_H
#define TLSSIM_QUIZ_H

#include <stdio.h>

/*
 * Run `tlssim quiz` with its arguments (argv[0] is "quiz"); the problem
 * goes to out. Returns the exit status: 0; 2 for a bad command line (a
 * message on stderr); 4 when the host refused the simulator memory; 1
 * when the kernel failed an operation the quiz chose as valid (a bug).
 */
int quiz_main(int argc, char **argv, FILE *out);

#endif
