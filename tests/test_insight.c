/*
 * test_insight.c - the maths behind the teaching views: PCA against a
 * decomposition built by hand, the decision-boundary grid against the
 * model's own outputs and closed forms, the gradient probe against
 * per-example gradients computed one row at a time (and the noise-scale
 * estimator's unbiasedness by averaging over every possible sample of a
 * small set), histograms and TensorBoard's distribution percentiles worked by
 * hand, dead units, the confusion matrix, and each diagnosis rule firing and
 * not firing on made-up histories.
 */
#include <assert.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gradtop/insight/insight.h"

/* cmocka's assert_float_equal passes on NaN and rounds to float; this fails
 * on NaN and keeps doubles. */
#define EXPECT_NEAR(got, want, tol) expect_near_at((got), (want), (tol), #got, __LINE__)
static void expect_near_at(double got, double want, double tol, const char *expr, int line)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("line %d: %s = %.9g, want %.9g (tolerance %g)", line, expr, got, want, tol);
}

#define EXPECT_CONTAINS(s, sub) expect_contains_at((s), (sub), __LINE__)
static void expect_contains_at(const char *s, const char *sub, int line)
{
    if (!strstr(s, sub)) fail_msg("line %d: \"%s\" does not contain \"%s\"", line, s, sub);
}

static void make_model(Model *m, int n_in, const int *hidden, int n_hidden, Activation act,
                       LossKind loss, bool classification, int n_classes, int cap, uint64_t seed)
{
    ModelShape s;
    Error err;
    Rng rng;
    rng_seed(&rng, seed);
    assert_int_equal(
        model_shape_make(&s, n_in, hidden, n_hidden, act, loss, classification, n_classes, &err),
        ERROR_NONE);
    assert_int_equal(model_create(m, &s, cap, &rng, &err), ERROR_NONE);
}

/* A dataset over caller-owned arrays (never passed to dataset_free). */
static Dataset view_dataset(float *x, size_t n, int d, int *labels, float *targets, int k)
{
    Dataset ds;
    memset(&ds, 0, sizeof ds);
    ds.n = n;
    ds.d = d;
    ds.x = x;
    ds.labels = labels;
    ds.targets = targets;
    ds.task = labels ? TASK_CLASSIFICATION : TASK_REGRESSION;
    ds.n_classes = labels ? k : 0;
    return ds;
}

/* ------------------------------------------------------------------------ */
/* PCA                                                                       */
/* ------------------------------------------------------------------------ */

/* An orthonormal basis of R³: a rotation about (1, 1, 1)-ish axes. */
static void basis3(double u[3][3])
{
    /* Gram-Schmidt on three fixed vectors. */
    double v[3][3] = {{2, 1, 0.5}, {-1, 2, 0.25}, {0.3, -0.2, 1}};
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) u[i][j] = v[i][j];
        for (int k = 0; k < i; k++) {
            double d = 0;
            for (int j = 0; j < 3; j++) d += u[i][j] * u[k][j];
            for (int j = 0; j < 3; j++) u[i][j] -= d * u[k][j];
        }
        double nn = 0;
        for (int j = 0; j < 3; j++) nn += u[i][j] * u[i][j];
        for (int j = 0; j < 3; j++) u[i][j] /= sqrt(nn);
    }
}

/* The 2³ factorial design (±3, ±1, ±0.5) along u, shifted by mean: its
 * coefficient columns have zero mean and are exactly uncorrelated, so the
 * covariance is Σ_k (8 c_k² / 7) u_k u_kᵀ with eigenvectors u and
 * eigenvalues 72/7, 8/7, 2/7. */
static void factorial_data(float *x, double u[3][3], const double *mean)
{
    const double c[3] = {3, 1, 0.5};
    for (int r = 0; r < 8; r++)
        for (int j = 0; j < 3; j++) {
            double v = mean[j];
            for (int k = 0; k < 3; k++) v += ((r >> k) & 1 ? c[k] : -c[k]) * u[k][j];
            x[r * 3 + j] = (float)v;
        }
}

static void pca_recovers_known_axes_and_variances(void **state)
{
    (void)state;
    double u[3][3], mean[3] = {1.5, -2, 0.25};
    float x[24];
    basis3(u);
    factorial_data(x, u, mean);
    Pca p;
    Error err;
    assert_int_equal(pca_fit(&p, x, 8, 3, &err), ERROR_NONE);
    for (int j = 0; j < 3; j++) EXPECT_NEAR(p.mean[j], mean[j], 1e-6);
    EXPECT_NEAR(p.var[0], 72.0 / 7, 1e-5);
    EXPECT_NEAR(p.var[1], 8.0 / 7, 1e-5);
    EXPECT_NEAR(p.total_var, 82.0 / 7, 1e-5);
    for (int k = 0; k < 2; k++) {
        /* Same direction up to sign, and the sign rule: largest entry positive. */
        double dot = 0;
        int big = 0;
        for (int j = 0; j < 3; j++) {
            dot += p.comp[k * 3 + j] * u[k][j];
            if (fabs(p.comp[k * 3 + j]) > fabs(p.comp[k * 3 + big])) big = j;
        }
        EXPECT_NEAR(fabs(dot), 1.0, 1e-6);
        assert_true(p.comp[k * 3 + big] > 0);
    }
    pca_free(&p);
}

static void pca_projection_gives_coordinates_and_unprojects_plane_points(void **state)
{
    (void)state;
    double u[3][3], mean[3] = {0.5, 1, -1};
    float x[24];
    basis3(u);
    factorial_data(x, u, mean);
    Pca p;
    Error err;
    assert_int_equal(pca_fit(&p, x, 8, 3, &err), ERROR_NONE);
    float pq[16], back[24];
    pca_project(&p, x, 8, pq);
    double s0 = 0, s1 = 0;
    for (int k = 0; k < 3; k++) s0 += p.comp[k] * u[0][k], s1 += p.comp[3 + k] * u[1][k];
    s0 = s0 > 0 ? 1 : -1;
    s1 = s1 > 0 ? 1 : -1;
    for (int r = 0; r < 8; r++) {
        EXPECT_NEAR(pq[2 * r], s0 * ((r & 1) ? 3 : -3), 1e-5);
        EXPECT_NEAR(pq[2 * r + 1], s1 * ((r & 2) ? 1 : -1), 1e-5);
    }
    /* Back-projection lands on mean + a·u0 + b·u1: the point minus its
     * third-axis part. */
    pca_unproject(&p, pq, 8, back);
    for (int r = 0; r < 8; r++)
        for (int j = 0; j < 3; j++) {
            double third = ((r & 4) ? 0.5 : -0.5) * u[2][j];
            EXPECT_NEAR(back[r * 3 + j], x[r * 3 + j] - third, 1e-5);
        }
    pca_free(&p);
}

/* Many rows (several dsyrk chunks) of correlated data: comp must satisfy
 * C v = λ v against a covariance computed naively, and λ0 must be the
 * largest eigenvalue (power iteration agrees). */
static void pca_eigenpairs_satisfy_naive_covariance_over_many_chunks(void **state)
{
    (void)state;
    enum { N = 700, D = 12 };
    float *x = malloc(sizeof(float) * N * D);
    Rng rng;
    rng_seed(&rng, 7);
    for (int i = 0; i < N; i++) {
        double t = rng_normal(&rng) * 3, s = rng_normal(&rng);
        for (int j = 0; j < D; j++)
            x[i * D + j] =
                (float)(t * sin(j + 1.0) + s * cos(0.5 * j) + 0.3 * rng_normal(&rng) + j);
    }
    Pca p;
    Error err;
    assert_int_equal(pca_fit(&p, x, N, D, &err), ERROR_NONE);
    double mean[D] = {0}, C[D][D] = {{0}};
    for (int i = 0; i < N; i++)
        for (int j = 0; j < D; j++) mean[j] += x[i * D + j] / (double)N;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < D; j++)
            for (int k = 0; k < D; k++)
                C[j][k] += (x[i * D + j] - mean[j]) * (x[i * D + k] - mean[k]) / (N - 1);
    double trace = 0;
    for (int j = 0; j < D; j++) trace += C[j][j];
    EXPECT_NEAR(p.total_var, trace, 1e-6 * trace);
    for (int c = 0; c < 2; c++) {
        const double *v = p.comp + c * D;
        double nn = 0;
        for (int j = 0; j < D; j++) nn += v[j] * v[j];
        EXPECT_NEAR(nn, 1.0, 1e-9);
        for (int j = 0; j < D; j++) {
            double cv = 0;
            for (int k = 0; k < D; k++) cv += C[j][k] * v[k];
            EXPECT_NEAR(cv, p.var[c] * v[j], 1e-6 * p.var[0]);
        }
    }
    assert_true(p.var[0] >= p.var[1] && p.var[1] > 0);
    /* Power iteration from a fixed start converges to the top eigenvalue. */
    double v[D], w[D], lambda = 0;
    for (int j = 0; j < D; j++) v[j] = 1;
    for (int it = 0; it < 500; it++) {
        double nn = 0;
        for (int j = 0; j < D; j++) {
            w[j] = 0;
            for (int k = 0; k < D; k++) w[j] += C[j][k] * v[k];
            nn += w[j] * w[j];
        }
        lambda = sqrt(nn);
        for (int j = 0; j < D; j++) v[j] = w[j] / lambda;
    }
    EXPECT_NEAR(p.var[0], lambda, 1e-6 * lambda);
    /* The second component is orthogonal to the first. */
    double dot = 0;
    for (int j = 0; j < D; j++) dot += p.comp[j] * p.comp[D + j];
    EXPECT_NEAR(dot, 0, 1e-9);
    pca_free(&p);
    free(x);
}

static void pca_of_one_feature_has_zero_second_component(void **state)
{
    (void)state;
    float x[4] = {1, 2, 3, 6};
    Pca p;
    Error err;
    assert_int_equal(pca_fit(&p, x, 4, 1, &err), ERROR_NONE);
    EXPECT_NEAR(p.mean[0], 3, 1e-12);
    EXPECT_NEAR(p.comp[0], 1, 1e-12);
    EXPECT_NEAR(p.comp[1], 0, 0);
    EXPECT_NEAR(p.var[0], 14.0 / 3, 1e-9);
    EXPECT_NEAR(p.var[1], 0, 0);
    pca_free(&p);
}

static void pca_rejects_bad_input_naming_the_problem(void **state)
{
    (void)state;
    float x[6] = {1, 2, 3, NAN, 5, 6};
    Pca p;
    Error err;
    assert_int_equal(pca_fit(&p, x, 3, 2, &err), ERROR_INPUT);
    EXPECT_CONTAINS(err.msg, "row 2, feature 2");
    assert_null(p.mean);
    assert_int_equal(pca_fit(&p, x, 1, 2, &err), ERROR_INPUT);
    EXPECT_CONTAINS(err.msg, "1 rows");
    assert_int_equal(pca_fit(&p, x, 3, PCA_MAX_FEATURES + 1, &err), ERROR_INPUT);
    EXPECT_CONTAINS(err.msg, "features");
    assert_int_equal(pca_fit(&p, x, 3, 0, &err), ERROR_INPUT);
    pca_free(&p);
}

/* ------------------------------------------------------------------------ */
/* Decision boundary                                                        */
/* ------------------------------------------------------------------------ */

static void grid_cells_run_left_to_right_top_to_bottom(void **state)
{
    (void)state;
    BoundaryGrid g = {.w = 4, .h = 2, .xmin = -2, .xmax = 2, .ymin = 0, .ymax = 1};
    double a, b;
    boundary_cell_center(&g, 0, 0, &a, &b);
    EXPECT_NEAR(a, -1.5, 1e-12);
    EXPECT_NEAR(b, 0.75, 1e-12);
    boundary_cell_center(&g, 3, 1, &a, &b);
    EXPECT_NEAR(a, 1.5, 1e-12);
    EXPECT_NEAR(b, 0.25, 1e-12);
    int c, r;
    for (int col = 0; col < 4; col++)
        for (int row = 0; row < 2; row++) {
            boundary_cell_center(&g, col, row, &a, &b);
            assert_true(boundary_cell_of(&g, a, b, &c, &r));
            assert_int_equal(c, col);
            assert_int_equal(r, row);
        }
    /* The far edges belong to the last cells; outside is outside. */
    assert_true(boundary_cell_of(&g, 2, 0, &c, &r));
    assert_int_equal(c, 3);
    assert_int_equal(r, 1);
    assert_false(boundary_cell_of(&g, 2.01, 0.5, &c, &r));
    assert_false(boundary_cell_of(&g, 0, -0.01, &c, &r));
    assert_false(boundary_cell_of(&g, NAN, 0.5, &c, &r));
}

static void window_fits_points_with_margin(void **state)
{
    (void)state;
    BoundaryGrid g = {.w = 10, .h = 5};
    float xy[6] = {-1, 0, 3, 10, NAN, 100};
    boundary_fit_window(&g, xy, 3, 0.1);
    EXPECT_NEAR(g.xmin, -1.5, 1e-12); /* 0.1 × 4 = 0.4 < the 0.5 floor */
    EXPECT_NEAR(g.xmax, 3.5, 1e-12);
    EXPECT_NEAR(g.ymin, -1, 1e-12);
    EXPECT_NEAR(g.ymax, 11, 1e-12);
    assert_int_equal(g.w, 10);
    boundary_fit_window(&g, xy, 0, 0.1);
    EXPECT_NEAR(g.xmin, -1, 0);
    EXPECT_NEAR(g.ymax, 1, 0);
}

static void feature_plane_holds_other_features_at_fill(void **state)
{
    (void)state;
    BoundaryPlane p;
    Error err;
    assert_int_equal(plane_create(&p, 4, &err), ERROR_NONE);
    assert_int_equal(p.fx, 0);
    assert_int_equal(p.fy, 1);
    float fill[4] = {9, 8, 7, 6}, x[4];
    assert_int_equal(plane_set_features(&p, fill, 2, 0, &err), ERROR_NONE);
    plane_point(&p, 1.5, -2, x);
    EXPECT_NEAR(x[0], -2, 0);
    EXPECT_NEAR(x[1], 8, 0);
    EXPECT_NEAR(x[2], 1.5, 0);
    EXPECT_NEAR(x[3], 6, 0);
    float rows[8] = {1, 2, 3, 4, -1, 0, 0.5, 9}, xy[4];
    plane_project(&p, rows, 2, xy);
    EXPECT_NEAR(xy[0], 3, 0);
    EXPECT_NEAR(xy[1], 1, 0);
    EXPECT_NEAR(xy[2], 0.5, 0);
    EXPECT_NEAR(xy[3], -1, 0);
    assert_int_equal(plane_set_features(&p, NULL, 1, 1, &err), ERROR_INPUT);
    EXPECT_CONTAINS(err.msg, "must differ");
    assert_int_equal(plane_set_features(&p, NULL, 4, 1, &err), ERROR_INPUT);
    EXPECT_CONTAINS(err.msg, "feature 4 out of range 0..3");
    assert_int_equal(plane_set_features(&p, NULL, 0, -2, &err), ERROR_INPUT);
    plane_free(&p);
    assert_int_equal(plane_create(&p, 0, &err), ERROR_INPUT);
}

/* A linear softmax of two classes with logits (−k·x0, k·x0): class 1
 * exactly where x0 > 0, with probability 1/(1 + e^(−2k·x0)). */
static void boundary_of_linear_softmax_matches_closed_form_in_chunks(void **state)
{
    (void)state;
    Model m;
    make_model(&m, 2, NULL, 0, ACTIVATION_RELU, LOSS_CROSS_ENTROPY, true, 2, 7, 1);
    const float k = 1.5f;
    m.layers[0].W[0] = -k, m.layers[0].W[1] = 0;
    m.layers[0].W[2] = k, m.layers[0].W[3] = 0;
    m.layers[0].b[0] = m.layers[0].b[1] = 0;
    BoundaryPlane p;
    Error err;
    assert_int_equal(plane_create(&p, 2, &err), ERROR_NONE);
    /* 16 columns: no cell centre sits on the boundary x0 = 0 itself. */
    BoundaryGrid g = {.w = 16, .h = 9, .xmin = -3, .xmax = 3, .ymin = -1, .ymax = 2};
    float *scratch = malloc(sizeof(float) * boundary_scratch_floats(&m));
    assert_int_equal(boundary_scratch_floats(&m), 14);
    int cls[144];
    float conf[144];
    boundary_compute(&m, &p, &g, scratch, cls, conf);
    for (int r = 0; r < 9; r++)
        for (int c = 0; c < 16; c++) {
            double a, b;
            boundary_cell_center(&g, c, r, &a, &b);
            double p1 = 1 / (1 + exp(-2 * k * a));
            assert_int_equal(cls[r * 16 + c], a > 0);
            EXPECT_NEAR(conf[r * 16 + c], a > 0 ? p1 : 1 - p1, 1e-6);
        }
    free(scratch);
    plane_free(&p);
    model_free(&m);
}

