/*
 * session.c - load, split, normalize.  See session.h.
 */
#include "gradtop/run/prepared.h"

#include "gradtop/data/features.h"

#include <math.h>
#include <string.h>

#include "gradtop/core/rng.h"

DatasetOptions prepared_dataset_options(const Options *o, const char *exe_dir)
{
    DatasetOptions d = dataset_options_default();
    d.label = o->label[0] ? o->label : NULL;
    d.labels_file = o->labels[0] ? o->labels : NULL;
    d.delimiter = o->delimiter;
    d.missing = o->missing;
    d.samples = o->samples;
    if (o->noise >= 0) d.noise = o->noise;
    d.seed = o->seed;
    d.exe_dir = exe_dir;
    return d;
}

/* Standardizes regression targets with the training part's mean and
 * standard deviation, so that one learning rate suits every label scale. */
static void standardize_targets(PreparedData *s)
{
    const Dataset *tr = &s->train;
    double sum = 0, sq = 0;
    for (size_t i = 0; i < tr->n; i++) sum += tr->targets[i];
    double mean = sum / (double)tr->n;
    for (size_t i = 0; i < tr->n; i++) sq += (tr->targets[i] - mean) * (tr->targets[i] - mean);
    double sd = sqrt(sq / (double)tr->n);
    double scale = sd > 0 ? 1.0 / sd : 1.0;
    Dataset *sets[] = {&s->all, &s->test};
    for (int k = 0; k < 2; k++) {
        Dataset *d = sets[k];
        if (!d->targets || d->n == 0) continue;
        for (size_t i = 0; i < d->n; i++) d->targets[i] = (float)((d->targets[i] - mean) * scale);
    }
    Dataset *all[] = {&s->all, &s->train, &s->val, &s->test};
    for (int k = 0; k < 4; k++) {
        all[k]->target_shift = mean;
        all[k]->target_scale = scale;
    }
}

/* A transformed set's plane points go through the same normalization as
 * its rows (dataset_plane_input). */
static void set_plane_normalization(PreparedData *s)
{
    Dataset *all[] = {&s->all, &s->train, &s->val, &s->test};
    for (int k = 0; k < 4; k++)
        for (int j = 0; j < s->all.d; j++) {
            bool on = s->nz.kind != NORMALIZE_NONE && s->nz.shift;
            all[k]->plane_shift[j] = on ? s->nz.shift[j] : 0.0f;
            all[k]->plane_scale[j] = on ? s->nz.scale[j] : 1.0f;
        }
}

/* prepared_open, and prepared_regenerate with keep: the built-in set drawn
 * (never a datasets/NAME.csv that shadows its name) and normalized with
 * keep instead of statistics of its own. */
