/*
 * gradcheck.h - backprop checked against central finite differences.
 *
 * The finite differences are taken on an independent double-precision
 * forward pass of the same network (same weights, same activations and
 * loss), so that their error is about 1e-9 and what remains is the float32
 * rounding of backprop itself.  Used by `gradtop gradcheck`, by the tests and
 * by the dashboard.  Called on the thread that owns the model.
 *
 * Rounding.  Backprop's float32 error is not a fixed fraction of each
 * gradient entry.  Its absolute size follows the magnitudes of what the
 * entry was computed from: softmax's p - y for a row fitted to p = 1 - 1e-5
 * errs by float32's 6e-8 near 1, 0.6 % of itself; tanh's 1 - a² at a
 * saturated unit the same; a sum of rows that cancel keeps the rounding of
 * its terms, not of its result.  On a trained spiral (16,16 tanh, Adam,
 * the dashboard's 16 rows) 6 checks in 160 found such an entry off by more
 * than 1e-3 (up to 2.4e-3) on a correct network.  So the double pass also
 * bounds, to first order, the rounding of each entry as model.c computes
 * it: a running error analysis of the same forward and backward pass (a
 * sum of n terms rounds by at most n·u times the sum of their magnitudes,
 * u = 2^-24, and every error made is carried through the magnitudes of what
 * multiplies it; softmax's p - y errs by at least u·(p + y)).  An entry's
 * error is taken relative to the largest of |bp|, |fd|, GRADCHECK_FLOOR and
 * that bound divided by GRADCHECK_TOLERANCE: it agrees when backprop is
 * within 1e-3 of the gradient or within what float32 rounding can explain.
 * The bound is worst case: on the tests' correct networks backprop's error
 * stayed under 0.4 of it (the finite differences' own error at Huber's and
 * elu's second-derivative jumps, which it does not cover, is judged by the
 * tolerance as before).  It loosens the verdict only where an entry is
 * small next to the magnitudes it is made of; for most entries it stays
 * under 1e-3 of the gradient (median 1e-5 to 1e-4 on the tests' networks,
 * 9e-4 on the trained spiral), where a wrong rule errs by order 1, and
 * such a rule is still reported (the tests plant one on a trained network).
 *
 * Kinks.  Where a derivative jumps, a central difference whose step crosses
 * the jump averages the two slopes while backprop takes one of them, so the
 * two disagree by order 1 on a correct network.  Such entries are left out
 * of the verdict and counted.  The kinks of gradtop's functions:
 *   - relu and leaky_relu at a pre-activation of 0 (slopes 0|1 and 0.2|1);
 *   - MAE at a residual of 0 (slopes -1|+1);
 *   - the L1 penalty at a weight of 0 (slopes -l1|+l1).
 * Not kinks: elu (alpha 1: both slopes are 1 at 0) and Huber (slope e inside
 * ±delta, ±delta outside) are continuously differentiable; only their second
 * derivative jumps, which costs a central difference an error of order
 * h·|dz/dx| ≈ 1e-4 of the affected row's term, not of order 1.  tanh,
 * sigmoid, gelu, softmax, the cross-entropies and MSE are smooth.
 * An entry is left out when, between its +h and -h passes, a relu or
 * leaky_relu pre-activation or an MAE residual of any row lies on one side
 * of its kink in one pass and on the other side in the other (the sides as
 * backprop decides them: z > 0 or not; the residual's sign), or when the
 * entry is a weight under L1 whose ±h values differ in sign.  What is not
 * caught: a value on one side in both double passes that backprop's
 * float32 pass, rounded, put on the other.  That needs the value within
 * float rounding of the kink (~1e-6) and a step that moves it by less, so
 * its derivative with respect to the entry is below 1e-6/h = 1e-2, and
 * backprop's error on that row is under 1e-2 of the row's upstream
 * gradient.  Such entries stay in the verdict: float32 sides are not
 * allowed to excuse a forward pass that computed a wrong one.
 */
#ifndef GRADTOP_GRADCHECK_H
#define GRADTOP_GRADCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "gradtop/core/error.h"
#include "gradtop/nn/model.h"

