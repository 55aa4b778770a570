/*
 * options.c - the option table and its parsers.  See options.h.
 */
#include "gradtop/run/options.h"

#include "gradtop/data/features.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* error_quote_text: user text in messages, escaped as the CSV loader
 * shows it. */

const char *const normalize_names[] = {"standard", "minmax", "none", NULL};
const char *const missing_names[] = {"error", "drop", "mean", NULL};
const char *const sweep_sampler_names[] = {"grid", "random", "tpe", NULL};
const char *const sweep_scheduler_names[] = {"none", "asha", "median", "pbt", NULL};

static const char *const bool_names[] = {"false", "true", NULL};
static const char *const monitor_names[] = {"val_loss", "val_accuracy", "val_mae", "val_r2", "loss",
                                            "accuracy", "mae",          "r2",      NULL};

#define OFF(f) offsetof(Options, f)
#define BIG OPTIONS_UNBOUNDED

/* Largest batch and epoch counts: far above anything useful, small enough
 * that sizes computed from them cannot overflow. */
#define MAX_BATCH 1000000
#define MAX_EPOCHS 1000000

const OptionSpec option_table[] = {
    /* data */
    {"label", OPTKIND_STRING, OPTGROUP_DATA, OFF(label), 0, 0, NULL,
     "a CSV file's label column: name or 0-based index (default: the last)", NULL, true},
    {"labels", OPTKIND_STRING, OPTGROUP_DATA, OFF(labels), 0, 0, NULL,
     "IDX labels file (default: found beside the images)", NULL, true},
    {"delimiter", OPTKIND_CHAR, OPTGROUP_DATA, OFF(delimiter), 0, 0, NULL,
     "CSV field delimiter: auto detects a comma, semicolon, tab or pipe from the first lines "
     "(inspect says which); or one character, \\t for tab",
     NULL, true},
    {"missing", OPTKIND_ENUM, OPTGROUP_DATA, OFF(missing), 0, 0, missing_names,
     "a CSV file's empty or NA feature values: error, drop the row, or mean-impute", NULL, true},
    {"samples", OPTKIND_INT, OPTGROUP_DATA, OFF(samples), 10, 1000000, NULL,
     "points in a generated 2-D set", NULL, true},
    {"noise", OPTKIND_DOUBLE, OPTGROUP_DATA, OFF(noise), 0, 1, NULL, "noise of a generated 2-D set",
     NULL, true},
    {"features", OPTKIND_FEATURES, OPTGROUP_DATA, OFF(features), 0, 0, NULL,
     "generated 2-D sets: the inputs the network sees, made from a point's x1 and x2 as in the "
     "TensorFlow Playground",
     NULL, true},
    {"normalize", OPTKIND_ENUM, OPTGROUP_DATA, OFF(normalize), 0, 0, normalize_names,
     "feature scaling, fitted on the training part", NULL, true},
    {"val-split", OPTKIND_DOUBLE, OPTGROUP_DATA, OFF(val_split), 0, 0.9, NULL,
     "share held out for validation (stratified)", NULL, true},
    {"test", OPTKIND_STRING, OPTGROUP_DATA, OFF(test), 0, 0, NULL,
     "separate test set, scored with the kept weights at the end", NULL, true},
    /* model */
    {"layers", OPTKIND_LAYERS, OPTGROUP_MODEL, OFF(layers), 1, OPTIONS_MAX_UNITS, NULL,
     "hidden layer sizes, e.g. 64,32; \"\" for none", NULL, true},
    {"activation", OPTKIND_ENUM, OPTGROUP_MODEL, OFF(activation), 0, 0, activation_names,
     "hidden activation", NULL, true},
    {"loss", OPTKIND_ENUM, OPTGROUP_MODEL, OFF(loss), 0, 0, loss_names, "loss (auto picks by task)",
     NULL, true},
    /* training */
    {"optimizer", OPTKIND_ENUM, OPTGROUP_TRAIN, OFF(hp.opt.kind), 0, 0, optimizer_names,
     "optimizer", NULL, true},
    {"lr", OPTKIND_DOUBLE, OPTGROUP_TRAIN, OFF(hp.opt.lr), DBL_TRUE_MIN, BIG, NULL, "learning rate",
     NULL, true},
    {"momentum", OPTKIND_DOUBLE, OPTGROUP_TRAIN, OFF(hp.opt.momentum), 0, 0.9999, NULL, "momentum",
     "sgd rmsprop", true},
    {"nesterov", OPTKIND_BOOL, OPTGROUP_TRAIN, OFF(hp.opt.nesterov), 0, 0, bool_names,
     "Nesterov momentum", "sgd", true},
    {"beta1", OPTKIND_DOUBLE, OPTGROUP_TRAIN, OFF(hp.opt.beta1), 0, 0.9999, NULL,
     "first-moment decay", "adam adamw", true},
    {"beta2", OPTKIND_DOUBLE, OPTGROUP_TRAIN, OFF(hp.opt.beta2), 0, 0.99999, NULL,
     "second-moment decay", "adam adamw", true},
    {"amsgrad", OPTKIND_BOOL, OPTGROUP_TRAIN, OFF(hp.opt.amsgrad), 0, 0, bool_names,
     "AMSGrad variant", "adam adamw", true},
    {"eps", OPTKIND_DOUBLE, OPTGROUP_TRAIN, OFF(hp.opt.eps), 1e-12, 1, NULL,
     "epsilon for numerical stability", "adam adamw rmsprop adagrad", true},
    {"rho", OPTKIND_DOUBLE, OPTGROUP_TRAIN, OFF(hp.opt.rho), 0, 0.9999, NULL,
     "decay of the squared-gradient average", "rmsprop", true},
    {"centered", OPTKIND_BOOL, OPTGROUP_TRAIN, OFF(hp.opt.centered), 0, 0, bool_names,
     "centered RMSprop", "rmsprop", true},
    {"weight-decay", OPTKIND_DOUBLE, OPTGROUP_TRAIN, OFF(hp.opt.weight_decay), 0, 1, NULL,
     "decoupled weight decay", "adamw", true},
    {"initial-accumulator", OPTKIND_DOUBLE, OPTGROUP_TRAIN, OFF(hp.opt.initial_accumulator), 0, 10,
     NULL, "starting value of the accumulator", "adagrad", true},
    {"lr-schedule", OPTKIND_ENUM, OPTGROUP_TRAIN, OFF(sched.kind), 0, 0, schedule_names,
     "learning-rate schedule", NULL, true},
    {"step-size", OPTKIND_INT, OPTGROUP_TRAIN, OFF(sched.step_size), 1, MAX_EPOCHS, NULL,
     "epochs between drops", "step", true},
    {"gamma", OPTKIND_DOUBLE, OPTGROUP_TRAIN, OFF(sched.gamma), 1e-6, 1, NULL,
     "rate factor per drop (step) or per epoch (exponential)", "step exponential", true},
    {"cosine-epochs", OPTKIND_INT, OPTGROUP_TRAIN, OFF(sched.cosine_epochs), 0, MAX_EPOCHS, NULL,
     "cosine period in epochs (0: the run's epochs)", "cosine", true},
    {"min-lr", OPTKIND_DOUBLE, OPTGROUP_TRAIN, OFF(sched.min_lr), 0, 10, NULL,
     "lowest rate of cosine and plateau", "cosine plateau", true},
    {"factor", OPTKIND_DOUBLE, OPTGROUP_TRAIN, OFF(sched.factor), 1e-6, 0.999999, NULL,
     "plateau: rate factor on a plateau", "plateau", true},
    {"plateau-patience", OPTKIND_INT, OPTGROUP_TRAIN, OFF(sched.plateau_patience), 1, MAX_EPOCHS,
     NULL, "plateau: epochs without improvement before a cut", "plateau", true},
    {"batch-size", OPTKIND_INT, OPTGROUP_TRAIN, OFF(hp.batch_size), 1, MAX_BATCH, NULL,
     "rows per mini-batch", NULL, true},
    {"epochs", OPTKIND_INT, OPTGROUP_TRAIN, OFF(epochs), 1, MAX_EPOCHS, NULL, "epochs to train",
     NULL, true},
    {"l1", OPTKIND_DOUBLE, OPTGROUP_TRAIN, OFF(hp.l1), 0, 10, NULL, "L1 penalty on weights", NULL,
     true},
    {"l2", OPTKIND_DOUBLE, OPTGROUP_TRAIN, OFF(hp.l2), 0, 10, NULL, "L2 penalty on weights", NULL,
     true},
    {"dropout", OPTKIND_DOUBLE, OPTGROUP_TRAIN, OFF(hp.dropout), 0, 0.95, NULL,
     "dropout rate of hidden units", NULL, true},
    {"patience", OPTKIND_INT, OPTGROUP_TRAIN, OFF(hp.patience), 0, MAX_EPOCHS, NULL,
     "early-stopping patience in epochs (0: off)", NULL, true},
    {"monitor", OPTKIND_ENUM, OPTGROUP_TRAIN, OFF(monitor), 0, 0, monitor_names,
     "quantity early stopping watches", NULL, true},
    {"min-delta", OPTKIND_DOUBLE, OPTGROUP_TRAIN, OFF(min_delta), 0, BIG, NULL,
     "smallest change that counts as improvement", NULL, true},
    {"restore-best", OPTKIND_BOOL, OPTGROUP_TRAIN, OFF(restore_best), 0, 0, bool_names,
     "keep the best weights, not the last", NULL, true},
    {"seed", OPTKIND_U64, OPTGROUP_TRAIN, OFF(seed), 0, 0, NULL, "seed of every random choice",
     NULL, true},
    {"threads", OPTKIND_INT, OPTGROUP_TRAIN, OFF(threads), 0, 1024, NULL,
     "threads that share each step (0: all cores)", NULL, true},
    /* output */
    {"logdir", OPTKIND_STRING, OPTGROUP_OUTPUT, OFF(logdir), 0, 0, NULL, "where runs are written",
     NULL, false},
    {"name", OPTKIND_STRING, OPTGROUP_OUTPUT, OFF(name), 0, 0, NULL, "name of the run", NULL, true},
    {"no-log", OPTKIND_BOOL, OPTGROUP_OUTPUT, OFF(no_log), 0, 0, bool_names, "write no run files",
     NULL, false},
    {"config", OPTKIND_STRING, OPTGROUP_OUTPUT, OFF(config), 0, 0, NULL,
     "read options from a key = value file", NULL, false},
    {"start", OPTKIND_BOOL, OPTGROUP_OUTPUT, OFF(start), 0, 0, bool_names,
     "interactive: skip the setup screen", NULL, false},
    /* in config.txt, which train reads too: there it has no effect */
    {"pace", OPTKIND_PACE, OPTGROUP_OUTPUT, OFF(pace), PACE_MIN_RATE, PACE_MAX_RATE, NULL,
     "how fast the dashboard and race train, to watch (headless train ignores it)", NULL, true},
    {"paused", OPTKIND_BOOL, OPTGROUP_OUTPUT, OFF(paused), 0, 0, bool_names,
     "interactive, race and the sweep screen: start paused before the first batch (space "
     "starts)",
     NULL, false},
    /* gradtop sweep: the search's own settings (sweep.h, exec.h) */
    {"space", OPTKIND_STRING, OPTGROUP_SWEEP, OFF(space), 0, 0, NULL,
     "the search space: NAME=DIST(...) parameters separated by ';', DIST one of choice(A|B), "
     "uniform(a,b), loguniform(a,b), int(a,b), grid(a,b,n), loggrid(a,b,n)",
     NULL, false},
    {"sampler", OPTKIND_ENUM, OPTGROUP_SWEEP, OFF(sampler), 0, 0, sweep_sampler_names,
     "how trials' configurations are drawn", NULL, false},
    {"scheduler", OPTKIND_ENUM, OPTGROUP_SWEEP, OFF(scheduler), 0, 0, sweep_scheduler_names,
     "how trials are stopped early or continued: none, ASHA, median, PBT", NULL, false},
    {"trials", OPTKIND_INT, OPTGROUP_SWEEP, OFF(trials), 0, 100000, NULL,
     "trials to run (0: the grid's size, or 16)", NULL, false},
    {"budget", OPTKIND_INT, OPTGROUP_SWEEP, OFF(budget), 0, 1000000000, NULL,
     "epochs over all trials (0: no bound)", NULL, false},
    {"max-epochs", OPTKIND_INT, OPTGROUP_SWEEP, OFF(max_epochs), 1, MAX_EPOCHS, NULL,
     "a trial's full length in epochs", NULL, false},
    {"eta", OPTKIND_INT, OPTGROUP_SWEEP, OFF(eta), 2, 100, NULL,
     "ASHA: the top 1/eta of a rung is promoted", "asha", false},
    {"min-epochs", OPTKIND_INT, OPTGROUP_SWEEP, OFF(min_epochs), 1, MAX_EPOCHS, NULL,
     "ASHA: the first rung; median: epochs before any trial is stopped", "asha median", false},
    {"parallel", OPTKIND_INT, OPTGROUP_SWEEP, OFF(parallel), 0, 1024, NULL,
     "trials training at once, each on one thread (0: one per core)", NULL, false},
    {"pbt-interval", OPTKIND_INT, OPTGROUP_SWEEP, OFF(pbt_interval), 1, MAX_EPOCHS, NULL,
     "PBT: epochs between exploits", "pbt", false},
};
const size_t option_count = sizeof option_table / sizeof option_table[0];

