/*
 * sysmem.h - what this machine and this process have: how much memory may
 * still be allocated, so that a network or a dataset too large for it is
 * refused before allocating, with the size it would need; and how many
 * cores, for --threads 0 and its cap.  Any thread may call it.
 *
 * The room to allocate is the least of three bounds: the machine's physical
 * memory; the address-space limit (RLIMIT_AS, `ulimit -v`) less the address
 * space already mapped; the data limit (RLIMIT_DATA, `ulimit -d`) less the
 * private writable memory already mapped.  Under a limit an allocation fails
 * long before physical memory runs out, and some libraries (OpenBLAS) do not
 * survive a failed one, so the limits are checked up front too.
 */
#ifndef GRADTOP_SYSMEM_H
#define GRADTOP_SYSMEM_H

#include <stdbool.h>

#include "gradtop/core/error.h"

typedef struct {
    double bytes;      /* what may still be allocated; INFINITY when nothing bounds it */
    const char *bound; /* what bounds it, for messages: "this machine has", ... */
} SysMemRoom;

/* Physical memory in bytes (0 when unknown). */
double sysmem_total(void);
/* A size field of /proc/self/status ("VmSize", "VmData", ...) in bytes;
 * -1 when unknown. */
double sysmem_status_bytes(const char *field);
/* Whether an address-space or data limit is set. */
bool sysmem_limited(void);
/* The room to allocate now (see above). */
SysMemRoom sysmem_room(void);
/* ERROR_NONE when need bytes fit in the room; otherwise ERROR_RUNTIME with
 * "out of memory: WHAT needs SIZE, more than the SIZE BOUND: HINT" (what and hint
 * are the caller's; hint may be NULL). */
ErrorCode sysmem_check(double need, const char *what, const char *hint, Error *err);
/* Address space a thread started with default attributes maps for its
 * stack (RLIMIT_STACK, as glibc sizes it). */
double sysmem_thread_bytes(void);
/* Online cores, at least 1. */
int sysmem_cores(void);

/* Asks the kernel to back a freshly allocated block (malloc'd, not yet
 * written; every page it touches) with transparent huge pages where it
 * can, when it offers them only on request (the madvise setting).  A float copy of
 * Fashion-MNIST is 188 MB: in 4 KiB pages its first write takes some
 * 46,000 page faults, each dear in a virtual machine, where they were
 * most of the time it took to load; in 2 MiB pages, about 90.  Blocks
 * under SYSMEM_HUGE_MIN bytes are left alone.  True when the kernel took
 * the advice; false changes nothing but speed.  free() and realloc()
 * work on the block as before. */
#define SYSMEM_HUGE_MIN (8u << 20)
bool sysmem_hugepages(void *p, size_t bytes);

#endif
