/*
 * exec.h - the sweep's executor: runs a search's trials, many at once,
 * each an ordinary TrainRun (run.h) on one thread over one shared,
 * read-only PreparedData, and carries out the samplers' and schedulers'
 * decisions (sweep.h) at fixed points, so that a sweep with one seed and
 * one --parallel makes the same trials and the same decisions whichever
 * thread finishes first.  It also writes the sweep directory's own files
 * (space.txt, trials.csv, best.txt: exec_files.c).  Nothing here prints
 * or exits: the caller hears of every trial event through a hook.
 *
 * THREADS.  The owner (one thread) calls sweep_exec_init, _run and _free;
 * sweep_exec_run makes every TrainRun call (prepare, open_log, start, end)
 * on that thread and calls the event hook there.  Each trial trains on a
 * thread of its own (trainrun_start) with one BLAS thread; at most
 * `parallel` of them train at a time, the others waiting on their own
 * condition variable inside their on_state hook (between two epochs,
 * after the epoch's files are written): "parked".  The trials' hooks and
 * the owner meet in the executor's mutex; sweep_exec_stop may be called
 * from any thread (a signal watcher).
 *
 * FIXED POINTS, AND THE ORDER DECISIONS ARE TAKEN IN.  A trial's training
 * is deterministic given its options (one thread; every trial takes the
 * sweep's --seed unless the space searches `seed`, so trials of one
 * network start from the same weights and batch order); what
 * could depend on timing is which trials exist and when they stop, so
 * every such decision is taken when the state it reads is final:
 *   none    trial i starts when a slot is free, trials in index order; its
 *           configuration never depends on other trials, except under
 *           tpe, where trial i starts only once trials 0..i-parallel have
 *           all ended and learns from exactly those.
 *   median  as none; a trial with index >= 5 (n_startup) parks after each
 *           epoch e >= --min-epochs and is judged once every trial before
 *           it has reached e or ended: stopped ("pruned") or let go on.
 *           At most 2·parallel trials are open (started, not ended); the
 *           earliest open trial never waits, so the sweep always moves.
 *   asha    rounds.  A round is a set of jobs (train trial t to epoch E
 *           and park there); when every job of the round has parked or
 *           ended, sweep_asha_next is asked once per slot, slots in
 *           order 0..parallel-1: promote that trial to its next rung, else
 *           start the next trial at rung 0 (sampled then, tpe learning
 *           from every trial's figures so far), else leave the slot idle.
 *           A round with no job ends the sweep; trials still parked at a
 *           rung end then as pruned.
 *   pbt     the whole population (--trials) is made at the start; every
 *           --pbt-interval epochs, once every live trial has parked at
 *           that epoch or ended, sweep_pbt_decide's exploits are carried
 *           out, each on its recipient's thread (trainer_adopt, the donor
 *           parked and only read), all before any trial trains on.  Only
 *           parameters the trainer changes live may be searched (the
 *           weights must fit); the kept weights are the adopted line's.
 * Budget (--budget EPOCHS): under asha, a job is made only while the
 * epochs of the jobs made so far plus its own fit; under the others, at
 * most budget / --max-epochs trials are made.
 * The figures decided on are as metrics.csv holds them (8 significant
 * digits), so that a resumed sweep, which reads earlier epochs back from
 * there, decides as the uninterrupted one did.
 * Events reach the hook in the order the owner meets them, which may
 * differ between two runs of one sweep; the trials, their figures and the
 * decisions do not.
 */
#ifndef GRADTOP_SWEEP_EXEC_H
#define GRADTOP_SWEEP_EXEC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "gradtop/core/error.h"
#include "gradtop/run/prepared.h"
#include "gradtop/run/run.h"
#include "gradtop/sweep/sweep.h"

typedef enum {
    TRIAL_WAITING, /* not started */
    TRIAL_RUNNING,
    TRIAL_PAUSED, /* parked at a rung or a barrier */
    TRIAL_DONE,   /* its full length */
    TRIAL_EARLY_STOPPED,
    TRIAL_PRUNED, /* stopped by the scheduler */
    TRIAL_DIVERGED,
    TRIAL_STOPPED, /* interrupted */
    TRIAL_FAILED,  /* refused or failed to start (its message says why) */
} SweepTrialStatus;

