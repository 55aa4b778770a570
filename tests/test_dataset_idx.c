/*
 * test_dataset_idx.c - the IDX (MNIST format) loader against the fixtures
 * of tests/data/idx (see tests/data/make_fixtures.py), gzip files of other
 * shapes made here in a temporary directory, and the real Fashion-MNIST
 * files of Debian's dataset-fashion-mnist package.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmpdir.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>

#include "gradtop/data/dataset.h"

#define IDX "tests/data/idx/"

static const int tiny_labels[6] = {0, 1, 2, 0, 1, 4};

static void expect_msg(const Error *err, const char *part)
{
    if (!strstr(err->msg, part)) fail_msg("message \"%s\" lacks \"%s\"", err->msg, part);
}

static void expect_prefix(const Error *err, const char *prefix)
{
    if (strncmp(err->msg, prefix, strlen(prefix)) != 0)
        fail_msg("message \"%s\" does not start with \"%s\"", err->msg, prefix);
}

/* The tiny fixture: 6 images of 2x3, pixel i of the file is (7i + 3) % 256. */
static void check_tiny(const Dataset *ds)
{
    assert_int_equal(ds->n, 6);
    assert_int_equal(ds->d, 6);
    assert_int_equal(ds->task, TASK_CLASSIFICATION);
    for (int i = 0; i < 36; i++) assert_true(ds->x[i] == (float)((i * 7 + 3) % 256));
    for (int i = 0; i < 6; i++) assert_int_equal(ds->labels[i], tiny_labels[i]);
    /* Labels are class indices: 4 is the largest, so 5 classes, 3 empty. */
    assert_int_equal(ds->n_classes, 5);
    assert_string_equal(ds->class_names[0], "0");
    assert_string_equal(ds->class_names[4], "4");
    assert_string_equal(ds->feature_names[0], "px0");
    assert_string_equal(ds->feature_names[5], "px5");
    assert_string_equal(ds->label_name, "label");
    assert_int_equal(ds->label_column, -1);
    assert_null(ds->targets);
    assert_true(ds->owns);
}

static void load_idx_ok(Dataset *ds, const char *images, const char *labels)
{
    Error err = {0};
    ErrorCode code = dataset_load_idx(ds, images, labels, &err);
    if (code) fail_msg("%s: unexpected error %d: %s", images, code, err.msg);
}

static void test_idx_plain_files_load(void **state)
{
    Dataset ds;
    load_idx_ok(&ds, IDX "tiny-images-idx3-ubyte", NULL);
    check_tiny(&ds);
    assert_string_equal(ds.source, IDX "tiny-images-idx3-ubyte");
    assert_string_equal(ds.name, "tiny-images-idx3-ubyte");
    dataset_free(&ds);
}

static void test_idx_gzip_files_load_the_same(void **state)
{
    Dataset ds;
    load_idx_ok(&ds, IDX "tinygz-images-idx3-ubyte.gz", NULL);
    check_tiny(&ds);
    assert_string_equal(ds.name, "tinygz-images-idx3-ubyte");
    dataset_free(&ds);
    /* gzip images beside plain labels: the labels name is tried without .gz */
    load_idx_ok(&ds, IDX "mixed-images-idx3-ubyte.gz", NULL);
    check_tiny(&ds);
    dataset_free(&ds);
}

static void test_idx_explicit_labels_file(void **state)
{
    Dataset ds;
    load_idx_ok(&ds, IDX "oddname.idx", IDX "tinygz-labels-idx1-ubyte.gz");
    check_tiny(&ds);
    dataset_free(&ds);
    /* Through dataset_load: recognised by content, labels from the options. */
    DatasetOptions o = dataset_options_default();
    o.labels_file = IDX "tiny-labels-idx1-ubyte";
    Error err = {0};
    assert_int_equal(dataset_load(&ds, IDX "oddname.idx", &o, &err), ERROR_NONE);
    check_tiny(&ds);
    dataset_free(&ds);
}

/* A labels file given for CSV data would go unread: refused, by path, by
 * bare name and from a pipe, naming both files; fashion-mnist has its own. */
