/*
 * test_dataset_csv.c - the CSV loader and its strict float parser, against
 * the corpus in tests/data (see tests/data/make_fixtures.py) and files
 * written at run time for the size limits.  Runs from the project root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmpdir.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gradtop/data/dataset.h"
#include "gradtop/core/rng.h"
#include "gradtop/core/sysmem.h"

#define DATA "tests/data/"

/* Fails with the whole message when it lacks part. */
static void expect_msg(const Error *err, const char *part)
{
    if (!strstr(err->msg, part)) fail_msg("message \"%s\" lacks \"%s\"", err->msg, part);
}

static void expect_prefix(const Error *err, const char *prefix)
{
    if (strncmp(err->msg, prefix, strlen(prefix)) != 0)
        fail_msg("message \"%s\" does not start with \"%s\"", err->msg, prefix);
}

static DatasetOptions opts(void)
{
    return dataset_options_default();
}

static void load_ok(Dataset *ds, const char *path, const DatasetOptions *opt)
{
    Error err = {0};
    ErrorCode code = dataset_load_csv(ds, path, opt, &err);
    if (code != ERROR_NONE) fail_msg("%s: unexpected error %d: %s", path, code, err.msg);
    assert_int_equal(err.code, ERROR_NONE);
    assert_true(ds->owns);
}

/* Loading path fails with ERROR_INPUT, a message starting with prefix
 * (file:line:column:) and containing what, and leaves ds empty. */
static void load_fails(const char *path, const DatasetOptions *opt, const char *prefix,
                       const char *what)
{
    Dataset ds;
    memset(&ds, 0x5a, sizeof ds); /* garbage in: the loader must reset it */
    Error err = {0};
    ErrorCode code = dataset_load_csv(&ds, path, opt, &err);
    if (code != ERROR_INPUT) fail_msg("%s: expected ERROR_INPUT, got %d (%s)", path, code, err.msg);
    assert_int_equal(err.code, ERROR_INPUT);
    expect_prefix(&err, prefix);
    if (what) expect_msg(&err, what);
    assert_null(ds.x);
    assert_null(ds.labels);
    assert_null(ds.class_names);
    assert_int_equal(ds.n, 0);
    assert_false(ds.owns);
    dataset_free(&ds);
}

static float xat(const Dataset *ds, size_t row, int col)
{
    assert_true(row < ds->n && col < ds->d);
    return ds->x[row * (size_t)ds->d + (size_t)col];
}

/* ---- temporary files ----------------------------------------------------- */

/* tmpdir, make_tmpdir and remove_tmpdir: tmpdir.h */

static const char *tmp_path(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return path;
}

static FILE *tmp_create(const char *name)
{
    FILE *f = fopen(tmp_path(name), "w");
    assert_non_null(f);
    return f;
}

/* The temporary file name with text as its whole content. */
static void tmp_text(const char *name, const char *text)
{
    FILE *f = tmp_create(name);
    fputs(text, f);
    fclose(f);
}

/* ---- the float parser ---------------------------------------------------- */

static bool parse(const char *s, float *v)
{
    return dataset_parse_float(s, strlen(s), v);
}

static void test_parse_float_accepts_plain_decimals(void **state)
{
    static const struct {
        const char *text;
        float value;
    } cases[] = {
        {"0", 0.0f},
        {"1", 1.0f},
        {"-1.5", -1.5f},
        {"+2", 2.0f},
        {".5", 0.5f},
        {"5.", 5.0f},
        {"1e3", 1000.0f},
        {"1E-3", 1e-3f},
        {" 7 ", 7.0f},
        {"\t8\t", 8.0f},
        {"0.1", 0.1f},
        {"3.14159", 3.14159f},
        {"1e+2", 100.0f},
        {"000123", 123.0f},
        {"-0.000", -0.0f},
        {"1e-50", 0.0f},
        {"3.4028234e38", FLT_MAX},
        {"16777217", 16777216.0f},
        {"0.30000001192092896", 0.3f},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float v = -12345.0f;
        if (!parse(cases[i].text, &v)) fail_msg("rejected \"%s\"", cases[i].text);
        if (memcmp(&v, &cases[i].value, sizeof v) != 0 && v != cases[i].value)
            fail_msg("\"%s\" gave %.9g, want %.9g", cases[i].text, v, cases[i].value);
    }
    float v;
    assert_true(parse("-0", &v));
    assert_true(signbit(v));
}

static void test_parse_float_rejects_non_numbers(void **state)
{
    static const char *const bad[] = {
        "",    " ",     "abc",   "1.2.3", "1e",       "1e+",   "e5",   ".",     "-",      "+",
        "inf", "-inf",  "nan",   "NaN",   "infinity", "0x10",  "1e99", "-1e39", "3.5e38", "1,5",
        "1 2", "2.5kg", "1e5.5", "--1",   "1d",       "0x1p3", "1e-",  ". 5",   "+-1",    "\"1\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        float v = 42.0f;
        if (parse(bad[i], &v)) fail_msg("accepted \"%s\" as %g", bad[i], v);
        assert_true(v == 42.0f); /* untouched */
    }
}

static void test_parse_float_reads_only_len_bytes(void **state)
{
    float v;
    assert_true(dataset_parse_float("12345", 2, &v));
    assert_true(v == 12.0f);
    assert_true(dataset_parse_float("1.5abc", 3, &v));
    assert_true(v == 1.5f);
    assert_false(dataset_parse_float("1.5abc", 4, &v));
}

/* Compares with glibc's correctly rounded strtof, bit for bit. */
static void compare_with_strtof(const char *text)
{
    errno = 0;
    float want = strtof(text, NULL);
    float got;
    bool ok = parse(text, &got);
    if (!isfinite(want)) {
        if (ok) fail_msg("\"%s\": accepted %g, strtof overflows", text, got);
        return;
    }
    if (!ok) fail_msg("\"%s\": rejected, strtof gives %.9g", text, want);
    if (memcmp(&got, &want, sizeof got) != 0)
        fail_msg("\"%s\": got %.9g (%a), strtof %.9g (%a)", text, got, got, want, want);
}

static void test_parse_float_matches_strtof_on_random_decimals(void **state)
{
    Rng rng;
    rng_seed(&rng, 7);
    char text[96];
    for (int i = 0; i < 200000; i++) {
        size_t n = 0;
        if (rng_below(&rng, 3) == 0) text[n++] = rng_below(&rng, 2) ? '-' : '+';
        int digits = 1 + (int)rng_below(&rng, 24);
        int point = (int)rng_below(&rng, (uint64_t)digits + 2) - 1; /* -1: none */
        for (int k = 0; k < digits; k++) {
            if (k == point) text[n++] = '.';
            text[n++] = (char)('0' + rng_below(&rng, 10));
        }
        if (rng_below(&rng, 2))
            n += (size_t)snprintf(text + n, sizeof text - n, "e%d", (int)rng_below(&rng, 90) - 50);
        text[n] = '\0';
        compare_with_strtof(text);
    }
}

/* Decimals close to the midpoint between two adjacent floats are where a
 * parser that rounds to double first and then to float goes wrong. */
static void test_parse_float_matches_strtof_near_float_midpoints(void **state)
{
    Rng rng;
    rng_seed(&rng, 11);
    char text[96];
    for (int i = 0; i < 100000; i++) {
        uint32_t bits = (uint32_t)rng_next(&rng) & 0x7f7fffffu; /* finite, positive */
        float f;
        memcpy(&f, &bits, sizeof f);
        if (f < 1e-20f || f > 1e20f) continue;
        double mid = ((double)f + (double)nextafterf(f, INFINITY)) / 2.0;
        static const int digits[] = {9, 15, 16, 17, 40};
        for (size_t k = 0; k < sizeof digits / sizeof digits[0]; k++) {
            snprintf(text, sizeof text, "%.*g", digits[k], mid);
            compare_with_strtof(text);
        }
    }
    /* A hand-made case: 16777217 * 2^-24 + tiny is just above a float
     * midpoint; 1.00000005960464478 rounds to the midpoint as a double. */
    compare_with_strtof("1.00000005960464478");
    compare_with_strtof("1.000000059604644775390625");
    compare_with_strtof("1.0000000596046448");
}

/* ---- layout: header, label, names ---------------------------------------- */

static void test_csv_header_row_names_the_columns(void **state)
{
    Dataset ds;
    DatasetOptions o = opts();
    load_ok(&ds, DATA "simple.csv", &o);
    assert_int_equal(ds.n, 3);
    assert_int_equal(ds.d, 3);
    assert_string_equal(ds.feature_names[0], "a");
    assert_string_equal(ds.feature_names[2], "c");
    assert_string_equal(ds.label_name, "label");
    assert_int_equal(ds.label_column, 3);
    assert_string_equal(ds.name, "simple");
    assert_string_equal(ds.source, DATA "simple.csv");
    assert_int_equal(ds.task, TASK_CLASSIFICATION);
    assert_int_equal(ds.n_classes, 2);
    assert_string_equal(ds.class_names[0], "cat");
    assert_string_equal(ds.class_names[1], "dog");
    assert_int_equal(ds.labels[0], 0);
    assert_int_equal(ds.labels[1], 1);
    assert_int_equal(ds.labels[2], 0);
    assert_true(xat(&ds, 0, 0) == 1.0f && xat(&ds, 1, 1) == 5.0f && xat(&ds, 2, 2) == 9.0f);
    assert_null(ds.targets);
    assert_int_equal(ds.missing, 0);
    dataset_free(&ds);
}

