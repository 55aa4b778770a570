/*
 * test_chart.c - the dashboard's chart mathematics (src/tui/chart.c):
 * TensorBoard smoothing against values worked out by hand, axis scaling on
 * linear and log axes, tick values and labels, downsampling, and the braille
 * dot-to-bit mapping of the canvas.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../src/tui/chart.h"

#define NEAR(a, b) assert_float_equal((a), (b), 1e-9)

/* ---- smoothing -------------------------------------------------------- */

/* w = 0.6 over 1, 2, 3, by hand:
 *   last1 = 0.4*1 = 0.4,              /(1-0.6)   = 1
 *   last2 = 0.6*0.4 + 0.4*2 = 1.04,   /(1-0.36)  = 1.625
 *   last3 = 0.6*1.04 + 0.4*3 = 1.824, /(1-0.216) = 2.3265306122... */
static void smooth_matches_tensorboard_debiased_ema(void **state)
{
    (void)state;
    double in[3] = {1, 2, 3}, out[3];
    chart_smooth(in, out, 3, 0.6);
    NEAR(out[0], 1.0);
    NEAR(out[1], 1.625);
    NEAR(out[2], 1.824 / 0.784);
}

static void smooth_skips_non_finite_values_without_advancing(void **state)
{
    (void)state;
    double in[5] = {1, NAN, 2, INFINITY, 3}, out[5];
    chart_smooth(in, out, 5, 0.6);
    NEAR(out[0], 1.0);
    assert_true(isnan(out[1]));
    NEAR(out[2], 1.625); /* the NaN did not count as a step of the average */
    assert_true(isinf(out[3]));
    NEAR(out[4], 1.824 / 0.784);
}

static void smooth_keeps_a_constant_series_constant(void **state)
{
    (void)state;
    double in[6] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, out[6];
    chart_smooth(in, out, 6, 0.9);
    for (int i = 0; i < 6; i++) NEAR(out[i], 0.5); /* the debiasing removes the pull to 0 */
}

static void smooth_weight_zero_is_identity_and_works_in_place(void **state)
{
    (void)state;
    double v[4] = {3, -1, 7, 2};
    chart_smooth(v, v, 4, 0);
    NEAR(v[0], 3);
    NEAR(v[1], -1);
    NEAR(v[2], 7);
    NEAR(v[3], 2);
    double w[2] = {2, 4};
    chart_smooth(w, w, 2, 0.5); /* in place: 2, (0.5*1+0.5*4)/(0.75) = 3.3333 */
    NEAR(w[0], 2);
    NEAR(w[1], 2.5 / 0.75);
}

/* ---- scaling ---------------------------------------------------------- */

static void map_linear_rounds_to_the_nearest_dot(void **state)
{
    (void)state;
    ChartAxis a = {0, 10, false};
    assert_int_equal(chart_map(&a, 0, 11, false), 0);
    assert_int_equal(chart_map(&a, 5, 11, false), 5);
    assert_int_equal(chart_map(&a, 10, 11, false), 10);
    assert_int_equal(chart_map(&a, 4.6, 11, false), 5);
    assert_int_equal(chart_map(&a, 2.5, 5, false), 1); /* 0.25 * 4 = 1 */
}

static void map_rejects_or_clamps_values_out_of_range(void **state)
{
    (void)state;
    ChartAxis a = {0, 10, false};
    assert_int_equal(chart_map(&a, -1, 11, false), -1);
    assert_int_equal(chart_map(&a, 11, 11, false), -1);
    assert_int_equal(chart_map(&a, -1, 11, true), 0);
    assert_int_equal(chart_map(&a, 11, 11, true), 10);
    assert_int_equal(chart_map(&a, NAN, 11, true), -1);
    assert_int_equal(chart_map(&a, INFINITY, 11, true), -1);
}

static void map_log_axis_spaces_decades_evenly_and_drops_non_positive(void **state)
{
    (void)state;
    ChartAxis a = {1, 100, true};
    assert_int_equal(chart_map(&a, 1, 3, false), 0);
    assert_int_equal(chart_map(&a, 10, 3, false), 1);
    assert_int_equal(chart_map(&a, 100, 3, false), 2);
    assert_int_equal(chart_map(&a, 0, 3, true), -1);
    assert_int_equal(chart_map(&a, -5, 3, true), -1);
    NEAR(chart_unmap(&a, 0.5), 10);
}

static void autoscale_covers_the_data_and_keeps_losses_non_negative(void **state)
{
    (void)state;
    double ys[4] = {0.2, NAN, 0.8, 0.5};
    ChartAxis a;
    assert_int_equal(chart_autoscale(ys, 4, false, &a), 3);
    assert_false(a.log);
    assert_true(a.lo <= 0.2 && a.lo >= 0);
    assert_true(a.hi >= 0.8 && a.hi < 1.2);
    assert_true(a.lo < a.hi);
}

static void autoscale_gives_flat_and_empty_data_a_usable_range(void **state)
{
    (void)state;
    double flat[3] = {2, 2, 2};
    ChartAxis a;
    chart_autoscale(flat, 3, false, &a);
    assert_true(a.lo < 2 && a.hi > 2);
    double zero[2] = {0, 0};
    chart_autoscale(zero, 2, false, &a);
    assert_true(a.lo <= 0 && a.hi > 0);
    double none[2] = {NAN, INFINITY};
    assert_int_equal(chart_autoscale(none, 2, false, &a), 0);
    NEAR(a.lo, 0);
    NEAR(a.hi, 1);
}

static void autoscale_log_ignores_non_positive_values(void **state)
{
    (void)state;
    double ys[5] = {-1, 0, 0.01, 1, NAN};
    ChartAxis a;
    assert_int_equal(chart_autoscale(ys, 5, true, &a), 2);
    assert_true(a.log);
    assert_true(a.lo > 0 && a.lo <= 0.01);
    assert_true(a.hi >= 1 && a.hi < 10);
    double none[2] = {0, -3};
    assert_int_equal(chart_autoscale(none, 2, true, &a), 0);
    assert_true(a.lo > 0 && a.hi > a.lo);
}

