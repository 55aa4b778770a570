/*
 * fuzz_common.h - how each fuzz input reaches the engine's parsers, shared by
 * the libFuzzer targets (tests/fuzz/fuzz_*.c) and the regression replay
 * (tests/test_fuzz_regress.c), so a crash file replays through exactly the
 * calls that found it.
 *
 * The loaders take paths, so an input is written to an anonymous memfd and
 * opened as /proc/self/fd/N: nothing touches the disk and nothing is left
 * behind.  Every call's result is checked: an input may be accepted
 * (ERROR_NONE) or refused as bad input (ERROR_INPUT with a message naming
 * the file); anything else, or a broken round trip, goes to FUZZ_FAIL, which
 * the includer defines (abort() in a fuzz target, a cmocka failure in the
 * test).  One thread; the functions are static so each program gets a copy.
 */
#ifndef GRADTOP_FUZZ_COMMON_H
#define GRADTOP_FUZZ_COMMON_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "gradtop/io/crc32c.h"
#include "gradtop/data/dataset.h"
#include "gradtop/nn/gemm.h"
#include "gradtop/nn/model.h"
#include "gradtop/run/modelfile.h"
#include "gradtop/run/options.h"
#include "gradtop/io/tfevents.h"
#include "gradtop/logdir/runset.h"
#include "gradtop/sweep/exec.h"
#include "gradtop/sweep/sweep.h"

#ifndef FUZZ_FAIL
#error "define FUZZ_FAIL(...) before including fuzz_common.h"
#endif

/* The largest labels file the IDX harness synthesizes (see fuzz_idx). */
#define FUZZ_IDX_MAX_LABELS (1u << 16)
/* Scalars read from one event file before giving up (a guard, not a limit
 * the reader should ever need: it cannot return more scalars than bytes). */
#define FUZZ_TFE_MAX_SCALARS 1000000

typedef struct {
    int fd;
    char path[64];
} FuzzFile;

/* An anonymous file holding data[0..n), opened by path as a user's file is. */
static inline void fuzz_file_open(FuzzFile *f, const void *data, size_t n)
{
    f->fd = memfd_create("gradtop-fuzz", MFD_CLOEXEC);
    if (f->fd < 0) FUZZ_FAIL("memfd_create failed\n");
    const char *p = data;
    while (n) {
        ssize_t w = write(f->fd, p, n);
        if (w <= 0) FUZZ_FAIL("write to memfd failed\n");
        p += w;
        n -= (size_t)w;
    }
    snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
}

static inline void fuzz_file_append(FuzzFile *f, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t w = write(f->fd, p, n);
        if (w <= 0) FUZZ_FAIL("write to memfd failed\n");
        p += w;
        n -= (size_t)w;
    }
}

static inline void fuzz_file_close(FuzzFile *f)
{
    if (f->fd >= 0) close(f->fd);
    f->fd = -1;
}

/* The contract of every loader: accepted, or refused as bad input with a
 * message that names the file it read. */
static inline void fuzz_check(const char *what, ErrorCode code, const Error *err, const char *path)
{
    if (code == ERROR_NONE) return;
    if (code != ERROR_INPUT)
        FUZZ_FAIL("%s: returned code %d (want ERROR_NONE or ERROR_INPUT): %s\n", what, (int)code,
                  err->msg);
    if (err->msg[0] == '\0') FUZZ_FAIL("%s: ERROR_INPUT with an empty message\n", what);
    if (path && !strstr(err->msg, path))
        FUZZ_FAIL("%s: the message does not name the file %s: %s\n", what, path, err->msg);
}

/* ---- CSV ------------------------------------------------------------- */

/* A loaded dataset must be usable by what follows loading in a session:
 * split, normalization, statistics, class counts. */
