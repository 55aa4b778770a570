/*
 * gradcheck.c - see gradcheck.h.  The double-precision forward pass below is
 * written independently of model.c's float one, from the same formulas.
 */
#include "gradtop/nn/gradcheck.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradtop/core/rng.h"

static double act_d(Activation a, double z)
{
    switch (a) {
    case ACTIVATION_RELU: return z > 0 ? z : 0;
    case ACTIVATION_LEAKY_RELU: return z > 0 ? z : 0.2 * z;
    case ACTIVATION_TANH: return tanh(z);
    case ACTIVATION_SIGMOID: return 1.0 / (1.0 + exp(-z));
    case ACTIVATION_ELU: return z > 0 ? z : expm1(z);
    case ACTIVATION_GELU: return 0.5 * z * (1.0 + erf(z / sqrt(2.0)));
    case ACTIVATION_LINEAR: return z;
    }
    return z;
}

/* Whether the activation's derivative jumps (at 0): see gradcheck.h. */
static bool act_kinked(Activation a)
{
    return a == ACTIVATION_RELU || a == ACTIVATION_LEAKY_RELU;
}

/* The side of a kinked pre-activation, as model.c's act_backward decides it
 * (z > 0 takes the right slope, z <= 0 the left one). */
static int act_side(double z)
{
    return z > 0;
}

/* The side of an MAE residual or of an L1-penalised weight, as model.c's
 * gradients decide it: the sign, with 0 at 0. */
static int sign_side(double v)
{
    return (v > 0) - (v < 0);
}

/* Values whose side of a kink the check watches, per row: every hidden
 * pre-activation of a kinked activation, then MAE's residual. */
static size_t kink_values(const ModelShape *s)
{
    size_t n = 0;
    for (int l = 1; l < s->n_layers; l++)
        if (act_kinked(s->act[l - 1])) n += (size_t)s->sizes[l];
    if (s->loss == LOSS_MAE) n++;
    return n;
}

/* Scratch of the double pass: two rows of activations, and the watched
 * values of the +h and -h passes of one row. */
typedef struct {
    double *in, *out, *kp, *km;
} Scratch;

static ErrorCode scratch_alloc(Scratch *sc, const ModelShape *s, Error *err)
{
    int width = 0;
    for (int l = 0; l <= s->n_layers; l++)
        if (s->sizes[l] > width) width = s->sizes[l];
    size_t nk = kink_values(s);
    double *blk = malloc(sizeof(double) * (2 * (size_t)width + 2 * nk + 1));
    if (!blk) {
        memset(sc, 0, sizeof *sc);
        return error_set(err, ERROR_RUNTIME, "out of memory: gradcheck's double-precision pass");
    }
    sc->in = blk;
    sc->out = blk + width;
    sc->kp = sc->out + width;
    sc->km = sc->kp + nk;
    return ERROR_NONE;
}

static void scratch_free(Scratch *sc)
{
    free(sc->in);
}

/* The data loss of row r in double; the watched values go to kv when it is
 * not NULL. */
