/*
 * form.c - option forms.  See form.h.
 */
#include "form.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crt.h"
#include "textedit.h"
#include "text.h"
#include "gradtop/core/sysmem.h"
#include "gradtop/nn/optimizer.h"

#define KEY_ESC 27

/* The focused row is new to editing: its cursor at the end of its text,
 * nothing typed into it yet. */
static void reset_edit(Form *f)
{
    f->fresh = true;
    f->cursor = SIZE_MAX;
}

void form_init(Form *f, const Options *opt)
{
    memset(f, 0, sizeof *f);
    f->opt = *opt;
    f->given = *opt;
    reset_edit(f);
    f->before_item = -1;
}

/* The shortest text that reads back as the same double. */
static void format_double(double v, char *buf, size_t cap)
{
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, cap, "%.*g", p, v);
        if (strtod(buf, NULL) == v) return;
    }
}

/* The special value of an option row, which the form shows as its word
 * and takes back as well as the number, or NULL. */
static const OptionSpecial *field_special(const FormField *fd)
{
    return fd->kind == FIELD_OPTION ? options_special(fd->spec) : NULL;
}

/* What the special word stands for here ("2" cores, a set's "0.05" noise,
 * the run's "100" epochs), or "" when nothing more can be said. */
static void special_detail(const Form *f, const OptionSpecial *sp, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (strcmp(sp->option, "threads") == 0 || strcmp(sp->option, "parallel") == 0) {
        snprintf(buf, cap, "%d", sysmem_cores());
    } else if (strcmp(sp->option, "noise") == 0) {
        double d = dataset_default_noise(f->opt.dataset);
        if (d >= 0) format_double(d, buf, cap);
    } else if (strcmp(sp->option, "cosine-epochs") == 0) {
        snprintf(buf, cap, "%d", f->opt.epochs);
    } else if (strcmp(sp->option, "lr") == 0) {
        format_double(f->opt.hp.opt.lr, buf, cap);
    }
}

/* Beside a learning rate that float32, the optimizer's arithmetic, makes
 * inf, 0 or subnormal, what it makes of it ("inf in float32"), as it is
 * typed; NULL for any other row or value. */
static const char *field_lr_note(const FormField *fd)
{
    if (fd->kind != FIELD_OPTION || strcmp(fd->spec->name, "lr") != 0) return NULL;
    char *end;
    double v = strtod(fd->text, &end);
    if (end == fd->text || *end || !(v > 0) || !isfinite(v)) return NULL;
    return optimizer_lr_float_note(v);
}

/* The same in a word: "inf", "0", "subnormal". */
static const char *field_lr_word(const FormField *fd)
{
    return optimizer_lr_float_word(strtod(fd->text, NULL));
}

/* The text of an option row's value in o. */
static void option_format(const Options *o, const OptionSpec *spec, char *buf, size_t cap)
{
    if (options_is_special(o, spec))
        text_copy(buf, cap, options_special(spec)->word);
    else if (spec->kind == OPTKIND_DOUBLE)
        format_double(*(const double *)((const char *)o + spec->offset), buf, cap);
    else
        options_format(o, spec, buf, cap);
}

static void field_format(const Form *f, const FormField *fd, char *buf, size_t cap)
{
    if (fd->kind == FIELD_DATASET) {
        text_copy(buf, cap, f->opt.dataset);
        return;
    }
    if (fd->kind == FIELD_CHOICE || fd->kind == FIELD_TEXT) {
        /* the row's own text is its value */
        if (buf != fd->text) text_copy(buf, cap, fd->text);
        return;
    }
    option_format(&f->opt, fd->spec, buf, cap);
}

/* Whether a row set on the command line still has the command line's value
 * (the mark goes once it is changed). */
static bool field_as_given(const Form *f, const FormField *fd)
{
    if (!fd->locked || fd->kind != FIELD_OPTION) return false;
    char now[OPTIONS_PATH], given[OPTIONS_PATH];
    option_format(&f->opt, fd->spec, now, sizeof now);
    option_format(&f->given, fd->spec, given, sizeof given);
    return strcmp(now, given) == 0;
}