static inline void fuzz_use_dataset(Dataset *ds)
{
    if (ds->n == 0 || ds->d <= 0 || !ds->x)
        FUZZ_FAIL("a dataset was accepted with n=%zu d=%d\n", ds->n, ds->d);
    if (ds->task == TASK_CLASSIFICATION) {
        if (ds->n_classes < 1 || !ds->labels || !ds->class_names)
            FUZZ_FAIL("classification with %d classes and no labels\n", ds->n_classes);
        for (size_t i = 0; i < ds->n; i++)
            if (ds->labels[i] < 0 || ds->labels[i] >= ds->n_classes)
                FUZZ_FAIL("row %zu: label %d outside 0..%d\n", i, ds->labels[i], ds->n_classes - 1);
        for (int c = 0; c < ds->n_classes; c++)
            if (!ds->class_names[c]) FUZZ_FAIL("class %d has no name\n", c);
        size_t *counts = calloc((size_t)ds->n_classes, sizeof *counts);
        if (!counts) FUZZ_FAIL("out of memory\n");
        dataset_class_counts(ds, counts);
        free(counts);
    } else if (!ds->targets) {
        FUZZ_FAIL("regression without targets\n");
    }
    for (int j = 0; j < ds->d; j++)
        if (!ds->feature_names || !ds->feature_names[j]) FUZZ_FAIL("feature %d has no name\n", j);
    FeatureStats *stats = calloc((size_t)ds->d, sizeof *stats);
    if (!stats) FUZZ_FAIL("out of memory\n");
    dataset_stats(ds, stats);
    free(stats);

    Dataset train = {0}, val = {0};
    Error err = {0};
    ErrorCode code = dataset_split(ds, 0.25, 7, &train, &val, &err);
    if (code != ERROR_NONE && (code != ERROR_INPUT || !err.msg[0]))
        FUZZ_FAIL("dataset_split: code %d: %s\n", (int)code, err.msg);
    if (code == ERROR_NONE) {
        if (train.n + val.n != ds->n) FUZZ_FAIL("split lost rows\n");
        if (train.n) {
            Normalizer nz = {0};
            for (int k = NORMALIZE_STANDARD; k <= NORMALIZE_NONE; k++) {
                code = normalizer_fit(&nz, (NormalizeKind)k, &train, &err);
                if (code != ERROR_NONE) FUZZ_FAIL("normalizer_fit: %s\n", err.msg);
                normalizer_apply(&nz, &train);
                normalizer_apply(&nz, &val);
                normalizer_free(&nz);
            }
        }
        dataset_free(&train);
        dataset_free(&val);
    }
}

/* Loads one input as a CSV file three ways: the defaults (the delimiter
 * detected); the first column as label with missing values imputed; the
 * second-to-last column with rows dropped, ';' given as delimiter and the
 * regression task insisted on. */
static inline void fuzz_csv(const uint8_t *data, size_t n)
{
    FuzzFile f;
    fuzz_file_open(&f, data, n);
    for (int variant = 0; variant < 3; variant++) {
        DatasetOptions opt = dataset_options_default();
        if (variant == 1) {
            opt.label = "0";
            opt.missing = MISSING_MEAN;
        } else if (variant == 2) {
            opt.label = "-2";
            opt.missing = MISSING_DROP;
            opt.delimiter = ';';
            opt.task = TASK_REGRESSION;
        }
        Dataset ds;
        Error err = {0};
        ErrorCode code = dataset_load_csv(&ds, f.path, &opt, &err);
        fuzz_check("dataset_load_csv", code, &err, f.path);
        if (code == ERROR_NONE) fuzz_use_dataset(&ds);
        dataset_free(&ds);
    }
    fuzz_file_close(&f);
}

/* ---- IDX ------------------------------------------------------------- */

static inline uint32_t fuzz_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void fuzz_load_idx(const char *images, const char *labels)
{
    Dataset ds;
    Error err = {0};
    ErrorCode code = dataset_load_idx(&ds, images, labels, &err);
    /* The message may name either file. */
    fuzz_check("dataset_load_idx", code, &err, NULL);
    if (code == ERROR_INPUT && !strstr(err.msg, images) && !strstr(err.msg, labels))
        FUZZ_FAIL("dataset_load_idx: the message names neither file: %s\n", err.msg);
    if (code == ERROR_NONE) fuzz_use_dataset(&ds);
    dataset_free(&ds);
}

/*
 * The first byte picks the mode:
 *   even  the rest is an images file (plain or gzip); its labels file is
 *         made to match the count its header announces (read through zlib,
 *         as the loader reads it), with labels taken from the input's bytes;
 *   odd   the next two bytes are a big-endian length k: the k bytes after
 *         them are the images file, the remainder the labels file.
 */
