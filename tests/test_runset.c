/* test_runset.c - the runs of a log directory as `gradtop view` sees them:
 * gradtop runs written by the real run log, Keras- and PyTorch-style event
 * files written by the real tfevents writer, a hand-made legacy run in
 * tests/data/runs; listing, sorting, filtering, the hyperparameters that
 * differ, statuses, incremental refresh and damaged files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "gradtop/run/rundir.h"
#include "gradtop/logdir/runset.h"
#include "gradtop/io/tfevents.h"

/* ---- fixtures -------------------------------------------------------- */

typedef struct {
    char tmp[64];
    char logdir[128];
} Env;

static void rm_rf(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        unlink(path);
        return;
    }
    struct dirent *e;
    char p[4096];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (snprintf(p, sizeof p, "%s/%s", path, e->d_name) < (int)sizeof p) rm_rf(p);
    }
    closedir(d);
    rmdir(path);
}

static int env_setup(void **state)
{
    Env *e = calloc(1, sizeof *e);
    strcpy(e->tmp, "/tmp/gradtop-runs-XXXXXX");
    if (!mkdtemp(e->tmp)) return -1;
    snprintf(e->logdir, sizeof e->logdir, "%s/logs", e->tmp);
    if (mkdir(e->logdir, 0755) != 0) return -1;
    *state = e;
    return 0;
}

static int env_teardown(void **state)
{
    Env *e = *state;
    rm_rf(e->tmp);
    free(e);
    return 0;
}

/* snprintf that fails the test instead of truncating a path. */
static void pathf(char *dst, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void pathf(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < cap);
}

static void mkdirs(const char *path)
{
    char buf[4096];
    pathf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        mkdir(buf, 0755);
        *p = '/';
    }
    mkdir(buf, 0755);
}

