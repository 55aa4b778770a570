/*
 * dataset.c - resolving dataset names, the generated 2-D sets, splitting,
 * normalization and statistics.  The CSV and IDX loaders live in
 * dataset_csv.c and dataset_idx.c.
 */
#include "dataset_private.h"

#include "gradtop/core/rng.h"
#include "gradtop/data/features.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define NAME_CAP 128

static const char *const fashion_classes[10] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot",
};

typedef enum { GEN_SPIRAL, GEN_CIRCLES, GEN_XOR, GEN_GAUSS, GEN_MOONS } GeneratedKind;

static const struct {
    const char *name;
    double noise; /* default */
} generated_sets[] = {
    [GEN_SPIRAL] = {"spiral", 0.05}, [GEN_CIRCLES] = {"circles", 0.1}, [GEN_XOR] = {"xor", 0.1},
    [GEN_GAUSS] = {"gauss", 0.1},    [GEN_MOONS] = {"moons", 0.1},
};
#define N_GENERATED ((int)(sizeof generated_sets / sizeof generated_sets[0]))

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* ---- options, free ------------------------------------------------------- */

void dataset_delimiter_name(char c, char *buf, size_t cap)
{
    switch (c) {
    case ',': snprintf(buf, cap, "comma ','"); break;
    case ';': snprintf(buf, cap, "semicolon ';'"); break;
    case '\t': snprintf(buf, cap, "tab"); break;
    case '|': snprintf(buf, cap, "pipe '|'"); break;
    default: snprintf(buf, cap, "'%c'", c); break;
    }
}

DatasetOptions dataset_options_default(void)
{
    return (DatasetOptions){
        .label = NULL,
        .labels_file = NULL,
        .delimiter = DATASET_DELIMITER_AUTO,
        .missing = MISSING_ERROR,
        .samples = DATASET_DEFAULT_SAMPLES,
        .noise = -1.0,
        .seed = 0,
        .exe_dir = NULL,
        .fashion_dir = NULL,
        .task = -1,
    };
}

void dataset_free(Dataset *ds)
{
    if (!ds) return;
    if (ds->owns) {
        free(ds->x);
        free(ds->labels);
        free(ds->targets);
        free(ds->feature_missing);
        free(ds->feature_mean);
        free(ds->row_line);
        free(ds->plane);
        if (ds->class_names)
            for (int i = 0; i < ds->n_classes; i++) free(ds->class_names[i]);
        free(ds->class_names);
        if (ds->feature_names)
            for (int i = 0; i < ds->d; i++) free(ds->feature_names[i]);
        free(ds->feature_names);
    }
    memset(ds, 0, sizeof *ds);
}

/* ---- generated sets ------------------------------------------------------ */

static int generated_index(const char *name)
{
    for (int i = 0; name && i < N_GENERATED; i++)
        if (strcmp(name, generated_sets[i].name) == 0) return i;
    return -1;
}

bool dataset_is_generated_name(const char *name)
{
    return generated_index(name) >= 0;
}

/* The two built-in sets of Debian's dataset-fashion-mnist: its training
 * and its test images. */
static const char *const fashion_sets[2] = {"fashion-mnist", "fashion-mnist-test"};

const char *dataset_builtin_name(int i)
{
    if (i < 0) return NULL;
    if (i < 2) return fashion_sets[i];
    return i - 2 < N_GENERATED ? generated_sets[i - 2].name : NULL;
}

double dataset_default_noise(const char *name)
{
    int i = generated_index(name);
    return i < 0 ? -1.0 : generated_sets[i].noise;
}

/* One point of class cls (0 or 1); k of nk is its rank within its class.
 * Shapes follow the TensorFlow Playground (dataset.ts), radius 5. */
