/*
 * sweep.h - the engine-side core of a hyperparameter search: the space a
 * search explores, the samplers that pick each trial's configuration, and
 * the schedulers' decision rules over recorded results.
 *
 * What this module provides, and what it does not:
 *   - sweep_space_parse reads a --space spec into a SweepSpace; every value a
 *     parameter can take is checked by options_set at parse time.
 *   - sweep_sample gives trial i its configuration (grid, random or TPE) as a
 *     SweepConfig and as the Options it makes (the base options with the
 *     parameters applied through options_set).
 *   - SweepBoard records each trial's monitored figure per epoch; the ASHA,
 *     median and PBT functions read it and return decisions: promote this
 *     trial to that rung, stop this trial, let these trials copy those.
 * It runs nothing: no threads, no trainers, no files.  The executor (the
 * sweep command, built on the Run engine object) starts and pauses trials,
 * feeds their figures into a SweepBoard, asks these functions at the fixed
 * points below, and carries the answers out (for PBT it copies the donor's
 * weights and optimizer state; only the configuration comes from here).
 *
 * THE SPACE.  A spec is `;`-separated `name=distribution` parameters, blanks
 * allowed between tokens:
 *   choice(A|B|...)   alternatives as the option takes them on the command
 *                     line; a list keeps its commas (`choice(64,32|128)` is
 *                     two networks).  An alternative cannot hold | ) ;
 *   uniform(a,b)      real, a < b              (a real-valued option)
 *   loguniform(a,b)   real, 0 < a < b, uniform in log(x)  (real-valued)
 *   int(a,b)          every integer from a to b, a <= b  (an integer option)
 *   grid(a,b,n)       n evenly spaced points from a to b, both included
 *   loggrid(a,b,n)    n points evenly spaced in log(x), 0 < a; inner points
 *                     of both are rounded to 12 significant digits (grid and
 *                     loggrid take real or integer options; on an integer
 *                     option the points are rounded and must stay distinct)
 * `name` is an option of the option table (options_find).  Refused: the
 * options that say where and how a run is written (OptionSpec.in_config
 * false), the dashboard's pace, and those the sweep sets for every trial
 * (monitor, epochs, name).
 * The ends of every range and every alternative and grid point are passed
 * through options_set when the spec is parsed, so a value the option
 * refuses is refused there with the option's own range (option ranges are
 * intervals, so checking the ends of a range checks all of it).  Every
 * error is ERROR_INPUT "--space: 'NAME' at column C: ...", C counting the
 * spec's characters from 1.
 *
 * CONDITIONAL PARAMETERS.  A parameter whose option belongs to some
 * optimizers or schedules (OptionSpec.applies) is part of a trial only when
 * that trial's optimizer and lr-schedule take it (option_applies).  So that
 * this is known before the others are drawn, `optimizer` and `lr-schedule`
 * (the roots) are always sampled and applied first, then the others in
 * spec order.  A parameter that applies to no trial of the space (e.g.
 * `momentum` with the optimizer fixed to adam) is refused by
 * sweep_space_check.
 *
 * SAMPLERS.  Each trial's draws come from its own generator, seeded from
 * (seed, trial index) by rng_seed_stream: what trial i gets does not depend
 * on how many draws other trials took.
 *   grid    every combination once: choices enumerated, int(a,b) every
 *           integer, grid/loggrid their points; uniform and loguniform are
 *           refused (sweep_space_check: use grid/loggrid).  The order: nested
 *           loops over the roots in spec order, then over the other
 *           parameters that apply under those roots in spec order; the first
 *           loop outermost, the last parameter changing fastest.  Trial i is
 *           point i; sweep_grid_size counts them.  A conditional parameter
 *           adds points only under the roots that take it.
 *   random  each parameter independently: a choice, grid point or integer
 *           uniformly, uniform(a,b) uniformly, loguniform uniformly in log.
 *   tpe     the tree-structured Parzen estimator (Bergstra et al., NeurIPS
 *           2011), as Optuna's TPESampler does it with its defaults
 *           (optuna/samplers/_tpe/{sampler,parzen_estimator}.py): the first
 *           n_startup (10) trials are random; then the observed trials are
 *           ranked (complete ones by figure, then those stopped early by
 *           epochs reached, most first, then figure), the best
 *           gamma(n) = min(ceil(0.1 n), 25) are "good", the rest "bad";
 *           per parameter, l(x) and g(x) are Parzen mixtures over the good
 *           and the bad trials that have the parameter, plus a prior (weight
 *           1): Gaussian kernels truncated to the range, each centred on an
 *           observation with Optuna's bandwidth (the larger distance to its
 *           neighbours among the sorted centres, prior and range ends
 *           included; the two outermost take the inner distance; clipped to
 *           [range/min(100, n+2), range]), the prior kernel at the middle
 *           with the range as its width; in log space for loguniform;
 *           int(a,b) over [a-0.5, b+0.5], rounded.  A choice, grid or loggrid
 *           parameter is categorical: each of n observations a kernel with
 *           1/(n+1) on every alternative and 1 more on its own, normalized
 *           (Optuna's smoothed counts).  Trials are weighted as Optuna's
 *           default_weights (1, or a ramp from 1/n for the oldest beyond the
 *           newest 25).  n_ei_candidates (24) draws from l(x); the one with
 *           the largest log l(x) - log g(x) is kept.  The bandwidths follow
 *           Optuna; the one simplification is that int parameters compare
 *           densities at the rounded value rather than its bin's mass.
 *
 * SCHEDULERS, AND THE ORDER RESULTS ARE TAKEN IN.  A SweepBoard holds
 * figure[trial][epoch]; sweep_board_record writes one cell, so recording the
 * same results in any order gives the same board, and every decision
 * function reads the board (and its own state) only: never arrival order.
 * Decisions are therefore reproducible when the executor asks them at
 * fixed points, which it must:
 *   asha    (Li et al., "A System for Massively Parallel Hyperparameter
 *           Tuning", MLSys 2020, arXiv:1810.05934, Algorithm 2).  Rungs at
 *           min_epochs·eta^k epochs below max_epochs, and a last rung at
 *           max_epochs.  A trial trains to its next rung and waits there.
 *           sweep_asha_next is the paper's get_job: from the highest rung
 *           down, the trials in the top floor(n_k/eta) of the n_k figures
 *           recorded at rung k that are not promoted yet are promotable; the
 *           best of them at the highest such rung is promoted to k+1 (a
 *           diverged trial, its figure not finite, never is).  With
 *           none, the caller starts a new trial at rung 0.  A waiting trial
 *           is thus promoted later if, as results arrive, it enters the top
 *           1/eta.  Fixed point: the executor runs in rounds; a round's jobs
 *           (train a trial to its next rung) all finish and are recorded,
 *           then sweep_asha_next is called once per free slot, in slot order.
 *   median  (Optuna's MedianPruner.)  At epoch e >= min_epochs, trial t is
 *           stopped when its best figure over epochs 1..e is worse than the
 *           median of the figures at epoch e of the trials before it (index
 *           < t) that reached e, once there are n_startup (5) of those.
 *           Optuna counts only completed trials; here every earlier trial
 *           that reached e counts, so the decision is fixed once every
 *           earlier trial has reached e or ended (the executor's barrier)
 *           without waiting for them to finish.
 *   pbt     (Jaderberg et al., "Population Based Training of Neural
 *           Networks", 2017, with Ray Tune's quantile rule.)  At every
 *           interval-th epoch, once every live trial has recorded it (the
 *           barrier), the live trials are ranked by their figure at that
 *           epoch (ties: lower index first); with q = ceil(n·quantile)
 *           (at most floor(n/2)), each of the bottom q, in trial order, copies
 *           a trial drawn uniformly from the top q: exploit.  Explore, on the
 *           copied configuration: each parameter the trainer can change live
 *           (option_live) is perturbed: uniform, loguniform and int
 *           multiplied by 0.8 or 1.2 (even odds), rounded for int, clipped
 *           to the parameter's range; a choice or grid point redrawn
 *           uniformly with probability resample (0.25), else kept.  A
 *           conditional parameter that the new optimizer takes and the
 *           donor's did not is drawn afresh.  Parameters that cannot change
 *           live (layers, activation, ...) stay the donor's: its weights fit
 *           them.  The generator is seeded from (seed, epoch).
 *
 * "Better" is monitor_improves of the sweep's monitored field, everywhere.
 * Ties between equal figures go to the lower trial index.
 *
 * Everything here is plain data and pure functions: a SweepSpace, SweepBoard
 * or scheduler state belongs to the thread that owns it.
 */
