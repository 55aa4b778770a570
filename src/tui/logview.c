/*
 * logview.c - `gradtop view [LOGDIR]`.  See logview.h.
 *
 * The loop (screen.h): wait for a key, a signal or the next refresh (every
 * 500 ms); on a refresh that changed something, rebuild the list (filter,
 * sort, the differing-hyperparameter columns, the metrics); redraw only when
 * something changed, into stdscr, with one doupdate().  The RunSet is the
 * model, the list is a view of it: rows point at RunInfo records, which stay
 * valid until runset_free, and the selection is kept per run (by discovery
 * index), so it survives sorting, filtering and refreshing.
 */
#include "logview.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chart.h"
#include "chartview.h"
#include "crt.h"
#include "listview.h"
#include "textedit.h"
#include "screen.h"
#include "palette.h"
#include "gradtop/logdir/runset.h"
#include "keys.h"
#include "text.h"

#define KEY_ESC 27
#define REFRESH_S 0.5
/* Runs overlaid on the charts at most (two series each: train and val). */
#define VIEW_MAX_OVERLAY (CHARTVIEW_MAX_SERIES / 2)
/* Without colour, at most as many as there are letters to tell them by. */
#define VIEW_MAX_LETTERED 26
#define FILTER_CAP 256
#define METRIC_CAP 96

typedef enum {
    VA_NONE,
    VA_UP,
    VA_DOWN,
    VA_PAGE_UP,
    VA_PAGE_DOWN,
    VA_HOME,
    VA_END,
    VA_TOGGLE,
    VA_ONLY,
    VA_ALL,
    VA_FILTER,
    VA_SORT,
    VA_REVERSE,
    VA_NEXT_METRIC,
    VA_PREV_METRIC,
    VA_LOG,
    VA_SMOOTH_LESS,
    VA_SMOOTH_MORE,
    VA_HELP,
    VA_QUIT,
} ViewAction;

typedef struct {
    int key, alt, alt2;
    const char *label; /* how the key is written */
    const char *bar;   /* a word for the key bar, or NULL */
    const char *help;  /* a sentence for the help overlay */
    ViewAction action;
} ViewKey;

static const ViewKey view_keys[] = {
    {KEY_UP, 'k', 0, "up/k", NULL, "move up the list", VA_UP},
    {KEY_DOWN, 'j', 0, "down/j", "move", "move down the list", VA_DOWN},
    {KEY_PPAGE, 0, 0, "pgup", NULL, "a page up", VA_PAGE_UP},
    {KEY_NPAGE, 0, 0, "pgdn", NULL, "a page down", VA_PAGE_DOWN},
    {KEY_HOME, 'g', 0, "home/g", NULL, "first run", VA_HOME},
    {KEY_END, 'G', 0, "end/G", NULL, "last run", VA_END},
    {' ', 0, 0, "space", "overlay", "add the run to the charts, or take it off", VA_TOGGLE},
    {'\n', '\r', KEY_ENTER, "enter", "only", "chart this run alone", VA_ONLY},
    {'a', 0, 0, "a", "all", "chart every listed run (again: none)", VA_ALL},
    {'/', 0, 0, "/", "filter", "filter: a regex on name, dataset, status (enter keeps, esc drops)",
     VA_FILTER},
    {'s', 0, 0, "s", "sort", "sort by start time, name, best figure, status", VA_SORT},
    {'r', 0, 0, "r", "reverse", "reverse the order", VA_REVERSE},
    {'\t', 0, 0, "tab", "metric", "next metrics (shift-tab: previous)", VA_NEXT_METRIC},
    {KEY_BTAB, 0, 0, "s-tab", NULL, "previous metrics", VA_PREV_METRIC},
    {'l', 0, 0, "l", "log-y", "toggle a logarithmic y axis", VA_LOG},
    {'[', 0, 0, "[", NULL, "less smoothing", VA_SMOOTH_LESS},
    {']', 0, 0, "]", "smooth", "more smoothing (TensorBoard's debiased EMA)", VA_SMOOTH_MORE},
    {'?', 'h', 0, "?", "help", "show or hide this help", VA_HELP},
    {'q', 0, 0, "q", "quit", "quit", VA_QUIT},
};
static const int n_view_keys = (int)(sizeof view_keys / sizeof view_keys[0]);

bool logview_key_row(int i, const char **label, const char **help)
{
    if (i < 0 || i >= n_view_keys) return false;
    *label = view_keys[i].label;
    *help = view_keys[i].help;
    return true;
}

static const char *const sort_names[] = {"start", "name", "best", "status"};

/* A chart: one metric, with the tags of its training and validation sides
 * matched per run by tag_split. */
typedef struct {
    char base[METRIC_CAP]; /* "loss", "Loss" (PyTorch's Loss/train) */
    bool unit;             /* an accuracy: fraction in [0, 1] */
} Metric;

typedef struct {
    const char *logdir;
    RunSet rs;
    bool open;
    char open_error[512];
    /* per run, by discovery index */
    bool *selected;
    size_t n_known; /* runs already seen (new ones get selected) */
    /* the list: the runs passing the filter, sorted */
    RunInfo **rows;
    size_t n_rows;
    RunInfo **scratch;
    RunDiff diff;
    RunSortKey sort;
    bool reverse;
    RunInfo *cursor_run;
    ListView list; /* the cursor's row and the rows in sight */
    /* the filter */
    char filter[FILTER_CAP];
    RunFilter flt;
    bool editing;
    char edit[FILTER_CAP];
    char edit_before[FILTER_CAP];
    size_t edit_cursor; /* in edit (textedit.h) */
    char edit_error[256];
    /* charts */
    Metric *metrics;
    size_t n_metrics, cap_metrics;
    size_t page;
    bool log_y;
    double smoothing;
    double *buf;
    size_t buf_cap;
    ChartMarker *markers;
    size_t cap_markers;
    /* the charted runs' colours (palette slots), from this frame */
    const RunInfo *coloured[VIEW_MAX_OVERLAY];
    int colour_slot[VIEW_MAX_OVERLAY];
    int n_coloured;
    /* without colour, the charted runs' letters: A for lettered[0], B for
     * the next, in list order (none while one run alone is charted) */
    const RunInfo *lettered[VIEW_MAX_OVERLAY];
    int n_lettered;
    /* the rest */
    bool help;
    int help_scroll; /* the help overlay's first row shown */
    char notice[256];
    CrtRole notice_role;
    double notice_until;
    bool dirty;
    bool notice_shown; /* the last frame drawn showed the notice */
    double next_refresh;
    bool quit;
    /* logview_nested: opened from another screen, which q and esc go back to */
    bool nested;
    const char *const *focus; /* the runs charted at first, by name */
    int n_focus;
    const char *hint; /* the status line's words when it has nothing else */
} Viewer;

/* ---- small helpers ---------------------------------------------------- */

static void notify(Viewer *v, CrtRole role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void notify(Viewer *v, CrtRole role, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->notice, sizeof v->notice, fmt, ap);
    va_end(ap);
    v->notice_role = role;
    v->notice_until = screen_now() + 4;
}

static size_t run_index(const Viewer *v, const RunInfo *r)
{
    for (size_t i = 0; i < v->rs.n_runs; i++)
        if (v->rs.runs[i] == r) return i;
    return SIZE_MAX;
}

static bool is_selected(const Viewer *v, const RunInfo *r)
{
    size_t i = run_index(v, r);
    return i != SIZE_MAX && v->selected[i];
}

static void set_selected(Viewer *v, const RunInfo *r, bool on)
{
    size_t i = run_index(v, r);
    if (i != SIZE_MAX) v->selected[i] = on;
}

/* The run's last step: its newest point over every series (the epoch for
 * gradtop runs); -1 when it has none. */
static int64_t run_last_step(const RunInfo *r)
{
    int64_t last = -1;
    for (size_t i = 0; i < r->n_series; i++) {
        const RunSeries *s = &r->series[i];
        if (s->n > 0 && s->step[s->n - 1] > last) last = s->step[s->n - 1];
    }
    return last;
}

/* ---- colours ---------------------------------------------------------- */

/* The attributes of run r's colour (0 without colour): the palette slot
 * colours_assign gave it when it is charted, else its hash's. */
static attr_t run_attr(const Viewer *v, const RunInfo *r)
{
    if (crt_colors() <= 0) return 0;
    int slot = runinfo_colour(r, palette_hues(crt_colors()));
    for (int i = 0; i < v->n_coloured; i++)
        if (v->coloured[i] == r) slot = v->colour_slot[i];
    return crt_palette_attr(slot);
}

