/*
 * test_model.c - the MLP: shape resolution, activations, forward on a net
 * worked by hand, losses, and every gradient (each activation, each loss, L1
 * and L2, dropout, each layer's W and b) against central finite differences.
 *
 * Choices of src/nn/model.c pinned here (all Keras 3 defaults): leaky_relu's
 * negative slope is 0.2 (keras.activations.leaky_relu), elu's alpha is 1.0,
 * gelu is the exact erf form x·Φ(x) (keras.activations.gelu with
 * approximate=False): gelu(1) = 0.8413447 where the tanh approximation gives
 * 0.8411920; Huber's delta is 1.0.  Expected numbers were computed in double
 * with numpy, independently of the implementation.
 */
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

#include "gradtop/nn/model.h"
#include "gradtop/nn/team.h"

/* cmocka's assert_float_equal passes when a value is NaN (its relative
 * check compares NaN with >, which is false) and rounds doubles to float;
 * this one fails on NaN and keeps doubles. */
#define EXPECT_NEAR(got, want, tol) expect_near_at((got), (want), (tol), #got, __LINE__)
static void expect_near_at(double got, double want, double tol, const char *expr, int line)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("line %d: %s = %.9g, want %.9g (tolerance %g)", line, expr, got, want, tol);
}

#define N_HIDDEN_ACTS 6
static const Activation hidden_acts[N_HIDDEN_ACTS] = {
    ACTIVATION_RELU,    ACTIVATION_LEAKY_RELU, ACTIVATION_TANH,
    ACTIVATION_SIGMOID, ACTIVATION_ELU,        ACTIVATION_GELU,
};

/* ---- shape resolution ------------------------------------------------- */

static void auto_loss_three_classes_is_softmax_cross_entropy(void **state)
{
    (void)state;
    ModelShape s;
    Error err = {0};
    const int hidden[2] = {8, 5};
    assert_int_equal(model_shape_make(&s, 4, hidden, 2, ACTIVATION_TANH, LOSS_AUTO, true, 3, &err),
                     ERROR_NONE);
    assert_int_equal(s.n_layers, 3);
    assert_int_equal(s.sizes[0], 4);
    assert_int_equal(s.sizes[1], 8);
    assert_int_equal(s.sizes[2], 5);
    assert_int_equal(s.sizes[3], 3);
    assert_int_equal(s.hidden, ACTIVATION_TANH);
    assert_int_equal(s.output, OUTPUT_SOFTMAX);
    assert_int_equal(s.loss, LOSS_CROSS_ENTROPY);
}

static void auto_loss_two_classes_is_sigmoid_bce_with_one_output(void **state)
{
    (void)state;
    ModelShape s;
    Error err = {0};
    const int hidden[1] = {6};
    assert_int_equal(model_shape_make(&s, 3, hidden, 1, ACTIVATION_RELU, LOSS_AUTO, true, 2, &err),
                     ERROR_NONE);
    assert_int_equal(s.n_layers, 2);
    assert_int_equal(s.sizes[2], 1);
    assert_int_equal(s.output, OUTPUT_SIGMOID);
    assert_int_equal(s.loss, LOSS_BINARY_CROSS_ENTROPY);
}

static void auto_loss_regression_is_linear_mse(void **state)
{
    (void)state;
    ModelShape s;
    Error err = {0};
    const int hidden[1] = {6};
    assert_int_equal(
        model_shape_make(&s, 10, hidden, 1, ACTIVATION_RELU, LOSS_AUTO, false, 0, &err),
        ERROR_NONE);
    assert_int_equal(s.sizes[2], 1);
    assert_int_equal(s.output, OUTPUT_LINEAR);
    assert_int_equal(s.loss, LOSS_MSE);
}

static void explicit_regression_losses_keep_linear_output(void **state)
{
    (void)state;
    const LossKind losses[3] = {LOSS_MSE, LOSS_MAE, LOSS_HUBER};
    for (int i = 0; i < 3; i++) {
        ModelShape s;
        Error err = {0};
        assert_int_equal(
            model_shape_make(&s, 2, NULL, 0, ACTIVATION_RELU, losses[i], false, 0, &err),
            ERROR_NONE);
        assert_int_equal(s.loss, losses[i]);
        assert_int_equal(s.output, OUTPUT_LINEAR);
        assert_int_equal(s.n_layers, 1);
        assert_int_equal(s.sizes[1], 1);
    }
}

static void explicit_cross_entropy_on_two_classes_is_softmax_of_two(void **state)
{
    (void)state;
    ModelShape s;
    Error err = {0};
    assert_int_equal(
        model_shape_make(&s, 2, NULL, 0, ACTIVATION_RELU, LOSS_CROSS_ENTROPY, true, 2, &err),
        ERROR_NONE);
    assert_int_equal(s.output, OUTPUT_SOFTMAX);
    assert_int_equal(s.sizes[1], 2);
}

static void expect_input_error(ErrorCode rc, const Error *err, const char *needle)
{
    assert_int_equal(rc, ERROR_INPUT);
    assert_int_equal(err->code, ERROR_INPUT);
    if (!strstr(err->msg, needle)) fail_msg("message \"%s\" does not name %s", err->msg, needle);
}

static void mismatched_loss_is_input_error_naming_loss(void **state)
{
    (void)state;
    ModelShape s;
    Error err = {0};
    /* cross-entropy needs classes */
    expect_input_error(
        model_shape_make(&s, 3, NULL, 0, ACTIVATION_RELU, LOSS_CROSS_ENTROPY, false, 0, &err), &err,
        "--loss");
    /* binary cross-entropy needs exactly two classes */
    error_clear(&err);
    expect_input_error(
        model_shape_make(&s, 3, NULL, 0, ACTIVATION_RELU, LOSS_BINARY_CROSS_ENTROPY, true, 3, &err),
        &err, "--loss");
    error_clear(&err);
    expect_input_error(model_shape_make(&s, 3, NULL, 0, ACTIVATION_RELU, LOSS_BINARY_CROSS_ENTROPY,
                                        false, 0, &err),
                       &err, "--loss");
    /* regression losses on classes */
    const LossKind reg[3] = {LOSS_MSE, LOSS_MAE, LOSS_HUBER};
    for (int i = 0; i < 3; i++) {
        error_clear(&err);
        expect_input_error(model_shape_make(&s, 3, NULL, 0, ACTIVATION_RELU, reg[i], true, 4, &err),
                           &err, "--loss");
    }
}

static void bad_layer_sizes_are_input_errors_naming_layers(void **state)
{
    (void)state;
    ModelShape s;
    Error err = {0};
    const int zero[2] = {4, 0};
    expect_input_error(model_shape_make(&s, 3, zero, 2, ACTIVATION_RELU, LOSS_AUTO, true, 3, &err),
                       &err, "--layers");
    int many[MODEL_MAX_HIDDEN + 1];
    for (int i = 0; i <= MODEL_MAX_HIDDEN; i++) many[i] = 2;
    error_clear(&err);
    expect_input_error(model_shape_make(&s, 3, many, MODEL_MAX_HIDDEN + 1, ACTIVATION_RELU,
                                        LOSS_AUTO, true, 3, &err),
                       &err, "--layers");
    /* the maximum itself is fine */
    error_clear(&err);
    assert_int_equal(
        model_shape_make(&s, 3, many, MODEL_MAX_HIDDEN, ACTIVATION_RELU, LOSS_AUTO, true, 3, &err),
        ERROR_NONE);
    assert_int_equal(s.n_layers, MODEL_MAX_HIDDEN + 1);
}

static void one_class_is_input_error(void **state)
{
    (void)state;
    ModelShape s;
    Error err = {0};
    assert_int_equal(model_shape_make(&s, 3, NULL, 0, ACTIVATION_RELU, LOSS_AUTO, true, 1, &err),
                     ERROR_INPUT);
    assert_true(err.msg[0] != '\0');
}

/* ---- creation ---------------------------------------------------------- */

static void make_model(Model *m, int n_in, const int *hidden, int n_hidden, Activation act,
                       LossKind loss, bool classification, int n_classes, int batch, uint64_t seed)
{
    ModelShape s;
    Error err = {0};
    assert_int_equal(
        model_shape_make(&s, n_in, hidden, n_hidden, act, loss, classification, n_classes, &err),
        ERROR_NONE);
    Rng r;
    rng_seed(&r, seed);
    if (model_create(m, &s, batch, &r, &err) != ERROR_NONE) fail_msg("model_create: %s", err.msg);
}

