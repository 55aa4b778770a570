/* test_sweep_exec.c - the sweep's executor: the same trials, figures and
 * decisions on repeated runs at one --parallel (and, for the rules that do
 * not depend on it, at another); PBT's exploit copies exactly the donor's
 * weights and optimizer state; a stop ends every trial, running or parked,
 * and writes the files; the files say what happened; the trials' files
 * are made durable at the sweep's fixed points, not epoch by epoch; spaces
 * the executor cannot run are refused with the parameter named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gradtop/io/crc32c.h"
#include "gradtop/logdir/runset.h"
#include "gradtop/run/modelfile.h"
#include "gradtop/sweep/exec.h"
#include "tmpdir.h"

/* ---- the library's sync calls, counted ------------------------------------
 * These definitions take the place of libc's for the whole program (the
 * engine is linked in statically) and pass each call on to the kernel.
 * n_trial_fsync counts the fsyncs of a trial's files or directory (a path
 * with "-trial-"); trials_unsynced the trials.csv replacements with no
 * syncfs since the one before. */
static atomic_int n_trial_fsync, n_syncfs, n_trials_csv, trials_unsynced;
static atomic_bool synced_since;

static void count_fsync(int fd)
{
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return;
    path[n] = '\0';
    if (strstr(path, "-trial-")) atomic_fetch_add(&n_trial_fsync, 1);
}

int fsync(int fd)
{
    count_fsync(fd);
    return (int)syscall(SYS_fsync, fd);
}

int fdatasync(int fd)
{
    count_fsync(fd);
    return (int)syscall(SYS_fdatasync, fd);
}

int syncfs(int fd)
{
    atomic_fetch_add(&n_syncfs, 1);
    atomic_store(&synced_since, true);
    return (int)syscall(SYS_syncfs, fd);
}

int rename(const char *from, const char *to)
{
    size_t n = strlen(to);
    if (n >= 11 && !strcmp(to + n - 11, "/trials.csv")) {
        atomic_fetch_add(&n_trials_csv, 1);
        if (!atomic_exchange(&synced_since, false)) atomic_fetch_add(&trials_unsynced, 1);
    }
    return renameat(AT_FDCWD, from, AT_FDCWD, to);
}

static Options iris_sweep(const char *space, int scheduler, int trials, int max_epochs,
                          int parallel)
{
    Options o;
    options_default(&o);
    snprintf(o.dataset, sizeof o.dataset, "iris");
    snprintf(o.space, sizeof o.space, "%s", space);
    o.scheduler = scheduler;
    o.trials = trials;
    o.max_epochs = max_epochs;
    o.parallel = parallel;
    o.seed = 3;
    o.hp.patience = 0;
    o.min_epochs = 1;
    o.eta = 3;
    o.pbt_interval = 2;
    return o;
}

/* What one sweep did, for comparing two: per trial its configuration,
 * status, epochs, rung and every recorded figure, bit for bit. */
typedef struct {
    int n;
    char text[64][160];
    double fig[64][32];
    int n_events[SWEEP_EV_START_OVER + 1]; /* one per kind */
    char run[64][1024];
    int epochs[64];
} Outcome;

static void count_event(void *ctx, const SweepExec *x, const SweepEvent *e)
{
    (void)x;
    Outcome *oc = ctx;
    oc->n_events[e->kind]++;
}

static void run_sweep(const Options *o, Outcome *oc)
{
    memset(oc, 0, sizeof *oc);
    PreparedData data;
    Error err = {0};
    assert_int_equal(prepared_open(&data, o, NULL, &err), ERROR_NONE);
    SweepExec *x = calloc(1, sizeof *x);
    SweepHooks hooks = {.ctx = oc, .on_event = count_event};
    assert_int_equal(sweep_exec_init(x, o, &data, NULL, &hooks, &err), ERROR_NONE);
    assert_int_equal(sweep_exec_run(x, &err), ERROR_NONE);
    oc->n = x->n_started;
    for (int i = 0; i < x->n_started && i < 64; i++) {
        const SweepTrial *t = &x->trials[i];
        char cfg[128];
        sweep_exec_config_text(x, t, cfg, sizeof cfg);
        snprintf(oc->text[i], sizeof oc->text[i], "%s %s epochs=%d rung=%d target=%d", cfg,
                 sweep_trial_status_names[t->status], t->epochs, t->rung, t->target);
        for (int e = 1; e <= o->max_epochs && e <= 32; e++)
            oc->fig[i][e - 1] = sweep_board_get(&x->board, i, e);
        /* trials.csv's target and the screen's "training to epoch N" */
        assert_true(t->target >= 1 && t->target <= o->max_epochs);
        assert_true(t->epochs <= t->target);
    }
    sweep_exec_free(x);
    free(x);
    prepared_close(&data);
}

static void assert_same(const Outcome *a, const Outcome *b, int max_epochs)
{
    assert_int_equal(a->n, b->n);
    for (int i = 0; i < a->n; i++) {
        assert_string_equal(a->text[i], b->text[i]);
        /* NaN where neither recorded; else the same bits */
        for (int e = 0; e < max_epochs; e++)
            assert_memory_equal(&a->fig[i][e], &b->fig[i][e], sizeof(double));
    }
}

#define SPACE "lr=loguniform(1e-3,3e-1); batch-size=choice(8|16|32)"

static void asha_makes_the_same_decisions_on_repeated_runs(void **state)
{
    (void)state;
    Options o = iris_sweep(SPACE, SWEEP_SCHED_ASHA, 12, 9, 2);
    Outcome a, b;
    run_sweep(&o, &a);
    run_sweep(&o, &b);
    /* the rule did something worth comparing: rungs, promotions, prunes */
    assert_true(a.n_events[SWEEP_EV_PROMOTE] > 0);
    int pruned = 0;
    for (int i = 0; i < a.n; i++) pruned += strstr(a.text[i], " pruned ") != NULL;
    assert_true(pruned > 0);
    assert_same(&a, &b, 9);
    assert_int_equal(a.n_events[SWEEP_EV_PROMOTE], b.n_events[SWEEP_EV_PROMOTE]);
}

static void median_decisions_do_not_depend_on_parallel(void **state)
{
    (void)state;
    /* the median rule judges a trial once every earlier one has reached
     * its epoch: one slot or three, the same trials are stopped */
    Options o1 = iris_sweep(SPACE, SWEEP_SCHED_MEDIAN, 10, 6, 1);
    Options o3 = iris_sweep(SPACE, SWEEP_SCHED_MEDIAN, 10, 6, 3);
    o1.min_epochs = o3.min_epochs = 2;
    Outcome a, b, c;
    run_sweep(&o1, &a);
    run_sweep(&o3, &b);
    run_sweep(&o3, &c);
    assert_true(a.n_events[SWEEP_EV_PRUNE] > 0);
    assert_same(&a, &b, 6);
    assert_same(&b, &c, 6);
}

static void pbt_decisions_do_not_depend_on_parallel(void **state)
{
    (void)state;
    Options o1 = iris_sweep(SPACE, SWEEP_SCHED_PBT, 6, 6, 1);
    Options o2 = iris_sweep(SPACE, SWEEP_SCHED_PBT, 6, 6, 2);
    Outcome a, b, c;
    run_sweep(&o1, &a);
    run_sweep(&o2, &b);
    run_sweep(&o2, &c);
    assert_true(a.n_events[SWEEP_EV_EXPLOIT] > 0);
    assert_same(&a, &b, 6);
    assert_same(&b, &c, 6);
}

/* A sweep of o over its data, in dir (NULL: no files), hooked by h;
 * sweep_closed frees both. */
static SweepExec *sweep_opened(const Options *o, const char *dir, const SweepHooks *h,
                               PreparedData *data)
{
    Error err = {0};
    assert_int_equal(prepared_open(data, o, NULL, &err), ERROR_NONE);
    SweepExec *x = calloc(1, sizeof *x);
    assert_non_null(x);
    assert_int_equal(sweep_exec_init(x, o, data, dir, h, &err), ERROR_NONE);
    return x;
}

static void sweep_closed(SweepExec *x, PreparedData *data)
{
    sweep_exec_free(x);
    free(x);
    prepared_close(data);
}

/* Under pbt a trial's best epoch and figure, as trials.csv and the screen
 * show them, are those of its kept weights: the adopted line's, whose
 * early stopping starts over at an exploit (trainer_adopt), not a better
 * epoch of the weights it gave up. */
static void pbt_a_trials_best_is_its_adopted_lines(void **state)
{
    (void)state;
    Options o = iris_sweep(SPACE, SWEEP_SCHED_PBT, 4, 12, 2);
    PreparedData data;
    Error err = {0};
    Outcome oc = {0};
    SweepHooks hooks = {.ctx = &oc, .on_event = count_event};
    SweepExec *x = sweep_opened(&o, NULL, &hooks, &data);
    assert_int_equal(sweep_exec_run(x, &err), ERROR_NONE);
    assert_true(oc.n_events[SWEEP_EV_EXPLOIT] > 0);
    for (int i = 0; i < x->n_started; i++) {
        const SweepTrial *t = &x->trials[i];
        assert_true(t->has_result);
        assert_int_equal(t->best_epoch, t->result.best_epoch);
        double kept = t->result.kept.val_loss;
        assert_true(fabs(t->best - kept) <= 1e-7 * fabs(kept));
    }
    sweep_closed(x, &data);
}

static void pbt_trains_to_the_full_length_when_the_next_barrier_lies_beyond(void **state)
{
    (void)state;
    /* barriers at 2 and 4; the trials released at 4 train to 5, not 6 */
    Options o = iris_sweep(SPACE, SWEEP_SCHED_PBT, 4, 5, 2);
    Outcome a;
    run_sweep(&o, &a); /* checks every trial's target against --max-epochs */
    assert_true(a.n_events[SWEEP_EV_EXPLOIT] > 0);
    for (int i = 0; i < a.n; i++) assert_non_null(strstr(a.text[i], " done epochs=5 "));
}

static void tpe_learns_from_the_same_trials_on_repeated_runs(void **state)
{
    (void)state;
    /* trial i learns from trials 0..i-parallel, all ended before it starts */
    Options o = iris_sweep(SPACE, SWEEP_SCHED_NONE, 14, 3, 2);
    o.sampler = SWEEP_SAMPLER_TPE;
    Outcome a, b;
    run_sweep(&o, &a);
    run_sweep(&o, &b);
    assert_int_equal(a.n, 14); /* beyond TPE's 10 random start-up trials */
    assert_same(&a, &b, 3);
}

static long epochs_trained(const Outcome *oc)
{
    long n = 0;
    for (int i = 0; i < oc->n; i++) {
        const char *e = strstr(oc->text[i], "epochs=");
        n += e ? atol(e + 7) : 0;
    }
    return n;
}

/* A sweep of o over data (opened here) that writes no files, ready to run. */
static SweepExec *exec_without_files(const Options *o, PreparedData *data)
{
    Error err = {0};
    assert_int_equal(prepared_open(data, o, NULL, &err), ERROR_NONE);
    SweepExec *x = calloc(1, sizeof *x);
    assert_non_null(x);
    assert_int_equal(sweep_exec_init(x, o, data, NULL, NULL, &err), ERROR_NONE);
    return x;
}

/* asha keeps every trial it has not promoted parked at its rung, network
 * and all: 200 iris trials leave over 128 waiting at the first rung at
 * once.  Only --parallel of them multiply at a time, so the BLAS work
 * buffers are the slots', not the trials' (gemm.h): the 129th trial once
 * failed to start, "129 threads would multiply matrices at once; the BLAS
 * library allows 128". */
static void asha_parks_more_trials_than_the_blas_has_buffers(void **state)
{
    (void)state;
    Options o = iris_sweep("lr=loguniform(1e-3,1e-1)", SWEEP_SCHED_ASHA, 200, 9, 1);
    PreparedData data;
    Error err = {0};
    SweepExec *x = exec_without_files(&o, &data);
    assert_int_equal(x->blas_reserved, 1);
    assert_int_equal(sweep_exec_run(x, &err), ERROR_NONE);
    int failed = 0, waited = 0;
    for (int i = 0; i < x->n_started; i++) {
        const SweepTrial *t = &x->trials[i];
        failed += t->status == TRIAL_FAILED;
        waited += t->status == TRIAL_PRUNED && t->epochs == 1; /* parked to the end */
    }
    assert_int_equal(x->n_started, 200);
    assert_int_equal(failed, 0);
    if (waited <= 128) fail_msg("only %d trials waited at the first rung: nothing tested", waited);
    sweep_exec_free(x);
    assert_int_equal(x->blas_reserved, 0);
    free(x);
    prepared_close(&data);
}

/* A trial's options name the space's parameters as what sets it apart
 * from the other trials (the HParams experiment's differs). */
static void trials_know_the_searched_parameters(void **state)
{
    (void)state;
    Options o =
        iris_sweep("lr=loguniform(1e-3,1e-1); batch-size=choice(8|16)", SWEEP_SCHED_NONE, 4, 2, 1);
    PreparedData data;
    SweepExec *x = exec_without_files(&o, &data);
    Options t;
    sweep_exec_trial_base(x, 3, &t);
    assert_true(options_varied(&t, "lr"));
    assert_true(options_varied(&t, "batch-size"));
    assert_false(options_varied(&t, "l2"));
    assert_false(options_varied(&t, "dataset"));
    sweep_exec_free(x);
    free(x);
    prepared_close(&data);
}

/* A person's change to trial 0 (its rate doubled in epoch 2, as on its
 * dashboard), then the sweep stopped in epoch 5: the trial's own thread,
 * through the screen's batch hook. */
typedef struct {
    SweepExec *x;
    bool changed, stopped;
} ByHand;

static void change_then_stop(void *ctx, const BatchInfo *b)
{
    ByHand *h = ctx;
    Trainer *tr = h->x->trials[0].tr->trainer;
    if (b->epoch == 1 && !h->changed) {
        HyperParams hp;
        trainer_get_hparams(tr, &hp);
        hp.opt.lr *= 2;
        trainer_set_hparams(tr, &hp);
        h->changed = true;
    }
    if (b->epoch == 4 && !h->stopped) {
        h->stopped = true;
        sweep_exec_stop(h->x);
    }
}

static char *slurp(const char *path);

/* The last lr of run's metrics.csv. */
static double last_lr(const char *run)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/metrics.csv", run);
    const char *text = slurp(path);
    const char *end = text + strlen(text);
    while (end > text && end[-1] == '\n') end--;
    const char *c = end;
    while (c > text && c[-1] != ',') c--;
    return strtod(c, NULL);
}

/* A trial changed by hand goes on after --resume with the changes (its
 * checkpoint's hyperparameters), still marked as changed, and its
 * config.txt keeps the configuration it was sampled with, so that the
 * next --resume takes the sweep's files as they are (they once reverted
 * to the sampled rate, and the mark was lost). */
static void a_trial_changed_by_hand_resumes_with_the_changes(void **state)
{
    (void)state;
    Options o = iris_sweep("lr=loguniform(1e-3,1e-2)", SWEEP_SCHED_NONE, 1, 12, 1);
    char dir[256];
    snprintf(dir, sizeof dir, "%s/byhand", tmpdir);
    mkdir(dir, 0755);
    PreparedData data;
    Error err = {0};
    assert_int_equal(prepared_open(&data, &o, NULL, &err), ERROR_NONE);
    SweepExec *x = calloc(1, sizeof *x);
    assert_non_null(x);
    assert_int_equal(sweep_exec_init(x, &o, &data, dir, NULL, &err), ERROR_NONE);
    ByHand h = {.x = x};
    sweep_exec_watch(x, 0, change_then_stop, &h);
    assert_int_equal(sweep_exec_run(x, &err), ERROR_NONE);
    assert_true(h.changed && h.stopped);
    char run[1024];
    snprintf(run, sizeof run, "%s", x->trials[0].run);
    double sampled = x->trials[0].opt.hp.opt.lr;
    assert_int_equal(x->trials[0].epochs, 4);
    sweep_exec_free(x);
    for (int pass = 0; pass < 2; pass++) { /* the second: a sweep resumed again */
        assert_int_equal(sweep_exec_init(x, &o, &data, dir, NULL, &err), ERROR_NONE);
        if (sweep_exec_resume(x, &err)) fail_msg("resume %d: %s", pass + 1, err.msg);
        assert_int_equal(sweep_exec_run(x, &err), ERROR_NONE);
        const SweepTrial *t = &x->trials[0];
        assert_int_equal(t->status, TRIAL_DONE);
        assert_int_equal(t->epochs, 12);
        if (pass == 0) assert_true(t->hand_changed);
        /* the sweep's record is the sampled rate; the run trained on at twice it */
        assert_true(t->opt.hp.opt.lr == sampled);
        /* and its run, taken up from its checkpoint's options, still names
         * the searched rate as what sets it apart (the HParams differs) */
        assert_true(options_varied(&t->opt, "lr"));
        sweep_exec_free(x);
    }
    double lr = last_lr(run);
    if (fabs(lr - 2 * sampled) > 1e-6 * sampled) /* metrics.csv: 8 digits */
        fail_msg("epoch 12 trained at lr %g, not the hand-changed %g", lr, 2 * sampled);
    free(x);
    prepared_close(&data);
}

static void a_budget_bounds_the_epochs_trained(void **state)
{
    (void)state;
    Options o = iris_sweep(SPACE, SWEEP_SCHED_ASHA, 30, 9, 2);
    o.budget = 25;
    Outcome a;
    run_sweep(&o, &a);
    assert_true(epochs_trained(&a) <= 25);
    assert_true(epochs_trained(&a) >= 25 - 9); /* the budget was used, not left idle */
    o = iris_sweep(SPACE, SWEEP_SCHED_NONE, 30, 4, 2);
    o.budget = 13; /* three trials of 4 epochs fit */
    run_sweep(&o, &a);
    assert_int_equal(a.n, 3);
    assert_int_equal(epochs_trained(&a), 12);
}

/* ---- PBT's exploit, on two trainers ----------------------------------- */

typedef struct {
    Trainer *self, *donor;
    Options explored;
    size_t n;
    float *params, *state; /* the donor's, at the end of its last epoch */
    long t;
    bool adopted, stopped_last;
    float *got_params, *got_state;
    long got_t;
    double got_lr;
    char change[256]; /* the recipient's journal line of the explored rates */
} Exploit;

static void recipient_event(void *ctx, const TrainEvent *e)
{
    Exploit *ex = ctx;
    if (e->kind == EVENT_CHANGE && strstr(e->text, "lr "))
        snprintf(ex->change, sizeof ex->change, "%s", e->text);
}

static void donor_state(void *ctx, const Model *m, const Optimizer *o, const TrainState *s,
                        bool last)
{
    (void)s;
    Exploit *ex = ctx;
    if (last) return;
    ex->n = m->n_params;
    ex->params = realloc(ex->params, ex->n * sizeof(float));
    ex->state = realloc(ex->state, 3 * ex->n * sizeof(float));
    memcpy(ex->params, m->params, ex->n * sizeof(float));
    memcpy(ex->state, o->state, 3 * ex->n * sizeof(float));
    ex->t = o->t;
}

