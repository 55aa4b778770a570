/*
 * common.c - the helpers every loader shares (the CSV and IDX readers and
 * the generated sets): a dataset's ownership and names.  Kept apart from
 * dataset.c so the loaders depend on it and dataset.c on them, with no
 * cycle between the three.
 */
#include "dataset_private.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dataset_init_owned(Dataset *ds, const char *source, const char *name, DatasetKind kind)
{
    memset(ds, 0, sizeof *ds);
    ds->kind = kind;
    snprintf(ds->source, sizeof ds->source, "%s", source);
    snprintf(ds->name, sizeof ds->name, "%s", name);
    ds->owns = true;
}

void dataset_name_from_path(char *dst, size_t cap, const char *path)
{
    const char *slash = strrchr(path, '/');
    snprintf(dst, cap, "%s", slash ? slash + 1 : path);
    static const char *const endings[] = {".gz", ".csv", ".tsv", ".txt"};
    for (size_t i = 0; i < sizeof endings / sizeof endings[0]; i++) {
        size_t n = strlen(dst), m = strlen(endings[i]);
        if (n > m && strcmp(dst + n - m, endings[i]) == 0) dst[n - m] = '\0';
    }
}

char **dataset_numbered_names(int k, const char *prefix)
{
    char **names = calloc(k > 0 ? (size_t)k : 1, sizeof *names);
    if (!names) return NULL;
    for (int i = 0; i < k; i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s%d", prefix, i);
        names[i] = strdup(buf);
        if (!names[i]) {
            for (int j = 0; j < i; j++) free(names[j]);
            free(names);
            return NULL;
        }
    }
    return names;
}
