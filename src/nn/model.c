/*
 * model.c - dense layers, activations and losses.  See model.h.
 *
 * Shapes in comments: B rows in the batch, I inputs and O outputs of a layer.
 */
#include "gradtop/nn/model.h"

#include <assert.h>
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradtop/nn/gemm.h"
#include "gradtop/nn/team.h"
#include "gradtop/core/sysmem.h"

/* Keras 3's defaults: leaky_relu negative_slope 0.2, elu alpha 1.0, gelu in
 * its exact erf form (keras.activations.gelu, approximate=False). */
#define LEAKY_SLOPE 0.2f
#define ELU_ALPHA 1.0f
/* Huber's delta, Keras's default. */
#define HUBER_DELTA 1.0

const char *const activation_names[] = {"relu", "leaky_relu", "tanh", "sigmoid",
                                        "elu",  "gelu",       NULL};
const char *const loss_names[] = {
    "auto", "cross_entropy", "binary_cross_entropy", "mse", "mae", "huber", NULL};

const char *activation_name(Activation a)
{
    return a == ACTIVATION_LINEAR ? "linear" : activation_names[a];
}

const char *output_name(OutputKind o)
{
    static const char *const names[] = {"softmax", "sigmoid", "linear"};
    return names[o];
}

ErrorCode model_shape_make(ModelShape *s, int n_in, const int *hidden, int n_hidden, Activation act,
                           LossKind loss, bool classification, int n_classes, Error *err)
{
    memset(s, 0, sizeof *s);
    if (n_in < 1) return error_set(err, ERROR_INPUT, "the dataset has no features");
    if (n_hidden < 0 || n_hidden > MODEL_MAX_HIDDEN)
        return error_set(err, ERROR_INPUT, "--layers: at most %d hidden layers", MODEL_MAX_HIDDEN);
    if (classification && n_classes < 2)
        return error_set(err, ERROR_INPUT,
                         "the label column has %d class: classification needs at least 2",
                         n_classes);
    int n_out;
    OutputKind out;
    if (loss == LOSS_AUTO) {
        if (!classification)
            loss = LOSS_MSE;
        else
            loss = n_classes == 2 ? LOSS_BINARY_CROSS_ENTROPY : LOSS_CROSS_ENTROPY;
    }
    switch (loss) {
    case LOSS_CROSS_ENTROPY:
        if (!classification)
            return error_set(err, ERROR_INPUT,
                             "--loss cross_entropy needs class labels, but the label column "
                             "is numeric (regression): use mse, mae or huber");
        out = OUTPUT_SOFTMAX;
        n_out = n_classes;
        break;
    case LOSS_BINARY_CROSS_ENTROPY:
        if (!classification || n_classes != 2)
            return error_set(err, ERROR_INPUT,
                             "--loss binary_cross_entropy needs exactly 2 classes; this "
                             "dataset has %s",
                             classification ? "more" : "a numeric label (regression)");
        out = OUTPUT_SIGMOID;
        n_out = 1;
        break;
    default:
        if (classification)
            return error_set(err, ERROR_INPUT,
                             "--loss %s is for regression, but the label column holds classes: "
                             "use cross_entropy or binary_cross_entropy",
                             loss_names[loss]);
        out = OUTPUT_LINEAR;
        n_out = 1;
        break;
    }
    s->n_layers = n_hidden + 1;
    s->sizes[0] = n_in;
    for (int i = 0; i < n_hidden; i++) {
        if (hidden[i] < 1)
            return error_set(err, ERROR_INPUT, "--layers: a layer of %d units (expected 1 to %d)",
                             hidden[i], MODEL_MAX_UNITS);
        s->sizes[i + 1] = hidden[i];
    }
    s->sizes[s->n_layers] = n_out;
    model_shape_set_activation(s, act);
    s->output = out;
    s->loss = loss;
    return ERROR_NONE;
}

void model_shape_set_activation(ModelShape *s, Activation a)
{
    s->hidden = a;
    for (int l = 0; l < MODEL_MAX_HIDDEN; l++) s->act[l] = a;
}

