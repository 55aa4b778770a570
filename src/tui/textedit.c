/*
 * textedit.c - a line of text with a cursor.  See textedit.h.
 */
#include "textedit.h"

#include <string.h>

#include "crt.h"

#define CTRL(c) ((c)&0x1f)

static bool continuation(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

/* The start of the character before offset i (0 at the start). */
static size_t char_before(const char *text, size_t i)
{
    while (i > 0 && continuation(text[--i])) {
    }
    return i;
}

/* The offset after the character at i (i at the end). */
static size_t char_after(const char *text, size_t i)
{
    if (!text[i]) return i;
    i++;
    while (text[i] && continuation(text[i])) i++;
    return i;
}

TextEditResult textedit_key(char *text, size_t cap, size_t *cursor, int ch)
{
    size_t len = strlen(text);
    if (*cursor > len) *cursor = len;
    size_t c = *cursor;
    switch (ch) {
    case KEY_LEFT: *cursor = char_before(text, c); return TEXTEDIT_MOVED;
    case KEY_RIGHT: *cursor = char_after(text, c); return TEXTEDIT_MOVED;
    case CTRL('a'): *cursor = 0; return TEXTEDIT_MOVED;
    case CTRL('e'): *cursor = len; return TEXTEDIT_MOVED;
    case CTRL('u'):
        text[0] = '\0';
        *cursor = 0;
        return TEXTEDIT_CHANGED;
    case CTRL('k'): text[c] = '\0'; return TEXTEDIT_CHANGED;
    case KEY_BACKSPACE:
    case 127:
    case CTRL('h'): {
        size_t from = char_before(text, c);
        memmove(text + from, text + c, len - c + 1);
        *cursor = from;
        return TEXTEDIT_CHANGED;
    }
    case KEY_DC:
    case CTRL('d'): {
        size_t to = char_after(text, c);
        memmove(text + c, text + to, len - to + 1);
        return TEXTEDIT_CHANGED;
    }
    default: break;
    }
    if (ch < 32 || ch >= 256) return TEXTEDIT_NONE;
    if (len + 1 >= cap) return TEXTEDIT_MOVED; /* full: the key is taken, nothing added */
    memmove(text + c + 1, text + c, len - c + 1);
    text[c] = (char)ch;
    *cursor = c + 1;
    return TEXTEDIT_CHANGED;
}

int textedit_draw(WINDOW *w, int y, int x, int width, const char *text, size_t cursor,
                  bool show_cursor)
{
    if (width <= 0) return 0;
    size_t len = strlen(text);
    if (cursor > len) cursor = len;
    /* the start: as late as keeps the cursor's cell (one column) in view */
    size_t start = 0;
    char head[1024];
    for (;;) {
        size_t n = cursor - start < sizeof head - 1 ? cursor - start : sizeof head - 1;
        memcpy(head, text + start, n);
        head[n] = '\0';
        if (crt_width(head) + (show_cursor ? 1 : 0) <= width || start >= cursor) break;
        start = char_after(text, start);
    }
    attr_t attr;
    short pair;
    wattr_get(w, &attr, &pair, NULL);
    int used = crt_puts(w, y, x, width, text + start);
    if (!show_cursor) return used;
    int cx = crt_width(head);
    if (cx >= width) return used;
    char under[8] = " ";
    if (text[cursor]) {
        size_t n = char_after(text, cursor) - cursor;
        memcpy(under, text + cursor, n < sizeof under ? n : sizeof under - 1);
        under[n < sizeof under ? n : sizeof under - 1] = '\0';
    }
    wattr_set(w, attr | A_REVERSE, pair, NULL);
    crt_puts(w, y, x + cx, width - cx, under);
    wattr_set(w, attr, pair, NULL);
    return used > cx + 1 ? used : cx + 1;
}
