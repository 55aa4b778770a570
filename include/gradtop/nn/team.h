/*
 * team.h - a fixed team of threads that run one function together.
 *
 * A training step is a few phases (the forward pass over the batch's rows,
 * each layer's backward pass, the optimizer over the parameters), and each
 * phase splits into independent shares: rows of a batch, rows of a weight
 * matrix, ranges of the parameter vector.  team_run hands every thread of
 * the team, the caller included, its share of one phase and returns when all
 * shares are done (fork-join), so the phases stay in order.
 *
 * Each thread calls single-threaded BLAS on its share.  Splitting a step this
 * way keeps both cores busy through the elementwise passes (bias, activation,
 * optimizer) that BLAS's own threads leave to one core, and costs two
 * hand-offs per phase: idle members spin briefly for the next phase, then
 * sleep, so a paused run costs no CPU.
 *
 * team_run never allocates.  A team belongs to one caller thread at a time.
 */
#ifndef GRADTOP_TEAM_H
#define GRADTOP_TEAM_H

#include "gradtop/core/error.h"

typedef struct Team Team;

/* fn(ctx, i, n): share i of n (0 <= i < n). */
typedef void (*TeamFn)(void *ctx, int i, int n);

/* A team of n threads in all: the caller and n - 1 started here.  n is at
 * least 1 (then no thread is started and team_run calls fn directly). */
ErrorCode team_create(Team **out, int n, Error *err);
void team_destroy(Team *t);
/* Threads in the team; 1 for NULL. */
int team_size(const Team *t);
/* Runs fn for shares 0..n-1, share 0 on the caller, and returns when all
 * are done.  n is clamped to 1..team_size(t); t may be NULL (n = 1). */
void team_run(Team *t, int n, TeamFn fn, void *ctx);

/* [*lo, *hi) of share i of n over [0, count), in whole multiples of align
 * (the last share takes the remainder). */
void team_share(size_t count, size_t align, int i, int n, size_t *lo, size_t *hi);

#endif