static void label_from_name(char *label, size_t cap, const char *name)
{
    snprintf(label, cap, "%s", name);
    for (char *p = label; *p; p++)
        if (*p == '-') *p = ' ';
}

int form_add(Form *f, const OptionSpec *spec, bool locked)
{
    if (f->n_fields == FORM_MAX_FIELDS) return -1;
    FormField *fd = &f->fields[f->n_fields++];
    memset(fd, 0, sizeof *fd);
    fd->kind = FIELD_OPTION;
    fd->spec = spec;
    fd->locked = locked;
    fd->show_if = -1;
    label_from_name(fd->label, sizeof fd->label, spec->name);
    field_format(f, fd, fd->text, sizeof fd->text);
    return (int)(fd - f->fields);
}

void form_add_dataset(Form *f, char (*names)[128], int n)
{
    if (f->n_fields == FORM_MAX_FIELDS) return;
    FormField *fd = &f->fields[f->n_fields++];
    memset(fd, 0, sizeof *fd);
    fd->kind = FIELD_DATASET;
    fd->show_if = -1;
    snprintf(fd->label, sizeof fd->label, "dataset");
    f->choices = names;
    f->n_choices = n;
    if (!f->opt.dataset[0] && n > 0)
        snprintf(f->opt.dataset, sizeof f->opt.dataset, "%s", names[0]);
    field_format(f, fd, fd->text, sizeof fd->text);
}

void form_add_button(Form *f, const char *label)
{
    if (f->n_buttons < FORM_MAX_BUTTONS) f->buttons[f->n_buttons++] = label;
}

static FormField *add_own(Form *f, FieldKind kind, const char *label, const char *help)
{
    if (f->n_fields == FORM_MAX_FIELDS) return NULL;
    FormField *fd = &f->fields[f->n_fields++];
    memset(fd, 0, sizeof *fd);
    fd->kind = kind;
    fd->help = help;
    fd->show_if = -1;
    fd->group = FORM_GROUP_RUN;
    text_copy(fd->label, sizeof fd->label, label);
    return fd;
}

int form_add_choice(Form *f, const char *label, const char *const *names, const char *help)
{
    FormField *fd = add_own(f, FIELD_CHOICE, label, help);
    if (!fd) return -1;
    fd->names = names;
    text_copy(fd->text, sizeof fd->text, names && names[0] ? names[0] : "");
    return (int)(fd - f->fields);
}

int form_add_text(Form *f, const char *label, const char *text, FormCheck check, const char *help)
{
    FormField *fd = add_own(f, FIELD_TEXT, label, help);
    if (!fd) return -1;
    fd->check = check;
    text_copy(fd->text, sizeof fd->text, text ? text : "");
    return (int)(fd - f->fields);
}

void form_set_group(Form *f, int field, int group)
{
    if (field >= 0 && field < f->n_fields) f->fields[field].group = group;
}

void form_set_check(Form *f, int field, FormCheck check)
{
    if (field >= 0 && field < f->n_fields) f->fields[field].check = check;
}

void form_show_if(Form *f, int field, int other, const char *text)
{
    if (field < 0 || field >= f->n_fields || other < 0 || other >= f->n_fields) return;
    f->fields[field].show_if = other;
    f->fields[field].show_text = text;
}

void form_hide_if(Form *f, int field, int other, const char *text)
{
    form_show_if(f, field, other, text);
    if (field >= 0 && field < f->n_fields) f->fields[field].hide_if = true;
}

void form_show_when(Form *f, int field, FormShow when, void *ctx)
{
    if (field < 0 || field >= f->n_fields) return;
    f->fields[field].show_when = when;
    f->fields[field].show_ctx = ctx;
}

const char *form_text(const Form *f, int field)
{
    return field >= 0 && field < f->n_fields ? f->fields[field].text : "";
}

/* The names a choice row cycles through (NULL-terminated). */
static const char *const *choice_names(const FormField *fd)
{
    return fd->kind == FIELD_CHOICE ? fd->names : fd->spec->names;
}