bool model_shape_mixed(const ModelShape *s)
{
    for (int l = 1; l < s->n_layers - 1; l++)
        if (s->act[l] != s->act[0]) return true;
    return false;
}

static size_t count_params(const ModelShape *s)
{
    size_t n = 0;
    for (int l = 0; l < s->n_layers; l++)
        n += (size_t)s->sizes[l + 1] * (size_t)s->sizes[l] + (size_t)s->sizes[l + 1];
    return n;
}

static int max_width(const ModelShape *s)
{
    int w = 0;
    for (int l = 0; l <= s->n_layers; l++)
        if (s->sizes[l] > w) w = s->sizes[l];
    return w;
}

/* Floats of workspace for batch rows: z, a and mask per layer, two deltas. */
static double work_floats(const ModelShape *s, int batch)
{
    double per_row = 0;
    for (int l = 1; l <= s->n_layers; l++) per_row += 3.0 * s->sizes[l];
    per_row += 2.0 * max_width(s) + 1.0; /* deltas, and the softmax's log-sum-exp */
    return per_row * batch;
}

double model_bytes(const ModelShape *s, int batch)
{
    return 4.0 * (2.0 * (double)count_params(s) + work_floats(s, batch));
}

ErrorCode model_prepare(Model *m, int batch, Error *err)
{
    const ModelShape *s = &m->shape;
    if (batch < 1) return error_set(err, ERROR_INPUT, "--batch-size must be at least 1");
    double nf = work_floats(s, batch);
    if (nf * 4.0 > (double)SIZE_MAX / 2)
        return error_set(err, ERROR_RUNTIME, "the workspace for a batch of %d is too large", batch);
    float *w = malloc((size_t)nf * sizeof(float));
    sysmem_hugepages(w, (size_t)nf * sizeof(float));
    if (!w)
        return error_set(err, ERROR_RUNTIME,
                         "out of memory: the workspace for a batch of %d needs %.0f MB", batch,
                         nf * 4.0 / 1e6);
    free(m->work);
    m->work = w;
    m->cap_batch = batch;
    size_t off = 0;
    for (int l = 1; l <= s->n_layers; l++) {
        size_t n = (size_t)batch * (size_t)s->sizes[l];
        m->z[l] = w + off;
        off += n;
        m->a[l] = w + off;
        off += n;
        m->mask[l] = w + off;
        off += n;
    }
    size_t dn = (size_t)batch * (size_t)max_width(s);
    m->delta[0] = w + off;
    m->delta[1] = w + off + dn;
    m->lse = w + off + 2 * dn;
    m->a[0] = NULL;
    m->last_batch = 0;
    return ERROR_NONE;
}

static void point_layers(Model *m)
{
    size_t off = 0;
    for (int l = 0; l < m->shape.n_layers; l++) {
        DenseLayer *L = &m->layers[l];
        L->n_in = m->shape.sizes[l];
        L->n_out = m->shape.sizes[l + 1];
        L->offset = off;
        L->W = m->params + off;
        L->dW = m->grads + off;
        off += (size_t)L->n_in * (size_t)L->n_out;
        L->b = m->params + off;
        L->db = m->grads + off;
        off += (size_t)L->n_out;
    }
}

