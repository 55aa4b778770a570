/*
 * textedit.h - one line of text being typed, with a cursor: the values of
 * the forms (setup and the hyperparameter editor) and the run viewer's
 * filter.  Keys: characters insert at the cursor; backspace and delete
 * remove the character before and under it; left and right move by a
 * character, ctrl-a and ctrl-e to the start and end; ctrl-u clears the
 * line and ctrl-k what follows the cursor.  Text is UTF-8 and the cursor
 * a byte offset on a character boundary (a character typed arrives one
 * byte per key, each inserted after the last).  UI thread only.
 */
#ifndef GRADTOP_TUI_TEXTEDIT_H
#define GRADTOP_TUI_TEXTEDIT_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    TEXTEDIT_NONE,    /* not an editing key: the caller's */
    TEXTEDIT_MOVED,   /* the cursor moved (or the key did nothing here) */
    TEXTEDIT_CHANGED, /* the text changed */
} TextEditResult;

/* Applies key ch to text (cap bytes, NUL included) at *cursor. */
TextEditResult textedit_key(char *text, size_t cap, size_t *cursor, int ch);

/* Draws text in width columns from (y, x), its start left out when the
 * cursor would fall outside them; with show_cursor the character under
 * the cursor (a space at the end) is drawn reversed.  Returns the
 * columns used. */
int textedit_draw(WINDOW *w, int y, int x, int width, const char *text, size_t cursor,
                  bool show_cursor);

#endif