static void test_labels_file_for_csv_data_is_refused(void **state)
{
    (void)state;
    DatasetOptions o = dataset_options_default();
    o.labels_file = IDX "tiny-labels-idx1-ubyte";
    Dataset ds;
    Error err = {0};
    assert_int_equal(dataset_load(&ds, "tests/data/simple.csv", &o, &err), ERROR_INPUT);
    assert_string_equal(err.msg, "--labels " IDX "tiny-labels-idx1-ubyte: a labels file is for "
                                 "IDX images; tests/data/simple.csv is CSV text, whose label is "
                                 "one of its columns (--label NAME|INDEX)");
    dataset_free(&ds);
    assert_int_equal(dataset_load(&ds, "iris", &o, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "iris.csv is CSV text"));
    dataset_free(&ds);
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    assert_int_equal(write(fd[1], "a,b\n1,2\n3,4\n", 12), 12);
    close(fd[1]);
    char piped[64];
    snprintf(piped, sizeof piped, "/proc/self/fd/%d", fd[0]);
    assert_int_equal(dataset_load(&ds, piped, &o, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "is CSV text"));
    close(fd[0]);
    dataset_free(&ds);
    assert_int_equal(dataset_load(&ds, "fashion-mnist", &o, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, "fashion-mnist comes with its own labels file"));
    dataset_free(&ds);
}

/* A CSV file's --label or --delimiter given for IDX images would go
 * unread: refused, for a file, a gzip file and fashion-mnist, naming the
 * option and the data; the images load without them. */
static void test_csv_options_for_idx_data_are_refused(void **state)
{
    (void)state;
    const char *const sets[] = {IDX "tiny-images-idx3-ubyte", IDX "tinygz-images-idx3-ubyte.gz",
                                "fashion-mnist"};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        DatasetOptions o = dataset_options_default();
        Dataset ds;
        Error err = {0};
        o.label = "3";
        assert_int_equal(dataset_load(&ds, sets[i], &o, &err), ERROR_INPUT);
        char want[256];
        snprintf(want, sizeof want,
                 "--label 3: %s is IDX images, whose labels come from a labels file, not a "
                 "column; --label names a column of CSV data",
                 sets[i]);
        assert_string_equal(err.msg, want);
        dataset_free(&ds);
        o.label = NULL;
        o.delimiter = ';';
        assert_int_equal(dataset_load(&ds, sets[i], &o, &err), ERROR_INPUT);
        snprintf(want, sizeof want,
                 "--delimiter semicolon ';': %s is IDX images, not CSV text; leave --delimiter "
                 "out",
                 sets[i]);
        assert_string_equal(err.msg, want);
        dataset_free(&ds);
    }
    DatasetOptions o = dataset_options_default();
    Dataset ds;
    Error err = {0};
    assert_int_equal(dataset_load(&ds, sets[0], &o, &err), ERROR_NONE);
    dataset_free(&ds);
}

static void test_dataset_load_recognises_idx_by_content(void **state)
{
    Dataset ds;
    Error err = {0};
    assert_int_equal(dataset_load(&ds, IDX "tiny-images-idx3-ubyte", NULL, &err), ERROR_NONE);
    check_tiny(&ds);
    dataset_free(&ds);
    assert_int_equal(dataset_load(&ds, IDX "tinygz-images-idx3-ubyte.gz", NULL, &err), ERROR_NONE);
    check_tiny(&ds);
    dataset_free(&ds);
    /* A gzip file that is not IDX is named as such. */
    assert_int_equal(dataset_load(&ds, "tests/data/gzipped.csv.gz", NULL, &err), ERROR_INPUT);
    expect_prefix(&err, "tests/data/gzipped.csv.gz: gzip-compressed, but not an IDX file");
    assert_false(ds.owns);
}

