/*
 * exec_files.c - the sweep directory's own files: space.txt, trials.csv
 * and best.txt, each replaced whole (atomicfile.h).  See exec.h.
 */
#include <dirent.h>
#include <errno.h>
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gradtop/io/atomicfile.h"
#include "gradtop/logdir/runset.h"
#include "gradtop/run/rundir.h"
#include "gradtop/run/trainer.h"
#include "gradtop/sweep/exec.h"

ErrorCode sweep_dir_make(const Options *o, const char *dataset, char *out, size_t cap, Error *err)
{
    char name[160];
    snprintf(name, sizeof name, "sweep%s%s", o->name[0] ? "-" : "", o->name);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    /* room for its trials' directories, the last one's name the longest */
    char last[32];
    sweep_trial_name((int)options_find("trials")->max - 1, last, sizeof last);
    size_t room = 1 + rundir_name_max(dataset, last);
    return rundir_make_dir(o->logdir, dataset, name, (double)ts.tv_sec, room, out, cap, err);
}

/* Writes through fn into DIR/file, replaced whole.  fn formats into
 * memory under the executor's mutex (the trials' threads write the
 * figures it reads); the file is written and fsynced outside it. */
/* fn's text into *text (malloc'd), x->mu held meanwhile; an errno, or 0. */
static int render(const SweepExec *x, void (*fn)(const SweepExec *x, FILE *f), char **text,
                  size_t *len)
{
    *text = NULL;
    *len = 0;
    FILE *mem = open_memstream(text, len);
    if (!mem) return errno;
    /* the mutex is the executor's own, not part of what const promises */
    pthread_mutex_t *mu = (pthread_mutex_t *)&x->mu;
    pthread_mutex_lock(mu);
    fn(x, mem);
    pthread_mutex_unlock(mu);
    return fclose(mem) ? errno : 0;
}

/* x->dir/file replaced whole by text. */
static ErrorCode write_text(const SweepExec *x, const char *file, const char *text, size_t len,
                            Error *err)
{
    char path[ATOMICFILE_PATH];
    if (snprintf(path, sizeof path, "%s/%s", x->dir, file) >= (int)sizeof path)
        return error_set(err, ERROR_RUNTIME, "%s/%s: path too long", x->dir, file);
    AtomicFile a;
    int e = atomicfile_open(&a, path);
    if (!e) {
        if (fwrite(text, 1, len, a.f) != len) e = errno ? errno : EIO;
        e = atomicfile_commit(&a, e);
    }
    if (e) return error_set(err, ERROR_RUNTIME, "%s: %s", path, strerror(e));
    return ERROR_NONE;
}

static ErrorCode write_atomic(const SweepExec *x, const char *file,
                              void (*fn)(const SweepExec *x, FILE *f), Error *err)
{
    char *text;
    size_t len;
    int e = render(x, fn, &text, &len);
    ErrorCode rc = e ? error_set(err, ERROR_RUNTIME, "%s/%s: %s", x->dir, file, strerror(e))
                     : write_text(x, file, text, len, err);
    free(text);
    return rc;
}

/* o as --config lines into f. */
static void config_out(const Options *o, FILE *f)
{
    char *buf = options_config_text(o, NULL);
    if (buf) fputs(buf, f);
    free(buf);
}

static void space_text(const SweepExec *x, FILE *f)
{
    fprintf(f, "# gradtop sweep: the sweep's options; gradtop sweep --config THIS repeats it\n");
    /* its files by absolute path, as config.txt names them: --config and
     * --resume read them from any directory */
    Options o = x->base;
    rundir_absolute_files(&o);
    config_out(&o, f);
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

/* What begins a trial's journal's record of the sweep's settings.  No
 * ": " in it: runset.c reads a dataset after one in a run line. */
static const char settings_lead[] = "sweep trial with ";

void sweep_settings_text(const SweepExec *x, char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "%s", settings_lead);
    for (size_t i = 0; i < option_count && n < cap; i++) {
        const OptionSpec *s = &option_table[i];
        if (s->group != OPTGROUP_SWEEP || s->offset == offsetof(Options, space)) continue;
        char v[64];
        if (s->offset == offsetof(Options, parallel))
            snprintf(v, sizeof v, "%d", x->parallel); /* 0 resolved: what decides */
        else
            options_format(&x->base, s, v, sizeof v);
        n += (size_t)snprintf(buf + n, cap - n, "%s=%s ", s->name, v);
    }
    char seed[64];
    options_format(&x->base, options_find("seed"), seed, sizeof seed);
    if (n < cap) snprintf(buf + n, cap - n, "seed=%s space=%s", seed, x->base.space);
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
    if (isfinite(v)) fprintf(f, "%.*g", SWEEP_TRIALS_DIGITS, v);
}

/* trials.csv's first line, without its newline. */
static void trials_header(const SweepExec *x, char *buf, size_t cap)
{
    const char *acc = x->data->train.task == TASK_REGRESSION ? "mae" : "accuracy";
    size_t n = (size_t)snprintf(
        buf, cap, "trial,status,rung,epochs,target,best_epoch,best_%s,loss,%s,val_loss,val_%s",
        monitor_names[x->monitor], acc, acc);
    for (int p = 0; p < x->space.n && n < cap; p++)
        n += (size_t)snprintf(buf + n, cap - n, ",%s", x->space.p[p].spec->name);
    if (n < cap) snprintf(buf + n, cap - n, ",run");
}

/* What a trial's row of trials.csv is made from.  Built from zero
 * (row_key), so that two are the same row when their bytes are. */
typedef struct {
    int status, rung, epochs, target, best_epoch;
    bool kept, has_val;
    double best, loss, acc, val_loss, val_acc;
    SweepValue v[SWEEP_MAX_PARAMS];
    char run[sizeof(SweepTrial){0}.run];
} RowKey;

struct SweepRow {
    RowKey key;
    char *text;
};

static void row_key(const SweepExec *x, const SweepTrial *t, RowKey *k)
{
    memset(k, 0, sizeof *k);
    bool reg = x->data->train.task == TASK_REGRESSION;
    k->status = (int)t->status;
    k->rung = t->rung;
    /* a pruned trial trained again up to its prune epoch (--resume,
     * from an older checkpoint) has that epoch recorded, so that a kill
     * meanwhile does not leave it pruned where the kill left it */
    k->epochs = t->prune_at > t->epochs ? t->prune_at : t->epochs;
    k->target = t->target;
    k->best_epoch = t->has_result ? t->result.best_epoch : t->best_epoch;
    k->best = t->best;
    k->kept = t->has_result && t->result.kept.epoch > 0;
    if (k->kept) {
        const EpochMetrics *m = &t->result.kept;
        k->loss = m->loss;
        k->acc = reg ? m->mae : m->accuracy;
        k->has_val = m->has_val;
        k->val_loss = m->has_val ? m->val_loss : 0;
        k->val_acc = m->has_val ? (reg ? m->val_mae : m->val_accuracy) : 0;
    }
    for (int p = 0; p < x->space.n; p++) {
        k->v[p].active = t->config.v[p].active;
        k->v[p].index = t->config.v[p].index;
        k->v[p].x = t->config.v[p].x;
    }
    memcpy(k->run, t->run, strnlen(t->run, sizeof k->run - 1));
}

