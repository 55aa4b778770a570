/*
 * test_allocfail.c - every allocation of the setup paths, made to fail.
 *
 * For each path (loading a CSV and an IDX file, opening a session, creating
 * a model and a trainer, loading a model file, opening a run directory,
 * running a gradcheck) the Nth allocation is made to fail, for N = 1, 2, ...
 * until the path runs to its end without reaching an Nth allocation.  Each failing run must return
 * ERROR_RUNTIME or ERROR_INPUT with a message, and leave no allocation and
 * no file descriptor behind; the run that succeeds must leave none after its
 * cleanup either.
 *
 * How: malloc, calloc, realloc and free (and strdup, strndup) are defined
 * here, so they replace the C library's for the whole process, the engine's
 * calls and the C library's own (fopen, zlib, qsort_r) included.  While a
 * path runs, each allocation its thread makes is counted (other threads', such
 * as a sanitizer runtime setting up a new thread, are left alone), the Nth
 * one returns NULL, and every
 * pointer handed out is kept in a table until it is freed: what is left in
 * the table afterwards was leaked.  Each N runs in a child process, so that
 * a crash on one failure path is reported with the others instead of ending
 * the test; the child sends its findings back through a pipe.
 *
 * Two builds.  The plain build forwards to glibc's __libc_malloc etc.  The
 * sanitizer build (make asan) cannot call those: memory must come from
 * AddressSanitizer's allocator, or its checks and free() break.  There the
 * replacements forward to the runtime's __interceptor_malloc etc., the
 * functions its own malloc symbols alias, so the injection and the leak table
 * work the same, and ASan also checks every failure path for overflows and
 * use-after-free.  What differs under ASan: its runtime implements strdup
 * itself without calling malloc, hence the strdup and strndup defined here;
 * and allocations the runtime makes internally are neither counted nor
 * failed (the engine never reaches those).
 */
#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
#include <errno.h>
#include <execinfo.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "gradtop/data/dataset.h"
#include "gradtop/nn/gemm.h"
#include "gradtop/nn/gradcheck.h"
#include "gradtop/nn/model.h"
#include "gradtop/run/modelfile.h"
#include "gradtop/run/options.h"
#include "gradtop/core/rng.h"
#include "gradtop/run/rundir.h"
#include "gradtop/run/prepared.h"
#include "gradtop/run/trainer.h"

/* ---- the allocator ------------------------------------------------------ */

#if defined(__SANITIZE_ADDRESS__)
#define REAL(f) __interceptor_##f
#else
#define REAL(f) __libc_##f
#endif
extern void *REAL(malloc)(size_t);
extern void *REAL(calloc)(size_t, size_t);
extern void *REAL(realloc)(void *, size_t);
extern void REAL(free)(void *);

#if defined(__SANITIZE_ADDRESS__)
/* From sanitizer/lsan_interface.h, which gcc does not install. */
void __lsan_disable(void);
void __lsan_enable(void);
#endif

#define LIVE_SLOTS (1u << 16) /* open addressing; far more than a path holds */
#define TOMBSTONE ((void *)1)
#define MAX_FRAMES 12

static void *live[LIVE_SLOTS];
static long n_live;
static bool table_full;
static bool armed;        /* counting, failing and tracking */
static long n_counted;    /* allocations seen while armed */
static long fail_at;      /* the allocation to fail (1-based); 0: none */
static bool injected;     /* fail_at was reached */
static bool in_backtrace; /* backtrace() must not recurse into the count */
static void *fail_frames[MAX_FRAMES];
static int n_fail_frames;
static pthread_t owner;   /* the thread whose allocations are counted */
static volatile int spin; /* the engine may allocate on other threads */

static void lock(void)
{
    while (__atomic_test_and_set(&spin, __ATOMIC_ACQUIRE)) {
    }
}
static void unlock(void)
{
    __atomic_clear(&spin, __ATOMIC_RELEASE);
}

