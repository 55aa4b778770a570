/*
 * sigwatch.h - SIGINT, SIGTERM and SIGHUP for the headless commands (train,
 * a race without a terminal).  SIGHUP (the terminal or the SSH session that
 * started the run went away) ends a run as SIGTERM does: its files are
 * finished rather than cut off.  The handler only writes the signal's
 * number to a pipe, which is async-signal-safe whichever thread takes the
 * signal (OpenBLAS starts its own before main).  A thread started once
 * there is something to stop reads the pipe and calls stop(ctx) at the
 * first signal, so that training ends at its next batch and the run's
 * files are written whole; a signal that arrives before then waits in the
 * pipe.  One watch at a time per process; its functions are for the thread
 * that installed it.
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

/* Ends the thread; the signal that arrived, 0 for none.  The handlers stay
 * (a second signal while the files are written is caught too). */
int sigwatch_join(SigWatch *w);

/* Joins if needed, puts the earlier handlers back and closes the pipe. */
void sigwatch_remove(SigWatch *w);

#endif
