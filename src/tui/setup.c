/*
 * setup.c - the setup screen.  See setup.h.
 *
 * The preview loads the selected dataset with the form's data options, at
 * most once per distinct choice and only after the choice has stayed put for
 * a moment, so that arrowing through the list stays quick.
 */
#include "setup.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crt.h"
#include "dashboard.h"
#include "form.h"
#include "race.h"
#include "screen.h"
#include "text.h"
#include "gradtop/data/dataset.h"
#include "gradtop/data/features.h"
#include "gradtop/run/prepared.h"
#include "gradtop/run/presets.h"
#include "gradtop/sweep/sweep.h"

#define PREVIEW_CLASSES 24
#define PREVIEW_DELAY 0.25 /* seconds a choice must stay before it is loaded */
#define MAX_DATASETS 64
#define PREVIEW_LABEL_W 10   /* the preview's labels: "features  " */
#define SETUP_MESSAGE_ROWS 4 /* at most, above the key bar */

typedef struct {
    char key[2 * OPTIONS_PATH + 256]; /* what was loaded: dataset and data options */
    bool loaded;
    ErrorCode rc;
    char error[1024];
    char name[128], source[1024], label[128];
    size_t n, missing, dropped;
    int d, label_column;
    Task task;
    int n_classes;
    char classes[PREVIEW_CLASSES][48];
    size_t counts[PREVIEW_CLASSES];
    char features[256];
} Preview;

typedef struct {
    Form form;
    Preview pv;
    char pending_key[sizeof(((Preview *)0)->key)];
    double pending_since;
    char message[1024];
    CrtRole message_role;
    const char *exe_dir;
    int mode_field, racers_field;   /* the race rows, or -1 */
    bool was_sweep;                 /* the mode row said sweep at the last change */
    int reg_field, rate_field;      /* the Playground regularization rows: they set l1, l2 */
    const bool *given;              /* options the user gave: no dataset's defaults replace them */
    char defaults_of[OPTIONS_PATH]; /* the dataset whose own defaults the form holds */
    OptimizerKind optimizer_was;    /* the optimizer row's value at the last change */
    SetupDataKind data_kind;        /* the dataset row's kind of data */
    bool loading_shown;             /* the last frame said "loading" */
    bool esc_armed;                 /* the next Esc quits: it was asked, or an edit undone */
    /* every row's text as the form opened, for what quitting would drop */
    char opened[FORM_MAX_FIELDS][sizeof(((FormField *)0)->text)];
    bool done;
    SetupResult result;
} Setup;

static const char *const mode_names[] = {"single", "race", "sweep", NULL};

/* The TensorFlow Playground's regularization: a kind and one rate, which
 * the form writes into --l1 and --l2 (both rows stay visible, so that
 * what is trained is in plain sight; editing them moves the kind). */
static const char *const reg_names[] = {"none", "L1", "L2", "L1 and L2", NULL};
enum { REG_NONE, REG_L1, REG_L2, REG_BOTH };
#define REG_RATE_DEFAULT "0.001" /* the rate shown while the kind is none */

/* The rate row's check: a value --l1 and --l2 accept. */
static bool check_rate(const Options *opt, const char *text, char *err, size_t cap)
{
    Options scratch = *opt;
    Error e;
    error_clear(&e);
    if (options_set(&scratch, options_find("l2"), text, NULL, &e) == ERROR_NONE) return true;
    char range[128];
    options_range(options_find("l2"), range, sizeof range);
    snprintf(err, cap, "expected %s", range);
    return false;
}

/* The racers row's check: race.c's own parser over the form's options. */
static bool check_racers(const Options *opt, const char *text, char *err, size_t cap)
{
    char why[512];
    if (race_check(opt, text, why, sizeof why, NULL, 0)) return true;
    /* "--racers: unknown option 'x'" -> "unknown option 'x'" */
    const char *m = strncmp(why, "--racers: ", 10) == 0 ? why + 10 : why;
    text_copy(err, cap, m);
    return false;
}

DatasetKind setup_data_kind(SetupDataKind *k, const char *dataset, const char *exe_dir)
{
    /* a regular file's identity: a pipe's mtime moves as it is written,
     * and dataset_kind never reads one (CSV, whatever it holds) */
    struct stat st;
    bool exists = stat(dataset, &st) == 0 && S_ISREG(st.st_mode);
    if (k->known && strcmp(k->name, dataset) == 0 && exists == k->exists &&
        (!exists ||
         (st.st_dev == k->dev && st.st_ino == k->ino && st.st_size == k->size &&
          st.st_mtim.tv_sec == k->mtime.tv_sec && st.st_mtim.tv_nsec == k->mtime.tv_nsec)))
        return k->kind;
    k->exists = exists;
    if (exists) {
        k->dev = st.st_dev;
        k->ino = st.st_ino;
        k->size = st.st_size;
        k->mtime = st.st_mtim;
    }
    k->kind = dataset_kind(dataset, exe_dir);
    k->told++;
    k->known = strlen(dataset) < sizeof k->name;
    if (k->known) memcpy(k->name, dataset, strlen(dataset) + 1);
    return k->kind;
}