/* A hidden-layer network on a PCA plane of 3 features: every cell agrees
 * with the model evaluated one row at a time at plane_point. */
static void boundary_on_pca_plane_matches_row_by_row_forward(void **state)
{
    (void)state;
    Model m;
    int hidden[1] = {6};
    make_model(&m, 3, hidden, 1, ACTIVATION_TANH, LOSS_AUTO, true, 3, 5, 3);
    double u[3][3], mean[3] = {0.2, -0.1, 0.4};
    float x[24];
    basis3(u);
    factorial_data(x, u, mean);
    Pca pca;
    BoundaryPlane p;
    Error err;
    assert_int_equal(pca_fit(&pca, x, 8, 3, &err), ERROR_NONE);
    assert_int_equal(plane_create(&p, 3, &err), ERROR_NONE);
    plane_set_pca(&p, &pca);
    assert_int_equal(p.fx, -1);
    BoundaryGrid g = {.w = 6, .h = 4, .xmin = -4, .xmax = 4, .ymin = -2, .ymax = 2};
    float scratch[15];
    int cls[24];
    float conf[24];
    boundary_compute(&m, &p, &g, scratch, cls, conf);
    for (int i = 0; i < 24; i++) {
        double a, b;
        float row[3];
        boundary_cell_center(&g, i % 6, i / 6, &a, &b);
        plane_point(&p, a, b, row);
        const float *o = model_forward(&m, row, 1, false, NULL);
        int best = 0;
        for (int j = 1; j < 3; j++)
            if (o[j] > o[best]) best = j;
        assert_int_equal(cls[i], best);
        EXPECT_NEAR(conf[i], o[best], 1e-6);
    }
    pca_free(&pca);
    plane_free(&p);
    model_free(&m);
}

static void boundary_of_sigmoid_and_linear_outputs(void **state)
{
    (void)state;
    /* Sigmoid (two classes): p = σ(2·x1); class 1 above the x axis. */
    Model m;
    make_model(&m, 2, NULL, 0, ACTIVATION_RELU, LOSS_AUTO, true, 2, 4, 1);
    m.layers[0].W[0] = 0, m.layers[0].W[1] = 2, m.layers[0].b[0] = 0;
    BoundaryPlane p;
    Error err;
    assert_int_equal(plane_create(&p, 2, &err), ERROR_NONE);
    BoundaryGrid g = {.w = 3, .h = 4, .xmin = -1, .xmax = 1, .ymin = -1, .ymax = 1};
    float scratch[8], conf[12];
    int cls[12];
    boundary_compute(&m, &p, &g, scratch, cls, conf);
    for (int i = 0; i < 12; i++) {
        double a, b;
        boundary_cell_center(&g, i % 3, i / 3, &a, &b);
        double s = 1 / (1 + exp(-2 * b));
        assert_int_equal(cls[i], b > 0);
        EXPECT_NEAR(conf[i], b > 0 ? s : 1 - s, 1e-6);
    }
    model_free(&m);
    /* Linear (regression): the value 3·x0 − x1 + 0.5, class 0. */
    make_model(&m, 2, NULL, 0, ACTIVATION_RELU, LOSS_AUTO, false, 0, 4, 1);
    m.layers[0].W[0] = 3, m.layers[0].W[1] = -1, m.layers[0].b[0] = 0.5f;
    boundary_compute(&m, &p, &g, scratch, cls, conf);
    for (int i = 0; i < 12; i++) {
        double a, b;
        boundary_cell_center(&g, i % 3, i / 3, &a, &b);
        assert_int_equal(cls[i], 0);
        EXPECT_NEAR(conf[i], 3 * a - b + 0.5, 1e-6);
    }
    model_free(&m);
    plane_free(&p);
}

/* ------------------------------------------------------------------------ */
/* Gradient probe                                                            */
/* ------------------------------------------------------------------------ */

enum { GN = 24, GD = 3 };

typedef struct {
    Model m;
    float x[GN * GD];
    int labels[GN];
    Dataset ds;
    float *per; /* (GN, n_params) per-example gradients */
    size_t np;
} GradFixture;

/* 3 features, tanh 5, softmax 3, L2 0.01: per-example gradients computed
 * one row at a time. */
static void grad_fixture(GradFixture *f, int cap)
{
    int hidden[1] = {5};
    make_model(&f->m, GD, hidden, 1, ACTIVATION_TANH, LOSS_AUTO, true, 3, cap, 11);
    f->m.l2 = 0.01;
    Rng rng;
    rng_seed(&rng, 5);
    for (int i = 0; i < GN; i++) {
        f->labels[i] = i % 3;
        for (int j = 0; j < GD; j++)
            f->x[i * GD + j] = (float)(rng_normal(&rng) + (j == f->labels[i] ? 0.8 : 0));
    }
    f->ds = view_dataset(f->x, GN, GD, f->labels, NULL, 3);
    f->np = f->m.n_params;
    f->per = malloc(sizeof(float) * GN * f->np);
    for (int i = 0; i < GN; i++) {
        model_zero_grads(&f->m);
        model_forward(&f->m, f->x + i * GD, 1, false, NULL);
        model_backward(&f->m, f->labels + i, NULL, 1);
        memcpy(f->per + (size_t)i * f->np, f->m.grads, f->np * sizeof(float));
    }
}

static void grad_fixture_free(GradFixture *f)
{
    free(f->per);
    model_free(&f->m);
}

/* out (np) = mean of the per-example gradients of rows[0..n). */
static void brute_mean(const GradFixture *f, const int *rows, int n, double *out)
{
    for (size_t j = 0; j < f->np; j++) out[j] = 0;
    for (int i = 0; i < n; i++)
        for (size_t j = 0; j < f->np; j++) out[j] += f->per[(size_t)rows[i] * f->np + j] / n;
}

static double sq(const double *a, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += a[i] * a[i];
    return s;
}

static double cos_d(const double *a, const double *b, size_t n)
{
    double ab = 0;
    for (size_t i = 0; i < n; i++) ab += a[i] * b[i];
    return ab / sqrt(sq(a, n) * sq(b, n));
}

/* |G|² and tr(Σ) of the fixture's whole set, Σ the population covariance of
 * the per-example gradients. */
static void brute_truth(const GradFixture *f, double *g2, double *trace)
{
    int all[GN];
    for (int i = 0; i < GN; i++) all[i] = i;
    double *G = malloc(sizeof(double) * f->np);
    brute_mean(f, all, GN, G);
    *g2 = sq(G, f->np);
    *trace = 0;
    for (int i = 0; i < GN; i++)
        for (size_t j = 0; j < f->np; j++) {
            double e = f->per[(size_t)i * f->np + j] - G[j];
            *trace += e * e / GN;
        }
    free(G);
}

static void full_probe_matches_per_example_gradients(void **state)
{
    (void)state;
    GradFixture f;
    grad_fixture(&f, 4); /* batches of 6 run as chunks of 4 and 2 */
    GradProbe p;
    Error err;
    assert_int_equal(gradprobe_create(&p, &f.m, GN, 1, &err), ERROR_NONE);
    /* Grads hold something of the trainer's: it must come back unchanged. */
    for (size_t j = 0; j < f.np; j++) f.m.grads[j] = (float)j * 0.5f - 3;
    float *params = malloc(sizeof(float) * f.np), *grads = malloc(sizeof(float) * f.np);
    memcpy(params, f.m.params, sizeof(float) * f.np);
    memcpy(grads, f.m.grads, sizeof(float) * f.np);

    int rows[GN];
    for (int i = 0; i < GN; i++) rows[i] = (i * 7) % GN; /* a permutation */
    GradReport r;
    assert_int_equal(gradprobe_run_rows(&p, &f.m, &f.ds, rows, GN, 6, &r, &err), ERROR_NONE);
    assert_memory_equal(params, f.m.params, sizeof(float) * f.np);
    assert_memory_equal(grads, f.m.grads, sizeof(float) * f.np);

    double *G = malloc(sizeof(double) * f.np), *g = malloc(sizeof(double) * f.np);
    brute_mean(&f, rows, GN, G);
    double gn = sqrt(sq(G, f.np));
    assert_true(gn > 1e-2); /* a gradient worth measuring */
    for (size_t j = 0; j < f.np; j++) EXPECT_NEAR(p.G[j], G[j], 1e-6 * gn + 1e-7);
    assert_true(r.exact_full);
    assert_int_equal(r.batch, 6);
    assert_int_equal(r.n_batches, 4);
    assert_int_equal((int)r.rows, GN);
    EXPECT_NEAR(r.s_big, sq(G, f.np), 1e-5 * sq(G, f.np));

    double s_small = 0, cmin = 1, cmax = -1, cmean = 0;
    double lbn[MODEL_MAX_LAYERS] = {0};
    for (int i = 0; i < 4; i++) {
        brute_mean(&f, rows + 6 * i, 6, g);
        s_small += sq(g, f.np) / 4;
        double c = cos_d(g, G, f.np);
        cmean += c / 4;
        cmin = fmin(cmin, c);
        cmax = fmax(cmax, c);
        for (int l = 0; l < 2; l++) {
            const DenseLayer *L = &f.m.layers[l];
            lbn[l] += sqrt(sq(g + L->offset, (size_t)L->n_out * (L->n_in + 1))) / 4;
        }
    }
    EXPECT_NEAR(r.s_small, s_small, 1e-5 * s_small);
    EXPECT_NEAR(r.cosine, cmean, 1e-5);
    EXPECT_NEAR(r.cosine_min, cmin, 1e-5);
    EXPECT_NEAR(r.cosine_max, cmax, 1e-5);
    assert_true(cmin < cmax && cmax < 0.9999); /* the batches do differ */
    assert_int_equal(r.n_layers, 2);
    for (int l = 0; l < 2; l++) {
        const DenseLayer *L = &f.m.layers[l];
        double ln = sqrt(sq(G + L->offset, (size_t)L->n_out * (L->n_in + 1)));
        EXPECT_NEAR(r.layer_norm[l], ln, 1e-5 * ln);
        EXPECT_NEAR(r.layer_batch_norm[l], lbn[l], 1e-5 * lbn[l]);
    }
    /* With the whole set, S_big is |G|² itself and tr(Σ) comes from S_small. */
    double c6 = (double)(GN - 6) / (6.0 * (GN - 1));
    EXPECT_NEAR(r.trace, (s_small - sq(G, f.np)) / c6, 1e-4 * r.trace);
    EXPECT_NEAR(r.g2, sq(G, f.np), 1e-4 * sq(G, f.np));
    EXPECT_NEAR(r.b_simple, r.trace / r.g2, 1e-12);

    double loss = 0;
    for (int i = 0; i < GN; i++) {
        model_forward(&f.m, f.x + i * GD, 1, false, NULL);
        loss += model_loss(&f.m, f.labels + i, NULL, 1) / GN;
    }
    EXPECT_NEAR(r.loss, loss, 1e-6);

    free(G);
    free(g);
    free(params);
    free(grads);
    gradprobe_free(&p);
    grad_fixture_free(&f);
}

/* On part of the set, each batch is compared with the mean gradient of the
 * other rows used, and the remainder rows count in G but form no batch. */
static void partial_probe_cosine_leaves_the_batch_out(void **state)
{
    (void)state;
    GradFixture f;
    grad_fixture(&f, 8);
    GradProbe p;
    Error err;
    assert_int_equal(gradprobe_create(&p, &f.m, GN, 1, &err), ERROR_NONE);
    int rows[14] = {3, 17, 5, 8, 0, 22, 11, 14, 9, 2, 20, 6, 13, 1};
    GradReport r;
    assert_int_equal(gradprobe_run_rows(&p, &f.m, &f.ds, rows, 14, 4, &r, &err), ERROR_NONE);
    assert_false(r.exact_full);
    assert_int_equal(r.n_batches, 3);
    assert_int_equal((int)r.rows, 14);
    double *G = malloc(sizeof(double) * f.np), *g = malloc(sizeof(double) * f.np),
           *o = malloc(sizeof(double) * f.np);
    brute_mean(&f, rows, 14, G);
    for (size_t j = 0; j < f.np; j++) EXPECT_NEAR(p.G[j], G[j], 1e-6);
    double cmean = 0;
    for (int i = 0; i < 3; i++) {
        int other[10], n = 0;
        for (int k = 0; k < 14; k++)
            if (k / 4 != i || k >= 12) other[n++] = rows[k];
        assert_int_equal(n, 10);
        brute_mean(&f, rows + 4 * i, 4, g);
        brute_mean(&f, other, 10, o);
        cmean += cos_d(g, o, f.np) / 3;
    }
    EXPECT_NEAR(r.cosine, cmean, 1e-5);
    free(G);
    free(g);
    free(o);
    gradprobe_free(&p);
    grad_fixture_free(&f);
}

static void noise_scale_estimate_inverts_expected_norms(void **state)
{
    (void)state;
    /* E|g_b|² = |G|² + c(b)·tr(Σ): feeding the exact expectations back must
     * return |G|² and tr(Σ). */
    double G2 = 0.7, tr = 5.3, g2, trace;
    for (int inf = 0; inf < 2; inf++) {
        double n = inf ? 0 : 50;
        double c4 = inf ? 0.25 : (n - 4) / (4 * (n - 1)),
               c20 = inf ? 0.05 : (n - 20) / (20 * (n - 1));
        noise_scale_estimate(G2 + c4 * tr, 4, G2 + c20 * tr, 20, n, &g2, &trace);
        EXPECT_NEAR(g2, G2, 1e-12);
        EXPECT_NEAR(trace, tr, 1e-12);
    }
    /* For an infinite population it is McCandlish et al.'s appendix A form. */
    double ss = 2.0, sb = 0.9;
    noise_scale_estimate(ss, 8, sb, 64, 0, &g2, &trace);
    EXPECT_NEAR(g2, (64 * sb - 8 * ss) / (64 - 8), 1e-12);
    EXPECT_NEAR(trace, (ss - sb) / (1.0 / 8 - 1.0 / 64), 1e-12);
}

/* The estimates are unbiased: averaged over every ordered choice of 4 rows
 * out of 8 (two batches of 2), they equal |G|² and tr(Σ) of the 8 rows. */
static void noise_estimates_are_unbiased_over_every_sample(void **state)
{
    (void)state;
    GradFixture f;
    grad_fixture(&f, 2);
    enum { N = 8 };
    f.ds.n = N; /* the first 8 rows */
    /* Truth over those 8 rows. */
    int all[N];
    for (int i = 0; i < N; i++) all[i] = i;
    double *G = malloc(sizeof(double) * f.np);
    brute_mean(&f, all, N, G);
    double g2_true = sq(G, f.np), tr_true = 0;
    for (int i = 0; i < N; i++)
        for (size_t j = 0; j < f.np; j++) {
            double e = f.per[(size_t)i * f.np + j] - G[j];
            tr_true += e * e / N;
        }
    GradProbe p;
    Error err;
    assert_int_equal(gradprobe_create(&p, &f.m, N, 1, &err), ERROR_NONE);
    double g2_sum = 0, tr_sum = 0, ss_sum = 0, sb_sum = 0, cnt = 0;
    int rows[4];
    for (rows[0] = 0; rows[0] < N; rows[0]++)
        for (rows[1] = 0; rows[1] < N; rows[1]++)
            for (rows[2] = 0; rows[2] < N; rows[2]++)
                for (rows[3] = 0; rows[3] < N; rows[3]++) {
                    if (rows[0] == rows[1] || rows[0] == rows[2] || rows[0] == rows[3] ||
                        rows[1] == rows[2] || rows[1] == rows[3] || rows[2] == rows[3])
                        continue;
                    GradReport r;
                    assert_int_equal(gradprobe_run_rows(&p, &f.m, &f.ds, rows, 4, 2, &r, &err),
                                     ERROR_NONE);
                    g2_sum += r.g2;
                    tr_sum += r.trace;
                    ss_sum += r.s_small;
                    sb_sum += r.s_big;
                    cnt++;
                }
    assert_int_equal((int)cnt, 8 * 7 * 6 * 5);
    EXPECT_NEAR(g2_sum / cnt, g2_true, 1e-4 * (g2_true + tr_true));
    EXPECT_NEAR(tr_sum / cnt, tr_true, 1e-4 * tr_true);
    /* Without the finite-population correction the same samples would be
     * biased well beyond that tolerance: the test can tell. */
    double g2_plain, tr_plain;
    noise_scale_estimate(ss_sum / cnt, 2, sb_sum / cnt, 4, 0, &g2_plain, &tr_plain);
    assert_true(fabs(tr_plain - tr_true) > 0.05 * tr_true);
    free(G);
    gradprobe_free(&p);
    grad_fixture_free(&f);
}

