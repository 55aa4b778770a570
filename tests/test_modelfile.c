/* test_modelfile.c - model.gtm: exact round trip, every corruption and
 * truncation refused with the path named, foreign files refused, and a
 * save killed at any of its system calls leaves the old file intact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gradtop/io/crc32c.h"
#include "gradtop/run/modelfile.h"
#include "gradtop/core/rng.h"
#include "terminal_safe.h"

/* ---- fixtures -------------------------------------------------------- */

typedef struct {
    char dir[64];
    char path[128];
    Model m;
    Optimizer o;
    Normalizer nz;
    char *features[4];
    char *classes[3];
    ModelInfo info;
} Fixture;

static void fill_random(float *x, size_t n, uint64_t seed)
{
    Rng r;
    rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) x[i] = (float)rng_normal(&r);
}

/* An iris-like classifier: 4 features, hidden 5,3, 3 classes, Adam state. */
static int setup(void **state)
{
    Fixture *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/gradtop-gtm-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->path, sizeof f->path, "%s/model.gtm", f->dir);
    ModelShape s;
    int hidden[2] = {5, 3};
    Error err = {0};
    if (model_shape_make(&s, 4, hidden, 2, ACTIVATION_TANH, LOSS_AUTO, true, 3, &err)) return -1;
    Rng rng;
    rng_seed(&rng, 1);
    if (model_create(&f->m, &s, 8, &rng, &err)) return -1;
    fill_random(f->m.params, f->m.n_params, 2);
    OptimizerParams p = {
        .kind = OPTIMIZER_ADAM, .lr = 0.001, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-7};
    if (optimizer_create(&f->o, &p, f->m.n_params, &err)) return -1;
    fill_random(f->o.state, 3 * f->o.n, 3);
    f->o.t = 1234;
    f->nz.kind = NORMALIZE_STANDARD;
    f->nz.d = 4;
    f->nz.shift = malloc(4 * sizeof(float));
    f->nz.scale = malloc(4 * sizeof(float));
    for (int i = 0; i < 4; i++) {
        f->nz.shift[i] = 0.5f * (float)i - 1.25f;
        f->nz.scale[i] = 1.0f / (float)(i + 1);
    }
    const char *fn[4] = {"sepal_length", "sepal_width", "petal length", "pétale"};
    const char *cn[3] = {"setosa", "versicolor", "virginica"};
    for (int i = 0; i < 4; i++) f->features[i] = strdup(fn[i]);
    for (int i = 0; i < 3; i++) f->classes[i] = strdup(cn[i]);
    f->info = (ModelInfo){.task = TASK_CLASSIFICATION,
                          .label_name = "species",
                          .d = 4,
                          .feature_names = f->features,
                          .n_classes = 3,
                          .class_names = f->classes,
                          .nz = &f->nz,
                          .config_text = "layers = 5,3\nactivation = tanh\nlr = 0.001\n",
                          .epoch = 17,
                          .kept_epoch = 12,
                          .step = 85};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    model_free(&f->m);
    optimizer_free(&f->o);
    normalizer_free(&f->nz);
    for (int i = 0; i < 4; i++) free(f->features[i]);
    for (int i = 0; i < 3; i++) free(f->classes[i]);
    DIR *d = opendir(f->dir);
    struct dirent *e;
    char p[512];
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        snprintf(p, sizeof p, "%s/%s", f->dir, e->d_name);
        unlink(p);
    }
    if (d) closedir(d);
    rmdir(f->dir);
    free(f);
    return 0;
}

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)len + 1);
    assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    *n = (size_t)len;
    return buf;
}

static void spit(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    if (n) assert_int_equal(fwrite(data, 1, n, fp), n);
    fclose(fp);
}