#ifndef GRADTOP_SWEEP_H
#define GRADTOP_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gradtop/core/error.h"
#include "gradtop/nn/monitor.h"
#include "gradtop/run/options.h"

#define SWEEP_MAX_PARAMS 32
#define SWEEP_MAX_CHOICES 64
#define SWEEP_SPEC_MAX 4096
#define SWEEP_MAX_POINTS 1000 /* grid(a,b,n): n at most */
#define SWEEP_MAX_RUNGS 32
/* The largest grid sweep_grid_size accepts: far beyond any sweep. */
#define SWEEP_MAX_GRID 100000000

typedef enum {
    SWEEP_CHOICE,
    SWEEP_UNIFORM,
    SWEEP_LOGUNIFORM,
    SWEEP_INT,
    SWEEP_GRID,
    SWEEP_LOGGRID,
} SweepDist;

/* "choice", "uniform", ...: the spec's words, by SweepDist. */
extern const char *const sweep_dist_names[];

typedef struct {
    const OptionSpec *spec;
    SweepDist dist;
    int column;    /* of the parameter's name in the spec, from 1 */
    double lo, hi; /* uniform, loguniform, int, grid, loggrid */
    int n;         /* choice: alternatives; grid, loggrid: points */
    /* choice: each alternative, trimmed, NUL-terminated, in SweepSpace.text */
    unsigned short alt[SWEEP_MAX_CHOICES];
} SweepParam;

