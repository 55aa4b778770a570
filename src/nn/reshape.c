/*
 * reshape.c - network edits that keep what can be kept.  See reshape.h.
 *
 * Every block laid out as a model's parameters (the weights, each slot of
 * the optimizer state, a trainer's copies of them) goes through the same
 * mapping: each new dense layer is a copy of an old one with a row or a
 * column inserted or deleted, a new layer, or the fold of two old ones.
 */
#include "gradtop/nn/reshape.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* gelu's output is never below this (x·Φ(x) is least, -0.16997, at
 * x = -0.7518), and within 0.5 % of x above 3. */
#define GELU_FLOOR 0.17f
#define GELU_MARGIN 3.0f

typedef enum { SRC_COPY, SRC_NEW, SRC_FOLD } SrcKind;
typedef enum { MAP_SAME, MAP_INSERT, MAP_DELETE } MapKind;

/* Where new dense layer j comes from. */
typedef struct {
    SrcKind kind;
    int old;            /* the old layer (SRC_FOLD: the first of the two) */
    MapKind rows, cols; /* SRC_COPY: a unit inserted or deleted at pos */
    int pos;
} LayerSrc;

/* The old index of new index i, -1 for a new one. */
static int map_index(MapKind k, int pos, int i)
{
    switch (k) {
    case MAP_INSERT: return i < pos ? i : i == pos ? -1 : i - 1;
    case MAP_DELETE: return i < pos ? i : i + 1;
    case MAP_SAME: break;
    }
    return i;
}

static LayerSrc layer_src(const ReshapePlan *p, int j)
{
    const ReshapeEdit *e = &p->edit;
    int k = e->layer;
    LayerSrc s = {SRC_COPY, j, MAP_SAME, MAP_SAME, e->unit};
    switch (e->kind) {
    case RESHAPE_ADD_UNIT:
    case RESHAPE_REMOVE_UNIT: {
        /* column k is dense layer k - 1's output and dense layer k's input */
        MapKind m = e->kind == RESHAPE_ADD_UNIT ? MAP_INSERT : MAP_DELETE;
        if (j == k - 1) s.rows = m;
        if (j == k) s.cols = m;
        break;
    }
    case RESHAPE_ADD_LAYER:
        if (j == k)
            s.kind = SRC_NEW;
        else if (j > k)
            s.old = j - 1;
        break;
    case RESHAPE_REMOVE_LAYER:
        if (j == k - 1)
            s.kind = SRC_FOLD;
        else if (j >= k)
            s.old = j + 1;
        break;
    case RESHAPE_ACTIVATION: break;
    }
    return s;
}

size_t reshape_count_params(const ModelShape *s)
{
    size_t n = 0;
    for (int l = 0; l < s->n_layers; l++) n += (size_t)s->sizes[l + 1] * ((size_t)s->sizes[l] + 1);
    return n;
}

/* Where dense layer l's W starts in a parameter block; b follows it. */
static size_t layer_offset(const ModelShape *s, int l)
{
    size_t off = 0;
    for (int i = 0; i < l; i++) off += (size_t)s->sizes[i + 1] * ((size_t)s->sizes[i] + 1);
    return off;
}

static bool relu_family(Activation a)
{
    return a == ACTIVATION_RELU || a == ACTIVATION_LEAKY_RELU || a == ACTIVATION_ELU;
}

/* The least output of column k of s, when it has one: the inputs and
 * leaky_relu have none. */
static bool column_floor(const ModelShape *s, int k, float *floor_out)
{
    if (k == 0) return false;
    switch (s->act[k - 1]) {
    case ACTIVATION_RELU:
    case ACTIVATION_SIGMOID: *floor_out = 0.0f; return true;
    case ACTIVATION_TANH:
    case ACTIVATION_ELU: *floor_out = -1.0f; return true;
    case ACTIVATION_GELU: *floor_out = -GELU_FLOOR; return true;
    default: return false;
    }
}