static bool field_visible(const Form *f, const FormField *fd)
{
    if (fd->show_when && !fd->show_when(&f->opt, fd->show_ctx)) return false;
    if (fd->show_if >= 0 && fd->show_if < f->n_fields &&
        (strcmp(f->fields[fd->show_if].text, fd->show_text ? fd->show_text : "") == 0) ==
            fd->hide_if)
        return false;
    if (fd->kind == FIELD_CHOICE || fd->kind == FIELD_TEXT) return true;
    /* an optimizer- or schedule-specific row: only for that choice */
    return fd->kind != FIELD_OPTION || option_applies(fd->spec, &f->opt);
}

/* Visible items in order: field indices, then -1 - button. */
static int items(const Form *f, int *out)
{
    int n = 0;
    for (int i = 0; i < f->n_fields; i++)
        if (field_visible(f, &f->fields[i])) out[n++] = i;
    for (int b = 0; b < f->n_buttons; b++) out[n++] = -1 - b;
    return n;
}

static int focused_item(const Form *f)
{
    int it[FORM_MAX_FIELDS + FORM_MAX_BUTTONS];
    int n = items(f, it);
    if (n == 0) return 0;
    int k = f->focus < 0 ? 0 : (f->focus >= n ? n - 1 : f->focus);
    return it[k];
}

const FormField *form_focused(const Form *f)
{
    int it = focused_item(f);
    return it >= 0 && it < f->n_fields ? &f->fields[it] : NULL;
}

int form_button(const Form *f)
{
    return f->pressed;
}

/* Checks fd's text; a valid value goes into the working copy.  Other rows
 * are refreshed because one option may set others (an optimizer brings its
 * own defaults). */
static FormEvent field_validate(Form *f, FormField *fd)
{
    Options scratch = f->opt;
    if (fd->kind == FIELD_DATASET) {
        if (!fd->text[0]) {
            snprintf(fd->error, sizeof fd->error, "choose a dataset or type a path");
            return FORM_NONE;
        }
        snprintf(scratch.dataset, sizeof scratch.dataset, "%s", fd->text);
    } else if (fd->kind == FIELD_CHOICE) {
        /* always one of its names */
    } else if (fd->kind == FIELD_TEXT) {
        if (fd->check && !fd->check(&f->opt, fd->text, fd->error, sizeof fd->error)) {
            if (!fd->error[0]) snprintf(fd->error, sizeof fd->error, "not accepted");
            return FORM_NONE;
        }
    } else {
        Error err;
        error_clear(&err);
        const OptionSpecial *sp = field_special(fd);
        char special[32];
        const char *value = fd->text;
        if (sp && strcmp(fd->text, sp->word) == 0 && !isnan(sp->value)) {
            format_double(sp->value, special, sizeof special);
            value = special;
        }
        if (options_set(&scratch, fd->spec, value, NULL, &err) != ERROR_NONE) {
            /* "--lr: out of range '-1' (expected ...)" -> "out of range ..." */
            const char *m = err.msg;
            const char *colon = strstr(m, ": ");
            if (m[0] == '-' && colon) m = colon + 2;
            text_copy(fd->error, sizeof fd->error, m);
            return FORM_NONE;
        }
        if (fd->check && !fd->check(&scratch, fd->text, fd->error, sizeof fd->error)) {
            if (!fd->error[0]) snprintf(fd->error, sizeof fd->error, "not accepted");
            return FORM_NONE;
        }
    }
    fd->error[0] = '\0';
    f->opt = scratch;
    for (int i = 0; i < f->n_fields; i++) {
        FormField *o = &f->fields[i];
        if (o != fd && !o->error[0]) field_format(f, o, o->text, sizeof o->text);
    }
    return FORM_CHANGED;
}

void form_reload(Form *f)
{
    for (int i = 0; i < f->n_fields; i++) {
        FormField *fd = &f->fields[i];
        if (fd->kind == FIELD_OPTION && !fd->error[0])
            field_format(f, fd, fd->text, sizeof fd->text);
    }
}

/* Leaving a field: a valid option's text is written the form's way (a
 * typed -1 of --noise reads "default" again). */
static void leave_field(Form *f)
{
    int it = focused_item(f);
    if (it < 0 || it >= f->n_fields) return;
    FormField *fd = &f->fields[it];
    if (fd->kind == FIELD_OPTION && !fd->error[0]) field_format(f, fd, fd->text, sizeof fd->text);
}

