/*
 * test_features.c - the Playground's input transforms (features.h):
 * parsing and naming the list, the values of each transform, transforming a
 * generated set (its plane kept and reordered with the rows by the split),
 * the normalized input of a plane point equal to the row it came from,
 * the decision boundary computed through the transform (x1^2 and x2^2 make
 * a map symmetric about both axes), and --features as an option.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gradtop/core/rng.h"
#include "gradtop/data/features.h"
#include "gradtop/run/prepared.h"
#include "gradtop/insight/insight.h"
#include "gradtop/nn/model.h"
#include "gradtop/run/options.h"

#define B(k) FEATURE_BIT(FEATURE_##k)

static void assert_contains(const char *s, const char *sub)
{
    if (!strstr(s, sub)) fail_msg("\"%s\" does not contain \"%s\"", s, sub);
}

static void parse_takes_names_in_any_order_once_each(void **state)
{
    (void)state;
    FeatureSet f = 0;
    char bad[48];
    assert_true(features_parse("x1,x2", &f, bad, sizeof bad));
    assert_int_equal(f, FEATURES_RAW);
    assert_true(features_parse(" sin(x2) , x1^2,x1*x2,x1^2 ", &f, bad, sizeof bad));
    assert_int_equal(f, B(SIN_X2) | B(X1_SQ) | B(X1_X2));
    assert_true(features_parse("x1x2,sinx1,sinx2,x2^2", &f, bad, sizeof bad));
    assert_int_equal(f, B(X1_X2) | B(SIN_X1) | B(SIN_X2) | B(X2_SQ));
    char buf[128];
    features_format(f, buf, sizeof buf);
    assert_string_equal(buf, "x2^2,x1*x2,sin(x1),sin(x2)");
    features_format(FEATURES_ALL, buf, sizeof buf);
    assert_string_equal(buf, "x1,x2,x1^2,x2^2,x1*x2,sin(x1),sin(x2)");
    assert_int_equal(features_count(FEATURES_ALL), 7);
    assert_int_equal(features_count(B(X2_SQ)), 1);
}

static void parse_names_the_entry_it_does_not_know(void **state)
{
    (void)state;
    FeatureSet f = B(X1);
    char bad[48];
    assert_false(features_parse("x1,x3,x2", &f, bad, sizeof bad));
    assert_string_equal(bad, "x3");
    assert_int_equal(f, B(X1)); /* untouched */
    assert_false(features_parse("x1,,x2", &f, bad, sizeof bad));
    assert_string_equal(bad, "");
    assert_false(features_parse("", &f, bad, sizeof bad));
    assert_false(features_parse("X1", &f, bad, sizeof bad));
    assert_string_equal(bad, "X1");
    assert_false(features_parse("sin(x1", &f, bad, sizeof bad));
    assert_string_equal(bad, "sin(x1");
}

static void map_computes_each_transform(void **state)
{
    (void)state;
    float xy[4] = {0.5f, -2.0f, 3.0f, 0.25f};
    float out[14];
    features_map(FEATURES_ALL, xy, 2, out);
    double want[14] = {0.5, -2,   0.25, 4,      -1,   sin(0.5), sin(-2.0),
                       3,   0.25, 9,    0.0625, 0.75, sin(3.0), sin(0.25)};
    for (int i = 0; i < 14; i++)
        if (fabs(out[i] - want[i]) > 1e-6) fail_msg("column %d: %g, want %g", i, out[i], want[i]);
    /* a subset keeps the column order, not the order named */
    features_map(B(SIN_X1) | B(X2), xy, 1, out);
    assert_true(fabs(out[0] - (-2.0)) < 1e-6);
    assert_true(fabs(out[1] - sin(0.5)) < 1e-6);
}

