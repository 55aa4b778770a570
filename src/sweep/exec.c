/*
 * exec.c - the sweep's executor: trials as TrainRuns on their own
 * threads, parked between epochs at the schedulers' fixed points.  See
 * exec.h for the order decisions are taken in.
 */
#include "gradtop/sweep/exec.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gradtop/core/sysmem.h"
#include "gradtop/nn/gemm.h"
#include "gradtop/run/rundir.h"

const char *const sweep_trial_status_names[] = {"waiting",       "running", "paused",   "done",
                                                "early_stopped", "pruned",  "diverged", "stopped",
                                                "failed",        NULL};

/* What a parked trial does next (SweepTrial.order). */
enum { ORDER_NONE, ORDER_GO, ORDER_STOP, ORDER_EXPLOIT };

/* The journal's reason for a stop that ends the whole sweep (SIGINT, q). */
#define WHY_SWEEP_STOPPED "the sweep was stopped"
#define WHY_FILES_FAILED "the sweep stopped: a file could not be written"

/* ---- figures ------------------------------------------------------------- */

double sweep_exec_figure(const SweepExec *x, const EpochMetrics *m)
{
    return epoch_metrics_value(m, x->monitor);
}

int sweep_exec_best(const SweepExec *x)
{
    int best = -1;
    double bf = NAN;
    for (int i = 0; i < x->n_started; i++) {
        /* its best epoch's figure, as the screen ranks it, trials.csv's
         * best column and best.txt give it: under --no-restore-best its
         * kept (last) weights' may rank it otherwise */
        const SweepTrial *t = &x->trials[i];
        double f = t->best_epoch > 0 ? t->best : NAN;
        if (!isfinite(f)) continue;
        if (best < 0 || sweep_board_better(&x->board, f, bf)) {
            best = i;
            bf = f;
        }
    }
    return best;
}

void sweep_exec_config_text(const SweepExec *x, const SweepTrial *t, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int p = 0; p < x->space.n && n < cap; p++) {
        if (!t->config.v[p].active) continue;
        char v[OPTIONS_PATH];
        sweep_value_format(&x->space, p, &t->config.v[p], v, sizeof v);
        n += (size_t)snprintf(buf + n, cap - n, "%s%s=%s", n ? ";" : "", x->space.p[p].spec->name,
                              v);
    }
}

/* ---- the trials' hooks, on their threads ---------------------------------- */

/* The figure as metrics.csv holds it (rundir.c writes 8 significant
 * digits): the executor decides on these, so that a resumed sweep, which
 * reads the earlier epochs back from metrics.csv, decides as the
 * uninterrupted one did. */
static double as_logged(double f)
{
    if (!isfinite(f)) return f;
    char buf[32];
    snprintf(buf, sizeof buf, "%.8g", f);
    return strtod(buf, NULL);
}

static void trial_on_epoch(void *ctx, const EpochMetrics *m)
{
    SweepTrial *t = ctx;
    SweepExec *x = t->x;
    double f = as_logged(sweep_exec_figure(x, m));
    pthread_mutex_lock(&x->mu);
    sweep_board_record(&x->board, t->index, m->epoch, f);
    t->epochs = m->epoch;
    if (isfinite(f) && (t->best_epoch == 0 || sweep_board_better(&x->board, f, t->best))) {
        t->best = f;
        t->best_epoch = m->epoch;
    }
    pthread_mutex_unlock(&x->mu);
}

/* Whether t waits here for the owner (x->mu held). */
static bool must_park(const SweepExec *x, const SweepTrial *t)
{
    if (x->stopping || t->epochs >= x->base.max_epochs) return false;
    if (t->epochs >= t->target) return true;
    return x->scheduler == SWEEP_SCHED_MEDIAN && t->index >= SWEEP_MEDIAN_STARTUP &&
           t->epochs >= x->base.min_epochs;
}

/* x->mu held. */
static void wake_owner(SweepExec *x)
{
    x->gen++;
    pthread_cond_signal(&x->cv);
}

/* x->mu held: t gives its slot back (parked or ended). */
static void release_slot(SweepExec *x, SweepTrial *t)
{
    if (!t->counted) return;
    t->counted = false;
    x->running--;
}

/* x->mu held: t takes a slot. */
static void take_slot(SweepExec *x, SweepTrial *t)
{
    t->counted = true;
    x->running++;
    if (x->running > x->peak_running) x->peak_running = x->running;
}

/* Between two epochs, the epoch's files written: parks when the scheduler
 * says so, gives its slot back, and does what the owner orders. */
static void trial_on_state(void *ctx, const Model *m, const Optimizer *o, const TrainState *s,
                           bool last)
{
    (void)m, (void)o, (void)s;
    SweepTrial *t = ctx;
    SweepExec *x = t->x;
    if (last) return;
    pthread_mutex_lock(&x->mu);
    if (t->prune_at) { /* --resume: trained again up to where it was pruned */
        /* short of it, it trains on; a sweep's stop meanwhile (already
         * sent to its trainer) interrupts it there, and collect() calls
         * it stopped, not pruned at an epoch the rule never judged */
        if (t->epochs < t->prune_at) {
            pthread_mutex_unlock(&x->mu);
            return;
        }
        t->prune_at = 0;
        char why[sizeof t->stop_why];
        snprintf(why, sizeof why, "%s", t->stop_why);
        pthread_mutex_unlock(&x->mu);
        trainer_stop_why(t->tr->trainer, why);
        return;
    }
    if (!must_park(x, t)) {
        pthread_mutex_unlock(&x->mu);
        return;
    }
    t->parked = true;
    t->order = ORDER_NONE;
    release_slot(x, t);
    wake_owner(x);
    for (;;) {
        while (t->order == ORDER_NONE) pthread_cond_wait(&t->cv, &x->mu);
        int order = t->order;
        t->order = ORDER_NONE;
        if (order == ORDER_EXPLOIT) {
            /* the donor is parked too, and stays so until every exploit
             * of this barrier is acknowledged */
            Trainer *donor = x->trials[t->donor].tr->trainer;
            Options eo = t->exploit_opt;
            char note[96];
            snprintf(note, sizeof note, "trial %d's weights, optimizer state and hyperparameters",
                     t->donor);
            pthread_mutex_unlock(&x->mu);
            Error e = {0};
            ErrorCode rc = trainer_adopt(t->tr->trainer, donor, &eo, note, &e);
            pthread_mutex_lock(&x->mu);
            if (rc) {
                snprintf(t->error, sizeof t->error, "%s", e.msg);
            } else {
                trainer_get_hparams(t->tr->trainer, &t->set_hp); /* the sweep's, not a person's */
                t->exploited = true;
                /* its early stopping starts over on the adopted line, whose
                 * best the kept weights will be: so is the trial's best */
                t->best = NAN;
                t->best_epoch = 0;
            }
            t->acked = true;
            wake_owner(x);
            continue;
        }
        t->parked = false;
        if (order == ORDER_STOP) {
            char why[sizeof t->stop_why];
            snprintf(why, sizeof why, "%s", t->stop_why);
            pthread_mutex_unlock(&x->mu);
            trainer_stop_why(t->tr->trainer, why);
            return;
        }
        break; /* ORDER_GO: the owner counted this trial as running again */
    }
    pthread_mutex_unlock(&x->mu);
}

/* After each batch: the watcher's hook, if a screen watches the trial
 * (one atomic read when none does). */
static void trial_on_batch(void *ctx, const BatchInfo *b)
{
    SweepTrial *t = ctx;
    if (!atomic_load_explicit(&t->watched, memory_order_acquire)) return;
    pthread_mutex_lock(&t->watch_mu);
    if (t->watch_fn) t->watch_fn(t->watch_ctx, b);
    pthread_mutex_unlock(&t->watch_mu);
}

static void trial_on_event(void *ctx, const TrainEvent *e)
{
    SweepTrial *t = ctx;
    SweepExec *x = t->x;
    if (e->kind != EVENT_END) return;
    pthread_mutex_lock(&x->mu);
    t->finished = true;
    release_slot(x, t);
    wake_owner(x);
    pthread_mutex_unlock(&x->mu);
}

/* ---- setting up --------------------------------------------------------- */

/* The options every trial starts from: the sweep's, its length, one
 * thread, its run directory under the sweep's. */
void sweep_exec_trial_base(const SweepExec *x, int index, Options *o)
{
    *o = x->base;
    o->epochs = x->base.max_epochs;
    o->threads = 1;
    o->pace = (Pace){PACE_MAX, 0};
    o->paused = false;
    o->no_log = x->dir[0] == '\0';
    if (x->dir[0]) snprintf(o->logdir, sizeof o->logdir, "%s", x->dir);
    sweep_trial_name(index, o->name, sizeof o->name);
}

void sweep_trial_name(int index, char *buf, size_t cap)
{
    snprintf(buf, cap, "trial-%03d", index);
}

/* The largest trainer a trial of the space can need: each `layers`
 * alternative with the largest batch the space allows. */