static CrtRole status_role(const RunInfo *r)
{
    if (r->gone) return ROLE_DIM;
    const char *s = r->status;
    if (!strcmp(s, "running") || !strcmp(s, "growing")) return ROLE_GOOD;
    if (!strcmp(s, "unknown")) return ROLE_DIM; /* event files alone do not say */
    if (!strcmp(s, "diverged")) return ROLE_BAD;
    if (!strcmp(s, "interrupted") || !strcmp(s, "stopped")) return ROLE_WARN;
    if (!strcmp(s, "early_stopped")) return ROLE_TITLE;
    if (!strcmp(s, "pruned")) return ROLE_DIM; /* a sweep's rule, as the sweep screen shows it */
    return ROLE_NORMAL;
}

/* ---- metrics ---------------------------------------------------------- */

static bool word_is(const char *s, size_t n, const char *const *words)
{
    for (int i = 0; words[i]; i++)
        if (strlen(words[i]) == n && strncasecmp(s, words[i], n) == 0) return true;
    return false;
}

/*
 * The metric a tag belongs to and whether it is the validation side:
 * "val_loss" is loss's validation side (gradtop, Keras); PyTorch writers
 * often say "Loss/train" and "Loss/test", or "train/loss" and "val/loss".
 * Anything else is a metric of its own, on the training side.
 */
static void tag_split(const char *tag, char *base, size_t cap, bool *val)
{
    static const char *const train_words[] = {"train", "training", NULL};
    static const char *const val_words[] = {"val", "valid", "validation", "test", "eval", NULL};
    *val = false;
    if (strncmp(tag, "val_", 4) == 0 && tag[4]) {
        *val = true;
        snprintf(base, cap, "%s", tag + 4);
        return;
    }
    const char *slash = strrchr(tag, '/');
    if (slash && slash != tag && slash[1]) {
        size_t n = strlen(slash + 1);
        bool tr = word_is(slash + 1, n, train_words), va = word_is(slash + 1, n, val_words);
        if (tr || va) {
            *val = va;
            snprintf(base, cap, "%.*s", (int)(slash - tag), tag);
            return;
        }
    }
    const char *first = strchr(tag, '/');
    if (first && first != tag && first[1]) {
        size_t n = (size_t)(first - tag);
        bool tr = word_is(tag, n, train_words), va = word_is(tag, n, val_words);
        if (tr || va) {
            *val = va;
            snprintf(base, cap, "%s", first + 1);
            return;
        }
    }
    snprintf(base, cap, "%s", tag);
}

/* The preferred order of charts; others follow in order of appearance. */
static int metric_rank(const char *base)
{
    static const char *const order[] = {"loss", "accuracy", "acc", "mae", "r2", "learning_rate"};
    for (int i = 0; i < (int)(sizeof order / sizeof order[0]); i++)
        if (!strcasecmp(base, order[i])) return i;
    return 100;
}

static int metric_cmp(const void *a, const void *b)
{
    const Metric *x = a, *y = b;
    int rx = metric_rank(x->base), ry = metric_rank(y->base);
    return rx != ry ? (rx < ry ? -1 : 1) : 0;
}

/* Gathers the metrics of every run; keeps the page when the metric shown
 * first is still there. */
static void metrics_rebuild(Viewer *v)
{
    char first[METRIC_CAP] = "";
    if (v->n_metrics > 0 && v->page * 2 < v->n_metrics)
        snprintf(first, sizeof first, "%s", v->metrics[v->page * 2].base);
    v->n_metrics = 0;
    for (size_t i = 0; i < v->rs.n_runs; i++) {
        const RunInfo *r = v->rs.runs[i];
        for (size_t k = 0; k < r->n_series; k++) {
            char base[METRIC_CAP];
            bool val;
            tag_split(r->series[k].tag, base, sizeof base, &val);
            size_t m = 0;
            while (m < v->n_metrics && strcasecmp(v->metrics[m].base, base)) m++;
            if (m < v->n_metrics) continue;
            if (v->n_metrics == v->cap_metrics) {
                size_t cap = v->cap_metrics ? 2 * v->cap_metrics : 8;
                Metric *p = realloc(v->metrics, cap * sizeof *p);
                if (!p) return;
                v->metrics = p;
                v->cap_metrics = cap;
            }
            Metric *nm = &v->metrics[v->n_metrics++];
            snprintf(nm->base, sizeof nm->base, "%s", base);
            nm->unit = strcasestr(base, "acc") != NULL;
        }
    }
    /* a stable sort by rank: insertion sort keeps the order of appearance */
    for (size_t i = 1; i < v->n_metrics; i++) {
        Metric t = v->metrics[i];
        size_t j = i;
        while (j > 0 && metric_cmp(&v->metrics[j - 1], &t) > 0) {
            v->metrics[j] = v->metrics[j - 1];
            j--;
        }
        v->metrics[j] = t;
    }
    v->page = 0;
    for (size_t m = 0; m < v->n_metrics && first[0]; m++)
        if (!strcmp(v->metrics[m].base, first)) v->page = m / 2;
}

/* The series of run r on metric m's training or validation side. */
static const RunSeries *metric_series(const RunInfo *r, const Metric *m, bool want_val)
{
    for (size_t k = 0; k < r->n_series; k++) {
        char base[METRIC_CAP];
        bool val;
        tag_split(r->series[k].tag, base, sizeof base, &val);
        if (val == want_val && !strcasecmp(base, m->base)) return &r->series[k];
    }
    return NULL;
}

/* ---- the list --------------------------------------------------------- */

static bool ensure_selected(Viewer *v)
{
    if (v->rs.n_runs <= v->n_known) return true;
    bool *p = realloc(v->selected, v->rs.n_runs * sizeof *p);
    RunInfo **rows = realloc(v->rows, v->rs.n_runs * sizeof *rows);
    if (rows) v->rows = rows;
    RunInfo **sc = rows ? realloc(v->scratch, v->rs.n_runs * sizeof *sc) : NULL;
    if (sc) v->scratch = sc;
    if (p) v->selected = p;
    return p && rows && sc;
}

/* New runs: the first time, the newest VIEW_MAX_OVERLAY are charted; a run
 * that appears later is charted at once (it is probably the one being
 * watched) while fewer than VIEW_MAX_OVERLAY are. */
static void select_new_runs(Viewer *v, bool first)
{
    size_t n = v->rs.n_runs;
    if (n <= v->n_known) return;
    for (size_t i = v->n_known; i < n; i++) v->selected[i] = false;
    if (v->nested) {
        /* the runs asked for, the cursor on the first; later runs are
         * listed (a sweep goes on making them) but not charted */
        for (size_t i = v->n_known; i < n && first; i++)
            for (int f = v->n_focus - 1; f >= 0; f--)
                if (!strcmp(v->rs.runs[i]->name, v->focus[f])) {
                    v->selected[i] = true;
                    if (f == 0) v->cursor_run = v->rs.runs[i];
                }
    } else if (first) {
        memcpy(v->scratch, v->rs.runs, n * sizeof *v->scratch);
        runinfo_sort(v->scratch, n, RUN_SORT_START, true);
        for (size_t i = 0; i < n && i < VIEW_MAX_OVERLAY; i++) set_selected(v, v->scratch[i], true);
    } else {
        size_t on = 0;
        for (size_t i = 0; i < v->n_known; i++) on += v->selected[i];
        for (size_t i = v->n_known; i < n; i++) {
            if (on < VIEW_MAX_OVERLAY) {
                v->selected[i] = true;
                on++;
            } else {
                notify(v, ROLE_NORMAL, "new run %s: space adds it to the charts",
                       v->rs.runs[i]->name);
            }
        }
    }
    v->n_known = n;
}

/* The list again: filter, sort, the differing options; the cursor stays on
 * its run when that run is still listed. */
static void list_rebuild(Viewer *v)
{
    v->n_rows = 0;
    for (size_t i = 0; i < v->rs.n_runs; i++)
        if (runfilter_match(&v->flt, v->rs.runs[i])) v->rows[v->n_rows++] = v->rs.runs[i];
    runinfo_sort(v->rows, v->n_rows, v->sort, v->reverse);
    rundiff_free(&v->diff);
    Error err;
    error_clear(&err);
    if (rundiff_build(&v->diff, v->rows, v->n_rows, &err)) memset(&v->diff, 0, sizeof v->diff);
    size_t c = v->n_rows;
    for (size_t i = 0; i < v->n_rows; i++)
        if (v->rows[i] == v->cursor_run) c = i;
    if (c == v->n_rows)
        c = v->list.cursor < v->n_rows ? v->list.cursor : (v->n_rows ? v->n_rows - 1 : 0);
    v->list.n = v->n_rows;
    v->list.cursor = c;
    v->cursor_run = v->n_rows ? v->rows[c] : NULL;
    v->dirty = true;
}

