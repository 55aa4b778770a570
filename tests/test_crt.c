/*
 * test_crt.c - the terminal layer's text drawing (src/tui/crt.c): text
 * that does not fit is never cut silently.  crt_puts ends cut text in an
 * ellipsis, crt_puts_tail gives up a name's start instead, and crt_wrap's
 * last allowed row says when text is left over.  Drawn into a window of a
 * terminal that writes to /dev/null; crt_init is not called, so the locale
 * counts as not UTF-8 and the ellipsis is "...".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../src/tui/crt.h"
#include "nullterm.h"

static NullTerm term;
static WINDOW *win;

static int setup(void **state)
{
    (void)state;
    if (!null_term_open(&term)) return -1;
    win = newwin(10, 60, 0, 0);
    return win ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    delwin(win);
    null_term_close(&term);
    return 0;
}

/* Row y of the window, trailing blanks removed. */
static const char *row(int y)
{
    static char line[128];
    mvwinnstr(win, y, 0, line, 60);
    size_t n = strlen(line);
    while (n > 0 && line[n - 1] == ' ') line[--n] = '\0';
    return line;
}

static void a_cut_text_ends_in_an_ellipsis(void **state)
{
    (void)state;
    assert_string_equal(crt_ellipsis(), "...");
    static const struct {
        int width;
        const char *text, *shown;
    } cuts[] = {
        /* the panel showed "val_accuracy 0.85 @7" for best epoch 70; a
         * figure is shown whole or not at all ("0..." reads as a zero) */
        {17, "val_accuracy 0.85 @70", "val_accuracy..."},
        {20, "val_accuracy 0.85 @70", "val_accuracy 0.85..."},
        /* a word's trailing blank is not kept before the ellipsis; a word
         * without a digit may be cut */
        {8, "abcd efghij", "abcd..."},
        {9, "abcd efghij", "abcd e..."},
        /* a figure goes back to where it begins: a fraction, an exponent,
         * a negative figure; a text that is nothing but a figure leaves
         * the ellipsis alone */
        {22, "step 4500 (batch 1500/1500)", "step 4500 (batch..."},
        {13, "lr 1.25e-05 now", "lr..."},
        {9, "x -0.125 y", "x..."},
        {5, "0.123456", "..."},
        /* a name's digits are cut as any word's */
        {9, "run 20261207-0342", "run 20..."},
        {18, "tiny-images-idx3-ubyte", "tiny-images-idx..."},
    };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        werase(win);
        int used = crt_puts(win, 0, 0, cuts[i].width, cuts[i].text);
        if (strcmp(row(0), cuts[i].shown) != 0 || used != (int)strlen(cuts[i].shown))
            fail_msg("\"%s\" in %d columns: \"%s\" (%d columns), not \"%s\"", cuts[i].text,
                     cuts[i].width, row(0), used, cuts[i].shown);
    }
}

static void what_fits_or_only_loses_blanks_is_drawn_as_it_is(void **state)
{
    (void)state;
    werase(win);
    assert_int_equal(crt_puts(win, 0, 0, 11, "0.85 @70"), 8);
    assert_string_equal(row(0), "0.85 @70");
    /* padding past the width is no text lost */
    assert_int_equal(crt_puts(win, 1, 0, 5, "abc      "), 5);
    assert_string_equal(row(1), "abc");
    /* too narrow even for the ellipsis: clipped as before */
    assert_int_equal(crt_puts(win, 2, 0, 2, "abcdef"), 2);
    assert_string_equal(row(2), "ab");
}

static void a_long_name_can_give_up_its_start(void **state)
{
    (void)state;
    werase(win);
    assert_int_equal(crt_puts_tail(win, 0, 0, 16, "20261207-034207-breast_cancer"), 16);
    assert_string_equal(row(0), "...breast_cancer");
    crt_puts_tail(win, 1, 0, 15, "short");
    assert_string_equal(row(1), "short");
}

static void wrapped_text_cut_at_its_last_row_says_so(void **state)
{
    (void)state;
    werase(win);
    /* the diagnosis lost its third row with no sign */
    const char *msg = "validation at chance level (accuracy 0.50, loss 0.693; guessing 0.50)";
    assert_int_equal(crt_wrap(win, 0, 0, 30, 2, msg), 2);
    assert_string_equal(row(0), "validation at chance level");
    assert_string_equal(row(1), "(accuracy 0.50, loss 0.693;...");
    /* all of it shown: no ellipsis */
    werase(win);
    assert_int_equal(crt_wrap(win, 0, 0, 30, 5, msg), 3);
    assert_string_equal(row(2), "guessing 0.50)");
    assert_null(strstr(row(1), "..."));
    /* counting rows draws nothing and is unchanged */
    assert_int_equal(crt_wrap_part(NULL, 0, 0, 30, 0, 2, msg), 2);
    /* the last row joins what fits and what is left with one blank (the
     * events panel read "(step 2158):  res...") */
    werase(win);
    assert_int_equal(crt_wrap(win, 0, 0, 20, 1, "abc defghijklmnopqrstuvwxyz"), 1);
    assert_string_equal(row(0), "abc defghijklmnop...");
    /* the events panel's last row cut a figure: "training digits: 1..."
     * for 1437 rows */
    werase(win);
    crt_wrap(win, 0, 0, 22, 1, "training digits: 1437 rows, 64 features");
    assert_string_equal(row(0), "training digits:...");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_cut_text_ends_in_an_ellipsis),
        cmocka_unit_test(what_fits_or_only_loses_blanks_is_drawn_as_it_is),
        cmocka_unit_test(a_long_name_can_give_up_its_start),
        cmocka_unit_test(wrapped_text_cut_at_its_last_row_says_so),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
