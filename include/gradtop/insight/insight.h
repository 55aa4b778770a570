/*
 * insight.h - the maths behind the teaching views: the decision boundary
 * over a plane of input space, a 2-D PCA of the inputs, the quality of the
 * mini-batch gradient estimate (cosine with the full gradient, gradient noise
 * scale), per-layer norms and update ratios, histograms and TensorBoard-style
 * distributions, dead ReLU units, the confusion matrix and a one-sentence
 * diagnosis of a run.
 *
 * Pure engine code: no curses, no printing, no exit.  The dashboard draws
 * what these functions compute.
 *
 * Threads.  Functions that take a Model * (non-const) run the model's
 * forward (and backward) pass through its workspace and call BLAS: they
 * belong on the thread that owns the model - the trainer thread while
 * training runs, between two batches (from a trainer hook) - and never
 * mid-batch.  They leave params untouched and give grads back as they found
 * them, so training continues exactly as if they had not run; they do
 * overwrite the workspace (activations, last_batch), which the next batch
 * rewrites anyway.  pca_fit calls BLAS and LAPACK and so belongs on that
 * thread too (or on any thread before training starts).  Everything else is
 * pure arithmetic on the caller's arrays, callable from any thread; the
 * dashboard hands results across threads by copying them under its own lock.
 *
 * Allocation happens only in the _create and _fit calls; the per-frame and
 * per-probe calls work in buffers created beforehand or given by the caller.
 */
#ifndef GRADTOP_INSIGHT_H
#define GRADTOP_INSIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gradtop/data/dataset.h"
#include "gradtop/core/error.h"
#include "gradtop/nn/model.h"
#include "gradtop/core/rng.h"
#include "gradtop/run/trainer.h"

/* ------------------------------------------------------------------------ */
/* PCA                                                                       */
/* ------------------------------------------------------------------------ */

/* The largest feature count pca_fit accepts: its d×d covariance in double
 * takes 8·d² bytes (128 MB at this limit). */
#define PCA_MAX_FEATURES 4096

/* The first two principal components of a set of rows. */
typedef struct {
    int d;            /* features */
    size_t n;         /* rows fitted */
    double *mean;     /* (d) column means */
    double *comp;     /* (2, d) unit eigenvectors of the covariance, largest first;
                       * each signed so that its largest-magnitude entry is positive.
                       * With d == 1 the second is all zeros. */
    double var[2];    /* their eigenvalues: the variance along each (divided by n-1) */
    double total_var; /* trace of the covariance: var[k] / total_var is the share explained */
} Pca;

/*
 * Fits on x (n, d) row-major: the mean, then the covariance Σ (x-mean)ᵀ(x-mean)
 * / (n-1) accumulated in double with dsyrk over chunks of rows, then its two
 * largest eigenpairs by LAPACK's dsyevr (the OpenBLAS build's).  ERROR_INPUT
 * for n < 2, d < 1, d > PCA_MAX_FEATURES or a non-finite value (naming row
 * and column, 1-based); ERROR_RUNTIME for out of memory or a LAPACK failure.
 * Cost: n·d²/2 + O(d³) flops; measured on 2 cores at d = 784: 0.15 s for
 * the eigensolver, 0.35 s with 5,000 rows, 1.8 s with 48,000 - fit large
 * sets on a sample of a few thousand rows.
 * Thread: the BLAS thread (see the top of this file).  p is empty (safe to
 * pca_free) on failure.
 */
ErrorCode pca_fit(Pca *p, const float *x, size_t n, int d, Error *err);
void pca_free(Pca *p);
/* out (n, 2) = ((x_i - mean)·comp0, (x_i - mean)·comp1) for x (n, d).  Any thread. */
void pca_project(const Pca *p, const float *x, size_t n, float *out);
/* x (n, d) = mean + a_i·comp0 + b_i·comp1 for pq (n, 2) = (a_i, b_i).  Any thread. */
void pca_unproject(const Pca *p, const float *pq, size_t n, float *x);

/* ------------------------------------------------------------------------ */
/* Decision boundary                                                        */
/* ------------------------------------------------------------------------ */

/* A plane in input space: x(a, b) = origin + a·u + b·v, u and v orthonormal
 * (v may be zero when there is only one feature). */
typedef struct {
    int d;
    float *origin; /* (d) */
    float *u, *v;  /* (d) each */
    int fx, fy;    /* the features along u and v for a feature plane; -1 for PCA */
} BoundaryPlane;

