/*
 * test_gemm.c - gemm() (cblas_sgemm) and gemm_naive() against an independent
 * double-precision reference written here, on odd shapes, all four transpose
 * combinations, alpha/beta, and padded row strides.
 *
 * Tolerance: each C element is a K-term dot product scaled by alpha plus
 * beta·C.  The classic bound for a float dot product (Higham, "Accuracy and
 * Stability of Numerical Algorithms", §3.1) is |fl(x·y) - x·y| <= γ_K Σ|x_i y_i|
 * with γ_K = K·u/(1 - K·u), u = 2^-24.  Two more roundings come from alpha and
 * beta.  FLT_EPSILON = 2u, so (K + 3)·FLT_EPSILON·(|alpha|·Σ|a||b| + |beta·c|)
 * bounds the error of any summation order BLAS may choose, with margin; a
 * wrong index, transpose or stride gives errors of order 1, far above it.
 */
#include <dirent.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "child.h"
#include "gradtop/nn/gemm.h"
#include "gradtop/core/rng.h"
#include "gradtop/core/sysmem.h"

/* OpenBLAS's buffer pool (driver/others/memory.c), exported by the library */
extern void *blas_memory_alloc(int procpos);
extern void blas_memory_free(void *buffer);

/* cmocka's assert_float_equal passes when a value is NaN (its relative
 * check compares NaN with >, which is false) and rounds doubles to float;
 * this one fails on NaN and keeps doubles. */
#define EXPECT_NEAR(got, want, tol) expect_near_at((got), (want), (tol), #got, __LINE__)
static void expect_near_at(double got, double want, double tol, const char *expr, int line)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("line %d: %s = %.9g, want %.9g (tolerance %g)", line, expr, got, want, tol);
}

#define SENTINEL 12345.0f

typedef void (*GemmFn)(bool, bool, int, int, int, float, const float *, int, const float *, int,
                       float, float *, int);

/* The element of op(A) at (i, k) for a row-major A with stride ld. */
static float op_at(const float *A, int ld, bool trans, int i, int k)
{
    return trans ? A[(size_t)k * ld + i] : A[(size_t)i * ld + k];
}

/* Case description: shapes, transposes, scalars and extra stride padding. */
typedef struct {
    int M, N, K;
    bool ta, tb;
    float alpha, beta;
    int pad_a, pad_b, pad_c;
} Case;

static void fill(Rng *r, float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) x[i] = (float)(2.0 * rng_uniform(r) - 1.0);
}

/* Runs fn on the case and checks every element of C against the double
 * reference and every padding element of C for being left untouched. */
static void check_case(GemmFn fn, const Case *c, uint64_t seed)
{
    /* Stored shapes: A is (M, K) or (K, M) when transposed; B (K, N) or (N, K). */
    int a_rows = c->ta ? c->K : c->M, a_cols = c->ta ? c->M : c->K;
    int b_rows = c->tb ? c->N : c->K, b_cols = c->tb ? c->K : c->N;
    int lda = a_cols + c->pad_a, ldb = b_cols + c->pad_b, ldc = c->N + c->pad_c;
    float *A = malloc(sizeof(float) * (size_t)a_rows * lda);
    float *B = malloc(sizeof(float) * (size_t)b_rows * ldb);
    float *C = malloc(sizeof(float) * (size_t)c->M * ldc);
    float *C0 = malloc(sizeof(float) * (size_t)c->M * ldc);
    assert_non_null(A);
    assert_non_null(B);
    assert_non_null(C);
    assert_non_null(C0);
    Rng r;
    rng_seed(&r, seed);
    fill(&r, A, (size_t)a_rows * lda);
    fill(&r, B, (size_t)b_rows * ldb);
    /* Padding of A and B holds huge values: reading it would show. */
    for (int i = 0; i < a_rows; i++)
        for (int j = a_cols; j < lda; j++) A[(size_t)i * lda + j] = 1e30f;
    for (int i = 0; i < b_rows; i++)
        for (int j = b_cols; j < ldb; j++) B[(size_t)i * ldb + j] = 1e30f;
    for (int i = 0; i < c->M; i++)
        for (int j = 0; j < ldc; j++)
            C0[(size_t)i * ldc + j] = j < c->N ? (float)(2.0 * rng_uniform(&r) - 1.0) : SENTINEL;
    memcpy(C, C0, sizeof(float) * (size_t)c->M * ldc);

    fn(c->ta, c->tb, c->M, c->N, c->K, c->alpha, A, lda, B, ldb, c->beta, C, ldc);

    for (int i = 0; i < c->M; i++) {
        for (int j = 0; j < ldc; j++) {
            float got = C[(size_t)i * ldc + j];
            if (j >= c->N) {
                assert_true(got == SENTINEL); /* ldc padding untouched */
                continue;
            }
            double s = 0, mag = 0;
            for (int k = 0; k < c->K; k++) {
                double p = (double)op_at(A, lda, c->ta, i, k) * op_at(B, ldb, c->tb, k, j);
                s += p;
                mag += fabs(p);
            }
            double c0 = C0[(size_t)i * ldc + j];
            double want = c->alpha * s + (c->beta == 0 ? 0.0 : c->beta * c0);
            double tol =
                (c->K + 3) * FLT_EPSILON * (fabs(c->alpha) * mag + fabs(c->beta) * fabs(c0)) +
                FLT_MIN;
            if (!(fabs(got - want) <= tol))
                fail_msg("M=%d N=%d K=%d ta=%d tb=%d alpha=%g beta=%g: C[%d,%d] = %.9g, "
                         "want %.9g (tol %.3g)",
                         c->M, c->N, c->K, c->ta, c->tb, c->alpha, c->beta, i, j, got, want, tol);
        }
    }
    free(A);
    free(B);
    free(C);
    free(C0);
}

