/*
 * live.c - the teaching views' data, computed on the trainer thread between
 * batches or, while training stands still, on the UI thread from a copy of
 * the weights, and handed to the UI under a mutex.  See live.h.
 */
#include "gradtop/insight/live.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gradtop/nn/reshape.h"

/* Copies s into a note, cut to fit. */
static void note_copy(char *dst, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap) n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

#define PCA_ROWS 3000 /* PCA is fitted on a sample this large */
#define FINE_BINS 64  /* bins behind the distribution bands */
#define CHECK_ROWS 16 /* rows of a live gradcheck */
#define CHECK_ENTRIES 16

struct Live {
    pthread_mutex_t mu;
    LiveRequest req; /* under mu */
    LiveData *pub;   /* under mu */
    /* Everything below belongs to whichever thread holds calc: the trainer
     * thread between batches, or the UI thread (live_idle) while the
     * trainer stands still. */
    pthread_mutex_t calc;
    Model *m; /* the trainer's */
    Model ui; /* the UI thread's copy of its weights (live_idle) */
    bool has_ui;
    unsigned long wver;                 /* bumped when live_idle finds the weights changed */
    unsigned long view_ver[LIVE_VIEWS]; /* the wver each view was last computed at by live_idle */
    unsigned long dead_ver;
    LiveRequest bound_req; /* the request the boundary was last computed for by live_idle */
    const Dataset *train, *val;
    uint64_t seed;
    LiveData *work;
    LiveRequest last; /* the request the newest computation served */
    bool computed_once;
    double due, dead_due;
    unsigned check_done;
    int batch; /* the batch size in force */
    BoundaryPlane plane;
    Pca pca;
    bool pca_tried, pca_ok;
    float *scratch;
    size_t scratch_cap;
    GradProbe probe;
    bool has_probe;
    NoiseScaleAvg avg;
    ModelShape shape; /* the model's when the buffers below were sized */
    float *before;    /* params when the last probe ran, for the update ratio */
    bool ratio_pending;
    unsigned char *dead_scratch;
    int *pred;
    float *pairs;
    size_t n_pred; /* rows pred and pairs hold */
    size_t fine[FINE_BINS];
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const Dataset *eval_set(const Live *l)
{
    return l->val->n > 0 ? l->val : l->train;
}

/* The range of the targets of both parts (0, 0 without targets): the
 * regression map's colour scale, fixed for the run so that a colour means
 * one value at every step. */
static void target_range(const Live *l, float *lo, float *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int part = 0; part < 2; part++) {
        const Dataset *ds = part ? l->val : l->train;
        if (!ds->targets) continue;
        for (size_t i = 0; i < ds->n; i++) {
            if (ds->targets[i] < *lo) *lo = ds->targets[i];
            if (ds->targets[i] > *hi) *hi = ds->targets[i];
        }
    }
    if (!(*hi >= *lo)) *lo = *hi = 0;
}

