/*
 * dashboard.c - the live dashboard.  See dashboard.h.
 *
 * Every frame: copy the snapshot (run_update), build the chart series from
 * it, erase and draw the whole screen into stdscr, and hand it to the
 * terminal with one doupdate(); curses sends only what changed, so nothing
 * flickers.  Views are a table: a new view is a name and a draw function.
 */
#include "dashboard.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chart.h"
#include "chartview.h"
#include "crt.h"
#include "form.h"
#include "keys.h"
#include "listview.h"
#include "screen.h"
#include "gradtop/insight/live.h"
#include "text.h"
#include "teaching.h"
#include "gradtop/logdir/runset.h"

#define KEY_ESC 27
#define HISTORY_MAX 5      /* earlier runs drawn behind the current one */
#define HISTORY_POINTS 512 /* points kept per earlier series */

/* The series of an earlier run: loss, val_loss, then accuracy and
 * val_accuracy (mae and val_mae for regression), by epoch. */
enum { HS_LOSS, HS_VAL_LOSS, HS_METRIC, HS_VAL_METRIC, HS_COUNT };
typedef struct {
    double *epoch[HS_COUNT], *value[HS_COUNT]; /* one block per series: epochs, then values */
    size_t n[HS_COUNT];
} HistoryRun;

/* Earlier finished runs on the same dataset, newest first, read once from
 * the log directory when a logged run starts and downsampled then, so a
 * frame only maps their epochs onto the x axis. */
typedef struct {
    HistoryRun runs[HISTORY_MAX];
    int n;
    int last_epoch; /* the largest epoch among them */
    bool hidden;    /* b */
} History;

/* The questions the dashboard asks before it acts. */
typedef enum {
    CONFIRM_NONE,
    CONFIRM_QUIT,    /* q while training runs */
    CONFIRM_SETUP,   /* o while training runs */
    CONFIRM_RESTART, /* r: the same seed or a new one */
} Confirm;

typedef struct Dashboard Dashboard;
typedef void (*ViewDraw)(Dashboard *d, int top, int left, int height, int width);

typedef struct {
    const char *name;
    ViewDraw draw;
    LiveView live; /* what it needs computed on the trainer thread */
} View;

struct Dashboard {
    Run *run;
    int view;
    bool log_y;
    double smoothing;
    bool help;
    int help_scroll; /* the help overlay's first row shown */
    Confirm confirm; /* the question on screen, if any */
    bool editing;
    Form edit;
    char notice[256];
    CrtRole notice_role;
    double notice_until;
    /* the notice is "resuming" a diverged run: stale once it has diverged
     * again (at a rate still too high, at its next batch) */
    bool notice_resumes;
    bool quit;
    bool to_setup; /* quit to the setup form (o) */
    /* a sweep trial's (run.h: borrowed): its place in the sweep, and
     * whether it waits there, from run->describe each frame */
    char trial_line[256];
    bool trial_waits;
    int exit_code;
    ListView table; /* the epochs view: a log that follows the newest epoch */
    /* the teaching views: the published data copied each frame, and what
     * the boundary view shows */
    LiveData *ld;
    int fx, fy;
    bool pca;
    bool hide_val, discrete; /* the boundary view's switches (v, d) */
    unsigned gradcheck;
    int net_layer, net_unit; /* the network view's cursor: a column of sizes[], a unit */
    /* chart data, rebuilt each frame */
    double *buf;
    size_t buf_cap;
    ChartMarker *markers;
    int n_markers, cap_markers;
    History hist;
    /* the diagnosis's chance levels, counted once for the session they are of */
    const PreparedData *chance_of;
    ChanceLevel chance, val_chance;
};

static void view_charts(Dashboard *d, int top, int left, int height, int width);
static void view_epochs(Dashboard *d, int top, int left, int height, int width);
static void draw_boundary(Dashboard *d, int top, int left, int height, int width);
static void draw_gradient(Dashboard *d, int top, int left, int height, int width);
static void draw_network(Dashboard *d, int top, int left, int height, int width);
static void draw_confusion(Dashboard *d, int top, int left, int height, int width);

enum { VIEW_CHARTS, VIEW_EPOCHS, VIEW_BOUNDARY, VIEW_GRADIENT, VIEW_NETWORK, VIEW_CONFUSION };
static const View views[] = {
    [VIEW_CHARTS] = {"charts", view_charts, LIVE_NONE},
    [VIEW_EPOCHS] = {"epochs", view_epochs, LIVE_NONE},
    [VIEW_BOUNDARY] = {"boundary", draw_boundary, LIVE_BOUNDARY},
    [VIEW_GRADIENT] = {"gradient", draw_gradient, LIVE_GRADIENT},
    [VIEW_NETWORK] = {"network", draw_network, LIVE_NETWORK},
    [VIEW_CONFUSION] = {"confusion", draw_confusion, LIVE_CONFUSION},
};
static const int n_views = (int)(sizeof views / sizeof views[0]);

/* ---- small helpers ---------------------------------------------------- */

static void notify(Dashboard *d, CrtRole role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void notify(Dashboard *d, CrtRole role, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->notice, sizeof d->notice, fmt, ap);
    va_end(ap);
    d->notice_role = role;
    d->notice_until = screen_now() + 4;
    d->notice_resumes = false;
}

static void format_duration(double s, char *buf, size_t cap)
{
    if (!(s >= 0) || !isfinite(s)) {
        snprintf(buf, cap, "-");
        return;
    }
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, cap, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, cap, "%ld:%02ld", t / 60, t % 60);
}

static void format_rate(double r, char *buf, size_t cap)
{
    if (r >= 1e6)
        snprintf(buf, cap, "%.2fM", r / 1e6);
    else if (r >= 1e4)
        snprintf(buf, cap, "%.1fk", r / 1e3);
    else
        snprintf(buf, cap, "%.0f", r);
}

static const TrainerSnapshot *snap(const Dashboard *d)
{
    return &d->run->snap;
}

static bool regression(const Dashboard *d)
{
    return snap(d)->task == TASK_REGRESSION;
}

static bool in_progress(TrainStatus s)
{
    return s == TRAIN_RUNNING || s == TRAIN_PAUSED;
}

/* Whether the run's noise and validation split can change while it trains:
 * a generated 2-D set of its own (trainrun_change_data). */
static bool data_live(const Run *r)
{
    return !r->borrowed && r->core->sess && r->core->owns_session &&
           prepared_can_regenerate(r->core->sess);
}

static CrtRole status_role(TrainStatus s)
{
    switch (s) {
    case TRAIN_RUNNING: return ROLE_GOOD;
    case TRAIN_PAUSED: return ROLE_WARN;
    case TRAIN_DIVERGED: return ROLE_BAD;
    case TRAIN_DONE: return ROLE_GOOD;
    case TRAIN_EARLY_STOPPED: return ROLE_TITLE;
    case TRAIN_STOPPED: return ROLE_WARN;
    }
    return ROLE_NORMAL;
}

/* A label and a value on one panel row. */
static void panel_row(int y, int x, int width, const char *label, CrtRole role, const char *value)
{
    crt_set(stdscr, ROLE_DIM);
    crt_puts(stdscr, y, x, width, label);
    crt_set(stdscr, role);
    crt_puts(stdscr, y, x + 10, width - 10, value);
    crt_set(stdscr, ROLE_NORMAL);
}

/* The first of n values (longest first) whose whole text fits a panel
 * row's value column, so that a figure is shown whole or left out, never
 * cut: NULL when none fits. */
static const char *panel_fit(int width, int n, const char *const *values)
{
    for (int i = 0; i < n; i++)
        if (values[i][0] && crt_width(values[i]) <= width - 10) return values[i];
    return NULL;
}

/* ---- chart data ------------------------------------------------------- */

static double *take(Dashboard *d, size_t *used, size_t n)
{
    double *p = d->buf + *used;
    *used += n;
    return p;
}

static bool ensure_buffers(Dashboard *d, size_t doubles, int markers)
{
    if (doubles > d->buf_cap) {
        double *b = realloc(d->buf, doubles * sizeof *b);
        if (!b) return false;
        d->buf = b;
        d->buf_cap = doubles;
    }
    if (markers > d->cap_markers) {
        ChartMarker *m = realloc(d->markers, (size_t)markers * sizeof *m);
        if (!m) return false;
        d->markers = m;
        d->cap_markers = markers;
    }
    return true;
}

/* The step at the end of epoch e (1-based); 0 for e = 0. */
static double epoch_step(const TrainerSnapshot *s, int e)
{
    if (e <= 0 || s->n_epochs == 0) return 0;
    if (e <= s->n_epochs) return (double)s->history[e - 1].step;
    return (double)s->history[s->n_epochs - 1].step +
           (double)(e - s->n_epochs) * s->steps_per_epoch;
}

/* The x of epoch e (fractional allowed): past the epochs done, they are
 * counted on at the current steps per epoch (also before the first). */
static double epoch_x(const TrainerSnapshot *s, double e)
{
    if (e <= 0) return 0;
    int n = s->n_epochs;
    if (n > 0 && e <= n) {
        int i = (int)ceil(e) - 1;
        return (double)s->history[i < 0 ? 0 : i >= n ? n - 1 : i].step;
    }
    double base = n > 0 ? (double)s->history[n - 1].step : 0;
    return base + (e - n) * (double)s->steps_per_epoch;
}

/* ---- earlier runs ------------------------------------------------------ */

static void history_free(History *h)
{
    for (int i = 0; i < h->n; i++)
        for (int k = 0; k < HS_COUNT; k++) free(h->runs[i].epoch[k]);
    bool hidden = h->hidden;
    memset(h, 0, sizeof *h);
    h->hidden = hidden;
}

/* Copies at most HISTORY_POINTS points of series (evenly picked) into
 * run slot k; false when out of memory. */
static bool history_take(HistoryRun *hr, int k, const RunSeries *rs, int *last_epoch)
{
    if (!rs || rs->n == 0) return true;
    size_t n = rs->n < HISTORY_POINTS ? rs->n : HISTORY_POINTS;
    double *mem = malloc(2 * n * sizeof *mem);
    if (!mem) return false;
    hr->epoch[k] = mem;
    hr->value[k] = mem + n;
    hr->n[k] = n;
    for (size_t i = 0; i < n; i++) {
        size_t j = n == rs->n ? i : (n > 1 ? i * (rs->n - 1) / (n - 1) : 0);
        mem[i] = (double)rs->step[j];
        mem[n + i] = rs->value[j];
    }
    int64_t last = rs->step[rs->n - 1];
    if (last > *last_epoch) *last_epoch = last > INT_MAX ? INT_MAX : (int)last;
    return true;
}

/* Reads the earlier runs for the current one: logged, on the same
 * dataset, finished, not the current run's own directory. */
static void history_load(Dashboard *d)
{
    History *h = &d->hist;
    history_free(h);
    const Run *r = d->run;
    if (r->opt.no_log || !r->core->log_path[0] || !r->core->sess || !r->opt.logdir[0]) return;
    const Dataset *ds = &r->core->sess->all;
    RunSet rs;
    memset(&rs, 0, sizeof rs);
    Error err;
    error_clear(&err);
    if (runset_open(&rs, r->opt.logdir, &err)) {
        runset_free(&rs);
        return;
    }
    char self[PATH_MAX], other[PATH_MAX];
    if (!realpath(r->core->log_path, self)) text_copy(self, sizeof self, r->core->log_path);
    RunInfo **list = rs.n_runs ? malloc(rs.n_runs * sizeof *list) : NULL;
    size_t m = 0;
    for (size_t i = 0; list && i < rs.n_runs; i++) {
        RunInfo *ri = rs.runs[i];
        if (ri->gone || strcmp(ri->dataset, ds->name) != 0) continue;
        if (!ri->status[0] || strcmp(ri->status, "running") == 0) continue;
        if (!realpath(ri->path, other)) text_copy(other, sizeof other, ri->path);
        if (strcmp(other, self) == 0) continue;
        list[m++] = ri;
    }
    runinfo_sort(list, m, RUN_SORT_START, true); /* newest first */
    bool reg = ds->task == TASK_REGRESSION;
    const char *tags[HS_COUNT] = {"loss", "val_loss", reg ? "mae" : "accuracy",
                                  reg ? "val_mae" : "val_accuracy"};
    for (size_t i = 0; i < m && h->n < HISTORY_MAX; i++) {
        HistoryRun *hr = &h->runs[h->n];
        memset(hr, 0, sizeof *hr);
        bool ok = true;
        for (int k = 0; k < HS_COUNT && ok; k++)
            ok = history_take(hr, k, runinfo_series(list[i], tags[k]), &h->last_epoch);
        if (!ok || (hr->n[HS_LOSS] == 0 && hr->n[HS_METRIC] == 0)) {
            for (int k = 0; k < HS_COUNT; k++) free(hr->epoch[k]);
            memset(hr, 0, sizeof *hr);
            continue;
        }
        h->n++;
    }
    free(list);
    runset_free(&rs);
}