/* A run that diverged at step 6 (1e37, then NaN) and was resumed there:
 * steps 1..5 train normally, 7.. are the recovered run.  One step series
 * and one epoch series, as the dashboard passes them. */
enum { RUN_N = 12 };
static const double run_x[RUN_N] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static const double run_y[RUN_N] = {0.9,  0.7, 0.6,  3e5, 1e37, NAN,
                                    0.55, 0.5, 0.45, 0.4, 0.38, 0.35};
static const double ep_x[2] = {6, 12};
static const double ep_y[2] = {INFINITY, 0.42};

/* Both series of the run trusted from x_from on (-INFINITY: never
 * resumed from a divergence, as the dashboard passes a run alone). */
static size_t fit_run(double x_from, bool log, ChartAxis *a)
{
    const double *xs[2] = {run_x, ep_x}, *ys[2] = {run_y, ep_y};
    size_t ns[2] = {RUN_N, 2};
    double scratch[RUN_N + 2];
    ChartTrust t = {.resumed = isfinite(x_from), .from = x_from};
    ChartTrust trust[2] = {t, t};
    return chart_autoscale_from(xs, ys, ns, trust, 2, log, scratch, a);
}

static void pre_recovery_spike_does_not_own_the_loss_axis(void **state)
{
    (void)state;
    ChartAxis a;
    /* No recovery: every finite point counts, the spike included. */
    assert_int_equal(fit_run(-INFINITY, false, &a), 12);
    assert_true(a.hi >= 1e37);
    /* Resumed at step 6: the points after it set the range. */
    assert_int_equal(fit_run(6, false, &a), 7);
    assert_true(a.hi >= 0.55 && a.hi <= 0.6);
    assert_true(a.lo >= 0 && a.lo <= 0.35);
    /* On a log axis too. */
    assert_int_equal(fit_run(6, true, &a), 7);
    assert_true(a.hi >= 0.55 && a.hi < 1);
    /* Resumed at the very end: nothing after it, so everything again. */
    assert_int_equal(fit_run(12, false, &a), 12);
    assert_true(a.hi >= 1e37);
}

/* The first points after a recovery from weights that blew up are of the
 * blow-up too: three decades above the median of the recovered run they
 * leave the linear range (the log axis keeps them). */
static void recovery_aftermath_beyond_three_decades_of_the_median_is_left_out(void **state)
{
    (void)state;
    double x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    double y[9] = {2e33, 4e20, 0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4};
    const double *xs[1] = {x}, *ys[1] = {y};
    size_t ns[1] = {9};
    double scratch[9];
    ChartAxis a;
    const ChartTrust resumed[1] = {{.blew_up = true, .resumed = true, .from = 0}};
    assert_int_equal(chart_autoscale_from(xs, ys, ns, resumed, 1, false, scratch, &a), 7);
    assert_true(a.hi >= 0.9 && a.hi <= 1);
    assert_int_equal(chart_autoscale_from(xs, ys, ns, resumed, 1, true, scratch, &a), 9);
    assert_true(a.hi >= 2e33);
    /* The cut is 1000 times the median exactly, whatever the order: of
     * {1..6, v} the median is 4, so 4000 stays and 4001 goes. */
    double v[7] = {5, 4000, 1, 6, 3, 2, 4};
    for (int r = 0; r < 7; r++) {
        double w[7];
        for (int i = 0; i < 7; i++) w[i] = v[(i + r) % 7];
        const double *wy[1] = {w};
        size_t wn[1] = {7};
        assert_int_equal(chart_autoscale_from(xs, wy, wn, resumed, 1, false, scratch, &a), 7);
        assert_true(a.hi >= 4000);
        for (int i = 0; i < 7; i++)
            if (w[i] == 4000) w[i] = 4001;
        assert_int_equal(chart_autoscale_from(xs, wy, wn, resumed, 1, false, scratch, &a), 6);
        assert_true(a.hi >= 6 && a.hi < 10);
    }
}

/* Beside runs that never diverged (a race, view's overlay), a run that
 * diverged and was not taken up again sets the range only within theirs:
 * its climb, hundreds of times above them for epochs before its NaN, would
 * flatten them even at three decades of the median.  Its points before
 * the climb, and the others' early losses, still count. */
enum { SIDE_N = 8 };
static const double side_x[SIDE_N] = {1, 2, 3, 4, 5, 6, 7, 8};
static const double calm_y[SIDE_N] = {1.1, 0.9, 0.7, 0.5, 0.4, 0.35, 0.3, 0.28};
static const double blown_y[SIDE_N] = {1.1, 1.0, 0.95, 500, 4e8, 1e37, NAN, NAN};

static void a_diverged_run_does_not_flatten_the_runs_beside_it(void **state)
{
    (void)state;
    const double *xs[2] = {side_x, side_x}, *ys[2] = {calm_y, blown_y};
    size_t ns[2] = {SIDE_N, SIDE_N};
    double scratch[2 * SIDE_N];
    ChartAxis a;
    /* trusted whole, as every chart but the dashboard's fitted them */
    assert_int_equal(chart_autoscale_from(xs, ys, ns, NULL, 2, false, scratch, &a), 14);
    assert_true(a.hi >= 1e37);
    /* the second run diverged: its 1.1, 1.0 and 0.95 are within the
     * first's range (up to 1.1), its 500, 4e8 and 1e37 are not */
    const ChartTrust trust[2] = {{0}, {.blew_up = true}};
    assert_int_equal(chart_autoscale_from(xs, ys, ns, trust, 2, false, scratch, &a), 11);
    assert_true(a.hi >= 1.1 && a.hi < 2);
    /* the log axis shows it whole */
    assert_int_equal(chart_autoscale_from(xs, ys, ns, trust, 2, true, scratch, &a), 14);
    assert_true(a.hi >= 1e37);
    /* both diverged: nothing to keep the range of but their median (0.9 of
     * the 14): 4e8 and 1e37 are beyond a thousand times it, 500 is not */
    const ChartTrust both[2] = {{.blew_up = true}, {.blew_up = true}};
    assert_int_equal(chart_autoscale_from(xs, ys, ns, both, 2, false, scratch, &a), 12);
    assert_true(a.hi >= 500 && a.hi < 1e3);
}

