/*
 * run.c - one run as the screens see it: the engine's TrainRun with the
 * teaching views plugged into its hooks and the UI's copies.  See run.h.
 */
#include "run.h"

#include <stdio.h>
#include <string.h>

#include "crt.h"

void run_init(Run *r, const Options *opt, const char *exe_dir)
{
    memset(r, 0, sizeof *r);
    r->opt = *opt;
    r->exe_dir = exe_dir;
    r->core = &r->own;
    r->batch_epoch = -1;
    pthread_mutex_init(&r->marks_mu, NULL);
    trainrun_init(r->core, &(TrainRunConfig){0});
}

ErrorCode run_open(Run *r, Error *err)
{
    return trainrun_open_data(r->core, &r->opt, r->exe_dir, err);
}

void run_share(Run *r, PreparedData *shared)
{
    trainrun_share_data(r->core, shared);
}

/* The screen's hooks, after the run log's (src/run/run.c), on the trainer
 * thread: the teaching views'.  While training stands still the dashboard
 * computes the views itself (live_idle). */
static void hook_batch(void *ctx, const BatchInfo *b)
{
    Run *r = ctx;
    if (r->live) live_on_batch(r->live, b);
}

/* The dashboard's batch hook: the rows of the epoch done so far, then the
 * teaching views'. */
static void hook_batch_rows(void *ctx, const BatchInfo *b)
{
    Run *r = ctx;
    if (b->epoch != r->batch_epoch) r->epoch_rows = 0;
    r->batch_epoch = b->epoch;
    r->epoch_rows += b->rows;
    hook_batch(ctx, b);
}

/* An event falls between batches, after the last one: its epoch is that
 * batch's plus the share of the training rows done (a whole epoch done
 * reads as the next one's start). */
static void hook_event(void *ctx, const TrainEvent *e)
{
    Run *r = ctx;
    if (r->batch_epoch < 0 || r->n_train <= 0) return;
    RunEventMark m = {e->step, r->batch_epoch + (double)r->epoch_rows / (double)r->n_train};
    pthread_mutex_lock(&r->marks_mu);
    r->marks[r->n_marks++ % TRAINER_MAX_EVENTS] = m;
    pthread_mutex_unlock(&r->marks_mu);
    /* a resume after a divergence takes the epoch again from its start,
     * under the same number: its rows are counted afresh */
    if (e->kind == EVENT_DIVERGED) r->batch_epoch = -1;
}

bool run_event_epoch(Run *r, long step, double *epoch)
{
    bool found = false;
    pthread_mutex_lock(&r->marks_mu);
    long n = r->n_marks < TRAINER_MAX_EVENTS ? r->n_marks : TRAINER_MAX_EVENTS;
    for (long i = 0; i < n && !found; i++) {
        const RunEventMark *m = &r->marks[(r->n_marks - 1 - i) % TRAINER_MAX_EVENTS];
        if (m->step == step) {
            *epoch = m->epoch;
            found = true;
        }
    }
    pthread_mutex_unlock(&r->marks_mu);
    return found;
}

void run_batch_hook(void *run, const BatchInfo *b)
{
    hook_batch(run, b);
}

ErrorCode run_borrow(Run *r, TrainRun *tr, const Options *opt, Error *err)
{
    run_init(r, opt, NULL);
    r->core = tr;
    r->borrowed = true;
    PreparedData *ss = tr->sess;
    Model *m = trainer_model(tr->trainer);
    r->shape = m->shape; /* a trial's network is not edited (its shape is part of the search) */
    ErrorCode rc = live_create(&r->live, m, &ss->train, &ss->val, opt->seed, err);
    if (!rc) rc = trainer_snapshot_init(&r->snap, tr->trainer, err);
    if (rc) {
        live_destroy(r->live);
        r->live = NULL;
        return rc;
    }
    r->has_snap = true;
    trainer_snapshot(tr->trainer, &r->snap);
    return ERROR_NONE;
}

/* The run's data changed (TRAINER_SET_DATA): the teaching views turn to
 * it before the change is answered, so that the old data can go then. */
static void hook_data(void *ctx, const TrainerData *dt)
{
    Run *r = ctx;
    r->n_train = (long)dt->train->n;
    if (r->live) live_set_data(r->live, dt->train, dt->val);
}

/* What run_prepare or run_launch made, undone after a failure. */
static void run_discard(Run *r)
{
    live_destroy(r->live);
    r->live = NULL;
    trainrun_end(r->core);
}

