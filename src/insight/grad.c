/*
 * insight_grad.c - the quality of the mini-batch gradient estimate: probes,
 * the gradient noise scale, per-layer norms and update ratios (see
 * insight.h).
 *
 * The noise scale follows McCandlish, Kaplan, Amodei et al., "An Empirical
 * Model of Large-Batch Training" (2018), section 2.2 and appendix A:
 * B_simple = tr(Σ)/|G|², with |G|² and tr(Σ) estimated without bias from the
 * squared gradient norms at two batch sizes.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gradtop/insight/insight.h"

void gradprobe_free(GradProbe *p)
{
    free(p->G);
    free(p->g);
    free(p->saved);
    free(p->kept);
    free(p->x);
    free(p->labels);
    free(p->targets);
    free(p->idx);
    memset(p, 0, sizeof *p);
}

ErrorCode gradprobe_create(GradProbe *p, const Model *m, size_t n_train, uint64_t seed, Error *err)
{
    memset(p, 0, sizeof *p);
    p->n_params = m->n_params;
    p->d = m->shape.sizes[0];
    p->chunk = m->cap_batch > 0 ? m->cap_batch : 1;
    p->n_train = n_train;
    size_t np = m->n_params, ch = (size_t)p->chunk;
    p->G = malloc(np * sizeof *p->G);
    p->g = malloc(np * sizeof *p->g);
    p->saved = malloc(np * sizeof *p->saved);
    p->kept = malloc(GRADPROBE_COS_BATCHES * np * sizeof *p->kept);
    p->x = malloc(ch * (size_t)p->d * sizeof *p->x);
    p->labels = calloc(ch, sizeof *p->labels);
    p->targets = calloc(ch, sizeof *p->targets);
    p->idx = malloc((n_train ? n_train : 1) * sizeof *p->idx);
    if (!p->G || !p->g || !p->saved || !p->kept || !p->x || !p->labels || !p->targets || !p->idx) {
        gradprobe_free(p);
        return error_set(err, ERROR_RUNTIME,
                         "gradient probe: out of memory (%zu parameters, %zu rows)", np, n_train);
    }
    for (size_t i = 0; i < n_train; i++) p->idx[i] = (int)i;
    rng_seed(&p->rng, seed);
    return ERROR_NONE;
}

static double dot_f(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

static double layer_sq(const DenseLayer *L, const float *vec)
{
    size_t n = (size_t)L->n_out * ((size_t)L->n_in + 1);
    return dot_f(vec + L->offset, vec + L->offset, n);
}

void layer_norms(const Model *m, const float *vec, double *out)
{
    for (int l = 0; l < m->shape.n_layers; l++) out[l] = sqrt(layer_sq(&m->layers[l], vec));
}

static double ratio(double num, double den)
{
    if (den > 0) return num / den;
    return num > 0 ? INFINITY : 0.0;
}

void update_ratios(const Model *m, const float *delta, double *out)
{
    for (int l = 0; l < m->shape.n_layers; l++) {
        const DenseLayer *L = &m->layers[l];
        out[l] = ratio(sqrt(layer_sq(L, delta)), sqrt(layer_sq(L, m->params)));
    }
}

void update_ratios_since(const Model *m, const float *before, double *out)
{
    for (int l = 0; l < m->shape.n_layers; l++) {
        const DenseLayer *L = &m->layers[l];
        size_t n = (size_t)L->n_out * ((size_t)L->n_in + 1);
        const float *w = m->params + L->offset, *b = before + L->offset;
        double dsq = 0, bsq = 0;
        for (size_t i = 0; i < n; i++) {
            double dv = (double)w[i] - b[i];
            dsq += dv * dv;
            bsq += (double)b[i] * b[i];
        }
        out[l] = ratio(sqrt(dsq), sqrt(bsq));
    }
}

void noise_scale_estimate(double s_small, double b_small, double s_big, double b_big, double n,
                          double *g2, double *trace)
{
    assert(b_small > 0 && b_big > b_small);
    /* c(b): the variance of a b-row mean over the per-example variance. */
    double c_small = n > 0 ? (n - b_small) / (b_small * (n - 1)) : 1.0 / b_small;
    double c_big = n > 0 ? (n - b_big) / (b_big * (n - 1)) : 1.0 / b_big;
    *trace = (s_small - s_big) / (c_small - c_big);
    *g2 = s_small - c_small * *trace;
}

