/*
 * memdata.h - a two-class problem built in memory for the trainer's and
 * the teaching views' tests: the class is the sign of x0 + x1.  Included by
 * the one .c file of a test program.
 */
#ifndef GRADTOP_TESTS_MEMDATA_H
#define GRADTOP_TESTS_MEMDATA_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradtop/core/rng.h"
#include "gradtop/data/dataset.h"

/* n rows of two normal features, drawn from seed. */
static void make_dataset(Dataset *ds, size_t n, uint64_t seed)
{
    memset(ds, 0, sizeof *ds);
    Rng r;
    rng_seed(&r, seed);
    ds->n = n;
    ds->d = 2;
    ds->x = malloc(n * 2 * sizeof(float));
    ds->labels = malloc(n * sizeof(int));
    ds->task = TASK_CLASSIFICATION;
    ds->n_classes = 2;
    snprintf(ds->name, sizeof ds->name, "memory");
    for (size_t i = 0; i < n; i++) {
        float a = (float)rng_normal(&r), b = (float)rng_normal(&r);
        ds->x[2 * i] = a;
        ds->x[2 * i + 1] = b;
        ds->labels[i] = a + b > 0;
    }
}

static void free_dataset(Dataset *ds)
{
    free(ds->x);
    free(ds->labels);
    free(ds->targets);
}

#endif