static double row_loss(const Model *m, const float *x, const int *labels, const float *targets,
                       int r, Scratch *sc, double *kv)
{
    const ModelShape *s = &m->shape;
    double *in = sc->in, *out = sc->out;
    for (int j = 0; j < s->sizes[0]; j++) in[j] = x[(size_t)r * s->sizes[0] + j];
    for (int l = 0; l < s->n_layers; l++) {
        const DenseLayer *D = &m->layers[l];
        bool hidden = l < s->n_layers - 1;
        bool watch = kv && hidden && act_kinked(s->act[l]);
        for (int o = 0; o < D->n_out; o++) {
            double z = D->b[o];
            for (int i = 0; i < D->n_in; i++) z += (double)D->W[(size_t)o * D->n_in + i] * in[i];
            if (watch) *kv++ = z;
            out[o] = hidden ? act_d(s->act[l], z) : z;
        }
        double *t = in;
        in = out;
        out = t;
    }
    /* in holds the output layer's logits for this row. */
    int O = s->sizes[s->n_layers];
    double e;
    switch (s->loss) {
    case LOSS_CROSS_ENTROPY: {
        double mx = in[0], se = 0;
        for (int j = 1; j < O; j++) mx = in[j] > mx ? in[j] : mx;
        for (int j = 0; j < O; j++) se += exp(in[j] - mx);
        return mx + log(se) - in[labels[r]];
    }
    case LOSS_BINARY_CROSS_ENTROPY: {
        double p = 1.0 / (1.0 + exp(-in[0]));
        return labels[r] ? -log(p) : -log(1.0 - p);
    }
    case LOSS_MSE: e = in[0] - targets[r]; return e * e;
    case LOSS_MAE:
        e = in[0] - targets[r];
        if (kv) *kv = e;
        return fabs(e);
    case LOSS_HUBER: e = fabs(in[0] - targets[r]); return e <= 1.0 ? 0.5 * e * e : e - 0.5;
    case LOSS_AUTO: break;
    }
    return 0;
}

static double penalty_d(const Model *m)
{
    double pen1 = 0, pen2 = 0;
    for (int l = 0; l < m->shape.n_layers; l++) {
        const DenseLayer *D = &m->layers[l];
        for (size_t i = 0; i < (size_t)D->n_in * D->n_out; i++) {
            pen1 += fabs(D->W[i]);
            pen2 += (double)D->W[i] * D->W[i];
        }
    }
    return m->l1 * pen1 + m->l2 * pen2;
}

/* The kinks that row r met between its +h (kp) and -h (km) passes: a
 * watched value on one side of its kink in one pass and on the other in
 * the other, the sides as backprop decides them. */
static unsigned row_kinks(const ModelShape *s, const double *kp, const double *km)
{
    unsigned kinds = 0;
    size_t k = 0;
    for (int l = 1; l < s->n_layers; l++) {
        if (!act_kinked(s->act[l - 1])) continue;
        for (int o = 0; o < s->sizes[l]; o++, k++)
            if (act_side(kp[k]) != act_side(km[k])) kinds |= GRADCHECK_KINK_ACTIVATION;
    }
    if (s->loss == LOSS_MAE && sign_side(kp[k]) != sign_side(km[k])) kinds |= GRADCHECK_KINK_LOSS;
    return kinds;
}

/* ---- how much float32 backprop may round ------------------------------ */

/* The unit roundoff of float32: every float operation's relative error. */
#define FLOAT_UNIT (FLT_EPSILON / 2)

/* The derivative of the hidden activation at z (output a = act_d(z)), its
 * second derivative, and the magnitude of the terms act_backward computes
 * it from (what its rounding is relative to). */
static void act_slopes(Activation act, double z, double a, double *d1, double *d2, double *mag)
{
    double pdf = exp(-0.5 * z * z) / sqrt(2.0 * M_PI), cdf;
    *d2 = 0;
    *mag = 0;
    switch (act) {
    case ACTIVATION_RELU: *d1 = z > 0; return;
    case ACTIVATION_LEAKY_RELU: *d1 = z > 0 ? 1 : 0.2; return;
    case ACTIVATION_LINEAR: *d1 = 1; return;
    case ACTIVATION_TANH:
        *d1 = 1 - a * a;
        *d2 = -2 * a * *d1;
        *mag = 1 + a * a;
        return;
    case ACTIVATION_SIGMOID:
        *d1 = a * (1 - a);
        *d2 = *d1 * (1 - 2 * a);
        *mag = a * (1 + a);
        return;
    case ACTIVATION_ELU:
        *d1 = z > 0 ? 1 : exp(z);
        *d2 = z > 0 ? 0 : exp(z);
        *mag = z > 0 ? 0 : exp(z);
        return;
    case ACTIVATION_GELU:
        cdf = 0.5 * (1.0 + erf(z / sqrt(2.0)));
        *d1 = cdf + z * pdf;
        *d2 = pdf * (2 - z * z);
        *mag = cdf + fabs(z) * pdf;
        return;
    }
    *d1 = 1;
}

