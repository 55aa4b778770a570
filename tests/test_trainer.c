/*
 * test_trainer.c - the training loop and its control interface: pause,
 * step, stop, hyperparameter changes at batch boundaries, early stopping,
 * divergence, reproducibility.
 */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "gradtop/run/prepared.h"
#include "gradtop/run/trainer.h"
#include "memdata.h"

static void base_options(Options *o)
{
    options_default(o);
    o->layers[0] = 8;
    o->n_layers = 1;
    o->epochs = 5;
    o->hp.batch_size = 10;
    o->threads = 1;
    o->no_log = true;
    o->hp.patience = 0;
}

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t grew; /* broadcast at each batch */
    long batches;
    BatchInfo last;
    BatchInfo log[4096];
    int n_log;
    int n_change_events;
    long change_step[64];
    int n_epochs;
    long violations; /* batches not wholly under their own settings */
    int seen_size[64];
} Recorder;

static void rec_batch(void *ctx, const BatchInfo *b)
{
    Recorder *r = ctx;
    pthread_mutex_lock(&r->mu);
    r->batches++;
    pthread_cond_broadcast(&r->grew);
    r->last = *b;
    if (r->n_log < 4096) r->log[r->n_log++] = *b;
    if (b->rows > b->hp.batch_size || fabs(b->lr - b->hp.opt.lr) > 1e-15) r->violations++;
    if (b->hp.batch_size < 64) r->seen_size[b->hp.batch_size]++;
    pthread_mutex_unlock(&r->mu);
}

static void rec_event(void *ctx, const TrainEvent *e)
{
    Recorder *r = ctx;
    pthread_mutex_lock(&r->mu);
    if (e->kind == EVENT_CHANGE && r->n_change_events < 64)
        r->change_step[r->n_change_events++] = e->step;
    pthread_mutex_unlock(&r->mu);
}

static void rec_epoch(void *ctx, const EpochMetrics *m)
{
    Recorder *r = ctx;
    pthread_mutex_lock(&r->mu);
    r->n_epochs = m->epoch;
    pthread_mutex_unlock(&r->mu);
}

typedef struct {
    Trainer *t;
    bool watched; /* interactive: a divergence waits for a resume or a stop */
    ErrorCode rc;
    Error err;
} RunArg;

/* Runs the trainer as a TrainRun does (src/run/run.c): a watched run that
 * diverged waits for the user's decision, then trains on or ends. */
static void *run_thread(void *p)
{
    RunArg *a = p;
    a->rc = trainer_run(a->t, &a->err);
    while (a->rc == ERROR_DIVERGED && a->watched) {
        if (!trainer_wait(a->t)) {
            a->rc = trainer_end(a->t, &a->err);
            break;
        }
        a->rc = trainer_run(a->t, &a->err);
    }
    return NULL;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* How long a wait below may last before the test fails instead of hanging:
 * a guard against a trainer that never gets there, not a speed bet (what is
 * waited for takes microseconds). */
#define HANG_GUARD_S 120

/* Polls the snapshot until the status is s (the trainer has no hook for
 * a status change, only for the events around it). */
static bool wait_status(Trainer *t, TrainerSnapshot *snap, TrainStatus s)
{
    for (int i = 0; i < HANG_GUARD_S * 100; i++) {
        trainer_snapshot(t, snap);
        if (snap->status == s) return true;
        sleep_ms(10);
    }
    return false;
}

static long batches(Recorder *r)
{
    pthread_mutex_lock(&r->mu);
    long n = r->batches;
    pthread_mutex_unlock(&r->mu);
    return n;
}

/* Waits until at least n batches have run, woken by the batch hook. */
static void wait_batches(Recorder *r, long n)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += HANG_GUARD_S;
    pthread_mutex_lock(&r->mu);
    int rc = 0;
    while (r->batches < n && rc == 0) rc = pthread_cond_timedwait(&r->grew, &r->mu, &until);
    long got = r->batches;
    pthread_mutex_unlock(&r->mu);
    if (got < n) fail_msg("%ld batches ran, waited for %ld", got, n);
}

/* An interactive trainer over 200 rows in memory, on a thread of its own
 * once started, its batches and events recorded. */
typedef struct {
    Dataset ds;
    Recorder rec;
    Trainer *t;
    TrainerSnapshot snap;
    RunArg arg;
    pthread_t th;
} Live;

static Live *live_create_paced(int epochs, Pace pace, bool paused)
{
    Live *l = calloc(1, sizeof *l);
    assert_non_null(l);
    pthread_mutex_init(&l->rec.mu, NULL);
    pthread_cond_init(&l->rec.grew, NULL);
    make_dataset(&l->ds, 200, 1);
    Options o;
    base_options(&o);
    o.epochs = epochs;
    o.pace = pace;
    o.paused = paused;
    TrainerHooks hooks = {.ctx = &l->rec, .on_batch = rec_batch, .on_event = rec_event};
    Error err;
    assert_int_equal(trainer_create(&l->t, &o, &l->ds, NULL, NULL, true, &hooks, &err), ERROR_NONE);
    assert_int_equal(trainer_snapshot_init(&l->snap, l->t, &err), ERROR_NONE);
    l->arg.t = l->t;
    l->arg.watched = true;
    return l;
}

static Live *live_create(int epochs)
{
    return live_create_paced(epochs, (Pace){PACE_MAX, 0}, false);
}

static void live_start(Live *l)
{
    pthread_create(&l->th, NULL, run_thread, &l->arg);
}

/* Joins a run that has ended, which must have returned no error, and
 * frees it all. */
static void live_free(Live *l)
{
    pthread_join(l->th, NULL);
    assert_int_equal(l->arg.rc, ERROR_NONE);
    trainer_snapshot_free(&l->snap);
    trainer_destroy(l->t);
    free_dataset(&l->ds);
    pthread_mutex_destroy(&l->rec.mu);
    pthread_cond_destroy(&l->rec.grew);
    free(l);
}

/* Stops the run, which must end as stopped, and frees it all. */
static void live_finish(Live *l)
{
    trainer_stop(l->t);
    assert_true(wait_status(l->t, &l->snap, TRAIN_STOPPED));
    live_free(l);
}

/* Paused before the first batch, nothing runs; each step runs exactly one
 * batch; a change made while paused is in force for the very next batch. */
static void test_pause_step_and_change_at_next_batch(void **state)
{
    (void)state;
    Live *l = live_create(1000);
    Trainer *t = l->t;
    Recorder *rec = &l->rec;
    trainer_pause(t);
    live_start(l);
    assert_true(wait_status(t, &l->snap, TRAIN_PAUSED));
    long before = batches(rec);
    assert_int_equal(before, 0);
    sleep_ms(50);
    assert_int_equal(batches(rec), 0);

    HyperParams hp;
    trainer_get_hparams(t, &hp);
    hp.opt.lr = 0.0123;
    hp.batch_size = 7;
    trainer_set_hparams(t, &hp);
    trainer_step_once(t);
    wait_batches(rec, 1);
    sleep_ms(50);
    assert_int_equal(batches(rec), 1);
    assert_int_equal(rec->last.rows, 7);
    assert_true(fabs(rec->last.lr - 0.0123) < 1e-12);
    assert_int_equal(rec->n_change_events, 1);
    /* The change event is stamped before the batch that uses it. */
    assert_int_equal(rec->change_step[0], 0);

    trainer_scale_lr(t, 2.0);
    trainer_step_once(t);
    trainer_step_once(t);
    wait_batches(rec, 3);
    sleep_ms(50);
    assert_int_equal(batches(rec), 3);
    assert_true(fabs(rec->log[1].lr - 0.0246) < 1e-12);
    assert_true(fabs(rec->log[2].lr - 0.0246) < 1e-12);
    trainer_snapshot(t, &l->snap);
    assert_int_equal(l->snap.status, TRAIN_PAUSED);
    assert_int_equal(l->snap.step, 3);
    /* three steps of the 7-row batch size, and the time they took */
    assert_int_equal(l->snap.samples, 21);
    assert_true(l->snap.elapsed > 0 && isfinite(l->snap.elapsed));

    trainer_resume(t);
    wait_batches(rec, 50);
    assert_true(batches(rec) >= 50);
    live_finish(l);
}

/* + and - at the ends of the rate's range: a step that would leave it is
 * refused, the reply naming the learning rate and the range it keeps to
 * (as --lr's refusal does), and the rate stays. */
static void test_scaling_the_rate_out_of_range_says_its_range(void **state)
{
    (void)state;
    Live *l = live_create(1000);
    Trainer *t = l->t;
    trainer_pause(t);
    live_start(l);
    assert_true(wait_status(t, &l->snap, TRAIN_PAUSED));
    const double ends[2] = {DBL_TRUE_MIN, DBL_MAX};
    const double factor[2] = {0.5, 2.0};
    for (int k = 0; k < 2; k++) {
        HyperParams hp;
        trainer_get_hparams(t, &hp);
        hp.opt.lr = ends[k];
        TrainerReply r;
        assert_true(trainer_await(t, trainer_set_hparams(t, &hp), &r));
        assert_true(r.done);
        assert_true(trainer_await(t, trainer_scale_lr(t, factor[k]), &r));
        assert_false(r.done);
        assert_non_null(strstr(r.text, "learning rate"));
        assert_non_null(strstr(r.text, "expected a positive number"));
        trainer_get_hparams(t, &hp);
        assert_true(hp.opt.lr == ends[k]);
    }
    /* At DBL_MAX the run, resumed, diverges at its second batch: the stop
     * sent after the resume lost that race now and then (the run ended
     * DIVERGED, not STOPPED).  Stopped while paused, it has nothing to
     * race. */
    live_finish(l);
}

/* The throttle's arithmetic: batches start 1/rate s apart at Nb, an
 * epoch's batches spread evenly over 1/rate s at Ne, none waits at max. */
static void test_pace_delay_spreads_batches(void **state)
{
    (void)state;
    Pace max = {PACE_MAX, 0}, e5 = {PACE_EPOCHS, 5}, b20 = {PACE_BATCHES, 20},
         slow = {PACE_BATCHES, 0.01};
    assert_true(pace_delay(max, 4, 0) == 0);
    assert_true(pace_delay(max, 4, 1e-9) == 0);
    /* 5 epochs a second of 4 batches: one batch every 1/20 s */
    assert_true(fabs(pace_delay(e5, 4, 0) - 0.05) < 1e-12);
    assert_true(fabs(pace_delay(e5, 4, 0.02) - 0.03) < 1e-12);
    assert_true(pace_delay(e5, 4, 0.05) == 0);
    assert_true(pace_delay(e5, 4, 3) == 0);
    /* the same pace over 10 batches an epoch: one every 1/50 s */
    assert_true(fabs(pace_delay(e5, 10, 0) - 0.02) < 1e-12);
    /* batches a second do not depend on the epoch's size */
    assert_true(fabs(pace_delay(b20, 4, 0.01) - 0.04) < 1e-12);
    assert_true(fabs(pace_delay(b20, 1000, 0.01) - 0.04) < 1e-12);
    assert_true(fabs(pace_delay(slow, 4, 0) - 100) < 1e-9);
    /* an epoch size not known yet counts as one batch */
    assert_true(fabs(pace_delay(e5, 0, 0) - 0.2) < 1e-12);
}

/* A pace so slow that the second batch is due in hours: pause, a step, a
 * pace change and a stop each still take effect at once, since the
 * trainer waits on its condition variable and not in a sleep.  The hang
 * guard (HANG_GUARD_S) is far below the hours the pace would wait. */
