#!/bin/sh
# e2e_pace.sh - the pace and --paused in the real dashboard, in a tmux
# pseudo-terminal: --pace 10e makes 20 epochs of iris take at least 1.6 s
# of wall time (a lower bound: 2 s asked, less a fifth) and still end DONE;
# --paused shows PAUSED at epoch 0, step 0, and no batch runs until space;
# < and > walk the pace ladder on the status panel; a batch waiting for a
# slow pace (one batch per 100 s) goes at once when > raises the pace;
# race --paused holds every racer at step 0, and > raises every racer's
# pace (the header says which); the setup form's pace field starts the
# dashboard at the pace typed there; N trains the rest of the epoch at
# once, whatever the pace, and pauses again at its end.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_pace.sh
# Every wait is bounded; a failure prints what was expected and the screen.
# shellcheck disable=SC2015
# ("[ A ] && [ B ] || fail" is meant: fail exits)
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
DATA=$PWD/datasets/iris.csv
tmux_harness e2e_pace pace pace

# The status panel's step counter and pace.
step() { screen | sed -n 's/.* step  *\([0-9][0-9]*\)  (batch.*/\1/p' | head -n 1; }
pace() { screen | sed -n 's/.* pace  *\([^│]*[^ │]\) *│*.*/\1/p' | head -n 1; }
now() { date +%s.%N; }

# ---- --pace 10e: 20 epochs take at least 2 s (less a fifth) ------------
t0=$(now)
start_session paced C.UTF-8 "--start --no-log --patience 0 --epochs 20 --seed 1 --pace 10e '$DATA'"
wait_for 'RUNNING|DONE' 15 || fail "the dashboard did not start within 15 s"
on_screen 'pace +10 epochs/s' || fail "the status panel does not show 'pace 10 epochs/s'"
wait_for 'DONE' 60 || fail "20 epochs at 10 epochs/s did not end DONE within 60 s"
t1=$(now)
took=$(echo "$t1 $t0" | awk '{printf "%.3f", $1 - $2}')
awk -v t="$took" 'BEGIN { exit !(t >= 1.6) }' ||
    fail "20 epochs at --pace 10e took $took s, under the 1.6 s lower bound"
on_screen 'epoch +20/20' || fail "DONE, but not at epoch 20/20"
echo "ok: --pace 10e: 20 epochs took $took s (>= 1.6 s) and ended DONE"
quit_exits paced 0

# ---- --paused: nothing runs until space ----------------------------------
start_session paused C.UTF-8 "--start --no-log --patience 0 --epochs 1000000 --seed 1 --paused '$DATA'"
wait_for 'PAUSED' 15 || fail "--paused did not show PAUSED"
on_screen 'epoch +0/1000000' || fail "--paused: not at epoch 0/1000000"
s1=$(step)
[ "$s1" = 0 ] || fail "--paused: step is '$s1', not 0"
sleep 0.5
s2=$(step)
[ "$s2" = 0 ] || fail "--paused: a batch ran without space (step $s2)"
echo "ok: --paused shows PAUSED at epoch 0, step 0, and stays there"

# ---- < and > walk the ladder ---------------------------------------------
[ "$(pace)" = max ] || fail "the default pace reads '$(pace)', not max"
keys '<'
wait_for 'pace +50 epochs/s' 5 || fail "< from max did not give 50 epochs/s"
keys '<' '<'
wait_for 'pace +10 epochs/s' 5 || fail "< < from 50e did not give 10 epochs/s"
keys '>' '>' '>'
wait_for 'pace +max' 5 || fail "> > > from 10e did not give max"
echo "ok: < and > walk the pace ladder (max, 50e, 20e, 10e and back)"

# ---- space starts ----------------------------------------------------------
keys Space
# shellcheck disable=SC2317 # run through poll
moved() { s3=$(step); [ "${s3:-0}" -gt 0 ] 2>/dev/null; }
poll 15 moved || fail "space did not start training (step ${s3:-?})"
echo "ok: space starts the paused run (step $s3)"
quit_q_y paused

# ---- a batch waiting for a slow pace takes a faster one at once -----------
start_session slow C.UTF-8 "--start --no-log --patience 0 --epochs 1000 --seed 1 --pace 0.01b '$DATA'"
wait_for 'pace +0.01 batches/s' 15 || fail "--pace 0.01b is not shown as 0.01 batches/s"
# shellcheck disable=SC2317 # run through poll
at_one() { [ "$(step)" = 1 ]; }
poll 15 at_one || fail "the first batch did not run (step $(step))"
sleep 0.5
[ "$(step)" = 1 ] || fail "at one batch per 100 s a second batch ran (step $(step))"
keys '>'
wait_for 'pace +1 batch/s' 5 || fail "> from 0.01b did not give 1 batch/s"
# shellcheck disable=SC2317 # run through poll
past_one() { s4=$(step); [ "${s4:-0}" -gt 1 ] 2>/dev/null; }
poll 15 past_one || fail "the waiting batch did not take the faster pace (step ${s4:-?})"
echo "ok: a batch waiting at 0.01b goes once > raises the pace (step $s4)"
keys s
wait_for 'EARLY STOPPED' 10 || fail "s did not stop the slow run"
echo "ok: s stops a run that waits for its pace"
quit_exits slow 0

