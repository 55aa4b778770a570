/*
 * test_race.c - the optimizer race's --racers parser (race_check, the same
 * parser race_main uses): racers' names (the optimizer, numbered when it
 * runs twice, or name=), the keys a racer may set (model and training
 * options) and the ones it may not (the shared data and output options),
 * and messages that name the racer and its part of the spec.  Nothing is
 * trained: race_check starts nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gradtop/run/racers.h"

/* race_check over the defaults; why and names are filled either way. */
static bool check(const char *spec, char *why, size_t why_cap, char *names, size_t names_cap)
{
    Options o;
    options_default(&o);
    why[0] = '\0';
    return race_check(&o, spec, why, why_cap, names, names_cap);
}

static void expect_refused(const char *spec, const char *part1, const char *part2)
{
    char why[512], names[256];
    if (check(spec, why, sizeof why, names, sizeof names))
        fail_msg("--racers \"%s\" was accepted", spec);
    if (!strstr(why, part1) || (part2 && !strstr(why, part2)))
        fail_msg("--racers \"%s\": message \"%s\" does not say \"%s\"%s%s", spec, why, part1,
                 part2 ? " and " : "", part2 ? part2 : "");
}

static void expect_names(const char *spec, const char *want)
{
    char why[512], names[256];
    if (!check(spec, why, sizeof why, names, sizeof names))
        fail_msg("--racers \"%s\" was refused: %s", spec, why);
    assert_string_equal(names, want);
}

static void default_race_is_sgd_adam_rmsprop(void **state)
{
    (void)state;
    char why[512], names[256];
    Options o;
    options_default(&o);
    assert_true(race_check(&o, NULL, why, sizeof why, names, sizeof names));
    assert_string_equal(names, "sgd, adam, rmsprop");
}

static void an_optimizer_that_runs_twice_is_numbered(void **state)
{
    (void)state;
    expect_names("sgd:lr=0.05;sgd:lr=0.05,momentum=0.9,nesterov=true;adam", "sgd, sgd-2, adam");
}

static void name_names_the_racer(void **state)
{
    (void)state;
    expect_names("sgd:name=slow;adam:name=fast", "slow, fast");
    /* a named sgd does not take the plain name "sgd" from the next one */
    expect_names("sgd:name=a;sgd", "a, sgd");
    expect_names(" sgd : lr = 0.1 , name = x.y_z-1+ ; adam ", "x.y_z-1+, adam");
}

static void two_racers_of_one_name_are_refused(void **state)
{
    (void)state;
    expect_refused("sgd:name=adam;adam", "racers 1 and 2 are both named 'adam'", NULL);
    expect_refused("sgd;sgd;sgd:name=sgd-2", "racers 2 and 3 are both named 'sgd-2'", NULL);
}

static void a_bad_name_is_refused_naming_the_racer(void **state)
{
    (void)state;
    expect_refused("sgd;adam:name=a/b", "racer 2 (adam:name=a/b)", "name 'a/b'");
    expect_refused("sgd:name=;adam", "racer 1 (sgd:name=)", "name ''");
    expect_refused("sgd:name=abcdefghijklmnopqrstuvwxyz;adam", "racer 1", "1 to 24");
}

/* As in a config file: which of two values was meant cannot be told. */
static void a_key_given_twice_in_a_racer_is_refused(void **state)
{
    (void)state;
    expect_refused("sgd:lr=0.1,lr=0.2;adam", "racer 1 (sgd:lr=0.1,lr=0.2)",
                   "'lr' is set a second time");
    expect_refused("sgd;adam:name=a,layers=8,name=b", "racer 2", "'name' is set a second time");
}

static void model_and_training_keys_are_per_racer(void **state)
{
    (void)state;
    expect_names("sgd:batch-size=8,layers=8;adam:seed=5,activation=tanh,l2=0.01,epochs=3,"
                 "patience=0,lr-schedule=cosine,loss=mse,dropout=0.1,threads=1",
                 "sgd, adam");
    /* a list value keeps its commas: the piece after one has no '=' */
    expect_names("sgd:layers=;adam:layers=64,32,lr=0.01", "sgd, adam");
    expect_names("sgd:layers=64, 32 ,;adam", "sgd, adam");

    /* and each value reaches its own racer, the others keep the shared ones */
    Options base, r[RACE_MAX];
    options_default(&base);
    base.seed = 7;
    int n = 0;
    char why[512];
    assert_true(race_options(&base, "sgd:batch-size=8,layers=;adam:layers=64,32,seed=5,lr=0.01", r,
                             &n, why, sizeof why, NULL, 0));
    assert_int_equal(n, 2);
    assert_int_equal(r[0].hp.opt.kind, OPTIMIZER_SGD);
    assert_int_equal(r[0].hp.batch_size, 8);
    assert_int_equal(r[0].n_layers, 0);
    assert_int_equal((int)r[0].seed, 7);
    assert_int_equal(r[1].hp.opt.kind, OPTIMIZER_ADAM);
    assert_int_equal(r[1].hp.batch_size, base.hp.batch_size);
    assert_int_equal(r[1].n_layers, 2);
    assert_int_equal(r[1].layers[0], 64);
    assert_int_equal(r[1].layers[1], 32);
    assert_int_equal((int)r[1].seed, 5);
    assert_true(r[1].hp.opt.lr == 0.01);
}