static void write_file(const char *path, const char *text, const char *mode)
{
    FILE *f = fopen(path, mode);
    if (!f) fail_msg("cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* Sets the modification time of every file under path to `age` seconds ago. */
static void age_files(const char *path, double age)
{
    struct timeval now;
    gettimeofday(&now, NULL);
    struct timespec t[2] = {{now.tv_sec - (time_t)age, 0}, {now.tv_sec - (time_t)age, 0}};
    DIR *d = opendir(path);
    if (!d) return;
    struct dirent *e;
    char p[4096];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        pathf(p, sizeof p, "%s/%s", path, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) age_files(p, age);
        utimensat(AT_FDCWD, p, t, 0);
    }
    closedir(d);
}

/* A gradtop run written through the real RunDir with a hand-made session
 * (iris-like: 150 rows, 120/30 split), as tests/test_runlog.c does. */
typedef struct {
    Options o;
    PreparedData s;
    RunDir *rl;
    char path[4096];
} TestRun;

/* optimizer and momentum: NULL keeps the default. */
static TestRun *start_run_with(const char *logdir, const char *name, const char *optimizer,
                               double lr, const char *momentum)
{
    TestRun *t = calloc(1, sizeof *t);
    options_default(&t->o);
    snprintf(t->o.logdir, sizeof t->o.logdir, "%s", logdir);
    snprintf(t->o.dataset, sizeof t->o.dataset, "datasets/iris.csv");
    snprintf(t->o.name, sizeof t->o.name, "%s", name);
    t->o.val_split = 0.2;
    /* the best figure follows the run's monitor: these runs' is their
     * validation accuracy */
    snprintf(t->o.monitor, sizeof t->o.monitor, "val_accuracy");
    if (optimizer) {
        Error e = {0};
        assert_int_equal(options_set(&t->o, options_find("optimizer"), optimizer, NULL, &e),
                         ERROR_NONE);
        optimizer_params_default(&t->o.hp.opt, t->o.hp.opt.kind);
    }
    t->o.hp.opt.lr = lr;
    if (momentum) {
        Error e = {0};
        assert_int_equal(options_set(&t->o, options_find("momentum"), momentum, NULL, &e),
                         ERROR_NONE);
    }
    t->s.opt = t->o;
    snprintf(t->s.all.source, sizeof t->s.all.source, "datasets/iris.csv");
    snprintf(t->s.all.name, sizeof t->s.all.name, "iris");
    t->s.all.n = 150;
    t->s.all.d = 4;
    t->s.all.task = TASK_CLASSIFICATION;
    t->s.all.n_classes = 3;
    t->s.train.n = 120;
    t->s.val.n = 30;
    Error err = {0};
    assert_int_equal(rundir_open(&t->rl, &t->o, &t->s, &err), ERROR_NONE);
    snprintf(t->path, sizeof t->path, "%s", rundir_path(t->rl));
    return t;
}

static TestRun *start_run(const char *logdir, const char *name, const char *optimizer, double lr)
{
    return start_run_with(logdir, name, optimizer, lr, NULL);
}

/* Epoch ep with val_accuracy acc (loss falling with the epoch). */
static void run_epoch(TestRun *t, int ep, double val_acc)
{
    EpochMetrics m = {0};
    m.epoch = ep;
    m.step = 4L * ep;
    m.wall_time = 1700000000.0 + ep;
    m.loss = 1.0 / ep;
    m.accuracy = 0.5 + 0.1 * ep;
    m.has_val = true;
    m.val_loss = 2.0 / ep;
    m.val_accuracy = val_acc;
    m.lr = t->o.hp.opt.lr;
    rundir_on_epoch(t->rl, &m);
}

/* best_epoch 0: none in the result line (the best figure is then the
 * series' extreme) */
static void finish_run_best(TestRun *t, TrainStatus status, int epochs, int best_epoch)
{
    TrainResult r = {.status = status, .epochs = epochs, .best_epoch = best_epoch};
    Error err = {0};
    assert_int_equal(rundir_finish(t->rl, &r, &err), ERROR_NONE);
}

static void finish_run(TestRun *t, TrainStatus status, int epochs)
{
    finish_run_best(t, status, epochs, 0);
}

static void close_run(TestRun *t)
{
    rundir_close(t->rl);
    free(t);
}

/* An event file in dir (created) with wall times from t0 and one scalar per
 * (tag, step) pair: value = base + step * slope. */
static void write_events(const char *dir, double t0, const char *const *tags, const double *base,
                         const double *slope, int n_tags, int steps, int first_step)
{
    mkdirs(dir);
    TfeWriter *w;
    Error err = {0};
    assert_int_equal(tfevents_open(&w, dir, t0, NULL, &err), ERROR_NONE);
    for (int s = first_step; s < first_step + steps; s++)
        for (int k = 0; k < n_tags; k++)
            assert_int_equal(
                tfevents_write_scalar(w, tags[k], s, (float)(base[k] + s * slope[k]), t0 + s, &err),
                ERROR_NONE);
    assert_int_equal(tfevents_close(w, &err), ERROR_NONE);
}

/* Keras's TensorBoard callback: RUN/train and RUN/validation. */
static void write_keras_run(const char *run, double t0, int epochs)
{
    char p[4096];
    const char *tags[2] = {"epoch_loss", "epoch_accuracy"};
    double tb[2] = {1.0, 0.5}, ts[2] = {-0.1, 0.05};
    pathf(p, sizeof p, "%s/train", run);
    write_events(p, t0, tags, tb, ts, 2, epochs, 0);
    double vb[2] = {1.2, 0.4}, vs[2] = {-0.1, 0.1};
    pathf(p, sizeof p, "%s/validation", run);
    write_events(p, t0, tags, vb, vs, 2, epochs, 0);
}

static const RunInfo *find_named(const RunSet *rs, const char *name)
{
    for (size_t i = 0; i < rs->n_runs; i++)
        if (strcmp(rs->runs[i]->name, name) == 0) return rs->runs[i];
    return NULL;
}

static const RunInfo *find_containing(const RunSet *rs, const char *part)
{
    for (size_t i = 0; i < rs->n_runs; i++)
        if (strstr(rs->runs[i]->name, part)) return rs->runs[i];
    return NULL;
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* ---- listing ----------------------------------------------------------- */

static void lists_gradtop_keras_and_pytorch_runs_with_their_series(void **state)
{
    Env *env = *state;
    double before = (double)time(NULL);
    TestRun *t = start_run(env->logdir, "alpha", NULL, 0.01);
    run_epoch(t, 1, 0.5);
    run_epoch(t, 2, 0.75);
    run_epoch(t, 3, 0.625);
    finish_run(t, TRAIN_DONE, 3);
    char gname[4096];
    pathf(gname, sizeof gname, "%s", base_name(t->path));
    close_run(t);

    char p[4096];
    pathf(p, sizeof p, "%s/keras/fit1", env->logdir);
    write_keras_run(p, 1600000000.0, 4);
    pathf(p, sizeof p, "%s/torch/exp1", env->logdir);
    const char *tags[2] = {"Loss/train", "Loss/val"};
    double b[2] = {2.0, 3.0}, s[2] = {-0.25, -0.5};
    write_events(p, 1500000000.0, tags, b, s, 2, 5, 1);

    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    assert_int_equal(rs.n_runs, 3);
    assert_int_equal(rs.warnings, 0);

    const RunInfo *g = find_named(&rs, gname);
    assert_non_null(g);
    assert_int_equal(g->kind, RUN_KIND_GRADTOP);
    assert_string_equal(g->dataset, "iris");
    assert_int_equal(g->task, RUN_TASK_CLASSIFICATION);
    assert_string_equal(g->status, "completed");
    assert_true(g->has_options);
    assert_true(fabs(g->options.hp.opt.lr - 0.01) < 1e-12);
    assert_int_equal(g->warnings, 0);
    const RunSeries *loss = runinfo_series(g, "loss");
    assert_non_null(loss);
    assert_int_equal(loss->n, 3);
    assert_int_equal(loss->step[0], 1);
    assert_int_equal(loss->step[2], 3);
    assert_true(fabs(loss->value[1] - 0.5) < 1e-9);
    assert_true(fabs(loss->wall_time[0] - 1700000001.0) < 1e-6);
    assert_non_null(runinfo_series(g, "learning_rate"));
    assert_null(runinfo_series(g, "lr"));
    assert_null(runinfo_series(g, "epoch"));
    assert_string_equal(g->best_tag, "val_accuracy");
    assert_true(g->best_higher);
    assert_true(fabs(g->best_value - 0.75) < 1e-9);
    assert_int_equal(g->best_step, 2);
    /* the run started after `before`, and the listing was read after it
     * ended: no bound on how long that took */
    double after = (double)time(NULL) + 1;
    assert_true(g->start_time >= before && g->start_time <= after);

    const RunInfo *k = find_named(&rs, "keras/fit1");
    assert_non_null(k);
    assert_int_equal(k->kind, RUN_KIND_KERAS);
    assert_string_equal(k->dataset, "");
    assert_int_equal(k->task, RUN_TASK_CLASSIFICATION);
    assert_int_equal(k->n_series, 4);
    const RunSeries *kl = runinfo_series(k, "loss"), *kva = runinfo_series(k, "val_accuracy");
    assert_non_null(kl);
    assert_non_null(runinfo_series(k, "accuracy"));
    assert_non_null(runinfo_series(k, "val_loss"));
    assert_non_null(kva);
    assert_null(runinfo_series(k, "epoch_loss"));
    assert_int_equal(kl->n, 4);
    assert_int_equal(kl->step[0], 0);
    assert_true(fabs(kl->value[3] - 0.7) < 1e-6);
    /* val_accuracy 0.4 + 0.1 * epoch, best at the last epoch (3) */
    assert_string_equal(k->best_tag, "val_accuracy");
    assert_true(fabs(k->best_value - 0.7) < 1e-6);
    assert_int_equal(k->best_step, 3);
    assert_true(fabs(k->start_time - 1600000000.0) < 1e-6);

    const RunInfo *tr = find_named(&rs, "torch/exp1");
    assert_non_null(tr);
    assert_int_equal(tr->kind, RUN_KIND_EVENTS);
    assert_int_equal(tr->task, RUN_TASK_UNKNOWN);
    assert_non_null(runinfo_series(tr, "Loss/train"));
    assert_int_equal(runinfo_series(tr, "Loss/val")->n, 5);
    /* no val_accuracy or val_loss: the tag that looks like a validation loss */
    assert_string_equal(tr->best_tag, "Loss/val");
    assert_false(tr->best_higher);
    assert_true(fabs(tr->best_value - 0.5) < 1e-6);
    assert_int_equal(tr->best_step, 5);
    /* event files say nothing of how a run ended: while they grow, that
     * they do, then that the status is not known */
    assert_string_equal(tr->status, "growing"); /* just written */
    assert_string_equal(k->status, "growing");
    /* gradtop's steps and Keras's are epochs; another writer's need not be */
    assert_true(g->epoch_steps);
    assert_true(k->epoch_steps);
    assert_false(tr->epoch_steps);
    age_files(p, 120);
    assert_true(runset_refresh(&rs));
    assert_string_equal(tr->status, "unknown");
    assert_string_equal(k->status, "growing");
    pathf(p, sizeof p, "%s/keras", env->logdir);
    age_files(p, 120);
    assert_true(runset_refresh(&rs));
    assert_string_equal(k->status, "unknown");
    /* sorted by status: after every gradtop status */
    RunInfo *v[3];
    memcpy(v, rs.runs, sizeof v);
    runinfo_sort(v, 3, RUN_SORT_STATUS, false);
    assert_string_equal(v[0]->status, "completed");
    assert_string_equal(v[2]->status, "unknown");
    runset_free(&rs);
}

/* Event files alone (no metrics.csv or journal) count epochs when each
 * one's first record names gradtop its writer, as a run directory's do;
 * one file of another writer beside them, and the steps are not known to. */
static void event_files_alone_count_epochs_when_gradtop_wrote_them(void **state)
{
    Env *env = *state;
    char p[4096];
    pathf(p, sizeof p, "%s/alone", env->logdir);
    mkdirs(p);
    for (int k = 0; k < 2; k++) {
        TfeWriter *w;
        Error err = {0};
        assert_int_equal(tfevents_open(&w, p, 1000.0 + k, RUNDIR_EVENTS_WRITER, &err), ERROR_NONE);
        assert_int_equal(tfevents_write_scalar(w, "loss", 1, 0.5f, 1001.0, &err), ERROR_NONE);
        assert_int_equal(tfevents_close(w, &err), ERROR_NONE);
    }
    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    const RunInfo *r = find_named(&rs, "alone");
    assert_non_null(r);
    assert_int_equal(r->kind, RUN_KIND_EVENTS);
    assert_true(r->epoch_steps);
    const char *tags[1] = {"loss"};
    double b[1] = {1.0}, s[1] = {-0.1};
    write_events(p, 2000.0, tags, b, s, 1, 3, 1);
    runset_refresh(&rs);
    assert_int_equal(runinfo_series(r, "loss")->n, 5);
    assert_false(r->epoch_steps);
    runset_free(&rs);
}

/* An event file alone that names no writer, as gradtop's did before they
 * named theirs: its HParams session start names the run's model.gtm, and
 * its steps are epochs; another writer's that names a model of its own, or
 * none, count steps. */
static void an_older_gradtop_event_file_alone_counts_epochs(void **state)
{
    Env *env = *state;
    const char *names[3] = {"old", "pt", "bare"};
    const char *uris[3] = {"/somewhere/runs/20261101-120000-iris/" RUNDIR_MODEL_FILE,
                           "/somewhere/model.pt", NULL};
    for (int k = 0; k < 3; k++) {
        char p[4096];
        pathf(p, sizeof p, "%s/%s", env->logdir, names[k]);
        mkdirs(p);
        TfeWriter *w;
        Error err = {0};
        assert_int_equal(tfevents_open(&w, p, 1000.0, NULL, &err), ERROR_NONE);
        TfeHParam hp[1] = {{.name = "lr", .type = TFE_HPARAM_NUMBER, .number = 0.01}};
        if (uris[k])
            assert_int_equal(tfevents_write_hparams_start(w, hp, 1, uris[k], 1000.0, &err), 0);
        for (int e = 1; e <= 3; e++)
            assert_int_equal(tfevents_write_scalar(w, "loss", e, 1.0f / (float)e, 1000.0 + e, &err),
                             ERROR_NONE);
        assert_int_equal(tfevents_close(w, &err), ERROR_NONE);
    }
    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    const RunInfo *old = find_named(&rs, "old"), *pt = find_named(&rs, "pt"),
                  *bare = find_named(&rs, "bare");
    assert_non_null(old);
    assert_non_null(pt);
    assert_non_null(bare);
    assert_int_equal(old->kind, RUN_KIND_EVENTS);
    assert_int_equal(runinfo_series(old, "loss")->n, 3);
    assert_true(old->epoch_steps);
    assert_false(pt->epoch_steps);
    assert_false(bare->epoch_steps);
    runset_free(&rs);
}

static void a_hand_made_legacy_run_is_read_with_its_damage_counted(void **state)
{
    (void)state;
    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, "tests/data/runs/legacy", &err), ERROR_NONE);
    assert_int_equal(rs.n_runs, 1);
    const RunInfo *r = rs.runs[0];
    assert_string_equal(r->name, "20240101-120000-iris-legacy");
    assert_string_equal(r->dataset, "iris");
    assert_string_equal(r->status, "completed");
    assert_int_equal(r->task, RUN_TASK_CLASSIFICATION);
    /* 2024-01-01T12:00:00+00:00 from the journal's first line */
    assert_true(fabs(r->start_time - 1704110400.0) < 1e-6);
    /* metrics.csv lines 3 and 5 and journal line 3 are damaged; the
     * unterminated last row is not consumed and not counted */
    assert_int_equal(r->warnings, 3);
    const RunSeries *va = runinfo_series(r, "val_accuracy");
    assert_non_null(va);
    assert_int_equal(va->n, 4);
    assert_int_equal(va->step[3], 4);
    /* config.txt has no monitor line: the default, val_loss, at the
     * result line's best epoch */
    assert_string_equal(r->best_tag, "val_loss");
    assert_true(fabs(r->best_value - 0.9) < 1e-9);
    assert_int_equal(r->best_step, 3);
    assert_true(fabs(runinfo_series(r, "learning_rate")->value[3] - 0.025) < 1e-12);
    assert_int_equal(r->n_marks, 1);
    assert_string_equal(r->marks[0].kind, "change");
    assert_int_equal(r->marks[0].epoch, 1);
    assert_int_equal(r->marks[0].step, 4);
    assert_string_equal(r->marks[0].text, "lr 0.05 -> 0.025");
    assert_true(r->has_options);
    assert_int_equal(r->options.layers[0], 8);
    assert_false(runset_refresh(&rs)); /* nothing changed */
    runset_free(&rs);
}

