/*
 * runlog.h - the run directory of docs/files.md:
 * LOGDIR/YYYYMMDD-HHMMSS-DATASET[-NAME]/ with config.txt, metrics.csv,
 * events.out.tfevents.TIMESTAMP.HOST, journal.txt and model.gtm.
 *
 * checkpoint.gtm is the state at the end of the latest epoch that a
 * resume goes on from (weights, optimizer, data order, generators, early
 * stopping and schedule: a model file with a RESUME section, modelfile.h).
 * It is replaced atomically at the end of an epoch when writing it takes
 * at most 1 % of the time since the last write (so every epoch when epochs
 * take a second or more, every few epochs when they are short), and at the
 * end of the run; a sweep's trial (rundir_open_nosync) skips the ones that
 * come within a second of its end (rundir_set_checkpoint_near).
 *
 * A RunDir owns the directory's open files.  The trainer drives it through
 * the TrainerHooks that rundir_hooks() returns, on the trainer thread; the
 * thread that opened it calls rundir_finish and rundir_close after
 * trainer_run has returned.  It is not locked: one thread at a time.
 *
 * Every file is consistent at every moment: config.txt and model.gtm are
 * replaced atomically (temporary file, fsync, rename); metrics.csv rows,
 * journal lines and event records are written whole and flushed after each
 * epoch or event (the event file is also fsynced per epoch, the others at
 * the end).  A write the disk takes only part of (a full disk) is cut back
 * to where it began: the files hold whole rows, lines and records only.
 * After an I/O failure (the first one is remembered: rundir_error) no more
 * metrics rows, event records or models are written; the journal still
 * takes lines (a write_failed line first, then the run's stop, end and
 * result), each whole or not at all.  The owner learns of the failure when
 * it happens through rundir_on_failure, and decides what training does.
 * Nothing here prints.
 *
 * What the fsyncs buy.  A crash of the process (SIGKILL, a fault, the
 * OOM killer) loses nothing that write() took: the kernel holds it, so
 * every flushed row, line and record and every renamed file survives it
 * with or without fsync, and the temporary-and-rename keeps a replaced file
 * whole.  The fsyncs guard against a power cut or a crash of the system:
 * an appended file's tail (which a resume cuts back to its checkpoint) and,
 * worse, a renamed file whose data had not reached the disk (empty or
 * short).  `train` fsyncs as said above.  A sweep's trials are opened with
 * rundir_open_nosync: none of their files is fsynced here (a digits trial
 * of 30 epochs made about 70 fsyncs, most of its time); the sweep instead
 * syncs the file system (syncfs) at each of its fixed points, before it
 * replaces trials.csv, and trials.csv itself with fsync (sweep/exec.h).
 * So a power cut never leaves a trial that trials.csv calls ended with
 * files short of its end, and after it a trial that was training may find
 * its checkpoint.gtm damaged: `sweep --resume` then trains it again from
 * its first epoch.  A crash of the process leaves every file whole, as
 * after `train`.  Such a run also does not replace model.gtm at each new
 * best, as `train` does (a digits trial improved about 15 times in 30
 * epochs, 80 KB each time): the best weights go to model.gtm with the
 * next checkpoint.gtm that is written (from the best weights that state
 * holds), and at the end at once, so that model.gtm is always in step with
 * checkpoint.gtm, as a resume would put it.
 *
 * metrics.csv columns: epoch,step,wall_time,loss,accuracy,val_loss,
 * val_accuracy,lr (regression: epoch,step,wall_time,loss,mae,r2,val_loss,
 * val_mae,val_r2,lr); validation fields are empty with --val-split 0.
 * Event-file scalars use the epoch as their step, as Keras's TensorBoard
 * callback does for epoch-level metrics: loss, accuracy (mae, r2), val_loss,
 * val_accuracy (val_mae, val_r2), learning_rate.  The HParams dashboard gets
 * the run's options at the start and, at the end, the metrics of the kept
 * weights as scalars final/loss, final/accuracy, ..., final/test_loss ...
 *
 * journal.txt: one line per event, "TIME step=N epoch=N KIND text", TIME
 * local ISO 8601 with milliseconds and UTC offset, KIND one of run, start,
 * pause, resume, step, change, schedule, early_stop, diverged, stop,
 * restore, end, checkpoint_failed, write_failed, log_off, result, rewind (a
 * resume's cut of the files back to its checkpoint).
 */
#ifndef GRADTOP_RUNDIR_H
#define GRADTOP_RUNDIR_H

#include "gradtop/core/error.h"
#include "gradtop/run/modelfile.h"
#include "gradtop/run/options.h"
#include "gradtop/run/prepared.h"
#include "gradtop/run/trainer.h"

typedef struct RunDir RunDir;

