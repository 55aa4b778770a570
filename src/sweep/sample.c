/*
 * sweep_sample.c - the samplers: grid, random and the tree-structured
 * Parzen estimator (Bergstra et al. 2011, as Optuna's TPESampler).
 * See sweep.h for the rules and their order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_private.h"

/* Optuna's TPESampler: consider_prior with prior_weight 1.0, gamma
 * min(ceil(0.1 n), 25), the newest 25 trials weighted 1. */
#define TPE_PRIOR_WEIGHT 1.0
#define TPE_GAMMA_SHARE 0.1
#define TPE_GAMMA_MAX 25
#define TPE_FLAT_WEIGHTS 25
/* Draws a truncated kernel may reject before it takes the clipped value:
 * with the centre inside the range and the width at most the range, a draw
 * lands inside with probability above 1/3, so this is never reached in
 * practice; it bounds the loop all the same. */
#define TPE_MAX_REJECTS 1000

void sweep_sampler_default(SweepSampler *sm, SweepSamplerKind kind, uint64_t seed,
                           MonitorField monitor)
{
    sm->kind = kind;
    sm->seed = seed;
    sm->monitor = monitor;
    sm->n_startup = 10;
    sm->n_ei_candidates = 24;
}

/* Sets every value's `active` for c's roots: the others hold placeholders
 * (their first grid value) until they are drawn. */
static ErrorCode mark_active(const SweepSpace *s, const Options *base, SweepConfig *c, Error *err)
{
    SweepConfig probe = *c;
    for (int i = 0; i < s->n; i++)
        if (!sweep_param_is_root(&s->p[i])) sweep_param_grid_value(&s->p[i], 0, &probe.v[i]);
    Options o;
    ErrorCode rc = sweep_config_apply(s, base, &probe, &o, err);
    if (rc) return rc;
    for (int i = 0; i < s->n; i++) c->v[i].active = probe.v[i].active;
    return ERROR_NONE;
}

/* Grid points under root combination r: the product of the grid values
 * of the other parameters that apply there. */
static ErrorCode grid_block(const SweepSpace *s, const Options *base, int r, SweepConfig *c,
                            double *size, Error *err)
{
    sweep_root_set(s, r, c);
    ErrorCode rc = mark_active(s, base, c, err);
    if (rc) return rc;
    *size = 1;
    for (int i = 0; i < s->n; i++)
        if (!sweep_param_is_root(&s->p[i]) && c->v[i].active)
            *size *= sweep_param_grid_values(&s->p[i]);
    return ERROR_NONE;
}

ErrorCode sweep_grid_size(const SweepSpace *s, const Options *base, size_t *n, Error *err)
{
    ErrorCode rc = sweep_space_check(s, base, SWEEP_SAMPLER_GRID, err);
    if (rc) return rc;
    double total = 0;
    for (int r = 0; r < sweep_root_count(s); r++) {
        SweepConfig c;
        double size;
        rc = grid_block(s, base, r, &c, &size, err);
        if (rc) return rc;
        total += size; /* exact in a double up to 2^53, far above the cap */
        if (total > SWEEP_MAX_GRID)
            return error_set(err, ERROR_INPUT,
                             "--space: the grid has more than %d points; give fewer values",
                             SWEEP_MAX_GRID);
    }
    *n = (size_t)total;
    return ERROR_NONE;
}

static ErrorCode sample_grid(const SweepSpace *s, const Options *base, int trial, SweepConfig *c,
                             Error *err)
{
    size_t n;
    ErrorCode rc = sweep_grid_size(s, base, &n, err);
    if (rc) return rc;
    if (trial < 0 || (size_t)trial >= n)
        return error_set(err, ERROR_INPUT, "trial %d is beyond the grid's %zu points", trial + 1,
                         n);
    double k = trial;
    for (int r = 0;; r++) {
        double size;
        rc = grid_block(s, base, r, c, &size, err);
        if (rc) return rc;
        if (k < size) break;
        k -= size;
    }
    /* the last parameter changes fastest */
    long rest = (long)k;
    for (int i = s->n - 1; i >= 0; i--) {
        const SweepParam *p = &s->p[i];
        if (sweep_param_is_root(p) || !c->v[i].active) continue;
        long m = (long)sweep_param_grid_values(p);
        sweep_param_grid_value(p, rest % m, &c->v[i]);
        rest /= m;
    }
    return ERROR_NONE;
}