/* Trial i's row of trials.csv, from k. */
static void row_out(const SweepExec *x, int i, const RowKey *k, FILE *f)
{
    fprintf(f, "%d,%s,", i, sweep_trial_status_names[k->status]);
    if (k->rung >= 0) fprintf(f, "%d", k->rung);
    fprintf(f, ",%d,%d,%d,", k->epochs, k->target, k->best_epoch);
    number(f, k->best);
    fputc(',', f);
    if (k->kept) {
        number(f, k->loss);
        fputc(',', f);
        number(f, k->acc);
        fputc(',', f);
        if (k->has_val) number(f, k->val_loss);
        fputc(',', f);
        if (k->has_val) number(f, k->val_acc);
    } else {
        fputs(",,,", f);
    }
    for (int p = 0; p < x->space.n; p++) {
        char v[OPTIONS_PATH];
        sweep_value_format(&x->space, p, &k->v[p], v, sizeof v);
        fputc(',', f);
        csv_field(f, v);
    }
    fputc(',', f);
    csv_field(f, k->run);
    fputc('\n', f);
}

static void trials_text(const SweepExec *x, FILE *f)
{
    char header[SWEEP_MAX_PARAMS * 32 + 160];
    trials_header(x, header, sizeof header);
    fprintf(f, "%s\n", header);
    RowKey k;
    for (int i = 0; i < x->n_started; i++) {
        const SweepTrial *t = &x->trials[i];
        row_key(x, t, &k);
        if (t->row && memcmp(&t->row->key, &k, sizeof k) == 0)
            fputs(t->row->text, f);
        else
            row_out(x, i, &k, f);
    }
}

/* Formats again, into each started trial's row, the rows whose figures
 * changed since, under x->mu.  trials.csv is written whole after each
 * trial starts, and its values (the shortest text that reads back as
 * each, up to twelve snprintf calls a value) and figures formatted
 * afresh each time cost a sweep of 64 one-epoch digits trials a fifth of
 * its instructions.  A row that could not be kept stays NULL, or stale,
 * and trials_text formats it itself. */
static void refresh_rows(SweepExec *x)
{
    RowKey k;
    pthread_mutex_lock(&x->mu);
    for (int i = 0; i < x->n_started; i++) {
        SweepTrial *t = &x->trials[i];
        row_key(x, t, &k);
        if (t->row && memcmp(&t->row->key, &k, sizeof k) == 0) continue;
        if (!t->row && !(t->row = calloc(1, sizeof *t->row))) continue;
        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        if (!mem) continue;
        row_out(x, i, &k, mem);
        if (fclose(mem) != 0) {
            free(text);
            continue;
        }
        free(t->row->text);
        t->row->text = text;
        t->row->key = k;
    }
    pthread_mutex_unlock(&x->mu);
}

void sweep_trial_row_free(SweepTrial *t)
{
    if (t->row) free(t->row->text);
    free(t->row);
    t->row = NULL;
}

static void best_text(const SweepExec *x, FILE *f)
{
    int b = sweep_exec_best(x);
    if (b < 0) return; /* none yet: no text, no file */
    const SweepTrial *t = &x->trials[b];
    char cfg[OPTIONS_SPACE];
    sweep_exec_config_text(x, t, cfg, sizeof cfg);
    fprintf(f, "# the best trial of this sweep: trial %d (%s), %s %.6g; run %s\n", b, cfg,
            monitor_names[x->monitor], t->best, t->run[0] ? t->run : "-");
    if (t->hand_changed)
        fprintf(f, "# its hyperparameters were changed by hand while it trained (its journal has "
                   "each change): these are the ones it began with\n");
    if (t->exploited)
        fprintf(f, "# it copied the weights of better trials while it trained (its journal has "
                   "each exploit):\n# these are the hyperparameters it ended with, and a run "
                   "of them from the start\n# trains another network, not this trial again\n");
    Options o = t->opt;
    /* a run of its own: not named as the trial, on every core */
    o.name[0] = '\0';
    o.threads = x->base.threads;
    rundir_absolute_files(&o); /* as its config.txt names them */
    config_out(&o, f);
}

