/*
 * views.c - the teaching views.  See views.h.
 *
 * The boundary map uses the upper-half block: its foreground colours the
 * top pixel and its background the bottom one, so a cell shows two rows of
 * the grid (the TensorFlow Playground's picture at twice the vertical
 * resolution).  Without UTF-8 or colour it falls back to one character per
 * cell, a class glyph whose weight says the confidence.
 */
#include "teaching.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chart.h"
#include "chartview.h"
#include "crt.h"
#include "palette.h"

#define VIEW_MAX_W 512

/* ---- colour ------------------------------------------------------------- */

static bool halfblocks(void)
{
    return crt_utf8() && crt_colors() >= 8;
}

static int n_levels(void)
{
    return crt_colors() >= 256 ? 4 : 2;
}

/* The palette slot of class k.  With one sigmoid output (two classes)
 * class 1, whose output is positive, takes the palette's first hue (blue)
 * and class 0 the second (orange; yellow on 8 colours), as the TensorFlow
 * Playground colours its positive and negative classes: blue then means
 * positive in every view, a weight or bias in the network view, a high
 * value on the regression map and the class a positive output predicts.
 * Otherwise k itself. */
static int class_slot(const ViewCtx *c, int k)
{
    const ModelShape *sh = &c->snap->shape;
    bool one_sigmoid =
        sh->n_layers > 0 && sh->output == OUTPUT_SIGMOID && sh->sizes[sh->n_layers] == 1;
    if (k < 0) k = 0;
    return one_sigmoid && k <= 1 ? 1 - k : k;
}

/* The colour of class k at confidence level (0 faint .. n_levels()-1
 * sure); only with colour. */
static short class_color(const ViewCtx *c, int k, int level)
{
    short col = crt_palette_colour(class_slot(c, k));
    if (crt_colors() >= 256) return (short)palette_shade(col, level, n_levels());
    return level == 0 ? COLOR_BLACK : col;
}

/* The pair of class k's own colour, for text (0 without colour). */
static short class_pair(const ViewCtx *c, int k)
{
    return crt_colors() >= 8 ? crt_pair(crt_palette_colour(class_slot(c, k)), -1) : 0;
}

/* A class's one-character name where there is no colour or UTF-8: its
 * digit, then letters, as far as the confusion matrix counts. */
static char class_char(int k)
{
    static const char ch[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
    return ch[(k < 0 ? 0 : k) % (int)(sizeof ch - 1)];
}

/* Without half blocks, the character filling class k's region of the map:
 * bold where the network is sure, faint where it is not. */
static char region_char(int k, bool sure)
{
    static const char strong[] = "#@%&$*+=", weak[] = ".,:;'`~-";
    return (sure ? strong : weak)[(k < 0 ? 0 : k) % 8];
}

static short point_bg(void)
{
    return crt_colors() >= 256 ? 235 : COLOR_BLACK;
}

static void put(int y, int x, const char *g, short pair, attr_t a)
{
    wattr_set(stdscr, a, pair, NULL);
    crt_puts(stdscr, y, x, COLS - x, g);
}

/* A view measured at step the kept weights, not that step's own. */
static bool kept_at(const ViewCtx *c, long step)
{
    return c->kept_epoch >= 0 && step == c->snap->step;
}

/* What a view measured at step (batches run) is of: "step 3939", the
 * weights' own steps as the panel counts them (the batches run less those
 * divergences undid; a view is measured again once the weights change, so
 * after the last divergence), or after an early stop that restored the
 * best weights, "weights of epoch 153" (the last step's measurement is of
 * them, not of that step's weights), or after a divergence in the first
 * epoch, "initial weights". */
static void weights_of(const ViewCtx *c, long step, char *buf, size_t cap)
{
    if (kept_at(c, step) && c->kept_epoch == 0)
        snprintf(buf, cap, "initial weights");
    else if (kept_at(c, step))
        snprintf(buf, cap, "weights of epoch %d", c->kept_epoch);
    else
        snprintf(buf, cap, "step %ld", step - c->snap->steps_undone);
}

/* Confidence level of a classification cell: the probability above
 * chance, in levels; discrete: always the surest. */
static int level_of(const ViewCtx *c, float conf)
{
    int S = n_levels();
    if (c->discrete) return S - 1;
    int k = c->ld->n_classes < 2 ? 2 : c->ld->n_classes;
    double t = (conf - 1.0 / k) / (1 - 1.0 / k);
    if (!(t >= 0)) t = 0;
    int lv = (int)(t * S);
    return lv >= S ? S - 1 : lv;
}

/* The regression map's scale: its steps, and the step of a value (in the
 * model's target units); discrete: the two ends, split at the middle. */
static int scale_steps(void)
{
    return palette_scale_steps(crt_colors());
}

static int scale_step(const ViewCtx *c, float v)
{
    const LiveData *ld = c->ld;
    int n = scale_steps();
    if (c->discrete) return v >= (ld->y_lo + ld->y_hi) / 2 ? n - 1 : 0;
    return palette_scale_step(v, ld->y_lo, ld->y_hi, n);
}

static short scale_colour(int step)
{
    return (short)palette_scale_colour(step, crt_colors());
}

/* Without half blocks the scale is a ramp of ten characters, light to
 * dense. */
static const char ramp[] = ".,:-=+*#%@";
#define RAMP_N ((int)sizeof ramp - 1)

static char ramp_char(const ViewCtx *c, float v)
{
    const LiveData *ld = c->ld;
    if (c->discrete) return v >= (ld->y_lo + ld->y_hi) / 2 ? '#' : '-';
    return ramp[palette_scale_step(v, ld->y_lo, ld->y_hi, RAMP_N)];
}

/* A value of the scale in the label's own units, as the MAE and the
 * scatter give it. */
static double label_units(const Dataset *ds, double v)
{
    return ds->target_scale > 0 ? v / ds->target_scale + ds->target_shift : v;
}

/* The colour of map cell i (halfblocks: colour is there). */
static short cell_colour(const ViewCtx *c, int i)
{
    const LiveData *ld = c->ld;
    if (ld->regression) return scale_colour(scale_step(c, ld->conf[i]));
    return class_color(c, ld->cls[i], level_of(c, ld->conf[i]));
}

/* ---- sparklines -------------------------------------------------------- */

void teach_sparkline(int y, int x, int width, const double *v, int n, bool log)
{
    static const char *const u[8] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                     "\u2585", "\u2586", "\u2587", "\u2588"};
    static const char a[8] = {'_', '.', '-', '~', '=', '+', '*', '#'};
    if (width <= 0 || n <= 0) return;
    int first = n > width ? n - width : 0;
    double lo = INFINITY, hi = -INFINITY;
    for (int i = first; i < n; i++) {
        double t = log ? (v[i] > 0 ? log10(v[i]) : NAN) : v[i];
        if (!isfinite(t)) continue;
        if (t < lo) lo = t;
        if (t > hi) hi = t;
    }
    for (int i = first; i < n; i++) {
        double t = log ? (v[i] > 0 ? log10(v[i]) : NAN) : v[i];
        int col = x + i - first;
        if (!isfinite(t)) continue;
        int k = hi > lo ? (int)((t - lo) / (hi - lo) * 7.999) : 3;
        if (crt_utf8()) {
            mvaddstr(y, col, u[k]);
        } else {
            mvaddch(y, col, (chtype)a[k]);
        }
    }
}

/* ---- titles ------------------------------------------------------------ */

/* Joins a title's parts with " \u00b7 " into t: the first always, each
 * next one only while the whole stays within room columns. */