static void params_are_one_block_with_layer_views(void **state)
{
    (void)state;
    Model m;
    const int hidden[2] = {5, 4};
    make_model(&m, 3, hidden, 2, ACTIVATION_RELU, LOSS_AUTO, true, 3, 8, 1);
    /* (5·3+5) + (4·5+4) + (3·4+3) */
    assert_int_equal(m.n_params, 20 + 24 + 15);
    size_t off = 0;
    for (int l = 0; l < 3; l++) {
        const DenseLayer *D = &m.layers[l];
        assert_int_equal(D->n_in, m.shape.sizes[l]);
        assert_int_equal(D->n_out, m.shape.sizes[l + 1]);
        assert_int_equal(D->offset, off);
        assert_ptr_equal(D->W, m.params + off);
        assert_ptr_equal(D->dW, m.grads + off);
        off += (size_t)D->n_in * D->n_out;
        assert_ptr_equal(D->b, m.params + off);
        assert_ptr_equal(D->db, m.grads + off);
        off += (size_t)D->n_out;
    }
    assert_int_equal(off, m.n_params);
    model_free(&m);
}

static void same_seed_gives_identical_params_and_other_seed_differs(void **state)
{
    (void)state;
    Model a, b, c;
    const int hidden[2] = {7, 5};
    make_model(&a, 4, hidden, 2, ACTIVATION_TANH, LOSS_AUTO, true, 3, 4, 42);
    make_model(&b, 4, hidden, 2, ACTIVATION_TANH, LOSS_AUTO, true, 3, 4, 42);
    make_model(&c, 4, hidden, 2, ACTIVATION_TANH, LOSS_AUTO, true, 3, 4, 43);
    assert_int_equal(a.n_params, b.n_params);
    assert_memory_equal(a.params, b.params, a.n_params * sizeof(float));
    assert_memory_not_equal(a.params, c.params, a.n_params * sizeof(float));
    model_free(&a);
    model_free(&b);
    model_free(&c);
}

/* The largest |w| of a layer and the uniform limit it must respect. */
static double max_abs_w(const DenseLayer *D)
{
    double mx = 0;
    for (int i = 0; i < D->n_in * D->n_out; i++)
        if (fabs(D->W[i]) > mx) mx = fabs(D->W[i]);
    return mx;
}

static void init_is_he_for_relu_glorot_otherwise_biases_zero(void **state)
{
    (void)state;
    /* 50 -> 40 -> 3: 2000 hidden weights, so the maximum of |U(-l, l)| is
     * above 0.95·l with probability 1 - 0.95^2000; He's limit sqrt(6/50) =
     * 0.346 and Glorot's sqrt(6/90) = 0.258 are then told apart. */
    const int hidden[1] = {40};
    const Activation acts[2] = {ACTIVATION_RELU, ACTIVATION_TANH};
    for (int k = 0; k < 2; k++) {
        Model m;
        make_model(&m, 50, hidden, 1, acts[k], LOSS_AUTO, true, 3, 2, 7);
        double lim0 = acts[k] == ACTIVATION_RELU ? sqrt(6.0 / 50) : sqrt(6.0 / 90);
        double mx0 = max_abs_w(&m.layers[0]);
        assert_true(mx0 <= lim0 * (1 + 1e-6));
        assert_true(mx0 >= 0.95 * lim0);
        /* the output layer is Glorot: sqrt(6 / (40 + 3)), 120 weights */
        double lim1 = sqrt(6.0 / 43);
        double mx1 = max_abs_w(&m.layers[1]);
        assert_true(mx1 <= lim1 * (1 + 1e-6));
        assert_true(mx1 >= 0.8 * lim1);
        for (int l = 0; l < 2; l++)
            for (int j = 0; j < m.layers[l].n_out; j++) assert_true(m.layers[l].b[j] == 0.0f);
        model_free(&m);
    }
}

static void model_bytes_counts_params_grads_and_grows_with_batch(void **state)
{
    (void)state;
    ModelShape s;
    Error err = {0};
    const int hidden[1] = {100};
    assert_int_equal(model_shape_make(&s, 20, hidden, 1, ACTIVATION_RELU, LOSS_AUTO, true, 5, &err),
                     ERROR_NONE);
    size_t n_params = 100 * 20 + 100 + 5 * 100 + 5;
    double b1 = model_bytes(&s, 1), b1000 = model_bytes(&s, 1000);
    assert_true(b1 >= 2.0 * 4.0 * (double)n_params);
    /* each extra row needs at least its activations: 100 + 5 floats */
    assert_true(b1000 - b1 >= 999.0 * 4.0 * 105);
}

static void too_large_network_is_runtime_error_without_allocating(void **state)
{
    (void)state;
    /* 16 hidden layers of the maximum width: ~6.9e10 parameters, 0.5 TB */
    int hidden[MODEL_MAX_HIDDEN];
    for (int i = 0; i < MODEL_MAX_HIDDEN; i++) hidden[i] = MODEL_MAX_UNITS;
    ModelShape s;
    Error err = {0};
    assert_int_equal(model_shape_make(&s, MODEL_MAX_UNITS, hidden, MODEL_MAX_HIDDEN,
                                      ACTIVATION_RELU, LOSS_AUTO, true, 10, &err),
                     ERROR_NONE);
    assert_true(model_bytes(&s, 32) > 1e11);
    Model m;
    Rng r;
    rng_seed(&r, 1);
    assert_int_equal(model_create(&m, &s, 32, &r, &err), ERROR_RUNTIME);
    assert_int_equal(err.code, ERROR_RUNTIME);
    /* The message gives the size needed and what the machine has. */
    assert_non_null(strstr(err.msg, "GB"));
    assert_non_null(strstr(err.msg, "this machine has"));
    model_free(&m); /* safe after a failed create */
}

/* ---- activations ------------------------------------------------------- */

typedef struct {
    Activation a;
    float z, f, df;
} ActCase;

static void activations_match_known_values(void **state)
{
    (void)state;
    /* Values from the closed forms, computed in double. */
    const ActCase cases[] = {
        {ACTIVATION_RELU, 2.0f, 2.0f, 1.0f},
        {ACTIVATION_RELU, -1.0f, 0.0f, 0.0f},
        {ACTIVATION_LEAKY_RELU, 2.0f, 2.0f, 1.0f},
        {ACTIVATION_LEAKY_RELU, -1.0f, -0.2f, 0.2f}, /* Keras 3 slope 0.2 */
        {ACTIVATION_TANH, 0.5f, 0.46211715726f, 0.78644773296f},
        {ACTIVATION_SIGMOID, 0.0f, 0.5f, 0.25f},
        {ACTIVATION_SIGMOID, 2.0f, 0.88079707798f, 0.10499358541f},
        {ACTIVATION_ELU, -1.0f, -0.63212055883f, 0.36787944117f}, /* e^-1 - 1, e^-1 */
        {ACTIVATION_ELU, 1.5f, 1.5f, 1.0f},
        {ACTIVATION_GELU, 1.0f, 0.84134474607f, 1.08331547059f}, /* erf form */
        {ACTIVATION_GELU, -1.0f, -0.15865525393f, -0.08331547059f},
        {ACTIVATION_LINEAR, -3.25f, -3.25f, 1.0f},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const ActCase *c = &cases[i];
        float out, dz, dy = 1.0f;
        act_forward(c->a, &c->z, &out, 1);
        act_backward(c->a, &c->z, &out, &dy, &dz, 1);
        /* float evaluation of these closed forms is good to a few ulps */
        if (fabsf(out - c->f) > 2e-6f || fabsf(dz - c->df) > 2e-6f)
            fail_msg("%s(%g): f = %.9g (want %.9g), f' = %.9g (want %.9g)", activation_name(c->a),
                     c->z, out, c->f, dz, c->df);
    }
}

/* Units in the last place between two floats of one sign. */
static long ulps(float a, float b)
{
    int32_t ia, ib;
    memcpy(&ia, &a, sizeof ia);
    memcpy(&ib, &b, sizeof ib);
    return ia > ib ? (long)ia - ib : (long)ib - ia;
}

/* tanh, eight at a time through the vector library: within 4 ulp of the
 * correctly rounded value over the range that matters and saturated
 * beyond it, whatever the count's remainder by eight (the tail padded),
 * NaN in, NaN out; and the backward pass that recomputes it from z (out
 * NULL) agrees exactly with the one given the forward's output. */
