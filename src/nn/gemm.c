/* gemm.c - see gemm.h. */
#include "gradtop/nn/gemm.h"

#include <cblas.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "gradtop/core/sysmem.h"

void gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float *A, int lda,
          const float *B, int ldb, float beta, float *C, int ldc)
{
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void gemm_naive(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float *A,
                int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < K; k++) {
                float a = trans_a ? A[k * lda + i] : A[i * lda + k];
                float b = trans_b ? B[j * ldb + k] : B[k * ldb + j];
                s += (double)a * b;
            }
            /* BLAS semantics: beta == 0 ignores C, even NaN in it. */
            float c = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
            C[i * ldc + j] = (float)(alpha * s) + c;
        }
    }
}

/* OpenBLAS's BUFFER_SIZE on x86-64 (common_x86_64.h: 32 << 22); the pool
 * maps it whole with mmap (alloc_mmap in driver/others/memory.c).
 * test_gemm checks it against the mapping the library really makes. */
#define GEMM_BUFFER_BYTES (128.0 * 1024.0 * 1024.0)
/* The pool's slots: NUM_BUFFERS, twice the library's MAX_THREADS (64 in
 * Debian's build); past them OpenBLAS warns and adds overflow slots. */
#define GEMM_MAX_RESERVED 128

/* The pool's own entry points: exported by libopenblas, not declared by
 * cblas.h; weak, so that another BLAS still links (then nothing is
 * reserved ahead, see gemm_reserve). */
extern void *blas_memory_alloc(int procpos) __attribute__((weak));
extern void blas_memory_free(void *buffer) __attribute__((weak));

static pthread_mutex_t reserve_mu = PTHREAD_MUTEX_INITIALIZER;
static int reserved; /* callers holding a reservation */
static int pooled;   /* buffers the pool holds for them */

double gemm_buffer_bytes(void)
{
    return GEMM_BUFFER_BYTES;
}

double gemm_reserve_bytes(int callers)
{
    pthread_mutex_lock(&reserve_mu);
    int more = reserved + callers - pooled;
    pthread_mutex_unlock(&reserve_mu);
    return more > 0 ? more * GEMM_BUFFER_BYTES : 0.0;
}

/* Whether bytes of address space can be mapped now: the same kind of
 * mapping the pool makes, unmapped again at once. */
static bool can_map(double bytes)
{
    void *p = mmap(NULL, (size_t)bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return false;
    munmap(p, (size_t)bytes);
    return true;
}

ErrorCode gemm_reserve(int callers, Error *err)
{
    if (callers <= 0) return ERROR_NONE;
    pthread_mutex_lock(&reserve_mu);
    int want = reserved + callers;
    ErrorCode rc = ERROR_NONE;
    if (want > GEMM_MAX_RESERVED) {
        rc = error_set(err, ERROR_RUNTIME,
                       "%d threads would multiply matrices at once; the BLAS library allows %d",
                       want, GEMM_MAX_RESERVED);
        goto out;
    }
    if (want > pooled) {
        double more = (want - pooled) * GEMM_BUFFER_BYTES;
        char what[96];
        snprintf(what, sizeof what, "the BLAS work buffers (%d of %.0f MB)", want - pooled,
                 GEMM_BUFFER_BYTES / 1e6);
        rc = sysmem_check(more, what, "use fewer --threads", err);
        if (rc) goto out;
        /* The check reads the limits; this tries them, just before the
         * pool maps, since a mapping the pool cannot make never returns. */
        if (!can_map(more)) {
            rc = error_set(err, ERROR_RUNTIME, "out of memory: %s: %s", what, strerror(errno));
            goto out;
        }
        if (blas_memory_alloc && blas_memory_free) {
            /* Holding want buffers at once makes the pool map the missing
             * ones; given back, they stay mapped for the callers. */
            void *held[GEMM_MAX_RESERVED];
            for (int i = 0; i < want; i++) held[i] = blas_memory_alloc(0);
            for (int i = 0; i < want; i++)
                if (held[i]) blas_memory_free(held[i]);
        }
        pooled = want;
    }
    reserved = want;
out:
    pthread_mutex_unlock(&reserve_mu);
    return rc;
}

void gemm_release(int callers)
{
    pthread_mutex_lock(&reserve_mu);
    reserved -= callers < reserved ? callers : reserved;
    pthread_mutex_unlock(&reserve_mu);
}

/* OpenBLAS's own, which its fork handler calls: ends its server threads
 * (the next multi-threaded call starts them again).  Weak, as above. */
extern int blas_thread_shutdown_(void) __attribute__((weak));

void gemm_single_thread(void)
{
    openblas_set_num_threads(1);
    if (blas_thread_shutdown_) blas_thread_shutdown_();
}

void gemm_set_threads(int n)
{
    if (n <= 0) n = sysmem_cores();
    /* OpenBLAS starts its threads again on any call once they were ended
     * (gemm_single_thread), even for the count it has */
    if (openblas_get_num_threads() == n) return;
    openblas_set_num_threads(n);
}

int gemm_get_threads(void)
{
    return openblas_get_num_threads();
}
