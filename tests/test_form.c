/*
 * test_form.c - editing in the forms (src/tui/form.c, textedit.c): a typed
 * value is edited at a visible cursor (insert, delete, backspace, moving
 * by a character and to either end), Esc undoes the edit of the row, F10
 * submits from any row, and the keys and their effects are the same in
 * the setup form and the hyperparameter editor (both are a Form).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../src/tui/form.h"
#include "../src/tui/textedit.h"
#include "gradtop/core/sysmem.h"
#include "nullterm.h"

#define CTRL(c) ((c)&0x1f)

static void typing_inserts_at_the_cursor_instead_of_replacing(void **state)
{
    (void)state;
    char t[32] = "0.001";
    size_t c = SIZE_MAX; /* a form puts the cursor at the end */
    assert_int_equal(textedit_key(t, sizeof t, &c, '5'), TEXTEDIT_CHANGED);
    assert_string_equal(t, "0.0015");
    assert_int_equal(textedit_key(t, sizeof t, &c, CTRL('a')), TEXTEDIT_MOVED);
    assert_int_equal(c, 0);
    textedit_key(t, sizeof t, &c, KEY_RIGHT);
    textedit_key(t, sizeof t, &c, KEY_RIGHT);
    textedit_key(t, sizeof t, &c, '7');
    assert_string_equal(t, "0.70015");
    assert_int_equal(c, 3);
}

static void backspace_and_delete_remove_either_side_of_the_cursor(void **state)
{
    (void)state;
    char t[32] = "12345";
    size_t c = 2;
    assert_int_equal(textedit_key(t, sizeof t, &c, KEY_BACKSPACE), TEXTEDIT_CHANGED);
    assert_string_equal(t, "1345");
    assert_int_equal(c, 1);
    assert_int_equal(textedit_key(t, sizeof t, &c, KEY_DC), TEXTEDIT_CHANGED);
    assert_string_equal(t, "145");
    assert_int_equal(c, 1);
    textedit_key(t, sizeof t, &c, CTRL('k'));
    assert_string_equal(t, "1");
    c = 0;
    textedit_key(t, sizeof t, &c, KEY_BACKSPACE); /* nothing before */
    assert_string_equal(t, "1");
    textedit_key(t, sizeof t, &c, CTRL('u'));
    assert_string_equal(t, "");
    assert_int_equal(c, 0);
}

static void the_cursor_moves_over_whole_utf8_characters(void **state)
{
    (void)state;
    char t[32] = "a\u00e9b"; /* a, e-acute (2 bytes), b */
    size_t c = SIZE_MAX;
    textedit_key(t, sizeof t, &c, KEY_LEFT);
    assert_int_equal(c, 3);
    textedit_key(t, sizeof t, &c, KEY_LEFT);
    assert_int_equal(c, 1);
    textedit_key(t, sizeof t, &c, KEY_DC);
    assert_string_equal(t, "ab");
    /* a character typed arrives a byte a key */
    textedit_key(t, sizeof t, &c, 0xc3);
    textedit_key(t, sizeof t, &c, 0xa9);
    assert_string_equal(t, "a\u00e9b");
    textedit_key(t, sizeof t, &c, KEY_BACKSPACE);
    assert_string_equal(t, "ab");
}

static void a_full_line_takes_no_more(void **state)
{
    (void)state;
    char t[4] = "abc";
    size_t c = 1;
    assert_int_equal(textedit_key(t, sizeof t, &c, 'x'), TEXTEDIT_MOVED);
    assert_string_equal(t, "abc");
    assert_int_equal(textedit_key(t, sizeof t, &c, '\n'), TEXTEDIT_NONE);
}

/* A form of the hyperparameters, as the dashboard's editor makes it. */
static void edit_form(Form *f, Options *o)
{
    options_default(o);
    form_init(f, o);
    for (size_t i = 0; i < option_count; i++)
        if (option_live(&option_table[i])) form_add(f, &option_table[i], false);
    form_add_button(f, "Apply");
    form_add_button(f, "Cancel");
}

static void focus_label(Form *f, const char *label)
{
    form_key(f, KEY_HOME);
    for (int i = 0; i < FORM_MAX_FIELDS; i++) {
        const FormField *fd = form_focused(f);
        if (fd && strcmp(fd->label, label) == 0) return;
        form_key(f, KEY_DOWN);
    }
    fail_msg("no row %s", label);
}

static void drawn_row(Form *f, int width, const char *label, char *row, size_t cap);

/* Whether a row labelled label can take the focus (is shown). */
static bool reachable(Form *f, const char *label)
{
    form_key(f, KEY_HOME);
    for (int i = 0; i < FORM_MAX_FIELDS; i++) {
        const FormField *fd = form_focused(f);
        if (fd && strcmp(fd->label, label) == 0) return true;
        form_key(f, KEY_DOWN);
    }
    return false;
}

