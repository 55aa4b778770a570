/* test_atomicfile.c - whole-or-nothing replacement: a commit replaces the
 * file and leaves no temporary; an abandoned write or one that met an
 * error leaves the old file as it was and no temporary; a path too long or
 * in a missing directory is an errno, not a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gradtop/io/atomicfile.h"

static char dir[64], path[128];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/gradtop-atomic-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(path, sizeof path, "%s/file.txt", dir);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputs("old", f);
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    rmdir(dir);
    return 0;
}

static void expect_content(const char *want)
{
    char buf[64] = "";
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_string_equal(buf, want);
}

/* The directory holds file.txt and nothing else. */
static void expect_no_temporary(void)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.') {
            assert_string_equal(e->d_name, "file.txt");
            n++;
        }
    closedir(d);
    assert_int_equal(n, 1);
}

static void commit_replaces_the_file_whole(void **state)
{
    (void)state;
    AtomicFile a;
    assert_int_equal(atomicfile_open(&a, path), 0);
    fputs("new", a.f);
    expect_content("old"); /* nothing shows until the commit */
    assert_int_equal(atomicfile_commit(&a, 0), 0);
    expect_content("new");
    expect_no_temporary();
}

static void abandoned_or_failed_writes_leave_the_old_file(void **state)
{
    (void)state;
    AtomicFile a;
    assert_int_equal(atomicfile_open(&a, path), 0);
    fputs("half", a.f);
    atomicfile_abandon(&a);
    expect_content("old");
    expect_no_temporary();
    assert_int_equal(atomicfile_open(&a, path), 0);
    fputs("half", a.f);
    assert_int_equal(atomicfile_commit(&a, ENOSPC), ENOSPC);
    expect_content("old");
    expect_no_temporary();
}

static void bad_paths_are_errors(void **state)
{
    (void)state;
    AtomicFile a;
    assert_int_equal(atomicfile_open(&a, "/nonexistent-gradtop-dir/x"), ENOENT);
    char long_path[ATOMICFILE_PATH + 10];
    memset(long_path, 'a', sizeof long_path - 1);
    long_path[sizeof long_path - 1] = '\0';
    assert_int_equal(atomicfile_open(&a, long_path), ENAMETOOLONG);
}

/* Reading back: a regular file opens; a named pipe (which nobody writes
 * to: opening it to read would wait for good), a directory and a missing
 * file do not, each told apart. */
static void read_open_takes_only_a_regular_file(void **state)
{
    (void)state;
    mode_t type;
    FILE *f = atomicfile_read_open(path, &type);
    assert_non_null(f);
    char buf[8] = "";
    assert_non_null(fgets(buf, sizeof buf, f));
    assert_string_equal(buf, "old");
    fclose(f);

    char fifo[160];
    snprintf(fifo, sizeof fifo, "%s/pipe", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_null(atomicfile_read_open(fifo, &type));
    assert_int_equal(type, S_IFIFO);
    unlink(fifo);

    assert_null(atomicfile_read_open(dir, &type));
    assert_int_equal(type, S_IFDIR);

    char missing[160];
    snprintf(missing, sizeof missing, "%s/missing", dir);
    errno = 0;
    assert_null(atomicfile_read_open(missing, &type));
    assert_int_equal(type, 0);
    assert_int_equal(errno, ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(commit_replaces_the_file_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(abandoned_or_failed_writes_leave_the_old_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(bad_paths_are_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(read_open_takes_only_a_regular_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
