/*
 * test_sigwatch.c - the headless commands' signal watch: SIGINT, SIGTERM
 * and SIGHUP each reach the stop callback (the process is not killed), a
 * signal that comes before the thread starts is counted at join, and
 * removing the watch puts the earlier handlers back.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gradtop/sigwatch.h"

/* stop(ctx): writes a byte to the pipe ctx points at, so that the test
 * waits for the callback by reading it (no sleep, no polling). */
static void note_stop(void *ctx)
{
    const int *fds = ctx;
    char c = 's';
    ssize_t n = write(fds[1], &c, 1);
    (void)n;
}

/* raise(sig) with the watch running: the callback runs once and join
 * returns sig.  Without the watch's handler the default action of these
 * signals ends the test program. */
static void signal_reaches_stop(int sig)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    SigWatch w;
    assert_true(sigwatch_install(&w));
    sigwatch_start(&w, note_stop, fds);
    assert_int_equal(raise(sig), 0);
    char c;
    assert_int_equal(read(fds[0], &c, 1), 1); /* blocks until stop ran */
    assert_int_equal(sigwatch_join(&w), sig);
    sigwatch_remove(&w);
    close(fds[0]);
    close(fds[1]);
}

static void test_sigint_stops_what_is_watched(void **state)
{
    (void)state;
    signal_reaches_stop(SIGINT);
}

static void test_sigterm_stops_what_is_watched(void **state)
{
    (void)state;
    signal_reaches_stop(SIGTERM);
}

static void test_sighup_stops_what_is_watched_as_sigterm_does(void **state)
{
    (void)state;
    signal_reaches_stop(SIGHUP);
}

static void test_sighup_before_the_thread_is_counted_at_join(void **state)
{
    (void)state;
    SigWatch w;
    assert_true(sigwatch_install(&w));
    assert_int_equal(raise(SIGHUP), 0);
    assert_int_equal(sigwatch_join(&w), SIGHUP);
    sigwatch_remove(&w);
}

static void test_remove_puts_the_earlier_handlers_back(void **state)
{
    (void)state;
    struct sigaction ign = {.sa_handler = SIG_IGN}, old, now;
    sigemptyset(&ign.sa_mask);
    assert_int_equal(sigaction(SIGHUP, &ign, &old), 0);
    SigWatch w;
    assert_true(sigwatch_install(&w));
    assert_int_equal(sigaction(SIGHUP, NULL, &now), 0);
    assert_true(now.sa_handler != SIG_IGN); /* caught while watched */
    sigwatch_remove(&w);
    assert_int_equal(sigaction(SIGHUP, NULL, &now), 0);
    assert_true(now.sa_handler == SIG_IGN);
    sigaction(SIGHUP, &old, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigint_stops_what_is_watched),
        cmocka_unit_test(test_sigterm_stops_what_is_watched),
        cmocka_unit_test(test_sighup_stops_what_is_watched_as_sigterm_does),
        cmocka_unit_test(test_sighup_before_the_thread_is_counted_at_join),
        cmocka_unit_test(test_remove_puts_the_earlier_handlers_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