/* A resume is marked when it takes up a diverged run, whose charts `gradtop
 * view` fits to what follows it, and not after a pause; a run that ended
 * diverged says so in its status. */
static void a_resume_is_marked_only_when_it_takes_up_a_diverged_run(void **state)
{
    (void)state;
    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, "tests/data/runs/diverged", &err), ERROR_NONE);
    assert_int_equal(rs.n_runs, 3);
    const RunInfo *r = find_named(&rs, "20240102-120000-iris-recovered");
    assert_non_null(r);
    assert_string_equal(r->status, "completed");
    assert_int_equal(r->n_marks, 2);
    assert_string_equal(r->marks[0].kind, "diverged");
    assert_string_equal(r->marks[1].kind, "resume");
    assert_int_equal(r->marks[1].epoch, 3);
    assert_string_equal(r->marks[1].text, "resumed from the last finite weights");
    const RunInfo *b = find_named(&rs, "20240102-140000-iris-blown");
    assert_non_null(b);
    assert_string_equal(b->status, "diverged");
    assert_int_equal(b->n_marks, 1);
    assert_string_equal(b->marks[0].kind, "diverged");
    const RunInfo *c = find_named(&rs, "20240102-130000-iris-calm");
    assert_non_null(c);
    assert_int_equal(c->n_marks, 0);
    runset_free(&rs);
}

/* ---- sorting and filtering -------------------------------------------- */

/* Four PyTorch-style runs with start times from their event files' names. */
static void make_sortable_runs(const Env *env)
{
    char p[4096];
    const char *acc[2] = {"val_accuracy", "loss"};
    double b[2] = {0.5, 1.0}, s[2] = {0.1, -0.1};
    pathf(p, sizeof p, "%s/b", env->logdir);
    write_events(p, 3000.0, acc, b, s, 2, 3, 1); /* best 0.8 */
    pathf(p, sizeof p, "%s/a", env->logdir);
    b[0] = 0.6;
    write_events(p, 1000.0, acc, b, s, 2, 3, 1); /* best 0.9 */
    const char *loss[1] = {"val_loss"};
    double lb[1] = {0.8}, ls[1] = {-0.1};
    pathf(p, sizeof p, "%s/c", env->logdir);
    write_events(p, 2000.0, loss, lb, ls, 1, 3, 1); /* best 0.5 */
    const char *other[1] = {"throughput"};
    pathf(p, sizeof p, "%s/d", env->logdir);
    write_events(p, 500.0, other, lb, ls, 1, 3, 1); /* no best figure */
    age_files(env->logdir, 120);
}

static void order_string(char *buf, RunInfo **runs, size_t n)
{
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) strcat(buf, runs[i]->name);
}

/* A gradtop run's best figure is its monitor's, at the epoch its result
 * line names: with --min-delta that is not always the extreme. */
static void best_figure_follows_the_monitor_and_the_kept_epoch(void **state)
{
    Env *env = *state;
    TestRun *t = start_run(env->logdir, "delta", NULL, 0.01);
    run_epoch(t, 1, 0.5);
    run_epoch(t, 2, 0.75);
    run_epoch(t, 3, 0.76); /* not better by a min_delta of 0.05 */
    finish_run_best(t, TRAIN_DONE, 3, 2);
    char name[4096];
    pathf(name, sizeof name, "%s", base_name(t->path));
    close_run(t);
    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    const RunInfo *r = find_named(&rs, name);
    assert_non_null(r);
    assert_string_equal(r->best_tag, "val_accuracy");
    assert_true(r->best_higher);
    assert_true(fabs(r->best_value - 0.75) < 1e-9);
    assert_int_equal(r->best_step, 2);
    runset_free(&rs);
}

static void sorts_by_start_name_and_best_figure(void **state)
{
    Env *env = *state;
    make_sortable_runs(env);
    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    assert_int_equal(rs.n_runs, 4);
    RunInfo *v[4];
    memcpy(v, rs.runs, sizeof v);
    char order[64];

    runinfo_sort(v, 4, RUN_SORT_START, false);
    order_string(order, v, 4);
    assert_string_equal(order, "dacb");
    runinfo_sort(v, 4, RUN_SORT_START, true);
    order_string(order, v, 4);
    assert_string_equal(order, "bcad");

    runinfo_sort(v, 4, RUN_SORT_NAME, false);
    order_string(order, v, 4);
    assert_string_equal(order, "abcd");
    runinfo_sort(v, 4, RUN_SORT_NAME, true);
    order_string(order, v, 4);
    assert_string_equal(order, "dcba");

    /* accuracies high to low, then losses low to high, none last */
    runinfo_sort(v, 4, RUN_SORT_BEST, false);
    order_string(order, v, 4);
    assert_string_equal(order, "abcd");
    assert_true(fabs(v[0]->best_value - 0.9) < 1e-6);
    assert_true(fabs(v[1]->best_value - 0.8) < 1e-6);
    assert_true(fabs(v[2]->best_value - 0.5) < 1e-6);
    assert_string_equal(v[3]->best_tag, "");
    assert_true(isnan(v[3]->best_value));
    runinfo_sort(v, 4, RUN_SORT_BEST, true);
    order_string(order, v, 4);
    assert_string_equal(order, "cbad");

    /* the RunSet's own order is left alone */
    for (size_t i = 0; i < rs.n_runs; i++) assert_int_equal(rs.runs[i]->name[0], "abcd"[i]);
    runset_free(&rs);
}

/* A run with no validation figure is ranked by its training loss, after
 * every validation loss, however low: the two do not compare. */
static void best_sort_puts_training_losses_after_validation_ones(void **state)
{
    Env *env = *state;
    char p[4096];
    const char *val[1] = {"val_loss"}, *train[1] = {"loss"};
    double b[1] = {0.8}, s[1] = {-0.1};
    pathf(p, sizeof p, "%s/v", env->logdir);
    write_events(p, 1000.0, val, b, s, 1, 3, 1); /* best val_loss 0.5 */
    b[0] = 0.6;
    pathf(p, sizeof p, "%s/t", env->logdir);
    write_events(p, 2000.0, train, b, s, 1, 3, 1); /* best loss 0.3 */
    age_files(env->logdir, 120);
    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    assert_int_equal(rs.n_runs, 2);
    RunInfo *v[2] = {rs.runs[0], rs.runs[1]};
    char order[64];
    runinfo_sort(v, 2, RUN_SORT_BEST, false);
    order_string(order, v, 2);
    assert_string_equal(order, "vt");
    assert_string_equal(v[0]->best_tag, "val_loss");
    assert_string_equal(v[1]->best_tag, "loss");
    runinfo_sort(v, 2, RUN_SORT_BEST, true);
    order_string(order, v, 2);
    assert_string_equal(order, "tv");
    runset_free(&rs);
}