/* An earlier run drawn behind the dashboard's (context, reach 2) sets the
 * range up to twice the current run's highest: a run at a sane rate beside
 * it stays whole, one at a rate far too high (iris at lr 5: 33 and 177)
 * does not flatten it. */
static void an_earlier_run_reaches_twice_the_current_ones_top(void **state)
{
    (void)state;
    static const double earlier_y[SIDE_N] = {2.1, 33.5, 177, 1.6, 0.9, 0.7, 0.6, 0.5};
    const double *xs[2] = {side_x, side_x}, *ys[2] = {calm_y, earlier_y};
    size_t ns[2] = {SIDE_N, SIDE_N};
    double scratch[2 * SIDE_N];
    ChartAxis a;
    const ChartTrust trust[2] = {{0}, {.reach = 2}};
    /* 2.1 is within twice 1.1, 33.5 and 177 are not */
    assert_int_equal(chart_autoscale_from(xs, ys, ns, trust, 2, false, scratch, &a), 14);
    assert_true(a.hi >= 2.1 && a.hi < 3);
    /* the log axis shows it whole */
    assert_int_equal(chart_autoscale_from(xs, ys, ns, trust, 2, true, scratch, &a), 16);
    assert_true(a.hi >= 177);
}

/* The cut applies to the run that blew up alone: a run that never diverged
 * keeps its early losses however far above the median (a regression's
 * first squared errors), and each run is trusted from its own recovery. */
static void each_run_is_trusted_as_its_own_history_says(void **state)
{
    (void)state;
    static const double early_y[SIDE_N] = {5e3, 40, 3, 1, 0.8, 0.6, 0.5, 0.4};
    static const double resumed_y[SIDE_N] = {0.9, 1e30, NAN, 0.7, 0.6, 0.5, 0.45, 0.4};
    const double *xs[2] = {side_x, side_x}, *ys[2] = {early_y, resumed_y};
    size_t ns[2] = {SIDE_N, SIDE_N};
    double scratch[2 * SIDE_N];
    ChartAxis a;
    /* the second resumed after x 3: its 0.9 and 1e30 before do not count,
     * the first's 5e3 (beyond 1000 times any median here) does */
    const ChartTrust trust[2] = {{0}, {.blew_up = true, .resumed = true, .from = 3}};
    assert_int_equal(chart_autoscale_from(xs, ys, ns, trust, 2, false, scratch, &a), 13);
    assert_true(a.hi >= 5e3 && a.hi < 1e4);
    /* the first alone, never diverged: its whole curve */
    const ChartTrust plain[1] = {{0}};
    assert_int_equal(chart_autoscale_from(xs, ys, ns, plain, 1, false, scratch, &a), 8);
    assert_true(a.hi >= 5e3 && a.hi < 1e4);
}

/* The smoothed curve restarts after a recovery: its first point there is
 * the raw value, not an average still carrying the 1e37. */
static void smoothing_restarts_after_a_recovery(void **state)
{
    (void)state;
    double out[RUN_N];
    chart_smooth_from(run_x, run_y, out, RUN_N, 0.6, 6);
    NEAR(out[6], 0.55);
    assert_true(out[11] < 0.55);
    assert_true(out[4] > 1e36); /* before it, the old average goes on */
    double whole[RUN_N];
    chart_smooth(run_y, whole, RUN_N, 0.6);
    chart_smooth_from(run_x, run_y, out, RUN_N, 0.6, -INFINITY);
    assert_memory_equal(out, whole, sizeof out);
    assert_true(whole[11] > 1e30); /* what the chart drew before */
}

/* ---- ticks ------------------------------------------------------------ */

static void nice_step_is_one_two_or_five_times_a_power_of_ten(void **state)
{
    (void)state;
    NEAR(chart_nice_step(10, 6), 2);      /* raw 2 */
    NEAR(chart_nice_step(0.07, 5), 0.02); /* raw 0.0175 */
    NEAR(chart_nice_step(1, 5), 0.5);     /* raw 0.25 rounds up to 0.5 */
    NEAR(chart_nice_step(700, 8), 100);   /* raw 100 */
    NEAR(chart_nice_step(3e-4, 4), 1e-4); /* raw 1e-4 */
    NEAR(chart_nice_step(0, 5), 1);       /* degenerate range */
}

static void linear_ticks_are_multiples_of_the_step_inside_the_range(void **state)
{
    (void)state;
    ChartAxis a = {0, 1, false};
    double t[16];
    int n = chart_ticks(&a, 6, t, 16);
    assert_int_equal(n, 6);
    for (int i = 0; i < 6; i++) NEAR(t[i], 0.2 * i);
    ChartAxis b = {0.13, 0.87, false};
    n = chart_ticks(&b, 5, t, 16);
    assert_true(n >= 2);
    for (int i = 0; i < n; i++) assert_true(t[i] >= 0.13 && t[i] <= 0.87);
    NEAR(t[0], 0.2);
    /* two ticks asked of 4 to 64: the nice step (100) has no multiple
     * inside; a smaller one gives a tick, never more than asked */
    ChartAxis c = {4, 64, false};
    n = chart_ticks(&c, 2, t, 16);
    assert_int_equal(n, 1);
    NEAR(t[0], 50);
    ChartAxis d = {0.31, 0.39, false};
    n = chart_ticks(&d, 2, t, 16);
    assert_true(n >= 1 && n <= 2);
    for (int i = 0; i < n; i++) assert_true(t[i] >= 0.31 && t[i] <= 0.39);
    /* two ticks asked of 0.45 to 1 (the race's validation accuracy at
     * 80x24, three rows high): the nice step, 1, leaves the 1 alone, a
     * chart with one label and no scale; 0.5 gives two */
    ChartAxis e = {0.45, 1, false};
    n = chart_ticks(&e, 2, t, 16);
    assert_int_equal(n, 2);
    NEAR(t[0], 0.5);
    NEAR(t[1], 1);
}

