/* modelfile.c - see modelfile.h for the layout of model.gtm. */
#include "gradtop/run/modelfile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gradtop/io/atomicfile.h"
#include "gradtop/io/bytebuf.h"
#include "gradtop/io/crc32c.h"
#include "gradtop/core/rng.h"

#define HEADER_BYTES 16
#define SECTION_HEAD_BYTES 16
#define TRAILER_BYTES 4
#define MAX_SECTIONS 64

/* ---- writing --------------------------------------------------------- */

/* A growable buffer for the small sections. */
static void buf_u32(ByteBuf *b, uint32_t v)
{
    uint8_t t[4];
    bytes_put_le(t, v, 4);
    bytebuf_put(b, t, 4);
}

static void buf_u64(ByteBuf *b, uint64_t v)
{
    uint8_t t[8];
    bytes_put_le(t, v, 8);
    bytebuf_put(b, t, 8);
}

static void buf_f32s(ByteBuf *b, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &x[i], 4);
        buf_u32(b, bits);
    }
}

static void buf_str(ByteBuf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    buf_u32(b, (uint32_t)n);
    bytebuf_put(b, s, n);
}

/* The output file and the running checksum of everything written. */
typedef struct {
    FILE *f;
    uint32_t crc;
    int errnum; /* the first write error, 0 while none */
} Out;

static void out_put(Out *o, const void *data, size_t n)
{
    if (o->errnum || n == 0) return;
    o->crc = crc32c_update(o->crc, data, n);
    errno = 0;
    if (fwrite(data, 1, n, o->f) != n) o->errnum = errno ? errno : EIO;
}

static void out_section_head(Out *o, uint32_t id, uint64_t size)
{
    uint8_t h[SECTION_HEAD_BYTES];
    bytes_put_le(h, id, 4);
    bytes_put_le(h + 4, 0, 4);
    bytes_put_le(h + 8, size, 8);
    out_put(o, h, sizeof h);
}

static void out_section(Out *o, uint32_t id, const ByteBuf *b)
{
    out_section_head(o, id, b->n);
    out_put(o, b->p, b->n);
}

/* Writes n 32-bit words (floats or ints) in little-endian order through a
 * fixed buffer. */
static void out_words(Out *o, const void *x, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* the words are in the file's order already: written as they are (a
     * byte at a time, through bytes_put_le, they took a sweep's trials a
     * few per cent of their time) */
    out_put(o, x, 4 * n);
    return;
#endif
    uint8_t chunk[1 << 16];
    size_t per = sizeof chunk / 4;
    for (size_t i = 0; i < n; i += per) {
        size_t k = n - i < per ? n - i : per;
        for (size_t j = 0; j < k; j++) {
            uint32_t bits;
            memcpy(&bits, (const uint8_t *)x + 4 * (i + j), 4);
            bytes_put_le(chunk + 4 * j, bits, 4);
        }
        out_put(o, chunk, 4 * k);
    }
}

static void out_f32s(Out *o, const float *x, size_t n)
{
    out_words(o, x, n);
}

static size_t params_for_shape(const ModelShape *s)
{
    size_t n = 0;
    for (int i = 0; i < s->n_layers; i++) n += (size_t)s->sizes[i + 1] * ((size_t)s->sizes[i] + 1);
    return n;
}

void modelfile_info_from_session(ModelInfo *info, const PreparedData *s)
{
    memset(info, 0, sizeof *info);
    const Dataset *ds = &s->all;
    info->task = ds->task;
    info->label_name = ds->label_name;
    info->d = ds->d;
    info->feature_names = ds->feature_names;
    info->n_classes = ds->task == TASK_CLASSIFICATION ? ds->n_classes : 0;
    info->class_names = ds->class_names;
    info->nz = &s->nz;
    info->feature_mean = ds->feature_mean;
    if (ds->task == TASK_REGRESSION) {
        info->target_shift = ds->target_shift;
        info->target_scale = ds->target_scale;
    }
}

static ErrorCode check_info(const char *path, const Model *m, const Optimizer *o,
                            const ModelInfo *info, Error *err)
{
    const ModelShape *s = &m->shape;
    if (s->n_layers < 1 || s->n_layers > MODEL_MAX_LAYERS)
        return error_set(err, ERROR_INPUT, "%s: model has %d layers", path, s->n_layers);
    if (info->d != s->sizes[0])
        return error_set(err, ERROR_INPUT, "%s: model takes %d inputs but the data has %d features",
                         path, s->sizes[0], info->d);
    if (params_for_shape(s) != m->n_params)
        return error_set(err, ERROR_INPUT, "%s: model has %zu parameters, its shape implies %zu",
                         path, m->n_params, params_for_shape(s));
    if (info->n_classes < 0 || (info->n_classes > 0 && !info->class_names))
        return error_set(err, ERROR_INPUT, "%s: bad class list", path);
    if (info->d > 0 && !info->feature_names)
        return error_set(err, ERROR_INPUT, "%s: no feature names", path);
    for (int i = 0; i < info->d; i++)
        if (info->feature_names[i] && strlen(info->feature_names[i]) > MODELFILE_MAX_NAME)
            return error_set(err, ERROR_INPUT, "%s: feature name %d longer than %d bytes", path,
                             i + 1, MODELFILE_MAX_NAME);
    for (int i = 0; i < info->n_classes; i++)
        if (info->class_names[i] && strlen(info->class_names[i]) > MODELFILE_MAX_NAME)
            return error_set(err, ERROR_INPUT, "%s: class name %d longer than %d bytes", path,
                             i + 1, MODELFILE_MAX_NAME);
    if (info->n_classes > DATASET_MAX_CLASSES || info->d > DATASET_MAX_FEATURES)
        return error_set(err, ERROR_INPUT, "%s: too many classes or features", path);
    if (info->label_name && strlen(info->label_name) >= 128)
        return error_set(err, ERROR_INPUT, "%s: label name too long", path);
    const Normalizer *nz = info->nz;
    if (nz && nz->shift && (nz->d != info->d || !nz->scale))
        return error_set(err, ERROR_INPUT, "%s: normalizer has %d features, data %d", path, nz->d,
                         info->d);
    if (nz && !nz->shift && nz->kind != NORMALIZE_NONE)
        return error_set(err, ERROR_INPUT, "%s: normalizer has no statistics", path);
    if (o && (o->n != m->n_params || !o->state))
        return error_set(err, ERROR_INPUT, "%s: optimizer state has %zu entries, model %zu", path,
                         o->n, m->n_params);
    if (info->config_text && strlen(info->config_text) > MODELFILE_MAX_CONFIG)
        return error_set(err, ERROR_INPUT, "%s: config text too long", path);
    const TrainState *rs = info->run_state;
    if (rs && ((rs->n_rows > 0 && !rs->perm) || (rs->n_best && rs->n_best != m->n_params) ||
               (rs->n_best && !rs->best_params)))
        return error_set(err, ERROR_INPUT, "%s: run state does not fit the model", path);
    return ERROR_NONE;
}

static void buf_f64(ByteBuf *b, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, 8);
    buf_u64(b, bits);
}

/* The sections built in memory before writing: 1-4, 7-9, 10, the fixed
 * part of 11, 12 and 13. */
#define SMALL_SECTIONS 11

/* An epoch's metrics as RESUME and LAST hold them: u32 has_val, u32
 * reserved, i64 step, 11 f64 (the epoch is the section's to say). */
static void buf_metrics(ByteBuf *b, const EpochMetrics *e)
{
    buf_u32(b, e->has_val ? 1 : 0);
    buf_u32(b, 0);
    buf_u64(b, (uint64_t)(int64_t)e->step);
    const double f[] = {e->wall_time, e->seconds,      e->loss,    e->accuracy, e->mae, e->r2,
                        e->val_loss,  e->val_accuracy, e->val_mae, e->val_r2,   e->lr};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) buf_f64(b, f[i]);
}

