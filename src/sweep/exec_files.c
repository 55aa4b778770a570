/*
 * exec_files.c - the sweep directory's own files: space.txt, trials.csv
 * and best.txt, each replaced whole (atomicfile.h).  See exec.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gradtop/io/atomicfile.h"
#include "gradtop/run/rundir.h"
#include "gradtop/sweep/exec.h"

ErrorCode sweep_dir_make(const Options *o, const char *dataset, char *out, size_t cap, Error *err)
{
    char name[160];
    snprintf(name, sizeof name, "sweep%s%s", o->name[0] ? "-" : "", o->name);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return rundir_make_dir(o->logdir, dataset, name, (double)ts.tv_sec, out, cap, err);
}

/* Writes through fn into DIR/file, replaced whole. */
static ErrorCode write_atomic(const SweepExec *x, const char *file,
                              void (*fn)(const SweepExec *x, FILE *f), Error *err)
{
    char path[ATOMICFILE_PATH];
    if (snprintf(path, sizeof path, "%s/%s", x->dir, file) >= (int)sizeof path)
        return error_set(err, ERROR_RUNTIME, "%s/%s: path too long", x->dir, file);
    AtomicFile a;
    int e = atomicfile_open(&a, path);
    if (e) return error_set(err, ERROR_RUNTIME, "%s: %s", path, strerror(e));
    fn(x, a.f);
    e = atomicfile_commit(&a, 0);
    if (e) return error_set(err, ERROR_RUNTIME, "%s: %s", path, strerror(e));
    return ERROR_NONE;
}

static void space_text(const SweepExec *x, FILE *f)
{
    fprintf(f, "# gradtop sweep: the sweep's options; gradtop sweep --config THIS repeats it\n");
    size_t n = options_to_config(&x->base, NULL, 0);
    char *buf = malloc(n + 1);
    if (buf) {
        options_to_config(&x->base, buf, n + 1);
        fputs(buf, f);
        free(buf);
    }
    for (size_t i = 0; i < option_count; i++) {
        const OptionSpec *s = &option_table[i];
        if (s->group != OPTGROUP_SWEEP) continue;
        char v[OPTIONS_SPACE];
        options_format(&x->base, s, v, sizeof v);
        fprintf(f, "%s = %s\n", s->name, v);
    }
}

ErrorCode sweep_write_space(const SweepExec *x, Error *err)
{
    return write_atomic(x, "space.txt", space_text, err);
}

/* A CSV field, quoted when it holds a comma or a quote (RFC 4180). */
static void csv_field(FILE *f, const char *v)
{
    if (!strpbrk(v, ",\"\n")) {
        fputs(v, f);
        return;
    }
    fputc('"', f);
    for (const char *c = v; *c; c++) {
        if (*c == '"') fputc('"', f);
        fputc(*c, f);
    }
    fputc('"', f);
}

static void number(FILE *f, double v)
{
    if (isfinite(v)) fprintf(f, "%.6g", v);
}

static void trials_text(const SweepExec *x, FILE *f)
{
    bool reg = x->data->train.task == TASK_REGRESSION;
    const char *acc = reg ? "mae" : "accuracy";
    fprintf(f, "trial,status,rung,epochs,best_epoch,best_%s,loss,%s,val_loss,val_%s",
            monitor_names[x->monitor], acc, acc);
    for (int p = 0; p < x->space.n; p++) fprintf(f, ",%s", x->space.p[p].spec->name);
    fputs(",run\n", f);
    for (int i = 0; i < x->n_started; i++) {
        const SweepTrial *t = &x->trials[i];
        fprintf(f, "%d,%s,", i, sweep_trial_status_names[t->status]);
        if (t->rung >= 0) fprintf(f, "%d", t->rung);
        fprintf(f, ",%d,%d,", t->epochs, t->has_result ? t->result.best_epoch : t->best_epoch);
        number(f, t->best);
        fputc(',', f);
        if (t->has_result && t->result.kept.epoch > 0) {
            const EpochMetrics *k = &t->result.kept;
            number(f, k->loss);
            fputc(',', f);
            number(f, reg ? k->mae : k->accuracy);
            fputc(',', f);
            if (k->has_val) number(f, k->val_loss);
            fputc(',', f);
            if (k->has_val) number(f, reg ? k->val_mae : k->val_accuracy);
        } else {
            fputs(",,,", f);
        }
        for (int p = 0; p < x->space.n; p++) {
            char v[OPTIONS_PATH];
            sweep_value_format(&x->space, p, &t->config.v[p], v, sizeof v);
            fputc(',', f);
            csv_field(f, v);
        }
        fputc(',', f);
        csv_field(f, t->run);
        fputc('\n', f);
    }
}

ErrorCode sweep_write_trials(const SweepExec *x, Error *err)
{
    return write_atomic(x, "trials.csv", trials_text, err);
}

static void best_text(const SweepExec *x, FILE *f)
{
    int b = sweep_exec_best(x);
    const SweepTrial *t = &x->trials[b];
    char cfg[OPTIONS_SPACE];
    sweep_exec_config_text(x, t, cfg, sizeof cfg);
    fprintf(f, "# the best trial of this sweep: trial %d (%s), %s %.6g; run %s\n", b, cfg,
            monitor_names[x->monitor], t->best, t->run[0] ? t->run : "-");
    Options o = t->opt;
    /* a run of its own: not named as the trial, on every core */
    o.name[0] = '\0';
    o.threads = x->base.threads;
    size_t n = options_to_config(&o, NULL, 0);
    char *buf = malloc(n + 1);
    if (buf) {
        options_to_config(&o, buf, n + 1);
        fputs(buf, f);
        free(buf);
    }
}

ErrorCode sweep_write_best(const SweepExec *x, Error *err)
{
    if (sweep_exec_best(x) < 0) return ERROR_NONE;
    return write_atomic(x, "best.txt", best_text, err);
}
