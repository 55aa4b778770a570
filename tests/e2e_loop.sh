#!/bin/sh
# e2e_loop.sh - the loop setup -> train -> change -> again, and the one
# form, in a tmux pseudo-terminal:
#   - in the setup form a value is edited at its cursor: on "epochs 100",
#     left then 5 reads 1050 (the first key does not replace the value);
#   - space while running: the status line says "paused" once PAUSED,
#     never "pausing at the next batch" under PAUSED; the events list says
#     when in epochs, the step in parentheses;
#   - e opens the hyperparameter form: its key bar is the form's (F10
#     apply, esc), not the dashboard's; it offers the pace; F10 applies a
#     rate typed there from the rate row;
#   - r asks whether to keep the seed; n restarts with the next seed, and
#     that run is the one `gradtop train` gives with it (the data split
#     again with the new seed);
#   - o while training asks first; y goes back to the setup form, filled
#     with the rate set live; layers changed there and F10 start a new run
#     with that network, and the finished run is drawn behind the charts as
#     an earlier run;
#   - the epochs view scrolls back with up and says so;
#   - a batch size changed in the middle of an epoch: the step row counts
#     the epoch's batches from the rows left ("batch 11/11", not "11/2").
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_loop.sh
# Every wait is bounded; a failure prints what was expected and the screen.
# shellcheck disable=SC2015
# ("[ A ] && [ B ] || fail" is meant: fail exits)
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
DATA=$PWD/datasets/iris.csv
tmux_harness e2e_loop loop loop

# the status panel's learning rate
lr() { screen | grep -Eo ' lr +[0-9][0-9.e+-]*' | head -n 1 | awk '{print $2}'; }

# ---- the setup form: editing at the cursor ------------------------------
start_session loop C.UTF-8 "--logdir '$TMP/runs' --patience 0 --epochs 100 --seed 42 --pace 20e '$DATA'"
wait_for 'F10' 15 || fail "the setup form did not open"
focus epochs
keys Left
keys 5
wait_for '^ > epochs +1050 ' 5 || fail "left then 5 on 'epochs 100' does not read 1050 (the value was replaced?)"
keys BSpace
wait_for '^ > epochs +100 ' 5 || fail "backspace at the cursor (after the 5) did not give 100 back"
keys C-e 0
wait_for '^ > epochs +1000 ' 5 || fail "ctrl-e then 0 did not append: 1000"
echo "ok: the setup form edits a value at its cursor (1050, 100, 1000)"

# ---- the dashboard: pause, events in epochs ------------------------------
keys F10
wait_for 'RUNNING' 15 || fail "F10 did not start training"
wait_for 'epoch +[1-9][0-9]*/1000' 15 || fail "no epoch finished"
keys Space
wait_for 'PAUSED' 10 || fail "space did not pause"
# the line under the charts says "paused" as soon as PAUSED shows (2 s of
# slack for a loaded machine): a notice of what was asked used to stay 4 s
wait_for '^ paused' 2 || fail "PAUSED, but the status line still says what was asked"
on_screen 'pausing at the next batch' && fail "'pausing at the next batch' stays under PAUSED"
wait_for 'epoch [0-9]+(\.[0-9])? \(step [0-9]+\): paused' 5 ||
    fail "the events list does not say when in epochs, the step in parentheses"
echo "ok: PAUSED reads 'paused', and the events list counts epochs (step in parentheses)"

# ---- the hyperparameter form ---------------------------------------------
keys e
wait_for 'hyperparameters: applied at the next batch' 5 || fail "e did not open the form"
wait_for 'F10 apply' 5 || fail "the form's key bar does not offer F10 apply"
on_screen 'space (pause|resume)' && fail "the dashboard's key bar is drawn while the form is open"
on_screen '│ +pace +20e' || fail "the form does not offer the pace"
wait_for 'o goes back to the setup form' 2 || fail "the form does not point to the setup form for the rest"
keys Down
wait_for '> lr ' 5 || fail "down did not reach the rate row"
keys C-u 0 . 0 5 F10
wait_for 'hyperparameters applied' 5 || fail "F10 did not apply the form"
wait_gone 'F10 apply' 5 || fail "the form's key bar stays after it closed"
[ "$(lr)" = 0.05 ] || fail "the rate typed in the form (0.05) is not on the panel: $(lr)"
echo "ok: the form has its own key bar and the pace; F10 applies (lr 0.05)"

# ---- r: the same seed or a new one ---------------------------------------
keys r
wait_for 'keep seed 42' 5 || fail "r does not ask whether to keep seed 42"
on_screen 'new seed 43' || fail "r does not offer the next seed (43)"
keys n
wait_for 'restarted with seed 43 \(was 42\)' 10 || fail "n did not restart with seed 43"
wait_for 'RUNNING' 10 || fail "the new run does not run"
echo "ok: r asks; n restarts with seed 43"

# ---- the epochs view scrolls back ----------------------------------------
# more epochs than the table's 37 rows at 120x40, so that there is
# something to scroll back to
wait_for 'epoch +([6-9][0-9]|[1-9][0-9][0-9])/1000' 30 || fail "the restarted run did not reach 60 epochs"
keys Tab
wait_for '^ +epoch +step +loss' 5 || fail "tab did not show the epochs table"
keys Up Up Up
wait_for '\(scrolled up\)' 5 || fail "up in the epochs table does not scroll it back"
keys End
wait_gone '\(scrolled up\)' 5 || fail "end does not follow the newest epoch again"
keys Tab Tab Tab Tab Tab
wait_for '\[charts\]' 5 || fail "tab did not come back to the charts"
echo "ok: the epochs table scrolls back and follows again"