/* Allocates a plane over d features, set to features 0 and 1 (or 0 alone
 * when d == 1) with the others at 0. */
ErrorCode plane_create(BoundaryPlane *p, int d, Error *err);
void plane_free(BoundaryPlane *p);
/*
 * The plane of features fx (horizontal) and fy (vertical); fy -1 for none
 * (a one-feature model).  The other features are held at fill (d), or at 0
 * when fill is NULL - their mean once standardized.  ERROR_INPUT when fx or
 * fy is out of range or they are equal.  Any thread (on the plane it owns).
 */
ErrorCode plane_set_features(BoundaryPlane *p, const float *fill, int fx, int fy, Error *err);
/* The plane of the first two principal components through the mean;
 * pca->d must equal p->d. */
void plane_set_pca(BoundaryPlane *p, const Pca *pca);
/* x (d) = the input at plane coordinates (a, b). */
void plane_point(const BoundaryPlane *p, double a, double b, float *x);
/* out (n, 2) = plane coordinates ((x_i - origin)·u, (x_i - origin)·v) of
 * x (n, d): where to draw data points over the map. */
void plane_project(const BoundaryPlane *p, const float *x, size_t n, float *out);

/* The window and resolution of a boundary map: w columns by h rows of cells
 * over [xmin, xmax] × [ymin, ymax] in plane coordinates.  Row 0 is the top
 * (ymax), as a terminal draws; for half blocks, h is twice the text rows. */
typedef struct {
    int w, h;
    double xmin, xmax, ymin, ymax;
} BoundaryGrid;

/* The window around points xy (n, 2) with margin (a fraction of each side's
 * extent, at least 0.5 units) on each side; [-1, 1]² when n is 0.  Keeps
 * g->w and g->h. */
void boundary_fit_window(BoundaryGrid *g, const float *xy, size_t n, double margin);
/* Plane coordinates of the centre of cell (col, row). */
void boundary_cell_center(const BoundaryGrid *g, int col, int row, double *a, double *b);
/* The cell holding plane point (a, b); false when it lies outside the window. */
bool boundary_cell_of(const BoundaryGrid *g, double a, double b, int *col, int *row);

/* Floats of scratch boundary_compute needs for m: cap_batch · n_in. */
size_t boundary_scratch_floats(const Model *m);
/*
 * Evaluates m at every cell centre of g on plane p, in chunks of at most
 * m->cap_batch rows built in scratch (boundary_scratch_floats(m) floats).
 * Per cell, at index row·w + col: cls the predicted class and conf its
 * probability (softmax: the largest; sigmoid: p or 1-p); for a linear
 * (regression) output cls is 0 and conf the predicted value in the model's
 * target units.  No dropout.  Cost: w·h forward rows (120×80 cells through
 * 784-256-10: about 80 ms; through a 2-D playground network, under a few ms).
 * Thread: the model's.
 */
void boundary_compute(Model *m, const BoundaryPlane *p, const BoundaryGrid *g, float *scratch,
                      int *cls, float *conf);
/* The same over the x1/x2 plane of a dataset transformed by --features
 * (ds->plane set): each cell centre (x1, x2) becomes an input row through
 * the dataset's own transform and normalization (dataset_plane_input). */
void boundary_compute_features(Model *m, const Dataset *ds, const BoundaryGrid *g, float *scratch,
                               int *cls, float *conf);

/* ------------------------------------------------------------------------ */
/* Gradient estimate quality                                                 */
/* ------------------------------------------------------------------------ */

/* Mini-batch gradients kept to measure cosines against the full gradient. */
#define GRADPROBE_COS_BATCHES 4

/* What one probe measured.  Norms are Euclidean over the whole parameter
 * vector (or one layer's W and b); gradients are means over rows, including
 * the L1/L2 term, without dropout. */