static inline void fuzz_idx(const uint8_t *data, size_t n)
{
    if (n < 1) return;
    FuzzFile img, lab;
    if ((data[0] & 1) == 0) {
        fuzz_file_open(&img, data + 1, n - 1);
        uint8_t head[8];
        int got = 0;
        int fd = dup(img.fd);
        if (fd >= 0 && lseek(fd, 0, SEEK_SET) == 0) {
            gzFile gz = gzdopen(fd, "rb");
            if (gz) {
                got = gzread(gz, head, sizeof head);
                gzclose(gz);
            } else {
                close(fd);
            }
        } else if (fd >= 0) {
            close(fd);
        }
        uint32_t count = got == 8 ? fuzz_be32(head + 4) : 0;
        if (count > FUZZ_IDX_MAX_LABELS) count = FUZZ_IDX_MAX_LABELS;
        uint8_t *labels = malloc(8 + (size_t)count);
        if (!labels) FUZZ_FAIL("out of memory\n");
        labels[0] = labels[1] = 0;
        labels[2] = 0x08;
        labels[3] = 0x01;
        labels[4] = (uint8_t)(count >> 24);
        labels[5] = (uint8_t)(count >> 16);
        labels[6] = (uint8_t)(count >> 8);
        labels[7] = (uint8_t)count;
        for (uint32_t i = 0; i < count; i++) labels[8 + i] = n > 1 ? data[1 + i % (n - 1)] : 0;
        fuzz_file_open(&lab, labels, 8 + (size_t)count);
        free(labels);
    } else {
        size_t k = n >= 3 ? (size_t)data[1] << 8 | data[2] : 0;
        size_t rest = n >= 3 ? n - 3 : 0;
        if (k > rest) k = rest;
        const uint8_t *p = data + (n >= 3 ? 3 : n);
        fuzz_file_open(&img, p, k);
        fuzz_file_open(&lab, p + k, rest - k);
    }
    fuzz_load_idx(img.path, lab.path);
    fuzz_file_close(&img);
    fuzz_file_close(&lab);
}

/* ---- --config files -------------------------------------------------- */

/*
 * Loads the input as a --config file, once with nothing locked and once
 * with every other option locked (as the command line locks them).  What
 * loads must survive the trip a run makes: options_to_config (config.txt)
 * loaded again gives the same text.
 */
static inline void fuzz_config(const uint8_t *data, size_t n)
{
    FuzzFile f;
    fuzz_file_open(&f, data, n);
    bool *locked = calloc(option_count + 1, sizeof *locked);
    if (!locked) FUZZ_FAIL("out of memory\n");
    for (size_t i = 0; i < option_count + 1; i += 2) locked[i] = true;
    for (int variant = 0; variant < 2; variant++) {
        Options o;
        options_default(&o);
        Error err = {0};
        ErrorCode code = options_load_file(&o, f.path, variant ? locked : NULL, &err);
        fuzz_check("options_load_file", code, &err, f.path);
        if (code != ERROR_NONE) continue;
        Error verr = {0};
        code = options_validate(&o, &verr);
        if (code != ERROR_NONE && (code != ERROR_INPUT || !verr.msg[0]))
            FUZZ_FAIL("options_validate: code %d: %s\n", (int)code, verr.msg);

        /* Not (NULL, 0): options_to_config does buf + n on it, undefined
         * behaviour UBSan stops at (reported to the lead). */
        char probe[1];
        size_t len = options_to_config(&o, probe, sizeof probe);
        char *text = malloc(len + 1);
        if (!text) FUZZ_FAIL("out of memory\n");
        if (options_to_config(&o, text, len + 1) != len)
            FUZZ_FAIL("options_to_config: the length changed between calls\n");
        FuzzFile again;
        fuzz_file_open(&again, text, len);
        Options o2;
        options_default(&o2);
        code = options_load_file(&o2, again.path, NULL, &err);
        if (code != ERROR_NONE)
            FUZZ_FAIL("config.txt written from an accepted config does not load: %s\n--- text\n%s",
                      err.msg, text);
        size_t len2 = options_to_config(&o2, probe, sizeof probe);
        char *text2 = malloc(len2 + 1);
        if (!text2) FUZZ_FAIL("out of memory\n");
        options_to_config(&o2, text2, len2 + 1);
        if (len2 != len || memcmp(text, text2, len) != 0) {
            size_t i = 0;
            while (i < len && i < len2 && text[i] == text2[i]) i++;
            while (i > 0 && text[i - 1] != '\n') i--; /* the start of the line */
            const char *a = text + i, *b = text2 + i;
            FUZZ_FAIL("config.txt does not load back the same: '%.*s' reads back as '%.*s'\n",
                      (int)strcspn(a, "\n"), a, (int)strcspn(b, "\n"), b);
        }
        free(text2);
        free(text);
        fuzz_file_close(&again);
    }
    free(locked);
    fuzz_file_close(&f);
}

/* ---- model.gtm ------------------------------------------------------- */

/* A model that loads must build and run: its shape, parameter count and
 * names have to agree with each other. */
