/*
 * model.h - a multilayer perceptron: dense layers, activations, losses.
 *
 * All parameters live in one contiguous float block (params), all gradients
 * in another of the same layout (grads); each layer's W (n_out, n_in,
 * row-major) and b (n_out) are views into them, W at the layer's offset and
 * b right after it, layer after layer.  Forward is Y = X·Wᵀ + b; backward is
 * dX = dY·W, dW = dYᵀ·X, db = Σ dY, every product through gemm().  The
 * activations of one batch live in a workspace prepared for a maximum batch
 * size: model_prepare() is the only call that allocates after
 * model_create(); forward, clearing and backward allocate nothing.
 *
 * A training step reads:
 *
 *     model_forward(m, x, B, true, rng);
 *     loss = model_loss(m, labels, targets, B) + model_penalty(m);
 *     model_gradient(m, labels, targets, B);
 *     optimizer_step(o, m->params, m->grads, lr, m->team);
 *
 * model_gradient writes grads whole, so a step needs no pass to clear them;
 * model_backward adds onto grads instead (the gradients of several passes
 * sum, from a model_zero_grads), and comes to the same figures after one.
 *
 * A Model belongs to one thread (the trainer's) at a time.
 */
#ifndef GRADTOP_MODEL_H
#define GRADTOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gradtop/core/error.h"
#include "gradtop/core/rng.h"

struct Team;

/* Hidden layers and units per layer at most: far above what trains well
 * here, small enough that sizes computed from them cannot overflow. */
#define MODEL_MAX_HIDDEN 16
#define MODEL_MAX_UNITS 65536
#define MODEL_MAX_LAYERS (MODEL_MAX_HIDDEN + 1)

typedef enum {
    ACTIVATION_RELU,
    ACTIVATION_LEAKY_RELU,
    ACTIVATION_TANH,
    ACTIVATION_SIGMOID,
    ACTIVATION_ELU,
    ACTIVATION_GELU,
    ACTIVATION_LINEAR, /* output layers only */
} Activation;

typedef enum {
    LOSS_AUTO,
    LOSS_CROSS_ENTROPY,
    LOSS_BINARY_CROSS_ENTROPY,
    LOSS_MSE,
    LOSS_MAE,
    LOSS_HUBER,
} LossKind;

/* Names of the hidden activations and of the losses, indexed by the enum,
 * NULL-terminated (ACTIVATION_LINEAR is not among them: output layers only). */
extern const char *const activation_names[];
extern const char *const loss_names[];

/* What the output layer computes before the loss. */
typedef enum { OUTPUT_SOFTMAX, OUTPUT_SIGMOID, OUTPUT_LINEAR } OutputKind;

typedef struct {
    int n_in, n_out;
    size_t offset;  /* of W in params/grads; b follows W */
    float *W, *b;   /* views into params: (n_out, n_in), (n_out) */
    float *dW, *db; /* views into grads */
} DenseLayer;

/* The shape of a network: enough to rebuild it. */
typedef struct {
    int n_layers;                    /* dense layers: hidden + output */
    int sizes[MODEL_MAX_LAYERS + 1]; /* sizes[0] inputs .. sizes[n_layers] outputs */
    /* Each hidden layer's activation: act[l] is dense layer l's, for
     * l < n_layers - 1.  hidden is act[0] (the one --activation gave every
     * layer, until a network edit changes one: reshape.h). */
    Activation act[MODEL_MAX_HIDDEN];
    Activation hidden;
    OutputKind output;
    LossKind loss; /* resolved: never LOSS_AUTO */
} ModelShape;