/* Loading path must fail with ERROR_INPUT and a message starting "PATH: ". */
static void assert_refused(const char *path)
{
    SavedModel sm;
    Error err = {0};
    ErrorCode rc = modelfile_load(&sm, path, &err);
    if (rc != ERROR_INPUT) fail_msg("%s accepted (rc %d)", path, rc);
    char prefix[256];
    snprintf(prefix, sizeof prefix, "%s: ", path);
    assert_memory_equal(err.msg, prefix, strlen(prefix));
    assert_null(sm.params);
    modelfile_free(&sm);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Offset of section id's payload (and its size), found by walking headers. */
static size_t section_at(const uint8_t *data, size_t n, uint32_t id, size_t *size)
{
    size_t off = 16;
    uint32_t count = rd32(data + 12);
    for (uint32_t k = 0; k < count; k++) {
        uint64_t len = rd32(data + off + 8) | (uint64_t)rd32(data + off + 12) << 32;
        if (rd32(data + off) == id) {
            *size = (size_t)len;
            return off + 16;
        }
        off += 16 + (size_t)len;
    }
    fail_msg("section %u not found", id);
    (void)n;
    return 0;
}

/* Rewrites the checksum so that only the semantic checks can refuse. */
static void fix_crc(uint8_t *data, size_t n)
{
    wr32(data + n - 4, crc32c(data, n - 4));
}

/* ---- tests ----------------------------------------------------------- */

static void save_then_load_is_exact(void **state)
{
    Fixture *f = *state;
    Error err = {0};
    assert_int_equal(modelfile_save(f->path, &f->m, &f->o, &f->info, &err), ERROR_NONE);
    SavedModel sm;
    assert_int_equal(modelfile_load(&sm, f->path, &err), ERROR_NONE);
    assert_int_equal(sm.shape.n_layers, 3);
    for (int i = 0; i <= 3; i++) assert_int_equal(sm.shape.sizes[i], f->m.shape.sizes[i]);
    assert_int_equal(sm.shape.hidden, ACTIVATION_TANH);
    assert_int_equal(sm.shape.output, OUTPUT_SOFTMAX);
    assert_int_equal(sm.shape.loss, LOSS_CROSS_ENTROPY);
    assert_int_equal(sm.task, TASK_CLASSIFICATION);
    assert_string_equal(sm.label_name, "species");
    assert_int_equal(sm.d, 4);
    for (int i = 0; i < 4; i++) assert_string_equal(sm.feature_names[i], f->features[i]);
    assert_int_equal(sm.n_classes, 3);
    for (int i = 0; i < 3; i++) assert_string_equal(sm.class_names[i], f->classes[i]);
    assert_int_equal(sm.nz.kind, NORMALIZE_STANDARD);
    assert_int_equal(sm.nz.d, 4);
    assert_memory_equal(sm.nz.shift, f->nz.shift, 4 * sizeof(float));
    assert_memory_equal(sm.nz.scale, f->nz.scale, 4 * sizeof(float));
    assert_string_equal(sm.config_text, f->info.config_text);
    assert_int_equal(sm.n_params, f->m.n_params);
    assert_memory_equal(sm.params, f->m.params, f->m.n_params * sizeof(float));
    assert_true(sm.has_opt);
    assert_int_equal(sm.opt_kind, OPTIMIZER_ADAM);
    assert_int_equal(sm.opt_t, 1234);
    assert_memory_equal(sm.opt_state, f->o.state, 3 * f->o.n * sizeof(float));
    assert_int_equal(sm.epoch, 17);
    assert_int_equal(sm.kept_epoch, 12);
    assert_int_equal(sm.step, 85);
    assert_true(sm.wall_time > 1.6e9);

    /* a live model from it computes what the original computes */
    Model m2;
    assert_int_equal(modelfile_build_model(&sm, &m2, 4, &err), ERROR_NONE);
    assert_memory_equal(m2.params, f->m.params, f->m.n_params * sizeof(float));
    float x[8] = {0.1f, -0.2f, 0.3f, 0.4f, 1, 2, 3, 4};
    float y1[6];
    memcpy(y1, model_forward(&f->m, x, 2, false, NULL), sizeof y1);
    assert_memory_equal(model_forward(&m2, x, 2, false, NULL), y1, sizeof y1);
    model_free(&m2);

    /* the optimizer's state, kind and step count, as a resume reads them */
    assert_true(sm.has_opt);
    assert_int_equal(sm.opt_kind, f->o.p.kind);
    assert_int_equal(sm.opt_t, 1234);
    assert_memory_equal(sm.opt_state, f->o.state, 3 * f->o.n * sizeof(float));
    modelfile_free(&sm);
    assert_null(sm.params);
}

static void patch_refused(Fixture *f, uint32_t id, size_t off, uint32_t v, const char *want);

/* Hidden layers with activations of their own (a network edit changed
 * one) round trip through the activations section; the shape's marker
 * makes a file without the section, or a reader without it, refuse. */
static void per_layer_activations_round_trip(void **state)
{
    Fixture *f = *state;
    Error err = {0};
    f->m.shape.act[1] = ACTIVATION_RELU; /* layer 1 tanh, layer 2 relu */
    assert_int_equal(modelfile_save(f->path, &f->m, &f->o, &f->info, &err), ERROR_NONE);
    SavedModel sm;
    assert_int_equal(modelfile_load(&sm, f->path, &err), ERROR_NONE);
    assert_int_equal(sm.shape.act[0], ACTIVATION_TANH);
    assert_int_equal(sm.shape.act[1], ACTIVATION_RELU);
    assert_int_equal(sm.shape.hidden, ACTIVATION_TANH);
    Model m2;
    assert_int_equal(modelfile_build_model(&sm, &m2, 4, &err), ERROR_NONE);
    float x[8] = {0.1f, -0.2f, 0.3f, 0.4f, 1, 2, 3, 4};
    float y1[6];
    memcpy(y1, model_forward(&f->m, x, 2, false, NULL), sizeof y1);
    assert_memory_equal(model_forward(&m2, x, 2, false, NULL), y1, sizeof y1);
    model_free(&m2);
    modelfile_free(&sm);

    /* SHAPE's activation is the marker an older reader refuses */
    size_t n, size;
    uint8_t *data = slurp(f->path, &n);
    size_t at = section_at(data, n, MODELFILE_SECTION_SHAPE, &size);
    assert_int_equal(rd32(data + at + 4 + 4 * 4), MODELFILE_ACT_PER_LAYER);
    free(data);
    /* the section's activation out of range, then the section renamed away */
    patch_refused(f, MODELFILE_SECTION_ACTIVATIONS, 4, 99, "activations: unknown activation");
    patch_refused(f, MODELFILE_SECTION_ACTIVATIONS, 0, 3, "activations: 3 given for 2 hidden");
    data = slurp(f->path, &n);
    at = section_at(data, n, MODELFILE_SECTION_ACTIVATIONS, &size);
    wr32(data + at - 16, 40); /* an id this reader skips */
    fix_crc(data, n);
    char bad[160];
    snprintf(bad, sizeof bad, "%s/no-acts.gtm", f->dir);
    spit(bad, data, n);
    free(data);
    assert_int_equal(modelfile_load(&sm, bad, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "the activations section is missing"));
    modelfile_free(&sm);
    /* every layer alike again: the file is as before, without the section */
    f->m.shape.act[1] = ACTIVATION_TANH;
    assert_int_equal(modelfile_save(f->path, &f->m, &f->o, &f->info, &err), ERROR_NONE);
    data = slurp(f->path, &n);
    at = section_at(data, n, MODELFILE_SECTION_SHAPE, &size);
    assert_int_equal(rd32(data + at + 4 + 4 * 4), ACTIVATION_TANH);
    free(data);
}

static void regression_without_optimizer_or_normalizer_round_trips(void **state)
{
    Fixture *f = *state;
    ModelShape s;
    Error err = {0};
    assert_int_equal(model_shape_make(&s, 4, NULL, 0, ACTIVATION_RELU, LOSS_HUBER, false, 0, &err),
                     ERROR_NONE);
    Model m;
    Rng rng;
    rng_seed(&rng, 5);
    assert_int_equal(model_create(&m, &s, 1, &rng, &err), ERROR_NONE);
    Normalizer none = {.kind = NORMALIZE_NONE};
    ModelInfo info = f->info;
    info.task = TASK_REGRESSION;
    info.n_classes = 0;
    info.class_names = NULL;
    info.nz = &none;
    info.config_text = NULL;
    info.label_name = NULL;
    info.target_shift = 152.25;
    info.target_scale = 1.0 / 77.5;
    info.kept_epoch = 0; /* not known: no KEPT section, as in files before it */
    assert_int_equal(modelfile_save(f->path, &m, NULL, &info, &err), ERROR_NONE);
    SavedModel sm;
    assert_int_equal(modelfile_load(&sm, f->path, &err), ERROR_NONE);
    assert_int_equal(sm.task, TASK_REGRESSION);
    assert_true(sm.target_shift == 152.25);
    assert_true(sm.target_scale == 1.0 / 77.5);
    assert_int_equal(sm.shape.n_layers, 1);
    assert_int_equal(sm.shape.loss, LOSS_HUBER);
    assert_int_equal(sm.nz.kind, NORMALIZE_NONE);
    assert_int_equal(sm.nz.d, 0);
    assert_null(sm.nz.shift);
    assert_false(sm.has_opt);
    assert_int_equal(sm.kept_epoch, 0);
    assert_string_equal(sm.config_text, "");
    assert_string_equal(sm.label_name, "");
    assert_memory_equal(sm.params, m.params, m.n_params * sizeof(float));
    modelfile_free(&sm);
    model_free(&m);
}

static void file_starts_with_magic_and_version(void **state)
{
    Fixture *f = *state;
    Error err = {0};
    assert_int_equal(modelfile_save(f->path, &f->m, NULL, &f->info, &err), ERROR_NONE);
    size_t n;
    uint8_t *data = slurp(f->path, &n);
    assert_memory_equal(data, "GTMODEL\0", 8);
    assert_int_equal(rd32(data + 8), 1);
    assert_int_equal(rd32(data + 12), 7); /* 1-5, PROGRESS and KEPT: no optimizer, no target */
    assert_int_equal(rd32(data + n - 4), crc32c(data, n - 4));
    size_t size;
    size_t off = section_at(data, n, MODELFILE_SECTION_PARAMS, &size);
    assert_int_equal(size, 8 + 4 * f->m.n_params);
    assert_int_equal(rd32(data + off), f->m.n_params);
    float first;
    memcpy(&first, data + off + 8, 4);
    assert_true(first == f->m.params[0]);
    free(data);
}

static void every_flipped_byte_is_refused(void **state)
{
    Fixture *f = *state;
    Error err = {0};
    assert_int_equal(modelfile_save(f->path, &f->m, &f->o, &f->info, &err), ERROR_NONE);
    size_t n;
    uint8_t *data = slurp(f->path, &n);
    char bad[160];
    snprintf(bad, sizeof bad, "%s/bad.gtm", f->dir);
    for (size_t pos = 0; pos < n; pos++) {
        data[pos] ^= 0x5A;
        spit(bad, data, n);
        assert_refused(bad);
        data[pos] ^= 0x5A;
    }
    free(data);
}

static void every_truncation_is_refused(void **state)
{
    Fixture *f = *state;
    Error err = {0};
    assert_int_equal(modelfile_save(f->path, &f->m, &f->o, &f->info, &err), ERROR_NONE);
    size_t n;
    uint8_t *data = slurp(f->path, &n);
    char bad[160];
    snprintf(bad, sizeof bad, "%s/short.gtm", f->dir);
    for (size_t len = 0; len < n; len++) {
        spit(bad, data, len);
        assert_refused(bad);
    }
    free(data);
}

/* Patches the u32 at offset off (relative to section id's payload) to v,
 * fixes the checksum, and expects refusal mentioning want. */
static void patch_refused(Fixture *f, uint32_t id, size_t off, uint32_t v, const char *want)
{
    size_t n, size;
    uint8_t *data = slurp(f->path, &n);
    size_t at = section_at(data, n, id, &size);
    wr32(data + at + off, v);
    fix_crc(data, n);
    char bad[160];
    snprintf(bad, sizeof bad, "%s/patched.gtm", f->dir);
    spit(bad, data, n);
    assert_refused(bad);
    SavedModel sm;
    Error err = {0};
    modelfile_load(&sm, bad, &err);
    if (!strstr(err.msg, want)) fail_msg("\"%s\" does not say \"%s\"", err.msg, want);
    free(data);
}

static void inconsistent_fields_with_a_valid_checksum_are_refused(void **state)
{
    Fixture *f = *state;
    Error err = {0};
    assert_int_equal(modelfile_save(f->path, &f->m, &f->o, &f->info, &err), ERROR_NONE);
    /* SHAPE: n_layers, sizes[0], activation, output, loss */
    patch_refused(f, MODELFILE_SECTION_SHAPE, 0, 0, "layer count");
    patch_refused(f, MODELFILE_SECTION_SHAPE, 0, 0xFFFFFFFF, "layer count");
    patch_refused(f, MODELFILE_SECTION_SHAPE, 4, 5, "5 inputs");
    patch_refused(f, MODELFILE_SECTION_SHAPE, 4, 0, "layer size");
    patch_refused(f, MODELFILE_SECTION_SHAPE, 8, 6, "parameters");
    patch_refused(f, MODELFILE_SECTION_SHAPE, 20, 99, "activation");
    patch_refused(f, MODELFILE_SECTION_SHAPE, 24, 7, "output kind");
    patch_refused(f, MODELFILE_SECTION_SHAPE, 24, OUTPUT_LINEAR, "does not fit");
    patch_refused(f, MODELFILE_SECTION_SHAPE, 28, LOSS_AUTO, "loss");
    patch_refused(f, MODELFILE_SECTION_SHAPE, 28, LOSS_MSE, "does not fit");
    /* DATA: task, then the label name's length, then d */
    patch_refused(f, MODELFILE_SECTION_DATA, 0, 2, "task");
    patch_refused(f, MODELFILE_SECTION_DATA, 0, TASK_REGRESSION, "does not fit");
    patch_refused(f, MODELFILE_SECTION_DATA, 4, 0xFFFFFFF0, "label name");
    patch_refused(f, MODELFILE_SECTION_DATA, 4, 127, "label name");
    patch_refused(f, MODELFILE_SECTION_DATA, 4 + 4 + 7, 0xFFFFFFFF, "feature names");
    patch_refused(f, MODELFILE_SECTION_DATA, 4 + 4 + 7, 90000, "feature names");
    patch_refused(f, MODELFILE_SECTION_DATA, 4 + 4 + 7 + 4, 1u << 30, "feature names");
    /* NORMALIZER: kind, d */
    patch_refused(f, MODELFILE_SECTION_NORMALIZER, 0, 3, "normalizer");
    patch_refused(f, MODELFILE_SECTION_NORMALIZER, 4, 3, "normalizer");
    patch_refused(f, MODELFILE_SECTION_NORMALIZER, 4, 0xFFFFFFFF, "normalizer");
    patch_refused(f, MODELFILE_SECTION_NORMALIZER, 8, 0x7FC00000, "not finite");
    /* NORMALIZER: scale[0] (after kind, d and 4 shifts) zero or negative */
    patch_refused(f, MODELFILE_SECTION_NORMALIZER, 24, 0,
                  "normalizer: the scale of feature 1 is 0 (it must be positive)");
    patch_refused(f, MODELFILE_SECTION_NORMALIZER, 24, 0xBF800000, "scale of feature 1 is -1");
    /* PARAMS: n_params (low and high words) */
    patch_refused(f, MODELFILE_SECTION_PARAMS, 0, (uint32_t)f->m.n_params - 1, "parameters");
    patch_refused(f, MODELFILE_SECTION_PARAMS, 4, 0x40000000, "parameters");
    /* OPTIMIZER: kind, reserved, t (high word negative), n */
    patch_refused(f, MODELFILE_SECTION_OPTIMIZER, 0, 5, "optimizer");
    patch_refused(f, MODELFILE_SECTION_OPTIMIZER, 4, 1, "optimizer");
    patch_refused(f, MODELFILE_SECTION_OPTIMIZER, 12, 0x80000000, "optimizer");
    patch_refused(f, MODELFILE_SECTION_OPTIMIZER, 16, 7, "optimizer");
    /* KEPT: epoch (0, or after the 17 epochs done), reserved */
    patch_refused(f, MODELFILE_SECTION_KEPT, 0, 0, "kept");
    patch_refused(f, MODELFILE_SECTION_KEPT, 0, 18, "from epoch 18, after the 17 epochs done");
    patch_refused(f, MODELFILE_SECTION_KEPT, 4, 1, "kept");
    /* a section length past the end, and the section count */
    size_t n, size;
    uint8_t *data = slurp(f->path, &n);
    size_t at = section_at(data, n, MODELFILE_SECTION_CONFIG, &size);
    wr32(data + at - 4, 0x10); /* high word of the size: 2^36 bytes */
    fix_crc(data, n);
    char bad[160];
    snprintf(bad, sizeof bad, "%s/len.gtm", f->dir);
    spit(bad, data, n);
    assert_refused(bad);
    free(data);
    data = slurp(f->path, &n);
    wr32(data + 12, 1000);
    fix_crc(data, n);
    spit(bad, data, n);
    assert_refused(bad);
    wr32(data + 12, 3); /* sections 4..7 then look like trailing bytes */
    fix_crc(data, n);
    spit(bad, data, n);
    assert_refused(bad);
    free(data);
}

/* A NaN or infinity among the weights or the optimizer state, with a valid
 * checksum, is refused naming the file and the section: eval and predict
 * would otherwise print NaN or garbage with exit 0. */
static void non_finite_weights_and_optimizer_state_are_refused(void **state)
{
    Fixture *f = *state;
    Error err = {0};
    assert_int_equal(modelfile_save(f->path, &f->m, &f->o, &f->info, &err), ERROR_NONE);
    size_t last = 8 + 4 * (f->m.n_params - 1);
    patch_refused(f, MODELFILE_SECTION_PARAMS, 8, 0x7FC00000, "parameters section: value 1 of");
    patch_refused(f, MODELFILE_SECTION_PARAMS, last, 0x7F800000, "is not finite (infinite)");
    patch_refused(f, MODELFILE_SECTION_PARAMS, last, 0xFF800000, "parameters section");
    patch_refused(f, MODELFILE_SECTION_OPTIMIZER, 24, 0x7FC00000, "optimizer section: value 1 of");
    patch_refused(f, MODELFILE_SECTION_OPTIMIZER, 24 + 4 * (3 * f->o.n - 1), 0x7F800000,
                  "optimizer section");
    /* the saver leaves out optimizer state the loader would refuse */
    f->o.state[5] = INFINITY;
    assert_int_equal(modelfile_save(f->path, &f->m, &f->o, &f->info, &err), ERROR_NONE);
    SavedModel no_opt;
    assert_int_equal(modelfile_load(&no_opt, f->path, &err), ERROR_NONE);
    assert_false(no_opt.has_opt);
    modelfile_free(&no_opt);
    /* the largest finite float is a weight like any other */
    size_t n, size;
    uint8_t *data = slurp(f->path, &n);
    size_t at = section_at(data, n, MODELFILE_SECTION_PARAMS, &size);
    wr32(data + at + 8, 0x7F7FFFFF);
    fix_crc(data, n);
    spit(f->path, data, n);
    free(data);
    SavedModel sm;
    assert_int_equal(modelfile_load(&sm, f->path, &err), ERROR_NONE);
    modelfile_free(&sm);
}

/* Whether a save of m with o keeps the optimizer state (the loader's
 * has_opt). */
static bool keeps_state(Fixture *f, const Model *m, const Optimizer *o)
{
    Error err = {0};
    assert_int_equal(modelfile_save(f->path, m, o, &f->info, &err), ERROR_NONE);
    SavedModel sm;
    assert_int_equal(modelfile_load(&sm, f->path, &err), ERROR_NONE);
    bool has = sm.has_opt;
    modelfile_free(&sm);
    return has;
}

/* The saver's check of the optimizer state looks at every value, wherever
 * it is (first, last, either side of a 256-value block's edge), and takes
 * NaN and either infinity as not finite, the extremes of the finite
 * floats (the largest, the least subnormal, -0) as finite. */
static void optimizer_state_is_checked_value_by_value(void **state)
{
    Fixture *f = *state;
    ModelShape s;
    int hidden[1] = {100};
    Error err = {0};
    assert_int_equal(model_shape_make(&s, 4, hidden, 1, ACTIVATION_TANH, LOSS_AUTO, true, 3, &err),
                     ERROR_NONE);
    Rng rng;
    rng_seed(&rng, 5);
    Model m;
    assert_int_equal(model_create(&m, &s, 8, &rng, &err), ERROR_NONE);
    OptimizerParams p = {
        .kind = OPTIMIZER_ADAM, .lr = 0.001, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-7};
    Optimizer o;
    assert_int_equal(optimizer_create(&o, &p, m.n_params, &err), ERROR_NONE);
    size_t n = 3 * o.n;
    assert_true(n > 2048);
    fill_random(o.state, n, 7);
    assert_true(keeps_state(f, &m, &o));
    const size_t at[] = {0, 1, 254, 255, 256, 257, 511, 512, 1000, n - 257, n - 2, n - 1};
    const float bad[] = {NAN, -NAN, INFINITY, -INFINITY};
    const float good[] = {FLT_MAX, -FLT_MAX, FLT_TRUE_MIN, -0.0f};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        float was = o.state[at[i]];
        for (size_t k = 0; k < 4; k++) {
            o.state[at[i]] = bad[k];
            if (keeps_state(f, &m, &o))
                fail_msg("value %zu of %zu, %g, was taken as finite", at[i], n, (double)bad[k]);
            o.state[at[i]] = good[k];
            if (!keeps_state(f, &m, &o))
                fail_msg("value %zu of %zu, %g, was taken as not finite", at[i], n,
                         (double)good[k]);
        }
        o.state[at[i]] = was;
    }
    optimizer_free(&o);
    model_free(&m);
}