static size_t history_points(const History *h)
{
    size_t n = 0;
    for (int i = 0; i < h->n; i++)
        for (int k = 0; k < HS_COUNT; k++) n += h->runs[i].n[k];
    return n;
}

/* Adds the earlier runs' series a and b (HS_*) to c, faint, with x mapped
 * from epochs and cut at x_hi.  Returns how many series it added: c's
 * first ones. */
static int add_history(Dashboard *d, ChartSpec *c, size_t *used, int a, int b, double x_hi)
{
    const History *h = &d->hist;
    if (h->hidden) return 0;
    const TrainerSnapshot *s = snap(d);
    const int ks[2] = {a, b};
    for (int i = 0; i < h->n; i++) {
        for (int j = 0; j < 2; j++) {
            int k = ks[j];
            const HistoryRun *hr = &h->runs[i];
            size_t n = hr->n[k];
            if (!n || c->n_series >= CHARTVIEW_MAX_SERIES - 4) continue;
            double *x = take(d, used, n);
            size_t keep = 0;
            while (keep < n) {
                x[keep] = epoch_x(s, hr->epoch[k][keep]);
                if (x[keep] > x_hi) break;
                keep++;
            }
            if (keep)
                c->series[c->n_series++] = (ChartSeries){x, hr->value[k], keep, ROLE_DIM, true};
        }
    }
    return c->n_series;
}

static void build_markers(Dashboard *d)
{
    const TrainerSnapshot *s = snap(d);
    d->n_markers = 0;
    for (int i = 0; i < s->n_events; i++) {
        const TrainEvent *e = &s->events[i];
        ChartMarker m = {.x = (double)e->step};
        switch (e->kind) {
        case EVENT_CHANGE:
        case EVENT_SCHEDULE:
            m.glyph = GLYPH_CHANGE;
            m.role = ROLE_MARKER;
            break;
        case EVENT_PAUSE:
            m.glyph = GLYPH_PAUSE;
            m.role = ROLE_WARN;
            break;
        case EVENT_DIVERGED:
            m.glyph = GLYPH_CHANGE;
            m.role = ROLE_BAD;
            break;
        default: continue;
        }
        d->markers[d->n_markers++] = m;
    }
    if (s->best_epoch > 0 && s->best_epoch <= s->n_epochs) {
        ChartMarker m = {.x = epoch_step(s, s->best_epoch), .glyph = GLYPH_BEST, .role = ROLE_GOOD};
        d->markers[d->n_markers++] = m;
    }
}

static void set_x_ticks(const Dashboard *d, ChartSpec *c, int plot_width, int E)
{
    const TrainerSnapshot *s = snap(d);
    int max_ticks = plot_width / 8;
    if (max_ticks < 2) max_ticks = 2;
    if (max_ticks > CHARTVIEW_MAX_TICKS) max_ticks = CHARTVIEW_MAX_TICKS;
    double nice = E > 0 ? chart_nice_step(E, max_ticks) : 1;
    int step = nice < 1 ? 1 : nice > 1e9 ? 1000000000 : (int)nice;
    c->n_x_ticks = 0;
    for (int e = 0; e <= E && c->n_x_ticks < CHARTVIEW_MAX_TICKS; e += step) {
        c->x_ticks[c->n_x_ticks] = epoch_x(s, e);
        snprintf(c->x_labels[c->n_x_ticks], sizeof c->x_labels[0], "%d", e);
        c->n_x_ticks++;
    }
    c->x_title = "epoch";
}

/* Adds a raw series drawn faint and its smoothed version drawn solid (or
 * only the raw one, solid, when smoothing is off); the smoothing starts
 * afresh after x_from (recovery_x). */
static void add_pair(Dashboard *d, ChartSpec *c, size_t *used, const double *x, const double *y,
                     size_t n, double x_from, CrtRole solid, CrtRole faint)
{
    if (n == 0) return;
    if (d->smoothing > 0) {
        c->series[c->n_series++] = (ChartSeries){x, y, n, faint, true};
        double *sm = take(d, used, n);
        chart_smooth_from(x, y, sm, n, d->smoothing, x_from);
        c->series[c->n_series++] = (ChartSeries){x, sm, n, solid, false};
    } else {
        c->series[c->n_series++] = (ChartSeries){x, y, n, solid, false};
    }
}

/* The trust of every series on the charts (chartview_trust): this run's
 * recovery applies to its own.  Alone on its chart, a run whose divergence
 * has not been resumed from keeps the spike in range: it is what happened
 * (beside other runs, the race's, it would flatten them).  The first behind
 * series, earlier runs drawn for context, set a linear range only up to
 * twice this run's highest: an earlier run at a sane rate stays whole,
 * one at a rate far too high (iris at lr 5: a loss of 177) would
 * otherwise flatten this one's curve onto a "0" tick. */
static void chart_trust(const Dashboard *d, const ChartSpec *c, int behind, ChartTrust *trust)
{
    ChartTrust t = chartview_trust(snap(d));
    t.blew_up = false;
    for (int i = 0; i < c->n_series; i++) trust[i] = i < behind ? (ChartTrust){.reach = 2} : t;
}

/* The x from which the smoothing starts afresh: the recovery's. */
static double recovery_x(const Dashboard *d)
{
    ChartTrust t = chartview_trust(snap(d));
    return t.resumed ? t.from : -INFINITY;
}

/* The key to the curves, right-aligned before column right on row y and
 * never left of column left (the chart's title ends there): the smoothing
 * goes first when short of room, then the patterns' words, then the whole
 * legend. */
static void draw_legend(const Dashboard *d, int y, int left, int right, bool has_val)
{
    char extra[64];
    snprintf(extra, sizeof extra, "  smoothing %.2g%s", d->smoothing, d->log_y ? "  log" : "");
    char tr[64], va[64];
    int keys = 0;
    for (int words = 1; words >= 0; words--) {
        chartview_key(ROLE_TRAIN, "train", words, tr, sizeof tr);
        va[0] = va[1] = ' ';
        chartview_key(ROLE_VAL, "val", words, va + 2, sizeof va - 2);
        keys = crt_width(tr) + (has_val ? crt_width(va) : 0);
        if (keys <= right - left) break;
    }
    if (keys + crt_width(extra) > right - left) extra[0] = '\0';
    if (keys > right - left) return;
    int w = keys + crt_width(extra);
    int x = right - w;
    crt_set(stdscr, ROLE_TRAIN);
    x += crt_puts(stdscr, y, x, right - x, tr);
    if (has_val) {
        crt_set(stdscr, ROLE_VAL);
        x += crt_puts(stdscr, y, x, right - x, va);
    }
    crt_set(stdscr, ROLE_DIM);
    crt_puts(stdscr, y, x, right - x, extra);
    crt_set(stdscr, ROLE_NORMAL);
}

static void view_charts(Dashboard *d, int top, int left, int height, int width)
{
    const TrainerSnapshot *s = snap(d);
    size_t np = (size_t)s->n_points, ne = (size_t)s->n_epochs;
    /* step x, step y, step smooth; epoch x; 4 epoch series + 4 smoothed;
     * scratch for the axis fit */
    size_t nh = history_points(&d->hist);
    size_t need = 3 * np + 9 * ne + 2 * (np + 2 * ne) + 2 * nh + 16;
    if (!ensure_buffers(d, need, s->n_events + 2)) return;
    size_t used = 0;
    build_markers(d);

    double x_from = recovery_x(d);
    ChartTrust trust[CHARTVIEW_MAX_SERIES];
    double *sx = take(d, &used, np), *sy = take(d, &used, np);
    for (size_t i = 0; i < np; i++) {
        sx[i] = (double)(i + 1) * (double)s->step_stride;
        sy[i] = s->step_loss[i];
    }
    double *ex = take(d, &used, ne);
    double *vl = take(d, &used, ne), *tm = take(d, &used, ne), *vm = take(d, &used, ne);
    bool reg = regression(d);
    bool has_val = ne > 0 && s->history[0].has_val;
    for (size_t i = 0; i < ne; i++) {
        const EpochMetrics *m = &s->history[i];
        ex[i] = (double)m->step;
        vl[i] = m->val_loss;
        tm[i] = reg ? m->mae : m->accuracy;
        vm[i] = reg ? m->val_mae : m->val_accuracy;
    }

    int h1 = height / 2, h2 = height - h1;
    double x_hi = s->step > 0 ? (double)s->step : 1;
    /* earlier runs stretch the axis to where they ended (at most to this
     * run's last epoch) */
    const History *h = &d->hist;
    int e_hi = s->n_epochs;
    if (h->n > 0 && !h->hidden) {
        int e = h->last_epoch < s->epochs_total ? h->last_epoch : s->epochs_total;
        if (e > e_hi && epoch_x(s, e) > x_hi) {
            x_hi = epoch_x(s, e);
            e_hi = e;
        }
    }
    ChartAxis xa = {0, x_hi, false};
    char title[64] = "loss";
    if (h->n > 0)
        snprintf(title, sizeof title, "loss   earlier runs: %d%s", h->n,
                 h->hidden ? " (hidden: b shows)" : "");

    ChartSpec loss;
    memset(&loss, 0, sizeof loss);
    loss.title = title;
    loss.x_axis = xa;
    loss.markers = d->markers;
    loss.n_markers = d->n_markers;
    loss.empty_text = "waiting for the first batch...";
    int behind = add_history(d, &loss, &used, HS_LOSS, HS_VAL_LOSS, x_hi);
    add_pair(d, &loss, &used, sx, sy, np, x_from, ROLE_TRAIN, ROLE_TRAIN_RAW);
    if (has_val) add_pair(d, &loss, &used, ex, vl, ne, x_from, ROLE_VAL, ROLE_VAL_RAW);
    double *scratch = d->buf + used;
    chart_trust(d, &loss, behind, trust);
    chartview_fit_y(&loss, trust, d->log_y, false, scratch);
    /* a line on the top edge must not read as a value */
    if (chartview_clipped_above(&loss, behind)) {
        size_t l = strlen(title);
        snprintf(title + l, sizeof title - l, " (above: top edge)");
    }
    set_x_ticks(d, &loss, width - 8, e_hi);

    ChartSpec acc;
    memset(&acc, 0, sizeof acc);
    char acc_title[64];
    snprintf(acc_title, sizeof acc_title, "%s", reg ? "mean absolute error" : "accuracy");
    acc.title = acc_title;
    acc.x_axis = xa;
    acc.markers = d->markers;
    acc.n_markers = d->n_markers;
    acc.empty_text = "waiting for the first epoch...";
    /* accuracies have their own bounds: an earlier run above this one's
     * is worth seeing whole */
    behind = add_history(d, &acc, &used, HS_METRIC, HS_VAL_METRIC, x_hi);
    if (!reg) behind = 0;
    add_pair(d, &acc, &used, ex, tm, ne, x_from, ROLE_TRAIN, ROLE_TRAIN_RAW);
    if (has_val) add_pair(d, &acc, &used, ex, vm, ne, x_from, ROLE_VAL, ROLE_VAL_RAW);
    scratch = d->buf + used;
    chart_trust(d, &acc, behind, trust);
    chartview_fit_y(&acc, trust, reg && d->log_y, !reg, scratch);
    acc.y_axis.log = reg && d->log_y;
    if (chartview_clipped_above(&acc, behind))
        snprintf(acc_title, sizeof acc_title, "mean absolute error   earlier runs above: top edge");
    set_x_ticks(d, &acc, width - 8, e_hi);
    /* one margin for both, so that an epoch (a marker's line, the best
     * epoch's star) is in the same column in both charts: "0.8" above
     * "0.56" put the accuracy chart's one column to the right */
    int m1 = chartview_margin(&loss, h1), m2 = chartview_margin(&acc, h2);
    loss.min_margin = acc.min_margin = m1 > m2 ? m1 : m2;
    chartview_draw(stdscr, top, left, h1, width, &loss);
    draw_legend(d, top, left + crt_width(title) + 2, left + width, has_val);
    chartview_draw(stdscr, top + h1, left, h2, width, &acc);
}

