/*
 * test_chartview.c - the chart widget's cells (src/tui/chartview.c): a
 * scatter's points past its y axis are drawn as arrows on the edge they
 * pass, but a point on the chart keeps its cell.  Drawn into a window of
 * a terminal that writes to /dev/null; crt_init is not called, so the
 * locale counts as not UTF-8: dots are ASCII and the arrows ^ and v.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../src/tui/chartview.h"
#include "nullterm.h"

static NullTerm term;
static WINDOW *win;

static int setup(void **state)
{
    (void)state;
    if (!null_term_open(&term)) return -1;
    win = newwin(12, 40, 0, 0);
    return win ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    delwin(win);
    null_term_close(&term);
    return 0;
}

/* A scatter of two series on [0, 1] x [0, 1], each with off_marks: a
 * at (ax, ay), b at (bx, by). */
static void draw_two(double ax, double ay, double bx, double by)
{
    static double xa[1], ya[1], xb[1], yb[1];
    xa[0] = ax;
    ya[0] = ay;
    xb[0] = bx;
    yb[0] = by;
    ChartSpec c = {.title = "lr"};
    c.x_axis = (ChartAxis){0, 1, false};
    c.y_axis = (ChartAxis){0, 1, false};
    c.series[0] = (ChartSeries){xa, ya, 1, ROLE_NORMAL, false};
    c.series[1] = (ChartSeries){xb, yb, 1, ROLE_NORMAL, false};
    c.n_series = 2;
    c.scatter[0] = c.scatter[1] = true;
    c.off_marks[0] = c.off_marks[1] = true;
    werase(win);
    chartview_draw(win, 0, 0, 12, 40, &c);
}

/* The plot's cells: rows 1 to 9 (title above, axis and labels below).
 * How many hold ch, the last at (*row, *col). */
static int find_in_plot(int ch, int *row, int *col)
{
    int n = 0;
    for (int r = 1; r <= 9; r++)
        for (int x = 0; x < 40; x++)
            if ((int)(mvwinch(win, r, x) & A_CHARTEXT) == ch) {
                n++;
                *row = r;
                *col = x;
            }
    return n;
}

static int cell(int row, int col)
{
    return (int)(mvwinch(win, row, col) & A_CHARTEXT);
}

static void an_arrow_marks_a_point_above_the_chart(void **state)
{
    (void)state;
    int r, x;
    /* a in range at the bottom, b far above: an arrow on the top row */
    draw_two(0.5, 0.0, 0.5, 7.0);
    assert_int_equal(find_in_plot('^', &r, &x), 1);
    assert_int_equal(r, 1);
}

static void a_point_on_the_top_row_keeps_its_cell_from_an_arrow(void **state)
{
    (void)state;
    int r, x;
    draw_two(0.5, 0.0, 0.5, 7.0);
    assert_int_equal(find_in_plot('^', &r, &x), 1);
    /* a at the very top, b above it at the same x: a's dot stays in the
     * cell the arrow would take (it was drawn over) */
    for (int order = 0; order < 2; order++) {
        if (order == 0)
            draw_two(0.5, 1.0, 0.5, 7.0);
        else
            draw_two(0.5, 7.0, 0.5, 1.0); /* the series the other way round */
        int rr, xx;
        assert_int_equal(find_in_plot('^', &rr, &xx), 0);
        assert_int_not_equal(cell(r, x), ' ');
    }
}

static void a_point_on_the_bottom_row_keeps_its_cell_from_an_arrow(void **state)
{
    (void)state;
    int r, x;
    /* elsewhere on the row the arrow is drawn */
    draw_two(0.25, 0.0, 0.75, -3.0);
    assert_int_equal(find_in_plot('v', &r, &x), 1);
    assert_int_equal(r, 9);
    draw_two(0.75, 0.0, 0.75, -3.0);
    assert_int_equal(find_in_plot('v', &r, &x), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_arrow_marks_a_point_above_the_chart),
        cmocka_unit_test(a_point_on_the_top_row_keeps_its_cell_from_an_arrow),
        cmocka_unit_test(a_point_on_the_bottom_row_keeps_its_cell_from_an_arrow),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
