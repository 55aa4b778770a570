/*
 * cmd_race.c - `gradtop race`: the race screen on a terminal
 * (src/tui/race.c); without one, the headless race: one line per epoch per
 * racer on standard output, then a result line per racer.  SIGINT, SIGTERM,
 * SIGHUP or SIGQUIT stops every racer at its next batch, each run ending
 * normally with its files complete (exit 130, 131 for SIGQUIT).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tui/race.h"
#include "cli.h"
#include "gradtop/run/presets.h"
#include "gradtop/run/prepared.h"
#include "gradtop/run/racers.h"
#include "gradtop/run/run.h"
#include "output.h"
#include "watched.h"

typedef struct Headless Headless;

typedef struct {
    Headless *race; /* the race it runs in */
    RacerSpec spec;
    TrainRun run;
    bool started;  /* its thread runs; under print_mu */
    bool log_said; /* its run files' failure was said when it happened */
} Racer;

struct Headless {
    Racer r[RACE_MAX];
    int n;
    int name_w; /* the lines' name column: the longest name */
    PreparedData sess;
    /* why standard output failed (NULL while it works), and after which
     * racer's epoch; under print_mu */
    const char *out_error;
    const Racer *out_racer;
    int out_epoch;
    bool interrupted; /* a signal stopped the race: a racer that starts later stops at once */
    /* what the race runs on */
    const Options *opt;
    const char *exe_dir;
};

/* Guards the lines on standard output, out_error, interrupted and the
 * racers' started flags (a racer's trainer thread stops the others when
 * standard output fails, the watch's thread all of them at a signal). */
static pthread_mutex_t print_mu = PTHREAD_MUTEX_INITIALIZER;

void race_details(FILE *f)
{
    fprintf(f,
            "Trains 2 to 4 configurations from the same initial weights and the same\n"
            "batch order (--seed), side by side on one chart.  The options apply to every\n"
            "racer; a racer's own KEY=VALUE pairs override them for that racer alone.\n"
            "\n"
            "--racers SPEC: racers separated by ';', each OPTIMIZER[:KEY=VALUE,...]\n"
            "  with KEY the optimizer's parameters (lr, momentum, nesterov, beta1, beta2,\n"
            "  rho, eps, ...) or any model or training option (layers, activation,\n"
            "  batch-size, epochs, l2, dropout, patience, lr-schedule, seed, ...); a list\n"
            "  keeps its commas (adam:layers=64,32,lr=0.01).  A racer's seed changes its\n"
            "  initial weights and batch order, while the split follows the shared --seed.\n"
            "  name=NAME (letters, digits, . _ - +; at most %d) names the racer and its\n"
            "  run directory.  The data options (val-split, normalize, ...), logdir,\n"
            "  no-log and config are shared: refused as KEYs, as is a KEY given twice.\n"
            "  default: \"%s\";\n"
            "  for the generated 2-D sets: \"%s\"\n"
            "\n"
            "The header shows what all racers share; each racer's row shows its own\n"
            "settings where they differ.\n"
            "Keys: space pauses or resumes all, n steps all one batch while paused,\n"
            "s stops all, < and > slow down or speed up every racer's pace (as the\n"
            "dashboard's: max, 50e ... 1e, 10b ... 1b), l log scale, [ ] smoothing,\n"
            "? or h shows the keys and how to read the screen, q quits (y confirms).\n"
            "When a racer's run files cannot be written (a full disk), it pauses and\n"
            "the status line says so in red: w goes on without run files.\n"
            "Each racer's run files go to LOGDIR/...-DATASET-RACER/ unless --no-log.\n"
            "Without a terminal on stdout, prints one line per epoch per racer and a\n"
            "result line per racer; SIGINT, SIGTERM or SIGHUP stops every racer after\n"
            "its batch, with its files complete, and exits 130 (SIGQUIT too, exit 131).\n",
            RACE_NAME_MAX, RACE_DEFAULT, preset_racers(presets[0].dataset, RACE_DEFAULT));
}

/* A line for rc's epoch m, on rc's trainer thread.  Standard output that
 * can no longer be written (a full disk, a reader that went away: SIGPIPE
 * is ignored here) stops every racer at its next batch, as `gradtop train`
 * stops its run: nothing would report the race otherwise. */
