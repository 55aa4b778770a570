/*
 * test_optimizer.c - each optimizer's update against Keras 3's formulas
 * (keras/src/optimizers/{sgd,adam,rmsprop,adamw,adagrad}.py), optimizer_set
 * and optimizer_reset, and Keras's defaults.
 *
 * Expected weights were computed in double with numpy, from these update
 * rules (w0 = [1, -0.5, 2], gradients G1..G4 below):
 *   SGD        v = μv − lr·g;  w += v  (Nesterov: w += μv − lr·g);  μ = 0: w −= lr·g
 *   Adam       α = lr·√(1−β2ᵗ)/(1−β1ᵗ);  m += (g−m)(1−β1);  v += (g²−v)(1−β2);
 *              AMSGrad: v̂ = max(v̂, v);  w −= α·m/(√v + ε)   (ε outside the bias
 *              correction: Keras's "epsilon hat", unlike PyTorch's)
 *   AdamW      w −= w·wd·lr first, then the Adam step
 *   RMSprop    v = ρv + (1−ρ)g²;  centered: ḡ = ρḡ + (1−ρ)g, den = v − ḡ² + ε,
 *              else den = v + ε;  inc = lr·g/√den;  μ > 0: mom = μ·mom + inc,
 *              w −= mom;  else w −= inc
 *   Adagrad    acc (from initial_accumulator) += g²;  w −= lr·g/√(acc + ε)
 *
 * Tolerance: the implementation runs in float32; weights are O(1) and every
 * quantity goes through a handful of roundings, so 1e-6 (about 8 ulp at 1,
 * 4 at 2) holds, while the smallest difference a wrong formula makes here
 * (Nesterov vs plain, ε placement, decay order, AMSGrad's max) is above 1e-5.
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

#include "gradtop/nn/optimizer.h"
#include "gradtop/nn/team.h"

#define TOL 1e-6

/* cmocka's assert_float_equal passes when a value is NaN (its relative
 * check compares NaN with >, which is false) and rounds doubles to float;
 * this one fails on NaN and keeps doubles. */
#define EXPECT_NEAR(got, want, tol) expect_near_at((got), (want), (tol), #got, __LINE__)
static void expect_near_at(double got, double want, double tol, const char *expr, int line)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("line %d: %s = %.17g, want %.17g (tolerance %g)", line, expr, got, want, tol);
}

static const float w0[3] = {1.0f, -0.5f, 2.0f};
/* A zero component (no update for SGD/Adam at step 1), mixed signs and
 * sizes; the last step is all zero so that AMSGrad's max shows. */
static const float G[4][3] = {
    {0.5f, -1.0f, 0.0f},
    {0.25f, 0.5f, -2.0f},
    {-0.75f, 0.1f, 1.5f},
    {0.0f, 0.0f, 0.0f},
};

static OptimizerParams params_for(OptimizerKind kind, double lr)
{
    OptimizerParams p;
    memset(&p, 0, sizeof p);
    p.lr = lr;
    optimizer_params_default(&p, kind);
    return p;
}

/* Runs `steps` updates from w0 and checks w after each against want. */
static void run_steps(const OptimizerParams *p, int steps, const double want[][3], const char *what)
{
    Optimizer o;
    Error err = {0};
    assert_int_equal(optimizer_create(&o, p, 3, &err), ERROR_NONE);
    float w[3];
    memcpy(w, w0, sizeof w);
    for (int s = 0; s < steps; s++) {
        optimizer_step(&o, w, G[s], p->lr, NULL);
        for (int i = 0; i < 3; i++)
            if (!(fabs(w[i] - want[s][i]) <= TOL))
                fail_msg("%s: step %d, w[%d] = %.9g, want %.9g", what, s + 1, i, w[i], want[s][i]);
    }
    assert_int_equal(o.t, steps);
    optimizer_free(&o);
}

static void sgd_plain_update(void **state)
{
    (void)state;
    static const double want[][3] = {
        {0.95, -0.4, 2},
        {0.925, -0.45, 2.2},
        {1, -0.46, 2.05},
    };
    OptimizerParams p = params_for(OPTIMIZER_SGD, 0.1);
    run_steps(&p, 3, want, "sgd");
}