/* median: the trials before this one are never judged (the rule's
 * n_startup: Optuna's MedianPruner's earlier trials needed at an epoch). */
#define SWEEP_MEDIAN_STARTUP 5

/* "waiting", "running", "paused", "done", ...: trials.csv's words. */
extern const char *const sweep_trial_status_names[];
/* The significant digits of trials.csv's figures ("%.*g"): --resume
 * compares them with a trial's journal to this precision. */
#define SWEEP_TRIALS_DIGITS 6

typedef enum {
    SWEEP_EV_START,   /* a trial started */
    SWEEP_EV_RUNG,    /* asha: a trial reached a rung (its figure there) */
    SWEEP_EV_PROMOTE, /* asha: promoted to rung `rung` */
    SWEEP_EV_PRUNE,   /* stopped by the scheduler */
    SWEEP_EV_EXPLOIT, /* pbt: took donor's weights and an explored config */
    SWEEP_EV_END,     /* a trial ended (its status and result) */
    /* --resume: an interrupted trial that cannot go on from its run starts
     * again from its first epoch (note says why), told before its START */
    SWEEP_EV_START_OVER,
} SweepEventKind;

typedef struct {
    SweepEventKind kind;
    int trial;
    int epoch;        /* epochs the trial has done */
    int rung;         /* asha: the rung reached or promoted to (0-based) */
    int donor;        /* exploit */
    double figure;    /* the monitored figure at epoch (NaN when none) */
    const char *note; /* START_OVER: why, valid during the hook's call; else NULL */
} SweepEvent;

typedef struct SweepExec SweepExec;

/* asha: one job of a round, decided before any starts (exec.h's owner) */
typedef struct {
    int trial, to, len; /* promoted to rung `to`, or new and trained `len` epochs */
    bool promote, reopen, failed;
} SweepRoundJob;

typedef struct {
    void *ctx;
    /* On the owner's thread. */
    void (*on_event)(void *ctx, const SweepExec *x, const SweepEvent *e);
} SweepHooks;

/* One trial, as the owner sees it (read them on the owner's thread, or
 * after sweep_exec_run). */
typedef struct {
    int index;
    SweepConfig config;
    Options opt;
    SweepTrialStatus status;
    int epochs;     /* epochs done */
    int rung;       /* asha: highest rung reached, -1 before the first */
    int target;     /* the epoch it trains to (parks there) */
    double best;    /* the best monitored figure so far, NaN before any */
    int best_epoch; /* its epoch, 0 before any */
    bool has_result;
    TrainResult result;
    char run[RUNDIR_DIR_MAX]; /* its run directory, "" when none */
    char error[sizeof(Error){0}.msg];
    /* --resume, a trial that had ended: its result's pairs as its
     * journal's result line has them (sweep_result_pairs), "" when none */
    char result_pairs[512];
    /* the owner's and the trial thread's, under the executor's mutex */
    TrainRun *tr;
    bool held;          /* sweep_exec_hold: not collected until released */
    bool user_stopped;  /* sweep_exec_stop_trial */
    char stop_why[128]; /* an ORDER_STOP's reason, for the trial's journal */
    int told_promote;   /* sweep_exec_promote: the rung to tell of (0: none) */
    /* the kind of the last PROMOTE, EXPLOIT, RUNG or END event told of it
     * (START before any): what it was last said to be doing */
    SweepEventKind told_kind;
    /* sweep_exec_watch: a batch hook chained on the trial's thread */
    atomic_bool watched;
    pthread_mutex_t watch_mu;
    void (*watch_fn)(void *ctx, const BatchInfo *b);
    void *watch_ctx;
    bool live;    /* started: sweep_exec_stop may stop its trainer */
    bool resume;  /* --resume: goes on from its run directory's checkpoint */
    bool dormant; /* --resume: not open until promoted (asha) or judged (median) */
    /* --resume: trials.csv had it training (running, or paused at a rung):
     * the kill left its run open, so a stop before it is opened again
     * opens it from its checkpoint to end it (stop_parked) */
    bool unended;
    /* --resume: a dormant trial pruned at this epoch (0: none) is opened
     * from its checkpoint only to stop there, so that its run ends
     * (journal, model.gtm, figures) as it would have without the
     * interruption; from an earlier checkpoint it trains up to it first */
    int prune_at;
    /* the hyperparameters the sweep last set in its trainer (its start, a
     * PBT exploit), and whether a person changed them since, in its
     * dashboard (seen when the screen lets go of it: sweep_exec_release) */
    HyperParams set_hp;
    bool hand_changed;
    bool exploited; /* pbt: took another trial's weights at least once */
    bool counted;   /* holds one of the `parallel` slots */
    bool parked, finished, collected, acked;
    int order; /* what a parked trial does next */
    int donor;
    Options exploit_opt;
    pthread_cond_t cv;
    SweepExec *x;
    /* the owner's: its row of trials.csv as last formatted, and what from
     * (exec_files.c); NULL before the first */
    struct SweepRow *row;
} SweepTrial;

