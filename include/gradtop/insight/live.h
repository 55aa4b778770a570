/*
 * live.h - the teaching views' data while a run trains: the decision
 * boundary, the gradient estimate (cosine with the full gradient, noise
 * scale, per-layer norms and update ratios, gradcheck), the network's
 * weights, histograms and dead units, and the confusion matrix (or the
 * predicted-against-actual pairs of a regression).
 *
 * While training runs, the expensive part runs on the trainer thread, from
 * the run's on_batch hook (live_on_batch): at most every LIVE_INTERVAL_S
 * seconds of wall time - and never more often than keeps its cost under
 * about LIVE_BUDGET of the training time - it computes what the view the UI
 * asked for needs, into buffers of its own, then copies them into the
 * published block under the Live's mutex.  While training stands still
 * (paused, diverged, ended, or not started), the UI thread does the same
 * work itself (live_idle): it copies the weights from the parked trainer
 * into a model of its own and computes, at once, whatever view it asks for
 * that is not yet of these weights and this request - so that a view
 * switch, a resize, x, p or g shows the current weights in the same frame.
 * The UI thread states what it shows with live_request and copies the
 * published block with live_fetch once per frame.  Everything is allocated
 * by live_create, except the buffers a view creates the first time it is
 * asked for (the gradient probe, the PCA).
 */
#ifndef GRADTOP_TUI_LIVE_H
#define GRADTOP_TUI_LIVE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gradtop/data/dataset.h"
#include "gradtop/core/error.h"
#include "gradtop/nn/gradcheck.h"
#include "gradtop/insight/insight.h"
#include "gradtop/nn/model.h"
#include "gradtop/run/trainer.h"

#define LIVE_INTERVAL_S 0.5 /* the shortest wall time between two computations */
#define LIVE_BUDGET 0.03    /* the share of training time they may take */
#define LIVE_DEAD_S 2.0     /* dead units (for the diagnosis line), every so often */

#define LIVE_GRID_MAX_W 240 /* boundary cells across */
#define LIVE_GRID_MAX_H 160 /* and down (half blocks: twice the text rows) */
#define LIVE_MAX_POINTS 1500
#define LIVE_HIST 120   /* measurements kept for sparklines and distributions */
#define LIVE_NET_MAX 16 /* weight matrices are shown downsampled to this */
#define LIVE_BINS 24    /* histogram bins */
#define LIVE_MAX_CLASSES 32
#define LIVE_SAMPLE_ROWS 512 /* training rows run for dead units and activations */

typedef enum {
    LIVE_NONE,
    LIVE_BOUNDARY,
    LIVE_GRADIENT,
    LIVE_NETWORK,
    LIVE_CONFUSION,
} LiveView;
#define LIVE_VIEWS 5 /* LiveView's values */

/* What the UI shows; set by live_request. */
typedef struct {
    LiveView view;
    int grid_w, grid_h; /* boundary cells */
    int fx, fy;         /* the feature pair; fy -1 with one feature */
    bool pca;           /* the PCA plane instead */
    unsigned gradcheck; /* bumped to ask for a gradcheck */
} LiveRequest;