typedef struct {
    int batch;       /* B: the mini-batch size measured */
    int n_batches;   /* k: disjoint batches of B among the rows used */
    size_t rows;     /* R: rows used (k·B plus a remainder < B) */
    size_t n_train;  /* N: rows in the training set */
    bool exact_full; /* R == N: G below is the exact full-batch gradient */
    /* The training batch holds every row (batch asked >= N): each step's
     * gradient is G itself, so cosine, cosine_min and cosine_max are exactly
     * 1; the noise scale is still measured, on batches of N/2. */
    bool full_batch;
    double loss; /* mean data loss over the R rows */
    /* cos(g_B, G) for the first min(k, GRADPROBE_COS_BATCHES) batches: against
     * the full gradient when exact_full, otherwise against the mean gradient
     * of the other R - B rows (leaving the batch out keeps the two estimates
     * independent). */
    double cosine, cosine_min, cosine_max;
    double s_small;  /* mean over the k batches of |g_B|² */
    double s_big;    /* |G_R|², the mean gradient of all R rows */
    double g2;       /* unbiased estimate of |G|² */
    double trace;    /* unbiased estimate of tr(Σ), Σ the per-example covariance */
    double b_simple; /* trace / g2: the simple noise scale; NAN when either is <= 0 */
    int n_layers;
    double layer_norm[MODEL_MAX_LAYERS];       /* |G_R| per layer */
    double layer_batch_norm[MODEL_MAX_LAYERS]; /* mean |g_B| per layer */
} GradReport;

/* Buffers for gradient probes of one model on one training set. */
typedef struct {
    size_t n_params;
    int d;
    int chunk;      /* rows per forward pass (<= the model's cap_batch at create) */
    size_t n_train; /* rows of the training set, the length of idx */
    double *G;      /* (n_params) accumulated mean gradient */
    float *g;       /* (n_params) one batch's gradient */
    float *saved;   /* (n_params) the model's grads while probing */
    float *kept;    /* (GRADPROBE_COS_BATCHES, n_params) batch gradients for cosines */
    float *x;       /* (chunk, d) gathered rows */
    int *labels;    /* (chunk) */
    float *targets; /* (chunk) */
    int *idx;       /* (n_train) a permutation of the rows */
    Rng rng;        /* its own stream, so probing never changes the trainer's */
} GradProbe;

/* Allocates probe buffers for m and a training set of n_train rows; seed
 * starts its own random stream.  ERROR_RUNTIME when out of memory. */
ErrorCode gradprobe_create(GradProbe *p, const Model *m, size_t n_train, uint64_t seed, Error *err);
void gradprobe_free(GradProbe *p);

/*
 * One probe: draws R = clamp(budget, 2B, N) rows of train without
 * replacement, splits them into k = R/B disjoint batches of B (and a
 * remainder), and computes each batch's gradient g_i and the mean G_R.  From
 * S_small = mean |g_i|² and S_big = |G_R|² it estimates |G|² and tr(Σ) by
 * noise_scale_estimate (McCandlish et al. 2018, appendix A).  B larger than
 * N/2 is lowered to N/2; B >= N is full-batch training, reported as such
 * (full_batch, cosine 1).  ERROR_INPUT when train has fewer than 2 rows or
 * does not match the probe (rows, features, the model's n_params).
 * Cost: R forward+backward rows plus two passes over the parameters per
 * batch: about 1.7 × R/N of an epoch's time (784-256-10, B 32, R 1,440 of
 * 48,000: 45 ms against 0.9 s).  No allocation.
 * Thread: the model's, between batches.
 */
ErrorCode gradprobe_run(GradProbe *p, Model *m, const Dataset *train, int batch, size_t budget,
                        GradReport *out, Error *err);
/* The same on given rows (n_rows indices into train, distinct): the first
 * k·B form the batches in order, the rest the remainder.  For tests and for
 * callers that choose the rows. */
ErrorCode gradprobe_run_rows(GradProbe *p, Model *m, const Dataset *train, const int *rows,
                             size_t n_rows, int batch, GradReport *out, Error *err);

/*
 * Unbiased |G|² and tr(Σ) from the mean squared norm s_small of gradients
 * over batches of b_small rows and s_big over b_big rows, b_small < b_big,
 * drawn without replacement from n rows (n == 0: an infinite population).
 * For a batch of b, E|g_b|² = |G|² + c(b)·tr(Σ) with c(b) = (n-b)/(b(n-1)),
 * the finite-population correction of sampling without replacement
 * (c(b) = 1/b when n is infinite, McCandlish et al.'s case):
 *   tr(Σ) = (s_small - s_big) / (c(b_small) - c(b_big)),
 *   |G|²  = s_small - c(b_small)·tr(Σ),
 * which for infinite n is their (b_big·s_big - b_small·s_small)/(b_big -
 * b_small).  Any thread.
 */
void noise_scale_estimate(double s_small, double b_small, double s_big, double b_big, double n,
                          double *g2, double *trace);

