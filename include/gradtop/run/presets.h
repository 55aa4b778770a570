/*
 * presets.h - the defaults a dataset brings of its own: the generated 2-D
 * sets (spiral, circles, xor, gauss, moons) learn at theirs, where the
 * general defaults (one layer of 32 ReLU units, Adam at 0.001, 100 epochs,
 * patience 10 on val_loss) stop the spiral at chance.  Each set's network,
 * activation, rate, epochs and early stopping were found by experiment and
 * are pinned by tests/test_presets.c: every set reaches a validation
 * accuracy of 0.95 or more at them (docs/guide.md lists them).
 *
 * An option the user gave (command line or --config) always wins; so does
 * one the user changed on the setup form.  The rate is Adam's: a run with
 * another optimizer keeps that optimizer's own rate.
 *
 * Plain data and pure functions: any thread.
 */
#ifndef GRADTOP_PRESETS_H
#define GRADTOP_PRESETS_H

#include <stdbool.h>
#include <stddef.h>

#include "gradtop/core/error.h"
#include "gradtop/run/options.h"

#define PRESET_MAX_VALUES 8

typedef struct {
    const char *dataset; /* the generated set's name */
    /* option_table names and their values, as the command line takes them */
    struct {
        const char *option, *value;
    } values[PRESET_MAX_VALUES];
    int n_values;
    /* the race's racers when --racers is not given (race.h's syntax): rates
     * at which every racer learns the set */
    const char *racers;
} Preset;

extern const Preset presets[];
extern const size_t preset_count;

/* The preset of dataset (a name as given), or NULL when it has none. */
const Preset *preset_find(const char *dataset);

/* The defaults of a run on dataset: options_default's, then the dataset's
 * preset (none for "" or a dataset without one). */
void preset_defaults(Options *o, const char *dataset);

/*
 * Moves o from the defaults of dataset `from` to those of dataset `to`:
 * every option that given does not mark (one flag per option_table row;
 * NULL: none) and that still holds from's default takes to's default.
 * An option changed away from from's default (typed on the setup form) is
 * left as it is.  The command line uses from = "" (the general defaults),
 * after it has applied the user's options; the setup form calls it each
 * time the dataset changes.  o->dataset is not touched.
 */
void preset_switch(Options *o, const char *from, const char *to, const bool *given);

/* The racers a race on dataset runs when --racers is not given: the
 * preset's, or fallback for a dataset without one. */
const char *preset_racers(const char *dataset, const char *fallback);

/* The preset's values in words, e.g. "layers 16,16, activation tanh, lr
 * 0.03 (adam), epochs 1000, patience 150, monitor val_accuracy". */
void preset_describe(const Preset *p, char *buf, size_t cap);

#endif