ErrorCode model_create(Model *m, const ModelShape *s, int batch, Rng *rng, Error *err)
{
    memset(m, 0, sizeof *m);
    m->shape = *s;
    m->n_params = count_params(s);
    double bytes = model_bytes(s, batch);
    char what[128];
    snprintf(what, sizeof what,
             "the network (parameters, gradients, workspace for a batch of %d and a BLAS buffer)",
             batch);
    ErrorCode rc = sysmem_check(bytes + gemm_reserve_bytes(1), what, "use smaller layers", err);
    /* beyond what any machine it runs on has: refused even where the
     * memory size is unknown */
    if (!rc && bytes > 64e9)
        rc = error_set(err, ERROR_RUNTIME,
                       "out of memory: %s needs %.1f GB, more than the 64 GB gradtop allows: use "
                       "smaller layers",
                       what, bytes / 1e9);
    if (rc) return rc;
    m->params = calloc(2 * m->n_params, sizeof(float));
    sysmem_hugepages(m->params, 2 * m->n_params * sizeof(float));
    if (!m->params)
        return error_set(err, ERROR_RUNTIME, "out of memory: the network needs %.0f MB",
                         bytes / 1e6);
    m->grads = m->params + m->n_params;
    point_layers(m);
    rc = model_prepare(m, batch, err);
    /* the BLAS buffer of the thread that runs the model, mapped now */
    if (!rc) {
        rc = gemm_reserve(1, err);
        m->gemm_reserved = !rc;
    }
    if (rc) {
        model_free(m);
        return rc;
    }
    for (int l = 0; l < s->n_layers; l++) {
        DenseLayer *L = &m->layers[l];
        bool last = l == s->n_layers - 1;
        Activation a = last ? ACTIVATION_LINEAR : s->act[l];
        bool he = a == ACTIVATION_RELU || a == ACTIVATION_LEAKY_RELU || a == ACTIVATION_ELU ||
                  a == ACTIVATION_GELU;
        /* He uniform (He et al. 2015) for the ReLU family, Glorot uniform
         * (Glorot and Bengio 2010) otherwise: limit = sqrt(6 / fan). */
        double limit = he ? sqrt(6.0 / L->n_in) : sqrt(6.0 / (L->n_in + L->n_out));
        size_t nw = (size_t)L->n_in * (size_t)L->n_out;
        for (size_t i = 0; i < nw; i++) L->W[i] = (float)((2.0 * rng_uniform(rng) - 1.0) * limit);
    }
    return ERROR_NONE;
}

void model_release_blas(Model *m)
{
    if (m->gemm_reserved) gemm_release(1);
    m->gemm_reserved = false;
}

void model_free(Model *m)
{
    free(m->params);
    free(m->work);
    if (m->gemm_reserved) gemm_release(1);
    memset(m, 0, sizeof *m);
}

typedef struct {
    float *grads;
    size_t n;
} ZeroJob;

static void zero_share(void *ctx, int i, int n)
{
    const ZeroJob *job = ctx;
    size_t lo, hi;
    /* Whole cache lines per share. */
    team_share(job->n, 16, i, n, &lo, &hi);
    memset(job->grads + lo, 0, (hi - lo) * sizeof(float));
}

void model_zero_grads(Model *m)
{
    ZeroJob job = {m->grads, m->n_params};
    /* As the optimizer's pass: a share below ~64k floats costs more to hand
     * over than to clear. */
    team_run(m->team, (int)(m->n_params / 65536), zero_share, &job);
}

/* glibc's vector math library (libmvec): tanhf, expf, expm1f and erff on
 * eight floats at once, the AVX2 variants, which the build's x86-64-v3
 * target always has (glibc documents them within 4, 1, 1 and 2 ulp).  The
 * scalar tanhf was two thirds of an epoch of the spiral's 2-16-16-2 tanh
 * network; scalar expm1f and erff made an epoch of a 64-128-128-10 network
 * three and four and a half times relu's. */
__m256 _ZGVdN8v_tanhf(__m256 x);
__m256 _ZGVdN8v_expf(__m256 x);
__m256 _ZGVdN8v_expm1f(__m256 x);
__m256 _ZGVdN8v_erff(__m256 x);

/* f of n floats, eight at a time (a tail under eight padded with zeros). */
static void vector_rows(__m256 (*f)(__m256), const float *z, float *out, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, f(_mm256_loadu_ps(z + i)));
    if (i < n) {
        float in[8] = {0}, res[8];
        memcpy(in, z + i, (n - i) * sizeof *in);
        _mm256_storeu_ps(res, f(_mm256_loadu_ps(in)));
        memcpy(out + i, res, (n - i) * sizeof *res);
    }
}