/* The epochs table's columns, in the order shown, each with its width
 * (the blank before it included) and its heading. */
enum {
    ECOL_EPOCH,
    ECOL_STEP,
    ECOL_LOSS,
    ECOL_METRIC,
    ECOL_VAL_LOSS,
    ECOL_VAL_METRIC,
    ECOL_LR,
    ECOL_SECONDS,
    ECOL_COUNT
};
static const int ecol_width[ECOL_COUNT] = {6, 9, 10, 10, 10, 10, 10, 9};

typedef struct {
    const Dashboard *d;
    int left, width;
    bool shown[ECOL_COUNT]; /* the columns that fit whole */
} EpochRows;

/* Which columns fit in width: a column is shown whole or not at all (a
 * figure cut short reads as another figure).  The epoch and the figures
 * come first, then the rate and the seconds; a narrow view gives up the
 * step first. */
static void epoch_columns(int width, bool shown[ECOL_COUNT])
{
    static const int priority[ECOL_COUNT] = {ECOL_EPOCH,    ECOL_LOSS,       ECOL_METRIC,
                                             ECOL_VAL_LOSS, ECOL_VAL_METRIC, ECOL_LR,
                                             ECOL_SECONDS,  ECOL_STEP};
    int used = 0;
    bool room = true;
    for (int k = 0; k < ECOL_COUNT; k++) {
        int c = priority[k];
        /* in priority order, up to the first that does not fit */
        room = room && used + ecol_width[c] <= width;
        shown[c] = room;
        if (room) used += ecol_width[c];
    }
}

/* A metric right-aligned in width columns: four decimals while they show
 * it ("0.0963"), else its compact form ("2.1e-5", not "0.0000"); "-" for
 * none (NaN). */
static void metric_cell(double v, int width, char *buf, size_t cap)
{
    char f[32] = "-";
    if (!isnan(v)) chart_format_fixed(v, 4, width, f, sizeof f);
    snprintf(buf, cap, "%*s", width, f);
}

/* A count right-aligned in width columns: its digits while they fit,
 * else chart_format's compact form ("1e6"), never cut. */
static void count_cell(long v, int width, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%ld", v);
    if (n > width) chart_format((double)v, 1, width, buf, cap);
}

/* Appends the shown cells of cells[] (each as wide as its column) to line. */
static void epoch_line(const bool shown[ECOL_COUNT], const char *const cells[ECOL_COUNT],
                       char *line, size_t cap)
{
    size_t n = 0;
    line[0] = '\0';
    for (int c = 0; c < ECOL_COUNT && n < cap; c++) {
        if (!shown[c]) continue;
        /* padded in columns: a cell may hold an arrow ("1e+39→inf") */
        int pad = ecol_width[c] - crt_width(cells[c]);
        int k = snprintf(line + n, cap - n, "%*s%s", pad > 0 ? pad : 0, "", cells[c]);
        if (k < 0) break;
        n += (size_t)k;
    }
}

static void epoch_row(void *ctx, size_t i, int y, bool cursor)
{
    const EpochRows *er = ctx;
    const TrainerSnapshot *s = snap(er->d);
    bool reg = regression(er->d);
    const EpochMetrics *m = &s->history[i];
    char buf[ECOL_COUNT][32], line[256];
    count_cell(m->epoch, ecol_width[ECOL_EPOCH], buf[ECOL_EPOCH], sizeof buf[0]);
    count_cell(m->step, ecol_width[ECOL_STEP] - 1, buf[ECOL_STEP], sizeof buf[0]);
    metric_cell(m->loss, 9, buf[ECOL_LOSS], sizeof buf[0]);
    metric_cell(reg ? m->mae : m->accuracy, 9, buf[ECOL_METRIC], sizeof buf[0]);
    metric_cell(m->has_val ? m->val_loss : NAN, 9, buf[ECOL_VAL_LOSS], sizeof buf[0]);
    metric_cell(!m->has_val ? NAN
                : reg       ? m->val_mae
                            : m->val_accuracy,
                9, buf[ECOL_VAL_METRIC], sizeof buf[0]);
    /* the rate float32 used: one it makes inf or 0 says so ("1e+39→inf";
     * without UTF-8, where the arrow takes two columns, "inf"), a
     * subnormal one is its float32 value (1e-45 is 1.4e-45 there) */
    switch (optimizer_lr_float(m->lr)) {
    case LR_FLOAT_INF:
    case LR_FLOAT_ZERO:
        if (crt_utf8())
            snprintf(buf[ECOL_LR], sizeof buf[0], "%.2g%s%s", m->lr, crt_glyph(GLYPH_ARROW),
                     optimizer_lr_float_word(m->lr));
        else
            snprintf(buf[ECOL_LR], sizeof buf[0], "%s", optimizer_lr_float_word(m->lr));
        break;
    case LR_FLOAT_SUBNORMAL: snprintf(buf[ECOL_LR], sizeof buf[0], "%.3g", (float)m->lr); break;
    case LR_FLOAT_NORMAL: snprintf(buf[ECOL_LR], sizeof buf[0], "%.3g", m->lr); break;
    }
    /* hundredths while they show two digits: a 0.4 ms epoch is "4.41e-4",
     * not "0.00", a time of nothing (and an epoch of hours is not cut) */
    chart_format_fixed(m->seconds, 2, 7, buf[ECOL_SECONDS], sizeof buf[0]);
    const char *cells[ECOL_COUNT];
    for (int c = 0; c < ECOL_COUNT; c++) cells[c] = buf[c];
    epoch_line(er->shown, cells, line, sizeof line);
    bool best = m->epoch == s->best_epoch;
    crt_set(stdscr, best ? ROLE_GOOD : ROLE_NORMAL);
    int used = crt_puts(stdscr, y, er->left, er->width, line);
    if (!best) return;
    /* after the row, or where the row fills the view (80 columns), in the
     * blank before the epoch's number: the best epoch is always marked */
    if (er->width - used >= 2)
        crt_puts(stdscr, y, er->left + used + 1, er->width - used - 1, crt_glyph(GLYPH_BEST));
    else if (er->shown[ECOL_EPOCH] && line[0] == ' ')
        crt_puts(stdscr, y, er->left, 1, crt_glyph(GLYPH_BEST));
}

static void view_epochs(Dashboard *d, int top, int left, int height, int width)
{
    const TrainerSnapshot *s = snap(d);
    bool reg = regression(d);
    crt_set(stdscr, ROLE_TITLE);
    EpochRows er = {d, left, width, {false}};
    epoch_columns(width, er.shown);
    const char *const cells[ECOL_COUNT] = {"epoch",    "step",
                                           "loss",     reg ? "mae" : "accuracy",
                                           "val_loss", reg ? "val_mae" : "val_acc",
                                           "lr",       "seconds"};
    char head[256];
    epoch_line(er.shown, cells, head, sizeof head);
    crt_puts(stdscr, top, left, width, head);
    if (height < 2) return;
    if (s->n_epochs == 0) {
        crt_set(stdscr, ROLE_DIM);
        crt_puts(stdscr, top + 2, left + 2, width - 2, "no epoch finished yet");
    }
    /* scrolled back: said after the headings, or where they leave no room
     * for it (it would cover one), on the table's last row */
    static const char scrolled[] = "(scrolled up)";
    int mark_w = (int)sizeof scrolled - 1;
    bool beside = width - crt_width(head) > mark_w + 1;
    bool below = d->table.back > 0 && !beside && height >= 3;
    listview_draw(&d->table, top + 1, height - 1 - (below ? 1 : 0), (size_t)s->n_epochs, epoch_row,
                  &er);
    if (d->table.back > 0 && (beside || below)) {
        crt_set(stdscr, ROLE_DIM);
        if (beside)
            crt_puts(stdscr, top, left + width - mark_w - 1, mark_w + 1, scrolled);
        else
            crt_puts(stdscr, top + height - 1, left, width, scrolled);
    }
    crt_set(stdscr, ROLE_NORMAL);
}

/* ---- the teaching views -------------------------------------------------- */

/* The epoch whose weights the run went back to: the best one's at the end
 * (--restore-best), or after a divergence the last finite one's, the end
 * of the epochs done (0: the initial weights); -1 when the weights are the
 * last step's own. */
static int kept_epoch(const TrainerSnapshot *s)
{
    if (s->status == TRAIN_DIVERGED) return s->epoch;
    if (s->status == TRAIN_RUNNING || s->status == TRAIN_PAUSED) return -1;
    for (int i = 0; i < s->n_events; i++)
        if (s->events[i].kind == EVENT_RESTORE) return s->best_epoch;
    return -1;
}

static ViewCtx view_ctx(const Dashboard *d)
{
    ViewCtx c = {.ld = d->ld,
                 .all = &d->run->core->sess->all,
                 .snap = snap(d),
                 .gradcheck_asked = d->gradcheck,
                 .hide_val = d->hide_val,
                 .discrete = d->discrete,
                 .net_layer = d->net_layer,
                 .net_unit = d->net_unit,
                 .kept_epoch = kept_epoch(snap(d))};
    return c;
}

static void draw_boundary(Dashboard *d, int top, int left, int height, int width)
{
    ViewCtx c = view_ctx(d);
    teach_boundary(&c, top, left, height, width);
}

static void draw_gradient(Dashboard *d, int top, int left, int height, int width)
{
    ViewCtx c = view_ctx(d);
    teach_gradient(&c, top, left, height, width);
}

static void draw_network(Dashboard *d, int top, int left, int height, int width)
{
    ViewCtx c = view_ctx(d);
    teach_network(&c, top, left, height, width);
}

static void draw_confusion(Dashboard *d, int top, int left, int height, int width)
{
    ViewCtx c = view_ctx(d);
    teach_confusion(&c, top, left, height, width);
}

/* Tells the trainer thread what the current view needs (its size included),
 * computes it here at once while training stands still, and copies what
 * was published. */
static void live_sync(Dashboard *d, int body_h, int chart_w)
{
    Live *l = d->run->live;
    if (!l) return;
    LiveRequest r = {.view = views[d->view].live,
                     .fx = d->fx,
                     .fy = d->fy,
                     .pca = d->pca,
                     .gradcheck = d->gradcheck};
    teach_boundary_grid(&d->run->core->sess->all, body_h, chart_w, &r.grid_w, &r.grid_h);
    live_request(l, &r);
    if (d->run->core->trainer) live_idle(l, d->run->core->trainer);
    live_fetch(l, d->ld);
}

#define DIAG_PREFIX "diagnosis: "
/* The rows the diagnosis may take: its longest sentences (a chance level
 * after the advice, some 200 columns) take four at the narrowest
 * dashboard; a sentence cut at two said only half of what it meant. */
#define DIAG_MAX_ROWS 4

/* The chance level of ds's rows; n == 0 for regression, no rows or out of
 * memory (the rules that need it then stay silent). */
static void dataset_chance(const Dataset *ds, ChanceLevel *out)
{
    *out = (ChanceLevel){0};
    if (ds->task != TASK_CLASSIFICATION || ds->n == 0 || ds->n_classes < 1) return;
    size_t *counts = malloc((size_t)ds->n_classes * sizeof *counts);
    if (!counts) return;
    dataset_class_counts(ds, counts);
    chance_level(counts, ds->n_classes, out);
    free(counts);
}

