/*
 * sweepview.c - the sweep screen.  See sweepview.h.
 *
 * Threads: the executor's owner runs sweep_exec_run on a thread started
 * here and tells this screen of each event through the hook below, which
 * keeps the event lines under the screen's own mutex.  The UI thread
 * copies the trials each frame (sweep_exec_view) and acts through the
 * executor's controls, which take the executor's mutex.
 *
 * A frame draws one moment: the rows, the events and the sweep's end as
 * the view's SweepMoment has them.  The hook's lines and the owner's end
 * arrive on their own time, and are drawn only as far as the moment
 * counts them: an event the rows do not show yet, or an end beside rows
 * still training, waits for the next frame.
 */
#include "sweepview.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "chartview.h"
#include "crt.h"
#include "dashboard.h"
#include "keys.h"
#include "listview.h"
#include "logview.h"
#include "run.h"
#include "screen.h"
#include "sweepeta.h"
#include "text.h"
#include "gradtop/sweep/exec.h"

#define KEY_ESC 27
#define SWEEP_FRAME_S 0.25
#define EVENTS_MAX 256

typedef struct {
    char text[400];
    SweepEventKind kind;
    bool bad; /* an end that diverged or failed */
} EventLine;

typedef enum { CONFIRM_NONE, CONFIRM_QUIT, CONFIRM_STOP } Confirm;

typedef struct {
    SweepExec *x;
    PreparedData data;
    const char *exe_dir;
    bool from_form; /* started from the setup form: a failure goes back there */
    pthread_t owner;
    bool owner_started;

    /* the owner's, under mu */
    pthread_mutex_t mu;
    EventLine *events;      /* a ring of the last EVENTS_MAX */
    unsigned long n_events; /* told so far */
    double t_end;           /* when the sweep ended (screen_now); 0 before */
    ErrorCode run_rc;
    Error run_err;

    /* the UI thread's: the frame's moment (update) */
    SweepTrialView *tv;
    int n_started;
    unsigned long shown; /* the events drawn: those the moment counts */
    bool ended;          /* the sweep has ended, as the rows show it */
    double ended_at;     /* then when (t_end) */
    double *figs;
    int *rows; /* the leaderboard's order: row -> trial */
    ListView list;
    int cursor_trial;  /* the trial under the cursor, followed as rows move */
    bool cursor_moved; /* by the person: until then it stays on the first row */
    bool by_index;     /* rows in trial order, else best first */
    int param0;        /* the first parameter whose scatter shows */
    bool paused_all, help, quit, stopping, done_told;
    int help_scroll;
    Confirm confirm;
    int confirm_trial;
    /* what the message line says until the next key (or the sweep's
     * end, when it came before): one text, or its forms from the longest
     * to the shortest, one a line, each followed by notice_path, which is
     * what a narrow screen keeps (its end).  It answers a key, and stays
     * for the person to read however long the screen took to come back
     * (from a, a run of minutes) */
    char notice[400];
    char notice_path[RUNDIR_DIR_MAX];
    CrtRole notice_role;
    double t0;        /* when the sweep started (screen_now) */
    long done_before; /* epochs done when the screen opened (--resume) */
    double paused_s;  /* seconds every trial stood paused (pause all) */
    double paused_at;
    SweepPace pace; /* the ETA's: the recent epochs' */
    int signal;
    /* the last frame drawn (sweep_frame) */
    bool dirty;
    unsigned long drawn_sum;
    int drawn_rows, drawn_cols;
    double drawn_at;
    double *buf;
    size_t cap;
} SweepScreen;

static void notify(SweepScreen *s, CrtRole role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void notify(SweepScreen *s, CrtRole role, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->notice, sizeof s->notice, fmt, ap);
    va_end(ap);
    s->notice_path[0] = '\0';
    s->notice_role = role;
}

/* ---- the owner's thread ---------------------------------------------------- */

static void on_event(void *ctx, const SweepExec *x, const SweepEvent *e)
{
    SweepScreen *s = ctx;
    EventLine line = {.kind = e->kind};
    /* an end's line with the figure the sweep ranks the trial by right
     * after best_epoch=, where a narrow list does not cut it off */
    sweep_event_text(x, e, SWEEP_PAIRS_MONITOR_FIRST, line.text, sizeof line.text);
    char *run = strstr(line.text, "  run="); /* the leaderboard's trial number finds it */
    if (run && e->kind == SWEEP_EV_START) *run = '\0';
    const SweepTrial *t = &x->trials[e->trial];
    line.bad =
        e->kind == SWEEP_EV_END && (t->status == TRIAL_DIVERGED || t->status == TRIAL_FAILED);
    pthread_mutex_lock(&s->mu);
    s->events[s->n_events % EVENTS_MAX] = line;
    s->n_events++;
    pthread_mutex_unlock(&s->mu);
}

static void *owner_main(void *arg)
{
    SweepScreen *s = arg;
    Error err = {0};
    ErrorCode rc = sweep_exec_run(s->x, &err);
    pthread_mutex_lock(&s->mu);
    s->run_rc = rc;
    s->run_err = err;
    s->t_end = screen_now();
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static bool finished(SweepScreen *s)
{
    pthread_mutex_lock(&s->mu);
    bool f = s->t_end > 0;
    pthread_mutex_unlock(&s->mu);
    return f;
}

/* ---- reading the trials ------------------------------------------------------ */

static double figure_at(const SweepScreen *s, int trial, int epoch)
{
    return s->figs[(size_t)trial * (size_t)s->x->board.max_epochs + (size_t)(epoch - 1)];
}

/* Whether trial a ranks before trial b: a best figure before none, the
 * better figure first, ties to the lower index. */
static bool ranks_before(const SweepScreen *s, int a, int b)
{
    const SweepTrialView *va = &s->tv[a], *vb = &s->tv[b];
    bool fa = va->best_epoch > 0 && isfinite(va->best),
         fb = vb->best_epoch > 0 && isfinite(vb->best);
    if (fa != fb) return fa;
    if (fa && va->best != vb->best) return sweep_board_better(&s->x->board, va->best, vb->best);
    return a < b;
}

static int best_trial(const SweepScreen *s)
{
    int b = -1;
    for (int i = 0; i < s->n_started; i++)
        if (s->tv[i].best_epoch > 0 && isfinite(s->tv[i].best) && (b < 0 || ranks_before(s, i, b)))
            b = i;
    return b;
}

/* The rows in order (insertion sort: a few hundred trials at most). */
static void order_rows(SweepScreen *s)
{
    for (int i = 0; i < s->n_started; i++) {
        int t = i, j = i;
        if (!s->by_index)
            while (j > 0 && ranks_before(s, t, s->rows[j - 1])) {
                s->rows[j] = s->rows[j - 1];
                j--;
            }
        s->rows[j] = t;
    }
}

/* The frame's moment: the trials, and the events and the end as far as
 * the view counts them (an event told since, or the end, is drawn with
 * the rows that show it, the next frame). */
static void update(SweepScreen *s)
{
    SweepMoment m;
    sweep_exec_view(s->x, s->tv, s->x->n_trials, &m, s->figs);
    s->n_started = m.n_started;
    pthread_mutex_lock(&s->mu);
    /* the hook may not have had the last counted yet */
    s->shown = m.told < s->n_events ? m.told : s->n_events;
    /* over in the view and the owner's end recorded: its time, and its
     * error, are there */
    bool was = s->ended;
    s->ended = m.over && s->t_end > 0;
    /* the end is news: it takes the message line from a notice of before */
    if (s->ended && !was) s->notice[0] = s->notice_path[0] = '\0';
    s->ended_at = s->ended ? s->t_end : 0;
    pthread_mutex_unlock(&s->mu);
    order_rows(s);
    /* the cursor follows its trial as the rows move, once the person has
     * put it on one; before, it stays on the first row, so that the
     * leaderboard shows its leader (a list scrolled to follow trial 0
     * showed rows 3-8 of 32 when the sweep ended, its best off screen) */
    if (!s->cursor_moved && s->n_started) s->cursor_trial = s->rows[0];
    /* the list's rows now, before the cursor is put on its trial's: fitted
     * to the last frame's count, a trial ranked below it was clamped to
     * that frame's last row, and the cursor went on with another trial */
    listview_fit(&s->list, (size_t)s->n_started, s->list.height);
    for (int r = 0; r < s->n_started; r++)
        if (s->rows[r] == s->cursor_trial) listview_set_cursor(&s->list, r);
    if (s->n_started && s->list.cursor < (size_t)s->n_started)
        s->cursor_trial = s->rows[s->list.cursor];
}

/* Whether trial v waits at a rung it has been promoted from (+ promotes
 * it at once, and it trains on when a slot is free): its rung's decision
 * is taken.  Only asha raises a parked trial's target; median parks
 * trials short of theirs. */
static bool promoted_waiting(const SweepScreen *s, const SweepTrialView *v)
{
    bool waits = v->parked || (v->status == TRIAL_PAUSED && !v->user_paused);
    return s->x->scheduler == SWEEP_SCHED_ASHA && waits && v->target > v->epochs;
}

/* The word a trial's row shows. */
static const char *status_word(const SweepScreen *s, int i, CrtRole *role)
{
    const SweepTrialView *v = &s->tv[i];
    *role = ROLE_NORMAL;
    switch (v->status) {
    case TRIAL_WAITING: *role = ROLE_DIM; return "waiting";
    case TRIAL_RUNNING:
        if (v->user_paused) {
            *role = ROLE_WARN;
            return "paused";
        }
        if (promoted_waiting(s, v)) {
            *role = ROLE_GOOD;
            return "promoted";
        }
        if (v->parked) {
            *role = ROLE_DIM;
            return s->x->scheduler == SWEEP_SCHED_ASHA ? "at rung" : "waiting";
        }
        if (v->told_kind == SWEEP_EV_PROMOTE) {
            *role = ROLE_GOOD;
            return "promoted";
        }
        if (v->told_kind == SWEEP_EV_EXPLOIT) {
            *role = ROLE_MARKER;
            return "exploited";
        }
        return "running";
    case TRIAL_PAUSED:
        if (promoted_waiting(s, v)) {
            *role = ROLE_GOOD;
            return "promoted";
        }
        *role = ROLE_DIM;
        return v->user_paused ? "paused" : "at rung";
    case TRIAL_DONE: *role = ROLE_GOOD; return "done";
    case TRIAL_EARLY_STOPPED: *role = ROLE_GOOD; return "early stop";
    case TRIAL_PRUNED: *role = ROLE_DIM; return "pruned";
    case TRIAL_DIVERGED: *role = ROLE_BAD; return "diverged";
    case TRIAL_STOPPED: *role = ROLE_WARN; return "stopped";
    case TRIAL_FAILED: *role = ROLE_BAD; return "failed";
    }
    return "?";
}

/* The parameters whose values differ between the trials started so far
 * (all of them before two have started). */
static bool param_varies(const SweepScreen *s, int p)
{
    if (s->n_started < 2) return true;
    const SweepValue *a = &s->tv[0].config.v[p];
    for (int i = 1; i < s->n_started; i++) {
        const SweepValue *b = &s->tv[i].config.v[p];
        if (a->active != b->active || a->index != b->index || a->x != b->x) return true;
    }
    return false;
}

static double *need(SweepScreen *s, size_t n)
{
    if (n > s->cap) {
        double *b = realloc(s->buf, n * sizeof *b);
        if (!b) return NULL;
        s->buf = b;
        s->cap = n;
    }
    return s->buf;
}

/* The epochs the trials have done, as the frame's moment has them. */
static long epochs_done(const SweepScreen *s)
{
    long done = 0;
    for (int i = 0; i < s->n_started; i++) done += s->tv[i].epochs;
    return done;
}

/* ---- drawing ------------------------------------------------------------------ */

static void format_duration(double sec, char *buf, size_t cap)
{
    long t = (long)(sec + 0.5);
    if (t >= 3600)
        snprintf(buf, cap, "%ldh%02ldm", t / 3600, t / 60 % 60);
    else if (t >= 60)
        snprintf(buf, cap, "%ldm%02lds", t / 60, t % 60);
    else if (sec < 0.0995)
        snprintf(buf, cap, "%.0fms", sec > 0 ? sec * 1000 : 0.0); /* an iris sweep: "37ms" */
    else if (sec < 9.95)
        snprintf(buf, cap, "%.1fs", sec); /* a sweep of digits: "0.8s", not "1s" */
    else
        snprintf(buf, cap, "%lds", t);
}

/* The epochs done, the most the sweep can take and what it will likely
 * take (sweepeta.h). */
static void budget(const SweepScreen *s, SweepEtaEpochs *ep)
{
    const SweepExec *x = s->x;
    SweepEtaPlan plan = {
        .scheduler = x->scheduler,
        .n_trials = x->n_trials,
        .max_epochs = x->base.max_epochs,
        .budget = x->base.budget,
        .early_stop = x->base.hp.patience > 0,
        .asha = x->has_asha ? &x->asha : NULL,
        .median_startup = SWEEP_MEDIAN_STARTUP,
    };
    sweepeta_epochs(&plan, s->tv, s->n_started, ep);
}

ChartAxis sweepview_figure_axis(const double *v, size_t n, bool higher_better, bool unit,
                                double keep, double *scratch)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) /* in place when scratch is v: m <= i */
        if (isfinite(v[i])) scratch[m++] = v[i];
    ChartAxis a = {0, 1, false};
    double ends[2];
    if (m == 0) {
        if (!isfinite(keep)) return a;
        ends[0] = ends[1] = keep;
    } else {
        double best = scratch[0];
        for (size_t i = 1; i < m; i++)
            best = higher_better ? fmax(best, scratch[i]) : fmin(best, scratch[i]);
        /* the worse end's rank, from the worst: none left out of four */
        size_t from_worst = (size_t)floor((1 - SWEEPVIEW_AXIS_SHARE) * (double)(m - 1));
        double worse =
            chart_select_kth(scratch, m, higher_better ? from_worst : m - 1 - from_worst);
        if (!higher_better && best > 0 && worse > SWEEPVIEW_FAR_WORSE * best) {
            /* the worst figure within the factor: the best itself at least */
            double cap = SWEEPVIEW_FAR_WORSE * best;
            worse = best;
            for (size_t i = 0; i < m; i++)
                if (scratch[i] <= cap && scratch[i] > worse) worse = scratch[i];
        }
        ends[0] = fmin(best, worse);
        ends[1] = fmax(best, worse);
        if (isfinite(keep)) {
            ends[0] = fmin(ends[0], keep);
            ends[1] = fmax(ends[1], keep);
        }
    }
    bool log = !higher_better && !unit && ends[0] > 0 && ends[1] >= SWEEPVIEW_LOG_SPAN * ends[0];
    chart_autoscale(ends, 2, log, &a);
    if (unit && !log) {
        if (a.hi > 1) a.hi = 1;
        if (a.lo < 0) a.lo = 0;
        if (a.hi <= a.lo) a.lo = a.hi - 0.1;
    }
    return a;
}

