/*
 * chart.c - chart mathematics: smoothing, scaling, ticks, downsampling and
 * the dot canvas.  Pure code, no curses.  See chart.h.
 */
#include "chart.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void chart_smooth(const double *in, double *out, size_t n, double weight)
{
    double w = weight < 0 ? 0 : weight;
    if (w >= 1) w = 0.999999;
    double last = 0;
    double wk = 1; /* w^k, k finite values seen */
    for (size_t i = 0; i < n; i++) {
        double v = in[i];
        if (!isfinite(v)) {
            out[i] = v;
            continue;
        }
        last = last * w + (1 - w) * v;
        wk *= w;
        out[i] = w > 0 ? last / (1 - wk) : v;
    }
}

void chart_smooth_from(const double *xs, const double *in, double *out, size_t n, double weight,
                       double x_from)
{
    size_t k = 0;
    while (k < n && !(xs[k] > x_from)) k++;
    chart_smooth(in, out, k, weight);
    chart_smooth(in + k, out + k, n - k, weight);
}

/* ---- axes ------------------------------------------------------------- */

static bool usable(double v, bool log)
{
    return isfinite(v) && (!log || v > 0);
}

double chart_nice_step(double range, int max_ticks)
{
    if (!(range > 0) || !isfinite(range)) return 1;
    if (max_ticks < 2) max_ticks = 2;
    double raw = range / (max_ticks - 1);
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    double nice;
    if (f <= 1.0 + 1e-9)
        nice = 1;
    else if (f <= 2.0 + 1e-9)
        nice = 2;
    else if (f <= 5.0 + 1e-9)
        nice = 5;
    else
        nice = 10;
    return nice * mag;
}

size_t chart_autoscale(const double *ys, size_t n, bool log, ChartAxis *axis)
{
    double mn = INFINITY, mx = -INFINITY;
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (!usable(ys[i], log)) continue;
        if (ys[i] < mn) mn = ys[i];
        if (ys[i] > mx) mx = ys[i];
        used++;
    }
    axis->log = log;
    if (!used) {
        axis->lo = log ? 0.1 : 0;
        axis->hi = 1;
        return 0;
    }
    if (log) {
        double a = log10(mn), b = log10(mx);
        if (b - a < 1e-9) {
            a -= 0.5;
            b += 0.5;
        } else {
            double pad = 0.05 * (b - a);
            a -= pad;
            b += pad;
        }
        axis->lo = pow(10, a);
        axis->hi = pow(10, b);
        return used;
    }
    double lo, hi;
    if (mx - mn <= 1e-12 * fmax(fabs(mx), fabs(mn))) {
        double pad = mn == 0 ? 1 : fabs(mn) * 0.1;
        lo = mn - pad;
        hi = mx + pad;
    } else {
        double pad = 0.05 * (mx - mn);
        lo = mn - pad;
        hi = mx + pad;
    }
    /* Data that never goes below zero (losses, accuracies) keeps a floor of 0. */
    if (mn >= 0 && lo < 0) lo = 0;
    double step = chart_nice_step(hi - lo, 5);
    double nlo = floor(lo / step + 1e-9) * step, nhi = ceil(hi / step - 1e-9) * step;
    if (nhi - nlo <= 1.25 * (hi - lo)) {
        lo = nlo;
        hi = nhi;
    }
    if (mn >= 0 && lo < 0) lo = 0;
    axis->lo = lo;
    axis->hi = hi;
    return used;
}

double chart_select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return v[k];
}

/* Whether a point of the series at x may set the range: one after its
 * recovery, when it resumed. */
static bool trusted_point(const ChartTrust *t, double x)
{
    return !t || !t->resumed || x > t->from;
}

