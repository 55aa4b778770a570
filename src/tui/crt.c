/*
 * crt.c - terminal start/end, colour roles, glyphs and signal handling.
 * See crt.h.
 */
#include "crt.h"
#include "palette.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

static struct {
    bool active;
    bool utf8;
    bool colors;
    attr_t attrs[ROLE_COUNT];
    SCREEN *screen;
    /* the signal pipe: handlers write, the UI loop reads */
    int sig_pipe[2];
    bool signals_installed;
    /* what the fatal-signal handler needs, prepared in advance */
    struct termios saved_termios;
    bool have_termios;
    char restore_seq[256];
    size_t restore_len;
    /* stderr, captured while curses owns the screen */
    int saved_stderr;
    FILE *err_tmp;
} crt = {.sig_pipe = {-1, -1}, .saved_stderr = -1};

/* Read by the fatal-signal handler: a sig_atomic_t is what a handler may
 * safely look at (C11 7.14.1.1); the UI thread is the only writer. */
static volatile sig_atomic_t crt_screen_up;

static const char *const glyph_utf8[GLYPH_COUNT] = {
    [GLYPH_HLINE] = "\u2500",     [GLYPH_VLINE] = "\u2502",     [GLYPH_TL] = "\u250c",
    [GLYPH_TR] = "\u2510",        [GLYPH_BL] = "\u2514",        [GLYPH_BR] = "\u2518",
    [GLYPH_TICK_LEFT] = "\u2524", [GLYPH_TICK_DOWN] = "\u252c", [GLYPH_ORIGIN] = "\u2514",
    [GLYPH_ARROW] = "\u2192",     [GLYPH_DOT] = "\u00b7",       [GLYPH_BEST] = "\u2605",
    [GLYPH_CHANGE] = "\u25b2",    [GLYPH_PAUSE] = "\u2016",     [GLYPH_VMARK] = "\u250a",
    [GLYPH_BAR_FULL] = "\u2588",  [GLYPH_BAR_HALF] = "\u258c",  [GLYPH_ELLIPSIS] = "\u2026",
    [GLYPH_OFF_UP] = "\u2191",    [GLYPH_OFF_DOWN] = "\u2193",
};
static const char *const glyph_ascii[GLYPH_COUNT] = {
    [GLYPH_HLINE] = "-",     [GLYPH_VLINE] = "|",     [GLYPH_TL] = "+",
    [GLYPH_TR] = "+",        [GLYPH_BL] = "+",        [GLYPH_BR] = "+",
    [GLYPH_TICK_LEFT] = "+", [GLYPH_TICK_DOWN] = "+", [GLYPH_ORIGIN] = "+",
    [GLYPH_ARROW] = "->",    [GLYPH_DOT] = "-",       [GLYPH_BEST] = "*",
    [GLYPH_CHANGE] = "^",    [GLYPH_PAUSE] = "|",     [GLYPH_VMARK] = " ",
    [GLYPH_BAR_FULL] = "#",  [GLYPH_BAR_HALF] = "=",  [GLYPH_ELLIPSIS] = "~",
    [GLYPH_OFF_UP] = "^",    [GLYPH_OFF_DOWN] = "v",
};

/* ---- signals ----------------------------------------------------------- */

static void on_quit_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    if (crt.sig_pipe[1] >= 0) {
        ssize_t r = write(crt.sig_pipe[1], &b, 1);
        (void)r;
    }
    errno = saved;
}

/* Async-signal-safe: write(2) and tcsetattr(3) only (signal-safety(7)). */
static void on_fatal_signal(int sig)
{
    if (crt_screen_up) {
        ssize_t r = write(STDOUT_FILENO, crt.restore_seq, crt.restore_len);
        (void)r;
        if (crt.have_termios) tcsetattr(STDIN_FILENO, TCSANOW, &crt.saved_termios);
        crt_screen_up = 0;
    }
    int fd = crt.saved_stderr >= 0 ? crt.saved_stderr : STDERR_FILENO;
    static const char msg[] = "gradtop: fatal signal; terminal restored\n";
    ssize_t r = write(fd, msg, sizeof msg - 1);
    (void)r;
    signal(sig, SIG_DFL);
    raise(sig);
}

