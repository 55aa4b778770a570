/*
 * insight_boundary.c - PCA and the decision-boundary map (see insight.h).
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "gradtop/insight/insight.h"

#include "gradtop/data/features.h"

/* LAPACK's symmetric eigensolver (MRRR), as the OpenBLAS build exports it
 * with the Fortran calling convention: every argument by reference, then
 * the hidden lengths of the three character arguments.  Debian's OpenBLAS
 * ships the Fortran LAPACK symbols but not LAPACKE, so it is declared here. */
extern void dsyevr_(const char *jobz, const char *range, const char *uplo, const int *n, double *a,
                    const int *lda, const double *vl, const double *vu, const int *il,
                    const int *iu, const double *abstol, int *m, double *w, double *z,
                    const int *ldz, int *isuppz, double *work, const int *lwork, int *iwork,
                    const int *liwork, int *info, size_t jobz_len, size_t range_len,
                    size_t uplo_len);

/* Rows centred per dsyrk call: big enough for BLAS to run at speed, small
 * enough to keep the double copy in cache-sized blocks. */
#define PCA_CHUNK 256

void pca_free(Pca *p)
{
    free(p->mean);
    free(p->comp);
    memset(p, 0, sizeof *p);
}

/* Flips v (d) so that its largest-magnitude entry is positive: eigenvectors
 * are defined up to sign, and a fixed sign keeps the picture from flipping
 * between refits (sklearn's svd_flip does the same). */
static void fix_sign(double *v, int d)
{
    int best = 0;
    for (int j = 1; j < d; j++)
        if (fabs(v[j]) > fabs(v[best])) best = j;
    if (v[best] < 0)
        for (int j = 0; j < d; j++) v[j] = -v[j];
}

ErrorCode pca_fit(Pca *p, const float *x, size_t n, int d, Error *err)
{
    memset(p, 0, sizeof *p);
    if (d < 1 || d > PCA_MAX_FEATURES)
        return error_set(err, ERROR_INPUT, "PCA: %d features (accepted: 1 to %d)", d,
                         PCA_MAX_FEATURES);
    if (n < 2) return error_set(err, ERROR_INPUT, "PCA: %zu rows (at least 2 needed)", n);
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < d; j++)
            if (!isfinite(x[i * (size_t)d + j]))
                return error_set(err, ERROR_INPUT, "PCA: row %zu, feature %d is not finite", i + 1,
                                 j + 1);

    size_t dd = (size_t)d * (size_t)d;
    double *cov = calloc(dd, sizeof *cov);
    double *buf = malloc((size_t)PCA_CHUNK * (size_t)d * sizeof *buf);
    p->mean = calloc((size_t)d, sizeof *p->mean);
    p->comp = calloc(2 * (size_t)d, sizeof *p->comp);
    double *w = malloc((size_t)d * sizeof *w), *z = malloc(2 * (size_t)d * sizeof *z);
    int *isuppz = malloc(4 * sizeof *isuppz);
    double *work = NULL;
    int *iwork = NULL;
    ErrorCode rc = ERROR_NONE;
    if (!cov || !buf || !p->mean || !p->comp || !w || !z || !isuppz) {
        rc = error_set(err, ERROR_RUNTIME, "PCA: out of memory for %d features", d);
        goto done;
    }
    p->d = d;
    p->n = n;
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < d; j++) p->mean[j] += x[i * (size_t)d + j];
    for (int j = 0; j < d; j++) p->mean[j] /= (double)n;

    /* cov (upper triangle, row-major) += Cᵀ·C over chunks C of centred rows. */
    for (size_t r0 = 0; r0 < n; r0 += PCA_CHUNK) {
        size_t rows = n - r0 < PCA_CHUNK ? n - r0 : PCA_CHUNK;
        for (size_t i = 0; i < rows; i++)
            for (int j = 0; j < d; j++)
                buf[i * (size_t)d + j] = (double)x[(r0 + i) * (size_t)d + j] - p->mean[j];
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, d, (int)rows, 1.0, buf, d, 1.0, cov, d);
    }
    double inv = 1.0 / (double)(n - 1);
    p->total_var = 0;
    for (int j = 0; j < d; j++) {
        for (int k = j; k < d; k++) cov[(size_t)j * d + k] *= inv;
        p->total_var += cov[(size_t)j * d + j];
    }

    /* The row-major upper triangle is LAPACK's column-major lower one. */
    int il = d >= 2 ? d - 1 : 1, iu = d, found = 0, info = 0, lwork = -1, liwork = -1, iw_query;
    double vl = 0, vu = 0, abstol = 0, w_query;
    dsyevr_("V", "I", "L", &d, cov, &d, &vl, &vu, &il, &iu, &abstol, &found, w, z, &d, isuppz,
            &w_query, &lwork, &iw_query, &liwork, &info, 1, 1, 1);
    if (info == 0) {
        lwork = (int)w_query;
        liwork = iw_query;
        work = malloc((size_t)lwork * sizeof *work);
        iwork = malloc((size_t)liwork * sizeof *iwork);
        if (!work || !iwork) {
            rc = error_set(err, ERROR_RUNTIME, "PCA: out of memory for %d features", d);
            goto done;
        }
        dsyevr_("V", "I", "L", &d, cov, &d, &vl, &vu, &il, &iu, &abstol, &found, w, z, &d, isuppz,
                work, &lwork, iwork, &liwork, &info, 1, 1, 1);
    }
    if (info != 0 || found != iu - il + 1) {
        rc = error_set(err, ERROR_RUNTIME, "PCA: LAPACK dsyevr failed (info %d)", info);
        goto done;
    }
    /* Eigenvalues come in ascending order: the largest is the last. */
    memcpy(p->comp, z + (size_t)(found - 1) * d, (size_t)d * sizeof *z);
    p->var[0] = fmax(w[found - 1], 0.0);
    if (found == 2) {
        memcpy(p->comp + d, z, (size_t)d * sizeof *z);
        p->var[1] = fmax(w[0], 0.0);
        fix_sign(p->comp + d, d);
    }
    fix_sign(p->comp, d);

