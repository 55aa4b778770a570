/*
 * dataset.h - loading, splitting and normalizing datasets.
 *
 * A Dataset owns a dense float matrix of features (n rows, d columns,
 * row-major) and either a class index or a regression target per row.  It is
 * loaded from a CSV file (libcsv's streaming parser), an IDX file (MNIST
 * format, plain or gzip, recognised by content), a bare name resolved as
 * docs/guide.md "Datasets" says, or one of the generated 2-D sets.  Every loader checks sizes
 * against the data before allocating and reports bad input as ERROR_INPUT
 * with "file:line:column: what" in the message.
 *
 * A Dataset is built by one thread and is read-only afterwards, so any
 * thread may read it once loaded.  Views (from dataset_split) share the
 * parent's buffers and must not outlive it.
 */
#ifndef GRADTOP_DATASET_H
#define GRADTOP_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gradtop/core/error.h"

typedef enum { TASK_CLASSIFICATION, TASK_REGRESSION } Task;

typedef enum { NORMALIZE_STANDARD, NORMALIZE_MINMAX, NORMALIZE_NONE } NormalizeKind;

/* The three kinds of data gradtop reads: a CSV file, one of the generated
 * 2-D sets, IDX images. */
typedef enum { DATASET_KIND_CSV, DATASET_KIND_GENERATED, DATASET_KIND_IDX } DatasetKind;

/* What the CSV loader does with an empty or NA/NaN/? feature field. */
typedef enum {
    MISSING_ERROR, /* default: an error naming file, line, column */
    MISSING_DROP,  /* drop the row */
    MISSING_MEAN,  /* replace by the column mean of the rows present */
} MissingPolicy;

/* The largest number of distinct integer labels still taken as classes. */
#define DATASET_MAX_INT_CLASSES 20
/* Hard limits checked before allocating. */
#define DATASET_MAX_CLASSES 1000
#define DATASET_MAX_FEATURES 100000
/* DatasetOptions.delimiter: find the CSV delimiter from the file's first
 * lines (see dataset_load_csv). */
#define DATASET_DELIMITER_AUTO '\0'
/* Generated sets: points when DatasetOptions.samples <= 0, and the range
 * accepted for samples. */
#define DATASET_DEFAULT_SAMPLES 500
#define DATASET_MAX_SAMPLES 10000000
/* The most columns --features makes from a generated set's two
 * (features.h). */
#define DATASET_MAX_PLANE_FEATURES 7
/* Where Debian's dataset-fashion-mnist package puts its files. */
#define DATASET_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"

typedef struct {
    char source[1024]; /* the path (or built-in name) it came from */
    char name[128];    /* short display name: "iris", "fashion-mnist", "spiral" */
    DatasetKind kind;  /* the loader that read it */
    size_t n;          /* rows */
    int d;             /* features */
    float *x;          /* (n, d) row-major */
    Task task;
    int n_classes;        /* classification: number of classes; regression: 0 */
    char **class_names;   /* (n_classes) names, in class-index order */
    int *labels;          /* (n) class index per row, classification only */
    float *targets;       /* (n) target per row, regression only */
    char **feature_names; /* (d) column names ("x0".. when the file had no header) */
    char label_name[128]; /* the label column's name */
    int label_column;     /* its index in the source file's columns */
    size_t missing;       /* missing feature values found (dropped or imputed) */
    size_t dropped_rows;  /* rows dropped under MISSING_DROP */
    bool owns;            /* false for views that share another dataset's buffers */
    /* Regression: targets were standardized as (y - target_shift) * target_scale
     * by the session; target_scale 0 means they were not.  Set by
     * prepared_open, read by the trainer to report MAE in the label's units. */
    double target_shift, target_scale;
    size_t *feature_missing; /* (d) missing values per feature, or NULL when none were counted */
    /* CSV: the line (from 1) of the header row, 0 when the file has none
     * (feature_names are then x0, x1, ...). */
    size_t header_line;
    /* CSV: (d) each feature's mean over the rows kept, in the file's units,
     * missing values left out (under MISSING_MEAN, what they were filled
     * with); NULL for other sources. */
    float *feature_mean;
    /* (n) the line each row starts on, when DatasetOptions.row_lines asked
     * for it; NULL otherwise.  Reordered with the rows by dataset_split. */
    size_t *row_line;
    /* CSV: the delimiter the file was read with, and whether it was
     * detected (DATASET_DELIMITER_AUTO) rather than given; '\0' for other
     * sources. */
    char delimiter;
    bool delimiter_detected;
    /* A generated set whose columns were transformed (--features,
     * features.h): (n, 2) the point each row comes from, reordered with the
     * rows by dataset_split; NULL otherwise.  plane_features says which
     * columns x holds; plane_shift and plane_scale are the normalization
     * applied to them since (identity until prepared_open sets it), so
     * that a point of the plane can be turned into a row of x. */
    float *plane;
    unsigned plane_features;
    float plane_shift[DATASET_MAX_PLANE_FEATURES], plane_scale[DATASET_MAX_PLANE_FEATURES];
} Dataset;