/* Whether none of x's n floats is a NaN or an infinity (all exponent
 * bits set).  Tested on the bits and OR-ed over a block, which the
 * compiler vectorizes: isfinite with a return at the first one took a
 * float at a time, and over a checkpoint's weights and optimizer state
 * cost more instructions than the rest of the save (checksum and writes
 * included). */
static bool all_finite(const float *x, size_t n)
{
    enum { BLOCK = 256 };
    for (size_t i = 0; i < n; i += BLOCK) {
        size_t k = n - i < BLOCK ? n - i : BLOCK;
        uint32_t bad = 0;
        for (size_t j = 0; j < k; j++) {
            uint32_t bits;
            memcpy(&bits, &x[i + j], 4);
            /* exponent 0xFF carries into the sign bit */
            bad |= (bits & 0x7F800000u) + 0x00800000u;
        }
        if (bad & 0x80000000u) return false;
    }
    return true;
}

/* Whether info's feature means go in the file: all of them finite. */
static bool has_means(const ModelInfo *info)
{
    return info->feature_mean && info->d > 0 && all_finite(info->feature_mean, (size_t)info->d);
}

/* Builds the small sections into bufs[0..SMALL_SECTIONS-1]. */
static void build_sections(ByteBuf bufs[SMALL_SECTIONS], const Model *m, const ModelInfo *info)
{
    const ModelShape *s = &m->shape;
    ByteBuf *b = &bufs[0]; /* SHAPE */
    buf_u32(b, (uint32_t)s->n_layers);
    for (int i = 0; i <= s->n_layers; i++) buf_u32(b, (uint32_t)s->sizes[i]);
    bool mixed = model_shape_mixed(s);
    buf_u32(b, mixed ? MODELFILE_ACT_PER_LAYER : (uint32_t)s->hidden);
    buf_u32(b, (uint32_t)s->output);
    buf_u32(b, (uint32_t)s->loss);

    b = &bufs[1]; /* DATA */
    buf_u32(b, (uint32_t)info->task);
    buf_str(b, info->label_name);
    buf_u32(b, (uint32_t)info->d);
    for (int i = 0; i < info->d; i++) buf_str(b, info->feature_names[i]);
    buf_u32(b, (uint32_t)info->n_classes);
    for (int i = 0; i < info->n_classes; i++) buf_str(b, info->class_names[i]);

    b = &bufs[2]; /* NORMALIZER */
    const Normalizer *nz = info->nz;
    bool stats = nz && nz->shift;
    buf_u32(b, (uint32_t)(nz ? nz->kind : NORMALIZE_NONE));
    buf_u32(b, stats ? (uint32_t)nz->d : 0);
    if (stats) {
        buf_f32s(b, nz->shift, (size_t)nz->d);
        buf_f32s(b, nz->scale, (size_t)nz->d);
    }

    b = &bufs[3]; /* CONFIG */
    if (info->config_text) bytebuf_put(b, info->config_text, strlen(info->config_text));

    const TrainState *rs = info->run_state;
    b = &bufs[4]; /* PROGRESS */
    int epoch = rs ? rs->epoch : info->epoch;
    buf_u32(b, (uint32_t)(epoch > 0 ? epoch : 0));
    buf_u32(b, 0);
    buf_u64(b, (uint64_t)(int64_t)(rs ? rs->step : info->step));
    buf_f64(b, (double)time(NULL));

    b = &bufs[5]; /* TARGET */
    if (info->target_scale > 0) {
        buf_f64(b, info->target_shift);
        buf_f64(b, info->target_scale);
    }

    b = &bufs[6]; /* KEPT */
    if (info->kept_epoch > 0) {
        buf_u32(b, (uint32_t)info->kept_epoch);
        buf_u32(b, 0);
    }

    b = &bufs[7]; /* MEANS */
    if (has_means(info)) {
        buf_u32(b, (uint32_t)info->d);
        buf_f32s(b, info->feature_mean, (size_t)info->d);
    }

    b = &bufs[8]; /* RESUME, up to the row order */
    if (rs) {
        buf_u32(b, (uint32_t)rs->best_epoch);
        buf_u32(b, (uint32_t)rs->wait);
        buf_u32(b, (uint32_t)rs->plateau_wait);
        buf_u32(b, 0);
        buf_f64(b, rs->best_value);
        buf_f64(b, rs->plateau_best);
        buf_f64(b, rs->plateau_scale);
        for (int i = 0; i < 4; i++) buf_u64(b, rs->shuffle.s[i]);
        for (int i = 0; i < 4; i++) buf_u64(b, rs->dropout.s[i]);
        buf_metrics(b, &rs->best);
    }

    b = &bufs[9]; /* ACTIVATIONS */
    if (mixed) {
        buf_u32(b, (uint32_t)(s->n_layers - 1));
        for (int l = 0; l < s->n_layers - 1; l++) buf_u32(b, (uint32_t)s->act[l]);
    }

    b = &bufs[10]; /* LAST: the state's epoch's own figures, when known */
    if (rs && rs->epoch > 0 && rs->last.epoch == rs->epoch) buf_metrics(b, &rs->last);
}