static void filter_matches_name_dataset_or_status_ignoring_case(void **state)
{
    Env *env = *state;
    TestRun *t = start_run(env->logdir, "alpha", NULL, 0.01);
    run_epoch(t, 1, 0.5);
    finish_run(t, TRAIN_DONE, 1);
    close_run(t);
    char p[4096];
    pathf(p, sizeof p, "%s/Keras-Fit", env->logdir);
    write_keras_run(p, 1600000000.0, 2);
    age_files(p, 120);

    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    assert_int_equal(rs.n_runs, 2);
    RunInfo *out[2];
    size_t n;
    assert_int_equal(runset_filter(&rs, "IRIS", out, &n, &err), ERROR_NONE); /* dataset */
    assert_int_equal(n, 1);
    assert_int_equal(out[0]->kind, RUN_KIND_GRADTOP);
    assert_int_equal(runset_filter(&rs, "^keras-f", out, &n, &err), ERROR_NONE); /* name */
    assert_int_equal(n, 1);
    assert_string_equal(out[0]->name, "Keras-Fit");
    assert_int_equal(runset_filter(&rs, "^(complete|running)", out, &n, &err), ERROR_NONE);
    assert_int_equal(n, 1); /* the status "completed" */
    assert_int_equal(runset_filter(&rs, "alpha|fit$", out, &n, &err), ERROR_NONE);
    assert_int_equal(n, 2);
    assert_int_equal(runset_filter(&rs, "", out, &n, &err), ERROR_NONE);
    assert_int_equal(n, 2);
    assert_int_equal(runset_filter(&rs, "nothing-like-this", out, &n, &err), ERROR_NONE);
    assert_int_equal(n, 0);

    RunFilter f;
    assert_int_equal(runfilter_compile(&f, "fit", &err), ERROR_NONE);
    assert_false(runfilter_match(&f, find_containing(&rs, "alpha")));
    assert_true(runfilter_match(&f, find_named(&rs, "Keras-Fit")));
    runfilter_free(&f);
    runset_free(&rs);
}

static void a_bad_regex_is_an_input_error_with_regerror_text(void **state)
{
    (void)state;
    regex_t re;
    int rc = regcomp(&re, "a(b", REG_EXTENDED | REG_ICASE | REG_NOSUB);
    assert_int_not_equal(rc, 0);
    char want[256];
    regerror(rc, &re, want, sizeof want);

    RunFilter f;
    Error err = {0};
    assert_int_equal(runfilter_compile(&f, "a(b", &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "filter 'a(b'"));
    assert_non_null(strstr(err.msg, want));
    runfilter_free(&f); /* harmless after a failure */

    RunSet rs = {0};
    RunInfo *out[1];
    size_t n = 7;
    assert_int_equal(runset_filter(&rs, "[z-a]", out, &n, &err), ERROR_INPUT);
    assert_int_equal(n, 0);
    assert_non_null(strstr(err.msg, "filter '[z-a]'"));
}

/* ---- hyperparameters that differ -------------------------------------- */

static const RunDiffColumn *diff_column(const RunDiff *d, const char *name)
{
    for (size_t i = 0; i < d->n_cols; i++)
        if (strcmp(d->cols[i].spec->name, name) == 0) return &d->cols[i];
    return NULL;
}

static void lists_the_hyperparameters_that_differ(void **state)
{
    Env *env = *state;
    TestRun *a = start_run(env->logdir, "a", "adam", 0.01);
    TestRun *b = start_run(env->logdir, "b", "adam", 0.001);
    /* only SGD has momentum here: one run's value is no difference */
    TestRun *c = start_run_with(env->logdir, "c", "sgd", 0.01, "0.9");
    TestRun *all[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        run_epoch(all[i], 1, 0.5);
        finish_run(all[i], TRAIN_DONE, 1);
        close_run(all[i]);
    }
    char p[4096];
    pathf(p, sizeof p, "%s/zz-foreign", env->logdir);
    const char *tags[1] = {"loss"};
    double base[1] = {1}, slope[1] = {0};
    write_events(p, 1000.0, tags, base, slope, 1, 2, 0);

    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    assert_int_equal(rs.n_runs, 4);
    RunInfo *v[4];
    memcpy(v, rs.runs, sizeof v);
    runinfo_sort(v, 4, RUN_SORT_NAME, false); /* STAMP-iris-a, -b, -c, zz-foreign */
    assert_string_equal(v[3]->name, "zz-foreign");

    RunDiff d;
    assert_int_equal(rundiff_build(&d, v, 4, &err), ERROR_NONE);
    assert_int_equal(d.n_runs, 4);
    assert_int_equal(d.n_cols, 2);
    /* option_table order: optimizer before lr */
    assert_string_equal(d.cols[0].spec->name, "optimizer");
    assert_string_equal(d.cols[1].spec->name, "lr");
    const RunDiffColumn *opt = diff_column(&d, "optimizer"), *lr = diff_column(&d, "lr");
    assert_string_equal(opt->values[0], "adam");
    assert_string_equal(opt->values[1], "adam");
    assert_string_equal(opt->values[2], "sgd");
    assert_string_equal(opt->values[3], ""); /* no config.txt */
    char want[RUN_DIFF_VALUE];
    options_format(&v[1]->options, options_find("lr"), want, sizeof want);
    assert_string_equal(lr->values[1], want);
    assert_string_not_equal(lr->values[0], lr->values[1]);
    assert_string_equal(lr->values[0], lr->values[2]);
    assert_null(diff_column(&d, "momentum"));
    assert_null(diff_column(&d, "name"));
    rundiff_free(&d);

    /* the two Adam runs with the same rate: only lr differs between a and b */
    RunInfo *ab[2] = {v[0], v[1]};
    assert_int_equal(rundiff_build(&d, ab, 2, &err), ERROR_NONE);
    assert_int_equal(d.n_cols, 1);
    assert_string_equal(d.cols[0].spec->name, "lr");
    rundiff_free(&d);
    RunInfo *ac[2] = {v[0], v[3]};
    assert_int_equal(rundiff_build(&d, ac, 2, &err), ERROR_NONE);
    assert_int_equal(d.n_cols, 0);
    rundiff_free(&d);
    runset_free(&rs);
}

/* Options changed live (a journal's change lines) are marked with a * by
 * the value the run began with: rates, a batch size, a network edit (not
 * the words of its note), data; an exploit's line names none. */
static void options_changed_live_are_marked(void **state)
{
    Env *env = *state;
    TestRun *a = start_run(env->logdir, "a", "adam", 0.01);
    TestRun *b = start_run(env->logdir, "b", "adam", 0.01);
    TestRun *all[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        run_epoch(all[i], 1, 0.5);
        finish_run(all[i], TRAIN_DONE, 1);
        close_run(all[i]);
    }
    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    RunInfo *v[2];
    memcpy(v, rs.runs, sizeof v);
    runinfo_sort(v, 2, RUN_SORT_NAME, false);
    char path[4096];
    pathf(path, sizeof path, "%s/journal.txt", v[0]->path);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputs("2026-12-07T07:29:47.506+00:00 step=8 epoch=2 change exploit: trial 1's weights, "
          "optimizer state and hyperparameters\n"
          "2026-12-07T07:29:47.506+00:00 step=8 epoch=2 change lr 0.01 -> lr 0.02, batch_size "
          "32 -> 64\n"
          "2026-12-07T07:29:47.507+00:00 step=9 epoch=2 change layers 32 -> 33,33: a layer "
          "added, seed 3, dropout kept\n",
          f);
    fclose(f);
    runset_refresh(&rs);
    RunDiff d;
    assert_int_equal(rundiff_build(&d, v, 2, &err), ERROR_NONE);
    const RunDiffColumn *lr = diff_column(&d, "lr"), *bs = diff_column(&d, "batch-size"),
                        *layers = diff_column(&d, "layers");
    assert_non_null(lr);
    assert_non_null(bs);
    assert_non_null(layers);
    assert_string_equal(lr->values[0], "0.01*");
    assert_string_equal(lr->values[1], "0.01");
    assert_string_equal(bs->values[0], "32*");
    assert_string_equal(layers->values[0], "32*");
    assert_null(diff_column(&d, "seed"));
    assert_null(diff_column(&d, "dropout"));
    assert_null(diff_column(&d, "optimizer"));
    rundiff_free(&d);
    runset_free(&rs);
}