static void generate_point(GeneratedKind kind, int cls, size_t k, size_t nk, Rng *rng, double *x,
                           double *y)
{
    const double radius = 5.0;
    switch (kind) {
    case GEN_SPIRAL: {
        /* Two arms, each turning 1.75 times while the radius grows to 5;
         * the second arm is the first rotated by half a turn. */
        double t = (double)k / (double)nk;
        double r = radius * t, angle = 1.75 * 2.0 * M_PI * t + cls * M_PI;
        *x = r * sin(angle);
        *y = r * cos(angle);
        break;
    }
    case GEN_CIRCLES: {
        /* Class 0 a disc of radius 2.5, class 1 a ring from 3.5 to 5. */
        double r =
            cls == 0 ? 0.5 * radius * rng_uniform(rng) : radius * (0.7 + 0.3 * rng_uniform(rng));
        double angle = 2.0 * M_PI * rng_uniform(rng);
        *x = r * sin(angle);
        *y = r * cos(angle);
        break;
    }
    case GEN_XOR: {
        /* Class 1 where x and y share a sign, class 0 where they differ;
         * 0.3 of padding keeps the points off the axes. */
        double ax = 0.3 + (radius - 0.3) * rng_uniform(rng);
        double ay = 0.3 + (radius - 0.3) * rng_uniform(rng);
        bool neg_x = rng_uniform(rng) < 0.5;
        bool neg_y = cls == 1 ? neg_x : !neg_x;
        *x = neg_x ? -ax : ax;
        *y = neg_y ? -ay : ay;
        break;
    }
    case GEN_GAUSS: {
        /* Unit Gaussians centred on (-2, -2) and (2, 2). */
        double c = cls == 0 ? -2.0 : 2.0;
        *x = c + rng_normal(rng);
        *y = c + rng_normal(rng);
        break;
    }
    case GEN_MOONS: {
        /* scikit-learn's make_moons, centred and scaled by 3: x in
         * [-4.5, 4.5], y in [-2.25, 2.25]. */
        double t = M_PI * rng_uniform(rng), mx, my;
        if (cls == 0) {
            mx = cos(t);
            my = sin(t);
        } else {
            mx = 1.0 - cos(t);
            my = 0.5 - sin(t);
        }
        *x = 3.0 * (mx - 0.5);
        *y = 3.0 * (my - 0.25);
        break;
    }
    }
}

ErrorCode dataset_generate(Dataset *ds, const char *name, int samples, double noise, uint64_t seed,
                           Error *err)
{
    memset(ds, 0, sizeof *ds);
    int kind = generated_index(name);
    if (kind < 0)
        return error_set(err, ERROR_INPUT,
                         "unknown generated set '%s'; one of spiral, circles, xor, gauss, moons",
                         name ? name : "");
    if (samples <= 0) samples = DATASET_DEFAULT_SAMPLES;
    if (samples < 2 || samples > DATASET_MAX_SAMPLES)
        return error_set(err, ERROR_INPUT, "%s: samples %d out of range [2, %d]", name, samples,
                         DATASET_MAX_SAMPLES);
    if (noise < 0) noise = generated_sets[kind].noise;
    if (!(noise <= 1.0))
        return error_set(err, ERROR_INPUT, "%s: noise %g out of range [0, 1]", name, noise);

    dataset_init_owned(ds, name, name, DATASET_KIND_GENERATED);
    size_t n = (size_t)samples;
    ds->n = n;
    ds->d = 2;
    ds->task = TASK_CLASSIFICATION;
    ds->n_classes = 2;
    ds->x = malloc(n * 2 * sizeof *ds->x);
    ds->labels = malloc(n * sizeof *ds->labels);
    ds->class_names = dataset_numbered_names(2, "");
    ds->feature_names = calloc(2, sizeof *ds->feature_names);
    if (ds->feature_names) {
        /* the names --features calls the point's coordinates by, so that
         * a set with and without transforms, and every view, name them alike */
        ds->feature_names[0] = strdup(feature_names[FEATURE_X1]);
        ds->feature_names[1] = strdup(feature_names[FEATURE_X2]);
    }
    if (!ds->x || !ds->labels || !ds->class_names || !ds->feature_names || !ds->feature_names[0] ||
        !ds->feature_names[1]) {
        dataset_free(ds);
        return error_set(err, ERROR_RUNTIME, "%s: out of memory", name);
    }
    snprintf(ds->label_name, sizeof ds->label_name, "class");
    ds->label_column = 2;

    Rng rng;
    rng_seed(&rng, seed);
    double jitter = noise * 5.0;
    size_t per_class[2] = {(n + 1) / 2, n / 2};
    for (size_t i = 0; i < n; i++) {
        int cls = (int)(i % 2); /* alternate, so any prefix is balanced */
        double x = 0, y = 0;
        generate_point((GeneratedKind)kind, cls, i / 2, per_class[cls], &rng, &x, &y);
        x += jitter * rng_normal(&rng);
        y += jitter * rng_normal(&rng);
        ds->x[2 * i] = (float)x;
        ds->x[2 * i + 1] = (float)y;
        ds->labels[i] = cls;
    }
    error_clear(err);
    return ERROR_NONE;
}

/* ---- resolving names ----------------------------------------------------- */

static bool is_regular_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A labels file given for CSV data, whose labels are a column of it: the
 * file would go unread, and the labels not be the ones meant. */
static ErrorCode labels_for_csv(const char *path, const char *labels, Error *err)
{
    return error_set(err, ERROR_INPUT,
                     "--labels %s: a labels file is for IDX images; %s is CSV text, whose label "
                     "is one of its columns (--label NAME|INDEX)",
                     labels, path);
}