ErrorCode modelfile_save(const char *path, const Model *m, const Optimizer *o,
                         const ModelInfo *info, Error *err)
{
    if (check_info(path, m, o, info, err)) return err ? err->code : ERROR_INPUT;
    /* The loader refuses state that is not finite (an Adam second moment
     * can overflow while the weights stay finite): left out, a resume
     * starts the optimizer afresh instead of failing. */
    if (o && !all_finite(o->state, 3 * o->n)) o = NULL;

    ByteBuf bufs[SMALL_SECTIONS] = {{0}};
    build_sections(bufs, m, info);
    bool oom = false;
    for (int i = 0; i < SMALL_SECTIONS; i++) oom |= bufs[i].oom;
    if (oom) {
        for (int i = 0; i < SMALL_SECTIONS; i++) free(bufs[i].p);
        return error_set(err, ERROR_RUNTIME, "%s: out of memory", path);
    }

    ErrorCode rc = ERROR_NONE;
    AtomicFile af;
    int oe = atomicfile_open(&af, path);
    if (oe) {
        rc = error_set(err, ERROR_RUNTIME, "%s: %s", oe == ENAMETOOLONG ? path : af.tmp,
                       oe == ENAMETOOLONG ? "path too long" : strerror(oe));
        goto done;
    }

    Out out = {af.f, 0, 0};
    uint8_t head[HEADER_BYTES];
    memcpy(head, MODELFILE_MAGIC "", 8); /* the literal's NUL is the 8th byte */
    bytes_put_le(head + 8, MODELFILE_VERSION, 4);
    bool target = info->target_scale > 0, kept = info->kept_epoch > 0, means = has_means(info);
    const TrainState *rs = info->run_state;
    bool acts = bufs[9].n > 0, last = bufs[10].n > 0;
    bytes_put_le(head + 12,
                 6u + (o ? 1u : 0u) + (target ? 1u : 0u) + (kept ? 1u : 0u) + (means ? 1u : 0u) +
                     (rs ? 1u : 0u) + (acts ? 1u : 0u) + (last ? 1u : 0u),
                 4);
    out_put(&out, head, sizeof head);
    out_section(&out, MODELFILE_SECTION_SHAPE, &bufs[0]);
    out_section(&out, MODELFILE_SECTION_DATA, &bufs[1]);
    out_section(&out, MODELFILE_SECTION_NORMALIZER, &bufs[2]);
    out_section(&out, MODELFILE_SECTION_CONFIG, &bufs[3]);

    uint8_t word[8];
    out_section_head(&out, MODELFILE_SECTION_PARAMS, 8 + 4 * (uint64_t)m->n_params);
    bytes_put_le(word, m->n_params, 8);
    out_put(&out, word, 8);
    out_f32s(&out, m->params, m->n_params);

    if (o) {
        out_section_head(&out, MODELFILE_SECTION_OPTIMIZER, 24 + 12 * (uint64_t)o->n);
        uint8_t oh[24];
        bytes_put_le(oh, (uint32_t)o->p.kind, 4);
        bytes_put_le(oh + 4, 0, 4);
        bytes_put_le(oh + 8, (uint64_t)(int64_t)o->t, 8);
        bytes_put_le(oh + 16, o->n, 8);
        out_put(&out, oh, sizeof oh);
        out_f32s(&out, o->state, 3 * o->n);
    }
    out_section(&out, MODELFILE_SECTION_PROGRESS, &bufs[4]);
    if (target) out_section(&out, MODELFILE_SECTION_TARGET, &bufs[5]);
    if (kept) out_section(&out, MODELFILE_SECTION_KEPT, &bufs[6]);
    if (means) out_section(&out, MODELFILE_SECTION_MEANS, &bufs[7]);
    if (rs) {
        out_section_head(&out, MODELFILE_SECTION_RESUME,
                         bufs[8].n + 16 + 4 * ((uint64_t)rs->n_rows + rs->n_best));
        out_put(&out, bufs[8].p, bufs[8].n);
        bytes_put_le(word, rs->n_rows, 8);
        out_put(&out, word, 8);
        out_words(&out, rs->perm, rs->n_rows);
        bytes_put_le(word, rs->n_best, 8);
        out_put(&out, word, 8);
        out_f32s(&out, rs->best_params, rs->n_best);
    }
    if (acts) out_section(&out, MODELFILE_SECTION_ACTIVATIONS, &bufs[9]);
    if (last) out_section(&out, MODELFILE_SECTION_LAST, &bufs[10]);

    uint32_t crc = out.crc;
    bytes_put_le(word, crc, 4);
    out_put(&out, word, 4);

    af.sync = !info->no_sync;
    int e = atomicfile_commit(&af, out.errnum);
    if (e) rc = error_set(err, ERROR_RUNTIME, "%s: %s", path, strerror(e));
done:
    for (int i = 0; i < SMALL_SECTIONS; i++) free(bufs[i].p);
    return rc;
}

/* ---- loading --------------------------------------------------------- */

/* A bounded reader over the file's bytes. */
typedef struct {
    const uint8_t *p, *end;
} Rd;

static size_t rd_left(const Rd *r)
{
    return (size_t)(r->end - r->p);
}

static bool rd_u32(Rd *r, uint32_t *v)
{
    if (rd_left(r) < 4) return false;
    *v = (uint32_t)bytes_get_le(r->p, 4);
    r->p += 4;
    return true;
}

static bool rd_u64(Rd *r, uint64_t *v)
{
    if (rd_left(r) < 8) return false;
    *v = bytes_get_le(r->p, 8);
    r->p += 8;
    return true;
}

static void rd_f32s(Rd *r, float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t bits = (uint32_t)bytes_get_le(r->p + 4 * i, 4);
        memcpy(&x[i], &bits, 4);
    }
    r->p += 4 * n;
}

/* Context for one load: the path for messages. */
typedef struct {
    const char *path;
    Error *err;
} Ld;

static ErrorCode bad(Ld *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static ErrorCode bad(Ld *ld, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return error_set(ld->err, ERROR_INPUT, "%s: %s", ld->path, msg); /* escapes msg too */
}

/* A str of at most max bytes, no NUL inside, into a new string. */
static ErrorCode rd_str(Ld *ld, Rd *r, size_t max, const char *what, char **out)
{
    uint32_t n;
    if (!rd_u32(r, &n)) return bad(ld, "%s: truncated", what);
    if (n > max) return bad(ld, "%s: length out of range", what);
    if (n > rd_left(r)) return bad(ld, "%s: truncated", what);
    if (memchr(r->p, '\0', n)) return bad(ld, "%s: contains a NUL byte", what);
    char *s = malloc((size_t)n + 1);
    if (!s) return error_set(ld->err, ERROR_RUNTIME, "%s: out of memory", ld->path);
    memcpy(s, r->p, n);
    s[n] = '\0';
    r->p += n;
    *out = s;
    return ERROR_NONE;
}

static ErrorCode load_shape(Ld *ld, Rd *r, SavedModel *sm)
{
    uint32_t n, v = 0;
    if (!rd_u32(r, &n)) return bad(ld, "%s: truncated", "shape");
    if (n < 1 || n > MODEL_MAX_LAYERS) return bad(ld, "%s: layer count out of range", "shape");
    if (rd_left(r) < 4 * ((size_t)n + 1) + 12) return bad(ld, "%s: truncated", "shape");
    ModelShape *s = &sm->shape;
    s->n_layers = (int)n;
    for (uint32_t i = 0; i <= n; i++) {
        rd_u32(r, &v);
        uint32_t max = i == 0 ? DATASET_MAX_FEATURES : OPTIONS_MAX_UNITS;
        if (v < 1 || v > max) return bad(ld, "%s: layer size out of range", "shape");
        s->sizes[i] = (int)v;
    }
    rd_u32(r, &v);
    sm->per_layer_acts = v == MODELFILE_ACT_PER_LAYER;
    if (v > ACTIVATION_LINEAR && !sm->per_layer_acts)
        return bad(ld, "%s: unknown activation", "shape");
    model_shape_set_activation(s, sm->per_layer_acts ? ACTIVATION_RELU : (Activation)v);
    rd_u32(r, &v);
    if (v > OUTPUT_LINEAR) return bad(ld, "%s: unknown output kind", "shape");
    s->output = (OutputKind)v;
    rd_u32(r, &v);
    if (v < LOSS_CROSS_ENTROPY || v > LOSS_HUBER) return bad(ld, "%s: unknown loss", "shape");
    s->loss = (LossKind)v;
    return ERROR_NONE;
}

/* Each hidden layer's activation (after the shape, which was parsed first). */
static ErrorCode load_acts(Ld *ld, Rd *r, SavedModel *sm)
{
    ModelShape *s = &sm->shape;
    uint32_t n, v;
    if (!rd_u32(r, &n)) return bad(ld, "%s: truncated", "activations");
    if (n != (uint32_t)(s->n_layers - 1))
        return bad(ld, "activations: %u given for %d hidden layers", n, s->n_layers - 1);
    for (uint32_t l = 0; l < n; l++) {
        if (!rd_u32(r, &v)) return bad(ld, "%s: truncated", "activations");
        if (v > ACTIVATION_LINEAR) return bad(ld, "%s: unknown activation", "activations");
        s->act[l] = (Activation)v;
    }
    if (n > 0) s->hidden = s->act[0];
    sm->has_acts = true;
    return ERROR_NONE;
}

static ErrorCode load_names(Ld *ld, Rd *r, uint32_t max, const char *what, int *count,
                            char ***names)
{
    uint32_t n;
    if (!rd_u32(r, &n)) return bad(ld, "%s: truncated", what);
    if (n > max) return bad(ld, "%s: count out of range", what);
    if ((size_t)n * 4 > rd_left(r)) return bad(ld, "%s: truncated", what);
    *count = (int)n;
    if (n == 0) return ERROR_NONE;
    *names = calloc(n, sizeof **names);
    if (!*names) return error_set(ld->err, ERROR_RUNTIME, "%s: out of memory", ld->path);
    for (uint32_t i = 0; i < n; i++) {
        ErrorCode rc = rd_str(ld, r, MODELFILE_MAX_NAME, what, &(*names)[i]);
        if (rc) return rc;
    }
    return ERROR_NONE;
}

static ErrorCode load_data(Ld *ld, Rd *r, SavedModel *sm)
{
    uint32_t task;
    if (!rd_u32(r, &task)) return bad(ld, "%s: truncated", "data");
    if (task > TASK_REGRESSION) return bad(ld, "%s: unknown task", "data");
    sm->task = (Task)task;
    char *label = NULL;
    ErrorCode rc = rd_str(ld, r, sizeof sm->label_name - 1, "label name", &label);
    if (rc) return rc;
    strcpy(sm->label_name, label);
    free(label);
    rc = load_names(ld, r, DATASET_MAX_FEATURES, "feature names", &sm->d, &sm->feature_names);
    if (rc) return rc;
    return load_names(ld, r, DATASET_MAX_CLASSES, "class names", &sm->n_classes, &sm->class_names);
}

static ErrorCode load_normalizer(Ld *ld, Rd *r, SavedModel *sm)
{
    uint32_t kind, nd;
    if (!rd_u32(r, &kind) || !rd_u32(r, &nd)) return bad(ld, "%s: truncated", "normalizer");
    if (kind > NORMALIZE_NONE) return bad(ld, "%s: unknown kind", "normalizer");
    if (nd > DATASET_MAX_FEATURES) return bad(ld, "%s: count out of range", "normalizer");
    if ((size_t)nd * 8 > rd_left(r)) return bad(ld, "%s: truncated", "normalizer");
    sm->nz.kind = (NormalizeKind)kind;
    sm->nz.d = (int)nd;
    if (nd == 0) return ERROR_NONE;
    sm->nz.shift = malloc((size_t)nd * sizeof(float));
    sm->nz.scale = malloc((size_t)nd * sizeof(float));
    if (!sm->nz.shift || !sm->nz.scale)
        return error_set(ld->err, ERROR_RUNTIME, "%s: out of memory", ld->path);
    rd_f32s(r, sm->nz.shift, nd);
    rd_f32s(r, sm->nz.scale, nd);
    for (uint32_t i = 0; i < nd; i++)
        if (!isfinite(sm->nz.shift[i]) || !isfinite(sm->nz.scale[i]))
            return bad(ld, "%s: value not finite", "normalizer");
    /* training divides by a positive spread (or keeps 1): a scale of zero
     * or below comes from nothing gradtop writes */
    for (uint32_t i = 0; i < nd; i++)
        if (!(sm->nz.scale[i] > 0))
            return bad(ld, "normalizer: the scale of feature %u is %g (it must be positive)", i + 1,
                       (double)sm->nz.scale[i]);
    return ERROR_NONE;
}

static ErrorCode load_config(Ld *ld, Rd *r, SavedModel *sm)
{
    size_t n = rd_left(r);
    if (n > MODELFILE_MAX_CONFIG) return bad(ld, "%s: too long", "config");
    if (memchr(r->p, '\0', n)) return bad(ld, "%s: contains a NUL byte", "config");
    sm->config_text = malloc(n + 1);
    if (!sm->config_text) return error_set(ld->err, ERROR_RUNTIME, "%s: out of memory", ld->path);
    memcpy(sm->config_text, r->p, n);
    sm->config_text[n] = '\0';
    r->p += n;
    return ERROR_NONE;
}

/* Weights, optimizer state and means come from finite arithmetic, and the
 * trainer saves only finite weights: anything else is a damaged file (or
 * one written by something else), refused before it can poison a run. */
static ErrorCode check_finite(Ld *ld, const float *x, size_t n, const char *section)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return bad(ld, "%s section: value %zu of %zu is not finite (%s)", section, i + 1, n,
                       isnan(x[i]) ? "NaN" : "infinite");
    return ERROR_NONE;
}

