/*
 * cmd_train.c - `gradtop train`: the engine headless, a line per epoch and
 * a machine-readable result line.
 *
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT (watched.h) ask the trainer to stop
 * at the next batch boundary; the run then ends normally, its files
 * complete, and the process exits 130 (131 for SIGQUIT).
 *
 * Standard output that can no longer be written (a full disk, a reader
 * that went away: SIGPIPE is ignored, so a closed pipe is EPIPE) stops the
 * run the same way, since nothing would report it; that is an I/O error,
 * exit 1.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"
#include "gradtop/run/modelfile.h"
#include "gradtop/run/run.h"
#include "gradtop/run/rundir.h"
#include "gradtop/logdir/runset.h"
#include "gradtop/run/prepared.h"
#include "gradtop/core/sysmem.h"
#include "gradtop/run/trainer.h"
#include "watched.h"

typedef struct {
    Task task;
    int epochs;
    int width;
    Trainer *trainer;      /* stopped when standard output fails */
    const char *out_error; /* why standard output failed, NULL while it works */
    int out_epoch;         /* the epoch whose line could not be written */
    bool log_stopped;      /* a run file failed while training ran: said, and stopped */
    const CliWatch *watch; /* its signal, the exit code of a second one (end_now) */
    pthread_mutex_t mu;    /* held while a hook writes (see end_now) */
    atomic_bool insisted;  /* a second signal waits for the hook to finish */
} Printer;

/* Ends the process at once (p->mu held: no record is half written). */
static void finish_now(Printer *p)
{
    fflush(stdout);
    fputs("gradtop: a second signal: ending now; the run files hold the epochs finished so far\n",
          stderr);
    _exit(cli_interrupted_exit(p->watch->sig.signal));
}

/* The run's hooks (the run log's, then these) run between printer_enter
 * and printer_leave, under p->mu (run.h). */
static void printer_enter(void *ctx)
{
    Printer *p = ctx;
    pthread_mutex_lock(&p->mu);
}

/* The end of a hook: a second signal that came meanwhile ends it here. */
static void printer_leave(void *ctx)
{
    Printer *p = ctx;
    if (atomic_load(&p->insisted)) finish_now(p);
    pthread_mutex_unlock(&p->mu);
}

/* After the run log took the epoch (run.h), its line. */
static void print_epoch(void *ctx, const EpochMetrics *m)
{
    Printer *p = ctx;
    if (p->out_error) return;
    printf("epoch %*d/%d  loss %.4f", p->width, m->epoch, p->epochs, m->loss);
    if (p->task == TASK_CLASSIFICATION)
        printf("  accuracy %.4f", m->accuracy);
    else
        printf("  mae %.4f  r2 %.4f", m->mae, m->r2);
    if (m->has_val) {
        printf("  val_loss %.4f", m->val_loss);
        if (p->task == TASK_CLASSIFICATION)
            printf("  val_accuracy %.4f", m->val_accuracy);
        else
            printf("  val_mae %.4f  val_r2 %.4f", m->val_mae, m->val_r2);
    }
    char rate[64];
    printf("  lr %s  %.2fs\n", optimizer_format_lr(m->lr, 6, rate, sizeof rate), m->seconds);
    p->out_error = output_stdout_error();
    if (p->out_error) {
        p->out_epoch = m->epoch;
        trainer_stop(p->trainer);
    }
}

static void print_event(void *ctx, const TrainEvent *e)
{
    (void)ctx;
    if (e->kind == EVENT_WARNING) fprintf(stderr, "gradtop: warning: %s\n", e->text);
    if (e->kind == EVENT_DIVERGED || e->kind == EVENT_SCHEDULE || e->kind == EVENT_EARLY_STOP ||
        e->kind == EVENT_RESTORE)
        fprintf(stderr, "gradtop: %s\n", e->text);
}

/* A run file could not be written (a full disk) while training ran: said
 * at once, naming the file; the run stops training at its next batch
 * (run.h), as for a failed standard output, since the run could no longer
 * be recorded. */
static void say_log_failure(void *ctx, const Error *e)
{
    Printer *p = ctx;
    p->log_stopped = true;
    fprintf(stderr, "gradtop: writing the run files failed: %s: training stops\n", e->msg);
}

/* SIGINT, SIGTERM, SIGHUP or SIGQUIT: training stops at its next batch
 * (sigwatch.h). */
static void stop_trainer(void *ctx)
{
    trainer_stop(ctx);
}