static void join_title(const char *const *parts, int n, int room, char *t, size_t cap)
{
    int len = snprintf(t, cap, "%s", parts[0]);
    for (int i = 1; i < n && len > 0 && (size_t)len < cap; i++) {
        char more[1024];
        snprintf(more, sizeof more, "%s %s %s", t, crt_glyph(GLYPH_DOT), parts[i]);
        if (crt_width(more) > room) break;
        len = snprintf(t, cap, "%s", more);
    }
}

/* A view's title from its parts, joined by " \u00b7 ", then tail (may be
 * NULL) dim: the first part always (cut with an ellipsis when it must be),
 * each next one only while it fits whole with the tail, so that no figure
 * in a part is ever cut.  Returns the columns used. */
static int draw_title(int y, int x, int width, const char *const *parts, int n, const char *tail)
{
    int tw = tail ? crt_width(tail) : 0;
    int room = width - tw > 0 ? width - tw : width;
    char t[512];
    join_title(parts, n, room, t, sizeof t);
    crt_set(stdscr, ROLE_TITLE);
    int used = crt_puts(stdscr, y, x, room, t);
    if (tail) {
        crt_set(stdscr, ROLE_DIM);
        used += crt_puts(stdscr, y, x + used, width - used, tail);
    }
    return used;
}

/* The first of texts that fits width whole, else the last one cut with an
 * ellipsis. */
static void draw_first_fit(int y, int x, int width, const char *const *texts, int n)
{
    int i = 0;
    while (i < n - 1 && crt_width(texts[i]) > width) i++;
    crt_puts(stdscr, y, x, width, texts[i]);
}

/* ---- decision boundary ------------------------------------------------- */

static const char *class_name(const ViewCtx *c, int k, char *buf, size_t cap)
{
    if (c->all->class_names && k >= 0 && k < c->all->n_classes)
        snprintf(buf, cap, "%s", c->all->class_names[k]);
    else
        snprintf(buf, cap, "%d", k);
    return buf;
}

/* Where the legend's next item goes: items left to right, wrapped onto
 * the next row when they do not fit, at most max_rows rows. */
typedef struct {
    int y, left, width, max_rows;
    int row, x;
    bool draw;
} Flow;

/* Places an item w columns wide, keeping reserve columns free after it on
 * the last row; false when it does not fit. */
static bool flow_place(Flow *f, int w, int reserve)
{
    if (f->x > f->left && f->x + w > f->left + f->width) {
        if (f->row + 1 >= f->max_rows) return false;
        f->row++;
        f->x = f->left;
    }
    if (f->row == f->max_rows - 1 && f->x + w + reserve > f->left + f->width) return false;
    return true;
}

static void flow_text(Flow *f, const char *t, CrtRole role)
{
    int w = crt_width(t);
    if (!flow_place(f, w, 0)) return;
    if (f->draw) {
        crt_set(stdscr, role);
        crt_puts(stdscr, f->y + f->row, f->x, f->left + f->width - f->x, t);
    }
    f->x += w + 2;
}

/* A point of the map without half blocks (class 0's character, drawn with
 * attr as the points are) and its words. */
static void flow_point(Flow *f, attr_t attr, const char *words)
{
    int w = 2 + crt_width(words);
    if (!flow_place(f, w, 0)) return;
    if (f->draw) {
        int y = f->y + f->row;
        put(y, f->x, (char[]){class_char(0), 0}, 0, attr);
        crt_set(stdscr, ROLE_DIM);
        crt_puts(stdscr, y, f->x + 2, f->left + f->width - f->x - 2, words);
    }
    f->x += w + 2;
}

/* Class 0's region characters without half blocks, and their words (each
 * class's pair follows its point in the class's swatch). */
static void flow_region(Flow *f)
{
    static const char words[] = "region: sure, unsure";
    int w = 3 + crt_width(words);
    if (!flow_place(f, w, 0)) return;
    if (f->draw) {
        int y = f->y + f->row;
        put(y, f->x, (char[]){region_char(0, true), 0}, 0, A_BOLD);
        put(y, f->x + 1, (char[]){region_char(0, false), 0}, 0, A_DIM);
        crt_set(stdscr, ROLE_DIM);
        crt_puts(stdscr, y, f->x + 3, f->left + f->width - f->x - 3, words);
    }
    f->x += w + 2;
}

#define LEGEND_NAME_MAX 20

/* The regression scale's legend item: "low ▇▇▇...▇▇ high" in the label's
 * units (without colour the ramp of characters), or discrete the two
 * colours and the middle they are split at.  Sizing only when c is NULL. */
static void flow_scale(Flow *f, const Dataset *ds, const ViewCtx *c)
{
    char lo[24] = "0", hi[24] = "0", mid[24] = "0", t[160];
    bool colour = crt_colors() >= 8;
    int n = colour ? scale_steps() : RAMP_N;
    if (c) { /* as the scatter's axes write them: "4800", not "4.8e+03" */
        chart_format(label_units(ds, c->ld->y_lo), 0, 7, lo, sizeof lo);
        chart_format(label_units(ds, c->ld->y_hi), 0, 7, hi, sizeof hi);
        chart_format(label_units(ds, (c->ld->y_lo + c->ld->y_hi) / 2), 0, 7, mid, sizeof mid);
    }
    bool discrete = c && c->discrete;
    if (discrete)
        snprintf(t, sizeof t, "prediction %s below %s  %s above", colour ? "  " : "-", mid,
                 colour ? "  " : "#");
    else
        snprintf(t, sizeof t, "prediction %s %*s %s", lo, colour ? 2 * n : n, "", hi);
    int w = crt_width(t);
    if (!flow_place(f, w, 0)) return;
    if (f->draw && c) {
        int y = f->y + f->row, x = f->x;
        crt_set(stdscr, ROLE_NORMAL);
        crt_puts(stdscr, y, x, f->left + f->width - x, t);
        if (discrete) {
            if (colour) {
                int x0 = x + crt_width("prediction ");
                int x1 = x0 + 2 + 1 + crt_width("below ") + crt_width(mid) + 2;
                put(y, x0, "\u2588\u2588", crt_pair(scale_colour(0), -1), A_NORMAL);
                put(y, x1, "\u2588\u2588", crt_pair(scale_colour(scale_steps() - 1), -1), A_NORMAL);
            }
        } else {
            int x0 = x + crt_width("prediction ") + crt_width(lo) + 1;
            for (int i = 0; i < n; i++) {
                if (colour)
                    put(y, x0 + 2 * i, crt_utf8() ? "\u2588\u2588" : "##",
                        crt_pair(scale_colour(i), -1), A_NORMAL);
                else
                    put(y, x0 + i, (char[]){ramp[i], 0}, 0, A_BOLD);
            }
        }
        crt_set(stdscr, ROLE_NORMAL);
    }
    f->x += w + 2;
}

/*
 * The boundary's legend from row y: each class's swatch (its colour, and
 * its marker when colours alone cannot tell the classes apart) or the
 * regression's colour scale, the key to the points, and the keys that
 * change the picture, wrapped over at most max_rows rows; classes that do
 * not fit are counted in "... and N more".  Draws only when c is given;
 * returns the rows it takes.  Without c it only sizes (before anything was
 * computed), with the same texts' widths.
 */
