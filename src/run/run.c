/*
 * run.c - one training run made in its fixed order, its hooks' fan-out,
 * its thread and its result.  See run.h.
 */
#include "gradtop/run/run.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

void trainrun_init(TrainRun *r, const TrainRunConfig *cfg)
{
    memset(r, 0, sizeof *r);
    r->cfg = *cfg;
    pthread_mutex_init(&r->mu, NULL);
}

static void copy_text(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src);
}

ErrorCode trainrun_open_data(TrainRun *r, const Options *o, const char *exe_dir, Error *err)
{
    if (r->owns_session) {
        prepared_close(&r->own);
        r->owns_session = false;
    }
    r->sess = NULL;
    ErrorCode rc = prepared_open(&r->own, o, exe_dir, err);
    if (rc) return rc;
    r->owns_session = true;
    r->sess = &r->own;
    return ERROR_NONE;
}

void trainrun_share_data(TrainRun *r, PreparedData *shared)
{
    r->sess = shared;
}

/* Whether the run log takes this hook's call, on the trainer thread: not
 * once the run goes on without files (the first call after
 * trainrun_log_off asked for it writes the journal's log_off line). */
static bool log_on(TrainRun *r)
{
    if (!r->log || r->log_is_off) return false;
    if (atomic_load(&r->log_off_asked)) {
        Error e = {0};
        rundir_error(r->log, &e);
        char why[sizeof e.msg + 64];
        snprintf(why, sizeof why, "training goes on without run files after: %s", e.msg);
        rundir_off(r->log, why);
        r->log_is_off = true;
        return false;
    }
    return true;
}

/* The fan-out, on the trainer thread: the run log first (a line printed
 * for an epoch is then already on disk), then the caller's hook, the whole
 * between cfg.enter and cfg.leave. */
static void enter(TrainRun *r)
{
    if (r->cfg.enter) r->cfg.enter(r->cfg.hooks.ctx);
}

static void leave(TrainRun *r)
{
    if (r->cfg.leave) r->cfg.leave(r->cfg.hooks.ctx);
}

static void hook_batch(void *ctx, const BatchInfo *b)
{
    TrainRun *r = ctx;
    enter(r);
    r->cfg.hooks.on_batch(r->cfg.hooks.ctx, b); /* the run log has no batch hook */
    leave(r);
}

static void hook_epoch(void *ctx, const EpochMetrics *m)
{
    TrainRun *r = ctx;
    enter(r);
    if (log_on(r)) rundir_on_epoch(r->log, m);
    if (r->cfg.hooks.on_epoch) r->cfg.hooks.on_epoch(r->cfg.hooks.ctx, m);
    leave(r);
}

static void hook_event(void *ctx, const TrainEvent *e)
{
    TrainRun *r = ctx;
    enter(r);
    if (log_on(r)) rundir_on_event(r->log, e);
    if (r->cfg.hooks.on_event) r->cfg.hooks.on_event(r->cfg.hooks.ctx, e);
    leave(r);
}

static void hook_checkpoint(void *ctx, const Model *m, const Optimizer *o, int kept_epoch)
{
    TrainRun *r = ctx;
    enter(r);
    if (log_on(r)) rundir_on_checkpoint(r->log, m, o, kept_epoch);
    if (r->cfg.hooks.on_checkpoint) r->cfg.hooks.on_checkpoint(r->cfg.hooks.ctx, m, o, kept_epoch);
    leave(r);
}

static void hook_state(void *ctx, const Model *m, const Optimizer *o, const TrainState *s,
                       bool last)
{
    TrainRun *r = ctx;
    enter(r);
    if (log_on(r)) rundir_on_state(r->log, m, o, s, last);
    if (r->cfg.hooks.on_state) r->cfg.hooks.on_state(r->cfg.hooks.ctx, m, o, s, last);
    leave(r);
}

/* The run log's first I/O failure, on the trainer thread (inside a hook):
 * training pauses or stops at its next batch, then the caller is told. */
static void log_failed(void *ctx, const Error *e)
{
    TrainRun *r = ctx;
    if (r->cfg.pause_on_log_failure)
        trainer_pause(r->trainer);
    else
        trainer_stop(r->trainer);
    if (r->cfg.on_log_failed) r->cfg.on_log_failed(r->cfg.hooks.ctx, e);
}

ErrorCode trainrun_prepare(TrainRun *r, const Options *o, Error *err)
{
    if (!r->sess) return error_set(err, ERROR_RUNTIME, "no data loaded");
    if (r->trainer) trainrun_end(r);
    PreparedData *ss = r->sess;
    r->opt = *o;
    r->log_path[0] = '\0';
    r->log_error[0] = '\0';
    atomic_store(&r->log_off_asked, false);
    r->log_is_off = r->log_dropped = false;
    r->has_result = r->log_failed = false;
    pthread_mutex_lock(&r->mu);
    r->finished = false;
    r->rc = ERROR_NONE;
    error_clear(&r->err);
    pthread_mutex_unlock(&r->mu);
    /* on_batch only when the caller has one: it runs after every batch */
    TrainerHooks hooks = {.ctx = r,
                          .on_batch = r->cfg.hooks.on_batch ? hook_batch : NULL,
                          .on_epoch = hook_epoch,
                          .on_event = hook_event,
                          .on_checkpoint = hook_checkpoint,
                          .on_state = hook_state};
    const Dataset *test = ss->has_test ? &ss->test : NULL;
    ErrorCode rc = trainer_create(&r->trainer, &r->opt, &ss->train, &ss->val, test,
                                  r->cfg.interactive, &hooks, err);
    if (rc) {
        trainer_destroy(r->trainer);
        r->trainer = NULL;
    }
    return rc;
}