/* The sweep's rows: its special values in words, and each scheduler's
 * own rows only under that scheduler. */
static void sweep_rows_read_in_words_and_follow_the_scheduler(void **state)
{
    (void)state;
    Form f;
    Options o;
    options_default(&o);
    form_init(&f, &o);
    for (size_t i = 0; i < option_count; i++)
        if (option_table[i].group == OPTGROUP_SWEEP) form_add(&f, &option_table[i], false);
    form_add_button(&f, "Start");
    focus_label(&f, "trials");
    assert_string_equal(form_focused(&f)->text, "auto");
    form_key(&f, CTRL('u'));
    form_key(&f, '7');
    assert_int_equal(f.opt.trials, 7);
    form_key(&f, CTRL('u'));
    for (const char *c = "auto"; *c; c++) form_key(&f, *c);
    assert_int_equal(f.opt.trials, 0);
    focus_label(&f, "budget");
    assert_string_equal(form_focused(&f)->text, "no bound");
    focus_label(&f, "parallel");
    assert_string_equal(form_focused(&f)->text, "all cores");
    char row[256], want[64];
    focus_label(&f, "trials"); /* the detail shows on a row not being edited */
    drawn_row(&f, 100, "parallel", row, sizeof row);
    snprintf(want, sizeof want, "all cores (%d)", sysmem_cores());
    assert_non_null(strstr(row, want));

    /* none, asha, median, pbt in turn */
    const char *rows[] = {"eta", "min epochs", "pbt interval"};
    const bool shown[4][3] = {
        {false, false, false}, {true, true, false}, {false, true, false}, {false, false, true}};
    for (int k = 0; k < 4; k++) {
        assert_int_equal(f.opt.scheduler, k);
        for (int r = 0; r < 3; r++)
            if (reachable(&f, rows[r]) != shown[k][r])
                fail_msg("scheduler %s: the row %s is %s", sweep_scheduler_names[k], rows[r],
                         shown[k][r] ? "hidden" : "shown");
        focus_label(&f, "scheduler");
        form_key(&f, KEY_RIGHT);
    }
}

/* A row hidden while a choice below it reads a word: the choice keeps the
 * focus as the rows above it go and come back. */
static void a_row_hidden_by_a_choice_below_leaves_the_focus_on_the_choice(void **state)
{
    (void)state;
    static const char *const modes[] = {"single", "race", "sweep", NULL};
    Form f;
    Options o;
    options_default(&o);
    form_init(&f, &o);
    int epochs = -1;
    for (size_t i = 0; i < option_count; i++)
        if (!strcmp(option_table[i].name, "epochs") || !strcmp(option_table[i].name, "seed")) {
            int row = form_add(&f, &option_table[i], false);
            if (!strcmp(option_table[i].name, "epochs")) epochs = row;
        }
    int mode = form_add_choice(&f, "mode", modes, "the mode");
    form_hide_if(&f, epochs, mode, "sweep");
    form_add_button(&f, "Start");
    assert_true(reachable(&f, "epochs"));
    focus_label(&f, "mode");
    form_key(&f, KEY_RIGHT);
    assert_string_equal(form_text(&f, mode), "race");
    assert_true(reachable(&f, "epochs"));
    focus_label(&f, "mode");
    form_key(&f, KEY_RIGHT);
    assert_string_equal(form_text(&f, mode), "sweep");
    assert_non_null(form_focused(&f)); /* not moved on to the button */
    assert_string_equal(form_focused(&f)->label, "mode");
    assert_false(reachable(&f, "epochs"));
    focus_label(&f, "mode");
    form_key(&f, KEY_LEFT);
    assert_string_equal(form_focused(&f)->label, "mode");
    assert_true(reachable(&f, "epochs"));
}

static void a_value_is_edited_in_place_and_reaches_the_options(void **state)
{
    (void)state;
    Form f;
    Options o;
    edit_form(&f, &o);
    focus_label(&f, "batch size");
    assert_string_equal(form_focused(&f)->text, "32");
    /* the first key typed no longer replaces the value */
    assert_int_equal(form_key(&f, '8'), FORM_CHANGED);
    assert_int_equal(f.opt.hp.batch_size, 328);
    form_key(&f, KEY_LEFT);
    form_key(&f, KEY_LEFT);
    form_key(&f, KEY_DC); /* "3|28" -> "38" */
    assert_string_equal(form_focused(&f)->text, "38");
    assert_int_equal(f.opt.hp.batch_size, 38);
    form_key(&f, KEY_BACKSPACE); /* "|8" */
    form_key(&f, '6');
    assert_int_equal(f.opt.hp.batch_size, 68);
}

