/*
 * racers.h - the racers of `gradtop race` (--racers): two to four
 * configurations over the shared options, each a racer's own Options.
 * Parsing only: the race screen (src/tui/race.c) and the headless race
 * (src/cli/cmd_race.c) run them.  Nothing here prints.
 */
#ifndef GRADTOP_RUN_RACERS_H
#define GRADTOP_RUN_RACERS_H

#include <stdbool.h>
#include <stddef.h>

#include "gradtop/run/options.h"

#define RACE_MAX 4
/* The longest racer name= (it ends the racer's run directory's name). */
#define RACE_NAME_MAX 24
#define RACE_DEFAULT "sgd:lr=0.01,momentum=0.9;adam:lr=0.001;rmsprop:lr=0.001"

typedef struct {
    char name[RACE_NAME_MAX + 1]; /* name=, or the optimizer, numbered when it runs twice */
    bool named;                   /* by name=, not after its optimizer */
    Options opt;                  /* the shared options with the racer's own over them */
} RacerSpec;

/*
 * Parses spec (when NULL, base's dataset's own racers, presets.h, or else
 * RACE_DEFAULT) over the shared options base: racers
 * separated by ';', each OPTIMIZER[:KEY=VALUE,...] with KEY an optimizer
 * parameter (lr, momentum, nesterov, beta1, rho, ...), a model or training
 * option (layers, activation, batch-size, l2, seed, ...) or name (the
 * racer's name and run directory suffix).  The data options, logdir,
 * no-log and config are shared: as KEYs they are refused.  Fills
 * out[0..*n); false with *n 0 and the reason in why ("--racers: racer 2
 * (adam:x=1): unknown option 'x'") when spec is refused.
 */
bool racers_parse(const Options *base, const char *spec, RacerSpec out[RACE_MAX], int *n, char *why,
                  size_t cap);
/* racers_parse, giving only each racer's options in out[0..*n) (out and n
 * may be NULL) and, in names (may be NULL), the racers' names: "sgd, adam,
 * rmsprop". */
bool race_options(const Options *o, const char *racers, Options out[RACE_MAX], int *n, char *why,
                  size_t cap, char *names, size_t names_cap);
/* Whether racers would be accepted (race_options without the options). */
bool race_check(const Options *o, const char *racers, char *why, size_t cap, char *names,
                size_t names_cap);

#endif