static int boundary_legend(const Dataset *ds, const ViewCtx *c, int y, int left, int width,
                           int max_rows)
{
    bool draw = c != NULL;
    Flow f = {y, left, width, max_rows < 1 ? 1 : max_rows, 0, left, draw};
    bool hb = halfblocks();
    char t[200], nm[64];
    int n = ds->n_classes;
    bool regression = ds->task != TASK_CLASSIFICATION;
    if (!regression) {
        bool marked = hb && crt_palette_marked(n);
        for (int k = 0; k < n; k++) {
            if (ds->class_names && ds->class_names[k])
                snprintf(nm, sizeof nm, "%s", ds->class_names[k]);
            else
                snprintf(nm, sizeof nm, "%d", k);
            int name_w = crt_width(nm);
            if (name_w > LEGEND_NAME_MAX) name_w = LEGEND_NAME_MAX;
            /* without half blocks: the point's character, then the
             * region's where sure and where not */
            int sw = hb ? 2 + marked : 3;
            int w = sw + 1 + name_w;
            char more[48];
            snprintf(more, sizeof more, "%s and %d more", crt_glyph(GLYPH_ELLIPSIS), n - k - 1);
            int reserve = k + 1 < n ? crt_width(more) + 2 : 0;
            if (!flow_place(&f, w, reserve)) {
                snprintf(more, sizeof more, "%s and %d more", crt_glyph(GLYPH_ELLIPSIS), n - k);
                if (f.draw) {
                    crt_set(stdscr, ROLE_DIM);
                    crt_puts(stdscr, f.y + f.row, f.x, f.left + f.width - f.x, more);
                }
                f.x = f.left + f.width; /* nothing more on this row */
                break;
            }
            if (f.draw) {
                int yy = f.y + f.row;
                if (hb) {
                    put(yy, f.x, "\u2588\u2588", crt_pair(class_color(c, k, n_levels() - 1), -1),
                        A_NORMAL);
                    if (marked)
                        put(yy, f.x + 2, crt_palette_marker(k, false),
                            crt_pair(class_color(c, k, n_levels() - 1), point_bg()), A_BOLD);
                } else {
                    put(yy, f.x, (char[]){class_char(k), 0}, class_pair(c, k), A_BOLD | A_REVERSE);
                    put(yy, f.x + 1, (char[]){region_char(k, true), 0}, class_pair(c, k), A_BOLD);
                    put(yy, f.x + 2, (char[]){region_char(k, false), 0}, class_pair(c, k), A_DIM);
                }
                crt_set(stdscr, ROLE_NORMAL);
                crt_puts(stdscr, yy, f.x + sw + 1, name_w, nm);
            }
            f.x += w + 2;
        }
    } else {
        flow_scale(&f, ds, c);
    }
    bool val = !(c && c->hide_val);
    if (hb) {
        snprintf(t, sizeof t, "%s train%s", "\u25cf", val ? " \u25cb val" : "");
        flow_text(&f, t, ROLE_DIM);
    } else {
        /* a class's character as the map draws its points, and the words
         * for what tells them apart */
        flow_point(&f, A_BOLD | A_REVERSE, "train (reversed)");
        if (val) flow_point(&f, A_BOLD | A_UNDERLINE, "val (underlined)");
        if (!regression) flow_region(&f);
    }
    if (c && c->ld->pca_note[0])
        flow_text(&f, c->ld->pca_note, ROLE_WARN);
    else if (ds->d > 2 && !ds->plane) /* inputs made from x1, x2: always over them */
        flow_text(&f, "x: next pair  p: PCA", ROLE_KEYTEXT);
    /* the same width whatever the switches say, so that the map keeps its
     * size when they change */
    snprintf(t, sizeof t, "v: %s val  d: %s", val ? "hide" : "show",
             c && c->discrete ? "continuous" : "discretize");
    flow_text(&f, t, ROLE_KEYTEXT);
    if (draw) crt_set(stdscr, ROLE_NORMAL);
    return f.row + 1;
}

/* Rows the legend may take: a third of the view, at least one. */
static int legend_max_rows(int height)
{
    int m = (height - 2) / 3;
    return m < 1 ? 1 : m;
}

/* The rows of the map itself: the view less its title and legend. */
static int map_rows(const Dataset *ds, int height, int width)
{
    int legend = boundary_legend(ds, NULL, 0, 0, width, legend_max_rows(height));
    int rows = height - 1 - legend;
    return rows < 1 ? 1 : rows;
}

void teach_boundary_grid(const Dataset *ds, int height, int width, int *grid_w, int *grid_h)
{
    int rows = map_rows(ds, height, width), cols = width;
    if (cols < 1) cols = 1;
    *grid_w = cols > LIVE_GRID_MAX_W ? LIVE_GRID_MAX_W : cols;
    int h = halfblocks() ? 2 * rows : rows;
    *grid_h = h > LIVE_GRID_MAX_H ? LIVE_GRID_MAX_H : h;
}

/* Says when what will appear, two rows below top; returns the row after. */
static int waiting(int top, int left, int width, const ViewCtx *c, const char *what)
{
    char m[200];
    /* standing still, the dashboard computes it itself within a frame */
    const char *when = c->snap->status == TRAIN_RUNNING ? "appears within a second of training"
                                                        : "is being computed";
    snprintf(m, sizeof m, "%s %s", what, when);
    crt_set(stdscr, ROLE_DIM);
    crt_puts(stdscr, top + 2, left + 2, width - 4, m);
    crt_set(stdscr, ROLE_NORMAL);
    return top + 3;
}

