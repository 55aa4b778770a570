/*
 * test_dataset.c - name resolution, the generated 2-D sets, splitting,
 * normalization, statistics and the list of available datasets.  The CSV
 * and IDX loaders have their own programs (test_dataset_csv.c,
 * test_dataset_idx.c).  Runs from the project root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmpdir.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gradtop/data/dataset.h"
#include "gradtop/core/rng.h"

static const char *const generated[] = {"spiral", "circles", "xor", "gauss", "moons"};
#define N_GENERATED 5

static void expect_msg(const Error *err, const char *part)
{
    if (!strstr(err->msg, part)) fail_msg("message \"%s\" lacks \"%s\"", err->msg, part);
}

static void load_ok(Dataset *ds, const char *spec, const DatasetOptions *opt)
{
    Error err = {0};
    ErrorCode code = dataset_load(ds, spec, opt, &err);
    if (code) fail_msg("%s: unexpected error %d: %s", spec, code, err.msg);
}

static void generate_ok(Dataset *ds, const char *name, int samples, double noise, uint64_t seed)
{
    Error err = {0};
    ErrorCode code = dataset_generate(ds, name, samples, noise, seed, &err);
    if (code) fail_msg("%s: unexpected error %d: %s", name, code, err.msg);
}

/* ---- temporary directory ---------------------------------------------------- */

/* tmpdir, make_tmpdir, remove_tmpdir, tmpdir_mkdir and tmpdir_write_text: tmpdir.h */

/* ---- options and freeing ------------------------------------------------------ */

static void test_options_default(void **state)
{
    DatasetOptions o = dataset_options_default();
    assert_null(o.label);
    assert_null(o.labels_file);
    assert_int_equal(o.delimiter, DATASET_DELIMITER_AUTO);
    assert_int_equal(o.missing, MISSING_ERROR);
    assert_int_equal(o.samples, 500);
    assert_true(o.noise < 0); /* the set's own default */
    assert_null(o.exe_dir);
    assert_null(o.fashion_dir);
}

static void test_free_is_safe_on_zeroed_freed_and_views(void **state)
{
    Dataset ds = {0};
    dataset_free(&ds);
    dataset_free(NULL);
    load_ok(&ds, "iris", NULL);
    Dataset train, val;
    Error err = {0};
    assert_int_equal(dataset_split(&ds, 0.2, 1, &train, &val, &err), ERROR_NONE);
    dataset_free(&train); /* frees nothing: ds is still whole */
    dataset_free(&val);
    assert_null(train.x);
    assert_true(ds.x[0] > 0 && ds.x[149 * 4 + 3] > 0);
    assert_string_equal(ds.class_names[2], "virginica");
    dataset_free(&ds);
    assert_null(ds.x);
    assert_false(ds.owns);
    dataset_free(&ds); /* twice is fine */
}

/* ---- resolving names ------------------------------------------------------------ */

static void test_bare_name_loads_datasets_dir(void **state)
{
    Dataset ds;
    load_ok(&ds, "iris", NULL);
    assert_string_equal(ds.name, "iris");
    assert_string_equal(ds.source, "datasets/iris.csv");
    assert_int_equal(ds.n, 150);
    assert_int_equal(ds.d, 4);
    assert_int_equal(ds.n_classes, 3);
    size_t counts[3];
    dataset_class_counts(&ds, counts);
    assert_int_equal(counts[0], 50);
    assert_int_equal(counts[1], 50);
    assert_int_equal(counts[2], 50);
    dataset_free(&ds);

    load_ok(&ds, "diabetes", NULL);
    assert_int_equal(ds.n, 442);
    assert_int_equal(ds.task, TASK_REGRESSION);
    assert_string_equal(ds.label_name, "progression");
    dataset_free(&ds);
}

static void test_datasets_beside_the_program_come_first(void **state)
{
    tmpdir_mkdir("datasets");
    tmpdir_mkdir("bin");
    tmpdir_write_text("datasets/iris.csv", "a,b,kind\n1,2,p\n3,4,q\n");
    char exe[128];
    DatasetOptions o = dataset_options_default();
    Dataset ds;
    /* exe_dir/datasets */
    o.exe_dir = tmpdir;
    load_ok(&ds, "iris", &o);
    assert_int_equal(ds.n, 2);
    assert_string_equal(ds.label_name, "kind");
    dataset_free(&ds);
    /* exe_dir/../datasets, the layout of build/gradtop beside datasets/ */
    snprintf(exe, sizeof exe, "%s/bin", tmpdir);
    o.exe_dir = exe;
    load_ok(&ds, "iris", &o);
    assert_int_equal(ds.n, 2);
    /* named by its real path, without "bin/.." */
    assert_null(strstr(ds.source, "/.."));
    assert_non_null(strstr(ds.source, "/datasets/iris.csv"));
    dataset_free(&ds);
    /* Not there: the working directory's datasets/. */
    load_ok(&ds, "wine", &o);
    assert_int_equal(ds.n, 178);
    dataset_free(&ds);
}