static void draw_header(SweepScreen *s, int cols)
{
    const SweepExec *x = s->x;
    crt_set(stdscr, ROLE_HEADER);
    mvhline(0, 0, ' ', cols);
    SweepEtaEpochs ep;
    budget(s, &ep);
    long done = ep.done;
    char eta[48] = "";
    double end = s->ended_at;
    /* once ended, the time it took stands still */
    double now = end > 0 ? end : screen_now();
    double ran = now - s->t0 - s->paused_s - (s->paused_all ? now - s->paused_at : 0);
    /* what the ETA counts: the likely epochs under asha and median ("~"),
     * else the most, which is what the sweep takes unless a rule or early
     * stopping ends trials sooner ("at most") */
    const char *qual = ep.likely ? "~" : ep.exact ? "" : "at most ";
    double left = sweep_pace_eta(&s->pace, (ep.likely ? ep.expect : ep.most) - done);
    if (end > 0) {
        char d[24];
        format_duration(ran, d, sizeof d);
        /* a resumed sweep's earlier sessions are not in this screen's clock */
        snprintf(eta, sizeof eta, "took %s%s", d, s->done_before > 0 ? " this session" : "");
    } else if (left >= 0) {
        char d[24];
        format_duration(left, d, sizeof d);
        snprintf(eta, sizeof eta, "ETA %s%s", qual, d);
    }
    char sched[64];
    if (x->scheduler == SWEEP_SCHED_ASHA)
        snprintf(sched, sizeof sched, "asha (eta %d)", x->base.eta);
    else
        snprintf(sched, sizeof sched, "%s", sweep_scheduler_names[x->scheduler]);
    /* once ended, the epochs it took: there is no more to come */
    char most[64] = "";
    if (end <= 0 && ep.likely)
        snprintf(most, sizeof most, " of ~%ld (at most %ld)", ep.expect, ep.most);
    else if (end <= 0)
        snprintf(most, sizeof most, " of %s%ld", qual, ep.most);
    char line[512];
    snprintf(line, sizeof line,
             " gradtop sweep  %s  %s sampler, %s scheduler  trials %d of %d  epochs %ld%s%s%s%s",
             s->data.all.name, sweep_sampler_names[x->sampler.kind], sched, s->n_started,
             x->n_trials, done, most, eta[0] ? "  " : "", eta, s->paused_all ? "  PAUSED" : "");
    if (crt_width(line) > cols) {
        /* narrow: the figures first; what still does not fit is left out
         * whole (a figure cut short reads as another: "epochs 6..." of
         * 68), the sampler and scheduler first, then the time, then the
         * epochs.  rank[k]: left out from that level on (0: never) */
        char name[sizeof s->data.all.name + 8], how[96], trials[48], epochs[64];
        snprintf(name, sizeof name, "sweep %s", s->data.all.name);
        snprintf(how, sizeof how, "%s/%s", sweep_sampler_names[x->sampler.kind],
                 sweep_scheduler_names[x->scheduler]);
        snprintf(trials, sizeof trials, "trials %d/%d", s->n_started, x->n_trials);
        if (end > 0)
            snprintf(epochs, sizeof epochs, "epochs %ld", done);
        else
            snprintf(epochs, sizeof epochs, "epochs %ld/%s%ld", done,
                     ep.likely  ? "~"
                     : ep.exact ? ""
                                : "<=",
                     ep.likely ? ep.expect : ep.most);
        const char *part[] = {name, how, trials, epochs, eta, s->paused_all ? "PAUSED" : ""};
        static const int rank[] = {0, 1, 0, 3, 2, 0};
        for (int level = 0; level <= 3; level++) {
            size_t len = 0;
            for (int k = 0; k < 6; k++)
                if (part[k][0] && (rank[k] == 0 || rank[k] > level) && len < sizeof line)
                    len += (size_t)snprintf(line + len, sizeof line - len, "%s%s", k ? "  " : " ",
                                            part[k]);
            if (crt_width(line) <= cols) break;
        }
    }
    crt_puts(stdscr, 0, 0, cols, line);
    crt_set(stdscr, ROLE_NORMAL);
}

/* A cell's text cut to width (an ellipsis where cut).  One that is not
 * ASCII ("1e-50 → 0") is measured in columns and left whole: crt_puts
 * cuts it by columns, never inside a character. */
static void cut(const char *src, int width, char *out, size_t cap)
{
    if (width < 1) {
        out[0] = '\0';
        return;
    }
    int w = crt_width(src);
    if (w <= width || (size_t)w != strlen(src)) {
        snprintf(out, cap, "%s", src);
        return;
    }
    snprintf(out, cap, "%.*s%s", width - 1, src, crt_glyph(GLYPH_ELLIPSIS));
}

static void num(char *buf, size_t cap, double v)
{
    if (!isfinite(v))
        snprintf(buf, cap, isnan(v) ? "-" : "%s", isnan(v) ? "" : (v > 0 ? "inf" : "-inf"));
    else if (fabs(v) >= 1e4 || (v != 0 && fabs(v) < 1e-3))
        snprintf(buf, cap, "%.3g", v);
    else
        snprintf(buf, cap, "%.4f", v);
}

