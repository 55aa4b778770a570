/* team.c - see team.h. */
#include "gradtop/nn/team.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* How an idle member waits for the next phase, and the caller for the end
 * of one: it polls with plain loads for SPIN_NS, which bridges the serial
 * work between two phases of a step; then it polls between sched_yield
 * calls until YIELD_NS, which costs a system call a poll on an idle core
 * but hands the core over at once when the machine is busy and its partner
 * waits for one; then it sleeps, so a paused run costs nothing.  No PAUSE
 * in the loop: with it, an epoch of 784-256-128-10 on two threads of a KVM
 * guest took twice as long as without (KVM's pause-loop exiting, which
 * deschedules a virtual CPU that spins on PAUSE, is the likely cause). */
#define SPIN_NS 50000
#define YIELD_NS 2000000

struct Team {
    int n;
    pthread_t *threads;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_cond_t done;         /* the caller waits here for the last member */
    int sleepers;                /* under mu */
    bool caller_sleeps;          /* under mu */
    bool quit;                   /* under mu */
    _Atomic unsigned long phase; /* incremented (under mu) to start a phase */
    atomic_int pending;          /* members still running the current phase */
    /* The current phase: written before phase is incremented. */
    TeamFn fn;
    void *ctx;
    int active;
};

typedef struct {
    Team *team;
    int index;
} Member;

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Polls until *phase differs from seen, for at most YIELD_NS; its value. */
static unsigned long poll_phase(_Atomic unsigned long *phase, unsigned long seen)
{
    long long start = 0;
    for (int s = 0;; s++) {
        unsigned long now = atomic_load_explicit(phase, memory_order_acquire);
        if (now != seen) return now;
        if ((s & 63) == 0) {
            long long t = now_ns();
            if (start == 0) start = t;
            if (t - start > YIELD_NS) return now;
            if (t - start > SPIN_NS) sched_yield();
        }
    }
}

/* The same for the end of a phase: true when pending reached 0. */
static bool poll_done(atomic_int *pending)
{
    long long start = 0;
    for (int s = 0;; s++) {
        if (atomic_load_explicit(pending, memory_order_acquire) == 0) return true;
        if ((s & 63) == 0) {
            long long t = now_ns();
            if (start == 0) start = t;
            if (t - start > YIELD_NS) return false;
            if (t - start > SPIN_NS) sched_yield();
        }
    }
}

static void *member_main(void *arg)
{
    Member *me = arg;
    Team *t = me->team;
    int i = me->index;
    char name[16];
    snprintf(name, sizeof name, "gradtop-team%d", i);
    pthread_setname_np(pthread_self(), name);
    /* The phase count the team was created with: team_run may have begun
     * the first phase before this thread got here. */
    unsigned long seen = 0;
    for (;;) {
        unsigned long now = poll_phase(&t->phase, seen);
        if (now == seen) {
            pthread_mutex_lock(&t->mu);
            t->sleepers++;
            while (!t->quit &&
                   (now = atomic_load_explicit(&t->phase, memory_order_acquire)) == seen)
                pthread_cond_wait(&t->cv, &t->mu);
            t->sleepers--;
            bool quit = t->quit;
            pthread_mutex_unlock(&t->mu);
            if (quit) break;
        }
        seen = now;
        if (i < t->active) t->fn(t->ctx, i, t->active);
        if (atomic_fetch_sub_explicit(&t->pending, 1, memory_order_acq_rel) == 1) {
            /* The last one done wakes the caller if it went to sleep. */
            pthread_mutex_lock(&t->mu);
            if (t->caller_sleeps) pthread_cond_signal(&t->done);
            pthread_mutex_unlock(&t->mu);
        }
    }
    free(me);
    return NULL;
}

ErrorCode team_create(Team **out, int n, Error *err)
{
    *out = NULL;
    if (n < 1) n = 1;
    Team *t = calloc(1, sizeof *t);
    if (!t) return error_set(err, ERROR_RUNTIME, "out of memory");
    t->n = 1;
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    pthread_cond_init(&t->done, NULL);
    atomic_init(&t->phase, 0);
    atomic_init(&t->pending, 0);
    if (n > 1) {
        t->threads = calloc((size_t)n - 1, sizeof *t->threads);
        if (!t->threads) {
            team_destroy(t);
            return error_set(err, ERROR_RUNTIME, "out of memory");
        }
    }
    /* Members take no signals: the process's handlers run on the threads
     * that asked for them. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = 0;
    for (int i = 1; i < n && rc == 0; i++) {
        Member *me = malloc(sizeof *me);
        if (!me) {
            rc = -1;
            break;
        }
        me->team = t;
        me->index = i;
        rc = pthread_create(&t->threads[i - 1], NULL, member_main, me);
        if (rc)
            free(me);
        else
            t->n++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        team_destroy(t);
        return error_set(err, ERROR_RUNTIME, "cannot start %d compute threads", n - 1);
    }
    *out = t;
    return ERROR_NONE;
}

void team_destroy(Team *t)
{
    if (!t) return;
    pthread_mutex_lock(&t->mu);
    t->quit = true;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
    for (int i = 0; i < t->n - 1; i++) pthread_join(t->threads[i], NULL);
    free(t->threads);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
    pthread_cond_destroy(&t->done);
    free(t);
}

int team_size(const Team *t)
{
    return t ? t->n : 1;
}

void team_run(Team *t, int n, TeamFn fn, void *ctx)
{
    if (!t || t->n == 1 || n <= 1) {
        fn(ctx, 0, 1);
        return;
    }
    if (n > t->n) n = t->n;
    t->fn = fn;
    t->ctx = ctx;
    t->active = n;
    atomic_store_explicit(&t->pending, t->n - 1, memory_order_relaxed);
    /* Under mu, so that a member between its check and its wait cannot miss
     * the new phase. */
    pthread_mutex_lock(&t->mu);
    atomic_fetch_add_explicit(&t->phase, 1, memory_order_release);
    if (t->sleepers) pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
    fn(ctx, 0, n);
    if (poll_done(&t->pending)) return;
    pthread_mutex_lock(&t->mu);
    t->caller_sleeps = true;
    while (atomic_load_explicit(&t->pending, memory_order_acquire) != 0)
        pthread_cond_wait(&t->done, &t->mu);
    t->caller_sleeps = false;
    pthread_mutex_unlock(&t->mu);
}

void team_share(size_t count, size_t align, int i, int n, size_t *lo, size_t *hi)
{
    if (align < 1) align = 1;
    size_t units = count / align;
    size_t a = units * (size_t)i / (size_t)n, b = units * (size_t)(i + 1) / (size_t)n;
    *lo = a * align;
    *hi = i == n - 1 ? count : b * align;
}
