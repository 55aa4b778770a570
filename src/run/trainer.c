/*
 * trainer.c - the training loop, early stopping, divergence, and the control
 * interface.  See trainer.h.
 *
 * Locking: t->mu guards the fields marked "shared" below.  The trainer thread
 * takes it twice per batch (once at the batch boundary to take the queued
 * commands, once after the batch to publish progress), and once more for
 * each command it answers; everything else it touches is its own.  Hooks
 * and commands run with the mutex released.
 */
#include "gradtop/run/trainer.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gradtop/nn/gemm.h"
#include "gradtop/nn/monitor.h"
#include "gradtop/core/sysmem.h"
#include "gradtop/nn/team.h"

struct Trainer {
    /* owned by the trainer thread */
    Options opt; /* opt.hp: the hyperparameters in force */
    const Dataset *train, *val, *test;
    bool interactive;
    TrainerHooks hooks;
    Model model;
    Optimizer optim;
    Schedule sched;
    Rng rng_shuffle, rng_dropout;
    int *perm;          /* (n_train) row order of the current epoch */
    float *xb;          /* (cap_batch, d) gathered batch */
    Team *team;         /* shares each step among --threads threads */
    int gemm_reserved;  /* BLAS buffer reservations held beyond the model's (gemm.h) */
    int *lb;            /* (cap_batch) labels of the batch */
    float *tb;          /* (cap_batch) targets of the batch */
    int *pred;          /* (cap_batch) predicted classes */
    float *best_params; /* (n_params) weights of the best epoch */
    float *good_params; /* (n_params) weights at the end of the last finite epoch */
    float *good_state;  /* (3 n_params) optimizer state there */
    long good_t;
    OptimizerParams good_opt; /* the optimizer those are of */
    int *good_perm;           /* (n_train) the row order there */
    Rng good_shuffle, good_dropout;
    HyperParams good_hp; /* the hyperparameters at the end of good_epoch */
    int good_epoch;      /* epochs done there */
    bool restored;       /* from a checkpoint (trainer_restore) */
    long good_step;      /* batches run there */
    long good_undone;    /* of them, those divergences undid */
    bool monitor_max;    /* improvement means larger */
    int monitor_field;
    int start_epoch;
    double best_value;
    int best_epoch;
    int wait;
    EpochMetrics best_metrics, last_metrics;
    /* last_metrics scored other weights or data than the model's now: a
     * batch of the next epoch, or a change of the network, the data or
     * (PBT) the weights, came since that epoch */
    bool last_stale;
    TrainResult result;
    double target_scale; /* regression: MAE back in the label's units */
    double t_start;      /* monotonic seconds at start */
    double last_go;      /* monotonic seconds the last batch started; -1 before any */
    bool paused;
    bool to_epoch_end;  /* paused, and training on to the end of the epoch (TRAINER_STEP_EPOCH) */
    bool started;       /* trainer_run has begun the run */
    bool open;          /* trainer_run left it diverged, to be resumed or ended */
    int epoch;          /* the epoch under way (0-based) */
    char why[256];      /* the divergence's explanation */
    char stop_why[128]; /* the stop's reason (trainer_stop_why), "" none */
    LrFloat lr_said;    /* what float32 makes of the rate in force, as last said */
    double lr_next;     /* pub.lr_next as last published */

    /* shared, under mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    TrainerCommand queue[TRAINER_MAX_QUEUE];   /* command seq at seq % TRAINER_MAX_QUEUE */
    long sent;                                 /* the last sequence number given */
    long applied;                              /* the last one answered */
    TrainerReply replies[TRAINER_MAX_REPLIES]; /* reply seq at seq % TRAINER_MAX_REPLIES */
    bool serving;        /* a thread is in trainer_run or trainer_wait to answer */
    bool in_state;       /* it is in the on_state hook between two epochs: the model stands
                          * still (a sweep's trial waiting at a rung), but for trainer_adopt */
    bool parked;         /* it waits, paused or diverged, leaving the model alone */
    pthread_t runner;    /* that thread, while serving */
    bool ended;          /* the run has ended: commands are refused at once */
    Pace pace;           /* PACE_MAX for a headless run until trainer_set_pace */
    TrainerSnapshot pub; /* published state; arrays below */
    EpochMetrics *history;
    int n_history, cap_history;
    float step_loss[TRAINER_MAX_STEP_POINTS];
    int n_points;
    long stride;
    double bucket_sum;
    long bucket_n;
    TrainEvent events[TRAINER_MAX_EVENTS];
    long n_events_total;
    /* time spent running, pauses excluded: every batch, the pace's waits
     * and the work between batches (the epochs' evaluations, the hooks
     * and their files), so that elapsed is the run's wall-clock time less
     * its pauses */
    double run_seconds;
    double counted_to; /* the monotonic time run_seconds counts up to; -1: a pause since */
    long run_samples;  /* rows stepped in that time */
    double rate_t0;    /* for samples/s */
    long rate_samples;
};

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double now_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

const char *train_status_word(TrainStatus s)
{
    /* The five status words the guide names: a run stopped with s, before its epochs and
     * keeping the best weights, is stopped early too. */
    static const char *const w[] = {"RUNNING",  "PAUSED", "EARLY STOPPED",
                                    "DIVERGED", "DONE",   "EARLY STOPPED"};
    return w[s];
}

bool train_status_ended(TrainStatus s)
{
    return s != TRAIN_RUNNING && s != TRAIN_PAUSED;
}

const char *train_status_key(TrainStatus s)
{
    static const char *const w[] = {"running",  "paused",    "early_stopped",
                                    "diverged", "completed", "stopped"};
    return w[s];
}

/* The field a --monitor name picks (val_loss for a name that is none: the
 * option table accepts only the eight names). */
static int monitor_field_or_default(const char *name)
{
    int f = monitor_field_of(name);
    return f < 0 ? MONITOR_VAL_LOSS : f;
}

ErrorCode trainer_check_monitor(const char *monitor, Task task, Error *err)
{
    bool regression = task == TASK_REGRESSION;
    int base = monitor_field_or_default(monitor) % MONITOR_VAL_LOSS;
    if ((base == MONITOR_ACCURACY && regression) ||
        ((base == MONITOR_MAE || base == MONITOR_R2) && !regression))
        return error_set(err, ERROR_INPUT, "--monitor %s does not fit a %s task (use %s)", monitor,
                         regression ? "regression" : "classification",
                         regression ? "val_loss, val_mae or val_r2" : "val_loss or val_accuracy");
    return ERROR_NONE;
}

double epoch_metrics_value(const EpochMetrics *m, MonitorField field)
{
    switch (field) {
    case MONITOR_LOSS: return m->loss;
    case MONITOR_ACCURACY: return m->accuracy;
    case MONITOR_MAE: return m->mae;
    case MONITOR_R2: return m->r2;
    case MONITOR_VAL_LOSS: return m->val_loss;
    case MONITOR_VAL_ACCURACY: return m->val_accuracy;
    case MONITOR_VAL_MAE: return m->val_mae;
    default: return m->val_r2;
    }
}

/* Appends an event to the ring and hands it to the hook.  Called without mu. */
static void emit(Trainer *t, EventKind kind, int epoch, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void emit(Trainer *t, EventKind kind, int epoch, const char *fmt, ...)
{
    TrainEvent e = {.kind = kind, .epoch = epoch, .wall_time = now_wall()};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.text, sizeof e.text, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&t->mu);
    e.step = t->pub.step;
    t->events[t->n_events_total % TRAINER_MAX_EVENTS] = e;
    t->n_events_total++;
    pthread_mutex_unlock(&t->mu);
    if (t->hooks.on_event) t->hooks.on_event(t->hooks.ctx, &e);
}

/* Says, as a warning event, when the rate in force (schedule included)
 * leaves float32's normal range or comes back to it: the screens show the
 * double, the update rules use its float32 value (optimizer.h). */
static void watch_lr(Trainer *t, double lr, int epoch)
{
    if (lr != t->lr_next) { /* the lock only when it changed, not at every batch */
        t->lr_next = lr;
        pthread_mutex_lock(&t->mu);
        t->pub.lr_next = lr;
        pthread_mutex_unlock(&t->mu);
    }
    LrFloat k = optimizer_lr_float(lr);
    if (k == t->lr_said) return;
    t->lr_said = k;
    if (k == LR_FLOAT_NORMAL)
        emit(t, EVENT_WARNING, epoch, "lr %g is back in float32's range", lr);
    else
        emit(t, EVENT_WARNING, epoch, "lr %g is %s: %s", lr, optimizer_lr_float_note(lr),
             optimizer_lr_float_effect(lr));
}

/* The rate a divergence at lr advises: a tenth of it, or the optimizer's
 * default when lr is inf in float32 (a tenth of that says nothing). */
static double lower_lr(const Trainer *t, double lr)
{
    return optimizer_lr_float(lr) == LR_FLOAT_INF ? optimizer_default_lr(t->opt.hp.opt.kind)
                                                  : lr / 10;
}