/* Relative error |bp - fd| / max(|bp|, |fd|, GRADCHECK_FLOOR, bound / 1e-3)
 * below which backprop and finite differences agree, bound being the entry's
 * float32 rounding bound (see Rounding above).  Where nothing cancels,
 * float32 backprop carries a relative rounding error of a few 1e-6 over sums
 * of a few thousand terms; 1e-3 leaves two orders of margin for that while a
 * wrong derivative (a missing factor, a sign, a transposed index) gives
 * errors of order 1. */
#define GRADCHECK_TOLERANCE 1e-3
/* Gradients smaller than this are compared absolutely, whatever their
 * rounding bound: an error under 1e-7 is no evidence of a wrong rule. */
#define GRADCHECK_FLOOR 1e-4
/* What `gradtop gradcheck` uses.  Entries per tensor: enough to catch a
 * wrong rule, few enough that Fashion-MNIST's first layer takes seconds, not
 * hours.  The step: central differences err by O(h²) ≈ 1e-8 relative, far
 * below the tolerance. */
#define GRADCHECK_ENTRIES 200
#define GRADCHECK_STEP 1e-4

/* The kinds of kink met (bits of GradcheckLayer.kinks). */
typedef enum {
    GRADCHECK_KINK_ACTIVATION = 1u << 0, /* a relu/leaky_relu pre-activation at 0 */
    GRADCHECK_KINK_LOSS = 1u << 1,       /* an MAE residual at 0 */
    GRADCHECK_KINK_L1 = 1u << 2,         /* the weight itself at 0, under L1 */
} GradcheckKink;

typedef struct {
    int n_checked_w, n_checked_b;  /* entries compared */
    int n_kink_w, n_kink_b;        /* sampled entries left out: a kink within the step */
    unsigned kinks;                /* GradcheckKink bits met by this layer's left-out entries */
    double max_err_w, max_err_b;   /* largest relative error of the compared entries; */
    double mean_err_w, mean_err_b; /* infinite when one was not a number */
    double norm_w, norm_b;         /* backprop gradient norms (of the compared entries) */
} GradcheckLayer;

typedef struct {
    int n_layers;
    GradcheckLayer layer[MODEL_MAX_LAYERS];
    double worst;    /* largest relative error over every compared entry */
    int n_kink;      /* entries left out, all layers */
    unsigned kinks;  /* GradcheckKink bits met, all layers */
    int n_unchecked; /* tensors whose every sampled entry was left out */
    int n_mismatch;  /* tensors that disagree */
} GradcheckReport;

typedef enum {
    GRADCHECK_AGREE,
    GRADCHECK_MISMATCH,
    GRADCHECK_UNCHECKED, /* every sampled entry was left out: nothing compared */
} GradcheckVerdict;

/* The verdict on one tensor from its compared entries and largest error. */
GradcheckVerdict gradcheck_verdict(int n_checked, double max_err);

/* Why entries were left out, in words, for the kinds in `kinks` (bits of
 * GradcheckKink) on a network of hidden activation `hidden`: e.g. "a relu
 * pre-activation lay within the step of its kink at 0".  Writes into buf. */
void gradcheck_kink_text(unsigned kinks, Activation hidden, char *buf, size_t cap);

/*
 * Compares the gradient in m's grads with central differences of step h on
 * up to max_per_tensor entries of each W and b (all when fewer; otherwise a
 * sample seeded by seed).  grads is meant to hold the gradient of the
 * loss over the same B rows at the current weights, without dropout (as
 * model_forward and model_backward leave it); tests put wrong gradients
 * there to see them reported.  Leaves weights and grads as they were.
 * ERROR_RUNTIME when out of memory.
 */
ErrorCode gradcheck_compare(Model *m, const float *x, const int *labels, const float *targets,
                            int B, int max_per_tensor, double h, uint64_t seed,
                            GradcheckReport *rep, Error *err);

/*
 * Backprop on B rows of x (dropout off), then gradcheck_compare.  Leaves the
 * model's weights unchanged and its grads holding the backprop gradient.
 */
ErrorCode gradcheck_run(Model *m, const float *x, const int *labels, const float *targets, int B,
                        int max_per_tensor, double h, uint64_t seed, GradcheckReport *rep,
                        Error *err);

#endif