static void cursor_to(Viewer *v, long target)
{
    if (v->n_rows == 0) return;
    v->list.n = v->n_rows;
    listview_set_cursor(&v->list, target);
    v->cursor_run = v->rows[v->list.cursor];
}

/* The runs the charts take at most: without colour, one for each letter
 * (run_letter), since a run past Z could not be told from the others.
 * (What is selected is not cut to it: the screen's colours are not known
 * when the runs are first read.) */
static size_t overlay_cap(void)
{
    return crt_colors() > 0 ? VIEW_MAX_OVERLAY : VIEW_MAX_LETTERED;
}

/* The runs on the charts: the selected ones that are listed, at most
 * overlay_cap(), the newest first when there are more; then in list
 * order with the cursor's run last (drawn on top).  Returns how many, and
 * in *n_selected how many are selected in all. */
static int plotted_runs(Viewer *v, RunInfo **out, size_t *n_selected)
{
    size_t n = 0;
    for (size_t i = 0; i < v->n_rows; i++)
        if (is_selected(v, v->rows[i])) v->scratch[n++] = v->rows[i];
    *n_selected = n;
    if (n > overlay_cap()) {
        runinfo_sort(v->scratch, n, RUN_SORT_START, true);
        n = overlay_cap();
    }
    int k = 0;
    RunInfo *cur = NULL;
    for (size_t i = 0; i < v->n_rows; i++) {
        RunInfo *r = v->rows[i];
        bool in = false;
        for (size_t j = 0; j < n; j++) in = in || v->scratch[j] == r;
        if (!in) continue;
        if (r == v->cursor_run)
            cur = r;
        else
            out[k++] = r;
    }
    if (cur) out[k++] = cur;
    return k;
}

/* Gives the charted runs distinct colours while the palette has enough:
 * each its hash's colour, or the next free one, taken in the order of
 * their hashes so that the order they were charted in does not matter. */
static void colours_assign(Viewer *v)
{
    RunInfo *plot[VIEW_MAX_OVERLAY];
    size_t n_selected;
    int n = plotted_runs(v, plot, &n_selected);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && plot[j]->hash < plot[j - 1]->hash; j--) {
            RunInfo *t = plot[j];
            plot[j] = plot[j - 1];
            plot[j - 1] = t;
        }
    uint32_t pref[VIEW_MAX_OVERLAY];
    for (int i = 0; i < n; i++) {
        pref[i] = plot[i]->hash;
        v->coloured[i] = plot[i];
    }
    palette_assign(pref, n, palette_hues(crt_colors()), v->colour_slot);
    v->n_coloured = n;
    /* letters in list order, so that they read A, B, C down the list and
     * stay when the cursor moves (plot has it last) */
    v->n_lettered = 0;
    for (size_t i = 0; n > 1 && i < v->n_rows; i++)
        for (int j = 0; j < n; j++)
            if (plot[j] == v->rows[i]) v->lettered[v->n_lettered++] = plot[j];
}

/* Run r's letter on the list and at its curves' ends when there is no
 * colour to tell the charted runs apart; 0 with colour, for a run not
 * charted, and past Z. */
static char run_letter(const Viewer *v, const RunInfo *r)
{
    if (crt_colors() > 0) return 0;
    for (int i = 0; i < v->n_lettered && i < VIEW_MAX_LETTERED; i++)
        if (v->lettered[i] == r) return (char)('A' + i);
    return 0;
}

/* ---- opening and refreshing ------------------------------------------- */

/* Opens the RunSet once LOGDIR exists. */
static void try_open(Viewer *v)
{
    struct stat st;
    if (stat(v->logdir, &st) != 0) return;
    Error err;
    error_clear(&err);
    if (runset_open(&v->rs, v->logdir, &err)) {
        text_copy(v->open_error, sizeof v->open_error, err.msg);
        runset_free(&v->rs);
        return;
    }
    v->open = true;
    v->open_error[0] = '\0';
    if (!ensure_selected(v)) return;
    select_new_runs(v, true);
    metrics_rebuild(v);
    list_rebuild(v);
}

static void view_refresh(Viewer *v)
{
    if (!v->open) {
        try_open(v);
        if (v->open) v->dirty = true;
        return;
    }
    if (!runset_refresh(&v->rs)) return;
    if (!ensure_selected(v)) return; /* out of memory: the list stays as it was */
    select_new_runs(v, false);
    metrics_rebuild(v);
    list_rebuild(v);
}

/* ---- drawing: the list ------------------------------------------------ */

static void put(int y, int x, int width, attr_t attr, const char *s)
{
    if (width <= 0) return;
    wattrset(stdscr, attr);
    crt_puts(stdscr, y, x, width, s);
}

/* Right-aligned in width columns. */
static void put_right(int y, int x, int width, attr_t attr, const char *s)
{
    int w = crt_width(s);
    if (w > width) w = width;
    put(y, x + width - w, w, attr, s);
}

static void format_start(double t, char *buf, size_t cap)
{
    if (!(t > 0)) {
        snprintf(buf, cap, "-");
        return;
    }
    time_t sec = (time_t)t, now = time(NULL);
    struct tm tm, tn;
    if (!localtime_r(&sec, &tm) || !localtime_r(&now, &tn)) {
        snprintf(buf, cap, "-");
        return;
    }
    if (tm.tm_year == tn.tm_year && tm.tm_yday == tn.tm_yday)
        strftime(buf, cap, "%H:%M:%S", &tm);
    else
        strftime(buf, cap, "%m-%d %H:%M", &tm);
}

static void format_best(const RunInfo *r, char *value, size_t vcap, char *tag, size_t tcap)
{
    if (!r->best_tag[0] || !isfinite(r->best_value)) {
        snprintf(value, vcap, "-");
        tag[0] = '\0';
        return;
    }
    double b = r->best_value;
    if (fabs(b) >= 1e4 || (b != 0 && fabs(b) < 1e-3))
        snprintf(value, vcap, "%.3g @%lld", b, (long long)r->best_step);
    else
        snprintf(value, vcap, "%.4f @%lld", b, (long long)r->best_step);
    snprintf(tag, tcap, "%s", r->best_tag);
}

/* Column widths of the list for this width.  Optional columns (started,
 * then the differing options from the right) are dropped when they do not
 * fit; the name column shrinks first down to 12. */