static void sgd_momentum_update(void **state)
{
    (void)state;
    static const double want[][3] = {
        {0.95, -0.4, 2},
        {0.88, -0.36, 2.2},
        {0.892, -0.334, 2.23},
    };
    OptimizerParams p = params_for(OPTIMIZER_SGD, 0.1);
    p.momentum = 0.9;
    run_steps(&p, 3, want, "sgd momentum");
}

static void sgd_nesterov_update(void **state)
{
    (void)state;
    static const double want[][3] = {
        {0.905, -0.31, 2},
        {0.817, -0.324, 2.38},
        {0.9028, -0.3106, 2.257},
    };
    OptimizerParams p = params_for(OPTIMIZER_SGD, 0.1);
    p.momentum = 0.9;
    p.nesterov = true;
    run_steps(&p, 3, want, "sgd nesterov");
}

static void adam_update_with_keras_defaults(void **state)
{
    (void)state;
    static const double want[][3] = {
        {0.9000006325, -0.4000003162, 2},
        {0.8067831961, -0.3733666876, 2.074413565},
        {0.8149808482, -0.3585568962, 2.082081772},
    };
    OptimizerParams p = params_for(OPTIMIZER_ADAM, 0.1);
    run_steps(&p, 3, want, "adam");
}

/* With a large ε the Keras form α·m/(√v + ε) and PyTorch's
 * lr·m̂/(√v̂ + ε) differ widely (PyTorch would give w3 = [0.849, -0.373,
 * 2.077]); this pins Keras's. */
static void adam_epsilon_is_keras_epsilon_hat(void **state)
{
    (void)state;
    static const double want[][3] = {
        {0.9863472941, -0.4759746927, 2},
        {0.9723487497, -0.4690199225, 2.028829787},
        {0.9742196383, -0.4651426967, 2.032214841},
    };
    OptimizerParams p = params_for(OPTIMIZER_ADAM, 0.1);
    p.eps = 0.1;
    run_steps(&p, 3, want, "adam eps 0.1");
}

static void adam_amsgrad_keeps_max_second_moment(void **state)
{
    (void)state;
    /* β2 = 0.9 makes v shrink fast enough for the max to matter (steps 3, 4) */
    static const double ams[][3] = {
        {0.9000000632, -0.4000000316, 2},
        {0.8052887063, -0.3729396359, 2.072547614},
        {0.8133324599, -0.3582117757, 2.080082186},
        {0.8197588905, -0.346445183, 2.086101815},
    };
    static const double plain[][3] = {
        {0.9000000632, -0.4000000316, 2},
        {0.8052887063, -0.3729396359, 2.072547614},
        {0.8133324599, -0.357489567, 2.080082186},
        {0.8201065124, -0.3444782808, 2.086427432},
    };
    OptimizerParams p = params_for(OPTIMIZER_ADAM, 0.1);
    p.beta2 = 0.9;
    p.amsgrad = true;
    run_steps(&p, 4, ams, "adam amsgrad");
    p.amsgrad = false;
    run_steps(&p, 4, plain, "adam beta2 0.9");
}

static void rmsprop_plain_update(void **state)
{
    (void)state;
    static const double want[][3] = {
        {0.9683772866, -0.4683772392, 2},
        {0.9536331167, -0.4831214284, 2.031622773},
        {0.9798042969, -0.4862148681, 2.012011161},
    };
    OptimizerParams p = params_for(OPTIMIZER_RMSPROP, 0.01);
    run_steps(&p, 3, want, "rmsprop");
}

static void rmsprop_momentum_update(void **state)
{
    (void)state;
    static const double want[][3] = {
        {0.9683772866, -0.4683772392, 2},
        {0.93782176, -0.467310048, 2.031622773},
        {0.9487151769, -0.4698698921, 2.027822547},
    };
    OptimizerParams p = params_for(OPTIMIZER_RMSPROP, 0.01);
    p.momentum = 0.5;
    run_steps(&p, 3, want, "rmsprop momentum");
}