/* The roots drawn, then the others that apply under them. */
static ErrorCode sample_random(const SweepSpace *s, const Options *base, Rng *r, SweepConfig *c,
                               Error *err)
{
    for (int i = 0; i < s->n; i++)
        if (sweep_param_is_root(&s->p[i])) sweep_param_draw(&s->p[i], r, &c->v[i]);
    ErrorCode rc = mark_active(s, base, c, err);
    if (rc) return rc;
    for (int i = 0; i < s->n; i++)
        if (!sweep_param_is_root(&s->p[i]) && c->v[i].active)
            sweep_param_draw(&s->p[i], r, &c->v[i]);
    return ERROR_NONE;
}

/* ---- TPE -------------------------------------------------------------- */

/* An observation's place in the ranking: complete trials first, then by
 * epochs reached, then by figure (as a loss: lower is better), then by
 * trial order. */
typedef struct {
    int incomplete, neg_epochs;
    double loss;
    int idx;
} Rank;

static int rank_cmp(const void *pa, const void *pb)
{
    const Rank *a = pa, *b = pb;
    if (a->incomplete != b->incomplete) return a->incomplete - b->incomplete;
    if (a->incomplete && a->neg_epochs != b->neg_epochs) return a->neg_epochs - b->neg_epochs;
    if (a->loss != b->loss) return a->loss < b->loss ? -1 : 1;
    return a->idx - b->idx;
}

/* Optuna's default_weights: n ones, or for n > 25 a ramp from 1/n to 1
 * over the n - 25 oldest, then 25 ones. */
static double tpe_weight(int i, int n)
{
    if (n <= TPE_FLAT_WEIGHTS) return 1.0;
    int k = n - TPE_FLAT_WEIGHTS;
    if (i >= k) return 1.0;
    if (k == 1) return 1.0 / n;
    return 1.0 / n + (1.0 - 1.0 / n) * i / (k - 1);
}

/* One Parzen estimator of one parameter: weighted kernels, the prior
 * last.  Numeric: truncated Gaussians on [low, high] (log space for log
 * parameters); categorical: a probability per alternative. */
typedef struct {
    bool categorical;
    int m;     /* kernels, the prior included */
    double *w; /* (m) normalized weights */
    double *mu, *sigma;
    double low, high;
    int n_alt;
    double *p; /* categorical: (n_alt) the mixture's probabilities */
} Parzen;

static double normal_cdf(double z)
{
    return 0.5 * erfc(-z / sqrt(2.0));
}

/* Optuna's univariate bandwidth: each centre's larger distance to its
 * sorted neighbours (the range's ends beyond the outermost, the prior's
 * centre among them), the outermost two taking their inner distance, all
 * clipped to [range / min(100, m + 1), range]. */
