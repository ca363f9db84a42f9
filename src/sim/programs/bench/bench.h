/*
 * bench.h - `tlssim bench`: the TLS manager policies and the floor, in
 * kernel and bookkeeping modes, over workloads and sizes; medians, memory,
 * and the ratios the project targets, as a table or one JSON object.
 */
#ifndef TLSSIM_BENCH_H
#define TLSSIM_BENCH_H

#include <stdio.h>

/*
 * Run `tlssim bench` with its arguments (argv[0] is "bench"). Prints the
 * results to out and progress to stderr when it is a terminal. Returns
 * the exit status: 0, 2 for a bad command line, 4 when the host refused
 * the simulator, 1 when a run went wrong.
 */
int bench_main(int argc, char **argv, FILE *out);

#endif
