/*
 * insight_stats.c - histograms, TensorBoard-style distributions, dead
 * units, predictions, the confusion matrix and regression pairs (see
 * insight.h).
 */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "gradtop/insight/insight.h"

/* TensorBoard's NORMAL_HISTOGRAM_BPS (tensorboard/plugins/histogram/
 * compressor.py): the normal CDF at -inf, -1.5, -1, -0.5, 0, 0.5, 1, 1.5 and
 * +inf standard deviations, in basis points. */
const int hist_bps[HIST_N_BPS] = {0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000};

size_t hist_range(const float *x, size_t n, float *min, float *max)
{
    size_t count = 0;
    float lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        if (!isfinite(v)) continue;
        if (count == 0 || v < lo) lo = v;
        if (count == 0 || v > hi) hi = v;
        count++;
    }
    *min = lo;
    *max = hi;
    return count;
}

void hist_fill(const float *x, size_t n, double lo, double hi, int n_bins, size_t *counts)
{
    assert(n_bins >= 1);
    memset(counts, 0, (size_t)n_bins * sizeof *counts);
    bool flat = !(hi > lo);
    double scale = flat ? 0 : n_bins / (hi - lo);
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        if (!isfinite(v)) continue;
        int b;
        if (flat) {
            b = n_bins / 2;
        } else {
            double t = (v - lo) * scale;
            b = t < 0 ? 0 : t >= n_bins ? n_bins - 1 : (int)t;
        }
        counts[b]++;
    }
}

static double lerp(double x, double x0, double x1, double y0, double y1)
{
    return y0 + (x - x0) * (y1 - y0) / (x1 - x0);
}

/* TensorBoard's compress_histogram, on a histogram whose bin i has right
 * edge lo + (i+1)·w: for each basis point, the first bin whose cumulative
 * weight exceeds it, interpolated between that bin's edges clamped to
 * [min, max] (the left one is min for the first non-empty bin). */
void hist_percentiles(const size_t *counts, int n_bins, double lo, double hi, double min,
                      double max, double *out)
{
    double total = 0;
    for (int i = 0; i < n_bins; i++) total += (double)counts[i];
    if (total == 0) {
        for (int j = 0; j < HIST_N_BPS; j++) out[j] = 0;
        return;
    }
    bool flat = !(hi > lo); /* hist_fill put everything in one bin */
    double width = flat ? 0 : (hi - lo) / n_bins;
    double bps_max = hist_bps[HIST_N_BPS - 1];
    int i = 0, j = 0;
    double prev = 0;                                  /* cumulative weight before bin i */
    double cum = (double)counts[0] * bps_max / total; /* ... and through it */
    for (; j < HIST_N_BPS; j++) {
        double bp = hist_bps[j];
        /* numpy's searchsorted(side="right"): the first bin with weight > bp. */
        while (i < n_bins && !(cum > bp)) {
            i++;
            prev = cum;
            if (i < n_bins) cum += (double)counts[i] * bps_max / total;
        }
        if (i >= n_bins) break;
        double lhs = (i == 0 || prev == 0 || flat) ? min : fmax(lo + i * width, min);
        double rhs = flat ? max : fmin(lo + (i + 1) * width, max);
        out[j] = lerp(bp, prev, cum, lhs, rhs);
    }
    for (; j < HIST_N_BPS; j++) out[j] = max;
}

size_t dead_units_scratch_bytes(const Model *m)
{
    size_t n = 0;
    for (int l = 1; l < m->shape.n_layers; l++) n += (size_t)m->shape.sizes[l];
    return n ? n : 1;
}