/* The diagnosis: diagnose() over the epochs, the recent step losses, the
 * dead-unit share the trainer thread measured, the data's chance levels
 * and how early stopping ended. */
static DiagnosisKind diagnosis_text(Dashboard *d, char *msg, size_t cap)
{
    const TrainerSnapshot *s = snap(d);
    const PreparedData *ss = d->run->core->sess;
    if (ss != d->chance_of) {
        d->chance = d->val_chance = (ChanceLevel){0};
        if (ss) {
            dataset_chance(&ss->train, &d->chance);
            dataset_chance(&ss->val, &d->val_chance);
        }
        d->chance_of = ss;
    }
    /* A diverged run's last loss is not among the step losses (the charts
     * leave it out): the diagnosis gets it at their end, or it reads the
     * curves before it and spoke of them ("overfitting", "too early to
     * tell") under the red box that says the run diverged. */
    float steps[TRAINER_MAX_STEP_POINTS + 1];
    const float *step_loss = s->step_loss;
    int n_steps = s->n_points;
    if (s->status == TRAIN_DIVERGED && !isfinite(s->last_batch_loss) && n_steps >= 0 &&
        n_steps <= TRAINER_MAX_STEP_POINTS) {
        memcpy(steps, s->step_loss, (size_t)n_steps * sizeof *steps);
        steps[n_steps++] = (float)s->last_batch_loss;
        step_loss = steps;
    }
    /* Taken up again after a divergence: the events keep it. */
    bool diverged = false;
    for (int i = 0; i < s->n_events && !diverged; i++)
        diverged = s->events[i].kind == EVENT_DIVERGED;
    DiagnosisInput in = {.history = s->history,
                         .n_epochs = s->n_epochs,
                         .classification = s->task == TASK_CLASSIFICATION,
                         .step_loss = step_loss,
                         .n_steps = n_steps,
                         .dead_share = d->ld && d->ld->has_dead ? d->ld->dead_share : -1,
                         .lr = s->lr,
                         .lr_next = s->lr_next,
                         .chance = d->chance,
                         .val_chance = d->val_chance,
                         .early_stopped = s->status == TRAIN_EARLY_STOPPED,
                         .best_epoch = s->best_epoch,
                         .patience = s->hp.patience,
                         .monitor = s->monitor,
                         .diverged = diverged};
    return diagnose(&in, msg, cap);
}

/* The rows the diagnosis takes wrapped into cols: as many as its whole
 * sentence needs, up to DIAG_MAX_ROWS (past them its last row ends in an
 * ellipsis). */
static int diagnosis_rows(const char *msg, int cols)
{
    int width = cols - 2 - crt_width(DIAG_PREFIX);
    int n = crt_wrap_part(NULL, 0, 0, width, 0, DIAG_MAX_ROWS, msg);
    return n < 1 ? 1 : n;
}

/* The diagnosis from row y on, n rows, wrapped under its own start. */
static void draw_diagnosis(DiagnosisKind k, const char *msg, int y, int n, int cols)
{
    for (int i = 0; i < n; i++) mvhline(y + i, 0, ' ', cols);
    crt_set(stdscr, ROLE_DIM);
    int used = crt_puts(stdscr, y, 1, cols - 2, DIAG_PREFIX);
    crt_set(stdscr, k == DIAG_HEALTHY                              ? ROLE_GOOD
                    : k == DIAG_NOT_FINITE || k == DIAG_LOSS_SPIKE ? ROLE_BAD
                                                                   : ROLE_WARN);
    crt_wrap_part(stdscr, y, 1 + used, cols - 2 - used, 0, n, msg);
    crt_set(stdscr, ROLE_NORMAL);
}

/* ---- the status panel ------------------------------------------------- */

/* The epoch at step (fractional: how far into the next epoch), as the
 * charts' x axis counts them: epoch_x's inverse. */
static double epoch_at(const TrainerSnapshot *s, long step)
{
    int n = s->n_epochs, k = 0;
    while (k < n && s->history[k].step <= step) k++;
    double prev = k > 0 ? (double)s->history[k - 1].step : 0;
    double span = k < n ? (double)s->history[k].step - prev : (double)s->steps_per_epoch;
    return k + (span > 0 ? ((double)step - prev) / span : 0);
}

/* When an event happened: "epoch 12 (step 345)", with one decimal for a
 * step inside an epoch, the share of its rows done then (the run's count);
 * else, as the charts' x axis counts it. */
static void event_when(Dashboard *d, long step, char *buf, size_t cap)
{
    double e;
    if (!run_event_epoch(d->run, step, &e)) e = epoch_at(snap(d), step);
    if (fabs(e - round(e)) < 0.05)
        snprintf(buf, cap, "epoch %.0f (step %ld)", round(e), step);
    else
        snprintf(buf, cap, "epoch %.1f (step %ld)", e, step);
}

/* An event's text as the events list says it.  The end event begins with
 * the run's status as the files write it (journal.txt's "end early_stopped
 * after 21 epochs"): a key, not a word of a sentence, so it reads "stopped
 * early after 21 epochs" here. */
static const char *event_sentence(const TrainEvent *e, char *buf, size_t cap)
{
    const char *key = train_status_key(TRAIN_EARLY_STOPPED);
    size_t n = strlen(key);
    if (e->kind != EVENT_END || strncmp(e->text, key, n) != 0 || e->text[n] != ' ') return e->text;
    snprintf(buf, cap, "stopped early%s", e->text + n);
    return buf;
}

