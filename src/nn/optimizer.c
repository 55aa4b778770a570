/*
 * optimizer.c - Keras 3's update rules, on one contiguous state block.
 * See optimizer.h.  Sources: keras/src/optimizers/sgd.py, adam.py,
 * rmsprop.py, adamw.py, adagrad.py.
 */
#include "gradtop/nn/optimizer.h"

#include "gradtop/core/sysmem.h"
#include "gradtop/nn/monitor.h"
#include "gradtop/nn/team.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const optimizer_names[] = {"sgd", "adam", "rmsprop", "adamw", "adagrad", NULL};
const char *const schedule_names[] = {"constant", "step", "exponential", "cosine", "plateau", NULL};

double optimizer_default_lr(OptimizerKind kind)
{
    /* keras/src/optimizers/sgd.py: learning_rate=0.01; adam.py, adamw.py,
     * rmsprop.py, adagrad.py: learning_rate=0.001 */
    return kind == OPTIMIZER_SGD ? 0.01 : 0.001;
}

LrFloat optimizer_lr_float(double lr)
{
    if (!(lr > 0)) return LR_FLOAT_NORMAL; /* 0 (a schedule's floor) is 0 in double too */
    float f = (float)lr;
    if (isinf(f)) return LR_FLOAT_INF;
    if (f == 0) return LR_FLOAT_ZERO;
    return f < FLT_MIN ? LR_FLOAT_SUBNORMAL : LR_FLOAT_NORMAL;
}

/* What each class of rate is called and does; NULL for a normal one. */
static const struct {
    const char *note, *word, *effect;
} lr_float_texts[] = {
    [LR_FLOAT_NORMAL] = {NULL, NULL, NULL},
    [LR_FLOAT_SUBNORMAL] = {"subnormal in float32", "subnormal", "too small to move the weights"},
    [LR_FLOAT_ZERO] = {"0 in float32", "0", "the weights cannot move"},
    [LR_FLOAT_INF] = {"inf in float32", "inf", "the next step diverges"},
};

const char *optimizer_lr_float_note(double lr)
{
    return lr_float_texts[optimizer_lr_float(lr)].note;
}

const char *optimizer_lr_float_word(double lr)
{
    return lr_float_texts[optimizer_lr_float(lr)].word;
}

const char *optimizer_lr_float_effect(double lr)
{
    return lr_float_texts[optimizer_lr_float(lr)].effect;
}

char *optimizer_format_lr(double lr, int digits, char *buf, size_t cap)
{
    const char *note = optimizer_lr_float_note(lr);
    if (note)
        snprintf(buf, cap, "%.*g (%s)", digits, lr, note);
    else
        snprintf(buf, cap, "%.*g", digits, lr);
    return buf;
}

void optimizer_params_default(OptimizerParams *p, OptimizerKind kind)
{
    double lr = p->lr > 0 ? p->lr : optimizer_default_lr(kind);
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->lr = lr;
    /* Keras 3 defaults (keras/src/optimizers/ adam.py, rmsprop.py, ...). */
    p->beta1 = 0.9;
    p->beta2 = 0.999;
    p->eps = 1e-7;
    p->rho = 0.9;
    p->weight_decay = 0.004;
    p->initial_accumulator = 0.1;
}

ErrorCode optimizer_create(Optimizer *o, const OptimizerParams *p, size_t n, Error *err)
{
    memset(o, 0, sizeof *o);
    o->state = malloc(3 * n * sizeof(float) + 1);
    sysmem_hugepages(o->state, 3 * n * sizeof(float));
    if (!o->state)
        return error_set(err, ERROR_RUNTIME, "out of memory: optimizer state needs %.0f MB",
                         3.0 * (double)n * 4 / 1e6);
    o->n = n;
    o->p = *p;
    optimizer_reset(o);
    return ERROR_NONE;
}

void optimizer_free(Optimizer *o)
{
    free(o->state);
    memset(o, 0, sizeof *o);
}

void optimizer_reset(Optimizer *o)
{
    o->t = 0;
    memset(o->state, 0, 3 * o->n * sizeof(float));
    if (o->p.kind == OPTIMIZER_ADAGRAD) {
        float a0 = (float)o->p.initial_accumulator;
        for (size_t i = 0; i < o->n; i++) o->state[i] = a0;
    }
}

