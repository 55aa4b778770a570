/*
 * monitor.h - the quantities that early stopping and reduce-on-plateau
 * watch, and which way is better for each.
 *
 * One notion of "better" for the whole engine: early stopping (trainer.c),
 * the plateau schedule (optimizer.c) and the kept epoch of a resumed run all
 * ask monitor_improves.  Pure functions over constant tables; any thread.
 */
#ifndef GRADTOP_MONITOR_H
#define GRADTOP_MONITOR_H

#include <stdbool.h>

/* The training quantities first, then their validation counterparts in the
 * same order: field + MONITOR_VAL_LOSS is a field's validation twin. */
typedef enum {
    MONITOR_LOSS,
    MONITOR_ACCURACY,
    MONITOR_MAE,
    MONITOR_R2,
    MONITOR_VAL_LOSS,
    MONITOR_VAL_ACCURACY,
    MONITOR_VAL_MAE,
    MONITOR_VAL_R2,
    MONITOR_COUNT
} MonitorField;

/* "loss", "accuracy", ..., "val_r2": the --monitor names, by field. */
extern const char *const monitor_names[MONITOR_COUNT];

/* The field a --monitor name picks, or -1 for a name that is none. */
int monitor_field_of(const char *name);

/* Accuracy and r2 improve upwards; loss and mae downwards. */
bool monitor_higher_is_better(MonitorField field);

/* Keras's test for an improvement (EarlyStopping, ReduceLROnPlateau): v beats
 * best by more than min_delta in the better direction.  Not finite never
 * improves. */
bool monitor_improves(double v, double best, bool higher_is_better, double min_delta);

/* The value every finite one improves on: -inf or +inf. */
double monitor_worst(bool higher_is_better);

#endif