/* A parameter's value in a cell: a real from a range to 4 significant
 * digits (the events and trials.csv give it whole), else as --space reads
 * it. */
static void cell_value(const SweepExec *x, int p, const SweepValue *v, char *buf, size_t cap)
{
    SweepDist d = x->space.p[p].dist;
    if (v->active && (d == SWEEP_UNIFORM || d == SWEEP_LOGUNIFORM))
        snprintf(buf, cap, "%.4g", v->x);
    else
        sweep_value_format(&x->space, p, v, buf, cap);
    /* a rate float32 makes inf, 0 or subnormal: what the trial trains at,
     * as the race's table says it ("1e-50 → 0") */
    const char *word = NULL;
    if (v->active && d != SWEEP_CHOICE && strcmp(x->space.p[p].spec->name, "lr") == 0)
        word = optimizer_lr_float_word(v->x);
    if (word) {
        size_t len = strlen(buf);
        snprintf(buf + len, len < cap ? cap - len : 0, " %s %s", crt_glyph(GLYPH_ARROW), word);
    }
}

#define TABLE_MAX_COLS 40

typedef struct {
    SweepScreen *s;
    int cols;
    int n_cols;
    int width[TABLE_MAX_COLS];
    int param[TABLE_MAX_COLS]; /* the parameter, or -1 for a fixed column */
    int best;
} TableCtx;

enum { FIX_TRIAL, FIX_STATUS, FIX_RUNG, FIX_EPOCH, FIX_NOW, FIX_BEST, FIX_COUNT };

/* The text of fixed column c for trial i. */
static void fixed_cell(const SweepScreen *s, int c, int i, char *buf, size_t cap)
{
    const SweepTrialView *v = &s->tv[i];
    CrtRole role;
    switch (c) {
    /* *: changed by hand in its dashboard; its row shows what it began with */
    case FIX_TRIAL: snprintf(buf, cap, "%d%s", i, v->hand_changed ? "*" : ""); break;
    case FIX_STATUS: snprintf(buf, cap, "%s", status_word(s, i, &role)); break;
    case FIX_RUNG: {
        /* the highest rung its epochs reached (the executor's own count
         * waits for the round's end, and the last rung has none) */
        int r = -1;
        for (int k = 0; k < s->x->asha.n_rungs; k++)
            if (s->x->asha.rung_epochs[k] <= v->epochs) r = k;
        r >= 0 ? snprintf(buf, cap, "%d", r) : snprintf(buf, cap, "-");
        break;
    }
    case FIX_EPOCH: {
        /* of the rung it trains to under asha; else of the trial's full
         * length (median's and pbt's stops on the way, one epoch ahead or
         * the next barrier, are the executor's, and read as a length) */
        int of = s->x->scheduler == SWEEP_SCHED_ASHA ? v->target : s->x->base.max_epochs;
        snprintf(buf, cap, "%d/%d", v->epochs, of > 0 ? of : 0);
        break;
    }
    case FIX_NOW: num(buf, cap, v->epochs > 0 ? figure_at(s, i, v->epochs) : NAN); break;
    case FIX_BEST: num(buf, cap, v->best_epoch > 0 ? v->best : NAN); break;
    default: buf[0] = '\0';
    }
}

static const char *fixed_title(const SweepScreen *s, int c, char *buf, size_t cap)
{
    const char *mon = monitor_names[s->x->monitor];
    switch (c) {
    case FIX_TRIAL: return "#";
    case FIX_STATUS: return "status";
    case FIX_RUNG: return "rung";
    case FIX_EPOCH: return "epoch";
    case FIX_NOW: snprintf(buf, cap, "%s", mon); return buf;
    case FIX_BEST: return "best";
    }
    return "";
}

static void draw_row(void *ctx, size_t row, int y, bool cursor)
{
    TableCtx *tc = ctx;
    SweepScreen *s = tc->s;
    int i = s->rows[row];
    const SweepExec *x = s->x;
    attr_t base = cursor ? A_REVERSE : 0;
    wattrset(stdscr, base);
    mvhline(y, 0, ' ', tc->cols);
    int xcol = 0;
    for (int c = 0; c < tc->n_cols; c++) {
        char text[OPTIONS_PATH], shown[OPTIONS_PATH + 8];
        int p = tc->param[c];
        CrtRole role = ROLE_NORMAL;
        attr_t extra = 0;
        if (p >= 0) {
            if (s->tv[i].status == TRIAL_WAITING)
                snprintf(text, sizeof text, "-");
            else
                cell_value(x, p, &s->tv[i].config.v[p], text, sizeof text);
        } else {
            fixed_cell(s, -p - 1, i, text, sizeof text);
            if (-p - 1 == FIX_STATUS) status_word(s, i, &role);
            if (-p - 1 == FIX_TRIAL) extra = crt_palette_attr(i) | A_BOLD;
            if (-p - 1 == FIX_BEST && i == tc->best) role = ROLE_GOOD;
        }
        cut(text, tc->width[c], shown, sizeof shown);
        wattrset(stdscr, (extra ? extra : crt_attr(role)) | base);
        int w = crt_width(shown);
        /* numbers to the right of their column, words to the left */
        bool right = p < 0 && (-p - 1 == FIX_NOW || -p - 1 == FIX_BEST || -p - 1 == FIX_EPOCH ||
                               -p - 1 == FIX_TRIAL);
        crt_puts(stdscr, y, xcol + (right ? tc->width[c] - w : 0), tc->width[c], shown);
        xcol += tc->width[c] + 2;
    }
    wattrset(stdscr, A_NORMAL);
}

static void draw_table(SweepScreen *s, int top, int height, int cols)
{
    const SweepExec *x = s->x;
    TableCtx tc = {.s = s, .cols = cols, .best = best_trial(s)};
    char tbuf[64];
    /* the fixed columns, then the varying parameters while they fit */
    int fixed[] = {FIX_TRIAL, FIX_STATUS, FIX_RUNG, FIX_EPOCH, FIX_NOW, FIX_BEST};
    int used = 0;
    for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++) {
        int c = fixed[k];
        if (c == FIX_RUNG && x->scheduler != SWEEP_SCHED_ASHA) continue;
        int w = (int)strlen(fixed_title(s, c, tbuf, sizeof tbuf));
        for (int i = 0; i < s->n_started; i++) {
            char cell[64];
            fixed_cell(s, c, i, cell, sizeof cell);
            int l = crt_width(cell);
            if (l > w) w = l;
        }
        if (c == FIX_STATUS && w < 9) w = 9;
        tc.param[tc.n_cols] = -c - 1;
        tc.width[tc.n_cols++] = w;
        used += w + 2;
    }
    /* parameters go after the status, before the figures */
    int n_fixed = tc.n_cols;
    int pcol[SWEEP_MAX_PARAMS], pw[SWEEP_MAX_PARAMS], np = 0, n_var = 0;
    for (int p = 0; p < x->space.n; p++) n_var += param_varies(s, p);
    for (int p = 0; p < x->space.n; p++) {
        if (!param_varies(s, p)) continue;
        int w = (int)strlen(x->space.p[p].spec->name);
        for (int i = 0; i < s->n_started; i++) {
            if (s->tv[i].status == TRIAL_WAITING) continue;
            char v[OPTIONS_PATH];
            cell_value(x, p, &s->tv[i].config.v[p], v, sizeof v);
            int l = crt_width(v);
            if (l > w) w = l;
        }
        /* a rate with float32's word ("2.973e-39 → subnormal") is kept whole */
        int most = strcmp(x->space.p[p].spec->name, "lr") == 0 ? 22 : 14;
        if (w > most) w = most;
        if (used + w + 2 > cols) break;
        pcol[np] = p;
        pw[np++] = w;
        used += w + 2;
    }
    /* "+N" at the titles' end, a blank before it, counts the parameters
     * left out, as the run view's list does: the last column shown gives
     * way to it where it has no room */
    char more[16] = "";
    while (np < n_var) {
        int w = snprintf(more, sizeof more, "+%d", n_var - np);
        if (used - 1 + w <= cols) break;
        more[0] = '\0';
        if (np == 0) break; /* the fixed columns fill the width */
        used -= pw[--np] + 2;
    }
    /* insert the parameters after the epoch column */
    int at = 0;
    while (at < n_fixed && tc.param[at] != -FIX_NOW - 1) at++;
    for (int c = n_fixed - 1; c >= at; c--) {
        tc.param[c + np] = tc.param[c];
        tc.width[c + np] = tc.width[c];
    }
    for (int k = 0; k < np; k++) {
        tc.param[at + k] = pcol[k];
        tc.width[at + k] = pw[k];
    }
    tc.n_cols = n_fixed + np;
    /* the titles */
    crt_set(stdscr, ROLE_TITLE);
    mvhline(top, 0, ' ', cols);
    int xcol = 0;
    for (int c = 0; c < tc.n_cols; c++) {
        int p = tc.param[c];
        const char *t =
            p >= 0 ? x->space.p[p].spec->name : fixed_title(s, -p - 1, tbuf, sizeof tbuf);
        char shown[64];
        cut(t, tc.width[c], shown, sizeof shown);
        crt_puts(stdscr, top, xcol, tc.width[c], shown);
        xcol += tc.width[c] + 2;
    }
    /* where the rows in sight are, in the titles' free end: shortened, or
     * left out, rather than over a column's title; of the rows this frame
     * shows, not the last one's (a resize changes them) */
    listview_fit(&s->list, (size_t)s->n_started, height - 1);
    int end = cols; /* where the position must end: before the "+N" */
    if (more[0]) {
        end -= (int)strlen(more);
        crt_set(stdscr, ROLE_DIM);
        crt_puts(stdscr, top, end, cols - end, more);
        end--;
    }
    char pos[32];
    int room = end - xcol + 1;
    if (room > 0 && listview_position(&s->list, room, pos, sizeof pos) && pos[0]) {
        crt_set(stdscr, ROLE_DIM);
        crt_puts(stdscr, top, end - crt_width(pos), crt_width(pos), pos);
    }
    crt_set(stdscr, ROLE_NORMAL);
    if (s->n_started == 0) {
        crt_set(stdscr, ROLE_DIM);
        crt_puts(stdscr, top + 1, 0, cols, "starting the first trials...");
        crt_set(stdscr, ROLE_NORMAL);
        return;
    }
    listview_draw(&s->list, top + 1, height - 1, (size_t)s->n_started, draw_row, &tc);
}

