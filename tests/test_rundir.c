/* test_rundir.c - the run directory: its name, metrics.csv, journal.txt,
 * the event file read back, config.txt loaded back, model.gtm, errors for
 * a logdir that cannot be used, and checkpoint.gtm: real runs killed with
 * SIGKILL at chosen points and resumed, against one never interrupted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gradtop/io/crc32c.h"
#include "gradtop/run/modelfile.h"
#include "gradtop/run/rundir.h"
#include "gradtop/logdir/runset.h"
#include "gradtop/io/tfevents.h"

/* ---- fixtures -------------------------------------------------------- */

typedef struct {
    char tmp[64];
    Options opt;
    PreparedData s;
    char *features[4];
    char *classes[3];
    float shift[4], scale[4];
    Model m;
    Optimizer o;
} Fixture;

static void rm_rf(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        unlink(path);
        return;
    }
    struct dirent *e;
    char p[4096];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (snprintf(p, sizeof p, "%s/%s", path, e->d_name) < (int)sizeof p) rm_rf(p);
    }
    closedir(d);
    rmdir(path);
}

/* A hand-made session: iris-like, 150 rows split 120/30, or a regression
 * set with no validation part. */
static Fixture *make_fixture(bool classification, bool with_val)
{
    Fixture *f = calloc(1, sizeof *f);
    strcpy(f->tmp, "/tmp/gradtop-runlog-XXXXXX");
    assert_non_null(mkdtemp(f->tmp));
    options_default(&f->opt);
    snprintf(f->opt.logdir, sizeof f->opt.logdir, "%s/runs/nested", f->tmp);
    snprintf(f->opt.dataset, sizeof f->opt.dataset, "%s", "datasets/iris.csv");
    f->opt.n_layers = 1;
    f->opt.layers[0] = 5;
    f->opt.hp.opt.lr = 0.0025;
    f->opt.val_split = with_val ? 0.2 : 0;
    f->s.opt = f->opt;
    Dataset *all = &f->s.all;
    snprintf(all->source, sizeof all->source, "datasets/iris.csv");
    snprintf(all->name, sizeof all->name, "%s", classification ? "iris" : "diab etes/x");
    all->n = 150;
    all->d = 4;
    all->task = classification ? TASK_CLASSIFICATION : TASK_REGRESSION;
    const char *fn[4] = {"a", "b", "c", "d"};
    const char *cn[3] = {"setosa", "versicolor", "virginica"};
    for (int i = 0; i < 4; i++) f->features[i] = strdup(fn[i]);
    for (int i = 0; i < 3; i++) f->classes[i] = strdup(cn[i]);
    all->feature_names = f->features;
    if (classification) {
        all->n_classes = 3;
        all->class_names = f->classes;
    }
    snprintf(all->label_name, sizeof all->label_name, "%s", classification ? "species" : "y");
    f->s.train.n = with_val ? 120 : 150;
    f->s.val.n = with_val ? 30 : 0;
    for (int i = 0; i < 4; i++) {
        f->shift[i] = (float)i;
        f->scale[i] = 2.0f;
    }
    f->s.nz = (Normalizer){NORMALIZE_STANDARD, 4, f->shift, f->scale};

    ModelShape shape;
    Error err = {0};
    int hidden[1] = {5};
    assert_int_equal(model_shape_make(&shape, 4, hidden, 1, ACTIVATION_RELU, LOSS_AUTO,
                                      classification, classification ? 3 : 0, &err),
                     ERROR_NONE);
    Rng rng;
    rng_seed(&rng, 3);
    assert_int_equal(model_create(&f->m, &shape, 4, &rng, &err), ERROR_NONE);
    assert_int_equal(optimizer_create(&f->o, &f->opt.hp.opt, f->m.n_params, &err), ERROR_NONE);
    return f;
}

static void free_fixture(Fixture *f)
{
    rm_rf(f->tmp);
    for (int i = 0; i < 4; i++) free(f->features[i]);
    for (int i = 0; i < 3; i++) free(f->classes[i]);
    model_free(&f->m);
    optimizer_free(&f->o);
    free(f);
}

static char *slurp_text(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) fail_msg("cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
    buf[len] = '\0';
    fclose(fp);
    return buf;
}

static EpochMetrics epoch_metrics(int epoch, bool has_val)
{
    EpochMetrics m = {0};
    m.epoch = epoch;
    m.step = 4L * epoch;
    m.wall_time = 1700000000.0 + epoch;
    m.seconds = 0.5;
    m.loss = 1.0 / epoch;
    m.accuracy = 0.5 + 0.1 * epoch;
    m.mae = 0.25 * epoch;
    m.r2 = 0.125 * epoch;
    m.has_val = has_val;
    if (has_val) {
        m.val_loss = 2.0 / epoch;
        m.val_accuracy = 0.25 + 0.125 * epoch;
        m.val_mae = 0.5 * epoch;
        m.val_r2 = 0.0625 * epoch;
    }
    m.lr = 0.0025;
    return m;
}

static TrainEvent event(EventKind k, int epoch, const char *text)
{
    TrainEvent e = {
        .kind = k, .step = 4L * epoch, .epoch = epoch, .wall_time = 1700000000.0 + epoch};
    snprintf(e.text, sizeof e.text, "%s", text);
    return e;
}

/* The fixture's run directory, opened as train does or, nosync, as a
 * sweep opens its trials (rundir_open_nosync). */
static RunDir *open_as(Fixture *f, bool nosync)
{
    RunDir *rl;
    Error err = {0};
    if (nosync)
        assert_int_equal(rundir_open_nosync(&rl, NULL, 0, 0, &f->opt, &f->s, &err), ERROR_NONE);
    else
        assert_int_equal(rundir_open(&rl, &f->opt, &f->s, &err), ERROR_NONE);
    return rl;
}

/* Feeds a 3-epoch run through the hooks and finishes it; nosync opens it
 * as a sweep opens its trials. */
static RunDir *run_three_epochs_as(Fixture *f, bool has_val, bool has_test, bool nosync)
{
    RunDir *rl = open_as(f, nosync);
    Error err = {0};
    TrainerHooks h = rundir_hooks(rl);
    assert_ptr_equal(h.ctx, rl);
    TrainEvent e = event(EVENT_START, 0, "training iris: 120 rows");
    h.on_event(h.ctx, &e);
    for (int ep = 1; ep <= 3; ep++) {
        EpochMetrics m = epoch_metrics(ep, has_val);
        h.on_epoch(h.ctx, &m);
        h.on_checkpoint(h.ctx, &f->m, &f->o, ep);
        if (ep == 2) {
            e = event(EVENT_CHANGE, 2, "lr 0.0025 -> 0.005\nat step 8");
            h.on_event(h.ctx, &e);
        }
    }
    /* two batches after the last epoch's end (step 12), as a run stopped
     * in its fourth epoch */
    e = event(EVENT_END, 3, "end: completed after 3 epochs");
    e.step = 14;
    h.on_event(h.ctx, &e);
    TrainResult r = {.status = TRAIN_DONE, .epochs = 3, .steps = 14, .best_epoch = 3};
    r.kept = epoch_metrics(3, has_val);
    if (has_test) {
        r.has_test = true;
        r.test_loss = 0.75;
        r.test_accuracy = 0.875;
        r.test_mae = 1.5;
        r.test_r2 = 0.5;
    }
    assert_int_equal(rundir_finish(rl, &r, &err), ERROR_NONE);
    assert_int_equal(rundir_error(rl, &err), ERROR_NONE);
    return rl;
}

static RunDir *run_three_epochs(Fixture *f, bool has_val, bool has_test)
{
    return run_three_epochs_as(f, has_val, has_test, false);
}

static void file_path(char *buf, size_t cap, const RunDir *rl, const char *name)
{
    snprintf(buf, cap, "%s/%s", rundir_path(rl), name);
}

/* The library's fsyncs, counted: these definitions take the place of
 * libc's for the whole program (the engine is linked in statically) and
 * pass each call on to the kernel. */
static atomic_int n_fsync;

int fsync(int fd)
{
    atomic_fetch_add(&n_fsync, 1);
    return (int)syscall(SYS_fsync, fd);
}

int fdatasync(int fd)
{
    atomic_fetch_add(&n_fsync, 1);
    return (int)syscall(SYS_fdatasync, fd);
}

/* mkdir, counted the same way. */
static atomic_int n_mkdir;

int mkdir(const char *path, mode_t mode)
{
    atomic_fetch_add(&n_mkdir, 1);
    return (int)syscall(SYS_mkdir, path, mode);
}

/* ---- tests ----------------------------------------------------------- */

static void run_directory_is_named_by_time_dataset_and_name(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    snprintf(f->opt.name, sizeof f->opt.name, "%s", "my run");
    RunDir *a, *b;
    Error err = {0};
    assert_int_equal(rundir_open(&a, &f->opt, &f->s, &err), ERROR_NONE);
    assert_int_equal(rundir_open(&b, &f->opt, &f->s, &err), ERROR_NONE);
    const char *pa = rundir_path(a), *pb = rundir_path(b);
    size_t n = strlen(f->opt.logdir);
    assert_memory_equal(pa, f->opt.logdir, n);
    const char *base = pa + n + 1;
    /* YYYYMMDD-HHMMSS-iris-my_run */
    assert_int_equal(strlen(base), 15 + strlen("-iris-my_run"));
    for (int i = 0; i < 15; i++)
        assert_true(i == 8 ? base[i] == '-' : (base[i] >= '0' && base[i] <= '9'));
    assert_string_equal(base + 15, "-iris-my_run");
    /* the second run in the same second gets -2 (or a later second) */
    assert_string_not_equal(pa, pb);
    if (strncmp(pa, pb, strlen(pa)) == 0) assert_string_equal(pb + strlen(pa), "-2");
    struct stat st;
    assert_int_equal(stat(pa, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    rundir_close(a);
    rundir_close(b);
    free_fixture(f);
}

static void metrics_csv_has_the_header_and_one_row_per_epoch(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    RunDir *rl = run_three_epochs(f, true, false);
    char p[4200];
    file_path(p, sizeof p, rl, "metrics.csv");
    char *csv = slurp_text(p);
    const char *want = "epoch,step,wall_time,loss,accuracy,val_loss,val_accuracy,lr\n"
                       "1,4,1700000001.000,1,0.6,2,0.375,0.0025\n"
                       "2,8,1700000002.000,0.5,0.7,1,0.5,0.0025\n"
                       "3,12,1700000003.000,0.33333333,0.8,0.66666667,0.625,0.0025\n";
    assert_string_equal(csv, want);
    free(csv);
    rundir_close(rl);
    free_fixture(f);
}

static void regression_without_validation_leaves_val_fields_empty(void **state)
{
    (void)state;
    Fixture *f = make_fixture(false, false);
    RunDir *rl = run_three_epochs(f, false, true);
    /* the dataset name is made safe for a directory name */
    assert_non_null(strstr(rundir_path(rl), "-diab_etes_x"));
    char p[4200];
    file_path(p, sizeof p, rl, "metrics.csv");
    char *csv = slurp_text(p);
    const char *want = "epoch,step,wall_time,loss,mae,r2,val_loss,val_mae,val_r2,lr\n"
                       "1,4,1700000001.000,1,0.25,0.125,,,,0.0025\n"
                       "2,8,1700000002.000,0.5,0.5,0.25,,,,0.0025\n"
                       "3,12,1700000003.000,0.33333333,0.75,0.375,,,,0.0025\n";
    assert_string_equal(csv, want);
    free(csv);

    file_path(p, sizeof p, rl, "journal.txt");
    char *j = slurp_text(p);
    assert_non_null(strstr(j, " result status=completed epochs=3 best_epoch=3 loss=0.3333 "
                              "mae=0.7500 r2=0.3750 test_loss=0.7500 test_mae=1.5000 "
                              "test_r2=0.5000 run="));
    assert_null(strstr(j, "val_loss="));
    free(j);

    file_path(p, sizeof p, rl, "model.gtm");
    SavedModel sm;
    Error err = {0};
    assert_int_equal(modelfile_load(&sm, p, &err), ERROR_NONE);
    assert_int_equal(sm.task, TASK_REGRESSION);
    assert_string_equal(sm.label_name, "y");
    modelfile_free(&sm);
    rundir_close(rl);
    free_fixture(f);
}

static void journal_has_a_line_per_event_between_run_and_result(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    RunDir *rl = run_three_epochs(f, true, true);
    char p[4200];
    file_path(p, sizeof p, rl, "journal.txt");
    char *j = slurp_text(p);
    const char *kinds[] = {"run", "start", "change", "end", "result"};
    char *line = j;
    int n = 0;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl); /* every line is whole */
        *nl = '\0';
        assert_true(n < 5);
        /* 2023-11-14T22:13:21.000+00:00 step=N epoch=N KIND text */
        assert_true(strlen(line) > 30);
        assert_int_equal(line[4], '-');
        assert_int_equal(line[10], 'T');
        assert_int_equal(line[19], '.');
        char kind[32];
        long step;
        int epoch;
        assert_int_equal(
            sscanf(strchr(line, ' ') + 1, "step=%ld epoch=%d %31s", &step, &epoch, kind), 3);
        assert_string_equal(kind, kinds[n]);
        if (n == 2) {
            assert_int_equal(step, 8);
            assert_int_equal(epoch, 2);
            /* a newline inside the text does not split the entry */
            assert_non_null(strstr(line, "change lr 0.0025 -> 0.005 at step 8"));
        }
        if (n == 0)
            assert_non_null(
                strstr(line, "datasets/iris.csv (classification), 150 rows: 120 train, 30 val"));
        if (n == 3) assert_int_equal(step, 14);
        if (n == 4) {
            /* the result comes at the run's last step, not its last epoch's */
            assert_int_equal(step, 14);
            assert_non_null(strstr(line,
                                   "result status=completed epochs=3 best_epoch=3 loss=0.3333 "
                                   "accuracy=0.8000 val_loss=0.6667 val_accuracy=0.6250 "
                                   "test_loss=0.7500 test_accuracy=0.8750 run="));
            assert_non_null(strstr(line, rundir_path(rl)));
        }
        n++;
        line = nl + 1;
    }
    assert_int_equal(n, 5);
    free(j);
    rundir_close(rl);
    free_fixture(f);
}