static void test_csv_without_header_first_row_is_data(void **state)
{
    Dataset ds;
    DatasetOptions o = opts();
    load_ok(&ds, DATA "noheader.csv", &o);
    assert_int_equal(ds.n, 3);
    assert_int_equal(ds.d, 2);
    assert_string_equal(ds.feature_names[0], "x0");
    assert_string_equal(ds.feature_names[1], "x1");
    assert_string_equal(ds.label_name, "label");
    assert_true(xat(&ds, 0, 0) == 1.5f && xat(&ds, 1, 1) == 4.25f);
    assert_string_equal(ds.class_names[0], "no");
    assert_string_equal(ds.class_names[1], "yes");
    assert_int_equal(ds.labels[0], 1);
    assert_int_equal(ds.labels[1], 0);
    dataset_free(&ds);
}

static void test_csv_single_numeric_row_is_data(void **state)
{
    Dataset ds;
    DatasetOptions o = opts();
    load_ok(&ds, DATA "one_row.csv", &o);
    assert_int_equal(ds.n, 1);
    assert_int_equal(ds.d, 2);
    assert_int_equal(ds.n_classes, 1);
    assert_string_equal(ds.class_names[0], "3");
    dataset_free(&ds);
}

static void test_csv_label_by_name_index_and_negative_index(void **state)
{
    static const char *const labels[] = {"species", "0", "-3"};
    for (size_t i = 0; i < 3; i++) {
        Dataset ds;
        DatasetOptions o = opts();
        o.label = labels[i];
        load_ok(&ds, DATA "label_first.csv", &o);
        assert_int_equal(ds.label_column, 0);
        assert_string_equal(ds.label_name, "species");
        assert_int_equal(ds.d, 2);
        assert_string_equal(ds.feature_names[0], "x");
        assert_string_equal(ds.feature_names[1], "y");
        assert_true(xat(&ds, 1, 0) == 3.0f && xat(&ds, 2, 1) == 6.0f);
        assert_int_equal(ds.n_classes, 2);
        assert_int_equal(ds.labels[1], 1);
        dataset_free(&ds);
    }
    /* By default the last column, so "species" has to be a number. */
    DatasetOptions o = opts();
    load_fails(DATA "label_first.csv", &o, DATA "label_first.csv:2:1: column 'species'", "\"A\"");
}

static void test_csv_label_errors_name_the_problem(void **state)
{
    DatasetOptions o = opts();
    o.label = "nope";
    load_fails(DATA "simple.csv", &o, DATA "simple.csv:1: no column named 'nope'",
               "a, b, c, label");
    o.label = "4";
    load_fails(DATA "simple.csv", &o, DATA "simple.csv: label column 4 is out of range",
               "4 columns");
    o.label = "-5";
    load_fails(DATA "simple.csv", &o, DATA "simple.csv: label column -5",
               "4 columns (0 to 3, or -4 to -1 counted from the last)");
    o.label = "species";
    load_fails(DATA "noheader.csv", &o, DATA "noheader.csv: the file has no header row", "index");
    /* a name two columns share: neither is taken, the indexes are offered */
    o.label = "a";
    load_fails(DATA "dup_header.csv", &o,
               DATA "dup_header.csv:1: --label a: columns 1 and 2 are both named 'a'",
               "(--label 0 or --label 1)");
    Dataset ds;
    o.label = "1";
    load_ok(&ds, DATA "dup_header.csv", &o);
    assert_int_equal(ds.label_column, 1);
    dataset_free(&ds);
}

/* ---- formats ----------------------------------------------------------- */

static void test_csv_bom_and_crlf_are_accepted(void **state)
{
    Dataset ds;
    DatasetOptions o = opts();
    load_ok(&ds, DATA "bom_crlf.csv", &o);
    assert_int_equal(ds.n, 2);
    assert_string_equal(ds.feature_names[0], "a"); /* not "\xEF\xBB\xBFa" */
    assert_string_equal(ds.class_names[0], "x");
    assert_string_equal(ds.class_names[1], "y"); /* not "y\r" */
    assert_true(xat(&ds, 1, 0) == 3.0f && xat(&ds, 1, 1) == 4.0f);
    dataset_free(&ds);
    load_fails(DATA "bom_crlf_bad.csv", &o, DATA "bom_crlf_bad.csv:4:2: column 'b'", "\"6x\"");
}

static void test_csv_quoted_fields_follow_rfc4180(void **state)
{
    Dataset ds;
    DatasetOptions o = opts();
    load_ok(&ds, DATA "quoted.csv", &o);
    assert_int_equal(ds.n, 4);
    assert_string_equal(ds.feature_names[0], "name, with comma");
    assert_int_equal(ds.n_classes, 3);
    assert_string_equal(ds.class_names[0], "a \"quoted\" class");
    assert_string_equal(ds.class_names[1], "multi\nline");
    assert_string_equal(ds.class_names[2], "plain");
    assert_int_equal(ds.labels[0], 0);
    assert_int_equal(ds.labels[1], 1);
    assert_int_equal(ds.labels[2], 0);
    assert_int_equal(ds.labels[3], 2);
    assert_true(xat(&ds, 0, 0) == 1.5f && xat(&ds, 1, 1) == 4.0f && xat(&ds, 3, 0) == 7.0f);
    dataset_free(&ds);
}

static void test_csv_line_numbers_count_physical_lines(void **state)
{
    DatasetOptions o = opts();
    /* A quoted field spanning lines 2-3, so "bad" is on line 5. */
    load_fails(DATA "quoted_then_bad.csv", &o, DATA "quoted_then_bad.csv:5:1: column 'a'",
               "\"bad\"");
    /* Blank and whitespace-only lines count too. */
    load_fails(DATA "blank_lines_bad.csv", &o, DATA "blank_lines_bad.csv:7:2: column 'b'",
               "\"oops\"");
}

static void test_csv_blank_lines_are_skipped(void **state)
{
    Dataset ds;
    DatasetOptions o = opts();
    load_ok(&ds, DATA "blank_lines.csv", &o);
    assert_int_equal(ds.n, 2);
    assert_true(xat(&ds, 0, 0) == 1.0f && xat(&ds, 1, 1) == 4.0f);
    assert_int_equal(ds.labels[1], 1);
    dataset_free(&ds);
}

static void test_csv_custom_delimiter(void **state)
{
    Dataset ds;
    DatasetOptions o = opts();
    o.delimiter = ';';
    load_ok(&ds, DATA "semicolon.csv", &o);
    assert_int_equal(ds.n, 2);
    assert_int_equal(ds.d, 2);
    assert_true(xat(&ds, 0, 0) == 1.5f && xat(&ds, 1, 1) == 4.0f);
    dataset_free(&ds);
    o.delimiter = '\t';
    load_ok(&ds, DATA "tab.tsv", &o);
    assert_int_equal(ds.n, 2);
    assert_string_equal(ds.feature_names[1], "b");
    assert_true(xat(&ds, 0, 0) == 1.5f);
    assert_string_equal(ds.name, "tab");
    dataset_free(&ds);
}

static void test_csv_wrong_or_invalid_delimiter(void **state)
{
    DatasetOptions o = opts();
    /* A delimiter given is used, not second-guessed. */
    o.delimiter = ',';
    load_fails(DATA "semicolon.csv", &o, DATA "semicolon.csv:1: only one column",
               "is comma ',' the right delimiter?");
    o.delimiter = '\t';
    load_fails(DATA "semicolon.csv", &o, DATA "semicolon.csv:1: only one column",
               "is tab the right delimiter?");
    o.delimiter = '"';
    Dataset ds;
    Error err = {0};
    assert_int_equal(dataset_load_csv(&ds, DATA "simple.csv", &o, &err), ERROR_INPUT);
    expect_msg(&err, "delimiter");
    assert_false(ds.owns);
    dataset_free(&ds);
}

/* With no delimiter given, the one that splits the first records into one
 * same number of fields is used, and ds says it was detected. */
