#!/bin/sh
# e2e_lrfloat.sh - a learning rate float32 does not hold as a normal number
# (the optimizer computes in float32; --lr takes any finite positive
# number): what every screen says of it.  Headless, --lr 1e39 (and the same
# from a --config file) warns that it is inf in float32 and its divergence
# names it so and advises the optimizer's default; a schedule that takes the
# rate to 0 in float32 warns at that epoch and its epoch lines say so.  On
# the dashboard, at 80x24 and at 120x40: the lr row, the diagnosis, the
# diverged box (whole, its advice too, at 80x24) and the events say what
# float32 makes of 1e39; the e form says "0 in float32" beside a rate of
# 1e-50 as it is typed, and once applied the lr row, the diagnosis and +'s
# notice say it too; so does the setup form at 80 and 120 columns.  A
# race's lines and its table at 80 columns say it, and a sweep's
# leaderboard; a schedule down to 0, the lr row and the epochs table; +
# past the range while paused, the diagnosis at once.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_lrfloat.sh
# Every wait is bounded; a failure prints what was expected and the screen.
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_lrfloat lrfloat lrfloat

# ---- headless ----------------------------------------------------------
"$GRADTOP" train iris --lr 1e39 --epochs 3 --no-log >"$TMP/inf.out" 2>"$TMP/inf.err"
rc=$?
[ "$rc" = 3 ] || fail "train --lr 1e39 exited $rc, not 3 (diverged)"
grep -q '^gradtop: warning: lr 1e+39 is inf in float32: the next step diverges$' "$TMP/inf.err" ||
    fail "train --lr 1e39 gave no warning: $(cat "$TMP/inf.err")"
grep -q 'with learning rate 1e+39 (inf in float32)\. .*(try 0\.001)' "$TMP/inf.err" ||
    fail "the divergence does not name the rate as float32 holds it: $(cat "$TMP/inf.err")"
printf 'lr = 1e39\nepochs = 3\n' >"$TMP/inf.txt"
"$GRADTOP" train iris --config "$TMP/inf.txt" --no-log >/dev/null 2>"$TMP/cfg.err"
grep -q 'warning: lr 1e+39 is inf in float32' "$TMP/cfg.err" ||
    fail "lr = 1e39 from --config gave no warning: $(cat "$TMP/cfg.err")"
echo "ok: --lr 1e39 (and from --config) warns, and its divergence names it inf in float32"

"$GRADTOP" train iris --optimizer sgd --lr 1e-3 --lr-schedule exponential --gamma 1e-6 \
    --epochs 9 --patience 0 --no-log >"$TMP/sched.out" 2>"$TMP/sched.err" ||
    fail "the scheduled run failed: $(cat "$TMP/sched.err")"
grep -q '^gradtop: warning: lr 1e-39 is subnormal in float32: too small to move the weights$' \
    "$TMP/sched.err" || fail "no warning at the subnormal rate: $(cat "$TMP/sched.err")"
grep -q '^gradtop: warning: lr 1e-51 is 0 in float32: the weights cannot move$' \
    "$TMP/sched.err" || fail "no warning at the rate of 0: $(cat "$TMP/sched.err")"
grep -q '^epoch 9/9 .* lr 1e-51 (0 in float32) ' "$TMP/sched.out" ||
    fail "epoch 9's line does not say its rate is 0: $(tail -n 2 "$TMP/sched.out")"
grep -q '^epoch 1/9 .* lr 0\.001  ' "$TMP/sched.out" ||
    fail "epoch 1's rate is not plain: $(head -n 1 "$TMP/sched.out")"
echo "ok: a schedule that reaches 0 in float32 says so at its epoch"

"$GRADTOP" race iris --racers 'sgd:lr=1e-50;adam' --epochs 2 --no-log >"$TMP/race.out" 2>&1 ||
    fail "the race failed: $(cat "$TMP/race.out")"
grep -q '^sgd  *epoch  *2/2 .* lr 1e-50 (0 in float32)  ' "$TMP/race.out" ||
    fail "race's sgd line does not say its rate is 0: $(cat "$TMP/race.out")"
grep -q '^adam  *epoch  *2/2 .* lr 0\.001  ' "$TMP/race.out" ||
    fail "race's adam line is not plain: $(cat "$TMP/race.out")"
echo "ok: race's lines say a rate of 0 in float32"

# lr_row: the panel's lr row.
lr_row() { screen | grep -Eo '│ lr  .*' | head -n 1; }

