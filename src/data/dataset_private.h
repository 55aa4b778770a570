/*
 * dataset_private.h - helpers shared by the dataset loaders (dataset.c,
 * dataset_csv.c, dataset_idx.c); not part of the public interface.  Same
 * threading rules as dataset.h: a Dataset is built by one thread.
 */
#ifndef GRADTOP_DATASET_PRIVATE_H
#define GRADTOP_DATASET_PRIVATE_H

#include <stdio.h>

#include "gradtop/data/dataset.h"

/* Zeroes ds and marks it as owning its buffers, with source, name and the
 * kind of loader set. */
void dataset_init_owned(Dataset *ds, const char *source, const char *name, DatasetKind kind);
/* The file's base name without directories and a .gz / .csv / .tsv ending. */
void dataset_name_from_path(char *dst, size_t cap, const char *path);
/* k strings "prefix0".."prefix{k-1}", or NULL when out of memory. */
char **dataset_numbered_names(int k, const char *prefix);
/* dataset_load_csv on a stream already open, whose first n_head bytes (head)
 * have been read from it (to tell its format); f is left open. */
ErrorCode dataset_load_csv_stream(Dataset *ds, const char *path, FILE *f, const void *head,
                                  size_t n_head, const DatasetOptions *opt, Error *err);

#endif