/* A CSV file's options given for IDX images, which have no columns and no
 * delimiter: they would go unread, and the label not be the one meant.
 * ERROR_NONE when none was given. */
static ErrorCode csv_options_for_idx(const char *path, const DatasetOptions *opt, Error *err)
{
    if (opt->label)
        return error_set(err, ERROR_INPUT,
                         "--label %s: %s is IDX images, whose labels come from a labels file, "
                         "not a column; --label names a column of CSV data",
                         opt->label, path);
    if (opt->delimiter != DATASET_DELIMITER_AUTO) {
        char name[32];
        dataset_delimiter_name(opt->delimiter, name, sizeof name);
        return error_set(err, ERROR_INPUT,
                         "--delimiter %s: %s is IDX images, not CSV text; leave --delimiter out",
                         name, path);
    }
    return ERROR_NONE;
}

/* Whether head[0..got) begins an IDX file: two zero bytes, then type
 * 0x08 (unsigned bytes). */
static bool head_is_idx(const unsigned char *head, size_t got)
{
    return got == 4 && head[0] == 0 && head[1] == 0 && head[2] == 0x08;
}

static bool head_is_gzip(const unsigned char *head, size_t got)
{
    return got >= 2 && head[0] == 0x1f && head[1] == 0x8b;
}

/* What a regular file's first bytes (head[0..got)) and name say it holds,
 * as load_path reads it: IDX images, CSV text, or gzip data that is not
 * IDX (refused: gzip-compressed CSV must be decompressed first). */
typedef enum { FILE_CSV, FILE_IDX, FILE_GZIP_NOT_IDX } FileFormat;
static FileFormat file_format(const char *path, const unsigned char *head, size_t got)
{
    if (head_is_gzip(head, got)) {
        gzFile gz = gzopen(path, "rb");
        unsigned char inner[4] = {0};
        int n = gz ? gzread(gz, inner, sizeof inner) : -1;
        if (gz) gzclose(gz);
        /* a name with "idx": the IDX loader says what is wrong with it */
        return (n == 4 && inner[0] == 0 && inner[1] == 0) || strstr(path, "idx")
                   ? FILE_IDX
                   : FILE_GZIP_NOT_IDX;
    }
    return head_is_idx(head, got) || strstr(path, "-ubyte") ? FILE_IDX : FILE_CSV;
}

/* What a path holds, from its first bytes (and its name as a tie-break). */
static ErrorCode load_path(Dataset *ds, const char *path, const DatasetOptions *opt, Error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return error_set(err, error_code_of_open(errno), "%s: can't open: %s", path,
                         strerror(errno));
    if (S_ISDIR(st.st_mode))
        return error_set(err, ERROR_INPUT, "%s: is a directory, not a data file", path);
    unsigned char head[4] = {0};
    size_t got = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return error_set(err, error_code_of_open(errno), "%s: can't open: %s", path,
                         strerror(errno));
    got = fread(head, 1, sizeof head, f);
    if (!S_ISREG(st.st_mode)) {
        /* A pipe, a FIFO, a terminal: what was read to tell the format is
         * gone from the stream, so the CSV reader goes on from these bytes
         * on the same stream, with the same limits as for a file.  IDX
         * data needs its labels file beside it, and a gzip stream its
         * name: both must be files. */
        ErrorCode rc;
        if (ferror(f))
            rc = error_set(err, ERROR_RUNTIME, "%s: read error: %s", path, strerror(errno));
        else if (head_is_gzip(head, got) || head_is_idx(head, got))
            rc = error_set(err, ERROR_INPUT,
                           "%s: IDX or gzip data from a pipe or device; gradtop reads those from "
                           "files only (save it to a file first)",
                           path);
        else if (opt->labels_file)
            rc = labels_for_csv(path, opt->labels_file, err);
        else
            rc = dataset_load_csv_stream(ds, path, f, head, got, opt, err);
        fclose(f);
        return rc;
    }
    fclose(f);

    switch (file_format(path, head, got)) {
    case FILE_GZIP_NOT_IDX:
        return error_set(err, ERROR_INPUT,
                         "%s: gzip-compressed, but not an IDX file; decompress CSV files first "
                         "(gunzip)",
                         path);
    case FILE_IDX: {
        ErrorCode rc = csv_options_for_idx(path, opt, err);
        return rc ? rc : dataset_load_idx(ds, path, opt->labels_file, err);
    }
    case FILE_CSV: break;
    }
    if (opt->labels_file) return labels_for_csv(path, opt->labels_file, err);
    return dataset_load_csv(ds, path, opt, err);
}

