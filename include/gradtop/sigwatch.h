/*
 * sigwatch.h - SIGINT, SIGTERM and SIGHUP for the headless commands (train,
 * a race without a terminal).  SIGHUP (the terminal or the SSH session that
 * started the run went away) ends a run as SIGTERM does: its files are
 * finished rather than cut off.  The handler only writes the signal's
 * number to a pipe, which is async-signal-safe whichever thread takes the
 * signal (OpenBLAS starts its own before main).  A thread started once
 * there is something to stop reads the pipe and calls stop(ctx) at the
 * first signal, so that training ends at its next batch and the run's
 * files are written whole.  What a signal does can change once, under the
 * watch's lock: a command starts the thread while it loads, with an action
 * that ends it (nothing is made yet), and hands over to stopping the
 * trainer just before it makes anything (sigwatch_retarget).  A second
 * signal while the first one's stop is under way calls insist(ctx), if
 * given: a stop that never comes (a thread stuck in a library) still ends
 * the process.  One watch at a time per process; its functions are for the
 * thread that installed it.
 */
#ifndef GRADTOP_SIGWATCH_H
#define GRADTOP_SIGWATCH_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

typedef struct {
    int signal; /* the first signal that arrived, 0 for none; read after sigwatch_join */
    void (*stop)(void *ctx);
    void *ctx;
    void (*insist)(void *ctx);
    void *insist_ctx;
    pthread_mutex_t mu; /* the actions and signal, while the thread runs */
    struct sigaction old_int, old_term, old_hup;
    pthread_t thread;
    bool installed, running;
} SigWatch;

/* Installs the handlers; false (errno set, the default actions left) when
 * there is no pipe, or (EBUSY) another watch is installed.  They replace
 * an inherited SIG_IGN too, deliberately: a run that is sent SIGINT ends
 * cleanly rather than not at all (a background run that should outlive a
 * Ctrl-C belongs in its own session: setsid). */
bool sigwatch_install(SigWatch *w);

/* Starts the thread that calls stop(ctx) at the first signal; what stop
 * acts on must outlive sigwatch_join.  Without it (no thread could start)
 * signals are still caught, and counted at sigwatch_join. */
void sigwatch_start(SigWatch *w, void (*stop)(void *ctx), void *ctx);

/* Makes the first signal call stop(ctx) from now on.  false when a signal
 * has already arrived, even one whose action has not run yet (then it
 * will not): the caller goes no further. */
bool sigwatch_retarget(SigWatch *w, void (*stop)(void *ctx), void *ctx);

/* Makes a second signal call insist(ctx) (the first one's stop has been
 * called); without it a second signal does nothing. */
void sigwatch_insist(SigWatch *w, void (*insist)(void *ctx), void *ctx);

/* Ends the thread; the signal that arrived, 0 for none.  The handlers stay
 * (a second signal while the files are written is caught too). */
int sigwatch_join(SigWatch *w);

/* Joins if needed, puts the earlier handlers back and closes the pipe. */
void sigwatch_remove(SigWatch *w);

#endif
