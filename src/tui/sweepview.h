/*
 * sweepview.h - the sweep screen of `gradtop sweep` on a terminal: a
 * leaderboard of the trials, every trial's validation curve on one chart,
 * a scatter of each searched parameter against the best figure, the
 * events (promotions, prunes, exploits), the budget used and an ETA.  The
 * trials run in the executor (gradtop/sweep/exec.h) on a thread of its own
 * (the executor's owner); this screen reads their state each frame and
 * acts on them through the executor's controls.  Enter opens the trial
 * under the cursor in the full dashboard (dashboard.h, with the trial's
 * run borrowed: run.h), or, once the trial has ended, its run directory in
 * the run view beside the best trial's (logview.h); esc comes back from
 * either; a trains the best configuration
 * in full.  Without a terminal the sweep runs headless
 * (src/cli/cmd_sweep.c).
 *
 * Called once, on the main thread, which becomes the UI thread.
 */
#ifndef GRADTOP_TUI_SWEEPVIEW_H
#define GRADTOP_TUI_SWEEPVIEW_H

#include "gradtop/run/options.h"

/*
 * Runs the sweep of o on the terminal (resume: a sweep directory to go on
 * with, its options already in o; NULL for a new sweep).  Returns the
 * process exit code, as the headless sweep's: 0; 1 when the sweep's files
 * could not be written; 2 for options or a space the sweep refuses (a
 * message on stderr, before the screen opens); 3 when no trial scored an
 * epoch because they diverged; 128 + N after signal N (every trial is
 * stopped after its batch and the files are written first).  When the
 * sweep cannot start (its data, options or directory refused), why goes
 * into refused (refused_cap bytes) when it is not NULL, else on stderr.
 */
int sweepview_main(const Options *o, const char *resume, const char *exe_dir, char *refused,
                   size_t refused_cap);

/*
 * The header's ETA: the seconds left once done epochs of ceiling (the
 * most the sweep can take) are done, at the pace of the ran seconds the
 * screen has trained for.  done_before of them were done before it opened
 * (a resumed sweep's trials bring theirs) and took none of those seconds.
 * Negative when no epoch has been done since, which would tell the pace.
 * Pure.
 */
double sweepview_eta(long done_before, long done, long ceiling, double ran);

#endif