/* A run as config.txt would give it: the defaults with dataset, and
 * option=value pairs. */
static void options_run(RunInfo *r, const char *dataset, const char *const *set)
{
    memset(r, 0, sizeof *r);
    options_default(&r->options);
    snprintf(r->options.dataset, sizeof r->options.dataset, "%s", dataset);
    for (; set && set[0]; set += 2) {
        Error e = {0};
        assert_int_equal(options_set(&r->options, options_find(set[0]), set[1], NULL, &e),
                         ERROR_NONE);
    }
    r->data_kind = dataset_kind(dataset, NULL);
    r->has_options = true;
}

/* A generated set's noise and features mean nothing for a CSV run, nor a
 * CSV file's missing values for an IDX run: its cells are blank, a column
 * only one kind's runs would fill is not shown, and a
 * set's default noise (-1 in config.txt) reads as the figure it stands
 * for. */
static void data_options_differ_only_where_they_apply(void **state)
{
    (void)state;
    static const char *const spiral_set[] = {"features", "x1,x2,x1x2", NULL};
    static const char *const circles_set[] = {"noise", "0.2", NULL};
    static RunInfo spiral, circles, iris, digits;
    options_run(&spiral, "spiral", spiral_set);
    options_run(&circles, "circles", circles_set);
    options_run(&iris, "iris", NULL);
    options_run(&digits, "digits", NULL);
    Error err = {0};
    RunDiff d;
    RunInfo *all[4] = {&spiral, &circles, &iris, &digits};
    assert_int_equal(rundiff_build(&d, all, 4, &err), ERROR_NONE);
    const RunDiffColumn *noise = diff_column(&d, "noise"), *feat = diff_column(&d, "features");
    assert_non_null(noise);
    assert_string_equal(noise->values[0], "0.05"); /* spiral's default, not -1 */
    assert_string_equal(noise->values[1], "0.2");
    assert_string_equal(noise->values[2], "");
    assert_string_equal(noise->values[3], "");
    assert_non_null(feat);
    assert_string_equal(feat->values[1], "x1,x2");
    assert_string_equal(feat->values[2], "");
    assert_string_equal(feat->values[3], "");
    rundiff_free(&d);
    /* spiral beside a CSV run: only spiral has features, so no column */
    RunInfo *two[2] = {&spiral, &iris};
    assert_int_equal(rundiff_build(&d, two, 2, &err), ERROR_NONE);
    assert_null(diff_column(&d, "features"));
    assert_null(diff_column(&d, "noise"));
    rundiff_free(&d);
    /* a fashion-mnist run has no missing-value policy (a CSV file's): a
     * CSV run's is the only one, so no column */
    static const char *const drop_set[] = {"missing", "drop", NULL};
    static RunInfo fashion, dropping;
    options_run(&fashion, "fashion-mnist", NULL);
    options_run(&dropping, "iris", drop_set);
    RunInfo *images[2] = {&fashion, &dropping};
    assert_int_equal(rundiff_build(&d, images, 2, &err), ERROR_NONE);
    assert_null(diff_column(&d, "missing"));
    rundiff_free(&d);
}

/* Which kind of data a run's dataset is, is told once, when its config.txt
 * is read: rebuilding the list of differing options opens no dataset file,
 * and a run whose images file is later removed (its name says nothing of
 * images) keeps being an IDX run, with no missing-value policy to compare. */
static void a_runs_data_kind_is_told_when_its_config_is_read(void **state)
{
    Env *env = *state;
    char images[256], config[4096];
    pathf(images, sizeof images, "%s/pixels.bin", env->tmp);
    /* an IDX file's first bytes: images */
    static const unsigned char idx_head[4] = {0, 0, 8, 3};
    FILE *fp = fopen(images, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(idx_head, 1, sizeof idx_head, fp), sizeof idx_head);
    assert_int_equal(fclose(fp), 0);
    static const char *const names[2] = {"images", "dropping"};
    for (int i = 0; i < 2; i++) {
        TestRun *t = start_run(env->logdir, names[i], NULL, 0.01);
        run_epoch(t, 1, 0.5);
        finish_run(t, TRAIN_DONE, 1);
        pathf(config, sizeof config, "%s/config.txt", t->path);
        char text[512];
        if (i == 0)
            snprintf(text, sizeof text, "dataset = %s\n", images);
        else
            snprintf(text, sizeof text, "dataset = datasets/iris.csv\nmissing = drop\n");
        write_file(config, text, "w");
        close_run(t);
    }
    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    assert_int_equal(rs.n_runs, 2);
    RunDiff d;
    assert_int_equal(rundiff_build(&d, rs.runs, rs.n_runs, &err), ERROR_NONE);
    assert_null(diff_column(&d, "missing"));
    rundiff_free(&d);
    assert_int_equal(unlink(images), 0);
    assert_int_equal(rundiff_build(&d, rs.runs, rs.n_runs, &err), ERROR_NONE);
    if (diff_column(&d, "missing")) fail_msg("the images run became a CSV run");
    rundiff_free(&d);
    runset_free(&rs);
}

/* ---- status ------------------------------------------------------------ */

static void status_comes_from_the_result_line_else_running_or_interrupted(void **state)
{
    Env *env = *state;
    TestRun *done = start_run(env->logdir, "done", NULL, 0.01);
    run_epoch(done, 1, 0.5);
    finish_run(done, TRAIN_DONE, 1);
    TestRun *early = start_run(env->logdir, "early", NULL, 0.01);
    run_epoch(early, 1, 0.5);
    finish_run(early, TRAIN_EARLY_STOPPED, 1);
    TestRun *div = start_run(env->logdir, "div", NULL, 0.01);
    run_epoch(div, 1, 0.5);
    finish_run(div, TRAIN_DIVERGED, 1);
    TestRun *live = start_run(env->logdir, "live", NULL, 0.01);
    run_epoch(live, 1, 0.5);
    TestRun *dead = start_run(env->logdir, "dead", NULL, 0.01);
    run_epoch(dead, 1, 0.5);
    age_files(done->path, 3600); /* a finished run stays completed however old */
    age_files(dead->path, 60);   /* no result line and quiet for a minute */
    char live_path[4096];
    pathf(live_path, sizeof live_path, "%s", live->path);
    TestRun *runs[5] = {done, early, div, live, dead};
    for (int i = 0; i < 5; i++) close_run(runs[i]);

    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    assert_int_equal(rs.n_runs, 5);
    assert_string_equal(find_containing(&rs, "-done")->status, "completed");
    assert_string_equal(find_containing(&rs, "-early")->status, "early_stopped");
    assert_string_equal(find_containing(&rs, "-div")->status, "diverged");
    assert_string_equal(find_containing(&rs, "-live")->status, "running");
    assert_string_equal(find_containing(&rs, "-dead")->status, "interrupted");

    RunInfo *v[5];
    memcpy(v, rs.runs, sizeof v);
    runinfo_sort(v, 5, RUN_SORT_STATUS, false);
    const char *want[5] = {"running", "completed", "early_stopped", "interrupted", "diverged"};
    for (int i = 0; i < 5; i++) assert_string_equal(v[i]->status, want[i]);
    runinfo_sort(v, 5, RUN_SORT_STATUS, true);
    for (int i = 0; i < 5; i++) assert_string_equal(v[i]->status, want[4 - i]);

    /* the live run goes quiet: interrupted at the next refresh */
    const RunInfo *live_run = find_containing(&rs, "-live");
    uint64_t gen = live_run->generation;
    assert_false(runset_refresh(&rs));
    age_files(live_path, 60);
    assert_true(runset_refresh(&rs));
    assert_string_equal(live_run->status, "interrupted");
    assert_true(live_run->generation > gen);
    runset_free(&rs);
}

static void a_resumed_run_is_running_again_after_its_result_line(void **state)
{
    Env *env = *state;
    TestRun *t = start_run(env->logdir, "resumed", NULL, 0.01);
    run_epoch(t, 1, 0.5);
    finish_run(t, TRAIN_DONE, 1);
    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    assert_int_equal(rs.n_runs, 1);
    const RunInfo *r = rs.runs[0];
    assert_string_equal(r->status, "completed");

    RunDir *again;
    rundir_close(t->rl); /* one writer at a time */
    ErrorCode rrc = rundir_resume(&again, t->path, 1, 4, &t->o, &t->s, &err);
    if (rrc) fail_msg("%s", err.msg);
    t->rl = again;
    run_epoch(t, 2, 0.875);
    assert_true(runset_refresh(&rs));
    assert_string_equal(r->status, "running");
    assert_int_equal(runinfo_series(r, "loss")->n, 2);
    assert_true(fabs(r->best_value - 0.875) < 1e-9);
    finish_run(t, TRAIN_STOPPED, 2);
    assert_true(runset_refresh(&rs));
    assert_string_equal(r->status, "stopped");
    close_run(t);
    runset_free(&rs);
}