static ErrorCode trial_bytes(const SweepExec *x, double *need, Error *err)
{
    Options o;
    sweep_exec_trial_base(x, 0, &o);
    const SweepParam *layers = NULL;
    for (int p = 0; p < x->space.n; p++) {
        const SweepParam *sp = &x->space.p[p];
        if (!strcmp(sp->spec->name, "layers")) layers = sp;
        if (strcmp(sp->spec->name, "batch-size")) continue;
        int big = o.hp.batch_size;
        if (sp->dist == SWEEP_CHOICE) {
            for (int k = 0; k < sp->n; k++) {
                int b = atoi(sweep_param_alt(&x->space, sp, k));
                if (b > big) big = b;
            }
        } else {
            big = (int)sp->hi;
        }
        o.hp.batch_size = big;
    }
    *need = 0;
    int n_alt = layers && layers->dist == SWEEP_CHOICE ? layers->n : 1;
    for (int k = 0; k < n_alt; k++) {
        Options ok = o;
        if (layers && layers->dist == SWEEP_CHOICE &&
            options_set(&ok, layers->spec, sweep_param_alt(&x->space, layers, k), NULL, err))
            return ERROR_INPUT;
        double b;
        ErrorCode rc = trainer_bytes(&ok, &x->data->train, 1, &b, err);
        if (rc) return rc;
        if (b > *need) *need = b;
    }
    *need += sysmem_thread_bytes() + sizeof(TrainRun);
    return ERROR_NONE;
}

/* Each alternative of a choice among networks (loss, activation, layers)
 * must make a network of this sweep's data, with the sweep's other options:
 * one that cannot (--loss mse on classes) would fail every trial drawing
 * it, so the space is refused, naming the parameter and the alternative. */
static ErrorCode check_network_choices(const SweepExec *x, Error *err)
{
    Options base;
    sweep_exec_trial_base(x, 0, &base);
    for (int p = 0; p < x->space.n; p++) {
        const SweepParam *sp = &x->space.p[p];
        if (sp->dist != SWEEP_CHOICE || sp->spec->group != OPTGROUP_MODEL) continue;
        for (int k = 0; k < sp->n; k++) {
            Options o = base;
            const char *alt = sweep_param_alt(&x->space, sp, k);
            Error e = {0};
            double bytes;
            if (options_set(&o, sp->spec, alt, NULL, &e) ||
                trainer_bytes(&o, &x->data->train, 1, &bytes, &e) == ERROR_INPUT)
                return error_set(err, ERROR_INPUT, "--space: '%s' at column %d: %s: %s",
                                 sp->spec->name, sp->column, alt, e.msg);
        }
    }
    return ERROR_NONE;
}

static ErrorCode check_pbt_space(const SweepSpace *s, Error *err)
{
    for (int p = 0; p < s->n; p++)
        if (!option_live(s->p[p].spec))
            return error_set(err, ERROR_INPUT,
                             "--space: '%s' at column %d: --scheduler pbt searches only what the "
                             "trainer changes while it trains (the optimizer and its parameters, "
                             "batch-size, l1, l2, dropout, patience): the copied weights must fit",
                             s->p[p].spec->name, s->p[p].column);
    return ERROR_NONE;
}

ErrorCode sweep_exec_init(SweepExec *x, const Options *o, PreparedData *data, const char *dir,
                          const SweepHooks *hooks, Error *err)
{
    memset(x, 0, sizeof *x);
    x->dir_lock = -1;
    x->checkpoint_near = -1;
    pthread_mutex_init(&x->mu, NULL);
    pthread_cond_init(&x->cv, NULL);
    x->base = *o;
    x->data = data;
    if (dir) snprintf(x->dir, sizeof x->dir, "%s", dir);
    if (hooks) x->hooks = *hooks;
    x->scheduler = (SweepSchedulerKind)o->scheduler;
    if (!o->space[0])
        return error_set(
            err, ERROR_INPUT,
            "--space: no search space given (e.g. --space 'lr=loguniform(1e-4,1e-1)')");
    ErrorCode rc =
        sweep_space_parse_from(&x->space, o->space, o->space_from[0] ? o->space_column : 1, err);
    if (!rc) rc = sweep_space_check(&x->space, o, (SweepSamplerKind)o->sampler, err);
    if (!rc && x->scheduler == SWEEP_SCHED_PBT) rc = check_pbt_space(&x->space, err);
    /* the searched parameters are what sets the trials apart (the HParams
     * experiment's differs) */
    x->base.varied[0] = '\0';
    for (int p = 0; !rc && p < x->space.n; p++)
        options_add_varied(&x->base, x->space.p[p].spec->name);
    if (!rc) rc = check_network_choices(x, err);
    if (rc) {
        /* a space from a --config file (space.txt on --resume): its line */
        if (o->space_from[0]) error_prefix(err, "%s", o->space_from);
        return rc;
    }
    /* one the task has not would fail every trial: refused as train does */
    if ((rc = trainer_check_monitor(o->monitor, data->all.task, err))) return rc;
    /* the figure the trainers watch: a val_ one without a validation part
     * falls back to its training twin, as trainer.c does */
    int f = monitor_field_of(o->monitor);
    if (f < 0) f = MONITOR_VAL_LOSS;
    if (data->val.n == 0 && f >= MONITOR_VAL_LOSS) f -= MONITOR_VAL_LOSS;
    x->monitor = (MonitorField)f;
    sweep_sampler_default(&x->sampler, (SweepSamplerKind)o->sampler, o->seed, x->monitor);

    long nt = o->trials;
    if (o->sampler == SWEEP_SAMPLER_GRID) {
        size_t g;
        if ((rc = sweep_grid_size(&x->space, o, &g, err))) return rc;
        if (nt == 0 || (size_t)nt > g) nt = (long)g;
    } else if (nt == 0) {
        nt = 16;
    }
    if (o->budget > 0 && x->scheduler != SWEEP_SCHED_ASHA) {
        long fit = o->budget / o->max_epochs;
        if (fit < 1)
            return error_set(err, ERROR_INPUT,
                             "--budget %d: less than one trial of --max-epochs %d (use asha, or a "
                             "larger budget)",
                             o->budget, o->max_epochs);
        if (fit < nt) nt = fit;
    }
    /* asha makes a job only while its epochs fit: none, below the first rung */
    int first_rung = o->min_epochs < o->max_epochs ? o->min_epochs : o->max_epochs;
    if (o->budget > 0 && x->scheduler == SWEEP_SCHED_ASHA && o->budget < first_rung)
        return error_set(err, ERROR_INPUT,
                         "--budget %d: less than asha's first rung, epoch %d, so no trial would "
                         "start (give a larger budget, or a smaller --min-epochs)",
                         o->budget, first_rung);
    if (x->scheduler == SWEEP_SCHED_MEDIAN && (o->min_epochs < 1 || o->min_epochs >= o->max_epochs))
        return error_set(err, ERROR_INPUT,
                         "--min-epochs: %d (expected from 1 to %d: the median rule judges a trial "
                         "from that epoch on, before its last, --max-epochs %d)",
                         o->min_epochs, o->max_epochs - 1, o->max_epochs);
    /* asha promotes a rung's top 1/eta: of fewer trials, none */
    if (x->scheduler == SWEEP_SCHED_ASHA && o->min_epochs < o->max_epochs && nt < o->eta)
        return error_set(err, ERROR_INPUT,
                         "--eta %d: more than the %ld trials, so asha would promote none past its "
                         "first rung (epoch %d): give a smaller --eta, or at least --trials %d",
                         o->eta, nt, o->min_epochs, o->eta);
    if (x->scheduler == SWEEP_SCHED_PBT && nt < 2)
        return error_set(err, ERROR_INPUT, "--trials: pbt needs a population of at least 2");
    if (x->scheduler == SWEEP_SCHED_PBT && o->pbt_interval >= o->max_epochs)
        return error_set(err, ERROR_INPUT,
                         "--pbt-interval %d: at least --max-epochs %d, so no exploit would happen",
                         o->pbt_interval, o->max_epochs);
    x->n_trials = (int)nt;
    x->parallel = o->parallel > 0 ? o->parallel : sysmem_cores();
    if (x->parallel > x->n_trials) x->parallel = x->n_trials;
    sweep_settings_text(x, x->trial_note, sizeof x->trial_note);

    if ((rc = sweep_board_init(&x->board, x->n_trials, o->max_epochs, x->monitor, err))) return rc;
    if (x->scheduler == SWEEP_SCHED_ASHA) {
        SweepAshaParams ap = {o->eta, o->min_epochs, o->max_epochs};
        if ((rc = sweep_asha_init(&x->asha, &ap, x->n_trials, err))) return rc;
        x->has_asha = true;
    }
    /* Memory, before anything starts: every trial that can be open at
     * once (asha keeps those waiting at a rung, pbt the population), and
     * a BLAS work buffer for each slot: a trial multiplies only while it
     * trains in one, so the slots hold the buffers (gemm.h), not the
     * trials, of which asha may keep hundreds parked. */
    double one;
    if ((rc = trial_bytes(x, &one, err))) return rc;
    one -= gemm_reserve_bytes(1);
    int open = x->scheduler == SWEEP_SCHED_NONE     ? x->parallel
               : x->scheduler == SWEEP_SCHED_MEDIAN ? 2 * x->parallel
                                                    : x->n_trials;
    if (open > x->n_trials) open = x->n_trials;
    char what[160];
    snprintf(what, sizeof what,
             "%d trial%s open at once (networks, optimizer state, workspace; %d BLAS buffer%s for "
             "the slots)",
             open, open == 1 ? "" : "s", x->parallel, x->parallel == 1 ? "" : "s");
    if ((rc = sysmem_check(one * open + gemm_reserve_bytes(x->parallel), what,
                           "use fewer --trials or --parallel, or smaller layers", err)))
        return rc;
    if ((rc = gemm_reserve(x->parallel, err))) return rc;
    x->blas_reserved = x->parallel;
    size_t n = (size_t)x->n_trials;
    x->trials = calloc(n, sizeof *x->trials);
    x->want = calloc(n, sizeof *x->want);
    x->judged = calloc(n, sizeof *x->judged);
    x->round = calloc(n, sizeof *x->round);
    if (x->scheduler == SWEEP_SCHED_PBT) {
        x->live = calloc(n, sizeof *x->live);
        x->configs = calloc(n, sizeof *x->configs);
        x->exploits = calloc(n, sizeof *x->exploits);
        x->acks = calloc(n, sizeof *x->acks);
    }
    if (!x->trials || !x->want || !x->judged || !x->round ||
        (x->scheduler == SWEEP_SCHED_PBT && (!x->live || !x->configs || !x->exploits || !x->acks)))
        return error_set(err, ERROR_RUNTIME, "sweep: out of memory for the trials");
    for (int i = 0; i < x->n_trials; i++) {
        SweepTrial *t = &x->trials[i];
        t->index = i;
        t->x = x;
        t->rung = -1;
        t->best = NAN;
        pthread_cond_init(&t->cv, NULL);
        pthread_mutex_init(&t->watch_mu, NULL);
    }
    return ERROR_NONE;
}