void teach_boundary(const ViewCtx *c, int top, int left, int height, int width)
{
    const LiveData *ld = c->ld;
    char t[300];
    if (!ld->has_boundary) {
        crt_set(stdscr, ROLE_TITLE);
        crt_puts(stdscr, top, left, width, "decision boundary");
        waiting(top, left, width, c, "the decision boundary");
        return;
    }
    const Dataset *ds = c->all;
    char plane[300] = "", inputs[300] = "", explained[16];
    chart_percent(ld->pca_explained, explained, sizeof explained);
    if (ld->features_plane) {
        /* the network's inputs, made from the plane's x1 and x2 */
        snprintf(plane, sizeof plane, "x1 across, x2 up");
        int n = snprintf(inputs, sizeof inputs, "inputs");
        for (int j = 0; ds->feature_names && j < ds->d && n > 0 && (size_t)n < sizeof inputs; j++)
            n += snprintf(inputs + n, sizeof inputs - (size_t)n, "%s%s", j ? ", " : " ",
                          ds->feature_names[j]);
    } else if (ld->pca)
        snprintf(plane, sizeof plane, "PCA plane (%s of the variance)", explained);
    else if (ld->fy >= 0)
        snprintf(plane, sizeof plane, "%s across, %s up%s",
                 ds->feature_names ? ds->feature_names[ld->fx] : "x0",
                 ds->feature_names ? ds->feature_names[ld->fy] : "x1",
                 ds->d > 2 ? " (others at their mean)" : "");
    else
        snprintf(plane, sizeof plane, "%s", ds->feature_names ? ds->feature_names[ld->fx] : "x0");
    /* the step the map is of stays whole; the title gives way to it, the
     * plane's aside first ("(others at their mean)", the variance's words) */
    char of[64];
    weights_of(c, ld->boundary_step, of, sizeof of);
    snprintf(t, sizeof t, "  %s", of);
    char *aside = strstr(plane, " (");
    if (aside && crt_width("decision boundary \u00b7 ") + crt_width(plane) + crt_width(t) > width) {
        if (ld->pca)
            snprintf(aside, sizeof plane - (size_t)(aside - plane), " (%s)", explained);
        else
            *aside = '\0';
    }
    /* the map cannot be read without its plane (at 80 columns "decision
     * boundary · sepal_length across, petal_length up" left it out, and x
     * changed the pair unseen): the tab bar names the view, so the view's
     * name shortens, then goes, before the plane does */
    const char *name = "decision boundary";
    char sep[16];
    snprintf(sep, sizeof sep, " %s ", crt_glyph(GLYPH_DOT));
    int room = width - crt_width(t), dot = crt_width(sep);
    if (crt_width(name) + dot + crt_width(plane) > room) name = "boundary";
    const char *parts[] = {name, plane, inputs};
    bool named = crt_width(name) + dot + crt_width(plane) <= room;
    draw_title(top, left, width, named ? parts : parts + 1, (inputs[0] ? 3 : 2) - (named ? 0 : 1),
               t);

    const BoundaryGrid *g = &ld->grid;
    bool hb = halfblocks();
    int rows = map_rows(ds, height, width);
    for (int r = 0; r < rows; r++) {
        int y = top + 1 + r;
        for (int col = 0; col < width && col < g->w; col++) {
            int x = left + col;
            if (hb) {
                int r0 = 2 * r, r1 = 2 * r + 1;
                if (r0 >= g->h) break;
                short fg = cell_colour(c, r0 * g->w + col), bg = -1;
                if (r1 < g->h) bg = cell_colour(c, r1 * g->w + col);
                put(y, x, "\u2580", crt_pair(fg, bg), A_NORMAL);
            } else if (ld->regression) {
                if (r >= g->h) break;
                int i = r * g->w + col;
                short pair =
                    crt_colors() >= 8 ? crt_pair(scale_colour(scale_step(c, ld->conf[i])), -1) : 0;
                put(y, x, (char[]){ramp_char(c, ld->conf[i]), 0}, pair, A_NORMAL);
            } else {
                if (r >= g->h) break;
                int i = r * g->w + col, hue = ld->cls[i];
                int lv = level_of(c, ld->conf[i]);
                bool sure = lv >= n_levels() - 1;
                put(y, x, (char[]){region_char(hue, sure), 0}, class_pair(c, hue),
                    sure ? A_BOLD : A_DIM);
            }
        }
    }
    /* the data on top: training points filled, validation points hollow
     * (unless hidden); when colours repeat, each class's own shape; a
     * regression's points in the colour of their target, so that one
     * unlike the map under it is predicted badly */
    bool marked = !ld->regression && crt_palette_marked(ld->n_classes);
    for (int i = 0; i < ld->n_points; i++) {
        if (c->hide_val && ld->pt_val[i]) continue;
        int col, row;
        if (!boundary_cell_of(g, ld->pts[i][0], ld->pts[i][1], &col, &row)) continue;
        int r = hb ? row / 2 : row;
        if (r >= rows || col >= width) continue;
        int k = ld->regression ? 0 : ld->pt_class[i];
        if (hb) {
            short fg = ld->regression ? scale_colour(scale_step(c, ld->pt_y[i]))
                                      : class_color(c, k, n_levels() - 1);
            const char *glyph = marked          ? crt_palette_marker(k, ld->pt_val[i])
                                : ld->pt_val[i] ? "\u25cb"
                                                : "\u25cf";
            put(top + 1 + r, left + col, glyph, crt_pair(fg, point_bg()), A_BOLD);
        } else {
            char ch[2] = {class_char(k), 0};
            put(top + 1 + r, left + col, ch, ld->regression ? 0 : class_pair(c, k),
                A_BOLD | (ld->pt_val[i] ? A_UNDERLINE : A_REVERSE));
        }
    }
    boundary_legend(ds, c, top + 1 + rows, left, width, height - 1 - rows);
}

/* ---- gradient estimate ---------------------------------------------- */

/* A figure of the gradient view in at most 8 columns, as the charts write
 * theirs ("1250", "2.5e-5", "12.3k"; %.3g wrote "1.25e+03"); "-" for
 * none. */
static void fmt_num(double v, char *buf, size_t cap)
{
    if (!isfinite(v))
        snprintf(buf, cap, "-");
    else
        chart_format(v, 0, 8, buf, cap);
}

/* Milliseconds: whole from 10 up, else with the digits that show them
 * (a probe of 0.4 ms read "0 ms"). */
static void fmt_ms(double seconds, char *buf, size_t cap)
{
    double ms = seconds * 1000;
    if (ms >= 10 || ms <= 0)
        snprintf(buf, cap, "%.0f", ms);
    else
        chart_format(ms, 0, 4, buf, cap);
}

