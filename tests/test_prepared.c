/*
 * test_prepared.c - prepared_open on the shipped datasets: the stratified
 * split, normalization fitted on the training part only (standard, minmax,
 * none), standardized regression targets, the --test set (same columns,
 * classes mapped by name, normalized with the training statistics; other
 * columns or unknown classes rejected), and the seed deciding the split.
 *
 * Run from the project root: it reads datasets/.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gradtop/data/dataset.h"
#include "gradtop/run/prepared.h"

static void expect_near(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol)) fail_msg("%s = %.10g, want %.10g", what, got, want);
}

static void expect_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("message \"%s\" does not contain \"%s\"", haystack, needle);
}

static void open_ok(PreparedData *s, const char *dataset, const char *normalize, uint64_t seed)
{
    Options o;
    options_default(&o);
    snprintf(o.dataset, sizeof o.dataset, "%s", dataset);
    Error err = {0};
    const OptionSpec *spec = options_find("normalize");
    assert_non_null(spec);
    if (options_set(&o, spec, normalize, NULL, &err)) fail_msg("%s", err.msg);
    o.seed = seed;
    if (prepared_open(s, &o, NULL, &err)) fail_msg("prepared_open %s: %s", dataset, err.msg);
}

/* Column j's mean and population standard deviation over ds. */
static void column_stats(const Dataset *ds, int j, double *mean, double *sd)
{
    double sum = 0, sq = 0;
    for (size_t i = 0; i < ds->n; i++) sum += ds->x[i * (size_t)ds->d + (size_t)j];
    *mean = sum / (double)ds->n;
    for (size_t i = 0; i < ds->n; i++) {
        double dv = ds->x[i * (size_t)ds->d + (size_t)j] - *mean;
        sq += dv * dv;
    }
    *sd = sqrt(sq / (double)ds->n);
}

static int class_index(const Dataset *ds, const char *name)
{
    for (int c = 0; c < ds->n_classes; c++)
        if (strcmp(ds->class_names[c], name) == 0) return c;
    fail_msg("%s has no class '%s'", ds->source, name);
    return -1;
}

/* ---- split ------------------------------------------------------------- */

static void iris_splits_120_30_stratified(void **state)
{
    (void)state;
    PreparedData s;
    open_ok(&s, "datasets/iris.csv", "standard", 0);
    assert_int_equal(s.all.n, 150);
    assert_int_equal(s.all.d, 4);
    assert_int_equal(s.all.task, TASK_CLASSIFICATION);
    assert_int_equal(s.all.n_classes, 3);
    assert_int_equal(s.train.n, 120);
    assert_int_equal(s.val.n, 30);
    assert_int_equal(s.train.d, 4);
    assert_int_equal(s.val.d, 4);
    assert_int_equal(s.train.n_classes, 3);
    assert_int_equal(s.val.n_classes, 3);
    size_t tc[3], vc[3];
    dataset_class_counts(&s.train, tc);
    dataset_class_counts(&s.val, vc);
    const char *names[3] = {"setosa", "versicolor", "virginica"};
    for (int k = 0; k < 3; k++) {
        int c = class_index(&s.all, names[k]);
        if (vc[c] != 10 || tc[c] != 40)
            fail_msg("class %s: %zu train, %zu val; want 40, 10", names[k], tc[c], vc[c]);
    }
    /* The views are the two halves of all. */
    assert_ptr_equal(s.train.x, s.all.x);
    assert_ptr_equal(s.val.x, s.all.x + 120 * 4);
    assert_false(s.has_test);
    expect_near(s.all.target_scale, 0, 0, "target_scale of a classification set");
    prepared_close(&s);
}

static void val_split_zero_trains_on_everything(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    snprintf(o.dataset, sizeof o.dataset, "datasets/iris.csv");
    o.val_split = 0;
    PreparedData s;
    Error err = {0};
    if (prepared_open(&s, &o, NULL, &err)) fail_msg("%s", err.msg);
    assert_int_equal(s.train.n, 150);
    assert_int_equal(s.val.n, 0);
    prepared_close(&s);
}