static void test_csv_delimiter_is_detected_from_the_first_lines(void **state)
{
    static const struct {
        const char *name, *text;
        char delim;
        float x11; /* row 1, feature 1 */
    } cases[] = {
        {"comma.csv", "a,b,label\n1.5,2,x\n3,4,y\n", ',', 4.0f},
        {"semi.csv", "a;b;label\n1.5;2;x\n3;4;y\n", ';', 4.0f},
        {"tab.csv", "a\tb\tlabel\n1.5\t2\tx\n3\t4\ty\n", '\t', 4.0f},
        {"pipe.csv", "a|b|label\n1.5|2|x\n3|4|y\n", '|', 4.0f},
        /* the other candidates, and a line end, inside quotes */
        {"semi_quoted.csv", "a;b;label\n1.5;2;\"x, y | z\"\n3;4;\"two\nlines; here, too\"\n", ';',
         4.0f},
        {"comma_quoted.csv", "a,b,label\n1.5,2,\"x; y; z\"\n3,4,\"p;q\"\n", ',', 4.0f},
        /* a BOM, CRLF, blank lines and no header */
        {"tab_crlf.csv", "\xEF\xBB\xBF\r\n1.5\t2\tx\r\n\r\n3\t4\ty\r\n", '\t', 4.0f},
        /* a blank other than the delimiter around the fields */
        {"semi_blanks.csv", "a ; b ; label\n 1.5 ; 2 ; x\n3 ;4; y\n", ';', 4.0f},
        /* no final newline: the last record still counts */
        {"pipe_short.csv", "a|b|label\n1.5|2|x\n3|4|y", '|', 4.0f},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tmp_text(cases[i].name, cases[i].text);
        Dataset ds;
        DatasetOptions o = opts();
        load_ok(&ds, tmp_path(cases[i].name), &o);
        if (ds.delimiter != cases[i].delim)
            fail_msg("%s: delimiter 0x%02x, want 0x%02x", cases[i].name, ds.delimiter,
                     cases[i].delim);
        assert_true(ds.delimiter_detected);
        assert_int_equal(ds.n, 2);
        assert_int_equal(ds.d, 2);
        assert_int_equal(ds.n_classes, 2);
        assert_true(xat(&ds, 0, 0) == 1.5f && xat(&ds, 1, 1) == cases[i].x11);
        dataset_free(&ds);
    }
    /* A delimiter given is said not to be detected. */
    Dataset ds;
    DatasetOptions o = opts();
    o.delimiter = ';';
    load_ok(&ds, DATA "semicolon.csv", &o);
    assert_int_equal(ds.delimiter, ';');
    assert_false(ds.delimiter_detected);
    dataset_free(&ds);
}

/* Ties and doubt: a comma when the candidates split the records alike; one
 * ragged record does not hide the delimiter the others agree on; only the
 * first 20 records are looked at. */
static void test_csv_delimiter_detection_when_in_doubt(void **state)
{
    DatasetOptions o = opts();
    /* comma and semicolon each give consistent records with two numbers:
     * the comma wins, so "2;3" is no number */
    tmp_text("tie.csv", "a,b;c,d\n1,2;3,4\n");
    load_fails(tmp_path("tie.csv"), &o, tmp_path("tie.csv"),
               ":2:2: column 'b;c': expected a number, got \"2;3\"");
    /* a short row among semicolon ones is reported as short */
    tmp_text("ragged_semi.csv", "a;b;label\n1;2;x\n3;4\n5;6;y\n");
    load_fails(tmp_path("ragged_semi.csv"), &o, tmp_path("ragged_semi.csv"),
               ":3: expected 3 fields, got 2");
    /* the records after the 20th do not count: a pipe file whose later
     * lines have commas in their labels is still read on pipes */
    FILE *f = tmp_create("late.csv");
    fputs("a|b|label\n", f);
    for (int i = 0; i < 25; i++) fprintf(f, "%d|%d|%s\n", i, i % 3, i < 19 ? "x" : "y,z,w");
    fclose(f);
    Dataset ds;
    load_ok(&ds, tmp_path("late.csv"), &o);
    assert_int_equal(ds.delimiter, '|');
    assert_int_equal(ds.n, 25);
    assert_string_equal(ds.class_names[1], "y,z,w");
    dataset_free(&ds);
}

/* Numbers written with a decimal comma, as spreadsheets in many locales
 * save them, are said to be that, at their line and column: with ';' as
 * the delimiter, quoted in a comma file, without a header, and in the label
 * column (which would otherwise be taken for class names). */
static void test_csv_decimal_commas_are_reported_as_such(void **state)
{
    static const struct {
        const char *name, *text, *where;
    } cases[] = {
        {"dc_semi.csv", "a;b;c;label\n5,1;3,5;1,4;x\n6;2;1;y\n", ":2:1: column 'a': \"5,1\""},
        {"dc_later.csv", "a;b;label\n5.1;3;x\n6;2,25;y\n", ":3:2: column 'b': \"2,25\""},
        {"dc_quoted.csv", "a,b,c,label\n\"5,1\",\"3,5\",\"1,4\",x\n6,2,1,y\n",
         ":2:1: column 'a': \"5,1\""},
        {"dc_noheader.csv", "5,1;3,5;1,4;x\n6,2;2,9;1,3;y\n", ":1:1: \"5,1\""},
        {"dc_blanks.csv", "a;b;label\n1; -0,5 ;x\n", ":2:2: column 'b': \"-0,5\""},
        {"dc_label.csv", "a;b;y\n1;2;3,5\n2;3;4,25\n", ":2:3: column 'y': the label \"3,5\""},
    };
    DatasetOptions o = opts();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tmp_text(cases[i].name, cases[i].text);
        char prefix[300];
        snprintf(prefix, sizeof prefix, "%s%s", tmp_path(cases[i].name), cases[i].where);
        load_fails(tmp_path(cases[i].name), &o, prefix, "appears to use a decimal comma");
    }
    /* 1001 distinct labels with decimal commas: still said to be that */
    FILE *f = tmp_create("dc_many.csv");
    fputs("a;y\n", f);
    for (int i = 0; i < 1001; i++) fprintf(f, "%d;%d,5\n", i, i);
    fclose(f);
    char prefix[300];
    snprintf(prefix, sizeof prefix, "%s:2:2: column 'y': the label \"0,5\"",
             tmp_path("dc_many.csv"));
    load_fails(tmp_path("dc_many.csv"), &o, prefix, "decimal comma");
    /* Text with commas is still text: a class name, or not a number. */
    tmp_text("dc_text.csv", "a;label\n1;\"red, dark\"\n2;5,1 and more\n");
    Dataset ds;
    load_ok(&ds, tmp_path("dc_text.csv"), &o);
    assert_int_equal(ds.n_classes, 2);
    dataset_free(&ds);
    tmp_text("dc_two.csv", "a;b;label\n1;1,2,3;x\n");
    load_fails(tmp_path("dc_two.csv"), &o, tmp_path("dc_two.csv"),
               ":2:2: column 'b': expected a number, got \"1,2,3\"");
}

/* A NUL byte is named at its line and the field it is in, wherever it is:
 * the header, a field's middle, after a delimiter, inside a quoted field
 * spanning lines, or past the first chunk the reader takes. */
static void test_csv_nul_byte_names_line_and_column(void **state)
{
    static const struct {
        const char *name;
        const char *text;
        size_t len;
        const char *where;
    } cases[] = {
#define NUL_CASE(name, text, where) {name, text, sizeof text - 1, where}
        NUL_CASE("nul_header.csv", "a,\0b,label\n1,2,x\n", ":1:2: NUL byte"),
        NUL_CASE("nul_mid.csv", "a,b,label\n1,2,x\n3,4\0,y\n", ":3:2: NUL byte"),
        NUL_CASE("nul_after_delim.csv", "a,b,label\n1,2,x\n3,4,\0y\n", ":3:3: NUL byte"),
        NUL_CASE("nul_quoted.csv", "a,b,label\n1,2,\"x\ny\0\"\n", ":3:3: NUL byte"),
        NUL_CASE("nul_semi.csv", "a;b;label\n1;2;x\n3;\0;y\n", ":3:2: NUL byte"),
#undef NUL_CASE
    };
    DatasetOptions o = opts();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *f = tmp_create(cases[i].name);
        fwrite(cases[i].text, 1, cases[i].len, f);
        fclose(f);
        char prefix[300];
        snprintf(prefix, sizeof prefix, "%s%s", tmp_path(cases[i].name), cases[i].where);
        load_fails(tmp_path(cases[i].name), &o, prefix, "binary");
    }
    /* 100000 lines of numbers (past the first 256 KiB read), then a NUL
     * in the third field of line 100002 */
    FILE *f = tmp_create("nul_far.csv");
    fputs("a,b,label\n", f);
    for (int i = 0; i < 100000; i++) fprintf(f, "%d,%d,x\n", i, i % 7);
    fwrite("1,2,x\0\n", 1, 7, f);
    fclose(f);
    char prefix[300];
    snprintf(prefix, sizeof prefix, "%s:100002:3: NUL byte", tmp_path("nul_far.csv"));
    load_fails(tmp_path("nul_far.csv"), &o, prefix, NULL);
}

static void test_csv_blanks_around_values_and_number_forms(void **state)
{
    Dataset ds;
    DatasetOptions o = opts();
    load_ok(&ds, DATA "spaces.csv", &o);
    assert_true(xat(&ds, 0, 0) == 1.5f && xat(&ds, 0, 1) == 2.0f && xat(&ds, 1, 0) == 3.0f);
    assert_string_equal(ds.class_names[1], "y");
    dataset_free(&ds);

    load_ok(&ds, DATA "numbers.csv", &o);
    assert_true(xat(&ds, 0, 0) == 0.5f && xat(&ds, 0, 1) == 5.0f);
    assert_true(xat(&ds, 1, 0) == 0.0f && xat(&ds, 1, 1) == 1e-3f);
    assert_true(xat(&ds, 2, 1) == 3.4028234e38f);
    dataset_free(&ds);

    load_ok(&ds, DATA "no_trailing_newline.csv", &o);
    assert_int_equal(ds.n, 2);
    assert_true(xat(&ds, 0, 0) == -1.5e-3f && xat(&ds, 0, 1) == 200.0f);
    assert_string_equal(ds.class_names[1], "y");
    assert_int_equal(ds.labels[1], 1);
    dataset_free(&ds);
}

