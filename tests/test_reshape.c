/*
 * test_reshape.c - network edits (src/nn/reshape.c): adding a unit keeps
 * the outputs for every activation, the optimizer state follows its
 * weights, removing the unit just added gives the network back bit for bit,
 * a layer added starts at the identity where its activation allows, and the
 * edits that cannot be are refused with a message that says why.
 */
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
#include "gradtop/nn/optimizer.h"
#include "gradtop/nn/reshape.h"

#define B 24
#define N_IN 3

static const Activation acts[] = {ACTIVATION_RELU,    ACTIVATION_LEAKY_RELU, ACTIVATION_TANH,
                                  ACTIVATION_SIGMOID, ACTIVATION_ELU,        ACTIVATION_GELU};
#define N_ACTS (int)(sizeof acts / sizeof acts[0])

typedef struct {
    Model m;
    Optimizer o;
    float x[B * N_IN];
} Net;

/* A 3 -> 5 -> 4 -> 3 softmax network of activation a, its biases nonzero,
 * an Adam optimizer whose state holds distinct values, and a batch with
 * inputs of both signs. */
static void net_make(Net *n, Activation a, uint64_t seed)
{
    const int hidden[2] = {5, 4};
    ModelShape s;
    Error err = {0};
    Rng r;
    rng_seed(&r, seed);
    if (model_shape_make(&s, N_IN, hidden, 2, a, LOSS_AUTO, true, 3, &err) ||
        model_create(&n->m, &s, B, &r, &err))
        fail_msg("%s", err.msg);
    for (int l = 0; l < n->m.shape.n_layers; l++)
        for (int i = 0; i < n->m.layers[l].n_out; i++)
            n->m.layers[l].b[i] = (float)(rng_uniform(&r) - 0.5);
    OptimizerParams p = {0};
    optimizer_params_default(&p, OPTIMIZER_ADAM);
    if (optimizer_create(&n->o, &p, n->m.n_params, &err)) fail_msg("%s", err.msg);
    for (size_t i = 0; i < 3 * n->o.n; i++) n->o.state[i] = (float)(i + 1);
    n->o.t = 7;
    for (int i = 0; i < B * N_IN; i++) n->x[i] = (float)(4.0 * rng_uniform(&r) - 2.0);
}

static void net_free(Net *n)
{
    model_free(&n->m);
    optimizer_free(&n->o);
}

static void outputs(Model *m, const float *x, float *out)
{
    const float *y = model_forward(m, x, B, false, NULL);
    memcpy(out, y, (size_t)B * m->shape.sizes[m->shape.n_layers] * sizeof *out);
}

/* Plans e on n's model and applies it; fails the test on a refusal. */
static void edit(Net *n, ReshapeEdit e, uint64_t seed)
{
    ReshapePlan p;
    Rng r;
    rng_seed(&r, seed);
    Error err = {0};
    if (reshape_plan(&p, &n->m.shape, &e, &r, &err) || reshape_apply(&p, &n->m, &n->o, &err))
        fail_msg("%s", err.msg);
    reshape_plan_free(&p);
}

static double max_diff(const float *a, const float *b, int n)
{
    double d = 0;
    for (int i = 0; i < n; i++) {
        double e = fabs((double)a[i] - b[i]);
        if (!(e <= d)) d = e; /* NaN counts */
    }
    return d;
}