/* The path of dir's one event file. */
static void event_file(char *p, size_t cap, const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int n_event_files = 0;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "events.out.tfevents.", 20) == 0) {
            snprintf(p, cap, "%s/%s", dir, e->d_name);
            n_event_files++;
        }
    }
    closedir(d);
    assert_int_equal(n_event_files, 1);
}

/* The data of the first TFRecord in buf[0..n) that holds tag (NULL when
 * none does), its length into *len. */
static const char *record_with(const char *buf, size_t n, const char *tag, size_t *len)
{
    size_t at = 0, tl = strlen(tag);
    while (at + 12 <= n) {
        uint64_t k = 0;
        for (int b = 7; b >= 0; b--) k = k << 8 | (uint8_t)buf[at + (size_t)b];
        if (k > n - at - 12) break;
        const char *data = buf + at + 12;
        if (memmem(data, (size_t)k, tag, tl)) {
            *len = (size_t)k;
            return data;
        }
        at += 12 + (size_t)k + 4;
    }
    return NULL;
}

/* ---- a protobuf walk, to read the HParams records as TensorBoard does */

/* The value of a varint at *p (below end), *p moved past it. */
static uint64_t pb_varint_at(const uint8_t **p, const uint8_t *end)
{
    uint64_t v = 0;
    for (int shift = 0; *p < end && shift < 64; shift += 7) {
        uint8_t c = *(*p)++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) break;
    }
    return v;
}

/* The k-th (from 0) occurrence of field in the message m[0..n): for a
 * length-delimited field its bytes (length into *len), for a varint one
 * NULL with the value in *len; *found says whether there was one. */
static const uint8_t *pb_nth(const uint8_t *m, size_t n, unsigned field, int k, size_t *len,
                             bool *found)
{
    const uint8_t *p = m, *end = m + n;
    *found = false;
    while (p < end) {
        uint64_t key = pb_varint_at(&p, end);
        unsigned f = (unsigned)(key >> 3), wt = (unsigned)(key & 7);
        const uint8_t *at = p;
        uint64_t v = 0;
        if (wt == 0) v = pb_varint_at(&p, end);
        if (wt == 1) p += 8;
        if (wt == 5) p += 4;
        if (wt == 2) {
            v = pb_varint_at(&p, end);
            at = p;
            p += v;
        }
        assert_true(wt == 0 || wt == 1 || wt == 2 || wt == 5);
        assert_true(p <= end);
        if (f == field && k-- == 0) {
            *found = true;
            *len = (size_t)v;
            return wt == 2 ? at : NULL;
        }
    }
    return NULL;
}

/* The HParamsPluginData of the first record of buf[0..n) holding tag:
 * Event.summary.value.metadata.plugin_data.content, its length into *len. */
static const uint8_t *hparams_data(const char *buf, size_t n, const char *tag, size_t *len)
{
    size_t l = 0;
    const uint8_t *m = (const uint8_t *)record_with(buf, n, tag, &l);
    assert_non_null(m);
    bool found;
    static const unsigned path[] = {5, 1, 9, 1, 2}; /* summary value metadata plugin_data content */
    for (size_t i = 0; i < sizeof path / sizeof path[0]; i++) {
        m = pb_nth(m, l, path[i], 0, &l, &found);
        assert_true(found);
    }
    *len = l;
    return m;
}

/* The experiment's k-th metric: its tag (0 when there is none) and
 * dataset type. */
static bool experiment_metric(const uint8_t *exp, size_t n, int k, char *tag, size_t cap,
                              int *dataset)
{
    size_t l, nl, tl, dl;
    bool found;
    const uint8_t *info = pb_nth(exp, n, 5, k, &l, &found);
    if (!found) return false;
    const uint8_t *name = pb_nth(info, l, 1, 0, &nl, &found);
    assert_true(found);
    const uint8_t *t = pb_nth(name, nl, 2, 0, &tl, &found);
    assert_true(found && tl < cap);
    memcpy(tag, t, tl);
    tag[tl] = '\0';
    pb_nth(info, l, 5, 0, &dl, &found);
    *dataset = found ? (int)dl : 0;
    return true;
}

/* The bytes of rl's one event file (at most cap), into buf; p its path. */
static size_t read_event_file(const RunDir *rl, char *p, size_t pcap, char *buf, size_t cap)
{
    event_file(p, pcap, rundir_path(rl));
    FILE *fp = fopen(p, "rb");
    assert_non_null(fp);
    size_t n = fread(buf, 1, cap, fp);
    fclose(fp);
    return n;
}

/* A run that has not ended, or never will (killed, or waiting at a
 * sweep's rung), has a value in the HParams tab for each figure it has:
 * the tab shows a metric's latest scalar in the run, so the experiment
 * declares the tags written each epoch, the validation ones first, and
 * the final/ ones of the end after them. */
static void the_hparams_metrics_have_values_while_the_run_trains(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    RunDir *rl = open_as(f, false);
    TrainerHooks h = rundir_hooks(rl);
    for (int ep = 1; ep <= 2; ep++) {
        EpochMetrics m = epoch_metrics(ep, true);
        h.on_epoch(h.ctx, &m);
    }
    char p[4200] = "", buf[65536];
    size_t n = read_event_file(rl, p, sizeof p, buf, sizeof buf);
    size_t len;
    const uint8_t *data = hparams_data(buf, n, "_hparams_/experiment", &len);
    bool found;
    size_t exp_len;
    const uint8_t *exp = pb_nth(data, len, 2, 0, &exp_len, &found); /* .experiment */
    assert_true(found);
    /* the tags this run has written so far */
    TfeReader *r;
    Error err = {0};
    assert_int_equal(tfevents_reader_open(&r, p, &err), ERROR_NONE);
    char written[16][TFEVENTS_MAX_TAG];
    int n_written = 0;
    TfeScalar s;
    while (tfevents_reader_next(r, &s) && n_written < 16) {
        bool seen = false;
        for (int i = 0; i < n_written; i++) seen = seen || strcmp(written[i], s.tag) == 0;
        if (!seen) snprintf(written[n_written++], sizeof written[0], "%s", s.tag);
    }
    tfevents_reader_close(r);
    /* every figure written so far is a metric of the experiment, and the
     * first ones are the validation figures of now */
    char tag[64];
    int dataset, k = 0, with_value = 0;
    while (experiment_metric(exp, exp_len, k, tag, sizeof tag, &dataset)) {
        if (k == 0) assert_string_equal(tag, "val_loss");
        if (k == 1) assert_string_equal(tag, "val_accuracy");
        bool val = strncmp(tag, "val_", 4) == 0 || strncmp(tag, "final/val_", 10) == 0;
        assert_int_equal(dataset, val ? 2 : strncmp(tag, "final/test_", 11) == 0 ? 0 : 1);
        for (int i = 0; i < n_written; i++)
            if (strcmp(written[i], tag) == 0) with_value++;
        k++;
    }
    assert_int_equal(n_written, 5); /* loss accuracy val_loss val_accuracy learning_rate */
    assert_int_equal(with_value, 5);
    assert_int_equal(k, 21); /* loss, accuracy, mae, r2 of five parts; the rate */
    rundir_close(rl);
    free_fixture(f);
}

/* The experiment's HParamInfo of name: its differs, and the number of its
 * domain_discrete's values (-1 without one).  False when it has none. */
static bool experiment_hparam(const uint8_t *exp, size_t n, const char *name, bool *differs,
                              int *domain)
{
    size_t l, nl, dl;
    bool found;
    const uint8_t *info;
    for (int k = 0; (info = pb_nth(exp, n, 4, k, &l, &found)) != NULL; k++) {
        const uint8_t *nm = pb_nth(info, l, 1, 0, &nl, &found);
        if (!found || nl != strlen(name) || memcmp(nm, name, nl) != 0) continue;
        pb_nth(info, l, 7, 0, &dl, &found);
        *differs = found && dl == 1;
        const uint8_t *list = pb_nth(info, l, 5, 0, &dl, &found);
        *domain = -1;
        if (found)
            for (*domain = 0; pb_nth(list, dl, 1, *domain, &nl, &found); (*domain)++) {
            }
        return true;
    }
    return false;
}

/* TensorBoard sorts the HParams tab's hyperparameters by differs (those
 * that differ first, api.proto's HParamInfo.differs) and shows the first
 * few: the options the run's varied list names (a sweep's searched
 * parameters, what racers differ in) are marked so.  An enum's values
 * are its domain (the tab's filter checkboxes; without one, it cannot
 * filter or sort by a string column); a free string (the dataset) has
 * none, as a partial one would filter other runs out. */
static void the_experiment_says_what_differs_and_an_enums_values(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    options_add_varied(&f->opt, "lr");
    options_add_varied(&f->opt, "batch-size");
    RunDir *rl = open_as(f, true);
    char p[4200] = "", buf[65536];
    size_t n = read_event_file(rl, p, sizeof p, buf, sizeof buf);
    size_t len, exp_len;
    bool found, differs;
    int domain;
    const uint8_t *data = hparams_data(buf, n, "_hparams_/experiment", &len);
    const uint8_t *exp = pb_nth(data, len, 2, 0, &exp_len, &found);
    assert_true(found);
    assert_true(experiment_hparam(exp, exp_len, "lr", &differs, &domain));
    assert_true(differs);
    assert_int_equal(domain, -1);
    assert_true(experiment_hparam(exp, exp_len, "batch-size", &differs, &domain));
    assert_true(differs);
    assert_true(experiment_hparam(exp, exp_len, "l2", &differs, &domain));
    assert_false(differs);
    assert_true(experiment_hparam(exp, exp_len, "optimizer", &differs, &domain));
    assert_false(differs);
    assert_int_equal(domain, 5); /* sgd adam rmsprop adamw adagrad */
    assert_true(experiment_hparam(exp, exp_len, "activation", &differs, &domain));
    assert_int_equal(domain, 6);
    assert_true(experiment_hparam(exp, exp_len, "dataset", &differs, &domain));
    assert_false(differs);
    assert_int_equal(domain, -1);
    rundir_close(rl);
    free_fixture(f);
}

/* Whether the SessionStartInfo start[0..n) has a value for the
 * hyperparameter name: a key of its hparams map (field 1). */
static bool start_hparam(const uint8_t *start, size_t n, const char *name)
{
    size_t l, kl;
    bool found;
    const uint8_t *entry;
    for (int k = 0; (entry = pb_nth(start, n, 1, k, &l, &found)) != NULL; k++) {
        const uint8_t *key = pb_nth(entry, l, 1, 0, &kl, &found);
        if (found && kl == strlen(name) && memcmp(key, name, kl) == 0) return true;
    }
    return false;
}

/* The experiment and the session start of a run's event file, as
 * TensorBoard decodes them. */
typedef struct {
    char buf[65536];
    const uint8_t *exp, *start;
    size_t exp_len, start_len;
} HParamRecords;

static void read_hparam_records(const RunDir *rl, HParamRecords *h)
{
    char p[4200] = "";
    size_t n = read_event_file(rl, p, sizeof p, h->buf, sizeof h->buf), len;
    bool found;
    const uint8_t *data = hparams_data(h->buf, n, "_hparams_/experiment", &len);
    h->exp = pb_nth(data, len, 2, 0, &h->exp_len, &found); /* .experiment */
    assert_true(found);
    data = hparams_data(h->buf, n, "_hparams_/session_start_info", &len);
    h->start = pb_nth(data, len, 3, 0, &h->start_len, &found); /* .session_start_info */
    assert_true(found);
}

/* Whether the experiment declares the hyperparameter name. */
static bool declared(const HParamRecords *h, const char *name)
{
    bool differs;
    int domain;
    return experiment_hparam(h->exp, h->exp_len, name, &differs, &domain);
}

/* The HParams tab's columns are the hyperparameters of the model and its
 * training: what changes what the run learns, the seed included.  An
 * option that changes only how fast it runs (threads), how it is shown
 * or named (pace, name), or which files it reads by their path (test,
 * labels) or how (delimiter) is no column, neither in the experiment
 * nor in the session's values. */
static void the_hparams_are_the_options_that_change_what_is_learned(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    f->opt.threads = 3;
    RunDir *rl = open_as(f, false);
    HParamRecords *h = malloc(sizeof *h);
    assert_non_null(h);
    read_hparam_records(rl, h);
    static const char *const kept[] = {"dataset", "seed",     "lr",        "batch-size", "layers",
                                       "epochs",  "patience", "val-split", "normalize",  "label"};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        if (!declared(h, kept[i]) || !start_hparam(h->start, h->start_len, kept[i]))
            fail_msg("%s is missing from the HParams records", kept[i]);
    }
    static const char *const left_out[] = {"threads", "pace",      "name",   "test",
                                           "labels",  "delimiter", "logdir", "config"};
    for (size_t i = 0; i < sizeof left_out / sizeof left_out[0]; i++) {
        if (declared(h, left_out[i]) || start_hparam(h->start, h->start_len, left_out[i]))
            fail_msg("%s is listed as a hyperparameter", left_out[i]);
    }
    free(h);
    rundir_close(rl);
    free_fixture(f);
}

/* A run's session lists the data options its dataset takes, and leaves
 * the others' cells empty as an Adam run leaves momentum's: a data file's
 * run has no samples, noise or features (a generated set's), a generated
 * set's no label or missing-value policy.  The experiment declares them
 * all, for the runs that take them. */
