/*
 * run.c - the trainer thread and the life of one interactive run.
 * See run.h.
 */
#include "run.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "crt.h"
#include "text.h"

void run_init(Run *r, const Options *opt, const char *exe_dir)
{
    memset(r, 0, sizeof *r);
    r->opt = *opt;
    r->exe_dir = exe_dir;
    pthread_mutex_init(&r->mu, NULL);
}

ErrorCode run_open(Run *r, Error *err)
{
    if (r->has_session) {
        session_close(&r->session);
        r->has_session = false;
    }
    ErrorCode rc = session_open(&r->session, &r->opt, r->exe_dir, err);
    if (rc) return rc;
    r->has_session = true;
    r->sess = &r->session;
    return ERROR_NONE;
}

void run_share(Run *r, Session *shared)
{
    r->sess = shared;
}

/* Whether the run log takes this hook's call, on the trainer thread: not
 * once the run goes on without files (the first call after run_log_off
 * asked for it writes the journal's log_off line). */
static bool log_on(Run *r)
{
    if (!r->log || r->log_is_off) return false;
    if (atomic_load(&r->log_off_asked)) {
        Error e = {0};
        runlog_error(r->log, &e);
        char why[sizeof e.msg + 64];
        snprintf(why, sizeof why, "training goes on without run files after: %s", e.msg);
        runlog_off(r->log, why);
        r->log_is_off = true;
        return false;
    }
    return true;
}

/* The run's hooks, on the trainer thread: the run log's, then the teaching
 * views'. */
static void hook_batch(void *ctx, const BatchInfo *b)
{
    Run *r = ctx;
    if (r->log_hooks.on_batch && log_on(r)) r->log_hooks.on_batch(r->log_hooks.ctx, b);
    if (r->live) live_on_batch(r->live, b);
}

static void hook_epoch(void *ctx, const EpochMetrics *m)
{
    Run *r = ctx;
    if (r->log_hooks.on_epoch && log_on(r)) r->log_hooks.on_epoch(r->log_hooks.ctx, m);
    if (r->on_epoch) r->on_epoch(r->on_epoch_ctx, m);
}

static void hook_event(void *ctx, const TrainEvent *e)
{
    Run *r = ctx;
    if (r->log_hooks.on_event && log_on(r)) r->log_hooks.on_event(r->log_hooks.ctx, e);
    if (r->live) live_on_event(r->live, e);
}

static void hook_checkpoint(void *ctx, const Model *m, const Optimizer *o, int kept_epoch)
{
    Run *r = ctx;
    if (r->log_hooks.on_checkpoint && log_on(r))
        r->log_hooks.on_checkpoint(r->log_hooks.ctx, m, o, kept_epoch);
}

/* The run log's first I/O failure, on the trainer thread: the dashboard's
 * run pauses at its next batch (its panel turns red, and the user chooses
 * between going on without files and stopping); a headless racer stops, as
 * `gradtop train` does. */
static void log_failed(void *ctx, const Error *e)
{
    Run *r = ctx;
    if (r->headless)
        trainer_stop(r->trainer);
    else
        trainer_pause(r->trainer);
    if (r->on_log_failed) r->on_log_failed(r->on_epoch_ctx, e);
}

static void hook_state(void *ctx, const Model *m, const Optimizer *o, const TrainState *s,
                       bool last)
{
    Run *r = ctx;
    if (r->log_hooks.on_state && log_on(r)) r->log_hooks.on_state(r->log_hooks.ctx, m, o, s, last);
}