static ErrorCode load_params(Ld *ld, Rd *r, SavedModel *sm)
{
    uint64_t n;
    if (!rd_u64(r, &n)) return bad(ld, "%s: truncated", "parameters");
    if (n == 0 || n > rd_left(r) / 4)
        return bad(ld, "%s: count does not fit the file", "parameters");
    sm->params = malloc((size_t)n * sizeof(float));
    if (!sm->params) return error_set(ld->err, ERROR_RUNTIME, "%s: out of memory", ld->path);
    sm->n_params = (size_t)n;
    rd_f32s(r, sm->params, (size_t)n);
    return check_finite(ld, sm->params, (size_t)n, "parameters");
}

static ErrorCode load_optimizer(Ld *ld, Rd *r, SavedModel *sm)
{
    uint32_t kind, reserved;
    uint64_t t, n;
    if (!rd_u32(r, &kind) || !rd_u32(r, &reserved) || !rd_u64(r, &t) || !rd_u64(r, &n))
        return bad(ld, "%s: truncated", "optimizer");
    if (!sm->params) return bad(ld, "%s: comes before the parameters", "optimizer");
    if (kind > OPTIMIZER_ADAGRAD) return bad(ld, "%s: unknown kind", "optimizer");
    if (reserved != 0) return bad(ld, "%s: reserved field not zero", "optimizer");
    if ((int64_t)t < 0) return bad(ld, "%s: negative step count", "optimizer");
    if (n != sm->n_params) return bad(ld, "%s: size differs from the model's", "optimizer");
    if (n > rd_left(r) / 12) return bad(ld, "%s: count does not fit the file", "optimizer");
    sm->opt_state = malloc((size_t)n * 3 * sizeof(float));
    if (!sm->opt_state) return error_set(ld->err, ERROR_RUNTIME, "%s: out of memory", ld->path);
    rd_f32s(r, sm->opt_state, (size_t)n * 3);
    ErrorCode rc = check_finite(ld, sm->opt_state, (size_t)n * 3, "optimizer");
    if (rc) return rc;
    sm->has_opt = true;
    sm->opt_kind = (OptimizerKind)kind;
    sm->opt_t = (long)t;
    return ERROR_NONE;
}

static ErrorCode load_progress(Ld *ld, Rd *r, SavedModel *sm)
{
    uint32_t epoch, reserved;
    uint64_t step, wall;
    if (!rd_u32(r, &epoch) || !rd_u32(r, &reserved) || !rd_u64(r, &step) || !rd_u64(r, &wall))
        return bad(ld, "%s: truncated", "progress");
    if (epoch > (uint32_t)INT32_MAX || (int64_t)step < 0 || reserved != 0)
        return bad(ld, "%s: value out of range", "progress");
    sm->epoch = (int)epoch;
    sm->step = (long)step;
    memcpy(&sm->wall_time, &wall, 8);
    return ERROR_NONE;
}

static ErrorCode load_kept(Ld *ld, Rd *r, SavedModel *sm)
{
    uint32_t epoch, reserved;
    if (!rd_u32(r, &epoch) || !rd_u32(r, &reserved)) return bad(ld, "%s: truncated", "kept");
    if (epoch < 1 || epoch > (uint32_t)INT32_MAX || reserved != 0)
        return bad(ld, "%s: value out of range", "kept");
    sm->kept_epoch = (int)epoch;
    return ERROR_NONE;
}

static ErrorCode load_means(Ld *ld, Rd *r, SavedModel *sm)
{
    uint32_t d;
    if (!rd_u32(r, &d)) return bad(ld, "%s: truncated", "means");
    if (d < 1 || d > DATASET_MAX_FEATURES) return bad(ld, "%s: count out of range", "means");
    if ((size_t)d * 4 > rd_left(r)) return bad(ld, "%s: truncated", "means");
    sm->feature_mean = malloc((size_t)d * sizeof(float));
    if (!sm->feature_mean) return error_set(ld->err, ERROR_RUNTIME, "%s: out of memory", ld->path);
    sm->n_means = (int)d;
    rd_f32s(r, sm->feature_mean, d);
    return check_finite(ld, sm->feature_mean, d, "means");
}