static void rmsprop_centered_update(void **state)
{
    (void)state;
    static const double want[][3] = {
        {0.9666667407, -0.4666666852, 2},
        {0.950478677, -0.4815145254, 2.033333329},
        {0.976672832, -0.4846180194, 2.013706614},
    };
    static const double with_momentum[][3] = {
        {0.9666667407, -0.4666666852, 2},
        {0.9338120473, -0.464847868, 2.033333329},
        {0.9435788556, -0.4670419534, 2.030373278},
    };
    OptimizerParams p = params_for(OPTIMIZER_RMSPROP, 0.01);
    p.centered = true;
    run_steps(&p, 3, want, "rmsprop centered");
    p.momentum = 0.5;
    run_steps(&p, 3, with_momentum, "rmsprop centered momentum");
}

/* With a large ε, √(v + ε) (Keras, inside the root) and √v + ε differ
 * (the latter would give w3 = [0.9908, -0.4897, 2.0100] plain). */
static void rmsprop_epsilon_is_inside_the_root(void **state)
{
    (void)state;
    static const double plain[][3] = {
        {0.9858578644, -0.4776393202, 2},
        {0.9788905342, -0.4884225975, 2.028284271},
        {0.9964647713, -0.4906339265, 2.010160608},
    };
    static const double centered[][3] = {
        {0.9857142857, -0.4770584266, 2},
        {0.9786104648, -0.4878820531, 2.029488391},
        {0.9961916537, -0.490097046, 2.011352811},
    };
    OptimizerParams p = params_for(OPTIMIZER_RMSPROP, 0.01);
    p.eps = 0.1;
    run_steps(&p, 3, plain, "rmsprop eps 0.1");
    p.centered = true;
    run_steps(&p, 3, centered, "rmsprop centered eps 0.1");
}

static void adamw_decays_weights_before_adam_step(void **state)
{
    (void)state;
    static const double keras_default[][3] = {
        {0.8996006325, -0.3998003162, 1.9992},
        {0.8060233558, -0.3730067675, 2.072813885},
        {0.8138985986, -0.3580477734, 2.079652967},
    };
    /* a strong decay makes the order visible: decaying after the Adam step
     * would give a step-1 w0 of 0.9·(1 − 0.05) = 0.855, not 0.85 */
    static const double strong[][3] = {
        {0.8500006325, -0.3750003162, 1.9},
        {0.7142831645, -0.3296166718, 1.879413565},
        {0.6867666583, -0.2983260468, 1.793111094},
    };
    OptimizerParams p = params_for(OPTIMIZER_ADAMW, 0.1);
    EXPECT_NEAR(p.weight_decay, 0.004, 1e-12);
    run_steps(&p, 3, keras_default, "adamw");
    p.weight_decay = 0.5;
    run_steps(&p, 3, strong, "adamw wd 0.5");
}

static void adagrad_starts_from_initial_accumulator(void **state)
{
    (void)state;
    static const double want[][3] = {
        {0.9154845866, -0.4046537454, 2},
        {0.8765596441, -0.4476868921, 2.098772958},
        {0.9525150927, -0.456261821, 2.039247275},
    };
    OptimizerParams p = params_for(OPTIMIZER_ADAGRAD, 0.1);
    EXPECT_NEAR(p.initial_accumulator, 0.1, 1e-12);
    run_steps(&p, 3, want, "adagrad");
}

static void adagrad_epsilon_is_inside_the_root(void **state)
{
    (void)state;
    static const double want[][3] = {
        {0.9254644008, -0.4087129071, 2},
        {0.890542886, -0.450235647, 2.097590007},
        {0.9628793093, -0.4585117059, 2.038527565},
    };
    OptimizerParams p = params_for(OPTIMIZER_ADAGRAD, 0.1);
    p.eps = 0.1;
    run_steps(&p, 3, want, "adagrad eps 0.1");
}

/* One step of a fresh optimizer with p, from w0 with G[0]. */
static void fresh_first_step(const OptimizerParams *p, float *w)
{
    Optimizer o;
    Error err = {0};
    assert_int_equal(optimizer_create(&o, p, 3, &err), ERROR_NONE);
    memcpy(w, w0, 3 * sizeof(float));
    optimizer_step(&o, w, G[0], p->lr, NULL);
    optimizer_free(&o);
}