static inline void fuzz_use_model(const SavedModel *sm)
{
    Model m = {0};
    Error err = {0};
    ErrorCode code = modelfile_build_model(sm, &m, 2, &err);
    if (code != ERROR_NONE) {
        if (code != ERROR_INPUT || !err.msg[0])
            FUZZ_FAIL("modelfile_build_model: code %d: %s\n", (int)code, err.msg);
        return;
    }
    if (m.shape.sizes[0] != sm->d) FUZZ_FAIL("the model's inputs differ from d\n");
    float *x = calloc(2 * (size_t)(sm->d > 0 ? sm->d : 1), sizeof *x);
    if (!x) FUZZ_FAIL("out of memory\n");
    model_forward(&m, x, 2, false, NULL);
    int pred[2];
    float value[2];
    model_predict_rows(&m, 2, pred, value);
    if (sm->task == TASK_CLASSIFICATION)
        for (int i = 0; i < 2; i++)
            if (pred[i] < 0 || pred[i] >= (sm->n_classes > 1 ? sm->n_classes : 2))
                FUZZ_FAIL("predicted class %d of %d\n", pred[i], sm->n_classes);
    free(x);
    model_free(&m);
}

static inline void fuzz_load_model(const uint8_t *data, size_t n)
{
    FuzzFile f;
    fuzz_file_open(&f, data, n);
    SavedModel sm;
    Error err = {0};
    ErrorCode code = modelfile_load(&sm, f.path, &err);
    fuzz_check("modelfile_load", code, &err, f.path);
    if (code == ERROR_NONE) fuzz_use_model(&sm);
    modelfile_free(&sm);
    fuzz_file_close(&f);
}

/* The input as it is (mostly stopped by the checksum), then with its last
 * four bytes replaced by the right CRC-32C, so that mutations reach the
 * section parsers. */
static inline void fuzz_model(const uint8_t *data, size_t n)
{
    fuzz_load_model(data, n);
    if (n < 4) return;
    uint8_t *fixed = malloc(n);
    if (!fixed) FUZZ_FAIL("out of memory\n");
    memcpy(fixed, data, n);
    uint32_t crc = crc32c(fixed, n - 4);
    for (int i = 0; i < 4; i++) fixed[n - 4 + (size_t)i] = (uint8_t)(crc >> (8 * i));
    if (memcmp(fixed, data, n) != 0) fuzz_load_model(fixed, n);
    free(fixed);
}

/* ---- tfevents -------------------------------------------------------- */

typedef struct {
    TfeScalar *s;
    size_t n, cap;
} FuzzScalars;

static inline void fuzz_read_scalars(TfeReader *r, FuzzScalars *out)
{
    TfeScalar s;
    while (tfevents_reader_next(r, &s)) {
        if (out->n == FUZZ_TFE_MAX_SCALARS) FUZZ_FAIL("the reader does not end\n");
        if (!memchr(s.tag, '\0', sizeof s.tag)) FUZZ_FAIL("an unterminated tag\n");
        if (out->n == out->cap) {
            size_t cap = out->cap ? 2 * out->cap : 64;
            TfeScalar *p = realloc(out->s, cap * sizeof *p);
            if (!p) FUZZ_FAIL("out of memory\n");
            out->s = p;
            out->cap = cap;
        }
        out->s[out->n++] = s;
    }
}

static inline bool fuzz_same_scalar(const TfeScalar *a, const TfeScalar *b)
{
    return strcmp(a->tag, b->tag) == 0 && a->step == b->step &&
           memcmp(&a->wall_time, &b->wall_time, sizeof a->wall_time) == 0 &&
           memcmp(&a->value, &b->value, sizeof a->value) == 0;
}

/*
 * One buffer read three ways that must agree: from memory in one go; from
 * a file that holds the first part when the reader starts and the rest
 * after it has reached the end (a writer still running); the file read
 * reaches the same scalars and the same offset.
 */
static inline void fuzz_read_events(const uint8_t *data, size_t n, size_t cut)
{
    TfeReader *r;
    Error err = {0};
    if (tfevents_reader_open_mem(&r, data, n, &err) != ERROR_NONE)
        FUZZ_FAIL("tfevents_reader_open_mem: %s\n", err.msg);
    FuzzScalars whole = {0};
    fuzz_read_scalars(r, &whole);
    if (tfevents_reader_offset(r) > n) FUZZ_FAIL("the reader's offset is past the data\n");
    uint64_t offset = tfevents_reader_offset(r);
    size_t records = tfevents_reader_records(r);
    tfevents_reader_close(r);

    FuzzFile f;
    fuzz_file_open(&f, data, cut);
    ErrorCode code = tfevents_reader_open(&r, f.path, &err);
    if (code != ERROR_NONE) FUZZ_FAIL("tfevents_reader_open: %s\n", err.msg);
    FuzzScalars grown = {0};
    fuzz_read_scalars(r, &grown);
    fuzz_file_append(&f, data + cut, n - cut);
    fuzz_read_scalars(r, &grown);
    if (grown.n != whole.n)
        FUZZ_FAIL("a file read in two parts gave %zu scalars, in one %zu\n", grown.n, whole.n);
    for (size_t i = 0; i < whole.n; i++)
        if (!fuzz_same_scalar(&whole.s[i], &grown.s[i]))
            FUZZ_FAIL("scalar %zu differs between the file read in two parts and in one\n", i);
    if (tfevents_reader_offset(r) != offset || tfevents_reader_records(r) != records)
        FUZZ_FAIL("offset/records differ: %llu/%zu vs %llu/%zu\n",
                  (unsigned long long)tfevents_reader_offset(r), tfevents_reader_records(r),
                  (unsigned long long)offset, records);
    tfevents_reader_close(r);
    fuzz_file_close(&f);
    free(whole.s);
    free(grown.s);
}

