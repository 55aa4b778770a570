/*
 * test_keys.c - the dashboard's key table (src/tui/keys.c): what the key
 * bar offers as the run goes from running to paused, diverged and ended
 * (space named for what it does then; the keys that act on training gone
 * once it has ended), and that the network view's own keys mean nothing
 * else in another view (but + and -, which the bar and the help name
 * there); the sweep screen's bar, likewise, names space for what it does
 * and offers only the keys that act; the sweep's and the race's keys
 * come from their tables.  Nothing is drawn.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../src/tui/keys.h"

/* The row of t (n rows) for action a, or NULL. */
static const KeyBinding *find_in(const KeyBinding *t, int n, Action a)
{
    for (int i = 0; i < n; i++)
        if (t[i].action == a) return &t[i];
    return NULL;
}

/* The dashboard's row for a (key_table's, else the network view's). */
static const KeyBinding *binding(Action a)
{
    const KeyBinding *k = find_in(key_table, key_count, a);
    if (!k) k = find_in(net_key_table, net_key_count, a);
    if (!k) fail_msg("no key for action %d", (int)a);
    return k;
}

static void space_is_named_for_what_it_does(void **state)
{
    (void)state;
    const KeyBinding *k = binding(ACTION_PAUSE);
    assert_string_equal(keys_bar_word(k, KEYS_RUNNING), "pause");
    assert_string_equal(keys_bar_word(k, KEYS_PAUSED), "resume");
    assert_string_equal(keys_bar_word(k, KEYS_DIVERGED), "resume");
    /* ended: space does nothing (r starts a new run) */
    assert_null(keys_bar_word(k, KEYS_ENDED));
}

static void n_is_offered_only_while_paused(void **state)
{
    (void)state;
    const KeyBinding *k = binding(ACTION_STEP);
    assert_null(keys_bar_word(k, KEYS_RUNNING));
    assert_string_equal(keys_bar_word(k, KEYS_PAUSED), "step");
    assert_null(keys_bar_word(k, KEYS_DIVERGED));
    assert_null(keys_bar_word(k, KEYS_ENDED));
}

/* Once training has ended, what acts on it is refused: the bar offers
 * what still does something, r and o (a new run) first among them. */
static void after_the_end_the_bar_offers_what_still_acts(void **state)
{
    (void)state;
    /* (the bar shows - and del beside + and a, under their words) */
    static const Action gone[] = {ACTION_PAUSE,    ACTION_STEP,      ACTION_LR_UP,
                                  ACTION_FASTER,   ACTION_EDIT,      ACTION_STOP,
                                  ACTION_UNIT_ADD, ACTION_LAYER_ADD, ACTION_ACTIVATION};
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
        if (keys_bar_word(binding(gone[i]), KEYS_ENDED))
            fail_msg("after the end the bar offers '%s'", binding(gone[i])->label);
    static const Action kept[] = {ACTION_RESTART,  ACTION_SETUP,       ACTION_NEXT_VIEW,
                                  ACTION_LOG,      ACTION_SMOOTH_MORE, ACTION_HELP,
                                  ACTION_QUIT,     ACTION_HISTORY,     ACTION_VAL_POINTS,
                                  ACTION_DISCRETE, ACTION_NET_LEFT};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        if (!keys_bar_word(binding(kept[i]), KEYS_ENDED))
            fail_msg("after the end the bar leaves out '%s'", binding(kept[i])->label);
    /* while training runs, stands paused or waits diverged, the keys that
     * change it are there */
    assert_non_null(keys_bar_word(binding(ACTION_LR_UP), KEYS_RUNNING));
    assert_non_null(keys_bar_word(binding(ACTION_STOP), KEYS_PAUSED));
    assert_non_null(keys_bar_word(binding(ACTION_EDIT), KEYS_DIVERGED));
    /* a diverged run waits: s has nothing to stop */
    assert_null(keys_bar_word(binding(ACTION_STOP), KEYS_DIVERGED));
}

/* A teacher who presses d in the network view to discretize the boundary,
 * as d does from every other view, must not lose a layer: the network
 * view's keys are free elsewhere, but + and - (units there, the learning
 * rate elsewhere, as the bar and the help say). */
static void network_keys_mean_nothing_else_in_other_views(void **state)
{
    (void)state;
    for (int i = 0; i < net_key_count; i++) {
        const KeyBinding *k = &net_key_table[i];
        int codes[2] = {k->key, k->alt};
        for (int c = 0; c < 2; c++) {
            if (!codes[c] || k->action == ACTION_UNIT_ADD || k->action == ACTION_UNIT_REMOVE)
                continue;
            Action elsewhere = keys_action(codes[c], false);
            if (elsewhere != ACTION_NONE)
                fail_msg("network view key '%s' (code %d) also means action %d elsewhere", k->label,
                         codes[c], (int)elsewhere);
        }
    }
    assert_int_equal(keys_action('d', true), ACTION_DISCRETE);
    assert_int_equal(keys_action('d', false), ACTION_DISCRETE);
    assert_int_equal(keys_action(KEY_DC, true), ACTION_LAYER_REMOVE);
    /* backspace as a terminal sends it without curses naming it */
    assert_int_equal(keys_action(127, true), ACTION_LAYER_REMOVE);
    assert_int_equal(keys_action(KEY_BACKSPACE, true), ACTION_LAYER_REMOVE);
    assert_int_equal(keys_action('a', true), ACTION_LAYER_ADD);
}

