/*
 * trainer.h - the training loop and its command queue.
 *
 * A Trainer owns the model, the optimizer and the batch buffers.  One thread
 * (the trainer thread) calls trainer_run(); it is then the only thread that
 * touches the model or calls BLAS.  Any other thread (the dashboard, a
 * signal-handling thread, a hook on the trainer thread itself) drives it by
 * sending commands (trainer_send, or the thin wrappers trainer_pause,
 * trainer_stop, ...): each is queued under the trainer's mutex with the next
 * sequence number, and the trainer applies them in that order between
 * batches, never mid-batch, answering each with a TrainerReply (done or
 * refused, the status after it, what it did).  The snapshot reports the
 * last sequence number answered; trainer_await waits for one.  The same
 * threads read progress through trainer_snapshot(), a copy taken under the
 * mutex.  Hooks run on the trainer thread, outside the mutex.
 *
 * Adding a command kind: a TrainerCommandKind, its argument in
 * TrainerCommand's union, its name in trainer_command_names, a case in
 * trainer.c's apply_command (which runs on the trainer thread between
 * batches, with the model its own, and fills the reply; its mode says
 * whether the run trains or waits diverged, and a kind that is a change
 * rather than a control joins the ones apply_command carries over a
 * divergence) and, if the screens call it, a wrapper that fills a
 * TrainerCommand and calls trainer_send.
 */
#ifndef GRADTOP_TRAINER_H
#define GRADTOP_TRAINER_H

#include <stdbool.h>
#include <stddef.h>

#include "gradtop/data/dataset.h"
#include "gradtop/core/error.h"
#include "gradtop/nn/model.h"
#include "gradtop/nn/monitor.h"
#include "gradtop/nn/optimizer.h"
#include "gradtop/nn/reshape.h"
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
    double seconds;   /* the epoch's training time, its pauses left out */
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
    EVENT_WARNING, /* the rate in force left float32's normal range, or came back */
} EventKind;

typedef struct {
    EventKind kind;
    long step;
    int epoch;
    double wall_time;
    char text[256]; /* a divergence's whole explanation too */
} TrainEvent;

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
    EpochMetrics last;  /* epoch's own metrics, which --no-restore-best keeps at the
                           end (last.epoch == epoch), or last.epoch 0 when not known */
    size_t n_best;      /* n_params when best_params is given, else 0 */
    float *best_params; /* the best epoch's weights under --restore-best when
                           they are not the checkpoint's own (best_epoch < epoch) */
    double plateau_best, plateau_scale; /* reduce-on-plateau (Schedule) */
    int plateau_wait;
    HyperParams hp; /* in force at the end of that epoch, live changes included
                       (checkpoint.gtm keeps them in its stored options) */
} TrainState;

/*
 * New data for a run (TRAINER_SET_DATA), built by the sender off the
 * trainer thread (trainrun_change_data: a generated set drawn again with
 * another noise or split).  The parts must have the features, task and
 * classes of the run's, and a validation part exactly when the run has
 * one.  perm and spare are the sender's, train->n ints each, so that the
 * swap allocates nothing: the trainer takes them for its row orders and
 * leaves its old two here in their place; either way the sender frees what
 * perm and spare hold once the command is answered (or the trainer is
 * destroyed).  The sender keeps the struct and the parts alive until then,
 * and the parts for as long as the trainer may read them.
 */
typedef struct {
    const Dataset *train, *val, *test; /* val may be empty, test NULL */
    int *perm, *spare;
    void *owner;    /* handed to on_data: what the parts belong to (a PreparedData) */
    char text[160]; /* what changed, for the event: "noise 0.05 -> 0.3" */
} TrainerData;

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
    /* TRAINER_SET_DATA swapped d's parts in: from the next batch on the
     * run trains on them.  Everything that reads the run's data on the
     * trainer thread (the run log's model info, the teaching views) turns
     * to d's parts here, before the command is answered, so that once the
     * sender has the answer no thread reads the old data any more. */
    void (*on_data)(void *ctx, const TrainerData *d);
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
    /* of those, the batches whose updates divergences undid: the weights
     * have taken step - steps_undone steps */
    long steps_undone;
    long steps_per_epoch; /* at the current batch size */
    long batch_in_epoch;
    long epoch_rows; /* training rows the current epoch has taken so far */
    HyperParams hp;
    double lr;      /* the rate in force (schedule applied) */
    double lr_next; /* the rate the next batch trains at (a change, or the next epoch's) */
    double samples_per_sec;
    double elapsed; /* seconds training (pauses excluded) */
    long samples;   /* training rows run through steps in that time */
    double eta;     /* seconds to the last epoch, < 0 unknown */
    int best_epoch;
    double best_value; /* of the monitored quantity */
    char monitor[32];
    int wait; /* epochs without improvement */
    /* The last batch's loss; while the run stands diverged, the loss that
     * diverged it when that was not finite (the batch's, or its epoch's
     * mean), which the step losses leave out. */
    double last_batch_loss;
    Pace pace;         /* in force (trainer_set_pace) */
    long applied;      /* the sequence number of the last command answered */
    ModelShape shape;  /* the network's, as the edits applied so far left it */
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