ErrorCode trainrun_open_log(TrainRun *r, Error *err)
{
    if (!r->trainer) return error_set(err, ERROR_RUNTIME, "no network built");
    if (r->opt.no_log || r->log) return ERROR_NONE;
    Error lerr = {0};
    ErrorCode rc;
    if (r->cfg.owner_syncs)
        rc = rundir_open_nosync(&r->log, r->cfg.resume_dir, r->cfg.resume_epoch, r->cfg.resume_step,
                                &r->opt, r->sess, &lerr);
    else if (r->cfg.resume_dir)
        rc = rundir_resume(&r->log, r->cfg.resume_dir, r->cfg.resume_epoch, r->cfg.resume_step,
                           &r->opt, r->sess, &lerr);
    else
        rc = rundir_open(&r->log, &r->opt, r->sess, &lerr);
    if (rc) {
        r->log = NULL;
        if (r->cfg.log_required) {
            *err = lerr;
            return rc;
        }
        error_prefix(&lerr, "not logged");
        copy_text(r->log_error, sizeof r->log_error, lerr.msg);
        return ERROR_NONE;
    }
    copy_text(r->log_path, sizeof r->log_path, rundir_path(r->log));
    if (r->cfg.note) rundir_note(r->log, "run", r->cfg.note);
    rundir_on_failure(r->log, log_failed, r);
    return ERROR_NONE;
}

/* Steps 4's one body, on whichever thread runs the trainer.  A watched
 * run that diverged waits here for the user: resumed, it trains on;
 * stopped (or ended by trainrun_end), it ends diverged. */
static ErrorCode run_body(TrainRun *r)
{
    Error err;
    error_clear(&err);
    ErrorCode rc = trainer_run(r->trainer, &err);
    while (rc == ERROR_DIVERGED && r->cfg.interactive) {
        if (!trainer_wait(r->trainer)) {
            rc = trainer_end(r->trainer, &err);
            break;
        }
        error_clear(&err);
        rc = trainer_run(r->trainer, &err);
    }
    pthread_mutex_lock(&r->mu);
    r->finished = true;
    r->rc = rc;
    r->err = err;
    pthread_mutex_unlock(&r->mu);
    return rc;
}

static void *run_thread(void *arg)
{
    run_body(arg);
    return NULL;
}

ErrorCode trainrun_start(TrainRun *r, Error *err)
{
    if (!r->trainer) return error_set(err, ERROR_RUNTIME, "no network built");
    /* The signals that end the program go to the owner's thread (whose
     * poll() they wake); the trainer thread (and the BLAS threads it
     * starts) never take them. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGWINCH);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int e = pthread_create(&r->thread, NULL, run_thread, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e != 0)
        return error_set(err, ERROR_RUNTIME, "cannot start the training thread: %s", strerror(e));
    r->thread_started = true;
    return ERROR_NONE;
}

ErrorCode trainrun_run(TrainRun *r, Error *err)
{
    if (!r->trainer) return error_set(err, ERROR_RUNTIME, "no network built");
    ErrorCode rc = run_body(r);
    if (rc) *err = r->err;
    return rc;
}

void trainrun_join(TrainRun *r)
{
    if (!r->thread_started) return;
    pthread_join(r->thread, NULL);
    r->thread_started = false;
}

bool trainrun_finished(TrainRun *r, ErrorCode *rc, Error *err)
{
    pthread_mutex_lock(&r->mu);
    bool f = r->finished;
    if (rc) *rc = r->rc;
    if (err) *err = r->err;
    pthread_mutex_unlock(&r->mu);
    return f;
}

bool trainrun_log_error(TrainRun *r)
{
    Error e;
    /* rundir_error may be asked while the trainer thread writes */
    if (r->log && !r->log_error[0] && rundir_error(r->log, &e))
        copy_text(r->log_error, sizeof r->log_error, e.msg);
    return r->log_error[0] != '\0';
}

bool trainrun_log_off(TrainRun *r)
{
    if (!r->log || !r->log_error[0] || r->log_dropped) return false;
    r->log_dropped = true;
    atomic_store(&r->log_off_asked, true);
    return true;
}

void trainrun_end(TrainRun *r)
{
    if (!r->trainer) return;
    trainer_stop(r->trainer);
    trainrun_join(r);
    trainer_result(r->trainer, &r->result);
    r->has_result = true;
    if (r->log) {
        /* asked for after the trainer's last hook: the thread has ended */
        if (r->log_dropped && !r->log_is_off) {
            r->log_is_off = true;
            rundir_off(r->log, "training went on without run files");
        }
        Error e;
        error_clear(&e);
        if (rundir_finish(r->log, &r->result, &e)) {
            r->log_failed = true;
            if (!r->log_error[0]) copy_text(r->log_error, sizeof r->log_error, e.msg);
        }
        rundir_close(r->log);
        r->log = NULL;
    }
    trainer_destroy(r->trainer);
    r->trainer = NULL;
}

void trainrun_close(TrainRun *r)
{
    trainrun_end(r);
    if (r->owns_session) {
        prepared_close(&r->own);
        r->owns_session = false;
    }
    r->sess = NULL;
    pthread_mutex_destroy(&r->mu);
}