static void draw_panel(Dashboard *d, int top, int left, int height, int width)
{
    const TrainerSnapshot *s = snap(d);
    const Run *r = d->run;
    char v[256], a[64], b[96];
    int y = top, bottom = top + height;
    /* a rule separating the panel from the charts */
    crt_set(stdscr, ROLE_DIM);
    for (int i = top; i < bottom; i++) crt_puts(stdscr, i, left - 1, 1, crt_glyph(GLYPH_VLINE));
    left += 1;
    width -= 1;

    /* a sweep trial waiting at a rung or barrier trains no batch: its
     * trainer says running, the sweep says it waits */
    bool waits = r->borrowed && d->trial_waits && s->status == TRAIN_RUNNING;
    snprintf(v, sizeof v, " %s ", waits ? "WAITING" : train_status_word(s->status));
    crt_set(stdscr, waits ? ROLE_WARN : status_role(s->status));
    wattron(stdscr, A_REVERSE | A_BOLD);
    crt_puts(stdscr, y++, left, width, v);
    crt_set(stdscr, ROLE_NORMAL);
    y++;

    snprintf(v, sizeof v, "%d/%d", s->epoch, s->epochs_total);
    panel_row(y++, left, width, "epoch", ROLE_NORMAL, v);
    /* a progress bar of the epochs */
    int bw = width - 6;
    if (bw > 4 && y < bottom) {
        double frac = s->epochs_total > 0 ? (double)s->epoch / s->epochs_total : 0;
        if (frac > 1) frac = 1;
        int full = (int)(frac * bw);
        crt_set(stdscr, ROLE_TRAIN);
        for (int i = 0; i < full; i++) crt_puts(stdscr, y, left + i, 1, crt_glyph(GLYPH_BAR_FULL));
        crt_set(stdscr, ROLE_DIM);
        for (int i = full; i < bw; i++) crt_puts(stdscr, y, left + i, 1, crt_glyph(GLYPH_DOT));
        chart_percent(frac, a, sizeof a);
        snprintf(v, sizeof v, "%4s", a);
        crt_set(stdscr, ROLE_NORMAL);
        crt_puts(stdscr, y, left + bw + 1, 5, v);
        y++;
    }
    /* the batches of this epoch: those taken, and the rows left at the
     * batch size now in force (a change of batch size mid-epoch changes
     * how many are left, not how many were taken) */
    long n_train = (long)r->core->sess->train.n, bs = s->hp.batch_size > 0 ? s->hp.batch_size : 1;
    long rows_left = n_train > s->epoch_rows ? n_train - s->epoch_rows : 0;
    long batches = s->batch_in_epoch + (rows_left + bs - 1) / bs;
    /* the steps the weights have taken (the events count the batches
     * run); after a divergence, the batches it undid too, the batch left
     * out when both do not fit */
    long taken = s->step - s->steps_undone;
    snprintf(v, sizeof v, "%ld  (batch %ld/%ld)", taken, s->batch_in_epoch, batches);
    if (s->steps_undone > 0) {
        char both[2][96];
        snprintf(both[0], sizeof both[0], "%ld  (batch %ld/%ld, %ld undone)", taken,
                 s->batch_in_epoch, batches, s->steps_undone);
        snprintf(both[1], sizeof both[1], "%ld  (%ld undone)", taken, s->steps_undone);
        const char *fit = panel_fit(width, 2, (const char *const[]){both[0], both[1]});
        if (fit) text_copy(v, sizeof v, fit);
    }
    panel_row(y++, left, width, "step", ROLE_NORMAL, v);
    /* A schedule's rate beside the base rate, in every state: paused (or
     * ended) the rate of the latest batch is as much in force as while it
     * runs, and metrics.csv's lr column records that one. */
    /* A rate float32 does not hold as a normal number says what it is in
     * float32, the rate the optimizer uses ("1e+39 (inf in float32)");
     * narrower, that word stays and the figure goes. */
    if (fabs(s->lr - s->hp.opt.lr) > 1e-12 * s->hp.opt.lr &&
        r->opt.sched.kind != SCHEDULE_CONSTANT) {
        /* narrower, the rate in force stays and the base rate goes: cut,
         * "0.0123  (now…" read as the rate training used */
        char c[64];
        const char *note = optimizer_lr_float_note(s->lr);
        if (note) {
            snprintf(v, sizeof v, "%.4g  (now %.3g, %s)", s->hp.opt.lr, s->lr, note);
            snprintf(b, sizeof b, "now %.3g (%s)", s->lr, note);
            snprintf(a, sizeof a, "now %.3g %s %s", s->lr, crt_glyph(GLYPH_ARROW),
                     optimizer_lr_float_word(s->lr));
            snprintf(c, sizeof c, "now %s", note);
        } else {
            snprintf(v, sizeof v, "%.4g  (now %.4g)", s->hp.opt.lr, s->lr);
            snprintf(b, sizeof b, "%.4g (now %.3g)", s->hp.opt.lr, s->lr);
            snprintf(c, sizeof c, "now %.4g", s->lr);
        }
        const char *rates[] = {v, b, note ? a : c, c};
        const char *fit = panel_fit(width, 4, rates);
        panel_row(y++, left, width, "lr", note ? ROLE_WARN : ROLE_NORMAL, fit ? fit : c);
    } else {
        const char *note = optimizer_lr_float_note(s->hp.opt.lr);
        optimizer_format_lr(s->hp.opt.lr, 4, v, sizeof v);
        snprintf(b, sizeof b, "%.4g (float32: %s)", s->hp.opt.lr,
                 optimizer_lr_float_word(s->hp.opt.lr));
        const char *rates[] = {v, b, note ? note : v};
        const char *fit = panel_fit(width, 3, rates);
        panel_row(y++, left, width, "lr", note ? ROLE_WARN : ROLE_NORMAL, fit ? fit : rates[1]);
    }
    snprintf(v, sizeof v, "%d", s->hp.batch_size);
    panel_row(y++, left, width, "batch", ROLE_NORMAL, v);
    panel_row(y++, left, width, "optimizer", ROLE_NORMAL, optimizer_names[s->hp.opt.kind]);
    /* The current rate while running; once training has ended, the mean
     * over the run; "-" while paused or before the first measurement. */
    bool ended = train_status_ended(s->status);
    double rate = s->status == TRAIN_RUNNING ? s->samples_per_sec
                  : ended && s->elapsed > 0  ? (double)s->samples / s->elapsed
                                             : 0;
    format_rate(rate, a, sizeof a);
    bool mean = ended && rate > 0;
    snprintf(v, sizeof v, "%s samples/s%s", rate > 0 ? a : "-", mean ? " (mean)" : "");
    /* narrower: the unit shortened before "mean" goes, the figure never cut */
    snprintf(b, sizeof b, "%s/s%s", rate > 0 ? a : "-", mean ? " (mean)" : "");
    const char *speed[] = {v, b, rate > 0 ? a : "-"};
    const char *fit = panel_fit(width, 3, speed);
    panel_row(y++, left, width, "speed", ROLE_NORMAL, fit ? fit : "");
    pace_describe(s->pace, a, sizeof a);
    panel_row(y++, left, width, "pace", ROLE_NORMAL, a);
    format_duration(s->elapsed, a, sizeof a);
    panel_row(y++, left, width, "elapsed", ROLE_NORMAL, a);
    format_duration(s->status == TRAIN_RUNNING ? s->eta : -1, a, sizeof a);
    panel_row(y++, left, width, "ETA", ROLE_NORMAL, a);
    y++;

    /* the latest epoch */
    if (y + 3 < bottom) {
        bool reg = regression(d);
        crt_set(stdscr, ROLE_DIM);
        crt_puts(stdscr, y, left, width, "latest");
        crt_set(stdscr, ROLE_TRAIN);
        crt_puts(stdscr, y, left + 10, 8, "   train");
        crt_set(stdscr, ROLE_VAL);
        crt_puts(stdscr, y, left + 19, 8, "     val");
        y++;
        const EpochMetrics *m = s->n_epochs ? &s->history[s->n_epochs - 1] : NULL;
        const char *names[2] = {"loss", reg ? "mae" : "accuracy"};
        for (int k = 0; k < 2; k++) {
            double tv = !m ? NAN : k == 0 ? m->loss : (reg ? m->mae : m->accuracy);
            double vv = !m || !m->has_val ? NAN
                        : k == 0          ? m->val_loss
                                          : (reg ? m->val_mae : m->val_accuracy);
            metric_cell(tv, 8, a, sizeof a);
            metric_cell(vv, 8, b, sizeof b);
            snprintf(v, sizeof v, "%s %s", a, b);
            panel_row(y++, left, width, names[k], ROLE_NORMAL, v);
        }
        y++;
    }

    if (y < bottom) {
        /* the monitor's name goes first, then the epoch; the value is
         * shown whole or not at all */
        char c[64];
        if (s->best_epoch > 0) {
            chart_format(s->best_value, 0, 7, a, sizeof a);
            snprintf(v, sizeof v, "%s %s @%d", s->monitor, a, s->best_epoch);
            snprintf(b, sizeof b, "%s @%d", a, s->best_epoch);
            snprintf(c, sizeof c, "%s", a);
        } else {
            snprintf(v, sizeof v, "%s -", s->monitor);
            snprintf(b, sizeof b, "-");
            c[0] = '\0';
        }
        const char *best[] = {v, b, c};
        const char *shown = panel_fit(width, 3, best);
        crt_set(stdscr, ROLE_GOOD);
        int used = crt_puts(stdscr, y, left, width, crt_glyph(GLYPH_BEST));
        crt_set(stdscr, ROLE_DIM);
        crt_puts(stdscr, y, left + used + 1, width, "best");
        crt_set(stdscr, ROLE_GOOD);
        if (shown) crt_puts(stdscr, y, left + 10, width - 10, shown);
        y++;
    }
    if (y < bottom) {
        CrtRole role = ROLE_NORMAL;
        if (s->hp.patience > 0) {
            snprintf(v, sizeof v, "%d/%d", s->wait, s->hp.patience);
            if (s->wait * 10 >= s->hp.patience * 7) role = ROLE_WARN;
            if (s->wait == 0 && s->epoch > 0) role = ROLE_GOOD;
        } else {
            snprintf(v, sizeof v, "off");
        }
        panel_row(y++, left, width, "patience", role, v);
    }
    y++;
    /* the run directory */
    if (y < bottom) {
        /* the end of a long path says the most */
        const char *p = r->core->log_error[0]
                            ? r->core->log_error
                            : (r->core->log_path[0] ? r->core->log_path : "not logged");
        if (!r->core->log_error[0] && (int)strlen(p) > width - 10) {
            const char *slash = strrchr(p, '/');
            if (slash && slash[1]) p = slash + 1;
        }
        CrtRole role = !r->core->log_error[0] ? ROLE_DIM
                       : r->core->log_dropped ? ROLE_WARN
                                              : ROLE_BAD;
        if (r->core->log && r->core->log_error[0]) {
            /* a run file failed while training ran: which file (inside the
             * run directory) and why, wrapped, then the choice it offers
             * (training paused) until it is made */
            p = run_log_error_short(r);
            panel_row(y, left, width, "run", role, "");
            crt_set(stdscr, role);
            y += crt_wrap(stdscr, y, left + 10, width - 10, bottom - y < 3 ? bottom - y : 3, p);
            /* (a failure at the last save leaves nothing to go on with) */
            bool going = r->has_snap && in_progress(r->snap.status);
            if (y < bottom && (going || r->core->log_dropped))
                crt_wrap(stdscr, y++, left + 10, width - 10, 1,
                         r->core->log_dropped ? "no run files from here"
                                              : "w: go on without files");
            crt_set(stdscr, ROLE_NORMAL);
        } else if (!r->core->log_error[0]) {
            /* a run directory's name differs from its neighbours' at the
             * end (time and dataset) */
            panel_row(y, left, width, "run", role, "");
            crt_set(stdscr, role);
            crt_puts_tail(stdscr, y++, left + 10, width - 10, p);
            crt_set(stdscr, ROLE_NORMAL);
        } else {
            panel_row(y++, left, width, "run", role, p);
        }
    }
    /* the latest events, newest first, each wrapped under its own start,
     * down to the bottom of the panel */
    if (y + 2 < bottom) {
        y++;
        crt_set(stdscr, ROLE_DIM);
        crt_puts(stdscr, y++, left, width, "events");
        for (int i = s->n_events - 1; i >= 0 && y < bottom; i--) {
            const TrainEvent *e = &s->events[i];
            if (e->kind == EVENT_STEP) continue;
            CrtRole role = ROLE_NORMAL;
            const char *g = crt_glyph(GLYPH_DOT);
            if (e->kind == EVENT_CHANGE || e->kind == EVENT_SCHEDULE) {
                role = ROLE_MARKER;
                g = crt_glyph(GLYPH_CHANGE);
            } else if (e->kind == EVENT_PAUSE) {
                role = ROLE_WARN;
                g = crt_glyph(GLYPH_PAUSE);
            } else if (e->kind == EVENT_WARNING) {
                role = ROLE_WARN;
            } else if (e->kind == EVENT_DIVERGED) {
                /* as the charts mark it */
                role = ROLE_BAD;
                g = crt_glyph(GLYPH_CHANGE);
            }
            char when[64], said[sizeof e->text + 16], line[sizeof when + sizeof said + 2];
            event_when(d, e->step, when, sizeof when);
            snprintf(line, sizeof line, "%s: %s", when, event_sentence(e, said, sizeof said));
            crt_set(stdscr, role);
            int used = crt_puts(stdscr, y, left, 2, g);
            crt_set(stdscr, ROLE_NORMAL);
            y += crt_wrap(stdscr, y, left + used + 1, width - used - 1, bottom - y, line);
        }
    }
    crt_set(stdscr, ROLE_NORMAL);
}

/* ---- overlays --------------------------------------------------------- */

static void draw_diverged(Dashboard *d, int top, int left, int height, int width)
{
    const TrainerSnapshot *s = snap(d);
    int bw = width - 8 < 70 ? width - 8 : 70;
    if (bw < 30) return;
    /* the trainer's message says which step's weights it went back to */
    const char *msg = s->message[0] ? s->message
                                    : "the loss became NaN or infinite. The weights went back "
                                      "to the last finite ones.";
    /* a rate that float32 makes inf, 0 or subnormal is set anew: halving
     * it takes many presses, each still inf (and one of 0 is too low) */
    char v[256];
    const char *note = optimizer_lr_float_note(s->hp.opt.lr);
    if (note)
        snprintf(v, sizeof v,
                 "Press e to edit the learning rate (now %.4g, %s), then space to resume.",
                 s->hp.opt.lr, note);
    else
        snprintf(v, sizeof v,
                 "Press - to halve the learning rate (now %.4g) or e to edit it, then space to "
                 "resume.",
                 s->hp.opt.lr);
    /* as tall as its text: the frame, the message, a blank row, the advice */
    int msg_rows = crt_wrap_part(NULL, 0, 0, bw - 4, 0, INT_MAX, msg);
    int adv_rows = crt_wrap_part(NULL, 0, 0, bw - 4, 0, INT_MAX, v);
    /* where the charts are shorter, the message gives rows first (its
     * end, the advice again, is what the advice says), the advice keeps 2 */
    if (msg_rows + adv_rows + 3 > height) {
        if (adv_rows > 2) adv_rows = 2;
        msg_rows = height - 3 - adv_rows;
    }
    int bh = msg_rows + adv_rows + 3;
    if (msg_rows < 1 || height < bh) return;
    int y0 = top + (height - bh) / 2, x0 = left + (width - bw) / 2;
    crt_box(stdscr, y0, x0, bh, bw, "training diverged", ROLE_BAD);
    crt_set(stdscr, ROLE_NORMAL);
    int y = y0 + 1;
    y += crt_wrap(stdscr, y, x0 + 2, bw - 4, msg_rows, msg);
    y++;
    crt_set(stdscr, ROLE_WARN);
    crt_wrap(stdscr, y, x0 + 2, bw - 4, y0 + bh - 1 - y, v);
    crt_set(stdscr, ROLE_NORMAL);
}

/* One choice of an overlay: its key and what it does. */
static int draw_choice(int y, int x, int width, const char *key, const char *text)
{
    crt_set(stdscr, ROLE_KEY);
    int used = crt_puts(stdscr, y, x, width, key);
    crt_set(stdscr, ROLE_NORMAL);
    used += 1 + crt_puts(stdscr, y, x + used + 1, width - used - 1, text);
    return used + 3;
}

static void draw_confirm(Dashboard *d, int rows, int cols)
{
    const Run *r = d->run;
    int bw = 64, bh = 7;
    if (bw > cols - 2) bw = cols - 2;
    int y0 = (rows - bh) / 2, x0 = (cols - bw) / 2, x = x0 + 2, iw = bw - 4;
    bool going = r->core->trainer && in_progress(snap(d)->status);
    char a[160], b[160];
    if (d->confirm == CONFIRM_RESTART) {
        crt_box(stdscr, y0, x0, bh, bw, "restart", ROLE_TITLE);
        crt_set(stdscr, ROLE_NORMAL);
        crt_puts(stdscr, y0 + 1, x, iw,
                 going ? "A new run with the current settings; this one ends."
                       : "A new run with the current settings.");
        crt_puts(stdscr, y0 + 2, x, iw,
                 "The same seed draws the same start and the same curve again.");
        snprintf(a, sizeof a, "keep seed %llu", (unsigned long long)r->opt.seed);
        snprintf(b, sizeof b, "new seed %llu", (unsigned long long)r->opt.seed + 1);
        x += draw_choice(y0 + 4, x, x0 + bw - 2 - x, "k", a);
        x += draw_choice(y0 + 4, x, x0 + bw - 2 - x, "n", b);
        draw_choice(y0 + 4, x, x0 + bw - 2 - x, "esc", "cancel");
        return;
    }
    /* asked while training ran; the run may have ended since (its last
     * epoch, early stopping, a divergence), and the box says so */
    bool setup = d->confirm == CONFIRM_SETUP;
    crt_box(stdscr, y0, x0, bh, bw, setup ? "back to setup?" : "quit?", ROLE_WARN);
    crt_set(stdscr, ROLE_NORMAL);
    TrainStatus st = snap(d)->status;
    bool running = going && st == TRAIN_RUNNING;
    crt_puts(stdscr, y0 + 1, x, iw,
             running                ? "Training is still running."
             : going                ? "Training is paused, not ended."
             : st == TRAIN_DIVERGED ? "Training has diverged."
                                    : "Training has ended.");
    crt_puts(stdscr, y0 + 2, x, iw,
             setup           ? (going ? "Stop it and go back to the setup form with these settings?"
                                      : "Go back to the setup form with these settings?")
             : !r->core->log ? "Quit now?"
             /* a resume trains a run stopped in its first epoch again */
             : snap(d)->epoch == 0 ? "Quit now? No epoch has finished: a resume starts again."
                                   : "Quit now? The best weights are saved.");
    x += draw_choice(y0 + 4, x, x0 + bw - 2 - x, "y",
                     !setup  ? "quit"
                     : going ? "stop, to setup"
                             : "to setup");
    draw_choice(y0 + 4, x, x0 + bw - 2 - x, "n", running ? "keep training" : "stay");
}