/* The y axis of the monitored figure over the values ys. */
/* Whether the monitored figure is a fraction (an accuracy). */
static bool unit_figure(const SweepScreen *s)
{
    MonitorField f = s->x->monitor;
    return f == MONITOR_ACCURACY || f == MONITOR_VAL_ACCURACY;
}

/* Whether trial i is drawn faint on the charts: pruned or stopped, and
 * neither the best nor the cursor's. */
static bool faint_trial(const SweepScreen *s, int i, int best)
{
    SweepTrialStatus st = s->tv[i].status;
    return (st == TRIAL_PRUNED || st == TRIAL_STOPPED) && i != best && i != s->cursor_trial;
}

/* Trial i's attributes on the charts: its colour, bold for the best and
 * the cursor's, dim when faint.  Without colour every other trial is dim:
 * bold alone tells the best and the cursor's from the rest. */
static attr_t trial_attr(const SweepScreen *s, int i, int best)
{
    bool bold = i == best || i == s->cursor_trial;
    if (crt_colors() == 0) return bold ? A_BOLD : A_DIM;
    return crt_palette_attr(i) | (bold ? A_BOLD : faint_trial(s, i, best) ? A_DIM : 0);
}

/* Without colour, the curve of trial i: the best's solid, the cursor's
 * dashed (solid when it is the best), every other dotted. */
static ChartPattern trial_pattern(const SweepScreen *s, int i, int best)
{
    if (i == best) return CHART_PATTERN_SOLID;
    return i == s->cursor_trial ? CHART_PATTERN_DASHED : CHART_PATTERN_DOTTED;
}

/* Every trial's figure per epoch: the best bold, the cursor's bold and on
 * top, those pruned or stopped faint; at most CHARTVIEW_MAX_SERIES of
 * them, the best ranked first.  The y range (sweepview_figure_axis) runs
 * from the best point to the SWEEPVIEW_AXIS_SHARE quantile of every point
 * drawn, and takes the best's and the cursor's curves whole (but one
 * that diverged): one trial's early spike, or a quarter of the trials at
 * chance, must not flatten the rest, and moving the cursor to a trial
 * shows its curve whole.  What lies beyond is drawn on the edge. */
static void draw_curves(SweepScreen *s, int top, int left, int height, int width)
{
    const SweepExec *x = s->x;
    int E = x->base.max_epochs;
    ChartSpec c;
    memset(&c, 0, sizeof c);
    char title[96], legend[96];
    snprintf(title, sizeof title, "%s per epoch, every trial", monitor_names[x->monitor]);
    c.title = title;
    int best = best_trial(s);
    /* without colour, the curves' patterns tell the best and the cursor's
     * apart, and the others are drawn only where those two leave room */
    bool mono = crt_colors() == 0;
    ChartPattern pattern[CHARTVIEW_MAX_SERIES];
    if (best >= 0) {
        if (!mono && best == s->cursor_trial) /* not two trials */
            snprintf(legend, sizeof legend, "bold: best and cursor (%d)", best);
        else if (!mono)
            snprintf(legend, sizeof legend, "bold: best (%d) and cursor (%d)", best,
                     s->cursor_trial);
        else if (best == s->cursor_trial)
            snprintf(legend, sizeof legend, "solid: best and cursor (%d)", best);
        else
            snprintf(legend, sizeof legend, "solid: best (%d), dashed: cursor (%d)", best,
                     s->cursor_trial);
        c.legend = legend;
    }
    /* once the sweep is over, no epoch is coming */
    c.empty_text = s->ended ? "no trial scored an epoch" : "waiting for the first epoch...";
    c.x_axis = (ChartAxis){0, (double)E, false};
    /* each series' x and y, then every y again for the axis's fit */
    double *b = need(s, (size_t)CHARTVIEW_MAX_SERIES * 3 * (size_t)E + 16);
    if (!b) return;
    /* the trials drawn: the ranked rows, the cursor's and the best last */
    int pick[CHARTVIEW_MAX_SERIES], n = 0;
    for (int r = s->n_started - 1; r >= 0; r--) {
        int i = s->rows[r];
        if (i == best || i == s->cursor_trial) continue;
        if (s->by_index || r < CHARTVIEW_MAX_SERIES - 2) {
            if (n < CHARTVIEW_MAX_SERIES - 2) pick[n++] = i;
        }
    }
    if (best >= 0 && best != s->cursor_trial) pick[n++] = best;
    if (s->cursor_trial >= 0 && s->cursor_trial < s->n_started) pick[n++] = s->cursor_trial;
    size_t used = 0;
    bool higher = monitor_higher_is_better(x->monitor);
    double keep = NAN; /* the worst point of the best's and the cursor's curves */
    double *all = b + (size_t)CHARTVIEW_MAX_SERIES * 2 * (size_t)E;
    size_t n_all = 0;
    for (int k = 0; k < n; k++) {
        int i = pick[k];
        double *xs = b + used, *ys = xs + E;
        size_t m = 0;
        for (int e = 1; e <= s->tv[i].epochs && e <= E; e++) {
            double f = figure_at(s, i, e);
            if (isnan(f)) continue;
            xs[m] = e;
            ys[m++] = f;
        }
        used += 2 * (size_t)E;
        if (!m) continue;
        bool faint = faint_trial(s, i, best);
        bool own = i == best || i == s->cursor_trial;
        for (size_t j = 0; j < m; j++) {
            all[n_all++] = ys[j];
            /* a blow-up's curve only where the range reaches */
            if (own && s->tv[i].status != TRIAL_DIVERGED && isfinite(ys[j]) &&
                (isnan(keep) || (higher ? ys[j] < keep : ys[j] > keep)))
                keep = ys[j];
        }
        c.attrs[c.n_series] = trial_attr(s, i, best);
        pattern[c.n_series] = trial_pattern(s, i, best);
        if (mono && !own) faint = true;
        c.series[c.n_series++] = (ChartSeries){xs, ys, m, ROLE_VAL, faint};
    }
    if (mono) c.patterns = pattern;
    c.y_axis = sweepview_figure_axis(all, n_all, higher, unit_figure(s), keep, all);
    /* what lies past the range's worse end is drawn on that edge, and
     * said */
    bool off =
        higher ? chartview_clipped_below(&c, c.n_series) : chartview_clipped_above(&c, c.n_series);
    const char *note = higher ? "below: bottom edge" : "above: top edge";
    /* the clipping first: a line on the edge must not read as a value; on
     * a narrow chart the title gives it room.  Both when they fit beside
     * the short title: without colour, the legend is what tells the
     * best's curve from the cursor's */
    const char *log = c.y_axis.log ? " (log)" : "";
    snprintf(title, sizeof title, "%s%s per epoch, every trial", monitor_names[x->monitor], log);
    char short_title[64];
    snprintf(short_title, sizeof short_title, "%s%s per epoch", monitor_names[x->monitor], log);
    if (off && best >= 0) {
        char both[sizeof legend];
        int len = snprintf(both, sizeof both, "%s; %s", legend, note);
        bool fits = len > 0 && (size_t)len < sizeof both &&
                    (int)(strlen(short_title) + 2 + (size_t)len) <= width;
        snprintf(legend, sizeof legend, "%s", fits ? both : note);
    }
    /* the short title where the long one leaves the legend no room, or
     * would be cut itself ("val_loss per epoch, every tr..." at 60
     * columns) */
    int legend_w = c.legend ? 2 + crt_width(legend) : 0;
    if ((int)strlen(title) + legend_w > width) snprintf(title, sizeof title, "%s", short_title);
    /* and without "(log)" before the clipping note goes: the ticks (0.1,
     * 0.2, 0.5, 1) say the axis is a log one too */
    if ((int)strlen(title) + legend_w > width)
        snprintf(title, sizeof title, "%s per epoch", monitor_names[x->monitor]);
    int max_ticks = width / 8 < 2 ? 2 : width / 8;
    double step = chart_nice_step(E, max_ticks);
    if (step < 1) step = 1;
    for (double e = 0; e <= E && c.n_x_ticks < CHARTVIEW_MAX_TICKS; e += step) {
        c.x_ticks[c.n_x_ticks] = e;
        snprintf(c.x_labels[c.n_x_ticks], sizeof c.x_labels[0], "%d", (int)e);
        c.n_x_ticks++;
    }
    c.x_title = "epoch";
    chartview_draw(stdscr, top, left, height, width, &c);
}

/* Parameter p's value as a scatter's x: the number, or a choice's or grid
 * point's index; false when the trial does not take it. */
static bool param_x(const SweepExec *x, int p, const SweepValue *v, double *out)
{
    if (!v->active) return false;
    *out = x->space.p[p].dist == SWEEP_CHOICE ? (double)v->index : v->x;
    return true;
}

/* Parameter p against each trial's best figure, each point in its trial's
 * colour (its number's and its curve's), the best's and the cursor's bold
 * and on top, those pruned or stopped behind the others, as on the curves
 * chart.  Past the series a chart takes, the trials ranked last share one
 * faint series. */
