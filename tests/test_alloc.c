/*
 * test_alloc.c - a training step allocates nothing.
 *
 * Every allocation is counted per thread: through the sanitizer's malloc
 * hooks in the sanitizer build, and by interposing malloc on glibc's
 * __libc_malloc otherwise.  The trainer's on_batch hook reads the count of
 * the thread that trains (which, with one BLAS thread, does all of a step's
 * work) after each batch; between two batches of the same epoch it must not
 * move.  Counting per thread keeps other threads' allocations (the runtime's
 * own, OpenBLAS's idle workers) out of the figure.  With --threads 2 the
 * step is shared with a team member, so that case watches the count of all
 * threads instead.
 *
 * The same hooks let a probe run inside an allocation: trainer_snapshot
 * must not allocate while it holds the trainer's mutex (the trainer
 * thread would wait for another thread's allocator).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "gradtop/core/sysmem.h"
#include "memdata.h"
#include "gradtop/run/trainer.h"

/* volatile: the compiler may assume malloc leaves globals alone. */
static _Thread_local volatile long n_allocs;
static atomic_long all_allocs;

/* The probe: armed on one thread, each allocation there asks a helper
 * thread to take the trainer's mutex (trainer_status) and waits for it.
 * An allocation made with the mutex held keeps the helper out until the
 * guard expires, and counts as blocked. */
#define PROBE_GUARD_S 10 /* a guard against a wait that never ends, not a speed bet */
static _Thread_local bool probe_armed;
static Trainer *probe_trainer;
static pthread_mutex_t probe_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t probe_cv = PTHREAD_COND_INITIALIZER;
static long probe_asked, probe_done, probe_blocked;
static bool probe_quit;

static void *probe_helper(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&probe_mu);
    for (;;) {
        while (probe_done == probe_asked && !probe_quit) pthread_cond_wait(&probe_cv, &probe_mu);
        if (probe_quit) break;
        pthread_mutex_unlock(&probe_mu);
        trainer_status(probe_trainer);
        pthread_mutex_lock(&probe_mu);
        probe_done++;
        pthread_cond_broadcast(&probe_cv);
    }
    pthread_mutex_unlock(&probe_mu);
    return NULL;
}

static void probe(void)
{
    if (!probe_armed) return;
    probe_armed = false; /* what the probe itself does is not probed */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += PROBE_GUARD_S;
    pthread_mutex_lock(&probe_mu);
    long want = ++probe_asked;
    pthread_cond_broadcast(&probe_cv);
    int rc = 0;
    while (probe_done < want && rc == 0) rc = pthread_cond_timedwait(&probe_cv, &probe_mu, &until);
    if (probe_done < want) probe_blocked++;
    pthread_mutex_unlock(&probe_mu);
    probe_armed = true;
}

#if defined(__SANITIZE_ADDRESS__)
/* From sanitizer/allocator_interface.h, which gcc does not install. */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));
static void on_malloc(const volatile void *p, size_t n)
{
    (void)p;
    (void)n;
    n_allocs++;
    atomic_fetch_add(&all_allocs, 1);
    probe();
}
static void on_free(const volatile void *p)
{
    (void)p;
}
static void counting_start(void)
{
    __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
}
#else
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
void *malloc(size_t n)
{
    n_allocs++;
    atomic_fetch_add(&all_allocs, 1);
    probe();
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
    n_allocs++;
    atomic_fetch_add(&all_allocs, 1);
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
    n_allocs++;
    atomic_fetch_add(&all_allocs, 1);
    probe();
    return __libc_realloc(p, n);
}
static void counting_start(void) {}
#endif

typedef struct {
    int epoch;
    long allocs_at_prev;
    long checked; /* batch pairs compared */
    long violations;
    bool all_threads; /* watch every thread's allocations, not the trainer's */
} Watch;

static void on_batch(void *ctx, const BatchInfo *b)
{
    Watch *w = ctx;
    long now = w->all_threads ? atomic_load(&all_allocs) : n_allocs;
    if (b->epoch == w->epoch && w->allocs_at_prev >= 0) {
        w->checked++;
        if (now != w->allocs_at_prev) w->violations++;
    }
    w->epoch = b->epoch;
    w->allocs_at_prev = now;
}

/* Trains o on ds, whose batches are shared among want_threads threads, and
 * checks that the watched count never moved between two batches of an
 * epoch, over want_pairs pairs. */
static void train_and_check(const Options *o, const Dataset *ds, int want_threads, bool all_threads,
                            long want_pairs)
{
    Watch w = {.epoch = -1, .allocs_at_prev = -1, .all_threads = all_threads};
    TrainerHooks hooks = {.ctx = &w, .on_batch = on_batch};
    Trainer *t;
    Error err;
    assert_int_equal(trainer_create(&t, o, ds, NULL, NULL, false, &hooks, &err), ERROR_NONE);
    assert_int_equal(model_threads(trainer_model(t), o->hp.batch_size), want_threads);
    assert_int_equal(trainer_run(t, &err), ERROR_NONE);
    trainer_destroy(t);
    assert_int_equal(w.checked, want_pairs);
    assert_int_equal(w.violations, 0);
}

