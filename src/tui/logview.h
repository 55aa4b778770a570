/*
 * view.h - `gradtop view [LOGDIR]`: the dashboard over runs already on disk.
 *
 * The top of the screen lists the runs under LOGDIR (runs.h reads them):
 * a colour swatch, the name, the dataset, one column per hyperparameter
 * that differs between the listed runs, when each started, its status,
 * its last epoch and its best validation figure with the epoch it came
 * from.  The list sorts (by start, name, best figure or status, either way
 * round) and filters with a regular expression typed after `/`.  Below it,
 * braille charts overlay the selected runs, each in its own stable colour:
 * one chart per metric (loss, accuracy, ...), the validation curve bold and
 * the training curve faint behind it; tab pages through the other metrics
 * (a foreign writer's tags too).  The runs are re-read every 500 ms, so a
 * run started elsewhere appears and grows on screen within a second.
 *
 * A LOGDIR that does not exist yet is waited for ("waiting for runs/ to
 * appear"), so the view can be opened before the first run is started; a
 * LOGDIR that exists but is not a directory is a usage error (exit 2).
 *
 * Called once, on the main thread, which becomes the UI thread; there is
 * no other thread.
 */
#ifndef GRADTOP_TUI_VIEW_H
#define GRADTOP_TUI_VIEW_H

#include <stdbool.h>

#include "gradtop/run/options.h"

/* The smallest terminal the view draws in. */
#define VIEW_MIN_COLS 60
#define VIEW_MIN_ROWS 16

/*
 * Runs `gradtop view [LOGDIR]`: args[0..n_args) are the positional
 * arguments (at most one, the LOGDIR); without one, opt->logdir (`runs`
 * unless --logdir says otherwise).
 *
 * Returns the process exit code: 0 after q; 2 with a message on stderr for
 * more than one LOGDIR, a LOGDIR that is not a directory or cannot be read,
 * or no terminal; 1 for a runtime failure; 128 + N after signal N.  The
 * terminal is restored on every way out.
 */
int logview_main(const Options *opt, int n_args, const char *const *args);

/*
 * The view inside a screen already up, on the UI thread: the sweep
 * screen's enter on a trial that has ended.  LOGDIR is read as the view
 * reads it; the runs named focus[0..n_focus) (names relative to LOGDIR) are
 * the ones charted, with the cursor on the first, and runs that appear
 * later are listed but not charted.  hint, when not NULL, is the status
 * line's text while it has nothing more pressing (a notice, a warning or a
 * filter).  q, or esc with no filter on, goes back; the caller redraws its
 * own screen.  Returns 0 then, 128 + N after signal N, 1 when out of
 * memory (nothing shown).
 */
int logview_nested(const char *logdir, const char *const *focus, int n_focus, const char *hint);

/*
 * The view's keys, as its help overlay lists them, for the manual page
 * (gradtop --man): key i's label ("up/k") and what it does.  False past
 * the last key.  Any thread.
 */
bool logview_key_row(int i, const char **label, const char **help);

#endif