/* MEANS: the training file's feature means, for predict's --missing mean;
 * written only when there are finite ones for every feature. */
static void feature_means_round_trip_and_are_checked(void **state)
{
    Fixture *f = *state;
    float mean[4] = {5.84f, 3.05f, -0.0f, 1e30f};
    f->info.feature_mean = mean;
    Error err = {0};
    assert_int_equal(modelfile_save(f->path, &f->m, &f->o, &f->info, &err), ERROR_NONE);
    SavedModel sm;
    assert_int_equal(modelfile_load(&sm, f->path, &err), ERROR_NONE);
    assert_non_null(sm.feature_mean);
    assert_memory_equal(sm.feature_mean, mean, sizeof mean);
    modelfile_free(&sm);
    patch_refused(f, MODELFILE_SECTION_MEANS, 4, 0x7FC00000, "means section: value 1 of 4");
    patch_refused(f, MODELFILE_SECTION_MEANS, 0, 3, "means");
    patch_refused(f, MODELFILE_SECTION_MEANS, 0, 0, "means");

    mean[2] = NAN; /* a column without values: no means at all */
    assert_int_equal(modelfile_save(f->path, &f->m, NULL, &f->info, &err), ERROR_NONE);
    size_t n;
    uint8_t *data = slurp(f->path, &n);
    assert_int_equal(rd32(data + 12), 7);
    free(data);
    assert_int_equal(modelfile_load(&sm, f->path, &err), ERROR_NONE);
    assert_null(sm.feature_mean);
    modelfile_free(&sm);
}