static void recipient_state(void *ctx, const Model *m, const Optimizer *o, const TrainState *s,
                            bool last)
{
    (void)s;
    Exploit *ex = ctx;
    if (!last && !ex->adopted) {
        Error err = {0};
        assert_int_equal(trainer_adopt(ex->self, ex->donor, &ex->explored, "test", &err),
                         ERROR_NONE);
        ex->adopted = true;
        trainer_stop(ex->self); /* before another batch: the last state is the adopted one */
        return;
    }
    if (last) {
        ex->got_params = malloc(m->n_params * sizeof(float));
        ex->got_state = malloc(3 * m->n_params * sizeof(float));
        memcpy(ex->got_params, m->params, m->n_params * sizeof(float));
        memcpy(ex->got_state, o->state, 3 * m->n_params * sizeof(float));
        ex->got_t = o->t;
        ex->got_lr = o->p.lr;
    }
}

static void pbt_exploit_copies_exactly_the_donors_weights_and_state(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    snprintf(o.dataset, sizeof o.dataset, "iris");
    o.epochs = 5;
    o.hp.patience = 0;
    o.threads = 1;
    PreparedData data;
    Error err = {0};
    assert_int_equal(prepared_open(&data, &o, NULL, &err), ERROR_NONE);
    Exploit ex = {0};
    /* the donor trains 3 epochs from seed 1; the recipient 1 from seed 2 */
    Options od = o, orc = o;
    od.epochs = 3;
    od.seed = 1;
    od.hp.opt.lr = 0.003;
    orc.seed = 2;
    TrainerHooks hd = {.ctx = &ex, .on_state = donor_state};
    TrainerHooks hr = {.ctx = &ex, .on_state = recipient_state, .on_event = recipient_event};
    assert_int_equal(trainer_create(&ex.donor, &od, &data.train, &data.val, NULL, false, &hd, &err),
                     0);
    assert_int_equal(trainer_run(ex.donor, &err), ERROR_NONE);
    ex.explored = o;
    ex.explored.hp.opt.lr = 0.0042;
    assert_int_equal(trainer_create(&ex.self, &orc, &data.train, &data.val, NULL, false, &hr, &err),
                     0);
    assert_int_equal(trainer_run(ex.self, &err), ERROR_NONE);
    assert_true(ex.adopted);
    assert_non_null(ex.got_params);
    /* the donor's weights differ from the recipient's own: a copy shows */
    assert_true(ex.t > 0);
    assert_memory_equal(ex.got_params, ex.params, ex.n * sizeof(float));
    assert_memory_equal(ex.got_state, ex.state, 3 * ex.n * sizeof(float));
    assert_int_equal(ex.got_t, ex.t);
    assert_true(ex.got_lr == 0.0042); /* the explored rate over the donor's optimizer */
    /* the journal: from the recipient's own rate (0.001), not the donor's */
    assert_string_equal(ex.change, "lr 0.001 -> lr 0.0042");
    trainer_destroy(ex.donor);
    trainer_destroy(ex.self);
    free(ex.params);
    free(ex.state);
    free(ex.got_params);
    free(ex.got_state);
    prepared_close(&data);
}

/* ---- stopping ------------------------------------------------------------ */

typedef struct {
    SweepExec *x;
    SweepEventKind at;
    int seen;
} Stopper;

static void stop_at(void *ctx, const SweepExec *x, const SweepEvent *e)
{
    (void)x;
    Stopper *s = ctx;
    if (e->kind == s->at && s->seen++ == 0) sweep_exec_stop(s->x);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void stopped_sweep(const Options *o, SweepEventKind at, const char *sub, int *n_started,
                          SweepTrialStatus *first)
{
    char dir[256];
    snprintf(dir, sizeof dir, "%s/%s", tmpdir, sub);
    mkdir(dir, 0755);
    PreparedData data;
    Error err = {0};
    assert_int_equal(prepared_open(&data, o, NULL, &err), ERROR_NONE);
    SweepExec *x = calloc(1, sizeof *x);
    Stopper st = {.x = x, .at = at};
    SweepHooks hooks = {.ctx = &st, .on_event = stop_at};
    assert_int_equal(sweep_exec_init(x, o, &data, dir, &hooks, &err), ERROR_NONE);
    assert_int_equal(sweep_exec_run(x, &err), ERROR_NONE);
    *n_started = x->n_started;
    *first = x->trials[0].status;
    for (int i = 0; i < x->n_started; i++) {
        assert_true(x->trials[i].collected);
        assert_int_equal(x->trials[i].status, TRIAL_STOPPED);
    }
    /* trials.csv lists them all, stopped */
    char path[300];
    snprintf(path, sizeof path, "%s/trials.csv", dir);
    const char *csv = slurp(path);
    assert_non_null(csv);
    int rows = 0;
    for (const char *c = csv; *c; c++) rows += *c == '\n';
    assert_int_equal(rows, 1 + x->n_started);
    assert_non_null(strstr(csv, ",stopped,"));
    sweep_exec_free(x);
    free(x);
    prepared_close(&data);
}

static void a_stop_ends_running_trials_and_starts_none(void **state)
{
    (void)state;
    /* trials a million epochs long: only the stop ends this sweep */
    Options o = iris_sweep(SPACE, SWEEP_SCHED_NONE, 8, 1000000, 2);
    int n;
    SweepTrialStatus first;
    stopped_sweep(&o, SWEEP_EV_START, "stop-running", &n, &first);
    assert_int_equal(n, 1); /* stopped at the first start: no second trial */
}

static void a_stop_ends_trials_parked_at_a_rung(void **state)
{
    (void)state;
    Options o = iris_sweep(SPACE, SWEEP_SCHED_ASHA, 12, 1000000, 2);
    int n;
    SweepTrialStatus first;
    stopped_sweep(&o, SWEEP_EV_RUNG, "stop-parked", &n, &first);
    /* the first round's two jobs, then its decisions taken whole: two new
     * trials (nothing is promotable from two figures), stopped at once */
    assert_int_equal(n, 4);
}

/* ---- --resume ------------------------------------------------------------ */

/* One sweep into dir (made), stopped at the event `stop_at_start` times a
 * START has been seen (0: never), or resumed from dir; its outcome. */
static void sweep_in_at(const Options *o, const char *dir, SweepEventKind at, int nth, bool resume,
                        Outcome *oc);

/* The last of those sweeps' most trials training at once. */
static int last_peak_running;
/* The sweeps' SweepExec.checkpoint_near (negative: the default). */
static double trials_near = -1;

static void sweep_in(const Options *o, const char *dir, int stop_at_start, bool resume, Outcome *oc)
{
    sweep_in_at(o, dir, SWEEP_EV_START, stop_at_start, resume, oc);
}

/* The same, stopped at the nth event of kind at (0: never). */
static void sweep_in_at(const Options *o, const char *dir, SweepEventKind at, int nth, bool resume,
                        Outcome *oc)
{
    int stop_at_start = nth;
    memset(oc, 0, sizeof *oc);
    mkdir(dir, 0755);
    PreparedData data;
    Error err = {0};
    assert_int_equal(prepared_open(&data, o, NULL, &err), ERROR_NONE);
    SweepExec *x = calloc(1, sizeof *x);
    Stopper st = {.x = x, .at = at, .seen = 1 - stop_at_start};
    SweepHooks hooks = {.ctx = &st, .on_event = stop_at};
    assert_int_equal(sweep_exec_init(x, o, &data, dir, stop_at_start ? &hooks : NULL, &err),
                     ERROR_NONE);
    x->checkpoint_near = trials_near;
    if (resume && sweep_exec_resume(x, &err)) fail_msg("%s", err.msg);
    assert_int_equal(sweep_exec_run(x, &err), ERROR_NONE);
    oc->n = x->n_started;
    for (int i = 0; i < x->n_started; i++) {
        const SweepTrial *t = &x->trials[i];
        char cfg[128];
        sweep_exec_config_text(x, t, cfg, sizeof cfg);
        snprintf(oc->text[i], sizeof oc->text[i], "%s %s epochs=%d rung=%d target=%d", cfg,
                 sweep_trial_status_names[t->status], t->epochs, t->rung, t->target);
        for (int e = 1; e <= o->max_epochs && e <= 32; e++)
            oc->fig[i][e - 1] = sweep_board_get(&x->board, i, e);
        snprintf(oc->run[i], sizeof oc->run[i], "%s", t->run);
        oc->epochs[i] = t->epochs;
        oc->n_events[SWEEP_EV_PRUNE] += t->status == TRIAL_PRUNED;
        oc->n_events[SWEEP_EV_END] += t->status == TRIAL_STOPPED;
    }
    last_peak_running = x->peak_running;
    sweep_exec_free(x);
    free(x);
    prepared_close(&data);
}

static void a_resumed_sweep_ends_as_an_uninterrupted_one(void **state)
{
    (void)state;
    Options o = iris_sweep(SPACE, SWEEP_SCHED_MEDIAN, 9, 12, 2);
    o.min_epochs = 2;
    char whole[256], cut[256];
    snprintf(whole, sizeof whole, "%s/resume-whole", tmpdir);
    snprintf(cut, sizeof cut, "%s/resume-cut", tmpdir);
    Outcome a, b, c;
    sweep_in(&o, whole, 0, false, &a);
    sweep_in(&o, cut, 3, false, &b); /* stopped at the third start */
    assert_int_equal(b.n, 3);
    assert_true(b.n_events[SWEEP_EV_END] > 0); /* some trials were interrupted */
    sweep_in(&o, cut, 0, true, &c);
    assert_true(a.n_events[SWEEP_EV_PRUNE] > 0);
    assert_same(&a, &c, 12);
    /* every interrupted trial went on in its own run directory: from its
     * checkpoint, or, stopped in its first epoch before any, from the
     * first epoch (once in a new directory, leaving the old one behind).
     * How far the trial beside the one that ended got by the third start
     * depends on the scheduling (an iris trial takes about a millisecond):
     * the asha test below reopens trials from checkpoints at fixed points. */
    int went_on = 0;
    for (int i = 0; i < b.n; i++) {
        if (!b.run[i][0]) continue;
        assert_string_equal(b.run[i], c.run[i]);
        went_on += b.epochs[i] > 0;
    }
    assert_true(went_on >= 1);
    /* interrupted again while resuming (trials waiting for a slot among
     * them), then resumed to the end: still the same sweep */
    char twice[256];
    snprintf(twice, sizeof twice, "%s/resume-twice", tmpdir);
    Outcome d;
    sweep_in(&o, twice, 7, false, &d);
    sweep_in(&o, twice, 1, true, &d);
    sweep_in(&o, twice, 0, true, &d);
    assert_same(&a, &d, 12);
}

static void a_resumed_asha_sweep_ends_as_an_uninterrupted_one(void **state)
{
    (void)state;
    Options o = iris_sweep(SPACE, SWEEP_SCHED_ASHA, 12, 9, 2);
    char whole[256], cut[256];
    snprintf(whole, sizeof whole, "%s/asha-whole", tmpdir);
    snprintf(cut, sizeof cut, "%s/asha-cut", tmpdir);
    Outcome a, b, c;
    sweep_in(&o, whole, 0, false, &a);
    /* stopped at a round's end, its trials waiting at their rungs */
    sweep_in_at(&o, cut, SWEEP_EV_RUNG, 5, false, &b);
    assert_true(b.n < a.n);
    sweep_in(&o, cut, 0, true, &c);
    assert_same(&a, &c, 9);
    /* every trial went on in its own run directory, those with a
     * checkpoint from it (the trials the cut round started may have been
     * stopped before their first, and start again there) */
    int went_on = 0;
    for (int i = 0; i < b.n; i++) {
        if (!b.run[i][0]) continue;
        assert_string_equal(b.run[i], c.run[i]);
        went_on += b.epochs[i] > 0;
    }
    assert_true(went_on >= 2);
}

static void write_text(const char *path, const char *text);
static void strip_records(const char *dir);

/* The median sweep several resume tests share; its directories
 * tmpdir/NAME-whole and tmpdir/NAME-cut, and the latter's trials.csv. */
static Options median_dirs(const char *name, char *whole, char *cut, char *csv)
{
    Options o = iris_sweep(SPACE, SWEEP_SCHED_MEDIAN, 9, 12, 2);
    o.min_epochs = 2;
    snprintf(whole, 256, "%s/%s-whole", tmpdir, name);
    snprintf(cut, 256, "%s/%s-cut", tmpdir, name);
    snprintf(csv, 300, "%s/trials.csv", cut);
    return o;
}

/* trials.csv saved again by an editor, with CRLF line ends and a blank
 * line at the end: resumed as it was, each trial in its own run. */
static void a_trials_csv_saved_with_crlf_resumes_the_same(void **state)
{
    (void)state;
    char whole[256], cut[256], csv[300];
    Options o = median_dirs("crlf", whole, cut, csv);
    Outcome a, b, c;
    sweep_in(&o, whole, 0, false, &a);
    sweep_in(&o, cut, 3, false, &b);
    const char *text = slurp(csv);
    assert_non_null(text);
    static char crlf[1 << 16];
    size_t n = 0;
    for (const char *p = text; *p && n + 3 < sizeof crlf; p++) {
        if (*p == '\n') crlf[n++] = '\r';
        crlf[n++] = *p;
    }
    memcpy(crlf + n, "\r\n", 3);
    write_text(csv, crlf);
    sweep_in(&o, cut, 0, true, &c);
    assert_same(&a, &c, 12);
    for (int i = 0; i < b.n; i++)
        if (b.run[i][0]) assert_string_equal(b.run[i], c.run[i]);
}

/* A SIGKILL at the nth event of kind at: a child runs the sweep into dir
 * and is killed there, no file finished (the event's hook runs on the
 * owner's thread, with every trial at a point the kind fixes). */
typedef struct {
    SweepEventKind at;
    int left;
} Killer;

static void kill_at(void *ctx, const SweepExec *x, const SweepEvent *e)
{
    (void)x;
    Killer *k = ctx;
    if (e->kind == k->at && --k->left == 0) kill(getpid(), SIGKILL);
}

static void sweep_killed_in(const Options *o, const char *dir, SweepEventKind at, int nth,
                            bool resume);

static void sweep_killed_at(const Options *o, const char *dir, SweepEventKind at, int nth)
{
    sweep_killed_in(o, dir, at, nth, false);
}

/* The same, the sweep resumed from dir when resume. */
static void sweep_killed_in(const Options *o, const char *dir, SweepEventKind at, int nth,
                            bool resume)
{
    mkdir(dir, 0755);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        PreparedData data;
        Error err = {0};
        SweepExec *x = calloc(1, sizeof *x);
        Killer k = {at, nth};
        SweepHooks hooks = {.ctx = &k, .on_event = kill_at};
        if (!x || prepared_open(&data, o, NULL, &err) ||
            sweep_exec_init(x, o, &data, dir, &hooks, &err))
            _exit(2);
        x->checkpoint_near = trials_near;
        if (resume && sweep_exec_resume(x, &err)) _exit(2);
        sweep_exec_run(x, &err);
        _exit(3); /* the sweep ended before the event */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
        fail_msg("the sweep was not killed at its event (wait status %#x)", status);
}

/* dir/trials.csv without each row's last field (the run, whose path names
 * the sweep directory) into buf. */
static void trials_without_runs(const char *dir, char *buf, size_t cap)
{
    char path[300];
    snprintf(path, sizeof path, "%s/trials.csv", dir);
    const char *csv = slurp(path);
    assert_non_null(csv);
    size_t n = 0;
    for (const char *line = csv; *line && n + 1 < cap;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        size_t keep = len;
        while (keep > 0 && line[keep - 1] != ',') keep--;
        n += (size_t)snprintf(buf + n, cap - n, "%.*s\n", (int)keep, line);
        line += len + (end != NULL);
    }
}

/* Every trial's journal in dir ends its run: a result line last. */
static void every_journal_has_its_result(const char *dir, int n)
{
    for (int i = 0; i < n; i++) {
        char cmd[600];
        snprintf(cmd, sizeof cmd,
                 "tail -n 1 %s/*-trial-%03d/journal.txt | grep -q ' result status='", dir, i);
        if (system(cmd) != 0) fail_msg("trial %d's journal has no result line last", i);
    }
}

/* The sweep o into tmpdir/NAME-whole, and into tmpdir/NAME-cut killed at
 * the nth event of kind at, then resumed: the same trials and figures,
 * the same trials.csv (the kept weights' figures too), every journal
 * ended with its result.  The uninterrupted sweep's prunes. */
static int killed_resumes_to_the_same_files(const Options *o, const char *name, SweepEventKind at,
                                            int nth)
{
    static char a_csv[1 << 15], c_csv[1 << 15];
    char whole[256], cut[256];
    Outcome a, c;
    snprintf(whole, sizeof whole, "%s/%s-whole", tmpdir, name);
    snprintf(cut, sizeof cut, "%s/%s-cut", tmpdir, name);
    sweep_in(o, whole, 0, false, &a);
    sweep_killed_at(o, cut, at, nth);
    sweep_in(o, cut, 0, true, &c);
    assert_same(&a, &c, o->max_epochs);
    trials_without_runs(whole, a_csv, sizeof a_csv);
    trials_without_runs(cut, c_csv, sizeof c_csv);
    assert_string_equal(a_csv, c_csv);
    every_journal_has_its_result(cut, c.n);
    return a.n_events[SWEEP_EV_PRUNE];
}

static void a_killed_sweep_resumes_to_the_uninterrupted_ones_files(void **state)
{
    (void)state;
    /* each twice: the trials (of a few milliseconds) leaving their states
     * to their ends' writes, as they do, and writing every state the time
     * rule allows, so that those killed go on from checkpoints too */
    for (int k = 0; k < 2; k++) {
        trials_near = k ? 0 : -1;
        char name[32];
        /* asha: killed at a round's end, its trials parked at their rungs;
         * resumed, those pruned at the end are opened from their checkpoints
         * to stop, as the uninterrupted sweep stopped them parked */
        Options o = iris_sweep(SPACE, SWEEP_SCHED_ASHA, 12, 9, 2);
        snprintf(name, sizeof name, "kill-asha-%d", k);
        killed_resumes_to_the_same_files(&o, name, SWEEP_EV_RUNG, 5);
        /* median: killed at its first prune, later trials waiting to be
         * judged at their epochs */
        o = iris_sweep(SPACE, SWEEP_SCHED_MEDIAN, 10, 6, 1);
        o.min_epochs = 2;
        snprintf(name, sizeof name, "kill-median-%d", k);
        assert_true(killed_resumes_to_the_same_files(&o, name, SWEEP_EV_PRUNE, 1) >= 2);
    }
    trials_near = -1;
}

/* The same under --no-restore-best, where a trial keeps its last epoch's
 * weights and figures: resumed, a trial opened from its checkpoint only to
 * stop where it was pruned (asha, median) keeps that epoch's figures, the
 * running means of its training batches, as the uninterrupted sweep's
 * stop does, not figures scored again over the whole training part. */
static void a_killed_sweep_without_restore_best_resumes_to_the_same_figures(void **state)
{
    (void)state;
    Options o = iris_sweep(SPACE, SWEEP_SCHED_ASHA, 12, 9, 2);
    o.restore_best = false;
    killed_resumes_to_the_same_files(&o, "kill-last-asha", SWEEP_EV_RUNG, 5);
    o = iris_sweep(SPACE, SWEEP_SCHED_MEDIAN, 10, 6, 1);
    o.restore_best = false;
    o.min_epochs = 2;
    assert_true(killed_resumes_to_the_same_files(&o, "kill-last-median", SWEEP_EV_PRUNE, 1) >= 2);
}

/* Under median trials.csv is written as trials start, not at each of the
 * rule's judgements: a sweep killed as the rule prunes a trial past its
 * first judged epoch has that trial's row as it started.  Resumed, the
 * trial ends with the row of the uninterrupted sweep, its target the
 * epoch the rule last let it go on to. */
static void a_median_sweep_killed_at_each_prune_resumes_the_same(void **state)
{
    (void)state;
    /* one slot: the rule judges each trial as it parks */
    Options o = iris_sweep(SPACE, SWEEP_SCHED_MEDIAN, 9, 12, 1);
    o.seed = 8;
    Outcome a = {0}, c; /* a's prunes counted once it ran, at nth 0 */
    char dir[256];
    for (int nth = 0; nth <= a.n_events[SWEEP_EV_PRUNE]; nth++) {
        snprintf(dir, sizeof dir, "%s/kill-prunes-%d", tmpdir, nth);
        if (nth == 0) { /* uninterrupted */
            sweep_in(&o, dir, 0, false, &a);
            /* trial 6 is pruned at epoch 2, after the rule let it go on at 1 */
            assert_non_null(strstr(a.text[6], " pruned epochs=2 rung=-1 target=2"));
            continue;
        }
        sweep_killed_at(&o, dir, SWEEP_EV_PRUNE, nth);
        sweep_in(&o, dir, 0, true, &c);
        assert_same(&a, &c, 12);
    }
}

static void expect_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("message \"%s\" does not contain \"%s\"", haystack, needle);
}