static void a_session_lists_only_the_data_options_its_dataset_takes(void **state)
{
    (void)state;
    static const char *const generated[] = {"samples", "noise", "features"};
    static const char *const file[] = {"label", "missing"};
    Fixture *f = make_fixture(true, true);
    HParamRecords *h = malloc(sizeof *h);
    assert_non_null(h);
    for (int gen = 0; gen < 2; gen++) {
        snprintf(f->opt.dataset, sizeof f->opt.dataset, "%s", gen ? "spiral" : "datasets/iris.csv");
        f->s.all.kind = gen ? DATASET_KIND_GENERATED : DATASET_KIND_CSV;
        RunDir *rl = open_as(f, false);
        read_hparam_records(rl, h);
        for (int k = 0; k < 2; k++) {
            const char *const *names = k == 0 ? generated : file;
            size_t count = k == 0 ? 3 : 2;
            bool takes = (k == 0) == (gen == 1);
            for (size_t i = 0; i < count; i++) {
                assert_true(declared(h, names[i]));
                if (start_hparam(h->start, h->start_len, names[i]) != takes)
                    fail_msg("a run on %s %s %s", f->opt.dataset, takes ? "lacks" : "lists",
                             names[i]);
            }
        }
        assert_true(start_hparam(h->start, h->start_len, "normalize"));
        rundir_close(rl);
    }
    free(h);
    free_fixture(f);
}

/* An IDX run's data is images: it has no label column, delimiter or
 * missing values (a CSV file's), nor a generated set's samples, noise or
 * features.  Its session lists none of them, whatever its name says: the
 * kind is the one of the data the run loaded, so that fashion-mnist read
 * from a datasets/fashion-mnist.csv is a CSV run, with its label and
 * missing-value policy. */
static void an_idx_runs_session_lists_no_csv_or_generated_option(void **state)
{
    (void)state;
    static const char *const others[] = {"label", "missing", "samples", "noise", "features"};
    Fixture *f = make_fixture(true, true);
    const char *const datasets[] = {"fashion-mnist", "pixels.bin", "fashion-mnist"};
    const DatasetKind kinds[] = {DATASET_KIND_IDX, DATASET_KIND_IDX, DATASET_KIND_CSV};
    HParamRecords *h = malloc(sizeof *h);
    assert_non_null(h);
    for (size_t d = 0; d < sizeof datasets / sizeof datasets[0]; d++) {
        snprintf(f->opt.dataset, sizeof f->opt.dataset, "%s", datasets[d]);
        f->s.all.kind = kinds[d];
        RunDir *rl = open_as(f, false);
        read_hparam_records(rl, h);
        for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
            assert_true(declared(h, others[i]));
            bool takes = kinds[d] == DATASET_KIND_CSV && i < 2;
            if (start_hparam(h->start, h->start_len, others[i]) != takes)
                fail_msg("a run on %s loaded as kind %d %s %s", datasets[d], kinds[d],
                         takes ? "lacks" : "lists", others[i]);
        }
        assert_true(start_hparam(h->start, h->start_len, "normalize"));
        assert_true(start_hparam(h->start, h->start_len, "dataset"));
        rundir_close(rl);
    }
    free(h);
    free_fixture(f);
}

static void event_file_reads_back_as_the_same_scalars(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    RunDir *rl = run_three_epochs(f, true, true);
    char p[4200] = "";
    event_file(p, sizeof p, rundir_path(rl));
    TfeReader *r;
    Error err = {0};
    assert_int_equal(tfevents_reader_open(&r, p, &err), ERROR_NONE);
    TfeScalar s;
    const char *tags[] = {"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"};
    int i = 0;
    while (i < 15 && tfevents_reader_next(r, &s)) {
        int ep = i / 5 + 1;
        EpochMetrics m = epoch_metrics(ep, true);
        double want[] = {m.loss, m.accuracy, m.val_loss, m.val_accuracy, m.lr};
        assert_string_equal(s.tag, tags[i % 5]);
        assert_int_equal(s.step, ep);
        assert_true(s.value == (float)want[i % 5]);
        assert_true(s.wall_time == m.wall_time);
        i++;
    }
    assert_int_equal(i, 15);
    /* its first record says gradtop wrote it: its steps are epochs */
    assert_string_equal(tfevents_reader_writer(r), RUNDIR_EVENTS_WRITER);
    const char *final_tags[] = {"final/loss",         "final/accuracy",  "final/val_loss",
                                "final/val_accuracy", "final/test_loss", "final/test_accuracy"};
    const double final_vals[] = {1.0 / 3, 0.8, 2.0 / 3, 0.625, 0.75, 0.875};
    for (int k = 0; k < 6; k++) {
        assert_true(tfevents_reader_next(r, &s));
        assert_string_equal(s.tag, final_tags[k]);
        assert_true(s.value == (float)final_vals[k]);
    }
    assert_false(tfevents_reader_next(r, &s));
    assert_int_equal(tfevents_reader_warnings(r), 0);
    /* file_version, experiment, session start, 15 + 6 scalars, session end */
    assert_int_equal(tfevents_reader_records(r), 1 + 2 + 15 + 6 + 1);
    tfevents_reader_close(r);

    /* the HParams records name the run's options */
    FILE *fp = fopen(p, "rb");
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    size_t len = 0;
    const char *start = record_with(buf, n, "_hparams_/session_start_info", &len);
    assert_non_null(start);
    assert_non_null(memmem(start, len, "batch-size", 10));
    assert_non_null(memmem(start, len, "beta1", 5)); /* Adam's own parameter ... */
    assert_null(memmem(start, len, "nesterov", 8));  /* ... but not SGD's */
    /* The experiment, which TensorBoard takes from one run of all it
     * reads, declares every option, so that its HParams tab shows SGD's
     * nesterov of an SGD run beside this one (a sweep's trials) */
    const char *exp = record_with(buf, n, "_hparams_/experiment", &len);
    assert_non_null(exp);
    assert_non_null(memmem(exp, len, "beta1", 5));
    assert_non_null(memmem(exp, len, "nesterov", 8));
    assert_non_null(memmem(exp, len, "initial-accumulator", 19));
    /* and every figure of either task, so that a regression run's mae
     * has its column beside this classification one's accuracy */
    assert_non_null(memmem(exp, len, "final/val_accuracy", 18));
    assert_non_null(memmem(exp, len, "final/val_mae", 13));
    assert_non_null(memmem(exp, len, "final/test_r2", 13));
    assert_non_null(record_with(buf, n, "_hparams_/session_end_info", &len));
    rundir_close(rl);
    free_fixture(f);
}

/* A run that ended in its first epoch (it diverged there, or was stopped)
 * still has kept weights, scored (the result line gives their figures):
 * its event file has them as final/ figures at step 0, for the Scalars and
 * HParams tabs, with --test's too, before its session end. */
static void a_run_ended_in_its_first_epoch_has_its_final_figures(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    RunDir *rl = open_as(f, false);
    Error err = {0};
    TrainResult r = {.status = TRAIN_DIVERGED, .epochs = 0, .steps = 3, .best_epoch = 0};
    r.kept = epoch_metrics(1, true);
    r.kept.epoch = 0;
    r.has_test = true;
    r.test_loss = 0.75;
    r.test_accuracy = 0.875;
    assert_int_equal(rundir_finish(rl, &r, &err), ERROR_NONE);
    char p[4200] = "";
    event_file(p, sizeof p, rundir_path(rl));
    TfeReader *rd;
    assert_int_equal(tfevents_reader_open(&rd, p, &err), ERROR_NONE);
    const char *want[] = {"final/loss",         "final/accuracy",  "final/val_loss",
                          "final/val_accuracy", "final/test_loss", "final/test_accuracy"};
    const double values[] = {r.kept.loss,         r.kept.accuracy, r.kept.val_loss,
                             r.kept.val_accuracy, r.test_loss,     r.test_accuracy};
    TfeScalar s;
    for (int k = 0; k < 6; k++) {
        assert_true(tfevents_reader_next(rd, &s));
        assert_string_equal(s.tag, want[k]);
        assert_int_equal(s.step, 0);
        assert_true(s.value == (float)values[k]);
    }
    assert_false(tfevents_reader_next(rd, &s));
    tfevents_reader_close(rd);
    char buf[65536];
    size_t n = read_event_file(rl, p, sizeof p, buf, sizeof buf);
    size_t len;
    assert_non_null(record_with(buf, n, "_hparams_/session_end_info", &len));
    rundir_close(rl);
    free_fixture(f);
}

/* The HParams session ends with api.proto's Status of how the run ended,
 * the tab's Status filter: SUCCESS when it trained to its end (every
 * epoch, or its early stopping said it was done), FAILURE when it
 * diverged, and UNKNOWN (no status) when it was cut short before its end,
 * stopped by a person or pruned by a sweep's rule, which both end as
 * TRAIN_STOPPED: how it would have ended is not known, as of a run
 * killed before its end (no session end at all). */
static void the_session_ends_with_the_status_of_how_the_run_ended(void **state)
{
    (void)state;
    static const struct {
        TrainStatus how;
        uint64_t status; /* 0: none written, STATUS_UNKNOWN */
    } cases[] = {
        {TRAIN_DONE, 1}, {TRAIN_EARLY_STOPPED, 1}, {TRAIN_DIVERGED, 2}, {TRAIN_STOPPED, 0}};
    Fixture *f = make_fixture(true, true);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        RunDir *rl = open_as(f, false);
        Error err = {0};
        TrainResult r = {.status = cases[i].how, .epochs = 1, .steps = 4, .best_epoch = 1};
        r.kept = epoch_metrics(1, true);
        assert_int_equal(rundir_finish(rl, &r, &err), ERROR_NONE);
        char p[4200] = "", buf[65536];
        size_t n = read_event_file(rl, p, sizeof p, buf, sizeof buf);
        size_t len, end_len, status = 0;
        bool found;
        const uint8_t *data = hparams_data(buf, n, "_hparams_/session_end_info", &len);
        const uint8_t *end = pb_nth(data, len, 4, 0, &end_len, &found); /* .session_end_info */
        assert_true(found);
        pb_nth(end, end_len, 1, 0, &status, &found); /* .status */
        if (!found) status = 0;
        if (status != cases[i].status)
            fail_msg("a run that ended %s: session status %zu, not %d",
                     train_status_key(cases[i].how), status, (int)cases[i].status);
        pb_nth(end, end_len, 2, 0, &len, &found); /* .end_time_secs */
        assert_true(found);
        rundir_close(rl);
    }
    free_fixture(f);
}

/* The session's model_uri names model.gtm by its absolute path: the
 * HParams tab shows it to a TensorBoard that runs elsewhere, and a path
 * relative to where the run was started leads nowhere from there. */
static void the_sessions_model_uri_is_an_absolute_path(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(f->tmp), 0);
    snprintf(f->opt.logdir, sizeof f->opt.logdir, "runs");
    RunDir *rl = open_as(f, false);
    char p[4200] = "", buf[65536];
    size_t n = read_event_file(rl, p, sizeof p, buf, sizeof buf);
    assert_int_equal(chdir(cwd), 0);
    size_t len, ul;
    bool found;
    const uint8_t *data = hparams_data(buf, n, "_hparams_/session_start_info", &len);
    const uint8_t *start = pb_nth(data, len, 3, 0, &len, &found); /* .session_start_info */
    assert_true(found);
    const uint8_t *uri = pb_nth(start, len, 2, 0, &ul, &found); /* .model_uri */
    assert_true(found);
    char want[4300];
    int wl = snprintf(want, sizeof want, "%s/%s/model.gtm", f->tmp, rundir_path(rl));
    assert_int_equal(ul, (size_t)wl);
    assert_memory_equal(uri, want, ul);
    rundir_close(rl);
    free_fixture(f);
}

static void config_txt_loads_back_into_the_same_options(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    f->opt.hp.l2 = 1e-4;
    f->opt.hp.batch_size = 16;
    f->opt.hp.opt.kind = OPTIMIZER_RMSPROP;
    RunDir *rl;
    Error err = {0};
    assert_int_equal(rundir_open(&rl, &f->opt, &f->s, &err), ERROR_NONE);
    char p[4200];
    file_path(p, sizeof p, rl, "config.txt");
    Options back;
    options_default(&back);
    if (options_load_file(&back, p, NULL, &err) != ERROR_NONE) fail_msg("%s", err.msg);
    /* the same options, the dataset by its absolute path (the tests run
     * from the project root, where datasets/iris.csv is) */
    char real[PATH_MAX];
    assert_non_null(realpath("datasets/iris.csv", real));
    assert_string_equal(back.dataset, real);
    snprintf(back.dataset, sizeof back.dataset, "%s", f->opt.dataset);
    char a[16384], b[16384];
    options_to_config(&f->opt, a, sizeof a);
    options_to_config(&back, b, sizeof b);
    assert_string_equal(a, b);
    assert_int_equal(back.hp.batch_size, 16);
    assert_true(back.hp.l2 == 1e-4);
    assert_int_equal(back.hp.opt.kind, OPTIMIZER_RMSPROP);
    /* it says what it holds: live changes are the journal's */
    FILE *cf = fopen(p, "r");
    assert_non_null(cf);
    char line[256] = "";
    assert_non_null(fgets(line, sizeof line, cf));
    assert_non_null(fgets(line, sizeof line, cf));
    fclose(cf);
    assert_string_equal(line, "# as the run started, but for a generated set's noise and "
                              "val-split, which are as they\n");
    rundir_close(rl);
    free_fixture(f);
}

