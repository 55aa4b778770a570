/*
 * race.h - `gradtop race`: two to four optimizer configurations trained
 * side by side from the same initial weights and the same batch order (one
 * seed, one session shared read-only), each racer in its own trainer thread
 * (a Run of run.h) with its own run files, drawn on one chart.  Without a
 * terminal on stdout it prints one line per epoch per racer instead, and
 * SIGINT, SIGTERM or SIGHUP stops every racer at its next batch (exit 130).
 *
 * Called once, on the main thread.
 */
#ifndef GRADTOP_TUI_RACE_H
#define GRADTOP_TUI_RACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "gradtop/run/options.h"

#define RACE_MAX 4
/* The longest racer name= (it ends the racer's run directory's name). */
#define RACE_NAME_MAX 24
#define RACE_DEFAULT "sgd:lr=0.01,momentum=0.9;adam:lr=0.001;rmsprop:lr=0.001"

/*
 * Runs the race of racers (RACE_DEFAULT when NULL): racers separated by
 * ';', each OPTIMIZER[:KEY=VALUE,...] with KEY an optimizer parameter (lr,
 * momentum, nesterov, beta1, rho, ...), a model or training option (layers,
 * activation, batch-size, l2, seed, ...) or name (the racer's name and run
 * directory suffix).  The data options, logdir, no-log and config are
 * shared: as KEYs they are refused.  o holds the shared options and the
 * dataset.  Returns the process exit code (0, 1, 2, 130 for an interrupted
 * headless race, or 128 + a signal on the screen).
 */
int race_main(const Options *o, const char *racers, const char *exe_dir);
/* What race --help and the man page say of race besides its options. */
void race_details(FILE *f);

/*
 * Parses racers (RACE_DEFAULT when NULL) over the shared options o as
 * race_main would, without starting anything: false with the reason in why
 * ("--racers: racer 2 (adam:x=1): unknown option 'x'") when it would be
 * refused.  names (may be NULL) receives the racers' names, "sgd, adam,
 * rmsprop".
 */
bool race_check(const Options *o, const char *racers, char *why, size_t cap, char *names,
                size_t names_cap);
/* race_check, also giving each racer's own options in out[0..*n) (out
 * and n may be NULL; *n is 0 when refused). */
bool race_options(const Options *o, const char *racers, Options out[RACE_MAX], int *n, char *why,
                  size_t cap, char *names, size_t names_cap);

#endif