static bool fashion_paths(const char *dir, bool test, char *images, size_t cap)
{
    snprintf(images, cap, "%s/%s-images-idx3-ubyte.gz", dir ? dir : DATASET_FASHION_MNIST_DIR,
             test ? "t10k" : "train");
    return is_regular_file(images);
}
/* Where a bare dataset name is looked for, in order: beside the program
 * (build/datasets), beside its parent (the source tree, for build/gradtop),
 * the installed share directory (PREFIX/bin/gradtop finds
 * PREFIX/share/gradtop/datasets), then the working directory. */
#define DATASET_DIRS 4
static int dataset_dirs(const char *exe_dir, char dirs[DATASET_DIRS][1100])
{
    int n = 0;
    if (exe_dir && *exe_dir) {
        snprintf(dirs[n++], sizeof dirs[0], "%s/datasets", exe_dir);
        snprintf(dirs[n++], sizeof dirs[0], "%s/../datasets", exe_dir);
        snprintf(dirs[n++], sizeof dirs[0], "%s/../share/gradtop/datasets", exe_dir);
    }
    snprintf(dirs[n++], sizeof dirs[0], "datasets");
    return n;
}

/* Whether spec is a bare name (no '/' and no '.'), looked up in the
 * dataset directories before the built-ins. */
static bool is_bare_name(const char *spec)
{
    return spec && *spec && !strchr(spec, '/') && !strchr(spec, '.');
}

/* The first datasets/spec.csv of the dataset directories, into path. */
static bool named_csv(const char *spec, const char *exe_dir, char *path, size_t cap)
{
    char dirs[DATASET_DIRS][1100];
    int n_dirs = dataset_dirs(exe_dir, dirs);
    for (int i = 0; i < n_dirs; i++) {
        int n = snprintf(path, cap, "%s/%s.csv", dirs[i], spec);
        if (n <= 0 || (size_t)n >= cap || !is_regular_file(path)) continue;
        /* Beside the program's parent: named by its real path, not
         * ".../build/../datasets/...". */
        char real[PATH_MAX];
        if (strstr(dirs[i], "/../") && realpath(path, real) && strlen(real) < cap)
            memcpy(path, real, strlen(real) + 1);
        return true;
    }
    return false;
}

bool dataset_named_file(const char *spec, const char *exe_dir, char *path, size_t cap)
{
    return is_bare_name(spec) && named_csv(spec, exe_dir, path, cap);
}

bool dataset_is_builtin_idx_name(const char *spec)
{
    return spec && (strcmp(spec, fashion_sets[0]) == 0 || strcmp(spec, fashion_sets[1]) == 0);
}

/* The kind of Dataset load_path loads from path (dataset_kind). */
static DatasetKind path_kind(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return strstr(path, "-ubyte") || ends_with(path, ".idx") || ends_with(path, ".gz")
                   ? DATASET_KIND_IDX
                   : DATASET_KIND_CSV;
    if (!S_ISREG(st.st_mode)) return DATASET_KIND_CSV;
    unsigned char head[4] = {0};
    size_t got = 0;
    FILE *f = fopen(path, "rb");
    if (f) {
        got = fread(head, 1, sizeof head, f);
        fclose(f);
    }
    return file_format(path, head, got) == FILE_IDX ? DATASET_KIND_IDX : DATASET_KIND_CSV;
}

/* Follows dataset_load's order step for step: what it tries first decides. */
DatasetKind dataset_kind(const char *spec, const char *exe_dir)
{
    if (!spec || !*spec) return DATASET_KIND_CSV;
    if (!is_bare_name(spec)) return path_kind(spec);
    char named[PATH_MAX];
    if (named_csv(spec, exe_dir, named, sizeof named)) return DATASET_KIND_CSV;
    if (dataset_is_builtin_idx_name(spec)) return DATASET_KIND_IDX;
    if (dataset_is_generated_name(spec)) return DATASET_KIND_GENERATED;
    if (is_regular_file(spec)) return path_kind(spec);
    return DATASET_KIND_CSV; /* an unknown name, which dataset_load refuses */
}