static void test_slow_pace_still_answers_every_request(void **state)
{
    (void)state;
    Pace crawl = {PACE_BATCHES, 1e-4}; /* one batch every 10000 s */
    Live *l = live_create_paced(1000, crawl, false);
    Trainer *t = l->t;
    Recorder *rec = &l->rec;
    live_start(l);
    wait_batches(rec, 1);
    trainer_snapshot(t, &l->snap);
    assert_int_equal(l->snap.pace.unit, PACE_BATCHES);
    assert_true(l->snap.pace.rate == 1e-4);
    trainer_pause(t);
    assert_true(wait_status(t, &l->snap, TRAIN_PAUSED));
    /* a step goes at once, whatever the pace */
    trainer_step_once(t);
    wait_batches(rec, 2);
    trainer_resume(t);
    assert_true(wait_status(t, &l->snap, TRAIN_RUNNING));
    assert_int_equal(batches(rec), 2); /* the next batch is 10000 s away */
    /* a faster pace wakes the waiting batch */
    TrainerReply rep;
    assert_true(trainer_await(t, trainer_set_pace(t, (Pace){PACE_MAX, 0}), &rep));
    assert_true(rep.done);
    assert_int_equal(trainer_pace(t).unit, PACE_MAX);
    wait_batches(rec, 40);
    trainer_set_pace(t, crawl);
    long at = batches(rec);
    /* and a stop ends a run that waits for its pace */
    trainer_stop(t);
    assert_true(wait_status(t, &l->snap, TRAIN_STOPPED));
    /* at most the batch that was under way when the pace slowed down */
    assert_true(batches(rec) <= at + 1);
    live_finish(l);
}

/* The pace's waits count as training time: at 20 batches a second, batch
 * 3 starts at least 0.1 s after batch 1, so elapsed is at least that (a
 * lower bound, which holds on any machine). */
static void test_pace_waits_count_as_elapsed_time(void **state)
{
    (void)state;
    Live *l = live_create_paced(1000, (Pace){PACE_BATCHES, 20}, false);
    live_start(l);
    wait_batches(&l->rec, 3);
    trainer_pause(l->t);
    assert_true(wait_status(l->t, &l->snap, TRAIN_PAUSED));
    /* Three batches at 20 a second span two pace intervals from the first
     * batch's start to the third's; elapsed covers that span whole (up to
     * the rounding of the sums that make it). */
    if (!(l->snap.elapsed >= 0.1 - 1e-9))
        fail_msg("%ld batches at 20 a second, yet elapsed is %g s", l->snap.step, l->snap.elapsed);
    live_finish(l);
}

/* --paused: an interactive trainer is paused before its first batch, and
 * a step runs exactly one. */
static void test_paused_option_holds_before_the_first_batch(void **state)
{
    (void)state;
    Live *l = live_create_paced(1000, (Pace){PACE_MAX, 0}, true);
    Trainer *t = l->t;
    assert_int_equal(trainer_status(t), TRAIN_PAUSED);
    live_start(l);
    assert_true(wait_status(t, &l->snap, TRAIN_PAUSED));
    assert_int_equal(l->snap.step, 0);
    sleep_ms(50);
    assert_int_equal(batches(&l->rec), 0);
    trainer_step_once(t);
    wait_batches(&l->rec, 1);
    sleep_ms(50);
    assert_int_equal(batches(&l->rec), 1);
    live_finish(l);
}

/* Headless training never throttles nor starts paused: a pace of one batch
 * a hundred seconds and --paused in its options change nothing. */
static void test_headless_trainer_ignores_pace_and_paused(void **state)
{
    (void)state;
    Dataset ds;
    make_dataset(&ds, 200, 1);
    Options o;
    base_options(&o);
    o.epochs = 3;
    o.pace = (Pace){PACE_BATCHES, 0.01};
    o.paused = true;
    Trainer *t;
    Error err;
    assert_int_equal(trainer_create(&t, &o, &ds, NULL, NULL, false, NULL, &err), ERROR_NONE);
    assert_int_equal(trainer_pace(t).unit, PACE_MAX);
    assert_int_equal(trainer_status(t), TRAIN_RUNNING);
    TrainerSnapshot snap;
    assert_int_equal(trainer_snapshot_init(&snap, t, &err), ERROR_NONE);
    RunArg arg = {.t = t};
    pthread_t th;
    pthread_create(&th, NULL, run_thread, &arg);
    /* 60 batches: 6000 s if it were throttled, far past the guard */
    assert_true(wait_status(t, &snap, TRAIN_DONE));
    pthread_join(th, NULL);
    assert_int_equal(arg.rc, ERROR_NONE);
    assert_int_equal(snap.step, 60);
    trainer_snapshot_free(&snap);
    trainer_destroy(t);
    free_dataset(&ds);
}

/* Sends with fn and returns the command's sequence number, which must be
 * the next one. */
static long send(Trainer *t, long (*fn)(Trainer *), long *last)
{
    long seq = fn(t);
    assert_int_equal(seq, *last + 1);
    *last = seq;
    return seq;
}

/* The reply to seq, once applied: done or not, and the status it left. */
static void assert_reply(Trainer *t, long seq, bool done, TrainStatus status)
{
    TrainerReply r;
    assert_true(trainer_await(t, seq, &r));
    assert_int_equal(r.seq, seq);
    if (r.done != done)
        fail_msg("command %ld (%s): %s", seq, trainer_command_names[r.kind], r.text);
    assert_int_equal(r.status, status);
}

/* Commands are applied in the order sent, each answered: pause, resume,
 * pause sent before the first batch leave the run paused with no batch
 * run, each reply saying the status it left; so do three toggles while it
 * runs (the third pauses), and a step sent while running is refused.  A
 * snapshot reports the last command answered. */
static void test_commands_apply_in_order_each_answered(void **state)
{
    (void)state;
    Live *l = live_create(100000);
    Trainer *t = l->t;
    long last = 0;
    /* before the first batch: queued, nothing applied yet */
    long p1 = send(t, trainer_pause, &last);
    long r1 = send(t, trainer_resume, &last);
    long p2 = send(t, trainer_pause, &last);
    TrainerReply rep;
    assert_false(trainer_reply(t, p1, &rep));
    assert_false(trainer_await(t, p1, &rep)); /* no thread answers yet */
    assert_int_equal(trainer_status(t), TRAIN_RUNNING);
    live_start(l);
    assert_true(wait_status(t, &l->snap, TRAIN_PAUSED)); /* the thread answers from now on */
    assert_reply(t, p1, true, TRAIN_PAUSED);
    assert_reply(t, r1, true, TRAIN_RUNNING);
    assert_reply(t, p2, true, TRAIN_PAUSED);
    trainer_snapshot(t, &l->snap);
    assert_int_equal(l->snap.status, TRAIN_PAUSED);
    assert_int_equal(l->snap.applied, p2);
    sleep_ms(50);
    assert_int_equal(batches(&l->rec), 0);

    /* paused: resume, pause, resume runs */
    send(t, trainer_resume, &last);
    send(t, trainer_pause, &last);
    long r2 = send(t, trainer_resume, &last);
    assert_reply(t, r2, true, TRAIN_RUNNING);
    wait_batches(&l->rec, 5);

    /* running: three toggles pause, as one would; a step is refused */
    long s1 = send(t, trainer_step_once, &last);
    long t1 = send(t, trainer_toggle_pause, &last);
    long t2 = send(t, trainer_toggle_pause, &last);
    long t3 = send(t, trainer_toggle_pause, &last);
    assert_reply(t, s1, false, TRAIN_RUNNING);
    assert_reply(t, t1, true, TRAIN_PAUSED);
    assert_reply(t, t2, true, TRAIN_RUNNING);
    assert_reply(t, t3, true, TRAIN_PAUSED);
    long held = batches(&l->rec);
    sleep_ms(50);
    assert_int_equal(batches(&l->rec), held);
    /* paused, a step runs one batch */
    assert_reply(t, send(t, trainer_step_once, &last), true, TRAIN_PAUSED);
    wait_batches(&l->rec, held + 1);
    live_finish(l);
}

typedef struct {
    Trainer *t;
    long seq;
    bool called, answered;
} SelfAwait;

/* On the trainer thread (the start event's hook), a command is sent and
 * awaited: the answer cannot come while the thread waits for it. */
static void await_in_hook(void *ctx, const TrainEvent *e)
{
    SelfAwait *w = ctx;
    if (e->kind != EVENT_START) return;
    TrainerReply r;
    w->seq = trainer_scale_lr(w->t, 1.0);
    w->answered = trainer_await(w->t, w->seq, &r);
    w->called = true;
}

/* trainer_await on the trainer thread returns at once instead of waiting
 * for itself; the command is answered at the next batch boundary. */
static void test_await_on_the_trainer_thread_returns_at_once(void **state)
{
    (void)state;
    Dataset ds;
    make_dataset(&ds, 50, 1);
    Options o;
    base_options(&o);
    o.epochs = 1;
    SelfAwait w = {0};
    TrainerHooks hooks = {.ctx = &w, .on_event = await_in_hook};
    Error err;
    assert_int_equal(trainer_create(&w.t, &o, &ds, NULL, NULL, false, &hooks, &err), ERROR_NONE);
    assert_int_equal(trainer_run(w.t, &err), ERROR_NONE);
    assert_true(w.called);
    assert_false(w.answered);
    TrainerReply r;
    assert_true(trainer_reply(w.t, w.seq, &r));
    assert_true(r.done);
    trainer_destroy(w.t);
    free_dataset(&ds);
}

/* Once the run has ended, a command is answered at once, refused. */
static void test_commands_after_the_end_are_refused(void **state)
{
    (void)state;
    Dataset ds;
    make_dataset(&ds, 50, 1);
    Options o;
    base_options(&o);
    o.epochs = 1;
    Trainer *t;
    Error err;
    assert_int_equal(trainer_create(&t, &o, &ds, NULL, NULL, true, NULL, &err), ERROR_NONE);
    long stop = trainer_stop(t); /* queued before the run: applied at its first boundary */
    assert_int_equal(trainer_run(t, &err), ERROR_NONE);
    assert_int_equal(trainer_status(t), TRAIN_STOPPED);
    TrainerReply r;
    assert_true(trainer_reply(t, stop, &r));
    assert_true(r.done);
    long seq = trainer_pause(t);
    assert_int_equal(seq, stop + 1);
    assert_true(trainer_reply(t, seq, &r)); /* no thread needed */
    assert_false(r.done);
    assert_non_null(strstr(r.text, "ended"));
    assert_true(trainer_await(t, trainer_scale_lr(t, 2), &r));
    assert_false(r.done);
    trainer_destroy(t);
    free_dataset(&ds);
}

/* The stop line of the journal: where the run stopped, then the reason
 * the first trainer_stop_why queued gave (the first stop applied ends the
 * run; the second is refused, and its reason never journaled). */
typedef struct {
    Trainer *t;
    long at_step; /* stop after this batch (0: not from a batch) */
    int at_epoch; /* stop after this epoch (0: not from an epoch) */
    char stop[256];
    char end[256]; /* the end line */
    int n_stops;
} StopWatch;

static void stopwatch_batch(void *ctx, const BatchInfo *b)
{
    StopWatch *w = ctx;
    if (b->step == w->at_step) {
        trainer_stop_why(w->t, "the first reason");
        trainer_stop_why(w->t, "a later reason");
    }
}

static void stopwatch_epoch(void *ctx, const EpochMetrics *m)
{
    StopWatch *w = ctx;
    if (m->epoch == w->at_epoch) trainer_stop_why(w->t, "the first reason");
}

