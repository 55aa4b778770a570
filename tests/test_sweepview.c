/*
 * test_sweepview.c - the sweep screen's arithmetic that needs no terminal:
 * the header's ETA (sweepview_eta), from the epochs done since the screen
 * opened, so that a resumed sweep's earlier epochs do not make it look
 * many times faster than it trains.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(eta_of_a_fresh_sweep_is_the_pace_so_far),
        cmocka_unit_test(eta_after_resume_counts_only_epochs_trained_since),
        cmocka_unit_test(eta_after_resume_is_unknown_until_an_epoch_is_done),
        cmocka_unit_test(eta_is_zero_once_the_ceiling_is_reached),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