done:
    free(cov);
    free(buf);
    free(w);
    free(z);
    free(isuppz);
    free(work);
    free(iwork);
    if (rc) pca_free(p);
    return rc;
}

void pca_project(const Pca *p, const float *x, size_t n, float *out)
{
    int d = p->d;
    for (size_t i = 0; i < n; i++) {
        const float *xi = x + i * (size_t)d;
        double a = 0, b = 0;
        for (int j = 0; j < d; j++) {
            double c = (double)xi[j] - p->mean[j];
            a += c * p->comp[j];
            b += c * p->comp[d + j];
        }
        out[2 * i] = (float)a;
        out[2 * i + 1] = (float)b;
    }
}

void pca_unproject(const Pca *p, const float *pq, size_t n, float *x)
{
    int d = p->d;
    for (size_t i = 0; i < n; i++) {
        double a = pq[2 * i], b = pq[2 * i + 1];
        for (int j = 0; j < d; j++)
            x[i * (size_t)d + j] = (float)(p->mean[j] + a * p->comp[j] + b * p->comp[d + j]);
    }
}

ErrorCode plane_create(BoundaryPlane *p, int d, Error *err)
{
    memset(p, 0, sizeof *p);
    if (d < 1) return error_set(err, ERROR_INPUT, "decision boundary: %d features", d);
    p->origin = calloc(3 * (size_t)d, sizeof(float));
    if (!p->origin)
        return error_set(err, ERROR_RUNTIME, "decision boundary: out of memory for %d features", d);
    p->u = p->origin + d;
    p->v = p->u + d;
    p->d = d;
    return plane_set_features(p, NULL, 0, d >= 2 ? 1 : -1, err);
}

void plane_free(BoundaryPlane *p)
{
    free(p->origin);
    memset(p, 0, sizeof *p);
}

ErrorCode plane_set_features(BoundaryPlane *p, const float *fill, int fx, int fy, Error *err)
{
    int d = p->d;
    if (fx < 0 || fx >= d)
        return error_set(err, ERROR_INPUT, "decision boundary: feature %d out of range 0..%d", fx,
                         d - 1);
    if (fy < -1 || fy >= d)
        return error_set(err, ERROR_INPUT, "decision boundary: feature %d out of range 0..%d", fy,
                         d - 1);
    if (fx == fy)
        return error_set(err, ERROR_INPUT,
                         "decision boundary: the two features must differ (both are %d)", fx);
    for (int j = 0; j < d; j++) {
        p->origin[j] = fill ? fill[j] : 0.0f;
        p->u[j] = 0;
        p->v[j] = 0;
    }
    /* The plotted features run along the axes, so the origin holds them at 0
     * and a point's coordinates are its own feature values. */
    p->origin[fx] = 0;
    p->u[fx] = 1;
    if (fy >= 0) {
        p->origin[fy] = 0;
        p->v[fy] = 1;
    }
    p->fx = fx;
    p->fy = fy;
    return ERROR_NONE;
}

void plane_set_pca(BoundaryPlane *p, const Pca *pca)
{
    assert(pca->d == p->d);
    for (int j = 0; j < p->d; j++) {
        p->origin[j] = (float)pca->mean[j];
        p->u[j] = (float)pca->comp[j];
        p->v[j] = (float)pca->comp[p->d + j];
    }
    p->fx = p->fy = -1;
}

void plane_point(const BoundaryPlane *p, double a, double b, float *x)
{
    for (int j = 0; j < p->d; j++) x[j] = (float)(p->origin[j] + a * p->u[j] + b * p->v[j]);
}

