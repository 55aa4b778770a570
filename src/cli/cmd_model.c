/*
 * cmd_model.c - `gradtop eval` and `gradtop predict`: a saved model on a
 * dataset.
 *
 * The dataset is read with the options the model was trained with (its
 * stored config: delimiter, label column, missing-value policy), unless the
 * command line gives them.  Feature columns are matched to the model's by
 * name when the file has a header, features normalized with the stored
 * statistics and classes matched by name.  predict writes one row per input
 * row: a row it cannot predict (a missing value under --missing drop) gets
 * an empty one and a warning.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "gradtop/io/atomicfile.h"
#include "gradtop/data/features.h"
#include "gradtop/run/modelfile.h"
#include "gradtop/run/prepared.h"
#include "gradtop/run/trainer.h"
#include "output.h"
#include "watched.h"

/* Chunk of rows per forward pass. */
#define CHUNK 256
/* Rows without a prediction warned about one by one; the rest are counted. */
#define MAX_ROW_WARNINGS 10
/* The widest class name in eval's table, in bytes. */
#define CLASS_WIDTH 20

/* Whether paths a and b name one existing file (a link to it included). */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* The run's options from the model, with the command line's on top. */
static int run_options(const SavedModel *sm, const char *path, const Options *cli, const CliArgs *a,
                       Options *run)
{
    Error err = {0};
    options_default(run);
    if (options_load_text(run, sm->config_text, path, NULL, &err)) {
        fprintf(stderr, "gradtop: %s: stored options: %s\n", path, err.msg);
        return EXIT_USAGE;
    }
    /* The run's IDX labels file pairs with the run's own images only:
     * other data finds its labels beside it, and CSV data has a column. */
    const OptionSpec *labels = options_find("labels");
    if (!a->locked[labels - option_table] && run->labels[0] &&
        !same_file(run->dataset, cli->dataset))
        run->labels[0] = '\0';
    if (cli_overlay(run, cli, a)) return EXIT_USAGE;
    snprintf(run->dataset, sizeof run->dataset, "%s", cli->dataset);
    return EXIT_OK;
}

static int load_model(const CliArgs *a, const char *command, SavedModel *sm)
{
    if (!a->model) {
        fprintf(stderr, "gradtop %s: --model FILE is required\n", command);
        cli_hint(stderr, command);
        return EXIT_USAGE;
    }
    Error err = {0};
    if (modelfile_load(sm, a->model, &err)) {
        fprintf(stderr, "gradtop: %s\n", err.msg);
        return err.code == ERROR_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
    }
    return EXIT_OK;
}

/* The columns the data gives the model: its features, or under --features
 * the two (x1, x2) they are made from. */
static int input_columns(const SavedModel *sm, const Options *run)
{
    return run->features != FEATURES_RAW ? 2 : sm->d;
}

/* A model trained with --features sees what they make of the data's two
 * columns (the stored features, which the command line cannot change). */
static ErrorCode apply_features(const SavedModel *sm, const Options *run, Dataset *ds, Error *err)
{
    if (run->features == FEATURES_RAW) return ERROR_NONE;
    if (ds->d != 2) {
        char list[128];
        features_format(run->features, list, sizeof list);
        return error_set(err, ERROR_INPUT,
                         "%s: %d feature columns, but the model takes two (x1, x2), from which "
                         "it makes its %d inputs (--features %s)",
                         ds->source, ds->d, sm->d, list);
    }
    return dataset_transform_features(ds, run->features, err);
}

static int exit_for(const Error *err)
{
    return err->code == ERROR_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
}

/* What eval and predict share: the dataset argument, the model file, the
 * run's options under the command line's, and the dataset options they
 * imply.  On failure prints why and returns the exit code; sm is then
 * freed. */
static int open_model(const Options *o, const CliArgs *a, const char *command, SavedModel *sm,
                      Options *run, DatasetOptions *dopt)
{
    if (!o->dataset[0]) {
        fprintf(stderr, "gradtop %s: no dataset given\n", command);
        cli_hint(stderr, command);
        return EXIT_USAGE;
    }
    int rc = load_model(a, command, sm);
    if (rc) return rc;
    rc = run_options(sm, a->model, o, a, run);
    if (rc) {
        modelfile_free(sm);
        return rc;
    }
    *dopt = prepared_dataset_options(run, cli_exe_dir());
    dopt->task = (int)sm->task;
    /* Without --label, a header column of the label's name is the label,
     * wherever it is: columns are matched by name. */
    if (!run->label[0] && sm->label_name[0]) dopt->label_hint = sm->label_name;
    return EXIT_OK;
}