/* The figure of m that field names (the monitored one, say). */
double epoch_metrics_value(const EpochMetrics *m, MonitorField field);

/* What changed from a to b as a journal's change line says it ("lr 0.01
 * -> lr 0.02, dropout 0 -> dropout 0.2"; with_batch adds "batch_size 32
 * -> 64") into text (cut to cap); its length as snprintf counts it, 0 when
 * nothing changed. */
size_t trainer_hparams_change(const HyperParams *a, const HyperParams *b, bool with_batch,
                              char *text, size_t cap);

/* ERROR_INPUT when the figure a --monitor name picks is not one of task's
 * (accuracy of a regression, mae or r2 of a classification), naming those
 * that are: every epoch would lack it.  trainer_create checks it. */
ErrorCode trainer_check_monitor(const char *monitor, Task task, Error *err);

typedef struct Trainer Trainer;

/*
 * Builds a trainer for train (and val, which may be empty, and test, which
 * may be NULL) with the options' model, optimizer and training settings.
 * Datasets must stay alive and unchanged until trainer_destroy, or until
 * a TRAINER_SET_DATA that replaces them is answered.
 * interactive (the dashboard and the race screen): a divergence leaves the
 * run open, for its caller to resume or end (trainer_run); the options'
 * pace holds, and --paused pauses it before its first batch.
 */
ErrorCode trainer_create(Trainer **out, const Options *o, const Dataset *train, const Dataset *val,
                         const Dataset *test, bool interactive, const TrainerHooks *hooks,
                         Error *err);
void trainer_destroy(Trainer *t);
/* The bytes trainer_create's memory check counts for o's network on train
 * with a team of `threads` (gradtop sweep checks a whole population at
 * once).  ERROR_INPUT when the network cannot be made. */
/* Gives back the BLAS buffer reservations trainer_create took (its
 * network's and its team's, gemm.h): the caller holds them for the
 * threads that train (a sweep reserves one per slot, and its parked trials
 * multiply nothing). */
void trainer_release_blas(Trainer *t);
ErrorCode trainer_bytes(const Options *o, const Dataset *train, int threads, double *need,
                        Error *err);

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
 * Rebuilds the trainer's network at shape s (a resumed run's, which edits
 * made while it trained may have changed from what its options say),
 * before trainer_load_state gives it its weights.  Nothing happens when s
 * is the network it has.  ERROR_INPUT when s does not take this data's
 * inputs or give its outputs.  Before trainer_run only.
 */
ErrorCode trainer_adopt_shape(Trainer *t, const ModelShape *s, Error *err);

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

/*
 * Population-based training's exploit (gradtop sweep): this run takes
 * donor's weights, optimizer state, step count and optimizer parameters
 * as they were at the end of donor's last epoch, then o's hyperparameters
 * (its hp: the explored ones) as a hyperparameter change.
 * Early stopping starts over from the adopted weights: the next epoch is
 * the new best, so the kept weights are of the adopted line.  The journal
 * gets a change line "exploit: NOTE" and the change's own line.  Called
 * on t's trainer thread between two epochs (from its on_state hook), with
 * donor's trainer thread waiting inside one of its hooks, so that neither
 * changes meanwhile; donor is only read.  ERROR_INPUT when the networks
 * differ in size.
 */
ErrorCode trainer_adopt(Trainer *t, Trainer *donor, const Options *o, const char *note, Error *err);

/*
 * Runs the loop on the calling thread until the run ends or diverges.
 * Returns ERROR_NONE for completed, early stopped and stopped runs (the
 * result is final), ERROR_DIVERGED, or another error.  A divergence puts
 * the weights back to the end of the last finite epoch and the status to
 * TRAIN_DIVERGED; an interactive trainer then leaves the run open, and its
 * caller waits for the user: trainer_wait serves the commands sent
 * meanwhile (a lower rate) until one resumes (call trainer_run again: the
 * same epoch goes on from those weights) or stops it (call trainer_end).
 * A headless trainer ends the run before returning.  Commands sent before
 * the divergence are not carried over it: pause, resume, step and stop
 * are refused, changes are applied.
 */