/* The input as it is, then with every record's two CRCs made right (walking
 * the lengths the input gives), so mutations reach the protobuf decoder. */
static inline void fuzz_tfevents(const uint8_t *data, size_t n)
{
    size_t cut = n ? (size_t)data[0] * n / 256 : 0;
    fuzz_read_events(data, n, cut);
    uint8_t *fixed = malloc(n ? n : 1);
    if (!fixed) FUZZ_FAIL("out of memory\n");
    if (n) memcpy(fixed, data, n);
    size_t off = 0;
    while (n - off >= 16) {
        uint64_t len = 0;
        for (int i = 7; i >= 0; i--) len = len << 8 | fixed[off + (size_t)i];
        if (len > n - off - 16) break;
        tfevents_frame_header(fixed + off, len);
        tfevents_frame_footer(fixed + off + 12 + len, fixed + off + 12, (size_t)len);
        off += 16 + (size_t)len;
    }
    if (n && memcmp(fixed, data, n) != 0) fuzz_read_events(fixed, n, cut);
    free(fixed);
}

/* ---- a sweep's --space ------------------------------------------------ */

/* A refusal of a spec: ERROR_INPUT with a message that names --space. */
static inline void fuzz_space_refused(const char *what, ErrorCode code, const Error *err)
{
    if (code != ERROR_INPUT)
        FUZZ_FAIL("%s: returned code %d (want ERROR_NONE or ERROR_INPUT): %s\n", what, (int)code,
                  err->msg);
    if (!strstr(err->msg, "--space"))
        FUZZ_FAIL("%s: a refusal that names no --space: %s\n", what, err->msg);
}

/* A sampled trial: options any command would take, each active value
 * formatted as options_set takes it and giving the same options back. */
static inline void fuzz_space_trial(const SweepSpace *sp, const SweepConfig *c, const Options *o)
{
    Error err = {0};
    if (options_validate(o, &err) != ERROR_NONE)
        FUZZ_FAIL("a sampled trial's options are not valid: %s\n", err.msg);
    for (int i = 0; i < sp->n; i++) {
        char text[256];
        sweep_value_format(sp, i, &c->v[i], text, sizeof text);
        if (!c->v[i].active) {
            if (strcmp(text, "-") != 0) FUZZ_FAIL("an inactive value formats as '%s'\n", text);
            continue;
        }
        Options again = *o;
        if (options_set(&again, sp->p[i].spec, text, NULL, &err) != ERROR_NONE)
            FUZZ_FAIL("--%s: the value '%s' a trial shows is refused: %s\n", sp->p[i].spec->name,
                      text, err.msg);
        if (memcmp(&again, o, sizeof again) != 0)
            FUZZ_FAIL("--%s: the value '%s' a trial shows sets other options than it had\n",
                      sp->p[i].spec->name, text);
    }
}

/* The input as a --space spec (up to its first NUL): parsed, then checked
 * for each sampler; a space that passes is sampled (grid: its first, middle
 * and last points; random and TPE: 12 trials, TPE learning from the ones
 * before with made-up figures), and every trial must be valid options. */
