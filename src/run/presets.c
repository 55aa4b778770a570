/*
 * presets.c - the generated sets' own defaults.  See presets.h.
 */
#include "gradtop/run/presets.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/*
 * Found with headless runs over seeds 0-9 (tanh and Adam at the Playground's
 * rate of 0.03 suit every set; early stopping watches validation accuracy,
 * with a patience long enough for the spiral's plateaus).  Measured
 * validation accuracy at seeds 0-9 when they were chosen (the spiral's
 * measured again when tanh moved to the vector library, which rounds it
 * differently):
 *   spiral  0.99 0.98 0.97 0.99 0.99 0.98 0.97 0.93 0.98 0.97
 *   circles 0.98 0.96 0.99 0.96 0.98 1.00 0.99 0.97 0.98 0.99
 *   xor     0.98 0.97 0.97 0.97 0.96 0.99 0.99 0.98 0.99 0.98
 *   gauss   0.99 1.00 1.00 1.00 1.00 1.00 1.00 1.00 0.99 1.00
 *   moons   0.97 0.99 0.99 0.96 0.97 0.99 0.98 0.99 1.00 0.98
 * (spiral's seed 7 keeps a few noisy points across the arms near the
 * centre, which no boundary separates.)
 */
/* SGD with momentum at 0.1, Adam at 0.03, RMSprop at 0.01: each learns
 * every set (the spiral at seeds 0 and 1: 0.96, 0.99, 0.97 and 0.96,
 * 0.98, 0.96), where the general racers' rate of 0.001 leaves Adam and
 * RMSprop at chance on the spiral. */
#define TEACHING_RACERS "sgd:lr=0.1,momentum=0.9;adam:lr=0.03;rmsprop:lr=0.01"

#define TEACHING(layers, epochs, patience)                                                         \
    {{"layers", layers}, {"activation", "tanh"}, {"lr", "0.03"},                                   \
     {"epochs", epochs}, {"patience", patience}, {"monitor", "val_accuracy"}},                     \
        6, TEACHING_RACERS

const Preset presets[] = {
    {"spiral", TEACHING("16,16", "1000", "150")}, {"circles", TEACHING("8", "500", "50")},
    {"xor", TEACHING("8", "500", "50")},          {"gauss", TEACHING("4", "500", "50")},
    {"moons", TEACHING("8", "500", "50")},
};
const size_t preset_count = sizeof presets / sizeof presets[0];

/* The optimizer a preset's rate is for: the default one, which presets
 * leave alone. */
#define PRESET_OPTIMIZER OPTIMIZER_ADAM

const Preset *preset_find(const char *dataset)
{
    for (size_t i = 0; dataset && i < preset_count; i++)
        if (strcmp(presets[i].dataset, dataset) == 0) return &presets[i];
    return NULL;
}

void preset_defaults(Options *o, const char *dataset)
{
    options_default(o);
    const Preset *p = preset_find(dataset);
    for (int i = 0; p && i < p->n_values; i++) {
        Error err;
        error_clear(&err);
        const OptionSpec *s = options_find(p->values[i].option);
        assert(s);
        ErrorCode rc = options_set(o, s, p->values[i].value, NULL, &err);
        assert(rc == ERROR_NONE); /* test_presets checks every value */
        (void)rc;
    }
}

void preset_switch(Options *o, const char *from, const char *to, const bool *given)
{
    Options was, will;
    preset_defaults(&was, from);
    preset_defaults(&will, to);
    for (size_t i = 0; i < option_count; i++) {
        const OptionSpec *s = &option_table[i];
        if ((given && given[i]) || options_same_value(&was, &will, s) ||
            !options_same_value(o, &was, s))
            continue;
        /* the rate is the default optimizer's: another keeps its own */
        if (s->offset == offsetof(Options, hp.opt.lr) && o->hp.opt.kind != PRESET_OPTIMIZER)
            continue;
        char v[OPTIONS_PATH + 8];
        if (s->offset == offsetof(Options, hp.opt.lr) && will.lr_is_default)
            snprintf(v, sizeof v, "default");
        else
            options_format(&will, s, v, sizeof v);
        Error err;
        error_clear(&err);
        ErrorCode rc = options_set(o, s, v, NULL, &err);
        assert(rc == ERROR_NONE); /* a value options_format wrote reads back */
        (void)rc;
    }
}

const char *preset_racers(const char *dataset, const char *fallback)
{
    const Preset *p = preset_find(dataset);
    return p && p->racers ? p->racers : fallback;
}

void preset_describe(const Preset *p, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < p->n_values && n < cap; i++) {
        bool lr = strcmp(p->values[i].option, "lr") == 0;
        n += (size_t)snprintf(buf + n, cap - n, "%s%s %s%s", i ? ", " : "", p->values[i].option,
                              p->values[i].value, lr ? " (adam)" : "");
    }
}
