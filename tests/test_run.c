/* test_run.c - a TrainRun made in its fixed order: a refused network or a
 * refused log directory leaves nothing on disk, the hooks fan out from the
 * run log to the caller's inside enter/leave, one body on the caller's
 * thread or its own gives the same result, and runs share one session. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "gradtop/run/run.h"
#include "tmpdir.h"

/* The number of entries in dir, -1 when it does not exist. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static Options iris_options(const char *logsub, int epochs)
{
    Options o;
    options_default(&o);
    snprintf(o.dataset, sizeof o.dataset, "iris");
    snprintf(o.logdir, sizeof o.logdir, "%s/%s", tmpdir, logsub);
    o.epochs = epochs;
    o.seed = 7;
    return o;
}

static void use_huge_network(Options *o)
{
    o->n_layers = 4;
    for (int i = 0; i < 4; i++) o->layers[i] = 65536;
}

/* A network too large for memory is refused at trainrun_prepare, and a
 * run without a network cannot make its directory afterwards either. */
static void test_refused_network_makes_no_directory(void **state)
{
    (void)state;
    Options o = iris_options("huge", 1);
    use_huge_network(&o);
    TrainRun r;
    trainrun_init(&r, &(TrainRunConfig){.log_required = true});
    Error err = {0};
    assert_int_equal(trainrun_open_data(&r, &o, NULL, &err), ERROR_NONE);
    assert_int_not_equal(trainrun_prepare(&r, &o, &err), ERROR_NONE);
    assert_non_null(strstr(err.msg, "smaller layers"));
    assert_null(r.trainer);
    assert_int_not_equal(trainrun_open_log(&r, &err), ERROR_NONE);
    assert_int_not_equal(trainrun_run(&r, &err), ERROR_NONE);
    trainrun_close(&r);
    assert_int_equal(entries(o.logdir), -1);
}

/* A log directory that cannot be made refuses a run that needs it (train)
 * before it trains, naming the directory; nothing is created. */