static void checkpoint_writes_a_loadable_model(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    RunDir *rl;
    Error err = {0};
    assert_int_equal(rundir_open(&rl, &f->opt, &f->s, &err), ERROR_NONE);
    EpochMetrics m = epoch_metrics(1, true);
    rundir_on_epoch(rl, &m);
    f->m.params[0] = 42.0f;
    rundir_on_checkpoint(rl, &f->m, &f->o, 1);
    char p[4200];
    file_path(p, sizeof p, rl, "model.gtm");
    SavedModel sm;
    assert_int_equal(modelfile_load(&sm, p, &err), ERROR_NONE);
    assert_true(sm.params[0] == 42.0f);
    assert_memory_equal(sm.params, f->m.params, f->m.n_params * sizeof(float));
    assert_int_equal(sm.n_classes, 3);
    assert_string_equal(sm.class_names[2], "virginica");
    assert_string_equal(sm.feature_names[3], "d");
    assert_true(sm.nz.shift[3] == 3.0f);
    assert_true(sm.has_opt);
    assert_int_equal(sm.epoch, 1);
    assert_int_equal(sm.kept_epoch, 1);
    assert_non_null(strstr(sm.config_text, "batch-size = 32"));
    modelfile_free(&sm);
    /* no temporary files are left beside it */
    DIR *d = opendir(rundir_path(rl));
    struct dirent *e;
    while ((e = readdir(d))) assert_null(strstr(e->d_name, ".tmp."));
    closedir(d);
    rundir_close(rl);
    free_fixture(f);
}

/* model.gtm's stored l2, by which eval scores its loss. */
static double stored_l2(const char *path)
{
    SavedModel sm;
    Error err = {0};
    assert_int_equal(modelfile_load(&sm, path, &err), ERROR_NONE);
    Options o;
    options_default(&o);
    assert_int_equal(options_load_text(&o, sm.config_text, path, NULL, &err), ERROR_NONE);
    modelfile_free(&sm);
    return o.hp.l2;
}

/* A run whose L2 penalty changed while it trained (a PBT exploit, the
 * dashboard's e form) scored its weights with the penalty in force; its
 * model.gtm stores that one, which eval scores the loss with, so that
 * eval --part val gives back the figures the run reported.  It stored
 * the one the run began with (config.txt's, which keeps it). */
static void model_gtm_stores_the_penalty_its_weights_were_scored_with(void **state)
{
    (void)state;
    for (int nosync = 0; nosync < 2; nosync++) {
        Fixture *f = make_fixture(true, true);
        f->opt.hp.l2 = 0.002;
        RunDir *rl = open_as(f, nosync);
        Error err = {0};
        char path[4200], config[4200];
        file_path(path, sizeof path, rl, "model.gtm");
        file_path(config, sizeof config, rl, "config.txt");
        int perm[120];
        for (int i = 0; i < 120; i++) perm[i] = i;
        f->m.l2 = 0.0005; /* the trainer's model, after the change */
        EpochMetrics m = epoch_metrics(1, true);
        rundir_on_epoch(rl, &m);
        TrainState s = {.epoch = 1, .step = 4, .n_rows = 120, .perm = perm, .best_epoch = 1};
        s.hp = f->opt.hp;
        s.hp.l2 = 0.0005;
        rundir_on_state(rl, &f->m, &f->o, &s, true);
        rundir_on_checkpoint(rl, &f->m, &f->o, 1);
        assert_true(stored_l2(path) == 0.0005);
        /* config.txt keeps what the run began with */
        Options began;
        options_default(&began);
        assert_int_equal(options_load_file(&began, config, NULL, &err), ERROR_NONE);
        assert_true(began.hp.l2 == 0.002);
        rundir_close(rl);
        free_fixture(f);
    }
}

/* checkpoint.gtm's stored options, as of one checkpoint. */
static char *stored_config(const char *path, Options *o)
{
    SavedModel sm;
    Error err = {0};
    if (modelfile_load(&sm, path, &err)) fail_msg("%s", err.msg);
    options_default(o);
    assert_int_equal(options_load_text(o, sm.config_text, path, NULL, &err), ERROR_NONE);
    char *text = strdup(sm.config_text);
    modelfile_free(&sm);
    return text;
}

/* Each checkpoint.gtm stores the hyperparameters in force at its epoch:
 * the same text while they stay as they are, the new ones from the first
 * checkpoint after a change (the dashboard's, a PBT exploit's), and the
 * run's data options as they are after a change of a generated set. */
static void each_checkpoint_stores_the_hyperparameters_in_force_at_its_epoch(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    f->opt.hp.opt.lr = 0.01;
    RunDir *rl = open_as(f, 1);
    rundir_set_checkpoint_share(rl, 1); /* a checkpoint.gtm at every epoch */
    char path[4200];
    file_path(path, sizeof path, rl, "checkpoint.gtm");
    int perm[120];
    for (int i = 0; i < 120; i++) perm[i] = i;
    const double lr[4] = {0.01, 0.01, 0.05, 0.05};
    char *text[4];
    for (int ep = 1; ep <= 4; ep++) {
        EpochMetrics m = epoch_metrics(ep, true);
        rundir_on_epoch(rl, &m);
        TrainState s = {.epoch = ep,
                        .step = 4 * ep,
                        .n_rows = 120,
                        .perm = perm,
                        .best_epoch = ep,
                        .plateau_scale = 1};
        s.hp = f->opt.hp;
        s.hp.opt.lr = lr[ep - 1];
        if (ep == 4) { /* the set's noise changed before this epoch */
            f->s.opt.noise = 0.25;
            rundir_on_data(rl, &f->s);
        }
        rundir_on_state(rl, &f->m, &f->o, &s, false);
        Options o;
        text[ep - 1] = stored_config(path, &o);
        assert_true(o.hp.opt.lr == lr[ep - 1]);
        assert_true(o.noise == (ep == 4 ? 0.25 : f->opt.noise));
    }
    assert_string_equal(text[0], text[1]);
    assert_string_not_equal(text[1], text[2]);
    assert_string_not_equal(text[2], text[3]);
    for (int k = 0; k < 4; k++) free(text[k]);
    Error err = {0};
    assert_int_equal(rundir_error(rl, &err), ERROR_NONE);
    rundir_close(rl);
    free_fixture(f);
}

