/* test_tfevents.c - CRC-32C, TFRecord framing, Event encoding, the writer
 * and the reader (round trip, truncation, corruption, garbage). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gradtop/io/bytebuf.h"
#include "gradtop/io/crc32c.h"
#include "gradtop/core/rng.h"
#include "gradtop/io/tfevents.h"

/* ---- helpers --------------------------------------------------------- */

static char *make_tmpdir(void)
{
    char tmpl[] = "/tmp/gradtop-tfe-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[4096];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return buf;
}

/* Writes the events file: file_version, then n scalars "loss" and "acc"
 * alternating, step i, value i / 4. */
static char *write_sample(const char *dir, int n)
{
    TfeWriter *w;
    Error err = {0};
    assert_int_equal(tfevents_open(&w, dir, 1700000000.25, NULL, &err), ERROR_NONE);
    for (int i = 0; i < n; i++)
        assert_int_equal(tfevents_write_scalar(w, i % 2 ? "acc" : "loss", i, (float)i / 4,
                                               1700000000.5 + i, &err),
                         ERROR_NONE);
    char *path = strdup(tfevents_path(w));
    assert_int_equal(tfevents_close(w, &err), ERROR_NONE);
    return path;
}

static size_t read_all_mem(const uint8_t *data, size_t n, TfeScalar *out, size_t cap,
                           size_t *warnings)
{
    TfeReader *r;
    Error err = {0};
    assert_int_equal(tfevents_reader_open_mem(&r, data, n, &err), ERROR_NONE);
    size_t k = 0;
    TfeScalar s;
    while (tfevents_reader_next(r, &s)) {
        if (k < cap) out[k] = s;
        k++;
    }
    if (warnings) *warnings = tfevents_reader_warnings(r);
    tfevents_reader_close(r);
    return k;
}

/* ---- CRC ------------------------------------------------------------- */

static void crc32c_matches_known_vectors(void **state)
{
    (void)state;
    uint8_t zeros[32] = {0}, ones[32], inc[32];
    memset(ones, 0xff, sizeof ones);
    for (int i = 0; i < 32; i++) inc[i] = (uint8_t)i;
    assert_int_equal(crc32c("", 0), 0);
    assert_int_equal(crc32c("123456789", 9), 0xE3069283u);
    /* RFC 3720 (iSCSI) appendix B.4 test vectors */
    assert_int_equal(crc32c(zeros, 32), 0x8A9136AAu);
    assert_int_equal(crc32c(ones, 32), 0x62A8AB43u);
    assert_int_equal(crc32c(inc, 32), 0x46DD794Eu);
}