static void test_refused_log_directory_refuses_required_run(void **state)
{
    (void)state;
    char file[128];
    snprintf(file, sizeof file, "%s/afile", tmpdir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    Options o = iris_options("afile/runs", 1);
    TrainRun r;
    trainrun_init(&r, &(TrainRunConfig){.log_required = true});
    Error err = {0};
    assert_int_equal(trainrun_open_data(&r, &o, NULL, &err), ERROR_NONE);
    assert_int_equal(trainrun_prepare(&r, &o, &err), ERROR_NONE);
    assert_int_equal(trainrun_open_log(&r, &err), ERROR_RUNTIME);
    assert_non_null(strstr(err.msg, "afile"));
    assert_null(r.log);
    assert_string_equal(r.log_path, "");
    trainrun_close(&r);
    struct stat st;
    assert_int_equal(stat(file, &st), 0);
    assert_true(S_ISREG(st.st_mode));
}

/* The same directory under a run that does not need it (the dashboard,
 * a racer): log_error says why and the run trains without files. */
static void test_refused_log_directory_trains_unlogged(void **state)
{
    (void)state;
    char file[128];
    snprintf(file, sizeof file, "%s/bfile", tmpdir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    Options o = iris_options("bfile/runs", 2);
    TrainRun r;
    trainrun_init(&r, &(TrainRunConfig){0});
    Error err = {0};
    assert_int_equal(trainrun_open_data(&r, &o, NULL, &err), ERROR_NONE);
    assert_int_equal(trainrun_prepare(&r, &o, &err), ERROR_NONE);
    assert_int_equal(trainrun_open_log(&r, &err), ERROR_NONE);
    assert_null(r.log);
    assert_non_null(strstr(r.log_error, "not logged: "));
    assert_non_null(strstr(r.log_error, "bfile"));
    assert_int_equal(trainrun_run(&r, &err), ERROR_NONE);
    trainrun_end(&r);
    assert_true(r.has_result);
    assert_int_equal(r.result.epochs, 2);
    assert_false(r.log_failed);
    trainrun_close(&r);
}

typedef struct {
    int depth;   /* inside enter/leave */
    int outside; /* hooks called outside enter/leave */
    int enters;
    int epochs;
    int rows_seen; /* metrics.csv rows present when the caller's epoch hook ran */
    const TrainRun *run;
} Watch;

static void w_enter(void *ctx)
{
    Watch *w = ctx;
    w->depth++;
    w->enters++;
}

static void w_leave(void *ctx)
{
    Watch *w = ctx;
    w->depth--;
}

static int csv_lines(const char *dir)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/metrics.csv", dir);
    FILE *f = fopen(p, "r");
    if (!f) return -1;
    int n = 0, c;
    while ((c = fgetc(f)) != EOF) n += c == '\n';
    fclose(f);
    return n;
}

static void w_epoch(void *ctx, const EpochMetrics *m)
{
    Watch *w = ctx;
    if (w->depth != 1) w->outside++;
    w->epochs++;
    /* the run log took the epoch first: its row is on disk (header + rows) */
    if (csv_lines(w->run->log_path) == m->epoch + 1) w->rows_seen++;
}

static void w_event(void *ctx, const TrainEvent *e)
{
    (void)e;
    Watch *w = ctx;
    if (w->depth != 1) w->outside++;
}

/* On the caller's thread: the run log takes each hook before the caller's,
 * both inside one enter/leave; the run directory is complete at the end. */
static void test_hooks_fan_out_from_log_to_caller(void **state)
{
    (void)state;
    Options o = iris_options("fan", 3);
    Watch w = {0};
    TrainRun r;
    trainrun_init(&r,
                  &(TrainRunConfig){.hooks = {.ctx = &w, .on_epoch = w_epoch, .on_event = w_event},
                                    .enter = w_enter,
                                    .leave = w_leave,
                                    .log_required = true,
                                    .note = "test"});
    w.run = &r;
    Error err = {0};
    assert_int_equal(trainrun_open_data(&r, &o, NULL, &err), ERROR_NONE);
    assert_int_equal(trainrun_prepare(&r, &o, &err), ERROR_NONE);
    assert_int_equal(entries(o.logdir), -1); /* nothing before step 3 */
    assert_int_equal(trainrun_open_log(&r, &err), ERROR_NONE);
    assert_int_equal(entries(o.logdir), 1);
    assert_int_equal(trainrun_run(&r, &err), ERROR_NONE);
    char dir[sizeof r.log_path];
    snprintf(dir, sizeof dir, "%s", r.log_path);
    trainrun_end(&r);
    assert_int_equal(w.epochs, 3);
    assert_int_equal(w.rows_seen, 3);
    assert_int_equal(w.outside, 0);
    assert_int_equal(w.depth, 0);
    assert_true(w.enters >= 3);
    assert_int_equal(csv_lines(dir), 4);
    assert_true(r.has_result);
    assert_int_equal(r.result.status, TRAIN_DONE);
    assert_false(r.log_failed);
    assert_string_equal(r.log_error, "");
    trainrun_close(&r);
}

/* Two runs borrow one session, each on its own thread; each ends as the
 * same run does on the caller's thread (one body, the same result). */
static void test_shared_session_threads_match_caller_thread(void **state)
{
    (void)state;
    Options o = iris_options("shared", 4);
    o.no_log = true;
    PreparedData s;
    Error err = {0};
    assert_int_equal(prepared_open(&s, &o, NULL, &err), ERROR_NONE);
    TrainRun a, b, c;
    TrainRun *runs[] = {&a, &b, &c};
    for (int i = 0; i < 3; i++) {
        trainrun_init(runs[i], &(TrainRunConfig){0});
        trainrun_share_data(runs[i], &s);
        assert_int_equal(trainrun_prepare(runs[i], &o, &err), ERROR_NONE);
        assert_int_equal(trainrun_open_log(runs[i], &err), ERROR_NONE);
    }
    assert_int_equal(trainrun_start(&a, &err), ERROR_NONE);
    assert_int_equal(trainrun_start(&b, &err), ERROR_NONE);
    assert_int_equal(trainrun_run(&c, &err), ERROR_NONE);
    trainrun_join(&a);
    trainrun_join(&b);
    for (int i = 0; i < 3; i++) {
        ErrorCode rc = ERROR_RUNTIME;
        assert_true(trainrun_finished(runs[i], &rc, NULL));
        assert_int_equal(rc, ERROR_NONE);
        trainrun_end(runs[i]);
        assert_true(runs[i]->has_result);
    }
    assert_int_equal(a.result.epochs, 4);
    assert_true(a.result.kept.loss == c.result.kept.loss &&
                b.result.kept.loss == c.result.kept.loss);
    for (int i = 0; i < 3; i++) trainrun_close(runs[i]);
    /* the borrowed session is still the caller's */
    assert_true(s.train.n > 0);
    prepared_close(&s);
    assert_int_equal(entries(o.logdir), -1);
}

/* ---- the data changed while it trains ------------------------------------ */

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool paused; /* the trainer thread announced --paused: it serves commands */
} Started;

static void s_event(void *ctx, const TrainEvent *e)
{
    Started *st = ctx;
    if (e->kind != EVENT_PAUSE) return;
    pthread_mutex_lock(&st->mu);
    st->paused = true;
    pthread_cond_broadcast(&st->cv);
    pthread_mutex_unlock(&st->mu);
}

/* A file's whole text (at most cap - 1 bytes) into buf. */
static void read_text(const char *dir, const char *name, char *buf, size_t cap)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "r");
    if (!f) fail_msg("%s: cannot open", p);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static Options spiral_options(const char *logsub)
{
    Options o;
    options_default(&o);
    snprintf(o.dataset, sizeof o.dataset, "spiral");
    snprintf(o.logdir, sizeof o.logdir, "%s/%s", tmpdir, logsub);
    o.epochs = 1000;
    o.seed = 3;
    o.noise = 0.05;
    o.paused = true;
    o.hp.batch_size = 10;
    return o;
}