/* Whether the files at a and b hold the same bytes. */
static bool same_bytes(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    bool same = fa && fb;
    while (same) {
        int ca = fgetc(fa), cb = fgetc(fb);
        same = ca == cb;
        if (ca == EOF) break;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return same;
}

/* `train`'s run directory fsyncs as it goes (the event file each epoch,
 * each model.gtm and its directory, every file at the end); one opened
 * with rundir_open_nosync (a sweep's trial, whose sweep syncs at its fixed
 * points) writes the same rows and fsyncs none of its files. */
static void a_nosync_run_directory_writes_the_same_files_and_fsyncs_none(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    char dir[2][4200];
    int fsyncs[2];
    for (int k = 0; k < 2; k++) {
        atomic_store(&n_fsync, 0);
        RunDir *rl = run_three_epochs_as(f, true, false, k == 1);
        snprintf(dir[k], sizeof dir[k], "%s", rundir_path(rl));
        rundir_close(rl);
        fsyncs[k] = atomic_load(&n_fsync);
    }
    assert_true(fsyncs[0] >= 3 + 2 * 3);
    assert_int_equal(fsyncs[1], 0);
    /* (model.gtm comes later there: the next test) */
    const char *same[] = {"metrics.csv", "config.txt"};
    for (int i = 0; i < 2; i++) {
        char a[4300], b[4300];
        snprintf(a, sizeof a, "%s/%s", dir[0], same[i]);
        snprintf(b, sizeof b, "%s/%s", dir[1], same[i]);
        assert_true(same_bytes(a, b));
    }
    free_fixture(f);
}

/* The kept epoch and first weight of dir's model.gtm (-1: no file). */
static int model_kept(const char *path, float *w0)
{
    SavedModel sm;
    Error err = {0};
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    assert_int_equal(modelfile_load(&sm, path, &err), ERROR_NONE);
    int kept = sm.kept_epoch;
    *w0 = sm.params[0];
    modelfile_free(&sm);
    return kept;
}

/* In a nosync run directory (a sweep's trial) a new best does not replace
 * model.gtm at once, as train's does: the next checkpoint.gtm brings it,
 * from the best weights that state holds, and at the end it is written at
 * once. */
static void a_nosync_run_directory_writes_model_gtm_with_its_checkpoint(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    RunDir *rl;
    Error err = {0};
    assert_int_equal(rundir_open_nosync(&rl, NULL, 0, 0, &f->opt, &f->s, &err), ERROR_NONE);
    rundir_set_checkpoint_share(rl, 1); /* a checkpoint.gtm at every epoch */
    char path[4200];
    file_path(path, sizeof path, rl, "model.gtm");
    int perm[120];
    for (int i = 0; i < 120; i++) perm[i] = i;
    size_t np = f->m.n_params;
    float *best = malloc(np * sizeof *best);
    float w0;
    /* epoch 1, a new best */
    EpochMetrics m = epoch_metrics(1, true);
    rundir_on_epoch(rl, &m);
    f->m.params[0] = 1.0f;
    rundir_on_checkpoint(rl, &f->m, &f->o, 1);
    assert_int_equal(model_kept(path, &w0), -1); /* not yet */
    TrainState s = {.epoch = 1, .step = 4, .n_rows = 120, .perm = perm, .best_epoch = 1, .best = m};
    rundir_on_state(rl, &f->m, &f->o, &s, false);
    assert_int_equal(model_kept(path, &w0), 1);
    assert_true(w0 == 1.0f);
    memcpy(best, f->m.params, np * sizeof *best);
    /* epoch 2, worse: the state carries epoch 1's weights beside its own */
    m = epoch_metrics(2, true);
    rundir_on_epoch(rl, &m);
    f->m.params[0] = 2.0f;
    s = (TrainState){.epoch = 2,
                     .step = 8,
                     .n_rows = 120,
                     .perm = perm,
                     .best_epoch = 1,
                     .n_best = np,
                     .best_params = best};
    rundir_on_state(rl, &f->m, &f->o, &s, false);
    assert_int_equal(model_kept(path, &w0), 1);
    assert_true(w0 == 1.0f);
    /* epoch 3, a new best, then the end: the kept weights at once */
    m = epoch_metrics(3, true);
    rundir_on_epoch(rl, &m);
    f->m.params[0] = 3.0f;
    rundir_on_checkpoint(rl, &f->m, &f->o, 3);
    assert_int_equal(model_kept(path, &w0), 1);
    s = (TrainState){.epoch = 3, .step = 12, .n_rows = 120, .perm = perm, .best_epoch = 3};
    rundir_on_state(rl, &f->m, &f->o, &s, false);
    assert_int_equal(model_kept(path, &w0), 3);
    assert_true(w0 == 3.0f);
    m = epoch_metrics(4, true);
    rundir_on_epoch(rl, &m);
    f->m.params[0] = 4.0f;
    s = (TrainState){.epoch = 4, .step = 16, .n_rows = 120, .perm = perm, .best_epoch = 4};
    rundir_on_state(rl, &f->m, &f->o, &s, true);
    rundir_on_checkpoint(rl, &f->m, &f->o, 4);
    assert_int_equal(model_kept(path, &w0), 4);
    assert_true(w0 == 4.0f);
    assert_int_equal(rundir_error(rl, &err), ERROR_NONE);
    free(best);
    rundir_close(rl);
    free_fixture(f);
}

/* A sweep's trial (nosync) does not write a state that comes nearer its
 * end than rundir_set_checkpoint_near says: the end's write would replace
 * it at once, a new file and a removed one each time for nothing.  The
 * first state is otherwise always written, and so is the last; `train`'s
 * run directory keeps the rule it had.  The margins are 0 and 1e9 seconds,
 * so that no clock decides the outcome. */
static void a_nosync_run_leaves_a_state_near_its_end_to_the_end(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    f->opt.epochs = 10;
    int perm[120];
    for (int i = 0; i < 120; i++) perm[i] = i;
    const struct {
        bool nosync;
        double near;
        bool written;
    } cases[] = {{true, 1e9, false}, {true, 0, true}, {false, 1e9, true}};
    for (int c = 0; c < 3; c++) {
        RunDir *rl = open_as(f, cases[c].nosync);
        rundir_set_checkpoint_near(rl, cases[c].near);
        char ck[4200], model[4200];
        file_path(ck, sizeof ck, rl, "checkpoint.gtm");
        file_path(model, sizeof model, rl, "model.gtm");
        EpochMetrics m = epoch_metrics(1, true);
        rundir_on_epoch(rl, &m);
        rundir_on_checkpoint(rl, &f->m, &f->o, 1);
        TrainState s = {.epoch = 1, .step = 4, .n_rows = 120, .perm = perm, .best_epoch = 1};
        s.best = m;
        rundir_on_state(rl, &f->m, &f->o, &s, false);
        struct stat st;
        assert_int_equal(stat(ck, &st) == 0, cases[c].written);
        assert_int_equal(stat(model, &st) == 0, cases[c].written);
        /* the last state is written whatever the margin, model.gtm with it */
        m = epoch_metrics(2, true);
        rundir_on_epoch(rl, &m);
        s.epoch = 2;
        s.step = 8;
        rundir_on_state(rl, &f->m, &f->o, &s, true);
        rundir_on_checkpoint(rl, &f->m, &f->o, 1);
        assert_int_equal(stat(ck, &st), 0);
        assert_int_equal(stat(model, &st), 0);
        Error err = {0};
        assert_int_equal(rundir_error(rl, &err), ERROR_NONE);
        rundir_close(rl);
    }
    free_fixture(f);
}

/* A run directory in a --logdir that is there already (each trial of a
 * sweep makes one in the sweep's directory) makes that one directory and
 * tries no other: the parts of the logdir's path are not made again. */
static void a_run_in_an_existing_logdir_makes_only_its_own_directory(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    RunDir *rl = open_as(f, true); /* makes the logdir, runs/nested */
    rundir_close(rl);
    snprintf(f->opt.name, sizeof f->opt.name,
             "second"); /* not the first's name, if in its second */
    atomic_store(&n_mkdir, 0);
    rl = open_as(f, true);
    assert_int_equal(atomic_load(&n_mkdir), 1);
    struct stat st;
    assert_int_equal(stat(rundir_path(rl), &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    rundir_close(rl);
    /* one that is not there is made, part by part, as before */
    snprintf(f->opt.logdir, sizeof f->opt.logdir, "%s/runs/other/deeper", f->tmp);
    rl = open_as(f, true);
    assert_int_equal(stat(f->opt.logdir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    rundir_close(rl);
    free_fixture(f);
}

static void unusable_logdir_is_an_error_naming_it(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    /* a regular file where a directory should be (fails even for root) */
    char file[128];
    snprintf(file, sizeof file, "%s/plain", f->tmp);
    FILE *fp = fopen(file, "w");
    fclose(fp);
    snprintf(f->opt.logdir, sizeof f->opt.logdir, "%s/runs", file);
    RunDir *rl = (RunDir *)1;
    Error err = {0};
    ErrorCode rc = rundir_open(&rl, &f->opt, &f->s, &err);
    assert_int_equal(rc, ERROR_RUNTIME);
    assert_null(rl);
    char want[2 * sizeof f->opt.logdir + 128];
    snprintf(want, sizeof want, "--logdir %s: can't make it: %s is not a directory", f->opt.logdir,
             file);
    assert_string_equal(err.msg, want);
    snprintf(f->opt.logdir, sizeof f->opt.logdir, "%s", file);
    assert_int_equal(rundir_open(&rl, &f->opt, &f->s, &err), ERROR_RUNTIME);
    snprintf(want, sizeof want, "--logdir %s: not a directory", file);
    assert_string_equal(err.msg, want);
    /* a symbolic link to nothing, as the logdir and on its way */
    char link[128];
    snprintf(link, sizeof link, "%s/dangling", f->tmp);
    assert_int_equal(symlink("no-such-dir", link), 0);
    snprintf(f->opt.logdir, sizeof f->opt.logdir, "%s", link);
    assert_int_equal(rundir_open(&rl, &f->opt, &f->s, &err), ERROR_RUNTIME);
    snprintf(want, sizeof want,
             "--logdir %s: %s is a symbolic link to no-such-dir, which does not exist", link, link);
    assert_string_equal(err.msg, want);
    snprintf(f->opt.logdir, sizeof f->opt.logdir, "%s/runs", link);
    assert_int_equal(rundir_open(&rl, &f->opt, &f->s, &err), ERROR_RUNTIME);
    snprintf(want, sizeof want,
             "--logdir %s/runs: can't make it: %s is a symbolic link to no-such-dir, which does "
             "not exist",
             link, link);
    assert_string_equal(err.msg, want);
    /* A directory that exists but takes no new ones: mkdir in /proc says
     * ENOENT, which alone reads as if /proc/self were missing. */
    struct stat st;
    if (stat("/proc/self", &st) == 0) {
        snprintf(f->opt.logdir, sizeof f->opt.logdir, "/proc/self");
        assert_int_equal(rundir_open(&rl, &f->opt, &f->s, &err), ERROR_RUNTIME);
        static const char head[] = "--logdir /proc/self: can't make /proc/self/";
        assert_memory_equal(err.msg, head, strlen(head));
        assert_non_null(strstr(err.msg, "-iris: No such file or directory, though /proc/self "
                                        "exists: its file system takes no new directories"));
        snprintf(f->opt.logdir, sizeof f->opt.logdir, "/proc/self/runs/a");
        assert_int_equal(rundir_open(&rl, &f->opt, &f->s, &err), ERROR_RUNTIME);
        assert_string_equal(err.msg, "--logdir /proc/self/runs/a: can't make /proc/self/runs: No "
                                     "such file or directory, though /proc/self exists: its file "
                                     "system takes no new directories");
    }
    if (geteuid() != 0) {
        /* a directory without write permission */
        char ro[128];
        snprintf(ro, sizeof ro, "%s/ro", f->tmp);
        mkdir(ro, 0555);
        snprintf(f->opt.logdir, sizeof f->opt.logdir, "%s", ro);
        assert_int_equal(rundir_open(&rl, &f->opt, &f->s, &err), ERROR_RUNTIME);
        assert_non_null(strstr(err.msg, ro));
        assert_non_null(strstr(err.msg, ": Permission denied"));
    }
    free_fixture(f);
}

/* The PID of a process that has exited and been reaped: kill(pid, 0)
 * says ESRCH for it (until the kernel hands the number out again, which
 * takes a full turn of the PID space). */
static pid_t dead_pid(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) _exit(0);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return pid;
}

static bool exists(const char *dir, const char *name)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat st;
    return lstat(p, &st) == 0;
}

/* Puts into dir: the temporaries of a dead process (model.gtm's and
 * config.txt's, as a killed save leaves them), one of this live process,
 * and names that only look alike; names[0..1] are the dead ones. */
static void make_temporaries(const char *dir, char names[6][64])
{
    pid_t dead = dead_pid();
    snprintf(names[0], 64, "model.gtm.tmp.%ld", (long)dead);
    snprintf(names[1], 64, "config.txt.tmp.%ld", (long)dead);
    snprintf(names[2], 64, "model.gtm.tmp.%ld", (long)getpid());
    snprintf(names[3], 64, "model.gtm.tmp.%ldx", (long)dead);
    snprintf(names[4], 64, "notes.tmp.");
    snprintf(names[5], 64, "stale.tmp.%ld.dir", (long)dead);
    for (int i = 0; i < 6; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        FILE *fp = fopen(p, "w");
        assert_non_null(fp);
        fputs("partial", fp);
        fclose(fp);
    }
}

static void resume_removes_the_temporaries_of_dead_processes_only(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    RunDir *rl = run_three_epochs(f, true, false);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", rundir_path(rl));
    rundir_close(rl);
    char names[6][64];
    make_temporaries(dir, names);
    Error err = {0};
    assert_int_equal(rundir_resume(&rl, dir, 3, 12, &f->opt, &f->s, &err), ERROR_NONE);
    assert_false(exists(dir, names[0]));
    assert_false(exists(dir, names[1]));
    for (int i = 2; i < 6; i++) assert_true(exists(dir, names[i]));
    assert_true(exists(dir, "model.gtm"));
    rundir_close(rl);
    free_fixture(f);
}

/* The paths of dir's event files (at most cap) into paths; their count. */
static int event_files(const char *dir, char (*paths)[4200], int cap)
{
    int n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) && n < cap) {
        if (strncmp(e->d_name, "events.out.tfevents.", 20) != 0) continue;
        int len = snprintf(paths[n++], sizeof paths[0], "%s/%s", dir, e->d_name);
        assert_true(len > 0 && (size_t)len < sizeof paths[0]);
    }
    closedir(d);
    return n;
}

/* The restarts recorded in dir's event files (Events with a SessionLog
 * of status START): their count, the last one's step into *step. */
static int restarts_in(const char *dir, int64_t *step)
{
    int count = 0;
    char paths[8][4200];
    int n_files = event_files(dir, paths, 8);
    for (int i = 0; i < n_files; i++) {
        const char *p = paths[i];
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        char *buf = slurp_text(p);
        for (size_t at = 0; at + 12 <= (size_t)st.st_size;) {
            const uint8_t *rec = (const uint8_t *)buf + at + 12;
            size_t n = 0, l;
            for (int b = 7; b >= 0; b--) n = n << 8 | (uint8_t)buf[at + (size_t)b];
            bool found;
            const uint8_t *log = pb_nth(rec, n, 6, 0, &l, &found); /* Event.session_log */
            if (found) {
                size_t status, s;
                pb_nth(log, l, 1, 0, &status, &found);
                assert_true(found && status == 1); /* SessionLog.START */
                pb_nth(rec, n, 2, 0, &s, &found);
                *step = found ? (int64_t)s : 0;
                count++;
            }
            at += 12 + n + 4;
        }
        free(buf);
    }
    return count;
}

/* A resumed run's new event file says that the session started again
 * after the checkpoint's epoch (an Event with SessionLog START at the
 * first epoch it writes again): a TensorBoard that had read the epochs a
 * crash left beyond the checkpoint, which the resume cut from the files,
 * drops them from its charts instead of showing them beside the ones
 * trained again. */
static void a_resumed_run_tells_tensorboard_it_restarted(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    RunDir *rl = run_three_epochs(f, true, false);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", rundir_path(rl));
    rundir_close(rl);
    int64_t step = -1;
    assert_int_equal(restarts_in(dir, &step), 0);
    Error err = {0};
    assert_int_equal(rundir_resume(&rl, dir, 2, 8, &f->opt, &f->s, &err), ERROR_NONE);
    rundir_close(rl);
    assert_int_equal(restarts_in(dir, &step), 1);
    assert_int_equal(step, 3);
    free_fixture(f);
}

/* One writer at a time: a run open for writing (new or resumed) cannot be
 * resumed by another until it is closed; its files stay as they were. */
static void a_run_being_written_cannot_be_resumed_beside_it(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    RunDir *rl = run_three_epochs(f, true, false);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", rundir_path(rl));
    RunDir *second = NULL;
    Error err = {0};
    assert_int_equal(rundir_resume(&second, dir, 3, 12, &f->opt, &f->s, &err), ERROR_INPUT);
    assert_null(second);
    assert_non_null(strstr(err.msg, "another gradtop is writing this run"));
    rundir_close(rl);
    error_clear(&err);
    assert_int_equal(rundir_resume(&rl, dir, 3, 12, &f->opt, &f->s, &err), ERROR_NONE);
    assert_int_equal(rundir_resume(&second, dir, 3, 12, &f->opt, &f->s, &err), ERROR_INPUT);
    rundir_close(rl);
    free_fixture(f);
}

static void view_removes_the_temporaries_of_dead_processes_only(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    RunDir *rl = run_three_epochs(f, true, false);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", rundir_path(rl));
    rundir_close(rl);
    char names[6][64];
    make_temporaries(dir, names);
    RunSet rs;
    Error err = {0};
    assert_int_equal(runset_open(&rs, f->opt.logdir, &err), ERROR_NONE);
    assert_int_equal(rs.n_runs, 1);
    assert_false(exists(dir, names[0]));
    assert_false(exists(dir, names[1]));
    for (int i = 2; i < 6; i++) assert_true(exists(dir, names[i]));
    runset_free(&rs);
    free_fixture(f);
}

/* ---- a full disk ------------------------------------------------------ */

/* A file size limit (RLIMIT_FSIZE) stands in for a full disk: a write that
 * crosses it is cut short, the next one fails (EFBIG, with SIGXFSZ
 * ignored), as on a disk that fills mid-write. */
static struct rlimit saved_fsize;

static void limit_file_size(off_t bytes)
{
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved_fsize), 0);
    struct rlimit lim = {(rlim_t)bytes, saved_fsize.rlim_max};
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
}

static void unlimit_file_size(void)
{
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved_fsize), 0);
}

static off_t size_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

typedef struct {
    int calls;
    Error first;
} FailureSeen;

static void see_failure(void *ctx, const Error *e)
{
    FailureSeen *fs = ctx;
    if (fs->calls++ == 0) fs->first = *e;
}

static void a_row_the_disk_takes_part_of_is_cut_back_and_the_owner_told(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    RunDir *rl;
    Error err = {0};
    assert_int_equal(rundir_open(&rl, &f->opt, &f->s, &err), ERROR_NONE);
    FailureSeen seen = {0};
    rundir_on_failure(rl, see_failure, &seen);
    TrainerHooks h = rundir_hooks(rl);
    for (int ep = 1; ep <= 10; ep++) {
        EpochMetrics m = epoch_metrics(ep, true);
        h.on_epoch(h.ctx, &m);
    }
    char metrics[4200], journal[4200];
    file_path(metrics, sizeof metrics, rl, "metrics.csv");
    file_path(journal, sizeof journal, rl, "journal.txt");
    char *before = slurp_text(metrics);
    /* room for 30 bytes of the next row (about 70): it is written in part.
     * The journal, shorter than metrics.csv by more than a line, still
     * takes its write_failed line. */
    assert_true(size_of(journal) + 200 < size_of(metrics));
    limit_file_size(size_of(metrics) + 30);
    EpochMetrics m11 = epoch_metrics(11, true);
    h.on_epoch(h.ctx, &m11);
    unlimit_file_size();
    assert_int_equal(rundir_error(rl, &err), ERROR_RUNTIME);
    assert_non_null(strstr(err.msg, metrics));
    assert_non_null(strstr(err.msg, "File too large"));
    assert_int_equal(seen.calls, 1);
    assert_string_equal(seen.first.msg, err.msg);
    char *after = slurp_text(metrics);
    assert_string_equal(after, before); /* no half row */
    free(after);
    /* nothing more goes to metrics.csv; the journal still takes the end */
    EpochMetrics m12 = epoch_metrics(12, true);
    h.on_epoch(h.ctx, &m12);
    TrainEvent e = event(EVENT_END, 12, "stopped after 12 epochs");
    h.on_event(h.ctx, &e);
    TrainResult r = {.status = TRAIN_STOPPED, .epochs = 12, .steps = 48, .best_epoch = 2};
    r.kept = epoch_metrics(2, true);
    assert_int_equal(rundir_finish(rl, &r, &err), ERROR_RUNTIME);
    assert_int_equal(seen.calls, 1);
    after = slurp_text(metrics);
    assert_string_equal(after, before);
    free(after);
    free(before);
    char *j = slurp_text(journal);
    assert_non_null(strstr(j, " write_failed "));
    assert_non_null(strstr(j, " end stopped after 12 epochs\n"));
    const char *last = strrchr(j, '\n');
    while (last > j && last[-1] != '\n') last--;
    assert_non_null(strstr(last, " result status=stopped "));
    free(j);
    rundir_close(rl);
    free_fixture(f);
}

