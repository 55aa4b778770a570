/* tfevents.c - see tfevents.h for the format and its sources. */
#include "gradtop/io/tfevents.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gradtop/io/bytebuf.h"
#include "gradtop/io/crc32c.h"

/* Protobuf wire types (https://protobuf.dev/programming-guides/encoding/). */
enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_SGROUP = 3, WT_EGROUP = 4, WT_I32 = 5 };

/* TensorFlow DataType values (tensorboard/compat/proto/types.proto). */
enum { DT_FLOAT = 1, DT_DOUBLE = 2, DT_HALF = 19 };

/* api.proto DataType. */
enum { HP_DATA_TYPE_STRING = 1, HP_DATA_TYPE_BOOL = 2, HP_DATA_TYPE_FLOAT64 = 3 };

/* The tag of the HParams session end (tensorboard/plugins/hparams/metadata.py). */
#define SESSION_END_TAG "_hparams_/session_end_info"

/* ---- protobuf encoding ----------------------------------------------- */

static void pb_varint(ByteBuf *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    bytebuf_put(b, tmp, n);
}

static void pb_key(ByteBuf *b, uint32_t field, int wt)
{
    pb_varint(b, ((uint64_t)field << 3) | (uint64_t)wt);
}

static void pb_le(ByteBuf *b, uint64_t v, int bytes)
{
    uint8_t tmp[8];
    for (int i = 0; i < bytes; i++) tmp[i] = (uint8_t)(v >> (8 * i));
    bytebuf_put(b, tmp, (size_t)bytes);
}

static void pb_double(ByteBuf *b, uint32_t field, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, 8);
    pb_key(b, field, WT_I64);
    pb_le(b, bits, 8);
}

static void pb_float(ByteBuf *b, uint32_t field, float v)
{
    uint32_t bits;
    memcpy(&bits, &v, 4);
    pb_key(b, field, WT_I32);
    pb_le(b, bits, 4);
}

static void pb_bytes(ByteBuf *b, uint32_t field, const void *data, size_t n)
{
    pb_key(b, field, WT_LEN);
    pb_varint(b, n);
    bytebuf_put(b, data, n);
}

static void pb_string(ByteBuf *b, uint32_t field, const char *s)
{
    pb_bytes(b, field, s, strlen(s));
}

static void pb_message(ByteBuf *b, uint32_t field, const ByteBuf *m)
{
    if (m->oom) b->oom = true;
    pb_bytes(b, field, m->p, m->n);
}

/* An Event header: proto3 leaves out fields at their default (0), so a
 * zero step is not written; wall_time always is. */
static void pb_event_head(ByteBuf *b, double wall_time, int64_t step)
{
    pb_double(b, 1, wall_time);
    if (step != 0) {
        pb_key(b, 2, WT_VARINT);
        pb_varint(b, (uint64_t)step); /* int64: two's complement, 10 bytes if negative */
    }
}

static size_t pb_copy_out(ByteBuf *b, uint8_t *buf, size_t cap)
{
    size_t n = b->oom ? 0 : b->n;
    if (buf && cap) memcpy(buf, b->p, n < cap ? n : cap);
    bytebuf_free(b);
    return n;
}

static void encode_file_version(ByteBuf *b, double wall_time, const char *writer)
{
    pb_event_head(b, wall_time, 0);
    pb_string(b, 3, "brain.Event:2");
    if (writer && *writer) {
        ByteBuf meta = {0};
        pb_string(&meta, 1, writer);
        pb_message(b, 10, &meta);
        bytebuf_free(&meta);
    }
}

static void encode_scalar(ByteBuf *b, const char *tag, int64_t step, float value, double wall_time)
{
    ByteBuf val = {0}, sum = {0};
    pb_string(&val, 1, tag);
    pb_float(&val, 2, value);
    pb_message(&sum, 1, &val);
    pb_event_head(b, wall_time, step);
    pb_message(b, 5, &sum);
    bytebuf_free(&val);
    bytebuf_free(&sum);
}

size_t tfevents_encode_file_version(uint8_t *buf, size_t cap, double wall_time, const char *writer)
{
    ByteBuf b = {0};
    encode_file_version(&b, wall_time, writer);
    return pb_copy_out(&b, buf, cap);
}

size_t tfevents_encode_scalar(uint8_t *buf, size_t cap, const char *tag, int64_t step, float value,
                              double wall_time)
{
    ByteBuf b = {0};
    encode_scalar(&b, tag, step, value, wall_time);
    return pb_copy_out(&b, buf, cap);
}

void tfevents_frame_header(uint8_t out[12], uint64_t n)
{
    bytes_put_le(out, n, 8);
    bytes_put_le(out + 8, crc32c_mask(crc32c(out, 8)), 4);
}

void tfevents_frame_footer(uint8_t out[4], const void *data, size_t n)
{
    bytes_put_le(out, crc32c_mask(crc32c(data, n)), 4);
}