static void test_idx_bad_files_are_refused_naming_the_file(void **state)
{
    static const struct {
        const char *images, *labels; /* labels NULL: found beside */
        const char *prefix, *what;
    } cases[] = {
        {IDX "short-images-idx3-ubyte", NULL, IDX "short-images-idx3-ubyte: truncated",
         "36 bytes) but only 33"},
        {IDX "shortgz-images-idx3-ubyte.gz", NULL, IDX "shortgz-images-idx3-ubyte.gz: truncated",
         "ends in image 6"},
        {IDX "cutgz-images-idx3-ubyte.gz", NULL, IDX "cutgz-images-idx3-ubyte.gz: truncated",
         "200 images of 10x10"},
        {IDX "crcgz-images-idx3-ubyte.gz", NULL, IDX "crcgz-images-idx3-ubyte.gz: corrupt gzip",
         "incorrect data check"},
        {IDX "liar-images-idx3-ubyte", NULL, IDX "liar-images-idx3-ubyte: truncated",
         "1000000 images of 28x28 (784000000 bytes)"},
        {IDX "liargz-images-idx3-ubyte.gz", NULL,
         IDX "liargz-images-idx3-ubyte.gz:", "more than a gzip file"},
        {IDX "huge-images-idx3-ubyte", NULL, IDX "huge-images-idx3-ubyte: images of 1000x1000",
         NULL},
        {IDX "zero-images-idx3-ubyte", NULL, IDX "zero-images-idx3-ubyte:", "no images"},
        {IDX "count-images-idx3-ubyte", NULL, IDX "count-labels-idx1-ubyte: 5 labels",
         "count-images-idx3-ubyte has 6 images"},
        {IDX "badmagic-images-idx3-ubyte", NULL, IDX "badmagic-images-idx3-ubyte: not an IDX file",
         NULL},
        {IDX "type-images-idx3-ubyte", NULL,
         IDX "type-images-idx3-ubyte: unsupported IDX data type 0x0d", NULL},
        {IDX "dims-images-idx3-ubyte", NULL, IDX "dims-images-idx3-ubyte:", "3 dimensions"},
        {IDX "trailing-images-idx3-ubyte", NULL, IDX "trailing-images-idx3-ubyte: 3 bytes",
         "unexpected data"},
        {IDX "nolabels-images-idx3-ubyte", NULL, IDX "nolabels-labels-idx1-ubyte: can't open",
         "--labels"},
        {IDX "oddname.idx", NULL, IDX "oddname.idx: can't tell where its labels are", NULL},
        {IDX "badlabels-images-idx3-ubyte", NULL,
         IDX "badlabels-labels-idx1-ubyte:", "1 dimension"},
        {IDX "shortlabels-images-idx3-ubyte", NULL, IDX "shortlabels-labels-idx1-ubyte: truncated",
         "6 labels"},
        {IDX "headeronly-images-idx3-ubyte", NULL, IDX "headeronly-images-idx3-ubyte: truncated",
         NULL},
        {IDX "tiny-labels-idx1-ubyte", IDX "tiny-labels-idx1-ubyte",
         IDX "tiny-labels-idx1-ubyte: this is an IDX labels file", NULL},
        /* a labels file as the dataset, with no --labels: said to be one,
         * not taken for images whose labels can't be found */
        {IDX "tiny-labels-idx1-ubyte", NULL,
         IDX "tiny-labels-idx1-ubyte: this is an IDX labels file", "give the images file"},
        {IDX "tiny-images-idx3-ubyte", IDX "no-such-labels", IDX "no-such-labels: can't open",
         NULL},
        {IDX "missing-images-idx3-ubyte", NULL, IDX "missing-images-idx3-ubyte: can't open",
         "No such file"},
        {"tests/data/idx", IDX "tiny-labels-idx1-ubyte", "tests/data/idx: is a directory", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Dataset ds;
        memset(&ds, 0x5a, sizeof ds);
        Error err = {0};
        ErrorCode code = dataset_load_idx(&ds, cases[i].images, cases[i].labels, &err);
        if (code != ERROR_INPUT)
            fail_msg("%s: expected ERROR_INPUT, got %d (%s)", cases[i].images, code, err.msg);
        expect_prefix(&err, cases[i].prefix);
        if (cases[i].what) expect_msg(&err, cases[i].what);
        assert_null(ds.x);
        assert_null(ds.labels);
        assert_int_equal(ds.n, 0);
        assert_false(ds.owns);
        dataset_free(&ds);
    }
}

/* ---- gzip files made here ----------------------------------------------------- */

/* tmpdir, make_tmpdir and remove_tmpdir: tmpdir.h */

/* The tiny fixture's images file, then extra bytes of junk; returns its size. */
static size_t tiny_images(unsigned char *buf, size_t extra)
{
    static const unsigned char head[16] = {0, 0, 8, 3, 0, 0, 0, 6, 0, 0, 0, 2, 0, 0, 0, 3};
    memcpy(buf, head, sizeof head);
    for (int i = 0; i < 36; i++) buf[16 + i] = (unsigned char)((i * 7 + 3) % 256);
    memset(buf + 52, 'x', extra);
    return 52 + extra;
}

/* Appends one gzip member holding data[0..n) at out[at..); returns the new
 * end.  hcrc: the member's header carries a CRC of itself (flag FHCRC). */
static size_t gzip_member(unsigned char *out, size_t at, size_t cap, const unsigned char *data,
                          size_t n, bool hcrc)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    gz_header head;
    memset(&head, 0, sizeof head);
    head.os = 3;
    head.hcrc = hcrc;
    assert_int_equal(deflateSetHeader(&zs, &head), Z_OK);
    zs.next_in = (unsigned char *)data;
    zs.avail_in = (uInt)n;
    zs.next_out = out + at;
    zs.avail_out = (uInt)(cap - at);
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t end = at + zs.total_out;
    deflateEnd(&zs);
    return end;
}