static void log_ticks_are_powers_of_ten_or_one_two_five(void **state)
{
    (void)state;
    double t[16];
    ChartAxis a = {0.001, 10, true};
    int n = chart_ticks(&a, 6, t, 16);
    assert_int_equal(n, 5);
    NEAR(t[0], 0.001);
    NEAR(t[4], 10);
    ChartAxis b = {1e-6, 1e6, true}; /* 13 decades, at most 5 ticks: every 3rd */
    n = chart_ticks(&b, 5, t, 16);
    assert_int_equal(n, 5);
    NEAR(t[1], 1e-3);
    ChartAxis c = {0.15, 0.9, true};
    n = chart_ticks(&c, 5, t, 16);
    assert_int_equal(n, 2);
    NEAR(t[0], 0.2);
    NEAR(t[1], 0.5);
    ChartAxis d = {0.03, 1.5, true}; /* two decades with room: 1-2-5 */
    n = chart_ticks(&d, 6, t, 16);
    assert_int_equal(n, 5);
    NEAR(t[0], 0.05);
    NEAR(t[2], 0.2);
    NEAR(t[4], 1);
    ChartAxis e = {1.1, 1.9, true}; /* no power, no 1-2-5 inside: linear */
    n = chart_ticks(&e, 5, t, 16);
    assert_true(n >= 2);
    for (int i = 0; i < n; i++) assert_true(t[i] >= 1.1 && t[i] <= 1.9);
}

static void format_is_compact_and_fits_the_width(void **state)
{
    (void)state;
    char b[32];
    chart_format(0.25, 0.05, 6, b, sizeof b);
    assert_string_equal(b, "0.25");
    chart_format(0.2, 0.2, 6, b, sizeof b);
    assert_string_equal(b, "0.2");
    chart_format(1e-17, 0.1, 6, b, sizeof b); /* rounding noise near zero */
    assert_string_equal(b, "0");
    chart_format(1e-5, 0, 6, b, sizeof b);
    assert_string_equal(b, "1e-5");
    chart_format(2500, 0, 4, b, sizeof b);
    assert_string_equal(b, "2.5k");
    chart_format(120, 20, 6, b, sizeof b);
    assert_string_equal(b, "120");
    chart_format(0.123456, 0, 5, b, sizeof b);
    assert_true(strlen(b) <= 5);
    assert_string_equal(b, "0.123");
    chart_format(NAN, 0, 6, b, sizeof b);
    assert_string_equal(b, "nan");
}

/* ---- the x axis's label row ------------------------------------------ */

/* gradtop race's loss chart at 100 columns: the row runs from column 1
 * (the y axis's) to 100, ticks every 12 columns from 2 labelled 0 to 80,
 * the last one's label reaching the row's end.  "epoch" takes the end,
 * the label under it gives way; the others stay centred under their
 * ticks. */
static void x_title_shows_and_the_labels_it_would_touch_give_way(void **state)
{
    (void)state;
    int col[9], w[9], start[9];
    for (int i = 0; i < 9; i++) {
        col[i] = 2 + 12 * i;
        w[i] = i == 0 ? 1 : 2;
    }
    assert_int_equal(chart_label_row(col, w, 9, 1, 100, 5, start), 95);
    assert_int_equal(start[0], 2);
    assert_int_equal(start[1], 13); /* "10" over columns 13, 14: its tick at 14 */
    assert_int_equal(start[7], 85); /* "70" ends at 86, two blanks before "epoch" */
    assert_int_equal(start[8], -1); /* "80" at 97, 98 would touch it */
    /* without a title the last label is moved in to end with the row */
    col[8] = 99;
    assert_int_equal(chart_label_row(col, w, 9, 1, 100, 0, start), -1);
    assert_int_equal(start[8], 98);
    assert_int_equal(start[7], 85);
}

/* Labels too wide for their spacing: every other one shows, from the
 * first, rather than whichever happen to find room (0, 2.5k, 7.5k). */
static void crowded_labels_give_way_at_an_even_stride(void **state)
{
    (void)state;
    int col[] = {2, 6, 10, 14, 18}, w[] = {1, 4, 4, 4, 4}, start[5];
    assert_int_equal(chart_label_row(col, w, 5, 1, 40, 5, start), 35);
    assert_int_equal(start[0], 2);
    assert_int_equal(start[1], -1);
    assert_int_equal(start[2], 8);
    assert_int_equal(start[3], -1);
    assert_int_equal(start[4], 16);
}

/* However the row is shared, a label shown covers its own tick, stays
 * whole inside the row and keeps a blank column from its neighbours and
 * two from the title; the first label always shows beside a title that
 * leaves it room. */
static void shown_labels_sit_under_their_ticks_whole_and_apart(void **state)
{
    (void)state;
    int col[32], w[32], start[32];
    for (int width = 16; width <= 160; width += 7)
        for (int n = 1; n <= 12; n++)
            for (int tw = 0; tw <= 9; tw += 3) {
                int lo = 3, hi = lo + width;
                for (int i = 0; i < n; i++) {
                    col[i] = lo + 1 + (width - 2) * i / (n > 1 ? n - 1 : 1);
                    w[i] = 1 + (i * 7) % 5;
                }
                int title = chart_label_row(col, w, n, lo, hi, tw, start);
                assert_int_equal(title, tw > 0 && tw <= width ? hi - tw : -1);
                if (title < 0 || col[0] + 3 <= title) assert_true(start[0] >= 0);
                int last_end = lo - 1;
                for (int i = 0; i < n; i++) {
                    if (start[i] < 0) continue;
                    assert_true(start[i] >= lo && start[i] + w[i] <= hi);
                    assert_true(start[i] <= col[i] && col[i] < start[i] + w[i]);
                    assert_true(start[i] > last_end);
                    if (title >= 0) assert_true(start[i] + w[i] + 2 <= title);
                    last_end = start[i] + w[i];
                }
            }
}

/* A title wider than the row is left out, not cut; the labels then have
 * the row. */