/* Rows that apply to one kind of dataset (option_data): --samples,
 * --noise and --features shape a generated 2-D set; the label column,
 * delimiter and missing values belong to CSV files, the labels file to
 * IDX images given by their path.  The kind is the one dataset_load
 * would load, the name resolved as it resolves it (exe_dir). */
static bool data_applies(OptionData d, const Options *opt, Setup *s)
{
    return option_data_applies_kind(d, opt->dataset,
                                    setup_data_kind(&s->data_kind, opt->dataset, s->exe_dir));
}

static bool generated_set(const Options *opt, void *ctx)
{
    return data_applies(OPTDATA_GENERATED, opt, ctx);
}

static bool csv_file(const Options *opt, void *ctx)
{
    return data_applies(OPTDATA_CSV, opt, ctx);
}

static bool idx_file(const Options *opt, void *ctx)
{
    return data_applies(OPTDATA_IDX_FILE, opt, ctx);
}

static FormShow row_applies(const OptionSpec *spec)
{
    switch (option_data(spec)) {
    case OPTDATA_GENERATED: return generated_set;
    case OPTDATA_CSV: return csv_file;
    case OPTDATA_IDX_FILE: return idx_file;
    default: return NULL;
    }
}

static bool race_mode(const Setup *s)
{
    return s->mode_field >= 0 && strcmp(form_text(&s->form, s->mode_field), "race") == 0;
}

static bool sweep_mode(const Setup *s)
{
    return s->mode_field >= 0 && strcmp(form_text(&s->form, s->mode_field), "sweep") == 0;
}

/* The space a sweep starts from when none was typed: the rate, which every
 * network has. */
#define SWEEP_SPACE_DEFAULT "lr=loguniform(1e-4,1e-1)"

/* Sweep mode chosen with no space: the form offers one to edit.  Only as
 * the mode turns to sweep: a space cleared to type another stays clear. */
static void follow_mode(Setup *s)
{
    bool now = sweep_mode(s), turned = now && !s->was_sweep;
    s->was_sweep = now;
    if (!turned || s->form.opt.space[0]) return;
    text_copy(s->form.opt.space, sizeof s->form.opt.space, SWEEP_SPACE_DEFAULT);
    form_reload(&s->form);
}

/* Whether space parses and, given opt (NULL: not asked), opt's sampler
 * can search it (the rest sweep_exec_init checks, the data loaded); why
 * says why not. */
static bool space_ok(const Options *opt, const char *space, char *why, size_t cap)
{
    SweepSpace *sp = malloc(sizeof *sp);
    Error err;
    error_clear(&err);
    bool ok =
        sp && sweep_space_parse(sp, space, &err) == ERROR_NONE &&
        (!opt || sweep_space_check(sp, opt, (SweepSamplerKind)opt->sampler, &err) == ERROR_NONE);
    if (!ok) text_copy(why, cap, sp ? err.msg : "out of memory");
    free(sp);
    return ok;
}

/* The space row, checked as it is typed, as every row is: that it parses
 * (whether the sampler can search it waits for Start, as the sampler may
 * change after it): "--space: 'lr' at column 4: ..." -> "'lr' at column
 * 4: ...". */
static bool check_space(const Options *opt, const char *text, char *err, size_t cap)
{
    (void)opt;
    char why[512];
    if (space_ok(NULL, text, why, sizeof why)) return true;
    text_copy(err, cap, strncmp(why, "--space: ", 9) == 0 ? why + 9 : why);
    return false;
}

/* Start in sweep mode: the space as the sampler chosen last sees it. */
static bool sweep_checks(Setup *s)
{
    if (space_ok(&s->form.opt, s->form.opt.space, s->message, sizeof s->message)) return true;
    s->message_role = ROLE_BAD;
    return false;
}

/* What the preview shows: the data options, and how often the dataset's
 * kind was told (setup_data_kind tells it anew when the file it names
 * changes: a file fetched while the form is open is loaded once it is
 * there, not kept out by the error of when it was not). */
static void preview_key(Setup *s, char *buf, size_t cap)
{
    const Options *o = &s->form.opt;
    setup_data_kind(&s->data_kind, o->dataset, s->exe_dir);
    snprintf(buf, cap, "%s|%s|%s|%d|%d|%d|%g|%llu|%u|%lu", o->dataset, o->label, o->labels,
             o->delimiter, (int)o->missing, o->samples, o->noise, (unsigned long long)o->seed,
             o->features, s->data_kind.told);
}

