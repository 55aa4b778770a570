/*
 * accuracy.h - a classifier's accuracy recomputed from the model's own
 * forward pass, for the tests that check what training reached without
 * taking the trainer's word for it.  Included by the one .c file of a test
 * program.
 */
#ifndef GRADTOP_TESTS_ACCURACY_H
#define GRADTOP_TESTS_ACCURACY_H

#include "gradtop/data/dataset.h"
#include "gradtop/nn/model.h"

/* Accuracy of m on ds from m's own forward pass (argmax, or p >= 0.5 for
 * one sigmoid output), in chunks of the model's batch capacity. */
static double accuracy_of(Model *m, const Dataset *ds)
{
    int n_out = m->shape.sizes[m->shape.n_layers];
    size_t correct = 0;
    for (size_t pos = 0; pos < ds->n; pos += (size_t)m->cap_batch) {
        int B = (int)(ds->n - pos < (size_t)m->cap_batch ? ds->n - pos : (size_t)m->cap_batch);
        const float *y = model_forward(m, ds->x + pos * (size_t)ds->d, B, false, NULL);
        for (int r = 0; r < B; r++) {
            int pred = 0;
            if (n_out == 1) {
                pred = y[r] >= 0.5f;
            } else {
                for (int c = 1; c < n_out; c++)
                    if (y[(size_t)r * (size_t)n_out + (size_t)c] >
                        y[(size_t)r * (size_t)n_out + (size_t)pred])
                        pred = c;
            }
            correct += pred == ds->labels[pos + (size_t)r];
        }
    }
    return (double)correct / (double)ds->n;
}

#endif
