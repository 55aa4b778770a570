/*
 * output.h - what the commands that print to standard output share:
 * finishing it (a failed write is a runtime failure, exit 1, never a silent
 * exit 0) and names made safe to show on a terminal.  Main thread only.
 */
#ifndef GRADTOP_CLI_OUTPUT_H
#define GRADTOP_CLI_OUTPUT_H

#include <stddef.h>

/* Flushes standard output and checks that everything written reached it.
 * Returns EXIT_OK, or prints "gradtop: standard output: WHY" on stderr and
 * returns EXIT_RUNTIME. */
int output_finish_stdout(void);
/* Flushes standard output: NULL when everything written so far reached
 * it, else why not (for a caller that goes on, as train stops its run). */
const char *output_stdout_error(void);

/* Copies s into dst (cap bytes, NUL-terminated) with what a terminal would
 * act on shown as text: \n, \r, \t, other control bytes as \xHH, the C1
 * controls of UTF-8 (U+0080..U+009F) as \u0080.., and bytes that are not
 * UTF-8 as \xHH.  Cuts a long name at a character (never inside an escape
 * or a UTF-8 sequence).  Returns the length written. */
size_t output_escape(char *dst, size_t cap, const char *s);

/* The columns text from output_escape takes on a terminal: one per
 * character (UTF-8 continuation bytes take none). */
int output_columns(const char *s);

/* Prints s (escaped text) left-aligned in a field of width columns. */
void output_pad(const char *s, int width);

#endif
