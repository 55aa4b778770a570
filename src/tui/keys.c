/*
 * keys.c - the key table and the key bar.  See keys.h.
 */
#include "keys.h"

#include <string.h>

#include "crt.h"

/* The loss charts' keys, the dashboard's and the race's alike. */
/* clang-format off */
#define CHART_KEY_ROWS \
    {'l', 0, "l", "log-y", "toggle a logarithmic loss axis", ACTION_LOG}, \
    {'[', 0, "[", NULL, "less smoothing", ACTION_SMOOTH_LESS}, \
    {']', 0, "]", "smooth", "more smoothing (TensorBoard's debiased EMA)", ACTION_SMOOTH_MORE}
/* clang-format on */

const KeyBinding key_table[] = {
    {' ', 0, "space", "pause", "pause or resume training (resumes a diverged run too)",
     ACTION_PAUSE},
    {'n', 0, "n", "step", "while paused: train one batch", ACTION_STEP},
    /* on the bar with n, as "nN step" */
    {'N', 0, "N", NULL, "while paused: train to the end of the epoch, at once, then pause",
     ACTION_STEP_EPOCH},
    {'+', '=', "+", "lr*2", "double the learning rate, from the next batch", ACTION_LR_UP},
    {'-', '_', "-", "lr/2", "halve the learning rate, from the next batch", ACTION_LR_DOWN},
    {'>', '.', ">", "pace", "train faster: the next pace up to max (max, 50e ... 1e, 10b ... 1b)",
     ACTION_FASTER},
    {'<', ',', "<", NULL, "train slower, to watch: the next pace down, to 1 batch a second",
     ACTION_SLOWER},
    {'e', 0, "e", "edit",
     "edit learning rate, batch size, optimizer and its parameters, L1/L2, dropout, patience, "
     "pace; a generated set's noise and val-split (drawn again with the same seed)",
     ACTION_EDIT},
    {'s', 0, "s", "stop", "stop now, keeping the best weights", ACTION_STOP},
    {'r', 0, "r", "restart",
     "restart with the current settings (a new run): k keeps the seed, n takes the next one",
     ACTION_RESTART},
    {'o', 0, "o", "setup",
     "back to the setup form, filled with the current settings (changes made live "
     "included); the run ends and stays behind the charts as an earlier run",
     ACTION_SETUP},
    CHART_KEY_ROWS,
    {'\t', 0, "tab", "view",
     "next view: charts, epochs, decision boundary, gradient estimate, network, confusion",
     ACTION_NEXT_VIEW},
    {KEY_BTAB, 0, "S-tab", NULL, "previous view", ACTION_PREV_VIEW},
    {'x', 0, "x", NULL, "boundary view: the next pair of features (the others at their mean)",
     ACTION_PAIR},
    {'p', 0, "p", NULL, "boundary view: the plane of the first two principal components",
     ACTION_PCA},
    {'v', 0, "v", "val", "boundary view: show or hide the validation points", ACTION_VAL_POINTS},
    {'d', 0, "d", "discretize", "boundary view: hard class regions or shades of confidence",
     ACTION_DISCRETE},
    {'g', 0, "g", NULL, "gradient view: gradcheck the model (backprop against finite differences)",
     ACTION_GRADCHECK},
    {'w', 0, "w", NULL,
     "after a run file could not be written (a full disk), which pauses training: go on "
     "without run files",
     ACTION_NO_LOG},
    {'?', 'h', "?", "help", "show or hide this help", ACTION_HELP},
    {'q', 0, "q", "quit", "quit (asks first while training runs; y confirms)", ACTION_QUIT},
    /* last, so that the bar shows it only when there is room to spare */
    {'b', 0, "b", "earlier", "show or hide earlier runs on this dataset behind the charts",
     ACTION_HISTORY},
};
const int key_count = (int)(sizeof key_table / sizeof key_table[0]);