static const OptionSpecial specials[] = {
    {"noise", "default", -1, "the set's default"},
    /* NAN: a word only; the flag lr_is_default says whether it holds */
    {"lr", "default", NAN, "the optimizer's own"},
    {"cosine-epochs", "the run's epochs", 0, "one period over the whole run"},
    {"patience", "off", 0, "no early stopping"},
    {"threads", "all cores", 0, "as many threads as cores"},
    {"trials", "auto", 0, "the grid's size, or 16"},
    {"budget", "no bound", 0, "no bound on the epochs"},
    {"parallel", "all cores", 0, "one trial per core"},
};

bool pace_parse(const char *text, Pace *out)
{
    while (isspace((unsigned char)*text)) text++;
    char buf[64];
    size_t n = strlen(text);
    while (n > 0 && isspace((unsigned char)text[n - 1])) n--;
    if (n == 0 || n >= sizeof buf) return false;
    memcpy(buf, text, n);
    buf[n] = '\0';
    if (strcmp(buf, "max") == 0) {
        *out = (Pace){PACE_MAX, 0};
        return true;
    }
    char unit = buf[n - 1];
    if (unit != 'e' && unit != 'b') return false;
    buf[n - 1] = '\0';
    /* digits and a point only: no sign, exponent, hex or "inf" */
    if (!buf[0]) return false;
    for (const char *c = buf; *c; c++)
        if (!isdigit((unsigned char)*c) && *c != '.') return false;
    char *end;
    errno = 0;
    double r = strtod(buf, &end);
    if (*end || errno == ERANGE || !(r >= PACE_MIN_RATE && r <= PACE_MAX_RATE)) return false;
    *out = (Pace){unit == 'e' ? PACE_EPOCHS : PACE_BATCHES, r};
    return true;
}

