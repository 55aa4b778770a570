#!/bin/sh
# e2e_history.sh - earlier runs behind the dashboard's charts, and a race
# started from the setup screen, driven in a tmux pseudo-terminal:
#   - two finished `gradtop train` runs on iris in a log directory, then the
#     dashboard on iris with the same --logdir: the loss chart's header says
#     "earlier runs: 2"; b hides them (the header says so) and shows them
#     again; q y exits 0;
#   - the setup screen: mode -> race, F10 starts the race screen, which
#     names all three default racers (sgd, adam, rmsprop); q y exits 0.
#
# Run from the project root:
#     GRADTOP=build/gradtop sh tests/e2e_history.sh
# Every wait is bounded; a failure prints what was expected and the screen.
# shellcheck disable=SC2015
# ("[ A ] && [ B ] || fail" is meant: fail exits)
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_history hist hist
IRIS=$PWD/datasets/iris.csv
[ -r "$IRIS" ] || fail "no $IRIS (run from the project root)"

# start NAME ARGS: the program with ARGS in a fresh 120x40 session; its exit
# status goes to $TMP/NAME.exit.
start() { start_session "$1" C.UTF-8 "$2"; }

# ---- two earlier runs ------------------------------------------------------
for i in 1 2; do
    "$GRADTOP" train "$IRIS" --epochs 20 --lr 0.01 --logdir "$TMP/runs" >"$TMP/train$i.out" 2>&1 ||
        {
            cat "$TMP/train$i.out"
            fail "gradtop train (run $i) failed"
        }
    # run directories are named by the second they start in
    [ "$i" = 1 ] && sleep 1.1
done
n=$(find "$TMP/runs" -mindepth 1 -maxdepth 1 -type d | wc -l)
[ "$n" = 2 ] || fail "expected 2 run directories in $TMP/runs, found $n"

# ---- the dashboard shows them ------------------------------------------------
start dash "--start '$IRIS' --logdir '$TMP/runs' --epochs 100000 --patience 0"
wait_for 'RUNNING' 15 || fail "the dashboard did not show RUNNING within 15 s"
wait_for 'earlier runs: 2' 5 || fail "the chart header does not say 'earlier runs: 2'"
screen | grep -qF 'hidden' && fail "earlier runs hidden from the start"
echo "ok: the dashboard says 'earlier runs: 2'"

keys b
wait_for 'earlier runs: 2 \(hidden' 5 || fail "b did not hide the earlier runs"
echo "ok: b hides them"
keys b
wait_gone '\(hidden' 5 || fail "a second b did not show the earlier runs again"
wait_for 'earlier runs: 2' 2 || fail "after b b the header lost 'earlier runs: 2'"
echo "ok: b shows them again"

# at 80 columns the legend gives up its smoothing rather than overwrite the
# title, and the header still marks the current view
resize 80 24
wait_for 'loss   earlier runs: 2 ' 5 || fail "at 80x24 the legend overwrites 'earlier runs: 2'"
wait_for '\[charts\]' 2 || fail "at 80x24 the header does not mark the charts view"
echo "ok: at 80x24 the title, the legend and the current view are all shown"

quit_q_y dash
echo "ok: q y exits 0"

# ---- a race from the setup screen -------------------------------------------
start race "'$IRIS' --no-log --epochs 100000 --patience 0"
wait_for 'F10' 10 || fail "the setup screen did not come up"
wait_for 'mode' 5 || fail "the setup screen has no mode row"
# End: the last button; Up: Start; Up: the mode row (the last field)
keys End
sleep 0.2
keys Up
sleep 0.2
keys Up
sleep 0.2
keys Right
wait_for 'racers' 5 || fail "choosing race did not show the racers row"
keys F10
wait_for 'gradtop race' 20 || fail "F10 in race mode did not open the race screen"
for r in sgd adam rmsprop; do
    wait_for "$r " 5 || fail "the race screen does not name racer $r"
done
screen | grep -Eq '^. sgd +' && screen | grep -Eq '^. adam +' && screen | grep -Eq '^. rmsprop +' ||
    fail "the race table does not list sgd, adam and rmsprop"
echo "ok: race mode in the setup screen starts sgd, adam and rmsprop"
quit_q_y race
echo "ok: q y exits the race with 0"

echo "e2e_history: all passed"
exit 0