static void set_to_another_kind_resets_state(void **state)
{
    (void)state;
    const OptimizerKind kinds[5] = {OPTIMIZER_SGD, OPTIMIZER_ADAM, OPTIMIZER_RMSPROP,
                                    OPTIMIZER_ADAMW, OPTIMIZER_ADAGRAD};
    for (int a = 0; a < 5; a++)
        for (int b = 0; b < 5; b++) {
            if (a == b) continue;
            OptimizerParams pa = params_for(kinds[a], 0.1), pb = params_for(kinds[b], 0.1);
            pa.momentum = pb.momentum = 0.9; /* SGD and RMSprop then keep state */
            Optimizer o;
            Error err = {0};
            assert_int_equal(optimizer_create(&o, &pa, 3, &err), ERROR_NONE);
            float w[3];
            memcpy(w, w0, sizeof w);
            optimizer_step(&o, w, G[1], 0.1, NULL);
            optimizer_step(&o, w, G[2], 0.1, NULL);
            optimizer_set(&o, &pb);
            assert_int_equal(o.t, 0);
            /* from w0 again, the next step must equal a fresh optimizer's */
            memcpy(w, w0, sizeof w);
            optimizer_step(&o, w, G[0], 0.1, NULL);
            float want[3];
            fresh_first_step(&pb, want);
            for (int i = 0; i < 3; i++)
                if (fabsf(w[i] - want[i]) > 1e-7f)
                    fail_msg("%d -> %d: w[%d] = %.9g after the switch, fresh %.9g", kinds[a],
                             kinds[b], i, w[i], want[i]);
            optimizer_free(&o);
        }
}

static void set_same_kind_keeps_state(void **state)
{
    (void)state;
    /* Adam, two steps, then the same kind with a new lr: step 3 continues
     * (t = 3 in the bias correction, moments kept), at the new rate. */
    OptimizerParams p = params_for(OPTIMIZER_ADAM, 0.1);
    Optimizer o, ref;
    Error err = {0};
    assert_int_equal(optimizer_create(&o, &p, 3, &err), ERROR_NONE);
    assert_int_equal(optimizer_create(&ref, &p, 3, &err), ERROR_NONE);
    float w[3], r[3];
    memcpy(w, w0, sizeof w);
    memcpy(r, w0, sizeof r);
    for (int s = 0; s < 2; s++) {
        optimizer_step(&o, w, G[s], 0.1, NULL);
        optimizer_step(&ref, r, G[s], 0.1, NULL);
    }
    OptimizerParams q = p;
    q.lr = 0.05;
    optimizer_set(&o, &q);
    assert_int_equal(o.t, 2);
    optimizer_step(&o, w, G[2], 0.05, NULL);
    optimizer_step(&ref, r, G[2], 0.05, NULL);
    assert_memory_equal(w, r, sizeof w);
    optimizer_free(&o);
    optimizer_free(&ref);
}

static void reset_restarts_from_fresh_state(void **state)
{
    (void)state;
    const OptimizerKind kinds[5] = {OPTIMIZER_SGD, OPTIMIZER_ADAM, OPTIMIZER_RMSPROP,
                                    OPTIMIZER_ADAMW, OPTIMIZER_ADAGRAD};
    for (int k = 0; k < 5; k++) {
        OptimizerParams p = params_for(kinds[k], 0.1);
        p.momentum = 0.9;
        Optimizer o;
        Error err = {0};
        assert_int_equal(optimizer_create(&o, &p, 3, &err), ERROR_NONE);
        float w[3], want[3];
        memcpy(w, w0, sizeof w);
        optimizer_step(&o, w, G[1], 0.1, NULL);
        optimizer_step(&o, w, G[2], 0.1, NULL);
        optimizer_reset(&o);
        assert_int_equal(o.t, 0);
        memcpy(w, w0, sizeof w);
        optimizer_step(&o, w, G[0], 0.1, NULL);
        fresh_first_step(&p, want);
        assert_memory_equal(w, want, sizeof w);
        optimizer_free(&o);
    }
}

static void step_uses_the_lr_argument(void **state)
{
    (void)state;
    /* The rate passed to the step (a schedule's) wins over p.lr. */
    OptimizerParams p = params_for(OPTIMIZER_SGD, 0.1);
    Optimizer o;
    Error err = {0};
    assert_int_equal(optimizer_create(&o, &p, 3, &err), ERROR_NONE);
    float w[3];
    memcpy(w, w0, sizeof w);
    optimizer_step(&o, w, G[0], 0.5, NULL);
    EXPECT_NEAR(w[0], 0.75f, 1e-7f);
    EXPECT_NEAR(w[1], 0.0f, 1e-7f);
    optimizer_free(&o);
}