/* How the reason of a journal stop line begins when a sweep's rule pruned
 * the run ("stopped at the end of epoch 3: pruned by the sweep's asha
 * rule: ..."): the sweep writes it, runset reads the run back as pruned. */
#define JOURNAL_PRUNED_BY "pruned by the sweep"

/* The writer a run's event file names in its first record (tfevents_open):
 * its steps are epochs, which is how runset reads an event file without
 * the rest of its run directory. */
#define RUNDIR_EVENTS_WRITER "gradtop"
/* The run's model file, which its event file's HParams session start names
 * (its model_uri): how runset tells gradtop's event files written before
 * they named their writer. */
#define RUNDIR_MODEL_FILE "model.gtm"

/*
 * Creates the run directory under o->logdir (with parents; "-2", "-3", ...
 * appended when the name is taken) and its files, with config.txt written
 * and the journal's first line.  s must stay open until rundir_close.
 * ERROR_RUNTIME naming the directory when it cannot be created or written,
 * e.g. "runs: Permission denied".
 */
ErrorCode rundir_open(RunDir **out, const Options *o, const PreparedData *s, Error *err);

/* The bytes a run directory's path may take, its NUL included: what a
 * TrainRun (log_path, the result line's run=) and a sweep's trials.csv
 * keep of it. */
#define RUNDIR_DIR_MAX 1024

/* Makes LOGDIR/YYYYMMDD-HHMMSS-DATASET[-NAME] (t's local time; "-2",
 * "-3", ... when taken) with its parents, as rundir_open names a run (the
 * sweep names its own directory so); the path into out.  The path must
 * leave room bytes of RUNDIR_DIR_MAX for the run directories that go
 * under it (0 for a run's own; a sweep's, its trials': rundir_name_max
 * and the slash before): ERROR_INPUT naming --logdir when it does not,
 * before anything is made. */
ErrorCode rundir_make_dir(const char *logdir, const char *dataset, const char *name, double t,
                          size_t room, char *out, size_t cap, Error *err);
/* The longest name (without LOGDIR/) rundir_make_dir can give a directory
 * of dataset named name: its stamp, dataset and name, and a "-9999" when
 * taken. */
size_t rundir_name_max(const char *dataset, const char *name);

/* The same on an existing run directory (train --resume) going on from
 * the end of epoch epoch, after step batches: metrics.csv and the event
 * files are cut back to that epoch (what a crash left beyond the
 * checkpoint; the journal says what went), config.txt is rewritten,
 * metrics.csv and journal.txt are appended to, and a new event file starts
 * beside the old ones (TensorBoard reads them all). */
ErrorCode rundir_resume(RunDir **out, const char *dir, int epoch, long step, const Options *o,
                        const PreparedData *s, Error *err);

/* rundir_open (resume_dir NULL) or rundir_resume (resume_dir the run's
 * directory) for a run whose owner makes its files durable: nothing this
 * RunDir writes is fsynced (the sweep's trials; see above). */
ErrorCode rundir_open_nosync(RunDir **out, const char *resume_dir, int epoch, long step,
                             const Options *o, const PreparedData *s, Error *err);

/* o's files (dataset, test, labels) that a relative path names become
 * their absolute paths, as config.txt names them, so that a --config file
 * written from o reads the same files from any directory. */
void rundir_absolute_files(Options *o);

/* Whether the files of run directory dir that a resume writes can be
 * written, checked before it trains (rundir_resume does; a sweep checks
 * each trial it will take up as it starts): metrics.csv and journal.txt,
 * appended to, must be regular files (a symbolic link would have the
 * resume cut and write the file it names; a named pipe would wait for
 * good), and config.txt, model.gtm and checkpoint.gtm, replaced, must not
 * be directories (atomicfile_check_target).  Missing files are fine.
 * ERROR_INPUT naming the first file refused and why. */
ErrorCode rundir_check_files(const char *dir, Error *err);

/* Removes from dir the temporaries (NAME.tmp.PID, regular files) of
 * processes that no longer exist: a save killed between writing its
 * temporary and renaming it leaves one behind.  Those of live processes
 * stay.  rundir_resume does this; view does it for each run directory it
 * finds.  Returns how many were removed. */
int rundir_remove_stale(const char *dir);
/* What train --resume goes on from. */
typedef struct {
    Options earlier;      /* config.txt: the run's options as it last started,
                             but for the hyperparameters in force at the
                             checkpoint's epoch (changed_hp) */
    SavedModel state;     /* checkpoint.gtm, or model.gtm of a run from before checkpoints */
    bool from_checkpoint; /* state.has_state then */
    bool from_start;      /* the run ended in its first epoch: it trains again
                             from the first, as a new run with its options
                             would (state is empty) */
    bool changed_hp;      /* earlier.hp are the checkpoint's, changed while the
                             run trained from those config.txt began with,
                             which config_hp keeps */
    HyperParams config_hp;
} RunResume;