void sweep_exec_free(SweepExec *x)
{
    gemm_release(x->blas_reserved);
    x->blas_reserved = 0;
    if (x->dir_lock >= 0) close(x->dir_lock); /* and its lock */
    x->dir_lock = -1;
    if (x->trials) {
        for (int i = 0; i < x->n_trials; i++) {
            SweepTrial *t = &x->trials[i];
            if (t->tr) {
                trainrun_close(t->tr);
                free(t->tr);
            }
            pthread_cond_destroy(&t->cv);
            pthread_mutex_destroy(&t->watch_mu);
            sweep_trial_row_free(t);
        }
        free(x->trials);
    }
    x->trials = NULL;
    free(x->want);
    free(x->judged);
    free(x->round);
    free(x->live);
    free(x->configs);
    free(x->exploits);
    free(x->acks);
    free(x->written[0]);
    free(x->written[1]);
    x->written[0] = x->written[1] = NULL;
    sweep_board_free(&x->board);
    if (x->has_asha) sweep_asha_free(&x->asha);
    pthread_cond_destroy(&x->cv);
    pthread_mutex_destroy(&x->mu);
}

/* Stops open trial t for why (x->mu held): its trainer directly, and a
 * parked one through its order too, whose thread sends the stop with the
 * reason.  A parked trial already ordered to stop (pruned, its thread not
 * yet awake) keeps that stop and its reason: false then. */
static bool stop_open_trial(SweepTrial *t, const char *why)
{
    if (t->parked && t->order == ORDER_STOP) return false;
    trainer_stop_why(t->tr->trainer, why);
    if (t->parked && t->order == ORDER_NONE) {
        snprintf(t->stop_why, sizeof t->stop_why, "%s", why);
        t->order = ORDER_STOP;
        pthread_cond_signal(&t->cv);
    }
    return true;
}

/* Stops every open trial for why, and the sweep. */
static void stop_all(SweepExec *x, const char *why)
{
    pthread_mutex_lock(&x->mu);
    x->stopping = true;
    for (int i = 0; i < x->n_started; i++) {
        SweepTrial *t = &x->trials[i];
        if (!t->live || t->collected) continue;
        stop_open_trial(t, why);
    }
    wake_owner(x);
    pthread_mutex_unlock(&x->mu);
}

void sweep_exec_stop(SweepExec *x)
{
    stop_all(x, WHY_SWEEP_STOPPED);
}

/* A file of the sweep's, or of a trial's run, could not be written (a
 * full disk): the sweep stops as on SIGINT, every trial resumable, and
 * sweep_exec_run says why.  The owner's. */
static void files_failed(SweepExec *x, const char *msg)
{
    if (!x->files_failed) {
        x->files_failed = true;
        snprintf(x->files_error, sizeof x->files_error, "%s", msg);
    }
    stop_all(x, WHY_FILES_FAILED);
}

/* ---- the owner ------------------------------------------------------------ */

/* The event of kind for t at the given epoch (-1: the epochs it has done). */
static void tell_at(SweepExec *x, SweepEventKind kind, const SweepTrial *t, int epoch, int rung,
                    int donor)
{
    if (!x->hooks.on_event) return;
    pthread_mutex_lock(&x->mu); /* the trial's thread records them */
    int epochs = epoch >= 0 ? epoch : t->epochs;
    double fig = epochs > 0 ? sweep_board_get(&x->board, t->index, epochs) : NAN;
    /* counted once what it tells of is in the trial (every caller has
     * changed it under the mutex before): a view that counts it shows it */
    x->told++;
    if (kind == SWEEP_EV_PROMOTE || kind == SWEEP_EV_EXPLOIT || kind == SWEEP_EV_RUNG ||
        kind == SWEEP_EV_END)
        x->trials[t->index].told_kind = kind;
    pthread_mutex_unlock(&x->mu);
    SweepEvent e = {kind, t->index, epochs, rung, donor, fig, NULL};
    x->hooks.on_event(x->hooks.ctx, x, &e);
}

/* --resume: t cannot go on from its run, for why: it starts over. */
static void tell_start_over(SweepExec *x, const SweepTrial *t, const char *why)
{
    if (!x->hooks.on_event) return;
    pthread_mutex_lock(&x->mu); /* counted as every event is (sweep_exec_view) */
    x->told++;
    pthread_mutex_unlock(&x->mu);
    SweepEvent e = {SWEEP_EV_START_OVER, t->index, 0, 0, -1, NAN, why};
    x->hooks.on_event(x->hooks.ctx, x, &e);
}

/* --resume: why interrupted trial t, which had a run, cannot go on from
 * it (rundir_resume_load said load_err, NULL when it loaded none to go on
 * from), into why ("" when it can: a run that had no epoch starts again
 * in its own directory, losing nothing).  Whether its directory is
 * there. */
static bool run_lost(const SweepTrial *t, const char *load_err, char *why, size_t cap)
{
    struct stat st;
    why[0] = '\0';
    /* why first, the run after: a screen's line cut short keeps why */
    if (stat(t->run, &st) != 0) {
        int e = errno;
        snprintf(why, cap, "its run %s (%s)", e == ENOENT ? "is gone" : strerror(e), t->run);
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, cap, "its run is not a directory (%s)", t->run);
        return false;
    }
    char ck[sizeof t->run + 32];
    snprintf(ck, sizeof ck, "%s/checkpoint.gtm", t->run);
    if (load_err && stat(ck, &st) == 0)
        snprintf(why, cap, "its run cannot go on: %s", load_err);
    else if (t->epochs > 0)
        snprintf(why, cap, "its run has %d epoch%s but no checkpoint.gtm to go on from (%s)",
                 t->epochs, t->epochs == 1 ? "" : "s", t->run);
    return true;
}

static void tell(SweepExec *x, SweepEventKind kind, const SweepTrial *t, int rung, int donor)
{
    tell_at(x, kind, t, -1, rung, donor);
}

static bool ended(const SweepTrial *t)
{
    return t->collected;
}

/* Trial i's configuration and options; TPE learns from trials below
 * `limit` that scored an epoch (exec.h says which those are). */
static ErrorCode sample_trial(SweepExec *x, int i, int limit, Error *err)
{
    SweepTrial *t = &x->trials[i];
    SweepObservation *obs = calloc((size_t)(limit > 0 ? limit : 1), sizeof *obs);
    if (!obs) return error_set(err, ERROR_RUNTIME, "sweep: out of memory");
    int n_obs = 0;
    pthread_mutex_lock(&x->mu);
    for (int j = 0; j < limit; j++) {
        const SweepTrial *o = &x->trials[j];
        if (o->best_epoch == 0) continue;
        obs[n_obs++] =
            (SweepObservation){&o->config, o->best, o->epochs >= x->base.max_epochs, o->epochs};
    }
    pthread_mutex_unlock(&x->mu);
    Options base;
    sweep_exec_trial_base(x, i, &base);
    ErrorCode rc =
        sweep_sample(&x->sampler, &x->space, &base, i, obs, n_obs, &t->config, &t->opt, err);
    free(obs);
    return rc;
}

/* A resumed trial's trainer goes on from its checkpoint (as train
 * --resume does with a checkpoint.gtm). */
static ErrorCode load_checkpoint(TrainRun *tr, const RunResume *rr, Error *err)
{
    const SavedModel *sm = &rr->state;
    ErrorCode rc = trainer_load_state(tr->trainer, sm->params, sm->n_params,
                                      sm->has_opt ? sm->opt_state : NULL, sm->opt_kind, sm->opt_t,
                                      sm->epoch, sm->step, err);
    if (!rc) rc = trainer_restore(tr->trainer, &sm->state, rr->earlier.monitor, err);
    return rc;
}

/* t ended on its own (early stopping, divergence; x->mu held): it trains
 * to no further epoch.  Under none and median its target is then the
 * epochs it did: the rule may have let it go on from its last epoch
 * before it stopped, or, the sweep stopped meanwhile, not judged it
 * there, and trials.csv would say either.  (Under asha a target is a
 * rung the trial was promoted to, which --resume reads back.) */
static void end_target(const SweepExec *x, SweepTrial *t)
{
    bool stream = x->scheduler == SWEEP_SCHED_NONE || x->scheduler == SWEEP_SCHED_MEDIAN;
    if (stream && (t->status == TRIAL_EARLY_STOPPED || t->status == TRIAL_DIVERGED))
        t->target = t->epochs;
}

