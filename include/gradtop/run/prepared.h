/*
 * session.h - everything a run needs before training starts: the dataset
 * loaded, split into training and validation parts, normalized with
 * statistics of the training part, and the optional test set, normalized
 * the same way.  The headless commands, the dashboard and the tests all open
 * runs through this one call.  A PreparedData belongs to the thread that opened
 * it and is read-only while a trainer uses it.
 */
#ifndef GRADTOP_PREPARED_H
#define GRADTOP_PREPARED_H

#include <stdbool.h>

#include "gradtop/data/dataset.h"
#include "gradtop/core/error.h"
#include "gradtop/nn/gradcheck.h"
#include "gradtop/run/options.h"

typedef struct {
    Options opt;
    Dataset all; /* owns the rows; train and val are views into it */
    Dataset train;
    Dataset val;  /* n == 0 with --val-split 0 */
    Dataset test; /* its labels are mapped onto all's class indices by name */
    bool has_test;
    Normalizer nz;
} PreparedData;

/* exe_dir: the program's directory (for datasets/ beside it), may be NULL. */
ErrorCode prepared_open(PreparedData *s, const Options *o, const char *exe_dir, Error *err);
void prepared_close(PreparedData *s);
/* The dataset options that o implies. */
DatasetOptions prepared_dataset_options(const Options *o, const char *exe_dir);

/*
 * What `gradtop gradcheck` checks: the network that o describes over s's
 * training part, with the initial weights of o->seed and o's L1 and L2, on
 * the first min(o->batch_size, rows) rows, GRADCHECK_ENTRIES per tensor with
 * step GRADCHECK_STEP.  Fills shape, *rows and rep.  ERROR_INPUT for a
 * network o cannot describe, ERROR_RUNTIME when out of memory.
 */
ErrorCode gradcheck_session(const PreparedData *s, const Options *o, ModelShape *shape, int *rows,
                            GradcheckReport *rep, Error *err);

#endif