/* gradprobe_run draws its own rows: over many probes the averages approach
 * the truth, the trainer's model is left as it was, and the sizes follow
 * the budget. */
static void random_probes_average_to_the_truth(void **state)
{
    (void)state;
    GradFixture f;
    grad_fixture(&f, 4);
    double g2_true, tr_true;
    brute_truth(&f, &g2_true, &tr_true);
    GradProbe p;
    Error err;
    assert_int_equal(gradprobe_create(&p, &f.m, GN, 99, &err), ERROR_NONE);
    float *params = malloc(sizeof(float) * f.np);
    memcpy(params, f.m.params, sizeof(float) * f.np);
    enum { RUNS = 4000 };
    double g2 = 0, tr = 0, g2sq = 0, trsq = 0;
    GradReport r;
    for (int i = 0; i < RUNS; i++) {
        assert_int_equal(gradprobe_run(&p, &f.m, &f.ds, 3, 12, &r, &err), ERROR_NONE);
        g2 += r.g2 / RUNS;
        tr += r.trace / RUNS;
        g2sq += r.g2 * r.g2 / RUNS;
        trsq += r.trace * r.trace / RUNS;
    }
    assert_int_equal(r.batch, 3);
    assert_int_equal(r.n_batches, 4);
    assert_int_equal((int)r.rows, 12);
    assert_memory_equal(params, f.m.params, sizeof(float) * f.np);
    /* Within four standard errors of the mean. */
    double se_g2 = sqrt((g2sq - g2 * g2) / RUNS), se_tr = sqrt((trsq - tr * tr) / RUNS);
    EXPECT_NEAR(g2, g2_true, 4 * se_g2);
    EXPECT_NEAR(tr, tr_true, 4 * se_tr);
    assert_true(se_tr < 0.05 * tr_true);

    /* A budget below two batches still takes two; a batch above half the
     * set is halved; a budget above the set takes the whole set. */
    assert_int_equal(gradprobe_run(&p, &f.m, &f.ds, 5, 1, &r, &err), ERROR_NONE);
    assert_int_equal((int)r.rows, 10);
    assert_int_equal(gradprobe_run(&p, &f.m, &f.ds, 100, 1000, &r, &err), ERROR_NONE);
    assert_int_equal(r.batch, GN / 2);
    assert_true(r.exact_full);
    assert_int_equal(gradprobe_run(&p, &f.m, &f.ds, 5, 1000, &r, &err), ERROR_NONE);
    assert_int_equal((int)r.rows, GN);
    assert_int_equal(r.n_batches, 4);
    assert_true(r.exact_full);
    free(params);
    gradprobe_free(&p);
    grad_fixture_free(&f);
}

/* Training on the whole set at once, each step's gradient is G: the cosine
 * is exactly 1, whatever the half-set batches the noise scale is measured
 * on would give; one row fewer than the set is a mini-batch again. */
static void full_batch_probe_reports_cosine_one(void **state)
{
    (void)state;
    GradFixture f;
    grad_fixture(&f, 4);
    GradProbe p;
    Error err;
    assert_int_equal(gradprobe_create(&p, &f.m, GN, 7, &err), ERROR_NONE);
    GradReport r;
    for (int b = GN; b <= GN + 1; b++) {
        assert_int_equal(gradprobe_run(&p, &f.m, &f.ds, b, 1000, &r, &err), ERROR_NONE);
        assert_true(r.full_batch);
        assert_true(r.cosine == 1.0 && r.cosine_min == 1.0 && r.cosine_max == 1.0);
        assert_int_equal(r.batch, GN / 2); /* the noise scale's batches */
        assert_true(isfinite(r.g2) && isfinite(r.trace));
    }
    assert_int_equal(gradprobe_run(&p, &f.m, &f.ds, GN - 1, 1000, &r, &err), ERROR_NONE);
    assert_false(r.full_batch);
    assert_true(r.cosine < 1.0);
    gradprobe_free(&p);
    grad_fixture_free(&f);
}

/* A batch holds at most the training set: B_simple of 1,683 on 400 rows,
 * or 408,250 near convergence, suggests the 400. */
static void batch_suggestion_is_capped_at_the_training_set(void **state)
{
    (void)state;
    assert_int_equal(noise_batch_suggestion(1683.2, 400), 400);
    assert_int_equal(noise_batch_suggestion(408250, 400), 400);
    assert_int_equal(noise_batch_suggestion(INFINITY, 400), 400);
    assert_int_equal(noise_batch_suggestion(220.4, 400), 220);
    assert_int_equal(noise_batch_suggestion(399.6, 400), 400);
    assert_int_equal(noise_batch_suggestion(0.2, 400), 1);
    assert_int_equal(noise_batch_suggestion(NAN, 400), 0);
    assert_int_equal(noise_batch_suggestion(-3, 400), 0);
    assert_int_equal(noise_batch_suggestion(50, 0), 0);
}

static void probe_rejects_mismatched_or_tiny_input(void **state)
{
    (void)state;
    GradFixture f;
    grad_fixture(&f, 4);
    GradProbe p;
    Error err;
    assert_int_equal(gradprobe_create(&p, &f.m, GN, 1, &err), ERROR_NONE);
    GradReport r;
    Dataset other = f.ds;
    other.n = GN - 1;
    assert_int_equal(gradprobe_run(&p, &f.m, &other, 4, 12, &r, &err), ERROR_INPUT);
    EXPECT_CONTAINS(err.msg, "made for 24 rows");
    other.n = 1;
    assert_int_equal(gradprobe_run(&p, &f.m, &other, 4, 12, &r, &err), ERROR_INPUT);
    EXPECT_CONTAINS(err.msg, "at least 2");
    assert_int_equal(gradprobe_run(&p, &f.m, &f.ds, 0, 12, &r, &err), ERROR_INPUT);
    int rows[4] = {0, 1, 2, 99};
    assert_int_equal(gradprobe_run_rows(&p, &f.m, &f.ds, rows, 4, 2, &r, &err), ERROR_INPUT);
    EXPECT_CONTAINS(err.msg, "row 99 out of range");
    assert_int_equal(gradprobe_run_rows(&p, &f.m, &f.ds, rows, 3, 3, &r, &err), ERROR_INPUT);
    gradprobe_free(&p);
    grad_fixture_free(&f);
}

static void noise_average_smooths_numerator_and_denominator_separately(void **state)
{
    (void)state;
    NoiseScaleAvg a = {.alpha = 0.5};
    assert_true(isnan(noise_avg_b_simple(&a)));
    GradReport r = {.g2 = 2, .trace = 10};
    noise_avg_add(&a, &r);
    EXPECT_NEAR(noise_avg_b_simple(&a), 5, 1e-12);
    r.g2 = -1, r.trace = 20; /* a noisy probe: alone it gives no ratio */
    noise_avg_add(&a, &r);
    EXPECT_NEAR(a.g2, 0.5, 1e-12);
    EXPECT_NEAR(a.trace, 15, 1e-12);
    EXPECT_NEAR(noise_avg_b_simple(&a), 30, 1e-12);
    r.g2 = NAN;
    noise_avg_add(&a, &r);
    assert_int_equal(a.n, 2);
}

static void layer_norms_and_update_ratios(void **state)
{
    (void)state;
    Model m;
    int hidden[1] = {2};
    make_model(&m, 1, hidden, 1, ACTIVATION_RELU, LOSS_AUTO, false, 0, 1, 1);
    /* Layer 0: W (2,1), b (2); layer 1: W (1,2), b (1): 7 parameters. */
    assert_int_equal((int)m.n_params, 7);
    const float w[7] = {3, 0, 0, 4, 1, 2, 2};
    const float delta[7] = {0.03f, 0, 0, 0.04f, 0, 0, 0};
    memcpy(m.params, w, sizeof w);
    double out[2];
    layer_norms(&m, m.params, out);
    EXPECT_NEAR(out[0], 5, 1e-12);
    EXPECT_NEAR(out[1], 3, 1e-12);
    update_ratios(&m, delta, out);
    EXPECT_NEAR(out[0], 0.01, 1e-9);
    EXPECT_NEAR(out[1], 0, 0);
    float before[7];
    for (int i = 0; i < 7; i++) before[i] = w[i] - delta[i];
    update_ratios_since(&m, before, out);
    EXPECT_NEAR(out[0], 0.05 / sqrt(2.97 * 2.97 + 3.96 * 3.96), 1e-6);
    EXPECT_NEAR(out[1], 0, 0);
    memset(m.params, 0, sizeof w);
    update_ratios(&m, delta, out);
    assert_true(isinf(out[0]));
    EXPECT_NEAR(out[1], 0, 0);
    model_free(&m);
}

/* ------------------------------------------------------------------------ */
/* Histograms                                                                */
/* ------------------------------------------------------------------------ */

static void range_skips_non_finite_values(void **state)
{
    (void)state;
    float x[6] = {NAN, 2, -INFINITY, -3, 7, INFINITY}, lo, hi;
    assert_int_equal(hist_range(x, 6, &lo, &hi), 3);
    EXPECT_NEAR(lo, -3, 0);
    EXPECT_NEAR(hi, 7, 0);
    assert_int_equal(hist_range(x, 1, &lo, &hi), 0);
    EXPECT_NEAR(lo, 0, 0);
    EXPECT_NEAR(hi, 0, 0);
}

static void histogram_bins_are_half_open_with_the_top_edge_closed(void **state)
{
    (void)state;
    float x[14] = {0, 0.5f, 1.9999f, 2, 3, 4, 5, 6, 7, 8, 9.99f, 10, -5, 42};
    size_t counts[5];
    hist_fill(x, 12, 0, 10, 5, counts);
    /* [0,2): 0, 0.5, 1.9999 | [2,4): 2, 3 | [4,6): 4, 5 | [6,8): 6, 7 | [8,10]: 8, 9.99, 10 */
    size_t want[5] = {3, 2, 2, 2, 3};
    for (int i = 0; i < 5; i++) assert_int_equal(counts[i], want[i]);
    /* Out of range values clamp to the end bins; non-finite are skipped. */
    float y[4] = {-5, 42, NAN, INFINITY};
    hist_fill(y, 4, 0, 10, 5, counts);
    assert_int_equal(counts[0], 1);
    assert_int_equal(counts[4], 1);
    assert_int_equal(counts[1] + counts[2] + counts[3], 0);
    /* A flat range puts everything in the middle bin. */
    float z[3] = {1, 1, 1};
    hist_fill(z, 3, 1, 1, 5, counts);
    assert_int_equal(counts[2], 3);
    assert_int_equal(counts[0] + counts[1] + counts[3] + counts[4], 0);
}

/* Worked by hand through TensorBoard's compress_histogram: bins [0,1) [1,2)
 * [2,3) [3,4] with counts 1 2 3 4, data min 0.5 and max 3.8: cumulative
 * weights 1000 3000 6000 10000 basis points. */
static void percentiles_follow_tensorboard_compression(void **state)
{
    (void)state;
    size_t counts[4] = {1, 2, 3, 4};
    double out[HIST_N_BPS];
    hist_percentiles(counts, 4, 0, 4, 0.5, 3.8, out);
    const double want[HIST_N_BPS] = {
        0.5, 0.834, 1 + 587.0 / 2000, 2 + 85.0 / 3000, 2 + 2.0 / 3, 3.183, 3.4826, 3.6664, 3.8};
    for (int i = 0; i < HIST_N_BPS; i++) EXPECT_NEAR(out[i], want[i], 1e-9);
    /* An empty first bin: the left edge of the first non-empty bin is the
     * data minimum, and a basis point on a bin boundary moves to the next
     * non-empty bin (numpy's searchsorted side="right"). */
    size_t c2[4] = {0, 2, 0, 2};
    hist_percentiles(c2, 4, 0, 4, 1.2, 3.5, out);
    EXPECT_NEAR(out[0], 1.2, 1e-12);
    EXPECT_NEAR(out[1], 1.2 + 0.1336 * 0.8, 1e-9);
    EXPECT_NEAR(out[3], 1.2 + 0.617 * 0.8, 1e-9);
    EXPECT_NEAR(out[4], 3, 1e-12);
    EXPECT_NEAR(out[8], 3.5, 1e-12);
    size_t none[3] = {0, 0, 0};
    hist_percentiles(none, 3, 0, 1, 0, 1, out);
    for (int i = 0; i < HIST_N_BPS; i++) EXPECT_NEAR(out[i], 0, 0);
}

static void percentiles_of_uniform_data_are_the_basis_points(void **state)
{
    (void)state;
    enum { N = 100000 };
    float *x = malloc(sizeof(float) * N);
    for (int i = 0; i < N; i++) x[i] = (i + 0.5f) / N;
    float lo, hi;
    assert_int_equal(hist_range(x, N, &lo, &hi), N);
    size_t counts[200];
    hist_fill(x, N, lo, hi, 200, counts);
    double out[HIST_N_BPS];
    hist_percentiles(counts, 200, lo, hi, lo, hi, out);
    for (int i = 0; i < HIST_N_BPS; i++) EXPECT_NEAR(out[i], hist_bps[i] / 10000.0, 1e-4);
    free(x);
}

/* ------------------------------------------------------------------------ */
/* Dead units                                                                */
/* ------------------------------------------------------------------------ */

static void dead_units_are_those_never_positive_on_any_row(void **state)
{
    (void)state;
    Model m;
    int hidden[2] = {4, 3};
    make_model(&m, 2, hidden, 2, ACTIVATION_RELU, LOSS_AUTO, true, 3, 3, 2);
    DenseLayer *L0 = &m.layers[0], *L1 = &m.layers[1];
    /* Layer 0: unit 0 = x0, unit 1 = -10 (dead), unit 2 = x1 - 2.5 (alive
     * only on the last row), unit 3 = -x0 - x1 - 100 (dead). */
    const float W0[8] = {1, 0, 0, 0, 0, 1, -1, -1}, b0[4] = {0, -10, -2.5f, -100};
    memcpy(L0->W, W0, sizeof W0);
    memcpy(L0->b, b0, sizeof b0);
    /* Layer 1: unit 0 = a0 (alive), unit 1 = 0 exactly (its ReLU never
     * outputs anything: dead), unit 2 = -1 (dead). */
    memset(L1->W, 0, sizeof(float) * 12);
    L1->W[0] = 1;
    L1->b[0] = 0, L1->b[1] = 0, L1->b[2] = -1;
    float x[10] = {1, 0, 2, 1, 0.5f, 2, 3, 0, 1, 3};
    size_t bytes = dead_units_scratch_bytes(&m);
    assert_int_equal((int)bytes, 7);
    unsigned char scratch[7];
    DeadUnits du;
    dead_units_count(&m, x, 5, scratch, &du);
    assert_int_equal(du.n_layers, 2);
    assert_int_equal(du.units[0], 4);
    assert_int_equal(du.dead[0], 2);
    assert_int_equal(du.units[1], 3);
    assert_int_equal(du.dead[1], 2);
    assert_int_equal(du.total_units, 7);
    assert_int_equal(du.total_dead, 4);
    EXPECT_NEAR(du.share, 4.0 / 7, 1e-12);
    /* No rows: nothing seen, nothing declared dead. */
    dead_units_count(&m, x, 0, scratch, &du);
    assert_int_equal(du.total_dead, 0);
    assert_int_equal(du.total_units, 7);
    EXPECT_NEAR(du.share, 0, 0);
    /* Without the last row (chunks of 3 then 1), unit 2 is dead too. */
    dead_units_count(&m, x, 4, scratch, &du);
    assert_int_equal(du.dead[0], 3);
    /* The last chunk's activations are what layer_activations hands out. */
    size_t count;
    const float *a = layer_activations(&m, 0, &count);
    assert_int_equal((int)count, 4);
    EXPECT_NEAR(a[0], 3, 0); /* row 3: x0 = 3 */
    a = layer_activations(&m, 2, &count);
    assert_int_equal((int)count, 3);
    model_free(&m);
}

