/*
 * test_live.c - the teaching views' data while training stands still:
 * live_idle computes what the UI asks for at once, from the trainer's
 * current weights, only when something changed, and never while the
 * trainer runs.
 */
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

#include "gradtop/insight/live.h"
#include "memdata.h"

/* A guard against a trainer that never gets where it is waited for, not a
 * speed bet: what is waited for takes microseconds. */
#define HANG_GUARD_S 120

typedef struct {
    Dataset train, val;
    Trainer *t;
    Live *live;
    LiveData *ld;
    pthread_t th;
    bool started;
    ErrorCode rc;
    Error err;
    /* batches the hook has seen (hooked fixtures) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int batches;
} Fixture;

static void *run_thread(void *p)
{
    Fixture *f = p;
    f->rc = trainer_run(f->t, &f->err);
    return NULL;
}

/* The same rows as a regression: the target is x0 + x1. */
static void make_regression(Dataset *ds)
{
    ds->task = TASK_REGRESSION;
    ds->n_classes = 0;
    free(ds->labels);
    ds->labels = NULL;
    ds->targets = malloc(ds->n * sizeof *ds->targets);
    for (size_t i = 0; i < ds->n; i++) ds->targets[i] = ds->x[2 * i] + ds->x[2 * i + 1];
}

/* The dashboard's hook: the views' work after every batch, counted so that
 * a test can wait for it to have run. */
static void hook_batch(void *ctx, const BatchInfo *b)
{
    Fixture *f = ctx;
    live_on_batch(f->live, b);
    pthread_mutex_lock(&f->mu);
    f->batches++;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

static Fixture *fixture_of(bool interactive, Pace pace, bool paused, int epochs, bool regression,
                           bool hooked)
{
    Fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    make_dataset(&f->train, 200, 1);
    make_dataset(&f->val, 60, 2);
    if (regression) {
        make_regression(&f->train);
        make_regression(&f->val);
    }
    Options o;
    options_default(&o);
    o.layers[0] = 8;
    o.n_layers = 1;
    o.epochs = epochs;
    o.hp.batch_size = 20;
    o.threads = 1;
    o.no_log = true;
    o.hp.patience = 0;
    o.pace = pace;
    o.paused = paused;
    Error err;
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    TrainerHooks hooks = {.ctx = f, .on_batch = hook_batch};
    assert_int_equal(trainer_create(&f->t, &o, &f->train, &f->val, NULL, interactive,
                                    hooked ? &hooks : NULL, &err),
                     ERROR_NONE);
    assert_int_equal(live_create(&f->live, trainer_model(f->t), &f->train, &f->val, 5, &err),
                     ERROR_NONE);
    f->ld = calloc(1, sizeof *f->ld);
    assert_non_null(f->ld);
    return f;
}

static Fixture *fixture(bool interactive, Pace pace, bool paused, int epochs)
{
    return fixture_of(interactive, pace, paused, epochs, false, false);
}

static void fixture_free(Fixture *f)
{
    if (f->started) {
        trainer_stop(f->t); /* trainer_run returns once it has ended */
        pthread_join(f->th, NULL);
    }
    live_destroy(f->live);
    trainer_destroy(f->t);
    free_dataset(&f->train);
    free_dataset(&f->val);
    free(f->ld);
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    free(f);
}

static LiveRequest boundary_request(int w, int h)
{
    return (LiveRequest){.view = LIVE_BOUNDARY, .grid_w = w, .grid_h = h, .fx = 0, .fy = 1};
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* live_idle until it publishes: the trainer thread parks just after the
 * status it reaches is published. */
static void idle_until_published(Fixture *f)
{
    for (int i = 0; i < HANG_GUARD_S * 100; i++) {
        if (live_idle(f->live, f->t)) return;
        sleep_ms(10);
    }
    fail_msg("live_idle never published");
}

static TrainStatus status_of(Fixture *f, long *step)
{
    TrainerSnapshot s;
    Error err;
    assert_int_equal(trainer_snapshot_init(&s, f->t, &err), ERROR_NONE);
    trainer_snapshot(f->t, &s);
    TrainStatus st = s.status;
    *step = s.step;
    trainer_snapshot_free(&s);
    return st;
}

/* The map published after a run equals the map of the trainer's own final
 * weights, at the size asked for; a new size, another view, a gradcheck
 * are each computed at the very next live_idle, and nothing is when
 * nothing changed. */
static void test_idle_draws_the_current_weights_at_once(void **state)
{
    (void)state;
    Fixture *f = fixture(false, (Pace){PACE_MAX, 0}, false, 3);
    Error err;
    assert_int_equal(trainer_run(f->t, &err), ERROR_NONE);
    LiveRequest r = boundary_request(30, 20);
    live_request(f->live, &r);
    assert_true(live_idle(f->live, f->t));
    assert_true(live_fetch(f->live, f->ld));
    LiveData *ld = f->ld;
    assert_true(ld->has_boundary);
    assert_int_equal(ld->grid.w, 30);
    assert_int_equal(ld->grid.h, 20);
    assert_int_equal(ld->boundary_step, 30); /* 3 epochs of 10 batches */
    assert_int_equal(ld->n_points, 260);
    /* the same cells from the trainer's model itself */
    Model *m = trainer_model(f->t);
    BoundaryPlane plane;
    assert_int_equal(plane_create(&plane, 2, &err), ERROR_NONE);
    assert_int_equal(plane_set_features(&plane, NULL, 0, 1, &err), ERROR_NONE);
    float *scratch = malloc(boundary_scratch_floats(m) * sizeof *scratch);
    int *cls = malloc(30 * 20 * sizeof *cls);
    float *conf = malloc(30 * 20 * sizeof *conf);
    boundary_compute(m, &plane, &ld->grid, scratch, cls, conf);
    int differ = 0, both = 0;
    for (int i = 0; i < 30 * 20; i++) {
        differ += cls[i] != ld->cls[i] || fabsf(conf[i] - ld->conf[i]) > 1e-6f;
        both |= 1 << cls[i];
    }
    assert_int_equal(differ, 0);
    assert_int_equal(both, 3); /* a map with both classes on it: a real check */
    free(scratch);
    free(cls);
    free(conf);
    plane_free(&plane);

    unsigned long v = ld->version;
    assert_false(live_idle(f->live, f->t)); /* nothing changed */
    assert_false(live_fetch(f->live, f->ld));

    r = boundary_request(40, 10); /* a resize */
    live_request(f->live, &r);
    assert_true(live_idle(f->live, f->t));
    assert_true(live_fetch(f->live, f->ld));
    assert_true(ld->version > v);
    assert_int_equal(ld->grid.w, 40);
    assert_int_equal(ld->grid.h, 10);

    r.view = LIVE_CONFUSION;
    live_request(f->live, &r);
    assert_false(ld->has_conf);
    assert_true(live_idle(f->live, f->t));
    live_fetch(f->live, f->ld);
    assert_true(ld->has_conf);
    assert_true(ld->conf_on_val);
    assert_int_equal((int)ld->n_rows, 60);
    size_t total = 0;
    for (int i = 0; i < 4; i++) total += ld->counts[i];
    assert_int_equal((int)total, 60);

    r.view = LIVE_GRADIENT;
    r.gradcheck = 1;
    live_request(f->live, &r);
    assert_true(live_idle(f->live, f->t));
    live_fetch(f->live, f->ld);
    assert_true(ld->has_grad);
    assert_true(ld->has_check);
    assert_int_equal(ld->check_seq, 1);
    assert_int_equal(ld->check.n_mismatch, 0);
    int n_grad = ld->n_grad;
    assert_false(live_idle(f->live, f->t)); /* the same weights: no second probe */
    live_fetch(f->live, f->ld);
    assert_int_equal(ld->n_grad, n_grad);

    r.view = LIVE_NETWORK;
    live_request(f->live, &r);
    assert_true(live_idle(f->live, f->t));
    live_fetch(f->live, f->ld);
    assert_true(ld->has_net);
    assert_true(ld->has_dead);
    fixture_free(f);
}

/* While a batch waits for its pace the trainer is training: live_idle
 * leaves it alone.  Paused, the view comes at once; after one step the
 * weights changed and it is computed again; resumed, it is left alone
 * again. */
static void test_idle_waits_for_the_trainer_to_stand_still(void **state)
{
    (void)state;
    Pace crawl = {PACE_BATCHES, 1e-4}; /* one batch every 10000 s */
    Fixture *f = fixture(true, crawl, false, 1000);
    LiveRequest r = boundary_request(16, 8);
    live_request(f->live, &r);
    pthread_create(&f->th, NULL, run_thread, f);
    f->started = true;
    long step = 0;
    for (int i = 0; i < HANG_GUARD_S * 100 && step < 1; i++) {
        status_of(f, &step);
        if (step < 1) sleep_ms(10);
    }
    assert_int_equal(step, 1);
    /* batch 2 is 10000 s away: the trainer thread is in its pace's wait */
    assert_false(live_idle(f->live, f->t));
    assert_false(live_fetch(f->live, f->ld));

    trainer_pause(f->t);
    idle_until_published(f);
    assert_int_equal(status_of(f, &step), TRAIN_PAUSED);
    live_fetch(f->live, f->ld);
    assert_true(f->ld->has_boundary);
    assert_int_equal(f->ld->boundary_step, 1);
    assert_false(live_idle(f->live, f->t));

    trainer_step_once(f->t);
    idle_until_published(f);
    live_fetch(f->live, f->ld);
    assert_int_equal(f->ld->boundary_step, 2);

    trainer_resume(f->t);
    for (int i = 0; i < HANG_GUARD_S * 100 && status_of(f, &step) != TRAIN_RUNNING; i++)
        sleep_ms(10);
    assert_false(live_idle(f->live, f->t));
    fixture_free(f);
}

/* Waits until the hook has seen n batches and the trainer thread has
 * parked after the last (its weights can be copied again). */
static void wait_parked_after(Fixture *f, int n, Model *scratch)
{
    struct timespec due;
    clock_gettime(CLOCK_REALTIME, &due);
    due.tv_sec += HANG_GUARD_S;
    pthread_mutex_lock(&f->mu);
    while (f->batches < n)
        if (pthread_cond_timedwait(&f->cv, &f->mu, &due)) fail_msg("no batch %d", n);
    pthread_mutex_unlock(&f->mu);
    bool changed;
    long step;
    for (int i = 0; i < HANG_GUARD_S * 100; i++) {
        if (trainer_copy_weights(f->t, scratch, &changed, &step)) return;
        sleep_ms(10);
    }
    fail_msg("the trainer never parked after batch %d", n);
}

/* Stepped one batch at a time while paused, the gradient view gains one
 * measurement a step, of that step's weights, each with the update ratio
 * of the step after it: the trainer thread measures after the batch and
 * the UI thread, finding the weights it measured, does not measure them a
 * second time (it did: two probes a step, every other ratio missing). */
static void test_a_step_is_measured_once(void **state)
{
    (void)state;
    Fixture *f = fixture_of(true, (Pace){PACE_MAX, 0}, true, 1000, false, true);
    LiveRequest r = {.view = LIVE_GRADIENT};
    live_request(f->live, &r);
    Model scratch;
    Error err;
    Rng rng;
    rng_seed(&rng, 1);
    Model *m = trainer_model(f->t);
    assert_int_equal(model_create(&scratch, &m->shape, m->cap_batch, &rng, &err), ERROR_NONE);
    pthread_create(&f->th, NULL, run_thread, f);
    f->started = true;
    idle_until_published(f); /* paused before the first batch: step 0 */
    live_fetch(f->live, f->ld);
    LiveData *ld = f->ld;
    assert_int_equal(ld->n_grad, 1);
    assert_int_equal(ld->grad_step, 0);
    for (int k = 1; k <= 3; k++) {
        trainer_step_once(f->t);
        wait_parked_after(f, k, &scratch);
        live_idle(f->live, f->t);
        live_fetch(f->live, f->ld);
        assert_int_equal(ld->grad_step, k);
        assert_int_equal(ld->n_grad, k + 1);
    }
    /* each measurement but the newest has the ratio of the step after it */
    for (int i = 0; i < ld->n_layers; i++) {
        for (int k = 0; k < 3; k++) assert_true(isfinite(ld->ratio_hist[i][k]));
        assert_true(isnan(ld->ratio_hist[i][3]));
    }
    model_free(&scratch);
    fixture_free(f);
}

/* A regression map's colour scale spans the targets of both parts, fixed
 * for the run, and each point carries its own target for its colour. */
static void test_regression_points_carry_their_targets(void **state)
{
    (void)state;
    Fixture *f = fixture_of(false, (Pace){PACE_MAX, 0}, false, 1, true, false);
    Error err;
    assert_int_equal(trainer_run(f->t, &err), ERROR_NONE);
    LiveRequest r = boundary_request(12, 8);
    live_request(f->live, &r);
    assert_true(live_idle(f->live, f->t));
    live_fetch(f->live, f->ld);
    LiveData *ld = f->ld;
    assert_true(ld->regression);
    float lo = INFINITY, hi = -INFINITY;
    const Dataset *parts[2] = {&f->train, &f->val};
    for (int p = 0; p < 2; p++)
        for (size_t i = 0; i < parts[p]->n; i++) {
            lo = fminf(lo, parts[p]->targets[i]);
            hi = fmaxf(hi, parts[p]->targets[i]);
        }
    assert_true(ld->y_lo == lo && ld->y_hi == hi);
    assert_true(hi - lo > 1); /* a real range */
    assert_int_equal(ld->n_points, 260);
    for (int i = 0; i < ld->n_points; i++)
        /* the plane is the two features themselves: the target is their sum */
        assert_true(fabsf(ld->pt_y[i] - (ld->pts[i][0] + ld->pts[i][1])) < 1e-5f);
    fixture_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idle_draws_the_current_weights_at_once),
        cmocka_unit_test(test_idle_waits_for_the_trainer_to_stand_still),
        cmocka_unit_test(test_regression_points_carry_their_targets),
        cmocka_unit_test(test_a_step_is_measured_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