static void preview_load(Setup *s, const char *key)
{
    Preview *p = &s->pv;
    memset(p, 0, sizeof *p);
    snprintf(p->key, sizeof p->key, "%s", key);
    p->loaded = true;
    const Options *o = &s->form.opt;
    DatasetOptions dopt = prepared_dataset_options(o, s->exe_dir);
    Dataset ds;
    memset(&ds, 0, sizeof ds);
    Error err;
    error_clear(&err);
    p->rc = dataset_load(&ds, o->dataset, &dopt, &err);
    if (p->rc) {
        snprintf(p->error, sizeof p->error, "%s", err.msg);
        dataset_free(&ds);
        return;
    }
    /* the inputs the network will see (a transform that cannot apply is
     * refused at Start, with its reason) */
    if (dataset_is_generated_name(o->dataset)) dataset_transform_features(&ds, o->features, &err);
    snprintf(p->name, sizeof p->name, "%s", ds.name);
    snprintf(p->source, sizeof p->source, "%s", ds.source);
    snprintf(p->label, sizeof p->label, "%s", ds.label_name);
    p->n = ds.n;
    p->d = ds.d;
    p->label_column = ds.label_column;
    p->missing = ds.missing;
    p->dropped = ds.dropped_rows;
    p->task = ds.task;
    p->n_classes = ds.n_classes;
    if (ds.task == TASK_CLASSIFICATION && ds.n_classes > 0) {
        size_t *counts = calloc((size_t)ds.n_classes, sizeof *counts);
        if (counts) {
            dataset_class_counts(&ds, counts);
            for (int c = 0; c < ds.n_classes && c < PREVIEW_CLASSES; c++) {
                snprintf(p->classes[c], sizeof p->classes[c], "%s", ds.class_names[c]);
                p->counts[c] = counts[c];
            }
            free(counts);
        }
    }
    /* whole names; those that do not fit are counted ("... and 20 more"),
     * room for which is kept */
    size_t used = 0, room = sizeof p->features - 32;
    int i = 0;
    for (; i < ds.d; i++) {
        const char *name = ds.feature_names ? ds.feature_names[i] : "?";
        if (used + strlen(name) + 2 >= room) break;
        used += (size_t)snprintf(p->features + used, room - used, "%s%s", i ? ", " : "", name);
    }
    if (i < ds.d)
        snprintf(p->features + used, sizeof p->features - used, "%s%s and %d more", i ? " " : "",
                 crt_utf8() ? "\u2026" : "...", ds.d - i);
    dataset_free(&ds);
}

/* Loads the preview when the choice has settled; true when it drew a
 * "loading" frame first (the caller redraws after). */
static void preview_update(Setup *s, bool *loading_shown)
{
    char key[sizeof s->pv.key];
    preview_key(s, key, sizeof key);
    if (s->pv.loaded && strcmp(key, s->pv.key) == 0) return;
    if (strcmp(key, s->pending_key) != 0) {
        snprintf(s->pending_key, sizeof s->pending_key, "%s", key);
        s->pending_since = screen_now();
        return;
    }
    if (screen_now() - s->pending_since < PREVIEW_DELAY) return;
    if (!*loading_shown) {
        *loading_shown = true;
        return; /* draw "loading" once before the (possibly long) load */
    }
    preview_load(s, key);
    *loading_shown = false;
}

/* The preview's rows of facts: a label and its value. */
typedef struct {
    const char *label;
    char value[600];
    bool path; /* a path: shortened to its last parts, not wrapped */
} PreviewRow;

static int preview_rows(const Setup *s, PreviewRow *rows)
{
    const Preview *p = &s->pv;
    int n = 0;
    rows[n].label = "dataset";
    snprintf(rows[n++].value, sizeof rows[0].value, "%s", p->name);
    rows[n].label = "source";
    rows[n].path = true;
    text_copy(rows[n++].value, sizeof rows[0].value, p->source);
    rows[n].label = "rows";
    snprintf(rows[n++].value, sizeof rows[0].value, "%zu", p->n);
    rows[n].label = "features";
    snprintf(rows[n++].value, sizeof rows[0].value, "%d", p->d);
    rows[n].label = "label";
    /* as inspect: the file's 1-based column, and the index the label row
     * takes (a generated set has no file and no label row) */
    if (p->label_column >= 0 && !dataset_is_generated_name(s->form.opt.dataset))
        snprintf(rows[n++].value, sizeof rows[0].value, "%s (column %d; --label %d)", p->label,
                 p->label_column + 1, p->label_column);
    else
        snprintf(rows[n++].value, sizeof rows[0].value, "%s", p->label);
    rows[n].label = "task";
    if (p->task == TASK_CLASSIFICATION)
        snprintf(rows[n++].value, sizeof rows[0].value, "classification, %d classes", p->n_classes);
    else
        snprintf(rows[n++].value, sizeof rows[0].value, "regression");
    rows[n].label = "missing";
    if (p->missing)
        snprintf(rows[n++].value, sizeof rows[0].value, "%zu values (%zu rows dropped)", p->missing,
                 p->dropped);
    else
        snprintf(rows[n++].value, sizeof rows[0].value, "none");
    double vs = s->form.opt.val_split;
    size_t n_val = (size_t)floor((double)p->n * vs + 0.5);
    rows[n].label = "split";
    snprintf(rows[n++].value, sizeof rows[0].value, "~%zu train / %zu validation", p->n - n_val,
             n_val);
    return n;
}