# ---- the setup form ----------------------------------------------------
start_session setup C.UTF-8 "--no-log --lr 1e39 iris"
resize 80 24
wait_for 'setup: choose a dataset' 15 || fail "the setup form did not open"
wait_for '^   lr +1e\+39 +inf ' 5 || fail "at 80 columns the setup form says nothing beside 1e+39"
resize 120 40
wait_for '^   lr +1e\+39 +inf in float32 ' 5 ||
    fail "at 120 columns the setup form does not say 1e+39 is inf in float32"
echo "ok: the setup form says what float32 makes of --lr 1e39, at 80 and 120 columns"

# ---- the dashboard -----------------------------------------------------
# + while paused at 2e38: the notice, the lr row and the diagnosis speak of
# 4e38, the rate the next batch trains at, before any batch ran
start_session plus C.UTF-8 "--start --paused --no-log --lr 2e38 iris"
resize 80 24
wait_for 'PAUSED' 15 || fail "the dashboard did not show PAUSED"
keys +
wait_for 'learning rate 2e\+38 → 4e\+38 \(inf in float32\) from the next batch' 5 ||
    fail "+ does not say that 4e+38 is inf in float32"
wait_for '│ lr +4e\+38 \(float32: inf\)' 5 || fail "the lr row is '$(lr_row)' after +"
wait_for 'diagnosis: learning rate 4e\+38 is inf in float32: the next step diverges' 5 ||
    fail "the diagnosis does not speak of the rate + set"
keys -
wait_for 'diagnosis: too early to tell' 5 || fail "- back to 2e+38 leaves the diagnosis on inf"
echo "ok: + past float32's range while paused: notice, lr row and diagnosis at once"

start_session inf C.UTF-8 "--start --paused --no-log --patience 0 --epochs 1000000 --lr 1e39 iris"
resize 80 24
wait_for 'PAUSED' 15 || fail "the dashboard did not show PAUSED"
poll 5 on_screen '│ lr +1e\+39 \(float32: inf\)' ||
    fail "at 80 columns the lr row is '$(lr_row)', not 1e+39 (float32: inf)"
wait_for 'diagnosis: learning rate 1e\+39 is inf in float32: the next step diverges' 5 ||
    fail "the diagnosis does not say the rate is inf in float32"
T capture-pane -p -e -t "$PANE" >"$TMP/inf80.txt"
keys n
wait_for 'step +1 ' 10 || fail "n did not train one batch"
keys n
wait_for 'DIVERGED' 10 || fail "the second batch at an inf rate did not diverge"
wait_for 'training diverged' 5 || fail "no diverged box"
# the box whole at 80x24: the message's advice, then the keys
box=$(box_text 'training diverged')
case $box in
*"learning rate 1e+39 (inf in float32)."*"(try 0.001), then resume."*"Press e to edit the learning rate (now 1e+39, inf in float32), then space to resume."*) ;;
*) fail "the diverged box says: $box" ;;
esac
wait_for 'diagnosis: the training loss became NaN \(lr 1e\+39, inf in' 5 ||
    fail "the diagnosis does not name the rate as float32 holds it"
T capture-pane -p -e -t "$PANE" >"$TMP/div80.txt"
resize 120 40
poll 5 on_screen '│ lr +1e\+39 \(inf in float32\)' ||
    fail "at 120 columns the lr row is '$(lr_row)', not 1e+39 (inf in float32)"
wait_for 'lr 1e\+39 is inf' 5 || fail "the events do not list the warning"
T capture-pane -p -e -t "$PANE" >"$TMP/div120.txt"
echo "ok: 1e39 on the dashboard: lr row, diagnosis, diverged box and events at 80x24 and 120x40"

# e: a rate of 1e-50 typed is 0 in float32, said beside it as typed
keys e
wait_for 'hyperparameters: applied at the next batch' 5 || fail "e did not open the form"
wait_for '│ > optimizer ' 5 || fail "the form does not open on its optimizer row"
keys Down
wait_for '│ > lr ' 5 || fail "Down did not focus the lr row"
# hexadecimal (2^200 to strtod, inf in float32) is refused as it is
# typed, as --lr refuses it, rather than noted as inf in float32
keys C-u \; send-keys -t "$PANE" -l 0x1p200
wait_for '│ > lr +0x1p200 +not a decimal number' 5 || fail "the form does not refuse 0x1p200"
keys C-u 1e-50
wait_for '│ > lr +1e-50 +0 in float32' 5 || fail "the form says nothing beside 1e-50"
keys F10
wait_gone 'hyperparameters: applied' 5 || fail "F10 did not apply the form"
poll 5 on_screen '│ lr +1e-50 \(0 in float32\)' ||
    fail "after e the lr row is '$(lr_row)', not 1e-50 (0 in float32)"