/* Writes p[0..n) to tmpdir/name; returns the path (a static buffer). */
static const char *write_tmp(const char *name, const unsigned char *p, size_t n)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* The pixels of a gzip file are decompressed in one piece when it is a
 * single member holding exactly what its header announces; files of other
 * shapes go through zlib's stream and load the same. */
static void test_idx_gzip_members_and_header_crc_load_the_same(void **state)
{
    unsigned char raw[64], gz[512];
    size_t n = tiny_images(raw, 0);
    /* Two members one after the other, as `cat a.gz b.gz` makes. */
    size_t end = gzip_member(gz, 0, sizeof gz, raw, 20, false);
    end = gzip_member(gz, end, sizeof gz, raw + 20, n - 20, false);
    Dataset ds;
    load_idx_ok(&ds, write_tmp("two-members.gz", gz, end), IDX "tiny-labels-idx1-ubyte");
    check_tiny(&ds);
    dataset_free(&ds);
    /* A header with a CRC of itself (zlib checks it). */
    end = gzip_member(gz, 0, sizeof gz, raw, n, true);
    load_idx_ok(&ds, write_tmp("hcrc.gz", gz, end), IDX "tiny-labels-idx1-ubyte");
    check_tiny(&ds);
    dataset_free(&ds);
}

/* dataset_kind tells IDX images from CSV text as dataset_load does, by a
 * file's first bytes whatever its name; by its name once it is gone; and
 * never reads from a pipe, whose bytes would be lost. */
static void test_dataset_kind_tells_idx_as_dataset_load_does(void **state)
{
    unsigned char raw[64];
    size_t n = tiny_images(raw, 0);
    assert_int_equal(dataset_kind(write_tmp("pixels.bin", raw, n), NULL), DATASET_KIND_IDX);
    assert_int_equal(dataset_kind(IDX "tinygz-images-idx3-ubyte.gz", NULL), DATASET_KIND_IDX);
    assert_int_equal(dataset_kind("fashion-mnist", NULL), DATASET_KIND_IDX);
    assert_int_equal(dataset_kind("fashion-mnist-test", NULL), DATASET_KIND_IDX);
    assert_int_equal(dataset_kind("gone/train-images-idx3-ubyte", NULL), DATASET_KIND_IDX);
    assert_int_equal(dataset_kind("gone/pixels.idx", NULL), DATASET_KIND_IDX);
    assert_int_equal(dataset_kind("gone/pixels.idx.gz", NULL), DATASET_KIND_IDX);
    assert_int_equal(dataset_kind("gone/table.csv", NULL), DATASET_KIND_CSV);
    assert_int_equal(dataset_kind("datasets/iris.csv", NULL), DATASET_KIND_CSV);
    assert_int_equal(dataset_kind("iris", NULL), DATASET_KIND_CSV);
    assert_int_equal(dataset_kind("spiral", NULL), DATASET_KIND_GENERATED);
    static const unsigned char text[] = "a,b\n1,2\n";
    assert_int_equal(dataset_kind(write_tmp("table.idx", text, sizeof text - 1), NULL),
                     DATASET_KIND_CSV);
    char fifo[128];
    snprintf(fifo, sizeof fifo, "%s/fifo", tmpdir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(dataset_kind(fifo, NULL), DATASET_KIND_CSV);
    unlink(fifo);
}

/* A bare name (no slash, no dot) that is a file in the working directory
 * is loaded by its bytes, as MNIST's own file names are: dataset_kind
 * tells it so too, not as a CSV file of datasets/. */
static void test_dataset_kind_of_a_bare_file_name_is_what_loads(void **state)
{
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(IDX), 0);
    Dataset ds;
    Error err = {0};
    ErrorCode rc = dataset_load(&ds, "tiny-images-idx3-ubyte", NULL, &err);
    DatasetKind named = dataset_kind("tiny-images-idx3-ubyte", NULL);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, ERROR_NONE);
    check_tiny(&ds);
    dataset_free(&ds);
    assert_int_equal(named, DATASET_KIND_IDX);
    /* told by its bytes, whatever its name */
    unsigned char raw[64];
    size_t n = tiny_images(raw, 0);
    write_tmp("pixels", raw, n);
    static const unsigned char text[] = "a,b\n1,2\n";
    write_tmp("table-ubyte", text, sizeof text - 1);
    assert_int_equal(chdir(tmpdir), 0);
    DatasetKind pixels = dataset_kind("pixels", NULL), table = dataset_kind("table-ubyte", NULL),
                iris = dataset_kind("iris", NULL);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(pixels, DATASET_KIND_IDX);
    assert_int_equal(table, DATASET_KIND_IDX); /* named -ubyte: dataset_load takes it as IDX */
    assert_int_equal(iris, DATASET_KIND_CSV);
}