void teach_gradient(const ViewCtx *c, int top, int left, int height, int width)
{
    const LiveData *ld = c->ld;
    char t[400], a[32], b[32];
    int y = top, bottom = top + height;
    crt_set(stdscr, ROLE_TITLE);
    crt_puts(stdscr, y++, left, width, "gradient estimate: how good is the mini-batch gradient?");
    if (!ld->has_grad) {
        y = waiting(top, left, width, c, "the gradient probe");
    } else {
        const GradReport *r = &ld->grad;
        crt_set(stdscr, ROLE_DIM);
        char of[64];
        weights_of(c, ld->grad_step, of, sizeof of);
        /* full-batch training steps along G; the batches are the noise
         * scale's (halves of the set), not the training's */
        int head = r->full_batch
                       ? snprintf(t, sizeof t,
                                  "%s: the full batch, %zu rows (G exact); the noise scale from %d "
                                  "batches of %d; ",
                                  of, r->n_train, r->n_batches, r->batch)
                       : snprintf(t, sizeof t, "%s: %d batches of %d, %zu of %zu rows%s; ", of,
                                  r->n_batches, r->batch, r->rows, r->n_train,
                                  r->exact_full ? " (G exact)" : "");
        /* while training stands still it was measured once, on these weights */
        char ms[16];
        fmt_ms(ld->cost, ms, sizeof ms);
        if (c->snap->status == TRAIN_RUNNING)
            snprintf(t + head, sizeof t - (size_t)head, "every %.1fs, %s ms",
                     LIVE_INTERVAL_S > ld->cost / LIVE_BUDGET ? LIVE_INTERVAL_S
                                                              : ld->cost / LIVE_BUDGET,
                     ms);
        else
            snprintf(t + head, sizeof t - (size_t)head, "measured on these weights, %s ms", ms);
        /* narrower, the cost's words go, then its figure, then the rows
         * and the batches: a figure is left out whole, never cut */
        char brief[400], briefer[400], bare[400], batches[200];
        snprintf(brief, sizeof brief, "%.*smeasured in %s ms", head, t, ms);
        snprintf(briefer, sizeof briefer, "%.*s%s ms", head, t, ms);
        snprintf(bare, sizeof bare, "%.*s", head > 2 ? head - 2 : head, t);
        if (r->full_batch)
            snprintf(batches, sizeof batches, "%s: the full batch", of);
        else
            snprintf(batches, sizeof batches, "%s: %d batches of %d", of, r->n_batches, r->batch);
        const char *lines[] = {t, brief, briefer, bare, batches, of};
        draw_first_fit(y++, left, width, lines, 6);
        y++;
        crt_set(stdscr, ROLE_NORMAL);
        snprintf(t, sizeof t, "cosine(mini-batch g, full G)  %.3f", r->cosine);
        int used = crt_puts(stdscr, y, left, width, t);
        crt_set(stdscr, ROLE_DIM);
        if (r->full_batch)
            snprintf(t, sizeof t, "  full batch: each step's g is G   ");
        else
            snprintf(t, sizeof t, "  range %.3f .. %.3f   ", r->cosine_min, r->cosine_max);
        if (crt_width(t) <= width - used) /* whole or not at all */
            used += crt_puts(stdscr, y, left + used, width - used, t);
        else
            used += 3; /* the blanks before the sparkline */
        /* the sparklines are no curve of the charts: the default colour,
         * their columns' titles say what they are */
        crt_set(stdscr, ROLE_NORMAL);
        teach_sparkline(y, left + used, width - used, ld->cos_hist, ld->n_grad, false);
        y++;
        crt_set(stdscr, ROLE_NORMAL);
        fmt_num(ld->b_simple_avg, a, sizeof a);
        fmt_num(r->b_simple, b, sizeof b);
        char noise[200];
        int nl = snprintf(noise, sizeof noise, "noise scale B_simple = tr(%s)/|G|%s  %s",
                          crt_utf8() ? "\u03a3" : "S", crt_utf8() ? "\u00b2" : "^2", a);
        snprintf(t, sizeof t, "%.*s  (this probe %s)", nl, noise, b);
        const char *noises[] = {t, noise};
        draw_first_fit(y++, left, width, noises, 2);
        double bs = ld->b_simple_avg;
        long sug = noise_batch_suggestion(bs, r->n_train);
        if (sug > 0) {
            /* A batch larger than the set trains on the whole set. */
            long B = c->snap->hp.batch_size, n = (long)r->n_train, now = B < n ? B : n;
            const char *why = sug > 2 * now   ? "larger ones need fewer steps"
                              : sug * 2 < now ? "smaller ones waste less"
                                              : "about right";
            char near[120];
            int sl = snprintf(near, sizeof near, "  suggests a batch size near %ld%s (now %ld)",
                              sug, sug == n ? " = all rows" : "", B);
            snprintf(t, sizeof t, "%.*s: %s", sl, near, why);
            char nearest[64];
            snprintf(nearest, sizeof nearest, "  suggests a batch size near %ld", sug);
            const char *says[] = {t, near, nearest};
            crt_set(stdscr, ROLE_GOOD);
            draw_first_fit(y++, left, width, says, 3);
        } else {
            crt_set(stdscr, ROLE_DIM);
            crt_puts(stdscr, y++, left, width, "  suggests a batch size once the estimate settles");
        }
        y++;
        crt_set(stdscr, ROLE_TITLE);
        snprintf(t, sizeof t, "%-6s %-9s %9s %-20s %10s %s", "layer", "shape", "|G|", "  history",
                 "update/W", "  history (log)");
        crt_puts(stdscr, y++, left, width, t);
        crt_set(stdscr, ROLE_NORMAL);
        for (int i = 0; i < ld->n_layers && y < bottom - 4; i++) {
            char shape[24];
            snprintf(shape, sizeof shape, "%dx%d", ld->sizes[i + 1], ld->sizes[i]);
            fmt_num(r->layer_norm[i], a, sizeof a);
            fmt_num(ld->has_ratio ? ld->ratio[i] : NAN, b, sizeof b);
            snprintf(t, sizeof t, "%-6d %-9s %9s", i + 1, shape, a);
            crt_set(stdscr, ROLE_NORMAL);
            crt_puts(stdscr, y, left, width, t);
            if (left + 28 + 20 < left + width)
                teach_sparkline(y, left + 28, 20, ld->norm_hist[i], ld->n_grad, true);
            snprintf(t, sizeof t, "%10s", b);
            if (left + 59 < left + width) crt_puts(stdscr, y, left + 48, 11, t);
            if (left + 61 + 20 <= left + width)
                teach_sparkline(y, left + 61, 20, ld->ratio_hist[i], ld->n_grad, true);
            y++;
        }
    }
    /* gradcheck */
    y++;
    if (y >= bottom) return;
    crt_set(stdscr, ROLE_TITLE);
    crt_puts(stdscr, y++, left, width, "gradcheck: backprop against finite differences (key g)");
    crt_set(stdscr, ROLE_DIM);
    if (!ld->has_check) {
        crt_puts(stdscr, y++, left, width,
                 !c->gradcheck_asked                ? "press g to check the model's gradients"
                 : c->snap->status == TRAIN_RUNNING ? "running at the next batch..."
                                                    : "running...");
        crt_set(stdscr, ROLE_NORMAL);
        return;
    }
    if (ld->check_error.code) {
        char of[64];
        weights_of(c, ld->check_step, of, sizeof of);
        snprintf(t, sizeof t, "%s: the check could not run: %.200s", of, ld->check_error.msg);
        crt_set(stdscr, ROLE_BAD);
        crt_puts(stdscr, y++, left, width, t);
        crt_set(stdscr, ROLE_NORMAL);
        return;
    }
    const GradcheckReport *rep = &ld->check;
    bool agree = rep->n_mismatch == 0;
    char of[64];
    weights_of(c, ld->check_step, of, sizeof of);
    snprintf(t, sizeof t, "%s, %d rows: worst relative error %.2e %s", of, ld->check_rows,
             rep->worst,
             !agree             ? "- they DISAGREE"
             : rep->n_unchecked ? "- they agree where checked"
                                : "- they agree");
    crt_set(stdscr, agree ? ROLE_GOOD : ROLE_BAD);
    crt_puts(stdscr, y++, left, width, t);
    if (ld->check_seq != c->gradcheck_asked && y < bottom) {
        crt_set(stdscr, ROLE_DIM);
        crt_puts(stdscr, y++, left, width,
                 c->snap->status == TRAIN_RUNNING ? "(a new check runs at the next batch)"
                                                  : "(a new check is running)");
    }
    if (rep->n_kink && y < bottom) {
        /* Entries whose step crossed a kink say nothing about backprop:
         * say how many were left out and why, so the verdict is not read
         * as covering them. */
        char why[256];
        gradcheck_kink_text(rep->kinks, ld->check_hidden, why, sizeof why);
        snprintf(t, sizeof t, "%d entr%s left out: %s", rep->n_kink, rep->n_kink == 1 ? "y" : "ies",
                 why);
        crt_set(stdscr, ROLE_DIM);
        crt_puts(stdscr, y++, left, width, t);
    }
    crt_set(stdscr, ROLE_NORMAL);
    for (int i = 0; i < ld->n_layers && y < bottom; i++) {
        const GradcheckLayer *g = &rep->layer[i];
        const int checked[2] = {g->n_checked_w, g->n_checked_b},
                  kinked[2] = {g->n_kink_w, g->n_kink_b};
        const double norm[2] = {g->norm_w, g->norm_b}, err[2] = {g->max_err_w, g->max_err_b};
        char part[2][120];
        for (int j = 0; j < 2; j++) {
            GradcheckVerdict v = gradcheck_verdict(checked[j], err[j]);
            int n = v == GRADCHECK_UNCHECKED
                        ? snprintf(part[j], sizeof part[j], "all %d left out (kinks)", kinked[j])
                        : snprintf(part[j], sizeof part[j], "|g| %.3g, err %.1e over %d%s", norm[j],
                                   err[j], checked[j], v == GRADCHECK_MISMATCH ? " MISMATCH" : "");
            if (kinked[j] && v != GRADCHECK_UNCHECKED && n > 0 && (size_t)n < sizeof part[j])
                snprintf(part[j] + n, sizeof part[j] - (size_t)n, ", %d left out", kinked[j]);
        }
        snprintf(t, sizeof t, "layer %d  W: %s  b: %s", i + 1, part[0], part[1]);
        crt_puts(stdscr, y++, left, width, t);
    }
}

/* ---- network --------------------------------------------------------- */

/* A weight's glyph: its size against the layer's largest, filled when it
 * is positive and hollow when negative, so that the sign does not rest on
 * colour alone (8 colours have none free for it, NO_COLOR none at all). */
static const char *weight_glyph(float v, float scale)
{
    static const char *const u[2][4] = {{"\u00b7", "\u2219", "\u2022", "\u25cf"},
                                        {"\u00b7", "\u2218", "\u25e6", "\u25cb"}};
    static const char *const a[2][4] = {{".", "o", "O", "@"}, {".", "-", "=", "#"}};
    double f = scale > 0 ? fabs(v) / scale : 0;
    int k = f < 0.15 ? 0 : f < 0.4 ? 1 : f < 0.7 ? 2 : 3, neg = v < 0;
    return crt_utf8() ? u[neg][k] : a[neg][k];
}

/* A unit's glyph, by the sign of its bias: filled or hollow as a
 * weight's, and in ASCII the sign itself (weight_legend says so), so that
 * without colour the sign still shows. */