static void adding_a_unit_keeps_the_outputs_for_every_activation(void **state)
{
    (void)state;
    for (int a = 0; a < N_ACTS; a++) {
        for (int layer = 1; layer <= 2; layer++) {
            Net n;
            net_make(&n, acts[a], 11 + (uint64_t)a);
            float before[B * 3], after[B * 3];
            outputs(&n.m, n.x, before);
            int width = n.m.shape.sizes[layer];
            edit(&n, (ReshapeEdit){.kind = RESHAPE_ADD_UNIT, .layer = layer, .unit = 2}, 5);
            assert_int_equal(n.m.shape.sizes[layer], width + 1);
            outputs(&n.m, n.x, after);
            double d = max_diff(before, after, B * 3);
            if (d > 1e-6)
                fail_msg("%s, layer %d: outputs moved by %g", activation_name(acts[a]), layer, d);
            /* and the new unit is alive: its incoming weights are not zero */
            const DenseLayer *in = &n.m.layers[layer - 1];
            double norm = 0;
            for (int c = 0; c < in->n_in; c++) norm += fabs(in->W[2 * in->n_in + c]);
            assert_true(norm > 0);
            net_free(&n);
        }
    }
}

/* The state of new unit 2 of hidden layer 1 is zero in every slot; every
 * other entry is the one of the weight it belongs to. */
static void the_optimizer_state_follows_its_weights(void **state)
{
    (void)state;
    Net n;
    net_make(&n, ACTIVATION_TANH, 3);
    size_t old_n = n.o.n;
    float *old = malloc(3 * old_n * sizeof *old);
    memcpy(old, n.o.state, 3 * old_n * sizeof *old);
    edit(&n, (ReshapeEdit){.kind = RESHAPE_ADD_UNIT, .layer = 1, .unit = 2}, 5);
    assert_int_equal(n.o.n, n.m.n_params);
    assert_int_equal(n.o.t, 7);
    /* old layout: W0 (5,3) b0 (5) W1 (4,5) b1 (4) W2 (3,4) b2 (3) */
    size_t W1_old = 5 * 3 + 5, W2_old = W1_old + 4 * 5 + 4;
    size_t W1_new = 6 * 3 + 6, W2_new = W1_new + 4 * 6 + 4;
    for (int slot = 0; slot < 3; slot++) {
        const float *o = old + slot * old_n, *s = n.o.state + slot * n.o.n;
        for (int r = 0; r < 6; r++) {
            int orow = r < 2 ? r : r - 1;
            for (int c = 0; c < 3; c++)
                assert_true(s[r * 3 + c] == (r == 2 ? 0.0f : o[orow * 3 + c]));
            assert_true(s[18 + r] == (r == 2 ? 0.0f : o[15 + orow]));
        }
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 6; c++) {
                int ocol = c < 2 ? c : c - 1;
                assert_true(s[W1_new + r * 6 + c] == (c == 2 ? 0.0f : o[W1_old + r * 5 + ocol]));
            }
            assert_true(s[W1_new + 24 + r] == o[W1_old + 20 + r]);
        }
        assert_memory_equal(s + W2_new, o + W2_old, 15 * sizeof(float));
    }
    free(old);
    net_free(&n);
}

/* Adagrad's new accumulators start where a fresh Adagrad's do. */
static void new_adagrad_accumulators_start_at_the_initial_value(void **state)
{
    (void)state;
    Net n;
    net_make(&n, ACTIVATION_RELU, 4);
    OptimizerParams p = {0};
    optimizer_params_default(&p, OPTIMIZER_ADAGRAD);
    optimizer_set(&n.o, &p);
    for (size_t i = 0; i < n.o.n; i++) n.o.state[i] = 9.0f;
    edit(&n, (ReshapeEdit){.kind = RESHAPE_ADD_UNIT, .layer = 2, .unit = 4}, 5);
    /* the new unit's incoming row in layer 1 (5 inputs) and its bias */
    size_t W1 = 5 * 3 + 5;
    for (int c = 0; c < 5; c++) assert_true(n.o.state[W1 + 4 * 5 + c] == 0.1f);
    assert_true(n.o.state[W1 + 5 * 5 + 4] == 0.1f);
    assert_true(n.o.state[W1] == 9.0f);
    net_free(&n);
}