void noise_avg_add(NoiseScaleAvg *a, const GradReport *r)
{
    if (!isfinite(r->g2) || !isfinite(r->trace)) return;
    if (a->n == 0) {
        a->g2 = r->g2;
        a->trace = r->trace;
    } else {
        a->g2 += a->alpha * (r->g2 - a->g2);
        a->trace += a->alpha * (r->trace - a->trace);
    }
    a->n++;
}

double noise_avg_b_simple(const NoiseScaleAvg *a)
{
    if (a->n == 0 || !(a->g2 > 0) || !(a->trace > 0)) return NAN;
    return a->trace / a->g2;
}

/*
 * The mean gradient over rows[0..count) of train, through m in chunks of at
 * most p->chunk rows.  One chunk: m->grads itself (model_backward averages
 * over the rows it saw), saving passes over the parameters.  More: each
 * chunk's mean gradient weighted by its share of count, summed into p->g;
 * the L1/L2 term, added once per chunk, so comes out with weight 1.  Adds
 * the data loss summed over the rows to *loss_sum.
 */
static const float *mean_gradient(GradProbe *p, Model *m, const Dataset *train, const int *rows,
                                  size_t count, double *loss_sum)
{
    size_t np = p->n_params, d = (size_t)p->d;
    size_t chunk = (size_t)(p->chunk < m->cap_batch ? p->chunk : m->cap_batch);
    bool cls = train->task == TASK_CLASSIFICATION;
    bool one = count <= chunk;
    if (!one) memset(p->g, 0, np * sizeof *p->g);
    for (size_t r0 = 0; r0 < count; r0 += chunk) {
        size_t c = count - r0 < chunk ? count - r0 : chunk;
        for (size_t i = 0; i < c; i++) {
            size_t row = (size_t)rows[r0 + i];
            memcpy(p->x + i * d, train->x + row * d, d * sizeof(float));
            if (cls)
                p->labels[i] = train->labels[row];
            else
                p->targets[i] = train->targets[row];
        }
        model_forward(m, p->x, (int)c, false, NULL);
        *loss_sum += model_loss(m, p->labels, p->targets, (int)c) * (double)c;
        model_zero_grads(m);
        model_backward(m, p->labels, p->targets, (int)c);
        if (one) return m->grads;
        float w = (float)((double)c / (double)count);
        for (size_t j = 0; j < np; j++) p->g[j] += w * m->grads[j];
    }
    return p->g;
}

static double cosine(const float *a, const float *b, size_t n)
{
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < n; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0.0;
}

static ErrorCode check_probe(const GradProbe *p, const Model *m, const Dataset *train, Error *err)
{
    if (train->n < 2)
        return error_set(err, ERROR_INPUT, "gradient probe: %zu training rows (at least 2)",
                         train->n);
    if (train->n != p->n_train || train->d != p->d || m->n_params != p->n_params ||
        m->shape.sizes[0] != p->d)
        return error_set(err, ERROR_INPUT,
                         "gradient probe: made for %zu rows, %d features, %zu parameters; "
                         "given %zu rows, %d features, %zu parameters",
                         p->n_train, p->d, p->n_params, train->n, train->d, m->n_params);
    return ERROR_NONE;
}