/* f of two arrays (z, and the gradient dy flowing back), as vector_rows. */
static void vector_rows2(__m256 (*f)(__m256, __m256), const float *z, const float *dy, float *out,
                         size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(out + i, f(_mm256_loadu_ps(z + i), _mm256_loadu_ps(dy + i)));
    if (i < n) {
        float in[8] = {0}, g[8] = {0}, res[8];
        memcpy(in, z + i, (n - i) * sizeof *in);
        memcpy(g, dy + i, (n - i) * sizeof *g);
        _mm256_storeu_ps(res, f(_mm256_loadu_ps(in), _mm256_loadu_ps(g)));
        memcpy(out + i, res, (n - i) * sizeof *res);
    }
}

static __m256 sigmoid8(__m256 x)
{
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 e = _ZGVdN8v_expf(_mm256_xor_ps(x, _mm256_set1_ps(-0.0f))); /* exp(-x) */
    return _mm256_div_ps(one, _mm256_add_ps(one, e));
}

/* x above 0 keeps x, else alpha (e^x - 1); NaN stays NaN (not above 0). */
static __m256 elu8(__m256 x)
{
    __m256 neg = _mm256_mul_ps(_mm256_set1_ps(ELU_ALPHA), _ZGVdN8v_expm1f(x));
    return _mm256_blendv_ps(neg, x, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ));
}

