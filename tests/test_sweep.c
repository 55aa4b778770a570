/*
 * test_sweep.c - the search space, the samplers and the schedulers' rules:
 * every malformed spec refused at its parameter and column, values checked
 * by the option table, conditional parameters, the samplers' bounds and
 * spread, grid coverage, TPE against random on a fixed function, the ASHA,
 * median and PBT rules on worked examples, and decisions that do not
 * depend on the order results are recorded in.
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

#include "gradtop/core/rng.h"
#include "gradtop/sweep/sweep.h"

static const char *const full_spec =
    "lr=loguniform(1e-4,1e-1); layers=choice(32|64,32|128,64); "
    "optimizer=choice(adam|sgd|rmsprop); batch-size=choice(16|32|64); dropout=uniform(0,0.5); "
    "l2=loguniform(1e-6,1e-2); activation=choice(relu|tanh)";

static void expect_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("message \"%s\" does not contain \"%s\"", haystack, needle);
}

static void parse_ok(SweepSpace *s, const char *spec)
{
    Error err = {0};
    ErrorCode rc = sweep_space_parse(s, spec, &err);
    if (rc) fail_msg("%s: rc %d: %s", spec, rc, err.msg);
}

/* The spec must be refused as a usage error whose message holds each of
 * the needles (NULL-terminated). */
static void parse_fails(const char *spec, ...)
{
    SweepSpace s;
    Error err = {0};
    ErrorCode rc = sweep_space_parse(&s, spec, &err);
    if (rc != ERROR_INPUT) fail_msg("%s: rc %d, want ERROR_INPUT (%s)", spec, rc, err.msg);
    va_list ap;
    va_start(ap, spec);
    for (const char *n = va_arg(ap, const char *); n; n = va_arg(ap, const char *))
        expect_contains(err.msg, n);
    va_end(ap);
}

static int param_of(const SweepSpace *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->p[i].spec->name, name) == 0) return i;
    fail_msg("no parameter %s", name);
    return -1;
}

/* ---- the space -------------------------------------------------------- */

static void a_space_from_a_config_line_counts_that_lines_columns(void **state)
{
    (void)state;
    /* `space = lr=...; momentum=...` : the spec starts at column 9 */
    const char *spec = "lr=loguniform(1e-4,1e-1); momentum=uniform(0.5,2)";
    SweepSpace s;
    Error err = {0};
    assert_int_equal(sweep_space_parse_from(&s, "lr=uniform(0.1,0.2); l2=int(0,1)", 9, &err),
                     ERROR_INPUT);
    expect_contains(err.msg, "--space: 'l2' at column 37: int does not fit --l2");
    assert_int_equal(sweep_space_parse_from(&s, spec, 9, &err), ERROR_INPUT);
    expect_contains(err.msg, "--space: 'momentum' at column 56: --momentum: out of range '2'");
    assert_int_equal(sweep_space_parse_from(&s, "lr=uniform(0.1,0.2); lr=uniform(1,2)", 9, &err),
                     ERROR_INPUT);
    expect_contains(err.msg, "'lr' at column 30: given twice (first at column 9)");
    assert_int_equal(sweep_space_parse_from(&s, "lr=uniform(0.1,0.2)\x01", 9, &err), ERROR_INPUT);
    expect_contains(err.msg, "control character 0x01 at column 28");
    assert_int_equal(sweep_space_parse_from(&s, "lr=uniform(0.1,0.2); l2=uniform(0,1)", 9, &err),
                     ERROR_NONE);
    assert_int_equal(s.p[1].column, 30);
    /* the command line's, from column 1 */
    assert_int_equal(sweep_space_parse(&s, spec, &err), ERROR_INPUT);
    expect_contains(err.msg, "'momentum' at column 48:");
}

static void the_full_example_parses_with_list_values_kept_whole(void **state)
{
    (void)state;
    SweepSpace s;
    parse_ok(&s, full_spec);
    assert_int_equal(s.n, 7);
    const SweepParam *lr = &s.p[param_of(&s, "lr")];
    assert_int_equal(lr->dist, SWEEP_LOGUNIFORM);
    assert_true(lr->lo == 1e-4 && lr->hi == 1e-1);
    assert_int_equal(lr->column, 1);
    const SweepParam *layers = &s.p[param_of(&s, "layers")];
    assert_int_equal(layers->dist, SWEEP_CHOICE);
    assert_int_equal(layers->n, 3);
    assert_string_equal(sweep_param_alt(&s, layers, 0), "32");
    assert_string_equal(sweep_param_alt(&s, layers, 1), "64,32");
    assert_string_equal(sweep_param_alt(&s, layers, 2), "128,64");
    assert_int_equal(layers->column, 27);
    const SweepParam *act = &s.p[param_of(&s, "activation")];
    assert_int_equal(act->n, 2);
    assert_string_equal(sweep_param_alt(&s, act, 1), "tanh");

    /* the two-layer alternative gives a network of two hidden layers */
    Options base, o;
    options_default(&base);
    SweepConfig c;
    memset(&c, 0, sizeof c);
    for (int i = 0; i < s.n; i++) {
        c.v[i].index = 0;
        c.v[i].x = s.p[i].lo;
    }
    c.v[param_of(&s, "layers")].index = 1;
    Error err = {0};
    assert_int_equal(sweep_config_apply(&s, &base, &c, &o, &err), ERROR_NONE);
    assert_int_equal(o.n_layers, 2);
    assert_int_equal(o.layers[0], 64);
    assert_int_equal(o.layers[1], 32);
    assert_true(o.hp.opt.lr == 1e-4);
    assert_false(o.lr_is_default);
}

static void blanks_a_trailing_semicolon_and_an_empty_network_are_accepted(void **state)
{
    (void)state;
    SweepSpace s;
    parse_ok(&s, "  lr = uniform ( 0.01 , 0.1 ) ;layers=choice(|16) ; ");
    assert_int_equal(s.n, 2);
    assert_string_equal(sweep_param_alt(&s, &s.p[1], 0), "");
    assert_string_equal(sweep_param_alt(&s, &s.p[1], 1), "16");
    assert_true(s.p[0].lo == 0.01 && s.p[0].hi == 0.1);
}

