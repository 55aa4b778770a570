/*
 * test_presets.c - the generated sets' own defaults (presets.h): each set
 * learns at them, to a validation accuracy of 0.95 or more at seeds 0, 1
 * and 2 (recomputed from the kept model's forward pass); every value in the
 * table is one the option accepts; preset_switch leaves what the user gave
 * or changed alone and takes a dataset's defaults back when another is
 * chosen.
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

#include "gradtop/data/dataset.h"
#include "gradtop/run/prepared.h"
#include "gradtop/nn/model.h"
#include "gradtop/run/presets.h"
#include "gradtop/run/trainer.h"

#include "gradtop/run/racers.h"
#include "accuracy.h"

static void set_opt(Options *o, const char *name, const char *value)
{
    const OptionSpec *s = options_find(name);
    if (!s) fail_msg("no option --%s", name);
    Error err = {0};
    if (options_set(o, s, value, NULL, &err)) fail_msg("--%s %s: %s", name, value, err.msg);
}

static void format_opt(const Options *o, const char *name, char *buf, size_t cap)
{
    const OptionSpec *s = options_find(name);
    if (!s) fail_msg("no option --%s", name);
    options_format(o, s, buf, cap);
}

static void assert_opt(const Options *o, const char *name, const char *want)
{
    char v[OPTIONS_PATH];
    format_opt(o, name, v, sizeof v);
    if (strcmp(v, want) != 0) fail_msg("--%s is %s, expected %s", name, v, want);
}

/* Trains dataset at its defaults with seed on one thread (the same sums
 * in the same order every time) and returns the kept model's validation
 * accuracy. */
static double val_accuracy_at_defaults(const char *dataset, const char *seed)
{
    Options o;
    preset_defaults(&o, dataset);
    snprintf(o.dataset, sizeof o.dataset, "%s", dataset);
    set_opt(&o, "seed", seed);
    set_opt(&o, "threads", "1");
    o.no_log = true;
    PreparedData s;
    Error err = {0};
    if (prepared_open(&s, &o, NULL, &err)) fail_msg("%s: %s", dataset, err.msg);
    Trainer *t = NULL;
    TrainerHooks hooks = {0};
    if (trainer_create(&t, &o, &s.train, &s.val, NULL, false, &hooks, &err))
        fail_msg("%s: %s", dataset, err.msg);
    if (trainer_run(t, &err)) fail_msg("%s: %s", dataset, err.msg);
    TrainResult r;
    trainer_result(t, &r);
    double acc = accuracy_of(trainer_model(t), &s.val);
    printf("  %s seed %s: val accuracy %.4f after %d epochs (kept %d)\n", dataset, seed, acc,
           r.epochs, r.best_epoch);
    trainer_destroy(t);
    prepared_close(&s);
    return acc;
}

static void every_generated_set_reaches_095_at_its_defaults(void **state)
{
    (void)state;
    static const char *const sets[] = {"spiral", "circles", "xor", "gauss", "moons"};
    static const char *const seeds[] = {"0", "1", "2"};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        assert_non_null(preset_find(sets[i]));
        for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
            double acc = val_accuracy_at_defaults(sets[i], seeds[k]);
            if (!(acc >= 0.95))
                fail_msg("%s seed %s: val accuracy %.4f < 0.95", sets[i], seeds[k], acc);
        }
    }
}

static void every_preset_names_a_generated_set_and_values_the_options_take(void **state)
{
    (void)state;
    assert_int_equal(preset_count, 5);
    for (size_t i = 0; i < preset_count; i++) {
        const Preset *p = &presets[i];
        assert_true(dataset_is_generated_name(p->dataset));
        assert_true(p->n_values > 0 && p->n_values <= PRESET_MAX_VALUES);
        for (int k = 0; k < p->n_values; k++) {
            Options o;
            options_default(&o);
            set_opt(&o, p->values[k].option, p->values[k].value);
        }
    }
    assert_null(preset_find("iris"));
    assert_null(preset_find(""));
    assert_null(preset_find(NULL));
}

static void the_command_line_takes_a_sets_defaults_where_it_says_nothing(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    bool given[256] = {false};
    set_opt(&o, "layers", "5");
    given[options_find("layers") - option_table] = true;
    /* given, though equal to the general default: still the user's */
    set_opt(&o, "epochs", "100");
    given[options_find("epochs") - option_table] = true;
    preset_switch(&o, "", "spiral", given);
    assert_opt(&o, "layers", "5");
    assert_opt(&o, "epochs", "100");
    assert_opt(&o, "activation", "tanh");
    assert_opt(&o, "lr", "0.03");
    assert_false(o.lr_is_default);
    assert_opt(&o, "patience", "150");
    assert_opt(&o, "monitor", "val_accuracy");
    /* what the preset does not name keeps the general default */
    assert_opt(&o, "batch-size", "32");
    assert_opt(&o, "optimizer", "adam");
}