static bool rd_f64(Rd *r, double *v)
{
    uint64_t bits;
    if (!rd_u64(r, &bits)) return false;
    memcpy(v, &bits, 8);
    return true;
}

/* An epoch's metrics as buf_metrics wrote them into e: 0, or -1 when
 * truncated, 1 when a value is out of range. */
static int rd_metrics(Rd *r, EpochMetrics *e)
{
    uint32_t has_val, reserved;
    uint64_t step;
    double *dst[] = {&e->wall_time, &e->seconds,      &e->loss,    &e->accuracy, &e->mae, &e->r2,
                     &e->val_loss,  &e->val_accuracy, &e->val_mae, &e->val_r2,   &e->lr};
    bool ok = rd_u32(r, &has_val) && rd_u32(r, &reserved) && rd_u64(r, &step);
    for (int i = 0; ok && i < 11; i++) ok = rd_f64(r, dst[i]);
    if (!ok) return -1;
    if (reserved || has_val > 1 || (int64_t)step < 0) return 1;
    e->has_val = has_val;
    e->step = (long)step;
    return 0;
}

static ErrorCode load_resume(Ld *ld, Rd *r, SavedModel *sm)
{
    TrainState *s = &sm->state;
    uint32_t best_epoch, wait, plateau_wait, reserved;
    uint64_t n_rows, n_best;
    bool ok = rd_u32(r, &best_epoch) && rd_u32(r, &wait) && rd_u32(r, &plateau_wait) &&
              rd_u32(r, &reserved) && rd_f64(r, &s->best_value) && rd_f64(r, &s->plateau_best) &&
              rd_f64(r, &s->plateau_scale);
    for (int i = 0; ok && i < 4; i++) ok = rd_u64(r, &s->shuffle.s[i]);
    for (int i = 0; ok && i < 4; i++) ok = rd_u64(r, &s->dropout.s[i]);
    int m = ok ? rd_metrics(r, &s->best) : -1;
    if (m < 0 || !rd_u64(r, &n_rows)) return bad(ld, "%s: truncated", "resume");
    if (m || reserved || best_epoch > (uint32_t)INT32_MAX || wait > (uint32_t)INT32_MAX ||
        plateau_wait > (uint32_t)INT32_MAX || isnan(s->best_value) || isnan(s->plateau_best) ||
        !isfinite(s->plateau_scale) || !(s->plateau_scale > 0))
        return bad(ld, "%s: value out of range", "resume");
    if (n_rows > rd_left(r) / 4) return bad(ld, "%s: row count does not fit the file", "resume");
    s->best_epoch = (int)best_epoch;
    s->wait = (int)wait;
    s->plateau_wait = (int)plateau_wait;
    s->best.epoch = s->best_epoch;
    s->perm = malloc((n_rows ? n_rows : 1) * sizeof(int));
    if (!s->perm) return error_set(ld->err, ERROR_RUNTIME, "%s: out of memory", ld->path);
    s->n_rows = (size_t)n_rows;
    for (size_t i = 0; i < s->n_rows; i++) {
        uint32_t v = (uint32_t)bytes_get_le(r->p + 4 * i, 4);
        if (v >= n_rows) return bad(ld, "%s: row %u out of range", "resume", v);
        s->perm[i] = (int)v;
    }
    r->p += 4 * s->n_rows;
    if (!rd_u64(r, &n_best)) return bad(ld, "%s: truncated", "resume");
    if (n_best > rd_left(r) / 4) return bad(ld, "%s: count does not fit the file", "resume");
    if (n_best) {
        s->best_params = malloc((size_t)n_best * sizeof(float));
        if (!s->best_params)
            return error_set(ld->err, ERROR_RUNTIME, "%s: out of memory", ld->path);
        s->n_best = (size_t)n_best;
        rd_f32s(r, s->best_params, s->n_best);
        ErrorCode rc = check_finite(ld, s->best_params, s->n_best, "resume");
        if (rc) return rc;
    }
    sm->has_state = true;
    return ERROR_NONE;
}

/* LAST: the figures of PROGRESS's epoch (check_consistent sets their
 * epoch, once PROGRESS is read). */
static ErrorCode load_last(Ld *ld, Rd *r, SavedModel *sm)
{
    int m = rd_metrics(r, &sm->state.last);
    if (m) return bad(ld, m < 0 ? "%s: truncated" : "%s: value out of range", "last");
    sm->has_last = true;
    return ERROR_NONE;
}

static ErrorCode load_target(Ld *ld, Rd *r, SavedModel *sm)
{
    uint64_t a, b;
    if (!rd_u64(r, &a) || !rd_u64(r, &b)) return bad(ld, "%s: truncated", "target");
    memcpy(&sm->target_shift, &a, 8);
    memcpy(&sm->target_scale, &b, 8);
    if (!isfinite(sm->target_shift) || !isfinite(sm->target_scale) || !(sm->target_scale > 0))
        return bad(ld, "%s: value out of range", "target");
    return ERROR_NONE;
}

/* The checks across sections. */
static ErrorCode check_consistent(Ld *ld, SavedModel *sm)
{
    const ModelShape *s = &sm->shape;
    int out = s->sizes[s->n_layers];
    if (s->sizes[0] != sm->d)
        return error_set(ld->err, ERROR_INPUT, "%s: model takes %d inputs but names %d features",
                         ld->path, s->sizes[0], sm->d);
    if (sm->nz.d != sm->d && !(sm->nz.d == 0 && sm->nz.kind == NORMALIZE_NONE))
        return error_set(ld->err, ERROR_INPUT, "%s: normalizer has %d features, model %d", ld->path,
                         sm->nz.d, sm->d);
    if (params_for_shape(s) != sm->n_params)
        return error_set(ld->err, ERROR_INPUT,
                         "%s: %zu parameters stored but the layer sizes need %zu", ld->path,
                         sm->n_params, params_for_shape(s));
    if (sm->feature_mean && sm->n_means != sm->d)
        return error_set(ld->err, ERROR_INPUT, "%s: means section has %d features, model %d",
                         ld->path, sm->n_means, sm->d);
    if (sm->per_layer_acts != sm->has_acts)
        return error_set(ld->err, ERROR_INPUT,
                         sm->has_acts ? "%s: activations section, but the shape names one "
                                        "activation for every layer"
                                      : "%s: the shape says each layer has its own activation, "
                                        "but the activations section is missing",
                         ld->path);
    sm->state.epoch = sm->epoch; /* PROGRESS says where the state is from */
    sm->state.step = sm->step;
    if (sm->has_last && (!sm->has_state || sm->epoch < 1))
        return error_set(ld->err, ERROR_INPUT,
                         "%s: last section: the figures of epoch %d, in a file without a run "
                         "state after an epoch",
                         ld->path, sm->epoch);
    if (sm->has_last) sm->state.last.epoch = sm->epoch;
    /* Best weights apart from the last epoch's are stored only by a run
     * that restores them (--restore-best): whether they must be here is
     * for rundir_resume_load, which has the run's options, to say. */
    if (sm->has_state && sm->state.n_best && sm->state.n_best != sm->n_params)
        return error_set(ld->err, ERROR_INPUT,
                         "%s: resume section: the best weights do not fit the model", ld->path);
    if (sm->has_state && (sm->state.best_epoch > sm->epoch || sm->state.wait > sm->epoch))
        return error_set(ld->err, ERROR_INPUT,
                         "%s: resume section: best epoch %d or patience count %d after the %d "
                         "epochs done",
                         ld->path, sm->state.best_epoch, sm->state.wait, sm->epoch);
    if (sm->kept_epoch > sm->epoch)
        return error_set(ld->err, ERROR_INPUT,
                         "%s: the weights are said to be from epoch %d, after the %d epochs done",
                         ld->path, sm->kept_epoch, sm->epoch);
    bool ok;
    if (sm->task == TASK_CLASSIFICATION) {
        ok = sm->n_classes >= 2 &&
             ((s->output == OUTPUT_SOFTMAX && s->loss == LOSS_CROSS_ENTROPY &&
               out == sm->n_classes) ||
              (s->output == OUTPUT_SIGMOID && s->loss == LOSS_BINARY_CROSS_ENTROPY && out == 1 &&
               sm->n_classes == 2));
    } else {
        ok = sm->n_classes == 0 && s->output == OUTPUT_LINEAR && out == 1 &&
             (s->loss == LOSS_MSE || s->loss == LOSS_MAE || s->loss == LOSS_HUBER);
    }
    if (!ok)
        return error_set(ld->err, ERROR_INPUT,
                         "%s: output layer (%s, %d units, loss %d) does not fit the task "
                         "(%s, %d classes)",
                         ld->path,
                         s->output == OUTPUT_SOFTMAX   ? "softmax"
                         : s->output == OUTPUT_SIGMOID ? "sigmoid"
                                                       : "linear",
                         out, (int)s->loss,
                         sm->task == TASK_CLASSIFICATION ? "classification" : "regression",
                         sm->n_classes);
    return ERROR_NONE;
}