void pace_format(Pace p, char *buf, size_t cap)
{
    if (p.unit == PACE_MAX)
        snprintf(buf, cap, "max");
    else
        snprintf(buf, cap, "%g%c", p.rate, p.unit == PACE_EPOCHS ? 'e' : 'b');
}

void pace_describe(Pace p, char *buf, size_t cap)
{
    if (p.unit == PACE_MAX)
        snprintf(buf, cap, "max");
    else
        snprintf(buf, cap, "%g %s/s", p.rate,
                 p.unit == PACE_EPOCHS ? (p.rate == 1 ? "epoch" : "epochs")
                                       : (p.rate == 1 ? "batch" : "batches"));
}

/* The ladder of pace_step, fastest first. */
static const Pace pace_ladder[] = {
    {PACE_MAX, 0},     {PACE_EPOCHS, 50}, {PACE_EPOCHS, 20}, {PACE_EPOCHS, 10},
    {PACE_EPOCHS, 5},  {PACE_EPOCHS, 2},  {PACE_EPOCHS, 1},  {PACE_BATCHES, 10},
    {PACE_BATCHES, 5}, {PACE_BATCHES, 2}, {PACE_BATCHES, 1},
};

/* Orders paces fastest first: max, then any rate in epochs, then any in
 * batches (a batch is at most an epoch, and the ladder's epoch rates are
 * faster than its batch rates on every dataset worth slowing down).
 * Negative when a is faster than b. */
static int pace_cmp(Pace a, Pace b)
{
    if (a.unit != b.unit) return (int)a.unit - (int)b.unit;
    return a.rate > b.rate ? -1 : a.rate < b.rate ? 1 : 0;
}

Pace pace_step(Pace p, bool faster)
{
    int n = (int)(sizeof pace_ladder / sizeof pace_ladder[0]);
    if (faster) {
        for (int i = n - 1; i >= 0; i--)
            if (pace_cmp(pace_ladder[i], p) < 0) return pace_ladder[i];
        return pace_ladder[0];
    }
    for (int i = 0; i < n; i++)
        if (pace_cmp(pace_ladder[i], p) > 0) return pace_ladder[i];
    return p; /* already at or below the slowest rung */
}

void options_default(Options *o)
{
    memset(o, 0, sizeof *o);
    o->delimiter = DATASET_DELIMITER_AUTO;
    o->missing = MISSING_ERROR;
    o->samples = 500;
    o->noise = -1;
    o->features = FEATURES_RAW;
    o->normalize = NORMALIZE_STANDARD;
    o->val_split = 0.2;
    o->layers[0] = 32;
    o->n_layers = 1;
    o->activation = ACTIVATION_RELU;
    o->loss = LOSS_AUTO;
    o->hp.opt.lr = optimizer_default_lr(OPTIMIZER_ADAM);
    o->lr_is_default = true;
    optimizer_params_default(&o->hp.opt, OPTIMIZER_ADAM);
    o->sched.kind = SCHEDULE_CONSTANT;
    o->sched.step_size = 10;
    o->sched.gamma = 0.5;
    o->sched.factor = 0.1;
    o->sched.plateau_patience = 5;
    o->sched.min_lr = 0;
    o->hp.batch_size = 32;
    o->epochs = 100;
    o->hp.patience = 10;
    snprintf(o->monitor, sizeof o->monitor, "val_loss");
    o->restore_best = true;
    snprintf(o->logdir, sizeof o->logdir, "runs");
    o->sampler = 1; /* random */
    o->max_epochs = 30;
    o->eta = 3;
    o->min_epochs = 1;
    o->pbt_interval = 4;
}

/* Whether word is one of the space-separated names in list. */
static bool word_in(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        while (*p == ' ') p++;
        const char *e = p;
        while (*e && *e != ' ') e++;
        if ((size_t)(e - p) == n && n && strncmp(p, word, n) == 0) return true;
        p = e;
    }
    return false;
}

/* names[k] of a NULL-terminated list, or "" past its end. */
static const char *name_at(const char *const *names, int k)
{
    for (int i = 0; names[i]; i++)
        if (i == k) return names[i];
    return "";
}

bool option_applies(const OptionSpec *s, const Options *o)
{
    return !s->applies || word_in(s->applies, optimizer_names[o->hp.opt.kind]) ||
           word_in(s->applies, schedule_names[o->sched.kind]) ||
           word_in(s->applies, name_at(sweep_scheduler_names, o->scheduler));
}

/* The sets a refusal of an option of generated sets names. */
#define GENERATED_SETS "the generated 2-D sets spiral, circles, xor, gauss and moons"

/* The options of one kind of dataset (option_data), and what each does
 * there, as a refusal for another kind says it after "--NAME ". */
static const struct {
    const char *name;
    OptionData data;
    const char *purpose;
} data_options[] = {
    {"label", OPTDATA_CSV, "names the label column of CSV data"},
    {"labels", OPTDATA_IDX_FILE, "names the labels file of IDX images given by their path"},
    {"delimiter", OPTDATA_CSV, "separates the fields of CSV text"},
    {"missing", OPTDATA_CSV, "says what to do with the empty or NA values of CSV data"},
    {"samples", OPTDATA_GENERATED, "sets how many points " GENERATED_SETS " have"},
    {"noise", OPTDATA_GENERATED, "scatters the points of " GENERATED_SETS},
    {"features", OPTDATA_GENERATED,
     "makes the inputs of " GENERATED_SETS " from a point's x1 and x2"},
};

/* s's row of data_options, or -1 for an option of any dataset. */
static int data_option_at(const OptionSpec *s)
{
    for (size_t i = 0; i < sizeof data_options / sizeof data_options[0]; i++)
        if (strcmp(s->name, data_options[i].name) == 0) return (int)i;
    return -1;
}