static void set_status(Trainer *t, TrainStatus s)
{
    pthread_mutex_lock(&t->mu);
    t->pub.status = s;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

static ErrorCode alloc_batch(Trainer *t, int batch, Error *err)
{
    size_t d = (size_t)t->train->d;
    float *xb = malloc((size_t)batch * d * sizeof(float));
    int *lb = malloc((size_t)batch * sizeof(int));
    float *tb = malloc((size_t)batch * sizeof(float));
    int *pred = malloc((size_t)batch * sizeof(int));
    if (!xb || !lb || !tb || !pred) {
        free(xb);
        free(lb);
        free(tb);
        free(pred);
        return error_set(err, ERROR_RUNTIME, "out of memory for a batch of %d rows", batch);
    }
    free(t->xb);
    free(t->lb);
    free(t->tb);
    free(t->pred);
    t->xb = xb;
    t->lb = lb;
    t->tb = tb;
    t->pred = pred;
    return ERROR_NONE;
}

/* What a trainer allocates besides the model's own blocks: optimizer state
 * (3 floats a parameter) and the best and last-finite copies of weights and
 * state (5 more); the team's threads, their stacks and a BLAS buffer each
 * (gemm.h). */
static double need_bytes(const ModelShape *shape, int batch, size_t n_train, int threads)
{
    return model_bytes(shape, batch) + 32.0 * (double)(model_bytes(shape, 1) / 8.0) +
           4.0 * (double)n_train + gemm_reserve_bytes(threads) +
           (threads - 1) * sysmem_thread_bytes();
}

void trainer_release_blas(Trainer *t)
{
    model_release_blas(&t->model);
    gemm_release(t->gemm_reserved);
    t->gemm_reserved = 0;
}

ErrorCode trainer_bytes(const Options *o, const Dataset *train, int threads, double *need,
                        Error *err)
{
    ModelShape shape;
    ErrorCode rc = dataset_check_classes(train, err);
    if (rc) return rc;
    rc = model_shape_make(&shape, train->d, o->layers, o->n_layers, o->activation, o->loss,
                          train->task == TASK_CLASSIFICATION, train->n_classes, err);
    if (rc) return rc;
    int batch = o->hp.batch_size < (long)train->n ? o->hp.batch_size : (int)train->n;
    *need = need_bytes(&shape, batch, train->n, threads);
    return ERROR_NONE;
}

ErrorCode trainer_create(Trainer **out, const Options *o, const Dataset *train, const Dataset *val,
                         const Dataset *test, bool interactive, const TrainerHooks *hooks,
                         Error *err)
{
    *out = NULL;
    if (!train || train->n == 0)
        return error_set(err, ERROR_INPUT, "the training part is empty: nothing to train on");
    Trainer *t = calloc(1, sizeof *t);
    if (!t) return error_set(err, ERROR_RUNTIME, "out of memory");
    t->opt = *o;
    t->train = train;
    t->val = val && val->n > 0 ? val : NULL;
    t->test = test && test->n > 0 ? test : NULL;
    t->interactive = interactive;
    if (hooks) t->hooks = *hooks;
    t->target_scale = train->target_scale > 0 ? 1.0 / train->target_scale : 1.0;
    pthread_mutex_init(&t->mu, NULL);
    /* The pace's deadlines are monotonic: a clock change must not stall a
     * run or let it race. */
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&t->cv, &ca);
    pthread_condattr_destroy(&ca);
    t->last_go = -1;
    t->counted_to = -1;
    if (interactive) {
        t->pace = o->pace;
        /* paused before the first batch, which trainer_run announces */
        t->paused = o->paused;
    }
    /* --threads N: a team of N threads shares each step, each thread
     * running single-threaded BLAS on its share (team.h).  More threads
     * than cores would only wait for each other. */
    int cores = sysmem_cores();
    int threads = o->threads > 0 && o->threads < cores ? o->threads : cores;
    gemm_set_threads(1);

    ModelShape shape;
    ErrorCode rc = ERROR_NONE;
    if ((rc = dataset_check_classes(train, err))) goto fail;
    rc = model_shape_make(&shape, train->d, o->layers, o->n_layers, o->activation, o->loss,
                          train->task == TASK_CLASSIFICATION, train->n_classes, err);
    if (rc) goto fail;
    /* The batch never exceeds the training rows. */
    int batch = o->hp.batch_size < (long)train->n ? o->hp.batch_size : (int)train->n;
    Rng init;
    rng_seed(&init, o->seed);
    rng_seed(&t->rng_shuffle, o->seed ^ 0x5348554646ULL);
    rng_seed(&t->rng_dropout, o->seed ^ 0x44524f50ULL);
    double need = need_bytes(&shape, batch, train->n, threads);
    char what[160];
    snprintf(what, sizeof what,
             "training this network (weights, gradients, optimizer state, workspace and %d "
             "BLAS buffer%s of %.0f MB)",
             threads, threads == 1 ? "" : "s", gemm_buffer_bytes() / 1e6);
    rc = sysmem_check(need, what,
                      threads > 1 ? "use smaller layers or fewer --threads" : "use smaller layers",
                      err);
    if (rc) goto fail;
    rc = model_create(&t->model, &shape, batch, &init, err);
    if (rc) goto fail;
    rc = team_create(&t->team, threads, err);
    if (rc) goto fail;
    /* the model holds the caller's buffer; one more for each other member */
    rc = gemm_reserve(threads - 1, err);
    if (rc) goto fail;
    t->gemm_reserved = threads - 1;
    t->model.team = t->team;
    t->model.l1 = o->hp.l1;
    t->model.l2 = o->hp.l2;
    t->model.dropout = o->hp.dropout;
    rc = optimizer_create(&t->optim, &o->hp.opt, t->model.n_params, err);
    if (rc) goto fail;
    size_t np = t->model.n_params;
    t->perm = malloc(train->n * sizeof(int));
    t->best_params = malloc(np * sizeof(float));
    t->good_params = malloc(np * sizeof(float));
    t->good_state = malloc(3 * np * sizeof(float));
    t->good_perm = malloc(train->n * sizeof(int));
    t->cap_history = 64;
    t->history = malloc((size_t)t->cap_history * sizeof(EpochMetrics));
    if (!t->perm || !t->best_params || !t->good_params || !t->good_state || !t->good_perm ||
        !t->history) {
        rc = error_set(err, ERROR_RUNTIME, "out of memory");
        goto fail;
    }
    rc = alloc_batch(t, batch, err);
    if (rc) goto fail;
    for (size_t i = 0; i < train->n; i++) t->perm[i] = (int)i;

    /* The monitored quantity; a val_ one falls back to its training
     * counterpart when there is no validation part. */
    t->monitor_field = monitor_field_or_default(o->monitor);
    rc = trainer_check_monitor(o->monitor, train->task, err);
    if (rc) goto fail;
    if (!t->val && t->monitor_field >= MONITOR_VAL_LOSS) t->monitor_field -= MONITOR_VAL_LOSS;
    t->monitor_max = monitor_higher_is_better(t->monitor_field);
    t->best_value = monitor_worst(t->monitor_max);
    /* reduce-on-plateau watches the same quantity, the same way round */
    schedule_init(&t->sched, &o->sched, o->epochs, t->monitor_max);

    t->stride = 1;
    t->pub.status = t->paused ? TRAIN_PAUSED : TRAIN_RUNNING;
    t->pub.task = train->task;
    t->pub.epochs_total = o->epochs;
    t->pub.steps_per_epoch = (long)((train->n + (size_t)batch - 1) / (size_t)batch);
    t->pub.hp = t->opt.hp;
    t->pub.lr = o->hp.opt.lr;
    t->pub.lr_next = t->lr_next = o->hp.opt.lr;
    t->pub.eta = -1;
    t->pub.shape = t->model.shape;
    snprintf(t->pub.monitor, sizeof t->pub.monitor, "%s", monitor_names[t->monitor_field]);
    *out = t;
    return ERROR_NONE;
fail:
    trainer_destroy(t);
    return rc;
}

void trainer_destroy(Trainer *t)
{
    if (!t) return;
    model_free(&t->model);
    team_destroy(t->team);
    gemm_release(t->gemm_reserved);
    optimizer_free(&t->optim);
    free(t->perm);
    free(t->xb);
    free(t->lb);
    free(t->tb);
    free(t->pred);
    free(t->best_params);
    free(t->good_params);
    free(t->good_state);
    free(t->good_perm);
    free(t->history);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
    free(t);
}

bool trainer_copy_weights(Trainer *t, Model *dst, bool *changed, long *step)
{
    pthread_mutex_lock(&t->mu);
    const Model *m = &t->model;
    bool ok = !t->serving || t->parked || t->in_state, rebuilt = false;
    if (ok && !reshape_same_shape(&dst->shape, &m->shape)) {
        /* a network edit changed the model: the copy follows it */
        Rng unused; /* the weights are copied in below */
        rng_seed(&unused, 0);
        Error err;
        ok = rebuilt = reshape_rebuild(dst, NULL, &m->shape, &unused, &err) == ERROR_NONE;
    }
    if (ok) {
        size_t bytes = m->n_params * sizeof *m->params;
        *changed = rebuilt || dst->l1 != m->l1 || dst->l2 != m->l2 ||
                   memcmp(dst->params, m->params, bytes);
        if (*changed) {
            memcpy(dst->params, m->params, bytes);
            dst->l1 = m->l1;
            dst->l2 = m->l2;
        }
        *step = t->pub.step;
    }
    pthread_mutex_unlock(&t->mu);
    return ok;
}

Model *trainer_model(Trainer *t)
{
    return &t->model;
}

/* Accumulators of one pass: loss, correct count or regression sums. */
typedef struct {
    double loss_sum, n;
    double correct;
    double abs_err, sq_err, y_sum, y_sq;
} Tally;

static void tally_batch(Tally *ty, const Model *m, const Dataset *ds, const int *labels,
                        const float *targets, int *pred, int B, double loss)
{
    ty->loss_sum += loss * B;
    ty->n += B;
    if (ds->task == TASK_CLASSIFICATION) {
        model_predict_rows(m, B, pred, NULL);
        for (int r = 0; r < B; r++) ty->correct += pred[r] == labels[r];
    } else {
        const float *a = m->a[m->shape.n_layers];
        for (int r = 0; r < B; r++) {
            double e = (double)a[r] - targets[r];
            ty->abs_err += fabs(e);
            ty->sq_err += e * e;
            ty->y_sum += targets[r];
            ty->y_sq += (double)targets[r] * targets[r];
        }
    }
}

static void tally_finish(const Tally *ty, double target_scale, double *loss, double *acc,
                         double *mae, double *r2)
{
    double n = ty->n > 0 ? ty->n : 1;
    *loss = ty->loss_sum / n;
    *acc = ty->correct / n;
    *mae = ty->abs_err / n * target_scale;
    double ss_tot = ty->y_sq - ty->y_sum * ty->y_sum / n;
    *r2 = ss_tot > 0 ? 1.0 - ty->sq_err / ss_tot : 0.0;
}

/* Scores ds in chunks of `chunk` rows (at most the workspace's, and pred's
 * length), without dropout. */
static void evaluate(Model *m, const Dataset *ds, int *pred, int chunk, double target_scale,
                     EpochMetrics *out)
{
    Tally ty = {0};
    double penalty = model_penalty(m);
    if (chunk > m->cap_batch) chunk = m->cap_batch;
    for (size_t pos = 0; pos < ds->n; pos += (size_t)chunk) {
        int B = (int)(ds->n - pos < (size_t)chunk ? ds->n - pos : (size_t)chunk);
        const int *lab = ds->labels ? ds->labels + pos : NULL;
        const float *tgt = ds->targets ? ds->targets + pos : NULL;
        model_forward(m, ds->x + pos * (size_t)ds->d, B, false, NULL);
        double loss = model_loss(m, lab, tgt, B) + penalty;
        tally_batch(&ty, m, ds, lab, tgt, pred, B, loss);
    }
    tally_finish(&ty, target_scale, &out->loss, &out->accuracy, &out->mae, &out->r2);
}

void trainer_evaluate(Model *m, const Dataset *ds, EpochMetrics *out)
{
    int pred[256]; /* chunks of at most 256 rows, so pred fits on the stack */
    double scale = ds->target_scale > 0 ? 1.0 / ds->target_scale : 1.0;
    evaluate(m, ds, pred, 256, scale, out);
}