typedef struct {
    int name, dataset, started, status, epoch, best, best_tag;
    size_t n_diff; /* diff columns shown */
    int diff[64];  /* their widths (at most 64 shown) */
    bool show_started, show_tag;
    bool epochs; /* every run listed counts epochs (RunInfo.epoch_steps) */
    /* every run listed with a best figure has it of one metric: the
     * header names it ("best val_loss", best_head columns), not each row */
    char shared_tag[64];
    int best_head;
    int more; /* the header's "+N" of the options left out, with its blank */
} ListCols;

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static void list_columns(const Viewer *v, int width, ListCols *c)
{
    memset(c, 0, sizeof *c);
    c->name = 4;
    c->dataset = 7;
    c->status = 6;
    c->epoch = 5;
    c->best = 4;
    c->best_tag = 0;
    c->started = 8;
    c->epochs = true;
    bool shared = true;
    for (size_t i = 0; i < v->n_rows; i++) {
        const RunInfo *r = v->rows[i];
        c->epochs = c->epochs && r->epoch_steps;
        c->name = clampi(crt_width(r->name), c->name, 48);
        c->dataset = clampi(crt_width(r->dataset), c->dataset, 16);
        c->status = clampi(r->gone ? 7 : crt_width(r->status), c->status, 13);
        char b[64], t[64], st[32];
        format_best(r, b, sizeof b, t, sizeof t);
        c->best = clampi(crt_width(b), c->best, 24);
        c->best_tag = clampi(crt_width(t), c->best_tag, 14);
        if (t[0] && !c->shared_tag[0])
            snprintf(c->shared_tag, sizeof c->shared_tag, "%s", t);
        else if (t[0] && strcmp(t, c->shared_tag) != 0)
            shared = false;
        format_start(r->start_time, st, sizeof st);
        c->started = clampi(crt_width(st), c->started, 11);
        char e[32];
        snprintf(e, sizeof e, "%lld", (long long)run_last_step(r));
        c->epoch = clampi(crt_width(e), c->epoch, 10);
    }
    if (!shared) c->shared_tag[0] = '\0';
    /* "best", the sort's arrow, a blank and the metric */
    /* a long one (another writer's tag) is cut, as a figure's column is */
    c->best_head = c->shared_tag[0] ? 6 + clampi(crt_width(c->shared_tag), 0, 24) : 0;
    if (c->best_head < c->best) c->best_head = c->best;
    /* marker "[x] " and swatch "## ", spaces between columns */
    int fixed = 7 + c->status + 1 + c->epoch + 1 + c->best_head + 1;
    int avail = width - fixed;
    /* by priority: some of the name, the dataset, the best figure's
     * metric (a figure cannot be read without it), the differing
     * options, all of the name, the start time */
    int name_min = c->name < 14 ? c->name : 14;
    if (avail < name_min + 1 + c->dataset) c->dataset = clampi(avail - name_min - 1, 4, 16);
    avail -= name_min + c->dataset + 1;
    c->show_tag = !c->shared_tag[0] && c->best_tag > 0 && avail >= c->best_tag + 1;
    if (c->show_tag) avail -= c->best_tag + 1;
    for (size_t k = 0; k < v->diff.n_cols && c->n_diff < 64; k++) {
        const RunDiffColumn *dc = &v->diff.cols[k];
        int w = crt_width(dc->spec->name);
        for (size_t i = 0; i < v->diff.n_runs; i++) w = clampi(crt_width(dc->values[i]), w, 14);
        if (w + 1 > avail) break;
        c->diff[c->n_diff++] = w;
        avail -= w + 1;
    }
    /* the header's "+N" of those left out, after a blank */
    while (c->n_diff < v->diff.n_cols) {
        char m[24];
        int need = 1 + snprintf(m, sizeof m, "+%zu", v->diff.n_cols - c->n_diff);
        if (avail >= need || c->n_diff == 0) {
            avail -= need;
            c->more = need;
            break;
        }
        avail += c->diff[--c->n_diff] + 1;
    }
    int more = c->name - name_min < avail ? c->name - name_min : (avail > 0 ? avail : 0);
    c->name = name_min + more;
    avail -= more;
    c->show_started = avail >= c->started + 1;
}

/* A number wider than width ("0.041225757375601385", a sweep's drawn
 * rate), with its "*" if changed live, rounded to as many significant
 * digits as fit, into buf; else s itself.  A figure cut would read as
 * another, so the column would show only an ellipsis. */
static const char *fit_figure(const char *s, int width, char *buf, size_t cap)
{
    if (crt_width(s) <= width) return s;
    char *end;
    double d = strtod(s, &end);
    bool star = *end == '*' && !end[1];
    if (end == s || (*end && !star) || !isfinite(d)) return s;
    for (int digits = 6; digits >= 1; digits--) {
        snprintf(buf, cap, "%.*g%s", digits, d, star ? "*" : "");
        if (crt_width(buf) <= width) return buf;
    }
    return s;
}

/* Writes a run's name into width columns; a name too long loses its start,
 * since runs under one LOGDIR share their date and differ at the end. */
static void put_name(int y, int x, int width, attr_t attr, const char *name)
{
    if (width <= 0) return;
    wattrset(stdscr, attr);
    crt_puts_tail(stdscr, y, x, width, name);
}

typedef struct {
    Viewer *v;
    const ListCols *c;
    int width;
} ListRows;

static void list_row(void *ctx, size_t i, int y, bool cursor)
{
    const ListRows *lr = ctx;
    Viewer *v = lr->v;
    const ListCols c = *lr->c;
    int width = lr->width;
    bool utf8 = crt_utf8();
    const RunInfo *r = v->rows[i];
    attr_t rev = cursor ? A_REVERSE : 0;
    wattrset(stdscr, rev);
    mvhline(y, 0, ' ', width);
    bool sel = is_selected(v, r);
    put(y, 0, 3, crt_attr(ROLE_NORMAL) | rev, sel ? "[x]" : "[ ]");
    attr_t col = run_attr(v, r);
    char letter[3] = {run_letter(v, r), ' ', '\0'};
    if (sel && letter[0])
        put(y, 4, 2, A_BOLD, letter); /* its curves' ends say it */
    else if (sel)
        put(y, 4, 2, col ? col : A_BOLD, utf8 && col ? "\u2588\u2588" : "##");
    else
        put(y, 4, 2, crt_attr(ROLE_DIM), "--");
    int x = 7;
    put_name(y, x, c.name, crt_attr(r->gone ? ROLE_DIM : ROLE_NORMAL) | rev, r->name);
    x += c.name + 1;
    put(y, x, c.dataset, crt_attr(ROLE_NORMAL) | rev, r->dataset[0] ? r->dataset : "-");
    x += c.dataset + 1;
    for (size_t k = 0; k < c.n_diff; k++) {
        /* diff values are per row */
        const char *val = i < v->diff.n_runs ? v->diff.cols[k].values[i] : "";
        char fit[32];
        val = fit_figure(val, c.diff[k], fit, sizeof fit);
        put(y, x, c.diff[k], crt_attr(val[0] ? ROLE_FIELD : ROLE_DIM) | rev, val[0] ? val : "-");
        x += c.diff[k] + 1;
    }
    char t[64], b[64];
    if (c.show_started) {
        format_start(r->start_time, t, sizeof t);
        put(y, x, c.started, crt_attr(ROLE_DIM) | rev, t);
        x += c.started + 1;
    }
    put(y, x, c.status, crt_attr(status_role(r)) | rev,
        r->gone ? "deleted" : (r->status[0] ? r->status : "-"));
    x += c.status + 1;
    int64_t last = run_last_step(r);
    if (last >= 0)
        snprintf(t, sizeof t, "%lld", (long long)last);
    else
        snprintf(t, sizeof t, "-");
    put_right(y, x, c.epoch, crt_attr(ROLE_NORMAL) | rev, t);
    x += c.epoch + 1;
    format_best(r, b, sizeof b, t, sizeof t);
    put(y, x, c.best, crt_attr(ROLE_GOOD) | rev, b);
    x += c.best + 1;
    if (c.show_tag) {
        put(y, x, c.best_tag, crt_attr(ROLE_DIM) | rev, t);
        x += c.best_tag + 1;
    }
    if (r->warnings && x < width) put(y, x, width - x, crt_attr(ROLE_WARN) | rev, "!");
}

static void draw_list(Viewer *v, int top, int height, int width)
{
    ListCols c;
    list_columns(v, width, &c);
    bool utf8 = crt_utf8();
    /* header */
    int y = top, x = 7;
    attr_t title = crt_attr(ROLE_TITLE);
    const char *arrow = v->reverse ? (utf8 ? "\u25bc" : "v") : (utf8 ? "\u25b2" : "^");
    char h[64];
    put(y, 0, 7, title, "run");
    snprintf(h, sizeof h, "name%s", v->sort == RUN_SORT_NAME ? arrow : "");
    put(y, x, c.name, title, h);
    x += c.name + 1;
    put(y, x, c.dataset, title, "dataset");
    x += c.dataset + 1;
    for (size_t k = 0; k < c.n_diff; k++) {
        put(y, x, c.diff[k], title, v->diff.cols[k].spec->name);
        x += c.diff[k] + 1;
    }
    if (c.show_started) {
        snprintf(h, sizeof h, "started%s", v->sort == RUN_SORT_START ? arrow : "");
        put(y, x, c.started, title, h);
        x += c.started + 1;
    }
    snprintf(h, sizeof h, "status%s", v->sort == RUN_SORT_STATUS ? arrow : "");
    put(y, x, c.status, title, h);
    x += c.status + 1;
    /* another writer's steps may count batches: "step" says what they
     * all are (a gradtop run's step is its epoch) */
    put_right(y, x, c.epoch, title, c.epochs ? "epoch" : "step");
    x += c.epoch + 1;
    snprintf(h, sizeof h, "best%s", v->sort == RUN_SORT_BEST ? arrow : "");
    int head = c.shared_tag[0] ? c.best_head : c.best + (c.show_tag ? c.best_tag + 1 : 0);
    put(y, x, head, title, h);
    int hw = crt_width(h);
    if (c.shared_tag[0]) {        /* the metric of every row's figure */
        int room = head - hw - 1; /* and no further than the screen's edge */
        if (room > width - (x + hw + 1)) room = width - (x + hw + 1);
        wattrset(stdscr, crt_attr(ROLE_DIM));
        hw += 1 + (room > 0 ? crt_puts(stdscr, y, x + hw + 1, room, c.shared_tag) : 0);
    }
    /* the header's free end: the position in the list goes there */
    int free_from = x + hw + 1, free_to = width;
    if (c.more > 0) {
        snprintf(h, sizeof h, "+%zu", v->diff.n_cols - c.n_diff);
        put_right(y, width - c.more, c.more, crt_attr(ROLE_DIM), h);
        free_to = width - c.more;
    }
    y++;

    if (v->n_rows == 0) {
        char m[RUNS_PATH + 160];
        if (v->rs.n_runs == 0)
            snprintf(m, sizeof m,
                     "no runs in %s yet: `gradtop train --logdir %s DATASET` starts one", v->logdir,
                     v->logdir);
        else
            snprintf(m, sizeof m, "no run matches the filter /%s/ (esc shows them all)", v->filter);
        put(y, 2, width - 2, crt_attr(ROLE_DIM), m);
        return;
    }
    ListRows lr = {v, &c, width};
    listview_draw(&v->list, y, height - 1, v->n_rows, list_row, &lr);
    char m[48];
    if (listview_position(&v->list, free_to - free_from, m, sizeof m) && m[0])
        /* in the header's free end, shortened or left out rather than over
         * a column's title */
        put_right(top, free_from, free_to - free_from, crt_attr(ROLE_DIM), m);
}