OptionData option_data(const OptionSpec *s)
{
    int i = data_option_at(s);
    return i < 0 ? OPTDATA_ANY : data_options[i].data;
}

const char *option_data_name(OptionData d)
{
    switch (d) {
    case OPTDATA_GENERATED: return "the generated 2-D sets";
    case OPTDATA_CSV: return "CSV data";
    case OPTDATA_IDX_FILE: return "IDX images given by their path";
    default: return "";
    }
}

bool option_data_applies_kind(OptionData d, const char *dataset, DatasetKind kind)
{
    switch (d) {
    case OPTDATA_GENERATED: return kind == DATASET_KIND_GENERATED;
    case OPTDATA_CSV: return kind == DATASET_KIND_CSV;
    case OPTDATA_IDX_FILE: return !dataset_is_builtin_idx_name(dataset) && kind == DATASET_KIND_IDX;
    default: return true;
    }
}

bool options_same_value(const Options *o, const Options *d, const OptionSpec *s)
{
    if (s->offset == OFF(hp.opt.lr) && o->lr_is_default != d->lr_is_default) return false;
    if (s->offset != OFF(hp.opt.lr) && options_is_special(o, s) && options_is_special(d, s))
        return true;
    char a[OPTIONS_SPACE], b[OPTIONS_SPACE];
    options_format(o, s, a, sizeof a);
    options_format(d, s, b, sizeof b);
    return strcmp(a, b) == 0;
}

/* What dataset is, for a refusal of an option it has no use for. */
static const char *kind_words(const char *dataset, DatasetKind kind)
{
    switch (kind) {
    case DATASET_KIND_GENERATED: return "a generated set, with no file to read";
    case DATASET_KIND_IDX:
        return dataset_is_builtin_idx_name(dataset) ? "IDX images with labels of their own"
                                                    : "IDX images";
    default: return "CSV text";
    }
}

ErrorCode options_check_data(const Options *o, DatasetKind kind, const bool *command_line,
                             const char *file, const OptionsPlace *place,
                             const OptionSpec **refused, Error *err)
{
    Options *d = malloc(sizeof *d);
    if (!d) return error_set(err, ERROR_RUNTIME, "out of memory");
    options_default(d);
    ErrorCode rc = ERROR_NONE;
    for (size_t i = 0; i < option_count && !rc; i++) {
        const OptionSpec *s = &option_table[i];
        int at = data_option_at(s);
        if (at < 0 || option_data_applies_kind(data_options[at].data, o->dataset, kind)) continue;
        bool typed = command_line && command_line[i];
        if (!typed && options_same_value(o, d, s)) continue;
        char v[OPTIONS_PATH + 8], def[OPTIONS_PATH + 8];
        options_format(o, s, v, sizeof v);
        options_format(d, s, def, sizeof def);
        /* an empty text as a config file takes it back */
        if (!v[0]) snprintf(v, sizeof v, "\"\"");
        if (!def[0]) snprintf(def, sizeof def, "\"\"");
        const char *why = data_options[at].purpose, *is = kind_words(o->dataset, kind);
        if (!typed && file && place && place[i].line > 0)
            rc = error_set(err, ERROR_INPUT,
                           "%s:%d:%d: %s = %s: %s is %s; --%s %s (remove the line, or write the "
                           "default: %s = %s)",
                           file, place[i].line, place[i].column, s->name, v, o->dataset, is,
                           s->name, why, s->name, def);
        else
            rc = error_set(err, ERROR_INPUT, "--%s %s: %s is %s; --%s %s", s->name, v, o->dataset,
                           is, s->name, why);
        if (refused) *refused = s;
    }
    free(d);
    return rc;
}

bool option_live(const OptionSpec *s)
{
    return s->offset >= OFF(hp) && s->offset < OFF(hp) + sizeof(HyperParams);
}

const OptionSpec *options_find(const char *name)
{
    for (size_t i = 0; i < option_count; i++)
        if (strcmp(option_table[i].name, name) == 0) return &option_table[i];
    return NULL;
}

/* Bytes a string option holds, its terminating NUL included. */
static size_t string_cap(const OptionSpec *s)
{
    if (s->offset == OFF(space)) return OPTIONS_SPACE;
    return s->offset == OFF(label) || s->offset == OFF(name) ? 128 : OPTIONS_PATH;
}

void options_range(const OptionSpec *s, char *buf, size_t cap)
{
    switch (s->kind) {
    case OPTKIND_INT: snprintf(buf, cap, "an integer from %.0f to %.0f", s->min, s->max); break;
    case OPTKIND_U64: snprintf(buf, cap, "an integer from 0 to %" PRIu64, UINT64_MAX); break;
    case OPTKIND_DOUBLE: {
        int n;
        if (s->min == DBL_TRUE_MIN && s->max >= BIG)
            n = snprintf(buf, cap, "a positive number");
        else if (s->max >= BIG)
            n = snprintf(buf, cap, "a number >= %g", s->min);
        else
            n = snprintf(buf, cap, "a number from %g to %g", s->min, s->max);
        /* A special value below the range stands for every value there
         * (options_set): that is accepted too. */
        const OptionSpecial *sp = options_special(s);
        if (sp && isnan(sp->value) && n >= 0 && (size_t)n < cap)
            snprintf(buf + n, cap - (size_t)n, ", or %s for %s", sp->word, sp->meaning);
        else if (sp && sp->value < s->min && n >= 0 && (size_t)n < cap) {
            if (s->min == 0)
                snprintf(buf + n, cap - (size_t)n, ", or negative for %s", sp->meaning);
            else
                snprintf(buf + n, cap - (size_t)n, ", or below %g for %s", s->min, sp->meaning);
        }
        break;
    }
    case OPTKIND_LAYERS:
        snprintf(buf, cap, "comma-separated sizes from %.0f to %.0f, at most %d layers", s->min,
                 s->max, OPTIONS_MAX_LAYERS);
        break;
    case OPTKIND_CHAR:
        snprintf(buf, cap, "auto, a single printable character other than \", or \\t for tab");
        break;
    case OPTKIND_FEATURES: {
        char names[200];
        features_accepted(names, sizeof names);
        snprintf(buf, cap, "a comma-separated list of %s", names);
        break;
    }
    case OPTKIND_PACE:
        snprintf(buf, cap,
                 "max, Ne for N epochs a second (e.g. 5e) or Nb for N batches a second "
                 "(e.g. 20b), N from %g to %g",
                 s->min, s->max);
        break;
    case OPTKIND_STRING:
        snprintf(buf, cap, "a text of at most %zu bytes%s", string_cap(s) - 1,
                 s->offset == OFF(name) ? " without '/'" : "");
        break;
    case OPTKIND_BOOL:
    case OPTKIND_ENUM: {
        size_t n = 0;
        buf[0] = '\0';
        for (int i = 0; s->names[i]; i++)
            n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%s%s", i ? "|" : "one of ",
                                  s->names[i]);
        break;
    }
    }
}