typedef struct {
    const char *label;       /* label column: name or 0-based index; NULL = last */
    const char *labels_file; /* IDX labels file; NULL = found beside the images */
    char delimiter;          /* CSV delimiter; DATASET_DELIMITER_AUTO (the default) detects it */
    MissingPolicy missing;
    int samples;             /* generated sets: number of points; <= 0 means 500 */
    double noise;            /* generated sets: noise in [0, 1]; < 0 means the set's default */
    uint64_t seed;           /* generated sets */
    const char *exe_dir;     /* directory of the program, for datasets/ beside it; may be NULL */
    const char *fashion_dir; /* where fashion-mnist's files are; NULL = DATASET_FASHION_MNIST_DIR */
    /* -1 (the default): the task follows from the label column.  A Task
     * value insists on it, as for a test set that must match its training
     * set: TASK_REGRESSION keeps few distinct integers numeric. */
    int task;
    /* CSV only: no label column, every column a feature (new data to
     * predict).  The result has label_column -1, no labels or targets. */
    bool no_label;
    /* CSV only: the label column is found as usual and skipped unread, so
     * empty, missing or unseen values do not matter (new data to predict
     * that carries the column).  No labels or targets; label_column and
     * label_name name the skipped column. */
    bool skip_label;
    /* CSV only, with skip_label: a file of exactly this many columns has no
     * label column (every column a feature), one of this many plus one has
     * it; 0 = always expect the label column.  Lets new data come with or
     * without its label in one pass, as a pipe can only be read once. */
    int expect_features;
    /* CSV only, when label is NULL: a header column of this name is the
     * label column (else the last column, as always).  For data given to a
     * saved model, whose columns may come in another order. */
    const char *label_hint;
    /* CSV only: a row with a missing feature value (under MISSING_DROP or
     * MISSING_MEAN) is kept as it is, with NaN in the value's place: neither
     * dropped nor filled in.  For predictions, one per input row. */
    bool keep_missing;
    /* CSV only: record each row's line in Dataset.row_line. */
    bool row_lines;
} DatasetOptions;

/* Options with every default filled in. */
DatasetOptions dataset_options_default(void);

/*
 * Loads spec: a CSV or IDX path, or a bare name (datasets/NAME.csv beside
 * the program, then in the working directory, then the built-ins
 * fashion-mnist, fashion-mnist-test, spiral, circles, xor, gauss, moons).
 * A path that is not a regular file (a pipe, a FIFO, /dev/stdin) is read
 * once, as a CSV stream; IDX or gzip data there is ERROR_INPUT.
 * On failure ds is left empty (safe to dataset_free) and err says why.
 */
ErrorCode dataset_load(Dataset *ds, const char *spec, const DatasetOptions *opt, Error *err);

/* The built-in datasets' names, the one list of them (dataset_load, the
 * setup screen's list, the completion script): i from 0, NULL past the
 * last.  fashion-mnist and fashion-mnist-test (Debian's package, which may
 * be missing), then the generated 2-D sets. */
const char *dataset_builtin_name(int i);