/* The batch size a noise scale suggests for a training set of n_train
 * rows: b_simple rounded, at least 1 and at most n_train (no batch holds
 * more rows than the set; McCandlish et al.'s B_crit is about B_simple, and
 * beyond the whole set there is nothing left to average).  0 when b_simple
 * is not a positive number or n_train is 0.  Any thread. */
long noise_batch_suggestion(double b_simple, size_t n_train);

/* Exponential moving averages of |G|² and tr(Σ) across probes: McCandlish
 * et al. average numerator and denominator separately, since the ratio of
 * single noisy estimates is badly biased.  Zero-initialize, set alpha (the
 * weight of a new probe, e.g. 0.2). */
typedef struct {
    double alpha;
    double g2, trace;
    int n; /* probes averaged */
} NoiseScaleAvg;
void noise_avg_add(NoiseScaleAvg *a, const GradReport *r);
/* trace / g2 of the averages; NAN until both are positive. */
double noise_avg_b_simple(const NoiseScaleAvg *a);

/* out[l] = Euclidean norm of layer l's W and b in vec, a vector laid out as
 * m->params (params, grads, a gradient or an update).  Any thread holding
 * vec. */
void layer_norms(const Model *m, const float *vec, double *out);
/* out[l] = |delta_l| / |W_l, b_l|: the update-to-weight ratio of each layer
 * for an update delta laid out as m->params (about 1e-3 is healthy, Karpathy's
 * rule of thumb).  0 when both norms are 0, INFINITY when only the weights' is. */
void update_ratios(const Model *m, const float *delta, double *out);
/* The same with delta = m->params - before (params as they were before the
 * step). */
void update_ratios_since(const Model *m, const float *before, double *out);

/* ------------------------------------------------------------------------ */
/* Histograms, distributions, dead units                                     */
/* ------------------------------------------------------------------------ */

/* Min and max of the finite values of x (n); returns how many were finite
 * (0: min and max are set to 0).  Any thread. */
size_t hist_range(const float *x, size_t n, float *min, float *max);
/*
 * Counts the finite values of x (n) into n_bins equal bins over [lo, hi]:
 * bin i holds [lo + i·w, lo + (i+1)·w), the last also hi; values below lo
 * or above hi go to the first or last bin (fixed edges keep a histogram over
 * time comparable).  hi <= lo counts everything into the middle bin.
 * counts (n_bins) is overwritten.  Any thread.
 */
void hist_fill(const float *x, size_t n, double lo, double hi, int n_bins, size_t *counts);

/* TensorBoard's compressed-histogram basis points (hundredths of a percent):
 * the normal CDF at -inf, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, +inf std devs. */
#define HIST_N_BPS 9
extern const int hist_bps[HIST_N_BPS]; /* 0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000 */
/*
 * The value at each of hist_bps from a histogram of counts over [lo, hi]
 * whose data had extremes min and max, interpolating linearly inside a bin
 * exactly as TensorBoard's compress_histogram does (bin edges clamped to
 * [min, max]): the bands of its distribution view.  out (HIST_N_BPS); all 0
 * for an empty histogram.  Any thread.
 */
void hist_percentiles(const size_t *counts, int n_bins, double lo, double hi, double min,
                      double max, double *out);

/* Hidden units that never enter their positive regime (pre-activation > 0)
 * on any of a set of rows: for ReLU, units whose output is 0 everywhere. */
typedef struct {
    int n_layers;                /* hidden layers */
    int units[MODEL_MAX_LAYERS]; /* per hidden layer */
    int dead[MODEL_MAX_LAYERS];
    int total_units, total_dead;
    double share; /* total_dead / total_units; 0 without hidden layers */
} DeadUnits;

/* Bytes of scratch dead_units_count needs: the hidden units of m. */
size_t dead_units_scratch_bytes(const Model *m);
/* Runs x (n, d) through m in chunks (no dropout) and counts the units dead
 * on all n rows (none when n is 0: nothing was seen).  Cost: n forward rows.  Afterwards m->a[l+1]
 * holds layer l's activations for the last chunk (see layer_activations).  Thread: the model's. */
void dead_units_count(Model *m, const float *x, size_t n, unsigned char *scratch, DeadUnits *out);
/* Layer l's outputs from the last forward (0-based dense layer; the last is
 * the output layer) and their count (rows · units): what to histogram for the
 * activation view.  Valid until the next forward. */
const float *layer_activations(const Model *m, int layer, size_t *count);