static void transform_keeps_the_plane_and_names_the_columns(void **state)
{
    (void)state;
    Dataset ds;
    Error err = {0};
    assert_int_equal(dataset_generate(&ds, "circles", 50, -1, 3, &err), ERROR_NONE);
    float *raw = malloc(100 * sizeof *raw);
    memcpy(raw, ds.x, 100 * sizeof *raw);
    FeatureSet f = B(X1_SQ) | B(X2_SQ) | B(X1_X2);
    /* the coordinates have the names --features gives them, before a
     * transform as after: inspect, the views and model.gtm say x1, x2 */
    assert_string_equal(ds.feature_names[0], feature_names[FEATURE_X1]);
    assert_string_equal(ds.feature_names[1], feature_names[FEATURE_X2]);
    Dataset both;
    assert_int_equal(dataset_generate(&both, "circles", 50, -1, 3, &err), ERROR_NONE);
    assert_int_equal(dataset_transform_features(&both, B(X1) | B(X2) | B(X1_SQ), &err), ERROR_NONE);
    for (int j = 0; j < 2; j++) assert_string_equal(both.feature_names[j], ds.feature_names[j]);
    dataset_free(&both);
    assert_int_equal(dataset_transform_features(&ds, f, &err), ERROR_NONE);
    assert_int_equal(ds.d, 3);
    assert_string_equal(ds.feature_names[0], "x1^2");
    assert_string_equal(ds.feature_names[2], "x1*x2");
    assert_non_null(ds.plane);
    assert_int_equal(ds.plane_features, f);
    for (size_t i = 0; i < 50; i++) {
        assert_true(ds.plane[2 * i] == raw[2 * i] && ds.plane[2 * i + 1] == raw[2 * i + 1]);
        double a = raw[2 * i], b = raw[2 * i + 1];
        assert_true(fabs(ds.x[3 * i] - a * a) < 1e-4 && fabs(ds.x[3 * i + 2] - a * b) < 1e-4);
    }
    /* a second transform is refused; so is data that is not two columns */
    assert_int_equal(dataset_transform_features(&ds, B(X1), &err), ERROR_INPUT);
    assert_contains(err.msg, "--features");
    dataset_free(&ds);
    free(raw);

    Dataset three;
    memset(&three, 0, sizeof three);
    three.owns = true;
    three.d = 3;
    snprintf(three.source, sizeof three.source, "data.csv");
    assert_int_equal(dataset_transform_features(&three, B(X1_SQ), &err), ERROR_INPUT);
    assert_contains(err.msg, "--features x1^2: data.csv has 3 feature columns");
    /* x1, x2 alone changes nothing, whatever the data */
    assert_int_equal(dataset_transform_features(&three, FEATURES_RAW, &err), ERROR_NONE);
    assert_int_equal(three.d, 3);
    assert_null(three.plane);
}

static Options features_options(const char *dataset, const char *features)
{
    Options o;
    options_default(&o);
    snprintf(o.dataset, sizeof o.dataset, "%s", dataset);
    Error err = {0};
    if (options_set(&o, options_find("features"), features, NULL, &err)) fail_msg("%s", err.msg);
    return o;
}

/* After the split and normalization, each row is what its plane point
 * gives: the plane moved with the rows, and dataset_plane_input repeats
 * the transform and the normalization. */
static void a_plane_point_gives_the_row_it_came_from(void **state)
{
    (void)state;
    Options o = features_options("moons", "x1,x1^2,x1*x2,sin(x2)");
    PreparedData s;
    Error err = {0};
    assert_int_equal(prepared_open(&s, &o, NULL, &err), ERROR_NONE);
    assert_int_equal(s.all.d, 4);
    const Dataset *parts[] = {&s.train, &s.val};
    size_t checked = 0;
    for (int p = 0; p < 2; p++) {
        const Dataset *ds = parts[p];
        assert_non_null(ds->plane);
        for (size_t i = 0; i < ds->n; i++) {
            float row[4];
            dataset_plane_input(ds, ds->plane[2 * i], ds->plane[2 * i + 1], row);
            for (int j = 0; j < 4; j++)
                if (fabsf(row[j] - ds->x[i * 4 + j]) > 1e-4f)
                    fail_msg("part %d row %zu column %d: %g from the plane, %g in the data", p, i,
                             j, row[j], ds->x[i * 4 + j]);
            checked++;
        }
    }
    assert_int_equal(checked, 500);
    /* normalized: the training part's first column has mean about 0 */
    double mean = 0;
    for (size_t i = 0; i < s.train.n; i++) mean += s.train.x[i * 4];
    assert_true(fabs(mean / (double)s.train.n) < 1e-3);
    prepared_close(&s);
}

static void a_data_file_refuses_feature_transforms(void **state)
{
    (void)state;
    char path[] = "/tmp/gradtop-test-features-XXXXXX.csv";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n", f);
    fclose(f);
    /* two columns, as the transforms take, but a data file */
    Options o = features_options(path, "x1^2,x2^2");
    PreparedData s;
    Error err = {0};
    assert_int_equal(prepared_open(&s, &o, NULL, &err), ERROR_INPUT);
    assert_contains(err.msg, "--features x1^2,x2^2: only the generated 2-D sets");
    remove(path);
}

