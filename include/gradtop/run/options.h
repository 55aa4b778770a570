/*
 * options.h - every option of a run, with one table that describes them.
 *
 * The table (name, kind, default, accepted range, help) drives the command
 * line, --config files, the config.txt a run writes, the setup screen and
 * --help, so an option exists in one place only.  Parsing never prints: a bad
 * value is ERROR_INPUT naming the option and its accepted range.  An Options
 * value is plain data; the thread that owns it may read and write it.
 */
#ifndef GRADTOP_OPTIONS_H
#define GRADTOP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gradtop/data/dataset.h"
#include "gradtop/core/error.h"
#include "gradtop/nn/model.h"
#include "gradtop/nn/optimizer.h"

#define OPTIONS_MAX_LAYERS MODEL_MAX_HIDDEN
#define OPTIONS_MAX_UNITS MODEL_MAX_UNITS
#define OPTIONS_PATH 1024
/* The longest --space spec (gradtop sweep), its NUL included. */
#define OPTIONS_SPACE 4096
/* OptionSpec.max of a number with no upper bound. */
#define OPTIONS_UNBOUNDED 1e300

/*
 * How fast the dashboard and race train (--pace): as fast as the machine
 * goes, or a rate in epochs or batches per second, so that a run that would
 * be over in a second can be watched.  Written max, Ne or Nb ("5e": five
 * epochs a second, "20b": twenty batches a second, "0.5b": one batch every
 * two seconds).  Headless training never throttles.
 */
typedef enum { PACE_MAX, PACE_EPOCHS, PACE_BATCHES } PaceUnit;
typedef struct {
    PaceUnit unit;
    double rate; /* epochs or batches per second; 0 for PACE_MAX */
} Pace;
/* The rates --pace accepts, inclusive. */
#define PACE_MIN_RATE 0.01
#define PACE_MAX_RATE 1000

/* Reads "max", "Ne" or "Nb" (N from PACE_MIN_RATE to PACE_MAX_RATE, blanks
 * around it allowed); false, leaving *out alone, for anything else. */
bool pace_parse(const char *text, Pace *out);
/* The form pace_parse reads back: "max", "5e", "0.5b". */
void pace_format(Pace p, char *buf, size_t cap);
/* In words, for the status panel: "max", "5 epochs/s", "20 batches/s". */
void pace_describe(Pace p, char *buf, size_t cap);
/* The next pace on the ladder max, 50e, 20e, 10e, 5e, 2e, 1e, 10b, 5b, 2b,
 * 1b: faster (towards max) or slower.  A pace between two rungs goes to
 * the nearer rung in that direction; the ends stay where they are. */
Pace pace_step(Pace p, bool faster);

/* The hyperparameters that may change while training runs (the trainer's
 * TRAINER_SET_HPARAMS; option_live): a part of Options, so that taking
 * the values in force is an assignment. */
typedef struct {
    OptimizerParams opt; /* includes kind and lr */
    int batch_size;
    double l1, l2, dropout;
    int patience;
} HyperParams;

typedef struct {
    /* data */
    char dataset[OPTIONS_PATH];
    char label[128];
    char labels[OPTIONS_PATH]; /* IDX labels file */
    char test[OPTIONS_PATH];
    char delimiter; /* DATASET_DELIMITER_AUTO: detected */
    MissingPolicy missing;
    int samples;
    double noise;
    unsigned features; /* a FeatureSet (features.h): FEATURES_RAW transforms nothing */
    NormalizeKind normalize;
    double val_split;
    /* model */
    int layers[OPTIONS_MAX_LAYERS];
    int n_layers;
    Activation activation;
    LossKind loss;
    /* training */
    HyperParams hp;
    bool lr_is_default; /* hp.opt.lr is the optimizer's default and follows it */
    ScheduleParams sched;
    int epochs;
    char monitor[32];
    double min_delta;
    bool restore_best;
    uint64_t seed;
    int threads; /* 0 = all cores */
    /* output */
    char logdir[OPTIONS_PATH];
    char name[128];
    bool no_log;
    char config[OPTIONS_PATH];
    bool start;
    Pace pace;   /* the dashboard's and race's; headless train ignores it */
    bool paused; /* interactive: start paused before the first batch */
    /* gradtop sweep (sweep.h, exec.h): the search, not a run's own */
    char space[OPTIONS_SPACE];
    /* where a --config file gave the space ("FILE:LINE"), for its errors;
     * "" from the command line */
    char space_from[OPTIONS_PATH + 32];
    int space_column; /* of the space's first character in that line, from 1 */
    int sampler;      /* SweepSamplerKind */
    int scheduler;    /* SweepSchedulerKind */
    int trials;       /* 0: the grid's size, or 16 */
    int budget;       /* epochs over all trials; 0: no bound */
    int max_epochs;   /* a trial's full length */
    int eta;          /* ASHA's reduction factor */
    int min_epochs;   /* ASHA's first rung, the median rule's warm-up */
    int parallel;     /* trials training at once; 0: one per core */
    int pbt_interval; /* epochs between PBT's exploits */
    /* The options (option_table names, and "dataset", separated by ',')
     * whose values set this run apart from the runs it is compared with:
     * a sweep's searched parameters, what a race's racers differ in.  The
     * HParams experiment says they differ, and TensorBoard lists them
     * first.  Not an option: set by the sweep and the race. */
    char varied[1024];
} Options;

