/*
 * test_options.c - the option table: its documented defaults, Keras's optimizer
 * defaults, options_set for every kind of option (good values, and bad ones
 * that must be ERROR_INPUT naming --NAME and the accepted range without
 * touching the Options), config files (round trip through
 * options_to_config, errors naming FILE:LINE, locked keys skipped).
 *
 * Run from the project root: the config fixtures are in tests/data/config/.
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "gradtop/run/options.h"

#define FIXTURES "tests/data/config/"

static void expect_near(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol)) fail_msg("%s = %.17g, want %.17g", what, got, want);
}

static void expect_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("message \"%s\" does not contain \"%s\"", haystack, needle);
}

/* No control byte in a message: nothing in it can drive the terminal. */
static void expect_printable(const char *msg)
{
    for (const char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            fail_msg("byte 0x%02x in the message \"%s\"", (unsigned char)*p, msg);
}

static const OptionSpec *spec_of(const char *name)
{
    const OptionSpec *s = options_find(name);
    if (!s) fail_msg("option --%s is not in the table", name);
    return s;
}

/* Sets name = value, which must succeed. */
static void set_ok(Options *o, const char *name, const char *value)
{
    Error err = {0};
    ErrorCode rc = options_set(o, spec_of(name), value, NULL, &err);
    if (rc != ERROR_NONE) fail_msg("--%s %s: rc %d: %s", name, value, rc, err.msg);
}

static void expect_layers(const Options *o, const int *want, int n)
{
    assert_int_equal(o->n_layers, n);
    for (int i = 0; i < n; i++) assert_int_equal(o->layers[i], want[i]);
}

/* ---- defaults ---------------------------------------------------------- */

static void defaults_match_spec(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    expect_layers(&o, (const int[]){32}, 1);
    assert_int_equal(o.activation, ACTIVATION_RELU);
    assert_int_equal(o.loss, LOSS_AUTO);
    assert_int_equal(o.hp.opt.kind, OPTIMIZER_ADAM);
    expect_near(o.hp.opt.lr, 0.001, 0, "lr");
    assert_int_equal(o.sched.kind, SCHEDULE_CONSTANT);
    assert_int_equal(o.hp.batch_size, 32);
    assert_int_equal(o.epochs, 100);
    expect_near(o.hp.l1, 0, 0, "l1");
    expect_near(o.hp.l2, 0, 0, "l2");
    expect_near(o.hp.dropout, 0, 0, "dropout");
    assert_int_equal(o.hp.patience, 10);
    assert_string_equal(o.monitor, "val_loss");
    assert_true(o.restore_best);
    expect_near(o.val_split, 0.2, 0, "val_split");
    assert_int_equal(o.normalize, NORMALIZE_STANDARD);
    assert_int_equal(o.seed, 0);
    assert_int_equal(o.threads, 0);
    assert_string_equal(o.logdir, "runs");
    assert_false(o.no_log);
    assert_false(o.start);
    assert_int_equal(o.delimiter, DATASET_DELIMITER_AUTO);
    assert_string_equal(o.dataset, "");
    assert_string_equal(o.label, "");
    assert_string_equal(o.test, "");
}

/* Keras 3: Adam/AdamW beta_1 0.9, beta_2 0.999, epsilon 1e-7, amsgrad off;
 * AdamW weight_decay 0.004; SGD momentum 0, nesterov off; RMSprop rho 0.9,
 * momentum 0, epsilon 1e-7, centered off; Adagrad initial_accumulator_value
 * 0.1, epsilon 1e-7. */
static void default_adam_has_keras_parameters(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    expect_near(o.hp.opt.beta1, 0.9, 0, "beta1");
    expect_near(o.hp.opt.beta2, 0.999, 0, "beta2");
    expect_near(o.hp.opt.eps, 1e-7, 0, "eps");
    assert_false(o.hp.opt.amsgrad);
}

static void choosing_an_optimizer_gives_its_keras_defaults(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    set_ok(&o, "optimizer", "sgd");
    assert_int_equal(o.hp.opt.kind, OPTIMIZER_SGD);
    expect_near(o.hp.opt.momentum, 0, 0, "sgd momentum");
    assert_false(o.hp.opt.nesterov);
    expect_near(o.hp.opt.lr, 0.01, 0, "sgd's own rate");

    options_default(&o);
    set_ok(&o, "optimizer", "rmsprop");
    assert_int_equal(o.hp.opt.kind, OPTIMIZER_RMSPROP);
    expect_near(o.hp.opt.rho, 0.9, 0, "rho");
    expect_near(o.hp.opt.momentum, 0, 0, "rmsprop momentum");
    expect_near(o.hp.opt.eps, 1e-7, 0, "rmsprop eps");
    assert_false(o.hp.opt.centered);

    options_default(&o);
    set_ok(&o, "optimizer", "adamw");
    assert_int_equal(o.hp.opt.kind, OPTIMIZER_ADAMW);
    expect_near(o.hp.opt.weight_decay, 0.004, 0, "weight_decay");
    expect_near(o.hp.opt.beta1, 0.9, 0, "adamw beta1");
    expect_near(o.hp.opt.beta2, 0.999, 0, "adamw beta2");
    expect_near(o.hp.opt.eps, 1e-7, 0, "adamw eps");

    options_default(&o);
    set_ok(&o, "optimizer", "adagrad");
    assert_int_equal(o.hp.opt.kind, OPTIMIZER_ADAGRAD);
    expect_near(o.hp.opt.initial_accumulator, 0.1, 0, "initial_accumulator");
    expect_near(o.hp.opt.eps, 1e-7, 0, "adagrad eps");
}

/* --lr 0.05 --optimizer sgd --momentum 0.9: the order of the options must
 * not matter for the rate, and parameters set explicitly survive a later
 * --optimizer. */
static void optimizer_keeps_rate_and_explicit_parameters(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    set_ok(&o, "lr", "0.05");
    set_ok(&o, "momentum", "0.9");
    set_ok(&o, "optimizer", "sgd");
    expect_near(o.hp.opt.lr, 0.05, 0, "lr");
    expect_near(o.hp.opt.momentum, 0.9, 0, "momentum");
    options_default(&o);
    set_ok(&o, "eps", "1e-8");
    set_ok(&o, "optimizer", "rmsprop");
    expect_near(o.hp.opt.eps, 1e-8, 0, "eps");
}

/* Every row's default, formatted, is accepted back unchanged: the help
 * text and config.txt print values the parser takes. */
static void every_default_formats_and_parses_back(void **state)
{
    (void)state;
    for (size_t i = 0; i < option_count; i++) {
        const OptionSpec *s = &option_table[i];
        Options o, before;
        options_default(&o);
        options_default(&before);
        char buf[2048];
        options_format(&o, s, buf, sizeof buf);
        Error err = {0};
        if (options_set(&o, s, buf, NULL, &err) != ERROR_NONE)
            fail_msg("--%s: its default '%s' is rejected: %s", s->name, buf, err.msg);
        /* a rate given by its number is a rate set: that flag, and only
         * it, may change */
        if (s->offset == offsetof(Options, hp.opt.lr)) {
            assert_false(o.lr_is_default);
            o.lr_is_default = true;
        }
        if (memcmp(&o, &before, sizeof o) != 0)
            fail_msg("--%s: setting its default '%s' changed the options", s->name, buf);
    }
}

/* ---- options_set: good values of every kind ---------------------------- */

static void sets_int_option(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    set_ok(&o, "batch-size", "64");
    assert_int_equal(o.hp.batch_size, 64);
    set_ok(&o, "batch-size", "1");
    assert_int_equal(o.hp.batch_size, 1);
    set_ok(&o, "epochs", " 250 ");
    assert_int_equal(o.epochs, 250);
    set_ok(&o, "patience", "0");
    assert_int_equal(o.hp.patience, 0);
}

static void sets_u64_option(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    set_ok(&o, "seed", "42");
    assert_true(o.seed == 42);
    set_ok(&o, "seed", "18446744073709551615");
    assert_true(o.seed == UINT64_MAX);
}

static void sets_double_option(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    set_ok(&o, "lr", "0.01");
    expect_near(o.hp.opt.lr, 0.01, 0, "lr");
    set_ok(&o, "lr", "3e-4");
    expect_near(o.hp.opt.lr, 3e-4, 0, "lr");
    set_ok(&o, "val-split", "0");
    expect_near(o.val_split, 0, 0, "val_split");
    set_ok(&o, "dropout", "0.5");
    expect_near(o.hp.dropout, 0.5, 0, "dropout");
    set_ok(&o, "noise", "-1");
    expect_near(o.noise, -1, 0, "noise (negative: the set's default)");
}

/* "-0" is zero: taken as +0, so that config.txt, the dashboard and the
 * leaderboard do not show a "-0" the run does not differ by. */
static void negative_zero_is_taken_as_zero(void **state)
{
    (void)state;
    const char *names[] = {"val-split", "l2", "min-lr", "momentum", "dropout", "min-delta"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        Options o;
        options_default(&o);
        set_ok(&o, names[i], "-0");
        const OptionSpec *s = options_find(names[i]);
        assert_non_null(s);
        char text[64];
        options_format(&o, s, text, sizeof text);
        if (strcmp(text, "0") != 0) fail_msg("--%s -0 is written as '%s'", names[i], text);
        set_ok(&o, names[i], "-0.0e5");
        options_format(&o, s, text, sizeof text);
        if (strcmp(text, "0") != 0) fail_msg("--%s -0.0e5 is written as '%s'", names[i], text);
    }
}

static void sets_bool_option(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    set_ok(&o, "restore-best", "false");
    assert_false(o.restore_best);
    set_ok(&o, "restore-best", "1");
    assert_true(o.restore_best);
    set_ok(&o, "restore-best", "0");
    assert_false(o.restore_best);
    set_ok(&o, "amsgrad", "true");
    assert_true(o.hp.opt.amsgrad);
    set_ok(&o, "no-log", "true");
    assert_true(o.no_log);
}

static void sets_string_option(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    set_ok(&o, "label", "species");
    assert_string_equal(o.label, "species");
    set_ok(&o, "test", "datasets/iris.csv");
    assert_string_equal(o.test, "datasets/iris.csv");
    set_ok(&o, "logdir", "/tmp/gradtop runs");
    assert_string_equal(o.logdir, "/tmp/gradtop runs");
    set_ok(&o, "name", "lr-sweep");
    assert_string_equal(o.name, "lr-sweep");
}

static void sets_char_option(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    set_ok(&o, "delimiter", ";");
    assert_int_equal(o.delimiter, ';');
    set_ok(&o, "delimiter", "\\t");
    assert_int_equal(o.delimiter, '\t');
    /* auto (the default) detects it, and reads back from config.txt */
    set_ok(&o, "delimiter", "auto");
    assert_int_equal(o.delimiter, DATASET_DELIMITER_AUTO);
    char buf[16];
    options_format(&o, options_find("delimiter"), buf, sizeof buf);
    assert_string_equal(buf, "auto");
    /* the quote character separates no fields: said so, not "not a single character" */
    Error e = {0};
    assert_int_not_equal(options_set(&o, options_find("delimiter"), "\"", NULL, &e), ERROR_NONE);
    assert_non_null(strstr(e.msg, "--delimiter: reserved for quoting"));
    assert_non_null(strstr(e.msg, "other than \""));
}

static void sets_enum_option(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    set_ok(&o, "activation", "gelu");
    assert_int_equal(o.activation, ACTIVATION_GELU);
    set_ok(&o, "loss", "huber");
    assert_int_equal(o.loss, LOSS_HUBER);
    set_ok(&o, "lr-schedule", "cosine");
    assert_int_equal(o.sched.kind, SCHEDULE_COSINE);
    set_ok(&o, "normalize", "minmax");
    assert_int_equal(o.normalize, NORMALIZE_MINMAX);
    set_ok(&o, "missing", "drop");
    assert_int_equal(o.missing, MISSING_DROP);
    set_ok(&o, "monitor", "val_accuracy");
    assert_string_equal(o.monitor, "val_accuracy");
    for (int k = 0; optimizer_names[k]; k++) {
        set_ok(&o, "optimizer", optimizer_names[k]);
        assert_int_equal(o.hp.opt.kind, k);
    }
}

static void sets_layer_lists(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    set_ok(&o, "layers", "64,32");
    expect_layers(&o, (const int[]){64, 32}, 2);
    set_ok(&o, "layers", " 128 , 7 ,1 ");
    expect_layers(&o, (const int[]){128, 7, 1}, 3);
    set_ok(&o, "layers", "65536");
    expect_layers(&o, (const int[]){65536}, 1);
    set_ok(&o, "layers", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16");
    expect_layers(&o, (const int[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 16);
}

static void empty_layers_is_a_linear_model(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    set_ok(&o, "layers", "");
    assert_int_equal(o.n_layers, 0);
}

/* ---- options_set: bad values ------------------------------------------- */

/* The accepted range as it must appear in the message: the numeric bounds
 * from the table, or every name of an enum. */
static void expect_range_in(const char *msg, const OptionSpec *s)
{
    switch (s->kind) {
    case OPTKIND_INT:
    case OPTKIND_DOUBLE:
    case OPTKIND_LAYERS: {
        char lo[64], hi[64], lo2[64], hi2[64];
        snprintf(lo, sizeof lo, "%g", s->min);
        snprintf(lo2, sizeof lo2, "%.0f", s->min);
        snprintf(hi, sizeof hi, "%g", s->max);
        snprintf(hi2, sizeof hi2, "%.0f", s->max);
        if (s->min == DBL_TRUE_MIN) {
            expect_contains(msg, "a positive number");
            break;
        }
        if (!strstr(msg, lo) && !strstr(msg, lo2))
            fail_msg("--%s: message \"%s\" does not give the lower bound %s", s->name, msg, lo);
        if (s->max < 1e300 && !strstr(msg, hi) && !strstr(msg, hi2))
            fail_msg("--%s: message \"%s\" does not give the upper bound %s", s->name, msg, hi);
        if (s->kind == OPTKIND_LAYERS) expect_contains(msg, "16");
        break;
    }
    case OPTKIND_ENUM:
    case OPTKIND_BOOL:
        for (int k = 0; s->names[k]; k++) expect_contains(msg, s->names[k]);
        break;
    default: break;
    }
}

/* name = value must fail with ERROR_INPUT naming --name and its range,
 * leaving the options as they were. */
static void expect_rejected(const char *name, const char *value)
{
    const OptionSpec *s = spec_of(name);
    Options o, before;
    options_default(&o);
    options_default(&before);
    Error err = {0};
    ErrorCode rc = options_set(&o, s, value, NULL, &err);
    if (rc != ERROR_INPUT)
        fail_msg("--%s '%s': rc %d (want ERROR_INPUT %d), message \"%s\"", name, value, rc,
                 ERROR_INPUT, err.msg);
    char dashed[160];
    snprintf(dashed, sizeof dashed, "--%s", name);
    expect_contains(err.msg, dashed);
    expect_range_in(err.msg, s);
    if (memcmp(&o, &before, sizeof o) != 0)
        fail_msg("--%s '%s' was rejected but changed the options", name, value);
}

/* --pace: max, Ne, Nb, with blanks around; each reads back as written. */
static void pace_takes_every_form(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    assert_int_equal(o.pace.unit, PACE_MAX);
    static const struct {
        const char *in, *out;
        PaceUnit unit;
        double rate;
    } ok[] = {
        {"5e", "5e", PACE_EPOCHS, 5},           {"20b", "20b", PACE_BATCHES, 20},
        {"0.5b", "0.5b", PACE_BATCHES, 0.5},    {" 2.5e ", "2.5e", PACE_EPOCHS, 2.5},
        {"0.01b", "0.01b", PACE_BATCHES, 0.01}, {"1000e", "1000e", PACE_EPOCHS, 1000},
        {"007e", "7e", PACE_EPOCHS, 7},         {"max", "max", PACE_MAX, 0},
    };
    const OptionSpec *s = spec_of("pace");
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        set_ok(&o, "pace", ok[i].in);
        if (o.pace.unit != ok[i].unit || o.pace.rate != ok[i].rate)
            fail_msg("--pace '%s' read as unit %d rate %g", ok[i].in, o.pace.unit, o.pace.rate);
        char buf[32];
        options_format(&o, s, buf, sizeof buf);
        assert_string_equal(buf, ok[i].out);
    }
}

/* Anything else names --pace and every accepted form, and changes nothing. */
static void pace_rejects_what_is_not_a_pace(void **state)
{
    (void)state;
    static const char *const bad[] = {"",      "5",   "e",      "b",     "5x",   "5 e",  "-5e",
                                      "+5e",   "0e",  "0.001b", "1001e", "1e3e", "infe", "nanb",
                                      "0x10e", "5eb", "MAX",    "max5",  "5E",   ".e",   "5..1e"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_rejected("pace", bad[i]);
        Options o;
        options_default(&o);
        Error err = {0};
        options_set(&o, spec_of("pace"), bad[i], "run.cfg:4", &err);
        expect_contains(err.msg, "run.cfg:4: --pace: not a pace");
        expect_contains(err.msg, "max, Ne for N epochs a second (e.g. 5e) or Nb for N batches");
        expect_contains(err.msg, "N from 0.01 to 1000");
    }
}

/* < and > walk max, 50e, 20e, 10e, 5e, 2e, 1e, 10b, 5b, 2b, 1b; a pace off
 * the ladder goes to the nearer rung in the direction asked; the ends hold. */
static void pace_steps_along_the_ladder(void **state)
{
    (void)state;
    static const char *const ladder[] = {"max", "50e", "20e", "10e", "5e", "2e",
                                         "1e",  "10b", "5b",  "2b",  "1b"};
    int n = (int)(sizeof ladder / sizeof ladder[0]);
    Pace p;
    char buf[32];
    assert_true(pace_parse("max", &p));
    for (int i = 1; i < n; i++) {
        p = pace_step(p, false);
        pace_format(p, buf, sizeof buf);
        assert_string_equal(buf, ladder[i]);
    }
    p = pace_step(p, false);
    pace_format(p, buf, sizeof buf);
    assert_string_equal(buf, "1b"); /* the slowest rung holds */
    for (int i = n - 2; i >= 0; i--) {
        p = pace_step(p, true);
        pace_format(p, buf, sizeof buf);
        assert_string_equal(buf, ladder[i]);
    }
    p = pace_step(p, true);
    pace_format(p, buf, sizeof buf);
    assert_string_equal(buf, "max");
    static const struct {
        const char *from;
        bool faster;
        const char *to;
    } off[] = {{"3e", true, "5e"},      {"3e", false, "2e"},   {"0.5b", true, "1b"},
               {"0.5b", false, "0.5b"}, {"100e", true, "max"}, {"100e", false, "50e"},
               {"50b", true, "1e"},     {"50b", false, "10b"}, {"0.5e", false, "10b"}};
    for (size_t i = 0; i < sizeof off / sizeof off[0]; i++) {
        assert_true(pace_parse(off[i].from, &p));
        pace_format(pace_step(p, off[i].faster), buf, sizeof buf);
        if (strcmp(buf, off[i].to) != 0)
            fail_msg("%s %s gave %s, not %s", off[i].from, off[i].faster ? "faster" : "slower", buf,
                     off[i].to);
    }
    pace_describe((Pace){PACE_EPOCHS, 5}, buf, sizeof buf);
    assert_string_equal(buf, "5 epochs/s");
    pace_describe((Pace){PACE_BATCHES, 0.5}, buf, sizeof buf);
    assert_string_equal(buf, "0.5 batches/s");
    /* the ladder's slowest rungs, in the singular */
    pace_describe((Pace){PACE_EPOCHS, 1}, buf, sizeof buf);
    assert_string_equal(buf, "1 epoch/s");
    pace_describe((Pace){PACE_BATCHES, 1}, buf, sizeof buf);
    assert_string_equal(buf, "1 batch/s");
    pace_describe((Pace){PACE_MAX, 0}, buf, sizeof buf);
    assert_string_equal(buf, "max");
}

static void rejects_bad_learning_rates(void **state)
{
    (void)state;
    expect_rejected("lr", "-0.01");
    expect_rejected("lr", "-1");
    expect_rejected("lr", "0");
    expect_rejected("lr", "nan");
    expect_rejected("lr", "NaN");
    expect_rejected("lr", "inf");
    expect_rejected("lr", "-inf");
    expect_rejected("lr", "1e999");
    expect_rejected("lr", "abc");
    expect_rejected("lr", "0.01x");
    expect_rejected("lr", "");
    expect_rejected("lr", "Default");
}

/* Every number option reads one form, decimal with an exponent, as the
 * docs and --space have it: what strtod reads besides (hexadecimal,
 * "inf", "nan") is refused alike, naming the option, its range and the
 * form, whichever option, and wherever it is typed (a config file, the
 * forms and --racers go through options_set too). */
static void numbers_are_read_in_decimal_only(void **state)
{
    (void)state;
    const char *doubles[] = {"lr", "noise", "l2", "dropout", "val-split"};
    const char *bad[] = {"0x1p3", "0X10", "0x.8", "-0x1", "inf",   "-Infinity", "nan",  "NAN(1)",
                         "1e",    "e5",   "+",    ".",    "1.5.2", "5e+",       " 0x1 "};
    for (size_t i = 0; i < sizeof doubles / sizeof doubles[0]; i++)
        for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
            expect_rejected(doubles[i], bad[k]);
            Options o;
            options_default(&o);
            Error err = {0};
            options_set(&o, spec_of(doubles[i]), bad[k], NULL, &err);
            expect_contains(err.msg, "not a decimal number");
            expect_contains(err.msg, "; in decimal, like 0.5 or 1e-3)");
        }
    Options o;
    options_default(&o);
    Error err = {0};
    assert_int_equal(options_set(&o, spec_of("lr"), "0x1p3", NULL, &err), ERROR_INPUT);
    assert_string_equal(err.msg, "--lr: not a decimal number '0x1p3' (expected a positive number, "
                                 "or default for the optimizer's own; in decimal, like 0.5 or "
                                 "1e-3)");
    /* integers are decimal already: strtoll reads base 10 here */
    expect_rejected("epochs", "0x10");
    expect_rejected("epochs", "inf");
    /* every decimal form is taken, blanks around it too */
    const char *ok[] = {"0.5", ".5", "00.50", "+0.5", "5e-1", "5E-1", "0.05e+1", " 0.5\t"};
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
        set_ok(&o, "noise", ok[k]);
        expect_near(o.noise, 0.5, 1e-15, ok[k]);
        assert_true(options_is_decimal(ok[k]));
    }
    set_ok(&o, "noise", "1.");
    expect_near(o.noise, 1, 0, "1.");
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        if (options_is_decimal(bad[k])) fail_msg("'%s' is read as a decimal number", bad[k]);
}

/* Any finite positive rate is taken: a divergence demo wants a large one. */
static void takes_any_finite_positive_learning_rate(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    /* up to the largest double, and down to the smallest (a subnormal,
     * which strtod reports as an underflow) */
    const char *ok[] = {"1000", "1e30", "1e-20", "1e-300", "10.5", "1e308", "1e-320"};
    const double want[] = {1000, 1e30, 1e-20, 1e-300, 10.5, 1e308, 1e-320};
    for (int i = 0; i < 7; i++) {
        set_ok(&o, "lr", ok[i]);
        expect_near(o.hp.opt.lr, want[i], 0, ok[i]);
        assert_false(o.lr_is_default);
    }
    char range[256];
    options_range(options_find("lr"), range, sizeof range);
    assert_string_equal(range, "a positive number, or default for the optimizer's own");
}

/* The reason a number is refused is the right one: a number too large for
 * its type is out of range, not "not a number"; one that underflows is
 * the nearest double, which the range then judges. */
static void numbers_beyond_their_type_are_told_as_such(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    Error err = {0};
    assert_int_equal(options_set(&o, spec_of("lr"), "1e999", NULL, &err), ERROR_INPUT);
    assert_string_equal(err.msg, "--lr: beyond the range of a double '1e999' (expected a "
                                 "positive number, or default for the optimizer's own)");
    assert_int_equal(options_set(&o, spec_of("epochs"), "99999999999999999999", NULL, &err),
                     ERROR_INPUT);
    assert_string_equal(err.msg, "--epochs: out of range '99999999999999999999' (expected an "
                                 "integer from 1 to 1000000)");
    assert_int_equal(options_set(&o, spec_of("seed"), "99999999999999999999", NULL, &err),
                     ERROR_INPUT);
    /* the range that message gives holds no number it refuses */
    assert_string_equal(err.msg, "--seed: out of range '99999999999999999999' (expected an "
                                 "integer from 0 to 18446744073709551615)");
    /* 1e-400 is 0 as a double: a dropout of 0, but no learning rate */
    set_ok(&o, "dropout", "1e-400");
    expect_near(o.hp.dropout, 0, 0, "dropout");
    assert_int_equal(options_set(&o, spec_of("lr"), "1e-400", NULL, &err), ERROR_INPUT);
    expect_contains(err.msg, "--lr: out of range '1e-400'");
    /* "a number >= 0" has no upper bound either */
    set_ok(&o, "min-delta", "1e308");
    expect_near(o.min_delta, 1e308, 0, "min_delta");
}

/* Each optimizer starts with Keras's own rate: 0.01 for SGD, 0.001 for the
 * others.  A rate nobody set follows the optimizer chosen, whatever the
 * order of the options; a rate that was set stays. */
static void each_optimizer_starts_with_its_own_keras_rate(void **state)
{
    (void)state;
    const struct {
        const char *kind;
        double lr;
    } keras[] = {
        {"sgd", 0.01}, {"adam", 0.001}, {"rmsprop", 0.001}, {"adamw", 0.001}, {"adagrad", 0.001}};
    for (int i = 0; i < 5; i++) {
        Options o;
        options_default(&o);
        assert_true(o.lr_is_default);
        set_ok(&o, "optimizer", keras[i].kind);
        expect_near(o.hp.opt.lr, keras[i].lr, 0, keras[i].kind);
        assert_true(o.lr_is_default);
        assert_true(options_is_special(&o, options_find("lr")));
    }
    Options o;
    options_default(&o);
    set_ok(&o, "optimizer", "sgd");
    set_ok(&o, "optimizer", "adam"); /* and back */
    expect_near(o.hp.opt.lr, 0.001, 0, "sgd then adam");
    /* set before or after the optimizer, a rate stays */
    options_default(&o);
    set_ok(&o, "lr", "0.001");
    set_ok(&o, "optimizer", "sgd");
    expect_near(o.hp.opt.lr, 0.001, 0, "--lr 0.001 --optimizer sgd");
    assert_false(options_is_special(&o, options_find("lr")));
    options_default(&o);
    set_ok(&o, "optimizer", "sgd");
    set_ok(&o, "lr", "0.3");
    set_ok(&o, "optimizer", "rmsprop");
    expect_near(o.hp.opt.lr, 0.3, 0, "--optimizer sgd --lr 0.3 --optimizer rmsprop");
    /* "default" hands the rate back to the optimizer */
    set_ok(&o, "lr", "default");
    expect_near(o.hp.opt.lr, 0.001, 0, "--lr default under rmsprop");
    set_ok(&o, "optimizer", "sgd");
    expect_near(o.hp.opt.lr, 0.01, 0, "--lr default, then sgd");
    /* --help says so */
    char def[160];
    options_default_text(options_find("lr"), def, sizeof def);
    assert_string_equal(def, "the optimizer's own: 0.01 for sgd, 0.001 for the others");
    options_default_text(options_find("epochs"), def, sizeof def);
    assert_string_equal(def, "100");
}

static void rejects_bad_batch_sizes(void **state)
{
    (void)state;
    expect_rejected("batch-size", "0");
    expect_rejected("batch-size", "-5");
    expect_rejected("batch-size", "1000000000000");
    expect_rejected("batch-size", "99999999999999999999999");
    expect_rejected("batch-size", "3.5");
    expect_rejected("batch-size", "32k");
    expect_rejected("batch-size", "");
}

static void rejects_other_out_of_range_numbers(void **state)
{
    (void)state;
    expect_rejected("epochs", "0");
    expect_rejected("epochs", "-1");
    expect_rejected("patience", "-1");
    expect_rejected("val-split", "1");
    expect_rejected("val-split", "-0.1");
    expect_rejected("dropout", "1");
    expect_rejected("momentum", "1.5");
    expect_rejected("beta2", "1");
    expect_rejected("l2", "-0.001");
    expect_rejected("eps", "0");
}

static void rejects_bad_layer_lists(void **state)
{
    (void)state;
    expect_rejected("layers", "0");
    expect_rejected("layers", "64,0");
    expect_rejected("layers", "64,,32");
    expect_rejected("layers", "a");
    expect_rejected("layers", "64,-1");
    expect_rejected("layers", "-64");
    expect_rejected("layers", "64,");
    expect_rejected("layers", ",64");
    expect_rejected("layers", "64;32");
    expect_rejected("layers", "64.5");
    expect_rejected("layers", "65537");
    expect_rejected("layers", "99999999999999999999");
    expect_rejected("layers", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17");
}

static void option_applies_to_its_optimizer_and_schedule(void **state)
{
    (void)state;
    Options o;
    options_default(&o); /* adam, constant */
    assert_false(option_applies(options_find("momentum"), &o));
    assert_true(option_applies(options_find("beta1"), &o));
    assert_true(option_applies(options_find("eps"), &o));
    assert_true(option_applies(options_find("lr"), &o)); /* no list: every run */
    set_ok(&o, "optimizer", "sgd");
    assert_true(option_applies(options_find("momentum"), &o));
    assert_false(option_applies(options_find("beta1"), &o));
    assert_false(option_applies(options_find("eps"), &o));
    assert_false(option_applies(options_find("cosine-epochs"), &o));
    set_ok(&o, "lr-schedule", "cosine");
    assert_true(option_applies(options_find("cosine-epochs"), &o));
}

/* A special value (--patience 0: off) is recognised, and a value below
 * the range is taken only where the special value itself lies below it:
 * any negative noise is the set's default, a negative thread count is
 * refused. */
static void special_values_stand_for_their_words(void **state)
{
    (void)state;
    static const struct {
        const char *option, *word, *value;
    } want[] = {
        {"noise", "default", "-1"},
        {"cosine-epochs", "the run's epochs", "0"},
        {"patience", "off", "0"},
        {"threads", "all cores", "0"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const OptionSpec *s = spec_of(want[i].option);
        const OptionSpecial *sp = options_special(s);
        if (!sp) fail_msg("--%s has no special value", want[i].option);
        assert_string_equal(sp->word, want[i].word);
        Options o;
        options_default(&o);
        set_ok(&o, want[i].option, want[i].value);
        if (!options_is_special(&o, s))
            fail_msg("--%s %s is not taken as '%s'", want[i].option, want[i].value, want[i].word);
        set_ok(&o, want[i].option, "1");
        if (options_is_special(&o, s)) fail_msg("--%s 1 is taken as special", want[i].option);
    }
    assert_null(options_special(spec_of("epochs")));
    Options o;
    options_default(&o);
    set_ok(&o, "noise", "-0.5");
    assert_true(options_is_special(&o, spec_of("noise")));
    expect_rejected("noise", "11");
    expect_rejected("threads", "-1");
    expect_rejected("patience", "-1");
}

/* What --noise accepts is said whole, in its message and its range (the
 * words --help prints): a negative value is taken, as the set's default. */
static void noise_range_says_negative_is_the_default(void **state)
{
    (void)state;
    const OptionSpec *s = spec_of("noise");
    char range[256];
    options_range(s, range, sizeof range);
    assert_string_equal(range, "a number from 0 to 1, or negative for the set's default");
    Options o;
    options_default(&o);
    Error err = {0};
    assert_int_equal(options_set(&o, s, "11", NULL, &err), ERROR_INPUT);
    expect_contains(err.msg, "(expected a number from 0 to 1, or negative for the set's default)");
    /* a special value inside the range needs no such words */
    options_range(spec_of("patience"), range, sizeof range);
    assert_string_equal(range, "an integer from 0 to 1000000");
}

/* A value is shown in its message with control bytes escaped (\x1B): an
 * escape sequence given as a value is not sent to the terminal. */
static void bad_values_are_shown_without_control_bytes(void **state)
{
    (void)state;
    static const struct {
        const char *option, *value, *shown;
    } cases[] = {
        {"lr", "\033[31m", "'\\x1B[31m'"},
        {"optimizer", "ad\033]0;x\007am", "'ad\\x1B]0;x\\x07am'"},
        {"label", "a\nb", "'a\\nb'"},
        {"delimiter", "\033", "'\\x1B'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Options o;
        options_default(&o);
        Error err = {0};
        assert_int_equal(options_set(&o, spec_of(cases[i].option), cases[i].value, NULL, &err),
                         ERROR_INPUT);
        expect_printable(err.msg);
        expect_contains(err.msg, cases[i].shown);
    }
}

/* What config.txt could not hold as one line of text is refused: a
 * control character in a text or as the delimiter (tab is allowed). */
static void rejects_control_characters_in_texts(void **state)
{
    (void)state;
    expect_rejected("delimiter", "\001");
    expect_rejected("delimiter", "\x1f");
    expect_rejected("delimiter", "\x7f");
    expect_rejected("label", "a\x7f");
    expect_rejected("name", "a\033b");
    Options o;
    options_default(&o);
    set_ok(&o, "delimiter", "\t");
    assert_int_equal(o.delimiter, '\t');
    set_ok(&o, "label", "a\tb");
}

static void rejects_unknown_names(void **state)
{
    (void)state;
    expect_rejected("optimizer", "foo");
    expect_rejected("optimizer", "Adam");
    expect_rejected("optimizer", "");
    expect_rejected("activation", "softmax");
    expect_rejected("loss", "hinge");
    expect_rejected("lr-schedule", "linear");
    expect_rejected("normalize", "zscore");
    expect_rejected("monitor", "val_f1");
    expect_rejected("restore-best", "maybe");
}

static void rejects_other_bad_values(void **state)
{
    (void)state;
    expect_rejected("seed", "-1");
    expect_rejected("seed", "12abc");
    expect_rejected("seed", "99999999999999999999999");
    expect_rejected("delimiter", "ab");
    expect_rejected("delimiter", "");
    expect_rejected("name", "a/b");
    char longlabel[200];
    memset(longlabel, 'x', sizeof longlabel - 1);
    longlabel[sizeof longlabel - 1] = '\0';
    expect_rejected("label", longlabel);
}

static void where_prefixes_the_message(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    Error err = {0};
    assert_int_equal(options_set(&o, spec_of("epochs"), "0", "run.cfg:3", &err), ERROR_INPUT);
    if (strncmp(err.msg, "run.cfg:3", 9) != 0)
        fail_msg("message \"%s\" does not start with run.cfg:3", err.msg);
    expect_contains(err.msg, "--epochs");
}

/* ---- config files ------------------------------------------------------ */

/* Names the first option whose formatted value differs, then fails if any
 * byte differs (both sides start from options_default, which zeroes). */
static void expect_same_options(const Options *a, const Options *b)
{
    if (strcmp(a->dataset, b->dataset) != 0)
        fail_msg("dataset: '%s' != '%s'", a->dataset, b->dataset);
    for (size_t i = 0; i < option_count; i++) {
        char va[2048], vb[2048];
        options_format(a, &option_table[i], va, sizeof va);
        options_format(b, &option_table[i], vb, sizeof vb);
        if (strcmp(va, vb) != 0)
            fail_msg("--%s: '%s' != '%s' after the round trip", option_table[i].name, va, vb);
    }
    /* config.txt gives the rate's number, which reads back as a rate set:
     * that flag is the one field a round trip may change */
    Options na = *a, nb = *b;
    na.lr_is_default = nb.lr_is_default = false;
    if (memcmp(&na, &nb, sizeof na) != 0) fail_msg("options differ after the round trip");
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) fail_msg("cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static void round_trip(const Options *o)
{
    size_t need = options_to_config(o, NULL, 0);
    char *buf = malloc(need + 1);
    assert_non_null(buf);
    size_t got = options_to_config(o, buf, need + 1);
    assert_int_equal(got, need);
    assert_int_equal(strlen(buf), need);
    size_t len = 0;
    char *once = options_config_text(o, &len);
    assert_non_null(once);
    assert_int_equal(len, need);
    assert_string_equal(once, buf);
    free(once);
    char path[] = "/tmp/gradtop-test-options-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, buf);
    Options back;
    options_default(&back);
    Error err = {0};
    ErrorCode rc = options_load_file(&back, path, NULL, &err);
    unlink(path);
    if (rc != ERROR_NONE) fail_msg("loading what options_to_config wrote: %s\n%s", err.msg, buf);
    free(buf);
    expect_same_options(o, &back);
}

/* options_config_text past its first guess at the size (2048 bytes) */
static void config_text_longer_than_its_first_guess_is_whole(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    memset(o.dataset, 'd', sizeof o.dataset - 1);
    o.dataset[sizeof o.dataset - 1] = '\0';
    memset(o.labels, 'l', sizeof o.labels - 1);
    o.labels[sizeof o.labels - 1] = '\0';
    memset(o.test, 't', sizeof o.test - 1);
    o.test[sizeof o.test - 1] = '\0';
    memset(o.label, 'b', sizeof o.label - 1);
    o.label[sizeof o.label - 1] = '\0';
    size_t need = options_to_config(&o, NULL, 0);
    if (need <= 2048) fail_msg("%zu bytes: the test would not pass the first guess", need);
    char *buf = malloc(need + 1);
    assert_non_null(buf);
    options_to_config(&o, buf, need + 1);
    size_t len = 0;
    char *once = options_config_text(&o, &len);
    assert_non_null(once);
    assert_int_equal(len, need);
    assert_string_equal(once, buf);
    free(once);
    free(buf);
}

static void config_round_trips_sgd_settings(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    snprintf(o.dataset, sizeof o.dataset, "datasets/wine.csv");
    set_ok(&o, "optimizer", "sgd");
    set_ok(&o, "lr", "0.05");
    set_ok(&o, "momentum", "0.9");
    set_ok(&o, "nesterov", "true");
    set_ok(&o, "layers", "64,32");
    set_ok(&o, "activation", "tanh");
    set_ok(&o, "batch-size", "16");
    set_ok(&o, "epochs", "7");
    set_ok(&o, "seed", "123456789012345");
    set_ok(&o, "delimiter", ";");
    set_ok(&o, "label", "cultivar");
    set_ok(&o, "name", "exp1");
    set_ok(&o, "val-split", "0.25");
    set_ok(&o, "normalize", "minmax");
    set_ok(&o, "patience", "0");
    set_ok(&o, "restore-best", "false");
    set_ok(&o, "monitor", "val_accuracy");
    set_ok(&o, "l2", "1e-4");
    set_ok(&o, "dropout", "0.3");
    round_trip(&o);
}

static void config_round_trips_rmsprop_linear_model(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    snprintf(o.dataset, sizeof o.dataset, "spiral");
    set_ok(&o, "optimizer", "rmsprop");
    set_ok(&o, "centered", "true");
    set_ok(&o, "rho", "0.95");
    set_ok(&o, "eps", "1e-8");
    o.hp.opt.lr = 0.1 / 3; /* needs all 17 digits */
    set_ok(&o, "lr-schedule", "cosine");
    set_ok(&o, "cosine-epochs", "50");
    set_ok(&o, "min-lr", "1e-5");
    set_ok(&o, "layers", "");
    set_ok(&o, "loss", "huber");
    set_ok(&o, "delimiter", "\\t");
    set_ok(&o, "missing", "mean");
    set_ok(&o, "noise", "0.3");
    set_ok(&o, "samples", "2000");
    set_ok(&o, "l1", "0.002");
    round_trip(&o);
}

static void config_round_trips_adamw_plateau(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    snprintf(o.dataset, sizeof o.dataset, "data/my set.csv");
    set_ok(&o, "optimizer", "adamw");
    set_ok(&o, "weight-decay", "0.01");
    set_ok(&o, "amsgrad", "true");
    set_ok(&o, "beta1", "0.85");
    set_ok(&o, "beta2", "0.99");
    set_ok(&o, "lr-schedule", "plateau");
    set_ok(&o, "factor", "0.5");
    set_ok(&o, "plateau-patience", "3");
    set_ok(&o, "min-delta", "0.001");
    set_ok(&o, "layers", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16");
    set_ok(&o, "activation", "elu");
    set_ok(&o, "label", "petal class");
    set_ok(&o, "test", "data/held out.csv");
    set_ok(&o, "monitor", "val_r2");
    round_trip(&o);
}

static void config_round_trips_adagrad_step(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    snprintf(o.dataset, sizeof o.dataset, "datasets/diabetes.csv");
    set_ok(&o, "optimizer", "adagrad");
    set_ok(&o, "initial-accumulator", "0.2");
    set_ok(&o, "lr", "0.3");
    set_ok(&o, "lr-schedule", "step");
    set_ok(&o, "step-size", "5");
    set_ok(&o, "gamma", "0.7");
    set_ok(&o, "seed", "18446744073709551615");
    set_ok(&o, "loss", "mae");
    set_ok(&o, "activation", "leaky_relu");
    set_ok(&o, "val-split", "0");
    set_ok(&o, "epochs", "1000000");
    set_ok(&o, "batch-size", "1000000");
    round_trip(&o);
}

static void config_round_trips_defaults(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    round_trip(&o);
}

static void loads_valid_config(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    Error err = {0};
    ErrorCode rc = options_load_file(&o, FIXTURES "valid.cfg", NULL, &err);
    if (rc) fail_msg("valid.cfg: %s", err.msg);
    assert_string_equal(o.dataset, "datasets/wine.csv");
    assert_int_equal(o.hp.opt.kind, OPTIMIZER_SGD);
    /* lr comes before optimizer in the file: the rate survives. */
    expect_near(o.hp.opt.lr, 0.05, 0, "lr");
    expect_near(o.hp.opt.momentum, 0.9, 0, "momentum");
    assert_true(o.hp.opt.nesterov);
    expect_layers(&o, (const int[]){64, 32}, 2);
    assert_int_equal(o.hp.batch_size, 16);
    assert_int_equal(o.epochs, 7);
    assert_string_equal(o.label, "cultivar");
    assert_false(o.restore_best);
    assert_string_equal(o.monitor, "val_accuracy");
}

static void loads_config_with_bom_and_crlf(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    Error err = {0};
    ErrorCode rc = options_load_file(&o, FIXTURES "bom_crlf.cfg", NULL, &err);
    if (rc) fail_msg("bom_crlf.cfg: %s", err.msg);
    assert_int_equal(o.epochs, 12);
    assert_int_equal(o.activation, ACTIVATION_TANH);
    assert_int_equal(o.n_layers, 0);
}

/* Loading `file` must fail with ERROR_INPUT and "file:line" in the message;
 * extra (may be NULL) must appear too. */
static void expect_config_error(const char *file, int line, const char *extra)
{
    Options o;
    options_default(&o);
    Error err = {0};
    ErrorCode rc = options_load_file(&o, file, NULL, &err);
    if (rc != ERROR_INPUT) fail_msg("%s: rc %d (want ERROR_INPUT), \"%s\"", file, rc, err.msg);
    char where[1200];
    snprintf(where, sizeof where, "%s:%d", file, line);
    expect_contains(err.msg, where);
    if (extra) expect_contains(err.msg, extra);
}

static void config_unknown_key_names_file_and_line(void **state)
{
    (void)state;
    expect_config_error(FIXTURES "unknown_key.cfg", 3, "learning-rate");
}

static void config_bad_value_names_file_line_and_option(void **state)
{
    (void)state;
    expect_config_error(FIXTURES "bad_value.cfg", 4, "--batch-size");
}

static void config_missing_equals_names_file_and_line(void **state)
{
    (void)state;
    expect_config_error(FIXTURES "missing_equals.cfg", 2, NULL);
}

static void config_line_too_long_names_file_and_line(void **state)
{
    (void)state;
    expect_config_error(FIXTURES "long_line.cfg", 2, "too long");
}

/* space.txt holds `space = SPEC`, SPEC up to OPTIONS_SPACE - 1 bytes as
 * --space takes it: the line is longer than the spec, and sweep --config
 * and --resume read it back. */
static void config_line_of_the_longest_space_loads(void **state)
{
    (void)state;
    char spec[OPTIONS_SPACE];
    const char *head = "lr=loguniform(1e-4,1e-1)";
    memset(spec, ' ', sizeof spec - 1);
    memcpy(spec, head, strlen(head));
    spec[sizeof spec - 1] = '\0';
    size_t cap = sizeof spec + 64;
    char *text = malloc(cap);
    assert_non_null(text);
    snprintf(text, cap, "epochs = 5\nspace = %s\n", spec);
    assert_true(strlen(text) > 4096 + 8);
    char path[] = "/tmp/gradtop-test-options-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, text);
    free(text);
    Options o;
    options_default(&o);
    Error err = {0};
    ErrorCode rc = options_load_file(&o, path, NULL, &err);
    unlink(path);
    if (rc != ERROR_NONE) fail_msg("a space of %zu bytes: %s", strlen(spec), err.msg);
    assert_string_equal(o.space, head);
}

/* Where a file set each option: the line and the column its value begins
 * at (after a BOM and blanks, as an editor counts), for messages about a
 * value refused with the rest (cli_parse's --missing for IDX images);
 * line 0 for what it did not set or what was locked. */
static void config_places_are_the_value_lines_and_columns(void **state)
{
    (void)state;
    char path[] = "/tmp/gradtop-test-options-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, "\xEF\xBB\xBF# mine\n\nepochs = 3\n  missing =  mean\ndataset = x\nlr=0.1\n");
    Options o;
    options_default(&o);
    bool locked[256] = {false}, set[256] = {false};
    OptionsPlace place[256];
    memset(place, 0, sizeof place);
    size_t lr = (size_t)(options_find("lr") - option_table);
    locked[lr] = true;
    Error err = {0};
    ErrorCode rc = options_load_file_marking(&o, path, locked, set, place, &err);
    unlink(path);
    assert_int_equal(rc, ERROR_NONE);
    size_t epochs = (size_t)(options_find("epochs") - option_table),
           missing = (size_t)(options_find("missing") - option_table),
           seed = (size_t)(options_find("seed") - option_table);
    assert_int_equal(place[epochs].line, 3);
    assert_int_equal(place[epochs].column, 10);
    assert_int_equal(place[missing].line, 4);
    assert_int_equal(place[missing].column, 14);
    assert_int_equal(place[option_count].line, 5);
    assert_int_equal(place[option_count].column, 11);
    assert_int_equal(place[lr].line, 0);
    assert_int_equal(place[seed].line, 0);
    assert_true(set[missing] && !set[lr]);
}

/* o with dataset and one option set as the command line would set it. */
static void data_options(Options *o, const char *dataset, const char *name, const char *value)
{
    options_default(o);
    snprintf(o->dataset, sizeof o->dataset, "%s", dataset);
    Error err = {0};
    if (name) assert_int_equal(options_set(o, options_find(name), value, NULL, &err), ERROR_NONE);
}

/* An option of one kind of dataset set for another is refused, naming
 * the option, its value, the dataset, its kind and what the option is
 * for; for its own kind it is taken. */
static void data_option_for_another_kind_is_refused_saying_why(void **state)
{
    (void)state;
    Options o;
    Error err = {0};
    const OptionSpec *refused = NULL;
    data_options(&o, "iris", "noise", "0.2");
    assert_int_equal(options_check_data(&o, DATASET_KIND_CSV, NULL, NULL, NULL, &refused, &err),
                     ERROR_INPUT);
    assert_string_equal(err.msg, "--noise 0.2: iris is CSV text; --noise scatters the points of "
                                 "the generated 2-D sets spiral, circles, xor, gauss and moons");
    assert_ptr_equal(refused, options_find("noise"));
    snprintf(o.dataset, sizeof o.dataset, "spiral");
    assert_int_equal(options_check_data(&o, DATASET_KIND_GENERATED, NULL, NULL, NULL, NULL, &err),
                     ERROR_NONE);

    data_options(&o, "spiral", "label", "3");
    assert_int_equal(options_check_data(&o, DATASET_KIND_GENERATED, NULL, NULL, NULL, NULL, &err),
                     ERROR_INPUT);
    assert_string_equal(err.msg, "--label 3: spiral is a generated set, with no file to read; "
                                 "--label names the label column of CSV data");
    data_options(&o, "x-images-idx3-ubyte", "delimiter", ";");
    assert_int_equal(options_check_data(&o, DATASET_KIND_IDX, NULL, NULL, NULL, NULL, &err),
                     ERROR_INPUT);
    expect_contains(err.msg, "--delimiter ;: x-images-idx3-ubyte is IDX images; --delimiter");
    data_options(&o, "fashion-mnist", "labels", "my-labels");
    assert_int_equal(options_check_data(&o, DATASET_KIND_IDX, NULL, NULL, NULL, NULL, &err),
                     ERROR_INPUT);
    expect_contains(err.msg, "--labels my-labels: fashion-mnist is IDX images with labels of their "
                             "own; --labels names the labels file of IDX images given by their "
                             "path");
    snprintf(o.dataset, sizeof o.dataset, "x-images-idx3-ubyte");
    assert_int_equal(options_check_data(&o, DATASET_KIND_IDX, NULL, NULL, NULL, NULL, &err),
                     ERROR_NONE);
}

/* What the command line gave is refused whatever its value (--missing
 * error for IDX images says something that cannot apply); a config
 * file's line only when it is not the default, and then at its line
 * and column, with the default to write instead. */
static void data_option_from_a_file_is_refused_at_its_line_unless_default(void **state)
{
    (void)state;
    Options o;
    Error err = {0};
    bool command_line[256] = {false};
    OptionsPlace place[256];
    memset(place, 0, sizeof place);
    size_t missing = (size_t)(options_find("missing") - option_table),
           noise = (size_t)(options_find("noise") - option_table);
    data_options(&o, "x-images-idx3-ubyte", "missing", "error");
    place[missing] = (OptionsPlace){3, 14};
    assert_int_equal(
        options_check_data(&o, DATASET_KIND_IDX, command_line, "run.cfg", place, NULL, &err),
        ERROR_NONE);
    command_line[missing] = true;
    assert_int_equal(
        options_check_data(&o, DATASET_KIND_IDX, command_line, "run.cfg", place, NULL, &err),
        ERROR_INPUT);
    expect_contains(err.msg, "--missing error: x-images-idx3-ubyte is IDX images; --missing says "
                             "what to do with the empty or NA values of CSV data");
    command_line[missing] = false;
    data_options(&o, "x-images-idx3-ubyte", "missing", "mean");
    assert_int_equal(
        options_check_data(&o, DATASET_KIND_IDX, command_line, "run.cfg", place, NULL, &err),
        ERROR_INPUT);
    assert_string_equal(err.msg, "run.cfg:3:14: missing = mean: x-images-idx3-ubyte is IDX "
                                 "images; --missing says what to do with the empty or NA values "
                                 "of CSV data (remove the line, or write the default: missing = "
                                 "error)");
    /* every value that stands for the default is the default */
    data_options(&o, "iris", "noise", "-0.5");
    place[noise] = (OptionsPlace){2, 9};
    assert_int_equal(
        options_check_data(&o, DATASET_KIND_CSV, command_line, "run.cfg", place, NULL, &err),
        ERROR_NONE);
    data_options(&o, "iris", "label", "");
    assert_int_equal(options_check_data(&o, DATASET_KIND_IDX, NULL, NULL, NULL, NULL, &err),
                     ERROR_NONE);
    data_options(&o, "x-images-idx3-ubyte", "label", "0");
    size_t label = (size_t)(options_find("label") - option_table);
    place[label] = (OptionsPlace){5, 9};
    assert_int_equal(
        options_check_data(&o, DATASET_KIND_IDX, command_line, "run.cfg", place, NULL, &err),
        ERROR_INPUT);
    expect_contains(err.msg, "run.cfg:5:9: label = 0: ");
    expect_contains(err.msg, "(remove the line, or write the default: label = \"\")");
}

/* config.txt writes every option, those a run's dataset does not take at
 * their defaults: it loads back for every kind of dataset. */
static void every_config_txt_passes_the_data_check(void **state)
{
    (void)state;
    static const struct {
        const char *dataset;
        DatasetKind kind;
    } runs[] = {{"spiral", DATASET_KIND_GENERATED},
                {"iris", DATASET_KIND_CSV},
                {"fashion-mnist", DATASET_KIND_IDX},
                {"x-images-idx3-ubyte", DATASET_KIND_IDX}};
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        Options o, back;
        data_options(&o, runs[i].dataset, NULL, NULL);
        char *text = options_config_text(&o, NULL);
        assert_non_null(text);
        options_default(&back);
        Error err = {0};
        assert_int_equal(options_load_text(&back, text, "config.txt", NULL, &err), ERROR_NONE);
        free(text);
        if (options_check_data(&back, runs[i].kind, NULL, NULL, NULL, NULL, &err) != ERROR_NONE)
            fail_msg("%s: %s", runs[i].dataset, err.msg);
    }
}

/* The same value: as written, or standing for the same thing. */
static void same_value_reads_special_values_as_what_they_stand_for(void **state)
{
    (void)state;
    Options a, b;
    options_default(&a);
    options_default(&b);
    Error err = {0};
    const OptionSpec *noise = options_find("noise"), *lr = options_find("lr");
    assert_int_equal(options_set(&a, noise, "-0.5", NULL, &err), ERROR_NONE);
    assert_true(options_same_value(&a, &b, noise));
    assert_int_equal(options_set(&a, noise, "0", NULL, &err), ERROR_NONE);
    assert_false(options_same_value(&a, &b, noise));
    /* the rate set to the number it follows is not following it */
    assert_int_equal(options_set(&a, lr, "0.001", NULL, &err), ERROR_NONE);
    assert_false(options_same_value(&a, &b, lr));
    assert_true(options_same_value(&a, &a, lr));
}

static void config_missing_file_is_input_error(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    Error err = {0};
    const char *path = FIXTURES "no-such-file.cfg";
    assert_int_equal(options_load_file(&o, path, NULL, &err), ERROR_INPUT);
    expect_contains(err.msg, path);
}

/* A bad value written by hand at a known line, through a temporary file,
 * for values the fixtures do not cover. */
static void config_errors_in_generated_files(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int line;
        const char *extra;
    } cases[] = {
        {"epochs = 5\nlayers = 64,,32\n", 2, "--layers"},
        {"lr = 0.01\nconfig = other.txt\n", 2, "one file does not load another"},
        {"# c\n\noptimizer = foo\n", 3, "--optimizer"},
        {"lr = nan\n", 1, "--lr"},
        {"lr = 0.1\nepochs = 3\nbatch-size = 1000000000000\n", 3, "--batch-size"},
        {"= 5\n", 1, NULL},
        {"layers = 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17\n", 1, "--layers"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[] = "/tmp/gradtop-test-options-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);
        write_file(path, cases[i].text);
        expect_config_error(path, cases[i].line, cases[i].extra);
        unlink(path);
    }
}

/* Loads text as a config file, which must fail with ERROR_INPUT; want
 * must be in the message and no control byte.  Nothing of the file is
 * applied: it is checked whole first. */
static void expect_text_refused(const char *text, size_t len, const char *want)
{
    char path[] = "/tmp/gradtop-test-options-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    Options o, before;
    options_default(&o);
    options_default(&before);
    Error err = {0};
    ErrorCode rc = options_load_file(&o, path, NULL, &err);
    unlink(path);
    if (rc != ERROR_INPUT) fail_msg("rc %d (want ERROR_INPUT), \"%s\"", rc, err.msg);
    char where[128];
    snprintf(where, sizeof where, "%s%s", path, want);
    expect_contains(err.msg, where);
    expect_printable(err.msg);
    if (memcmp(&o, &before, sizeof o) != 0) fail_msg("a refused file changed the options");
}

/* A NUL byte is a binary file, as the CSV loader says, at its line and
 * column: the bytes after it are not dropped unseen. */
static void config_nul_byte_is_refused_at_line_and_column(void **state)
{
    (void)state;
    static const char after_value[] = "lr = 0.5\0garbage\nepochs = 2\n";
    expect_text_refused(after_value, sizeof after_value - 1,
                        ":1:9: NUL byte: this is a binary file, not a config file");
    static const char binary[] = "\0\1\2";
    expect_text_refused(binary, sizeof binary - 1, ":1:1: NUL byte");
    static const char later[] = "# ok\nepochs = 2\nl\0r = 1\n";
    expect_text_refused(later, sizeof later - 1, ":3:2: NUL byte");
}

/* Other control characters are not text either; the message names the
 * byte rather than echoing it (an escape would recolour the terminal). */
static void config_control_character_is_refused_at_line_and_column(void **state)
{
    (void)state;
    static const char esc[] = "epochs = 3\n\033[31mRED = 1\n";
    expect_text_refused(esc, sizeof esc - 1, ":2:1: control character 0x1B");
    static const char bell[] = "label = a\007b\n";
    expect_text_refused(bell, sizeof bell - 1, ":1:10: control character 0x07");
    /* tab, CR and a UTF-8 BOM are text */
    Options o;
    options_default(&o);
    Error err = {0};
    assert_int_equal(options_load_text(&o,
                                       "\xEF\xBB\xBF"
                                       "epochs\t= 4\r\n",
                                       "t", NULL, &err),
                     ERROR_NONE);
    assert_int_equal(o.epochs, 4);
    /* a model's stored options are read by the same rules */
    assert_int_equal(options_load_text(&o, "epochs = 5\n\033\n", "model.gtm", NULL, &err),
                     ERROR_INPUT);
    expect_contains(err.msg, "model.gtm:2:1: control character 0x1B");
}

/* CR ends a line before LF (CRLF, read as LF is); alone, as old Macs
 * ended lines, it is told at the line and column of the first, rather
 * than the file read as one long line ("'1\rlr = 0.1'"). */
static void config_cr_alone_is_refused_crlf_is_taken(void **state)
{
    (void)state;
    static const char mac[] = "epochs = 1\rlr = 0.1\r";
    expect_text_refused(mac, sizeof mac - 1,
                        ":1:11: line ends with a carriage return alone (old Mac line endings): "
                        "save it with \\n or \\r\\n");
    static const char later[] = "# fine\r\nepochs = 2\r\nlr = 0.1\rl2 = 0\r\n";
    expect_text_refused(later, sizeof later - 1, ":3:9: line ends with a carriage return alone");
    Options o;
    options_default(&o);
    Error err = {0};
    assert_int_equal(options_load_text(&o, "epochs = 7\r\nlr = 0.25\r\n\r\n# c\r\nl2 = 0.5\r\n",
                                       "t", NULL, &err),
                     ERROR_NONE);
    assert_int_equal(o.epochs, 7);
    expect_near(o.hp.opt.lr, 0.25, 0, "lr");
    /* a last line's CR with its LF lost ends the file: nothing follows */
    assert_int_equal(options_load_text(&o, "epochs = 8\r\nl2 = 0\r", "t", NULL, &err), ERROR_NONE);
    assert_int_equal(o.epochs, 8);
}

/* A key on two lines is refused with both lines, even when the command
 * line sets it (locked): which value was meant cannot be told. */
static void config_key_set_twice_names_both_lines(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    Error err = {0};
    assert_int_equal(
        options_load_text(&o, "epochs = 5\nlr = 0.1\n\nepochs = 7\n", "dup.cfg", NULL, &err),
        ERROR_INPUT);
    assert_string_equal(err.msg, "dup.cfg:4: 'epochs' is set a second time (first on line 1)");
    bool *locked = calloc(option_count + 1, sizeof *locked);
    assert_non_null(locked);
    locked[spec_of("lr") - option_table] = true;
    assert_int_equal(
        options_load_text(&o, "lr = 0.1\n# again\nlr = 0.2\n", "dup.cfg", locked, &err),
        ERROR_INPUT);
    assert_string_equal(err.msg, "dup.cfg:3: 'lr' is set a second time (first on line 1)");
    free(locked);
    assert_int_equal(
        options_load_text(&o, "dataset = iris\ndataset = wine\n", "dup.cfg", NULL, &err),
        ERROR_INPUT);
    assert_string_equal(err.msg, "dup.cfg:2: 'dataset' is set a second time (first on line 1)");
}

/* A config file has a size limit, so endless input ends in an error. */
static void config_larger_than_the_limit_is_refused(void **state)
{
    (void)state;
    size_t n = 1100 * 1000;
    char *big = malloc(n);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++) big[i] = i % 64 == 63 ? '\n' : i % 64 == 0 ? '#' : 'x';
    expect_text_refused(big, n, ": larger than the 1 MB a config file may be");
    /* one byte under the limit is fine */
    size_t ok = 1024 * 1024;
    char path[] = "/tmp/gradtop-test-options-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, big, ok), (ssize_t)ok);
    close(fd);
    free(big);
    Options o;
    options_default(&o);
    Error err = {0};
    ErrorCode rc = options_load_file(&o, path, NULL, &err);
    unlink(path);
    if (rc) fail_msg("1 MB of comments: %s", err.msg);
}

/* Reading a config file never waits for ever: /dev/zero is a binary file
 * at its first byte, a named pipe nobody writes to is refused at once.
 * SIGALRM ends the test program if either hangs. */
static void config_endless_or_silent_input_does_not_hang(void **state)
{
    (void)state;
    alarm(20);
    Options o;
    options_default(&o);
    Error err = {0};
    assert_int_equal(options_load_file(&o, "/dev/zero", NULL, &err), ERROR_INPUT);
    expect_contains(err.msg, "/dev/zero:1:1: NUL byte");
    char dir[] = "/tmp/gradtop-test-options-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char fifo[64];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    ErrorCode rc = options_load_file(&o, fifo, NULL, &err);
    unlink(fifo);
    rmdir(dir);
    alarm(0);
    assert_int_equal(rc, ERROR_INPUT);
    expect_contains(err.msg, "nothing to read");
    /* a directory is named as one */
    assert_int_equal(options_load_file(&o, "tests/data/config", NULL, &err), ERROR_INPUT);
    expect_contains(err.msg, "tests/data/config: a directory");
}

/* A pipe with a writer is read to its end (--config <(...)). */
static void config_is_read_from_a_pipe(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    static const char text[] = "epochs = 4\nlr = 0.02\n";
    assert_int_equal(write(p[1], text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(p[1]);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
    Options o;
    options_default(&o);
    Error err = {0};
    ErrorCode rc = options_load_file(&o, path, NULL, &err);
    close(p[0]);
    if (rc) fail_msg("%s: %s", path, err.msg);
    assert_int_equal(o.epochs, 4);
    expect_near(o.hp.opt.lr, 0.02, 0, "lr");
}

/* config.txt holds every option of the run: --threads too.  Only the
 * options that say where and how a run is written or started, and the
 * sweep's own, stay out. */
static void config_text_holds_every_run_option(void **state)
{
    (void)state;
    static const char *const outside[] = {"logdir", "no-log", "config", "start", "paused"};
    for (size_t i = 0; i < option_count; i++) {
        bool out = false;
        for (size_t k = 0; k < sizeof outside / sizeof outside[0]; k++)
            out |= strcmp(option_table[i].name, outside[k]) == 0;
        /* gradtop sweep's own options are the search's, not a run's */
        out |= option_table[i].group == OPTGROUP_SWEEP;
        if (option_table[i].in_config == out)
            fail_msg("--%s is %s config.txt", option_table[i].name, out ? "in" : "not in");
    }
    Options o;
    options_default(&o);
    set_ok(&o, "threads", "3");
    char buf[8192];
    options_to_config(&o, buf, sizeof buf);
    expect_contains(buf, "\nthreads = 3\n");
    round_trip(&o);
}

/* locked.cfg sets dataset, lr, epochs, optimizer, batch-size; the command
 * line gave dataset and lr (locked), so only the others change. */
static void locked_keys_are_skipped(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    bool *locked = calloc(option_count + 1, sizeof *locked);
    assert_non_null(locked);
    set_ok(&o, "lr", "0.02");
    locked[spec_of("lr") - option_table] = true;
    snprintf(o.dataset, sizeof o.dataset, "datasets/iris.csv");
    locked[option_count] = true;
    Error err = {0};
    ErrorCode rc = options_load_file(&o, FIXTURES "locked.cfg", locked, &err);
    free(locked);
    if (rc) fail_msg("locked.cfg: %s", err.msg);
    assert_string_equal(o.dataset, "datasets/iris.csv");
    expect_near(o.hp.opt.lr, 0.02, 0, "lr (locked)");
    assert_int_equal(o.epochs, 7);
    assert_int_equal(o.hp.opt.kind, OPTIMIZER_RMSPROP);
    assert_int_equal(o.hp.batch_size, 8);

    /* Without locks the file's values apply. */
    options_default(&o);
    rc = options_load_file(&o, FIXTURES "locked.cfg", NULL, &err);
    if (rc) fail_msg("locked.cfg: %s", err.msg);
    assert_string_equal(o.dataset, "datasets/wine.csv");
    expect_near(o.hp.opt.lr, 0.5, 0, "lr");
}

/* The options the trainer changes while a run trains are exactly the
 * fields of Options.hp: setting a live one changes o.hp and nothing else
 * (but whether the rate follows the optimizer's default), setting any
 * other leaves o.hp alone.  So the values in force are taken back by one
 * assignment, with no list of fields to keep in step. */
static void live_options_are_the_hyperparameters_field(void **state)
{
    (void)state;
    int live = 0;
    for (size_t i = 0; i < option_count; i++) {
        const OptionSpec *s = &option_table[i];
        Options a, b;
        memset(&a, 0, sizeof a);
        options_default(&a);
        memcpy(&b, &a, sizeof b);
        char cur[128], val[128];
        options_format(&a, s, cur, sizeof cur);
        if (s->kind == OPTKIND_ENUM) {
            snprintf(val, sizeof val, "%s", strcmp(s->names[0], cur) ? s->names[0] : s->names[1]);
        } else if (s->kind == OPTKIND_BOOL) {
            snprintf(val, sizeof val, "%s", strcmp(cur, "true") ? "true" : "false");
        } else if (s->kind == OPTKIND_INT || s->kind == OPTKIND_DOUBLE) {
            /* within the range, away from the default */
            double v = s->kind == OPTKIND_INT       ? s->min + 1
                       : s->max < OPTIONS_UNBOUNDED ? (s->min + s->max) / 2
                                                    : s->min + 1;
            snprintf(val, sizeof val, "%.17g", v);
            if (!strcmp(val, cur)) snprintf(val, sizeof val, "%.17g", s->min + 2);
        } else {
            assert_false(option_live(s)); /* no text field is a hyperparameter */
            continue;
        }
        Error err;
        if (options_set(&b, s, val, NULL, &err) != ERROR_NONE)
            fail_msg("--%s %s: %s", s->name, val, err.msg);
        bool hp_changed = memcmp(&a.hp, &b.hp, sizeof a.hp) != 0;
        if (hp_changed != option_live(s))
            fail_msg("--%s: live %d, yet setting it %s Options.hp", s->name, option_live(s),
                     hp_changed ? "changes" : "leaves");
        if (option_live(s)) {
            live++;
            b.hp = a.hp;
            b.lr_is_default = a.lr_is_default;
            if (memcmp(&a, &b, sizeof a) != 0)
                fail_msg("--%s changes more than Options.hp", s->name);
        }
    }
    assert_true(live >= 6); /* optimizer, lr, batch size, l1, l2, dropout, patience, ... */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_match_spec),
        cmocka_unit_test(live_options_are_the_hyperparameters_field),
        cmocka_unit_test(default_adam_has_keras_parameters),
        cmocka_unit_test(choosing_an_optimizer_gives_its_keras_defaults),
        cmocka_unit_test(optimizer_keeps_rate_and_explicit_parameters),
        cmocka_unit_test(every_default_formats_and_parses_back),
        cmocka_unit_test(sets_int_option),
        cmocka_unit_test(sets_u64_option),
        cmocka_unit_test(sets_double_option),
        cmocka_unit_test(negative_zero_is_taken_as_zero),
        cmocka_unit_test(sets_bool_option),
        cmocka_unit_test(sets_string_option),
        cmocka_unit_test(sets_char_option),
        cmocka_unit_test(sets_enum_option),
        cmocka_unit_test(sets_layer_lists),
        cmocka_unit_test(empty_layers_is_a_linear_model),
        cmocka_unit_test(rejects_bad_learning_rates),
        cmocka_unit_test(numbers_are_read_in_decimal_only),
        cmocka_unit_test(pace_takes_every_form),
        cmocka_unit_test(pace_rejects_what_is_not_a_pace),
        cmocka_unit_test(pace_steps_along_the_ladder),
        cmocka_unit_test(takes_any_finite_positive_learning_rate),
        cmocka_unit_test(numbers_beyond_their_type_are_told_as_such),
        cmocka_unit_test(each_optimizer_starts_with_its_own_keras_rate),
        cmocka_unit_test(rejects_bad_batch_sizes),
        cmocka_unit_test(rejects_other_out_of_range_numbers),
        cmocka_unit_test(rejects_bad_layer_lists),
        cmocka_unit_test(option_applies_to_its_optimizer_and_schedule),
        cmocka_unit_test(special_values_stand_for_their_words),
        cmocka_unit_test(rejects_unknown_names),
        cmocka_unit_test(rejects_other_bad_values),
        cmocka_unit_test(noise_range_says_negative_is_the_default),
        cmocka_unit_test(bad_values_are_shown_without_control_bytes),
        cmocka_unit_test(rejects_control_characters_in_texts),
        cmocka_unit_test(where_prefixes_the_message),
        cmocka_unit_test(config_round_trips_defaults),
        cmocka_unit_test(config_round_trips_sgd_settings),
        cmocka_unit_test(config_round_trips_rmsprop_linear_model),
        cmocka_unit_test(config_round_trips_adamw_plateau),
        cmocka_unit_test(config_round_trips_adagrad_step),
        cmocka_unit_test(loads_valid_config),
        cmocka_unit_test(loads_config_with_bom_and_crlf),
        cmocka_unit_test(config_unknown_key_names_file_and_line),
        cmocka_unit_test(config_bad_value_names_file_line_and_option),
        cmocka_unit_test(config_missing_equals_names_file_and_line),
        cmocka_unit_test(config_line_too_long_names_file_and_line),
        cmocka_unit_test(config_line_of_the_longest_space_loads),
        cmocka_unit_test(config_missing_file_is_input_error),
        cmocka_unit_test(config_errors_in_generated_files),
        cmocka_unit_test(config_nul_byte_is_refused_at_line_and_column),
        cmocka_unit_test(config_control_character_is_refused_at_line_and_column),
        cmocka_unit_test(config_cr_alone_is_refused_crlf_is_taken),
        cmocka_unit_test(config_key_set_twice_names_both_lines),
        cmocka_unit_test(config_larger_than_the_limit_is_refused),
        cmocka_unit_test(config_endless_or_silent_input_does_not_hang),
        cmocka_unit_test(config_is_read_from_a_pipe),
        cmocka_unit_test(config_text_holds_every_run_option),
        cmocka_unit_test(config_text_longer_than_its_first_guess_is_whole),
        cmocka_unit_test(locked_keys_are_skipped),
        cmocka_unit_test(config_places_are_the_value_lines_and_columns),
        cmocka_unit_test(data_option_for_another_kind_is_refused_saying_why),
        cmocka_unit_test(data_option_from_a_file_is_refused_at_its_line_unless_default),
        cmocka_unit_test(every_config_txt_passes_the_data_check),
        cmocka_unit_test(same_value_reads_special_values_as_what_they_stand_for),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