static inline void fuzz_space(const uint8_t *data, size_t n)
{
    char *spec = malloc(n + 1);
    SweepSpace *sp = malloc(sizeof *sp);
    if (!spec || !sp) FUZZ_FAIL("out of memory\n");
    if (n) memcpy(spec, data, n);
    spec[n] = '\0';
    Error err = {0};
    ErrorCode code = sweep_space_parse(sp, spec, &err);
    if (code != ERROR_NONE) {
        fuzz_space_refused("sweep_space_parse", code, &err);
        free(sp);
        free(spec);
        return;
    }
    Options base;
    options_default(&base);
    snprintf(base.dataset, sizeof base.dataset, "iris");
    SweepConfig c[12];
    for (int kind = SWEEP_SAMPLER_GRID; kind <= SWEEP_SAMPLER_TPE; kind++) {
        code = sweep_space_check(sp, &base, (SweepSamplerKind)kind, &err);
        if (code != ERROR_NONE) {
            fuzz_space_refused("sweep_space_check", code, &err);
            continue;
        }
        SweepSampler sm;
        sweep_sampler_default(&sm, (SweepSamplerKind)kind, n, MONITOR_VAL_LOSS);
        int trials[12], n_trials = 12;
        for (int t = 0; t < 12; t++) trials[t] = t;
        if (kind == SWEEP_SAMPLER_GRID) {
            size_t size = 0;
            code = sweep_grid_size(sp, &base, &size, &err);
            if (code != ERROR_NONE) {
                fuzz_space_refused("sweep_grid_size", code, &err);
                continue;
            }
            if (size < 1) FUZZ_FAIL("a grid the checks passed has no point\n");
            n_trials = 3;
            trials[0] = 0, trials[1] = (int)(size / 2), trials[2] = (int)(size - 1);
        }
        SweepObservation obs[12];
        for (int k = 0; k < n_trials; k++) {
            Options o;
            code = sweep_sample(&sm, sp, &base, trials[k], obs, k, &c[k], &o, &err);
            if (code != ERROR_NONE)
                FUZZ_FAIL("sweep_sample of trial %d (%s): %s\n", trials[k],
                          sweep_sampler_names[kind], err.msg);
            fuzz_space_trial(sp, &c[k], &o);
            obs[k] = (SweepObservation){&c[k], (double)(k * 7 % 5), k % 2 == 0, 1 + k % 3};
        }
    }
    free(sp);
    free(spec);
}

/* ---- a sweep directory's trials.csv (--resume) ---------------------- */

/* The sweep the trials.csv inputs belong to: iris over this space, 8
 * trials of at most 9 epochs; its header is the one a sweep writes. */
#define FUZZ_TRIALS_SPACE                                                                          \
    "lr=loguniform(1e-3,3e-1); batch-size=choice(8|16|32); optimizer=choice(adam|sgd); "           \
    "momentum=uniform(0,0.9)"
#define FUZZ_TRIALS_HEADER                                                                         \
    "trial,status,rung,epochs,target,best_epoch,best_val_loss,loss,accuracy,val_loss,val_"         \
    "accuracy,lr,batch-size,optimizer,momentum,run\n"

static char fuzz_sweep_dir[96];

static void fuzz_sweep_dir_remove(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/trials.csv", fuzz_sweep_dir);
    unlink(path);
    rmdir(fuzz_sweep_dir);
}

/* One resume of the sweep under scheduler sched from trials.csv = text:
 * accepted, with every trial's figures and options within the sweep's
 * bounds, or refused as bad input naming trials.csv. */
