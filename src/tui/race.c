/*
 * race.c - the race screen of the optimizer race.  See race.h.
 */
#include "race.h"

#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chart.h"
#include "chartview.h"
#include "crt.h"
#include "keys.h"
#include "screen.h"
#include "run.h"
#include "text.h"

#define KEY_ESC 27

typedef struct Race Race;

typedef struct {
    Race *race; /* the race it runs in */
    char name[RACE_NAME_MAX + 1];
    char settings[256]; /* what sets it apart from the other racers, for its row */
    Run run;
    bool started; /* its thread runs */
} Racer;

struct Race {
    Racer r[RACE_MAX];
    int n;
    PreparedData sess;
    bool log_y, confirm, quit;
    bool help;       /* the ? overlay is shown */
    int help_scroll; /* its first row shown */
    bool ended;      /* every racer had ended at the last frame */
    double smoothing;
    Pace pace;        /* every racer's: < and > change them together */
    char shared[256]; /* what every racer has in common, for the header */
    char notice[512];
    double *buf;
    size_t cap;
};

/* Racers' attributes without colour; with colour, the palette's first
 * colours (racer_attr).  Without colour each racer's curves have a
 * pattern of their own, which its row in the table shows. */
static const CrtRole racer_role[RACE_MAX] = {ROLE_TRAIN, ROLE_VAL, ROLE_GOOD, ROLE_WARN};
static const ChartPattern racer_pattern[RACE_MAX] = {CHART_PATTERN_SOLID, CHART_PATTERN_DOTTED,
                                                     CHART_PATTERN_DASHED, CHART_PATTERN_SPARSE};
/* Columns before the racer's name: its colour bar, or its pattern's
 * sample (four cells: a period of each) and a space. */
#define RACER_LEAD_COLOUR 2
#define RACER_LEAD_PATTERN 5

static int racer_lead(void)
{
    return crt_colors() > 0 ? RACER_LEAD_COLOUR : RACER_LEAD_PATTERN;
}

static attr_t racer_attr(int i)
{
    return crt_colors() > 0 ? crt_palette_attr(i) | A_BOLD : 0;
}

/* ---- parsing ----------------------------------------------------------- */

/* The racers of spec (racers.h) into race->r[], run_init'ed (the caller
 * run_closes them): 2 with the reason in why when spec is refused. */
static int parse_racers(Race *race, const Options *base, const char *spec, char *why, size_t cap)
{
    RacerSpec *specs = calloc(RACE_MAX, sizeof *specs);
    if (!specs) {
        snprintf(why, cap, "out of memory");
        return 1;
    }
    bool ok = racers_parse(base, spec, specs, &race->n, why, cap);
    for (int i = 0; i < race->n; i++) {
        Racer *rc = &race->r[i];
        memset(rc, 0, sizeof *rc);
        rc->race = race;
        text_copy(rc->name, sizeof rc->name, specs[i].name);
        run_init(&rc->run, &specs[i].opt, NULL);
        rc->run.no_live = true;
    }
    free(specs);
    return ok ? 0 : 2;
}

/* ---- what the racers share and what sets each apart --------------------- */

static bool same_sizes(const ModelShape *a, const ModelShape *b)
{
    if (a->n_layers != b->n_layers) return false;
    for (int i = 0; i <= a->n_layers; i++)
        if (a->sizes[i] != b->sizes[i]) return false;
    return true;
}

/* Appends "item" to buf, two spaces after what is there. */
static void add_item(char *buf, size_t cap, const char *item)
{
    size_t l = strlen(buf);
    if (l < cap) snprintf(buf + l, cap - l, "%s%s", l ? "  " : "", item);
}

/* "batch 32", "nesterov", "no-restore-best", "l2 0.01". */
static void option_item(const Options *o, const OptionSpec *s, char *buf, size_t cap)
{
    char v[OPTIONS_PATH];
    options_format(o, s, v, sizeof v);
    const char *label = strcmp(s->name, "batch-size") == 0 ? "batch" : s->name;
    if (s->kind == OPTKIND_BOOL)
        snprintf(buf, cap, "%s%s", strcmp(v, "true") == 0 ? "" : "no-", label);
    else
        snprintf(buf, cap, "%s %.60s", label, v);
}

/* Fills race->shared, for the header, with what every racer has in common
 * (network, activation, seed, batch size), and each racer's settings, for
 * its row, with what sets it apart: those of the four that differ, every
 * other model or training option whose value differs between the racers,
 * and the parameters of its optimizer and schedule that are away from
 * their defaults (unless every racer has the same).  The name, the
 * learning rate and the epochs have columns of their own.  Called once the
 * racers are started (their networks are built). */
