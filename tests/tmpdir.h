/*
 * tmpdir.h - one temporary directory for a test program: make_tmpdir and
 * remove_tmpdir are its cmocka group setup and teardown, and the directory
 * is /tmp/gradtop-<program>-XXXXXX, removed with everything in it.
 * tmpdir_mkdir and tmpdir_write_text make a directory and a text file in
 * it.  Included by the one .c file of a test program, after cmocka.h.
 */
#ifndef GRADTOP_TESTS_TMPDIR_H
#define GRADTOP_TESTS_TMPDIR_H

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static char tmpdir[64];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gradtop-%s-XXXXXX", program_invocation_short_name);
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    return nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Makes the directory tmpdir/rel. */
static inline void tmpdir_mkdir(const char *rel)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    assert_int_equal(mkdir(path, 0700), 0);
}

/* Writes text to tmpdir/rel, whose directory is there. */
static inline void tmpdir_write_text(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

#endif
