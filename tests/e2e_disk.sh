#!/bin/sh
# e2e_disk.sh - run files on a disk that fills up, and runs that write
# nothing until they can start.
#
# The small disk is a 600 KB tmpfs when this may mount one (root, as in CI),
# else a 600 KB file size limit (RLIMIT_FSIZE, with SIGXFSZ ignored, so that
# a write past it fails with EFBIG as one past a full disk fails with
# ENOSPC); the script says which.  digits with 256,256 hidden units has a
# model.gtm of about 1.3 MB, so its first save fails while the rest fits.
# The screens' runs are of 1000000 epochs, which the test itself ends
# (q, y): after w they still train whatever the machine's speed (400
# epochs ended before RUNNING or q's box could be read on a fast one).
#
# Headless train stops at the next batch (status=stopped, exit 1), says at
# once which file failed and why, and leaves whole files: metrics.csv rows
# complete, the journal ending with its end and result, no temporary left.
# A headless race stops each racer the same way.  The dashboard and the
# race screen pause and turn red at once, naming the file; w goes on
# training without run files, and the journal says so.  A network refused
# for its size or as invalid under train, race, the dashboard (--start) or
# the race screen leaves no run directory.  A sweep started from the setup
# form whose files fail goes back to the form on q, which says why.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_disk.sh
# shellcheck disable=SC2015,SC2012
# ("[ A ] && [ B ] || fail" is meant: fail exits; run directory names are
# plain, so ls on a glob is fine)
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
DISK=
# shellcheck disable=SC2317 # run by the EXIT trap
on_cleanup() {
    [ -n "$DISK" ] || return
    # the sessions' programs may still hold files on it
    T kill-server >/dev/null 2>&1
    umount "$DISK" 2>/dev/null || umount -l "$DISK"
}
tmux_harness e2e_disk disk disk
DATA=$PWD/datasets/digits.csv

# ---- the small disk ---------------------------------------------------------
mkdir -p "$TMP/disk"
if mount -t tmpfs -o size=600k tmpfs "$TMP/disk" 2>/dev/null; then
    DISK=$TMP/disk
    WHY='No space left on device'
    RUN_WITH=
    echo "e2e_disk: a 600 KB tmpfs at $DISK"
else
    # POSIX counts ulimit -f in 512-byte blocks
    printf '#!/bin/sh\ntrap "" XFSZ\nulimit -f 1200\nexec "$@"\n' >"$TMP/limited"
    WHY='File too large'
    RUN_WITH="sh '$TMP/limited'"
    echo "e2e_disk: mount is not permitted here: a 600 KB file size limit (RLIMIT_FSIZE) instead"
fi
SMALL=$TMP/disk

# small CMD...: runs CMD on the small disk (under the size limit when there
# is no tmpfs).
small() {
    if [ -n "$RUN_WITH" ]; then sh "$TMP/limited" "$@"; else "$@"; fi
}