static void tanh_is_within_4_ulp_in_blocks_and_tails(void **state)
{
    (void)state;
    enum { N = 4003 }; /* 500 blocks and a tail of three */
    static float z[N], a[N], dy[N], d_out[N], d_z[N];
    for (int i = 0; i < N; i++) {
        z[i] = -12.0f + 24.0f * (float)i / (N - 1);
        dy[i] = 1.0f;
    }
    z[0] = 0.0f;
    z[1] = -1e-30f;
    z[2] = 1e-5f;
    act_forward(ACTIVATION_TANH, z, a, N);
    for (int i = 0; i < N; i++) {
        float want = (float)tanh((double)z[i]);
        if (ulps(a[i], want) > 4 || (want != 0 && (a[i] < 0) != (want < 0)))
            fail_msg("tanh(%.9g) = %.9g, want %.9g", z[i], a[i], want);
    }
    assert_true(a[0] == 0.0f);
    float sat[3] = {30.0f, -30.0f, NAN}, out3[3];
    act_forward(ACTIVATION_TANH, sat, out3, 3);
    assert_true(out3[0] == 1.0f && out3[1] == -1.0f && isnan(out3[2]));
    act_backward(ACTIVATION_TANH, z, a, dy, d_out, N);
    act_backward(ACTIVATION_TANH, z, NULL, dy, d_z, N);
    assert_memory_equal(d_out, d_z, sizeof d_out);
}

/* sigmoid, elu and gelu, eight at a time through the vector library,
 * against double precision over [-12, 12] in 4003 points (500 blocks and
 * a tail of three, padded): sigmoid within 4 ulp, elu within 2; gelu within
 * 4 ulp above -1 and 1e-6 below (1 + erf(x / sqrt 2) cancels there, in
 * float as in the scalar form it replaced); their derivatives within 5e-7.
 * Saturated far out, NaN in, NaN out, and sigmoid's backward recomputed
 * from z (out NULL) equal to the one given the forward's output. */
static void sigmoid_elu_gelu_match_double_in_blocks_and_tails(void **state)
{
    (void)state;
    enum { N = 4003 };
    static float z[N], a[N], dy[N], d[N], d_z[N];
    for (int i = 0; i < N; i++) {
        z[i] = -12.0f + 24.0f * (float)i / (N - 1);
        dy[i] = 1.0f;
    }
    const Activation acts[3] = {ACTIVATION_SIGMOID, ACTIVATION_ELU, ACTIVATION_GELU};
    for (int k = 0; k < 3; k++) {
        /* NaN first: every value checked is this activation's own */
        for (int i = 0; i < N; i++) a[i] = d[i] = NAN;
        act_forward(acts[k], z, a, N);
        act_backward(acts[k], z, a, dy, d, N);
        for (int i = 0; i < N; i++) {
            double x = z[i], f, df;
            if (acts[k] == ACTIVATION_SIGMOID) {
                f = 1 / (1 + exp(-x));
                df = f * (1 - f);
            } else if (acts[k] == ACTIVATION_ELU) {
                f = x > 0 ? x : expm1(x); /* alpha 1, as Keras */
                df = x > 0 ? 1 : exp(x);
            } else {
                double cdf = 0.5 * (1 + erf(x * M_SQRT1_2));
                f = x * cdf;
                df = cdf + x * exp(-0.5 * x * x) / sqrt(2 * M_PI);
            }
            long max_ulp = acts[k] == ACTIVATION_ELU ? 2 : 4;
            bool ok = acts[k] == ACTIVATION_GELU && x <= -1 ? fabs(a[i] - f) <= 1e-6
                                                            : ulps(a[i], (float)f) <= max_ulp;
            if (!ok)
                fail_msg("%s(%.9g) = %.9g, want %.9g", activation_name(acts[k]), z[i], a[i], f);
            if (!(fabs(d[i] - df) <= 5e-7)) /* NaN fails too */
                fail_msg("%s'(%.9g) = %.9g, want %.9g", activation_name(acts[k]), z[i], d[i], df);
        }
        float far[3] = {100.0f, -100.0f, NAN}, out3[3], ones[3] = {1, 1, 1}, back3[3];
        act_forward(acts[k], far, out3, 3);
        act_backward(acts[k], far, out3, ones, back3, 3);
        if (!isnan(back3[2]))
            fail_msg("%s'(NaN) = %g, not NaN", activation_name(acts[k]), back3[2]);
        const float want_hi = acts[k] == ACTIVATION_SIGMOID ? 1.0f : 100.0f;
        const float want_lo = acts[k] == ACTIVATION_SIGMOID ? 0.0f
                              : acts[k] == ACTIVATION_ELU   ? -1.0f
                                                            : -0.0f;
        if (out3[0] != want_hi || out3[1] != want_lo || !isnan(out3[2]))
            fail_msg("%s(100, -100, NaN) = %g, %g, %g", activation_name(acts[k]), out3[0], out3[1],
                     out3[2]);
    }
    act_forward(ACTIVATION_SIGMOID, z, a, N);
    act_backward(ACTIVATION_SIGMOID, z, a, dy, d, N);
    act_backward(ACTIVATION_SIGMOID, z, NULL, dy, d_z, N);
    assert_memory_equal(d, d_z, sizeof d);
}

static void act_backward_scales_upstream_gradient(void **state)
{
    (void)state;
    for (int k = 0; k < N_HIDDEN_ACTS; k++) {
        const float z[3] = {-1.3f, 0.4f, 2.1f};
        const float dy1[3] = {1, 1, 1}, dy[3] = {-2.0f, 0.5f, 3.0f};
        float out[3], d1[3], d[3];
        act_forward(hidden_acts[k], z, out, 3);
        act_backward(hidden_acts[k], z, out, dy1, d1, 3);
        act_backward(hidden_acts[k], z, out, dy, d, 3);
        for (int i = 0; i < 3; i++) EXPECT_NEAR(d[i], dy[i] * d1[i], 1e-6f);
    }
}

/* Elementwise derivative against central differences of act_forward, at
 * points at least 0.1 from the relu family's kink at 0.  h = 1e-2: the
 * truncation error h²·|f'''|/6 stays below 2e-5 for these functions and the
 * rounding error of float evaluation ~ 1e-7/h = 1e-5, so 1e-3 is ample and a
 * wrong derivative (errors of order 0.1) still fails. */
static void act_backward_matches_finite_differences(void **state)
{
    (void)state;
    const float pts[] = {-3.0f, -1.5f, -0.7f, -0.2f, 0.3f, 0.9f, 1.7f, 3.0f};
    const size_t n = sizeof pts / sizeof pts[0];
    const float h = 1e-2f;
    for (int k = 0; k < N_HIDDEN_ACTS + 1; k++) {
        Activation a = k < N_HIDDEN_ACTS ? hidden_acts[k] : ACTIVATION_LINEAR;
        float zp[8], zm[8], fp[8], fm[8], out[8], dy[8], dz[8];
        for (size_t i = 0; i < n; i++) {
            zp[i] = pts[i] + h;
            zm[i] = pts[i] - h;
            dy[i] = 1.0f;
        }
        act_forward(a, zp, fp, n);
        act_forward(a, zm, fm, n);
        act_forward(a, pts, out, n);
        act_backward(a, pts, out, dy, dz, n);
        for (size_t i = 0; i < n; i++) {
            double fd = ((double)fp[i] - fm[i]) / ((double)zp[i] - zm[i]);
            if (fabs(fd - dz[i]) > 1e-3)
                fail_msg("%s'(%g): backward %.7g, finite difference %.7g", activation_name(a),
                         pts[i], dz[i], fd);
        }
    }
}

/* ---- forward on a 2-2-2 net worked by hand ------------------------------ */

/* x = [1 -2; 0.5 0.25], W1 = [0.5 -0.3; 0.8 0.2], b1 = [0.1 -0.1], tanh,
 * W2 = [1 -1; 0.5 0.25], b2 = [0.2 -0.3], softmax, labels [1 0]. */
static void set_hand_net(Model *m)
{
    const float W1[4] = {0.5f, -0.3f, 0.8f, 0.2f}, b1[2] = {0.1f, -0.1f};
    const float W2[4] = {1.0f, -1.0f, 0.5f, 0.25f}, b2[2] = {0.2f, -0.3f};
    memcpy(m->layers[0].W, W1, sizeof W1);
    memcpy(m->layers[0].b, b1, sizeof b1);
    memcpy(m->layers[1].W, W2, sizeof W2);
    memcpy(m->layers[1].b, b2, sizeof b2);
}