static void describe_racers(Race *race)
{
    const Run *r0 = &race->r[0].run;
    bool same_arch = true, same_act = true, same_seed = true, same_batch = true;
    for (int i = 1; i < race->n; i++) {
        const Run *r = &race->r[i].run;
        same_arch &= same_sizes(&r->shape, &r0->shape);
        same_act &= r->shape.hidden == r0->shape.hidden;
        same_seed &= r->opt.seed == r0->opt.seed;
        same_batch &= r->opt.hp.batch_size == r0->opt.hp.batch_size;
    }
    char item[160];
    race->shared[0] = '\0';
    snprintf(item, sizeof item, "%s (%zu rows)", race->sess.all.name, race->sess.all.n);
    add_item(race->shared, sizeof race->shared, item);
    if (same_arch) run_shape_text(&r0->shape, item, sizeof item);
    if (same_arch && same_act) {
        size_t l = strlen(item);
        snprintf(item + l, sizeof item - l, " %s", activation_name(r0->shape.hidden));
    } else if (same_act) {
        snprintf(item, sizeof item, "%s", activation_name(r0->shape.hidden));
    }
    if (same_arch || same_act) add_item(race->shared, sizeof race->shared, item);
    if (same_seed) {
        snprintf(item, sizeof item, "seed %llu", (unsigned long long)r0->opt.seed);
        add_item(race->shared, sizeof race->shared, item);
    }
    if (same_batch) {
        snprintf(item, sizeof item, "batch %d", r0->opt.hp.batch_size);
        add_item(race->shared, sizeof race->shared, item);
    }

    for (int i = 0; i < race->n; i++) {
        Racer *rc = &race->r[i];
        const Options *o = &rc->run.opt;
        char *set = rc->settings;
        set[0] = '\0';
        /* "4→8→3 relu", as in the header */
        item[0] = '\0';
        if (!same_arch) run_shape_text(&rc->run.shape, item, sizeof item);
        if (!same_act) {
            size_t l = strlen(item);
            snprintf(item + l, sizeof item - l, "%s%s", l ? " " : "",
                     activation_name(rc->run.shape.hidden));
        }
        if (item[0]) add_item(set, sizeof rc->settings, item);
        /* an optimizer's or a schedule's own parameter is shown when it is
         * away from its default (Keras's, for the optimizer's) */
        Options defaults;
        options_default(&defaults);
        optimizer_params_default(&defaults.hp.opt, o->hp.opt.kind);
        defaults.sched.kind = o->sched.kind;
        for (size_t k = 0; k < option_count; k++) {
            const OptionSpec *s = &option_table[k];
            if (s->group != OPTGROUP_MODEL && s->group != OPTGROUP_TRAIN) continue;
            if (!strcmp(s->name, "layers") || !strcmp(s->name, "activation") ||
                !strcmp(s->name, "optimizer") || !strcmp(s->name, "lr") ||
                !strcmp(s->name, "epochs") || !strcmp(s->name, "threads"))
                continue;
            if (!option_applies(s, o)) continue;
            char mine[OPTIONS_PATH], other[OPTIONS_PATH];
            options_format(o, s, mine, sizeof mine);
            bool shared = true; /* every racer has it, with this value */
            for (int j = 0; j < race->n && shared; j++) {
                const Options *oj = &race->r[j].run.opt;
                if (option_applies(s, oj)) options_format(oj, s, other, sizeof other);
                shared = option_applies(s, oj) && strcmp(mine, other) == 0;
            }
            if (shared) continue;
            if (s->applies) {
                options_format(&defaults, s, other, sizeof other);
                if (!strcmp(mine, other)) continue;
            }
            option_item(o, s, item, sizeof item);
            add_item(set, sizeof rc->settings, item);
        }
    }
}

/* ---- starting ---------------------------------------------------------- */

/* Builds every racer's trainer, then (all of them could be built) makes
 * their run directories and starts them: a racer refused for its network
 * leaves no racer's directory behind.  The process exit code: 0, or 1 or
 * 2 when a racer cannot start (why it cannot in why), in which case the
 * racers already started have been told to stop. */
static int race_start(Race *race, char *why, size_t why_cap)
{
    Error err;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < race->n; i++) {
            Racer *rc = &race->r[i];
            error_clear(&err);
            if (pass == 0 ? run_prepare(&rc->run, &err) : run_launch(&rc->run, &err)) {
                snprintf(why, why_cap, "%s: %s", rc->name, err.msg);
                /* the racers already started end at their next batch */
                for (int j = 0; j < i && pass == 1; j++) trainer_stop(race->r[j].run.core->trainer);
                return err.code == ERROR_RUNTIME ? 1 : 2;
            }
            if (pass == 1) rc->started = true;
        }
    }
    return 0;
}

/* ---- the screen -------------------------------------------------------- */

static bool any_in_progress(const Race *race)
{
    for (int i = 0; i < race->n; i++) {
        TrainStatus s = race->r[i].run.snap.status;
        if (race->r[i].run.has_snap && (s == TRAIN_RUNNING || s == TRAIN_PAUSED)) return true;
    }
    return false;
}

static double *need(Race *race, size_t n)
{
    if (n > race->cap) {
        double *b = realloc(race->buf, n * sizeof *b);
        if (!b) return NULL;
        race->buf = b;
        race->cap = n;
    }
    return race->buf;
}

/* The second chart's figure: the validation accuracy (MAE for a
 * regression), or the training one without a validation part. */
static const char *metric_title(const Race *race)
{
    bool reg = race->sess.train.task == TASK_REGRESSION, has_val = race->sess.val.n > 0;
    return reg ? (has_val ? "validation MAE" : "MAE")
               : (has_val ? "validation accuracy" : "accuracy");
}

