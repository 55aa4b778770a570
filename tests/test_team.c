/*
 * test_team.c - the team runs every share of every phase exactly once, on
 * distinct threads, and returns only when all are done.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "gradtop/nn/team.h"

#define MAX_SHARES 8

typedef struct {
    atomic_int runs[MAX_SHARES];
    atomic_int seen_n; /* the n every share was told; -1 when they disagreed */
    pthread_t who[MAX_SHARES];
    atomic_int finished; /* shares done in the current phase */
} Tally;

static void count_share(void *ctx, int i, int n)
{
    Tally *t = ctx;
    atomic_fetch_add(&t->runs[i], 1);
    int expect = atomic_load(&t->seen_n);
    if (expect != n) atomic_store(&t->seen_n, -1);
    t->who[i] = pthread_self();
    /* Uneven work: share 1 finishes well after the caller's share 0. */
    if (i == 1) usleep(2000);
    atomic_fetch_add(&t->finished, 1);
}

static void test_every_share_once_on_its_own_thread(void **state)
{
    (void)state;
    Team *team;
    Error err;
    assert_int_equal(team_create(&team, 3, &err), ERROR_NONE);
    assert_int_equal(team_size(team), 3);
    Tally t = {0};
    atomic_store(&t.seen_n, 3);
    team_run(team, 3, count_share, &t);
    /* team_run returned: every share has finished, the slow one included. */
    assert_int_equal(atomic_load(&t.finished), 3);
    for (int i = 0; i < 3; i++) assert_int_equal(atomic_load(&t.runs[i]), 1);
    assert_int_equal(atomic_load(&t.seen_n), 3);
    assert_true(pthread_equal(t.who[0], pthread_self()));
    assert_false(pthread_equal(t.who[1], pthread_self()));
    assert_false(pthread_equal(t.who[2], pthread_self()));
    assert_false(pthread_equal(t.who[1], t.who[2]));
    team_destroy(team);
}

static void test_fewer_shares_than_threads(void **state)
{
    (void)state;
    Team *team;
    Error err;
    assert_int_equal(team_create(&team, 3, &err), ERROR_NONE);
    Tally t = {0};
    atomic_store(&t.seen_n, 2);
    team_run(team, 2, count_share, &t);
    assert_int_equal(atomic_load(&t.runs[0]), 1);
    assert_int_equal(atomic_load(&t.runs[1]), 1);
    assert_int_equal(atomic_load(&t.runs[2]), 0);
    assert_int_equal(atomic_load(&t.seen_n), 2);
    /* More shares than threads are clamped to the team. */
    Tally u = {0};
    atomic_store(&u.seen_n, 3);
    team_run(team, 7, count_share, &u);
    for (int i = 0; i < 3; i++) assert_int_equal(atomic_load(&u.runs[i]), 1);
    assert_int_equal(atomic_load(&u.runs[3]), 0);
    assert_int_equal(atomic_load(&u.seen_n), 3);
    team_destroy(team);
}

static void test_null_and_single_team_run_on_the_caller(void **state)
{
    (void)state;
    Tally t = {0};
    atomic_store(&t.seen_n, 1);
    team_run(NULL, 4, count_share, &t);
    assert_int_equal(atomic_load(&t.runs[0]), 1);
    assert_true(pthread_equal(t.who[0], pthread_self()));
    assert_int_equal(team_size(NULL), 1);
    Team *team;
    Error err;
    assert_int_equal(team_create(&team, 1, &err), ERROR_NONE);
    assert_int_equal(team_size(team), 1);
    team_run(team, 4, count_share, &t);
    assert_int_equal(atomic_load(&t.runs[0]), 2);
    assert_int_equal(atomic_load(&t.runs[1]), 0);
    team_destroy(team);
}

typedef struct {
    long *slots; /* one per share, no two shares touch the same */
} Bump;

static void bump_share(void *ctx, int i, int n)
{
    (void)n;
    ((Bump *)ctx)->slots[i * 16]++;
}

/* Many short phases back to back, as a training run makes them, with pauses
 * long enough for the members to fall asleep in between: no phase is lost
 * or run twice, and each sees the previous one's writes. */
static void test_many_phases_with_sleeps_between(void **state)
{
    (void)state;
    Team *team;
    Error err;
    assert_int_equal(team_create(&team, 2, &err), ERROR_NONE);
    long slots[2 * 16] = {0};
    Bump b = {slots};
    for (int k = 0; k < 20000; k++) {
        team_run(team, 2, bump_share, &b);
        if (k % 5000 == 0) usleep(20000);
    }
    assert_int_equal(slots[0], 20000);
    assert_int_equal(slots[16], 20000);
    team_destroy(team);
}

static void test_share_bounds(void **state)
{
    (void)state;
    /* Shares tile [0, count) in order, in multiples of align but the last. */
    size_t counts[] = {0, 1, 15, 16, 17, 1000, 65537};
    for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
        for (int n = 1; n <= 5; n++) {
            size_t next = 0;
            for (int i = 0; i < n; i++) {
                size_t lo, hi;
                team_share(counts[c], 16, i, n, &lo, &hi);
                assert_int_equal(lo, next);
                assert_true(hi >= lo);
                if (i < n - 1) assert_int_equal(hi % 16, 0);
                next = hi;
            }
            assert_int_equal(next, counts[c]);
        }
    }
    /* Even shares: 100 rows in 3 shares of 33 or 34. */
    size_t lo, hi;
    team_share(100, 1, 1, 3, &lo, &hi);
    assert_int_equal(lo, 33);
    assert_int_equal(hi, 66);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_share_once_on_its_own_thread),
        cmocka_unit_test(test_fewer_shares_than_threads),
        cmocka_unit_test(test_null_and_single_team_run_on_the_caller),
        cmocka_unit_test(test_many_phases_with_sleeps_between),
        cmocka_unit_test(test_share_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
