/*
 * sweep_private.h - what the sweep's source files share and nobody else
 * needs: the roots' combinations, a parameter's size on a grid, drawing one
 * value at random, and ranking trials.
 */
#ifndef GRADTOP_SWEEP_PRIVATE_H
#define GRADTOP_SWEEP_PRIVATE_H

#include "gradtop/core/rng.h"
#include "gradtop/sweep/sweep.h"

/* Combinations of the roots' alternatives (1 with no root). */
int sweep_root_count(const SweepSpace *s);
/* Sets c's root values to combination r (the first root outermost). */
void sweep_root_set(const SweepSpace *s, int r, SweepConfig *c);
/* Values a parameter takes on a grid; 0 for a continuous range. */
double sweep_param_grid_values(const SweepParam *p);
/* Value i of the parameter on a grid (0 <= i < its grid values). */
void sweep_param_grid_value(const SweepParam *p, long i, SweepValue *v);
/* One value drawn as the random sampler draws it. */
void sweep_param_draw(const SweepParam *p, Rng *r, SweepValue *v);
/* The parameter's value with x clipped into its range (int: rounded). */
double sweep_param_clip(const SweepParam *p, double x);

#endif