/* ------------------------------------------------------------------------ */
/* Confusion matrix, regression pairs                                        */
/* ------------------------------------------------------------------------ */

/* Predictions for every row of ds in chunks (no dropout): pred_class (n) for
 * classification or pred_value (n, in the model's target units) for
 * regression; the other may be NULL.  Cost: n forward rows.  Thread: the
 * model's. */
void predict_dataset(Model *m, const Dataset *ds, int *pred_class, float *pred_value);

/* counts (k, k), row = true class, column = predicted, overwritten.  Rows
 * whose label or prediction lies outside [0, k) are skipped; returns how many.
 * Any thread. */
size_t confusion_count(const int *truth, const int *pred, size_t n, int k, size_t *counts);
/* Per class: precision = tp / predicted, recall = tp / actual, NAN when the
 * denominator is 0.  Returns the accuracy (trace / total; NAN when empty).
 * precision and recall may be NULL.  Any thread. */
double confusion_scores(const size_t *counts, int k, double *precision, double *recall);

/* pairs (n, 2): (actual, predicted) per row of a regression dataset, both in
 * the label's units (undoing the session's target standardization when
 * ds->target_scale is not 0).  Cost: n forward rows.  Thread: the model's. */
void regression_pairs(Model *m, const Dataset *ds, float *pairs);

/* ------------------------------------------------------------------------ */
/* Diagnosis                                                                 */
/* ------------------------------------------------------------------------ */

typedef enum {
    DIAG_HEALTHY,
    DIAG_NOT_FINITE,    /* a loss is NaN or infinite */
    DIAG_LOSS_SPIKE,    /* one step's loss jumped by DIAG_SPIKE_RATIO or more, and the
                           steps after it stayed up */
    DIAG_LOSS_RISING,   /* training loss rose DIAG_RISE_EPOCHS epochs running, or
                           by DIAG_DRIFT_MIN over the last 5, beyond its wobble */
    DIAG_OVERFITTING,   /* validation loss rising while training loss falls */
    DIAG_DEAD_UNITS,    /* many ReLU units never fire */
    DIAG_STOPPED_EARLY, /* early stopping ended the run with the first epoch the best */
    DIAG_AT_CHANCE,     /* no better than always guessing from the class shares */
    DIAG_PLATEAU,       /* training loss flat, far from converged */
    DIAG_UNDERFITTING,  /* training and validation scores both low and close */
    DIAG_OVERCONFIDENT, /* a loss above guessing's though most answers are right */
} DiagnosisKind;

/* The rules' thresholds. */
#define DIAG_SPIKE_RATIO 10.0  /* a point >= this × the median of the previous ones */
#define DIAG_SPIKE_HISTORY 8   /* previous points the median is taken over */
#define DIAG_SPIKE_AFTER 16    /* points after a spike whose median ... */
#define DIAG_SPIKE_LEVEL 3.0   /* ... is at least this × the median ... */
#define DIAG_SPIKE_BEFORE 32   /* ... of this many points before it */
#define DIAG_SPIKE_WINDOW 32   /* only the newest points are checked (for a spike: */
                               /* those before the last DIAG_SPIKE_AFTER) */