size_t trainer_hparams_change(const HyperParams *a, const HyperParams *b, bool with_batch,
                              char *text, size_t cap)
{
    size_t len = 0;
#define CHANGED(fmt, x, y)                                                                         \
    len += (size_t)snprintf(text + len, len < cap ? cap - len : 0, "%s" fmt " -> " fmt,            \
                            len ? ", " : "", x, y)
    if (cap) text[0] = '\0';
    if (b->opt.kind != a->opt.kind)
        CHANGED("optimizer %s", optimizer_names[a->opt.kind], optimizer_names[b->opt.kind]);
    if (b->opt.lr != a->opt.lr) CHANGED("lr %g", a->opt.lr, b->opt.lr);
    if (b->opt.momentum != a->opt.momentum)
        CHANGED("momentum %g", a->opt.momentum, b->opt.momentum);
    if (b->opt.beta1 != a->opt.beta1) CHANGED("beta1 %g", a->opt.beta1, b->opt.beta1);
    if (b->opt.beta2 != a->opt.beta2) CHANGED("beta2 %g", a->opt.beta2, b->opt.beta2);
    if (b->opt.eps != a->opt.eps) CHANGED("eps %g", a->opt.eps, b->opt.eps);
    if (b->opt.rho != a->opt.rho) CHANGED("rho %g", a->opt.rho, b->opt.rho);
    if (b->opt.weight_decay != a->opt.weight_decay)
        CHANGED("weight_decay %g", a->opt.weight_decay, b->opt.weight_decay);
    if (b->opt.nesterov != a->opt.nesterov)
        CHANGED("nesterov %d", a->opt.nesterov, b->opt.nesterov);
    if (b->opt.amsgrad != a->opt.amsgrad) CHANGED("amsgrad %d", a->opt.amsgrad, b->opt.amsgrad);
    if (b->opt.centered != a->opt.centered)
        CHANGED("centered %d", a->opt.centered, b->opt.centered);
    if (b->l1 != a->l1) CHANGED("l1 %g", a->l1, b->l1);
    if (b->l2 != a->l2) CHANGED("l2 %g", a->l2, b->l2);
    if (b->dropout != a->dropout) CHANGED("dropout %g", a->dropout, b->dropout);
    if (b->patience != a->patience) CHANGED("patience %d", a->patience, b->patience);
#undef CHANGED
    if (with_batch && b->batch_size != a->batch_size)
        len += (size_t)snprintf(text + len, len < cap ? cap - len : 0, "%sbatch_size %d -> %d",
                                len ? ", " : "", a->batch_size, b->batch_size);
    return len;
}

/* Applies a hyperparameter change (trainer thread, mu not held), emits the
 * event that says what changed and writes it into reply (or "no change"). */
/* Applies n; the journal's change line says what changed from `from`
 * (the trainer's own hyperparameters, unless an exploit has just put the
 * donor's optimizer in place of this run's). */
static void apply_hparams_from(Trainer *t, const HyperParams *n, const HyperParams *from, int epoch,
                               TrainerReply *reply)
{
    HyperParams o = *from;
    char text[192];
    size_t len = trainer_hparams_change(&o, n, false, text, sizeof text);
    HyperParams applied = *n;
    if (n->batch_size != o.batch_size) {
        int batch = n->batch_size < (long)t->train->n ? n->batch_size : (int)t->train->n;
        Error e;
        /* The step takes the model's batch, so the batch buffers must never
         * be smaller than it: a larger batch gets its buffers first (if the
         * model's workspace then fails, larger buffers are harmless); a
         * smaller one keeps the buffers it has. */
        bool grow = batch > t->model.cap_batch;
        if (batch < 1 || (grow && alloc_batch(t, batch, &e)) ||
            model_prepare(&t->model, batch, &e)) {
            applied.batch_size = o.batch_size;
            emit(t, EVENT_CHANGE, epoch, "batch size %d refused: out of memory", n->batch_size);
            reply->done = false;
        } else {
            len += (size_t)snprintf(text + len, len < sizeof text ? sizeof text - len : 0,
                                    "%sbatch_size %d -> %d", len ? ", " : "", o.batch_size,
                                    n->batch_size);
        }
    }
    optimizer_set(&t->optim, &applied.opt);
    t->model.l1 = applied.l1;
    t->model.l2 = applied.l2;
    t->model.dropout = applied.dropout;
    t->opt.hp = applied;
    int cap = t->model.cap_batch;
    pthread_mutex_lock(&t->mu);
    t->pub.hp = applied;
    t->pub.steps_per_epoch = (long)((t->train->n + (size_t)cap - 1) / (size_t)cap);
    pthread_mutex_unlock(&t->mu);
    if (len) emit(t, EVENT_CHANGE, epoch, "%s", text);
    watch_lr(t, schedule_lr(&t->sched, applied.opt.lr, epoch), epoch);
    if (!reply->done)
        snprintf(reply->text, sizeof reply->text, "batch size %d refused: out of memory%s%.140s",
                 n->batch_size, len ? "; " : "", text);
    else
        snprintf(reply->text, sizeof reply->text, "%s", len ? text : "no change");
}

static void apply_hparams(Trainer *t, const HyperParams *n, int epoch, TrainerReply *reply)
{
    HyperParams own = t->opt.hp;
    apply_hparams_from(t, n, &own, epoch, reply);
}

/* The trainer's copies of the parameters, sized for another network. */
typedef struct {
    float *best, *good, *good_state;
} Copies;

static void copies_free(Copies *c)
{
    free(c->best);
    free(c->good);
    free(c->good_state);
}

static bool copies_alloc(Copies *c, size_t n)
{
    c->best = malloc(n * sizeof *c->best);
    c->good = malloc(n * sizeof *c->good);
    c->good_state = malloc(3 * n * sizeof *c->good_state);
    if (c->best && c->good && c->good_state) return true;
    copies_free(c);
    return false;
}

/* c replaces the trainer's copies (whose contents the caller has filled). */
static void copies_install(Trainer *t, const Copies *c)
{
    free(t->best_params);
    free(t->good_params);
    free(t->good_state);
    t->best_params = c->best;
    t->good_params = c->good;
    t->good_state = c->good_state;
}

/* Applies a network edit (trainer thread, mu not held, between batches):
 * the model and optimizer through reshape_apply, the kept copies of the
 * last epoch's end through the same plan.  The reply says what it did, or
 * why it could not. */
static void apply_reshape(Trainer *t, const ReshapeEdit *e, int epoch, TrainerReply *reply)
{
    Error err = {0};
    ReshapePlan p;
    Rng r; /* the new unit's weights: the same for the same seed and step */
    rng_seed_stream(&r, t->opt.seed, 0x52455348415045ULL ^ (uint64_t)t->pub.step);
    if (reshape_plan(&p, &t->model.shape, e, &r, &err)) {
        reply->done = false;
        snprintf(reply->text, sizeof reply->text, "%.191s", err.msg);
        return;
    }
    size_t n = p.n_to;
    Copies c;
    bool have = copies_alloc(&c, n);
    if (!have || reshape_apply(&p, &t->model, &t->optim, &err)) {
        if (have) copies_free(&c);
        reply->done = false;
        snprintf(reply->text, sizeof reply->text, "%.191s", err.code ? err.msg : "out of memory");
        reshape_plan_free(&p);
        return;
    }
    reshape_params(&p, t->good_params, c.good);
    for (int slot = 0; slot < 3; slot++)
        reshape_state(&p, t->good_state + (size_t)slot * p.n_from, c.good_state + (size_t)slot * n,
                      reshape_fill(&t->good_opt, slot));
    copies_install(t, &c);
    /* The best epoch so far was another network's: early stopping (and
     * --restore-best) starts over from the next epoch. */
    t->best_epoch = 0;
    t->last_stale = true;
    t->last_metrics.epoch = 0; /* of other weights: no checkpoint's LAST */
    t->best_value = monitor_worst(t->monitor_max);
    t->wait = 0;
    pthread_mutex_lock(&t->mu);
    t->pub.shape = t->model.shape;
    t->pub.best_epoch = 0;
    t->pub.best_value = t->best_value;
    t->pub.wait = 0;
    pthread_mutex_unlock(&t->mu);
    emit(t, EVENT_CHANGE, epoch, "%s", p.text);
    snprintf(reply->text, sizeof reply->text, "%.191s", p.text);
    reshape_plan_free(&p);
}

/* Swaps in new data (trainer thread, mu not held, between batches): see
 * TRAINER_SET_DATA in trainer.h.  Allocates nothing unless the batch must
 * grow back to the batch size. */
static void apply_data(Trainer *t, TrainerData *d, int epoch, TrainerReply *reply)
{
    const Dataset *tr = d->train, *old = t->train;
    bool had_val = t->val != NULL, has_val = d->val && d->val->n > 0;
    const char *why = NULL;
    if (!tr || tr->n == 0 || !d->perm || !d->spare)
        why = "the new training part is empty";
    else if (tr->d != old->d || tr->task != old->task || tr->n_classes != old->n_classes)
        why = "the new data has other features or classes than the run's";
    else if (has_val != had_val)
        why = had_val ? "a run with a validation part keeps one (val-split above 0): "
                        "o goes back to the setup form"
                      : "a run without a validation part (val-split 0) gets none while it "
                        "trains: o goes back to the setup form";
    if (why) {
        reply->done = false;
        snprintf(reply->text, sizeof reply->text, "%s", why);
        return;
    }
    /* A batch that the old training part cut short grows back to the
     * batch size when the new part allows it; a larger part than the
     * batch needs nothing. */
    int want = t->opt.hp.batch_size < (long)tr->n ? t->opt.hp.batch_size : (int)tr->n;
    if (want > t->model.cap_batch) {
        Error e;
        /* the batch buffers first: buffers larger than the model's
         * batch are harmless, a model batch larger than the buffers not */
        if (alloc_batch(t, want, &e) || model_prepare(&t->model, want, &e)) {
            reply->done = false;
            snprintf(reply->text, sizeof reply->text, "out of memory for a batch of %d rows", want);
            return;
        }
    }
    int *perm = t->perm, *good = t->good_perm;
    t->perm = d->perm;
    t->good_perm = d->spare;
    d->perm = perm;
    d->spare = good;
    t->train = tr;
    t->val = has_val ? d->val : NULL;
    t->test = d->test && d->test->n > 0 ? d->test : NULL;
    t->target_scale = tr->target_scale > 0 ? 1.0 / tr->target_scale : 1.0;
    /* The rest of the epoch takes the new rows in a fresh order; the end
     * of the last epoch (for a checkpoint) is put in the new rows' terms,
     * as an order that the next epoch shuffles. */
    for (size_t i = 0; i < tr->n; i++) t->perm[i] = t->good_perm[i] = (int)i;
    rng_shuffle(&t->rng_shuffle, t->perm, tr->n);
    /* Scores on other data are not comparable: early stopping and the
     * plateau's count start over. */
    t->best_epoch = 0;
    t->last_stale = true;
    t->last_metrics.epoch = 0; /* of other weights: no checkpoint's LAST */
    t->best_value = monitor_worst(t->monitor_max);
    t->wait = 0;
    t->sched.plateau_best = monitor_worst(t->monitor_max);
    t->sched.plateau_wait = 0;
    int cap = t->model.cap_batch;
    pthread_mutex_lock(&t->mu);
    t->pub.steps_per_epoch = (long)((tr->n + (size_t)cap - 1) / (size_t)cap);
    t->pub.best_epoch = 0;
    t->pub.best_value = t->best_value;
    t->pub.wait = 0;
    pthread_mutex_unlock(&t->mu);
    if (t->hooks.on_data) t->hooks.on_data(t->hooks.ctx, d);
    emit(t, EVENT_CHANGE, epoch, "data: %s", d->text);
    snprintf(reply->text, sizeof reply->text, "%.159s", d->text);
}