size_t chart_autoscale_from(const double *const *xs, const double *const *ys, const size_t *ns,
                            const ChartTrust *trust, int n_series, bool log, double *scratch,
                            ChartAxis *axis)
{
    size_t n = 0;
    bool cut_any = false, clean_any = false;
    double clean_max = -INFINITY; /* the highest value of the runs that never diverged */
    for (int k = 0; k < n_series; k++) {
        const ChartTrust *t = trust ? &trust[k] : NULL;
        bool clean = !t || (!t->blew_up && !t->resumed && !(t->reach > 0));
        cut_any = cut_any || !clean;
        for (size_t i = 0; i < ns[k]; i++) {
            double v = ys[k][i];
            if (!trusted_point(t, xs[k][i]) || !usable(v, log)) continue;
            scratch[n++] = v;
            if (clean) {
                clean_any = true;
                if (v > clean_max) clean_max = v;
            }
        }
    }
    if (n > 0 && cut_any && !log) {
        double cut = CHART_OUTLIER_FACTOR * chart_select_kth(scratch, n, (n - 1) / 2);
        n = 0;
        for (int k = 0; k < n_series; k++) {
            const ChartTrust *t = &trust[k];
            /* a resumed run's points past its recovery are its own curve
             * but for the aftermath; a run left diverged keeps the range
             * of the runs beside it that never diverged, and a context
             * series reaches a multiple of it */
            double limit = t->reach > 0 ? (clean_any ? t->reach * clean_max : cut)
                           : t->resumed || !t->blew_up || !clean_any ? cut
                                                                     : clean_max;
            bool cuts = t->blew_up || t->resumed || t->reach > 0;
            for (size_t i = 0; i < ns[k]; i++) {
                double v = ys[k][i];
                if (!trusted_point(t, xs[k][i]) || !usable(v, log)) continue;
                if (!cuts || !(limit > 0) || v <= limit) scratch[n++] = v;
            }
        }
    }
    if (n == 0) {
        for (int k = 0; k < n_series; k++)
            for (size_t i = 0; i < ns[k]; i++) scratch[n++] = ys[k][i];
    }
    return chart_autoscale(scratch, n, log, axis);
}

/* The axis position of v in [0, 1] (outside for values out of range), or
 * NaN when v cannot be placed. */
static double axis_fraction(const ChartAxis *a, double v)
{
    if (!usable(v, a->log)) return NAN;
    if (a->log) {
        double l = log10(a->lo), h = log10(a->hi);
        return h > l ? (log10(v) - l) / (h - l) : 0.5;
    }
    return a->hi > a->lo ? (v - a->lo) / (a->hi - a->lo) : 0.5;
}

int chart_map(const ChartAxis *axis, double v, int n_dots, bool clamp)
{
    double t = axis_fraction(axis, v);
    if (isnan(t) || n_dots <= 0) return -1;
    const double eps = 1e-9;
    if (t < -eps || t > 1 + eps) {
        if (!clamp) return -1;
        t = t < 0 ? 0 : 1;
    }
    long d = lround(t * (n_dots - 1));
    if (d < 0) d = 0;
    if (d > n_dots - 1) d = n_dots - 1;
    return (int)d;
}

double chart_unmap(const ChartAxis *axis, double t)
{
    if (axis->log) {
        double l = log10(axis->lo), h = log10(axis->hi);
        return pow(10, l + t * (h - l));
    }
    return axis->lo + t * (axis->hi - axis->lo);
}

static int ticks_at(double lo, double hi, double step, double *ticks, int cap)
{
    double first = ceil(lo / step - 1e-9);
    int n = 0;
    for (int i = 0; n < cap; i++) {
        double v = (first + i) * step;
        if (v > hi + step * 1e-9) break;
        if (fabs(v) < step * 1e-9) v = 0;
        ticks[n++] = v;
        if (i > 1000) break;
    }
    return n;
}

