#!/bin/sh
# e2e_teaching.sh - numbers on the dashboard must not mislead, seen in a real
# terminal (tmux): a spiral run at the general defaults, stuck at chance and
# early-stopped at its first epoch, is not called healthy; under LANG=C its diagnosis
# spells the arrow in ASCII and no byte above 0x7F reaches the screen; after
# a divergence and a resume the loss axis no longer reaches up to the 1e37
# before the NaN, and while it stands diverged the views say they show the
# initial weights; a divergence that no charted loss shows beforehand is
# diagnosed as one while it stands, and no longer once resumed, and the
# panel's step is then the weights' with the batches undone, as a view's
# title says it; a resume
# that diverges again at once does not go on saying "resuming"; at 100 columns the best epoch's figures are shown whole
# or not at all, never cut to a wrong epoch, at 80 a schedule's rate in
# force is shown rather than cut away, and a diagnosis of three rows
# is not cut after two; TERM=dumb is refused as an unknown terminal is (exit 2),
# pointing at `gradtop train`, instead of drawing the frame onto one line.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_teaching.sh
# Every wait is bounded; a failure prints what was expected and the screen.
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_teaching teaching teaching

# ---- a spiral run stuck at chance is not healthy ------------------------------
# spiral at the general defaults (not its own, presets.h: those learn)
# early-stops after epoch 11 with epoch 1 the best and validation at chance
# (accuracy 0.56, loss 0.716 > ln 2).
STUCK="--layers 32 --activation relu --lr 0.001 --epochs 100 --patience 10 --monitor val_loss"
start_session spiral C.UTF-8 "--start --no-log $STUCK spiral"
wait_for 'EARLY STOPPED' 30 || fail "the stuck spiral run did not early-stop"
wait_for 'diagnosis: stopped too early: best epoch 1' 5 ||
    fail "the stuck spiral run is not diagnosed as stopped too early"
on_screen 'validation at chance level' || fail "the diagnosis does not say validation is at chance"
off_screen 'healthy' || fail "the stuck spiral run is called healthy"
echo "ok: the stuck spiral run is stopped too early and at chance, not healthy"

# ---- LANG=C: the diagnosis in ASCII ------------------------------------------
start_session spiral_c C "--start --no-log $STUCK spiral"
wait_for 'EARLY STOPPED' 30 || fail "LANG=C: the stuck spiral run did not early-stop"
wait_for 'falling \(0\.682 -> 0\.652\)' 5 || fail "LANG=C: the diagnosis's arrow is not '->'"
# curses shows a stray UTF-8 byte as ~X or M-X; the screen must have neither
# nor any byte above 0x7F.
if screen | LC_ALL=C grep -q "$(printf '[\200-\377]')"; then fail "LANG=C: a byte above 0x7F on the screen"; fi
off_screen '~[A-Z@]~[A-Z@]|M-' || fail "LANG=C: raw UTF-8 bytes drawn as control notation"
echo "ok: LANG=C draws the diagnosis in ASCII"

# ---- a divergence resumed from no longer owns the loss axis -------------------
# digits at SGD rate 10 turns NaN at step 27 with 1e37 before it; five
# halvings (0.3125) and space carry on from the last finite weights.
start_session diverge C.UTF-8 "--start --no-log --optimizer sgd --lr 10 --epochs 30 --patience 0 --seed 0 datasets/digits.csv"
wait_for 'DIVERGED' 30 || fail "digits at rate 10 did not diverge"
# the loss axis's labels: the left column from the title down to the x axis
loss_labels() { screen | sed -n '2,/^ *└\|^ *+-/p' | grep -Eo '^ *[0-9][0-9.e+k-]*[┤+]' | tr -d ' ┤+'; }
loss_labels | grep -Eq 'e\+?[1-9][0-9]' ||
    fail "the loss axis of a diverged run does not show the spike ($(loss_labels | tr '\n' ' '))"