enum { GO, STOP_NOW };

/* What applying a command asks of the loop. */
typedef enum { CMD_NEXT, CMD_STEP, CMD_STOP, CMD_RESUMED } CmdOutcome;

/* How commands are taken: between batches, while a diverged run waits for
 * its caller's decision, or those sent before the divergence (only their
 * changes are carried over it). */
typedef enum { MODE_RUN, MODE_DIVERGED, MODE_STALE } CmdMode;

const char *const trainer_command_names[TRAINER_N_COMMANDS] = {
    "pause",    "resume", "toggle pause", "step", "stop",      "set hyperparameters",
    "scale lr", "pace",   "reshape",      "data", "step epoch"};

static void set_paused(Trainer *t, bool paused)
{
    t->paused = paused;
    pthread_mutex_lock(&t->mu);
    t->pub.status = paused ? TRAIN_PAUSED : TRAIN_RUNNING;
    if (!paused) {
        t->rate_t0 = now_mono();
        t->rate_samples = 0;
    }
    pthread_mutex_unlock(&t->mu);
}

static CmdOutcome refuse(TrainerReply *r, const char *why)
{
    r->done = false;
    snprintf(r->text, sizeof r->text, "%s", why);
    return CMD_NEXT;
}

/* One command, on the trainer thread with mu not held: applies it, fills
 * its reply and says what the loop does next.  A new command kind gets its
 * case here. */
static CmdOutcome apply_command(Trainer *t, const TrainerCommand *c, CmdMode mode, int epoch,
                                TrainerReply *r)
{
    TrainerCommandKind kind = c->kind;
    r->done = true;
    if (mode == MODE_STALE && kind != TRAINER_SET_HPARAMS && kind != TRAINER_SCALE_LR &&
        kind != TRAINER_SET_PACE && kind != TRAINER_SET_DATA)
        return refuse(r, "the run diverged before it was applied");
    if (kind == TRAINER_TOGGLE_PAUSE)
        kind = t->paused || mode == MODE_DIVERGED ? TRAINER_RESUME : TRAINER_PAUSE;
    switch (kind) {
    case TRAINER_PAUSE:
        if (mode == MODE_DIVERGED) return refuse(r, "the run diverged: resume or stop it");
        if (t->paused) return refuse(r, "already paused");
        set_paused(t, true);
        emit(t, EVENT_PAUSE, epoch, "paused");
        snprintf(r->text, sizeof r->text, "paused");
        return CMD_NEXT;
    case TRAINER_RESUME:
        snprintf(r->text, sizeof r->text, "resumed");
        if (mode == MODE_DIVERGED) return CMD_RESUMED;
        if (!t->paused) return refuse(r, "already running");
        t->to_epoch_end = false; /* at the pace again */
        set_paused(t, false);
        emit(t, EVENT_RESUME, epoch, "resumed");
        return CMD_NEXT;
    case TRAINER_STEP:
        if (mode == MODE_DIVERGED || !t->paused) return refuse(r, "not paused");
        emit(t, EVENT_STEP, epoch, "one batch");
        snprintf(r->text, sizeof r->text, "one batch");
        return CMD_STEP;
    case TRAINER_STEP_EPOCH:
        if (mode == MODE_DIVERGED || !t->paused) return refuse(r, "not paused");
        t->to_epoch_end = true;
        emit(t, EVENT_STEP, epoch, "to the end of epoch %d", epoch + 1);
        snprintf(r->text, sizeof r->text, "to the end of epoch %d", epoch + 1);
        return CMD_STEP;
    case TRAINER_STOP:
        /* the first stop applied ends the run: later ones are refused */
        snprintf(t->stop_why, sizeof t->stop_why, "%s", c->arg.why);
        snprintf(r->text, sizeof r->text, "stopping");
        return CMD_STOP;
    case TRAINER_SET_HPARAMS: apply_hparams(t, &c->arg.hp, epoch, r); return CMD_NEXT;
    case TRAINER_SCALE_LR: {
        /* any finite positive rate, as --lr takes; a step that would leave
         * that range (after a thousand presses) keeps the rate, and the
         * refusal says the range as --lr's does */
        HyperParams hp = t->opt.hp;
        double lr = hp.opt.lr * c->arg.factor;
        if (!(lr > 0 && isfinite(lr))) {
            r->done = false;
            snprintf(r->text, sizeof r->text,
                     "the learning rate %.4g would leave its range (expected a positive "
                     "number); it stays",
                     hp.opt.lr);
            return CMD_NEXT;
        }
        hp.opt.lr = lr;
        apply_hparams(t, &hp, epoch, r);
        return CMD_NEXT;
    }
    case TRAINER_SET_PACE:
        pthread_mutex_lock(&t->mu);
        t->pace = c->arg.pace;
        pthread_mutex_unlock(&t->mu);
        pace_format(c->arg.pace, r->text, sizeof r->text);
        return CMD_NEXT;
    case TRAINER_RESHAPE: apply_reshape(t, &c->arg.edit, epoch, r); return CMD_NEXT;
    case TRAINER_SET_DATA: apply_data(t, c->arg.data, epoch, r); return CMD_NEXT;
    default: return refuse(r, "unknown command");
    }
}

/* Records reply r as the answer to the oldest queued command, with mu
 * held, and wakes whoever awaits it. */
static void answer(Trainer *t, TrainerReply *r)
{
    r->seq = t->applied + 1;
    r->status = t->pub.status;
    t->replies[r->seq % TRAINER_MAX_REPLIES] = *r;
    t->applied = r->seq;
    t->pub.applied = r->seq;
    pthread_cond_broadcast(&t->cv);
}

/* Applies the queued commands in order, until the queue is empty or one
 * changes what the loop does (a step, a stop, a resume), which it returns. */
static CmdOutcome take_commands(Trainer *t, CmdMode mode, int epoch)
{
    for (;;) {
        pthread_mutex_lock(&t->mu);
        if (t->applied == t->sent) {
            pthread_mutex_unlock(&t->mu);
            return CMD_NEXT;
        }
        TrainerCommand c = t->queue[(t->applied + 1) % TRAINER_MAX_QUEUE];
        pthread_mutex_unlock(&t->mu);
        TrainerReply r = {.kind = c.kind};
        CmdOutcome out = apply_command(t, &c, mode, epoch, &r);
        pthread_mutex_lock(&t->mu);
        answer(t, &r);
        pthread_mutex_unlock(&t->mu);
        if (out != CMD_NEXT) return out;
    }
}

/* Waits on the condition variable, with mu held, while the model stands
 * still: trainer_copy_weights may read it meanwhile. */
static void park(Trainer *t)
{
    t->parked = true;
    pthread_cond_wait(&t->cv, &t->mu);
    t->parked = false;
}

/*
 * The batch boundary: applies the queued commands, waits while paused and
 * for the pace.  Returns STOP_NOW when a stop was applied.
 */
static int boundary(Trainer *t, int epoch)
{
    for (;;) {
        CmdOutcome out = take_commands(t, MODE_RUN, epoch);
        if (out == CMD_STOP) return STOP_NOW;
        if (out == CMD_STEP) { /* a single step goes at once, as asked */
            t->last_go = now_mono();
            return GO;
        }
        pthread_mutex_lock(&t->mu);
        if (t->applied != t->sent) { /* arrived while applying */
            pthread_mutex_unlock(&t->mu);
            continue;
        }
        if (t->paused && !t->to_epoch_end) {
            park(t);
            t->counted_to = -1; /* a pause is not running time */
            pthread_mutex_unlock(&t->mu);
            continue;
        }
        /* The pace: wait for the batch's due time on the condition
         * variable, so that any command ends the wait at once.  The rest
         * of an epoch stepped through goes at once, as a step does. */
        if (t->last_go >= 0 && !t->to_epoch_end) {
            double now = now_mono();
            double wait = pace_delay(t->pace, t->pub.steps_per_epoch, now - t->last_go);
            if (wait > 0) {
                double due = now + wait;
                struct timespec ts = {.tv_sec = (time_t)due,
                                      .tv_nsec = (long)((due - (double)(time_t)due) * 1e9)};
                if (ts.tv_nsec >= 1000000000L) ts.tv_nsec = 999999999L;
                pthread_cond_timedwait(&t->cv, &t->mu, &ts);
                /* the pace's wait is training time, not a pause: elapsed
                 * and the mean speed say how long the run took to watch.
                 * It counts from where the last batch's time ended, so
                 * that the paced batches' elapsed time spans at least
                 * their pace (from one batch's start to the next). */
                double end = now_mono();
                t->run_seconds += end - (t->counted_to >= 0 ? t->counted_to : now);
                t->counted_to = end;
                pthread_mutex_unlock(&t->mu);
                continue;
            }
        }
        double go = now_mono();
        pthread_mutex_unlock(&t->mu);
        t->last_go = go;
        return GO;
    }
}

/* The run's training time so far, pauses excluded: run_seconds and the
 * time since it last counted up to (trainer thread). */
static double running_seconds(Trainer *t)
{
    pthread_mutex_lock(&t->mu);
    double s = t->run_seconds + (t->counted_to >= 0 ? now_mono() - t->counted_to : 0);
    pthread_mutex_unlock(&t->mu);
    return s;
}