static const float hand_x[4] = {1.0f, -2.0f, 0.5f, 0.25f};
static const int hand_labels[2] = {1, 0};

static void forward_matches_hand_computed_net(void **state)
{
    (void)state;
    Model m;
    const int hidden[1] = {2};
    make_model(&m, 2, hidden, 1, ACTIVATION_TANH, LOSS_CROSS_ENTROPY, true, 2, 2, 1);
    set_hand_net(&m);
    const float *p = model_forward(&m, hand_x, 2, false, NULL);
    const double z1[4] = {1.2, 0.3, 0.275, 0.35};
    const double a1[4] = {0.8336546070121553, 0.29131261245159096, 0.2682711820216014,
                          0.3363755443363322};
    const double z2[4] = {0.7423419945605643, 0.18965545661897543, 0.13189563768526918,
                          -0.08177052290511624};
    const double pw[4] = {0.6347586634417077, 0.3652413365582924, 0.553214243853978,
                          0.44678575614602195};
    for (int i = 0; i < 4; i++) {
        EXPECT_NEAR(m.z[1][i], z1[i], 1e-6);
        EXPECT_NEAR(m.a[1][i], a1[i], 1e-6);
        EXPECT_NEAR(m.z[2][i], z2[i], 1e-6);
        EXPECT_NEAR(p[i], pw[i], 1e-6);
    }
    assert_ptr_equal(p, m.a[2]);
    /* mean of -log p[label] */
    EXPECT_NEAR(model_loss(&m, hand_labels, NULL, 2), 0.7996034396285996, 1e-6);
    int pred[2] = {-1, -1};
    model_predict_rows(&m, 2, pred, NULL);
    assert_int_equal(pred[0], 0);
    assert_int_equal(pred[1], 0);
    model_free(&m);
}

static void backward_matches_hand_computed_gradients(void **state)
{
    (void)state;
    Model m;
    const int hidden[1] = {2};
    make_model(&m, 2, hidden, 1, ACTIVATION_TANH, LOSS_CROSS_ENTROPY, true, 2, 2, 1);
    set_hand_net(&m);
    model_forward(&m, hand_x, 2, false, NULL);
    model_zero_grads(&m);
    model_backward(&m, hand_labels, NULL, 2);
    /* dZ2 = (P - Y)/B; dW2 = dZ2ᵀ·A1; dZ1 = dZ2·W2 ⊙ (1 - A1²); dW1 = dZ1ᵀ·X */
    const double dW1[4] = {-0.00342533388, -0.12272147, -0.239234255, 0.78802524};
    const double db1[2] = {-0.055254189, -0.115411562};
    const double dW2[4] = {0.204654871, 0.0173127013, -0.204654871, -0.0173127013};
    const double db2[2] = {0.0939864536, -0.0939864536};
    for (int i = 0; i < 4; i++) {
        EXPECT_NEAR(m.layers[0].dW[i], dW1[i], 1e-6);
        EXPECT_NEAR(m.layers[1].dW[i], dW2[i], 1e-6);
    }
    for (int i = 0; i < 2; i++) {
        EXPECT_NEAR(m.layers[0].db[i], db1[i], 1e-6);
        EXPECT_NEAR(m.layers[1].db[i], db2[i], 1e-6);
    }
    model_free(&m);
}

static void backward_accumulates_until_zeroed(void **state)
{
    (void)state;
    Model m;
    const int hidden[1] = {2};
    make_model(&m, 2, hidden, 1, ACTIVATION_TANH, LOSS_CROSS_ENTROPY, true, 2, 2, 1);
    set_hand_net(&m);
    model_forward(&m, hand_x, 2, false, NULL);
    model_zero_grads(&m);
    model_backward(&m, hand_labels, NULL, 2);
    float *once = malloc(m.n_params * sizeof(float));
    assert_non_null(once);
    memcpy(once, m.grads, m.n_params * sizeof(float));
    model_backward(&m, hand_labels, NULL, 2);
    for (size_t i = 0; i < m.n_params; i++) EXPECT_NEAR(m.grads[i], 2 * once[i], 1e-6);
    model_zero_grads(&m);
    for (size_t i = 0; i < m.n_params; i++) assert_true(m.grads[i] == 0.0f);
    free(once);
    model_free(&m);
}

/* ---- losses: values ---------------------------------------------------- */

/* A linear model (no hidden layer) with W = 0 outputs its bias: the loss
 * then sees chosen logits. */
static void set_logits(Model *m, const float *bias, int n)
{
    memset(m->params, 0, m->n_params * sizeof(float));
    memcpy(m->layers[0].b, bias, n * sizeof(float));
}

/* The softmax's exponentials are taken a block at a time (eight at once,
 * the tail padded): 5 rows of 13 classes (65 values, a tail of one), each
 * row's logits spread over ±60 and shifted far from zero, give each
 * probability within 1e-6 (relative) of the softmax in double, rows that
 * sum to 1, and the log-sum-exp the loss takes. */
static void softmax_in_blocks_matches_double(void **state)
{
    (void)state;
    enum { B = 5, O = 13 };
    Model m;
    make_model(&m, 1, NULL, 0, ACTIVATION_RELU, LOSS_AUTO, true, O, B, 1);
    memset(m.params, 0, m.n_params * sizeof(float));
    /* logits = b + W·x, x the row's one feature */
    for (int j = 0; j < O; j++) {
        m.layers[0].b[j] = (float)(j * 9 % O) * 10.0f - 60.0f;
        m.layers[0].W[j] = (float)((j * 5) % 7) - 3.0f;
    }
    const float x[B] = {0, 1, 2, -3, 40};
    const float *p = model_forward(&m, x, B, false, NULL);
    for (int r = 0; r < B; r++) {
        double z[O], mx = -INFINITY, sum = 0, total = 0;
        for (int j = 0; j < O; j++) {
            z[j] = (double)m.layers[0].b[j] + (double)m.layers[0].W[j] * x[r];
            if (z[j] > mx) mx = z[j];
        }
        for (int j = 0; j < O; j++) sum += exp(z[j] - mx);
        for (int j = 0; j < O; j++) {
            double want = exp(z[j] - mx) / sum, got = p[r * O + j];
            total += got;
            if (fabs(got - want) > 1e-6 * want + 1e-37)
                fail_msg("row %d class %d: %.9g, want %.9g", r, j, got, want);
        }
        EXPECT_NEAR(total, 1.0, 1e-6);
        EXPECT_NEAR(m.lse[r], log(sum), 1e-6);
    }
    model_free(&m);
}

static void losses_match_known_values(void **state)
{
    (void)state;
    const float x[2] = {0.3f, -0.7f};
    Model m;
    /* softmax + CE, logits [1 2 3]: logsumexp = 3.40760596 */
    make_model(&m, 1, NULL, 0, ACTIVATION_RELU, LOSS_AUTO, true, 3, 2, 1);
    set_logits(&m, (const float[]){1, 2, 3}, 3);
    model_forward(&m, x, 2, false, NULL);
    EXPECT_NEAR(model_loss(&m, (const int[]){0, 0}, NULL, 2), 2.40760596444438, 1e-6);
    EXPECT_NEAR(model_loss(&m, (const int[]){0, 2}, NULL, 2),
                (2.40760596444438 + 0.40760596444438013) / 2, 1e-6);
    /* a confident wrong answer costs its margin, finite (computed from logits) */
    set_logits(&m, (const float[]){100, 0, -100}, 3);
    model_forward(&m, x, 2, false, NULL);
    EXPECT_NEAR(model_loss(&m, (const int[]){2, 2}, NULL, 2), 200.0, 1e-3);
    int pred[2];
    model_predict_rows(&m, 2, pred, NULL);
    assert_int_equal(pred[0], 0);
    model_free(&m);

    /* sigmoid + BCE, z = 0.5: log(1 + e^-0.5) for y = 1, plus 0.5 for y = 0 */
    make_model(&m, 1, NULL, 0, ACTIVATION_RELU, LOSS_AUTO, true, 2, 2, 1);
    set_logits(&m, (const float[]){0.5f}, 1);
    const float *p = model_forward(&m, x, 2, false, NULL);
    EXPECT_NEAR(p[0], 0.6224593312018546, 1e-6);
    EXPECT_NEAR(model_loss(&m, (const int[]){1, 0}, NULL, 2),
                (0.4740769841801067 + 0.9740769841801067) / 2, 1e-6);
    model_predict_rows(&m, 2, pred, NULL);
    assert_int_equal(pred[0], 1);
    set_logits(&m, (const float[]){-60.0f}, 1);
    model_forward(&m, x, 2, false, NULL);
    EXPECT_NEAR(model_loss(&m, (const int[]){1, 1}, NULL, 2), 60.0, 1e-3);
    model_predict_rows(&m, 2, pred, NULL);
    assert_int_equal(pred[1], 0);
    model_free(&m);

    /* regression: output 1.5, targets [1, 4]: errors 0.5, -2.5 */
    const LossKind reg[3] = {LOSS_MSE, LOSS_MAE, LOSS_HUBER};
    const double want[3] = {(0.25 + 6.25) / 2, (0.5 + 2.5) / 2,
                            (0.5 * 0.25 + (2.5 - 0.5)) / 2}; /* Huber δ = 1 */
    for (int i = 0; i < 3; i++) {
        make_model(&m, 1, NULL, 0, ACTIVATION_RELU, reg[i], false, 0, 2, 1);
        set_logits(&m, (const float[]){1.5f}, 1);
        model_forward(&m, x, 2, false, NULL);
        EXPECT_NEAR(model_loss(&m, NULL, (const float[]){1.0f, 4.0f}, 2), want[i], 1e-6);
        float v[2] = {0, 0};
        model_predict_rows(&m, 2, NULL, v);
        EXPECT_NEAR(v[0], 1.5f, 0.0f);
        EXPECT_NEAR(v[1], 1.5f, 0.0f);
        model_free(&m);
    }
}

