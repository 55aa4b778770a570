/*
 * runs.h - the runs under a log directory, read for `gradtop view`: which
 * runs there are, what each one is (name, dataset, task, status, best
 * validation figure, options) and its scalar series, re-read incrementally
 * as the runs grow.
 *
 * What counts as a run, looking from LOGDIR down to depth 3 (LOGDIR itself
 * is depth 0; hidden directories are skipped):
 *   - a gradtop run directory (docs/files.md): one holding
 *     metrics.csv or journal.txt.  Its scalars come from metrics.csv (exact,
 *     with wall time and learning rate); its event files are read only while
 *     it has no metrics.csv.  config.txt gives its Options, journal.txt its
 *     start time, status and hyperparameter-change marks.
 *   - a Keras run: a directory whose train/ and/or validation/ subdirectories
 *     hold events.out.tfevents.* files (the TensorBoard callback's layout).
 *     Both become one run named after the directory; "epoch_X" tags become
 *     "X" from train/ and "val_X" from validation/ (other validation/ tags
 *     get a "val_" prefix too), so they line up with gradtop's names.
 *   - any other directory holding events.out.tfevents.* files (PyTorch's
 *     SummaryWriter and the like): its tags as written, the files read in
 *     name order (which is creation-time order).
 *
 * Series names.  A gradtop run's series are its metrics.csv columns except
 * epoch, step and wall_time, with "lr" named "learning_rate" as in its event
 * file: loss, accuracy, val_loss, val_accuracy, learning_rate (regression:
 * mae, r2, val_mae, val_r2).  The x value of a point is its step, which is
 * the epoch for gradtop runs (metrics.csv's epoch column, the event files'
 * step) and whatever the writer used for others (Keras: the 0-based epoch).
 *
 * Incremental reading.  Every file is read from the byte offset where the
 * last read stopped, in bounded chunks, and closed again (a RunSet holds no
 * descriptors).  A line or record that is not complete yet (a writer in the
 * middle of it) is left for the next refresh.  A file that shrank or was
 * replaced makes its run be read again from the start.  Damage never stops
 * anything: a metrics.csv line that does not parse, a corrupt event record
 * (tfevents.h's reader skips it), a config.txt that does not load or a
 * directory that cannot be read is counted as a warning of its run (or of
 * the set) with a message naming the file and line, and skipped.
 *
 * The one thing written: when a gradtop run directory is first found, the
 * temporaries its saves left when killed (NAME.tmp.PID of a process that
 * no longer exists) are removed (rundir_remove_stale).
 *
 * Memory: a series keeps at most RUNSET_MAX_POINTS points; past that it keeps
 * every other point and from then on every second one (then fourth, ...),
 * so a very long run still draws its whole history.
 *
 * Ownership and threads: a RunSet owns its RunInfo records (whose addresses
 * stay valid until runset_free; runs are never removed, a deleted one is
 * marked gone) and everything in them.  It is not locked: one thread (the
 * dashboard's) opens, refreshes, reads and frees it.  Nothing here prints.
 */
#ifndef GRADTOP_RUNSET_H
#define GRADTOP_RUNSET_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gradtop/core/error.h"
#include "gradtop/run/options.h"

#define RUNS_PATH 4096
/* Directories below LOGDIR that are looked into: LOGDIR/a/b/c. */
#define RUNSET_MAX_DEPTH 3
/* Points kept per series before it is thinned (see above). */
#define RUNSET_MAX_POINTS (1u << 20)
/* A run whose files changed this recently, with no result line, is running
 * (a run of event files alone, growing). */
#define RUNSET_RUNNING_SECONDS 30.0

/* One named scalar series.  step, wall_time and value have n entries each
 * (wall_time 0 where the source has none). */
typedef struct {
    char *tag;
    size_t n, cap;
    int64_t *step;
    double *wall_time;
    double *value;
    /* over every finite value ever pushed (thinned ones included), with
     * their steps; min > max while there is none */
    double min, max;
    int64_t min_step, max_step;
    /* thinning: one point in `stride` is kept; `skipped` counts the points
     * dropped since the last kept one; `total` every point ever pushed */
    uint64_t stride, skipped, total;
} RunSeries;

