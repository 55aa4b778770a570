/*
 * race.h - the race screen of `gradtop race`: two to four optimizer
 * configurations (the racers of gradtop/run/racers.h) trained side by side
 * from the same initial weights and the same batch order (one seed, one
 * session shared read-only), each racer in its own trainer thread (a Run
 * of run.h) with its own run files, drawn on one chart.  Without a
 * terminal the race runs headless (src/cli/cmd_race.c).
 *
 * Called once, on the main thread.
 */
#ifndef GRADTOP_TUI_RACE_H
#define GRADTOP_TUI_RACE_H

#include "gradtop/run/options.h"
#include "gradtop/run/racers.h"

/*
 * Runs the race of racers (racers_parse; RACE_DEFAULT when NULL) on the
 * terminal.  o holds the shared options and the dataset.  Returns the
 * process exit code (0, 1, 2, 3 when a racer diverged, or 128 + a signal).
 * When the race cannot start (racers, data or a racer's network refused,
 * a run directory that cannot be made), why goes into refused (refused_cap
 * bytes) when it is not NULL, else on stderr: the setup form passes
 * refused, and shows it, open again, rather than ending the program.  Run
 * files that fail while it runs do not end the race (its screen pauses the
 * racer, w goes on without them): they are said on stderr at the end.
 */
int race_main(const Options *o, const char *racers, const char *exe_dir, char *refused,
              size_t refused_cap);

#endif
