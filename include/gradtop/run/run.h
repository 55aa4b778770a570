/*
 * run.h - one training run, whoever watches it: its data (a PreparedData, its
 * own or borrowed), its trainer, its run directory (RunDir) and the hooks
 * that fan out to both, the thread that runs it and its one result.
 * `gradtop train`, the dashboard, the race screen and the headless race
 * all make their runs here; none assembles one by hand.
 *
 * A run is made in one fixed order, so that what can be refused is refused
 * before anything is on disk:
 *   1. data: trainrun_open_data (its own PreparedData) or trainrun_share_data
 *      (one opened elsewhere, read-only, that outlives the run: the race's
 *      racers share one, as a sweep's runs would);
 *   2. trainrun_prepare: the network and trainer (a network too large for
 *      memory is refused here), with the caller's hooks chained after the
 *      run log's; the caller may then put a resumed state into the trainer;
 *   3. trainrun_open_log: only now the run directory (rundir_open, or
 *      rundir_resume with cfg.resume_dir);
 *   4. trainrun_start (a thread of its own) or trainrun_run (the caller's
 *      thread): both run the same body, trainer_run, and keep its result;
 *   5. trainrun_end: stops the trainer, joins, finishes and closes the run
 *      log, keeps the TrainResult, destroys the trainer.  The data stays,
 *      so that the next run can begin at step 2; trainrun_close ends it.
 * The run is controlled meanwhile through the trainer's commands
 * (trainer_pause, trainer_stop, ...: trainer.h) on r->trainer, and its
 * data changed with trainrun_change_data and trainrun_data_settle.
 *
 * Threads: the owner (one thread) makes every call here.  The trainer
 * thread runs trainer_run and, through the hooks, the run log and the
 * caller's hooks; cfg.enter and cfg.leave bracket each hook's whole fan-out
 * on that thread (`train` holds its printer's lock there, so that a second
 * signal ends the process between two records).  They meet in the
 * trainer's mutex-guarded control calls, the run log's rundir_error, the
 * atomic log-off request and the mutex-guarded result block below.
 *
 * Nothing here prints, exits or assumes a terminal or standard output: the
 * caller's hooks do the telling.
 */
#ifndef GRADTOP_RUN_H
#define GRADTOP_RUN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "gradtop/core/error.h"
#include "gradtop/run/options.h"
#include "gradtop/run/rundir.h"
#include "gradtop/run/prepared.h"
#include "gradtop/run/trainer.h"

/* How a run is watched; fixed for the TrainRun's life. */
typedef struct {
    /* The caller's hooks, called on the trainer thread after the run log's
     * (any may be NULL); hooks.ctx is also the context of enter, leave and
     * on_log_failed. */
    TrainerHooks hooks;
    void (*enter)(void *ctx);
    void (*leave)(void *ctx);
    /* Watched by a screen: the pace and --paused hold, and a run that
     * diverged waits on its thread for a resume or a stop (trainer_wait),
     * so that the screen can resume it after lowering the rate. */
    bool interactive;
    /* A run directory that cannot be made refuses the run (`train`);
     * otherwise the run trains without files and log_error says why. */
    bool log_required;
    /* At the run log's first I/O failure while training: pause (the
     * dashboard asks the user) instead of stopping; then on_log_failed is
     * told, on the trainer thread. */
    bool pause_on_log_failure;
    void (*on_log_failed)(void *ctx, const Error *e);
    /* The journal's "run" line, e.g. "optimizer race"; NULL for none. */
    const char *note;
    /* train --resume: the run directory to go on in, from the end of
     * resume_epoch after resume_step batches (rundir_resume); NULL for a
     * new directory under opt.logdir. */
    const char *resume_dir;
    int resume_epoch;
    long resume_step;
    /* The run directory is opened with rundir_open_nosync: the caller
     * makes the files durable at its own fixed points (a sweep's trials). */
    bool owner_syncs;
    /* The owner holds a BLAS buffer reservation for the thread that trains
     * (gemm.h): the trainer gives back its own (a sweep's trials, of which
     * only --parallel multiply at once while the others wait parked). */
    bool owner_reserves_blas;
} TrainRunConfig;