void crt_signals_install(void)
{
    if (crt.signals_installed) return;
    if (pipe(crt.sig_pipe) == 0) {
        for (int i = 0; i < 2; i++) {
            fcntl(crt.sig_pipe[i], F_SETFL, fcntl(crt.sig_pipe[i], F_GETFL) | O_NONBLOCK);
            fcntl(crt.sig_pipe[i], F_SETFD, FD_CLOEXEC);
        }
    } else {
        crt.sig_pipe[0] = crt.sig_pipe[1] = -1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_quit_signal;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* ctrl-\ from the keyboard: its default would dump core and leave the
     * terminal in curses' modes; as htop does, it quits cleanly instead */
    sigaction(SIGQUIT, &sa, NULL);
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = SA_RESETHAND;
    static const int fatal[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) sigaction(fatal[i], &sa, NULL);
    crt.signals_installed = true;
}

int crt_signal_fd(void)
{
    return crt.sig_pipe[0];
}

int crt_take_signal(void)
{
    unsigned char b;
    int sig = 0;
    if (crt.sig_pipe[0] < 0) return 0;
    while (read(crt.sig_pipe[0], &b, 1) == 1) sig = b;
    return sig;
}

int crt_getch(void)
{
    /* A SIGWINCH that arrives while newterm runs, after it read the size and
     * before it set its handler, is lost, and curses would draw at the old
     * size until the next resize: the tty is asked.  resizeterm, as for a
     * SIGWINCH, queues the KEY_RESIZE that getch returns and has the next
     * refresh repaint the whole screen. */
    struct winsize ws;
    if (ioctl(fileno(stdout), TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
        (ws.ws_row != LINES || ws.ws_col != COLS))
        resizeterm(ws.ws_row, ws.ws_col);
    return getch();
}

/* ---- attributes ------------------------------------------------------- */

static void roles_setup(void)
{
    attr_t *a = crt.attrs;
    for (int i = 0; i < ROLE_COUNT; i++) a[i] = A_NORMAL;
    /* Monochrome first: every meaning also has an attribute. */
    a[ROLE_DIM] = A_DIM;
    a[ROLE_TITLE] = A_BOLD;
    a[ROLE_TRAIN] = A_NORMAL;
    a[ROLE_TRAIN_RAW] = A_DIM;
    a[ROLE_VAL] = A_BOLD;
    a[ROLE_VAL_RAW] = A_DIM;
    a[ROLE_GOOD] = A_BOLD;
    a[ROLE_BAD] = A_BOLD | A_REVERSE;
    a[ROLE_WARN] = A_BOLD | A_UNDERLINE;
    a[ROLE_MARKER] = A_BOLD;
    a[ROLE_KEY] = A_REVERSE;
    a[ROLE_KEYTEXT] = A_NORMAL;
    a[ROLE_HEADER] = A_REVERSE;
    a[ROLE_FIELD] = A_UNDERLINE;
    a[ROLE_FOCUS] = A_REVERSE;
    if (!crt.colors) return;
    enum {
        P_TRAIN = 1,
        P_VAL,
        P_GOOD,
        P_BAD,
        P_WARN,
        P_MARKER,
        P_KEY,
        P_HEADER,
        P_FIELD,
        P_FOCUS,
        P_TITLE,
        P_POS,
        P_NEG
    };
    init_pair(P_TRAIN, COLOR_CYAN, -1);
    init_pair(P_VAL, COLOR_MAGENTA, -1);
    init_pair(P_GOOD, COLOR_GREEN, -1);
    init_pair(P_BAD, COLOR_RED, -1);
    init_pair(P_WARN, COLOR_YELLOW, -1);
    init_pair(P_MARKER, COLOR_YELLOW, -1);
    init_pair(P_KEY, COLOR_BLACK, COLOR_CYAN);
    init_pair(P_HEADER, COLOR_BLACK, COLOR_CYAN);
    init_pair(P_FIELD, COLOR_CYAN, -1);
    init_pair(P_FOCUS, COLOR_BLACK, COLOR_YELLOW);
    init_pair(P_TITLE, COLOR_CYAN, -1);
    /* A weight's sign in colours of its own, clear of the curves' cyan and
     * magenta and of good, bad and warning: the Playground's blue and
     * orange (33 and 208, the ends' colours of the regression map's scale
     * too, where blue is high and orange low).  8 colours have no orange
     * (nor another free colour): there a negative weight is told by its
     * shape alone, as without colour. */
    init_pair(P_POS, COLORS >= 256 ? 33 : COLOR_BLUE, -1);
    if (COLORS >= 256) init_pair(P_NEG, 208, -1);
    a[ROLE_TITLE] = COLOR_PAIR(P_TITLE) | A_BOLD;
    a[ROLE_TRAIN] = COLOR_PAIR(P_TRAIN) | A_BOLD;
    a[ROLE_TRAIN_RAW] = COLOR_PAIR(P_TRAIN) | A_DIM;
    a[ROLE_VAL] = COLOR_PAIR(P_VAL) | A_BOLD;
    a[ROLE_VAL_RAW] = COLOR_PAIR(P_VAL) | A_DIM;
    a[ROLE_GOOD] = COLOR_PAIR(P_GOOD) | A_BOLD;
    a[ROLE_BAD] = COLOR_PAIR(P_BAD) | A_BOLD;
    a[ROLE_WARN] = COLOR_PAIR(P_WARN) | A_BOLD;
    a[ROLE_MARKER] = COLOR_PAIR(P_MARKER);
    a[ROLE_KEY] = COLOR_PAIR(P_KEY);
    a[ROLE_HEADER] = COLOR_PAIR(P_HEADER);
    a[ROLE_FIELD] = COLOR_PAIR(P_FIELD);
    a[ROLE_FOCUS] = COLOR_PAIR(P_FOCUS);
    a[ROLE_POS] = COLOR_PAIR(P_POS) | A_BOLD;
    a[ROLE_NEG] = COLORS >= 256 ? COLOR_PAIR(P_NEG) | A_BOLD : A_BOLD;
}

/* Pairs made by crt_pair, by (fg + 1, bg + 1); the roles use 1 to 13. */
#define CRT_FIRST_FREE_PAIR 16
static short pair_table[257][257];
static int pair_next = CRT_FIRST_FREE_PAIR;

int crt_colors(void)
{
    return crt.colors ? COLORS : 0;
}

short crt_pair(short fg, short bg)
{
    if (!crt.colors || fg < -1 || bg < -1 || fg > 255 || bg > 255) return 0;
    short *slot = &pair_table[fg + 1][bg + 1];
    if (*slot) return *slot;
    int limit = COLOR_PAIRS < 32767 ? COLOR_PAIRS : 32767;
    if (pair_next >= limit) return 0;
    if (init_pair((short)pair_next, fg, bg) == ERR) return 0;
    *slot = (short)pair_next++;
    return *slot;
}

short crt_palette_colour(int k)
{
    if (!crt.colors) return -1;
    return (short)palette_entry(k, COLORS).colour;
}

attr_t crt_palette_attr(int k)
{
    if (!crt.colors) return A_BOLD;
    short pair = crt_pair(crt_palette_colour(k), -1);
    return pair > 0 && pair < 256 ? (attr_t)COLOR_PAIR(pair) : A_BOLD;
}

bool crt_palette_marked(int n)
{
    return !crt.colors || n > palette_hues(COLORS);
}

const char *crt_palette_marker(int k, bool hollow)
{
    static const char *const filled[PALETTE_MAX_MARKERS] = {"\u25cf", "\u25a0", "\u25b2",
                                                            "\u25c6", "\u25bc", "\u2605"};
    static const char *const open[PALETTE_MAX_MARKERS] = {"\u25cb", "\u25a1", "\u25b3",
                                                          "\u25c7", "\u25bd", "\u2606"};
    static const char *const ascii[PALETTE_MAX_MARKERS] = {"o", "#", "^", "*", "v", "+"};
    /* without colour every class needs its own shape: the marker then
     * counts the classes themselves */
    int m = crt.colors ? palette_entry(k, COLORS).marker : (k < 0 ? 0 : k) % PALETTE_MAX_MARKERS;
    if (!crt.utf8) return ascii[m];
    return hollow ? open[m] : filled[m];
}

attr_t crt_attr(CrtRole role)
{
    return role >= 0 && role < ROLE_COUNT ? crt.attrs[role] : A_NORMAL;
}

void crt_set(WINDOW *w, CrtRole role)
{
    wattrset(w, crt_attr(role));
}

const char *crt_glyph(CrtGlyph g)
{
    return crt.utf8 ? glyph_utf8[g] : glyph_ascii[g];
}

bool crt_utf8(void)
{
    return crt.utf8;
}

/* ---- text ------------------------------------------------------------- */

/* Bytes and width of the next character of s (a byte of width 1 when s is
 * not valid in the locale). */
static size_t next_char(const char *s, int *width)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    wchar_t wc;
    size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *width = 1;
        return 1;
    }
    int w = wcwidth(wc);
    *width = w < 0 ? 1 : w;
    return n;
}

