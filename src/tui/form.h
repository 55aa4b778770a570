/*
 * form.h - a form of options, driven by option_table: one row per option,
 * values checked with options_set() as they are typed (the reason shown
 * beside the field), enumerations and flags chosen with the arrow keys,
 * optimizer- and schedule-specific rows shown only when they apply, and a
 * row of buttons at the end.  An option whose special value stands for
 * something else than its number (OptionSpecial: --noise -1,
 * --threads 0, --patience 0) shows a word ("default", "all cores", "off")
 * and takes the word back.  The setup screen and the dashboard's
 * hyperparameter editor are both forms.
 *
 * Every form takes the same keys (form_key) and draws its own key bar
 * (form_draw_keys) while it is open.
 *
 * A Form owns a working copy of the Options; the caller reads it back when
 * a button is pressed.  UI thread only.
 */
#ifndef GRADTOP_TUI_FORM_H
#define GRADTOP_TUI_FORM_H

#include <curses.h>
#include <stdbool.h>

#include "gradtop/run/options.h"

#define FORM_MAX_FIELDS 96
#define FORM_MAX_BUTTONS 3
#define FORM_MAX_CHOICES 64

typedef enum {
    FIELD_OPTION,  /* a row of option_table */
    FIELD_DATASET, /* the dataset: a list of names, or a path typed in */
    FIELD_CHOICE,  /* the caller's own row: one of `names` (not an option) */
    FIELD_TEXT,    /* the caller's own row: free text, checked by `check` */
} FieldKind;

/* The check of a FIELD_TEXT row, or a FIELD_OPTION row's own check after
 * options_set took its value (form_set_check): false with the reason in
 * err when text is not accepted; opt is the form's working copy (with the
 * value, for an option row). */
typedef bool (*FormCheck)(const Options *opt, const char *text, char *err, size_t cap);
/* Whether a row applies to the form's working copy (see form_show_when);
 * ctx is the one form_show_when was given. */
typedef bool (*FormShow)(const Options *opt, void *ctx);

/* The heading of the caller's own rows (after option_table's groups). */
#define FORM_GROUP_RUN 4

typedef struct {
    FieldKind kind;
    const OptionSpec *spec; /* FIELD_OPTION */
    char label[32];
    char text[OPTIONS_PATH];
    char error[256]; /* why text is not accepted, or "" */
    bool locked;     /* set on the command line (marked while it keeps that value) */
    /* FIELD_CHOICE / FIELD_TEXT: the choices (NULL-terminated), the check,
     * the help line; any row: shown only while field show_if (>= 0) reads
     * show_text (or, with hide_if, while it does not) */
    const char *const *names;
    FormCheck check;
    const char *help;
    int show_if;
    const char *show_text;
    bool hide_if;
    int group;          /* FIELD_CHOICE / FIELD_TEXT: the heading it comes under (FORM_GROUP_RUN
                         * unless form_set_group says otherwise) */
    FormShow show_when; /* any row: shown only while this says so (NULL: always) */
    void *show_ctx;     /* show_when's ctx */
} FormField;

typedef enum {
    FORM_NONE,    /* nothing for the caller */
    FORM_CHANGED, /* a value changed (and is valid) */
    FORM_BUTTON,  /* Enter on a button: see form_button() */
    FORM_SUBMIT,  /* F10: the form's first button, from anywhere in it */
    FORM_CANCEL,  /* Esc with nothing being edited */
} FormEvent;

typedef struct {
    Options opt;   /* the working copy: every valid value typed so far */
    Options given; /* what form_init was given: the command line's values */
    FormField fields[FORM_MAX_FIELDS];
    int n_fields;
    const char *buttons[FORM_MAX_BUTTONS];
    int n_buttons;
    const char *esc_word; /* what Esc does with nothing to undo, for the key bar */
    int focus;            /* index into the visible items: fields, then buttons */
    int scroll;           /* first visible row */
    size_t cursor;        /* in the focused text (textedit.h); at its end when focused */
    bool fresh;           /* the focused text was not typed into yet */
    int pressed;          /* the button of the last FORM_BUTTON */
    bool undid;           /* the last key was an Esc that undid the focused row's edit */
    /* the focused field's text before editing began, for Esc to restore */
    char before[OPTIONS_PATH];
    int before_item;
    /* FIELD_DATASET choices */
    char (*choices)[128];
    int n_choices;
} Form;

void form_init(Form *f, const Options *opt);
/* Adds a row for spec (locked: set on the command line); returns the
 * field's index, or -1 when the form is full. */
int form_add(Form *f, const OptionSpec *spec, bool locked);
/* Adds the dataset row, choosing among names (kept by reference). */
void form_add_dataset(Form *f, char (*names)[128], int n);
void form_add_button(Form *f, const char *label);
/* Adds one of the caller's own rows (FORM_GROUP_RUN heading): a choice
 * among names (the first chosen), or a text checked by check (may be
 * NULL).  Returns the field's index, or -1 when the form is full. */
int form_add_choice(Form *f, const char *label, const char *const *names, const char *help);
int form_add_text(Form *f, const char *label, const char *text, FormCheck check, const char *help);
/* Puts one of the caller's own rows under the heading of an option group
 * (OPTGROUP_TRAIN, ...) instead of FORM_GROUP_RUN. */
void form_set_group(Form *f, int field, int group);
/* Checks option row field's value with check too, as it is typed, once
 * options_set has taken it (a value whose grammar options_set leaves to
 * its user: the sweep's space). */
void form_set_check(Form *f, int field, FormCheck check);
/* Shows field only while field other's text is `text`. */
void form_show_if(Form *f, int field, int other, const char *text);
/* Row field is hidden while row other reads text. */
void form_hide_if(Form *f, int field, int other, const char *text);
/* Shows field only while when(working copy, ctx) is true, e.g. the
 * options of generated sets only while one is chosen. */
void form_show_when(Form *f, int field, FormShow when, void *ctx);
/* Rewrites every option row that holds no error from the working copy,
 * after the caller changed it. */
void form_reload(Form *f);
/* A field's current text ("" for a bad index). */
const char *form_text(const Form *f, int field);

/* The key bar's word for Esc once there is nothing to undo ("quit",
 * "close"); F10's is the first button's label. */
void form_set_esc(Form *f, const char *word);

/* Handles a key; see FormEvent.  The keys are the same in every form:
 * up and down (tab, shift-tab) move between rows, home and end (page up,
 * page down) to the first and the last, enter to the next row or presses
 * a button; on a choice left and right (space, a first letter) choose; in
 * a typed value the keys of textedit.h edit at the cursor; Esc undoes the
 * edit of the row (f->undid then says so), then cancels; F10 submits from
 * anywhere. */
FormEvent form_key(Form *f, int ch);
int form_button(const Form *f);
/* True when no visible field has an error; else focuses the first bad one. */
bool form_check(Form *f);
/* The focused field (NULL on a button). */
const FormField *form_focused(const Form *f);

/* Draws the form in the rectangle; rows that do not fit scroll.  Labels
 * take the width of the longest (cut with an ellipsis only when the
 * rectangle is too narrow), and a column always separates label and value. */
void form_draw(Form *f, WINDOW *w, int top, int left, int height, int width);

/* Draws the form's key bar on row y: the keys that act on the focused row,
 * then F10 and Esc. */
void form_draw_keys(const Form *f, WINDOW *w, int y, int width);

#endif
