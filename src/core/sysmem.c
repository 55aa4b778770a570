/* sysmem.c - see sysmem.h. */
#include "gradtop/core/sysmem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

double sysmem_total(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (double)pages * (double)size : 0.0;
}

double sysmem_status_bytes(const char *key)
{
    FILE *f = fopen("/proc/self/status", "re");
    if (!f) return -1;
    char line[256];
    size_t n = strlen(key);
    double v = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, n) && line[n] == ':') {
            v = strtod(line + n + 1, NULL) * 1024.0;
            break;
        }
    fclose(f);
    return v;
}

/* What is left under limit resource once key (a /proc/self/status field)
 * is counted against it; INFINITY when there is no such limit. */
static double limit_left(int resource, const char *key)
{
    struct rlimit rl;
    if (getrlimit(resource, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return INFINITY;
    /* Unknown usage (no /proc) counts as none: the limit alone still bounds. */
    double used = sysmem_status_bytes(key);
    double left = (double)rl.rlim_cur - (used > 0 ? used : 0);
    return left > 0 ? left : 0;
}

bool sysmem_limited(void)
{
    struct rlimit as, data;
    return (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) ||
           (getrlimit(RLIMIT_DATA, &data) == 0 && data.rlim_cur != RLIM_INFINITY);
}

SysMemRoom sysmem_room(void)
{
    SysMemRoom r = {INFINITY, "this machine has"};
    double total = sysmem_total();
    if (total > 0) r.bytes = total;
    /* RLIMIT_AS counts every mapping (VmSize); RLIMIT_DATA, since Linux
     * 4.7, the private writable ones that are not stack (VmData). */
    double as = limit_left(RLIMIT_AS, "VmSize");
    if (as < r.bytes) r = (SysMemRoom){as, "the address-space limit (ulimit -v) leaves"};
    double data = limit_left(RLIMIT_DATA, "VmData");
    if (data < r.bytes) r = (SysMemRoom){data, "the data-size limit (ulimit -d) leaves"};
    return r;
}

/* "12 MB", "1.5 GB". */
static void format_size(char *buf, size_t cap, double bytes)
{
    if (bytes < 1e9)
        snprintf(buf, cap, "%.0f MB", ceil(bytes / 1e6));
    else
        snprintf(buf, cap, "%.1f GB", bytes / 1e9);
}

ErrorCode sysmem_check(double need, const char *what, const char *hint, Error *err)
{
    SysMemRoom r = sysmem_room();
    if (need <= r.bytes) return ERROR_NONE;
    char needs[32], room[32];
    format_size(needs, sizeof needs, need);
    format_size(room, sizeof room, r.bytes);
    return error_set(err, ERROR_RUNTIME, "out of memory: %s needs %s, more than the %s %s%s%s",
                     what, needs, room, r.bound, hint ? ": " : "", hint ? hint : "");
}

double sysmem_thread_bytes(void)
{
    /* glibc's default stack is RLIMIT_STACK, or 2 MB when that is unlimited
     * (nptl-init.c); plus a guard page. */
    struct rlimit rl;
    double stack = 2.0 * 1024 * 1024;
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur > 16384)
        stack = (double)rl.rlim_cur;
    return stack + (double)sysconf(_SC_PAGESIZE);
}

int sysmem_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

bool sysmem_hugepages(void *p, size_t bytes)
{
    if (!p || bytes < SYSMEM_HUGE_MIN) return false;
    /* Every page the block touches, not only its 2 MiB-aligned middle:
     * glibc maps a block this large on its own (unless its threshold has
     * risen past it, up to 32 MiB, after larger blocks were freed: then
     * the advice covers the heap pages the block lies on, which is as
     * harmless), and the advice then covers the mapping whole.  Advising
     * part of it would split the mapping, and realloc could no longer
     * grow it in place (mremap moves one mapping): it would copy instead,
     * faulting every page again.  The kernel uses huge pages in the
     * aligned 2 MiB stretches. */
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = (uintptr_t)p & ~(page - 1);
    uintptr_t hi = ((uintptr_t)p + bytes + page - 1) & ~(page - 1);
#ifdef MADV_HUGEPAGE
    return madvise((void *)lo, hi - lo, MADV_HUGEPAGE) == 0;
#else
    return false;
#endif
}