struct SweepExec {
    Options base; /* the sweep's options: the trials' base and its settings */
    SweepSpace space;
    SweepSampler sampler;
    SweepSchedulerKind scheduler;
    PreparedData *data;       /* shared by every trial, read-only */
    char dir[RUNDIR_DIR_MAX]; /* the sweep directory, "" with --no-log */
    int dir_lock;             /* an open descriptor of dir holding its flock, -1: none */
    SweepHooks hooks;
    int n_trials, parallel;
    MonitorField monitor; /* as the trials' trainers read it */
    SweepBoard board;
    SweepAsha asha;
    bool has_asha;
    SweepTrial *trials;
    /* the owner's scratch, one entry per trial (pbt's only under pbt) */
    bool *want;           /* parked, to go on when a slot is free */
    int *judged;          /* median: the epoch last judged at */
    SweepRoundJob *round; /* asha: a round's jobs */
    bool *live;           /* pbt: parked at the barrier */
    SweepConfig *configs;
    SweepExploit *exploits, *acks; /* pbt: decided; waited for (trial + 1, 0: none) */
    int n_started;
    long epochs_planned; /* asha: epochs of the jobs made so far */
    /* under mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;  /* the owner waits here */
    int running;        /* trials training now (not parked, not ended) */
    int peak_running;   /* the most that trained at once: never above parallel */
    int blas_reserved;  /* BLAS buffer reservations held for the slots (gemm.h) */
    unsigned long gen;  /* counts the trials' calls to the owner: none is missed */
    unsigned long told; /* events told to the hook so far (sweep_exec_view) */
    bool over;          /* sweep_exec_run has ended the sweep */
    bool stopping;
    bool paused_all; /* sweep_exec_pause_all: trials start paused */
    bool files_failed;
    char files_error[sizeof(Error){0}.msg];
    /* the owner's: trials.csv's and best.txt's text as last written */
    char *written[2];
    /* how near its end (seconds) a trial leaves its states to the end's
     * write (rundir_set_checkpoint_near); negative: the run directory's
     * own default.  Tests set 0 to have every state the time rule allows
     * written, as trials of a few milliseconds would otherwise write none
     * before their end. */
    double checkpoint_near;
    /* each trial's journal's run line: the sweep's settings
     * (sweep_settings_text), which --resume checks space.txt against */
    char trial_note[OPTIONS_SPACE + 512];
};

/*
 * Checks the sweep in o (space, sampler, scheduler, trials, parallel,
 * memory for the trials open at once) over data, which must outlive x, and
 * fills x.  dir: the sweep directory (made by the caller, see
 * sweep_dir_make), or NULL to write nothing.  ERROR_INPUT names the option
 * or the space's parameter; ERROR_RUNTIME when memory is short.
 */
ErrorCode sweep_exec_init(SweepExec *x, const Options *o, PreparedData *data, const char *dir,
                          const SweepHooks *hooks, Error *err);