const KeyBinding net_key_table[] = {
    {KEY_LEFT, 0, "left", "choose", "network view: choose the layer before", ACTION_NET_LEFT},
    {KEY_RIGHT, 0, "right", NULL, "network view: choose the next layer", ACTION_NET_RIGHT},
    {KEY_UP, 0, "up", NULL, "network view: choose the unit above", ACTION_NET_UP},
    {KEY_DOWN, 0, "down", NULL, "network view: choose the unit below", ACTION_NET_DOWN},
    {'+', '=', "+", "unit",
     "network view: add a unit after the chosen one (its outgoing weights start at 0, so the "
     "outputs do not change), at the next batch",
     ACTION_UNIT_ADD},
    {'-', '_', "-", NULL, "network view: remove the chosen unit and its weights",
     ACTION_UNIT_REMOVE},
    {'a', 0, "a", "layer",
     "network view: add a hidden layer after the chosen layer, as wide, starting as close to "
     "the identity as its activation allows",
     ACTION_LAYER_ADD},
    /* not d, which discretizes the boundary from every view */
    {KEY_DC, KEY_BACKSPACE, "del", NULL,
     "network view: remove the chosen hidden layer (folded into the next); backspace too",
     ACTION_LAYER_REMOVE},
    {'c', 0, "c", "activation", "network view: the chosen hidden layer's next activation",
     ACTION_ACTIVATION},
};
const int net_key_count = (int)(sizeof net_key_table / sizeof net_key_table[0]);

static Action table_action(const KeyBinding *t, int n, int ch)
{
    for (int i = 0; i < n; i++)
        if (ch == t[i].key || (t[i].alt && ch == t[i].alt)) return t[i].action;
    return ACTION_NONE;
}

Action keys_sweep_action(int ch)
{
    if (ch == '\r') ch = '\n';
    return table_action(sweep_key_table, sweep_key_count, ch);
}

Action keys_race_action(int ch)
{
    return table_action(race_key_table, race_key_count, ch);
}

Action keys_action(int ch, bool network)
{
    /* backspace as the terminal sends it when curses does not name it */
    if (ch == 127 || ch == 8) ch = KEY_BACKSPACE;
    Action a = network ? table_action(net_key_table, net_key_count, ch) : ACTION_NONE;
    return a != ACTION_NONE ? a : table_action(key_table, key_count, ch);
}

/* What the bar gives up first when it is too narrow for every entry:
 * help and quit stay, and ? lists whatever the bar left out. */
static const Action drop_order[] = {
    ACTION_HISTORY,    ACTION_SMOOTH_MORE, ACTION_LOG,  ACTION_SETUP, ACTION_RESTART,
    ACTION_EDIT,       ACTION_FASTER,      ACTION_STEP, ACTION_LR_UP, ACTION_DISCRETE,
    ACTION_VAL_POINTS, ACTION_NEXT_VIEW,   ACTION_STOP, ACTION_PAUSE,
};

static KeysBarMode bar_mode;

void keys_bar_mode(KeysBarMode mode)
{
    bar_mode = mode;
}

bool keys_not_taken(Action a)
{
    if (bar_mode == KEYS_BAR_SWEEP_RUN) return a == ACTION_SETUP;
    return bar_mode == KEYS_BAR_TRIAL &&
           (a == ACTION_SETUP || a == ACTION_RESTART || a == ACTION_UNIT_ADD ||
            a == ACTION_UNIT_REMOVE || a == ACTION_LAYER_ADD || a == ACTION_LAYER_REMOVE ||
            a == ACTION_ACTIVATION);
}

const char *keys_quit_help(void)
{
    switch (bar_mode) {
    case KEYS_BAR_TRIAL: return "back to the sweep, the trial going on (esc too)";
    case KEYS_BAR_SWEEP_RUN:
        return "back to the sweep (asks first while training runs; y confirms)";
    case KEYS_BAR_RUN: break;
    }
    return NULL;
}