# ---- o: back to the setup form, and again --------------------------------
keys o
wait_for 'back to setup\?' 5 || fail "o while training does not ask first"
keys y
wait_for 'setup: choose' 15 || fail "y did not go back to the setup form"
screen | grep -Eq '^   lr +0\.05 ' || fail "the setup form does not hold the rate set live (0.05)"
screen | grep -Eq '^   seed +43 ' || fail "the setup form does not hold the run's seed (43)"
# the command line's marks: kept where its value still holds, gone where
# the run changed it (--seed 42 became 43)
screen | grep -Eq '^   seed +43 .*\(command line\)' && fail "seed 43 is marked as the command line's (it gave 42)"
screen | grep -Eq '^   patience +off .*\(command line\)' || fail "--patience 0, unchanged, lost its '(command line)' mark"
focus layers
keys C-u 8 , 8
wait_for '^ > layers +8,8 ' 5 || fail "layers 8,8 not typed"
keys F10
wait_for '4→8→8→3' 15 || fail "the new run does not have the network chosen (4→8→8→3)"
wait_for 'earlier runs: [1-9]' 15 || fail "the finished runs are not drawn behind the charts"
echo "ok: o goes back to the setup form with the live rate; the next run has layers 8,8 and the earlier runs behind it"
quit_q_y loop
# the run left by o and the last one are both named once the terminal is back
wait_for 'run saved in' 5 || fail "no 'run saved in' after quitting"
[ "$(screen | grep -c 'gradtop: run saved in')" -ge 2 ] ||
    fail "the run ended by o is not named after quitting, only the last one"
[ "$(find "$TMP/runs" -mindepth 1 -maxdepth 1 -type d | wc -l)" -ge 3 ] ||
    fail "three runs were started, yet $(find "$TMP/runs" -mindepth 1 -maxdepth 1 -type d | wc -l) run directories"

# ---- a batch size changed mid-epoch: the step row stays true -------------
# iris has 120 training rows: at batch 8, 15 batches an epoch.  Ten
# batches (80 rows), then batch 64: the 40 rows left are one batch more,
# so the epoch has 11 batches, not ceil(120 / 64) = 2.
start_session batch C.UTF-8 "--start --no-log --paused --patience 0 --epochs 1000 --batch-size 8 --seed 1 '$DATA'"
wait_for 'PAUSED' 15 || fail "--paused did not show PAUSED"
_n=1
while [ "$_n" -le 10 ]; do
    keys n
    wait_for "step +$_n  \\(batch $_n/15\\)" 5 || fail "n did not take batch $_n of 15"
    _n=$((_n + 1))
done
keys e
wait_for 'hyperparameters: applied at the next batch' 5 || fail "e did not open the form"
until screen | grep -q '> batch size '; do
    [ "${_d:-0}" -lt 20 ] || fail "cannot reach the batch size row"
    keys Down
    _d=$((${_d:-0} + 1))
    wait_for '> batch size ' 1 || true
done
keys C-u 6 4 F10
wait_for 'hyperparameters applied' 5 || fail "F10 did not apply batch size 64"
keys n
wait_for 'step +11  \(batch 11/11\)' 5 ||
    fail "after batch 64 at 80 of 120 rows, the step row does not read 'batch 11/11'"
on_screen 'batch 1[01]/2\)' && fail "the step row counts the epoch's batches at the new size alone"
echo "ok: a batch size changed mid-epoch: 'batch 11/11', not '11/2'"
quit_q_y batch

# ---- r, n: the run with the next seed is what train gives with it --------
# The seed splits the data too, so the restarted run must load it again:
# its epochs equal those of `gradtop train --seed 43` (wall times aside).
start_session seed C.UTF-8 "--start --logdir '$TMP/seed' --patience 0 --epochs 3 --seed 42 '$DATA'"
wait_for 'DONE' 15 || fail "a 3-epoch run did not end DONE"
keys r
wait_for 'keep seed 42' 5 || fail "r does not ask"
keys n
wait_for 'restarted with seed 43' 10 || fail "n did not restart with seed 43"
wait_for 'DONE' 15 || fail "the run with seed 43 did not end DONE"
quit_exits seed 0
"$GRADTOP" train --seed 43 --patience 0 --epochs 3 --logdir "$TMP/head" "$DATA" >/dev/null 2>&1 ||
    fail "gradtop train --seed 43 failed"
live=$(grep -l '^seed = 43$' "$TMP"/seed/*/config.txt | head -n 1)
[ -n "$live" ] || fail "no run directory records seed=43"
cut -d, -f1,2,4- "$(dirname "$live")/metrics.csv" > "$TMP/live.csv"
cut -d, -f1,2,4- "$TMP"/head/*/metrics.csv > "$TMP/head.csv"
cmp -s "$TMP/live.csv" "$TMP/head.csv" ||
    fail "the run restarted with seed 43 differs from train --seed 43: $(diff "$TMP/live.csv" "$TMP/head.csv" | head -n 4)"
echo "ok: r, n gives the run train --seed 43 gives (the same epochs)"
echo "e2e_loop: all passed"