typedef struct {
    TrainRunConfig cfg;
    Options opt; /* the options of the current run (trainrun_prepare's) */
    PreparedData own;
    bool owns_session;
    PreparedData *sess; /* &own, drawn, or a borrowed session; NULL before step 1 */
    /* The run's own data as trainrun_change_data last drew it (sess then),
     * or NULL; and the drawing sent to the trainer and not yet settled. */
    PreparedData *drawn, *next;
    TrainerData change; /* the command's argument, for as long as next is pending */
    long change_seq;
    int *change_perm; /* change.perm as sent: the trainer took it when they differ */
    Trainer *trainer;
    RunDir *log;                   /* NULL with --no-log or when it could not be made */
    char log_path[RUNDIR_DIR_MAX]; /* the run directory, or "" */
    /* Why the run is not logged ("not logged: runs: Permission denied"),
     * the run log's first I/O failure once the owner asked for it
     * (trainrun_log_error), or its failure at the end; "" while all is
     * well.  The owner's thread writes it. */
    char log_error[sizeof(Error){0}.msg];
    /* After a run file could not be written, trainrun_log_off asks for
     * going on without files; the trainer thread applies it at its next
     * hook (log_is_off is its own). */
    atomic_bool log_off_asked;
    bool log_is_off;
    bool log_dropped; /* the owner's copy: trainrun_log_off was called */
    pthread_t thread;
    bool thread_started;
    /* the result block: written when trainer_run returns */
    pthread_mutex_t mu;
    bool finished;
    ErrorCode rc; /* trainer_run's: ERROR_DIVERGED, or a runtime error */
    Error err;
    /* after trainrun_end */
    bool has_result;
    TrainResult result;
    bool log_failed; /* the run files are incomplete (log_error says why) */
} TrainRun;

void trainrun_init(TrainRun *r, const TrainRunConfig *cfg);
/* Step 1: loads the data for o (prepared_open) into the run's own session,
 * closing one it had. */
ErrorCode trainrun_open_data(TrainRun *r, const Options *o, const char *exe_dir, Error *err);
/* Step 1: uses a session opened elsewhere, which must outlive the run and
 * not change while it trains. */
void trainrun_share_data(TrainRun *r, PreparedData *shared);
/* Step 2: the trainer for o on the run's data.  On failure nothing is
 * left (the data stays). */
ErrorCode trainrun_prepare(TrainRun *r, const Options *o, Error *err);
/* Step 3: the run directory, unless o->no_log.  With cfg.log_required a
 * directory that cannot be made is the error returned (the run stays
 * prepared: end it); otherwise log_error says so and ERROR_NONE. */
ErrorCode trainrun_open_log(TrainRun *r, Error *err);
/* Step 4: trainer_run on a new thread, which never takes SIGINT, SIGTERM,
 * SIGHUP or SIGWINCH (they go to the owner's thread). */
ErrorCode trainrun_start(TrainRun *r, Error *err);
/* Step 4: trainer_run on the caller's thread; returns its code. */
ErrorCode trainrun_run(TrainRun *r, Error *err);
/* Waits for a started thread's run to end (it does by itself unless
 * cfg.interactive and diverged). */
void trainrun_join(TrainRun *r);
/* Whether trainer_run has returned, and with what. */
bool trainrun_finished(TrainRun *r, ErrorCode *rc, Error *err);
/* The run log's first I/O failure, as soon as there is one, copied into
 * log_error; true when log_error is set.  Any time on the owner's thread. */
bool trainrun_log_error(TrainRun *r);
/* After the run log failed: training goes on without run files (the
 * journal's last line says so, if it can still be written).  False, and
 * nothing done, when the log has not failed or is already off. */
bool trainrun_log_off(TrainRun *r);
/*
 * The noise and validation split of a generated 2-D set changed while it
 * trains (the dashboard's edit form): on the owner's thread, draws the data
 * again (prepared_regenerate: same seed, same normalization), and sends it
 * to the trainer (TRAINER_SET_DATA), which swaps it in at its next batch
 * boundary and journals it (a change line "data: noise 0.05 -> 0.3",
 * config.txt rewritten with the new values: rundir_on_data).  *seq: the
 * command's number, for trainer_await.  Nothing is sent, and ERROR_INPUT
 * says why, for data that is not a generated set, data shared with other
 * runs (the race's racers, a sweep's trials: they read one session), no
 * running trainer, a change still pending, nothing changed, or values out
 * of range.  Until trainrun_data_settle, sess is the old data.
 */
ErrorCode trainrun_change_data(TrainRun *r, double noise, double val_split, const char *exe_dir,
                               long *seq, Error *err);
/*
 * After trainrun_change_data, once the trainer answered (each frame, or
 * after trainer_await): the run turns to the new data (sess, and opt's
 * noise and val-split) and frees the old, which no thread reads once the
 * answer is there; or, refused, frees the new.  True then, with the answer
 * in *reply (may be NULL); false while it is pending or nothing is.
 * trainrun_end settles a pending change itself.
 */
bool trainrun_data_settle(TrainRun *r, TrainerReply *reply);
/* Step 5 (see above); a no-op without a trainer. */
void trainrun_end(TrainRun *r);
/* trainrun_end, then closes the run's own session. */
void trainrun_close(TrainRun *r);

#endif
