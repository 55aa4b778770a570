/*
 * test_sweepview.c - the sweep screen's arithmetic that needs no terminal:
 * the header's ETA (sweepview_eta), from the epochs done since the screen
 * opened, so that a resumed sweep's earlier epochs do not make it look
 * many times faster than it trains; the charts' y range
 * (sweepview_figure_axis), which a few trials far worse than the rest
 * must not squeeze the good ones out of.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

#include "../src/tui/sweepview.h"

static void eta_of_a_fresh_sweep_is_the_pace_so_far(void **state)
{
    (void)state;
    /* 10 of 100 epochs in 5 s: 90 more take 45 s */
    assert_float_equal(sweepview_eta(0, 10, 100, 5.0), 45.0, 1e-9);
}

static void eta_after_resume_counts_only_epochs_trained_since(void **state)
{
    (void)state;
    /* resumed with 5 epochs done; 2 more in 7 s: 9 left take 31.5 s (the
     * 7 epochs over 7 s would make it 9 s) */
    assert_float_equal(sweepview_eta(5, 7, 16, 7.0), 31.5, 1e-9);
}

static void eta_after_resume_is_unknown_until_an_epoch_is_done(void **state)
{
    (void)state;
    /* resumed with 5 epochs done, none since: no pace to tell it from */
    assert_true(sweepview_eta(5, 5, 16, 0.5) < 0);
    assert_true(sweepview_eta(0, 0, 16, 3.0) < 0);
    assert_true(sweepview_eta(0, 4, 16, 0.0) < 0);
}

static void eta_is_zero_once_the_ceiling_is_reached(void **state)
{
    (void)state;
    assert_float_equal(sweepview_eta(0, 16, 16, 4.0), 0.0, 1e-12);
}

static void ceiling_counts_an_ended_trial_at_what_it_took(void **state)
{
    (void)state;
    /* 3 trials of 40, one ended at 29: 29 + 2 * 40 */
    assert_int_equal(sweepview_ceiling(3, 40, 0, 1, 29), 109);
    assert_int_equal(sweepview_ceiling(3, 40, 0, 0, 0), 120);
    /* every trial ended: what they took */
    assert_int_equal(sweepview_ceiling(3, 40, 0, 3, 50), 50);
    /* a budget below that bounds it, one above does not */
    assert_int_equal(sweepview_ceiling(3, 40, 100, 1, 29), 100);
    assert_int_equal(sweepview_ceiling(3, 40, 200, 1, 29), 109);
}

/* The share of axis a's height that the figures lo to hi take. */
static double share_of_axis(const ChartAxis *a, double lo, double hi)
{
    if (a->log) return (log10(hi) - log10(lo)) / (log10(a->hi) - log10(a->lo));
    return (hi - lo) / (a->hi - a->lo);
}

static ChartAxis axis_of(const double *v, size_t n, bool higher_better, bool unit, double keep)
{
    double scratch[64];
    assert_true(n <= 64);
    return sweepview_figure_axis(v, n, higher_better, unit, keep, scratch);
}

/* The range of the losses v[0..n): good_lo to good_hi whole and over
 * half its height, its top below out (a figure left off the chart). */
static void check_good_fill_the_axis(const double *v, size_t n, double good_lo, double good_hi,
                                     double out)
{
    ChartAxis a = axis_of(v, n, false, false, NAN);
    assert_true(a.lo <= good_lo && a.hi >= good_hi);
    assert_true(a.hi < out);
    assert_true(share_of_axis(&a, good_lo, good_hi) >= 0.5);
}

/* Ten trials from 0.08 to 0.2 and two at chance (2.3): the range is the
 * good ones', which take most of its height; the two lie off the chart.
 * (Fitted to every figure, the good ones took the bottom twentieth.) */
static void axis_of_losses_leaves_a_few_far_worse_trials_off_the_chart(void **state)
{
    (void)state;
    const double v[] = {2.3, 0.08, 0.09, 0.1, 0.1, 0.11, 0.12, 2.4, 0.12, 0.13, 0.15, 0.2};
    check_good_fill_the_axis(v, 12, 0.08, 0.2, 2.3);
}

/* Half the trials a hundred times the best or more (rates up to 30):
 * those past the factor are left out too, not only the worst quarter. */
static void axis_of_losses_leaves_out_half_far_worse(void **state)
{
    (void)state;
    const double v[] = {0.21, 0.23, 0.34, 0.54, 0.57, 27, 65, 172, 3288, 6569};
    check_good_fill_the_axis(v, 10, 0.21, 0.57, 27);
}

/* Figures over decades (rates from too small to too large): a log axis
 * from the best, up to the quantile; the worst beyond it. */
static void axis_of_losses_over_decades_is_a_log_one(void **state)
{
    (void)state;
    const double v[] = {0.01, 0.012, 0.02, 0.03, 0.05, 0.08, 0.1, 0.2, 0.3, 0.5, 2.3, 1e4};
    ChartAxis a = axis_of(v, 12, false, false, NAN);
    assert_true(a.log);
    assert_true(a.lo <= 0.01 && a.lo > 0);
    assert_true(a.hi >= 0.3 && a.hi < 2.3);
    /* the better half, 0.01 to 0.08, takes a good part of the height */
    assert_true(share_of_axis(&a, 0.01, 0.08) >= 0.4);
}

