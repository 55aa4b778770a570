/*
 * text.h - text for the TUI: bounded string copying for its fixed-size
 * buffers (as much of src as fits, always terminated, cut only at a UTF-8
 * character boundary), and the ASCII fallback every drawn string goes
 * through when the terminal's locale is not UTF-8.  Pure code; any thread.
 */
#ifndef GRADTOP_TUI_TEXT_H
#define GRADTOP_TUI_TEXT_H

#include <stddef.h>
#include <string.h>

static inline void text_copy(char *dst, size_t cap, const char *src)
{
    if (cap == 0) return;
    size_t n = strnlen(src, cap);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80) n--;
    }
    memmove(dst, src, n);
    dst[n] = '\0';
}

/*
 * src (UTF-8) in ASCII, for a terminal that is not UTF-8: each character
 * outside ASCII becomes its ASCII stand-in ("\u2192" -> "->", "\u00d7" ->
 * "x", "\u00b2" -> "^2", "\u2026" -> "...", box drawing -> "+-|", blocks
 * -> "#=", ...), or "?" when it has none, as does a byte that is not valid
 * UTF-8.  Writes at most cap bytes into dst, always terminated (when cap >
 * 0), and returns the length the whole result takes, like snprintf.  The
 * decoding is gradtop's own, not the locale's: under LANG=C the C library
 * reads every byte above 0x7F as invalid.
 */
size_t text_ascii(char *dst, size_t cap, const char *src);
/* The ASCII stand-in of code point cp, or NULL when it has none (ASCII
 * itself stands for itself and gives NULL too). */
const char *text_ascii_of(unsigned long cp);

#endif
