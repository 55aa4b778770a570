/*
 * sweep_sched.c - the recorded results of a search and the schedulers'
 * decision rules over them: ASHA, the median rule, PBT.  See sweep.h for
 * the rules, their sources and the fixed points they are asked at.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_private.h"

/* The PBT generator's streams, apart from the samplers' (trial numbers). */
#define PBT_STREAM (1ULL << 62)

ErrorCode sweep_board_init(SweepBoard *b, int n_trials, int max_epochs, MonitorField monitor,
                           Error *err)
{
    memset(b, 0, sizeof *b);
    if (n_trials < 1 || max_epochs < 1)
        return error_set(err, ERROR_INPUT, "sweep: needs at least one trial and one epoch");
    size_t cells = (size_t)n_trials * (size_t)max_epochs;
    /* a figure per trial and epoch: refuse a table that would not be memory */
    if (cells / (size_t)max_epochs != (size_t)n_trials || cells > ((size_t)1 << 28))
        return error_set(err, ERROR_INPUT,
                         "sweep: %d trials of %d epochs are more results than it records "
                         "(at most %zu trial-epochs)",
                         n_trials, max_epochs, (size_t)1 << 28);
    b->fig = malloc(sizeof(double) * cells);
    if (!b->fig) return error_set(err, ERROR_RUNTIME, "sweep: out of memory for the results");
    for (size_t k = 0; k < cells; k++) b->fig[k] = NAN;
    b->n_trials = n_trials;
    b->max_epochs = max_epochs;
    b->monitor = monitor;
    b->higher_is_better = monitor_higher_is_better(monitor);
    return ERROR_NONE;
}

void sweep_board_free(SweepBoard *b)
{
    free(b->fig);
    b->fig = NULL;
}

void sweep_board_record(SweepBoard *b, int trial, int epoch, double figure)
{
    if (trial < 0 || trial >= b->n_trials || epoch < 1 || epoch > b->max_epochs) return;
    if (!isfinite(figure)) figure = monitor_worst(b->higher_is_better);
    b->fig[(size_t)trial * (size_t)b->max_epochs + (size_t)(epoch - 1)] = figure;
}

double sweep_board_get(const SweepBoard *b, int trial, int epoch)
{
    if (trial < 0 || trial >= b->n_trials || epoch < 1 || epoch > b->max_epochs) return NAN;
    return b->fig[(size_t)trial * (size_t)b->max_epochs + (size_t)(epoch - 1)];
}

bool sweep_board_better(const SweepBoard *b, double a, double c)
{
    return monitor_improves(a, c, b->higher_is_better, 0.0);
}

/* Whether trial a ranks before trial c on figures fa, fc: better, or
 * equal (neither better) and a lower index. */
static bool ranks_before(const SweepBoard *b, double fa, int a, double fc, int c)
{
    if (sweep_board_better(b, fa, fc)) return true;
    if (sweep_board_better(b, fc, fa)) return false;
    /* equal, or both the worst value */
    return a < c;
}

/* ---- ASHA ------------------------------------------------------------- */

ErrorCode sweep_asha_init(SweepAsha *a, const SweepAshaParams *p, int n_trials, Error *err)
{
    memset(a, 0, sizeof *a);
    if (p->eta < 2) return error_set(err, ERROR_INPUT, "--eta: %d (expected at least 2)", p->eta);
    if (p->min_epochs < 1 || p->min_epochs > p->max_epochs)
        return error_set(err, ERROR_INPUT, "--min-epochs: %d (expected from 1 to --max-epochs %d)",
                         p->min_epochs, p->max_epochs);
    if (n_trials < 1) return error_set(err, ERROR_INPUT, "sweep: needs at least one trial");
    a->p = *p;
    /* rungs min·eta^k below max, then max itself */
    long e = p->min_epochs;
    while (e < p->max_epochs && a->n_rungs < SWEEP_MAX_RUNGS - 1) {
        a->rung_epochs[a->n_rungs++] = (int)e;
        e *= p->eta;
    }
    a->rung_epochs[a->n_rungs++] = p->max_epochs;
    a->promoted = calloc((size_t)n_trials * (size_t)a->n_rungs, sizeof(bool));
    if (!a->promoted) return error_set(err, ERROR_RUNTIME, "sweep: out of memory for ASHA");
    a->n_trials = n_trials;
    return ERROR_NONE;
}

