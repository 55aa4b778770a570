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

#endif