static void tpe_bandwidths(Parzen *pz, int n_obs)
{
    int m = pz->m; /* n_obs + 1 with the prior */
    int *order = malloc(sizeof(int) * (size_t)m);
    double *ends = malloc(sizeof(double) * (size_t)(m + 2));
    if (!order || !ends) {
        /* out of memory: the widest kernels are still a valid estimator */
        for (int k = 0; k < m; k++) pz->sigma[k] = pz->high - pz->low;
        free(order);
        free(ends);
        return;
    }
    for (int k = 0; k < m; k++) order[k] = k;
    /* insertion sort by centre, stable: m is small */
    for (int a = 1; a < m; a++)
        for (int b = a; b > 0 && pz->mu[order[b - 1]] > pz->mu[order[b]]; b--) {
            int t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    ends[0] = pz->low;
    for (int k = 0; k < m; k++) ends[k + 1] = pz->mu[order[k]];
    ends[m + 1] = pz->high;
    double range = pz->high - pz->low;
    double minsigma = range / fmin(100.0, 1.0 + m), maxsigma = range;
    for (int k = 0; k < m; k++) {
        double left = ends[k + 1] - ends[k], right = ends[k + 2] - ends[k + 1];
        double sg = fmax(left, right);
        if (m + 2 >= 4 && k == 0) sg = ends[2] - ends[1];
        if (m + 2 >= 4 && k == m - 1) sg = ends[m] - ends[m - 1];
        pz->sigma[order[k]] = fmin(fmax(sg, minsigma), maxsigma);
    }
    /* the prior's width is the whole range, whatever its neighbours */
    pz->sigma[n_obs] = range;
    free(order);
    free(ends);
}

/* The parameter's value in the space the kernels live in. */
static double tpe_transform(const SweepParam *p, double x)
{
    return p->dist == SWEEP_LOGUNIFORM ? log(x) : x;
}

/* Whether v is a value of p the estimator can take: active, and for a
 * categorical parameter one of its alternatives (a configuration of
 * another space is skipped rather than read out of bounds). */
static bool observed(const SweepParam *p, const SweepValue *v)
{
    if (!v->active) return false;
    bool cat = p->dist == SWEEP_CHOICE || p->dist == SWEEP_GRID || p->dist == SWEEP_LOGGRID;
    return cat ? v->index >= 0 && v->index < p->n : isfinite(v->x);
}

static void parzen_free(Parzen *pz)
{
    free(pz->w);
    free(pz->mu);
    free(pz->sigma);
    free(pz->p);
    memset(pz, 0, sizeof *pz);
}

/* The estimator over the observations obs[idx[0..n)] that have parameter
 * i, weighted in trial order. */
static ErrorCode parzen_build(Parzen *pz, const SweepSpace *s, int i, const SweepObservation *obs,
                              const int *idx, int n, Error *err)
{
    const SweepParam *p = &s->p[i];
    memset(pz, 0, sizeof *pz);
    int have = 0;
    for (int k = 0; k < n; k++) have += observed(p, &obs[idx[k]].config->v[i]);
    pz->m = have + 1;
    pz->categorical = p->dist == SWEEP_CHOICE || p->dist == SWEEP_GRID || p->dist == SWEEP_LOGGRID;
    pz->w = malloc(sizeof(double) * (size_t)pz->m);
    pz->mu = malloc(sizeof(double) * (size_t)pz->m);
    pz->sigma = malloc(sizeof(double) * (size_t)pz->m);
    if (pz->categorical) pz->p = calloc((size_t)p->n, sizeof(double));
    if (!pz->w || !pz->mu || !pz->sigma || (pz->categorical && !pz->p)) {
        parzen_free(pz);
        return error_set(err, ERROR_RUNTIME, "sweep: out of memory for the TPE sampler");
    }
    double wsum = TPE_PRIOR_WEIGHT;
    for (int k = 0, j = 0; k < n; k++) {
        const SweepValue *v = &obs[idx[k]].config->v[i];
        if (!observed(p, v)) continue;
        pz->w[j] = tpe_weight(j, have);
        wsum += pz->w[j];
        pz->mu[j] = pz->categorical ? v->index : tpe_transform(p, sweep_param_clip(p, v->x));
        j++;
    }
    pz->w[have] = TPE_PRIOR_WEIGHT;
    for (int k = 0; k < pz->m; k++) pz->w[k] /= wsum;
    if (pz->categorical) {
        /* Optuna's smoothed counts: each kernel 1/m on every alternative and
         * 1 more on its own, normalized; the prior's row is uniform */
        pz->n_alt = p->n;
        double row = (double)p->n / pz->m + 1.0;
        for (int k = 0; k < have; k++) {
            for (int a = 0; a < p->n; a++) pz->p[a] += pz->w[k] / pz->m / row;
            pz->p[(int)pz->mu[k]] += pz->w[k] / row;
        }
        for (int a = 0; a < p->n; a++) pz->p[a] += pz->w[have] / p->n;
        return ERROR_NONE;
    }
    double lo = p->lo, hi = p->hi;
    if (p->dist == SWEEP_INT) {
        lo -= 0.5;
        hi += 0.5;
    }
    pz->low = tpe_transform(p, lo);
    pz->high = tpe_transform(p, hi);
    pz->mu[have] = 0.5 * (pz->low + pz->high);
    tpe_bandwidths(pz, have);
    return ERROR_NONE;
}

/* log of the mixture's density at y (a point of the kernels' space), or
 * of its probability of alternative y. */
static double parzen_log_pdf(const Parzen *pz, double y)
{
    if (pz->categorical) return log(pz->p[(int)y]);
    /* log-sum-exp over the kernels */
    double best = -INFINITY;
    double *terms = NULL;
    double stack[64];
    terms = pz->m <= 64 ? stack : malloc(sizeof(double) * (size_t)pz->m);
    if (!terms) return 0; /* out of memory: every candidate ties, the first is kept */
    for (int k = 0; k < pz->m; k++) {
        double sg = pz->sigma[k], z = (y - pz->mu[k]) / sg;
        double mass =
            normal_cdf((pz->high - pz->mu[k]) / sg) - normal_cdf((pz->low - pz->mu[k]) / sg);
        terms[k] = log(pz->w[k]) - 0.5 * z * z - log(sg * sqrt(2 * M_PI)) - log(mass);
        if (terms[k] > best) best = terms[k];
    }
    double sum = 0;
    for (int k = 0; k < pz->m; k++) sum += exp(terms[k] - best);
    if (terms != stack) free(terms);
    return best + log(sum);
}

/* One draw from the mixture: a kernel by weight, then from it. */
static double parzen_draw(const Parzen *pz, Rng *r)
{
    double u = rng_uniform(r);
    if (pz->categorical) {
        int a = 0;
        for (; a < pz->n_alt - 1; a++) {
            if (u < pz->p[a]) break;
            u -= pz->p[a];
        }
        return a;
    }
    int k = 0;
    for (; k < pz->m - 1; k++) {
        if (u < pz->w[k]) break;
        u -= pz->w[k];
    }
    for (int t = 0; t < TPE_MAX_REJECTS; t++) {
        double y = pz->mu[k] + pz->sigma[k] * rng_normal(r);
        if (y >= pz->low && y <= pz->high) return y;
    }
    return fmin(fmax(pz->mu[k], pz->low), pz->high);
}

/* Sets value v of parameter p from y, a point of the kernels' space. */
static void tpe_set(const SweepParam *p, double y, SweepValue *v)
{
    v->active = true;
    v->index = -1;
    switch (p->dist) {
    case SWEEP_CHOICE:
    case SWEEP_GRID:
    case SWEEP_LOGGRID: sweep_param_grid_value(p, (long)y, v); break;
    case SWEEP_LOGUNIFORM: v->x = sweep_param_clip(p, exp(y)); break;
    case SWEEP_UNIFORM:
    case SWEEP_INT: v->x = sweep_param_clip(p, y); break;
    }
}

/* The kernels' point for value v (an int at its rounded value). */
static double tpe_point(const SweepParam *p, const SweepValue *v)
{
    bool cat = p->dist == SWEEP_CHOICE || p->dist == SWEEP_GRID || p->dist == SWEEP_LOGGRID;
    return cat ? v->index : tpe_transform(p, v->x);
}

/* Parameter i drawn by TPE from the good (below) and bad (above) sets. */
static ErrorCode tpe_param(const SweepSampler *sm, const SweepSpace *s, int i,
                           const SweepObservation *obs, const int *below, int n_below,
                           const int *above, int n_above, Rng *r, SweepValue *out, Error *err)
{
    const SweepParam *p = &s->p[i];
    Parzen l, g;
    ErrorCode rc = parzen_build(&l, s, i, obs, below, n_below, err);
    if (rc) return rc;
    rc = parzen_build(&g, s, i, obs, above, n_above, err);
    if (rc) {
        parzen_free(&l);
        return rc;
    }
    double best = -INFINITY;
    for (int k = 0; k < sm->n_ei_candidates; k++) {
        SweepValue v;
        tpe_set(p, parzen_draw(&l, r), &v);
        double y = tpe_point(p, &v);
        double score = parzen_log_pdf(&l, y) - parzen_log_pdf(&g, y);
        if (k == 0 || score > best) {
            best = score;
            *out = v;
        }
    }
    parzen_free(&l);
    parzen_free(&g);
    return ERROR_NONE;
}

static int int_cmp(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static ErrorCode sample_tpe(const SweepSampler *sm, const SweepSpace *s, const Options *base,
                            const SweepObservation *obs, int n, Rng *r, SweepConfig *c, Error *err)
{
    bool hib = monitor_higher_is_better(sm->monitor);
    Rank *rank = malloc(sizeof(Rank) * (size_t)n);
    int *idx = malloc(sizeof(int) * (size_t)n);
    if (!rank || !idx) {
        free(rank);
        free(idx);
        return error_set(err, ERROR_RUNTIME, "sweep: out of memory for the TPE sampler");
    }
    for (int k = 0; k < n; k++) {
        double f = obs[k].figure;
        rank[k].incomplete = !obs[k].complete;
        rank[k].neg_epochs = -obs[k].epochs;
        rank[k].loss = !isfinite(f) ? INFINITY : hib ? -f : f;
        rank[k].idx = k;
    }
    qsort(rank, (size_t)n, sizeof *rank, rank_cmp);
    int n_below = (int)ceil(TPE_GAMMA_SHARE * n);
    if (n_below > TPE_GAMMA_MAX) n_below = TPE_GAMMA_MAX;
    for (int k = 0; k < n; k++) idx[k] = rank[k].idx;
    /* each set in trial order, as the weights ramp over it */
    qsort(idx, (size_t)n_below, sizeof *idx, int_cmp);
    qsort(idx + n_below, (size_t)(n - n_below), sizeof *idx, int_cmp);
    free(rank);
    ErrorCode rc = ERROR_NONE;
    for (int pass = 0; pass < 2 && !rc; pass++) {
        if (pass == 1) rc = mark_active(s, base, c, err);
        for (int i = 0; i < s->n && !rc; i++) {
            if (sweep_param_is_root(&s->p[i]) != (pass == 0)) continue;
            if (pass == 1 && !c->v[i].active) continue;
            rc = tpe_param(sm, s, i, obs, idx, n_below, idx + n_below, n - n_below, r, &c->v[i],
                           err);
        }
    }
    free(idx);
    return rc;
}

ErrorCode sweep_sample(const SweepSampler *sm, const SweepSpace *s, const Options *base, int trial,
                       const SweepObservation *obs, int n_obs, SweepConfig *c, Options *out,
                       Error *err)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < s->n; i++) sweep_param_grid_value(&s->p[i], 0, &c->v[i]);
    Rng r;
    rng_seed_stream(&r, sm->seed, (uint64_t)trial);
    ErrorCode rc;
    if (sm->kind == SWEEP_SAMPLER_GRID)
        rc = sample_grid(s, base, trial, c, err);
    else if (sm->kind == SWEEP_SAMPLER_TPE && n_obs >= sm->n_startup && n_obs > 0)
        rc = sample_tpe(sm, s, base, obs, n_obs, &r, c, err);
    else
        rc = sample_random(s, base, &r, c, err);
    return rc ? rc : sweep_config_apply(s, base, c, out, err);
}