/* ---- labels and tasks ---------------------------------------------------- */

static void test_csv_integer_labels_sort_numerically(void **state)
{
    Dataset ds;
    DatasetOptions o = opts();
    load_ok(&ds, DATA "int_labels.csv", &o);
    assert_int_equal(ds.task, TASK_CLASSIFICATION);
    assert_int_equal(ds.n_classes, 3);
    assert_string_equal(ds.class_names[0], "1");
    assert_string_equal(ds.class_names[1], "2");
    assert_string_equal(ds.class_names[2], "10"); /* strcmp would put it second */
    static const int want[] = {2, 1, 0, 1, 2, 0};
    for (int i = 0; i < 6; i++) assert_int_equal(ds.labels[i], want[i]);
    assert_null(ds.targets);
    dataset_free(&ds);
}

static void test_csv_string_labels_sort_by_strcmp(void **state)
{
    Dataset ds;
    DatasetOptions o = opts();
    load_ok(&ds, DATA "mixed_labels.csv", &o); /* 2, cat, 1, cat */
    assert_int_equal(ds.n_classes, 3);
    assert_string_equal(ds.class_names[0], "1");
    assert_string_equal(ds.class_names[1], "2");
    assert_string_equal(ds.class_names[2], "cat");
    static const int want[] = {1, 2, 0, 2};
    for (int i = 0; i < 4; i++) assert_int_equal(ds.labels[i], want[i]);
    dataset_free(&ds);
}

static void test_csv_many_integers_or_fractions_are_regression(void **state)
{
    Dataset ds;
    DatasetOptions o = opts();
    load_ok(&ds, DATA "int_labels_many.csv", &o); /* 25 distinct > DATASET_MAX_INT_CLASSES */
    assert_int_equal(ds.task, TASK_REGRESSION);
    assert_int_equal(ds.n_classes, 0);
    assert_null(ds.labels);
    assert_null(ds.class_names);
    assert_true(ds.targets[3] == 21.0f && ds.targets[24] == 168.0f);
    dataset_free(&ds);

    load_ok(&ds, DATA "float_labels.csv", &o);
    assert_int_equal(ds.task, TASK_REGRESSION);
    assert_string_equal(ds.label_name, "target");
    assert_true(ds.targets[0] == 0.5f && ds.targets[1] == 1.5f && ds.targets[2] == -2.25f);
    dataset_free(&ds);
}

static void test_csv_more_than_1000_numeric_labels_is_regression(void **state)
{
    FILE *f = tmp_create("regress.csv");
    fprintf(f, "a,y\n");
    for (int i = 0; i < 1500; i++) fprintf(f, "%d,%d.25\n", i, i);
    fclose(f);
    Dataset ds;
    DatasetOptions o = opts();
    load_ok(&ds, tmp_path("regress.csv"), &o);
    assert_int_equal(ds.task, TASK_REGRESSION);
    assert_int_equal(ds.n, 1500);
    assert_true(ds.targets[0] == 0.25f && ds.targets[1499] == 1499.25f);
    dataset_free(&ds);
}

static void test_csv_more_than_1000_string_labels_is_refused(void **state)
{
    FILE *f = tmp_create("classes.csv");
    fprintf(f, "a,y\n");
    for (int i = 0; i < 1200; i++) fprintf(f, "%d,c%d\n", i, i);
    fclose(f);
    DatasetOptions o = opts();
    char prefix[300];
    /* The 1001st distinct label is on line 1002 (after the header). */
    snprintf(prefix, sizeof prefix, "%s:1002:2: column 'y'", tmp_path("classes.csv"));
    load_fails(tmp_path("classes.csv"), &o, prefix, "more than 1000 distinct labels");
}

/* ---- missing values ------------------------------------------------------ */

static void test_csv_missing_value_is_an_error_by_default(void **state)
{
    DatasetOptions o = opts();
    load_fails(DATA "missing.csv", &o, DATA "missing.csv:3:1: column 'a'", "missing value");
    load_fails(DATA "bad_nan.csv", &o, DATA "bad_nan.csv:2:3: column 'c'", "\"nan\"");
}

static void test_csv_missing_drop_removes_rows(void **state)
{
    Dataset ds;
    DatasetOptions o = opts();
    o.missing = MISSING_DROP;
    load_ok(&ds, DATA "missing.csv", &o);
    assert_int_equal(ds.n, 2);
    assert_int_equal(ds.dropped_rows, 4);
    assert_int_equal(ds.missing, 4);
    assert_non_null(ds.feature_missing);
    assert_int_equal(ds.feature_missing[0], 1);
    assert_int_equal(ds.feature_missing[1], 3);
    assert_true(xat(&ds, 0, 0) == 1.0f && xat(&ds, 0, 1) == 10.0f);
    assert_true(xat(&ds, 1, 0) == 6.0f && xat(&ds, 1, 1) == 60.0f);
    /* The dropped rows' labels leave no trace. */
    assert_int_equal(ds.n_classes, 2);
    assert_int_equal(ds.labels[0], 0);
    assert_int_equal(ds.labels[1], 1);
    FeatureStats st[2];
    dataset_stats(&ds, st);
    assert_int_equal(st[1].missing, 3);
    dataset_free(&ds);

    /* nan is a missing value once a policy is chosen. */
    load_ok(&ds, DATA "bad_nan.csv", &o);
    assert_int_equal(ds.n, 1);
    assert_true(xat(&ds, 0, 2) == 6.0f);
    dataset_free(&ds);
}

static void test_csv_missing_mean_imputes_column_means(void **state)
{
    Dataset ds;
    DatasetOptions o = opts();
    o.missing = MISSING_MEAN;
    load_ok(&ds, DATA "missing.csv", &o);
    assert_int_equal(ds.n, 6);
    assert_int_equal(ds.dropped_rows, 0);
    assert_int_equal(ds.missing, 4);
    assert_float_equal(xat(&ds, 1, 0), 3.8f, 1e-6); /* mean of 1, 3, 4, 5, 6 */
    for (size_t r = 2; r <= 4; r++) assert_float_equal(xat(&ds, r, 1), 30.0f, 1e-6);
    assert_true(xat(&ds, 0, 0) == 1.0f && xat(&ds, 5, 1) == 60.0f);
    for (size_t i = 0; i < ds.n * 2; i++) assert_false(isnan(ds.x[i]));
    dataset_free(&ds);
}

static void test_csv_missing_policies_still_refuse_non_numbers(void **state)
{
    DatasetOptions o = opts();
    o.missing = MISSING_MEAN;
    load_fails(DATA "bad_inf.csv", &o, DATA "bad_inf.csv:2:2: column 'b'", "\"inf\"");
    o.missing = MISSING_DROP;
    load_fails(DATA "bad_number.csv", &o, DATA "bad_number.csv:3:2:", "\"abc\"");
}

static void test_csv_missing_label(void **state)
{
    DatasetOptions o = opts();
    load_fails(DATA "missing_label.csv", &o, DATA "missing_label.csv:3:3: column 'label'",
               "missing label");
    o.missing = MISSING_MEAN;
    load_fails(DATA "missing_label.csv", &o, DATA "missing_label.csv:3:3:", "missing label");
    o.missing = MISSING_DROP;
    Dataset ds;
    load_ok(&ds, DATA "missing_label.csv", &o);
    assert_int_equal(ds.n, 2);
    assert_int_equal(ds.dropped_rows, 1);
    assert_true(xat(&ds, 1, 0) == 5.0f);
    dataset_free(&ds);
}

/* skip_label (predict): the label column is found and skipped unread, so
 * a missing label keeps its row; the features are as with labels. */
static void test_csv_skip_label_keeps_rows_with_missing_labels(void **state)
{
    DatasetOptions o = opts();
    o.skip_label = true;
    Dataset ds;
    load_ok(&ds, DATA "missing_label.csv", &o);
    assert_int_equal(ds.n, 3);
    assert_int_equal(ds.d, 2);
    assert_int_equal(ds.dropped_rows, 0);
    assert_int_equal(ds.label_column, 2);
    assert_string_equal(ds.label_name, "label");
    assert_null(ds.labels);
    assert_null(ds.targets);
    assert_true(xat(&ds, 2, 0) == 5.0f);
    dataset_free(&ds);
}

static void test_csv_column_with_no_values(void **state)
{
    DatasetOptions o = opts();
    o.missing = MISSING_MEAN;
    load_fails(DATA "all_missing_column.csv", &o, DATA "all_missing_column.csv: column 2 ('b')",
               "no values");
    o.missing = MISSING_DROP;
    load_fails(DATA "all_missing_column.csv", &o, DATA "all_missing_column.csv: all 3 rows",
               "missing values");
}

/* ---- malformed input ------------------------------------------------------- */

static void test_csv_bad_numbers_name_file_line_column(void **state)
{
    static const struct {
        const char *file, *prefix, *text;
    } cases[] = {
        {"bad_number.csv", ":3:2: column 'b': expected a number", "\"abc\""},
        {"bad_overflow.csv", ":3:1: column 'a': \"1e99\" is outside the range of a float", NULL},
        {"bad_inf.csv", ":2:2: column 'b': expected a number", "\"inf\""},
        {"bad_double_dot.csv", ":4:1: column 'a': expected a number", "\"1.2.3\""},
        {"bad_trailing.csv", ":2:2: column 'b': expected a number", "\"2.5kg\""},
        {"noheader_bad.csv", ":2:2: expected a number", "\"zz\""},
    };
    DatasetOptions o = opts();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[128], prefix[256];
        snprintf(path, sizeof path, DATA "%s", cases[i].file);
        snprintf(prefix, sizeof prefix, "%s%s", path, cases[i].prefix);
        load_fails(path, &o, prefix, cases[i].text);
    }
}