static ErrorCode sync_dir(const SweepExec *x, Error *err)
{
    int fd = open(x->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return error_set(err, ERROR_RUNTIME, "%s: %s", x->dir, strerror(errno));
    /* EROFS, EINVAL: nothing there to make durable (as atomicfile.c) */
    int e = syncfs(fd) != 0 && errno != EROFS && errno != EINVAL ? errno : 0;
    close(fd);
    if (e)
        return error_set(err, ERROR_RUNTIME, "%s: syncing its file system: %s", x->dir,
                         strerror(e));
    return ERROR_NONE;
}

/* The changed files' temporaries are written first and made durable by
 * the one syncfs that the trials' files need before trials.csv may call
 * them ended; each is then renamed, and their directory, the same one,
 * fsynced once.  An fsync of each temporary would only repeat what the
 * syncfs does. */
ErrorCode sweep_write_files(SweepExec *x, bool force, Error *err)
{
    static const char *const names[2] = {"trials.csv", "best.txt"};
    char *text[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    refresh_rows(x);
    int e = render(x, trials_text, &text[0], &len[0]);
    if (!e) e = render(x, best_text, &text[1], &len[1]);
    ErrorCode rc = ERROR_NONE;
    if (e) rc = error_set(err, ERROR_RUNTIME, "%s: %s", x->dir, strerror(e));
    bool changed[2];
    for (int k = 0; k < 2; k++)
        changed[k] =
            text[k] && len[k] > 0 && (!x->written[k] || strcmp(text[k], x->written[k]) != 0);
    AtomicFile a[2];
    bool open_[2] = {false, false};
    for (int k = 0; k < 2 && !rc; k++) {
        if (!changed[k]) continue;
        char path[ATOMICFILE_PATH];
        if (snprintf(path, sizeof path, "%s/%s", x->dir, names[k]) >= (int)sizeof path) {
            rc = error_set(err, ERROR_RUNTIME, "%s/%s: path too long", x->dir, names[k]);
            break;
        }
        e = atomicfile_open(&a[k], path);
        if (!e) {
            open_[k] = true;
            if (fwrite(text[k], 1, len[k], a[k].f) != len[k] || fflush(a[k].f) != 0)
                e = errno ? errno : EIO;
        }
        if (e) rc = error_set(err, ERROR_RUNTIME, "%s: %s", path, strerror(e));
    }
    if (!rc && (force || changed[0] || changed[1])) rc = sync_dir(x, err);
    bool renamed[2] = {false, false};
    for (int k = 0; k < 2; k++) {
        if (!open_[k]) continue;
        if (rc) {
            atomicfile_abandon(&a[k]);
            continue;
        }
        a[k].sync = false; /* the syncfs above made the temporary durable */
        e = atomicfile_commit(&a[k], 0);
        if (e)
            rc = error_set(err, ERROR_RUNTIME, "%s: %s", a[k].path, strerror(e));
        else
            renamed[k] = true;
    }
    int last = renamed[1] ? 1 : renamed[0] ? 0 : -1;
    e = last >= 0 ? atomicfile_sync_dir(a[last].path) : 0;
    if (e && !rc) rc = error_set(err, ERROR_RUNTIME, "%s: %s", a[last].path, strerror(e));
    for (int k = 0; k < 2 && !e; k++) {
        if (!renamed[k]) continue;
        free(x->written[k]);
        x->written[k] = text[k];
        text[k] = NULL;
    }
    free(text[0]);
    free(text[1]);
    return rc;
}

/* ---- --resume ------------------------------------------------------------ */

/* Splits one CSV line into at most cap fields in place (RFC 4180 quotes),
 * each field's 1-based column in the line as it was into col; returns how
 * many (cap + 1 when there are more, col[cap] the column of the first
 * beyond). */
static int split_csv(char *line, char **field, int *col, int cap)
{
    int n = 0;
    char *r = line, *w = line;
    while (n < cap) {
        col[n] = (int)(r - line) + 1;
        field[n++] = w;
        bool quoted = *r == '"';
        if (quoted) r++;
        for (;;) {
            if (quoted && *r == '"' && r[1] == '"') {
                *w++ = '"';
                r += 2;
            } else if (quoted && *r == '"') {
                quoted = false;
                r++;
            } else if (!*r || *r == '\n' || (!quoted && *r == ',')) {
                break;
            } else {
                *w++ = *r++;
            }
        }
        bool more = *r == ',';
        *w++ = '\0';
        if (!more) break;
        r++;
        if (n == cap) { /* more fields than cap */
            col[cap] = (int)(r - line) + 1;
            return cap + 1;
        }
    }
    return n;
}

/* The value text reads as for parameter p (as sweep_value_format wrote
 * it). */
static bool parse_value(const SweepSpace *s, int p, const char *text, SweepValue *v)
{
    const SweepParam *sp = &s->p[p];
    memset(v, 0, sizeof *v);
    if (!strcmp(text, "-")) return true; /* inactive */
    v->active = true;
    if (sp->dist == SWEEP_CHOICE || sp->dist == SWEEP_GRID || sp->dist == SWEEP_LOGGRID) {
        for (int k = 0; k < sp->n; k++) {
            SweepValue c = {.active = true, .index = k};
            if (sp->dist != SWEEP_CHOICE) c.x = sweep_param_point(sp, k);
            char buf[OPTIONS_PATH];
            sweep_value_format(s, p, &c, buf, sizeof buf);
            if (!strcmp(buf, text)) {
                *v = c;
                return true;
            }
        }
        return false;
    }
    char *end;
    v->x = strtod(text, &end);
    /* a value the sweep drew lies in its range (sweep_param_draw) */
    return end != text && !*end && v->x >= sp->lo && v->x <= sp->hi &&
           (sp->dist != SWEEP_INT || v->x == floor(v->x));
}

static const char *const stream_ok[] = {"none", "median"};

/* A number field of trials.csv, NaN when empty. */
static double field_number(const char *f)
{
    char *end;
    double v = strtod(f, &end);
    return end != f && !*end ? v : NAN;
}

/* An ended trial's result as trials.csv holds it (the kept weights'
 * figures); what the file does not hold is NaN. */
static void kept_from_row(const SweepExec *x, SweepTrial *t, char **field)
{
    /* an interrupted trial's too: one that is not opened again ends
     * with what it had (a trial reopened gets its new result) */
    if (t->status == TRIAL_FAILED || !field[7][0]) return;
    bool reg = x->data->train.task == TASK_REGRESSION;
    TrainResult *r = &t->result;
    memset(r, 0, sizeof *r);
    r->status = t->status == TRIAL_DONE            ? TRAIN_DONE
                : t->status == TRIAL_EARLY_STOPPED ? TRAIN_EARLY_STOPPED
                : t->status == TRIAL_DIVERGED      ? TRAIN_DIVERGED
                                                   : TRAIN_STOPPED;
    r->epochs = t->epochs;
    r->best_epoch = (int)strtol(field[5], NULL, 10);
    EpochMetrics *k = &r->kept;
    k->epoch = r->best_epoch;
    k->accuracy = k->mae = k->r2 = k->val_accuracy = k->val_mae = k->val_r2 = NAN;
    k->loss = field_number(field[7]);
    *(reg ? &k->mae : &k->accuracy) = field_number(field[8]);
    k->val_loss = field_number(field[9]);
    *(reg ? &k->val_mae : &k->val_accuracy) = field_number(field[10]);
    k->has_val = field[9][0] != '\0';
    t->has_result = true;
}

/* How t's journal ends: 1 with a result line, its run ended (as a stop
 * ends it too), 0 without (a kill left the run open), -1 when there is no
 * journal to read.  With pairs, t->result_pairs gets the last result
 * line's pairs (without its status and run): trials.csv holds the kept
 * figures to SWEEP_TRIALS_DIGITS digits and no test figures, from which
 * the result line's could not be written again as the trial wrote them. */
static int read_journal_end(SweepTrial *t, bool pairs)
{
    char path[ATOMICFILE_PATH];
    if (pairs) t->result_pairs[0] = '\0';
    if (!t->run[0] || snprintf(path, sizeof path, "%s/journal.txt", t->run) >= (int)sizeof path)
        return -1;
    mode_t type;
    FILE *f = atomicfile_read_open(path, &type);
    if (!f) return -1;
    char *line = NULL;
    size_t cap = 0;
    bool ended = false;
    while (getline(&line, &cap, f) >= 0) {
        if (line[strspn(line, " \t\r\n")] == '\0') continue; /* a blank line */
        /* TIME step=N epoch=N result status=... run=DIR: after the
         * third space, the kind */
        const char *p = line;
        for (int k = 0; k < 3 && p; k++) {
            p = strchr(p, ' ');
            if (p) p++;
        }
        ended = p && !strncmp(p, "result status=", 14);
        if (!ended || !pairs) continue;
        const char *from = strchr(p + 7, ' '); /* after the status */
        const char *run = strstr(p, " run=");
        for (const char *r = run; r; r = strstr(r + 1, " run=")) run = r;
        if (!from || !run || run <= from || (size_t)(run - from - 1) >= sizeof t->result_pairs)
            continue;
        snprintf(t->result_pairs, sizeof t->result_pairs, "%.*s", (int)(run - from - 1), from + 1);
    }
    free(line);
    fclose(f);
    return ended;
}

/* t's run read into rs (runset_free it), its gradtop run; NULL when it
 * has none, or rs could not be read (nothing to free then). */
static const RunInfo *trial_run_read(const SweepTrial *t, RunSet *rs)
{
    Error e = {0};
    if (!t->run[0] || runset_open(rs, t->run, &e)) return NULL;
    for (size_t i = 0; i < rs->n_runs; i++)
        if (rs->runs[i]->kind == RUN_KIND_GRADTOP) return rs->runs[i];
    runset_free(rs);
    return NULL;
}

bool sweep_trial_epoch_figures(const SweepTrial *t, int epoch, EpochMetrics *m)
{
    RunSet rs;
    const RunInfo *run = trial_run_read(t, &rs);
    if (!run) return false;
    memset(m, 0, sizeof *m);
    static const char *const tags[] = {"loss",    "accuracy", "mae",
                                       "r2",      "val_loss", "val_accuracy",
                                       "val_mae", "val_r2",   "learning_rate"};
    double *dst[] = {&m->loss,         &m->accuracy, &m->mae,    &m->r2, &m->val_loss,
                     &m->val_accuracy, &m->val_mae,  &m->val_r2, &m->lr};
    bool found[9] = {false};
    for (int k = 0; k < 9; k++) {
        *dst[k] = NAN;
        const RunSeries *fs = runinfo_series(run, tags[k]);
        for (size_t i = 0; fs && i < fs->n; i++) /* the last row of the epoch */
            if (fs->step[i] == epoch) {
                *dst[k] = fs->value[i];
                if (k == 0) m->wall_time = fs->wall_time[i];
                found[k] = true;
            }
    }
    runset_free(&rs);
    m->epoch = epoch;
    m->has_val = found[4];
    return found[0];
}

/* The figures of a trial's metrics.csv onto the board. */
static void read_figures(SweepExec *x, SweepTrial *t)
{
    RunSet rs;
    const RunInfo *run = trial_run_read(t, &rs);
    if (!run) return;
    const RunSeries *fs = runinfo_series(run, monitor_names[x->monitor]);
    for (size_t k = 0; fs && k < fs->n; k++) {
        int epoch = (int)fs->step[k];
        if (epoch < 1 || epoch > x->base.max_epochs) continue;
        double f = fs->value[k];
        sweep_board_record(&x->board, t->index, epoch, f);
        if (epoch > t->epochs) t->epochs = epoch;
        if (isfinite(f) && (t->best_epoch == 0 || sweep_board_better(&x->board, f, t->best))) {
            t->best = f;
            t->best_epoch = epoch;
        }
    }
    runset_free(&rs);
}

/* ASHA's record of a trial read back: the rungs it reached and was
 * promoted out of (its target lies beyond them), and its job's epochs. */
static void asha_take_up(SweepExec *x, SweepTrial *t)
{
    SweepAsha *a = &x->asha;
    t->rung = sweep_asha_rung_of(a, t->epochs);
    for (int k = 0; k < a->n_rungs; k++)
        if (a->rung_epochs[k] < t->target) a->promoted[t->index * a->n_rungs + k] = true;
    x->epochs_planned += t->target;
}

/* Whether the median rule judges t at the epoch it stopped at before it
 * may go on (as the executor parks it there: exec.c's must_park). */
static bool waits_for_median(const SweepExec *x, const SweepTrial *t)
{
    return x->scheduler == SWEEP_SCHED_MEDIAN && t->index >= 5 && t->epochs >= x->base.min_epochs &&
           t->epochs < x->base.max_epochs;
}

/* The epoch the median rule has t train to at epochs (those it reached,
 * or those it was pruned at), as
 * the uninterrupted sweep has it (exec.c): the one the rule last let it
 * go on to, its own epochs (it parks at each from --min-epochs on), or
 * its full length before it is first judged.  trials.csv is written as
 * trials start, not at each judgement, so its target may be older. */
static int median_target(const SweepExec *x, const SweepTrial *t, int epochs)
{
    return t->index >= 5 && epochs > x->base.min_epochs ? epochs : x->base.max_epochs;
}

/* A trial's run directory from trials.csv's run column, which holds the
 * path as the sweep first wrote it (relative to the directory it was
 * started from, or absolute).  Every trial's run is a directory of the
 * sweep directory's own, so it is taken by its name under x->dir: a sweep
 * resumed from another working directory, or moved, finds its trials. */
static void trial_run_path(const SweepExec *x, const char *column, char *out, size_t cap)
{
    const char *slash = strrchr(column, '/'), *name = slash ? slash + 1 : column;
    size_t n = strlen(x->dir);
    if (!name[0] || snprintf(out, cap, "%s%s%s", x->dir, n && x->dir[n - 1] == '/' ? "" : "/",
                             name) >= (int)cap)
        out[0] = '\0'; /* none, or a path longer than any run's: no run to read */
}

bool sweep_trial_dir_find(const SweepExec *x, int index, char *out, size_t cap)
{
    out[0] = '\0';
    if (!x->dir[0]) return false;
    char suffix[32];
    suffix[0] = '-';
    sweep_trial_name(index, suffix + 1, sizeof suffix - 1);
    int sl = (int)strlen(suffix);
    DIR *d = opendir(x->dir);
    if (!d) return false;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n <= (size_t)sl || strcmp(e->d_name + n - (size_t)sl, suffix)) continue;
        char path[ATOMICFILE_PATH];
        struct stat st;
        if (snprintf(path, sizeof path, "%s/%s", x->dir, e->d_name) >= (int)sizeof path ||
            stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        if (snprintf(out, cap, "%s", path) < (int)cap) break;
        out[0] = '\0';
    }
    closedir(d);
    return out[0] != '\0';
}

/* Holds x->dir's lock (exec.h: sweep_exec_open_dir). */
static ErrorCode lock_dir(SweepExec *x, Error *err)
{
    if (x->dir_lock >= 0) return ERROR_NONE;
    return atomicfile_lock_dir(x->dir,
                               "another gradtop is running this sweep; resume it once that one "
                               "has ended",
                               &x->dir_lock, err);
}

/* Whether the paths a and b name one file: config.txt names a file by
 * its absolute path (rundir.c), and so does space.txt, but one edited by
 * hand may name it otherwise. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (!strcmp(a, b)) return true;
    return a[0] && b[0] && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* ---- --resume: the files space.txt names --------------------------------- */

/* The first line of path giving key, and the column of its value there
 * (1-based, in bytes): 1.  0 when none does (*lineno then the line after
 * the last, *col 1), -1 when path cannot be read. */
static int key_find(const char *path, const char *key, int *lineno, int *col)
{
    mode_t type;
    FILE *f = atomicfile_read_open(path, &type);
    if (!f) return -1;
    char *line = NULL;
    size_t lcap = 0, kl = strlen(key);
    int n = 0, found = 0;
    *col = 1;
    while (!found && getline(&line, &lcap, f) >= 0) {
        const char *p = line;
        if (++n == 1 && !strncmp(p, "\xEF\xBB\xBF", 3)) p += 3; /* a BOM */
        p += strspn(p, " \t");
        if (strncmp(p, key, kl) || !p[kl] || !strchr(" \t=", p[kl])) continue;
        p += kl + strspn(p + kl, " \t");
        if (*p != '=') continue;
        p++;
        p += strspn(p, " \t");
        *col = (int)(p - line) + 1;
        found = 1;
    }
    *lineno = found ? n : n + 1;
    free(line);
    fclose(f);
    return found;
}

/* "PATH:LINE:COLUMN" of the first line of path giving key, and of its
 * value there (1-based, in bytes), into buf: PATH alone when none does. */
static void key_place(const char *path, const char *key, char *buf, size_t cap)
{
    int lineno, col;
    if (key_find(path, key, &lineno, &col) == 1)
        snprintf(buf, cap, "%s:%d:%d", path, lineno, col);
    else
        snprintf(buf, cap, "%s", path);
}

/* rel without its leading "./" and "../" steps: what an absolute path of
 * the file it names ends in, from whichever directory it was read. */
static const char *path_tail(const char *rel)
{
    for (;;) {
        if (!strncmp(rel, "./", 2))
            rel += 2;
        else if (!strncmp(rel, "../", 3))
            rel += 3;
        else
            return rel;
    }
}

/* The file a trial in dir trained on under key (its config.txt names it
 * by its absolute path), into out, when that path ends in rel's tail and
 * names a regular file. */
static bool trial_file(const char *dir, size_t offset, const char *rel, char *out, size_t cap)
{
    const char *tail = path_tail(rel);
    size_t tl = strlen(tail);
    DIR *d = tl ? opendir(dir) : NULL;
    Options *o = d ? malloc(sizeof *o) : NULL;
    bool found = false;
    struct dirent *e;
    while (o && !found && (e = readdir(d))) {
        char path[ATOMICFILE_PATH];
        Error err = {0};
        if (!strstr(e->d_name, "-trial-") ||
            snprintf(path, sizeof path, "%s/%s/config.txt", dir, e->d_name) >= (int)sizeof path)
            continue;
        options_default(o);
        if (options_load_file(o, path, NULL, &err)) continue;
        const char *v = (const char *)o + offset;
        size_t n = strlen(v);
        struct stat st;
        found = v[0] == '/' && n > tl && v[n - tl - 1] == '/' && !strcmp(v + n - tl, tail) &&
                stat(v, &st) == 0 && S_ISREG(st.st_mode) && snprintf(out, cap, "%s", v) < (int)cap;
    }
    free(o);
    if (d) closedir(d);
    return found;
}

ErrorCode sweep_resume_paths(Options *o, const char *dir, char *note, size_t cap, Error *err)
{
    static const struct {
        const char *key;
        size_t offset;
    } files[] = {{"dataset", offsetof(Options, dataset)},
                 {"test", offsetof(Options, test)},
                 {"labels", offsetof(Options, labels)}};
    char space[ATOMICFILE_PATH], place[ATOMICFILE_PATH + 32];
    snprintf(space, sizeof space, "%s/space.txt", dir);
    size_t used = 0;
    note[0] = '\0';
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        char *v = (char *)o + files[k].offset;
        if (!v[0] || v[0] == '/') continue;
        char abs[OPTIONS_PATH], cwd[OPTIONS_PATH];
        struct stat st;
        bool here = stat(v, &st) == 0 && S_ISREG(st.st_mode);
        if (trial_file(dir, files[k].offset, v, abs, sizeof abs)) {
            if ((!here || !same_file(v, abs)) && used + 1 < cap) {
                key_place(space, files[k].key, place, sizeof place);
                int n = snprintf(note + used, cap - used,
                                 "%s%s: %s = %s, a relative path (from a gradtop before "
                                 "space.txt named files by absolute path): read as %s, the file "
                                 "its trials trained on",
                                 used ? "\n" : "", place, files[k].key, v, abs);
                /* cut short, note holds what fit: nothing goes after it */
                if (n > 0) used = (size_t)n < cap - used ? used + (size_t)n : cap;
            }
            snprintf(v, OPTIONS_PATH, "%s", abs);
            continue;
        }
        /* no trial names it yet: read from here, as it was; a name
         * without a directory may be a bare name (iris, spiral), which
         * the data's loader looks up */
        if (here || !strchr(v, '/')) continue;
        if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, "?");
        char shown[OPTIONS_PATH];
        error_quote_text(shown, sizeof shown, v, strlen(v));
        key_place(space, files[k].key, place, sizeof place);
        return error_set(err, ERROR_INPUT,
                         "%s: %s = %s: a relative path, read from the working directory "
                         "(%s), where there is no such file, and no trial's config.txt names "
                         "it: resume from the directory the sweep was started in, or write the "
                         "file's absolute path on that line",
                         place, files[k].key, shown, cwd);
    }
    return ERROR_NONE;
}