# ---- N: the rest of the epoch at once, then paused again -----------------
# iris's 120 training rows are 4 batches of 32.  At one batch per 100 s,
# N must not wait for the pace, and must stop at the epoch's end.
start_session epochstep C.UTF-8 "--start --logdir '$TMP/runs' --patience 0 --epochs 1000 --seed 1 --paused --pace 0.01b '$DATA'"
wait_for 'PAUSED' 15 || fail "N: --paused did not show PAUSED"
on_screen 'nN step' || fail "N: the key bar does not offer nN step while paused"
keys n
wait_for 'step +1  \(batch 1/4\)' 10 || fail "N: n did not take one batch (step $(step))"
keys N
wait_for 'step +4  \(batch 4/4\)' 15 || fail "N: N did not train to the end of epoch 1 (step $(step))"
wait_for 'epoch +1/1000' 10 || fail "N: epoch 1 did not end"
sleep 0.5
[ "$(step)" = 4 ] || fail "N: training went on past the epoch's end (step $(step))"
on_screen 'PAUSED' || fail "N: not paused after the epoch"
keys N
wait_for 'step +8  \(batch 4/4\)' 15 || fail "N: a second N did not train epoch 2 whole (step $(step))"
wait_for 'epoch +2/1000' 10 || fail "N: epoch 2 did not end"
metrics=$(echo "$TMP"/runs/*/metrics.csv)
awk -F, 'NR == 2 && $1 == 1 && $2 == 4 { a = 1 } NR == 3 && $1 == 2 && $2 == 8 { b = 1 }
    END { exit !(a && b) }' "$metrics" || fail "N: metrics.csv does not end epochs 1 and 2 at steps 4 and 8"
grep -q 'step=1 epoch=0 step to the end of epoch 1$' "$TMP"/runs/*/journal.txt ||
    fail "N: the journal does not say 'step to the end of epoch 1'"
echo "ok: N trains to the end of the epoch at once and pauses (steps 4 and 8, metrics.csv agrees)"
quit_q_y epochstep

# ---- race: --paused and the pace keys ------------------------------------
start_session race C.UTF-8 "race --no-log --patience 0 --epochs 1000000 --pace 2e --paused '$DATA'"
wait_for 'pace 2 epochs/s' 15 || fail "race: the header does not give 'pace 2 epochs/s'"
wait_for 'sgd +PAUSED +0/1000000 +0 ' 15 || fail "race --paused: sgd is not PAUSED at step 0"
on_screen 'adam +PAUSED +0/1000000 +0 ' || fail "race --paused: adam is not PAUSED at step 0"
keys '>'
wait_for 'pace 5 epochs/s' 5 || fail "race: > from 2e did not give 5 epochs/s"
on_screen 'pace 5 epochs/s for every racer' || fail "race: > did not say it holds for every racer"
keys Space
wait_for 'sgd +RUNNING' 5 || fail "race: space did not start the paused racers"
echo "ok: race --paused holds every racer at step 0; > raises the pace of all"
keys s
# every row's status (the snapshot, which q asks) must read stopped, not
# only the status line (which counts the request at once)
for r in sgd adam rmsprop; do
    wait_for "$r +EARLY STOPPED" 10 || fail "race: s did not stop $r"
done
quit_exits race 0

# ---- the setup form's pace field ---------------------------------------------
start_session setup C.UTF-8 "--no-log --patience 0 --epochs 1000000 '$DATA'"
wait_for 'setup: choose' 15 || fail "the setup form did not open"
# from the buttons at the end, up to the pace field
keys End
wait_for '^ +pace +max' 5 || fail "the setup form has no 'pace max' field"
_up=0
until screen | grep -Eq '^ > pace  '; do
    [ "$_up" -lt 10 ] || fail "cannot move the focus to the pace field"
    keys Up
    sleep 0.2
    _up=$((_up + 1))
done
keys C-u 2 e
wait_for '^ > pace +2e' 5 || fail "typing 2e did not show in the pace field"
keys F10
wait_for 'pace +2 epochs/s' 15 || fail "the form's pace 2e did not reach the dashboard's panel"
echo "ok: the setup form's pace field (2e) is the dashboard's pace"
keys s
wait_for 'EARLY STOPPED' 10 || fail "s did not stop the run started from the form"
quit_exits setup 0
echo "e2e_pace: all passed"