static void removing_the_unit_just_added_gives_the_network_back(void **state)
{
    (void)state;
    for (int a = 0; a < N_ACTS; a++) {
        Net n;
        net_make(&n, acts[a], 21 + (uint64_t)a);
        ModelShape shape = n.m.shape;
        size_t np = n.m.n_params;
        float *params = malloc(np * sizeof *params), *st = malloc(3 * np * sizeof *st);
        memcpy(params, n.m.params, np * sizeof *params);
        memcpy(st, n.o.state, 3 * np * sizeof *st);
        edit(&n, (ReshapeEdit){.kind = RESHAPE_ADD_UNIT, .layer = 1, .unit = 1}, 9);
        assert_int_not_equal(n.m.n_params, np);
        edit(&n, (ReshapeEdit){.kind = RESHAPE_REMOVE_UNIT, .layer = 1, .unit = 1}, 9);
        assert_int_equal(n.m.n_params, np);
        assert_memory_equal(&n.m.shape, &shape, sizeof shape);
        assert_memory_equal(n.m.params, params, np * sizeof *params);
        assert_memory_equal(n.o.state, st, 3 * np * sizeof *st);
        free(params);
        free(st);
        net_free(&n);
    }
}

/* A relu layer after a relu layer starts as the exact identity (its
 * inputs are never negative); after the inputs, which are, it cannot, and
 * the plan says so. */
static void a_relu_layer_after_a_relu_layer_is_the_identity(void **state)
{
    (void)state;
    Net n;
    net_make(&n, ACTIVATION_RELU, 31);
    float before[B * 3], after[B * 3];
    outputs(&n.m, n.x, before);
    ReshapePlan p;
    Rng r;
    rng_seed(&r, 1);
    Error err = {0};
    ReshapeEdit e = {.kind = RESHAPE_ADD_LAYER, .layer = 1, .act = ACTIVATION_RELU};
    assert_int_equal(reshape_plan(&p, &n.m.shape, &e, &r, &err), ERROR_NONE);
    assert_true(p.exact);
    assert_int_equal(reshape_apply(&p, &n.m, &n.o, &err), ERROR_NONE);
    reshape_plan_free(&p);
    assert_int_equal(n.m.shape.n_layers, 4);
    assert_int_equal(n.m.shape.sizes[2], 5);
    outputs(&n.m, n.x, after);
    assert_true(max_diff(before, after, B * 3) < 1e-6);
    /* removing it again folds the identity away */
    edit(&n, (ReshapeEdit){.kind = RESHAPE_REMOVE_LAYER, .layer = 2}, 1);
    assert_int_equal(n.m.shape.n_layers, 3);
    outputs(&n.m, n.x, after);
    assert_true(max_diff(before, after, B * 3) < 1e-6);

    e.layer = 0; /* after the inputs, which take both signs */
    assert_int_equal(reshape_plan(&p, &n.m.shape, &e, &r, &err), ERROR_NONE);
    assert_false(p.exact);
    assert_string_equal(p.text, "layers 5,4 -> 3,5,4: hidden layer 1 (3 relu) added, starting as "
                                "the identity for inputs above 0 (the inputs can be negative: "
                                "relu zeroes them)");
    reshape_plan_free(&p);
    net_free(&n);
}

/* relu, leaky_relu and elu layers are the exact identity after every
 * layer whose outputs are bounded below (relu, sigmoid, tanh, elu, gelu):
 * the bias lifts their inputs above 0 and the next layer takes it off. */
static void relu_family_layers_are_exact_after_bounded_layers(void **state)
{
    (void)state;
    const Activation before[5] = {ACTIVATION_RELU, ACTIVATION_SIGMOID, ACTIVATION_TANH,
                                  ACTIVATION_ELU, ACTIVATION_GELU};
    const Activation added[3] = {ACTIVATION_RELU, ACTIVATION_LEAKY_RELU, ACTIVATION_ELU};
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 3; j++) {
            Net n;
            net_make(&n, before[i], 71 + (uint64_t)(3 * i + j));
            float y0[B * 3], y1[B * 3];
            outputs(&n.m, n.x, y0);
            edit(&n, (ReshapeEdit){.kind = RESHAPE_ADD_LAYER, .layer = 2, .act = added[j]}, 1);
            outputs(&n.m, n.x, y1);
            double d = max_diff(y0, y1, B * 3);
            if (d > 1e-5)
                fail_msg("%s after %s: outputs moved by %g", activation_name(added[j]),
                         activation_name(before[i]), d);
            net_free(&n);
        }
}