/* Text as the terminal can show it: s itself when it is UTF-8, else s's
 * ASCII fallback (text_ascii) in buf, or in *owned (malloc'd; free it) when
 * longer than buf.  Every string drawn or measured goes through here, so
 * that what is measured is what is drawn and no raw UTF-8 byte reaches a
 * terminal that would show it as garbage. */
static const char *shown(const char *s, char *buf, size_t cap, char **owned)
{
    *owned = NULL;
    if (crt.utf8) return s;
    size_t need = text_ascii(buf, cap, s);
    if (need < cap) return buf;
    *owned = malloc(need + 1);
    if (!*owned) return buf; /* cut short rather than not at all */
    text_ascii(*owned, need + 1, s);
    return *owned;
}

int crt_width(const char *text)
{
    char buf[512], *owned;
    const char *s = shown(text, buf, sizeof buf, &owned);
    int total = 0;
    while (*s) {
        int w;
        s += next_char(s, &w);
        total += w;
    }
    free(owned);
    return total;
}

const char *crt_ellipsis(void)
{
    return crt.utf8 ? glyph_utf8[GLYPH_ELLIPSIS] : "...";
}

/* The bytes of s that fit in width columns; their columns in *cols. */
static size_t fitting(const char *s, int width, int *cols)
{
    size_t bytes = 0;
    *cols = 0;
    while (s[bytes]) {
        int cw;
        size_t n = next_char(s + bytes, &cw);
        if (*cols + cw > width) break;
        *cols += cw;
        bytes += n;
    }
    return bytes;
}