static void x_title_too_wide_for_the_row_is_left_out_whole(void **state)
{
    (void)state;
    int col[] = {4, 12}, w[] = {1, 2}, start[2];
    assert_int_equal(chart_label_row(col, w, 2, 3, 16, 14, start), -1);
    assert_int_equal(start[0], 4);
    assert_int_equal(start[1], 11);
}

/* A choice's labels are its values: its title (the chart's own names the
 * parameter) shows only where it hides none of them.  "layers" at the end
 * of a 34-column row would take "16,8"'s place; in 44 it leaves it room. */
static void a_title_keeping_every_label_gives_way_to_a_choices_values(void **state)
{
    (void)state;
    int col[] = {8, 25}, w[] = {1, 4}, start[2];
    /* title first: "16,8" gives way */
    assert_int_equal(chart_label_row(col, w, 2, 0, 34, 6, start), 28);
    assert_int_equal(start[1], -1);
    assert_int_equal(chart_label_row_keeping(col, w, 2, 0, 34, 6, CHART_KEEP_ALL, start), -1);
    assert_int_equal(start[0], 8);
    assert_int_equal(start[1], 23);
    assert_int_equal(chart_label_row_keeping(col, w, 2, 0, 44, 6, CHART_KEEP_ALL, start), 38);
    assert_int_equal(start[0], 8);
    assert_int_equal(start[1], 23);
    /* crowded: without the title labels 0 and 2 show (1 and 2 would
     * touch); beside it 0 and 1 would, as many but not 2's value: it
     * gives way, where keeping two labels it would not */
    int c3[] = {2, 9, 13}, w3[] = {3, 3, 4}, s3[3];
    assert_int_equal(chart_label_row_keeping(c3, w3, 3, 0, 16, 1, CHART_KEEP_ALL, s3), -1);
    assert_int_equal(s3[0], 1);
    assert_int_equal(s3[1], -1);
    assert_int_equal(s3[2], 11);
    assert_int_equal(chart_label_row_keeping(c3, w3, 3, 0, 16, 1, 2, s3), 15);
    assert_int_equal(s3[0], 1);
    assert_int_equal(s3[1], 8);
    assert_int_equal(s3[2], -1);
}

/* Evenly spaced numbers: two labels give the scale.  A title that leaves
 * two shows ("0  0.2  dropout", 0.4 under it giving way); one that would
 * leave the first alone gives way, and the labels have the row. */
static void a_title_keeping_two_labels_shows_beside_them_or_gives_way(void **state)
{
    (void)state;
    int col[] = {1, 11, 21}, w[] = {1, 3, 3}, start[3];
    assert_int_equal(chart_label_row_keeping(col, w, 3, 0, 25, 7, 2, start), 18);
    assert_int_equal(start[0], 1);
    assert_int_equal(start[1], 10);
    assert_int_equal(start[2], -1);
    assert_int_equal(chart_label_row_keeping(col, w, 3, 0, 25, 12, 2, start), -1);
    assert_int_equal(start[0], 1);
    assert_int_equal(start[1], 10);
    assert_int_equal(start[2], 20);
    /* a row of one label: that one beside the title is enough */
    assert_int_equal(chart_label_row_keeping(col, w, 1, 0, 25, 7, 2, start), 18);
    assert_int_equal(start[0], 1);
}

/* A value between 1e-4 and 1e-3 that %g writes in full ("0.0005") is
 * written in the exponent form when the full one is too wide: the network
 * view's 5-column range label showed 0.0005 cut to "0.00...", a zero. */
static void format_small_values_fit_in_exponent_form(void **state)
{
    (void)state;
    char b[32];
    chart_format(0.0005, 0, 5, b, sizeof b);
    assert_string_equal(b, "5e-4");
    chart_format(0.0005, 0, 6, b, sizeof b); /* room for the full form */
    assert_string_equal(b, "0.0005");
    chart_format(0.00049, 0, 5, b, sizeof b);
    assert_string_equal(b, "5e-4");
    chart_format(-0.0012, 0, 5, b, sizeof b);
    assert_string_equal(b, "-1e-3");
    chart_format(0.00025, 0, 6, b, sizeof b);
    assert_string_equal(b, "2.5e-4");
    /* every magnitude: within the width, never 0, near the value */
    for (int width = 5; width <= 8; width++)
        for (double v = 1.7e-9; v < 1e9; v *= 3.1)
            for (int sign = -1; sign <= 1; sign += 2) {
                double x = sign * v;
                if (sign < 0 && width == 5 && v < 1e-9) continue; /* "-2e-10": 6 */
                chart_format(x, 0, width, b, sizeof b);
                assert_true((int)strlen(b) <= width);
                double k = strchr(b, 'k') ? 1000 : 1;
                double back = strtod(b, NULL) * k;
                assert_true(back != 0);
                assert_true(fabs(back - x) <= 0.5 * fabs(x));
            }
}

/* The panel's loss of a run that fits its data (gauss: 2.1e-05) read
 * "0.0000"; a figure too small for its decimals, or too wide for its
 * column, takes the compact form instead. */
static void format_fixed_keeps_small_and_large_figures_true(void **state)
{
    (void)state;
    static const struct {
        double v;
        const char *want;
    } cases[] = {
        {0.0963, "0.0963"},   {0.0036, "0.0036"}, {0, "0.0000"},
        {40.4274, "40.4274"}, {2.1e-5, "2.1e-5"}, {0.00087, "0.00087"}, /* not "0.0009" */
        {NAN, "nan"},
    };
    char b[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        chart_format_fixed(cases[i].v, 4, 8, b, sizeof b);
        assert_string_equal(b, cases[i].want);
    }
    chart_format_fixed(12345.678, 4, 8, b, sizeof b); /* wider than 8 in full */
    assert_true(strlen(b) <= 8);
    assert_true(fabs(strtod(b, NULL) * (strchr(b, 'k') ? 1000 : 1) - 12345.678) < 100);
}

/* One dead unit of 300 read "(0%)", and a run at epoch 299 of 300 "100%":
 * a share that is neither none nor all is never shown as either. */
