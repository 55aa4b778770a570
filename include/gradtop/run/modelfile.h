/*
 * modelfile.h - model.gtm: a trained network and everything needed to use
 * it (architecture, normalization, feature and class names, the run's
 * options), versioned, checksummed and written atomically.
 *
 * A SavedModel returned by modelfile_load owns all its memory (free with
 * modelfile_free).  Saving borrows a live Model, an optional Optimizer and a
 * ModelInfo.  Any thread may call these functions on values it owns; two
 * threads must not save to the same path at once (the temporary file is
 * named after the process).  Nothing here prints.
 *
 * File layout (format version 1).  All integers little-endian; f32 is an
 * IEEE-754 binary32, f64 a binary64; str is a u32 byte length followed by
 * that many bytes (UTF-8, no terminating NUL, no NUL inside).
 *
 *   offset  size  field
 *   0       8     magic "GTMODEL\0"
 *   8       4     u32 format version = 1
 *   12      4     u32 number of sections that follow
 *   16      ...   sections, each:
 *                   u32 section id
 *                   u32 reserved = 0
 *                   u64 payload size in bytes
 *                   payload
 *   end-4   4     u32 CRC-32C (Castagnoli) of every byte before it
 *
 * Sections, written in this order; 1 to 5 are required, the others
 * optional, each at most once; a reader skips ids it does not know:
 *
 *   1 SHAPE      u32 n_layers (dense layers, 1 .. MODEL_MAX_LAYERS)
 *                u32 sizes[n_layers + 1]   inputs, hidden..., outputs
 *                u32 hidden activation     (Activation enum; 0xFFFFFFFF: each
 *                                          layer its own, in section 12)
 *                u32 output kind           (OutputKind: 0 softmax, 1 sigmoid, 2 linear)
 *                u32 loss                  (LossKind, never LOSS_AUTO)
 *   2 DATA       u32 task                  (0 classification, 1 regression)
 *                str label column name     (< 128 bytes)
 *                u32 d                     feature count = sizes[0]
 *                str feature_names[d]
 *                u32 n_classes             (0 for regression)
 *                str class_names[n_classes]
 *   3 NORMALIZER u32 kind                  (NormalizeKind)
 *                u32 nd                    d, or 0 with kind none
 *                f32 shift[nd]
 *                f32 scale[nd]             x' = (x - shift) * scale
 *   4 CONFIG     the run's options as options_to_config text (the whole
 *                payload, no length prefix), loadable with --config
 *   5 PARAMS     u64 n_params              = sum over layers of n_out*(n_in+1)
 *                f32 params[n_params]      the Model's params block: per layer
 *                                          W (n_out, n_in) row-major, then b
 *   6 OPTIMIZER  u32 kind                  (OptimizerKind)
 *                u32 reserved = 0
 *                i64 t                     updates applied
 *                u64 n                     = n_params
 *                f32 state[3 * n]          the Optimizer's state block
 *   7 PROGRESS   u32 epochs                epochs completed when saved
 *                u32 reserved = 0
 *                i64 step                  batches done when saved
 *                f64 wall_time             when saved, seconds since the Unix epoch
 *   8 TARGET     f64 shift, f64 scale      regression only: the targets were
 *                                          trained as (y - shift) * scale
 *   9 KEPT       u32 epoch                 the epoch whose weights PARAMS
 *                u32 reserved = 0          holds (written when known; a reader
 *                                          without it finds the epoch otherwise)
 *  10 MEANS      u32 d                     = the DATA section's d
 *                f32 mean[d]               each feature's mean over the training
 *                                          file, in its own units: what predict
 *                                          fills a missing value with under
 *                                          --missing mean (CSV data only)
 *  11 RESUME     the rest of a run's state at the end of the epoch PROGRESS
 *                gives (checkpoint.gtm; TrainState in trainer.h):
 *                u32 best_epoch, u32 wait, u32 plateau_wait, u32 reserved = 0
 *                f64 best_value, f64 plateau_best, f64 plateau_scale
 *                u64 shuffle[4], u64 dropout[4]  the generators (xoshiro256**)
 *                the best epoch's metrics: u32 has_val, u32 reserved = 0,
 *                  i64 step, f64 wall_time, seconds, loss, accuracy, mae, r2,
 *                  val_loss, val_accuracy, val_mae, val_r2, lr
 *                u64 n_rows, u32 perm[n_rows]    the row order, a permutation
 *                u64 n_best (0 or n_params), f32 best_params[n_best]
 *  12 ACTIVATIONS u32 n                    = n_layers - 1, the hidden layers
 *                u32 act[n]                each hidden layer's (Activation);
 *                                          written, and required, exactly when
 *                                          SHAPE's is 0xFFFFFFFF: after a network
 *                                          edit gave layers different ones
 *                                          (reshape.h), so that a reader that
 *                                          does not know this section refuses
 *                                          the file instead of misreading it
 *
 * Loading refuses anything but a regular file (a named pipe is opened
 * without waiting for a writer), then reads the header before anything
 * else: the magic, the version, the section count; then every section
 * header, which must fill the file exactly (a file larger than its
 * sections declare is refused unread) with no section larger than it can
 * hold (the weights and optimizer state no larger than the shape needs);
 * only then the payloads.  It checks every count against fixed limits
 * and against the bytes left before allocating, every enum, the
 * consistency of sizes (sizes[0] == d, outputs against the task and class
 * count, n_params against sizes), that every weight, optimizer state
 * value, normalizer statistic and mean is finite, and the checksum; any
 * failure is ERROR_INPUT "PATH: what is wrong".
 */