static void run_case(Activation act, OptimizerKind opt, double dropout, double l1, double l2,
                     bool regression)
{
    Dataset ds = {0};
    Rng r;
    rng_seed(&r, 3);
    ds.n = 300;
    ds.d = 5;
    ds.x = malloc(ds.n * 5 * sizeof(float));
    ds.task = regression ? TASK_REGRESSION : TASK_CLASSIFICATION;
    ds.n_classes = regression ? 0 : 3;
    ds.labels = regression ? NULL : malloc(ds.n * sizeof(int));
    ds.targets = regression ? malloc(ds.n * sizeof(float)) : NULL;
    for (size_t i = 0; i < ds.n * 5; i++) ds.x[i] = (float)rng_normal(&r);
    for (size_t i = 0; i < ds.n; i++) {
        if (regression)
            ds.targets[i] = ds.x[5 * i];
        else
            ds.labels[i] = (int)(i % 3);
    }
    Options o;
    options_default(&o);
    o.layers[0] = 16;
    o.layers[1] = 8;
    o.n_layers = 2;
    o.activation = act;
    optimizer_params_default(&o.hp.opt, opt);
    o.hp.opt.momentum = 0.9;
    o.hp.dropout = dropout;
    o.hp.l1 = l1;
    o.hp.l2 = l2;
    o.epochs = 3;
    o.hp.batch_size = 16;
    o.threads = 1;
    o.hp.patience = 0;
    /* 300 rows in batches of 16: 19 batches an epoch, 18 pairs, 3 epochs. */
    train_and_check(&o, &ds, 1, false, 54);
    free(ds.x);
    free(ds.labels);
    free(ds.targets);
}

/* --threads 2 on a network big enough to be shared: neither the trainer
 * thread nor the team member allocates during a step. */
static void test_shared_step_allocates_nothing(void **state)
{
    (void)state;
    enum { N = 640, D = 64 };
    Dataset ds = {0};
    Rng r;
    rng_seed(&r, 4);
    ds.n = N;
    ds.d = D;
    ds.x = malloc((size_t)N * D * sizeof(float));
    ds.labels = malloc(N * sizeof(int));
    ds.task = TASK_CLASSIFICATION;
    ds.n_classes = 4;
    for (size_t i = 0; i < (size_t)N * D; i++) ds.x[i] = (float)rng_normal(&r);
    for (int i = 0; i < N; i++) ds.labels[i] = i % 4;
    Options o;
    options_default(&o);
    o.layers[0] = 256;
    o.layers[1] = 256;
    o.n_layers = 2;
    o.hp.dropout = 0.2;
    o.hp.l2 = 1e-4;
    o.epochs = 3;
    o.hp.batch_size = 64;
    o.threads = 2;
    o.hp.patience = 0;
    /* 10 batches an epoch, 9 pairs, 3 epochs; --threads is capped at the cores. */
    train_and_check(&o, &ds, sysmem_cores() < 2 ? 1 : 2, true, 27);
    free(ds.x);
    free(ds.labels);
}

/* A snapshot whose history must grow (more epochs than it has room for)
 * allocates without holding the trainer's mutex, and still copies every
 * epoch. */
static void test_snapshot_grows_outside_the_trainer_mutex(void **state)
{
    (void)state;
    Dataset ds = {0};
    ds.n = 20;
    ds.d = 2;
    ds.x = calloc(ds.n * 2, sizeof(float));
    ds.labels = malloc(ds.n * sizeof(int));
    ds.task = TASK_CLASSIFICATION;
    ds.n_classes = 2;
    for (size_t i = 0; i < ds.n; i++) {
        ds.x[2 * i] = (float)i;
        ds.labels[i] = (int)(i % 2);
    }
    Options o;
    options_default(&o);
    o.layers[0] = 4;
    o.n_layers = 1;
    o.epochs = 150;
    o.hp.batch_size = 20;
    o.threads = 1;
    o.hp.patience = 0;
    Trainer *t;
    Error err;
    assert_int_equal(trainer_create(&t, &o, &ds, NULL, NULL, false, NULL, &err), ERROR_NONE);
    assert_int_equal(trainer_run(t, &err), ERROR_NONE);
    TrainerSnapshot snap;
    assert_int_equal(trainer_snapshot_init(&snap, t, &err), ERROR_NONE);
    assert_true(snap.cap_epochs < 150);
    probe_trainer = t;
    pthread_t helper;
    assert_int_equal(pthread_create(&helper, NULL, probe_helper, NULL), 0);
    probe_armed = true;
    trainer_snapshot(t, &snap);
    probe_armed = false;
    pthread_mutex_lock(&probe_mu);
    probe_quit = true;
    pthread_cond_broadcast(&probe_cv);
    pthread_mutex_unlock(&probe_mu);
    pthread_join(helper, NULL);
    assert_int_equal(snap.n_epochs, 150);
    assert_true(probe_asked > 0); /* the growth was seen */
    if (probe_blocked)
        fail_msg("%ld of %ld allocations were made with the trainer's mutex held", probe_blocked,
                 probe_asked);
    trainer_snapshot_free(&snap);
    trainer_destroy(t);
    free(ds.x);
    free(ds.labels);
}

