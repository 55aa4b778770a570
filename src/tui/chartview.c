/*
 * chartview.c - the chart widget.  See chartview.h.
 *
 * Each series is plotted on its own dot canvas; a cell then shows the union
 * of the solid series' dots in the colour of the last solid series that has
 * a dot there, or else the faint series' dots.  So the smoothed curves stay
 * on top and the raw ones show behind them, as in TensorBoard.
 */
#include "chartview.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Canvas storage, reused from frame to frame (UI thread only). */
static uint8_t *canvas_mem;
static size_t canvas_cap;

static uint8_t *canvas_storage(size_t bytes)
{
    if (bytes > canvas_cap) {
        uint8_t *p = realloc(canvas_mem, bytes);
        if (!p) return NULL;
        canvas_mem = p;
        canvas_cap = bytes;
    }
    return canvas_mem;
}

static void put_cell(WINDOW *w, int y, int x, uint8_t bits, ChartDots dots, bool dotted)
{
    if (dots == CHART_DOTS_BRAILLE) {
        wchar_t wc[2] = {(wchar_t)chart_braille_char(bits), 0};
        mvwaddnwstr(w, y, x, wc, 1);
    } else {
        char ch = dotted ? chart_ascii_dotted_char(bits) : chart_ascii_char(bits);
        mvwaddch(w, y, x, (chtype)(unsigned char)ch);
    }
}

/* Without colour, validation is told from training by its shape. */
static ChartPattern role_pattern(CrtRole role)
{
    if (crt_colors() > 0) return CHART_PATTERN_SOLID;
    return role == ROLE_VAL || role == ROLE_VAL_RAW ? CHART_PATTERN_DOTTED : CHART_PATTERN_SOLID;
}

/* The pattern series s of c is drawn with: solid in colour and in a
 * scatter (whose every dot is a point), else its own or its role's. */
static ChartPattern series_pattern(const ChartSpec *c, int s)
{
    if (crt_colors() > 0 || c->scatter[s]) return CHART_PATTERN_SOLID;
    return c->patterns ? c->patterns[s] : role_pattern(c->series[s].role);
}

const char *chartview_pattern_word(ChartPattern p)
{
    switch (p) {
    case CHART_PATTERN_DOTTED: return "dotted";
    case CHART_PATTERN_DASHED: return "dashed";
    case CHART_PATTERN_SPARSE: return "sparse";
    case CHART_PATTERN_SOLID: break;
    }
    return "solid";
}

void chartview_sample(CrtRole role, char *buf, size_t cap)
{
    ChartPattern p = role_pattern(role);
    if (p == CHART_PATTERN_SOLID && crt_colors() > 0) {
        snprintf(buf, cap, "%s%s", crt_glyph(GLYPH_HLINE), crt_glyph(GLYPH_HLINE));
        return;
    }
    chartview_pattern_sample(p, 3, buf, cap);
}

