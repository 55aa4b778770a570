/*
 * run.c - one training run made in its fixed order, its hooks' fan-out,
 * its thread and its result.  See run.h.
 */
#include "gradtop/run/run.h"

#include <signal.h>
#include <stdlib.h>
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

/* Frees the data trainrun_change_data drew last, if the run is on it. */
static void drop_drawn(TrainRun *r)
{
    if (!r->drawn) return;
    prepared_close(r->drawn);
    free(r->drawn);
    r->drawn = NULL;
}

ErrorCode trainrun_open_data(TrainRun *r, const Options *o, const char *exe_dir, Error *err)
{
    drop_drawn(r);
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
    drop_drawn(r);
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

static void hook_data(void *ctx, const TrainerData *d)
{
    TrainRun *r = ctx;
    enter(r);
    /* the model info it saves and config.txt follow the new data */
    if (log_on(r)) rundir_on_data(r->log, d->owner);
    if (r->cfg.hooks.on_data) r->cfg.hooks.on_data(r->cfg.hooks.ctx, d);
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
                          .on_state = hook_state,
                          .on_data = hook_data};
    const Dataset *test = ss->has_test ? &ss->test : NULL;
    ErrorCode rc = trainer_create(&r->trainer, &r->opt, &ss->train, &ss->val, test,
                                  r->cfg.interactive, &hooks, err);
    if (rc) {
        trainer_destroy(r->trainer);
        r->trainer = NULL;
    } else if (r->cfg.owner_reserves_blas) {
        trainer_release_blas(r->trainer);
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
    sigaddset(&block, SIGQUIT);
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

/* A noise as it is in force: the set's default for -1. */
static double noise_of(const PreparedData *s)
{
    return s->opt.noise >= 0 ? s->opt.noise : dataset_default_noise(s->opt.dataset);
}

ErrorCode trainrun_change_data(TrainRun *r, double noise, double val_split, const char *exe_dir,
                               long *seq, Error *err)
{
    *seq = 0;
    if (!r->trainer || !r->sess) return error_set(err, ERROR_INPUT, "no run is training");
    if (r->next)
        return error_set(err, ERROR_INPUT, "the last change of the data is still being applied");
    if (!r->owns_session)
        return error_set(err, ERROR_INPUT,
                         "the data is shared with other runs (a race's racers, a sweep's trials): "
                         "it cannot change while they train");
    const PreparedData *cur = r->sess;
    if (!prepared_can_regenerate(cur))
        return error_set(err, ERROR_INPUT,
                         "%s is a data file: noise and val-split change while training only for "
                         "the generated 2-D sets (spiral, circles, xor, gauss, moons)",
                         cur->all.source);
    double was = noise_of(cur), now = noise >= 0 ? noise : dataset_default_noise(cur->opt.dataset);
    if (now == was && val_split == cur->opt.val_split)
        return error_set(err, ERROR_INPUT, "noise %g and val-split %g are in force already", was,
                         val_split);
    PreparedData *next = malloc(sizeof *next);
    if (!next) return error_set(err, ERROR_RUNTIME, "out of memory");
    ErrorCode rc = prepared_regenerate(next, cur, noise, val_split, exe_dir, err);
    if (rc) {
        prepared_close(next);
        free(next);
        return rc;
    }
    TrainerData *d = &r->change;
    memset(d, 0, sizeof *d);
    size_t n = next->train.n ? next->train.n : 1;
    d->perm = malloc(n * sizeof *d->perm);
    d->spare = malloc(n * sizeof *d->spare);
    if (!d->perm || !d->spare) {
        free(d->perm);
        free(d->spare);
        prepared_close(next);
        free(next);
        return error_set(err, ERROR_RUNTIME, "out of memory");
    }
    d->train = &next->train;
    d->val = &next->val;
    d->test = next->has_test ? &next->test : NULL;
    d->owner = next;
    size_t len = 0;
    if (now != was) len += (size_t)snprintf(d->text, sizeof d->text, "noise %g -> %g", was, now);
    if (val_split != cur->opt.val_split && len < sizeof d->text)
        snprintf(d->text + len, sizeof d->text - len,
                 "%sval-split %g -> %g (%zu -> %zu training rows)", len ? ", " : "",
                 cur->opt.val_split, val_split, cur->train.n, next->train.n);
    r->next = next;
    r->change_perm = d->perm;
    r->change_seq = trainer_set_data(r->trainer, d);
    if (!r->change_seq) {
        trainrun_data_settle(r, NULL); /* the trainer never saw it: frees it */
        return error_set(err, ERROR_RUNTIME, "too many commands waiting: try again");
    }
    *seq = r->change_seq;
    return ERROR_NONE;
}

/* Ends a pending change: the run takes the new data when the trainer took
 * it (it then holds perm), else the new data goes. */
static void change_finish(TrainRun *r)
{
    bool taken = r->change.perm != r->change_perm;
    free(r->change.perm);
    free(r->change.spare);
    PreparedData *next = r->next;
    if (taken) {
        if (r->drawn) {
            drop_drawn(r);
        } else {
            prepared_close(&r->own);
        }
        r->drawn = r->sess = next;
        r->opt.noise = next->opt.noise;
        r->opt.val_split = next->opt.val_split;
    } else {
        prepared_close(next);
        free(next);
    }
    r->next = NULL;
    r->change_perm = NULL;
    r->change_seq = 0;
    memset(&r->change, 0, sizeof r->change);
}

bool trainrun_data_settle(TrainRun *r, TrainerReply *reply)
{
    if (!r->next) return false;
    TrainerReply rep = {.kind = TRAINER_SET_DATA};
    if (r->change_seq && !(r->trainer && trainer_reply(r->trainer, r->change_seq, &rep)))
        return false;
    change_finish(r);
    if (reply) *reply = rep;
    return true;
}

void trainrun_end(TrainRun *r)
{
    if (!r->trainer) return;
    trainer_stop(r->trainer);
    trainrun_join(r);
    /* the thread is gone: a change it answered (or never saw) ends here */
    if (r->next) change_finish(r);
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
    drop_drawn(r);
    if (r->owns_session) {
        prepared_close(&r->own);
        r->owns_session = false;
    }
    r->sess = NULL;
    pthread_mutex_destroy(&r->mu);
}