typedef struct {
    int n;
    SweepParam p[SWEEP_MAX_PARAMS];
    char text[SWEEP_SPEC_MAX]; /* the alternatives of every choice */
} SweepSpace;

/* One parameter's value in one trial. */
typedef struct {
    bool active; /* false: the trial's optimizer or schedule does not take it */
    int index;   /* choice, grid, loggrid: which alternative or point */
    double x;    /* uniform, loguniform, int, grid, loggrid: the number */
} SweepValue;

/* A trial's configuration: one value per parameter of its space. */
typedef struct {
    SweepValue v[SWEEP_MAX_PARAMS];
} SweepConfig;

ErrorCode sweep_space_parse(SweepSpace *s, const char *spec, Error *err);
/* The same, for a spec that starts at column first of a line of its own
 * (a --config file's `space = ...`): columns in messages, and
 * SweepParam.column, are that line's. */
ErrorCode sweep_space_parse_from(SweepSpace *s, const char *spec, int first, Error *err);

/* Their words, sweep_sampler_names and sweep_scheduler_names, are the
 * option table's (options.h). */
typedef enum { SWEEP_SAMPLER_GRID, SWEEP_SAMPLER_RANDOM, SWEEP_SAMPLER_TPE } SweepSamplerKind;
typedef enum {
    SWEEP_SCHED_NONE,
    SWEEP_SCHED_ASHA,
    SWEEP_SCHED_MEDIAN,
    SWEEP_SCHED_PBT
} SweepSchedulerKind;

/* Refuses a space the sampler cannot search from base: uniform or
 * loguniform under grid, a parameter that applies to no trial. */
ErrorCode sweep_space_check(const SweepSpace *s, const Options *base, SweepSamplerKind kind,
                            Error *err);

/* Whether the parameter's option belongs to the roots (optimizer,
 * lr-schedule), which decide which others apply. */
bool sweep_param_is_root(const SweepParam *p);
/* Whether the parameter is searched in log space (loguniform, loggrid). */
bool sweep_param_is_log(const SweepParam *p);
/* Point i of grid or loggrid (rounded for an integer option). */
double sweep_param_point(const SweepParam *p, int i);
/* Choice alternative i, as given to options_set. */
const char *sweep_param_alt(const SweepSpace *s, const SweepParam *p, int i);

/* The value as options_set takes it and a leaderboard prints it: "adam",
 * "64,32", "0.00316". Numbers in the shortest form that reads back exactly;
 * "-" for an inactive value. */
void sweep_value_format(const SweepSpace *s, int param, const SweepValue *v, char *buf, size_t cap);

/* out = base with c's active values applied through options_set, roots
 * first.  Also sets each value's `active` from out's optimizer and
 * schedule.  An error (which parsing makes impossible for values of the
 * space) names the parameter. */
ErrorCode sweep_config_apply(const SweepSpace *s, const Options *base, SweepConfig *c, Options *out,
                             Error *err);

typedef struct {
    SweepSamplerKind kind;
    uint64_t seed;
    MonitorField monitor;
    int n_startup;       /* TPE: random trials first (Optuna: 10) */
    int n_ei_candidates; /* TPE: draws from l(x) (Optuna: 24) */
} SweepSampler;

void sweep_sampler_default(SweepSampler *sm, SweepSamplerKind kind, uint64_t seed,
                           MonitorField monitor);

/* A finished or stopped trial as TPE sees it. */
typedef struct {
    const SweepConfig *config;
    double figure; /* the monitored figure it reached (its best) */
    bool complete; /* trained its full length */
    int epochs;    /* epochs trained */
} SweepObservation;