/* Copies the file at from to tmpdir/to. */
static void copy_to_tmp(const char *from, const char *to)
{
    FILE *f = fopen(from, "rb");
    assert_non_null(f);
    static unsigned char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    assert_true(n > 0 && n < sizeof buf);
    fclose(f);
    write_tmp(to, buf, n);
}

/* dataset_kind of each name, with and without the program's directory,
 * is the kind of Dataset dataset_load loads from it, in a directory where
 * a CSV file of datasets/ takes a built-in's name (the loader looks there
 * first), beside the program and here; where the load fails, the kind
 * the name says. */
static void test_dataset_kind_is_the_kind_dataset_load_loads(void **state)
{
    (void)state;
    static const unsigned char table[] = "a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n";
    unsigned char raw[64];
    size_t n = tiny_images(raw, 0);
    tmpdir_mkdir("kind");
    tmpdir_mkdir("kind/datasets");
    tmpdir_mkdir("kind/bin");
    tmpdir_mkdir("kind/bin/datasets");
    tmpdir_mkdir("kind/fashion");
    write_tmp("kind/datasets/fashion-mnist.csv", table, sizeof table - 1);
    write_tmp("kind/datasets/spiral.csv", table, sizeof table - 1);
    write_tmp("kind/bin/datasets/fashion-mnist-test.csv", table, sizeof table - 1);
    write_tmp("kind/bin/datasets/xor.csv", table, sizeof table - 1);
    write_tmp("kind/pixels", raw, n);
    write_tmp("kind/table", table, sizeof table - 1);
    write_tmp("kind/table.idx", table, sizeof table - 1);
    write_tmp("kind/tiny-images-idx3-ubyte", raw, n);
    copy_to_tmp(IDX "tiny-labels-idx1-ubyte", "kind/tiny-labels-idx1-ubyte");
    copy_to_tmp(IDX "tinygz-images-idx3-ubyte.gz", "kind/fashion/t10k-images-idx3-ubyte.gz");
    copy_to_tmp(IDX "tinygz-labels-idx1-ubyte.gz", "kind/fashion/t10k-labels-idx1-ubyte.gz");
    copy_to_tmp(IDX "tinygz-images-idx3-ubyte.gz", "kind/fashion/train-images-idx3-ubyte.gz");
    copy_to_tmp(IDX "tinygz-labels-idx1-ubyte.gz", "kind/fashion/train-labels-idx1-ubyte.gz");
    copy_to_tmp("tests/data/gzipped.csv.gz", "kind/table.csv.gz");
    char cwd[4096], here[128], bin[128], fashion[128];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(here, sizeof here, "%s/kind", tmpdir);
    snprintf(bin, sizeof bin, "%s/kind/bin", tmpdir);
    snprintf(fashion, sizeof fashion, "%s/kind/fashion", tmpdir);
    static const struct {
        const char *name;
        bool loads;
        DatasetKind kind;     /* without the program's directory */
        DatasetKind kind_bin; /* with kind/bin as the program's */
    } cases[] = {
        /* datasets/fashion-mnist.csv here is found before the built-in */
        {"fashion-mnist", true, DATASET_KIND_CSV, DATASET_KIND_CSV},
        /* beside the program only: the built-in without it */
        {"fashion-mnist-test", true, DATASET_KIND_IDX, DATASET_KIND_CSV},
        {"spiral", true, DATASET_KIND_CSV, DATASET_KIND_CSV},
        {"xor", true, DATASET_KIND_GENERATED, DATASET_KIND_CSV},
        {"moons", true, DATASET_KIND_GENERATED, DATASET_KIND_GENERATED},
        /* a bare name that is a file here: its bytes */
        {"table", true, DATASET_KIND_CSV, DATASET_KIND_CSV},
        {"tiny-images-idx3-ubyte", true, DATASET_KIND_IDX, DATASET_KIND_IDX},
        /* paths */
        {"./tiny-images-idx3-ubyte", true, DATASET_KIND_IDX, DATASET_KIND_IDX},
        {"table.idx", true, DATASET_KIND_CSV, DATASET_KIND_CSV},
        {"datasets/spiral.csv", true, DATASET_KIND_CSV, DATASET_KIND_CSV},
        {"fashion/t10k-images-idx3-ubyte.gz", true, DATASET_KIND_IDX, DATASET_KIND_IDX},
        /* refused by the loader: IDX images with no labels beside them
         * (by the IDX loader), gzip that is not IDX, a directory, an
         * unknown name; no longer there: told by the name */
        {"pixels", false, DATASET_KIND_IDX, DATASET_KIND_IDX},
        {"table.csv.gz", false, DATASET_KIND_CSV, DATASET_KIND_CSV},
        {"datasets", false, DATASET_KIND_CSV, DATASET_KIND_CSV},
        {"nothing", false, DATASET_KIND_CSV, DATASET_KIND_CSV},
        {"gone/train-images-idx3-ubyte", false, DATASET_KIND_IDX, DATASET_KIND_IDX},
        {"gone/table.csv", false, DATASET_KIND_CSV, DATASET_KIND_CSV},
    };
    assert_int_equal(chdir(here), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int with_bin = 0; with_bin < 2; with_bin++) {
            const char *name = cases[i].name;
            DatasetOptions o = dataset_options_default();
            o.exe_dir = with_bin ? bin : NULL;
            o.fashion_dir = fashion;
            DatasetKind told = dataset_kind(name, o.exe_dir);
            Dataset ds;
            Error err = {0};
            ErrorCode rc = dataset_load(&ds, name, &o, &err);
            DatasetKind loaded = ds.kind;
            if (!rc) dataset_free(&ds);
            if (cases[i].loads != (rc == ERROR_NONE) ||
                told != (with_bin ? cases[i].kind_bin : cases[i].kind) || (!rc && loaded != told)) {
                assert_int_equal(chdir(cwd), 0);
                fail_msg("%s (exe_dir %s): dataset_kind says %d, dataset_load %s (kind %d: %s)",
                         name, with_bin ? "kind/bin" : "none", told, rc ? "fails" : "loads", loaded,
                         rc ? err.msg : "");
            }
        }
    assert_int_equal(chdir(cwd), 0);
}