static void x_ticks(ChartSpec *c, const TrainerSnapshot *s, int width)
{
    int E = s->n_epochs;
    int max_ticks = width / 8 < 2 ? 2 : width / 8;
    if (max_ticks > CHARTVIEW_MAX_TICKS) max_ticks = CHARTVIEW_MAX_TICKS;
    double nice = E > 0 ? chart_nice_step(E, max_ticks) : 1;
    int step = nice < 1 ? 1 : (int)nice;
    c->n_x_ticks = 0;
    for (int e = 0; e <= E && c->n_x_ticks < CHARTVIEW_MAX_TICKS; e += step) {
        c->x_ticks[c->n_x_ticks] = e == 0 ? 0 : (double)s->history[e - 1].step;
        snprintf(c->x_labels[c->n_x_ticks], sizeof c->x_labels[0], "%d", e);
        c->n_x_ticks++;
    }
    c->x_title = "epoch";
}

static void draw_charts(Race *race, int top, int height, int width)
{
    size_t total = 0;
    long max_step = 1;
    const TrainerSnapshot *longest = NULL;
    for (int i = 0; i < race->n; i++) {
        const TrainerSnapshot *s = &race->r[i].run.snap;
        if (!race->r[i].run.has_snap) continue;
        total += 2 * (size_t)s->n_points + 3 * (size_t)s->n_epochs;
        if (s->step >= max_step) {
            max_step = s->step > 0 ? s->step : 1;
            longest = s;
        }
    }
    double *b = need(race, 2 * total + 16);
    if (!b) return;
    size_t used = 0;
    bool reg = race->sess.train.task == TASK_REGRESSION;
    bool has_val = race->sess.val.n > 0;
    ChartSpec loss, acc;
    memset(&loss, 0, sizeof loss);
    memset(&acc, 0, sizeof acc);
    loss.title = "training loss (smoothed)";
    acc.title = metric_title(race);
    loss.empty_text = "waiting for the first batch...";
    acc.empty_text = "waiting for the first epoch...";
    ChartAxis xa = {0, (double)max_step, false};
    loss.x_axis = acc.x_axis = xa;
    /* a racer that diverged does not flatten the others' curves
     * (chart_autoscale_from), and its smoothing starts afresh where it
     * resumed, as on the dashboard */
    ChartTrust loss_trust[CHARTVIEW_MAX_SERIES], acc_trust[CHARTVIEW_MAX_SERIES];
    ChartPattern loss_pat[CHARTVIEW_MAX_SERIES], acc_pat[CHARTVIEW_MAX_SERIES];
    loss.patterns = loss_pat;
    acc.patterns = acc_pat;
    for (int i = 0; i < race->n; i++) {
        const TrainerSnapshot *s = &race->r[i].run.snap;
        if (!race->r[i].run.has_snap) continue;
        ChartTrust trust = chartview_trust(s);
        size_t np = (size_t)s->n_points, ne = (size_t)s->n_epochs;
        double *sx = b + used, *sy = sx + np;
        used += 2 * np;
        for (size_t k = 0; k < np; k++) {
            sx[k] = (double)(k + 1) * (double)s->step_stride;
            sy[k] = s->step_loss[k];
        }
        chart_smooth_from(sx, sy, sy, np, race->smoothing, trust.resumed ? trust.from : -INFINITY);
        if (np) {
            loss.attrs[loss.n_series] = racer_attr(i);
            loss_trust[loss.n_series] = trust;
            loss_pat[loss.n_series] = racer_pattern[i];
            loss.series[loss.n_series++] = (ChartSeries){sx, sy, np, racer_role[i], false};
        }
        double *ex = b + used, *ey = ex + ne;
        used += 2 * ne;
        for (size_t k = 0; k < ne; k++) {
            const EpochMetrics *m = &s->history[k];
            ex[k] = (double)m->step;
            ey[k] =
                reg ? (has_val ? m->val_mae : m->mae) : (has_val ? m->val_accuracy : m->accuracy);
        }
        if (ne) {
            acc.attrs[acc.n_series] = racer_attr(i);
            acc_trust[acc.n_series] = trust;
            acc_pat[acc.n_series] = racer_pattern[i];
            acc.series[acc.n_series++] = (ChartSeries){ex, ey, ne, racer_role[i], false};
        }
    }
    double *scratch = b + used;
    chartview_fit_y(&loss, loss_trust, race->log_y, false, scratch);
    chartview_fit_y(&acc, acc_trust, false, !reg, scratch);
    if (longest) {
        x_ticks(&loss, longest, width - 8);
        x_ticks(&acc, longest, width - 8);
    }
    int h1 = height * 3 / 5;
    /* one margin for both, as on the dashboard: an epoch in one column */
    int m1 = chartview_margin(&loss, h1), m2 = chartview_margin(&acc, height - h1);
    loss.min_margin = acc.min_margin = m1 > m2 ? m1 : m2;
    chartview_draw(stdscr, top, 0, h1, width, &loss);
    chartview_draw(stdscr, top + h1, 0, height - h1, width, &acc);
}

/* The table under the charts: a row per racer.  Each column is as wide as
 * its widest cell; when they do not all fit, the columns of least use give
 * way first (see give_way). */
