/*
 * test_sysmem.c - the room to allocate under the address-space and data
 * limits (each set in a forked child, tests/child.h), and the message that
 * refuses what does not fit.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "child.h"
#include "gradtop/core/sysmem.h"

#define MB (1024.0 * 1024.0)

static const char *room_under_as(void *arg)
{
    (void)arg;
    if (!child_limit_above_use(RLIMIT_AS, "VmSize", 64 * MB)) return "cannot set RLIMIT_AS";
    if (!sysmem_limited()) return "sysmem_limited: false under RLIMIT_AS";
    SysMemRoom r = sysmem_room();
    if (!strstr(r.bound, "address-space limit (ulimit -v)")) return "the bound is not ulimit -v";
    /* 64 MB above what was mapped, less what reading /proc mapped since */
    if (!(r.bytes > 32 * MB && r.bytes <= 64 * MB)) return "the room is not the limit less VmSize";
    return NULL;
}

static void room_under_address_space_limit_is_the_limit_less_what_is_mapped(void **state)
{
    (void)state;
    child_run(room_under_as, NULL);
}

static const char *room_under_data(void *arg)
{
    (void)arg;
    if (!child_limit_above_use(RLIMIT_DATA, "VmData", 64 * MB)) return "cannot set RLIMIT_DATA";
    SysMemRoom r = sysmem_room();
    if (!strstr(r.bound, "data-size limit (ulimit -d)")) return "the bound is not ulimit -d";
    if (!(r.bytes > 32 * MB && r.bytes <= 64 * MB)) return "the room is not the limit less VmData";
    return NULL;
}

static void room_under_data_limit_is_the_limit_less_the_data_mapped(void **state)
{
    (void)state;
    child_run(room_under_data, NULL);
}

static const char *check_under_as(void *arg)
{
    (void)arg;
    if (!child_limit_above_use(RLIMIT_AS, "VmSize", 64 * MB)) return "cannot set RLIMIT_AS";
    Error err = {0};
    if (sysmem_check(1e6, "a small thing", NULL, &err) != ERROR_NONE) return "1 MB refused";
    if (sysmem_check(200e6, "the thing", "use less", &err) != ERROR_RUNTIME)
        return "200 MB accepted under a 64 MB room";
    static char msg[1100];
    double room;
    char tail[64];
    if (sscanf(err.msg,
               "out of memory: the thing needs 200 MB, more than the %lf MB the address-space "
               "limit (ulimit -v) leaves: %63[^\n]",
               &room, tail) != 2 ||
        strcmp(tail, "use less") != 0 || room < 32 || room > 68) {
        snprintf(msg, sizeof msg, "message: %s", err.msg);
        return msg;
    }
    return NULL;
}

static void check_refuses_naming_what_needs_how_much_and_the_limit(void **state)
{
    (void)state;
    child_run(check_under_as, NULL);
}

static void without_limits_the_room_is_physical_memory(void **state)
{
    (void)state;
    struct rlimit as, data;
    assert_int_equal(getrlimit(RLIMIT_AS, &as), 0);
    assert_int_equal(getrlimit(RLIMIT_DATA, &data), 0);
    if (as.rlim_cur != RLIM_INFINITY || data.rlim_cur != RLIM_INFINITY)
        fail_msg("this test runs without ulimit -v and -d (the suite sets none)");
    SysMemRoom r = sysmem_room();
    assert_false(sysmem_limited());
    assert_true(sysmem_total() > 0);
    assert_true(r.bytes == sysmem_total());
    assert_string_equal(r.bound, "this machine has");
}

static void thread_stack_is_the_stack_limit(void **state)
{
    (void)state;
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_STACK, &rl), 0);
    double want = rl.rlim_cur == RLIM_INFINITY ? 2 * MB : (double)rl.rlim_cur;
    assert_true(sysmem_thread_bytes() >= want && sysmem_thread_bytes() <= want + 65536);
}

/* Whether the mapping that holds addr carries the huge-page advice
 * ("hg" among its VmFlags in /proc/self/smaps); -1 when not found. */
static int advised_huge(const void *addr)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f) return -1;
    char line[512];
    bool in = false;
    int found = -1;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            in = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
            continue;
        }
        if (in && !strncmp(line, "VmFlags:", 8)) {
            found = strstr(line, " hg") != NULL;
            break;
        }
    }
    fclose(f);
    return found;
}

/* A large block gets the advice over its 2 MiB-aligned part, where the
 * kernel has transparent huge pages at all (whatever its setting); a small
 * one never; the memory works as before, and free() takes it back. */
static void hugepages_advises_large_blocks_only(void **state)
{
    (void)state;
    bool thp = access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0;
    size_t big = 32u << 20;
    unsigned char *p = malloc(big);
    assert_non_null(p);
    assert_int_equal(sysmem_hugepages(p, big), thp);
    unsigned char *mid = p + big / 2; /* inside the aligned part */
    assert_int_equal(advised_huge(mid), thp ? 1 : 0);
    for (size_t i = 0; i < big; i += 4096) p[i] = (unsigned char)(i >> 12);
    for (size_t i = 0; i < big; i += 4096) assert_int_equal(p[i], (unsigned char)(i >> 12));
    free(p);

    size_t small = SYSMEM_HUGE_MIN - 1;
    unsigned char *q = malloc(small);
    assert_non_null(q);
    assert_false(sysmem_hugepages(q, small));
    assert_int_equal(advised_huge(q + small / 2), 0);
    free(q);
    assert_false(sysmem_hugepages(NULL, big));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(room_under_address_space_limit_is_the_limit_less_what_is_mapped),
        cmocka_unit_test(room_under_data_limit_is_the_limit_less_the_data_mapped),
        cmocka_unit_test(check_refuses_naming_what_needs_how_much_and_the_limit),
        cmocka_unit_test(without_limits_the_room_is_physical_memory),
        cmocka_unit_test(thread_stack_is_the_stack_limit),
        cmocka_unit_test(hugepages_advises_large_blocks_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