static const char *unit_glyph(float bias)
{
    if (crt_utf8()) return bias < 0 ? "\u25ce" : "\u25c9";
    return bias < 0 ? "-" : "+";
}

static void signed_put(int y, int x, const char *g, float v)
{
    crt_set(stdscr, v >= 0 ? ROLE_POS : ROLE_NEG);
    crt_puts(stdscr, y, x, COLS - x, g);
}

/* What the weights' colours and shapes mean, for the view's title;
 * brief: the shapes alone. */
static const char *weight_legend(bool brief)
{
    if (brief) return crt_utf8() ? "\u25cf +, \u25cb -" : "@ +, # -; bias + -";
    if (!crt_utf8())
        return crt_colors() >= 256 ? "blue @ +, orange # -; bias + -"
               : crt_colors() > 0  ? "blue @ +, # -; bias + -"
                                   : "@ +, # -; bias + -";
    return crt_colors() >= 256 ? "blue \u25cf +, orange \u25cb -"
           : crt_colors() > 0  ? "blue \u25cf +, \u25cb -"
                               : "\u25cf +, \u25cb -";
}

/* TensorBoard's distribution chart: the bands between the percentiles of
 * hist_bps over time, darker towards the median. */
static void draw_dist(int top, int left, int h, int w, const double (*bands)[HIST_N_BPS], int n)
{
    static const char *const u[4] = {"\u2591", "\u2592", "\u2593", "\u2588"};
    static const char *const a[4] = {".", ":", "+", "#"};
    if (n <= 0 || h <= 0 || w <= 0) return;
    int first = n > w ? n - w : 0;
    double lo = INFINITY, hi = -INFINITY;
    for (int i = first; i < n; i++) {
        if (bands[i][0] < lo) lo = bands[i][0];
        if (bands[i][HIST_N_BPS - 1] > hi) hi = bands[i][HIST_N_BPS - 1];
    }
    if (!(hi > lo)) {
        hi = lo + 1e-6;
        lo -= 1e-6;
    }
    for (int i = first; i < n; i++) {
        const double *b = bands[i];
        for (int r = 0; r < h; r++) {
            double ctop = hi - r * (hi - lo) / h, cbot = hi - (r + 1) * (hi - lo) / h;
            int depth = -1;
            for (int k = 0; k < 4; k++) {
                double blo = b[k], bhi = b[HIST_N_BPS - 1 - k];
                if (bhi >= cbot && blo <= ctop) depth = k;
            }
            if (depth < 0) continue;
            mvaddstr(top + r, left + i - first, crt_utf8() ? u[depth] : a[depth]);
        }
    }
    /* the range in at most 5 of the 6 columns before the histogram, so
     * that a blank always parts them ("9.4e-05" ran into it) */
    char t[32];
    crt_set(stdscr, ROLE_DIM);
    chart_format(hi, 0, 5, t, sizeof t);
    crt_puts(stdscr, top, left + w + 1, 5, t);
    chart_format(lo, 0, 5, t, sizeof t);
    crt_puts(stdscr, top + h - 1, left + w + 1, 5, t);
}

void teach_network(const ViewCtx *c, int top, int left, int height, int width)
{
    const LiveData *ld = c->ld;
    char t[300];
    if (!ld->has_net) {
        crt_set(stdscr, ROLE_TITLE);
        snprintf(t, sizeof t, "network: units, weights (%s), distributions", weight_legend(false));
        crt_puts(stdscr, top, left, width, t);
        waiting(top, left, width, c, "the network");
        return;
    }
    /* the weights it shows stay whole, as in the other views' titles; the
     * title gives way to them, its legend last */
    char of[64], tail[80], heads[4][160];
    weights_of(c, ld->net_step, of, sizeof of);
    snprintf(tail, sizeof tail, "  %s", of);
    snprintf(heads[0], sizeof heads[0], "network: units, weights (%s)", weight_legend(false));
    snprintf(heads[1], sizeof heads[1], "network: weights (%s)", weight_legend(false));
    snprintf(heads[2], sizeof heads[2], "network: weights (%s)", weight_legend(true));
    snprintf(heads[3], sizeof heads[3], "network (%s)", weight_legend(true));
    int head = 0;
    while (head < 3 && crt_width(heads[head]) + crt_width(tail) > width) head++;
    const char *parts[] = {heads[head], "distributions"};
    draw_title(top, left, width, parts, 2, tail);
    /* the units and weights, layer by layer, left to right */
    int y0 = top + 2, x = left, rows = height / 2 - 3;
    if (rows > LIVE_NET_MAX) rows = LIVE_NET_MAX;
    if (rows < 2) rows = 2;
    for (int i = 0; i <= ld->n_layers && x < left + width - 4; i++) {
        int units = ld->sizes[i];
        int shown = i == 0                       ? (units < rows ? units : rows)
                    : ld->net_rows[i - 1] < rows ? ld->net_rows[i - 1]
                                                 : rows;
        /* the cursor's layer: its size in reverse; its unit (the row
         * that stands for it when rows are merged) in reverse too */
        bool chosen = i == c->net_layer;
        crt_set(stdscr, chosen ? ROLE_TITLE : ROLE_DIM);
        if (chosen) attron(A_REVERSE);
        snprintf(t, sizeof t, "%d", units);
        crt_puts(stdscr, y0 - 1, x, 6, t);
        if (chosen) attroff(A_REVERSE);
        int cu = units > shown && units > 0 ? c->net_unit * shown / units : c->net_unit;
        for (int u = 0; u < shown; u++) {
            const char *g =
                i == 0 ? (crt_utf8() ? "\u25cb" : "o") : unit_glyph(ld->unit_b[i - 1][u]);
            if (chosen && u == cu) {
                crt_set(stdscr, ROLE_TITLE);
                attron(A_REVERSE);
                mvaddstr(y0 + u, x, g);
                attroff(A_REVERSE);
            } else if (i == 0) {
                crt_set(stdscr, ROLE_NORMAL);
                mvaddstr(y0 + u, x, g);
            } else {
                signed_put(y0 + u, x, g, ld->unit_b[i - 1][u]);
            }
        }
        if (units > shown) {
            crt_set(stdscr, ROLE_DIM);
            mvaddstr(y0 + shown, x, crt_utf8() ? "\u22ee" : ":");
        }
        x += 2;
        if (i == ld->n_layers) break;
        /* layer i+1's weights: a matrix of outputs (rows) by inputs (cols) */
        int R = ld->net_rows[i] < rows ? ld->net_rows[i] : rows, C = ld->net_cols[i];
        if (x + C + 2 >= left + width) break;
        for (int r = 0; r < R; r++)
            for (int k = 0; k < C; k++) {
                float v = ld->net_w[i][r * C + k];
                signed_put(y0 + r, x + k, weight_glyph(v, ld->net_scale[i]), v);
            }
        crt_set(stdscr, ROLE_DIM);
        snprintf(t, sizeof t, "W%d", i + 1);
        crt_puts(stdscr, y0 + R, x, C, t);
        x += C + 2;
    }
    crt_set(stdscr, ROLE_NORMAL);
    int y = y0 + rows + 1;
    /* what the cursor chose, of the network as the trainer has it now */
    const ModelShape *sh = &c->snap->shape;
    if (sh->n_layers > 0 && c->net_layer >= 0 && c->net_layer <= sh->n_layers) {
        int k = c->net_layer;
        if (k == 0)
            snprintf(t, sizeof t, "chosen: the inputs (%d features), feature %d", sh->sizes[0],
                     c->net_unit + 1);
        else if (k == sh->n_layers)
            snprintf(t, sizeof t, "chosen: the output layer (%d %s), unit %d", sh->sizes[k],
                     output_name(sh->output), c->net_unit + 1);
        else
            snprintf(t, sizeof t, "chosen: hidden layer %d (%d %s units), unit %d", k, sh->sizes[k],
                     activation_name(sh->act[k - 1]), c->net_unit + 1);
        crt_set(stdscr, ROLE_TITLE);
        int used = crt_puts(stdscr, y, left, width, t);
        crt_set(stdscr, ROLE_DIM);
        const char *hints[] = {"   + - unit  a/del layer  c activation (between batches)",
                               "   + - unit  a/del layer  c activation"};
        draw_first_fit(y, left + used, width - used, hints, 2);
        y++;
    }
    /* dead units */
    if (ld->has_dead && ld->n_hidden > 0) {
        char share[16];
        chart_percent(ld->dead.share, share, sizeof share);
        int n = snprintf(t, sizeof t, "units never firing on %zu rows: %d of %d (%s)",
                         ld->dead_rows, ld->dead.total_dead, ld->dead.total_units, share);
        for (int i = 0; i < ld->dead.n_layers && n < (int)sizeof t - 24; i++)
            n += snprintf(t + n, sizeof t - (size_t)n, "  L%d %d/%d", i + 1, ld->dead.dead[i],
                          ld->dead.units[i]);
        bool relu = ld->dead_share >= 0;
        crt_set(stdscr, relu && ld->dead.share >= DIAG_DEAD_SHARE ? ROLE_WARN : ROLE_NORMAL);
        crt_puts(stdscr, y++, left, width, relu ? t : "dead ReLU units: not a ReLU network");
    }
    /* per-layer distributions over time and the latest histograms */
    y++;
    int bottom = top + height;
    /* each half: distribution, its range labels, the newest histogram */
    enum { HB = LIVE_BINS / 2 };
    int dw = (width - 6) / 2 - (HB + 9);
    if (dw > LIVE_HIST) dw = LIVE_HIST;
    if (dw < 4) dw = 4;
    crt_set(stdscr, ROLE_TITLE);
    crt_puts(stdscr, y++, left, width, "layer  weights over time, now");
    /* the activations' half is drawn only where it fits whole (below):
     * its heading too (at 80 columns "activations ove…" headed nothing) */
    if (6 + 2 * (dw + HB + 9) - 2 <= width)
        crt_puts(stdscr, y - 1, left + 6 + dw + HB + 9, width - (6 + dw + HB + 9),
                 "activations over time, now");
    for (int i = 0; i < ld->n_layers && y + 3 <= bottom; i++) {
        crt_set(stdscr, ROLE_NORMAL);
        snprintf(t, sizeof t, "%d", i + 1);
        crt_puts(stdscr, y, left, 5, t);
        for (int half = 0; half < 2; half++) {
            int x0 = left + 6 + half * (dw + HB + 9);
            if (x0 + dw + HB + 7 > left + width) break;
            const double(*bands)[HIST_N_BPS] =
                (const double(*)[HIST_N_BPS])(half ? ld->adist[i] : ld->wdist[i]);
            const size_t *hist = half ? ld->ahist[i] : ld->whist[i];
            /* weights and activations are no training or validation
             * curve: the default colour, the titles above name them */
            crt_set(stdscr, ROLE_NORMAL);
            draw_dist(y, x0, 3, dw, bands, ld->n_dist);
            double h[HB];
            for (int k = 0; k < HB; k++) h[k] = (double)(hist[2 * k] + hist[2 * k + 1]);
            int hx = x0 + dw + 7;
            crt_set(stdscr, ROLE_NORMAL);
            teach_sparkline(y + 1, hx, HB, h, HB, false);
            crt_set(stdscr, ROLE_DIM);
            char lo[16], hi[16];
            chart_format(half ? ld->alo[i] : ld->wlo[i], 0, 5, lo, sizeof lo);
            chart_format(half ? ld->ahi[i] : ld->whi[i], 0, 5, hi, sizeof hi);
            snprintf(t, sizeof t, "%s..%s", lo, hi);
            crt_puts(stdscr, y + 2, hx, HB + 2, t);
        }
        y += 4;
    }
    crt_set(stdscr, ROLE_NORMAL);
}