static void test_csv_ragged_rows(void **state)
{
    DatasetOptions o = opts();
    /* The short row has a word where a number belongs: the count is the
     * better explanation. */
    load_fails(DATA "ragged.csv", &o, DATA "ragged.csv:4: expected 5 fields, got 4", NULL);
    load_fails(DATA "ragged_long.csv", &o, DATA "ragged_long.csv:3: expected 5 fields, got 6",
               NULL);
    load_fails(DATA "ragged_second.csv", &o, DATA "ragged_second.csv:2: expected 3 fields, got 2",
               NULL);
}

static void test_csv_quoting_errors(void **state)
{
    DatasetOptions o = opts();
    load_fails(DATA "unterminated_quote.csv", &o,
               DATA "unterminated_quote.csv:2:3:", "unterminated quote");
    load_fails(DATA "stray_quote.csv", &o, DATA "stray_quote.csv:2:2:", "malformed quoting");
}

static void test_csv_empty_header_only_binary_one_column(void **state)
{
    DatasetOptions o = opts();
    load_fails(DATA "empty.csv", &o, DATA "empty.csv: empty file", NULL);
    load_fails(DATA "blank_only.csv", &o, DATA "blank_only.csv: no rows (only blank lines)", NULL);
    load_fails(DATA "header_only.csv", &o, DATA "header_only.csv:1: only a header row", NULL);
    load_fails(DATA "binary.csv", &o, DATA "binary.csv:3:1: NUL byte", "binary");
    load_fails(DATA "single_column.csv", &o, DATA "single_column.csv:1: only one column",
               "no comma, semicolon, tab or pipe splits the first lines into fields");
}

static void test_csv_unopenable_paths(void **state)
{
    DatasetOptions o = opts();
    load_fails(DATA "no_such_file.csv", &o, DATA "no_such_file.csv: can't open", "No such file");
    load_fails("tests/data", &o, "tests/data: is a directory", NULL);
    load_fails(DATA "simple.csv/x.csv", &o, DATA "simple.csv/x.csv: can't open", "Not a directory");
    if (geteuid() == 0) return; /* root reads anything: no unreadable file to make */
    tmp_text("locked.csv", "a,b\n1,2\n");
    assert_int_equal(chmod(tmp_path("locked.csv"), 0), 0);
    char prefix[300];
    snprintf(prefix, sizeof prefix, "%s: can't open", tmp_path("locked.csv"));
    load_fails(tmp_path("locked.csv"), &o, prefix, "Permission denied");
}

/* ---- sizes --------------------------------------------------------------- */

static void write_wide(const char *name, int columns, int rows)
{
    FILE *f = tmp_create(name);
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < columns; c++)
            fprintf(f, "%d%c", (c + r) % 10, c + 1 < columns ? ',' : '\n');
    fclose(f);
}

static void test_csv_feature_limit(void **state)
{
    /* Exactly DATASET_MAX_FEATURES features load ... */
    write_wide("wide_ok.csv", DATASET_MAX_FEATURES + 1, 2);
    Dataset ds;
    DatasetOptions o = opts();
    load_ok(&ds, tmp_path("wide_ok.csv"), &o);
    assert_int_equal(ds.d, DATASET_MAX_FEATURES);
    assert_int_equal(ds.n, 2);
    assert_true(xat(&ds, 1, DATASET_MAX_FEATURES - 1) == (float)(DATASET_MAX_FEATURES % 10));
    dataset_free(&ds);
    /* ... one more is refused while reading the first row. */
    write_wide("wide.csv", DATASET_MAX_FEATURES + 2, 2);
    char prefix[300];
    snprintf(prefix, sizeof prefix, "%s:1:%d: more than", tmp_path("wide.csv"),
             DATASET_MAX_FEATURES + 2);
    load_fails(tmp_path("wide.csv"), &o, prefix, "columns");
}

static void test_csv_unterminated_quote_in_a_big_file(void **state)
{
    /* An unterminated quote on line 3 swallows the rest of a big file,
     * which is read to its end and said to never close. */
    FILE *f = tmp_create("runaway.csv");
    fputs("a,b,label\n1,2,x\n3,4,\"y\n", f);
    for (int i = 0; i < 200000; i++) fputs("5,6,z\n", f);
    fclose(f);
    DatasetOptions o = opts();
    char prefix[300];
    snprintf(prefix, sizeof prefix, "%s:3:3: unterminated quote", tmp_path("runaway.csv"));
    load_fails(tmp_path("runaway.csv"), &o, prefix, NULL);
}

/* A quoted field has no length limit of its own: a label of 3 MiB of text,
 * with delimiters and line ends inside, is one field. */
static void test_csv_quoted_field_longer_than_1_mib_loads(void **state)
{
    const size_t long_len = 3u << 20;
    FILE *f = tmp_create("long_field.csv");
    fputs("a,b,label\n1,2,short\n3,4,\"", f);
    /* (the blanks a label is trimmed of not at its ends) */
    for (size_t i = 0; i < long_len; i++)
        fputc(i % 1000 == 999 ? '\n' : i + 1 == long_len ? 'z' : "ab,;|\t"[i % 6], f);
    fputs("\"\n5,6,short\n", f);
    fclose(f);
    Dataset ds;
    DatasetOptions o = opts();
    load_ok(&ds, tmp_path("long_field.csv"), &o);
    assert_int_equal(ds.n, 3);
    assert_int_equal(ds.d, 2);
    assert_int_equal(ds.delimiter, ',');
    assert_int_equal(ds.n_classes, 2);
    /* "short" sorts after the long label, which starts with 'a' */
    assert_int_equal(strlen(ds.class_names[0]), long_len);
    assert_string_equal(ds.class_names[1], "short");
    assert_int_equal(ds.labels[1], 0);
    assert_true(xat(&ds, 2, 1) == 6.0f);
    dataset_free(&ds);
}

/* The bound on memory is the whole file's size: a (sparse) file larger
 * than half this machine's memory is refused before anything is read,
 * naming the file and the sizes. */
static void test_csv_file_larger_than_half_the_memory_is_refused(void **state)
{
    double have = sysmem_total();
    if (have <= 0) {
        skip(); /* the memory is unknown: nothing is refused */
        return;
    }
    off_t size = (off_t)(have / 2) + 4096;
    int fd = open(tmp_path("huge.csv"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, size), 0);
    close(fd);
    Dataset ds;
    memset(&ds, 0x5a, sizeof ds);
    Error err = {0};
    DatasetOptions o = opts();
    assert_int_equal(dataset_load_csv(&ds, tmp_path("huge.csv"), &o, &err), ERROR_RUNTIME);
    char prefix[1024];
    snprintf(prefix, sizeof prefix, "%s: %.1f GB, more than half of this machine's %.1f GB",
             tmp_path("huge.csv"), (double)size / 1e9, have / 1e9);
    expect_prefix(&err, prefix);
    expect_msg(&err, "too large a data file to load");
    assert_false(ds.owns);
    assert_null(ds.x);
    /* dataset_load tells CSV from IDX by the first bytes, then the same */
    assert_int_equal(dataset_load(&ds, tmp_path("huge.csv"), &o, &err), ERROR_RUNTIME);
    expect_prefix(&err, prefix);
    dataset_free(&ds);
    unlink(tmp_path("huge.csv"));
}

static void test_csv_grows_past_first_allocation(void **state)
{
    /* 300000 rows of 2 features: more than the first 1 MiB holds. */
    FILE *f = tmp_create("long.csv");
    fputs("a,b,y\n", f);
    for (int i = 0; i < 300000; i++) fprintf(f, "%d,%d.5,%d\n", i, i % 1000, i % 3);
    fclose(f);
    Dataset ds;
    DatasetOptions o = opts();
    load_ok(&ds, tmp_path("long.csv"), &o);
    assert_int_equal(ds.n, 300000);
    assert_true(xat(&ds, 299999, 0) == 299999.0f && xat(&ds, 299999, 1) == 999.5f);
    assert_true(xat(&ds, 123456, 0) == 123456.0f);
    assert_int_equal(ds.labels[299999], 299999 % 3);
    assert_int_equal(ds.n_classes, 3);
    dataset_free(&ds);
}

static void test_csv_real_datasets(void **state)
{
    Dataset ds;
    DatasetOptions o = opts();
    load_ok(&ds, "datasets/iris.csv", &o);
    assert_int_equal(ds.n, 150);
    assert_int_equal(ds.d, 4);
    assert_int_equal(ds.n_classes, 3);
    assert_string_equal(ds.class_names[0], "setosa");
    assert_string_equal(ds.class_names[1], "versicolor");
    assert_string_equal(ds.class_names[2], "virginica");
    assert_string_equal(ds.label_name, "species");
    assert_true(xat(&ds, 0, 0) == 5.1f && xat(&ds, 149, 3) == 1.8f);
    dataset_free(&ds);

    load_ok(&ds, "datasets/diabetes.csv", &o);
    assert_int_equal(ds.n, 442);
    assert_int_equal(ds.d, 10);
    assert_int_equal(ds.task, TASK_REGRESSION);
    assert_true(ds.targets[0] == 151.0f && ds.targets[1] == 75.0f);
    dataset_free(&ds);
}