static const char *section_name(uint32_t id)
{
    switch (id) {
    case MODELFILE_SECTION_SHAPE: return "shape";
    case MODELFILE_SECTION_DATA: return "data";
    case MODELFILE_SECTION_NORMALIZER: return "normalizer";
    case MODELFILE_SECTION_CONFIG: return "config";
    case MODELFILE_SECTION_PARAMS: return "parameters";
    case MODELFILE_SECTION_OPTIMIZER: return "optimizer";
    case MODELFILE_SECTION_PROGRESS: return "progress";
    case MODELFILE_SECTION_TARGET: return "target";
    case MODELFILE_SECTION_KEPT: return "kept";
    case MODELFILE_SECTION_MEANS: return "means";
    case MODELFILE_SECTION_RESUME: return "resume";
    case MODELFILE_SECTION_ACTIVATIONS: return "activations";
    case MODELFILE_SECTION_LAST: return "last";
    default: return "unknown";
    }
}

/* One section as its header declares it. */
typedef struct {
    uint8_t head[SECTION_HEAD_BYTES];
    uint32_t id;
    uint64_t off, len; /* the payload's offset in the file and its size */
} Section;

/* Reads n bytes at off; short of n is "truncated", a read error a runtime
 * failure naming the file. */
static ErrorCode read_at(Ld *ld, int fd, uint64_t off, void *buf, size_t n, const char *what)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = pread(fd, (uint8_t *)buf + got, n - got, (off_t)(off + got));
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return error_set(ld->err, ERROR_RUNTIME, "%s: %s", ld->path, strerror(errno));
        if (k == 0) return bad(ld, "truncated (%s)", what);
        got += (size_t)k;
    }
    return ERROR_NONE;
}

/* The most bytes a section of a known id can hold within the loader's
 * limits (PARAMS and OPTIMIZER are bounded by the shape instead). */
static uint64_t section_cap(uint32_t id)
{
    const uint64_t str = 4 + MODELFILE_MAX_NAME;
    switch (id) {
    case MODELFILE_SECTION_SHAPE: return 4 + 4 * ((uint64_t)MODEL_MAX_LAYERS + 1) + 12;
    case MODELFILE_SECTION_DATA:
        return 4 + 4 + 127 + 4 + DATASET_MAX_FEATURES * str + 4 + DATASET_MAX_CLASSES * str;
    case MODELFILE_SECTION_NORMALIZER: return 8 + 8 * (uint64_t)DATASET_MAX_FEATURES;
    case MODELFILE_SECTION_CONFIG: return MODELFILE_MAX_CONFIG;
    case MODELFILE_SECTION_PROGRESS: return 24;
    case MODELFILE_SECTION_TARGET: return 16;
    case MODELFILE_SECTION_KEPT: return 8;
    case MODELFILE_SECTION_MEANS: return 4 + 4 * (uint64_t)DATASET_MAX_FEATURES;
    case MODELFILE_SECTION_ACTIVATIONS: return 4 + 4 * (uint64_t)MODEL_MAX_HIDDEN;
    case MODELFILE_SECTION_LAST: return 16 + 8 * 11;
    default: return MODELFILE_MAX_BYTES;
    }
}

/* Parses one known section's payload. */
static ErrorCode parse_section(Ld *ld, uint32_t id, const uint8_t *p, size_t len, SavedModel *sm)
{
    Rd r = {p, p + len};
    ErrorCode rc = ERROR_NONE;
    switch (id) {
    case MODELFILE_SECTION_SHAPE: rc = load_shape(ld, &r, sm); break;
    case MODELFILE_SECTION_DATA: rc = load_data(ld, &r, sm); break;
    case MODELFILE_SECTION_NORMALIZER: rc = load_normalizer(ld, &r, sm); break;
    case MODELFILE_SECTION_CONFIG: rc = load_config(ld, &r, sm); break;
    case MODELFILE_SECTION_PARAMS: rc = load_params(ld, &r, sm); break;
    case MODELFILE_SECTION_OPTIMIZER: rc = load_optimizer(ld, &r, sm); break;
    case MODELFILE_SECTION_PROGRESS: rc = load_progress(ld, &r, sm); break;
    case MODELFILE_SECTION_TARGET: rc = load_target(ld, &r, sm); break;
    case MODELFILE_SECTION_KEPT: rc = load_kept(ld, &r, sm); break;
    case MODELFILE_SECTION_MEANS: rc = load_means(ld, &r, sm); break;
    case MODELFILE_SECTION_RESUME: rc = load_resume(ld, &r, sm); break;
    case MODELFILE_SECTION_ACTIVATIONS: rc = load_acts(ld, &r, sm); break;
    case MODELFILE_SECTION_LAST: rc = load_last(ld, &r, sm); break;
    }
    if (rc) return rc;
    if (rd_left(&r) != 0)
        return bad(ld, "%s section: unexpected bytes at its end", section_name(id));
    return ERROR_NONE;
}

/* Reads a section's payload into memory (known ids) and parses it, or
 * only runs it through the checksum (ids a later version added). */
static ErrorCode load_section(Ld *ld, int fd, const Section *sec, uint32_t *crc, SavedModel *sm)
{
    *crc = crc32c_update(*crc, sec->head, sizeof sec->head);
    bool known = sec->id >= 1 && sec->id <= MODELFILE_SECTION_LAST;
    if (!known) {
        uint8_t chunk[1 << 16];
        for (uint64_t done = 0; done < sec->len;) {
            size_t k = sec->len - done < sizeof chunk ? (size_t)(sec->len - done) : sizeof chunk;
            ErrorCode rc = read_at(ld, fd, sec->off + done, chunk, k, "unknown section");
            if (rc) return rc;
            *crc = crc32c_update(*crc, chunk, k);
            done += k;
        }
        return ERROR_NONE;
    }
    uint8_t *p = malloc(sec->len ? (size_t)sec->len : 1);
    if (!p) return error_set(ld->err, ERROR_RUNTIME, "%s: out of memory", ld->path);
    ErrorCode rc = read_at(ld, fd, sec->off, p, (size_t)sec->len, section_name(sec->id));
    if (!rc) {
        *crc = crc32c_update(*crc, p, (size_t)sec->len);
        /* the shape was parsed first, to bound the sections after it */
        if (sec->id != MODELFILE_SECTION_SHAPE)
            rc = parse_section(ld, sec->id, p, (size_t)sec->len, sm);
    }
    free(p);
    return rc;
}