static void draw_scatter(SweepScreen *s, int p, int top, int left, int height, int width)
{
    const SweepExec *x = s->x;
    const SweepParam *sp = &x->space.p[p];
    ChartSpec c;
    memset(&c, 0, sizeof c);
    char title[96];
    snprintf(title, sizeof title, "%s: best %s", sp->spec->name, monitor_names[x->monitor]);
    c.title = title;
    c.empty_text = s->ended ? "no trial has a figure" : "no trial has a figure yet";
    size_t n = (size_t)s->n_started;
    /* every point's x and y, then n for the axis's fit */
    double *b = need(s, 3 * n + 16);
    if (!b) return;
    double *xs = b, *ys = b + n, *all = b + 2 * n;
    int best = best_trial(s);
    /* the order drawn: the rest (sharing the first series), then the
     * ranked trials from the last up, the best, the cursor's */
    enum { OWN = CHARTVIEW_MAX_SERIES - 2 };
    int order[CHARTVIEW_MAX_SERIES], n_own = 0;
    for (int r = 0; r < s->n_started && n_own < OWN - 2; r++) {
        int i = s->rows[r];
        if (i != best && i != s->cursor_trial) order[n_own++] = i;
    }
    for (int a = 0, z = n_own - 1; a < z; a++, z--) {
        int t = order[a];
        order[a] = order[z];
        order[z] = t;
    }
    if (best >= 0 && best != s->cursor_trial) order[n_own++] = best;
    if (s->cursor_trial >= 0 && s->cursor_trial < s->n_started) order[n_own++] = s->cursor_trial;
    size_t m = 0;
    /* the shared series' points first */
    for (int i = 0; i < s->n_started; i++) {
        const SweepTrialView *v = &s->tv[i];
        double px;
        if (v->status == TRIAL_WAITING || v->best_epoch == 0 || !isfinite(v->best) ||
            !param_x(x, p, &v->config.v[p], &px))
            continue;
        bool mine = false;
        for (int k = 0; k < n_own && !mine; k++) mine = order[k] == i;
        if (mine) continue;
        xs[m] = px;
        ys[m++] = v->best;
    }
    if (m > 0) {
        c.off_marks[c.n_series] = c.scatter[c.n_series] = true;
        c.series[c.n_series++] = (ChartSeries){xs, ys, m, ROLE_DIM, true};
    }
    for (int k = 0; k < n_own; k++) {
        int i = order[k];
        const SweepTrialView *v = &s->tv[i];
        double px;
        if (v->status == TRIAL_WAITING || v->best_epoch == 0 || !isfinite(v->best) ||
            !param_x(x, p, &v->config.v[p], &px))
            continue;
        xs[m] = px;
        ys[m] = v->best;
        bool faint = faint_trial(s, i, best);
        c.off_marks[c.n_series] = c.scatter[c.n_series] = true;
        c.attrs[c.n_series] = trial_attr(s, i, best);
        c.series[c.n_series++] = (ChartSeries){xs + m, ys + m, 1, ROLE_VAL, faint};
        m++;
    }
    bool categorical = sp->dist == SWEEP_CHOICE;
    bool log = sweep_param_is_log(sp);
    if (categorical)
        c.x_axis = (ChartAxis){-0.5, sp->n - 0.5, false};
    else
        c.x_axis = (ChartAxis){sp->lo, sp->hi, log};
    if (!(c.x_axis.hi > c.x_axis.lo)) /* an int(a,a): one value */
        c.x_axis = (ChartAxis){c.x_axis.lo - 1, c.x_axis.lo + 1, false};
    /* the best figures' range; those past its worse end sit on that edge
     * as arrows, which the legend says, shorter where it must be: "lr:
     * best val_loss  ↑ off chart", then "↑ off", then the title without
     * the figure ("lr: best"), then the name alone */
    bool higher = monitor_higher_is_better(x->monitor);
    c.y_axis = sweepview_figure_axis(ys, m, higher, unit_figure(s), NAN, all);
    char legend[32];
    if (higher ? chartview_clipped_below(&c, c.n_series)
               : chartview_clipped_above(&c, c.n_series)) {
        const char *arrow = crt_glyph(higher ? GLYPH_OFF_DOWN : GLYPH_OFF_UP);
        for (int k = 0; k < 4; k++) {
            snprintf(legend, sizeof legend, "%s off%s", arrow, k == 0 ? " chart" : "");
            if (k == 2) snprintf(title, sizeof title, "%s: best", sp->spec->name);
            if (k == 3) snprintf(title, sizeof title, "%s", sp->spec->name);
            if (crt_width(title) + 2 + crt_width(legend) <= width) break;
        }
        c.legend = legend;
    }
    if (categorical) {
        for (int a = 0; a < sp->n && c.n_x_ticks < CHARTVIEW_MAX_TICKS; a++) {
            c.x_ticks[c.n_x_ticks] = a;
            cut(sweep_param_alt(&x->space, sp, a), (int)sizeof c.x_labels[0] - 4,
                c.x_labels[c.n_x_ticks], sizeof c.x_labels[0]);
            c.n_x_ticks++;
        }
    } else {
        double t[CHARTVIEW_MAX_TICKS];
        /* the x title takes the row's end, and the label under it gives
         * way: three ticks at least (a tick for every 7 columns of a log
         * axis, a label like 0.001 and a blank) leave two labels to give
         * the scale beside it */
        int max_ticks = width / (log ? 7 : 10);
        if (max_ticks < 3) max_ticks = 3;
        int nt = chart_ticks(&c.x_axis, max_ticks, t, CHARTVIEW_MAX_TICKS);
        /* a nice step may leave two where three were asked (0..0.5: 0
         * and 0.5), and the title one label */
        while (nt < 3 && max_ticks < 6)
            nt = chart_ticks(&c.x_axis, ++max_ticks, t, CHARTVIEW_MAX_TICKS);
        if (nt < 2 && !log) {
            /* two ticks' nice step may pass the range and leave at most
             * one (int(4,64): a step of 100): the axis's ends instead */
            t[0] = c.x_axis.lo;
            t[1] = c.x_axis.hi;
            nt = 2;
        }
        double step = nt > 1 && !log ? t[1] - t[0] : 0;
        for (int k = 0; k < nt; k++) {
            c.x_ticks[c.n_x_ticks] = t[k];
            chart_format(t[k], step, 7, c.x_labels[c.n_x_ticks], sizeof c.x_labels[0]);
            c.n_x_ticks++;
        }
    }
    char x_title[64];
    snprintf(x_title, sizeof x_title, "%s%s", sp->spec->name, log ? " (log)" : "");
    c.x_title = x_title;
    /* the chart's title names the parameter: the x title gives way to a
     * choice's labels, and to the two labels that give a number's scale */
    c.x_title_keeps = categorical ? CHART_KEEP_ALL : 2;
    chartview_draw(stdscr, top, left, height, width, &c);
}

static void draw_events(SweepScreen *s, int top, int height, int cols)
{
    crt_set(stdscr, ROLE_TITLE);
    mvhline(top, 0, ' ', cols);
    crt_puts(stdscr, top, 0, cols, "events");
    pthread_mutex_lock(&s->mu);
    /* the frame's events; the ring holds the last EVENTS_MAX told */
    unsigned long n = s->shown, rows = (unsigned long)(height - 1), first = n > rows ? n - rows : 0,
                  kept = s->n_events > EVENTS_MAX ? s->n_events - EVENTS_MAX : 0;
    if (first < kept) first = kept;
    for (int r = 1; r < height; r++) {
        mvhline(top + r, 0, ' ', cols);
        unsigned long k = first + (unsigned long)r - 1;
        if (k >= n) continue;
        const EventLine *e = &s->events[k % EVENTS_MAX];
        CrtRole role = e->bad                                                        ? ROLE_BAD
                       : e->kind == SWEEP_EV_PROMOTE                                 ? ROLE_GOOD
                       : e->kind == SWEEP_EV_PRUNE || e->kind == SWEEP_EV_START_OVER ? ROLE_WARN
                       : e->kind == SWEEP_EV_EXPLOIT                                 ? ROLE_MARKER
                       : e->kind == SWEEP_EV_START                                   ? ROLE_DIM
                                                                                     : ROLE_NORMAL;
        crt_set(stdscr, role);
        crt_puts(stdscr, top + r, 1, cols - 1, e->text);
    }
    pthread_mutex_unlock(&s->mu);
    crt_set(stdscr, ROLE_NORMAL);
}

/* The bar: each key named for what it does now, and only where it acts
 * (keys_sweep_bar_word). */
static void draw_keys(SweepScreen *s, int y, int cols)
{
    pthread_mutex_lock(&s->mu);
    bool failed = s->ended && s->run_rc;
    pthread_mutex_unlock(&s->mu);
    SweepKeyState st = {.paused_all = s->paused_all,
                        .ended = s->ended,
                        .asha = s->x->scheduler == SWEEP_SCHED_ASHA,
                        .to_setup = failed && s->from_form};
    crt_set(stdscr, ROLE_KEYTEXT);
    mvhline(y, 0, ' ', cols);
    int x = 0;
    for (int k = 0; k < sweep_key_count; k++) {
        const char *word = keys_sweep_bar_word(&sweep_key_table[k], st);
        if (!word) continue; /* in the help only, or nothing to do now */
        int w = crt_width(sweep_key_table[k].label) + 1 + (int)strlen(word);
        /* ? help and q quit always have room: "? help  q quit", and the
         * last column stays free */
        int rest = k < sweep_key_count - 2 ? 16 : 0;
        if (x + w + rest >= cols) continue;
        crt_set(stdscr, ROLE_KEY);
        crt_puts(stdscr, y, x, cols - x, sweep_key_table[k].label);
        x += crt_width(sweep_key_table[k].label);
        crt_set(stdscr, ROLE_KEYTEXT);
        crt_puts(stdscr, y, x + 1, cols - x - 1, word);
        x += (int)strlen(word) + 3;
    }
    crt_set(stdscr, ROLE_NORMAL);
}

/* The sweep's files failure for the status line: the reason first, which
 * a narrow terminal must not cut, then the file named from the sweep
 * directory ("writing the sweep's files failed: DIR/T/checkpoint.gtm: No
 * space left on device" reads "the sweep stopped, a file could not be
 * written (No space left on device): T/checkpoint.gtm"). */
static void files_message(const char *msg, const char *dir, char *out, size_t cap)
{
    static const char head[] = "writing the sweep's files failed: ";
    const char *what = strncmp(msg, head, sizeof head - 1) ? msg : msg + sizeof head - 1;
    const char *why = strrchr(what, ':');
    if (!why || why[1] != ' ') {
        snprintf(out, cap, "%s", msg);
        return;
    }
    size_t dl = strlen(dir);
    if (dl && !strncmp(what, dir, dl) && what[dl] == '/') what += dl + 1;
    snprintf(out, cap, "the sweep stopped, a file could not be written (%s): %.*s", why + 2,
             (int)(why - what), what);
}