/* Scratch of the bounds' pass: per layer l (0 = the input) of one row its
 * pre-activations z, activations a and the bound ea on the float forward
 * pass's error in a; then the deltas of one layer and of the one below
 * with their bounds (in units of FLOAT_UNIT, as every bound below). */
typedef struct {
    double *z[MODEL_MAX_LAYERS + 1], *ez[MODEL_MAX_LAYERS + 1];
    double *a[MODEL_MAX_LAYERS + 1], *ea[MODEL_MAX_LAYERS + 1];
    double *d, *ed, *dn, *edn;
} BoundScratch;

/* The output layer's dL/dz of one row (times B), its value into d and the
 * bound on its float error into ed, given the logits z with forward error
 * bounds ez.  The error of the float pass's p - y is of the order of
 * |p| + |y| whatever p - y is: p near 1 is held to 6e-8. */
static void output_bounds(const Model *m, const double *z, const double *ez, int label,
                          double target, double *d, double *ed)
{
    const ModelShape *s = &m->shape;
    int O = s->sizes[s->n_layers];
    double e, p;
    switch (s->loss) {
    case LOSS_CROSS_ENTROPY: {
        /* expf(z_j - max) errs by the errors of both logits and of their
         * difference; the sum's error, at most the largest of those, then
         * reaches every p_j through 1/sum. */
        double mx = z[0], se = 0, emx = 0, worst = 0;
        int at = 0;
        for (int j = 1; j < O; j++)
            if (z[j] > mx) mx = z[at = j];
        emx = ez[at];
        for (int j = 0; j < O; j++) {
            se += exp(z[j] - mx);
            worst = fmax(worst, ez[j] + emx + fabs(z[j] - mx) + 2);
        }
        for (int j = 0; j < O; j++) {
            p = exp(z[j] - mx) / se;
            double y = j == label;
            d[j] = p - y;
            ed[j] = p * (ez[j] + emx + fabs(z[j] - mx) + 2 + worst + 2) + 2 * (p + y);
        }
        return;
    }
    case LOSS_BINARY_CROSS_ENTROPY:
        p = 1.0 / (1.0 + exp(-z[0]));
        d[0] = p - label;
        ed[0] = p * (1 - p) * ez[0] + 4 * p + 2 * (p + label);
        return;
    case LOSS_MSE:
        e = z[0] - target;
        d[0] = 2 * e;
        ed[0] = 2 * ez[0] + 4 * (fabs(z[0]) + fabs(target));
        return;
    case LOSS_HUBER:
        e = z[0] - target;
        d[0] = e > 1.0 ? 1.0 : e < -1.0 ? -1.0 : e;
        ed[0] = ez[0] + 2 * (fabs(z[0]) + fabs(target));
        return;
    case LOSS_MAE:
        /* ±1, exact; a residual whose sign rounding could flip is a kink. */
        e = z[0] - target;
        d[0] = (e > 0) - (e < 0);
        ed[0] = 0;
        return;
    case LOSS_AUTO: break;
    }
    d[0] = ed[0] = 0;
}

/*
 * A first-order bound, in units of FLOAT_UNIT, on the rounding error of
 * each gradient entry as model.c computes it in float32 over B rows, into
 * bound (n_params).  A running error analysis of the same pass in double:
 * a sum of n products rounds by up to n·u times the sum of their
 * magnitudes; each error already made is carried forward through the
 * magnitudes of what multiplies it.  The small constants (2, 4, 8) count
 * the roundings of one formula, a library function (expf, tanhf, erff)
 * taken as erring by up to 2 units.
 */
