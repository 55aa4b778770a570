/*
 * test_sweepview.c - the sweep screen's arithmetic that needs no terminal:
 * the header's ETA (sweepeta.h): its pace, on a fake clock, of the recent
 * epochs with paused time left out (and of those done since the screen
 * opened, so that a resumed sweep's earlier epochs do not make it look
 * many times faster than it trains), and the epochs to come, which under
 * asha its rungs tell; the charts' y range
 * (sweepview_figure_axis), which a few trials far worse than the rest
 * must not squeeze the good ones out of.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

#include "../src/tui/sweepeta.h"
#include "../src/tui/sweepview.h"

/* ---- the pace: a worked sequence on a fake clock ---------------------------- */

static void eta_of_a_fresh_sweep_is_the_pace_so_far(void **state)
{
    (void)state;
    SweepPace p;
    sweep_pace_start(&p, 100.0, 0, false, 12);
    /* 10 epochs in 5 s: 90 more take 45 s */
    sweep_pace_note(&p, 105.0, 10, false);
    assert_float_equal(sweep_pace_rate(&p), 2.0, 1e-12);
    assert_float_equal(sweep_pace_eta(&p, 90), 45.0, 1e-9);
}

static void eta_after_resume_counts_only_epochs_trained_since(void **state)
{
    (void)state;
    /* resumed with 5 epochs done; 2 more in 7 s: 9 left take 31.5 s (the
     * 7 epochs over 7 s would make it 9 s) */
    SweepPace p;
    sweep_pace_start(&p, 0.0, 5, false, 12);
    sweep_pace_note(&p, 7.0, 7, false);
    assert_float_equal(sweep_pace_eta(&p, 9), 31.5, 1e-9);
}

static void eta_is_unknown_until_an_epoch_is_done(void **state)
{
    (void)state;
    SweepPace p;
    sweep_pace_start(&p, 0.0, 5, false, 12);
    assert_true(sweep_pace_eta(&p, 11) < 0);
    sweep_pace_note(&p, 0.5, 5, false);
    assert_true(sweep_pace_eta(&p, 11) < 0);
    /* an epoch, but no time run: paused from the start */
    sweep_pace_start(&p, 0.0, 0, true, 12);
    sweep_pace_note(&p, 3.0, 4, true);
    assert_true(sweep_pace_eta(&p, 12) < 0);
}

static void eta_is_zero_once_nothing_is_left(void **state)
{
    (void)state;
    SweepPace p;
    sweep_pace_start(&p, 0.0, 0, false, 12);
    sweep_pace_note(&p, 4.0, 16, false);
    assert_float_equal(sweep_pace_eta(&p, 0), 0.0, 1e-12);
}

/* A sweep trains 2 epochs a second, stands paused a minute, and goes on
 * at that pace: the pause is not in it (the paused time is not run). */
static void pace_leaves_out_the_time_paused(void **state)
{
    (void)state;
    SweepPace p;
    sweep_pace_start(&p, 0.0, 0, false, 4);
    for (int t = 1; t <= 5; t++) sweep_pace_note(&p, t, 2L * t, false);
    assert_float_equal(sweep_pace_rate(&p), 2.0, 1e-12);
    sweep_pace_note(&p, 5.0, 10, true); /* space: every trial paused */
    sweep_pace_note(&p, 35.0, 10, true);
    assert_float_equal(sweep_pace_rate(&p), 2.0, 1e-12);
    sweep_pace_note(&p, 65.0, 10, false); /* space again */
    sweep_pace_note(&p, 66.0, 12, false);
    assert_float_equal(sweep_pace_rate(&p), 2.0, 1e-12);
    /* 20 left: 10 s, not the 20 / (12 / 66) = 110 s of the time since the start */
    assert_float_equal(sweep_pace_eta(&p, 20), 10.0, 1e-9);
}

/* Trials 4 times the size take over (asha's later rungs, a larger
 * network): within `recent` epochs the pace is theirs alone, where the
 * mean since the start would still be twice as fast after as many. */