/* The notice in width columns: its first form that fits with its path
 * whole, else its last with the path's leading directories left out
 * ("…/SWEEP/RUN"), the run's end being what finds it.  True when even
 * that does not fit: line, the last form and the path's last name, is
 * then to lose its start, not the path's end. */
static bool notice_line(const SweepScreen *s, int width, char *line, size_t cap)
{
    const char *form = s->notice, *nl;
    int n;
    for (;;) {
        nl = strchr(form, '\n');
        n = nl ? (int)(nl - form) : (int)strlen(form);
        snprintf(line, cap, "%.*s%s", n, form, s->notice_path);
        if (crt_width(line) <= width) return false;
        if (!nl) break;
        form = nl + 1;
    }
    if (!s->notice_path[0]) return false; /* words alone: their end is cut */
    for (const char *p = s->notice_path; (p = strchr(p + 1, '/')) && p[1];) {
        snprintf(line, cap, "%.*s%s%s", n, form, crt_ellipsis(), p);
        if (crt_width(line) <= width) return false;
    }
    return true;
}

static void draw_message(SweepScreen *s, int y, int cols)
{
    mvhline(y, 0, ' ', cols);
    char line[sizeof s->x->dir + 512];
    CrtRole role = ROLE_DIM;
    bool fin = s->ended, files_bad = false, tail = false;
    pthread_mutex_lock(&s->mu); /* the owner's, final once the frame has the end */
    files_bad = fin && s->run_rc;
    if (files_bad) files_message(s->run_err.msg, s->x->dir, line, sizeof line);
    pthread_mutex_unlock(&s->mu);
    if (files_bad) {
        role = ROLE_BAD;
    } else if (s->notice[0]) {
        role = s->notice_role;
        tail = notice_line(s, cols - 2, line, sizeof line);
    } else if (s->stopping && !fin) {
        role = ROLE_WARN;
        snprintf(line, sizeof line, "stopping every trial after its batch...");
    } else if (fin) {
        int b = best_trial(s);
        char fig[32];
        if (b >= 0) num(fig, sizeof fig, s->tv[b].best);
        if (b >= 0) {
            /* what does not fit is left out whole, not cut mid-word: the
             * keys the bar names too, before the files' directory, then
             * all but the first key */
            static const char *const keys[] = {
                ": a trains it in full, enter opens a trial, q quits", "",
                ": a trains it in full, enter opens a trial, q quits", ": a trains it in full", ""};
            for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
                bool dir = k < 2 && s->x->dir[0];
                if (k == 1 && !dir) continue; /* --no-log: no directory to keep */
                snprintf(line, sizeof line, "sweep %s: best trial %d (%s %s)%s%s%s",
                         s->stopping ? "stopped" : "finished", b, monitor_names[s->x->monitor], fig,
                         keys[k], dir ? "; files in " : "", dir ? s->x->dir : "");
                if (crt_width(line) <= cols - 2) break;
            }
        } else
            snprintf(line, sizeof line, "sweep %s: no trial scored an epoch",
                     s->stopping ? "stopped" : "finished");
        role = b >= 0 ? ROLE_GOOD : ROLE_BAD;
    } else if (s->paused_all) {
        role = ROLE_WARN;
        snprintf(line, sizeof line, "every trial paused: space resumes them");
    } else {
        snprintf(line, sizeof line, "%s%s",
                 s->x->dir[0] ? "sweep directory " : "not logged (--no-log)", s->x->dir);
    }
    crt_set(stdscr, role);
    (tail ? crt_puts_tail : crt_puts)(stdscr, y, 1, cols - 2, line);
    crt_set(stdscr, ROLE_NORMAL);
}

static void draw_confirm(SweepScreen *s, int rows, int cols)
{
    int bw = cols - 4 < 64 ? cols - 4 : 64, bh = 6;
    int y0 = (rows - bh) / 2, x0 = (cols - bw) / 2;
    bool quit = s->confirm == CONFIRM_QUIT;
    /* asked while trials trained; the sweep, or the trial, may have ended
     * since, leaving nothing to stop */
    bool ended = quit ? finished(s) : !s->tv[s->confirm_trial].open;
    crt_box(stdscr, y0, x0, bh, bw,
            quit    ? "quit?"
            : ended ? "trial ended"
                    : "stop this trial?",
            ROLE_WARN);
    char text[160];
    if (quit && ended)
        snprintf(text, sizeof text, "The sweep has finished%s. Quit now?",
                 s->x->dir[0] ? " and its files are written" : "");
    else if (quit)
        snprintf(text, sizeof text, "Stop every trial after its batch%s and quit?",
                 s->x->dir[0] ? ", write the files" : " (--no-log: nothing is written)");
    else if (ended)
        snprintf(text, sizeof text, "Trial %d has ended: there is nothing to stop.",
                 s->confirm_trial);
    else
        snprintf(text, sizeof text, "Stop trial %d after its batch? It ends as stopped.",
                 s->confirm_trial);
    crt_set(stdscr, ROLE_NORMAL);
    crt_wrap(stdscr, y0 + 1, x0 + 2, bw - 4, 2, text);
    crt_set(stdscr, ROLE_KEY);
    crt_puts(stdscr, y0 + 4, x0 + 2, 1, "y");
    crt_set(stdscr, ROLE_KEYTEXT);
    crt_puts(stdscr, y0 + 4, x0 + 4, bw - 6,
             quit && ended ? "quit    n  stay"
             : quit        ? "stop and quit    n  go on"
             : ended       ? "or n  close"
                           : "stop it    n  leave it");
    crt_set(stdscr, ROLE_NORMAL);
}

static void draw_help(SweepScreen *s, int rows, int cols)
{
    HelpRow hr[16];
    for (int k = 0; k < sweep_key_count; k++)
        hr[k] = (HelpRow){sweep_key_table[k].label, sweep_key_table[k].help};
    char text[2048];
    snprintf(text, sizeof text,
             "Rows: one per trial started, best first (o orders them by number); up/down, "
             "pgup/pgdn and home/end move the cursor, the trial p, s, + and enter act on (it stays "
             "on the first row, the leader, until you move it or act on its trial, then follows "
             "its trial as the rows move); # in the "
             "trial's colour, which its curve and its scatter points have too (colours repeat "
             "past the palette's; the best's and the cursor's are bold and on top; without "
             "colour the best's curve is solid, the cursor's dashed and the others dotted, dim "
             "and behind them); # with a * "
             "when you changed the "
             "trial's hyperparameters in its dashboard: its row, trials.csv and best.txt show "
             "those it began with, its journal each change.  Status: waiting (not started yet; "
             "median, pbt: waiting for the others at a fixed point); running; paused (by "
             "you); at rung (asha: waiting for the rung's decision); promoted (training on to "
             "its next rung, or waiting for a free slot to); exploited (pbt: took a better "
             "trial's weights); pruned (stopped by the scheduler, drawn faint); done; early stop "
             "(its patience ran out); diverged; stopped; failed.  The scatters put each searched "
             "parameter (log axis for log ranges) against each trial's best %s.  The charts' "
             "y axes show the best three quarters of the trials (of a loss, at most those within "
             "100 times the best), a loss that spans ten times its low end on a log axis; the "
             "scatters draw the others as arrows on the edge (%s off chart), the curves chart "
             "on its edge, but the best's and the cursor's curves whole.  The ETA goes at "
             "the pace of the last dozen epochs or so, time paused left out; under asha it "
             "counts the epochs the rungs will likely take ('~': each rung promotes 1/eta of "
             "the trials that reach it), and says at most how many they can "
             "take; under median, once three trials it judges have ended, it counts by the "
             "epochs they ended at ('~'); 'at most' when the scheduler or early stopping may "
             "end trials sooner.",
             monitor_names[s->x->monitor],
             crt_glyph(monitor_higher_is_better(s->x->monitor) ? GLYPH_OFF_DOWN : GLYPH_OFF_UP));
    help_box(stdscr, rows, cols, "gradtop sweep keys", hr, sweep_key_count, text, &s->help_scroll);
}

static void draw(SweepScreen *s)
{
    int rows = LINES, cols = COLS;
    erase();
    if (rows < 16 || cols < 60) {
        /* wrapped: the size it needs must not be cut off at a narrow width */
        char m[128];
        snprintf(m, sizeof m, "terminal too small: gradtop sweep needs at least 60x16 (now %dx%d)",
                 cols, rows);
        crt_set(stdscr, ROLE_WARN);
        crt_wrap(stdscr, 0, 0, cols, rows, m);
        crt_set(stdscr, ROLE_NORMAL);
        doupdate();
        return;
    }
    draw_header(s, cols);
    int body = rows - 3; /* header, message, keys */
    int ev_h = body >= 30 ? 6 : body >= 22 ? 4 : 3;
    int rest = body - ev_h;
    int table_h = s->n_started + 1 < rest * 2 / 5 ? s->n_started + 1 : rest * 2 / 5;
    if (table_h < 4) table_h = 4;
    int chart_h = rest - table_h;
    draw_table(s, 1, table_h, cols);
    /* the curves, then as many parameters' scatters as fit beside them */
    const SweepExec *x = s->x;
    int varying[SWEEP_MAX_PARAMS], nv = 0;
    for (int p = 0; p < x->space.n; p++) varying[nv++] = p;
    int curves_w = nv ? cols / 2 : cols;
    if (cols - curves_w < 30) curves_w = cols;
    int room = cols - curves_w, fit = room / 30 > 0 ? room / 30 : 0;
    if (fit > nv) fit = nv;
    /* two blanks between the curves' legend, at their right edge, and the
     * first scatter's title: "above: top edge lr: best val_loss" read as
     * one phrase */
    draw_curves(s, 1 + table_h, 0, chart_h, fit > 0 ? curves_w - 1 : curves_w);
    if (nv && s->param0 >= nv) s->param0 = 0;
    for (int k = 0; k < fit; k++) {
        int p = varying[(s->param0 + k) % nv];
        int w = room / fit;
        /* two blanks after a scatter's legend before the next title */
        draw_scatter(s, p, 1 + table_h, curves_w + k * w + 1, chart_h, w - (k + 1 < fit ? 2 : 1));
    }
    draw_events(s, 1 + table_h + chart_h, ev_h, cols);
    draw_message(s, rows - 2, cols);
    draw_keys(s, rows - 1, cols);
    if (s->help) draw_help(s, rows, cols);
    if (s->confirm != CONFIRM_NONE) draw_confirm(s, rows, cols);
    wnoutrefresh(stdscr);
    doupdate();
}