static int linear_ticks(double lo, double hi, int max_ticks, double *ticks, int cap)
{
    double step = chart_nice_step(hi - lo, max_ticks);
    int n = ticks_at(lo, hi, step, ticks, cap);
    /* A step rounded up past the range can leave no multiple inside it
     * (4 to 64 in two ticks: a step of 100), or one alone, which gives no
     * scale (0.45 to 1: a step of 1): the next smaller nice steps (10 -> 5
     * -> 2 -> 1 times a power of ten) give one, or two within max_ticks
     * (4 to 64 keeps its one tick rather than take three). */
    double more[64];
    int more_cap = cap < 64 ? cap : 64;
    for (int k = 0; n < 2 && k < 4; k++) {
        double mag = pow(10, floor(log10(step) + 1e-9)), f = step / mag;
        step = (f > 5.5 ? 5 : f > 2.5 ? 2 : f > 1.5 ? 1 : 0.5) * mag;
        int m = ticks_at(lo, hi, step, more, more_cap);
        if (n > 0 && m > max_ticks) break;
        if (m > n) {
            memcpy(ticks, more, sizeof(double) * (size_t)m);
            n = m;
        }
    }
    return n;
}

int chart_ticks(const ChartAxis *axis, int max_ticks, double *ticks, int cap)
{
    if (cap <= 0 || !(axis->hi > axis->lo)) return 0;
    if (max_ticks < 2) max_ticks = 2;
    if (!axis->log) return linear_ticks(axis->lo, axis->hi, max_ticks, ticks, cap);

    /* 1, 2 and 5 times the powers of ten, when that gives a few ticks */
    static const double mult[] = {1, 2, 5};
    double tmp[64];
    int n = 0;
    int lo_dec = (int)floor(log10(axis->lo)), hi_dec = (int)ceil(log10(axis->hi));
    if (hi_dec - lo_dec <= 20)
        for (int d = lo_dec; d <= hi_dec && n < 64; d++)
            for (int m = 0; m < 3 && n < 64; m++) {
                double v = mult[m] * pow(10, d);
                if (v >= axis->lo * (1 - 1e-9) && v <= axis->hi * (1 + 1e-9)) tmp[n++] = v;
            }
    if (n >= 2 && n <= max_ticks) {
        if (n > cap) n = cap;
        memcpy(ticks, tmp, sizeof(double) * (size_t)n);
        return n;
    }
    /* many decades: every k-th power of ten */
    int d0 = (int)ceil(log10(axis->lo) - 1e-9), d1 = (int)floor(log10(axis->hi) + 1e-9);
    int decades = d1 - d0 + 1;
    if (decades >= 2) {
        int stride = (decades + max_ticks - 1) / max_ticks;
        n = 0;
        for (int d = d0; d <= d1 && n < cap; d++)
            if ((d - d0) % stride == 0) ticks[n++] = pow(10, d);
        return n;
    }
    /* a narrow range: plain linear ticks read better */
    return linear_ticks(axis->lo, axis->hi, max_ticks, ticks, cap);
}

/* "1.5e-05" -> "1.5e-5", "2e+04" -> "2e4". */
static void compact_exponent(char *s)
{
    char *e = strchr(s, 'e');
    if (!e) return;
    char *p = e + 1, *q = e + 1;
    if (*p == '+')
        p++;
    else if (*p == '-')
        *q++ = *p++;
    while (*p == '0' && p[1]) p++;
    memmove(q, p, strlen(p) + 1);
}

/* "5.000e-04" -> "5e-04", "1.250e+03" -> "1.25e+03". */
static void trim_mantissa(char *s)
{
    char *e = strchr(s, 'e'), *dot = strchr(s, '.');
    if (!e || !dot || dot > e) return;
    char *end = e;
    while (end > dot + 1 && end[-1] == '0') end--;
    if (end == dot + 1) end = dot;
    memmove(end, e, strlen(e) + 1);
}