/* ---- drawing: the charts ---------------------------------------------- */

static bool ensure_buf(Viewer *v, size_t doubles, size_t markers)
{
    if (doubles > v->buf_cap) {
        double *b = realloc(v->buf, doubles * sizeof *b);
        if (!b) return false;
        v->buf = b;
        v->buf_cap = doubles;
    }
    if (markers > v->cap_markers) {
        ChartMarker *m = realloc(v->markers, markers * sizeof *m);
        if (!m) return false;
        v->markers = m;
        v->cap_markers = markers;
    }
    return true;
}

/* The x position of a mark: gradtop runs' series are by epoch. */
static double mark_x(const RunInfo *r, const RunMark *m)
{
    return r->kind == RUN_KIND_GRADTOP ? (double)m->epoch : (double)m->step;
}

/* What run r went through, for the trust of its series (chart.h): its
 * journal's divergence, and the resume that took it up, as the dashboard
 * reads its own run's (chartview_trust); series by epoch or by step, as
 * mark_x places marks. */
static ChartTrust run_trust(const RunInfo *r)
{
    ChartTrust t = {.blew_up = !strcmp(r->status, "diverged")};
    bool diverged = false;
    for (size_t i = 0; i < r->n_marks; i++) {
        const RunMark *m = &r->marks[i];
        if (!strcmp(m->kind, "diverged")) {
            diverged = t.blew_up = true;
        } else if (diverged && !strcmp(m->kind, "resume")) {
            t.resumed = true;
            t.from = mark_x(r, m);
            diverged = false;
        }
    }
    return t;
}

static void draw_chart(Viewer *v, const Metric *m, RunInfo **plot, int n_plot, int top, int left,
                       int height, int width, bool show_legend)
{
    /* the series: per run, training (faint when there is a validation
     * side) then validation */
    const RunSeries *tr[VIEW_MAX_OVERLAY], *va[VIEW_MAX_OVERLAY];
    size_t need = 0;
    for (int i = 0; i < n_plot; i++) {
        tr[i] = metric_series(plot[i], m, false);
        va[i] = metric_series(plot[i], m, true);
        if (tr[i]) need += 3 * tr[i]->n;
        if (va[i]) need += 3 * va[i]->n;
    }
    const RunInfo *cur = v->cursor_run;
    size_t n_marks = cur && is_selected(v, cur) ? cur->n_marks + 1 : 0;
    if (!ensure_buf(v, need + 1, n_marks + 1)) return;

    ChartSpec c;
    memset(&c, 0, sizeof c);
    c.title = m->base;
    /* a metric that none of the charted runs records (accuracy beside
     * regression runs) will never have points: say so */
    bool recorded = false;
    for (int i = 0; i < n_plot; i++) recorded |= tr[i] || va[i];
    char none[METRIC_CAP + 64];
    snprintf(none, sizeof none, "none of the charted runs records %s", m->base);
    c.empty_text = !n_plot    ? "no run charted: space adds one"
                   : recorded ? "no points yet in the charted runs"
                              : none;
    size_t used = 0;
    int64_t x_lo = 0, x_hi = 1;
    bool have_x = false, all_epochs = true;
    /* a run that diverged does not flatten the others' curves
     * (chart_autoscale_from), and its smoothing starts afresh where it
     * resumed, as on the dashboard */
    ChartTrust trust[CHARTVIEW_MAX_SERIES];
    for (int i = 0; i < n_plot; i++) {
        attr_t col = run_attr(v, plot[i]);
        ChartTrust t = run_trust(plot[i]);
        for (int side = 0; side < 2; side++) {
            const RunSeries *s = side ? va[i] : tr[i];
            if (!s || s->n == 0 || c.n_series >= CHARTVIEW_MAX_SERIES) continue;
            double *x = v->buf + used;
            used += s->n;
            for (size_t k = 0; k < s->n; k++) x[k] = (double)s->step[k];
            const double *y = s->value;
            if (v->smoothing > 0) {
                double *sm = v->buf + used;
                used += s->n;
                chart_smooth_from(x, s->value, sm, s->n, v->smoothing,
                                  t.resumed ? t.from : -INFINITY);
                y = sm;
            }
            bool faint = side == 0 && va[i] && va[i]->n > 0;
            trust[c.n_series] = t;
            int k = c.n_series++;
            /* the run's letter: a training curve's beside a validation one
             * in lower case */
            char letter = run_letter(v, plot[i]);
            if (letter) c.end_labels[k] = faint ? (char)(letter - 'A' + 'a') : letter;
            c.series[k] = (ChartSeries){x, y, s->n, faint ? ROLE_TRAIN_RAW : ROLE_VAL, faint};
            c.attrs[k] = col ? col | (faint ? A_DIM : A_BOLD) : (faint ? A_DIM : A_BOLD);
            if (!have_x || s->step[0] < x_lo) x_lo = s->step[0];
            if (!have_x || s->step[s->n - 1] > x_hi) x_hi = s->step[s->n - 1];
            have_x = true;
        }
        if (!plot[i]->epoch_steps) all_epochs = false;
    }
    if (x_lo > 0) x_lo = 0;
    if (x_hi <= x_lo) x_hi = x_lo + 1;
    c.x_axis = (ChartAxis){(double)x_lo, (double)x_hi, false};

    /* y: every plotted value, an accuracy's inside [0, 1] when it is */
    bool in_unit = true;
    for (int i = 0; i < c.n_series; i++)
        for (size_t k = 0; k < c.series[i].n; k++) {
            double y = c.series[i].y[k];
            if (isfinite(y) && (y < 0 || y > 1)) in_unit = false;
        }
    chartview_fit_y(&c, trust, v->log_y, m->unit && in_unit, v->buf + used);

    /* x ticks */
    int max_ticks = (width - 8) / 8;
    if (max_ticks < 2) max_ticks = 2;
    if (max_ticks > CHARTVIEW_MAX_TICKS) max_ticks = CHARTVIEW_MAX_TICKS;
    double range = (double)(x_hi - x_lo);
    double step = chart_nice_step(range, max_ticks);
    if (step < 1) step = 1;
    double t0 = ceil((double)x_lo / step) * step;
    for (double t = t0; t <= (double)x_hi + 1e-9 && c.n_x_ticks < CHARTVIEW_MAX_TICKS; t += step) {
        c.x_ticks[c.n_x_ticks] = t;
        chart_format(t, step, 8, c.x_labels[c.n_x_ticks], sizeof c.x_labels[0]);
        c.n_x_ticks++;
    }
    c.x_title = all_epochs ? "epoch" : "step";

    /* marks of the cursor's run: its best epoch and its journal's events */
    int nm = 0;
    if (n_marks) {
        for (size_t i = 0; i < cur->n_marks; i++) {
            const RunMark *rm = &cur->marks[i];
            if (!strcmp(rm->kind, "resume")) continue; /* unmarked, as on the dashboard */
            ChartMarker mk = {.x = mark_x(cur, rm), .glyph = GLYPH_CHANGE, .role = ROLE_MARKER};
            if (!strcmp(rm->kind, "diverged")) mk.role = ROLE_BAD;
            if (!strcmp(rm->kind, "early_stop") || !strcmp(rm->kind, "stop")) mk.role = ROLE_WARN;
            v->markers[nm++] = mk;
        }
        if (cur->best_tag[0] && isfinite(cur->best_value))
            v->markers[nm++] =
                (ChartMarker){.x = (double)cur->best_step, .glyph = GLYPH_BEST, .role = ROLE_GOOD};
    }
    c.markers = v->markers;
    c.n_markers = nm;

    /* the legend: how to tell the sides apart, where both are drawn; the
     * smoothing and the scale on the first chart; without colour the
     * patterns' words go when the chart is too narrow for them */
    bool both = false;
    for (int i = 0; i < c.n_series; i++) both = both || c.series[i].faint;
    char legend[160] = "";
    for (int words = 1; words >= 0; words--) {
        int o = 0;
        if (both && crt_colors() > 0) {
            o = snprintf(legend, sizeof legend, "val bold, train faint");
        } else if (both) {
            char vk[64], tk[64];
            chartview_key(ROLE_VAL, "val", words, vk, sizeof vk);
            chartview_key(ROLE_TRAIN_RAW, "train", words, tk, sizeof tk);
            o = snprintf(legend, sizeof legend, "%s  %s", vk, tk);
        }
        /* without colour, the letters at the curves' ends: the runs' in
         * the list (a training curve's in lower case) */
        int nl = v->n_lettered < VIEW_MAX_LETTERED ? v->n_lettered : VIEW_MAX_LETTERED;
        if (nl > 1 && crt_colors() <= 0) {
            char last = (char)('A' + nl - 1);
            if (words && both)
                o += snprintf(legend + o, sizeof legend - (size_t)o, "%sA-%c: runs (a-%c train)",
                              o ? "  " : "", last, last - 'A' + 'a');
            else
                o += snprintf(legend + o, sizeof legend - (size_t)o, "%sA-%c: runs", o ? "  " : "",
                              last);
        }
        if (show_legend && v->smoothing > 0)
            o += snprintf(legend + o, sizeof legend - (size_t)o, "%ssmoothing %.2g", o ? "  " : "",
                          v->smoothing);
        if (show_legend && v->log_y)
            snprintf(legend + o, sizeof legend - (size_t)o, "%slog-y", o ? "  " : "");
        /* as chartview_draw fits it beside the title */
        if (crt_width(c.title) + 2 + crt_width(legend) <= width) break;
    }
    if (legend[0]) c.legend = legend;
    chartview_draw(stdscr, top, left, height, width, &c);
}