static void linear_model_has_no_hidden_units(void **state)
{
    (void)state;
    Model m;
    make_model(&m, 2, NULL, 0, ACTIVATION_RELU, LOSS_AUTO, true, 3, 3, 2);
    unsigned char scratch[1];
    float x[2] = {1, 2};
    DeadUnits du;
    assert_int_equal((int)dead_units_scratch_bytes(&m), 1);
    dead_units_count(&m, x, 1, scratch, &du);
    assert_int_equal(du.n_layers, 0);
    EXPECT_NEAR(du.share, 0, 0);
    model_free(&m);
}

/* ------------------------------------------------------------------------ */
/* Confusion matrix and regression pairs                                     */
/* ------------------------------------------------------------------------ */

static void confusion_counts_rows_true_columns_predicted(void **state)
{
    (void)state;
    const int truth[9] = {0, 0, 0, 1, 1, 2, 2, 2, 5};
    const int pred[9] = {0, 1, 0, 1, 0, 1, 1, 1, 0};
    size_t c[9];
    assert_int_equal(confusion_count(truth, pred, 9, 3, c), 1);
    const size_t want[9] = {2, 1, 0, 1, 1, 0, 0, 3, 0};
    for (int i = 0; i < 9; i++) assert_int_equal(c[i], want[i]);
    double prec[3], rec[3];
    EXPECT_NEAR(confusion_scores(c, 3, prec, rec), 3.0 / 8, 1e-12);
    EXPECT_NEAR(prec[0], 2.0 / 3, 1e-12);
    EXPECT_NEAR(prec[1], 1.0 / 5, 1e-12);
    assert_true(isnan(prec[2])); /* never predicted */
    EXPECT_NEAR(rec[0], 2.0 / 3, 1e-12);
    EXPECT_NEAR(rec[1], 1.0 / 2, 1e-12);
    EXPECT_NEAR(rec[2], 0, 0);
    memset(c, 0, sizeof c);
    assert_true(isnan(confusion_scores(c, 3, NULL, rec)));
    assert_true(isnan(rec[1]));
}

static void predictions_over_a_dataset_match_row_by_row(void **state)
{
    (void)state;
    GradFixture f;
    grad_fixture(&f, 5);
    int pred[GN];
    predict_dataset(&f.m, &f.ds, pred, NULL);
    for (int i = 0; i < GN; i++) {
        int one;
        model_forward(&f.m, f.x + i * GD, 1, false, NULL);
        model_predict_rows(&f.m, 1, &one, NULL);
        assert_int_equal(pred[i], one);
    }
    grad_fixture_free(&f);
}

static void regression_pairs_are_in_label_units(void **state)
{
    (void)state;
    Model m;
    make_model(&m, 1, NULL, 0, ACTIVATION_RELU, LOSS_AUTO, false, 0, 2, 1);
    m.layers[0].W[0] = 2, m.layers[0].b[0] = 1; /* prediction 2x + 1 */
    float x[3] = {0, 1, -2}, t[3] = {1, 0.5f, -4};
    Dataset ds = view_dataset(x, 3, 1, NULL, t, 0);
    float pairs[6];
    regression_pairs(&m, &ds, pairs);
    const float raw[6] = {1, 1, 0.5f, 3, -4, -3};
    for (int i = 0; i < 6; i++) EXPECT_NEAR(pairs[i], raw[i], 1e-6);
    /* Standardized as (y - 10)·0.5: y = t / 0.5 + 10. */
    ds.target_shift = 10, ds.target_scale = 0.5;
    regression_pairs(&m, &ds, pairs);
    for (int i = 0; i < 6; i++) EXPECT_NEAR(pairs[i], raw[i] / 0.5 + 10, 1e-5);
    float values[3];
    predict_dataset(&m, &ds, NULL, values);
    for (int i = 0; i < 3; i++) EXPECT_NEAR(values[i], 2 * x[i] + 1, 1e-6);
    model_free(&m);
}

/* ------------------------------------------------------------------------ */
/* Diagnosis                                                                 */
/* ------------------------------------------------------------------------ */

enum { HMAX = 64 };

typedef struct {
    EpochMetrics h[HMAX];
    float steps[128];
    DiagnosisInput in;
    char msg[256];
} Diag;

/* A healthy classification run of n epochs: loss falling 5 % an epoch,
 * accuracy rising, validation just behind; lr 0.001. */
static void diag_healthy(Diag *d, int n)
{
    memset(d, 0, sizeof *d);
    double loss = 1.0;
    for (int i = 0; i < n; i++) {
        EpochMetrics *e = &d->h[i];
        e->epoch = i + 1;
        e->loss = loss;
        e->accuracy = fmin(0.99, 0.85 + 0.005 * i);
        e->has_val = true;
        e->val_loss = loss * 1.05;
        e->val_accuracy = e->accuracy - 0.01;
        e->lr = 0.001;
        loss *= 0.95;
    }
    for (int i = 0; i < 20; i++) d->steps[i] = (float)(0.5 - 0.01 * i);
    d->in = (DiagnosisInput){.history = d->h,
                             .n_epochs = n,
                             .classification = true,
                             .step_loss = d->steps,
                             .n_steps = 20,
                             .dead_share = -1,
                             .lr = 0};
}

static DiagnosisKind run_diag(Diag *d)
{
    return diagnose(&d->in, d->msg, sizeof d->msg);
}

/* Epoch i's figures from a metrics.csv row v: loss, accuracy, val_loss,
 * val_accuracy; at rate lr. */
static void diag_epoch(Diag *d, int i, const double *v, double lr)
{
    EpochMetrics *e = &d->h[i];
    e->loss = v[0], e->accuracy = v[1], e->val_loss = v[2], e->val_accuracy = v[3];
    e->lr = lr;
}

/* The chance levels of k classes counted as train and val. */
static void diag_chance(Diag *d, const size_t *train, const size_t *val, int k)
{
    chance_level(train, k, &d->in.chance);
    chance_level(val, k, &d->in.val_chance);
}

static void diagnosis_of_a_good_run_is_healthy_with_numbers(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 12);
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    EXPECT_CONTAINS(d.msg, "healthy: training loss ");
    EXPECT_CONTAINS(d.msg, "over the last 5 epochs, validation ");
    assert_string_equal(diagnosis_name(DIAG_OVERFITTING), "overfitting");
}

/* One batch (or one epoch) shows no trend: the dashboard said "healthy"
 * after a single batch. */
static void before_a_second_epoch_it_is_too_early_to_tell(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 0);
    d.in.n_steps = 1;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    assert_string_equal(
        d.msg, "too early to tell: training loss 0.5 at the latest step, no epoch finished");
    d.in.n_steps = 0;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    assert_string_equal(d.msg, "too early to tell: no epoch finished yet");
    diag_healthy(&d, 1);
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    assert_string_equal(d.msg, "too early to tell: training loss 1 after the first epoch");
}

/* diabetes under sgd at lr 5, its rate halved six times: the training loss
 * went 0.483 -> 0.528 over 5 epochs, not every epoch up, validation stalled
 * (early stopping fired next), and the dashboard said "healthy". */
/* After the second epoch there is one epoch to look back over: "over the
 * last epoch" (it read "over the last 1 epochs"). */
static void after_two_epochs_the_span_is_one_epoch(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 2);
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    assert_string_equal(d.msg, "healthy: training loss 1 \u2192 0.95 over the last epoch, "
                               "validation 0.997");
    d.h[1].loss = 1.5; /* and risen, beyond a wobble there is none of */
    assert_int_equal(run_diag(&d), DIAG_LOSS_RISING);
    EXPECT_CONTAINS(d.msg, "training loss rose over the last epoch (1 \u2192 1.5)");
}

static void a_training_loss_up_over_the_last_epochs_is_not_healthy(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 12);
    static const double loss[6] = {0.483, 0.51, 0.49, 0.52, 0.50, 0.528};
    for (int i = 0; i < 6; i++) {
        d.h[6 + i].loss = loss[i];
        d.h[6 + i].val_loss = 0.664;
    }
    assert_int_equal(run_diag(&d), DIAG_LOSS_RISING);
    assert_null(strstr(d.msg, "healthy"));
    assert_string_equal(d.msg, "training loss rose over the last 5 epochs (0.483 \u2192 0.528), "
                               "validation 0.664 \u2192 0.664: learning rate may be too high "
                               "(lr 0.001)");
    /* level within DIAG_DRIFT_MIN: still healthy */
    d.h[11].loss = 0.483 * (1 + DIAG_DRIFT_MIN / 2);
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    /* a loss that never wobbled, up 1 %: no noise to speak of */
    for (int i = 0; i < 12; i++) d.h[i].loss = 0.5, d.h[i].accuracy = 0.99;
    d.h[11].loss = 0.505;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    assert_string_equal(d.msg, "healthy: training loss 0.5 \u2192 0.505 over the last 5 epochs, "
                               "validation 0.664");
}

/* The rate in force as float32 holds it: one it makes inf is named so,
 * too high whatever the inputs; one it makes 0 or subnormal moves no
 * weight, whatever the curves look like - the rule says so before them
 * (with the rate of the last epoch when none is given). */
static void a_rate_past_float_range_is_named_as_float32_holds_it(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 12);
    d.steps[19] = NAN;
    d.in.lr = 1e39;
    assert_int_equal(run_diag(&d), DIAG_NOT_FINITE);
    assert_string_equal(d.msg, "the training loss became NaN (lr 1e+39, inf in float32): learning "
                               "rate too high");
    diag_healthy(&d, 12);
    d.in.lr = 1e39; /* before its first step */
    assert_int_equal(run_diag(&d), DIAG_NOT_FINITE);
    assert_string_equal(d.msg,
                        "learning rate 1e+39 is inf in float32: the next step diverges: lower it");
    diag_healthy(&d, 12);
    d.in.lr = 1.05e-47;
    assert_int_equal(run_diag(&d), DIAG_PLATEAU);
    assert_string_equal(
        d.msg, "learning rate 1.05e-47 is 0 in float32: the weights cannot move: raise it");
    diag_healthy(&d, 12);
    d.in.lr = 0;
    d.h[11].lr = 1e-40;
    assert_int_equal(run_diag(&d), DIAG_PLATEAU);
    assert_string_equal(d.msg, "learning rate 1e-40 is subnormal in float32: too small to move the "
                               "weights: raise it");
    diag_healthy(&d, 12);
    d.in.lr = FLT_MIN; /* the smallest normal rate: the curves speak */
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    /* a rate changed since the last batch (+ pressed while paused): the
     * next batch's is the one in force */
    diag_healthy(&d, 12);
    d.in.lr = 2e38;
    d.in.lr_next = 4e38;
    assert_int_equal(run_diag(&d), DIAG_NOT_FINITE);
    assert_string_equal(d.msg,
                        "learning rate 4e+38 is inf in float32: the next step diverges: lower it");
    diag_healthy(&d, 12);
    d.in.lr = 1e-50;
    d.in.lr_next = 0.01; /* raised back: the curves speak */
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
}

static void not_finite_loss_fires_first(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 12);
    d.steps[19] = NAN;
    d.in.dead_share = 0.9; /* lower in priority */
    d.in.lr = 0.5;
    assert_int_equal(run_diag(&d), DIAG_NOT_FINITE);
    assert_string_equal(d.msg, "the training loss became NaN (lr 0.5): learning rate too high or "
                               "inputs unscaled");
    /* An infinite step point is a batch's loss past float's range: a batch
     * whose loss is not finite diverges the run unpublished (diabetes on
     * SGD at lr 10: steps up to 1.5e9, one past 3.4e38, then the trainer's
     * "the loss became NaN at step 4"; the line said "became infinite"). */
    diag_healthy(&d, 12);
    d.steps[19] = INFINITY;
    d.in.lr = 10;
    assert_int_equal(run_diag(&d), DIAG_NOT_FINITE);
    assert_string_equal(d.msg, "the training loss grew past 3.4e+38 (lr 10): learning rate too "
                               "high or inputs unscaled");
    diag_healthy(&d, 12);
    d.h[11].loss = INFINITY;
    assert_int_equal(run_diag(&d), DIAG_NOT_FINITE);
    EXPECT_CONTAINS(d.msg, "became infinite in epoch 12 (lr 0.001)");
    diag_healthy(&d, 12);
    d.h[11].val_loss = NAN;
    assert_int_equal(run_diag(&d), DIAG_NOT_FINITE);
    EXPECT_CONTAINS(d.msg, "validation loss became NaN");
    /* An old NaN step outside the window no longer counts. */
    diag_healthy(&d, 12);
    for (int i = 0; i < 64; i++) d.steps[i] = 0.3f;
    d.steps[0] = NAN;
    d.in.n_steps = 64;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
}

/* n step losses of v each, then a jump to `spike` and `after` steps at
 * `level` (the series of d, 20 + 1 + after points). */
static void diag_jump(Diag *d, float v, float spike, float level, int after)
{
    for (int i = 0; i < 20; i++) d->steps[i] = v;
    d->steps[20] = spike;
    for (int i = 0; i < after; i++) d->steps[21 + i] = level;
    d->in.n_steps = 21 + after;
}

static void loss_spike_fires_on_a_hundredfold_jump_that_stays_up_only(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 12);
    diag_jump(&d, 0.05f, 5.0f, 0.5f, DIAG_SPIKE_AFTER);
    assert_int_equal(run_diag(&d), DIAG_LOSS_SPIKE);
    assert_string_equal(d.msg, "loss jumped \u00d7100 in one step (0.05 \u2192 5) and stayed up "
                               "(the next 16 steps \u00d710): learning rate too high (lr 0.001)");
    /* A blow-up to float's range is stated in a few characters, not 31 digits. */
    d.steps[20] = 1e30f;
    assert_int_equal(run_diag(&d), DIAG_LOSS_SPIKE);
    assert_string_equal(d.msg, "loss jumped \u00d72e+31 in one step (0.05 \u2192 1e+30) and stayed "
                               "up (the next 16 steps \u00d710): learning rate too high (lr "
                               "0.001)");
    /* Until 16 steps have followed it, a jump is not judged. */
    diag_jump(&d, 0.05f, 5.0f, 0.5f, DIAG_SPIKE_AFTER - 1);
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    /* The steps after it back where they were: one hard batch. */
    diag_jump(&d, 0.05f, 5.0f, 0.05f, DIAG_SPIKE_AFTER);
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    /* ... or up by less than 3 times. */
    diag_jump(&d, 0.05f, 5.0f, 0.14f, DIAG_SPIKE_AFTER);
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    diag_jump(&d, 0.05f, 5.0f, 0.16f, DIAG_SPIKE_AFTER);
    assert_int_equal(run_diag(&d), DIAG_LOSS_SPIKE);
    /* ×9 is within the noise of mini-batches. */
    diag_jump(&d, 0.05f, 0.45f, 0.5f, DIAG_SPIKE_AFTER);
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    /* Tiny losses jumping ×100 stay below the floor. */
    diag_jump(&d, 0.0001f, 0.01f, 0.01f, DIAG_SPIKE_AFTER);
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    /* A jump older than the newest 32 points before the last 16 is past. */
    diag_jump(&d, 0.05f, 5.0f, 0.5f, DIAG_SPIKE_AFTER + DIAG_SPIKE_WINDOW);
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    d.in.n_steps--;
    assert_int_equal(run_diag(&d), DIAG_LOSS_SPIKE);
    /* A single point has nothing before it. */
    d.steps[0] = 3;
    d.in.n_steps = 1;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
}