void chart_format(double v, double step, int width, char *buf, size_t cap)
{
    char tmp[320]; /* room for any double, as -Wformat-truncation counts */
    if (cap == 0) return;
    if (width < 1) width = 1;
    if (width > 15) width = 15;
    if (isnan(v)) {
        snprintf(buf, cap, "nan");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, cap, v > 0 ? "inf" : "-inf");
        return;
    }
    if (v == 0 || (step > 0 && fabs(v) < step * 1e-6)) {
        snprintf(buf, cap, "0");
        return;
    }
    double a = fabs(v);
    if (step > 0 && a >= 1e-4 && a < 1e6) {
        int dec = (int)-floor(log10(step) + 1e-9);
        if (dec < 0) dec = 0;
        if (dec <= 6) {
            snprintf(tmp, sizeof tmp, "%.*f", dec, v);
            if ((int)strlen(tmp) <= width) {
                snprintf(buf, cap, "%s", tmp);
                return;
            }
        }
    }
    if (a >= 1000 && a < 1e7) {
        /* thousands with a k: 2.5k, 120k */
        for (int p = 3; p >= 1; p--) {
            snprintf(tmp, sizeof tmp, "%.*gk", p, v / 1000);
            if ((int)strlen(tmp) <= width && !strchr(tmp, 'e')) {
                snprintf(buf, cap, "%s", tmp);
                return;
            }
        }
    }
    /* %g writes 0.0005 in full, where 5e-4 is shorter: at each precision
     * the exponent form is tried too, so that a value is never left wider
     * than width (a cut "0.00..." reads as zero) when a true one fits */
    for (int p = 4; p >= 1; p--) {
        snprintf(tmp, sizeof tmp, "%.*g", p, v);
        compact_exponent(tmp);
        if ((int)strlen(tmp) <= width) break;
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
        trim_mantissa(tmp);
        compact_exponent(tmp);
        if ((int)strlen(tmp) <= width) break;
    }
    snprintf(buf, cap, "%s", tmp);
}

int chart_label_row(const int *col, const int *w, int n, int lo, int hi, int title_w, int *start)
{
    int title = title_w > 0 && title_w <= hi - lo ? hi - title_w : -1;
    /* a label ends before this column: two blanks before the title keep
     * it from reading as part of the last label ("0.01 log scale") */
    int end = title >= 0 ? title - 2 : hi;
    for (int i = 0; i < n; i++) {
        int s = col[i] - w[i] / 2;
        if (s + w[i] > hi) s = hi - w[i];
        if (s < lo) s = lo;
        start[i] = w[i] > 0 && s + w[i] <= end ? s : -1;
    }
    /* the smallest stride whose labels keep a blank column between them */
    int k = 1;
    for (; k < n; k++) {
        int last_end = INT_MIN;
        bool apart = true;
        for (int i = 0; i < n && apart; i += k) {
            if (start[i] < 0) continue;
            apart = start[i] > last_end;
            last_end = start[i] + w[i];
        }
        if (apart) break;
    }
    for (int i = 0; i < n; i++)
        if (i % k) start[i] = -1;
    return title;
}

/* The labels start[] shows, as bits (n at most 64). */
static uint64_t labels_shown(const int *start, int n)
{
    uint64_t m = 0;
    for (int i = 0; i < n; i++)
        if (start[i] >= 0) m |= (uint64_t)1 << i;
    return m;
}

static int bits(uint64_t m)
{
    int k = 0;
    for (; m; m &= m - 1) k++;
    return k;
}

int chart_label_row_keeping(const int *col, const int *w, int n, int lo, int hi, int title_w,
                            int keep, int *start)
{
    assert(n <= 64);
    chart_label_row(col, w, n, lo, hi, 0, start);
    uint64_t alone = labels_shown(start, n);
    int title = chart_label_row(col, w, n, lo, hi, title_w, start);
    if (title < 0) return title;
    uint64_t beside = labels_shown(start, n);
    bool readable = keep == CHART_KEEP_ALL
                        ? (alone & ~beside) == 0
                        : bits(beside) >= (keep < bits(alone) ? keep : bits(alone));
    if (readable) return title;
    chart_label_row(col, w, n, lo, hi, 0, start);
    return -1;
}