/* Whether anything but spaces is left at s. */
static bool more_text(const char *s)
{
    while (*s == ' ' || *s == '\n') s++;
    return *s != '\0';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Whether s[i] belongs to a figure: a digit, a point or separator, the
 * exponent's e after a digit and its sign, or a leading sign ("1.2e-5",
 * "-0.5"); a dash between digits joins two figures ("20261207-0342"). */
static bool figure_char(const char *s, size_t i)
{
    char c = s[i];
    if (is_digit(c) || c == '.' || c == ',') return true;
    if (c == 'e' || c == 'E') return i > 0 && is_digit(s[i - 1]);
    if (c != '-' && c != '+') return false;
    if (i > 1 && (s[i - 1] == 'e' || s[i - 1] == 'E') && is_digit(s[i - 2])) return true;
    bool after_word = i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_');
    return !after_word && (is_digit(s[i + 1]) || s[i + 1] == '.');
}

static bool is_letter(char c)
{
    return isalpha((unsigned char)c) || c == '_';
}

/* Whether the figure s[start..end) is part of a name: a letter joins it
 * on either side, a dash joins it to another figure ("20261207-0342"), or
 * a slash to a word (a path's "000/model.gtm"; "45/100" is a figure). */
static bool in_name(const char *s, size_t start, size_t end)
{
    if (start > 0 && is_letter(s[start - 1])) return true;
    if (start > 1 && s[start - 1] == '-' && is_digit(s[start - 2])) return true;
    if (start > 1 && s[start - 1] == '/' && is_letter(s[start - 2])) return true;
    char c = s[end];
    if (is_letter(c)) return true;
    return (c == '-' && is_digit(s[end + 1])) || (c == '/' && is_letter(s[end + 1]));
}