typedef struct {
    ModelShape shape;
    DenseLayer layers[MODEL_MAX_LAYERS];
    size_t n_params;
    float *params; /* (n_params) */
    float *grads;  /* (n_params) */
    /* regularization, read by model_backward and model_loss */
    double l1, l2, dropout;
    /* workspace for up to cap_batch rows */
    int cap_batch;
    float *z[MODEL_MAX_LAYERS + 1];    /* pre-activations (B, sizes[i]), i >= 1 */
    float *a[MODEL_MAX_LAYERS + 1];    /* activations (B, sizes[i]); a[0] points at the input */
    float *mask[MODEL_MAX_LAYERS + 1]; /* dropout keep masks, scaled by 1/(1-p) */
    float *delta[2];                   /* two (B, max width) buffers for backward */
    float *lse;                        /* (B) softmax rows' log-sum-exp, for the loss */
    float *work;                       /* one block holding all of the above */
    int last_batch;                    /* rows of the last forward */
    struct Team *team;                 /* shares passes among threads; NULL: one */
    bool last_dropout;                 /* the last forward applied dropout */
    bool gemm_reserved;                /* holds a BLAS buffer reservation (gemm.h) */
} Model;

/* Resolves LOSS_AUTO for a task and class count into output and loss:
 * >2 classes softmax + cross-entropy, 2 classes sigmoid + BCE (1 output),
 * regression linear + MSE.  An explicit loss that does not fit is
 * ERROR_INPUT naming --loss. */
ErrorCode model_shape_make(ModelShape *s, int n_in, const int *hidden, int n_hidden, Activation act,
                           LossKind loss, bool classification, int n_classes, Error *err);

/* Allocates parameters and a workspace for batch rows, initialised with He
 * (ReLU family) or Glorot uniform (tanh, sigmoid, output) from rng; biases 0. */
ErrorCode model_create(Model *m, const ModelShape *s, int batch, Rng *rng, Error *err);
void model_free(Model *m);
/* Gives back the BLAS buffer reservation model_create took for the thread
 * that runs the model (gemm.h), for an owner that holds one for that
 * thread itself (a sweep, for each of its slots). */
void model_release_blas(Model *m);
/* Resizes the workspace for a new maximum batch; between steps only. */
ErrorCode model_prepare(Model *m, int batch, Error *err);
/* Bytes model_create would allocate (for the "too large" check). */
double model_bytes(const ModelShape *s, int batch);

/* Forward pass of B rows of x (B, n_in).  train enables dropout (masks drawn
 * from rng, which may be NULL when train is false).  Returns the output
 * activations (B, n_out): probabilities for softmax/sigmoid, values for linear. */
const float *model_forward(Model *m, const float *x, int B, bool train, Rng *rng);

/* Mean data loss of the last forward over B rows (labels for classification,
 * targets for regression; the other may be NULL), in double.  Excludes the
 * regularization term (see model_penalty). */
double model_loss(const Model *m, const int *labels, const float *targets, int B);
/* l1·Σ|W| + l2·ΣW² over the weights (not biases), Keras's convention. */
double model_penalty(const Model *m);

/* Zeroes grads, its pass shared among m->team's threads. */
void model_zero_grads(Model *m);
/* Backward pass of the last forward (the same B rows): adds the gradient of
 * the mean data loss over them, and of the L1/L2 penalty, onto grads. */
void model_backward(Model *m, const int *labels, const float *targets, int B);
/* The same gradient in place of what grads held: bit for bit what
 * model_zero_grads then model_backward leave, without the clearing pass. */
void model_gradient(Model *m, const int *labels, const float *targets, int B);

/* How many threads of m->team a forward or backward pass over B rows uses:
 * 1 without a team, or when the batch is too small to be worth sharing.
 * The result does not depend on it beyond float rounding. */
int model_threads(const Model *m, int B);

/* Per-row predictions of the last forward: class index into pred_class
 * (classification) or value into pred_value (regression). */
void model_predict_rows(const Model *m, int B, int *pred_class, float *pred_value);

/* Gives every hidden layer of s activation a. */
void model_shape_set_activation(ModelShape *s, Activation a);
/* The hidden layers do not all share one activation. */
bool model_shape_mixed(const ModelShape *s);

const char *activation_name(Activation a);
const char *output_name(OutputKind o);

/* Elementwise activation and its derivative (exposed for tests).
 * act_backward: given z, a = f(z) (or NULL: recomputed from z) and upstream
 * dy, writes dz = dy·f'(z).  dz may alias dy. */
void act_forward(Activation a, const float *z, float *out, size_t n);
void act_backward(Activation a, const float *z, const float *out, const float *dy, float *dz,
                  size_t n);

#endif