ErrorCode trainer_run(Trainer *t, Error *err);
/* After trainer_run left a diverged run open: applies the commands as they
 * come, until one resumes the run (true) or stops it (false). */
bool trainer_wait(Trainer *t);
/* Ends a run left open at a divergence (the result, the last state and
 * checkpoint hooks, the end event) and returns ERROR_DIVERGED; nothing for
 * a run that is not open. */
ErrorCode trainer_end(Trainer *t, Error *err);
void trainer_result(Trainer *t, TrainResult *r);
/* The result line's pairs (docs/guide.md "Headless output") without "result: "
 * and run=: status, epochs, best_epoch, then the kept weights' loss and
 * accuracy (regression: mae and r2), and the val_ and test_ ones when
 * there are such parts, each figure as train_figure_text writes it.
 * Returns the length it needed, as snprintf. */
size_t train_result_text(const TrainResult *r, Task task, char *buf, size_t cap);
/* A loss, mae or r2 as the headless lines print it: four decimals, or from
 * a million on four significant digits and an exponent ("5.556e+28"; a
 * diverging loss would otherwise print thirty digits).  Returns b. */
const char *train_figure_text(char b[32], double v);
/* The most train_figure_text's rounding can have moved a figure it printed
 * as v (as read back): half a unit of its last digit.  A reader that
 * compares that text with another file's figures takes its precision from
 * here, not from a copy of it. */
double train_figure_rounding(double v);
/* The same for printf's "%.*g" with digits significant digits: half a unit
 * of the last digit of v (as read back; 0 for 0 and what is not finite). */
double train_rounding_g(double v, int digits);

/* ---- commands, from any thread ---- */

typedef enum {
    TRAINER_PAUSE,
    TRAINER_RESUME, /* also resumes a diverged run (trainer_wait) */
    TRAINER_TOGGLE_PAUSE,
    TRAINER_STEP, /* one batch, while paused */
    TRAINER_STOP, /* stop, keeping the best weights; ends a diverged run */
    TRAINER_SET_HPARAMS,
    TRAINER_SCALE_LR, /* the rate in force times a factor */
    TRAINER_SET_PACE,
    /* a network edit (reshape.h): the model and optimizer are rebuilt at
     * the new shape, and so are the copies the trainer keeps (the end of
     * the last epoch, for a divergence and the checkpoint); early stopping
     * starts over, its best so far being another network's.  Done: an
     * EVENT_CHANGE whose text (the reply's too) says what it did ("layers
     * 8 -> 9: ..."); refused: the reply says why. */
    TRAINER_RESHAPE,
    /* new data (TrainerData): from the next batch on, the run trains on
     * d's parts with the weights and optimizer state it has.  An epoch
     * under way goes on over the new training part, from the same row
     * position in a fresh order of its rows (it ends at once when the new
     * part has no more rows than were taken), so its training figures mix
     * the two; the validation figures at its end are of the new part.  The
     * kept copies (the end of the last epoch) keep their weights.  Early
     * stopping starts over, and so does reduce-on-plateau's count (keeping
     * the reductions made): the best value so far was measured on other
     * data, so the next epoch is the new best, and under --restore-best
     * the weights kept at the end are of an epoch on the new data.  Done:
     * on_data, then an EVENT_CHANGE "data: TEXT" (TEXT also the reply's);
     * refused, nothing changed: data of other features, task or classes,
     * a validation part gained or lost, or out of memory for a larger
     * batch (a batch cut to the old training rows grows back to the batch
     * size, the one allocation a swap may make). */
    TRAINER_SET_DATA,
    /* while paused: the rest of the epoch under way (all of the next one
     * when the last ended), at once whatever the pace, then paused again
     * before the next epoch's first batch.  Done: an EVENT_STEP "to the
     * end of epoch N" (the reply's text too). */
    TRAINER_STEP_EPOCH,
    TRAINER_N_COMMANDS
} TrainerCommandKind;

extern const char *const trainer_command_names[TRAINER_N_COMMANDS];

typedef struct {
    TrainerCommandKind kind;
    union {
        HyperParams hp;    /* TRAINER_SET_HPARAMS: every field, in force from the next batch */
        double factor;     /* TRAINER_SCALE_LR */
        Pace pace;         /* TRAINER_SET_PACE */
        ReshapeEdit edit;  /* TRAINER_RESHAPE */
        TrainerData *data; /* TRAINER_SET_DATA: the sender's, until answered */
        char why[128];     /* TRAINER_STOP: why, for the journal's stop line ("": none) */
    } arg;
} TrainerCommand;