/* o as a resumed run writes it to config.txt: a cosine period of "the
 * run's epochs" (0) as those epochs (rundir_resume_options). */
static void as_recorded(Options *o)
{
    if (o->sched.kind == SCHEDULE_COSINE && o->sched.cosine_epochs == 0)
        o->sched.cosine_epochs = o->epochs;
}

/* t's options as the sweep gives them (t->opt: space.txt's, with
 * trials.csv's values for the searched ones) against those its run was
 * started with, its config.txt (both as_recorded): an edit of either would have the sweep
 * record, rank and offer (best.txt) a configuration the run never
 * trained with, or go on training it on other data or another network.
 * A run without a config.txt it can read starts again, with t->opt. */
static ErrorCode check_run_config(const SweepExec *x, const SweepTrial *t, const char *csv,
                                  int lineno, const int *col, Error *err)
{
    char path[ATOMICFILE_PATH];
    if (!t->run[0] || snprintf(path, sizeof path, "%s/config.txt", t->run) >= (int)sizeof path)
        return ERROR_NONE;
    Options ran;
    options_default(&ran);
    Error e = {0};
    if (options_load_file(&ran, path, NULL, &e)) return ERROR_NONE;
    Options mine = t->opt;
    as_recorded(&mine);
    as_recorded(&ran);
    for (int p = 0; p < x->space.n; p++) {
        if (!t->config.v[p].active) continue;
        const OptionSpec *s = x->space.p[p].spec;
        char want[OPTIONS_SPACE], had[OPTIONS_SPACE];
        options_format(&mine, s, want, sizeof want);
        options_format(&ran, s, had, sizeof had);
        if (!strcmp(want, had)) continue;
        options_format(&t->opt, s, want, sizeof want); /* as trials.csv has it */
        return error_set(err, ERROR_INPUT,
                         "%s:%d:%d: trial %d: %s '%s', but its run was started with '%s' (%s): "
                         "trials.csv or the run was edited",
                         csv, lineno, col[11 + p], t->index, s->name, want, had, path);
    }
    /* the rest are space.txt's, the same for every trial */
    char want[OPTIONS_SPACE], had[OPTIONS_SPACE];
    const char *key = "dataset";
    snprintf(want, sizeof want, "%s", mine.dataset);
    snprintf(had, sizeof had, "%s", ran.dataset);
    bool same = same_file(want, had);
    for (size_t i = 0; i < option_count && same; i++) {
        const OptionSpec *s = &option_table[i];
        if (!s->in_config) continue;
        key = s->name;
        options_format(&mine, s, want, sizeof want);
        options_format(&ran, s, had, sizeof had);
        same = s->kind == OPTKIND_STRING && (s->offset == offsetof(Options, test) ||
                                             s->offset == offsetof(Options, labels))
                   ? same_file(want, had)
                   : !strcmp(want, had);
    }
    if (!strcmp(key, "epochs")) key = "max-epochs"; /* the sweep's name for it */
    if (!same)
        return error_set(err, ERROR_INPUT,
                         "%s/space.txt: %s = %s, but trial %d's run was started with %s = %s "
                         "(%s): was space.txt edited?",
                         x->dir, key, want, t->index, key, had, path);
    return ERROR_NONE;
}