enum {
    COL_RACER,
    COL_STATUS,
    COL_EPOCH,
    COL_STEP,
    COL_LOSS,
    COL_METRIC,
    COL_VAL_LOSS,
    COL_VAL_METRIC,
    COL_LR,
    COL_BEST,
    COL_SETTINGS,
    COL_COUNT
};

#define COL_GAP 2
#define CELL 256 /* as Racer.settings */
/* The settings take the rest of a row, cut, when they do not fit whole but
 * this much room is left. */
#define SETTINGS_MIN 14

/* A number in a narrow cell: four decimals, or %g when that would be
 * long (a loss that is blowing up). */
static void num_cell(char *buf, size_t cap, double v)
{
    if (isfinite(v) && fabs(v) < 1e5)
        snprintf(buf, cap, "%.4f", v);
    else
        snprintf(buf, cap, "%.4g", v);
}

static int digits(long v)
{
    int d = 1;
    while (v >= 10 || v <= -10) {
        v /= 10;
        d++;
    }
    return d;
}

/* s, a list of items two spaces apart, cut to at most width columns after
 * an item, with an ellipsis to say so. */
static void cut_items(const char *s, int width, char *out, size_t cap)
{
    char buf[CELL + 8];
    const char *more = crt_glyph(GLYPH_ELLIPSIS);
    snprintf(out, cap, "%s", width >= 1 ? more : "");
    for (const char *p = strstr(s, "  "); p; p = strstr(p + 2, "  ")) {
        snprintf(buf, sizeof buf, "%.*s  %s", (int)(p - s), s, more);
        if (crt_width(buf) > width) break;
        text_copy(out, cap, buf);
    }
}