/* A dataset as a loader leaves it: d features named as given, header on
 * line 1 (or none), the label column at label_col (-1: none); x is
 * row-major n x 4 with row i = {i*10+0, i*10+1, ...} in the given order. */
typedef struct {
    Dataset ds;
    char *names[4];
    float x[8];
} Columns;

static void columns(Columns *c, const char *const names[4], size_t header_line, int label_col)
{
    memset(c, 0, sizeof *c);
    for (int j = 0; j < 4; j++) c->names[j] = (char *)names[j];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 4; j++) c->x[i * 4 + j] = (float)(i * 10 + j);
    c->ds = (Dataset){.source = "new.csv",
                      .n = 2,
                      .d = 4,
                      .x = c->x,
                      .feature_names = c->names,
                      .header_line = header_line,
                      .label_column = label_col};
}

static void match_fails(const SavedModel *sm, Columns *c, const char *want)
{
    Error err = {0};
    assert_int_equal(modelfile_match_features(sm, &c->ds, &err), ERROR_INPUT);
    if (!strstr(err.msg, want)) fail_msg("\"%s\" does not say \"%s\"", err.msg, want);
}

/* With a header, columns are matched by name: the model's features in
 * another order are put back in its order; other names are refused, naming
 * the file, the header's line and column, and the expected name.  Without
 * a header, by position. */
