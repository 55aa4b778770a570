/*
 * test_schedule.c - learning-rate schedules: constant, step, exponential,
 * cosine annealing and reduce-on-plateau.
 *
 * Conventions pinned (0-based epochs, as schedule_lr takes them):
 *   step         lr = base·γ^⌊epoch / step_size⌋
 *   exponential  lr = base·γ^epoch
 *   cosine       lr = min + (base − min)·(1 + cos(π·e/T))/2, e = min(epoch, T),
 *                T = cosine_epochs, or the run's epochs when 0 (PyTorch's
 *                CosineAnnealingLR, Keras's CosineDecay): base at epoch 0,
 *                min_lr from epoch T on
 *   plateau      Keras's ReduceLROnPlateau: an epoch improves when the value
 *                is below best − 1e-4 (Keras's min_delta); after
 *                plateau_patience epochs without improvement the rate is
 *                multiplied by factor, never below min_lr, and the count
 *                restarts
 * The expected values are written out by hand below.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gradtop/nn/optimizer.h"

/* Rates are doubles; relative 1e-12 is far tighter than any formula slip. */
static void expect_lr(const Schedule *s, double base, int epoch, double want)
{
    double got = schedule_lr(s, base, epoch);
    if (!(fabs(got - want) <= 1e-12 * fabs(want) + 1e-15))
        fail_msg("schedule %d, epoch %d: lr %.17g, want %.17g", s->p.kind, epoch, got, want);
}

static ScheduleParams sched(ScheduleKind kind)
{
    ScheduleParams p;
    memset(&p, 0, sizeof p);
    p.kind = kind;
    return p;
}

static void constant_keeps_base_rate(void **state)
{
    (void)state;
    ScheduleParams p = sched(SCHEDULE_CONSTANT);
    p.gamma = 0.5; /* parameters of other schedules are ignored */
    p.step_size = 1;
    p.min_lr = 0.5;
    Schedule s;
    schedule_init(&s, &p, 100, false);
    for (int e = 0; e < 100; e += 7) expect_lr(&s, 0.003, e, 0.003);
    assert_false(schedule_observe(&s, 1.0, 0.003));
    for (int i = 0; i < 20; i++) assert_false(schedule_observe(&s, 2.0, 0.003));
    expect_lr(&s, 0.003, 50, 0.003);
}

static void step_drops_by_gamma_every_step_size_epochs(void **state)
{
    (void)state;
    ScheduleParams p = sched(SCHEDULE_STEP);
    p.step_size = 3;
    p.gamma = 0.5;
    Schedule s;
    schedule_init(&s, &p, 20, false);
    expect_lr(&s, 0.1, 0, 0.1);
    expect_lr(&s, 0.1, 1, 0.1);
    expect_lr(&s, 0.1, 2, 0.1);
    expect_lr(&s, 0.1, 3, 0.05);
    expect_lr(&s, 0.1, 5, 0.05);
    expect_lr(&s, 0.1, 6, 0.025);
    expect_lr(&s, 0.1, 10, 0.0125);
    /* the base rate scales everything (a user doubling it mid-run) */
    expect_lr(&s, 0.2, 6, 0.05);
    p.step_size = 1;
    p.gamma = 0.1;
    schedule_init(&s, &p, 20, false);
    expect_lr(&s, 1.0, 0, 1.0);
    expect_lr(&s, 1.0, 2, 0.01);
}

static void exponential_multiplies_by_gamma_each_epoch(void **state)
{
    (void)state;
    ScheduleParams p = sched(SCHEDULE_EXPONENTIAL);
    p.gamma = 0.9;
    p.step_size = 4; /* not used by exponential */
    Schedule s;
    schedule_init(&s, &p, 50, false);
    expect_lr(&s, 0.1, 0, 0.1);
    expect_lr(&s, 0.1, 1, 0.09);
    expect_lr(&s, 0.1, 2, 0.081);
    expect_lr(&s, 0.1, 3, 0.0729);
    expect_lr(&s, 0.1, 10, 0.1 * 0.34867844010000004);
}