static void crc32c_update_chains_at_every_split(void **state)
{
    (void)state;
    uint8_t buf[100];
    for (int i = 0; i < 100; i++) buf[i] = (uint8_t)(i * 37 + 11);
    uint32_t whole = crc32c(buf, sizeof buf);
    /* a bytewise reference: the slice-by-8 path must agree on odd lengths */
    uint32_t c = ~0u;
    for (int i = 0; i < 100; i++) {
        c ^= buf[i];
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    assert_int_equal(whole, ~c);
    for (size_t cut = 0; cut <= sizeof buf; cut++)
        assert_int_equal(crc32c_update(crc32c(buf, cut), buf + cut, sizeof buf - cut), whole);
}

/* The instruction's CRC (crc32c_update with SSE 4.2) is the tables', at
 * every length and alignment of 4 KiB of varied bytes, from varied
 * starting CRCs. */
static void crc32c_instruction_and_tables_agree(void **state)
{
    (void)state;
    static uint8_t buf[4096 + 8];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    for (size_t off = 0; off < 8; off++)
        for (size_t n = 0; n <= 4096; n += n < 64 ? 1 : 61) {
            uint32_t start = (uint32_t)(off * 0x9E3779B9u + n);
            uint32_t a = crc32c_update(start, buf + off, n);
            uint32_t b = crc32c_update_tables(start, buf + off, n);
            if (a != b)
                fail_msg("offset %zu, %zu bytes: %08x against the tables' %08x", off, n, a, b);
        }
}

static void masked_crc_follows_tensorflow(void **state)
{
    (void)state;
    uint32_t crc = 0xE3069283u;
    uint32_t want = ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    assert_int_equal(crc32c_mask(crc), want);
    assert_int_equal(crc32c_unmask(crc32c_mask(crc)), crc);
    assert_int_equal(crc32c_mask(0), 0xa282ead8u);
}

/* ---- encoding -------------------------------------------------------- */

static void scalar_event_is_encoded_byte_exactly(void **state)
{
    (void)state;
    /* Event{wall_time 1.5, step 3, summary{value{tag "loss", simple_value 0.5}}}
     * by hand from https://protobuf.dev/programming-guides/encoding/:
     *   09 <1.5 as LE double>       field 1, wire type 1
     *   10 03                       field 2, varint 3
     *   2A 0D                       field 5, length 13
     *     0A 0B                     Summary.value (field 1), length 11
     *       0A 04 6C 6F 73 73       tag "loss"
     *       15 00 00 00 3F          simple_value (field 2, fixed32) 0.5f */
    static const uint8_t want[] = {0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF8, 0x3F,
                                   0x10, 0x03, 0x2A, 0x0D, 0x0A, 0x0B, 0x0A, 0x04, 0x6C,
                                   0x6F, 0x73, 0x73, 0x15, 0x00, 0x00, 0x00, 0x3F};
    uint8_t buf[64];
    size_t n = tfevents_encode_scalar(buf, sizeof buf, "loss", 3, 0.5f, 1.5);
    assert_int_equal(n, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
    /* like snprintf: the size is reported even without room */
    assert_int_equal(tfevents_encode_scalar(NULL, 0, "loss", 3, 0.5f, 1.5), sizeof want);
}

static void step_zero_is_omitted_and_large_steps_are_varints(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t n = tfevents_encode_scalar(buf, sizeof buf, "a", 0, 1.0f, 2.0);
    /* 9 bytes wall_time, no step, 2A 07 0A 05 0A 01 61 15 <4> */
    assert_int_equal(n, 9 + 2 + 2 + 3 + 5);
    assert_int_equal(buf[9], 0x2A);
    n = tfevents_encode_scalar(buf, sizeof buf, "a", 300, 1.0f, 2.0);
    assert_int_equal(buf[9], 0x10);
    assert_int_equal(buf[10], 0xAC); /* 300 = 0b10_0101100 -> AC 02 */
    assert_int_equal(buf[11], 0x02);
    assert_int_equal(n, 9 + 3 + 2 + 2 + 3 + 5);
}

static void file_version_event_is_encoded_byte_exactly(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t n = tfevents_encode_file_version(buf, sizeof buf, 1.5, NULL);
    static const char ver[] = "brain.Event:2";
    assert_int_equal(n, 9 + 2 + 13);
    assert_int_equal(buf[0], 0x09);
    assert_int_equal(buf[9], 0x1A); /* field 3, wire type 2 */
    assert_int_equal(buf[10], 13);
    assert_memory_equal(buf + 11, ver, 13);
}

/* Opens the event file at path, which holds one scalar, "loss", and reads
 * it: before, the reader knows neither writer nor model file; after, no
 * record was skipped.  The caller closes the reader. */
static TfeReader *read_the_loss(const char *path)
{
    TfeReader *r;
    Error err = {0};
    assert_int_equal(tfevents_reader_open(&r, path, &err), ERROR_NONE);
    assert_string_equal(tfevents_reader_writer(r), "");
    assert_string_equal(tfevents_reader_model_file(r), "");
    TfeScalar sc;
    assert_true(tfevents_reader_next(r, &sc));
    assert_string_equal(sc.tag, "loss");
    assert_false(tfevents_reader_next(r, &sc));
    assert_int_equal(tfevents_reader_warnings(r), 0);
    return r;
}

/* The first event names its writer as event.proto's source_metadata
 * (field 10, SourceMetadata.writer field 1), and the reader reports it:
 * how a gradtop run's event file is known for one whose steps are epochs.
 * Without a writer the event is as before, and the reader reports none. */
static void the_first_event_names_its_writer_and_the_reader_reports_it(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t n = tfevents_encode_file_version(buf, sizeof buf, 1.5, "gradtop");
    assert_int_equal(n, 9 + 2 + 13 + 2 + 2 + 7);
    assert_int_equal(buf[24], 0x52); /* field 10, wire type 2 */
    assert_int_equal(buf[25], 9);
    assert_int_equal(buf[26], 0x0A); /* writer: field 1, wire type 2 */
    assert_int_equal(buf[27], 7);
    assert_memory_equal(buf + 28, "gradtop", 7);

    char *dir = make_tmpdir();
    for (int named = 0; named < 2; named++) {
        TfeWriter *w;
        Error err = {0};
        assert_int_equal(
            tfevents_open(&w, dir, 1700000000.0 + named, named ? "gradtop" : NULL, &err),
            ERROR_NONE);
        assert_int_equal(tfevents_write_scalar(w, "loss", 1, 0.5f, 1700000001.0, &err), ERROR_NONE);
        char *path = strdup(tfevents_path(w));
        assert_int_equal(tfevents_close(w, &err), ERROR_NONE);
        TfeReader *r = read_the_loss(path);
        assert_string_equal(tfevents_reader_writer(r), named ? "gradtop" : "");
        tfevents_reader_close(r);
        free(path);
    }
    remove_tree(dir);
    free(dir);
}

/* appends a length-delimited field (a length below 128) */
static size_t put_field(uint8_t *out, size_t n, uint8_t key, const void *data, size_t len)
{
    assert_true(len < 128);
    out[n++] = key;
    out[n++] = (uint8_t)len;
    memcpy(out + n, data, len);
    return n + len;
}

/* The model file the reader reports for one event whose Summary value's
 * metadata names plugin and holds a SessionStartInfo with model_uri
 * "runs/x/model.gtm" (static storage). */
static const char *plugin_model_file(const char *plugin)
{
    static const char start[] = "\x1a\x12\x12\x10runs/x/model.gtm"; /* 3 { 2: uri } */
    uint8_t pd[64], meta[80], val[96], sum[112], ev[128], file[160];
    size_t npd = put_field(pd, 0, 0x0a, plugin, strlen(plugin)); /* plugin_name */
    npd = put_field(pd, npd, 0x12, start, sizeof start - 1);     /* content */
    size_t nmeta = put_field(meta, 0, 0x0a, pd, npd);            /* plugin_data */
    size_t nval = put_field(val, 0, 0x0a, "x", 1);               /* tag */
    nval = put_field(val, nval, 0x4a, meta, nmeta);              /* metadata */
    size_t nsum = put_field(sum, 0, 0x0a, val, nval);            /* value */
    size_t n = put_field(ev, 0, 0x2a, sum, nsum);                /* summary */
    tfevents_frame_header(file, n);
    memcpy(file + 12, ev, n);
    tfevents_frame_footer(file + 12 + n, ev, n);
    TfeReader *r;
    Error err = {0};
    assert_int_equal(tfevents_reader_open_mem(&r, file, 12 + n + 4, &err), ERROR_NONE);
    TfeScalar sc;
    assert_false(tfevents_reader_next(r, &sc));
    assert_int_equal(tfevents_reader_records(r), 1);
    assert_int_equal(tfevents_reader_warnings(r), 0);
    static char got[64];
    snprintf(got, sizeof got, "%s", tfevents_reader_model_file(r));
    tfevents_reader_close(r);
    return got;
}

/* The HParams session start's model_uri is reported by its base name (a
 * gradtop run's "model.gtm", how gradtop's event files from before they
 * named their writer are told); a file without one reports "", and so
 * does a value of another plugin whose content has the same shape. */
static void the_session_starts_model_file_is_reported(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    const char *uris[3] = {"/abs/runs/x/model.gtm", "model.pt", NULL};
    const char *want[3] = {"model.gtm", "model.pt", ""};
    for (int k = 0; k < 3; k++) {
        TfeWriter *w;
        Error err = {0};
        assert_int_equal(tfevents_open(&w, dir, 100.0 + k, NULL, &err), ERROR_NONE);
        TfeHParam hp[1] = {{.name = "lr", .type = TFE_HPARAM_NUMBER, .number = 0.01}};
        if (uris[k])
            assert_int_equal(tfevents_write_hparams_start(w, hp, 1, uris[k], 100.0, &err), 0);
        assert_int_equal(tfevents_write_scalar(w, "loss", 1, 0.5f, 101.0, &err), ERROR_NONE);
        char *path = strdup(tfevents_path(w));
        assert_int_equal(tfevents_close(w, &err), ERROR_NONE);
        TfeReader *r = read_the_loss(path);
        assert_string_equal(tfevents_reader_model_file(r), want[k]);
        tfevents_reader_close(r);
        free(path);
    }

    /* the same SessionStartInfo under another plugin's name: not read
     * (under the hparams plugin's, the same bytes are) */
    assert_string_equal(plugin_model_file("hparams"), "model.gtm");
    assert_string_equal(plugin_model_file("images"), "");
    remove_tree(dir);
    free(dir);
}

static void record_frame_has_length_and_masked_crcs(void **state)
{
    (void)state;
    uint8_t head[12], foot[4];
    tfevents_frame_header(head, 26);
    assert_int_equal(head[0], 26);
    for (int i = 1; i < 8; i++) assert_int_equal(head[i], 0);
    uint32_t lc = crc32c_mask(crc32c(head, 8));
    assert_int_equal(head[8] | head[9] << 8 | head[10] << 16 | (uint32_t)head[11] << 24, lc);
    tfevents_frame_footer(foot, "123456789", 9);
    uint32_t dc = crc32c_mask(0xE3069283u);
    assert_int_equal(foot[0] | foot[1] << 8 | foot[2] << 16 | (uint32_t)foot[3] << 24, dc);
}

/* ---- writer + reader ------------------------------------------------- */

static void written_file_starts_with_brain_event_2(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char *path = write_sample(dir, 0);
    assert_non_null(strstr(path, "/events.out.tfevents.1700000000."));
    size_t n;
    uint8_t *data = slurp(path, &n);
    uint8_t want[64];
    size_t len = tfevents_encode_file_version(want, sizeof want, 1700000000.25, NULL);
    assert_int_equal(n, 12 + len + 4);
    assert_memory_equal(data + 12, want, len);
    free(data);
    free(path);
    remove_tree(dir);
    free(dir);
}

static void write_then_read_gives_the_same_scalars(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char *path = write_sample(dir, 50);
    TfeReader *r;
    Error err = {0};
    assert_int_equal(tfevents_reader_open(&r, path, &err), ERROR_NONE);
    TfeScalar s;
    int i = 0;
    while (tfevents_reader_next(r, &s)) {
        assert_string_equal(s.tag, i % 2 ? "acc" : "loss");
        assert_int_equal(s.step, i);
        assert_true(s.value == (float)i / 4);
        assert_true(s.wall_time == 1700000000.5 + i);
        i++;
    }
    assert_int_equal(i, 50);
    assert_int_equal(tfevents_reader_warnings(r), 0);
    assert_int_equal(tfevents_reader_records(r), 51);
    tfevents_reader_close(r);
    free(path);
    remove_tree(dir);
    free(dir);
}

/* A full disk (a file size limit stands in for it: a write that crosses
 * it is cut short, the next one fails, SIGXFSZ ignored) takes part of an
 * epoch's records: the file is cut back to its length at the last flush
 * that worked, whole records that read back without a warning, and the
 * writer takes nothing more. */
static void a_flush_the_disk_takes_part_of_is_cut_back_to_whole_records(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    TfeWriter *w;
    Error err = {0};
    assert_int_equal(tfevents_open(&w, dir, 1700000000.25, NULL, &err), ERROR_NONE);
    for (int epoch = 0; epoch < 3; epoch++) {
        for (int i = 0; i < 5; i++)
            assert_int_equal(
                tfevents_write_scalar(w, "loss", epoch * 5 + i, 0.5f, 1700000001.0, &err),
                ERROR_NONE);
        assert_int_equal(tfevents_flush(w, &err), ERROR_NONE);
    }
    char *path = strdup(tfevents_path(w));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    off_t whole = st.st_size;
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit saved, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    lim = (struct rlimit){(rlim_t)whole + 30, saved.rlim_max};
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    for (int i = 0; i < 5; i++) tfevents_write_scalar(w, "loss", 15 + i, 0.5f, 1700000002.0, &err);
    ErrorCode rc = tfevents_flush(w, &err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
    assert_int_equal(rc, ERROR_RUNTIME);
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, whole);
    assert_int_equal(tfevents_write_scalar(w, "loss", 20, 0.5f, 1700000003.0, &err), ERROR_RUNTIME);
    tfevents_close(w, NULL);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, whole);
    TfeReader *r;
    assert_int_equal(tfevents_reader_open(&r, path, &err), ERROR_NONE);
    TfeScalar sc;
    int n = 0;
    while (tfevents_reader_next(r, &sc)) assert_int_equal(sc.step, n++);
    assert_int_equal(n, 15);
    assert_int_equal(tfevents_reader_warnings(r), 0);
    tfevents_reader_close(r);
    free(path);
    remove_tree(dir);
    free(dir);
}

static void hparams_records_are_read_past_without_warnings(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    TfeWriter *w;
    Error err = {0};
    assert_int_equal(tfevents_open(&w, dir, 100.0, NULL, &err), ERROR_NONE);
    TfeHParam hp[3] = {{.name = "lr", .type = TFE_HPARAM_NUMBER, .number = 0.001},
                       {.name = "optimizer", .type = TFE_HPARAM_STRING, .string = "adam"},
                       {.name = "nesterov", .type = TFE_HPARAM_BOOL, .boolean = false}};
    const TfeMetric tags[2] = {{"final/loss", TFE_DATASET_TRAINING},
                               {"final/accuracy", TFE_DATASET_TRAINING}};
    assert_int_equal(tfevents_write_hparams_experiment(w, hp, 3, tags, 2, 100.0, &err), 0);
    assert_int_equal(tfevents_write_hparams_start(w, hp, 3, "runs/x/model.gtm", 100.0, &err), 0);
    assert_int_equal(tfevents_write_scalar(w, "final/loss", 7, 0.25f, 101.0, &err), 0);
    assert_int_equal(tfevents_write_hparams_end(w, TFE_STATUS_SUCCESS, 102.0, &err), 0);
    char *path = strdup(tfevents_path(w));
    assert_int_equal(tfevents_close(w, &err), ERROR_NONE);

    size_t n;
    uint8_t *data = slurp(path, &n);
    /* the plugin name and tags are in the file as protobuf strings */
    assert_non_null(memmem(data, n, "\x0a\x07hparams", 9));
    assert_non_null(memmem(data, n, "_hparams_/session_start_info", 28));
    assert_non_null(memmem(data, n, "_hparams_/experiment", 20));
    assert_non_null(memmem(data, n, "_hparams_/session_end_info", 26));
    TfeScalar out[4];
    size_t warnings;
    assert_int_equal(read_all_mem(data, n, out, 4, &warnings), 1);
    assert_int_equal(warnings, 0);
    assert_string_equal(out[0].tag, "final/loss");
    assert_int_equal(out[0].step, 7);
    free(data);
    free(path);
    remove_tree(dir);
    free(dir);
}

/* A session's end is cut as a later step is: the records from the first
 * whose tag has the end prefix, or from the HParams session end. */
static void cut_takes_away_the_sessions_end(void **state)
{
    (void)state;
    for (int with_prefix = 0; with_prefix < 2; with_prefix++) {
        char *dir = make_tmpdir();
        TfeWriter *w;
        Error err = {0};
        assert_int_equal(tfevents_open(&w, dir, 0.0, NULL, &err), ERROR_NONE);
        for (int step = 1; step <= 3; step++)
            assert_int_equal(tfevents_write_scalar(w, "loss", step, 1.0f / step, step, &err), 0);
        assert_int_equal(tfevents_write_scalar(w, "final/loss", 3, 0.5f, 4.0, &err), 0);
        assert_int_equal(tfevents_write_hparams_end(w, TFE_STATUS_SUCCESS, 4.0, &err), 0);
        char *path = strdup(tfevents_path(w));
        assert_int_equal(tfevents_close(w, &err), ERROR_NONE);
        size_t kept, removed;
        assert_int_equal(
            tfevents_cut(path, 3, with_prefix ? "final/" : NULL, &kept, &removed, &err),
            ERROR_NONE);
        /* with the prefix the final/ scalar goes too; without it, it stays */
        assert_int_equal(kept, with_prefix ? 3 : 4);
        assert_int_equal(removed, with_prefix ? 2 : 1);
        TfeReader *r;
        assert_int_equal(tfevents_reader_open(&r, path, &err), ERROR_NONE);
        TfeScalar sc;
        size_t n = 0;
        while (tfevents_reader_next(r, &sc)) n++;
        assert_int_equal(n, kept);
        /* the file_version record and the scalars, nothing after */
        assert_int_equal(tfevents_reader_records(r), 1 + kept);
        assert_int_equal(tfevents_reader_warnings(r), 0);
        tfevents_reader_close(r);
        free(path);
        remove_tree(dir);
        free(dir);
    }
}

/* api.proto's HParamInfo: a string hyperparameter's domain_discrete (5),
 * a ListValue of string Values, and differs (7), which TensorBoard sorts
 * the HParams tab's columns by. */
static void hparam_info_carries_its_domain_and_differs(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    TfeWriter *w;
    Error err = {0};
    assert_int_equal(tfevents_open(&w, dir, 0.0, NULL, &err), ERROR_NONE);
    static const char *const names[] = {"sgd", "adam", NULL};
    TfeHParam hp[2] = {
        {.name = "optimizer", .type = TFE_HPARAM_STRING, .differs = true, .domain = names},
        {.name = "l2", .type = TFE_HPARAM_NUMBER}};
    TfeMetric m = {"val_loss", TFE_DATASET_VALIDATION};
    assert_int_equal(tfevents_write_hparams_experiment(w, hp, 2, &m, 1, 0.0, &err), 0);
    char *path = strdup(tfevents_path(w));
    tfevents_close(w, &err);
    size_t n;
    uint8_t *data = slurp(path, &n);
    /* HParamInfo{name, type STRING, domain_discrete{values{string_value}
     * ...}, differs true} as field 4 of the Experiment; then l2's without
     * either; then MetricInfo{name{tag}, dataset_type VALIDATION} */
    static const uint8_t opt[] = {0x22, 32,   0x0A, 9,    'o', 'p',  't', 'i',  'm',  'i', 'z', 'e',
                                  'r',  0x20, 1,    0x2A, 15,  0x0A, 5,   0x1A, 3,    's', 'g', 'd',
                                  0x0A, 6,    0x1A, 4,    'a', 'd',  'a', 'm',  0x38, 1};
    static const uint8_t l2[] = {0x22, 6, 0x0A, 2, 'l', '2', 0x20, 3};
    static const uint8_t metric[] = {0x2A, 14,  0x0A, 10,  0x12, 8,   'v',  'a',
                                     'l',  '_', 'l',  'o', 's',  's', 0x28, 2};
    assert_non_null(memmem(data, n, opt, sizeof opt));
    assert_non_null(memmem(data, n, l2, sizeof l2));
    assert_non_null(memmem(data, n, metric, sizeof metric));
    free(data);
    free(path);
    remove_tree(dir);
    free(dir);
}

static void session_end_info_is_encoded_byte_exactly(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    TfeWriter *w;
    Error err = {0};
    assert_int_equal(tfevents_open(&w, dir, 0.0, NULL, &err), ERROR_NONE);
    size_t start = 12 + tfevents_encode_file_version(NULL, 0, 0.0, NULL) + 4;
    assert_int_equal(tfevents_write_hparams_end(w, TFE_STATUS_SUCCESS, 2.0, &err), 0);
    char *path = strdup(tfevents_path(w));
    tfevents_close(w, &err);
    size_t n;
    uint8_t *data = slurp(path, &n);
    /* SessionEndInfo{status 1, end_time_secs 2.0} = 08 01 11 <2.0>      (11 bytes)
     * HParamsPluginData{session_end_info (4)}   = 22 0B ...             (13)
     * PluginData{"hparams", content}            = 0A 07 hparams 12 0D . (24)
     * SummaryMetadata{plugin_data}              = 0A 18 ...             (26)
     * Value{tag, metadata (9)}                  = 0A 1A tag 4A 1A ...   (28+28=56)
     * Summary{value}                            = 0A 38 ...             (58)
     * Event{wall_time 2.0, summary}             = 09 <2.0> 2A 3A ...    (9+2+58=69) */
    static const uint8_t sei[] = {0x08, 0x01, 0x11, 0, 0, 0, 0, 0, 0, 0, 0x40};
    const char *tag = "_hparams_/session_end_info";
    uint8_t want[80];
    size_t k = 0;
    const uint8_t ev_head[] = {0x09, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x2A, 58, 0x0A, 56, 0x0A, 26};
    memcpy(want + k, ev_head, sizeof ev_head);
    k += sizeof ev_head;
    memcpy(want + k, tag, 26);
    k += 26;
    const uint8_t meta[] = {0x4A, 26,  0x0A, 24,  0x0A, 7,  'h',  'p', 'a',
                            'r',  'a', 'm',  's', 0x12, 13, 0x22, 11};
    memcpy(want + k, meta, sizeof meta);
    k += sizeof meta;
    memcpy(want + k, sei, sizeof sei);
    k += sizeof sei;
    assert_int_equal(k, 69);
    assert_int_equal(n, start + 12 + 69 + 4);
    assert_int_equal(data[start], 69);
    assert_memory_equal(data + start + 12, want, 69);
    free(data);
    free(path);
    remove_tree(dir);
    free(dir);
}

static void truncated_file_yields_records_before_the_cut_and_a_warning(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char *path = write_sample(dir, 10);
    size_t n;
    uint8_t *data = slurp(path, &n);
    size_t rec = 12 + tfevents_encode_file_version(NULL, 0, 1700000000.25, NULL) + 4;
    /* every cut: the scalars whose records are whole, warning iff mid-record */
    size_t bounds[12];
    int nb = 0;
    bounds[nb++] = rec;
    for (int i = 0; i < 10; i++) {
        size_t len = tfevents_encode_scalar(NULL, 0, i % 2 ? "acc" : "loss", i, (float)i / 4,
                                            1700000000.5 + i);
        bounds[nb] = bounds[nb - 1] + 12 + len + 4;
        nb++;
    }
    assert_int_equal(bounds[10], n);
    for (size_t cut = 0; cut <= n; cut++) {
        TfeScalar out[16];
        size_t warnings;
        size_t got = read_all_mem(data, cut, out, 16, &warnings);
        size_t whole = 0;
        bool on_boundary = cut == 0;
        for (int b = 0; b < nb; b++) {
            if (bounds[b] <= cut && b > 0) whole++;
            if (bounds[b] == cut) on_boundary = true;
        }
        assert_int_equal(got, whole);
        assert_int_equal(warnings, on_boundary ? 0 : 1);
        for (size_t i = 0; i < got; i++) assert_int_equal(out[i].step, (int64_t)i);
    }
    free(data);
    free(path);
    remove_tree(dir);
    free(dir);
}

static void flipped_byte_is_detected_in_every_position(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char *path = write_sample(dir, 3);
    size_t n;
    uint8_t *data = slurp(path, &n);
    size_t rec0 = 12 + tfevents_encode_file_version(NULL, 0, 1700000000.25, NULL) + 4;
    for (size_t pos = 0; pos < n; pos++) {
        for (int bit = 0; bit < 8; bit += 3) {
            data[pos] ^= (uint8_t)(1u << bit);
            TfeScalar out[8];
            size_t warnings;
            size_t got = read_all_mem(data, n, out, 8, &warnings);
            /* the damaged record is skipped or reading stops: never a wrong value */
            assert_true(warnings >= 1);
            assert_true(got <= (pos < rec0 ? 3u : 2u));
            for (size_t i = 0; i < got && i < 8; i++) {
                assert_true(out[i].value == (float)out[i].step / 4);
                assert_string_equal(out[i].tag, out[i].step % 2 ? "acc" : "loss");
            }
            data[pos] ^= (uint8_t)(1u << bit);
        }
    }
    free(data);
    free(path);
    remove_tree(dir);
    free(dir);
}

static void corrupt_data_crc_skips_one_record_and_continues(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char *path = write_sample(dir, 3);
    size_t n;
    uint8_t *data = slurp(path, &n);
    size_t rec0 = 12 + tfevents_encode_file_version(NULL, 0, 1700000000.25, NULL) + 4;
    data[rec0 + 12 + 3] ^= 0x40; /* inside the data of the first scalar's record */
    TfeScalar out[8];
    size_t warnings;
    assert_int_equal(read_all_mem(data, n, out, 8, &warnings), 2);
    assert_int_equal(warnings, 1);
    assert_int_equal(out[0].step, 1);
    assert_int_equal(out[1].step, 2);
    free(data);
    free(path);
    remove_tree(dir);
    free(dir);
}

/* Frames data as a record and appends it to buf at *n. */
static void append_record(uint8_t *buf, size_t *n, const uint8_t *data, size_t len)
{
    tfevents_frame_header(buf + *n, len);
    memcpy(buf + *n + 12, data, len);
    tfevents_frame_footer(buf + *n + 12 + len, data, len);
    *n += 12 + len + 4;
}

static void tensor_scalars_of_tf2_are_read(void **state)
{
    (void)state;
    /* Keras TF2 style: Value{tag "epoch_loss", tensor{dtype DT_FLOAT,
     * tensor_shape{}, float_val [packed 0.25]}} and a double via
     * tensor_content, and a half via half_val, with metadata ahead. */
    uint8_t ev1[] = {
        0x09, 0,    0,    0,    0,    0,    0,   0xF0, 0x3F, /* wall_time 1.0 */
        0x10, 0x05,                                          /* step 5 */
        0x2A, 30,                                            /* summary */
        0x0A, 28,                                            /* value */
        0x0A, 10,   'e',  'p',  'o',  'c',  'h', '_',  'l',
        'o',  's',  's',  0x42, 14,         /* tensor, field 8 */
        0x08, 0x01,                         /* dtype DT_FLOAT */
        0x12, 0x00,                         /* tensor_shape {} */
        0x2A, 0x04, 0x00, 0x00, 0x80, 0x3E, /* float_val packed: 0.25 */
        0x1A, 0x02, 0x08, 0x00,             /* unknown field 3 in tensor (version_number as len) */
    };
    assert_int_equal(sizeof ev1, 9 + 2 + 2 + 30);
    uint8_t ev2[] = {
        0x10, 0x06, 0x2A, 25,   0x0A, 23,   0x0A, 1, 'd',        /* step 6, tag "d" */
        0x42, 18,   0x08, 0x02,                                  /* tensor: DT_DOUBLE */
        0x22, 8,    0,    0,    0,    0,    0,    0, 0x04, 0x40, /* tensor_content 2.5 */
        0x12, 4,    0x12, 2,    0x08, 0x01,                      /* shape {dim {size 1}} */
    };
    assert_int_equal(sizeof ev2, 29);
    uint8_t ev3[] = {
        0x10, 0x07, 0x2A, 12, 0x0A, 10, 0x0A, 1, 'h', /* step 7, tag "h" */
        0x42, 5,    0x08, 19,                         /* tensor: DT_HALF */
        0x68, 0x80, 0x78,                             /* half_val (13) 0x3C00 = 1.0 */
    };
    assert_int_equal(sizeof ev3, 16);
    /* not a scalar: a float tensor of 2 elements, ignored */
    uint8_t ev4[] = {
        0x10, 0x08, 0x2A, 21, 0x0A, 19,   0x0A, 1, 'v', 0x42, 14,   0x08, 0x01,
        0x2A, 8,    0,    0,  0x80, 0x3F, 0,    0, 0,   0x40, 0x12, 0x00,
    };
    assert_int_equal(sizeof ev4, 25);
    uint8_t buf[512];
    size_t n = 0;
    append_record(buf, &n, ev1, sizeof ev1);
    append_record(buf, &n, ev2, sizeof ev2);
    append_record(buf, &n, ev3, sizeof ev3);
    append_record(buf, &n, ev4, sizeof ev4);
    TfeScalar out[8];
    size_t warnings;
    size_t got = read_all_mem(buf, n, out, 8, &warnings);
    assert_int_equal(warnings, 0);
    assert_int_equal(got, 3);
    assert_string_equal(out[0].tag, "epoch_loss");
    assert_int_equal(out[0].step, 5);
    assert_true(out[0].wall_time == 1.0);
    assert_true(out[0].value == 0.25);
    assert_string_equal(out[1].tag, "d");
    assert_int_equal(out[1].step, 6);
    assert_true(out[1].value == 2.5);
    assert_string_equal(out[2].tag, "h");
    assert_true(out[2].value == 1.0);
}

static void groups_and_unknown_fields_are_skipped(void **state)
{
    (void)state;
    /* Event with an unknown group (field 9: start 4B, inner varint, end 4C),
     * an unknown fixed32 (field 10) and the summary after them */
    uint8_t ev[] = {
        0x4B, 0x08, 0x01, 0x4C,                                  /* group 9 { field 1 varint 1 } */
        0x55, 1,    2,    3,    4,                               /* field 10 fixed32 */
        0x10, 0x02,                                              /* step 2 */
        0x2A, 9,    0x0A, 7,    0x0A, 0, 0x15, 0, 0, 0x80, 0x3F, /* tag "", 1.0 */
    };
    uint8_t buf[128];
    size_t n = 0;
    append_record(buf, &n, ev, sizeof ev);
    TfeScalar out[2];
    size_t warnings;
    assert_int_equal(read_all_mem(buf, n, out, 2, &warnings), 1);
    assert_int_equal(warnings, 0);
    assert_int_equal(out[0].step, 2);
    assert_string_equal(out[0].tag, "");
    /* an unterminated group is malformed: skipped with a warning */
    ev[3] = 0x08; /* no end-group any more */
    n = 0;
    append_record(buf, &n, ev, sizeof ev);
    assert_int_equal(read_all_mem(buf, n, out, 2, &warnings), 0);
    assert_int_equal(warnings, 1);
}

static void huge_length_stops_without_allocating(void **state)
{
    (void)state;
    uint8_t buf[16];
    tfevents_frame_header(buf, (uint64_t)1 << 40); /* valid CRC, absurd length */
    memset(buf + 12, 0, 4);
    TfeScalar out[1];
    size_t warnings;
    assert_int_equal(read_all_mem(buf, sizeof buf, out, 1, &warnings), 0);
    assert_int_equal(warnings, 1);
}

static void random_garbage_never_crashes(void **state)
{
    (void)state;
    Rng rng;
    rng_seed(&rng, 42);
    size_t n0;
    char *dir = make_tmpdir();
    char *path = write_sample(dir, 6);
    uint8_t *good = slurp(path, &n0);
    uint8_t buf[4096];
    for (int iter = 0; iter < 3000; iter++) {
        size_t n;
        if (iter % 2) {
            /* a valid file with some random bytes changed */
            n = n0;
            memcpy(buf, good, n);
            int k = 1 + (int)rng_below(&rng, 8);
            for (int j = 0; j < k; j++) buf[rng_below(&rng, n)] = (uint8_t)rng_next(&rng);
        } else {
            /* one well-framed record of random protobuf-ish bytes */
            uint8_t data[256];
            size_t len = rng_below(&rng, sizeof data);
            for (size_t j = 0; j < len; j++) data[j] = (uint8_t)rng_next(&rng);
            n = 0;
            append_record(buf, &n, data, len);
        }
        TfeScalar out[16];
        read_all_mem(buf, n, out, 16, NULL);
    }
    free(good);
    free(path);
    remove_tree(dir);
    free(dir);
}

static void reader_resumes_when_the_file_grows(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char *path = write_sample(dir, 4);
    size_t n;
    uint8_t *data = slurp(path, &n);
    /* rewrite the file with the last record cut in half */
    size_t last = tfevents_encode_scalar(NULL, 0, "acc", 3, 0.75f, 1700000003.5) + 16;
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, n - last / 2, f);
    fflush(f);
    TfeReader *r;
    Error err = {0};
    assert_int_equal(tfevents_reader_open(&r, path, &err), ERROR_NONE);
    TfeScalar s;
    int got = 0;
    while (tfevents_reader_next(r, &s)) got++;
    assert_int_equal(got, 3);
    assert_int_equal(tfevents_reader_warnings(r), 1);
    fwrite(data + n - last / 2, 1, last / 2, f);
    fclose(f);
    assert_true(tfevents_reader_next(r, &s));
    assert_int_equal(s.step, 3);
    assert_false(tfevents_reader_next(r, &s));
    assert_int_equal(tfevents_reader_warnings(r), 0);
    tfevents_reader_close(r);
    free(data);
    free(path);
    remove_tree(dir);
    free(dir);
}