/* The rate in force is float32's: where a double rate lands there. */
static void lr_float_says_what_float32_makes_of_a_rate(void **state)
{
    (void)state;
    assert_int_equal(optimizer_lr_float(0.001), LR_FLOAT_NORMAL);
    assert_int_equal(optimizer_lr_float(FLT_MAX), LR_FLOAT_NORMAL);
    assert_int_equal(optimizer_lr_float(FLT_MIN), LR_FLOAT_NORMAL);
    assert_int_equal(optimizer_lr_float(3.5e38), LR_FLOAT_INF);
    assert_int_equal(optimizer_lr_float(1e39), LR_FLOAT_INF);
    assert_int_equal(optimizer_lr_float(DBL_MAX), LR_FLOAT_INF);
    assert_int_equal(optimizer_lr_float(1e-40), LR_FLOAT_SUBNORMAL);
    assert_int_equal(optimizer_lr_float(1e-45), LR_FLOAT_SUBNORMAL);
    assert_int_equal(optimizer_lr_float(1e-47), LR_FLOAT_ZERO);
    assert_int_equal(optimizer_lr_float(DBL_TRUE_MIN), LR_FLOAT_ZERO);
    /* a schedule's floor of 0 is 0 in double too: nothing to say */
    assert_int_equal(optimizer_lr_float(0), LR_FLOAT_NORMAL);
    assert_null(optimizer_lr_float_note(0));
    char buf[64];
    assert_string_equal(optimizer_format_lr(1e39, 4, buf, sizeof buf), "1e+39 (inf in float32)");
    assert_string_equal(optimizer_format_lr(1.05e-47, 3, buf, sizeof buf),
                        "1.05e-47 (0 in float32)");
    assert_string_equal(optimizer_format_lr(1e-40, 4, buf, sizeof buf),
                        "1e-40 (subnormal in float32)");
    assert_string_equal(optimizer_format_lr(0.1, 6, buf, sizeof buf), "0.1");
    assert_null(optimizer_lr_float_note(FLT_MAX));
    assert_string_equal(optimizer_lr_float_word(1e39), "inf");
    assert_string_equal(optimizer_lr_float_word(1e-50), "0");
    assert_string_equal(optimizer_lr_float_word(1e-40), "subnormal");
    assert_null(optimizer_lr_float_word(0.001));
}

/* A rate that is inf in float32 makes every weight non-finite at its
 * first step, under every optimizer; and at a later step too, Adam's
 * included, whose step size is computed in double: raised to 1e39 after
 * three steps, its step size (0.18 of the rate) times m/sqrt(v) would be
 * a finite 5e37 or so, weights of that size and a loss that overflows
 * only later, at a rate that every screen calls inf. */
static void a_rate_inf_in_float_makes_the_weights_non_finite(void **state)
{
    (void)state;
    const OptimizerKind kinds[5] = {OPTIMIZER_SGD, OPTIMIZER_ADAM, OPTIMIZER_RMSPROP,
                                    OPTIMIZER_ADAMW, OPTIMIZER_ADAGRAD};
    for (int later = 0; later < 2; later++)
        for (int k = 0; k < 5; k++) {
            OptimizerParams p = params_for(kinds[k], 1e39);
            Optimizer o;
            Error err = {0};
            assert_int_equal(optimizer_create(&o, &p, 3, &err), ERROR_NONE);
            float w[3];
            memcpy(w, w0, sizeof w);
            if (later)
                for (int s = 0; s < 3; s++) optimizer_step(&o, w, G[s], 0.001, NULL);
            optimizer_step(&o, w, later ? G[3] : G[1], p.lr, NULL);
            for (int i = 0; i < 3; i++)
                if (isfinite(w[i]) &&
                    !(later && kinds[k] != OPTIMIZER_ADAM && kinds[k] != OPTIMIZER_ADAMW))
                    fail_msg("%s: w[%d] = %.9g after a step at lr 1e39%s",
                             optimizer_names[kinds[k]], i, w[i], later ? " (step 4)" : "");
            optimizer_free(&o);
        }
}

/* A rate that is 0 in float32 moves no weight, under any optimizer, while
 * the state still follows the gradients (the rate raised later steps from
 * there); a subnormal one moves none of these either. */
