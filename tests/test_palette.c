/*
 * test_palette.c - the class and run colours (src/tui/palette.c): that the
 * 256-colour hues stay apart in CIELAB, that the 8-colour degradation still
 * tells classes apart by colour and marker, the colour science against
 * published values, confidence shades, and distinct slots for runs.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../src/tui/palette.h"

/* sRGB white is L* 100 and black 0; pure sRGB red is (53.24, 80.09, 67.20)
 * (Lindbloom's calculator, D65). */
static void lab_matches_published_values(void **state)
{
    (void)state;
    double lab[3];
    palette_lab((int[]){255, 255, 255}, lab);
    assert_float_equal(lab[0], 100.0, 0.05);
    assert_float_equal(lab[1], 0.0, 0.05);
    assert_float_equal(lab[2], 0.0, 0.05);
    palette_lab((int[]){0, 0, 0}, lab);
    assert_float_equal(lab[0], 0.0, 1e-9);
    palette_lab((int[]){255, 0, 0}, lab);
    assert_float_equal(lab[0], 53.24, 0.05);
    assert_float_equal(lab[1], 80.09, 0.1);
    assert_float_equal(lab[2], 67.20, 0.1);
}

static void xterm_rgb_follows_the_cube_and_the_grey_ramp(void **state)
{
    (void)state;
    int rgb[3];
    palette_xterm_rgb(16, rgb);
    assert_int_equal(rgb[0] + rgb[1] + rgb[2], 0);
    palette_xterm_rgb(208, rgb); /* 16 + 36*5 + 6*2 + 0 */
    assert_int_equal(rgb[0], 255);
    assert_int_equal(rgb[1], 135);
    assert_int_equal(rgb[2], 0);
    palette_xterm_rgb(232, rgb);
    assert_int_equal(rgb[0], 8);
    palette_xterm_rgb(255, rgb);
    assert_int_equal(rgb[2], 238);
}

/* The claim the palette makes: no two of its first 12 colours closer than
 * CIE76 dE 25 (a difference seen at a glance; dE 2.3 is the least
 * noticeable).  A palette of the old eight hues fails it. */
static void first_twelve_colours_are_at_least_delta_e_25_apart(void **state)
{
    (void)state;
    assert_true(palette_hues(256) >= 12);
    assert_true(PALETTE_MIN_DELTA_E >= 25.0);
    double least = INFINITY;
    for (int i = 0; i < 12; i++)
        for (int j = i + 1; j < 12; j++) {
            PaletteEntry a = palette_entry(i, 256), b = palette_entry(j, 256);
            assert_int_equal(a.marker, 0);
            assert_int_equal(b.marker, 0);
            double d = palette_delta_e(a.colour, b.colour);
            if (d < least) least = d;
            if (d < PALETTE_MIN_DELTA_E)
                fail_msg("colours %d (%d) and %d (%d) are only dE %.1f apart", i, a.colour, j,
                         b.colour, d);
        }
    assert_true(least >= PALETTE_MIN_DELTA_E);
}

/* Hue k's CIELAB coordinates on a 256-colour terminal. */
static void hue_lab(int k, double lab[3])
{
    int rgb[3];
    palette_xterm_rgb(palette_entry(k, 256).colour, rgb);
    palette_lab(rgb, lab);
}

/* Readable on a black and on a white background: every hue's L* is at
 * least 30 away from both. */
static void every_colour_reads_on_black_and_on_white(void **state)
{
    (void)state;
    for (int k = 0; k < palette_hues(256); k++) {
        double lab[3];
        hue_lab(k, lab);
        assert_true(lab[0] >= 30);
        assert_true(lab[0] <= 75);
        assert_true(palette_delta_e(palette_entry(k, 256).colour, 16) >= 50);
        assert_true(palette_delta_e(palette_entry(k, 256).colour, 231) >= 40);
    }
}

/* No hue is a grey: dim text (faint rows, notes, pruned trials) is grey,
 * and a trial or class drawn in grey would read as dimmed. */
