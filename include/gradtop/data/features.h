/*
 * features.h - the TensorFlow Playground's input transforms for the
 * generated 2-D sets: from a point's two coordinates x1 and x2 the network
 * may see any of x1, x2, x1^2, x2^2, x1*x2, sin(x1) and sin(x2), chosen
 * with --features.  A transformed dataset keeps the coordinates its rows
 * came from (Dataset.plane), so that the decision boundary is still drawn in
 * the x1/x2 plane and each grid point goes through the same transform
 * (dataset_plane_input).
 *
 * Pure functions over caller-owned buffers; dataset_transform_features
 * changes the dataset it is given, which belongs to the calling thread
 * until it is read-only.
 */
#ifndef GRADTOP_FEATURES_H
#define GRADTOP_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

#include "gradtop/core/error.h"
#include "gradtop/data/dataset.h"

/* In the order the columns come out, whatever order they were named in. */
typedef enum {
    FEATURE_X1,
    FEATURE_X2,
    FEATURE_X1_SQ,
    FEATURE_X2_SQ,
    FEATURE_X1_X2,
    FEATURE_SIN_X1,
    FEATURE_SIN_X2,
} FeatureKind;

/* A set of features: bit k for FeatureKind k.  FEATURES_RAW (x1 and x2
 * alone) is no transform at all: any dataset's own columns. */
typedef unsigned FeatureSet;
#define FEATURE_BIT(k) (1u << (k))
#define FEATURES_RAW (FEATURE_BIT(FEATURE_X1) | FEATURE_BIT(FEATURE_X2))
#define FEATURES_ALL ((1u << DATASET_MAX_PLANE_FEATURES) - 1u)

/* The names --features takes and columns are called by, indexed by
 * FeatureKind: "x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)". */
extern const char *const feature_names[];

/* Reads a comma-separated list of names (blanks around them allowed; the
 * shell-friendly x1x2, sinx1 and sinx2 also taken; a name given twice
 * counts once).  False for an empty list or an unknown name, with that
 * entry (quoted as given, cut to fit) in bad[0..cap). */
bool features_parse(const char *text, FeatureSet *out, char *bad, size_t cap);
/* The list in column order: "x1,x2,x1^2". */
void features_format(FeatureSet f, char *buf, size_t cap);
/* "x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2)": for messages. */
void features_accepted(char *buf, size_t cap);
/* How many columns f makes. */
int features_count(FeatureSet f);
/* out (n, features_count(f)) from xy (n, 2), row by row, in double. */
void features_map(FeatureSet f, const float *xy, size_t n, float *out);

/*
 * Replaces ds's two feature columns by f's columns (named as
 * feature_names), keeping the two in ds->plane and f in
 * ds->plane_features.  ds must own its rows and have exactly two features
 * (ERROR_INPUT otherwise, naming --features and ds); f == FEATURES_RAW
 * changes nothing.  ERROR_RUNTIME when out of memory, ds unchanged.
 */
ErrorCode dataset_transform_features(Dataset *ds, FeatureSet f, Error *err);

/* The network's input row (ds->d values) for the point (x1, x2) of a
 * transformed dataset's plane: f's columns, then the normalization its rows
 * had (ds->plane_shift, plane_scale). */
void dataset_plane_input(const Dataset *ds, double x1, double x2, float *row);

#endif
