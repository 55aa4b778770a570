/*
 * text.c - the ASCII fallback of drawn text (see text.h).
 */
#include "text.h"

/* Stand-ins for the characters gradtop draws and for common ones that
 * data (class and file names) and messages may carry.  Sorted by code
 * point. */
static const struct {
    unsigned long cp;
    const char *ascii;
} stand_ins[] = {
    {0x00a0, " "},  {0x00b0, "deg"}, {0x00b1, "+-"},   {0x00b2, "^2"},  {0x00b3, "^3"},
    {0x00b5, "u"},  {0x00b7, "."},   {0x00d7, "x"},    {0x00f7, "/"},   {0x03a3, "S"},
    {0x03b1, "a"},  {0x03b2, "b"},   {0x03bc, "u"},    {0x03c3, "s"},   {0x2013, "-"},
    {0x2014, "--"}, {0x2016, "|"},   {0x2018, "'"},    {0x2019, "'"},   {0x201c, "\""},
    {0x201d, "\""}, {0x2022, "*"},   {0x2026, "..."},  {0x2190, "<-"},  {0x2191, "^"},
    {0x2192, "->"}, {0x2193, "v"},   {0x2194, "<->"},  {0x21d2, "=>"},  {0x2212, "-"},
    {0x2218, "-"},  {0x2219, "."},   {0x221a, "sqrt"}, {0x221e, "inf"}, {0x2248, "~"},
    {0x2260, "!="}, {0x2264, "<="},  {0x2265, ">="},   {0x22ee, ":"},   {0x2500, "-"},
    {0x2502, "|"},  {0x250a, ":"},   {0x250c, "+"},    {0x2510, "+"},   {0x2514, "+"},
    {0x2518, "+"},  {0x251c, "+"},   {0x2524, "+"},    {0x252c, "+"},   {0x2534, "+"},
    {0x253c, "+"},  {0x2580, "\""},  {0x2581, "_"},    {0x2582, "_"},   {0x2583, "."},
    {0x2584, "-"},  {0x2585, "-"},   {0x2586, "="},    {0x2587, "#"},   {0x2588, "#"},
    {0x258c, "="},  {0x2591, "."},   {0x2592, ":"},    {0x2593, "#"},   {0x25a0, "#"},
    {0x25a1, "#"},  {0x25b2, "^"},   {0x25b3, "^"},    {0x25bc, "v"},   {0x25bd, "v"},
    {0x25c6, "*"},  {0x25c7, "o"},   {0x25c9, "O"},    {0x25cb, "o"},   {0x25ce, "O"},
    {0x25cf, "*"},  {0x25e6, "="},   {0x2605, "*"},    {0x2606, "*"},   {0x2713, "ok"},
    {0x2717, "x"},  {0xfeff, ""},
};

const char *text_ascii_of(unsigned long cp)
{
    size_t lo = 0, hi = sizeof stand_ins / sizeof stand_ins[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (stand_ins[mid].cp == cp) return stand_ins[mid].ascii;
        if (stand_ins[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The code point of the UTF-8 sequence at s and its length in *len; 0 with
 * *len 1 for a byte that does not start a valid (shortest-form) sequence. */
static unsigned long decode(const unsigned char *s, size_t *len)
{
    unsigned char c = s[0];
    int n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
    if (c >= 0xf5) n = 0;
    unsigned long cp = n == 4 ? c & 0x07u : n == 3 ? c & 0x0fu : c & 0x1fu;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            n = 0;
            break;
        }
        cp = cp << 6 | (s[i] & 0x3fu);
    }
    if (n == 0 || (n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
        *len = 1;
        return 0;
    }
    *len = (size_t)n;
    return cp;
}

size_t text_ascii(char *dst, size_t cap, const char *src)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t out = 0;
    while (*s) {
        char one[2] = {(char)*s, '\0'};
        const char *put = one;
        size_t len = 1;
        if (*s >= 0x80) {
            unsigned long cp = decode(s, &len);
            put = cp ? text_ascii_of(cp) : NULL;
            if (!put) put = "?";
        }
        for (const char *p = put; *p; p++, out++)
            if (out + 1 < cap) dst[out] = *p;
        s += len;
    }
    if (cap > 0) dst[out < cap ? out : cap - 1] = '\0';
    return out;
}