static void the_event_file_keeps_whole_records_when_the_disk_fills(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    RunDir *rl;
    Error err = {0};
    assert_int_equal(rundir_open(&rl, &f->opt, &f->s, &err), ERROR_NONE);
    TrainerHooks h = rundir_hooks(rl);
    EpochMetrics m1 = epoch_metrics(1, true);
    h.on_epoch(h.ctx, &m1);
    char events[4200], metrics[4200];
    event_file(events, sizeof events, rundir_path(rl));
    file_path(metrics, sizeof metrics, rl, "metrics.csv");
    off_t whole = size_of(events);
    /* the event file (its HParams records) is the largest: metrics.csv's
     * row fits, and the epoch's five scalar records, flushed together, are
     * written for 10 bytes */
    assert_true(size_of(metrics) + 100 < whole);
    limit_file_size(whole + 10);
    EpochMetrics m2 = epoch_metrics(2, true);
    h.on_epoch(h.ctx, &m2);
    unlimit_file_size();
    assert_int_equal(rundir_error(rl, &err), ERROR_RUNTIME);
    assert_non_null(strstr(err.msg, events));
    assert_int_equal(size_of(events), whole);
    rundir_close(rl); /* closing writes nothing more */
    assert_int_equal(size_of(events), whole);
    TfeReader *r;
    assert_int_equal(tfevents_reader_open(&r, events, &err), ERROR_NONE);
    TfeScalar sc;
    int n = 0;
    while (tfevents_reader_next(r, &sc)) n++;
    assert_int_equal(n, 5); /* epoch 1's */
    assert_int_equal(tfevents_reader_warnings(r), 0);
    assert_int_equal(tfevents_reader_offset(r), (uint64_t)whole);
    tfevents_reader_close(r);
    free_fixture(f);
}

static void logging_off_writes_its_journal_line_then_nothing(void **state)
{
    (void)state;
    Fixture *f = make_fixture(true, true);
    RunDir *rl;
    Error err = {0};
    assert_int_equal(rundir_open(&rl, &f->opt, &f->s, &err), ERROR_NONE);
    TrainerHooks h = rundir_hooks(rl);
    EpochMetrics m1 = epoch_metrics(1, true);
    h.on_epoch(h.ctx, &m1);
    rundir_off(rl, "training goes on without run files");
    char metrics[4200], journal[4200], events[4200];
    file_path(metrics, sizeof metrics, rl, "metrics.csv");
    file_path(journal, sizeof journal, rl, "journal.txt");
    event_file(events, sizeof events, rundir_path(rl));
    off_t sizes[3] = {size_of(metrics), size_of(journal), size_of(events)};
    EpochMetrics m2 = epoch_metrics(2, true);
    h.on_epoch(h.ctx, &m2);
    TrainEvent e = event(EVENT_END, 2, "completed after 2 epochs");
    h.on_event(h.ctx, &e);
    h.on_checkpoint(h.ctx, &f->m, &f->o, 2);
    TrainResult r = {.status = TRAIN_DONE, .epochs = 2, .steps = 8, .best_epoch = 2};
    r.kept = m2;
    assert_int_equal(rundir_finish(rl, &r, &err), ERROR_NONE);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", rundir_path(rl));
    rundir_close(rl);
    assert_int_equal(size_of(metrics), sizes[0]);
    assert_int_equal(size_of(journal), sizes[1]);
    assert_int_equal(size_of(events), sizes[2]);
    assert_false(exists(dir, "model.gtm"));
    char *j = slurp_text(journal);
    const char *last = strrchr(j, '\n');
    while (last > j && last[-1] != '\n') last--;
    assert_non_null(strstr(last, " log_off training goes on without run files"));
    free(j);
    free_fixture(f);
}

/* ---- killed and resumed runs ----------------------------------------- */

/* Where a run is killed: after epoch k's metrics row (before its
 * checkpoint), in the middle of epoch k, or after epoch k's state went to
 * the run log.  TRIP_STOP_MID_EPOCH stops it in the middle of epoch k
 * instead, as SIGINT does: it ends and writes its files. */
typedef enum {
    TRIP_NONE,
    TRIP_AFTER_ROW,
    TRIP_MID_EPOCH,
    TRIP_AFTER_STATE,
    TRIP_STOP_MID_EPOCH
} TripKind;

typedef struct {
    RunDir *rl;
    Trainer *t;
    TripKind kind;
    int epoch; /* k */
    int every; /* the run log gets the state only every `every` epochs
                  (and at the end), as when writing it is slow */
    int fd;    /* the child tells the parent here that it reached the point */
} Trip;

/* Tells the parent, then waits for the SIGKILL it sends. */
static void trip(const Trip *t)
{
    char c = 'k';
    if (write(t->fd, &c, 1) != 1) _exit(3);
    for (;;) pause();
}

static void trip_batch(void *ctx, const BatchInfo *b)
{
    const Trip *t = ctx;
    /* the second batch of epoch k: the first already changed the weights */
    if (t->kind == TRIP_MID_EPOCH && b->epoch + 1 == t->epoch && b->step % 4 == 2) trip(t);
    if (t->kind == TRIP_STOP_MID_EPOCH && b->epoch + 1 == t->epoch && b->step % 4 == 2)
        trainer_stop(t->t);
}

/* After this epoch's row the rate doubles and the batch size halves, as a
 * person changes them on the dashboard (0: no change). */
static int trip_change_at;

static void trip_epoch(void *ctx, const EpochMetrics *m)
{
    const Trip *t = ctx;
    rundir_on_epoch(t->rl, m);
    if (trip_change_at && m->epoch == trip_change_at) {
        HyperParams hp;
        trainer_get_hparams(t->t, &hp);
        hp.opt.lr *= 2;
        hp.batch_size /= 2;
        trainer_set_hparams(t->t, &hp);
    }
    if (t->kind == TRIP_AFTER_ROW && m->epoch == t->epoch) trip(t);
}

static void trip_event(void *ctx, const TrainEvent *e)
{
    rundir_on_event(((const Trip *)ctx)->rl, e);
}

static void trip_checkpoint(void *ctx, const Model *m, const Optimizer *o, int kept_epoch)
{
    rundir_on_checkpoint(((const Trip *)ctx)->rl, m, o, kept_epoch);
}

static void trip_state(void *ctx, const Model *m, const Optimizer *o, const TrainState *s,
                       bool last)
{
    const Trip *t = ctx;
    if (last || s->epoch % t->every == 0) rundir_on_state(t->rl, m, o, s, last);
    if (t->kind == TRIP_AFTER_STATE && s->epoch == t->epoch) trip(t);
}

/* Iris with dropout and a plateau schedule (so that both generators and
 * the schedule's state matter), one thread, 4 batches an epoch. */
static bool resume_restore_best = true; /* --restore-best of resume_options */

static void resume_options(Options *o, const char *logdir, int epochs)
{
    options_default(o);
    o->restore_best = resume_restore_best;
    snprintf(o->dataset, sizeof o->dataset, "datasets/iris.csv");
    snprintf(o->logdir, sizeof o->logdir, "%s", logdir);
    o->n_layers = 1;
    o->layers[0] = 8;
    o->hp.dropout = 0.2;
    o->hp.opt.lr = 0.2;
    o->sched.kind = SCHEDULE_PLATEAU;
    o->sched.plateau_patience = 2;
    o->sched.factor = 0.5;
    o->hp.batch_size = 32;
    o->hp.patience = 0;
    o->epochs = epochs;
    o->threads = 1;
    o->seed = 11;
}

/* What train and train --resume do (cmd_train.c), in this process: a new
 * run under logdir (dir NULL; its path goes to dir_out) or the run in dir
 * resumed with `epochs` epochs in all.  Returns 0 when it ran to its end. */
static int train_once(const char *logdir, const char *dir, int epochs, Trip *trip_at, char *dir_out,
                      size_t cap)
{
    Error err = {0};
    Options o;
    RunResume rr;
    bool resume = dir != NULL;
    if (resume) {
        if (rundir_resume_load(&rr, dir, &err)) fail_msg("%s", err.msg);
        o = rr.earlier;
        o.epochs = epochs;
        rundir_resume_options(&rr, &o);
    } else {
        resume_options(&o, logdir, epochs);
    }
    PreparedData s;
    if (prepared_open(&s, &o, NULL, &err)) fail_msg("%s", err.msg);
    TrainerHooks h = {.ctx = trip_at,
                      .on_batch = trip_batch,
                      .on_epoch = trip_epoch,
                      .on_event = trip_event,
                      .on_checkpoint = trip_checkpoint,
                      .on_state = trip_state};
    Trainer *t;
    if (trainer_create(&t, &o, &s.train, &s.val, NULL, false, &h, &err)) fail_msg("%s", err.msg);
    trip_at->t = t;
    if (resume && rr.from_start) { /* ended in its first epoch: a new run's state */
        if (rundir_resume(&trip_at->rl, dir, 0, 0, &o, &s, &err)) fail_msg("%s", err.msg);
    } else if (resume) {
        const SavedModel *sm = &rr.state;
        assert_true(rr.from_checkpoint);
        if (trainer_load_state(t, sm->params, sm->n_params, sm->opt_state, sm->opt_kind, sm->opt_t,
                               sm->epoch, sm->step, &err) ||
            trainer_restore(t, &sm->state, rr.earlier.monitor, &err) ||
            rundir_resume(&trip_at->rl, dir, sm->epoch, sm->step, &o, &s, &err))
            fail_msg("%s", err.msg);
    } else if (rundir_open(&trip_at->rl, &o, &s, &err)) {
        fail_msg("%s", err.msg);
    }
    rundir_set_checkpoint_share(trip_at->rl, 1); /* every state that comes */
    if (dir_out) snprintf(dir_out, cap, "%s", rundir_path(trip_at->rl));
    assert_int_equal(trainer_run(t, &err), ERROR_NONE);
    TrainResult r;
    trainer_result(t, &r);
    assert_int_equal(rundir_finish(trip_at->rl, &r, &err), ERROR_NONE);
    rundir_close(trip_at->rl);
    trainer_destroy(t);
    prepared_close(&s);
    if (resume) rundir_resume_free(&rr);
    return 0;
}

/* Runs train_once in a child killed at the trip point (TRIP_NONE: let it
 * finish).  A new run's directory is read from the child through the same
 * pipe. */
static void train_killed(const char *logdir, const char *dir, int epochs, TripKind kind, int at,
                         int every, char *dir_out, size_t cap)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        Trip t = {.kind = kind, .epoch = at, .every = every, .fd = fds[1]};
        char made[4096] = "";
        train_once(logdir, dir, epochs, &t, made, sizeof made);
        _exit(0);
    }
    close(fds[1]);
    char c;
    ssize_t n = read(fds[0], &c, 1);
    close(fds[0]);
    bool kills = kind != TRIP_NONE && kind != TRIP_STOP_MID_EPOCH;
    if (kills) {
        assert_int_equal(n, 1); /* it reached the point: kill it there */
        kill(pid, SIGKILL);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    if (!kills)
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    else
        assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    if (dir_out) {
        /* the only run directory under logdir */
        DIR *d = opendir(logdir);
        assert_non_null(d);
        struct dirent *e;
        int runs = 0;
        while ((e = readdir(d)))
            if (e->d_name[0] != '.') {
                snprintf(dir_out, cap, "%s/%s", logdir, e->d_name);
                runs++;
            }
        closedir(d);
        assert_int_equal(runs, 1);
    }
}

/* metrics.csv without its wall_time column, which differs between runs. */
static char *metrics_without_time(const char *dir)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/metrics.csv", dir);
    char *csv = slurp_text(p);
    char *out = malloc(strlen(csv) + 1), *w = out;
    for (char *line = csv; *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line + 1) : strlen(line);
        /* epoch,step,wall_time,... */
        char *c1 = memchr(line, ',', len);
        char *c2 = c1 ? memchr(c1 + 1, ',', len - (size_t)(c1 + 1 - line)) : NULL;
        char *c3 = c2 ? memchr(c2 + 1, ',', len - (size_t)(c2 + 1 - line)) : NULL;
        assert_non_null(c3);
        memcpy(w, line, (size_t)(c2 - line));
        w += c2 - line;
        memcpy(w, c3, len - (size_t)(c3 - line));
        w += len - (size_t)(c3 - line);
        line += len;
    }
    *w = '\0';
    free(csv);
    return out;
}

/* Asserts the metrics rows are epochs 1 .. epochs, each once, in order. */
static void assert_epochs_once(const char *dir, int epochs)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/metrics.csv", dir);
    char *csv = slurp_text(p);
    char *line = strchr(csv, '\n');
    assert_non_null(line);
    int want = 1;
    for (line++; *line; want++) {
        if (atoi(line) != want) fail_msg("%s: row %d is of epoch %d", p, want, atoi(line));
        line = strchr(line, '\n');
        assert_non_null(line);
        line++;
    }
    assert_int_equal(want - 1, epochs);
    free(csv);
}

/* Asserts that, over all the run's event files, each epoch has its loss
 * scalar exactly once, and no file holds a damaged record. */
static void assert_events_once(const char *dir, int epochs)
{
    int seen[64] = {0};
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "events.out.tfevents.", 20) != 0) continue;
        char p[4200];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        TfeReader *r;
        Error err = {0};
        assert_int_equal(tfevents_reader_open(&r, p, &err), ERROR_NONE);
        TfeScalar sc;
        while (tfevents_reader_next(r, &sc))
            if (strcmp(sc.tag, "loss") == 0) {
                assert_true(sc.step >= 1 && sc.step <= epochs);
                seen[sc.step]++;
            }
        assert_int_equal(tfevents_reader_warnings(r), 0);
        tfevents_reader_close(r);
    }
    closedir(d);
    for (int k = 1; k <= epochs; k++)
        if (seen[k] != 1)
            fail_msg("%s: epoch %d's loss is in the event files %d times", dir, k, seen[k]);
}