static void *trainer_thread(void *arg)
{
    Run *r = arg;
    Error err;
    error_clear(&err);
    ErrorCode rc = trainer_run(r->trainer, &err);
    pthread_mutex_lock(&r->mu);
    r->finished = true;
    r->rc = rc;
    r->err = err;
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* What run_prepare or run_launch made, undone after a failure. */
static void run_discard(Run *r)
{
    live_destroy(r->live);
    r->live = NULL;
    if (r->trainer) {
        trainer_destroy(r->trainer);
        r->trainer = NULL;
    }
    if (r->log) {
        runlog_close(r->log);
        r->log = NULL;
    }
}

ErrorCode run_prepare(Run *r, Error *err)
{
    if (!r->sess) return error_set(err, ERROR_RUNTIME, "no data loaded");
    Session *ss = r->sess;
    r->log_path[0] = '\0';
    r->log_error[0] = '\0';
    memset(&r->log_hooks, 0, sizeof r->log_hooks);
    atomic_store(&r->log_off_asked, false);
    r->log_is_off = r->log_dropped = false;
    TrainerHooks hooks = {.ctx = r,
                          .on_batch = hook_batch,
                          .on_epoch = hook_epoch,
                          .on_event = hook_event,
                          .on_checkpoint = hook_checkpoint,
                          .on_state = hook_state};
    const Dataset *test = ss->has_test ? &ss->test : NULL;
    ErrorCode rc =
        trainer_create(&r->trainer, &r->opt, &ss->train, &ss->val, test, !r->headless, &hooks, err);
    if (rc) goto fail;
    r->shape = trainer_model(r->trainer)->shape; /* fixed for the trainer's life */
    if (!r->no_live) {
        /* created before the thread starts, so the hooks see it */
        rc = live_create(&r->live, trainer_model(r->trainer), &ss->train, &ss->val, r->opt.seed,
                         err);
        if (rc) goto fail;
    }
    if (r->has_snap) trainer_snapshot_free(&r->snap);
    rc = trainer_snapshot_init(&r->snap, r->trainer, err);
    if (rc) goto fail;
    r->has_snap = true;
    trainer_snapshot(r->trainer, &r->snap);
    return ERROR_NONE;
fail:
    run_discard(r);
    return rc;
}

ErrorCode run_launch(Run *r, Error *err)
{
    Session *ss = r->sess;
    /* The run directory is made once everything else the run needs is
     * there (a network refused for its size leaves no directory behind),
     * and before the thread starts, so that the hooks see the log.  An
     * unusable log directory does not stop an interactive run: the panel
     * says so in red and training goes on without run files. */
    if (!r->opt.no_log) {
        Error lerr = {0};
        if (runlog_open(&r->log, &r->opt, ss, &lerr)) {
            r->log = NULL;
            error_prefix(&lerr, "not logged");
            text_copy(r->log_error, sizeof r->log_error, lerr.msg);
        } else {
            snprintf(r->log_path, sizeof r->log_path, "%s", runlog_path(r->log));
            runlog_note(r->log, "run", r->no_live ? "optimizer race" : "interactive dashboard");
            r->log_hooks = runlog_hooks(r->log);
            runlog_on_failure(r->log, log_failed, r);
        }
    }
    pthread_mutex_lock(&r->mu);
    r->finished = false;
    r->rc = ERROR_NONE;
    error_clear(&r->err);
    pthread_mutex_unlock(&r->mu);

    /* The signals that end the program go to the UI thread, whose poll()
     * they wake; the trainer thread (and the BLAS threads it starts) never
     * take them. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGWINCH);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int e = pthread_create(&r->thread, NULL, trainer_thread, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e != 0) {
        run_discard(r);
        return error_set(err, ERROR_RUNTIME, "cannot start the training thread: %s", strerror(e));
    }
    r->thread_started = true;
    return ERROR_NONE;
}

ErrorCode run_start(Run *r, Error *err)
{
    ErrorCode rc = run_prepare(r, err);
    return rc ? rc : run_launch(r, err);
}

void run_update(Run *r)
{
    if (r->trainer && r->has_snap) trainer_snapshot(r->trainer, &r->snap);
    Error e;
    /* runlog_error may be asked while the trainer thread writes */
    if (r->log && !r->log_error[0] && runlog_error(r->log, &e))
        text_copy(r->log_error, sizeof r->log_error, e.msg);
}

const char *run_log_error_short(const Run *r)
{
    size_t n = strlen(r->log_path);
    const char *e = r->log_error;
    return n && !strncmp(e, r->log_path, n) && e[n] == '/' ? e + n + 1 : e;
}

bool run_log_off(Run *r)
{
    if (!r->log || !r->log_error[0] || r->log_dropped) return false;
    r->log_dropped = true;
    atomic_store(&r->log_off_asked, true);
    return true;
}

bool run_status(const Run *r, TrainStatus *s)
{
    if (!r->has_snap || !r->trainer) return false;
    *s = trainer_status(r->trainer);
    return true;
}

int run_exit_code(const Run *r)
{
    TrainStatus s;
    return run_status(r, &s) && s == TRAIN_DIVERGED ? 3 : 0;
}

bool run_finished(Run *r, ErrorCode *rc, Error *err)
{
    pthread_mutex_lock(&r->mu);
    bool f = r->finished;
    if (rc) *rc = r->rc;
    if (err) *err = r->err;
    pthread_mutex_unlock(&r->mu);
    return f;
}

void run_sync_options(Run *r)
{
    if (!r->trainer) return;
    HyperParams hp;
    trainer_get_hparams(r->trainer, &hp);
    r->opt.opt = hp.opt;
    r->opt.batch_size = hp.batch_size;
    r->opt.l1 = hp.l1;
    r->opt.l2 = hp.l2;
    r->opt.dropout = hp.dropout;
    r->opt.patience = hp.patience;
}

void run_end(Run *r)
{
    if (!r->trainer) return;
    run_sync_options(r);
    trainer_close(r->trainer);
    if (r->thread_started) {
        pthread_join(r->thread, NULL);
        r->thread_started = false;
    }
    if (r->log) {
        /* asked for after the trainer's last hook: the thread has ended */
        if (r->log_dropped && !r->log_is_off) {
            r->log_is_off = true;
            runlog_off(r->log, "training went on without run files");
        }
        TrainResult res;
        trainer_result(r->trainer, &res);
        Error e;
        error_clear(&e);
        if (runlog_finish(r->log, &res, &e) && !r->log_error[0])
            text_copy(r->log_error, sizeof r->log_error, e.msg);
        runlog_close(r->log);
        r->log = NULL;
    }
    trainer_destroy(r->trainer);
    r->trainer = NULL;
    live_destroy(r->live);
    r->live = NULL;
}

void run_close(Run *r)
{
    run_end(r);
    if (r->has_snap) {
        trainer_snapshot_free(&r->snap);
        r->has_snap = false;
    }
    if (r->has_session) {
        session_close(&r->session);
        r->has_session = false;
    }
    r->sess = NULL;
    pthread_mutex_destroy(&r->mu);
}

void run_shape_text(const ModelShape *s, char *buf, size_t cap)
{
    size_t n = 0;
    if (cap) buf[0] = '\0';
    for (int i = 0; i <= s->n_layers && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%d", i ? crt_glyph(GLYPH_ARROW) : "",
                              s->sizes[i]);
}
