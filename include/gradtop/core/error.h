/*
 * error.h - error codes and the error struct every fallible engine call fills.
 *
 * The engine never prints and never exits: a failing call returns one of the
 * ErrorCode values and writes a message with its context (file, line, column,
 * option name) into the caller's Error.  The codes map one-to-one onto the
 * process exit codes of README.md "Exit codes".  Any thread may use it; an Error belongs to
 * the caller that passed it.
 */
#ifndef GRADTOP_ERROR_H
#define GRADTOP_ERROR_H

#include <stdarg.h>
#include <stddef.h>

typedef enum {
    ERROR_NONE = 0,
    ERROR_RUNTIME = 1,  /* I/O failure, out of memory */
    ERROR_INPUT = 2,    /* usage error or invalid input */
    ERROR_DIVERGED = 3, /* loss became NaN or infinite */
} ErrorCode;

typedef struct {
    ErrorCode code;
    char msg[1024];
} Error;

/*
 * Copies the first len bytes of s (fewer when a NUL comes first) into dst
 * (cap bytes, NUL-terminated) with everything a terminal would act on
 * shown as text: \n, \r, \t; other control bytes (ESC, BEL, DEL...) as
 * \xHH; the C1 controls of UTF-8 (U+0080..U+009F) as \u0080..; bytes that
 * are not well-formed UTF-8 as \xHH.  Valid UTF-8 text is kept.  A text
 * too long for dst is cut at a character (never inside an escape or a
 * UTF-8 sequence).  Returns how many bytes of s went in.
 *
 * Every message of an Error goes through it (error_set, error_setv and
 * error_prefix), so a name read from a file (a CSV header, a model's
 * feature or class names, a run directory's name) never reaches a
 * terminal as raw escape sequences, whoever prints the message.
 */
size_t error_escape(char *dst, size_t cap, const char *s, size_t len);
/* Copies s for an error message: at most 40 of its bytes, escaped with
 * error_escape, "..." when cut. */
void error_quote_text(char *dst, size_t cap, const char *s, size_t len);

/* Sets err (if not NULL) to code and a printf-style message, escaped with
 * error_escape; returns code. */
ErrorCode error_set(Error *err, ErrorCode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
ErrorCode error_setv(Error *err, ErrorCode code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Prefixes the existing message: "prefix: old message" (the prefix
 * escaped with error_escape). */
void error_prefix(Error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The code for a file that could not be opened: ERROR_RUNTIME when the
 * process or system ran out of something (descriptors, memory) or the
 * device failed, ERROR_INPUT otherwise (no such file, not allowed, ...). */
ErrorCode error_code_of_open(int errnum);

/* Resets err to ERROR_NONE with an empty message. */
void error_clear(Error *err);

#endif