static void expect_refused(const char *images, const char *labels, const char *part)
{
    Dataset ds;
    Error err = {0};
    ErrorCode code = dataset_load_idx(&ds, images, labels, &err);
    if (code != ERROR_INPUT)
        fail_msg("%s: expected ERROR_INPUT, got %d (%s)", images, code, err.msg);
    expect_prefix(&err, images);
    expect_msg(&err, part);
    assert_null(ds.x);
    assert_false(ds.owns);
}

/* A file of n images of 28x28 whose pixels come from a fixed generator
 * (data that deflate cannot squeeze), then its gzip form and a labels file
 * of n labels (i % 10) beside both, in tmpdir.  *images gets the header and
 * pixels (16 + 784 n bytes), *gz the gzip bytes, *gz_len their count. */
#define NOISY_PIXELS 784
static void noisy_files(uint32_t n, unsigned char **images, unsigned char **gz, size_t *gz_len)
{
    size_t size = 16 + (size_t)n * NOISY_PIXELS, cap = size + size / 100 + 1024;
    unsigned char *raw = malloc(size), *out = malloc(cap), lab[8 + 1000];
    assert_non_null(raw);
    assert_non_null(out);
    assert_true(n <= 1000);
    const unsigned char head[16] = {
        0, 0, 8, 3, n >> 24, n >> 16 & 255, n >> 8 & 255, n & 255, 0, 0, 0, 28, 0, 0, 0, 28};
    memcpy(raw, head, sizeof head);
    uint32_t r = 12345;
    for (size_t i = 16; i < size; i++) {
        r = r * 1664525u + 1013904223u; /* Numerical Recipes' LCG */
        raw[i] = (unsigned char)(r >> 24);
    }
    *gz_len = gzip_member(out, 0, cap, raw, size, false);
    const unsigned char lhead[8] = {0, 0, 8, 1, n >> 24, n >> 16 & 255, n >> 8 & 255, n & 255};
    memcpy(lab, lhead, sizeof lhead);
    for (uint32_t i = 0; i < n; i++) lab[8 + i] = (unsigned char)(i % 10);
    write_tmp("noisy-labels-idx1-ubyte", lab, 8 + n);
    *images = raw;
    *gz = out;
}

/* Larger than what zlib inflates while reading the header, so the pixels
 * come from the one-piece decompression: every one of them, in order. */