static void rounding_bounds(const Model *m, const float *x, const int *labels, const float *targets,
                            int B, BoundScratch *bs, double *bound)
{
    const ModelShape *s = &m->shape;
    int L = s->n_layers;
    memset(bound, 0, m->n_params * sizeof *bound);
    for (int r = 0; r < B; r++) {
        for (int j = 0; j < s->sizes[0]; j++) {
            bs->a[0][j] = x[(size_t)r * s->sizes[0] + j];
            bs->ea[0][j] = 0;
        }
        for (int l = 0; l < L; l++) {
            const DenseLayer *D = &m->layers[l];
            const double *a = bs->a[l], *ea = bs->ea[l];
            for (int o = 0; o < D->n_out; o++) {
                const float *w = D->W + (size_t)o * D->n_in;
                double z = D->b[o], mag = fabs(D->b[o]), ez = 0;
                for (int i = 0; i < D->n_in; i++) {
                    z += (double)w[i] * a[i];
                    mag += fabs((double)w[i] * a[i]);
                    ez += fabs((double)w[i]) * ea[i];
                }
                ez += (D->n_in + 1) * mag;
                bs->z[l + 1][o] = z;
                bs->ez[l + 1][o] = ez;
                if (l == L - 1) {
                    bs->a[l + 1][o] = z;
                    bs->ea[l + 1][o] = ez;
                    continue;
                }
                double out = act_d(s->act[l], z), d1, d2, dm;
                act_slopes(s->act[l], z, out, &d1, &d2, &dm);
                bs->a[l + 1][o] = out;
                bs->ea[l + 1][o] = fabs(d1) * ez + 4 * fabs(out);
            }
        }
        output_bounds(m, bs->a[L], bs->ea[L], labels ? labels[r] : 0, targets ? targets[r] : 0,
                      bs->d, bs->ed);
        for (int l = L - 1; l >= 0; l--) {
            const DenseLayer *D = &m->layers[l];
            const double *a = bs->a[l], *ea = bs->ea[l];
            size_t off_w = (size_t)(D->W - m->params), off_b = (size_t)(D->b - m->params);
            /* dW = Σ_rows dZᵀ·A and db = Σ_rows dZ: sums of B terms. */
            for (int o = 0; o < D->n_out; o++) {
                double d = fabs(bs->d[o]), ed = bs->ed[o];
                for (int i = 0; i < D->n_in; i++)
                    bound[off_w + (size_t)o * D->n_in + i] +=
                        ed * fabs(a[i]) + d * ea[i] + (B + 1) * d * fabs(a[i]);
                bound[off_b + (size_t)o] += ed + (B + 1) * d;
            }
            if (l == 0) break;
            /* dA = dZ·W, a sum of n_out terms, then times the derivative
             * computed from the float forward pass's a. */
            for (int i = 0; i < D->n_in; i++) {
                double da = 0, mag = 0, eda = 0;
                for (int o = 0; o < D->n_out; o++) {
                    double w = D->W[(size_t)o * D->n_in + i];
                    da += w * bs->d[o];
                    mag += fabs(w * bs->d[o]);
                    eda += fabs(w) * bs->ed[o];
                }
                eda += D->n_out * mag;
                double d1, d2, dm;
                act_slopes(s->act[l - 1], bs->z[l][i], a[i], &d1, &d2, &dm);
                bs->dn[i] = da * d1;
                bs->edn[i] =
                    fabs(d1) * eda + fabs(da) * (fabs(d2) * bs->ez[l][i] + 8 * dm + 2 * fabs(d1));
            }
            double *t = bs->d;
            bs->d = bs->dn;
            bs->dn = t;
            t = bs->ed;
            bs->ed = bs->edn;
            bs->edn = t;
        }
    }
    /* The mean over rows, then the penalty's terms added to dW. */
    for (size_t k = 0; k < m->n_params; k++) bound[k] /= B;
    for (int l = 0; l < L; l++) {
        const DenseLayer *D = &m->layers[l];
        size_t off_w = (size_t)(D->W - m->params);
        for (size_t k = 0; k < (size_t)D->n_in * D->n_out; k++)
            bound[off_w + k] += 2 * (fabs(m->l1) + 4 * m->l2 * fabs(D->W[k]));
    }
}