/* At most, the rows of the e form's message: a refusal with its range. */
#define EDIT_MESSAGE_ROWS 3

static void draw_edit(Dashboard *d, int rows, int cols)
{
    int bw = cols - 4 < 96 ? cols - 4 : 96, bh = rows - 4 < 22 ? rows - 4 : 22;
    int y0 = (rows - bh) / 2, x0 = (cols - bw) / 2;
    crt_box(stdscr, y0, x0, bh, bw, "hyperparameters: applied at the next batch", ROLE_TITLE);
    const FormField *f = form_focused(&d->edit);
    /* the whole reason a value is refused, naming its row (whose column
     * may cut it short), word wrapped onto rows the form gives up; else
     * the field's help */
    bool bad = f && f->error[0];
    /* the data rows do what their setup rows do not: say how it changes */
    bool data = f && f->spec && !option_live(f->spec) && f->spec->kind != OPTKIND_PACE;
    char m[sizeof f->error + 64];
    if (bad)
        snprintf(m, sizeof m, "%s: %s", f->label, f->error);
    else
        text_copy(m, sizeof m,
                  data ? "drawn again with the same seed at the next batch; the weights stay"
                  : f && f->spec ? f->spec->help
                                 : "enter: apply or cancel   esc: close");
    int msg_rows = bad ? crt_wrap_part(NULL, 0, 0, bw - 4, 0, INT_MAX, m) : 1;
    if (msg_rows > EDIT_MESSAGE_ROWS) msg_rows = EDIT_MESSAGE_ROWS;
    if (msg_rows < 1) msg_rows = 1;
    form_draw(&d->edit, stdscr, y0 + 1, x0 + 2, bh - 3 - msg_rows, bw - 4);
    crt_set(stdscr, bad ? ROLE_BAD : ROLE_DIM);
    crt_wrap(stdscr, y0 + bh - 1 - msg_rows, x0 + 2, bw - 4, msg_rows, m);
    /* what this form cannot change, and where it can: a data file's rows
     * are what they are, a generated set is drawn again (edit_rows) */
    crt_set(stdscr, ROLE_DIM);
    crt_puts(stdscr, y0 + bh - 2 - msg_rows, x0 + 2, bw - 4,
             d->run->borrowed ? "network, data, epochs, seed: fixed for a sweep trial"
             : data_live(d->run)
                 ? "network, dataset, epochs, seed: o goes back to the setup form"
                 : "noise, split live for generated sets only; o goes back to the setup form");
    crt_set(stdscr, ROLE_NORMAL);
}

/* ---- the frame -------------------------------------------------------- */

static void draw_header(Dashboard *d, int cols)
{
    const Run *r = d->run;
    crt_set(stdscr, ROLE_HEADER);
    mvhline(0, 0, ' ', cols);
    char arch[200];
    /* the network as the edits made so far left it */
    const ModelShape *shape = r->has_snap && snap(d)->shape.n_layers ? &snap(d)->shape : &r->shape;
    run_shape_text(shape, arch, sizeof arch);
    char v[512];
    const Dataset *ds = &r->core->sess->all;
    /* no hidden layer (--layers ""): no hidden activation to name */
    char act[48] = "";
    if (shape->n_layers > 1)
        snprintf(act, sizeof act, " %s",
                 model_shape_mixed(shape) ? "mixed" : activation_name(shape->hidden));
    snprintf(v, sizeof v, " gradtop  %s (%zu rows)  %s%s  %s ", ds->name, ds->n, arch, act,
             optimizer_names[snap(d)->hp.opt.kind]);
    int used = crt_puts(stdscr, 0, 0, cols, v);
    /* the views, the current one marked: all that fit, always the current
     * one, with < or > where some are left out */
    int avail = cols - used, total = 0;
    for (int i = 0; i < n_views; i++) total += (int)strlen(views[i].name) + 2;
    int a = 0, b = n_views - 1;
    if (total > avail) {
        avail -= 2; /* room for the marks */
        a = b = d->view;
        total = (int)strlen(views[d->view].name) + 2;
        for (bool grew = true; grew;) {
            grew = false;
            int wr = b + 1 < n_views ? (int)strlen(views[b + 1].name) + 2 : 0;
            if (wr && total + wr <= avail) b++, total += wr, grew = true;
            int wl = a > 0 ? (int)strlen(views[a - 1].name) + 2 : 0;
            if (wl && total + wl <= avail) a--, total += wl, grew = true;
        }
        if (total > avail) {
            crt_set(stdscr, ROLE_NORMAL);
            return;
        }
    }
    int x = cols - total - (b < n_views - 1 ? 1 : 0);
    if (a > 0) crt_puts(stdscr, 0, x - 1, 1, "<");
    for (int i = a; i <= b; i++) {
        int l = (int)strlen(views[i].name) + 2;
        char t[40];
        snprintf(t, sizeof t, i == d->view ? "[%s]" : " %s ", views[i].name);
        wattrset(stdscr, crt_attr(ROLE_HEADER) | (i == d->view ? A_BOLD : 0));
        crt_puts(stdscr, 0, x, l, t);
        x += l;
    }
    crt_set(stdscr, ROLE_HEADER);
    if (b < n_views - 1) crt_puts(stdscr, 0, x, 1, ">");
    crt_set(stdscr, ROLE_NORMAL);
}

static void draw_message(Dashboard *d, int y, int cols)
{
    const TrainerSnapshot *s = snap(d);
    mvhline(y, 0, ' ', cols);
    ErrorCode rc;
    Error err;
    if (run_finished(d->run, &rc, &err) && rc != ERROR_NONE && rc != ERROR_DIVERGED) {
        crt_set(stdscr, ROLE_BAD);
        crt_puts(stdscr, y, 1, cols - 2, err.msg);
    } else if (d->notice[0] && screen_now() < d->notice_until &&
               !(d->notice_resumes && s->status == TRAIN_DIVERGED)) {
        crt_set(stdscr, d->notice_role);
        crt_puts(stdscr, y, 1, cols - 2, d->notice);
    } else if (!d->run->core->trainer) {
        crt_set(stdscr, ROLE_BAD);
        crt_puts(stdscr, y, 1, cols - 2, "no run: press r to start one, q to quit");
    } else if (d->run->borrowed && d->trial_line[0]) {
        crt_set(stdscr, ROLE_DIM);
        crt_puts(stdscr, y, 1, cols - 2, d->trial_line);
    } else if (s->status == TRAIN_DONE || s->status == TRAIN_EARLY_STOPPED ||
               s->status == TRAIN_STOPPED) {
        crt_set(stdscr, ROLE_DIM);
        crt_puts(stdscr, y, 1, cols - 2,
                 d->run->in_sweep
                     ? "training has ended: r starts a new run, q goes back to the sweep"
                     : "training has ended: r starts a new run, o goes back to the setup form, "
                       "q quits");
    } else if (s->status == TRAIN_PAUSED) {
        crt_set(stdscr, ROLE_DIM);
        crt_puts(stdscr, y, 1, cols - 2,
                 "paused: space resumes, n trains one batch, N to the end of the epoch");
    }
    crt_set(stdscr, ROLE_NORMAL);
}

/* Where the run stands, for the key bar. */
static KeyState key_state(const Dashboard *d)
{
    if (!d->run->core->trainer) return KEYS_ENDED;
    switch (snap(d)->status) {
    case TRAIN_RUNNING: return KEYS_RUNNING;
    case TRAIN_PAUSED: return KEYS_PAUSED;
    case TRAIN_DIVERGED: return KEYS_DIVERGED;
    default: return KEYS_ENDED;
    }
}

