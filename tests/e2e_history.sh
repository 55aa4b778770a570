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

# ---- an earlier run far above this one does not flatten it ---------------------
# A teacher shows a rate too high, then one too small: the first run's loss
# in the hundreds once owned the range, and the second's curve, at 0.8,
# lay on the floor beside a "0" tick.
"$GRADTOP" train "$IRIS" --optimizer sgd --lr 5 --epochs 3 --patience 0 \
    --logdir "$TMP/hot" >"$TMP/hot.out" 2>&1 || true
hot_max=$(find "$TMP/hot" -name metrics.csv -exec awk -F, 'NR > 1 {
    for (i = 4; i <= 6; i += 2) if ($i > m) m = $i } END { print m + 0 }' {} \;)
awk -v m="$hot_max" 'BEGIN { exit !(m > 20) }' ||
    fail "the earlier run at lr 5 did not reach a loss above 20 (max $hot_max): no test"
start cold "--start '$IRIS' --optimizer sgd --lr 0.00001 --epochs 5 --patience 0 --logdir '$TMP/hot'"
wait_for 'DONE' 20 || fail "the run at lr 1e-5 did not end"
wait_for 'loss   earlier runs: 1' 2 || fail "the earlier run at lr 5 is not behind the charts"
top=$(axis_max 'loss   earlier' '^accuracy')
awk -v t="$top" 'BEGIN { exit !(t != "none" && t < 5) }' ||
    fail "the earlier run (max loss $hot_max) owns the loss axis: its top tick is $top"
on_screen 'earlier runs: 1 \(above: top edge\)' ||
    fail "the chart does not say the earlier run's higher points are on its top edge"
echo "ok: an earlier run's loss of $hot_max leaves the axis to this run's (top tick $top)"
quit_exits cold 0

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