/* Draws s (already as shown) clipped to width columns, its end given up to
 * the ellipsis when the rest would not fit; returns the columns used. */
static int put_cut(WINDOW *w, int y, int x, int width, const char *s, size_t len)
{
    char own[512];
    int cols;
    size_t n = len < sizeof own ? len : sizeof own - 1;
    memcpy(own, s, n);
    own[n] = '\0';
    size_t bytes = fitting(own, width, &cols);
    const char *ell = crt_ellipsis();
    int ew = crt.utf8 ? 1 : 3;
    if (!more_text(own + bytes) || width <= ew) {
        if (bytes && w) mvwaddnstr(w, y, x, own, (int)bytes);
        return cols;
    }
    bytes = fitting(own, width - ew, &cols);
    /* a figure is shown whole or not at all: its start alone reads as
     * another figure ("0.85" cut to "0…", "1437 rows" to "1…"), so a cut
     * inside one goes back to where it begins; a name's digits are no
     * figure ("px38", "20261207-193610-iris", "trial-000/model.gtm" may
     * be cut as any word) */
    if (bytes > 0 && figure_char(own, bytes - 1) && figure_char(own, bytes) &&
        (is_digit(own[bytes - 1]) || is_digit(own[bytes]))) {
        size_t start = bytes, end = bytes;
        while (start > 0 && figure_char(own, start - 1)) start--;
        while (own[end] && figure_char(own, end)) end++;
        if (!in_name(own, start, end)) {
            own[start] = '\0';
            bytes = fitting(own, width - ew, &cols);
        }
    }
    while (bytes > 0 && own[bytes - 1] == ' ') { /* "word …", not "word  …" */
        bytes--;
        cols--;
    }
    if (bytes && w) mvwaddnstr(w, y, x, own, (int)bytes);
    if (w) mvwaddstr(w, y, x + cols, ell);
    return cols + ew;
}

int crt_puts(WINDOW *w, int y, int x, int width, const char *text)
{
    if (width <= 0 || !text) return 0;
    char buf[512], *owned;
    const char *s = shown(text, buf, sizeof buf, &owned);
    int cols;
    size_t bytes = fitting(s, width, &cols);
    if (more_text(s + bytes))
        cols = put_cut(w, y, x, width, s, strlen(s));
    else if (bytes)
        mvwaddnstr(w, y, x, s, (int)bytes);
    free(owned);
    return cols;
}

int crt_puts_tail(WINDOW *w, int y, int x, int width, const char *text)
{
    if (width <= 0 || !text) return 0;
    int ew = crt.utf8 ? 1 : 3;
    if (crt_width(text) <= width || width <= ew) return crt_puts(w, y, x, width, text);
    const char *p = text;
    while (*p && crt_width(p) > width - ew) {
        p++;
        while (((unsigned char)*p & 0xC0) == 0x80) p++;
    }
    int used = crt_puts(w, y, x, ew, crt_ellipsis());
    return used + crt_puts(w, y, x + used, width - used, p);
}