ErrorCode dataset_load(Dataset *ds, const char *spec, const DatasetOptions *opt, Error *err)
{
    memset(ds, 0, sizeof *ds);
    DatasetOptions defaults = dataset_options_default();
    if (!opt) opt = &defaults;
    if (!spec || !*spec) return error_set(err, ERROR_INPUT, "no dataset given");
    if (!is_bare_name(spec)) return load_path(ds, spec, opt, err);

    char path[PATH_MAX];
    if (named_csv(spec, opt->exe_dir, path, sizeof path)) {
        if (opt->labels_file) return labels_for_csv(path, opt->labels_file, err);
        return dataset_load_csv(ds, path, opt, err);
    }

    bool test = strcmp(spec, fashion_sets[1]) == 0;
    if (test || strcmp(spec, fashion_sets[0]) == 0) {
        if (opt->labels_file)
            return error_set(err, ERROR_INPUT,
                             "--labels %s: %s comes with its own labels file; give the images "
                             "by their path to pair them with another",
                             opt->labels_file, spec);
        ErrorCode refused = csv_options_for_idx(spec, opt, err);
        if (refused) return refused;
        if (!fashion_paths(opt->fashion_dir, test, path, sizeof path))
            return error_set(err, ERROR_INPUT,
                             "%s: not installed (no %s); install the Debian package "
                             "dataset-fashion-mnist (apt-get install dataset-fashion-mnist)",
                             spec, path);
        ErrorCode code = dataset_load_idx(ds, path, NULL, err);
        if (code) return code;
        snprintf(ds->name, sizeof ds->name, "%s", spec);
        if (ds->n_classes == 10) {
            for (int i = 0; i < 10; i++) {
                char *name = strdup(fashion_classes[i]);
                if (!name) {
                    dataset_free(ds);
                    return error_set(err, ERROR_RUNTIME, "%s: out of memory", spec);
                }
                free(ds->class_names[i]);
                ds->class_names[i] = name;
            }
        }
        return ERROR_NONE;
    }
    if (dataset_is_generated_name(spec))
        return dataset_generate(ds, spec, opt->samples, opt->noise, opt->seed, err);
    if (is_regular_file(spec)) return load_path(ds, spec, opt, err);

    char names[64][NAME_CAP];
    int count = dataset_list_available(opt->exe_dir, names, 64);
    char list[800] = "";
    size_t used = 0;
    for (int i = 0; i < count && i < 64 && used < sizeof list; i++) {
        int k = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", names[i]);
        if (k < 0) break;
        used += (size_t)k;
    }
    return error_set(err, ERROR_INPUT,
                     "unknown dataset '%s'; available: %s (or the path of a CSV or IDX file)", spec,
                     list);
}

/* ---- the list for the setup screen -------------------------------------- */

typedef struct {
    char (*names)[NAME_CAP];
    int n, cap;
} NameList;

static void namelist_add(NameList *l, const char *name)
{
    if (strlen(name) >= NAME_CAP || !*name) return;
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->names[i], name) == 0) return;
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 32;
        void *p = realloc(l->names, (size_t)cap * sizeof *l->names);
        if (!p) return;
        l->names = p;
        l->cap = cap;
    }
    snprintf(l->names[l->n++], NAME_CAP, "%s", name);
}

static void scan_dir(NameList *l, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        char name[NAME_CAP];
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || !ends_with(e->d_name, ".csv")) continue;
        if (len - 4 >= sizeof name) continue;
        memcpy(name, e->d_name, len - 4);
        name[len - 4] = '\0';
        /* A name with a dot would be taken for a path by dataset_load. */
        if (strchr(name, '.')) continue;
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (n > 0 && (size_t)n < sizeof path && is_regular_file(path)) namelist_add(l, name);
    }
    closedir(d);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

int dataset_list_available(const char *exe_dir, char names[][128], int cap)
{
    NameList l = {0};
    char dir[2048];
    char dirs[DATASET_DIRS][1100];
    int n_dirs = dataset_dirs(exe_dir, dirs);
    for (int i = 0; i < n_dirs; i++) scan_dir(&l, dirs[i]);
    if (l.n) qsort(l.names, (size_t)l.n, sizeof *l.names, cmp_name);
    /* the built-ins, fashion-mnist's only when its package is there */
    const char *name;
    for (int i = 0; (name = dataset_builtin_name(i)); i++)
        if (dataset_is_generated_name(name) || fashion_paths(NULL, i == 1, dir, sizeof dir))
            namelist_add(&l, name);
    for (int i = 0; i < l.n && i < cap; i++) memcpy(names[i], l.names[i], NAME_CAP);
    int n = l.n;
    free(l.names);
    return n;
}

/* ---- splitting ----------------------------------------------------------- */

/* Reorders rows so that new row i is old row perm[i], following the
 * permutation's cycles with one spare row instead of a second matrix. */
