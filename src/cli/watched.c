/*
 * watched.c - the headless commands' signal handling.  See watched.h.
 */
#include "watched.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* A signal while the data loads or the network is built: nothing is made
 * yet, so the command ends at once, even when loading blocks. */
static void abandon_loading(void *ctx)
{
    const CliWatch *w = ctx;
    fprintf(stderr, "%s\n", w->early);
    _exit(cli_interrupted_exit(w->sig.signal)); /* set before the action runs */
}

int cli_interrupted_exit(int sig)
{
    return sig == SIGQUIT ? EXIT_QUIT : EXIT_INTERRUPTED;
}

int cli_run_watched(const char *early, int (*body)(CliWatch *w, void *ctx), void *ctx)
{
    CliWatch w = {.early = early};
    if (!sigwatch_install(&w.sig)) {
        fprintf(stderr, "gradtop: no pipe to watch for signals: %s\n", strerror(errno));
        return EXIT_RUNTIME;
    }
    struct sigaction ignore = {.sa_handler = SIG_IGN}, old_pipe;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, &old_pipe);
    sigwatch_start(&w.sig, abandon_loading, &w);
    int rc = body(&w, ctx);
    sigaction(SIGPIPE, &old_pipe, NULL);
    sigwatch_remove(&w.sig);
    return rc;
}

bool cli_watch_retarget(CliWatch *w, void (*stop)(void *ctx), void *ctx)
{
    if (sigwatch_retarget(&w->sig, stop, ctx)) return true;
    fprintf(stderr, "%s\n", w->early);
    return false;
}