/* sweep_exec_resume on dir: its code, its message into msg. */
static ErrorCode resume_error(const Options *o, const char *dir, char *msg, size_t cap)
{
    PreparedData data;
    Error err = {0};
    assert_int_equal(prepared_open(&data, o, NULL, &err), ERROR_NONE);
    SweepExec *x = calloc(1, sizeof *x);
    assert_int_equal(sweep_exec_init(x, o, &data, dir, NULL, &err), ERROR_NONE);
    ErrorCode rc = sweep_exec_resume(x, &err);
    snprintf(msg, cap, "%s", err.msg);
    sweep_exec_free(x);
    free(x);
    prepared_close(&data);
    return rc;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Blanks the figures of the trials.csv row whose ",STATUS," starts at row
 * (fields 8 to 11), in place. */
static void blank_figures(char *row)
{
    char *f = row + 1; /* the status field */
    for (int k = 0; k < 6; k++) f = strchr(f, ',') + 1;
    char *g = f;
    for (int k = 0; k < 4; k++) g = strchr(g, ',') + 1;
    memmove(f + 3, g - 1, strlen(g - 1) + 1);
    memcpy(f, ",,,", 3);
}

/* The sweep o into tmpdir/name, then its first row of status `was` set
 * to `now` with no figures, as a kill before the trial was collected
 * leaves it: resumed, the same trials, and the same trials.csv. */
static int uncollected_resumes_the_same(const Options *o, const char *name, const char *was,
                                        const char *now)
{
    char dir[256], csv[300], from[32], to[32];
    static char whole[1 << 15], after[1 << 15], text[1 << 16];
    snprintf(dir, sizeof dir, "%s/%s", tmpdir, name);
    snprintf(csv, sizeof csv, "%s/trials.csv", dir);
    snprintf(from, sizeof from, ",%s,", was);
    snprintf(to, sizeof to, ",%s,", now);
    Outcome a, b;
    sweep_in(o, dir, 0, false, &a);
    trials_without_runs(dir, whole, sizeof whole);
    snprintf(text, sizeof text, "%s", slurp(csv));
    char *row = strstr(text, from);
    assert_non_null(row);
    const char *line = row;
    while (line > text && line[-1] != '\n') line--;
    int index = atoi(line);
    static char edited[1 << 16];
    size_t at = (size_t)(row - text);
    snprintf(edited, sizeof edited, "%.*s%s%s", (int)at, text, to, row + strlen(from));
    blank_figures(edited + at);
    write_text(csv, edited);
    sweep_in(o, dir, 0, true, &b);
    assert_same(&a, &b, o->max_epochs);
    trials_without_runs(dir, after, sizeof after);
    assert_string_equal(whole, after);
    return index;
}

/* A trial the rule pruned whose stop the sweep had not collected when it
 * was cut (trials.csv says pruned, with no figures): resumed, it is opened
 * to stop there and its figures come back. */
static void a_pruned_trial_not_collected_resumes_to_its_figures(void **state)
{
    (void)state;
    Options o = iris_sweep(SPACE, SWEEP_SCHED_MEDIAN, 10, 6, 1);
    o.min_epochs = 2;
    uncollected_resumes_the_same(&o, "uncollected", "pruned", "pruned");
}

/* A trial whose early stopping ended it, the sweep killed before it was
 * collected (trials.csv says running, with no figures): resumed, it ends
 * where it stopped, with its figures, not trained on. */
static void an_early_stopped_trial_not_collected_ends_where_it_stopped(void **state)
{
    (void)state;
    Options o = iris_sweep(SPACE, SWEEP_SCHED_NONE, 4, 30, 2);
    o.hp.patience = 2;
    uncollected_resumes_the_same(&o, "early-uncollected", "early_stopped", "running");
}

/* The model file at path without its LAST section, as a gradtop from
 * before LAST wrote it: the section's bytes out, the count one less, the
 * checksum again. */
static void strip_last_section(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t b[1 << 20];
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    uint32_t count;
    memcpy(&count, b + 12, 4);
    size_t off = 16;
    for (uint32_t k = 0; k < count; k++) {
        uint32_t id;
        uint64_t len;
        memcpy(&id, b + off, 4);
        memcpy(&len, b + off + 8, 8);
        if (id == MODELFILE_SECTION_LAST) {
            memmove(b + off, b + off + 16 + len, n - (off + 16 + len));
            n -= 16 + (size_t)len;
            count--;
            memcpy(b + 12, &count, 4);
            uint32_t crc = crc32c(b, n - 4);
            memcpy(b + n - 4, &crc, 4);
            f = fopen(path, "wb");
            assert_non_null(f);
            assert_int_equal(fwrite(b, 1, n, f), n);
            fclose(f);
            return;
        }
        off += 16 + (size_t)len;
    }
    fail_msg("%s has no LAST section", path);
}

/* The best trial's result pairs, in either order (sweep_result_pairs). */
typedef struct {
    char headless[800], screen[800];
    char end_line[1024]; /* its END event's line in the screen's order, "" when not told */
    bool read_back;      /* its pairs are those of its journal (--resume) */
} BestPairs;

static void best_pairs_of(const Options *o, const char *dir, bool resume, BestPairs *p);

/* The same under --no-restore-best, the sweep killed as each trial's end
 * is told (its files whole, trials.csv still saying running): a trial
 * whose early stopping ended it keeps the last epoch's weights, whose
 * figures its checkpoint does not hold (it holds the best epoch's).
 * Resumed, it ends where it stopped, with the uninterrupted sweep's
 * figures in trials.csv and best.txt, not trained on. */
static void an_early_stopped_trial_without_restore_best_ends_where_it_stopped(void **state)
{
    (void)state;
    Options o = iris_sweep("lr=loguniform(0.01,0.3)", SWEEP_SCHED_NONE, 5, 10, 1);
    o.hp.patience = 2;
    o.restore_best = false;
    char whole[256], cut[256], path[300];
    static char a_csv[1 << 15], c_csv[1 << 15], a_best[1 << 16];
    snprintf(whole, sizeof whole, "%s/norestore-whole", tmpdir);
    Outcome a, c;
    sweep_in(&o, whole, 0, false, &a);
    int early = 0, done = 0;
    for (int i = 0; i < a.n; i++) {
        early += strstr(a.text[i], " early_stopped ") != NULL;
        done += strstr(a.text[i], " done ") != NULL;
    }
    /* and at its full length: a checkpoint of its last epoch, which the
     * trainer could not go on from */
    assert_true(early >= 2 && done >= 1);
    trials_without_runs(whole, a_csv, sizeof a_csv);
    snprintf(path, sizeof path, "%s/best.txt", whole);
    snprintf(a_best, sizeof a_best, "%s", slurp(path));
    for (int nth = 1; nth <= a.n; nth++) {
        snprintf(cut, sizeof cut, "%s/norestore-cut-%d", tmpdir, nth);
        sweep_killed_at(&o, cut, SWEEP_EV_END, nth);
        sweep_in(&o, cut, 0, true, &c);
        assert_same(&a, &c, 10);
        trials_without_runs(cut, c_csv, sizeof c_csv);
        assert_string_equal(a_csv, c_csv);
        snprintf(path, sizeof path, "%s/best.txt", cut);
        const char *best = slurp(path);
        assert_non_null(best);
        /* its comment (the trial, its figure) and options, but for the
         * run directory's name */
        assert_memory_equal(a_best, best, (size_t)(strstr(a_best, "; run ") - a_best));
        assert_string_equal(strchr(a_best, '\n'), strchr(best, '\n'));
        every_journal_has_its_result(cut, c.n);
        /* and the result line's figures, from the best trial's journal */
        BestPairs pa, pc;
        best_pairs_of(&o, whole, true, &pa);
        best_pairs_of(&o, cut, true, &pc);
        assert_string_equal(pa.headless, pc.headless);
        /* a checkpoint from before LAST: the trial ends with its last
         * epoch's figures as metrics.csv has them */
        snprintf(cut, sizeof cut, "%s/norestore-old-%d", tmpdir, nth);
        sweep_killed_at(&o, cut, SWEEP_EV_END, nth);
        char cmd[600];
        snprintf(cmd, sizeof cmd, "ls %s/*-trial-%03d/checkpoint.gtm", cut, nth - 1);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        assert_non_null(fgets(path, sizeof path, p));
        pclose(p);
        path[strcspn(path, "\n")] = '\0';
        strip_last_section(path);
        sweep_in(&o, cut, 0, true, &c);
        assert_same(&a, &c, 10);
        trials_without_runs(cut, c_csv, sizeof c_csv);
        assert_string_equal(a_csv, c_csv);
    }
}

/* dir's trial i's FILE (model.gtm, checkpoint.gtm), loaded into sm. */
static void load_trial_file(const char *dir, int i, const char *file, SavedModel *sm)
{
    char cmd[400], path[1200];
    snprintf(cmd, sizeof cmd, "ls -d %s/*-trial-%03d", dir, i);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(path, 1000, p));
    pclose(p);
    path[strcspn(path, "\n")] = '\0';
    snprintf(path + strlen(path), sizeof path - strlen(path), "/%s", file);
    Error err = {0};
    assert_int_equal(modelfile_load(sm, path, &err), ERROR_NONE);
}

/* A trial at its full length, the sweep killed before it was collected:
 * resumed, its run ends with the files the trainer's end writes, model.gtm
 * the kept weights with the last epoch's optimizer state as an
 * uninterrupted trial's (files.md), its checkpoint.gtm untouched. */
static void a_done_trial_not_collected_ends_with_the_trainers_files(void **state)
{
    (void)state;
    /* a rate that overfits: trial 0's best epoch is before its last; a
     * penalty model.gtm records, and a test set scored at the end */
    Options o = iris_sweep("lr=loguniform(0.2,0.3)", SWEEP_SCHED_NONE, 2, 30, 1);
    o.hp.l2 = 1e-3;
    snprintf(o.test, sizeof o.test, "iris");
    char whole[256], cut[256];
    snprintf(whole, sizeof whole, "%s/done-uncollected-whole", tmpdir);
    snprintf(cut, sizeof cut, "%s/done-uncollected", tmpdir);
    Outcome a;
    sweep_in(&o, whole, 0, false, &a);
    int i = uncollected_resumes_the_same(&o, "done-uncollected", "done", "running");
    const char *files[2] = {"model.gtm", "checkpoint.gtm"};
    for (int f = 0; f < 2; f++) {
        SavedModel sa, sc;
        load_trial_file(whole, i, files[f], &sa);
        load_trial_file(cut, i, files[f], &sc);
        if (f == 0) assert_true(sa.kept_epoch < sa.epoch); /* the kept weights are earlier's */
        assert_int_equal(sa.epoch, sc.epoch);
        assert_int_equal(sa.kept_epoch, sc.kept_epoch);
        assert_int_equal(sa.n_params, sc.n_params);
        assert_memory_equal(sa.params, sc.params, sa.n_params * sizeof *sa.params);
        assert_true(sa.has_opt);
        assert_int_equal(sa.has_opt, sc.has_opt);
        assert_int_equal(sa.opt_t, sc.opt_t);
        assert_memory_equal(sa.opt_state, sc.opt_state, 3 * sa.n_params * sizeof(float));
        assert_string_equal(sa.config_text, sc.config_text);
        modelfile_free(&sa);
        modelfile_free(&sc);
    }
    /* its journal's result line, test figures included, but for the time
     * and the directory */
    char cmd[1200], ra[800], rc[800];
    const char *dirs[2] = {whole, cut};
    char *res[2] = {ra, rc};
    for (int k = 0; k < 2; k++) {
        snprintf(cmd, sizeof cmd,
                 "grep ' result ' %s/*-trial-%03d/journal.txt | tail -n 1 | cut -d' ' -f2- | "
                 "sed 's/ run=.*//'",
                 dirs[k], i);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        assert_non_null(fgets(res[k], 800, p));
        pclose(p);
    }
    assert_non_null(strstr(ra, " test_loss="));
    assert_string_equal(ra, rc);
}

/* trials.csv in dir with every pruned row's figures blanked, as a kill
 * leaves rows the rule pruned before their trials were collected; then
 * the shell command each run for each of their runs, "$r" (failing the
 * test when it fails).  The number of such rows. */
static int pruned_rows_uncollected(const char *dir, const char *each)
{
    char csv[300];
    snprintf(csv, sizeof csv, "%s/trials.csv", dir);
    static char text[1 << 16];
    snprintf(text, sizeof text, "%s", slurp(csv));
    int n = 0;
    for (char *row = strstr(text, ",pruned,"); row; row = strstr(row + 1, ",pruned,")) {
        blank_figures(row);
        n++;
    }
    write_text(csv, text);
    char cmd[800];
    snprintf(cmd, sizeof cmd,
             "for r in $(grep ',pruned,' %s | awk -F, '{print $NF}'); do { %s; } || exit 1; done",
             csv, each);
    assert_int_equal(system(cmd), 0);
    return n;
}

/* The same, their checkpoints removed, as a kill before any was written
 * leaves them: resumed, each trains again from its first epoch up to
 * where it was pruned. */
static int uncollect_pruned(const char *dir)
{
    return pruned_rows_uncollected(dir, "rm -f \"$r/checkpoint.gtm\"");
}

/* A kill while such a trial was trained again up to its prune epoch
 * leaves its metrics.csv short of it (each pruned run's last row removed,
 * as by a kill in its last epoch), and trials.csv saying pruned, without
 * figures: resumed, each is trained again up to the epoch it was pruned
 * at, not stopped where the kill left it, and the sweep ends as the
 * uninterrupted one. */
static void a_pruned_trial_killed_as_it_trained_again_stops_where_it_was_pruned(void **state)
{
    (void)state;
    Options sweeps[2] = {iris_sweep(SPACE, SWEEP_SCHED_ASHA, 12, 9, 2),
                         iris_sweep(SPACE, SWEEP_SCHED_MEDIAN, 10, 6, 1)};
    sweeps[1].min_epochs = 2;
    for (int k = 0; k < 2; k++) {
        const Options *o = &sweeps[k];
        char dir[256], csv[300], cmd[700];
        snprintf(dir, sizeof dir, "%s/replay-cut-%d", tmpdir, k);
        snprintf(csv, sizeof csv, "%s/trials.csv", dir);
        Outcome a, b;
        sweep_in(o, dir, 0, false, &a);
        assert_true(uncollect_pruned(dir) >= 2);
        snprintf(cmd, sizeof cmd,
                 "for r in $(grep ',pruned,' %s | awk -F, '{print $NF}'); do "
                 "sed -i '$d' \"$r/metrics.csv\"; done",
                 csv);
        assert_int_equal(system(cmd), 0);
        sweep_in(o, dir, 0, true, &b);
        assert_same(&a, &b, o->max_epochs);
    }
}

/* Stops the sweep after the last batch of a trial's first epoch, from
 * the trial's own thread (sweep_exec_watch's hook). */
typedef struct {
    SweepExec *x;
    long rows, train_rows;
    int stops;
} FirstEpochStop;

static void stop_after_first_epoch(void *ctx, const BatchInfo *b)
{
    FirstEpochStop *s = ctx;
    if (b->epoch != 0 || s->stops) return;
    s->rows += b->rows;
    if (s->rows < s->train_rows) return;
    s->stops++;
    sweep_exec_stop(s->x);
}

/* A stop (SIGINT) that comes as a pruned trial is trained again up to the
 * epoch it was pruned at, at the end of an epoch before that one: the
 * trial is interrupted there, stopped in trials.csv, not pruned at that
 * epoch with its figures; resumed, the sweep ends as the uninterrupted
 * one. */
static void a_stop_as_a_pruned_trial_trains_again_leaves_it_stopped(void **state)
{
    (void)state;
    char dir[256], csv[300];
    snprintf(dir, sizeof dir, "%s/stop-in-replay", tmpdir);
    Options o = iris_sweep(SPACE, SWEEP_SCHED_ASHA, 12, 9, 1);
    Outcome a, c;
    sweep_in(&o, dir, 0, false, &a);
    /* a trial pruned at its rung of epoch 3 */
    snprintf(csv, sizeof csv, "%s/trials.csv", dir);
    const char *row = strstr(slurp(csv), ",pruned,1,3,");
    assert_non_null(row);
    while (row[-1] != '\n') row--;
    int i = atoi(row);
    assert_true(uncollect_pruned(dir) >= 2);
    PreparedData data;
    Error err = {0};
    SweepExec *x = sweep_opened(&o, dir, NULL, &data);
    assert_int_equal(sweep_exec_resume(x, &err), ERROR_NONE);
    assert_int_equal(x->trials[i].prune_at, 3);
    FirstEpochStop fs = {.x = x, .train_rows = (long)data.train.n};
    sweep_exec_watch(x, i, stop_after_first_epoch, &fs);
    assert_int_equal(sweep_exec_run(x, &err), ERROR_NONE);
    sweep_exec_watch(x, i, NULL, NULL);
    assert_int_equal(fs.stops, 1);
    assert_int_equal(x->trials[i].epochs, 1);
    assert_int_equal(x->trials[i].status, TRIAL_STOPPED);
    sweep_closed(x, &data);
    sweep_in(&o, dir, 0, true, &c);
    assert_same(&a, &c, 9);
}

/* Resumed, the trials trained again up to where they were pruned take
 * slots as any trial does: no more train at once than --parallel. */