typedef enum {
    RUN_KIND_GRADTOP, /* metrics.csv / journal.txt / config.txt */
    RUN_KIND_KERAS,   /* train/ and validation/ event files merged */
    RUN_KIND_EVENTS,  /* event files of another writer */
} RunKind;

typedef enum { RUN_TASK_UNKNOWN, RUN_TASK_CLASSIFICATION, RUN_TASK_REGRESSION } RunTask;

/* A journal entry worth marking on a chart: change, schedule, early_stop,
 * diverged, stop, restore, and resume when it takes up a diverged run
 * (training went on from the last finite weights). */
typedef struct {
    int epoch;
    long step;
    char kind[16];
    char text[160];
} RunMark;

typedef struct RunState RunState; /* the files being followed (private) */

typedef struct {
    char path[RUNS_PATH]; /* the run directory, LOGDIR/... */
    char name[RUNS_PATH]; /* relative to LOGDIR (LOGDIR's base name for LOGDIR itself) */
    char dataset[128];    /* "iris", or "" when unknown */
    RunKind kind;
    RunTask task;
    /* Whether its steps count epochs: a gradtop run's and a Keras run's
     * (its epoch_ figures), and event files alone whose first records all
     * name gradtop their writer (RUNDIR_EVENTS_WRITER).  Another writer's
     * steps may count batches, or anything: false. */
    bool epoch_steps;
    /* A gradtop run's: "completed", "early_stopped", "stopped", "diverged"
     * (the journal's result line), "pruned" (stopped, by a sweep's rule as
     * its journal's stop line says), "running" (no result line, its files
     * changed within RUNSET_RUNNING_SECONDS) or "interrupted" (it stopped
     * writing without a result line).  A run of event files alone (Keras's,
     * another writer's, a gradtop run's without its journal), whose files
     * say nothing of whether or how it ended: "growing" (they changed
     * within RUNSET_RUNNING_SECONDS: something is writing them, or has just
     * copied them) or "unknown". */
    char status[32];
    double start_time;    /* seconds since the Unix epoch; 0 unknown */
    double last_modified; /* newest modification time of the files followed */
    /* Best figure: for a gradtop run, its --monitor's series (the training
     * one when it had no validation part) at the result line's best epoch,
     * or while it runs the series' best so far; for other runs (and gradtop
     * runs without config.txt) best_tag is the series it comes from
     * (val_accuracy, highest; else val_loss, lowest; else a tag that looks
     * like a validation accuracy or loss; else loss).  "" (and best_value
     * NAN) when none. */
    char best_tag[64];
    bool best_higher; /* higher is better (an accuracy) */
    double best_value;
    int64_t best_step; /* its step: the epoch for gradtop runs */
    bool has_options;  /* config.txt loaded into options */
    Options options;
    /* dataset_kind of options.dataset, told when config.txt is read (a
     * bare name as the working directory resolves it: where the program
     * that trained it was is not recorded): the list's differing options
     * (rundiff_build) open no dataset file, and a run keeps its kind when
     * its data file is later removed */
    DatasetKind data_kind;
    /* bit k of option_table[k]: changed live (a change line of its journal
     * names it): options holds the value the run began with */
    uint64_t changed_live[4];
    RunSeries *series; /* n_series, in order of first appearance */
    size_t n_series;
    RunMark *marks;
    size_t n_marks;
    size_t warnings;        /* damaged lines/records skipped, files that failed */
    char last_warning[256]; /* the latest one, naming file and line */
    uint32_t hash;          /* FNV-1a of path: the stable colour (runinfo_colour) */
    uint64_t generation;    /* bumped whenever anything here changes */
    bool gone;              /* the directory disappeared */
    RunState *state;        /* private */
} RunInfo;

typedef struct {
    char logdir[RUNS_PATH];
    RunInfo **runs; /* in order of discovery; each pointer stable until runset_free */
    size_t n_runs, cap_runs;
    size_t warnings; /* of the latest walk (unreadable directories, limits hit) */
    char last_warning[256];
    size_t max_points; /* per series; RUNSET_MAX_POINTS after runset_open */
} RunSet;

