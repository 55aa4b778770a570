/*
 * trainer.h - the training loop and its control interface.
 *
 * A Trainer owns the model, the optimizer and the batch buffers.  One thread
 * (the trainer thread) calls trainer_run(); it is then the only thread that
 * touches the model or calls BLAS.  Any other thread (the dashboard, a
 * signal-handling thread) drives it through the control calls below, which
 * take the trainer's mutex, queue the request and signal its condition
 * variable; requests are applied between batches, never mid-batch.  The same
 * threads read progress through trainer_snapshot(), a copy taken under the
 * mutex.  Hooks run on the trainer thread, outside the mutex.
 */
#ifndef GRADTOP_TRAINER_H
#define GRADTOP_TRAINER_H

#include <stdbool.h>
#include <stddef.h>

#include "gradtop/data/dataset.h"
#include "gradtop/core/error.h"
#include "gradtop/nn/model.h"
#include "gradtop/nn/optimizer.h"
#include "gradtop/run/options.h"
#include "gradtop/core/rng.h"

typedef enum {
    TRAIN_RUNNING,
    TRAIN_PAUSED,
    TRAIN_EARLY_STOPPED,
    TRAIN_DIVERGED,
    TRAIN_DONE,    /* completed every epoch */
    TRAIN_STOPPED, /* stopped by request (key s, SIGINT) */
} TrainStatus;

const char *train_status_word(TrainStatus s); /* "RUNNING", "PAUSED", ... */
const char *train_status_key(TrainStatus s);  /* "completed", "early_stopped", ... */
/* Training has ended: neither running nor paused. */
bool train_status_ended(TrainStatus s);

/* Metrics of one epoch.  Classification fills accuracy, regression mae and
 * r2; has_val is false with --val-split 0. */
typedef struct {
    int epoch;        /* 1-based */
    long step;        /* global batch count at the end of the epoch */
    double wall_time; /* seconds since the Unix epoch */
    double seconds;   /* duration of the epoch */
    double loss, accuracy, mae, r2;
    bool has_val;
    double val_loss, val_accuracy, val_mae, val_r2;
    double lr;
} EpochMetrics;

typedef enum {
    EVENT_START,
    EVENT_PAUSE,
    EVENT_RESUME,
    EVENT_STEP,
    EVENT_CHANGE,   /* a hyperparameter changed: text says old -> new */
    EVENT_SCHEDULE, /* the schedule changed the learning rate */
    EVENT_EARLY_STOP,
    EVENT_DIVERGED,
    EVENT_STOP,
    EVENT_RESTORE, /* best weights restored */
    EVENT_END,
} EventKind;

typedef struct {
    EventKind kind;
    long step;
    int epoch;
    double wall_time;
    char text[192];
} TrainEvent;

/* The hyperparameters that may change while training runs. */
typedef struct {
    OptimizerParams opt; /* includes kind and lr */
    int batch_size;
    double l1, l2, dropout;
    int patience;
} HyperParams;

/* What one batch used, reported after it ran. */
typedef struct {
    long step; /* 1-based global batch number */
    int epoch; /* 0-based */
    int rows;  /* rows in this batch */
    double lr; /* the rate applied (schedule included) */
    double loss;
    HyperParams hp; /* the hyperparameters in force for the whole batch */
} BatchInfo;

/*
 * What a run needs besides its options, weights and optimizer state to go
 * on exactly where it was at the end of an epoch: the data order and the
 * random generators, the early-stopping and schedule state.  Saved in
 * checkpoint.gtm (modelfile.h) and given back with trainer_restore.  The
 * arrays are borrowed when a hook hands it out, owned by the SavedModel
 * when loaded.
 */
typedef struct {
    int epoch;          /* epochs done */
    long step;          /* batches done */
    size_t n_rows;      /* training rows: perm's length */
    int *perm;          /* (n_rows) the row order of the last epoch, which the next one shuffles */
    Rng shuffle;        /* the data order's generator */
    Rng dropout;        /* dropout's generator */
    int best_epoch;     /* early stopping: the best epoch so far, 0 before any */
    int wait;           /* epochs since it */
    double best_value;  /* the monitored value there */
    EpochMetrics best;  /* its metrics */
    size_t n_best;      /* n_params when best_params is given, else 0 */
    float *best_params; /* the best epoch's weights under --restore-best when
                           they are not the checkpoint's own (best_epoch < epoch) */
    double plateau_best, plateau_scale; /* reduce-on-plateau (Schedule) */
    int plateau_wait;
} TrainState;