static void test_unknown_name_lists_what_is_available(void **state)
{
    Dataset ds;
    Error err = {0};
    assert_int_equal(dataset_load(&ds, "nosuchset", NULL, &err), ERROR_INPUT);
    expect_msg(&err, "unknown dataset 'nosuchset'");
    expect_msg(&err, "iris");
    expect_msg(&err, "diabetes");
    expect_msg(&err, "spiral");
    expect_msg(&err, "moons");
    assert_false(ds.owns);
    assert_int_equal(dataset_load(&ds, "", NULL, &err), ERROR_INPUT);
    assert_int_equal(dataset_load(&ds, NULL, NULL, &err), ERROR_INPUT);
}

/* The path of a pipe's read end with text written into it by a child
 * process (more than a pipe holds, so it really streams); *child to reap. */
static void pipe_with(const char *text, size_t repeat, int *fd, pid_t *child, char *path)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        FILE *f = fdopen(p[1], "w");
        for (size_t i = 0; f && i < repeat; i++) fputs(i ? strchr(text, '\n') + 1 : text, f);
        _exit(f && fclose(f) == 0 ? 0 : 1);
    }
    close(p[1]);
    *fd = p[0];
    *child = pid;
    snprintf(path, 32, "/dev/fd/%d", p[0]);
}

/* A pipe (stdin, a FIFO) is read as a stream: its first bytes, read to tell
 * CSV from IDX, are not lost. */
static void test_pipes_are_read_as_streams(void **state)
{
    int fd, status;
    pid_t child;
    char path[32];
    pipe_with("a,b,y\n1.5,2,cat\n3,4,dog\n", 20000, &fd, &child, path);
    Dataset ds;
    load_ok(&ds, path, NULL);
    assert_int_equal(ds.n, 2 * 20000);
    assert_string_equal(ds.feature_names[0], "a");
    assert_true(ds.x[0] == 1.5f);
    assert_int_equal(ds.n_classes, 2);
    dataset_free(&ds);
    close(fd);
    assert_int_equal(waitpid(child, &status, 0), child);

    /* IDX data (magic 00 00 08) needs a file */
    pipe_with("\x1f\x8b\x08\n", 1, &fd, &child, path);
    Error err = {0};
    assert_int_equal(dataset_load(&ds, path, NULL, &err), ERROR_INPUT);
    expect_msg(&err, "from a pipe or device");
    close(fd);
    waitpid(child, &status, 0);
    /* an empty pipe is an empty file */
    pipe_with("", 1, &fd, &child, path);
    assert_int_equal(dataset_load(&ds, path, NULL, &err), ERROR_INPUT);
    expect_msg(&err, "empty file");
    close(fd);
    waitpid(child, &status, 0);
}

/* A stream's delimiter is detected from its first chunk, as a file's is:
 * the bytes read to tell its format are part of what is looked at. */
static void test_pipes_detect_the_delimiter(void **state)
{
    int fd, status;
    pid_t child;
    char path[32];
    pipe_with("a;b;y\n1,5;2;cat\n", 1, &fd, &child, path);
    Error err = {0};
    Dataset ds;
    assert_int_equal(dataset_load(&ds, path, NULL, &err), ERROR_INPUT);
    expect_msg(&err, ":2:1: column 'a': \"1,5\" appears to use a decimal comma");
    close(fd);
    assert_int_equal(waitpid(child, &status, 0), child);

    pipe_with("a;b;y\n1.5;2;cat\n3;4;dog\n", 20000, &fd, &child, path);
    load_ok(&ds, path, NULL);
    assert_int_equal(ds.delimiter, ';');
    assert_true(ds.delimiter_detected);
    assert_int_equal(ds.n, 2 * 20000);
    assert_int_equal(ds.d, 2);
    assert_true(ds.x[0] == 1.5f && ds.x[3] == 4.0f);
    dataset_free(&ds);
    close(fd);
    assert_int_equal(waitpid(child, &status, 0), child);
}

/* The feature columns in another order, with their names, means and
 * missing counts. */
static void test_reorder_features(void **state)
{
    tmpdir_write_text("r.csv", "a,b,c,y\n1,2,3,0\n4,,6,1\n");
    DatasetOptions o = dataset_options_default();
    o.missing = MISSING_MEAN;
    Dataset ds;
    char path[256];
    snprintf(path, sizeof path, "%s/r.csv", tmpdir);
    load_ok(&ds, path, &o);
    int from[3] = {2, 0, 1};
    Error err = {0};
    assert_int_equal(dataset_reorder_features(&ds, from, &err), ERROR_NONE);
    assert_string_equal(ds.feature_names[0], "c");
    assert_string_equal(ds.feature_names[1], "a");
    assert_string_equal(ds.feature_names[2], "b");
    float want[6] = {3, 1, 2, 6, 4, 2};
    assert_memory_equal(ds.x, want, sizeof want);
    assert_true(ds.feature_mean[0] == 4.5f && ds.feature_mean[2] == 2.0f);
    assert_int_equal(ds.feature_missing[2], 1);
    assert_int_equal(ds.feature_missing[0], 0);
    dataset_free(&ds);
}