# The views show the last finite weights, the initial ones here (the NaN
# came in epoch 1): they said "step 26", the step of the NaN's batch.
tab_to confusion
wait_for 'confusion matrix .*initial weights' 5 ||
    fail "after the divergence the confusion matrix does not say it shows the initial weights"
tab_to network
wait_for '^network.*  initial weights' 5 ||
    fail "after the divergence the network view does not say it shows the initial weights"
tab_to charts
keys - - - - -
wait_for 'lr +0\.3125' 5 || fail "five presses of - did not set the rate to 0.3125"
keys Space
wait_for 'DONE' 60 || fail "the resumed run did not finish its 30 epochs"
labels=$(loss_labels | tr '\n' ' ')
[ -n "$labels" ] || fail "no labels on the loss axis"
echo "$labels" | grep -Eq 'e\+?[1-9]' && fail "after the resume the loss axis still reaches $labels"
echo "ok: after a divergence and a resume the loss axis reads $labels"

# ---- a divergence with no spike before it is diagnosed as one -------------------
# At Adam's rate 1e38 the first step's loss is 0.707 and the second's NaN:
# no published loss shows the blow-up (a NaN batch is not charted), and
# the line said "too early to tell" under the red box; in a run many
# epochs long it read the curves before the NaN ("overfitting").
# (a run of a million epochs without early stopping: once resumed it
# trains until the test pauses it, however fast the machine)
start_session nan C.UTF-8 "--start --no-log --lr 1e38 --seed 0 --epochs 1000000 --patience 0 spiral"
wait_for 'DIVERGED' 30 || fail "spiral at Adam's rate 1e38 did not diverge"
wait_for '^ diagnosis: the training loss became NaN \(lr 1e\+38\): learning rate too high' 5 ||
    fail "the diverged run is not diagnosed as a NaN loss"
off_screen 'too early to tell' || fail "the diverged run is called too early to tell"
# the events list marks it as the charts do (it gave it a dot)
on_screen '▲ epoch [0-9.]+ \(step 1\): the loss' ||
    fail "the divergence's event is not marked ▲ as on the charts"
# stamped after step 1, it names the batch after it (it said "at step 2"
# under "(step 1)") and the weights gone back to, as the events stamp them
on_screen '│ the loss became NaN in batch 2 of epoch 1, with learning rate +│' &&
    on_screen '│ 1e\+38\. The weights are back at epoch 0 \(step 0\)\. Lower the +│' &&
    on_screen '\(step 1\): the loss$' && on_screen '│   became NaN in batch 2 of epoch 1,$' ||
    fail "the divergence after step 1 does not name batch 2 and the weights of step 0"
# the panel's step is the weights' (it kept the batch undone: "step 1
# (batch 1/13)" beside "The weights are back at epoch 0 (step 0)")
on_screen '│ step      0  \(batch 0/13, 1 undone\)' ||
    fail "after the divergence the panel's step is not the weights' 0 with the 1 undone"
# space at the same rate: resumed, it diverges again at once, and the
# notice under the charts no longer says "resuming" (it did, for its 4 s,
# under the second DIVERGED box)
keys Space
# shellcheck disable=SC2317 # run through poll
twice() { [ "$(screen | grep -Ec '▲ epoch [0-9.]+ \(step [0-9]+\): the loss')" -ge 2 ]; }
poll 10 twice || fail "space at rate 1e38 did not diverge a second time"
on_screen 'DIVERGED' || fail "the second divergence does not show DIVERGED"
# back at step 0 again: both batches run since are undone, each once
on_screen '│ step      0  \(batch 0/13, 2 undone\)' ||
    fail "after a second divergence back to step 0 the panel does not count 2 undone"