static void draw_charts(Viewer *v, int top, int height, int width)
{
    RunInfo *plot[VIEW_MAX_OVERLAY];
    size_t n_selected;
    int n_plot = plotted_runs(v, plot, &n_selected);
    if (v->n_metrics == 0) {
        put(top + height / 2, 2, width - 4, crt_attr(ROLE_DIM),
            v->rs.n_runs ? "the runs have no scalars yet" : "");
        return;
    }
    size_t first = v->page * 2;
    if (first >= v->n_metrics) first = v->page = 0;
    bool two = first + 1 < v->n_metrics;
    if (!two) {
        draw_chart(v, &v->metrics[first], plot, n_plot, top, 0, height, width, true);
    } else if (width >= 100) {
        int w1 = (width - 2) / 2;
        draw_chart(v, &v->metrics[first], plot, n_plot, top, 0, height, w1, true);
        draw_chart(v, &v->metrics[first + 1], plot, n_plot, top, w1 + 2, height, width - w1 - 2,
                   false);
    } else {
        int h1 = height / 2;
        draw_chart(v, &v->metrics[first], plot, n_plot, top, 0, h1, width, true);
        draw_chart(v, &v->metrics[first + 1], plot, n_plot, top + h1, 0, height - h1, width, false);
    }
    if (n_selected > (size_t)n_plot) {
        char m[96];
        snprintf(m, sizeof m, "charting the newest %d of %zu selected runs", n_plot, n_selected);
        int row = top + height - 1, at = width - crt_width(m);
        put_right(row, 0, width, crt_attr(ROLE_WARN), m);
        /* over the last chart's x labels: a label it covers in part goes
         * whole ("5" of 5000 would read as a tick at 5) */
        for (int x = at - 1; x >= 0 && (mvinch(row, x) & A_CHARTEXT) != ' '; x--)
            mvaddch(row, x, ' ');
    }
}

/* ---- drawing: the frame ----------------------------------------------- */

static void draw_header(Viewer *v, int cols)
{
    attr_t hd = crt_attr(ROLE_HEADER);
    wattrset(stdscr, hd);
    mvhline(0, 0, ' ', cols);
    char t[RUNS_PATH + 200];
    size_t on = 0;
    for (size_t i = 0; i < v->n_rows; i++) on += is_selected(v, v->rows[i]);
    /* filtered, how many the filter lists of how many there are ("65 runs
     * (filtered)" above five rows read as 65 listed) */
    char count[64];
    if (v->filter[0])
        snprintf(count, sizeof count, "%zu of %zu run%s", v->n_rows, v->rs.n_runs,
                 v->rs.n_runs == 1 ? "" : "s");
    else
        snprintf(count, sizeof count, "%zu run%s", v->rs.n_runs, v->rs.n_runs == 1 ? "" : "s");
    /* the charts take at most overlay_cap() of the selected runs
     * (plotted_runs): more selected are counted as such */
    char sel[48] = "";
    if (on > overlay_cap()) snprintf(sel, sizeof sel, "%zu selected  ", on);
    size_t charted = on > overlay_cap() ? overlay_cap() : on;
    if (v->open)
        snprintf(t, sizeof t, " gradtop view  %s  %s  %s%zu charted  sort: %s%s ", v->logdir, count,
                 sel, charted, sort_names[v->sort], v->reverse ? " reversed" : "");
    else
        snprintf(t, sizeof t, " gradtop view  %s ", v->logdir);
    int used = crt_puts(stdscr, 0, 0, cols, t);
    if (v->n_metrics > 2) {
        size_t pages = (v->n_metrics + 1) / 2;
        snprintf(t, sizeof t, " metrics %zu/%zu (tab) ", v->page + 1, pages);
        int l = crt_width(t);
        if (used + l < cols) put(0, cols - l, l, hd | A_BOLD, t);
    }
    crt_set(stdscr, ROLE_NORMAL);
}

static void draw_status(Viewer *v, int y, int cols)
{
    wattrset(stdscr, A_NORMAL);
    mvhline(y, 0, ' ', cols);
    if (v->editing) {
        int x = 1;
        put(y, x, cols - 2, crt_attr(ROLE_KEY), "/");
        x += 1;
        int room = (cols - x - 1) / 2; /* half for the pattern, half for the reason */
        crt_set(stdscr, ROLE_FIELD);
        x += textedit_draw(stdscr, y, x, room, v->edit, v->edit_cursor, true) + 1;
        if (v->edit_error[0])
            put(y, x, cols - x - 1, crt_attr(ROLE_BAD), v->edit_error);
        else
            put(y, x, cols - x - 1, crt_attr(ROLE_DIM), "enter keeps the filter, esc drops it");
        return;
    }
    if (v->notice[0] && screen_now() < v->notice_until) {
        put(y, 1, cols - 2, crt_attr(v->notice_role), v->notice);
        return;
    }
    int x = 1;
    char m[600];
    if (v->filter[0]) {
        snprintf(m, sizeof m, "filter /%s/: %zu of %zu runs  ", v->filter, v->n_rows, v->rs.n_runs);
        put(y, x, cols - x - 1, crt_attr(ROLE_FIELD), m);
        x += crt_width(m);
    }
    /* warnings: the cursor's run first, then any run's, then the walk's */
    const RunInfo *w = v->cursor_run && v->cursor_run->warnings ? v->cursor_run : NULL;
    size_t total = 0, runs_warned = 0;
    for (size_t i = 0; i < v->rs.n_runs; i++) {
        const RunInfo *r = v->rs.runs[i];
        if (!r->warnings) continue;
        total += r->warnings;
        runs_warned++;
        if (!w) w = r;
    }
    if (w) {
        snprintf(m, sizeof m, "%s %zu warning%s in %zu run%s; %.200s: %.256s",
                 crt_glyph(GLYPH_CHANGE), total, total == 1 ? "" : "s", runs_warned,
                 runs_warned == 1 ? "" : "s", w->name, w->last_warning);
        put(y, x, cols - x - 1, crt_attr(ROLE_WARN), m);
    } else if (v->rs.warnings) {
        snprintf(m, sizeof m, "%s %s", crt_glyph(GLYPH_CHANGE), v->rs.last_warning);
        put(y, x, cols - x - 1, crt_attr(ROLE_WARN), m);
    } else if (v->hint && !v->filter[0]) {
        put(y, x, cols - x - 1, crt_attr(ROLE_NORMAL), v->hint);
    } else if (!v->filter[0] && v->open && v->rs.n_runs) {
        put(y, x, cols - x - 1, crt_attr(ROLE_DIM),
            "space: add or remove a run from the charts  enter: only this one  /: filter");
    }
}