static void trials_trained_again_to_their_prune_keep_to_parallel(void **state)
{
    (void)state;
    Options o = iris_sweep(SPACE, SWEEP_SCHED_ASHA, 12, 27, 1);
    snprintf(o.dataset, sizeof o.dataset, "digits");
    o.min_epochs = 3;
    char dir[256];
    snprintf(dir, sizeof dir, "%s/replays", tmpdir);
    Outcome a, b;
    sweep_in(&o, dir, 0, false, &a);
    assert_int_equal(last_peak_running, 1);
    assert_true(uncollect_pruned(dir) >= 8);
    sweep_in(&o, dir, 0, true, &b);
    assert_int_equal(last_peak_running, 1);
    /* and they came back to the uninterrupted sweep's figures */
    assert_same(&a, &b, 27);
}

/* A whole sweep of SPACE (iris_sweep's, trials of max_epochs each) in
 * tmpdir/name, for a test to damage: its options, directory and
 * trials.csv, trials.csv's text, room for an error message. */
typedef struct {
    Options o;
    char dir[256], csv[300], msg[sizeof(Error){0}.msg];
    char saved[1 << 16];
} Swept;

static Swept *finished_sweep_of(const Options *o, const char *name)
{
    static Swept w;
    w.o = *o;
    snprintf(w.dir, sizeof w.dir, "%s/%s", tmpdir, name);
    snprintf(w.csv, sizeof w.csv, "%s/trials.csv", w.dir);
    Outcome a;
    sweep_in(&w.o, w.dir, 0, false, &a);
    snprintf(w.saved, sizeof w.saved, "%s", slurp(w.csv));
    return &w;
}

static Swept *finished_sweep(const char *name, int trials, int max_epochs)
{
    Options o = iris_sweep(SPACE, SWEEP_SCHED_NONE, trials, max_epochs, 1);
    return finished_sweep_of(&o, name);
}

/* The run directory of w's trial i, into run. */
static void trial_run(const Swept *w, int i, char *run, size_t cap)
{
    PreparedData data;
    Error err = {0};
    assert_int_equal(prepared_open(&data, &w->o, NULL, &err), ERROR_NONE);
    SweepExec *x = calloc(1, sizeof *x);
    assert_int_equal(sweep_exec_init(x, &w->o, &data, w->dir, NULL, &err), ERROR_NONE);
    assert_true(sweep_trial_dir_find(x, i, run, cap));
    sweep_exec_free(x);
    free(x);
    prepared_close(&data);
}

static void resume_refuses_what_is_not_this_sweeps_trials(void **state)
{
    (void)state;
    static char text[1 << 16];
    Swept *w = finished_sweep("refuse", 4, 2);
    /* another space's columns: space.txt edited */
    Options other = iris_sweep("lr=loguniform(1e-3,3e-1)", SWEEP_SCHED_NONE, 4, 2, 1);
    assert_int_equal(resume_error(&other, w->dir, w->msg, sizeof w->msg), ERROR_INPUT);
    expect_contains(w->msg, "space = lr=loguniform(1e-3,3e-1), but this sweep's trials were made "
                            "with space = " SPACE);
    /* a sweep whose trials kept no record of it: trials.csv's columns */
    strip_records(w->dir);
    assert_int_equal(resume_error(&other, w->dir, w->msg, sizeof w->msg), ERROR_INPUT);
    expect_contains(w->msg, "trials.csv:1: its columns are not those of this sweep's space.txt");
    expect_contains(w->msg, "was space.txt edited?");
    /* a row with a field too many, and one of another trial */
    char *nl = strchr(w->saved, '\n');
    assert_non_null(nl);
    snprintf(text, sizeof text, "%.*s0,done,x%s", (int)(nl - w->saved + 1), w->saved, nl + 3);
    write_text(w->csv, text);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_INPUT);
    expect_contains(w->msg,
                    "trials.csv:2:89: more than 14 fields, where this sweep's rows have 14");
    snprintf(text, sizeof text, "%.*s7%s", (int)(nl - w->saved + 1), w->saved, nl + 2);
    write_text(w->csv, text);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_INPUT);
    expect_contains(w->msg, "trials.csv:2:1: expected trial 0 (of 4), got '7'");
    /* an epoch count past --max-epochs */
    char *row1 = strstr(w->saved, "\n0,");
    assert_non_null(row1);
    char *f4 = row1 + 1;
    for (int k = 0; k < 4; k++) f4 = strchr(f4, ',') + 1; /* the target field */
    snprintf(text, sizeof text, "%.*s-7%s", (int)(f4 - w->saved), w->saved, strchr(f4, ','));
    write_text(w->csv, text);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_INPUT);
    expect_contains(w->msg, "trials.csv:2:11: trial 0: target '-7' (expected 0 to --max-epochs 2)");
    /* a trial number with something after it, which once read as the
     * number */
    snprintf(text, sizeof text, "%.*s0x%s", (int)(nl - w->saved + 1), w->saved, nl + 2);
    write_text(w->csv, text);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_INPUT);
    expect_contains(w->msg, "trials.csv:2:1: expected trial 0 (of 4), got '0x'");
    /* a figure that is not a number, which once read as none */
    char *f8 = row1 + 1;
    for (int k = 0; k < 7; k++) f8 = strchr(f8, ',') + 1; /* the loss field */
    snprintf(text, sizeof text, "%.*szz%s", (int)(f8 - w->saved), w->saved, strchr(f8, ','));
    write_text(w->csv, text);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_INPUT);
    char want[80];
    snprintf(want, sizeof want, "trials.csv:2:%d: trial 0: loss 'zz' is not a number",
             (int)(f8 - row1));
    expect_contains(w->msg, want);
    /* binary data, named where it starts */
    memcpy(text, w->saved, strlen(w->saved) + 1);
    text[(size_t)(row1 - w->saved) + 3] = '\0';
    FILE *bin = fopen(w->csv, "w");
    assert_non_null(bin);
    fwrite(text, 1, strlen(w->saved), bin);
    fclose(bin);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_INPUT);
    expect_contains(w->msg, "trials.csv:2:3: a NUL byte: binary data");
    /* cut short in a row: the message says what else it looks like */
    snprintf(text, sizeof text, "%.*s", (int)(row1 - w->saved) + 30, w->saved);
    write_text(w->csv, text);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_INPUT);
    expect_contains(w->msg, "trials.csv:2:");
    expect_contains(w->msg, " (that line has no line end: was trials.csv cut short? The sweep "
                            "writes every line whole; delete that line to have its trial train "
                            "again from the start)");
    /* cut short in its header, the file's only line: no trial's line to
     * delete, the file itself is (a sweep with no trials.csv starts from
     * its first trial) */
    snprintf(text, sizeof text, "%.*s", (int)(nl - w->saved) / 2, w->saved);
    write_text(w->csv, text);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_INPUT);
    expect_contains(w->msg, "trials.csv:1: its columns are not those of this sweep's space.txt");
    expect_contains(w->msg, " (that line has no line end: was trials.csv cut short? The sweep "
                            "writes every line whole; delete trials.csv to have the sweep start "
                            "again from its first trial)");
    assert_null(strstr(w->msg, "its trial train again"));
    /* empty: damage, not a sweep that has made no trial */
    write_text(w->csv, "");
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_INPUT);
    expect_contains(w->msg, "trials.csv: empty (the sweep writes its header line first)");
    /* none at all: cut before its first; it starts from its first trial */
    assert_int_equal(unlink(w->csv), 0);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_NONE);
}

static void resume_refuses_a_trials_csv_that_is_not_a_file(void **state)
{
    (void)state;
    Swept *w = finished_sweep("notafile", 2, 1);
    /* a directory in its place: said so, not read as an empty file */
    assert_int_equal(unlink(w->csv), 0);
    assert_int_equal(mkdir(w->csv, 0755), 0);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_INPUT);
    expect_contains(w->msg, "trials.csv: a directory, not a file");
    assert_int_equal(rmdir(w->csv), 0);
    /* a named pipe no program writes to: refused at once, where opening
     * it to read would wait for a writer (and no signal would end the
     * wait); the alarm only ends a test that would otherwise hang */
    assert_int_equal(mkfifo(w->csv, 0644), 0);
    alarm(60);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_INPUT);
    alarm(0);
    expect_contains(w->msg, "trials.csv: a named pipe, not a file");
    assert_int_equal(unlink(w->csv), 0);
}

static void resume_refuses_a_value_its_trials_run_did_not_train_with(void **state)
{
    (void)state;
    static char text[1 << 16];
    Swept *w = finished_sweep("edited", 3, 1);
    /* trial 1's batch-size, the field before run, made another the space
     * has: the sweep would record, rank and offer (best.txt) a
     * configuration its run never trained with */
    char *row = strstr(w->saved, "\n1,");
    assert_non_null(row);
    char *run = strchr(row + 1, '\n');
    assert_non_null(run);
    while (*run != ',') run--;
    char *bs = run - 1;
    while (*bs != ',') bs--;
    const char *other = !strncmp(bs, ",8,", 3) ? "16" : "8";
    snprintf(text, sizeof text, "%.*s,%s%s", (int)(bs - w->saved), w->saved, other, run);
    write_text(w->csv, text);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_INPUT);
    expect_contains(w->msg, "trials.csv:3:80: trial 1: batch-size");
    expect_contains(w->msg, "config.txt");
    /* as written, it resumes */
    write_text(w->csv, w->saved);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_NONE);
}

/* w's sweep resumed with the options o: refused, the message holding
 * each of the needles (NULL-terminated). */
static void expect_refused(Swept *w, const Options *o, ...)
{
    assert_int_equal(resume_error(o, w->dir, w->msg, sizeof w->msg), ERROR_INPUT);
    va_list ap;
    va_start(ap, o);
    for (const char *n = va_arg(ap, const char *); n; n = va_arg(ap, const char *))
        expect_contains(w->msg, n);
    va_end(ap);
}

static void resume_refuses_a_space_txt_its_trials_did_not_run_with(void **state)
{
    (void)state;
    Swept *w = finished_sweep("respaced", 3, 2);
    /* an option every trial shares, edited in space.txt: the trials made
     * so far did not train with it */
    Options other = w->o;
    other.trials = 2; /* a row more than it makes */
    expect_refused(w, &other, "trials.csv:4:1: trial 2, but this sweep makes 2 trials (0 to 1)",
                   "was space.txt edited?", NULL);
    /* the sweep's settings are checked against the trials' record of
     * them first (resume_refuses_sweep_settings_...); a sweep from a
     * gradtop that kept none is checked against the trials' files */
    strip_records(w->dir);
    other = w->o;
    other.seed = 4;
    expect_refused(w, &other,
                   "respaced/space.txt: seed = 4, but trial 0's run was started with seed = 3",
                   "was space.txt edited?", NULL);
    other = w->o;
    other.max_epochs = 5;
    expect_refused(w, &other,
                   "space.txt: max-epochs = 5, but trial 0's run was started with max-epochs = 2",
                   NULL);
    /* the space narrowed so that the trials' values lie outside it */
    other = iris_sweep("lr=loguniform(1e-9,2e-9); batch-size=choice(8|16|32)", SWEEP_SCHED_NONE, 3,
                       2, 1);
    expect_refused(w, &other, "trials.csv:2:", ": trial 0: lr '",
                   "' is not a value of this sweep's space (was space.txt or trials.csv edited?)",
                   NULL);
    other = iris_sweep("lr=loguniform(1e-3,3e-1); batch-size=choice(8|64|32)", SWEEP_SCHED_NONE, 3,
                       2, 1);
    expect_refused(w, &other, ": batch-size '16' is not a value of this sweep's space", NULL);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_NONE);
}

/* "DIR/space.txt:LINE:COLUMN" of w's space.txt line of key (its value's
 * column) into buf. */
static void space_place(const Swept *w, const char *key, char *buf, size_t cap)
{
    char path[300], line[OPTIONS_SPACE + 64];
    snprintf(path, sizeof path, "%s/space.txt", w->dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t kl = strlen(key);
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        n++;
        if (!strncmp(line, key, kl) && !strncmp(line + kl, " = ", 3)) break;
    }
    fclose(f);
    snprintf(buf, cap, "%s:%d:%d: ", path, n, (int)kl + 4);
}

/* w resumed with o, refused: the message names space.txt's line of key,
 * the value given, the one the trials were made with, where that is
 * recorded and what to do. */
static void expect_setting_refused(Swept *w, const Options *o, const char *key, const char *given,
                                   const char *had)
{
    char place[400], what[2 * OPTIONS_SPACE + 200], back[OPTIONS_SPACE + 200], from[300];
    space_place(w, key, place, sizeof place);
    snprintf(what, sizeof what, "%s = %s, but this sweep's trials were made with %s = %s (", key,
             given, key, had);
    snprintf(back, sizeof back,
             "): put back %s = %s to go on with the sweep, or start a new sweep "
             "with --config ",
             key, had);
    snprintf(from, sizeof from, "-trial-000/journal.txt:2");
    expect_refused(w, o, place, what, from, back, "space.txt to run it with the change", NULL);
}

/* Each trial's journal's record of the sweep's settings removed, as a
 * gradtop before it wrote them: "run sweep trial". */
static void strip_records(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd,
             "sed -i 's/ run sweep trial with .*/ run sweep trial/' %s/*-trial-*/journal.txt", dir);
    assert_int_equal(system(cmd), 0);
}

static void resume_refuses_sweep_settings_its_trials_were_not_made_with(void **state)
{
    (void)state;
    Options o = iris_sweep(SPACE, SWEEP_SCHED_ASHA, 6, 3, 2);
    Swept *w = finished_sweep_of(&o, "settings");
    /* none of them is in a trial's config.txt: each was once taken, and
     * the sweep went on as another.  asha's rounds ask for a trial while
     * there is one to start, and make jobs while they fit the budget:
     * trials and budget decide what becomes of them.  The seed every
     * trial takes is named by space.txt's line, before config.txt's check */
    static const char *const edits[][3] = {
        {"scheduler", "median", "asha"},
        {"sampler", "tpe", "random"},
        {"eta", "2", "3"},
        {"min-epochs", "2", "1"},
        {"trials", "9", "6"},
        {"budget", "100", "0"},
        {"space", "lr=loguniform(1e-4,3e-1); batch-size=choice(8|16|32)", SPACE},
        {"seed", "4", "3"},
        {"max-epochs", "4", "3"},
    };
    Options other;
    for (size_t k = 0; k < sizeof edits / sizeof edits[0]; k++) {
        other = w->o;
        Error err = {0};
        assert_int_equal(options_set(&other, options_find(edits[k][0]), edits[k][1], "test", &err),
                         ERROR_NONE);
        expect_setting_refused(w, &other, edits[k][0], edits[k][1], edits[k][2]);
    }
    /* asha asks once per slot in a round: another parallel, other rounds */
    other = w->o;
    other.parallel = 1;
    char place[400];
    space_place(w, "parallel", place, sizeof place);
    expect_refused(w, &other, place,
                   "parallel = 1, 1 trial at once, but this sweep trained 2 at once, which asha's "
                   "decisions depend on (",
                   "): put back parallel = 2 to go on with the sweep", NULL);
    /* a setting of another scheduler changes nothing of this sweep */
    other = w->o;
    other.pbt_interval = 5;
    assert_int_equal(resume_error(&other, w->dir, w->msg, sizeof w->msg), ERROR_NONE);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_NONE);
    /* a sweep from a gradtop that kept no record: taken as before */
    strip_records(w->dir);
    other = w->o;
    other.eta = 2;
    assert_int_equal(resume_error(&other, w->dir, w->msg, sizeof w->msg), ERROR_NONE);
}

static void resume_refuses_another_parallel_under_tpe(void **state)
{
    (void)state;
    /* trial i learns from the trials up to i - parallel */
    Options o = iris_sweep(SPACE, SWEEP_SCHED_NONE, 3, 2, 2);
    o.sampler = SWEEP_SAMPLER_TPE;
    Swept *w = finished_sweep_of(&o, "tpe-parallel");
    Options other = w->o;
    other.parallel = 3;
    expect_refused(w, &other,
                   "parallel = 3, 3 trials at once, but this sweep trained 2 at once, which the "
                   "tpe sampler's decisions depend on (",
                   NULL);
}

/* Under none and median, trial i's configuration and fate depend only on
 * the trials before it: resumed with more trials, and another parallel,
 * the sweep ends as the one of that many trials does. */
static void resume_takes_more_trials_where_they_decide_nothing(void **state)
{
    (void)state;
    Options o = iris_sweep(SPACE, SWEEP_SCHED_MEDIAN, 6, 4, 2), more = o;
    more.trials = 9;
    more.parallel = 3;
    char dir[2][256];
    for (int k = 0; k < 2; k++) snprintf(dir[k], sizeof dir[k], "%s/more-%d", tmpdir, k);
    Outcome a, b, c;
    sweep_in(&more, dir[0], 0, false, &a);
    assert_true(a.n_events[SWEEP_EV_PRUNE] > 0); /* the rule judged trials 5 on */
    sweep_in(&o, dir[1], 0, false, &b);
    assert_int_equal(b.n, 6);
    sweep_in(&more, dir[1], 0, true, &c);
    assert_int_equal(c.n, 9);
    assert_same(&a, &c, 4);
}

static void resume_refuses_a_space_txt_cut_at_a_line_boundary(void **state)
{
    (void)state;
    Swept *w = finished_sweep("spacecut", 2, 1);
    char path[300];
    snprintf(path, sizeof path, "%s/space.txt", w->dir);
    static char text[1 << 16], cut[1 << 16];
    snprintf(text, sizeof text, "%s", slurp(path));
    /* without its last two lines, as a disk that filled may leave it */
    size_t n = strlen(text);
    int lines = 0;
    for (size_t i = 0; i < n; i++) lines += text[i] == '\n';
    char *end = text + n - 1;
    for (int k = 0; k < 2; k++)
        while (*--end != '\n') {
        }
    snprintf(cut, sizeof cut, "%.*s", (int)(end + 1 - text), text);
    write_text(path, cut);
    Options o;
    options_default(&o);
    Error err = {0};
    assert_int_equal(options_load_file(&o, path, NULL, &err), ERROR_NONE);
    char want[600];
    snprintf(want, sizeof want,
             "%s:%d:1: no 'parallel = ...' line (was space.txt cut short?), where this sweep's "
             "trials were made with parallel = 1 (",
             path, lines - 1);
    expect_refused(w, &o, want, "): put back parallel = 1 to go on with the sweep", NULL);
    write_text(path, text);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_NONE);
}

/* A space whose text is longer than a journal line once held: recorded
 * whole, so that the sweep resumes; with spaces at its ends, which
 * space.txt does not read back, too. */
static void a_sweep_of_a_long_space_resumes(void **state)
{
    (void)state;
    char space[OPTIONS_SPACE];
    size_t n = (size_t)snprintf(space, sizeof space, " ");
    static const char *const names[] = {"lr", "l1", "l2"};
    for (int p = 0; p < 3; p++) {
        n += (size_t)snprintf(space + n, sizeof space - n, "%s%s=choice(", p ? "; " : "", names[p]);
        for (int k = 0; k < 64; k++)
            n += (size_t)snprintf(space + n, sizeof space - n, "%s0.0%04d", k ? "|" : "", k + 1);
        n += (size_t)snprintf(space + n, sizeof space - n, ")");
    }
    snprintf(space + n, sizeof space - n, "  ");
    assert_true(strlen(space) > 1500);
    Options o = iris_sweep(space, SWEEP_SCHED_NONE, 2, 1, 1);
    Swept *w = finished_sweep_of(&o, "longspace");
    /* as --resume reads it */
    char path[300];
    snprintf(path, sizeof path, "%s/space.txt", w->dir);
    Error err = {0};
    options_default(&o);
    assert_int_equal(options_load_file(&o, path, NULL, &err), ERROR_NONE);
    assert_int_equal(o.space[0], 'l');
    if (resume_error(&o, w->dir, w->msg, sizeof w->msg)) fail_msg("%s", w->msg);
}