void chart_format_fixed(double v, int decimals, int width, char *buf, size_t cap)
{
    char tmp[64];
    if (cap == 0) return;
    if (decimals < 0) decimals = 0;
    if (decimals > 15) decimals = 15;
    bool digits = v == 0 || fabs(v) >= pow(10, 1 - decimals);
    if (isfinite(v) && digits && fabs(v) < 1e15) {
        snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
        if ((int)strlen(tmp) <= width) {
            snprintf(buf, cap, "%s", tmp);
            return;
        }
    }
    chart_format(v, 0, width, buf, cap);
}

void chart_percent(double share, char *buf, size_t cap)
{
    if (cap == 0) return;
    if (isnan(share)) {
        snprintf(buf, cap, "-");
        return;
    }
    /* what the rounding printed, not p itself, decides: 0.5 prints 0 */
    double p = 100 * share;
    char t[32];
    for (int dec = 0; dec <= 1; dec++) {
        snprintf(t, sizeof t, "%.*f", dec, p);
        double shown = strtod(t, NULL);
        if ((shown != 0 || p == 0) && (shown != 100 || p == 100)) {
            snprintf(buf, cap, "%s%%", t);
            return;
        }
    }
    snprintf(buf, cap, p < 50 ? "<0.1%%" : "99.9%%"); /* short of all, in 5 */
}

/* ---- downsampling ----------------------------------------------------- */

void chart_downsample(const double *xs, const double *ys, size_t n, double x_lo, double x_hi,
                      int n_buckets, double *mins, double *maxs, double *means, int *counts)
{
    if (n_buckets <= 0) return;
    double *sum = calloc((size_t)n_buckets, sizeof *sum);
    int *cnt = calloc((size_t)n_buckets, sizeof *cnt);
    for (int b = 0; b < n_buckets; b++) {
        if (mins) mins[b] = NAN;
        if (maxs) maxs[b] = NAN;
    }
    if (!sum || !cnt || !(x_hi > x_lo)) {
        for (int b = 0; b < n_buckets; b++) {
            if (means) means[b] = NAN;
            if (counts) counts[b] = 0;
        }
        free(sum);
        free(cnt);
        return;
    }
    double width = (x_hi - x_lo) / n_buckets;
    for (size_t i = 0; i < n; i++) {
        double x = xs[i], y = ys[i];
        if (!(x >= x_lo && x <= x_hi) || !isfinite(y)) continue;
        int b = (int)floor((x - x_lo) / width);
        if (b >= n_buckets) b = n_buckets - 1;
        if (b < 0) b = 0;
        if (!cnt[b] || (mins && y < mins[b])) {
            if (mins) mins[b] = y;
        }
        if (!cnt[b] || (maxs && y > maxs[b])) {
            if (maxs) maxs[b] = y;
        }
        sum[b] += y;
        cnt[b]++;
    }
    for (int b = 0; b < n_buckets; b++) {
        if (means) means[b] = cnt[b] ? sum[b] / cnt[b] : NAN;
        if (counts) counts[b] = cnt[b];
    }
    free(sum);
    free(cnt);
}

/* ---- the dot canvas --------------------------------------------------- */

