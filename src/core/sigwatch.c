/*
 * sigwatch.c - SIGINT, SIGTERM, SIGHUP and SIGQUIT through a pipe.  See sigwatch.h.
 */
#include "gradtop/core/sigwatch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int watch_pipe[2] = {-1, -1};
/* The write end as the handler sees it: -1 once the pipe is closed (a
 * handler may still run on another thread while sigwatch_remove closes). */
static volatile sig_atomic_t watch_fd = -1;
/* The first signal the handler took, 0 for none: the pipe tells the watch
 * thread, this tells sigwatch_retarget, which must not miss a signal the
 * thread has not read yet (a lock-free atomic is async-signal-safe). */
static atomic_int watch_arrived;

/* clock_gettime is async-signal-safe (POSIX.1-2008, signal-safety(7)); a
 * note is far below PIPE_BUF, so it is written and read whole. */
static void on_signal(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    int saved = errno;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    SigNote note = {.sig = sig,
                    .code = si ? si->si_code : 0,
                    .pid = si ? (int32_t)si->si_pid : 0,
                    .ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec};
    int none = 0;
    atomic_compare_exchange_strong(&watch_arrived, &none, sig);
    int fd = watch_fd;
    if (fd >= 0) {
        ssize_t n = write(fd, &note, sizeof note); /* non-blocking: a full pipe drops it */
        (void)n;
    }
    errno = saved;
}

bool sigwatch_same_delivery(const SigNote *first, const SigNote *next)
{
    return next->sig == first->sig && next->code == SI_USER && first->code == SI_USER &&
           next->pid == first->pid && next->ns >= first->ns &&
           next->ns - first->ns < SIGWATCH_REPEAT_NS;
}

bool sigwatch_install(SigWatch *w)
{
    memset(w, 0, sizeof *w);
    pthread_mutex_init(&w->mu, NULL);
    if (watch_pipe[0] >= 0) {
        errno = EBUSY; /* one watch at a time */
        return false;
    }
    if (pipe2(watch_pipe, O_CLOEXEC) != 0) return false;
    atomic_store(&watch_arrived, 0);
    int fl = fcntl(watch_pipe[1], F_GETFL);
    if (fl >= 0) fcntl(watch_pipe[1], F_SETFL, fl | O_NONBLOCK);
    watch_fd = watch_pipe[1];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_SIGINFO;
    sigaction(SIGINT, &sa, &w->old_int);
    sigaction(SIGTERM, &sa, &w->old_term);
    sigaction(SIGHUP, &sa, &w->old_hup);
    sigaction(SIGQUIT, &sa, &w->old_quit);
    w->installed = true;
    return true;
}

/* Reads the pipe: a signal stops what is watched (once), a second one
 * insists, a note of signal 0 ends the thread. */
static void *watch_thread(void *arg)
{
    SigWatch *w = arg;
    SigNote note;
    for (;;) {
        ssize_t n = read(watch_pipe[0], &note, sizeof note);
        if (n < 0 && errno == EINTR) continue;
        if (n != (ssize_t)sizeof note || note.sig == 0) break;
        /* under the lock: the action cannot change while it is called */
        pthread_mutex_lock(&w->mu);
        if (!w->signal) {
            w->signal = note.sig;
            w->first = note;
            if (w->stop) w->stop(w->ctx);
        } else if (w->insist && !sigwatch_same_delivery(&w->first, &note)) {
            w->insist(w->insist_ctx);
        }
        pthread_mutex_unlock(&w->mu);
    }
    return NULL;
}

void sigwatch_start(SigWatch *w, void (*stop)(void *ctx), void *ctx)
{
    if (!w->installed || w->running) return;
    w->stop = stop;
    w->ctx = ctx;
    w->running = pthread_create(&w->thread, NULL, watch_thread, w) == 0;
}

bool sigwatch_retarget(SigWatch *w, void (*stop)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&w->mu);
    int sig = atomic_load(&watch_arrived);
    if (sig) {
        /* the signal's own action may still be on its way through the
         * pipe: the caller acts on it, so the thread does nothing more */
        if (!w->signal) w->signal = sig;
        w->stop = NULL;
    } else {
        w->stop = stop;
        w->ctx = ctx;
    }
    pthread_mutex_unlock(&w->mu);
    return !sig;
}

void sigwatch_insist(SigWatch *w, void (*insist)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&w->mu);
    w->insist = insist;
    w->insist_ctx = ctx;
    pthread_mutex_unlock(&w->mu);
}

int sigwatch_join(SigWatch *w)
{
    if (w->running) {
        SigNote quit = {0};
        /* the reader drains a full pipe, so a refused write is retried */
        while (write(watch_pipe[1], &quit, sizeof quit) < 0 && (errno == EAGAIN || errno == EINTR))
            usleep(1000);
        pthread_join(w->thread, NULL);
        w->running = false;
    } else if (w->installed && !w->signal) {
        /* no thread ran: a signal may wait in the pipe */
        int fl = fcntl(watch_pipe[0], F_GETFL);
        if (fl >= 0 && fcntl(watch_pipe[0], F_SETFL, fl | O_NONBLOCK) == 0) {
            SigNote note;
            while (read(watch_pipe[0], &note, sizeof note) == (ssize_t)sizeof note)
                if (note.sig && !w->signal) w->signal = note.sig;
            fcntl(watch_pipe[0], F_SETFL, fl);
        }
    }
    return w->signal;
}

void sigwatch_remove(SigWatch *w)
{
    if (!w->installed) return;
    int sig = sigwatch_join(w);
    if (sig) {
        /* The command is ending because of sig, its files written: a copy
         * of it still on its way (timeout(1) sends one to the process and
         * one to its group, and may be descheduled between the two) must
         * not kill it now with another exit status. */
        struct sigaction ign;
        memset(&ign, 0, sizeof ign);
        ign.sa_handler = SIG_IGN;
        sigemptyset(&ign.sa_mask);
        sigaction(SIGINT, &ign, NULL);
        sigaction(SIGTERM, &ign, NULL);
        sigaction(SIGHUP, &ign, NULL);
        sigaction(SIGQUIT, &ign, NULL);
    } else {
        sigaction(SIGINT, &w->old_int, NULL);
        sigaction(SIGTERM, &w->old_term, NULL);
        sigaction(SIGHUP, &w->old_hup, NULL);
        sigaction(SIGQUIT, &w->old_quit, NULL);
    }
    watch_fd = -1;
    close(watch_pipe[0]);
    close(watch_pipe[1]);
    watch_pipe[0] = watch_pipe[1] = -1;
    w->installed = false;
    pthread_mutex_destroy(&w->mu);
}