/* A key bar entry: the keys as written, and the word for them. */
static void keybar_entry(const Viewer *v, const ViewKey *k, const char **keys, const char **bar)
{
    *keys = k->label;
    if (k->action == VA_DOWN) *keys = crt_utf8() ? "\u2191\u2193" : "jk";
    if (k->action == VA_SMOOTH_MORE) *keys = "[]";
    *bar = k->action == VA_QUIT && v->nested ? "back" : k->bar;
}

static int keybar_need(const Viewer *v, const ViewKey *k)
{
    const char *keys, *bar;
    keybar_entry(v, k, &keys, &bar);
    return crt_width(keys) + (int)strlen(bar) + 2;
}

/* The key bar in the table's order; help and quit (back, when nested)
 * always keep their place at its end, and the entries before them that
 * do not fit are left out (? lists every key). */
static void draw_keybar(const Viewer *v, int y, int cols)
{
    wattrset(stdscr, crt_attr(ROLE_KEYTEXT));
    mvhline(y, 0, ' ', cols);
    int reserved = 0;
    for (int i = 0; i < n_view_keys; i++)
        if (view_keys[i].bar && (view_keys[i].action == VA_HELP || view_keys[i].action == VA_QUIT))
            reserved += keybar_need(v, &view_keys[i]);
    int x = 0;
    bool full = false;
    for (int i = 0; i < n_view_keys; i++) {
        const ViewKey *k = &view_keys[i];
        if (!k->bar) continue;
        bool kept = k->action == VA_HELP || k->action == VA_QUIT;
        int need = keybar_need(v, k);
        if (!kept) {
            full = full || x + need + reserved > cols;
            if (full) continue;
        } else if (x + need > cols) {
            break;
        }
        const char *keys, *bar;
        keybar_entry(v, k, &keys, &bar);
        put(y, x, need, crt_attr(ROLE_KEY), keys);
        x += crt_width(keys);
        put(y, x + 1, (int)strlen(bar), crt_attr(ROLE_KEYTEXT), bar);
        x += (int)strlen(bar) + 2;
    }
    crt_set(stdscr, ROLE_NORMAL);
}

static void draw_help(Viewer *v, int rows, int cols)
{
    char legend[1600], charts[320];
    if (crt_colors() > 0) {
        snprintf(charts, sizeof charts,
                 "each charted run in its own colour, validation bold and training faint");
    } else {
        char vs[24], ts[24];
        chartview_sample(ROLE_VAL, vs, sizeof vs);
        chartview_sample(ROLE_TRAIN_RAW, ts, sizeof ts);
        snprintf(charts, sizeof charts,
                 "without colour the runs share one ink: each charted run has a letter, in the "
                 "list and at its curves' ends (A at its validation curve's, a at its training "
                 "one's); validation dotted (%s), training a faint solid line (%s)",
                 vs, ts);
    }
    snprintf(
        legend, sizeof legend,
        "The list: the runs under LOGDIR with the options that differ between them (a value "
        "with a * is the one the run began with and changed live: its journal and the "
        "charts' triangles say when); best is "
        "the best figure by the run's monitor (others: validation accuracy, else loss), its "
        "metric (in the title when all runs share it, as in best val_loss) and "
        "its epoch, which the list and the x axis call step where another writer's event files "
        "are shown (their steps may count batches); status is a gradtop run's journal's (running "
        "while its files change, interrupted once they stop without a result), and for event "
        "files alone growing while they change, else unknown: they do not say whether or how "
        "their run ended; ! marks a run with damaged lines (the status line says which).  Charts: "
        "one per metric, %s; the star marks the best epoch of the run under the cursor, "
        "triangles its journal's events: hyperparameter changes and restored weights, a stop or "
        "early stop (in the warning colour), a divergence (in the bad one).  Reloads every 0.5 s.",
        charts);
    HelpRow hr[64];
    int n = 0;
    for (int i = 0; i < n_view_keys && n < 64; i++)
        hr[n++] = (HelpRow){view_keys[i].label, view_keys[i].action == VA_QUIT && v->nested
                                                    ? "back (esc too, when no filter is on)"
                                                    : view_keys[i].help};
    help_box(stdscr, rows, cols, "gradtop view keys", hr, n, legend, &v->help_scroll);
}

static void draw_waiting(Viewer *v, int rows, int cols)
{
    char m[RUNS_PATH + 600];
    if (v->open_error[0])
        snprintf(m, sizeof m, "cannot read %s: %s (retrying)", v->logdir, v->open_error);
    else
        snprintf(m, sizeof m,
                 "waiting for %s to appear: `gradtop train --logdir %s DATASET` creates it",
                 v->logdir, v->logdir);
    crt_set(stdscr, v->open_error[0] ? ROLE_BAD : ROLE_DIM);
    crt_wrap(stdscr, rows / 2 - 1, 2, cols - 4, 3, m);
}

static void draw(Viewer *v)
{
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    erase();
    if (cols < VIEW_MIN_COLS || rows < VIEW_MIN_ROWS) {
        char m[128];
        snprintf(m, sizeof m, "terminal too small: need at least %dx%d (now %dx%d)", VIEW_MIN_COLS,
                 VIEW_MIN_ROWS, cols, rows);
        crt_set(stdscr, ROLE_WARN);
        int l = (int)strlen(m);
        if (l > cols)
            crt_wrap(stdscr, 0, 0, cols, rows, m);
        else
            crt_puts(stdscr, rows / 2, (cols - l) / 2, cols, m);
        crt_set(stdscr, ROLE_NORMAL);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    draw_header(v, cols);
    int body_top = 1, body_h = rows - 3;
    if (!v->open) {
        draw_waiting(v, rows, cols);
    } else {
        /* the list takes what it needs, up to two fifths of the body */
        int max_list = body_h * 2 / 5;
        if (max_list < 4) max_list = 4;
        int list_h = 1 + (v->n_rows > 0 ? (int)v->n_rows : 1);
        if (list_h > max_list) list_h = max_list;
        colours_assign(v);
        draw_list(v, body_top, list_h, cols);
        int chart_top = body_top + list_h + 1;
        draw_charts(v, chart_top, body_top + body_h - chart_top, cols);
    }
    draw_status(v, rows - 2, cols);
    draw_keybar(v, rows - 1, cols);
    if (v->help) draw_help(v, rows, cols);
    wnoutrefresh(stdscr);
    doupdate();
}

/* ---- keys ------------------------------------------------------------- */

static ViewAction key_action(int ch)
{
    for (int i = 0; i < n_view_keys; i++) {
        const ViewKey *k = &view_keys[i];
        if (ch == k->key || (k->alt && ch == k->alt) || (k->alt2 && ch == k->alt2))
            return k->action;
    }
    return VA_NONE;
}

/* Compiles pattern; on success it becomes the filter. */
static bool filter_apply(Viewer *v, const char *pattern)
{
    RunFilter f;
    Error err;
    error_clear(&err);
    if (runfilter_compile(&f, pattern, &err)) {
        text_copy(v->edit_error, sizeof v->edit_error, err.msg);
        return false;
    }
    v->edit_error[0] = '\0';
    runfilter_free(&v->flt);
    v->flt = f;
    snprintf(v->filter, sizeof v->filter, "%s", pattern);
    if (v->open) list_rebuild(v);
    return true;
}

static void key_edit(Viewer *v, int ch)
{
    if (ch == KEY_ESC) {
        v->editing = false;
        v->edit_error[0] = '\0';
        filter_apply(v, v->edit_before);
        return;
    }
    if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        if (!filter_apply(v, v->edit)) return; /* the error stays in view */
        v->editing = false;
        return;
    }
    if (textedit_key(v->edit, sizeof v->edit, &v->edit_cursor, ch) != TEXTEDIT_CHANGED) return;
    /* incremental: a pattern that compiles applies at once; one that does
     * not (yet) leaves the list as it was and says why */
    filter_apply(v, v->edit);
}

