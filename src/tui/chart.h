/*
 * chart.h - the pure mathematics behind the dashboard's charts: axis scaling
 * (linear and logarithmic), "nice" tick values and their labels, TensorBoard's
 * debiased exponential smoothing, downsampling, and a dot canvas whose cells
 * turn into braille characters (2x4 dots per cell) or ASCII glyphs.
 *
 * Nothing here includes curses or draws: chartview.c turns the cells this
 * module computes into characters on the screen, and tests/test_chart.c pins
 * the numbers down.  Functions are reentrant; a ChartCanvas belongs to the
 * caller (in gradtop, the UI thread).
 */
#ifndef GRADTOP_TUI_CHART_H
#define GRADTOP_TUI_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- smoothing -------------------------------------------------------- */

/*
 * TensorBoard's scalar smoothing (tensorboard/components/vz_line_chart2/
 * line-chart.ts, resmoothDataset): an exponential moving average started at
 * 0 and debiased like Adam's moments,
 *     last = last * w + (1 - w) * v,   out = last / (1 - w^k)
 * where k counts the finite values seen so far.  Non-finite inputs are copied
 * through unchanged and do not advance the average.  w is clamped to [0, 1);
 * w = 0 copies the input.  in and out may be the same array.
 */
void chart_smooth(const double *in, double *out, size_t n, double weight);

/* chart_smooth over two independent parts of the points (xs[i], in[i]), xs
 * ascending: those at x <= x_from and those after, so that the average
 * after a recovery from divergence starts afresh instead of carrying the
 * diverging steps' losses into it for hundreds of points (see
 * chart_autoscale_from).  x_from -INFINITY smooths everything as one. */
void chart_smooth_from(const double *xs, const double *in, double *out, size_t n, double weight,
                       double x_from);

/* ---- axes ------------------------------------------------------------- */

/* One axis: the value range shown and whether it is logarithmic. */
typedef struct {
    double lo, hi; /* lo < hi; both > 0 when log */
    bool log;
} ChartAxis;

/*
 * Fits an axis to the finite values of ys (and, for a log axis, only the
 * positive ones), padded a little and widened to nice tick boundaries when
 * that costs less than a fifth of the range.  Flat data gets a range around
 * the value; no usable data gives [0, 1] (or [0.1, 1] for log).  Returns the
 * number of values that were usable.
 */
size_t chart_autoscale(const double *ys, size_t n, bool log, ChartAxis *axis);

/* The k-th smallest of v[0..n) (0-based, k < n, n > 0, no NaN),
 * partially reordering v (Hoare's selection, middle pivot). */
double chart_select_kth(double *v, size_t n, size_t k);

/* A resumed run's values beyond this factor times the median of the
 * points that set the range do not set a linear axis's range
 * (chart_autoscale_from). */
#define CHART_OUTLIER_FACTOR 1000.0

/* How far a series' points are trusted to set a y range
 * (chart_autoscale_from).  All zero, a series of a run that never
 * diverged: every point. */
typedef struct {
    /* its run diverged (and waits, or ended so) */
    bool blew_up;
    /* training resumed after a divergence: only its points with x > from
     * set the range */
    bool resumed;
    double from;
    /* > 0: a series drawn for context (an earlier run behind the current
     * one), which sets a linear range only up to reach times the highest
     * value of the series that never diverged */
    double reach;
} ChartTrust;

/*
 * Fits axis as chart_autoscale does to the points of n_series series,
 * series k being (xs[k][i], ys[k][i]) for i < ns[k], with trust[k] (trust
 * NULL: every series trusted whole) saying which of them describe weights
 * that blew up:
 *   - a resumed series sets the range only with its points after from, and
 *     on a linear axis, of those, only with values up to
 *     CHART_OUTLIER_FACTOR times the median of the points that set the
 *     range (every series' together);
 *   - on a linear axis a series that blew up and was not resumed sets it
 *     only with values up to the highest of the series that never
 *     diverged, or without those, up to the factor times the median;
 *   - on a linear axis a context series (reach > 0) sets it only with
 *     values up to reach times that highest (the median's cut without
 *     those);
 *   - when that leaves nothing, every point of every series does.
 * scratch holds the sum of ns.  Returns the number of values the fit used.
 *
 * Why: a diverging loss climbs to 1e37 before it turns NaN, and training
 * resumed from the last finite weights may start from losses nearly as
 * large and take hundreds of steps to come down.  Those points describe
 * weights that blew up; on a linear axis they would own the range and
 * flatten every other curve onto its floor: the recovered run's for the
 * rest of the run, and beside a run left diverged, the curves of the runs
 * that did not diverge (the race's other racers, view's other runs), which
 * the blown-up run, hundreds of times above them long before its NaN,
 * would still flatten at three decades.  A recovered run's own level is
 * the median of its points (once it has run longer than its aftermath);
 * three decades above that is the blow-up, not learning.  Points left out
 * are still drawn, clamped to the top edge, so the spike shows as leaving
 * the chart; the log axis shows them whole.  A run that never diverged
 * keeps the plain fit: its early losses, however far above the rest, are
 * the curve.  For a run that resumed, the caller passes the recovery's x
 * plus one bucket of the step series, since the bucket that holds the
 * recovery may average in losses from before it.
 */