/* A trial's status in trials.csv against its run and the sweep.  One it
 * says ended after training (done, early stopped, pruned, diverged) is
 * ranked by its run's metrics.csv (read_figures): a run removed, or
 * replaced, would be read as no epoch, written so over trials.csv's record
 * and ranked nowhere.  Done is the full --max-epochs, and only asha and
 * median prune: another status edited in would be believed, and the
 * trial never go on. */
static ErrorCode check_status(const SweepExec *x, const SweepTrial *t, int st, int epochs,
                              bool figures, const char *csv, int lineno, int col, Error *err)
{
    /* pruned without figures: not collected, so trained again up to its
     * prune epoch (from no epoch, when a kill left none) */
    bool ended = st == TRIAL_DONE || st == TRIAL_EARLY_STOPPED || (st == TRIAL_PRUNED && figures) ||
                 st == TRIAL_DIVERGED;
    if (ended && epochs > 0 && t->epochs == 0 && t->run[0])
        return error_set(err, ERROR_INPUT,
                         "%s:%d:%d: trial %d (%s, %d epoch%s): its run %s has no epochs to read "
                         "(removed?): the sweep cannot rank it; put the run back, or start the "
                         "sweep again",
                         csv, lineno, col, t->index, sweep_trial_status_names[st], epochs,
                         epochs == 1 ? "" : "s", t->run);
    if (st == TRIAL_PRUNED && x->scheduler != SWEEP_SCHED_ASHA &&
        x->scheduler != SWEEP_SCHED_MEDIAN)
        return error_set(err, ERROR_INPUT,
                         "%s:%d:%d: trial %d: pruned, but --scheduler %s prunes no trial (was "
                         "trials.csv edited?)",
                         csv, lineno, col, t->index, sweep_scheduler_names[x->scheduler]);
    if (st == TRIAL_DONE && t->epochs > 0 && t->epochs < x->base.max_epochs)
        return error_set(err, ERROR_INPUT,
                         "%s:%d:%d: trial %d: done, but its run has %d of its %d epochs (was "
                         "trials.csv edited?)",
                         csv, lineno, col, t->index, t->epochs, x->base.max_epochs);
    return ERROR_NONE;
}

/* An ended trial's kept figures in trials.csv (fields 7 to 10, which the
 * sweep ranks it by) against those of the result line its journal ended
 * with (t->result_pairs, as read_journal_end read them): an edit of one
 * would change the sweep's best trial, or its result, silently.  Each
 * file rounded the same figure to its own precision, the journal's
 * train_figure_text's and trials.csv's SWEEP_TRIALS_DIGITS, so the two
 * agree to within both roundings, each taken from its writer's own
 * precision.  A figure the journal does not give is taken as it is. */