static void test_paths_that_cannot_be_read(void **state)
{
    Dataset ds;
    Error err = {0};
    assert_int_equal(dataset_load(&ds, "datasets/nosuch.csv", NULL, &err), ERROR_INPUT);
    expect_msg(&err, "datasets/nosuch.csv: can't open: No such file");
    assert_int_equal(dataset_load(&ds, "tests/data", NULL, &err), ERROR_INPUT);
    expect_msg(&err, "tests/data: is a directory");
    assert_false(ds.owns);
    assert_null(ds.x);
}

static void test_generated_name_uses_options(void **state)
{
    DatasetOptions o = dataset_options_default();
    o.samples = 120;
    o.noise = 0.2;
    o.seed = 3;
    Dataset a, b;
    load_ok(&a, "moons", &o);
    generate_ok(&b, "moons", 120, 0.2, 3);
    assert_string_equal(a.name, "moons");
    assert_int_equal(a.n, 120);
    assert_memory_equal(a.x, b.x, 240 * sizeof(float));
    dataset_free(&a);
    dataset_free(&b);
}

/* ---- generated sets -------------------------------------------------------------- */

static void test_generated_sets_are_balanced_and_named(void **state)
{
    for (int s = 0; s < N_GENERATED; s++) {
        Dataset ds;
        generate_ok(&ds, generated[s], 0, -1, 0);
        assert_int_equal(ds.n, 500);
        assert_int_equal(ds.d, 2);
        assert_int_equal(ds.task, TASK_CLASSIFICATION);
        assert_int_equal(ds.n_classes, 2);
        assert_string_equal(ds.class_names[0], "0");
        assert_string_equal(ds.class_names[1], "1");
        /* as --features and every view name them */
        assert_string_equal(ds.feature_names[0], "x1");
        assert_string_equal(ds.feature_names[1], "x2");
        assert_string_equal(ds.name, generated[s]);
        size_t counts[2];
        dataset_class_counts(&ds, counts);
        assert_int_equal(counts[0], 250);
        assert_int_equal(counts[1], 250);
        /* Roughly in [-6, 6]: at most 1% of the coordinates outside. */
        size_t outside = 0;
        for (size_t i = 0; i < 1000; i++)
            if (fabsf(ds.x[i]) > 6.0f) outside++;
        if (outside > 10) fail_msg("%s: %zu coordinates outside [-6, 6]", generated[s], outside);
        dataset_free(&ds);
    }
}

static void test_generated_sets_are_deterministic_per_seed(void **state)
{
    for (int s = 0; s < N_GENERATED; s++) {
        Dataset a, b, c;
        generate_ok(&a, generated[s], 300, 0.1, 42);
        generate_ok(&b, generated[s], 300, 0.1, 42);
        generate_ok(&c, generated[s], 300, 0.1, 43);
        assert_memory_equal(a.x, b.x, 600 * sizeof(float));
        assert_memory_equal(a.labels, b.labels, 300 * sizeof(int));
        assert_memory_not_equal(a.x, c.x, 600 * sizeof(float));
        dataset_free(&a);
        dataset_free(&b);
        dataset_free(&c);
    }
}

static void test_generated_geometry_without_noise(void **state)
{
    Dataset ds;
    generate_ok(&ds, "circles", 400, 0, 1);
    for (size_t i = 0; i < ds.n; i++) {
        double r = hypot(ds.x[2 * i], ds.x[2 * i + 1]);
        if (ds.labels[i] == 0)
            assert_true(r <= 2.5 + 1e-5);
        else
            assert_true(r >= 3.5 - 1e-5 && r <= 5.0 + 1e-5);
    }
    dataset_free(&ds);

    generate_ok(&ds, "xor", 400, 0, 1);
    for (size_t i = 0; i < ds.n; i++) {
        float x = ds.x[2 * i], y = ds.x[2 * i + 1];
        assert_true(fabsf(x) >= 0.3f - 1e-6f && fabsf(x) <= 5.0f + 1e-6f);
        assert_int_equal(ds.labels[i], x * y > 0 ? 1 : 0);
    }
    dataset_free(&ds);

    generate_ok(&ds, "spiral", 400, 0, 1);
    for (size_t i = 0; i < ds.n; i++)
        assert_true(hypot(ds.x[2 * i], ds.x[2 * i + 1]) <= 5.0 + 1e-5);
    dataset_free(&ds);

    generate_ok(&ds, "moons", 400, 0, 1);
    for (size_t i = 0; i < ds.n; i++) {
        float x = ds.x[2 * i], y = ds.x[2 * i + 1];
        assert_true(x >= -4.5f - 1e-5f && x <= 4.5f + 1e-5f);
        assert_true(y >= -2.25f - 1e-5f && y <= 2.25f + 1e-5f);
        /* Class 0 is the upper arc (y >= -0.75), class 1 the lower. */
        if (ds.labels[i] == 0)
            assert_true(y >= -0.75f - 1e-5f);
        else
            assert_true(y <= 0.75f + 1e-5f);
    }
    dataset_free(&ds);

    /* Gaussians centred on (-2, -2) and (2, 2). */
    generate_ok(&ds, "gauss", 2000, 0, 1);
    double mean[2][2] = {{0}};
    for (size_t i = 0; i < ds.n; i++)
        for (int k = 0; k < 2; k++) mean[ds.labels[i]][k] += ds.x[2 * i + k] / 1000.0;
    assert_float_equal(mean[0][0], -2.0, 0.15);
    assert_float_equal(mean[0][1], -2.0, 0.15);
    assert_float_equal(mean[1][0], 2.0, 0.15);
    assert_float_equal(mean[1][1], 2.0, 0.15);
    dataset_free(&ds);
}