static const int shapes[][3] = {
    {1, 1, 1}, {1, 9, 4},    {9, 1, 4},    {1, 1, 13}, {4, 6, 1},
    {3, 5, 7}, {17, 33, 65}, {65, 17, 33}, {2, 1, 31}, {1, 31, 2},
};

static void run_all(GemmFn fn, float alpha, float beta, int pad_a, int pad_b, int pad_c)
{
    uint64_t seed = 1;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int t = 0; t < 4; t++) {
            Case c = {shapes[s][0], shapes[s][1], shapes[s][2], t & 1, (t >> 1) & 1,
                      alpha,        beta,         pad_a,        pad_b, pad_c};
            check_case(fn, &c, seed++);
        }
}

static void gemm_matches_reference_on_odd_shapes_all_transposes(void **state)
{
    (void)state;
    run_all(gemm, 1.0f, 0.0f, 0, 0, 0);
}

static void gemm_naive_matches_reference_on_odd_shapes_all_transposes(void **state)
{
    (void)state;
    run_all(gemm_naive, 1.0f, 0.0f, 0, 0, 0);
}

static void gemm_applies_alpha_and_beta(void **state)
{
    (void)state;
    run_all(gemm, 0.5f, 1.0f, 0, 0, 0);
    run_all(gemm, -2.0f, 0.25f, 0, 0, 0);
    run_all(gemm_naive, 0.5f, 1.0f, 0, 0, 0);
    run_all(gemm_naive, -2.0f, 0.25f, 0, 0, 0);
}

static void gemm_alpha_zero_beta_one_leaves_c_unchanged(void **state)
{
    (void)state;
    float A[6] = {1, 2, 3, 4, 5, 6}, B[6] = {1, -1, 2, -2, 3, -3};
    float C[4] = {0.5f, -1.5f, 2.5f, 7.0f};
    float want[4] = {0.5f, -1.5f, 2.5f, 7.0f};
    gemm(false, false, 2, 2, 3, 0.0f, A, 3, B, 2, 1.0f, C, 2);
    assert_memory_equal(C, want, sizeof C);
    float D[4] = {0.5f, -1.5f, 2.5f, 7.0f};
    gemm_naive(false, false, 2, 2, 3, 0.0f, A, 3, B, 2, 1.0f, D, 2);
    assert_memory_equal(D, want, sizeof D);
}

static void gemm_honours_padded_strides(void **state)
{
    (void)state;
    run_all(gemm, 1.0f, 0.5f, 3, 5, 2);
    run_all(gemm_naive, 1.0f, 0.5f, 3, 5, 2);
    run_all(gemm, -1.0f, 0.0f, 1, 0, 7);
}