/* Scratch of the bounds' pass and the bounds (n_params) in one block. */
static double *bounds_alloc(const Model *m, BoundScratch *bs)
{
    const ModelShape *s = &m->shape;
    int width = 0;
    size_t per_layer = 0;
    for (int l = 0; l <= s->n_layers; l++) {
        width = s->sizes[l] > width ? s->sizes[l] : width;
        per_layer += (size_t)s->sizes[l];
    }
    double *bound = malloc(sizeof(double) * (m->n_params + 4 * per_layer + 4 * (size_t)width));
    if (!bound) return NULL;
    double *q = bound + m->n_params;
    for (int l = 0; l <= s->n_layers; l++) {
        size_t n = (size_t)s->sizes[l];
        bs->z[l] = q;
        bs->ez[l] = q + n;
        bs->a[l] = q + 2 * n;
        bs->ea[l] = q + 3 * n;
        q += 4 * n;
    }
    bs->d = q;
    bs->ed = q + width;
    bs->dn = q + 2 * width;
    bs->edn = q + 3 * width;
    return bound;
}

/* One tensor's sampled entries: their errors, or why they were left out. */
typedef struct {
    int checked, kinked;
    unsigned kinds;
    double max_err, mean_err, norm;
} TensorCheck;

typedef struct {
    Model *m;
    const float *x;
    const int *labels;
    const float *targets;
    int B;
    double h;
    Scratch sc;
    const double *bound; /* rounding_bounds of every parameter */
} CheckCtx;

/* Checks up to max entries of p (n) against grad g; weights says whether p
 * is a W (under the L1 penalty's kink). */
static void check_tensor(CheckCtx *c, float *p, const float *g, size_t n, bool weights, int max,
                         Rng *rng, TensorCheck *t)
{
    Model *m = c->m;
    size_t k = n < (size_t)max ? n : (size_t)max;
    double sum_err = 0, sq = 0;
    memset(t, 0, sizeof *t);
    for (size_t s = 0; s < k; s++) {
        size_t i = k == n ? s : (size_t)rng_below(rng, n);
        float keep = p[i];
        /* The perturbed value is what float32 can hold: use the actual step. */
        float vp = (float)(keep + c->h), vm = (float)(keep - c->h);
        unsigned kinds = 0;
        if (weights && m->l1 != 0 && sign_side(vp) != sign_side(vm)) kinds |= GRADCHECK_KINK_L1;
        /* Row by row, the +h pass then the -h pass, so that one row's
         * watched values of both can be compared. */
        double lp = 0, lm = 0;
        for (int r = 0; r < c->B; r++) {
            p[i] = vp;
            lp += row_loss(m, c->x, c->labels, c->targets, r, &c->sc, c->sc.kp);
            p[i] = vm;
            lm += row_loss(m, c->x, c->labels, c->targets, r, &c->sc, c->sc.km);
            kinds |= row_kinks(&m->shape, c->sc.kp, c->sc.km);
        }
        p[i] = vp;
        lp = lp / c->B + penalty_d(m);
        p[i] = vm;
        lm = lm / c->B + penalty_d(m);
        p[i] = keep;
        if (kinds) {
            t->kinked++;
            t->kinds |= kinds;
            continue;
        }
        double fd = (lp - lm) / ((double)vp - vm);
        double bp = g[i];
        double resolution = c->bound[p - m->params + i] * FLOAT_UNIT / GRADCHECK_TOLERANCE;
        double den = fmax(fmax(fabs(bp), fabs(fd)), fmax(GRADCHECK_FLOOR, resolution));
        double err = fabs(bp - fd) / den;
        /* A gradient that is not a number disagrees with everything. */
        if (isnan(err)) err = INFINITY;
        sum_err += err;
        sq += bp * bp;
        if (err > t->max_err) t->max_err = err;
        t->checked++;
    }
    t->mean_err = t->checked ? sum_err / t->checked : 0;
    t->norm = sqrt(sq);
}

GradcheckVerdict gradcheck_verdict(int n_checked, double max_err)
{
    if (n_checked == 0) return GRADCHECK_UNCHECKED;
    return max_err <= GRADCHECK_TOLERANCE ? GRADCHECK_AGREE : GRADCHECK_MISMATCH;
}

