/* error.c - see error.h. */
#include "gradtop/core/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The length of the well-formed UTF-8 sequence at s (at most left bytes;
 * RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or
 * 0. */
static int utf8_length(const unsigned char *s, size_t left)
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
    if ((size_t)n > left || s[1] < lo || s[1] > hi) return 0;
    for (int i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF) return 0;
    return n;
}

size_t error_escape(char *dst, size_t cap, const char *s, size_t len)
{
    size_t n = 0, i = 0;
    if (cap == 0) return 0;
    const unsigned char *p = (const unsigned char *)s;
    while (i < len && p[i]) {
        char piece[8];
        size_t w;
        int u = p[i] >= 0x80 ? utf8_length(p + i, len - i) : 1;
        if (p[i] == '\n' || p[i] == '\r' || p[i] == '\t') {
            w = (size_t)snprintf(piece, sizeof piece, "\\%c",
                                 p[i] == '\n'   ? 'n'
                                 : p[i] == '\r' ? 'r'
                                                : 't');
        } else if (p[i] < 0x20 || p[i] == 0x7F || u == 0) {
            w = (size_t)snprintf(piece, sizeof piece, "\\x%02X", p[i]);
            u = 1;
        } else if (u == 2 && p[i] == 0xC2 && p[i + 1] < 0xA0) {
            /* U+0080..U+009F: the C1 controls, CSI (U+009B) among them */
            w = (size_t)snprintf(piece, sizeof piece, "\\u%04X", p[i + 1]);
        } else {
            memcpy(piece, p + i, (size_t)u);
            w = (size_t)u;
        }
        if (n + w >= cap) break;
        memcpy(dst + n, piece, w);
        n += w;
        i += (size_t)u;
    }
    dst[n] = '\0';
    return i;
}

ErrorCode error_setv(Error *err, ErrorCode code, const char *fmt, va_list ap)
{
    if (err) {
        char raw[sizeof err->msg];
        vsnprintf(raw, sizeof raw, fmt, ap);
        err->code = code;
        error_escape(err->msg, sizeof err->msg, raw, sizeof raw);
    }
    return code;
}

ErrorCode error_set(Error *err, ErrorCode code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_setv(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void error_prefix(Error *err, const char *fmt, ...)
{
    if (!err) return;
    char raw[512], prefix[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    error_escape(prefix, sizeof prefix - 2, raw, sizeof raw);
    size_t pl = strlen(prefix);
    prefix[pl++] = ':';
    prefix[pl++] = ' ';
    /* Shift the old message right, truncating its end if needed. */
    size_t ol = strnlen(err->msg, sizeof err->msg - 1);
    if (pl + ol > sizeof err->msg - 1) {
        ol = sizeof err->msg - 1 - pl;
        /* not inside a UTF-8 character: a cut one would be invalid text */
        while (ol > 0 && ((unsigned char)err->msg[ol] & 0xC0) == 0x80) ol--;
    }
    memmove(err->msg + pl, err->msg, ol);
    memcpy(err->msg, prefix, pl);
    err->msg[pl + ol] = '\0';
}

void error_clear(Error *err)
{
    if (!err) return;
    err->code = ERROR_NONE;
    err->msg[0] = '\0';
}

ErrorCode error_code_of_open(int errnum)
{
    switch (errnum) {
    case EMFILE:
    case ENFILE:
    case ENOMEM:
    case ENOBUFS:
    case EIO: return ERROR_RUNTIME;
    default: return ERROR_INPUT;
    }
}

void error_quote_text(char *dst, size_t cap, const char *s, size_t len)
{
    if (cap == 0) return;
    /* room for "..." when the text is cut; at most 40 bytes of it shown */
    size_t room = cap > 4 ? cap - 3 : 1, shown = len < 40 ? len : 40;
    size_t took = error_escape(dst, room, s, shown);
    if (took < len && cap >= 4) strcat(dst, "...");
}