static void no_colour_is_a_grey(void **state)
{
    (void)state;
    for (int k = 0; k < palette_hues(256); k++) {
        double lab[3];
        hue_lab(k, lab);
        double chroma = hypot(lab[1], lab[2]);
        if (chroma < 25)
            fail_msg("colour %d (%d) has a chroma of only %.1f", k, palette_entry(k, 256).colour,
                     chroma);
    }
}

/* CIELAB hue angle of xterm colour c, in degrees 0..360. */
static double hue_angle(int c)
{
    int rgb[3];
    double lab[3];
    palette_xterm_rgb(c, rgb);
    palette_lab(rgb, lab);
    double h = atan2(lab[2], lab[1]) * 180 / M_PI;
    return h < 0 ? h + 360 : h;
}

/* How far apart two hue angles are, 0..180 degrees. */
static double hue_gap(double a, double b)
{
    double d = fabs(a - b);
    return d > 180 ? 360 - d : d;
}

/* A racer, trial or class is never drawn in the colour of good (green),
 * bad (red) or a title (cyan): a best trial in red beside its green best
 * cell, or racers 3 and 4 in green and red, read as verdicts.  On 256
 * colours every hue is 20 degrees of CIELAB hue angle from theirs (orange,
 * the nearest to red, is 22 away); on 8 colours none is ANSI green or red. */
static void no_colour_reads_as_good_bad_or_a_title(void **state)
{
    (void)state;
    const int role[] = {PALETTE_GREEN, PALETTE_RED, PALETTE_CYAN};
    const char *name[] = {"green", "red", "cyan"};
    for (int k = 0; k < palette_hues(256); k++) {
        int c = palette_entry(k, 256).colour;
        for (int r = 0; r < 3; r++) {
            double gap = hue_gap(hue_angle(c), hue_angle(role[r]));
            if (gap < 20)
                fail_msg("colour %d (%d) is only %.0f degrees of hue from %s", k, c, gap, name[r]);
        }
    }
    for (int k = 0; k < palette_hues(8); k++) {
        int c = palette_entry(k, 8).colour;
        if (c == PALETTE_GREEN || c == PALETTE_RED)
            fail_msg("8 colours: colour %d is %s", k, c == PALETTE_GREEN ? "green" : "red");
    }
    /* the measure sees the old palette's green and red */
    assert_true(hue_gap(hue_angle(34), hue_angle(PALETTE_GREEN)) < 20);
    assert_true(hue_gap(hue_angle(160), hue_angle(PALETTE_RED)) < 20);
    assert_true(hue_gap(hue_angle(37), hue_angle(PALETTE_CYAN)) < 20);
}

/* The measure is not blind: neighbours in the cube are close. */
static void delta_e_sees_near_colours_as_near(void **state)
{
    (void)state;
    assert_true(palette_delta_e(196, 160) < PALETTE_MIN_DELTA_E); /* two reds */
    assert_float_equal(palette_delta_e(33, 33), 0.0, 1e-12);
    assert_true(palette_delta_e(16, 231) > 99);
}

static void pairs_are_distinct(int n_colours, int n_classes)
{
    for (int i = 0; i < n_classes; i++)
        for (int j = i + 1; j < n_classes; j++) {
            PaletteEntry a = palette_entry(i, n_colours), b = palette_entry(j, n_colours);
            if (a.colour == b.colour && a.marker == b.marker)
                fail_msg("%d colours: classes %d and %d both (%d, %d)", n_colours, i, j, a.colour,
                         a.marker);
        }
}

/* On 8 and 16 colours, and past 12 classes on 256, (colour, marker)
 * pairs stay distinct: classes 0 and 8, 1 and 9 never look the same. */
