/*
 * gemm.h - the one matrix-multiply call of gradtop, behind which sits
 * cblas_sgemm, and a naive reference that tests compare it against.
 *
 * C (M, N) = alpha · op(A) · op(B) + beta · C, all row-major; op is a
 * transpose when the flag is set.  lda/ldb/ldc are the row strides.
 * Thread-safe as cblas_sgemm is.  Called by the thread that owns the model
 * and, while a step is shared among a team (team.h), by the team's threads,
 * each on its own slice of the rows.
 */
#ifndef GRADTOP_GEMM_H
#define GRADTOP_GEMM_H

#include <stdbool.h>

void gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float *A, int lda,
          const float *B, int ldb, float beta, float *C, int ldc);
void gemm_naive(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float *A,
                int lda, const float *B, int ldb, float beta, float *C, int ldc);
/* BLAS threads; n <= 0 means all cores. */
void gemm_set_threads(int n);
int gemm_get_threads(void);

#endif