static ErrorCode bad_value(const OptionSpec *s, const char *value, const char *where,
                           const char *why, Error *err)
{
    char range[256], shown[64];
    options_range(s, range, sizeof range);
    error_quote_text(shown, sizeof shown, value, strlen(value));
    return error_set(err, ERROR_INPUT, "%s%s--%s: %s '%s' (expected %s)", where ? where : "",
                     where ? ": " : "", s->name, why, shown, range);
}

/* A value of a number option that is no decimal number ("abc", "nan",
 * "0x1p3"): the range, and the form a number is written in. */
static ErrorCode bad_decimal(const OptionSpec *s, const char *value, const char *where, Error *err)
{
    char range[256], shown[64];
    options_range(s, range, sizeof range);
    error_quote_text(shown, sizeof shown, value, strlen(value));
    return error_set(err, ERROR_INPUT,
                     "%s%s--%s: not a decimal number '%s' (expected %s; in decimal, like 0.5 "
                     "or 1e-3)",
                     where ? where : "", where ? ": " : "", s->name, shown, range);
}

/* What parsing a number found: one, no number at all, or one too large for
 * its type (which is a number, out of range: it is told so). */
typedef enum { NUMBER_OK, NUMBER_NONE, NUMBER_OVERFLOW } NumberParse;

/* The bytes of the decimal number at p: a sign, digits with a point
 * (one digit at least), an exponent; 0 when p starts with none.  strtod
 * also reads "inf", "nan" and hexadecimal ("0x1p3" is 8): those are no
 * number a person types here, as --space and the docs have it. */
static size_t decimal_span(const char *p)
{
    size_t i = 0, digits = 0;
    if (p[i] == '+' || p[i] == '-') i++;
    for (; isdigit((unsigned char)p[i]); i++) digits++;
    if (p[i] == '.')
        for (i++; isdigit((unsigned char)p[i]); i++) digits++;
    if (!digits) return 0;
    if (p[i] == 'e' || p[i] == 'E') {
        size_t j = i + 1;
        if (p[j] == '+' || p[j] == '-') j++;
        if (isdigit((unsigned char)p[j])) {
            while (isdigit((unsigned char)p[j])) j++;
            i = j;
        }
    }
    return i;
}

bool options_is_decimal(const char *s)
{
    while (isspace((unsigned char)*s)) s++;
    size_t n = decimal_span(s);
    if (!n) return false;
    s += n;
    while (isspace((unsigned char)*s)) s++;
    return !*s;
}

static NumberParse parse_double(const char *v, double *out)
{
    char *end;
    errno = 0;
    if (!options_is_decimal(v)) return NUMBER_NONE;
    double d = strtod(v, &end);
    /* ERANGE on a result below DBL_MIN is an underflow: the value is the
     * nearest double (a subnormal, or 0), which the range then judges. */
    if (errno == ERANGE && fabs(d) >= DBL_MIN) return NUMBER_OVERFLOW;
    *out = d;
    return NUMBER_OK;
}

static NumberParse parse_long(const char *v, long long *out)
{
    char *end;
    errno = 0;
    while (isspace((unsigned char)*v)) v++;
    if (!*v) return NUMBER_NONE;
    long long x = strtoll(v, &end, 10);
    while (isspace((unsigned char)*end)) end++;
    if (*end || end == v) return NUMBER_NONE;
    if (errno == ERANGE) return NUMBER_OVERFLOW;
    *out = x;
    return NUMBER_OK;
}

