/*
 * tui.h - the interactive mode of gradtop: the setup screen and the live
 * dashboard.  This is the one entry point the command line calls; all
 * curses code lives behind it, in src/tui/.
 *
 * Called once, on the main thread, which becomes the UI thread; training
 * runs on a thread of its own (see run.h).
 */
#ifndef GRADTOP_TUI_H
#define GRADTOP_TUI_H

#include <stdbool.h>

#include "gradtop/run/options.h"

/*
 * Runs `gradtop [OPTIONS] [DATASET]`.  opt holds the defaults, --config and
 * the command line; start (--start) skips the setup screen; exe_dir is the
 * program's directory (for datasets/ beside it; may be NULL); locked (may
 * be NULL) flags the option_table rows set on the command line, given (may
 * be NULL) those set there or in the --config file, which a dataset's own
 * defaults (presets.h) leave alone on the setup screen.
 *
 * Returns the process exit code: 0 after q; 2 with a message on stderr for
 * bad input found before curses starts (a dataset that does not load, an
 * option that does not fit) or when there is no terminal; 1 for a runtime
 * failure; 128 + N after signal N (130 for SIGINT).  The terminal is
 * restored on every way out.
 */
int tui_main(const Options *opt, bool start, const char *exe_dir, const bool *locked,
             const bool *given);

#endif