/* Leave-one-out accuracy of a 5-nearest-neighbour vote: a set a simple
 * learner cannot fit is not worth shipping. */
static double knn_accuracy(const Dataset *ds, const int *labels)
{
    size_t right = 0;
    for (size_t i = 0; i < ds->n; i++) {
        double best[5];
        int who[5];
        for (int k = 0; k < 5; k++) best[k] = INFINITY, who[k] = 0;
        for (size_t j = 0; j < ds->n; j++) {
            if (j == i) continue;
            double dx = ds->x[2 * i] - ds->x[2 * j], dy = ds->x[2 * i + 1] - ds->x[2 * j + 1];
            double dist = dx * dx + dy * dy;
            int k = 4;
            if (dist >= best[k]) continue;
            while (k > 0 && best[k - 1] > dist) {
                best[k] = best[k - 1];
                who[k] = who[k - 1];
                k--;
            }
            best[k] = dist;
            who[k] = labels[j];
        }
        int votes = 0;
        for (int k = 0; k < 5; k++) votes += who[k];
        if ((votes >= 3) == (labels[i] == 1)) right++;
    }
    return (double)right / (double)ds->n;
}

static void test_generated_sets_are_learnable(void **state)
{
    for (int s = 0; s < N_GENERATED; s++) {
        Dataset ds;
        generate_ok(&ds, generated[s], 500, -1, 5);
        double acc = knn_accuracy(&ds, ds.labels);
        if (acc < 0.9) fail_msg("%s: 5-NN accuracy %.3f < 0.9", generated[s], acc);
        /* The same points with scrambled labels are not learnable: the
         * measure above tells a real pattern from none. */
        int *shuffled = malloc(ds.n * sizeof *shuffled);
        assert_non_null(shuffled);
        memcpy(shuffled, ds.labels, ds.n * sizeof *shuffled);
        Rng rng;
        rng_seed(&rng, 1);
        rng_shuffle(&rng, shuffled, ds.n);
        double chance = knn_accuracy(&ds, shuffled);
        if (chance > 0.65) fail_msg("%s: scrambled labels still give %.3f", generated[s], chance);
        free(shuffled);
        dataset_free(&ds);
    }
}

static void test_generated_noise_spreads_points(void **state)
{
    Dataset quiet, noisy;
    generate_ok(&quiet, "circles", 1000, 0, 9);
    generate_ok(&noisy, "circles", 1000, 0.5, 9);
    size_t outside_quiet = 0, outside_noisy = 0;
    for (size_t i = 0; i < 1000; i++) {
        if (hypot(quiet.x[2 * i], quiet.x[2 * i + 1]) > 5.0 + 1e-5) outside_quiet++;
        if (hypot(noisy.x[2 * i], noisy.x[2 * i + 1]) > 5.0 + 1e-5) outside_noisy++;
    }
    assert_int_equal(outside_quiet, 0);
    assert_true(outside_noisy > 100);
    dataset_free(&quiet);
    dataset_free(&noisy);
}

static void test_generated_defaults_and_bad_arguments(void **state)
{
    assert_float_equal(dataset_default_noise("spiral"), 0.05, 0);
    assert_float_equal(dataset_default_noise("xor"), 0.1, 0);
    assert_float_equal(dataset_default_noise("nope"), -1, 0);
    assert_true(dataset_is_generated_name("gauss"));
    assert_false(dataset_is_generated_name("iris"));
    assert_false(dataset_is_generated_name(NULL));

    Dataset a, b;
    generate_ok(&a, "spiral", 0, -1, 4);
    generate_ok(&b, "spiral", 500, 0.05, 4);
    assert_int_equal(a.n, 500);
    assert_memory_equal(a.x, b.x, 1000 * sizeof(float));
    dataset_free(&a);
    dataset_free(&b);

    Error err = {0};
    assert_int_equal(dataset_generate(&a, "squares", 100, 0.1, 0, &err), ERROR_INPUT);
    expect_msg(&err, "unknown generated set 'squares'");
    assert_int_equal(dataset_generate(&a, "xor", 1, 0.1, 0, &err), ERROR_INPUT);
    expect_msg(&err, "samples 1 out of range");
    assert_int_equal(dataset_generate(&a, "xor", DATASET_MAX_SAMPLES + 1, 0.1, 0, &err),
                     ERROR_INPUT);
    assert_int_equal(dataset_generate(&a, "xor", 100, 1.5, 0, &err), ERROR_INPUT);
    expect_msg(&err, "noise 1.5 out of range [0, 1]");
    assert_int_equal(dataset_generate(&a, "xor", 100, NAN, 0, &err), ERROR_INPUT);
    assert_null(a.x);
    assert_false(a.owns);
}