/* Batches that stay up after a jump, but at a loss near 0, are mini-batch
 * noise: iris at Adam's lr 0.01 with batches of 8, at a loss of 0.007 in
 * epoch 27, met a batch at 0.31 and the 16 after it sat at 0.02 (×3), and
 * the run ended at its best loss - "learning rate too high" was false. */
static void loss_spike_stays_silent_when_the_steps_after_stay_near_zero(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 12);
    diag_jump(&d, 0.007f, 0.31f, 0.025f, DIAG_SPIKE_AFTER);
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    /* At the floor's loss, up is up. */
    diag_jump(&d, 0.007f, 0.31f, 0.05f, DIAG_SPIKE_AFTER);
    assert_int_equal(run_diag(&d), DIAG_LOSS_SPIKE);
}

/* Most of the 32 steps before a jump at exactly 0 (a model that fits
 * every row of its batches): their median is 0, and the steps after it
 * were said to be "×inf" that. */
static void loss_spike_from_zero_says_where_the_loss_went(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 12);
    diag_jump(&d, 0.0f, 0.5f, 0.3f, DIAG_SPIKE_AFTER);
    for (int i = 14; i < 20; i++) d.steps[i] = 0.001f; /* the 8 before: median 0.001 */
    assert_int_equal(run_diag(&d), DIAG_LOSS_SPIKE);
    assert_string_equal(d.msg, "loss jumped \u00d7500 in one step (0.001 \u2192 0.5) and stayed "
                               "up (the next 16 steps at 0.3, from 0): learning rate too high "
                               "(lr 0.001)");
}

/* A step loss past float's range (infinite) among the points rule 2
 * reads, older than the newest DIAG_SPIKE_WINDOW: it is said as rule 1
 * says one, not as a jump of "\u00d7inf" to "inf". */
static void a_loss_past_floats_range_is_said_wherever_rule_2_reads(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 12);
    diag_jump(&d, 0.05f, INFINITY, 0.5f, DIAG_SPIKE_AFTER + 20);
    assert_true(d.in.n_steps - 21 >= DIAG_SPIKE_WINDOW); /* older than the newest 32 */
    assert_true(d.in.n_steps - 21 <= DIAG_SPIKE_WINDOW + DIAG_SPIKE_AFTER);
    DiagnosisKind kind = run_diag(&d);
    assert_string_equal(d.msg, "the training loss grew past 3.4e+38 (lr 0.001): learning rate "
                               "too high or inputs unscaled");
    assert_null(strstr(d.msg, "inf"));
    assert_int_equal(kind, DIAG_NOT_FINITE);
}

/* The spiral at its preset (Adam at 0.03, batch 32, seed 0), the last 96
 * batch losses after epoch 190: converged, its batches mostly between
 * 0.01 and 0.1, and one hard batch, ×14 (0.0174 -> 0.237), 30 steps
 * before the end; the median of the 16 after it is 1.4 times that of the
 * 32 before it. */
static const float spiral_hard_batch[] = {
    0.158f,  0.107f,  0.0424f,  0.0127f, 0.0621f,  0.0347f, 0.111f,  0.0332f, 0.0402f, 0.0987f,
    0.0174f, 0.123f,  0.0677f,  0.0252f, 0.0326f,  0.015f,  0.101f,  0.0776f, 0.0625f, 0.0467f,
    0.0549f, 0.0171f, 0.0262f,  0.104f,  0.0521f,  0.0799f, 0.0678f, 0.0106f, 0.1f,    0.0643f,
    0.102f,  0.0687f, 0.0933f,  0.0729f, 0.0949f,  0.0414f, 0.0751f, 0.0255f, 0.0252f, 0.0103f,
    0.0842f, 0.113f,  0.0231f,  0.0729f, 0.0333f,  0.106f,  0.0463f, 0.065f,  0.0137f, 0.064f,
    0.078f,  0.068f,  0.0471f,  0.0117f, 0.117f,   0.0366f, 0.0991f, 0.0133f, 0.0706f, 0.0159f,
    0.0236f, 0.0189f, 0.00542f, 0.0449f, 0.00823f, 0.237f,  0.0433f, 0.117f,  0.224f,  0.00502f,
    0.0409f, 0.0354f, 0.0671f,  0.0736f, 0.0558f,  0.0927f, 0.0651f, 0.125f,  0.107f,  0.0659f,
    0.0507f, 0.0185f, 0.0149f,  0.038f,  0.0398f,  0.174f,  0.0243f, 0.103f,  0.0614f, 0.109f,
    0.155f,  0.0136f, 0.00634f, 0.0379f, 0.0414f,  0.00859f};

/* Iris at Adam's 0.1 with --batch-size 8, seed 1, the last 96 batch losses
 * after epoch 18, whose loss doubled (0.0879 -> 0.173): ×39 in one step
 * (0.00591 -> 0.232) 20 steps before the end, and the steps after it
 * about 9 times what they were.  The ×280 (0.99) eleven steps earlier was
 * a hard batch: the 16 steps after it ×1.7. */
static const float iris_thrown_off[] = {
    0.011f,    0.000509f, 0.00485f, 0.0164f,   0.00894f,  0.0232f,  0.00935f, 0.00518f,  0.117f,
    0.0186f,   0.00889f,  0.00138f, 0.00284f,  0.00935f,  0.00774f, 0.00377f, 0.0126f,   0.000621f,
    0.377f,    0.0695f,   0.00284f, 0.0135f,   0.00943f,  0.00441f, 0.001f,   0.000446f, 0.0251f,
    0.161f,    0.0485f,   0.432f,   0.000117f, 0.000675f, 0.0611f,  0.0266f,  0.519f,    0.0138f,
    0.00169f,  0.0133f,   0.00199f, 0.0152f,   0.00434f,  0.00875f, 0.0531f,  0.0751f,   0.14f,
    0.00615f,  0.000102f, 0.334f,   0.00867f,  0.0576f,   0.0105f,  0.0107f,  0.017f,    0.0142f,
    0.0866f,   0.0936f,   0.0773f,  0.0564f,   0.000932f, 0.00392f, 0.1f,     0.00313f,  0.000271f,
    9.97e-05f, 0.133f,    0.99f,    0.0327f,   0.0474f,   0.00241f, 0.00291f, 0.00885f,  0.0256f,
    0.117f,    0.000886f, 0.0105f,  0.00297f,  0.232f,    0.216f,   0.158f,   0.0206f,   0.441f,
    0.00328f,  0.0192f,   0.00121f, 0.0119f,   0.0909f,   0.637f,   0.953f,   0.412f,    0.0176f,
    0.138f,    0.235f,    0.0198f,  0.018f,    0.0188f,   0.0116f};

static void loss_spike_tells_a_hard_batch_from_a_step_that_threw_the_model_off(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 12);
    enum { N = sizeof spiral_hard_batch / sizeof *spiral_hard_batch };
    static_assert(N == sizeof iris_thrown_off / sizeof *iris_thrown_off, "96 points each");
    memcpy(d.steps, spiral_hard_batch, sizeof spiral_hard_batch);
    d.in.n_steps = N;
    d.in.lr = 0.03;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    /* At every moment the dashboard may look from the hard batch on. */
    for (d.in.n_steps = N - 30; d.in.n_steps <= N; d.in.n_steps++)
        assert_int_not_equal(run_diag(&d), DIAG_LOSS_SPIKE);
    memcpy(d.steps, iris_thrown_off, sizeof iris_thrown_off);
    d.in.n_steps = N;
    d.in.lr = 0.1;
    assert_int_equal(run_diag(&d), DIAG_LOSS_SPIKE);
    assert_string_equal(d.msg, "loss jumped \u00d739 in one step (0.00591 \u2192 0.232) and stayed "
                               "up (the next 16 steps \u00d79): learning rate too high (lr 0.1)");
}

static void rising_training_loss_fires_after_three_rises(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 12);
    d.h[9].loss = 0.6, d.h[10].loss = 0.7, d.h[11].loss = 0.9;
    d.h[8].loss = 0.5;
    assert_int_equal(run_diag(&d), DIAG_LOSS_RISING);
    assert_string_equal(d.msg, "training loss has risen for 3 epochs (0.5 \u2192 0.9): learning "
                               "rate too high (lr 0.001)");
    /* Two rises are not yet rule 3's trend, but 0.4 -> 0.9 is no healthy
     * run either: rule 10 sees the loss up over the last 5 epochs. */
    d.h[9].loss = 0.4;
    assert_int_equal(run_diag(&d), DIAG_LOSS_RISING);
    EXPECT_CONTAINS(d.msg, "training loss rose over the last 5 epochs (0.735 \u2192 0.9)");
    /* Three tiny rises adding up to 3 % are noise. */
    d.h[8].loss = 0.5, d.h[9].loss = 0.505, d.h[10].loss = 0.51, d.h[11].loss = 0.515;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
}

/* A run's training losses, oldest first: diag_healthy's other figures,
 * validation 5 % above training. */
static void diag_losses(Diag *d, const double *loss, int n, double lr)
{
    diag_healthy(d, n);
    for (int i = 0; i < n; i++) {
        d->h[i].loss = loss[i];
        d->h[i].val_loss = 1.05 * loss[i];
        d->h[i].lr = lr;
    }
}

/* A loss near 0 rises by a large fraction of itself with no harm done:
 * gauss at Adam's lr 0.01, batch 8, epoch 35, rose three epochs running
 * from 0.00843 to 0.00976 (+16 %, a loss 0.0013 higher) and ended at its
 * best; iris at AdamW's lr 0.01, epoch 54, went from 0.0357 to 0.0457
 * over 5 epochs.  Both were called "learning rate too high". */
static void a_rise_near_zero_loss_is_not_called_too_high(void **state)
{
    (void)state;
    Diag d;
    double gauss[12];
    for (int i = 0; i < 9; i++) gauss[i] = 0.0100 - 0.0002 * i; /* a steady fall to 0.0084 */
    gauss[8] = 0.00843, gauss[9] = 0.0089, gauss[10] = 0.0093, gauss[11] = 0.00976;
    diag_losses(&d, gauss, 12, 0.01);
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    double iris[12] = {0.050,  0.046,  0.043,  0.040, 0.038,  0.0365,
                       0.0357, 0.0349, 0.0362, 0.041, 0.0398, 0.0457};
    diag_losses(&d, iris, 12, 0.01);
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    /* The same rises a hundred times larger are. */
    for (int i = 0; i < 12; i++) gauss[i] *= 100, iris[i] *= 100;
    diag_losses(&d, gauss, 12, 0.01);
    assert_int_equal(run_diag(&d), DIAG_LOSS_RISING);
    EXPECT_CONTAINS(d.msg, "training loss has risen for 3 epochs");
    diag_losses(&d, iris, 12, 0.01);
    assert_int_equal(run_diag(&d), DIAG_LOSS_RISING);
    EXPECT_CONTAINS(d.msg, "training loss rose over the last 5 epochs");
}

/* Spiral at its preset (Adam, lr 0.03, seed 0), epochs 109 to 133: the
 * loss a tenth of the first epoch's and still falling, it rose four
 * epochs running, 0.0721 -> 0.0804 (+11 %), and the dashboard said
 * "training loss has risen for 4 epochs: learning rate too high".  The
 * rise is 2 wobbles of the 20 epochs before it (0.004 an epoch). */
static const double spiral_noise[25] = {
    0.1176,  0.1008,  0.1038,  0.09597, 0.1067,  0.09767, 0.09989, 0.09923, 0.1019,
    0.09839, 0.08385, 0.08008, 0.07588, 0.07919, 0.08319, 0.08953, 0.07811, 0.08075,
    0.07822, 0.07681, 0.07208, 0.07578, 0.07906, 0.08039, 0.08042,
};
/* The same run, epochs 189 to 212: Adam's step grown too large for the
 * converged network, the loss goes 0.059 -> 0.321 in four epochs, 150
 * wobbles. */
static const double spiral_burst[24] = {
    0.06438, 0.06467, 0.058,   0.05751, 0.05575, 0.05623, 0.05382, 0.05564,
    0.05578, 0.05764, 0.05482, 0.05484, 0.05314, 0.05396, 0.0574,  0.05656,
    0.06246, 0.05431, 0.0647,  0.05895, 0.07253, 0.1122,  0.2893,  0.3211,
};
/* Iris on Adam at lr 1 (seed 0), epochs 37 to 60: from a loss near 0.04
 * to 0.23, where it stays. */
static const double iris_diverging[24] = {
    0.05372, 0.03798, 0.04438, 0.08057, 0.0232,  0.04732, 0.03421, 0.03754,
    0.03398, 0.03669, 0.04027, 0.03735, 0.03025, 0.05059, 0.03716, 0.03324,
    0.03385, 0.03945, 0.03807, 0.04431, 0.03261, 0.1243,  0.1752,  0.2278,
};
/* Diabetes on Adam at lr 0.3 (batch 8, seed 0), epochs 1 to 16: a fast
 * fall from 6.9, then the loss climbs to 9.2 - its wobble is taken
 * around the fall's own pace, which does not hide the climb. */
static const double diabetes_diverging[16] = {
    6.927,  1.269,  0.6573, 0.6713, 0.603, 0.6192, 0.5726, 0.5752,
    0.6753, 0.6308, 1.031,  1.104,  0.913, 1.035,  2.294,  9.183,
};

static void a_training_loss_up_within_its_wobble_is_noise(void **state)
{
    (void)state;
    /* spiral_noise with its last three epochs steeper: 0.0721 -> 0.115,
     * 10 wobbles instead of 2 */
    static double spiral_steep[25];
    memcpy(spiral_steep, spiral_noise, sizeof spiral_steep);
    spiral_steep[22] = 0.09, spiral_steep[23] = 0.10, spiral_steep[24] = 0.115;
    static const struct {
        const double *loss;
        int n;
        double lr;
        DiagnosisKind kind;
        const char *msg;
    } cases[] = {
        {spiral_noise, 25, 0.03, DIAG_HEALTHY,
         "no trend: training loss 0.0768 \u2192 0.0804 over the last 5 epochs, within its "
         "epoch-to-epoch noise, validation 0.0844"},
        /* two epochs into the burst, rule 10 sees it */
        {spiral_burst, 22, 0.03, DIAG_LOSS_RISING,
         "training loss rose over the last 5 epochs (0.0625 \u2192 0.112), validation 0.0656 "
         "\u2192 0.118: learning rate may be too high (lr 0.03)"},
        /* the real climbs fire on the same epoch as without the wobble test */
        {spiral_burst, 24, 0.03, DIAG_LOSS_RISING,
         "training loss has risen for 4 epochs (0.059 \u2192 0.321): learning rate too high (lr "
         "0.03)"},
        {iris_diverging, 24, 1, DIAG_LOSS_RISING,
         "training loss has risen for 3 epochs (0.0326 \u2192 0.228): learning rate too high (lr "
         "1)"},
        {diabetes_diverging, 16, 0.3, DIAG_LOSS_RISING,
         "training loss has risen for 3 epochs (0.913 \u2192 9.18): learning rate too high (lr "
         "0.3)"},
        {spiral_steep, 25, 0.03, DIAG_LOSS_RISING,
         "training loss has risen for 4 epochs (0.0721 \u2192 0.115): learning rate too high (lr "
         "0.03)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Diag d;
        diag_losses(&d, cases[i].loss, cases[i].n, cases[i].lr);
        assert_int_equal(run_diag(&d), cases[i].kind);
        assert_string_equal(d.msg, cases[i].msg);
    }
}

static void overfitting_fires_when_validation_rises_as_training_falls(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 12);
    /* Best validation at epoch 6 (index 5), then up for 6 epochs. */
    for (int i = 6; i < 12; i++) d.h[i].val_loss = d.h[5].val_loss * (1 + 0.02 * (i - 5));
    d.in.dead_share = 0.5; /* lower in priority */
    assert_int_equal(run_diag(&d), DIAG_OVERFITTING);
    EXPECT_CONTAINS(d.msg, "validation loss has risen for 6 epochs (");
    EXPECT_CONTAINS(d.msg, ") while training loss falls (");
    EXPECT_CONTAINS(d.msg, "): overfitting");
    char want[64];
    snprintf(want, sizeof want, "(%.3g \u2192 %.3g)", d.h[5].val_loss, d.h[11].val_loss);
    EXPECT_CONTAINS(d.msg, want);
    /* Four epochs since the best are not enough. */
    diag_healthy(&d, 12);
    for (int i = 8; i < 12; i++) d.h[i].val_loss = d.h[7].val_loss * (1 + 0.02 * (i - 7));
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    /* Validation barely above its best (1 %) is not overfitting. */
    diag_healthy(&d, 12);
    for (int i = 6; i < 12; i++) d.h[i].val_loss = d.h[5].val_loss * 1.01;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    /* Both rising together, the training loss not below its value then. */
    diag_healthy(&d, 12);
    for (int i = 6; i < 12; i++) {
        d.h[i].val_loss = d.h[5].val_loss * 1.2;
        d.h[i].loss = d.h[5].loss * (i % 2 ? 1.05 : 1.01);
    }
    assert_int_not_equal(run_diag(&d), DIAG_OVERFITTING);
    /* Without validation there is nothing to say. */
    diag_healthy(&d, 12);
    for (int i = 0; i < 12; i++) d.h[i].has_val = false, d.h[i].val_loss = 100 - i;
    d.h[11].val_loss = 1000;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
}

