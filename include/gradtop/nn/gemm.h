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

#include "gradtop/core/error.h"

void gemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float *A, int lda,
          const float *B, int ldb, float beta, float *C, int ldc);
void gemm_naive(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float *A,
                int lda, const float *B, int ldb, float beta, float *C, int ldc);
/*
 * OpenBLAS's matrix multiply takes a work buffer from a process-wide pool
 * for each call and gives it back at its end; the pool maps a buffer (128
 * MiB of address space on x86-64) the first time more calls run at once
 * than it has buffers, keeps it for good, and retries a failed mapping
 * forever.  So every thread that may multiply at the same time as others
 * holds a reservation: gemm_reserve makes the pool hold a buffer for each
 * reserved caller, mapped now, under a memory check, so that no
 * multiplication maps one later (and none can hang on a memory limit).
 * Any thread may call these.
 */
/* The bytes gemm_reserve(callers) would map beyond what the pool holds. */
double gemm_reserve_bytes(int callers);
/* Reserves buffers for callers more simultaneous callers (at least 0);
 * ERROR_RUNTIME, nothing reserved, when they do not fit in memory
 * (sysmem_check) or cannot be mapped. */
ErrorCode gemm_reserve(int callers, Error *err);
/* Gives back callers reservations; the pool keeps its buffers for the next. */
void gemm_release(int callers);
/* The size of one pool buffer. */
double gemm_buffer_bytes(void);

/* BLAS threads; n <= 0 means all cores. */
void gemm_set_threads(int n);
int gemm_get_threads(void);

/* One BLAS thread, and OpenBLAS's own threads ended now.  OpenBLAS starts
 * them before main, one per core but the caller's, and each polls for
 * work with sched_yield for about a tenth of a second before it sleeps:
 * CPU taken from the first epochs of a run, and from every trial a sweep
 * starts then, by threads gradtop never gives work (it multiplies on its
 * own threads, team.h).  For programs that multiply single-threaded only;
 * a later gemm_set_threads(n > 1) starts them again.  A BLAS without
 * OpenBLAS's entry point keeps its threads. */
void gemm_single_thread(void);

#endif