void optimizer_set(Optimizer *o, const OptimizerParams *p)
{
    bool reset =
        p->kind != o->p.kind || (p->kind == OPTIMIZER_ADAGRAD &&
                                 p->initial_accumulator != o->p.initial_accumulator && o->t == 0);
    o->p = *p;
    if (reset) optimizer_reset(o);
}

static void step_sgd(const Optimizer *o, float *w, const float *g, float lr, size_t lo, size_t n)
{
    const OptimizerParams *p = &o->p;
    if (p->momentum == 0) {
        for (size_t i = 0; i < n; i++) w[i] -= lr * g[i];
        return;
    }
    /* v = μ·v − lr·g; w += v, or w += μ·v − lr·g with Nesterov. */
    float mu = (float)p->momentum;
    float *v = o->state + lo;
    if (p->nesterov) {
        for (size_t i = 0; i < n; i++) {
            v[i] = mu * v[i] - lr * g[i];
            w[i] += mu * v[i] - lr * g[i];
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            v[i] = mu * v[i] - lr * g[i];
            w[i] += v[i];
        }
    }
}

/* Adam's step size at update t (already counted), from its bias corrections:
 * lr·sqrt(1 − β₂ᵗ)/(1 − β₁ᵗ), Keras's form. */
static float adam_alpha(const Optimizer *o, double lr)
{
    double t = (double)o->t;
    return (float)(lr * sqrt(1.0 - pow(o->p.beta2, t)) / (1.0 - pow(o->p.beta1, t)));
}

static void step_adam(const Optimizer *o, float *w, const float *g, double lr, float alpha,
                      bool decoupled, size_t lo, size_t n)
{
    const OptimizerParams *p = &o->p;
    float *m = o->state + lo, *v = o->state + o->n + lo, *vhat = o->state + 2 * o->n + lo;
    if (decoupled && p->weight_decay > 0) {
        /* AdamW (Loshchilov and Hutter 2019): w −= w·wd·lr before the step. */
        float d = (float)(p->weight_decay * lr);
        for (size_t i = 0; i < n; i++) w[i] -= w[i] * d;
    }
    float b1 = (float)(1.0 - p->beta1), b2 = (float)(1.0 - p->beta2), eps = (float)p->eps;
    if (p->amsgrad) {
        for (size_t i = 0; i < n; i++) {
            m[i] += (g[i] - m[i]) * b1;
            v[i] += (g[i] * g[i] - v[i]) * b2;
            vhat[i] = vhat[i] > v[i] ? vhat[i] : v[i];
            w[i] -= alpha * m[i] / (sqrtf(vhat[i]) + eps);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            m[i] += (g[i] - m[i]) * b1;
            v[i] += (g[i] * g[i] - v[i]) * b2;
            w[i] -= alpha * m[i] / (sqrtf(v[i]) + eps);
        }
    }
}

static void step_rmsprop(const Optimizer *o, float *w, const float *g, float lr, size_t lo,
                         size_t n)
{
    const OptimizerParams *p = &o->p;
    float *v = o->state + lo, *mom = o->state + o->n + lo, *mg = o->state + 2 * o->n + lo;
    float rho = (float)p->rho, eps = (float)p->eps, mu = (float)p->momentum;
    for (size_t i = 0; i < n; i++) {
        v[i] = rho * v[i] + (1.0f - rho) * g[i] * g[i];
        float denom = v[i];
        if (p->centered) {
            mg[i] = rho * mg[i] + (1.0f - rho) * g[i];
            denom -= mg[i] * mg[i];
        }
        float inc = lr * g[i] / sqrtf(denom + eps);
        if (mu > 0) {
            mom[i] = mu * mom[i] + inc;
            w[i] -= mom[i];
        } else {
            w[i] -= inc;
        }
    }
}

static void step_adagrad(const Optimizer *o, float *w, const float *g, float lr, size_t lo,
                         size_t n)
{
    float *acc = o->state + lo, eps = (float)o->p.eps;
    for (size_t i = 0; i < n; i++) {
        acc[i] += g[i] * g[i];
        w[i] -= lr * g[i] / sqrtf(acc[i] + eps);
    }
}