/* --resume of a trial whose checkpoint is its last epoch's (its full
 * length, or the one its early stopping stopped it at): its training
 * ended, but the sweep was killed before it was collected.  Its result is
 * the checkpoint's (the best epoch's figures and weights under
 * --restore-best; else the last epoch's, which its LAST section holds),
 * and its run directory gets the end it missed (model.gtm of the kept
 * weights, final scalars, result line), as the trainer's end and
 * trainrun_end would have written them. */
static void end_trained(SweepExec *x, SweepTrial *t, const RunResume *rr, TrainStatus how)
{
    const TrainState *s = &rr->state.state;
    TrainResult r = {.status = how,
                     .epochs = s->epoch,
                     .steps = s->step,
                     .best_epoch = s->best_epoch,
                     .kept = t->opt.restore_best ? s->best : s->last};
    RunDir *rl;
    Error err = {0};
    if (rundir_open_nosync(&rl, t->run, s->epoch, s->step, &t->opt, x->data, &err) == ERROR_NONE) {
        /* the trainer's network as it ended: its batch (the chunks it is
         * scored in) and penalty, those in force at the checkpoint */
        const HyperParams *hp = &rr->earlier.hp;
        int batch =
            hp->batch_size < (long)x->data->train.n ? hp->batch_size : (int)x->data->train.n;
        Model kept;
        if (modelfile_build_model(&rr->state, &kept, batch, &err) == ERROR_NONE) {
            kept.l1 = hp->l1;
            kept.l2 = hp->l2;
            if (s->n_best == kept.n_params)
                memcpy(kept.params, s->best_params, kept.n_params * sizeof *kept.params);
            if (x->data->has_test) { /* scored at the end, as the trainer's end does */
                EpochMetrics tm;
                trainer_evaluate(&kept, &x->data->test, &tm);
                r.has_test = true;
                r.test_loss = tm.loss;
                r.test_accuracy = tm.accuracy;
                r.test_mae = tm.mae;
                r.test_r2 = tm.r2;
            }
            /* the optimizer state at the end, the last epoch's, which the
             * trainer's end writes into model.gtm with the kept weights */
            const SavedModel *sm = &rr->state;
            Optimizer last = {.p = {.kind = sm->opt_kind},
                              .n = kept.n_params,
                              .t = sm->opt_t,
                              .state = sm->opt_state};
            rundir_on_state(rl, &kept, NULL, s, true); /* the end: checkpoint.gtm holds it */
            rundir_on_checkpoint(rl, &kept, sm->has_opt ? &last : NULL, r.kept.epoch);
            model_free(&kept);
        }
        rundir_finish(rl, &r, &err);
        rundir_close(rl);
    }
    pthread_mutex_lock(&x->mu);
    t->result = r;
    t->has_result = true;
    t->epochs = s->epoch;
    /* its run not finished on disk: --resume ends it again */
    t->status = err.code != ERROR_NONE       ? TRIAL_STOPPED
                : how == TRAIN_EARLY_STOPPED ? TRIAL_EARLY_STOPPED
                                             : TRIAL_DONE;
    end_target(x, t);
    t->collected = true;
    pthread_mutex_unlock(&x->mu);
    tell(x, SWEEP_EV_END, t, t->rung, -1);
    if (err.code != ERROR_NONE) files_failed(x, err.msg);
}

/* Makes and starts trial i (sampled already, or to be resumed), training
 * to target. */
static void start_trial(SweepExec *x, int i, int target)
{
    SweepTrial *t = &x->trials[i];
    Error err = {0};
    TrainRunConfig cfg = {.hooks = {.ctx = t,
                                    .on_batch = trial_on_batch,
                                    .on_epoch = trial_on_epoch,
                                    .on_event = trial_on_event,
                                    .on_state = trial_on_state},
                          .log_required = true,
                          .owner_syncs = true, /* at the sweep's fixed points: write_files */
                          .owner_reserves_blas = true, /* one per slot: sweep_exec_init */
                          .note = x->trial_note};
    RunResume rr;
    bool resumed = false, was_resume = t->resume, prune = t->prune_at > 0;
    /* changed by hand while it trained (its checkpoint's): the trainer goes
     * on with them, config.txt keeps the trial's own (check_run_config) */
    bool by_hand = false;
    HyperParams hand_hp;
    if (t->resume) {
        t->resume = false;
        /* one interrupted before its first checkpoint starts again */
        resumed = rundir_resume_load(&rr, t->run, &err) == ERROR_NONE && rr.from_checkpoint;
        if (resumed) {
            Options o = rr.earlier;
            rundir_resume_options(&rr, &o);
            o.epochs = x->base.max_epochs;
            o.threads = 1;
            /* not a stored option: what sets the trials apart */
            memcpy(o.varied, x->base.varied, sizeof o.varied);
            if (rr.changed_hp) {
                by_hand = true;
                hand_hp = o.hp;
                o.hp = rr.config_hp;
            }
            t->opt = o;
            /* its early stopping's patience (in force then) ran out at the
             * checkpoint's epoch: resumed, the trainer would count it anew
             * and train on.  Its result is the checkpoint's: the best
             * epoch's, or without --restore-best the last one's */
            int patience = rr.earlier.hp.patience;
            bool early = patience > 0 && rr.state.state.wait >= patience;
            /* a checkpoint from before LAST: metrics.csv's row of its
             * epoch, to the 8 digits it keeps */
            if ((rr.state.epoch >= x->base.max_epochs || early) && !o.restore_best &&
                !rr.state.has_last)
                rr.state.has_last =
                    sweep_trial_epoch_figures(t, rr.state.epoch, &rr.state.state.last);
            bool kept = o.restore_best || rr.state.has_last;
            if ((rr.state.epoch >= x->base.max_epochs || early) && kept) {
                end_trained(x, t, &rr, early ? TRAIN_EARLY_STOPPED : TRAIN_DONE);
                rundir_resume_free(&rr);
                return;
            }
            cfg.resume_dir = t->run;
            cfg.resume_epoch = rr.state.epoch;
            cfg.resume_step = rr.state.step;
        } else {
            /* It starts again from its first epoch, in its own run
             * directory when that is there (cut back to no epoch, the
             * journal going on), so that the sweep keeps one run per
             * trial; the person is told when epochs are lost so. */
            char why[sizeof err.msg + sizeof t->run + 64];
            bool dir = t->run[0] && run_lost(t, err.code ? err.msg : NULL, why, sizeof why);
            rundir_resume_free(&rr);
            error_clear(&err);
            if (t->run[0] && why[0]) tell_start_over(x, t, why);
            if (dir) cfg.resume_dir = t->run;
        }
    }
    /* a new trial whose directory a killed sweep made before any
     * trials.csv named it starts in it, cut back to no epoch (asha's
     * trials.csv has a round's new trials, waiting, before they start:
     * resumed, such a trial has no run to go on in) */
    char orphan[sizeof t->run];
    if (!cfg.resume_dir && sweep_trial_dir_find(x, i, orphan, sizeof orphan)) {
        pthread_mutex_lock(&x->mu); /* a screen reads it */
        snprintf(t->run, sizeof t->run, "%s", orphan);
        pthread_mutex_unlock(&x->mu);
        cfg.resume_dir = t->run;
    }
    t->tr = calloc(1, sizeof *t->tr);
    ErrorCode rc = t->tr ? ERROR_NONE : error_set(&err, ERROR_RUNTIME, "out of memory");
    if (!rc) {
        trainrun_init(t->tr, &cfg);
        trainrun_share_data(t->tr, x->data);
        rc = trainrun_prepare(t->tr, &t->opt, &err);
    }
    int resumed_at = 0;
    if (resumed) {
        if (!rc) rc = load_checkpoint(t->tr, &rr, &err);
        if (!rc) resumed_at = rr.state.epoch;
        rundir_resume_free(&rr);
    }
    /* a run directory that cannot be made or written is the disk's
     * failure, not the trial's: the sweep stops, the trial to be resumed */
    bool files_bad = false;
    if (!rc) files_bad = (rc = trainrun_open_log(t->tr, &err)) != ERROR_NONE;
    if (!rc && t->tr->log && x->checkpoint_near >= 0)
        rundir_set_checkpoint_near(t->tr->log, x->checkpoint_near);
    pthread_mutex_lock(&x->mu); /* a screen reads these (sweep_exec_view) */
    if (!rc) snprintf(t->run, sizeof t->run, "%s", t->tr->log_path);
    t->target = target;
    /* opened again, it has no result until it ends (the one trials.csv
     * gave it, a stop's, is not its end): trials.csv shows no figures for
     * it meanwhile, so that a kill before it ends leaves it to be opened
     * again rather than taken as ended */
    t->has_result = false;
    t->result_pairs[0] = '\0';
    if (was_resume && resumed_at != t->epochs) {
        /* it goes on from an earlier epoch than its metrics.csv reached
         * (from its first, when it had no checkpoint): the epochs after
         * are trained again */
        t->epochs = resumed_at;
        t->best = NAN;
        t->best_epoch = 0;
        for (int e = 1; e <= resumed_at; e++) {
            double f = sweep_board_get(&x->board, t->index, e);
            if (isfinite(f) && (t->best_epoch == 0 || sweep_board_better(&x->board, f, t->best))) {
                t->best = f;
                t->best_epoch = e;
            }
        }
    }
    /* Pruned at its epoch: stopped there, as it was parked.  A checkpoint
     * from before that epoch (they are written as time allows), or none,
     * trains again up to it first (trial_on_state then stops it). */
    bool replay = prune && resumed_at < t->prune_at;
    if (!replay) t->prune_at = 0;
    if (!rc) {
        if (!prune || replay) take_slot(x, t);
        t->status = prune ? TRIAL_PRUNED : TRIAL_RUNNING;
        /* queued before the thread starts: taken before its first batch */
        if (prune && !replay) trainer_stop_why(t->tr->trainer, t->stop_why);
        if (x->paused_all && !x->stopping && !prune) trainer_pause(t->tr->trainer);
        /* queued before it starts too: a trial a stopped sweep starts
         * trains no batch (it writes nothing the round's decisions read) */
        if (x->stopping) trainer_stop_why(t->tr->trainer, WHY_SWEEP_STOPPED);
        trainer_get_hparams(t->tr->trainer, &t->set_hp); /* as the sweep sets them */
        if (by_hand) { /* queued too: in force from its first batch, journaled */
            trainer_set_hparams(t->tr->trainer, &hand_hp);
            t->hand_changed = true;
        }
        rc = trainrun_start(t->tr, &err);
        if (rc)
            release_slot(x, t);
        else
            t->live = true;
    }
    if (rc) {
        t->status = files_bad ? TRIAL_STOPPED : TRIAL_FAILED;
        t->collected = true;
        snprintf(t->error, sizeof t->error, "%s", err.msg);
    }
    pthread_mutex_unlock(&x->mu);
    /* the epoch it starts from (the trial may have done more by now) */
    if (!prune || rc) tell_at(x, SWEEP_EV_START, t, resumed_at, 0, -1);
    if (rc) {
        if (t->tr) {
            trainrun_close(t->tr);
            free(t->tr);
            t->tr = NULL;
        }
        tell(x, SWEEP_EV_END, t, 0, -1);
        if (files_bad) files_failed(x, err.msg);
    }
}