/* Higher is better (accuracies): the range runs down from the best, and
 * the trials at chance lie below it; a fraction stays inside [0, 1]. */
static void axis_of_accuracies_leaves_the_worst_below(void **state)
{
    (void)state;
    const double v[] = {0.97, 0.1, 0.96, 0.95, 0.95, 0.94, 0.93, 0.92, 0.9, 0.9, 0.88, 0.11};
    ChartAxis a = axis_of(v, 12, true, true, NAN);
    assert_false(a.log);
    assert_true(a.hi >= 0.97 && a.hi <= 1);
    assert_true(a.lo <= 0.88 && a.lo > 0.11);
    assert_true(share_of_axis(&a, 0.88, 0.97) >= 0.5);
}

/* A loss's range does not flip: the best (lowest) is in it, the worst
 * left out.  Negative figures (a regression's r2, higher better) too. */
static void axis_keeps_the_best_whatever_the_direction(void **state)
{
    (void)state;
    const double r2[] = {0.9, -5e4, 0.85, 0.8, 0.82, 0.7, 0.75, 0.88, -3e3};
    ChartAxis a = axis_of(r2, 9, true, false, NAN);
    assert_false(a.log);
    assert_true(a.hi >= 0.9 && a.lo <= 0.7 && a.lo > -3e3);
    const double loss[] = {0.9, 5e4, 0.85, 0.8, 0.82, 0.7, 0.75, 0.88, 3e3};
    a = axis_of(loss, 9, false, false, NAN);
    assert_true(a.lo <= 0.7 && a.hi >= 0.9 && a.hi < 3e3);
}

/* Every figure the same: a range around it, not an empty one. */
static void axis_of_equal_figures_has_room_around_them(void **state)
{
    (void)state;
    const double v[] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
    ChartAxis a = axis_of(v, 6, false, false, NAN);
    assert_false(a.log);
    assert_true(a.lo < 0.5 && a.hi > 0.5);
}

/* NaN and infinite figures are left out, not made the range. */
static void axis_leaves_out_nan_and_infinities(void **state)
{
    (void)state;
    const double v[] = {NAN, INFINITY, 0.1, 0.2, -INFINITY, 0.15, NAN};
    ChartAxis a = axis_of(v, 7, false, false, NAN);
    assert_true(isfinite(a.lo) && isfinite(a.hi));
    assert_true(a.lo <= 0.1 && a.hi >= 0.2 && a.hi < 1);
    const double none[] = {NAN, INFINITY};
    a = axis_of(none, 2, false, false, NAN);
    assert_float_equal(a.lo, 0, 0);
    assert_float_equal(a.hi, 1, 0);
    assert_false(a.log);
}

/* One trial, or up to four: none is left out (a quarter of so few would
 * be the bad half of the story). */
static void axis_of_few_trials_shows_them_all(void **state)
{
    (void)state;
    const double one[] = {0.3};
    ChartAxis a = axis_of(one, 1, false, false, NAN);
    assert_true(a.lo < 0.3 && a.hi > 0.3);
    const double four[] = {0.1, 0.2, 2.3, 0.3};
    a = axis_of(four, 4, false, false, NAN);
    assert_true(a.lo <= 0.1 && a.hi >= 2.3);
    const double acc[] = {0.9, 0.1, 0.8, 0.85};
    a = axis_of(acc, 4, true, true, NAN);
    assert_true(a.lo <= 0.1 && a.hi >= 0.9);
}

/* keep (the best's and the cursor's curves) widens the range to take it
 * whole, on the worse side as on the better. */
static void axis_takes_a_kept_curve_whole(void **state)
{
    (void)state;
    const double v[] = {0.08, 0.09, 0.1, 0.1, 0.11, 0.12, 0.12, 0.13, 2.3};
    ChartAxis a = axis_of(v, 9, false, false, 40.0);
    assert_true(a.lo <= 0.08 && a.hi >= 40.0);
    a = axis_of(v, 9, false, false, NAN);
    assert_true(a.hi < 2.3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(eta_of_a_fresh_sweep_is_the_pace_so_far),
        cmocka_unit_test(eta_after_resume_counts_only_epochs_trained_since),
        cmocka_unit_test(eta_after_resume_is_unknown_until_an_epoch_is_done),
        cmocka_unit_test(eta_is_zero_once_the_ceiling_is_reached),
        cmocka_unit_test(ceiling_counts_an_ended_trial_at_what_it_took),
        cmocka_unit_test(axis_of_losses_leaves_a_few_far_worse_trials_off_the_chart),
        cmocka_unit_test(axis_of_losses_leaves_out_half_far_worse),
        cmocka_unit_test(axis_of_losses_over_decades_is_a_log_one),
        cmocka_unit_test(axis_of_accuracies_leaves_the_worst_below),
        cmocka_unit_test(axis_keeps_the_best_whatever_the_direction),
        cmocka_unit_test(axis_of_equal_figures_has_room_around_them),
        cmocka_unit_test(axis_leaves_out_nan_and_infinities),
        cmocka_unit_test(axis_of_few_trials_shows_them_all),
        cmocka_unit_test(axis_takes_a_kept_curve_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