/* The sweep screen takes its keys from its table: every row's keys lead
 * to its action, each action has one row, no key is bound twice, and
 * enter reads the same as the terminal's carriage return. */
static void table_leads_to_its_actions(const KeyBinding *t, int n, Action (*action)(int))
{
    for (int i = 0; i < n; i++) {
        const KeyBinding *k = &t[i];
        assert_int_not_equal(k->action, ACTION_NONE);
        assert_int_equal(action(k->key), k->action);
        if (k->alt) assert_int_equal(action(k->alt), k->action);
        for (int j = 0; j < i; j++) {
            const KeyBinding *o = &t[j];
            if (o->action == k->action) fail_msg("two rows for the action of '%s'", k->label);
            if (o->key == k->key || (k->alt && (o->key == k->alt || o->alt == k->alt)) ||
                (o->alt && o->alt == k->key))
                fail_msg("'%s' and '%s' share a key", o->label, k->label);
        }
    }
}

static void sweep_keys_come_from_their_table(void **state)
{
    (void)state;
    table_leads_to_its_actions(sweep_key_table, sweep_key_count, keys_sweep_action);
    assert_int_equal(keys_sweep_action('\r'), ACTION_SWEEP_OPEN);
    assert_int_equal(keys_sweep_action(KEY_ENTER), ACTION_SWEEP_OPEN);
    assert_int_equal(keys_sweep_action('h'), ACTION_HELP);
    assert_int_equal(keys_sweep_action(KEY_BTAB), ACTION_SWEEP_PREV_PARAM);
    assert_int_equal(keys_sweep_action('x'), ACTION_NONE);
}

/* The race screen takes its keys from its table too, ? for its help and
 * the pace keys with their unshifted twins. */
static void race_keys_come_from_their_table(void **state)
{
    (void)state;
    table_leads_to_its_actions(race_key_table, race_key_count, keys_race_action);
    assert_int_equal(keys_race_action('?'), ACTION_HELP);
    assert_int_equal(keys_race_action('h'), ACTION_HELP);
    assert_int_equal(keys_race_action('.'), ACTION_FASTER);
    assert_int_equal(keys_race_action(','), ACTION_SLOWER);
    assert_int_equal(keys_race_action('e'), ACTION_NONE); /* nothing to edit in a race */
}

static const KeyBinding *sweep_binding(Action a)
{
    const KeyBinding *k = find_in(sweep_key_table, sweep_key_count, a);
    if (!k) fail_msg("no sweep key for action %d", (int)a);
    return k;
}

/* The sweep's bar names space for what it does (resume all once every
 * trial is paused), offers + only under asha, the one scheduler it
 * promotes under, and, once every trial has ended, neither space, p, s
 * nor +. */
static void sweep_bar_offers_keys_where_they_act(void **state)
{
    (void)state;
    const KeyBinding *space = sweep_binding(ACTION_SWEEP_PAUSE_ALL);
    const KeyBinding *plus = sweep_binding(ACTION_SWEEP_PROMOTE);
    SweepKeyState asha = {.asha = true}, none = {0};
    assert_string_equal(keys_sweep_bar_word(space, asha), "pause all");
    assert_string_equal(keys_sweep_bar_word(space, (SweepKeyState){.paused_all = true}),
                        "resume all");
    assert_string_equal(keys_sweep_bar_word(plus, asha), "promote");
    assert_null(keys_sweep_bar_word(plus, none));
    SweepKeyState ended = {.asha = true, .ended = true};
    static const Action gone[] = {ACTION_SWEEP_PAUSE_ALL, ACTION_SWEEP_PAUSE, ACTION_SWEEP_STOP,
                                  ACTION_SWEEP_PROMOTE};
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
        if (keys_sweep_bar_word(sweep_binding(gone[i]), ended))
            fail_msg("after the sweep the bar still offers '%s'", sweep_binding(gone[i])->label);
    /* what still acts then */
    assert_string_equal(keys_sweep_bar_word(sweep_binding(ACTION_SWEEP_BEST), ended), "best run");
    assert_string_equal(keys_sweep_bar_word(sweep_binding(ACTION_SWEEP_OPEN), ended), "open");
    assert_string_equal(keys_sweep_bar_word(sweep_binding(ACTION_QUIT), ended), "quit");
}

/* A sweep started from the setup form whose files stopped it: q goes back
 * to the form (sweepview.c), and the bar says so rather than "quit". */
static void sweep_bar_names_q_for_the_form_it_goes_back_to(void **state)
{
    (void)state;
    SweepKeyState failed = {.ended = true, .to_setup = true};
    assert_string_equal(keys_sweep_bar_word(sweep_binding(ACTION_QUIT), failed), "setup");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(space_is_named_for_what_it_does),
        cmocka_unit_test(n_is_offered_only_while_paused),
        cmocka_unit_test(after_the_end_the_bar_offers_what_still_acts),
        cmocka_unit_test(network_keys_mean_nothing_else_in_other_views),
        cmocka_unit_test(sweep_keys_come_from_their_table),
        cmocka_unit_test(sweep_bar_offers_keys_where_they_act),
        cmocka_unit_test(sweep_bar_names_q_for_the_form_it_goes_back_to),
        cmocka_unit_test(race_keys_come_from_their_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
