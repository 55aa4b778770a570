/*
 * gemm_layout.c - what storing each layer's weights in x out, instead of
 * gradtop's out x in, would do to a training step's products.
 *
 * Build and run from the project root:
 *     make build/bench/gemm_layout && build/bench/gemm_layout
 *
 * For the networks of the sweep rows of `make bench` (digits: 64 inputs,
 * one or two hidden layers of 16 to 128 units, 10 classes, batch 32), it
 * times the cblas_sgemm calls of one step both ways, on one thread:
 *
 *   out x in (gradtop)   forward Z = X W^T (row-major NoTrans, Trans)
 *                        dW = dZ^T X (Trans, NoTrans), dA = dZ W (NoTrans, NoTrans)
 *   in x out             forward Z = X W (NoTrans, NoTrans)
 *                        dW = X^T dZ (Trans, NoTrans), dA = dZ W^T (NoTrans, Trans)
 *
 * (dA for every layer but the first).  OpenBLAS works in column-major
 * terms, where gradtop's forward product is "TN"; some of its kernels
 * (SkylakeX's small-matrix path) refuse TN products whose C has more than
 * 1200 elements, so the layout decides which products take the packing
 * path.  Each way runs 3000 steps, the two in turn, 7 times; the least
 * time a step of each is printed, and their ratio.  Figures from one run
 * compare; figures from another machine or day do not.
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BATCH 32
#define STEPS 3000
#define ROUNDS 7
#define MAX_LAYERS 3

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static float *filled(size_t n)
{
    float *p = malloc(n * sizeof *p);
    if (!p) {
        perror("gemm_layout");
        exit(1);
    }
    for (size_t i = 0; i < n; i++) p[i] = (float)rand() / (float)RAND_MAX - 0.5f;
    return p;
}

typedef struct {
    int n_layers;
    int sizes[MAX_LAYERS + 1];
    float *W[MAX_LAYERS], *dW[MAX_LAYERS], *dZ[MAX_LAYERS], *dA[MAX_LAYERS];
    float *A[MAX_LAYERS + 1];
} Net;

/* One step's products; in_out: the weights stored in x out. */
static void step(Net *n, int in_out)
{
    const int R = BATCH;
    for (int l = 0; l < n->n_layers; l++) {
        int ni = n->sizes[l], no = n->sizes[l + 1];
        if (in_out)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, R, no, ni, 1, n->A[l], ni,
                        n->W[l], no, 1, n->A[l + 1], no);
        else
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, R, no, ni, 1, n->A[l], ni, n->W[l],
                        ni, 1, n->A[l + 1], no);
    }
    for (int l = n->n_layers - 1; l >= 0; l--) {
        int ni = n->sizes[l], no = n->sizes[l + 1];
        if (in_out)
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ni, no, R, 1, n->A[l], ni,
                        n->dZ[l], no, 1, n->dW[l], no);
        else
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, no, ni, R, 1, n->dZ[l], no,
                        n->A[l], ni, 1, n->dW[l], ni);
        if (l == 0) continue;
        if (in_out)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, R, ni, no, 1, n->dZ[l], no,
                        n->W[l], no, 0, n->dA[l], ni);
        else
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, R, ni, no, 1, n->dZ[l], no,
                        n->W[l], ni, 0, n->dA[l], ni);
    }
}

int main(void)
{
    static const int hidden[][2] = {{16, 0},  {32, 0},  {64, 0},   {128, 0},
                                    {32, 16}, {64, 32}, {128, 64}, {128, 128}};
    openblas_set_num_threads(1);
    double total[2] = {0, 0};
    printf("one step's cblas_sgemm calls, batch %d, 1 thread (least of %d x %d steps)\n", BATCH,
           ROUNDS, STEPS);
    printf("  %-16s %12s %12s %8s\n", "network", "out x in", "in x out", "ratio");
    for (size_t k = 0; k < sizeof hidden / sizeof hidden[0]; k++) {
        Net n = {0};
        n.sizes[0] = 64;
        n.n_layers = hidden[k][1] ? 3 : 2;
        n.sizes[1] = hidden[k][0];
        if (hidden[k][1]) n.sizes[2] = hidden[k][1];
        n.sizes[n.n_layers] = 10;
        for (int l = 0; l < n.n_layers; l++) {
            size_t w = (size_t)n.sizes[l] * (size_t)n.sizes[l + 1];
            n.W[l] = filled(w);
            n.dW[l] = filled(w);
            n.dZ[l] = filled((size_t)BATCH * (size_t)n.sizes[l + 1]);
            n.dA[l] = filled((size_t)BATCH * (size_t)n.sizes[l]);
        }
        for (int l = 0; l <= n.n_layers; l++) n.A[l] = filled((size_t)BATCH * (size_t)n.sizes[l]);
        double best[2] = {1e30, 1e30};
        for (int r = 0; r < ROUNDS; r++)
            for (int way = 0; way < 2; way++) {
                double t0 = now();
                for (int s = 0; s < STEPS; s++) step(&n, way);
                double t = (now() - t0) / STEPS;
                if (t < best[way]) best[way] = t;
            }
        char name[32];
        if (n.n_layers == 3)
            snprintf(name, sizeof name, "64-%d-%d-10", n.sizes[1], n.sizes[2]);
        else
            snprintf(name, sizeof name, "64-%d-10", n.sizes[1]);
        printf("  %-16s %9.2f us %9.2f us %8.2f\n", name, best[0] * 1e6, best[1] * 1e6,
               best[1] / best[0]);
        total[0] += best[0];
        total[1] += best[1];
        for (int l = 0; l < n.n_layers; l++) {
            free(n.W[l]);
            free(n.dW[l]);
            free(n.dZ[l]);
            free(n.dA[l]);
        }
        for (int l = 0; l <= n.n_layers; l++) free(n.A[l]);
    }
    printf("  %-16s %9.2f us %9.2f us %8.2f\n", "all, summed", total[0] * 1e6, total[1] * 1e6,
           total[1] / total[0]);
    return 0;
}
