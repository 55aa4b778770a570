/*
 * atomicfile.h - replacing a file whole or not at all: written into
 * "PATH.tmp.PID" beside it, then flushed, fsynced, renamed over PATH and
 * the directory fsynced, so that a reader (or a crash at any moment) sees
 * either the old file or the new one.  model.gtm, checkpoint.gtm,
 * config.txt and predict's -o file are written this way.
 *
 * The two fsyncs are what makes the replacement survive a power cut (or a
 * crash of the system): without them a crash of the process alone still
 * sees the old file or the new one, since the kernel keeps what was
 * written, but after a power cut the renamed file may be empty or short.
 * A caller that makes the file system durable itself at its own fixed
 * points (a sweep's trials: rundir.h) clears sync before the commit.
 *
 * A failed or abandoned write removes its temporary; one left by a killed
 * process is removed later (rundir_remove_stale).  An AtomicFile belongs
 * to the thread that opened it.
 */
#ifndef GRADTOP_ATOMICFILE_H
#define GRADTOP_ATOMICFILE_H

#include <stdbool.h>
#include "gradtop/core/error.h"
#include <stdio.h>
#include <sys/types.h>

#define ATOMICFILE_PATH 4096

typedef struct {
    FILE *f;   /* write here, between open and commit */
    bool sync; /* fsync the file and its directory at the commit (open sets it) */
    char path[ATOMICFILE_PATH];
    char tmp[ATOMICFILE_PATH + 32];
} AtomicFile;

/* Creates the temporary beside path.  Returns 0, or the errno that stopped
 * it (ENAMETOOLONG for a path too long). */
int atomicfile_open(AtomicFile *a, const char *path);
/* Finishes the write: write_error (an errno the caller met while writing,
 * or 0), then the stream's own error, flush, fsync, close and rename, then
 * the directory's fsync (both fsyncs only when a->sync).  Returns 0, or
 * the first errno; the temporary is gone either way. */
int atomicfile_commit(AtomicFile *a, int write_error);
/* Gives up: closes and removes the temporary; path is untouched. */
void atomicfile_abandon(AtomicFile *a);
/* fsync of the directory holding path, so that a rename into it is
 * durable: what the commit does last when a->sync.  A caller that cleared
 * sync and made the temporary durable itself (syncfs before the commit)
 * calls it after.  Returns 0 or the errno. */
int atomicfile_sync_dir(const char *path);

/* Locks directory dir for this process's writing (flock on a descriptor
 * of it, into *fd, held until closed).  Another process holding it:
 * ERROR_INPUT, "DIR: <busy>"; else ERROR_RUNTIME with the reason. */
int atomicfile_lock_dir(const char *dir, const char *busy, int *fd, Error *err);

/* Whether a file written as these are can take path's place: a
 * directory there cannot (the rename fails), which a command checks
 * before it trains rather than fail only when it saves.  ERROR_INPUT,
 * "PATH is a directory: gradtop replaces it with a file; remove or rename
 * it"; ERROR_NONE for anything else, nothing there included (a symbolic
 * link or named pipe is replaced, not written through). */
ErrorCode atomicfile_check_target(const char *path, Error *err);

/* Opens path to read back a file written as these are: a regular file.
 * Nothing else is opened for reading, and nothing waits: opening a named
 * pipe to read waits for a writer, and no signal ends that wait.  Returns
 * the stream; NULL when path cannot be opened (errno says why, *type 0) or
 * is not a regular file (*type its S_IFMT bits: S_IFDIR, S_IFIFO, ...). */
FILE *atomicfile_read_open(const char *path, mode_t *type);

#endif