/* A sweep's trial that one of its rules stopped is "pruned", as the
 * sweep's trials.csv says, from its journal's stop line; a trial stopped
 * for another reason stays "stopped"; and pruned sorts between early
 * stopped and stopped. */
static void a_trial_a_sweep_pruned_is_pruned(void **state)
{
    Env *env = *state;
    const char *why[3] = {"stopped at the end of epoch 1: pruned by the sweep's asha rule: not "
                          "promoted from this rung, and nothing was left to promote or start",
                          "stopped in epoch 2, after 3 of its batches: the sweep was stopped",
                          NULL};
    const char *names[3] = {"pruned", "halted", "early"};
    TestRun *t[3];
    for (int i = 0; i < 3; i++) {
        t[i] = start_run(env->logdir, names[i], NULL, 0.01);
        run_epoch(t[i], 1, 0.5);
        if (why[i]) {
            TrainEvent e = {.kind = EVENT_STOP, .step = 4, .epoch = 1};
            snprintf(e.text, sizeof e.text, "%s", why[i]);
            rundir_on_event(t[i]->rl, &e);
        }
        finish_run(t[i], why[i] ? TRAIN_STOPPED : TRAIN_EARLY_STOPPED, 1);
        close_run(t[i]);
    }
    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    assert_int_equal(rs.n_runs, 3);
    assert_string_equal(find_containing(&rs, "-pruned")->status, "pruned");
    assert_string_equal(find_containing(&rs, "-halted")->status, "stopped");
    RunInfo *v[3];
    memcpy(v, rs.runs, sizeof v);
    runinfo_sort(v, 3, RUN_SORT_STATUS, false);
    const char *want[3] = {"early_stopped", "pruned", "stopped"};
    for (int i = 0; i < 3; i++) assert_string_equal(v[i]->status, want[i]);
    runset_free(&rs);
}

/* ---- incremental refresh ---------------------------------------------- */

static void refresh_reads_appended_epochs_and_finds_new_runs(void **state)
{
    Env *env = *state;
    TestRun *t = start_run(env->logdir, "grow", NULL, 0.01);
    run_epoch(t, 1, 0.5);
    run_epoch(t, 2, 0.6);
    char p[4096];
    pathf(p, sizeof p, "%s/group/keras1", env->logdir);
    write_keras_run(p, 1600000000.0, 2);

    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    assert_int_equal(rs.n_runs, 2);
    const RunInfo *g = find_containing(&rs, "-grow");
    const RunInfo *k = find_named(&rs, "group/keras1");
    assert_non_null(g);
    assert_non_null(k);
    assert_int_equal(runinfo_series(g, "loss")->n, 2);
    assert_string_equal(g->status, "running");
    assert_false(runset_refresh(&rs)); /* nothing new */
    uint64_t gen = g->generation;

    run_epoch(t, 3, 0.7);
    assert_true(runset_refresh(&rs));
    const RunSeries *loss = runinfo_series(g, "loss");
    assert_int_equal(loss->n, 3); /* appended, not read twice */
    assert_int_equal(loss->step[2], 3);
    assert_true(fabs(loss->value[2] - 1.0 / 3) < 1e-6);
    assert_true(fabs(g->best_value - 0.7) < 1e-9);
    assert_int_equal(g->best_step, 3);
    assert_true(g->generation > gen);
    assert_false(runset_refresh(&rs));

    /* the Keras run gets a new event file in validation/ (a restart) */
    const char *tags[1] = {"epoch_loss"};
    double b[1] = {0.3}, s[1] = {0};
    pathf(p, sizeof p, "%s/group/keras1/validation", env->logdir);
    write_events(p, 1600000100.0, tags, b, s, 1, 1, 2);
    assert_true(runset_refresh(&rs));
    assert_int_equal(runinfo_series(k, "val_loss")->n, 3);
    assert_int_equal(runinfo_series(k, "val_loss")->step[2], 2);

    /* a new run appears; the old RunInfo pointers stay valid */
    TestRun *t2 = start_run(env->logdir, "late", NULL, 0.01);
    run_epoch(t2, 1, 0.5);
    assert_true(runset_refresh(&rs));
    assert_int_equal(rs.n_runs, 3);
    assert_ptr_equal(find_containing(&rs, "-grow"), g);
    const RunInfo *late = find_containing(&rs, "-late");
    assert_non_null(late);
    assert_int_equal(runinfo_series(late, "val_accuracy")->n, 1);
    assert_false(runset_refresh(&rs));

    /* a run directory deleted while shown is marked gone, data kept */
    finish_run(t2, TRAIN_DONE, 1);
    rm_rf(t2->path);
    assert_true(runset_refresh(&rs));
    assert_true(late->gone);
    assert_int_equal(runinfo_series(late, "val_accuracy")->n, 1);
    close_run(t2);
    close_run(t);
    runset_free(&rs);
}

static void a_half_written_metrics_line_waits_until_it_is_complete(void **state)
{
    Env *env = *state;
    char dir[4096], csv[4200];
    pathf(dir, sizeof dir, "%s/20260101-120000-moons-half", env->logdir);
    mkdirs(dir);
    pathf(csv, sizeof csv, "%s/metrics.csv", dir);
    write_file(csv,
               "epoch,step,wall_time,loss,accuracy,val_loss,val_accuracy,lr\n"
               "1,4,1700000001.000,1,0.6,2,0.375,0.0025\n"
               "2,8,17000",
               "w");
    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    assert_int_equal(rs.n_runs, 1);
    const RunInfo *r = rs.runs[0];
    assert_int_equal(r->kind, RUN_KIND_GRADTOP);
    assert_string_equal(r->dataset, "moons"); /* from the directory's name */
    assert_int_equal(r->warnings, 0);
    assert_int_equal(runinfo_series(r, "loss")->n, 1);
    assert_false(runset_refresh(&rs));
    write_file(csv, "00002.000,0.5,0.7", "a");
    runset_refresh(&rs);
    assert_int_equal(runinfo_series(r, "loss")->n, 1);
    write_file(csv, ",1,0.5,0.0025\n3,12,1700000003.000,0.25,", "a");
    assert_true(runset_refresh(&rs));
    const RunSeries *loss = runinfo_series(r, "loss");
    assert_int_equal(loss->n, 2);
    assert_int_equal(loss->step[1], 2);
    assert_true(fabs(loss->value[1] - 0.5) < 1e-12);
    assert_true(fabs(loss->wall_time[1] - 1700000002.0) < 1e-6);
    assert_int_equal(r->warnings, 0);
    /* the start time comes from the directory's stamp (no journal) */
    struct tm tm = {.tm_year = 126, .tm_mon = 0, .tm_mday = 1, .tm_hour = 12, .tm_isdst = -1};
    assert_true(fabs(r->start_time - (double)mktime(&tm)) < 1e-6);
    runset_free(&rs);
}

static void garbage_metrics_lines_are_skipped_with_a_warning_naming_the_line(void **state)
{
    Env *env = *state;
    char dir[4096], csv[4200];
    pathf(dir, sizeof dir, "%s/20260101-120000-iris", env->logdir);
    mkdirs(dir);
    pathf(csv, sizeof csv, "%s/metrics.csv", dir);
    size_t big = 20000;
    char *text = malloc(big + 1024);
    strcpy(text, "epoch,step,wall_time,loss,accuracy,val_loss,val_accuracy,lr\n"
                 "1,4,1700000001.000,1,0.6,2,0.375,0.0025\n"
                 "\x01\x02garbage\xff\n"
                 "2,8,1700000002.000,0.5,zero,1,0.5,0.0025\n"
                 "3,12,1700000003.000,0.25\n"
                 "-1,12,1700000003.000,0.25,0.7,1,0.5,0.0025\n");
    size_t n = strlen(text);
    memset(text + n, '7', big); /* a line far too long */
    strcpy(text + n + big, "\n4,16,1700000004.000,0.125,0.8,0.5,0.625,0.0025\n");
    write_file(csv, text, "w");
    free(text);

    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    const RunInfo *r = rs.runs[0];
    assert_int_equal(r->warnings, 5);
    assert_non_null(strstr(r->last_warning, "metrics.csv:7:"));
    const RunSeries *loss = runinfo_series(r, "loss");
    assert_int_equal(loss->n, 2);
    assert_int_equal(loss->step[0], 1);
    assert_int_equal(loss->step[1], 4);
    assert_true(fabs(r->best_value - 0.625) < 1e-12);
    assert_string_equal(r->status, "running"); /* fresh files, no journal */
    runset_free(&rs);

    /* each kind of damage names its line */
    write_file(csv, "epoch,step,wall_time,loss\n1,4,0,1\n2,8,0\n", "w");
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    assert_int_equal(rs.runs[0]->warnings, 1);
    assert_non_null(strstr(rs.runs[0]->last_warning, "metrics.csv:3: expected 4 fields, got 3"));
    runset_free(&rs);
}