void reshape_layers_text(const ModelShape *s, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    if (s->n_layers <= 1) {
        snprintf(buf, cap, "none");
        return;
    }
    for (int l = 1; l < s->n_layers && n < cap; l++) {
        int k = snprintf(buf + n, cap - n, "%s%d", l > 1 ? "," : "", s->sizes[l]);
        if (k < 0) break;
        n += (size_t)k;
    }
}

bool reshape_same_shape(const ModelShape *a, const ModelShape *b)
{
    if (a->n_layers != b->n_layers || a->output != b->output || a->loss != b->loss) return false;
    for (int l = 0; l <= a->n_layers; l++)
        if (a->sizes[l] != b->sizes[l]) return false;
    for (int l = 0; l < a->n_layers - 1; l++)
        if (a->act[l] != b->act[l]) return false;
    return true;
}

/* The refusals that name a column which is not a hidden layer. */
static ErrorCode not_hidden(const ModelShape *s, const ReshapeEdit *e, Error *err)
{
    int k = e->layer, L = s->n_layers;
    if (k < 0 || k > L)
        return error_set(err, ERROR_INPUT, "layer %d: the network's layers are 0 (inputs) to %d", k,
                         L);
    if (k == 0)
        return error_set(err, ERROR_INPUT,
                         "the inputs are the data's %d features: only hidden layers change",
                         s->sizes[0]);
    switch (e->kind) {
    case RESHAPE_ACTIVATION:
        return error_set(err, ERROR_INPUT,
                         "the output layer's activation (%s) follows the loss: only hidden "
                         "layers change theirs",
                         output_name(s->output));
    case RESHAPE_REMOVE_LAYER:
        return error_set(err, ERROR_INPUT, "the output layer cannot be removed");
    default:
        return error_set(err, ERROR_INPUT,
                         "the output layer's %d unit%s %s fixed by the task: units are added "
                         "and removed in hidden layers",
                         s->sizes[L], s->sizes[L] == 1 ? "" : "s", s->sizes[L] == 1 ? "is" : "are");
    }
}

/* Fills p->gain, shift, offset and exact for a layer added after column k
 * with activation a, and says what it does in note. */
static void identity_rule(ReshapePlan *p, int k, Activation a, char *note, size_t cap)
{
    float lo = 0;
    bool bounded = column_floor(&p->from, k, &lo);
    p->gain = 1.0f;
    p->shift = 0.0f;
    p->offset = 0.0f;
    p->exact = false;
    const char *before = k == 0 ? "the inputs" : "the layer before";
    if (relu_family(a) || a == ACTIVATION_GELU) {
        p->shift = bounded ? -lo : 0.0f;
        if (a == ACTIVATION_GELU) p->shift += GELU_MARGIN;
        p->offset = p->shift;
        p->exact = relu_family(a) && bounded;
        if (p->exact)
            snprintf(note, cap, "the identity, exactly");
        else if (a == ACTIVATION_GELU)
            snprintf(note, cap, "near the identity: gelu is within 0.5%% of x above 3%s",
                     bounded ? "" : ", not for negative inputs");
        else
            snprintf(note, cap, "the identity for inputs above 0 (%s can be negative: %s them)",
                     before,
                     a == ACTIVATION_RELU         ? "relu zeroes"
                     : a == ACTIVATION_LEAKY_RELU ? "leaky_relu scales by 0.2"
                                                  : "elu bends");
    } else if (a == ACTIVATION_SIGMOID) {
        p->gain = 4.0f; /* σ(4x) = 0.5 + x - (4x)³/48 + ... */
        p->offset = 0.5f;
        snprintf(note, cap, "near the identity for small inputs: sigmoid(4x) = 0.5 + x + O(x^3)");
    } else {
        snprintf(note, cap, "near the identity for small inputs: tanh(x) = x + O(x^3)");
    }
}