static void cosine_anneals_to_min_lr_over_cosine_epochs(void **state)
{
    (void)state;
    ScheduleParams p = sched(SCHEDULE_COSINE);
    p.cosine_epochs = 10;
    p.min_lr = 0.001;
    Schedule s;
    schedule_init(&s, &p, 100, false);
    expect_lr(&s, 0.1, 0, 0.1);
    /* 0.001 + 0.099·(1 + cos(0.3π))/2, cos(0.3π) = 0.5877852522924731 */
    expect_lr(&s, 0.1, 3, 0.001 + 0.099 * (1 + 0.5877852522924731) / 2);
    expect_lr(&s, 0.1, 5, 0.0505); /* halfway: the mean of base and min */
    expect_lr(&s, 0.1, 10, 0.001);
    expect_lr(&s, 0.1, 11, 0.001); /* stays at the floor afterwards */
    expect_lr(&s, 0.1, 60, 0.001);
    /* never increasing within the period */
    double prev = schedule_lr(&s, 0.1, 0);
    for (int e = 1; e <= 10; e++) {
        double lr = schedule_lr(&s, 0.1, e);
        assert_true(lr < prev);
        prev = lr;
    }
}

static void cosine_period_defaults_to_run_epochs(void **state)
{
    (void)state;
    ScheduleParams p = sched(SCHEDULE_COSINE);
    p.cosine_epochs = 0;
    p.min_lr = 0.0;
    Schedule s;
    schedule_init(&s, &p, 20, false);
    expect_lr(&s, 0.1, 0, 0.1);
    expect_lr(&s, 0.1, 10, 0.05);
    expect_lr(&s, 0.1, 20, 0.0);
    /* cos(π/4) = √2/2 at epoch 5 of 20 */
    expect_lr(&s, 0.1, 5, 0.1 * (1 + M_SQRT1_2) / 2);
}

static void plateau_reduces_after_patience_without_improvement(void **state)
{
    (void)state;
    ScheduleParams p = sched(SCHEDULE_PLATEAU);
    p.factor = 0.5;
    p.plateau_patience = 2;
    p.min_lr = 0.0;
    Schedule s;
    schedule_init(&s, &p, 100, false);
    const double base = 0.1;
    expect_lr(&s, base, 0, 0.1);
    assert_false(schedule_observe(&s, 1.0, base));  /* first value: best */
    assert_false(schedule_observe(&s, 0.9, base));  /* improved */
    assert_false(schedule_observe(&s, 0.95, base)); /* wait 1 */
    expect_lr(&s, base, 3, 0.1);
    assert_true(schedule_observe(&s, 0.9, base)); /* wait 2: equal is no better */
    expect_lr(&s, base, 4, 0.05);
    /* the count restarts after a reduction */
    assert_false(schedule_observe(&s, 0.92, base));
    assert_true(schedule_observe(&s, 0.91, base));
    expect_lr(&s, base, 6, 0.025);
    /* an improvement resets the wait */
    assert_false(schedule_observe(&s, 0.95, base));
    assert_false(schedule_observe(&s, 0.8, base));
    assert_false(schedule_observe(&s, 0.85, base));
    expect_lr(&s, base, 9, 0.025);
    assert_true(schedule_observe(&s, 0.85, base));
    expect_lr(&s, base, 10, 0.0125);
    /* the rate does not depend on the epoch argument */
    expect_lr(&s, base, 0, 0.0125);
    expect_lr(&s, base, 99, 0.0125);
}

/* Reduce-on-plateau watches accuracy and r2 the right way round: a rising
 * value is an improvement and never reduces the rate; a falling or flat one
 * does, after the patience. */
static void plateau_follows_a_monitor_where_higher_is_better(void **state)
{
    (void)state;
    ScheduleParams p = sched(SCHEDULE_PLATEAU);
    p.factor = 0.5;
    p.plateau_patience = 2;
    p.min_lr = 0.0;
    Schedule s;
    schedule_init(&s, &p, 100, true);
    const double base = 0.01;
    /* val_accuracy rising every epoch, as in a run that learns */
    const double acc[] = {0.30, 0.55, 0.62, 0.70, 0.81, 0.86, 0.90, 0.93};
    for (int i = 0; i < 8; i++) assert_false(schedule_observe(&s, acc[i], base));
    expect_lr(&s, base, 8, 0.01);
    /* then falling: two epochs without improvement halve it */
    assert_false(schedule_observe(&s, 0.91, base));
    assert_true(schedule_observe(&s, 0.90, base));
    expect_lr(&s, base, 10, 0.005);
    /* r2 is the same way round, and may be negative */
    schedule_init(&s, &p, 100, true);
    assert_false(schedule_observe(&s, -3.0, base));
    assert_false(schedule_observe(&s, -1.0, base));
    assert_false(schedule_observe(&s, 0.2, base));
    assert_false(schedule_observe(&s, 0.2, base));
    assert_true(schedule_observe(&s, 0.1, base));
    /* the same rising sequence fed as a loss (lower is better) is no
     * improvement: the direction is what decides */
    schedule_init(&s, &p, 100, false);
    assert_false(schedule_observe(&s, acc[0], base));
    assert_false(schedule_observe(&s, acc[1], base));
    assert_true(schedule_observe(&s, acc[2], base));
}