/* Runs the sweep to its end (or to sweep_exec_stop's), writing the sweep
 * files; ERROR_NONE unless the files could not be written (the trials'
 * outcomes are theirs: see each status). */
ErrorCode sweep_exec_run(SweepExec *x, Error *err);
/*
 * --resume: after sweep_exec_init with the options of dir's space.txt and
 * dir as the sweep directory, takes up its trials.csv: trials that ended
 * stay as they are (their figures read back from their metrics.csv),
 * trials that were interrupted go on from their checkpoint.gtm in their
 * own run directory (one interrupted in its first epoch starts again),
 * and the trials not started yet start as they would have.  Under asha,
 * a trial that was waiting at its rung stays closed until it is promoted
 * (then opened from its checkpoint) or the sweep ends (pruned), and the
 * round the interruption cut goes on (a round's decisions are taken
 * whole).  Under median, one the rule would judge at the epoch it stopped
 * at stays closed until it is judged there.  Not under pbt (the population's
 * weights would all have to be open at the barrier): ERROR_INPUT, as when
 * trials.csv does not fit the space (naming the file and line).  First,
 * x's sweep settings against those the trials' journals record
 * (sweep_settings_text): one that would take the trials so far on as
 * another sweep, or a setting's line missing from space.txt, is
 * ERROR_INPUT naming space.txt's line and column, the setting and both
 * values (a sweep whose trials keep no record is not checked).
 */
ErrorCode sweep_exec_resume(SweepExec *x, Error *err);
/*
 * --resume, before the data is read: o holds dir's space.txt.  A file it
 * names by a relative path (dataset, test, labels, in a space.txt of a
 * gradtop from before it wrote absolute paths) would be read from the
 * working directory, which need not be the one the sweep started from.
 * The trials' config.txt name it by its absolute path: the file a trial
 * trained on whose path ends in the relative one is taken instead, and
 * note (cap bytes) says so, line by line ("" when nothing was changed).
 * ERROR_INPUT naming space.txt's line and what to do when neither the
 * working directory nor a trial has the file.
 */
ErrorCode sweep_resume_paths(Options *o, const char *dir, char *note, size_t cap, Error *err);
/* From any thread: every trial stops after its current batch, none
 * starts; sweep_exec_run then returns with the files written. */
void sweep_exec_stop(SweepExec *x);
void sweep_exec_free(SweepExec *x);

/* ---- a person's controls, from any thread (the sweep screen's) -------------
 *
 * Pausing changes no decision (the fixed points wait for a paused trial as
 * for a slow one); stopping and promoting are a person's decisions, so a
 * sweep with either is no longer the one its seed alone would make.
 */

/* Pauses (true) or resumes every trial, and those started later. */
void sweep_exec_pause_all(SweepExec *x, bool pause);
/* Toggles the pause of trial i; false when it is not training (not
 * started, or ended). */
bool sweep_exec_pause_trial(SweepExec *x, int i);
/* Stops trial i after its batch, or where it waits at a rung or barrier;
 * it ends as "stopped" and is never promoted.  False when it is not open. */
bool sweep_exec_stop_trial(SweepExec *x, int i);
/* asha: trial i, waiting at a rung below the last (its round over or
 * not), trains on to the next rung as soon as a slot is free, whatever its
 * rank (a PROMOTE event tells of it).  ERROR_INPUT, with the reason, when it is not waiting at such
 * a rung or the scheduler is not asha. */
ErrorCode sweep_exec_promote(SweepExec *x, int i, Error *err);
/* Holds trial i open for a screen that watches it: its TrainRun (and
 * trainer) stays valid, not collected even once it ends, until
 * sweep_exec_release (meanwhile a scheduler's fixed point that waits for
 * the trial's end waits longer).  NULL when the trial is not open. */
TrainRun *sweep_exec_hold(SweepExec *x, int i);
void sweep_exec_release(SweepExec *x, int i);
/* Calls fn(ctx, b) on trial i's thread after each of its batches, until
 * called again with fn NULL, which returns only once no call is under way.
 * The trial must be held. */
void sweep_exec_watch(SweepExec *x, int i, void (*fn)(void *ctx, const BatchInfo *b), void *ctx);