static void feature_columns_are_matched_by_name(void **state)
{
    Fixture *f = *state;
    Error err = {0};
    assert_int_equal(modelfile_save(f->path, &f->m, NULL, &f->info, &err), ERROR_NONE);
    SavedModel sm;
    assert_int_equal(modelfile_load(&sm, f->path, &err), ERROR_NONE);
    /* the model: sepal_length, sepal_width, petal length, pétale */
    static const char *const same[4] = {"sepal_length", "sepal_width", "petal length", "pétale"};
    static const char *const shuffled[4] = {"pétale", "petal length", "sepal_width",
                                            "sepal_length"};
    static const char *const typo[4] = {"pétale", "petal_length", "sepal_width", "sepal_length"};
    static const char *const twice[4] = {"pétale", "pétale", "sepal_width", "sepal_length"};
    Columns c;
    columns(&c, same, 1, -1);
    assert_int_equal(modelfile_match_features(&sm, &c.ds, &err), ERROR_NONE);
    assert_true(c.x[1] == 1.0f && c.x[7] == 13.0f);

    columns(&c, shuffled, 1, 4);
    assert_int_equal(modelfile_match_features(&sm, &c.ds, &err), ERROR_NONE);
    for (int j = 0; j < 4; j++) assert_string_equal(c.names[j], same[j]);
    float want[8] = {3, 2, 1, 0, 13, 12, 11, 10};
    assert_memory_equal(c.x, want, sizeof want);

    /* through modelfile_prepare_dataset too, as eval does */
    columns(&c, shuffled, 1, -1);
    assert_int_equal(modelfile_prepare_dataset(&sm, &c.ds, &err), ERROR_NONE);
    assert_string_equal(c.names[0], "sepal_length");

    columns(&c, typo, 1, -1);
    match_fails(&sm, &c,
                "new.csv:1:2: column 'petal_length' is not a feature of the model; the "
                "model expects 'petal length'");
    columns(&c, typo, 3, 0); /* the label first: the file's column 3 */
    match_fails(&sm, &c, "new.csv:3:3: column 'petal_length'");
    columns(&c, twice, 1, -1);
    match_fails(&sm, &c,
                "new.csv:1:2: column 'pétale' repeats an earlier column; the model "
                "expects 'petal length'");

    /* no header: by position, whatever the made-up names */
    columns(&c, typo, 0, -1);
    assert_int_equal(modelfile_match_features(&sm, &c.ds, &err), ERROR_NONE);
    assert_true(c.x[1] == 1.0f);
    assert_string_equal(c.names[1], "petal_length");
    modelfile_free(&sm);

    /* a model trained without a header (x0..x3) takes any header by position */
    char *made_up[4] = {"x0", "x1", "x2", "x3"};
    f->info.feature_names = made_up;
    assert_int_equal(modelfile_save(f->path, &f->m, NULL, &f->info, &err), ERROR_NONE);
    assert_int_equal(modelfile_load(&sm, f->path, &err), ERROR_NONE);
    columns(&c, typo, 1, -1);
    assert_int_equal(modelfile_match_features(&sm, &c.ds, &err), ERROR_NONE);
    assert_true(c.x[1] == 1.0f);
    modelfile_free(&sm);
}

/* Names from a file reach the messages of eval and predict escaped: a
 * model's feature, label and class names and a data file's column, label
 * and class names holding a window-title sequence, a screen clear, an
 * 8-bit CSI or bytes that are not UTF-8, through every message that names
 * one. */