void crt_box(WINDOW *w, int top, int left, int height, int width, const char *title, CrtRole frame)
{
    if (height < 2 || width < 2) return;
    attr_t saved_attr;
    short saved_pair;
    wattr_get(w, &saved_attr, &saved_pair, NULL);
    crt_set(w, ROLE_NORMAL);
    for (int r = 0; r < height; r++) mvwhline(w, top + r, left, ' ', width);
    crt_set(w, frame);
    for (int c = 1; c < width - 1; c++) {
        crt_puts(w, top, left + c, 1, crt_glyph(GLYPH_HLINE));
        crt_puts(w, top + height - 1, left + c, 1, crt_glyph(GLYPH_HLINE));
    }
    for (int r = 1; r < height - 1; r++) {
        crt_puts(w, top + r, left, 1, crt_glyph(GLYPH_VLINE));
        crt_puts(w, top + r, left + width - 1, 1, crt_glyph(GLYPH_VLINE));
    }
    crt_puts(w, top, left, 1, crt_glyph(GLYPH_TL));
    crt_puts(w, top, left + width - 1, 1, crt_glyph(GLYPH_TR));
    crt_puts(w, top + height - 1, left, 1, crt_glyph(GLYPH_BL));
    crt_puts(w, top + height - 1, left + width - 1, 1, crt_glyph(GLYPH_BR));
    if (title && width > 6) {
        char t[256];
        snprintf(t, sizeof t, " %s ", title);
        crt_set(w, ROLE_TITLE);
        crt_puts(w, top, left + 2, width - 4, t);
    }
    wattr_set(w, saved_attr, saved_pair, NULL);
}

int crt_wrap(WINDOW *w, int y, int x, int width, int max_rows, const char *text)
{
    return crt_wrap_part(w, y, x, width, 0, max_rows, text);
}

int crt_wrap_part(WINDOW *w, int y, int x, int width, int skip, int max_rows, const char *text)
{
    int rows = 0, line = 0;
    char buf[512], *owned;
    const char *p = shown(text, buf, sizeof buf, &owned);
    while (*p && rows < max_rows && width > 0) {
        while (*p == ' ') p++;
        /* the longest run of whole words that fits */
        const char *end = p, *brk = NULL;
        int cols = 0;
        while (*end && *end != '\n') {
            int cw;
            size_t n = next_char(end, &cw);
            if (cols + cw > width) break;
            cols += cw;
            end += n;
            if (*end == ' ' || *end == '\0' || *end == '\n') brk = end;
        }
        if (*end && *end != '\n' && brk) end = brk;
        if (end == p) {
            int cw; /* a character wider than the line: show it anyway */
            end = p + next_char(p, &cw);
        }
        if (line++ >= skip) {
            /* the last row allowed says when text is left over */
            const char *rest = *end == '\n' ? end + 1 : end;
            while (*rest == ' ') rest++; /* joined below with one blank */
            if (rows + 1 == max_rows && more_text(rest)) {
                char row[512];
                int n = snprintf(row, sizeof row, "%.*s %s", (int)(end - p), p, rest);
                put_cut(w, y + rows, x, width, row, n < 0 ? 0 : (size_t)n);
            } else if (w) {
                mvwaddnstr(w, y + rows, x, p, (int)(end - p));
            }
            rows++;
        }
        p = end;
        if (*p == '\n') p++;
    }
    free(owned);
    return rows;
}

/* ---- start and end ---------------------------------------------------- */

static void restore_seq_add(const char *cap)
{
    char *s = tigetstr((char *)cap);
    if (!s || s == (char *)-1) return;
    size_t n = strlen(s);
    if (crt.restore_len + n < sizeof crt.restore_seq) {
        memcpy(crt.restore_seq + crt.restore_len, s, n);
        crt.restore_len += n;
    }
}

static void stderr_capture(void)
{
    crt.err_tmp = tmpfile();
    if (!crt.err_tmp) return;
    fflush(stderr);
    crt.saved_stderr = dup(STDERR_FILENO);
    if (crt.saved_stderr < 0 || dup2(fileno(crt.err_tmp), STDERR_FILENO) < 0) {
        if (crt.saved_stderr >= 0) close(crt.saved_stderr);
        crt.saved_stderr = -1;
        fclose(crt.err_tmp);
        crt.err_tmp = NULL;
    }
}