static void penalty_is_l1_plus_l2_over_weights_not_biases(void **state)
{
    (void)state;
    Model m;
    const int hidden[1] = {2};
    make_model(&m, 2, hidden, 1, ACTIVATION_TANH, LOSS_CROSS_ENTROPY, true, 2, 2, 1);
    set_hand_net(&m);
    /* weights 0.5 -0.3 0.8 0.2 1 -1 0.5 0.25: Σ|w| = 4.55, Σw² = 3.3325;
     * biases (nonzero here) do not count. */
    EXPECT_NEAR(model_penalty(&m), 0.0, 0.0);
    m.l1 = 0.01;
    m.l2 = 0.0;
    EXPECT_NEAR(model_penalty(&m), 0.0455, 1e-7);
    m.l1 = 0.0;
    m.l2 = 0.1;
    EXPECT_NEAR(model_penalty(&m), 0.33325, 1e-7);
    m.l1 = 0.01;
    EXPECT_NEAR(model_penalty(&m), 0.0455 + 0.33325, 1e-7);
    /* model_loss excludes the penalty */
    model_forward(&m, hand_x, 2, false, NULL);
    EXPECT_NEAR(model_loss(&m, hand_labels, NULL, 2), 0.7996034396285996, 1e-6);
    model_free(&m);
}

/* ---- gradients against finite differences ------------------------------ */

typedef struct {
    const float *x;
    int B;
    const int *labels;
    const float *targets;
    bool train; /* dropout on, masks redrawn from drop_seed each time */
    uint64_t drop_seed;
} Batch;

static double total_loss(Model *m, const Batch *b)
{
    Rng r;
    rng_seed(&r, b->drop_seed);
    model_forward(m, b->x, b->B, b->train, b->train ? &r : NULL);
    return model_loss(m, b->labels, b->targets, b->B) + model_penalty(m);
}

/* Central differences on every parameter, eps = 1e-3 on the float32 value;
 * the step actually taken is read back after rounding to float.  Truncation
 * error is eps²·f'''/6 ~ 1e-7; the loss is summed in double, but the forward
 * pass runs in float32 (relative error ~1e-7 of O(1) activations), so the
 * difference quotient carries noise ~1e-7/2e-3 = 5e-5.  Per element we
 * therefore accept |bp - fd| <= 1e-2·max(|bp|, |fd|) + 3e-4: a 1% relative
 * error plus a floor a few times that noise.  A wrong derivative (missing
 * activation factor, factor 2, wrong sign, wrong layer) is off by tens of
 * percent on gradients of 1e-2..1 and fails.  As genann does, the check is
 * refused when the gradient is trivially zero: each layer's dW and db must
 * have a norm above 1e-3.  The largest relative error seen on gradients
 * above 1e-2 is about 3e-3 (GRADTOP_TEST_VERBOSE=1 prints it per check). */
static void check_gradients(Model *m, const Batch *b, const char *what)
{
    const double eps = 1e-3;
    size_t n = m->n_params;
    total_loss(m, b);
    model_zero_grads(m);
    model_backward(m, b->labels, b->targets, b->B);
    double *bp = malloc(n * sizeof(double));
    assert_non_null(bp);
    for (size_t i = 0; i < n; i++) bp[i] = m->grads[i];

    double max_rel = 0;
    for (size_t i = 0; i < n; i++) {
        float w = m->params[i];
        float wp = (float)(w + eps), wm = (float)(w - eps);
        m->params[i] = wp;
        double lp = total_loss(m, b);
        m->params[i] = wm;
        double lm = total_loss(m, b);
        m->params[i] = w;
        double fd = (lp - lm) / ((double)wp - wm);
        double diff = fabs(bp[i] - fd), scale = fmax(fabs(bp[i]), fabs(fd));
        /* written so that NaN on either side fails */
        if (!(diff <= 1e-2 * scale + 3e-4))
            fail_msg("%s: param %zu: backprop %.7g, finite difference %.7g", what, i, bp[i], fd);
        if (scale > 1e-2 && diff / scale > max_rel) max_rel = diff / scale;
    }
    if (getenv("GRADTOP_TEST_VERBOSE"))
        fprintf(stderr, "%s: largest relative error %.2e\n", what, max_rel);
    for (int l = 0; l < m->shape.n_layers; l++) {
        const DenseLayer *D = &m->layers[l];
        double nw = 0, nb = 0;
        for (int i = 0; i < D->n_in * D->n_out; i++) nw += bp[D->offset + i] * bp[D->offset + i];
        for (int i = 0; i < D->n_out; i++) {
            double g = bp[D->offset + (size_t)D->n_in * D->n_out + i];
            nb += g * g;
        }
        if (sqrt(nw) < 1e-3 || sqrt(nb) < 1e-3)
            fail_msg("%s: layer %d gradient is trivially small (|dW| %g, |db| %g)", what, l,
                     sqrt(nw), sqrt(nb));
    }
    free(bp);
}

#define GB 5  /* rows */
#define GIN 3 /* inputs */

/* A 3-4-3-out net with weights away from 0 (L1's kink) and, for the relu
 * family, every hidden pre-activation at least 0.02 from 0, with both signs
 * present: a perturbation of 1e-3 in one weight moves a pre-activation by
 * under 1e-2, so no kink is crossed.  Seeds are tried in order until the
 * condition holds, which keeps the test deterministic. */
static void make_grad_model(Model *m, Activation act, LossKind loss, bool cls, int n_classes,
                            float *x)
{
    const int hidden[2] = {4, 3};
    bool kinked = act == ACTIVATION_RELU || act == ACTIVATION_LEAKY_RELU;
    for (uint64_t seed = 1; seed < 1000; seed++) {
        make_model(m, GIN, hidden, 2, act, loss, cls, n_classes, GB, seed);
        Rng r;
        rng_seed(&r, seed + 1000);
        for (size_t i = 0; i < m->n_params; i++) {
            float w = (float)(rng_uniform(&r) * 1.6 - 0.8);
            if (fabsf(w) < 0.05f) w = w < 0 ? -0.05f : 0.05f;
            m->params[i] = w;
        }
        for (int i = 0; i < GB * GIN; i++) x[i] = (float)(rng_uniform(&r) * 3.0 - 1.5);
        model_forward(m, x, GB, false, NULL);
        bool ok = true, neg = false, pos = false;
        for (int l = 1; l < m->shape.n_layers && kinked; l++)
            for (int i = 0; i < GB * m->shape.sizes[l]; i++) {
                float z = m->z[l][i];
                if (fabsf(z) < 0.02f) ok = false;
                if (z < 0) neg = true;
                if (z > 0) pos = true;
            }
        if (ok && (!kinked || (neg && pos))) return;
        model_free(m);
    }
    fail_msg("no seed gave pre-activations away from the kink");
}

static const int grad_labels3[GB] = {0, 2, 1, 2, 0};
static const int grad_labels2[GB] = {1, 0, 0, 1, 1};