/* Spiral on 4 hidden units (the first five minutes' "too few for a
 * spiral": `gradtop spiral --layers 4`, seed 0), epochs 60 to 84 as its
 * metrics.csv gave them: loss, accuracy, val_loss, val_accuracy.  The best
 * validation loss (0.6881, epoch 60) is 24 epochs old and the last 2 %
 * above it, the training loss below its value then: the overfitting rule's
 * own conditions, which the dashboard answered with "overfitting" on one
 * epoch in eight of this run.  Yet the model has learned nothing: its
 * training loss is 6 % below guessing's ln 2, its validation loss around
 * it. */
static const double spiral_four[25][4] = {
    {0.6625, 0.6200, 0.6881, 0.54}, {0.6610, 0.6075, 0.6990, 0.55}, {0.6614, 0.6200, 0.7168, 0.55},
    {0.6583, 0.6100, 0.6947, 0.55}, {0.6577, 0.6250, 0.6942, 0.55}, {0.6563, 0.6275, 0.7038, 0.54},
    {0.6587, 0.6350, 0.6993, 0.56}, {0.6583, 0.6150, 0.6903, 0.62}, {0.6499, 0.6325, 0.7097, 0.55},
    {0.6566, 0.6325, 0.7049, 0.53}, {0.6538, 0.6450, 0.6934, 0.60}, {0.6546, 0.6375, 0.6985, 0.62},
    {0.6526, 0.6450, 0.6999, 0.56}, {0.6559, 0.6350, 0.7074, 0.53}, {0.6547, 0.6350, 0.6940, 0.62},
    {0.6522, 0.6425, 0.6986, 0.55}, {0.6538, 0.6475, 0.6973, 0.59}, {0.6544, 0.6275, 0.6936, 0.59},
    {0.6549, 0.6550, 0.7001, 0.56}, {0.6552, 0.6225, 0.6960, 0.60}, {0.6526, 0.6450, 0.7034, 0.57},
    {0.6535, 0.6425, 0.6950, 0.60}, {0.6520, 0.6450, 0.7005, 0.60}, {0.6550, 0.6275, 0.6886, 0.56},
    {0.6503, 0.6250, 0.7031, 0.60},
};

static void diag_spiral_four(Diag *d)
{
    diag_healthy(d, 25);
    for (int i = 0; i < 25; i++) {
        d->h[i].epoch = 60 + i;
        d->h[i].loss = spiral_four[i][0], d->h[i].accuracy = spiral_four[i][1];
        d->h[i].val_loss = spiral_four[i][2], d->h[i].val_accuracy = spiral_four[i][3];
        d->h[i].lr = 0.03;
    }
    size_t train[2] = {200, 200}, val[2] = {50, 50};
    chance_level(train, 2, &d->in.chance);
    chance_level(val, 2, &d->in.val_chance);
}

/* Spiral at its preset (Adam, lr 0.03, seed 0; 100 validation rows),
 * training and validation loss of epochs 115 to 134: at 7 s into the
 * lesson the dashboard said "validation loss has risen for 6 epochs (0.133
 * -> 0.143) while training loss falls: overfitting" - the validation loss
 * wobbles by 0.013 an epoch, and reached a new best, 0.118, at epoch 153. */
static const double spiral_val_noise[20][2] = {
    {0.09989, 0.151},  {0.09923, 0.1752}, {0.1019, 0.1791},  {0.09839, 0.163},  {0.08385, 0.154},
    {0.08008, 0.1547}, {0.07588, 0.155},  {0.07919, 0.1514}, {0.08319, 0.1615}, {0.08953, 0.1555},
    {0.07811, 0.1368}, {0.08075, 0.145},  {0.07822, 0.1584}, {0.07681, 0.1334}, {0.07208, 0.1754},
    {0.07578, 0.1499}, {0.07906, 0.1371}, {0.08039, 0.1774}, {0.08042, 0.1458}, {0.07407, 0.1427},
};
/* The same run, epochs 227 to 259: from its best, 0.103, the validation
 * loss drifts up to 0.15 to 0.19 while the training loss goes on falling -
 * and at 0.2 to 0.24 by epoch 300. */
static const double spiral_val_drift[33][2] = {
    {0.069, 0.1029},   {0.06029, 0.1374}, {0.05726, 0.13},   {0.05607, 0.129},  {0.0547, 0.1397},
    {0.05796, 0.1174}, {0.05414, 0.1408}, {0.05345, 0.1226}, {0.05526, 0.1422}, {0.05883, 0.1265},
    {0.05264, 0.1719}, {0.05536, 0.137},  {0.05145, 0.1524}, {0.05305, 0.1528}, {0.05445, 0.1462},
    {0.05519, 0.152},  {0.05636, 0.1402}, {0.05361, 0.1783}, {0.05444, 0.1536}, {0.05479, 0.1549},
    {0.05287, 0.1647}, {0.05772, 0.1855}, {0.0625, 0.1466},  {0.05321, 0.1651}, {0.05268, 0.169},
    {0.04969, 0.16},   {0.05275, 0.1815}, {0.05254, 0.1581}, {0.05308, 0.1855}, {0.05299, 0.1679},
    {0.05274, 0.1445}, {0.05733, 0.1586}, {0.05187, 0.1694},
};

static void a_validation_loss_up_within_its_wobble_is_not_overfitting(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 20);
    for (int i = 0; i < 20; i++) {
        d.h[i].loss = spiral_val_noise[i][0], d.h[i].val_loss = spiral_val_noise[i][1];
        d.h[i].lr = 0.03;
    }
    assert_int_not_equal(run_diag(&d), DIAG_OVERFITTING);
    assert_null(strstr(d.msg, "overfitting"));
    diag_healthy(&d, 33);
    for (int i = 0; i < 33; i++) {
        d.h[i].loss = spiral_val_drift[i][0], d.h[i].val_loss = spiral_val_drift[i][1];
        d.h[i].lr = 0.03;
    }
    assert_int_equal(run_diag(&d), DIAG_OVERFITTING);
    assert_string_equal(d.msg, "validation loss has risen for 32 epochs (0.103 \u2192 0.169) "
                               "while training loss falls (0.069 \u2192 0.0519): overfitting");
}

/* Wine on Adam at lr 1 (batch 32, seed 0), epochs 1 to 17: loss,
 * accuracy, val_loss, val_accuracy.  Its validation loss reaches 0 in
 * epoch 5 and stays there; the dashboard said "validation loss has risen
 * for 12 epochs (0 -> 0) while training loss falls: overfitting". */
static const double wine_hot[17][4] = {
    {12.45, 0.6479, 4.741, 0.8611}, {4.02, 0.9577, 58.42, 0.8611}, {47.47, 0.9085, 1.792, 0.9722},
    {6.582, 0.9789, 6.168e-18, 1},  {7.346, 0.9718, 0, 1},         {2.643e-16, 1, 0, 1},
    {0.1125, 0.993, 0, 1},          {0.8564, 0.993, 0, 1},         {0.2837, 0.993, 0, 1},
    {1.374, 0.993, 0, 1},           {0.2867, 0.993, 0, 1},         {0.5506, 0.993, 0, 1},
    {4.547e-07, 1, 0, 1},           {0.1663, 0.993, 0, 1},         {0, 1, 0, 1},
    {0.384, 0.993, 0, 1},           {0.1177, 0.993, 0, 1},
};

static void a_validation_loss_still_at_its_best_has_not_risen(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 17);
    for (int i = 0; i < 17; i++) diag_epoch(&d, i, wine_hot[i], 1);
    assert_int_not_equal(run_diag(&d), DIAG_OVERFITTING);
    assert_null(strstr(d.msg, "validation loss has risen"));
    /* from 0 to anything above it, it has */
    d.h[16].val_loss = 0.05;
    assert_int_equal(run_diag(&d), DIAG_OVERFITTING);
    EXPECT_CONTAINS(d.msg, "validation loss has risen for 12 epochs (0 \u2192 0.05)");
    /* nor has a training loss 0 from epoch to epoch (epochs 33 to 60 of
     * the run) */
    for (int i = 0; i < 17; i++) d.h[i].loss = d.h[i].val_loss = 0, d.h[i].accuracy = 1;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    assert_string_equal(d.msg, "healthy: training loss 0 \u2192 0 over the last 5 epochs, "
                               "validation 0");
}

static void overfitting_needs_a_model_that_learned_something(void **state)
{
    (void)state;
    Diag d;
    diag_spiral_four(&d);
    /* Its last 0.703 is within the wobble of 100 rows; 0.72 is 4.5
     * wobbles above the best, as rule 4 needs - but the model learned
     * nothing. */
    d.h[24].val_loss = 0.72;
    assert_true(d.h[24].val_loss >= d.h[0].val_loss * 1.02 && d.h[24].loss < d.h[0].loss);
    /* Validation at chance: not learning, and a larger network is among
     * the advice. */
    assert_int_equal(run_diag(&d), DIAG_AT_CHANCE);
    assert_string_equal(d.msg, "not learning: validation at chance level (accuracy 0.60, loss "
                               "0.72; guessing 0.50, 0.693): try a higher learning rate or a "
                               "larger network");
    /* The same validation curve under a fitted training part (loss 0.6 of
     * what it was, accuracy 0.95) is overfitting - not with its recorded
     * last epoch, within the wobble ... */
    for (int i = 0; i < 25; i++) d.h[i].loss *= 0.6, d.h[i].accuracy = 0.95;
    assert_int_equal(run_diag(&d), DIAG_OVERFITTING);
    EXPECT_CONTAINS(d.msg, "validation loss has risen for 24 epochs (0.688 \u2192 0.72)");
    d.h[24].val_loss = spiral_four[24][2];
    assert_int_not_equal(run_diag(&d), DIAG_OVERFITTING);
    /* ... and so is a validation loss gone clearly worse than guessing
     * (0.745, 7 % above ln 2; accuracy 0.52 against the training rows'
     * 0.625) while the training loss barely moves: what the model took from
     * its training rows misleads it on the others. */
    diag_spiral_four(&d);
    for (int i = 1; i < 25; i++) d.h[i].val_loss *= 1.06, d.h[i].val_accuracy = 0.52;
    assert_int_equal(run_diag(&d), DIAG_OVERFITTING);
    /* Without the chance levels (regression too), a model that underfits
     * as rule 9 has it - scores low and alike - is not called overfitting. */
    diag_spiral_four(&d);
    d.h[24].val_loss = 0.75;
    d.in.chance.n = d.in.val_chance.n = 0;
    assert_int_not_equal(run_diag(&d), DIAG_OVERFITTING);
    d.in.classification = false;
    for (int i = 0; i < 25; i++) d.h[i].r2 = 0.3, d.h[i].val_r2 = 0.28;
    assert_int_not_equal(run_diag(&d), DIAG_OVERFITTING);
    for (int i = 0; i < 25; i++) d.h[i].r2 = 0.9;
    assert_int_equal(run_diag(&d), DIAG_OVERFITTING);
}

/* A spiral trained to 0.95 at noise 0.05, then its noise raised to 0.2 in
 * the edit form at epoch 193 (the data drawn again): epochs 190-193 before
 * the change and 270-274 after it, as its metrics.csv gave them (epoch,
 * loss, accuracy, val_loss, val_accuracy).  On the noisy rows the training
 * accuracy climbs to 0.7 while validation stays at chance with a loss far
 * worse than guessing's: the network memorizes its training rows, and a
 * higher rate or a larger network, the "not learning" advice, would make
 * that worse. */
static const double spiral_noisier[9][5] = {
    {190, 0.1674, 0.9550, 0.1920, 0.95}, {191, 0.1202, 0.9575, 0.3011, 0.90},
    {192, 0.1026, 0.9650, 0.1651, 0.95}, {193, 0.1116, 0.9675, 0.1914, 0.92},
    {270, 0.5440, 0.7175, 1.2211, 0.57}, {271, 0.5404, 0.7200, 1.2337, 0.56},
    {272, 0.5466, 0.7100, 1.2552, 0.55}, {273, 0.5361, 0.7250, 1.2642, 0.54},
    {274, 0.5398, 0.7050, 1.2313, 0.53},
};

static void
validation_worse_than_guessing_beside_a_fitted_training_part_is_overfitting(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 9);
    for (int i = 0; i < 9; i++) {
        d.h[i].epoch = (int)spiral_noisier[i][0];
        diag_epoch(&d, i, spiral_noisier[i] + 1, 0.01);
    }
    size_t train[2] = {200, 200}, val[2] = {50, 50};
    diag_chance(&d, train, val, 2);
    assert_int_equal(run_diag(&d), DIAG_OVERFITTING);
    assert_string_equal(d.msg, "overfitting: training accuracy 0.70, but validation at chance "
                               "level (accuracy 0.53, loss 1.23; guessing 0.50, 0.693), its loss "
                               "worse than guessing: the model learns its training rows only");
    /* A training loss not well below guessing's (0.65 of ln 2 = 0.693) is
     * not a fitted training part: not learning, as before. */
    for (int i = 4; i < 9; i++) d.h[i].loss = 0.65;
    assert_int_equal(run_diag(&d), DIAG_AT_CHANCE);
    /* Nor is a validation loss at guessing's, however well the training
     * part fits. */
    for (int i = 4; i < 9; i++) d.h[i].loss = spiral_noisier[i][1], d.h[i].val_loss = 0.70;
    assert_int_equal(run_diag(&d), DIAG_AT_CHANCE);
}

static void dead_units_fire_from_a_quarter(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 12);
    d.in.dead_share = 0.38;
    assert_int_equal(run_diag(&d), DIAG_DEAD_UNITS);
    assert_string_equal(d.msg,
                        "38 % of ReLU units never fire: try a lower learning rate or leaky_relu");
    d.in.dead_share = 0.2;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    d.in.dead_share = -1;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
}

static void plateau_fires_on_flat_loss_far_from_fitting(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 20);
    for (int i = 8; i < 20; i++) {
        d.h[i].loss = 0.693 + 0.001 * (i % 3);
        d.h[i].accuracy = 0.5, d.h[i].val_accuracy = 0.5;
        d.h[i].val_loss = 0.7;
        d.h[i].lr = 0.0001;
    }
    d.h[7].loss = 0.8;
    assert_int_equal(run_diag(&d), DIAG_PLATEAU);
    assert_string_equal(d.msg,
                        "training loss flat for 12 epochs at 0.694 (lr 0.0001): try a higher "
                        "learning rate");
    d.in.dead_share = 0.3; /* dead units explain it: they come first */
    assert_int_equal(run_diag(&d), DIAG_DEAD_UNITS);
    d.in.dead_share = -1;
    /* Flat at 99.5 % accuracy is finished, not stuck. */
    for (int i = 8; i < 20; i++) d.h[i].accuracy = 0.995, d.h[i].val_accuracy = 0.99;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    /* Nine flat epochs are not yet a plateau (and the accuracy is fine). */
    for (int i = 8; i < 20; i++) d.h[i].accuracy = 0.9, d.h[i].val_accuracy = 0.9;
    d.h[10].loss = 0.8;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
}