/* A path's last parts that fit in width columns after an ellipsis and a
 * slash, which say that parts were left out ("…/datasets/iris.csv", never
 * "datasets/iris.csv", which reads as a path of its own); the whole path
 * when it fits, and its last part when nothing else does. */
static void path_tail(const char *path, int width, char *buf, size_t cap)
{
    if (crt_width(path) <= width) {
        text_copy(buf, cap, path);
        return;
    }
    /* not the ASCII ellipsis glyph '~': "~/" reads as the home folder */
    const char *lead = crt_utf8() ? crt_glyph(GLYPH_ELLIPSIS) : "...";
    int room = width - crt_width(lead) - 1;
    const char *v = path;
    while (crt_width(v) > room && strchr(v, '/')) v = strchr(v, '/') + 1;
    if (v == path) {
        text_copy(buf, cap, path); /* one part: cut by the caller */
        return;
    }
    snprintf(buf, cap, "%s/%s", lead, v);
}

static void draw_preview(Setup *s, int top, int left, int height, int width)
{
    const Preview *p = &s->pv;
    char v[1200];
    int y = top, bottom = top + height;
    crt_set(stdscr, ROLE_DIM);
    for (int i = top; i < bottom; i++) crt_puts(stdscr, i, left - 2, 1, crt_glyph(GLYPH_VLINE));
    crt_set(stdscr, ROLE_TITLE);
    crt_puts(stdscr, y++, left, width, "preview");
    char key[sizeof s->pv.key];
    preview_key(s, key, sizeof key);
    if (!p->loaded || strcmp(key, p->key) != 0) {
        crt_set(stdscr, ROLE_DIM);
        snprintf(v, sizeof v, "loading %s...", s->form.opt.dataset);
        crt_puts(stdscr, ++y, left, width, v);
        crt_set(stdscr, ROLE_NORMAL);
        return;
    }
    if (p->rc) {
        y++;
        crt_set(stdscr, ROLE_BAD);
        crt_puts(stdscr, y++, left, width, "the loader found a problem:");
        crt_set(stdscr, ROLE_NORMAL);
        crt_wrap(stdscr, y, left, width, bottom - y, p->error);
        return;
    }
    PreviewRow rows[8];
    memset(rows, 0, sizeof rows);
    int n = preview_rows(s, rows), value_w = width - PREVIEW_LABEL_W;
    /* a value too long for its row takes more rows, a path excepted */
    int lines[8], facts = 0;
    for (int i = 0; i < n; i++) {
        lines[i] = rows[i].path ? 1 : crt_wrap_part(NULL, 0, 0, value_w, 0, INT_MAX, rows[i].value);
        if (lines[i] < 1) lines[i] = 1;
        facts += lines[i];
    }
    int shown_classes = p->n_classes < PREVIEW_CLASSES ? p->n_classes : PREVIEW_CLASSES;
    bool classes = p->task == TASK_CLASSIFICATION && p->n_classes > 0;
    /* short of rows for every class: no blank lines between the sections */
    bool tight = classes && 2 + facts + 2 + shown_classes > height;
    if (!tight) y++;
    for (int i = 0; i < n && y < bottom; i++) {
        crt_set(stdscr, ROLE_DIM);
        crt_puts(stdscr, y, left, PREVIEW_LABEL_W, rows[i].label);
        crt_set(stdscr, ROLE_NORMAL);
        if (rows[i].path) {
            path_tail(rows[i].value, value_w, v, sizeof v);
            crt_puts(stdscr, y++, left + PREVIEW_LABEL_W, value_w, v);
        } else {
            /* an empty value still takes its row, as counted above */
            int used =
                crt_wrap(stdscr, y, left + PREVIEW_LABEL_W, value_w, bottom - y, rows[i].value);
            y += used > 0 ? used : 1;
        }
    }
    /* the section: its title, then one class, or one and "... and N more" */
    int least = p->n_classes < 2 ? 1 : 2;
    if (classes && y + (tight ? 0 : 1) + 1 + least <= bottom) {
        if (!tight) y++;
        crt_set(stdscr, ROLE_TITLE);
        crt_puts(stdscr, y++, left, width, "class balance");
        size_t max = 1;
        for (int c = 0; c < shown_classes; c++)
            if (p->counts[c] > max) max = p->counts[c];
        /* every class when all fit; else as many as fit above a last row
         * that says how many are left out */
        int room = bottom - y, fit = p->n_classes;
        if (fit > room || fit > PREVIEW_CLASSES) {
            fit = room - 1 < shown_classes ? room - 1 : shown_classes;
            if (fit < 0) fit = 0;
        }
        int name_w = 12, count_w = 7;
        int bar_w = width - name_w - count_w - 2;
        for (int c = 0; c < fit; c++, y++) {
            crt_set(stdscr, ROLE_NORMAL);
            crt_puts(stdscr, y, left, name_w - 1, p->classes[c]);
            snprintf(v, sizeof v, "%6zu", p->counts[c]);
            crt_puts(stdscr, y, left + name_w, count_w, v);
            /* half-cell resolution */
            int halves =
                bar_w > 0 ? (int)((double)p->counts[c] / (double)max * bar_w * 2 + 0.5) : 0;
            crt_set(stdscr, ROLE_TRAIN);
            int x = left + name_w + count_w + 1;
            for (int i = 0; i < halves / 2; i++)
                crt_puts(stdscr, y, x + i, 1, crt_glyph(GLYPH_BAR_FULL));
            if (halves % 2) crt_puts(stdscr, y, x + halves / 2, 1, crt_glyph(GLYPH_BAR_HALF));
        }
        if (fit < p->n_classes && y < bottom) {
            crt_set(stdscr, ROLE_DIM);
            snprintf(v, sizeof v, "%s and %d more", crt_utf8() ? "\u2026" : "...",
                     p->n_classes - fit);
            crt_puts(stdscr, y++, left, width, v);
        }
    }
    if (y + 2 < bottom) {
        y++;
        crt_set(stdscr, ROLE_TITLE);
        crt_puts(stdscr, y++, left, width, "features");
        crt_set(stdscr, ROLE_DIM);
        crt_wrap(stdscr, y, left, width, bottom - y, p->features);
    }
    crt_set(stdscr, ROLE_NORMAL);
}