static void pace_follows_the_recent_epochs(void **state)
{
    (void)state;
    SweepPace p;
    sweep_pace_start(&p, 0.0, 0, false, 4);
    /* 40 epochs at 4 a second */
    for (int t = 1; t <= 10; t++) sweep_pace_note(&p, t, 4L * t, false);
    assert_float_equal(sweep_pace_rate(&p), 4.0, 1e-12);
    /* then one a second, noted each quarter second (frames) */
    long done = 40;
    double t = 10;
    for (int k = 0; k < 4; k++)
        for (int q = 1; q <= 4; q++) {
            t += 0.25;
            if (q == 4) done++;
            sweep_pace_note(&p, t, done, false);
        }
    /* 44 epochs over 14 s: 3.14 a second since the start; the last 4 took 4 s */
    assert_float_equal(sweep_pace_rate(&p), 1.0, 1e-12);
    assert_float_equal(sweep_pace_eta(&p, 30), 30.0, 1e-9);
    /* and a stall shows: 2 s more with no epoch slows it */
    sweep_pace_note(&p, t + 2, done, false);
    assert_float_equal(sweep_pace_rate(&p), 4.0 / 6.0, 1e-12);
}

/* Many epochs in one frame (a small network's): the pace counts them
 * from the note before. */
static void pace_takes_epochs_done_between_two_notes_together(void **state)
{
    (void)state;
    SweepPace p;
    sweep_pace_start(&p, 0.0, 0, false, 12);
    sweep_pace_note(&p, 0.25, 30, false);
    sweep_pace_note(&p, 0.5, 60, false);
    /* the newest note 12 epochs back is the one at 30 */
    assert_float_equal(sweep_pace_rate(&p), 120.0, 1e-9);
}

/* --resume: a trial starts over, its epochs back to none: the pace
 * starts again from there rather than count the drop. */
static void pace_starts_again_when_the_epochs_drop(void **state)
{
    (void)state;
    SweepPace p;
    sweep_pace_start(&p, 0.0, 20, false, 12);
    sweep_pace_note(&p, 1.0, 12, false); /* trial 3 starts over: 8 epochs gone */
    assert_true(sweep_pace_rate(&p) < 0);
    sweep_pace_note(&p, 3.0, 16, false);
    assert_float_equal(sweep_pace_rate(&p), 2.0, 1e-12);
}

static SweepTrialView trial(SweepTrialStatus status, int epochs, int target)
{
    SweepTrialView v = {.status = status, .epochs = epochs, .target = target};
    return v;
}

static SweepTrialView open_trial(SweepTrialStatus status, bool user_paused, bool parked)
{
    SweepTrialView v = {.status = status,
                        .open = true,
                        .user_paused = user_paused,
                        .parked = parked,
                        .epochs = 1,
                        .target = 2};
    return v;
}

/* The pace's clock stops only while the person holds the sweep still. */
static void held_is_when_no_trial_trains_because_of_a_pause(void **state)
{
    (void)state;
    SweepTrialView tv[3] = {open_trial(TRIAL_RUNNING, true, false),
                            open_trial(TRIAL_RUNNING, true, false), trial(TRIAL_PRUNED, 1, 1)};
    /* every trial paused */
    assert_true(sweepeta_held(tv, 3, true));
    /* p on trial 0 lets it go on alone: it trains, its time counts (the
     * clock stood still for as long as space had paused them all) */
    tv[0].user_paused = false;
    assert_false(sweepeta_held(tv, 3, true));
    /* trial 0 at its rung, the other paused by hand: still */
    tv[0] = open_trial(TRIAL_PAUSED, false, true);
    assert_true(sweepeta_held(tv, 3, false));
    /* between two rounds, none training and none paused: the time counts */
    tv[1].user_paused = false;
    tv[1].status = TRIAL_PAUSED;
    tv[1].parked = true;
    assert_false(sweepeta_held(tv, 3, false));
    /* --paused, before a trial is open */
    assert_true(sweepeta_held(tv, 0, true));
}

/* ---- the epochs to come ------------------------------------------------------ */

static void ceiling_counts_an_ended_trial_at_what_it_took(void **state)
{
    (void)state;
    /* 3 trials of 40, one ended at 29: 29 + 2 * 40 */
    assert_int_equal(sweepeta_ceiling(3, 40, 0, 1, 29), 109);
    assert_int_equal(sweepeta_ceiling(3, 40, 0, 0, 0), 120);
    /* every trial ended: what they took */
    assert_int_equal(sweepeta_ceiling(3, 40, 0, 3, 50), 50);
    /* a budget below that bounds it, one above does not */
    assert_int_equal(sweepeta_ceiling(3, 40, 100, 1, 29), 100);
    assert_int_equal(sweepeta_ceiling(3, 40, 200, 1, 29), 109);
}