ErrorCode run_prepare(Run *r, Error *err)
{
    if (!r->core->sess) return error_set(err, ERROR_RUNTIME, "no data loaded");
    PreparedData *ss = r->core->sess;
    /* A screen watches the run: the pace holds, a divergence waits for a
     * resume, and the run log's first I/O failure pauses it (its panel
     * turns red, and the user chooses between going on without files and
     * stopping). */
    r->core->cfg =
        (TrainRunConfig){.hooks = {.ctx = r,
                                   .on_batch = r->no_live ? NULL : hook_batch_rows,
                                   .on_event = r->no_live ? NULL : hook_event,
                                   .on_data = r->no_live ? NULL : hook_data},
                         .interactive = true,
                         .pause_on_log_failure = true,
                         .note = r->no_live ? "optimizer race" : "interactive dashboard"};
    r->batch_epoch = -1;
    r->epoch_rows = 0;
    r->n_train = (long)ss->train.n;
    pthread_mutex_lock(&r->marks_mu);
    r->n_marks = 0;
    pthread_mutex_unlock(&r->marks_mu);
    ErrorCode rc = trainrun_prepare(r->core, &r->opt, err);
    if (rc) return rc;
    r->shape =
        trainer_model(r->core->trainer)->shape; /* as it starts: edits change the snapshot's */
    if (!r->no_live) {
        /* created before the thread starts, so the hooks see it */
        rc = live_create(&r->live, trainer_model(r->core->trainer), &ss->train, &ss->val,
                         r->opt.seed, err);
        if (rc) goto fail;
    }
    if (r->has_snap) trainer_snapshot_free(&r->snap);
    r->has_snap = false;
    rc = trainer_snapshot_init(&r->snap, r->core->trainer, err);
    if (rc) goto fail;
    r->has_snap = true;
    trainer_snapshot(r->core->trainer, &r->snap);
    return ERROR_NONE;
fail:
    run_discard(r);
    return rc;
}

ErrorCode run_launch(Run *r, Error *err)
{
    /* The run directory is made once everything else the run needs is
     * there (a network refused for its size leaves no directory behind),
     * and before the thread starts, so that the hooks see the log.  An
     * unusable log directory does not stop an interactive run: the panel
     * says so in red and training goes on without run files. */
    ErrorCode rc = trainrun_open_log(r->core, err);
    if (!rc) rc = trainrun_start(r->core, err);
    if (rc) run_discard(r);
    return rc;
}

ErrorCode run_start(Run *r, Error *err)
{
    ErrorCode rc = run_prepare(r, err);
    return rc ? rc : run_launch(r, err);
}

void run_update(Run *r)
{
    if (r->core->trainer && r->has_snap) trainer_snapshot(r->core->trainer, &r->snap);
    trainrun_log_error(r->core);
}

const char *run_log_error_short(const Run *r)
{
    size_t n = strlen(r->core->log_path);
    const char *e = r->core->log_error;
    return n && !strncmp(e, r->core->log_path, n) && e[n] == '/' ? e + n + 1 : e;
}

bool run_log_off(Run *r)
{
    return trainrun_log_off(r->core);
}

bool run_status(const Run *r, TrainStatus *s)
{
    if (!r->has_snap || !r->core->trainer) return false;
    *s = trainer_status(r->core->trainer);
    return true;
}

int run_exit_code(const Run *r)
{
    TrainStatus s;
    return run_status(r, &s) && s == TRAIN_DIVERGED ? 3 : 0;
}

bool run_finished(Run *r, ErrorCode *rc, Error *err)
{
    return trainrun_finished(r->core, rc, err);
}

void run_join(Run *r)
{
    trainrun_join(r->core);
}

void run_sync_options(Run *r)
{
    if (!r->core->trainer) return;
    trainer_get_hparams(r->core->trainer, &r->opt.hp);
    /* + and - scale the rate in the trainer alone: a rate moved off the
     * optimizer's default no longer is the default, nor follows it */
    if (r->opt.lr_is_default && r->opt.hp.opt.lr != optimizer_default_lr(r->opt.hp.opt.kind))
        r->opt.lr_is_default = false;
}

void run_end(Run *r)
{
    if (r->borrowed) {
        live_destroy(r->live);
        r->live = NULL;
        return;
    }
    if (!r->core->trainer) return;
    run_sync_options(r);
    trainrun_end(r->core); /* keeps log_path, and log_error with the log's failure at its end */
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
    trainrun_close(&r->own); /* a borrowed run's core is the sweep's */
    pthread_mutex_destroy(&r->marks_mu);
}

void run_shape_text(const ModelShape *s, char *buf, size_t cap)
{
    size_t n = 0;
    if (cap) buf[0] = '\0';
    for (int i = 0; i <= s->n_layers && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%d", i ? crt_glyph(GLYPH_ARROW) : "",
                              s->sizes[i]);
}