const char *keys_bar_word(const KeyBinding *k, KeyState st)
{
    switch (k->action) {
    case ACTION_PAUSE:
        if (st == KEYS_ENDED) return NULL;
        return k->bar && st != KEYS_RUNNING ? "resume" : k->bar;
    case ACTION_STEP: return st == KEYS_PAUSED ? k->bar : NULL;
    case ACTION_STOP: return st == KEYS_RUNNING || st == KEYS_PAUSED ? k->bar : NULL;
    /* what changes the training in progress: refused once it has ended */
    case ACTION_LR_UP:
    case ACTION_LR_DOWN:
    case ACTION_FASTER:
    case ACTION_SLOWER:
    case ACTION_EDIT:
    case ACTION_UNIT_ADD:
    case ACTION_UNIT_REMOVE:
    case ACTION_LAYER_ADD:
    case ACTION_LAYER_REMOVE:
    case ACTION_ACTIVATION: return st == KEYS_ENDED ? NULL : k->bar;
    default: return k->bar;
    }
}

/* The bar's text for entry k in state st: its keys ("[]" and "+-" each
 * stand for a pair) and its word; false for entries the bar does not
 * show. */
static bool bar_entry(const KeyBinding *k, KeyState st, bool boundary, const char **keys,
                      const char **word)
{
    if (keys_not_taken(k->action)) return false;
    if (bar_mode != KEYS_BAR_RUN && k->action == ACTION_QUIT) {
        *keys = "q";
        *word = "back to sweep";
        return true;
    }
    /* the boundary view's own keys, only while it is shown */
    bool own = k->action == ACTION_VAL_POINTS || k->action == ACTION_DISCRETE;
    const char *said = keys_bar_word(k, st);
    if (!said || k->action == ACTION_LR_DOWN || (own && !boundary)) return false;
    *keys = k->action == ACTION_SMOOTH_MORE ? "[]"
            : k->action == ACTION_LR_UP     ? "+-"
            : k->action == ACTION_FASTER    ? "<>"
            : k->action == ACTION_STEP      ? "nN"
            : k->action == ACTION_UNIT_ADD  ? "+-"
            : k->action == ACTION_LAYER_ADD ? "a/del"
            : k->action == ACTION_NET_LEFT  ? (crt_utf8() ? "\u2190\u2192\u2191\u2193" : "arrows")
                                            : k->label;
    *word = k->action == ACTION_LR_UP ? "lr" : said;
    return true;
}

void keys_draw_bar(WINDOW *w, int y, int width, KeyState st, bool boundary, bool network)
{
    /* the network view's keys first while it shows, then the others but
     * the learning rate's, whose + and - edit units there */
    enum { N = sizeof key_table / sizeof key_table[0] };
    const KeyBinding *entry[64];
    bool shown[64] = {false};
    int n = 0, total = 0;
    const char *keys = "", *word = "";
    for (int i = 0; network && i < net_key_count && n < 64; i++) entry[n++] = &net_key_table[i];
    for (int i = 0; i < N && n < 64; i++)
        if (!network || key_table[i].action != ACTION_LR_UP) entry[n++] = &key_table[i];
    for (int i = 0; i < n; i++)
        if ((shown[i] = bar_entry(entry[i], st, boundary, &keys, &word)))
            total += crt_width(keys) + (int)strlen(word) + 3;
    total -= 2; /* no gap after the last entry */
    for (size_t d = 0; total > width && d < sizeof drop_order / sizeof drop_order[0]; d++)
        for (int i = 0; i < n; i++)
            if (shown[i] && entry[i]->action == drop_order[d]) {
                bar_entry(entry[i], st, boundary, &keys, &word);
                total -= crt_width(keys) + (int)strlen(word) + 3;
                shown[i] = false;
            }
    int x = 0;
    crt_set(w, ROLE_KEYTEXT);
    mvwhline(w, y, 0, ' ', width);
    for (int i = 0; i < n; i++) {
        if (!shown[i]) continue;
        bar_entry(entry[i], st, boundary, &keys, &word);
        int kw = crt_width(keys);
        if (x + kw + (int)strlen(word) + 1 > width) break;
        crt_set(w, ROLE_KEY);
        crt_puts(w, y, x, width - x, keys);
        x += kw;
        crt_set(w, ROLE_KEYTEXT);
        crt_puts(w, y, x + 1, width - x - 1, word);
        x += (int)strlen(word) + 3;
    }
    crt_set(w, ROLE_NORMAL);
}