static ErrorCode check_kept(const SweepExec *x, const SweepTrial *t, char **field, const int *col,
                            const char *csv, int lineno, Error *err)
{
    static const char *const cls[4] = {"loss", "accuracy", "val_loss", "val_accuracy"};
    static const char *const reg[4] = {"loss", "mae", "val_loss", "val_mae"};
    const char *const *names = x->data->train.task == TASK_REGRESSION ? reg : cls;
    char pairs[sizeof t->result_pairs + 1];
    snprintf(pairs, sizeof pairs, " %s", t->result_pairs);
    for (int k = 0; k < 4; k++) {
        const char *v = field[7 + k];
        char key[32];
        snprintf(key, sizeof key, " %s=", names[k]);
        const char *at = strstr(pairs, key), *from = at ? at + strlen(key) : NULL;
        char *end = NULL;
        double j = from ? strtod(from, &end) : NAN;
        if (!v[0] || !from || end == from || !isfinite(j)) continue;
        double c = strtod(v, NULL);
        double tol = train_figure_rounding(j) + train_rounding_g(c, SWEEP_TRIALS_DIGITS);
        if (fabs(c - j) <= tol) continue;
        char got[40];
        error_quote_text(got, sizeof got, v, strlen(v));
        return error_set(err, ERROR_INPUT,
                         "%s:%d:%d: trial %d: %s '%s', but its run ended with %s=%.*s "
                         "(%s/journal.txt): was trials.csv edited?",
                         csv, lineno, col[7 + k], t->index, names[k], got, names[k],
                         (int)(end - from), from, t->run);
    }
    return ERROR_NONE;
}

/* trials.csv to read, as the sweep writes it: a regular file.  *f NULL
 * when there is none.  Opened without waiting, since opening a named pipe
 * to read waits for a writer, where no signal would end the wait. */
static ErrorCode open_trials_csv(const char *path, FILE **f, Error *err)
{
    mode_t type;
    *f = atomicfile_read_open(path, &type);
    if (*f || (!type && errno == ENOENT)) return ERROR_NONE;
    const char *what = type == S_IFDIR   ? "a directory, not a file"
                       : type == S_IFIFO ? "a named pipe, not a file"
                       : type            ? "not a regular file"
                                         : strerror(errno);
    return error_set(err, ERROR_INPUT, "--resume: %s: %s%s", path, what,
                     type ? " (the sweep writes trials.csv as a file)" : "");
}

/* ---- --resume: the sweep's settings ------------------------------------- */

/* The first record of the sweep's settings (sweep_settings_text's text
 * after its lead: malloc'ed) in the journal of the run in dir, and its
 * line into *lineno; NULL when it has none (a trial of a gradtop that
 * kept none). */
static char *settings_record(const char *dir, int *lineno)
{
    char path[ATOMICFILE_PATH];
    if (snprintf(path, sizeof path, "%s/journal.txt", dir) >= (int)sizeof path) return NULL;
    mode_t type;
    FILE *f = atomicfile_read_open(path, &type);
    if (!f) return NULL;
    char *line = NULL, *rec = NULL;
    size_t cap = 0, lead = sizeof settings_lead - 1;
    int n = 0;
    while (!rec && getline(&line, &cap, f) >= 0) {
        n++;
        line[strcspn(line, "\r\n")] = '\0';
        /* TIME step=N epoch=N run TEXT: after the third space, the kind */
        const char *p = line;
        for (int k = 0; k < 3 && p; k++) {
            p = strchr(p, ' ');
            if (p) p++;
        }
        if (p && !strncmp(p, "run ", 4) && !strncmp(p + 4, settings_lead, lead))
            rec = strdup(p + 4 + lead);
    }
    *lineno = n;
    free(line);
    fclose(f);
    return rec;
}

/* The record of the sweep's settings that the lowest-numbered trial with
 * one holds (every trial started since a gradtop kept it has one), and
 * where ("JOURNAL:LINE") into from; NULL when no trial has one. */
static char *sweep_record(const SweepExec *x, char *from, size_t cap)
{
    DIR *d = opendir(x->dir);
    if (!d) return NULL;
    char *rec = NULL;
    long first = LONG_MAX;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *t = strstr(e->d_name, "-trial-"), *later;
        while (t && (later = strstr(t + 1, "-trial-"))) t = later;
        if (!t || !isdigit((unsigned char)t[7])) continue;
        char *end, dir[ATOMICFILE_PATH];
        long i = strtol(t + 7, &end, 10);
        int lineno;
        if (*end || i >= first ||
            snprintf(dir, sizeof dir, "%s/%s", x->dir, e->d_name) >= (int)sizeof dir)
            continue;
        char *r = settings_record(dir, &lineno);
        if (!r) continue;
        free(rec);
        rec = r;
        first = i;
        snprintf(from, cap, "%s/journal.txt:%d", dir, lineno);
    }
    closedir(d);
    return rec;
}

/* key's value in rec (sweep_settings_text's, after its lead) into v;
 * false when rec has none. */
static bool record_value(const char *rec, const char *key, char *v, size_t cap)
{
    size_t kl = strlen(key);
    for (const char *p = rec; *p; p += strspn(p, " ")) {
        bool space = !strncmp(p, "space=", 6); /* the rest of the line */
        if (!strncmp(p, key, kl) && p[kl] == '=') {
            const char *val = p + kl + 1;
            snprintf(v, cap, "%.*s", (int)(space ? strlen(val) : strcspn(val, " ")), val);
            return true;
        }
        if (space) break;
        p += strcspn(p, " ");
    }
    return false;
}

/* v without the spaces at its ends, in place: as a config line is read
 * back (a --space given with them is recorded with them). */
static char *trimmed(char *v)
{
    size_t n = strlen(v);
    while (n > 0 && isspace((unsigned char)v[n - 1])) v[--n] = '\0';
    return v + strspn(v, " \t");
}

/* A value for a message: at most 160 bytes of v, "..." when cut. */
static const char *shown(const char *v, char *buf, size_t cap)
{
    if (strlen(v) <= 160) return v;
    snprintf(buf, cap, "%.160s...", v);
    return buf;
}

/* space.txt's sweep settings (x->base) against those the trials so far
 * were made with, as their journals record them (sweep_record): another
 * scheduler, sampler, space, seed or max-epochs, and under asha another
 * eta, min-epochs, trials or budget, would take the trials so far on as
 * another sweep, one no seed makes.  Two may change:
 *   trials and budget under none and median, which decide how many trials
 *     there are, not what becomes of each: trial i's configuration and the
 *     median rule's judgement of it depend only on the trials before it
 *     (exec.h), so the sweep goes on as the one of the new count would;
 *   parallel, except under asha (a round asks once per slot) and tpe
 *     (trial i learns from the trials up to i - parallel): trials at once.
 * A setting whose line is gone is refused whatever it is: the file was
 * cut short, and the defaults read in its place are no record.  A sweep
 * whose trials have no record (from a gradtop before it) is not checked. */