static ErrorCode permute_rows(Dataset *ds, const int *perm, Error *err)
{
    size_t n = ds->n, d = (size_t)ds->d;
    bool *done = calloc(n, sizeof *done);
    float *row = malloc((d ? d : 1) * sizeof *row);
    if (!done || !row) {
        free(done);
        free(row);
        return error_set(err, ERROR_RUNTIME, "%s: out of memory while splitting", ds->name);
    }
    for (size_t i = 0; i < n; i++) {
        if (done[i] || (size_t)perm[i] == i) continue;
        memcpy(row, ds->x + i * d, d * sizeof *row);
        int label = ds->labels ? ds->labels[i] : 0;
        float target = ds->targets ? ds->targets[i] : 0;
        size_t line = ds->row_line ? ds->row_line[i] : 0;
        float px = ds->plane ? ds->plane[2 * i] : 0, py = ds->plane ? ds->plane[2 * i + 1] : 0;
        size_t j = i;
        for (;;) {
            size_t k = (size_t)perm[j];
            done[j] = true;
            if (k == i) {
                memcpy(ds->x + j * d, row, d * sizeof *row);
                if (ds->labels) ds->labels[j] = label;
                if (ds->targets) ds->targets[j] = target;
                if (ds->row_line) ds->row_line[j] = line;
                if (ds->plane) {
                    ds->plane[2 * j] = px;
                    ds->plane[2 * j + 1] = py;
                }
                break;
            }
            memcpy(ds->x + j * d, ds->x + k * d, d * sizeof *row);
            if (ds->labels) ds->labels[j] = ds->labels[k];
            if (ds->targets) ds->targets[j] = ds->targets[k];
            if (ds->row_line) ds->row_line[j] = ds->row_line[k];
            if (ds->plane) memcpy(ds->plane + 2 * j, ds->plane + 2 * k, 2 * sizeof *ds->plane);
            j = k;
        }
    }
    free(done);
    free(row);
    return ERROR_NONE;
}

static void make_view(const Dataset *ds, Dataset *v, size_t start, size_t n)
{
    *v = *ds;
    v->owns = false;
    v->n = n;
    v->x = ds->x ? ds->x + start * (size_t)ds->d : NULL;
    v->labels = ds->labels ? ds->labels + start : NULL;
    v->targets = ds->targets ? ds->targets + start : NULL;
    v->row_line = ds->row_line ? ds->row_line + start : NULL;
    v->plane = ds->plane ? ds->plane + 2 * start : NULL;
}

/* How many of count rows go to validation: rounded, but a class (or a
 * regression set) of two or more rows keeps at least one on each side. */
static size_t val_count(size_t count, double val_frac)
{
    if (val_frac <= 0 || count < 2) return 0;
    size_t v = (size_t)llround((double)count * val_frac);
    if (v < 1) v = 1;
    if (v > count - 1) v = count - 1;
    return v;
}

ErrorCode dataset_split(Dataset *ds, double val_frac, uint64_t seed, Dataset *train, Dataset *val,
                        Error *err)
{
    if (!(val_frac >= 0 && val_frac < 1))
        return error_set(err, ERROR_INPUT, "validation fraction %g out of range [0, 1)", val_frac);
    size_t n = ds->n;
    int *perm = malloc((n ? n : 1) * sizeof *perm);
    if (!perm) return error_set(err, ERROR_RUNTIME, "%s: out of memory while splitting", ds->name);
    Rng rng;
    rng_seed(&rng, seed);
    size_t n_train;
    if (ds->task == TASK_CLASSIFICATION && ds->n_classes > 0 && ds->labels) {
        /* Bucket rows by class, shuffle each bucket, take each class's
         * share for validation, then mix the classes within each part. */
        int k = ds->n_classes;
        size_t *start = calloc((size_t)k + 1, sizeof *start);
        int *bucket = malloc((n ? n : 1) * sizeof *bucket);
        if (!start || !bucket) {
            free(start);
            free(bucket);
            free(perm);
            return error_set(err, ERROR_RUNTIME, "%s: out of memory while splitting", ds->name);
        }
        for (size_t i = 0; i < n; i++) {
            assert(ds->labels[i] >= 0 && ds->labels[i] < k);
            start[ds->labels[i] + 1]++;
        }
        for (int c = 0; c < k; c++) start[c + 1] += start[c];
        size_t *fill = calloc((size_t)k, sizeof *fill);
        if (!fill) {
            free(start);
            free(bucket);
            free(perm);
            return error_set(err, ERROR_RUNTIME, "%s: out of memory while splitting", ds->name);
        }
        for (size_t i = 0; i < n; i++) {
            int c = ds->labels[i];
            bucket[start[c] + fill[c]++] = (int)i;
        }
        free(fill);
        n_train = 0;
        for (int c = 0; c < k; c++) {
            size_t count = start[c + 1] - start[c];
            rng_shuffle(&rng, bucket + start[c], count);
            n_train += count - val_count(count, val_frac);
        }
        size_t t = 0, v = n_train;
        for (int c = 0; c < k; c++) {
            size_t count = start[c + 1] - start[c], cv = val_count(count, val_frac);
            for (size_t i = 0; i < count - cv; i++) perm[t++] = bucket[start[c] + i];
            for (size_t i = count - cv; i < count; i++) perm[v++] = bucket[start[c] + i];
        }
        free(start);
        free(bucket);
    } else {
        for (size_t i = 0; i < n; i++) perm[i] = (int)i;
        n_train = n - val_count(n, val_frac);
    }
    rng_shuffle(&rng, perm, n_train);
    rng_shuffle(&rng, perm + n_train, n - n_train);
    ErrorCode code = permute_rows(ds, perm, err);
    free(perm);
    if (code) return code;
    make_view(ds, train, 0, n_train);
    make_view(ds, val, n_train, n - n_train);
    return ERROR_NONE;
}