off_screen '^ resuming' || fail "after diverging again the notice still says resuming"
# taken up again at a rate that trains, the line reads the curves again
# shellcheck disable=SC2046 # 131 keys
keys $(printf -- '- %.0s' $(seq 131))
wait_for 'lr +0\.03673' 10 || fail "131 presses of - did not take the rate to 0.03673"
keys Space
wait_gone 'DIVERGED' 10 || fail "space did not resume the diverged run"
wait_gone 'diagnosis: the training loss became NaN' 10 ||
    fail "the resumed run is still diagnosed as a NaN loss"
# paused, a view names the weights' step as the panel does (it counted the
# batches undone: "step 9023" beside the panel's "step 9020 (3 undone)")
keys Space
wait_for 'PAUSED' 10 || fail "space did not pause the resumed run"
panel_step() { screen | sed -n 's/.*│ step  *\([0-9][0-9]*\)  (.*undone).*/\1/p' | head -n 1; }
tab_to boundary
# shellcheck disable=SC2317 # run through poll
same_step() {
    _ps=$(panel_step)
    [ -n "$_ps" ] && on_screen "^decision boundary.* step $_ps +│"
}
poll 10 same_step ||
    fail "the boundary view's step is not the panel's $(panel_step): $(screen | sed -n 2p)"
tab_to charts
keys Space
wait_for 'RUNNING' 10 || fail "space did not resume"
echo "ok: a divergence without a spike before it is diagnosed as a NaN loss, and not once resumed"

# ---- the best epoch's figures are never cut ------------------------------------
# At 100 columns "val_accuracy 0.85 @70" is one column too wide for the
# panel: it showed "@7", a wrong epoch that looked real.  The epoch shown
# must be the one metrics.csv says is best, and a cut row ends in an
# ellipsis (so neither "…" nor "~" after the best value).
start_session best C.UTF-8 "--start --logdir '$TMP/runs' --epochs 30 --patience 0 --seed 1 spiral"
wait_for 'DONE' 30 || fail "the 30-epoch spiral run did not finish"
resize 100 32
# the row as redrawn at 100 columns: the 120-column frame, clipped by the
# resize until gradtop redraws, read 'best    val_a'
wait_for 'best +[^│|]* @[0-9]' 5 || fail "no best row with its epoch at 100x32"
shown=$(screen | grep -Eo 'best +[^│|]*' | head -n 1)
want=$(awk -F, 'NR > 1 && $7 > max { max = $7; at = $1 } END { print at }' "$TMP"/runs/*/metrics.csv)
[ "$want" -ge 10 ] || fail "the test needs a best epoch of two digits (metrics.csv says $want)"
echo "$shown" | grep -Eq "[0-9] @$want *\$" || fail "best row '$shown', but metrics.csv's best epoch is $want"
echo "ok: at 100 columns the best row reads '$shown' (metrics.csv: epoch $want)"

# ---- a schedule's rate in force is never cut away -----------------------------
# At 80 columns "lr  0.0123  (now 0.009963)" is two columns too wide for
# the panel: it read "0.0123  (now…", the base rate alone, 24% above the
# rate the last epoch used.
start_session sched C.UTF-8 "--start --logdir '$TMP/sched' --lr 0.0123 --lr-schedule exponential --gamma 0.9 --epochs 3 --patience 0 moons"
wait_for 'DONE' 30 || fail "the 3-epoch moons run did not finish"
resize 80 24
wait_for 'lr +0\.0123 \(now [0-9.]+\) *$' 5 || fail "at 80x24 the lr row does not show the rate in force whole"
used=$(awk -F, 'END { printf "%.3g", $8 }' "$TMP"/sched/*/metrics.csv)
on_screen "lr +0\.0123 \(now $used\)" || fail "at 80x24 the lr row's rate in force is not metrics.csv's $used"
echo "ok: at 80x24 the lr row shows the schedule's rate in force, $used as in metrics.csv"