static void print_epoch(void *ctx, const EpochMetrics *m)
{
    Racer *rc = ctx;
    Headless *race = rc->race;
    bool reg = rc->run.sess->train.task == TASK_REGRESSION;
    pthread_mutex_lock(&print_mu);
    if (race->out_error) {
        pthread_mutex_unlock(&print_mu);
        return;
    }
    printf("%-*s epoch %4d/%d  loss %.4f  %s %.4f", race->name_w, rc->spec.name, m->epoch,
           rc->run.opt.epochs, m->loss, reg ? "mae" : "accuracy", reg ? m->mae : m->accuracy);
    if (m->has_val)
        printf("  val_loss %.4f  %s %.4f", m->val_loss, reg ? "val_mae" : "val_accuracy",
               reg ? m->val_mae : m->val_accuracy);
    char rate[64];
    printf("  lr %s  %.2fs\n", optimizer_format_lr(m->lr, 4, rate, sizeof rate), m->seconds);
    race->out_error = output_stdout_error();
    if (race->out_error) {
        race->out_racer = rc;
        race->out_epoch = m->epoch;
        for (int i = 0; i < race->n; i++)
            if (race->r[i].started) trainer_stop(race->r[i].run.trainer);
    }
    pthread_mutex_unlock(&print_mu);
}

/* A racer's run file could not be written (a full disk), on its trainer
 * thread: said at once, naming the file; the racer stops at its next
 * batch (gradtop/run/run.h), as `gradtop train` does. */
static void say_log_failed(void *ctx, const Error *e)
{
    Racer *rc = ctx;
    pthread_mutex_lock(&print_mu);
    rc->log_said = true;
    fprintf(stderr, "gradtop race: %s: writing the run files failed: %s: %s stops\n", rc->spec.name,
            e->msg, rc->spec.name);
    pthread_mutex_unlock(&print_mu);
}

/* SIGINT, SIGTERM, SIGHUP or SIGQUIT, as in `gradtop train` (watched.h): every
 * started racer stops at its next batch, and one still starting as soon
 * as it has (racer_started). */
static void stop_racers(void *ctx)
{
    Headless *race = ctx;
    pthread_mutex_lock(&print_mu);
    race->interrupted = true;
    for (int i = 0; i < race->n; i++)
        if (race->r[i].started) trainer_stop(race->r[i].run.trainer);
    pthread_mutex_unlock(&print_mu);
}

/* rc's thread runs: from now on a failed standard output or a signal
 * stops it too, and one that has already come stops it at once. */
static void racer_started(Headless *race, Racer *rc)
{
    pthread_mutex_lock(&print_mu);
    rc->started = true;
    if (race->out_error || race->interrupted) trainer_stop(rc->run.trainer);
    pthread_mutex_unlock(&print_mu);
}

/* Builds every racer's trainer, then (all of them could be built) makes
 * their run directories and starts them: a racer refused for its network
 * leaves no racer's directory behind.  The process exit code: 0, or 1 or
 * 2 (said on stderr) when a racer cannot start, in which case the racers
 * already started have been told to stop. */
static int start_racers(Headless *race)
{
    Error err;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < race->n; i++) {
            Racer *rc = &race->r[i];
            error_clear(&err);
            ErrorCode ec = pass == 0 ? trainrun_prepare(&rc->run, &rc->spec.opt, &err)
                                     : trainrun_open_log(&rc->run, &err);
            if (!ec && pass == 1) ec = trainrun_start(&rc->run, &err);
            if (ec) {
                fprintf(stderr, "gradtop race: %s: %s\n", rc->spec.name, err.msg);
                /* the racers already started end at their next batch */
                for (int j = 0; j < i && pass == 1; j++) trainer_stop(race->r[j].run.trainer);
                return err.code == ERROR_RUNTIME ? 1 : 2;
            }
            if (pass == 1) racer_started(race, rc);
        }
    }
    return 0;
}