static void load_params(const char *dir, const char *file, SavedModel *sm)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    Error err = {0};
    if (modelfile_load(sm, p, &err)) fail_msg("%s", err.msg);
}

/* A temporary directory for a run never interrupted (ref, under
 * ref_logdir) and one killed and resumed (dir, under logdir). */
typedef struct {
    char tmp[32], ref_logdir[128], logdir[128], ref[4096], dir[4096];
} ResumePair;

static void pair_open(ResumePair *p)
{
    snprintf(p->tmp, sizeof p->tmp, "/tmp/gradtop-resume-XXXXXX");
    assert_non_null(mkdtemp(p->tmp));
    snprintf(p->ref_logdir, sizeof p->ref_logdir, "%s/ref", p->tmp);
    snprintf(p->logdir, sizeof p->logdir, "%s/killed", p->tmp);
}

/* The resumed run's metrics.csv is the uninterrupted one's, bit for bit
 * but for the wall time. */
static void pair_same_metrics(const ResumePair *p)
{
    char *a = metrics_without_time(p->ref), *b = metrics_without_time(p->dir);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

/* Hyperparameters changed while the run trained (after epoch 3) are in
 * force after a resume from a later checkpoint, as they would have been
 * without the interruption; they once went back to config.txt's, and the
 * resumed epochs trained at the rate the run began with. */
static void run_with_live_changes_resumes_with_them(void **state)
{
    (void)state;
    ResumePair p;
    pair_open(&p);
    const int epochs = 10;
    trip_change_at = 3;
    train_killed(p.ref_logdir, NULL, epochs, TRIP_NONE, 0, 1, p.ref, sizeof p.ref);
    train_killed(p.logdir, NULL, epochs, TRIP_AFTER_STATE, 6, 1, p.dir, sizeof p.dir);
    trip_change_at = 0;
    RunResume rr;
    Error err = {0};
    assert_int_equal(rundir_resume_load(&rr, p.dir, &err), ERROR_NONE);
    assert_true(rr.changed_hp);
    assert_int_equal(rr.earlier.hp.batch_size, 16);
    assert_true(fabs(rr.earlier.hp.opt.lr - 0.4) < 1e-12);
    rundir_resume_free(&rr);
    train_killed(p.logdir, p.dir, epochs, TRIP_NONE, 0, 1, NULL, 0);
    assert_epochs_once(p.dir, epochs);
    pair_same_metrics(&p);
    rm_rf(p.tmp);
}

/* A run without --restore-best stores no best weights in its checkpoint:
 * killed after an epoch that is not its best, it resumes to the run never
 * interrupted (it was once refused: "the best weights are missing"). */
static void run_without_restore_best_resumes(void **state)
{
    (void)state;
    char tmp[] = "/tmp/gradtop-resume-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char ref_logdir[128], ref[4096], dir[4096];
    snprintf(ref_logdir, sizeof ref_logdir, "%s/ref", tmp);
    const int epochs = 12;
    resume_restore_best = false;
    train_killed(ref_logdir, NULL, epochs, TRIP_NONE, 0, 1, ref, sizeof ref);
    /* the first epoch whose checkpoint's best epoch is an earlier one */
    int at = 0;
    for (int k = 2; k < epochs && !at; k++) {
        char logdir[128];
        snprintf(logdir, sizeof logdir, "%s/killed%d", tmp, k);
        train_killed(logdir, NULL, epochs, TRIP_AFTER_STATE, k, 1, dir, sizeof dir);
        SavedModel sm;
        load_params(dir, "checkpoint.gtm", &sm);
        assert_true(sm.has_state);
        assert_int_equal(sm.state.n_best, 0);
        if (sm.state.best_epoch > 0 && sm.state.best_epoch != sm.epoch) at = k;
        modelfile_free(&sm);
    }
    if (!at) fail_msg("no epoch of the run was past its best: nothing tested");
    RunResume rr;
    Error err = {0};
    if (rundir_resume_load(&rr, dir, &err)) fail_msg("epoch %d: %s", at, err.msg);
    rundir_resume_free(&rr);
    train_killed(NULL, dir, epochs, TRIP_NONE, 0, 1, NULL, 0);
    resume_restore_best = true;
    assert_epochs_once(dir, epochs);
    char *a = metrics_without_time(ref), *b = metrics_without_time(dir);
    assert_string_equal(a, b);
    free(a);
    free(b);
    rm_rf(tmp);
}

static void killed_runs_resume_to_the_uninterrupted_run(void **state)
{
    (void)state;
    ResumePair pr;
    pair_open(&pr);
    char *tmp = pr.tmp, *ref_logdir = pr.ref_logdir, *logdir = pr.logdir, *ref = pr.ref,
         *dir = pr.dir;
    const int epochs = 12;
    train_killed(ref_logdir, NULL, epochs, TRIP_NONE, 0, 1, ref, sizeof pr.ref);

    /* killed after epoch 3's row, before its checkpoint: epoch 3 again */
    train_killed(logdir, NULL, epochs, TRIP_AFTER_ROW, 3, 1, dir, sizeof pr.dir);
    assert_epochs_once(dir, 3);
    /* in the middle of epoch 5: its batches are lost, epoch 4 stands */
    train_killed(logdir, dir, epochs, TRIP_MID_EPOCH, 5, 1, NULL, 0);
    assert_epochs_once(dir, 4);
    /* checkpoints only at epochs 6 and 9, killed at 8: back to 6 */
    train_killed(logdir, dir, epochs, TRIP_AFTER_STATE, 8, 3, NULL, 0);
    assert_epochs_once(dir, 8);
    /* model.gtm was saved at epoch 7, a new best after that checkpoint:
     * the resume gives it the checkpoint's kept weights before training */
    SavedModel kept;
    load_params(dir, "model.gtm", &kept);
    assert_int_equal(kept.kept_epoch, 7);
    modelfile_free(&kept);
    train_killed(logdir, dir, epochs, TRIP_MID_EPOCH, 7, 1, NULL, 0);
    load_params(dir, "model.gtm", &kept);
    assert_int_equal(kept.epoch, 6);
    assert_true(kept.kept_epoch <= 6);
    modelfile_free(&kept);
    assert_epochs_once(dir, 6);
    /* right after epoch 9's checkpoint: nothing to cut */
    train_killed(logdir, dir, epochs, TRIP_AFTER_STATE, 9, 1, NULL, 0);
    train_killed(logdir, dir, epochs, TRIP_NONE, 0, 1, NULL, 0);

    assert_epochs_once(dir, epochs);
    assert_events_once(dir, epochs);
    assert_events_once(ref, epochs);
    /* the same seed and data order: the same figures, bit for bit */
    pair_same_metrics(&pr);
    const char *files[] = {"model.gtm", "checkpoint.gtm"};
    for (int i = 0; i < 2; i++) {
        SavedModel x, y;
        load_params(ref, files[i], &x);
        load_params(dir, files[i], &y);
        assert_int_equal(x.n_params, y.n_params);
        assert_memory_equal(x.params, y.params, x.n_params * sizeof(float));
        assert_int_equal(x.epoch, y.epoch);
        assert_int_equal(x.kept_epoch, y.kept_epoch);
        modelfile_free(&x);
        modelfile_free(&y);
    }
    /* the journal says what each resume cut */
    char p[4200];
    snprintf(p, sizeof p, "%s/journal.txt", dir);
    char *j = slurp_text(p);
    assert_non_null(strstr(j, " rewind goes on from the end of epoch 2: metrics.csv keeps epochs "
                              "1-2, 1 later row removed (from epoch 3); "));
    assert_non_null(strstr(j, " rewind goes on from the end of epoch 6: metrics.csv keeps epochs "
                              "1-6, 2 later rows removed (from epoch 7); "));
    free(j);
    rm_rf(tmp);
}

/* How many records of the event files in dir hold tag: scalars tagged
 * so, or any record that names it. */
static int records_with(const char *dir, const char *tag, bool scalar)
{
    int count = 0;
    char paths[8][4200];
    int n_files = event_files(dir, paths, 8);
    for (int i = 0; i < n_files; i++) {
        const char *p = paths[i];
        if (scalar) {
            TfeReader *r;
            Error err = {0};
            assert_int_equal(tfevents_reader_open(&r, p, &err), ERROR_NONE);
            TfeScalar sc;
            while (tfevents_reader_next(r, &sc)) count += strcmp(sc.tag, tag) == 0;
            tfevents_reader_close(r);
            continue;
        }
        char *buf = slurp_text(p);
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        size_t n = (size_t)st.st_size, len = 0;
        for (const char *at = buf, *r; (r = record_with(at, n - (size_t)(at - buf), tag, &len));
             at = r + len + 4)
            count++;
        free(buf);
    }
    return count;
}

/* A run stopped part of the way (SIGINT) ends its session in its event
 * file: the kept weights' final/ figures and the HParams session end.
 * Resumed, it has not ended: the cut takes that end away, and the run
 * ends once, when it does.  TensorBoard keeps a run's first session end,
 * so the stop's was the status and end time its HParams tab showed, and
 * the stop's final/ figures stayed as an earlier point of those charts. */
static void a_stopped_run_resumed_ends_its_session_once(void **state)
{
    (void)state;
    ResumePair pr;
    pair_open(&pr);
    const int epochs = 6;
    train_killed(pr.logdir, NULL, epochs, TRIP_STOP_MID_EPOCH, 4, 1, pr.dir, sizeof pr.dir);
    assert_int_equal(records_with(pr.dir, "final/loss", true), 1);
    assert_int_equal(records_with(pr.dir, "_hparams_/session_end_info", false), 1);
    train_killed(pr.logdir, pr.dir, epochs, TRIP_NONE, 0, 1, NULL, 0);
    assert_epochs_once(pr.dir, epochs);
    assert_events_once(pr.dir, epochs);
    assert_int_equal(records_with(pr.dir, "final/loss", true), 1);
    assert_int_equal(records_with(pr.dir, "_hparams_/session_end_info", false), 1);
    /* the session starts again in the new file, and TensorBoard keeps the
     * first start: the same options */
    assert_int_equal(records_with(pr.dir, "_hparams_/session_start_info", false), 2);
    rm_rf(pr.tmp);
}

/* A run that ended in its first epoch, killed (no model.gtm) or stopped
 * (model.gtm holds weights part of the way through it), trains again from
 * the first epoch: its files are those of the run that was never
 * interrupted.  Stopped, it once went on from the part-trained weights
 * while its journal said it started again. */
static void run_ended_in_its_first_epoch_trains_again_from_it(void **state)
{
    (void)state;
    char tmp[] = "/tmp/gradtop-resume-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char ref_logdir[128], ref[4096], *want;
    snprintf(ref_logdir, sizeof ref_logdir, "%s/ref", tmp);
    const int epochs = 5;
    train_killed(ref_logdir, NULL, epochs, TRIP_NONE, 0, 1, ref, sizeof ref);
    want = metrics_without_time(ref);
    static const TripKind kinds[] = {TRIP_MID_EPOCH, TRIP_STOP_MID_EPOCH};
    for (int k = 0; k < 2; k++) {
        char logdir[128], dir[4096], p[4200];
        snprintf(logdir, sizeof logdir, "%s/ended%d", tmp, k);
        train_killed(logdir, NULL, epochs, kinds[k], 1, 1, dir, sizeof dir);
        snprintf(p, sizeof p, "%s/model.gtm", dir);
        struct stat st;
        /* SIGKILL leaves no model.gtm; a stop writes one, of epoch 0 */
        assert_int_equal(stat(p, &st) == 0, kinds[k] == TRIP_STOP_MID_EPOCH);
        RunResume rr;
        Error err = {0};
        assert_int_equal(rundir_resume_load(&rr, dir, &err), ERROR_NONE);
        assert_true(rr.from_start);
        assert_false(rr.from_checkpoint);
        assert_null(rr.state.params);
        rundir_resume_free(&rr);
        train_killed(logdir, dir, epochs, TRIP_NONE, 0, 1, NULL, 0);
        assert_epochs_once(dir, epochs);
        char *got = metrics_without_time(dir);
        assert_string_equal(got, want);
        free(got);
        char *j = slurp_text((snprintf(p, sizeof p, "%s/journal.txt", dir), p));
        assert_non_null(strstr(j, " rewind starts again from the first epoch: metrics.csv keeps "
                                  "no epoch"));
        free(j);
    }
    free(want);
    rm_rf(tmp);
}

/* A run of 3 epochs in tmp (a mkdtemp template)/runs (logdir, 128
 * bytes), its directory into dir. */
static void run_of_three_epochs(char *tmp, char *logdir, char *dir, size_t cap)
{
    assert_non_null(mkdtemp(tmp));
    snprintf(logdir, 128, "%s/runs", tmp);
    train_killed(logdir, NULL, 3, TRIP_NONE, 0, 1, dir, cap);
}

/* A run taken up again from its first epoch in its own directory (a
 * sweep's trial whose directory no trials.csv row named) keeps none of
 * the weights an earlier attempt saved there: a later resume goes on
 * from no epoch the files no longer hold. */
static void a_run_started_again_keeps_no_later_model_files(void **state)
{
    (void)state;
    char tmp[] = "/tmp/gradtop-resume-XXXXXX", logdir[128], dir[4096], p[4200];
    run_of_three_epochs(tmp, logdir, dir, sizeof dir);
    Options o;
    resume_options(&o, logdir, 3);
    PreparedData s;
    Error err = {0};
    if (prepared_open(&s, &o, NULL, &err)) fail_msg("%s", err.msg);
    RunDir *rl;
    if (rundir_resume(&rl, dir, 0, 0, &o, &s, &err)) fail_msg("%s", err.msg);
    rundir_close(rl);
    prepared_close(&s);
    struct stat st;
    const char *files[2] = {"checkpoint.gtm", "model.gtm"};
    for (int k = 0; k < 2; k++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[k]);
        if (stat(p, &st) == 0) fail_msg("%s is still there", p);
    }
    RunResume rr;
    assert_int_equal(rundir_resume_load(&rr, dir, &err), ERROR_NONE);
    assert_true(rr.from_start);
    rundir_resume_free(&rr);
    char *j = slurp_text((snprintf(p, sizeof p, "%s/journal.txt", dir), p));
    assert_non_null(strstr(j, " rewind starts again from the first epoch: metrics.csv keeps no "
                              "epoch, 3 later rows removed (from epoch 1)"));
    assert_non_null(strstr(j, "; the model files an earlier attempt saved removed"));
    free(j);
    rm_rf(tmp);
}