/* ---- opening a trial, and the best configuration ------------------------------- */

typedef struct {
    SweepScreen *s;
    int trial;
} DescribeCtx;

/* The dashboard's line about a trial's place in the sweep. */
static bool describe_trial(void *ctx, char *buf, size_t cap)
{
    DescribeCtx *dc = ctx;
    SweepScreen *s = dc->s;
    update(s);
    const SweepTrialView *v = &s->tv[dc->trial];
    CrtRole role;
    const char *w = status_word(s, dc->trial, &role);
    const SweepExec *x = s->x;
    char where[128] = "";
    if (promoted_waiting(s, v))
        snprintf(where, sizeof where, " to epoch %d, where it trains on when a slot is free",
                 v->target);
    else if (v->parked && x->scheduler == SWEEP_SCHED_ASHA)
        snprintf(where, sizeof where, ", waiting at epoch %d (a rung) for the round's decision",
                 v->epochs);
    else if (v->parked)
        snprintf(where, sizeof where, ", waiting at epoch %d for the others", v->epochs);
    else if (v->status == TRIAL_RUNNING)
        snprintf(where, sizeof where, ", training to epoch %d", v->target);
    snprintf(buf, cap, "sweep trial %d: %s%s; q or esc goes back to the sweep", dc->trial, w,
             where);
    return v->parked;
}

/* The name of trial i's run directory in the sweep directory (the view's
 * name for it: every trial's run is a directory of the sweep's own) into
 * buf; false when it has none. */
static bool trial_run_name(const SweepScreen *s, int i, char *buf, size_t cap)
{
    pthread_mutex_lock(&s->x->mu);
    const char *run = s->x->trials[i].run, *slash = strrchr(run, '/');
    bool have = s->x->dir[0] && run[0];
    text_copy(buf, cap, have ? (slash ? slash + 1 : run) : "");
    pthread_mutex_unlock(&s->x->mu);
    return have;
}

/* enter on a trial that is not training (it has ended, or has not started
 * again after --resume): its run from disk in the view, charted beside the
 * best trial so far.  Returns a signal's exit code (128 + N), else 0. */
static int view_trial(SweepScreen *s, int i)
{
    char names[2][sizeof s->x->trials[0].run], hint[400];
    const char *focus[2] = {names[0], names[1]};
    if (!trial_run_name(s, i, names[0], sizeof names[0])) {
        if (s->x->dir[0])
            notify(s, ROLE_WARN, "trial %d is not training, and has no run directory", i);
        else
            notify(s, ROLE_WARN, "trial %d is not training, and this sweep writes no run files", i);
        return 0;
    }
    CrtRole role;
    const char *w = status_word(s, i, &role);
    int b = best_trial(s), n_focus = 1;
    if (b >= 0 && b != i && trial_run_name(s, b, names[1], sizeof names[1])) {
        n_focus = 2;
        snprintf(hint, sizeof hint,
                 "sweep trial %d (%s at epoch %d) beside the best so far, trial %d; "
                 "q or esc: back to the sweep",
                 i, w, s->tv[i].epochs, b);
    } else {
        snprintf(hint, sizeof hint,
                 "sweep trial %d (%s at epoch %d%s); q or esc: back to the sweep", i, w,
                 s->tv[i].epochs, b == i ? ", the best so far" : "");
    }
    int code = logview_nested(s->x->dir, focus, n_focus, hint);
    if (code == 1) notify(s, ROLE_BAD, "trial %d: out of memory", i);
    return code >= 128 ? code : 0;
}

/* enter: the trial under the cursor in the full dashboard.  Returns a
 * signal's exit code (128 + N), else 0. */
static int open_trial(SweepScreen *s)
{
    int i = s->cursor_trial;
    if (i < 0 || i >= s->n_started) return 0;
    TrainRun *tr = sweep_exec_hold(s->x, i);
    if (!tr) return view_trial(s, i);
    pthread_mutex_lock(&s->x->mu);
    Options o = s->x->trials[i].opt;
    pthread_mutex_unlock(&s->x->mu);
    Run *run = calloc(1, sizeof *run);
    Error err = {0};
    if (!run || run_borrow(run, tr, &o, &err)) {
        sweep_exec_release(s->x, i);
        notify(s, ROLE_BAD, "trial %d: %s", i, run ? err.msg : "out of memory");
        free(run);
        return 0;
    }
    DescribeCtx dc = {s, i};
    run->describe = describe_trial;
    run->describe_ctx = &dc;
    sweep_exec_watch(s->x, i, run_batch_hook, run);
    keys_bar_mode(KEYS_BAR_TRIAL);
    bool to_setup = false;
    int code = dashboard_run(run, &to_setup);
    keys_bar_mode(KEYS_BAR_RUN);
    sweep_exec_watch(s->x, i, NULL, NULL);
    run_close(run);
    free(run);
    sweep_exec_release(s->x, i);
    return code >= 128 ? code : 0;
}

/* a: the best configuration so far, trained for the full length in a
 * dashboard of its own (its run directory in the sweep's). */
static int run_best(SweepScreen *s)
{
    int b = best_trial(s);
    if (b < 0) {
        notify(s, ROLE_WARN, "a: no trial has a figure yet");
        return 0;
    }
    const SweepExec *x = s->x;
    pthread_mutex_lock(&s->x->mu);
    Options o = s->x->trials[b].opt;
    pthread_mutex_unlock(&s->x->mu);
    o.epochs = x->base.max_epochs;
    o.threads = x->base.threads;
    o.pace = x->base.pace;
    o.paused = false;
    snprintf(o.name, sizeof o.name, "best-trial-%03d", b);
    Run *run = calloc(1, sizeof *run);
    if (!run) return 0;
    run_init(run, &o, s->exe_dir);
    run->in_sweep = true;
    run_share(run, &s->data);
    Error err = {0};
    int code = 0;
    if (run_start(run, &err)) {
        notify(s, ROLE_BAD, "a: %s", err.msg);
    } else {
        keys_bar_mode(KEYS_BAR_SWEEP_RUN);
        bool to_setup = false;
        code = dashboard_run(run, &to_setup);
        keys_bar_mode(KEYS_BAR_RUN);
        if (code >= 128) {
            run_close(run);
            free(run);
            return code;
        }
        code = 0;
        /* the sweep as it stands now: one that ended while the run
         * trained must not take the line from the notice below */
        update(s);
        /* the forms, in fewer words each, where a narrow screen has
         * room: the path whole is what finds the run */
        const char *path = run->core->log_path;
        bool hc = s->tv[b].hand_changed;
        if (path[0])
            notify(s, ROLE_GOOD,
                   "the full run of trial %d's configuration%s is in \n"
                   "trial %d's configuration%s in full: \ntrial %d in full: \n",
                   b, hc ? " (as it began, before your changes)" : "", b,
                   hc ? " (as it began)" : "", b);
        else
            notify(s, ROLE_GOOD,
                   "the full run of trial %d's configuration%s was not logged\n"
                   "trial %d's full run%s was not logged",
                   b, hc ? " (as it began, before your changes)" : "", b,
                   hc ? " (as it began)" : "");
        snprintf(s->notice_path, sizeof s->notice_path, "%s", path);
    }
    run_close(run);
    free(run);
    return code;
}

/* ---- keys ------------------------------------------------------------------------ */

static void on_confirm(SweepScreen *s, int ch)
{
    if (ch == 'y' || ch == 'Y') {
        if (s->confirm == CONFIRM_QUIT && finished(s)) {
            s->quit = true; /* nothing left to stop */
        } else if (s->confirm == CONFIRM_QUIT) {
            s->stopping = s->quit = true;
            sweep_exec_stop(s->x);
        } else if (sweep_exec_stop_trial(s->x, s->confirm_trial)) {
            notify(s, ROLE_WARN, "trial %d asked to stop after its batch", s->confirm_trial);
        } else {
            notify(s, ROLE_WARN, "trial %d is not training", s->confirm_trial);
        }
    } else if (ch != 'n' && ch != 'N' && ch != KEY_ESC && ch != 'q') {
        return;
    }
    s->confirm = CONFIRM_NONE;
}