/* The sweep of the guide: 24 trials, eta 3, rungs at 1, 3, 9 and 27. */
static SweepEtaPlan asha_plan(SweepAsha *a, long budget)
{
    SweepAshaParams ap = {.eta = 3, .min_epochs = 1, .max_epochs = 27};
    Error err = {0};
    assert_int_equal(sweep_asha_init(a, &ap, 24, &err), ERROR_NONE);
    assert_int_equal(a->n_rungs, 4);
    SweepEtaPlan p = {SWEEP_SCHED_ASHA, 24, 27, budget, true, a, 5};
    return p;
}

static void asha_expects_one_in_eta_to_go_on_from_each_rung(void **state)
{
    (void)state;
    SweepAsha a;
    SweepEtaPlan plan = asha_plan(&a, 0);
    SweepEtaEpochs ep;
    sweepeta_epochs(&plan, NULL, 0, &ep);
    /* 24 trials 1 epoch, 8 of them 2 more to rung 3, 8/3 of those 6 more
     * to rung 9, 8/9 on to 27: 24 + 16 + 16 + 16 (such a sweep took 52
     * epochs of digits, where asha promoted no more than it must, and 75
     * of fashion-mnist); at most 24 * 27 */
    assert_int_equal(ep.done, 0);
    assert_int_equal(ep.expect, 72);
    assert_int_equal(ep.most, 648);
    assert_true(ep.likely);
    assert_false(ep.exact);
    sweep_asha_free(&a);
}

static void asha_counts_the_open_trials_to_their_target_and_the_promotions_made(void **state)
{
    (void)state;
    SweepAsha a;
    SweepEtaPlan plan = asha_plan(&a, 0);
    SweepTrialView tv[12];
    int n = 0;
    /* six pruned at rung 0 */
    for (int i = 0; i < 6; i++) tv[n++] = trial(TRIAL_PRUNED, 1, 1);
    /* four promoted to rung 1 (more than 12 / 3 would have): two there
     * waiting, one training to it at epoch 2, one pruned there */
    tv[n++] = trial(TRIAL_PAUSED, 3, 3);
    tv[n++] = trial(TRIAL_PAUSED, 3, 3);
    tv[n++] = trial(TRIAL_RUNNING, 2, 3);
    tv[n++] = trial(TRIAL_PRUNED, 3, 3);
    /* one promoted to rung 2, training at epoch 5; one new, at 0 */
    tv[n++] = trial(TRIAL_RUNNING, 5, 9);
    tv[n++] = trial(TRIAL_RUNNING, 0, 1);
    SweepEtaEpochs ep;
    sweepeta_epochs(&plan, tv, n, &ep);
    long done = 6 * 1 + 3 + 3 + 2 + 3 + 5 + 0;
    assert_int_equal(ep.done, done);
    /* still to come: 12 trials to start, 1 epoch each; the open ones to
     * their targets (1 + 4 + 1); rung 1: 24 / 3 = 8 will reach it, 5 have
     * (the one at 9 among them): 3 more, 2 epochs each; rung 2: 8 / 3, 1
     * has: 5/3 more, 6 epochs each; rung 3: 8 / 9 more, 18 epochs each */
    assert_int_equal(ep.expect, done + 12 + 6 + 3 * 2 + 10 + 16);
    assert_true(ep.likely);
    /* the most: 24 * 27 but the 7 ended at what they took */
    assert_int_equal(ep.most, 6 * 1 + 3 + 17 * 27);
    sweep_asha_free(&a);
}

static void asha_expects_no_promotion_from_a_rung_whose_trials_ended(void **state)
{
    (void)state;
    SweepAsha a;
    SweepEtaPlan plan = asha_plan(&a, 0);
    SweepTrialView tv[24];
    /* every trial at rung 0, 12 of them promoted to rung 1 (more than the
     * 8 of a third), 3 of those to rung 2 and on to 27; those at rung 1
     * have ended, so that no more can go on to rung 2 (4 of 12 would):
     * nothing is left but the three's 18 each */
    for (int i = 0; i < 12; i++) tv[i] = trial(TRIAL_PRUNED, 1, 1);
    for (int i = 12; i < 21; i++) tv[i] = trial(TRIAL_PRUNED, 3, 3);
    for (int i = 21; i < 24; i++) tv[i] = trial(TRIAL_PAUSED, 9, 27);
    SweepEtaEpochs ep;
    sweepeta_epochs(&plan, tv, 24, &ep);
    assert_int_equal(ep.expect, ep.done + 3 * 18);
    sweep_asha_free(&a);
}

static void asha_expects_no_more_than_the_budget(void **state)
{
    (void)state;
    SweepAsha a;
    SweepEtaPlan plan = asha_plan(&a, 40);
    SweepEtaEpochs ep;
    sweepeta_epochs(&plan, NULL, 0, &ep);
    assert_int_equal(ep.expect, 40);
    assert_int_equal(ep.most, 40);
    assert_false(ep.likely); /* the budget is what it will take at most */
    sweep_asha_free(&a);
}