static void every_hidden_activation_gradient_matches_finite_differences(void **state)
{
    (void)state;
    for (int k = 0; k < N_HIDDEN_ACTS; k++) {
        Model m;
        float x[GB * GIN];
        make_grad_model(&m, hidden_acts[k], LOSS_CROSS_ENTROPY, true, 3, x);
        Batch b = {x, GB, grad_labels3, NULL, false, 0};
        check_gradients(&m, &b, activation_name(hidden_acts[k]));
        model_free(&m);
    }
}

static void softmax_cross_entropy_gradient_matches_finite_differences(void **state)
{
    (void)state;
    const Activation acts[2] = {ACTIVATION_TANH, ACTIVATION_RELU};
    for (int k = 0; k < 2; k++) {
        Model m;
        float x[GB * GIN];
        make_grad_model(&m, acts[k], LOSS_AUTO, true, 3, x);
        assert_int_equal(m.shape.loss, LOSS_CROSS_ENTROPY);
        Batch b = {x, GB, grad_labels3, NULL, false, 0};
        check_gradients(&m, &b, "softmax + cross_entropy");
        model_free(&m);
    }
}

static void sigmoid_bce_gradient_matches_finite_differences(void **state)
{
    (void)state;
    const Activation acts[2] = {ACTIVATION_TANH, ACTIVATION_RELU};
    for (int k = 0; k < 2; k++) {
        Model m;
        float x[GB * GIN];
        make_grad_model(&m, acts[k], LOSS_AUTO, true, 2, x);
        assert_int_equal(m.shape.loss, LOSS_BINARY_CROSS_ENTROPY);
        Batch b = {x, GB, grad_labels2, NULL, false, 0};
        check_gradients(&m, &b, "sigmoid + binary_cross_entropy");
        model_free(&m);
    }
}

/* Targets set from the current outputs at offsets that keep |error| at least
 * 0.15 from MAE's kink at 0 and from Huber's switch at 1, while putting rows
 * on both sides of Huber's switch. */
static void regression_targets(Model *m, const float *x, float *t)
{
    static const float off[GB] = {0.3f, -0.7f, 1.8f, -2.5f, 0.15f};
    const float *y = model_forward(m, x, GB, false, NULL);
    for (int r = 0; r < GB; r++) t[r] = y[r] + off[r];
}

static void regression_losses_gradients_match_finite_differences(void **state)
{
    (void)state;
    const LossKind losses[3] = {LOSS_MSE, LOSS_MAE, LOSS_HUBER};
    const char *names[3] = {"mse", "mae", "huber"};
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 2; k++) {
            Model m;
            float x[GB * GIN], t[GB];
            make_grad_model(&m, k ? ACTIVATION_RELU : ACTIVATION_TANH, losses[i], false, 0, x);
            regression_targets(&m, x, t);
            Batch b = {x, GB, NULL, t, false, 0};
            check_gradients(&m, &b, names[i]);
            model_free(&m);
        }
}

static void linear_model_gradient_matches_finite_differences(void **state)
{
    (void)state;
    Model m;
    make_model(&m, GIN, NULL, 0, ACTIVATION_RELU, LOSS_AUTO, true, 3, GB, 3);
    float x[GB * GIN];
    Rng r;
    rng_seed(&r, 5);
    for (int i = 0; i < GB * GIN; i++) x[i] = (float)(rng_uniform(&r) * 2 - 1);
    Batch b = {x, GB, grad_labels3, NULL, false, 0};
    check_gradients(&m, &b, "linear softmax model");
    model_free(&m);
}

static void l1_and_l2_gradients_match_finite_differences(void **state)
{
    (void)state;
    const double l1s[3] = {0.05, 0.0, 0.03}, l2s[3] = {0.0, 0.05, 0.04};
    for (int k = 0; k < 3; k++) {
        Model m;
        float x[GB * GIN];
        make_grad_model(&m, ACTIVATION_GELU, LOSS_CROSS_ENTROPY, true, 3, x);
        m.l1 = l1s[k];
        m.l2 = l2s[k];
        Batch b = {x, GB, grad_labels3, NULL, false, 0};
        check_gradients(&m, &b, k == 0 ? "l1" : k == 1 ? "l2" : "l1 + l2");
        /* and the regularization gradient is really there: compare dW with
         * the unregularized one, which must differ by l1·sign(w) + 2·l2·w */
        model_forward(&m, x, GB, false, NULL);
        model_zero_grads(&m);
        model_backward(&m, grad_labels3, NULL, GB);
        float *g = malloc(m.n_params * sizeof(float));
        assert_non_null(g);
        memcpy(g, m.grads, m.n_params * sizeof(float));
        m.l1 = m.l2 = 0;
        model_zero_grads(&m);
        model_backward(&m, grad_labels3, NULL, GB);
        const DenseLayer *D = &m.layers[1];
        for (int i = 0; i < D->n_in * D->n_out; i++) {
            float w = D->W[i];
            double want = l1s[k] * (w > 0 ? 1 : -1) + 2 * l2s[k] * w;
            EXPECT_NEAR(g[D->offset + i] - D->dW[i], want, 1e-6);
        }
        /* biases carry no penalty */
        for (int i = 0; i < D->n_out; i++) {
            size_t j = D->offset + (size_t)D->n_in * D->n_out + i;
            EXPECT_NEAR(g[j], m.grads[j], 0.0f);
        }
        free(g);
        model_free(&m);
    }
}

static void dropout_gradient_matches_finite_differences(void **state)
{
    (void)state;
    /* The same drop seed before every forward redraws the same masks, so the
     * loss is a smooth function of the parameters under one fixed mask. */
    const Activation acts[2] = {ACTIVATION_TANH, ACTIVATION_RELU};
    for (int k = 0; k < 2; k++) {
        Model m;
        float x[GB * GIN], t[GB];
        make_grad_model(&m, acts[k], LOSS_MSE, false, 0, x);
        regression_targets(&m, x, t);
        m.dropout = 0.3;
        /* a seed whose masks drop some units but keep every layer alive and,
         * for relu, keep pre-activations away from the kink */
        uint64_t seed = 1;
        for (;; seed++) {
            Rng r;
            rng_seed(&r, seed);
            model_forward(&m, x, GB, true, &r);
            int dropped = 0, alive[3] = {0, 0, 0};
            bool near_kink = false;
            for (int l = 1; l <= 2; l++)
                for (int i = 0; i < GB * m.shape.sizes[l]; i++) {
                    if (m.mask[l][i] == 0)
                        dropped++;
                    else
                        alive[l]++;
                    /* the masks move the next layer's pre-activations */
                    if (fabsf(m.z[l][i]) < 0.02f) near_kink = true;
                }
            if (dropped > 0 && alive[1] >= 8 && alive[2] >= 6 &&
                !(near_kink && acts[k] == ACTIVATION_RELU))
                break;
            assert_true(seed < 1000);
        }
        Batch b = {x, GB, NULL, t, true, seed};
        check_gradients(&m, &b, acts[k] == ACTIVATION_TANH ? "dropout tanh" : "dropout relu");
        model_free(&m);
    }
}

/* ---- dropout behaviour ------------------------------------------------- */

static void dropout_masks_are_scaled_and_drop_about_p(void **state)
{
    (void)state;
    const int hidden[2] = {1000, 500};
    const double ps[2] = {0.5, 0.2};
    for (int k = 0; k < 2; k++) {
        Model m;
        make_model(&m, 4, hidden, 2, ACTIVATION_SIGMOID, LOSS_AUTO, true, 3, 4, 11);
        m.dropout = ps[k];
        float x[16];
        for (int i = 0; i < 16; i++) x[i] = (float)(i % 5) * 0.3f - 0.6f;
        Rng r;
        rng_seed(&r, 2);
        model_forward(&m, x, 4, true, &r);
        float keep = (float)(1.0 / (1.0 - ps[k]));
        for (int l = 1; l <= 2; l++) {
            size_t n = 4 * (size_t)m.shape.sizes[l], dropped = 0;
            for (size_t i = 0; i < n; i++) {
                float mk = m.mask[l][i];
                if (mk == 0.0f) {
                    dropped++;
                    assert_true(m.a[l][i] == 0.0f);
                } else {
                    EXPECT_NEAR(mk, keep, 1e-6f);
                    /* a kept sigmoid unit is its activation times 1/(1-p) */
                    float f = 1.0f / (1.0f + expf(-m.z[l][i]));
                    EXPECT_NEAR(m.a[l][i], f * keep, 1e-5f);
                }
            }
            /* n >= 2000: the dropped fraction has sd <= 0.012; 0.05 is > 4 sd */
            double frac = (double)dropped / n;
            if (fabs(frac - ps[k]) > 0.05)
                fail_msg("p = %g: layer %d dropped %.3f of units", ps[k], l, frac);
        }
        model_free(&m);
    }
}

