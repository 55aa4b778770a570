/*
 * run.h - one run as the dashboard and the race screen see it: the engine's
 * TrainRun (gradtop/run/run.h: the data, the trainer and its thread, the run
 * directory, the hooks' fan-out, the result), with what only a screen
 * needs around it: the teaching views' data (Live) plugged into the run's
 * hooks and the snapshot the UI copies each frame.
 *
 * The UI thread owns a Run and is the only caller of these functions; the
 * trainer thread started by run_launch (or a sweep trial's, run_borrow) only runs trainer_run and,
 * through the hooks, the run log and Live.  They meet in the trainer's own mutex-guarded control
 * calls and trainer_snapshot(), and in the TrainRun's result.
 */
#ifndef GRADTOP_TUI_RUN_H
#define GRADTOP_TUI_RUN_H

#include <pthread.h>
#include <stdbool.h>

#include "gradtop/core/error.h"
#include "gradtop/run/options.h"
#include "gradtop/run/run.h"
#include "gradtop/run/rundir.h"
#include "gradtop/run/prepared.h"
#include "gradtop/run/trainer.h"
#include "gradtop/insight/live.h"

/* Where an event fell: its step and the epoch then (fractional). */
typedef struct {
    long step;
    double epoch;
} RunEventMark;

typedef struct {
    Options opt; /* the settings of the next run; edits made while it runs go here too */
    const char *exe_dir;
    /* The engine's run: its data (core->sess: its own, run_open, or one
     * another owns, run_share), trainer (core->trainer, NULL when no run
     * is prepared), run log, run directory and errors (core->log_path,
     * core->log_error, core->log_dropped).  Read them there: nothing here
     * copies them.  core is &own, or a sweep trial's run (run_borrow). */
    TrainRun *core;
    TrainRun own;
    /* A sweep trial's run, watched: the executor made it and ends it
     * (run_end and run_close leave it alone); the dashboard neither
     * restarts it nor goes back to setup, and q and esc return to the
     * sweep.  describe, when set, gives the dashboard a line about the
     * trial's place in the sweep, each frame, and says whether the trial
     * waits there (at a rung or barrier: no batch runs). */
    bool borrowed;
    bool in_sweep; /* opened from the sweep screen: no setup form to go back to */
    bool (*describe)(void *ctx, char *buf, size_t cap);
    void *describe_ctx;
    bool no_live;     /* no teaching views (the race's racers) */
    Live *live;       /* the teaching views' data, or NULL */
    ModelShape shape; /* the network the current run started with (snap.shape: as edited) */
    TrainerSnapshot snap;
    bool has_snap;
    /* The epoch at each recent event's step, as the rows done tell it (a
     * step count cannot once the batch size changed mid-epoch): written
     * by the trainer thread's hooks under marks_mu, read by
     * run_event_epoch.  batch_epoch, epoch_rows and n_train are the
     * trainer thread's alone: the last batch's epoch (-1: none yet), the
     * rows of it done so far, and the training rows. */
    pthread_mutex_t marks_mu;
    RunEventMark marks[TRAINER_MAX_EVENTS];
    long n_marks; /* ever written; marks is a ring */
    int batch_epoch;
    long epoch_rows, n_train;
} Run;

void run_init(Run *r, const Options *opt, const char *exe_dir);
/* Loads the data for r->opt (prepared_open). */
ErrorCode run_open(Run *r, Error *err);
/* Uses a session opened elsewhere (it must outlive the run) instead of
 * run_open's own. */
void run_share(Run *r, PreparedData *shared);
/* Creates the trainer (and the teaching views' Live unless no_live) and
 * the first snapshot: everything the run needs that may be refused (a
 * network too large for memory), before anything is written (the
 * TrainRun's order). */
ErrorCode run_prepare(Run *r, Error *err);
/* After run_prepare: creates the run log (unless --no-log; a log that
 * cannot be made leaves log_error set, not an error) and starts the
 * trainer thread.  A prepared run that is never launched is ended with
 * run_end or run_close. */
ErrorCode run_launch(Run *r, Error *err);
/* run_prepare, then run_launch. */
ErrorCode run_start(Run *r, Error *err);
/* Copies the trainer's progress into r->snap, and the run log's first
 * I/O error, as soon as there is one, into r->core.log_error. */
void run_update(Run *r);
/* log_error with the run directory left out of the failed file's path
 * ("model.gtm: No space left on device"), for a narrow panel. */
const char *run_log_error_short(const Run *r);
/* After the run log failed: training goes on without run files (the
 * journal's last line says so, if it can still be written).  Resume the
 * trainer after it.  False, and nothing done, when the log has not failed
 * (or is already off). */
bool run_log_off(Run *r);
/* Whether the run has a trainer, and its status now (trainer_status). */
bool run_status(const Run *r, TrainStatus *s);
/* The exit code the run's outcome calls for, as `gradtop train` gives it:
 * 3 when it diverged, else 0. */
int run_exit_code(const Run *r);
/* Whether trainer_run has returned (an error, or after run_end). */
bool run_finished(Run *r, ErrorCode *rc, Error *err);
/* Waits for a headless run's trainer_run to return by itself. */
void run_join(Run *r);
/* Ends the run: stops the trainer, lets trainer_run return, joins the
 * thread, finishes and closes the log, destroys the trainer.  Keeps the
 * session, so that run_start can begin a new run on the same data. */
void run_end(Run *r);
/* Everything run_end does, then closes the session. */
void run_close(Run *r);

/* A Run over tr, a sweep trial's TrainRun that another owns (held open
 * for as long as r uses it), with the teaching views' Live and the
 * snapshot; opt: the trial's options.  Then feed the views by calling
 * run_batch_hook(r, b) after each of the trial's batches (on its thread)
 * until run_close, which frees only what run_borrow made. */
ErrorCode run_borrow(Run *r, TrainRun *tr, const Options *opt, Error *err);
void run_batch_hook(void *run, const BatchInfo *b);

/* The epoch at step, fractional (how many of its rows were done), when an
 * event of this run fell there and a batch had run before it; false
 * otherwise (a borrowed run's, or one before the first batch). */
bool run_event_epoch(Run *r, long step, double *epoch);

/* The hyperparameters in force, put back into r->opt (for a restart). */
void run_sync_options(Run *r);

/* A network's layer sizes for a header, "4→32→3" ("4->32->3" without
 * UTF-8), cut to fit cap. */
void run_shape_text(const ModelShape *s, char *buf, size_t cap);

#endif