/* Loads dir's config.txt and checkpoint.gtm (model.gtm when there is no
 * checkpoint.gtm, as in runs from before it).  A run that ended in its
 * first epoch (stopped, when model.gtm holds epoch 0, or killed, when it
 * has neither file and metrics.csv no epoch) is from_start: its first
 * epoch's batches are not kept, as a later epoch's are not.  ERROR_INPUT
 * saying what to do when a run with epochs has neither file, or naming the
 * file that cannot be read.  rr is safe to free either way. */
ErrorCode rundir_resume_load(RunResume *rr, const char *dir, Error *err);
/* When rr goes on from model.gtm (the run in dir has no checkpoint.gtm)
 * rather than from a checkpoint or the first epoch: true, with buf
 * saying what it goes on from (the weights of which epoch, with or
 * without an optimizer state: model.gtm's is kept when o, the options the
 * resume trains with, have the optimizer it was saved by) and what the
 * checkpoint held that is lost (the last epoch's weights when model.gtm
 * kept earlier ones, the epochs of metrics.csv after model.gtm's, the
 * data order and random generators, the patience count).  Else false and
 * buf "". */
bool rundir_resume_note(const RunResume *rr, const char *dir, const Options *o, char *buf,
                        size_t cap);
/* Makes o (the earlier options with the command line's on top) go on with
 * the run's schedule: a cosine period of "the run's epochs" becomes the
 * epochs the run started with, so more --epochs do not move it. */
void rundir_resume_options(const RunResume *rr, Options *o);
void rundir_resume_free(RunResume *rr);

/* The run directory, e.g. "runs/20261124-193000-iris". */
const char *rundir_path(const RunDir *rl);

/* Hooks for trainer_create, with rl as their context. */
TrainerHooks rundir_hooks(RunDir *rl);
void rundir_on_epoch(void *ctx, const EpochMetrics *m);
void rundir_on_event(void *ctx, const TrainEvent *e);
/* Saves m (and o's state) to model.gtm atomically. */
void rundir_on_checkpoint(void *ctx, const Model *m, const Optimizer *o, int kept_epoch);
/* Saves the state to checkpoint.gtm atomically, as the rule above says. */
void rundir_on_state(void *ctx, const Model *m, const Optimizer *o, const TrainState *s, bool last);
/* The share of the run's time checkpoint.gtm may take (default 0.01); 1
 * writes it at every epoch (tests). */
void rundir_set_checkpoint_share(RunDir *rl, double share);
/* rundir_open_nosync's runs: a state is not written to checkpoint.gtm
 * (nor model.gtm with it) when the run's epochs left, at the pace of its
 * last epoch, take less than seconds (default 1): the end's write comes
 * so soon that a kill loses about that much training, and each state
 * written and then replaced costs two files made and two removed. */
void rundir_set_checkpoint_near(RunDir *rl, double seconds);

/* The run's data changed while it trains (TRAINER_SET_DATA, from the
 * on_data hook, on the trainer thread): the model files' info comes from s
 * from now on, and config.txt is written again with s's noise and
 * val-split (the journal's change line comes with the trainer's event).
 * s must stay open until rundir_close or the next change. */
void rundir_on_data(RunDir *rl, const PreparedData *s);

/* A free-form journal line (e.g. the command line), KIND a single word. */
void rundir_note(RunDir *rl, const char *kind, const char *text);

/* The end of the run: final metrics for HParams, the journal's result
 * line, everything flushed and fsynced (flushed only after
 * rundir_open_nosync).  Returns the first I/O error of the
 * whole run, if any. */
ErrorCode rundir_finish(RunDir *rl, const TrainResult *r, Error *err);

/* The first I/O error met so far (ERROR_NONE if none); copies it to err.
 * Any thread may ask while the trainer thread writes (the dashboard turns
 * its panel red at once). */
ErrorCode rundir_error(const RunDir *rl, Error *err);

/* fn(ctx, e) is called once, at the first I/O failure while training runs,
 * on the thread whose write failed (the trainer thread, in a hook): e.g.
 * to stop or pause training.  Not for failures in rundir_finish, which
 * returns them. */
void rundir_on_failure(RunDir *rl, void (*fn)(void *ctx, const Error *e), void *ctx);

/* Logging off (the run goes on without files after a failure): a journal
 * line of kind log_off saying why, then nothing more is written, not even
 * by rundir_finish.  On the thread that drives the hooks. */
void rundir_off(RunDir *rl, const char *why);

/* Closes the files and frees rl (which may be NULL); does not finish. */
void rundir_close(RunDir *rl);

#endif
