/*
 * screen.h - the one loop every screen runs (the setup form, the dashboard,
 * the race, the run viewer): draw a frame, wait in poll() for a key, a
 * signal on crt's pipe or the next frame's time, hand the keys over, again.
 *
 * A screen is its hooks: frame() brings its state up to date and draws
 * (or does not, when nothing changed) and says when the next frame is
 * due; key() takes one key; done() says the screen is finished.  poll() is
 * how the loop sleeps, never how it synchronizes with a trainer: the
 * trainer's progress is copied in frame().  UI thread only.
 */
#ifndef GRADTOP_TUI_SCREEN_H
#define GRADTOP_TUI_SCREEN_H

#include <stdbool.h>
#include <stddef.h>

/* The frame times screens ask for: 25 frames a second while something
 * moves (training), 10 while it is still (paused, ended, a form). */
#define SCREEN_BUSY_S 0.04
#define SCREEN_IDLE_S 0.1

typedef struct {
    void *ctx;
    /* Updates and draws a frame; returns the seconds until the next one
     * is due (0: at once, once the keys waiting are taken). */
    double (*frame)(void *ctx);
    void (*key)(void *ctx, int ch);
    bool (*done)(void *ctx);
} ScreenHooks;

/* Runs frames until done() says so.  Returns 0 then, 128 + N after
 * signal N (SIGINT, SIGTERM, SIGHUP: crt_signal_fd), or 1 when the
 * terminal cannot be waited on. */
int screen_loop(const ScreenHooks *h);

/* Why a screen cannot start (bad input, before it opens, or a failure
 * after: a run that cannot be made, files that cannot be written): into
 * refused (cap bytes) when the caller takes it there, the setup form,
 * which shows it and stays; else on stderr after who ("gradtop race"). */
void screen_refuse(char *refused, size_t cap, const char *who, const char *why);

/* Seconds on the monotonic clock: for frame times and notices, never to
 * order anything. */
double screen_now(void);

#endif