/* ---- confusion matrix / regression scatter ---------------------------- */

/* Predicted against actual, in the label's units: the chart widget's axes
 * with nice ticks on both, the same range on each so that the diagonal (a
 * perfect prediction, dim) runs corner to corner, and a dot per row. */
static void view_scatter(const ViewCtx *c, int top, int left, int height, int width)
{
    const LiveData *ld = c->ld;
    static double xs[LIVE_MAX_POINTS], ys[LIVE_MAX_POINTS], both[2 * LIVE_MAX_POINTS];
    int n = ld->n_pairs;
    if (n <= 0) return;
    for (int i = 0; i < n; i++) {
        xs[i] = both[i] = ld->pairs[i][0];
        ys[i] = both[n + i] = ld->pairs[i][1];
    }
    ChartSpec sp;
    memset(&sp, 0, sizeof sp);
    chart_autoscale(both, (size_t)(2 * n), false, &sp.y_axis);
    sp.x_axis = sp.y_axis;
    double diag[2] = {sp.x_axis.lo, sp.x_axis.hi};
    char title[200], of[64], rows[64];
    weights_of(c, ld->conf_step, of, sizeof of);
    snprintf(rows, sizeof rows, "%zu %s rows", ld->n_rows,
             ld->conf_on_val ? "validation" : "training");
    /* the title's parts only while the legend fits beside them (the
     * chart leaves out a legend that does not); kept weights are named
     * before the rows, as in the confusion matrix's title */
    const char *parts[] = {"predicted against actual", rows, of};
    if (kept_at(c, ld->conf_step)) {
        parts[1] = of;
        parts[2] = rows;
    }
    sp.legend = "the diagonal is exact";
    join_title(parts, 3, width - 2 - crt_width(sp.legend), title, sizeof title);
    sp.title = title;
    sp.series[0] = (ChartSeries){diag, diag, 2, ROLE_DIM, true};
    /* the rows in the charts' colour for their part: validation rows in
     * the validation curve's */
    sp.series[1] = (ChartSeries){xs, ys, (size_t)n, ld->conf_on_val ? ROLE_VAL : ROLE_TRAIN, false};
    sp.scatter[1] = true;
    sp.n_series = 2;
    double ticks[CHARTVIEW_MAX_TICKS];
    int max_ticks = width / 10 < 2 ? 2 : width / 10;
    int nt = chart_ticks(&sp.x_axis, max_ticks, ticks, CHARTVIEW_MAX_TICKS);
    double step = nt > 1 ? ticks[1] - ticks[0] : 0;
    for (int i = 0; i < nt; i++) {
        sp.x_ticks[i] = ticks[i];
        chart_format(ticks[i], step, 9, sp.x_labels[i], sizeof sp.x_labels[i]);
    }
    sp.n_x_ticks = nt;
    char xt[48];
    snprintf(xt, sizeof xt, "actual %s", crt_glyph(GLYPH_ARROW));
    sp.x_title = xt;
    chartview_draw(stdscr, top, left, height, width, &sp);
}

