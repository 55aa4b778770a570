/*
 * help.c - the help overlay: every key of the key table with its sentence,
 * and how to read the charts.  UI thread only.  See keys.h.
 */
#include <stdio.h>
#include <string.h>

#include "crt.h"
#include "keys.h"

static const char *const legend[] = {
    "Charts: training (cyan) and validation (magenta), smoothed; the raw",
    "curves are drawn faint behind.  Marks on the x axis: best epoch,",
    "hyperparameter changes, pauses.  Status words: RUNNING, PAUSED,",
    "EARLY STOPPED, DIVERGED, DONE, STOPPED.  Earlier runs on the same",
    "dataset (from the log directory) are drawn dim behind; b hides them.",
};

void help_draw(WINDOW *w, int rows, int cols)
{
    int n_legend = (int)(sizeof legend / sizeof legend[0]);
    int h = key_count + n_legend + 5;
    /* wide enough for the longest sentence, as the terminal allows */
    int bw = 76;
    for (int i = 0; i < key_count; i++) {
        int need = crt_width(key_table[i].help) + 12;
        if (need > bw) bw = need;
    }
    if (bw > cols - 2) bw = cols - 2;
    if (h > rows - 2) h = rows - 2;
    if (bw < 20 || h < 5) return;
    int top = (rows - h) / 2, left = (cols - bw) / 2;
    crt_box(w, top, left, h, bw, "gradtop keys", ROLE_TITLE);
    int y = top + 2;
    for (int i = 0; i < key_count && y < top + h - 1; i++, y++) {
        crt_set(w, ROLE_KEY);
        char k[16];
        snprintf(k, sizeof k, " %-5s", key_table[i].label);
        crt_puts(w, y, left + 2, 7, k);
        crt_set(w, ROLE_NORMAL);
        crt_puts(w, y, left + 10, bw - 12, key_table[i].help);
    }
    y++;
    crt_set(w, ROLE_DIM);
    for (int i = 0; i < n_legend && y < top + h - 1; i++, y++)
        crt_puts(w, y, left + 2, bw - 4, legend[i]);
    crt_set(w, ROLE_NORMAL);
}