static void no_dropout_when_not_training(void **state)
{
    (void)state;
    const int hidden[1] = {64};
    Model m;
    make_model(&m, 4, hidden, 1, ACTIVATION_RELU, LOSS_AUTO, true, 3, 3, 5);
    float x[12];
    for (int i = 0; i < 12; i++) x[i] = (float)i * 0.1f - 0.5f;
    float ref[9], out[9];
    memcpy(ref, model_forward(&m, x, 3, false, NULL), sizeof ref);
    m.dropout = 0.5;
    Rng r;
    rng_seed(&r, 1);
    memcpy(out, model_forward(&m, x, 3, false, &r), sizeof out);
    assert_memory_equal(out, ref, sizeof ref);
    for (int i = 0; i < 3 * 64; i++) {
        float z = m.z[1][i];
        EXPECT_NEAR(m.a[1][i], z > 0 ? z : 0, 0.0f);
    }
    /* and training does change the output at p = 0.5 with 64 units */
    memcpy(out, model_forward(&m, x, 3, true, &r), sizeof out);
    assert_memory_not_equal(out, ref, sizeof ref);
    model_free(&m);
}

/* ---- batch size -------------------------------------------------------- */

/* With every weight 0 each layer's Z is its bias alone: every row of every
 * layer, for batches of 1 to 13 rows (the bias is copied into Z's rows a
 * doubling block at a time, so odd counts end mid-block). */
static void forward_puts_the_bias_in_every_row(void **state)
{
    (void)state;
    enum { IN = 3, CAP = 13 };
    const int hidden[2] = {5, 4};
    Model m;
    make_model(&m, IN, hidden, 2, ACTIVATION_RELU, LOSS_AUTO, true, 3, CAP, 8);
    memset(m.params, 0, m.n_params * sizeof(float));
    for (int l = 0; l < m.shape.n_layers; l++)
        for (int j = 0; j < m.layers[l].n_out; j++) m.layers[l].b[j] = 0.25f * (float)(j + 1 + l);
    float x[CAP * IN];
    for (int i = 0; i < CAP * IN; i++) x[i] = (float)i;
    for (int B = 1; B <= CAP; B++) {
        for (int l = 1; l <= m.shape.n_layers; l++) /* NaN where Z goes */
            memset(m.z[l], 0xff, (size_t)CAP * m.shape.sizes[l] * sizeof(float));
        model_forward(&m, x, B, false, NULL);
        for (int l = 0; l < m.shape.n_layers; l++) {
            const DenseLayer *D = &m.layers[l];
            for (int r = 0; r < B; r++)
                if (memcmp(m.z[l + 1] + (size_t)r * D->n_out, D->b, D->n_out * sizeof(float)))
                    fail_msg("batch %d: layer %d's row %d is not its bias", B, l, r);
        }
    }
    model_free(&m);
}

static void prepare_bigger_batch_then_forward_matches_row_by_row(void **state)
{
    (void)state;
    const int hidden[2] = {16, 8};
    Model m;
    make_model(&m, 5, hidden, 2, ACTIVATION_ELU, LOSS_AUTO, true, 4, 2, 9);
    Error err = {0};
    assert_int_equal(model_prepare(&m, 64, &err), ERROR_NONE);
    assert_int_equal(m.cap_batch, 64);
    float *x = malloc(64 * 5 * sizeof(float));
    float *all = malloc(64 * 4 * sizeof(float));
    assert_non_null(x);
    assert_non_null(all);
    Rng r;
    rng_seed(&r, 3);
    for (int i = 0; i < 64 * 5; i++) x[i] = (float)rng_normal(&r);
    memcpy(all, model_forward(&m, x, 64, false, NULL), 64 * 4 * sizeof(float));
    for (int row = 0; row < 64; row++) {
        const float *p = model_forward(&m, x + row * 5, 1, false, NULL);
        double sum = 0;
        for (int j = 0; j < 4; j++) {
            /* same math, possibly another BLAS kernel: within float rounding */
            EXPECT_NEAR(p[j], all[row * 4 + j], 1e-5f);
            sum += p[j];
        }
        EXPECT_NEAR(sum, 1.0, 1e-5);
    }
    /* and back down to a smaller batch */
    assert_int_equal(model_prepare(&m, 3, &err), ERROR_NONE);
    const float *p = model_forward(&m, x, 3, false, NULL);
    for (int j = 0; j < 12; j++) EXPECT_NEAR(p[j], all[j], 1e-5f);
    free(x);
    free(all);
    model_free(&m);
}

/* Whatever grads held (a step's gradient, or garbage), clearing and then
 * backward gives exactly the gradient of the last forward, penalties
 * included; and the clear, shared among a team, reaches every parameter,
 * the tail past the last whole cache line included. */
static void zero_then_backward_gives_the_gradient_whatever_grads_held(void **state)
{
    (void)state;
    Model m;
    const int hidden[1] = {2};
    make_model(&m, 2, hidden, 1, ACTIVATION_TANH, LOSS_CROSS_ENTROPY, true, 2, 2, 1);
    set_hand_net(&m);
    m.l1 = 0.01;
    m.l2 = 0.02;
    model_forward(&m, hand_x, 2, false, NULL);
    model_zero_grads(&m);
    model_backward(&m, hand_labels, NULL, 2);
    float *want = malloc(m.n_params * sizeof(float));
    assert_non_null(want);
    memcpy(want, m.grads, m.n_params * sizeof(float));
    for (size_t i = 0; i < m.n_params; i++) m.grads[i] = 1e6f + (float)i; /* stale garbage */
    model_zero_grads(&m);
    model_backward(&m, hand_labels, NULL, 2);
    assert_memory_equal(m.grads, want, m.n_params * sizeof(float));
    free(want);
    model_free(&m);

    /* 3-400-401-3: 163,607 parameters, not a whole number of cache lines,
     * enough to be shared between two threads */
    const int wide[2] = {400, 401};
    make_model(&m, 3, wide, 2, ACTIVATION_RELU, LOSS_AUTO, true, 3, 4, 1);
    Team *team;
    Error err = {0};
    assert_int_equal(team_create(&team, 2, &err), ERROR_NONE);
    m.team = team;
    assert_int_equal(m.n_params, 163607);
    for (size_t i = 0; i < m.n_params; i++) m.grads[i] = (float)i + 1;
    model_zero_grads(&m);
    for (size_t i = 0; i < m.n_params; i++)
        if (m.grads[i] != 0.0f) fail_msg("grads[%zu] = %g after clearing", i, m.grads[i]);
    model_free(&m);
    team_destroy(team);
}

static void prepare_rejects_zero_batch(void **state)
{
    (void)state;
    Model m;
    make_model(&m, 2, NULL, 0, ACTIVATION_RELU, LOSS_AUTO, true, 3, 4, 1);
    Error err = {0};
    assert_int_equal(model_prepare(&m, 0, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "batch"));
    /* the model still works at its old size */
    float x[8] = {0};
    model_forward(&m, x, 4, false, NULL);
    model_free(&m);
}

/* ---- shared among threads ---------------------------------------------- */

/* A team of two splits forward rows, dW rows and dA rows; the outputs and
 * gradients are those of one thread, for every activation, with dropout
 * (drawn before the split, so from the same stream) and penalties. */