static void draw_table(Race *race, int top, int width)
{
    bool reg = race->sess.train.task == TASK_REGRESSION;
    bool has_val = race->sess.val.n > 0;
    static const char *const head_cls[COL_COUNT] = {"racer", "status", "epoch",    "step",
                                                    "loss",  "acc",    "val_loss", "val_acc",
                                                    "lr",    "best",   "settings"};
    const char *head[COL_COUNT];
    memcpy(head, head_cls, sizeof head);
    if (reg) {
        head[COL_METRIC] = "mae";
        head[COL_VAL_METRIC] = "val_mae";
    }
    static const bool right[COL_COUNT] = {
        [COL_EPOCH] = true,    [COL_STEP] = true,       [COL_LOSS] = true, [COL_METRIC] = true,
        [COL_VAL_LOSS] = true, [COL_VAL_METRIC] = true, [COL_LR] = true};
    bool present[COL_COUNT];
    for (int c = 0; c < COL_COUNT; c++) present[c] = true;
    present[COL_VAL_LOSS] = present[COL_VAL_METRIC] = has_val;
    present[COL_SETTINGS] = false;
    for (int i = 0; i < race->n; i++) present[COL_SETTINGS] |= race->r[i].settings[0] != '\0';

    /* the cells, and the epoch column's digits: "  640/20000" lines up
     * with "14640/20000" */
    char cell[RACE_MAX][COL_COUNT][CELL];
    int ed = 1;
    for (int i = 0; i < race->n; i++)
        if (race->r[i].run.has_snap && digits(race->r[i].run.snap.epochs_total) > ed)
            ed = digits(race->r[i].run.snap.epochs_total);
    for (int i = 0; i < race->n; i++) {
        const Run *r = &race->r[i].run;
        const TrainerSnapshot *s = &r->snap;
        char(*row)[CELL] = cell[i];
        for (int c = 0; c < COL_COUNT; c++) snprintf(row[c], CELL, "-");
        snprintf(row[COL_RACER], CELL, "%s", race->r[i].name);
        snprintf(row[COL_SETTINGS], CELL, "%s", race->r[i].settings);
        if (!r->has_snap) continue;
        snprintf(row[COL_STATUS], CELL, "%s", train_status_word(s->status));
        snprintf(row[COL_EPOCH], CELL, "%*d/%-*d", ed, s->epoch, ed, s->epochs_total);
        /* the weights' steps: a divergence's batches undone left out */
        snprintf(row[COL_STEP], CELL, "%ld", s->step - s->steps_undone);
        /* a rate float32 makes inf, 0 or subnormal: what it is there,
         * short enough for the table at 80 columns ("1e+39 → inf") */
        const char *word = optimizer_lr_float_word(s->lr);
        if (word)
            snprintf(row[COL_LR], CELL, "%.3g %s %s", s->lr, crt_glyph(GLYPH_ARROW), word);
        else
            snprintf(row[COL_LR], CELL, "%.3g", s->lr);
        if (s->best_epoch > 0) {
            /* as the figures beside it are written */
            char v[32];
            num_cell(v, sizeof v, s->best_value);
            snprintf(row[COL_BEST], CELL, "%s @%d", v, s->best_epoch);
        }
        const EpochMetrics *m = s->n_epochs ? &s->history[s->n_epochs - 1] : NULL;
        if (!m) continue;
        num_cell(row[COL_LOSS], CELL, m->loss);
        num_cell(row[COL_METRIC], CELL, reg ? m->mae : m->accuracy);
        if (m->has_val) {
            num_cell(row[COL_VAL_LOSS], CELL, m->val_loss);
            num_cell(row[COL_VAL_METRIC], CELL, reg ? m->val_mae : m->val_accuracy);
        }
    }
    int w[COL_COUNT];
    for (int c = 0; c < COL_COUNT; c++) {
        w[c] = crt_width(head[c]);
        for (int i = 0; i < race->n; i++) {
            int cw = crt_width(cell[i][c]);
            if (cw > w[c]) w[c] = cw;
        }
    }

    /* Which columns fit, the most useful first: who, how far, how well
     * (the validation figure the chart below shows), what sets the racers
     * apart; the step and the training metric, which the charts show,
     * give way first. */
    static const int give_way[] = {COL_RACER,      COL_STATUS,   COL_EPOCH,    COL_LOSS,
                                   COL_VAL_METRIC, COL_SETTINGS, COL_VAL_LOSS, COL_BEST,
                                   COL_LR,         COL_METRIC,   COL_STEP};
    bool shown[COL_COUNT] = {false};
    int used = racer_lead() - COL_GAP; /* the bar or pattern, then a gap before each column */
    for (size_t k = 0; k < sizeof give_way / sizeof give_way[0]; k++) {
        int c = give_way[k];
        if (!has_val && c == COL_VAL_METRIC)
            c = COL_METRIC; /* the chart's figure */
        else if (!has_val && c == COL_METRIC)
            continue;
        if (!present[c] || shown[c]) continue;
        if (used + COL_GAP + w[c] > width && c != COL_RACER) {
            if (c != COL_SETTINGS || width - used - COL_GAP < SETTINGS_MIN) continue;
            /* the settings tell the racers apart: cut, they take the rest */
            w[c] = width - used - COL_GAP;
            shown[c] = true;
            break;
        }
        shown[c] = true;
        used += COL_GAP + w[c];
    }

    int x = racer_lead();
    for (int c = 0; c < COL_COUNT; c++) {
        if (!shown[c]) continue;
        int pad = right[c] ? w[c] - crt_width(head[c]) : 0;
        crt_set(stdscr, ROLE_TITLE);
        if (x + pad < width) crt_puts(stdscr, top, x + pad, width - x - pad, head[c]);
        for (int i = 0; i < race->n; i++) {
            const TrainerSnapshot *s = &race->r[i].run.snap;
            int y = top + 1 + i;
            if (c == COL_RACER) {
                if (racer_attr(i)) {
                    wattrset(stdscr, racer_attr(i));
                    crt_puts(stdscr, y, 0, 2, crt_glyph(GLYPH_BAR_FULL));
                } else {
                    char sample[24];
                    chartview_pattern_sample(racer_pattern[i], 4, sample, sizeof sample);
                    crt_set(stdscr, racer_role[i]);
                    crt_puts(stdscr, y, 0, RACER_LEAD_PATTERN, sample);
                }
            } else if (c == COL_STATUS && race->r[i].run.has_snap) {
                crt_set(stdscr, s->status == TRAIN_DIVERGED ? ROLE_BAD
                                : s->status == TRAIN_PAUSED ? ROLE_WARN
                                                            : ROLE_GOOD);
            } else {
                crt_set(stdscr, ROLE_NORMAL);
            }
            const char *t = cell[i][c];
            char cut[CELL];
            if (c == COL_SETTINGS && crt_width(t) > w[c]) {
                cut_items(t, w[c], cut, sizeof cut);
                t = cut;
            }
            int p = right[c] ? w[c] - crt_width(t) : 0;
            if (x + p < width) crt_puts(stdscr, y, x + p, width - x - p, t);
        }
        x += w[c] + COL_GAP;
    }
    crt_set(stdscr, ROLE_NORMAL);
}

/* The racers' states (run_status).  A diverged racer has ended but
 * waits: space resumes it from its last finite weights. */
typedef struct {
    int running, paused, diverged;
} RaceCount;

static RaceCount count_racers(const Race *race)
{
    RaceCount c = {0};
    for (int i = 0; i < race->n; i++) {
        TrainStatus s;
        if (!run_status(&race->r[i].run, &s)) continue;
        switch (s) {
        case TRAIN_RUNNING: c.running++; break;
        case TRAIN_PAUSED: c.paused++; break;
        case TRAIN_DIVERGED: c.diverged++; break;
        default: break;
        }
    }
    return c;
}

/* The key bar: what the keys do as the racers stand (space pauses while
 * any trains, else resumes; once every racer has ended, only what still
 * acts). */