static void every_malformed_spec_names_the_parameter_and_its_column(void **state)
{
    (void)state;
    parse_fails("lr=loguniform(1e-4,1e-1", "--space: 'lr' at column 24: expected ')'", NULL);
    parse_fails("lr loguniform(1e-4,1e-1)", "'lr' at column 4: expected '='", NULL);
    parse_fails("=uniform(0,1)", "parameter 1 at column 1: expected a parameter name", NULL);
    parse_fails("lr=uniform(0.1,0.2);;", "parameter 2 at column 21: expected a parameter name",
                NULL);
    parse_fails("foo=uniform(0,1)", "'foo' at column 1: no such option", NULL);
    parse_fails("lr=gauss(0,1)", "'lr' at column 4: unknown distribution 'gauss'", NULL);
    parse_fails("lr=", "'lr' at column 4: expected choice, uniform", "the end of the spec", NULL);
    parse_fails("lr=uniform 0,1)", "'lr' at column 12: expected '('", NULL);
    parse_fails("lr=loguniform(x,1)",
                "'lr' at column 15: expected a number in decimal, like 0.5 or 1e-3, got 'x'", NULL);
    /* what strtod reads besides decimal is quoted whole, and refused in a
     * choice() as options_set refuses it anywhere */
    parse_fails("lr=uniform(nan,1)",
                "'lr' at column 12: expected a number in decimal, like 0.5 or 1e-3, got 'nan'",
                NULL);
    parse_fails("lr=uniform(0x1p-3,1)", "'lr' at column 12: expected a number in decimal",
                "got '0x1p-3' (--lr takes a positive number", NULL);
    parse_fails("dropout=uniform(0,inf)",
                "'dropout' at column 19: expected a number in decimal, like 0.5 or 1e-3, got "
                "'inf' (--dropout takes a number from 0 to 0.95)",
                NULL);
    parse_fails("lr=loggrid(1e-3,1,0x4)", "'lr' at column 19: expected a number in decimal",
                "got '0x4'", NULL);
    parse_fails("lr=choice(0x1p-3|0.1)",
                "'lr' at column 11: --lr: not a decimal number '0x1p-3' (expected a positive "
                "number, or default for the optimizer's own; in decimal, like 0.5 or 1e-3)",
                NULL);
    parse_fails("dropout=choice(0.1|inf)", "--dropout: not a decimal number 'inf'", NULL);
    parse_fails("lr=uniform(1e999,2)", "'lr' at column 12: 1e999 is beyond what a double holds",
                NULL);
    parse_fails("lr=uniform(0.1;0.2)", "'lr' at column 15: expected ','", NULL);
    parse_fails("lr=uniform(0.1,0.2) dropout=uniform(0,0.5)",
                "'lr' at column 21: expected ';' or the end of the spec, got 'd'", NULL);
    parse_fails("lr=loguniform(0,1)", "'lr' at column 15: loguniform needs a positive lower end",
                NULL);
    parse_fails("dropout=uniform(0.5,0.1)",
                "'dropout' at column 21: the upper end 0.1 must be above the lower end 0.5", NULL);
    parse_fails("patience=int(1.5,3)", "'patience' at column 14: int(a,b) takes whole numbers",
                NULL);
    parse_fails("patience=int(5,3)", "'patience' at column 16: the upper end 3 must be at least",
                NULL);
    parse_fails("lr=grid(0.1,0.2,1)", "'lr' at column 17: the number of points", NULL);
    parse_fails("lr=grid(0.1,0.2,2.5)", "'lr' at column 17: the number of points", NULL);
    parse_fails("lr=uniform(0.1,0.2); dropout=uniform(0,0.5",
                "'dropout' at column 43: expected ')', got the end of the spec", NULL);
    parse_fails("lr=uniform(0.1,0.2); lr=uniform(0.1,0.3)",
                "'lr' at column 22: given twice (first at column 1)", NULL);
    parse_fails("layers=uniform(1,2)", "'layers' at column 16: uniform does not fit --layers",
                "use choice", NULL);
    parse_fails("batch-size=uniform(1,2)", "'batch-size' at column 20", "use int(a,b)", NULL);
    parse_fails("dropout=int(0,1)", "'dropout' at column 13: int does not fit --dropout", NULL);
    parse_fails("optimizer=choice(adam|sgd", "'optimizer' at column 26: expected '|' or ')'",
                "the end of the spec", NULL);
    parse_fails("optimizer=choice(adam;sgd)", "'optimizer' at column 22: expected '|' or ')'",
                NULL);
    parse_fails("layers=choice( )", "'layers' at column 16: choice() has no alternatives", NULL);
    parse_fails("lr=choice()", "'lr' at column 11: choice() has no alternatives", NULL);
    /* an alternative given twice, as written or as the option reads it:
     * the grid would run its trials twice, and random and tpe draw it
     * twice as often as the others */
    parse_fails("optimizer=choice(adam|sgd|adam)",
                "'optimizer' at column 27: alternative 3 ('adam') is alternative 1 again", NULL);
    parse_fails("lr=choice(0.1|0.1000)",
                "'lr' at column 15: alternative 2 ('0.1000') is alternative 1 again ('0.1')", NULL);
    parse_fails("layers=choice(64,32|8| 64 , 32)",
                "'layers' at column 24: alternative 3 ('64 , 32') is alternative 1 again ('64,32')",
                NULL);
    parse_fails("logdir=choice(a|b)", "'logdir' at column 1", "cannot be searched", NULL);
    /* the dashboard's pace is how a run is shown: a headless trial ignores
     * it, so the "search" would rank identical trials */
    parse_fails("lr=uniform(0.1,0.2); pace=choice(max|5e)", "'pace' at column 22",
                "--pace says how a run is shown", "cannot be searched", NULL);
    parse_fails("lr=uniform(0.1,0.2);monitor=choice(loss|val_loss)",
                "'monitor' at column 21: --monitor is the sweep's own", NULL);
    parse_fails("epochs=int(1,5)", "'epochs' at column 1: --epochs is the sweep's own",
                "--max-epochs", NULL);
    parse_fails("name=choice(a|b)", "'name' at column 1: --name is the sweep's own", NULL);
    /* the data is prepared once and shared: searching it would record
     * values no trial trained with */
    parse_fails("lr=uniform(0.1,0.2); samples=choice(100|2000)",
                "'samples' at column 22: --samples shapes the data, which every trial of a "
                "sweep shares: give it to the whole sweep (--samples ..., for a generated set) "
                "instead",
                NULL);
    /* IDX images have no missing values: the advice says which data takes
     * --missing (gradtop sweep refuses it for IDX images) */
    parse_fails("missing=choice(drop|mean)",
                "'missing' at column 1: --missing shapes the data, which every trial of a sweep "
                "shares: give it to the whole sweep (--missing ..., for CSV data) instead",
                NULL);
    parse_fails("normalize=choice(none|standard)",
                "give it to the whole sweep (--normalize ...) "
                "instead",
                NULL);
    parse_fails("features=choice(x1,x2|x1,x2,x1^2)", "'features' at column 1", "shapes the data",
                NULL);
    parse_fails("val-split=uniform(0.1,0.3)", "'val-split' at column 1", "shapes the data", NULL);
    parse_fails("normalize=choice(none|standard)", "'normalize' at column 1", "shapes the data",
                NULL);
    parse_fails("max-epochs=int(2,5)",
                "'max-epochs' at column 1: --max-epochs is the sweep's "
                "own setting, not a trial's",
                NULL);
    parse_fails("threads=int(1,2)",
                "'threads' at column 1: --threads: each trial trains on one "
                "thread",
                NULL);
    parse_fails("seed=int(1,9)", "'seed' at column 1",
                "--seed also draws the data's validation split", NULL);
    parse_fails("lr=uniform(1e-320,1e-300)",
                "'lr' at column 12: 1e-320 is beyond what a double "
                "holds (too near zero",
                NULL);
    parse_fails("lr=uniform(1e-3,1e400)",
                "'lr' at column 17: 1e400 is beyond what a double holds "
                "(too large",
                NULL);
    parse_fails("", "--space: no parameter to search", NULL);
    parse_fails("  ;", "parameter 1 at column 3: expected a parameter name", NULL);
    parse_fails("lr=uniform(0.1,\x01)", "control character 0x01 at column 16", NULL);
}