typedef enum {
    OPTKIND_INT,
    OPTKIND_U64,
    OPTKIND_DOUBLE,
    OPTKIND_BOOL, /* a flag: --x sets true; in files "true|false|1|0" */
    OPTKIND_STRING,
    OPTKIND_CHAR,     /* a single character, or auto ('\0') */
    OPTKIND_ENUM,     /* one of a list of names */
    OPTKIND_LAYERS,   /* comma-separated positive sizes, "" for none */
    OPTKIND_PACE,     /* a Pace: max, Ne or Nb */
    OPTKIND_FEATURES, /* a FeatureSet: x1,x2,x1^2,... */
} OptionKind;

/* Which part of the program an option belongs to (for --help and the form). */
typedef enum {
    OPTGROUP_DATA,
    OPTGROUP_MODEL,
    OPTGROUP_TRAIN,
    OPTGROUP_OUTPUT,
    OPTGROUP_SWEEP, /* gradtop sweep's own: not a run's, never in config.txt */
} OptionGroup;

typedef struct {
    const char *name; /* long name without dashes, e.g. "batch-size" */
    OptionKind kind;
    OptionGroup group;
    size_t offset;            /* into Options */
    double min, max;          /* numeric range, inclusive */
    const char *const *names; /* ENUM: NULL-terminated names in enum order */
    const char *help;
    const char *applies; /* NULL, or the optimizer/schedule names it applies to */
    bool in_config;      /* written to config.txt: every option of the run; not logdir,
                          * no-log, config, start, paused, which say where and how it
                          * starts */
} OptionSpec;

/* An option's value that stands for something else than its number
 * (--threads 0: all cores, --patience 0: off).  Where values are shown
 * (the setup screen, the hyperparameter editor) it reads as the word, which
 * is taken back too.  When the value lies below the option's range
 * (--noise -1), every value below the range is taken as it. */
typedef struct {
    const char *option; /* the option_table name */
    const char *word;   /* "all cores" */
    double value;
    const char *meaning; /* what it does, for messages: "as many threads as cores" */
} OptionSpecial;

/* Where a config file set an option: its line and the column its value
 * begins at (from 1); line 0 where the file did not set it. */
typedef struct {
    int line, column;
} OptionsPlace;

extern const OptionSpec option_table[];
extern const size_t option_count;

/* Names of enum values, indexed by the enum (the model's and the
 * optimizer's are in model.h and optimizer.h). */
extern const char *const normalize_names[];
extern const char *const missing_names[];
/* gradtop sweep's --sampler and --scheduler words, by SweepSamplerKind and
 * SweepSchedulerKind (sweep.h), NULL-terminated. */
extern const char *const sweep_sampler_names[];
extern const char *const sweep_scheduler_names[];

/* The defaults the option table documents (--help, the manual). */
void options_default(Options *o);
/* The option called name (without dashes), or NULL. */
const OptionSpec *options_find(const char *name);
/* Whether s applies to o's optimizer and schedule (s->applies NULL, or
 * naming either): an Adam run has no momentum. */
bool option_applies(const OptionSpec *s, const Options *o);
/* Which datasets an option means something for (dataset_kind): a
 * generated 2-D set's samples, noise and features; a CSV file's label
 * column, delimiter and missing values; an IDX images file's labels file
 * (not fashion-mnist's, which comes with its own); any dataset's the
 * others. */
typedef enum { OPTDATA_ANY, OPTDATA_GENERATED, OPTDATA_CSV, OPTDATA_IDX_FILE } OptionData;
OptionData option_data(const OptionSpec *s);
/* The datasets options of kind d are for, in words: "the generated 2-D
 * sets", "CSV data", "IDX images given by their path"; "" for
 * OPTDATA_ANY. */
const char *option_data_name(OptionData d);
/* Whether options of kind d mean something for dataset (a name or path
 * as dataset_load takes it) of the kind given (dataset_kind's answer, or
 * a loaded Dataset's kind): an iris run has no noise, a spiral run no
 * label column, a fashion-mnist run neither.  Reads nothing. */
bool option_data_applies_kind(OptionData d, const char *dataset, DatasetKind kind);
/* Whether o and d hold the same value of s, as options_format writes it
 * (the rate: both following the optimizer or neither, and the same
 * number; a special value: any that stands for it, as --noise -0.5
 * stands for -1). */