static void percent_is_never_0_or_100_unless_it_is(void **state)
{
    (void)state;
    static const struct {
        double share;
        const char *want;
    } cases[] = {
        {0, "0%"},         {1, "100%"},         {0.84, "84%"},
        {0.1967, "20%"},   {1.0 / 300, "0.3%"}, {299.0 / 300, "99.7%"},
        {0.0004, "<0.1%"}, {0.99996, "99.9%"},  {0.005, "0.5%"},
        {NAN, "-"},
    };
    char b[16];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        chart_percent(cases[i].share, b, sizeof b);
        assert_string_equal(b, cases[i].want);
    }
}

/* ---- downsampling ----------------------------------------------------- */

static void downsample_gives_min_max_mean_per_bucket(void **state)
{
    (void)state;
    double xs[10], ys[10];
    for (int i = 0; i < 10; i++) xs[i] = i, ys[i] = i * i;
    ys[3] = NAN;
    double mn[5], mx[5], mean[5];
    int cnt[5];
    chart_downsample(xs, ys, 10, 0, 10, 5, mn, mx, mean, cnt);
    /* buckets [0,2) [2,4) [4,6) [6,8) [8,10] */
    assert_int_equal(cnt[0], 2);
    NEAR(mn[0], 0);
    NEAR(mx[0], 1);
    NEAR(mean[0], 0.5);
    assert_int_equal(cnt[1], 1); /* x=3 was NaN */
    NEAR(mn[1], 4);
    NEAR(mx[1], 4);
    assert_int_equal(cnt[4], 2);
    NEAR(mean[4], (64 + 81) / 2.0);
}

static void downsample_leaves_empty_buckets_nan_and_counts_the_upper_edge(void **state)
{
    (void)state;
    double xs[2] = {0, 10}, ys[2] = {1, 2};
    double mn[4], mean[4];
    int cnt[4];
    chart_downsample(xs, ys, 2, 0, 10, 4, mn, NULL, mean, cnt);
    assert_int_equal(cnt[0], 1);
    assert_int_equal(cnt[1], 0);
    assert_true(isnan(mn[1]) && isnan(mean[1]));
    assert_int_equal(cnt[3], 1); /* x == x_hi lands in the last bucket */
    NEAR(mn[3], 2);
}

/* ---- braille and the canvas ------------------------------------------ */

static void braille_bits_follow_unicode_dot_numbering(void **state)
{
    (void)state;
    assert_int_equal(chart_braille_bit(0, 0), 0x01);
    assert_int_equal(chart_braille_bit(0, 1), 0x02);
    assert_int_equal(chart_braille_bit(0, 2), 0x04);
    assert_int_equal(chart_braille_bit(1, 0), 0x08);
    assert_int_equal(chart_braille_bit(1, 1), 0x10);
    assert_int_equal(chart_braille_bit(1, 2), 0x20);
    assert_int_equal(chart_braille_bit(0, 3), 0x40);
    assert_int_equal(chart_braille_bit(1, 3), 0x80);
    assert_int_equal(chart_braille_bit(2, 0), 0);
    assert_int_equal(chart_braille_char(0), 0x2800);
    assert_int_equal(chart_braille_char(0xff), 0x28ff);
}

static void canvas_puts_dot_zero_zero_at_the_bottom_left(void **state)
{
    (void)state;
    uint8_t buf[2 * 3];
    ChartCanvas c;
    chart_canvas_init(&c, CHART_DOTS_BRAILLE, 2, 3, buf);
    assert_int_equal(chart_canvas_width(&c), 4);
    assert_int_equal(chart_canvas_height(&c), 12);
    chart_canvas_set(&c, 0, 0);
    assert_int_equal(chart_canvas_cell(&c, 0, 2), 0x40); /* bottom-left dot of the last row */
    chart_canvas_set(&c, 3, 11);
    assert_int_equal(chart_canvas_cell(&c, 1, 0), 0x08); /* top-right dot of the first row */
    chart_canvas_set(&c, 2, 5);                          /* row 1 from top = 6 -> dot row 2 */
    assert_int_equal(chart_canvas_cell(&c, 1, 1), 0x04);
    chart_canvas_set(&c, 99, 0); /* off canvas: ignored */
    chart_canvas_set(&c, -1, 0);
    assert_true(chart_canvas_get(&c, 0, 0));
    assert_false(chart_canvas_get(&c, 1, 0));
}

static void canvas_line_sets_every_dot_between_the_ends(void **state)
{
    (void)state;
    uint8_t buf[2];
    ChartCanvas c;
    chart_canvas_init(&c, CHART_DOTS_BRAILLE, 2, 1, buf);
    chart_canvas_line(&c, 0, 0, 3, 0);
    assert_int_equal(chart_canvas_cell(&c, 0, 0), 0xC0);
    assert_int_equal(chart_canvas_cell(&c, 1, 0), 0xC0);
    chart_canvas_clear(&c);
    chart_canvas_line(&c, 0, 0, 0, 3); /* a full left column */
    assert_int_equal(chart_canvas_cell(&c, 0, 0), 0x47);
    chart_canvas_clear(&c);
    chart_canvas_line(&c, 0, 0, 3, 3); /* the diagonal */
    for (int i = 0; i < 4; i++) assert_true(chart_canvas_get(&c, i, i));
}

static void ascii_canvas_uses_three_dots_per_cell(void **state)
{
    (void)state;
    uint8_t buf[1];
    ChartCanvas c;
    chart_canvas_init(&c, CHART_DOTS_ASCII, 1, 1, buf);
    assert_int_equal(chart_canvas_height(&c), 3);
    chart_canvas_set(&c, 0, 2);
    assert_int_equal(chart_ascii_char(chart_canvas_cell(&c, 0, 0)), '\'');
    chart_canvas_clear(&c);
    chart_canvas_set(&c, 0, 0);
    assert_int_equal(chart_ascii_char(chart_canvas_cell(&c, 0, 0)), '.');
    assert_int_equal(chart_ascii_char(0), ' ');
    assert_int_equal(chart_ascii_char(2), '-');
    assert_int_equal(chart_ascii_char(5), ':');
    assert_int_equal(chart_ascii_char(7), '|');
}

