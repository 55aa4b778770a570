/*
 * test_listview.c - the list widget's scrolling (src/tui/listview.c): a
 * list with a cursor keeps it in sight, a log follows its newest row until
 * scrolled back, the keys move by a row, a page and to either end, and the
 * position reads "a-b of n".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../src/tui/listview.h"
#include <curses.h>

static void a_cursor_below_the_window_scrolls_it_down(void **state)
{
    (void)state;
    ListView l = {0};
    listview_fit(&l, 100, 10);
    assert_int_equal(l.top, 0);
    assert_int_equal(listview_end(&l), 10);
    l.cursor = 25;
    listview_fit(&l, 100, 10);
    /* the cursor on the last row shown, not the first */
    assert_int_equal(l.top, 16);
    l.cursor = 3;
    listview_fit(&l, 100, 10);
    assert_int_equal(l.top, 3);
}

static void a_list_that_shrinks_keeps_its_cursor_and_fills_the_window(void **state)
{
    (void)state;
    ListView l = {.cursor = 90, .top = 85};
    listview_fit(&l, 20, 10);
    assert_int_equal(l.cursor, 19);
    assert_int_equal(l.top, 10); /* no blank rows below the last */
    listview_fit(&l, 0, 10);
    assert_int_equal(l.cursor, 0);
    assert_int_equal(l.top, 0);
    assert_false(listview_key(&l, KEY_DOWN)); /* nothing to move over */
}

static void keys_move_the_cursor_by_a_row_a_page_and_to_the_ends(void **state)
{
    (void)state;
    ListView l = {0};
    listview_fit(&l, 50, 10);
    assert_true(listview_key(&l, KEY_DOWN));
    assert_int_equal(l.cursor, 1);
    assert_true(listview_key(&l, KEY_NPAGE));
    assert_int_equal(l.cursor, 10); /* a page is the window less one row */
    assert_true(listview_key(&l, KEY_END));
    assert_int_equal(l.cursor, 49);
    assert_true(listview_key(&l, KEY_DOWN));
    assert_int_equal(l.cursor, 49);
    assert_true(listview_key(&l, KEY_HOME));
    assert_int_equal(l.cursor, 0);
    assert_true(listview_key(&l, KEY_UP));
    assert_int_equal(l.cursor, 0);
    assert_false(listview_key(&l, 'x'));
}

static void a_log_follows_its_newest_row_until_scrolled_back(void **state)
{
    (void)state;
    ListView l = {.log = true};
    listview_fit(&l, 5, 10);
    assert_int_equal(l.top, 0);
    assert_int_equal(listview_end(&l), 5);
    listview_fit(&l, 30, 10);
    assert_int_equal(l.top, 20);
    assert_int_equal(listview_end(&l), 30);
    /* up goes back in time; new rows then keep the window where it is
     * relative to the end */
    assert_true(listview_key(&l, KEY_UP));
    assert_true(listview_key(&l, KEY_UP));
    listview_fit(&l, 30, 10);
    assert_int_equal(listview_end(&l), 28);
    /* no further back than the first window */
    assert_true(listview_key(&l, KEY_HOME));
    listview_fit(&l, 30, 10);
    assert_int_equal(l.top, 0);
    assert_int_equal(l.back, 20);
    assert_true(listview_key(&l, KEY_END));
    listview_fit(&l, 31, 10);
    assert_int_equal(listview_end(&l), 31);
    assert_int_equal(l.back, 0);
}

static void the_position_is_given_only_when_rows_are_out_of_sight(void **state)
{
    (void)state;
    char m[48];
    ListView l = {0};
    listview_fit(&l, 8, 10);
    assert_false(listview_position(&l, 40, m, sizeof m));
    l.cursor = 25;
    listview_fit(&l, 100, 10);
    assert_true(listview_position(&l, 40, m, sizeof m));
    assert_string_equal(m, " 17-26 of 100 ");
    assert_true(listview_position(&l, 11, m, sizeof m));
    assert_string_equal(m, " 17-26/100");
    assert_true(listview_position(&l, 5, m, sizeof m));
    assert_string_equal(m, "");
}

typedef struct {
    size_t rows[16];
    int ys[16];
    int n, cursor_row;
} Drawn;

static void record(void *ctx, size_t i, int y, bool cursor)
{
    Drawn *d = ctx;
    d->rows[d->n] = i;
    d->ys[d->n++] = y;
    if (cursor) d->cursor_row = (int)i;
}

static void draw_hands_each_row_in_sight_to_the_caller_once(void **state)
{
    (void)state;
    Drawn d = {.cursor_row = -1};
    ListView l = {.cursor = 12};
    listview_draw(&l, 3, 4, 20, record, &d);
    assert_int_equal(d.n, 4);
    for (int k = 0; k < 4; k++) {
        assert_int_equal(d.rows[k], 9 + (size_t)k);
        assert_int_equal(d.ys[k], 3 + k);
    }
    assert_int_equal(d.cursor_row, 12);
    /* a log marks no row */
    Drawn e = {.cursor_row = -1};
    ListView g = {.log = true};
    listview_draw(&g, 0, 4, 20, record, &e);
    assert_int_equal(e.rows[0], 16);
    assert_int_equal(e.cursor_row, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_cursor_below_the_window_scrolls_it_down),
        cmocka_unit_test(a_list_that_shrinks_keeps_its_cursor_and_fills_the_window),
        cmocka_unit_test(keys_move_the_cursor_by_a_row_a_page_and_to_the_ends),
        cmocka_unit_test(a_log_follows_its_newest_row_until_scrolled_back),
        cmocka_unit_test(the_position_is_given_only_when_rows_are_out_of_sight),
        cmocka_unit_test(draw_hands_each_row_in_sight_to_the_caller_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
