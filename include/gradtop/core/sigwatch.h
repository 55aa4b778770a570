/*
 * sigwatch.h - SIGINT, SIGTERM, SIGHUP and SIGQUIT for the headless
 * commands (train, a race or sweep without a terminal).  SIGHUP (the
 * terminal or the SSH session that started the run went away) ends a run as
 * SIGTERM does, and SIGQUIT (Ctrl-\) as SIGINT does: its files are finished
 * rather than cut off (or left to a core dump).  The handler only writes the signal's
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
#include <stdint.h>

/* One delivery as the handler saw it: which signal, who sent it (si_code,
 * si_pid) and when (CLOCK_MONOTONIC, ns). */
typedef struct {
    int32_t sig, code, pid;
    int64_t ns;
} SigNote;

/* Whether next is the same signal as first, delivered a second time rather
 * than sent again: the same signal from the same process by kill(2)
 * (SI_USER), within SIGWATCH_REPEAT_NS.  timeout(1), for one, sends its
 * signal to the command and then to the command's process group, so the
 * command receives it twice; a repeat counts as one signal, not as the
 * insistence of a second.  A person's second Ctrl-C comes from the kernel
 * (SI_KERNEL) and counts. */
#define SIGWATCH_REPEAT_NS 500000000LL
bool sigwatch_same_delivery(const SigNote *first, const SigNote *next);

typedef struct {
    SigNote first; /* the first delivery, for sigwatch_same_delivery */
    int signal;    /* the first signal that arrived, 0 for none; read after sigwatch_join */
    void (*stop)(void *ctx);
    void *ctx;
    void (*insist)(void *ctx);
    void *insist_ctx;
    pthread_mutex_t mu; /* the actions and signal, while the thread runs */
    struct sigaction old_int, old_term, old_hup, old_quit;
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
 * called); without it a second signal does nothing.  A delivery of the
 * first signal again (sigwatch_same_delivery) is not a second signal. */
void sigwatch_insist(SigWatch *w, void (*insist)(void *ctx), void *ctx);

/* Ends the thread; the signal that arrived, 0 for none.  The handlers stay
 * (a second signal while the files are written is caught too). */
int sigwatch_join(SigWatch *w);

/* Joins if needed, puts the earlier handlers back and closes the pipe.
 * After a signal has arrived it ignores the four instead: the command is
 * ending because of it, and a late copy must not kill it on the way out. */
void sigwatch_remove(SigWatch *w);

#endif