#define DIAG_SPIKE_FLOOR 0.05  /* losses below this never count as a spike, nor as up after it */
#define DIAG_RISE_EPOCHS 3     /* consecutive rises of the training loss */
#define DIAG_RISE_MIN 0.10     /* ... adding up to at least this fraction */
#define DIAG_RISE_NOISE 5.0    /* ... and to this many times the loss's epoch-to-epoch wobble */
#define DIAG_RISE_FLOOR 0.02   /* ... and to this much loss (3 and 10): near 0, noise */
#define DIAG_NOISE_EPOCHS 20   /* epochs before a rise its wobble is measured over */
#define DIAG_DRIFT_MIN 0.02    /* a rise over the last 5 epochs that is not healthy */
#define DIAG_OVERFIT_EPOCHS 5  /* epochs since the best validation loss */
#define DIAG_OVERFIT_MIN 0.02  /* validation now this fraction above its best */
#define DIAG_OVERFIT_NOISE 3.0 /* ... and this many times its wobble over the last 20 epochs */
#define DIAG_DEAD_SHARE 0.25   /* share of dead ReLU units */
#define DIAG_PLATEAU_EPOCHS 10 /* epochs of training loss within ... */
#define DIAG_PLATEAU_REL 0.01  /* ... this fraction of their mean */
#define DIAG_CONVERGED 0.99    /* accuracy (or r2) at which flat is finished, not stuck */
#define DIAG_EARLY_FALL 0.02   /* training loss this fraction below epoch 1's: still learning */
#define DIAG_SLOW_FALL 0.01    /* ... falling less than this fraction per epoch: slowly */
#define DIAG_FALL_EPOCHS 10    /* underfitting: epochs a fall is measured over ... */
#define DIAG_STILL_FALL 0.002  /* ... falling this fraction per epoch: still learning */
#define DIAG_CHANCE_EPOCHS 5   /* epochs before a run may be called at chance */
#define DIAG_CHANCE_SE 2.0     /* accuracy within this many standard errors of the chance rate */
#define DIAG_CHANCE_LOSS 0.05  /* loss above the chance loss less this fraction */
#define DIAG_UNDERFIT_EPOCHS 10
#define DIAG_UNDERFIT_ACC 0.80  /* training accuracy below this ... */
#define DIAG_UNDERFIT_R2 0.50   /* ... or r2 below this ... */
#define DIAG_UNDERFIT_GAP 0.05  /* ... with validation within this of it */
#define DIAG_FIT_LOSS 0.10      /* overfitting: training loss this far below the chance loss */
#define DIAG_RIGHT_SHARE 0.5    /* overconfident: accuracy this share of the way from chance to 1 */
#define DIAG_CONFIDENT_LOSS 2.0 /* ... and a loss at least this many times the chance loss */

/* What a classifier scores on a set of rows by always giving the same
 * answer, from the set's own class counts: the reference a model that
 * learned nothing sits at. */
typedef struct {
    size_t n;        /* rows counted; 0: unknown (the rules that need it stay silent) */
    double accuracy; /* the largest class's share: always guessing that class */
    /* The entropy of the class shares p_k, -Σ p_k·ln p_k in nats: the mean
     * cross-entropy (or binary cross-entropy) of predicting those shares for
     * every row, the lowest loss any constant prediction reaches on these
     * rows.  ln K for K balanced classes. */
    double loss;
} ChanceLevel;

/* The chance level of rows with counts (k) per class.  Any thread. */
void chance_level(const size_t *counts, int k, ChanceLevel *out);

typedef struct {
    const EpochMetrics *history; /* (n_epochs), oldest first; may be NULL when 0 */
    int n_epochs;
    bool classification; /* accuracy fields are meaningful; else mae/r2 */
    /* Recent training losses, oldest first (per batch, or the snapshot's
     * step_loss buckets); may be NULL. */
    const float *step_loss;
    int n_steps;
    double dead_share; /* dead ReLU share in [0, 1] (ReLU networks only), < 0 unknown */
    double lr;         /* the rate in force; <= 0 takes the last epoch's */
    double lr_next;    /* the rate the next batch trains at (a change made since); <= 0: lr */
    /* Classification: the chance levels of the training and validation
     * rows (n == 0 when unknown or for regression). */
    ChanceLevel chance, val_chance;
    /* Early stopping: whether it ended the run, the best epoch it kept
     * (0 unknown), its patience and the monitored quantity's name (NULL:
     * "the monitored value"). */
    bool early_stopped;
    int best_epoch;
    int patience;
    const char *monitor;
    /* The run diverged and was taken up again (the dashboard goes back to
     * the last finite weights): a higher rate is no advice for it. */
    bool diverged;
} DiagnosisInput;