static void draw(Setup *s)
{
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    erase();
    if (cols < DASHBOARD_MIN_COLS || rows < DASHBOARD_MIN_ROWS) {
        char m[128];
        snprintf(m, sizeof m, "terminal too small: need at least %dx%d (now %dx%d)",
                 DASHBOARD_MIN_COLS, DASHBOARD_MIN_ROWS, cols, rows);
        crt_set(stdscr, ROLE_WARN);
        crt_wrap(stdscr, rows / 2, 0, cols, rows - rows / 2, m);
        crt_set(stdscr, ROLE_NORMAL);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    crt_set(stdscr, ROLE_HEADER);
    mvhline(0, 0, ' ', cols);
    crt_puts(stdscr, 0, 0, cols, " gradtop  setup: choose a dataset and the training options");
    crt_set(stdscr, ROLE_NORMAL);
    /* the message, or the focused field's whole error, or its help: word
     * wrapped above the key bar, taking the blank row over the form's
     * bottom and then, when longer still, rows of the form */
    static const char dataset_help[] =
        "left/right: the datasets on offer; or ctrl-u and type a CSV or IDX path";
    const FormField *f = form_focused(&s->form);
    char m[1200];
    CrtRole role = ROLE_DIM;
    if (s->message[0]) {
        text_copy(m, sizeof m, s->message);
        role = s->message_role;
    } else if (f && f->error[0]) {
        snprintf(m, sizeof m, "%s: %s  (esc undoes)", f->label, f->error);
        role = ROLE_BAD;
    } else if (f) {
        text_copy(m, sizeof m,
                  f->kind == FIELD_DATASET ? dataset_help
                  : f->spec                ? f->spec->help
                  : f->help                ? f->help
                                           : "");
    } else {
        m[0] = '\0';
    }
    int msg_rows = crt_wrap_part(NULL, 0, 0, cols - 2, 0, INT_MAX, m);
    if (msg_rows < 1) msg_rows = 1;
    if (msg_rows > SETUP_MESSAGE_ROWS) msg_rows = SETUP_MESSAGE_ROWS;
    int body_h = rows - 5 - (msg_rows > 2 ? msg_rows - 2 : 0);
    int form_w = cols * 3 / 5;
    if (form_w > 100) form_w = 100;
    form_draw(&s->form, stdscr, 2, 1, body_h, form_w - 2);
    draw_preview(s, 2, form_w + 2, body_h, cols - form_w - 3);
    crt_set(stdscr, role);
    crt_wrap(stdscr, rows - 1 - msg_rows, 1, cols - 2, msg_rows, m);
    form_draw_keys(&s->form, stdscr, rows - 1, cols);
    crt_set(stdscr, ROLE_NORMAL);
    wnoutrefresh(stdscr);
    doupdate();
}

static int reg_kind(const Setup *s)
{
    const char *t = form_text(&s->form, s->reg_field);
    for (int k = 0; reg_names[k]; k++)
        if (strcmp(t, reg_names[k]) == 0) return k;
    return REG_NONE;
}

/* The kind and rate rows from --l1 and --l2 (given, typed in their rows or
 * moved by a dataset's defaults): L1 and L2 with different rates show
 * l1's. */
static void reg_from_options(Setup *s)
{
    if (s->reg_field < 0) return;
    const Options *o = &s->form.opt;
    int kind = o->hp.l1 > 0 && o->hp.l2 > 0 ? REG_BOTH
               : o->hp.l1 > 0               ? REG_L1
               : o->hp.l2 > 0               ? REG_L2
                                            : REG_NONE;
    FormField *k = &s->form.fields[s->reg_field], *r = &s->form.fields[s->rate_field];
    text_copy(k->text, sizeof k->text, reg_names[kind]);
    if (kind != REG_NONE) {
        const OptionSpec *spec = options_find(kind == REG_L2 ? "l2" : "l1");
        options_format(o, spec, r->text, sizeof r->text);
        r->error[0] = '\0';
    }
}

/* --l1 and --l2 from the kind and rate rows. */
static void reg_to_options(Setup *s)
{
    const char *rate = form_text(&s->form, s->rate_field);
    if (s->form.fields[s->rate_field].error[0]) return; /* the row says why */
    Options *o = &s->form.opt;
    int kind = reg_kind(s);
    Error e;
    error_clear(&e);
    options_set(o, options_find("l1"), kind == REG_L1 || kind == REG_BOTH ? rate : "0", NULL, &e);
    options_set(o, options_find("l2"), kind == REG_L2 || kind == REG_BOTH ? rate : "0", NULL, &e);
    form_reload(&s->form);
}

/* After a change: the regularization rows and --l1, --l2 agree. */
static void follow_regularization(Setup *s)
{
    if (s->reg_field < 0) return;
    const FormField *f = form_focused(&s->form);
    if (f == &s->form.fields[s->reg_field] || f == &s->form.fields[s->rate_field])
        reg_to_options(s);
    else
        reg_from_options(s);
}

/* Another dataset chosen: the options still at the last one's own
 * defaults take the new one's (a generated set's network, rate, epochs
 * and early stopping; a data file's, the general ones), those the user
 * gave or changed stay. */
static void follow_dataset(Setup *s)
{
    Options *o = &s->form.opt;
    if (strcmp(o->dataset, s->defaults_of) == 0) return;
    Options was = *o;
    preset_switch(o, s->defaults_of, o->dataset, s->given);
    if (s->racers_field >= 0) {
        /* the racers too, unless typed */
        FormField *r = &s->form.fields[s->racers_field];
        if (strcmp(r->text, preset_racers(s->defaults_of, RACE_DEFAULT)) == 0)
            text_copy(r->text, sizeof r->text, preset_racers(o->dataset, RACE_DEFAULT));
    }
    const Preset *p = preset_find(o->dataset);
    text_copy(s->defaults_of, sizeof s->defaults_of, o->dataset);
    form_reload(&s->form);
    /* say why rows changed, until the next key */
    static char before[16384], after[16384];
    options_to_config(&was, before, sizeof before);
    options_to_config(o, after, sizeof after);
    /* the options after the comment and the dataset lines */
    const char *b = strchr(strchr(before, '\n') + 1, '\n'),
               *a = strchr(strchr(after, '\n') + 1, '\n');
    if (b && a && strcmp(b, a) == 0) return;
    if (p) {
        char what[256];
        preset_describe(p, what, sizeof what);
        snprintf(s->message, sizeof s->message, "%s's own defaults where you set nothing: %s",
                 p->dataset, what);
    } else {
        snprintf(s->message, sizeof s->message,
                 "the general defaults where you set nothing (the generated sets have their own)");
    }
    s->message_role = ROLE_DIM;
}

/* Another optimizer chosen: a rate the command line did not give follows
 * it as `--optimizer` does there (preset_switch).  A generated set's own
 * rate is for its optimizer (the Playground's, for Adam): still at it, the
 * rate becomes another optimizer's own default; at the default, it becomes
 * the set's rate again when the set's optimizer comes back. */
static void follow_optimizer(Setup *s)
{
    Options *o = &s->form.opt;
    OptimizerKind was = s->optimizer_was;
    s->optimizer_was = o->hp.opt.kind;
    const OptionSpec *lr = options_find("lr");
    if (o->hp.opt.kind == was || (s->given && s->given[lr - option_table])) return;
    Options set;
    preset_defaults(&set, o->dataset);
    if (set.lr_is_default) return; /* no rate of its own */
    char v[32] = "";
    if (!o->lr_is_default && o->hp.opt.lr == set.hp.opt.lr && was == set.hp.opt.kind)
        snprintf(v, sizeof v, "default");
    else if (o->lr_is_default && o->hp.opt.kind == set.hp.opt.kind)
        options_format(&set, lr, v, sizeof v);
    if (!v[0]) return;
    Error err;
    error_clear(&err);
    if (options_set(o, lr, v, NULL, &err) == ERROR_NONE) form_reload(&s->form);
}

/* Start: every field valid and the options consistent. */
static bool try_start(Setup *s)
{
    if (!form_check(&s->form)) {
        snprintf(s->message, sizeof s->message, "fix the field marked in red first");
        s->message_role = ROLE_BAD;
        return false;
    }
    Error err;
    error_clear(&err);
    if (options_validate(&s->form.opt, &err)) {
        snprintf(s->message, sizeof s->message, "%s", err.msg);
        s->message_role = ROLE_BAD;
        return false;
    }
    char key[sizeof s->pv.key];
    preview_key(s, key, sizeof key);
    /* F10 typed before the preview loaded this choice: loaded now, so that
     * data that cannot be loaded is refused here, as once the preview shows
     * it (a race or a sweep would end the program over it, the form lost) */
    if (!s->pv.loaded || strcmp(s->pv.key, key) != 0) {
        preview_load(s, key);
        s->loading_shown = false;
    }
    if (s->pv.rc) {
        snprintf(s->message, sizeof s->message, "the dataset cannot be loaded: %.900s",
                 s->pv.error);
        s->message_role = ROLE_BAD;
        return false;
    }
    /* a value set for another kind of data, unread by this one, as
     * cli_parse refuses it; its row is hidden now: said where it shows */
    const Options *o = &s->form.opt;
    const OptionSpec *unread = NULL;
    if (options_check_data(o, setup_data_kind(&s->data_kind, o->dataset, s->exe_dir), NULL, NULL,
                           NULL, &unread, &err)) {
        if (unread)
            snprintf(s->message, sizeof s->message, "%.900s (its row shows for %s only)", err.msg,
                     option_data_name(option_data(unread)));
        else
            snprintf(s->message, sizeof s->message, "%s", err.msg);
        s->message_role = ROLE_BAD;
        return false;
    }
    if (sweep_mode(s) && !sweep_checks(s)) return false;
    if (race_mode(s)) {
        /* the racers' check saw the options of when they were typed */
        char why[512];
        if (!race_check(&s->form.opt, form_text(&s->form, s->racers_field), why, sizeof why, NULL,
                        0)) {
            snprintf(s->message, sizeof s->message, "racers: %s", why);
            s->message_role = ROLE_BAD;
            return false;
        }
    }
    return true;
}

/* Whether a row reads other than when the form opened: quitting would
 * drop what was chosen. */
static bool setup_changed(const Setup *s)
{
    for (int i = 0; i < s->form.n_fields; i++)
        if (strcmp(s->form.fields[i].text, s->opened[i]) != 0) return true;
    return false;
}

/* Esc's word on the key bar once the focused row has nothing to undo:
 * "quit" when the next Esc quits, "quit?" when it asks first. */
static void setup_esc_word(Setup *s)
{
    form_set_esc(&s->form, s->esc_armed || !setup_changed(s) ? "quit" : "quit?");
}

/* A frame: the preview loaded once its choice has settled (after a frame
 * that says it is loading), the screen drawn. */
static double setup_frame(void *ctx)
{
    Setup *s = ctx;
    preview_update(s, &s->loading_shown);
    setup_esc_word(s);
    draw(s);
    return s->loading_shown ? 0 : SCREEN_IDLE_S;
}

/* Esc, then: an edit under way is undone; with nothing to undo, the form
 * quits, asking first (a second Esc) when rows were changed.  So quitting
 * never takes more than two: after an undo the next Esc quits, the message
 * saying what it drops when other rows were changed. */
static void setup_key(void *ctx, int ch)
{
    Setup *s = ctx;
    if (ch == KEY_RESIZE) return;
    s->message[0] = '\0';
    bool armed = s->esc_armed;
    s->esc_armed = false;
    FormEvent ev = form_key(&s->form, ch);
    if (ev == FORM_CHANGED) {
        follow_dataset(s);
        follow_optimizer(s);
        follow_regularization(s);
        follow_mode(s);
    }
    if (s->form.undid) {
        /* an edit undone (or a refused value back to the last valid one) */
        s->esc_armed = true;
        if (setup_changed(s)) {
            snprintf(s->message, sizeof s->message,
                     "undone; esc again quits, dropping the other settings changed here; F10 "
                     "starts training");
            s->message_role = ROLE_WARN;
        }
    } else if (ev == FORM_CANCEL && !armed && setup_changed(s)) {
        s->esc_armed = true;
        snprintf(s->message, sizeof s->message,
                 "esc again quits, dropping the settings changed here; F10 starts training");
        s->message_role = ROLE_WARN;
    } else if (ev == FORM_CANCEL) {
        s->result = SETUP_QUIT;
        s->done = true;
    } else if (ev == FORM_SUBMIT) {
        if (try_start(s)) {
            s->result = SETUP_START;
            s->done = true;
        }
    } else if (ev == FORM_BUTTON) {
        if (form_button(&s->form) == 1) {
            s->result = SETUP_QUIT;
            s->done = true;
        } else if (try_start(s)) {
            s->result = SETUP_START;
            s->done = true;
        }
    }
}

static bool setup_done(void *ctx)
{
    const Setup *s = ctx;
    return s->done;
}

SetupResult setup_run(Options *opt, const char *exe_dir, const bool *locked, const bool *given,
                      const char *message, int *sig, char *racers, size_t racers_cap,
                      SetupResult mode)
{
    Setup *s = calloc(1, sizeof *s);
    if (!s) return SETUP_QUIT;
    static char names[MAX_DATASETS][128];
    int n_names = dataset_list_available(exe_dir, names, MAX_DATASETS - 1);
    if (n_names > MAX_DATASETS - 1) n_names = MAX_DATASETS - 1;
    if (opt->dataset[0]) {
        /* a dataset from the command line comes first if not on the list */
        bool found = false;
        for (int i = 0; i < n_names; i++) found |= strcmp(names[i], opt->dataset) == 0;
        if (!found && strlen(opt->dataset) < 128) {
            memmove(names[1], names[0], sizeof names[0] * (size_t)n_names);
            text_copy(names[0], sizeof names[0], opt->dataset);
            n_names++;
        }
    }
    s->exe_dir = exe_dir;
    s->given = given;
    /* a dataset given is already at its own defaults (cli_parse) */
    text_copy(s->defaults_of, sizeof s->defaults_of, opt->dataset);
    form_init(&s->form, opt);
    form_add_dataset(&s->form, names, n_names);
    s->reg_field = s->rate_field = -1;
    int not_swept[3], n_not_swept = 0;
    for (size_t i = 0; i < option_count; i++) {
        const OptionSpec *sp = &option_table[i];
        /* --config and --start mean nothing here */
        if (strcmp(sp->name, "config") == 0 || strcmp(sp->name, "start") == 0) continue;
        if (sp->group == OPTGROUP_SWEEP) continue; /* gradtop sweep's own */
        if (strcmp(sp->name, "l1") == 0) {
            /* the Playground's way first: a kind and a rate */
            s->reg_field = form_add_choice(&s->form, "regularization", reg_names,
                                           "none, L1, L2 or both: the penalty on the weights, "
                                           "written into l1 and l2 below");
            s->rate_field = form_add_text(&s->form, "reg. rate", REG_RATE_DEFAULT, check_rate,
                                          "the regularization's rate (the Playground offers 0.001 "
                                          "to 10)");
            form_set_group(&s->form, s->reg_field, OPTGROUP_TRAIN);
            form_set_group(&s->form, s->rate_field, OPTGROUP_TRAIN);
            if (s->rate_field < 0) s->reg_field = -1;
        }
        int row = form_add(&s->form, sp, locked && locked[i]);
        form_show_when(&s->form, row, row_applies(sp), s);
        /* a sweep's trials train --max-epochs, at full pace, on one
         * thread each (gradtop sweep refuses these three) */
        if (!strcmp(sp->name, "epochs") || !strcmp(sp->name, "pace") ||
            !strcmp(sp->name, "threads"))
            not_swept[n_not_swept++] = row;
    }
    s->mode_field = s->racers_field = -1;
    if (racers && racers_cap) {
        s->mode_field = form_add_choice(&s->form, "mode", mode_names,
                                        "single: one run on the dashboard; race: optimizers side "
                                        "by side from the same start; sweep: a search over space");
        if (s->mode_field >= 0 && (mode == SETUP_RACE || mode == SETUP_SWEEP))
            text_copy(s->form.fields[s->mode_field].text, sizeof s->form.fields[0].text,
                      mode == SETUP_RACE ? "race" : "sweep");
        s->racers_field = form_add_text(
            &s->form, "racers", racers[0] ? racers : preset_racers(opt->dataset, RACE_DEFAULT),
            check_racers,
            "racers separated by ';', each OPTIMIZER[:KEY=VALUE,...], e.g. adam:lr=0.001");
        form_show_if(&s->form, s->racers_field, s->mode_field, "race");
        for (int k = 0; k < n_not_swept; k++)
            form_hide_if(&s->form, not_swept[k], s->mode_field, "sweep");
        /* gradtop sweep's own rows, in sweep mode */
        for (size_t i = 0; i < option_count; i++)
            if (option_table[i].group == OPTGROUP_SWEEP) {
                int row = form_add(&s->form, &option_table[i], locked && locked[i]);
                form_show_if(&s->form, row, s->mode_field, "sweep");
                if (!strcmp(option_table[i].name, "space"))
                    form_set_check(&s->form, row, check_space);
            }
    }
    form_add_button(&s->form, "Start");
    form_add_button(&s->form, "Quit");
    follow_dataset(s);
    reg_from_options(s);
    for (int i = 0; i < s->form.n_fields; i++)
        text_copy(s->opened[i], sizeof s->opened[i], s->form.fields[i].text);
    s->was_sweep = sweep_mode(s);
    s->optimizer_was = s->form.opt.hp.opt.kind;
    if (message && *message) {
        snprintf(s->message, sizeof s->message, "%s", message);
        s->message_role = ROLE_BAD;
    }

    ScreenHooks hooks = {.ctx = s, .frame = setup_frame, .key = setup_key, .done = setup_done};
    int code = screen_loop(&hooks);
    SetupResult result = s->result;
    if (code > 128) {
        *sig = code - 128;
        result = SETUP_SIGNAL;
    } else if (code) {
        result = SETUP_QUIT;
    }
    if (result == SETUP_START) {
        *opt = s->form.opt;
        if (race_mode(s)) {
            text_copy(racers, racers_cap, form_text(&s->form, s->racers_field));
            result = SETUP_RACE;
        } else if (sweep_mode(s)) {
            result = SETUP_SWEEP;
        }
    }
    free(s);
    return result;
}
