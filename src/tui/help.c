/*
 * help.c - the help overlays: every key of a key table with its sentence,
 * and a paragraph on how to read the screen, wrapped to the terminal and
 * scrolled when it does not fit.  UI thread only.  See keys.h.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "chartview.h"
#include "crt.h"
#include "keys.h"

/* How to read the screen, as it is drawn now: the curves' colours, or
 * without colour (NO_COLOR, a monochrome terminal) their shapes. */
static void legend_text(char *buf, size_t cap)
{
    char tr[24], va[24], curves[160], marks[240];
    chartview_sample(ROLE_TRAIN, tr, sizeof tr);
    chartview_sample(ROLE_VAL, va, sizeof va);
    if (crt_colors() > 0)
        snprintf(curves, sizeof curves, "training in cyan and validation in magenta");
    else
        snprintf(curves, sizeof curves, "training a solid line (%s) and validation dotted (%s)", tr,
                 va);
    /* as build_markers (dashboard.c) draws them */
    snprintf(marks, sizeof marks,
             "%s the best epoch, %s a hyperparameter change (the schedule's too), %s a pause, %s "
             "a divergence (%s)",
             crt_glyph(GLYPH_BEST), crt_glyph(GLYPH_CHANGE), crt_glyph(GLYPH_PAUSE),
             crt_glyph(GLYPH_CHANGE), crt_colors() > 0 ? "in red" : "the change's mark");
    snprintf(buf, cap,
             "Charts: %s, smoothed; the raw curves are drawn faint behind.  Marks on the x axis: "
             "%s.  Status words: RUNNING, PAUSED, EARLY "
             "STOPPED (by patience or by s), DIVERGED, DONE.  Earlier runs on the same dataset "
             "(from the log directory) are drawn dim behind; b hides them.  In the epochs view "
             "up, down, pgup, pgdn and home scroll back through the epochs, and end follows the "
             "newest again.  The boundary and "
             "confusion views give each class %s; a regression's map runs from %s, as its "
             "legend says.",
             curves, marks,
             crt_colors() > 0 ? "its colour, and a shape of its own too when there are more "
                                "classes than colours"
                              : "a digit or letter of its own, reversed for training points "
                                "and underlined for validation points",
             crt_colors() >= 256 ? "orange (low) through white to blue (high)"
             : crt_colors() > 0  ? "magenta and yellow (low) through white to cyan and blue (high)"
                                 : "light characters (low) to dense ones (high)");
}

/* Rows the content takes at text width tw (keys) and lw (legend). */
static int content_rows(const HelpRow *keys, int n, const char *text, int tw, int lw)
{
    int rows = 0;
    for (int i = 0; i < n; i++) rows += crt_wrap_part(NULL, 0, 0, tw, 0, INT_MAX, keys[i].text);
    if (text && *text) rows += 1 + crt_wrap_part(NULL, 0, 0, lw, 0, INT_MAX, text);
    return rows;
}

void help_box(WINDOW *w, int rows, int cols, const char *title, const HelpRow *keys, int n,
              const char *text, int *scroll)
{
    int kw = 0; /* the key column */
    for (int i = 0; i < n; i++)
        if (crt_width(keys[i].key) > kw) kw = crt_width(keys[i].key);
    kw += 2;
    /* wide enough for the longest sentence, as the terminal allows */
    int bw = 76;
    for (int i = 0; i < n; i++) {
        int need = crt_width(keys[i].text) + kw + 5;
        if (need > bw) bw = need;
    }
    if (bw > cols - 2) bw = cols - 2;
    int tw = bw - kw - 5, lw = bw - 5;
    if (tw < 8 || rows < 7) return;
    int total = content_rows(keys, n, text, tw, lw);
    int h = total + 3;
    if (h > rows - 2) h = rows - 2;
    int visible = h - 3;
    int max_scroll = total - visible > 0 ? total - visible : 0;
    if (*scroll > max_scroll) *scroll = max_scroll;
    if (*scroll < 0) *scroll = 0;
    int top = (rows - h) / 2, left = (cols - bw) / 2;
    crt_box(w, top, left, h, bw, title, ROLE_TITLE);

    /* content row r (from 0) goes to screen row top + 2 + r - *scroll */
    int r = 0, first = *scroll, last = *scroll + visible;
    for (int i = 0; i < n && r < last; i++) {
        int need = crt_wrap_part(NULL, 0, 0, tw, 0, INT_MAX, keys[i].text);
        if (r + need > first) {
            int skip = first > r ? first - r : 0;
            int y = top + 2 + r + skip - first;
            if (!skip) {
                crt_set(w, ROLE_KEY);
                crt_puts(w, y, left + 3, kw, keys[i].key);
            }
            crt_set(w, ROLE_NORMAL);
            crt_wrap_part(w, y, left + 3 + kw, tw, skip, last - (r + skip), keys[i].text);
        }
        r += need;
    }
    if (text && *text && r + 1 < last) {
        r++; /* the blank row */
        int skip = first > r ? first - r : 0;
        crt_set(w, ROLE_DIM);
        crt_wrap_part(w, top + 2 + r + skip - first, left + 3, lw, skip, last - (r + skip), text);
    }
    if (max_scroll > 0) {
        char m[64];
        snprintf(m, sizeof m, " %s ",
                 *scroll == 0           ? "more below: down, pgdn"
                 : *scroll < max_scroll ? "more above and below: up, down, pgup, pgdn"
                                        : "more above: up, pgup");
        crt_set(w, ROLE_TITLE);
        crt_puts(w, top + h - 1, left + 2, bw - 4, m);
    }
    crt_set(w, ROLE_NORMAL);
}

bool help_scroll_key(int ch, int *scroll, int page)
{
    if (page < 1) page = 1;
    switch (ch) {
    case KEY_UP: *scroll -= 1; break;
    case KEY_DOWN: *scroll += 1; break;
    case KEY_PPAGE: *scroll -= page; break;
    case KEY_NPAGE: *scroll += page; break;
    case KEY_HOME: *scroll = 0; break;
    case KEY_END: *scroll = INT_MAX / 2; break;
    default: return false;
    }
    if (*scroll < 0) *scroll = 0;
    return true;
}

void help_draw(WINDOW *w, int rows, int cols, int *scroll)
{
    HelpRow hr[64];
    int n = 0;
    /* the keys the dashboard takes here (a sweep trial's has no restart,
     * setup or network edits, and its q goes back to the sweep) */
    for (int i = 0; i < key_count && n < 64; i++) {
        const KeyBinding *k = &key_table[i];
        if (keys_not_taken(k->action)) continue;
        const char *q = k->action == ACTION_QUIT ? keys_quit_help() : NULL;
        hr[n++] = (HelpRow){k->label, q ? q : k->help};
    }
    for (int i = 0; i < net_key_count && n < 64; i++)
        if (!keys_not_taken(net_key_table[i].action))
            hr[n++] = (HelpRow){net_key_table[i].label, net_key_table[i].help};
    char legend[1536];
    legend_text(legend, sizeof legend);
    help_box(w, rows, cols, "gradtop keys", hr, n, legend, scroll);
}