/* BLAS semantics: beta == 0 means C is output only, so NaN or Inf already in
 * C must not leak into the result (0·NaN would be NaN). */
static void beta_zero_ignores_nan_in_c(void **state)
{
    (void)state;
    GemmFn fns[2] = {gemm, gemm_naive};
    for (int f = 0; f < 2; f++) {
        for (int t = 0; t < 4; t++) {
            /* A 2x3 (or 3x2 stored), B 3x2 (or 2x3 stored), all ones: C = 3. */
            float A[6], B[6], C[4];
            for (int i = 0; i < 6; i++) A[i] = B[i] = 1.0f;
            C[0] = NAN;
            C[1] = INFINITY;
            C[2] = -INFINITY;
            C[3] = NAN;
            bool ta = t & 1, tb = (t >> 1) & 1;
            fns[f](ta, tb, 2, 2, 3, 1.0f, A, ta ? 2 : 3, B, tb ? 3 : 2, 0.0f, C, 2);
            for (int i = 0; i < 4; i++) EXPECT_NEAR(C[i], 3.0f, 0.0f);
        }
    }
}

/* A small example worked by hand, so that gemm and gemm_naive cannot both be
 * wrong the same way as the reference above. */
static void gemm_hand_worked_example(void **state)
{
    (void)state;
    /* A (2,3) = [1 2 3; 4 5 6], B (3,2) = [7 8; 9 10; 11 12]
     * A·B = [58 64; 139 154]; 2·A·B + 1·C with C = [1 1; 1 1]. */
    const float A[6] = {1, 2, 3, 4, 5, 6};
    const float B[6] = {7, 8, 9, 10, 11, 12};
    const float want[4] = {117, 129, 279, 309};
    GemmFn fns[2] = {gemm, gemm_naive};
    for (int f = 0; f < 2; f++) {
        float C[4] = {1, 1, 1, 1};
        fns[f](false, false, 2, 2, 3, 2.0f, A, 3, B, 2, 1.0f, C, 2);
        for (int i = 0; i < 4; i++) EXPECT_NEAR(C[i], want[i], 0.0f);
        /* Both transposed: Bᵀ (2,3) · Aᵀ (3,2) = (A·B)ᵀ = [58 139; 64 154]. */
        float D[4] = {0, 0, 0, 0};
        fns[f](true, true, 2, 2, 3, 1.0f, B, 2, A, 3, 0.0f, D, 2);
        const float wt[4] = {58, 139, 64, 154};
        for (int i = 0; i < 4; i++) EXPECT_NEAR(D[i], wt[i], 0.0f);
    }
}

static void thread_count_is_set_and_results_agree(void **state)
{
    (void)state;
    gemm_set_threads(1);
    assert_int_equal(gemm_get_threads(), 1);
    /* 0 means all cores: at least one thread, and results within tolerance. */
    gemm_set_threads(0);
    assert_true(gemm_get_threads() >= 1);
    Case c = {128, 96, 200, false, true, 1.0f, 0.0f, 0, 0, 0};
    check_case(gemm, &c, 99);
    gemm_set_threads(1);
    check_case(gemm, &c, 99);
}

