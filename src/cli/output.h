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

/* The columns text escaped with error_escape takes on a terminal: one per
 * character (UTF-8 continuation bytes take none). */
int output_columns(const char *s);

/* Prints s (escaped text) left-aligned in a field of width columns. */
void output_pad(const char *s, int width);

#endif
