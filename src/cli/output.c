/*
 * output.c - finishing standard output, and names made safe for a
 * terminal; see output.h.
 */
#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

const char *output_stdout_error(void)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout)) return NULL;
    /* An earlier write failed and its data is gone: errno no longer says why. */
    return errno ? strerror(errno) : "a write failed";
}

int output_finish_stdout(void)
{
    const char *why = output_stdout_error();
    if (!why) return EXIT_OK;
    fprintf(stderr, "gradtop: standard output: %s\n", why);
    return EXIT_RUNTIME;
}

/* The length of the well-formed UTF-8 sequence at s (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or 0. */
static int utf8_length(const unsigned char *s)
{
    unsigned char c = s[0];
    int n;
    unsigned char lo = 0x80, hi = 0xBF; /* the second byte's range */
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi) return 0;
    for (int i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF) return 0;
    return n;
}

size_t output_escape(char *dst, size_t cap, const char *s)
{
    size_t n = 0;
    if (cap == 0) return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        char piece[8];
        size_t len;
        int u = *p >= 0x80 ? utf8_length(p) : 1;
        if (*p == '\n' || *p == '\r' || *p == '\t') {
            len = (size_t)snprintf(piece, sizeof piece, "\\%c",
                                   *p == '\n'   ? 'n'
                                   : *p == '\r' ? 'r'
                                                : 't');
            u = 1;
        } else if (*p < 0x20 || *p == 0x7F || u == 0) {
            len = (size_t)snprintf(piece, sizeof piece, "\\x%02X", *p);
            u = 1;
        } else if (u == 2 && p[0] == 0xC2 && p[1] < 0xA0) {
            len = (size_t)snprintf(piece, sizeof piece, "\\u%04X", p[1]);
        } else {
            memcpy(piece, p, (size_t)u);
            len = (size_t)u;
        }
        if (n + len >= cap) break;
        memcpy(dst + n, piece, len);
        n += len;
        p += u;
    }
    dst[n] = '\0';
    return n;
}

int output_columns(const char *s)
{
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) n += (*p & 0xC0) != 0x80;
    return n;
}

void output_pad(const char *s, int width)
{
    int pad = width - output_columns(s);
    printf("%s%*s", s, pad > 0 ? pad : 0, "");
}