/* ---- damaged event files ---------------------------------------------- */

static void first_events_file(char *out, size_t cap, const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    out[0] = '\0';
    while ((e = readdir(d)))
        if (strncmp(e->d_name, "events.out.tfevents.", 20) == 0)
            pathf(out, cap, "%s/%s", dir, e->d_name);
    closedir(d);
    assert_true(out[0] != '\0');
}

static char *slurp(const char *path, long *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)*n);
    assert_int_equal(fread(buf, 1, (size_t)*n, f), (size_t)*n);
    fclose(f);
    return buf;
}

static void a_truncated_event_file_keeps_whole_records_and_resumes_when_it_grows(void **state)
{
    Env *env = *state;
    char dir[4096], path[4400];
    pathf(dir, sizeof dir, "%s/torch", env->logdir);
    const char *tags[1] = {"loss"};
    double b[1] = {1}, s[1] = {0.5};
    write_events(dir, 1000.0, tags, b, s, 1, 5, 0);
    first_events_file(path, sizeof path, dir);
    long n;
    char *all = slurp(path, &n);
    /* cut in the middle of the last record, then in its header */
    assert_int_equal(truncate(path, n - 7), 0);

    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    const RunInfo *r = rs.runs[0];
    assert_int_equal(runinfo_series(r, "loss")->n, 4);
    assert_int_equal(r->warnings, 0); /* maybe a writer still at work */

    /* the writer finishes the record */
    FILE *f = fopen(path, "ab");
    fwrite(all + n - 7, 1, 7, f);
    fclose(f);
    assert_true(runset_refresh(&rs));
    const RunSeries *loss = runinfo_series(r, "loss");
    assert_int_equal(loss->n, 5);
    assert_int_equal(loss->step[4], 4);
    assert_true(fabs(loss->value[4] - 3.0) < 1e-6);
    assert_int_equal(r->warnings, 0);
    free(all);
    runset_free(&rs);
}

/* LOGDIR/torch with one event file of `steps` "loss" scalars (steps 1..
 * steps, so that every record has the same size): its path, its bytes (n
 * of them; freed by the caller), where its first scalar record starts and
 * the size of each. */
static char *loss_events(const Env *env, int steps, char *path, size_t cap, long *n, long *first,
                         long *each)
{
    char dir[4096];
    pathf(dir, sizeof dir, "%s/torch", env->logdir);
    const char *tags[1] = {"loss"};
    double b[1] = {1}, s[1] = {0.5};
    write_events(dir, 1000.0, tags, b, s, 1, steps, 1);
    first_events_file(path, cap, dir);
    char *all = slurp(path, n);
    uint8_t fv[256];
    *first = 12 + (long)tfevents_encode_file_version(fv, sizeof fv, 1000.0, NULL) + 4;
    *each = (*n - *first) / steps;
    assert_int_equal(*first + steps * *each, *n);
    return all;
}

/* A record cut for good (the run no longer writes: its files are older than
 * RUNSET_RUNNING_SECONDS) is said once, naming the file, the byte and what is
 * missing: cut inside the data, inside the header, or a header whose length
 * points past the end of the file. */
static void a_record_cut_for_good_is_a_warning_naming_what_was_skipped(void **state)
{
    Env *env = *state;
    char dir[4096], path[4400];
    pathf(dir, sizeof dir, "%s/torch", env->logdir);
    long n, first, each;
    char *all = loss_events(env, 5, path, sizeof path, &n, &first, &each);
    long last = n - each; /* where the last record starts */
    /* what follows the four whole records: the last one but 7 bytes, its
     * first 5 bytes, or a sound header (its CRC matches) for a record of
     * 1000 bytes with 3 of them there */
    uint8_t head[12 + 3];
    tfevents_frame_header(head, 1000);
    memcpy(head + 12, "abc", 3);
    const struct {
        const void *tail;
        long len;
        const char *say; /* in the warning */
    } cuts[] = {
        {all + last, each - 7, "(35 bytes there, 42 needed); skipped"},
        {all + last, 5, "(5 bytes there, at least 12 needed); skipped"},
        {head, 15, "(15 bytes there, 1016 needed); skipped"},
    };
    assert_int_equal(each, 42);
    for (size_t c = 0; c < 3; c++) {
        FILE *f = fopen(path, "wb");
        fwrite(all, 1, (size_t)last, f);
        fwrite(cuts[c].tail, 1, (size_t)cuts[c].len, f);
        fclose(f);
        age_files(dir, 120);
        RunSet rs;
        Error err = {0};
        assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
        const RunInfo *r = rs.runs[0];
        assert_int_equal(runinfo_series(r, "loss")->n, 4);
        assert_int_equal(r->warnings, 1);
        char want[200];
        snprintf(want, sizeof want, "the last record is cut short at byte %ld (", last);
        if (!strstr(r->last_warning, want) || !strstr(r->last_warning, cuts[c].say) ||
            !strstr(r->last_warning, base_name(path)))
            fail_msg("\"%s\" does not say \"%s\" and \"%s\"", r->last_warning, want, cuts[c].say);
        runset_refresh(&rs); /* said once */
        assert_int_equal(r->warnings, 1);
        runset_free(&rs);
    }
    free(all);
}

static void corrupt_event_records_are_skipped_with_a_warning(void **state)
{
    Env *env = *state;
    char path[4400];
    /* records: file_version, then six scalars of equal size (steps 1..6) */
    long n, first, each;
    char *all = loss_events(env, 6, path, sizeof path, &n, &first, &each);
    /* flip a byte inside the data of step 3: its data CRC fails */
    all[first + 2 * each + 14] ^= 0x55;
    /* and break the length CRC of step 6: nothing after can be framed */
    all[first + 5 * each + 9] ^= 0x55;
    FILE *f = fopen(path, "wb");
    fwrite(all, 1, (size_t)n, f);
    fclose(f);
    free(all);

    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    const RunInfo *r = rs.runs[0];
    const RunSeries *loss = runinfo_series(r, "loss");
    assert_int_equal(loss->n, 4); /* steps 1, 2, 4, 5 */
    assert_int_equal(loss->step[2], 4);
    assert_int_equal(r->warnings, 2);
    assert_non_null(strstr(r->last_warning, "events.out.tfevents."));
    /* the warning points at the first damaged record, step 3's, not at
     * where reading stopped (step 6's header) */
    char want[80];
    snprintf(want, sizeof want, "2 damaged records skipped (the first at byte %ld)",
             first + 2 * each);
    if (!strstr(r->last_warning, want))
        fail_msg("\"%s\" does not say \"%s\"", r->last_warning, want);
    /* appending more after broken framing is not read, nor re-counted */
    f = fopen(path, "ab");
    fputs("more bytes", f);
    fclose(f);
    runset_refresh(&rs);
    assert_int_equal(runinfo_series(r, "loss")->n, 4);
    assert_int_equal(r->warnings, 2);
    runset_free(&rs);
}

