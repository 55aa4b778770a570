#!/bin/sh
# e2e_resume_first.sh - train --resume of runs stopped on the dashboard: one
# stopped in its first epoch, and one whose rate was changed while it trained.
# The dashboard, started paused, trains two batches (n, n) and quits: its
# model.gtm holds weights part of the way through epoch 1 and there is no
# checkpoint.gtm.  train --resume must train again from the first epoch, as
# its journal says: its metrics.csv is that of a new run with the same
# config.txt, figure for figure.  (It once went on from the part-trained
# weights, epoch 1's loss lower than a new run's.)  Every step waits on
# the screen or on a file, never on the clock.
# shellcheck disable=SC2015
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_resume_first e2erf e2erf

start_session first C.UTF-8 \
    "--start datasets/iris.csv --paused --epochs 4 --seed 3 --patience 0 --logdir '$TMP/runs'"
wait_for 'PAUSED' 15 || fail "the dashboard did not start paused"
keys n
wait_for 'one batch, then paused again' 5 || fail "n did not train one batch"
keys n
poll 5 grep -q 'step=1 epoch=0 step one batch' "$TMP"/runs/*/journal.txt ||
    fail "the second n was not journaled"
# the quit box says what a resume will do, not that best weights are kept
keys q
wait_for 'No epoch has finished: a resume starts again' 5 ||
    fail "q in the first epoch did not say no epoch has finished"
keys y
wait_file "$TMP/first.exit" 15 || fail "y did not quit within 15 s"
run=$(ls -d "$TMP"/runs/*)
grep -q 'stop stopped in epoch 1, after 2 of its batches' "$run/journal.txt" ||
    fail "the run did not stop in its first epoch: $(cat "$run/journal.txt")"
[ -f "$run/model.gtm" ] && [ ! -e "$run/checkpoint.gtm" ] ||
    fail "a run stopped in its first epoch has model.gtm and no checkpoint.gtm"

"$GRADTOP" train --resume "$run" >"$TMP/resume.out" 2>"$TMP/resume.err" ||
    fail "train --resume exited $?: $(cat "$TMP/resume.err")"
grep -q "^gradtop: --resume: $run ended in its first epoch, before any checkpoint: it trains again from the first epoch$" "$TMP/resume.err" ||
    fail "train --resume did not say it trains again from the first epoch: $(cat "$TMP/resume.err")"
grep -q ' rewind starts again from the first epoch: metrics.csv keeps no epoch' "$run/journal.txt" ||
    fail "the journal does not say the run starts again"
"$GRADTOP" train --config "$run/config.txt" --logdir "$TMP/new" >/dev/null 2>&1 ||
    fail "a new run with its config.txt failed"
new=$(ls -d "$TMP"/new/*)
# every column but wall_time
cut -d, -f1,2,4- "$run/metrics.csv" >"$TMP/resumed.csv"
cut -d, -f1,2,4- "$new/metrics.csv" >"$TMP/new.csv"
[ "$(wc -l <"$TMP/new.csv")" -eq 5 ] || fail "the new run has not 4 epochs: $(cat "$TMP/new.csv")"
cmp -s "$TMP/resumed.csv" "$TMP/new.csv" ||
    fail "the resumed run's metrics differ from a new run's:
$(diff "$TMP/resumed.csv" "$TMP/new.csv")"
echo "ok: a run stopped in its first epoch trains again from it on --resume"

# ---- a rate changed on the dashboard stays changed after --resume ----------
# (config.txt keeps the rate the run began with; the resume once went back
# to it)
start_session live C.UTF-8 \
    "--start datasets/iris.csv --paused --pace 5e --epochs 500 --seed 3 --patience 0 --lr 0.01 --logdir '$TMP/live'"
wait_for 'PAUSED' 15 || fail "the dashboard did not start paused"
keys +
wait_for ' lr +0\.02' 5 || fail "+ did not double the rate to 0.02"
keys Space
wait_for 'epoch +[3-9]/500' 30 || fail "the run did not reach epoch 3"
keys q
wait_for 'Quit now' 5 || fail "q did not ask first"
keys y
wait_file "$TMP/live.exit" 15 || fail "y did not quit within 15 s"
lrun=$(ls -d "$TMP"/live/*)
done_epochs=$(tail -n 1 "$lrun/metrics.csv" | cut -d, -f1)
"$GRADTOP" train --resume "$lrun" --epochs $((done_epochs + 2)) >"$TMP/live.out" 2>"$TMP/live.err" ||
    fail "train --resume of the changed run exited $?: $(cat "$TMP/live.err")"
grep -q "^gradtop: --resume: goes on with the hyperparameters in force at the end of epoch" "$TMP/live.err" ||
    fail "train --resume did not say it goes on with the changed hyperparameters: $(cat "$TMP/live.err")"
grep -q "lr 0\.02 " "$TMP/live.out" ||
    fail "the resumed epochs did not train at the changed rate 0.02: $(cat "$TMP/live.out")"
echo "ok: a rate changed on the dashboard stays changed after train --resume"