static void test_idx_large_gzip_loads_every_pixel(void **state)
{
    unsigned char *raw, *gz;
    size_t gz_len;
    noisy_files(1000, &raw, &gz, &gz_len);
    Dataset ds;
    load_idx_ok(&ds, write_tmp("noisy-images-idx3-ubyte.gz", gz, gz_len), NULL);
    assert_int_equal(ds.n, 1000);
    assert_int_equal(ds.d, NOISY_PIXELS);
    size_t bad = 0;
    for (size_t i = 0; i < 1000 * NOISY_PIXELS; i++) bad += ds.x[i] != (float)raw[16 + i];
    assert_int_equal(bad, 0);
    assert_int_equal(ds.labels[999], 9);
    dataset_free(&ds);
    free(raw);
    free(gz);
}

/* The tiny images with six labels of our own, written to tmpdir/NAME. */
static const char *tiny_labels_file(const char *name, const unsigned char six[6])
{
    unsigned char lab[14] = {0, 0, 8, 1, 0, 0, 0, 6};
    memcpy(lab + 8, six, 6);
    return write_tmp(name, lab, sizeof lab);
}

/* A label is its class index, which makes a class of every number up to
 * the largest: when most of them would have no image, the labels are
 * refused, naming the labels file, the largest label and where it first
 * comes.  Up to half empty (a file missing some classes) is taken. */
static void test_idx_labels_that_leave_most_classes_empty_are_refused(void **state)
{
    static const struct {
        unsigned char labels[6];
        const char *msg; /* NULL: taken, with largest + 1 classes */
    } cases[] = {
        {{0, 1, 2, 0, 255, 1},
         ": label 5 (byte 12) is 255; an IDX label is its class index, so that makes 256 "
         "classes, 252 of them without an image (the labels are 0-2, 255): a corrupt or "
         "foreign labels file, or one to renumber from 0"},
        /* more classes than images */
        {{0, 0, 9, 0, 0, 9},
         ": label 3 (byte 10) is 9; an IDX label is its class index, so "
         "that makes 10 classes, 8 of them without an image (the labels "
         "are 0, 9)"},
        {{0, 4, 0, 4, 0, 4}, "5 classes, 3 of them without an image (the labels are 0, 4)"},
        {{2, 3, 5, 7, 9, 12},
         "13 classes, 7 of them without an image (the labels are 2, 3, 5, "
         "7, 9, 12)"},
        {{1, 3, 5, 7, 9, 11}, NULL}, /* half of 12 empty */
        {{0, 3, 0, 3, 0, 3}, NULL},  /* half of 4 empty */
        {{0, 1, 2, 3, 4, 9}, NULL},  /* 4 of 10 empty */
        {{1, 2, 3, 4, 5, 10}, NULL}, /* 5 of 11 empty */
        {{1, 1, 1, 1, 1, 1}, NULL},  /* a file holding one class of two */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *labels = tiny_labels_file("six-labels", cases[i].labels);
        Dataset ds;
        Error err = {0};
        ErrorCode code = dataset_load_idx(&ds, IDX "tiny-images-idx3-ubyte", labels, &err);
        if (!cases[i].msg) {
            if (code) fail_msg("case %zu: unexpected error %d: %s", i, code, err.msg);
            int largest = 0;
            for (int k = 0; k < 6; k++)
                if (cases[i].labels[k] > largest) largest = cases[i].labels[k];
            assert_int_equal(ds.n_classes, largest + 1);
            dataset_free(&ds);
            continue;
        }
        if (code != ERROR_INPUT)
            fail_msg("case %zu: expected ERROR_INPUT, got %d (%s)", i, code, err.msg);
        expect_prefix(&err, labels);
        expect_msg(&err, cases[i].msg);
        assert_null(ds.x);
        assert_null(ds.labels);
        dataset_free(&ds);
    }
}

/* The one-piece decompression gives up on these; the stream names the fault. */
static void test_idx_gzip_that_is_not_what_its_header_says_is_refused(void **state)
{
    unsigned char raw[64], gz[512];
    size_t n = tiny_images(raw, 3);
    size_t end = gzip_member(gz, 0, sizeof gz, raw, n, false);
    expect_refused(write_tmp("trailing.gz", gz, end), IDX "tiny-labels-idx1-ubyte",
                   ": unexpected data after the 6 images of 2x3 the header announces");
    /* The same three bytes in a second member. */
    n = tiny_images(raw, 0);
    end = gzip_member(gz, 0, sizeof gz, raw, n, false);
    end = gzip_member(gz, end, sizeof gz, (const unsigned char *)"xyz", 3, false);
    expect_refused(write_tmp("trailing2.gz", gz, end), IDX "tiny-labels-idx1-ubyte",
                   ": unexpected data after the 6 images of 2x3 the header announces");

    end = gzip_member(gz, 0, sizeof gz, raw, n, true);
    gz[10] ^= 0xff; /* the header's CRC, right after its 10 fixed bytes */
    expect_refused(write_tmp("badhcrc.gz", gz, end), IDX "tiny-labels-idx1-ubyte",
                   ": corrupt gzip data: header crc mismatch");

    /* Large files, whose trailer zlib only reaches after the header. */
    unsigned char *big, *bgz;
    size_t len;
    char labels[128];
    snprintf(labels, sizeof labels, "%s/noisy-labels-idx1-ubyte", tmpdir);
    noisy_files(1000, &big, &bgz, &len);
    bgz[len - 8] ^= 1; /* the trailer's CRC */
    expect_refused(write_tmp("crc.gz", bgz, len), labels,
                   ": corrupt gzip data: incorrect data check");
    bgz[len - 8] ^= 1;
    bgz[len - 4] ^= 1; /* the trailer's length */
    expect_refused(write_tmp("length.gz", bgz, len), labels,
                   ": corrupt gzip data: incorrect length check");
    free(big);
    free(bgz);
}