/* Iris on SGD at lr 5 (`gradtop iris --optimizer sgd --lr 5`, seed 0),
 * epochs 1 to 16 as its metrics.csv gave them: loss, accuracy, val_loss,
 * val_accuracy.  The loss blew up to 33 in epoch 2, then wandered; the best
 * validation loss is ten epochs old and the last 41 % above it, the
 * training loss below its value then - rule 4's conditions, and the
 * dashboard said "overfitting".  But validation scores better than
 * training (0.80 against 0.74): the model fits its training rows no better
 * than the others, which is no overfitting. */
static const double iris_hot[16][4] = {
    {3.1624, 0.6417, 177.40, 0.3333}, {33.540, 0.5333, 1.6026, 0.7000},
    {0.8586, 0.6917, 0.4433, 0.7333}, {0.5578, 0.6083, 0.6191, 0.7000},
    {0.5115, 0.6750, 0.4455, 0.6333}, {0.4624, 0.6667, 0.4346, 0.7333},
    {0.5963, 0.6333, 0.4554, 0.7667}, {0.4618, 0.7250, 0.4827, 0.8000},
    {0.4335, 0.7833, 0.4496, 0.7667}, {0.3924, 0.7750, 0.5327, 0.8000},
    {0.4022, 0.7917, 0.4926, 0.7667}, {0.4049, 0.7833, 0.4722, 0.7667},
    {0.4182, 0.7167, 0.6036, 0.6667}, {0.4388, 0.7750, 0.6601, 0.6667},
    {0.4311, 0.7583, 0.4638, 0.7667}, {0.4208, 0.7417, 0.6126, 0.8000},
};

static void diag_iris_hot(Diag *d)
{
    diag_healthy(d, 16);
    for (int i = 0; i < 16; i++) diag_epoch(d, i, iris_hot[i], 5);
    size_t train[3] = {40, 40, 40}, val[3] = {10, 10, 10};
    diag_chance(d, train, val, 3);
}

static void validation_scoring_above_training_is_not_overfitting(void **state)
{
    (void)state;
    Diag d;
    diag_iris_hot(&d);
    /* its training loss, 0.402 -> 0.421 over the last five epochs, is up
     * by one wobble (0.018 an epoch) of its wandering: no trend either */
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    assert_string_equal(d.msg, "no trend: training loss 0.402 \u2192 0.421 over the last 5 "
                               "epochs, within its epoch-to-epoch noise, validation 0.613");
    /* Training ahead of validation, and the last validation loss beyond
     * its wobble (1.0; its 0.613 is within it), the same losses are
     * overfitting. */
    for (int i = 0; i < 16; i++) d.h[i].accuracy = 0.95;
    d.h[15].val_loss = 1.0;
    assert_int_equal(run_diag(&d), DIAG_OVERFITTING);
}

/* Iris on SGD at lr 1e-5 for 5 epochs: flat since the first. */
static void diag_iris_flat(Diag *d)
{
    diag_healthy(d, 5);
    const double loss[5] = {0.80244, 0.80241, 0.80237, 0.80234, 0.80230};
    for (int i = 0; i < 5; i++) {
        const double v[4] = {loss[i], 0.6333, 0.9451 - 0.00002 * i, 0.6333};
        diag_epoch(d, i, v, 1e-5);
    }
}

/* Iris on SGD at lr 1e-5 for 5 epochs (`gradtop iris --optimizer sgd --lr
 * 0.00001 --epochs 5`): the loss 0.8024 to 0.8023, accuracy 0.63 - it has
 * not moved since the first epoch, yet was called "healthy: training loss
 * 0.802 -> 0.802" since the plateau rule waits for 10 epochs. */
static void a_loss_flat_since_the_first_epoch_is_not_healthy(void **state)
{
    (void)state;
    Diag d;
    diag_iris_flat(&d);
    assert_int_equal(run_diag(&d), DIAG_PLATEAU);
    assert_string_equal(d.msg, "training loss flat for 5 epochs at 0.802 (lr 1e-05): try a higher "
                               "learning rate");
    /* Four epochs are too few to tell */
    d.in.n_epochs = 4;
    assert_int_not_equal(run_diag(&d), DIAG_PLATEAU);
    /* and a loss that fell in the first epochs, then held, is no plateau
     * before the rule's ten epochs. */
    d.in.n_epochs = 5;
    d.h[0].loss = 0.9;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
}

/* A training loss that wobbles by 2 % around 0.65 and no longer falls. */
static void diag_stalled(Diag *d)
{
    for (int i = 0; i < d->in.n_epochs; i++) d->h[i].loss = 0.65 * (i % 2 ? 1.02 : 0.98);
}

static void underfitting_fires_on_low_close_scores(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 15);
    diag_stalled(&d);
    for (int i = 0; i < 15; i++) d.h[i].accuracy = 0.55 + 0.005 * i, d.h[i].val_accuracy = 0.6;
    assert_int_equal(run_diag(&d), DIAG_UNDERFITTING);
    assert_string_equal(d.msg, "training accuracy 0.62 and validation 0.6 after 15 epochs: "
                               "underfitting, try a larger network or more epochs");
    /* A large gap is not underfitting. */
    d.h[14].val_accuracy = 0.4;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    /* Nor is a good score. */
    d.h[14].val_accuracy = 0.9, d.h[14].accuracy = 0.9;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    /* Too early to tell. */
    diag_healthy(&d, 9);
    for (int i = 0; i < 9; i++) d.h[i].accuracy = 0.5, d.h[i].val_accuracy = 0.5;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    /* Regression reads r². */
    diag_healthy(&d, 15);
    diag_stalled(&d);
    d.in.classification = false;
    for (int i = 0; i < 15; i++) d.h[i].r2 = 0.3, d.h[i].val_r2 = 0.28;
    assert_int_equal(run_diag(&d), DIAG_UNDERFITTING);
    EXPECT_CONTAINS(d.msg, "training r\u00b2 0.3 and validation 0.28 after 15 epochs");
    d.h[14].r2 = 0.8, d.h[14].val_r2 = 0.78;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
}

/* The spiral at its preset (`gradtop train spiral --layers 16,16
 * --activation tanh --lr 0.03 --patience 0`), training losses of epochs 1
 * to 58 of 1000: falling by 0.0034 an epoch (the median change over the
 * last 20), through a wobble of 0.0087 an epoch; its training accuracy
 * 0.765 at epoch 58, validation 0.73 - and 0.90 and 0.85 by epoch 70. */
static const double spiral_preset_loss[58] = {
    0.6952, 0.6608, 0.6717, 0.6669, 0.6577, 0.6629, 0.6658, 0.6542, 0.6478, 0.6457, 0.6436, 0.6502,
    0.6461, 0.6393, 0.6455, 0.6449, 0.6464, 0.6382, 0.6514, 0.6443, 0.6364, 0.6364, 0.6343, 0.6471,
    0.6379, 0.6322, 0.6352, 0.6351, 0.6235, 0.6252, 0.6259, 0.6224, 0.6411, 0.6271, 0.6090, 0.6204,
    0.6136, 0.6035, 0.5999, 0.5986, 0.5952, 0.5829, 0.5973, 0.5665, 0.5655, 0.5534, 0.5326, 0.5373,
    0.5153, 0.5281, 0.5287, 0.4888, 0.4854, 0.5045, 0.4989, 0.4686, 0.4737, 0.4766,
};

/* A run whose loss is still clearly falling is not underfitting yet, low
 * as its scores are: the dashboard said "underfitting, try a larger network
 * or more epochs" at epoch 58 of 1000. */
static void a_run_still_improving_is_not_called_underfitting(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 58);
    for (int i = 0; i < 58; i++) {
        d.h[i].loss = spiral_preset_loss[i];
        d.h[i].val_loss = 1.1 * spiral_preset_loss[i];
        d.h[i].accuracy = 0.5 + 0.0045 * i, d.h[i].val_accuracy = d.h[i].accuracy - 0.03;
    }
    d.h[57].accuracy = 0.765, d.h[57].val_accuracy = 0.73;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    assert_string_equal(d.msg, "still improving: training loss 0.485 \u2192 0.477 over the last 5 "
                               "epochs, validation 0.524");
    /* The same scores with the loss stalled are underfitting. */
    diag_stalled(&d);
    assert_int_equal(run_diag(&d), DIAG_UNDERFITTING);
    EXPECT_CONTAINS(d.msg, "training accuracy 0.765 and validation 0.73 after 58 epochs");
}

/* The default spiral run (`gradtop train spiral`: 400 training rows and 100
 * validation rows, 2 balanced classes) epoch by epoch: loss, accuracy,
 * val_loss, val_accuracy as it prints them.  Early stopping ends it after
 * epoch 11 with epoch 1 the best. */
static const double spiral_default[11][4] = {
    {0.6824, 0.5700, 0.7143, 0.5200}, {0.6705, 0.5975, 0.7152, 0.4900},
    {0.6640, 0.6000, 0.7181, 0.5000}, {0.6600, 0.6050, 0.7186, 0.5200},
    {0.6576, 0.5975, 0.7193, 0.5200}, {0.6567, 0.6050, 0.7171, 0.5600},
    {0.6556, 0.6100, 0.7189, 0.5600}, {0.6540, 0.6225, 0.7182, 0.5600},
    {0.6536, 0.6325, 0.7184, 0.5600}, {0.6530, 0.6325, 0.7174, 0.5600},
    {0.6521, 0.6375, 0.7156, 0.5600},
};

static void diag_spiral(Diag *d, int n)
{
    diag_healthy(d, n);
    for (int i = 0; i < n; i++) {
        d->h[i].loss = spiral_default[i][0], d->h[i].accuracy = spiral_default[i][1];
        d->h[i].val_loss = spiral_default[i][2], d->h[i].val_accuracy = spiral_default[i][3];
    }
    size_t train[2] = {200, 200}, val[2] = {50, 50};
    chance_level(train, 2, &d->in.chance);
    chance_level(val, 2, &d->in.val_chance);
    d->in.patience = 10;
    d->in.monitor = "val_loss";
}

/* wine at Adam's lr 0.0001, batch 32, seed 0, epochs 1 to 5: loss,
 * accuracy, val_loss, val_accuracy.  The training loss falls 0.9 % an
 * epoch, steadily; validation accuracy 0.42 against guessing's 0.39, and
 * 0.56 by epoch 60. */
static const double wine_slow[5][4] = {
    {1.5407, 0.2887, 1.5950, 0.3611}, {1.5272, 0.2958, 1.5819, 0.3611},
    {1.5136, 0.3099, 1.5689, 0.3611}, {1.5003, 0.3099, 1.5559, 0.3889},
    {1.4870, 0.3169, 1.5432, 0.4167},
};

/* Wine at Adam's lr 0.0001, 5 epochs: validation at chance, the training
 * loss falling by 0.9 % an epoch (wine_slow). */
static void diag_wine_slow(Diag *d)
{
    diag_healthy(d, 5);
    for (int i = 0; i < 5; i++) diag_epoch(d, i, wine_slow[i], 0.0001);
    size_t train[3] = {47, 57, 38}, val[3] = {12, 14, 10};
    diag_chance(d, train, val, 3);
}

/* At chance with a loss that falls steadily, if by less than 1 % an epoch,
 * a run is learning: "not learning: try a higher learning rate or a larger
 * network" misstated it. */
static void at_chance_falling_slowly_is_not_learning_yet(void **state)
{
    (void)state;
    Diag d;
    diag_wine_slow(&d);
    assert_int_equal(run_diag(&d), DIAG_AT_CHANCE);
    assert_string_equal(d.msg, "not learning yet: validation at chance level (accuracy 0.42, loss "
                               "1.54; guessing 0.39, 1.09), the training loss falling slowly "
                               "(1.54 \u2192 1.49): give it more epochs or a higher learning "
                               "rate");
    /* Flat, it is not learning. */
    for (int i = 0; i < 5; i++) d.h[i].loss = 1.50 + 0.01 * (i % 2);
    assert_int_equal(run_diag(&d), DIAG_AT_CHANCE);
    EXPECT_CONTAINS(d.msg, "not learning: validation at chance level");
}

static void chance_level_is_the_majority_share_and_the_class_entropy(void **state)
{
    (void)state;
    ChanceLevel c;
    size_t two[2] = {250, 250};
    chance_level(two, 2, &c);
    assert_int_equal(c.n, 500);
    assert_float_equal(c.accuracy, 0.5, 1e-12);
    assert_float_equal(c.loss, log(2.0), 1e-12);
    size_t ten[10] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
    chance_level(ten, 10, &c);
    assert_float_equal(c.accuracy, 0.1, 1e-12);
    assert_float_equal(c.loss, log(10.0), 1e-12);
    /* 90/10, with an empty class that adds nothing: -0.9 ln 0.9 - 0.1 ln 0.1. */
    size_t skew[3] = {90, 0, 10};
    chance_level(skew, 3, &c);
    assert_float_equal(c.accuracy, 0.9, 1e-12);
    assert_float_equal(c.loss, -0.9 * log(0.9) - 0.1 * log(0.1), 1e-12);
    size_t none[2] = {0, 0};
    chance_level(none, 2, &c);
    assert_int_equal(c.n, 0);
}

/* Spiral on SGD at lr 3 (batch 8, seed 0), epochs 85 to 100: loss,
 * accuracy, val_loss, val_accuracy.  The steps throw the model about: its
 * losses 1 to 15 against guessing's 0.693, its accuracy guessing's, and
 * the dashboard advised "try a higher learning rate" or "give it more
 * epochs". */
static const double spiral_sgd3[16][4] = {
    {4.108, 0.5425, 11.97, 0.5},  {5.033, 0.5225, 10.14, 0.5}, {4.734, 0.5075, 2.367, 0.53},
    {5.567, 0.4975, 1.846, 0.54}, {5.583, 0.48, 5.112, 0.5},   {5.671, 0.5025, 6.016, 0.5},
    {4.576, 0.515, 7.076, 0.5},   {4.92, 0.535, 2.85, 0.61},   {5.141, 0.505, 1.191, 0.49},
    {5.087, 0.5025, 1.011, 0.6},  {4.408, 0.5175, 4.626, 0.5}, {5.998, 0.4675, 9.235, 0.5},
    {4.421, 0.5475, 3.214, 0.5},  {5.033, 0.495, 3.237, 0.53}, {4.806, 0.51, 14.72, 0.5},
    {6.17, 0.465, 1.655, 0.57},
};

static void at_chance_with_a_loss_far_above_guessing_the_rate_is_too_high(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 16);
    for (int i = 0; i < 16; i++) diag_epoch(&d, i, spiral_sgd3[i], 3);
    size_t train[2] = {200, 200}, val[2] = {50, 50};
    diag_chance(&d, train, val, 2);
    assert_int_equal(run_diag(&d), DIAG_AT_CHANCE);
    assert_string_equal(d.msg, "not learning: validation at chance level (accuracy 0.57, loss "
                               "1.66; guessing 0.50, 0.693), its loss over twice guessing's: "
                               "learning rate too high (lr 3)");
    /* epoch 94: the validation loss 1.01, the training loss 5.09 */
    d.in.n_epochs = 10;
    assert_int_equal(run_diag(&d), DIAG_AT_CHANCE);
    assert_string_equal(d.msg, "not learning: validation at chance level (accuracy 0.60, loss "
                               "1.01; guessing 0.50, 0.693), the training loss 5.09 over twice "
                               "guessing's: learning rate too high (lr 3)");
}