ErrorCode reshape_plan(ReshapePlan *p, const ModelShape *from, const ReshapeEdit *e, Rng *rng,
                       Error *err)
{
    memset(p, 0, sizeof *p);
    p->edit = *e;
    p->from = *from;
    p->exact = true;
    ModelShape *to = &p->to;
    *to = *from;
    int L = from->n_layers, k = e->layer;
    char note[200] = "";
    bool hidden_only = e->kind != RESHAPE_ADD_LAYER;
    if (hidden_only && (k < 1 || k > L - 1)) return not_hidden(from, e, err);
    bool needs_act = e->kind == RESHAPE_ACTIVATION || e->kind == RESHAPE_ADD_LAYER;
    if (needs_act && ((int)e->act < 0 || e->act >= ACTIVATION_LINEAR))
        return error_set(err, ERROR_INPUT,
                         "activation %d: a hidden layer's is one of relu, "
                         "leaky_relu, tanh, sigmoid, elu, gelu",
                         (int)e->act);
    int width = hidden_only ? from->sizes[k] : 0;
    switch (e->kind) {
    case RESHAPE_ADD_UNIT:
        if (width >= MODEL_MAX_UNITS)
            return error_set(err, ERROR_INPUT,
                             "hidden layer %d has %d units, the most a layer "
                             "may have",
                             k, width);
        if (e->unit < 0 || e->unit > width)
            return error_set(err, ERROR_INPUT,
                             "unit %d: a new unit of hidden layer %d goes at 0 "
                             "to %d",
                             e->unit, k, width);
        to->sizes[k]++;
        snprintf(note, sizeof note, "unit %d added to hidden layer %d, the outputs unchanged",
                 e->unit + 1, k);
        break;
    case RESHAPE_REMOVE_UNIT:
        if (width == 1)
            return error_set(err, ERROR_INPUT,
                             "hidden layer %d has one unit left: remove the "
                             "layer instead",
                             k);
        if (e->unit < 0 || e->unit >= width)
            return error_set(err, ERROR_INPUT, "unit %d: hidden layer %d has units 0 to %d",
                             e->unit, k, width - 1);
        to->sizes[k]--;
        p->exact = false;
        snprintf(note, sizeof note, "unit %d of hidden layer %d removed with its weights",
                 e->unit + 1, k);
        break;
    case RESHAPE_ADD_LAYER:
        if (k < 0 || k > L)
            return error_set(err, ERROR_INPUT,
                             "layer %d: the network's layers are 0 (inputs) to %d", k, L);
        if (k == L)
            return error_set(err, ERROR_INPUT,
                             "no layer can follow the output layer: add one "
                             "after a hidden layer or the inputs");
        if (L - 1 >= MODEL_MAX_HIDDEN)
            return error_set(err, ERROR_INPUT,
                             "the network has %d hidden layers, the most it "
                             "may have",
                             L - 1);
        for (int i = L; i >= k + 1; i--) to->sizes[i + 1] = from->sizes[i];
        to->sizes[k + 1] = from->sizes[k];
        for (int i = L - 2; i >= k; i--) to->act[i + 1] = from->act[i];
        to->act[k] = e->act;
        to->n_layers = L + 1;
        {
            char rule[128];
            identity_rule(p, k, e->act, rule, sizeof rule);
            snprintf(note, sizeof note, "hidden layer %d (%d %s) added, starting as %s", k + 1,
                     from->sizes[k], activation_name(e->act), rule);
        }
        break;
    case RESHAPE_REMOVE_LAYER:
        for (int i = k; i < L; i++) to->sizes[i] = from->sizes[i + 1];
        for (int i = k - 1; i < L - 2; i++) to->act[i] = from->act[i + 1];
        to->n_layers = L - 1;
        p->exact = false;
        snprintf(note, sizeof note, "hidden layer %d removed, its weights folded into the next", k);
        break;
    case RESHAPE_ACTIVATION:
        if (from->act[k - 1] == e->act)
            return error_set(err, ERROR_INPUT, "hidden layer %d is already %s", k,
                             activation_name(e->act));
        to->act[k - 1] = e->act;
        p->exact = false;
        snprintf(note, sizeof note, "hidden layer %d %s -> %s, the weights kept", k,
                 activation_name(from->act[k - 1]), activation_name(e->act));
        break;
    }
    /* act[] past the hidden layers stays as model_shape_set_activation
     * left it; hidden names the first hidden layer's */
    if (to->n_layers > 1) to->hidden = to->act[0];
    p->n_from = reshape_count_params(from);
    p->n_to = reshape_count_params(to);
    if (e->kind == RESHAPE_ADD_UNIT) {
        int n_in = from->sizes[k - 1];
        p->init = malloc((size_t)n_in * sizeof *p->init);
        if (!p->init) return error_set(err, ERROR_RUNTIME, "out of memory");
        /* as model_create draws a layer: He uniform for the ReLU family,
         * Glorot uniform otherwise */
        Activation a = from->act[k - 1];
        bool he = relu_family(a) || a == ACTIVATION_GELU;
        double limit = he ? sqrt(6.0 / n_in) : sqrt(6.0 / (n_in + to->sizes[k]));
        for (int i = 0; i < n_in; i++) p->init[i] = (float)((2.0 * rng_uniform(rng) - 1.0) * limit);
    }
    char was[80], now[80];
    reshape_layers_text(from, was, sizeof was);
    reshape_layers_text(to, now, sizeof now);
    snprintf(p->text, sizeof p->text, "layers %s -> %s: %s", was, now, note);
    return ERROR_NONE;
}

