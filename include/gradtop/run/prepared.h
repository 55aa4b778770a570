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

/*
 * The same data drawn again with another noise and validation split, as
 * the dashboard changes them while a run trains (the TensorFlow
 * Playground's sliders): dst gets src's generated set with src's seed, so
 * that the same noise gives the same points and another noise moves each
 * point by its same random draw scaled anew (dataset_generate draws the
 * same numbers whatever the noise), and the same rows split anew by the
 * same seed; src's feature transforms; src's test set loaded again.
 *
 * Normalized with src's statistics, not statistics of the new training
 * part: the network's weights were learned on inputs scaled so, and with
 * the same scaling a point of the plane is the same input before and after
 * the change, so that the function the network computes over the plane
 * (the boundary view) stays where it was and only the points move.  A
 * refitted scaling would shift and stretch every input at the moment of
 * the change and move the boundary with it, a change of the model that no
 * one asked for; and model.gtm's normalizer stays the one the weights
 * expect.  The statistics still come from a training part only.
 *
 * ERROR_INPUT when src is not a generated set (prepared_can_regenerate),
 * or noise or val_split is out of range.  dst is safe to close either way.
 */
ErrorCode prepared_regenerate(PreparedData *dst, const PreparedData *src, double noise,
                              double val_split, const char *exe_dir, Error *err);
/* Whether s is a generated 2-D set (the built-in, not a datasets/NAME.csv
 * of the same name) that prepared_regenerate can draw again. */
bool prepared_can_regenerate(const PreparedData *s);
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