/* w's trials.csv as saved with its first from replaced by to. */
static void write_replacing(Swept *w, const char *from, const char *to)
{
    static char text[1 << 16];
    char *at = strstr(w->saved, from);
    assert_non_null(at);
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - w->saved), w->saved, to, at + strlen(from));
    write_text(w->csv, text);
}

static void resume_refuses_a_status_its_trials_run_contradicts(void **state)
{
    (void)state;
    static char text[1 << 16];
    Swept *w = finished_sweep("restatus", 3, 2);
    /* trial 0, done at its 2 epochs: made pruned under --scheduler none,
     * then left done with its metrics.csv cut to one epoch (as a trial
     * stopped after its first leaves it): each status would be believed,
     * and the trial never trained on */
    write_replacing(w, "\n0,done,,2,", "\n0,pruned,,2,");
    expect_refused(w, &w->o,
                   "trials.csv:2:3: trial 0: pruned, but --scheduler none prunes no trial (was "
                   "trials.csv edited?)",
                   NULL);
    write_text(w->csv, w->saved);
    char run[1024], metrics[1100];
    trial_run(w, 0, run, sizeof run);
    snprintf(metrics, sizeof metrics, "%s/metrics.csv", run);
    snprintf(text, sizeof text, "%s", slurp(metrics));
    char *last = strstr(text, "\n2,");
    assert_non_null(last);
    last[1] = '\0';
    write_text(metrics, text);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_INPUT);
    expect_contains(w->msg, "trials.csv:2:3: trial 0: done, but its run has 1 of its 2 epochs "
                            "(was trials.csv edited?)");
}

/* An ended trial is ranked by the kept weights' figures in trials.csv,
 * which its journal's result line also gives: one edited there (trial 1's
 * val_loss made the sweep's best) is refused, naming the place and the
 * figure the run ended with, rather than the sweep's best trial changed
 * to it. */
static void resume_refuses_a_figure_its_trials_run_did_not_end_with(void **state)
{
    (void)state;
    static char text[1 << 16];
    Swept *w = finished_sweep("refigure", 3, 2);
    snprintf(text, sizeof text, "%s", w->saved);
    char *row = strstr(text, "\n1,") + 1;
    char *f = row;
    for (int k = 0; k < 9; k++) f = strchr(f, ',') + 1; /* the val_loss field */
    int col = (int)(f - row) + 1;
    char was[32];
    snprintf(was, sizeof was, "%.*s", (int)(strchr(f, ',') - f), f);
    memmove(f + 5, strchr(f, ','), strlen(strchr(f, ',')) + 1);
    memcpy(f, "1e-05", 5);
    write_text(w->csv, text);
    char want[128], ended[64];
    snprintf(want, sizeof want,
             "trials.csv:3:%d: trial 1: val_loss '1e-05', but its run ended with val_loss=", col);
    snprintf(ended, sizeof ended, "val_loss=%.4f (", atof(was));
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_INPUT);
    expect_contains(w->msg, want);
    expect_contains(w->msg, ended);
    expect_contains(w->msg, "/journal.txt): was trials.csv edited?");
    assert_string_equal(slurp(w->csv), text); /* left as it was */
}

/* w's trials.csv as saved, with field k of trial i's row (its first
 * field 0) replaced by to, into text; the column it starts at into *col. */
static void with_field(const Swept *w, int i, int k, const char *to, char *text, size_t cap,
                       int *col)
{
    char lead[16];
    snprintf(lead, sizeof lead, "\n%d,", i);
    const char *row = strstr(w->saved, lead);
    assert_non_null(row);
    row++;
    const char *f = row;
    for (int n = 0; n < k; n++) f = strchr(f, ',') + 1;
    if (col) *col = (int)(f - row) + 1;
    snprintf(text, cap, "%.*s%s%s", (int)(f - w->saved), w->saved, to, strchr(f, ','));
}

/* The text after key= on the result line trial i's journal ended with:
 * into buf; the whole journal into journal (its path into path). */
static void journal_result_figure(const Swept *w, int i, const char *key, char *buf, size_t cap,
                                  char *journal, size_t jcap, char *path, size_t pcap)
{
    char run[1024];
    trial_run(w, i, run, sizeof run);
    snprintf(path, pcap, "%s/journal.txt", run);
    snprintf(journal, jcap, "%s", slurp(path));
    const char *line = NULL;
    for (const char *r = strstr(journal, " result status="); r;
         r = strstr(r + 1, " result status="))
        line = r;
    assert_non_null(line);
    char pat[64];
    snprintf(pat, sizeof pat, " %s=", key);
    const char *at = strstr(line, pat);
    assert_non_null(at);
    at += strlen(pat);
    snprintf(buf, cap, "%.*s", (int)strcspn(at, " \n"), at);
}

/* trials.csv's kept figures are checked against the journal's result line
 * to the two files' own precision (train_figure_rounding, trials.csv's
 * SWEEP_TRIALS_DIGITS): a figure as far from the journal's as their two
 * roundings can put it is taken, one a tenth further is refused, below a
 * million and above (where the journal prints 4 significant digits).  The
 * check once allowed 6e-5 + 1e-5 |v|, written apart from the writers:
 * more than their roundings make (5e-5 + 5e-7 for a val_loss of 0.5). */
static void resume_checks_a_figure_to_the_files_precision(void **state)
{
    (void)state;
    static char text[1 << 16], journal[1 << 16], big[1 << 16];
    Swept *w = finished_sweep("precision", 3, 2);
    char fig[64], path[1100], v[64], ended[96];
    journal_result_figure(w, 1, "val_loss", fig, sizeof fig, journal, sizeof journal, path,
                          sizeof path);
    for (int large = 0; large < 2; large++) {
        double j = atof(fig);
        if (large) {
            /* the journal's figure made 1.235e+06: 4 significant digits */
            snprintf(ended, sizeof ended, " val_loss=%s ", fig);
            char *at = strstr(journal, ended);
            assert_non_null(at);
            snprintf(big, sizeof big, "%.*s val_loss=1.235e+06 %s", (int)(at - journal), journal,
                     at + strlen(ended));
            write_text(path, big);
            j = 1.235e6;
        }
        double h = train_figure_rounding(j), hc = train_rounding_g(j, SWEEP_TRIALS_DIGITS);
        assert_true(h > 0 && hc > 0 && hc < h);
        /* within: the journal's whole half unit and most of trials.csv's;
         * beyond: a tenth more than both */
        static const struct {
            double sign, of_h, of_hc;
            bool taken;
        } cases[] = {
            {1, 1, 0.9, true}, {-1, 1, 0.9, true}, {1, 1.1, 1.1, false}, {-1, 1.1, 1.1, false}};
        for (int k = 0; k < 4; k++) {
            double c = j + cases[k].sign * (cases[k].of_h * h + cases[k].of_hc * hc);
            int col;
            snprintf(v, sizeof v, "%.17g", c);
            with_field(w, 1, 9, v, text, sizeof text, &col);
            write_text(w->csv, text);
            ErrorCode rc = resume_error(&w->o, w->dir, w->msg, sizeof w->msg);
            if (cases[k].taken) {
                if (rc)
                    fail_msg("val_loss %s against the journal's %.17g refused: %s", v, j, w->msg);
            } else {
                assert_int_equal(rc, ERROR_INPUT);
                char want[256];
                snprintf(
                    want, sizeof want,
                    "trials.csv:3:%d: trial 1: val_loss '%s', but its run ended with val_loss=%s (",
                    col, v, large ? "1.235e+06" : fig);
                expect_contains(w->msg, want);
            }
            write_text(w->csv, w->saved);
        }
    }
    write_text(path, journal);
}

static void resume_takes_a_run_config_as_the_run_writes_it(void **state)
{
    (void)state;
    /* config.txt names the data file by its absolute path, and a resumed
     * run writes a cosine period of "the run's epochs" (0) as the epochs
     * it is: the same options as space.txt's */
    Options o = iris_sweep(SPACE, SWEEP_SCHED_NONE, 2, 2, 1);
    snprintf(o.dataset, sizeof o.dataset, "datasets/iris.csv");
    o.sched.kind = SCHEDULE_COSINE;
    Swept *w = finished_sweep_of(&o, "rewritten");
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_NONE);
    char run[1024], cfg[1100];
    static char text[1 << 16];
    trial_run(w, 0, run, sizeof run);
    snprintf(cfg, sizeof cfg, "%s/config.txt", run);
    snprintf(text, sizeof text, "%s", slurp(cfg));
    char *at = strstr(text, "cosine-epochs = 0\n");
    assert_non_null(at);
    at[strlen("cosine-epochs = ")] = '2';
    write_text(cfg, text);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_NONE);
    /* another file is another dataset */
    Options other = w->o;
    snprintf(other.dataset, sizeof other.dataset, "datasets/wine.csv");
    expect_refused(w, &other,
                   "space.txt: dataset = datasets/wine.csv, but trial 0's run was "
                   "started with dataset = ",
                   NULL);
}

static void resume_refuses_an_ended_trial_whose_run_is_gone(void **state)
{
    (void)state;
    char run[1024], cmd[2 * 1024 + 32];
    Swept *w = finished_sweep("gone", 3, 2);
    /* trial 1 is done; its run directory moved away: read as 0 epochs,
     * the sweep would write that over trials.csv's record and rank it
     * nowhere */
    trial_run(w, 1, run, sizeof run);
    snprintf(cmd, sizeof cmd, "mv '%s' '%s.away'", run, run);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_INPUT);
    expect_contains(w->msg, "trials.csv:3:3: trial 1 (done, 2 epochs): its run");
    expect_contains(w->msg, "has no epochs to read (removed?)");
    assert_string_equal(slurp(w->csv), w->saved); /* left as it was */
    /* put back, it resumes */
    snprintf(cmd, sizeof cmd, "mv '%s.away' '%s'", run, run);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_NONE);
    /* its run there, but trials.csv's run column emptied: refused too (it
     * was once taken, and trials.csv written again with the trial done
     * at 0 epochs, best.txt with its figure nan), naming the column */
    snprintf(cmd, sizeof cmd, "sed -i '3s/,[^,]*$/,/' '%s'", w->csv);
    assert_int_equal(system(cmd), 0);
    static char edited[1 << 16];
    snprintf(edited, sizeof edited, "%s", slurp(w->csv));
    const char *row = strstr(edited, "\n1,") + 1;
    char want[128];
    snprintf(want, sizeof want,
             "trials.csv:3:%d: trial 1 (done, 2 epochs): no run in its run column",
             (int)(strchr(row, '\n') - row) + 1);
    assert_int_equal(resume_error(&w->o, w->dir, w->msg, sizeof w->msg), ERROR_INPUT);
    expect_contains(w->msg, want);
    assert_string_equal(slurp(w->csv), edited); /* left as it was */
}

static void a_sweep_directory_is_resumed_by_one_gradtop_at_a_time(void **state)
{
    (void)state;
    Options o = iris_sweep(SPACE, SWEEP_SCHED_NONE, 4, 2, 1);
    char dir[256], msg[sizeof(Error){0}.msg];
    snprintf(dir, sizeof dir, "%s/locked", tmpdir);
    Outcome a;
    sweep_in(&o, dir, 0, false, &a);
    PreparedData data;
    Error err = {0};
    assert_int_equal(prepared_open(&data, &o, NULL, &err), ERROR_NONE);
    SweepExec *x = calloc(1, sizeof *x);
    assert_int_equal(sweep_exec_init(x, &o, &data, dir, NULL, &err), ERROR_NONE);
    assert_int_equal(sweep_exec_resume(x, &err), ERROR_NONE); /* holds it */
    assert_int_equal(resume_error(&o, dir, msg, sizeof msg), ERROR_INPUT);
    expect_contains(msg, "another gradtop is running this sweep");
    sweep_exec_free(x); /* lets it go */
    free(x);
    prepared_close(&data);
    assert_int_equal(resume_error(&o, dir, msg, sizeof msg), ERROR_NONE);
}

static void a_trial_directory_no_row_names_is_taken_up_not_doubled(void **state)
{
    (void)state;
    /* killed between making trial 2's directory and the trials.csv that
     * names it: resumed, trial 2 starts again in that directory */
    Options o = iris_sweep(SPACE, SWEEP_SCHED_NONE, 3, 2, 1);
    char dir[256], csv[300], orphan[1024];
    static char text[1 << 16];
    snprintf(dir, sizeof dir, "%s/orphan", tmpdir);
    snprintf(csv, sizeof csv, "%s/trials.csv", dir);
    Outcome a, b;
    sweep_in(&o, dir, 0, false, &a);
    snprintf(text, sizeof text, "%s", slurp(csv));
    char *row2 = strstr(text, "\n2,");
    assert_non_null(row2);
    row2[1] = '\0';
    write_text(csv, text);
    char cmd[2400];
    snprintf(orphan, sizeof orphan, "%s", a.run[2]);
    snprintf(cmd, sizeof cmd, "rm -f '%s'/* && test -d '%s'", orphan, orphan);
    assert_int_equal(system(cmd), 0);
    sweep_in(&o, dir, 0, true, &b);
    assert_same(&a, &b, 2);
    assert_string_equal(b.run[2], orphan);
    snprintf(cmd, sizeof cmd, "test $(ls -d '%s'/*-trial-002* | wc -l) = 1", dir);
    assert_int_equal(system(cmd), 0);
}

/* Under asha a round's new trials are in trials.csv, waiting, before
 * they start; killed as one started (its directory made, no trials.csv
 * naming it yet), the resumed sweep starts it again in that directory. */
static void an_asha_trial_killed_as_it_started_is_taken_up_not_doubled(void **state)
{
    (void)state;
    Options o = iris_sweep(SPACE, SWEEP_SCHED_ASHA, 12, 9, 2);
    char whole[256], cut[256], csv[300], cmd[700];
    snprintf(whole, sizeof whole, "%s/asha-start-whole", tmpdir);
    snprintf(cut, sizeof cut, "%s/asha-start-cut", tmpdir);
    snprintf(csv, sizeof csv, "%s/trials.csv", cut);
    Outcome a, c;
    sweep_in(&o, whole, 0, false, &a);
    sweep_killed_at(&o, cut, SWEEP_EV_START, 3);
    /* trial 2 waiting, its run not named, its directory there */
    const char *text = slurp(csv);
    assert_non_null(text);
    const char *row2 = strstr(text, "\n2,waiting,");
    assert_non_null(row2);
    assert_int_equal(strchr(row2 + 1, '\n')[-1], ',');
    snprintf(cmd, sizeof cmd, "test -d %s/*-trial-002", cut);
    assert_int_equal(system(cmd), 0);
    sweep_in(&o, cut, 0, true, &c);
    assert_same(&a, &c, 9);
    for (int i = 0; i < c.n; i++) {
        snprintf(cmd, sizeof cmd, "test $(ls -d %s/*-trial-%03d* | wc -l) = 1", cut, i);
        if (system(cmd) != 0) fail_msg("trial %d has more than one run directory", i);
    }
    every_journal_has_its_result(cut, c.n);
}

/* A pid no process has (a child that has exited and been reaped). */
static pid_t dead_pid(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) _exit(0);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    return pid;
}

/* The temporaries trials.csv and best.txt leave when the sweep is killed
 * between writing and renaming them are removed by --resume; those of a
 * live process stay. */
static void a_resume_removes_the_temporaries_a_killed_sweep_left(void **state)
{
    (void)state;
    Options o = iris_sweep(SPACE, SWEEP_SCHED_NONE, 4, 3, 2);
    /* killed at the second start, trials.csv written; at the first,
     * before its first trials.csv (its temporary all there is) */
    for (int nth = 2; nth >= 1; nth--) {
        char dir[256], dead[2][320], live[320];
        snprintf(dir, sizeof dir, "%s/stale-tmp-%d", tmpdir, nth);
        sweep_killed_at(&o, dir, SWEEP_EV_START, nth);
        pid_t pid = dead_pid();
        snprintf(dead[0], sizeof dead[0], "%s/trials.csv.tmp.%ld", dir, (long)pid);
        snprintf(dead[1], sizeof dead[1], "%s/best.txt.tmp.%ld", dir, (long)pid);
        snprintf(live, sizeof live, "%s/best.txt.tmp.%ld", dir, (long)getppid());
        write_text(dead[0], "trial,status\n");
        write_text(dead[1], "# the best\n");
        write_text(live, "# the best\n");
        Outcome c;
        sweep_in(&o, dir, 0, true, &c);
        assert_int_equal(c.n, 4);
        struct stat st;
        assert_int_equal(stat(dead[0], &st), -1);
        assert_int_equal(stat(dead[1], &st), -1);
        assert_int_equal(stat(live, &st), 0);
        unlink(live);
    }
}

/* Every trial that dir's trials.csv calls stopped has a run that ended
 * so, as a stop of the first session ends one: its journal's stop line
 * says the sweep was stopped, and its last line is its result, stopped
 * too (gradtop view reads the status there).  How many there are. */
static int every_stopped_trial_ended(const char *dir)
{
    char csv[300], cmd[1200];
    snprintf(csv, sizeof csv, "%s/trials.csv", dir);
    static char text[1 << 16];
    snprintf(text, sizeof text, "%s", slurp(csv));
    int n = 0;
    for (char *row = strstr(text, ",stopped,"); row; row = strstr(row + 1, ",stopped,")) {
        char *line = row;
        while (line > text && line[-1] != '\n') line--;
        int i = atoi(line);
        snprintf(cmd, sizeof cmd,
                 "j=$(ls %s/*-trial-%03d/journal.txt) && "
                 "tail -n 1 \"$j\" | grep -q ' result status=stopped ' && "
                 "grep ' stop ' \"$j\" | tail -n 1 | grep -q ': the sweep was stopped$'",
                 dir, i);
        if (system(cmd) != 0) fail_msg("trial %d is stopped, but its run did not end so", i);
        n++;
    }
    return n;
}

/* The sweep o resumed from dir and stopped before it opened any trial
 * (a SIGINT at once). */
static void resume_stopped_at_once(const Options *o, const char *dir)
{
    PreparedData data;
    Error err = {0};
    SweepExec *x = sweep_opened(o, dir, NULL, &data);
    assert_int_equal(sweep_exec_resume(x, &err), ERROR_NONE);
    sweep_exec_stop(x);
    assert_int_equal(sweep_exec_run(x, &err), ERROR_NONE);
    sweep_closed(x, &data);
}

/* The sweep o killed in dir at the nth event of kind at, then resumed and
 * stopped before it opened its interrupted trials again (a SIGINT at
 * once): none is left running or paused in trials.csv, as after a stop of
 * the first session, and each ended its run as such a stop ends it (one
 * that had ended on its own, uncollected, ends as it did).  How many are
 * stopped. */