static void draw_keys(const Race *race, int y, int width)
{
    RaceCount c = count_racers(race);
    bool going = c.running || c.paused || c.diverged;
    const char *k[8][2];
    size_t n = 0;
    if (going) {
        k[n][0] = "space";
        k[n++][1] = c.running ? "pause all" : "resume all";
    }
    if (c.paused) {
        k[n][0] = "n";
        k[n++][1] = "step all";
    }
    if (going) {
        k[n][0] = "<>";
        k[n++][1] = "pace";
    }
    if (c.running || c.paused) {
        k[n][0] = "s";
        k[n++][1] = "stop all";
    }
    static const char *const always[][2] = {
        {"l", "log-y"}, {"[]", "smooth"}, {"?", "help"}, {"q", "quit"}};
    for (size_t i = 0; i < 4; i++) {
        k[n][0] = always[i][0];
        k[n++][1] = always[i][1];
    }
    int x = 0;
    crt_set(stdscr, ROLE_KEYTEXT);
    mvhline(y, 0, ' ', width);
    for (size_t i = 0; i < n; i++) {
        int need_w = (int)(strlen(k[i][0]) + strlen(k[i][1])) + 3;
        if (x + need_w > width) break;
        crt_set(stdscr, ROLE_KEY);
        crt_puts(stdscr, y, x, width - x, k[i][0]);
        x += (int)strlen(k[i][0]);
        crt_set(stdscr, ROLE_KEYTEXT);
        crt_puts(stdscr, y, x + 1, width - x - 1, k[i][1]);
        x += (int)strlen(k[i][1]) + 3;
    }
    crt_set(stdscr, ROLE_NORMAL);
}

static bool racer_in(const Run *r, TrainStatus a, TrainStatus b)
{
    TrainStatus s;
    return run_status(r, &s) && (s == a || s == b);
}

/* The first racer whose run files failed while it trained (its panel
 * offers w), or NULL. */
static const Racer *log_failed_racer(const Race *race)
{
    for (int i = 0; i < race->n; i++) {
        const Run *r = &race->r[i].run;
        if (r->core->log && r->core->log_error[0] && !r->core->log_dropped) return &race->r[i];
    }
    return NULL;
}

/* The ? overlay: race_key_table, and how to read the screen. */
static void draw_help(Race *race, int rows, int cols)
{
    HelpRow hr[32];
    int n = 0;
    for (int i = 0; i < race_key_count && n < 32; i++)
        hr[n++] = (HelpRow){race_key_table[i].label, race_key_table[i].help};
    bool colour = crt_colors() > 0;
    char text[1024];
    snprintf(text, sizeof text,
             "The racers train side by side on the same data, each on its own thread; the keys "
             "act on all of them at once.  Charts, by epoch: each racer's training loss "
             "(smoothed) and its %s, each racer %s.  Table: a row per racer with its status, "
             "epoch, step, the last epoch's figures, the learning rate in force, its best "
             "figure and the epoch it came at, and the settings that set it apart; the header "
             "gives what every racer shares and the pace.",
             metric_title(race),
             colour ? "in its own colour, which its row's bar has too"
                    : "in a line of its own (solid, dotted, dashed, sparse), which its row "
                      "begins with");
    help_box(stdscr, rows, cols, "gradtop race keys", hr, n, text, &race->help_scroll);
}