/* A run whose saves failed (a full disk) finished epochs all the same:
 * what is missing is its files, not an epoch. */
static void run_without_its_saves_says_they_are_missing(void **state)
{
    (void)state;
    char tmp[] = "/tmp/gradtop-resume-XXXXXX", logdir[128], dir[4096], p[4200];
    run_of_three_epochs(tmp, logdir, dir, sizeof dir);
    snprintf(p, sizeof p, "%s/checkpoint.gtm", dir);
    assert_int_equal(unlink(p), 0);
    snprintf(p, sizeof p, "%s/model.gtm", dir);
    assert_int_equal(unlink(p), 0);
    RunResume rr;
    Error err = {0};
    assert_int_equal(rundir_resume_load(&rr, dir, &err), ERROR_INPUT);
    char want[8800];
    snprintf(want, sizeof want,
             "%s: nothing to resume: metrics.csv has 3 epochs, but there is neither "
             "checkpoint.gtm nor model.gtm (they could not be written, as journal.txt then says, "
             "or were removed); start it again with gradtop train --config %s/config.txt",
             dir, dir);
    assert_string_equal(err.msg, want);
    rundir_resume_free(&rr);
    rm_rf(tmp);
}

static void resumed_cosine_keeps_the_period_it_started_with(void **state)
{
    (void)state;
    RunResume rr;
    memset(&rr, 0, sizeof rr);
    options_default(&rr.earlier);
    rr.earlier.sched.kind = SCHEDULE_COSINE;
    rr.earlier.sched.cosine_epochs = 0; /* the run's epochs */
    rr.earlier.epochs = 20;
    rr.earlier.hp.opt.lr = 0.05;
    Options o = rr.earlier;
    o.epochs = 40;
    rundir_resume_options(&rr, &o);
    assert_int_equal(o.sched.cosine_epochs, 20);
    Schedule before, after;
    schedule_init(&before, &rr.earlier.sched, rr.earlier.epochs, false);
    schedule_init(&after, &o.sched, o.epochs, false);
    /* the same curve: the rate keeps falling through epoch 20, then stays */
    for (int e = 0; e < 20; e++)
        assert_true(schedule_lr(&after, 0.05, e) == schedule_lr(&before, 0.05, e));
    assert_true(schedule_lr(&after, 0.05, 20) <= schedule_lr(&after, 0.05, 19));
    assert_true(schedule_lr(&after, 0.05, 39) == o.sched.min_lr);

    /* a period given on the command line, or another schedule, is left alone */
    o = rr.earlier;
    o.sched.cosine_epochs = 30;
    rundir_resume_options(&rr, &o);
    assert_int_equal(o.sched.cosine_epochs, 30);
    o = rr.earlier;
    o.sched.kind = SCHEDULE_STEP;
    rundir_resume_options(&rr, &o);
    assert_int_equal(o.sched.cosine_epochs, 0);
}

/* The payload offset of section id in a model file's bytes. */
static size_t section_at(const uint8_t *b, size_t n, uint32_t id)
{
    uint32_t count;
    memcpy(&count, b + 12, 4);
    size_t off = 16;
    for (uint32_t k = 0; k < count && off + 16 <= n; k++) {
        uint32_t sid;
        uint64_t len;
        memcpy(&sid, b + off, 4);
        memcpy(&len, b + off + 8, 8);
        if (sid == id) return off + 16;
        off += 16 + (size_t)len;
    }
    fail_msg("no section %u", id);
    return 0;
}

/* Writes b with 4 bytes at off replaced by v and the checksum made right
 * again, loads it, and expects ERROR_INPUT with want in the message. */
static void patched_refused(const char *path, uint8_t *b, size_t n, size_t off, uint32_t v,
                            const char *want)
{
    uint8_t old[4];
    memcpy(old, b + off, 4);
    memcpy(b + off, &v, 4);
    uint32_t crc = crc32c(b, n - 4);
    memcpy(b + n - 4, &crc, 4);
    FILE *f = fopen(path, "wb");
    assert_int_equal(fwrite(b, 1, n, f), n);
    fclose(f);
    SavedModel sm;
    Error err = {0};
    assert_int_equal(modelfile_load(&sm, path, &err), ERROR_INPUT);
    if (!strstr(err.msg, want)) fail_msg("'%s' does not say '%s'", err.msg, want);
    memcpy(b + off, old, 4);
}

static void checkpoint_with_a_damaged_run_state_is_refused(void **state)
{
    (void)state;
    char tmp[] = "/tmp/gradtop-resume-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char logdir[128], dir[4096], p[4200];
    snprintf(logdir, sizeof logdir, "%s/runs", tmp);
    train_killed(logdir, NULL, 3, TRIP_NONE, 0, 1, dir, sizeof dir);
    snprintf(p, sizeof p, "%s/checkpoint.gtm", dir);
    SavedModel sm;
    Error err = {0};
    if (modelfile_load(&sm, p, &err)) fail_msg("%s", err.msg);
    assert_true(sm.has_state);
    assert_int_equal(sm.state.epoch, 3);
    assert_int_equal(sm.state.n_rows, 120);
    /* and the epoch's own figures (LAST), as metrics.csv has them */
    assert_true(sm.has_last);
    assert_int_equal(sm.state.last.epoch, 3);
    assert_int_equal(sm.state.last.step, sm.step);
    char row[200];
    snprintf(p, sizeof p, "%s/metrics.csv", dir);
    FILE *mf = fopen(p, "r");
    assert_non_null(mf);
    while (fgets(row, sizeof row, mf) && strncmp(row, "3,", 2)) continue;
    fclose(mf);
    double loss;
    assert_int_equal(sscanf(row, "3,%*d,%*f,%lf", &loss), 1);
    assert_true(fabs(loss - sm.state.last.loss) <= 1e-7 * loss);
    snprintf(p, sizeof p, "%s/checkpoint.gtm", dir);
    size_t n_params = sm.n_params;
    modelfile_free(&sm);

    FILE *f = fopen(p, "rb");
    uint8_t *b = malloc(1 << 20);
    size_t n = fread(b, 1, 1 << 20, f);
    fclose(f);
    size_t at = section_at(b, n, MODELFILE_SECTION_RESUME);
    /* u32 best_epoch, wait, plateau_wait, reserved; f64 best_value,
     * plateau_best, plateau_scale; u64 generators[8]; u32 has_val,
     * reserved; i64 step; f64 metrics[11]; u64 n_rows; u32 perm[] */
    size_t perm = at + 16 + 24 + 64 + 16 + 88 + 8;
    patched_refused(p, b, n, at + 4, 4, "patience count 4 after the 3 epochs done");
    /* best epoch 2 of 3 without best weights: the file reads (a run
     * without --restore-best stores none), but this run restores them */
    {
        uint32_t two = 2, old;
        memcpy(&old, b + at, 4);
        memcpy(b + at, &two, 4);
        uint32_t crc = crc32c(b, n - 4);
        memcpy(b + n - 4, &crc, 4);
        f = fopen(p, "wb");
        assert_int_equal(fwrite(b, 1, n, f), n);
        fclose(f);
        RunResume rr;
        assert_int_equal(rundir_resume_load(&rr, dir, &err), ERROR_INPUT);
        char want[8800];
        snprintf(want, sizeof want,
                 "%s: resume section: the best weights are missing (best epoch 2, last 3; "
                 "%s/config.txt has restore-best = true)",
                 p, dir);
        assert_string_equal(err.msg, want);
        rundir_resume_free(&rr);
        memcpy(b + at, &old, 4);
    }
    size_t last = section_at(b, n, MODELFILE_SECTION_LAST);
    patched_refused(p, b, n, last, 2, "last: value out of range"); /* has_val */
    /* RESUME's id one this gradtop does not know: LAST alone says nothing */
    patched_refused(p, b, n, at - 16, 99,
                    "last section: the figures of epoch 3, in a file without");
    patched_refused(p, b, n, at + 12, 1, "resume: value out of range");
    patched_refused(p, b, n, at + 16 + 20, 0x7ff80000, "resume: value out of range");
    patched_refused(p, b, n, perm - 8, 1u << 28, "resume: row count does not fit the file");
    patched_refused(p, b, n, perm + 4, 120, "resume: row 120 out of range");
    /* a repeated row passes the loader's range check; resuming refuses it */
    FILE *g = fopen(p, "wb");
    memcpy(b + perm + 4, b + perm, 4);
    uint32_t crc = crc32c(b, n - 4);
    memcpy(b + n - 4, &crc, 4);
    assert_int_equal(fwrite(b, 1, n, g), n);
    fclose(g);
    if (modelfile_load(&sm, p, &err)) fail_msg("%s", err.msg);
    assert_int_equal(sm.n_params, n_params);
    Options o;
    resume_options(&o, logdir, 6);
    PreparedData s;
    if (prepared_open(&s, &o, NULL, &err)) fail_msg("%s", err.msg);
    Trainer *t;
    if (trainer_create(&t, &o, &s.train, &s.val, NULL, false, NULL, &err)) fail_msg("%s", err.msg);
    assert_int_equal(trainer_load_state(t, sm.params, sm.n_params, sm.opt_state, sm.opt_kind,
                                        sm.opt_t, sm.epoch, sm.step, &err),
                     ERROR_NONE);
    assert_int_equal(trainer_restore(t, &sm.state, o.monitor, &err), ERROR_INPUT);
    assert_string_equal(err.msg,
                        "the checkpoint's data order is not a permutation of the 120 rows");
    trainer_destroy(t);
    prepared_close(&s);
    modelfile_free(&sm);
    free(b);
    rm_rf(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(run_directory_is_named_by_time_dataset_and_name),
        cmocka_unit_test(metrics_csv_has_the_header_and_one_row_per_epoch),
        cmocka_unit_test(regression_without_validation_leaves_val_fields_empty),
        cmocka_unit_test(journal_has_a_line_per_event_between_run_and_result),
        cmocka_unit_test(event_file_reads_back_as_the_same_scalars),
        cmocka_unit_test(the_hparams_metrics_have_values_while_the_run_trains),
        cmocka_unit_test(the_experiment_says_what_differs_and_an_enums_values),
        cmocka_unit_test(the_hparams_are_the_options_that_change_what_is_learned),
        cmocka_unit_test(a_session_lists_only_the_data_options_its_dataset_takes),
        cmocka_unit_test(an_idx_runs_session_lists_no_csv_or_generated_option),
        cmocka_unit_test(a_run_ended_in_its_first_epoch_has_its_final_figures),
        cmocka_unit_test(the_session_ends_with_the_status_of_how_the_run_ended),
        cmocka_unit_test(the_sessions_model_uri_is_an_absolute_path),
        cmocka_unit_test(a_resumed_run_tells_tensorboard_it_restarted),
        cmocka_unit_test(config_txt_loads_back_into_the_same_options),
        cmocka_unit_test(checkpoint_writes_a_loadable_model),
        cmocka_unit_test(model_gtm_stores_the_penalty_its_weights_were_scored_with),
        cmocka_unit_test(each_checkpoint_stores_the_hyperparameters_in_force_at_its_epoch),
        cmocka_unit_test(a_nosync_run_directory_writes_the_same_files_and_fsyncs_none),
        cmocka_unit_test(a_nosync_run_directory_writes_model_gtm_with_its_checkpoint),
        cmocka_unit_test(a_nosync_run_leaves_a_state_near_its_end_to_the_end),
        cmocka_unit_test(a_run_in_an_existing_logdir_makes_only_its_own_directory),
        cmocka_unit_test(unusable_logdir_is_an_error_naming_it),
        cmocka_unit_test(resume_removes_the_temporaries_of_dead_processes_only),
        cmocka_unit_test(a_run_being_written_cannot_be_resumed_beside_it),
        cmocka_unit_test(view_removes_the_temporaries_of_dead_processes_only),
        cmocka_unit_test(a_row_the_disk_takes_part_of_is_cut_back_and_the_owner_told),
        cmocka_unit_test(the_event_file_keeps_whole_records_when_the_disk_fills),
        cmocka_unit_test(logging_off_writes_its_journal_line_then_nothing),
        cmocka_unit_test(killed_runs_resume_to_the_uninterrupted_run),
        cmocka_unit_test(run_without_restore_best_resumes),
        cmocka_unit_test(run_with_live_changes_resumes_with_them),
        cmocka_unit_test(run_ended_in_its_first_epoch_trains_again_from_it),
        cmocka_unit_test(a_run_started_again_keeps_no_later_model_files),
        cmocka_unit_test(a_stopped_run_resumed_ends_its_session_once),
        cmocka_unit_test(run_without_its_saves_says_they_are_missing),
        cmocka_unit_test(resumed_cosine_keeps_the_period_it_started_with),
        cmocka_unit_test(checkpoint_with_a_damaged_run_state_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