static int resumed_and_stopped_at_once(const Options *o, const char *dir, SweepEventKind at,
                                       int nth)
{
    char csv[300];
    snprintf(csv, sizeof csv, "%s/trials.csv", dir);
    sweep_killed_at(o, dir, at, nth);
    const char *text = slurp(csv);
    assert_true(strstr(text, ",running,") || strstr(text, ",paused,"));
    resume_stopped_at_once(o, dir);
    text = slurp(csv);
    assert_null(strstr(text, ",running,"));
    assert_null(strstr(text, ",paused,"));
    return every_stopped_trial_ended(dir);
}

/* A resumed sweep stopped before it opened its interrupted trials again
 * (a SIGINT at once) leaves them stopped, their runs ended as a stop of
 * the first session ends them; resumed again, it ends as the
 * uninterrupted sweep. */
static void a_resume_stopped_at_once_leaves_no_trial_running(void **state)
{
    (void)state;
    char whole[256], cut[256], csv[300];
    Options o = median_dirs("stop-at-once", whole, cut, csv);
    Outcome a, c;
    sweep_in(&o, whole, 0, false, &a);
    /* killed as trial 4 starts: trials.csv has the others running, though
     * they may have trained to their end */
    resumed_and_stopped_at_once(&o, cut, SWEEP_EV_START, 5);
    sweep_in(&o, cut, 0, true, &c);
    assert_same(&a, &c, 12);
    /* asha, killed at a round's end: its trials parked at their rungs */
    o = iris_sweep(SPACE, SWEEP_SCHED_ASHA, 12, 9, 2);
    snprintf(whole, sizeof whole, "%s/stop-at-once-asha-whole", tmpdir);
    snprintf(cut, sizeof cut, "%s/stop-at-once-asha-cut", tmpdir);
    sweep_in(&o, whole, 0, false, &a);
    assert_true(resumed_and_stopped_at_once(&o, cut, SWEEP_EV_RUNG, 5) >= 2);
    sweep_in(&o, cut, 0, true, &c);
    assert_same(&a, &c, 9);
    /* trials a million epochs long, killed as the second starts: the
     * first was training */
    o = iris_sweep(SPACE, SWEEP_SCHED_NONE, 4, 1000000, 2);
    snprintf(cut, sizeof cut, "%s/stop-at-once-long", tmpdir);
    assert_int_equal(resumed_and_stopped_at_once(&o, cut, SWEEP_EV_START, 2), 1);
    /* stopped, then resumed and killed as it opened the first again,
     * before trials.csv was written: its row says stopped, its run was
     * opened again and left so; resumed and stopped at once, it is ended
     * again */
    snprintf(cut, sizeof cut, "%s/stop-at-once-reopened", tmpdir);
    sweep_in(&o, cut, 2, false, &c);
    assert_int_equal(every_stopped_trial_ended(cut), 2);
    sweep_killed_in(&o, cut, SWEEP_EV_START, 1, true);
    resume_stopped_at_once(&o, cut);
    assert_int_equal(every_stopped_trial_ended(cut), 2);
}

/* Every trial that dir's trials.csv calls pruned, without figures, as a
 * kill after the rule's decision, before the trial stopped, leaves it:
 * its journal cut before its stop line (no end, no result), and, unless
 * keep_checkpoint, its checkpoint gone (it trains again up to its prune
 * epoch).  How many. */
static int pruned_left_open(const char *dir, bool keep_checkpoint)
{
    return pruned_rows_uncollected(
        dir, keep_checkpoint
                 ? "sed -i '/^[^ ]* step=[0-9]* epoch=[0-9]* stop /,$d' \"$r/journal.txt\" && "
                   "! grep -q ' result status=' \"$r/journal.txt\""
                 : "sed -i '/^[^ ]* step=[0-9]* epoch=[0-9]* stop /,$d' \"$r/journal.txt\" && "
                   "! grep -q ' result status=' \"$r/journal.txt\" && rm \"$r/checkpoint.gtm\"");
}

/* A resumed sweep stopped (SIGINT, the screen's stop) before it reached
 * the trials the rule had pruned when a kill cut the sweep, uncollected,
 * their runs open: each is opened to end its run, as a stop ends every
 * open trial's, whether it stops at its prune epoch at once or had to
 * train up to it again; resumed again, the sweep ends as the
 * uninterrupted one. */
static void a_resume_stopped_at_once_ends_the_pruned_trials_left_open(void **state)
{
    (void)state;
    Options sweeps[2] = {iris_sweep(SPACE, SWEEP_SCHED_MEDIAN, 10, 6, 1),
                         iris_sweep(SPACE, SWEEP_SCHED_ASHA, 12, 9, 2)};
    sweeps[0].min_epochs = 2;
    static char whole[1 << 15], after[1 << 15];
    for (int k = 0; k < 4; k++) {
        const Options *o = &sweeps[k / 2];
        char dir[256];
        snprintf(dir, sizeof dir, "%s/pruned-open-%d", tmpdir, k);
        Outcome a, c;
        sweep_in(o, dir, 0, false, &a);
        trials_without_runs(dir, whole, sizeof whole);
        assert_true(pruned_left_open(dir, k % 2 == 0) >= 2);
        resume_stopped_at_once(o, dir);
        every_journal_has_its_result(dir, a.n);
        sweep_in(o, dir, 0, true, &c);
        assert_same(&a, &c, o->max_epochs);
        trials_without_runs(dir, after, sizeof after);
        assert_string_equal(whole, after);
        every_journal_has_its_result(dir, a.n);
    }
}

/* The sweep's events as the headless sweep prints them, one a line. */
typedef struct {
    char text[1 << 14];
    size_t n;
} EventLog;

static void log_event(void *ctx, const SweepExec *x, const SweepEvent *e)
{
    EventLog *l = ctx;
    char line[2048];
    sweep_event_text(x, e, SWEEP_PAIRS_HEADLESS, line, sizeof line);
    int w = snprintf(l->text + l->n, sizeof l->text - l->n, "%s\n", line);
    if (w > 0 && (size_t)w < sizeof l->text - l->n) l->n += (size_t)w;
}

/* log_event, and a view taken there: its count of the events told
 * (sweep_exec_view) must be those the hook has had, the START_OVER notes
 * too, or a screen drawing as many events as the view counts would leave
 * out the last. */
typedef struct {
    EventLog log;
    unsigned long n, miscounted;
} CountedLog;

static void log_counted(void *ctx, const SweepExec *cx, const SweepEvent *e)
{
    CountedLog *c = ctx;
    log_event(&c->log, cx, e);
    c->n++;
    SweepTrialView v[8];
    SweepMoment m;
    sweep_exec_view((SweepExec *)cx, v, 8, &m, NULL); /* the owner's thread, between its steps */
    if (m.told != c->n) c->miscounted++;
}

/* An interrupted trial that cannot go on from its run (its directory
 * removed, replaced by a file, its checkpoint damaged) starts over from
 * its first epoch, and the sweep says so, naming the trial, the run and
 * why, before it starts; it ends as the uninterrupted trial did. */
static void a_trial_whose_run_is_gone_starts_over_and_says_so(void **state)
{
    (void)state;
    Options o = iris_sweep(SPACE, SWEEP_SCHED_NONE, 4, 3, 1);
    char dir[256], cmd[6000], run[3][1024];
    snprintf(dir, sizeof dir, "%s/run-gone", tmpdir);
    Outcome a, b;
    sweep_in(&o, dir, 0, false, &a);
    for (int i = 0; i < 3; i++) snprintf(run[i], sizeof run[i], "%s", a.run[i]);
    /* trials 0 to 2 as a stop in their third epoch leaves them */
    snprintf(cmd, sizeof cmd,
             "sed -i '2,4s/,done,,3,3,/,stopped,,2,3,/' %s/trials.csv && rm -r %s && "
             "rm -r %s && echo not a run >%s && truncate -s 100 %s/checkpoint.gtm",
             dir, run[0], run[1], run[1], run[2]);
    assert_int_equal(system(cmd), 0);
    PreparedData data;
    Error err = {0};
    static CountedLog counted;
    EventLog *log = &counted.log;
    SweepHooks hooks = {.ctx = &counted, .on_event = log_counted};
    SweepExec *x = sweep_opened(&o, dir, &hooks, &data);
    assert_int_equal(sweep_exec_resume(x, &err), ERROR_NONE);
    assert_int_equal(sweep_exec_run(x, &err), ERROR_NONE);
    sweep_closed(x, &data);
    assert_int_equal(counted.miscounted, 0);
    for (int i = 0; i < 3; i++) {
        char note[4200];
        if (i == 0)
            snprintf(note, sizeof note,
                     "trial   0 starts over   from epoch 1: its run is gone (%s)", run[i]);
        else if (i == 1)
            snprintf(note, sizeof note,
                     "trial   1 starts over   from epoch 1: its run is not a directory (%s)",
                     run[i]);
        else
            snprintf(
                note, sizeof note,
                "trial   2 starts over   from epoch 1: its run cannot go on: %s/checkpoint.gtm: ",
                run[i]);
        const char *at = strstr(log->text, note);
        if (!at) fail_msg("no note \"%s\" in:\n%s", note, log->text);
        char start[32];
        snprintf(start, sizeof start, "trial %3d start ", i);
        const char *st = strstr(log->text, start);
        assert_non_null(st);
        assert_true(at < st); /* told before it starts */
    }
    sweep_in(&o, dir, 0, true, &b);
    assert_same(&a, &b, 3);
}

/* At a trial's start on --resume: trials.csv written then, whose rows of
 * the trials open (started again, not ended) must show no figures. */
typedef struct {
    char csv[300];
    int checked;
} OpenRows;

static void open_rows_have_no_figures(void *ctx, const SweepExec *cx, const SweepEvent *e)
{
    OpenRows *w = ctx;
    if (e->kind != SWEEP_EV_START) return;
    SweepExec *x = (SweepExec *)cx; /* the owner's thread: its files may be written */
    Error err = {0};
    assert_int_equal(sweep_write_files(x, true, &err), ERROR_NONE);
    static char text[1 << 16];
    snprintf(text, sizeof text, "%s", slurp(w->csv));
    for (int i = 0; i < x->n_started; i++) {
        const SweepTrial *t = &x->trials[i];
        if (!t->live || t->collected) continue;
        char head[16];
        snprintf(head, sizeof head, "\n%d,", i);
        const char *row = strstr(text, head);
        assert_non_null(row);
        const char *f = row + 1;
        for (int k = 0; k < 7; k++) f = strchr(f, ',') + 1; /* the loss field */
        if (*f != ',')
            fail_msg("trial %d is open, but trials.csv gives it figures: %.60s", i, row + 1);
        w->checked++;
    }
}

/* A trial stopped by an earlier session (its row with its figures then)
 * and opened again has no figures in trials.csv until it ends: a kill
 * meanwhile would leave it looking ended, and the next resume would take
 * it as such, its run never finished (seen: a trial pruned when opened
 * again, killed after its journal's end line and before its result). */
static void a_trial_opened_again_has_no_figures_until_it_ends(void **state)
{
    (void)state;
    Options o = iris_sweep(SPACE, SWEEP_SCHED_NONE, 3, 10, 1);
    char dir[256], cmd[1200];
    snprintf(dir, sizeof dir, "%s/opened-again", tmpdir);
    Outcome a;
    sweep_in(&o, dir, 0, false, &a);
    /* trial 0 as a stop in its 5th epoch leaves it, with the figures it
     * had then; without its checkpoint, it trains again from the start */
    OpenRows w = {0};
    snprintf(w.csv, sizeof w.csv, "%s/trials.csv", dir);
    snprintf(cmd, sizeof cmd,
             "sed -i '2s/,done,,10,10,/,stopped,,4,10,/' %s && rm %s/*-trial-000/checkpoint.gtm",
             w.csv, dir);
    assert_int_equal(system(cmd), 0);
    assert_non_null(strstr(slurp(w.csv), "\n0,stopped,,4,10,"));
    PreparedData data;
    Error err = {0};
    SweepHooks hooks = {.ctx = &w, .on_event = open_rows_have_no_figures};
    SweepExec *x = sweep_opened(&o, dir, &hooks, &data);
    assert_int_equal(sweep_exec_resume(x, &err), ERROR_NONE);
    assert_int_equal(sweep_exec_run(x, &err), ERROR_NONE);
    sweep_closed(x, &data);
    assert_true(w.checked > 0);
}

/* The END events' lines in the screen's order, by trial. */
typedef struct {
    char line[8][1024];
} EndLines;

static void log_end(void *ctx, const SweepExec *x, const SweepEvent *e)
{
    EndLines *l = ctx;
    if (e->kind == SWEEP_EV_END && e->trial < 8)
        sweep_event_text(x, e, SWEEP_PAIRS_MONITOR_FIRST, l->line[e->trial], sizeof l->line[0]);
}

/* The sweep o in dir (made), resumed from it when resume; the best
 * trial's result pairs, as the result line and the screen give them,
 * into p. */
static void best_pairs_of(const Options *o, const char *dir, bool resume, BestPairs *p)
{
    mkdir(dir, 0755);
    PreparedData data;
    Error err = {0};
    static EndLines ends;
    memset(&ends, 0, sizeof ends);
    SweepHooks hooks = {.ctx = &ends, .on_event = log_end};
    SweepExec *x = sweep_opened(o, dir, &hooks, &data);
    if (resume) assert_int_equal(sweep_exec_resume(x, &err), ERROR_NONE);
    assert_int_equal(sweep_exec_run(x, &err), ERROR_NONE);
    int b = sweep_exec_best(x);
    assert_true(b >= 0 && b < 8 && x->trials[b].has_result);
    sweep_result_pairs(x, &x->trials[b], SWEEP_PAIRS_HEADLESS, p->headless, sizeof p->headless);
    sweep_result_pairs(x, &x->trials[b], SWEEP_PAIRS_MONITOR_FIRST, p->screen, sizeof p->screen);
    snprintf(p->end_line, sizeof p->end_line, "%s", ends.line[b]);
    p->read_back = x->trials[b].result_pairs[0] != '\0';
    sweep_closed(x, &data);
}

/* A trial that ended before the sweep was interrupted gives the resumed
 * sweep's result line its own figures: those of its result, test figures
 * included, not trials.csv's (which has no test figures, and rounds to 6
 * digits, so that a figure printed to 4 decimals could come out 1 lower). */
static void a_resumed_sweep_gives_an_ended_trials_own_result(void **state)
{
    (void)state;
    Options o = iris_sweep(SPACE, SWEEP_SCHED_NONE, 3, 4, 1);
    snprintf(o.test, sizeof o.test, "iris");
    char dir[256];
    BestPairs whole, again;
    snprintf(dir, sizeof dir, "%s/ended-result", tmpdir);
    best_pairs_of(&o, dir, false, &whole);
    assert_non_null(strstr(whole.headless, " test_loss="));
    /* resumed once it ended: every trial is read back */
    best_pairs_of(&o, dir, true, &again);
    assert_true(again.read_back);
    assert_string_equal(whole.headless, again.headless);
}

/* s without its pair pair (" KEY=VALUE" or at its start "KEY=VALUE "). */
static void without_pair(const char *s, const char *pair, char *buf, size_t cap)
{
    const char *at = strstr(s, pair);
    assert_non_null(at);
    size_t len = strlen(pair);
    if (at > s && at[-1] == ' ') at--, len++;
    snprintf(buf, cap, "%.*s%s", (int)(at - s), s, at + len);
}

/* The screen's order of a trial's result pairs puts the monitored figure's
 * pair right after best_epoch, the rest as the headless line has them (and
 * that line's order is the result line's, unchanged); a trial read back by
 * --resume, whose pairs are its journal's text in the headless order, the
 * same; and an END event's line ends with the pairs in the order asked. */
static void the_screens_order_puts_the_monitored_pair_after_best_epoch(void **state)
{
    (void)state;
    static const char *const mons[] = {"val_loss", "val_accuracy", "loss"};
    for (int m = 0; m < 3; m++) {
        Options o = iris_sweep(SPACE, SWEEP_SCHED_NONE, 3, 3, 1);
        snprintf(o.test, sizeof o.test, "iris");
        snprintf(o.monitor, sizeof o.monitor, "%s", mons[m]);
        char dir[256], pair[64], a[800], b[800];
        snprintf(dir, sizeof dir, "%s/screen-order-%d", tmpdir, m);
        BestPairs live, back;
        best_pairs_of(&o, dir, false, &live);
        best_pairs_of(&o, dir, true, &back);
        assert_false(live.read_back);
        assert_true(back.read_back);
        /* the headless order, as the result line has it */
        int n = 0;
        double f[8];
        assert_int_equal(sscanf(live.headless,
                                "epochs=%lf best_epoch=%lf loss=%lf accuracy=%lf val_loss=%lf "
                                "val_accuracy=%lf test_loss=%lf test_accuracy=%lf%n",
                                &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &n),
                         8);
        assert_int_equal(live.headless[n], '\0');
        /* the screen's: the monitor's pair third, the others as they were */
        const char *third = live.screen;
        for (int k = 0; k < 2; k++) third = strchr(third, ' ') + 1;
        assert_true(!strncmp(live.screen, "epochs=", 7) &&
                    !strncmp(strchr(live.screen, ' '), " best_epoch=", 12));
        snprintf(pair, sizeof pair, "%.*s", (int)strcspn(third, " "), third);
        assert_int_equal(strncmp(pair, mons[m], strlen(mons[m])), 0);
        assert_int_equal(pair[strlen(mons[m])], '=');
        without_pair(live.headless, pair, a, sizeof a);
        without_pair(live.screen, pair, b, sizeof b);
        assert_string_equal(a, b);
        if (m < 2)
            assert_string_not_equal(live.headless, live.screen);
        else
            assert_string_equal(live.headless, live.screen); /* loss is there already */
        /* read back from the journal: the same, in either order */
        assert_string_equal(live.headless, back.headless);
        assert_string_equal(live.screen, back.screen);
        /* the END event's line */
        size_t ln = strlen(live.end_line), sn = strlen(live.screen);
        assert_true(ln > sn + 1);
        assert_int_equal(live.end_line[ln - sn - 1], ' ');
        assert_string_equal(live.end_line + ln - sn, live.screen);
    }
}

/* ---- files --------------------------------------------------------------- */

/* A sweep of o with its files in dir, run to its end on data. */
static SweepExec *sweep_to_end(const Options *o, const char *dir, PreparedData *data)
{
    Error err = {0};
    mkdir(dir, 0755);
    assert_int_equal(prepared_open(data, o, NULL, &err), ERROR_NONE);
    SweepExec *x = calloc(1, sizeof *x);
    assert_non_null(x);
    assert_int_equal(sweep_exec_init(x, o, data, dir, NULL, &err), ERROR_NONE);
    assert_int_equal(sweep_exec_run(x, &err), ERROR_NONE);
    return x;
}