size_t chart_autoscale_from(const double *const *xs, const double *const *ys, const size_t *ns,
                            const ChartTrust *trust, int n_series, bool log, double *scratch,
                            ChartAxis *axis);

/*
 * Maps v onto n_dots dots, dot 0 at axis->lo and n_dots - 1 at axis->hi,
 * rounding to the nearest dot.  Returns -1 for a value that cannot be drawn
 * (non-finite, or <= 0 on a log axis); values outside the range are clamped
 * to the ends only if clamp is true, else -1.
 */
int chart_map(const ChartAxis *axis, double v, int n_dots, bool clamp);

/* The inverse of chart_map's continuous part: the value at fraction t in
 * [0, 1] of the axis. */
double chart_unmap(const ChartAxis *axis, double t);

/* The "nice" step (1, 2 or 5 times a power of ten) for about max_ticks ticks
 * over range > 0 (Heckbert, "Nice numbers for graph labels", Graphics Gems). */
double chart_nice_step(double range, int max_ticks);

/*
 * Tick values inside [axis->lo, axis->hi], ascending, at most cap of them and
 * about max_ticks: multiples of the nice step on a linear axis; powers of ten
 * (with 2 and 5 between them when the range spans few decades, or every k-th
 * power when it spans many) on a log axis.  Returns how many were written.
 */
int chart_ticks(const ChartAxis *axis, int max_ticks, double *ticks, int cap);

/*
 * Formats a tick or reading compactly into at most width characters (width
 * <= 15): "0", "0.25", "1.5", "120", "1e-5", "2.5k"; a value whose full
 * form is too wide in the exponent form ("5e-4" for 0.0005 in 5), rounded
 * to fewer digits as it must, never cut.  Only a value no form fits (below
 * 1e-9 and negative in 5) comes out wider.  step is the tick step (to pick
 * the decimals) or 0 for a free-standing value.
 */
void chart_format(double v, double step, int width, char *buf, size_t cap);

/*
 * Lays out an x axis's label row, columns [lo, hi): n tick labels, label i
 * w[i] columns wide, centred under its tick at column col[i] (ascending)
 * and moved in only as far as it must to stay whole in the row, and the
 * axis's title, title_w columns (0: none), at the row's end.  The title
 * goes first: it shows whenever it fits in the row, since without it the
 * reader cannot tell what the axis counts.  A label shows only with a
 * blank column between it and the labels beside it, and two between it
 * and the title; of the labels clear of the title, every k-th from the
 * first shows, k the smallest for which those keep apart, so that the
 * labels shown stay evenly spaced.  start[i] gets label i's first column,
 * or -1 when it gives way (its tick mark stays).  Returns the title's
 * first column, or -1 when there is no title or it does not fit.
 */
int chart_label_row(const int *col, const int *w, int n, int lo, int hi, int title_w, int *start);
/* keep for chart_label_row_keeping: every label that shows without the
 * title */
#define CHART_KEEP_ALL (-1)
/*
 * As chart_label_row, but the title shows only where it leaves the labels
 * readable, for an axis that its chart names elsewhere (a scatter's
 * parameter, named in its title): beside it show at least keep labels (or
 * all that show without it, when fewer), or with keep CHART_KEEP_ALL every
 * label that shows without it (a choice's labels are its values: none can
 * be inferred from the others).  Else the labels have the row, as with no
 * title, and the result is -1.  n is at most 64.
 */
int chart_label_row_keeping(const int *col, const int *w, int n, int lo, int hi, int title_w,
                            int keep, int *start);

/*
 * A figure of a column with decimals places ("0.0963"), when that form
 * fits width and shows at least two significant digits (or the value is
 * 0); else chart_format's compact form: a loss of 2.1e-05 is not
 * "0.0000", nor 12345.678 wider than its column.
 */
void chart_format_fixed(double v, int decimals, int width, char *buf, size_t cap);

/*
 * A share in [0, 1] as a percentage: whole ("84%") unless that would say
 * 0% or 100% of a share that is neither, then one decimal ("0.3%",
 * "99.7%"), or closer still "<0.1%" and "99.9%" (short of all); "-" for
 * NaN.  At most 5 characters.
 */
void chart_percent(double share, char *buf, size_t cap);

/* ---- downsampling ----------------------------------------------------- */

