/*
 * test_fuzz_regress.c - every fuzz seed and every input a fuzzer ever
 * crashed on, replayed through the fuzz targets' own entry points.
 *
 * tests/fuzz/corpus/TARGET/ holds each target's seeds (valid files and edge
 * cases), tests/fuzz/regress/TARGET/ the inputs that once crashed it or
 * broke its contract; both go through fuzz_common.h exactly as libFuzzer
 * feeds them, so a fixed bug that comes back fails here, under make test
 * and make asan, without a fuzzing run.  Each input must be accepted or
 * refused with ERROR_INPUT and a message naming the file, and what loads
 * must be usable (see fuzz_common.h for what each target checks).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char *current_input = "";

#define FUZZ_FAIL(...)                                                                             \
    do {                                                                                           \
        print_error("%s: ", current_input);                                                        \
        print_error(__VA_ARGS__);                                                                  \
        fail();                                                                                    \
    } while (0)
#include "fuzz/fuzz_common.h"

typedef void (*Entry)(const uint8_t *data, size_t n);

static uint8_t *read_whole(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    assert_non_null(buf);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    assert_int_equal(ferror(f), 0);
    fclose(f);
    *n = len;
    return buf;
}

/* Replays every regular file of dir; returns how many there were (0 when
 * the directory does not exist). */
static int replay_dir(const char *dir, Entry entry)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len;
        uint8_t *data = read_whole(path, &len);
        current_input = path;
        entry(data, len);
        current_input = "";
        free(data);
        n++;
    }
    closedir(d);
    return n;
}

static void replay(const char *target, Entry entry)
{
    char dir[256];
    snprintf(dir, sizeof dir, "tests/fuzz/corpus/%s", target);
    int seeds = replay_dir(dir, entry);
    snprintf(dir, sizeof dir, "tests/fuzz/regress/%s", target);
    int crashes = replay_dir(dir, entry);
    fprintf(stderr, "  %s: %d seeds, %d regression inputs\n", target, seeds, crashes);
    /* A missing or empty corpus would pass without testing anything. */
    assert_true(seeds >= 5);
}

static void test_csv_inputs_load_or_fail_cleanly(void **state)
{
    (void)state;
    replay("csv", fuzz_csv);
}

static void test_idx_inputs_load_or_fail_cleanly(void **state)
{
    (void)state;
    replay("idx", fuzz_idx);
}

static void test_config_inputs_load_and_round_trip(void **state)
{
    (void)state;
    replay("config", fuzz_config);
}

static void test_model_inputs_load_build_and_run_or_fail_cleanly(void **state)
{
    (void)state;
    replay("model", fuzz_model);
}

static void test_tfevents_inputs_read_the_same_whole_and_growing(void **state)
{
    (void)state;
    replay("tfevents", fuzz_tfevents);
}

static void test_space_inputs_parse_and_sample_valid_trials_or_fail_cleanly(void **state)
{
    (void)state;
    replay("space", fuzz_space);
}

static void test_trials_inputs_resume_within_bounds_or_fail_cleanly(void **state)
{
    (void)state;
    replay("trials", fuzz_trials);
}

/* The harness itself: a file the loaders must refuse is refused with the
 * code and message the checks expect, and one they must accept is. */
static void test_harness_sees_good_and_bad_files(void **state)
{
    (void)state;
    static const char good[] = "a,b,label\n1,2,x\n3,4,y\n";
    static const char bad[] = "a,b,label\n1,2,x\n3,oops,y\n";
    FuzzFile f;
    Dataset ds;
    Error err;
    fuzz_file_open(&f, good, sizeof good - 1);
    assert_int_equal(dataset_load_csv(&ds, f.path, NULL, &err), ERROR_NONE);
    assert_int_equal(ds.n, 2);
    dataset_free(&ds);
    fuzz_file_close(&f);
    fuzz_file_open(&f, bad, sizeof bad - 1);
    assert_int_equal(dataset_load_csv(&ds, f.path, NULL, &err), ERROR_INPUT);
    assert_non_null(strstr(err.msg, f.path));
    assert_non_null(strstr(err.msg, ":3:"));
    fuzz_file_close(&f);
}

static void test_runset_inputs_read_into_whole_runs(void **state)
{
    (void)state;
    replay("runset", fuzz_runset);
}

int main(void)
{
    gemm_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_harness_sees_good_and_bad_files),
        cmocka_unit_test(test_csv_inputs_load_or_fail_cleanly),
        cmocka_unit_test(test_idx_inputs_load_or_fail_cleanly),
        cmocka_unit_test(test_config_inputs_load_and_round_trip),
        cmocka_unit_test(test_model_inputs_load_build_and_run_or_fail_cleanly),
        cmocka_unit_test(test_tfevents_inputs_read_the_same_whole_and_growing),
        cmocka_unit_test(test_space_inputs_parse_and_sample_valid_trials_or_fail_cleanly),
        cmocka_unit_test(test_trials_inputs_resume_within_bounds_or_fail_cleanly),
        cmocka_unit_test(test_runset_inputs_read_into_whole_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