static void plot_draws_a_rising_line_corner_to_corner(void **state)
{
    (void)state;
    uint8_t buf[4 * 2];
    ChartCanvas c;
    chart_canvas_init(&c, CHART_DOTS_BRAILLE, 4, 2, buf); /* 8 x 8 dots */
    ChartAxis xa = {0, 1, false}, ya = {0, 1, false};
    double xs[2] = {0, 1}, ys[2] = {0, 1};
    chart_canvas_plot(&c, &xa, &ya, xs, ys, 2);
    for (int i = 0; i < 8; i++) assert_true(chart_canvas_get(&c, i, i));
    assert_false(chart_canvas_get(&c, 7, 0));
}

/* A scatter sets one dot per point, in any order, joins none, and leaves
 * out points beyond the axes or not drawable. */
static void scatter_sets_one_dot_per_point_unjoined(void **state)
{
    (void)state;
    uint8_t buf[4 * 2];
    ChartCanvas c;
    chart_canvas_init(&c, CHART_DOTS_BRAILLE, 4, 2, buf); /* 8 x 8 dots */
    chart_canvas_clear(&c);
    ChartAxis xa = {0, 7, false}, ya = {0, 7, false};
    double xs[5] = {7, 0, 3, 9, NAN}, ys[5] = {7, 0, 5, 1, 2};
    chart_canvas_scatter(&c, &xa, &ya, xs, ys, 5);
    int set = 0;
    for (int x = 0; x < 8; x++)
        for (int y = 0; y < 8; y++) set += chart_canvas_get(&c, x, y);
    assert_int_equal(set, 3);
    assert_true(chart_canvas_get(&c, 0, 0));
    assert_true(chart_canvas_get(&c, 7, 7));
    assert_true(chart_canvas_get(&c, 3, 5));
    assert_false(chart_canvas_get(&c, 1, 1)); /* not joined */
}

static void plot_breaks_the_line_at_values_it_cannot_draw(void **state)
{
    (void)state;
    uint8_t buf[4];
    ChartCanvas c;
    chart_canvas_init(&c, CHART_DOTS_BRAILLE, 4, 1, buf); /* 8 x 4 dots */
    ChartAxis xa = {0, 7, false}, ya = {0.1, 10, true};
    double xs[3] = {0, 3.5, 7}, ys[3] = {1, 0, 1}; /* 0 has no log */
    chart_canvas_plot(&c, &xa, &ya, xs, ys, 3);
    int set = 0;
    for (int x = 0; x < 8; x++)
        for (int y = 0; y < 4; y++) set += chart_canvas_get(&c, x, y);
    assert_int_equal(set, 2); /* two isolated points, no segment through the gap */
}

static void plot_keeps_a_spike_visible_when_downsampling(void **state)
{
    (void)state;
    enum { N = 1000 };
    double xs[N], ys[N];
    for (int i = 0; i < N; i++) xs[i] = i, ys[i] = 0;
    ys[501] = 1; /* one point out of a thousand */
    uint8_t buf[10 * 2];
    ChartCanvas c;
    chart_canvas_init(&c, CHART_DOTS_BRAILLE, 10, 2, buf); /* 20 x 8 dots */
    ChartAxis xa = {0, N - 1, false}, ya = {0, 1, false};
    chart_canvas_plot(&c, &xa, &ya, xs, ys, N);
    bool top = false;
    for (int x = 0; x < 20; x++) top |= chart_canvas_get(&c, x, 7);
    assert_true(top);
    for (int x = 0; x < 20; x++) assert_true(chart_canvas_get(&c, x, 0)); /* baseline intact */
}

static void plot_joins_columns_across_a_jump_when_downsampling(void **state)
{
    (void)state;
    enum { N = 1000 };
    double xs[N], ys[N];
    for (int i = 0; i < N; i++) xs[i] = i, ys[i] = i < 500 ? 0 : 1; /* a step between buckets */
    uint8_t buf[10 * 2];
    ChartCanvas c;
    chart_canvas_init(&c, CHART_DOTS_BRAILLE, 10, 2, buf);
    ChartAxis xa = {0, N - 1, false}, ya = {0, 1, false};
    chart_canvas_plot(&c, &xa, &ya, xs, ys, N);
    for (int y = 0; y < 8; y++) {
        bool any = false;
        for (int x = 0; x < 20; x++) any |= chart_canvas_get(&c, x, y);
        assert_true(any); /* the rise is drawn, not a gap */
    }
}

/* ---- patterns (NO_COLOR) ---------------------------------------------- */

static void dotted_pattern_keeps_one_column_in_every_other_cell(void **state)
{
    (void)state;
    /* a level line: the middle dots of both columns */
    uint8_t line = (uint8_t)(chart_braille_bit(0, 1) | chart_braille_bit(1, 1));
    assert_int_equal(chart_pattern_bits(CHART_PATTERN_SOLID, CHART_DOTS_BRAILLE, 1, line), line);
    assert_int_equal(chart_pattern_bits(CHART_PATTERN_DOTTED, CHART_DOTS_BRAILLE, 0, line),
                     chart_braille_bit(0, 1));
    assert_int_equal(chart_pattern_bits(CHART_PATTERN_DOTTED, CHART_DOTS_BRAILLE, 1, line), 0);
    /* only the right column set: moved left rather than lost */
    uint8_t right = (uint8_t)(chart_braille_bit(1, 0) | chart_braille_bit(1, 3));
    assert_int_equal(chart_pattern_bits(CHART_PATTERN_DOTTED, CHART_DOTS_BRAILLE, 2, right),
                     chart_braille_bit(0, 0) | chart_braille_bit(0, 3));
    /* so a dotted line has fewer dots than the solid one everywhere */
    for (int col = 0; col < 8; col++) {
        uint8_t d = chart_pattern_bits(CHART_PATTERN_DOTTED, CHART_DOTS_BRAILLE, col, 0xFF);
        assert_true(__builtin_popcount(d) < 8);
        assert_int_equal(d & 0xB8, 0); /* never the right column */
    }
    assert_int_equal(chart_pattern_bits(CHART_PATTERN_DOTTED, CHART_DOTS_ASCII, 3, 2), 0);
    assert_int_equal(chart_pattern_bits(CHART_PATTERN_DOTTED, CHART_DOTS_ASCII, 4, 2), 2);
}

