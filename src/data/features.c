/*
 * features.c - the Playground's input transforms.  See features.h.
 */
#include "gradtop/data/features.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_KINDS DATASET_MAX_PLANE_FEATURES

const char *const feature_names[N_KINDS + 1] = {"x1",    "x2",      "x1^2",    "x2^2",
                                                "x1*x2", "sin(x1)", "sin(x2)", NULL};
/* The same without shell metacharacters: x1*x2 and sin(x1) need quotes. */
static const char *const plain_names[N_KINDS] = {NULL, NULL, NULL, NULL, "x1x2", "sinx1", "sinx2"};

static int kind_named(const char *s, size_t n)
{
    for (int k = 0; k < N_KINDS; k++) {
        if (strlen(feature_names[k]) == n && strncmp(s, feature_names[k], n) == 0) return k;
        if (plain_names[k] && strlen(plain_names[k]) == n && strncmp(s, plain_names[k], n) == 0)
            return k;
    }
    return -1;
}

bool features_parse(const char *text, FeatureSet *out, char *bad, size_t cap)
{
    FeatureSet f = 0;
    const char *p = text;
    if (cap) bad[0] = '\0';
    for (;;) {
        while (isspace((unsigned char)*p)) p++;
        const char *e = p;
        while (*e && *e != ',') e++;
        size_t n = (size_t)(e - p);
        while (n > 0 && isspace((unsigned char)p[n - 1])) n--;
        int k = kind_named(p, n);
        if (k < 0) {
            if (cap) snprintf(bad, cap, "%.*s", (int)(n < 40 ? n : 40), p);
            return false;
        }
        f |= FEATURE_BIT(k);
        if (!*e) break;
        p = e + 1;
    }
    *out = f;
    return true;
}

void features_format(FeatureSet f, char *buf, size_t cap)
{
    size_t n = 0;
    if (cap) buf[0] = '\0';
    for (int k = 0; k < N_KINDS && n < cap; k++)
        if (f & FEATURE_BIT(k))
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? "," : "", feature_names[k]);
}

void features_accepted(char *buf, size_t cap)
{
    size_t n = 0;
    if (cap) buf[0] = '\0';
    for (int k = 0; k < N_KINDS && n < cap; k++) {
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", k ? ", " : "", feature_names[k]);
        if (plain_names[k] && n < cap)
            n += (size_t)snprintf(buf + n, cap - n, " (or %s)", plain_names[k]);
    }
}

int features_count(FeatureSet f)
{
    int c = 0;
    for (int k = 0; k < N_KINDS; k++) c += (f & FEATURE_BIT(k)) != 0;
    return c;
}

void features_map(FeatureSet f, const float *xy, size_t n, float *out)
{
    int d = features_count(f);
    for (size_t i = 0; i < n; i++) {
        double a = xy[2 * i], b = xy[2 * i + 1];
        double v[N_KINDS] = {a, b, a * a, b * b, a * b, sin(a), sin(b)};
        float *row = out + i * (size_t)d;
        for (int k = 0, j = 0; k < N_KINDS; k++)
            if (f & FEATURE_BIT(k)) row[j++] = (float)v[k];
    }
}

ErrorCode dataset_transform_features(Dataset *ds, FeatureSet f, Error *err)
{
    if (f == FEATURES_RAW) return ERROR_NONE;
    char list[128];
    features_format(f, list, sizeof list);
    if (ds->d != 2)
        return error_set(
            err, ERROR_INPUT,
            "--features %s: %s has %d feature columns; the transforms take two (x1, x2)", list,
            ds->source, ds->d);
    if (!ds->owns || ds->plane)
        return error_set(err, ERROR_INPUT, "--features %s: %s is already transformed", list,
                         ds->source);
    int d = features_count(f);
    size_t n = ds->n;
    float *x = malloc((n ? n : 1) * (size_t)d * sizeof *x);
    char **names = calloc((size_t)d, sizeof *names);
    bool ok = x && names;
    for (int k = 0, j = 0; ok && k < N_KINDS; k++)
        if (f & FEATURE_BIT(k)) ok = (names[j++] = strdup(feature_names[k])) != NULL;
    if (!ok) {
        free(x);
        for (int j = 0; names && j < d; j++) free(names[j]);
        free(names);
        return error_set(err, ERROR_RUNTIME, "%s: out of memory for --features %s", ds->source,
                         list);
    }
    features_map(f, ds->x, n, x);
    if (ds->feature_names)
        for (int j = 0; j < ds->d; j++) free(ds->feature_names[j]);
    free(ds->feature_names);
    /* Per-column facts of the columns read are not those of the new ones. */
    free(ds->feature_mean);
    free(ds->feature_missing);
    ds->feature_mean = NULL;
    ds->feature_missing = NULL;
    ds->feature_names = names;
    ds->plane = ds->x; /* the two columns, row-major: (n, 2) */
    ds->x = x;
    ds->d = d;
    ds->plane_features = f;
    for (int j = 0; j < N_KINDS; j++) {
        ds->plane_shift[j] = 0;
        ds->plane_scale[j] = 1;
    }
    return ERROR_NONE;
}

void dataset_plane_input(const Dataset *ds, double x1, double x2, float *row)
{
    float xy[2] = {(float)x1, (float)x2};
    features_map(ds->plane_features, xy, 1, row);
    for (int j = 0; j < ds->d; j++)
        row[j] = (float)(((double)row[j] - ds->plane_shift[j]) * ds->plane_scale[j]);
}