/* Publishes one batch's progress (trainer thread). */
static void publish_batch(Trainer *t, double loss, int B, long batch_in_epoch, size_t epoch_rows,
                          int epoch, double lr, double t_batch_start)
{
    double now = now_mono();
    pthread_mutex_lock(&t->mu);
    t->pub.step++;
    t->pub.batch_in_epoch = batch_in_epoch;
    t->pub.epoch_rows = (long)epoch_rows;
    t->pub.last_batch_loss = loss;
    t->pub.lr = lr;
    /* from the last time counted (after a pause: this batch's start) */
    t->run_seconds += now - (t->counted_to >= 0 ? t->counted_to : t_batch_start);
    t->counted_to = now;
    t->run_samples += B;
    t->rate_samples += B;
    double span = now - t->rate_t0;
    if (span >= 0.5) {
        t->pub.samples_per_sec = t->rate_samples / span;
        t->rate_t0 = now;
        t->rate_samples = 0;
    }
    if (t->pub.samples_per_sec > 0) {
        double left_rows = (double)(t->opt.epochs - epoch) * (double)t->train->n -
                           (double)batch_in_epoch * t->model.cap_batch;
        t->pub.eta = left_rows > 0 ? left_rows / t->pub.samples_per_sec : 0;
    }
    /* Step series: buckets of `stride` steps; when full, merge pairs. */
    if (isfinite(loss)) {
        t->bucket_sum += loss;
        t->bucket_n++;
    }
    if (t->bucket_n >= t->stride) {
        if (t->n_points == TRAINER_MAX_STEP_POINTS) {
            for (int i = 0; i < TRAINER_MAX_STEP_POINTS / 2; i++)
                t->step_loss[i] = 0.5f * (t->step_loss[2 * i] + t->step_loss[2 * i + 1]);
            t->n_points = TRAINER_MAX_STEP_POINTS / 2;
            t->stride *= 2;
        }
        t->step_loss[t->n_points++] = (float)(t->bucket_sum / (double)t->bucket_n);
        t->bucket_sum = 0;
        t->bucket_n = 0;
    }
    pthread_mutex_unlock(&t->mu);
}

/* The validation part's loss and metrics into m's val_ fields, when there
 * is one. */
static void score_val(Trainer *t, EpochMetrics *m)
{
    if (!t->val) return;
    EpochMetrics v;
    evaluate(&t->model, t->val, t->pred, t->model.cap_batch, t->target_scale, &v);
    m->val_loss = v.loss;
    m->val_accuracy = v.accuracy;
    m->val_mae = v.mae;
    m->val_r2 = v.r2;
}

/* Keeps the state at the end of an epoch (epochs epochs done): what a
 * divergence goes back to, and what a checkpoint saves of a run stopped in
 * the middle of the next epoch.  The row order is n ints beside the n x d
 * floats an epoch reads: copying it costs nothing measurable. */
static void save_good(Trainer *t, int epochs)
{
    size_t np = t->model.n_params;
    memcpy(t->good_params, t->model.params, np * sizeof(float));
    memcpy(t->good_state, t->optim.state, 3 * np * sizeof(float));
    t->good_t = t->optim.t;
    t->good_opt = t->optim.p;
    memcpy(t->good_perm, t->perm, t->train->n * sizeof(int));
    t->good_shuffle = t->rng_shuffle;
    t->good_dropout = t->rng_dropout;
    t->good_epoch = epochs;
    t->good_step = t->pub.step;
    t->good_undone = t->pub.steps_undone;
    t->good_hp = t->opt.hp;
}

/* After a divergence put the weights back (restore_good): the batches run
 * since they were kept are undone, counted apart so that the steps the
 * weights have taken can be told from those run (the step count, the
 * step series and the events go on counting batches run: the blow-up
 * stays on the chart); the epoch under way starts again. */
static void count_undone(Trainer *t)
{
    pthread_mutex_lock(&t->mu);
    t->pub.steps_undone = t->good_undone + (t->pub.step - t->good_step);
    t->pub.batch_in_epoch = 0;
    t->pub.epoch_rows = 0;
    pthread_mutex_unlock(&t->mu);
}

static void restore_good(Trainer *t)
{
    size_t np = t->model.n_params;
    memcpy(t->model.params, t->good_params, np * sizeof(float));
    memcpy(t->optim.state, t->good_state, 3 * np * sizeof(float));
    t->optim.t = t->good_t;
}

static bool params_finite(const Model *m)
{
    for (size_t i = 0; i < m->n_params; i++)
        if (!isfinite(m->params[i])) return false;
    return true;
}

typedef enum { EPOCH_OK, EPOCH_STOPPED, EPOCH_DIVERGED } EpochOutcome;

typedef struct {
    const Dataset *ds;
    const int *rows; /* the batch's rows of ds, in order */
    float *x;
    int *labels;
    float *targets;
    int B;
} GatherJob;

/* Copies share i of the batch's rows into the batch buffers. */
static void gather_share(void *ctx, int i, int n)
{
    const GatherJob *g = ctx;
    const Dataset *ds = g->ds;
    size_t d = (size_t)ds->d, lo, hi;
    team_share((size_t)g->B, 1, i, n, &lo, &hi);
    for (size_t r = lo; r < hi; r++) {
        size_t row = (size_t)g->rows[r];
        memcpy(g->x + r * d, ds->x + row * d, d * sizeof(float));
        if (ds->labels) g->labels[r] = ds->labels[row];
        if (ds->targets) g->targets[r] = ds->targets[row];
    }
}

/* One epoch over the shuffled training part.  Stopped, why says where
 * ("at the end of epoch 3", "in epoch 4, after 12 of its batches"). */
static EpochOutcome run_epoch(Trainer *t, int epoch, Tally *ty, char *why, size_t why_cap)
{
    rng_shuffle(&t->rng_shuffle, t->perm, t->train->n);
    long batch_no = 0;
    for (size_t pos = 0; pos < t->train->n;) {
        if (boundary(t, epoch) == STOP_NOW) {
            if (batch_no > 0)
                snprintf(why, why_cap, "in epoch %d, after %ld of its batches", epoch + 1,
                         batch_no);
            else if (epoch > 0)
                snprintf(why, why_cap, "at the end of epoch %d", epoch);
            else
                snprintf(why, why_cap, "before the first epoch");
            return EPOCH_STOPPED;
        }
        /* new data may have come at the boundary (TRAINER_SET_DATA): the
         * epoch goes on over it from the same position */
        const Dataset *ds = t->train;
        if (pos >= ds->n) break;
        double t0 = t->last_go; /* the batch's time starts where its pace counted from */
        int cap = t->model.cap_batch;
        int B = (int)(ds->n - pos < (size_t)cap ? ds->n - pos : (size_t)cap);
        /* Read at every batch: a rate changed mid-epoch applies at once. */
        double lr = schedule_lr(&t->sched, t->opt.hp.opt.lr, epoch);
        watch_lr(t, lr, epoch);
        GatherJob gj = {ds, t->perm + pos, t->xb, t->lb, t->tb, B};
        team_run(t->team, model_threads(&t->model, B), gather_share, &gj);
        const int *lab = ds->labels ? t->lb : NULL;
        const float *tgt = ds->targets ? t->tb : NULL;
        /* The step: forward, backward (writing the gradient), update. */
        model_forward(&t->model, t->xb, B, true, &t->rng_dropout);
        double loss = model_loss(&t->model, lab, tgt, B) + model_penalty(&t->model);
        if (!isfinite(loss)) {
            pthread_mutex_lock(&t->mu);
            t->pub.last_batch_loss = loss;
            pthread_mutex_unlock(&t->mu);
            /* the batch after the steps done, which the event is stamped
             * with: its number in its epoch, as the status panel counts
             * them (not a step that never was), and the weights gone back
             * to, stamped as the events are */
            char rate[64];
            snprintf(why, why_cap,
                     "the loss became %s in batch %ld of epoch %d, with learning rate %s. The "
                     "weights are back at epoch %d (step %ld). Lower the learning rate (try %g), "
                     "then resume.",
                     isnan(loss) ? "NaN" : "infinite", batch_no + 1, epoch + 1,
                     optimizer_format_lr(lr, 6, rate, sizeof rate), t->good_epoch,
                     t->good_step - t->good_undone, lower_lr(t, lr));
            return EPOCH_DIVERGED;
        }
        tally_batch(ty, &t->model, ds, lab, tgt, t->pred, B, loss);
        model_gradient(&t->model, lab, tgt, B);
        optimizer_step(&t->optim, t->model.params, t->model.grads, lr, t->team);
        pos += (size_t)B;
        /* the model's weights are past the last epoch's figures now (a
         * stop before this epoch ends keeps them: finish scores them) */
        if (++batch_no == 1) t->last_stale = true;
        publish_batch(t, loss, B, batch_no, pos, epoch, lr, t0);
        if (t->hooks.on_batch) {
            BatchInfo bi = {.step = t->pub.step,
                            .epoch = epoch,
                            .rows = B,
                            .lr = lr,
                            .loss = loss,
                            .hp = t->opt.hp};
            t->hooks.on_batch(t->hooks.ctx, &bi);
        }
    }
    return EPOCH_OK;
}

static void push_history(Trainer *t, const EpochMetrics *m)
{
    pthread_mutex_lock(&t->mu);
    if (t->n_history == t->cap_history) {
        int cap = t->cap_history * 2;
        EpochMetrics *h = realloc(t->history, (size_t)cap * sizeof *h);
        if (h) {
            t->history = h;
            t->cap_history = cap;
        }
    }
    if (t->n_history < t->cap_history) t->history[t->n_history++] = *m;
    t->pub.epoch = m->epoch;
    t->pub.best_epoch = t->best_epoch;
    t->pub.best_value = t->best_value;
    t->pub.wait = t->wait;
    pthread_mutex_unlock(&t->mu);
}

static void checkpoint(Trainer *t, int kept_epoch)
{
    if (t->hooks.on_checkpoint)
        t->hooks.on_checkpoint(t->hooks.ctx, &t->model, &t->optim, kept_epoch);
}

/* Hands the state at the end of the last whole epoch to on_state: the
 * weights and optimizer state are the copies save_good made, seen through
 * views of the live model and optimizer (same shape, other blocks). */