/* ---- normalization and statistics ---------------------------------------- */

/* Rows per block in normalizer_fit: about this many bytes of features, so
 * that a block is still in the cache for its second pass. */
#define FIT_BLOCK_BYTES (256 * 1024)

ErrorCode normalizer_fit(Normalizer *nz, NormalizeKind kind, const Dataset *ds, Error *err)
{
    memset(nz, 0, sizeof *nz);
    size_t d = (size_t)ds->d, n = ds->n, cap = d ? d : 1;
    nz->kind = kind;
    nz->d = ds->d;
    nz->shift = malloc(cap * sizeof *nz->shift);
    nz->scale = malloc(cap * sizeof *nz->scale);
    double *mean = calloc(cap, sizeof *mean), *sq = calloc(cap, sizeof *sq);
    double *block_mean = malloc(cap * sizeof *block_mean);
    double *block_sq = malloc(cap * sizeof *block_sq);
    float *lo = malloc(cap * sizeof *lo), *hi = malloc(cap * sizeof *hi);
    if (!nz->shift || !nz->scale || !mean || !sq || !block_mean || !block_sq || !lo || !hi) {
        free(mean);
        free(sq);
        free(block_mean);
        free(block_sq);
        free(lo);
        free(hi);
        normalizer_free(nz);
        return error_set(err, ERROR_RUNTIME, "out of memory fitting the normalizer");
    }
    /* Two passes (mean, then squared deviations) in double: the one-pass
     * formula loses everything to cancellation when mean >> std.  They run
     * per block of rows, the second while the block is still in the cache,
     * so that memory is read once; a block's m rows, with mean mb and sum of
     * squared deviations Sb, join the k rows before it by the update of
     * Chan, Golub and LeVeque ("Algorithms for computing the sample
     * variance", 1983): with delta = mb - mean, mean += delta * m / (k + m)
     * and S += Sb + delta^2 * k * m / (k + m). */
    size_t block = d ? FIT_BLOCK_BYTES / (d * sizeof(float)) : n;
    if (block < 1) block = 1;
    for (size_t j = 0; j < d; j++) lo[j] = hi[j] = n ? ds->x[j] : 0;
    for (size_t k = 0; k < n; k += block) {
        size_t m = n - k < block ? n - k : block;
        const float *x = ds->x + k * d;
        for (size_t j = 0; j < d; j++) block_mean[j] = block_sq[j] = 0;
        for (size_t i = 0; i < m; i++) {
            const float *row = x + i * d;
            for (size_t j = 0; j < d; j++) {
                float v = row[j];
                block_mean[j] += v;
                lo[j] = v < lo[j] ? v : lo[j];
                hi[j] = v > hi[j] ? v : hi[j];
            }
        }
        for (size_t j = 0; j < d; j++) block_mean[j] /= (double)m;
        for (size_t i = 0; i < m; i++) {
            const float *row = x + i * d;
            for (size_t j = 0; j < d; j++) {
                double dev = row[j] - block_mean[j];
                block_sq[j] += dev * dev;
            }
        }
        double w = (double)m / (double)(k + m), cross = (double)k * w;
        for (size_t j = 0; j < d; j++) {
            double delta = block_mean[j] - mean[j];
            mean[j] += delta * w;
            sq[j] += block_sq[j] + delta * delta * cross;
        }
    }
    for (size_t j = 0; j < d; j++) {
        double shift = 0, scale = 1;
        bool constant = lo[j] == hi[j];
        if (kind == NORMALIZE_STANDARD) {
            shift = mean[j];
            double sd = n ? sqrt(sq[j] / (double)n) : 0; /* population std */
            if (!constant && sd > 0) scale = 1.0 / sd;
        } else if (kind == NORMALIZE_MINMAX) {
            shift = lo[j];
            if (!constant) scale = 1.0 / ((double)hi[j] - (double)lo[j]);
        }
        nz->shift[j] = (float)shift;
        nz->scale[j] = isfinite((float)scale) ? (float)scale : 1.0f;
    }
    free(mean);
    free(sq);
    free(block_mean);
    free(block_sq);
    free(lo);
    free(hi);
    return ERROR_NONE;
}

