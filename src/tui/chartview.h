/*
 * chartview.h - the chart widget: a framed plot with a labelled y axis,
 * an x axis with ticks, several series drawn in braille dots (ASCII when the
 * terminal is not UTF-8), and markers on the x axis.
 *
 * The caller prepares the data (chart.c does the maths); this module only
 * turns it into cells.  UI thread only.
 */
#ifndef GRADTOP_TUI_CHARTVIEW_H
#define GRADTOP_TUI_CHARTVIEW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "chart.h"
#include "crt.h"
#include "gradtop/run/trainer.h"

/* Enough for gradtop view's overlay (train and validation of 8 runs) and
 * the sweep screen's curves. */
#define CHARTVIEW_MAX_SERIES 64
#define CHARTVIEW_MAX_TICKS 32

typedef struct {
    const double *x, *y; /* n points, x ascending (but in a scatter) */
    size_t n;
    CrtRole role;
    bool faint; /* drawn only where no solid series has a dot */
} ChartSeries;

typedef struct {
    double x;
    CrtGlyph glyph;
    CrtRole role;
} ChartMarker;

typedef struct {
    const char *title;  /* top-left, e.g. "loss" */
    const char *legend; /* top-right text, may be NULL */
    ChartAxis x_axis;
    ChartAxis y_axis;
    ChartSeries series[CHARTVIEW_MAX_SERIES];
    int n_series;
    /* x ticks: positions on the x axis and their labels */
    double x_ticks[CHARTVIEW_MAX_TICKS];
    char x_labels[CHARTVIEW_MAX_TICKS][12];
    int n_x_ticks;
    /* What the x axis counts, at the right end of the label row: always
     * shown, the tick labels that would touch it give way (their ticks
     * stay; see chart_label_row). */
    const char *x_title;
    /* 0: the x title shows whenever it fits (chart_label_row); else it
     * shows only leaving this many tick labels, or CHART_KEEP_ALL, and
     * gives way to them otherwise (chart_label_row_keeping): for an axis
     * the chart's title names. */
    int x_title_keeps;
    const ChartMarker *markers;
    int n_markers;
    const char *empty_text; /* shown when no series has a point */
    /* Per series: attributes that replace its role's when not 0 (a run's
     * own colour in gradtop view).  Kept here rather than in ChartSeries so
     * that positional ChartSeries initializers stay complete. */
    attr_t attrs[CHARTVIEW_MAX_SERIES];
    /* Per series: its points as unjoined dots, in any x order (a scatter
     * plot), instead of a line.  Without colour every dot is drawn. */
    bool scatter[CHARTVIEW_MAX_SERIES];
    /* Per series (a scatter's): its points beyond the y axis drawn on the
     * edge they pass as an arrow in its attributes (GLYPH_OFF_UP on the
     * top row, GLYPH_OFF_DOWN on the bottom one) rather than left out,
     * but not over a cell where a series has a dot on the chart.  The
     * chart should say so (chartview_off_side). */
    bool off_marks[CHARTVIEW_MAX_SERIES];
    /* Without colour: each series' pattern (the race's racers), or NULL
     * for its role's (validation dotted, the rest solid). */
    const ChartPattern *patterns;
    /* Per series: an ASCII character drawn at the end of its line, in its
     * attributes made bold, or 0 for none: which curve is whose where
     * colour cannot tell (gradtop view's runs without colour).  It takes
     * the cell after the series' last drawn point, or that point's own at
     * the plot's right edge; a label whose cell another label has taken
     * moves to the nearest free row above or below. */
    char end_labels[CHARTVIEW_MAX_SERIES];
    /* The columns left of the y axis for its labels, at least (0: as many
     * as they take): charts stacked one above the other give each the
     * wider one's (chartview_margin), so that an x falls in the same
     * column in both. */
    int min_margin;
} ChartSpec;

/* The columns c's y labels take drawn height rows high (chartview_draw's
 * margin without min_margin). */
int chartview_margin(const ChartSpec *c, int height);

/* How a series of role is drawn, for a legend: a line in its colour, or
 * without colour three cells of its pattern (validation dotted, training
 * solid; see chart_pattern_bits).  UTF-8 when the terminal is. */
void chartview_sample(CrtRole role, char *buf, size_t cap);
/* Pattern p's sample over cells cells (for ChartSpec.patterns' legends:
 * four show a period of each), and its word ("solid", "dotted",
 * "dashed", "sparse"). */
void chartview_pattern_sample(ChartPattern p, int cells, char *buf, size_t cap);
const char *chartview_pattern_word(ChartPattern p);

/* Fits c's y axis to its series (chart_autoscale_from), series k trusted
 * as trust[k] says (trust NULL: every series whole); log, a log axis; unit,
 * values that are fractions (accuracies): a linear axis stays inside
 * [0, 1].  scratch holds the sum of the series' points. */
void chartview_fit_y(ChartSpec *c, const ChartTrust *trust, bool log, bool unit, double *scratch);

/* Whether a point of c's first n series lies above its y axis (a line
 * is drawn on the top edge there, which the chart should then say). */
bool chartview_clipped_above(const ChartSpec *c, int n);

/* Whether a finite point of c's first n series lies below its y axis
 * (on a log axis: at or below zero, or below its low end). */
bool chartview_clipped_below(const ChartSpec *c, int n);

/* What the run of snapshot s went through, for the trust of its series
 * on a chart by step: blew_up once it has diverged; resumed, from one step
 * bucket past where training resumed after its last divergence (the
 * bucket that holds the recovery may average in losses from before it). */
ChartTrust chartview_trust(const TrainerSnapshot *s);

/* A legend's entry for the series of role named name: its sample
 * (chartview_sample) and name, and without colour, when words, the
 * pattern's word that tells it apart: "── train" in colour,
 * "⠒⠒⠒ train (solid)" and "⠂ ⠂ val (dotted)" without. */
void chartview_key(CrtRole role, const char *name, bool words, char *buf, size_t cap);

/* Draws the chart in the rectangle (top, left, height, width) of w. */
void chartview_draw(WINDOW *w, int top, int left, int height, int width, const ChartSpec *c);

#endif