static ErrorCode check_settings(const SweepExec *x, Error *err)
{
    char from[ATOMICFILE_PATH + 32];
    char *rec = sweep_record(x, from, sizeof from);
    if (!rec) return ERROR_NONE;
    char space[ATOMICFILE_PATH];
    snprintf(space, sizeof space, "%s/space.txt", x->dir);
    bool by_count = x->scheduler == SWEEP_SCHED_ASHA || x->scheduler == SWEEP_SCHED_PBT;
    bool by_slot = by_count || x->sampler.kind == SWEEP_SAMPLER_TPE;
    char buf[2][OPTIONS_SPACE], a[200], b[200];
    ErrorCode rc = ERROR_NONE;
    for (size_t i = 0; i <= option_count && !rc; i++) {
        const OptionSpec *s = i < option_count ? &option_table[i] : options_find("seed");
        if (i < option_count && s->group != OPTGROUP_SWEEP) continue;
        if (!record_value(rec, s->name, buf[0], sizeof buf[0])) continue;
        const char *had = trimmed(buf[0]);
        int lineno, col;
        if (key_find(space, s->name, &lineno, &col) == 0) {
            rc = error_set(err, ERROR_INPUT,
                           "%s:%d:1: no '%s = ...' line (was space.txt cut short?), where this "
                           "sweep's trials were made with %s = %s (%s): put back %s = %s to go "
                           "on with the sweep",
                           space, lineno, s->name, s->name, shown(had, a, sizeof a), from, s->name,
                           shown(had, a, sizeof a));
            break;
        }
        bool parallel = s->offset == offsetof(Options, parallel);
        bool count =
            s->offset == offsetof(Options, trials) || s->offset == offsetof(Options, budget);
        if (parallel)
            snprintf(buf[1], sizeof buf[1], "%d", x->parallel);
        else
            options_format(&x->base, s, buf[1], sizeof buf[1]);
        const char *want = trimmed(buf[1]);
        if (!strcmp(want, had) || (parallel && !by_slot) || (count && !by_count) ||
            !option_applies(s, &x->base))
            continue;
        if (parallel) {
            char given[64];
            options_format(&x->base, s, given, sizeof given);
            rc = error_set(err, ERROR_INPUT,
                           "%s:%d:%d: parallel = %s, %d trial%s at once, but this sweep trained "
                           "%s at once, which %s decisions depend on (%s): put back parallel = %s "
                           "to go on with the sweep, or start a new sweep with --config %s to run "
                           "it with the change",
                           space, lineno, col, given, x->parallel, x->parallel == 1 ? "" : "s", had,
                           x->scheduler == SWEEP_SCHED_ASHA  ? "asha's"
                           : x->scheduler == SWEEP_SCHED_PBT ? "pbt's"
                                                             : "the tpe sampler's",
                           from, had, space);
        } else {
            rc = error_set(err, ERROR_INPUT,
                           "%s:%d:%d: %s = %s, but this sweep's trials were made with %s = %s "
                           "(%s): put back %s = %s to go on with the sweep, or start a new sweep "
                           "with --config %s to run it with the change",
                           space, lineno, col, s->name, shown(want, a, sizeof a), s->name,
                           shown(had, b, sizeof b), from, s->name, shown(had, b, sizeof b), space);
        }
    }
    free(rec);
    return rc;
}

