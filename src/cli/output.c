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