static void a_rate_zero_in_float_moves_no_weight(void **state)
{
    (void)state;
    const OptimizerKind kinds[5] = {OPTIMIZER_SGD, OPTIMIZER_ADAM, OPTIMIZER_RMSPROP,
                                    OPTIMIZER_ADAMW, OPTIMIZER_ADAGRAD};
    const double rates[2] = {1e-50, 1e-40};
    for (int r = 0; r < 2; r++)
        for (int k = 0; k < 5; k++) {
            OptimizerParams p = params_for(kinds[k], rates[r]);
            Optimizer o;
            Error err = {0};
            assert_int_equal(optimizer_create(&o, &p, 3, &err), ERROR_NONE);
            float w[3];
            memcpy(w, w0, sizeof w);
            for (int s = 0; s < 3; s++) optimizer_step(&o, w, G[s], p.lr, NULL);
            for (int i = 0; i < 3; i++)
                if (w[i] != w0[i])
                    fail_msg("%s at lr %g: w[%d] = %.9g, was %.9g", optimizer_names[kinds[k]],
                             rates[r], i, w[i], w0[i]);
            optimizer_free(&o);
        }
}

static void large_vector_updates_every_element(void **state)
{
    (void)state;
    /* n not a multiple of any vector width: the tail must be updated too */
    enum { N = 1003 };
    float *w = malloc(N * sizeof(float)), *g = malloc(N * sizeof(float));
    assert_non_null(w);
    assert_non_null(g);
    const OptimizerKind kinds[5] = {OPTIMIZER_SGD, OPTIMIZER_ADAM, OPTIMIZER_RMSPROP,
                                    OPTIMIZER_ADAMW, OPTIMIZER_ADAGRAD};
    for (int k = 0; k < 5; k++) {
        OptimizerParams p = params_for(kinds[k], 0.01);
        Optimizer o;
        Error err = {0};
        assert_int_equal(optimizer_create(&o, &p, N, &err), ERROR_NONE);
        for (int i = 0; i < N; i++) {
            w[i] = 1.0f;
            g[i] = 1.0f;
        }
        optimizer_step(&o, w, g, 0.01, NULL);
        for (int i = 0; i < N; i++) {
            assert_true(w[i] < 1.0f);
            EXPECT_NEAR(w[i], w[0], 0.0f);
        }
        optimizer_free(&o);
    }
    free(w);
    free(g);
}

static void params_default_are_keras_defaults(void **state)
{
    (void)state;
    OptimizerParams p;
    memset(&p, 0xff, sizeof p); /* garbage everywhere but lr */
    p.lr = 0.02;
    optimizer_params_default(&p, OPTIMIZER_ADAM);
    assert_int_equal(p.kind, OPTIMIZER_ADAM);
    EXPECT_NEAR(p.lr, 0.02, 1e-12); /* --lr is separate: kept */
    EXPECT_NEAR(p.beta1, 0.9, 1e-12);
    EXPECT_NEAR(p.beta2, 0.999, 1e-12);
    EXPECT_NEAR(p.eps, 1e-7, 1e-15);
    assert_false(p.amsgrad);

    optimizer_params_default(&p, OPTIMIZER_RMSPROP);
    assert_int_equal(p.kind, OPTIMIZER_RMSPROP);
    EXPECT_NEAR(p.rho, 0.9, 1e-12);
    EXPECT_NEAR(p.momentum, 0.0, 0.0);
    EXPECT_NEAR(p.eps, 1e-7, 1e-15);
    assert_false(p.centered);

    optimizer_params_default(&p, OPTIMIZER_SGD);
    EXPECT_NEAR(p.momentum, 0.0, 0.0);
    assert_false(p.nesterov);

    optimizer_params_default(&p, OPTIMIZER_ADAGRAD);
    EXPECT_NEAR(p.initial_accumulator, 0.1, 1e-12);
    EXPECT_NEAR(p.eps, 1e-7, 1e-15);

    optimizer_params_default(&p, OPTIMIZER_ADAMW);
    EXPECT_NEAR(p.weight_decay, 0.004, 1e-12);
    EXPECT_NEAR(p.beta1, 0.9, 1e-12);
    EXPECT_NEAR(p.beta2, 0.999, 1e-12);
    EXPECT_NEAR(p.eps, 1e-7, 1e-15);
    EXPECT_NEAR(p.lr, 0.02, 1e-12);
}