static void draw(Dashboard *d)
{
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    erase();
    if (cols < DASHBOARD_MIN_COLS || rows < DASHBOARD_MIN_ROWS) {
        char m[128];
        snprintf(m, sizeof m, "terminal too small: need at least %dx%d (now %dx%d)",
                 DASHBOARD_MIN_COLS, DASHBOARD_MIN_ROWS, cols, rows);
        crt_set(stdscr, ROLE_WARN);
        int l = (int)strlen(m);
        if (l > cols) {
            crt_wrap(stdscr, 0, 0, cols, rows, m);
        } else {
            crt_puts(stdscr, rows / 2, (cols - l) / 2, cols, m);
        }
        crt_set(stdscr, ROLE_NORMAL);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    /* the panel, its events list above all, grows with a wide terminal */
    int panel_w = cols >= 160 ? cols / 4 : cols >= 110 ? 36 : 31;
    if (panel_w > 60) panel_w = 60;
    /* a diagnosis too long for one row takes the rows it needs from the body */
    char diag[256] = "";
    DiagnosisKind diag_kind = DIAG_HEALTHY;
    int diag_rows = 1;
    if (d->run->has_snap) {
        diag_kind = diagnosis_text(d, diag, sizeof diag);
        diag_rows = diagnosis_rows(diag, cols);
    }
    int body_top = 1, body_h = rows - 3 - diag_rows;
    int chart_w = cols - panel_w - 2; /* a blank column before the panel's rule */
    draw_header(d, cols);
    live_sync(d, body_h, chart_w);
    if (d->run->has_snap) {
        views[d->view].draw(d, body_top, 0, body_h, chart_w);
        draw_panel(d, body_top, cols - panel_w, body_h, panel_w);
        if (snap(d)->status == TRAIN_DIVERGED) draw_diverged(d, body_top, 0, body_h, chart_w);
    }
    if (d->run->has_snap) draw_diagnosis(diag_kind, diag, rows - 2 - diag_rows, diag_rows, cols);
    draw_message(d, rows - 2, cols);
    /* the key bar is the form's while it is open */
    if (d->editing)
        form_draw_keys(&d->edit, stdscr, rows - 1, cols);
    else
        keys_draw_bar(stdscr, rows - 1, cols, key_state(d), d->view == VIEW_BOUNDARY,
                      d->view == VIEW_NETWORK);
    if (d->editing) draw_edit(d, rows, cols);
    if (d->help) help_draw(stdscr, rows, cols, &d->help_scroll);
    if (d->confirm != CONFIRM_NONE) draw_confirm(d, rows, cols);
    wnoutrefresh(stdscr);
    doupdate();
}

/* ---- keys ------------------------------------------------------------- */

/* The edit form's rows: what a run takes without restarting, the
 * hyperparameters (option_live) and the pace, and with data a generated
 * set's noise and split (drawn again: trainrun_change_data); the rest is
 * the setup form's (o). */
static bool edit_row(const OptionSpec *spec, bool data)
{
    return option_live(spec) || spec->kind == OPTKIND_PACE ||
           (data && (spec == options_find("noise") || spec == options_find("val-split")));
}

static void edit_open(Dashboard *d)
{
    Run *r = d->run;
    if (!r->core->trainer) return;
    run_sync_options(r);
    form_init(&d->edit, &r->opt);
    bool data = data_live(r);
    for (size_t i = 0; i < option_count; i++)
        if (edit_row(&option_table[i], data)) form_add(&d->edit, &option_table[i], false);
    form_add_button(&d->edit, "Apply");
    form_add_button(&d->edit, "Cancel");
    form_set_esc(&d->edit, "close");
    d->editing = true;
    /* the help is drawn over everything: left open, it would hide the form
     * that now takes the keys */
    d->help = false;
}

static void follow_data(Dashboard *d);

static void edit_apply(Dashboard *d)
{
    Run *r = d->run;
    const Options *o = &d->edit.opt;
    Trainer *t = r->core->trainer;
    /* Waits for the answers, as + and - do, so that the frame that says
     * "applied" shows the values in force. */
    trainer_await(t, trainer_set_hparams(t, &o->hp), &(TrainerReply){0});
    if (o->pace.unit != r->opt.pace.unit || o->pace.rate != r->opt.pace.rate)
        trainer_await(t, trainer_set_pace(t, o->pace), &(TrainerReply){0});
    bool data = data_live(r) && (o->noise != r->opt.noise || o->val_split != r->opt.val_split);
    double noise = o->noise, val_split = o->val_split;
    r->opt = *o;
    /* the data's values are those in force until the change is (follow_data) */
    r->opt.noise = r->core->sess->opt.noise;
    r->opt.val_split = r->core->sess->opt.val_split;
    notify(d, ROLE_MARKER, "hyperparameters applied from the next batch");
    if (data) {
        /* drawn again here, swapped in by the trainer at its next batch */
        long seq = 0;
        Error err;
        error_clear(&err);
        if (trainrun_change_data(r->core, noise, val_split, r->exe_dir, &seq, &err))
            notify(d, ROLE_BAD, "data not changed: %s", err.msg);
        else
            trainer_await(t, seq, &(TrainerReply){0});
        follow_data(d);
    }
    run_update(r);
}

static void key_edit(Dashboard *d, int ch)
{
    FormEvent ev = form_key(&d->edit, ch);
    if (ev == FORM_SUBMIT || (ev == FORM_BUTTON && form_button(&d->edit) == 0)) {
        if (!form_check(&d->edit)) return;
        edit_apply(d);
        d->editing = false;
    } else if (ev == FORM_CANCEL || ev == FORM_BUTTON) {
        notify(d, ROLE_NORMAL, "edit cancelled: nothing changed");
        d->editing = false;
    }
}

static void restart(Dashboard *d, bool new_seed)
{
    Run *r = d->run;
    run_end(r);
    unsigned long long old_seed = (unsigned long long)r->opt.seed;
    Error err;
    error_clear(&err);
    if (new_seed) {
        /* The next seed, not the clock's: a run that can be repeated.  The
         * seed also splits the data (and draws a generated set), so the
         * data is loaded again: the run is then what `gradtop train` with
         * the seed its config.txt records gives. */
        r->opt.seed++;
        if (run_open(r, &err)) {
            r->opt.seed = (uint64_t)old_seed;
            Error again;
            if (run_open(r, &again)) {
                /* no data to show: the setup form's preview says why */
                d->quit = d->to_setup = true;
                return;
            }
            notify(d, ROLE_BAD, "restart failed: %s", err.msg);
            return;
        }
        d->chance_of = NULL; /* the new split's chance levels */
    }
    if (run_start(r, &err)) {
        notify(d, ROLE_BAD, "restart failed: %s", err.msg);
        return;
    }
    d->table.back = 0;
    history_load(d);
    if (new_seed)
        notify(d, ROLE_GOOD, "restarted with seed %llu (was %llu)%s%s",
               (unsigned long long)r->opt.seed, old_seed, r->core->log_path[0] ? ": " : "",
               r->core->log_path);
    else
        notify(d, ROLE_GOOD, "restarted with the same seed %llu%s%s", old_seed,
               r->core->log_path[0] ? ": " : "", r->core->log_path);
}

/* x and p on a set trained on --features: its boundary is always drawn
 * over the x1 and x2 its inputs are made from (live.c), so they only say
 * so.  True when that is the case. */
static bool boundary_over_plane(Dashboard *d, const Run *r, char key)
{
    if (!r->core->sess->all.plane) return false;
    d->view = VIEW_BOUNDARY;
    notify(d, ROLE_NORMAL,
           "%c: the inputs are made from x1 and x2 (--features): the boundary is always drawn "
           "over them",
           key);
    return true;
}

/* A change of the data that the trainer answered: the run is on the new
 * data (or kept the old), and the settings the setup form gets back (o)
 * and a restart (r) take its noise and split. */
static void follow_data(Dashboard *d)
{
    Run *r = d->run;
    TrainerReply rep;
    if (!trainrun_data_settle(r->core, &rep)) return;
    r->opt.noise = r->core->sess->opt.noise;
    r->opt.val_split = r->core->sess->opt.val_split;
    d->chance_of = NULL; /* the new split's chance levels */
    if (rep.done)
        notify(d, ROLE_MARKER, "data drawn again with seed %llu: %s",
               (unsigned long long)r->opt.seed, rep.text);
    else
        notify(d, ROLE_BAD, "data not changed: %s", rep.text);
}

/* Edits of the network, once applied, are the run's settings too (run.h):
 * r restarts with the network as edited.  Options hold one activation for
 * every layer: when an edit gave layers different ones, the run's own
 * stays, and a restart gives it to every layer. */
static void follow_network(Dashboard *d)
{
    Run *r = d->run;
    const ModelShape *s = &snap(d)->shape;
    if (!r->has_snap || s->n_layers < 1 || reshape_same_shape(s, &r->shape)) return;
    r->opt.n_layers = s->n_layers - 1;
    for (int i = 0; i < r->opt.n_layers; i++) r->opt.layers[i] = s->sizes[i + 1];
    if (s->n_layers > 1 && !model_shape_mixed(s)) r->opt.activation = s->act[0];
}

/* Keeps the network view's cursor inside the network as last published. */
static void net_clamp(Dashboard *d)
{
    const ModelShape *s = &snap(d)->shape;
    if (!d->run->has_snap || s->n_layers < 1) return;
    if (d->net_layer > s->n_layers) d->net_layer = s->n_layers;
    if (d->net_layer < 0) d->net_layer = 0;
    if (d->net_unit >= s->sizes[d->net_layer]) d->net_unit = s->sizes[d->net_layer] - 1;
    if (d->net_unit < 0) d->net_unit = 0;
}

/* The network view's keys: the cursor, and the edits of the network at the
 * cursor, which the trainer applies between batches. */
static void net_action(Dashboard *d, Action a)
{
    Run *r = d->run;
    const ModelShape *s = &snap(d)->shape;
    if (!r->has_snap || s->n_layers < 1) return;
    switch (a) {
    case ACTION_NET_LEFT: d->net_layer--; break;
    case ACTION_NET_RIGHT: d->net_layer++; break;
    case ACTION_NET_UP: d->net_unit--; break;
    case ACTION_NET_DOWN: d->net_unit++; break;
    default: break;
    }
    net_clamp(d);
    if (a == ACTION_NET_LEFT || a == ACTION_NET_RIGHT || a == ACTION_NET_UP || a == ACTION_NET_DOWN)
        return;
    int k = d->net_layer, L = s->n_layers;
    bool hidden = k >= 1 && k < L;
    ReshapeEdit e = {.layer = k, .unit = d->net_unit, .act = s->hidden};
    switch (a) {
    case ACTION_UNIT_ADD:
        e.kind = RESHAPE_ADD_UNIT;
        e.unit = d->net_unit + 1;
        break;
    case ACTION_UNIT_REMOVE: e.kind = RESHAPE_REMOVE_UNIT; break;
    case ACTION_LAYER_ADD:
        /* as the chosen layer, or the run's own after the inputs */
        e.kind = RESHAPE_ADD_LAYER;
        if (hidden) e.act = s->act[k - 1];
        break;
    case ACTION_LAYER_REMOVE: e.kind = RESHAPE_REMOVE_LAYER; break;
    default:
        e.kind = RESHAPE_ACTIVATION;
        if (hidden) e.act = (Activation)((s->act[k - 1] + 1) % ACTIVATION_LINEAR);
        break;
    }
    /* answered at the next batch boundary (at once while paused): the
     * reply says what the edit did, or why it could not be */
    TrainerReply rep;
    long seq = trainer_reshape(r->core->trainer, &e);
    if (!seq) {
        notify(d, ROLE_WARN, "too many commands are waiting: wait for a batch");
        return;
    }
    if (!trainer_await(r->core->trainer, seq, &rep)) {
        notify(d, ROLE_NORMAL, "network edit asked");
        return;
    }
    if (!rep.done) {
        notify(d, ROLE_WARN, "%s%s", rep.text,
               train_status_ended(rep.status) ? ": r starts a new run" : "");
        return;
    }
    run_update(r);
    /* the cursor on what was added */
    if (a == ACTION_UNIT_ADD) d->net_unit++;
    if (a == ACTION_LAYER_ADD) d->net_layer++;
    notify(d, ROLE_MARKER, "%s", rep.text);
}

/* A sweep trial's dashboard (run.h: borrowed): q goes back to the sweep,
 * the trial going on; the sweep made the run, so it is neither restarted
 * nor taken back to setup, and its network, part of the search, is not
 * edited.  True when a was taken here. */
static bool trial_action(Dashboard *d, Action a)
{
    switch (a) {
    case ACTION_QUIT: d->quit = true; return true;
    case ACTION_RESTART:
    case ACTION_SETUP:
        notify(d, ROLE_WARN, "a sweep trial is the sweep's: esc goes back to the sweep");
        return true;
    case ACTION_UNIT_ADD:
    case ACTION_UNIT_REMOVE:
    case ACTION_LAYER_ADD:
    case ACTION_LAYER_REMOVE:
    case ACTION_ACTIVATION:
        notify(d, ROLE_WARN,
               "a sweep trial's network is part of the search: it is not edited here");
        return true;
    default: return false;
    }
}

/* Whether the run has ended (a diverged one waits to be resumed): then
 * key, which acts on a run that trains, says so. */
static bool ended(Dashboard *d, char key)
{
    TrainStatus st = snap(d)->status;
    if (!train_status_ended(st) || st == TRAIN_DIVERGED) return false;
    const Run *r = d->run;
    notify(d, ROLE_WARN, "%c: the run has ended: %s", key,
           r->borrowed   ? "q goes back to the sweep"
           : r->in_sweep ? "r starts a new run, q goes back to the sweep"
                         : "r starts a new run, o goes back to the setup form");
    return true;
}

static void on_action(Dashboard *d, Action a)
{
    Run *r = d->run;
    Trainer *t = r->core->trainer;
    const TrainerSnapshot *s = snap(d);
    if (r->borrowed && trial_action(d, a)) return;
    if (r->in_sweep && a == ACTION_SETUP) {
        notify(d, ROLE_WARN, "a run opened from the sweep has no setup form: q goes back to it");
        return;
    }
    if (!t && a != ACTION_QUIT && a != ACTION_RESTART && a != ACTION_SETUP && a != ACTION_HELP &&
        a != ACTION_NEXT_VIEW && a != ACTION_HISTORY) {
        notify(d, ROLE_BAD, "no run: press r to start one");
        return;
    }
    switch (a) {
    case ACTION_NONE:
    /* the sweep screen's own: bound in sweep_key_table only */
    case ACTION_SWEEP_PAUSE_ALL:
    case ACTION_SWEEP_PAUSE:
    case ACTION_SWEEP_STOP:
    case ACTION_SWEEP_PROMOTE:
    case ACTION_SWEEP_OPEN:
    case ACTION_SWEEP_BEST:
    case ACTION_SWEEP_ORDER:
    case ACTION_SWEEP_NEXT_PARAM:
    case ACTION_SWEEP_PREV_PARAM: break;
    case ACTION_PAUSE:
        if (in_progress(s->status) || s->status == TRAIN_DIVERGED) {
            /* answered at the next batch boundary: the next key read in
             * this frame sees what it did (space, space: pause, resume) */
            TrainerReply rep;
            if (!trainer_await(t, trainer_toggle_pause(t), &rep))
                notify(d, ROLE_NORMAL, "space: asked");
            else if (!rep.done)
                notify(d, ROLE_WARN, "space: %s", rep.text);
            else {
                bool diverged = s->status == TRAIN_DIVERGED;
                notify(d, ROLE_NORMAL, rep.status == TRAIN_PAUSED ? "paused" : "resuming");
                d->notice_resumes = diverged;
            }
        } else {
            notify(d, ROLE_WARN, "training has ended: r starts a new run");
        }
        break;
    case ACTION_STEP: {
        TrainerReply rep;
        if (ended(d, 'n')) break;
        if (trainer_await(t, trainer_step_once(t), &rep) && rep.done)
            notify(d, ROLE_NORMAL, "one batch, then paused again");
        else
            notify(d, ROLE_WARN, "n trains one batch while paused (space pauses)");
        break;
    }
    case ACTION_STEP_EPOCH: {
        TrainerReply rep;
        if (ended(d, 'N')) break;
        if (trainer_await(t, trainer_step_epoch(t), &rep) && rep.done)
            notify(d, ROLE_NORMAL, "%s, then paused again", rep.text);
        else
            notify(d, ROLE_WARN, "N trains to the end of the epoch while paused (space pauses)");
        break;
    }
    case ACTION_LR_UP:
    case ACTION_LR_DOWN: {
        double f = a == ACTION_LR_UP ? 2.0 : 0.5;
        double old = s->hp.opt.lr;
        TrainerReply rep;
        if (ended(d, a == ACTION_LR_UP ? '+' : '-')) break;
        if (trainer_await(t, trainer_scale_lr(t, f), &rep) && !rep.done) {
            notify(d, ROLE_WARN, "%c: %s", a == ACTION_LR_UP ? '+' : '-', rep.text);
            break;
        }
        run_update(r);
        char now[64];
        notify(d, ROLE_MARKER, "learning rate %.4g %s %s from the next batch", old,
               crt_glyph(GLYPH_ARROW), optimizer_format_lr(snap(d)->hp.opt.lr, 4, now, sizeof now));
        break;
    }
    case ACTION_FASTER:
    case ACTION_SLOWER: {
        /* kept in the run's options too, so that r restarts at this pace */
        r->opt.pace = pace_step(trainer_pace(t), a == ACTION_FASTER);
        trainer_await(t, trainer_set_pace(t, r->opt.pace), &(TrainerReply){0});
        run_update(r);
        char p[32];
        pace_describe(r->opt.pace, p, sizeof p);
        notify(d, ROLE_NORMAL, "pace %s%s", p,
               r->opt.pace.unit == PACE_MAX ? ": as fast as it goes" : "");
        break;
    }
    case ACTION_EDIT:
        if (!ended(d, 'e')) edit_open(d);
        break;
    case ACTION_STOP:
        if (in_progress(s->status)) {
            trainer_stop(t);
            notify(d, ROLE_WARN, "stopping: the best weights are kept");
        } else {
            notify(d, ROLE_WARN, "training is not running");
        }
        break;
    case ACTION_RESTART: d->confirm = CONFIRM_RESTART; break;
    case ACTION_SETUP:
        if (t && in_progress(s->status))
            d->confirm = CONFIRM_SETUP;
        else
            d->quit = d->to_setup = true;
        break;
    case ACTION_NO_LOG:
        if (run_log_off(r)) {
            if (trainer_status(t) == TRAIN_PAUSED) trainer_resume(t);
            notify(d, ROLE_WARN, "going on without run files: %s keeps what was written",
                   r->core->log_path);
        } else {
            notify(d, ROLE_WARN, "w is for when a run file cannot be written: nothing to do");
        }
        break;
    case ACTION_LOG:
        d->log_y = !d->log_y;
        notify(d, ROLE_NORMAL, "log scale %s", d->log_y ? "on" : "off");
        break;
    case ACTION_SMOOTH_LESS:
    case ACTION_SMOOTH_MORE: {
        /* 0, 0.1, ..., 0.9, 0.95, 0.99 */
        static const double levels[] = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99};
        int n = (int)(sizeof levels / sizeof levels[0]), k = 0;
        for (int i = 0; i < n; i++)
            if (fabs(levels[i] - d->smoothing) < fabs(levels[k] - d->smoothing)) k = i;
        k += a == ACTION_SMOOTH_MORE ? 1 : -1;
        if (k < 0) k = 0;
        if (k >= n) k = n - 1;
        d->smoothing = levels[k];
        notify(d, ROLE_NORMAL, "smoothing %.2g", d->smoothing);
        break;
    }
    case ACTION_NEXT_VIEW: d->view = (d->view + 1) % n_views; break;
    case ACTION_PREV_VIEW: d->view = (d->view + n_views - 1) % n_views; break;
    case ACTION_PAIR: {
        int dd = r->core->sess->all.d;
        if (boundary_over_plane(d, r, 'x')) break;
        if (dd < 3) {
            notify(d, ROLE_WARN, "x: there are only %d features", dd);
            break;
        }
        /* every pair (fx, fy), fx < fy, in order; from the PCA plane, the
         * current pair first */
        if (d->pca) {
            d->pca = false;
        } else if (++d->fy >= dd) {
            if (++d->fx >= dd - 1) d->fx = 0;
            d->fy = d->fx + 1;
        }
        d->view = VIEW_BOUNDARY;
        notify(d, ROLE_NORMAL, "boundary over features %s and %s, the others at their mean",
               r->core->sess->all.feature_names ? r->core->sess->all.feature_names[d->fx] : "?",
               r->core->sess->all.feature_names ? r->core->sess->all.feature_names[d->fy] : "?");
        break;
    }
    case ACTION_PCA:
        if (boundary_over_plane(d, r, 'p')) break;
        d->pca = !d->pca;
        d->view = VIEW_BOUNDARY;
        notify(d, ROLE_NORMAL, "boundary over %s",
               d->pca ? "the first two principal components" : "a pair of features");
        break;
    case ACTION_GRADCHECK:
        /* while training stands still live_idle runs it on these weights */
        d->gradcheck++;
        d->view = VIEW_GRADIENT;
        if (s->status == TRAIN_RUNNING && trainer_status(t) == TRAIN_RUNNING)
            notify(d, ROLE_NORMAL, "gradcheck runs at the next batch");
        else
            notify(d, ROLE_NORMAL, "gradcheck on the weights of step %ld",
                   s->step - s->steps_undone);
        break;
    case ACTION_VAL_POINTS:
        d->hide_val = !d->hide_val;
        d->view = VIEW_BOUNDARY;
        notify(d, ROLE_NORMAL, "boundary: %s",
               d->hide_val ? "training points only" : "training and validation points");
        break;
    case ACTION_DISCRETE:
        d->discrete = !d->discrete;
        d->view = VIEW_BOUNDARY;
        notify(d, ROLE_NORMAL, "boundary: %s",
               d->discrete ? "discretized, hard regions" : "shades of confidence");
        break;
    case ACTION_HISTORY:
        if (d->hist.n == 0) {
            notify(d, ROLE_WARN, "b: no earlier finished runs on %s%s%s", r->core->sess->all.name,
                   r->opt.no_log ? " (this run is not logged)" : " in ",
                   r->opt.no_log ? "" : r->opt.logdir);
            break;
        }
        d->hist.hidden = !d->hist.hidden;
        d->view = VIEW_CHARTS;
        notify(d, ROLE_NORMAL, "earlier runs %s", d->hist.hidden ? "hidden" : "shown");
        break;
    case ACTION_NET_LEFT:
    case ACTION_NET_RIGHT:
    case ACTION_NET_UP:
    case ACTION_NET_DOWN:
    case ACTION_UNIT_ADD:
    case ACTION_UNIT_REMOVE:
    case ACTION_LAYER_ADD:
    case ACTION_LAYER_REMOVE:
    case ACTION_ACTIVATION: net_action(d, a); break;
    case ACTION_HELP:
        d->help = !d->help;
        d->help_scroll = 0;
        break;
    case ACTION_QUIT:
        if (t && in_progress(s->status))
            d->confirm = CONFIRM_QUIT;
        else
            d->quit = true;
        break;
    }
}