void teach_confusion(const ViewCtx *c, int top, int left, int height, int width)
{
    const LiveData *ld = c->ld;
    char t[300], nm[64];
    bool reg = c->snap->task == TASK_REGRESSION;
    if (!ld->has_conf) {
        crt_set(stdscr, ROLE_TITLE);
        crt_puts(stdscr, top, left, width, reg ? "predicted against actual" : "confusion matrix");
        waiting(top, left, width, c, reg ? "the scatter" : "the confusion matrix");
        return;
    }
    const char *part = ld->conf_on_val ? "validation" : "training";
    crt_set(stdscr, ROLE_TITLE);
    if (reg) {
        view_scatter(c, top, left, height, width);
        return;
    }
    char rows_part[64], acc_part[32], step_part[64];
    snprintf(rows_part, sizeof rows_part, "%zu %s rows", ld->n_rows, part);
    snprintf(acc_part, sizeof acc_part, "accuracy %.4f", ld->accuracy);
    weights_of(c, ld->conf_step, step_part, sizeof step_part);
    /* kept weights are named before the figures of them, which a narrow
     * title leaves out first */
    const char *parts[] = {"confusion matrix", rows_part, acc_part, step_part};
    if (kept_at(c, ld->conf_step)) {
        parts[1] = step_part;
        parts[2] = rows_part;
        parts[3] = acc_part;
    }
    draw_title(top, left, width, parts, 4, NULL);
    int k = ld->k;
    if (k == 0) {
        crt_set(stdscr, ROLE_DIM);
        snprintf(t, sizeof t, "%d classes: more than the %d a matrix shows here", c->all->n_classes,
                 LIVE_MAX_CLASSES);
        crt_puts(stdscr, top + 2, left, width, t);
        return;
    }
    /* column width from the largest count */
    size_t mx = 0, rowsum[LIVE_MAX_CLASSES];
    for (int i = 0; i < k; i++) {
        rowsum[i] = 0;
        for (int j = 0; j < k; j++) {
            size_t v = ld->counts[i * k + j];
            rowsum[i] += v;
            if (v > mx) mx = v;
        }
    }
    int cw = snprintf(t, sizeof t, "%zu", mx) + 1;
    if (cw < 4) cw = 4;
    /* a swatch before each true class's name, as in the boundary's legend */
    bool marked = halfblocks() && crt_palette_marked(k);
    int sw = halfblocks() ? 3 + marked : 2;
    /* the names' column: as wide as the longest name (up to 11) and the
     * swatch, never narrower than its "true \ pred" header */
    int longest = 1;
    for (int i = 0; i < k; i++) {
        int l = crt_width(class_name(c, i, nm, sizeof nm));
        if (l > longest) longest = l;
    }
    if (longest > 11) longest = 11;
    int name_w = sw + longest + 1 < 12 ? 12 : sw + longest + 1;
    int fit_cols = (width - name_w - 22) / cw;
    int fit_rows = height - 5;
    int kc = k < fit_cols ? k : fit_cols, kr = k < fit_rows ? k : fit_rows;
    /* A column is headed by its class's name when every name shown fits
     * whole (the columns widen for them when they all fit); else by the
     * class's index (wine's "class_0", "class_1" cut to "cla" could not be
     * told apart), which each row then shows before its name (under
     * NO_COLOR its marker already is that index). */
    int widest = 0;
    for (int j = 0; j < k; j++) {
        int l = crt_width(class_name(c, j, nm, sizeof nm));
        if (l > widest) widest = l;
    }
    bool by_index = widest > cw - 1;
    if (by_index && (widest + 1) * k <= width - name_w - 22) { /* room for every name */
        cw = widest + 1;
        by_index = false;
    }
    int iw = by_index && halfblocks() ? 2 : 0; /* "0 " before a row's name */
    if (iw && name_w < sw + iw + longest + 1) name_w = sw + iw + longest + 1;
    fit_cols = (width - name_w - 22) / cw;
    kc = k < fit_cols ? k : fit_cols;
    int y = top + 2;
    crt_set(stdscr, ROLE_DIM);
    crt_puts(stdscr, y - 1, left, name_w, "true \\ pred");
    for (int j = 0; j < kc; j++) {
        if (by_index)
            snprintf(t, sizeof t, "%*c", cw, class_char(j));
        else
            snprintf(t, sizeof t, "%*s", cw, class_name(c, j, nm, sizeof nm));
        wattrset(stdscr, crt_palette_attr(class_slot(c, j)));
        crt_puts(stdscr, y - 1, left + name_w + j * cw, cw, t);
    }
    int px = left + name_w + kc * cw + 2;
    crt_set(stdscr, ROLE_TITLE);
    crt_puts(stdscr, y - 1, px, 20, "precision  recall");
    for (int i = 0; i < kr; i++) {
        if (halfblocks()) {
            short fg = class_color(c, i, n_levels() - 1);
            put(y + i, left, "\u2588\u2588", crt_pair(fg, -1), A_NORMAL);
            if (marked)
                put(y + i, left + 2, crt_palette_marker(i, false), crt_pair(fg, -1), A_BOLD);
        } else {
            put(y + i, left, (char[]){class_char(i), 0}, class_pair(c, i), A_BOLD | A_REVERSE);
        }
        crt_set(stdscr, ROLE_NORMAL);
        if (iw) crt_puts(stdscr, y + i, left + sw, iw, (char[]){class_char(i), ' ', 0});
        crt_puts(stdscr, y + i, left + sw + iw, name_w - sw - iw - 1,
                 class_name(c, i, nm, sizeof nm));
        for (int j = 0; j < kc; j++) {
            size_t v = ld->counts[i * k + j];
            CrtRole role = v == 0 ? ROLE_DIM : i == j ? ROLE_GOOD : ROLE_BAD;
            crt_set(stdscr, role);
            if (v > 0 && i != j && rowsum[i] > 0 && (double)v / rowsum[i] < 0.05)
                crt_set(stdscr, ROLE_WARN);
            snprintf(t, sizeof t, "%*zu", cw, v);
            crt_puts(stdscr, y + i, left + name_w + j * cw, cw, t);
        }
        char p[16], r[16];
        fmt_num(ld->precision[i], p, sizeof p);
        fmt_num(ld->recall[i], r, sizeof r);
        if (isfinite(ld->precision[i])) snprintf(p, sizeof p, "%.3f", ld->precision[i]);
        if (isfinite(ld->recall[i])) snprintf(r, sizeof r, "%.3f", ld->recall[i]);
        snprintf(t, sizeof t, "%9s %7s", p, r);
        crt_set(stdscr, ROLE_NORMAL);
        crt_puts(stdscr, y + i, px, 20, t);
    }
    if (kr < k || kc < k) {
        crt_set(stdscr, ROLE_DIM);
        snprintf(t, sizeof t, "(showing %d x %d of %d classes: a larger terminal shows more)", kr,
                 kc, k);
        char shorter[64];
        snprintf(shorter, sizeof shorter, "(showing %d x %d of %d classes)", kr, kc, k);
        const char *notes[] = {t, shorter};
        draw_first_fit(y + kr, left, width, notes, 2);
    }
    /* what the counts' colours mean (without colour, their attributes) */
    int ly = y + kr + (kr < k || kc < k) + 1, lx = left;
    static const CrtRole role[3] = {ROLE_GOOD, ROLE_BAD, ROLE_WARN};
    static const char *const meaning[3] = {"right", "wrong", "wrong, under 5% of its row"};
    static const char *const colour[2][3] = {{"bold", "reversed", "underlined"},
                                             {"green", "red", "yellow"}};
    for (int i = 0; i < 3 && ly < top + height; i++) {
        const char *col = colour[crt_colors() > 0][i];
        snprintf(t, sizeof t, ": %s", meaning[i]);
        /* an item that does not fit after the others starts the next row
         * (at 80 columns "yellow: wrong, under 5% of its row" was cut to
         * "yellow: wrong, und…") */
        if (lx > left && lx + crt_width(col) + crt_width(t) > left + width) {
            lx = left;
            if (++ly >= top + height) break;
        }
        crt_set(stdscr, role[i]);
        lx += crt_puts(stdscr, ly, lx, left + width - lx, col);
        crt_set(stdscr, ROLE_DIM);
        lx += crt_puts(stdscr, ly, lx, left + width - lx, t);
        lx += 3;
    }
    crt_set(stdscr, ROLE_NORMAL);
}