ErrorCode options_set(Options *o, const OptionSpec *s, const char *value, const char *where,
                      Error *err)
{
    /* void *: the table's offsets point at fields of their own type. */
    void *field = (char *)o + s->offset;
    switch (s->kind) {
    case OPTKIND_INT: {
        long long x;
        NumberParse p = parse_long(value, &x);
        if (p == NUMBER_NONE) return bad_value(s, value, where, "not an integer", err);
        if (p == NUMBER_OVERFLOW || x < s->min || x > s->max)
            return bad_value(s, value, where, "out of range", err);
        *(int *)field = (int)x;
        return ERROR_NONE;
    }
    case OPTKIND_U64: {
        char *end;
        errno = 0;
        if (!*value || *value == '-' || !isdigit((unsigned char)*value))
            return bad_value(s, value, where, "not a non-negative integer", err);
        unsigned long long x = strtoull(value, &end, 10);
        if (*end) return bad_value(s, value, where, "not an integer", err);
        if (errno == ERANGE) return bad_value(s, value, where, "out of range", err);
        *(uint64_t *)field = x;
        return ERROR_NONE;
    }
    case OPTKIND_DOUBLE: {
        double d;
        if (s->offset == OFF(hp.opt.lr) && strcmp(value, "default") == 0) {
            o->lr_is_default = true;
            o->hp.opt.lr = optimizer_default_lr(o->hp.opt.kind);
            return ERROR_NONE;
        }
        NumberParse p = parse_double(value, &d);
        if (p == NUMBER_NONE) return bad_decimal(s, value, where, err);
        if (p == NUMBER_OVERFLOW)
            return bad_value(s, value, where, "beyond the range of a double", err);
        /* below the range: the special value, where that is below it */
        const OptionSpecial *sp = options_special(s);
        bool special = sp && sp->value < s->min && d < s->min;
        /* a maximum of BIG is none: "a positive number" is any finite one */
        if (!special && (d < s->min || (d > s->max && s->max < BIG)))
            return bad_value(s, value, where, "out of range", err);
        /* "-0" is zero: kept as -0.0 it would be written back as "-0" */
        if (d == 0) d = 0.0;
        *(double *)field = d;
        if (s->offset == OFF(hp.opt.lr)) o->lr_is_default = false;
        return ERROR_NONE;
    }
    case OPTKIND_BOOL: {
        if (!strcmp(value, "true") || !strcmp(value, "1") || !strcmp(value, "yes") ||
            !strcmp(value, "on"))
            *(bool *)field = true;
        else if (!strcmp(value, "false") || !strcmp(value, "0") || !strcmp(value, "no") ||
                 !strcmp(value, "off"))
            *(bool *)field = false;
        else
            return bad_value(s, value, where, "not a boolean", err);
        return ERROR_NONE;
    }
    case OPTKIND_STRING: {
        if (strlen(value) >= string_cap(s)) return bad_value(s, value, where, "too long", err);
        for (const char *p = value; *p; p++) {
            /* A newline or other control character could not be written
             * back to config.txt as one line. */
            if (((unsigned char)*p < 32 && *p != '\t') || *p == 0x7f)
                return bad_value(s, value, where, "has a control character", err);
            if (s->offset == OFF(name) && *p == '/')
                return bad_value(s, value, where, "has '/'", err);
        }
        memcpy(field, value, strlen(value) + 1);
        return ERROR_NONE;
    }
    case OPTKIND_CHAR: {
        char c;
        if (!strcmp(value, "auto"))
            c = DATASET_DELIMITER_AUTO;
        else if (!strcmp(value, "\\t") || !strcmp(value, "tab"))
            c = '\t';
        else if (!strcmp(value, "\""))
            /* RFC 4180's quote character cannot also separate fields */
            return bad_value(s, value, where, "reserved for quoting", err);
        else if (strlen(value) == 1 && ((unsigned char)value[0] >= 32 || value[0] == '\t') &&
                 value[0] != 0x7f)
            c = value[0]; /* config.txt writes it back as one line of text */
        else
            return bad_value(s, value, where, "not a single character", err);
        *(char *)field = c;
        return ERROR_NONE;
    }
    case OPTKIND_ENUM: {
        for (int i = 0; s->names[i]; i++) {
            if (strcmp(s->names[i], value) == 0) {
                if (s->offset == OFF(monitor))
                    snprintf(o->monitor, sizeof o->monitor, "%s", value);
                else
                    *(int *)field = i;
                if (s->offset == OFF(hp.opt.kind)) {
                    /* Keep the rate; other parameters take this optimizer's defaults,
                     * unless the user sets them too (later options win). */
                    int k = i;
                    OptimizerParams keep = o->hp.opt;
                    optimizer_params_default(&o->hp.opt, (OptimizerKind)k);
                    o->hp.opt.momentum = keep.momentum;
                    o->hp.opt.nesterov = keep.nesterov;
                    o->hp.opt.amsgrad = keep.amsgrad;
                    o->hp.opt.centered = keep.centered;
                    if (keep.beta1 != 0.9) o->hp.opt.beta1 = keep.beta1;
                    if (keep.beta2 != 0.999) o->hp.opt.beta2 = keep.beta2;
                    if (keep.eps != 1e-7) o->hp.opt.eps = keep.eps;
                    if (keep.rho != 0.9) o->hp.opt.rho = keep.rho;
                    if (keep.weight_decay != 0.004) o->hp.opt.weight_decay = keep.weight_decay;
                    if (keep.initial_accumulator != 0.1)
                        o->hp.opt.initial_accumulator = keep.initial_accumulator;
                    /* a rate nobody set is this optimizer's own default */
                    if (o->lr_is_default) o->hp.opt.lr = optimizer_default_lr(o->hp.opt.kind);
                }
                return ERROR_NONE;
            }
        }
        return bad_value(s, value, where, "unknown value", err);
    }
    case OPTKIND_PACE: {
        Pace p;
        if (!pace_parse(value, &p)) return bad_value(s, value, where, "not a pace", err);
        /* field by field: the padding stays as options_default zeroed it,
         * so that equal options compare equal byte for byte */
        Pace *dst = field;
        dst->unit = p.unit;
        dst->rate = p.rate;
        return ERROR_NONE;
    }
    case OPTKIND_FEATURES: {
        char bad[48], shown[64], range[256];
        FeatureSet f;
        if (features_parse(value, &f, bad, sizeof bad)) {
            *(unsigned *)field = f;
            return ERROR_NONE;
        }
        /* the entry that is not a feature, then the whole list */
        options_range(s, range, sizeof range);
        if (!bad[0]) return bad_value(s, value, where, "an empty entry in", err);
        error_quote_text(shown, sizeof shown, bad, strlen(bad));
        char all[64];
        error_quote_text(all, sizeof all, value, strlen(value));
        return error_set(err, ERROR_INPUT, "%s%s--%s: unknown feature '%s' in '%s' (expected %s)",
                         where ? where : "", where ? ": " : "", s->name, shown, all, range);
    }
    case OPTKIND_LAYERS: {
        int sizes[OPTIONS_MAX_LAYERS], n = 0;
        const char *p = value;
        while (isspace((unsigned char)*p)) p++;
        if (*p) {
            for (;;) {
                char *end;
                errno = 0;
                while (isspace((unsigned char)*p)) p++;
                if (!isdigit((unsigned char)*p))
                    return bad_value(s, value, where, "not a list of sizes", err);
                long x = strtol(p, &end, 10);
                if (errno == ERANGE || x < s->min || x > s->max)
                    return bad_value(s, value, where, "layer size out of range", err);
                if (n == OPTIONS_MAX_LAYERS)
                    return bad_value(s, value, where, "too many layers", err);
                sizes[n++] = (int)x;
                p = end;
                while (isspace((unsigned char)*p)) p++;
                if (!*p) break;
                if (*p != ',') return bad_value(s, value, where, "not a list of sizes", err);
                p++;
            }
        }
        memcpy(o->layers, sizes, sizeof(int) * (size_t)n);
        o->n_layers = n;
        return ERROR_NONE;
    }
    }
    return ERROR_NONE;
}

bool options_varied(const Options *o, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = o->varied; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, name, len) == 0) return true;
        if (!end) break;
        p = end + 1;
    }
    return false;
}

void options_add_varied(Options *o, const char *name)
{
    if (!*name || options_varied(o, name)) return;
    size_t n = strlen(o->varied), len = strlen(name);
    if (n + (n > 0) + len >= sizeof o->varied) return;
    if (n) o->varied[n++] = ',';
    memcpy(o->varied + n, name, len + 1);
}

void options_mark_varied(Options *const *runs, int n)
{
    for (int i = 0; i < n; i++) runs[i]->varied[0] = '\0';
    for (size_t k = 0; k < option_count; k++) {
        const OptionSpec *s = &option_table[k];
        if (!s->in_config) continue;
        /* among the runs it applies to, as the HParams records list it */
        char first[OPTIONS_PATH + 32], other[OPTIONS_PATH + 32];
        int seen = 0;
        bool differs = false;
        for (int i = 0; i < n && !differs; i++) {
            if (!option_applies(s, runs[i])) continue;
            options_format(runs[i], s, seen++ ? other : first, sizeof first);
            differs = seen > 1 && strcmp(first, other) != 0;
        }
        for (int i = 0; differs && i < n; i++) options_add_varied(runs[i], s->name);
    }
}

void options_format(const Options *o, const OptionSpec *s, char *buf, size_t cap)
{
    const void *field = (const char *)o + s->offset;
    switch (s->kind) {
    case OPTKIND_INT: snprintf(buf, cap, "%d", *(const int *)field); break;
    case OPTKIND_U64:
        snprintf(buf, cap, "%llu", (unsigned long long)*(const uint64_t *)field);
        break;
    case OPTKIND_DOUBLE: {
        /* The shortest form that reads back to the same double: 0.1, not
         * 0.10000000000000001. */
        double d = *(const double *)field;
        for (int prec = 6; prec <= 17; prec++) {
            snprintf(buf, cap, "%.*g", prec, d);
            if (strtod(buf, NULL) == d) break;
        }
        break;
    }
    case OPTKIND_BOOL: snprintf(buf, cap, "%s", *(const bool *)field ? "true" : "false"); break;
    case OPTKIND_STRING: snprintf(buf, cap, "%s", (const char *)field); break;
    case OPTKIND_CHAR:
        if (*(const char *)field == DATASET_DELIMITER_AUTO)
            snprintf(buf, cap, "auto");
        else if (*(const char *)field == '\t')
            snprintf(buf, cap, "\\t");
        else
            snprintf(buf, cap, "%c", *(const char *)field);
        break;
    case OPTKIND_ENUM:
        if (s->offset == OFF(monitor))
            snprintf(buf, cap, "%s", o->monitor);
        else
            snprintf(buf, cap, "%s", s->names[*(const int *)field]);
        break;
    case OPTKIND_PACE: pace_format(*(const Pace *)field, buf, cap); break;
    case OPTKIND_FEATURES: features_format(*(const unsigned *)field, buf, cap); break;
    case OPTKIND_LAYERS: {
        size_t n = 0;
        buf[0] = '\0';
        for (int i = 0; i < o->n_layers; i++)
            n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%s%d", i ? "," : "",
                                  o->layers[i]);
        break;
    }
    }
}