/* The sweep screen's keys (sweepview.c takes them; the manual lists them). */
const KeyBinding sweep_key_table[] = {
    {' ', 0, "space", "pause all",
     "pause every trial, and those that start later; again resumes them", ACTION_SWEEP_PAUSE_ALL},
    {'p', 0, "p", "pause", "pause or resume the trial under the cursor", ACTION_SWEEP_PAUSE},
    {'s', 0, "s", "stop",
     "stop the trial under the cursor after its batch (asks first); it ends as "
     "stopped and is never promoted",
     ACTION_SWEEP_STOP},
    {'+', 0, "+", "promote",
     "asha: the trial under the cursor, waiting at a rung, trains on to the next rung whatever "
     "its rank",
     ACTION_SWEEP_PROMOTE},
    {'\n', KEY_ENTER, "enter", "open",
     "open the trial under the cursor in the full dashboard, with all its "
     "controls (changes made there are the trial's, and journaled); a trial "
     "that has ended opens in the run view, its curves beside the best "
     "trial's; esc comes back",
     ACTION_SWEEP_OPEN},
    {'a', 0, "a", "best run",
     "train the best configuration so far for the full --max-epochs, in the "
     "dashboard, while the sweep goes on",
     ACTION_SWEEP_BEST},
    {'o', 0, "o", "order", "order the rows by best figure or by trial number", ACTION_SWEEP_ORDER},
    {'\t', 0, "tab", "param", "show the next parameters' scatters when not all fit",
     ACTION_SWEEP_NEXT_PARAM},
    {KEY_BTAB, 0, "S-tab", NULL, "the previous parameters' scatters", ACTION_SWEEP_PREV_PARAM},
    {'?', 'h', "?", "help", "this help", ACTION_HELP},
    {'q', 0, "q", "quit",
     "stop every trial after its batch, write the files and quit (asks first "
     "while trials run); a sweep started from the setup form that its files "
     "stopped goes back to the form instead, which says why",
     ACTION_QUIT},
};
const int sweep_key_count = sizeof sweep_key_table / sizeof sweep_key_table[0];

const char *keys_sweep_bar_word(const KeyBinding *k, SweepKeyState st)
{
    switch (k->action) {
    case ACTION_SWEEP_PAUSE_ALL:
        if (st.ended) return NULL;
        return k->bar && st.paused_all ? "resume all" : k->bar;
    case ACTION_SWEEP_PAUSE:
    case ACTION_SWEEP_STOP: return st.ended ? NULL : k->bar;
    case ACTION_SWEEP_PROMOTE: return st.asha && !st.ended ? k->bar : NULL;
    case ACTION_QUIT: return st.to_setup ? "setup" : k->bar;
    default: return k->bar;
    }
}

/* The race screen's keys (race.c takes them, and draws its bar from what
 * the racers do). */
const KeyBinding race_key_table[] = {
    {' ', 0, "space", "pause all",
     "pause every racer while any trains; else resume them (a diverged one from its last "
     "finite weights)",
     ACTION_PAUSE},
    {'n', 0, "n", "step all", "while paused: one batch for every paused racer", ACTION_STEP},
    {'>', '.', ">", "pace", "every racer faster: the next pace up to max", ACTION_FASTER},
    {'<', ',', "<", NULL, "every racer slower, to watch: the next pace down", ACTION_SLOWER},
    {'s', 0, "s", "stop all", "stop every racer now, each keeping its best weights", ACTION_STOP},
    {'w', 0, "w", NULL,
     "after a racer's run file could not be written (a full disk), which pauses it: go on "
     "without run files",
     ACTION_NO_LOG},
    CHART_KEY_ROWS,
    {'?', 'h', "?", "help", "show or hide this help", ACTION_HELP},
    {'q', 0, "q", "quit", "quit (asks first while a racer trains; y confirms)", ACTION_QUIT},
};
const int race_key_count = (int)(sizeof race_key_table / sizeof race_key_table[0]);