/* The loader splits plain lines itself and hands lines with a quote (or a
 * stray CR) to libcsv; the two must agree.  spell writes the same table
 * both ways: plain (blanks around values, CRLF on some lines, a few lines
 * quoted) or every field quoted, which sends each line through libcsv. */
static void write_mixed(const char *name, bool all_quoted, int rows, int bad_row,
                        const char *bad_text)
{
    FILE *f = tmp_create(name);
    Rng rng;
    rng_seed(&rng, 5);
    fputs(all_quoted ? "\"f0\",\"f1\",\"f2\",\"label\"\n" : " f0 ,f1,\tf2,label\n", f);
    for (int r = 0; r < rows; r++) {
        char v[4][48];
        for (int c = 0; c < 3; c++) {
            uint64_t k = rng_below(&rng, 6);
            if (k == 0)
                snprintf(v[c], sizeof v[c], "%s", rng_below(&rng, 2) ? "?" : "");
            else if (k == 1)
                snprintf(v[c], sizeof v[c], "%de%d", (int)rng_below(&rng, 2000) - 1000,
                         (int)rng_below(&rng, 20) - 10);
            else
                snprintf(v[c], sizeof v[c], "%.*f", (int)rng_below(&rng, 9),
                         (double)(int64_t)rng_below(&rng, 2000001) / 1000.0 - 1000.0);
        }
        snprintf(v[3], sizeof v[3], "%s", rng_below(&rng, 2) ? "cat" : "dog");
        if (r == bad_row) snprintf(v[1], sizeof v[1], "%s", bad_text);
        bool quoted = rng_below(&rng, 50) == 0 || all_quoted; /* same draws both ways */
        bool pad = rng_below(&rng, 4) == 0 && !all_quoted;
        for (int c = 0; c < 4; c++) {
            if (quoted)
                fprintf(f, "\"%s\"", v[c]);
            else
                fprintf(f, pad ? " \t%s " : "%s", v[c]);
            if (c < 3) fputc(',', f);
        }
        fputs(r % 7 == 3 ? "\r\n" : "\n", f);
        if (r % 1000 == 999) fputs(r % 2000 == 999 ? "\n" : " \t \r\n", f); /* blank lines */
    }
    fclose(f);
}

static void test_csv_plain_and_quoted_lines_load_alike(void **state)
{
    /* Over 256 KiB so that lines also straddle the reader's chunks. */
    write_mixed("mixed_plain.csv", false, 30000, -1, NULL);
    write_mixed("mixed_quoted.csv", true, 30000, -1, NULL);
    DatasetOptions o = opts();
    o.missing = MISSING_MEAN;
    Dataset a, b;
    load_ok(&a, tmp_path("mixed_plain.csv"), &o);
    load_ok(&b, tmp_path("mixed_quoted.csv"), &o);
    assert_int_equal(a.n, 30000);
    assert_int_equal(a.n, b.n);
    assert_int_equal(a.d, 3);
    assert_int_equal(b.d, 3);
    assert_true(a.missing > 1000);
    assert_int_equal(a.missing, b.missing);
    for (int f = 0; f < 3; f++) {
        assert_string_equal(a.feature_names[f], b.feature_names[f]);
        assert_int_equal(a.feature_missing[f], b.feature_missing[f]);
    }
    assert_string_equal(a.feature_names[0], "f0"); /* blanks trimmed */
    assert_string_equal(a.feature_names[2], "f2");
    assert_int_equal(a.n_classes, 2);
    assert_memory_equal(a.x, b.x, a.n * 3 * sizeof(float));
    assert_memory_equal(a.labels, b.labels, a.n * sizeof(int));
    dataset_free(&a);
    dataset_free(&b);
}

static void test_csv_errors_on_plain_lines_name_the_same_place(void **state)
{
    static const struct {
        int row;
        const char *text, *what;
    } cases[] = {
        {5, "abc", "expected a number, got \"abc\""},
        {20000, "1.5.2", "expected a number, got \"1.5.2\""},
        {20001, "NA", "missing value \"NA\""},
    };
    DatasetOptions o = opts();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_mixed("err_plain.csv", false, 30000, cases[i].row, cases[i].text);
        write_mixed("err_quoted.csv", true, 30000, cases[i].row, cases[i].text);
        Dataset ds;
        Error ea = {0}, eb = {0};
        /* Missing values are accepted in the first two cases; in the third
         * the first one in the file fails, wherever it is. */
        o.missing = i == 2 ? MISSING_ERROR : MISSING_MEAN;
        assert_int_not_equal(dataset_load_csv(&ds, tmp_path("err_plain.csv"), &o, &ea), ERROR_NONE);
        assert_int_not_equal(dataset_load_csv(&ds, tmp_path("err_quoted.csv"), &o, &eb),
                             ERROR_NONE);
        const char *pa = strchr(ea.msg, ':'), *pb = strchr(eb.msg, ':');
        assert_non_null(pa);
        assert_non_null(pb);
        assert_string_equal(pa, pb);
        if (i < 2) {
            /* Line = row + header + the blank lines before it; column 2. */
            char want[64];
            snprintf(want, sizeof want,
                     ":%d:2: column 'f1': ", cases[i].row + 2 + cases[i].row / 1000);
            if (strncmp(pa, want, strlen(want)) != 0)
                fail_msg("message \"%s\" does not start with \"%s\"", ea.msg, want);
            expect_msg(&ea, cases[i].what);
        }
    }
}

static void test_csv_plain_line_edge_cases(void **state)
{
    /* Empty fields at either end, blanks-only fields, a tab delimiter with
     * spaces around values, a CR inside a line (two records to libcsv), and
     * a last line without its newline. */
    tmp_text("edges.csv", "a,b,c,y\n,1,2,x\n3, ,4,x\n5,6,,y\n7,8,9,y");
    Dataset ds;
    DatasetOptions o = opts();
    o.missing = MISSING_MEAN;
    load_ok(&ds, tmp_path("edges.csv"), &o);
    assert_int_equal(ds.n, 4);
    assert_int_equal(ds.missing, 3);
    assert_true(xat(&ds, 0, 0) == 5.0f && xat(&ds, 1, 1) == 5.0f && xat(&ds, 2, 2) == 5.0f);
    assert_true(xat(&ds, 3, 2) == 9.0f);
    dataset_free(&ds);

    tmp_text("edges.tsv", "a\tb\ty\n 1 \t 2 \t x \n3\t4\ty\r\n");
    o = opts();
    o.delimiter = '\t';
    load_ok(&ds, tmp_path("edges.tsv"), &o);
    assert_int_equal(ds.n, 2);
    assert_string_equal(ds.class_names[0], "x");
    assert_true(xat(&ds, 0, 1) == 2.0f && xat(&ds, 1, 0) == 3.0f);
    dataset_free(&ds);

    tmp_text("midcr.csv", "a,b,y\n1,2,x\r3,4,y\n5,6\n");
    o = opts();
    load_fails(tmp_path("midcr.csv"), &o, tmp_path("midcr.csv"), ":3: expected 3 fields, got 2");
    load_ok(&ds, DATA "quoted.csv", &o); /* still fine after a failure */
    dataset_free(&ds);

    tmp_text("midcr_ok.csv", "a,b,y\n1,2,x\r3,4,y\n5,6,x\n");
    load_ok(&ds, tmp_path("midcr_ok.csv"), &o);
    assert_int_equal(ds.n, 3);
    assert_true(xat(&ds, 1, 0) == 3.0f && xat(&ds, 2, 1) == 6.0f);
    dataset_free(&ds);

    /* A space delimiter: runs of spaces are empty fields, as in libcsv. */
    tmp_text("spaces.csv", "a b y\n1 2 x\n3  y\n");
    o = opts();
    o.delimiter = ' ';
    load_fails(tmp_path("spaces.csv"), &o, tmp_path("spaces.csv"),
               ":3:2: column 'b': missing value \"\"");
}

/* Data lines of plain numbers are parsed straight into their row, and a
 * line that path can't take whole goes through the field callbacks; with
 * every field quoted, each line goes through libcsv instead.  write_numeric
 * writes such a table either way, with numbers at the fast path's limits
 * and beyond them, blanks around some values and around the label, CRLF on
 * some lines, and the label in column label_col (-1: none).  want gets the
 * features, as strtof reads them. */