/* Scans logdir and reads every run in it.  ERROR_INPUT naming logdir when
 * it does not exist or is not a directory (the only errors: damage inside
 * runs, unreadable subdirectories and lack of memory are warnings). */
ErrorCode runset_open(RunSet *rs, const char *logdir, Error *err);

/* Looks for new runs and new files, reads what was appended since the last
 * call and re-evaluates statuses (running turns into interrupted with
 * time).  Returns whether anything visible changed.  Costs a directory walk
 * and a stat per followed file when nothing changed: fine every 500 ms. */
bool runset_refresh(RunSet *rs);

/* Frees everything (rs may be zeroed or already freed). */
void runset_free(RunSet *rs);

/* The series called tag, or NULL. */
const RunSeries *runinfo_series(const RunInfo *r, const char *tag);

/* Appends a point, thinning the series beyond max_points (>= 2) as
 * described above.  false when out of memory (the point is dropped). */
bool runseries_push(RunSeries *s, int64_t step, double wall_time, double value, size_t max_points);

/* A colour index in [0, n_colours) that depends only on the run's path, so
 * a run keeps its colour across refreshes, sorts and sessions. */
int runinfo_colour(const RunInfo *r, int n_colours);

/* ---- listing ---------------------------------------------------------- */

typedef enum {
    RUN_SORT_START,  /* oldest first */
    RUN_SORT_NAME,   /* byte order of the name */
    RUN_SORT_BEST,   /* best first: accuracies high to low, then validation losses and then
                      * training losses (runs without validation) low to high */
    RUN_SORT_STATUS, /* running, completed, early_stopped, pruned, stopped, interrupted,
                        diverged, other */
} RunSortKey;

/* Sorts runs[0..n) by key (reverse: the opposite order; runs without a
 * start time or a best figure stay last either way).  Ties are broken by
 * start time, then name, then path, so the order is deterministic. */
void runinfo_sort(RunInfo **runs, size_t n, RunSortKey key, bool reverse);

/* A compiled filter: POSIX extended regular expression, case-insensitive,
 * matched against a run's name, dataset and status. */
typedef struct {
    bool match_all; /* an empty pattern */
    regex_t re;
} RunFilter;

/* ERROR_INPUT with regerror's text ("filter 'a(': parentheses not
 * balanced") for a bad pattern; pattern NULL or "" matches every run. */
ErrorCode runfilter_compile(RunFilter *f, const char *pattern, Error *err);
bool runfilter_match(const RunFilter *f, const RunInfo *r);
void runfilter_free(RunFilter *f);

/* Fills out (room for rs->n_runs) with the runs matching pattern, in
 * discovery order, and sets *n_out.  Errors as runfilter_compile. */
ErrorCode runset_filter(const RunSet *rs, const char *pattern, RunInfo **out, size_t *n_out,
                        Error *err);

/* ---- hyperparameters that differ -------------------------------------- */

#define RUN_DIFF_VALUE 96

typedef struct {
    const OptionSpec *spec;         /* the option (spec->name is the column title) */
    char (*values)[RUN_DIFF_VALUE]; /* per run, options_format's text; "" where the run */
                                    /* has no config.txt or the option does not apply */
} RunDiffColumn;

typedef struct {
    RunDiffColumn *cols; /* in option_table order */
    size_t n_cols;
    size_t n_runs;
} RunDiff;

/*
 * The options whose values differ among runs[0..n): among the runs that
 * have options and to which the option applies (an Adam run has no
 * momentum; a CSV run no noise, a generated set no label column), at
 * least two distinct formatted values (a set's default noise as its
 * figure).  Output options
 * (logdir, name, ...) and threads are left out; the dataset has its own
 * column.  values[i] belongs to runs[i].  ERROR_RUNTIME when out of memory.
 */
ErrorCode rundiff_build(RunDiff *d, RunInfo *const *runs, size_t n, Error *err);
void rundiff_free(RunDiff *d);

#endif