static void publish_state(Trainer *t, bool last)
{
    if (!t->hooks.on_state) return;
    Model mv = t->model;
    mv.params = t->good_params;
    Optimizer ov = t->optim;
    ov.p = t->good_opt;
    ov.state = t->good_state;
    ov.t = t->good_t;
    bool own_best = !t->opt.restore_best || t->best_epoch == 0 || t->best_epoch == t->good_epoch;
    TrainState s = {.epoch = t->good_epoch,
                    .step = t->good_step,
                    .n_rows = t->train->n,
                    .perm = t->good_perm,
                    .shuffle = t->good_shuffle,
                    .dropout = t->good_dropout,
                    .best_epoch = t->best_epoch,
                    .wait = t->wait,
                    .best_value = t->best_value,
                    .best = t->best_metrics,
                    .last = t->last_metrics.epoch == t->good_epoch ? t->last_metrics
                                                                   : (EpochMetrics){0},
                    .n_best = own_best ? 0 : t->model.n_params,
                    .best_params = own_best ? NULL : t->best_params,
                    .plateau_best = t->sched.plateau_best,
                    .plateau_scale = t->sched.plateau_scale,
                    .plateau_wait = t->sched.plateau_wait,
                    .hp = t->good_hp};
    pthread_mutex_lock(&t->mu);
    t->in_state = true;
    pthread_mutex_unlock(&t->mu);
    t->hooks.on_state(t->hooks.ctx, &mv, &ov, &s, last);
    pthread_mutex_lock(&t->mu);
    t->in_state = false;
    pthread_mutex_unlock(&t->mu);
}

static void set_serving(Trainer *t, bool serving)
{
    pthread_mutex_lock(&t->mu);
    t->serving = serving;
    if (serving) t->runner = pthread_self();
    pthread_cond_broadcast(&t->cv); /* an await with no one to answer returns */
    pthread_mutex_unlock(&t->mu);
}

/* Ends the run with status final: the last state, the kept weights and
 * their figures, the end event; then every command still queued, and any
 * sent later, is refused. */
static ErrorCode finish(Trainer *t, TrainStatus final, Error *err)
{
    int epoch = t->epoch;
    publish_state(t, true);
    /* the last epoch's evaluation and files are running time too */
    pthread_mutex_lock(&t->mu);
    if (t->counted_to >= 0) t->run_seconds += now_mono() - t->counted_to;
    t->counted_to = -1; /* a diverged run resumed counts again from its next batch */
    pthread_mutex_unlock(&t->mu);
    /* Keep the best weights under --restore-best, else the last ones. */
    TrainResult *r = &t->result;
    memset(r, 0, sizeof *r);
    r->status = final;
    r->epochs = t->start_epoch + t->n_history;
    r->steps = t->pub.step;
    if (t->opt.restore_best && t->best_epoch > 0) {
        memcpy(t->model.params, t->best_params, t->model.n_params * sizeof(float));
        r->best_epoch = t->best_epoch;
        r->kept = t->best_metrics;
        if (t->best_epoch != t->last_metrics.epoch)
            emit(t, EVENT_RESTORE, epoch, "restored the weights of epoch %d", t->best_epoch);
    } else {
        r->best_epoch = t->best_epoch;
        r->kept = t->last_metrics;
    }
    bool kept_best = t->opt.restore_best && t->best_epoch > 0;
    /* the last epoch's figures are of the weights kept: that epoch ended
     * here, in this run or (a resume stopped before its first batch) in
     * the one its checkpoint's LAST is from */
    bool last_own = t->last_metrics.epoch > 0 && t->last_metrics.epoch == epoch && !t->last_stale;
    if (!kept_best && !last_own) {
        /* No epoch finished (diverged or stopped in the first; a resumed
         * run's best epoch keeps its own figures), or the network, the data
         * or the weights changed since the last one: score the weights that
         * are kept (after a divergence, the initial ones) on the data there
         * is now, so that the result line's figures are true. */
        EpochMetrics k = {.epoch = r->epochs, /* a resumed run's too: its weights */
                          .has_val = t->val != NULL,
                          .lr = t->opt.hp.opt.lr,
                          .wall_time = now_wall()};
        evaluate(&t->model, t->train, t->pred, t->model.cap_batch, t->target_scale, &k);
        score_val(t, &k);
        r->kept = k;
    }
    if (t->test) {
        EpochMetrics tm;
        evaluate(&t->model, t->test, t->pred, t->model.cap_batch, t->target_scale, &tm);
        r->has_test = true;
        r->test_loss = tm.loss;
        r->test_accuracy = tm.accuracy;
        r->test_mae = tm.mae;
        r->test_r2 = tm.r2;
    }
    checkpoint(t, r->kept.epoch);
    emit(t, EVENT_END, epoch, "%s after %d epoch%s", train_status_key(final), r->epochs,
         r->epochs == 1 ? "" : "s");
    pthread_mutex_lock(&t->mu);
    t->pub.status = final;
    t->ended = true;
    while (t->applied != t->sent) {
        TrainerReply rep = {.kind = t->queue[(t->applied + 1) % TRAINER_MAX_QUEUE].kind};
        refuse(&rep, "the run has ended");
        answer(t, &rep);
    }
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
    t->open = false;
    if (final == TRAIN_DIVERGED)
        return error_set(err, ERROR_DIVERGED, "training diverged: %s", t->why);
    return ERROR_NONE;
}

/* The start of a run, once: the start event, the state a divergence goes
 * back to, and model.gtm put back in step with a resumed checkpoint. */
static void begin(Trainer *t)
{
    t->started = true;
    t->t_start = now_mono();
    t->rate_t0 = t->t_start;
    emit(t, EVENT_START, t->start_epoch, "training %s: %zu rows, %d features, %d epochs",
         t->train->name, t->train->n, t->train->d, t->opt.epochs);
    watch_lr(t, schedule_lr(&t->sched, t->opt.hp.opt.lr, t->start_epoch), t->start_epoch);
    if (t->paused) emit(t, EVENT_PAUSE, t->start_epoch, "paused"); /* --paused */
    save_good(t, t->start_epoch);
    /* A crash between a new best's model.gtm and the next checkpoint
     * leaves model.gtm ahead of the epoch the run goes on from: it gets
     * the checkpoint's kept weights again, so that it says no more than
     * the files cut back to that epoch. */
    if (t->restored && t->opt.restore_best && t->best_epoch > 0 && t->hooks.on_checkpoint) {
        Model best = t->model;
        best.params = t->best_params;
        bool own = t->best_epoch == t->start_epoch; /* the optimizer state is of those weights */
        t->hooks.on_checkpoint(t->hooks.ctx, &best, own ? &t->optim : NULL, t->best_epoch);
    }
    t->epoch = t->start_epoch;
}

ErrorCode trainer_run(Trainer *t, Error *err)
{
    if (t->ended) return error_set(err, ERROR_RUNTIME, "the run has already ended");
    set_serving(t, true);
    if (!t->started) {
        begin(t);
    } else if (t->open) {
        /* a diverged run taken up again: the same epoch, from the last
         * finite weights */
        t->open = false;
        t->paused = false;
        emit(t, EVENT_RESUME, t->epoch, "resumed from the last finite weights");
        pthread_mutex_lock(&t->mu);
        t->pub.message[0] = '\0';
        pthread_mutex_unlock(&t->mu);
        set_status(t, TRAIN_RUNNING);
    }
    TrainStatus final = TRAIN_DONE;
    while (t->epoch < t->opt.epochs) {
        int epoch = t->epoch;
        double s0 = running_seconds(t); /* an epoch's seconds leave its pauses out */
        Tally ty = {0};
        EpochOutcome oc = run_epoch(t, epoch, &ty, t->why, sizeof t->why);
        t->to_epoch_end = false; /* paused again at the next epoch's first batch */
        if (oc == EPOCH_STOPPED) {
            final = TRAIN_STOPPED;
            emit(t, EVENT_STOP, epoch, "stopped %s%s%s", t->why, t->stop_why[0] ? ": " : "",
                 t->stop_why);
            break;
        }
        EpochMetrics m = {.epoch = epoch + 1, .wall_time = now_wall(), .has_val = t->val != NULL};
        m.lr = schedule_lr(&t->sched, t->opt.hp.opt.lr, epoch);
        if (oc == EPOCH_OK) {
            tally_finish(&ty, t->target_scale, &m.loss, &m.accuracy, &m.mae, &m.r2);
            score_val(t, &m);
            if (!isfinite(m.loss) || (m.has_val && !isfinite(m.val_loss)) ||
                !params_finite(&t->model)) {
                char rate[64];
                snprintf(t->why, sizeof t->why,
                         "the weights or the validation loss became non-finite in epoch %d "
                         "with learning rate %s. The weights are back at epoch %d (step %ld). "
                         "Lower the learning rate (try %g), then resume.",
                         epoch + 1, optimizer_format_lr(m.lr, 6, rate, sizeof rate), t->good_epoch,
                         t->good_step - t->good_undone, lower_lr(t, m.lr));
                oc = EPOCH_DIVERGED;
                if (!isfinite(m.loss)) {
                    pthread_mutex_lock(&t->mu);
                    t->pub.last_batch_loss = m.loss;
                    pthread_mutex_unlock(&t->mu);
                }
            }
        }
        if (oc == EPOCH_DIVERGED) {
            restore_good(t);
            count_undone(t);
            emit(t, EVENT_DIVERGED, epoch, "%s", t->why);
            pthread_mutex_lock(&t->mu);
            snprintf(t->pub.message, sizeof t->pub.message, "%s", t->why);
            t->pub.status = TRAIN_DIVERGED;
            pthread_cond_broadcast(&t->cv);
            pthread_mutex_unlock(&t->mu);
            /* A command sent once DIVERGED shows answers it; of those sent
             * before, only changes are kept (a pause must not resume it). */
            take_commands(t, MODE_STALE, epoch);
            if (t->interactive) {
                t->open = true;
                set_serving(t, false);
                return error_set(err, ERROR_DIVERGED, "training diverged: %s", t->why);
            }
            final = TRAIN_DIVERGED;
            break;
        }
        m.step = t->pub.step;
        m.seconds = running_seconds(t) - s0;
        save_good(t, m.epoch);

        /* Early stopping, as Keras's EarlyStopping callback. */
        double v = epoch_metrics_value(&m, t->monitor_field);
        bool better = monitor_improves(v, t->best_value, t->monitor_max, t->opt.min_delta);
        bool new_best = better || t->best_epoch == 0;
        if (new_best) {
            t->best_value = v;
            t->best_epoch = m.epoch;
            t->best_metrics = m;
            t->wait = 0;
            if (t->opt.restore_best)
                memcpy(t->best_params, t->model.params, t->model.n_params * sizeof(float));
        } else {
            t->wait++;
        }
        t->last_metrics = m;
        t->last_stale = false;
        push_history(t, &m);
        if (t->hooks.on_epoch) t->hooks.on_epoch(t->hooks.ctx, &m);
        /* after on_epoch, so that the saved progress counts this epoch */
        if (new_best && t->opt.restore_best) checkpoint(t, m.epoch);

        if (schedule_observe(&t->sched, v, t->opt.hp.opt.lr)) {
            char rate[64];
            emit(t, EVENT_SCHEDULE, epoch, "plateau: lr -> %s",
                 optimizer_format_lr(schedule_lr(&t->sched, t->opt.hp.opt.lr, epoch + 1), 6, rate,
                                     sizeof rate));
        }
        t->epoch = ++epoch;
        watch_lr(t, schedule_lr(&t->sched, t->opt.hp.opt.lr, epoch), epoch);
        publish_state(t, false);
        if (t->opt.hp.patience > 0 && t->wait >= t->opt.hp.patience) {
            final = TRAIN_EARLY_STOPPED;
            emit(t, EVENT_EARLY_STOP, epoch,
                 "early stop: %s did not improve for %d epoch%s (best %.4g at epoch %d)",
                 t->pub.monitor, t->wait, t->wait == 1 ? "" : "s", t->best_value, t->best_epoch);
            break;
        }
    }
    ErrorCode rc = finish(t, final, err);
    set_serving(t, false);
    return rc;
}