/*
 * Reads and checks the file open on fd, of size bytes, in an order that
 * keeps a hostile file cheap: the header first (magic, version, section
 * count), then every section header, checking that the sections fill the
 * file exactly and that each is no larger than what it can hold, then the
 * shape (which bounds the weights), and only then the payloads.  A file
 * larger than its header declares, or a section larger than the model it
 * describes, is refused before its bulk is read or memory is taken for it.
 */
static ErrorCode load_fd(Ld *ld, int fd, uint64_t size, SavedModel *sm)
{
    uint8_t head[HEADER_BYTES];
    size_t got = 0;
    while (got < sizeof head) {
        ssize_t k = pread(fd, head + got, sizeof head - got, (off_t)got);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return error_set(ld->err, ERROR_RUNTIME, "%s: %s", ld->path, strerror(errno));
        if (k == 0) break;
        got += (size_t)k;
    }
    if (got < 8 || memcmp(head, MODELFILE_MAGIC "", 8) != 0)
        return bad(ld, "%s", "not a gradtop model file (bad magic)");
    if (got < HEADER_BYTES || size < HEADER_BYTES + TRAILER_BYTES)
        return bad(ld, "%s", "truncated header");
    uint32_t version = (uint32_t)bytes_get_le(head + 8, 4);
    if (version != MODELFILE_VERSION)
        return error_set(ld->err, ERROR_INPUT,
                         "%s: model format version %u is not supported (this gradtop reads %u)",
                         ld->path, version, MODELFILE_VERSION);
    uint32_t n_sections = (uint32_t)bytes_get_le(head + 12, 4);
    if (n_sections > MAX_SECTIONS) return bad(ld, "%s", "section count out of range");
    if (size > MODELFILE_MAX_BYTES) return bad(ld, "%s", "too large for a model file");

    Section secs[MAX_SECTIONS];
    bool seen[MODELFILE_SECTION_LAST + 1] = {false};
    const uint64_t end = size - TRAILER_BYTES; /* where the checksum starts */
    uint64_t off = HEADER_BYTES;
    for (uint32_t k = 0; k < n_sections; k++) {
        Section *sec = &secs[k];
        if (end - off < SECTION_HEAD_BYTES) return bad(ld, "%s", "truncated (section header)");
        ErrorCode rc = read_at(ld, fd, off, sec->head, SECTION_HEAD_BYTES, "section header");
        if (rc) return rc;
        sec->id = (uint32_t)bytes_get_le(sec->head, 4);
        sec->len = bytes_get_le(sec->head + 8, 8);
        sec->off = off + SECTION_HEAD_BYTES;
        if (bytes_get_le(sec->head + 4, 4) != 0)
            return bad(ld, "%s", "section header: reserved field not zero");
        if (sec->len > end - sec->off)
            return bad(ld, "%s section: truncated (size beyond the end of the file)",
                       section_name(sec->id));
        if (sec->len > section_cap(sec->id))
            return bad(ld, "%s section: %" PRIu64 " bytes, more than it can hold (%" PRIu64 ")",
                       section_name(sec->id), sec->len, section_cap(sec->id));
        if (sec->id >= 1 && sec->id <= MODELFILE_SECTION_LAST) {
            if (seen[sec->id]) return bad(ld, "%s section: appears twice", section_name(sec->id));
            seen[sec->id] = true;
        }
        off = sec->off + sec->len;
    }
    if (off != end)
        return bad(ld,
                   "%" PRIu64 " unexpected bytes after the last section (the file is %" PRIu64
                   " bytes, its %u sections declare %" PRIu64 ")",
                   end - off, size, n_sections, off + TRAILER_BYTES);
    for (uint32_t id = 1; id <= 5; id++)
        if (!seen[id]) return bad(ld, "%s section missing", section_name(id));

    /* The shape, then what it allows the weights and optimizer state. */
    size_t n_params = 0;
    for (uint32_t k = 0; k < n_sections; k++) {
        if (secs[k].id != MODELFILE_SECTION_SHAPE) continue;
        uint8_t buf[4 + 4 * (MODEL_MAX_LAYERS + 1) + 12];
        ErrorCode rc = read_at(ld, fd, secs[k].off, buf, (size_t)secs[k].len, "shape");
        if (!rc) rc = parse_section(ld, MODELFILE_SECTION_SHAPE, buf, (size_t)secs[k].len, sm);
        if (rc) return rc;
        n_params = params_for_shape(&sm->shape);
    }
    for (uint32_t k = 0; k < n_sections; k++) {
        uint64_t cap = secs[k].id == MODELFILE_SECTION_PARAMS      ? 8 + 4 * (uint64_t)n_params
                       : secs[k].id == MODELFILE_SECTION_OPTIMIZER ? 24 + 12 * (uint64_t)n_params
                                                                   : UINT64_MAX;
        if (secs[k].len > cap)
            return bad(ld,
                       "%s section: %" PRIu64 " bytes, more than the layer sizes need "
                       "(%zu parameters)",
                       section_name(secs[k].id), secs[k].len, n_params);
    }

    uint32_t crc = crc32c_update(0, head, sizeof head);
    for (uint32_t k = 0; k < n_sections; k++) {
        ErrorCode rc = load_section(ld, fd, &secs[k], &crc, sm);
        if (rc) return rc;
    }
    uint8_t trailer[TRAILER_BYTES];
    ErrorCode rc = read_at(ld, fd, end, trailer, sizeof trailer, "checksum");
    if (rc) return rc;
    if (crc != (uint32_t)bytes_get_le(trailer, 4))
        return bad(ld, "%s", "checksum mismatch (the file is damaged)");
    return check_consistent(ld, sm);
}

/* What a file that is not a regular file is, for the message. */
static const char *file_kind(mode_t mode)
{
    return S_ISDIR(mode)    ? "a directory"
           : S_ISFIFO(mode) ? "a named pipe"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISSOCK(mode) ? "a socket"
                            : "not a file";
}