/* Dashed: two cells whole, two left out; sparse: the dotted pattern's
 * one column in every fourth cell.  Dotted and sparse are the dotted
 * ones (their ASCII glyphs are chart_ascii_dotted_char's). */
static void dashed_and_sparse_patterns_have_periods_of_four_cells(void **state)
{
    (void)state;
    uint8_t line = (uint8_t)(chart_braille_bit(0, 1) | chart_braille_bit(1, 1));
    for (int col = 0; col < 12; col++) {
        assert_int_equal(chart_pattern_bits(CHART_PATTERN_DASHED, CHART_DOTS_BRAILLE, col, line),
                         col % 4 < 2 ? line : 0);
        assert_int_equal(chart_pattern_bits(CHART_PATTERN_SPARSE, CHART_DOTS_BRAILLE, col, line),
                         col % 4 == 0 ? chart_braille_bit(0, 1) : 0);
        assert_int_equal(chart_pattern_bits(CHART_PATTERN_SPARSE, CHART_DOTS_ASCII, col, 2),
                         col % 4 == 0 ? 2 : 0);
    }
    uint8_t right = (uint8_t)chart_braille_bit(1, 2);
    assert_int_equal(chart_pattern_bits(CHART_PATTERN_SPARSE, CHART_DOTS_BRAILLE, 8, right),
                     chart_braille_bit(0, 2));
    assert_false(chart_pattern_dotted(CHART_PATTERN_SOLID));
    assert_true(chart_pattern_dotted(CHART_PATTERN_DOTTED));
    assert_false(chart_pattern_dotted(CHART_PATTERN_DASHED));
    assert_true(chart_pattern_dotted(CHART_PATTERN_SPARSE));
}

/* Without colour the two ASCII glyph sets must not share a glyph, or
 * training and validation could look alike. */
static void dotted_ascii_glyphs_differ_from_the_solid_ones(void **state)
{
    (void)state;
    for (uint8_t a = 1; a < 8; a++)
        for (uint8_t b = 1; b < 8; b++)
            assert_int_not_equal(chart_ascii_char(a), chart_ascii_dotted_char(b));
    assert_int_equal(chart_ascii_dotted_char(0), ' ');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(smooth_matches_tensorboard_debiased_ema),
        cmocka_unit_test(pre_recovery_spike_does_not_own_the_loss_axis),
        cmocka_unit_test(recovery_aftermath_beyond_three_decades_of_the_median_is_left_out),
        cmocka_unit_test(a_diverged_run_does_not_flatten_the_runs_beside_it),
        cmocka_unit_test(an_earlier_run_reaches_twice_the_current_ones_top),
        cmocka_unit_test(each_run_is_trusted_as_its_own_history_says),
        cmocka_unit_test(smoothing_restarts_after_a_recovery),
        cmocka_unit_test(smooth_skips_non_finite_values_without_advancing),
        cmocka_unit_test(smooth_keeps_a_constant_series_constant),
        cmocka_unit_test(smooth_weight_zero_is_identity_and_works_in_place),
        cmocka_unit_test(map_linear_rounds_to_the_nearest_dot),
        cmocka_unit_test(map_rejects_or_clamps_values_out_of_range),
        cmocka_unit_test(map_log_axis_spaces_decades_evenly_and_drops_non_positive),
        cmocka_unit_test(autoscale_covers_the_data_and_keeps_losses_non_negative),
        cmocka_unit_test(autoscale_gives_flat_and_empty_data_a_usable_range),
        cmocka_unit_test(autoscale_log_ignores_non_positive_values),
        cmocka_unit_test(nice_step_is_one_two_or_five_times_a_power_of_ten),
        cmocka_unit_test(linear_ticks_are_multiples_of_the_step_inside_the_range),
        cmocka_unit_test(log_ticks_are_powers_of_ten_or_one_two_five),
        cmocka_unit_test(format_is_compact_and_fits_the_width),
        cmocka_unit_test(x_title_shows_and_the_labels_it_would_touch_give_way),
        cmocka_unit_test(crowded_labels_give_way_at_an_even_stride),
        cmocka_unit_test(shown_labels_sit_under_their_ticks_whole_and_apart),
        cmocka_unit_test(x_title_too_wide_for_the_row_is_left_out_whole),
        cmocka_unit_test(a_title_keeping_every_label_gives_way_to_a_choices_values),
        cmocka_unit_test(a_title_keeping_two_labels_shows_beside_them_or_gives_way),
        cmocka_unit_test(format_small_values_fit_in_exponent_form),
        cmocka_unit_test(format_fixed_keeps_small_and_large_figures_true),
        cmocka_unit_test(percent_is_never_0_or_100_unless_it_is),
        cmocka_unit_test(downsample_gives_min_max_mean_per_bucket),
        cmocka_unit_test(downsample_leaves_empty_buckets_nan_and_counts_the_upper_edge),
        cmocka_unit_test(braille_bits_follow_unicode_dot_numbering),
        cmocka_unit_test(canvas_puts_dot_zero_zero_at_the_bottom_left),
        cmocka_unit_test(canvas_line_sets_every_dot_between_the_ends),
        cmocka_unit_test(ascii_canvas_uses_three_dots_per_cell),
        cmocka_unit_test(plot_draws_a_rising_line_corner_to_corner),
        cmocka_unit_test(scatter_sets_one_dot_per_point_unjoined),
        cmocka_unit_test(plot_breaks_the_line_at_values_it_cannot_draw),
        cmocka_unit_test(plot_keeps_a_spike_visible_when_downsampling),
        cmocka_unit_test(plot_joins_columns_across_a_jump_when_downsampling),
        cmocka_unit_test(dotted_pattern_keeps_one_column_in_every_other_cell),
        cmocka_unit_test(dashed_and_sparse_patterns_have_periods_of_four_cells),
        cmocka_unit_test(dotted_ascii_glyphs_differ_from_the_solid_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