/* Whether t's training returned and it is to be ended now (x->mu held):
 * a trial a screen holds (sweep_exec_hold) waits for its release. */
static bool collectable(const SweepTrial *t)
{
    return t->finished && !t->collected && !t->held;
}

/* Trial i could not be sampled: it ends failed, err saying why. */
static void fail_trial(SweepExec *x, int i, const Error *err)
{
    SweepTrial *t = &x->trials[i];
    pthread_mutex_lock(&x->mu); /* a screen reads the status (sweep_exec_view) */
    t->status = TRIAL_FAILED;
    t->collected = true;
    snprintf(t->error, sizeof t->error, "%s", err->msg);
    pthread_mutex_unlock(&x->mu);
    tell(x, SWEEP_EV_END, t, 0, -1);
}

/* Ends the trials whose training returned: joined, their files finished. */
static void collect(SweepExec *x)
{
    for (int i = 0; i < x->n_started; i++) {
        SweepTrial *t = &x->trials[i];
        pthread_mutex_lock(&x->mu);
        bool now = collectable(t);
        if (now) t->collected = true; /* sweep_exec_stop leaves it alone from here */
        /* one trained again up to its prune epoch and stopped before it
         * (a SIGINT) is only interrupted: --resume goes on with it */
        bool pruned = t->status == TRIAL_PRUNED && !t->prune_at;
        if (now) t->prune_at = 0;
        pthread_mutex_unlock(&x->mu);
        if (!now) continue;
        trainrun_end(t->tr);
        t->has_result = t->tr->has_result;
        t->result = t->tr->result;
        if (t->tr->log_failed) files_failed(x, t->tr->log_error);
        SweepTrialStatus st = TRIAL_DONE;
        switch (t->result.status) {
        case TRAIN_EARLY_STOPPED: st = TRIAL_EARLY_STOPPED; break;
        case TRAIN_DIVERGED: st = TRIAL_DIVERGED; break;
        case TRAIN_STOPPED: st = pruned && !t->user_stopped ? TRIAL_PRUNED : TRIAL_STOPPED; break;
        default: st = TRIAL_DONE;
        }
        /* its run files are not whole: --resume goes on from its checkpoint */
        if (t->tr->log_failed) st = TRIAL_STOPPED;
        pthread_mutex_lock(&x->mu);
        t->status = st;
        end_target(x, t);
        /* one that trained to the full length never parked at the top
         * rung: the rung it reached, as --resume reads it from its epochs */
        if (x->scheduler == SWEEP_SCHED_ASHA) t->rung = sweep_asha_rung_of(&x->asha, t->epochs);
        pthread_mutex_unlock(&x->mu);
        tell(x, SWEEP_EV_END, t, t->rung, -1);
    }
}

/* Lets parked trials that want to go on train again, lowest index first,
 * while slots are free (x->mu held).  want: per trial, set by the
 * scheduler's step. */
static void grant(SweepExec *x, bool *want)
{
    for (int i = 0; i < x->n_started && x->running < x->parallel; i++) {
        SweepTrial *t = &x->trials[i];
        if (!want[i] || !t->parked || t->order != ORDER_NONE) continue;
        want[i] = false;
        t->order = ORDER_GO;
        t->status = TRIAL_RUNNING;
        take_slot(x, t);
        pthread_cond_signal(&t->cv);
    }
}

static bool any_wanting(const SweepExec *x, const bool *want)
{
    for (int i = 0; i < x->n_started; i++)
        if (want[i]) return true;
    return false;
}

/* Under none, median and pbt: whether trial i may start now (x->mu held). */
static bool may_start(const SweepExec *x, int i)
{
    if (x->stopping || i >= x->n_trials || x->running >= x->parallel) return false;
    if (x->scheduler == SWEEP_SCHED_MEDIAN) {
        int open = 0;
        for (int j = 0; j < i; j++) open += !ended(&x->trials[j]);
        if (open >= 2 * x->parallel) return false;
    }
    if (x->sampler.kind == SWEEP_SAMPLER_TPE && x->scheduler != SWEEP_SCHED_PBT)
        for (int j = 0; j <= i - x->parallel; j++)
            if (!ended(&x->trials[j])) return false;
    return true;
}

/* The median rule's step (x->mu held): parked trials judged in index
 * order once every earlier trial reached their epoch or ended. */
static void median_step(SweepExec *x, bool *want, int *judged)
{
    for (int i = 0; i < x->n_started; i++) {
        SweepTrial *t = &x->trials[i];
        int e = t->epochs;
        if ((!t->parked && !t->dormant) || t->order != ORDER_NONE) continue;
        if (judged[i] >= e) {
            /* judged here before, and it went on: waiting for a slot, or
             * --resume trained it again up to here from an earlier
             * checkpoint (they are written as time allows) */
            if (t->parked) {
                t->target = e + 1;
                want[i] = true;
            }
            continue;
        }
        bool ready = true;
        for (int j = 0; j < i && ready; j++) {
            const SweepTrial *o = &x->trials[j];
            ready = ended(o) || o->epochs >= e || o->status == TRIAL_FAILED;
        }
        if (!ready) continue;
        judged[i] = e;
        SweepMedianParams mp = {x->base.min_epochs, SWEEP_MEDIAN_STARTUP};
        if (sweep_median_stop(&mp, &x->board, i, e)) {
            t->status = TRIAL_PRUNED;
            sweep_exec_pruned_why(x, t, e);
            if (t->dormant) { /* --resume: opened from its checkpoint to stop */
                t->dormant = false;
                t->resume = true;
                t->prune_at = e;
            } else {
                t->order = ORDER_STOP;
                pthread_cond_signal(&t->cv);
            }
            pthread_mutex_unlock(&x->mu);
            tell(x, SWEEP_EV_PRUNE, t, 0, -1);
            pthread_mutex_lock(&x->mu);
        } else {
            t->target = e + 1;
            want[i] = true;
        }
    }
}

static bool all_quiet(const SweepExec *x)
{
    for (int i = 0; i < x->n_started; i++) {
        const SweepTrial *t = &x->trials[i];
        if (!ended(t) && !t->dormant && !(t->parked && t->order == ORDER_NONE)) return false;
    }
    return true;
}

/* Waits (x->mu held) until a trial has parked, ended or acknowledged, or
 * a stop came, since the owner read x->gen into seen. */
static void wait_change(SweepExec *x, unsigned long seen)
{
    while (x->gen == seen) pthread_cond_wait(&x->cv, &x->mu);
}

static unsigned long gen_now(SweepExec *x)
{
    pthread_mutex_lock(&x->mu);
    unsigned long g = x->gen;
    pthread_mutex_unlock(&x->mu);
    return g;
}

#define ASHA_LAST_PRUNE                                                                            \
    JOURNAL_PRUNED_BY "'s asha rule: not promoted from this rung, and nothing was left to "        \
                      "promote or start"

void sweep_exec_pruned_why(const SweepExec *x, SweepTrial *t, int epoch)
{
    if (x->scheduler == SWEEP_SCHED_MEDIAN)
        snprintf(t->stop_why, sizeof t->stop_why,
                 JOURNAL_PRUNED_BY "'s median rule: its %s at epoch %d is worse than the median "
                                   "of the earlier trials' there",
                 monitor_names[x->monitor], epoch);
    else
        snprintf(t->stop_why, sizeof t->stop_why, "%s", ASHA_LAST_PRUNE);
}