ErrorCode modelfile_load(SavedModel *sm, const char *path, Error *err)
{
    memset(sm, 0, sizeof *sm);
    Ld ld = {path, err};
    /* O_NONBLOCK: opening a named pipe for reading would otherwise wait for
     * a writer, forever; it changes nothing for a regular file. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return error_set(err, error_code_of_open(errno), "%s: %s", path, strerror(errno));
    struct stat st;
    ErrorCode rc;
    if (fstat(fd, &st) != 0)
        rc = error_set(err, ERROR_INPUT, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc =
            error_set(err, ERROR_INPUT, "%s: not a regular file (%s)", path, file_kind(st.st_mode));
    else
        rc = load_fd(&ld, fd, (uint64_t)st.st_size, sm);
    close(fd);
    if (rc) modelfile_free(sm);
    return rc;
}

void modelfile_free(SavedModel *sm)
{
    if (!sm) return;
    if (sm->feature_names)
        for (int i = 0; i < sm->d; i++) free(sm->feature_names[i]);
    free(sm->feature_names);
    if (sm->class_names)
        for (int i = 0; i < sm->n_classes; i++) free(sm->class_names[i]);
    free(sm->class_names);
    free(sm->nz.shift);
    free(sm->nz.scale);
    free(sm->config_text);
    free(sm->params);
    free(sm->opt_state);
    free(sm->feature_mean);
    free(sm->state.perm);
    free(sm->state.best_params);
    memset(sm, 0, sizeof *sm);
}

ErrorCode modelfile_build_model(const SavedModel *sm, Model *m, int batch, Error *err)
{
    Rng rng;
    rng_seed(&rng, 0);
    ErrorCode rc = model_create(m, &sm->shape, batch, &rng, err);
    if (rc) return rc;
    if (m->n_params != sm->n_params) {
        model_free(m);
        return error_set(err, ERROR_INPUT, "saved model has %zu parameters, its shape %zu",
                         sm->n_params, m->n_params);
    }
    memcpy(m->params, sm->params, sm->n_params * sizeof(float));
    return ERROR_NONE;
}

/* Whether the model's feature names are those a loader makes up for a
 * source without names (x0, x1, ... for a CSV file without a header; px0,
 * px1, ... for IDX images): then they say nothing about a file's columns. */
static bool made_up_names(const SavedModel *sm)
{
    static const char *const prefixes[] = {"x", "px"};
    for (int p = 0; p < 2; p++) {
        bool all = true;
        for (int k = 0; k < sm->d && all; k++) {
            char want[32];
            snprintf(want, sizeof want, "%s%d", prefixes[p], k);
            all = strcmp(sm->feature_names[k], want) == 0;
        }
        if (all) return true;
    }
    return false;
}

ErrorCode modelfile_match_features(const SavedModel *sm, Dataset *ds, Error *err)
{
    if (!ds->header_line || !ds->feature_names || ds->d != sm->d || sm->d < 1) return ERROR_NONE;
    int d = sm->d;
    bool same = true;
    for (int k = 0; k < d && same; k++)
        same = strcmp(ds->feature_names[k], sm->feature_names[k]) == 0;
    if (same || made_up_names(sm)) return ERROR_NONE;
    int *from = malloc((size_t)d * sizeof *from);
    bool *used = calloc((size_t)d, sizeof *used);
    if (!from || !used) {
        free(from);
        free(used);
        return error_set(err, ERROR_RUNTIME, "%s: out of memory", ds->source);
    }
    int lacking = -1; /* the first model feature the file does not name */
    for (int k = 0; k < d; k++) {
        from[k] = -1;
        for (int j = 0; j < d && from[k] < 0; j++)
            if (!used[j] && strcmp(ds->feature_names[j], sm->feature_names[k]) == 0) {
                from[k] = j;
                used[j] = true;
            }
        if (from[k] < 0 && lacking < 0) lacking = k;
    }
    ErrorCode rc = ERROR_NONE;
    if (lacking < 0) {
        rc = dataset_reorder_features(ds, from, err);
    } else {
        int j = 0; /* the first of the file's columns the model does not know (or a repeat) */
        while (j < d && used[j]) j++;
        int col = ds->label_column >= 0 && j >= ds->label_column ? j + 2 : j + 1;
        bool repeat = false;
        for (int k = 0; k < d && !repeat; k++)
            repeat = strcmp(ds->feature_names[j], sm->feature_names[k]) == 0;
        char list[400] = "";
        size_t n = 0;
        for (int k = 0; k < d && n < sizeof list; k++) {
            int w = k == 8 && d > 9 ? snprintf(list + n, sizeof list - n, ", ...")
                                    : snprintf(list + n, sizeof list - n, "%s%s", k ? ", " : "",
                                               sm->feature_names[k]);
            if (w < 0 || k == 8) break;
            n += (size_t)w;
        }
        if (n >= sizeof list) strcpy(list + sizeof list - 4, "...");
        rc = error_set(err, ERROR_INPUT,
                       "%s:%zu:%d: column '%s' %s; the model expects '%s' (its features, "
                       "matched by name: %s)",
                       ds->source, ds->header_line, col, ds->feature_names[j],
                       repeat ? "repeats an earlier column" : "is not a feature of the model",
                       sm->feature_names[lacking], list);
    }
    free(from);
    free(used);
    return rc;
}

ErrorCode modelfile_prepare_dataset(const SavedModel *sm, Dataset *ds, Error *err)
{
    ErrorCode rc = modelfile_match_features(sm, ds, err);
    if (rc) return rc;
    /* one column short, its last taken as the label: most likely data
     * without its label column */
    if (ds->d + 1 == sm->d && ds->label_column >= 0 && strcmp(ds->label_name, sm->label_name) != 0)
        return error_set(err, ERROR_INPUT,
                         "%s: %d columns, but the model takes %d features and the label column "
                         "'%s', which the file seems to lack (eval needs it; predict does not)",
                         ds->source, ds->d + 1, sm->d, sm->label_name);
    if (ds->d != sm->d)
        return error_set(err, ERROR_INPUT,
                         "%s: %d feature columns, but the model was trained on %d (%s%s%s...)",
                         ds->source, ds->d, sm->d, sm->d > 0 ? sm->feature_names[0] : "",
                         sm->d > 1 ? ", " : "", sm->d > 1 ? sm->feature_names[1] : "");
    bool labeled = ds->label_column >= 0 && (ds->labels || ds->targets);
    if (labeled && ds->task != sm->task)
        return error_set(err, ERROR_INPUT, "%s: its label column '%s' is %s, but the model does %s",
                         ds->source, ds->label_name,
                         ds->task == TASK_REGRESSION ? "numeric" : "a class",
                         sm->task == TASK_REGRESSION ? "regression" : "classification");
    if (labeled && ds->task == TASK_CLASSIFICATION) {
        int map[DATASET_MAX_CLASSES];
        for (int c = 0; c < ds->n_classes; c++) {
            map[c] = -1;
            for (int k = 0; k < sm->n_classes; k++)
                if (strcmp(ds->class_names[c], sm->class_names[k]) == 0) map[c] = k;
            if (map[c] < 0) {
                size_t rows = 0, first = 0;
                for (size_t i = ds->n; i-- > 0;)
                    if (ds->labels[i] == c) {
                        rows++;
                        first = i;
                    }
                return error_set(err, ERROR_INPUT,
                                 "%s: class '%s' (%zu row%s, the first is data row %zu) is not "
                                 "one the model knows (it has %d: %s, ...)",
                                 ds->source, ds->class_names[c], rows, rows == 1 ? "" : "s",
                                 first + 1, sm->n_classes, sm->class_names[0]);
            }
        }
        for (size_t i = 0; i < ds->n; i++) ds->labels[i] = map[ds->labels[i]];
    }
    if (sm->nz.shift && sm->nz.d == ds->d) {
        normalizer_apply(&sm->nz, ds);
        /* A value far outside what the model was trained on, or a model
         * with an extreme normalizer, overflows a float here; the network
         * would turn the infinity into NaN outputs and a NaN loss.  (A
         * missing value stays NaN: never infinite.) */
        size_t d = (size_t)ds->d;
        for (size_t i = 0; i < ds->n * d; i++)
            if (isinf(ds->x[i])) {
                size_t j = i % d;
                return error_set(err, ERROR_INPUT,
                                 "%s: data row %zu, feature '%s': normalized with the model's "
                                 "statistics (shift %g, scale %g) it is beyond the range of a "
                                 "float; the model cannot score it",
                                 ds->source, i / d + 1, sm->feature_names[j],
                                 (double)sm->nz.shift[j], (double)sm->nz.scale[j]);
            }
    }
    if (labeled && ds->task == TASK_REGRESSION && sm->target_scale > 0) {
        for (size_t i = 0; i < ds->n; i++)
            ds->targets[i] = (float)((ds->targets[i] - sm->target_shift) * sm->target_scale);
        ds->target_shift = sm->target_shift;
        ds->target_scale = sm->target_scale;
    }
    return ERROR_NONE;
}