wait_for 'step 1\): lr 1e-50 is 0' 5 || fail "the events do not list the warning at 0"
wait_for 'Press e to edit the learning rate \(now 1e-50, 0 in float32\)' 5 ||
    fail "the diverged box advises halving a rate of 0"
keys +
wait_for 'learning rate 1e-50 → 2e-50 \(0 in float32\) from the next batch' 5 ||
    fail "+ does not say that 2e-50 is 0 in float32"
keys space
wait_for 'diagnosis: learning rate 2e-50 is 0 in float32: the weights cannot move' 15 ||
    fail "the diagnosis does not say the rate in force is 0"
T capture-pane -p -e -t "$PANE" >"$TMP/zero120.txt"
resize 80 24
poll 5 on_screen '│ lr +2e-50 \(0 in float32\)' ||
    fail "at 80 columns the lr row is '$(lr_row)', not 2e-50 (0 in float32)"
T capture-pane -p -e -t "$PANE" >"$TMP/zero80.txt"
if [ -n "${LRFLOAT_SCREENS:-}" ]; then cp "$TMP"/*80.txt "$TMP"/*120.txt "$LRFLOAT_SCREENS"/; fi
quit_q_y inf
echo "ok: 1e-50 through e: the form, the lr row, the events, +'s notice and the diagnosis"

# a schedule down to 0 on the dashboard: the lr row at 80 and 120 columns,
# and the epochs table's rate float32 used
start_session sched C.UTF-8 "--start --no-log --optimizer sgd --lr 1e-3 --lr-schedule exponential --gamma 1e-6 --epochs 12 --patience 0 iris"
resize 80 24
wait_for 'DONE' 30 || fail "the scheduled run did not end"
poll 5 on_screen '│ lr +now 1e-69 → 0$' ||
    fail "at 80 columns the scheduled lr row is '$(lr_row)', not now 1e-69 → 0"
T capture-pane -p -e -t "$PANE" >"$TMP/sched80.txt"
resize 120 40
poll 5 on_screen '│ lr +now 1e-69 \(0 in float32\)' ||
    fail "at 120 columns the scheduled lr row is '$(lr_row)', not now 1e-69 (0 in float32)"
keys Tab
wait_for '^ +epoch +step +loss .* lr +seconds' 5 || fail "tab did not show the epochs table"
wait_for '^ +7 +28 .* 1e-39 ' 5 || fail "epoch 7's rate is not 1e-39 in the epochs table"
wait_for '^ +9 +36 .* 1e-51→0 ' 5 || fail "epoch 9's rate does not say 0 in the epochs table"
T capture-pane -p -e -t "$PANE" >"$TMP/sched120.txt"
if [ -n "${LRFLOAT_SCREENS:-}" ]; then cp "$TMP"/sched*.txt "$LRFLOAT_SCREENS"/; fi
echo "ok: a schedule down to 0: the lr row at 80 and 120 columns, the epochs table"

# the race's table at 80 columns: the rate and what float32 makes of it
start_session race C.UTF-8 "race iris --racers 'sgd:lr=1e-50;adam:lr=1e39' --epochs 3 --no-log"
resize 80 24
wait_for '^. sgd .* 1e-50 → 0 ' 15 || fail "the race's table does not say sgd's rate is 0"
wait_for '^. adam .*DIVERGED.* 1e\+39 → inf ' 15 || fail "the race's table does not say adam's rate is inf"
T capture-pane -p -e -t "$PANE" >"$TMP/race80.txt"
if [ -n "${LRFLOAT_SCREENS:-}" ]; then cp "$TMP"/race80.txt "$LRFLOAT_SCREENS"/; fi
echo "ok: the race's table says 1e-50 → 0 and 1e+39 → inf at 80 columns"

# the sweep's leaderboard at 80 columns: each trial's rate and its word, whole
start_session sweep C.UTF-8 "sweep iris --space 'lr=loguniform(1e-50,1e-36)' --trials 4 --max-epochs 2 --no-log"
resize 80 24
wait_for 'sweep finished' 30 || fail "the sweep did not finish"
wait_for '^[0-9] +done .*e-[0-9]+ → subnormal ' 5 || fail "the leaderboard does not say subnormal"
wait_for '^[0-9] +done .*e-[0-9]+ → 0 ' 5 || fail "the leaderboard does not say 0"
T capture-pane -p -e -t "$PANE" >"$TMP/sweep80.txt"
if [ -n "${LRFLOAT_SCREENS:-}" ]; then cp "$TMP"/sweep80.txt "$LRFLOAT_SCREENS"/; fi
echo "ok: the sweep's leaderboard says 0 and subnormal beside the rates at 80 columns"
echo "e2e_lrfloat: PASS"