/* A spiral run, paused after three batches, has its noise and split
 * changed: the trainer answers, the run turns to the new data, the journal
 * says what changed at step 3, and config.txt carries the new values. */
static void test_changed_data_is_journaled_and_configured(void **state)
{
    (void)state;
    Options o = spiral_options("data");
    Started st = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    TrainRun r;
    trainrun_init(&r, &(TrainRunConfig){.hooks = {.ctx = &st, .on_event = s_event},
                                        .interactive = true,
                                        .log_required = true});
    Error err = {0};
    assert_int_equal(trainrun_open_data(&r, &o, NULL, &err), ERROR_NONE);
    assert_int_equal(trainrun_prepare(&r, &o, &err), ERROR_NONE);
    assert_int_equal(trainrun_open_log(&r, &err), ERROR_NONE);
    assert_int_equal(trainrun_start(&r, &err), ERROR_NONE);
    pthread_mutex_lock(&st.mu);
    while (!st.paused) pthread_cond_wait(&st.cv, &st.mu);
    pthread_mutex_unlock(&st.mu);
    TrainerReply rep;
    for (int i = 0; i < 3; i++)
        assert_true(trainer_await(r.trainer, trainer_step_once(r.trainer), &rep));
    const PreparedData *before = r.sess;
    assert_int_equal(before->train.n, 400);
    long seq = 0;
    assert_int_equal(trainrun_change_data(&r, 0.3, 0.3, NULL, &seq, &err), ERROR_NONE);
    assert_true(seq > 0);
    assert_true(r.sess == before); /* until settled */
    assert_true(trainer_await(r.trainer, seq, &rep));
    memset(&rep, 0, sizeof rep);
    assert_true(trainrun_data_settle(&r, &rep));
    assert_true(rep.done);
    assert_false(trainrun_data_settle(&r, &rep)); /* nothing pending any more */
    assert_true(r.sess != before && r.sess == r.drawn);
    assert_int_equal(r.sess->train.n, 350);
    assert_true(r.opt.noise == 0.3 && r.opt.val_split == 0.3);
    /* the same values again change nothing, and say so */
    assert_int_equal(trainrun_change_data(&r, 0.3, 0.3, NULL, &seq, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "in force already"));
    char dir[sizeof r.log_path];
    snprintf(dir, sizeof dir, "%s", r.log_path);
    static char text[1 << 16];
    read_text(dir, "journal.txt", text, sizeof text);
    if (!strstr(text, " step=3 epoch=0 change data: noise 0.05 -> 0.3, val-split 0.2 -> 0.3 "
                      "(400 -> 350 training rows)\n"))
        fail_msg("journal.txt has no line for the change:\n%s", text);
    read_text(dir, "config.txt", text, sizeof text);
    if (!strstr(text, "\nnoise = 0.3\n") || !strstr(text, "\nval-split = 0.3\n"))
        fail_msg("config.txt does not carry the new noise and split:\n%s", text);
    trainrun_end(&r);
    assert_true(r.has_result);
    assert_false(r.log_failed);
    trainrun_close(&r);
}

/* What cannot change is refused before anything is drawn, saying why: a
 * data file's rows, and data that other runs share (a race's racers). */
static void test_changed_data_refused_for_files_and_shared_data(void **state)
{
    (void)state;
    Options o = iris_options("file", 1);
    o.no_log = true;
    TrainRun r;
    trainrun_init(&r, &(TrainRunConfig){0});
    Error err = {0};
    long seq = 7;
    assert_int_equal(trainrun_open_data(&r, &o, NULL, &err), ERROR_NONE);
    assert_int_equal(trainrun_change_data(&r, 0.3, 0.3, NULL, &seq, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "no run is training"));
    assert_int_equal(trainrun_prepare(&r, &o, &err), ERROR_NONE);
    assert_int_equal(trainrun_change_data(&r, 0.3, 0.3, NULL, &seq, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "is a data file: noise and val-split change while training"));
    assert_int_equal(seq, 0);
    trainrun_close(&r);

    Options so = spiral_options("shared-data");
    so.no_log = true;
    PreparedData shared;
    assert_int_equal(prepared_open(&shared, &so, NULL, &err), ERROR_NONE);
    trainrun_init(&r, &(TrainRunConfig){0});
    trainrun_share_data(&r, &shared);
    assert_int_equal(trainrun_prepare(&r, &so, &err), ERROR_NONE);
    assert_int_equal(trainrun_change_data(&r, 0.3, 0.3, NULL, &seq, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "shared with other runs"));
    trainrun_close(&r);
    assert_int_equal(shared.train.n, 400); /* untouched */
    prepared_close(&shared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_network_makes_no_directory),
        cmocka_unit_test(test_refused_log_directory_refuses_required_run),
        cmocka_unit_test(test_refused_log_directory_trains_unlogged),
        cmocka_unit_test(test_hooks_fan_out_from_log_to_caller),
        cmocka_unit_test(test_shared_session_threads_match_caller_thread),
        cmocka_unit_test(test_changed_data_is_journaled_and_configured),
        cmocka_unit_test(test_changed_data_refused_for_files_and_shared_data),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