/* Runs the racers, prints their result lines; the process exit code. */
static int run_racers(Headless *race, CliWatch *watch)
{
    bool log_failed = false, diverged = false;
    /* from here a signal stops the racers; one that came while loading
     * ends the race before any racer starts */
    if (!cli_watch_retarget(watch, stop_racers, race))
        return cli_interrupted_exit(watch->sig.signal);
    int code = start_racers(race);
    for (int i = 0; i < race->n; i++)
        if (race->r[i].started) trainrun_join(&race->r[i].run);
    /* the trainers stay until the watch thread, which may stop them, ends */
    int sig = sigwatch_join(&watch->sig);
    for (int i = 0; i < race->n; i++) {
        Racer *rc = &race->r[i];
        if (!rc->started) continue;
        trainrun_end(&rc->run);
        const TrainResult *res = &rc->run.result;
        if (!race->out_error) {
            char text[768];
            train_result_text(res, rc->run.sess->train.task, text, sizeof text);
            printf("result: racer=%s %s", rc->spec.name, text);
            if (rc->run.log_path[0]) printf(" run=%s", rc->run.log_path);
            printf("\n");
            race->out_error = output_stdout_error();
        }
        if (rc->run.log_error[0]) {
            if (!rc->log_said) fprintf(stderr, "gradtop race: %s\n", rc->run.log_error);
            log_failed = true;
        }
        if (res->status == TRAIN_DIVERGED) diverged = true;
    }
    if (race->out_error) {
        char stopped[96] = "";
        if (race->out_racer)
            snprintf(stopped, sizeof stopped, ": every racer stopped (%s after epoch %d)",
                     race->out_racer->spec.name, race->out_epoch);
        bool logged = !log_failed;
        for (int i = 0; i < race->n; i++) logged &= race->r[i].run.log_path[0] != '\0';
        fprintf(stderr, "gradtop race: standard output: %s%s%s\n", race->out_error, stopped,
                logged ? "; the run files are complete" : "");
    }
    /* in `gradtop train`'s order: output that was lost (whoever reads it
     * cannot tell the race's end from the exit code otherwise), a racer
     * that could not start, then 3 when a racer diverged (the others'
     * results are still printed and saved), then 130 for SIGINT, SIGTERM
     * and SIGHUP alike (131 for SIGQUIT), then 1 for unwritten files */
    if (race->out_error) code = 1;
    if (code == 0 && diverged) code = 3;
    if (code == 0 && sig) code = cli_interrupted_exit(sig);
    if (code == 0 && log_failed) code = 1;
    return code;
}

/* The headless race's part under the signal watch (watched.h): the data,
 * then the racers.  A closed pipe on stdout is EPIPE, which stops the race
 * cleanly (print_epoch). */
static int race_watched(CliWatch *watch, void *ctx)
{
    Headless *race = ctx;
    Error err;
    error_clear(&err);
    if (prepared_open(&race->sess, race->opt, race->exe_dir, &err)) {
        fprintf(stderr, "gradtop race: %s\n", err.msg);
        return err.code == ERROR_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
    }
    for (int i = 0; i < race->n; i++) trainrun_share_data(&race->r[i].run, &race->sess);
    int code = run_racers(race, watch);
    prepared_close(&race->sess);
    return code;
}

static int race_headless(const Options *o, const char *racers, const char *exe_dir)
{
    if (!o->dataset[0]) {
        fprintf(stderr, "gradtop race: needs a DATASET (for example: gradtop race spiral)\n");
        return 2;
    }
    Headless *race = calloc(1, sizeof *race);
    if (!race) return 1;
    RacerSpec *specs = calloc(RACE_MAX, sizeof *specs);
    char why[512];
    if (!specs || !racers_parse(o, racers, specs, &race->n, why, sizeof why)) {
        if (specs) fprintf(stderr, "gradtop race: %s\n", why);
        free(specs);
        free(race);
        return specs ? 2 : 1;
    }
    race->name_w = 10;
    for (int i = 0; i < race->n; i++) {
        Racer *rc = &race->r[i];
        rc->race = race;
        rc->spec = specs[i];
        int w = (int)strlen(rc->spec.name);
        if (w > race->name_w) race->name_w = w;
        TrainRunConfig cfg = {.hooks = {.ctx = rc, .on_epoch = print_epoch},
                              .on_log_failed = say_log_failed,
                              .note = "optimizer race"};
        trainrun_init(&rc->run, &cfg);
    }
    free(specs);
    race->opt = o;
    race->exe_dir = exe_dir;
    /* The signal handlers go in before the data loads, as `gradtop
     * train`'s: an interrupt while loading ends the race at once. */
    int code =
        cli_run_watched("gradtop race: interrupted before the race started; nothing was written",
                        race_watched, race);
    for (int i = 0; i < race->n; i++) trainrun_close(&race->r[i].run);
    free(race);
    return code;
}

int cmd_race(const Options *o, const CliArgs *a)
{
    if (isatty(STDOUT_FILENO) && isatty(STDIN_FILENO))
        return race_main(o, a->racers, cli_exe_dir(), NULL, 0);
    int refused = cli_refuse_headless_paused("race", o, a);
    if (refused) return refused;
    return race_headless(o, a->racers, cli_exe_dir());
}