void reshape_plan_free(ReshapePlan *p)
{
    free(p->init);
    p->init = NULL;
}

float reshape_fill(const OptimizerParams *op, int slot)
{
    /* Adagrad's accumulator (slot 0) starts at its initial value */
    return slot == 0 && op->kind == OPTIMIZER_ADAGRAD ? (float)op->initial_accumulator : 0.0f;
}

void reshape_state(const ReshapePlan *p, const float *src, float *dst, float fill)
{
    const ModelShape *f = &p->from, *t = &p->to;
    for (int j = 0; j < t->n_layers; j++) {
        LayerSrc ls = layer_src(p, j);
        int I = t->sizes[j], O = t->sizes[j + 1];
        float *W = dst + layer_offset(t, j), *b = W + (size_t)O * I;
        if (ls.kind == SRC_FOLD) {
            /* the next layer's state, when the folded layer has its shape */
            int next = ls.old + 1;
            if (f->sizes[next] == I) {
                memcpy(W, src + layer_offset(f, next), (size_t)O * (I + 1) * sizeof *W);
                continue;
            }
            ls.kind = SRC_NEW;
        }
        if (ls.kind == SRC_NEW) {
            for (size_t i = 0; i < (size_t)O * (I + 1); i++) W[i] = fill;
            continue;
        }
        int oI = f->sizes[ls.old];
        const float *sW = src + layer_offset(f, ls.old),
                    *sb = sW + (size_t)f->sizes[ls.old + 1] * oI;
        for (int r = 0; r < O; r++) {
            int orow = map_index(ls.rows, ls.pos, r);
            for (int c = 0; c < I; c++) {
                int ocol = map_index(ls.cols, ls.pos, c);
                W[(size_t)r * I + c] = orow < 0 || ocol < 0 ? fill : sW[(size_t)orow * oI + ocol];
            }
            b[r] = orow < 0 ? fill : sb[orow];
        }
    }
}