/* A second signal before the first one's stop took effect:
 * the process ends now, between two records (the hooks write under
 * p->mu), with what was written so far; during a hook, at its end; a
 * third ends it even then (a hook stuck on a write nobody reads). */
static void end_now(void *ctx)
{
    Printer *p = ctx;
    if (pthread_mutex_trylock(&p->mu) == 0) finish_now(p);
    if (!atomic_exchange(&p->insisted, true)) return;
    fputs("gradtop: a third signal: ending now, while a run file was being written\n", stderr);
    _exit(cli_interrupted_exit(p->watch->sig.signal));
}

static void print_result(const PreparedData *s, const TrainResult *r, const char *run)
{
    char text[768];
    train_result_text(r, s->train.task, text, sizeof text);
    printf("result: %s", text);
    if (run) printf(" run=%s", run);
    printf("\n");
}

static int run_training(const Options *o, const CliArgs *a, const RunResume *rr);

/* The value of series tag at index k, NAN when the run has no such series
 * or it does not line up with the loss series. */
static double series_at(const RunInfo *r, const char *tag, size_t k, size_t n)
{
    const RunSeries *s = runinfo_series(r, tag);
    return s && s->n == n ? s->value[k] : NAN;
}

/* Hands the earlier epochs of the run in dir (its metrics.csv) and the
 * epoch its model.gtm's weights are from (0: not recorded) to the trainer,
 * so that the best epoch carries over to the resumed run. */
static void seed_best(Trainer *t, const char *dir, const Options *earlier, int kept_epoch)
{
    RunSet rs;
    Error err = {0};
    if (runset_open(&rs, dir, &err)) return;
    const RunInfo *run = NULL;
    for (size_t i = 0; i < rs.n_runs && !run; i++)
        if (rs.runs[i]->kind == RUN_KIND_GRADTOP) run = rs.runs[i];
    const RunSeries *loss = run ? runinfo_series(run, "loss") : NULL;
    size_t n = loss ? loss->n : 0;
    EpochMetrics *m = n && n == loss->total ? calloc(n, sizeof *m) : NULL;
    if (!m) {
        fprintf(stderr,
                "gradtop: --resume: no earlier epochs read from %s/metrics.csv: the best epoch "
                "starts over\n",
                dir);
        runset_free(&rs);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        m[k].epoch = (int)loss->step[k];
        m[k].loss = loss->value[k];
        m[k].accuracy = series_at(run, "accuracy", k, n);
        m[k].mae = series_at(run, "mae", k, n);
        m[k].r2 = series_at(run, "r2", k, n);
        m[k].val_loss = series_at(run, "val_loss", k, n);
        m[k].has_val = isfinite(m[k].val_loss);
        m[k].val_accuracy = series_at(run, "val_accuracy", k, n);
        m[k].val_mae = series_at(run, "val_mae", k, n);
        m[k].val_r2 = series_at(run, "val_r2", k, n);
        m[k].lr = series_at(run, "lr", k, n);
    }
    trainer_seed_best(t, m, (int)n, earlier->monitor, earlier->min_delta, kept_epoch);
    free(m);
    runset_free(&rs);
}

/* train --resume RUNDIR: the run's stored options (the command line's on
 * top, e.g. more --epochs), its model and optimizer state, its files. */
/* A resumed run goes on with its own data, split and network: a DATASET,
 * or a data, network or seed option with another value than the run's, is
 * refused rather than half applied (the saved weights would not fit, or
 * validation rows would be trained on). --test only scores: it may change. */