/* One trial as a screen shows it, copied under the executor's mutex. */
typedef struct {
    SweepTrialStatus status;
    /* the last event told of it among PROMOTE (it trains on to the rung),
     * EXPLOIT (it took another's weights), RUNG and END; START before any */
    SweepEventKind told_kind;
    TrainStatus train; /* its trainer's status while open (paused, ...), else DONE */
    bool open;         /* started and not collected */
    bool user_paused;  /* open and paused by a person */
    bool parked;       /* waiting at a rung or barrier, its round or judgement on */
    int epochs, rung, target, best_epoch;
    double best;
    bool hand_changed;  /* its hyperparameters were changed by hand: config is what it began with */
    SweepConfig config; /* valid unless status is waiting */
} SweepTrialView;

/* The moment a view was taken at, copied with its trials.  An event is
 * counted in told only once its trial's view shows it (the trial started,
 * ended, pruned, at its rung, its target raised by a promotion; a
 * START_OVER, the note of what its START then does, as it is told), and
 * over is set only once every trial's view is final: a screen that draws
 * the first `told` events and the sweep's end beside the rows of one view
 * never shows what those rows do not. */
typedef struct {
    int n_started;      /* the trials copied */
    unsigned long told; /* the events the hook has been told, or is being told, so far */
    bool over;          /* sweep_exec_run has ended the sweep: no trial changes again */
} SweepMoment;

/* Copies the started trials (m->n_started of them, at most cap) into out,
 * the moment into m, and, when figs is not NULL, the board's figures
 * (n_trials * max_epochs, NaN where none) into figs, all under the
 * executor's mutex at once.  Allocates nothing. */
void sweep_exec_view(SweepExec *x, SweepTrialView *out, int cap, SweepMoment *m, double *figs);

/* The order of a trial's result pairs (sweep_result_pairs, and an END
 * event's line). */
typedef enum {
    /* the headless output's, as the result line has them (train_result_text,
     * docs/guide.md "Headless output"): epochs, best_epoch, the training
     * figures, then the val_ and the test_ ones */
    SWEEP_PAIRS_HEADLESS,
    /* the same with the monitored figure's pair ("val_loss=0.1234") moved up
     * to follow best_epoch: the sweep screen's events list, which a narrow
     * terminal cuts after the first few pairs, while that is the figure the
     * sweep ranks the trial by */
    SWEEP_PAIRS_MONITOR_FIRST,
} SweepPairsOrder;

/* An event as a line of the headless sweep's output and the screen's
 * events list, without the newline: "trial   3 pruned        at epoch 4
 * val_accuracy 0.8125", "trial   2 starts over   from epoch 1: its run is
 * gone (DIR)"; an END's word is the trial's status, its result pairs in
 * order.  The word is padded to the longest status's width (early_stopped,
 * 13), so that what follows it starts in one column on every line
 * (docs/guide.md).  On the owner's thread (the event hook's). */
void sweep_event_text(const SweepExec *x, const SweepEvent *e, SweepPairsOrder order, char *buf,
                      size_t cap);
/* "epochs=30 best_epoch=28 loss=..." of a trial's result, without its
 * status, in order: from its result, or from its journal's result line
 * (t->result_pairs) alike. */
void sweep_result_pairs(const SweepExec *x, const SweepTrial *t, SweepPairsOrder order, char *buf,
                        size_t cap);

/* The best trial (by its best figure, ties to the lower index), -1 when
 * no trial scored an epoch. */
int sweep_exec_best(const SweepExec *x);
/* The options trial index starts from, before its configuration: the
 * sweep's, --max-epochs long, one thread, its run directory named
 * (sweep_trial_name) under the sweep's. */
void sweep_exec_trial_base(const SweepExec *x, int index, Options *o);
/* The name of trial index's run directory (rundir_make_dir's NAME, its
 * directory ...-DATASET-trial-NNN): "trial-007". */
void sweep_trial_name(int index, char *buf, size_t cap);
/* The figure of a trial's epoch metrics as the sweep ranks them. */
double sweep_exec_figure(const SweepExec *x, const EpochMetrics *m);
/* "lr=0.001;layers=64,32": a trial's configuration, as --space reads back
 * each value. */