void plane_project(const BoundaryPlane *p, const float *x, size_t n, float *out)
{
    int d = p->d;
    for (size_t i = 0; i < n; i++) {
        const float *xi = x + i * (size_t)d;
        double a = 0, b = 0;
        for (int j = 0; j < d; j++) {
            double c = (double)xi[j] - p->origin[j];
            a += c * p->u[j];
            b += c * p->v[j];
        }
        out[2 * i] = (float)a;
        out[2 * i + 1] = (float)b;
    }
}

void boundary_fit_window(BoundaryGrid *g, const float *xy, size_t n, double margin)
{
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(xy[2 * i]) || !isfinite(xy[2 * i + 1])) continue;
        for (int k = 0; k < 2; k++) {
            double v = xy[2 * i + k];
            if (v < lo[k]) lo[k] = v;
            if (v > hi[k]) hi[k] = v;
        }
    }
    for (int k = 0; k < 2; k++) {
        if (!(lo[k] <= hi[k])) {
            lo[k] = -1;
            hi[k] = 1;
            continue;
        }
        double pad = fmax(margin * (hi[k] - lo[k]), 0.5);
        lo[k] -= pad;
        hi[k] += pad;
    }
    g->xmin = lo[0];
    g->xmax = hi[0];
    g->ymin = lo[1];
    g->ymax = hi[1];
}

void boundary_cell_center(const BoundaryGrid *g, int col, int row, double *a, double *b)
{
    *a = g->xmin + (col + 0.5) * (g->xmax - g->xmin) / g->w;
    *b = g->ymax - (row + 0.5) * (g->ymax - g->ymin) / g->h;
}

bool boundary_cell_of(const BoundaryGrid *g, double a, double b, int *col, int *row)
{
    if (!(a >= g->xmin && a <= g->xmax && b >= g->ymin && b <= g->ymax)) return false;
    int c = (int)floor((a - g->xmin) / (g->xmax - g->xmin) * g->w);
    int r = (int)floor((g->ymax - b) / (g->ymax - g->ymin) * g->h);
    *col = c < g->w ? c : g->w - 1;
    *row = r < g->h ? r : g->h - 1;
    return true;
}

size_t boundary_scratch_floats(const Model *m)
{
    return (size_t)m->cap_batch * (size_t)m->shape.sizes[0];
}

/* The input row of a grid point (a, b): from a plane in feature space, or
 * through a dataset's feature transform. */
typedef void (*GridInput)(const void *ctx, double a, double b, float *x);

static void plane_input(const void *ctx, double a, double b, float *x)
{
    plane_point(ctx, a, b, x);
}

static void features_input(const void *ctx, double a, double b, float *x)
{
    dataset_plane_input(ctx, a, b, x);
}

static void compute_cells(Model *m, GridInput input, const void *ctx, const BoundaryGrid *g,
                          float *scratch, int *cls, float *conf)
{
    const ModelShape *s = &m->shape;
    int d = s->sizes[0], O = s->sizes[s->n_layers];
    size_t cells = (size_t)g->w * (size_t)g->h;
    for (size_t c0 = 0; c0 < cells; c0 += (size_t)m->cap_batch) {
        size_t rows = cells - c0;
        if (rows > (size_t)m->cap_batch) rows = (size_t)m->cap_batch;
        for (size_t i = 0; i < rows; i++) {
            size_t cell = c0 + i;
            double a, b;
            boundary_cell_center(g, (int)(cell % (size_t)g->w), (int)(cell / (size_t)g->w), &a, &b);
            input(ctx, a, b, scratch + i * (size_t)d);
        }
        const float *out = model_forward(m, scratch, (int)rows, false, NULL);
        for (size_t i = 0; i < rows; i++) {
            const float *o = out + i * (size_t)O;
            size_t cell = c0 + i;
            if (s->output == OUTPUT_SOFTMAX) {
                int best = 0;
                for (int j = 1; j < O; j++)
                    if (o[j] > o[best]) best = j;
                cls[cell] = best;
                conf[cell] = o[best];
            } else if (s->output == OUTPUT_SIGMOID) {
                cls[cell] = o[0] >= 0.5f;
                conf[cell] = o[0] >= 0.5f ? o[0] : 1.0f - o[0];
            } else {
                cls[cell] = 0;
                conf[cell] = o[0];
            }
        }
    }
}

void boundary_compute(Model *m, const BoundaryPlane *p, const BoundaryGrid *g, float *scratch,
                      int *cls, float *conf)
{
    assert(p->d == m->shape.sizes[0] && g->w > 0 && g->h > 0 && m->cap_batch > 0);
    compute_cells(m, plane_input, p, g, scratch, cls, conf);
}

void boundary_compute_features(Model *m, const Dataset *ds, const BoundaryGrid *g, float *scratch,
                               int *cls, float *conf)
{
    assert(ds->plane && ds->d == m->shape.sizes[0] && g->w > 0 && g->h > 0 && m->cap_batch > 0);
    compute_cells(m, features_input, ds, g, scratch, cls, conf);
}
