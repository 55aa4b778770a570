/* test_error.c - error messages are safe to print: names read from files
 * (CSV headers, a model's feature and class names, run directories) reach
 * a terminal with their escape sequences, C1 controls and invalid UTF-8
 * shown as text, whichever message carries them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "gradtop/core/error.h"
#include "terminal_safe.h"

static void expect_escaped(const char *in, const char *want)
{
    char out[256];
    size_t took = error_escape(out, sizeof out, in, strlen(in));
    assert_int_equal(took, strlen(in));
    assert_string_equal(out, want);
    expect_safe(out);
}

/* The hostile names of the tests: a window title (OSC ... BEL), a screen
 * clear (CSI 2 J), an 8-bit CSI, invalid UTF-8 of several kinds. */
static const char *const hostile[] = {
    "\033]0;owned\007",
    "\033[2J\033[H",
    "a\xc2\x9b"
    "31mb",
    "\xff\xfe",
    "\xc0\xaf",
    "\xed\xa0\x80",
    "cut\xe2\x82",
    "tab\there\r\n",
    "\x7f\x01\x1f",
    "\xf4\x90\x80\x80",
};

static void escapes_what_a_terminal_acts_on_and_keeps_utf8_text(void **state)
{
    (void)state;
    expect_escaped("sepal length", "sepal length");
    expect_escaped("pétale 日本 \xf0\x9f\x98\x80", "pétale 日本 \xf0\x9f\x98\x80");
    expect_escaped("\033]0;owned\007", "\\x1B]0;owned\\x07");
    expect_escaped("\033[2J", "\\x1B[2J");
    expect_escaped("a\xc2\x9b"
                   "31m",
                   "a\\u009B31m");
    expect_escaped("a\xc2\x85", "a\\u0085");
    expect_escaped("\xc2\xa0", "\xc2\xa0"); /* U+00A0 is text */
    expect_escaped("\xff", "\\xFF");
    expect_escaped("\xc0\xaf", "\\xC0\\xAF");          /* overlong '/' */
    expect_escaped("\xed\xa0\x80", "\\xED\\xA0\\x80"); /* a surrogate */
    expect_escaped("\xf4\x90\x80\x80", "\\xF4\\x90\\x80\\x80");
    expect_escaped("cut\xe2\x82", "cut\\xE2\\x82");
    expect_escaped("a\tb\r\nc\x7f", "a\\tb\\r\\nc\\x7F");
    for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
        char out[64];
        error_escape(out, sizeof out, hostile[i], strlen(hostile[i]));
        expect_safe(out);
    }
}

/* A length stops the copy before a NUL would, and never lets a sequence
 * run past it: "\xe2\x82\xac" cut to two bytes is not UTF-8. */
static void reads_no_further_than_its_length(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(error_escape(out, sizeof out, "ab\xe2\x82\xac", 4), 4);
    assert_string_equal(out, "ab\\xE2\\x82");
    assert_int_equal(error_escape(out, sizeof out, "ab\0cd", 5), 2);
    assert_string_equal(out, "ab");
}

/* Too long for its room, the text is cut between characters, never inside
 * an escape or a UTF-8 sequence; the count says how much went in. */
static void cuts_between_characters(void **state)
{
    (void)state;
    char out[7];
    assert_int_equal(error_escape(out, sizeof out, "ab\033cd", 5), 3);
    assert_string_equal(out, "ab\\x1B"); /* and no room for "c" */
    char small[6];
    assert_int_equal(error_escape(small, sizeof small, "ab\033cd", 5), 2);
    assert_string_equal(small, "ab");
    assert_int_equal(error_escape(small, sizeof small, "abcd日", strlen("abcd日")), 4);
    assert_string_equal(small, "abcd");
    assert_int_equal(error_escape(small, 1, "abc", 3), 0);
    assert_string_equal(small, "");
}

/* Every message set through error_set, error_setv or error_prefix is
 * escaped, whatever its arguments: no caller has to remember to. */
static ErrorCode set_through_v(Error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static ErrorCode set_through_v(Error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ErrorCode rc = error_setv(err, ERROR_INPUT, fmt, ap);
    va_end(ap);
    return rc;
}

static void every_message_is_escaped(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
        Error err = {0};
        assert_int_equal(
            error_set(&err, ERROR_INPUT, "data.csv:1:2: column '%s' is unknown", hostile[i]),
            ERROR_INPUT);
        assert_int_equal(err.code, ERROR_INPUT);
        expect_safe(err.msg);
        assert_memory_equal(err.msg, "data.csv:1:2: column '", 22);
        set_through_v(&err, "class '%s'", hostile[i]);
        expect_safe(err.msg);
        error_prefix(&err, "run %s", hostile[i]);
        expect_safe(err.msg);
        assert_memory_equal(err.msg, "run ", 4);
    }
    Error err = {0};
    error_set(&err, ERROR_INPUT, "column '%s'", "\033]0;owned\007");
    assert_string_equal(err.msg, "column '\\x1B]0;owned\\x07'");
}

/* A prefix that pushes a long message past its room cuts it between
 * characters, not inside one. */
static void a_prefix_never_cuts_a_character(void **state)
{
    (void)state;
    Error err = {0};
    char name[2000];
    size_t n = 0;
    while (n + 3 < sizeof name) {
        memcpy(name + n, "日", 3);
        n += 3;
    }
    name[n] = '\0';
    error_set(&err, ERROR_INPUT, "%s", name);
    expect_safe(err.msg);
    for (int k = 1; k <= 3; k++) {
        Error e = err;
        error_prefix(&e, "%.*s", k, "abc");
        expect_safe(e.msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escapes_what_a_terminal_acts_on_and_keeps_utf8_text),
        cmocka_unit_test(reads_no_further_than_its_length),
        cmocka_unit_test(cuts_between_characters),
        cmocka_unit_test(every_message_is_escaped),
        cmocka_unit_test(a_prefix_never_cuts_a_character),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