/* One published picture of the run.  Plain data: copied as a whole. */
typedef struct {
    unsigned long version; /* bumped by every publish */
    long step;             /* the step the newest part was measured at */
    double cost;           /* seconds the last computation took */
    int n_layers;          /* dense layers */
    int n_hidden;          /* hidden layers */
    /* dead units, for the diagnosis line and the network view */
    bool has_dead;
    DeadUnits dead;
    size_t dead_rows;  /* the rows it was counted on */
    double dead_share; /* < 0: not a ReLU network */
    /* decision boundary */
    bool has_boundary;
    long boundary_step;
    BoundaryGrid grid;
    int fx, fy;
    bool pca;
    /* The rows were made by --features from a point's x1 and x2: the map
     * and the points are drawn over x1 (across) and x2 (up), whatever the
     * network's inputs (fx, fy and pca do not apply). */
    bool features_plane;
    double pca_explained; /* share of the variance the plane shows */
    char pca_note[96];    /* why PCA is not available, or "" */
    bool regression;      /* conf holds values, not probabilities */
    int n_classes;
    int cls[LIVE_GRID_MAX_W * LIVE_GRID_MAX_H];
    float conf[LIVE_GRID_MAX_W * LIVE_GRID_MAX_H];
    int n_points;
    float pts[LIVE_MAX_POINTS][2];
    int pt_class[LIVE_MAX_POINTS];
    unsigned char pt_val[LIVE_MAX_POINTS]; /* 1: from the validation part */
    float pt_y[LIVE_MAX_POINTS];           /* regression: the point's target */
    float y_lo, y_hi;                      /* regression: the targets' range, in conf's units */
    /* gradient estimate */
    bool has_grad;
    long grad_step;
    GradReport grad;
    double b_simple_avg; /* of the moving averages; NAN until known */
    int n_grad;          /* measurements in the histories below, newest last */
    double cos_hist[LIVE_HIST];
    double norm_hist[MODEL_MAX_LAYERS][LIVE_HIST];
    double ratio_hist[MODEL_MAX_LAYERS][LIVE_HIST];
    bool has_ratio;
    double ratio[MODEL_MAX_LAYERS];
    /* gradcheck */
    bool has_check;
    unsigned check_seq;
    long check_step;
    int check_rows;
    Activation check_hidden; /* the network's hidden activation, for the kinks' text */
    GradcheckReport check;
    Error check_error; /* why the last check could not run (code ERROR_NONE: it ran) */
    /* network */
    bool has_net;
    long net_step;
    int sizes[MODEL_MAX_LAYERS + 1];
    int net_rows[MODEL_MAX_LAYERS], net_cols[MODEL_MAX_LAYERS];
    float net_w[MODEL_MAX_LAYERS][LIVE_NET_MAX * LIVE_NET_MAX]; /* block means of W */
    float net_scale[MODEL_MAX_LAYERS];                          /* max |block mean| */
    float unit_b[MODEL_MAX_LAYERS][LIVE_NET_MAX]; /* per shown unit: block mean of b */
    int n_dist;                                   /* distributions kept, newest last */
    double wdist[MODEL_MAX_LAYERS][LIVE_HIST][HIST_N_BPS];
    double adist[MODEL_MAX_LAYERS][LIVE_HIST][HIST_N_BPS];
    size_t whist[MODEL_MAX_LAYERS][LIVE_BINS], ahist[MODEL_MAX_LAYERS][LIVE_BINS];
    float wlo[MODEL_MAX_LAYERS], whi[MODEL_MAX_LAYERS], alo[MODEL_MAX_LAYERS],
        ahi[MODEL_MAX_LAYERS];
    /* confusion matrix (classification) or pairs (regression) */
    bool has_conf;
    long conf_step;
    bool conf_on_val; /* false: on the training part (no validation part) */
    int k;            /* classes counted; 0 when there are more than LIVE_MAX_CLASSES */
    size_t n_rows;
    size_t counts[LIVE_MAX_CLASSES * LIVE_MAX_CLASSES];
    double precision[LIVE_MAX_CLASSES], recall[LIVE_MAX_CLASSES];
    double accuracy;
    int n_pairs;
    float pairs[LIVE_MAX_POINTS][2];
} LiveData;

typedef struct Live Live;

/* Buffers for m (the trainer's model, used only from its thread afterwards)
 * on train and val (val may be empty), and a model of m's shape for
 * live_idle.  UI thread, before the trainer thread starts. */
ErrorCode live_create(Live **out, Model *m, const Dataset *train, const Dataset *val, uint64_t seed,
                      Error *err);
/* After the trainer thread has been joined. */
void live_destroy(Live *l);

/* Trainer thread: the on_batch hook. */
void live_on_batch(Live *l, const BatchInfo *b);

/* The run's data changed (the on_data hook of TRAINER_SET_DATA, on the
 * trainer thread, before the change is answered): from now on the views
 * are computed from train and val, the PCA plane is fitted again, and
 * nothing computed from the old data is published again (the boundary's
 * points, the confusion matrix, a gradcheck: they are computed anew at the
 * next batch, or by live_idle at once).  The old data may be freed once
 * this has returned. */
void live_set_data(Live *l, const Dataset *train, const Dataset *val);

/* UI thread: what to compute; and a copy of what was published into out
 * when it is newer than out (returns whether it was). */
void live_request(Live *l, const LiveRequest *r);
bool live_fetch(Live *l, LiveData *out);
/* UI thread, each frame before live_fetch: when t (the trainer m belongs
 * to) stands still (trainer_copy_weights), brings what the request asks
 * for up to date with its weights at once - the view asked for when the
 * weights or (for the boundary) the picture changed since it was last
 * computed here, a gradcheck asked for, the dead units - and publishes
 * it.  Returns whether it published.  Does nothing while t runs a batch,
 * or while the trainer thread is computing after one. */
bool live_idle(Live *l, Trainer *t);

#endif