static void eight_colour_degradation_keeps_classes_apart(void **state)
{
    (void)state;
    pairs_are_distinct(8, 16);
    pairs_are_distinct(16, 16);
    pairs_are_distinct(8, PALETTE_N8 * PALETTE_MAX_MARKERS);
    pairs_are_distinct(256, 32);
    /* the colours themselves are the ANSI ones, never black or white */
    for (int k = 0; k < 16; k++) {
        PaletteEntry e = palette_entry(k, 8);
        assert_true(e.colour > PALETTE_BLACK && e.colour < PALETTE_WHITE);
    }
    assert_int_not_equal(palette_entry(0, 8).marker, palette_entry(8, 8).marker);
    assert_int_not_equal(palette_entry(0, 256).colour, palette_entry(8, 256).colour);
    assert_int_not_equal(palette_entry(1, 256).colour, palette_entry(9, 256).colour);
}

static void shades_darken_towards_the_faint_level(void **state)
{
    (void)state;
    for (int k = 0; k < palette_hues(256); k++) {
        int c = palette_entry(k, 256).colour;
        assert_int_equal(palette_shade(c, 3, 4), c);
        double prev = -1;
        for (int lv = 3; lv >= 0; lv--) {
            int s = palette_shade(c, lv, 4), rgb[3];
            double lab[3];
            assert_true(s >= 16 && s <= 255);
            palette_xterm_rgb(s, rgb);
            palette_lab(rgb, lab);
            if (prev >= 0) assert_true(lab[0] <= prev + 1e-9);
            prev = lab[0];
        }
        int rgb[3];
        double lab[3];
        palette_xterm_rgb(palette_shade(c, 0, 4), rgb);
        palette_lab(rgb, lab);
        assert_true(lab[0] < 40); /* faint is dark, behind the points */
    }
}

static void assign_gives_distinct_slots_while_there_are_enough(void **state)
{
    (void)state;
    /* four runs whose hashes all want slot 3 */
    uint32_t pref[4] = {3, 15, 27, 39};
    int slot[4];
    palette_assign(pref, 4, 12, slot);
    assert_int_equal(slot[0], 3);
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++) assert_int_not_equal(slot[i], slot[j]);
    /* a free preference is kept */
    uint32_t free_pref[3] = {5, 1, 7};
    palette_assign(free_pref, 3, 6, slot);
    assert_int_equal(slot[0], 5);
    assert_int_equal(slot[1], 1);
    assert_int_equal(slot[2], 2); /* 7 % 6 = 1 is taken: the next free one */
}

/* The regression scale runs warm (orange, b* > 0) to cool (blue, b* < 0)
 * through a light middle: lightness rises from each end towards it, and
 * neighbours stay PALETTE_SCALE_MIN_DELTA_E apart, so that each step can
 * be told from the next; at 8 colours, five distinct ANSI colours. */
static void regression_scale_runs_orange_to_blue_through_light(void **state)
{
    (void)state;
    int n = palette_scale_steps(256), mid = n / 2;
    assert_int_equal(n, PALETTE_SCALE_N256);
    double lab[PALETTE_SCALE_N256][3];
    for (int i = 0; i < n; i++) {
        int rgb[3];
        palette_xterm_rgb(palette_scale_colour(i, 256), rgb);
        palette_lab(rgb, lab[i]);
        if (i > 0)
            assert_true(palette_delta_e(palette_scale_colour(i - 1, 256),
                                        palette_scale_colour(i, 256)) >= PALETTE_SCALE_MIN_DELTA_E);
    }
    for (int i = 0; i < mid; i++) {
        assert_true(lab[i][2] > 20);          /* warm */
        assert_true(lab[n - 1 - i][2] < -20); /* cool */
        assert_true(lab[i][0] < lab[i + 1][0]);
        assert_true(lab[n - 1 - i][0] < lab[n - 2 - i][0]);
    }
    assert_true(lab[mid][0] > 85 && fabs(lab[mid][1]) < 5 && fabs(lab[mid][2]) < 5);
    /* out-of-range steps are clamped to the ends */
    assert_int_equal(palette_scale_colour(-3, 256), palette_scale_colour(0, 256));
    assert_int_equal(palette_scale_colour(99, 256), palette_scale_colour(n - 1, 256));
    int n8 = palette_scale_steps(8);
    assert_int_equal(n8, PALETTE_SCALE_N8);
    for (int i = 0; i < n8; i++)
        for (int j = 0; j < i; j++)
            assert_int_not_equal(palette_scale_colour(i, 8), palette_scale_colour(j, 8));
    assert_int_equal(palette_scale_colour(n8 - 1, 8), PALETTE_BLUE);
    /* at 8 colours too, lightness rises from each end to the middle */
    double l8[PALETTE_SCALE_N8];
    for (int i = 0; i < n8; i++) {
        int rgb[3];
        double lab8[3];
        palette_xterm_rgb(palette_scale_colour(i, 8), rgb);
        palette_lab(rgb, lab8);
        l8[i] = lab8[0];
    }
    for (int i = 0; i < n8 / 2; i++) {
        assert_true(l8[i] < l8[i + 1]);
        assert_true(l8[n8 - 1 - i] < l8[n8 - 2 - i]);
    }
}