/* --part re-creates the run's split on the data given: said when that is
 * not the run's own file, whose rows the split would pick. */
static void warn_other_data(const SavedModel *sm, const char *model, const char *source,
                            const char *part)
{
    Options *stored = malloc(sizeof *stored); /* tens of KB: not on the stack */
    if (!stored) return;
    options_default(stored);
    Error ignored = {0};
    if (options_load_text(stored, sm->config_text, model, NULL, &ignored) != ERROR_NONE ||
        !stored->dataset[0] || !strcmp(stored->dataset, source)) {
        free(stored);
        return;
    }
    /* a bare name (iris) stands for the file the loader finds for it */
    char named[PATH_MAX];
    const char *own = dataset_named_file(stored->dataset, cli_exe_dir(), named, sizeof named)
                          ? named
                          : stored->dataset;
    if (!same_file(own, source))
        fprintf(stderr,
                "gradtop: warning: --part %s re-creates the split of the run's own data (%s); "
                "%s is another file: unless it holds the same rows in the same order, these "
                "are not the rows the run %s\n",
                part, stored->dataset, source,
                strcmp(part, "val") == 0 ? "held out" : "trained on");
    free(stored);
}

int cmd_eval(const Options *o, const CliArgs *a)
{
    const char *part = a->part ? a->part : "all";
    if (strcmp(part, "all") && strcmp(part, "train") && strcmp(part, "val")) {
        fprintf(stderr,
                "gradtop eval: --part: unknown value '%s' (expected one of all|train|val)\n", part);
        return EXIT_USAGE;
    }
    SavedModel sm;
    Options run;
    DatasetOptions dopt;
    int rc = open_model(o, a, "eval", &sm, &run, &dopt);
    if (rc) return rc;
    Dataset ds, train, val;
    Model m;
    memset(&m, 0, sizeof m);
    Error err = {0};
    if (dataset_load(&ds, run.dataset, &dopt, &err)) {
        fprintf(stderr, "gradtop: %s\n", err.msg);
        dataset_free(&ds);
        modelfile_free(&sm);
        return exit_for(&err);
    }
    if (apply_features(&sm, &run, &ds, &err)) goto fail;
    Dataset *target = &ds;
    /* The run's own split, from its stored seed and share: the same rows
     * that training scored as its validation part. */
    if (strcmp(part, "all")) {
        warn_other_data(&sm, a->model, ds.source, part);
        if (dataset_split(&ds, run.val_split, run.seed, &train, &val, &err)) goto fail;
        target = strcmp(part, "val") == 0 ? &val : &train;
        if (target->n == 0) {
            error_set(&err, ERROR_INPUT, "the run had no %s part (--val-split %g)", part,
                      run.val_split);
            goto fail;
        }
    }
    if (modelfile_prepare_dataset(&sm, &ds, &err)) goto fail;
    if (target != &ds) {
        target->target_shift = ds.target_shift;
        target->target_scale = ds.target_scale;
    }
    if (modelfile_build_model(&sm, &m, CHUNK, &err)) goto fail;
    m.l1 = run.hp.l1;
    m.l2 = run.hp.l2;
    EpochMetrics em;
    trainer_evaluate(&m, target, &em);
    if (!isfinite(em.loss)) {
        /* finite inputs, yet the network's outputs overflowed: extreme
         * weights or normalizer against these values; no figure to give */
        error_set(&err, ERROR_INPUT,
                  "%s: the model's outputs overflow on %s (the loss is %s): its weights or "
                  "normalizer take these values beyond the range of a float",
                  a->model, ds.source, isnan(em.loss) ? "NaN" : "infinite");
        goto fail;
    }
    /* Scored rows only: say how many were left out, here and in the result. */
    char dropped[96] = "";
    if (ds.dropped_rows) {
        fprintf(stderr,
                "gradtop: warning: %s: %zu row%s with missing values dropped (--missing drop), "
                "not scored\n",
                ds.source, ds.dropped_rows, ds.dropped_rows == 1 ? "" : "s");
        snprintf(dropped, sizeof dropped, " dropped=%zu", ds.dropped_rows);
        printf("eval %s on %s (%s, %zu row%s; %zu with missing values dropped)\n", a->model,
               ds.source, part, target->n, target->n == 1 ? "" : "s", ds.dropped_rows);
    } else {
        printf("eval %s on %s (%s, %zu row%s)\n", a->model, ds.source, part, target->n,
               target->n == 1 ? "" : "s");
    }
    if (sm.task == TASK_CLASSIFICATION) {
        /* Per-class precision and recall from the predictions. */
        size_t k = (size_t)sm.n_classes;
        size_t *tp = calloc(k, sizeof *tp), *pred_n = calloc(k, sizeof *pred_n),
               *true_n = calloc(k, sizeof *true_n);
        int pred[CHUNK];
        if (tp && pred_n && true_n) {
            for (size_t pos = 0; pos < target->n; pos += CHUNK) {
                int B = (int)(target->n - pos < CHUNK ? target->n - pos : CHUNK);
                model_forward(&m, target->x + pos * (size_t)target->d, B, false, NULL);
                model_predict_rows(&m, B, pred, NULL);
                for (int r = 0; r < B; r++) {
                    int y = target->labels[pos + (size_t)r];
                    pred_n[pred[r]]++;
                    true_n[y]++;
                    tp[y] += pred[r] == y;
                }
            }
            printf("\n  %-*s %9s %9s %9s\n", CLASS_WIDTH, "class", "precision", "recall",
                   "support");
            for (size_t c = 0; c < k; c++) {
                char name[CLASS_WIDTH + 1];
                error_escape(name, sizeof name, sm.class_names[c], strlen(sm.class_names[c]));
                printf("  ");
                output_pad(name, CLASS_WIDTH);
                printf(" %9.4f %9.4f %9zu\n", pred_n[c] ? (double)tp[c] / (double)pred_n[c] : 0.0,
                       true_n[c] ? (double)tp[c] / (double)true_n[c] : 0.0, true_n[c]);
            }
            printf("\n");
        }
        free(tp);
        free(pred_n);
        free(true_n);
        printf("result: rows=%zu%s loss=%.4f accuracy=%.4f\n", target->n, dropped, em.loss,
               em.accuracy);
    } else {
        printf("result: rows=%zu%s loss=%.4f mae=%.4f r2=%.4f\n", target->n, dropped, em.loss,
               em.mae, em.r2);
    }
    model_free(&m);
    dataset_free(&ds);
    modelfile_free(&sm);
    return output_finish_stdout();
fail:
    fprintf(stderr, "gradtop: %s\n", err.msg);
    model_free(&m);
    dataset_free(&ds);
    modelfile_free(&sm);
    return exit_for(&err);
}