/* ---- splitting ---------------------------------------------------------------- */

/* A fingerprint of a row with its label or target, to follow rows about. */
static double row_key(const Dataset *ds, size_t i)
{
    double k = ds->labels ? ds->labels[i] * 1e6 : ds->targets[i] * 1e3;
    for (int j = 0; j < ds->d; j++) k += ds->x[i * (size_t)ds->d + (size_t)j] * (j + 1.37);
    return k;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double *sorted_keys(const Dataset *ds)
{
    double *k = malloc(ds->n * sizeof *k);
    assert_non_null(k);
    for (size_t i = 0; i < ds->n; i++) k[i] = row_key(ds, i);
    qsort(k, ds->n, sizeof *k, cmp_double);
    return k;
}

static void test_split_is_stratified_and_keeps_every_row(void **state)
{
    Dataset ds, train, val;
    load_ok(&ds, "iris", NULL);
    double *before = sorted_keys(&ds);
    Error err = {0};
    assert_int_equal(dataset_split(&ds, 0.2, 7, &train, &val, &err), ERROR_NONE);
    assert_int_equal(train.n, 120);
    assert_int_equal(val.n, 30);
    assert_false(train.owns);
    assert_false(val.owns);
    assert_ptr_equal(train.x, ds.x);
    assert_ptr_equal(val.x, ds.x + 120 * 4);
    assert_ptr_equal(val.labels, ds.labels + 120);
    assert_int_equal(train.n_classes, 3);
    assert_ptr_equal(train.class_names, ds.class_names);
    size_t tc[3], vc[3];
    dataset_class_counts(&train, tc);
    dataset_class_counts(&val, vc);
    for (int c = 0; c < 3; c++) {
        assert_int_equal(tc[c], 40);
        assert_int_equal(vc[c], 10);
    }
    /* Same rows, each still with its own label, in a shuffled order. */
    double *after = sorted_keys(&ds);
    assert_memory_equal(before, after, 150 * sizeof(double));
    int changes = 0;
    for (size_t i = 1; i < 120; i++) changes += train.labels[i] != train.labels[i - 1];
    assert_true(changes > 30); /* classes mixed, not in blocks */
    free(before);
    free(after);
    dataset_free(&ds);
}

static void test_split_depends_only_on_seed(void **state)
{
    Dataset a, b, c, train, val;
    load_ok(&a, "iris", NULL);
    load_ok(&b, "iris", NULL);
    load_ok(&c, "iris", NULL);
    Error err = {0};
    assert_int_equal(dataset_split(&a, 0.3, 5, &train, &val, &err), ERROR_NONE);
    assert_int_equal(dataset_split(&b, 0.3, 5, &train, &val, &err), ERROR_NONE);
    assert_int_equal(dataset_split(&c, 0.3, 6, &train, &val, &err), ERROR_NONE);
    assert_memory_equal(a.x, b.x, 600 * sizeof(float));
    assert_memory_equal(a.labels, b.labels, 150 * sizeof(int));
    assert_memory_not_equal(a.x, c.x, 600 * sizeof(float));
    dataset_free(&a);
    dataset_free(&b);
    dataset_free(&c);
}

static void test_split_zero_gives_empty_validation(void **state)
{
    Dataset ds, train, val;
    load_ok(&ds, "iris", NULL);
    Error err = {0};
    assert_int_equal(dataset_split(&ds, 0, 1, &train, &val, &err), ERROR_NONE);
    assert_int_equal(train.n, 150);
    assert_int_equal(val.n, 0);
    dataset_free(&ds);
}

static void test_split_small_classes_keep_a_row_on_each_side(void **state)
{
    /* Classes of 2, 3 and 1 rows; 10% would round every class to 0. */
    float x[6] = {0, 1, 2, 3, 4, 5};
    int labels[6] = {0, 1, 0, 1, 2, 1};
    Dataset ds = {
        .n = 6, .d = 1, .x = x, .labels = labels, .task = TASK_CLASSIFICATION, .n_classes = 3};
    Dataset train, val;
    Error err = {0};
    assert_int_equal(dataset_split(&ds, 0.1, 3, &train, &val, &err), ERROR_NONE);
    size_t tc[3], vc[3];
    dataset_class_counts(&train, tc);
    dataset_class_counts(&val, vc);
    assert_int_equal(tc[0], 1);
    assert_int_equal(vc[0], 1);
    assert_int_equal(tc[1], 2);
    assert_int_equal(vc[1], 1);
    assert_int_equal(tc[2], 1); /* a lone row trains */
    assert_int_equal(vc[2], 0);
    /* x kept its label: x = 4 is the only class-2 row. */
    for (size_t i = 0; i < 6; i++) assert_true((x[i] == 4.0f) == (labels[i] == 2));
    /* At 90%, every class of two or more still keeps one row to train on. */
    float x2[6] = {0, 1, 2, 3, 4, 5};
    int labels2[6] = {0, 1, 0, 1, 2, 1};
    ds.x = x2;
    ds.labels = labels2;
    assert_int_equal(dataset_split(&ds, 0.9, 3, &train, &val, &err), ERROR_NONE);
    dataset_class_counts(&train, tc);
    assert_int_equal(tc[0], 1);
    assert_int_equal(tc[1], 1);
    assert_int_equal(tc[2], 1);
}

static void test_split_regression_moves_targets_with_rows(void **state)
{
    Dataset ds, train, val;
    load_ok(&ds, "diabetes", NULL);
    double *before = sorted_keys(&ds);
    Error err = {0};
    assert_int_equal(dataset_split(&ds, 0.2, 2, &train, &val, &err), ERROR_NONE);
    assert_int_equal(val.n, 88); /* round(442 * 0.2) */
    assert_int_equal(train.n, 354);
    assert_ptr_equal(val.targets, ds.targets + 354);
    assert_null(val.labels);
    double *after = sorted_keys(&ds);
    assert_memory_equal(before, after, 442 * sizeof(double));
    assert_false(ds.targets[0] == 151.0f && ds.targets[1] == 75.0f); /* shuffled */
    free(before);
    free(after);
    dataset_free(&ds);
}

static void test_split_rejects_fractions_out_of_range(void **state)
{
    Dataset ds, train, val;
    load_ok(&ds, "iris", NULL);
    Error err = {0};
    assert_int_equal(dataset_split(&ds, 1.0, 1, &train, &val, &err), ERROR_INPUT);
    expect_msg(&err, "validation fraction 1 out of range [0, 1)");
    assert_int_equal(dataset_split(&ds, -0.1, 1, &train, &val, &err), ERROR_INPUT);
    assert_int_equal(dataset_split(&ds, NAN, 1, &train, &val, &err), ERROR_INPUT);
    dataset_free(&ds);
}

/* ---- normalization ------------------------------------------------------------ */

static Dataset small_set(float *x, size_t n, int d)
{
    return (Dataset){.n = n, .d = d, .x = x, .task = TASK_REGRESSION};
}

static void test_normalizer_standard_uses_population_std(void **state)
{
    /* columns: 1..4, constant 7, offset 1e6 + {-1, 1, -1, 1} */
    float x[12] = {1, 7, 999999, 2, 7, 1000001, 3, 7, 999999, 4, 7, 1000001};
    Dataset ds = small_set(x, 4, 3);
    Normalizer nz;
    Error err = {0};
    assert_int_equal(normalizer_fit(&nz, NORMALIZE_STANDARD, &ds, &err), ERROR_NONE);
    assert_int_equal(nz.d, 3);
    assert_float_equal(nz.shift[0], 2.5, 1e-6);
    assert_float_equal(nz.scale[0], 1.0 / sqrt(1.25), 1e-6);
    assert_float_equal(nz.scale[1], 1.0, 0); /* constant column */
    assert_float_equal(nz.shift[2], 1e6, 0.01);
    assert_float_equal(nz.scale[2], 1.0, 1e-6); /* exact std despite the offset */
    normalizer_apply(&nz, &ds);
    assert_float_equal(x[0], -1.5 / sqrt(1.25), 1e-6);
    assert_float_equal(x[9], 1.5 / sqrt(1.25), 1e-6);
    assert_float_equal(x[1], 0.0, 0);
    assert_float_equal(x[2], -1.0, 1e-6);
    assert_float_equal(x[5], 1.0, 1e-6);
    normalizer_free(&nz);
    assert_null(nz.shift);
}

static void test_normalizer_minmax_and_none(void **state)
{
    float x[6] = {2, -1, 4, -1, 6, -1};
    Dataset ds = small_set(x, 3, 2);
    Normalizer nz;
    Error err = {0};
    assert_int_equal(normalizer_fit(&nz, NORMALIZE_MINMAX, &ds, &err), ERROR_NONE);
    normalizer_apply(&nz, &ds);
    assert_float_equal(x[0], 0.0, 0);
    assert_float_equal(x[2], 0.5, 1e-7);
    assert_float_equal(x[4], 1.0, 1e-7);
    assert_float_equal(x[1], 0.0, 0); /* constant: shifted to 0, scale 1 */
    assert_float_equal(nz.scale[1], 1.0, 0);
    normalizer_free(&nz);

    float y[4] = {3, 4, 5, 6};
    ds = small_set(y, 2, 2);
    assert_int_equal(normalizer_fit(&nz, NORMALIZE_NONE, &ds, &err), ERROR_NONE);
    normalizer_apply(&nz, &ds);
    assert_true(y[0] == 3 && y[1] == 4 && y[2] == 5 && y[3] == 6);
    normalizer_free(&nz);
}

/* Far more rows than one block of the fit (it reads a block of rows at a
 * time and merges the blocks' statistics): the result must be the two-pass
 * mean and standard deviation of the whole column, and the extremes of the
 * whole column, wherever they lie. */
static void test_normalizer_merges_blocks_of_rows_exactly(void **state)
{
    enum { N = 100003, D = 3 };
    float *x = malloc((size_t)N * D * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < N; i++) {
        x[i * D] = 1e6f + (float)(i % 7) - 3.0f; /* offset >> std */
        x[i * D + 1] = (float)i / 1000.0f;       /* each block's mean differs */
        x[i * D + 2] = i == 40000 ? 9.0f : i == N - 1 ? -5.0f : 1.0f;
    }
    long double mean[D] = {0}, sq[D] = {0};
    for (size_t i = 0; i < N; i++)
        for (int j = 0; j < D; j++) mean[j] += x[i * D + j];
    for (int j = 0; j < D; j++) mean[j] /= N;
    for (size_t i = 0; i < N; i++)
        for (int j = 0; j < D; j++) sq[j] += (x[i * D + j] - mean[j]) * (x[i * D + j] - mean[j]);

    Dataset ds = small_set(x, N, D);
    Normalizer nz;
    Error err = {0};
    assert_int_equal(normalizer_fit(&nz, NORMALIZE_STANDARD, &ds, &err), ERROR_NONE);
    for (int j = 0; j < D; j++) {
        double sd = (double)sqrtl(sq[j] / N);
        assert_float_equal(nz.shift[j], (double)mean[j], fabs((double)mean[j]) * 1e-7);
        assert_float_equal(nz.scale[j], 1.0 / sd, 1e-6 / sd);
    }
    normalizer_free(&nz);

    assert_int_equal(normalizer_fit(&nz, NORMALIZE_MINMAX, &ds, &err), ERROR_NONE);
    assert_float_equal(nz.shift[0], 1e6 - 3, 0);
    assert_float_equal(nz.scale[0], 1.0 / 6, 1e-9);
    assert_float_equal(nz.shift[1], 0, 0);
    assert_float_equal(nz.shift[2], -5, 0);
    assert_float_equal(nz.scale[2], 1.0 / 14, 1e-9);
    normalizer_free(&nz);
    free(x);
}

/* |got - want| <= tol, and so finite (cmocka's assert_float_equal takes
 * an infinity for equal to anything). */
static void expect_close(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol)) fail_msg("got %g, want %g (within %g)", got, want, tol);
}