/* ---- writer ---------------------------------------------------------- */

struct TfeWriter {
    FILE *f;
    char path[4096];
    Error err;   /* the first failure; later calls return it */
    off_t good;  /* the file's length at the last flush that worked: whole records */
    off_t put;   /* the bytes of the records written so far, flushed or not */
    bool nosync; /* tfevents_set_sync(w, false): flushes do not fsync */
};

/* The first failure also cuts the file back to its last whole record (a
 * full disk may have taken part of a buffer) and drops what stdio still
 * holds, so that closing the file writes nothing more. */
static ErrorCode writer_fail(TfeWriter *w, Error *err, const char *what, int errnum)
{
    if (w->err.code == ERROR_NONE) {
        error_set(&w->err, ERROR_RUNTIME, "%s: %s: %s", w->path, what, strerror(errnum));
        __fpurge(w->f);
        if (ftruncate(fileno(w->f), w->good) == 0) fseeko(w->f, w->good, SEEK_SET);
    }
    if (err) *err = w->err;
    return w->err.code;
}

static ErrorCode writer_check(TfeWriter *w, Error *err)
{
    if (w->err.code != ERROR_NONE) {
        if (err) *err = w->err;
        return w->err.code;
    }
    return ERROR_NONE;
}

ErrorCode tfevents_write_record(TfeWriter *w, const void *data, size_t n, Error *err)
{
    if (writer_check(w, err)) return w->err.code;
    uint8_t head[12], foot[4];
    tfevents_frame_header(head, n);
    tfevents_frame_footer(foot, data, n);
    errno = 0;
    if (fwrite(head, 1, 12, w->f) != 12 || (n && fwrite(data, 1, n, w->f) != n) ||
        fwrite(foot, 1, 4, w->f) != 4)
        return writer_fail(w, err, "write failed", errno ? errno : EIO);
    w->put += (off_t)(12 + n + 4);
    return ERROR_NONE;
}

static ErrorCode write_pb(TfeWriter *w, ByteBuf *b, Error *err)
{
    ErrorCode rc;
    if (b->oom) {
        rc = writer_fail(w, err, "encoding event", ENOMEM);
    } else {
        rc = tfevents_write_record(w, b->p, b->n, err);
    }
    bytebuf_free(b);
    return rc;
}

ErrorCode tfevents_open(TfeWriter **out, const char *dir, double wall_time, const char *writer,
                        Error *err)
{
    *out = NULL;
    TfeWriter *w = calloc(1, sizeof *w);
    if (!w) return error_set(err, ERROR_RUNTIME, "%s: out of memory", dir);
    char host[256] = "localhost";
    if (gethostname(host, sizeof host - 1) != 0) strcpy(host, "localhost");
    host[sizeof host - 1] = '\0';
    for (char *c = host; *c; c++)
        if (*c == '/') *c = '_';
    /* Never replace an existing event file (a resumed run may start in the
     * same second): "x" refuses an existing name, and a suffix is added. */
    for (int k = 1;; k++) {
        int len = k == 1 ? snprintf(w->path, sizeof w->path, "%s/events.out.tfevents.%lld.%s", dir,
                                    (long long)wall_time, host)
                         : snprintf(w->path, sizeof w->path, "%s/events.out.tfevents.%lld.%s.%d",
                                    dir, (long long)wall_time, host, k);
        if (len < 0 || (size_t)len >= sizeof w->path) {
            free(w);
            return error_set(err, ERROR_RUNTIME, "%s: path too long", dir);
        }
        w->f = fopen(w->path, "wbx");
        if (w->f || errno != EEXIST || k == 1000) break;
    }
    if (!w->f) {
        ErrorCode rc = error_set(err, ERROR_RUNTIME, "%s: %s", w->path, strerror(errno));
        free(w);
        return rc;
    }
    ByteBuf b = {0};
    encode_file_version(&b, wall_time, writer);
    if (write_pb(w, &b, err) != ERROR_NONE) {
        fclose(w->f);
        free(w);
        return err ? err->code : ERROR_RUNTIME;
    }
    *out = w;
    return ERROR_NONE;
}

const char *tfevents_path(const TfeWriter *w)
{
    return w->path;
}

ErrorCode tfevents_write_scalar(TfeWriter *w, const char *tag, int64_t step, float value,
                                double wall_time, Error *err)
{
    ByteBuf b = {0};
    encode_scalar(&b, tag, step, value, wall_time);
    return write_pb(w, &b, err);
}

/* An Event holding one Summary.Value with tag and hparams plugin metadata
 * whose content is plugin_data (a serialized HParamsPluginData). */