static inline void fuzz_trials_once(const char *text, size_t n, int sched)
{
    static PreparedData data;
    static bool ready;
    Options o;
    options_default(&o);
    snprintf(o.dataset, sizeof o.dataset, "iris");
    snprintf(o.space, sizeof o.space, "%s", FUZZ_TRIALS_SPACE);
    o.scheduler = sched;
    o.trials = 8;
    o.max_epochs = 9;
    o.min_epochs = 2;
    o.parallel = 1;
    o.hp.patience = 0;
    Error err = {0};
    if (!ready) {
        if (prepared_open(&data, &o, NULL, &err) != ERROR_NONE)
            FUZZ_FAIL("iris did not load: %s\n", err.msg);
        snprintf(fuzz_sweep_dir, sizeof fuzz_sweep_dir, "%s/gradtop-fuzz-sweep-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (strlen(fuzz_sweep_dir) >= sizeof fuzz_sweep_dir - 1 || !mkdtemp(fuzz_sweep_dir))
            FUZZ_FAIL("no scratch sweep directory\n");
        atexit(fuzz_sweep_dir_remove);
        ready = true;
    }
    char path[128];
    snprintf(path, sizeof path, "%s/trials.csv", fuzz_sweep_dir);
    FILE *f = fopen(path, "w");
    if (!f || fwrite(text, 1, n, f) != n || fclose(f) != 0) FUZZ_FAIL("%s: not written\n", path);
    SweepExec *x = calloc(1, sizeof *x);
    if (!x) FUZZ_FAIL("out of memory\n");
    if (sweep_exec_init(x, &o, &data, fuzz_sweep_dir, NULL, &err) != ERROR_NONE)
        FUZZ_FAIL("sweep_exec_init: %s\n", err.msg);
    ErrorCode code = sweep_exec_resume(x, &err);
    if (code != ERROR_NONE && (code != ERROR_INPUT || !strstr(err.msg, "trials.csv")))
        FUZZ_FAIL("sweep_exec_resume: code %d, a message naming no trials.csv: %s\n", (int)code,
                  err.msg);
    if (code == ERROR_NONE) {
        if (x->n_started < 0 || x->n_started > x->n_trials)
            FUZZ_FAIL("%d trials read back of %d\n", x->n_started, x->n_trials);
        for (int i = 0; i < x->n_started; i++) {
            const SweepTrial *t = &x->trials[i];
            if (t->epochs < 0 || t->epochs > o.max_epochs || t->target < 0 ||
                t->target > o.max_epochs || t->best_epoch < 0 || t->best_epoch > o.max_epochs)
                FUZZ_FAIL("trial %d read back with epochs %d, target %d, best epoch %d\n", i,
                          t->epochs, t->target, t->best_epoch);
            Error verr = {0};
            if (t->status != TRIAL_FAILED && options_validate(&t->opt, &verr) != ERROR_NONE)
                FUZZ_FAIL("trial %d read back with options that are not valid: %s\n", i, verr.msg);
        }
    }
    sweep_exec_free(x);
    free(x);
}

/* The first byte picks the scheduler (none, asha, median), the rest is
 * trials.csv: as it is, then with its first line made the header the
 * sweep expects, so that mutations reach the rows. */
static inline void fuzz_trials(const uint8_t *data, size_t n)
{
    int sched = n ? (int)(data[0] % 3) : 0;
    const char *text = n ? (const char *)data + 1 : "";
    size_t len = n ? n - 1 : 0;
    fuzz_trials_once(text, len, sched);
    const char *nl = memchr(text, '\n', len);
    size_t rest = nl ? len - (size_t)(nl + 1 - text) : 0;
    size_t hl = strlen(FUZZ_TRIALS_HEADER);
    char *fixed = malloc(hl + rest + 1);
    if (!fixed) FUZZ_FAIL("out of memory\n");
    memcpy(fixed, FUZZ_TRIALS_HEADER, hl);
    if (rest) memcpy(fixed + hl, nl + 1, rest);
    if (hl + rest != len || memcmp(fixed, text, len) != 0)
        fuzz_trials_once(fixed, hl + rest, sched);
    free(fixed);
}

/* ---- a run directory read by `gradtop view` ------------------------- */

/* The run's files, in the order an input gives them (fuzz_runset). */
static const char *const fuzz_run_files[] = {"metrics.csv", "journal.txt", "config.txt",
                                             "events.out.tfevents.1796693221.fuzz"};
#define FUZZ_RUN_FILES (sizeof fuzz_run_files / sizeof fuzz_run_files[0])
/* What separates the files' texts in an input. */
#define FUZZ_RUN_SEP "\n~~~\n"

static char fuzz_logdir[96], fuzz_rundir[160];

static void fuzz_rundir_remove(void)
{
    for (size_t k = 0; k < FUZZ_RUN_FILES; k++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", fuzz_rundir, fuzz_run_files[k]);
        unlink(path);
    }
    rmdir(fuzz_rundir);
    rmdir(fuzz_logdir);
}

/* Writes data[0..n) at the end of the run's file k (made when new). */
static inline void fuzz_run_write(size_t k, const uint8_t *data, size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", fuzz_rundir, fuzz_run_files[k]);
    FILE *f = fopen(path, "ab");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0)
        FUZZ_FAIL("%s: not written\n", path);
}

/* What a RunSet holds after a read must be whole: terminated strings,
 * series within their bounds, sortable, filterable and comparable. */