/* --resume: opens the trials that go on from their checkpoints, lowest
 * index first, while slots are free (x->mu held, released meanwhile):
 * those interrupted, and those pruned while parked, opened to stop where
 * they were.  One that stops at once takes no slot; one whose checkpoint is
 * older trains again up to its prune epoch, and takes one, so that no more
 * trials train at once than --parallel.  After a stop, only those whose
 * runs a kill left open are opened (stop_parked), to end them. */
static void open_resumed(SweepExec *x)
{
    for (int i = 0; i < x->n_started && x->running < x->parallel; i++) {
        SweepTrial *t = &x->trials[i];
        if (!t->resume || t->live || (x->stopping && !t->prune_at && !t->unended)) continue;
        int target =
            x->scheduler == SWEEP_SCHED_ASHA || t->prune_at ? t->target : x->base.max_epochs;
        pthread_mutex_unlock(&x->mu);
        start_trial(x, i, target);
        pthread_mutex_lock(&x->mu);
    }
}

/* Stops the trials parked when the sweep ends (x->mu held).  On a stop,
 * a resumed trial whose run a kill left open (trials.csv had it
 * training, or pruned without figures: its journal has no end) is opened
 * from its checkpoint to stop, or to end as it had, so that its run ends
 * as a stop ends every open trial's: complete, its journal's stop, end
 * and result lines last (gradtop view reads its status there), its
 * figures in trials.csv.  A pruned one stops at its prune epoch, pruned,
 * or, its checkpoint older, where that leaves it, stopped. */
static void stop_parked(SweepExec *x, SweepTrialStatus as)
{
    for (int i = 0; i < x->n_started; i++) {
        SweepTrial *t = &x->trials[i];
        if (t->dormant || (t->resume && !t->live)) {
            if (as == TRIAL_PRUNED && t->epochs > 0) { /* opened from its checkpoint to stop */
                t->status = TRIAL_PRUNED;
                snprintf(t->stop_why, sizeof t->stop_why, "%s", ASHA_LAST_PRUNE);
                t->dormant = false;
                t->resume = true;
                t->prune_at = t->epochs;
            } else if ((t->unended || t->prune_at) && t->run[0] && !x->files_failed) {
                /* open_resumed opens it: a trial pruned when a kill cut
                 * the sweep, before it stopped, has an open run too */
                t->dormant = false;
                t->resume = true;
            } else { /* not opened again: ends as it is (stopped: to be resumed) */
                t->dormant = t->resume = false;
                t->collected = true;
                /* trials.csv says so, as of a trial a stop ends open (one
                 * not started yet stays waiting) */
                if (as == TRIAL_PRUNED)
                    t->status = TRIAL_PRUNED;
                else if (t->status == TRIAL_RUNNING || t->status == TRIAL_PAUSED)
                    t->status = TRIAL_STOPPED;
            }
            continue;
        }
        if (!t->parked || t->order != ORDER_NONE) continue;
        if (as == TRIAL_PRUNED) {
            t->status = TRIAL_PRUNED;
            snprintf(t->stop_why, sizeof t->stop_why, "%s", ASHA_LAST_PRUNE);
        } else {
            snprintf(t->stop_why, sizeof t->stop_why, WHY_SWEEP_STOPPED);
        }
        t->order = ORDER_STOP;
        pthread_cond_signal(&t->cv);
    }
}

static bool anything_open(const SweepExec *x)
{
    for (int i = 0; i < x->n_started; i++)
        if (!ended(&x->trials[i])) return true;
    return false;
}

static void write_files_now(SweepExec *x, bool force)
{
    if (!x->dir[0] || x->files_failed) return;
    Error e = {0};
    if (sweep_write_files(x, force, &e)) files_failed(x, e.msg);
}

static void write_files(SweepExec *x)
{
    write_files_now(x, false);
}

/* none and median: a stream of trials. */
static void run_stream(SweepExec *x)
{
    bool *want = x->want;
    int *judged = x->judged; /* the epoch each trial was last judged at */
    for (;;) {
        unsigned long seen = gen_now(x);
        collect(x);
        pthread_mutex_lock(&x->mu);
        if (x->stopping) stop_parked(x, TRIAL_STOPPED);
        if (x->scheduler == SWEEP_SCHED_MEDIAN) {
            median_step(x, want, judged);
            open_resumed(x);
            /* --resume: a trial judged to go on is opened from its
             * checkpoint, lowest index first, to the epoch after (the
             * rule's target, as a parked trial let go has it) */
            for (int i = 0; i < x->n_started && !x->stopping && x->running < x->parallel; i++) {
                SweepTrial *t = &x->trials[i];
                if (!t->dormant || !want[i]) continue;
                want[i] = false;
                t->dormant = false;
                t->resume = true;
                pthread_mutex_unlock(&x->mu);
                start_trial(x, i, t->target);
                pthread_mutex_lock(&x->mu);
            }
            if (!x->stopping) grant(x, want);
        }
        /* --resume: the interrupted trials go on first, in index order */
        open_resumed(x);
        while (may_start(x, x->n_started)) {
            int i = x->n_started++;
            pthread_mutex_unlock(&x->mu);
            Error err = {0};
            if (sample_trial(x, i, i - x->parallel + 1, &err))
                fail_trial(x, i, &err);
            else
                start_trial(x, i, x->base.max_epochs);
            write_files(x);
            pthread_mutex_lock(&x->mu);
        }
        bool more = anything_open(x) || (!x->stopping && x->n_started < x->n_trials);
        bool finished_waiting = false;
        for (int i = 0; i < x->n_started; i++) finished_waiting |= collectable(&x->trials[i]);
        if (!more) {
            pthread_mutex_unlock(&x->mu);
            break;
        }
        if (!finished_waiting) wait_change(x, seen);
        pthread_mutex_unlock(&x->mu);
    }
}

/* The promotions a person asked for since the last pass (x->mu held). */
static void tell_user_promotions(SweepExec *x)
{
    for (int i = 0; i < x->n_started; i++) {
        SweepTrial *t = &x->trials[i];
        int to = t->told_promote;
        if (!to) continue;
        t->told_promote = 0;
        pthread_mutex_unlock(&x->mu);
        tell(x, SWEEP_EV_PROMOTE, t, to, -1);
        pthread_mutex_lock(&x->mu);
    }
}

/* asha: rounds of jobs (exec.h). */
static void run_asha(SweepExec *x)
{
    bool *want = x->want;
    for (;;) {
        unsigned long seen = gen_now(x);
        collect(x);
        write_files(x);
        pthread_mutex_lock(&x->mu);
        tell_user_promotions(x);
        if (x->stopping) {
            stop_parked(x, TRIAL_STOPPED);
            open_resumed(x);
            bool open = anything_open(x);
            if (!open) {
                pthread_mutex_unlock(&x->mu);
                break;
            }
            wait_change(x, seen);
            pthread_mutex_unlock(&x->mu);
            continue;
        }
        /* --resume: the jobs the interruption cut go on (one round's: at
         * most a slot each), and the trials pruned while parked stop
         * where they were; slots allowing */
        open_resumed(x);
        bool pending = false;
        for (int i = 0; i < x->n_started; i++) pending |= collectable(&x->trials[i]);
        if (pending) {
            pthread_mutex_unlock(&x->mu);
            continue;
        }
        if (!all_quiet(x)) {
            grant(x, want);
            wait_change(x, seen);
            pthread_mutex_unlock(&x->mu);
            continue;
        }
        if (any_wanting(x, want)) {
            grant(x, want);
            pthread_mutex_unlock(&x->mu);
            continue;
        }
        /* The round is over: every job parked at its rung or ended. */
        for (int i = 0; i < x->n_started; i++) {
            SweepTrial *t = &x->trials[i];
            if (!t->parked || t->status == TRIAL_PAUSED) continue;
            t->status = TRIAL_PAUSED;
            for (int k = 0; k < x->asha.n_rungs; k++)
                if (x->asha.rung_epochs[k] == t->epochs) t->rung = k;
            pthread_mutex_unlock(&x->mu);
            tell(x, SWEEP_EV_RUNG, t, t->rung, -1);
            pthread_mutex_lock(&x->mu);
        }
        /* A round's decisions are taken whole, even when a stop has come
         * meanwhile (the trials they start then stop at once): a resumed
         * sweep then finds every round decided or not at all.  They are
         * all taken before any of them starts a trial, and recorded in
         * trials.csv before any trains: a trial started for one slot would
         * otherwise write the board the next slot's decision reads. */
        int jobs = 0;
        SweepRoundJob *rj = x->round;
        for (int slot = 0; slot < x->parallel; slot++) {
            int trial, to;
            bool promote;
            /* a trial that ended at its rung (stopped by a person, or by
             * its own early stopping) goes no further */
            while ((promote = sweep_asha_next(&x->asha, &x->board, &trial, &to)) &&
                   ended(&x->trials[trial]))
                ;
            if (promote) {
                SweepTrial *t = &x->trials[trial];
                int len = x->asha.rung_epochs[to] - t->epochs;
                if (x->base.budget > 0 && x->epochs_planned + len > x->base.budget) break;
                x->epochs_planned += len;
                t->target = x->asha.rung_epochs[to];
                bool reopen = t->dormant; /* --resume: opened from its checkpoint */
                if (reopen) {
                    t->dormant = false;
                    t->resume = true;
                }
                rj[jobs++] = (SweepRoundJob){trial, to, len, true, reopen, false};
                continue;
            }
            if (x->n_started >= x->n_trials) continue;
            int len = x->asha.rung_epochs[0];
            if (x->base.budget > 0 && x->epochs_planned + len > x->base.budget) break;
            x->epochs_planned += len;
            x->trials[x->n_started].target = len; /* trials.csv has it before it starts */
            rj[jobs++] = (SweepRoundJob){x->n_started++, 0, len, false, false, false};
        }
        if (jobs > 0) {
            pthread_mutex_unlock(&x->mu);
            for (int j = 0; j < jobs; j++) {
                Error err = {0};
                rj[j].failed = !rj[j].promote && sample_trial(x, rj[j].trial, rj[j].trial, &err);
                if (rj[j].failed) fail_trial(x, rj[j].trial, &err);
            }
            write_files(x);
            for (int j = 0; j < jobs; j++) {
                SweepTrial *t = &x->trials[rj[j].trial];
                if (rj[j].promote) {
                    tell(x, SWEEP_EV_PROMOTE, t, rj[j].to, -1);
                    if (rj[j].reopen) start_trial(x, rj[j].trial, t->target);
                } else if (!rj[j].failed) {
                    start_trial(x, rj[j].trial, rj[j].len);
                }
            }
            pthread_mutex_lock(&x->mu);
            for (int j = 0; j < jobs; j++)
                if (rj[j].promote && !rj[j].reopen) want[rj[j].trial] = true;
        }
        if (jobs == 0) {
            stop_parked(x, TRIAL_PRUNED);
            open_resumed(x);
            bool open = anything_open(x);
            if (!open) {
                pthread_mutex_unlock(&x->mu);
                break;
            }
            wait_change(x, seen);
        }
        grant(x, want);
        pthread_mutex_unlock(&x->mu);
    }
}

