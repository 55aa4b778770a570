/*
 * reshape.h - changing a network's shape while it trains: a unit added to
 * or removed from a hidden layer, a hidden layer added or removed, a hidden
 * layer's activation changed.
 *
 * Layers are named by their column in ModelShape.sizes: 0 the inputs,
 * 1 .. n_layers - 1 the hidden layers, n_layers the outputs.
 *
 * What each edit does to the function the network computes:
 *   - adding a unit keeps it: the new unit's incoming weights are drawn as
 *     model_create draws a layer's (so that it can learn something of its
 *     own), its bias and outgoing weights start at zero;
 *   - removing a unit drops its row of incoming weights, its bias and its
 *     column of outgoing weights;
 *   - adding a layer after column k makes one as wide as column k that
 *     starts as close to the identity as its activation allows:
 *       relu, leaky_relu, elu: weights I and a bias c that lifts its inputs
 *         above zero, c taken off the next layer's bias: exact when the layer
 *         before is bounded below (relu and sigmoid c = 0, tanh and elu
 *         c = 1, gelu c = 0.17); after the inputs or a leaky_relu layer c is
 *         0 and negative inputs are not passed through (relu zeroes them,
 *         leaky_relu scales them by 0.2, elu bends them to e^x - 1);
 *       gelu: the same with 3 more on c, where x·Φ(x) is within 0.5 % of x;
 *       tanh: weights I, bias 0: tanh(x) = x - x³/3 + ..., close for small x;
 *       sigmoid: weights 4·I, 0.5 taken off the next layer's inputs:
 *         σ(4x) = 0.5 + x - ..., close for small x;
 *   - removing a layer folds its map into the next layer as if it were
 *     linear (W' = W_next·W, b' = W_next·b + b_next): a layer just added at
 *     the identity goes back to what it was, up to rounding of its bias;
 *   - changing an activation keeps every weight.
 * The optimizer state follows the weights it belongs to: kept weights keep
 * their moments and accumulators, new ones start as a fresh optimizer's
 * (zero; Adagrad's accumulator at its initial value); a folded layer keeps
 * the next layer's state when the shapes match, else starts fresh.  The
 * update count (Adam's bias correction) is the optimizer's and goes on.
 */
#ifndef GRADTOP_RESHAPE_H
#define GRADTOP_RESHAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "gradtop/core/error.h"
#include "gradtop/core/rng.h"
#include "gradtop/nn/model.h"
#include "gradtop/nn/optimizer.h"

typedef enum {
    RESHAPE_ADD_UNIT,
    RESHAPE_REMOVE_UNIT,
    RESHAPE_ADD_LAYER,
    RESHAPE_REMOVE_LAYER,
    RESHAPE_ACTIVATION,
} ReshapeKind;

/* One edit of a network. */
typedef struct {
    ReshapeKind kind;
    int layer;      /* the column (see above): the hidden layer edited, or
                       ADD_LAYER: the column the new layer follows */
    int unit;       /* ADD_UNIT: the new unit's index (0 .. width: before the
                       unit of that index); REMOVE_UNIT: the unit removed */
    Activation act; /* ACTIVATION and ADD_LAYER: the (new) layer's activation */
} ReshapeEdit;

/* An edit checked against a shape, ready to apply to any block laid out as
 * that shape's parameters.  Owns init. */
typedef struct {
    ReshapeEdit edit;
    ModelShape from, to;
    size_t n_from, n_to; /* parameters of each shape */
    float *init;         /* ADD_UNIT: the new unit's incoming weights */
    float gain, shift;   /* ADD_LAYER: the new layer's W = gain·I, b = shift */
    float offset;        /* ADD_LAYER: what the next layer's inputs carry besides x */
    bool exact;          /* the edit keeps the function the network computes */
    char text[384];      /* what it did, for the journal: "layers 8,8 -> 9,8: ..." */
} ReshapePlan;

/*
 * Checks e against shape from and fills p (the new unit's weights drawn from
 * rng).  ERROR_INPUT with a message for an edit that cannot be: the inputs
 * or the output layer, a layer that is not there, the last unit of a layer,
 * more than MODEL_MAX_HIDDEN hidden layers or MODEL_MAX_UNITS units, a
 * hidden activation that is not one.
 */
ErrorCode reshape_plan(ReshapePlan *p, const ModelShape *from, const ReshapeEdit *e, Rng *rng,
                       Error *err);
void reshape_plan_free(ReshapePlan *p);

/* Parameters laid out as p->from (n_from) into p->to's layout (n_to), as
 * the edit says (new weights, the identity, the fold). */
void reshape_params(const ReshapePlan *p, const float *src, float *dst);
/* Per-parameter state (one slot of an optimizer's) the same way: kept
 * entries follow their weights, new ones get fill. */
void reshape_state(const ReshapePlan *p, const float *src, float *dst, float fill);

/* What a fresh optimizer of parameters op holds in state slot (0 to 2):
 * reshape_state's fill for new entries. */
float reshape_fill(const OptimizerParams *op, int slot);

/*
 * Applies p to a live model and its optimizer (o may be NULL): both are
 * rebuilt at the new shape, the workspace for the same batch.  Allocates:
 * between steps only.  On failure (out of memory) both are left as they
 * were.
 */
ErrorCode reshape_apply(const ReshapePlan *p, Model *m, Optimizer *o, Error *err);

/* Replaces m and o (which may be NULL) by a model and optimizer at shape
 * to, with the same settings and optimizer parameters, the weights drawn
 * from rng as model_create draws them and the optimizer state fresh: for
 * weights and state loaded next.  On failure both are left as they were. */
ErrorCode reshape_rebuild(Model *m, Optimizer *o, const ModelShape *to, Rng *rng, Error *err);

/* The parameters of a network of shape s. */
size_t reshape_count_params(const ModelShape *s);

/* The same network: layer sizes, each hidden layer's activation, output
 * and loss. */
bool reshape_same_shape(const ModelShape *a, const ModelShape *b);

/* "8,8" for a shape's hidden sizes; "none" without hidden layers. */
void reshape_layers_text(const ModelShape *s, char *buf, size_t cap);

#endif