/*
 * CSV: the delimiter, unless opt->delimiter gives one, is the comma,
 * semicolon, tab or pipe that splits the first records (up to 20, within
 * the first 64 KiB, RFC 4180 quoting respected) into one same number of
 * fields, more than one; among several such, the one giving more fields
 * that read as numbers (decimal commas counted), then the comma first; when
 * none does, the one that the most records agree with the first record on;
 * a comma when nothing can be told.  The first row is a header when some
 * column holds a non-number there (not empty, NA, NaN or ?) and a number
 * (or one written with a decimal comma) in the second row; a lone row is a
 * header when it has no number at all.  opt->label names a header column or
 * gives a 0-based index (negative counts from the end).  Label column of
 * integers with at most DATASET_MAX_INT_CLASSES distinct values, or with any
 * non-number: classification, classes sorted numerically (integers) or by
 * strcmp (strings); otherwise regression.  Missing feature values (empty,
 * NA, N/A, NaN, ?) follow opt->missing; a missing label is an error, or drops
 * the row under MISSING_DROP.  Lines are counted by LF, from 1, header
 * included; columns from 1, and every error about one field names both.  A
 * feature value that is written as a number but overflows a float is said
 * to be outside its range; one written with a decimal comma ("5,1"), or a
 * label column of such numbers, is said to use one.  No field is too long,
 * but a file larger than half this machine's memory (sysmem_total) is
 * refused, before reading when its size is known, or once that much has
 * been read from a pipe (ERROR_RUNTIME).  Fills header_line, feature_mean,
 * delimiter and delimiter_detected.
 */
ErrorCode dataset_load_csv(Dataset *ds, const char *path, const DatasetOptions *opt, Error *err);
/*
 * IDX (MNIST format) unsigned-byte images (magic 0x00000803) and labels
 * (0x00000801), plain or gzip.  labels_path NULL: the images file's name
 * with "images-idx3-ubyte" replaced by "labels-idx1-ubyte".  Pixels stay
 * 0..255.  A label is its class index, so n_classes is the largest label + 1
 * and a file missing some class keeps the same indices as its sibling;
 * class names are the numbers.  Labels that leave more than half of those
 * classes without an image are ERROR_INPUT, naming the largest label and
 * its position.
 */
ErrorCode dataset_load_idx(Dataset *ds, const char *images_path, const char *labels_path,
                           Error *err);
/*
 * name is one of spiral, circles, xor, gauss, moons; else ERROR_INPUT.
 * Two classes ("0", "1"), half the points each, features "x1" and "x2"
 * (as --features names them, features.h) in roughly [-6, 6] (the
 * TensorFlow Playground's frame).  noise is the standard deviation of a
 * Gaussian jitter added to each coordinate, as a fraction of the data's
 * radius 5 (noise 0.1: a standard deviation of 0.5); < 0 takes
 * the set's default (dataset_default_noise).  samples <= 0 takes 500;
 * more than DATASET_MAX_SAMPLES or noise above 1 is ERROR_INPUT.
 */
ErrorCode dataset_generate(Dataset *ds, const char *name, int samples, double noise, uint64_t seed,
                           Error *err);
bool dataset_is_generated_name(const char *name);
/*
 * Which kind of data spec (a name or path as dataset_load takes it, with
 * the same exe_dir, may be NULL) holds, without loading it, so that an
 * option of another kind can be left out or refused
 * (option_data_applies_kind): the kind of Dataset that dataset_load would
 * load, resolving a bare name in its order (a CSV file of the dataset
 * directories, fashion-mnist and fashion-mnist-test, a generated set's
 * name, a file of that name here) and telling a regular file by its
 * first bytes as it does (IDX, or gzip holding IDX or named "idx", or a
 * name with "-ubyte": IDX; else CSV).  What dataset_load would refuse
 * (an unknown bare name, a directory, gzip that is not IDX) is CSV, as is
 * a pipe.  A path that is no longer there (a finished run's) is told by
 * its name: IDX when it holds "-ubyte" or ends in ".idx" or ".gz".  Reads
 * at most four bytes of the file (and of its gzip stream); never reads
 * from a pipe.
 */