static void the_files_name_every_trial_and_best_txt_loads(void **state)
{
    (void)state;
    char dir[256];
    snprintf(dir, sizeof dir, "%s/files", tmpdir);
    Options o = iris_sweep(SPACE, SWEEP_SCHED_NONE, 4, 3, 2);
    PreparedData data;
    Error err = {0};
    SweepExec *x = sweep_to_end(&o, dir, &data);
    char path[300];
    snprintf(path, sizeof path, "%s/trials.csv", dir);
    const char *csv = slurp(path);
    assert_non_null(csv);
    assert_true(!strncmp(csv, "trial,status,rung,epochs,target,best_epoch,best_val_loss,", 57));
    assert_non_null(strstr(csv, ",lr,batch-size,run\n"));
    for (int i = 0; i < 4; i++) {
        assert_int_equal(x->trials[i].status, TRIAL_DONE);
        assert_non_null(strstr(csv, x->trials[i].run)); /* each its own run directory */
    }
    /* best.txt is a --config file with the best trial's rate */
    int b = sweep_exec_best(x);
    assert_true(b >= 0);
    Options loaded;
    options_default(&loaded);
    snprintf(path, sizeof path, "%s/best.txt", dir);
    assert_int_equal(options_load_file(&loaded, path, NULL, &err), ERROR_NONE);
    assert_true(loaded.hp.opt.lr == x->trials[b].opt.hp.opt.lr);
    assert_int_equal(loaded.hp.batch_size, x->trials[b].opt.hp.batch_size);
    assert_int_equal(loaded.epochs, 3);
    /* view reads the sweep directory as a log directory of runs */
    RunSet rs;
    assert_int_equal(runset_open(&rs, dir, &err), ERROR_NONE);
    int gradtop_runs = 0;
    for (size_t i = 0; i < rs.n_runs; i++) gradtop_runs += rs.runs[i]->kind == RUN_KIND_GRADTOP;
    assert_int_equal(gradtop_runs, 4);
    runset_free(&rs);
    /* space.txt repeats the sweep */
    snprintf(path, sizeof path, "%s/space.txt", dir);
    options_default(&loaded);
    assert_int_equal(options_load_file(&loaded, path, NULL, &err), ERROR_NONE);
    assert_string_equal(loaded.space, SPACE);
    assert_int_equal(loaded.trials, 4);
    sweep_exec_free(x);
    free(x);
    prepared_close(&data);
}

/* Under pbt, best.txt holds the hyperparameters its trial ended with,
 * and says, when the trial copied another's weights, that a run of them
 * from the start is not that trial again; without exploits it has no
 * such line. */
static void best_txt_says_when_its_trial_copied_weights(void **state)
{
    (void)state;
    for (int k = 0; k < 2; k++) {
        char dir[256], path[300];
        snprintf(dir, sizeof dir, "%s/pbt-best-%d", tmpdir, k);
        /* k 0: exploits every 2 epochs; k 1: the same trials without pbt */
        Options o = iris_sweep(SPACE, k ? SWEEP_SCHED_NONE : SWEEP_SCHED_PBT, 6, 6, 2);
        PreparedData data;
        Error err = {0};
        SweepExec *x = sweep_to_end(&o, dir, &data);
        int b = sweep_exec_best(x);
        assert_true(b >= 0);
        int exploited = 0;
        for (int i = 0; i < x->n_started; i++) exploited += x->trials[i].exploited;
        snprintf(path, sizeof path, "%s/best.txt", dir);
        const char *text = slurp(path);
        assert_non_null(text);
        bool says = strstr(text, "not this trial again") != NULL;
        if (k) {
            assert_int_equal(exploited, 0);
            assert_false(says);
        } else {
            assert_true(x->trials[b].exploited);
            assert_true(says);
        }
        /* the options are those the trial ended with */
        Options loaded;
        options_default(&loaded);
        assert_int_equal(options_load_file(&loaded, path, NULL, &err), ERROR_NONE);
        assert_true(loaded.hp.opt.lr == x->trials[b].opt.hp.opt.lr);
        sweep_exec_free(x);
        free(x);
        prepared_close(&data);
    }
}

/* A trial's run directory is not fsynced as it is written (before, each
 * epoch fsynced the event file, each new best model.gtm and its
 * directory): the sweep syncs the file system before each trials.csv. */
static void trial_files_are_synced_at_the_fixed_points_not_per_epoch(void **state)
{
    (void)state;
    for (int k = 0; k < 2; k++) {
        char dir[256];
        snprintf(dir, sizeof dir, "%s/sync-%d", tmpdir, k);
        mkdir(dir, 0755);
        Options o = iris_sweep("lr=loguniform(1e-3,1e-2); batch-size=choice(8|16|32)",
                               SWEEP_SCHED_NONE, 3, k ? 24 : 3, 1);
        PreparedData data;
        Error err = {0};
        assert_int_equal(prepared_open(&data, &o, NULL, &err), ERROR_NONE);
        SweepExec *x = calloc(1, sizeof *x);
        assert_int_equal(sweep_exec_init(x, &o, &data, dir, NULL, &err), ERROR_NONE);
        atomic_store(&n_trial_fsync, 0);
        atomic_store(&n_syncfs, 0);
        atomic_store(&n_trials_csv, 0);
        atomic_store(&trials_unsynced, 0);
        atomic_store(&synced_since, false);
        assert_int_equal(sweep_exec_run(x, &err), ERROR_NONE);
        for (int i = 0; i < 3; i++) {
            assert_int_equal(x->trials[i].status, TRIAL_DONE);
            assert_int_equal(x->trials[i].epochs, o.max_epochs);
        }
        assert_int_equal(atomic_load(&n_trial_fsync), 0);
        /* every trials.csv came after a sync of what the trials wrote */
        assert_true(atomic_load(&n_trials_csv) >= 3);
        assert_int_equal(atomic_load(&trials_unsynced), 0);
        assert_true(atomic_load(&n_syncfs) >= atomic_load(&n_trials_csv));
        /* nothing new since: nothing written or synced, unless forced (a
         * sweep's end), which syncs and still rewrites nothing */
        atomic_store(&n_syncfs, 0);
        atomic_store(&n_trials_csv, 0);
        assert_int_equal(sweep_write_files(x, false, &err), ERROR_NONE);
        assert_int_equal(atomic_load(&n_syncfs), 0);
        assert_int_equal(sweep_write_files(x, true, &err), ERROR_NONE);
        assert_int_equal(atomic_load(&n_syncfs), 1);
        assert_int_equal(atomic_load(&n_trials_csv), 0);
        sweep_exec_free(x);
        free(x);
        prepared_close(&data);
    }
}

/* ---- refusals ------------------------------------------------------------ */

static void pbt_refuses_a_parameter_the_trainer_cannot_change_live(void **state)
{
    (void)state;
    Options o =
        iris_sweep("lr=loguniform(1e-3,1e-1); layers=choice(8|16)", SWEEP_SCHED_PBT, 4, 6, 2);
    PreparedData data;
    Error err = {0};
    assert_int_equal(prepared_open(&data, &o, NULL, &err), ERROR_NONE);
    SweepExec *x = calloc(1, sizeof *x);
    assert_int_equal(sweep_exec_init(x, &o, &data, NULL, NULL, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "'layers' at column 27"));
    sweep_exec_free(x);
    /* and a budget smaller than one trial */
    o = iris_sweep(SPACE, SWEEP_SCHED_NONE, 4, 10, 2);
    o.budget = 9;
    assert_int_equal(sweep_exec_init(x, &o, &data, NULL, NULL, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "--budget 9"));
    sweep_exec_free(x);
    /* under asha, smaller than its first rung: no trial would start */
    o = iris_sweep(SPACE, SWEEP_SCHED_ASHA, 8, 10, 2);
    o.min_epochs = 3;
    o.budget = 2;
    assert_int_equal(sweep_exec_init(x, &o, &data, NULL, NULL, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "--budget 2: less than asha's first rung, epoch 3"));
    sweep_exec_free(x);
    o.budget = 3; /* one job of 3 epochs */
    assert_int_equal(sweep_exec_init(x, &o, &data, NULL, NULL, &err), ERROR_NONE);
    sweep_exec_free(x);
    /* a median rule that could judge no epoch before the last */
    o = iris_sweep(SPACE, SWEEP_SCHED_MEDIAN, 8, 2, 2);
    o.min_epochs = 2;
    assert_int_equal(sweep_exec_init(x, &o, &data, NULL, NULL, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "--min-epochs: 2 (expected from 1 to 1: the median rule"));
    sweep_exec_free(x);
    /* asha with fewer trials than --eta: a rung's top 1/eta is no trial,
     * so every trial would be pruned at the first rung */
    o = iris_sweep(SPACE, SWEEP_SCHED_ASHA, 4, 9, 2);
    o.eta = 5;
    assert_int_equal(sweep_exec_init(x, &o, &data, NULL, NULL, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "--eta 5: more than the 4 trials"));
    sweep_exec_free(x);
    o.eta = 4;
    assert_int_equal(sweep_exec_init(x, &o, &data, NULL, NULL, &err), ERROR_NONE);
    sweep_exec_free(x);
    /* a figure the task has not, which every trial would fail on, as
     * train refuses it */
    o = iris_sweep(SPACE, SWEEP_SCHED_NONE, 4, 2, 2);
    snprintf(o.monitor, sizeof o.monitor, "val_mae");
    assert_int_equal(sweep_exec_init(x, &o, &data, NULL, NULL, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "--monitor val_mae does not fit a classification task (use "
                                    "val_loss or val_accuracy)"));
    sweep_exec_free(x);
    /* the space of a --config file: its errors name the file's line */
    o = iris_sweep("lr=loguniform(1e-3,1e-1); layers=choice(8|16", SWEEP_SCHED_NONE, 4, 2, 2);
    snprintf(o.space_from, sizeof o.space_from, "space.txt:12");
    assert_int_equal(sweep_exec_init(x, &o, &data, NULL, NULL, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "space.txt:12: --space: 'layers' at column 45: "));
    sweep_exec_free(x);
    free(x);
    prepared_close(&data);
}

/* ---- a person's controls ------------------------------------------------ */

typedef struct {
    SweepExec *x;
    Error err;
    ErrorCode rc;
    atomic_int batches; /* seen by the watch hook */
    int promoted[8];    /* PROMOTE events per trial */
} Owner;

static void *owner_thread(void *arg)
{
    Owner *ow = arg;
    ow->rc = sweep_exec_run(ow->x, &ow->err);
    return NULL;
}

static void count_promote(void *ctx, const SweepExec *x, const SweepEvent *e)
{
    (void)x;
    Owner *ow = ctx;
    if (e->kind == SWEEP_EV_PROMOTE && e->trial < 8) ow->promoted[e->trial]++;
}

static void count_batch(void *ctx, const BatchInfo *b)
{
    (void)b;
    Owner *ow = ctx;
    atomic_fetch_add(&ow->batches, 1);
}

/* Polls the trials' view until cond holds (the alarm bounds the wait). */
typedef bool (*ViewCond)(const SweepTrialView *v, int n);
static void wait_view(SweepExec *x, ViewCond cond)
{
    SweepTrialView v[8];
    SweepMoment m;
    for (;;) {
        sweep_exec_view(x, v, 8, &m, NULL);
        if (cond(v, m.n_started)) return;
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}
static bool first_paused(const SweepTrialView *v, int n)
{
    return n >= 1 && v[0].open && v[0].user_paused;
}
static bool first_parked(const SweepTrialView *v, int n)
{
    return n >= 1 && v[0].parked && v[0].epochs == 2;
}
static bool second_open(const SweepTrialView *v, int n)
{
    return n >= 2 && v[1].open && v[1].user_paused;
}

/* A sweep of o over data, every trial paused from its start, run by the
 * owner thread *th; promote taken before it starts must be refused. */
static SweepExec *start_paused(const Options *o, PreparedData *data, Owner *ow, pthread_t *th)
{
    Error err = {0};
    assert_int_equal(prepared_open(data, o, NULL, &err), ERROR_NONE);
    SweepExec *x = calloc(1, sizeof *x);
    ow->x = x;
    SweepHooks hooks = {.ctx = ow, .on_event = count_promote};
    assert_int_equal(sweep_exec_init(x, o, data, NULL, &hooks, &err), ERROR_NONE);
    assert_int_equal(sweep_exec_promote(x, 0, &err), ERROR_INPUT); /* nothing started */
    sweep_exec_pause_all(x, true);
    assert_int_equal(pthread_create(th, NULL, owner_thread, ow), 0);
    return x;
}

/* A sweep of o over data into dir (made), every trial paused from its
 * start, run by the owner thread *th. */
static SweepExec *start_paused_in(const Options *o, const char *dir, PreparedData *data, Owner *ow,
                                  pthread_t *th)
{
    mkdir(dir, 0755);
    Error err = {0};
    assert_int_equal(prepared_open(data, o, NULL, &err), ERROR_NONE);
    SweepExec *x = calloc(1, sizeof *x);
    ow->x = x;
    assert_int_equal(sweep_exec_init(x, o, data, dir, NULL, &err), ERROR_NONE);
    sweep_exec_pause_all(x, true);
    assert_int_equal(pthread_create(th, NULL, owner_thread, ow), 0);
    return x;
}

/* Pause all, one trial resumed alone to its rung, watched and held, then
 * promoted; another stopped; every decision taken as asked, and a held
 * trial is not collected until released. */
static void the_controls_pause_promote_stop_and_hold_trials(void **state)
{
    (void)state;
    alarm(120);
    /* one slot: rungs at epochs 2, 6 and 18 */
    Options o = iris_sweep(SPACE, SWEEP_SCHED_ASHA, 3, 18, 1);
    o.min_epochs = 2;
    PreparedData data;
    Owner ow = {0};
    pthread_t th;
    SweepExec *x = start_paused(&o, &data, &ow, &th);
    Error perr = {0};
    wait_view(x, first_paused);
    TrainRun *tr = sweep_exec_hold(x, 0);
    assert_non_null(tr);
    sweep_exec_watch(x, 0, count_batch, &ow);
    assert_true(sweep_exec_pause_trial(x, 0)); /* trial 0 alone goes on */
    wait_view(x, first_parked);
    sweep_exec_watch(x, 0, NULL, NULL);
    int seen = atomic_load(&ow.batches);
    /* every batch of its 2 epochs, and nothing else */
    int bs = x->trials[0].opt.hp.batch_size;
    assert_int_equal(seen, 2 * (((int)data.train.n + bs - 1) / bs));
    assert_int_equal(sweep_exec_promote(x, 0, &perr), ERROR_NONE);
    assert_int_equal(sweep_exec_promote(x, 0, &perr), ERROR_INPUT); /* once */
    wait_view(x, second_open);
    assert_true(sweep_exec_stop_trial(x, 1));
    sweep_exec_pause_all(x, false);
    /* trial 0 trains to its promoted rung and on: held, it is not
     * collected when its training returns */
    ErrorCode rc;
    Error rerr;
    while (!trainrun_finished(tr, &rc, &rerr)) {
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    SweepTrialView v[8];
    SweepMoment m;
    sweep_exec_view(x, v, 8, &m, NULL);
    assert_true(v[0].open);
    assert_int_equal(atomic_load(&ow.batches), seen); /* unwatched: no more calls */
    sweep_exec_release(x, 0);
    pthread_join(th, NULL);
    alarm(0);
    assert_int_equal(ow.rc, ERROR_NONE);
    assert_true(x->trials[0].epochs >= 6);
    assert_true(ow.promoted[0] >= 1);
    assert_int_equal(x->trials[1].status, TRIAL_STOPPED);
    assert_true(x->trials[1].epochs <= 2);
    assert_int_equal(ow.promoted[1], 0);
    sweep_exec_free(x);
    free(x);
    prepared_close(&data);
}

/* A trial whose rate a person changed in its dashboard (held, then let
 * go) is marked, and best.txt says its options are those it began with;
 * held and let go without a change, it is not. */
static void a_change_made_by_hand_marks_the_trial(void **state)
{
    (void)state;
    alarm(120);
    Options o = iris_sweep(SPACE, SWEEP_SCHED_NONE, 1, 3, 1);
    char dir[256], best[300];
    snprintf(dir, sizeof dir, "%s/by-hand", tmpdir);
    snprintf(best, sizeof best, "%s/best.txt", dir);
    PreparedData data;
    Owner ow = {0};
    pthread_t th;
    SweepExec *x = start_paused_in(&o, dir, &data, &ow, &th);
    wait_view(x, first_paused);
    TrainRun *tr = sweep_exec_hold(x, 0);
    assert_non_null(tr);
    sweep_exec_release(x, 0);
    assert_false(x->trials[0].hand_changed);
    tr = sweep_exec_hold(x, 0);
    assert_non_null(tr);
    HyperParams hp;
    trainer_get_hparams(tr->trainer, &hp);
    hp.opt.lr *= 2;
    TrainerReply reply;
    assert_true(trainer_await(tr->trainer, trainer_set_hparams(tr->trainer, &hp), &reply));
    sweep_exec_release(x, 0);
    SweepTrialView v[1];
    SweepMoment m;
    sweep_exec_view(x, v, 1, &m, NULL);
    assert_true(v[0].hand_changed);
    sweep_exec_pause_all(x, false);
    pthread_join(th, NULL);
    alarm(0);
    assert_int_equal(ow.rc, ERROR_NONE);
    char *text = slurp(best);
    assert_non_null(text);
    expect_contains(text, "changed by hand while it trained");
    sweep_exec_free(x);
    free(x);
    prepared_close(&data);
}

/* ---- a view's moment -------------------------------------------------------
 * A screen draws the rows of one sweep_exec_view beside the events and the
 * end its SweepMoment counts: whatever moment the view is taken at, the
 * rows must show every event counted, and the end only once every row is
 * final. */

#define TOLD_MAX 512

typedef struct {
    SweepExec *x;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    SweepEvent ev[TOLD_MAX];
    unsigned long n; /* events told to the hook so far */
    int views;       /* views the hook took */
    char wrong[256]; /* the first view whose rows did not show its events */
    ErrorCode rc;
    Error err;
} Told;

/* The first of the n events ev that the rows v of moment m do not show
 * (the trial not started, not at its rung, not ended, ...), or -1. */
static long first_unshown(const SweepExec *x, const SweepEvent *ev, unsigned long n,
                          const SweepTrialView *v, const SweepMoment *m)
{
    SweepEventKind last[TOLD_MAX];
    for (int i = 0; i < x->n_trials && i < TOLD_MAX; i++) last[i] = SWEEP_EV_START;
    for (unsigned long k = 0; k < n; k++) {
        const SweepEvent *e = &ev[k];
        if (e->trial >= m->n_started) return (long)k;
        const SweepTrialView *t = &v[e->trial];
        bool shown = t->status != TRIAL_WAITING && t->epochs >= e->epoch;
        switch (e->kind) {
        case SWEEP_EV_START:
        case SWEEP_EV_START_OVER: break;
        case SWEEP_EV_RUNG: shown &= t->rung >= e->rung; break;
        case SWEEP_EV_PROMOTE: shown &= t->target >= x->asha.rung_epochs[e->rung]; break;
        case SWEEP_EV_PRUNE: shown &= t->status == TRIAL_PRUNED; break;
        case SWEEP_EV_EXPLOIT: break;
        case SWEEP_EV_END:
            shown &= !t->open && t->status != TRIAL_RUNNING && t->status != TRIAL_PAUSED;
            break;
        }
        if (!shown) return (long)k;
        if (e->kind == SWEEP_EV_PROMOTE || e->kind == SWEEP_EV_EXPLOIT ||
            e->kind == SWEEP_EV_RUNG || e->kind == SWEEP_EV_END)
            last[e->trial] = e->kind;
    }
    /* what each row says it was last told is what the events counted say */
    for (int i = 0; i < m->n_started; i++)
        if (v[i].told_kind != last[i]) return (long)n;
    return -1;
}

/* The hook: records the event, then takes a view there, on the owner's
 * thread between two of its steps, and checks it (a failed check is
 * recorded: the test's thread asserts). */
static void told_event(void *ctx, const SweepExec *cx, const SweepEvent *e)
{
    (void)cx;
    Told *w = ctx;
    pthread_mutex_lock(&w->mu);
    if (w->n < TOLD_MAX) w->ev[w->n] = *e;
    w->n++;
    unsigned long n = w->n;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    SweepTrialView v[64];
    SweepMoment m;
    sweep_exec_view(w->x, v, 64, &m, NULL);
    w->views++;
    long k = m.told == n && n <= TOLD_MAX ? first_unshown(w->x, w->ev, n, v, &m) : -2;
    if ((k != -1 || m.over) && !w->wrong[0])
        snprintf(w->wrong, sizeof w->wrong,
                 "view in the hook of event %lu (kind %d, trial %d): told %lu, over %d, the "
                 "rows do not show event %ld",
                 n - 1, (int)e->kind, e->trial, m.told, (int)m.over, k);
}

static void *told_owner(void *arg)
{
    Told *w = arg;
    w->rc = sweep_exec_run(w->x, &w->err);
    return NULL;
}

/* Waits for the hook to have had n events. */
static void told_wait(Told *w, unsigned long n)
{
    pthread_mutex_lock(&w->mu);
    while (w->n < n) pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
}

static SweepExec *told_init(const Options *o, PreparedData *data, Told *w)
{
    Error err = {0};
    assert_int_equal(prepared_open(data, o, NULL, &err), ERROR_NONE);
    memset(w, 0, sizeof *w);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    SweepExec *x = calloc(1, sizeof *x);
    assert_non_null(x);
    w->x = x;
    SweepHooks hooks = {.ctx = w, .on_event = told_event};
    assert_int_equal(sweep_exec_init(x, o, data, NULL, &hooks, &err), ERROR_NONE);
    return x;
}

static void told_free(SweepExec *x, PreparedData *data, Told *w)
{
    sweep_exec_free(x);
    free(x);
    prepared_close(data);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
}

/* After the run: no view the hook took was wrong, and a view now counts
 * every event, shows each, and the end. */
static void told_ended(SweepExec *x, Told *w)
{
    assert_int_equal(w->rc, ERROR_NONE);
    assert_string_equal(w->wrong, "");
    assert_true(w->n <= TOLD_MAX);
    SweepTrialView v[64];
    SweepMoment m;
    sweep_exec_view(x, v, 64, &m, NULL);
    assert_true(m.over);
    assert_int_equal(m.told, w->n);
    assert_int_equal(first_unshown(x, w->ev, w->n, v, &m), -1);
}

/* Every event of the sweep o, of every kind its scheduler tells, is shown
 * by the rows of a view taken as the hook hears of it; and after the run,
 * every event and the end. */
static void check_every_event(const Options *o, SweepEventKind kind)
{
    PreparedData data;
    Told w;
    SweepExec *x = told_init(o, &data, &w);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, told_owner, &w), 0);
    pthread_join(th, NULL);
    told_ended(x, &w);
    assert_int_equal(w.views, (int)w.n);
    bool seen = false;
    for (unsigned long k = 0; k < w.n; k++) seen |= w.ev[k].kind == kind;
    assert_true(seen);
    told_free(x, &data, &w);
}

