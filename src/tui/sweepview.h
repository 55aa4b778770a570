/*
 * sweepview.h - the sweep screen of `gradtop sweep` on a terminal: a
 * leaderboard of the trials, every trial's validation curve on one chart,
 * a scatter of each searched parameter against the best figure, the
 * events (promotions, prunes, exploits), the budget used and an ETA
 * (sweepeta.h).  The
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

#include <stdbool.h>
#include <stddef.h>

#include "chart.h"
#include "gradtop/run/options.h"

/*
 * Runs the sweep of o on the terminal (resume: a sweep directory to go on
 * with, its options already in o; NULL for a new sweep).  Returns the
 * process exit code, as the headless sweep's: 0; 1 when the sweep's files
 * could not be written; 2 for options or a space the sweep refuses (a
 * message on stderr, before the screen opens); 3 when no trial scored an
 * epoch because they diverged; 128 + N after signal N (every trial is
 * stopped after its batch and the files are written first).  When the
 * sweep cannot start (its data, options or directory refused), or its
 * files could not be written while it ran (unless a signal ended it), why
 * goes into refused (refused_cap bytes) when it is not NULL, else on
 * stderr.  The setup form passes refused, and shows it, open again,
 * rather than ending the program.
 */
int sweepview_main(const Options *o, const char *resume, const char *exe_dir, char *refused,
                   size_t refused_cap);

/* The share of the figures a chart's y range shows whole
 * (sweepview_figure_axis). */
#define SWEEPVIEW_AXIS_SHARE 0.75
/* How many times the best a loss may be and still set the range
 * (sweepview_figure_axis). */
#define SWEEPVIEW_FAR_WORSE 100.0
/* How many times its low end the top of a loss's range must be for a log
 * axis (sweepview_figure_axis). */
#define SWEEPVIEW_LOG_SPAN 10.0

/*
 * The y axis of the sweep screen's charts over the figures v[0..n) (NaN
 * and infinities left out), lower better unless higher_better: from the
 * best figure to the SWEEPVIEW_AXIS_SHARE quantile of them counted from
 * the best (the worse end's rank rounded towards the worst, so that a
 * point is left out only among five or more), and for a loss above zero
 * no further than the worst figure within SWEEPVIEW_FAR_WORSE times the
 * best; widened to keep (a curve that must show whole; NaN: none), with
 * chart_autoscale's margin and round ends.  Figures past the worse end
 * lie off the chart.  A log axis
 * when lower is better, the figures are not fractions (unit) and the
 * range, all above zero, spans SWEEPVIEW_LOG_SPAN times its low end or
 * more; unit keeps a linear axis inside [0, 1].  No figure: 0 to 1.
 * scratch holds n values and may be v itself.  Pure.
 *
 * Why: a sweep over a wide range of rates has trials that diverge or
 * stay at chance, far above the good ones; a range fitted to every figure
 * put every good trial on the floor of the scatters, which are there to
 * show which values are good.  A quarter of the trials may be left out
 * of the range, and more when they are a hundred times the best (half of
 * the rates too high): they are drawn on the edge as arrows.  A loss
 * that still spans a decade is read best on a log axis, which gives the
 * good end, where a tenth of the loss matters, the room the bad end
 * would take on a linear one.
 */
ChartAxis sweepview_figure_axis(const double *v, size_t n, bool higher_better, bool unit,
                                double keep, double *scratch);

#endif