/*
 * Buckets points (xs[i], ys[i]) with xs ascending into n_buckets equal
 * intervals of [x_lo, x_hi]: for each bucket the min, max and mean of its
 * finite y values, and count (0 for an empty bucket, whose min/max/mean are
 * NaN).  Points outside [x_lo, x_hi] are ignored; x_hi belongs to the last
 * bucket.  Any of the output arrays may be NULL.
 */
void chart_downsample(const double *xs, const double *ys, size_t n, double x_lo, double x_hi,
                      int n_buckets, double *mins, double *maxs, double *means, int *counts);

/* ---- the dot canvas --------------------------------------------------- */

/* Dots per cell: braille has 2 columns and 4 rows; the ASCII fallback 1x3. */
typedef enum { CHART_DOTS_BRAILLE, CHART_DOTS_ASCII } ChartDots;

typedef struct {
    int cols, rows; /* cells */
    int dx, dy;     /* dots per cell */
    ChartDots dots;
    uint8_t *cells; /* (rows, cols): one bit per dot of the cell */
} ChartCanvas;

/* The bit of dot (col, row) of a braille cell, row 0 at the top, as Unicode
 * numbers the dots: (0,0)=0x01 (0,1)=0x02 (0,2)=0x04 (1,0)=0x08 (1,1)=0x10
 * (1,2)=0x20 (0,3)=0x40 (1,3)=0x80. */
uint8_t chart_braille_bit(int col, int row);
/* The code point for a braille cell's bits: U+2800 + bits. */
uint32_t chart_braille_char(uint8_t bits);
/* An ASCII glyph for a 1x3 cell's bits (bit 0 top, 1 middle, 2 bottom):
 * ' ' none, '\'' top, '-' middle, '.' bottom, ':' two apart, '|' adjacent
 * or all. */
char chart_ascii_char(uint8_t bits);

/*
 * How a series is drawn when colour cannot tell it from another (NO_COLOR):
 * solid, every dot; dotted, one column of dots in every other cell (a
 * braille cell's right column moved to its left when only it has dots), so
 * the line reads as a row of separate dots; dashed, two cells drawn whole
 * and two left out; sparse, one column of dots in every fourth cell.
 * chart_pattern_bits returns the bits of cell col to draw.  A dotted or
 * sparse ASCII cell is drawn with chart_ascii_dotted_char, whose glyphs
 * ('`' top, '+' middle, ',' bottom, '*' several) are none of
 * chart_ascii_char's.
 */
typedef enum {
    CHART_PATTERN_SOLID,
    CHART_PATTERN_DOTTED,
    CHART_PATTERN_DASHED,
    CHART_PATTERN_SPARSE
} ChartPattern;
/* Whether the pattern's cells are drawn as separate dots (ASCII: with
 * chart_ascii_dotted_char). */
bool chart_pattern_dotted(ChartPattern p);
uint8_t chart_pattern_bits(ChartPattern p, ChartDots dots, int col, uint8_t bits);
char chart_ascii_dotted_char(uint8_t bits);

/* Sets up canvas over caller-provided storage of cols * rows bytes. */
void chart_canvas_init(ChartCanvas *c, ChartDots dots, int cols, int rows, uint8_t *storage);
void chart_canvas_clear(ChartCanvas *c);
int chart_canvas_width(const ChartCanvas *c);  /* dots across */
int chart_canvas_height(const ChartCanvas *c); /* dots down */
/* Sets dot (x, y), x from the left, y from the BOTTOM; off-canvas dots are
 * ignored. */
void chart_canvas_set(ChartCanvas *c, int x, int y);
bool chart_canvas_get(const ChartCanvas *c, int x, int y);
/* A straight line of dots between two dots (Bresenham), both ends included. */
void chart_canvas_line(ChartCanvas *c, int x0, int y0, int x1, int y1);
/* The bits of cell (col, row), row 0 at the top. */
uint8_t chart_canvas_cell(const ChartCanvas *c, int col, int row);

/*
 * Plots a polyline of the points (xs[i], ys[i]), xs ascending, scaled by the
 * two axes.  Non-drawable points (see chart_map) break the line.  When there
 * are more points than dot columns, each column gets the min-max span of its
 * points so that spikes stay visible.  Values beyond the y range are clamped
 * to the edge.
 */
void chart_canvas_plot(ChartCanvas *c, const ChartAxis *x_axis, const ChartAxis *y_axis,
                       const double *xs, const double *ys, size_t n);
/* A dot for each point (xs[i], ys[i]), in any order, unjoined; points
 * outside either axis's range or not drawable are left out. */
void chart_canvas_scatter(ChartCanvas *c, const ChartAxis *x_axis, const ChartAxis *y_axis,
                          const double *xs, const double *ys, size_t n);

#endif