static ErrorCode write_hparams_event(TfeWriter *w, const char *tag, const ByteBuf *plugin_data,
                                     double wall_time, Error *err)
{
    ByteBuf pd = {0}, meta = {0}, val = {0}, sum = {0}, ev = {0};
    pb_string(&pd, 1, "hparams");
    pb_message(&pd, 2, plugin_data);
    pb_message(&meta, 1, &pd);
    pb_string(&val, 1, tag);
    pb_message(&val, 9, &meta);
    pb_message(&sum, 1, &val);
    pb_event_head(&ev, wall_time, 0);
    pb_message(&ev, 5, &sum);
    bytebuf_free(&pd);
    bytebuf_free(&meta);
    bytebuf_free(&val);
    bytebuf_free(&sum);
    return write_pb(w, &ev, err);
}

ErrorCode tfevents_write_hparams_experiment(TfeWriter *w, const TfeHParam *hp, int n_hp,
                                            const TfeMetric *metrics, int n_metrics,
                                            double wall_time, Error *err)
{
    ByteBuf exp = {0}, data = {0};
    pb_double(&exp, 3, wall_time);
    for (int i = 0; i < n_hp; i++) {
        ByteBuf info = {0};
        pb_string(&info, 1, hp[i].name);
        int type = hp[i].type == TFE_HPARAM_NUMBER   ? HP_DATA_TYPE_FLOAT64
                   : hp[i].type == TFE_HPARAM_STRING ? HP_DATA_TYPE_STRING
                                                     : HP_DATA_TYPE_BOOL;
        pb_key(&info, 4, WT_VARINT);
        pb_varint(&info, (uint64_t)type);
        if (hp[i].domain) {
            ByteBuf list = {0};
            for (const char *const *v = hp[i].domain; *v; v++) {
                ByteBuf value = {0};
                pb_string(&value, 3, *v); /* google.protobuf.Value string_value */
                pb_message(&list, 1, &value);
                bytebuf_free(&value);
            }
            pb_message(&info, 5, &list);
            bytebuf_free(&list);
        }
        if (hp[i].differs) {
            pb_key(&info, 7, WT_VARINT);
            pb_varint(&info, 1);
        }
        pb_message(&exp, 4, &info);
        bytebuf_free(&info);
    }
    for (int i = 0; i < n_metrics; i++) {
        ByteBuf name = {0}, info = {0};
        pb_string(&name, 2, metrics[i].tag); /* group "" is the default: omitted */
        pb_message(&info, 1, &name);
        if (metrics[i].dataset != TFE_DATASET_UNKNOWN) {
            pb_key(&info, 5, WT_VARINT);
            pb_varint(&info, (uint64_t)metrics[i].dataset);
        }
        pb_message(&exp, 5, &info);
        bytebuf_free(&name);
        bytebuf_free(&info);
    }
    /* version = 0 is the proto3 default and is not written */
    pb_message(&data, 2, &exp);
    bytebuf_free(&exp);
    ErrorCode rc = write_hparams_event(w, "_hparams_/experiment", &data, wall_time, err);
    bytebuf_free(&data);
    return rc;
}

ErrorCode tfevents_write_hparams_start(TfeWriter *w, const TfeHParam *hp, int n_hp,
                                       const char *model_uri, double wall_time, Error *err)
{
    ByteBuf ssi = {0}, data = {0};
    for (int i = 0; i < n_hp; i++) {
        ByteBuf value = {0}, entry = {0};
        /* google.protobuf.Value's kind is a oneof: set members are written
         * even when they hold the default (0, "", false). */
        switch (hp[i].type) {
        case TFE_HPARAM_NUMBER: pb_double(&value, 2, hp[i].number); break;
        case TFE_HPARAM_STRING: pb_string(&value, 3, hp[i].string ? hp[i].string : ""); break;
        case TFE_HPARAM_BOOL:
            pb_key(&value, 4, WT_VARINT);
            pb_varint(&value, hp[i].boolean ? 1 : 0);
            break;
        }
        pb_string(&entry, 1, hp[i].name);
        pb_message(&entry, 2, &value);
        pb_message(&ssi, 1, &entry);
        bytebuf_free(&value);
        bytebuf_free(&entry);
    }
    if (model_uri && *model_uri) pb_string(&ssi, 2, model_uri);
    pb_double(&ssi, 5, wall_time);
    pb_message(&data, 3, &ssi);
    bytebuf_free(&ssi);
    ErrorCode rc = write_hparams_event(w, "_hparams_/session_start_info", &data, wall_time, err);
    bytebuf_free(&data);
    return rc;
}

ErrorCode tfevents_write_restart(TfeWriter *w, int64_t step, double wall_time, Error *err)
{
    ByteBuf log = {0}, ev = {0};
    pb_key(&log, 1, WT_VARINT);
    pb_varint(&log, 1); /* SessionLog.START */
    pb_event_head(&ev, wall_time, step);
    pb_message(&ev, 6, &log);
    bytebuf_free(&log);
    return write_pb(w, &ev, err);
}