uint8_t chart_braille_bit(int col, int row)
{
    static const uint8_t bits[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
    if (col < 0 || col > 1 || row < 0 || row > 3) return 0;
    return bits[row][col];
}

uint32_t chart_braille_char(uint8_t bits)
{
    return 0x2800u + bits;
}

char chart_ascii_char(uint8_t bits)
{
    switch (bits & 7) {
    case 0: return ' ';
    case 1: return '\'';
    case 2: return '-';
    case 4: return '.';
    case 5: return ':';
    default: return '|'; /* 3, 6, 7: dots next to each other read as a rise */
    }
}

char chart_ascii_dotted_char(uint8_t bits)
{
    switch (bits & 7) {
    case 0: return ' ';
    case 1: return '`';
    case 2: return '+';
    case 4: return ',';
    default: return '*';
    }
}

bool chart_pattern_dotted(ChartPattern p)
{
    return p == CHART_PATTERN_DOTTED || p == CHART_PATTERN_SPARSE;
}

uint8_t chart_pattern_bits(ChartPattern p, ChartDots dots, int col, uint8_t bits)
{
    if (p == CHART_PATTERN_SOLID) return bits;
    if (p == CHART_PATTERN_DASHED) return col % 4 < 2 ? bits : 0;
    if (col % (p == CHART_PATTERN_SPARSE ? 4 : 2) != 0) return 0;
    if (dots == CHART_DOTS_ASCII) return bits;
    /* the left column: dots (0,0) (0,1) (0,2) (0,3) */
    uint8_t left = bits & 0x47;
    if (left) return left;
    /* else the right column's dots (1,0) (1,1) (1,2) (1,3), moved left */
    return (uint8_t)((bits & 0x08 ? 0x01 : 0) | (bits & 0x10 ? 0x02 : 0) |
                     (bits & 0x20 ? 0x04 : 0) | (bits & 0x80 ? 0x40 : 0));
}

void chart_canvas_init(ChartCanvas *c, ChartDots dots, int cols, int rows, uint8_t *storage)
{
    c->dots = dots;
    c->cols = cols > 0 ? cols : 0;
    c->rows = rows > 0 ? rows : 0;
    c->dx = dots == CHART_DOTS_BRAILLE ? 2 : 1;
    c->dy = dots == CHART_DOTS_BRAILLE ? 4 : 3;
    c->cells = storage;
    chart_canvas_clear(c);
}

void chart_canvas_clear(ChartCanvas *c)
{
    if (c->cells) memset(c->cells, 0, (size_t)c->cols * (size_t)c->rows);
}

int chart_canvas_width(const ChartCanvas *c)
{
    return c->cols * c->dx;
}

int chart_canvas_height(const ChartCanvas *c)
{
    return c->rows * c->dy;
}

/* Cell index and bit of dot (x, y from the bottom); false when off-canvas. */
static bool dot_locate(const ChartCanvas *c, int x, int y, size_t *idx, uint8_t *bit)
{
    int w = chart_canvas_width(c), h = chart_canvas_height(c);
    if (x < 0 || y < 0 || x >= w || y >= h) return false;
    int top = h - 1 - y; /* dot row from the top */
    int col = x / c->dx, row = top / c->dy;
    int sx = x % c->dx, sy = top % c->dy;
    *idx = (size_t)row * (size_t)c->cols + (size_t)col;
    *bit = c->dots == CHART_DOTS_BRAILLE ? chart_braille_bit(sx, sy) : (uint8_t)(1u << sy);
    return true;
}

void chart_canvas_set(ChartCanvas *c, int x, int y)
{
    size_t i;
    uint8_t b;
    if (dot_locate(c, x, y, &i, &b)) c->cells[i] |= b;
}

bool chart_canvas_get(const ChartCanvas *c, int x, int y)
{
    size_t i;
    uint8_t b;
    return dot_locate(c, x, y, &i, &b) && (c->cells[i] & b);
}

void chart_canvas_line(ChartCanvas *c, int x0, int y0, int x1, int y1)
{
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int e = dx + dy;
    for (;;) {
        chart_canvas_set(c, x0, y0);
        if (x0 == x1 && y0 == y1) break;
        int e2 = 2 * e;
        if (e2 >= dy) {
            e += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            e += dx;
            y0 += sy;
        }
    }
}

uint8_t chart_canvas_cell(const ChartCanvas *c, int col, int row)
{
    if (col < 0 || row < 0 || col >= c->cols || row >= c->rows) return 0;
    return c->cells[(size_t)row * (size_t)c->cols + (size_t)col];
}

/* Few points: straight segments between consecutive drawable points. */
static void plot_lines(ChartCanvas *c, const ChartAxis *xa, const ChartAxis *ya, const double *xs,
                       const double *ys, size_t n)
{
    int w = chart_canvas_width(c), h = chart_canvas_height(c);
    bool have = false;
    int px = 0, py = 0;
    for (size_t i = 0; i < n; i++) {
        int x = chart_map(xa, xs[i], w, false);
        int y = chart_map(ya, ys[i], h, true);
        if (x < 0 || y < 0) {
            have = false;
            continue;
        }
        if (have)
            chart_canvas_line(c, px, py, x, y);
        else
            chart_canvas_set(c, x, y);
        px = x;
        py = y;
        have = true;
    }
}

void chart_canvas_scatter(ChartCanvas *c, const ChartAxis *x_axis, const ChartAxis *y_axis,
                          const double *xs, const double *ys, size_t n)
{
    int w = chart_canvas_width(c), h = chart_canvas_height(c);
    for (size_t i = 0; i < n; i++) {
        int x = chart_map(x_axis, xs[i], w, false), y = chart_map(y_axis, ys[i], h, false);
        if (x >= 0 && y >= 0) chart_canvas_set(c, x, y);
    }
}

void chart_canvas_plot(ChartCanvas *c, const ChartAxis *x_axis, const ChartAxis *y_axis,
                       const double *xs, const double *ys, size_t n)
{
    int w = chart_canvas_width(c), h = chart_canvas_height(c);
    if (w <= 0 || h <= 0 || n == 0) return;
    if (n <= (size_t)w || x_axis->log || !(x_axis->hi > x_axis->lo)) {
        plot_lines(c, x_axis, y_axis, xs, ys, n);
        return;
    }
    /* Many points: one bucket per dot column, aligned with chart_map's
     * rounding (column k covers k +- half a dot). */
    double *mins = malloc(sizeof(double) * (size_t)w * 2);
    int *counts = malloc(sizeof(int) * (size_t)w);
    if (!mins || !counts) {
        free(mins);
        free(counts);
        plot_lines(c, x_axis, y_axis, xs, ys, n);
        return;
    }
    double *maxs = mins + w;
    double half = w > 1 ? (x_axis->hi - x_axis->lo) / (w - 1) / 2 : (x_axis->hi - x_axis->lo);
    /* Values out of a log axis's domain count as missing. */
    double *vals = malloc(sizeof(double) * n);
    if (!vals) {
        free(mins);
        free(counts);
        plot_lines(c, x_axis, y_axis, xs, ys, n);
        return;
    }
    for (size_t i = 0; i < n; i++) vals[i] = usable(ys[i], y_axis->log) ? ys[i] : NAN;
    chart_downsample(xs, vals, n, x_axis->lo - half, x_axis->hi + half, w, mins, maxs, NULL,
                     counts);
    int last_col = -1, last_lo = 0, last_hi = 0;
    for (int col = 0; col < w; col++) {
        if (!counts[col]) {
            /* an empty column within data breaks the line only for real gaps */
            continue;
        }
        int lo = chart_map(y_axis, mins[col], h, true);
        int hi = chart_map(y_axis, maxs[col], h, true);
        if (lo < 0 || hi < 0) continue;
        if (last_col >= 0 && col - last_col == 1) {
            /* join to the previous column's span so the curve stays connected */
            if (lo > last_hi + 1) lo = last_hi + 1;
            if (hi < last_lo - 1) hi = last_lo - 1;
        } else if (last_col >= 0 && col - last_col <= 3) {
            int from = lo > last_hi ? last_hi : (hi < last_lo ? last_lo : (lo + hi) / 2);
            chart_canvas_line(c, last_col, from, col,
                              lo > last_hi ? lo : (hi < last_lo ? hi : from));
        }
        chart_canvas_line(c, col, lo, col, hi);
        last_col = col;
        last_lo = lo;
        last_hi = hi;
    }
    free(vals);
    free(mins);
    free(counts);
}