/* With x1^2 and x2^2 as its only inputs, any network computes the same at
 * (a, b), (-a, b) and (a, -b): a boundary drawn through the transform is
 * symmetric about both axes, and one that fed the grid's x1, x2 to the
 * network untransformed would not be (its weights are random). */
static void the_boundary_goes_through_the_transform(void **state)
{
    (void)state;
    Options o = features_options("circles", "x1^2,x2^2");
    PreparedData s;
    Error err = {0};
    assert_int_equal(prepared_open(&s, &o, NULL, &err), ERROR_NONE);
    ModelShape shape;
    int hidden[1] = {5};
    assert_int_equal(
        model_shape_make(&shape, 2, hidden, 1, ACTIVATION_TANH, LOSS_AUTO, true, 2, &err),
        ERROR_NONE);
    Model m;
    Rng rng;
    rng_seed(&rng, 11);
    assert_int_equal(model_create(&m, &shape, 16, &rng, &err), ERROR_NONE);
    BoundaryGrid g = {.w = 10, .h = 8, .xmin = -4, .xmax = 4, .ymin = -3, .ymax = 3};
    float *scratch = malloc(sizeof(float) * boundary_scratch_floats(&m));
    int cls[80];
    float conf[80];
    boundary_compute_features(&m, &s.train, &g, scratch, cls, conf);
    bool varies = false;
    for (int r = 0; r < 8; r++)
        for (int c = 0; c < 10; c++) {
            float here = conf[r * 10 + c];
            assert_true(fabsf(here - conf[r * 10 + (9 - c)]) < 1e-5f);
            assert_true(fabsf(here - conf[(7 - r) * 10 + c]) < 1e-5f);
            varies |= fabsf(here - conf[0]) > 1e-3f;
        }
    assert_true(varies); /* not a constant map, which would be symmetric too */
    /* and each cell is the model at the transformed, normalized point */
    double a, b;
    boundary_cell_center(&g, 2, 3, &a, &b);
    float row[2];
    dataset_plane_input(&s.train, a, b, row);
    const float *out = model_forward(&m, row, 1, false, NULL);
    float p1 = out[0];
    assert_true(fabsf(conf[3 * 10 + 2] - (p1 >= 0.5f ? p1 : 1 - p1)) < 1e-6f);
    free(scratch);
    model_free(&m);
    prepared_close(&s);
}

static void the_option_names_the_bad_entry_and_the_accepted_names(void **state)
{
    (void)state;
    Options o;
    options_default(&o);
    const OptionSpec *s = options_find("features");
    assert_non_null(s);
    char buf[128];
    options_format(&o, s, buf, sizeof buf);
    assert_string_equal(buf, "x1,x2"); /* the default: no transform */
    Error err = {0};
    assert_int_equal(options_set(&o, s, "x1,cos(x1)", "run.cfg:4", &err), ERROR_INPUT);
    assert_contains(err.msg, "run.cfg:4: --features: unknown feature 'cos(x1)' in 'x1,cos(x1)'");
    assert_contains(err.msg, "x1, x2, x1^2, x2^2, x1*x2 (or x1x2), sin(x1) (or sinx1), sin(x2)");
    assert_int_equal(o.features, FEATURES_RAW);
    /* a run's config.txt reads back */
    assert_int_equal(options_set(&o, s, "sinx1,x2^2", NULL, &err), ERROR_NONE);
    char cfg[8192];
    options_to_config(&o, cfg, sizeof cfg);
    assert_contains(cfg, "\nfeatures = x2^2,sin(x1)\n");
    Options back;
    options_default(&back);
    assert_int_equal(options_load_text(&back, cfg, "config.txt", NULL, &err), ERROR_NONE);
    assert_int_equal(back.features, B(X2_SQ) | B(SIN_X1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_takes_names_in_any_order_once_each),
        cmocka_unit_test(parse_names_the_entry_it_does_not_know),
        cmocka_unit_test(map_computes_each_transform),
        cmocka_unit_test(transform_keeps_the_plane_and_names_the_columns),
        cmocka_unit_test(a_plane_point_gives_the_row_it_came_from),
        cmocka_unit_test(a_data_file_refuses_feature_transforms),
        cmocka_unit_test(the_boundary_goes_through_the_transform),
        cmocka_unit_test(the_option_names_the_bad_entry_and_the_accepted_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