void options_default_text(const OptionSpec *s, char *buf, size_t cap)
{
    if (s->offset != OFF(hp.opt.lr)) {
        Options d;
        options_default(&d);
        /* a special default in its words: "all cores", not 0 */
        if (options_is_special(&d, s))
            snprintf(buf, cap, "%s", options_special(s)->meaning);
        else
            options_format(&d, s, buf, cap);
        return;
    }
    /* the optimizers whose rate differs from Adam's, then the others */
    size_t n = (size_t)snprintf(buf, cap, "the optimizer's own:");
    double common = optimizer_default_lr(OPTIMIZER_ADAM);
    for (int k = 0; optimizer_names[k]; k++) {
        double lr = optimizer_default_lr((OptimizerKind)k);
        if (lr != common && n < cap)
            n += (size_t)snprintf(buf + n, cap - n, " %g for %s,", lr, optimizer_names[k]);
    }
    if (n < cap) snprintf(buf + n, cap - n, " %g for the others", common);
}

const OptionSpecial *options_special(const OptionSpec *s)
{
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++)
        if (strcmp(specials[i].option, s->name) == 0) return &specials[i];
    return NULL;
}

bool options_is_special(const Options *o, const OptionSpec *s)
{
    const OptionSpecial *sp = options_special(s);
    if (!sp) return false;
    if (s->offset == OFF(hp.opt.lr)) return o->lr_is_default;
    const void *field = (const char *)o + s->offset;
    if (s->kind == OPTKIND_INT) return *(const int *)field == (int)sp->value;
    if (s->kind != OPTKIND_DOUBLE) return false;
    double v = *(const double *)field;
    return v == sp->value || (sp->value < s->min && v < s->min);
}

/* The reader trims blanks and strips one pair of quotes: a text that
 * starts or ends with either is quoted, so that it reads back unchanged. */
static void quote_if_needed(char *buf, size_t cap)
{
    size_t n = strlen(buf);
    if (n > 0 &&
        (isspace((unsigned char)buf[0]) || isspace((unsigned char)buf[n - 1]) || buf[0] == '"') &&
        n + 2 < cap) {
        memmove(buf + 1, buf, n);
        buf[0] = '"';
        buf[n + 1] = '"';
        buf[n + 2] = '\0';
    }
}

/* The option's value as config.txt writes it. */
static void format_config(const Options *o, const OptionSpec *s, char *buf, size_t cap)
{
    options_format(o, s, buf, cap);
    if (s->kind == OPTKIND_STRING || s->kind == OPTKIND_CHAR) quote_if_needed(buf, cap);
}

size_t options_to_config(const Options *o, char *buf, size_t cap)
{
    size_t n = 0;
    char v[OPTIONS_PATH + 8];
    snprintf(v, sizeof v, "%s", o->dataset);
    quote_if_needed(v, sizeof v);
    n += (size_t)snprintf(buf, cap, "# gradtop run options; load with --config\ndataset = %s\n", v);
    for (size_t i = 0; i < option_count; i++) {
        const OptionSpec *s = &option_table[i];
        if (!s->in_config) continue;
        format_config(o, s, v, sizeof v);
        /* Like snprintf, buf may be NULL with cap 0: never form buf + n then. */
        n += (size_t)snprintf(n < cap ? buf + n : NULL, n < cap ? cap - n : 0, "%s = %s\n", s->name,
                              v);
    }
    return n;
}

char *options_config_text(const Options *o, size_t *len)
{
    size_t cap = 2048; /* digits' config.txt is under 1 KB */
    char *buf = malloc(cap);
    if (!buf) return NULL;
    size_t n = options_to_config(o, buf, cap);
    if (n >= cap) {
        char *big = realloc(buf, n + 1);
        if (!big) {
            free(buf);
            return NULL;
        }
        buf = big;
        options_to_config(o, buf, n + 1);
    }
    if (len) *len = n;
    return buf;
}

char *options_trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
    return s;
}

/* A config file is read whole and at most this large: every option written
 * out takes a few KB, and the bound turns endless input (/dev/zero, a pipe
 * from `yes`) into an error instead of a hang. */
#define CONFIG_MAX_BYTES (1024 * 1024)
/* The longest line, its line break left out: a key and the longest value
 * (a sweep's space of OPTIONS_SPACE bytes, as space.txt writes it) with
 * room to spare. */
#define CONFIG_MAX_LINE 8191

/* Whether c may appear in a config file: printable bytes (UTF-8 included),
 * tab, and CR and LF as line breaks. */
static bool config_byte_ok(unsigned char c)
{
    return (c >= 0x20 && c != 0x7f) || c == '\t' || c == '\r' || c == '\n';
}

/* Refuses what is not a text of `key = value` lines, at its line and
 * column (bytes, from 1): a NUL byte (a binary file), another control
 * character, a CR not followed by LF, a line longer than CONFIG_MAX_LINE. */
static ErrorCode check_text(const char *text, size_t len, const char *name, Error *err)
{
    int line = 1;
    size_t col = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            line++;
            col = 0;
            continue;
        }
        col++;
        if (c == '\0')
            return error_set(err, ERROR_INPUT,
                             "%s:%d:%zu: NUL byte: this is a binary file, not a config file", name,
                             line, col);
        /* CR ends a line only before LF (CRLF); alone, as old Macs ended
         * lines, the file would read as one long line */
        if (c == '\r' && i + 1 < len && text[i + 1] != '\n')
            return error_set(err, ERROR_INPUT,
                             "%s:%d:%zu: line ends with a carriage return alone (old Mac line "
                             "endings): save it with \\n or \\r\\n",
                             name, line, col);
        if (!config_byte_ok(c))
            return error_set(err, ERROR_INPUT,
                             "%s:%d:%zu: control character 0x%02X: a config file is text "
                             "(key = value lines)",
                             name, line, col, c);
        if (col > CONFIG_MAX_LINE)
            return error_set(err, ERROR_INPUT, "%s:%d: line too long (more than %d bytes)", name,
                             line, CONFIG_MAX_LINE);
    }
    return ERROR_NONE;
}

/* Reads up to CONFIG_MAX_BYTES + 1 bytes of path into *text (malloc'd,
 * NUL-terminated; *len bytes), one byte more than a config file may hold
 * so that the caller can tell.  A named pipe is opened without waiting for
 * a writer: one that nobody writes to is refused rather than waited on. */