static void stopwatch_event(void *ctx, const TrainEvent *e)
{
    StopWatch *w = ctx;
    if (e->kind == EVENT_END) snprintf(w->end, sizeof w->end, "%s", e->text);
    if (e->kind != EVENT_STOP) return;
    snprintf(w->stop, sizeof w->stop, "%s", e->text);
    w->n_stops++;
}

static void stop_line(long at_step, int at_epoch, bool before, const char *want,
                      const char *want_end)
{
    Dataset ds;
    make_dataset(&ds, 50, 1); /* batch 10: 5 batches an epoch */
    Options o;
    base_options(&o);
    o.epochs = 5;
    StopWatch w = {.at_step = at_step, .at_epoch = at_epoch};
    TrainerHooks hooks = {.ctx = &w,
                          .on_batch = stopwatch_batch,
                          .on_epoch = stopwatch_epoch,
                          .on_event = stopwatch_event};
    Error err;
    assert_int_equal(trainer_create(&w.t, &o, &ds, NULL, NULL, true, &hooks, &err), ERROR_NONE);
    if (before) trainer_stop_why(w.t, "the first reason");
    assert_int_equal(trainer_run(w.t, &err), ERROR_NONE);
    assert_int_equal(trainer_status(w.t), TRAIN_STOPPED);
    assert_int_equal(w.n_stops, 1);
    assert_string_equal(w.stop, want);
    assert_string_equal(w.end, want_end);
    trainer_destroy(w.t);
    free_dataset(&ds);
}

static void test_the_stop_line_says_where_and_why(void **state)
{
    (void)state;
    stop_line(0, 0, true, "stopped before the first epoch: the first reason",
              "stopped after 0 epochs");
    stop_line(0, 2, false, "stopped at the end of epoch 2: the first reason",
              "stopped after 2 epochs");
    stop_line(8, 0, false, "stopped in epoch 2, after 3 of its batches: the first reason",
              "stopped after 1 epoch"); /* one epoch, not "1 epochs" */
    /* a plain stop gives no reason */
    Dataset ds;
    make_dataset(&ds, 50, 1);
    Options o;
    base_options(&o);
    StopWatch w = {0};
    TrainerHooks hooks = {.ctx = &w, .on_event = stopwatch_event};
    Trainer *t;
    Error err;
    assert_int_equal(trainer_create(&t, &o, &ds, NULL, NULL, true, &hooks, &err), ERROR_NONE);
    trainer_stop(t);
    assert_int_equal(trainer_run(t, &err), ERROR_NONE);
    assert_string_equal(w.stop, "stopped before the first epoch");
    trainer_destroy(t);
    free_dataset(&ds);
}

typedef struct {
    Trainer *t;
    Recorder *rec;
} Hammer;

/* Fires bursts of changes; after each burst waits until a few batches ran,
 * so that every burst's last setting is seen in force. */
static void *hammer_thread(void *p)
{
    Hammer *h = p;
    HyperParams hp;
    trainer_get_hparams(h->t, &hp);
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 100; i++) {
            hp.batch_size = 3 + (round * 100 + i) % 11;
            hp.opt.lr = 1e-3 * (1 + i % 5);
            trainer_set_hparams(h->t, &hp);
        }
        long start = batches(h->rec);
        wait_batches(h->rec, start + 3);
    }
    trainer_stop(h->t);
    return NULL;
}

/* Changes fired from another thread while training runs: every batch runs
 * wholly under one set of hyperparameters (its row count is that set's
 * batch size, or the epoch's remainder, and its rate that set's rate). */
static void test_changes_never_land_mid_batch(void **state)
{
    (void)state;
    Dataset ds;
    make_dataset(&ds, 500, 2);
    Options o;
    base_options(&o);
    o.epochs = 1000000;
    Recorder *rec = calloc(1, sizeof *rec);
    pthread_mutex_init(&rec->mu, NULL);
    pthread_cond_init(&rec->grew, NULL);
    TrainerHooks hooks = {.ctx = rec, .on_batch = rec_batch};
    Trainer *t;
    Error err;
    assert_int_equal(trainer_create(&t, &o, &ds, NULL, NULL, false, &hooks, &err), ERROR_NONE);
    RunArg arg = {.t = t};
    pthread_t th, hm;
    Hammer h = {.t = t, .rec = rec};
    pthread_create(&th, NULL, run_thread, &arg);
    pthread_create(&hm, NULL, hammer_thread, &h);
    pthread_join(hm, NULL);
    pthread_join(th, NULL);
    assert_int_equal(arg.rc, ERROR_NONE);
    /* each of the 20 bursts waited for 3 more batches: 60 at least, and
     * exactly 60 when the stop lands before the next one starts */
    assert_true(rec->batches >= 60);
    assert_int_equal(rec->violations, 0);
    int distinct_sizes = 0;
    for (int k = 0; k < 64; k++) distinct_sizes += rec->seen_size[k] > 0;
    /* The changes did land: each burst ends on another batch size. */
    assert_true(distinct_sizes >= 5);
    trainer_destroy(t);
    pthread_mutex_destroy(&rec->mu);
    pthread_cond_destroy(&rec->grew);
    free(rec);
    free_dataset(&ds);
}

/* A model that never improves by min_delta, with a validation part, and
 * patience epochs to stop after. */
static void make_frozen(Dataset *ds, Dataset *val, Options *o, int patience)
{
    make_dataset(ds, 200, 3);
    make_dataset(val, 100, 4);
    base_options(o);
    o->epochs = 500;
    o->hp.patience = patience;
    o->hp.opt.lr = 1e-9; /* practically frozen: no real improvement */
    o->min_delta = 1e-3;
}

/* A model that stops improving stops after `patience` epochs. */
static void test_early_stopping_counts_patience(void **state)
{
    (void)state;
    Dataset ds, val;
    Options o;
    make_frozen(&ds, &val, &o, 3);
    Recorder rec = {.mu = PTHREAD_MUTEX_INITIALIZER, .grew = PTHREAD_COND_INITIALIZER};
    TrainerHooks hooks = {.ctx = &rec, .on_epoch = rec_epoch};
    Trainer *t;
    Error err;
    assert_int_equal(trainer_create(&t, &o, &ds, &val, NULL, false, &hooks, &err), ERROR_NONE);
    assert_int_equal(trainer_run(t, &err), ERROR_NONE);
    TrainResult r;
    trainer_result(t, &r);
    assert_int_equal(r.status, TRAIN_EARLY_STOPPED);
    assert_int_equal(r.best_epoch, 1);
    assert_int_equal(r.epochs, 4);
    assert_int_equal(rec.n_epochs, 4);
    trainer_destroy(t);
    free_dataset(&ds);
    free_dataset(&val);
}

static void keep_early_stop(void *ctx, const TrainEvent *e)
{
    if (e->kind == EVENT_EARLY_STOP) snprintf(ctx, sizeof e->text, "%s", e->text);
}

/* With patience 1 the early stop counts its one epoch as one: it said
 * "did not improve for 1 epochs", in the events list, the journal and
 * train's stderr. */
static void test_an_early_stop_after_one_epoch_says_epoch(void **state)
{
    (void)state;
    Dataset ds, val;
    Options o;
    make_frozen(&ds, &val, &o, 1);
    char text[sizeof((TrainEvent *)0)->text] = "";
    TrainerHooks hooks = {.ctx = text, .on_event = keep_early_stop};
    Trainer *t;
    Error err;
    assert_int_equal(trainer_create(&t, &o, &ds, &val, NULL, false, &hooks, &err), ERROR_NONE);
    assert_int_equal(trainer_run(t, &err), ERROR_NONE);
    if (!strstr(text, " did not improve for 1 epoch (best "))
        fail_msg("the early stop after one epoch says: %s", text);
    trainer_destroy(t);
    free_dataset(&ds);
    free_dataset(&val);
}

/* Regression on a wide target: SGD at rate 10 blows up at once. */
static void make_diverging(Dataset *ds, Options *o)
{
    make_dataset(ds, 200, 5);
    ds->task = TASK_REGRESSION;
    ds->n_classes = 0;
    ds->targets = malloc(ds->n * sizeof(float));
    for (size_t i = 0; i < ds->n; i++) ds->targets[i] = 1000.0f * ds->x[2 * i];
    base_options(o);
    o->hp.opt.kind = OPTIMIZER_SGD;
    o->hp.opt.lr = 10;
}

/* A huge rate diverges: ERROR_DIVERGED, status diverged, finite weights. */
static void test_divergence_keeps_finite_weights(void **state)
{
    (void)state;
    Dataset ds;
    Options o;
    make_diverging(&ds, &o);
    o.epochs = 50;
    Trainer *t;
    Error err;
    assert_int_equal(trainer_create(&t, &o, &ds, NULL, NULL, false, NULL, &err), ERROR_NONE);
    assert_int_equal(trainer_run(t, &err), ERROR_DIVERGED);
    assert_non_null(strstr(err.msg, "learning rate"));
    TrainResult r;
    trainer_result(t, &r);
    assert_int_equal(r.status, TRAIN_DIVERGED);
    Model *m = trainer_model(t);
    for (size_t i = 0; i < m->n_params; i++) assert_true(isfinite(m->params[i]));
    trainer_destroy(t);
    free_dataset(&ds);
}

/* Follows the batches up to a divergence: the rate is raised to 1e30
 * after the third batch of the second epoch, and the event kept. */
typedef struct {
    Trainer *t;
    int epoch;        /* of the last batch done, 0-based; -1 none yet */
    long step;        /* the last batch done */
    long in_epoch;    /* batches done in its epoch */
    long epoch_start; /* steps done before its epoch */
    bool raised;
    int diverged;
    TrainEvent event;
} NanWatch;

static void nan_batch(void *ctx, const BatchInfo *b)
{
    NanWatch *w = ctx;
    if (b->epoch != w->epoch) {
        w->epoch = b->epoch;
        w->epoch_start = b->step - 1;
        w->in_epoch = 0;
    }
    w->in_epoch++;
    w->step = b->step;
    if (b->epoch == 1 && w->in_epoch == 3 && !w->raised) {
        HyperParams hp = b->hp;
        hp.opt.lr = 1e30;
        trainer_set_hparams(w->t, &hp); /* taken before the next batch */
        w->raised = true;
    }
}

static void nan_event(void *ctx, const TrainEvent *e)
{
    NanWatch *w = ctx;
    if (e->kind != EVENT_DIVERGED) return;
    w->diverged++;
    w->event = *e;
}

/* A batch whose loss is not finite: its event is stamped with the steps
 * done, as every event is, and its text names that batch as the one
 * after them (it said "at step 5" under "(step 4)") and the step whose
 * weights the run goes back to, the end of the last finite epoch. */
