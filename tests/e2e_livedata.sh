#!/bin/sh
# e2e_livedata.sh - a generated set's noise and validation split changed
# while it trains, as a teacher does in the TensorFlow Playground (tmux):
# spiral started paused; in the edit form (e) noise 0.4 draws the same
# points again with more noise at once (no batch runs): the boundary view's
# points move, the status line, journal.txt and config.txt say so; then
# val-split 0.4 sends 200 rows to validation, which the confusion matrix
# counts; training goes on, and o takes both values back to the setup
# form.  A data file's edit form has no such rows and says why.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_livedata.sh
# Every wait is bounded; a failure prints what was expected and the screen.
# shellcheck disable=SC2015
# ("[ A ] && [ B ] || fail" is meant: fail exits)
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_livedata livedata livedata
LOGS=$TMP/logs

# the one run directory under $LOGS
rundir() { for d in "$LOGS"/*/; do echo "${d%/}"; done | head -n 1; }
journal_has() { grep -q -- "$1" "$(rundir)/journal.txt" 2>/dev/null; }
config_has() { grep -qx -- "$1" "$(rundir)/config.txt" 2>/dev/null; }
# the map left of the panel: rows of half blocks, with the points over them
map() { screen | sed 's/│.*//' | grep '▀▀▀▀▀▀▀▀▀▀'; }
map_drawn() { [ "$(map | wc -l)" -ge 10 ]; }
points() { map | grep -o '[●○]' | wc -l; }
map_moved() { map_drawn && [ "$(map)" != "$1" ]; }
# focus_row LABEL: Down until the form's focused row is LABEL (at most 30)
focus_row() {
    _d=0
    until screen | grep -Eq "│ > $1 "; do
        [ "$_d" -lt 30 ] || fail "cannot reach the form's $1 row"
        keys Down
        _d=$((_d + 1))
        wait_for "> $1 " 1 || true
    done
}

start_session spiral C.UTF-8 "--start --logdir '$LOGS' --paused --patience 0 --epochs 100000 --seed 1 spiral"
wait_for 'PAUSED' 15 || fail "--paused did not show PAUSED"
tab_to boundary
poll 5 map_drawn || fail "paused at step 0: the boundary map is not drawn"
poll 5 test "$(points)" -gt 50 || fail "the map shows $(points) points, not the spiral's"
before=$(map)
echo "ok: spiral paused at step 0, the boundary map drawn with $(points) points"

# ---- noise 0.4: the same points, moved, at once ----------------------------
keys e
wait_for 'hyperparameters: applied at the next batch' 5 || fail "e did not open the form"
wait_for 'network, dataset, epochs, seed: o goes back to the setup form' 2 ||
    fail "the form's pointer to the setup form does not leave the data to this form"
focus_row noise
on_screen '> noise +default +\(0\.05\)' || fail "the noise row does not show spiral's default 0.05"
on_screen 'drawn again with the same seed at the next batch; the weights stay' ||
    fail "the noise row's help does not say how the data changes"
keys C-u 0 . 4 F10
wait_for 'data drawn again with seed 1: noise 0\.05 -> 0\.4' 5 ||
    fail "F10 did not say the data was drawn again with noise 0.4"
poll 5 journal_has 'step=0 epoch=0 change data: noise 0.05 -> 0.4$' ||
    fail "journal.txt does not record the change: $(tail -n 2 "$(rundir)/journal.txt")"
poll 5 config_has 'noise = 0.4' || fail "config.txt does not carry noise 0.4"
poll 5 map_moved "$before" || fail "the boundary view's points did not move with the new noise"
on_screen 'step +0 ' || fail "the change ran a batch while paused"
on_screen 'PAUSED' || fail "the change resumed the paused run"
echo "ok: noise 0.4 drew the points again at once (step 0): map, status line, journal, config.txt"
T capture-pane -p -e -t "$PANE" >"$TMP/noise.ansi"

# ---- val-split 0.4: the confusion matrix counts the new validation part ---
tab_to confusion
wait_for 'confusion matrix · 100 validation rows' 5 || fail "the confusion matrix does not count 100 validation rows"
keys e
wait_for 'hyperparameters: applied at the next batch' 5 || fail "e did not open the form"
focus_row 'val split'
keys C-u 0 . 4 F10
wait_for 'val-split 0\.2 -> 0\.4 \(400 -> 300 training rows\)' 5 ||
    fail "F10 did not say the split changed (400 -> 300 training rows)"
wait_for 'confusion matrix · 200 validation rows .* step 0' 5 ||
    fail "the confusion matrix does not count the new split's 200 validation rows"
poll 5 journal_has 'change data: val-split 0.2 -> 0.4 (400 -> 300 training rows)' ||
    fail "journal.txt does not record the new split"
poll 5 config_has 'val-split = 0.4' || fail "config.txt does not carry val-split 0.4"
echo "ok: val-split 0.4: 200 validation rows in the confusion matrix, journal and config.txt"

# ---- training goes on; o takes both values back to the setup form ---------
keys Space
wait_for 'RUNNING' 5 || fail "space did not resume"
wait_for 'epoch +([3-9]|[1-9][0-9]+)/100000' 30 || fail "training did not go on over the new data"
tab_to charts
wait_for '▲ epoch 0 \(step 0\): data: noise' 5 || fail "the events list does not mark the change of the data"
keys o
wait_for 'back to setup\?' 5 || fail "o while training does not ask first"
keys y
wait_for 'setup: choose' 15 || fail "y did not go back to the setup form"
screen | grep -Eq '^ +noise +0\.4 ' || fail "the setup form does not hold the noise set live (0.4)"
screen | grep -Eq '^ +val split +0\.4 ' || fail "the setup form does not hold the split set live (0.4)"
echo "ok: training went on; o took noise 0.4 and val-split 0.4 back to the setup form"
# nothing changed on the form since it opened: esc quits at once
keys Escape
wait_file "$TMP/spiral.exit" 10 || fail "esc did not quit the setup form, unchanged since it opened"
[ "$(cat "$TMP/spiral.exit")" = 0 ] || fail "the program exited with status $(cat "$TMP/spiral.exit"), not 0"

# ---- a data file: no such rows, and the form says why ---------------------
start_session file C.UTF-8 "--start --no-log --paused --seed 1 '$PWD/datasets/iris.csv'"
wait_for 'PAUSED' 15 || fail "--paused did not show PAUSED"
keys e
wait_for 'hyperparameters: applied at the next batch' 5 || fail "e did not open the form"
wait_for 'noise, split live for generated sets only; o goes back to the setup form' 2 ||
    fail "a data file's form does not say why noise and val-split are not there"
on_screen '│ +>? *noise ' && fail "a data file's form offers the noise"
on_screen '│ +>? *val split ' && fail "a data file's form offers the split"
echo "ok: a data file's form offers neither, and says why"
keys Escape
keys q
wait_for 'Quit now' 5 && keys y
wait_file "$TMP/file.exit" 10 || fail "q did not quit the paused run"
[ "$(cat "$TMP/file.exit")" = 0 ] || fail "the program exited with status $(cat "$TMP/file.exit"), not 0"

echo "e2e_livedata: all passed"
exit 0
