/*
 * child.h - runs a check in a forked child, for the tests that must change
 * the process itself (resource limits) or that a bug would hang: the child
 * gets alarm(60), so a hang ends as SIGALRM, a failure, not as a stuck
 * suite (passing never waits for it).  The check returns NULL for success
 * or a message; the parent fails with it, or with how the child died.
 * Include after cmocka.h.
 */
#ifndef GRADTOP_TESTS_CHILD_H
#define GRADTOP_TESTS_CHILD_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gradtop/core/sysmem.h"

typedef const char *(*ChildCheck)(void *arg);

static void child_run(ChildCheck check, void *arg)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        alarm(60);
        const char *msg = check(arg);
        if (msg) {
            ssize_t n = write(fds[1], msg, strlen(msg));
            (void)n;
        }
        _exit(msg ? 1 : 0);
    }
    close(fds[1]);
    char msg[1024] = "";
    size_t got = 0;
    ssize_t n;
    while (got + 1 < sizeof msg && (n = read(fds[0], msg + got, sizeof msg - 1 - got)) > 0)
        got += (size_t)n;
    msg[got] = '\0';
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status))
        fail_msg("the child died of signal %d%s", WTERMSIG(status),
                 WTERMSIG(status) == SIGALRM ? " (it hung for 60 s)" : "");
    if (WEXITSTATUS(status) != 0) fail_msg("%s", got ? msg : "the child failed");
}

/* Sets soft limit resource to what key (a /proc/self/status field) uses
 * now plus extra bytes; false when it cannot. */
static bool child_limit_above_use(int resource, const char *key, double extra)
{
    double used = sysmem_status_bytes(key);
    if (used < 0) return false;
    struct rlimit rl;
    if (getrlimit(resource, &rl) != 0) return false;
    rl.rlim_cur = (rlim_t)(used + extra);
    return setrlimit(resource, &rl) == 0;
}

#endif