/* pbt: the population, with a barrier every interval epochs. */
/* The epoch a trial released at a PBT barrier trains to: the next barrier,
 * or its full length when that comes first (it ends there, see must_park). */
static int pbt_target(const SweepExec *x, int barrier)
{
    return barrier < x->base.max_epochs ? barrier : x->base.max_epochs;
}

static void run_pbt(SweepExec *x)
{
    bool *want = x->want, *live = x->live;
    SweepConfig *configs = x->configs;
    SweepExploit *ex = x->acks, *out = x->exploits;
    SweepPbtParams pp;
    sweep_pbt_default(&pp, x->base.pbt_interval, x->base.seed);
    int barrier = x->base.pbt_interval;
    bool acking = false;
    for (;;) {
        unsigned long seen = gen_now(x);
        collect(x);
        write_files(x);
        pthread_mutex_lock(&x->mu);
        if (x->stopping) stop_parked(x, TRIAL_STOPPED);
        while (!x->stopping && !acking && x->n_started < x->n_trials && x->running < x->parallel) {
            int i = x->n_started++;
            pthread_mutex_unlock(&x->mu);
            Error err = {0};
            if (sample_trial(x, i, 0, &err))
                fail_trial(x, i, &err);
            else
                start_trial(x, i, barrier);
            pthread_mutex_lock(&x->mu);
        }
        if (!x->stopping) grant(x, want);
        bool pending = false;
        for (int i = 0; i < x->n_started; i++) pending |= collectable(&x->trials[i]);
        if (pending) {
            pthread_mutex_unlock(&x->mu);
            continue;
        }
        if (!anything_open(x) && (x->stopping || x->n_started >= x->n_trials)) {
            pthread_mutex_unlock(&x->mu);
            break;
        }
        if (acking) {
            bool all = true;
            for (int k = 0; k < x->n_trials && all; k++)
                all = !ex[k].trial || x->trials[ex[k].trial - 1].acked;
            if (!all) {
                wait_change(x, seen);
                pthread_mutex_unlock(&x->mu);
                continue;
            }
            acking = false;
            memset(ex, 0, (size_t)x->n_trials * sizeof *ex);
            barrier += x->base.pbt_interval;
            for (int i = 0; i < x->n_started; i++)
                if (x->trials[i].parked) {
                    x->trials[i].target = pbt_target(x, barrier);
                    want[i] = true;
                }
            if (!x->stopping) grant(x, want); /* else stop_parked ends them */
            pthread_mutex_unlock(&x->mu);
            continue;
        }
        bool at_barrier =
            !x->stopping && x->n_started >= x->n_trials && all_quiet(x) && !any_wanting(x, want);
        for (int i = 0; i < x->n_started && at_barrier; i++)
            if (x->trials[i].parked && x->trials[i].epochs != barrier) at_barrier = false;
        if (!at_barrier) {
            wait_change(x, seen);
            pthread_mutex_unlock(&x->mu);
            continue;
        }
        int n_live = 0;
        for (int i = 0; i < x->n_trials; i++) {
            live[i] = x->trials[i].parked;
            n_live += live[i];
            configs[i] = x->trials[i].config;
            x->trials[i].status = live[i] ? TRIAL_PAUSED : x->trials[i].status;
        }
        int n_ex = 0;
        Error err = {0};
        Options base;
        sweep_exec_trial_base(x, 0, &base);
        if (n_live >= 2 && sweep_pbt_decide(&pp, &x->space, &base, &x->board, barrier, live,
                                            configs, out, &n_ex, &err) == ERROR_NONE) {
            for (int k = 0; k < n_ex; k++) {
                SweepTrial *t = &x->trials[out[k].trial];
                Options eo;
                sweep_exec_trial_base(x, t->index, &eo);
                t->config = out[k].config;
                if (sweep_config_apply(&x->space, &eo, &t->config, &t->exploit_opt, &err)) continue;
                t->opt = t->exploit_opt;
                t->donor = out[k].donor;
                t->acked = false;
                t->order = ORDER_EXPLOIT;
                ex[k].trial = out[k].trial + 1; /* 0: no exploit */
                pthread_cond_signal(&t->cv);
                acking = true;
                pthread_mutex_unlock(&x->mu);
                tell(x, SWEEP_EV_EXPLOIT, t, 0, out[k].donor);
                pthread_mutex_lock(&x->mu);
            }
        }
        if (!acking) {
            barrier += x->base.pbt_interval;
            for (int i = 0; i < x->n_started; i++)
                if (x->trials[i].parked) {
                    x->trials[i].target = pbt_target(x, barrier);
                    want[i] = true;
                }
            grant(x, want);
        }
        pthread_mutex_unlock(&x->mu);
    }
}

ErrorCode sweep_exec_run(SweepExec *x, Error *err)
{
    ErrorCode rc = ERROR_NONE;
    if (x->dir[0] && sweep_write_space(x, err)) {
        error_prefix(err, "writing the sweep's files failed");
        rc = err->code;
    } else {
        switch (x->scheduler) {
        case SWEEP_SCHED_ASHA: run_asha(x); break;
        case SWEEP_SCHED_PBT: run_pbt(x); break;
        default: run_stream(x); break;
        }
        write_files_now(x, true);
        if (x->files_failed)
            rc = error_set(err, ERROR_RUNTIME, "writing the sweep's files failed: %s",
                           x->files_error);
    }
    pthread_mutex_lock(&x->mu); /* a screen's view: every trial is as it stays */
    x->over = true;
    pthread_mutex_unlock(&x->mu);
    return rc;
}

/* ---- a person's controls ----------------------------------------------------- */

/* x->mu held: trial i's trainer, when it is open (started, not collected:
 * collect() destroys it only after marking it collected under x->mu). */
static Trainer *open_trainer(SweepExec *x, int i)
{
    if (i < 0 || i >= x->n_started) return NULL;
    SweepTrial *t = &x->trials[i];
    return t->live && !t->collected && t->tr ? t->tr->trainer : NULL;
}

void sweep_exec_pause_all(SweepExec *x, bool pause)
{
    pthread_mutex_lock(&x->mu);
    x->paused_all = pause;
    for (int i = 0; i < x->n_started; i++) {
        Trainer *tr = open_trainer(x, i);
        if (tr) pause ? trainer_pause(tr) : trainer_resume(tr);
    }
    pthread_mutex_unlock(&x->mu);
}

bool sweep_exec_pause_trial(SweepExec *x, int i)
{
    pthread_mutex_lock(&x->mu);
    Trainer *tr = open_trainer(x, i);
    if (tr) trainer_toggle_pause(tr);
    pthread_mutex_unlock(&x->mu);
    return tr != NULL;
}

bool sweep_exec_stop_trial(SweepExec *x, int i)
{
    pthread_mutex_lock(&x->mu);
    Trainer *tr = open_trainer(x, i);
    if (tr) {
        SweepTrial *t = &x->trials[i];
        if (stop_open_trial(t, "stopped from the sweep")) t->user_stopped = true;
        wake_owner(x);
    }
    pthread_mutex_unlock(&x->mu);
    return tr != NULL;
}