/* Points of the grid over s from base (conditional parameters counted
 * under the roots that take them). ERROR_INPUT when s cannot be a grid or
 * it has more than SWEEP_MAX_GRID points. */
ErrorCode sweep_grid_size(const SweepSpace *s, const Options *base, size_t *n, Error *err);

/* Trial `trial`'s configuration (c) and options (out), from a space that
 * passed sweep_space_check for this sampler and base.  TPE learns from
 * obs[0..n_obs), in trial order (ties and weights follow it; the grid and
 * random samplers ignore them); which trials those are is the executor's
 * fixed point: the trials numbered below trial - parallel + 1, all ended,
 * so timing cannot change them.  A trial
 * at or beyond the grid's size is ERROR_INPUT. */
ErrorCode sweep_sample(const SweepSampler *sm, const SweepSpace *s, const Options *base, int trial,
                       const SweepObservation *obs, int n_obs, SweepConfig *c, Options *out,
                       Error *err);

/* ---- recorded results ---------------------------------------------------- */

typedef struct {
    int n_trials, max_epochs;
    MonitorField monitor;
    bool higher_is_better;
    /* (n_trials, max_epochs): the figure after epoch e + 1, NaN where none
     * is recorded; a non-finite figure is stored as the worst (±inf) */
    double *fig;
} SweepBoard;

ErrorCode sweep_board_init(SweepBoard *b, int n_trials, int max_epochs, MonitorField monitor,
                           Error *err);
void sweep_board_free(SweepBoard *b);
/* The figure of trial after epoch (1..max_epochs). */
void sweep_board_record(SweepBoard *b, int trial, int epoch, double figure);
/* The figure recorded, NaN when none. */
double sweep_board_get(const SweepBoard *b, int trial, int epoch);
/* Whether a is better than b (monitor_improves, min_delta 0). */
bool sweep_board_better(const SweepBoard *b, double a, double c);

/* ---- ASHA ---------------------------------------------------------------- */

typedef struct {
    int eta;        /* >= 2 */
    int min_epochs; /* the first rung, >= 1 */
    int max_epochs; /* the last rung: a trial's full length */
} SweepAshaParams;

typedef struct {
    SweepAshaParams p;
    int n_rungs;
    int rung_epochs[SWEEP_MAX_RUNGS];
    int n_trials;
    bool *promoted; /* (n_trials, n_rungs): promoted out of rung k */
} SweepAsha;

ErrorCode sweep_asha_init(SweepAsha *a, const SweepAshaParams *p, int n_trials, Error *err);
void sweep_asha_free(SweepAsha *a);
/* The paper's get_job: true with the trial to promote and the rung it goes
 * to (it then trains to rung_epochs[*to_rung]), marked promoted; false when
 * nothing is promotable and a new trial should start. */
bool sweep_asha_next(SweepAsha *a, const SweepBoard *b, int *trial, int *to_rung);
/* The highest rung a trial of `epochs` epochs reached (-1: none yet). */
int sweep_asha_rung_of(const SweepAsha *a, int epochs);

/* ---- median -------------------------------------------------------------- */

typedef struct {
    int min_epochs; /* warm-up: no trial is stopped before this epoch */
    int n_startup;  /* earlier trials needed at the epoch (Optuna: 5) */
} SweepMedianParams;

/* Whether trial should stop after epoch (see the rule above). */
bool sweep_median_stop(const SweepMedianParams *p, const SweepBoard *b, int trial, int epoch);

/* ---- PBT ----------------------------------------------------------------- */

typedef struct {
    int interval;    /* epochs between exploits */
    double quantile; /* bottom and top share (Ray: 0.25) */
    double resample; /* probability a choice is redrawn (Ray: 0.25) */
    uint64_t seed;
} SweepPbtParams;

void sweep_pbt_default(SweepPbtParams *p, int interval, uint64_t seed);

/* One exploit: trial takes donor's weights and optimizer state (the
 * executor's part) and config, explored. */
typedef struct {
    int trial, donor;
    SweepConfig config;
} SweepExploit;

/* The exploits at epoch (a multiple of the interval; none otherwise) among
 * the trials with live[t] that recorded it; configs[t] is each trial's
 * configuration now.  out holds at least n_trials entries; *n_out is set.
 * Each exploit's options are sweep_config_apply(s, base, &out[i].config). */
ErrorCode sweep_pbt_decide(const SweepPbtParams *p, const SweepSpace *s, const Options *base,
                           const SweepBoard *b, int epoch, const bool *live,
                           const SweepConfig *configs, SweepExploit *out, int *n_out, Error *err);

#endif
