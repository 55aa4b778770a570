/*
 * palette.c - class and run colours.  See palette.h.
 */
#include "palette.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

/* Chosen with palette_delta_e: the least distance among them is 29.2.
 * None has the hue of a role's colour that means something else: green
 * (good, best), red (bad, errors) or cyan (titles); their CIELAB hue
 * angles are 136, 40 and 196 degrees, and every hue here is at least 20
 * degrees from each. */
static const int hues256[PALETTE_N256] = {
    33,  /* blue        (0,135,255)   h 282 */
    208, /* orange      (255,135,0)   h 62 */
    135, /* purple      (175,95,255)  h 312 */
    205, /* pink        (255,95,175)  h 351 */
    143, /* olive       (175,175,95)  h 106 */
    31,  /* steel blue  (0,135,175)   h 242 */
    130, /* brown       (175,95,0)    h 64 */
    57,  /* violet      (95,0,255)    h 309 */
    178, /* gold        (215,175,0)   h 89 */
    200, /* magenta     (255,0,215)   h 336 */
    175, /* mauve       (215,135,175) h 347 */
    97,  /* dusky purple (135,95,175) h 311 */
};

/* Green and red are good and bad: of the six ANSI hues, four are left. */
static const int hues8[PALETTE_N8] = {PALETTE_BLUE, PALETTE_YELLOW, PALETTE_MAGENTA, PALETTE_CYAN};

int palette_hues(int n_colours)
{
    return n_colours >= 256 ? PALETTE_N256 : PALETTE_N8;
}

PaletteEntry palette_entry(int k, int n_colours)
{
    if (k < 0) k = 0;
    int n = palette_hues(n_colours);
    const int *hues = n_colours >= 256 ? hues256 : hues8;
    return (PaletteEntry){hues[k % n], (k / n) % PALETTE_MAX_MARKERS};
}

/* The six levels of each channel of the 6x6x6 cube (xterm's 256colres.pl). */
static const int cube_level[6] = {0, 95, 135, 175, 215, 255};

void palette_xterm_rgb(int c, int rgb[3])
{
    /* xterm's sixteen ANSI colours (its default resources) */
    static const int ansi[16][3] = {
        {0, 0, 0},       {205, 0, 0},   {0, 205, 0},   {205, 205, 0},
        {0, 0, 238},     {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
        {127, 127, 127}, {255, 0, 0},   {0, 255, 0},   {255, 255, 0},
        {92, 92, 255},   {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
    };
    if (c < 0) c = 0;
    if (c > 255) c = 255;
    if (c < 16) {
        for (int i = 0; i < 3; i++) rgb[i] = ansi[c][i];
    } else if (c < 232) {
        int i = c - 16;
        rgb[0] = cube_level[i / 36];
        rgb[1] = cube_level[i / 6 % 6];
        rgb[2] = cube_level[i % 6];
    } else {
        rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
    }
}

static double srgb_linear(int v)
{
    double c = v / 255.0;
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

/* CIE 1976 f(t), with the exact constants (CIE 15:2004, 8.2.1). */
static double lab_f(double t)
{
    const double eps = 216.0 / 24389.0, kappa = 24389.0 / 27.0;
    return t > eps ? cbrt(t) : (kappa * t + 16) / 116;
}

void palette_lab(const int rgb[3], double lab[3])
{
    double r = srgb_linear(rgb[0]), g = srgb_linear(rgb[1]), b = srgb_linear(rgb[2]);
    /* sRGB to XYZ (IEC 61966-2-1), relative to the D65 white */
    double x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    double y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    double z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    double fx = lab_f(x), fy = lab_f(y), fz = lab_f(z);
    lab[0] = 116 * fy - 16;
    lab[1] = 500 * (fx - fy);
    lab[2] = 200 * (fy - fz);
}

double palette_delta_e(int a, int b)
{
    int ra[3], rb[3];
    double la[3], lb[3];
    palette_xterm_rgb(a, ra);
    palette_xterm_rgb(b, rb);
    palette_lab(ra, la);
    palette_lab(rb, lb);
    return sqrt((la[0] - lb[0]) * (la[0] - lb[0]) + (la[1] - lb[1]) * (la[1] - lb[1]) +
                (la[2] - lb[2]) * (la[2] - lb[2]));
}

static int nearest_level(double v)
{
    int best = 0;
    for (int i = 1; i < 6; i++)
        if (fabs(cube_level[i] - v) < fabs(cube_level[best] - v)) best = i;
    return best;
}

int palette_shade(int c, int level, int n_levels)
{
    if (c < 16 || c > 255 || n_levels < 1) return c;
    if (level < 0) level = 0;
    if (level >= n_levels - 1) return c;
    /* from 30 % of the colour at the faintest level to all of it */
    double t = 0.3 + 0.7 * level / (n_levels - 1);
    int rgb[3];
    palette_xterm_rgb(c, rgb);
    return 16 + 36 * nearest_level(rgb[0] * t) + 6 * nearest_level(rgb[1] * t) +
           nearest_level(rgb[2] * t);
}

int palette_scale_steps(int n_colours)
{
    return n_colours >= 256 ? PALETTE_SCALE_N256 : PALETTE_SCALE_N8;
}

int palette_scale_colour(int i, int n_colours)
{
    static const int c256[PALETTE_SCALE_N256] = {130, 166, 208, 215, 223, 254,
                                                 153, 117, 75,  33,  26};
    /* no red: the lowest values are not bad ones; magenta to yellow is
     * the warm end, lightness rising to white and falling to blue */
    static const int c8[PALETTE_SCALE_N8] = {PALETTE_MAGENTA, PALETTE_YELLOW, PALETTE_WHITE,
                                             PALETTE_CYAN, PALETTE_BLUE};
    int n = palette_scale_steps(n_colours);
    if (i < 0) i = 0;
    if (i >= n) i = n - 1;
    return n_colours >= 256 ? c256[i] : c8[i];
}

int palette_scale_step(double v, double lo, double hi, int steps)
{
    if (steps < 1) return 0;
    if (!(hi > lo) || isnan(v)) return steps / 2;
    double t = (v - lo) / (hi - lo);
    int i = (int)floor(t * steps);
    return i < 0 ? 0 : i >= steps ? steps - 1 : i;
}

void palette_assign(const uint32_t *pref, int n, int n_slots, int *slot)
{
    if (n_slots > 256) n_slots = 256;
    if (n_slots <= 0) n_slots = 1;
    bool taken[256] = {false};
    int used = 0;
    for (int i = 0; i < n; i++) {
        if (used == n_slots) {
            memset(taken, 0, sizeof taken);
            used = 0;
        }
        int s = (int)(pref[i] % (uint32_t)n_slots);
        while (taken[s]) s = (s + 1) % n_slots;
        taken[s] = true;
        used++;
        slot[i] = s;
    }
}
