/* monitor.c - the watched quantities and which way is better. */
#include "gradtop/nn/monitor.h"

#include <math.h>
#include <string.h>

const char *const monitor_names[MONITOR_COUNT] = {"loss",     "accuracy",     "mae",     "r2",
                                                  "val_loss", "val_accuracy", "val_mae", "val_r2"};

int monitor_field_of(const char *name)
{
    for (int i = 0; i < MONITOR_COUNT; i++)
        if (strcmp(name, monitor_names[i]) == 0) return i;
    return -1;
}

bool monitor_higher_is_better(MonitorField field)
{
    int base = (int)field % MONITOR_VAL_LOSS;
    return base == MONITOR_ACCURACY || base == MONITOR_R2;
}

bool monitor_improves(double v, double best, bool higher_is_better, double min_delta)
{
    if (!isfinite(v)) return false;
    return higher_is_better ? v > best + min_delta : v < best - min_delta;
}

double monitor_worst(bool higher_is_better)
{
    return higher_is_better ? -INFINITY : INFINITY;
}
