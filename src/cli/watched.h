/*
 * watched.h - the signal handling the headless commands that train share
 * (train, sweep, a race without a terminal): SIGINT, SIGTERM, SIGHUP and
 * SIGQUIT through the signal watch (gradtop/core/sigwatch.h) from before the data
 * loads, and SIGPIPE ignored, so that a closed pipe on standard output is
 * EPIPE, which ends a run cleanly, rather than a kill half-written.
 *
 * A signal while the command loads (which may block: a FIFO whose writer
 * waits) ends the process at once with that exit code, saying so: nothing
 * is made yet.  Just before it makes anything, the command hands the signal
 * over to stopping its training (cli_watch_retarget); from then on a signal
 * stops the training at its next batch, the files are written whole, and
 * the command reads the signal from sigwatch_join to exit with
 * cli_interrupted_exit's code: EXIT_INTERRUPTED (130), or EXIT_QUIT (131)
 * for SIGQUIT, as on a screen.  Main thread only.
 */
#ifndef GRADTOP_CLI_WATCHED_H
#define GRADTOP_CLI_WATCHED_H

#include <stdbool.h>

#include "gradtop/core/sigwatch.h"

typedef struct {
    SigWatch sig;      /* sigwatch_join and sigwatch_insist take &sig */
    const char *early; /* said on stderr when a signal comes before anything is made */
} CliWatch;

/* Runs body(w, ctx) with the watch installed and SIGPIPE ignored, then puts
 * both back; body's exit code, or EXIT_RUNTIME (said on stderr) when the
 * watch has no pipe.  early is the line said when a signal comes before
 * body's cli_watch_retarget: "gradtop: interrupted before training
 * started; nothing was written". */
int cli_run_watched(const char *early, int (*body)(CliWatch *w, void *ctx), void *ctx);

/* The exit code of a command that sig ended: EXIT_QUIT for SIGQUIT,
 * which a person sends (Ctrl-\) to quit rather than to interrupt, as the
 * screens exit; EXIT_INTERRUPTED for SIGINT, SIGTERM and SIGHUP alike. */
int cli_interrupted_exit(int sig);

/* From now on the first signal calls stop(ctx).  false when a signal has
 * already come: its line has been said, and body returns
 * cli_interrupted_exit(w->sig.signal) without making anything. */
bool cli_watch_retarget(CliWatch *w, void (*stop)(void *ctx), void *ctx);

#endif