static size_t slot_of(const void *p)
{
    return (size_t)(((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15u >> 48) & (LIVE_SLOTS - 1);
}

static void live_add(void *p)
{
    size_t i = slot_of(p);
    for (size_t k = 0; k < LIVE_SLOTS; k++, i = (i + 1) & (LIVE_SLOTS - 1))
        if (!live[i] || live[i] == TOMBSTONE) {
            live[i] = p;
            n_live++;
            return;
        }
    table_full = true;
}

static void live_remove(void *p)
{
    size_t i = slot_of(p);
    for (size_t k = 0; k < LIVE_SLOTS && live[i]; k++, i = (i + 1) & (LIVE_SLOTS - 1))
        if (live[i] == p) {
            live[i] = TOMBSTONE;
            n_live--;
            return;
        }
}

/* Counts one allocation; true when this is the one to fail. */
static bool should_fail(void)
{
    if (!armed || in_backtrace || !pthread_equal(pthread_self(), owner)) return false;
    lock();
    bool fail = ++n_counted == fail_at;
    if (fail) injected = true;
    unlock();
    if (fail) {
        in_backtrace = true; /* backtrace() was warmed up in main: no malloc */
        n_fail_frames = backtrace(fail_frames, MAX_FRAMES);
        in_backtrace = false;
    }
    return fail;
}

static void *tracked(void *p)
{
    if (p && armed && pthread_equal(pthread_self(), owner)) {
        lock();
        live_add(p);
        unlock();
    }
    return p;
}

void *malloc(size_t n)
{
    if (should_fail()) {
        errno = ENOMEM;
        return NULL;
    }
    return tracked(REAL(malloc)(n));
}

void *calloc(size_t a, size_t b)
{
    if (should_fail()) {
        errno = ENOMEM;
        return NULL;
    }
    return tracked(REAL(calloc)(a, b));
}

void *realloc(void *p, size_t n)
{
    if (should_fail()) {
        errno = ENOMEM;
        return NULL;
    }
    void *q = REAL(realloc)(p, n);
    if (armed && (q || n == 0) && p) {
        lock();
        live_remove(p);
        unlock();
    }
    return tracked(q);
}

void free(void *p)
{
    if (p && armed) {
        lock();
        live_remove(p);
        unlock();
    }
    REAL(free)(p);
}

char *strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

char *strndup(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static void arm(long n)
{
    memset(live, 0, sizeof live);
    n_live = 0;
    table_full = false;
    n_counted = 0;
    fail_at = n;
    injected = false;
    n_fail_frames = 0;
    owner = pthread_self();
    armed = true;
}

static void disarm(void)
{
    armed = false;
}

/* Open file descriptors (counted while disarmed: opendir allocates). */
static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    int n = 0;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

/* ---- one path, every allocation ----------------------------------------- */

/* A setup path: runs once, returns its code (filling err), and frees what it
 * made on success in cleanup. */
typedef struct {
    const char *name;
    ErrorCode (*run)(void *ctx, Error *err);
    void (*cleanup)(void *ctx);
    void *ctx;
} Path;

/* What a child reports for one N. */
typedef struct {
    bool injected;
    ErrorCode code;
    char msg[sizeof((Error *)0)->msg];
    long leaked;
    int fds_leaked;
    bool table_full;
    int n_frames;
    void *frames[MAX_FRAMES];
} Outcome;

static void child_run(const Path *p, long n, int out)
{
    Outcome o;
    memset(&o, 0, sizeof o);
    Error err;
    error_clear(&err);
    int fds = count_fds();
    arm(n);
    o.code = p->run(p->ctx, &err);
    o.injected = injected;
    if (o.code == ERROR_NONE) p->cleanup(p->ctx);
    disarm();
    o.leaked = n_live;
    o.table_full = table_full;
    o.fds_leaked = count_fds() - fds;
    snprintf(o.msg, sizeof o.msg, "%s", err.msg);
    o.n_frames = n_fail_frames;
    memcpy(o.frames, fail_frames, sizeof o.frames);
    ssize_t w = write(out, &o, sizeof o);
    _exit(w == (ssize_t)sizeof o ? 0 : 1);
}

/* Where the failed allocation was made: "object+offset" per frame, for
 * addr2line -f -e OBJECT OFFSET. */
static void print_site(const Outcome *o)
{
    for (int i = 1; i < o->n_frames; i++) { /* frame 0 is should_fail */
        Dl_info info;
        if (dladdr(o->frames[i], &info) && info.dli_fname) {
            const char *base = strrchr(info.dli_fname, '/');
            fprintf(stderr, "      #%d %s+0x%lx %s\n", i, base ? base + 1 : info.dli_fname,
                    (unsigned long)((uintptr_t)o->frames[i] - (uintptr_t)info.dli_fbase - 1),
                    info.dli_sname ? info.dli_sname : "");
        } else {
            fprintf(stderr, "      #%d %p\n", i, o->frames[i]);
        }
    }
}

/* Fails allocation 1, 2, ... of p in turn; returns how many runs went badly
 * (each described on stderr), the allocation count in *total and in
 * *recovered how many runs succeeded despite their failed allocation. */
static int exhaust(const Path *p, long *total, int *recovered)
{
    int bad = 0;
    *recovered = 0;
    long n;
    for (n = 1; n < 100000; n++) {
        int fd[2];
        assert_int_equal(pipe(fd), 0);
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fd[0]);
            child_run(p, n, fd[1]);
        }
        close(fd[1]);
        Outcome o;
        ssize_t got = read(fd[0], &o, sizeof o);
        close(fd[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        if (got != (ssize_t)sizeof o) {
            bad++;
            fprintf(stderr, "  %s: allocation %ld failed: the process died (%s %d)\n", p->name, n,
                    WIFSIGNALED(status) ? "signal" : "exit status",
                    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
            continue; /* the site is in the child's own stderr (ASan) */
        }
        const char *why = NULL;
        if (o.table_full)
            why = "the leak table overflowed";
        else if (o.injected && o.code != ERROR_NONE && o.code != ERROR_RUNTIME &&
                 o.code != ERROR_INPUT)
            why = "wrong error code";
        else if (o.code != ERROR_NONE && !o.msg[0])
            why = "an error with no message";
        else if (!o.injected && o.code != ERROR_NONE)
            why = "failed with no allocation failing";
        else if (o.leaked)
            why = "allocations leaked";
        else if (o.fds_leaked > 0)
            why = "file descriptors leaked";
        if (why) {
            bad++;
            fprintf(stderr,
                    "  %s: allocation %ld failed: %s (code %d, %ld allocations, %d fds): %s\n",
                    p->name, n, why, (int)o.code, o.leaked, o.fds_leaked, o.msg);
            if (o.injected) print_site(&o);
        }
        if (o.injected && o.code == ERROR_NONE) ++*recovered;
        if (!o.injected) break;
    }
    *total = n - 1;
    return bad;
}

static void check_path(const Path *p)
{
    long total = 0;
    int recovered = 0;
    int bad = exhaust(p, &total, &recovered);
    fprintf(stderr, "  %s: %ld allocations failed in turn: %d went badly, %d recovered\n", p->name,
            total, bad, recovered);
    /* A path that allocates nothing tests nothing. */
    assert_true(total > 0);
    assert_int_equal(bad, 0);
}

/* ---- the paths ------------------------------------------------------------ */

typedef struct {
    const char *path, *labels;
    Dataset ds;
} LoadCtx;

static ErrorCode run_csv(void *ctx, Error *err)
{
    LoadCtx *c = ctx;
    return dataset_load_csv(&c->ds, c->path, NULL, err);
}

static ErrorCode run_idx(void *ctx, Error *err)
{
    LoadCtx *c = ctx;
    return dataset_load_idx(&c->ds, c->path, c->labels, err);
}

static void free_load(void *ctx)
{
    dataset_free(&((LoadCtx *)ctx)->ds);
}

typedef struct {
    Options opt;
    PreparedData s;
    Model m;
    ModelShape shape;
    Trainer *t;
    SavedModel sm;
    RunDir *rl;
    char model_path[256];
    char dir[64];
} SetupCtx;

static ErrorCode run_session(void *ctx, Error *err)
{
    SetupCtx *c = ctx;
    return prepared_open(&c->s, &c->opt, NULL, err);
}
static void free_session(void *ctx)
{
    prepared_close(&((SetupCtx *)ctx)->s);
}

static ErrorCode run_model(void *ctx, Error *err)
{
    SetupCtx *c = ctx;
    Rng r;
    rng_seed(&r, 1);
    return model_create(&c->m, &c->shape, 32, &r, err);
}
static void free_model(void *ctx)
{
    model_free(&((SetupCtx *)ctx)->m);
}

static ErrorCode run_trainer(void *ctx, Error *err)
{
    SetupCtx *c = ctx;
    return trainer_create(&c->t, &c->opt, &c->s.train, &c->s.val, NULL, false, NULL, err);
}
static void free_trainer(void *ctx)
{
    trainer_destroy(((SetupCtx *)ctx)->t);
}

/* A run asked to grow its batch from 4 to 64 rows before its first batch
 * (the change allocates the batch buffers and the model's workspace): a
 * refused change must leave buffers at least as large as the batch the
 * model then trains on, or the gather writes past them (ASan sees it). */
static ErrorCode run_batch_change(void *ctx, Error *err)
{
    SetupCtx *c = ctx;
    Options o = c->opt;
    o.epochs = 1;
    o.hp.batch_size = 4;
    ErrorCode rc = trainer_create(&c->t, &o, &c->s.train, &c->s.val, NULL, false, NULL, err);
    if (rc) return rc;
    HyperParams hp = o.hp;
    hp.batch_size = 64;
    trainer_set_hparams(c->t, &hp);
    rc = trainer_run(c->t, err);
    if (rc) trainer_destroy(c->t);
    return rc;
}

static ErrorCode run_modelfile(void *ctx, Error *err)
{
    SetupCtx *c = ctx;
    return modelfile_load(&c->sm, c->model_path, err);
}
static void free_modelfile(void *ctx)
{
    modelfile_free(&((SetupCtx *)ctx)->sm);
}

static ErrorCode run_runlog(void *ctx, Error *err)
{
    SetupCtx *c = ctx;
    return rundir_open(&c->rl, &c->opt, &c->s, err);
}
static void free_runlog(void *ctx)
{
    rundir_close(((SetupCtx *)ctx)->rl);
}

static ErrorCode run_gradcheck(void *ctx, Error *err)
{
    SetupCtx *c = ctx;
    GradcheckReport rep;
    int rows;
    return gradcheck_session(&c->s, &c->opt, &c->shape, &rows, &rep, err);
}
static void free_nothing(void *ctx)
{
    (void)ctx;
}

/* Options for iris with a small network, a session opened outside the
 * counting (for the paths that start from one), a model file saved from it
 * and a scratch log directory. */
static int setup(void **state)
{
    SetupCtx *c = calloc(1, sizeof *c);
    assert_non_null(c);
    options_default(&c->opt);
    snprintf(c->opt.dataset, sizeof c->opt.dataset, "datasets/iris.csv");
    c->opt.layers[0] = 8;
    c->opt.layers[1] = 4;
    c->opt.n_layers = 2;
    c->opt.threads = 1;
    snprintf(c->dir, sizeof c->dir, "/tmp/gradtop-allocfail.XXXXXX");
    assert_non_null(mkdtemp(c->dir));
    snprintf(c->opt.logdir, sizeof c->opt.logdir, "%s/runs", c->dir);
    Error err;
    assert_int_equal(prepared_open(&c->s, &c->opt, NULL, &err), ERROR_NONE);
    assert_int_equal(model_shape_make(&c->shape, c->s.train.d, c->opt.layers, c->opt.n_layers,
                                      c->opt.activation, c->opt.loss, true, c->s.all.n_classes,
                                      &err),
                     ERROR_NONE);
    Model m;
    Rng r;
    rng_seed(&r, 2);
    assert_int_equal(model_create(&m, &c->shape, 8, &r, &err), ERROR_NONE);
    ModelInfo info;
    modelfile_info_from_session(&info, &c->s);
    info.config_text = "epochs = 3\n";
    snprintf(c->model_path, sizeof c->model_path, "%s/model.gtm", c->dir);
    assert_int_equal(modelfile_save(c->model_path, &m, NULL, &info, &err), ERROR_NONE);
    model_free(&m);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    SetupCtx *c = *state;
    prepared_close(&c->s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", c->dir);
    int rc = system(cmd);
    free(c);
    return rc == 0 ? 0 : -1;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_injection_fails_the_nth_allocation_and_sees_leaks(void **state)
{
    (void)state;
    /* Through volatile pointers: the compiler may not reason the calls away. */
    void *(*volatile m)(size_t) = malloc;
    void *(*volatile z)(size_t, size_t) = calloc;
    void (*volatile f)(void *) = free;
    arm(2);
    void *a = m(8);
    void *b = m(8);
    void *c = z(1, 8);
    disarm();
    assert_non_null(a);
    assert_null(b);
    assert_non_null(c);
    assert_true(injected);
    assert_int_equal(n_counted, 3);
    assert_int_equal(n_live, 2);
    arm(0);
    f(a);
    f(c);
    assert_int_equal(n_live, 0);
    disarm();
}

static void test_csv_load_survives_every_allocation_failure(void **state)
{
    (void)state;
    LoadCtx c = {.path = "datasets/iris.csv"};
    Path p = {"dataset_load_csv(iris.csv)", run_csv, free_load, &c};
    check_path(&p);
}

static void test_idx_load_survives_every_allocation_failure(void **state)
{
    (void)state;
    LoadCtx c = {.path = "tests/data/idx/tiny-images-idx3-ubyte"};
    Path p = {"dataset_load_idx(tiny)", run_idx, free_load, &c};
    check_path(&p);
    LoadCtx g = {.path = "tests/data/idx/tinygz-images-idx3-ubyte.gz",
                 .labels = "tests/data/idx/tinygz-labels-idx1-ubyte.gz"};
    Path pg = {"dataset_load_idx(tinygz)", run_idx, free_load, &g};
    check_path(&pg);
}

static void test_session_open_survives_every_allocation_failure(void **state)
{
    SetupCtx *c = *state;
    SetupCtx local = *c;
    memset(&local.s, 0, sizeof local.s);
    Path p = {"prepared_open(iris)", run_session, free_session, &local};
    check_path(&p);
}

static void test_model_create_survives_every_allocation_failure(void **state)
{
    Path p = {"model_create", run_model, free_model, *state};
    check_path(&p);
}

static void test_trainer_create_survives_every_allocation_failure(void **state)
{
    Path p = {"trainer_create", run_trainer, free_trainer, *state};
    check_path(&p);
}

static void test_batch_change_survives_every_allocation_failure(void **state)
{
    Path p = {"batch change", run_batch_change, free_trainer, *state};
    check_path(&p);
}

static void test_modelfile_load_survives_every_allocation_failure(void **state)
{
    Path p = {"modelfile_load", run_modelfile, free_modelfile, *state};
    check_path(&p);
}

static void test_gradcheck_survives_every_allocation_failure(void **state)
{
    Path p = {"gradcheck_session", run_gradcheck, free_nothing, *state};
    check_path(&p);
}

static void test_runlog_open_survives_every_allocation_failure(void **state)
{
    Path p = {"rundir_open", run_runlog, free_runlog, *state};
    check_path(&p);
}

int main(void)
{
    /* backtrace() loads libgcc on its first call, which allocates: do it
     * now, before anything is counted. */
    void *warm[2];
#if defined(__SANITIZE_ADDRESS__)
    /* The dynamic linker's allocations reach LeakSanitizer through malloc
     * here, past its rule that ignores them; they are kept for good. */
    __lsan_disable();
    backtrace(warm, 2);
    __lsan_enable();
#else
    backtrace(warm, 2);
#endif
    gemm_set_threads(1);
    /* The first localtime_r reads the time zone and keeps it for good. */
    tzset();
    /* One load of each kind outside the counting: one-time set-up (the C
     * locale of the number parser, zlib's tables) is not a leak. */
    Dataset ds;
    Error err;
    if (dataset_load_csv(&ds, "datasets/iris.csv", NULL, &err) == ERROR_NONE) dataset_free(&ds);
    if (dataset_load_idx(&ds, "tests/data/idx/tinygz-images-idx3-ubyte.gz",
                         "tests/data/idx/tinygz-labels-idx1-ubyte.gz", &err) == ERROR_NONE)
        dataset_free(&ds);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_injection_fails_the_nth_allocation_and_sees_leaks),
        cmocka_unit_test(test_csv_load_survives_every_allocation_failure),
        cmocka_unit_test(test_idx_load_survives_every_allocation_failure),
        cmocka_unit_test(test_session_open_survives_every_allocation_failure),
        cmocka_unit_test(test_model_create_survives_every_allocation_failure),
        cmocka_unit_test(test_trainer_create_survives_every_allocation_failure),
        cmocka_unit_test(test_batch_change_survives_every_allocation_failure),
        cmocka_unit_test(test_modelfile_load_survives_every_allocation_failure),
        cmocka_unit_test(test_runlog_open_survives_every_allocation_failure),
        cmocka_unit_test(test_gradcheck_survives_every_allocation_failure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