static void test_a_divergence_names_its_batch_and_the_weights_kept(void **state)
{
    (void)state;
    Dataset ds;
    Options o;
    make_diverging(&ds, &o);
    o.hp.opt.lr = 1e-4;
    o.epochs = 5;
    NanWatch w = {.epoch = -1};
    TrainerHooks hooks = {.ctx = &w, .on_batch = nan_batch, .on_event = nan_event};
    Error err;
    assert_int_equal(trainer_create(&w.t, &o, &ds, NULL, NULL, false, &hooks, &err), ERROR_NONE);
    assert_int_equal(trainer_run(w.t, &err), ERROR_DIVERGED);
    assert_true(w.raised);
    assert_int_equal(w.diverged, 1);
    /* the batch after the last one done, in the same epoch */
    assert_int_equal(w.event.step, w.step);
    assert_int_equal(w.event.epoch, w.epoch);
    assert_true(w.epoch == 1 && w.in_epoch >= 3);
    /* the batches run stay counted (the events and the step series count
     * them), those undone apart, so that the steps the weights have taken
     * can be told; the epoch under way starts again */
    TrainerSnapshot snap;
    assert_int_equal(trainer_snapshot_init(&snap, w.t, &err), ERROR_NONE);
    trainer_snapshot(w.t, &snap);
    if (snap.step != w.step || snap.steps_undone != w.in_epoch || snap.batch_in_epoch != 0 ||
        snap.epoch_rows != 0)
        fail_msg("diverged after step %ld, back at step %ld: the snapshot says step %ld, %ld "
                 "undone, batch %ld, %ld rows",
                 w.step, w.epoch_start, snap.step, snap.steps_undone, snap.batch_in_epoch,
                 snap.epoch_rows);
    trainer_snapshot_free(&snap);
    char batch[64], kept[96];
    snprintf(batch, sizeof batch, "in batch %ld of epoch %d,", w.in_epoch + 1, w.epoch + 1);
    snprintf(kept, sizeof kept, "The weights are back at epoch %d (step %ld).", w.epoch,
             w.epoch_start);
    if (!strstr(w.event.text, batch) || !strstr(w.event.text, kept))
        fail_msg("after step %ld the divergence says \"%s\", not \"%s\" and \"%s\"", w.step,
                 w.event.text, batch, kept);
    /* whole, its advice too, in the event and in the error */
    assert_non_null(strstr(w.event.text, "then resume."));
    assert_non_null(strstr(err.msg, w.event.text));
    trainer_destroy(w.t);
    free_dataset(&ds);
}

/* The warnings about the rate's float32 value, and the divergence. */
typedef struct {
    Trainer *t;
    int n_warn;
    TrainEvent warn[8];
    TrainEvent diverged;
    double raise_to; /* > 0: the rate set to it after the third batch */
} LrWatch;

static void lr_event(void *ctx, const TrainEvent *e)
{
    LrWatch *w = ctx;
    if (e->kind == EVENT_WARNING && w->n_warn < 8) w->warn[w->n_warn++] = *e;
    if (e->kind == EVENT_DIVERGED) w->diverged = *e;
}

static void lr_batch(void *ctx, const BatchInfo *b)
{
    LrWatch *w = ctx;
    if (w->raise_to > 0 && b->step == 3) {
        HyperParams hp = b->hp;
        hp.opt.lr = w->raise_to;
        trainer_set_hparams(w->t, &hp); /* taken before the next batch */
    }
}

/* Runs o on ds to its end (want: what trainer_run returns), w seeing its
 * events and batches. */
static void run_watched_lr(LrWatch *w, const Options *o, const Dataset *ds, ErrorCode want)
{
    TrainerHooks hooks = {.ctx = w, .on_event = lr_event, .on_batch = lr_batch};
    Error err;
    assert_int_equal(trainer_create(&w->t, o, ds, NULL, NULL, false, &hooks, &err), ERROR_NONE);
    assert_int_equal(trainer_run(w->t, &err), want);
}

/* A classification set of 40 rows under SGD at rate lr. */
static void make_sgd_at(Dataset *ds, Options *o, double lr)
{
    make_dataset(ds, 40, 3);
    base_options(o);
    o->hp.opt.kind = OPTIMIZER_SGD;
    o->hp.opt.lr = lr;
}

/* --lr 1e39 is taken (any finite positive rate is), but it is inf in
 * float32, the optimizer's arithmetic: a warning says so at the start,
 * the first step diverges, and the divergence names the rate with what
 * float32 makes of it, advising the optimizer's default rather than a
 * tenth of it (1e+38, as absurd). */
static void test_a_rate_inf_in_float_warns_and_its_divergence_names_it(void **state)
{
    (void)state;
    Dataset ds;
    Options o;
    make_diverging(&ds, &o);
    o.hp.opt.lr = 1e39;
    LrWatch w = {0};
    run_watched_lr(&w, &o, &ds, ERROR_DIVERGED);
    assert_int_equal(w.n_warn, 1);
    assert_int_equal(w.warn[0].step, 0);
    assert_string_equal(w.warn[0].text, "lr 1e+39 is inf in float32: the next step diverges");
    assert_non_null(strstr(w.diverged.text, "in batch 2 of epoch 1,"));
    if (!strstr(w.diverged.text, "with learning rate 1e+39 (inf in float32).") ||
        !strstr(w.diverged.text, "(try 0.01)"))
        fail_msg("the divergence says \"%s\"", w.diverged.text);
    Model *m = trainer_model(w.t);
    for (size_t i = 0; i < m->n_params; i++) assert_true(isfinite(m->params[i]));
    trainer_destroy(w.t);
    free_dataset(&ds);
}

/* A schedule that takes the rate below float32's normal range says so at
 * the epoch it does, and again where it becomes 0: the screens show the
 * double (1e-39, 1e-51), the weights no longer move. */
static void test_a_schedule_past_float_range_says_so(void **state)
{
    (void)state;
    Dataset ds;
    Options o;
    make_sgd_at(&ds, &o, 1e-3);
    o.sched.kind = SCHEDULE_EXPONENTIAL;
    o.sched.gamma = 1e-6;
    o.epochs = 9;
    o.hp.batch_size = 20; /* 2 batches an epoch */
    LrWatch w = {0};
    run_watched_lr(&w, &o, &ds, ERROR_NONE);
    assert_int_equal(w.n_warn, 2);
    /* epoch 7's first batch (1e-3 x 1e-36), epoch 9's (x 1e-48) */
    assert_int_equal(w.warn[0].epoch, 6);
    assert_int_equal(w.warn[0].step, 12);
    assert_string_equal(w.warn[0].text,
                        "lr 1e-39 is subnormal in float32: too small to move the weights");
    assert_int_equal(w.warn[1].epoch, 8);
    assert_int_equal(w.warn[1].step, 16);
    assert_string_equal(w.warn[1].text, "lr 1e-51 is 0 in float32: the weights cannot move");
    trainer_destroy(w.t);
    free_dataset(&ds);
}

/* A cosine schedule to its floor of 0 (--min-lr 0, epochs past
 * --cosine-epochs): a rate of 0 as given, not float32's doing, warns of
 * nothing. */
static void test_a_schedule_floor_of_0_is_no_float_warning(void **state)
{
    (void)state;
    Dataset ds;
    Options o;
    make_sgd_at(&ds, &o, 1e-3);
    o.sched.kind = SCHEDULE_COSINE;
    o.sched.cosine_epochs = 2;
    o.sched.min_lr = 0;
    o.epochs = 4;
    LrWatch w = {0};
    run_watched_lr(&w, &o, &ds, ERROR_NONE);
    assert_int_equal(w.n_warn, 0);
    trainer_destroy(w.t);
    free_dataset(&ds);
}

/* A rate of 0 in float32 raised to one in its range mid-run: the warning
 * at the start, and the change's word that the rate is back. */
static void test_a_rate_back_in_float_range_says_so(void **state)
{
    (void)state;
    Dataset ds;
    Options o;
    make_sgd_at(&ds, &o, 1e-50);
    o.epochs = 2;
    LrWatch w = {.raise_to = 0.01};
    run_watched_lr(&w, &o, &ds, ERROR_NONE);
    assert_int_equal(w.n_warn, 2);
    assert_int_equal(w.warn[0].step, 0);
    assert_string_equal(w.warn[0].text, "lr 1e-50 is 0 in float32: the weights cannot move");
    assert_int_equal(w.warn[1].step, 3);
    assert_string_equal(w.warn[1].text, "lr 0.01 is back in float32's range");
    trainer_destroy(w.t);
    free_dataset(&ds);
}

typedef struct {
    Trainer *t;
    int diverged, resumed;
    long early; /* the resume sent as the divergence was announced */
} DivergeWatch;

/* Asks for a resume as the divergence is announced, before its status is
 * shown: a request made before DIVERGED shows must not resume the run. */
static void watch_event(void *ctx, const TrainEvent *e)
{
    DivergeWatch *w = ctx;
    if (e->kind == EVENT_DIVERGED) {
        w->diverged++;
        w->early = trainer_resume(w->t);
    }
    if (e->kind == EVENT_RESUME) w->resumed++;
}

/* Interactive: a diverged run waits, with finite weights, for a resume
 * asked once it shows DIVERGED (not one asked before), and then, at a
 * rate that no longer overshoots, runs its epochs to the end. */
static void test_diverged_run_resumes_on_request(void **state)
{
    (void)state;
    Dataset ds;
    Options o;
    make_diverging(&ds, &o);
    o.epochs = 3;
    DivergeWatch w = {0};
    TrainerHooks hooks = {.ctx = &w, .on_event = watch_event};
    Error err;
    assert_int_equal(trainer_create(&w.t, &o, &ds, NULL, NULL, true, &hooks, &err), ERROR_NONE);
    TrainerSnapshot snap;
    assert_int_equal(trainer_snapshot_init(&snap, w.t, &err), ERROR_NONE);
    RunArg arg = {.t = w.t, .watched = true};
    pthread_t th;
    pthread_create(&th, NULL, run_thread, &arg);
    assert_true(wait_status(w.t, &snap, TRAIN_DIVERGED));
    sleep_ms(100);
    trainer_snapshot(w.t, &snap);
    assert_int_equal(snap.status, TRAIN_DIVERGED);
    assert_int_equal(trainer_status(w.t), TRAIN_DIVERGED);
    assert_int_equal(w.resumed, 0);
    Model *m = trainer_model(w.t);
    for (size_t i = 0; i < m->n_params; i++) assert_true(isfinite(m->params[i]));

    HyperParams hp;
    trainer_get_hparams(w.t, &hp);
    hp.opt.lr = 1e-4;
    TrainerReply rep;
    assert_true(trainer_reply(w.t, w.early, &rep));
    assert_false(rep.done);
    assert_non_null(strstr(rep.text, "diverged before"));
    assert_true(trainer_await(w.t, trainer_set_hparams(w.t, &hp), &rep));
    assert_true(rep.done);
    if (!strstr(rep.text, "lr 10 -> lr 0.0001")) fail_msg("the change says: %s", rep.text);
    trainer_get_hparams(w.t, &hp);
    assert_true(hp.opt.lr == 1e-4); /* in force while it waits */
    assert_true(trainer_await(w.t, trainer_resume(w.t), &rep));
    assert_true(rep.done);
    assert_true(wait_status(w.t, &snap, TRAIN_DONE));
    assert_int_equal(w.diverged, 1);
    assert_int_equal(w.resumed, 1);
    pthread_join(th, NULL);
    assert_int_equal(arg.rc, ERROR_NONE);
    trainer_snapshot_free(&snap);
    trainer_destroy(w.t);
    free_dataset(&ds);
}

/* Raises the rate back to 10 at the end of the first epoch after a
 * divergence, so that the run diverges a second time, later. */
typedef struct {
    Trainer *t;
    int diverged, epochs_after;
} TwiceWatch;

static void twice_event(void *ctx, const TrainEvent *e)
{
    TwiceWatch *w = ctx;
    if (e->kind == EVENT_DIVERGED) w->diverged++;
}

static void twice_epoch(void *ctx, const EpochMetrics *m)
{
    (void)m;
    TwiceWatch *w = ctx;
    if (w->diverged == 1 && ++w->epochs_after == 1) {
        HyperParams hp;
        trainer_get_hparams(w->t, &hp);
        hp.opt.lr = 10;
        trainer_set_hparams(w->t, &hp);
    }
}

/* The steps the weights have taken are the batches run less those
 * divergences undid: after a second divergence, later than the first,
 * the message names the weights' step (it counted the first one's
 * batches undone as taken) and the snapshot counts each batch undone
 * once. */
