/*
 * cmd_sweep.c - `gradtop sweep`: a hyperparameter search, headless: a line
 * per trial event, then a machine-readable result line naming the best
 * trial.  The executor (exec.h) runs the trials; this file loads the data
 * once, makes the sweep directory, prints, and turns SIGINT, SIGTERM,
 * SIGHUP and SIGQUIT into a stop of every trial after its batch (the files
 * are then written whole, and the exit code is 130, 131 for SIGQUIT), as
 * train does.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tui/sweepview.h"
#include "cli.h"
#include "output.h"
#include "gradtop/io/atomicfile.h"
#include "gradtop/run/prepared.h"
#include "gradtop/sweep/exec.h"
#include "watched.h"

typedef struct {
    const char *out_error; /* standard output failed: the sweep stops */
    SweepExec *x;
} SweepPrinter;

static void print_event(void *ctx, const SweepExec *x, const SweepEvent *e)
{
    SweepPrinter *p = ctx;
    if (p->out_error) return;
    char line[OPTIONS_SPACE + 1200];
    sweep_event_text(x, e, SWEEP_PAIRS_HEADLESS, line, sizeof line);
    printf("%s\n", line);
    p->out_error = output_stdout_error(); /* flushes: errno then says why it failed */
    if (p->out_error) sweep_exec_stop(p->x);
}

static void stop_sweep(void *ctx)
{
    sweep_exec_stop(ctx);
}

/* The result line: the best trial, its configuration and figures. */
static void print_result(const SweepExec *x, bool stopped)
{
    int b = sweep_exec_best(x);
    long epochs = 0;
    for (int i = 0; i < x->n_started; i++) epochs += x->trials[i].epochs;
    printf("result: status=%s trials=%d epochs_total=%ld", stopped ? "stopped" : "completed",
           x->n_started, epochs);
    if (b >= 0) {
        const SweepTrial *t = &x->trials[b];
        char cfg[OPTIONS_SPACE], pairs[800];
        sweep_exec_config_text(x, t, cfg, sizeof cfg);
        printf(" best_trial=%d config=%s", b, cfg);
        if (t->has_result) {
            sweep_result_pairs(x, t, SWEEP_PAIRS_HEADLESS, pairs, sizeof pairs);
            printf(" %s", pairs);
        } else {
            printf(" %s=%.6g", monitor_names[x->monitor], t->best);
        }
        if (t->run[0]) printf(" run=%s", t->run);
    } else {
        printf(" best_trial=none");
    }
    if (x->dir[0]) printf(" sweep=%s", x->dir);
    printf("\n"); /* the caller flushes it (output_stdout_error) */
}

/* What cmd_sweep runs. */
typedef struct {
    const Options *o;
    const char *resume;
} Sweep;

/* cmd_sweep's part under the signal watch (watched.h). */
static int sweep_watched(CliWatch *watch, void *ctx)
{
    const Options *o = ((const Sweep *)ctx)->o;
    const char *resume = ((const Sweep *)ctx)->resume;
    Error err = {0};
    PreparedData data;
    if (prepared_open(&data, o, cli_exe_dir(), &err)) {
        fprintf(stderr, "gradtop: %s\n", err.msg);
        return err.code == ERROR_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
    }
    SweepExec *x = calloc(1, sizeof *x);
    SweepPrinter pr = {.x = x};
    SweepHooks hooks = {.ctx = &pr, .on_event = print_event};
    int rc = EXIT_OK;
    if (!x) {
        fprintf(stderr, "gradtop: out of memory\n");
        prepared_close(&data);
        return EXIT_RUNTIME;
    }
    if (sweep_exec_init(x, o, &data, NULL, &hooks, &err)) {
        /* options that do not go together came from space.txt, not from
         * the command line, which gave none */
        if (resume && err.code == ERROR_INPUT && !strncmp(err.msg, "--", 2))
            error_prefix(&err, "--resume: %s/space.txt", resume);
        fprintf(stderr, "gradtop: %s\n", err.msg);
        rc = err.code == ERROR_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
        goto out;
    }
    if (!cli_watch_retarget(watch, stop_sweep, x)) {
        rc = cli_interrupted_exit(watch->sig.signal);
        goto out;
    }
    if (sweep_exec_open_dir(x, resume, &err)) {
        fprintf(stderr, "gradtop: %s\n", err.msg);
        rc = resume || err.code != ERROR_RUNTIME ? EXIT_USAGE : EXIT_RUNTIME;
        goto out;
    }
    ErrorCode xrc = sweep_exec_run(x, &err);
    int sig = sigwatch_join(&watch->sig);
    if (!pr.out_error) {
        /* files that failed (space.txt before any trial) end it too */
        print_result(x, sig || x->stopping || xrc);
        pr.out_error = output_stdout_error();
    }
    int best = sweep_exec_best(x);
    bool diverged = false;
    for (int i = 0; i < x->n_started; i++) diverged |= x->trials[i].status == TRIAL_DIVERGED;
    if (pr.out_error) {
        fprintf(stderr, "gradtop: standard output: %s\n", pr.out_error);
        rc = EXIT_RUNTIME;
    } else if (xrc) {
        fprintf(stderr, "gradtop: %s\n", err.msg);
        rc = EXIT_RUNTIME;
    } else if (sig) {
        rc = cli_interrupted_exit(sig);
    } else if (best < 0 && diverged) {
        rc = EXIT_DIVERGED;
    } else if (best < 0) {
        fprintf(stderr, "gradtop: no trial finished an epoch\n");
        rc = EXIT_RUNTIME;
    }
out:
    sweep_exec_free(x);
    free(x);
    prepared_close(&data);
    return rc;
}

