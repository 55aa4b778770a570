/*
 * cmd_model.c - `gradtop eval` and `gradtop predict`: a saved model on a
 * dataset.
 *
 * The dataset is read with the options the model was trained with (its
 * stored config: delimiter, label column, missing-value policy), unless the
 * command line gives them.  Features are normalized with the stored
 * statistics and classes matched by name.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gradtop/modelfile.h"
#include "gradtop/session.h"
#include "gradtop/trainer.h"

/* Chunk of rows per forward pass. */
#define CHUNK 256

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
    *dopt = session_dataset_options(run, cli_exe_dir());
    dopt->task = (int)sm->task;
    return EXIT_OK;
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
    Dataset *target = &ds;
    /* The run's own split, from its stored seed and share: the same rows
     * that training scored as its validation part. */
    if (strcmp(part, "all")) {
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
    m.l1 = run.l1;
    m.l2 = run.l2;
    EpochMetrics em;
    trainer_evaluate(&m, target, &em);
    printf("eval %s on %s (%s, %zu rows)\n", a->model, ds.source, part, target->n);
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
            printf("\n  %-20s %9s %9s %9s\n", "class", "precision", "recall", "support");
            for (size_t c = 0; c < k; c++)
                printf("  %-20.20s %9.4f %9.4f %9zu\n", sm.class_names[c],
                       pred_n[c] ? (double)tp[c] / (double)pred_n[c] : 0.0,
                       true_n[c] ? (double)tp[c] / (double)true_n[c] : 0.0, true_n[c]);
            printf("\n");
        }
        free(tp);
        free(pred_n);
        free(true_n);
        printf("result: rows=%zu loss=%.4f accuracy=%.4f\n", target->n, em.loss, em.accuracy);
    } else {
        printf("result: rows=%zu loss=%.4f mae=%.4f r2=%.4f\n", target->n, em.loss, em.mae, em.r2);
    }
    model_free(&m);
    dataset_free(&ds);
    modelfile_free(&sm);
    return EXIT_OK;
fail:
    fprintf(stderr, "gradtop: %s\n", err.msg);
    model_free(&m);
    dataset_free(&ds);
    modelfile_free(&sm);
    return exit_for(&err);
}

/* Writes s as a CSV field, quoted when it needs to be (RFC 4180). */
static void put_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && s[0] != '\0') {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void write_predictions(FILE *f, const SavedModel *sm, Model *m, const Dataset *ds)
{
    bool cls = sm->task == TASK_CLASSIFICATION;
    fputs("prediction", f);
    if (cls) {
        for (int c = 0; c < sm->n_classes; c++) {
            char name[160];
            snprintf(name, sizeof name, "p_%s", sm->class_names[c]);
            fputc(',', f);
            put_field(f, name);
        }
    }
    fputc('\n', f);
    int L = m->shape.n_layers, O = m->shape.sizes[L];
    int pred[CHUNK];
    float val[CHUNK];
    for (size_t pos = 0; pos < ds->n; pos += CHUNK) {
        int B = (int)(ds->n - pos < CHUNK ? ds->n - pos : CHUNK);
        const float *out = model_forward(m, ds->x + pos * (size_t)ds->d, B, false, NULL);
        model_predict_rows(m, B, pred, val);
        for (int r = 0; r < B; r++) {
            if (!cls) {
                double y = val[r];
                if (sm->target_scale > 0) y = y / sm->target_scale + sm->target_shift;
                fprintf(f, "%.9g\n", y);
                continue;
            }
            put_field(f, sm->class_names[pred[r]]);
            if (m->shape.output == OUTPUT_SIGMOID) {
                double p = out[r];
                fprintf(f, ",%.6g,%.6g\n", 1.0 - p, p);
            } else {
                for (int c = 0; c < O; c++) fprintf(f, ",%.6g", out[(size_t)r * O + c]);
                fputc('\n', f);
            }
        }
    }
}

int cmd_predict(const Options *o, const CliArgs *a)
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
    /* Predictions need no labels: the label column, when the data has it,
     * is skipped unread (empty, missing or a class the model never saw is
     * no reason to refuse a row).  New data may also come without it: one
     * column fewer than the model's features plus a label means features
     * only. */
    DatasetOptions with = dopt;
    with.skip_label = true;
    ErrorCode lrc = dataset_load(&ds, run.dataset, &with, &err);
    if (lrc != ERROR_NONE || ds.d != sm.d) {
        Dataset unl;
        DatasetOptions u = dopt;
        u.no_label = true;
        Error uerr = {0};
        if (dataset_load(&unl, run.dataset, &u, &uerr) == ERROR_NONE && unl.d == sm.d) {
            dataset_free(&ds);
            ds = unl;
        } else {
            dataset_free(&unl);
            if (lrc == ERROR_NONE)
                error_set(&err, ERROR_INPUT,
                          "%s: %d feature columns besides the label column '%s', but the model "
                          "takes %d",
                          ds.source, ds.d, ds.label_name, sm.d);
            goto fail;
        }
    }
    ds.label_column = -1;
    if (modelfile_prepare_dataset(&sm, &ds, &err)) goto fail;
    if (modelfile_build_model(&sm, &m, CHUNK, &err)) goto fail;
    FILE *f = stdout;
    char tmp[OPTIONS_PATH + 32];
    if (a->output) {
        /* Written beside the target and renamed over it: never half a file. */
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", a->output, (long)getpid());
        f = fopen(tmp, "w");
        if (!f) {
            error_set(&err, ERROR_RUNTIME, "%s: %s", a->output, strerror(errno));
            goto fail;
        }
    }
    write_predictions(f, &sm, &m, &ds);
    if (a->output) {
        int bad = ferror(f) | (fflush(f) != 0) | (fsync(fileno(f)) != 0);
        bad |= fclose(f) != 0;
        if (bad || rename(tmp, a->output) != 0) {
            error_set(&err, ERROR_RUNTIME, "%s: %s", a->output, strerror(errno));
            unlink(tmp);
            goto fail;
        }
        fprintf(stderr, "gradtop: wrote %zu predictions to %s\n", ds.n, a->output);
    } else if (fflush(stdout) != 0 || ferror(stdout)) {
        error_set(&err, ERROR_RUNTIME, "standard output: %s", strerror(errno));
        goto fail;
    }
    model_free(&m);
    dataset_free(&ds);
    modelfile_free(&sm);
    return EXIT_OK;
fail:
    fprintf(stderr, "gradtop: %s\n", err.msg);
    model_free(&m);
    dataset_free(&ds);
    modelfile_free(&sm);
    return exit_for(&err);
}