static void check_fashion(const char *name, size_t n)
{
    Dataset ds;
    Error err = {0};
    ErrorCode code = dataset_load(&ds, name, NULL, &err);
    if (code) fail_msg("%s: %s", name, err.msg);
    assert_string_equal(ds.name, name);
    assert_int_equal(ds.n, n);
    assert_int_equal(ds.d, 784);
    assert_int_equal(ds.n_classes, 10);
    assert_string_equal(ds.class_names[0], "T-shirt/top");
    assert_string_equal(ds.class_names[5], "Sandal");
    assert_string_equal(ds.class_names[9], "Ankle boot");
    size_t counts[10];
    dataset_class_counts(&ds, counts);
    for (int c = 0; c < 10; c++) assert_int_equal(counts[c], n / 10); /* balanced by design */
    float lo = 255, hi = 0;
    double sum = 0;
    for (size_t i = 0; i < n * 784; i++) {
        if (ds.x[i] < lo) lo = ds.x[i];
        if (ds.x[i] > hi) hi = ds.x[i];
        sum += ds.x[i];
    }
    assert_true(lo == 0.0f && hi == 255.0f);
    /* Fashion-MNIST's mean pixel is about 72.9 (0.286 * 255). */
    assert_float_equal(sum / (double)(n * 784), 72.9, 1.5);
    dataset_free(&ds);
}

static void test_fashion_mnist_train(void **state)
{
    check_fashion("fashion-mnist", 60000);
}

static void test_fashion_mnist_test(void **state)
{
    check_fashion("fashion-mnist-test", 10000);
}

static void test_fashion_mnist_missing_says_how_to_install(void **state)
{
    DatasetOptions o = dataset_options_default();
    o.fashion_dir = "/nonexistent/fashion";
    Dataset ds;
    Error err = {0};
    assert_int_equal(dataset_load(&ds, "fashion-mnist", &o, &err), ERROR_INPUT);
    expect_prefix(&err, "fashion-mnist: not installed");
    expect_msg(&err, "/nonexistent/fashion/train-images-idx3-ubyte.gz");
    expect_msg(&err, "install the Debian package dataset-fashion-mnist "
                     "(apt-get install dataset-fashion-mnist)");
    assert_false(ds.owns);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idx_plain_files_load),
        cmocka_unit_test(test_idx_gzip_files_load_the_same),
        cmocka_unit_test(test_idx_explicit_labels_file),
        cmocka_unit_test(test_labels_file_for_csv_data_is_refused),
        cmocka_unit_test(test_csv_options_for_idx_data_are_refused),
        cmocka_unit_test(test_dataset_load_recognises_idx_by_content),
        cmocka_unit_test(test_dataset_kind_tells_idx_as_dataset_load_does),
        cmocka_unit_test(test_dataset_kind_of_a_bare_file_name_is_what_loads),
        cmocka_unit_test(test_dataset_kind_is_the_kind_dataset_load_loads),
        cmocka_unit_test(test_idx_bad_files_are_refused_naming_the_file),
        cmocka_unit_test(test_idx_gzip_members_and_header_crc_load_the_same),
        cmocka_unit_test(test_idx_large_gzip_loads_every_pixel),
        cmocka_unit_test(test_idx_gzip_that_is_not_what_its_header_says_is_refused),
        cmocka_unit_test(test_idx_labels_that_leave_most_classes_empty_are_refused),
        cmocka_unit_test(test_fashion_mnist_train),
        cmocka_unit_test(test_fashion_mnist_test),
        cmocka_unit_test(test_fashion_mnist_missing_says_how_to_install),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