/* tanh and sigmoid layers start near the identity: close for small
 * inputs.  A tanh network with its weights scaled down keeps the next
 * layer's inputs small. */
static void tanh_and_sigmoid_layers_start_near_the_identity(void **state)
{
    (void)state;
    const Activation near[2] = {ACTIVATION_TANH, ACTIVATION_SIGMOID};
    for (int i = 0; i < 2; i++) {
        Net n;
        net_make(&n, ACTIVATION_TANH, 41);
        for (size_t k = 0; k < n.m.n_params; k++) n.m.params[k] *= 0.05f;
        float before[B * 3], after[B * 3];
        outputs(&n.m, n.x, before);
        edit(&n, (ReshapeEdit){.kind = RESHAPE_ADD_LAYER, .layer = 2, .act = near[i]}, 1);
        outputs(&n.m, n.x, after);
        double d = max_diff(before, after, B * 3);
        if (d > 1e-4) fail_msg("%s layer: outputs moved by %g", activation_name(near[i]), d);
        assert_int_equal(n.m.shape.act[2], near[i]);
        net_free(&n);
    }
}

static void changing_an_activation_keeps_every_weight_and_moment(void **state)
{
    (void)state;
    Net n;
    net_make(&n, ACTIVATION_RELU, 51);
    size_t np = n.m.n_params;
    float *params = malloc(np * sizeof *params);
    memcpy(params, n.m.params, np * sizeof *params);
    edit(&n, (ReshapeEdit){.kind = RESHAPE_ACTIVATION, .layer = 2, .act = ACTIVATION_TANH}, 1);
    assert_int_equal(n.m.shape.act[0], ACTIVATION_RELU);
    assert_int_equal(n.m.shape.act[1], ACTIVATION_TANH);
    assert_true(model_shape_mixed(&n.m.shape));
    assert_memory_equal(n.m.params, params, np * sizeof *params);
    for (size_t i = 0; i < 3 * np; i++) assert_true(n.o.state[i] == (float)(i + 1));
    /* the forward pass uses each layer's own */
    float mixed[B * 3], plain[B * 3];
    outputs(&n.m, n.x, mixed);
    model_shape_set_activation(&n.m.shape, ACTIVATION_RELU);
    outputs(&n.m, n.x, plain);
    assert_true(max_diff(mixed, plain, B * 3) > 1e-3);
    free(params);
    net_free(&n);
}

static void expect_refusal(const ModelShape *s, ReshapeEdit e, const char *words)
{
    ReshapePlan p;
    Rng r;
    rng_seed(&r, 1);
    Error err = {0};
    assert_int_equal(reshape_plan(&p, s, &e, &r, &err), ERROR_INPUT);
    if (!strstr(err.msg, words)) fail_msg("message \"%s\" does not say \"%s\"", err.msg, words);
    reshape_plan_free(&p);
}