static void on_confirm(Dashboard *d, int ch)
{
    bool cancel = ch == KEY_ESC || ch == 'q' || ch == 'c';
    switch (d->confirm) {
    case CONFIRM_NONE: break;
    case CONFIRM_QUIT:
    case CONFIRM_SETUP:
        if (ch == 'y' || ch == 'Y') {
            d->quit = true;
            d->to_setup = d->confirm == CONFIRM_SETUP;
        } else if (ch != 'n' && ch != 'N' && !cancel) {
            return;
        }
        break;
    case CONFIRM_RESTART:
        if (ch == 'k' || ch == 'K' || ch == 'n' || ch == 'N') {
            d->confirm = CONFIRM_NONE;
            restart(d, ch == 'n' || ch == 'N');
            return;
        }
        if (!cancel) return;
        break;
    }
    d->confirm = CONFIRM_NONE;
}

static void on_key(Dashboard *d, int ch)
{
    if (ch == KEY_RESIZE) return; /* the next frame is drawn at the new size */
    if (d->confirm != CONFIRM_NONE) {
        on_confirm(d, ch);
        return;
    }
    if (d->editing) {
        key_edit(d, ch);
        return;
    }
    if (d->help && (ch == KEY_ESC || ch == 'q' || ch == '?' || ch == 'h')) {
        d->help = false;
        return;
    }
    if (d->help && help_scroll_key(ch, &d->help_scroll, LINES - 8)) return;
    /* the epochs table scrolls */
    if (d->view == VIEW_EPOCHS && listview_key(&d->table, ch)) return;
    if (ch == KEY_ESC) {
        d->help = false;
        if (d->run->borrowed) d->quit = true; /* back to the sweep */
        return;
    }
    on_action(d, keys_action(ch, d->view == VIEW_NETWORK));
}

/* The boundary view's first pair: the first two features that vary over
 * (the first 5000 rows of) the training part, so that a set with constant
 * leading columns (digits' edge pixels) does not open on a flat map. */
static void first_varying_pair(const Dataset *ds, int *fx, int *fy)
{
    *fx = 0;
    *fy = 1;
    size_t n = ds->n < 5000 ? ds->n : 5000, d = (size_t)ds->d;
    int found = 0, pick[2] = {0, 1};
    for (size_t j = 0; j < d && found < 2; j++)
        for (size_t i = 1; i < n; i++)
            if (ds->x[i * d + j] != ds->x[j]) {
                pick[found++] = (int)j;
                break;
            }
    if (found == 2) {
        *fx = pick[0];
        *fy = pick[1];
    }
}

static double dash_frame(void *ctx)
{
    Dashboard *d = ctx;
    Run *run = d->run;
    bool had_error = run->core->log_error[0] != '\0';
    run_update(run);
    if (run->borrowed && run->describe)
        d->trial_waits = run->describe(run->describe_ctx, d->trial_line, sizeof d->trial_line);
    follow_network(d);
    follow_data(d);
    if (!had_error && run->core->log && run->core->log_error[0])
        notify(d, ROLE_BAD, "%s: training paused; w goes on without run files, s stops, q quits",
               run->core->log_error);
    draw(d);
    bool busy = run->has_snap && run->snap.status == TRAIN_RUNNING;
    return busy ? SCREEN_BUSY_S : SCREEN_IDLE_S;
}

static void dash_key(void *ctx, int ch)
{
    on_key(ctx, ch);
}

static bool dash_done(void *ctx)
{
    const Dashboard *d = ctx;
    return d->quit;
}

int dashboard_run(Run *run, bool *to_setup)
{
    Dashboard d;
    memset(&d, 0, sizeof d);
    d.run = run;
    d.smoothing = 0.6;
    d.table.log = true;
    first_varying_pair(&run->core->sess->train, &d.fx, &d.fy);
    /* Beyond a handful of features one pair says little: start on PCA. */
    d.pca = run->core->sess->all.d > 4;
    d.ld = calloc(1, sizeof *d.ld);
    if (!d.ld) return 1;
    history_load(&d);
    ScreenHooks hooks = {.ctx = &d, .frame = dash_frame, .key = dash_key, .done = dash_done};
    int code = screen_loop(&hooks);
    if (code) d.exit_code = code;
    /* as `gradtop train` exits: 3 when the run diverged, before 128 + a
     * signal */
    if (run_exit_code(run) == 3) d.exit_code = 3;
    *to_setup = d.to_setup && !code;
    history_free(&d.hist);
    free(d.buf);
    free(d.markers);
    free(d.ld);
    return d.exit_code;
}