ErrorCode tfevents_write_hparams_end(TfeWriter *w, TfeSessionStatus status, double wall_time,
                                     Error *err)
{
    ByteBuf sei = {0}, data = {0};
    if (status != TFE_STATUS_UNKNOWN) {
        pb_key(&sei, 1, WT_VARINT);
        pb_varint(&sei, (uint64_t)status);
    }
    pb_double(&sei, 2, wall_time);
    pb_message(&data, 4, &sei);
    bytebuf_free(&sei);
    ErrorCode rc = write_hparams_event(w, SESSION_END_TAG, &data, wall_time, err);
    bytebuf_free(&data);
    return rc;
}

ErrorCode tfevents_flush(TfeWriter *w, Error *err)
{
    if (writer_check(w, err)) return w->err.code;
    if (fflush(w->f) != 0) return writer_fail(w, err, "write failed", errno);
    if (!w->nosync && fsync(fileno(w->f)) != 0 && errno != EINVAL && errno != EROFS)
        return writer_fail(w, err, "fsync failed", errno);
    /* the file is this writer's from its first byte ("x"): its length is
     * what was put, without asking it (an lseek each epoch) */
    w->good = w->put;
    return ERROR_NONE;
}

void tfevents_set_sync(TfeWriter *w, bool sync)
{
    w->nosync = !sync;
}

ErrorCode tfevents_close(TfeWriter *w, Error *err)
{
    if (!w) return ERROR_NONE;
    tfevents_flush(w, NULL);
    if (fclose(w->f) != 0) writer_fail(w, NULL, "close failed", errno);
    ErrorCode rc = w->err.code;
    if (rc != ERROR_NONE && err) *err = w->err;
    free(w);
    return rc;
}

/* ---- protobuf decoding ----------------------------------------------- */

/* A bounded view of bytes being parsed.  Every read checks the bound, so
 * no input can make the parser read outside its record. */
typedef struct {
    const uint8_t *p, *end;
} PbIn;

static bool in_varint(PbIn *in, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (in->p >= in->end) return false;
        uint8_t c = *in->p++;
        if (shift == 63 && c > 1) return false; /* more than 64 bits */
        r |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = r;
            return true;
        }
    }
    return false;
}

static bool in_key(PbIn *in, uint32_t *field, int *wt)
{
    uint64_t k;
    if (!in_varint(in, &k)) return false;
    *wt = (int)(k & 7);
    uint64_t f = k >> 3;
    if (f == 0 || f > 0x1fffffff) return false; /* field numbers are 1 .. 2^29-1 */
    *field = (uint32_t)f;
    return true;
}

static bool in_fixed(PbIn *in, int bytes, uint64_t *v)
{
    if (in->end - in->p < bytes) return false;
    *v = bytes_get_le(in->p, bytes);
    in->p += bytes;
    return true;
}

static bool in_len(PbIn *in, PbIn *sub)
{
    uint64_t n;
    if (!in_varint(in, &n)) return false;
    if (n > (uint64_t)(in->end - in->p)) return false;
    sub->p = in->p;
    sub->end = in->p + n;
    in->p += n;
    return true;
}

#define PB_MAX_DEPTH 64

/* Skips one field's value of any wire type; groups are skipped up to their
 * matching end-group key, nested at most PB_MAX_DEPTH deep. */