/* Whether option i may be given beside --resume: --paused, which says how
 * the sweep screen starts and changes no trial. */
static bool resume_takes(size_t i)
{
    return i < option_count && strcmp(option_table[i].name, "paused") == 0;
}

/* sweep --resume SWEEPDIR: the sweep's own options, from its space.txt;
 * the command line (cli) may add nothing else, since the trials made so
 * far were made with those: the first it gives is named. */
static int resume_options(const Options *cli, const CliArgs *a, Options *o)
{
    for (size_t i = 0; i <= option_count; i++) {
        if (!a->locked[i] || resume_takes(i)) continue;
        char given[OPTIONS_SPACE + 64], v[OPTIONS_SPACE];
        if (i == option_count) {
            error_quote_text(v, sizeof v, cli->dataset, strlen(cli->dataset));
            snprintf(given, sizeof given, "the dataset %s", v);
        } else {
            options_format(cli, &option_table[i], v, sizeof v);
            snprintf(given, sizeof given, "--%s %s", option_table[i].name, v);
        }
        fprintf(stderr,
                "gradtop sweep: %s: --resume goes on with the sweep's own options, those its "
                "trials so far were made with (%s/space.txt): give no others; to run it with "
                "other options, start a new sweep with --config %s/space.txt and them\n",
                given, a->resume, a->resume);
        return EXIT_USAGE;
    }
    if (!a->resume[0]) {
        fprintf(stderr, "gradtop sweep: --resume: an empty directory name (give the sweep "
                        "directory its result line names: sweep=DIR)\n");
        return EXIT_USAGE;
    }
    struct stat st;
    int se = stat(a->resume, &st) != 0 ? errno : 0;
    if (se || !S_ISDIR(st.st_mode)) {
        fprintf(stderr,
                "gradtop sweep: --resume: %s: %s (give the sweep directory its result line "
                "names: sweep=DIR)\n",
                a->resume, se ? strerror(se) : "not a directory");
        return EXIT_USAGE;
    }
    char path[OPTIONS_PATH + 16];
    snprintf(path, sizeof path, "%s/space.txt", a->resume);
    if (access(path, F_OK) != 0 && errno == ENOENT) {
        /* space.txt is the first file a sweep writes, before any trial */
        fprintf(stderr,
                "gradtop sweep: --resume: %s has no space.txt: not a sweep directory, or one "
                "whose sweep was cut before it began (no trial had started: run the sweep "
                "again)\n",
                a->resume);
        return EXIT_USAGE;
    }
    Error err = {0};
    options_default(o);
    if (options_load_file(o, path, NULL, &err)) {
        fprintf(stderr, "gradtop: --resume: %s\n", err.msg);
        return err.code == ERROR_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
    }
    if (!o->space[0]) {
        fprintf(stderr,
                "gradtop sweep: --resume: %s has no 'space = ...' line: not the space.txt a sweep "
                "writes (a run's config.txt?), or one edited\n",
                path);
        return EXIT_USAGE;
    }
    /* three lines at most (dataset, test, labels), each naming space.txt's
     * path and place, the relative path and the absolute one */
    char note[3 * (ATOMICFILE_PATH + 32 + 2 * OPTIONS_PATH + 256)];
    if (sweep_resume_paths(o, a->resume, note, sizeof note, &err)) {
        fprintf(stderr, "gradtop: --resume: %s\n", err.msg);
        return EXIT_USAGE;
    }
    if (note[0]) fprintf(stderr, "gradtop: --resume: %s\n", note);
    o->no_log = false;
    o->paused = cli->paused;
    return EXIT_OK;
}

int cmd_sweep(const Options *cli, const CliArgs *a)
{
    Options resumed;
    const Options *o = cli;
    if (a->resume) {
        int rc = resume_options(cli, a, &resumed);
        if (rc) return rc;
        o = &resumed;
    }
    if (!o->dataset[0]) {
        fprintf(stderr, "gradtop sweep: no dataset given\n");
        cli_hint(stderr, "sweep");
        return EXIT_USAGE;
    }
    /* on a terminal, the sweep screen; else one line per event */
    if (isatty(STDOUT_FILENO) && isatty(STDIN_FILENO))
        return sweepview_main(o, a->resume, cli_exe_dir(), NULL, 0);
    int refused = cli_refuse_headless_paused("sweep", o, a);
    if (refused) return refused;
    Sweep sw = {o, a->resume};
    return cli_run_watched("gradtop: interrupted before the sweep started; nothing was written",
                           sweep_watched, &sw);
}
