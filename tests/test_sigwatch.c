/*
 * test_sigwatch.c - the headless commands' signal watch: SIGINT, SIGTERM,
 * SIGHUP and SIGQUIT each reach the stop callback (the process is not
 * killed, nor SIGQUIT's core dumped), a
 * signal that comes before the thread starts is counted at join, removing
 * the watch puts the earlier handlers back; the first action while a
 * command loads, the one handed over before it makes anything (and the
 * hand-over refused once a signal has come), and a second signal's insist.
 * raise() runs the handler on this thread before it returns; the actions
 * run on the watch thread and report through a pipe the test reads
 * blocking, so nothing depends on timing.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "gradtop/core/sigwatch.h"

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

/* Ctrl-\ on a headless run: stopped as SIGINT stops it, where its
 * default action would dump core with the run's files half written. */
static void test_sigquit_stops_what_is_watched_as_sigint_does(void **state)
{
    (void)state;
    signal_reaches_stop(SIGQUIT);
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

/* After a signal, the command is on its way out: remove leaves the four
 * signals ignored, so that a late copy (timeout(1) sends two) cannot kill
 * it with another status after its files are written. */
static void after_a_signal_remove_leaves_late_copies_ignored(void **state)
{
    (void)state;
    SigWatch w;
    assert_true(sigwatch_install(&w));
    assert_int_equal(raise(SIGTERM), 0);
    assert_int_equal(sigwatch_join(&w), SIGTERM);
    sigwatch_remove(&w);
    int sigs[4] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    for (int k = 0; k < 4; k++) {
        struct sigaction now;
        assert_int_equal(sigaction(sigs[k], NULL, &now), 0);
        assert_true(now.sa_handler == SIG_IGN);
    }
    assert_int_equal(raise(SIGTERM), 0); /* a late copy: nothing happens */
    for (int k = 0; k < 4; k++) signal(sigs[k], SIG_DFL);
}

static int report[2];

/* Actions: each writes its letter to the report pipe. */
static void act(void *ctx)
{
    char c = *(const char *)ctx;
    ssize_t n = write(report[1], &c, 1);
    (void)n;
}

static char next_report(void)
{
    char c = 0;
    assert_int_equal(read(report[0], &c, 1), 1);
    return c;
}

static int setup(void **state)
{
    (void)state;
    return pipe(report);
}

static int teardown(void **state)
{
    (void)state;
    close(report[0]);
    close(report[1]);
    return 0;
}

static void first_signal_runs_the_action_set_at_start(void **state)
{
    (void)state;
    SigWatch w;
    assert_true(sigwatch_install(&w));
    static char a = 'A';
    sigwatch_start(&w, act, &a);
    raise(SIGINT);
    assert_int_equal(next_report(), 'A');
    assert_int_equal(sigwatch_join(&w), SIGINT);
    sigwatch_remove(&w);
}

static void handed_over_action_replaces_the_first(void **state)
{
    (void)state;
    SigWatch w;
    assert_true(sigwatch_install(&w));
    static char a = 'A', b = 'B';
    sigwatch_start(&w, act, &a);
    assert_true(sigwatch_retarget(&w, act, &b));
    raise(SIGTERM);
    assert_int_equal(next_report(), 'B');
    assert_int_equal(sigwatch_join(&w), SIGTERM);
    sigwatch_remove(&w);
}

/* A signal the handler took but the thread may not have read yet still
 * refuses the hand-over: the caller then makes nothing. */
static void hand_over_after_a_signal_is_refused(void **state)
{
    (void)state;
    SigWatch w;
    assert_true(sigwatch_install(&w));
    static char a = 'A', b = 'B';
    sigwatch_start(&w, act, &a);
    raise(SIGINT);
    assert_false(sigwatch_retarget(&w, act, &b));
    assert_int_equal(sigwatch_join(&w), SIGINT);
    sigwatch_remove(&w);
    /* B never ran (A may have, before the refusal) */
    char c;
    assert_int_equal(write(report[1], "-", 1), 1);
    while ((c = next_report()) != '-') assert_int_equal(c, 'A');
}

static void second_signal_insists(void **state)
{
    (void)state;
    SigWatch w;
    assert_true(sigwatch_install(&w));
    static char s = 'S', i = 'I';
    sigwatch_start(&w, act, &s);
    sigwatch_insist(&w, act, &i);
    raise(SIGINT);
    assert_int_equal(next_report(), 'S');
    raise(SIGINT);
    assert_int_equal(next_report(), 'I');
    assert_int_equal(sigwatch_join(&w), SIGINT);
    sigwatch_remove(&w);
}

static void without_insist_a_second_signal_does_nothing_more(void **state)
{
    (void)state;
    SigWatch w;
    assert_true(sigwatch_install(&w));
    static char s = 'S';
    sigwatch_start(&w, act, &s);
    raise(SIGINT);
    raise(SIGTERM);
    assert_int_equal(next_report(), 'S');
    /* the join drains both signals first: anything more would be here */
    assert_int_equal(sigwatch_join(&w), SIGINT);
    sigwatch_remove(&w);
    assert_int_equal(write(report[1], "-", 1), 1);
    assert_int_equal(next_report(), '-');
}

/* One delivery twice from the same process by kill(2), as timeout(1) sends
 * its signal to the command and then to its process group, is one signal;
 * the same signal from another process, or from the kernel (a second
 * Ctrl-C), or long after, is a second one. */
static void a_repeat_from_the_same_sender_is_one_delivery(void **state)
{
    (void)state;
    SigNote first = {.sig = SIGTERM, .code = SI_USER, .pid = 100, .ns = 1000000000};
    SigNote again = first;
    again.ns += 20000; /* 20 us later */
    assert_true(sigwatch_same_delivery(&first, &again));
    SigNote other = again;
    other.pid = 101;
    assert_false(sigwatch_same_delivery(&first, &other));
    SigNote kernel = first, kernel2 = again;
    kernel.code = kernel2.code = SI_KERNEL;
    kernel.pid = kernel2.pid = 0;
    assert_false(sigwatch_same_delivery(&kernel, &kernel2));
    SigNote late = first;
    late.ns += SIGWATCH_REPEAT_NS;
    assert_false(sigwatch_same_delivery(&first, &late));
    SigNote sig2 = again;
    sig2.sig = SIGINT;
    assert_false(sigwatch_same_delivery(&first, &sig2));
}

/* Two kill(2)s from this process back to back do not insist; a third from
 * another process does, once.  The reports say which actions ran; the
 * watch thread reads the notes in order, so by the time the child's insist
 * is reported both of this process's notes have been read. */
static void a_doubly_delivered_signal_does_not_insist(void **state)
{
    (void)state;
    SigWatch w;
    assert_true(sigwatch_install(&w));
    static char s = 'S', i = 'I';
    sigwatch_start(&w, act, &s);
    sigwatch_insist(&w, act, &i);
    assert_int_equal(kill(getpid(), SIGHUP), 0);
    assert_int_equal(kill(getpid(), SIGHUP), 0);
    assert_int_equal(next_report(), 'S');
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) _exit(kill(getppid(), SIGHUP) == 0 ? 0 : 1);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(next_report(), 'I');
    assert_int_equal(sigwatch_join(&w), SIGHUP);
    sigwatch_remove(&w);
    /* nothing more was reported: the repeat did not insist */
    assert_int_equal(write(report[1], "-", 1), 1);
    assert_int_equal(next_report(), '-');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigint_stops_what_is_watched),
        cmocka_unit_test(test_sigterm_stops_what_is_watched),
        cmocka_unit_test(test_sighup_stops_what_is_watched_as_sigterm_does),
        cmocka_unit_test(test_sigquit_stops_what_is_watched_as_sigint_does),
        cmocka_unit_test(test_sighup_before_the_thread_is_counted_at_join),
        cmocka_unit_test(test_remove_puts_the_earlier_handlers_back),
        cmocka_unit_test(after_a_signal_remove_leaves_late_copies_ignored),
        cmocka_unit_test(first_signal_runs_the_action_set_at_start),
        cmocka_unit_test(handed_over_action_replaces_the_first),
        cmocka_unit_test(hand_over_after_a_signal_is_refused),
        cmocka_unit_test(second_signal_insists),
        cmocka_unit_test(without_insist_a_second_signal_does_nothing_more),
        cmocka_unit_test(a_repeat_from_the_same_sender_is_one_delivery),
        cmocka_unit_test(a_doubly_delivered_signal_does_not_insist),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