bool trainer_wait(Trainer *t)
{
    if (!t->open) return false;
    set_serving(t, true);
    CmdOutcome out = CMD_NEXT;
    while (out != CMD_RESUMED && out != CMD_STOP) {
        pthread_mutex_lock(&t->mu);
        while (t->applied == t->sent) park(t);
        pthread_mutex_unlock(&t->mu);
        out = take_commands(t, MODE_DIVERGED, t->epoch);
    }
    set_serving(t, false);
    return out == CMD_RESUMED;
}

ErrorCode trainer_end(Trainer *t, Error *err)
{
    if (!t->open) return ERROR_NONE;
    return finish(t, TRAIN_DIVERGED, err);
}

ErrorCode trainer_adopt(Trainer *t, Trainer *donor, const Options *o, const char *note, Error *err)
{
    size_t np = t->model.n_params;
    if (donor->model.n_params != np)
        return error_set(err, ERROR_INPUT, "the donor's network has %zu parameters, this one %zu",
                         donor->model.n_params, np);
    /* the model changes: trainer_copy_weights waits for none of it */
    pthread_mutex_lock(&t->mu);
    bool in_state = t->in_state;
    t->in_state = false;
    pthread_mutex_unlock(&t->mu);
    int epoch = t->good_epoch;
    emit(t, EVENT_CHANGE, epoch, "exploit: %s", note);
    memcpy(t->model.params, donor->good_params, np * sizeof(float));
    /* The donor's optimizer as it is, then the explored parameters over
     * it: a kind that changes resets the state, one that stays keeps the
     * donor's moments. */
    memcpy(t->optim.state, donor->good_state, 3 * np * sizeof(float));
    t->optim.t = donor->good_t;
    t->optim.p = donor->good_opt;
    /* the change line goes from this run's own rates, not the donor's */
    HyperParams own = t->opt.hp;
    t->opt.hp.opt = donor->good_opt;
    TrainerReply reply = {.done = true};
    apply_hparams_from(t, &o->hp, &own, epoch, &reply);
    t->best_epoch = 0;
    t->last_stale = true;
    t->last_metrics.epoch = 0; /* of other weights: no checkpoint's LAST */
    t->wait = 0;
    t->best_value = monitor_worst(t->monitor_max);
    save_good(t, t->good_epoch);
    pthread_mutex_lock(&t->mu);
    t->pub.best_epoch = 0;
    t->pub.best_value = t->best_value;
    t->pub.wait = 0;
    t->in_state = in_state;
    pthread_mutex_unlock(&t->mu);
    return ERROR_NONE;
}

ErrorCode trainer_load_state(Trainer *t, const float *params, size_t n_params, const float *state,
                             OptimizerKind kind, long opt_t, int epochs_done, long steps_done,
                             Error *err)
{
    if (n_params != t->model.n_params)
        return error_set(err, ERROR_INPUT, "the saved model has %zu parameters, this network %zu",
                         n_params, t->model.n_params);
    if (epochs_done < 0 || epochs_done >= t->opt.epochs)
        return error_set(err, ERROR_INPUT,
                         "the run already did %d epochs: give --epochs more than that to go on",
                         epochs_done);
    memcpy(t->model.params, params, n_params * sizeof(float));
    if (state && kind == t->optim.p.kind) {
        memcpy(t->optim.state, state, 3 * n_params * sizeof(float));
        t->optim.t = opt_t;
    }
    t->start_epoch = epochs_done;
    pthread_mutex_lock(&t->mu);
    t->pub.step = steps_done;
    t->pub.epoch = epochs_done;
    pthread_mutex_unlock(&t->mu);
    return ERROR_NONE;
}

ErrorCode trainer_adopt_shape(Trainer *t, const ModelShape *s, Error *err)
{
    const ModelShape *m = &t->model.shape;
    if (reshape_same_shape(s, m)) return ERROR_NONE;
    int L = s->n_layers;
    if (s->sizes[0] != m->sizes[0] || s->sizes[L] != m->sizes[m->n_layers] ||
        s->output != m->output || s->loss != m->loss)
        return error_set(err, ERROR_INPUT,
                         "the saved network takes %d inputs to %d %s outputs; this data needs %d "
                         "to %d %s",
                         s->sizes[0], s->sizes[L], output_name(s->output), m->sizes[0],
                         m->sizes[m->n_layers], output_name(m->output));
    Copies c;
    if (!copies_alloc(&c, reshape_count_params(s)))
        return error_set(err, ERROR_RUNTIME, "out of memory");
    Rng r; /* the weights are replaced by the saved ones */
    rng_seed(&r, t->opt.seed);
    ErrorCode rc = reshape_rebuild(&t->model, &t->optim, s, &r, err);
    if (rc) {
        copies_free(&c);
        return rc;
    }
    copies_install(t, &c);
    pthread_mutex_lock(&t->mu);
    t->pub.shape = t->model.shape;
    pthread_mutex_unlock(&t->mu);
    return ERROR_NONE;
}

/* The field that monitor names in this trainer's run: a val_ one falls
 * back to its training counterpart without a validation part. */
static int run_monitor_field(const Trainer *t, const char *monitor)
{
    int field = monitor_field_or_default(monitor);
    if (!t->val && field >= MONITOR_VAL_LOSS) field -= MONITOR_VAL_LOSS;
    return field;
}

ErrorCode trainer_restore(Trainer *t, const TrainState *s, const char *monitor, Error *err)
{
    size_t n = t->train->n;
    if (s->n_rows != n || !s->perm)
        return error_set(err, ERROR_INPUT,
                         "the checkpoint's data order has %zu rows, this run's training part %zu",
                         s->n_rows, n);
    if (s->epoch != t->start_epoch)
        return error_set(err, ERROR_INPUT, "the checkpoint is of epoch %d, its weights of epoch %d",
                         s->epoch, t->start_epoch);
    if (s->n_best && s->n_best != t->model.n_params)
        return error_set(err, ERROR_INPUT,
                         "the checkpoint's best weights have %zu parameters, this network %zu",
                         s->n_best, t->model.n_params);
    /* a permutation of the rows, or the next epoch would read out of bounds */
    bool *seen = calloc(n, sizeof *seen);
    if (!seen) return error_set(err, ERROR_RUNTIME, "out of memory");
    for (size_t i = 0; i < n; i++) {
        int r = s->perm[i];
        if (r < 0 || (size_t)r >= n || seen[r]) {
            free(seen);
            return error_set(err, ERROR_INPUT,
                             "the checkpoint's data order is not a permutation of the %zu rows", n);
        }
        seen[r] = true;
    }
    free(seen);
    memcpy(t->perm, s->perm, n * sizeof(int));
    t->rng_shuffle = s->shuffle;
    t->rng_dropout = s->dropout;
    /* Early stopping and reduce-on-plateau: the same monitor goes on where
     * it was; another one keeps the best epoch, valued by this run's
     * monitor, and counts its patience anew (as trainer_seed_best). */
    bool same = run_monitor_field(t, monitor) == t->monitor_field;
    t->sched.plateau_scale = s->plateau_scale;
    t->sched.plateau_best = same ? s->plateau_best : monitor_worst(t->monitor_max);
    t->sched.plateau_wait = same ? s->plateau_wait : 0;

    double v = same ? s->best_value : epoch_metrics_value(&s->best, t->monitor_field);
    bool weights = !t->opt.restore_best || s->best_epoch == s->epoch || s->n_best > 0;
    if (s->best_epoch > 0 && weights && isfinite(v)) {
        t->best_epoch = s->best_epoch;
        t->best_value = v;
        t->best_metrics = s->best;
        t->wait = same ? s->wait : 0;
        /* a run that stopped early is resumed to train on: counting on
         * from its patience would stop it again after one epoch */
        if (t->opt.hp.patience > 0 && t->wait >= t->opt.hp.patience) t->wait = 0;
        if (t->opt.restore_best)
            memcpy(t->best_params, s->n_best ? s->best_params : t->model.params,
                   t->model.n_params * sizeof(float));
    }
    /* the checkpoint's epoch's own figures, so that the next checkpoint
     * still has them when no epoch follows (a run stopped at once) */
    if (s->last.epoch == s->epoch && s->epoch > 0) t->last_metrics = s->last;
    t->restored = true;
    pthread_mutex_lock(&t->mu);
    t->pub.best_epoch = t->best_epoch;
    t->pub.best_value = t->best_value;
    t->pub.wait = t->wait;
    pthread_mutex_unlock(&t->mu);
    return ERROR_NONE;
}

void trainer_seed_best(Trainer *t, const EpochMetrics *earlier, int n, const char *monitor,
                       double min_delta, int kept_epoch)
{
    if (!t->opt.restore_best) return;
    /* The epoch the earlier run kept: as recorded (the last row of that
     * number, after an interrupted run's rows were written again), else by
     * its own rule. */
    int best = -1;
    for (int i = 0; i < n && kept_epoch > 0; i++)
        if (earlier[i].epoch == kept_epoch) best = i;
    int field = run_monitor_field(t, monitor);
    bool max = monitor_higher_is_better(field);
    double best_v = monitor_worst(max);
    bool replay = best < 0;
    for (int i = 0; replay && i < n; i++) {
        double v = epoch_metrics_value(&earlier[i], field);
        if (!isfinite(v)) continue;
        if (best < 0 || monitor_improves(v, best_v, max, min_delta)) {
            best = i;
            best_v = v;
        }
    }
    /* Its value by this run's monitor is the one to beat. */
    double v = best < 0 ? NAN : epoch_metrics_value(&earlier[best], t->monitor_field);
    if (!isfinite(v)) return;
    t->best_value = v;
    t->best_epoch = earlier[best].epoch;
    t->best_metrics = earlier[best];
    memcpy(t->best_params, t->model.params, t->model.n_params * sizeof(float));
    pthread_mutex_lock(&t->mu);
    t->pub.best_epoch = t->best_epoch;
    t->pub.best_value = t->best_value;
    pthread_mutex_unlock(&t->mu);
}

