/*
 * setup.h - the setup screen of `gradtop [OPTIONS] [DATASET]`: a form of
 * every training option, prefilled from the command line, beside a list of
 * the datasets on offer and a live preview of the selected one (rows,
 * features, task, classes with a class-balance bar, and any problem the
 * loader found).  UI thread only, with curses started.
 */
#ifndef GRADTOP_TUI_SETUP_H
#define GRADTOP_TUI_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "gradtop/data/dataset.h"
#include "gradtop/run/options.h"

typedef enum {
    SETUP_START,  /* Start pressed: opt holds the chosen settings */
    SETUP_QUIT,   /* Esc */
    SETUP_SIGNAL, /* SIGINT/SIGTERM/SIGHUP/SIGQUIT arrived: *sig says which */
    SETUP_RACE,   /* Start pressed with mode "race": opt and racers hold the choice */
    SETUP_SWEEP,  /* Start pressed with mode "sweep": opt holds the sweep (its space, ...) */
} SetupResult;

/*
 * Runs the setup screen on opt (read, and written on SETUP_START).  locked
 * (may be NULL) flags the option_table rows given on the command line,
 * given (may be NULL) those given there or in a --config file: when
 * another dataset is chosen, every other option still at the last
 * dataset's default takes the new one's (presets.h);
 * message (may be NULL) is shown at the start, e.g. why the last Start
 * failed.  racers (may be NULL: no such choice) adds a "mode" row,
 * single, race or sweep (then gradtop sweep's rows: space, sampler,
 * scheduler, ...), and the racers of a race (gradtop/run/racers.h's
 * syntax, checked as it is typed), prefilled from and written back to
 * racers[0..racers_cap); the mode row opens on race or sweep when mode is
 * SETUP_RACE or SETUP_SWEEP (one that could not start), else on single.
 */
SetupResult setup_run(Options *opt, const char *exe_dir, const bool *locked, const bool *given,
                      const char *message, int *sig, char *racers, size_t racers_cap,
                      SetupResult mode);

/*
 * The kind of data the dataset row names, told once per name and file:
 * the rows that apply to one kind of data ask at every draw, several
 * times a frame, and dataset_kind looks for files (stat, open, realpath).
 * A name other than the last is told anew (dataset_kind with exe_dir),
 * and so is the same name once the file it names is another (one made
 * where there was none, one renamed into its place, one rewritten: the
 * form stays open while a person fetches the data); told counts how
 * often, for tests.
 */
typedef struct {
    char name[OPTIONS_PATH];
    DatasetKind kind;
    bool known;
    /* the regular file of that name when its kind was told (stat) */
    bool exists;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    unsigned long told;
} SetupDataKind;
DatasetKind setup_data_kind(SetupDataKind *k, const char *dataset, const char *exe_dir);

#endif
