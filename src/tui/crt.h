/*
 * crt.h - the terminal: curses start and end, colour roles, glyph sets, and
 * the signals that must never leave the terminal broken.
 *
 * crt_init() puts the terminal in curses mode; crt_done() gives it back and
 * is safe to call twice.  Between them, stderr goes to a temporary file that
 * crt_done() replays, so that a stray message (from a library, say) cannot
 * scribble over the screen and is not lost.  SIGINT, SIGTERM, SIGHUP and
 * SIGQUIT (ctrl-\) are turned into bytes on a pipe (crt_signal_fd) that the UI loop polls, so the
 * loop shuts down cleanly; fatal signals (SIGSEGV, SIGABRT, SIGBUS, SIGFPE,
 * SIGILL) restore the terminal with async-signal-safe writes and re-raise.
 *
 * Only the UI thread calls these functions (the signal handlers excepted).
 * Like htop's CRT.c, this is the one place that knows about the terminal.
 */
#ifndef GRADTOP_TUI_CRT_H
#define GRADTOP_TUI_CRT_H

#include <stdbool.h>

#include <curses.h>

/* What a piece of text means; crt_attr() turns it into colour + attributes
 * that also read on a monochrome terminal. */
typedef enum {
    ROLE_NORMAL,
    ROLE_DIM,       /* secondary text, frames */
    ROLE_TITLE,     /* panel titles */
    ROLE_TRAIN,     /* the training curve */
    ROLE_TRAIN_RAW, /* the unsmoothed training curve, drawn faint */
    ROLE_VAL,       /* the validation curve */
    ROLE_VAL_RAW,
    ROLE_GOOD,    /* improving, best, DONE */
    ROLE_BAD,     /* diverged, errors */
    ROLE_WARN,    /* paused, patience running out */
    ROLE_MARKER,  /* hyperparameter-change and pause markers */
    ROLE_KEY,     /* a key in the key bar */
    ROLE_KEYTEXT, /* its label */
    ROLE_HEADER,  /* the top line */
    ROLE_FIELD,   /* an editable value */
    ROLE_FOCUS,   /* the focused field */
    ROLE_POS,     /* a positive weight or bias: blue, as the Playground */
    ROLE_NEG,     /* a negative one: orange on 256 colours, else the default */
    ROLE_COUNT
} CrtRole;

/* Glyphs with a UTF-8 form and an ASCII fallback. */
typedef enum {
    GLYPH_HLINE,
    GLYPH_VLINE,
    GLYPH_TL,
    GLYPH_TR,
    GLYPH_BL,
    GLYPH_BR,
    GLYPH_TICK_LEFT, /* a tick on the y axis, pointing at the plot */
    GLYPH_TICK_DOWN, /* a tick on the x axis */
    GLYPH_ORIGIN,    /* the corner where the axes meet */
    GLYPH_ARROW,     /* -> */
    GLYPH_DOT,       /* a middle dot separator */
    GLYPH_BEST,      /* the best-epoch marker */
    GLYPH_CHANGE,    /* a hyperparameter change marker */
    GLYPH_PAUSE,     /* a pause marker */
    GLYPH_VMARK,     /* the faint vertical line through a marker */
    GLYPH_BAR_FULL,  /* a full bar cell */
    GLYPH_BAR_HALF,  /* a half bar cell */
    GLYPH_ELLIPSIS,  /* one column saying text was cut */
    GLYPH_OFF_UP,    /* a point above a chart's range, on its top edge */
    GLYPH_OFF_DOWN,  /* a point below a chart's range, on its bottom edge */
    GLYPH_COUNT
} CrtGlyph;

/* Whether stdin and stdout are a terminal; false with a message in why. */
bool crt_have_terminal(char *why, size_t why_cap);

/* Starts curses.  Returns false (with a message in why) when there is no
 * terminal to draw on; nothing is changed then. */
bool crt_init(char *why, size_t why_cap);
/* Gives the terminal back and replays what was written to stderr meanwhile.
 * Safe to call when crt_init was not called or crt_done already was. */
void crt_done(void);

/* Whether the locale is UTF-8 (braille and box drawing) or not (ASCII). */
bool crt_utf8(void);
attr_t crt_attr(CrtRole role);
const char *crt_glyph(CrtGlyph g);

/* The read end of the signal pipe: readable when SIGINT, SIGTERM, SIGHUP or
 * SIGQUIT arrived.  crt_take_signal() drains it and returns the signal number, or 0. */
int crt_signal_fd(void);
int crt_take_signal(void);

/* The next key, as getch(), or ERR; KEY_RESIZE too when the tty's size is
 * not the one curses draws at, even if no SIGWINCH said so (one that comes
 * while curses starts is lost). */
int crt_getch(void);

/* Installs the signal handlers (called by crt_init; exposed so that the
 * pipe exists before curses starts, e.g. while loading a dataset). */
void crt_signals_install(void);

/* Colours the terminal has for free use (0 without colour). */
int crt_colors(void);
/* A colour pair for fg on bg (colour numbers, -1 the default), created on
 * first use; 0 (the default pair) when the terminal has run out of pairs.
 * Set it with wattr_set, which takes pair numbers above 255. */
short crt_pair(short fg, short bg);

/* Class or run k's colour (palette.h) as attributes for text drawn in it:
 * a colour pair, or A_BOLD without colour.  crt_palette_colour is the bare
 * colour number (-1 without colour), for pairs with a background. */
attr_t crt_palette_attr(int k);
short crt_palette_colour(int k);
/* Whether class or run k needs its marker to be told apart among n: the
 * palette has fewer hues than n, or the terminal has no colour. */
bool crt_palette_marked(int n);
/* Class or run k's marker: a filled or hollow shape (UTF-8) or a letter. */
const char *crt_palette_marker(int k, bool hollow);

/* Sets a window's attributes for a role (wattrset). */
void crt_set(WINDOW *w, CrtRole role);

/* Writes s at (y, x) in at most width columns; returns the columns used.
 * s may be UTF-8.  Text that does not fit is never cut silently: its end
 * gives way to crt_ellipsis() (trailing spaces do not count), unless width
 * is too narrow even for that. */
int crt_puts(WINDOW *w, int y, int x, int width, const char *s);
/* The same, but a text too long loses its start to the ellipsis (for names
 * that differ at the end, such as run directories). */
int crt_puts_tail(WINDOW *w, int y, int x, int width, const char *s);
/* What says text was cut: "\u2026", or "..." when the locale is not UTF-8
 * (GLYPH_ELLIPSIS's ASCII form takes one column but reads as a tilde). */
const char *crt_ellipsis(void);
/* The number of terminal columns s takes (UTF-8 aware). */
int crt_width(const char *s);

/* Clears a rectangle and frames it, with title (may be NULL) in the top
 * edge: the base of every overlay. */
void crt_box(WINDOW *w, int top, int left, int height, int width, const char *title, CrtRole frame);

/* Writes text word-wrapped into width columns from row y, at most max_rows
 * rows; returns the rows used.  When text takes more, the last row ends in
 * crt_ellipsis(). */
int crt_wrap(WINDOW *w, int y, int x, int width, int max_rows, const char *text);
/* The same from its skip-th wrapped row on; w NULL only counts the rows
 * (crt_wrap_part(NULL, 0, 0, width, 0, INT_MAX, text) is how many text takes). */
int crt_wrap_part(WINDOW *w, int y, int x, int width, int skip, int max_rows, const char *text);

#endif
