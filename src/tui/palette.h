/*
 * palette.h - the colours of classes and runs, as colour numbers, and the
 * colour science that chooses them.  No curses here: crt.c turns a
 * PaletteEntry into a colour pair, and tests/test_palette.c checks that the
 * colours stay apart.
 *
 * On a 256-colour terminal there are PALETTE_N256 hues, picked from the
 * xterm-256 cube: a Tableau-like categorical order (blue, orange, purple,
 * pink, olive, ...) without the hues that mean something else on screen,
 * green (good, best), red (bad, errors) and cyan (titles), completed by
 * farthest-point choice; every one with CIELAB lightness L* between 34
 * and 73 so that it reads on a black and on a white background, no two
 * closer than PALETTE_MIN_DELTA_E (CIE76).  On an 8- or 16-colour terminal
 * there are PALETTE_N8 hues (the ANSI colours less black and white, which
 * are the background and the text, and green and red); past them a class
 * or run also gets a marker, a shape drawn with its points and in its
 * legend, so that no two of the first PALETTE_MAX_MARKERS * PALETTE_N8
 * look the same.  The same goes past PALETTE_N256 classes on a 256-colour
 * terminal.
 *
 * Pure functions; any thread.
 */
#ifndef GRADTOP_TUI_PALETTE_H
#define GRADTOP_TUI_PALETTE_H

#include <stdint.h>

#define PALETTE_N256 12
#define PALETTE_N8 4
#define PALETTE_MAX_MARKERS 6
/* The least CIE76 distance between two of the PALETTE_N256 colours. */
#define PALETTE_MIN_DELTA_E 25.0

/* Colour numbers as curses and the ANSI standard number them. */
enum {
    PALETTE_BLACK,
    PALETTE_RED,
    PALETTE_GREEN,
    PALETTE_YELLOW,
    PALETTE_BLUE,
    PALETTE_MAGENTA,
    PALETTE_CYAN,
    PALETTE_WHITE
};

typedef struct {
    int colour; /* a terminal colour number: 0..7 or 16..255 */
    int marker; /* 0 .. PALETTE_MAX_MARKERS-1: which shape tells it apart */
} PaletteEntry;

/* The k-th class's or run's colour and marker on a terminal with
 * n_colours colours (>= 8; 256 and more use the cube).  k < 0 counts as 0. */
PaletteEntry palette_entry(int k, int n_colours);

/* How many hues palette_entry cycles through at n_colours. */
int palette_hues(int n_colours);

/* The red, green and blue (0..255) of xterm-256 colour c (0..255), as
 * xterm's default palette defines them. */
void palette_xterm_rgb(int c, int rgb[3]);

/* CIELAB (D65) of an sRGB colour (IEC 61966-2-1 linearisation, then the
 * CIE 1976 formulas). */
void palette_lab(const int rgb[3], double lab[3]);

/* CIE76 colour difference between xterm-256 colours a and b: the
 * Euclidean distance of their CIELAB coordinates. */
double palette_delta_e(int a, int b);

/* A shade of cube colour c for a confidence level (0 faint .. n_levels-1
 * the colour itself): the colour scaled towards black, then the nearest
 * cube entry.  For c outside the cube, c itself. */
int palette_shade(int c, int level, int n_levels);

/*
 * The colour scale of a regression map, low values to high: the
 * TensorFlow Playground's orange through a light neutral to blue.  At 256
 * colours and more PALETTE_SCALE_N256 steps from the cube and grey ramp
 * (CIELAB lightness rising from each end to the middle, neighbours at least
 * PALETTE_SCALE_MIN_DELTA_E apart), at fewer PALETTE_SCALE_N8 ANSI colours
 * (magenta, yellow, white, cyan, blue: never red, the colour of errors).
 */
#define PALETTE_SCALE_N256 11
#define PALETTE_SCALE_N8 5
#define PALETTE_SCALE_MIN_DELTA_E 10.0
/* Steps of the scale at n_colours. */
int palette_scale_steps(int n_colours);
/* The colour of step i (0 lowest .. steps-1 highest; clamped). */
int palette_scale_colour(int i, int n_colours);
/* The step of value v on a scale from lo to hi (v outside it: the end
 * step; NaN or lo >= hi: the middle one). */
int palette_scale_step(double v, double lo, double hi, int steps);

/* Gives n items distinct slots in 0..n_slots-1 where it can: item i takes
 * pref[i] % n_slots if that is free, else the next free one, in order;
 * once every slot is taken they start over.  So the colours of a few runs
 * charted together never repeat while there are enough of them, and a
 * run keeps its hash's colour unless another claimed it first. */
void palette_assign(const uint32_t *pref, int n, int n_slots, int *slot);

#endif