ErrorCode live_create(Live **out, Model *m, const Dataset *train, const Dataset *val, uint64_t seed,
                      Error *err)
{
    *out = NULL;
    Live *l = calloc(1, sizeof *l);
    if (!l) return error_set(err, ERROR_RUNTIME, "out of memory for the teaching views");
    pthread_mutex_init(&l->mu, NULL);
    pthread_mutex_init(&l->calc, NULL);
    l->m = m;
    l->wver = 1; /* every view_ver 0: nothing computed from a copy yet */
    l->train = train;
    l->val = val;
    l->seed = seed;
    l->batch = m->cap_batch;
    l->shape = m->shape;
    l->avg.alpha = 0.2;
    l->last.view = LIVE_NONE;
    /* room for the whole set, so that the rows that a new split
     * (live_set_data) sends to validation fit too */
    size_t ne = train->n + val->n ? train->n + val->n : 1;
    l->n_pred = ne;
    l->pub = calloc(1, sizeof *l->pub);
    l->work = calloc(1, sizeof *l->work);
    l->before = malloc(m->n_params * sizeof *l->before);
    l->dead_scratch = malloc(dead_units_scratch_bytes(m) + 1);
    l->pred = malloc(ne * sizeof *l->pred);
    l->pairs = malloc(ne * 2 * sizeof *l->pairs);
    if (!l->pub || !l->work || !l->before || !l->dead_scratch || !l->pred || !l->pairs) {
        live_destroy(l);
        return error_set(err, ERROR_RUNTIME, "out of memory for the teaching views");
    }
    ErrorCode rc = plane_create(&l->plane, m->shape.sizes[0], err);
    if (!rc) {
        /* the weights are copied in before each use: the seed is moot */
        Rng rng;
        rng_seed(&rng, seed);
        rc = model_create(&l->ui, &m->shape, m->cap_batch, &rng, err);
        l->has_ui = !rc;
    }
    if (rc) {
        live_destroy(l);
        return rc;
    }
    LiveData *w = l->work;
    w->n_layers = m->shape.n_layers;
    w->n_hidden = m->shape.n_layers - 1;
    w->dead_share = -1;
    w->b_simple_avg = NAN;
    w->regression = m->shape.output == OUTPUT_LINEAR;
    w->n_classes = train->n_classes;
    for (int i = 0; i <= m->shape.n_layers; i++) w->sizes[i] = m->shape.sizes[i];
    target_range(l, &w->y_lo, &w->y_hi);
    *l->pub = *w;
    *out = l;
    return ERROR_NONE;
}