static void stderr_replay(void)
{
    if (!crt.err_tmp) return;
    fflush(stderr);
    dup2(crt.saved_stderr, STDERR_FILENO);
    close(crt.saved_stderr);
    crt.saved_stderr = -1;
    rewind(crt.err_tmp);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, crt.err_tmp)) > 0) fwrite(buf, 1, n, stderr);
    fclose(crt.err_tmp);
    crt.err_tmp = NULL;
}

static void crt_atexit(void)
{
    crt_done();
}

bool crt_have_terminal(char *why, size_t why_cap)
{
    if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) return true;
    snprintf(why, why_cap,
             "the dashboard needs a terminal (for a run without one, use `gradtop train`)");
    return false;
}

/* Whether TERM names a terminal the dashboard can draw on: one the system
 * describes (terminfo) that can move the cursor to a row and column.
 * TERM=dumb, and the generic and hardcopy types, cannot: curses would
 * write every row of the frame one after the other onto a single line.
 * Checked before curses touches the screen, so a refusal leaves it as it
 * was. */
static bool terminal_can_draw(char *why, size_t why_cap)
{
    const char *term = getenv("TERM");
    if (!term || !*term) term = "unset";
    int err = 0;
    if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
        snprintf(why, why_cap,
                 "cannot use the terminal (TERM=%s): the system has no description of it (for a "
                 "run without the dashboard, use `gradtop train`)",
                 term);
        return false;
    }
    const char *cup = tigetstr((char *)"cup");
    bool ok =
        cup && cup != (char *)-1 && tigetflag((char *)"gn") <= 0 && tigetflag((char *)"hc") <= 0;
    del_curterm(cur_term);
    if (!ok)
        snprintf(why, why_cap,
                 "cannot use the terminal (TERM=%s): it cannot move the cursor, which the "
                 "dashboard needs (for a run without the dashboard, use `gradtop train`)",
                 term);
    return ok;
}

bool crt_init(char *why, size_t why_cap)
{
    if (crt.active) return true;
    if (!crt_have_terminal(why, why_cap)) return false;
    if (!terminal_can_draw(why, why_cap)) return false;
    const char *cs = nl_langinfo(CODESET);
    crt.utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
    crt.have_termios = tcgetattr(STDIN_FILENO, &crt.saved_termios) == 0;
    crt_signals_install();
    stderr_capture();
    crt.screen = newterm(NULL, stdout, stdin);
    if (!crt.screen) {
        stderr_replay();
        const char *term = getenv("TERM");
        snprintf(why, why_cap,
                 "cannot use the terminal (TERM=%s) (for a run without the dashboard, use "
                 "`gradtop train`)",
                 term ? term : "unset");
        return false;
    }
    set_term(crt.screen);
    crt.colors = has_colors() && !getenv("NO_COLOR");
    if (crt.colors) {
        start_color();
        use_default_colors();
    }
    memset(pair_table, 0, sizeof pair_table);
    pair_next = CRT_FIRST_FREE_PAIR;
    roles_setup();
    /* The palette's pairs first, so that their numbers fit COLOR_PAIR
     * (crt_palette_attr), however many pairs the boundary map takes later. */
    if (crt.colors)
        for (int k = 0; k < palette_hues(COLORS); k++) crt_pair(crt_palette_colour(k), -1);
    cbreak(); /* ^C stays SIGINT, which the signal pipe turns into a clean exit */
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    crt.restore_len = 0;
    restore_seq_add("sgr0");
    restore_seq_add("cnorm");
    restore_seq_add("rmkx");
    restore_seq_add("rmcup");
    crt.active = true;
    crt_screen_up = 1;
    static bool registered;
    if (!registered) {
        atexit(crt_atexit);
        registered = true;
    }
    return true;
}

void crt_done(void)
{
    if (!crt.active) return;
    crt_screen_up = 0;
    curs_set(1);
    endwin();
    delscreen(crt.screen);
    crt.screen = NULL;
    crt.active = false;
    stderr_replay();
}