static void test_a_second_divergence_names_the_weights_step(void **state)
{
    (void)state;
    Dataset ds;
    Options o;
    make_diverging(&ds, &o);
    o.epochs = 20;
    TwiceWatch w = {0};
    TrainerHooks hooks = {.ctx = &w, .on_event = twice_event, .on_epoch = twice_epoch};
    Error err;
    assert_int_equal(trainer_create(&w.t, &o, &ds, NULL, NULL, true, &hooks, &err), ERROR_NONE);
    TrainerSnapshot snap;
    assert_int_equal(trainer_snapshot_init(&snap, w.t, &err), ERROR_NONE);
    RunArg arg = {.t = w.t, .watched = true};
    pthread_t th;
    pthread_create(&th, NULL, run_thread, &arg);
    assert_true(wait_status(w.t, &snap, TRAIN_DIVERGED));
    long first = snap.steps_undone;
    assert_true(first > 0);
    /* the first epoch's start: no weights' step yet */
    assert_int_equal(snap.step - snap.steps_undone, snap.epoch * snap.steps_per_epoch);
    HyperParams hp;
    trainer_get_hparams(w.t, &hp);
    hp.opt.lr = 1e-4;
    TrainerReply rep;
    assert_true(trainer_await(w.t, trainer_set_hparams(w.t, &hp), &rep));
    assert_true(trainer_await(w.t, trainer_resume(w.t), &rep));
    bool again = false;
    for (int i = 0; i < HANG_GUARD_S * 100 && !again; i++) {
        trainer_snapshot(w.t, &snap);
        again = snap.status == TRAIN_DIVERGED && snap.steps_undone > first;
        if (!again) sleep_ms(10);
    }
    assert_true(again);
    long taken = snap.step - snap.steps_undone;
    char kept[64];
    snprintf(kept, sizeof kept, "(step %ld)", taken);
    if (taken != snap.epoch * snap.steps_per_epoch || taken == 0 || !strstr(snap.message, kept))
        fail_msg("after %ld batches run, %ld undone (%ld by the first divergence), at epoch %d "
                 "of %ld steps, the message says: %s",
                 snap.step, snap.steps_undone, first, snap.epoch, snap.steps_per_epoch,
                 snap.message);
    trainer_stop(w.t);
    pthread_join(th, NULL);
    trainer_snapshot_free(&snap);
    trainer_destroy(w.t);
    free_dataset(&ds);
}

static void run_to_end(const Options *o, const Dataset *ds, float **params, size_t *n)
{
    Trainer *t;
    Error err;
    assert_int_equal(trainer_create(&t, o, ds, NULL, NULL, false, NULL, &err), ERROR_NONE);
    assert_int_equal(trainer_run(t, &err), ERROR_NONE);
    Model *m = trainer_model(t);
    *n = m->n_params;
    *params = malloc(*n * sizeof(float));
    memcpy(*params, m->params, *n * sizeof(float));
    trainer_destroy(t);
}

/* One seed, one result, bit for bit; another seed, another result. */
static void test_same_seed_same_weights(void **state)
{
    (void)state;
    Dataset ds;
    make_dataset(&ds, 300, 6);
    Options o;
    base_options(&o);
    o.hp.dropout = 0.2;
    float *a, *b, *c;
    size_t na, nb, nc;
    run_to_end(&o, &ds, &a, &na);
    run_to_end(&o, &ds, &b, &nb);
    o.seed = 1;
    run_to_end(&o, &ds, &c, &nc);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na * sizeof(float));
    assert_memory_not_equal(a, c, na * sizeof(float));
    free(a);
    free(b);
    free(c);
    free_dataset(&ds);
}

/* The problem is learnable, and the result reports the kept epoch. */
static void test_learns_and_reports_kept_metrics(void **state)
{
    (void)state;
    Dataset ds, val;
    make_dataset(&ds, 400, 7);
    make_dataset(&val, 200, 8);
    Options o;
    base_options(&o);
    o.hp.opt.lr = 0.01;
    o.epochs = 20;
    Trainer *t;
    Error err;
    assert_int_equal(trainer_create(&t, &o, &ds, &val, &val, false, NULL, &err), ERROR_NONE);
    assert_int_equal(trainer_run(t, &err), ERROR_NONE);
    TrainResult r;
    trainer_result(t, &r);
    assert_int_equal(r.status, TRAIN_DONE);
    assert_true(r.kept.val_accuracy >= 0.95);
    assert_int_equal(r.kept.epoch, r.best_epoch);
    assert_true(r.has_test);
    /* The test set is the validation set here, scored with the kept
     * weights: the two figures must match. */
    assert_true(fabs(r.test_accuracy - r.kept.val_accuracy) < 1e-9);
    trainer_destroy(t);
    free_dataset(&ds);
    free_dataset(&val);
}

/* Elapsed is the run's time less its pauses: the work between batches
 * (here an on_epoch hook standing for the epochs' files) counts.  A lower
 * bound, true at any speed. */