static inline void fuzz_check_runset(RunSet *rs)
{
    if (rs->n_runs > 1) FUZZ_FAIL("%zu runs found in a log directory of one\n", rs->n_runs);
    for (size_t i = 0; i < rs->n_runs; i++) {
        const RunInfo *r = rs->runs[i];
        if (!memchr(r->status, '\0', sizeof r->status) ||
            !memchr(r->dataset, '\0', sizeof r->dataset) ||
            !memchr(r->best_tag, '\0', sizeof r->best_tag) ||
            !memchr(r->last_warning, '\0', sizeof r->last_warning))
            FUZZ_FAIL("an unterminated string in a run\n");
        for (size_t j = 0; j < r->n_series; j++) {
            const RunSeries *sr = &r->series[j];
            if (!sr->tag || sr->n > sr->cap || sr->n > rs->max_points)
                FUZZ_FAIL("series %zu: %zu points of %zu\n", j, sr->n, sr->cap);
            if (runinfo_series(r, sr->tag) == NULL) FUZZ_FAIL("series '%s' not found\n", sr->tag);
        }
        for (size_t j = 0; j < r->n_marks; j++)
            if (!memchr(r->marks[j].kind, '\0', sizeof r->marks[j].kind) ||
                !memchr(r->marks[j].text, '\0', sizeof r->marks[j].text))
                FUZZ_FAIL("mark %zu: an unterminated string\n", j);
        if (r->best_tag[0] && !runinfo_series(r, r->best_tag))
            FUZZ_FAIL("the best figure's series '%s' is not the run's\n", r->best_tag);
    }
    RunInfo **runs = calloc(rs->n_runs + 1, sizeof *runs);
    if (!runs) FUZZ_FAIL("out of memory\n");
    size_t n = 0;
    Error err = {0};
    if (runset_filter(rs, "iris|running|^2026", runs, &n, &err) != ERROR_NONE)
        FUZZ_FAIL("runset_filter: %s\n", err.msg);
    if (runset_filter(rs, NULL, runs, &n, &err) != ERROR_NONE || n != rs->n_runs)
        FUZZ_FAIL("runset_filter of every run: %s\n", err.msg);
    for (int key = RUN_SORT_START; key <= RUN_SORT_STATUS; key++) {
        runinfo_sort(runs, n, (RunSortKey)key, false);
        runinfo_sort(runs, n, (RunSortKey)key, true);
    }
    RunDiff d;
    if (rundiff_build(&d, runs, n, &err) != ERROR_NONE) FUZZ_FAIL("rundiff_build: %s\n", err.msg);
    for (size_t c = 0; c < d.n_cols; c++)
        for (size_t i = 0; i < d.n_runs; i++)
            if (!memchr(d.cols[c].values[i], '\0', RUN_DIFF_VALUE))
                FUZZ_FAIL("an unterminated option value\n");
    rundiff_free(&d);
    free(runs);
}

/*
 * The input is a gradtop run directory's files, their texts separated by
 * FUZZ_RUN_SEP in the order of fuzz_run_files (an empty or missing text:
 * no such file; the event file is read only without metrics.csv).  They
 * are written in part (the first byte gives the share), read with
 * runset_open as `gradtop view` reads a log directory, then written whole
 * (a run still writing them) and read again with runset_refresh; each
 * read must leave whole runs (fuzz_check_runset).
 */
static inline void fuzz_runset(const uint8_t *data, size_t n)
{
    if (!fuzz_logdir[0]) {
        snprintf(fuzz_logdir, sizeof fuzz_logdir, "%s/gradtop-fuzz-runs-XXXXXX",
                 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (strlen(fuzz_logdir) >= sizeof fuzz_logdir - 1 || !mkdtemp(fuzz_logdir))
            FUZZ_FAIL("no scratch log directory\n");
        snprintf(fuzz_rundir, sizeof fuzz_rundir, "%s/20261208-120000-iris", fuzz_logdir);
        if (mkdir(fuzz_rundir, 0755) != 0) FUZZ_FAIL("%s: not made\n", fuzz_rundir);
        atexit(fuzz_rundir_remove);
    }
    const uint8_t *part[FUZZ_RUN_FILES] = {0};
    size_t len[FUZZ_RUN_FILES] = {0};
    size_t share = n ? data[0] : 0, sl = strlen(FUZZ_RUN_SEP);
    const uint8_t *p = n ? data + 1 : data, *end = data + n;
    for (size_t k = 0; k < FUZZ_RUN_FILES && p < end; k++) {
        const uint8_t *sep = memmem(p, (size_t)(end - p), FUZZ_RUN_SEP, sl);
        part[k] = p;
        len[k] = sep ? (size_t)(sep - p) : (size_t)(end - p);
        p = sep ? sep + sl : end;
    }
    for (size_t k = 0; k < FUZZ_RUN_FILES; k++)
        if (len[k]) fuzz_run_write(k, part[k], len[k] * share / 256);
    RunSet rs;
    Error err = {0};
    if (runset_open(&rs, fuzz_logdir, &err) != ERROR_NONE) FUZZ_FAIL("runset_open: %s\n", err.msg);
    fuzz_check_runset(&rs);
    for (size_t k = 0; k < FUZZ_RUN_FILES; k++) {
        size_t cut = len[k] * share / 256;
        if (len[k] > cut) fuzz_run_write(k, part[k] + cut, len[k] - cut);
    }
    runset_refresh(&rs);
    fuzz_check_runset(&rs);
    runset_free(&rs);
    for (size_t k = 0; k < FUZZ_RUN_FILES; k++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", fuzz_rundir, fuzz_run_files[k]);
        unlink(path);
    }
}

#endif