static void on_key(SweepScreen *s, int ch)
{
    if (ch == KEY_RESIZE) return;
    if (s->confirm != CONFIRM_NONE) {
        on_confirm(s, ch);
        return;
    }
    if (s->help) {
        if (ch == KEY_ESC || ch == 'q' || ch == '?')
            s->help = false;
        else
            help_scroll_key(ch, &s->help_scroll, LINES - 8);
        return;
    }
    if (listview_key(&s->list, ch)) {
        s->cursor_moved = true;
        if (s->list.cursor < (size_t)s->n_started) s->cursor_trial = s->rows[s->list.cursor];
        return;
    }
    int i = s->cursor_trial;
    bool have = i >= 0 && i < s->n_started;
    Action act = keys_sweep_action(ch);
    /* a key that acts on the cursor's trial keeps the cursor on it: p
     * twice pauses and resumes one trial, however the rows move between */
    if (have && (act == ACTION_SWEEP_PAUSE || act == ACTION_SWEEP_STOP ||
                 act == ACTION_SWEEP_PROMOTE || act == ACTION_SWEEP_OPEN))
        s->cursor_moved = true;
    switch (act) {
    case ACTION_SWEEP_PAUSE_ALL:
        if (finished(s)) {
            notify(s, ROLE_WARN, "the sweep has ended: no trial to pause");
            break;
        }
        s->paused_all = !s->paused_all;
        if (s->paused_all)
            s->paused_at = screen_now();
        else
            s->paused_s += screen_now() - s->paused_at;
        /* the ETA's pace counts no time paused */
        sweep_pace_note(&s->pace, screen_now(), epochs_done(s), s->paused_all);
        sweep_exec_pause_all(s->x, s->paused_all);
        /* paused, the message line says so, and what resumes them */
        if (!s->paused_all) notify(s, ROLE_WARN, "every trial resumed");
        break;
    case ACTION_SWEEP_PAUSE:
        if (have && sweep_exec_pause_trial(s->x, i))
            notify(s, ROLE_WARN, "trial %d %s", i, s->tv[i].user_paused ? "resumed" : "paused");
        else
            notify(s, ROLE_WARN, "p: trial %d is not training", i);
        break;
    case ACTION_SWEEP_STOP:
        /* asks only of a trial it can stop: one that has ended, or not
         * started, has nothing to stop after its batch */
        if (have && s->tv[i].open) {
            s->confirm = CONFIRM_STOP;
            s->confirm_trial = i;
        } else if (have) {
            notify(s, ROLE_WARN, "s: trial %d is not training", i);
        }
        break;
    case ACTION_SWEEP_PROMOTE: {
        Error err = {0};
        if (!have) break;
        if (sweep_exec_promote(s->x, i, &err))
            notify(s, ROLE_WARN, "%s", err.msg);
        else
            notify(s, ROLE_GOOD, "trial %d promoted", i);
        break;
    }
    case ACTION_SWEEP_OPEN:
        if (have) s->signal = open_trial(s);
        if (s->signal) s->quit = true;
        break;
    case ACTION_SWEEP_BEST:
        s->signal = run_best(s);
        if (s->signal) s->quit = true;
        break;
    case ACTION_SWEEP_ORDER:
        /* the rows in their new order at once: a key after this one (End,
         * enter) acts on the row it sees, not on the old order's */
        s->by_index = !s->by_index;
        update(s);
        break;
    case ACTION_SWEEP_NEXT_PARAM: s->param0++; break;
    case ACTION_SWEEP_PREV_PARAM: s->param0 = s->param0 > 0 ? s->param0 - 1 : 0; break;
    case ACTION_HELP:
        s->help = true;
        s->help_scroll = 0;
        break;
    case ACTION_QUIT:
        if (finished(s))
            s->quit = true;
        else
            s->confirm = CONFIRM_QUIT;
        break;
    default: break;
    }
}

/* ---- the loop -------------------------------------------------------------------- */

/* What the screen shows of the trials, summed: a frame whose sum and
 * size match the last one's, with no key since and within a second of it
 * (the ETA ticks), is not drawn again.  Drawing every trial's curve costs
 * the trials' threads the CPU it takes: make bench measures the screen
 * against the headless sweep. */
static unsigned long view_sum(SweepScreen *s)
{
    unsigned long sum = (unsigned long)s->n_started * 1000003UL;
    for (int i = 0; i < s->n_started; i++) {
        const SweepTrialView *v = &s->tv[i];
        sum += (unsigned long)v->epochs * 31UL + (unsigned long)v->status * 7UL +
               (unsigned long)v->user_paused * 3UL + (unsigned long)v->parked +
               (unsigned long)v->told_kind * 101UL;
    }
    return sum + s->shown * 17UL + (unsigned long)s->ended;
}

static double sweep_frame(void *ctx)
{
    SweepScreen *s = ctx;
    update(s);
    unsigned long sum = view_sum(s);
    double now = screen_now();
    sweep_pace_note(&s->pace, now, epochs_done(s),
                    sweepeta_held(s->tv, s->n_started, s->paused_all));
    if (s->dirty || sum != s->drawn_sum || LINES != s->drawn_rows || COLS != s->drawn_cols ||
        now - s->drawn_at >= 1) {
        draw(s);
        s->dirty = false;
        s->drawn_sum = sum;
        s->drawn_rows = LINES;
        s->drawn_cols = COLS;
        s->drawn_at = now;
    }
    /* 4 frames a second (a key is answered at once): a sweep's figures
     * come by the epoch, and every core trains, so each frame the screen
     * and the terminal draw is taken from the trials */
    return SWEEP_FRAME_S;
}

static void sweep_key(void *ctx, int ch)
{
    SweepScreen *s = ctx;
    s->dirty = true;
    /* a key ends the notice that answered the last (a new size is not a
     * key the person pressed) */
    if (ch != KEY_RESIZE) s->notice[0] = s->notice_path[0] = '\0';
    on_key(s, ch);
}

static bool sweep_done(void *ctx)
{
    SweepScreen *s = ctx;
    /* after q, the screen stays (saying so) until every trial stopped */
    return s->quit && (finished(s) || s->signal);
}

static void screen_free(SweepScreen *s)
{
    if (s->x) {
        sweep_exec_free(s->x);
        free(s->x);
    }
    prepared_close(&s->data);
    free(s->events);
    free(s->tv);
    free(s->figs);
    free(s->rows);
    free(s->buf);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static int exit_code(SweepScreen *s, int code)
{
    if (code) return code; /* a signal */
    if (s->run_rc) return 1;
    if (best_trial(s) >= 0) return 0;
    for (int i = 0; i < s->n_started; i++)
        if (s->tv[i].status == TRIAL_DIVERGED) return 3;
    return 0;
}

int sweepview_main(const Options *o, const char *resume, const char *exe_dir, char *refused,
                   size_t refused_cap)
{
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");
    SweepScreen *s = calloc(1, sizeof *s);
    if (!s) return 1;
    pthread_mutex_init(&s->mu, NULL);
    s->exe_dir = exe_dir;
    s->from_form = refused != NULL;
    s->cursor_trial = 0;
    /* an interrupt while the data loads: nothing starts, nothing is made */
    crt_signals_install();
    Error err = {0};
    if (prepared_open(&s->data, o, exe_dir, &err)) {
        screen_refuse(refused, refused_cap, "gradtop sweep", err.msg);
        free(s);
        return err.code == ERROR_RUNTIME ? 1 : 2;
    }
    s->x = calloc(1, sizeof *s->x);
    SweepHooks hooks = {.ctx = s, .on_event = on_event};
    int code = 0;
    if (!s->x) {
        code = 1;
        goto out;
    }
    if (sweep_exec_init(s->x, o, &s->data, NULL, &hooks, &err) ||
        sweep_exec_open_dir(s->x, resume, &err)) {
        screen_refuse(refused, refused_cap, "gradtop sweep", err.msg);
        code = err.code == ERROR_RUNTIME && !resume ? 1 : 2;
        goto out;
    }
    size_t n = (size_t)s->x->n_trials;
    s->events = calloc(EVENTS_MAX, sizeof *s->events);
    s->tv = calloc(n, sizeof *s->tv);
    s->figs = calloc(n * (size_t)s->x->board.max_epochs, sizeof *s->figs);
    s->rows = calloc(n, sizeof *s->rows);
    if (!s->events || !s->tv || !s->figs || !s->rows) {
        screen_refuse(refused, refused_cap, "gradtop sweep", "out of memory");
        code = 1;
        goto out;
    }
    int early = crt_take_signal();
    if (early) {
        fprintf(stderr, "gradtop: interrupted before the sweep started; nothing was written\n");
        code = 128 + early;
        goto out;
    }
    char why[256];
    if (!crt_init(why, sizeof why)) {
        screen_refuse(refused, refused_cap, "gradtop sweep", why);
        code = 2;
        goto out;
    }
    /* a resumed sweep's epochs so far took none of this screen's time:
     * the ETA's pace counts only those done from here on */
    SweepMoment before;
    sweep_exec_view(s->x, s->tv, s->x->n_trials, &before, NULL);
    for (int i = 0; i < before.n_started; i++) s->done_before += s->tv[i].epochs;
    s->t0 = screen_now();
    if (o->paused) { /* --paused: every trial waits before its first batch */
        sweep_exec_pause_all(s->x, true);
        s->paused_all = true;
        s->paused_at = s->t0;
    }
    /* the pace of the last dozen epochs, or more when that many trials
     * train at once and end their epochs together */
    sweep_pace_start(&s->pace, s->t0, s->done_before, s->paused_all,
                     SWEEPETA_RECENT > 2 * s->x->parallel ? SWEEPETA_RECENT : 2 * s->x->parallel);
    if (pthread_create(&s->owner, NULL, owner_main, s)) {
        crt_done();
        screen_refuse(refused, refused_cap, "gradtop sweep", "cannot start the sweep's thread");
        code = 1;
        goto out;
    }
    s->owner_started = true;
    ScreenHooks sh = {.ctx = s, .frame = sweep_frame, .key = sweep_key, .done = sweep_done};
    code = screen_loop(&sh);
    if (s->signal) code = s->signal;
    if (code) {
        /* a signal: every trial stops after its batch, the files are
         * written, as the headless sweep does */
        s->stopping = true;
        sweep_exec_stop(s->x);
        double until = screen_now() + 0.1;
        while (!finished(s)) {
            if (screen_now() >= until) {
                update(s);
                draw(s);
                until = screen_now() + 0.1;
            }
            struct timespec ts = {0, 20 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    crt_done();
    pthread_join(s->owner, NULL);
    s->owner_started = false;
    update(s);
    code = exit_code(s, code);
    /* files that failed stopped the sweep: the setup form it came from
     * says so (unless a signal ends the program), else stderr */
    if (s->run_rc && code < 128)
        screen_refuse(refused, refused_cap, "gradtop sweep", s->run_err.msg);
    else if (s->run_rc)
        fprintf(stderr, "gradtop sweep: %s\n", s->run_err.msg);
    int b = best_trial(s);
    if (b >= 0) {
        char cfg[OPTIONS_SPACE];
        sweep_exec_config_text(s->x, &s->x->trials[b], cfg, sizeof cfg);
        fprintf(stderr, "gradtop sweep: best trial %d (%s %.6g): %s%s%s\n", b,
                monitor_names[s->x->monitor], s->tv[b].best, cfg, s->x->dir[0] ? "; sweep in " : "",
                s->x->dir);
    }
out:
    screen_free(s);
    return code;
}