static void move_focus(Form *f, int delta, bool wrap)
{
    int it[FORM_MAX_FIELDS + FORM_MAX_BUTTONS];
    int n = items(f, it);
    if (n == 0) return;
    leave_field(f);
    int k = f->focus + delta;
    if (wrap)
        k = ((k % n) + n) % n;
    else
        k = k < 0 ? 0 : (k >= n ? n - 1 : k);
    f->focus = k;
    reset_edit(f);
}

static FormEvent cycle(Form *f, FormField *fd, int dir)
{
    if (fd->kind == FIELD_DATASET) {
        if (f->n_choices == 0) return FORM_NONE;
        int cur = -1;
        for (int i = 0; i < f->n_choices; i++)
            if (strcmp(f->choices[i], fd->text) == 0) cur = i;
        int next = cur < 0 ? 0 : (cur + dir + f->n_choices) % f->n_choices;
        snprintf(fd->text, sizeof fd->text, "%s", f->choices[next]);
        reset_edit(f);
        return field_validate(f, fd);
    }
    if (fd->kind != FIELD_CHOICE && fd->spec->kind != OPTKIND_ENUM &&
        fd->spec->kind != OPTKIND_BOOL)
        return FORM_NONE;
    const char *const *names = choice_names(fd);
    int n = 0, cur = 0;
    while (names && names[n]) {
        if (strcmp(names[n], fd->text) == 0) cur = n;
        n++;
    }
    if (n == 0) return FORM_NONE;
    snprintf(fd->text, sizeof fd->text, "%s", names[(cur + dir + n) % n]);
    return field_validate(f, fd);
}

/* A letter on an enumeration jumps to the next name starting with it. */
static FormEvent enum_letter(Form *f, FormField *fd, int ch)
{
    const char *const *names = choice_names(fd);
    int n = 0, cur = 0;
    while (names && names[n]) {
        if (strcmp(names[n], fd->text) == 0) cur = n;
        n++;
    }
    for (int k = 1; k <= n; k++) {
        const char *name = names[(cur + k) % n];
        if (tolower((unsigned char)name[0]) == tolower(ch)) {
            snprintf(fd->text, sizeof fd->text, "%s", name);
            return field_validate(f, fd);
        }
    }
    return FORM_NONE;
}

static bool is_choice(const FormField *fd)
{
    return fd->kind == FIELD_CHOICE ||
           (fd->kind == FIELD_OPTION &&
            (fd->spec->kind == OPTKIND_ENUM || fd->spec->kind == OPTKIND_BOOL));
}

/* The focus back on item `item` when rows above it were shown or hidden
 * (the focus is a position among the rows shown). */
static void refocus(Form *f, int item)
{
    int it[FORM_MAX_FIELDS + FORM_MAX_BUTTONS];
    int n = items(f, it);
    for (int k = 0; k < n; k++)
        if (it[k] == item) f->focus = k;
}

static FormEvent key_on_focus(Form *f, int ch);

FormEvent form_key(Form *f, int ch)
{
    int was = f->focus, item = focused_item(f);
    f->undid = false;
    FormEvent ev = key_on_focus(f, ch);
    /* a value that shows or hides rows above this one (the mode row
     * hides some in sweep mode) leaves the focus on this row */
    if (f->focus == was) refocus(f, item);
    return ev;
}