static void test_counter_sees_allocations(void **state)
{
    (void)state;
    long before = n_allocs;
    void *volatile p = malloc(64);
    long after = n_allocs;
    free(p);
    assert_true(after > before);
}

static void test_step_allocates_nothing_adam_relu(void **state)
{
    (void)state;
    run_case(ACTIVATION_RELU, OPTIMIZER_ADAM, 0, 0, 0, false);
}

static void test_step_allocates_nothing_with_dropout_and_penalties(void **state)
{
    (void)state;
    run_case(ACTIVATION_GELU, OPTIMIZER_RMSPROP, 0.3, 1e-4, 1e-3, false);
}

static void test_step_allocates_nothing_every_optimizer(void **state)
{
    (void)state;
    run_case(ACTIVATION_TANH, OPTIMIZER_SGD, 0, 0, 0, true);
    run_case(ACTIVATION_ELU, OPTIMIZER_ADAMW, 0, 0, 0, false);
    run_case(ACTIVATION_SIGMOID, OPTIMIZER_ADAGRAD, 0, 0, 0, false);
}

/* New data swapped in mid-epoch (TRAINER_SET_DATA, sent from the hook of
 * batch 5): the swap and the batches after it allocate nothing on the
 * trainer thread; the pairs around the swap are counted like any other. */
typedef struct {
    Watch w;
    Trainer *t;
    TrainerData *d;
    long seq;
} SwapWatch;

static void swap_batch(void *ctx, const BatchInfo *b)
{
    SwapWatch *s = ctx;
    if (b->step == 5) s->seq = trainer_set_data(s->t, s->d);
    on_batch(&s->w, b);
}

static void test_data_swap_allocates_nothing(void **state)
{
    (void)state;
    Dataset old, val, next, next_val;
    make_dataset(&old, 320, 5);
    make_dataset(&val, 40, 6);
    make_dataset(&next, 240, 7);
    make_dataset(&next_val, 60, 8);
    TrainerData d = {.train = &next, .val = &next_val};
    d.perm = malloc(next.n * sizeof(int));
    d.spare = malloc(next.n * sizeof(int));
    snprintf(d.text, sizeof d.text, "new rows");
    Options o;
    options_default(&o);
    o.layers[0] = 16;
    o.n_layers = 1;
    o.epochs = 2;
    o.hp.batch_size = 16;
    o.threads = 1;
    o.hp.patience = 0;
    SwapWatch sw = {.w = {.epoch = -1, .allocs_at_prev = -1}, .d = &d};
    TrainerHooks hooks = {.ctx = &sw, .on_batch = swap_batch};
    Error err;
    assert_int_equal(trainer_create(&sw.t, &o, &old, &val, NULL, false, &hooks, &err), ERROR_NONE);
    assert_int_equal(trainer_run(sw.t, &err), ERROR_NONE);
    TrainerReply rep;
    assert_true(sw.seq > 0 && trainer_reply(sw.t, sw.seq, &rep));
    assert_true(rep.done);
    /* epoch 1: 5 batches of the old 320 rows, then the new 240 from row 80:
     * 15 batches in all, 14 pairs; epoch 2: 15 batches, 14 pairs */
    assert_int_equal(sw.w.checked, 28);
    assert_int_equal(sw.w.violations, 0);
    trainer_destroy(sw.t);
    free(d.perm);
    free(d.spare);
    Dataset *all[] = {&old, &val, &next, &next_val};
    for (int i = 0; i < 4; i++) free_dataset(all[i]);
}

int main(void)
{
    counting_start();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_sees_allocations),
        cmocka_unit_test(test_snapshot_grows_outside_the_trainer_mutex),
        cmocka_unit_test(test_step_allocates_nothing_adam_relu),
        cmocka_unit_test(test_step_allocates_nothing_with_dropout_and_penalties),
        cmocka_unit_test(test_step_allocates_nothing_every_optimizer),
        cmocka_unit_test(test_shared_step_allocates_nothing),
        cmocka_unit_test(test_data_swap_allocates_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