void sweep_exec_config_text(const SweepExec *x, const SweepTrial *t, char *buf, size_t cap);

/* ---- the sweep directory (exec_files.c) ---------------------------------- */

/* Makes LOGDIR/YYYYMMDD-HHMMSS-DATASET-sweep[-NAME] (-2, -3, ... when
 * taken) with its parents, DATASET the data's name (PreparedData's
 * all.name, as a run directory has it); its path into out.  It leaves
 * room under it for the run directory of the last trial --trials
 * allows: ERROR_INPUT naming --logdir when there is none. */
ErrorCode sweep_dir_make(const Options *o, const char *dataset, char *out, size_t cap, Error *err);
/* After sweep_exec_init: the sweep directory, x->dir: resume's (then
 * sweep_exec_resume), or a new one (sweep_dir_make) unless --no-log.  A
 * new directory that cannot be made is the error, its message ending
 * "(or use --no-log)".  Either is locked (flock) until sweep_exec_free:
 * a second gradtop resuming it meanwhile is refused (ERROR_INPUT). */
ErrorCode sweep_exec_open_dir(SweepExec *x, const char *resume, Error *err);
/* t->stop_why: why the sweep's rule pruned t at epoch (the journal's
 * stop line). */
void sweep_exec_pruned_why(const SweepExec *x, SweepTrial *t, int epoch);
/* The run directory of trial index in the sweep directory (named
 * ...-trial-NNN) into out, when one is there though trials.csv has no row
 * for it (a sweep killed between making it and writing trials.csv):
 * the trial starts again in it rather than beside it. */
bool sweep_trial_dir_find(const SweepExec *x, int index, char *out, size_t cap);
/* The figures of epoch of t's run as its metrics.csv holds them (8
 * significant digits) into m: for a checkpoint from before its LAST
 * section.  False when the run has no such row. */
bool sweep_trial_epoch_figures(const SweepTrial *t, int epoch, EpochMetrics *m);
/* "sweep trial with sampler=random scheduler=asha trials=16 budget=0
 * max-epochs=30 eta=3 min-epochs=1 parallel=4 pbt-interval=4 seed=0
 * space=...": the sweep's own settings as space.txt holds them (parallel
 * as the trials it trains at once, 0 resolved), with seed and space last,
 * the space running to the end, into buf.  Each trial's journal records
 * it (its run line), since no trial's config.txt holds them: --resume
 * refuses a space.txt that would make another sweep of the trials so far
 * (sweep_exec_resume). */
void sweep_settings_text(const SweepExec *x, char *buf, size_t cap);
/* space.txt: the sweep's options (the dataset, every run option, the
 * sweep's own), loadable with --config: sweep --config DIR/space.txt
 * repeats the sweep. */
ErrorCode sweep_write_space(const SweepExec *x, Error *err);
/* The sweep's fixed point on disk (owner's thread): syncs the file system
 * of the sweep directory (syncfs), so that every trial file written so far
 * is durable before trials.csv says so, then replaces trials.csv and
 * best.txt whole (their temporaries are written before the syncfs, which
 * makes them durable too: only the renames' directory is fsynced after).  The trials' run
 * directories are not fsynced as they are written (rundir_open_nosync, rundir.h says what that
 * gives up): this call is their durability.  A file whose text is the one last written is left
 * alone, and with neither changed nothing is done (no trial file has had anything new recorded of
 * it), unless force (the sweep's end).
 *
 * trials.csv: trial,status,rung,epochs,target,best_epoch,figure (the
 * monitored one, named in the header),loss,accuracy|mae,val_loss,
 * val_accuracy|val_mae, then one column per parameter, then run.
 * best.txt: the best trial's options as config.txt holds them (loadable
 * with --config, --epochs its full length), with a comment naming it. */
ErrorCode sweep_write_files(SweepExec *x, bool force, Error *err);
/* Frees t->row (sweep_write_files keeps it). */
void sweep_trial_row_free(SweepTrial *t);

#endif
