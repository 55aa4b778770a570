/*
 * dashboard.h - the live dashboard: charts of loss and accuracy (or MAE),
 * the status panel, the key bar, and the keys the guide (docs/guide.md) lists.
 *
 * dashboard_run() is the UI loop of a run already started with run_start():
 * it copies the trainer's snapshot once per frame, draws with one doupdate
 * per frame, and waits (screen_loop) for a key, a signal or the next
 * frame (40 ms while training: 25 frames a second).  It returns the process
 * exit code: 0 after q or o, 3 when the run diverged, 128 + the signal
 * after SIGINT, SIGTERM, SIGHUP or SIGQUIT; *to_setup is true after o (back to the
 * setup form with run->opt, which holds the changes made live).  UI
 * thread only.
 */
#ifndef GRADTOP_TUI_DASHBOARD_H
#define GRADTOP_TUI_DASHBOARD_H

#include "run.h"

/* The smallest terminal the dashboard draws in. */
#define DASHBOARD_MIN_COLS 70
#define DASHBOARD_MIN_ROWS 20

#include <stdbool.h>

int dashboard_run(Run *run, bool *to_setup);

#endif