static void default_spiral_at_chance_is_not_healthy(void **state)
{
    (void)state;
    Diag d;
    /* Still running at epoch 10: validation 0.56 is within two standard
     * errors (0.05 each on 100 rows) of guessing, its loss above ln 2. */
    diag_spiral(&d, 10);
    assert_int_equal(run_diag(&d), DIAG_AT_CHANCE);
    assert_string_equal(d.msg, "not learning: validation at chance level (accuracy 0.56, loss "
                               "0.717; guessing 0.50, 0.693): try a higher learning rate or a "
                               "larger network");
    /* Too early to call before five epochs. */
    diag_spiral(&d, 4);
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    /* A steadily falling training loss: learning, only slowly. */
    diag_spiral(&d, 10);
    for (int i = 0; i < 10; i++) d.h[i].loss = 0.69 * pow(0.97, i);
    assert_int_equal(run_diag(&d), DIAG_AT_CHANCE);
    EXPECT_CONTAINS(d.msg, "not learning yet: validation at chance level");
    EXPECT_CONTAINS(d.msg, "): give it more epochs");
    /* Accuracy three standard errors above guessing is learning (at epoch
     * 9, before the underfitting rule may speak). */
    diag_spiral(&d, 9);
    d.h[8].val_accuracy = 0.65;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    /* So is a loss clearly below the chance loss at the majority's
     * accuracy: on skewed classes a model learns the odds before it changes
     * an answer. */
    diag_spiral(&d, 9);
    size_t skew[2] = {90, 10};
    chance_level(skew, 2, &d.in.val_chance);
    d.h[8].val_accuracy = 0.9, d.h[8].val_loss = 0.25; /* chance: 0.90 and 0.325 */
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    d.h[8].val_loss = 0.33;
    assert_int_equal(run_diag(&d), DIAG_AT_CHANCE);
    EXPECT_CONTAINS(d.msg, "guessing 0.90, 0.325)");
    /* Without validation the training figures are judged. */
    diag_spiral(&d, 9);
    for (int i = 0; i < 9; i++) d.h[i].has_val = false;
    d.h[8].accuracy = 0.52, d.h[8].loss = 0.69;
    assert_int_equal(run_diag(&d), DIAG_AT_CHANCE);
    EXPECT_CONTAINS(d.msg, "training at chance level (accuracy 0.52, loss 0.69;");
    /* Unknown chance levels (and regression) say nothing of chance. */
    diag_spiral(&d, 9);
    d.in.val_chance.n = 0, d.in.chance.n = 0;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    diag_spiral(&d, 9);
    d.in.classification = false;
    assert_int_not_equal(run_diag(&d), DIAG_AT_CHANCE);
}

/* digits under Adam at lr 0.3, epochs 14-25 of its metrics.csv: answers
 * 99 % right in training and 96 % in validation, but the training loss
 * jumping between 2.6 and 14 and the validation loss at 111 against
 * guessing's 2.30 - a few answers wrong with huge logits.  The dashboard
 * called it overfitting; the rate is what is wrong. */
static void a_loss_above_guessing_with_answers_right_is_the_rate(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 25);
    static const double rows[12][4] = {{2.8322149, 0.9798331, 43.324016, 0.94707521},
                                       {7.3908738, 0.97079277, 93.090359, 0.93314763},
                                       {14.230629, 0.95827538, 70.435655, 0.94986072},
                                       {7.0760355, 0.972879, 147.37836, 0.93871866},
                                       {7.5551294, 0.97844228, 167.76133, 0.91643454},
                                       {4.6566642, 0.98331015, 131.37363, 0.93314763},
                                       {4.4831133, 0.98470097, 128.56981, 0.94150418},
                                       {4.1077294, 0.9867872, 110.15034, 0.93593315},
                                       {4.4513724, 0.98748261, 114.0628, 0.95264624},
                                       {3.9158732, 0.98609179, 105.48957, 0.95543175},
                                       {3.4525166, 0.98956885, 103.97171, 0.94986072},
                                       {2.5739369, 0.98956885, 110.80643, 0.95821727}};
    for (int i = 0; i < 12; i++) diag_epoch(&d, 13 + i, rows[i], 0.3);
    /* an early best: validation loss 8.04 at epoch 2 */
    d.h[1].val_loss = 8.0443;
    static const size_t train[10] = {143, 146, 142, 146, 145, 145, 145, 143, 139, 144};
    static const size_t val[10] = {35, 36, 35, 37, 36, 37, 36, 36, 35, 36};
    diag_chance(&d, train, val, 10);
    assert_int_equal(run_diag(&d), DIAG_OVERCONFIDENT);
    assert_string_equal(d.msg, "validation loss 111, over twice guessing's 2.3, though 96 % of its "
                               "answers are right: a few are wrong with great confidence: learning "
                               "rate too high (lr 0.3)");
    assert_string_equal(diagnosis_name(DIAG_OVERCONFIDENT), "overconfident");
    /* the training side alone: its loss over twice guessing's */
    d.h[24].val_loss = 0.5;
    d.h[24].loss = 4.7;
    assert_int_equal(run_diag(&d), DIAG_OVERCONFIDENT);
    EXPECT_CONTAINS(d.msg, "training loss 4.7, over twice guessing's 2.3, though 99 % of its");
    /* answers mostly wrong: not this rule (the loss is that of guessing) */
    d.h[24].accuracy = d.h[24].val_accuracy = 0.3;
    assert_true(run_diag(&d) != DIAG_OVERCONFIDENT);
}

static void early_stop_at_best_epoch_one_is_stopped_too_early(void **state)
{
    (void)state;
    Diag d;
    diag_spiral(&d, 11);
    d.in.early_stopped = true;
    d.in.best_epoch = 1;
    /* Training loss still falling, by 0.4 % an epoch: more patience, and a
     * larger step. */
    assert_int_equal(run_diag(&d), DIAG_STOPPED_EARLY);
    assert_string_equal(d.msg, "stopped too early: best epoch 1, the training loss still "
                               "falling (0.682 \u2192 0.652): raise --patience (10) or the "
                               "learning rate; validation at chance level (accuracy 0.56, loss "
                               "0.716; guessing 0.50, 0.693)");
    /* Falling fast: patience alone. */
    for (int i = 0; i < 11; i++) d.h[i].loss = 0.68 * pow(0.9, i);
    assert_int_equal(run_diag(&d), DIAG_STOPPED_EARLY);
    EXPECT_CONTAINS(d.msg, "): raise --patience (10); validation at chance");
    /* Rising: a lower rate (the rising rule needs rises every epoch). */
    for (int i = 0; i < 11; i++) d.h[i].loss = 0.68 * (1 + 0.01 * (i % 2 ? i : i - 1));
    d.h[0].loss = 0.68;
    assert_int_equal(run_diag(&d), DIAG_STOPPED_EARLY);
    EXPECT_CONTAINS(d.msg, "the training loss rising (0.68 \u2192 0.741): try a lower learning "
                           "rate (lr 0.001)");
    /* Flat: a higher rate; figures above chance are not called chance. */
    for (int i = 0; i < 11; i++) d.h[i].loss = 0.3;
    d.h[10].val_accuracy = 0.9;
    assert_int_equal(run_diag(&d), DIAG_STOPPED_EARLY);
    assert_string_equal(d.msg, "stopped too early: best epoch 1, the training loss flat at 0.3: "
                               "try a higher learning rate (lr 0.001)");
    /* A best epoch after the first, or a run not stopped early, is not this. */
    diag_spiral(&d, 11);
    d.h[10].val_accuracy = 0.9;
    d.in.early_stopped = true;
    d.in.best_epoch = 2;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    d.in.early_stopped = false;
    d.in.best_epoch = 1;
    assert_int_equal(run_diag(&d), DIAG_HEALTHY);
    assert_string_equal(diagnosis_name(DIAG_STOPPED_EARLY), "stopped_early");
    assert_string_equal(diagnosis_name(DIAG_AT_CHANCE), "at_chance");
}

/* A run that diverged, went back to its last finite weights and was taken
 * up again at a lower rate, then stopped early with epoch 1 the best: "raise
 * --patience or the learning rate" sent it back to the rate that diverged
 * it. */
static void stopped_early_after_a_divergence_never_advises_a_higher_rate(void **state)
{
    (void)state;
    Diag d;
    diag_spiral(&d, 11);
    d.in.early_stopped = true;
    d.in.best_epoch = 1;
    d.in.diverged = true;
    /* Falling slowly (0.682 -> 0.652): patience alone. */
    assert_int_equal(run_diag(&d), DIAG_STOPPED_EARLY);
    assert_string_equal(d.msg, "stopped too early: best epoch 1, the training loss still "
                               "falling (0.682 \u2192 0.652): raise --patience (10); validation "
                               "at chance level (accuracy 0.56, loss 0.716; guessing 0.50, "
                               "0.693)");
    /* Flat: between the rate that diverged and this one. */
    for (int i = 0; i < 11; i++) d.h[i].loss = 0.3;
    d.h[10].val_accuracy = 0.9;
    assert_int_equal(run_diag(&d), DIAG_STOPPED_EARLY);
    assert_string_equal(d.msg, "stopped too early: best epoch 1, the training loss flat at 0.3 "
                               "(lr 0.001) since the run diverged: try a rate between the two");
    /* Rising: a lower rate, as without a divergence. */
    for (int i = 0; i < 11; i++) d.h[i].loss = 0.68 * (1 + 0.01 * (i % 2 ? i : i - 1));
    d.h[0].loss = 0.68;
    assert_int_equal(run_diag(&d), DIAG_STOPPED_EARLY);
    EXPECT_CONTAINS(d.msg, "try a lower learning rate (lr 0.001)");
}

/* After a divergence, rules 7 and 8 asked for a higher rate too ("give it
 * more epochs or a higher learning rate", "try a higher learning rate or
 * a larger network", "flat ...: try a higher learning rate"), the rate
 * that had diverged the run: DiagnosisInput.diverged says a higher rate
 * is no advice for it, and rule 6 heeds it. */
static void no_rule_advises_a_higher_rate_after_a_divergence(void **state)
{
    (void)state;
    Diag d;
    /* 7, falling slowly: more epochs alone */
    diag_wine_slow(&d);
    d.in.diverged = true;
    assert_int_equal(run_diag(&d), DIAG_AT_CHANCE);
    assert_string_equal(d.msg, "not learning yet: validation at chance level (accuracy 0.42, loss "
                               "1.54; guessing 0.39, 1.09), the training loss falling slowly "
                               "(1.54 \u2192 1.49): give it more epochs");
    /* 7, flat: a rate between the two, or a larger network */
    for (int i = 0; i < 5; i++) d.h[i].loss = 1.50 + 0.01 * (i % 2);
    assert_int_equal(run_diag(&d), DIAG_AT_CHANCE);
    assert_string_equal(d.msg, "not learning: validation at chance level (accuracy 0.42, loss "
                               "1.54; guessing 0.39, 1.09): try a rate between the one that "
                               "diverged and this, or a larger network");
    /* 8: flat since the divergence, as rule 6 says it */
    diag_iris_flat(&d);
    d.in.diverged = true;
    assert_int_equal(run_diag(&d), DIAG_PLATEAU);
    assert_string_equal(d.msg, "training loss flat for 5 epochs at 0.802 (lr 1e-05) since the run "
                               "diverged: try a rate between the two");
}

static void diagnosis_message_is_truncated_safely(void **state)
{
    (void)state;
    Diag d;
    diag_healthy(&d, 12);
    d.in.dead_share = 0.5;
    char small[8];
    memset(small, 'x', sizeof small);
    assert_int_equal(diagnose(&d.in, small, sizeof small), DIAG_DEAD_UNITS);
    assert_string_equal(small, "50 % of");
    assert_int_equal(diagnose(&d.in, NULL, 0), DIAG_DEAD_UNITS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pca_recovers_known_axes_and_variances),
        cmocka_unit_test(pca_projection_gives_coordinates_and_unprojects_plane_points),
        cmocka_unit_test(pca_eigenpairs_satisfy_naive_covariance_over_many_chunks),
        cmocka_unit_test(pca_of_one_feature_has_zero_second_component),
        cmocka_unit_test(pca_rejects_bad_input_naming_the_problem),
        cmocka_unit_test(grid_cells_run_left_to_right_top_to_bottom),
        cmocka_unit_test(window_fits_points_with_margin),
        cmocka_unit_test(feature_plane_holds_other_features_at_fill),
        cmocka_unit_test(boundary_of_linear_softmax_matches_closed_form_in_chunks),
        cmocka_unit_test(boundary_on_pca_plane_matches_row_by_row_forward),
        cmocka_unit_test(boundary_of_sigmoid_and_linear_outputs),
        cmocka_unit_test(full_probe_matches_per_example_gradients),
        cmocka_unit_test(partial_probe_cosine_leaves_the_batch_out),
        cmocka_unit_test(noise_scale_estimate_inverts_expected_norms),
        cmocka_unit_test(noise_estimates_are_unbiased_over_every_sample),
        cmocka_unit_test(random_probes_average_to_the_truth),
        cmocka_unit_test(full_batch_probe_reports_cosine_one),
        cmocka_unit_test(batch_suggestion_is_capped_at_the_training_set),
        cmocka_unit_test(probe_rejects_mismatched_or_tiny_input),
        cmocka_unit_test(noise_average_smooths_numerator_and_denominator_separately),
        cmocka_unit_test(layer_norms_and_update_ratios),
        cmocka_unit_test(range_skips_non_finite_values),
        cmocka_unit_test(histogram_bins_are_half_open_with_the_top_edge_closed),
        cmocka_unit_test(percentiles_follow_tensorboard_compression),
        cmocka_unit_test(percentiles_of_uniform_data_are_the_basis_points),
        cmocka_unit_test(dead_units_are_those_never_positive_on_any_row),
        cmocka_unit_test(linear_model_has_no_hidden_units),
        cmocka_unit_test(confusion_counts_rows_true_columns_predicted),
        cmocka_unit_test(predictions_over_a_dataset_match_row_by_row),
        cmocka_unit_test(regression_pairs_are_in_label_units),
        cmocka_unit_test(diagnosis_of_a_good_run_is_healthy_with_numbers),
        cmocka_unit_test(before_a_second_epoch_it_is_too_early_to_tell),
        cmocka_unit_test(a_training_loss_up_over_the_last_epochs_is_not_healthy),
        cmocka_unit_test(after_two_epochs_the_span_is_one_epoch),
        cmocka_unit_test(not_finite_loss_fires_first),
        cmocka_unit_test(a_rate_past_float_range_is_named_as_float32_holds_it),
        cmocka_unit_test(loss_spike_fires_on_a_hundredfold_jump_that_stays_up_only),
        cmocka_unit_test(loss_spike_tells_a_hard_batch_from_a_step_that_threw_the_model_off),
        cmocka_unit_test(loss_spike_stays_silent_when_the_steps_after_stay_near_zero),
        cmocka_unit_test(loss_spike_from_zero_says_where_the_loss_went),
        cmocka_unit_test(a_loss_past_floats_range_is_said_wherever_rule_2_reads),
        cmocka_unit_test(rising_training_loss_fires_after_three_rises),
        cmocka_unit_test(a_rise_near_zero_loss_is_not_called_too_high),
        cmocka_unit_test(a_training_loss_up_within_its_wobble_is_noise),
        cmocka_unit_test(overfitting_fires_when_validation_rises_as_training_falls),
        cmocka_unit_test(overfitting_needs_a_model_that_learned_something),
        cmocka_unit_test(a_validation_loss_still_at_its_best_has_not_risen),
        cmocka_unit_test(a_validation_loss_up_within_its_wobble_is_not_overfitting),
        cmocka_unit_test(validation_scoring_above_training_is_not_overfitting),
        cmocka_unit_test(a_loss_flat_since_the_first_epoch_is_not_healthy),
        cmocka_unit_test(
            validation_worse_than_guessing_beside_a_fitted_training_part_is_overfitting),
        cmocka_unit_test(dead_units_fire_from_a_quarter),
        cmocka_unit_test(plateau_fires_on_flat_loss_far_from_fitting),
        cmocka_unit_test(underfitting_fires_on_low_close_scores),
        cmocka_unit_test(a_run_still_improving_is_not_called_underfitting),
        cmocka_unit_test(chance_level_is_the_majority_share_and_the_class_entropy),
        cmocka_unit_test(default_spiral_at_chance_is_not_healthy),
        cmocka_unit_test(at_chance_falling_slowly_is_not_learning_yet),
        cmocka_unit_test(at_chance_with_a_loss_far_above_guessing_the_rate_is_too_high),
        cmocka_unit_test(a_loss_above_guessing_with_answers_right_is_the_rate),
        cmocka_unit_test(early_stop_at_best_epoch_one_is_stopped_too_early),
        cmocka_unit_test(stopped_early_after_a_divergence_never_advises_a_higher_rate),
        cmocka_unit_test(no_rule_advises_a_higher_rate_after_a_divergence),
        cmocka_unit_test(diagnosis_message_is_truncated_safely),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
