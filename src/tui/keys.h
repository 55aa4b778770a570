/*
 * keys.h - the dashboard's one key table, and the two things drawn from it:
 * the key bar at the bottom of the screen and the help overlay (help.c);
 * the sweep screen's and the race screen's tables beside it.
 *
 * A key maps to an Action; dashboard.c decides what an action does in the
 * current state.  Adding a key means adding a row here, and the bar and the
 * help follow.  UI thread only.
 */
#ifndef GRADTOP_TUI_KEYS_H
#define GRADTOP_TUI_KEYS_H

#include <curses.h>
#include <stdbool.h>

typedef enum {
    ACTION_NONE,
    ACTION_PAUSE,
    ACTION_STEP,
    ACTION_STEP_EPOCH, /* while paused: to the end of the epoch */
    ACTION_LR_UP,
    ACTION_LR_DOWN,
    ACTION_EDIT,
    ACTION_STOP,
    ACTION_RESTART,
    ACTION_LOG,
    ACTION_SMOOTH_LESS,
    ACTION_SMOOTH_MORE,
    ACTION_NEXT_VIEW,
    ACTION_PREV_VIEW,
    ACTION_PAIR,
    ACTION_PCA,
    ACTION_GRADCHECK,
    ACTION_HELP,
    ACTION_QUIT,
    ACTION_HISTORY,
    ACTION_FASTER, /* the next pace up (options.h pace_step) */
    ACTION_SLOWER,
    ACTION_NO_LOG,
    ACTION_VAL_POINTS, /* boundary view: show or hide the validation points */
    ACTION_DISCRETE,   /* boundary view: hard regions or shades of confidence */
    ACTION_SETUP,      /* back to the setup form */
    /* the network view's own (net_key_table) */
    ACTION_NET_LEFT,
    ACTION_NET_RIGHT,
    ACTION_NET_UP,
    ACTION_NET_DOWN,
    ACTION_UNIT_ADD,
    ACTION_UNIT_REMOVE,
    ACTION_LAYER_ADD,
    ACTION_LAYER_REMOVE,
    ACTION_ACTIVATION,
    /* the sweep screen's (sweep_key_table) */
    ACTION_SWEEP_PAUSE_ALL,
    ACTION_SWEEP_PAUSE,
    ACTION_SWEEP_STOP,
    ACTION_SWEEP_PROMOTE,
    ACTION_SWEEP_OPEN,
    ACTION_SWEEP_BEST,
    ACTION_SWEEP_ORDER,
    ACTION_SWEEP_NEXT_PARAM,
    ACTION_SWEEP_PREV_PARAM,
} Action;

typedef struct {
    int key, alt;      /* curses key codes; alt is 0 or a second key */
    const char *label; /* how the key is written: "space", "+", "tab" */
    const char *bar;   /* a word for the key bar, or NULL to leave it out */
    const char *help;  /* a sentence for the help overlay */
    Action action;
} KeyBinding;

extern const KeyBinding key_table[];
extern const int key_count;

/* The sweep screen's keys (gradtop sweep on a terminal: sweepview.c). */
extern const KeyBinding sweep_key_table[];
extern const int sweep_key_count;

/* Where a sweep stands, for what its bar offers. */
typedef struct {
    bool paused_all; /* space paused every trial: it resumes them now */
    bool ended;      /* every trial has ended: nothing to pause, stop or promote */
    bool asha;       /* the scheduler is asha, the only one + promotes under */
    bool to_setup;   /* its files failed, started from the setup form: q goes back there */
} SweepKeyState;

/* The word the sweep screen's bar gives k in state st, or NULL when the
 * bar leaves k out then (the key would do nothing; the help lists it). */
const char *keys_sweep_bar_word(const KeyBinding *k, SweepKeyState st);

/* The race screen's keys (gradtop race: race.c), bound to the dashboard's
 * actions, which each does for every racer at once. */
extern const KeyBinding race_key_table[];
extern const int race_key_count;
/* The race screen's action for key ch (race_key_table), or ACTION_NONE. */
Action keys_race_action(int ch);

/* The network view's keys, which edit the network while it trains: they
 * take precedence over key_table's while that view shows (its + and -
 * change units there, not the learning rate). */
extern const KeyBinding net_key_table[];
extern const int net_key_count;

/* The action bound to key ch, or ACTION_NONE; network: the network view
 * shows, so its keys come first. */
Action keys_action(int ch, bool network);
/* The sweep screen's action for key ch (sweep_key_table), or ACTION_NONE. */
Action keys_sweep_action(int ch);

/* Where the run stands, for what the bar offers: the keys that act on
 * training only while they can, space named for what it does then. */
typedef enum {
    KEYS_RUNNING,  /* space pauses */
    KEYS_PAUSED,   /* space resumes, n trains one batch */
    KEYS_DIVERGED, /* space resumes from the last finite weights */
    KEYS_ENDED,    /* done, stopped, or no run: r and o start the next */
} KeyState;

/* The word the bar gives k in state st, or NULL when the bar leaves k out
 * then (also when k has no word: KeyBinding.bar).  The boundary view's
 * keys are the caller's to leave out elsewhere. */
const char *keys_bar_word(const KeyBinding *k, KeyState st);

/* Draws the key bar on row y across width columns, for state st:
 * boundary, the boundary view is shown, and its own keys join the bar;
 * network, the network view is, and its keys come first, then what room
 * is left of the others. */
void keys_draw_bar(WINDOW *w, int y, int width, KeyState st, bool boundary, bool network);
/* Whose dashboard the bar is drawn for, from now on: a run's own; a run
 * opened from the sweep screen (no o: q goes back to the sweep); a sweep
 * trial's (q goes back; no restart, setup or network edits). */
typedef enum { KEYS_BAR_RUN, KEYS_BAR_SWEEP_RUN, KEYS_BAR_TRIAL } KeysBarMode;
void keys_bar_mode(KeysBarMode mode);
/* Whether the dashboard does not take a in the bar's mode (a trial's
 * restart, setup and network edits; a sweep's run's setup): neither the
 * bar nor the help offers it. */
bool keys_not_taken(Action a);
/* What q does in the bar's mode, for the help, when not key_table's
 * sentence (NULL). */
const char *keys_quit_help(void);

/* One row of a help overlay: how a key is written and what it does. */
typedef struct {
    const char *key;
    const char *text;
} HelpRow;

/* A help overlay centred in a rows x cols screen, titled title: each key
 * with its sentence wrapped beside it, then text (may be NULL) wrapped
 * below.  When it does not all fit, *scroll is the first row shown
 * (clamped here), and the frame says which keys scroll it. */
void help_box(WINDOW *w, int rows, int cols, const char *title, const HelpRow *keys, int n,
              const char *text, int *scroll);

/* Applies up, down, pgup, pgdn, home or end to a help overlay's *scroll,
 * page rows a page; false (and *scroll untouched) for any other key. */
bool help_scroll_key(int ch, int *scroll, int page);

/* The dashboard's help overlay: key_table and how to read the charts. */
void help_draw(WINDOW *w, int rows, int cols, int *scroll);

#endif