/* A low value is not a bad one, nor a high one good: no step of the
 * regression scale is the red of errors or the green of the best, on 8
 * colours (where the lowest step was red) or on 256 (CIE76 dE 25 at least
 * from both, in their normal and bright forms). */
static void regression_scale_is_neither_red_nor_green(void **state)
{
    (void)state;
    for (int i = 0; i < palette_scale_steps(8); i++) {
        int c = palette_scale_colour(i, 8);
        if (c == PALETTE_RED || c == PALETTE_GREEN)
            fail_msg("8 colours: step %d is %s", i, c == PALETTE_RED ? "red" : "green");
    }
    const int role[] = {PALETTE_RED, PALETTE_GREEN, PALETTE_RED + 8, PALETTE_GREEN + 8};
    for (int i = 0; i < palette_scale_steps(256); i++)
        for (int r = 0; r < 4; r++) {
            double d = palette_delta_e(palette_scale_colour(i, 256), role[r]);
            if (d < 25) fail_msg("256 colours: step %d is dE %.1f from colour %d", i, d, role[r]);
        }
}

/* A value's step: equal slices of [lo, hi], the ends for values beyond,
 * the middle when the range is empty or the value is NaN. */
static void scale_step_slices_the_range_evenly(void **state)
{
    (void)state;
    assert_int_equal(palette_scale_step(0, 0, 10, 5), 0);
    assert_int_equal(palette_scale_step(1.99, 0, 10, 5), 0);
    assert_int_equal(palette_scale_step(2, 0, 10, 5), 1);
    assert_int_equal(palette_scale_step(5, 0, 10, 5), 2);
    assert_int_equal(palette_scale_step(9.99, 0, 10, 5), 4);
    assert_int_equal(palette_scale_step(10, 0, 10, 5), 4);
    assert_int_equal(palette_scale_step(-7, 0, 10, 5), 0);
    assert_int_equal(palette_scale_step(1e9, 0, 10, 5), 4);
    assert_int_equal(palette_scale_step(NAN, 0, 10, 11), 5);
    assert_int_equal(palette_scale_step(3, 2, 2, 11), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lab_matches_published_values),
        cmocka_unit_test(xterm_rgb_follows_the_cube_and_the_grey_ramp),
        cmocka_unit_test(first_twelve_colours_are_at_least_delta_e_25_apart),
        cmocka_unit_test(every_colour_reads_on_black_and_on_white),
        cmocka_unit_test(no_colour_is_a_grey),
        cmocka_unit_test(no_colour_reads_as_good_bad_or_a_title),
        cmocka_unit_test(delta_e_sees_near_colours_as_near),
        cmocka_unit_test(eight_colour_degradation_keeps_classes_apart),
        cmocka_unit_test(shades_darken_towards_the_faint_level),
        cmocka_unit_test(assign_gives_distinct_slots_while_there_are_enough),
        cmocka_unit_test(regression_scale_runs_orange_to_blue_through_light),
        cmocka_unit_test(regression_scale_is_neither_red_nor_green),
        cmocka_unit_test(scale_step_slices_the_range_evenly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