static void hostile_names_are_escaped_in_every_message(void **state)
{
    Fixture *f = *state;
    static const char *const model_names[4] = {"\033]0;owned\007", "\033[2J",
                                               "a\xc2\x9b"
                                               "1m",
                                               "\xff\xfe"};
    for (int i = 0; i < 4; i++) {
        free(f->features[i]);
        f->features[i] = strdup(model_names[i]);
    }
    free(f->classes[0]);
    f->classes[0] = strdup("\033[31mred");
    f->info.label_name = "\033]2;label\007";
    Error err = {0};
    assert_int_equal(modelfile_save(f->path, &f->m, NULL, &f->info, &err), ERROR_NONE);
    SavedModel sm;
    assert_int_equal(modelfile_load(&sm, f->path, &err), ERROR_NONE);

    static const char *const file_names[4] = {"\033[2J", "\033]0;x\007", "b\xc0\xaf", "\xc2\x85"};
    static const char *const repeated[4] = {"\033[2J", "\033[2J", "\033]0;owned\007", "\xff\xfe"};
    Columns c;
    columns(&c, file_names, 1, -1); /* a column the model does not know */
    assert_int_equal(modelfile_match_features(&sm, &c.ds, &err), ERROR_INPUT);
    expect_safe(err.msg);
    if (!strstr(err.msg, "column '\\x1B]0;x\\x07' is not a feature"))
        fail_msg("\"%s\" does not name the column", err.msg);
    columns(&c, repeated, 1, -1); /* a column twice */
    assert_int_equal(modelfile_match_features(&sm, &c.ds, &err), ERROR_INPUT);
    expect_safe(err.msg);
    assert_non_null(strstr(err.msg, "repeats an earlier column"));

    columns(&c, file_names, 0, 3); /* one column short: the label seems missing */
    c.ds.d = 3;
    snprintf(c.ds.label_name, sizeof c.ds.label_name, "%s", "\033[1m");
    assert_int_equal(modelfile_prepare_dataset(&sm, &c.ds, &err), ERROR_INPUT);
    expect_safe(err.msg);
    assert_non_null(strstr(err.msg, "the label column '\\x1B]2;label\\x07'"));
    columns(&c, file_names, 0, -1); /* another feature count */
    c.ds.d = 2;
    assert_int_equal(modelfile_prepare_dataset(&sm, &c.ds, &err), ERROR_INPUT);
    expect_safe(err.msg);
    assert_non_null(strstr(err.msg, "(\\x1B]0;owned\\x07, \\x1B[2J...)"));

    float y[2] = {1, 2};
    columns(&c, file_names, 0, 4); /* a numeric label for a classifier */
    c.ds.targets = y;
    c.ds.task = TASK_REGRESSION;
    snprintf(c.ds.label_name, sizeof c.ds.label_name, "%s", "\033]0;y\007");
    assert_int_equal(modelfile_prepare_dataset(&sm, &c.ds, &err), ERROR_INPUT);
    expect_safe(err.msg);
    assert_non_null(strstr(err.msg, "label column '\\x1B]0;y\\x07' is numeric"));

    int labels[2] = {0, 0};
    char *classes[1] = {"\033[5mblink\xc2\x9b"};
    columns(&c, file_names, 0, 4); /* a class the model does not know */
    c.ds.labels = labels;
    c.ds.task = TASK_CLASSIFICATION;
    c.ds.n_classes = 1;
    c.ds.class_names = classes;
    snprintf(c.ds.label_name, sizeof c.ds.label_name, "%s", "species");
    assert_int_equal(modelfile_prepare_dataset(&sm, &c.ds, &err), ERROR_INPUT);
    expect_safe(err.msg);
    assert_non_null(strstr(err.msg, "class '\\x1B[5mblink\\u009B'"));
    assert_non_null(strstr(err.msg, "\\x1B[31mred, ..."));
    modelfile_free(&sm);
}

/* A normalizer that is finite but extreme takes ordinary values beyond a
 * float: refused naming the file, the row and the feature, instead of an
 * infinity that the network turns into NaN outputs. */
static void an_overflowing_normalization_is_refused_naming_row_and_feature(void **state)
{
    Fixture *f = *state;
    f->nz.scale[1] = 3e38f; /* sepal_width, shift -0.75 */
    Error err = {0};
    assert_int_equal(modelfile_save(f->path, &f->m, NULL, &f->info, &err), ERROR_NONE);
    SavedModel sm;
    assert_int_equal(modelfile_load(&sm, f->path, &err), ERROR_NONE);
    static const char *const same[4] = {"sepal_length", "sepal_width", "petal length", "pétale"};
    Columns c;
    columns(&c, same, 1, -1);
    c.x[1] = -0.5f; /* row 1: (-0.5 + 0.75) * 3e38, finite; row 2: (11 + 0.75) * 3e38 */
    assert_int_equal(modelfile_prepare_dataset(&sm, &c.ds, &err), ERROR_INPUT);
    if (!strstr(err.msg, "new.csv: data row 2, feature 'sepal_width': normalized with the "
                         "model's statistics (shift -0.75, scale 3e+38) it is beyond the range"))
        fail_msg("\"%s\" does not name the row and the feature", err.msg);
    /* a missing value (NaN) is no overflow */
    columns(&c, same, 1, -1);
    c.x[1] = NAN;
    c.x[5] = NAN;
    assert_int_equal(modelfile_prepare_dataset(&sm, &c.ds, &err), ERROR_NONE);
    modelfile_free(&sm);
}

static void random_damage_with_a_valid_checksum_never_crashes(void **state)
{
    Fixture *f = *state;
    Error err = {0};
    assert_int_equal(modelfile_save(f->path, &f->m, &f->o, &f->info, &err), ERROR_NONE);
    size_t n;
    uint8_t *good = slurp(f->path, &n);
    uint8_t *data = malloc(n);
    char bad[160];
    snprintf(bad, sizeof bad, "%s/fuzz.gtm", f->dir);
    Rng rng;
    rng_seed(&rng, 7);
    int accepted = 0;
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(data, good, n);
        int k = 1 + (int)rng_below(&rng, 4);
        for (int j = 0; j < k; j++) {
            size_t pos = rng_below(&rng, n - 4);
            /* bias towards small integers and all-ones, the values that
             * reach the count and enum checks */
            uint64_t r = rng_next(&rng);
            data[pos] = (uint8_t)(r % 3 == 0 ? 0xFF : r % 3 == 1 ? r % 8 : r >> 8);
        }
        fix_crc(data, n);
        spit(bad, data, n);
        SavedModel sm;
        ErrorCode rc = modelfile_load(&sm, bad, &err);
        assert_true(rc == ERROR_NONE || rc == ERROR_INPUT);
        if (rc == ERROR_NONE) {
            /* whatever got through is self-consistent */
            accepted++;
            assert_int_equal(sm.shape.sizes[0], sm.d);
            assert_non_null(sm.params);
        }
        modelfile_free(&sm);
    }
    (void)accepted; /* bytes inside floats and names are legitimately free */
    free(data);
    free(good);
}

static void other_versions_are_refused_by_number(void **state)
{
    Fixture *f = *state;
    Error err = {0};
    assert_int_equal(modelfile_save(f->path, &f->m, NULL, &f->info, &err), ERROR_NONE);
    size_t n;
    uint8_t *data = slurp(f->path, &n);
    wr32(data + 8, 2);
    fix_crc(data, n);
    spit(f->path, data, n);
    SavedModel sm;
    assert_int_equal(modelfile_load(&sm, f->path, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "version 2"));
    free(data);
}

static void foreign_and_missing_files_are_refused(void **state)
{
    Fixture *f = *state;
    char p[160];
    snprintf(p, sizeof p, "%s/iris.csv", f->dir);
    const char *csv = "sepal_length,sepal_width,petal_length,petal_width,species\n"
                      "5.1,3.5,1.4,0.2,setosa\n";
    spit(p, csv, strlen(csv));
    assert_refused(p);
    SavedModel sm;
    Error err = {0};
    assert_int_equal(modelfile_load(&sm, p, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "not a gradtop model"));
    spit(p, "", 0);
    assert_refused(p);
    spit(p, "GTMODEL", 8);
    assert_refused(p);
    assert_refused(f->dir); /* a directory */
    snprintf(p, sizeof p, "%s/missing.gtm", f->dir);
    assert_refused(p);
}