bool options_same_value(const Options *o, const Options *d, const OptionSpec *s);
/*
 * Refuses an option of o that cannot apply to o->dataset, of the kind
 * given (option_data_applies_kind): unread, it would leave the run other
 * than asked for (--noise for iris, --label for IDX images).  Options
 * command_line marks (one flag per option_table row; may be NULL) are
 * refused whatever their value; any other is refused unless it holds its
 * default (options_default), which every config.txt records for the
 * options that do not apply to its run.  One that file (may be NULL) set,
 * at place[i] (may be NULL; line 0: not set there), is named at its line
 * and column.  The message names the option, its value, the dataset and
 * its kind, and what the option is for:
 *   --noise 0.2: iris is CSV text; --noise scatters the points of the
 *   generated 2-D sets spiral, circles, xor, gauss and moons
 *   run.cfg:4:9: noise = 0.2: iris is CSV text; --noise ... (remove the
 *   line, or write the default: noise = -1)
 * ERROR_NONE when every option applies or holds its default; else
 * ERROR_INPUT, and the option into *refused (may be NULL).
 */
ErrorCode options_check_data(const Options *o, DatasetKind kind, const bool *command_line,
                             const char *file, const OptionsPlace *place,
                             const OptionSpec **refused, Error *err);
/* Whether the trainer can change s while a run trains: whether it is a
 * field of Options.hp. */
bool option_live(const OptionSpec *s);
/* Parses and range-checks value for the option; ERROR_INPUT names the option
 * and its accepted range.  `where` (may be NULL) prefixes messages, e.g.
 * "run.cfg:3". */
ErrorCode options_set(Options *o, const OptionSpec *spec, const char *value, const char *where,
                      Error *err);
/* Formats the option's current value into buf ("32", "adam", "64,32"). */
void options_format(const Options *o, const OptionSpec *spec, char *buf, size_t cap);
/* Whether name is one of o->varied's. */
bool options_varied(const Options *o, const char *name);
/* Adds name to o->varied (once; a list too long for it is left as it is). */
void options_add_varied(Options *o, const char *name);
/* Sets the varied list of each of *runs[0..n) to the options whose values
 * (as options_format writes them) are not the same in all of those it
 * applies to (option_applies). */
void options_mark_varied(Options *const *runs, int n);
/* What the option accepts, as its error messages and --help give it: "an
 * integer from 1 to 1000000", "a number >= 0", "one of sgd|adam|...". */
void options_range(const OptionSpec *spec, char *buf, size_t cap);
/* The option's special value, or NULL when it has none. */
const OptionSpecial *options_special(const OptionSpec *spec);
/* Whether o holds the option's special value. */
bool options_is_special(const Options *o, const OptionSpec *spec);
/* Whether s, blanks around it aside, is a number written in decimal: a
 * sign, digits with a point, an exponent ("-1.5e-3", ".5", "64"); not
 * "inf", "nan" or hexadecimal, which strtod also reads.  Every number
 * option reads this form (the command line, config files, --space, the
 * forms, --racers). */
bool options_is_decimal(const char *s);
/* Strips blanks from both ends of s in place and returns its first
 * non-blank character: for `key = value` lines and lists of pairs. */
char *options_trim(char *s);
/* Reads `key = value` lines (# comments, blank lines); unknown keys and bad
 * values are errors naming file and line.  The file must be text (a NUL or
 * other control byte is ERROR_INPUT at its line and column), of at most
 * 1 MB and lines of at most 8191 bytes, so that endless input ends; it is
 * checked whole before any key is applied.  A named pipe without a writer
 * is refused, not waited on.  Keys in `locked` (may be NULL; one flag per
 * option_table row, then one for the dataset key: option_count + 1 in all)
 * are skipped: command-line options win. */
ErrorCode options_load_file(Options *o, const char *path, const bool *locked, Error *err);
/* The same, also marking in set (option_count + 1 flags, as locked) each
 * key the file gave: an option the user gave wins over a dataset's own
 * defaults (presets.h); and in place (may be NULL; as many entries)
 * where, for messages about a value that is valid alone but not with the
 * rest (cli.h). */
ErrorCode options_load_file_marking(Options *o, const char *path, const bool *locked, bool *set,
                                    OptionsPlace *place, Error *err);
/* The same for a text held in memory (a model file's stored options);
 * name stands for the file in messages. */
ErrorCode options_load_text(Options *o, const char *text, const char *name, const bool *locked,
                            Error *err);
/* Checks constraints between options (a loss that does not fit the task is
 * caught when the model is shaped). */
ErrorCode options_validate(const Options *o, Error *err);
/* Formats the dataset and every in_config option as `key = value` lines
 * into buf; returns the length needed, like snprintf (buf may be NULL with
 * cap 0). */
size_t options_to_config(const Options *o, char *buf, size_t cap);
/* options_to_config's text, malloc'd (NULL when out of memory), its
 * length into *len when len is not NULL: formatted once when it fits a
 * first guess at its size, as it usually does, rather than measured
 * first. */
char *options_config_text(const Options *o, size_t *len);
/* The default of s in words, as --help gives it: its value in a fresh
 * Options, or for --lr which rate each optimizer starts with. */
void options_default_text(const OptionSpec *s, char *buf, size_t cap);

#endif