/* Values as large as a float holds: x - shift exceeds FLT_MAX in float
 * (3e38 - -3e38), but not the normalized value; fit and apply in double
 * keep every value finite and where it belongs. */
static void test_normalizer_survives_the_largest_floats(void **state)
{
    enum { N = 20 };
    float x[N * 2], orig[N * 2];
    for (int i = 0; i < N; i++) {
        x[2 * i] = i % 2 ? 3e38f : -3e38f;          /* minmax's range: 6e38 */
        x[2 * i + 1] = i % 4 == 0 ? 3e38f : -3e38f; /* mean -1.5e38: 3e38 - mean = 4.5e38 */
    }
    memcpy(orig, x, sizeof x);
    Dataset ds = small_set(x, N, 2);
    Normalizer nz;
    Error err = {0};
    assert_int_equal(normalizer_fit(&nz, NORMALIZE_MINMAX, &ds, &err), ERROR_NONE);
    assert_true(isfinite(nz.scale[0]) && nz.scale[0] > 0);
    normalizer_apply(&nz, &ds);
    for (int i = 0; i < N; i++) {
        expect_close(x[2 * i], i % 2 ? 1.0 : 0.0, 1e-5);
        expect_close(x[2 * i + 1], i % 4 == 0 ? 1.0 : 0.0, 1e-5);
    }
    normalizer_free(&nz);

    memcpy(x, orig, sizeof x);
    assert_int_equal(normalizer_fit(&nz, NORMALIZE_STANDARD, &ds, &err), ERROR_NONE);
    normalizer_apply(&nz, &ds);
    /* column 1: a quarter at 3e38, the rest at -3e38: z = +-sqrt(3), -1/sqrt(3) */
    for (int i = 0; i < N; i++) {
        expect_close(x[2 * i], i % 2 ? 1.0 : -1.0, 1e-5);
        expect_close(x[2 * i + 1], i % 4 == 0 ? sqrt(3.0) : -1.0 / sqrt(3.0), 1e-5);
    }
    normalizer_free(&nz);
}