#ifndef GRADTOP_MODELFILE_H
#define GRADTOP_MODELFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gradtop/data/dataset.h"
#include "gradtop/core/error.h"
#include "gradtop/nn/model.h"
#include "gradtop/nn/optimizer.h"
#include "gradtop/run/prepared.h"
#include "gradtop/run/trainer.h"

#define MODELFILE_MAGIC "GTMODEL"
#define MODELFILE_VERSION 1u
/* Limits checked on load. */
#define MODELFILE_MAX_BYTES (16ull << 30) /* the whole file */
#define MODELFILE_MAX_NAME 4096           /* a feature or class name */
#define MODELFILE_MAX_CONFIG (1u << 20)   /* the config text */

enum {
    MODELFILE_SECTION_SHAPE = 1,
    MODELFILE_SECTION_DATA = 2,
    MODELFILE_SECTION_NORMALIZER = 3,
    MODELFILE_SECTION_CONFIG = 4,
    MODELFILE_SECTION_PARAMS = 5,
    MODELFILE_SECTION_OPTIMIZER = 6,
    MODELFILE_SECTION_PROGRESS = 7,
    MODELFILE_SECTION_TARGET = 8,
    MODELFILE_SECTION_KEPT = 9,
    MODELFILE_SECTION_MEANS = 10,
    MODELFILE_SECTION_RESUME = 11,
    MODELFILE_SECTION_ACTIVATIONS = 12,
    MODELFILE_SECTION_LAST = 13,
};
/* SHAPE's activation when each hidden layer has its own (section 12). */
#define MODELFILE_ACT_PER_LAYER 0xFFFFFFFFu

/* What a model file holds beyond the weights, borrowed for saving. */
typedef struct {
    Task task;
    const char *label_name;
    int d;
    char *const *feature_names; /* (d); NULL entries are written as "" */
    int n_classes;
    char *const *class_names; /* (n_classes) */
    const Normalizer *nz;     /* may be NULL: kind none */
    const char *config_text;  /* may be NULL: empty */
    int epoch;                /* epochs completed when saved */
    long step;                /* batches done when saved */
    int kept_epoch;           /* the epoch the weights are from; 0: not known */
    double target_shift;      /* regression target standardization; */
    double target_scale;      /* scale 0: none */
    /* (d) each feature's mean in the data's units; NULL (or not all finite): none */
    const float *feature_mean;
    /* the run's state to resume from (checkpoint.gtm); NULL: none.  Its
     * epoch and step, when given, are what PROGRESS records. */
    const TrainState *run_state;
    /* Replaced by temporary and rename only, without the fsyncs: the
     * writer makes the file system durable at its own fixed points
     * (atomicfile.h says what that gives up). */
    bool no_sync;
} ModelInfo;