static FormEvent key_on_focus(Form *f, int ch)
{
    int it = focused_item(f);
    FormField *fd = it >= 0 && it < f->n_fields ? &f->fields[it] : NULL;
    if (fd && f->before_item != it) {
        /* the first key on this field: remember what Esc goes back to */
        text_copy(f->before, sizeof f->before, fd->text);
        f->before_item = it;
    }
    switch (ch) {
    case KEY_UP:
    case KEY_BTAB: move_focus(f, -1, ch == KEY_BTAB); return FORM_NONE;
    case KEY_DOWN:
    case '\t': move_focus(f, 1, ch == '\t'); return FORM_NONE;
    case KEY_HOME:
    case KEY_PPAGE:
        leave_field(f);
        f->focus = 0;
        reset_edit(f);
        return FORM_NONE;
    case KEY_END:
    case KEY_NPAGE: move_focus(f, 1000, false); return FORM_NONE;
    case KEY_F(10): leave_field(f); return FORM_SUBMIT;
    case KEY_ENTER:
    case '\n':
    case '\r':
        if (!fd) {
            f->pressed = -1 - it;
            return FORM_BUTTON;
        }
        move_focus(f, 1, false);
        return FORM_NONE;
    case KEY_ESC: {
        if (fd && strcmp(fd->text, f->before) != 0) {
            /* undo the edit of this field, valid or not */
            text_copy(fd->text, sizeof fd->text, f->before);
            reset_edit(f);
            f->undid = true;
            return field_validate(f, fd);
        }
        if (fd && fd->error[0]) {
            /* back to the field's last valid value, which the next Esc
             * keeps (it closes instead of undoing again) */
            field_format(f, fd, fd->text, sizeof fd->text);
            fd->error[0] = '\0';
            text_copy(f->before, sizeof f->before, fd->text);
            reset_edit(f);
            f->undid = true;
            return FORM_NONE;
        }
        return FORM_CANCEL;
    }
    default: break;
    }
    if (!fd) {
        /* on the buttons: left and right move between them */
        if (ch == KEY_LEFT) move_focus(f, -1, false);
        if (ch == KEY_RIGHT) move_focus(f, 1, false);
        return FORM_NONE;
    }
    if ((ch == KEY_LEFT || ch == KEY_RIGHT) && (is_choice(fd) || fd->kind == FIELD_DATASET))
        return cycle(f, fd, ch == KEY_LEFT ? -1 : 1);
    if (is_choice(fd)) {
        if (ch == ' ') return cycle(f, fd, 1);
        if (fd->kind == FIELD_OPTION && fd->spec->kind == OPTKIND_BOOL) {
            if (strchr("ty1", ch))
                snprintf(fd->text, sizeof fd->text, "true");
            else if (strchr("fn0", ch))
                snprintf(fd->text, sizeof fd->text, "false");
            else
                return FORM_NONE;
            return field_validate(f, fd);
        }
        if (ch > 0 && ch < 128 && isalpha(ch)) return enum_letter(f, fd, ch);
        return FORM_NONE;
    }
    TextEditResult te = textedit_key(fd->text, sizeof fd->text, &f->cursor, ch);
    if (te == TEXTEDIT_NONE) return FORM_NONE;
    f->fresh = false;
    return te == TEXTEDIT_CHANGED ? field_validate(f, fd) : FORM_NONE;
}

bool form_check(Form *f)
{
    int it[FORM_MAX_FIELDS + FORM_MAX_BUTTONS];
    int n = items(f, it);
    for (int k = 0; k < n; k++) {
        if (it[k] < 0) continue;
        FormField *fd = &f->fields[it[k]];
        if (fd->error[0] || (fd->kind == FIELD_DATASET && !fd->text[0])) {
            if (!fd->error[0]) snprintf(fd->error, sizeof fd->error, "choose a dataset");
            f->focus = k;
            reset_edit(f);
            return false;
        }
    }
    return true;
}

static const char *const group_names[] = {"data", "model", "training", "output", "run"};

static int field_group(const FormField *fd)
{
    if (fd->kind == FIELD_CHOICE || fd->kind == FIELD_TEXT) return fd->group;
    return fd->kind == FIELD_DATASET ? OPTGROUP_DATA : (int)fd->spec->group;
}