ErrorCode gradprobe_run_rows(GradProbe *p, Model *m, const Dataset *train, const int *rows,
                             size_t n_rows, int batch, GradReport *out, Error *err)
{
    ErrorCode rc = check_probe(p, m, train, err);
    if (rc) return rc;
    if (batch < 1 || n_rows < 2 || (size_t)batch >= n_rows || n_rows > train->n)
        return error_set(err, ERROR_INPUT,
                         "gradient probe: batches of %d in %zu rows of %zu (need 1 <= batch < "
                         "rows <= training rows)",
                         batch, n_rows, train->n);
    for (size_t i = 0; i < n_rows; i++)
        if (rows[i] < 0 || (size_t)rows[i] >= train->n)
            return error_set(err, ERROR_INPUT, "gradient probe: row %d out of range 0..%zu",
                             rows[i], train->n - 1);

    size_t np = p->n_params, B = (size_t)batch, k = n_rows / B, R = n_rows;
    int L = m->shape.n_layers;
    memcpy(p->saved, m->grads, np * sizeof *p->saved);
    memset(p->G, 0, np * sizeof *p->G);
    memset(out, 0, sizeof *out);
    out->n_layers = L;
    double loss_sum = 0, s_small = 0;

    /* The k disjoint batches, then the remainder: G accumulates each
     * batch's mean gradient weighted by its rows, so G = the mean over R. */
    for (size_t i = 0; i <= k; i++) {
        size_t count = i < k ? B : R - k * B;
        if (count == 0) break;
        const float *g = mean_gradient(p, m, train, rows + i * B, count, &loss_sum);
        for (size_t j = 0; j < np; j++) p->G[j] += (double)count * g[j];
        if (i == k) break;
        for (int l = 0; l < L; l++) {
            double q = layer_sq(&m->layers[l], g);
            s_small += q;
            out->layer_batch_norm[l] += sqrt(q);
        }
        if (i < GRADPROBE_COS_BATCHES) memcpy(p->kept + i * np, g, np * sizeof *g);
    }
    for (size_t j = 0; j < np; j++) p->G[j] /= (double)R;
    for (int l = 0; l < L; l++) out->layer_batch_norm[l] /= (double)k;
    s_small /= (double)k;

    /* G_R as float, into g, for the per-layer norms. */
    double s_big = 0;
    for (size_t j = 0; j < np; j++) {
        p->g[j] = (float)p->G[j];
        s_big += p->G[j] * p->G[j];
    }
    layer_norms(m, p->g, out->layer_norm);

    out->exact_full = R == train->n;
    int n_cos = (int)(k < GRADPROBE_COS_BATCHES ? k : GRADPROBE_COS_BATCHES);
    out->cosine_min = INFINITY;
    out->cosine_max = -INFINITY;
    for (int i = 0; i < n_cos; i++) {
        const float *gi = p->kept + (size_t)i * np;
        double c;
        if (out->exact_full) {
            c = cosine(gi, p->g, np);
        } else {
            /* Against G without this batch: (R·G_R - B·g_i)/(R - B); the
             * positive factor 1/(R - B) does not change the cosine. */
            double ab = 0, aa = 0, bb = 0;
            for (size_t j = 0; j < np; j++) {
                double o = (double)R * p->G[j] - (double)B * gi[j];
                ab += gi[j] * o;
                aa += (double)gi[j] * gi[j];
                bb += o * o;
            }
            c = aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0.0;
        }
        out->cosine += c;
        if (c < out->cosine_min) out->cosine_min = c;
        if (c > out->cosine_max) out->cosine_max = c;
    }
    out->cosine /= n_cos;

    out->batch = batch;
    out->n_batches = (int)k;
    out->rows = R;
    out->n_train = train->n;
    out->loss = loss_sum / (double)R;
    out->s_small = s_small;
    out->s_big = s_big;
    noise_scale_estimate(s_small, (double)B, s_big, (double)R, (double)train->n, &out->g2,
                         &out->trace);
    out->b_simple = out->g2 > 0 && out->trace > 0 ? out->trace / out->g2 : NAN;

    memcpy(m->grads, p->saved, np * sizeof *p->saved);
    return ERROR_NONE;
}

ErrorCode gradprobe_run(GradProbe *p, Model *m, const Dataset *train, int batch, size_t budget,
                        GradReport *out, Error *err)
{
    ErrorCode rc = check_probe(p, m, train, err);
    if (rc) return rc;
    if (batch < 1)
        return error_set(err, ERROR_INPUT, "gradient probe: batch size %d (at least 1)", batch);
    size_t N = train->n, B = (size_t)batch;
    bool full = B >= N;
    if (B > N / 2) B = N / 2;
    size_t R = budget;
    if (R < 2 * B) R = 2 * B;
    if (R > N) R = N;
    /* A partial Fisher-Yates shuffle: idx[0..R) becomes a uniform sample
     * without replacement, whatever order the earlier probes left. */
    for (size_t i = 0; i < R; i++) {
        size_t j = i + (size_t)rng_below(&p->rng, N - i);
        int t = p->idx[i];
        p->idx[i] = p->idx[j];
        p->idx[j] = t;
    }
    rc = gradprobe_run_rows(p, m, train, p->idx, R, (int)B, out, err);
    /* Full-batch training steps along G itself: the cosine the view shows
     * is that of the step's gradient, exactly 1, not that of the half-set
     * batches the noise scale needs. */
    if (rc == ERROR_NONE && full) {
        out->full_batch = true;
        out->cosine = out->cosine_min = out->cosine_max = 1.0;
    }
    return rc;
}

long noise_batch_suggestion(double b_simple, size_t n_train)
{
    if (!(b_simple > 0) || n_train == 0) return 0;
    if (b_simple >= (double)n_train) return (long)n_train;
    long b = lround(b_simple);
    return b < 1 ? 1 : b;
}
