/*
 * atomicfile.c - whole-or-nothing file replacement.  See atomicfile.h.
 */
#include "gradtop/io/atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int atomicfile_open(AtomicFile *a, const char *path)
{
    a->f = NULL;
    a->sync = true;
    size_t n = strlen(path);
    if (n >= sizeof a->path) return ENAMETOOLONG;
    memcpy(a->path, path, n + 1);
    snprintf(a->tmp, sizeof a->tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(a->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    a->f = fdopen(fd, "wb");
    if (!a->f) {
        int e = errno;
        close(fd);
        unlink(a->tmp);
        return e;
    }
    return 0;
}

/* EINVAL from fsync: a file system that cannot sync a directory, which is
 * no error. */
int atomicfile_sync_dir(const char *path)
{
    char dir[ATOMICFILE_PATH];
    const char *slash = strrchr(path, '/');
    if (!slash) {
        strcpy(dir, ".");
    } else if (slash == path) {
        strcpy(dir, "/");
    } else {
        size_t n = (size_t)(slash - path);
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    int rc = fsync(fd) != 0 && errno != EINVAL ? errno : 0;
    close(fd);
    return rc;
}

int atomicfile_commit(AtomicFile *a, int write_error)
{
    int e = write_error;
    if (!e && ferror(a->f)) e = EIO; /* a write failed that the caller did not see */
    if (!e && fflush(a->f) != 0) e = errno;
    if (!e && a->sync && fsync(fileno(a->f)) != 0 && errno != EINVAL) e = errno;
    if (fclose(a->f) != 0 && !e) e = errno;
    a->f = NULL;
    if (!e && rename(a->tmp, a->path) != 0) e = errno;
    if (e) {
        unlink(a->tmp);
        return e;
    }
    return a->sync ? atomicfile_sync_dir(a->path) : 0;
}

void atomicfile_abandon(AtomicFile *a)
{
    if (a->f) fclose(a->f);
    a->f = NULL;
    unlink(a->tmp);
}

int atomicfile_lock_dir(const char *dir, const char *busy, int *fd, Error *err)
{
    *fd = -1;
    int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d < 0) return error_set(err, ERROR_RUNTIME, "%s: %s", dir, strerror(errno));
    if (flock(d, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(d);
        if (e == EWOULDBLOCK) return error_set(err, ERROR_INPUT, "%s: %s", dir, busy);
        return error_set(err, ERROR_RUNTIME, "%s: cannot lock it: %s", dir, strerror(e));
    }
    *fd = d;
    return ERROR_NONE;
}

ErrorCode atomicfile_check_target(const char *path, Error *err)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode)) return ERROR_NONE;
    return error_set(err, ERROR_INPUT,
                     "%s is a directory: gradtop replaces it with a file; remove or rename it",
                     path);
}

FILE *atomicfile_read_open(const char *path, mode_t *type)
{
    *type = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return NULL;
    struct stat st;
    FILE *f = NULL;
    int e = 0;
    if (fstat(fd, &st) != 0)
        e = errno;
    else if (!S_ISREG(st.st_mode))
        *type = st.st_mode & S_IFMT;
    else {
        /* O_NONBLOCK changes nothing for a regular file; cleared all the
         * same, so the stream reads as any other */
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0 || !(f = fdopen(fd, "r")))
            e = errno;
    }
    if (!f) {
        close(fd);
        errno = e ? e : EINVAL;
    }
    return f;
}