static void write_numeric(const char *name, bool all_quoted, int label_col, int rows, float *want)
{
    static const char *const odd[] = {"-0",      "+.5",  "5.",           "16777217",
                                      "1.5e3",   " 2.5", "7 ",           "0.00000000001",
                                      "-0.0000", "-.25", "123456789.25", "99999999999999999999"};
    const int cols = 5;
    FILE *f = tmp_create(name);
    Rng rng;
    rng_seed(&rng, 9);
    for (int c = 0; c < cols; c++)
        fprintf(f, all_quoted ? "\"c%d\"%s" : "c%d%s", c, c + 1 < cols ? "," : "\n");
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
            char v[48];
            if (c == label_col)
                snprintf(v, sizeof v, "%s", rng_below(&rng, 3) ? "cat" : " dog ");
            else if (rng_below(&rng, 30) == 0)
                snprintf(v, sizeof v, "%s", odd[rng_below(&rng, sizeof odd / sizeof odd[0])]);
            else
                snprintf(v, sizeof v, "%.*f", (int)rng_below(&rng, 8),
                         ((double)rng_below(&rng, 2000001) - 1000000.0) / 997.0);
            if (c != label_col) *want++ = strtof(v, NULL);
            fprintf(f, all_quoted ? "\"%s\"" : "%s", v);
            fputs(c + 1 < cols ? "," : r % 5 == 2 ? "\r\n" : "\n", f);
        }
    }
    fclose(f);
}

static void test_csv_numeric_lines_load_like_quoted_ones(void **state)
{
    /* Over 256 KiB, so that lines also straddle the reader's chunks. */
    enum { ROWS = 20000 };
    float *want = malloc(ROWS * 5 * sizeof *want);
    assert_non_null(want);
    static const int label_cols[] = {4, 0, 2, -1};
    for (size_t k = 0; k < sizeof label_cols / sizeof label_cols[0]; k++) {
        int label_col = label_cols[k];
        int d = label_col < 0 ? 5 : 4;
        write_numeric("numeric_plain.csv", false, label_col, ROWS, want);
        write_numeric("numeric_quoted.csv", true, label_col, ROWS, want);
        DatasetOptions o = opts();
        char label[16];
        snprintf(label, sizeof label, "%d", label_col);
        o.label = label_col >= 0 ? label : NULL;
        o.no_label = label_col < 0;
        Dataset a, b;
        load_ok(&a, tmp_path("numeric_plain.csv"), &o);
        load_ok(&b, tmp_path("numeric_quoted.csv"), &o);
        assert_int_equal(a.n, ROWS);
        assert_int_equal(b.n, ROWS);
        assert_int_equal(a.d, d);
        assert_memory_equal(a.x, want, ROWS * (size_t)d * sizeof(float));
        assert_memory_equal(b.x, want, ROWS * (size_t)d * sizeof(float));
        if (label_col >= 0) {
            assert_int_equal(a.n_classes, 2);
            assert_string_equal(a.class_names[1], "dog"); /* blanks trimmed */
            assert_memory_equal(a.labels, b.labels, ROWS * sizeof(int));
        }
        dataset_free(&a);
        dataset_free(&b);
    }
    free(want);
}

/* A bad line among thousands of good numeric ones names the same place,
 * whichever path the lines around it took. */
static void test_csv_errors_among_numeric_lines(void **state)
{
    static const struct {
        const char *line, *want;
    } cases[] = {
        {"1.5,2.5,1,4", ":3002: expected 3 fields, got 4"},
        {"1.5,2.5,1,", ":3002: expected 3 fields, got 4"},
        {"1.5,2.5", ":3002: expected 3 fields, got 2"},
        {"1.5,2.5x,1", ":3002:2: column 'b': expected a number, got \"2.5x\""},
        {"1.5,1e99,1", ":3002:2: column 'b': \"1e99\" is outside the range of a float"},
        /* a number too large for a float is said to be one, not "not a number" */
        {"1.5,-3.5e38,1", ":3002:2: column 'b': \"-3.5e38\" is outside the range of a float"},
        {"1.5, 1e400 ,1", ":3002:2: column 'b': \"1e400\" is outside the range of a float"},
        {"1.5,1e39x,1", ":3002:2: column 'b': expected a number, got \"1e39x\""},
        {"1.5,e39,1", ":3002:2: column 'b': expected a number, got \"e39\""},
        {"1.5,1e,1", ":3002:2: column 'b': expected a number, got \"1e\""},
        {"1.5,,1", ":3002:2: column 'b': missing value \"\""},
        {"1.5,2.5, ", ":3002:3: column 'y': missing label"},
        {"1.5,2\"5,1", ":3002:2: malformed quoting"},
    };
    DatasetOptions o = opts();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *f = tmp_create("numeric_bad.csv");
        fputs("a,b,y\n", f);
        for (int r = 0; r < 3000; r++) fprintf(f, "%d.5,-%d.25,%d\n", r, r % 77, r % 3);
        fprintf(f, "%s\n", cases[i].line);
        for (int r = 0; r < 10; r++) fprintf(f, "%d,%d,1\n", r, r);
        fclose(f);
        char prefix[300];
        snprintf(prefix, sizeof prefix, "%s%s", tmp_path("numeric_bad.csv"), cases[i].want);
        load_fails(tmp_path("numeric_bad.csv"), &o, prefix, NULL);
    }
}

/* A delimiter that numbers contain is still only a delimiter. */
static void test_csv_delimiter_that_numbers_contain(void **state)
{
    tmp_text("dots.csv", "1.2.0\n-3.4.1\n5.-6.0\n");
    Dataset ds;
    DatasetOptions o = opts();
    o.delimiter = '.';
    load_ok(&ds, tmp_path("dots.csv"), &o);
    assert_int_equal(ds.n, 3);
    assert_int_equal(ds.d, 2);
    assert_true(xat(&ds, 1, 0) == -3.0f && xat(&ds, 1, 1) == 4.0f && xat(&ds, 2, 1) == -6.0f);
    dataset_free(&ds);
    tmp_text("dashes.csv", "1-2-0\n3.5-4-1\n5-6-0\n");
    o.delimiter = '-';
    load_ok(&ds, tmp_path("dashes.csv"), &o);
    assert_int_equal(ds.n, 3);
    assert_true(xat(&ds, 1, 0) == 3.5f && xat(&ds, 2, 1) == 6.0f);
    dataset_free(&ds);
    /* Read as numbers, "1.5" and "-2" would hide a field. */
    tmp_text("dots_bad.csv", "1.2.0\n3.4.1\n1.5.2.0\n");
    o.delimiter = '.';
    load_fails(tmp_path("dots_bad.csv"), &o, tmp_path("dots_bad.csv"),
               ":3: expected 3 fields, got 4");
    tmp_text("dashes_bad.csv", "1-2-0\n3-4-1\n1--2-0\n");
    o.delimiter = '-';
    load_fails(tmp_path("dashes_bad.csv"), &o, tmp_path("dashes_bad.csv"),
               ":3: expected 3 fields, got 4");
}

/* Short decimals take the loader's fast path; the ones next to its limits
 * (2^24 for the digits, 10 decimals) must still match strtof. */
static void test_parse_float_fast_path_limits(void **state)
{
    char text[64];
    for (int k = 0; k <= 12; k++)
        for (int64_t m = (1 << 24) - 3000; m < (1 << 24) + 3000; m++) {
            snprintf(text, sizeof text, "%lld", (long long)m);
            if (k > 0) {
                size_t n = strlen(text);
                while ((int)n <= k) { /* left-pad with zeros */
                    memmove(text + 1, text, n + 1);
                    text[0] = '0';
                    n++;
                }
                memmove(text + n - k + 1, text + n - k, (size_t)k + 1);
                text[n - k] = '.';
            }
            compare_with_strtof(text);
        }
    Rng rng;
    rng_seed(&rng, 13);
    for (int i = 0; i < 200000; i++) {
        int k = (int)rng_below(&rng, 12);
        uint64_t m = rng_below(&rng, 1u << 24);
        snprintf(text, sizeof text, "%s%.*f", rng_below(&rng, 2) ? "-" : "", k,
                 (double)m / pow(10, k));
        compare_with_strtof(text);
    }
    static const char *const odd[] = {"0",
                                      "-0",
                                      "-0.000",
                                      "00001.5",
                                      "0.0000001",
                                      ".5",
                                      "5.",
                                      "+.5",
                                      "-7.",
                                      "16777216",
                                      "1677721.7",
                                      "0.16777217",
                                      "9999999999999999999",
                                      "99999999999999999999",
                                      "0000000000000000000012.5"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) compare_with_strtof(odd[i]);
    float v;
    assert_true(parse("-0.0", &v) && v == 0.0f && signbit(v));
    assert_false(parse("-", &v) || parse(".", &v) || parse("-.", &v) || parse("1.5-", &v));
}

/* ---- what eval and predict ask of the loader ----------------------------- */

/* The edges of the float range (test_csv_errors_among_numeric_lines has
 * what lies beyond): the largest float and an underflow to zero are fine. */
static void test_csv_float_range_edges_are_accepted(void **state)
{
    DatasetOptions o = opts();
    tmp_text("range.csv", "a,b,y\n1,3.4028234e38,0\n3,1e-50,1\n");
    Dataset ds;
    load_ok(&ds, tmp_path("range.csv"), &o);
    assert_true(xat(&ds, 0, 1) == FLT_MAX && xat(&ds, 1, 1) == 0.0f);
    dataset_free(&ds);
}

/* keep_missing keeps every row, gaps as NaN, whatever the policy says
 * about rows; row_lines says where each row starts (a quoted field may
 * span lines, blank lines are skipped). */