void sweep_asha_free(SweepAsha *a)
{
    free(a->promoted);
    a->promoted = NULL;
}

bool sweep_asha_next(SweepAsha *a, const SweepBoard *b, int *trial, int *to_rung)
{
    int n_trials = a->n_trials < b->n_trials ? a->n_trials : b->n_trials;
    /* from the rung below the top down: the paper's k = K-1, ..., 0 */
    for (int k = a->n_rungs - 2; k >= 0; k--) {
        int e = a->rung_epochs[k];
        int n_k = 0;
        for (int t = 0; t < n_trials; t++) n_k += !isnan(sweep_board_get(b, t, e));
        int top = n_k / a->p.eta;
        /* the trial of rank r (from 0) is among the top `top` when fewer
         * than `top` trials rank before it */
        int pick = -1;
        for (int t = 0; t < n_trials; t++) {
            double f = sweep_board_get(b, t, e);
            /* a diverged trial (the worst, ±inf) goes no further */
            if (!isfinite(f) || a->promoted[(size_t)t * (size_t)a->n_rungs + (size_t)k]) continue;
            int before = 0;
            for (int u = 0; u < n_trials && before < top; u++) {
                double g = sweep_board_get(b, u, e);
                if (u != t && !isnan(g) && ranks_before(b, g, u, f, t)) before++;
            }
            if (before >= top) continue;
            if (pick < 0 || ranks_before(b, f, t, sweep_board_get(b, pick, e), pick)) pick = t;
        }
        if (pick >= 0) {
            a->promoted[(size_t)pick * (size_t)a->n_rungs + (size_t)k] = true;
            *trial = pick;
            *to_rung = k + 1;
            return true;
        }
    }
    return false;
}

int sweep_asha_rung_of(const SweepAsha *a, int epochs)
{
    int rung = -1;
    for (int k = 0; k < a->n_rungs && a->rung_epochs[k] <= epochs; k++) rung = k;
    return rung;
}

/* ---- median ----------------------------------------------------------- */

static int double_cmp(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : a > b;
}

bool sweep_median_stop(const SweepMedianParams *p, const SweepBoard *b, int trial, int epoch)
{
    if (epoch < p->min_epochs || epoch < 1 || epoch > b->max_epochs) return false;
    if (trial < 0 || trial >= b->n_trials) return false;
    /* the trial's best so far: with none finite, it is stopped (as Optuna
     * prunes a trial whose best is NaN) */
    double best = monitor_worst(b->higher_is_better);
    bool any = false;
    for (int e = 1; e <= epoch; e++) {
        double f = sweep_board_get(b, trial, e);
        if (isnan(f)) continue;
        any = true;
        if (sweep_board_better(b, f, best)) best = f;
    }
    if (!any) return false; /* nothing recorded yet: nothing to judge */
    double *peers = malloc(sizeof(double) * (size_t)(trial > 0 ? trial : 1));
    if (!peers) return false; /* out of memory: the trial goes on, as with too few peers */
    int n = 0;
    for (int t = 0; t < trial; t++) {
        double f = sweep_board_get(b, t, epoch);
        if (!isnan(f)) peers[n++] = f;
    }
    bool stop = false;
    if (n >= p->n_startup && n > 0) {
        if (!isfinite(best)) {
            stop = true;
        } else {
            /* numpy's median: the mean of the two middle values */
            qsort(peers, (size_t)n, sizeof *peers, double_cmp);
            double median = n % 2 ? peers[n / 2] : 0.5 * (peers[n / 2 - 1] + peers[n / 2]);
            stop = sweep_board_better(b, median, best);
        }
    }
    free(peers);
    return stop;
}

/* ---- PBT -------------------------------------------------------------- */

void sweep_pbt_default(SweepPbtParams *p, int interval, uint64_t seed)
{
    p->interval = interval;
    p->quantile = 0.25;
    p->resample = 0.25;
    p->seed = seed;
}