static void draw(Race *race)
{
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    erase();
    int table_h = race->n + 2;
    if (cols < 60 || rows < table_h + 12) {
        char m[128];
        snprintf(m, sizeof m, "terminal too small: need at least 60x%d (now %dx%d)", table_h + 12,
                 cols, rows);
        crt_set(stdscr, ROLE_WARN);
        crt_wrap(stdscr, rows / 2, 0, cols, rows - rows / 2, m);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    char v[sizeof race->shared + 64], pace[32];
    pace_describe(race->pace, pace, sizeof pace);
    snprintf(v, sizeof v, " gradtop race  %s  pace %s ", race->shared, pace);
    crt_set(stdscr, ROLE_HEADER);
    mvhline(0, 0, ' ', cols);
    crt_puts(stdscr, 0, 0, cols, v);
    crt_set(stdscr, ROLE_NORMAL);
    int chart_h = rows - 3 - table_h;
    draw_charts(race, 1, chart_h, cols);
    draw_table(race, 1 + chart_h + 1, cols);
    const Racer *failed = log_failed_racer(race);
    if (failed) {
        /* a run file could not be written: said in red until w answers it */
        char m[sizeof failed->run.core->log_error + 128];
        bool going = racer_in(&failed->run, TRAIN_RUNNING, TRAIN_PAUSED);
        snprintf(m, sizeof m, "%s: %s%s", failed->name, run_log_error_short(&failed->run),
                 going ? ": paused; w goes on without run files, s stops" : "");
        crt_set(stdscr, ROLE_BAD);
        crt_puts(stdscr, rows - 2, 1, cols - 2, m);
    } else if (race->notice[0]) {
        crt_set(stdscr, ROLE_DIM);
        crt_puts(stdscr, rows - 2, 1, cols - 2, race->notice);
    }
    draw_keys(race, rows - 1, cols);
    if (race->help) draw_help(race, rows, cols);
    if (race->confirm) {
        int bw = 50, bh = 5, y0 = (rows - bh) / 2, x0 = (cols - bw) / 2;
        crt_box(stdscr, y0, x0, bh, bw, "quit?", ROLE_WARN);
        crt_set(stdscr, ROLE_NORMAL);
        /* asked while a racer trained; every racer may have ended since */
        bool going = any_in_progress(race);
        crt_puts(stdscr, y0 + 1, x0 + 2, bw - 4,
                 going ? "The race is still running. Quit now?"
                       : "Every racer has ended. Quit now?");
        crt_puts(stdscr, y0 + 3, x0 + 2, bw - 4,
                 going ? "y quit   n keep racing" : "y quit   n stay");
    }
    wnoutrefresh(stdscr);
    doupdate();
}

/* ---- keys and the status line ------------------------------------------ */

/* "sgd, adam": the racers whose status is a or b. */
static void names_in(const Race *race, TrainStatus a, TrainStatus b, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (int i = 0; i < race->n; i++) {
        if (!racer_in(&race->r[i].run, a, b)) continue;
        size_t l = strlen(buf);
        if (l < cap) snprintf(buf + l, cap - l, "%s%s", l ? ", " : "", race->r[i].name);
    }
}

/* What the status line says once no racer trains any more. */
static void notice_ended(Race *race, const RaceCount *c)
{
    if (c->diverged) {
        char who[128];
        names_in(race, TRAIN_DIVERGED, TRAIN_DIVERGED, who, sizeof who);
        snprintf(race->notice, sizeof race->notice,
                 "training has ended for every racer; %s diverged: space resumes from the last "
                 "finite weights, q quits",
                 who);
    } else {
        snprintf(race->notice, sizeof race->notice, "training has ended for every racer: q quits");
    }
}

/* Sends fn's command to every racer whose status is a or b and waits for
 * their answers (a batch at most), so that the next key read in the same
 * frame decides from the statuses they leave; then says what the answers
 * say was done, which stays true while the notice shows: "all DONE" when
 * every racer did it, else "sgd, adam DONE", then tail ("no racer DONE"
 * when none could). */
static void act_on(Race *race, TrainStatus a, TrainStatus b, long (*fn)(Trainer *),
                   const char *done, const char *tail)
{
    long seq[RACE_MAX] = {0};
    for (int i = 0; i < race->n; i++)
        if (racer_in(&race->r[i].run, a, b)) seq[i] = fn(race->r[i].run.core->trainer);
    char who[128] = "";
    int n = 0;
    for (int i = 0; i < race->n; i++) {
        /* unanswered: a diverged racer between its run and its wait, which
         * takes the command up next */
        TrainerReply rep;
        if (!seq[i] || (trainer_await(race->r[i].run.core->trainer, seq[i], &rep) && !rep.done))
            continue;
        size_t l = strlen(who);
        if (l < sizeof who)
            snprintf(who + l, sizeof who - l, "%s%s", n ? ", " : "", race->r[i].name);
        n++;
    }
    if (n == 0)
        snprintf(race->notice, sizeof race->notice, "no racer %s", done);
    else
        snprintf(race->notice, sizeof race->notice, "%s %s%s", n == race->n ? "all" : who, done,
                 tail);
}

static void on_key(Race *race, int ch)
{
    if (race->confirm) {
        if (ch == 'y' || ch == 'Y') race->quit = true;
        if (ch == 'n' || ch == 'N' || ch == KEY_ESC || ch == 'q') race->confirm = false;
        return;
    }
    if (race->help && (ch == KEY_ESC || ch == 'q' || ch == '?' || ch == 'h')) {
        race->help = false;
        return;
    }
    if (race->help && help_scroll_key(ch, &race->help_scroll, LINES - 8)) return;
    RaceCount c = count_racers(race);
    Action a = keys_race_action(ch);
    switch (a) {
    case ACTION_PAUSE:
        /* one state for all: pause when any trains, else resume */
        if (c.running) {
            act_on(race, TRAIN_RUNNING, TRAIN_RUNNING, trainer_pause, "paused",
                   ": space resumes, n steps one batch");
        } else if (c.paused || c.diverged) {
            act_on(race, TRAIN_PAUSED, TRAIN_DIVERGED, trainer_resume, "resumed", "");
        } else {
            snprintf(race->notice, sizeof race->notice,
                     "training has ended: nothing to resume (q quits)");
        }
        break;
    case ACTION_STEP:
        if (c.paused) {
            act_on(race, TRAIN_PAUSED, TRAIN_PAUSED, trainer_step_once, "", "");
            snprintf(race->notice, sizeof race->notice, "one batch for every paused racer");
        } else if (c.running) {
            snprintf(race->notice, sizeof race->notice,
                     "n steps one batch while paused: space pauses first");
        } else {
            snprintf(race->notice, sizeof race->notice,
                     "training has ended: nothing to step (q quits)");
        }
        break;
    case ACTION_STOP:
        if (c.running || c.paused) {
            act_on(race, TRAIN_RUNNING, TRAIN_PAUSED, trainer_stop, "stopping",
                   ": the best weights are kept");
        } else {
            snprintf(race->notice, sizeof race->notice,
                     "training has ended: nothing to stop (q quits)");
        }
        break;
    case ACTION_NO_LOG: {
        /* every racer whose run files failed goes on without them */
        char who[RACE_MAX * (RACE_NAME_MAX + 2)] = "";
        for (int i = 0; i < race->n; i++) {
            Run *r = &race->r[i].run;
            if (!run_log_off(r)) continue;
            if (racer_in(r, TRAIN_PAUSED, TRAIN_PAUSED)) trainer_resume(r->core->trainer);
            size_t l = strlen(who);
            snprintf(who + l, sizeof who - l, "%s%s", l ? ", " : "", race->r[i].name);
        }
        if (who[0])
            snprintf(race->notice, sizeof race->notice, "going on without run files: %s", who);
        else
            snprintf(race->notice, sizeof race->notice,
                     "w is for a racer whose run files could not be written: none");
        break;
    }
    case ACTION_FASTER:
    case ACTION_SLOWER: {
        race->pace = pace_step(race->pace, a == ACTION_FASTER);
        for (int i = 0; i < race->n; i++)
            if (race->r[i].run.core->trainer)
                trainer_set_pace(race->r[i].run.core->trainer, race->pace);
        char p[32];
        pace_describe(race->pace, p, sizeof p);
        snprintf(race->notice, sizeof race->notice, "pace %s for every racer", p);
        break;
    }
    case ACTION_LOG: race->log_y = !race->log_y; break;
    case ACTION_SMOOTH_LESS:
        race->smoothing = race->smoothing >= 0.1 ? race->smoothing - 0.1 : 0;
        break;
    case ACTION_SMOOTH_MORE:
        race->smoothing = race->smoothing < 0.89 ? race->smoothing + 0.1 : 0.95;
        break;
    case ACTION_HELP:
        race->help = !race->help;
        race->help_scroll = 0;
        break;
    case ACTION_QUIT:
        if (any_in_progress(race))
            race->confirm = true;
        else
            race->quit = true;
        break;
    default: break;
    }
}

/* After each snapshot: once the last racer has ended, the status line says
 * so in place of what the last key asked for ("resuming all" would be
 * stale). */
static void update_notice(Race *race)
{
    RaceCount c = count_racers(race);
    bool ended = c.running == 0 && c.paused == 0;
    if (ended && !race->ended) notice_ended(race, &c);
    race->ended = ended;
}

static double race_frame(void *ctx)
{
    Race *race = ctx;
    for (int i = 0; i < race->n; i++) run_update(&race->r[i].run);
    update_notice(race);
    draw(race);
    return any_in_progress(race) ? SCREEN_BUSY_S : SCREEN_IDLE_S;
}

static void race_key(void *ctx, int ch)
{
    on_key(ctx, ch);
}

static bool race_done(void *ctx)
{
    const Race *race = ctx;
    return race->quit;
}

/* The race on the screen; the process exit code.  A racer that cannot
 * start, once the screen is open, is refused as one that cannot before
 * (screen_refuse): the setup form it came from shows why. */
static int race_screen(Race *race, char *refused, size_t refused_cap)
{
    /* an interrupt while the data loaded: no racer starts, no run
     * directory is made */
    int early = crt_take_signal();
    if (early) return 128 + early;
    char why[sizeof((Error *)0)->msg + RACE_NAME_MAX + 8];
    if (!crt_init(why, sizeof why)) {
        screen_refuse(refused, refused_cap, "gradtop race", why);
        return 2;
    }
    int code = race_start(race, why, sizeof why);
    if (code) {
        crt_done();
        screen_refuse(refused, refused_cap, "gradtop race", why);
        return code;
    }
    describe_racers(race);
    ScreenHooks hooks = {.ctx = race, .frame = race_frame, .key = race_key, .done = race_done};
    code = screen_loop(&hooks);
    crt_done();
    /* as the headless race: 3 when a racer diverged, before 128 + a signal */
    for (int i = 0; i < race->n; i++)
        if (run_exit_code(&race->r[i].run) == 3) code = 3;
    return code;
}

int race_main(const Options *o, const char *racers, const char *exe_dir, char *refused,
              size_t refused_cap)
{
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");
    if (!o->dataset[0]) {
        screen_refuse(refused, refused_cap, "gradtop race",
                      "needs a DATASET (for example: gradtop race spiral)");
        return 2;
    }
    Race *race = calloc(1, sizeof *race);
    if (!race) return 1;
    race->smoothing = 0.6;
    race->pace = o->pace;
    char why[512];
    int code = parse_racers(race, o, racers, why, sizeof why);
    if (code) {
        screen_refuse(refused, refused_cap, "gradtop race", why);
        free(race);
        return code;
    }
    /* The signal handlers go in before the data loads: an interrupt while
     * loading stops the race before any racer starts. */
    crt_signals_install();
    Error err;
    error_clear(&err);
    if (prepared_open(&race->sess, o, exe_dir, &err)) {
        screen_refuse(refused, refused_cap, "gradtop race", err.msg);
        for (int i = 0; i < race->n; i++) run_close(&race->r[i].run);
        free(race);
        return err.code == ERROR_RUNTIME ? 1 : 2;
    }
    for (int i = 0; i < race->n; i++) {
        race->r[i].run.exe_dir = exe_dir;
        run_share(&race->r[i].run, &race->sess);
    }
    code = race_screen(race, refused, refused_cap);
    for (int i = 0; i < race->n; i++) {
        Run *r = &race->r[i].run;
        char path[sizeof r->core->log_path];
        text_copy(path, sizeof path, r->core->log_path);
        run_close(r);
        if (r->core->log_error[0]) {
            fprintf(stderr, "gradtop race: %s: %s\n", race->r[i].name, r->core->log_error);
            if (code == 0) code = 1;
        } else if (path[0]) {
            fprintf(stderr, "gradtop race: %s saved in %s\n", race->r[i].name, path);
        }
    }
    prepared_close(&race->sess);
    free(race->buf);
    free(race);
    return code;
}