/* Split rows, sorted, are the file's rows: nothing lost or repeated. */
static int cmp_row4(const void *a, const void *b)
{
    return memcmp(a, b, 4 * sizeof(float));
}

static void split_is_a_permutation_of_the_rows(void **state)
{
    (void)state;
    PreparedData s;
    open_ok(&s, "datasets/iris.csv", "none", 5);
    Dataset raw;
    DatasetOptions dopt = dataset_options_default();
    Error err = {0};
    if (dataset_load(&raw, "datasets/iris.csv", &dopt, &err)) fail_msg("%s", err.msg);
    assert_int_equal(raw.n, 150);
    float *a = malloc(150 * 4 * sizeof *a), *b = malloc(150 * 4 * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    memcpy(a, s.train.x, 120 * 4 * sizeof *a);
    memcpy(a + 120 * 4, s.val.x, 30 * 4 * sizeof *a);
    memcpy(b, raw.x, 150 * 4 * sizeof *b);
    qsort(a, 150, 4 * sizeof *a, cmp_row4);
    qsort(b, 150, 4 * sizeof *b, cmp_row4);
    assert_memory_equal(a, b, 150 * 4 * sizeof *a);
    free(a);
    free(b);
    dataset_free(&raw);
    prepared_close(&s);
}

static void same_seed_gives_same_split(void **state)
{
    (void)state;
    PreparedData a, b;
    open_ok(&a, "datasets/iris.csv", "standard", 1234);
    open_ok(&b, "datasets/iris.csv", "standard", 1234);
    assert_int_equal(a.train.n, b.train.n);
    assert_memory_equal(a.all.x, b.all.x, a.all.n * (size_t)a.all.d * sizeof(float));
    assert_memory_equal(a.all.labels, b.all.labels, a.all.n * sizeof(int));
    prepared_close(&a);
    prepared_close(&b);
}

static void different_seed_gives_different_split(void **state)
{
    (void)state;
    PreparedData a, b;
    open_ok(&a, "datasets/iris.csv", "none", 1);
    open_ok(&b, "datasets/iris.csv", "none", 2);
    size_t bytes = a.val.n * (size_t)a.val.d * sizeof(float);
    assert_int_equal(a.val.n, b.val.n);
    if (memcmp(a.val.x, b.val.x, bytes) == 0) fail_msg("seeds 1 and 2 chose the same val rows");
    /* Still stratified. */
    size_t vc[3];
    dataset_class_counts(&b.val, vc);
    for (int c = 0; c < 3; c++) assert_int_equal(vc[c], 10);
    prepared_close(&a);
    prepared_close(&b);
}

/* ---- normalization ----------------------------------------------------- */

static void standard_normalization_fits_training_part_only(void **state)
{
    (void)state;
    PreparedData s, raw;
    open_ok(&s, "datasets/iris.csv", "standard", 7);
    open_ok(&raw, "datasets/iris.csv", "none", 7);
    /* The split does not depend on the normalization. */
    assert_memory_equal(s.all.labels, raw.all.labels, 150 * sizeof(int));
    bool val_off = false;
    for (int j = 0; j < 4; j++) {
        double m, sd, rm, rsd, vm, vsd;
        column_stats(&s.train, j, &m, &sd);
        expect_near(m, 0, 1e-5, "train mean");
        expect_near(sd, 1, 1e-4, "train std (population)");
        column_stats(&raw.train, j, &rm, &rsd);
        /* Every row, val included, uses the training part's mean and std. */
        for (size_t i = 0; i < 150; i++) {
            double want = (raw.all.x[i * 4 + (size_t)j] - rm) / rsd;
            expect_near(s.all.x[i * 4 + (size_t)j], want, 1e-4, "normalized value");
        }
        column_stats(&s.val, j, &vm, &vsd);
        if (fabs(vm) > 1e-3 || fabs(vsd - 1) > 1e-3) val_off = true;
        expect_near(s.nz.shift[j], rm, 1e-4, "normalizer shift");
    }
    if (!val_off) fail_msg("val part has mean 0 and std 1 exactly: fitted on val too?");
    assert_int_equal(s.nz.kind, NORMALIZE_STANDARD);
    assert_int_equal(s.nz.d, 4);
    prepared_close(&s);
    prepared_close(&raw);
}

static void minmax_puts_training_part_in_unit_range(void **state)
{
    (void)state;
    PreparedData s, raw;
    open_ok(&s, "datasets/wine.csv", "minmax", 3);
    open_ok(&raw, "datasets/wine.csv", "none", 3);
    int d = s.all.d;
    assert_int_equal(d, 13);
    bool val_outside = false;
    for (int j = 0; j < d; j++) {
        float lo = INFINITY, hi = -INFINITY, rlo = INFINITY, rhi = -INFINITY;
        for (size_t i = 0; i < s.train.n; i++) {
            float v = s.train.x[i * (size_t)d + (size_t)j];
            float r = raw.train.x[i * (size_t)d + (size_t)j];
            if (v < lo) lo = v;
            if (v > hi) hi = v;
            if (r < rlo) rlo = r;
            if (r > rhi) rhi = r;
        }
        expect_near(lo, 0, 1e-6, "train min");
        expect_near(hi, 1, 1e-5, "train max");
        for (size_t i = 0; i < s.val.n; i++) {
            float v = s.val.x[i * (size_t)d + (size_t)j];
            float r = raw.val.x[i * (size_t)d + (size_t)j];
            expect_near(v, (r - rlo) / (rhi - rlo), 1e-5, "val value scaled by train range");
            if (v < 0 || v > 1) val_outside = true;
        }
    }
    /* With 36 val rows of 13 features some value lies outside the training
     * range; if none does, the scaling probably saw val. */
    if (!val_outside) fail_msg("no val value outside [0, 1]: range fitted on val too?");
    prepared_close(&s);
    prepared_close(&raw);
}

static void normalize_none_keeps_values(void **state)
{
    (void)state;
    PreparedData s;
    open_ok(&s, "datasets/iris.csv", "none", 0);
    double m, sd;
    column_stats(&s.all, 2, &m, &sd); /* petal_length: mean 3.758 in the file */
    expect_near(m, 3.758, 1e-3, "petal_length mean");
    prepared_close(&s);
}

/* ---- regression -------------------------------------------------------- */

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static void regression_targets_are_standardized(void **state)
{
    (void)state;
    PreparedData s;
    open_ok(&s, "datasets/diabetes.csv", "standard", 11);
    assert_int_equal(s.all.task, TASK_REGRESSION);
    assert_int_equal(s.all.n, 442);
    assert_int_equal(s.train.n + s.val.n, 442);
    assert_int_equal(s.val.n, 88);
    assert_non_null(s.train.targets);
    double sum = 0, sq = 0;
    for (size_t i = 0; i < s.train.n; i++) sum += s.train.targets[i];
    double mean = sum / (double)s.train.n;
    for (size_t i = 0; i < s.train.n; i++)
        sq += (s.train.targets[i] - mean) * (s.train.targets[i] - mean);
    expect_near(mean, 0, 1e-5, "train target mean");
    expect_near(sqrt(sq / (double)s.train.n), 1, 1e-4, "train target std");
    if (!(s.train.target_scale > 0)) fail_msg("train target_scale %g", s.train.target_scale);
    expect_near(s.val.target_scale, s.train.target_scale, 0, "val target_scale");
    expect_near(s.all.target_scale, s.train.target_scale, 0, "all target_scale");
    expect_near(s.val.target_shift, s.train.target_shift, 0, "val target_shift");

    /* Undoing the scaling gives back the file's targets. */
    Dataset raw;
    DatasetOptions dopt = dataset_options_default();
    Error err = {0};
    if (dataset_load(&raw, "datasets/diabetes.csv", &dopt, &err)) fail_msg("%s", err.msg);
    float *back = malloc(442 * sizeof *back), *want = malloc(442 * sizeof *want);
    assert_non_null(back);
    assert_non_null(want);
    double rsum = 0;
    for (size_t i = 0; i < 442; i++) {
        back[i] = (float)(s.all.targets[i] / s.all.target_scale + s.all.target_shift);
        want[i] = raw.targets[i];
        if (i < s.train.n) rsum += back[i];
    }
    expect_near(s.train.target_shift, rsum / (double)s.train.n, 1e-3, "target_shift");
    qsort(back, 442, sizeof *back, cmp_float);
    qsort(want, 442, sizeof *want, cmp_float);
    for (size_t i = 0; i < 442; i++) expect_near(back[i], want[i], 1e-3, "recovered target");
    free(back);
    free(want);
    dataset_free(&raw);

    /* Features are standardized as for classification. */
    for (int j = 0; j < s.all.d; j++) {
        double m, sd;
        column_stats(&s.train, j, &m, &sd);
        expect_near(m, 0, 1e-5, "train feature mean");
        expect_near(sd, 1, 1e-4, "train feature std");
    }
    prepared_close(&s);
}

/* ---- --test ------------------------------------------------------------ */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gradtop-test-session-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_tmp(char *path, size_t cap, const char *name, const char *text)
{
    snprintf(path, cap, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    if (!f) fail_msg("cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static ErrorCode open_with_test(PreparedData *s, const char *dataset, const char *test, Error *err)
{
    Options o;
    options_default(&o);
    snprintf(o.dataset, sizeof o.dataset, "%s", dataset);
    snprintf(o.test, sizeof o.test, "%s", test);
    return prepared_open(s, &o, NULL, err);
}

static void test_set_with_other_columns_is_rejected(void **state)
{
    (void)state;
    char path[256];
    write_tmp(path, sizeof path, "three.csv",
              "sepal_length,sepal_width,petal_length,species\n"
              "5.1,3.5,1.4,setosa\n6.3,3.3,6.0,virginica\n5.9,3.0,4.2,versicolor\n");
    PreparedData s;
    Error err = {0};
    assert_int_equal(open_with_test(&s, "datasets/iris.csv", path, &err), ERROR_INPUT);
    expect_contains(err.msg, "three.csv");
    /* A failed open leaves nothing to free, and closing again is safe. */
    prepared_close(&s);

    write_tmp(path, sizeof path, "six.csv",
              "a,b,c,d,e,species\n1,2,3,4,5,setosa\n1,2,3,4,6,virginica\n");
    assert_int_equal(open_with_test(&s, "datasets/iris.csv", path, &err), ERROR_INPUT);
    expect_contains(err.msg, "six.csv");
}

static void test_set_with_unknown_class_is_rejected(void **state)
{
    (void)state;
    char path[256];
    write_tmp(path, sizeof path, "unknown.csv",
              "sepal_length,sepal_width,petal_length,petal_width,species\n"
              "5.1,3.5,1.4,0.2,setosa\n6.3,3.3,6.0,2.5,pseudacorus\n");
    PreparedData s;
    Error err = {0};
    assert_int_equal(open_with_test(&s, "datasets/iris.csv", path, &err), ERROR_INPUT);
    expect_contains(err.msg, "pseudacorus");
}

static void test_set_of_other_task_is_rejected(void **state)
{
    (void)state;
    char path[256];
    /* iris's features with a numeric, many-valued label: regression. */
    write_tmp(path, sizeof path, "numeric.csv",
              "sepal_length,sepal_width,petal_length,petal_width,y\n"
              "5.1,3.5,1.4,0.2,0.5\n6.3,3.3,6.0,2.5,1.25\n5.9,3.0,4.2,1.5,2.75\n");
    PreparedData s;
    Error err = {0};
    assert_int_equal(open_with_test(&s, "datasets/iris.csv", path, &err), ERROR_INPUT);
    expect_contains(err.msg, "numeric.csv");
}

/* The test file has only two of the three classes (so its own indices are
 * setosa 0, virginica 1); they must map to iris's indices by name, and its
 * features must be scaled with the training part's statistics. */
static void test_set_classes_map_by_name_and_scale_like_training(void **state)
{
    (void)state;
    char path[256];
    write_tmp(path, sizeof path, "two.csv",
              "sepal_length,sepal_width,petal_length,petal_width,species\n"
              "6.3,3.3,6.0,2.5,virginica\n5.1,3.5,1.4,0.2,setosa\n");
    PreparedData s;
    Error err = {0};
    if (open_with_test(&s, "datasets/iris.csv", path, &err)) fail_msg("%s", err.msg);
    assert_true(s.has_test);
    assert_int_equal(s.test.n, 2);
    assert_int_equal(s.test.d, 4);
    assert_int_equal(s.test.labels[0], class_index(&s.all, "virginica"));
    assert_int_equal(s.test.labels[1], class_index(&s.all, "setosa"));
    const float raw[2][4] = {{6.3f, 3.3f, 6.0f, 2.5f}, {5.1f, 3.5f, 1.4f, 0.2f}};
    PreparedData plain;
    open_ok(&plain, "datasets/iris.csv", "none", 0);
    for (int j = 0; j < 4; j++) {
        double m, sd;
        column_stats(&plain.train, j, &m, &sd);
        for (int i = 0; i < 2; i++)
            expect_near(s.test.x[i * 4 + j], (raw[i][j] - m) / sd, 1e-4, "test feature");
    }
    prepared_close(&plain);
    prepared_close(&s);
}

static void regression_test_set_targets_use_training_scale(void **state)
{
    (void)state;
    char path[256];
    write_tmp(path, sizeof path, "diab.csv",
              "age,sex,bmi,bp,s1,s2,s3,s4,s5,s6,progression\n"
              "59,2,32.1,101,157,93.2,38,4,4.8598,87,151.5\n"
              "48,1,21.6,87,183,103.2,70,3,3.8918,69,75.25\n");
    PreparedData s;
    Error err = {0};
    if (open_with_test(&s, "datasets/diabetes.csv", path, &err)) fail_msg("%s", err.msg);
    assert_true(s.has_test);
    assert_int_equal(s.test.task, TASK_REGRESSION);
    expect_near(s.test.target_scale, s.train.target_scale, 0, "test target_scale");
    expect_near(s.test.targets[0] / s.test.target_scale + s.test.target_shift, 151.5, 1e-3,
                "test target 0");
    expect_near(s.test.targets[1] / s.test.target_scale + s.test.target_shift, 75.25, 1e-3,
                "test target 1");
    prepared_close(&s);
}

/* diabetes.csv's targets are integers; it is regression because they take
 * hundreds of values.  A small held-out file of the same data has few
 * distinct integers, but its task is the training set's, not its own guess. */
static void small_regression_test_set_with_integer_targets_is_accepted(void **state)
{
    (void)state;
    char path[256];
    write_tmp(path, sizeof path, "diab_int.csv",
              "age,sex,bmi,bp,s1,s2,s3,s4,s5,s6,progression\n"
              "59,2,32.1,101,157,93.2,38,4,4.8598,87,151\n"
              "48,1,21.6,87,183,103.2,70,3,3.8918,69,75\n"
              "72,2,30.5,93,156,93.6,41,4,4.6728,85,141\n");
    PreparedData s;
    Error err = {0};
    if (open_with_test(&s, "datasets/diabetes.csv", path, &err))
        fail_msg("--test with rows of diabetes.csv: %s", err.msg);
    assert_true(s.has_test);
    assert_int_equal(s.test.n, 3);
    expect_near(s.test.targets[1] / s.test.target_scale + s.test.target_shift, 75, 1e-3,
                "test target 1");
    prepared_close(&s);
}

/* ---- drawn again: a generated set's noise and split changed live ------- */

static void open_generated(PreparedData *s, const char *name, double noise, double val_split,
                           const char *normalize)
{
    Options o;
    options_default(&o);
    snprintf(o.dataset, sizeof o.dataset, "%s", name);
    Error err = {0};
    if (options_set(&o, options_find("normalize"), normalize, NULL, &err)) fail_msg("%s", err.msg);
    o.seed = 5;
    o.noise = noise;
    o.val_split = val_split;
    if (prepared_open(s, &o, NULL, &err)) fail_msg("prepared_open %s: %s", name, err.msg);
}

static void regenerate_ok(PreparedData *dst, const PreparedData *src, double noise,
                          double val_split)
{
    Error err = {0};
    if (prepared_regenerate(dst, src, noise, val_split, NULL, &err))
        fail_msg("prepared_regenerate: %s", err.msg);
}

/* The same noise and split with the same seed give the same rows, in the
 * same order, as the data they replace. */
static void regenerate_same_values_gives_the_same_rows(void **state)
{
    (void)state;
    PreparedData a, b;
    open_generated(&a, "spiral", 0.1, 0.2, "standard");
    regenerate_ok(&b, &a, 0.1, 0.2);
    assert_int_equal(b.train.n, a.train.n);
    assert_int_equal(b.val.n, a.val.n);
    assert_memory_equal(b.all.x, a.all.x, a.all.n * 2 * sizeof(float));
    assert_memory_equal(b.all.labels, a.all.labels, a.all.n * sizeof(int));
    prepared_close(&b);
    prepared_close(&a);
}

/* Another noise moves each point along its own random draw: the offset
 * from the noiseless point scales with the noise (0.3 is three times
 * 0.1's), and every row keeps its class, its part and its place. */
static void regenerate_other_noise_moves_the_same_points(void **state)
{
    (void)state;
    PreparedData a, zero, b;
    open_generated(&a, "circles", 0.1, 0.2, "none");
    regenerate_ok(&zero, &a, 0, 0.2);
    regenerate_ok(&b, &a, 0.3, 0.2);
    assert_int_equal(b.all.n, a.all.n);
    assert_int_equal(b.train.n, a.train.n);
    assert_int_equal(b.val.n, a.val.n);
    assert_memory_equal(b.all.labels, a.all.labels, a.all.n * sizeof(int));
    size_t moved = 0;
    for (size_t i = 0; i < 2 * a.all.n; i++) {
        double base = zero.all.x[i], da = a.all.x[i] - base, db = b.all.x[i] - base;
        if (!(fabs(db - 3 * da) <= 1e-4 * (1 + fabs(base))))
            fail_msg("coordinate %zu: offset %g at noise 0.3, %g at 0.1 (not 3 times)", i, db, da);
        moved += a.all.x[i] != b.all.x[i];
    }
    assert_true(moved > a.all.n); /* the points did move */
    prepared_close(&b);
    prepared_close(&zero);
    prepared_close(&a);
}

/* Drawn again, the data keeps the normalization of the data it replaces
 * (the weights were learned on inputs scaled so), although the new
 * training part's own statistics differ. */
static void regenerate_keeps_the_normalization(void **state)
{
    (void)state;
    PreparedData a, b;
    open_generated(&a, "spiral", 0.05, 0.2, "standard");
    regenerate_ok(&b, &a, 0.5, 0.2);
    assert_int_equal(b.nz.kind, NORMALIZE_STANDARD);
    assert_memory_equal(b.nz.shift, a.nz.shift, 2 * sizeof(float));
    assert_memory_equal(b.nz.scale, a.nz.scale, 2 * sizeof(float));
    /* the new training part is not standardized by its own statistics:
     * more noise spreads it wider than the unit deviation */
    double mean, sd;
    column_stats(&b.train, 0, &mean, &sd);
    assert_true(sd > 1.1);
    prepared_close(&b);
    prepared_close(&a);
}

static int cmp_row(const void *pa, const void *pb)
{
    const float *a = pa, *b = pb;
    for (int j = 0; j < 3; j++)
        if (a[j] != b[j]) return a[j] < b[j] ? -1 : 1;
    return 0;
}

/* The rows of ds (x, y and the class) sorted, for comparing sets of rows. */
static float *sorted_rows(const Dataset *ds)
{
    float *r = malloc(ds->n * 3 * sizeof *r);
    assert_non_null(r);
    for (size_t i = 0; i < ds->n; i++) {
        r[3 * i] = ds->x[2 * i];
        r[3 * i + 1] = ds->x[2 * i + 1];
        r[3 * i + 2] = (float)ds->labels[i];
    }
    qsort(r, ds->n, 3 * sizeof *r, cmp_row);
    return r;
}

/* Another split sends the same rows to validation anew: each class gives
 * its share, and the rows of both parts together are the rows there were. */
static void regenerate_other_split_splits_the_same_rows(void **state)
{
    (void)state;
    PreparedData a, b;
    open_generated(&a, "xor", 0.1, 0.2, "standard");
    regenerate_ok(&b, &a, 0.1, 0.4);
    assert_int_equal(a.val.n, 100);
    assert_int_equal(b.val.n, 200);
    assert_int_equal(b.train.n, 300);
    size_t counts[2];
    dataset_class_counts(&b.val, counts);
    assert_int_equal(counts[0], 100);
    assert_int_equal(counts[1], 100);
    float *ra = sorted_rows(&a.all), *rb = sorted_rows(&b.all);
    assert_memory_equal(ra, rb, a.all.n * 3 * sizeof *ra);
    free(ra);
    free(rb);
    prepared_close(&b);
    prepared_close(&a);
}

/* A data file, or a CSV under datasets/ that bears a generated set's name,
 * is not drawn again: the error says why. */
static void regenerate_refuses_a_data_file(void **state)
{
    (void)state;
    PreparedData a, b;
    open_ok(&a, "iris", "standard", 1);
    assert_false(prepared_can_regenerate(&a));
    Error err = {0};
    assert_int_equal(prepared_regenerate(&b, &a, 0.2, 0.2, NULL, &err), ERROR_INPUT);
    expect_contains(err.msg, "is a data file: only the generated 2-D sets");
    prepared_close(&b);
    prepared_close(&a);
    open_generated(&a, "moons", -1, 0.2, "standard");
    assert_true(prepared_can_regenerate(&a));
    /* a noise the generator does not take is refused with its range */
    assert_int_equal(prepared_regenerate(&b, &a, 1.5, 0.2, NULL, &err), ERROR_INPUT);
    expect_contains(err.msg, "noise 1.5 out of range [0, 1]");
    prepared_close(&b);
    prepared_close(&a);
}

/* ---- errors ------------------------------------------------------------ */

static void missing_dataset_is_input_error_naming_it(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    snprintf(o.dataset, sizeof o.dataset, "datasets/no-such-set.csv");
    PreparedData s;
    Error err = {0};
    assert_int_equal(prepared_open(&s, &o, NULL, &err), ERROR_INPUT);
    expect_contains(err.msg, "no-such-set");
    o.dataset[0] = '\0';
    assert_int_equal(prepared_open(&s, &o, NULL, &err), ERROR_INPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(iris_splits_120_30_stratified),
        cmocka_unit_test(val_split_zero_trains_on_everything),
        cmocka_unit_test(split_is_a_permutation_of_the_rows),
        cmocka_unit_test(same_seed_gives_same_split),
        cmocka_unit_test(different_seed_gives_different_split),
        cmocka_unit_test(standard_normalization_fits_training_part_only),
        cmocka_unit_test(minmax_puts_training_part_in_unit_range),
        cmocka_unit_test(normalize_none_keeps_values),
        cmocka_unit_test(regression_targets_are_standardized),
        cmocka_unit_test(test_set_with_other_columns_is_rejected),
        cmocka_unit_test(test_set_with_unknown_class_is_rejected),
        cmocka_unit_test(test_set_of_other_task_is_rejected),
        cmocka_unit_test(test_set_classes_map_by_name_and_scale_like_training),
        cmocka_unit_test(regression_test_set_targets_use_training_scale),
        cmocka_unit_test(small_regression_test_set_with_integer_targets_is_accepted),
        cmocka_unit_test(missing_dataset_is_input_error_naming_it),
        cmocka_unit_test(regenerate_same_values_gives_the_same_rows),
        cmocka_unit_test(regenerate_other_noise_moves_the_same_points),
        cmocka_unit_test(regenerate_keeps_the_normalization),
        cmocka_unit_test(regenerate_other_split_splits_the_same_rows),
        cmocka_unit_test(regenerate_refuses_a_data_file),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