static void slow_epoch(void *ctx, const EpochMetrics *m)
{
    (void)ctx, (void)m;
    struct timespec ts = {0, 30 * 1000 * 1000};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static void test_elapsed_counts_the_work_between_batches(void **state)
{
    (void)state;
    Dataset ds;
    make_dataset(&ds, 40, 7);
    Options o;
    base_options(&o);
    o.epochs = 4;
    TrainerHooks h = {.on_epoch = slow_epoch};
    Trainer *t;
    Error err;
    assert_int_equal(trainer_create(&t, &o, &ds, NULL, NULL, false, &h, &err), ERROR_NONE);
    assert_int_equal(trainer_run(t, &err), ERROR_NONE);
    TrainerSnapshot *snap = malloc(sizeof *snap);
    assert_non_null(snap);
    assert_int_equal(trainer_snapshot_init(snap, t, &err), ERROR_NONE);
    trainer_snapshot(t, snap);
    if (!(snap->elapsed >= 4 * 0.030))
        fail_msg("4 epochs each 30 ms in its hook, yet elapsed is %g s", snap->elapsed);
    trainer_snapshot_free(snap);
    free(snap);
    trainer_destroy(t);
    free_dataset(&ds);
}

/* An epoch's seconds leave its pauses out, as elapsed does: the epochs'
 * seconds add up to no more than the elapsed time, however long the pause
 * in the first epoch (an interactive run started paused; the 100 ms
 * sleep only makes the pause long). */
static void test_an_epochs_seconds_leave_its_pauses_out(void **state)
{
    (void)state;
    Live *l = live_create_paced(3, (Pace){PACE_MAX, 0}, true);
    live_start(l);
    assert_true(wait_status(l->t, &l->snap, TRAIN_PAUSED));
    sleep_ms(100);
    trainer_resume(l->t);
    assert_true(wait_status(l->t, &l->snap, TRAIN_DONE));
    trainer_snapshot(l->t, &l->snap);
    assert_int_equal(l->snap.n_epochs, 3);
    double sum = 0;
    for (int i = 0; i < l->snap.n_epochs; i++) sum += l->snap.history[i].seconds;
    if (!(sum <= l->snap.elapsed + 1e-9))
        fail_msg("the epochs' seconds add up to %g s, more than the %g s elapsed (pauses left "
                 "out)",
                 sum, l->snap.elapsed);
    assert_true(l->snap.history[0].seconds >= 0);
    live_free(l);
}

/* Resumes after three epochs (by default, ones whose second had a loss no
 * later epoch can beat), with kept_epoch as model.gtm's KEPT section says
 * (0: absent).  Under --restore-best the loaded weights are the kept
 * epoch's and are kept at the end unless beaten; without it, the last
 * weights are. */
static void resume_with_seed(const Dataset *ds, bool restore_best, const EpochMetrics *earlier,
                             int kept_epoch, TrainResult *r, float **start, float **end, size_t *n)
{
    Options o;
    base_options(&o);
    o.epochs = 5;
    o.restore_best = restore_best;
    Trainer *t;
    Error err;
    assert_int_equal(trainer_create(&t, &o, ds, NULL, NULL, false, NULL, &err), ERROR_NONE);
    Model *m = trainer_model(t);
    *n = m->n_params;
    *start = malloc(*n * sizeof(float));
    for (size_t i = 0; i < *n; i++) (*start)[i] = 0.01f * (float)(i % 7);
    assert_int_equal(trainer_load_state(t, *start, *n, NULL, OPTIMIZER_ADAM, 0, 3, 30, &err),
                     ERROR_NONE);
    static const EpochMetrics plain[3] = {{.epoch = 1, .loss = 1.0, .accuracy = 0.5},
                                          {.epoch = 2, .loss = 1e-6, .accuracy = 0.999},
                                          {.epoch = 3, .loss = 0.5, .accuracy = 0.75}};
    /* the earlier run watched accuracy: its best was epoch 2 either way */
    trainer_seed_best(t, earlier ? earlier : plain, 3, "accuracy", 0.0, kept_epoch);
    assert_int_equal(trainer_run(t, &err), ERROR_NONE);
    trainer_result(t, r);
    *end = malloc(*n * sizeof(float));
    memcpy(*end, m->params, *n * sizeof(float));
    trainer_destroy(t);
}

static void test_resume_keeps_the_earlier_best_epoch(void **state)
{
    (void)state;
    Dataset ds;
    make_dataset(&ds, 200, 9);
    TrainResult r;
    float *start, *end;
    size_t n;
    resume_with_seed(&ds, true, NULL, 0, &r, &start, &end, &n);
    assert_int_equal(r.epochs, 5);
    assert_int_equal(r.best_epoch, 2);
    assert_true(r.kept.loss == 1e-6 && r.kept.accuracy == 0.999);
    assert_memory_equal(start, end, n * sizeof(float));
    free(start);
    free(end);

    resume_with_seed(&ds, false, NULL, 0, &r, &start, &end, &n);
    assert_true(r.best_epoch == 4 || r.best_epoch == 5);
    assert_int_equal(r.kept.epoch, 5);
    assert_memory_not_equal(start, end, n * sizeof(float));
    free(start);
    free(end);
    free_dataset(&ds);
}

/* The epoch model.gtm records as its weights' wins over the replay of the
 * earlier epochs by the (latest) config's monitor, which a resume with
 * other --monitor or --min-delta may have changed since. */
static void test_resume_takes_the_recorded_kept_epoch(void **state)
{
    (void)state;
    Dataset ds;
    make_dataset(&ds, 200, 9);
    /* by accuracy the replay picks epoch 2, whose loss later epochs beat;
     * epoch 3's loss nothing beats */
    EpochMetrics earlier[3] = {{.epoch = 1, .loss = 1.0, .accuracy = 0.5},
                               {.epoch = 2, .loss = 1.0, .accuracy = 0.999},
                               {.epoch = 3, .loss = 1e-7, .accuracy = 0.6}};
    TrainResult r;
    float *start, *end;
    size_t n;
    resume_with_seed(&ds, true, earlier, 3, &r, &start, &end, &n);
    assert_int_equal(r.best_epoch, 3);
    assert_true(r.kept.loss == 1e-7 && r.kept.accuracy == 0.6);
    assert_memory_equal(start, end, n * sizeof(float));
    free(start);
    free(end);

    /* without the record (an older model.gtm), the replay's epoch 2 */
    resume_with_seed(&ds, true, earlier, 0, &r, &start, &end, &n);
    assert_true(r.best_epoch == 4 || r.best_epoch == 5);
    assert_memory_not_equal(start, end, n * sizeof(float));
    free(start);
    free(end);

    /* a recorded epoch missing from metrics.csv falls back to the replay */
    resume_with_seed(&ds, true, earlier, 9, &r, &start, &end, &n);
    assert_true(r.best_epoch == 4 || r.best_epoch == 5);
    free(start);
    free(end);
    free_dataset(&ds);
}

/* An empty training part and a monitor that does not fit are refused. */
static void test_create_refuses_bad_setups(void **state)
{
    (void)state;
    Dataset ds;
    make_dataset(&ds, 50, 9);
    Options o;
    base_options(&o);
    Trainer *t = NULL;
    Error err;
    snprintf(o.monitor, sizeof o.monitor, "val_mae");
    assert_int_equal(trainer_create(&t, &o, &ds, NULL, NULL, false, NULL, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "--monitor"));
    assert_null(t);
    base_options(&o);
    Dataset empty = {0};
    assert_int_equal(trainer_create(&t, &o, &empty, NULL, NULL, false, NULL, &err), ERROR_INPUT);
    base_options(&o);
    o.loss = LOSS_MSE;
    assert_int_equal(trainer_create(&t, &o, &ds, NULL, NULL, false, NULL, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "--loss"));
    free_dataset(&ds);
}

/* Polls trainer_copy_weights until the trainer thread waits (it parks
 * just after the status it reaches is published). */
static void copy_when_parked(Trainer *t, Model *dst, bool *changed, long *step)
{
    for (int i = 0; i < HANG_GUARD_S * 100; i++) {
        if (trainer_copy_weights(t, dst, changed, step)) return;
        sleep_ms(10);
    }
    fail_msg("the trainer never stood still for trainer_copy_weights");
}

static bool same_params(const Model *a, const Model *b)
{
    return a->n_params == b->n_params &&
           !memcmp(a->params, b->params, a->n_params * sizeof *a->params);
}

/* The weights are handed out while the trainer thread stands still -
 * before it starts, paused, after a step, ended - and equal the model's
 * each time; *changed tells a new copy from the same one; never while a
 * batch waits for its pace (the thread is between batches but training);
 * never into a model of another shape. */
static void test_copy_weights_only_while_standing_still(void **state)
{
    (void)state;
    Pace crawl = {PACE_BATCHES, 1e-4}; /* one batch every 10000 s */
    Live *l = live_create_paced(1000, crawl, true);
    Trainer *t = l->t;
    Model *m = trainer_model(t);
    Model copy, other;
    Rng rng;
    rng_seed(&rng, 7);
    Error err;
    assert_int_equal(model_create(&copy, &m->shape, 4, &rng, &err), ERROR_NONE);
    bool changed = false;
    long step = -1;
    /* not started: the initial weights */
    assert_true(trainer_copy_weights(t, &copy, &changed, &step));
    assert_true(changed);
    assert_int_equal(step, 0);
    assert_true(same_params(&copy, m));
    assert_true(copy.l2 == m->l2 && copy.l1 == m->l1);
    assert_true(trainer_copy_weights(t, &copy, &changed, &step));
    assert_false(changed);

    /* paused before the first batch, then one step */
    live_start(l);
    assert_true(wait_status(t, &l->snap, TRAIN_PAUSED));
    copy_when_parked(t, &copy, &changed, &step);
    assert_false(changed);
    assert_int_equal(step, 0);
    trainer_step_once(t);
    wait_batches(&l->rec, 1);
    copy_when_parked(t, &copy, &changed, &step);
    assert_true(changed);
    assert_int_equal(step, 1);
    assert_true(same_params(&copy, m)); /* read while it stands still */

    /* training: the next batch waits 10000 s for its pace (from the
     * step's start), and the weights stay the trainer's */
    trainer_resume(t);
    assert_true(wait_status(t, &l->snap, TRAIN_RUNNING));
    step = -1;
    assert_false(trainer_copy_weights(t, &copy, &changed, &step));
    assert_int_equal(step, -1); /* untouched */

    /* a model of another shape (the copy, after a network edit) is
     * rebuilt at the trainer's */
    trainer_stop(t);
    assert_true(wait_status(t, &l->snap, TRAIN_STOPPED));
    ModelShape s2 = m->shape;
    s2.sizes[1] += 1;
    assert_int_equal(model_create(&other, &s2, 4, &rng, &err), ERROR_NONE);
    copy_when_parked(t, &copy, &changed, &step);
    assert_int_equal(step, 1);
    assert_true(same_params(&copy, m));
    assert_true(trainer_copy_weights(t, &other, &changed, &step));
    assert_true(changed);
    assert_int_equal(other.shape.sizes[1], m->shape.sizes[1]);
    assert_true(same_params(&other, m));
    model_free(&other);
    model_free(&copy);
    live_finish(l);
}

/* A headless trainer_run that returned leaves the final weights. */
static void test_copy_weights_after_the_run_returned(void **state)
{
    (void)state;
    Dataset ds;
    make_dataset(&ds, 100, 3);
    Options o;
    base_options(&o);
    o.epochs = 2;
    Trainer *t = NULL;
    Error err;
    assert_int_equal(trainer_create(&t, &o, &ds, NULL, NULL, false, NULL, &err), ERROR_NONE);
    assert_int_equal(trainer_run(t, &err), ERROR_NONE);
    Model copy;
    Rng rng;
    rng_seed(&rng, 1);
    assert_int_equal(model_create(&copy, &trainer_model(t)->shape, 4, &rng, &err), ERROR_NONE);
    bool changed = false;
    long step = 0;
    assert_true(trainer_copy_weights(t, &copy, &changed, &step));
    assert_true(changed);
    assert_int_equal(step, 20); /* 2 epochs of 10 batches of 10 rows */
    assert_true(same_params(&copy, trainer_model(t)));
    model_free(&copy);
    trainer_destroy(t);
    free_dataset(&ds);
}

/* In the on_state hook between two epochs (where a sweep's trial waits at
 * its rung) the model stands still: trainer_copy_weights gives the
 * weights there, those of the epoch just ended. */
typedef struct {
    Trainer *t;
    Model copy;
    int copied, tried;
    bool same;
} StateCopy;

static void copy_in_state(void *ctx, const Model *m, const Optimizer *o, const TrainState *s,
                          bool last)
{
    (void)o, (void)s, (void)last;
    StateCopy *sc = ctx;
    bool changed;
    long step;
    sc->tried++;
    if (!trainer_copy_weights(sc->t, &sc->copy, &changed, &step)) return;
    sc->copied++;
    sc->same = sc->same && same_params(&sc->copy, m);
}

static void test_copy_weights_in_the_state_hook(void **state)
{
    (void)state;
    Dataset ds;
    make_dataset(&ds, 100, 3);
    Options o;
    base_options(&o);
    o.epochs = 3;
    StateCopy sc = {.same = true};
    TrainerHooks h = {.ctx = &sc, .on_state = copy_in_state};
    Error err;
    assert_int_equal(trainer_create(&sc.t, &o, &ds, NULL, NULL, false, &h, &err), ERROR_NONE);
    Rng rng;
    rng_seed(&rng, 1);
    assert_int_equal(model_create(&sc.copy, &trainer_model(sc.t)->shape, 4, &rng, &err),
                     ERROR_NONE);
    assert_int_equal(trainer_run(sc.t, &err), ERROR_NONE);
    assert_true(sc.tried >= 3); /* after each epoch (and once more at the end) */
    assert_int_equal(sc.copied, sc.tried);
    assert_true(sc.same); /* the hook's weights: the epoch's end */
    model_free(&sc.copy);
    trainer_destroy(sc.t);
    free_dataset(&ds);
}

/* Two whole-batch steps of plain SGD, on one thread and shared by two: each
 * step's gradient is that batch's alone, cleared before backward adds onto
 * it, so the weights are those of two steps made by hand from the same
 * start.  A step that added onto the last one's gradient would move them by
 * rate x the first gradient more, checked to be far outside the tolerance. */
static void test_each_step_starts_from_a_cleared_gradient(void **state)
{
    (void)state;
    enum { N = 300 };
    const double TOL = 1e-5;
    const float lr = 0.1f;
    Dataset ds;
    make_dataset(&ds, N, 8);
    for (int threads = 1; threads <= 2; threads++) {
        Options o;
        base_options(&o);
        /* 2-400-401-2: enough work and parameters to share every phase */
        o.layers[0] = 400;
        o.layers[1] = 401;
        o.n_layers = 2;
        o.epochs = 2;
        o.hp.batch_size = N;
        o.threads = threads;
        o.hp.opt.kind = OPTIMIZER_SGD;
        o.hp.opt.lr = lr;
        o.hp.opt.momentum = 0;
        o.hp.opt.nesterov = false;
        o.restore_best = false;
        Trainer *t;
        Error err;
        assert_int_equal(trainer_create(&t, &o, &ds, NULL, NULL, false, NULL, &err), ERROR_NONE);
        Model *tm = trainer_model(t);
        size_t np = tm->n_params;
        Model ref;
        Rng rng;
        rng_seed(&rng, 1);
        assert_int_equal(model_create(&ref, &tm->shape, N, &rng, &err), ERROR_NONE);
        memcpy(ref.params, tm->params, np * sizeof(float));
        float *g1 = malloc(np * sizeof(float));
        assert_non_null(g1);
        assert_int_equal(trainer_run(t, &err), ERROR_NONE);
        TrainResult res;
        trainer_result(t, &res);
        assert_int_equal(res.steps, 2);
        /* By hand: forward, clear, backward, update. */
        for (int step = 0; step < 2; step++) {
            model_forward(&ref, ds.x, N, false, NULL);
            model_zero_grads(&ref);
            model_backward(&ref, ds.labels, NULL, N);
            if (step == 0) memcpy(g1, ref.grads, np * sizeof(float));
            for (size_t i = 0; i < np; i++) ref.params[i] -= lr * ref.grads[i];
        }
        /* The rows' order differs (the trainer shuffles), so the sums round
         * differently: within TOL.  Without the clear, the second step would
         * have added the first gradient again: w - rate x g1. */
        double off = 0, unclean = 0;
        for (size_t i = 0; i < np; i++) {
            off = fmax(off, fabs((double)tm->params[i] - ref.params[i]));
            unclean = fmax(unclean, fabs((double)lr * g1[i]));
        }
        if (off > TOL)
            fail_msg("%d thread(s): weights %g away from the hand-made steps", threads, off);
        assert_true(unclean > 100 * TOL);
        trainer_destroy(t);
        model_free(&ref);
        free(g1);
    }
    free_dataset(&ds);
}

/* ---- network edits ---------------------------------------------------- */

typedef struct {
    Trainer *t;
    const Dataset *ds;
    float before[10], after[10]; /* the outputs on 10 rows around the edit */
    bool measured;
    char texts[4][256];
    int n_texts;
    int state_sizes1;      /* hidden layer 1's width in the last on_state */
    bool state_consistent; /* on_state's optimizer state fits its weights */
    int checkpoint_sizes1; /* and in the last on_checkpoint */
    long added, refused;   /* the edits' sequence numbers */
} EditWatch;

static void edit_batch(void *ctx, const BatchInfo *b)
{
    EditWatch *w = ctx;
    if (b->step != 3) return;
    /* asked from the trainer's own thread: applied before batch 4 */
    memcpy(w->before, model_forward(trainer_model(w->t), w->ds->x, 10, false, NULL),
           sizeof w->before);
    w->added =
        trainer_reshape(w->t, &(ReshapeEdit){.kind = RESHAPE_ADD_UNIT, .layer = 1, .unit = 8});
    /* the output layer's unit: refused when applied, with the reason */
    w->refused = trainer_reshape(w->t, &(ReshapeEdit){.kind = RESHAPE_REMOVE_UNIT, .layer = 2});
}

static void edit_event(void *ctx, const TrainEvent *e)
{
    EditWatch *w = ctx;
    if (e->kind != EVENT_CHANGE || w->n_texts == 4) return;
    snprintf(w->texts[w->n_texts++], sizeof w->texts[0], "%s", e->text);
    if (!w->measured) {
        memcpy(w->after, model_forward(trainer_model(w->t), w->ds->x, 10, false, NULL),
               sizeof w->after);
        w->measured = true;
    }
}

static void edit_state(void *ctx, const Model *m, const Optimizer *o, const TrainState *s,
                       bool last)
{
    EditWatch *w = ctx;
    w->state_sizes1 = m->shape.sizes[1];
    w->state_consistent = o->n == m->n_params;
}

static void edit_checkpoint(void *ctx, const Model *m, const Optimizer *o, int kept_epoch)
{
    EditWatch *w = ctx;
    w->checkpoint_sizes1 = m->shape.sizes[1];
}

/* A unit added between batches: the outputs right after the edit are the
 * ones right before it, the run goes on at the new width, the event says
 * what happened, and the state handed out fits the new network. */
static void test_network_edit_applies_between_batches(void **state)
{
    (void)state;
    Dataset ds;
    make_dataset(&ds, 200, 21);
    Options o;
    base_options(&o);
    o.epochs = 3;
    o.hp.opt.kind = OPTIMIZER_ADAM;
    EditWatch w = {.ds = &ds};
    TrainerHooks h = {.ctx = &w,
                      .on_batch = edit_batch,
                      .on_event = edit_event,
                      .on_state = edit_state,
                      .on_checkpoint = edit_checkpoint};
    Error err;
    assert_int_equal(trainer_create(&w.t, &o, &ds, NULL, NULL, false, &h, &err), ERROR_NONE);
    ModelShape start = trainer_model(w.t)->shape;
    assert_int_equal(trainer_run(w.t, &err), ERROR_NONE);
    /* the edit is an event and its reply; the refusal only a reply */
    assert_int_equal(w.n_texts, 1);
    assert_string_equal(w.texts[0], "layers 8 -> 9: unit 9 added to hidden layer 1, the outputs "
                                    "unchanged");
    TrainerReply rep;
    assert_true(w.added > 0 && w.refused == w.added + 1);
    assert_true(trainer_reply(w.t, w.added, &rep));
    assert_true(rep.done);
    assert_int_equal(rep.kind, TRAINER_RESHAPE);
    assert_string_equal(rep.text, w.texts[0]);
    assert_true(trainer_reply(w.t, w.refused, &rep));
    assert_false(rep.done);
    assert_non_null(strstr(rep.text, "the output layer's 1 unit is fixed by the task"));
    assert_true(w.measured);
    for (int i = 0; i < 10; i++) assert_true(fabsf(w.before[i] - w.after[i]) <= 1e-6f);
    Model *m = trainer_model(w.t);
    assert_int_equal(m->shape.sizes[1], 9);
    assert_int_equal(w.state_sizes1, 9);
    assert_true(w.state_consistent);
    assert_int_equal(w.checkpoint_sizes1, 9);
    TrainerSnapshot snap;
    assert_int_equal(trainer_snapshot_init(&snap, w.t, &err), ERROR_NONE);
    trainer_snapshot(w.t, &snap);
    assert_int_equal(snap.shape.sizes[1], 9);
    assert_int_equal(snap.status, TRAIN_DONE);
    trainer_snapshot_free(&snap);
    /* a copy made at the start's shape (the teaching views') follows */
    Model copy;
    Rng rng;
    rng_seed(&rng, 1);
    assert_int_equal(model_create(&copy, &start, 4, &rng, &err), ERROR_NONE);
    bool changed = false;
    long step = 0;
    assert_true(trainer_copy_weights(w.t, &copy, &changed, &step));
    assert_true(changed);
    assert_int_equal(copy.shape.sizes[1], 9);
    assert_true(same_params(&copy, m));
    model_free(&copy);
    trainer_destroy(w.t);
    free_dataset(&ds);
}

/* A resumed run takes the network its checkpoint has, which edits may have
 * changed from what its options say; one that does not fit the data is
 * refused, saying why. */
static void test_adopt_shape_for_a_resumed_run(void **state)
{
    (void)state;
    Dataset ds;
    make_dataset(&ds, 100, 22);
    Options o;
    base_options(&o);
    Trainer *t;
    Error err;
    assert_int_equal(trainer_create(&t, &o, &ds, NULL, NULL, false, NULL, &err), ERROR_NONE);
    ModelShape s = trainer_model(t)->shape;
    s.sizes[1] = 11;
    s.act[0] = ACTIVATION_TANH;
    s.hidden = ACTIVATION_TANH;
    assert_int_equal(trainer_adopt_shape(t, &s, &err), ERROR_NONE);
    Model *m = trainer_model(t);
    assert_int_equal(m->shape.sizes[1], 11);
    assert_int_equal(m->shape.act[0], ACTIVATION_TANH);
    float *w = calloc(m->n_params, sizeof *w);
    assert_int_equal(trainer_load_state(t, w, m->n_params, NULL, OPTIMIZER_ADAM, 0, 1, 10, &err),
                     ERROR_NONE);
    free(w);
    s.sizes[0] = 3;
    assert_int_equal(trainer_adopt_shape(t, &s, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "takes 3 inputs"));
    assert_int_equal(trainer_run(t, &err), ERROR_NONE);
    assert_int_equal(trainer_model(t)->shape.sizes[1], 11);
    trainer_destroy(t);
    free_dataset(&ds);
}

/* ---- new data while training (TRAINER_SET_DATA) ------------------------- */

typedef struct {
    Trainer *t;
    TrainerData *data;
    long send_at; /* the step after which the data is sent */
    long seq;
    size_t n_params;
    float *before; /* the weights when it was sent */
    bool kept;     /* and at the change's event */
    int n_data, n_events;
    const Dataset *seen_train; /* on_data's */
    bool data_before_event;
    long event_step;
    char event_text[256];
    int best_at_event; /* the best epoch the snapshot says at the event */
    TrainerSnapshot *snap;
    int n_epochs;
    EpochMetrics last;
    long rows_after; /* rows of the batches after the change */
    long batches_after;
    long stop_at; /* a stop is sent after this step (0: none) */
} DataWatch;

static void data_batch(void *ctx, const BatchInfo *b)
{
    DataWatch *w = ctx;
    if (w->seq && b->step > w->send_at) {
        w->rows_after += b->rows;
        w->batches_after++;
    }
    if (w->stop_at && b->step == w->stop_at) trainer_stop(w->t);
    if (b->step != w->send_at) return;
    memcpy(w->before, trainer_model(w->t)->params, w->n_params * sizeof(float));
    w->seq = trainer_set_data(w->t, w->data);
}

static void data_data(void *ctx, const TrainerData *d)
{
    DataWatch *w = ctx;
    w->n_data++;
    w->seen_train = d->train;
    w->data_before_event = w->n_events == 0;
}

static void data_event(void *ctx, const TrainEvent *e)
{
    DataWatch *w = ctx;
    if (e->kind != EVENT_CHANGE) return;
    if (w->n_events++) return;
    w->event_step = e->step;
    snprintf(w->event_text, sizeof w->event_text, "%s", e->text);
    w->kept = memcmp(trainer_model(w->t)->params, w->before, w->n_params * sizeof(float)) == 0;
    trainer_snapshot(w->t, w->snap);
    w->best_at_event = w->snap->best_epoch;
}

static void data_epoch(void *ctx, const EpochMetrics *m)
{
    DataWatch *w = ctx;
    w->n_epochs++;
    w->last = *m;
}

/* spiral at seed 3 with its validation part, batches of 10, 2 epochs,
 * the new data sent after step send_at; runs it and fills w. */
static void run_with_new_data(const PreparedData *a, TrainerData *d, long send_at, DataWatch *w,
                              TrainResult *res)
{
    Options o = a->opt;
    base_options(&o);
    o.epochs = 2;
    o.restore_best = false;
    o.seed = 3;
    o.hp.opt.kind = OPTIMIZER_ADAM;
    TrainerHooks h = {.ctx = w,
                      .on_batch = data_batch,
                      .on_event = data_event,
                      .on_epoch = data_epoch,
                      .on_data = data_data};
    Error err;
    assert_int_equal(trainer_create(&w->t, &o, &a->train, &a->val, NULL, false, &h, &err),
                     ERROR_NONE);
    w->data = d;
    w->send_at = send_at;
    w->n_params = trainer_model(w->t)->n_params;
    w->before = malloc(w->n_params * sizeof(float));
    w->snap = malloc(sizeof *w->snap);
    assert_true(w->before && w->snap);
    assert_int_equal(trainer_snapshot_init(w->snap, w->t, &err), ERROR_NONE);
    assert_int_equal(trainer_run(w->t, &err), ERROR_NONE);
    trainer_result(w->t, res);
}

static void data_watch_free(DataWatch *w)
{
    trainer_snapshot_free(w->snap);
    free(w->snap);
    free(w->before);
    trainer_destroy(w->t);
}

static void open_spiral(PreparedData *s, double noise, double val_split)
{
    Options o;
    options_default(&o);
    snprintf(o.dataset, sizeof o.dataset, "spiral");
    o.seed = 3;
    o.noise = noise;
    o.val_split = val_split;
    Error err;
    if (prepared_open(s, &o, NULL, &err)) fail_msg("spiral: %s", err.msg);
}

static void data_for(TrainerData *d, const PreparedData *b, const char *text)
{
    memset(d, 0, sizeof *d);
    d->train = &b->train;
    d->val = &b->val;
    d->perm = malloc(b->train.n * sizeof(int));
    d->spare = malloc(b->train.n * sizeof(int));
    assert_true(d->perm && d->spare);
    snprintf(d->text, sizeof d->text, "%s", text);
}

/* New data sent mid-epoch is swapped in between two batches: the weights
 * are the same right after the swap, the event comes after on_data at the
 * step it was sent after, early stopping starts over, the epoch goes on
 * over the new training part from the same row (400 rows, 50 taken, then
 * 300 of the new part's 350: 75 batches in all), and the epoch's
 * validation figures are the new part's.  The trainer's old row orders come
 * back in the command's argument, for the sender to free. */
static void test_new_data_swaps_in_between_batches(void **state)
{
    (void)state;
    PreparedData a, b;
    open_spiral(&a, 0.05, 0.2);
    Error err;
    if (prepared_regenerate(&b, &a, 0.3, 0.3, NULL, &err)) fail_msg("%s", err.msg);
    assert_int_equal(a.train.n, 400);
    assert_int_equal(b.train.n, 350);
    TrainerData d;
    data_for(&d, &b, "noise 0.05 -> 0.3, val-split 0.2 -> 0.3");
    int *sent = d.perm;
    DataWatch w = {0};
    TrainResult res;
    run_with_new_data(&a, &d, 45, &w, &res);
    TrainerReply rep;
    assert_true(w.seq > 0);
    assert_true(trainer_reply(w.t, w.seq, &rep));
    assert_true(rep.done);
    assert_int_equal(rep.kind, TRAINER_SET_DATA);
    assert_string_equal(rep.text, "noise 0.05 -> 0.3, val-split 0.2 -> 0.3");
    assert_int_equal(w.n_data, 1);
    assert_ptr_equal(w.seen_train, &b.train);
    assert_true(w.data_before_event);
    assert_string_equal(w.event_text, "data: noise 0.05 -> 0.3, val-split 0.2 -> 0.3");
    assert_int_equal(w.event_step, 45);
    assert_true(w.kept);
    assert_int_equal(w.best_at_event, 0); /* epoch 1 was the best before */
    assert_int_equal(res.steps, 75);
    assert_int_equal(w.batches_after, 30);
    assert_int_equal(w.rows_after, 300);
    assert_int_equal(w.n_epochs, 2);
    /* the last epoch's validation loss is the final weights' on the new part */
    EpochMetrics v;
    trainer_evaluate(trainer_model(w.t), &b.val, &v);
    assert_true(fabs(v.loss - w.last.val_loss) <= 1e-9 * (1 + fabs(v.loss)));
    assert_ptr_not_equal(d.perm, sent); /* the trainer's old order, ours to free */
    data_watch_free(&w);
    free(d.perm);
    free(d.spare);
    prepared_close(&b);
    prepared_close(&a);
}

/* Stopped after the data changed and before an epoch ended on it: the
 * result scores the weights kept on the new data, not the last epoch's
 * figures, which were the old data's (and model.gtm holds these weights). */
static void test_result_after_new_data_scores_the_kept_weights_on_it(void **state)
{
    (void)state;
    PreparedData a, b;
    open_spiral(&a, 0.05, 0.2);
    Error err;
    if (prepared_regenerate(&b, &a, 0.3, 0.2, NULL, &err)) fail_msg("%s", err.msg);
    TrainerData d;
    data_for(&d, &b, "noise 0.05 -> 0.3");
    DataWatch w = {.stop_at = 47};
    TrainResult res;
    run_with_new_data(&a, &d, 45, &w, &res);
    assert_int_equal(res.status, TRAIN_STOPPED);
    assert_int_equal(res.epochs, 1);
    assert_int_equal(w.n_epochs, 1);
    assert_int_equal(res.best_epoch, 0); /* the other data's best is no longer comparable */
    assert_int_equal(res.kept.epoch, 1);
    EpochMetrics v, tr;
    trainer_evaluate(trainer_model(w.t), &b.val, &v);
    trainer_evaluate(trainer_model(w.t), &b.train, &tr);
    assert_true(fabs(v.loss - res.kept.val_loss) <= 1e-9 * (1 + fabs(v.loss)));
    assert_true(fabs(v.accuracy - res.kept.val_accuracy) <= 1e-12);
    assert_true(fabs(tr.loss - res.kept.loss) <= 1e-9 * (1 + fabs(tr.loss)));
    assert_true(fabs(w.last.val_loss - res.kept.val_loss) > 1e-6); /* not epoch 1's */
    data_watch_free(&w);
    free(d.perm);
    free(d.spare);
    prepared_close(&b);
    prepared_close(&a);
}

/* Stopped in an epoch without --restore-best: the weights kept are past
 * the last epoch's, and the result scores them, as model.gtm holds them. */
static void test_result_after_a_stop_mid_epoch_scores_the_weights_kept(void **state)
{
    (void)state;
    PreparedData a;
    open_spiral(&a, 0.05, 0.2);
    DataWatch w = {.stop_at = 47}; /* no new data: send_at 0 is no step */
    TrainResult res;
    run_with_new_data(&a, NULL, 0, &w, &res);
    assert_int_equal(res.status, TRAIN_STOPPED);
    assert_int_equal(res.epochs, 1);
    assert_int_equal(res.kept.epoch, 1);
    EpochMetrics v;
    trainer_evaluate(trainer_model(w.t), &a.val, &v);
    assert_true(fabs(v.loss - res.kept.val_loss) <= 1e-9 * (1 + fabs(v.loss)));
    assert_true(fabs(w.last.val_loss - res.kept.val_loss) > 1e-6); /* not epoch 1's */
    data_watch_free(&w);
    prepared_close(&a);
}

/* Data that would take the run's validation part away is refused with the
 * reason, and nothing changes: the run trains its 80 batches on the old
 * data, the weights only as training moves them, and the buffers stay the
 * sender's. */
static void test_new_data_without_validation_is_refused(void **state)
{
    (void)state;
    PreparedData a, b;
    open_spiral(&a, 0.05, 0.2);
    Error err;
    if (prepared_regenerate(&b, &a, 0.05, 0, NULL, &err)) fail_msg("%s", err.msg);
    TrainerData d;
    data_for(&d, &b, "val-split 0.2 -> 0");
    int *sent = d.perm;
    DataWatch w = {0};
    TrainResult res;
    run_with_new_data(&a, &d, 5, &w, &res);
    TrainerReply rep;
    assert_true(trainer_reply(w.t, w.seq, &rep));
    assert_false(rep.done);
    assert_non_null(strstr(rep.text, "a run with a validation part keeps one"));
    assert_int_equal(w.n_data, 0);
    assert_int_equal(w.n_events, 0);
    assert_int_equal(res.steps, 80);
    assert_ptr_equal(d.perm, sent);
    data_watch_free(&w);
    free(d.perm);
    free(d.spare);
    prepared_close(&b);
    prepared_close(&a);
}

/* The result line: four decimals; a figure from a million on with four
 * significant digits and an exponent, not thirty digits. */
static void test_the_result_line_keeps_huge_figures_short(void **state)
{
    (void)state;
    TrainResult r = {.status = TRAIN_DIVERGED, .epochs = 3, .best_epoch = 1};
    r.kept.loss = 55557351573300561918526750720.0;
    r.kept.accuracy = 0.5;
    r.kept.has_val = true;
    r.kept.val_loss = 0.12345678;
    r.kept.val_accuracy = 1;
    char text[256];
    train_result_text(&r, TASK_CLASSIFICATION, text, sizeof text);
    assert_non_null(strstr(text, " loss=5.556e+28 accuracy=0.5000 "));
    assert_non_null(strstr(text, " val_loss=0.1235 val_accuracy=1.0000"));
    r.kept.mae = 2.5e6;
    r.kept.r2 = -999999.0;
    train_result_text(&r, TASK_REGRESSION, text, sizeof text);
    assert_non_null(strstr(text, " mae=2.5e+06 r2=-999999.0000"));
}

/* The largest |read back - v| / bound over n figures of about scale:
 * text (fmt's text of v) read back, against bound (at the figure read
 * back). */
static double worst_rounding(double scale, const char *(*text)(char b[32], double v),
                             double (*bound)(double v))
{
    double worst = 0;
    for (int k = 0; k < 2000; k++) {
        /* spread over a decade and a bit, past the scale's next power of ten */
        double v = scale * (1 + k * 0.0061803398875);
        char b[32];
        double r = strtod(text(b, v), NULL), e = bound(r);
        assert_true(e > 0);
        double q = fabs(r - v) / e;
        if (q > 1 + 1e-9)
            fail_msg("%.17g printed %s: off by %g, more than its bound %g", v, b, fabs(r - v), e);
        if (q > worst) worst = q;
    }
    return worst;
}

static const char *g6_text(char b[32], double v)
{
    snprintf(b, 32, "%.6g", v);
    return b;
}

static double g6_rounding(double v)
{
    return train_rounding_g(v, 6);
}

/* train_figure_rounding bounds what train_figure_text's rounding does to
 * a figure, and is that rounding's own size (half its last digit): below
 * a million (4 decimals) and from a million on (4 significant digits),
 * every figure read back is within it, and some are more than 0.9 of it
 * off.  train_rounding_g does the same for "%.*g".  A reader comparing
 * the text with other files (sweep --resume) takes its precision from it,
 * so a text written to another precision than the bound's fails here. */
static void test_a_figures_rounding_is_its_texts_precision(void **state)
{
    (void)state;
    static const double scales[] = {1e-4, 0.0123, 0.37, 1, 42.5, 1234.5, 9.9e5, 1e6, 3.7e7, 5e28};
    for (size_t i = 0; i < sizeof scales / sizeof *scales; i++) {
        double w = worst_rounding(scales[i], train_figure_text, train_figure_rounding);
        if (w < 0.9)
            fail_msg("around %g, train_figure_text is off by at most %.2f of its bound", scales[i],
                     w);
        double g = worst_rounding(scales[i], g6_text, g6_rounding);
        if (g < 0.9) fail_msg("around %g, %%.6g is off by at most %.2f of its bound", scales[i], g);
    }
    assert_true(train_figure_rounding(0.5) == 0.5e-4);
    assert_true(train_figure_rounding(1.235e6) == 500);
    assert_true(train_rounding_g(0.5, 6) == 0.5e-6);
    assert_true(train_rounding_g(0, 6) == 0 && train_rounding_g(NAN, 6) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pause_step_and_change_at_next_batch),
        cmocka_unit_test(test_commands_apply_in_order_each_answered),
        cmocka_unit_test(test_commands_after_the_end_are_refused),
        cmocka_unit_test(test_await_on_the_trainer_thread_returns_at_once),
        cmocka_unit_test(test_changes_never_land_mid_batch),
        cmocka_unit_test(test_early_stopping_counts_patience),
        cmocka_unit_test(test_an_early_stop_after_one_epoch_says_epoch),
        cmocka_unit_test(test_divergence_keeps_finite_weights),
        cmocka_unit_test(test_diverged_run_resumes_on_request),
        cmocka_unit_test(test_a_second_divergence_names_the_weights_step),
        cmocka_unit_test(test_a_divergence_names_its_batch_and_the_weights_kept),
        cmocka_unit_test(test_same_seed_same_weights),
        cmocka_unit_test(test_learns_and_reports_kept_metrics),
        cmocka_unit_test(test_elapsed_counts_the_work_between_batches),
        cmocka_unit_test(test_an_epochs_seconds_leave_its_pauses_out),
        cmocka_unit_test(test_resume_keeps_the_earlier_best_epoch),
        cmocka_unit_test(test_resume_takes_the_recorded_kept_epoch),
        cmocka_unit_test(test_create_refuses_bad_setups),
        cmocka_unit_test(test_pace_delay_spreads_batches),
        cmocka_unit_test(test_slow_pace_still_answers_every_request),
        cmocka_unit_test(test_pace_waits_count_as_elapsed_time),
        cmocka_unit_test(test_paused_option_holds_before_the_first_batch),
        cmocka_unit_test(test_headless_trainer_ignores_pace_and_paused),
        cmocka_unit_test(test_copy_weights_only_while_standing_still),
        cmocka_unit_test(test_copy_weights_after_the_run_returned),
        cmocka_unit_test(test_copy_weights_in_the_state_hook),
        cmocka_unit_test(test_each_step_starts_from_a_cleared_gradient),
        cmocka_unit_test(test_network_edit_applies_between_batches),
        cmocka_unit_test(test_adopt_shape_for_a_resumed_run),
        cmocka_unit_test(test_new_data_swaps_in_between_batches),
        cmocka_unit_test(test_result_after_new_data_scores_the_kept_weights_on_it),
        cmocka_unit_test(test_result_after_a_stop_mid_epoch_scores_the_weights_kept),
        cmocka_unit_test(test_new_data_without_validation_is_refused),
        cmocka_unit_test(test_the_stop_line_says_where_and_why),
        cmocka_unit_test(test_the_result_line_keeps_huge_figures_short),
        cmocka_unit_test(test_a_figures_rounding_is_its_texts_precision),
        cmocka_unit_test(test_scaling_the_rate_out_of_range_says_its_range),
        cmocka_unit_test(test_a_rate_inf_in_float_warns_and_its_divergence_names_it),
        cmocka_unit_test(test_a_schedule_past_float_range_says_so),
        cmocka_unit_test(test_a_rate_back_in_float_range_says_so),
        cmocka_unit_test(test_a_schedule_floor_of_0_is_no_float_warning),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