static void impossible_edits_are_refused_with_a_reason(void **state)
{
    (void)state;
    ModelShape s;
    Error err = {0};
    const int hidden[2] = {1, 4};
    assert_int_equal(
        model_shape_make(&s, N_IN, hidden, 2, ACTIVATION_RELU, LOSS_AUTO, true, 3, &err), 0);
    expect_refusal(&s, (ReshapeEdit){.kind = RESHAPE_REMOVE_UNIT, .layer = 1},
                   "one unit left: remove the layer instead");
    expect_refusal(&s, (ReshapeEdit){.kind = RESHAPE_ADD_UNIT, .layer = 3},
                   "output layer's 3 units are fixed by the task");
    expect_refusal(&s, (ReshapeEdit){.kind = RESHAPE_REMOVE_LAYER, .layer = 3},
                   "output layer cannot be removed");
    expect_refusal(&s,
                   (ReshapeEdit){.kind = RESHAPE_ACTIVATION, .layer = 3, .act = ACTIVATION_TANH},
                   "follows the loss");
    expect_refusal(&s, (ReshapeEdit){.kind = RESHAPE_ADD_UNIT, .layer = 0}, "3 features");
    expect_refusal(&s, (ReshapeEdit){.kind = RESHAPE_ADD_UNIT, .layer = 7}, "layers are 0");
    expect_refusal(&s, (ReshapeEdit){.kind = RESHAPE_REMOVE_UNIT, .layer = 2, .unit = 4},
                   "units 0 to 3");
    expect_refusal(&s, (ReshapeEdit){.kind = RESHAPE_ADD_LAYER, .layer = 3, .act = ACTIVATION_RELU},
                   "follow the output layer");
    expect_refusal(&s,
                   (ReshapeEdit){.kind = RESHAPE_ACTIVATION, .layer = 1, .act = ACTIVATION_RELU},
                   "already relu");
    expect_refusal(&s,
                   (ReshapeEdit){.kind = RESHAPE_ADD_LAYER, .layer = 1, .act = ACTIVATION_LINEAR},
                   "one of relu");
    int many[MODEL_MAX_HIDDEN];
    for (int i = 0; i < MODEL_MAX_HIDDEN; i++) many[i] = 2;
    assert_int_equal(model_shape_make(&s, N_IN, many, MODEL_MAX_HIDDEN, ACTIVATION_RELU, LOSS_AUTO,
                                      true, 3, &err),
                     0);
    expect_refusal(&s, (ReshapeEdit){.kind = RESHAPE_ADD_LAYER, .layer = 1, .act = ACTIVATION_RELU},
                   "16 hidden layers, the most");
}

/* The journal's text names the layers before and after. */
static void the_plan_says_what_it_did(void **state)
{
    (void)state;
    Net n;
    net_make(&n, ACTIVATION_RELU, 61);
    ReshapePlan p;
    Rng r;
    rng_seed(&r, 1);
    Error err = {0};
    ReshapeEdit e = {.kind = RESHAPE_ADD_UNIT, .layer = 1, .unit = 5};
    assert_int_equal(reshape_plan(&p, &n.m.shape, &e, &r, &err), ERROR_NONE);
    assert_string_equal(p.text, "layers 5,4 -> 6,4: unit 6 added to hidden layer 1, the outputs "
                                "unchanged");
    reshape_plan_free(&p);
    e = (ReshapeEdit){.kind = RESHAPE_ACTIVATION, .layer = 2, .act = ACTIVATION_TANH};
    assert_int_equal(reshape_plan(&p, &n.m.shape, &e, &r, &err), ERROR_NONE);
    assert_string_equal(p.text, "layers 5,4 -> 5,4: hidden layer 2 relu -> tanh, the weights kept");
    reshape_plan_free(&p);
    net_free(&n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(adding_a_unit_keeps_the_outputs_for_every_activation),
        cmocka_unit_test(the_optimizer_state_follows_its_weights),
        cmocka_unit_test(new_adagrad_accumulators_start_at_the_initial_value),
        cmocka_unit_test(removing_the_unit_just_added_gives_the_network_back),
        cmocka_unit_test(a_relu_layer_after_a_relu_layer_is_the_identity),
        cmocka_unit_test(relu_family_layers_are_exact_after_bounded_layers),
        cmocka_unit_test(tanh_and_sigmoid_layers_start_near_the_identity),
        cmocka_unit_test(changing_an_activation_keeps_every_weight_and_moment),
        cmocka_unit_test(impossible_edits_are_refused_with_a_reason),
        cmocka_unit_test(the_plan_says_what_it_did),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
