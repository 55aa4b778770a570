/*
 * optimizer.h - parameter updates with Keras's semantics, and learning-rate
 * schedules.
 *
 * The optimizer state (momenta, second moments, accumulators) is one
 * contiguous block of 3 × n floats, sized once, so switching optimizer
 * mid-run allocates nothing.  Formulas follow Keras 3's optimizers
 * (keras/src/optimizers/{sgd,adam,rmsprop,adamw,adagrad}.py).
 * An Optimizer belongs to the trainer thread.
 */
#ifndef GRADTOP_OPTIMIZER_H
#define GRADTOP_OPTIMIZER_H

#include <stdbool.h>
#include <stddef.h>

#include "gradtop/core/error.h"

struct Team;

typedef enum {
    OPTIMIZER_SGD,
    OPTIMIZER_ADAM,
    OPTIMIZER_RMSPROP,
    OPTIMIZER_ADAMW,
    OPTIMIZER_ADAGRAD,
} OptimizerKind;

typedef enum {
    SCHEDULE_CONSTANT,
    SCHEDULE_STEP,
    SCHEDULE_EXPONENTIAL,
    SCHEDULE_COSINE,
    SCHEDULE_PLATEAU,
} ScheduleKind;

/* The optimizer and its own parameters (Keras's names and defaults). */
typedef struct {
    OptimizerKind kind;
    double lr;
    double momentum;            /* SGD, RMSprop */
    bool nesterov;              /* SGD */
    double beta1, beta2;        /* Adam, AdamW */
    bool amsgrad;               /* Adam, AdamW */
    double eps;                 /* Adam, AdamW, RMSprop, Adagrad */
    double rho;                 /* RMSprop */
    bool centered;              /* RMSprop */
    double weight_decay;        /* AdamW */
    double initial_accumulator; /* Adagrad */
} OptimizerParams;

/* Learning-rate schedule, applied per epoch to the base rate. */
typedef struct {
    ScheduleKind kind;
    int step_size;        /* step: epochs between drops */
    double gamma;         /* step, exponential: factor per drop / per epoch */
    int cosine_epochs;    /* cosine: period in epochs (0 = the run's epochs) */
    double min_lr;        /* cosine floor, plateau floor */
    double factor;        /* plateau: multiply by this */
    int plateau_patience; /* plateau: epochs without improvement */
} ScheduleParams;

/* Names of the optimizers and the schedules, indexed by the enum,
 * NULL-terminated. */
extern const char *const optimizer_names[];
extern const char *const schedule_names[];

/* Keras's per-optimizer defaults for momentum, eps, etc. are applied when
 * the user did not set them; this resets p's own parameters to those (a
 * rate p has is kept, else the optimizer's own). */
void optimizer_params_default(OptimizerParams *p, OptimizerKind kind);
/* Keras 3's default learning rate of an optimizer: 0.01 for SGD, 0.001 for
 * the others. */
double optimizer_default_lr(OptimizerKind kind);

/* What a learning rate becomes in float32, the arithmetic of the update
 * rules (Keras keeps its rate in a float32 variable too).  Any finite
 * positive double is taken; past FLT_MAX it rounds to inf, below about
 * 1.4e-45 to 0, and below FLT_MIN (1.18e-38) to a subnormal, too small to
 * move a weight.  A rate of 0 (cosine's or plateau's --min-lr 0) is 0 in
 * double as well, nothing float32 does: LR_FLOAT_NORMAL. */
typedef enum { LR_FLOAT_NORMAL, LR_FLOAT_SUBNORMAL, LR_FLOAT_ZERO, LR_FLOAT_INF } LrFloat;
LrFloat optimizer_lr_float(double lr);
/* "inf in float32", "0 in float32" or "subnormal in float32"; NULL for a
 * rate float32 holds as a normal number. */
const char *optimizer_lr_float_note(double lr);
/* The same in a word: "inf", "0" or "subnormal"; NULL for a normal rate. */
const char *optimizer_lr_float_word(double lr);
/* What such a rate does to training: "the next step diverges", "the
 * weights cannot move" or "too small to move the weights"; NULL for a
 * normal one. */
const char *optimizer_lr_float_effect(double lr);
/* lr with %.*g (digits), followed by " (inf in float32)" and the like
 * when float32 does not hold it as a normal number: "1e+39 (inf in
 * float32)".  Returns buf. */
char *optimizer_format_lr(double lr, int digits, char *buf, size_t cap);

typedef struct {
    OptimizerParams p;
    size_t n;
    long t;       /* updates applied since the state was reset */
    float *state; /* (3, n): slot 0, 1, 2 as each optimizer needs */
} Optimizer;

ErrorCode optimizer_create(Optimizer *o, const OptimizerParams *p, size_t n, Error *err);
void optimizer_free(Optimizer *o);
/* Zeroes the state (Adagrad's accumulator starts at initial_accumulator). */
void optimizer_reset(Optimizer *o);
/* Changes parameters; a different kind resets the state. */
void optimizer_set(Optimizer *o, const OptimizerParams *p);
/* One update of params (n) from grads (n) at learning rate lr, its
 * elementwise pass shared among team's threads (NULL: one); the result does
 * not depend on the team.  grads are only read.  The rate in force is lr
 * in float32 (optimizer_lr_float): inf makes the weights non-finite, 0
 * leaves them as they are, Adam's and AdamW's included. */
void optimizer_step(Optimizer *o, float *params, const float *grads, double lr, struct Team *team);

/* A schedule with its state (reduce-on-plateau remembers its best). */
typedef struct {
    ScheduleParams p;
    int total_epochs;
    bool higher_is_better; /* of the quantity reduce-on-plateau watches */
    double plateau_best;
    int plateau_wait;
    double plateau_scale; /* product of the reductions so far */
} Schedule;

/* higher_is_better: the direction of the monitored quantity that
 * schedule_observe is fed (monitor_higher_is_better). */
void schedule_init(Schedule *s, const ScheduleParams *p, int total_epochs, bool higher_is_better);
/* The rate for 0-based epoch from base_lr (constant within an epoch). */
double schedule_lr(const Schedule *s, double base_lr, int epoch);
/* Reduce-on-plateau: feeds the monitored value after an epoch (better as
 * schedule_init was told, by monitor_improves); returns true when the rate
 * was reduced. */
bool schedule_observe(Schedule *s, double value, double base_lr);

#endif