/* Each racer's run says what the racers differ in (the HParams
 * experiment's differs): the options whose values are not the same in
 * all the racers they apply to. */
static void racers_know_what_they_differ_in(void **state)
{
    (void)state;
    Options base, r[RACE_MAX];
    options_default(&base);
    int n = 0;
    char why[512];
    assert_true(race_options(&base, "sgd:lr=0.01,momentum=0.9;adam:lr=0.001;adam:lr=0.01,l2=0.1", r,
                             &n, why, sizeof why, NULL, 0));
    assert_int_equal(n, 3);
    for (int i = 0; i < n; i++) {
        assert_true(options_varied(&r[i], "optimizer"));
        assert_true(options_varied(&r[i], "lr"));
        assert_true(options_varied(&r[i], "l2"));
        /* SGD's alone: the Adam racers do not take it */
        assert_false(options_varied(&r[i], "momentum"));
        assert_false(options_varied(&r[i], "batch-size"));
        assert_false(options_varied(&r[i], "layers"));
    }
}

static void shared_keys_are_refused_naming_the_racer(void **state)
{
    (void)state;
    expect_refused("sgd;adam:val-split=0.3", "racer 2 (adam:val-split=0.3)",
                   "val-split is shared by all racers");
    expect_refused("sgd:normalize=none;adam", "racer 1 (sgd:normalize=none)", "--normalize");
    expect_refused("sgd;adam:samples=100", "racer 2", "samples is shared");
    expect_refused("sgd;adam:logdir=/tmp", "racer 2 (adam:logdir=/tmp)", "logdir is shared");
    expect_refused("sgd;adam:no-log=true", "racer 2", "no-log is shared");
    expect_refused("sgd;adam:config=x.cfg", "racer 2", "config is shared");
    expect_refused("sgd;adam:optimizer=sgd", "racer 2 (adam:optimizer=sgd)", "first word");
}

static void bad_keys_and_values_name_the_racer(void **state)
{
    (void)state;
    expect_refused("sgd;adam:foo=1", "racer 2 (adam:foo=1)", "unknown option 'foo'");
    expect_refused("sgd;adam:lr=x", "racer 2 (adam:lr=x)", "--lr");
    expect_refused("sgd;adam:lr=0.1,5", "racer 2 (adam:lr=0.1,5)", "'0.1,5'");
    expect_refused("sgd:lr;adam", "racer 1 (sgd:lr)", "not KEY=VALUE");
    expect_refused("nadam;adam", "racer 1 (nadam)", "--optimizer");
}

static void counts_and_lengths_are_checked(void **state)
{
    (void)state;
    expect_refused("sgd", "give 2 to 4 racers (got 1)", NULL);
    expect_refused("", "give 2 to 4 racers (got 0)", NULL);
    expect_refused(" ; ;;", "give 2 to 4 racers (got 0)", NULL);
    expect_refused("sgd;adam;rmsprop;adamw;adagrad", "at most 4 racers", NULL);
    char long_spec[2048];
    memset(long_spec, 'x', sizeof long_spec - 1);
    long_spec[sizeof long_spec - 1] = '\0';
    expect_refused(long_spec, "longer than 1023 characters", NULL);
    /* one long racer: its part of the spec is cut in the message */
    char spec[600];
    snprintf(spec, sizeof spec, "sgd;adam:lr=0.1,name=%0300d", 0);
    expect_refused(spec, "racer 2 (adam:lr=0.1,name=000", "...)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_race_is_sgd_adam_rmsprop),
        cmocka_unit_test(racers_know_what_they_differ_in),
        cmocka_unit_test(an_optimizer_that_runs_twice_is_numbered),
        cmocka_unit_test(name_names_the_racer),
        cmocka_unit_test(two_racers_of_one_name_are_refused),
        cmocka_unit_test(a_bad_name_is_refused_naming_the_racer),
        cmocka_unit_test(a_key_given_twice_in_a_racer_is_refused),
        cmocka_unit_test(model_and_training_keys_are_per_racer),
        cmocka_unit_test(shared_keys_are_refused_naming_the_racer),
        cmocka_unit_test(bad_keys_and_values_name_the_racer),
        cmocka_unit_test(counts_and_lengths_are_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