static void smooth_step(Viewer *v, int dir)
{
    static const double levels[] = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99};
    int n = (int)(sizeof levels / sizeof levels[0]), k = 0;
    for (int i = 0; i < n; i++)
        if (fabs(levels[i] - v->smoothing) < fabs(levels[k] - v->smoothing)) k = i;
    k = clampi(k + dir, 0, n - 1);
    v->smoothing = levels[k];
    notify(v, ROLE_NORMAL, "smoothing %.2g", v->smoothing);
}

static void on_action(Viewer *v, ViewAction a)
{
    long page = v->list.height > 1 ? v->list.height - 1 : 1;
    RunInfo *cur = v->cursor_run;
    switch (a) {
    case VA_NONE: break;
    case VA_UP: cursor_to(v, (long)v->list.cursor - 1); break;
    case VA_DOWN: cursor_to(v, (long)v->list.cursor + 1); break;
    case VA_PAGE_UP: cursor_to(v, (long)v->list.cursor - page); break;
    case VA_PAGE_DOWN: cursor_to(v, (long)v->list.cursor + page); break;
    case VA_HOME: cursor_to(v, 0); break;
    case VA_END: cursor_to(v, (long)v->n_rows - 1); break;
    case VA_TOGGLE:
        if (cur) set_selected(v, cur, !is_selected(v, cur));
        break;
    case VA_ONLY:
        if (!cur) break;
        for (size_t i = 0; i < v->rs.n_runs; i++) v->selected[i] = false;
        set_selected(v, cur, true);
        break;
    case VA_ALL: {
        bool all = v->n_rows > 0;
        for (size_t i = 0; i < v->n_rows; i++) all = all && is_selected(v, v->rows[i]);
        for (size_t i = 0; i < v->n_rows; i++) set_selected(v, v->rows[i], !all);
        if (!all && v->n_rows > overlay_cap())
            notify(v, ROLE_WARN, "the charts show the newest %zu of the %zu runs", overlay_cap(),
                   v->n_rows);
        break;
    }
    case VA_FILTER:
        v->editing = true;
        snprintf(v->edit_before, sizeof v->edit_before, "%s", v->filter);
        snprintf(v->edit, sizeof v->edit, "%s", v->filter);
        v->edit_cursor = strlen(v->edit);
        v->edit_error[0] = '\0';
        break;
    case VA_SORT:
        v->sort = (RunSortKey)((v->sort + 1) % 4);
        if (v->open) list_rebuild(v);
        notify(v, ROLE_NORMAL, "sorted by %s%s", sort_names[v->sort],
               v->reverse ? ", reversed" : "");
        break;
    case VA_REVERSE:
        v->reverse = !v->reverse;
        if (v->open) list_rebuild(v);
        notify(v, ROLE_NORMAL, "sorted by %s%s", sort_names[v->sort],
               v->reverse ? ", reversed" : "");
        break;
    case VA_NEXT_METRIC:
    case VA_PREV_METRIC: {
        size_t pages = (v->n_metrics + 1) / 2;
        if (pages <= 1) {
            notify(v, ROLE_NORMAL, "no other metrics in these runs");
            break;
        }
        v->page = a == VA_NEXT_METRIC ? (v->page + 1) % pages : (v->page + pages - 1) % pages;
        break;
    }
    case VA_LOG:
        v->log_y = !v->log_y;
        notify(v, ROLE_NORMAL, "log scale %s", v->log_y ? "on" : "off");
        break;
    case VA_SMOOTH_LESS: smooth_step(v, -1); break;
    case VA_SMOOTH_MORE: smooth_step(v, +1); break;
    case VA_HELP:
        v->help = !v->help;
        v->help_scroll = 0;
        break;
    case VA_QUIT: v->quit = true; break;
    }
}

static void on_key(Viewer *v, int ch)
{
    v->dirty = true;
    if (ch == KEY_RESIZE) return;
    if (v->editing) {
        key_edit(v, ch);
        return;
    }
    if (v->help && (ch == KEY_ESC || ch == 'q' || ch == '?' || ch == 'h')) {
        v->help = false;
        return;
    }
    if (v->help && help_scroll_key(ch, &v->help_scroll, LINES - 8)) return;
    if (ch == KEY_ESC) {
        if (v->filter[0]) {
            filter_apply(v, "");
            notify(v, ROLE_NORMAL, "filter dropped: every run is listed");
        } else if (v->nested) {
            v->quit = true;
        }
        return;
    }
    on_action(v, key_action(ch));
}

/* ---- the loop --------------------------------------------------------- */

/* A frame: the runs read again when due, the screen drawn when something
 * changed (a notice that just expired too); the next frame is due at the
 * next refresh or when the notice shown expires. */
static double viewer_frame(void *ctx)
{
    Viewer *v = ctx;
    double now = screen_now();
    if (now >= v->next_refresh) {
        view_refresh(v);
        v->next_refresh = now + REFRESH_S;
    }
    bool notice_on = v->notice[0] && now < v->notice_until;
    if (v->notice_shown && !notice_on) v->dirty = true;
    if (v->dirty) {
        draw(v);
        v->dirty = false;
        v->notice_shown = notice_on;
    }
    double wait = v->next_refresh - now;
    if (notice_on && v->notice_until - now < wait) wait = v->notice_until - now;
    return wait;
}

static void viewer_key(void *ctx, int ch)
{
    on_key(ctx, ch);
}

static bool viewer_done(void *ctx)
{
    const Viewer *v = ctx;
    return v->quit;
}

static int loop(Viewer *v)
{
    v->next_refresh = screen_now() + REFRESH_S;
    v->dirty = true;
    ScreenHooks hooks = {.ctx = v, .frame = viewer_frame, .key = viewer_key, .done = viewer_done};
    return screen_loop(&hooks);
}

static Viewer *viewer_new(const char *logdir)
{
    Viewer *v = calloc(1, sizeof *v);
    if (!v) return NULL;
    v->logdir = logdir;
    v->sort = RUN_SORT_START;
    Error err;
    error_clear(&err);
    runfilter_compile(&v->flt, "", &err);
    return v;
}

static void viewer_free(Viewer *v)
{
    runfilter_free(&v->flt);
    rundiff_free(&v->diff);
    runset_free(&v->rs);
    free(v->selected);
    free(v->rows);
    free(v->scratch);
    free(v->metrics);
    free(v->buf);
    free(v->markers);
    free(v);
}

int logview_nested(const char *logdir, const char *const *focus, int n_focus, const char *hint)
{
    Viewer *v = viewer_new(logdir);
    if (!v) return 1;
    v->nested = true;
    v->focus = focus;
    v->n_focus = n_focus;
    v->hint = hint;
    try_open(v);
    int code = loop(v);
    viewer_free(v);
    return code;
}

int logview_main(const Options *opt, int n_args, const char *const *args)
{
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");
    if (n_args > 1) {
        fprintf(stderr, "gradtop view: one LOGDIR at most (got %d arguments)\n", n_args);
        return 2;
    }
    /* "" names no directory, and none can appear under it to be waited for */
    if (n_args == 1 && !args[0][0]) {
        fprintf(stderr,
                "gradtop view: an empty LOGDIR (give a directory, or none to view runs/)\n");
        return 2;
    }
    Viewer *v = viewer_new(n_args == 1 ? args[0] : (opt->logdir[0] ? opt->logdir : "runs"));
    if (!v) {
        fprintf(stderr, "gradtop view: out of memory\n");
        return 1;
    }

    int code = 0;
    struct stat st;
    char why[256];
    if (stat(v->logdir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "gradtop view: %s: not a directory\n", v->logdir);
        code = 2;
    } else if (!crt_have_terminal(why, sizeof why)) {
        /* There is no headless view: say what it needs, and where the same
         * figures are without a terminal (not `gradtop train`, which makes
         * a new run). */
        fprintf(stderr,
                "gradtop view: the run viewer needs a terminal, and standard %s is not one; "
                "without one, each run's metrics.csv and journal.txt under %s are plain text, "
                "and TensorBoard reads its event files\n",
                isatty(STDIN_FILENO) ? "output" : "input", v->logdir);
        code = 2;
    } else {
        crt_signals_install();
        /* An existing LOGDIR is read before the screen changes, so that an
         * unreadable one is a plain message; a missing one is waited for. */
        if (stat(v->logdir, &st) == 0) {
            try_open(v);
            if (!v->open) {
                fprintf(stderr, "gradtop view: %s\n", v->open_error);
                code = 2;
            }
        }
        if (!code && !crt_init(why, sizeof why)) {
            fprintf(stderr, "gradtop view: %s\n", why);
            code = 2;
        } else if (!code) {
            code = loop(v);
            crt_done();
        }
    }
    viewer_free(v);
    return code;
}
