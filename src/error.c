/* error.c - see error.h. */
#include "gradtop/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

ErrorCode error_set(Error *err, ErrorCode code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void error_prefix(Error *err, const char *fmt, ...)
{
    if (!err) return;
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(prefix, sizeof prefix - 2, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    size_t pl = strlen(prefix);
    prefix[pl++] = ':';
    prefix[pl++] = ' ';
    /* Shift the old message right, truncating its end if needed. */
    size_t ol = strnlen(err->msg, sizeof err->msg - 1);
    if (pl + ol > sizeof err->msg - 1) ol = sizeof err->msg - 1 - pl;
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