static void a_views_events_are_those_its_rows_show(void **state)
{
    (void)state;
    alarm(120);
    /* two slots, every trial paused from its start: a view of the two
     * first trials open, nothing trained */
    Options o = iris_sweep(SPACE, SWEEP_SCHED_ASHA, 6, 9, 2);
    PreparedData data;
    Told w;
    SweepExec *x = told_init(&o, &data, &w);
    sweep_exec_pause_all(x, true);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, told_owner, &w), 0);
    wait_view(x, second_open);
    SweepTrialView before[64];
    SweepMoment at;
    sweep_exec_view(x, before, 64, &at, NULL);
    assert_false(at.over);
    assert_true(at.told <= 2); /* the starts, as far as they were told */
    told_wait(&w, at.told);
    assert_int_equal(first_unshown(x, w.ev, at.told, before, &at), -1);
    /* the sweep runs to its end */
    sweep_exec_pause_all(x, false);
    pthread_join(th, NULL);
    alarm(0);
    told_ended(x, &w);
    /* the events told by then are more than those rows show: drawn beside
     * them (events as they arrive, rows of the frame's start), a frame
     * would show trials ending whose rows say paused at epoch 0 */
    assert_true(w.n > at.told);
    assert_true(first_unshown(x, w.ev, w.n, before, &at) >= 0);
    told_free(x, &data, &w);
    /* every kind of event, at the moment the hook hears of it: asha's
     * rungs, promotions and ends; median's prunes; pbt's exploits */
    check_every_event(&o, SWEEP_EV_PROMOTE);
    Options med = iris_sweep(SPACE, SWEEP_SCHED_MEDIAN, 10, 6, 2);
    med.min_epochs = 2;
    check_every_event(&med, SWEEP_EV_PRUNE);
    Options pbt = iris_sweep(SPACE, SWEEP_SCHED_PBT, 6, 6, 2);
    check_every_event(&pbt, SWEEP_EV_EXPLOIT);
}

/* A trial stopped by a person while it waits at a rung keeps its figure
 * there, and may be the rung's best: ASHA passes over it instead of
 * waiting for it to train on. */
static bool first_at_rung_second_paused(const SweepTrialView *v, int n)
{
    return n >= 2 && v[0].parked && v[0].epochs == 2 && v[1].open && v[1].user_paused;
}

static void asha_passes_over_a_trial_stopped_at_its_rung(void **state)
{
    (void)state;
    alarm(120); /* a sweep that waits for an ended trial never returns */
    /* the grid: trial 0 learns (lr 0.05), trial 1 hardly (lr 1e-5); one
     * slot, rungs at epochs 2, 4 and 8 */
    Options o = iris_sweep("lr=choice(0.05|0.00001)", SWEEP_SCHED_ASHA, 2, 8, 1);
    o.sampler = SWEEP_SAMPLER_GRID;
    o.min_epochs = 2;
    o.eta = 2;
    PreparedData data;
    Owner ow = {0};
    pthread_t th;
    SweepExec *x = start_paused(&o, &data, &ow, &th);
    wait_view(x, first_paused);
    assert_true(sweep_exec_pause_trial(x, 0));
    /* trial 0 at its first rung, alone there: trial 1 starts, paused */
    wait_view(x, first_at_rung_second_paused);
    assert_true(sweep_exec_stop_trial(x, 0));
    sweep_exec_pause_all(x, false);
    pthread_join(th, NULL);
    alarm(0);
    assert_int_equal(ow.rc, ERROR_NONE);
    /* trial 0 was the rung's best, and stopped: nobody went on */
    assert_true(sweep_board_better(&x->board, sweep_board_get(&x->board, 0, 2),
                                   sweep_board_get(&x->board, 1, 2)));
    assert_int_equal(x->trials[0].status, TRIAL_STOPPED);
    assert_int_equal(x->trials[1].status, TRIAL_PRUNED);
    assert_int_equal(ow.promoted[0] + ow.promoted[1], 0);
    sweep_exec_free(x);
    free(x);
    prepared_close(&data);
}

/* The trials of a sweep paused from its start as the test goes on: trial
 * `hold` stays paused before its first batch, the others are let go
 * as they open. */
typedef struct {
    int hold, watch; /* kept paused; let go and waited for */
    int epoch;       /* the epoch `watch` is to be parked at */
} Walk;

static bool walk_step(SweepExec *x, const Walk *w)
{
    SweepTrialView v[16];
    SweepMoment m;
    sweep_exec_view(x, v, 16, &m, NULL);
    int n = m.n_started;
    for (int i = 0; i < n; i++)
        if (i != w->hold && v[i].open && v[i].user_paused) sweep_exec_pause_trial(x, i);
    return n > w->watch && v[w->hold].open && v[w->hold].user_paused && v[w->watch].parked &&
           v[w->watch].epochs == w->epoch;
}

/* The sweep o into dir, every trial let go as it opens but w.hold, held
 * before its first batch, so that trial w.watch waits for the median rule
 * at epoch w.epoch; stopped there.  The status w.watch ended with. */
static SweepTrialStatus stopped_while_waiting(const Options *o, const char *dir, Walk w)
{
    alarm(120);
    PreparedData data;
    Owner ow = {0};
    pthread_t th;
    SweepExec *x = start_paused_in(o, dir, &data, &ow, &th);
    while (!walk_step(x, &w)) {
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    sweep_exec_stop(x);
    pthread_join(th, NULL);
    alarm(0);
    assert_int_equal(ow.rc, ERROR_NONE);
    assert_int_equal(x->trials[w.watch].epochs, w.epoch);
    SweepTrialStatus st = x->trials[w.watch].status;
    sweep_exec_free(x);
    free(x);
    prepared_close(&data);
    return st;
}

/* The sweep o into tmpdir/NAME-whole, its trial w.watch's outcome
 * containing `expect`; then into tmpdir/NAME-cut, stopped while w.watch
 * waits for the rule (ending as st), and resumed: the same sweep. */
static void cut_while_waiting_resumes_the_same(const Options *o, const char *name,
                                               const char *expect, Walk w, SweepTrialStatus st)
{
    char whole[256], cut[256];
    snprintf(whole, sizeof whole, "%s/%s-whole", tmpdir, name);
    snprintf(cut, sizeof cut, "%s/%s-cut", tmpdir, name);
    Outcome a, c;
    sweep_in(o, whole, 0, false, &a);
    assert_non_null(strstr(a.text[w.watch], expect));
    assert_int_equal(stopped_while_waiting(o, cut, w), st);
    sweep_in(o, cut, 0, true, &c);
    assert_same(&a, &c, o->max_epochs);
}

/* Under median, a trial interrupted while it waited at an epoch for the
 * rule (an earlier trial behind it) is judged there on --resume, goes on,
 * and is pruned at its next epoch as in the uninterrupted sweep, with the
 * same trials.csv row: its target, the epoch after the one it went on
 * from (it was once the full length, as if never judged). */
static void a_median_trial_resumed_at_its_judgement_keeps_its_target(void **state)
{
    (void)state;
    /* trial 6 goes on at epoch 1 and is pruned at epoch 2 */
    Options o = iris_sweep(SPACE, SWEEP_SCHED_MEDIAN, 9, 12, 2);
    o.seed = 8;
    cut_while_waiting_resumes_the_same(&o, "median-judged", " pruned epochs=2 rung=-1 target=2",
                                       (Walk){5, 6, 1}, TRIAL_STOPPED);
}

/* Under median, a trial whose early stopping ends it at an epoch the rule
 * judges it at ends with the same trials.csv row whether the rule let it
 * go on there first (uninterrupted) or the sweep was stopped before it
 * could: its target is the epoch it stopped at either way. */
static void a_median_trial_early_stopped_at_its_judgement_has_one_target(void **state)
{
    (void)state;
    /* trial 5 is judged at epoch 4 (the first), goes on, and stops early
     * there */
    Options o = iris_sweep(SPACE, SWEEP_SCHED_MEDIAN, 9, 20, 2);
    o.seed = 7;
    o.min_epochs = 4;
    o.hp.patience = 2;
    cut_while_waiting_resumes_the_same(&o, "median-early", " early_stopped epochs=4 rung=-1 ",
                                       (Walk){4, 5, 4}, TRIAL_EARLY_STOPPED);
}

/* path (cap bytes): base, then directories of '0's and a last one of
 * 'e's, len bytes in all (each name shorter than NAME_MAX). */
static void path_of_length(char *path, size_t cap, const char *base, size_t len)
{
    size_t n = (size_t)snprintf(path, cap, "%s", base);
    assert_true(len > n + 60 && len < cap);
    while (len - n > 250) n += (size_t)snprintf(path + n, cap - n, "/%0200d", 0);
    path[n++] = '/';
    memset(path + n, 'e', len - n);
    path[len] = '\0';
}

/* The room a sweep directory leaves for its trials' run directories is
 * the room they take: under the longest --logdir a sweep accepts, in a
 * sweep directory named at its longest (a "-9999" when its name was
 * taken), the run directory of the last trial --trials allows is made. */
static void a_sweep_leaves_room_for_its_last_trials_run_directory(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    const char *ds = "iris";
    char base[128], sweep[RUNDIR_DIR_MAX], longest[RUNDIR_DIR_MAX + 8], run[RUNDIR_DIR_MAX];
    snprintf(base, sizeof base, "%s/room", tmpdir);
    Error err = {0};
    bool made = false;
    for (size_t len = RUNDIR_DIR_MAX - 1; !made && len > strlen(base) + 64; len--) {
        path_of_length(o.logdir, sizeof o.logdir, base, len);
        made = sweep_dir_make(&o, ds, sweep, sizeof sweep, &err) == ERROR_NONE;
        if (!made) assert_int_equal(err.code, ERROR_INPUT);
    }
    assert_true(made);
    snprintf(longest, sizeof longest, "%s-9999", sweep);
    assert_int_equal(mkdir(longest, 0755), 0);
    char name[32];
    sweep_trial_name((int)options_find("trials")->max - 1, name, sizeof name);
    if (rundir_make_dir(longest, ds, name, 0, 0, run, sizeof run, &err)) fail_msg("%s", err.msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_sweep_leaves_room_for_its_last_trials_run_directory),
        cmocka_unit_test(asha_makes_the_same_decisions_on_repeated_runs),
        cmocka_unit_test(median_decisions_do_not_depend_on_parallel),
        cmocka_unit_test(resume_refuses_sweep_settings_its_trials_were_not_made_with),
        cmocka_unit_test(resume_refuses_another_parallel_under_tpe),
        cmocka_unit_test(resume_takes_more_trials_where_they_decide_nothing),
        cmocka_unit_test(resume_refuses_a_space_txt_cut_at_a_line_boundary),
        cmocka_unit_test(a_sweep_of_a_long_space_resumes),
        cmocka_unit_test(pbt_decisions_do_not_depend_on_parallel),
        cmocka_unit_test(pbt_a_trials_best_is_its_adopted_lines),
        cmocka_unit_test(pbt_trains_to_the_full_length_when_the_next_barrier_lies_beyond),
        cmocka_unit_test(tpe_learns_from_the_same_trials_on_repeated_runs),
        cmocka_unit_test(asha_parks_more_trials_than_the_blas_has_buffers),
        cmocka_unit_test(trials_know_the_searched_parameters),
        cmocka_unit_test(a_trial_changed_by_hand_resumes_with_the_changes),
        cmocka_unit_test(a_budget_bounds_the_epochs_trained),
        cmocka_unit_test(pbt_exploit_copies_exactly_the_donors_weights_and_state),
        cmocka_unit_test(a_stop_ends_running_trials_and_starts_none),
        cmocka_unit_test(a_stop_ends_trials_parked_at_a_rung),
        cmocka_unit_test(a_resumed_sweep_ends_as_an_uninterrupted_one),
        cmocka_unit_test(a_resumed_asha_sweep_ends_as_an_uninterrupted_one),
        cmocka_unit_test(a_trials_csv_saved_with_crlf_resumes_the_same),
        cmocka_unit_test(a_killed_sweep_resumes_to_the_uninterrupted_ones_files),
        cmocka_unit_test(a_killed_sweep_without_restore_best_resumes_to_the_same_figures),
        cmocka_unit_test(a_median_sweep_killed_at_each_prune_resumes_the_same),
        cmocka_unit_test(a_pruned_trial_not_collected_resumes_to_its_figures),
        cmocka_unit_test(an_early_stopped_trial_not_collected_ends_where_it_stopped),
        cmocka_unit_test(an_early_stopped_trial_without_restore_best_ends_where_it_stopped),
        cmocka_unit_test(a_done_trial_not_collected_ends_with_the_trainers_files),
        cmocka_unit_test(trials_trained_again_to_their_prune_keep_to_parallel),
        cmocka_unit_test(a_stop_as_a_pruned_trial_trains_again_leaves_it_stopped),
        cmocka_unit_test(a_pruned_trial_killed_as_it_trained_again_stops_where_it_was_pruned),
        cmocka_unit_test(resume_refuses_what_is_not_this_sweeps_trials),
        cmocka_unit_test(resume_refuses_a_trials_csv_that_is_not_a_file),
        cmocka_unit_test(resume_refuses_a_value_its_trials_run_did_not_train_with),
        cmocka_unit_test(resume_refuses_an_ended_trial_whose_run_is_gone),
        cmocka_unit_test(resume_takes_a_run_config_as_the_run_writes_it),
        cmocka_unit_test(resume_refuses_a_status_its_trials_run_contradicts),
        cmocka_unit_test(resume_refuses_a_figure_its_trials_run_did_not_end_with),
        cmocka_unit_test(resume_refuses_a_space_txt_its_trials_did_not_run_with),
        cmocka_unit_test(a_sweep_directory_is_resumed_by_one_gradtop_at_a_time),
        cmocka_unit_test(a_trial_directory_no_row_names_is_taken_up_not_doubled),
        cmocka_unit_test(an_asha_trial_killed_as_it_started_is_taken_up_not_doubled),
        cmocka_unit_test(a_resume_removes_the_temporaries_a_killed_sweep_left),
        cmocka_unit_test(a_resume_stopped_at_once_leaves_no_trial_running),
        cmocka_unit_test(a_resume_stopped_at_once_ends_the_pruned_trials_left_open),
        cmocka_unit_test(a_trial_whose_run_is_gone_starts_over_and_says_so),
        cmocka_unit_test(a_resumed_sweep_gives_an_ended_trials_own_result),
        cmocka_unit_test(resume_checks_a_figure_to_the_files_precision),
        cmocka_unit_test(the_screens_order_puts_the_monitored_pair_after_best_epoch),
        cmocka_unit_test(a_trial_opened_again_has_no_figures_until_it_ends),
        cmocka_unit_test(the_files_name_every_trial_and_best_txt_loads),
        cmocka_unit_test(best_txt_says_when_its_trial_copied_weights),
        cmocka_unit_test(trial_files_are_synced_at_the_fixed_points_not_per_epoch),
        cmocka_unit_test(pbt_refuses_a_parameter_the_trainer_cannot_change_live),
        cmocka_unit_test(asha_passes_over_a_trial_stopped_at_its_rung),
        cmocka_unit_test(the_controls_pause_promote_stop_and_hold_trials),
        cmocka_unit_test(a_change_made_by_hand_marks_the_trial),
        cmocka_unit_test(a_views_events_are_those_its_rows_show),
        cmocka_unit_test(a_median_trial_resumed_at_its_judgement_keeps_its_target),
        cmocka_unit_test(a_median_trial_early_stopped_at_its_judgement_has_one_target),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