static void test_normalizer_fits_on_train_only(void **state)
{
    Dataset ds, train, val;
    load_ok(&ds, "iris", NULL);
    Error err = {0};
    assert_int_equal(dataset_split(&ds, 0.2, 1, &train, &val, &err), ERROR_NONE);
    Normalizer nz;
    assert_int_equal(normalizer_fit(&nz, NORMALIZE_STANDARD, &train, &err), ERROR_NONE);
    normalizer_apply(&nz, &ds);
    FeatureStats st[4];
    dataset_stats(&train, st);
    for (int j = 0; j < 4; j++) assert_float_equal(st[j].mean, 0.0, 1e-5);
    dataset_stats(&val, st);
    int off = 0;
    for (int j = 0; j < 4; j++) off += fabs(st[j].mean) > 1e-3;
    assert_true(off > 0); /* the validation part is not its own reference */
    normalizer_free(&nz);
    dataset_free(&ds);
}

/* ---- statistics and the list ---------------------------------------------------- */

static void test_stats_of_iris(void **state)
{
    Dataset ds;
    load_ok(&ds, "iris", NULL);
    FeatureStats st[4];
    dataset_stats(&ds, st);
    assert_float_equal(st[0].min, 4.3, 1e-6);
    assert_float_equal(st[0].max, 7.9, 1e-6);
    assert_float_equal(st[0].mean, 5.843333, 1e-5);
    assert_float_equal(st[3].min, 0.1, 1e-6);
    assert_float_equal(st[3].max, 2.5, 1e-6);
    assert_int_equal(st[2].missing, 0);
    dataset_free(&ds);
}

