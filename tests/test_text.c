/*
 * test_text.c - the TUI's text helpers (src/tui/text.c, text.h): the ASCII
 * fallback every drawn string goes through on a terminal that is not UTF-8,
 * with a stand-in for every non-ASCII character gradtop's own strings use,
 * and bounded copying.
 */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../src/tui/text.h"

static void ascii_fallback_spells_out_what_the_dashboard_draws(void **state)
{
    (void)state;
    char out[128];
    /* The diagnosis under LANG=C showed "0.657 ~F~R 0.652". */
    assert_int_equal(text_ascii(out, sizeof out, "loss 0.657 \u2192 0.652"), 19);
    assert_string_equal(out, "loss 0.657 -> 0.652");
    text_ascii(out, sizeof out, "loss jumped \u00d7100, r\u00b2 0.5, tr(\u03a3)/|G|\u00b2");
    assert_string_equal(out, "loss jumped x100, r^2 0.5, tr(S)/|G|^2");
    text_ascii(out, sizeof out, "\u250c\u2500 a \u2500\u2510\u2502\u2605\u25b2\u2026");
    assert_string_equal(out, "+- a -+|*^...");
    text_ascii(out, sizeof out, "20 \u00b0C, \u00b5s, \u2264 \u2265 \u2248");
    assert_string_equal(out, "20 degC, us, <= >= ~");
    /* ASCII stays as it is. */
    text_ascii(out, sizeof out, "plain text: 0.5 -> 0.4");
    assert_string_equal(out, "plain text: 0.5 -> 0.4");
}

static void characters_without_a_stand_in_and_bad_bytes_become_question_marks(void **state)
{
    (void)state;
    char out[64];
    /* A CJK class name, an emoji, a lone continuation byte, a truncated
     * sequence, an overlong '/' and a surrogate. */
    text_ascii(out, sizeof out, "\u732b \U0001F600 \x80 \xe2\x86 \xc0\xaf \xed\xa0\x80.");
    assert_string_equal(out, "? ? ? ?? ?? ???.");
    assert_null(text_ascii_of('a'));
    assert_null(text_ascii_of(0x732b));
    assert_string_equal(text_ascii_of(0x2192), "->");
}

static void ascii_fallback_is_bounded_and_reports_the_whole_length(void **state)
{
    (void)state;
    char out[6];
    memset(out, 'x', sizeof out);
    assert_int_equal(text_ascii(out, sizeof out, "a \u2192 b \u2192 c"), 11);
    assert_string_equal(out, "a -> ");
    assert_int_equal(text_ascii(NULL, 0, "\u2026"), 3);
    char one[1] = {'x'};
    assert_int_equal(text_ascii(one, 1, "abc"), 3);
    assert_int_equal(one[0], '\0');
}

/* Code points inside string literals of one C file: \uXXXX and \UXXXXXXXX
 * escapes and raw UTF-8, comments and character constants skipped.  Adds
 * to cps (cap), returns the new count. */
static size_t literal_code_points(const char *path, unsigned long *cps, size_t n, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *s = malloc((size_t)len + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)len, f), (size_t)len);
    s[len] = '\0';
    fclose(f);
    enum { CODE, STRING, CHAR, LINE, BLOCK } st = CODE;
    for (long i = 0; i < len; i++) {
        char c = s[i];
        switch (st) {
        case CODE:
            if (c == '"')
                st = STRING;
            else if (c == '\'')
                st = CHAR;
            else if (c == '/' && s[i + 1] == '/')
                st = LINE;
            else if (c == '/' && s[i + 1] == '*')
                st = BLOCK, i++;
            break;
        case LINE:
            if (c == '\n') st = CODE;
            break;
        case BLOCK:
            if (c == '*' && s[i + 1] == '/') st = CODE, i++;
            break;
        case CHAR:
            if (c == '\\')
                i++;
            else if (c == '\'')
                st = CODE;
            break;
        case STRING:
            if (c == '"') {
                st = CODE;
            } else if (c == '\\' && (s[i + 1] == 'u' || s[i + 1] == 'U')) {
                int digits = s[i + 1] == 'u' ? 4 : 8;
                char hex[9] = {0};
                memcpy(hex, s + i + 2, (size_t)digits);
                assert_true(n < cap);
                cps[n++] = strtoul(hex, NULL, 16);
                i += 1 + digits;
            } else if (c == '\\') {
                i++;
            } else if ((unsigned char)c >= 0x80) {
                /* raw UTF-8: let text_ascii judge it alone */
                size_t k = 1;
                while (((unsigned char)s[i + (long)k] & 0xc0) == 0x80) k++;
                char one[8] = {0}, out[16];
                memcpy(one, s + i, k < 7 ? k : 7);
                text_ascii(out, sizeof out, one);
                if (strchr(out, '?'))
                    fail_msg("%s: raw %s in a string has no ASCII stand-in", path, one);
                i += (long)k - 1;
            }
            break;
        }
    }
    free(s);
    return n;
}

/* Every non-ASCII character the engine and the TUI write into strings has
 * an ASCII stand-in: a new one without it fails here, not on a user's
 * LANG=C terminal. */
static void every_non_ascii_character_in_drawn_strings_has_a_stand_in(void **state)
{
    (void)state;
    static unsigned long cps[4096];
    size_t n = 0;
    const char *patterns[] = {"src/*/*.c"};
    size_t files = 0;
    for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
        glob_t g;
        assert_int_equal(glob(patterns[p], 0, NULL, &g), 0);
        for (size_t i = 0; i < g.gl_pathc; i++, files++)
            n = literal_code_points(g.gl_pathv[i], cps, n, sizeof cps / sizeof cps[0]);
        globfree(&g);
    }
    assert_true(files > 20); /* run from the project root, as make test does */
    assert_true(n > 30);     /* the arrows, blocks and box lines are found */
    for (size_t i = 0; i < n; i++) {
        if (cps[i] < 0x80) continue; /* "\u0041" would be 'A' */
        if (!text_ascii_of(cps[i])) fail_msg("U+%04lX has no ASCII stand-in", cps[i]);
    }
}

static void text_copy_cuts_at_a_character_boundary(void **state)
{
    (void)state;
    char out[5];
    text_copy(out, sizeof out, "ab\u2192cd"); /* the arrow's 3 bytes do not fit after "ab" */
    assert_string_equal(out, "ab");
    text_copy(out, sizeof out, "abcd");
    assert_string_equal(out, "abcd");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ascii_fallback_spells_out_what_the_dashboard_draws),
        cmocka_unit_test(characters_without_a_stand_in_and_bad_bytes_become_question_marks),
        cmocka_unit_test(ascii_fallback_is_bounded_and_reports_the_whole_length),
        cmocka_unit_test(every_non_ascii_character_in_drawn_strings_has_a_stand_in),
        cmocka_unit_test(text_copy_cuts_at_a_character_boundary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
