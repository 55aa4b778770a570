/* test_monitor.c - the watched quantities and which way is better, as
 * early stopping, reduce-on-plateau and view's best figure all read it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gradtop/nn/monitor.h"

static void every_name_maps_to_its_field_and_back(void **state)
{
    (void)state;
    for (int f = 0; f < MONITOR_COUNT; f++) assert_int_equal(monitor_field_of(monitor_names[f]), f);
    assert_int_equal(monitor_field_of("val_accuracy"), MONITOR_VAL_ACCURACY);
    assert_int_equal(monitor_field_of("epoch_accuracy"), -1);
    assert_int_equal(monitor_field_of(""), -1);
    assert_int_equal(monitor_field_of("Loss"), -1);
}

static void accuracy_and_r2_improve_upwards_loss_and_mae_downwards(void **state)
{
    (void)state;
    const char *up[] = {"accuracy", "r2", "val_accuracy", "val_r2"};
    const char *down[] = {"loss", "mae", "val_loss", "val_mae"};
    for (int i = 0; i < 4; i++) {
        assert_true(monitor_higher_is_better(monitor_field_of(up[i])));
        assert_false(monitor_higher_is_better(monitor_field_of(down[i])));
    }
}

static void an_improvement_beats_the_best_by_more_than_min_delta(void **state)
{
    (void)state;
    /* lower is better */
    assert_true(monitor_improves(0.5, 0.6, false, 0.0));
    assert_false(monitor_improves(0.6, 0.6, false, 0.0));
    assert_false(monitor_improves(0.7, 0.6, false, 0.0));
    assert_false(monitor_improves(0.55, 0.6, false, 0.1));
    assert_true(monitor_improves(0.45, 0.6, false, 0.1));
    /* higher is better */
    assert_true(monitor_improves(0.7, 0.6, true, 0.0));
    assert_false(monitor_improves(0.6, 0.6, true, 0.0));
    assert_false(monitor_improves(0.5, 0.6, true, 0.0));
    assert_false(monitor_improves(0.65, 0.6, true, 0.1));
    assert_true(monitor_improves(0.75, 0.6, true, 0.1));
    /* from the worst value, any finite one improves; nothing else does */
    assert_true(monitor_improves(1e300, monitor_worst(false), false, 1e-4));
    assert_true(monitor_improves(-1e300, monitor_worst(true), true, 1e-4));
    assert_false(monitor_improves(NAN, monitor_worst(false), false, 0.0));
    assert_false(monitor_improves(NAN, monitor_worst(true), true, 0.0));
    assert_false(monitor_improves(INFINITY, monitor_worst(true), true, 0.0));
    assert_false(monitor_improves(-INFINITY, monitor_worst(false), false, 0.0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_name_maps_to_its_field_and_back),
        cmocka_unit_test(accuracy_and_r2_improve_upwards_loss_and_mae_downwards),
        cmocka_unit_test(an_improvement_beats_the_best_by_more_than_min_delta),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