static void compare_team_pass(Activation act, bool classification)
{
    enum { B = 64, IN = 64 };
    const int hidden[2] = {256, 256};
    int C = classification ? 5 : 1;
    Model one, two;
    make_model(&one, IN, hidden, 2, act, LOSS_AUTO, classification, C, B, 21);
    make_model(&two, IN, hidden, 2, act, LOSS_AUTO, classification, C, B, 21);
    Team *team;
    Error err = {0};
    assert_int_equal(team_create(&team, 2, &err), ERROR_NONE);
    two.team = team;
    assert_int_equal(model_threads(&one, B), 1);
    assert_int_equal(model_threads(&two, B), 2);
    one.dropout = two.dropout = 0.25;
    one.l1 = two.l1 = 1e-4;
    one.l2 = two.l2 = 1e-3;
    float *x = malloc(B * IN * sizeof(float)), *t = malloc(B * sizeof(float));
    int labels[B];
    assert_non_null(x);
    assert_non_null(t);
    Rng r;
    rng_seed(&r, 5);
    for (int i = 0; i < B * IN; i++) x[i] = (float)rng_normal(&r);
    for (int i = 0; i < B; i++) {
        labels[i] = i % C;
        t[i] = x[i * IN];
    }
    Rng d1, d2;
    rng_seed(&d1, 77);
    rng_seed(&d2, 77);
    int O = one.shape.sizes[one.shape.n_layers];
    const float *p1 = model_forward(&one, x, B, true, &d1);
    const float *p2 = model_forward(&two, x, B, true, &d2);
    for (int i = 0; i < B * O; i++) EXPECT_NEAR(p2[i], p1[i], 1e-5 * (1 + fabs(p1[i])));
    EXPECT_NEAR(model_loss(&two, labels, t, B), model_loss(&one, labels, t, B), 1e-5);
    model_zero_grads(&one);
    model_backward(&one, labels, t, B);
    model_zero_grads(&two);
    model_backward(&two, labels, t, B);
    double scale = 0;
    for (size_t i = 0; i < one.n_params; i++) scale = fmax(scale, fabs(one.grads[i]));
    assert_true(scale > 0);
    for (size_t i = 0; i < one.n_params; i++) EXPECT_NEAR(two.grads[i], one.grads[i], 1e-5 * scale);
    free(x);
    free(t);
    model_free(&one);
    model_free(&two);
    team_destroy(team);
}

/* model_gradient over grads full of NaN leaves, bit for bit, what clearing
 * then model_backward leave: on the sweep's small layers (OpenBLAS's
 * small-matrix kernels), on wide ones (its packing kernels), with the L1/L2
 * terms, dropout and a team of two, and on a batch short of the workspace's. */
static void gradient_replaces_grads_as_clearing_then_backward(void **state)
{
    (void)state;
    enum { IN = 64, CAP = 64 };
    static const struct {
        int hidden[2], n_hidden, B, threads;
        bool regularized;
    } cases[] = {
        {{16, 0}, 1, 32, 1, false},    {{128, 64}, 2, 32, 1, false},  {{32, 16}, 2, 7, 1, true},
        {{256, 256}, 2, CAP, 2, true}, {{256, 256}, 2, CAP, 1, true},
    };
    Team *team;
    Error err = {0};
    assert_int_equal(team_create(&team, 2, &err), ERROR_NONE);
    float x[CAP * IN];
    int labels[CAP];
    Rng r;
    rng_seed(&r, 9);
    for (int i = 0; i < CAP * IN; i++) x[i] = (float)rng_normal(&r);
    for (int i = 0; i < CAP; i++) labels[i] = (i * 7) % 10;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        Model a, b;
        make_model(&a, IN, cases[c].hidden, cases[c].n_hidden, ACTIVATION_RELU, LOSS_AUTO, true, 10,
                   CAP, 3);
        make_model(&b, IN, cases[c].hidden, cases[c].n_hidden, ACTIVATION_RELU, LOSS_AUTO, true, 10,
                   CAP, 3);
        if (cases[c].threads > 1) a.team = b.team = team;
        if (cases[c].regularized) {
            a.l1 = b.l1 = 1e-4;
            a.l2 = b.l2 = 1e-3;
            a.dropout = b.dropout = 0.25;
        }
        int B = cases[c].B;
        assert_int_equal(model_threads(&a, B), cases[c].threads);
        Rng da, db;
        rng_seed(&da, 4);
        rng_seed(&db, 4);
        model_forward(&a, x, B, true, &da);
        model_forward(&b, x, B, true, &db);
        for (size_t i = 0; i < a.n_params; i++) a.grads[i] = NAN;
        model_gradient(&a, labels, NULL, B);
        model_zero_grads(&b);
        model_backward(&b, labels, NULL, B);
        size_t nonzero = 0;
        for (size_t i = 0; i < b.n_params; i++) nonzero += b.grads[i] != 0;
        assert_true(nonzero > b.n_params / 4);
        if (memcmp(a.grads, b.grads, a.n_params * sizeof(float)) != 0)
            fail_msg("case %zu: model_gradient differs from clearing then model_backward", c);
        model_free(&a);
        model_free(&b);
    }
    team_destroy(team);
}

static void team_gives_one_threads_forward_and_gradient(void **state)
{
    (void)state;
    for (int a = 0; a < N_HIDDEN_ACTS; a++) compare_team_pass(hidden_acts[a], true);
    compare_team_pass(ACTIVATION_RELU, false);
}

/* Small batches and small networks stay on one thread: the hand-off would
 * cost more than the work. */
static void team_is_left_idle_for_small_work(void **state)
{
    (void)state;
    Team *team;
    Error err = {0};
    assert_int_equal(team_create(&team, 2, &err), ERROR_NONE);
    const int big[2] = {256, 256}, small[1] = {16};
    Model m;
    make_model(&m, 64, big, 2, ACTIVATION_RELU, LOSS_AUTO, true, 3, 64, 1);
    m.team = team;
    assert_int_equal(model_threads(&m, 64), 2);
    assert_int_equal(model_threads(&m, 8), 1); /* fewer than 8 rows a thread */
    m.team = NULL;
    assert_int_equal(model_threads(&m, 64), 1);
    model_free(&m);
    make_model(&m, 4, small, 1, ACTIVATION_RELU, LOSS_AUTO, true, 3, 64, 1);
    m.team = team;
    assert_int_equal(model_threads(&m, 64), 1); /* 4-16-3: ~10 kFLOP a batch */
    model_free(&m);
    team_destroy(team);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(team_gives_one_threads_forward_and_gradient),
        cmocka_unit_test(gradient_replaces_grads_as_clearing_then_backward),
        cmocka_unit_test(team_is_left_idle_for_small_work),
        cmocka_unit_test(auto_loss_three_classes_is_softmax_cross_entropy),
        cmocka_unit_test(softmax_in_blocks_matches_double),
        cmocka_unit_test(auto_loss_two_classes_is_sigmoid_bce_with_one_output),
        cmocka_unit_test(auto_loss_regression_is_linear_mse),
        cmocka_unit_test(explicit_regression_losses_keep_linear_output),
        cmocka_unit_test(explicit_cross_entropy_on_two_classes_is_softmax_of_two),
        cmocka_unit_test(mismatched_loss_is_input_error_naming_loss),
        cmocka_unit_test(bad_layer_sizes_are_input_errors_naming_layers),
        cmocka_unit_test(one_class_is_input_error),
        cmocka_unit_test(params_are_one_block_with_layer_views),
        cmocka_unit_test(same_seed_gives_identical_params_and_other_seed_differs),
        cmocka_unit_test(init_is_he_for_relu_glorot_otherwise_biases_zero),
        cmocka_unit_test(model_bytes_counts_params_grads_and_grows_with_batch),
        cmocka_unit_test(too_large_network_is_runtime_error_without_allocating),
        cmocka_unit_test(activations_match_known_values),
        cmocka_unit_test(act_backward_scales_upstream_gradient),
        cmocka_unit_test(tanh_is_within_4_ulp_in_blocks_and_tails),
        cmocka_unit_test(sigmoid_elu_gelu_match_double_in_blocks_and_tails),
        cmocka_unit_test(act_backward_matches_finite_differences),
        cmocka_unit_test(forward_matches_hand_computed_net),
        cmocka_unit_test(backward_matches_hand_computed_gradients),
        cmocka_unit_test(backward_accumulates_until_zeroed),
        cmocka_unit_test(losses_match_known_values),
        cmocka_unit_test(penalty_is_l1_plus_l2_over_weights_not_biases),
        cmocka_unit_test(every_hidden_activation_gradient_matches_finite_differences),
        cmocka_unit_test(softmax_cross_entropy_gradient_matches_finite_differences),
        cmocka_unit_test(sigmoid_bce_gradient_matches_finite_differences),
        cmocka_unit_test(regression_losses_gradients_match_finite_differences),
        cmocka_unit_test(linear_model_gradient_matches_finite_differences),
        cmocka_unit_test(l1_and_l2_gradients_match_finite_differences),
        cmocka_unit_test(dropout_gradient_matches_finite_differences),
        cmocka_unit_test(dropout_masks_are_scaled_and_drop_about_p),
        cmocka_unit_test(no_dropout_when_not_training),
        cmocka_unit_test(prepare_bigger_batch_then_forward_matches_row_by_row),
        cmocka_unit_test(forward_puts_the_bias_in_every_row),
        cmocka_unit_test(zero_then_backward_gives_the_gradient_whatever_grads_held),
        cmocka_unit_test(prepare_rejects_zero_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