/* The normal CDF at x: (1 + erf(x / sqrt 2)) / 2. */
static __m256 normal_cdf8(__m256 x)
{
    const __m256 half = _mm256_set1_ps(0.5f);
    __m256 e = _ZGVdN8v_erff(_mm256_mul_ps(x, _mm256_set1_ps((float)M_SQRT1_2)));
    return _mm256_mul_ps(half, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

static __m256 gelu8(__m256 x)
{
    return _mm256_mul_ps(x, normal_cdf8(x));
}

static __m256 elu_back8(__m256 z, __m256 dy)
{
    /* alpha e^z below 0; above, e^z may overflow, and is not taken */
    __m256 e = _mm256_mul_ps(_mm256_set1_ps(ELU_ALPHA), _ZGVdN8v_expf(z));
    return _mm256_blendv_ps(_mm256_mul_ps(dy, e), dy,
                            _mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_GT_OQ));
}

/* d/dz [z Phi(z)] = Phi(z) + z phi(z) */
static __m256 gelu_back8(__m256 z, __m256 dy)
{
    __m256 pdf =
        _mm256_mul_ps(_ZGVdN8v_expf(_mm256_mul_ps(_mm256_set1_ps(-0.5f), _mm256_mul_ps(z, z))),
                      _mm256_set1_ps(0.3989422804014327f));
    return _mm256_mul_ps(dy, _mm256_add_ps(normal_cdf8(z), _mm256_mul_ps(z, pdf)));
}

static void tanh_rows(const float *z, float *out, size_t n)
{
    vector_rows(_ZGVdN8v_tanhf, z, out, n);
}

void act_forward(Activation a, const float *z, float *out, size_t n)
{
    switch (a) {
    case ACTIVATION_RELU:
        for (size_t i = 0; i < n; i++) out[i] = z[i] > 0 ? z[i] : 0;
        break;
    case ACTIVATION_LEAKY_RELU:
        for (size_t i = 0; i < n; i++) out[i] = z[i] > 0 ? z[i] : LEAKY_SLOPE * z[i];
        break;
    case ACTIVATION_TANH: tanh_rows(z, out, n); break;
    case ACTIVATION_SIGMOID: vector_rows(sigmoid8, z, out, n); break;
    case ACTIVATION_ELU: vector_rows(elu8, z, out, n); break;
    case ACTIVATION_GELU: vector_rows(gelu8, z, out, n); break;
    case ACTIVATION_LINEAR:
        if (out != z) memcpy(out, z, n * sizeof *out);
        break;
    }
}

void act_backward(Activation a, const float *z, const float *out, const float *dy, float *dz,
                  size_t n)
{
    switch (a) {
    case ACTIVATION_RELU:
        for (size_t i = 0; i < n; i++) dz[i] = z[i] > 0 ? dy[i] : 0;
        break;
    case ACTIVATION_LEAKY_RELU:
        for (size_t i = 0; i < n; i++) dz[i] = z[i] > 0 ? dy[i] : LEAKY_SLOPE * dy[i];
        break;
    case ACTIVATION_TANH:
    case ACTIVATION_SIGMOID:
        /* from the forward's output, recomputed (as the forward pass
         * computes it) when not given */
        for (size_t i0 = 0; i0 < n; i0 += 64) {
            size_t k = n - i0 < 64 ? n - i0 : 64;
            float t[64];
            if (!out) act_forward(a, z + i0, t, k);
            const float *y = out ? out + i0 : t;
            if (a == ACTIVATION_TANH)
                for (size_t i = 0; i < k; i++) dz[i0 + i] = dy[i0 + i] * (1.0f - y[i] * y[i]);
            else
                for (size_t i = 0; i < k; i++) dz[i0 + i] = dy[i0 + i] * y[i] * (1.0f - y[i]);
        }
        break;
    case ACTIVATION_ELU: vector_rows2(elu_back8, z, dy, dz, n); break;
    case ACTIVATION_GELU: vector_rows2(gelu_back8, z, dy, dz, n); break;
    case ACTIVATION_LINEAR:
        if (dz != dy) memcpy(dz, dy, n * sizeof *dz);
        break;
    }
}

/* Row-wise softmax of z (B, O) into p, shifted by the row maximum m; lse
 * (B) keeps each row's log Σ exp(z - m), from which the cross-entropy
 * m - z[y] + lse follows without a second pass of exponentials. */
static void softmax_rows(const float *z, float *p, float *lse, int B, int O)
{
    /* each row less its largest, then the exponentials of the whole block
     * at once through the vector library (within 1 ulp of expf) */
    for (int r = 0; r < B; r++) {
        const float *zr = z + (size_t)r * O;
        float *pr = p + (size_t)r * O;
        float mx = zr[0];
        for (int j = 1; j < O; j++)
            if (zr[j] > mx) mx = zr[j];
        for (int j = 0; j < O; j++) pr[j] = zr[j] - mx;
    }
    vector_rows(_ZGVdN8v_expf, p, p, (size_t)B * (size_t)O);
    for (int r = 0; r < B; r++) {
        float *pr = p + (size_t)r * O;
        double sum = 0;
        for (int j = 0; j < O; j++) sum += pr[j];
        float inv = (float)(1.0 / sum);
        for (int j = 0; j < O; j++) pr[j] *= inv;
        lse[r] = (float)log(sum);
    }
}

/* One thread unless the batch's multiply-adds dwarf a hand-off (a few
 * microseconds), and every thread gets at least MIN_SHARE_ROWS rows. */
#define MIN_SHARE_FLOP 4e6
#define MIN_SHARE_ROWS 8

int model_threads(const Model *m, int B)
{
    int n = team_size(m->team);
    if (n <= 1) return 1;
    double flop = 0;
    for (int l = 0; l < m->shape.n_layers; l++)
        flop += 2.0 * m->shape.sizes[l] * m->shape.sizes[l + 1];
    int by_work = (int)(flop * B / MIN_SHARE_FLOP);
    int by_rows = B / MIN_SHARE_ROWS;
    if (n > by_work) n = by_work;
    if (n > by_rows) n = by_rows;
    return n < 1 ? 1 : n;
}

typedef struct {
    Model *m;
    int B;
    bool drop;
} ForwardJob;

/* Each of the R rows of out (R, n) a copy of row: the rows copied so far
 * copied again in one call, doubling, so that a batch of small rows costs
 * a few calls rather than one a row. */
static void fill_rows(float *out, const float *row, int n, int R)
{
    size_t w = (size_t)n;
    memcpy(out, row, w * sizeof *out);
    for (size_t done = 1; done < (size_t)R; done *= 2) {
        size_t k = (size_t)R - done < done ? (size_t)R - done : done;
        memcpy(out + done * w, out, k * w * sizeof *out);
    }
}

/* The forward pass of rows [r0, r1): rows do not mix until the loss. */
static void forward_rows(Model *m, int r0, int r1, bool drop)
{
    const ModelShape *s = &m->shape;
    int L = s->n_layers, R = r1 - r0;
    for (int l = 0; l < L; l++) {
        const DenseLayer *D = &m->layers[l];
        size_t off = (size_t)r0 * D->n_out;
        float *z = m->z[l + 1] + off, *a = m->a[l + 1] + off;
        /* Z (R, O) = X (R, I) · Wᵀ (I, O) + b */
        fill_rows(z, D->b, D->n_out, R);
        gemm(false, true, R, D->n_out, D->n_in, 1.0f, m->a[l] + (size_t)r0 * D->n_in, D->n_in, D->W,
             D->n_in, 1.0f, z, D->n_out);
        size_t n = (size_t)R * D->n_out;
        if (l < L - 1) {
            act_forward(s->act[l], z, a, n);
            if (drop) {
                const float *mk = m->mask[l + 1] + off;
                for (size_t i = 0; i < n; i++) a[i] *= mk[i];
            }
        } else if (s->output == OUTPUT_SOFTMAX) {
            softmax_rows(z, a, m->lse + r0, R, D->n_out);
        } else if (s->output == OUTPUT_SIGMOID) {
            act_forward(ACTIVATION_SIGMOID, z, a, n);
        } else {
            memcpy(a, z, n * sizeof(float));
        }
    }
}

static void forward_share(void *ctx, int i, int n)
{
    ForwardJob *job = ctx;
    size_t lo, hi;
    team_share((size_t)job->B, 1, i, n, &lo, &hi);
    if (hi > lo) forward_rows(job->m, (int)lo, (int)hi, job->drop);
}

const float *model_forward(Model *m, const float *x, int B, bool train, Rng *rng)
{
    const ModelShape *s = &m->shape;
    int L = s->n_layers;
    assert(B >= 1 && B <= m->cap_batch);
    bool drop = train && m->dropout > 0 && rng != NULL;
    m->a[0] = (float *)x; /* read only: backward never writes a[0] */
    if (drop) {
        /* Inverted dropout: kept units scaled by 1/(1-p) so that evaluation
         * needs no rescaling (Srivastava et al. 2014).  The masks are drawn
         * here, layer by layer, so that the draws do not depend on how the
         * rows are shared among threads. */
        float keep = (float)(1.0 / (1.0 - m->dropout));
        for (int l = 1; l < L; l++) {
            float *mk = m->mask[l];
            size_t n = (size_t)B * s->sizes[l];
            for (size_t i = 0; i < n; i++) mk[i] = rng_uniform(rng) >= m->dropout ? keep : 0.0f;
        }
    }
    ForwardJob job = {m, B, drop};
    team_run(m->team, model_threads(m, B), forward_share, &job);
    m->last_batch = B;
    m->last_dropout = drop;
    return m->a[L];
}

double model_loss(const Model *m, const int *labels, const float *targets, int B)
{
    const ModelShape *s = &m->shape;
    int L = s->n_layers, O = s->sizes[L];
    const float *z = m->z[L], *a = m->a[L];
    double sum = 0;
    switch (s->loss) {
    case LOSS_CROSS_ENTROPY:
        /* -log softmax(z)[y] = max(z) - z[y] + log Σ exp(z - max(z)), the last
         * term kept by the forward pass: a confident wrong answer gives a
         * large finite loss, a confident right one a small accurate one. */
        for (int r = 0; r < B; r++) {
            const float *zr = z + (size_t)r * O;
            float mx = zr[0];
            for (int j = 1; j < O; j++)
                if (zr[j] > mx) mx = zr[j];
            sum += ((double)mx - zr[labels[r]]) + m->lse[r];
        }
        break;
    case LOSS_BINARY_CROSS_ENTROPY:
        /* max(z,0) - z·y + log(1 + e^-|z|): the stable form of BCE on logits. */
        for (int r = 0; r < B; r++) {
            double zr = z[r], y = labels[r];
            sum += (zr > 0 ? zr : 0) - zr * y + log1p(exp(-fabs(zr)));
        }
        break;
    case LOSS_MSE:
        for (int r = 0; r < B; r++) {
            double e = (double)a[r] - targets[r];
            sum += e * e;
        }
        break;
    case LOSS_MAE:
        for (int r = 0; r < B; r++) sum += fabs((double)a[r] - targets[r]);
        break;
    case LOSS_HUBER:
        for (int r = 0; r < B; r++) {
            double e = fabs((double)a[r] - targets[r]);
            sum += e <= HUBER_DELTA ? 0.5 * e * e : HUBER_DELTA * (e - 0.5 * HUBER_DELTA);
        }
        break;
    case LOSS_AUTO: break;
    }
    return B > 0 ? sum / B : 0.0;
}

double model_penalty(const Model *m)
{
    if (m->l1 == 0 && m->l2 == 0) return 0;
    double s1 = 0, s2 = 0;
    for (int l = 0; l < m->shape.n_layers; l++) {
        const DenseLayer *D = &m->layers[l];
        size_t nw = (size_t)D->n_in * D->n_out;
        for (size_t i = 0; i < nw; i++) {
            s1 += fabs(D->W[i]);
            s2 += (double)D->W[i] * D->W[i];
        }
    }
    return m->l1 * s1 + m->l2 * s2;
}

/* dL/dZ of the output layer (B, O), averaged over the batch.  Softmax with
 * cross-entropy and sigmoid with BCE fuse into p - y. */
static void output_delta(const Model *m, const int *labels, const float *targets, int B, float *dz)
{
    const ModelShape *s = &m->shape;
    int L = s->n_layers, O = s->sizes[L];
    const float *a = m->a[L];
    float inv = 1.0f / (float)B;
    switch (s->loss) {
    case LOSS_CROSS_ENTROPY:
        for (int r = 0; r < B; r++) {
            for (int j = 0; j < O; j++) dz[(size_t)r * O + j] = a[(size_t)r * O + j] * inv;
            dz[(size_t)r * O + labels[r]] -= inv;
        }
        break;
    case LOSS_BINARY_CROSS_ENTROPY:
        for (int r = 0; r < B; r++) dz[r] = (a[r] - (float)labels[r]) * inv;
        break;
    case LOSS_MSE:
        for (int r = 0; r < B; r++) dz[r] = 2.0f * (a[r] - targets[r]) * inv;
        break;
    case LOSS_MAE:
        for (int r = 0; r < B; r++) {
            float e = a[r] - targets[r];
            dz[r] = (e > 0 ? inv : e < 0 ? -inv : 0.0f);
        }
        break;
    case LOSS_HUBER:
        for (int r = 0; r < B; r++) {
            float e = a[r] - targets[r];
            float d = (float)HUBER_DELTA;
            dz[r] = (e > d ? d : e < -d ? -d : e) * inv;
        }
        break;
    case LOSS_AUTO: break;
    }
}

typedef struct {
    Model *m;
    int B, l;
    bool add;        /* onto grads, or in place of them */
    const float *dz; /* (B, n_out) of layer l */
    float *da;       /* (B, n_in): becomes dZ of layer l - 1 */
} BackwardJob;

/* Share i of layer l's backward pass: the rows [o0, o1) of dW and db, which
 * need all of the batch's rows of dZ, and the batch rows [r0, r1) of dA,
 * which need only their own. */
static void backward_share(void *ctx, int i, int n)
{
    BackwardJob *job = ctx;
    Model *m = job->m;
    DenseLayer *D = &m->layers[job->l];
    int B = job->B, I = D->n_in, O = D->n_out;
    size_t o0, o1;
    team_share((size_t)O, 1, i, n, &o0, &o1);
    if (o1 > o0) {
        int R = (int)(o1 - o0);
        float *dW = D->dW + o0 * (size_t)I, *db = D->db + o0;
        /* dW (R, I) += dZ[:, o0:o1]ᵀ (R, B) · X (B, I), or = with beta 0:
         * the product is then the sum that adding it to zeros gives */
        gemm(true, false, R, I, B, 1.0f, job->dz + o0, O, m->a[job->l], I, job->add ? 1.0f : 0.0f,
             dW, I);
        /* db += Σ_rows dZ, from zeros when replacing: the same sums */
        if (!job->add) memset(db, 0, (size_t)R * sizeof *db);
        for (int r = 0; r < B; r++) {
            const float *row = job->dz + (size_t)r * O + o0;
            for (int j = 0; j < R; j++) db[j] += row[j];
        }
        if (m->l1 != 0 || m->l2 != 0) {
            float l1 = (float)m->l1, l2x2 = (float)(2.0 * m->l2);
            const float *W = D->W + o0 * (size_t)I;
            size_t nw = (size_t)R * I;
            for (size_t k = 0; k < nw; k++) {
                float w = W[k];
                dW[k] += l1 * (float)((w > 0) - (w < 0)) + l2x2 * w;
            }
        }
    }
    if (job->l == 0) return;
    size_t r0, r1;
    team_share((size_t)B, 1, i, n, &r0, &r1);
    if (r1 <= r0) return;
    int R = (int)(r1 - r0);
    float *da = job->da + r0 * (size_t)I;
    /* dA (R, I) = dZ (R, O) · W (O, I) */
    gemm(false, false, R, I, O, 1.0f, job->dz + r0 * (size_t)O, O, D->W, I, 0.0f, da, I);
    size_t cnt = (size_t)R * I, off = r0 * (size_t)I;
    if (m->last_dropout) {
        const float *mk = m->mask[job->l] + off;
        for (size_t k = 0; k < cnt; k++) da[k] *= mk[k];
    }
    /* a[l] holds the dropped-out activations when dropout ran, so the
     * derivative is then recomputed from z. */
    act_backward(m->shape.act[job->l - 1], m->z[job->l] + off,
                 m->last_dropout ? NULL : m->a[job->l] + off, da, da, cnt);
}

/* Each layer is one phase of the team: layer l - 1 needs all rows of layer
 * l's dA.  Adding, the dW products have beta 1; replacing, beta 0, which
 * OpenBLAS's small-matrix kernels (the sweep's layers at batch 32) serve
 * without reading dW, and its other kernels by clearing the product's block
 * of dW just before they write it: either way no pass of its own over
 * grads, as model_zero_grads makes. */
static void backward_pass(Model *m, const int *labels, const float *targets, int B, bool add)
{
    int L = m->shape.n_layers;
    float *dz = m->delta[0], *da = m->delta[1];
    assert(B == m->last_batch);
    output_delta(m, labels, targets, B, dz);
    int threads = model_threads(m, B);
    for (int l = L - 1; l >= 0; l--) {
        BackwardJob job = {m, B, l, add, dz, da};
        team_run(m->team, threads, backward_share, &job);
        float *t = dz;
        dz = da;
        da = t;
    }
}

void model_backward(Model *m, const int *labels, const float *targets, int B)
{
    backward_pass(m, labels, targets, B, true);
}

void model_gradient(Model *m, const int *labels, const float *targets, int B)
{
    backward_pass(m, labels, targets, B, false);
}

void model_predict_rows(const Model *m, int B, int *pred_class, float *pred_value)
{
    const ModelShape *s = &m->shape;
    int L = s->n_layers, O = s->sizes[L];
    const float *a = m->a[L];
    for (int r = 0; r < B; r++) {
        if (s->output == OUTPUT_SOFTMAX) {
            const float *ar = a + (size_t)r * O;
            int best = 0;
            for (int j = 1; j < O; j++)
                if (ar[j] > ar[best]) best = j;
            if (pred_class) pred_class[r] = best;
        } else if (s->output == OUTPUT_SIGMOID) {
            if (pred_class) pred_class[r] = a[r] >= 0.5f;
        } else if (pred_value) {
            pred_value[r] = a[r];
        }
    }
}