/* A loaded model file; owns every pointer. */
typedef struct {
    ModelShape shape;
    Task task;
    char label_name[128];
    int d;
    char **feature_names; /* (d) */
    int n_classes;
    char **class_names; /* (n_classes) */
    Normalizer nz;      /* nz.d is d, or 0 (shift, scale NULL) with kind none */
    char *config_text;  /* NUL-terminated, possibly "" */
    size_t n_params;
    float *params; /* (n_params) */
    bool has_opt;
    OptimizerKind opt_kind;
    long opt_t;
    float *opt_state;                  /* (3 * n_params) when has_opt */
    int epoch;                         /* epochs completed when saved (PROGRESS; 0 if absent) */
    int kept_epoch;                    /* the epoch the weights are from (KEPT; 0 if absent) */
    long step;                         /* batches done when saved */
    double wall_time;                  /* when saved */
    double target_shift, target_scale; /* TARGET section; scale 0 when absent */
    float *feature_mean;               /* (d) MEANS section; NULL when absent */
    int n_means;                       /* its count, checked to be d */
    bool per_layer_acts;               /* SHAPE says ACTIVATIONS holds them */
    bool has_acts;                     /* ACTIVATIONS section */
    bool has_state;                    /* RESUME section */
    bool has_last;                     /* LAST section: state.last holds epoch's figures */
    TrainState state;                  /* its epoch and step are PROGRESS's */
} SavedModel;

/* Fills info with borrowed views of the session's data part (names, task,
 * normalizer, feature means); config_text, epoch and step are left for the
 * caller. */
void modelfile_info_from_session(ModelInfo *info, const PreparedData *s);

/*
 * Writes m (and o's state when o is not NULL and all of it finite) with
 * info to path atomically: into "PATH.tmp.PID" beside it, fflush, fsync, rename over
 * path, fsync of the directory (no fsync with info->no_sync).  A crash at
 * any moment leaves either the old file or the new one.  ERROR_INPUT when info does not fit m,
 * ERROR_RUNTIME "PATH: why" on I/O failure (the temporary is removed).
 */
ErrorCode modelfile_save(const char *path, const Model *m, const Optimizer *o,
                         const ModelInfo *info, Error *err);

/* Reads and checks path into sm (zeroed first; left empty on failure, safe
 * to modelfile_free either way). */
ErrorCode modelfile_load(SavedModel *sm, const char *path, Error *err);
void modelfile_free(SavedModel *sm);

/* Creates a live Model of sm's shape with workspace for batch rows and
 * sm's parameters. */
ErrorCode modelfile_build_model(const SavedModel *sm, Model *m, int batch, Error *err);

/*
 * Matches ds's feature columns to sm's by name when ds came with a header
 * (ds->header_line > 0): the same names in another order are put in the
 * model's order; other names are ERROR_INPUT naming the file, the column
 * and the name the model expects there.  Without a header, or when the
 * model's names are the x0, x1, ... of a file that had none, columns are
 * taken by position.  A feature count that differs is left for
 * modelfile_prepare_dataset to explain.
 */
ErrorCode modelfile_match_features(const SavedModel *sm, Dataset *ds, Error *err);

/*
 * Makes ds ready for sm: matches its feature columns (modelfile_match_features),
 * checks its feature count, maps its class names onto
 * the model's class indices (an unknown class is ERROR_INPUT naming it),
 * normalizes the features with the stored statistics and standardizes
 * regression targets as in training.  An unlabeled ds (label_column -1)
 * only gets its features normalized.
 */
ErrorCode modelfile_prepare_dataset(const SavedModel *sm, Dataset *ds, Error *err);

#endif