typedef struct {
    void *ctx;
    /* Optional, after every batch; keep it cheap. */
    void (*on_batch)(void *ctx, const BatchInfo *b);
    void (*on_epoch)(void *ctx, const EpochMetrics *m);
    void (*on_event)(void *ctx, const TrainEvent *e);
    /* The kept weights changed (new best, or the end); save them if wanted.
     * kept_epoch: the epoch they are from, 0 when not known (the initial
     * weights, or a resumed run's loaded ones that no epoch replaced). */
    void (*on_checkpoint)(void *ctx, const Model *m, const Optimizer *o, int kept_epoch);
    /* The state to go on from (train --resume) changed: after every epoch,
     * and once more with last set when the run ends.  m and o hold the
     * weights and optimizer state at the end of epoch s->epoch (a run
     * stopped or diverged in a later epoch gives that epoch's end). */
    void (*on_state)(void *ctx, const Model *m, const Optimizer *o, const TrainState *s, bool last);
} TrainerHooks;

/* Final figures, of the kept weights. */
typedef struct {
    TrainStatus status;
    int epochs;        /* epochs run */
    long steps;        /* batches run, the last one included */
    int best_epoch;    /* 0 when no epoch was scored */
    EpochMetrics kept; /* loss/metrics of the kept weights (epoch = best_epoch) */
    bool has_test;
    double test_loss, test_accuracy, test_mae, test_r2;
} TrainResult;

#define TRAINER_MAX_EVENTS 512
#define TRAINER_MAX_STEP_POINTS 4096

/* What another thread reads.  Allocate the arrays with trainer_snapshot_init. */
typedef struct {
    TrainStatus status;
    Task task;
    int epoch; /* epochs completed */
    int epochs_total;
    long step; /* batches done */
    long steps_per_epoch;
    long batch_in_epoch;
    HyperParams hp;
    double lr; /* the rate in force (schedule applied) */
    double samples_per_sec;
    double elapsed; /* seconds training (pauses excluded) */
    long samples;   /* training rows run through steps in that time */
    double eta;     /* seconds to the last epoch, < 0 unknown */
    int best_epoch;
    double best_value; /* of the monitored quantity */
    char monitor[32];
    int wait; /* epochs without improvement */
    int patience;
    double last_batch_loss;
    Pace pace;         /* in force (trainer_set_pace) */
    char message[256]; /* the divergence explanation, or empty */
    /* per-epoch history */
    int n_epochs, cap_epochs;
    EpochMetrics *history;
    /* training loss per step, averaged into buckets of step_stride steps */
    int n_points;
    long step_stride;
    float *step_loss; /* (TRAINER_MAX_STEP_POINTS) */
    /* events, oldest first (the newest TRAINER_MAX_EVENTS) */
    int n_events;
    TrainEvent *events;
} TrainerSnapshot;

typedef struct Trainer Trainer;

/*
 * Builds a trainer for train (and val, which may be empty, and test, which
 * may be NULL) with the options' model, optimizer and training settings.
 * Datasets must stay alive and unchanged until trainer_destroy.
 * interactive: at the end (done, early stop, divergence) trainer_run waits
 * for trainer_close() instead of returning, so the dashboard can resume a
 * diverged run after lowering the rate; and the options' pace holds, and
 * --paused pauses it before its first batch.
 */
ErrorCode trainer_create(Trainer **out, const Options *o, const Dataset *train, const Dataset *val,
                         const Dataset *test, bool interactive, const TrainerHooks *hooks,
                         Error *err);
void trainer_destroy(Trainer *t);

/*
 * Continues from saved weights (train --resume): params (n_params floats,
 * the model's layout) and, when state is not NULL and kind is the run's
 * optimizer, its state block after opt_t updates.  epochs_done epochs and
 * steps_done batches count as already run; training goes on to the
 * options' epochs.  Before trainer_run only.
 */
ErrorCode trainer_load_state(Trainer *t, const float *params, size_t n_params, const float *state,
                             OptimizerKind kind, long opt_t, int epochs_done, long steps_done,
                             Error *err);