static void unwritable_directory_is_a_runtime_error_naming_it(void **state)
{
    (void)state;
    TfeWriter *w;
    Error err = {0};
    assert_int_equal(tfevents_open(&w, "/nonexistent/gradtop", 1.0, NULL, &err), ERROR_RUNTIME);
    assert_null(w);
    assert_non_null(strstr(err.msg, "/nonexistent/gradtop/events.out.tfevents.1."));
    TfeReader *r;
    assert_int_equal(tfevents_reader_open(&r, "/nonexistent/x", &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "/nonexistent/x"));
}

/* The one little-endian helper the event files and the model file share:
 * the low byte first, only the bytes asked for written, and back. */
static void little_endian_helpers_write_and_read_the_low_bytes_first(void **state)
{
    (void)state;
    uint8_t b[9] = {0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA};
    bytes_put_le(b, 0x0102030405060708ull, 8);
    const uint8_t want[8] = {8, 7, 6, 5, 4, 3, 2, 1};
    assert_memory_equal(b, want, 8);
    assert_int_equal(b[8], 0xAA);
    assert_true(bytes_get_le(b, 8) == 0x0102030405060708ull);
    assert_true(bytes_get_le(b, 4) == 0x05060708u);
    memset(b, 0xAA, sizeof b);
    bytes_put_le(b, 0xDEADBEEFCAFEull, 4); /* only the low 4 bytes */
    assert_int_equal(b[4], 0xAA);
    assert_true(bytes_get_le(b, 4) == 0xBEEFCAFEu);
    bytes_put_le(b, UINT64_MAX, 8);
    assert_true(bytes_get_le(b, 8) == UINT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(little_endian_helpers_write_and_read_the_low_bytes_first),
        cmocka_unit_test(crc32c_matches_known_vectors),
        cmocka_unit_test(crc32c_update_chains_at_every_split),
        cmocka_unit_test(crc32c_instruction_and_tables_agree),
        cmocka_unit_test(masked_crc_follows_tensorflow),
        cmocka_unit_test(scalar_event_is_encoded_byte_exactly),
        cmocka_unit_test(step_zero_is_omitted_and_large_steps_are_varints),
        cmocka_unit_test(file_version_event_is_encoded_byte_exactly),
        cmocka_unit_test(the_first_event_names_its_writer_and_the_reader_reports_it),
        cmocka_unit_test(the_session_starts_model_file_is_reported),
        cmocka_unit_test(record_frame_has_length_and_masked_crcs),
        cmocka_unit_test(written_file_starts_with_brain_event_2),
        cmocka_unit_test(write_then_read_gives_the_same_scalars),
        cmocka_unit_test(hparams_records_are_read_past_without_warnings),
        cmocka_unit_test(hparam_info_carries_its_domain_and_differs),
        cmocka_unit_test(session_end_info_is_encoded_byte_exactly),
        cmocka_unit_test(truncated_file_yields_records_before_the_cut_and_a_warning),
        cmocka_unit_test(flipped_byte_is_detected_in_every_position),
        cmocka_unit_test(corrupt_data_crc_skips_one_record_and_continues),
        cmocka_unit_test(tensor_scalars_of_tf2_are_read),
        cmocka_unit_test(groups_and_unknown_fields_are_skipped),
        cmocka_unit_test(huge_length_stops_without_allocating),
        cmocka_unit_test(random_garbage_never_crashes),
        cmocka_unit_test(reader_resumes_when_the_file_grows),
        cmocka_unit_test(unwritable_directory_is_a_runtime_error_naming_it),
        cmocka_unit_test(cut_takes_away_the_sessions_end),
        cmocka_unit_test(a_flush_the_disk_takes_part_of_is_cut_back_to_whole_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