static void plateau_needs_improvement_beyond_min_delta(void **state)
{
    (void)state;
    ScheduleParams p = sched(SCHEDULE_PLATEAU);
    p.factor = 0.1;
    p.plateau_patience = 1;
    Schedule s;
    schedule_init(&s, &p, 100, false);
    assert_false(schedule_observe(&s, 0.5, 1.0));
    /* 0.5 - 0.00005 is within Keras's min_delta of 1e-4: no improvement */
    assert_true(schedule_observe(&s, 0.49995, 1.0));
    expect_lr(&s, 1.0, 2, 0.1);
    /* 0.5 - 0.001 is an improvement */
    assert_false(schedule_observe(&s, 0.499, 1.0));
    expect_lr(&s, 1.0, 3, 0.1);
}

static void plateau_never_goes_below_min_lr(void **state)
{
    (void)state;
    ScheduleParams p = sched(SCHEDULE_PLATEAU);
    p.factor = 0.5;
    p.plateau_patience = 1;
    p.min_lr = 0.01;
    Schedule s;
    schedule_init(&s, &p, 100, false);
    const double base = 0.1;
    assert_false(schedule_observe(&s, 1.0, base));
    assert_true(schedule_observe(&s, 1.0, base));
    expect_lr(&s, base, 0, 0.05);
    assert_true(schedule_observe(&s, 1.0, base));
    expect_lr(&s, base, 0, 0.025);
    assert_true(schedule_observe(&s, 1.0, base));
    expect_lr(&s, base, 0, 0.0125);
    assert_true(schedule_observe(&s, 1.0, base)); /* 0.00625 clamps to 0.01 */
    expect_lr(&s, base, 0, 0.01);
    /* at the floor: no further reductions are reported */
    for (int i = 0; i < 5; i++) assert_false(schedule_observe(&s, 1.0, base));
    expect_lr(&s, base, 0, 0.01);
}

static void plateau_ignores_non_finite_values(void **state)
{
    (void)state;
    ScheduleParams p = sched(SCHEDULE_PLATEAU);
    p.factor = 0.5;
    p.plateau_patience = 2;
    Schedule s;
    schedule_init(&s, &p, 100, false);
    assert_false(schedule_observe(&s, 1.0, 0.1));
    assert_false(schedule_observe(&s, NAN, 0.1));
    assert_false(schedule_observe(&s, INFINITY, 0.1));
    /* a NaN never became the best: 0.9 still improves on 1.0 */
    assert_false(schedule_observe(&s, 0.9, 0.1));
    expect_lr(&s, 0.1, 0, 0.1);
}

static void init_resets_plateau_state(void **state)
{
    (void)state;
    ScheduleParams p = sched(SCHEDULE_PLATEAU);
    p.factor = 0.5;
    p.plateau_patience = 1;
    Schedule s;
    schedule_init(&s, &p, 10, false);
    assert_false(schedule_observe(&s, 1.0, 0.1));
    assert_true(schedule_observe(&s, 1.0, 0.1));
    expect_lr(&s, 0.1, 0, 0.05);
    schedule_init(&s, &p, 10, false);
    expect_lr(&s, 0.1, 0, 0.1);
    /* and the best is forgotten: 5.0 is an improvement on nothing */
    assert_false(schedule_observe(&s, 5.0, 0.1));
    assert_true(schedule_observe(&s, 5.0, 0.1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(constant_keeps_base_rate),
        cmocka_unit_test(step_drops_by_gamma_every_step_size_epochs),
        cmocka_unit_test(exponential_multiplies_by_gamma_each_epoch),
        cmocka_unit_test(cosine_anneals_to_min_lr_over_cosine_epochs),
        cmocka_unit_test(cosine_period_defaults_to_run_epochs),
        cmocka_unit_test(plateau_reduces_after_patience_without_improvement),
        cmocka_unit_test(plateau_follows_a_monitor_where_higher_is_better),
        cmocka_unit_test(plateau_needs_improvement_beyond_min_delta),
        cmocka_unit_test(plateau_never_goes_below_min_lr),
        cmocka_unit_test(plateau_ignores_non_finite_values),
        cmocka_unit_test(init_resets_plateau_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
