/*
 * terminal_safe.h - expect_safe(s): fails the test when s holds what a
 * terminal would act on rather than show.  Included by the one .c file of
 * a test program (after cmocka.h).
 */
#ifndef GRADTOP_TESTS_TERMINAL_SAFE_H
#define GRADTOP_TESTS_TERMINAL_SAFE_H

#include <stddef.h>

/* Whether s could act on a terminal: a control byte (ESC, BEL, CR, LF,
 * DEL...), a C1 control in UTF-8 (U+0080..U+009F, CSI among them), or a
 * byte that is not part of well-formed UTF-8 (RFC 3629). */
static inline const char *terminal_hazard(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        if (c < 0x20 || c == 0x7F) return "a control byte";
        if (c < 0x80) {
            p++;
            continue;
        }
        int n = c >= 0xC2 && c <= 0xDF   ? 2
                : c >= 0xE0 && c <= 0xEF ? 3
                : c >= 0xF0 && c <= 0xF4 ? 4
                                         : 0;
        if (!n) return "a byte that is not UTF-8";
        unsigned lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
        unsigned hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
        if (p[1] < lo || p[1] > hi) return "a byte that is not UTF-8";
        for (int i = 2; i < n; i++)
            if ((p[i] & 0xC0) != 0x80) return "a byte that is not UTF-8";
        if (c == 0xC2 && p[1] < 0xA0) return "a C1 control";
        p += n;
    }
    return NULL;
}

static inline void expect_safe(const char *s)
{
    const char *why = terminal_hazard(s);
    if (why) fail_msg("\"%s\" holds %s", s, why);
}

#endif