void normalizer_apply(const Normalizer *nz, Dataset *ds)
{
    assert(nz->d == ds->d);
    size_t d = (size_t)ds->d;
    if (nz->kind == NORMALIZE_NONE) return;
    /* In double: x - shift can exceed FLT_MAX (3e38 - -3e38) while the
     * result, scaled, is about 1.  A float's difference is exact in double
     * and the product is rounded once, to float. */
    for (size_t i = 0; i < ds->n; i++) {
        float *row = ds->x + i * d;
        for (size_t j = 0; j < d; j++)
            row[j] = (float)(((double)row[j] - (double)nz->shift[j]) * (double)nz->scale[j]);
    }
}

ErrorCode normalizer_copy(Normalizer *dst, const Normalizer *src, Error *err)
{
    memset(dst, 0, sizeof *dst);
    dst->kind = src->kind;
    dst->d = src->d;
    if (!src->shift) return ERROR_NONE;
    size_t cap = src->d > 0 ? (size_t)src->d : 1;
    dst->shift = malloc(cap * sizeof *dst->shift);
    dst->scale = malloc(cap * sizeof *dst->scale);
    if (!dst->shift || !dst->scale) {
        normalizer_free(dst);
        return error_set(err, ERROR_RUNTIME, "out of memory copying the normalizer");
    }
    memcpy(dst->shift, src->shift, (size_t)src->d * sizeof *dst->shift);
    memcpy(dst->scale, src->scale, (size_t)src->d * sizeof *dst->scale);
    return ERROR_NONE;
}

void normalizer_free(Normalizer *nz)
{
    if (!nz) return;
    free(nz->shift);
    free(nz->scale);
    memset(nz, 0, sizeof *nz);
}

ErrorCode dataset_reorder_features(Dataset *ds, const int *from, Error *err)
{
    size_t d = (size_t)ds->d;
    float *row = malloc((d ? d : 1) * sizeof *row);
    char **names = malloc((d ? d : 1) * sizeof *names);
    float *mean = malloc((d ? d : 1) * sizeof *mean);
    size_t *missing = malloc((d ? d : 1) * sizeof *missing);
    if (!row || !names || !mean || !missing) {
        free(row);
        free(names);
        free(mean);
        free(missing);
        return error_set(err, ERROR_RUNTIME, "%s: out of memory", ds->source);
    }
    for (size_t i = 0; i < ds->n; i++) {
        float *x = ds->x + i * d;
        for (size_t k = 0; k < d; k++) row[k] = x[from[k]];
        memcpy(x, row, d * sizeof *row);
    }
    for (size_t k = 0; k < d; k++) {
        if (ds->feature_names) names[k] = ds->feature_names[from[k]];
        if (ds->feature_mean) mean[k] = ds->feature_mean[from[k]];
        if (ds->feature_missing) missing[k] = ds->feature_missing[from[k]];
    }
    if (ds->feature_names) memcpy(ds->feature_names, names, d * sizeof *names);
    if (ds->feature_mean) memcpy(ds->feature_mean, mean, d * sizeof *mean);
    if (ds->feature_missing) memcpy(ds->feature_missing, missing, d * sizeof *missing);
    free(row);
    free(names);
    free(mean);
    free(missing);
    return ERROR_NONE;
}

void dataset_stats(const Dataset *ds, FeatureStats *stats)
{
    size_t d = (size_t)ds->d;
    for (size_t j = 0; j < d; j++) {
        stats[j].min = stats[j].max = ds->n ? ds->x[j] : 0;
        stats[j].mean = 0;
        stats[j].missing = ds->feature_missing ? ds->feature_missing[j] : 0;
    }
    for (size_t i = 0; i < ds->n; i++) {
        const float *row = ds->x + i * d;
        for (size_t j = 0; j < d; j++) {
            if (row[j] < stats[j].min) stats[j].min = row[j];
            if (row[j] > stats[j].max) stats[j].max = row[j];
            stats[j].mean += row[j];
        }
    }
    for (size_t j = 0; j < d && ds->n; j++) stats[j].mean /= (double)ds->n;
}

void dataset_class_counts(const Dataset *ds, size_t *counts)
{
    for (int c = 0; c < ds->n_classes; c++) counts[c] = 0;
    if (!ds->labels) return;
    for (size_t i = 0; i < ds->n; i++) {
        int c = ds->labels[i];
        if (c >= 0 && c < ds->n_classes) counts[c]++;
    }
}

ErrorCode dataset_check_classes(const Dataset *ds, Error *err)
{
    if (ds->task != TASK_CLASSIFICATION || ds->n_classes >= 2) return ERROR_NONE;
    return error_set(err, ERROR_INPUT,
                     "%s: the label column '%s' has %d class: classification needs at least 2",
                     ds->source, ds->label_name, ds->n_classes);
}