static void test_csv_keep_missing_keeps_every_row_with_its_line(void **state)
{
    tmp_text("gaps.csv", "a,b,y\n1,2,x\n\n,4,y\n5,\"6\",\"two\nlines\"\n7,NA,x\n");
    DatasetOptions o = opts();
    o.missing = MISSING_DROP;
    o.keep_missing = true;
    o.row_lines = true;
    Dataset ds;
    load_ok(&ds, tmp_path("gaps.csv"), &o);
    assert_int_equal(ds.n, 4);
    assert_int_equal(ds.dropped_rows, 0);
    assert_int_equal(ds.missing, 2);
    assert_true(isnan(xat(&ds, 1, 0)) && isnan(xat(&ds, 3, 1)));
    assert_true(xat(&ds, 2, 1) == 6.0f);
    assert_non_null(ds.row_line);
    size_t lines[4] = {2, 4, 5, 7};
    for (int i = 0; i < 4; i++) assert_int_equal(ds.row_line[i], lines[i]);
    /* the means leave the gaps out */
    assert_non_null(ds.feature_mean);
    assert_true(fabs(ds.feature_mean[0] - (1 + 5 + 7) / 3.0) < 1e-6);
    assert_true(fabs(ds.feature_mean[1] - (2 + 4 + 6) / 3.0) < 1e-6);
    dataset_free(&ds);

    /* under mean, too, nothing is filled in */
    o.missing = MISSING_MEAN;
    load_ok(&ds, tmp_path("gaps.csv"), &o);
    assert_int_equal(ds.n, 4);
    assert_true(isnan(xat(&ds, 1, 0)));
    dataset_free(&ds);
    /* without it: dropped, and no lines unless asked */
    o.missing = MISSING_DROP;
    o.keep_missing = false;
    o.row_lines = false;
    load_ok(&ds, tmp_path("gaps.csv"), &o);
    assert_int_equal(ds.n, 2);
    assert_int_equal(ds.dropped_rows, 2);
    assert_null(ds.row_line);
    dataset_free(&ds);
}

/* feature_mean: every column's mean over the rows kept, the value that
 * --missing mean fills a gap with. */
static void test_csv_feature_means_are_what_gaps_are_filled_with(void **state)
{
    tmp_text("means.csv", "a,b,y\n1,10,0\n2,,1\n6,40,0\n");
    DatasetOptions o = opts();
    o.missing = MISSING_MEAN;
    Dataset ds;
    load_ok(&ds, tmp_path("means.csv"), &o);
    assert_non_null(ds.feature_mean);
    assert_true(ds.feature_mean[0] == 3.0f);
    assert_true(ds.feature_mean[1] == 25.0f);
    assert_true(xat(&ds, 1, 1) == ds.feature_mean[1]);
    dataset_free(&ds);
}

/* header_line: where the header is, or 0 without one. */
static void test_csv_header_line_is_recorded(void **state)
{
    DatasetOptions o = opts();
    Dataset ds;
    tmp_text("h.csv", "\n\na,b,y\n1,2,0\n3,4,1\n");
    load_ok(&ds, tmp_path("h.csv"), &o);
    assert_int_equal(ds.header_line, 3);
    dataset_free(&ds);
    tmp_text("h.csv", "1,2,0\n3,4,1\n");
    load_ok(&ds, tmp_path("h.csv"), &o);
    assert_int_equal(ds.header_line, 0);
    assert_string_equal(ds.feature_names[1], "x1");
    dataset_free(&ds);
}

/* expect_features with skip_label: a file of that many columns has no
 * label column, one with one more has it; label_hint finds the label by
 * name when no --label is given. */
static void test_csv_expect_features_and_label_hint(void **state)
{
    DatasetOptions o = opts();
    o.skip_label = true;
    o.expect_features = 2;
    Dataset ds;
    tmp_text("e.csv", "a,b\n1,2\n3,4\n");
    load_ok(&ds, tmp_path("e.csv"), &o);
    assert_int_equal(ds.d, 2);
    assert_int_equal(ds.label_column, -1);
    dataset_free(&ds);
    tmp_text("e.csv", "a,b,y\n1,2,cat\n3,4,\n");
    load_ok(&ds, tmp_path("e.csv"), &o);
    assert_int_equal(ds.d, 2);
    assert_int_equal(ds.label_column, 2);
    assert_null(ds.labels);
    dataset_free(&ds);
    /* the label first: found by its name */
    tmp_text("e.csv", "y,b,a\ncat,2,1\ndog,4,3\n");
    o.label_hint = "y";
    load_ok(&ds, tmp_path("e.csv"), &o);
    assert_int_equal(ds.label_column, 0);
    assert_string_equal(ds.feature_names[0], "b");
    dataset_free(&ds);
    o.skip_label = false;
    o.expect_features = 0;
    load_ok(&ds, tmp_path("e.csv"), &o);
    assert_int_equal(ds.label_column, 0);
    assert_string_equal(ds.class_names[1], "dog");
    dataset_free(&ds);
    /* a hint the header lacks leaves the last column */
    o.label_hint = "species";
    tmp_text("e.csv", "a,b,y\n1,2,cat\n3,4,dog\n");
    load_ok(&ds, tmp_path("e.csv"), &o);
    assert_int_equal(ds.label_column, 2);
    dataset_free(&ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_float_accepts_plain_decimals),
        cmocka_unit_test(test_parse_float_rejects_non_numbers),
        cmocka_unit_test(test_parse_float_reads_only_len_bytes),
        cmocka_unit_test(test_parse_float_matches_strtof_on_random_decimals),
        cmocka_unit_test(test_parse_float_matches_strtof_near_float_midpoints),
        cmocka_unit_test(test_parse_float_fast_path_limits),
        cmocka_unit_test(test_csv_header_row_names_the_columns),
        cmocka_unit_test(test_csv_without_header_first_row_is_data),
        cmocka_unit_test(test_csv_single_numeric_row_is_data),
        cmocka_unit_test(test_csv_label_by_name_index_and_negative_index),
        cmocka_unit_test(test_csv_label_errors_name_the_problem),
        cmocka_unit_test(test_csv_bom_and_crlf_are_accepted),
        cmocka_unit_test(test_csv_quoted_fields_follow_rfc4180),
        cmocka_unit_test(test_csv_plain_and_quoted_lines_load_alike),
        cmocka_unit_test(test_csv_errors_on_plain_lines_name_the_same_place),
        cmocka_unit_test(test_csv_plain_line_edge_cases),
        cmocka_unit_test(test_csv_numeric_lines_load_like_quoted_ones),
        cmocka_unit_test(test_csv_errors_among_numeric_lines),
        cmocka_unit_test(test_csv_delimiter_that_numbers_contain),
        cmocka_unit_test(test_csv_line_numbers_count_physical_lines),
        cmocka_unit_test(test_csv_blank_lines_are_skipped),
        cmocka_unit_test(test_csv_custom_delimiter),
        cmocka_unit_test(test_csv_wrong_or_invalid_delimiter),
        cmocka_unit_test(test_csv_delimiter_is_detected_from_the_first_lines),
        cmocka_unit_test(test_csv_delimiter_detection_when_in_doubt),
        cmocka_unit_test(test_csv_decimal_commas_are_reported_as_such),
        cmocka_unit_test(test_csv_nul_byte_names_line_and_column),
        cmocka_unit_test(test_csv_blanks_around_values_and_number_forms),
        cmocka_unit_test(test_csv_integer_labels_sort_numerically),
        cmocka_unit_test(test_csv_string_labels_sort_by_strcmp),
        cmocka_unit_test(test_csv_many_integers_or_fractions_are_regression),
        cmocka_unit_test(test_csv_more_than_1000_numeric_labels_is_regression),
        cmocka_unit_test(test_csv_more_than_1000_string_labels_is_refused),
        cmocka_unit_test(test_csv_missing_value_is_an_error_by_default),
        cmocka_unit_test(test_csv_missing_drop_removes_rows),
        cmocka_unit_test(test_csv_missing_mean_imputes_column_means),
        cmocka_unit_test(test_csv_missing_policies_still_refuse_non_numbers),
        cmocka_unit_test(test_csv_missing_label),
        cmocka_unit_test(test_csv_skip_label_keeps_rows_with_missing_labels),
        cmocka_unit_test(test_csv_column_with_no_values),
        cmocka_unit_test(test_csv_bad_numbers_name_file_line_column),
        cmocka_unit_test(test_csv_ragged_rows),
        cmocka_unit_test(test_csv_quoting_errors),
        cmocka_unit_test(test_csv_empty_header_only_binary_one_column),
        cmocka_unit_test(test_csv_unopenable_paths),
        cmocka_unit_test(test_csv_feature_limit),
        cmocka_unit_test(test_csv_unterminated_quote_in_a_big_file),
        cmocka_unit_test(test_csv_quoted_field_longer_than_1_mib_loads),
        cmocka_unit_test(test_csv_file_larger_than_half_the_memory_is_refused),
        cmocka_unit_test(test_csv_grows_past_first_allocation),
        cmocka_unit_test(test_csv_real_datasets),
        cmocka_unit_test(test_csv_float_range_edges_are_accepted),
        cmocka_unit_test(test_csv_keep_missing_keeps_every_row_with_its_line),
        cmocka_unit_test(test_csv_feature_means_are_what_gaps_are_filled_with),
        cmocka_unit_test(test_csv_header_line_is_recorded),
        cmocka_unit_test(test_csv_expect_features_and_label_hint),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