/* Explores the donor's configuration c in place (see sweep.h). */
static ErrorCode pbt_explore(const SweepPbtParams *pp, const SweepSpace *s, const Options *base,
                             const SweepConfig *donor, SweepConfig *c, Rng *r, Error *err)
{
    *c = *donor;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            /* which parameters the (perhaps new) optimizer takes */
            Options o;
            ErrorCode rc = sweep_config_apply(s, base, c, &o, err);
            if (rc) return rc;
        }
        for (int i = 0; i < s->n; i++) {
            const SweepParam *p = &s->p[i];
            if (sweep_param_is_root(p) != (pass == 0)) continue;
            SweepValue *v = &c->v[i];
            if (!v->active) continue;
            if (pass == 1 && !donor->v[i].active) {
                sweep_param_draw(p, r, v); /* newly taken: nothing to perturb */
                continue;
            }
            if (!option_live(p->spec)) continue;
            switch (p->dist) {
            case SWEEP_CHOICE:
            case SWEEP_GRID:
            case SWEEP_LOGGRID:
                if (rng_uniform(r) < pp->resample) sweep_param_draw(p, r, v);
                break;
            case SWEEP_UNIFORM:
            case SWEEP_LOGUNIFORM:
            case SWEEP_INT: {
                double f = rng_below(r, 2) ? 1.2 : 0.8;
                v->x = sweep_param_clip(p, v->x * f);
                break;
            }
            }
        }
    }
    /* the roots' activity is settled, the others' now: mark them */
    Options o;
    return sweep_config_apply(s, base, c, &o, err);
}

ErrorCode sweep_pbt_decide(const SweepPbtParams *p, const SweepSpace *s, const Options *base,
                           const SweepBoard *b, int epoch, const bool *live,
                           const SweepConfig *configs, SweepExploit *out, int *n_out, Error *err)
{
    *n_out = 0;
    if (p->interval < 1 || epoch < 1 || epoch % p->interval != 0) return ERROR_NONE;
    int *pop = malloc(sizeof(int) * (size_t)b->n_trials);
    if (!pop) return error_set(err, ERROR_RUNTIME, "sweep: out of memory for PBT");
    int n = 0;
    for (int t = 0; t < b->n_trials; t++)
        if (live[t] && !isnan(sweep_board_get(b, t, epoch))) pop[n++] = t;
    /* rank, best first: insertion sort, stable in trial order */
    for (int a = 1; a < n; a++)
        for (int k = a; k > 0; k--) {
            int u = pop[k - 1], t = pop[k];
            if (!ranks_before(b, sweep_board_get(b, t, epoch), t, sweep_board_get(b, u, epoch), u))
                break;
            pop[k - 1] = t;
            pop[k] = u;
        }
    /* Ray Tune's quantile: ceil(n q), at most half */
    int q = (int)ceil(n * p->quantile);
    if (q > n / 2) q = n / 2;
    /* the bottom q in trial order, so the draws do not follow the ranking's
     * ties */
    int *bottom = malloc(sizeof(int) * (size_t)(q > 0 ? q : 1));
    if (!bottom) {
        free(pop);
        return error_set(err, ERROR_RUNTIME, "sweep: out of memory for PBT");
    }
    for (int k = 0; k < q; k++) bottom[k] = pop[n - q + k];
    for (int a = 1; a < q; a++)
        for (int k = a; k > 0 && bottom[k - 1] > bottom[k]; k--) {
            int t = bottom[k];
            bottom[k] = bottom[k - 1];
            bottom[k - 1] = t;
        }
    Rng r;
    rng_seed_stream(&r, p->seed, PBT_STREAM | (uint64_t)epoch);
    ErrorCode rc = ERROR_NONE;
    for (int k = 0; k < q && !rc; k++) {
        SweepExploit *x = &out[(*n_out)++];
        x->trial = bottom[k];
        x->donor = pop[rng_below(&r, (uint64_t)q)];
        rc = pbt_explore(p, s, base, &configs[x->donor], &x->config, &r, err);
    }
    free(bottom);
    free(pop);
    return rc;
}