static void test_stats_report_missing_per_column(void **state)
{
    DatasetOptions o = dataset_options_default();
    o.missing = MISSING_MEAN;
    Dataset ds;
    load_ok(&ds, "tests/data/missing.csv", &o);
    FeatureStats st[2];
    dataset_stats(&ds, st);
    assert_int_equal(st[0].missing, 1);
    assert_int_equal(st[1].missing, 3);
    assert_float_equal(st[1].mean, 30.0, 1e-6); /* imputed values are the mean */
    dataset_free(&ds);
}

static int find_name(char names[][128], int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) return i;
    return -1;
}

static void test_list_available(void **state)
{
    char names[64][128];
    int n = dataset_list_available(NULL, names, 64);
    assert_true(n >= 12 && n <= 64);
    /* The CSVs of datasets/ first, sorted, then the built-ins in a fixed
     * order; fashion-mnist is installed here (see the Makefile's deps). */
    int f = find_name(names, n, "fashion-mnist");
    assert_int_equal(f, n - 7);
    static const char *const builtins[] = {
        "fashion-mnist", "fashion-mnist-test", "spiral", "circles", "xor", "gauss", "moons"};
    for (int i = 0; i < 7; i++) assert_string_equal(names[f + i], builtins[i]);
    for (int i = 1; i < f; i++) assert_true(strcmp(names[i - 1], names[i]) < 0);
    static const char *const shipped[] = {"breast_cancer", "diabetes", "digits", "iris", "wine"};
    for (int i = 0; i < 5; i++) assert_true(find_name(names, f, shipped[i]) >= 0);

    /* cap limits what is filled, not the count. */
    char few[3][128];
    assert_int_equal(dataset_list_available(NULL, few, 3), n);
    assert_string_equal(few[2], names[2]);
    assert_int_equal(dataset_list_available(NULL, NULL, 0), n);

    /* "." is the working directory again: nothing listed twice. */
    assert_int_equal(dataset_list_available(".", names, 64), n);

    /* A dataset beside the program joins the sorted list; other files not. */
    tmpdir_mkdir("extra");
    tmpdir_mkdir("extra/datasets");
    tmpdir_write_text("extra/datasets/aardvark.csv", "a,b\n1,2\n");
    tmpdir_write_text("extra/datasets/notes.txt", "not a dataset\n");
    char exe[128];
    snprintf(exe, sizeof exe, "%s/extra", tmpdir);
    assert_int_equal(dataset_list_available(exe, names, 64), n + 1);
    assert_string_equal(names[0], "aardvark");
    assert_int_equal(find_name(names, n + 1, "notes"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_default),
        cmocka_unit_test(test_free_is_safe_on_zeroed_freed_and_views),
        cmocka_unit_test(test_bare_name_loads_datasets_dir),
        cmocka_unit_test(test_datasets_beside_the_program_come_first),
        cmocka_unit_test(test_unknown_name_lists_what_is_available),
        cmocka_unit_test(test_paths_that_cannot_be_read),
        cmocka_unit_test(test_pipes_are_read_as_streams),
        cmocka_unit_test(test_pipes_detect_the_delimiter),
        cmocka_unit_test(test_reorder_features),
        cmocka_unit_test(test_generated_name_uses_options),
        cmocka_unit_test(test_generated_sets_are_balanced_and_named),
        cmocka_unit_test(test_generated_sets_are_deterministic_per_seed),
        cmocka_unit_test(test_generated_geometry_without_noise),
        cmocka_unit_test(test_generated_sets_are_learnable),
        cmocka_unit_test(test_generated_noise_spreads_points),
        cmocka_unit_test(test_generated_defaults_and_bad_arguments),
        cmocka_unit_test(test_split_is_stratified_and_keeps_every_row),
        cmocka_unit_test(test_split_depends_only_on_seed),
        cmocka_unit_test(test_split_zero_gives_empty_validation),
        cmocka_unit_test(test_split_small_classes_keep_a_row_on_each_side),
        cmocka_unit_test(test_split_regression_moves_targets_with_rows),
        cmocka_unit_test(test_split_rejects_fractions_out_of_range),
        cmocka_unit_test(test_normalizer_standard_uses_population_std),
        cmocka_unit_test(test_normalizer_minmax_and_none),
        cmocka_unit_test(test_normalizer_merges_blocks_of_rows_exactly),
        cmocka_unit_test(test_normalizer_survives_the_largest_floats),
        cmocka_unit_test(test_normalizer_fits_on_train_only),
        cmocka_unit_test(test_stats_of_iris),
        cmocka_unit_test(test_stats_report_missing_per_column),
        cmocka_unit_test(test_list_available),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