/* Loading path must be refused with a message that says want. */
static void assert_refused_saying(const char *path, const char *want)
{
    SavedModel sm;
    Error err = {0};
    assert_int_equal(modelfile_load(&sm, path, &err), ERROR_INPUT);
    if (!strstr(err.msg, want)) fail_msg("\"%s\" does not say \"%s\"", err.msg, want);
    assert_memory_equal(err.msg, path, strlen(path));
    modelfile_free(&sm);
}

/* A named pipe with no writer: opening it for reading would wait for one
 * forever.  The load runs in a child so that a loader that blocks fails
 * this test instead of hanging the suite; the alarm only ends such a
 * child (a load that returns takes no time), it never decides a pass. */
static void a_named_pipe_is_refused_without_waiting_for_a_writer(void **state)
{
    Fixture *f = *state;
    char fifo[160];
    snprintf(fifo, sizeof fifo, "%s/fifo.gtm", f->dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(60);
        SavedModel sm;
        Error err = {0};
        ErrorCode rc = modelfile_load(&sm, fifo, &err);
        _exit(rc == ERROR_INPUT && strstr(err.msg, "not a regular file (a named pipe)") &&
                      strncmp(err.msg, fifo, strlen(fifo)) == 0
                  ? 0
                  : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        fail_msg("loading %s blocked waiting for a writer", fifo);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void directories_and_devices_are_refused_by_kind(void **state)
{
    Fixture *f = *state;
    assert_refused_saying(f->dir, "not a regular file (a directory)");
    assert_refused_saying("/dev/zero", "not a regular file (a character device)");
    assert_refused_saying("/dev/null", "not a regular file (a character device)");
}

/* Bytes this process has read through read(2) and its kin so far. */
static unsigned long long bytes_read(void)
{
    FILE *fp = fopen("/proc/self/io", "r");
    if (!fp) fail_msg("/proc/self/io: cannot be read");
    unsigned long long rchar = 0;
    char line[128];
    bool found = false;
    while (fgets(line, sizeof line, fp))
        if (sscanf(line, "rchar: %llu", &rchar) == 1) found = true;
    fclose(fp);
    if (!found) fail_msg("/proc/self/io has no rchar line");
    return rchar;
}

/* Loads path, expecting a refusal saying want, and that the loader read
 * less than a megabyte of the file's gigabytes to say it. */
static void refused_cheaply(const char *path, const char *want)
{
    unsigned long long before = bytes_read();
    assert_refused_saying(path, want);
    unsigned long long used = bytes_read() - before;
    if (used > (1u << 20)) fail_msg("%s: %llu bytes read to refuse it", path, used);
}

/* Files of gigabytes (sparse: they take no room on the disk) are refused
 * from their header, without reading them or taking memory for them: all
 * zeros, a model followed by gigabytes it does not declare, and weights
 * declared far larger than the layer sizes allow. */
static void huge_files_are_refused_from_their_header(void **state)
{
    Fixture *f = *state;
    const off_t huge = (off_t)4 << 30;
    char big[160];
    snprintf(big, sizeof big, "%s/big.gtm", f->dir);
    spit(big, "", 0);
    assert_int_equal(truncate(big, huge), 0);
    refused_cheaply(big, "bad magic");

    Error err = {0};
    assert_int_equal(modelfile_save(f->path, &f->m, &f->o, &f->info, &err), ERROR_NONE);
    size_t n, size;
    uint8_t *data = slurp(f->path, &n);
    spit(big, data, n);
    assert_int_equal(truncate(big, huge), 0);
    refused_cheaply(big, "unexpected bytes after the last section");

    /* sections 1 to 4 as saved, then a PARAMS section of 3 GB that the
     * file (padded with zeros) does hold */
    size_t at = section_at(data, n, MODELFILE_SECTION_PARAMS, &size);
    uint64_t len = (uint64_t)3 << 30;
    wr32(data + 12, 5);
    wr32(data + at - 8, (uint32_t)len);
    wr32(data + at - 4, (uint32_t)(len >> 32));
    spit(big, data, at);
    assert_int_equal(truncate(big, (off_t)(at + len + 4)), 0);
    refused_cheaply(big, "parameters section: 3221225472 bytes, more than the layer sizes need");
    free(data);
}

static void committed_corrupt_fixtures_are_refused(void **state)
{
    (void)state;
    const char *fixtures[] = {"tests/data/models/truncated.gtm", "tests/data/models/bad_crc.gtm",
                              "tests/data/models/huge_count.gtm",
                              "tests/data/models/not_a_model.gtm"};
    for (size_t i = 0; i < sizeof fixtures / sizeof *fixtures; i++) {
        struct stat st;
        if (stat(fixtures[i], &st) != 0)
            fail_msg("fixture %s missing (run from the root)", fixtures[i]);
        assert_refused(fixtures[i]);
    }
}

static void save_refuses_info_that_does_not_fit_the_model(void **state)
{
    Fixture *f = *state;
    ModelInfo info = f->info;
    info.d = 3;
    Error err = {0};
    assert_int_equal(modelfile_save(f->path, &f->m, NULL, &info, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, f->path));
    struct stat st;
    assert_int_not_equal(stat(f->path, &st), 0); /* nothing written */
}

static void save_into_a_missing_directory_is_a_runtime_error(void **state)
{
    Fixture *f = *state;
    Error err = {0};
    assert_int_equal(modelfile_save("/nonexistent/dir/model.gtm", &f->m, NULL, &f->info, &err),
                     ERROR_RUNTIME);
    assert_non_null(strstr(err.msg, "/nonexistent/dir/model.gtm"));
}

/* Runs a traced child that saves `big` over path, stopping it at each system
 * call entry and exit: after `stops` stops it is killed there (-1: let it
 * finish).  Returns how many stops the child made before it was killed or
 * exited. */
static int save_killed_after(const char *path, const Model *big, const Optimizer *o,
                             const ModelInfo *info, int stops, pid_t *child)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0) _exit(99);
        raise(SIGSTOP); /* the parent sets syscall tracing here */
        Error err = {0};
        _exit(modelfile_save(path, big, o, info, &err) == ERROR_NONE ? 0 : 98);
    }
    *child = pid;
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFSTOPPED(status)) fail_msg("traced child did not stop (status %#x)", status);
    assert_int_equal(ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)PTRACE_O_EXITKILL), 0);
    int n = 0;
    for (;;) {
        if (n == stops) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
            return n;
        }
        if (ptrace(PTRACE_SYSCALL, pid, NULL, NULL) != 0) fail_msg("ptrace: %s", strerror(errno));
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (WIFEXITED(status)) {
            assert_int_equal(WEXITSTATUS(status), 0);
            return n;
        }
        if (!WIFSTOPPED(status)) fail_msg("traced child ended with status %#x", status);
        n++;
    }
}