ErrorCode sweep_exec_promote(SweepExec *x, int i, Error *err)
{
    if (x->scheduler != SWEEP_SCHED_ASHA)
        return error_set(err, ERROR_INPUT, "promote: only under --scheduler asha (this sweep: %s)",
                         sweep_scheduler_names[x->scheduler]);
    pthread_mutex_lock(&x->mu);
    ErrorCode rc = ERROR_NONE;
    SweepTrial *t = i >= 0 && i < x->n_started ? &x->trials[i] : NULL;
    /* the rung it waits at: parked at that rung's epoch, told or not yet
     * (its round may still be on) */
    int k = -1;
    if (t && open_trainer(x, i) && t->parked && t->order == ORDER_NONE && !x->want[i])
        for (int r = 0; r < x->asha.n_rungs; r++)
            if (x->asha.rung_epochs[r] == t->epochs) k = r;
    if (k < 0) {
        rc = error_set(err, ERROR_INPUT, "promote: trial %d is not waiting at a rung", i);
    } else if (k >= x->asha.n_rungs - 1) {
        rc = error_set(err, ERROR_INPUT, "promote: trial %d is at the last rung", i);
    } else {
        t->rung = k;
        int to = k + 1;
        x->asha.promoted[(size_t)i * (size_t)x->asha.n_rungs + (size_t)t->rung] = true;
        x->epochs_planned += x->asha.rung_epochs[to] - t->epochs;
        t->target = x->asha.rung_epochs[to];
        t->told_promote = to;
        x->want[i] = true;
        wake_owner(x);
    }
    pthread_mutex_unlock(&x->mu);
    return rc;
}

TrainRun *sweep_exec_hold(SweepExec *x, int i)
{
    pthread_mutex_lock(&x->mu);
    TrainRun *tr = open_trainer(x, i) ? x->trials[i].tr : NULL;
    if (tr) x->trials[i].held = true;
    pthread_mutex_unlock(&x->mu);
    return tr;
}

void sweep_exec_release(SweepExec *x, int i)
{
    pthread_mutex_lock(&x->mu);
    SweepTrial *t = &x->trials[i];
    /* the screen had it open with its controls: anything it changed there
     * is the trial's own from now on (a held trial is not collected, so
     * its trainer is still there) */
    if (t->held && t->tr && t->tr->trainer) {
        HyperParams now;
        trainer_get_hparams(t->tr->trainer, &now);
        if (memcmp(&now, &t->set_hp, sizeof now) != 0) t->hand_changed = true;
    }
    x->trials[i].held = false;
    wake_owner(x);
    pthread_mutex_unlock(&x->mu);
}

void sweep_exec_watch(SweepExec *x, int i, void (*fn)(void *ctx, const BatchInfo *b), void *ctx)
{
    SweepTrial *t = &x->trials[i];
    pthread_mutex_lock(&t->watch_mu);
    t->watch_fn = fn;
    t->watch_ctx = ctx;
    atomic_store_explicit(&t->watched, fn != NULL, memory_order_release);
    pthread_mutex_unlock(&t->watch_mu);
}

void sweep_exec_view(SweepExec *x, SweepTrialView *out, int cap, SweepMoment *m, double *figs)
{
    pthread_mutex_lock(&x->mu);
    int n = x->n_started < cap ? x->n_started : cap;
    for (int i = 0; i < n; i++) {
        const SweepTrial *t = &x->trials[i];
        SweepTrialView *v = &out[i];
        Trainer *tr = open_trainer(x, i);
        v->status = t->status;
        v->told_kind = t->told_kind;
        v->open = tr != NULL;
        v->train = tr ? trainer_status(tr) : TRAIN_DONE;
        v->user_paused = tr && v->train == TRAIN_PAUSED;
        v->parked = tr && t->parked && t->order == ORDER_NONE;
        v->epochs = t->epochs;
        v->hand_changed = t->hand_changed;
        v->rung = t->rung;
        v->target = t->target;
        v->best = t->best;
        v->best_epoch = t->best_epoch;
        if (t->status != TRIAL_WAITING) v->config = t->config;
    }
    m->n_started = n;
    m->told = x->told;
    m->over = x->over;
    if (figs)
        memcpy(figs, x->board.fig,
               (size_t)x->board.n_trials * (size_t)x->board.max_epochs * sizeof *figs);
    pthread_mutex_unlock(&x->mu);
}

/* ---- telling ------------------------------------------------------------------ */

/* pairs ("epochs=3 best_epoch=2 loss=... val_loss=...", one space apart,
 * as the result line has them) into buf in order: SWEEP_PAIRS_MONITOR_FIRST
 * writes the pair of key mon right after best_epoch's, the others as they
 * come; without either pair, as they are. */
static void pairs_in_order(const char *pairs, const char *mon, SweepPairsOrder order, char *buf,
                           size_t cap)
{
    const char *be = NULL, *at = NULL;
    size_t be_len = 0, at_len = 0, ml = strlen(mon);
    const char *p = pairs;
    while (order == SWEEP_PAIRS_MONITOR_FIRST && *p && !at) {
        size_t len = strcspn(p, " ");
        if (!be && !strncmp(p, "best_epoch=", 11)) {
            be = p;
            be_len = len;
        } else if (be && len > ml && !strncmp(p, mon, ml) && p[ml] == '=') {
            at = p;
            at_len = len;
        }
        p += len;
        p += strspn(p, " ");
    }
    if (!at) {
        snprintf(buf, cap, "%s", pairs);
        return;
    }
    /* up to best_epoch's end, the monitor's pair, the pairs between, the rest */
    const char *mid = be + be_len, *mid_end = at;
    while (mid_end > mid && mid_end[-1] == ' ') mid_end--;
    snprintf(buf, cap, "%.*s %.*s%.*s%s", (int)(mid - pairs), pairs, (int)at_len, at,
             (int)(mid_end - mid), mid, at + at_len);
}

void sweep_result_pairs(const SweepExec *x, const SweepTrial *t, SweepPairsOrder order, char *buf,
                        size_t cap)
{
    const char *pairs = t->result_pairs; /* read back by --resume from its journal */
    char text[768];
    if (!pairs[0]) {
        train_result_text(&t->result, x->data->train.task, text, sizeof text);
        const char *sp = strchr(text, ' '); /* after the status */
        pairs = sp ? sp + 1 : text;
    }
    pairs_in_order(pairs, monitor_names[x->monitor], order, buf, cap);
}

/* The width of an event line's word: the longest status's, an end's word
 * (early_stopped), which every other word fits in too. */
static int event_word_width(void)
{
    int w = 0;
    for (const char *const *n = sweep_trial_status_names; *n; n++)
        if ((int)strlen(*n) > w) w = (int)strlen(*n);
    return w;
}

/* The columns of an event line's trial number: the sweep's last trial's,
 * at least 3, so that every line of a sweep of 1000 trials or more has
 * its word in one column too. */
static int event_number_width(const SweepExec *x)
{
    int w = 1;
    for (int last = x->n_trials - 1; last >= 10; last /= 10) w++;
    return w > 3 ? w : 3;
}

/* "trial   3 WORD  ...": the trial's number to event_number_width and the
 * event's word padded to event_word_width, so that what follows them
 * starts in one column whatever the event and the trial, then fmt. */
static void event_line(const SweepExec *x, char *buf, size_t cap, int trial, const char *word,
                       const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void event_line(const SweepExec *x, char *buf, size_t cap, int trial, const char *word,
                       const char *fmt, ...)
{
    int n = snprintf(buf, cap, "trial %*d %-*s ", event_number_width(x), trial, event_word_width(),
                     word);
    if (n < 0 || (size_t)n >= cap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, cap - (size_t)n, fmt, ap);
    va_end(ap);
}

void sweep_event_text(const SweepExec *x, const SweepEvent *e, SweepPairsOrder order, char *buf,
                      size_t cap)
{
    const SweepTrial *t = &x->trials[e->trial];
    const char *mon = monitor_names[x->monitor];
    char cfg[OPTIONS_SPACE], fig[32], word[24];
    switch (e->kind) {
    case SWEEP_EV_START:
        sweep_exec_config_text(x, t, cfg, sizeof cfg);
        if (e->epoch > 0) /* --resume: from its checkpoint */
            event_line(x, buf, cap, e->trial, "resumed", "at epoch %d  %s%s%s", e->epoch, cfg,
                       t->run[0] ? "  run=" : "", t->run);
        else
            event_line(x, buf, cap, e->trial, "start", "%s%s%s", cfg, t->run[0] ? "  run=" : "",
                       t->run);
        break;
    case SWEEP_EV_RUNG:
        snprintf(word, sizeof word, "rung %d", e->rung);
        event_line(x, buf, cap, e->trial, word, "epoch %d  %s %s", e->epoch, mon,
                   train_figure_text(fig, e->figure));
        break;
    case SWEEP_EV_PROMOTE:
        event_line(x, buf, cap, e->trial, "promoted", "to rung %d (epoch %d)", e->rung,
                   x->asha.rung_epochs[e->rung]);
        break;
    case SWEEP_EV_PRUNE:
        event_line(x, buf, cap, e->trial, "pruned", "at epoch %d  %s %s", e->epoch, mon,
                   train_figure_text(fig, e->figure));
        break;
    case SWEEP_EV_EXPLOIT:
        sweep_exec_config_text(x, t, cfg, sizeof cfg);
        event_line(x, buf, cap, e->trial, "exploit", "trial %d at epoch %d  %s", e->donor, e->epoch,
                   cfg);
        break;
    case SWEEP_EV_START_OVER:
        event_line(x, buf, cap, e->trial, "starts over", "from epoch 1: %s", e->note);
        break;
    case SWEEP_EV_END:
        if (t->status == TRIAL_FAILED || (!t->has_result && t->error[0])) {
            event_line(x, buf, cap, e->trial, sweep_trial_status_names[t->status], "%s", t->error);
        } else {
            char pairs[800];
            sweep_result_pairs(x, t, order, pairs, sizeof pairs);
            event_line(x, buf, cap, e->trial, sweep_trial_status_names[t->status], "%s", pairs);
        }
        break;
    }
}
