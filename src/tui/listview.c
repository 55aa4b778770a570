/*
 * listview.c - the list widget.  See listview.h.
 */
#include "listview.h"

#include <curses.h>
#include <stdio.h>

#include "crt.h"

void listview_fit(ListView *l, size_t n, int height)
{
    size_t h = height > 1 ? (size_t)height : 1;
    l->n = n;
    l->height = (int)h;
    if (l->log) {
        /* the end less the scroll-back, and no further back than a
         * window's worth from the start */
        size_t most = n > h ? n - h : 0;
        if (l->back > most) l->back = most;
        size_t end = n - l->back;
        l->top = end > h ? end - h : 0;
        return;
    }
    if (n == 0) {
        l->cursor = l->top = 0;
        return;
    }
    if (l->cursor >= n) l->cursor = n - 1;
    if (l->cursor < l->top) l->top = l->cursor;
    if (l->cursor >= l->top + h) l->top = l->cursor - h + 1;
    if (l->top + h > n) l->top = n > h ? n - h : 0;
}

void listview_set_cursor(ListView *l, long i)
{
    if (l->n == 0) return;
    if (i < 0) i = 0;
    if ((size_t)i >= l->n) i = (long)l->n - 1;
    l->cursor = (size_t)i;
}

bool listview_key(ListView *l, int ch)
{
    if (l->n == 0) return false;
    long page = l->height > 1 ? l->height - 1 : 1;
    long delta;
    switch (ch) {
    case KEY_UP: delta = -1; break;
    case KEY_DOWN: delta = 1; break;
    case KEY_PPAGE: delta = -page; break;
    case KEY_NPAGE: delta = page; break;
    case KEY_HOME: delta = -(long)l->n; break;
    case KEY_END: delta = (long)l->n; break;
    default: return false;
    }
    if (l->log) {
        /* up goes back in time; listview_fit clamps */
        long b = (long)l->back - delta;
        l->back = b < 0 ? 0 : (size_t)b;
    } else {
        listview_set_cursor(l, (long)l->cursor + delta);
    }
    return true;
}

size_t listview_end(const ListView *l)
{
    size_t end = l->top + (size_t)l->height;
    return end < l->n ? end : l->n;
}

bool listview_position(const ListView *l, int width, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (l->n <= (size_t)l->height) return false;
    size_t end = listview_end(l);
    snprintf(buf, cap, " %zu-%zu of %zu ", l->top + 1, end, l->n);
    if (crt_width(buf) > width) snprintf(buf, cap, " %zu-%zu/%zu", l->top + 1, end, l->n);
    if (crt_width(buf) > width) buf[0] = '\0';
    return true;
}

void listview_draw(ListView *l, int y, int height, size_t n, ListRowDraw row, void *ctx)
{
    listview_fit(l, n, height);
    size_t end = listview_end(l);
    for (size_t i = l->top; i < end; i++, y++) row(ctx, i, y, !l->log && i == l->cursor);
}