typedef struct {
    const Optimizer *o;
    float *params;
    const float *grads;
    double lr;
    float alpha; /* Adam's step size at this update */
} StepJob;

/* The update of parameters [lo, hi) of share i; every rule is elementwise. */
static void step_share(void *ctx, int i, int n)
{
    const StepJob *job = ctx;
    const Optimizer *o = job->o;
    size_t lo, hi;
    /* Whole cache lines per share. */
    team_share(o->n, 16, i, n, &lo, &hi);
    if (hi <= lo) return;
    size_t k = hi - lo;
    float *w = job->params + lo;
    const float *g = job->grads + lo;
    switch (o->p.kind) {
    case OPTIMIZER_SGD: step_sgd(o, w, g, (float)job->lr, lo, k); break;
    case OPTIMIZER_ADAM: step_adam(o, w, g, job->lr, job->alpha, false, lo, k); break;
    case OPTIMIZER_ADAMW: step_adam(o, w, g, job->lr, job->alpha, true, lo, k); break;
    case OPTIMIZER_RMSPROP: step_rmsprop(o, w, g, (float)job->lr, lo, k); break;
    case OPTIMIZER_ADAGRAD: step_adagrad(o, w, g, (float)job->lr, lo, k); break;
    }
}

void optimizer_step(Optimizer *o, float *params, const float *grads, double lr, Team *team)
{
    o->t++;
    /* The rate in force is float32's: a rate past its range is inf, or 0,
     * for Adam's step size (computed in double) as for the others.  A rate
     * in its range keeps Keras's arithmetic, bit for bit. */
    if (optimizer_lr_float(lr) != LR_FLOAT_NORMAL) lr = (float)lr;
    StepJob job = {o, params, grads, lr, 0.0f};
    if (o->p.kind == OPTIMIZER_ADAM || o->p.kind == OPTIMIZER_ADAMW) job.alpha = adam_alpha(o, lr);
    /* A share below ~64k parameters costs more to hand over than to do. */
    team_run(team, (int)(o->n / 65536), step_share, &job);
}

void schedule_init(Schedule *s, const ScheduleParams *p, int total_epochs, bool higher_is_better)
{
    memset(s, 0, sizeof *s);
    s->p = *p;
    s->total_epochs = total_epochs;
    s->higher_is_better = higher_is_better;
    s->plateau_best = monitor_worst(higher_is_better);
    s->plateau_scale = 1.0;
}

double schedule_lr(const Schedule *s, double base_lr, int epoch)
{
    const ScheduleParams *p = &s->p;
    switch (p->kind) {
    case SCHEDULE_CONSTANT: return base_lr;
    case SCHEDULE_STEP:
        return base_lr * pow(p->gamma, epoch / (p->step_size > 0 ? p->step_size : 1));
    case SCHEDULE_EXPONENTIAL: return base_lr * pow(p->gamma, epoch);
    case SCHEDULE_COSINE: {
        /* Cosine annealing (Loshchilov and Hutter 2017, SGDR) without restarts. */
        int period = p->cosine_epochs > 0 ? p->cosine_epochs : s->total_epochs;
        if (period < 1) period = 1;
        double e = epoch < period ? epoch : period;
        return p->min_lr + (base_lr - p->min_lr) * 0.5 * (1.0 + cos(M_PI * e / period));
    }
    case SCHEDULE_PLATEAU: {
        double lr = base_lr * s->plateau_scale;
        return lr > p->min_lr ? lr : p->min_lr;
    }
    }
    return base_lr;
}

bool schedule_observe(Schedule *s, double value, double base_lr)
{
    if (s->p.kind != SCHEDULE_PLATEAU || !isfinite(value)) return false;
    /* Keras ReduceLROnPlateau with min_delta 1e-4, cooldown 0, its mode
     * the monitor's direction. */
    if (monitor_improves(value, s->plateau_best, s->higher_is_better, 1e-4)) {
        s->plateau_best = value;
        s->plateau_wait = 0;
        return false;
    }
    if (++s->plateau_wait >= s->p.plateau_patience) {
        s->plateau_wait = 0;
        if (base_lr * s->plateau_scale > s->p.min_lr) {
            s->plateau_scale *= s->p.factor;
            return true;
        }
    }
    return false;
}
