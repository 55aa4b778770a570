/*
 * rng.h - the one random number generator gradtop uses (xoshiro256**,
 * seeded through splitmix64), so that a seed reproduces a run exactly on any
 * machine.  Each Rng is owned by one thread.
 */
#ifndef GRADTOP_RNG_H
#define GRADTOP_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
} Rng;

void rng_seed(Rng *r, uint64_t seed);
/* An independent generator for each (seed, stream): what one stream draws
 * does not depend on how much another drew (a sweep's trial i). */
void rng_seed_stream(Rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(Rng *r);
/* Uniform in [0, 1) with 53 bits. */
double rng_uniform(Rng *r);
/* Uniform integer in [0, n), unbiased; n > 0. */
uint64_t rng_below(Rng *r, uint64_t n);
/* Standard normal (Box-Muller). */
double rng_normal(Rng *r);
/* Fisher-Yates shuffle of idx[0..n). */
void rng_shuffle(Rng *r, int *idx, size_t n);

#endif