void reshape_params(const ReshapePlan *p, const float *src, float *dst)
{
    const ModelShape *f = &p->from, *t = &p->to;
    const ReshapeEdit *e = &p->edit;
    int k = e->layer;
    reshape_state(p, src, dst, 0.0f);
    if (e->kind == RESHAPE_ADD_UNIT) {
        /* the new unit's incoming weights; its bias and outgoing weights
         * are the zeros the mapping left */
        int I = t->sizes[k - 1];
        memcpy(dst + layer_offset(t, k - 1) + (size_t)e->unit * I, p->init,
               (size_t)I * sizeof(float));
    } else if (e->kind == RESHAPE_ADD_LAYER) {
        int n = t->sizes[k];
        float *W = dst + layer_offset(t, k), *b = W + (size_t)n * n;
        for (int i = 0; i < n; i++) {
            W[(size_t)i * n + i] = p->gain;
            b[i] = p->shift;
        }
        /* the next layer's inputs now carry offset besides x: its bias
         * takes it off again */
        if (p->offset != 0) {
            int O = t->sizes[k + 2];
            float *Wn = dst + layer_offset(t, k + 1), *bn = Wn + (size_t)O * n;
            for (int r = 0; r < O; r++) {
                double sum = 0;
                for (int c = 0; c < n; c++) sum += Wn[(size_t)r * n + c];
                bn[r] = (float)(bn[r] - p->offset * sum);
            }
        }
    } else if (e->kind == RESHAPE_REMOVE_LAYER) {
        /* W' = Wb·Wa, b' = Wb·ba + bb: the removed layer as if linear */
        int I = f->sizes[k - 1], M = f->sizes[k], O = f->sizes[k + 1];
        const float *Wa = src + layer_offset(f, k - 1), *ba = Wa + (size_t)M * I;
        const float *Wb = src + layer_offset(f, k), *bb = Wb + (size_t)O * M;
        float *W = dst + layer_offset(t, k - 1), *b = W + (size_t)O * I;
        for (int r = 0; r < O; r++) {
            for (int c = 0; c < I; c++) {
                double sum = 0;
                for (int m = 0; m < M; m++)
                    sum += (double)Wb[(size_t)r * M + m] * Wa[(size_t)m * I + c];
                W[(size_t)r * I + c] = (float)sum;
            }
            double sum = bb[r];
            for (int m = 0; m < M; m++) sum += (double)Wb[(size_t)r * M + m] * ba[m];
            b[r] = (float)sum;
        }
    }
}

/* A model and optimizer at shape to, with m's settings (regularization,
 * dropout, team, workspace) and o's parameters; weights as model_create
 * draws them from rng. */
static ErrorCode rebuild(const ModelShape *to, const Model *m, const Optimizer *o, Rng *rng,
                         Model *nm, Optimizer *no, Error *err)
{
    ErrorCode rc = model_create(nm, to, m->cap_batch, rng, err);
    if (rc) return rc;
    if (o && (rc = optimizer_create(no, &o->p, nm->n_params, err))) {
        model_free(nm);
        return rc;
    }
    nm->l1 = m->l1;
    nm->l2 = m->l2;
    nm->dropout = m->dropout;
    nm->team = m->team;
    return ERROR_NONE;
}

/* m and o become nm and no. */
static void replace(Model *m, Optimizer *o, Model *nm, Optimizer *no)
{
    if (o) {
        optimizer_free(o);
        *o = *no;
    }
    model_free(m);
    *m = *nm;
}

ErrorCode reshape_rebuild(Model *m, Optimizer *o, const ModelShape *to, Rng *rng, Error *err)
{
    Model nm;
    Optimizer no;
    ErrorCode rc = rebuild(to, m, o, rng, &nm, &no, err);
    if (!rc) replace(m, o, &nm, &no);
    return rc;
}

ErrorCode reshape_apply(const ReshapePlan *p, Model *m, Optimizer *o, Error *err)
{
    Model nm;
    Optimizer no;
    Rng unused;
    rng_seed(&unused, 0); /* model_create's draws are all overwritten */
    ErrorCode rc = rebuild(&p->to, m, o, &unused, &nm, &no, err);
    if (rc) return rc;
    reshape_params(p, m->params, nm.params);
    if (o) {
        for (int slot = 0; slot < 3; slot++)
            reshape_state(p, o->state + (size_t)slot * o->n, no.state + (size_t)slot * no.n,
                          reshape_fill(&o->p, slot));
        no.t = o->t;
    }
    replace(m, o, &nm, &no);
    return ERROR_NONE;
}