static void a_gradtop_run_without_metrics_csv_is_read_from_its_event_file(void **state)
{
    Env *env = *state;
    TestRun *t = start_run(env->logdir, "evonly", NULL, 0.01);
    run_epoch(t, 1, 0.5);
    run_epoch(t, 2, 0.625);
    finish_run(t, TRAIN_DONE, 2);
    char csv[4200];
    pathf(csv, sizeof csv, "%s/metrics.csv", t->path);
    assert_int_equal(unlink(csv), 0);

    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    assert_int_equal(rs.n_runs, 1);
    const RunInfo *r = rs.runs[0];
    assert_int_equal(r->kind, RUN_KIND_GRADTOP);
    assert_string_equal(r->status, "completed");
    assert_int_equal(runinfo_series(r, "val_accuracy")->n, 2);
    assert_int_equal(runinfo_series(r, "learning_rate")->n, 2);
    assert_true(fabs(r->best_value - 0.625) < 1e-6);
    assert_int_equal(r->best_step, 2);

    /* metrics.csv comes back: the run is read from it instead, once */
    write_file(csv,
               "epoch,step,wall_time,loss,accuracy,val_loss,val_accuracy,lr\n"
               "1,4,1700000001.000,1,0.6,2,0.25,0.0025\n",
               "w");
    assert_true(runset_refresh(&rs));
    assert_int_equal(runinfo_series(r, "val_accuracy")->n, 1);
    assert_true(fabs(r->best_value - 0.25) < 1e-12);
    close_run(t);
    runset_free(&rs);
}

/* ---- the walk ---------------------------------------------------------- */

static void looks_three_levels_down_and_skips_hidden_directories(void **state)
{
    Env *env = *state;
    const char *tags[1] = {"loss"};
    double b[1] = {1}, s[1] = {0};
    char p[4096];
    pathf(p, sizeof p, "%s/a/b/c", env->logdir);
    write_events(p, 1000.0, tags, b, s, 1, 1, 0);
    pathf(p, sizeof p, "%s/a/b/c/d", env->logdir); /* depth 4 */
    write_events(p, 1000.0, tags, b, s, 1, 1, 0);
    pathf(p, sizeof p, "%s/x/y/kr", env->logdir); /* Keras at depth 3 */
    write_keras_run(p, 1000.0, 1);
    pathf(p, sizeof p, "%s/.hidden/run", env->logdir);
    write_events(p, 1000.0, tags, b, s, 1, 1, 0);
    pathf(p, sizeof p, "%s/empty/dir", env->logdir);
    mkdirs(p);
    pathf(p, sizeof p, "%s/notes.txt", env->logdir);
    write_file(p, "not a run\n", "w");

    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
    assert_int_equal(rs.n_runs, 2);
    assert_non_null(find_named(&rs, "a/b/c"));
    assert_non_null(find_named(&rs, "x/y/kr"));
    assert_int_equal(find_named(&rs, "x/y/kr")->kind, RUN_KIND_KERAS);
    runset_free(&rs);

    /* LOGDIR may itself be a run: it is named after its directory */
    pathf(p, sizeof p, "%s/x/y/kr/", env->logdir);
    assert_int_equal(runset_open(&rs, p, &err), ERROR_NONE);
    assert_int_equal(rs.n_runs, 1);
    assert_string_equal(rs.runs[0]->name, "kr");
    runset_free(&rs);

    if (geteuid() != 0) { /* root reads anything */
        pathf(p, sizeof p, "%s/a", env->logdir);
        chmod(p, 0);
        assert_int_equal(runset_open(&rs, env->logdir, &err), ERROR_NONE);
        assert_int_equal(rs.n_runs, 1);
        assert_true(rs.warnings >= 1);
        runset_free(&rs);
        chmod(p, 0755);
    }
}

static void a_missing_log_directory_is_an_input_error(void **state)
{
    Env *env = *state;
    RunSet rs;
    Error err = {0};
    char p[4096];
    pathf(p, sizeof p, "%s/nope", env->logdir);
    assert_int_equal(runset_open(&rs, p, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, p));
    assert_non_null(strstr(err.msg, "No such file"));
    runset_free(&rs);
    pathf(p, sizeof p, "%s/file", env->logdir);
    write_file(p, "x", "w");
    assert_int_equal(runset_open(&rs, p, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "not a directory"));
    runset_free(&rs);
}

/* ---- series and colours ------------------------------------------------ */

static void a_long_series_is_thinned_evenly_and_keeps_its_range(void **state)
{
    (void)state;
    RunSeries s = {0};
    for (int i = 0; i < 1000; i++)
        assert_true(runseries_push(&s, i, 0, i == 777 ? -5.0 : (double)i, 64));
    assert_int_equal(s.total, 1000);
    assert_true(s.n <= 64 && s.n >= 32);
    assert_int_equal(s.step[0], 0);
    int64_t gap = s.step[1] - s.step[0];
    assert_int_equal(gap, (int64_t)s.stride);
    for (size_t i = 1; i < s.n; i++) assert_int_equal(s.step[i] - s.step[i - 1], gap);
    assert_true(s.step[s.n - 1] > 1000 - 2 * gap);
    /* the extremes include thinned-out points */
    assert_true(s.min == -5.0);
    assert_int_equal(s.min_step, 777);
    assert_true(s.max == 999.0);
    assert_int_equal(s.max_step, 999);
    /* NaN is kept as a point but not as an extreme */
    assert_true(runseries_push(&s, 1000, 0, NAN, 64));
    assert_true(s.max == 999.0);
    free(s.step);
    free(s.wall_time);
    free(s.value);
}

static void colours_depend_only_on_the_run_path(void **state)
{
    Env *env = *state;
    char p[4096];
    const char *tags[1] = {"loss"};
    double b[1] = {1}, s[1] = {0};
    for (int i = 0; i < 6; i++) {
        pathf(p, sizeof p, "%s/run%d", env->logdir, i);
        write_events(p, 1000.0 + i, tags, b, s, 1, 1, 0);
    }
    RunSet a, c;
    Error err = {0};
    assert_int_equal(runset_open(&a, env->logdir, &err), ERROR_NONE);
    assert_int_equal(runset_open(&c, env->logdir, &err), ERROR_NONE);
    assert_int_equal(a.n_runs, 6);
    int distinct = 0, seen[8] = {0};
    for (size_t i = 0; i < a.n_runs; i++) {
        const RunInfo *x = a.runs[i], *y = find_named(&c, x->name);
        assert_int_equal(runinfo_colour(x, 8), runinfo_colour(y, 8));
        assert_true(runinfo_colour(x, 8) >= 0 && runinfo_colour(x, 8) < 8);
        if (!seen[runinfo_colour(x, 8)]++) distinct++;
    }
    assert_true(distinct >= 2);
    RunInfo *v[6];
    memcpy(v, a.runs, sizeof v);
    int before = runinfo_colour(find_named(&a, "run3"), 8);
    runinfo_sort(v, 6, RUN_SORT_NAME, true);
    assert_int_equal(runinfo_colour(find_named(&a, "run3"), 8), before);
    assert_int_equal(runinfo_colour(a.runs[0], 0), 0);
    runset_free(&a);
    runset_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, env_setup, env_teardown)
        T(lists_gradtop_keras_and_pytorch_runs_with_their_series),
        T(event_files_alone_count_epochs_when_gradtop_wrote_them),
        T(an_older_gradtop_event_file_alone_counts_epochs),
        T(a_hand_made_legacy_run_is_read_with_its_damage_counted),
        T(a_resume_is_marked_only_when_it_takes_up_a_diverged_run),
        T(sorts_by_start_name_and_best_figure),
        T(best_sort_puts_training_losses_after_validation_ones),
        T(best_figure_follows_the_monitor_and_the_kept_epoch),
        T(filter_matches_name_dataset_or_status_ignoring_case),
        T(a_bad_regex_is_an_input_error_with_regerror_text),
        T(lists_the_hyperparameters_that_differ),
        T(options_changed_live_are_marked),
        cmocka_unit_test(data_options_differ_only_where_they_apply),
        T(a_runs_data_kind_is_told_when_its_config_is_read),
        T(status_comes_from_the_result_line_else_running_or_interrupted),
        T(a_resumed_run_is_running_again_after_its_result_line),
        T(a_trial_a_sweep_pruned_is_pruned),
        T(refresh_reads_appended_epochs_and_finds_new_runs),
        T(a_half_written_metrics_line_waits_until_it_is_complete),
        T(garbage_metrics_lines_are_skipped_with_a_warning_naming_the_line),
        T(a_truncated_event_file_keeps_whole_records_and_resumes_when_it_grows),
        T(a_record_cut_for_good_is_a_warning_naming_what_was_skipped),
        T(corrupt_event_records_are_skipped_with_a_warning),
        T(a_gradtop_run_without_metrics_csv_is_read_from_its_event_file),
        T(looks_three_levels_down_and_skips_hidden_directories),
        T(a_missing_log_directory_is_an_input_error),
        T(a_long_series_is_thinned_evenly_and_keeps_its_range),
        T(colours_depend_only_on_the_run_path),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
