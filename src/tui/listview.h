/*
 * listview.h - the list widget: a table of rows taller than its window,
 * scrolled by the keys every list takes (up, down, page up, page down,
 * home, end).  Two kinds: a list with a cursor (the run viewer's runs: the
 * window keeps the cursor in sight), and a cursorless log that follows its
 * newest row at the bottom until it is scrolled back (the dashboard's
 * epochs table).  The scrolling is plain arithmetic (tested in
 * tests/test_listview.c); drawing a row is the caller's hook.  UI thread
 * only.
 */
#ifndef GRADTOP_TUI_LISTVIEW_H
#define GRADTOP_TUI_LISTVIEW_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    bool log;      /* cursorless: the newest rows shown unless scrolled back */
    size_t n;      /* rows in the list (listview_fit) */
    size_t cursor; /* the row under the cursor (not for a log) */
    size_t back;   /* a log: rows scrolled back from its end (0 follows it) */
    size_t top;    /* the first row shown (listview_fit) */
    int height;    /* rows shown, from the last listview_fit (at least 1) */
} ListView;

/* Fits the window to n rows and height rows on screen: the cursor in it,
 * or a log's end less its scroll-back; nothing past the end is left blank
 * when there are rows enough. */
void listview_fit(ListView *l, size_t n, int height);

/* Moves the cursor (a log: its scroll-back) for up, down, page up, page
 * down, home or end, a page being the last height less one; false (and
 * nothing moved) for any other key or an empty list. */
bool listview_key(ListView *l, int ch);

/* Moves the cursor to row i, clamped to the list. */
void listview_set_cursor(ListView *l, long i);

/* The rows shown after listview_fit: [top, *end). */
size_t listview_end(const ListView *l);

/* Whether some rows are out of sight, and then "a-b of n" (or "a-b/n"
 * when that does not fit width columns; "" when neither does). */
bool listview_position(const ListView *l, int width, char *buf, size_t cap);

/* Draws the rows in sight from screen row y on, after fitting to n rows
 * and height: row(ctx, i, y, cursor) draws row i on screen row y, cursor
 * saying it is the cursor's. */
typedef void (*ListRowDraw)(void *ctx, size_t i, int y, bool cursor);
void listview_draw(ListView *l, int y, int height, size_t n, ListRowDraw row, void *ctx);

#endif