/* Median, 10 trials of 20 epochs: 0-4 never judged, done at 20; 5, 6
 * and 7 pruned at 4, 6 and 8; 8 open at epoch e; 9 not started. */
static SweepEtaEpochs median_at(int e, int n_pruned)
{
    SweepTrialView tv[9];
    for (int i = 0; i < 5; i++) tv[i] = trial(TRIAL_DONE, 20, 20);
    for (int i = 5; i < 8; i++)
        tv[i] = i < 5 + n_pruned ? trial(TRIAL_PRUNED, 4 + 2 * (i - 5), 4 + 2 * (i - 5))
                                 : trial(TRIAL_RUNNING, 4 + 2 * (i - 5), 20);
    tv[8] = trial(TRIAL_RUNNING, e, 20);
    SweepEtaPlan plan = {SWEEP_SCHED_MEDIAN, 10, 20, 0, true, NULL, 5};
    SweepEtaEpochs ep;
    sweepeta_epochs(&plan, tv, 9, &ep);
    return ep;
}

static void median_expects_the_lengths_its_judged_trials_ended_at(void **state)
{
    (void)state;
    SweepEtaEpochs ep = median_at(5, 3);
    assert_int_equal(ep.done, 100 + 18 + 5);
    /* the most: every open or new trial to 20 */
    assert_int_equal(ep.most, 118 + 2 * 20);
    /* trial 8 at 5: those that went past 5 ended at 6 and 8, 7 on
     * average, so 2 more; trial 9: their mean, 6 */
    assert_true(ep.likely);
    assert_int_equal(ep.expect, ep.done + 2 + 6);
    /* trial 8 past every length seen: it goes to 20 for all one knows */
    ep = median_at(9, 3);
    assert_int_equal(ep.expect, ep.done + 11 + 6);
}

static void median_expects_nothing_before_three_judged_trials_ended(void **state)
{
    (void)state;
    SweepEtaEpochs ep = median_at(5, 2);
    assert_false(ep.likely);
    assert_int_equal(ep.expect, ep.most);
}

static void none_is_exact_unless_early_stopping_may_end_trials(void **state)
{
    (void)state;
    SweepTrialView tv[2] = {trial(TRIAL_DONE, 10, 10), trial(TRIAL_RUNNING, 4, 10)};
    SweepEtaPlan plan = {SWEEP_SCHED_NONE, 5, 10, 0, false, NULL, 5};
    SweepEtaEpochs ep;
    sweepeta_epochs(&plan, tv, 2, &ep);
    assert_int_equal(ep.done, 14);
    assert_int_equal(ep.most, 50);
    assert_int_equal(ep.expect, 50);
    assert_true(ep.exact);
    assert_false(ep.likely);
    plan.early_stop = true;
    sweepeta_epochs(&plan, tv, 2, &ep);
    assert_false(ep.exact);
    assert_false(ep.likely);
    plan.early_stop = false;
    plan.scheduler = SWEEP_SCHED_MEDIAN;
    sweepeta_epochs(&plan, tv, 2, &ep);
    assert_false(ep.exact);
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
        cmocka_unit_test(eta_is_unknown_until_an_epoch_is_done),
        cmocka_unit_test(eta_is_zero_once_nothing_is_left),
        cmocka_unit_test(pace_leaves_out_the_time_paused),
        cmocka_unit_test(pace_follows_the_recent_epochs),
        cmocka_unit_test(pace_takes_epochs_done_between_two_notes_together),
        cmocka_unit_test(pace_starts_again_when_the_epochs_drop),
        cmocka_unit_test(held_is_when_no_trial_trains_because_of_a_pause),
        cmocka_unit_test(ceiling_counts_an_ended_trial_at_what_it_took),
        cmocka_unit_test(asha_expects_one_in_eta_to_go_on_from_each_rung),
        cmocka_unit_test(asha_counts_the_open_trials_to_their_target_and_the_promotions_made),
        cmocka_unit_test(asha_expects_no_promotion_from_a_rung_whose_trials_ended),
        cmocka_unit_test(asha_expects_no_more_than_the_budget),
        cmocka_unit_test(median_expects_the_lengths_its_judged_trials_ended_at),
        cmocka_unit_test(median_expects_nothing_before_three_judged_trials_ended),
        cmocka_unit_test(none_is_exact_unless_early_stopping_may_end_trials),
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