void live_destroy(Live *l)
{
    if (!l) return;
    if (l->has_ui) model_free(&l->ui);
    plane_free(&l->plane);
    if (l->pca_ok) pca_free(&l->pca);
    if (l->has_probe) gradprobe_free(&l->probe);
    free(l->scratch);
    free(l->before);
    free(l->dead_scratch);
    free(l->pred);
    free(l->pairs);
    free(l->pub);
    free(l->work);
    pthread_mutex_destroy(&l->calc);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

/* ---- UI side ------------------------------------------------------------ */

void live_request(Live *l, const LiveRequest *r)
{
    pthread_mutex_lock(&l->mu);
    l->req = *r;
    pthread_mutex_unlock(&l->mu);
}

bool live_fetch(Live *l, LiveData *out)
{
    pthread_mutex_lock(&l->mu);
    bool newer = l->pub->version != out->version;
    if (newer) memcpy(out, l->pub, sizeof *out);
    pthread_mutex_unlock(&l->mu);
    return newer;
}

/* ---- trainer side: the computations ----------------------------------- */

/* After a network edit (reshape.h) changed the shape of m (the trainer's
 * model, or the UI thread's copy of it), with calc held: the buffers sized
 * by it are sized anew, and the histories of the old layers dropped.
 * Returns whether the shape had changed.  A buffer that cannot be had
 * leaves its view off (NULL) instead of overrunning. */
static bool follow_shape(Live *l, const Model *m)
{
    if (memcmp(&l->shape, &m->shape, sizeof l->shape) == 0) return false;
    l->shape = m->shape;
    free(l->before);
    free(l->dead_scratch);
    l->before = malloc(m->n_params * sizeof *l->before);
    l->dead_scratch = malloc(dead_units_scratch_bytes(m) + 1);
    if (l->has_probe) gradprobe_free(&l->probe);
    l->has_probe = false;
    l->ratio_pending = false;
    LiveData *w = l->work;
    w->n_layers = m->shape.n_layers;
    w->n_hidden = m->shape.n_layers - 1;
    for (int i = 0; i <= m->shape.n_layers; i++) w->sizes[i] = m->shape.sizes[i];
    w->n_grad = 0;
    w->n_dist = 0;
    w->has_grad = w->has_ratio = w->has_check = w->has_dead = w->has_net = false;
    return true;
}

/* Appends v to a history of n (at most LIVE_HIST) values. */
static void push(double *hist, int n, double v)
{
    if (n >= LIVE_HIST) {
        memmove(hist, hist + 1, (LIVE_HIST - 1) * sizeof *hist);
        hist[LIVE_HIST - 1] = v;
    } else {
        hist[n] = v;
    }
}

static int grow(int n)
{
    return n < LIVE_HIST ? n + 1 : LIVE_HIST;
}

static void compute_boundary(Live *l, Model *m, const LiveRequest *r)
{
    LiveData *w = l->work;
    int d = m->shape.sizes[0];
    Error err;
    error_clear(&err);
    w->pca = false;
    w->pca_note[0] = '\0';
    /* the x/p keys' pair or PCA plane do not apply: the inputs are made
     * from x1 and x2, over which the map is drawn */
    w->features_plane = l->train->plane != NULL;
    if (r->pca && !w->features_plane) {
        if (!l->pca_tried) {
            l->pca_tried = true;
            size_t n = l->train->n < PCA_ROWS ? l->train->n : PCA_ROWS;
            if (d < 2)
                note_copy(w->pca_note, sizeof w->pca_note, "PCA needs two features or more");
            else if (pca_fit(&l->pca, l->train->x, n, d, &err) == ERROR_NONE)
                l->pca_ok = true;
            else
                note_copy(w->pca_note, sizeof w->pca_note, err.msg);
        }
        if (l->pca_ok) {
            plane_set_pca(&l->plane, &l->pca);
            w->pca = true;
            w->pca_explained =
                l->pca.total_var > 0 ? (l->pca.var[0] + l->pca.var[1]) / l->pca.total_var : NAN;
        } else if (!w->pca_note[0]) {
            note_copy(w->pca_note, sizeof w->pca_note, "PCA is not available");
        }
    }
    if (w->features_plane) {
        w->fx = 0;
        w->fy = 1;
    } else if (!w->pca) {
        int fx = r->fx, fy = r->fy;
        if (fx < 0 || fx >= d) fx = 0;
        if (d == 1)
            fy = -1;
        else if (fy < 0 || fy >= d || fy == fx)
            fy = fx == 0 ? 1 : 0;
        if (plane_set_features(&l->plane, NULL, fx, fy, &err)) return;
        w->fx = fx;
        w->fy = fy;
    }
    /* the points drawn over the map: a sample of both parts */
    size_t nt = l->train->n, nv = l->val->n, total = nt + nv;
    size_t want = total < LIVE_MAX_POINTS ? total : LIVE_MAX_POINTS;
    size_t take_v = total ? want * nv / total : 0, take_t = want - take_v;
    int np = 0;
    for (int part = 0; part < 2; part++) {
        const Dataset *ds = part == 0 ? l->train : l->val;
        size_t take = part == 0 ? take_t : take_v;
        for (size_t i = 0; i < take; i++) {
            size_t row = i * ds->n / take;
            if (w->features_plane) {
                w->pts[np][0] = ds->plane[2 * row];
                w->pts[np][1] = ds->plane[2 * row + 1];
            } else {
                plane_project(&l->plane, ds->x + row * (size_t)ds->d, 1, w->pts[np]);
            }
            w->pt_class[np] = ds->labels ? ds->labels[row] : 0;
            w->pt_y[np] = ds->targets ? ds->targets[row] : 0;
            w->pt_val[np] = (unsigned char)part;
            np++;
        }
    }
    w->n_points = np;
    BoundaryGrid g = {.w = r->grid_w, .h = r->grid_h};
    if (g.w < 1) g.w = 1;
    if (g.h < 1) g.h = 1;
    if (g.w > LIVE_GRID_MAX_W) g.w = LIVE_GRID_MAX_W;
    if (g.h > LIVE_GRID_MAX_H) g.h = LIVE_GRID_MAX_H;
    boundary_fit_window(&g, &w->pts[0][0], (size_t)np, 0.05);
    size_t need = boundary_scratch_floats(m);
    if (need > l->scratch_cap) {
        /* the view's buffer, (re)created: the batch size grew */
        float *s = realloc(l->scratch, need * sizeof *s);
        if (!s) return;
        l->scratch = s;
        l->scratch_cap = need;
    }
    if (w->features_plane)
        boundary_compute_features(m, l->train, &g, l->scratch, w->cls, w->conf);
    else
        boundary_compute(m, &l->plane, &g, l->scratch, w->cls, w->conf);
    w->grid = g;
    w->has_boundary = true;
    w->boundary_step = w->step;
}

static void compute_grad(Live *l, Model *m)
{
    LiveData *w = l->work;
    Error err;
    error_clear(&err);
    if (l->has_probe && l->probe.chunk > m->cap_batch) {
        gradprobe_free(&l->probe);
        l->has_probe = false;
    }
    if (!l->before) return;
    if (!l->has_probe) {
        if (gradprobe_create(&l->probe, m, l->train->n, l->seed ^ 0x9e3779b97f4a7c15ULL, &err))
            return;
        l->has_probe = true;
    }
    int B = l->batch > 0 ? l->batch : 32;
    size_t budget = (size_t)B * 16 > 1024 ? (size_t)B * 16 : 1024;
    GradReport rep;
    if (gradprobe_run(&l->probe, m, l->train, B, budget, &rep, &err)) return;
    noise_avg_add(&l->avg, &rep);
    w->grad = rep;
    w->b_simple_avg = noise_avg_b_simple(&l->avg);
    push(w->cos_hist, w->n_grad, rep.cosine);
    for (int i = 0; i < m->shape.n_layers; i++) {
        push(w->norm_hist[i], w->n_grad, rep.layer_norm[i]);
        push(w->ratio_hist[i], w->n_grad, NAN); /* filled after the next step */
    }
    w->n_grad = grow(w->n_grad);
    memcpy(l->before, m->params, m->n_params * sizeof *l->before);
    l->ratio_pending = true;
    w->has_grad = true;
    w->grad_step = w->step;
}

/* The update of the one step since compute_grad copied the params. */
static void finish_ratio(Live *l)
{
    LiveData *w = l->work;
    update_ratios_since(l->m, l->before, w->ratio);
    w->has_ratio = true;
    if (w->n_grad > 0)
        for (int i = 0; i < l->m->shape.n_layers; i++)
            w->ratio_hist[i][w->n_grad - 1] = w->ratio[i];
    l->ratio_pending = false;
}

static void run_gradcheck(Live *l, Model *m, unsigned seq)
{
    LiveData *w = l->work;
    int B = CHECK_ROWS;
    if (B > m->cap_batch) B = m->cap_batch;
    if ((size_t)B > l->train->n) B = (int)l->train->n;
    if (B < 1) return;
    error_clear(&w->check_error);
    gradcheck_run(m, l->train->x, l->train->labels, l->train->targets, B, CHECK_ENTRIES,
                  GRADCHECK_STEP, l->seed + seq, &w->check, &w->check_error);
    w->check_hidden = m->shape.hidden;
    w->check_rows = B;
    w->check_seq = seq;
    w->check_step = w->step;
    w->has_check = true;
}

static bool relu_like(Activation a)
{
    return a == ACTIVATION_RELU;
}

static size_t sample_rows(const Live *l)
{
    return l->train->n < LIVE_SAMPLE_ROWS ? l->train->n : LIVE_SAMPLE_ROWS;
}

static void compute_dead(Live *l, Model *m)
{
    LiveData *w = l->work;
    if (!l->dead_scratch) return;
    dead_units_count(m, l->train->x, sample_rows(l), l->dead_scratch, &w->dead);
    w->has_dead = true;
    w->dead_rows = sample_rows(l);
    w->dead_share = relu_like(m->shape.hidden) && w->dead.total_units > 0 ? w->dead.share : -1;
}

/* The histogram and distribution bands of x (n) into the newest slot. */
static void describe(Live *l, const float *x, size_t n, size_t *hist, float *lo, float *hi,
                     double *bands)
{
    float mn, mx;
    if (hist_range(x, n, &mn, &mx) == 0) {
        memset(hist, 0, LIVE_BINS * sizeof *hist);
        for (int i = 0; i < HIST_N_BPS; i++) bands[i] = 0;
        *lo = *hi = 0;
        return;
    }
    hist_fill(x, n, mn, mx, LIVE_BINS, hist);
    hist_fill(x, n, mn, mx, FINE_BINS, l->fine);
    hist_percentiles(l->fine, FINE_BINS, mn, mx, mn, mx, bands);
    *lo = mn;
    *hi = mx;
}

static void compute_net(Live *l, Model *m)
{
    LiveData *w = l->work;
    int L = m->shape.n_layers;
    int slot = w->n_dist < LIVE_HIST ? w->n_dist : LIVE_HIST - 1;
    if (w->n_dist >= LIVE_HIST)
        for (int i = 0; i < L; i++) {
            memmove(w->wdist[i][0], w->wdist[i][1], (LIVE_HIST - 1) * sizeof w->wdist[i][0]);
            memmove(w->adist[i][0], w->adist[i][1], (LIVE_HIST - 1) * sizeof w->adist[i][0]);
        }
    for (int i = 0; i < L; i++) {
        const DenseLayer *ly = &m->layers[i];
        int R = ly->n_out < LIVE_NET_MAX ? ly->n_out : LIVE_NET_MAX;
        int C = ly->n_in < LIVE_NET_MAX ? ly->n_in : LIVE_NET_MAX;
        float scale = 0;
        for (int r = 0; r < R; r++) {
            int r0 = r * ly->n_out / R, r1 = (r + 1) * ly->n_out / R;
            double bs = 0;
            for (int o = r0; o < r1; o++) bs += ly->b[o];
            w->unit_b[i][r] = (float)(bs / (r1 - r0));
            for (int c = 0; c < C; c++) {
                int c0 = c * ly->n_in / C, c1 = (c + 1) * ly->n_in / C;
                double s = 0;
                for (int o = r0; o < r1; o++)
                    for (int k = c0; k < c1; k++) s += ly->W[(size_t)o * ly->n_in + k];
                float v = (float)(s / ((double)(r1 - r0) * (c1 - c0)));
                w->net_w[i][r * C + c] = v;
                if (fabsf(v) > scale) scale = fabsf(v);
            }
        }
        w->net_rows[i] = R;
        w->net_cols[i] = C;
        w->net_scale[i] = scale;
        describe(l, ly->W, (size_t)ly->n_out * ly->n_in, w->whist[i], &w->wlo[i], &w->whi[i],
                 w->wdist[i][slot]);
    }
    /* dead units runs the sample forward; the activations stay behind */
    compute_dead(l, m);
    for (int i = 0; i < L; i++) {
        size_t count = 0;
        const float *a = layer_activations(m, i, &count);
        describe(l, a, count, w->ahist[i], &w->alo[i], &w->ahi[i], w->adist[i][slot]);
    }
    w->n_dist = grow(w->n_dist);
    w->has_net = true;
    w->net_step = w->step;
}

static void compute_conf(Live *l, Model *m)
{
    LiveData *w = l->work;
    const Dataset *ds = eval_set(l);
    w->conf_on_val = l->val->n > 0;
    w->n_rows = ds->n;
    if (ds->n == 0 || ds->n > l->n_pred) return;
    if (ds->task == TASK_CLASSIFICATION) {
        predict_dataset(m, ds, l->pred, NULL);
        int k = ds->n_classes;
        if (k <= LIVE_MAX_CLASSES) {
            confusion_count(ds->labels, l->pred, ds->n, k, w->counts);
            w->accuracy = confusion_scores(w->counts, k, w->precision, w->recall);
            w->k = k;
        } else {
            size_t ok = 0;
            for (size_t i = 0; i < ds->n; i++) ok += l->pred[i] == ds->labels[i];
            w->accuracy = (double)ok / (double)ds->n;
            w->k = 0;
        }
    } else {
        regression_pairs(m, ds, l->pairs);
        size_t take = ds->n < LIVE_MAX_POINTS ? ds->n : LIVE_MAX_POINTS;
        for (size_t i = 0; i < take; i++) {
            size_t row = i * ds->n / take;
            w->pairs[i][0] = l->pairs[2 * row];
            w->pairs[i][1] = l->pairs[2 * row + 1];
        }
        w->n_pairs = (int)take;
    }
    w->has_conf = true;
    w->conf_step = w->step;
}

static void compute_view(Live *l, Model *m, const LiveRequest *r)
{
    switch (r->view) {
    case LIVE_BOUNDARY: compute_boundary(l, m, r); break;
    case LIVE_GRADIENT: compute_grad(l, m); break;
    case LIVE_NETWORK: compute_net(l, m); break;
    case LIVE_CONFUSION: compute_conf(l, m); break;
    case LIVE_NONE: break;
    }
}

static void publish(Live *l)
{
    pthread_mutex_lock(&l->mu);
    l->work->version = l->pub->version + 1;
    memcpy(l->pub, l->work, sizeof *l->pub);
    pthread_mutex_unlock(&l->mu);
}

static bool same_picture(const LiveRequest *a, const LiveRequest *b)
{
    return a->view == b->view && a->grid_w == b->grid_w && a->grid_h == b->grid_h &&
           a->fx == b->fx && a->fy == b->fy && a->pca == b->pca;
}

static LiveRequest current_request(Live *l)
{
    pthread_mutex_lock(&l->mu);
    LiveRequest r = l->req;
    pthread_mutex_unlock(&l->mu);
    return r;
}

static void schedule(Live *l, double t0)
{
    double now = mono(), cost = now - t0;
    double gap = cost / LIVE_BUDGET;
    l->work->cost = cost;
    l->due = now + (gap > LIVE_INTERVAL_S ? gap : LIVE_INTERVAL_S);
}

/* What live_on_batch computed from the trainer's weights counts as
 * computed from the idle copy as well: the copy takes those weights, and
 * the views computed (view, or none; the dead units when dead) are marked
 * current for them.  Otherwise live_idle, finding the weights changed by
 * the step, computes them again at the same step: a step taken while
 * paused put two probes of the same weights into the gradient view's
 * histories, the update ratio of the first never filled in.  A copy of
 * another shape (a network edit since live_idle last ran) is left to
 * live_idle, which rebuilds it. */
static void hand_to_idle(Live *l, LiveView view, bool dead)
{
    const Model *m = l->m;
    if (!l->has_ui || !reshape_same_shape(&l->ui.shape, &m->shape)) return;
    memcpy(l->ui.params, m->params, m->n_params * sizeof *m->params);
    l->ui.l1 = m->l1;
    l->ui.l2 = m->l2;
    l->wver++;
    if (view != LIVE_NONE) {
        l->view_ver[view] = l->wver;
        if (view == LIVE_BOUNDARY) l->bound_req = l->last;
        if (view == LIVE_NETWORK) dead = true; /* it counted them */
    }
    if (dead) l->dead_ver = l->wver;
}

void live_on_batch(Live *l, const BatchInfo *b)
{
    double t0 = mono();
    pthread_mutex_lock(&l->calc);
    LiveData *w = l->work;
    bool reshaped = follow_shape(l, l->m);
    w->step = b->step;
    l->batch = b->hp.batch_size;
    bool dirty = false, viewed = false, dead = false;
    if (l->ratio_pending) {
        finish_ratio(l);
        dirty = true;
    }
    LiveRequest r = current_request(l);
    bool check = r.gradcheck != l->check_done;
    bool changed = !l->computed_once || reshaped || !same_picture(&r, &l->last);
    if (changed || t0 >= l->due) {
        compute_view(l, l->m, &r);
        dirty = viewed = true;
        l->last = r;
        l->computed_once = true;
    }
    if (check) {
        run_gradcheck(l, l->m, r.gradcheck);
        l->check_done = r.gradcheck;
        dirty = true;
    }
    if (t0 >= l->dead_due && r.view != LIVE_NETWORK) {
        compute_dead(l, l->m);
        l->dead_due = mono() + LIVE_DEAD_S;
        dirty = dead = true;
    }
    if (viewed || dead) hand_to_idle(l, viewed ? r.view : LIVE_NONE, dead);
    if (dirty) {
        schedule(l, t0);
        publish(l);
    }
    pthread_mutex_unlock(&l->calc);
}

bool live_idle(Live *l, Trainer *t)
{
    /* busy: the trainer thread is computing after a batch, and will publish */
    if (pthread_mutex_trylock(&l->calc)) return false;
    bool changed = false, dirty = false;
    long step = 0;
    if (!trainer_copy_weights(t, &l->ui, &changed, &step)) {
        pthread_mutex_unlock(&l->calc);
        return false;
    }
    double t0 = mono();
    /* the copy follows a network edit (trainer_copy_weights rebuilt it) */
    if (follow_shape(l, &l->ui)) changed = true;
    if (changed) l->wver++;
    HyperParams hp;
    trainer_get_hparams(t, &hp);
    l->batch = hp.batch_size;
    LiveRequest r = current_request(l);
    LiveData *w = l->work;
    w->step = step;
    int v = (int)r.view;
    bool stale =
        l->view_ver[v] != l->wver || (r.view == LIVE_BOUNDARY && !same_picture(&r, &l->bound_req));
    if (r.view != LIVE_NONE && stale) {
        compute_view(l, &l->ui, &r);
        l->view_ver[v] = l->wver;
        if (r.view == LIVE_BOUNDARY) l->bound_req = r;
        if (r.view == LIVE_NETWORK) l->dead_ver = l->wver; /* it counted them */
        dirty = true;
    }
    if (r.gradcheck != l->check_done) {
        run_gradcheck(l, &l->ui, r.gradcheck);
        l->check_done = r.gradcheck;
        dirty = true;
    }
    if (l->dead_ver != l->wver) {
        /* the diagnosis line reads them whatever the view */
        compute_dead(l, &l->ui);
        l->dead_ver = l->wver;
        dirty = true;
    }
    if (dirty) {
        l->last = r;
        l->computed_once = true;
        w->cost = mono() - t0;
        publish(l);
    }
    pthread_mutex_unlock(&l->calc);
    return dirty;
}

void live_set_data(Live *l, const Dataset *train, const Dataset *val)
{
    pthread_mutex_lock(&l->calc);
    l->train = train;
    l->val = val;
    size_t ne = eval_set(l)->n;
    if (ne > l->n_pred) {
        /* a set larger than the one live_create saw: the buffers grow, or
         * the confusion view stays off rather than overrun */
        int *pred = realloc(l->pred, ne * sizeof *pred);
        if (pred) l->pred = pred;
        float *pairs = pred ? realloc(l->pairs, ne * 2 * sizeof *pairs) : NULL;
        if (pairs) l->pairs = pairs;
        l->n_pred = pred && pairs ? ne : 0;
    }
    /* what was computed from the old data goes: the PCA is fitted again,
     * the gradient probe (sized by the training rows) made again, and the
     * noise scale's averages start over */
    if (l->pca_ok) pca_free(&l->pca);
    l->pca_ok = l->pca_tried = false;
    if (l->has_probe) gradprobe_free(&l->probe);
    l->has_probe = false;
    l->ratio_pending = false;
    l->avg = (NoiseScaleAvg){.alpha = l->avg.alpha};
    LiveData *w = l->work;
    target_range(l, &w->y_lo, &w->y_hi);
    /* Nothing of the old data is shown from now on: the views that show
     * data are computed again at the next batch, or by live_idle at once
     * (every view stale), and until then they say they are coming. */
    w->has_boundary = w->has_conf = w->has_check = false;
    w->n_points = 0;
    l->computed_once = false;
    l->wver++;
    publish(l);
    pthread_mutex_unlock(&l->calc);
}