/* The process's threads (entries of /proc/self/task). */
static int task_count(void)
{
    DIR *d = opendir("/proc/self/task");
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

/* gemm_single_thread ends OpenBLAS's threads (here started by asking for
 * two), and a later gemm_set_threads(1), as every trainer makes, does not
 * start them again (OpenBLAS restarts its pool on any thread-count call
 * once it was ended).  Products stay right.  Runs in this process, not a
 * forked child: after fork OpenBLAS ends its threads by itself. */
static void single_thread_ends_openblas_threads(void **state)
{
    (void)state;
    gemm_set_threads(2);
    int before = task_count();
    assert_true(before >= 2);
    gemm_single_thread();
    assert_int_equal(gemm_get_threads(), 1);
    assert_int_equal(task_count(), 1);
    gemm_set_threads(1);
    assert_int_equal(task_count(), 1);
    Case c = {64, 48, 100, true, false, 1.0f, 0.0f, 0, 0, 0};
    check_case(gemm, &c, 7);
    assert_int_equal(task_count(), 1);
}

/* ---- OpenBLAS's buffer pool (gemm_reserve) ------------------------------ */

#define POOL_MAX 64

/* Holds pool buffers until one makes the address space grow: that growth
 * is one buffer's mapping. */
static const char *buffer_size_check(void *arg)
{
    (void)arg;
    void *held[POOL_MAX];
    int n = 0;
    double grew = 0;
    while (n < POOL_MAX && grew == 0) {
        double before = sysmem_status_bytes("VmSize");
        held[n++] = blas_memory_alloc(0);
        grew = sysmem_status_bytes("VmSize") - before;
    }
    for (int i = 0; i < n; i++) blas_memory_free(held[i]);
    static char msg[160];
    if (grew < gemm_buffer_bytes() || grew > gemm_buffer_bytes() + 65536) {
        snprintf(msg, sizeof msg,
                 "a new pool buffer mapped %.0f bytes; gemm_buffer_bytes says %.0f", grew,
                 gemm_buffer_bytes());
        return msg;
    }
    return NULL;
}

static void buffer_size_is_what_openblas_maps(void **state)
{
    (void)state;
    child_run(buffer_size_check, NULL);
}

/* After gemm_reserve(3), three callers at once find buffers mapped: under
 * a limit that leaves no room for another, the pool still serves them (a
 * pool that had to map would retry forever: the child's alarm fails it). */
static const char *reserved_check(void *arg)
{
    (void)arg;
    static Error err;
    if (gemm_reserve(3, &err) != ERROR_NONE) return err.msg;
    if (gemm_reserve_bytes(0) != 0) return "reserved callers still need bytes";
    if (!child_limit_above_use(RLIMIT_AS, "VmSize", 16.0 * 1024 * 1024))
        return "cannot set RLIMIT_AS";
    void *held[3];
    for (int i = 0; i < 3; i++) held[i] = blas_memory_alloc(0);
    for (int i = 0; i < 3; i++) blas_memory_free(held[i]);
    if (gemm_reserve_bytes(1) != gemm_buffer_bytes()) return "a fourth caller needs no buffer";
    gemm_release(3);
    if (gemm_reserve_bytes(3) != 0) return "released reservations left the pool short";
    return NULL;
}

static void reserved_buffers_serve_simultaneous_callers_without_mapping(void **state)
{
    (void)state;
    child_run(reserved_check, NULL);
}

static const char *tight_check(void *arg)
{
    (void)arg;
    if (!child_limit_above_use(RLIMIT_AS, "VmSize", 32.0 * 1024 * 1024))
        return "cannot set RLIMIT_AS";
    static Error err;
    if (gemm_reserve(2, &err) != ERROR_RUNTIME) return "two buffers reserved in 32 MB of room";
    if (!strstr(err.msg, "out of memory: the BLAS work buffers (2 of 134 MB) needs 269 MB") ||
        !strstr(err.msg, "address-space limit (ulimit -v) leaves: use fewer --threads"))
        return err.msg;
    if (gemm_reserve_bytes(2) != 2 * gemm_buffer_bytes()) return "a refused reservation counted";
    return NULL;
}

static void reserve_under_a_tight_limit_is_refused_not_hung(void **state)
{
    (void)state;
    child_run(tight_check, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gemm_matches_reference_on_odd_shapes_all_transposes),
        cmocka_unit_test(gemm_naive_matches_reference_on_odd_shapes_all_transposes),
        cmocka_unit_test(gemm_applies_alpha_and_beta),
        cmocka_unit_test(gemm_alpha_zero_beta_one_leaves_c_unchanged),
        cmocka_unit_test(gemm_honours_padded_strides),
        cmocka_unit_test(beta_zero_ignores_nan_in_c),
        cmocka_unit_test(gemm_hand_worked_example),
        cmocka_unit_test(thread_count_is_set_and_results_agree),
        cmocka_unit_test(buffer_size_is_what_openblas_maps),
        cmocka_unit_test(reserved_buffers_serve_simultaneous_callers_without_mapping),
        cmocka_unit_test(reserve_under_a_tight_limit_is_refused_not_hung),
        /* last: it ends OpenBLAS's threads for the rest of the process */
        cmocka_unit_test(single_thread_ends_openblas_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