# whole_run DIR WHAT: DIR's files are whole: every metrics.csv line has the
# header's number of fields, the journal's every line its time, step, epoch
# and kind, and its last line is the result; no temporary is left.
whole_run() {
    [ -f "$1/metrics.csv" ] && [ -f "$1/journal.txt" ] || fail "$2: no metrics.csv or journal.txt in $1"
    awk -F, 'NR == 1 { n = NF } NF != n { bad = 1 } END { exit bad || NR < 2 }' "$1/metrics.csv" ||
        fail "$2: metrics.csv has a cut row or no epoch: $(cat "$1/metrics.csv")"
    [ -z "$(tail -c 1 "$1/metrics.csv")" ] || fail "$2: metrics.csv ends inside a row"
    grep -Evq '^[0-9T:.+-]+ step=[0-9]+ epoch=[0-9]+ [a-z_]+ ' "$1/journal.txt" &&
        fail "$2: the journal has a cut line: $(cat "$1/journal.txt")"
    grep -q ' end stopped after [0-9]* epochs\?' "$1/journal.txt" ||
        fail "$2: the journal has no end: $(cat "$1/journal.txt")"
    tail -n 1 "$1/journal.txt" | grep -q ' result status=stopped ' ||
        fail "$2: the journal does not end with its result: $(tail -n 1 "$1/journal.txt")"
    for f in "$1"/*.tmp.*; do
        [ -e "$f" ] && fail "$2: a temporary is left: $f"
    done
}

# ---- headless train -----------------------------------------------------------
small "$GRADTOP" train "$DATA" --layers 256,256 --epochs 400 --patience 0 \
    --logdir "$SMALL/train" >"$TMP/train.out" 2>"$TMP/train.err"
rc=$?
[ "$rc" = 1 ] || { cat "$TMP/train.err"; fail "train on a full disk exited $rc, not 1"; }
grep -q "^gradtop: writing the run files failed: .*/model.gtm: $WHY: training stops" "$TMP/train.err" ||
    fail "train does not say which file failed and why: $(cat "$TMP/train.err")"
tail -n 1 "$TMP/train.out" | grep -q '^result: status=stopped epochs=1 ' ||
    fail "train did not stop after the epoch whose save failed: $(tail -n 1 "$TMP/train.out")"
d=$(ls -d "$SMALL"/train/*/ | head -n 1)
whole_run "$d" "train"
[ "$(wc -l <"$d/metrics.csv")" = 2 ] || fail "train: metrics.csv does not hold exactly epoch 1"
grep -q " checkpoint_failed .*model.gtm: $WHY" "$d/journal.txt" ||
    fail "train: the journal does not say the save failed"
echo "ok: train on a full disk stops after that epoch, says why, exit 1, files whole"

# ---- headless race --------------------------------------------------------------
small "$GRADTOP" race "$DATA" --layers 256,256 --epochs 400 --patience 0 --threads 1 \
    --logdir "$SMALL/race" </dev/null >"$TMP/race.out" 2>"$TMP/race.err"
rc=$?
[ "$rc" = 1 ] || { cat "$TMP/race.err"; fail "a race on a full disk exited $rc, not 1"; }
for r in sgd adam rmsprop; do
    grep -q "^gradtop race: $r: writing the run files failed: .*model.gtm: $WHY: $r stops" \
        "$TMP/race.err" || fail "the race does not say $r's file failed: $(cat "$TMP/race.err")"
    grep -q "^result: racer=$r status=stopped epochs=1 " "$TMP/race.out" ||
        fail "racer $r did not stop after its failed save: $(grep "racer=$r" "$TMP/race.out")"
    whole_run "$(ls -d "$SMALL"/race/*-"$r" | head -n 1)" "racer $r"
done
rm -rf "${SMALL:?}/race"
echo "ok: a headless race on a full disk stops each racer, says why, exit 1, files whole"

# ---- the dashboard --------------------------------------------------------------
start_session dash C.UTF-8 "--start --layers 256,256 --epochs 1000000 --patience 0 \
    --logdir '$SMALL/dash' '$DATA'"
wait_for "model.gtm: $(echo "$WHY" | cut -d' ' -f1-2)" 30 ||
    fail "the dashboard's panel does not name the file that failed"
wait_for 'w: go on without files' 5 || fail "the panel does not offer w"
wait_for 'PAUSED' 10 || fail "the run did not pause when its save failed"
keys w
wait_for 'RUNNING' 10 || fail "w did not resume training"
wait_for 'no run files from here' 5 || fail "the panel does not say the run goes on without files"
d=$(ls -d "$SMALL"/dash/*/ | head -n 1)
poll 10 grep -q ' log_off training goes on without run files after: .*model.gtm' "$d/journal.txt" ||
    fail "the journal does not say logging went off: $(cat "$d/journal.txt")"
keys q
wait_for 'Quit now' 5 || fail "q did not ask first"
keys y
wait_file "$TMP/dash.exit" 15 || fail "y did not quit within 15 s"
[ "$(cat "$TMP/dash.exit")" = 1 ] || fail "the dashboard exited $(cat "$TMP/dash.exit"), not 1"
tail -n 1 "$d/journal.txt" | grep -q ' log_off ' ||
    fail "the journal went on after logging went off: $(tail -n 1 "$d/journal.txt")"
rm -rf "${SMALL:?}/dash"
echo "ok: the dashboard pauses and turns red at once; w goes on without files, and the journal says so"

# ---- the race screen ------------------------------------------------------------
start_session racescr C.UTF-8 "race --layers 256,256 --epochs 1000000 --patience 0 \
    --racers 'sgd;adam' --logdir '$SMALL/racescr' '$DATA'"
wait_for "(sgd|adam): model.gtm: $WHY: paused; w goes on without run files" 30 ||
    fail "the race screen does not say in red which racer's file failed"
for r in sgd adam; do
    wait_for " $r +PAUSED" 10 || fail "racer $r did not pause when its save failed"
done
keys w
wait_for 'going on without run files: sgd, adam' 5 || fail "w does not say what it did"
for r in sgd adam; do
    wait_for " $r +RUNNING" 10 || fail "w did not resume racer $r"
done
keys q
wait_for 'Quit now' 5 || fail "q did not ask first"
keys y
wait_file "$TMP/racescr.exit" 15 || fail "y did not quit the race within 15 s"
for r in sgd adam; do
    grep -q ' log_off ' "$(ls -d "$SMALL"/racescr/*-"$r" | head -n 1)/journal.txt" ||
        fail "racer $r's journal does not say logging went off"
done
echo "ok: the race screen says in red which racer's files failed; w goes on without them"

# ---- nothing is written until the run can start ----------------------------------
start_session huge C.UTF-8 "--start --layers 65536,65536,65536,65536 --logdir '$TMP/huge' iris"
wait_file "$TMP/huge.exit" 30 || fail "the dashboard with a network too large did not exit"
[ "$(cat "$TMP/huge.exit")" = 1 ] || fail "a network too large exited $(cat "$TMP/huge.exit"), not 1"
[ -z "$(ls -A "$TMP/huge" 2>/dev/null)" ] || fail "a refused network left $(ls "$TMP/huge")"
echo "ok: the dashboard refuses a network too large before making a run directory"
out=$("$GRADTOP" train --layers 65536,65536,65536,65536 --logdir "$TMP/hugetrain" iris 2>&1 </dev/null)
[ "$?" = 1 ] || { echo "$out"; fail "train with a network too large did not exit 1"; }
echo "$out" | grep -q 'use smaller layers' || fail "train's refusal does not say why: $out"
[ -z "$(ls -A "$TMP/hugetrain" 2>/dev/null)" ] || fail "train's refused network left $(ls "$TMP/hugetrain")"
echo "ok: train refuses a network too large before making a run directory"
# the race screen, and an invalid network (a loss that does not fit the
# task, refused when the network is shaped) under train, race and both
# screens: exit 2, no run directory
start_session racehuge C.UTF-8 "race --layers 65536,65536,65536,65536 --logdir '$TMP/racehuge' iris"
wait_file "$TMP/racehuge.exit" 30 || fail "the race screen with a network too large did not exit"
[ "$(cat "$TMP/racehuge.exit")" = 1 ] ||
    fail "the race screen's network too large exited $(cat "$TMP/racehuge.exit"), not 1"
[ -z "$(ls -A "$TMP/racehuge" 2>/dev/null)" ] || fail "the race screen's refusal left $(ls "$TMP/racehuge")"
echo "ok: the race screen refuses a network too large before making a run directory"
for cmd in train race; do
    out=$("$GRADTOP" $cmd --loss mse --logdir "$TMP/bad$cmd" iris 2>&1 </dev/null)
    [ "$?" = 2 ] || { echo "$out"; fail "$cmd with --loss mse on classes did not exit 2"; }
    echo "$out" | grep -q 'mse is for regression' || fail "$cmd's refusal does not say why: $out"
    [ -z "$(ls -A "$TMP/bad$cmd" 2>/dev/null)" ] ||
        fail "$cmd's invalid network left $(ls "$TMP/bad$cmd")"
done
for scr in "--start" "race"; do
    name=badscr${scr#--}
    start_session "$name" C.UTF-8 "$scr --loss mse --logdir '$TMP/$name' iris"
    wait_file "$TMP/$name.exit" 30 || fail "'$scr' with an invalid network did not exit"
    [ "$(cat "$TMP/$name.exit")" = 2 ] ||
        fail "'$scr' with an invalid network exited $(cat "$TMP/$name.exit"), not 2"
    [ -z "$(ls -A "$TMP/$name" 2>/dev/null)" ] || fail "'$scr' refused, yet left $(ls "$TMP/$name")"
done
echo "ok: an invalid network under train, race, the dashboard and the race screen: exit 2, no run directory"

# ---- the sweep screen ------------------------------------------------------------
# The status line gives the reason first, which a narrow screen must keep,
# then the file from the sweep directory.
rm -rf "${SMALL:?}"/*
start_session sweepscr C.UTF-8 "sweep --layers 256,256 --space 'lr=loguniform(1e-3,1e-2)' \
    --trials 2 --max-epochs 2 --parallel 1 --logdir '$SMALL/sweepscr' '$DATA'"
resize 80 24
wait_for "the sweep stopped, a file could not be written \\($WHY\\): [0-9]" 30 ||
    fail "the sweep screen does not give the reason its files failed, then the trial's file"
keys q
wait_file "$TMP/sweepscr.exit" 10 || { keys y; wait_file "$TMP/sweepscr.exit" 10; } ||
    fail "the sweep screen did not quit"
[ "$(cat "$TMP/sweepscr.exit")" = 1 ] ||
    fail "the sweep screen on a full disk exited $(cat "$TMP/sweepscr.exit"), not 1"
T kill-session -t "$PANE" >/dev/null 2>&1
echo "ok: the sweep screen on a full disk says why first, then which file, and exits 1"

# ---- a sweep started from the setup form -----------------------------------------
# Files that fail once its screen is open stop the sweep; q (the bar says
# "q setup") then goes back to the form, which says why (as for a sweep
# that cannot start), rather than ending the program; esc then quits the
# form with 0.
# form_says PATTERN: the screen's lines, joined by blanks, match PATTERN
# (a message wraps where the paths make it).
# shellcheck disable=SC2317 # run through poll
form_says() { screen | tr '\n' ' ' | tr -s ' ' | grep -Eq -- "$1"; }
# sweep_form NAME: the setup form on digits with 256,256 hidden units and
# its run files on the small disk, in sweep mode.
sweep_form() {
    start_session "$1" C.UTF-8 "--layers 256,256 --patience 0 --logdir '$SMALL/$1' '$DATA'"
    wait_for 'features +[0-9]' 10 || fail "$1: the setup screen or its preview did not come up"
    focus mode
    keys Right Right
    wait_for "^ > mode +< sweep >" 5 || fail "$1: the mode row does not read sweep"
}
# back_at_form NAME WHAT: the program went back to the form, which says
# WHAT (a pattern); esc there quits with 0.
back_at_form() {
    poll 15 form_says "$2" || fail "$1: not back at the setup form saying why ('$2')"
    wait_for 'F10 start' 5 || fail "$1: the form's key bar is not there"
    [ -s "$TMP/$1.exit" ] && fail "$1: the failure ended the program (status $(cat "$TMP/$1.exit"))"
    keys Escape
    wait_file "$TMP/$1.exit" 5 || fail "$1: esc did not quit the form it came back to"
    [ "$(cat "$TMP/$1.exit")" = 0 ] || fail "$1: the form exited $(cat "$TMP/$1.exit"), not 0"
}
rm -rf "${SMALL:?}"/*
sweep_form sweepform
focus space
keys C-u \; send-keys -t "$PANE" -l 'lr=loguniform(1e-3,1e-2)'
wait_for '^ > space +.*loguniform\(1e-3,1e-2\)' 5 || fail "sweepform: the space was not typed"
keys F10
wait_for "the sweep stopped, a file could not be written \($WHY\)" 60 ||
    fail "sweepform: the sweep screen does not say that its files failed"
wait_for ' q setup' 10 || fail "sweepform: the bar does not say that q goes back to the setup form"
keys q
wait_for 'F10 start' 10 || fail "sweepform: q did not go back to the setup form"
back_at_form sweepform "writing the sweep's files failed: .*(model|checkpoint)\.gtm: $WHY"
echo "ok: a sweep from the setup form whose files fail goes back to the form, which says why"

rm -rf "${SMALL:?}"/*

# ---- a headless sweep ------------------------------------------------------------
# The first trial's first save fails: the sweep stops as on SIGINT (the
# trial stopped, not failed, so that --resume trains it again), says which
# file and why, exit 1; resumed with room, it ends every trial whole.  A
# trial leaves the checkpoints of its last second to its end's, so that
# its first save comes after its first epoch, the trials are long in
# epochs (a million left, at any pace over a microsecond an epoch) and end
# by early stopping.
rm -rf "${SMALL:?}"/*
small "$GRADTOP" sweep "$DATA" --layers 256,256 --space 'lr=loguniform(1e-3,1e-2)' --trials 2 \
    --max-epochs 1000000 --patience 2 --parallel 1 --logdir "$SMALL/sweep" >"$TMP/sweep.out" \
    2>"$TMP/sweep.err"
rc=$?
[ "$rc" = 1 ] || { cat "$TMP/sweep.out" "$TMP/sweep.err"; fail "a sweep on a full disk exited $rc, not 1"; }
grep -Eq "^gradtop: writing the sweep's files failed: .*/(model|checkpoint).gtm: $WHY" "$TMP/sweep.err" ||
    fail "the sweep does not say which file failed and why: $(cat "$TMP/sweep.err")"
grep -q '^result: status=stopped ' "$TMP/sweep.out" ||
    fail "the sweep's result does not say it stopped: $(tail -n 1 "$TMP/sweep.out")"
grep -q '^trial   0 stopped ' "$TMP/sweep.out" ||
    fail "trial 0, whose save failed, did not end stopped: $(cat "$TMP/sweep.out")"
grep -q 'failed' "$TMP/sweep.out" && fail "a trial ended failed for the disk's fault: $(cat "$TMP/sweep.out")"
sd=$(ls -d "$SMALL"/sweep/*-sweep)
whole_run "$(ls -d "$sd"/*-trial-000)" "sweep trial 0"
if [ -n "$DISK" ]; then mount -o remount,size=64m "$DISK"; fi
"$GRADTOP" sweep --resume "$sd" >"$TMP/sweep2.out" 2>"$TMP/sweep2.err" ||
    { cat "$TMP/sweep2.out" "$TMP/sweep2.err"; fail "the sweep resumed with room did not exit 0"; }
grep -q '^result: status=completed trials=2 ' "$TMP/sweep2.out" ||
    fail "the resumed sweep did not complete its trials: $(tail -n 1 "$TMP/sweep2.out")"
[ "$(ls -d "$sd"/*-trial-* | wc -l)" = 2 ] || fail "the resumed sweep has not one run per trial: $(ls "$sd")"
[ "$(grep -c ',early_stopped,' "$sd/trials.csv")" = 2 ] || fail "trials.csv after the resume: $(cat "$sd/trials.csv")"
for d in "$sd"/*-trial-*; do
    tail -n 1 "$d/journal.txt" | grep -q ' result status=early_stopped ' ||
        fail "$d's journal does not end with its result: $(tail -n 1 "$d/journal.txt")"
done
echo "ok: a sweep on a full disk stops, says why, exit 1; resumed with room, it completes"

echo "e2e_disk: all passed"
exit 0