void chartview_pattern_sample(ChartPattern p, int cells, char *buf, size_t cap)
{
    ChartDots dots = crt_utf8() ? CHART_DOTS_BRAILLE : CHART_DOTS_ASCII;
    /* a level line through the middle of the cells, as the chart draws it */
    uint8_t mid = dots == CHART_DOTS_BRAILLE ? 0x12 : 0x02;
    size_t o = 0;
    if (cap) buf[0] = '\0';
    for (int col = 0; col < cells && o + 4 < cap; col++) {
        uint8_t b = chart_pattern_bits(p, dots, col, mid);
        if (dots == CHART_DOTS_BRAILLE) {
            uint32_t cp = b ? chart_braille_char(b) : ' ';
            if (cp < 0x80) {
                buf[o++] = (char)cp;
            } else {
                buf[o++] = (char)(0xE0 | (cp >> 12));
                buf[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                buf[o++] = (char)(0x80 | (cp & 0x3F));
            }
        } else {
            buf[o++] = chart_pattern_dotted(p) ? chart_ascii_dotted_char(b) : chart_ascii_char(b);
        }
        buf[o] = '\0';
    }
}

void chartview_key(CrtRole role, const char *name, bool words, char *buf, size_t cap)
{
    char sample[24];
    chartview_sample(role, sample, sizeof sample);
    if (crt_colors() > 0 || !words)
        snprintf(buf, cap, "%s %s", sample, name);
    else
        snprintf(buf, cap, "%s %s (%s)", sample, name, chartview_pattern_word(role_pattern(role)));
}

void chartview_fit_y(ChartSpec *c, const ChartTrust *trust, bool log, bool unit, double *scratch)
{
    const double *xs[CHARTVIEW_MAX_SERIES], *ys[CHARTVIEW_MAX_SERIES];
    size_t ns[CHARTVIEW_MAX_SERIES];
    for (int i = 0; i < c->n_series; i++) {
        xs[i] = c->series[i].x;
        ys[i] = c->series[i].y;
        ns[i] = c->series[i].n;
    }
    chart_autoscale_from(xs, ys, ns, trust, c->n_series, log, scratch, &c->y_axis);
    if (unit && !log) {
        if (c->y_axis.hi > 1) c->y_axis.hi = 1;
        if (c->y_axis.lo < 0) c->y_axis.lo = 0;
        if (c->y_axis.hi <= c->y_axis.lo) c->y_axis.lo = c->y_axis.hi - 0.1;
    }
}

bool chartview_clipped_above(const ChartSpec *c, int n)
{
    for (int i = 0; i < n && i < c->n_series; i++)
        for (size_t k = 0; k < c->series[i].n; k++)
            if (c->series[i].y[k] > c->y_axis.hi) return true;
    return false;
}

bool chartview_clipped_below(const ChartSpec *c, int n)
{
    for (int i = 0; i < n && i < c->n_series; i++)
        for (size_t k = 0; k < c->series[i].n; k++) {
            double v = c->series[i].y[k];
            if (isfinite(v) && (v < c->y_axis.lo || (c->y_axis.log && v <= 0))) return true;
        }
    return false;
}

ChartTrust chartview_trust(const TrainerSnapshot *s)
{
    ChartTrust t = {.blew_up = s->status == TRAIN_DIVERGED};
    bool diverged = false;
    for (int i = 0; i < s->n_events; i++) {
        const TrainEvent *e = &s->events[i];
        if (e->kind == EVENT_DIVERGED) {
            diverged = t.blew_up = true;
        } else if (diverged && e->kind == EVENT_RESUME) {
            t.resumed = true;
            t.from = (double)e->step + (double)s->step_stride;
            diverged = false;
        }
    }
    return t;
}

static void series_set(WINDOW *w, const ChartSpec *c, int s)
{
    if (c->attrs[s])
        wattrset(w, c->attrs[s]);
    else
        crt_set(w, c->series[s].role);
}

/* Series s's points beyond the y axis, as arrows on the edge they pass
 * (ChartSpec.off_marks): the plot is pw columns of dx dots from px, plot_h
 * rows from py, the series' dots in cv[0..ns).  A cell where a series has
 * a dot keeps it: a point on the chart says more than one off it, which
 * the legend counts anyway. */
static void draw_off_marks(WINDOW *w, const ChartSpec *c, int s, int py, int px, int pw, int plot_h,
                           int dx, const ChartCanvas *cv, int ns)
{
    const ChartAxis *ya = &c->y_axis;
    for (size_t k = 0; k < c->series[s].n; k++) {
        double v = c->series[s].y[k];
        if (!isfinite(v)) continue;
        bool up = v > ya->hi, down = v < ya->lo || (ya->log && v <= 0);
        if (!up && !down) continue;
        int d = chart_map(&c->x_axis, c->series[s].x[k], pw * dx, false);
        if (d < 0) continue;
        int row = up ? 0 : plot_h - 1;
        bool taken = false;
        for (int t = 0; t < ns && !taken; t++) taken = chart_canvas_cell(&cv[t], d / dx, row) != 0;
        if (taken) continue;
        series_set(w, c, s);
        crt_puts(w, py + row, px + d / dx, 1, crt_glyph(up ? GLYPH_OFF_UP : GLYPH_OFF_DOWN));
    }
}

static bool has_points(const ChartSpec *c)
{
    for (int i = 0; i < c->n_series; i++)
        if (c->series[i].n > 0) return true;
    return false;
}

/* The cell (col, row) of the last point of series s that is drawn, its y
 * clamped to the axis as the line is; false when none is. */
static bool last_cell(const ChartSpec *c, int s, int dots_w, int dots_h, int dx, int dy, int *col,
                      int *row)
{
    const ChartSeries *se = &c->series[s];
    for (size_t i = se->n; i-- > 0;) {
        int xd = chart_map(&c->x_axis, se->x[i], dots_w, false);
        int yd = chart_map(&c->y_axis, se->y[i], dots_h, true);
        if (xd < 0 || yd < 0) continue;
        *col = xd / dx;
        *row = (dots_h - 1 - yd) / dy;
        return true;
    }
    return false;
}

/* ChartSpec.end_labels: each label after its series' last drawn point.
 * Labels that fall in one column keep the order of their curves there,
 * each as near its own row as the others leave it (a row each, pushed
 * down past the one above, then up from the bottom edge); those the
 * column has no row for go on their own row, to the left of the labels
 * there. */
static void draw_end_labels(WINDOW *w, const ChartSpec *c, int px, int py, int pw, int plot_h,
                            ChartDots dots)
{
    int dx = dots == CHART_DOTS_BRAILLE ? 2 : 1, dy = dots == CHART_DOTS_BRAILLE ? 4 : 3;
    int n = 0, ser[CHARTVIEW_MAX_SERIES], col[CHARTVIEW_MAX_SERIES], row[CHARTVIEW_MAX_SERIES];
    int want[CHARTVIEW_MAX_SERIES];
    for (int s = 0; s < c->n_series; s++) {
        int cl, r;
        if (!c->end_labels[s] || !last_cell(c, s, pw * dx, plot_h * dy, dx, dy, &cl, &r)) continue;
        /* by column, then row: insertion into the sorted part */
        int k = n++;
        for (; k > 0 && (col[k - 1] > cl + (cl + 1 < pw) ||
                         (col[k - 1] == cl + (cl + 1 < pw) && row[k - 1] > r));
             k--) {
            ser[k] = ser[k - 1];
            col[k] = col[k - 1];
            row[k] = row[k - 1];
        }
        ser[k] = s;
        col[k] = cl + (cl + 1 < pw);
        row[k] = r;
    }
    if (n == 0) return;
    for (int k = 0; k < n; k++) want[k] = row[k];
    bool *taken = calloc((size_t)pw * (size_t)plot_h, sizeof *taken);
    if (!taken) return;
    for (int a = 0; a < n;) {
        int b = a + 1; /* [a, b): one column */
        while (b < n && col[b] == col[a]) b++;
        for (int k = a + 1; k < b; k++)
            if (row[k] <= row[k - 1]) row[k] = row[k - 1] + 1;
        if (row[b - 1] > plot_h - 1) row[b - 1] = plot_h - 1;
        for (int k = b - 2; k >= a; k--)
            if (row[k] >= row[k + 1]) row[k] = row[k + 1] - 1;
        for (int k = a; k < b; k++)
            if (row[k] >= 0) taken[row[k] * pw + col[k]] = true;
        a = b;
    }
    for (int k = 0; k < n; k++) {
        if (row[k] < 0) { /* no row left in its column */
            row[k] = want[k];
            while (col[k] >= 0 && taken[row[k] * pw + col[k]]) col[k]--;
            if (col[k] < 0) continue;
            taken[row[k] * pw + col[k]] = true;
        }
        char l[2] = {c->end_labels[ser[k]], '\0'};
        series_set(w, c, ser[k]);
        wattron(w, A_BOLD);
        wattroff(w, A_DIM);
        crt_puts(w, py + row[k], px + col[k], 1, l);
    }
    free(taken);
}

/* The y axis's ticks (yt, n_yt) and their labels for a chart height rows
 * high; returns the columns the widest label takes. */
static int y_labels(const ChartSpec *c, int height, double yt[CHARTVIEW_MAX_TICKS],
                    char ylab[CHARTVIEW_MAX_TICKS][16], int *n_yt)
{
    int plot_h = height - 3; /* title, x axis, x labels */
    int max_yt = plot_h / 2 + 1;
    if (max_yt > 6) max_yt = 6;
    if (max_yt < 2) max_yt = 2;
    *n_yt = chart_ticks(&c->y_axis, max_yt, yt, CHARTVIEW_MAX_TICKS);
    double ystep = *n_yt > 1 ? yt[1] - yt[0] : 0;
    if (c->y_axis.log) ystep = 0;
    int margin = 1;
    for (int i = 0; i < *n_yt; i++) {
        chart_format(yt[i], ystep, 7, ylab[i], sizeof ylab[i]);
        int l = (int)strlen(ylab[i]);
        if (l > margin) margin = l;
    }
    return margin;
}

int chartview_margin(const ChartSpec *c, int height)
{
    double yt[CHARTVIEW_MAX_TICKS];
    char ylab[CHARTVIEW_MAX_TICKS][16];
    int n_yt;
    return y_labels(c, height, yt, ylab, &n_yt);
}

void chartview_draw(WINDOW *w, int top, int left, int height, int width, const ChartSpec *c)
{
    if (height < 4 || width < 16) return;
    /* title row */
    crt_set(w, ROLE_TITLE);
    int used = crt_puts(w, top, left, width, c->title);
    if (c->legend) {
        int lw = crt_width(c->legend);
        if (left + used + 2 + lw <= left + width) {
            crt_set(w, ROLE_DIM);
            crt_puts(w, top, left + width - lw, lw, c->legend);
        }
    }
    crt_set(w, ROLE_NORMAL);

    /* y tick labels decide the left margin */
    double yt[CHARTVIEW_MAX_TICKS];
    char ylab[CHARTVIEW_MAX_TICKS][16];
    int plot_h = height - 3; /* title, x axis, x labels */
    int n_yt;
    int margin = y_labels(c, height, yt, ylab, &n_yt);
    if (c->min_margin > margin && c->min_margin < width / 2) margin = c->min_margin;
    int ax = left + margin;      /* the y axis column */
    int px = ax + 1;             /* first plot column */
    int pw = width - margin - 1; /* plot columns */
    int py = top + 1;            /* first plot row */
    if (pw < 4 || plot_h < 1) return;

    ChartDots dots = crt_utf8() ? CHART_DOTS_BRAILLE : CHART_DOTS_ASCII;
    size_t cells = (size_t)pw * (size_t)plot_h;
    int ns = c->n_series;
    uint8_t *mem = canvas_storage(cells * (size_t)(ns > 0 ? ns : 1));
    ChartCanvas cv[CHARTVIEW_MAX_SERIES];
    if (!mem) return;
    for (int s = 0; s < ns; s++) {
        chart_canvas_init(&cv[s], dots, pw, plot_h, mem + cells * (size_t)s);
        (c->scatter[s] ? chart_canvas_scatter : chart_canvas_plot)(
            &cv[s], &c->x_axis, &c->y_axis, c->series[s].x, c->series[s].y, c->series[s].n);
    }

    /* axes */
    crt_set(w, ROLE_DIM);
    for (int r = 0; r < plot_h; r++) crt_puts(w, py + r, ax, 1, crt_glyph(GLYPH_VLINE));
    crt_puts(w, py + plot_h, ax, 1, crt_glyph(GLYPH_ORIGIN));
    for (int col = 0; col < pw; col++)
        crt_puts(w, py + plot_h, px + col, 1, crt_glyph(GLYPH_HLINE));

    int dy = dots == CHART_DOTS_BRAILLE ? 4 : 3, dx = dots == CHART_DOTS_BRAILLE ? 2 : 1;
    int dots_h = plot_h * dy;
    int last_row = -10;
    for (int i = n_yt - 1; i >= 0; i--) {
        int d = chart_map(&c->y_axis, yt[i], dots_h, false);
        if (d < 0) continue;
        int row = (dots_h - 1 - d) / dy;
        if (row == last_row) continue;
        last_row = row;
        int l = (int)strlen(ylab[i]);
        crt_set(w, ROLE_NORMAL);
        crt_puts(w, py + row, ax - l, l, ylab[i]);
        crt_set(w, ROLE_DIM);
        crt_puts(w, py + row, ax, 1, crt_glyph(GLYPH_TICK_LEFT));
    }

    /* x ticks, then their labels and the x title (chart_label_row) */
    int dots_w = pw * dx;
    int lab_col[CHARTVIEW_MAX_TICKS], lab_w[CHARTVIEW_MAX_TICKS], lab_at[CHARTVIEW_MAX_TICKS];
    int lab_tick[CHARTVIEW_MAX_TICKS], n_lab = 0;
    for (int i = 0; i < c->n_x_ticks && i < CHARTVIEW_MAX_TICKS; i++) {
        int d = chart_map(&c->x_axis, c->x_ticks[i], dots_w, false);
        if (d < 0) continue;
        int col = d / dx;
        crt_set(w, ROLE_DIM);
        crt_puts(w, py + plot_h, px + col, 1, crt_glyph(GLYPH_TICK_DOWN));
        lab_col[n_lab] = px + col;
        lab_w[n_lab] = crt_width(c->x_labels[i]);
        lab_tick[n_lab++] = i;
    }
    int title_l = c->x_title ? crt_width(c->x_title) : 0;
    int title_at =
        c->x_title_keeps
            ? chart_label_row_keeping(lab_col, lab_w, n_lab, px - 1, left + width, title_l,
                                      c->x_title_keeps, lab_at)
            : chart_label_row(lab_col, lab_w, n_lab, px - 1, left + width, title_l, lab_at);
    crt_set(w, ROLE_NORMAL);
    for (int k = 0; k < n_lab; k++)
        if (lab_at[k] >= 0)
            crt_puts(w, py + plot_h + 1, lab_at[k], lab_w[k], c->x_labels[lab_tick[k]]);
    if (title_at >= 0) {
        crt_set(w, ROLE_DIM);
        crt_puts(w, py + plot_h + 1, title_at, title_l, c->x_title);
    }

    /* markers: a faint line up through the plot and a glyph on the axis */
    int *mark_col = NULL;
    if (c->n_markers > 0) mark_col = malloc(sizeof(int) * (size_t)pw);
    if (mark_col) {
        for (int i = 0; i < pw; i++) mark_col[i] = -1;
        for (int i = 0; i < c->n_markers; i++) {
            int d = chart_map(&c->x_axis, c->markers[i].x, dots_w, false);
            if (d < 0) continue;
            int col = d / dx;
            /* the best-epoch mark wins a shared column */
            if (mark_col[col] >= 0 && c->markers[mark_col[col]].glyph == GLYPH_BEST) continue;
            mark_col[col] = i;
        }
        for (int col = 0; col < pw; col++) {
            if (mark_col[col] < 0) continue;
            const ChartMarker *m = &c->markers[mark_col[col]];
            crt_set(w, m->role);
            crt_puts(w, py + plot_h, px + col, 1, crt_glyph(m->glyph));
        }
    }

    /* the plot cells */
    for (int r = 0; r < plot_h; r++) {
        for (int col = 0; col < pw; col++) {
            uint8_t solid = 0, faint = 0;
            int solid_s = -1, faint_s = -1;
            /* whether only dotted series have dots in the cell */
            bool solid_dotted = true, faint_dotted = true;
            for (int s = 0; s < ns; s++) {
                ChartPattern p = series_pattern(c, s);
                uint8_t b = chart_pattern_bits(p, dots, col, chart_canvas_cell(&cv[s], col, r));
                if (!b) continue;
                bool dotted = chart_pattern_dotted(p);
                if (c->series[s].faint) {
                    faint |= b;
                    faint_s = s;
                    faint_dotted = faint_dotted && dotted;
                } else {
                    solid |= b;
                    solid_s = s;
                    solid_dotted = solid_dotted && dotted;
                }
            }
            if (solid_s >= 0) {
                series_set(w, c, solid_s);
                put_cell(w, py + r, px + col, solid, dots, solid_dotted);
            } else if (faint_s >= 0) {
                series_set(w, c, faint_s);
                put_cell(w, py + r, px + col, faint, dots, faint_dotted);
            } else if (mark_col && mark_col[col] >= 0) {
                crt_set(w, ROLE_DIM);
                crt_puts(w, py + r, px + col, 1, crt_glyph(GLYPH_VMARK));
            }
        }
    }
    free(mark_col);
    for (int s = 0; s < ns; s++)
        if (c->off_marks[s]) draw_off_marks(w, c, s, py, px, pw, plot_h, dx, cv, ns);
    draw_end_labels(w, c, px, py, pw, plot_h, dots);

    if (!has_points(c) && c->empty_text) {
        int l = crt_width(c->empty_text);
        if (l > pw) l = pw;
        crt_set(w, ROLE_DIM);
        crt_puts(w, py + plot_h / 2, px + (pw - l) / 2, l, c->empty_text);
    }
    crt_set(w, ROLE_NORMAL);
}