static ErrorCode read_config(const char *path, char **text, size_t *len, Error *err)
{
    *text = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return error_set(err, error_code_of_open(errno), "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        ErrorCode rc = error_set(err, ERROR_RUNTIME, "%s: %s", path, strerror(errno));
        close(fd);
        return rc;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return error_set(err, ERROR_INPUT, "%s: a directory, not a config file", path);
    }
    bool pipe = S_ISFIFO(st.st_mode);
    if (!pipe) {
        /* Files and devices read as usual (a terminal waits for its user). */
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    ErrorCode rc = buf ? ERROR_NONE : error_set(err, ERROR_RUNTIME, "%s: out of memory", path);
    while (!rc && n <= CONFIG_MAX_BYTES) {
        if (n == cap) {
            size_t grown = cap * 2 > CONFIG_MAX_BYTES + 1 ? CONFIG_MAX_BYTES + 1 : cap * 2;
            char *more = realloc(buf, grown + 1);
            if (!more) {
                rc = error_set(err, ERROR_RUNTIME, "%s: out of memory", path);
                break;
            }
            buf = more;
            cap = grown;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got > 0) {
            n += (size_t)got;
        } else if (got == 0) {
            if (pipe && n == 0)
                rc = error_set(err, ERROR_INPUT,
                               "%s: a pipe with nothing to read (no program writes to it)", path);
            break;
        } else if (errno == EAGAIN) {
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
                rc = error_set(err, ERROR_RUNTIME, "%s: %s", path, strerror(errno));
        } else if (errno != EINTR) {
            rc = error_set(err, ERROR_RUNTIME, "%s: %s", path, strerror(errno));
        }
    }
    close(fd);
    if (rc) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return ERROR_NONE;
}

static ErrorCode load_text(Options *o, const char *text, size_t len, const char *path,
                           const bool *locked, bool *set, OptionsPlace *place, Error *err);

ErrorCode options_load_file(Options *o, const char *path, const bool *locked, Error *err)
{
    return options_load_file_marking(o, path, locked, NULL, NULL, err);
}

ErrorCode options_load_file_marking(Options *o, const char *path, const bool *locked, bool *set,
                                    OptionsPlace *place, Error *err)
{
    char *text;
    size_t len;
    ErrorCode rc = read_config(path, &text, &len, err);
    if (rc) return rc;
    /* A located error in what was read says more than its size does. */
    rc = check_text(text, len > CONFIG_MAX_BYTES ? CONFIG_MAX_BYTES : len, path, err);
    if (!rc && len > CONFIG_MAX_BYTES)
        rc = error_set(err, ERROR_INPUT, "%s: larger than the %d MB a config file may be", path,
                       CONFIG_MAX_BYTES / (1024 * 1024));
    if (!rc) rc = load_text(o, text, len, path, locked, set, place, err);
    free(text);
    return rc;
}

ErrorCode options_load_text(Options *o, const char *text, const char *name, const bool *locked,
                            Error *err)
{
    size_t len = strlen(text);
    ErrorCode rc = check_text(text, len, name, err);
    return rc ? rc : load_text(o, text, len, name, locked, NULL, NULL, err);
}

/* A key given on two lines: which value was meant cannot be told (a
 * value appended to override another is easily one left in by mistake),
 * so neither is taken. */
static ErrorCode set_twice(Error *err, const char *where, const char *key, int first_line)
{
    return error_set(err, ERROR_INPUT, "%s: '%s' is set a second time (first on line %d)", where,
                     key, first_line);
}

/* Applies the `key = value` lines of text, which check_text passed. */
static ErrorCode load_text(Options *o, const char *text, size_t len, const char *path,
                           const bool *locked, bool *set, OptionsPlace *place, Error *err)
{
    char line[CONFIG_MAX_LINE + 2];
    int lineno = 0;
    /* the line that set each option (the dataset last), 0: none yet */
    int first[sizeof option_table / sizeof option_table[0] + 1] = {0};
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = (nl ? (size_t)(nl - text) : len) - pos;
        assert(n <= CONFIG_MAX_LINE); /* check_text refused longer lines */
        memcpy(line, text + pos, n);
        line[n] = '\0';
        pos += n + (nl != NULL);
        lineno++;
        char *s = line;
        if (lineno == 1 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
            (unsigned char)s[2] == 0xBF)
            s += 3;
        const char *s0 = s; /* the line's column 1 */
        s = options_trim(s);
        if (!*s || *s == '#') continue;
        char shown[64];
        char *eq = strchr(s, '=');
        if (!eq) {
            error_quote_text(shown, sizeof shown, s, strlen(s));
            return error_set(err, ERROR_INPUT, "%s:%d: expected 'key = value', got '%s'", path,
                             lineno, shown);
        }
        *eq = '\0';
        char *key = options_trim(s), *val = options_trim(eq + 1);
        /* Values may be quoted, so that "" gives an empty list of layers. */
        size_t vl = strlen(val);
        if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
            val[vl - 1] = '\0';
            val++;
        }
        char where[OPTIONS_PATH + 32];
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        if (strcmp(key, "dataset") == 0) {
            if (first[option_count]) return set_twice(err, where, key, first[option_count]);
            first[option_count] = lineno;
            if (strlen(val) >= sizeof o->dataset)
                return error_set(err, ERROR_INPUT, "%s: dataset: path too long", where);
            if (!(locked && locked[option_count])) {
                snprintf(o->dataset, sizeof o->dataset, "%s", val);
                if (set) set[option_count] = true;
                if (place) place[option_count] = (OptionsPlace){lineno, (int)(val - s0) + 1};
            }
            continue;
        }
        const OptionSpec *spec = options_find(key);
        if (!spec) {
            error_quote_text(shown, sizeof shown, key, strlen(key));
            return error_set(err, ERROR_INPUT, "%s: unknown option '%s'", where, shown);
        }
        if (spec->offset == offsetof(Options, config))
            return error_set(err, ERROR_INPUT,
                             "%s: 'config' cannot be set in a config file (one file does not "
                             "load another; give --config on the command line)",
                             where);
        size_t at = (size_t)(spec - option_table);
        if (first[at]) return set_twice(err, where, key, first[at]);
        first[at] = lineno;
        if (locked && locked[at]) continue;
        ErrorCode rc = options_set(o, spec, val, where, err);
        if (rc) return rc;
        if (set) set[at] = true;
        if (place) place[at] = (OptionsPlace){lineno, (int)(val - s0) + 1};
        if (spec->offset == offsetof(Options, space)) {
            snprintf(o->space_from, sizeof o->space_from, "%s", where);
            o->space_column = (int)(val - s0) + 1; /* after a BOM: as an editor counts */
        }
    }
    return ERROR_NONE;
}

ErrorCode options_validate(const Options *o, Error *err)
{
    if (o->sched.kind == SCHEDULE_PLATEAU && o->val_split == 0 &&
        strncmp(o->monitor, "val_", 4) == 0)
        return error_set(err, ERROR_INPUT,
                         "--lr-schedule plateau watches %s, which needs a validation part "
                         "(--val-split > 0) or --monitor loss",
                         o->monitor);
    return ERROR_NONE;
}
