/*
 * nullterm.h - a curses terminal that writes to /dev/null, for the tests
 * that draw into its windows and read the cells back (mvwinch).  crt_init
 * is not called on it, so the locale counts as not UTF-8.  Included by
 * the one .c file of a test program.
 */
#ifndef GRADTOP_TESTS_NULLTERM_H
#define GRADTOP_TESTS_NULLTERM_H

#include <curses.h>
#include <stdbool.h>
#include <stdio.h>

typedef struct {
    FILE *out, *in;
    SCREEN *scr;
} NullTerm;

/* False when it could not be opened (then nothing is left open). */
static inline bool null_term_open(NullTerm *t)
{
    t->out = fopen("/dev/null", "w");
    t->in = fopen("/dev/null", "r");
    t->scr = t->out && t->in ? newterm("xterm", t->out, t->in) : NULL;
    if (t->scr) return true;
    if (t->out) fclose(t->out);
    if (t->in) fclose(t->in);
    return false;
}

static inline void null_term_close(NullTerm *t)
{
    endwin();
    delscreen(t->scr);
    fclose(t->out);
    fclose(t->in);
}

#endif