static void a_spec_too_long_or_with_too_many_parts_is_refused(void **state)
{
    (void)state;
    char big[SWEEP_SPEC_MAX + 16];
    memset(big, ' ', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    parse_fails(big, "--space: longer than", NULL);

    /* 65 alternatives */
    char spec[1024];
    size_t n = (size_t)snprintf(spec, sizeof spec, "batch-size=choice(1");
    for (int i = 2; i <= SWEEP_MAX_CHOICES + 1; i++)
        n += (size_t)snprintf(spec + n, sizeof spec - n, "|%d", i);
    snprintf(spec + n, sizeof spec - n, ")");
    parse_fails(spec, "'batch-size' at column", "more than 64 alternatives", NULL);
}

/* Random damage to a valid spec: always a clean answer, never a crash or
 * a read outside the spec (the sanitizer build checks that). */
static void damaged_specs_are_answered_cleanly(void **state)
{
    (void)state;
    Rng r;
    rng_seed(&r, 5);
    const char alphabet[] = "()|,;= \t-.e0123456789abcxyzlr";
    size_t len = strlen(full_spec);
    int refused = 0;
    for (int k = 0; k < 20000; k++) {
        char spec[512];
        memcpy(spec, full_spec, len + 1);
        int edits = 1 + (int)rng_below(&r, 4);
        for (int e = 0; e < edits; e++) {
            size_t at = (size_t)rng_below(&r, len);
            switch (rng_below(&r, 3)) {
            case 0: spec[at] = alphabet[rng_below(&r, sizeof alphabet - 1)]; break;
            case 1: spec[at] = '\0'; break; /* cut short */
            default: memmove(spec + at, spec + at + 1, len - at); break;
            }
        }
        SweepSpace s;
        Error err = {0};
        ErrorCode rc = sweep_space_parse(&s, spec, &err);
        if (rc != ERROR_NONE && rc != ERROR_INPUT) fail_msg("%s: rc %d", spec, rc);
        if (rc) {
            refused++;
            if (strncmp(err.msg, "--space: ", 9) != 0) fail_msg("%s: message %s", spec, err.msg);
        }
    }
    assert_true(refused > 10000);
}

static void every_value_is_checked_by_the_option_table(void **state)
{
    (void)state;
    /* the option's own message and range, at the value's column */
    parse_fails("layers=choice(0)",
                "--space: 'layers' at column 15: --layers:", "layer size out of range '0'",
                "comma-separated sizes from 1", NULL);
    parse_fails("layers=choice(32|64,x)", "'layers' at column 18: --layers:", NULL);
    parse_fails("lr=uniform(-1,1)", "'lr' at column 12: --lr: out of range '-1'",
                "a positive number", NULL);
    parse_fails("dropout=uniform(0,0.99)", "'dropout' at column 19: --dropout: out of range",
                "from 0 to 0.95", NULL);
    parse_fails("optimizer=choice(adam|nadam)",
                "'optimizer' at column 23: --optimizer:", "unknown value 'nadam'", "sgd|adam",
                NULL);
    parse_fails("batch-size=int(0,8)", "'batch-size' at column 16: --batch-size: out of range '0'",
                NULL);
    parse_fails("batch-size=loggrid(16,4000000,3)", "'batch-size' at column 20",
                "--batch-size: out of range '4000000'", NULL);
    parse_fails("l2=loggrid(1e-3,100,3)", "--l2: out of range '100'", NULL);
    /* a grid on an integer option is rounded; points that collide are refused */
    parse_fails("batch-size=grid(1,3,5)", "'batch-size' at column 21",
                "5 points from 1 to 3 repeat once rounded", NULL);
    SweepSpace s;
    parse_ok(&s, "batch-size=loggrid(16,256,5)");
    const double want[] = {16, 32, 64, 128, 256};
    for (int i = 0; i < 5; i++) assert_true(sweep_param_point(&s.p[0], i) == want[i]);
}

static void a_loggrid_is_evenly_spaced_in_log_and_ends_exactly(void **state)
{
    (void)state;
    SweepSpace s;
    parse_ok(&s, "lr=loggrid(1e-4,1e-1,4); dropout=grid(0,0.5,3)");
    const double want[] = {1e-4, 1e-3, 1e-2, 1e-1};
    for (int i = 0; i < 4; i++) {
        double x = sweep_param_point(&s.p[0], i);
        if (fabs(x / want[i] - 1) > 1e-12) fail_msg("point %d = %.17g, want %g", i, x, want[i]);
    }
    assert_true(sweep_param_point(&s.p[0], 3) == 1e-1);
    assert_true(sweep_param_point(&s.p[1], 0) == 0);
    assert_true(sweep_param_point(&s.p[1], 1) == 0.25);
    assert_true(sweep_param_point(&s.p[1], 2) == 0.5);
    assert_true(sweep_param_is_log(&s.p[0]));
    assert_false(sweep_param_is_log(&s.p[1]));
}

/* ---- conditional parameters ------------------------------------------- */

static void a_parameter_of_one_optimizer_applies_only_when_it_is_chosen(void **state)
{
    (void)state;
    SweepSpace s;
    parse_ok(&s, "momentum=uniform(0.5,0.9); optimizer=choice(adam|sgd); beta1=uniform(0.8,0.95)");
    Options base;
    options_default(&base); /* adam, momentum 0 */
    SweepSampler sm;
    sweep_sampler_default(&sm, SWEEP_SAMPLER_RANDOM, 7, MONITOR_VAL_LOSS);
    int seen_sgd = 0, seen_adam = 0;
    for (int t = 0; t < 200; t++) {
        SweepConfig c;
        Options o;
        Error err = {0};
        assert_int_equal(sweep_sample(&sm, &s, &base, t, NULL, 0, &c, &o, &err), ERROR_NONE);
        bool sgd = o.hp.opt.kind == OPTIMIZER_SGD;
        seen_sgd += sgd;
        seen_adam += !sgd;
        assert_true(c.v[1].active);
        assert_int_equal(c.v[0].active, sgd);  /* momentum: sgd only */
        assert_int_equal(c.v[2].active, !sgd); /* beta1: adam only */
        char buf[64];
        sweep_value_format(&s, sgd ? 2 : 0, &c.v[sgd ? 2 : 0], buf, sizeof buf);
        assert_string_equal(buf, "-");
        if (sgd) {
            assert_true(o.hp.opt.momentum == c.v[0].x);
            assert_true(o.hp.opt.beta1 == base.hp.opt.beta1); /* left out */
        } else {
            assert_true(o.hp.opt.beta1 == c.v[2].x);
            assert_true(o.hp.opt.momentum == base.hp.opt.momentum);
        }
    }
    assert_true(seen_sgd > 50 && seen_adam > 50);
}

static void a_parameter_no_trial_can_take_is_refused(void **state)
{
    (void)state;
    SweepSpace s;
    Options base;
    options_default(&base); /* adam */
    Error err = {0};
    parse_ok(&s, "lr=loguniform(1e-3,1e-1); momentum=uniform(0,0.9)");
    assert_int_equal(sweep_space_check(&s, &base, SWEEP_SAMPLER_RANDOM, &err), ERROR_INPUT);
    expect_contains(err.msg, "--space: 'momentum' at column 27: --momentum applies only under "
                             "sgd rmsprop");
    /* with sgd in the base, or among the optimizers searched, it applies */
    Options sgd = base;
    sgd.hp.opt.kind = OPTIMIZER_SGD;
    assert_int_equal(sweep_space_check(&s, &sgd, SWEEP_SAMPLER_RANDOM, &err), ERROR_NONE);
    parse_ok(&s, "momentum=uniform(0,0.9); optimizer=choice(adam|rmsprop)");
    assert_int_equal(sweep_space_check(&s, &base, SWEEP_SAMPLER_RANDOM, &err), ERROR_NONE);
    /* a schedule's parameter follows lr-schedule the same way */
    parse_ok(&s, "gamma=uniform(0.1,0.9); lr-schedule=choice(constant|cosine)");
    assert_int_equal(sweep_space_check(&s, &base, SWEEP_SAMPLER_RANDOM, &err), ERROR_INPUT);
    expect_contains(err.msg, "'gamma' at column 1");
    parse_ok(&s, "gamma=uniform(0.1,0.9); lr-schedule=choice(constant|step)");
    assert_int_equal(sweep_space_check(&s, &base, SWEEP_SAMPLER_RANDOM, &err), ERROR_NONE);
}

/* ---- samplers --------------------------------------------------------- */

static void sample_ok(const SweepSampler *sm, const SweepSpace *s, const Options *base, int t,
                      const SweepObservation *obs, int n_obs, SweepConfig *c, Options *o)
{
    Error err = {0};
    ErrorCode rc = sweep_sample(sm, s, base, t, obs, n_obs, c, o, &err);
    if (rc) fail_msg("trial %d: rc %d: %s", t, rc, err.msg);
}

static void random_draws_stay_within_their_ranges_and_reach_every_integer(void **state)
{
    (void)state;
    SweepSpace s;
    parse_ok(&s, "dropout=uniform(0.1,0.4); lr=loguniform(1e-4,1e-1); batch-size=int(3,7); "
                 "l2=loggrid(1e-5,1e-3,3)");
    Options base;
    options_default(&base);
    SweepSampler sm;
    sweep_sampler_default(&sm, SWEEP_SAMPLER_RANDOM, 1, MONITOR_VAL_LOSS);
    int ints[8] = {0}, points[3] = {0};
    for (int t = 0; t < 2000; t++) {
        SweepConfig c;
        Options o;
        sample_ok(&sm, &s, &base, t, NULL, 0, &c, &o);
        assert_true(o.hp.dropout >= 0.1 && o.hp.dropout <= 0.4);
        assert_true(o.hp.opt.lr >= 1e-4 && o.hp.opt.lr <= 1e-1);
        assert_true(o.hp.batch_size >= 3 && o.hp.batch_size <= 7);
        ints[o.hp.batch_size]++;
        assert_true(c.v[3].index >= 0 && c.v[3].index < 3);
        points[c.v[3].index]++;
        assert_true(o.hp.l2 == sweep_param_point(&s.p[3], c.v[3].index));
        assert_true(o.hp.dropout == c.v[0].x && o.hp.opt.lr == c.v[1].x);
    }
    for (int k = 3; k <= 7; k++) assert_true(ints[k] > 300);
    for (int k = 0; k < 3; k++) assert_true(points[k] > 550);
}

static void the_same_seed_and_trial_give_the_same_configuration(void **state)
{
    (void)state;
    SweepSpace s;
    parse_ok(&s, full_spec);
    Options base;
    options_default(&base);
    SweepSampler sm;
    sweep_sampler_default(&sm, SWEEP_SAMPLER_RANDOM, 42, MONITOR_VAL_LOSS);
    SweepConfig a, b, other;
    Options oa, ob, oo;
    sample_ok(&sm, &s, &base, 5, NULL, 0, &a, &oa);
    sample_ok(&sm, &s, &base, 3, NULL, 0, &other, &oo); /* another trial between */
    sample_ok(&sm, &s, &base, 5, NULL, 0, &b, &ob);
    assert_memory_equal(&a, &b, sizeof a);
    assert_memory_equal(&oa, &ob, sizeof oa);
    /* a different trial or seed draws differently */
    assert_false(a.v[0].x == other.v[0].x);
    sm.seed = 43;
    sample_ok(&sm, &s, &base, 5, NULL, 0, &b, &ob);
    assert_false(a.v[0].x == b.v[0].x);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void loguniform_spreads_evenly_over_the_decades(void **state)
{
    (void)state;
    SweepSpace s;
    parse_ok(&s, "lr=loguniform(1e-4,1e-1)");
    Options base;
    options_default(&base);
    SweepSampler sm;
    sweep_sampler_default(&sm, SWEEP_SAMPLER_RANDOM, 3, MONITOR_VAL_LOSS);
    enum { N = 30000 };
    static double x[N];
    int decade[3] = {0};
    for (int t = 0; t < N; t++) {
        SweepConfig c;
        Options o;
        sample_ok(&sm, &s, &base, t, NULL, 0, &c, &o);
        x[t] = o.hp.opt.lr;
        int d = (int)floor(log10(x[t]) + 4);
        assert_true(d >= 0 && d <= 3);
        decade[d > 2 ? 2 : d]++;
    }
    qsort(x, N, sizeof x[0], cmp_double);
    /* the median sits at the geometric mean 10^-2.5 (a uniform draw's
     * median would be near 0.05); each decade holds a third, within 0.015
     * (5.5 standard deviations of a share of 30000 draws) */
    double median = x[N / 2];
    if (fabs(log10(median) + 2.5) > 0.03)
        fail_msg("median %g, want near %g", median, pow(10, -2.5));
    for (int d = 0; d < 3; d++)
        if (fabs(decade[d] / (double)N - 1.0 / 3) > 0.015)
            fail_msg("decade %d holds %.4f of the draws", d, decade[d] / (double)N);
}

static void choices_are_drawn_with_equal_frequency(void **state)
{
    (void)state;
    SweepSpace s;
    parse_ok(&s, "optimizer=choice(adam|sgd|rmsprop|adagrad); activation=choice(relu|tanh)");
    Options base;
    options_default(&base);
    SweepSampler sm;
    sweep_sampler_default(&sm, SWEEP_SAMPLER_RANDOM, 11, MONITOR_VAL_LOSS);
    enum { N = 40000 };
    int opt[8] = {0}, act[8] = {0};
    for (int t = 0; t < N; t++) {
        SweepConfig c;
        Options o;
        sample_ok(&sm, &s, &base, t, NULL, 0, &c, &o);
        opt[c.v[0].index]++;
        act[o.activation]++;
        /* the option follows the index drawn */
        assert_string_equal(optimizer_names[o.hp.opt.kind],
                            sweep_param_alt(&s, &s.p[0], c.v[0].index));
    }
    /* within 0.01 of 1/4 and 1/2: over 4 standard deviations at 40000 */
    for (int k = 0; k < 4; k++)
        if (fabs(opt[k] / (double)N - 0.25) > 0.01)
            fail_msg("alternative %d: %d of %d", k, opt[k], N);
    assert_true(fabs(act[ACTIVATION_RELU] / (double)N - 0.5) < 0.01);
    assert_true(fabs(act[ACTIVATION_TANH] / (double)N - 0.5) < 0.01);
}

static void the_grid_holds_every_combination_once_in_its_documented_order(void **state)
{
    (void)state;
    SweepSpace s;
    parse_ok(&s, "momentum=choice(0|0.9); batch-size=choice(16|32|64); "
                 "optimizer=choice(adam|sgd); lr=loggrid(1e-3,1e-1,3)");
    Options base;
    options_default(&base);
    size_t n;
    Error err = {0};
    assert_int_equal(sweep_grid_size(&s, &base, &n, &err), ERROR_NONE);
    /* adam: 3 batch sizes x 3 rates; sgd adds its 2 momenta: 9 + 18 */
    assert_int_equal(n, 27);
    SweepSampler sm;
    sweep_sampler_default(&sm, SWEEP_SAMPLER_GRID, 0, MONITOR_VAL_LOSS);
    char seen[27][128];
    int n_adam = 0;
    for (int t = 0; t < 27; t++) {
        SweepConfig c;
        Options o;
        sample_ok(&sm, &s, &base, t, NULL, 0, &c, &o);
        size_t k = 0;
        for (int i = 0; i < s.n; i++) {
            char v[64];
            sweep_value_format(&s, i, &c.v[i], v, sizeof v);
            k += (size_t)snprintf(seen[t] + k, sizeof seen[t] - k, "%s ", v);
        }
        for (int u = 0; u < t; u++)
            if (!strcmp(seen[u], seen[t])) fail_msg("trials %d and %d are both %s", u, t, seen[t]);
        n_adam += o.hp.opt.kind == OPTIMIZER_ADAM;
        assert_int_equal(c.v[0].active, o.hp.opt.kind == OPTIMIZER_SGD);
    }
    assert_int_equal(n_adam, 9);
    /* the root outermost, then the others in spec order, the last fastest */
    assert_string_equal(seen[0], "- 16 adam 0.001 ");
    assert_string_equal(seen[1], "- 16 adam 0.01 ");
    assert_string_equal(seen[3], "- 32 adam 0.001 ");
    assert_string_equal(seen[9], "0 16 sgd 0.001 ");
    assert_string_equal(seen[18], "0.9 16 sgd 0.001 ");
    assert_string_equal(seen[26], "0.9 64 sgd 0.1 ");
    /* beyond the grid */
    SweepConfig c;
    Options o;
    assert_int_equal(sweep_sample(&sm, &s, &base, 27, NULL, 0, &c, &o, &err), ERROR_INPUT);
    expect_contains(err.msg, "trial 28 is beyond the grid's 27 points");
}

static void the_grid_refuses_a_continuous_range_and_counts_integers(void **state)
{
    (void)state;
    SweepSpace s;
    Options base;
    options_default(&base);
    size_t n;
    Error err = {0};
    parse_ok(&s, "batch-size=choice(16|32); lr=loguniform(1e-4,1e-1)");
    assert_int_equal(sweep_grid_size(&s, &base, &n, &err), ERROR_INPUT);
    expect_contains(err.msg, "'lr' at column 27: loguniform is a continuous range");
    expect_contains(err.msg, "loggrid(a,b,n)");
    parse_ok(&s, "dropout=uniform(0,0.5)");
    assert_int_equal(sweep_space_check(&s, &base, SWEEP_SAMPLER_GRID, &err), ERROR_INPUT);
    expect_contains(err.msg, "give its points with grid(a,b,n)");
    /* random and TPE take it */
    assert_int_equal(sweep_space_check(&s, &base, SWEEP_SAMPLER_TPE, &err), ERROR_NONE);
    parse_ok(&s, "patience=int(2,6); activation=choice(relu|tanh|elu)");
    assert_int_equal(sweep_grid_size(&s, &base, &n, &err), ERROR_NONE);
    assert_int_equal(n, 15);
}

/* The fixed 1-D function: lower is better, least at lr = 10^-2.5. */
static double bowl(const Options *o)
{
    double d = log10(o->hp.opt.lr) + 2.5;
    return d * d;
}

/* The best figure after n trials, each sampled from all before it. */
static double best_after(SweepSamplerKind kind, uint64_t seed, int n)
{
    SweepSpace s;
    /* the range's log-middle (1e-3) is not the optimum */
    parse_ok(&s, "lr=loguniform(1e-5,1e-1)");
    Options base;
    options_default(&base);
    SweepSampler sm;
    sweep_sampler_default(&sm, kind, seed, MONITOR_VAL_LOSS);
    SweepConfig cfg[64];
    SweepObservation obs[64];
    double best = INFINITY;
    for (int t = 0; t < n; t++) {
        Options o;
        sample_ok(&sm, &s, &base, t, obs, t, &cfg[t], &o);
        double f = bowl(&o);
        obs[t] = (SweepObservation){.config = &cfg[t], .figure = f, .complete = true, .epochs = 1};
        if (f < best) best = f;
    }
    return best;
}

static void tpe_finds_a_better_rate_than_random_on_a_fixed_function(void **state)
{
    (void)state;
    int wins = 0;
    double sum_tpe = 0, sum_random = 0;
    for (uint64_t seed = 1; seed <= 10; seed++) {
        double t = best_after(SWEEP_SAMPLER_TPE, seed, 40);
        double r = best_after(SWEEP_SAMPLER_RANDOM, seed, 40);
        wins += t < r;
        sum_tpe += t;
        sum_random += r;
    }
    if (getenv("SWEEP_SHOW"))
        printf("TPE better on %d of 10; mean best %.4g vs %.4g\n", wins, sum_tpe / 10,
               sum_random / 10);
    if (wins < 7 || !(sum_tpe < sum_random))
        fail_msg("TPE better on %d of 10 seeds; mean best %.3g against random's %.3g", wins,
                 sum_tpe / 10, sum_random / 10);
    /* and its first 10 trials are the random sampler's */
    SweepSpace s;
    parse_ok(&s, "lr=loguniform(1e-5,1e-1)");
    Options base, o1, o2;
    options_default(&base);
    SweepSampler tpe, rnd;
    sweep_sampler_default(&tpe, SWEEP_SAMPLER_TPE, 5, MONITOR_VAL_LOSS);
    sweep_sampler_default(&rnd, SWEEP_SAMPLER_RANDOM, 5, MONITOR_VAL_LOSS);
    SweepConfig c1, c2;
    sample_ok(&tpe, &s, &base, 9, NULL, 0, &c1, &o1);
    sample_ok(&rnd, &s, &base, 9, NULL, 0, &c2, &o2);
    assert_true(o1.hp.opt.lr == o2.hp.opt.lr);
}

/* TPE reads the monitor's direction: with accuracy (higher is better) the
 * good trials are the high ones. */
static void tpe_follows_the_monitor_direction_on_choices(void **state)
{
    (void)state;
    SweepSpace s;
    parse_ok(&s, "activation=choice(relu|tanh|elu|gelu)");
    Options base;
    options_default(&base);
    SweepConfig cfg[30];
    SweepObservation obs[30];
    for (int t = 0; t < 30; t++) {
        memset(&cfg[t], 0, sizeof cfg[t]);
        cfg[t].v[0] = (SweepValue){.active = true, .index = t % 4, .x = t % 4};
        /* tanh (index 1) scores highest */
        obs[t] = (SweepObservation){&cfg[t], t % 4 == 1 ? 0.9 : 0.5, true, 10};
    }
    int count[2][4] = {{0}};
    for (int m = 0; m < 2; m++) {
        SweepSampler sm;
        sweep_sampler_default(&sm, SWEEP_SAMPLER_TPE, 9,
                              m == 0 ? MONITOR_VAL_ACCURACY : MONITOR_VAL_LOSS);
        for (int t = 30; t < 130; t++) {
            SweepConfig c;
            Options o;
            sample_ok(&sm, &s, &base, t, obs, 30, &c, &o);
            count[m][c.v[0].index]++;
        }
    }
    /* accuracy: tanh nearly always; as a loss, 0.9 is bad: tanh seldom */
    assert_true(count[0][1] > 90);
    assert_true(count[1][1] < 10);
}

/* ---- recorded results ------------------------------------------------- */

static SweepBoard board_new(int trials, int epochs, MonitorField m)
{
    SweepBoard b;
    Error err = {0};
    if (sweep_board_init(&b, trials, epochs, m, &err)) fail_msg("%s", err.msg);
    return b;
}

static void the_board_keeps_one_figure_per_trial_and_epoch(void **state)
{
    (void)state;
    SweepBoard b = board_new(3, 4, MONITOR_VAL_LOSS);
    assert_true(isnan(sweep_board_get(&b, 0, 1)));
    sweep_board_record(&b, 1, 2, 0.25);
    assert_true(sweep_board_get(&b, 1, 2) == 0.25);
    /* a diverged figure is the worst, not a missing one */
    sweep_board_record(&b, 2, 1, NAN);
    assert_true(sweep_board_get(&b, 2, 1) == INFINITY);
    /* out of range: ignored */
    sweep_board_record(&b, 3, 1, 0.1);
    sweep_board_record(&b, 0, 5, 0.1);
    sweep_board_record(&b, 0, 0, 0.1);
    assert_true(isnan(sweep_board_get(&b, 3, 1)) && isnan(sweep_board_get(&b, 0, 5)));
    sweep_board_free(&b);
    b = board_new(1, 1, MONITOR_ACCURACY);
    sweep_board_record(&b, 0, 1, INFINITY);
    assert_true(sweep_board_get(&b, 0, 1) == -INFINITY);
    assert_true(sweep_board_better(&b, 0.9, 0.8));
    sweep_board_free(&b);
    Error err = {0};
    assert_int_equal(sweep_board_init(&b, 100000, 1000000, MONITOR_LOSS, &err), ERROR_INPUT);
    expect_contains(err.msg, "100000 trials of 1000000 epochs");
}

/* ---- ASHA ------------------------------------------------------------- */

static void asha_rungs_grow_by_eta_up_to_the_full_length(void **state)
{
    (void)state;
    SweepAsha a;
    Error err = {0};
    SweepAshaParams p = {.eta = 3, .min_epochs = 1, .max_epochs = 27};
    assert_int_equal(sweep_asha_init(&a, &p, 10, &err), ERROR_NONE);
    assert_int_equal(a.n_rungs, 4);
    const int want[] = {1, 3, 9, 27};
    for (int k = 0; k < 4; k++) assert_int_equal(a.rung_epochs[k], want[k]);
    sweep_asha_free(&a);
    p = (SweepAshaParams){.eta = 4, .min_epochs = 2, .max_epochs = 30};
    assert_int_equal(sweep_asha_init(&a, &p, 10, &err), ERROR_NONE);
    assert_int_equal(a.n_rungs, 3); /* 2, 8, then 30 */
    assert_int_equal(a.rung_epochs[1], 8);
    assert_int_equal(a.rung_epochs[2], 30);
    /* the rung a trial reached: the highest whose epochs it trained */
    const int epochs[] = {0, 1, 2, 7, 8, 29, 30};
    const int rung[] = {-1, -1, 0, 0, 1, 1, 2};
    for (int k = 0; k < 7; k++) assert_int_equal(sweep_asha_rung_of(&a, epochs[k]), rung[k]);
    sweep_asha_free(&a);
    p.eta = 1;
    assert_int_equal(sweep_asha_init(&a, &p, 10, &err), ERROR_INPUT);
    expect_contains(err.msg, "--eta");
    p = (SweepAshaParams){.eta = 3, .min_epochs = 40, .max_epochs = 30};
    assert_int_equal(sweep_asha_init(&a, &p, 10, &err), ERROR_INPUT);
    expect_contains(err.msg, "--min-epochs");
}

static void expect_next(SweepAsha *a, const SweepBoard *b, int want_trial, int want_rung)
{
    int t = -1, k = -1;
    bool got = sweep_asha_next(a, b, &t, &k);
    if (want_trial < 0) {
        if (got) fail_msg("promoted trial %d to rung %d, want none", t, k);
        return;
    }
    if (!got || t != want_trial || k != want_rung)
        fail_msg("got %s trial %d to rung %d, want trial %d to rung %d", got ? "" : "no", t, k,
                 want_trial, want_rung);
}

/* The paper's Algorithm 2 by hand, eta = 3, rungs at 1, 3, 9 epochs,
 * val_loss (lower is better). */
static void asha_promotes_the_top_third_of_a_rung_as_results_arrive(void **state)
{
    (void)state;
    SweepAsha a;
    Error err = {0};
    SweepAshaParams p = {.eta = 3, .min_epochs = 1, .max_epochs = 9};
    assert_int_equal(sweep_asha_init(&a, &p, 20, &err), ERROR_NONE);
    SweepBoard b = board_new(20, 9, MONITOR_VAL_LOSS);
    /* floor(1/3) = floor(2/3) = 0: nothing is promotable yet */
    sweep_board_record(&b, 0, 1, 0.50);
    expect_next(&a, &b, -1, 0);
    sweep_board_record(&b, 1, 1, 0.40);
    expect_next(&a, &b, -1, 0);
    /* three results: the best one (trial 1) goes to rung 1, once */
    sweep_board_record(&b, 2, 1, 0.60);
    expect_next(&a, &b, 1, 1);
    expect_next(&a, &b, -1, 0);
    /* trial 3 is the new best: the top 1 of 4 */
    sweep_board_record(&b, 3, 1, 0.30);
    expect_next(&a, &b, 3, 1);
    sweep_board_record(&b, 4, 1, 0.45);
    sweep_board_record(&b, 5, 1, 0.70);
    expect_next(&a, &b, -1, 0); /* top 2 of 6: trials 3 and 1, both promoted */
    sweep_board_record(&b, 6, 1, 0.35);
    expect_next(&a, &b, 6, 1); /* top 2 of 7: 3 and 6; trial 1 stays promoted */
    /* rung 1 fills: 3 results, its best (trial 3) is promotable to rung 2;
     * a promotable trial at rung 0 (trial 7) comes after: higher rungs first */
    sweep_board_record(&b, 1, 3, 0.38);
    sweep_board_record(&b, 3, 3, 0.25);
    sweep_board_record(&b, 6, 3, 0.33);
    sweep_board_record(&b, 7, 1, 0.20);
    expect_next(&a, &b, 3, 2);
    expect_next(&a, &b, 7, 1);
    expect_next(&a, &b, -1, 0);
    /* trial 0 (0.50) waits at rung 0, 6th of 8; it is promoted later when
     * worse results make it one of the top third: 18 results, top 6, where
     * trial 4 (0.45) is promotable too and goes first */
    for (int t = 8; t < 18; t++) sweep_board_record(&b, t, 1, 0.90);
    expect_next(&a, &b, 4, 1);
    expect_next(&a, &b, 0, 1);
    expect_next(&a, &b, -1, 0);
    sweep_board_free(&b);
    sweep_asha_free(&a);
}

static void asha_with_accuracy_promotes_the_highest(void **state)
{
    (void)state;
    SweepAsha a;
    Error err = {0};
    SweepAshaParams p = {.eta = 2, .min_epochs = 2, .max_epochs = 8};
    assert_int_equal(sweep_asha_init(&a, &p, 4, &err), ERROR_NONE);
    SweepBoard b = board_new(4, 8, MONITOR_VAL_ACCURACY);
    sweep_board_record(&b, 0, 2, 0.70);
    sweep_board_record(&b, 1, 2, 0.90);
    expect_next(&a, &b, 1, 1);
    /* equal figures: the lower trial first */
    sweep_board_record(&b, 2, 2, 0.80);
    sweep_board_record(&b, 3, 2, 0.80);
    expect_next(&a, &b, 2, 1);
    expect_next(&a, &b, -1, 0);
    sweep_board_free(&b);
    sweep_asha_free(&a);

    /* diverged trials tie as the worst: one of them is "top" of three but
     * is not promoted */
    SweepAshaParams p3 = {.eta = 3, .min_epochs = 1, .max_epochs = 3};
    assert_int_equal(sweep_asha_init(&a, &p3, 3, &err), ERROR_NONE);
    b = board_new(3, 3, MONITOR_VAL_LOSS);
    for (int t = 0; t < 3; t++) sweep_board_record(&b, t, 1, NAN);
    expect_next(&a, &b, -1, 0);
    sweep_board_free(&b);
    sweep_asha_free(&a);
}

/* ---- median ----------------------------------------------------------- */

static void the_median_rule_stops_a_trial_worse_than_earlier_ones(void **state)
{
    (void)state;
    SweepMedianParams p = {.min_epochs = 2, .n_startup = 3};
    SweepBoard b = board_new(6, 4, MONITOR_VAL_LOSS);
    /* trials 0-3 at epochs 1-3 */
    const double curves[4][3] = {
        {0.90, 0.60, 0.50}, {0.80, 0.50, 0.40}, {0.85, 0.70, 0.65}, {0.95, 0.40, 0.30}};
    for (int t = 0; t < 4; t++)
        for (int e = 1; e <= 3; e++) sweep_board_record(&b, t, e, curves[t][e - 1]);
    /* trial 4: at epoch 1 it is in its warm-up, however bad */
    sweep_board_record(&b, 4, 1, 5.0);
    assert_false(sweep_median_stop(&p, &b, 4, 1));
    /* epoch 2: peers 0.60 0.50 0.70 0.40, median 0.55; its best 0.58 is
     * worse: stopped */
    sweep_board_record(&b, 4, 2, 0.58);
    assert_true(sweep_median_stop(&p, &b, 4, 2));
    /* with 0.52 it is better than 0.55: goes on */
    sweep_board_record(&b, 4, 2, 0.52);
    assert_false(sweep_median_stop(&p, &b, 4, 2));
    /* epoch 3: median of 0.50 0.40 0.65 0.30 is 0.45; its best so far is
     * still 0.52 (epoch 3's 0.60 is worse): stopped */
    sweep_board_record(&b, 4, 3, 0.60);
    assert_true(sweep_median_stop(&p, &b, 4, 3));
    /* trial 2 is judged by trials 0 and 1 only: fewer than n_startup */
    assert_false(sweep_median_stop(&p, &b, 2, 3));
    /* an odd count: trial 3 at epoch 3 against 0.50 0.40 0.65 (median
     * 0.50); its 0.30 goes on */
    assert_false(sweep_median_stop(&p, &b, 3, 3));
    /* a later trial that never reached epoch 4 is no peer at epoch 4 */
    sweep_board_record(&b, 5, 4, 0.1);
    assert_false(sweep_median_stop(&p, &b, 5, 4));
    sweep_board_free(&b);

    /* higher is better: accuracy below the median stops */
    b = board_new(5, 2, MONITOR_VAL_ACCURACY);
    const double acc[4] = {0.80, 0.70, 0.90, 0.60};
    for (int t = 0; t < 4; t++) sweep_board_record(&b, t, 2, acc[t]);
    sweep_board_record(&b, 4, 2, 0.74); /* median 0.75 */
    assert_true(sweep_median_stop(&p, &b, 4, 2));
    sweep_board_record(&b, 4, 2, 0.76);
    assert_false(sweep_median_stop(&p, &b, 4, 2));
    /* a diverged trial is stopped */
    sweep_board_record(&b, 4, 2, NAN);
    assert_true(sweep_median_stop(&p, &b, 4, 2));
    sweep_board_free(&b);
}

/* ---- PBT -------------------------------------------------------------- */

static void pbt_bottom_quarter_copies_top_quarter_and_perturbs_within_bounds(void **state)
{
    (void)state;
    SweepSpace s;
    parse_ok(&s, "lr=loguniform(1e-4,1e-1); layers=choice(16|32|64); "
                 "batch-size=choice(16|32|64); dropout=uniform(0,0.5)");
    Options base;
    options_default(&base);
    enum { N = 8 };
    SweepBoard b = board_new(N, 8, MONITOR_VAL_LOSS);
    SweepConfig cfg[N];
    bool live[N];
    SweepSampler sm;
    sweep_sampler_default(&sm, SWEEP_SAMPLER_RANDOM, 2, MONITOR_VAL_LOSS);
    /* loss at epoch 4: trial t scores (t * 5) % 8 / 10: ranks differ from
     * trial order; the best (0.0) is trial 0, then 5 (0.1); the worst are
     * 3 (0.7) and 6 (0.6) */
    for (int t = 0; t < N; t++) {
        Options o;
        sample_ok(&sm, &s, &base, t, NULL, 0, &cfg[t], &o);
        sweep_board_record(&b, t, 4, ((t * 5) % 8) / 10.0);
        live[t] = true;
    }
    /* pin the donors' rates at the range's ends: a step out is clipped */
    cfg[0].v[0].x = 1e-1;
    cfg[5].v[0].x = 1e-4;
    SweepExploit ex[N];
    int n = -1;
    Error err = {0};
    int factors_seen[2] = {0}, resampled = 0, kept = 0;
    for (uint64_t seed = 0; seed < 200; seed++) {
        SweepPbtParams p;
        sweep_pbt_default(&p, 4, seed);
        assert_int_equal(sweep_pbt_decide(&p, &s, &base, &b, 4, live, cfg, ex, &n, &err),
                         ERROR_NONE);
        assert_int_equal(n, 2);
        assert_int_equal(ex[0].trial, 3); /* the bottom two, in trial order */
        assert_int_equal(ex[1].trial, 6);
        for (int k = 0; k < n; k++) {
            int d = ex[k].donor;
            if (d != 0 && d != 5) fail_msg("donor %d is not in the top quarter", d);
            const SweepConfig *c = &ex[k].config, *dc = &cfg[d];
            double lr = c->v[0].x;
            assert_true(lr >= 1e-4 && lr <= 1e-1);
            double want_up = fmin(dc->v[0].x * 1.2, 1e-1), want_down = fmax(dc->v[0].x * 0.8, 1e-4);
            assert_true(lr == want_up || lr == want_down);
            if (d == 0) factors_seen[lr == want_down]++;
            double drop = c->v[3].x;
            assert_true(drop >= 0 && drop <= 0.5);
            assert_true(drop == fmin(dc->v[3].x * 1.2, 0.5) || drop == dc->v[3].x * 0.8);
            /* layers cannot change live: the donor's, always */
            assert_int_equal(c->v[1].index, dc->v[1].index);
            if (c->v[2].index != dc->v[2].index)
                resampled++;
            else
                kept++;
            Options o;
            assert_int_equal(sweep_config_apply(&s, &base, &ex[k].config, &o, &err), ERROR_NONE);
            assert_true(o.hp.opt.lr == lr);
        }
    }
    /* both factors are used; a choice changes with probability 0.25 x 2/3
     * (a redraw may land on the same value): about 1/6 of 400 */
    assert_true(factors_seen[0] > 20 && factors_seen[1] > 20);
    assert_true(resampled > 40 && resampled < 110);
    assert_true(kept > 0);
    /* not at a multiple of the interval: nothing */
    SweepPbtParams p;
    sweep_pbt_default(&p, 4, 1);
    assert_int_equal(sweep_pbt_decide(&p, &s, &base, &b, 3, live, cfg, ex, &n, &err), ERROR_NONE);
    assert_int_equal(n, 0);
    /* a trial that is not live takes no part: 7 live, q = 2 still; trial 3
     * out, so the worst two are 6 (0.6) and 1 (0.5) */
    live[3] = false;
    assert_int_equal(sweep_pbt_decide(&p, &s, &base, &b, 4, live, cfg, ex, &n, &err), ERROR_NONE);
    assert_int_equal(n, 2);
    assert_int_equal(ex[0].trial, 1);
    assert_int_equal(ex[1].trial, 6);
    sweep_board_free(&b);
}

/* PBT explores only what the trainer can change while it trains (what
 * HyperParams carries); the rest fits the copied weights. */
static void pbt_explores_only_the_options_that_change_live(void **state)
{
    (void)state;
    const char *live[] = {"optimizer",  "lr", "momentum", "beta1",   "eps",
                          "batch-size", "l1", "l2",       "dropout", "patience"};
    const char *fixed[] = {"layers", "activation", "loss",      "lr-schedule", "gamma",
                           "epochs", "seed",       "val-split", "normalize"};
    for (size_t i = 0; i < sizeof live / sizeof live[0]; i++)
        if (!option_live(options_find(live[i]))) fail_msg("--%s is not live", live[i]);
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (option_live(options_find(fixed[i]))) fail_msg("--%s is live", fixed[i]);
}

static void pbt_draws_a_fresh_value_for_a_parameter_the_new_optimizer_takes(void **state)
{
    (void)state;
    SweepSpace s;
    parse_ok(&s, "optimizer=choice(adam|sgd); momentum=uniform(0.5,0.9)");
    Options base;
    options_default(&base);
    SweepBoard b = board_new(4, 2, MONITOR_VAL_LOSS);
    SweepConfig cfg[4];
    bool live[4] = {true, true, true, true};
    memset(cfg, 0, sizeof cfg);
    for (int t = 0; t < 4; t++) {
        cfg[t].v[0] = (SweepValue){true, 0, 0}; /* adam */
        cfg[t].v[1] = (SweepValue){false, -1, 0.5};
        sweep_board_record(&b, t, 2, t * 0.1);
    }
    int switched = 0;
    Error err = {0};
    for (uint64_t seed = 0; seed < 100; seed++) {
        SweepPbtParams p;
        sweep_pbt_default(&p, 2, seed);
        SweepExploit ex[4];
        int n;
        assert_int_equal(sweep_pbt_decide(&p, &s, &base, &b, 2, live, cfg, ex, &n, &err),
                         ERROR_NONE);
        assert_int_equal(n, 1);
        assert_int_equal(ex[0].trial, 3);
        assert_int_equal(ex[0].donor, 0);
        const SweepConfig *c = &ex[0].config;
        if (c->v[0].index == 1) {
            switched++;
            assert_true(c->v[1].active);
            assert_true(c->v[1].x >= 0.5 && c->v[1].x <= 0.9);
        } else {
            assert_false(c->v[1].active);
        }
    }
    assert_true(switched > 0 && switched < 30);
    sweep_board_free(&b);
}

/* ---- reproducibility -------------------------------------------------- */

/* The decisions of all three rules over a board, as text. */
static void decisions(const SweepBoard *b, const SweepSpace *s, const Options *base,
                      const SweepConfig *cfg, char *out, size_t cap)
{
    size_t n = 0;
    SweepAsha a;
    Error err = {0};
    SweepAshaParams ap = {.eta = 3, .min_epochs = 1, .max_epochs = 9};
    if (sweep_asha_init(&a, &ap, b->n_trials, &err)) fail_msg("%s", err.msg);
    int t, k;
    while (sweep_asha_next(&a, b, &t, &k)) n += (size_t)snprintf(out + n, cap - n, "A%d>%d ", t, k);
    sweep_asha_free(&a);
    SweepMedianParams mp = {.min_epochs = 2, .n_startup = 2};
    for (t = 0; t < b->n_trials; t++)
        for (int e = 1; e <= b->max_epochs; e++)
            if (sweep_median_stop(&mp, b, t, e))
                n += (size_t)snprintf(out + n, cap - n, "M%d@%d ", t, e);
    SweepPbtParams pp;
    sweep_pbt_default(&pp, 3, 77);
    bool live[16];
    for (t = 0; t < b->n_trials; t++) live[t] = true;
    SweepExploit ex[16];
    int nx;
    for (int e = 3; e <= b->max_epochs; e += 3) {
        if (sweep_pbt_decide(&pp, s, base, b, e, live, cfg, ex, &nx, &err)) fail_msg("%s", err.msg);
        for (int i = 0; i < nx; i++) {
            char v[64];
            sweep_value_format(s, 0, &ex[i].config.v[0], v, sizeof v);
            n += (size_t)snprintf(out + n, cap - n, "P%d<%d:%s ", ex[i].trial, ex[i].donor, v);
        }
    }
}

static void decisions_do_not_depend_on_the_order_results_arrive_in(void **state)
{
    (void)state;
    enum { T = 12, E = 9 };
    SweepSpace s;
    parse_ok(&s, "lr=loguniform(1e-4,1e-1)");
    Options base;
    options_default(&base);
    SweepConfig cfg[T];
    SweepSampler sm;
    sweep_sampler_default(&sm, SWEEP_SAMPLER_RANDOM, 4, MONITOR_VAL_LOSS);
    /* a fixed set of results, with ties, and trials that stop early */
    double fig[T][E];
    int last[T];
    Rng r;
    rng_seed(&r, 99);
    for (int t = 0; t < T; t++) {
        Options o;
        sample_ok(&sm, &s, &base, t, NULL, 0, &cfg[t], &o);
        last[t] = t % 3 == 2 ? 3 : E;
        for (int e = 0; e < E; e++) fig[t][e] = round(rng_uniform(&r) * 8) / 8;
    }
    int order[T * E], n = 0;
    for (int t = 0; t < T; t++)
        for (int e = 1; e <= last[t]; e++) order[n++] = t * E + (e - 1);
    char first[8192] = "", again[8192];
    for (int pass = 0; pass < 6; pass++) {
        /* trial order, then shuffled arrivals */
        if (pass > 0) rng_shuffle(&r, order, (size_t)n);
        SweepBoard b = board_new(T, E, MONITOR_VAL_LOSS);
        for (int i = 0; i < n; i++) {
            int t = order[i] / E, e = order[i] % E + 1;
            sweep_board_record(&b, t, e, fig[t][e - 1]);
        }
        decisions(&b, &s, &base, cfg, pass ? again : first, sizeof first);
        sweep_board_free(&b);
        if (pass) assert_string_equal(again, first);
    }
    /* the decisions are not empty: each rule decided something */
    expect_contains(first, "A");
    expect_contains(first, "M");
    expect_contains(first, "P");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_full_example_parses_with_list_values_kept_whole),
        cmocka_unit_test(a_space_from_a_config_line_counts_that_lines_columns),
        cmocka_unit_test(blanks_a_trailing_semicolon_and_an_empty_network_are_accepted),
        cmocka_unit_test(every_malformed_spec_names_the_parameter_and_its_column),
        cmocka_unit_test(a_spec_too_long_or_with_too_many_parts_is_refused),
        cmocka_unit_test(damaged_specs_are_answered_cleanly),
        cmocka_unit_test(every_value_is_checked_by_the_option_table),
        cmocka_unit_test(a_loggrid_is_evenly_spaced_in_log_and_ends_exactly),
        cmocka_unit_test(a_parameter_of_one_optimizer_applies_only_when_it_is_chosen),
        cmocka_unit_test(a_parameter_no_trial_can_take_is_refused),
        cmocka_unit_test(random_draws_stay_within_their_ranges_and_reach_every_integer),
        cmocka_unit_test(the_same_seed_and_trial_give_the_same_configuration),
        cmocka_unit_test(loguniform_spreads_evenly_over_the_decades),
        cmocka_unit_test(choices_are_drawn_with_equal_frequency),
        cmocka_unit_test(the_grid_holds_every_combination_once_in_its_documented_order),
        cmocka_unit_test(the_grid_refuses_a_continuous_range_and_counts_integers),
        cmocka_unit_test(tpe_finds_a_better_rate_than_random_on_a_fixed_function),
        cmocka_unit_test(tpe_follows_the_monitor_direction_on_choices),
        cmocka_unit_test(the_board_keeps_one_figure_per_trial_and_epoch),
        cmocka_unit_test(asha_rungs_grow_by_eta_up_to_the_full_length),
        cmocka_unit_test(asha_promotes_the_top_third_of_a_rung_as_results_arrive),
        cmocka_unit_test(asha_with_accuracy_promotes_the_highest),
        cmocka_unit_test(the_median_rule_stops_a_trial_worse_than_earlier_ones),
        cmocka_unit_test(pbt_bottom_quarter_copies_top_quarter_and_perturbs_within_bounds),
        cmocka_unit_test(pbt_explores_only_the_options_that_change_live),
        cmocka_unit_test(pbt_draws_a_fresh_value_for_a_parameter_the_new_optimizer_takes),
        cmocka_unit_test(decisions_do_not_depend_on_the_order_results_arrive_in),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