/*
 * After trainer_load_state with a checkpoint's weights and state: the data
 * order, generators, early-stopping and schedule state of s, so that the
 * run goes on as if it had never stopped.  The best epoch's weights are
 * s->best_params, or the loaded weights when s->best_epoch is s->epoch;
 * when the checkpoint has neither, early stopping starts over.  A monitor
 * other than the checkpoint's (monitor: the earlier run's) keeps the best
 * epoch, valued by this run's monitor, with the patience count from 0; so
 * does a run that had stopped early (its count reached this patience).
 * ERROR_INPUT when s does not fit this run's data.  Before trainer_run only.
 */
ErrorCode trainer_restore(Trainer *t, const TrainState *s, const char *monitor, Error *err);

/*
 * For a resumed run whose loaded weights are its kept best (it ran with
 * --restore-best), after trainer_load_state: finds among the earlier
 * epochs' metrics the epoch those weights are, and makes it this run's best
 * so far.  That is kept_epoch (model.gtm's record) when the metrics have
 * it, else the best by the earlier run's monitor and min_delta.  A later
 * epoch is then kept only if it beats that epoch on this run's monitor,
 * and otherwise the loaded weights are restored at the end.  The patience
 * count starts from 0, as a new Keras EarlyStopping does.  Nothing happens
 * without --restore-best or when the monitor has no value in those
 * metrics.  Before trainer_run only.
 */
void trainer_seed_best(Trainer *t, const EpochMetrics *earlier, int n, const char *monitor,
                       double min_delta, int kept_epoch);

/* Runs the loop on the calling thread until the run ends (or, interactive,
 * until trainer_close).  Returns ERROR_NONE for completed, early stopped and
 * stopped runs, ERROR_DIVERGED, or another error. */
ErrorCode trainer_run(Trainer *t, Error *err);
void trainer_result(Trainer *t, TrainResult *r);
/* The result line's pairs (docs/guide.md "Headless output") without "result: "
 * and run=: status, epochs, best_epoch, then the kept weights' loss and
 * accuracy (regression: mae and r2), and the val_ and test_ ones when
 * there are such parts.  Returns the length it needed, as snprintf. */
size_t train_result_text(const TrainResult *r, Task task, char *buf, size_t cap);

/* Control, from any thread.  Requests apply at the next batch boundary;
 * of a pause and a resume asked before it, the later holds. */
void trainer_pause(Trainer *t);
void trainer_resume(Trainer *t);
void trainer_toggle_pause(Trainer *t);
/* The status as it will be once the requests made so far are applied (a
 * pause asked for reads TRAIN_PAUSED at once), for keys that decide from
 * the status: a snapshot shows a request only after the next batch. */
TrainStatus trainer_status(Trainer *t);
void trainer_step_once(Trainer *t); /* one batch, while paused */
void trainer_stop(Trainer *t);      /* stop, keeping the best weights */
void trainer_close(Trainer *t);     /* let an interactive trainer_run return */
void trainer_scale_lr(Trainer *t, double factor);
/* Applies every field of hp at the next batch boundary. */
void trainer_set_hparams(Trainer *t, const HyperParams *hp);
void trainer_get_hparams(Trainer *t, HyperParams *hp);
/* The pace of an interactive trainer (options.h), in force from the next
 * batch boundary on; a batch waiting for its due time takes it at once.
 * A headless trainer (interactive false) runs at PACE_MAX whatever it is
 * given at creation, and only this call slows it. */
void trainer_set_pace(Trainer *t, Pace p);
Pace trainer_pace(Trainer *t);
/* The throttle's arithmetic: seconds still to wait before the next batch
 * starts, since_last seconds after the previous one started.  Batches start
 * 1/rate s apart at Nb, and 1/(rate batches_per_epoch) s apart at Ne, so
 * that an epoch's batches are spread evenly over it; 0 at max. */
double pace_delay(Pace p, long batches_per_epoch, double since_last);

ErrorCode trainer_snapshot_init(TrainerSnapshot *s, const Trainer *t, Error *err);
void trainer_snapshot(Trainer *t, TrainerSnapshot *s);
void trainer_snapshot_free(TrainerSnapshot *s);

/* The trainer's model, for the thread that runs it (or after it returned). */
Model *trainer_model(Trainer *t);

/* Evaluates a model on a whole dataset in chunks (no dropout): loss and
 * metrics into m's train fields (loss, accuracy, mae, r2). */
void trainer_evaluate(Model *m, const Dataset *ds, EpochMetrics *out);

#endif