void dead_units_count(Model *m, const float *x, size_t n, unsigned char *scratch, DeadUnits *out)
{
    const ModelShape *s = &m->shape;
    int H = s->n_layers - 1, d = s->sizes[0];
    memset(out, 0, sizeof *out);
    out->n_layers = H;
    memset(scratch, 0, dead_units_scratch_bytes(m));
    for (size_t r0 = 0; r0 < n; r0 += (size_t)m->cap_batch) {
        size_t rows = n - r0 < (size_t)m->cap_batch ? n - r0 : (size_t)m->cap_batch;
        model_forward(m, x + r0 * (size_t)d, (int)rows, false, NULL);
        unsigned char *alive = scratch;
        for (int l = 1; l <= H; l++) {
            int w = s->sizes[l];
            const float *z = m->z[l];
            for (size_t r = 0; r < rows; r++)
                for (int u = 0; u < w; u++)
                    if (z[r * (size_t)w + u] > 0) alive[u] = 1;
            alive += w;
        }
    }
    const unsigned char *alive = scratch;
    for (int l = 0; l < H; l++) {
        int w = s->sizes[l + 1];
        out->units[l] = w;
        if (n > 0)
            for (int u = 0; u < w; u++) out->dead[l] += !alive[u];
        alive += w;
        out->total_units += w;
        out->total_dead += out->dead[l];
    }
    out->share = out->total_units ? (double)out->total_dead / out->total_units : 0.0;
}

const float *layer_activations(const Model *m, int layer, size_t *count)
{
    assert(layer >= 0 && layer < m->shape.n_layers);
    *count = (size_t)m->last_batch * (size_t)m->shape.sizes[layer + 1];
    return m->a[layer + 1];
}

void predict_dataset(Model *m, const Dataset *ds, int *pred_class, float *pred_value)
{
    size_t d = (size_t)ds->d, chunk = (size_t)m->cap_batch;
    assert(ds->d == m->shape.sizes[0]);
    for (size_t r0 = 0; r0 < ds->n; r0 += chunk) {
        size_t rows = ds->n - r0 < chunk ? ds->n - r0 : chunk;
        model_forward(m, ds->x + r0 * d, (int)rows, false, NULL);
        model_predict_rows(m, (int)rows, pred_class ? pred_class + r0 : NULL,
                           pred_value ? pred_value + r0 : NULL);
    }
}

size_t confusion_count(const int *truth, const int *pred, size_t n, int k, size_t *counts)
{
    memset(counts, 0, (size_t)k * (size_t)k * sizeof *counts);
    size_t skipped = 0;
    for (size_t i = 0; i < n; i++) {
        if (truth[i] < 0 || truth[i] >= k || pred[i] < 0 || pred[i] >= k) {
            skipped++;
            continue;
        }
        counts[(size_t)truth[i] * (size_t)k + (size_t)pred[i]]++;
    }
    return skipped;
}

double confusion_scores(const size_t *counts, int k, double *precision, double *recall)
{
    size_t total = 0, diag = 0;
    for (int c = 0; c < k; c++) {
        size_t tp = counts[(size_t)c * k + c], actual = 0, predicted = 0;
        for (int j = 0; j < k; j++) {
            actual += counts[(size_t)c * k + j];
            predicted += counts[(size_t)j * k + c];
        }
        if (precision) precision[c] = predicted ? (double)tp / (double)predicted : NAN;
        if (recall) recall[c] = actual ? (double)tp / (double)actual : NAN;
        total += actual;
        diag += tp;
    }
    return total ? (double)diag / (double)total : NAN;
}

void regression_pairs(Model *m, const Dataset *ds, float *pairs)
{
    size_t d = (size_t)ds->d, chunk = (size_t)m->cap_batch;
    int L = m->shape.n_layers, O = m->shape.sizes[L];
    assert(ds->d == m->shape.sizes[0] && ds->targets);
    /* The session standardized targets as (y - shift)·scale. */
    bool scaled = ds->target_scale != 0;
    for (size_t r0 = 0; r0 < ds->n; r0 += chunk) {
        size_t rows = ds->n - r0 < chunk ? ds->n - r0 : chunk;
        const float *out = model_forward(m, ds->x + r0 * d, (int)rows, false, NULL);
        for (size_t i = 0; i < rows; i++) {
            double y = ds->targets[r0 + i], p = out[i * (size_t)O];
            if (scaled) {
                y = y / ds->target_scale + ds->target_shift;
                p = p / ds->target_scale + ds->target_shift;
            }
            pairs[2 * (r0 + i)] = (float)y;
            pairs[2 * (r0 + i) + 1] = (float)p;
        }
    }
}