/* Writes prefix then s as one CSV field, quoted when it needs to be (RFC
 * 4180): for the delimiter, a quote or a line end inside, blanks at either
 * end (which readers, gradtop's own among them, would trim), or an empty
 * field, which a reader would take for a blank line when it is alone on
 * its line. */
static void put_field(FILE *f, const char *prefix, const char *s)
{
    size_t n = strlen(s);
    bool quote = (!prefix[0] && n == 0) || strpbrk(prefix, ",\"\r\n") || strpbrk(s, ",\"\r\n") ||
                 (prefix[0] ? prefix[0] : s[0]) == ' ' || (prefix[0] ? prefix[0] : s[0]) == '\t' ||
                 (n && (s[n - 1] == ' ' || s[n - 1] == '\t'));
    if (!quote) {
        fputs(prefix, f);
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (int part = 0; part < 2; part++)
        for (const char *p = part ? s : prefix; *p; p++) {
            if (*p == '"') fputc('"', f);
            fputc(*p, f);
        }
    fputc('"', f);
}

/* The first row (skip[i] rows aside) whose outputs are not finite, or -1:
 * finite inputs, yet extreme weights or normalizer overflowed the network.
 * A pass of its own, so that nothing is written when one does. */
static long first_overflow(Model *m, const Dataset *ds, const bool *skip)
{
    int O = m->shape.sizes[m->shape.n_layers];
    for (size_t pos = 0; pos < ds->n; pos += CHUNK) {
        int B = (int)(ds->n - pos < CHUNK ? ds->n - pos : CHUNK);
        const float *out = model_forward(m, ds->x + pos * (size_t)ds->d, B, false, NULL);
        for (int r = 0; r < B; r++) {
            if (skip && skip[pos + (size_t)r]) continue;
            for (int c = 0; c < O; c++)
                if (!isfinite(out[(size_t)r * O + c])) return (long)(pos + (size_t)r);
        }
    }
    return -1;
}

/* The errno of a write to f that failed since errno was cleared, or 0.
 * Read straight after the writes: stdio keeps only that one failed, a later
 * flush of the buffer it emptied may well succeed, and the math of the
 * next forward pass may set errno (ERANGE) on its own. */
static int write_error(FILE *f)
{
    return ferror(f) ? (errno ? errno : EIO) : 0;
}

/* One output row: row r of the chunk whose outputs are out, pred and val. */
static void write_row(FILE *f, const SavedModel *sm, const Model *m, const float *out,
                      const int *pred, const float *val, int r, bool skipped)
{
    bool cls = sm->task == TASK_CLASSIFICATION;
    if (skipped) {
        fputs("\"\"", f);
        for (int c = 0; cls && c < sm->n_classes; c++) fputc(',', f);
        fputc('\n', f);
    } else if (!cls) {
        double y = val[r];
        if (sm->target_scale > 0) y = y / sm->target_scale + sm->target_shift;
        fprintf(f, "%.9g\n", y);
    } else {
        put_field(f, "", sm->class_names[pred[r]]);
        if (m->shape.output == OUTPUT_SIGMOID) {
            double p = out[r];
            fprintf(f, ",%.6g,%.6g\n", 1.0 - p, p);
        } else {
            int O = m->shape.sizes[m->shape.n_layers];
            for (int c = 0; c < O; c++) fprintf(f, ",%.6g", out[(size_t)r * O + c]);
            fputc('\n', f);
        }
    }
}

/* skip[i]: row i has no prediction; its line has empty fields (the first
 * written "" so that the line is never blank).  Returns 0, or the errno of
 * the first write that failed, where the output stops; it stops too, at a
 * row's end, once *stop is set (stop may be NULL). */
static int write_predictions(FILE *f, const SavedModel *sm, Model *m, const Dataset *ds,
                             const bool *skip, atomic_bool *stop)
{
    errno = 0;
    fputs("prediction", f);
    if (sm->task == TASK_CLASSIFICATION) {
        for (int c = 0; c < sm->n_classes; c++) {
            fputc(',', f);
            put_field(f, "p_", sm->class_names[c]);
        }
    }
    fputc('\n', f);
    int e = write_error(f);
    int pred[CHUNK];
    float val[CHUNK];
    for (size_t pos = 0; pos < ds->n && !e && !(stop && atomic_load(stop)); pos += CHUNK) {
        int B = (int)(ds->n - pos < CHUNK ? ds->n - pos : CHUNK);
        const float *out = model_forward(m, ds->x + pos * (size_t)ds->d, B, false, NULL);
        model_predict_rows(m, B, pred, val);
        for (int r = 0; r < B && !e && !(stop && atomic_load(stop)); r++) {
            errno = 0;
            write_row(f, sm, m, out, pred, val, r, skip && skip[pos + (size_t)r]);
            e = write_error(f);
        }
    }
    return e;
}

/* The first feature of row i that is missing (NaN), or -1. */
static int first_gap(const Dataset *ds, size_t i)
{
    const float *row = ds->x + i * (size_t)ds->d;
    for (int j = 0; j < ds->d; j++)
        if (isnan(row[j])) return j;
    return -1;
}

/*
 * The rows the loader kept with missing values (keep_missing), in the
 * model's feature order.  Under --missing drop each gets no prediction
 * (*skip, allocated here, marks them) and a warning naming its line; under
 * --missing mean each gap gets the training data's mean of its feature:
 * the model's stored means, else (a model file from before they were
 * stored) the standardizer's shift, which is the training part's mean, else
 * this file's own column mean, said on stderr.
 */
static ErrorCode fill_gaps(const SavedModel *sm, Dataset *ds, MissingPolicy policy, bool **skip,
                           size_t *skipped, Error *err)
{
    *skip = NULL;
    *skipped = 0;
    if (ds->missing == 0) return ERROR_NONE;
    size_t d = (size_t)ds->d;
    if (policy == MISSING_DROP) {
        *skip = calloc(ds->n ? ds->n : 1, sizeof **skip);
        if (!*skip) return error_set(err, ERROR_RUNTIME, "out of memory");
        for (size_t i = 0; i < ds->n; i++) {
            int j = first_gap(ds, i);
            if (j < 0) continue;
            (*skip)[i] = true;
            if (++*skipped <= MAX_ROW_WARNINGS) {
                char name[200];
                error_escape(name, sizeof name, ds->feature_names[j], strlen(ds->feature_names[j]));
                fprintf(stderr,
                        "gradtop: warning: %s:%zu: no prediction for this row: column '%s' is "
                        "missing (--missing drop); its output row is left empty\n",
                        ds->source, ds->row_line ? ds->row_line[i] : i + 1, name);
            }
            float *row = ds->x + i * d;
            for (size_t k = 0; k < d; k++)
                if (isnan(row[k])) row[k] = 0; /* any finite value: the row is not shown */
        }
        if (*skipped > MAX_ROW_WARNINGS)
            fprintf(stderr, "gradtop: warning: %s: %zu more rows without a prediction\n",
                    ds->source, *skipped - MAX_ROW_WARNINGS);
        return ERROR_NONE;
    }
    const float *mean = sm->feature_mean;
    if (!mean && sm->nz.kind == NORMALIZE_STANDARD && sm->nz.shift) mean = sm->nz.shift;
    if (!mean) {
        for (size_t k = 0; k < d; k++)
            if (ds->feature_missing && ds->feature_missing[k] && ds->feature_mean &&
                isnan(ds->feature_mean[k]))
                return error_set(err, ERROR_INPUT,
                                 "%s: column '%s' has no values, and the model stores no mean "
                                 "to fill them with (--missing drop leaves such rows empty)",
                                 ds->source, ds->feature_names[k]);
        fprintf(stderr,
                "gradtop: warning: %s: the model stores no training means; missing values are "
                "filled with this file's column means\n",
                ds->source);
        mean = ds->feature_mean;
    }
    for (size_t i = 0; i < ds->n; i++) {
        float *row = ds->x + i * d;
        for (size_t k = 0; k < d; k++)
            if (isnan(row[k])) row[k] = mean[k];
    }
    return ERROR_NONE;
}

/* A signal once -o's temporary may exist (on the watch's thread): the
 * writing stops at a row's end, and predict removes the temporary. */
static void stop_writing(void *ctx)
{
    atomic_store((atomic_bool *)ctx, true);
}

/* predict; w is the signal watch of a predict -o (NULL without -o). */
static int predict(const Options *o, const CliArgs *a, CliWatch *w)
{
    SavedModel sm;
    Options run;
    DatasetOptions dopt;
    int rc = open_model(o, a, "predict", &sm, &run, &dopt);
    if (rc) return rc;
    Dataset ds;
    Model m;
    memset(&m, 0, sizeof m);
    Error err = {0};
    bool *skip = NULL;
    size_t skipped = 0;
    /* Predictions need no labels: the label column, when the data has it,
     * is skipped unread (empty, missing or a class the model never saw is
     * no reason to refuse a row).  New data may also come without it: as
     * many columns as the model has features means features only.  One
     * pass, so that a pipe works too.  Rows with missing values are kept:
     * every input row gets an output row. */
    DatasetOptions with = dopt;
    with.skip_label = true;
    with.expect_features = input_columns(&sm, &run);
    with.keep_missing = true;
    with.row_lines = true;
    if (dataset_load(&ds, run.dataset, &with, &err) != ERROR_NONE) goto fail;
    if (ds.d == 2 && apply_features(&sm, &run, &ds, &err)) goto fail;
    if (ds.d != sm.d) {
        if (ds.label_column >= 0)
            error_set(&err, ERROR_INPUT,
                      "%s: %d feature columns besides the label column '%s', but the model "
                      "takes %d",
                      ds.source, ds.d, ds.label_name, sm.d);
        else
            error_set(&err, ERROR_INPUT, "%s: %d columns, but the model takes %d features",
                      ds.source, ds.d, sm.d);
        goto fail;
    }
    if (modelfile_match_features(&sm, &ds, &err)) goto fail;
    if (fill_gaps(&sm, &ds, dopt.missing, &skip, &skipped, &err)) goto fail;
    ds.label_column = -1;
    if (modelfile_prepare_dataset(&sm, &ds, &err)) goto fail;
    if (modelfile_build_model(&sm, &m, CHUNK, &err)) goto fail;
    long over = first_overflow(&m, &ds, skip);
    if (over >= 0) {
        error_set(&err, ERROR_INPUT,
                  "%s: the model's outputs overflow on data row %ld of %s: its weights or "
                  "normalizer take these values beyond the range of a float",
                  a->model, over + 1, ds.source);
        goto fail;
    }
    if (a->output && (same_file(a->output, a->model) || same_file(a->output, ds.source))) {
        error_set(&err, ERROR_INPUT,
                  "-o %s is the %s this prediction reads: give another output file", a->output,
                  same_file(a->output, a->model) ? "model file" : "dataset");
        goto fail;
    }
    FILE *f = stdout;
    AtomicFile af;
    atomic_bool stop = false;
    if (a->output) {
        /* From here a signal lets the writing stop and the temporary go,
         * where until now it ended the command at once. */
        if (w && !cli_watch_retarget(w, stop_writing, &stop)) {
            rc = cli_interrupted_exit(w->sig.signal);
            goto out;
        }
        /* Written beside the target and renamed over it: never half a file. */
        int e = atomicfile_open(&af, a->output);
        if (e) {
            error_set(&err, ERROR_RUNTIME, "%s: %s", a->output, strerror(e));
            goto fail;
        }
        f = af.f;
    }
    int we = write_predictions(f, &sm, &m, &ds, skip, a->output ? &stop : NULL);
    if (a->output && atomic_load(&stop)) {
        atomicfile_abandon(&af);
        fprintf(stderr, "gradtop: interrupted: %s is as it was\n", a->output);
        rc = cli_interrupted_exit(w->sig.signal); /* set before stop was */
    } else if (a->output) {
        int e = atomicfile_commit(&af, we);
        if (e) {
            error_set(&err, ERROR_RUNTIME, "%s: %s", a->output, strerror(e));
            goto fail;
        }
        if (skipped)
            fprintf(stderr, "gradtop: wrote %zu rows to %s: %zu predictions, %zu left empty\n",
                    ds.n, a->output, ds.n - skipped, skipped);
        else
            fprintf(stderr, "gradtop: wrote %zu prediction%s to %s\n", ds.n, ds.n == 1 ? "" : "s",
                    a->output);
        rc = EXIT_OK;
    } else if (we) {
        fprintf(stderr, "gradtop: standard output: %s\n", strerror(we));
        rc = EXIT_RUNTIME;
    } else {
        rc = output_finish_stdout();
    }
out:
    free(skip);
    model_free(&m);
    dataset_free(&ds);
    modelfile_free(&sm);
    return rc;
fail:
    fprintf(stderr, "gradtop: %s\n", err.msg);
    free(skip);
    model_free(&m);
    dataset_free(&ds);
    modelfile_free(&sm);
    return exit_for(&err);
}

typedef struct {
    const Options *o;
    const CliArgs *a;
} Predict;

static int predict_watched(CliWatch *w, void *ctx)
{
    const Predict *p = ctx;
    return predict(p->o, p->a, w);
}

int cmd_predict(const Options *o, const CliArgs *a)
{
    /* Standard output is written as it goes, like any filter's, and a
     * signal ends it as usual; -o's temporary must not be left behind. */
    if (!a->output) return predict(o, a, NULL);
    Predict p = {o, a};
    return cli_run_watched("gradtop: interrupted before the predictions were written; nothing "
                           "was written",
                           predict_watched, &p);
}