static void another_optimizer_keeps_its_own_rate(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    bool given[256] = {false};
    set_opt(&o, "optimizer", "sgd");
    given[options_find("optimizer") - option_table] = true;
    preset_switch(&o, "", "circles", given);
    assert_opt(&o, "lr", "0.01");
    assert_true(o.lr_is_default);
    assert_opt(&o, "activation", "tanh");
    /* --lr default: the word the user gave wins too */
    options_default(&o);
    memset(given, 0, sizeof given);
    set_opt(&o, "lr", "default");
    given[options_find("lr") - option_table] = true;
    preset_switch(&o, "", "spiral", given);
    assert_true(o.lr_is_default);
    assert_opt(&o, "lr", "0.001");
}

static void switching_sets_keeps_what_the_user_changed(void **state)
{
    (void)state;
    Options o;
    preset_defaults(&o, "spiral");
    set_opt(&o, "epochs", "40"); /* typed on the form */
    preset_switch(&o, "spiral", "iris", NULL);
    /* back to the general defaults, but the typed value stays */
    assert_opt(&o, "layers", "32");
    assert_opt(&o, "activation", "relu");
    assert_opt(&o, "lr", "0.001");
    assert_true(o.lr_is_default);
    assert_opt(&o, "patience", "10");
    assert_opt(&o, "monitor", "val_loss");
    assert_opt(&o, "epochs", "40");
    preset_switch(&o, "iris", "gauss", NULL);
    assert_opt(&o, "layers", "4");
    assert_opt(&o, "epochs", "40");
    preset_switch(&o, "gauss", "spiral", NULL);
    assert_opt(&o, "layers", "16,16");
    Options want;
    preset_defaults(&want, "spiral");
    set_opt(&want, "epochs", "40");
    char a[OPTIONS_PATH * 8], b[OPTIONS_PATH * 8];
    options_to_config(&o, a, sizeof a);
    options_to_config(&want, b, sizeof b);
    assert_string_equal(a, b);
}

/* A race without --racers on a generated set runs the set's racers, which
 * parse over its defaults; another dataset keeps the general ones. */
static void a_generated_set_brings_racers_that_parse(void **state)
{
    (void)state;
    assert_string_equal(preset_racers("iris", RACE_DEFAULT), RACE_DEFAULT);
    for (size_t i = 0; i < preset_count; i++) {
        const char *r = preset_racers(presets[i].dataset, RACE_DEFAULT);
        assert_string_not_equal(r, RACE_DEFAULT);
        Options o;
        preset_defaults(&o, presets[i].dataset);
        snprintf(o.dataset, sizeof o.dataset, "%s", presets[i].dataset);
        char why[512], names[128];
        if (!race_check(&o, NULL, why, sizeof why, names, sizeof names))
            fail_msg("%s: %s", presets[i].dataset, why);
        assert_string_equal(names, "sgd, adam, rmsprop");
        Options out[RACE_MAX];
        int n = 0;
        assert_true(race_options(&o, NULL, out, &n, why, sizeof why, NULL, 0));
        assert_int_equal(n, 3);
        assert_true(fabs(out[1].hp.opt.lr - 0.03) < 1e-12); /* adam's, not 0.001 */
    }
}

static void describe_lists_every_value(void **state)
{
    (void)state;
    char buf[512];
    preset_describe(preset_find("spiral"), buf, sizeof buf);
    assert_string_equal(buf, "layers 16,16, activation tanh, lr 0.03 (adam), epochs 1000, "
                             "patience 150, monitor val_accuracy");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_preset_names_a_generated_set_and_values_the_options_take),
        cmocka_unit_test(the_command_line_takes_a_sets_defaults_where_it_says_nothing),
        cmocka_unit_test(another_optimizer_keeps_its_own_rate),
        cmocka_unit_test(switching_sets_keeps_what_the_user_changed),
        cmocka_unit_test(describe_lists_every_value),
        cmocka_unit_test(a_generated_set_brings_racers_that_parse),
        cmocka_unit_test(every_generated_set_reaches_095_at_its_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