# ---- a diagnosis of three rows says its whole sentence -------------------------
# At 70 columns "not learning: validation at chance level (...): try a
# higher learning rate or a larger network" takes three rows; it was cut
# after two, its advice half gone.
start_session chance C.UTF-8 "--start --no-log --lr 1e-7 --epochs 20 --patience 0 --seed 1 spiral"
wait_for 'DONE' 30 || fail "the 20-epoch spiral run did not finish"
resize 70 24
wait_for '^ diagnosis: not learning' 5 || fail "at 70x24 the run is not diagnosed as not learning"
diag=$(screen | sed -n '/^ diagnosis: /,/^ [^ ]/p' | tr -s ' \n' ' ')
echo "$diag" | grep -q 'try a higher learning rate or a larger network' ||
    fail "at 70x24 the diagnosis is cut: $diag"
echo "ok: at 70x24 the diagnosis takes the rows its sentence needs"

# ---- after an early stop the views say whose weights they show -------------------
# The run keeps its best epoch's weights; the confusion matrix and the
# boundary, drawn from them, said "step 3939" (the last step) beside the
# panel's last-epoch figures: a matrix at 0.98 under a val_accuracy of
# 0.92, both of "now".  They must name the epoch whose weights they show,
# and the matrix's accuracy must be that epoch's val_accuracy.
start_session kept C.UTF-8 "--start --logdir '$TMP/kept' spiral"
wait_for 'EARLY STOPPED' 60 || fail "the spiral run did not early-stop"
best=$(awk -F, 'NR > 1 && $7 > max { max = $7; at = $1 } END { print at }' "$TMP"/kept/*/metrics.csv)
last=$(awk -F, 'END { print $1 }' "$TMP"/kept/*/metrics.csv)
acc=$(awk -F, -v e="$best" '$1 == e { printf "%.4f", $7 }' "$TMP"/kept/*/metrics.csv)
[ "$best" -lt "$last" ] || fail "the run's best epoch $best is its last: no test"
tab_to confusion
wait_for 'confusion matrix' 5 || fail "no confusion matrix"
on_screen "confusion matrix .*weights of epoch $best" ||
    fail "the confusion matrix does not say it shows the weights of epoch $best"
on_screen "confusion matrix .*accuracy $acc" ||
    fail "the confusion matrix's accuracy is not epoch $best's val_accuracy $acc"
tab_to boundary
wait_for "decision boundary .*weights of epoch $best" 5 ||
    fail "the boundary does not say it shows the weights of epoch $best"
# the network view said nothing of whose weights it drew
tab_to network
wait_for "^network.*  weights of epoch $best" 5 ||
    fail "the network view does not say it shows the weights of epoch $best"
echo "ok: after an early stop the views name the kept epoch ($best of $last), the matrix at its $acc"
quit_exits kept 0

# ---- TERM=dumb is refused like an unknown terminal ----------------------------
RUN_WITH="env TERM=nosuchterm"
start_session unknown C.UTF-8 "--start --no-log --epochs 1 iris"
wait_file "$TMP/unknown.exit" 10 || fail "an unknown TERM was not refused within 10 s"
unknown_code=$(cat "$TMP/unknown.exit")
RUN_WITH="env TERM=dumb"
start_session dumb C.UTF-8 "--start --no-log --epochs 1 iris"
RUN_WITH=
wait_file "$TMP/dumb.exit" 10 || fail "TERM=dumb was not refused within 10 s (the dashboard drew on it?)"
code=$(cat "$TMP/dumb.exit")
if [ "$code" != 2 ] || [ "$code" != "$unknown_code" ]; then
    fail "TERM=dumb exited $code, an unknown terminal $unknown_code (both should be 2)"
fi
on_screen 'cannot use the terminal \(TERM=dumb\): it cannot move the cursor' ||
    fail "TERM=dumb: no message saying why"
on_screen 'gradtop train' || fail "TERM=dumb: the message does not point at gradtop train"
echo "ok: TERM=dumb is refused with status $code, pointing at gradtop train"

echo "e2e_teaching: all passed"
