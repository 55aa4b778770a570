/*
 * test_setup.c - the setup screen's kind of data (src/tui/setup.c): the
 * rows that apply to one kind of data ask it at every draw, so it is told
 * by dataset_kind once per dataset name, anew when the name or the file
 * it names changes, and as the loader resolves the name (the working directory, then the
 * program's).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tmpdir.h"

#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/tui/setup.h"

/* A thousand draws of one name tell its kind once; another name, or the
 * first again after it, is told anew. */
static void the_kind_of_data_is_told_once_per_name(void **state)
{
    (void)state;
    tmpdir_mkdir("here");
    tmpdir_mkdir("here/datasets");
    tmpdir_mkdir("bin");
    tmpdir_mkdir("bin/datasets");
    tmpdir_write_text("here/datasets/fashion-mnist.csv", "a,y\n1,0\n2,1\n");
    tmpdir_write_text("bin/datasets/xor.csv", "a,y\n1,0\n2,1\n");
    char cwd[4096], here[128], bin[128];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(here, sizeof here, "%s/here", tmpdir);
    snprintf(bin, sizeof bin, "%s/bin", tmpdir);
    assert_int_equal(chdir(here), 0);
    SetupDataKind k;
    memset(&k, 0, sizeof k);
    DatasetKind kinds[6];
    for (int i = 0; i < 1000; i++) kinds[0] = setup_data_kind(&k, "fashion-mnist", bin);
    unsigned long once = k.told;
    kinds[1] = setup_data_kind(&k, "fashion-mnist-test", bin);
    kinds[2] = setup_data_kind(&k, "fashion-mnist-test", bin);
    kinds[3] = setup_data_kind(&k, "xor", bin);
    kinds[4] = setup_data_kind(&k, "spiral", bin);
    kinds[5] = setup_data_kind(&k, "fashion-mnist", bin);
    unsigned long told = k.told;
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(once, 1);
    assert_int_equal(told, 5);
    /* datasets/fashion-mnist.csv here, datasets/xor.csv beside the program */
    assert_int_equal(kinds[0], DATASET_KIND_CSV);
    assert_int_equal(kinds[1], DATASET_KIND_IDX);
    assert_int_equal(kinds[2], DATASET_KIND_IDX);
    assert_int_equal(kinds[3], DATASET_KIND_CSV);
    assert_int_equal(kinds[4], DATASET_KIND_GENERATED);
    assert_int_equal(kinds[5], DATASET_KIND_CSV);
}

/* A path named before its file is there (the person fetches it while the
 * form is open), then the file put there, then another put in its place:
 * each is told anew, as the loader would read it, and the rows shown
 * follow; an unchanged file is still told once. */
static void the_kind_of_data_follows_its_file(void **state)
{
    (void)state;
    tmpdir_mkdir("fetched");
    char path[128];
    snprintf(path, sizeof path, "%s/fetched/images", tmpdir);
    SetupDataKind k;
    memset(&k, 0, sizeof k);
    DatasetKind absent = setup_data_kind(&k, path, NULL);
    /* an IDX header: unsigned bytes, 3 dimensions */
    static const unsigned char idx[] = {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 7};
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(idx, 1, sizeof idx, f), sizeof idx);
    assert_int_equal(fclose(f), 0);
    DatasetKind fetched = setup_data_kind(&k, path, NULL);
    unsigned long told = k.told;
    for (int i = 0; i < 100; i++) setup_data_kind(&k, path, NULL);
    assert_int_equal(k.told, told);
    /* a CSV file renamed into its place */
    tmpdir_write_text("fetched/images.new", "a,y\n1,0\n2,1\n");
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    assert_int_equal(rename(tmp, path), 0);
    DatasetKind replaced = setup_data_kind(&k, path, NULL);
    assert_int_equal(absent, DATASET_KIND_CSV);
    assert_int_equal(fetched, DATASET_KIND_IDX);
    assert_int_equal(replaced, DATASET_KIND_CSV);
}

/* A pipe (gradtop <(...)) is CSV to dataset_kind, which never reads one:
 * told once, though its mtime moves as its writer writes. */
static void a_pipe_is_told_once(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/pipe", tmpdir);
    assert_int_equal(mkfifo(path, 0600), 0);
    SetupDataKind k;
    memset(&k, 0, sizeof k);
    DatasetKind first = setup_data_kind(&k, path, NULL);
    unsigned long told = k.told;
    /* as a write moves it */
    const struct timespec when[2] = {{1, 0}, {1, 0}};
    assert_int_equal(utimensat(AT_FDCWD, path, when, 0), 0);
    DatasetKind again = setup_data_kind(&k, path, NULL);
    assert_int_equal(k.told, told);
    assert_int_equal(first, DATASET_KIND_CSV);
    assert_int_equal(again, DATASET_KIND_CSV);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_kind_of_data_is_told_once_per_name),
        cmocka_unit_test(the_kind_of_data_follows_its_file),
        cmocka_unit_test(a_pipe_is_told_once),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