static void esc_undoes_the_rows_edit_then_cancels(void **state)
{
    (void)state;
    Form f;
    Options o;
    edit_form(&f, &o);
    focus_label(&f, "patience");
    int before = f.opt.hp.patience;
    form_key(&f, '0');
    assert_int_equal(f.opt.hp.patience, before * 10);
    assert_int_equal(form_key(&f, 27), FORM_CHANGED);
    assert_int_equal(f.opt.hp.patience, before);
    assert_int_equal(form_key(&f, 27), FORM_CANCEL);
}

static void f10_submits_from_any_row_with_the_value_being_typed(void **state)
{
    (void)state;
    Form f;
    Options o;
    edit_form(&f, &o);
    focus_label(&f, "l2");
    form_key(&f, CTRL('u'));
    form_key(&f, '0');
    form_key(&f, '.');
    form_key(&f, '5');
    assert_int_equal(form_key(&f, KEY_F(10)), FORM_SUBMIT);
    assert_true(f.opt.hp.l2 == 0.5);
    assert_true(form_check(&f));
}

/* A form of every option, on o. */
static void form_of_every_option(Form *f, const Options *o)
{
    form_init(f, o);
    for (size_t i = 0; i < option_count; i++) form_add(f, &option_table[i], false);
}

/* The row of label on a form drawn width columns wide into a curses
 * window of a terminal that writes to /dev/null. */
static void drawn_row(Form *f, int width, const char *label, char *row, size_t cap)
{
    NullTerm t;
    assert_true(null_term_open(&t));
    WINDOW *w = newwin(60, width, 0, 0);
    assert_non_null(w);
    form_draw(f, w, 0, 0, 60, width);
    row[0] = '\0';
    for (int y = 0; y < 60; y++) {
        char line[256];
        mvwinnstr(w, y, 0, line, width < 255 ? width : 255);
        if (strstr(line, label)) {
            snprintf(row, cap, "%s", line);
            break;
        }
    }
    delwin(w);
    null_term_close(&t);
}

static void a_long_label_never_runs_into_its_value(void **state)
{
    (void)state;
    Form f;
    Options o;
    options_default(&o);
    o.hp.opt.kind = OPTIMIZER_ADAGRAD; /* "initial accumulator": 19 columns */
    form_of_every_option(&f, &o);
    char row[256];
    drawn_row(&f, 100, "initial accum", row, sizeof row);
    assert_non_null(strstr(row, "initial accumulator 0.1"));
    /* too narrow for the whole label: cut with an ellipsis, then a blank */
    drawn_row(&f, 30, "initial", row, sizeof row);
    assert_null(strstr(row, "accumulato0"));
    char *v = strstr(row, "0.1");
    assert_non_null(v);
    assert_true(v > row && v[-1] == ' ');
}

/* A form scrolled to its end in a short window, then drawn in a taller
 * one (the terminal grown, or rows hidden): the rows scrolled off above
 * come back rather than blank rows below the last. */
static void a_taller_window_shows_the_rows_above_not_blanks_below(void **state)
{
    (void)state;
    Form f;
    Options o;
    options_default(&o);
    form_of_every_option(&f, &o);
    form_add_button(&f, "Start");
    form_key(&f, KEY_END);
    NullTerm t;
    assert_true(null_term_open(&t));
    WINDOW *w = newwin(40, 80, 0, 0);
    assert_non_null(w);
    form_draw(&f, w, 0, 0, 8, 80);
    assert_true(f.scroll > 0);
    werase(w);
    form_draw(&f, w, 0, 0, 40, 80);
    /* more rows than the window has: the buttons' row, the last, ends it */
    char line[96];
    mvwinnstr(w, 39, 0, line, 80);
    assert_non_null(strstr(line, "[ Start ]"));
    delwin(w);
    null_term_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(typing_inserts_at_the_cursor_instead_of_replacing),
        cmocka_unit_test(backspace_and_delete_remove_either_side_of_the_cursor),
        cmocka_unit_test(the_cursor_moves_over_whole_utf8_characters),
        cmocka_unit_test(a_full_line_takes_no_more),
        cmocka_unit_test(a_value_is_edited_in_place_and_reaches_the_options),
        cmocka_unit_test(sweep_rows_read_in_words_and_follow_the_scheduler),
        cmocka_unit_test(a_row_hidden_by_a_choice_below_leaves_the_focus_on_the_choice),
        cmocka_unit_test(esc_undoes_the_rows_edit_then_cancels),
        cmocka_unit_test(f10_submits_from_any_row_with_the_value_being_typed),
        cmocka_unit_test(a_long_label_never_runs_into_its_value),
        cmocka_unit_test(a_taller_window_shows_the_rows_above_not_blanks_below),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