void form_draw(Form *f, WINDOW *w, int top, int left, int height, int width)
{
    int it[FORM_MAX_FIELDS + FORM_MAX_BUTTONS];
    int n = items(f, it);
    if (f->focus >= n) f->focus = n - 1;
    if (f->focus < 0) f->focus = 0;
    /* rows: a heading where the group changes, one row per field, the buttons */
    int row_item[FORM_MAX_FIELDS * 2 + 2]; /* item index, or -1 - group for a heading */
    int n_rows = 0, focus_row = 0, group = -1;
    bool any_button = false;
    for (int k = 0; k < n; k++) {
        if (it[k] >= 0) {
            int g = field_group(&f->fields[it[k]]);
            if (g != group) {
                row_item[n_rows++] = -1 - g;
                group = g;
            }
        } else if (any_button) {
            continue; /* all buttons share one row */
        } else {
            any_button = true;
            row_item[n_rows++] = -100; /* blank line before the buttons */
        }
        if (k == f->focus || (it[f->focus] < 0 && it[k] < 0)) focus_row = n_rows;
        row_item[n_rows++] = k;
    }
    if (focus_row < f->scroll + 1) f->scroll = focus_row - 1;
    if (focus_row >= f->scroll + height) f->scroll = focus_row - height + 1;
    /* no blank rows below the last while rows are scrolled off above (a
     * taller window, or rows hidden since) */
    if (f->scroll > n_rows - height) f->scroll = n_rows - height;
    if (f->scroll < 0) f->scroll = 0;

    /* the labels' column: the longest label, "> " before it and a blank
     * column after it, but never more than half the width */
    int label_w = 0; /* of every row, shown or not, so that it stays put */
    for (int i = 0; i < f->n_fields; i++) {
        int lw = crt_width(f->fields[i].label);
        if (lw > label_w) label_w = lw;
    }
    label_w += 3;
    if (label_w > width / 2) label_w = width / 2;
    int value_w = width / 3;
    if (value_w < 16) value_w = 16;
    if (value_w > 34) value_w = 34;
    int err_x = left + label_w + value_w + 2;
    for (int r = 0; r < height && f->scroll + r < n_rows; r++) {
        int y = top + r, ri = row_item[f->scroll + r];
        if (ri == -100) continue;
        if (ri < 0) {
            crt_set(w, ROLE_TITLE);
            crt_puts(w, y, left, width, group_names[-1 - ri]);
            continue;
        }
        int item = it[ri];
        if (item < 0) {
            /* the buttons */
            int x = left + label_w;
            for (int b = 0; b < f->n_buttons; b++) {
                bool foc = it[f->focus] == -1 - b;
                char lab[48];
                snprintf(lab, sizeof lab, "[ %s ]", f->buttons[b]);
                crt_set(w, foc ? ROLE_FOCUS : ROLE_FIELD);
                x += crt_puts(w, y, x, left + width - x, lab) + 2;
            }
            continue;
        }
        FormField *fd = &f->fields[item];
        bool foc = ri == f->focus;
        crt_set(w, foc ? ROLE_TITLE : ROLE_NORMAL);
        crt_puts(w, y, left, 2, foc ? "> " : "  ");
        /* a label too long for its column ends in an ellipsis, and the
         * column after it stays blank */
        crt_puts(w, y, left + 2, label_w - 3, fd->label);
        bool chooser = is_choice(fd) || fd->kind == FIELD_DATASET;
        int inner = value_w - (chooser ? 4 : 1);
        int x = left + label_w;
        CrtRole role = fd->error[0] ? ROLE_BAD : ROLE_FIELD;
        if (chooser) {
            crt_set(w, ROLE_DIM);
            x += crt_puts(w, y, x, 2, foc ? "< " : "  ");
        }
        if (!fd->text[0] && !foc) {
            crt_set(w, ROLE_DIM);
            x += crt_puts(w, y, x, 1, "-");
        }
        crt_set(w, role);
        /* a row with no error to show beside it (the error column) lets a
         * long value (a path, a search space) run on to the form's edge,
         * or to its "(command line)", edited or not */
        const char *lr_note = field_lr_note(fd);
        int edge = (field_as_given(f, fd) || lr_note) && err_x < left + width ? err_x - 1
                                                                              : left + width - 1;
        if (!chooser && !fd->error[0] && edge - x > inner) inner = edge - x;
        /* a chooser's value too (a dataset's name), short of its " >" */
        if (chooser && !fd->error[0] && edge - x - 2 > inner) inner = edge - x - 2;
        if (foc && !chooser) {
            /* the value scrolled to keep the cursor in view, which is
             * drawn reversed */
            int fw = inner + 1; /* the cursor's cell too, short of the edge */
            if (x + fw > edge) fw = edge - x;
            x += textedit_draw(w, y, x, fw, fd->text, f->cursor, true);
        } else {
            /* the end of a value too long still says the most */
            const char *shown = fd->text;
            /* the front cut: "…", or "..." without UTF-8 (a "~" before a
             * path's "/" would read as the home directory) */
            const char *lead = crt_utf8() ? crt_glyph(GLYPH_ELLIPSIS) : "...";
            int lead_w = crt_width(lead);
            bool cut = false;
            while (*shown && crt_width(shown) > inner - (cut ? lead_w : 0)) {
                shown++;
                while (((unsigned char)*shown & 0xC0) == 0x80) shown++;
                cut = true;
            }
            if (cut) {
                crt_set(w, ROLE_DIM);
                x += crt_puts(w, y, x, lead_w, lead);
                crt_set(w, role);
            }
            x += crt_puts(w, y, x, inner, shown);
        }
        const OptionSpecial *sp = field_special(fd);
        if (sp && strcmp(fd->text, sp->word) == 0 && (!foc || f->fresh)) {
            /* what the word stands for: "all cores (4)" */
            char detail[64], more[72];
            special_detail(f, sp, detail, sizeof detail);
            snprintf(more, sizeof more, " (%s)", detail);
            int room = left + label_w + value_w - x;
            if (detail[0] && crt_width(more) <= room) {
                crt_set(w, ROLE_DIM);
                x += crt_puts(w, y, x, room, more);
            }
        }
        if (chooser && foc) {
            crt_set(w, ROLE_DIM);
            crt_puts(w, y, x, 2, " >");
        }
        if (fd->error[0]) {
            crt_set(w, ROLE_BAD);
            crt_puts(w, y, err_x, left + width - err_x, fd->error);
        } else if (lr_note && err_x < left + width) {
            /* narrow (the setup form at 80 columns), the word alone: "inf" */
            int room = left + width - err_x;
            crt_set(w, ROLE_WARN);
            crt_puts(w, y, err_x, room, crt_width(lr_note) <= room ? lr_note : field_lr_word(fd));
        } else if (field_as_given(f, fd) && err_x < left + width) {
            crt_set(w, ROLE_DIM);
            crt_puts(w, y, err_x, left + width - err_x, "(command line)");
        }
    }
    crt_set(w, ROLE_NORMAL);
}