static ErrorCode prepare(PreparedData *s, const Options *o, const char *exe_dir,
                         const Normalizer *keep, Error *err)
{
    memset(s, 0, sizeof *s);
    s->opt = *o;
    if (!o->dataset[0]) return error_set(err, ERROR_INPUT, "no dataset given");
    DatasetOptions dopt = prepared_dataset_options(o, exe_dir);
    ErrorCode rc =
        keep ? dataset_generate(&s->all, o->dataset, dopt.samples, dopt.noise, dopt.seed, err)
             : dataset_load(&s->all, o->dataset, &dopt, err);
    if (rc) goto fail;
    if (s->all.n < 2) {
        rc = error_set(err, ERROR_INPUT, "%s: %zu row%s: at least 2 are needed to train",
                       s->all.source, s->all.n, s->all.n == 1 ? "" : "s");
        goto fail;
    }
    if (o->features != FEATURES_RAW) {
        if (!dataset_is_generated_name(o->dataset)) {
            char list[128];
            features_format(o->features, list, sizeof list);
            rc = error_set(err, ERROR_INPUT,
                           "--features %s: only the generated 2-D sets (spiral, circles, xor, "
                           "gauss, moons) take feature transforms; %s is a data file",
                           list, s->all.source);
            goto fail;
        }
        rc = dataset_transform_features(&s->all, o->features, err);
        if (rc) goto fail;
    }
    rc = dataset_split(&s->all, o->val_split, o->seed, &s->train, &s->val, err);
    if (rc) goto fail;
    if (o->test[0]) {
        DatasetOptions topt = dopt;
        topt.labels_file = NULL;
        topt.task = (int)s->all.task;
        rc = dataset_load(&s->test, o->test, &topt, err);
        if (rc) {
            error_prefix(err, "--test");
            goto fail;
        }
        s->has_test = true;
        rc = dataset_transform_features(&s->test, o->features, err);
        if (rc) {
            error_prefix(err, "--test");
            goto fail;
        }
        if (s->test.d != s->all.d) {
            rc = error_set(err, ERROR_INPUT, "--test %s: %d features, but %s has %d",
                           s->test.source, s->test.d, s->all.source, s->all.d);
            goto fail;
        }
        if (s->test.task != s->all.task) {
            rc = error_set(err, ERROR_INPUT, "--test %s: its label is %s, but %s's is %s",
                           s->test.source, s->test.task == TASK_REGRESSION ? "numeric" : "a class",
                           s->all.source, s->all.task == TASK_REGRESSION ? "numeric" : "a class");
            goto fail;
        }
        if (s->all.task == TASK_CLASSIFICATION) {
            /* Map the test set's class indices onto the training set's by name. */
            int map[DATASET_MAX_CLASSES];
            for (int c = 0; c < s->test.n_classes; c++) {
                map[c] = -1;
                for (int k = 0; k < s->all.n_classes; k++)
                    if (strcmp(s->test.class_names[c], s->all.class_names[k]) == 0) map[c] = k;
                if (map[c] < 0) {
                    rc = error_set(err, ERROR_INPUT, "--test %s: class '%s' does not occur in %s",
                                   s->test.source, s->test.class_names[c], s->all.source);
                    goto fail;
                }
            }
            for (size_t i = 0; i < s->test.n; i++) s->test.labels[i] = map[s->test.labels[i]];
        }
    }
    rc = keep ? normalizer_copy(&s->nz, keep, err)
              : normalizer_fit(&s->nz, o->normalize, &s->train, err);
    if (rc) goto fail;
    /* train and val are views of all: normalizing all covers both. */
    normalizer_apply(&s->nz, &s->all);
    if (s->has_test) normalizer_apply(&s->nz, &s->test);
    if (s->all.plane) set_plane_normalization(s);
    if (s->all.task == TASK_REGRESSION) standardize_targets(s);
    return ERROR_NONE;
fail:
    prepared_close(s);
    return rc;
}

ErrorCode prepared_open(PreparedData *s, const Options *o, const char *exe_dir, Error *err)
{
    return prepare(s, o, exe_dir, NULL, err);
}

bool prepared_can_regenerate(const PreparedData *s)
{
    /* the built-in, not a file under datasets/ that bears its name */
    return dataset_is_generated_name(s->opt.dataset) && strcmp(s->all.source, s->opt.dataset) == 0;
}

ErrorCode prepared_regenerate(PreparedData *dst, const PreparedData *src, double noise,
                              double val_split, const char *exe_dir, Error *err)
{
    memset(dst, 0, sizeof *dst);
    if (!prepared_can_regenerate(src))
        return error_set(err, ERROR_INPUT,
                         "%s is a data file: only the generated 2-D sets (spiral, circles, xor, "
                         "gauss, moons) are drawn again with another noise or split",
                         src->all.source);
    Options o = src->opt;
    o.noise = noise;
    o.val_split = val_split;
    return prepare(dst, &o, exe_dir, &src->nz, err);
}

void prepared_close(PreparedData *s)
{
    dataset_free(&s->test);
    dataset_free(&s->all);
    normalizer_free(&s->nz);
    memset(s, 0, sizeof *s);
}

ErrorCode gradcheck_session(const PreparedData *s, const Options *o, ModelShape *shape, int *rows,
                            GradcheckReport *rep, Error *err)
{
    Model m;
    Rng rng;
    rng_seed(&rng, o->seed);
    int B = o->hp.batch_size < (long)s->train.n ? (int)o->hp.batch_size : (int)s->train.n;
    ErrorCode ec = dataset_check_classes(&s->train, err);
    if (ec) return ec;
    ec = model_shape_make(shape, s->train.d, o->layers, o->n_layers, o->activation, o->loss,
                          s->train.task == TASK_CLASSIFICATION, s->train.n_classes, err);
    if (ec) return ec;
    ec = model_create(&m, shape, B, &rng, err);
    if (ec) return ec;
    m.l1 = o->hp.l1;
    m.l2 = o->hp.l2;
    *rows = B;
    ec = gradcheck_run(&m, s->train.x, s->train.labels, s->train.targets, B, GRADCHECK_ENTRIES,
                       GRADCHECK_STEP, o->seed, rep, err);
    model_free(&m);
    return ec;
}