static int refuse_changes(const Options *run, const Options *cli, const CliArgs *a)
{
    if (a->locked[option_count]) {
        fprintf(stderr,
                "gradtop train: --resume continues %s on its own dataset (%s): give no "
                "DATASET, or start a new run\n",
                a->resume, run->dataset);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < option_count; i++) {
        const OptionSpec *s = &option_table[i];
        bool kept = s->group == OPTGROUP_MODEL || !strcmp(s->name, "seed") ||
                    (s->group == OPTGROUP_DATA && strcmp(s->name, "test"));
        if (!a->locked[i] || !kept) continue;
        char mine[OPTIONS_PATH + 8], theirs[OPTIONS_PATH + 8];
        options_format(cli, s, mine, sizeof mine);
        options_format(run, s, theirs, sizeof theirs);
        if (!strcmp(mine, theirs)) continue;
        fprintf(stderr,
                "gradtop train: --%s %s: a resumed run keeps its data, split and network (%s "
                "has %s = %s); start a new run to change it\n",
                s->name, mine, a->resume, s->name, theirs);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int cmd_train(const Options *cli, const CliArgs *a)
{
    if (!a->resume) return run_training(cli, a, NULL);
    /* "" would be read as "/config.txt", a file of the root directory */
    if (!a->resume[0]) {
        fprintf(stderr, "gradtop train: --resume: an empty directory name (give the run "
                        "directory its result line names: run=DIR)\n");
        return EXIT_USAGE;
    }
    RunResume rr;
    Error err = {0};
    if (rundir_resume_load(&rr, a->resume, &err)) {
        fprintf(stderr, "gradtop: --resume: %s\n", err.msg);
        rundir_resume_free(&rr);
        return err.code == ERROR_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
    }
    if (rr.from_start)
        fprintf(stderr,
                "gradtop: --resume: %s ended in its first epoch, before any checkpoint: it "
                "trains again from the first epoch\n",
                a->resume);
    if (rr.changed_hp)
        fprintf(stderr,
                "gradtop: --resume: goes on with the hyperparameters in force at the end of epoch "
                "%d, changed while it trained from those of %s/config.txt (its journal.txt has "
                "each change)\n",
                rr.state.epoch, a->resume);
    Options o = rr.earlier;
    int rc = EXIT_USAGE;
    if (!refuse_changes(&o, cli, a) && !cli_overlay(&o, cli, a)) {
        o.no_log = cli->no_log;
        rundir_resume_options(&rr, &o);
        char note[1536];
        if (rundir_resume_note(&rr, a->resume, &o, note, sizeof note))
            fprintf(stderr, "gradtop: --resume: %s\n", note);
        rc = run_training(&o, a, &rr);
    }
    rundir_resume_free(&rr);
    return rc;
}

/* Puts a resumed run's state into t: checkpoint.gtm's whole state, or for
 * a run from before checkpoints model.gtm's weights and the best epoch
 * found in metrics.csv. */
static ErrorCode resume_trainer(Trainer *t, const RunResume *rr, const char *dir, Error *err)
{
    const SavedModel *sm = &rr->state;
    if (rr->from_start) return ERROR_NONE; /* a new run's weights and state */
    /* the network as the run left it: edits made while it trained are in
     * the saved shape, not in its options */
    ErrorCode rc = trainer_adopt_shape(t, &sm->shape, err);
    if (!rc)
        rc = trainer_load_state(t, sm->params, sm->n_params, sm->has_opt ? sm->opt_state : NULL,
                                sm->opt_kind, sm->opt_t, sm->epoch, sm->step, err);
    if (!rc && rr->from_checkpoint) rc = trainer_restore(t, &sm->state, rr->earlier.monitor, err);
    /* A saved state that does not fit the data: a file copied in from
     * another run, or a config.txt edited by hand.  Both are named. */
    if (rc == ERROR_INPUT)
        error_prefix(err, "--resume: %s/%s, on the data of %s/config.txt (%s)", dir,
                     rr->from_checkpoint ? "checkpoint.gtm" : "model.gtm", dir,
                     rr->earlier.dataset);
    if (rc || rr->from_checkpoint) return rc;
    /* model.gtm holds the best epoch's weights when the run kept them */
    if (rr->earlier.restore_best) seed_best(t, dir, &rr->earlier, sm->kept_epoch);
    return ERROR_NONE;
}

/* The exit code for err, a refusal before training: 1 for the machine's
 * fault, else 2. */
static int refused(TrainRun *run, const Error *err, const char *hint)
{
    fprintf(stderr, "gradtop: %s%s\n", err->msg, hint);
    trainrun_close(run);
    return err->code == ERROR_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
}

/* What run_training trains. */
typedef struct {
    const Options *o;
    const CliArgs *a;
    const RunResume *rr;
} Training;

/* run_training's part under the signal watch (watched.h). */
static int train_watched(CliWatch *watch, void *ctx)
{
    const Training *tr = ctx;
    const Options *o = tr->o;
    const CliArgs *a = tr->a;
    const RunResume *rr = tr->rr;
    const SavedModel *sm = rr ? &rr->state : NULL;
    Error err = {0};
    int rc = EXIT_OK;
    Printer pr = {.epochs = o->epochs, .watch = watch, .mu = PTHREAD_MUTEX_INITIALIZER};
    pr.width = snprintf(NULL, 0, "%d", o->epochs);
    TrainRunConfig cfg = {.hooks = {.ctx = &pr, .on_epoch = print_epoch, .on_event = print_event},
                          .enter = printer_enter,
                          .leave = printer_leave,
                          .log_required = true,
                          .on_log_failed = say_log_failure,
                          .resume_dir = sm ? a->resume : NULL,
                          .resume_epoch = sm ? sm->epoch : 0,
                          .resume_step = sm ? sm->step : 0};
    TrainRun run;
    trainrun_init(&run, &cfg);
    if (trainrun_open_data(&run, o, cli_exe_dir(), &err)) return refused(&run, &err, "");
    const PreparedData *s = run.sess;
    pr.task = s->train.task;
    int cores = sysmem_cores();
    if (o->threads > cores)
        fprintf(stderr,
                "gradtop: --threads %d: this machine has %d cores, so at most %d threads train\n",
                o->threads, cores, cores);
    if (o->hp.patience > 0 && s->val.n == 0 && !strncmp(o->monitor, "val_", 4)) {
        if (o->val_split > 0)
            fprintf(stderr,
                    "gradtop: no validation part (--val-split %g of %zu rows leaves none): early "
                    "stopping watches %s\n",
                    o->val_split, s->all.n, o->monitor + 4);
        else
            fprintf(stderr,
                    "gradtop: no validation part (--val-split 0): early stopping watches %s\n",
                    o->monitor + 4);
    }
    if (trainrun_prepare(&run, o, &err) || (rr && resume_trainer(run.trainer, rr, a->resume, &err)))
        return refused(&run, &err, "");
    pr.trainer = run.trainer;
    /* From here a signal stops the trainer; one that came while loading
     * ended the command, or ends it now, before anything is made. */
    if (!cli_watch_retarget(watch, stop_trainer, run.trainer)) {
        trainrun_close(&run);
        return cli_interrupted_exit(watch->sig.signal);
    }
    sigwatch_insist(&watch->sig, end_now, &pr);
    /* The run directory is made once the network is built (run.h) and
     * before training, so that an unwritable log directory is reported
     * before any time is spent. */
    if (trainrun_open_log(&run, &err))
        return refused(&run, &err, sm ? "" : " (or use --no-log)"); /* a resume writes its run */
    /* hyperparameters given with --resume change the run's from here on:
     * journaled as a change made while it trained would be */
    char changed[256];
    if (rr && run.log &&
        trainer_hparams_change(&rr->earlier.hp, &o->hp, true, changed, sizeof changed) > 0 &&
        strlen(changed) + 32 < sizeof changed) {
        strcat(changed, " (given to train --resume)");
        rundir_note(run.log, "change", changed);
    }
    ErrorCode trc = trainrun_run(&run, &err);
    int sig = sigwatch_join(&watch->sig);
    trainrun_end(&run);
    const TrainResult *r = &run.result;
    if (run.log_failed && !pr.log_stopped)
        fprintf(stderr, "gradtop: writing the run files failed: %s\n", run.log_error);
    const char *path = run.log_path[0] ? run.log_path : NULL;
    if (!pr.out_error) {
        print_result(s, r, path);
        pr.out_error = output_stdout_error();
    }
    if (pr.out_error) {
        char stopped[96] = "";
        if (r->status == TRAIN_STOPPED && pr.out_epoch)
            snprintf(stopped, sizeof stopped, ": training stopped after epoch %d of %d",
                     pr.out_epoch, o->epochs);
        bool complete = path && !run.log_failed;
        fprintf(stderr, "gradtop: standard output: %s%s%s%s%s\n", pr.out_error, stopped,
                complete ? "; the run files are complete (" : "", complete ? path : "",
                complete ? ")" : "");
    }
    /* Output that was lost comes first: whoever reads it cannot tell the
     * run's end from the exit code otherwise. */
    if (pr.out_error)
        rc = EXIT_RUNTIME;
    else if (trc == ERROR_DIVERGED)
        rc = EXIT_DIVERGED;
    else if (trc) {
        fprintf(stderr, "gradtop: %s\n", err.msg);
        rc = EXIT_RUNTIME;
    } else if (sig)
        rc = cli_interrupted_exit(sig);
    else if (run.log_failed)
        rc = EXIT_RUNTIME;
    trainrun_close(&run);
    return rc;
}

static int run_training(const Options *o, const CliArgs *a, const RunResume *rr)
{
    if (!o->dataset[0]) {
        fprintf(stderr, "gradtop train: no dataset given\n");
        cli_hint(stderr, "train");
        return EXIT_USAGE;
    }
    Training tr = {o, a, rr};
    return cli_run_watched("gradtop: interrupted before training started; nothing was written",
                           train_watched, &tr);
}