ErrorCode sweep_exec_resume(SweepExec *x, Error *err)
{
    ErrorCode lrc = lock_dir(x, err);
    if (lrc) return lrc;
    /* first: an edited scheduler is named as such, not as pbt's refusal */
    if ((lrc = check_settings(x, err))) return lrc;
    if (x->scheduler == SWEEP_SCHED_PBT)
        return error_set(err, ERROR_INPUT,
                         "--resume: %s: a sweep under --scheduler pbt cannot be resumed (only %s, "
                         "%s and asha sweeps): start it again with --config %s/space.txt",
                         x->dir, stream_ok[0], stream_ok[1], x->dir);
    /* what the sweep writes when its trials have trained (trials.csv
     * itself is refused as it is read) */
    char path[ATOMICFILE_PATH];
    snprintf(path, sizeof path, "%s/best.txt", x->dir);
    if ((lrc = atomicfile_check_target(path, err))) return lrc;
    snprintf(path, sizeof path, "%s/trials.csv", x->dir);
    FILE *f;
    ErrorCode orc = open_trials_csv(path, &f, err);
    if (orc) return orc;
    /* none: the sweep was cut before it wrote its first (space.txt comes
     * first), so no trial was recorded; it starts from its first (its
     * temporary, killed as it wrote it, removed) */
    if (!f) {
        rundir_remove_stale(x->dir);
        return ERROR_NONE;
    }
    char *line = NULL, *field[SWEEP_MAX_PARAMS + 16];
    int col[SWEEP_MAX_PARAMS + 17];
    size_t line_cap = 0;
    int want = 12 + x->space.n, lineno = 0;
    ErrorCode rc = ERROR_NONE;
    /* each line whole, however long; its end (LF or CRLF, as an editor
     * may save it) is not part of the last field */
    ssize_t line_len;
    bool ended = true; /* the line had its line end */
    while ((line_len = getline(&line, &line_cap, f)) >= 0) {
        ended = line_len > 0 && line[line_len - 1] == '\n';
        lineno++;
        const char *nul = memchr(line, '\0', (size_t)line_len);
        if (nul) {
            rc = error_set(err, ERROR_INPUT,
                           "%s:%d:%d: a NUL byte: binary data, not the text the sweep writes "
                           "(the file is damaged)",
                           path, lineno, (int)(nul - line) + 1);
            break;
        }
        line[strcspn(line, "\r\n")] = '\0';
        if (lineno == 1) {
            /* the columns this sweep's space.txt makes: another space's
             * trials (space.txt edited) would be read into the wrong ones */
            char header[SWEEP_MAX_PARAMS * 32 + 160];
            trials_header(x, header, sizeof header);
            if (strcmp(line, header)) {
                rc = error_set(err, ERROR_INPUT,
                               "%s:1: its columns are not those of this sweep's space.txt "
                               "(expected '%s'): was space.txt edited?",
                               path, header);
                break;
            }
            continue;
        }
        if (!line[0]) continue; /* a blank line, as an editor may leave at the end */
        int len = (int)strlen(line);
        int n = split_csv(line, field, col, want);
        char *iend;
        long idx = strtol(field[0], &iend, 10);
        if (iend == field[0] || *iend) idx = -1;
        if (n != want) {
            rc = error_set(err, ERROR_INPUT,
                           "%s:%d:%d: %s%d field%s, where this sweep's rows have %d", path, lineno,
                           n > want ? col[want] : len + 1, n > want ? "more than " : "",
                           n > want ? want : n, n == 1 ? "" : "s", want);
            break;
        }
        if (idx == x->n_started && idx >= x->n_trials) {
            rc = error_set(err, ERROR_INPUT,
                           "%s:%d:1: trial %ld, but this sweep makes %d trials (0 to %d): was "
                           "space.txt edited?",
                           path, lineno, idx, x->n_trials, x->n_trials - 1);
            break;
        }
        if (idx != x->n_started) {
            char got[40];
            error_quote_text(got, sizeof got, field[0], strlen(field[0]));
            rc = error_set(err, ERROR_INPUT, "%s:%d:1: expected trial %d (of %d), got '%s'", path,
                           lineno, x->n_started, x->n_trials, got);
            break;
        }
        SweepTrial *t = &x->trials[idx];
        int st = -1;
        for (int k = 0; sweep_trial_status_names[k]; k++)
            if (!strcmp(sweep_trial_status_names[k], field[1])) st = k;
        bool ok = st >= 0;
        int bad = -1; /* the parameter whose value is not the space's */
        for (int p = 0; ok && p < x->space.n; p++)
            if (!(ok = parse_value(&x->space, p, field[11 + p], &t->config.v[p]))) bad = p;
        Options base;
        trial_run_path(x, field[11 + x->space.n], t->run, sizeof t->run);
        if (ok) {
            Error e = {0};
            x->n_started++;
            sweep_exec_trial_base(x, t->index, &base);
            ok = !sweep_config_apply(&x->space, &base, &t->config, &t->opt, &e);
        }
        if (!ok) {
            char got[64];
            const char *fv = bad >= 0 ? field[11 + bad] : field[1];
            error_quote_text(got, sizeof got, fv, strlen(fv));
            if (bad >= 0)
                rc = error_set(err, ERROR_INPUT,
                               "%s:%d:%d: trial %ld: %s '%s' is not a value of this sweep's space "
                               "(was space.txt or trials.csv edited?)",
                               path, lineno, col[11 + bad], idx, x->space.p[bad].spec->name, got);
            else if (st < 0)
                rc = error_set(err, ERROR_INPUT, "%s:%d:%d: trial %ld: no such status '%s'", path,
                               lineno, col[1], idx, got);
            else
                rc = error_set(err, ERROR_INPUT,
                               "%s:%d:%d: trial %ld: its values are not a configuration of this "
                               "sweep (was space.txt or trials.csv edited?)",
                               path, lineno, col[11], idx);
            break;
        }
        if ((rc = check_run_config(x, t, path, lineno, col, err))) break;
        /* the epoch counts the sweep wrote: 0 to --max-epochs */
        int counts[3]; /* epochs, target, best_epoch */
        for (int k = 0; k < 3; k++) {
            char *end;
            errno = 0;
            long v = strtol(field[3 + k], &end, 10);
            if (end == field[3 + k] || *end || errno || v < 0 || v > x->base.max_epochs) {
                char got[40];
                error_quote_text(got, sizeof got, field[3 + k], strlen(field[3 + k]));
                rc = error_set(err, ERROR_INPUT,
                               "%s:%d:%d: trial %ld: %s '%s' (expected 0 to --max-epochs %d)", path,
                               lineno, col[3 + k], idx,
                               (const char *[]){"epochs", "target", "best_epoch"}[k], got,
                               x->base.max_epochs);
                break;
            }
            counts[k] = (int)v;
        }
        /* the kept weights' figures, which an ended trial is ranked by:
         * empty, or a number (sweep_write_files writes them finite) */
        for (int k = 6; !rc && k < 11; k++) {
            char *end;
            double v = strtod(field[k], &end);
            if (!field[k][0] || (end != field[k] && !*end && isfinite(v))) continue;
            char got[40];
            error_quote_text(got, sizeof got, field[k], strlen(field[k]));
            char name[48];
            const char *acc = x->data->train.task == TASK_REGRESSION ? "mae" : "accuracy";
            if (k == 6)
                snprintf(name, sizeof name, "best_%s", monitor_names[x->monitor]);
            else
                snprintf(name, sizeof name, "%s%s", k >= 9 ? "val_" : "", k % 2 ? "loss" : acc);
            rc = error_set(err, ERROR_INPUT, "%s:%d:%d: trial %ld: %s '%s' is not a number", path,
                           lineno, col[k], idx, name, got);
        }
        if (rc) break;
        /* a trial that trained an epoch made its run, which it is ranked
         * by and goes on in: without one it would be written back done
         * at no epoch, or trained again beside its run */
        if (counts[0] > 0 && !t->run[0]) {
            const char *column = field[11 + x->space.n];
            rc = error_set(err, ERROR_INPUT,
                           "%s:%d:%d: trial %ld (%s, %d epoch%s): %s: put the run's path back, or "
                           "start the sweep again",
                           path, lineno, col[11 + x->space.n], idx, field[1], counts[0],
                           counts[0] == 1 ? "" : "s",
                           column[0] ? "its run's name is too long for a path under the sweep "
                                       "directory (was it moved?)"
                                     : "no run in its run column (was trials.csv edited?)");
            break;
        }
        read_figures(x, t);
        if ((rc =
                 check_status(x, t, st, counts[0], field[7][0] != '\0', path, lineno, col[1], err)))
            break;
        t->status = (SweepTrialStatus)st;
        /* a stopped one too, when a later session opened it again and a
         * kill left it so (trials.csv is written at fixed points, its
         * journal as it goes) */
        t->unended = st == TRIAL_RUNNING || st == TRIAL_PAUSED ||
                     (st == TRIAL_STOPPED && read_journal_end(t, false) == 0);
        t->target = counts[1];
        kept_from_row(x, t, field);
        /* the epoch it was pruned at: its row's (a kill while it was
         * trained again up to it leaves fewer in metrics.csv) */
        int pruned_at = counts[0] > t->epochs ? counts[0] : t->epochs;
        if (st == TRIAL_PRUNED && !t->has_result && t->run[0] && pruned_at > 0) {
            /* pruned, the sweep cut before the trial had stopped and been
             * collected (the rule's decision is written first): opened
             * from its checkpoint to stop there, as exec.c's prune_at */
            t->resume = true;
            t->prune_at = pruned_at;
            sweep_exec_pruned_why(x, t, pruned_at);
        } else if (st == TRIAL_DONE || st == TRIAL_EARLY_STOPPED || st == TRIAL_PRUNED ||
                   st == TRIAL_DIVERGED || st == TRIAL_FAILED) {
            t->collected = true;
            if (t->has_result && read_journal_end(t, true) == 1 &&
                (rc = check_kept(x, t, field, col, path, lineno, err)))
                break;
        } else if (x->has_asha && t->epochs > 0 && t->epochs >= t->target)
            t->dormant = true; /* waiting at its rung: opened when promoted */
        else if (waits_for_median(x, t))
            t->dormant = true; /* judged at its epoch before it trains on */
        else
            t->resume = true; /* interrupted: goes on */
        if (x->has_asha) asha_take_up(x, t);
        if (x->scheduler == SWEEP_SCHED_MEDIAN && !t->collected)
            t->target = median_target(x, t, t->prune_at ? t->prune_at : t->epochs);
    }
    if (!rc && lineno == 0)
        rc = error_set(err, ERROR_INPUT,
                       "%s: empty (the sweep writes its header line first): the file is damaged",
                       path);
    /* the sweep ends every line it writes: a last one refused without its
     * end was most likely cut short (lineno: the one refused); a header
     * cut short is the whole file, and no trial's line */
    if (rc && !ended) {
        size_t n = strlen(err->msg);
        snprintf(err->msg + n, sizeof err->msg - n,
                 " (that line has no line end: was trials.csv cut short? The sweep writes "
                 "every line whole; %s)",
                 lineno == 1 ? "delete trials.csv to have the sweep start again from its first "
                               "trial"
                             : "delete that line to have its trial train again from the start");
    }
    free(line);
    fclose(f);
    /* a trial that will train again writes its run's files as it ends:
     * refused now, not after the trials before it have trained */
    for (int i = 0; !rc && i < x->n_trials; i++) {
        const SweepTrial *t = &x->trials[i];
        if (t->run[0] && !t->collected) rc = rundir_check_files(t->run, err);
    }
    /* taken up whole: the temporaries of the sweep's own files that a
     * killed sweep left (the trials' are removed as their runs are read) */
    if (!rc) rundir_remove_stale(x->dir);
    return rc;
}

ErrorCode sweep_exec_open_dir(SweepExec *x, const char *resume, Error *err)
{
    if (resume) {
        snprintf(x->dir, sizeof x->dir, "%s", resume);
        return sweep_exec_resume(x, err);
    }
    if (x->base.no_log) return ERROR_NONE;
    char dir[sizeof x->dir];
    ErrorCode rc = sweep_dir_make(&x->base, x->data->all.name, dir, sizeof dir, err);
    if (rc) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return error_set(err, rc, "%s (or use --no-log)", msg);
    }
    snprintf(x->dir, sizeof x->dir, "%s", dir);
    return lock_dir(x, err);
}