static bool in_skip(PbIn *in, uint32_t field, int wt, int depth)
{
    uint64_t v;
    PbIn sub;
    switch (wt) {
    case WT_VARINT: return in_varint(in, &v);
    case WT_I64: return in_fixed(in, 8, &v);
    case WT_LEN: return in_len(in, &sub);
    case WT_I32: return in_fixed(in, 4, &v);
    case WT_SGROUP:
        if (depth >= PB_MAX_DEPTH) return false;
        for (;;) {
            uint32_t f;
            int w;
            if (!in_key(in, &f, &w)) return false;
            if (w == WT_EGROUP) return f == field;
            if (!in_skip(in, f, w, depth + 1)) return false;
        }
    default: return false; /* a stray end-group or wire types 6, 7 */
    }
}

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, e = (h >> 10) & 0x1f, m = h & 0x3ff, bits;
    if (e == 0) {
        if (m == 0) {
            bits = sign;
        } else { /* subnormal: normalise */
            int shift = 0;
            while (!(m & 0x400)) {
                m <<= 1;
                shift++;
            }
            m &= 0x3ff;
            bits = sign | ((uint32_t)(127 - 15 + 1 - shift) << 23) | (m << 13);
        }
    } else if (e == 31) {
        bits = sign | 0x7f800000u | (m << 13);
    } else {
        bits = sign | ((e - 15 + 127) << 23) | (m << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/* Counts the elements of a packed or single numeric field and keeps the
 * first.  kind: 4 (float), 8 (double) or 0 (varint, for half_val). */
static bool take_numbers(PbIn *in, int wt, int kind, size_t *count, uint64_t *first)
{
    uint64_t v;
    if (wt == WT_LEN) {
        PbIn sub;
        if (!in_len(in, &sub)) return false;
        while (sub.p < sub.end) {
            if (kind == 0 ? !in_varint(&sub, &v) : !in_fixed(&sub, kind, &v)) return false;
            if ((*count)++ == 0) *first = v;
        }
        return true;
    }
    int want = kind == 4 ? WT_I32 : kind == 8 ? WT_I64 : WT_VARINT;
    if (wt != want) return false;
    if (kind == 0 ? !in_varint(in, &v) : !in_fixed(in, kind, &v)) return false;
    if ((*count)++ == 0) *first = v;
    return true;
}

/* TensorShapeProto { repeated Dim dim = 2; bool unknown_rank = 3; }
 * Dim { int64 size = 1; string name = 2; }: one element iff every dim is 1. */
static bool parse_shape(PbIn in, bool *one)
{
    *one = true;
    while (in.p < in.end) {
        uint32_t f;
        int wt;
        if (!in_key(&in, &f, &wt)) return false;
        if (f == 2 && wt == WT_LEN) {
            PbIn dim;
            if (!in_len(&in, &dim)) return false;
            uint64_t size = 0;
            while (dim.p < dim.end) {
                uint32_t df;
                int dwt;
                if (!in_key(&dim, &df, &dwt)) return false;
                if (df == 1 && dwt == WT_VARINT) {
                    if (!in_varint(&dim, &size)) return false;
                } else if (!in_skip(&dim, df, dwt, 0)) {
                    return false;
                }
            }
            if (size != 1) *one = false;
        } else if (f == 3 && wt == WT_VARINT) {
            uint64_t v;
            if (!in_varint(&in, &v)) return false;
            if (v) *one = false;
        } else if (!in_skip(&in, f, wt, 0)) {
            return false;
        }
    }
    return true;
}

/* A TensorProto holding one float, double or half: *ok and *value. */
static bool parse_tensor(PbIn in, bool *ok, double *value)
{
    uint64_t dtype = 0, f_first = 0, d_first = 0, h_first = 0;
    size_t f_count = 0, d_count = 0, h_count = 0;
    PbIn content = {NULL, NULL};
    bool one = true;
    *ok = false;
    while (in.p < in.end) {
        uint32_t f;
        int wt;
        if (!in_key(&in, &f, &wt)) return false;
        if (f == 1 && wt == WT_VARINT) {
            if (!in_varint(&in, &dtype)) return false;
        } else if (f == 2 && wt == WT_LEN) {
            PbIn shape;
            if (!in_len(&in, &shape) || !parse_shape(shape, &one)) return false;
        } else if (f == 4 && wt == WT_LEN) {
            if (!in_len(&in, &content)) return false;
        } else if (f == 5 && (wt == WT_LEN || wt == WT_I32)) {
            if (!take_numbers(&in, wt, 4, &f_count, &f_first)) return false;
        } else if (f == 6 && (wt == WT_LEN || wt == WT_I64)) {
            if (!take_numbers(&in, wt, 8, &d_count, &d_first)) return false;
        } else if (f == 13 && (wt == WT_LEN || wt == WT_VARINT)) {
            if (!take_numbers(&in, wt, 0, &h_count, &h_first)) return false;
        } else if (!in_skip(&in, f, wt, 0)) {
            return false;
        }
    }
    if (!one) return true;
    size_t clen = content.p ? (size_t)(content.end - content.p) : 0;
    if (dtype == DT_FLOAT) {
        uint32_t bits;
        if (clen == 4)
            bits = (uint32_t)bytes_get_le(content.p, 4);
        else if (clen == 0 && f_count == 1)
            bits = (uint32_t)f_first;
        else
            return true;
        float v;
        memcpy(&v, &bits, 4);
        *value = v;
    } else if (dtype == DT_DOUBLE) {
        uint64_t bits;
        if (clen == 8)
            bits = bytes_get_le(content.p, 8);
        else if (clen == 0 && d_count == 1)
            bits = d_first;
        else
            return true;
        memcpy(value, &bits, 8);
    } else if (dtype == DT_HALF) {
        uint16_t h;
        if (clen == 2)
            h = (uint16_t)bytes_get_le(content.p, 2);
        else if (clen == 0 && h_count == 1)
            h = (uint16_t)h_first;
        else
            return true;
        *value = half_to_float(h);
    } else {
        return true;
    }
    *ok = true;
    return true;
}

/* ---- reader ---------------------------------------------------------- */

struct TfeReader {
    FILE *f;            /* a file, or NULL for memory */
    const uint8_t *mem; /* memory source */
    uint64_t mem_n;
    uint64_t offset; /* of the next record */
    bool stopped;    /* the framing broke: nothing more is read */
    bool partial;    /* the data ends inside a record */
    size_t warnings, records;
    uint64_t current; /* where the record last loaded starts */
    /* where the first record skipped or stopped at starts (damaged) */
    bool damaged;
    uint64_t first_damage;
    uint8_t *buf; /* the current record's data */
    size_t cap;
    /* the current event: its header and the Summary values not yet read */
    double wall_time;
    int64_t step;
    PbIn values;
    char writer[64]; /* the source_metadata's writer, "" until one is read */
    /* the base name of the HParams session start's model_uri, "" until
     * one is read */
    char model_file[64];
};

static void reader_init(TfeReader *r)
{
    r->values.p = r->values.end = NULL;
}

/* Counts a record skipped or stopped at, the one starting at `at`. */
static void reader_damage(TfeReader *r, uint64_t at)
{
    if (!r->damaged) r->first_damage = at;
    r->damaged = true;
    r->warnings++;
}

ErrorCode tfevents_reader_open(TfeReader **out, const char *path, Error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return error_set(err, ERROR_INPUT, "%s: %s", path, strerror(errno));
    TfeReader *r = calloc(1, sizeof *r);
    if (!r) {
        fclose(f);
        return error_set(err, ERROR_RUNTIME, "%s: out of memory", path);
    }
    reader_init(r);
    r->f = f;
    *out = r;
    return ERROR_NONE;
}

ErrorCode tfevents_reader_open_mem(TfeReader **out, const void *data, size_t n, Error *err)
{
    *out = NULL;
    TfeReader *r = calloc(1, sizeof *r);
    if (!r) return error_set(err, ERROR_RUNTIME, "out of memory");
    reader_init(r);
    r->mem = data;
    r->mem_n = n;
    *out = r;
    return ERROR_NONE;
}

void tfevents_reader_close(TfeReader *r)
{
    if (!r) return;
    if (r->f) fclose(r->f);
    free(r->buf);
    free(r);
}

size_t tfevents_reader_warnings(const TfeReader *r)
{
    return r->warnings + (r->partial ? 1 : 0);
}

bool tfevents_reader_first_damage(const TfeReader *r, uint64_t *at)
{
    *at = r->damaged ? r->first_damage : 0;
    return r->damaged;
}

size_t tfevents_reader_records(const TfeReader *r)
{
    return r->records;
}

const char *tfevents_reader_writer(const TfeReader *r)
{
    return r->writer;
}

const char *tfevents_reader_model_file(const TfeReader *r)
{
    return r->model_file;
}

uint64_t tfevents_reader_offset(const TfeReader *r)
{
    return r->offset;
}

/* Bytes available from the source in total (a file may have grown). */
static uint64_t source_size(TfeReader *r)
{
    if (!r->f) return r->mem_n;
    struct stat st;
    if (fstat(fileno(r->f), &st) != 0 || st.st_size < 0) return 0;
    return (uint64_t)st.st_size;
}

static bool source_read(TfeReader *r, uint64_t off, void *dst, size_t n)
{
    if (!r->f) {
        if (off > r->mem_n || n > r->mem_n - off) return false;
        memcpy(dst, r->mem + off, n);
        return true;
    }
    if (off > (uint64_t)LLONG_MAX || fseeko(r->f, (off_t)off, SEEK_SET) != 0) return false;
    clearerr(r->f);
    return fread(dst, 1, n, r->f) == n;
}

/* A string field's bytes into out, cut to cap - 1 bytes. */
static void copy_string(PbIn s, char *out, size_t cap)
{
    size_t n = (size_t)(s.end - s.p);
    if (n >= cap) n = cap - 1;
    memcpy(out, s.p, n);
    out[n] = '\0';
}

/* SourceMetadata { string writer = 1; }: its writer into out (cut to
 * cap - 1 bytes: a name that long is nobody's this reader knows). */
static bool parse_source_metadata(PbIn in, char *out, size_t cap)
{
    while (in.p < in.end) {
        uint32_t f;
        int wt;
        if (!in_key(&in, &f, &wt)) return false;
        if (f == 1 && wt == WT_LEN) {
            PbIn name;
            if (!in_len(&in, &name)) return false;
            copy_string(name, out, cap);
        } else if (!in_skip(&in, f, wt, 0)) {
            return false;
        }
    }
    return true;
}

/* The message of field `field` (the last one) in in; false when in has
 * none or is malformed. */
static bool find_message(PbIn in, uint32_t field, PbIn *out)
{
    bool found = false;
    while (in.p < in.end) {
        uint32_t f;
        int wt;
        if (!in_key(&in, &f, &wt)) return false;
        if (f == field && wt == WT_LEN) {
            if (!in_len(&in, out)) return false;
            found = true;
        } else if (!in_skip(&in, f, wt, 0)) {
            return false;
        }
    }
    return found;
}

/* A Summary value's SummaryMetadata: when it is the HParams plugin's
 * session start, the base name of its model_uri (SessionStartInfo's
 * field 2) into out.  Anything else, or malformed, is left alone: the
 * value is skipped as before. */
static void parse_hparams_start(PbIn meta, char *out, size_t cap)
{
    PbIn plugin, name = {NULL, NULL}, content = {NULL, NULL}, start, uri;
    if (!find_message(meta, 1, &plugin)) return;
    while (plugin.p < plugin.end) {
        uint32_t f;
        int wt;
        if (!in_key(&plugin, &f, &wt)) return;
        if (f == 1 && wt == WT_LEN) {
            if (!in_len(&plugin, &name)) return;
        } else if (f == 2 && wt == WT_LEN) {
            if (!in_len(&plugin, &content)) return;
        } else if (!in_skip(&plugin, f, wt, 0)) {
            return;
        }
    }
    static const char hparams[] = "hparams";
    if (!name.p || (size_t)(name.end - name.p) != sizeof hparams - 1 ||
        memcmp(name.p, hparams, sizeof hparams - 1) != 0 || !content.p)
        return;
    if (!find_message(content, 3, &start) || !find_message(start, 2, &uri)) return;
    for (const uint8_t *q = uri.p; q < uri.end; q++)
        if (*q == '/') uri.p = q + 1;
    copy_string(uri, out, cap);
}

/* Parses the current record as an Event: keeps wall_time and step and
 * points values at its Summary's bytes.  false: malformed. */
static bool parse_event(TfeReader *r, size_t n)
{
    PbIn in = {r->buf, r->buf + n};
    r->wall_time = 0;
    r->step = 0;
    r->values.p = r->values.end = NULL;
    while (in.p < in.end) {
        uint32_t f;
        int wt;
        if (!in_key(&in, &f, &wt)) return false;
        uint64_t v;
        if (f == 1 && wt == WT_I64) {
            if (!in_fixed(&in, 8, &v)) return false;
            memcpy(&r->wall_time, &v, 8);
        } else if (f == 2 && wt == WT_VARINT) {
            if (!in_varint(&in, &v)) return false;
            r->step = (int64_t)v;
        } else if (f == 5 && wt == WT_LEN) {
            /* a repeated message field may in principle arrive in several
             * pieces; events carry one, and the last one is kept */
            if (!in_len(&in, &r->values)) return false;
        } else if (f == 10 && wt == WT_LEN) {
            PbIn meta;
            if (!in_len(&in, &meta) || !parse_source_metadata(meta, r->writer, sizeof r->writer))
                return false;
        } else if (!in_skip(&in, f, wt, 0)) {
            return false;
        }
    }
    return true;
}

/* Loads the next whole record into r->buf.  false at the end of the data
 * (or when stopped). */
static bool reader_load(TfeReader *r, size_t *n_out)
{
    for (;;) {
        if (r->stopped) return false;
        uint64_t size = source_size(r);
        r->partial = false;
        if (r->offset >= size) return false;
        if (size - r->offset < 12) {
            r->partial = true;
            return false;
        }
        uint8_t head[12];
        if (!source_read(r, r->offset, head, 12)) {
            r->partial = true;
            return false;
        }
        uint64_t len = bytes_get_le(head, 8);
        if (crc32c_mask(crc32c(head, 8)) != (uint32_t)bytes_get_le(head + 8, 4) ||
            len > TFEVENTS_MAX_RECORD) {
            reader_damage(r, r->offset);
            r->stopped = true;
            return false;
        }
        if (size - r->offset - 12 < len + 4) {
            r->partial = true;
            return false;
        }
        if (len + 4 > r->cap) {
            size_t cap = (size_t)len + 4;
            uint8_t *p = realloc(r->buf, cap);
            if (!p) {
                reader_damage(r, r->offset);
                r->stopped = true;
                return false;
            }
            r->buf = p;
            r->cap = cap;
        }
        if (!source_read(r, r->offset + 12, r->buf, (size_t)len + 4)) {
            r->partial = true;
            return false;
        }
        r->current = r->offset;
        r->offset += 12 + len + 4;
        if (crc32c_mask(crc32c(r->buf, (size_t)len)) != (uint32_t)bytes_get_le(r->buf + len, 4)) {
            reader_damage(r, r->current); /* the length was sound: skip just this record */
            continue;
        }
        r->records++;
        *n_out = (size_t)len;
        return true;
    }
}

/* The next scalar among the current event's Summary values.  Returns 1 with
 * *s filled, 0 when none is left, -1 on malformed data. */
static int next_value(TfeReader *r, TfeScalar *s)
{
    while (r->values.p && r->values.p < r->values.end) {
        uint32_t f;
        int wt;
        if (!in_key(&r->values, &f, &wt)) return -1;
        if (f != 1 || wt != WT_LEN) {
            if (!in_skip(&r->values, f, wt, 0)) return -1;
            continue;
        }
        PbIn val;
        if (!in_len(&r->values, &val)) return -1;
        PbIn tag = {NULL, NULL};
        bool have = false;
        double value = 0;
        while (val.p < val.end) {
            uint32_t vf;
            int vwt;
            if (!in_key(&val, &vf, &vwt)) return -1;
            uint64_t v;
            if (vf == 1 && vwt == WT_LEN) {
                if (!in_len(&val, &tag)) return -1;
            } else if (vf == 9 && vwt == WT_LEN) {
                PbIn meta;
                if (!in_len(&val, &meta)) return -1;
                parse_hparams_start(meta, r->model_file, sizeof r->model_file);
            } else if (vf == 2 && vwt == WT_I32) {
                if (!in_fixed(&val, 4, &v)) return -1;
                uint32_t bits = (uint32_t)v;
                float fv;
                memcpy(&fv, &bits, 4);
                value = fv;
                have = true;
            } else if (vf == 8 && vwt == WT_LEN) {
                PbIn t;
                bool ok;
                double tv;
                if (!in_len(&val, &t) || !parse_tensor(t, &ok, &tv)) return -1;
                if (ok) {
                    value = tv;
                    have = true;
                } else {
                    have = false;
                }
            } else if (!in_skip(&val, vf, vwt, 0)) {
                return -1;
            }
        }
        if (!have) continue;
        size_t tlen = tag.p ? (size_t)(tag.end - tag.p) : 0;
        if (tlen >= sizeof s->tag) {
            reader_damage(r, r->current);
            continue;
        }
        if (tlen) memcpy(s->tag, tag.p, tlen);
        s->tag[tlen] = '\0';
        s->step = r->step;
        s->wall_time = r->wall_time;
        s->value = value;
        return 1;
    }
    return 0;
}

bool tfevents_reader_next(TfeReader *r, TfeScalar *s)
{
    for (;;) {
        int got = next_value(r, s);
        if (got > 0) return true;
        if (got < 0) reader_damage(r, r->current);
        r->values.p = r->values.end = NULL;
        size_t n;
        if (!reader_load(r, &n)) return false;
        if (!parse_event(r, n)) {
            reader_damage(r, r->current);
            r->values.p = r->values.end = NULL;
        }
    }
}

/* Whether a Summary value of the current event has a tag that begins
 * with prefix (false too on malformed data). */
static bool event_has_tag(const TfeReader *r, const char *prefix)
{
    size_t pl = strlen(prefix);
    PbIn in = r->values;
    while (in.p && in.p < in.end) {
        uint32_t f;
        int wt;
        if (!in_key(&in, &f, &wt)) return false;
        if (f != 1 || wt != WT_LEN) {
            if (!in_skip(&in, f, wt, 0)) return false;
            continue;
        }
        PbIn val;
        if (!in_len(&in, &val)) return false;
        while (val.p < val.end) {
            uint32_t vf;
            int vwt;
            if (!in_key(&val, &vf, &vwt)) return false;
            if (vf == 1 && vwt == WT_LEN) {
                PbIn tag;
                if (!in_len(&val, &tag)) return false;
                if ((size_t)(tag.end - tag.p) >= pl && memcmp(tag.p, prefix, pl) == 0) return true;
            } else if (!in_skip(&val, vf, vwt, 0)) {
                return false;
            }
        }
    }
    return false;
}

ErrorCode tfevents_cut(const char *path, int64_t max_step, const char *end_prefix, size_t *kept,
                       size_t *removed, Error *err)
{
    *kept = *removed = 0;
    TfeReader *r;
    ErrorCode rc = tfevents_reader_open(&r, path, err);
    if (rc) {
        if (err) err->code = ERROR_RUNTIME; /* the file was there: reading it failed */
        return ERROR_RUNTIME;
    }
    uint64_t cut = 0; /* the end of the last record kept */
    bool cutting = false;
    size_t n;
    for (;;) {
        uint64_t start = r->offset;
        size_t skipped = r->warnings;
        if (!reader_load(r, &n)) break;
        /* a record whose CRC failed was skipped: the file is cut there too */
        if (r->warnings != skipped && !cutting) {
            cut = start;
            cutting = true;
        }
        bool parsed = parse_event(r, n);
        /* the session's end: one that goes on has not ended */
        bool end = parsed && ((end_prefix && event_has_tag(r, end_prefix)) ||
                              event_has_tag(r, SESSION_END_TAG));
        if (!cutting && (!parsed || r->step > max_step || end)) cutting = true;
        if (cutting) {
            (*removed)++;
            continue;
        }
        cut = r->offset;
        TfeScalar s;
        while (next_value(r, &s) > 0) (*kept)++;
        r->values.p = r->values.end = NULL;
    }
    /* an incomplete or unreadable tail goes too */
    if (!cutting && (r->partial || r->stopped)) cutting = true;
    uint64_t size = source_size(r);
    tfevents_reader_close(r);
    if (cutting && cut < size && truncate(path, (off_t)cut) != 0)
        return error_set(err, ERROR_RUNTIME, "%s: %s", path, strerror(errno));
    return ERROR_NONE;
}