void trainer_result(Trainer *t, TrainResult *r)
{
    *r = t->result;
}

/* train_figure_text's precision: FIGURE_DECIMALS decimals, and from
 * FIGURE_EXP_FROM on FIGURE_DIGITS significant digits (train_figure_rounding
 * reads the same). */
enum { FIGURE_DECIMALS = 4, FIGURE_DIGITS = 4 };
#define FIGURE_EXP_FROM 1e6

const char *train_figure_text(char b[32], double v)
{
    if (!isfinite(v) || fabs(v) < FIGURE_EXP_FROM)
        snprintf(b, 32, "%.*f", FIGURE_DECIMALS, v);
    else
        snprintf(b, 32, "%.*g", FIGURE_DIGITS, v);
    return b;
}

double train_rounding_g(double v, int digits)
{
    if (!isfinite(v) || v == 0) return 0;
    return 0.5 * pow(10, floor(log10(fabs(v))) + 1 - digits);
}

double train_figure_rounding(double v)
{
    if (isfinite(v) && fabs(v) >= FIGURE_EXP_FROM) return train_rounding_g(v, FIGURE_DIGITS);
    return 0.5 * pow(10, -FIGURE_DECIMALS);
}

size_t train_result_text(const TrainResult *r, Task task, char *buf, size_t cap)
{
    size_t n = 0;
    char f1[32], f2[32];
#define ADD(...)                                                                                   \
    n += (size_t)snprintf(buf + (n < cap ? n : cap), n < cap ? cap - n : 0, __VA_ARGS__)
    /* one metric pair or two: "accuracy=…", or "mae=… r2=…" */
#define METRICS(prefix, acc, mae, r2)                                                              \
    do {                                                                                           \
        if (task == TASK_REGRESSION)                                                               \
            ADD(" %smae=%s %sr2=%s", prefix, train_figure_text(f1, mae), prefix,                   \
                train_figure_text(f2, r2));                                                        \
        else                                                                                       \
            ADD(" %saccuracy=%s", prefix, train_figure_text(f1, acc));                             \
    } while (0)
    const EpochMetrics *k = &r->kept;
    ADD("status=%s epochs=%d best_epoch=%d loss=%s", train_status_key(r->status), r->epochs,
        r->best_epoch, train_figure_text(f1, k->loss));
    METRICS("", k->accuracy, k->mae, k->r2);
    if (k->has_val) {
        ADD(" val_loss=%s", train_figure_text(f1, k->val_loss));
        METRICS("val_", k->val_accuracy, k->val_mae, k->val_r2);
    }
    if (r->has_test) {
        ADD(" test_loss=%s", train_figure_text(f1, r->test_loss));
        METRICS("test_", r->test_accuracy, r->test_mae, r->test_r2);
    }
#undef METRICS
#undef ADD
    if (cap) buf[n < cap ? n : cap - 1] = '\0';
    return n;
}

long trainer_send(Trainer *t, const TrainerCommand *c)
{
    pthread_mutex_lock(&t->mu);
    long seq = 0;
    if (t->ended) {
        /* nothing is queued once the run ended: the answer is at once */
        TrainerReply r = {.kind = c->kind};
        refuse(&r, "the run has ended");
        t->sent++;
        answer(t, &r);
        seq = t->sent;
    } else if (t->sent - t->applied < TRAINER_MAX_QUEUE) {
        seq = ++t->sent;
        t->queue[seq % TRAINER_MAX_QUEUE] = *c;
        pthread_cond_broadcast(&t->cv);
    }
    pthread_mutex_unlock(&t->mu);
    return seq;
}

/* With t->mu held. */
static bool reply_of(const Trainer *t, long seq, TrainerReply *r)
{
    if (seq <= 0 || seq > t->applied || t->applied - seq >= TRAINER_MAX_REPLIES) return false;
    *r = t->replies[seq % TRAINER_MAX_REPLIES];
    return true;
}

bool trainer_reply(Trainer *t, long seq, TrainerReply *r)
{
    pthread_mutex_lock(&t->mu);
    bool got = reply_of(t, seq, r);
    pthread_mutex_unlock(&t->mu);
    return got;
}

bool trainer_await(Trainer *t, long seq, TrainerReply *r)
{
    pthread_mutex_lock(&t->mu);
    /* the trainer thread itself (a hook) would wait for itself */
    bool self = t->serving && pthread_equal(t->runner, pthread_self());
    while (!self && seq > t->applied && seq <= t->sent && t->serving)
        pthread_cond_wait(&t->cv, &t->mu);
    bool got = reply_of(t, seq, r);
    pthread_mutex_unlock(&t->mu);
    return got;
}

static long send_kind(Trainer *t, TrainerCommandKind kind)
{
    return trainer_send(t, &(TrainerCommand){.kind = kind});
}

long trainer_pause(Trainer *t)
{
    return send_kind(t, TRAINER_PAUSE);
}

long trainer_resume(Trainer *t)
{
    return send_kind(t, TRAINER_RESUME);
}

long trainer_toggle_pause(Trainer *t)
{
    return send_kind(t, TRAINER_TOGGLE_PAUSE);
}

long trainer_step_once(Trainer *t)
{
    return send_kind(t, TRAINER_STEP);
}

long trainer_step_epoch(Trainer *t)
{
    return send_kind(t, TRAINER_STEP_EPOCH);
}

long trainer_stop(Trainer *t)
{
    return send_kind(t, TRAINER_STOP);
}

long trainer_stop_why(Trainer *t, const char *why)
{
    TrainerCommand c = {.kind = TRAINER_STOP};
    snprintf(c.arg.why, sizeof c.arg.why, "%s", why ? why : "");
    return trainer_send(t, &c);
}

long trainer_scale_lr(Trainer *t, double factor)
{
    return trainer_send(t, &(TrainerCommand){.kind = TRAINER_SCALE_LR, .arg.factor = factor});
}

long trainer_set_hparams(Trainer *t, const HyperParams *hp)
{
    return trainer_send(t, &(TrainerCommand){.kind = TRAINER_SET_HPARAMS, .arg.hp = *hp});
}

long trainer_set_pace(Trainer *t, Pace p)
{
    return trainer_send(t, &(TrainerCommand){.kind = TRAINER_SET_PACE, .arg.pace = p});
}

long trainer_reshape(Trainer *t, const ReshapeEdit *e)
{
    return trainer_send(t, &(TrainerCommand){.kind = TRAINER_RESHAPE, .arg.edit = *e});
}

long trainer_set_data(Trainer *t, TrainerData *d)
{
    return trainer_send(t, &(TrainerCommand){.kind = TRAINER_SET_DATA, .arg.data = d});
}

TrainStatus trainer_status(Trainer *t)
{
    pthread_mutex_lock(&t->mu);
    TrainStatus s = t->pub.status;
    pthread_mutex_unlock(&t->mu);
    return s;
}

void trainer_get_hparams(Trainer *t, HyperParams *hp)
{
    pthread_mutex_lock(&t->mu);
    *hp = t->pub.hp;
    pthread_mutex_unlock(&t->mu);
}

Pace trainer_pace(Trainer *t)
{
    pthread_mutex_lock(&t->mu);
    Pace p = t->pace;
    pthread_mutex_unlock(&t->mu);
    return p;
}

double pace_delay(Pace p, long batches_per_epoch, double since_last)
{
    double gap = 0;
    if (p.unit == PACE_EPOCHS && p.rate > 0)
        gap = 1.0 / (p.rate * (double)(batches_per_epoch > 0 ? batches_per_epoch : 1));
    else if (p.unit == PACE_BATCHES && p.rate > 0)
        gap = 1.0 / p.rate;
    return since_last < gap ? gap - since_last : 0;
}

ErrorCode trainer_snapshot_init(TrainerSnapshot *s, const Trainer *t, Error *err)
{
    memset(s, 0, sizeof *s);
    s->step_loss = malloc(TRAINER_MAX_STEP_POINTS * sizeof(float));
    s->events = malloc(TRAINER_MAX_EVENTS * sizeof(TrainEvent));
    s->cap_epochs = 64;
    s->history = malloc((size_t)s->cap_epochs * sizeof(EpochMetrics));
    if (!s->step_loss || !s->events || !s->history) {
        trainer_snapshot_free(s);
        return error_set(err, ERROR_RUNTIME, "out of memory");
    }
    (void)t;
    return ERROR_NONE;
}

/* Grows the snapshot's history to hold the trainer's, outside the mutex:
 * the trainer thread never waits for an allocation of another thread's. */
static void snapshot_grow(Trainer *t, TrainerSnapshot *s)
{
    for (;;) {
        pthread_mutex_lock(&t->mu);
        int need = t->n_history;
        pthread_mutex_unlock(&t->mu);
        if (need <= s->cap_epochs) return;
        int cap = s->cap_epochs;
        while (cap < need) cap *= 2;
        EpochMetrics *h = realloc(s->history, (size_t)cap * sizeof *h);
        if (!h) return; /* the copy keeps the epochs it has room for */
        s->history = h;
        s->cap_epochs = cap;
    }
}

void trainer_snapshot(Trainer *t, TrainerSnapshot *s)
{
    snapshot_grow(t, s);
    pthread_mutex_lock(&t->mu);
    EpochMetrics *hist = s->history;
    float *sl = s->step_loss;
    TrainEvent *ev = s->events;
    int cap = s->cap_epochs, have = s->n_epochs;
    *s = t->pub;
    s->history = hist;
    s->step_loss = sl;
    s->events = ev;
    s->cap_epochs = cap;
    s->pace = t->pace;
    /* epochs added between the growth and here wait for the next copy */
    int n = t->n_history < cap ? t->n_history : cap;
    if (have > n) have = 0; /* a different trainer: copy all */
    memcpy(hist + have, t->history + have, (size_t)(n - have) * sizeof *hist);
    s->n_epochs = n;
    memcpy(sl, t->step_loss, (size_t)t->n_points * sizeof *sl);
    s->n_points = t->n_points;
    s->step_stride = t->stride;
    long total = t->n_events_total;
    int ne = total < TRAINER_MAX_EVENTS ? (int)total : TRAINER_MAX_EVENTS;
    for (int i = 0; i < ne; i++) ev[i] = t->events[(total - ne + i) % TRAINER_MAX_EVENTS];
    s->n_events = ne;
    s->elapsed = t->run_seconds;
    s->samples = t->run_samples;
    pthread_mutex_unlock(&t->mu);
}

void trainer_snapshot_free(TrainerSnapshot *s)
{
    free(s->history);
    free(s->step_loss);
    free(s->events);
    memset(s, 0, sizeof *s);
}