void gradcheck_kink_text(unsigned kinks, Activation hidden, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = 0;
    if (kinks & GRADCHECK_KINK_ACTIVATION)
        len += (size_t)snprintf(buf + len, cap > len ? cap - len : 0,
                                "a %s pre-activation lay within the step of its kink at 0",
                                activation_name(hidden));
    if (kinks & GRADCHECK_KINK_LOSS)
        len += (size_t)snprintf(buf + len, cap > len ? cap - len : 0,
                                "%san MAE residual lay "
                                "within the step of its kink at 0",
                                len ? "; " : "");
    if (kinks & GRADCHECK_KINK_L1)
        snprintf(buf + len, cap > len ? cap - len : 0,
                 "%sthe weight lay within the step of 0, the L1 penalty's kink", len ? "; " : "");
}

ErrorCode gradcheck_compare(Model *m, const float *x, const int *labels, const float *targets,
                            int B, int max_per_tensor, double h, uint64_t seed,
                            GradcheckReport *rep, Error *err)
{
    memset(rep, 0, sizeof *rep);
    CheckCtx c = {m, x, labels, targets, B, h, {0}, NULL};
    if (scratch_alloc(&c.sc, &m->shape, err)) return ERROR_RUNTIME;
    BoundScratch bs;
    double *bound = bounds_alloc(m, &bs);
    if (!bound) {
        scratch_free(&c.sc);
        return error_set(err, ERROR_RUNTIME, "out of memory: gradcheck's rounding bounds");
    }
    rounding_bounds(m, x, labels, targets, B, &bs, bound);
    c.bound = bound;
    Rng rng;
    rng_seed(&rng, seed);
    rep->n_layers = m->shape.n_layers;
    for (int l = 0; l < m->shape.n_layers; l++) {
        DenseLayer *D = &m->layers[l];
        GradcheckLayer *o = &rep->layer[l];
        TensorCheck tw, tb;
        check_tensor(&c, D->W, D->dW, (size_t)D->n_in * D->n_out, true, max_per_tensor, &rng, &tw);
        check_tensor(&c, D->b, D->db, (size_t)D->n_out, false, max_per_tensor, &rng, &tb);
        *o = (GradcheckLayer){.n_checked_w = tw.checked,
                              .n_checked_b = tb.checked,
                              .n_kink_w = tw.kinked,
                              .n_kink_b = tb.kinked,
                              .kinks = tw.kinds | tb.kinds,
                              .max_err_w = tw.max_err,
                              .max_err_b = tb.max_err,
                              .mean_err_w = tw.mean_err,
                              .mean_err_b = tb.mean_err,
                              .norm_w = tw.norm,
                              .norm_b = tb.norm};
        rep->worst = fmax(rep->worst, fmax(tw.max_err, tb.max_err));
        rep->n_kink += tw.kinked + tb.kinked;
        rep->kinks |= o->kinks;
        const TensorCheck *both[2] = {&tw, &tb};
        for (int j = 0; j < 2; j++) {
            GradcheckVerdict v = gradcheck_verdict(both[j]->checked, both[j]->max_err);
            rep->n_unchecked += v == GRADCHECK_UNCHECKED && both[j]->kinked > 0;
            rep->n_mismatch += v == GRADCHECK_MISMATCH;
        }
    }
    scratch_free(&c.sc);
    free(bound);
    return ERROR_NONE;
}

ErrorCode gradcheck_run(Model *m, const float *x, const int *labels, const float *targets, int B,
                        int max_per_tensor, double h, uint64_t seed, GradcheckReport *rep,
                        Error *err)
{
    double dropout = m->dropout;
    m->dropout = 0;
    model_forward(m, x, B, false, NULL);
    model_zero_grads(m);
    model_backward(m, labels, targets, B);
    ErrorCode ec = gradcheck_compare(m, x, labels, targets, B, max_per_tensor, h, seed, rep, err);
    m->dropout = dropout;
    return ec;
}