/* What the file at path holds: 1 (every parameter 1.0, the old file), 2 (every
 * parameter 2.0, the new one); anything else fails the test. */
static int saved_generation(const char *path)
{
    SavedModel sm;
    Error err = {0};
    if (modelfile_load(&sm, path, &err) != ERROR_NONE) fail_msg("after a kill: %s", err.msg);
    float v = sm.params[0];
    for (size_t i = 0; i < sm.n_params; i++)
        if (sm.params[i] != v) fail_msg("mixed weights at %zu", i);
    modelfile_free(&sm);
    if (v != 1.0f && v != 2.0f) fail_msg("weights %g are neither the old nor the new", v);
    return v == 1.0f ? 1 : 2;
}

/* A save killed at every one of its system calls (the open of the temporary
 * file, each write, the fsync, the rename, the directory's fsync, and every
 * call in between) leaves path holding either the old model or the new one,
 * never a mixture or a torn file.  The kill points are system-call stops of
 * a traced child, so where each kill lands does not depend on the machine's
 * speed. */
static void killed_save_leaves_the_old_file_intact(void **state)
{
    Fixture *f = *state;
    /* 40-64-10 with Adam state: about 52 KB, a dozen stdio writes */
    ModelShape s;
    int hidden[1] = {64};
    Error err = {0};
    assert_int_equal(
        model_shape_make(&s, 40, hidden, 1, ACTIVATION_RELU, LOSS_AUTO, true, 10, &err), 0);
    Model big;
    Rng rng;
    rng_seed(&rng, 9);
    assert_int_equal(model_create(&big, &s, 1, &rng, &err), ERROR_NONE);
    Optimizer o;
    OptimizerParams p = {.kind = OPTIMIZER_ADAM, .lr = 0.001};
    assert_int_equal(optimizer_create(&o, &p, big.n_params, &err), ERROR_NONE);
    char *names[40], *classes[10];
    for (int i = 0; i < 40; i++) {
        names[i] = malloc(16);
        snprintf(names[i], 16, "px%d", i);
    }
    for (int i = 0; i < 10; i++) {
        classes[i] = malloc(16);
        snprintf(classes[i], 16, "c%d", i);
    }
    ModelInfo info = {.task = TASK_CLASSIFICATION,
                      .label_name = "label",
                      .d = 40,
                      .feature_names = names,
                      .n_classes = 10,
                      .class_names = classes};
    /* Each round fsyncs twice: on tmpfs, where that is free, when there is one. */
    char dir[64] = "/dev/shm/gradtop-kill-XXXXXX";
    if (!mkdtemp(dir)) {
        strcpy(dir, f->dir);
        strcat(dir, "/kill");
        assert_int_equal(mkdir(dir, 0700), 0);
    }
    char path[128], keep[128];
    snprintf(path, sizeof path, "%s/model.gtm", dir);
    snprintf(keep, sizeof keep, "%s/old.gtm", dir);
    /* the old file: every parameter 1.0; the child saves 2.0 over it */
    for (size_t i = 0; i < big.n_params; i++) big.params[i] = 1.0f;
    assert_int_equal(modelfile_save(keep, &big, &o, &info, &err), ERROR_NONE);
    struct stat old;
    assert_int_equal(stat(keep, &old), 0);
    assert_int_equal(link(keep, path), 0);

    for (size_t i = 0; i < big.n_params; i++) big.params[i] = 2.0f;
    pid_t pid;
    int total = save_killed_after(path, &big, &o, &info, -1, &pid);
    assert_int_equal(saved_generation(path), 2);
    /* a save is open, writes, fsync, close, rename, and the directory's fsync */
    assert_true(total >= 2 * 6);

    int kept_old = 0, got_new = 0, torn = 0, partial = 0;
    for (int k = 0; k <= total; k++) {
        /* the old file back in place (the rename replaced the link) */
        assert_int_equal(unlink(path), 0);
        assert_int_equal(link(keep, path), 0);
        assert_int_equal(saved_generation(path), 1);
        assert_int_equal(save_killed_after(path, &big, &o, &info, k, &pid), k);
        if (saved_generation(path) == 1)
            kept_old++;
        else
            got_new++;
        /* the killed child's temporary file may remain: it is never the model */
        char tmp[200];
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)pid);
        struct stat st;
        if (stat(tmp, &st) == 0) {
            torn++;
            if (st.st_size > 0 && st.st_size < old.st_size) partial++;
            assert_int_equal(unlink(tmp), 0);
        }
    }
    /* The test means something only if kills landed before the rename, in
     * the middle of the writes, and after it. */
    assert_true(kept_old >= 1);
    assert_true(got_new >= 1);
    assert_true(torn >= 1);
    assert_true(partial >= 1);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(unlink(keep), 0);
    assert_int_equal(rmdir(dir), 0);
    for (int i = 0; i < 40; i++) free(names[i]);
    for (int i = 0; i < 10; i++) free(classes[i]);
    optimizer_free(&o);
    model_free(&big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(save_then_load_is_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(per_layer_activations_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(regression_without_optimizer_or_normalizer_round_trips,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(file_starts_with_magic_and_version, setup, teardown),
        cmocka_unit_test_setup_teardown(every_flipped_byte_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(every_truncation_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(inconsistent_fields_with_a_valid_checksum_are_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(optimizer_state_is_checked_value_by_value, setup, teardown),
        cmocka_unit_test_setup_teardown(non_finite_weights_and_optimizer_state_are_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(feature_means_round_trip_and_are_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(feature_columns_are_matched_by_name, setup, teardown),
        cmocka_unit_test_setup_teardown(hostile_names_are_escaped_in_every_message, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            an_overflowing_normalization_is_refused_naming_row_and_feature, setup, teardown),
        cmocka_unit_test_setup_teardown(random_damage_with_a_valid_checksum_never_crashes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(other_versions_are_refused_by_number, setup, teardown),
        cmocka_unit_test_setup_teardown(foreign_and_missing_files_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(a_named_pipe_is_refused_without_waiting_for_a_writer, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(directories_and_devices_are_refused_by_kind, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(huge_files_are_refused_from_their_header, setup, teardown),
        cmocka_unit_test(committed_corrupt_fixtures_are_refused),
        cmocka_unit_test_setup_teardown(save_refuses_info_that_does_not_fit_the_model, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(save_into_a_missing_directory_is_a_runtime_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(killed_save_leaves_the_old_file_intact, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