DatasetKind dataset_kind(const char *spec, const char *exe_dir);
/* Whether spec is the name of a built-in IDX set (fashion-mnist or
 * fashion-mnist-test), which comes with its own labels file. */
bool dataset_is_builtin_idx_name(const char *spec);
/* A classification part with fewer than 2 classes cannot be trained:
 * ERROR_INPUT naming the source and its label column. */
ErrorCode dataset_check_classes(const Dataset *ds, Error *err);
/* The default noise of a generated set (spiral 0.05, the others 0.1); -1 for
 * an unknown name. */
double dataset_default_noise(const char *name);

/*
 * Parses s[0..len) as a decimal float the way the CSV loader does: optional
 * blanks, sign, digits with an optional point, optional exponent, and
 * nothing else; no hex, inf or nan.  Correctly rounded and independent of
 * the locale.  False when the text is not such a number or overflows float.
 */
bool dataset_parse_float(const char *s, size_t len, float *out);

/* The delimiter c as messages and `inspect` name it: "comma ','",
 * "semicolon ';'", "tab", "pipe '|'", or "'c'" for another. */
void dataset_delimiter_name(char c, char *buf, size_t cap);

/* The file a bare name stands for (datasets/NAME.csv, looked up as
 * dataset_load does), into path; false for a path, a built-in or a name
 * with no such file. */
bool dataset_named_file(const char *spec, const char *exe_dir, char *path, size_t cap);

/* Names the built-ins and the CSV files found under datasets/ (for the setup
 * screen's list).  Fills up to cap entries of names (each up to 128 bytes);
 * returns how many there are.  Fashion-MNIST is listed only when installed. */
int dataset_list_available(const char *exe_dir, char names[][128], int cap);

void dataset_free(Dataset *ds);

/*
 * Splits ds into a training and a validation part: reorders ds's rows in
 * place (a seeded shuffle, stratified by class for classification) so that
 * the first rows are training and the rest validation, then fills train and
 * val as views into ds.  val_frac in [0, 1); 0 gives an empty val view.
 * Each class (or, for regression, the whole set) sends round(count *
 * val_frac) rows to validation, but a class of two or more rows keeps at
 * least one on each side and a lone row always trains.  ds may itself be a
 * view; its parent's rows in that range are reordered.
 */
ErrorCode dataset_split(Dataset *ds, double val_frac, uint64_t seed, Dataset *train, Dataset *val,
                        Error *err);

/* Per-feature affine normalization x' = (x - shift) * scale. */
typedef struct {
    NormalizeKind kind;
    int d;
    float *shift; /* (d) */
    float *scale; /* (d) */
} Normalizer;

/* Fits on ds (the training part only): standard uses the mean and the
 * population standard deviation, minmax maps [min, max] to [0, 1], none is
 * the identity.  Statistics in double; constant columns get scale 1.  Any
 * finite floats give a finite shift and scale (a range as wide as
 * -FLT_MAX..FLT_MAX gives a subnormal scale). */
ErrorCode normalizer_fit(Normalizer *nz, NormalizeKind kind, const Dataset *ds, Error *err);
/* Applies in place, each value computed in double and rounded once, so that
 * (x - shift) never overflows float; nz->d must equal ds->d. */
void normalizer_apply(const Normalizer *nz, Dataset *ds);
/* dst becomes a copy of src, with buffers of its own. */
ErrorCode normalizer_copy(Normalizer *dst, const Normalizer *src, Error *err);
void normalizer_free(Normalizer *nz);

typedef struct {
    double min, mean, max;
    size_t missing; /* missing values in this column (counted by the loader) */
} FeatureStats;

/* Puts the feature columns in a new order: new column k is old column
 * from[k] (a permutation of 0..d-1), with its name, mean and missing count.
 * ERROR_RUNTIME when out of memory (ds unchanged). */
ErrorCode dataset_reorder_features(Dataset *ds, const int *from, Error *err);

/* Per-feature statistics; stats has ds->d entries. */
void dataset_stats(const Dataset *ds, FeatureStats *stats);
/* Class counts; counts has ds->n_classes entries. */
void dataset_class_counts(const Dataset *ds, size_t *counts);

#endif