/* Shared among a team, every rule gives bit for bit what one thread gives:
 * the shares are whole cache lines of the same elementwise pass.  The
 * gradient is only read. */
static void team_step_equals_the_one_thread_step(void **state)
{
    (void)state;
    enum { N = 300007 }; /* not a multiple of a share's line */
    float *w1 = malloc(N * sizeof(float)), *w2 = malloc(N * sizeof(float));
    float *g = malloc(N * sizeof(float)), *g2 = malloc(N * sizeof(float));
    assert_non_null(w1);
    assert_non_null(w2);
    assert_non_null(g);
    assert_non_null(g2);
    Team *team;
    Error err = {0};
    assert_int_equal(team_create(&team, 2, &err), ERROR_NONE);
    const OptimizerKind kinds[5] = {OPTIMIZER_SGD, OPTIMIZER_ADAM, OPTIMIZER_RMSPROP,
                                    OPTIMIZER_ADAMW, OPTIMIZER_ADAGRAD};
    for (int k = 0; k < 5; k++) {
        OptimizerParams p = params_for(kinds[k], 0.01);
        p.momentum = 0.9;
        p.amsgrad = kinds[k] == OPTIMIZER_ADAM;
        p.centered = kinds[k] == OPTIMIZER_RMSPROP;
        Optimizer o1, o2;
        assert_int_equal(optimizer_create(&o1, &p, N, &err), ERROR_NONE);
        assert_int_equal(optimizer_create(&o2, &p, N, &err), ERROR_NONE);
        for (int i = 0; i < N; i++) w1[i] = w2[i] = (float)((i % 97) - 48) / 50.0f;
        for (int step = 0; step < 3; step++) {
            for (int i = 0; i < N; i++)
                g[i] = g2[i] = (float)(((i * 31 + step * 7) % 101) - 50) / 100.0f;
            optimizer_step(&o1, w1, g, 0.01, NULL);
            optimizer_step(&o2, w2, g2, 0.01, team);
            assert_memory_equal(g2, g, N * sizeof(float)); /* only read */
        }
        assert_int_equal(o2.t, 3);
        assert_memory_equal(w2, w1, N * sizeof(float));
        assert_memory_equal(o2.state, o1.state, 3 * (size_t)N * sizeof(float));
        assert_memory_not_equal(w1, w2 + 1, 1000 * sizeof(float)); /* the weights moved */
        optimizer_free(&o1);
        optimizer_free(&o2);
    }
    team_destroy(team);
    free(w1);
    free(w2);
    free(g);
    free(g2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(team_step_equals_the_one_thread_step),
        cmocka_unit_test(sgd_plain_update),
        cmocka_unit_test(sgd_momentum_update),
        cmocka_unit_test(sgd_nesterov_update),
        cmocka_unit_test(adam_update_with_keras_defaults),
        cmocka_unit_test(adam_epsilon_is_keras_epsilon_hat),
        cmocka_unit_test(adam_amsgrad_keeps_max_second_moment),
        cmocka_unit_test(rmsprop_plain_update),
        cmocka_unit_test(rmsprop_momentum_update),
        cmocka_unit_test(rmsprop_centered_update),
        cmocka_unit_test(rmsprop_epsilon_is_inside_the_root),
        cmocka_unit_test(adamw_decays_weights_before_adam_step),
        cmocka_unit_test(adagrad_starts_from_initial_accumulator),
        cmocka_unit_test(adagrad_epsilon_is_inside_the_root),
        cmocka_unit_test(set_to_another_kind_resets_state),
        cmocka_unit_test(set_same_kind_keeps_state),
        cmocka_unit_test(reset_restarts_from_fresh_state),
        cmocka_unit_test(step_uses_the_lr_argument),
        cmocka_unit_test(large_vector_updates_every_element),
        cmocka_unit_test(lr_float_says_what_float32_makes_of_a_rate),
        cmocka_unit_test(a_rate_inf_in_float_makes_the_weights_non_finite),
        cmocka_unit_test(a_rate_zero_in_float_moves_no_weight),
        cmocka_unit_test(params_default_are_keras_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
