#!/bin/sh
# e2e_race.sh - `gradtop race` in a real terminal (tmux): every racer's
# name is on the screen, the race advances, space pauses all racers, q then
# y exits 0 and each racer's run directory is written; the headless form
# prints per-epoch lines for every racer.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_race.sh
# shellcheck disable=SC2015,SC2012,SC2181
# ("[ A ] && [ B ] || fail" is meant: fail exits; the run directory names are
# plain, so ls on a glob is fine; $? is read right after the command)
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_race race race

# the step of a racer in the table
step_of() { screen | awk -v r="$1" '$2 == r && $3 ~ /RUNNING|PAUSED|DONE/ { print $5; exit }'; }

# ---- the race on screen -------------------------------------------------------
start_session race C.UTF-8 "race --logdir '$TMP/runs' --patience 0 --epochs 1000000 --seed 3 spiral"
wait_for 'gradtop race' 15 || fail "the race screen did not appear within 15 s"
for r in sgd adam rmsprop; do
    wait_for " $r +(RUNNING|PAUSED)" 10 || fail "racer $r is not on the screen"
done
echo "ok: all three racers are shown"
s1=$(step_of adam)
sleep 1
s2=$(step_of adam)
[ -n "$s1" ] && [ -n "$s2" ] && [ "$s2" -gt "$s1" ] || fail "the race does not advance: step $s1 then $s2"
echo "ok: the race advances (adam step $s1 -> $s2)"
keys Space
for r in sgd adam rmsprop; do
    wait_for " $r +PAUSED" 5 || fail "space did not pause $r"
done
echo "ok: space pauses every racer"
keys Space
wait_for ' adam +RUNNING' 5 || fail "space did not resume"
quit_q_y race
echo "ok: q, y exits with status 0"
for r in sgd adam rmsprop; do
    d=$(ls -d "$TMP"/runs/*-spiral-"$r" 2>/dev/null | head -n 1)
    [ -n "$d" ] && [ -s "$d/metrics.csv" ] && [ -s "$d/model.gtm" ] ||
        fail "no run files for racer $r in $TMP/runs"
done
echo "ok: each racer's run files are written"

# ---- headless -------------------------------------------------------------------
out=$("$GRADTOP" race --no-log --epochs 2 --racers "sgd:lr=0.05;adam:lr=0.01" spiral </dev/null 2>&1)
[ "$?" = 0 ] || { echo "$out"; fail "the headless race did not exit 0"; }
for r in sgd adam; do
    echo "$out" | grep -Eq "^$r +epoch +2/2 " || { echo "$out"; fail "no epoch line for $r"; }
    echo "$out" | grep -Eq "^result: racer=$r status=completed" || { echo "$out"; fail "no result for $r"; }
done
echo "ok: the headless race prints per-epoch lines and a result per racer"

echo "e2e_race: all passed"
exit 0