typedef struct {
    long seq; /* the command's sequence number */
    TrainerCommandKind kind;
    bool done;          /* false: refused, and text says why */
    TrainStatus status; /* the status once it was applied */
    char text[192];     /* what it did ("paused", "lr 0.01 -> 0.02"), or why refused */
} TrainerReply;

#define TRAINER_MAX_QUEUE 256  /* commands sent and not yet applied */
#define TRAINER_MAX_REPLIES 64 /* replies kept for trainer_reply */

/* Queues c; returns its sequence number (1, 2, ...), or 0 when the queue
 * is full (TRAINER_MAX_QUEUE unapplied commands).  Commands sent before
 * trainer_run are applied at its first batch boundary (before the first
 * batch); sent once the run has ended, they are refused at once. */
long trainer_send(Trainer *t, const TrainerCommand *c);
/* The reply to command seq once applied (false before, or when it is
 * older than the last TRAINER_MAX_REPLIES). */
bool trainer_reply(Trainer *t, long seq, TrainerReply *r);
/* Waits until command seq is answered and returns trainer_reply's; false
 * at once when no thread is in trainer_run or trainer_wait to answer it
 * (before the run starts, or when a diverged run has not been taken up
 * again), and on the trainer thread (a hook), which would wait for itself.
 * At most one batch and its hooks. */
bool trainer_await(Trainer *t, long seq, TrainerReply *r);

/* Thin wrappers: each sends one command and returns its sequence number. */
long trainer_pause(Trainer *t);
long trainer_resume(Trainer *t);
long trainer_toggle_pause(Trainer *t);
long trainer_step_once(Trainer *t);
long trainer_step_epoch(Trainer *t);
long trainer_stop(Trainer *t);
/* trainer_stop with the reason the journal's stop line gives after where
 * the run stopped ("stopped at the end of epoch 3: pruned by the sweep's
 * asha rule ...").  The first stop applied ends the run, so of several
 * queued, the first one's reason is journaled. */
long trainer_stop_why(Trainer *t, const char *why);
long trainer_scale_lr(Trainer *t, double factor);
long trainer_set_hparams(Trainer *t, const HyperParams *hp);
/* The pace (options.h) from the next batch boundary on; a batch waiting
 * for its due time takes the new one at once.  A headless trainer (not
 * interactive) starts at PACE_MAX whatever its options say; only this
 * command slows it. */
long trainer_set_pace(Trainer *t, Pace p);
long trainer_reshape(Trainer *t, const ReshapeEdit *e);
long trainer_set_data(Trainer *t, TrainerData *d);

/* The status now: commands not yet applied do not count. */
TrainStatus trainer_status(Trainer *t);
/* The hyperparameters and the pace in force. */
void trainer_get_hparams(Trainer *t, HyperParams *hp);
Pace trainer_pace(Trainer *t);

/* The throttle's arithmetic: seconds still to wait before the next batch
 * starts, since_last seconds after the previous one started.  Batches start
 * 1/rate s apart at Nb, and 1/(rate batches_per_epoch) s apart at Ne, so
 * that an epoch's batches are spread evenly over it; 0 at max. */
double pace_delay(Pace p, long batches_per_epoch, double since_last);

ErrorCode trainer_snapshot_init(TrainerSnapshot *s, const Trainer *t, Error *err);
void trainer_snapshot(Trainer *t, TrainerSnapshot *s);
void trainer_snapshot_free(TrainerSnapshot *s);

/*
 * From any thread, while no thread touches the model: while no thread is
 * in trainer_run or trainer_wait (before the run, after it ended or
 * diverged), while the one that is waits paused or for a diverged
 * run's decision (a single step's batch counts as running), and while it
 * is in the on_state hook between two epochs (a sweep's trial waiting at a
 * rung; trainer_adopt, which changes the model there, shuts this out).  Then makes dst's
 * parameters and L1/L2 rates equal to the model's, says in *changed
 * whether they differed, puts the batches done in *step and returns true;
 * a dst of another shape than the model's (after a network edit) is
 * rebuilt at its shape first (allocating; false, dst as it was, when that
 * fails).  Otherwise returns false and leaves dst as it was.  Costs a comparison of the parameters,
 * a copy when they changed.  The teaching views compute from the copy on the UI thread while
 * training stands still (live.h).
 */
bool trainer_copy_weights(Trainer *t, Model *dst, bool *changed, long *step);

/* The trainer's model, for the thread that runs it (or after it returned). */
Model *trainer_model(Trainer *t);

/* Evaluates a model on a whole dataset in chunks (no dropout): loss and
 * metrics into m's train fields (loss, accuracy, mae, r2). */
void trainer_evaluate(Model *m, const Dataset *ds, EpochMetrics *out);

#endif
