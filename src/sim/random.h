/*
 * random.h - the pseudo-random numbers of the benchmark, the grader and the
 * tests: xorshift64*, the same sequence from the same seed on every host
 * and architecture (never rand()). The quiz keeps its own splitmix64: its
 * problems are fixed text.
 */
#ifndef TLSSIM_RANDOM_H
#define TLSSIM_RANDOM_H

#include <stdint.h>

/* The next 64 bits from state *s (which must not be 0). Never fails. */
static inline uint64_t xorshift64s(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

#endif