/*
 * One plain-language sentence about the run into msg (cap bytes, UTF-8,
 * always terminated), with the numbers that triggered it.  The first rule
 * that fires wins, in this order (most urgent, most specific first):
 *   1 DIAG_NOT_FINITE   the last epoch's loss, or one of the newest
 *                       DIAG_SPIKE_WINDOW + DIAG_SPIKE_AFTER step losses
 *                       (those rule 2 reads), is NaN/inf (a rate that is inf
 *                       in float32 named so, and too high whatever the
 *                       inputs);
 *   1b the rate the next batch trains at (lr_next, else lr, else the last
 *                       epoch's) as float32 holds it
 *                       (optimizer_lr_float): inf is DIAG_NOT_FINITE (the
 *                       next step diverges), 0 or subnormal DIAG_PLATEAU (no
 *                       weight can move), whatever the curves show;
 *   2 DIAG_LOSS_SPIKE   among the newest DIAG_SPIKE_WINDOW step losses before
 *                       the last DIAG_SPIKE_AFTER, one
 *                       >= DIAG_SPIKE_FLOOR and DIAG_SPIKE_RATIO × the median
 *                       of the DIAG_SPIKE_HISTORY before it, whose next
 *                       DIAG_SPIKE_AFTER losses have a median DIAG_SPIKE_LEVEL
 *                       times or more that of the DIAG_SPIKE_BEFORE before
 *                       it (when that median is 0, the sentence says where
 *                       they went "from 0") and DIAG_SPIKE_FLOOR or more:
 *                       the step threw the weights off, and the loss
 *                       stayed up.  One hard batch jumps as far and leaves
 *                       the steps after it where they were: a converged
 *                       model's batches lie mostly between 0.01 and 0.1
 *                       and now and then one far above (the spiral at its
 *                       preset, epoch 188: ×14 in one step, 0.0174 ->
 *                       0.237, the next 16 steps ×1.4); over 1200 runs of 10 datasets, 4 optimizers
 *                       and rates from fine to far too high, the jump alone
 *                       spoke at the end of 20 % of the epochs of runs
 *                       that ended well (29 % at batch 8), the jump that
 *                       stays up at 2.7 % (4.3 %), and all but one of 310
 *                       runs that diverged, ended far above their best or
 *                       tripled an epoch's loss were still called too high
 *                       by one rule or another.  make diagnose-replay (bench/)
 *                       asks at every epoch and every 16 batches: before
 *                       DIAG_SPIKE_FLOOR bounded the steps after it, the
 *                       rule spoke at some moment in 67 of its 482 runs
 *                       that ended well (a model at 0.007 whose batches
 *                       after a hard one sat at 0.02), after it in 23;
 *   3 DIAG_LOSS_RISING  training loss rose on each of the last
 *                       DIAG_RISE_EPOCHS epochs, by DIAG_RISE_MIN in all
 *                       and DIAG_RISE_FLOOR of loss or more (near 0 a loss
 *                       moves by large fractions of itself: gauss at Adam's
 *                       0.01, 0.00843 -> 0.00976, ended at its best),
 *                       and by DIAG_RISE_NOISE times its wobble or more:
 *                       over the DIAG_NOISE_EPOCHS epochs before the rise,
 *                       the median distance of the epoch-to-epoch changes
 *                       from their median (a steady fall is no wobble).
 *                       Mini-batch noise climbs three epochs running too
 *                       (spiral at Adam's 0.03: 0.0721 -> 0.0804 while its
 *                       loss was a tenth of the first epoch's, 2 wobbles);
 *                       a rate too high climbs 10 to 170 wobbles;
 *   3b DIAG_OVERCONFIDENT classification, the chance levels known: the last
 *                       epoch's training (or validation) loss is at least
 *                       DIAG_CONFIDENT_LOSS times the chance loss while its
 *                       accuracy is more than
 *                       DIAG_RIGHT_SHARE of the way from the chance accuracy
 *                       to 1: most answers are right and a few are wrong
 *                       with enormous confidence, the logits grown huge - a
 *                       rate too high, whatever the validation loss does
 *                       (digits at Adam's lr 0.3: validation accuracy 0.96,
 *                       its loss 111 against guessing's 2.30, training loss
 *                       2.6 to 14 at accuracy 0.99, which rule 4 called
 *                       overfitting);
 *   4 DIAG_OVERFITTING  the best validation loss is DIAG_OVERFIT_EPOCHS or
 *                       more epochs old, the last is DIAG_OVERFIT_MIN above it
 *                       and DIAG_OVERFIT_NOISE times the validation loss's
 *                       wobble (as 3's) over the last DIAG_NOISE_EPOCHS
 *                       epochs, and training loss is lower than at that best
 *                       epoch - a small validation part's best is one of its
 *                       low wobbles (spiral at its preset, 100 rows: 0.133
 *                       -> 0.143, one wobble, and a new best 0.118 later);
 *                       not while the last epoch underfits as rule 9 says
 *                       (whatever the epoch count), nor, the chance levels
 *                       known, while its training loss is less than
 *                       DIAG_FIT_LOSS below the chance loss and its
 *                       validation loss less than DIAG_CHANCE_LOSS above it:
 *                       a model that has learned nothing has nothing to
 *                       overfit with, and a validation loss a few percent
 *                       above its best is the noise of a small validation
 *                       part; nor while the last epoch's validation
 *                       accuracy (r2) is more than DIAG_UNDERFIT_GAP above
 *                       the training one: it fits its training rows no
 *                       better than the others;
 *   5 DIAG_DEAD_UNITS   dead_share >= DIAG_DEAD_SHARE;
 *   6 DIAG_STOPPED_EARLY early stopping ended the run and its best epoch is
 *                       the first: the monitored value never improved.  The
 *                       advice follows the training loss since epoch 1: still
 *                       falling (by DIAG_EARLY_FALL) - more patience, and a
 *                       higher rate too when it fell by less than
 *                       DIAG_SLOW_FALL per epoch; rising - a lower rate; flat -
 *                       a higher rate.  After a divergence (diverged) no
 *                       higher rate: falling - more patience alone; flat - a
 *                       rate between the one that diverged and this one.
 *                       Says so when it is also at chance (7);
 *   7 DIAG_AT_CHANCE    after DIAG_CHANCE_EPOCHS, the last epoch's validation
 *                       figures (the training ones without validation) are
 *                       no better than guessing: accuracy within
 *                       DIAG_CHANCE_SE standard errors, sqrt(a(1-a)/n), of the
 *                       chance accuracy a, and loss above the chance loss
 *                       less DIAG_CHANCE_LOSS of it.  Both must hold: a loss
 *                       well below chance means the model learned the class
 *                       probabilities even where its answers stay those of
 *                       the largest class.  When, besides, the validation
 *                       loss is DIAG_CHANCE_LOSS or more above the chance
 *                       loss while the training loss is DIAG_FIT_LOSS or
 *                       more below it, it is DIAG_OVERFITTING instead: the
 *                       model learns its training rows only.  Its validation
 *                       loss (with a validation part) or else its training
 *                       loss DIAG_CONFIDENT_LOSS times the chance loss or more
 *                       is a rate too high, not one too low.  A training loss
 *                       falling by DIAG_SLOW_FALL per epoch over the last 5
 *                       is "not learning yet"; by less but still clearly,
 *                       as 9 tells, "falling slowly" (more epochs or a
 *                       higher rate).  After a divergence (diverged) no
 *                       higher rate: more epochs alone, or, not
 *                       learning, a rate between the one that diverged
 *                       and this or a larger network;
 *   8 DIAG_PLATEAU      the last DIAG_PLATEAU_EPOCHS (or more) training losses,
 *                       or every one since the first after DIAG_CHANCE_EPOCHS,
 *                       lie within DIAG_PLATEAU_REL of their mean, while the
 *                       training accuracy (r2) is below DIAG_CONVERGED
 *                       (a higher rate, or after a divergence a rate
 *                       between the one that diverged and this);
 *   9 DIAG_UNDERFITTING after DIAG_UNDERFIT_EPOCHS, training accuracy below
 *                       DIAG_UNDERFIT_ACC (r2 below DIAG_UNDERFIT_R2) with the
 *                       validation one within DIAG_UNDERFIT_GAP of it, and
 *                       the training loss no longer clearly falling: not
 *                       by DIAG_STILL_FALL of itself per epoch over the last
 *                       DIAG_FALL_EPOCHS and over the newest half of them,
 *                       and by DIAG_RISE_NOISE times its wobble (as 3's).
 *                       A run still falling so is not underfitting yet
 *                       (the spiral at its preset, epoch 58 of 1000:
 *                       accuracy 0.765 and 0.73, the loss down 0.06 in 10
 *                       epochs through a wobble of 0.009, and 0.90 by
 *                       epoch 70);
 *  10 DIAG_LOSS_RISING  the training loss of the last epoch is DIAG_DRIFT_MIN
 *                       or more above that of 5 epochs before (fewer
 *                       early on) and DIAG_RISE_FLOOR or more, and
 *                       DIAG_RISE_NOISE times its wobble before them (as
 *                       3): not every epoch rose, or by less than 3 needs,
 *                       but a rising loss is not healthy;
 *     DIAG_HEALTHY      none of the above ("too early to tell" before a
 *                       second epoch: one batch or epoch shows no trend;
 *                       "no trend" when the loss is up over the last 5
 *                       epochs within its wobble; "still improving" when
 *                       the scores are as low as 9 says but the loss still
 *                       falls).
 * Any thread (it reads only in and writes msg).
 */
DiagnosisKind diagnose(const DiagnosisInput *in, char *msg, size_t cap);
/* "healthy", "not_finite", "loss_spike", ... */
const char *diagnosis_name(DiagnosisKind k);

#endif