void form_set_esc(Form *f, const char *word)
{
    f->esc_word = word;
}

void form_draw_keys(const Form *f, WINDOW *w, int y, int width)
{
    const FormField *fd = form_focused(f);
    bool chooser = fd && (is_choice(fd) || fd->kind == FIELD_DATASET);
    char submit[48], esc[48];
    snprintf(submit, sizeof submit, "%s", f->n_buttons ? f->buttons[0] : "apply");
    for (char *p = submit; *p; p++) *p = (char)tolower((unsigned char)*p);
    bool undo = fd && f->before_item == focused_item(f) &&
                (strcmp(fd->text, f->before) != 0 || fd->error[0]);
    snprintf(esc, sizeof esc, "%s", undo ? "undo" : f->esc_word ? f->esc_word : "close");
    const char *hints[][2] = {
        {"up/down", "move"},
        {"left/right", !fd       ? "button"
                       : chooser ? "choose"
                                 : "cursor"},
        {fd && !chooser ? "type" : NULL, "edit"},
        {"enter", fd ? "next" : "press"},
        {"F10", submit},
        {"esc", esc},
    };
    int x = 0;
    crt_set(w, ROLE_KEYTEXT);
    mvwhline(w, y, 0, ' ', width);
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
        if (!hints[i][0]) continue;
        int need = crt_width(hints[i][0]) + crt_width(hints[i][1]) + 2;
        if (x + need > width) break;
        crt_set(w, ROLE_KEY);
        x += crt_puts(w, y, x, width - x, hints[i][0]);
        crt_set(w, ROLE_KEYTEXT);
        x += crt_puts(w, y, x + 1, width - x - 1, hints[i][1]) + 3;
    }
    crt_set(w, ROLE_NORMAL);
}
