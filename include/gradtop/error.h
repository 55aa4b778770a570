/*
 * error.h - error codes and the error struct every fallible engine call fills.
 *
 * The engine never prints and never exits: a failing call returns one of the
 * ErrorCode values and writes a message with its context (file, line, column,
 * option name) into the caller's Error.  The codes map one-to-one onto the
 * process exit codes of SPEC.md.  Any thread may use it; an Error belongs to
 * the caller that passed it.
 */
#ifndef GRADTOP_ERROR_H
#define GRADTOP_ERROR_H

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

/* Sets err (if not NULL) to code and a printf-style message; returns code. */
ErrorCode error_set(Error *err, ErrorCode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message: "prefix: old message". */
void error_prefix(Error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The code for a file that could not be opened: ERROR_RUNTIME when the
 * process or system ran out of something (descriptors, memory) or the
 * device failed, ERROR_INPUT otherwise (no such file, not allowed, ...). */
ErrorCode error_code_of_open(int errnum);

/* Resets err to ERROR_NONE with an empty message. */
void error_clear(Error *err);

#endif
