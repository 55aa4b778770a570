#!/bin/sh
# e2e_netedit.sh - changing the network while it trains, in the real
# dashboard in a tmux pseudo-terminal: in the network view the arrows choose
# a layer, + adds a unit there while paused and the view, the header and
# journal.txt show the new width at once; + on the output layer is refused
# on the status line and changes nothing; c changes the chosen layer's
# activation; the run then trains on, and its model.gtm records the edited
# network, which eval uses; train --resume goes on at the edited shape; r
# restarts with the network as edited.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_netedit.sh
# Every wait is bounded; a failure prints what was expected and the screen.
# shellcheck disable=SC2015
# ("[ A ] && [ B ] || fail" is meant: fail exits)
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
DATA=$PWD/datasets/iris.csv
tmux_harness e2e_netedit netedit netedit
LOGS=$TMP/logs

# the one run directory under $LOGS, and its journal
rundir() { for d in "$LOGS"/*/; do echo "${d%/}"; done | head -n 1; }
journal_has() { grep -q -- "$1" "$(rundir)/journal.txt" 2>/dev/null; }
# model.gtm's layer sizes: the SHAPE section's payload at byte 32 (after
# the 16-byte header and the section's own 16), n_layers then the sizes
sizes() { od -An -t u4 -j 32 -N "$((4 * ($(od -An -t u4 -j 32 -N 4 "$1") + 2)))" "$1" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }

start_session edit C.UTF-8 "--start --logdir '$LOGS' --patience 0 --epochs 100000 --seed 1 --paused --layers 8,6 '$DATA'"
wait_for 'PAUSED' 15 || fail "the dashboard did not start paused within 15 s"
keys Tab Tab Tab Tab
wait_for '\[network\]' 5 || fail "four tabs did not reach the network view"
wait_for 'chosen: the inputs \(4 features\)' 5 || fail "the network view shows no cursor"
on_screen '←→↑↓ choose +\+- unit +a/del layer +c activation' ||
    fail "the key bar does not show the network view's keys"

# ---- + adds a unit to the chosen hidden layer, at once while paused -------
keys Right
wait_for 'chosen: hidden layer 1 \(8 relu units\), unit 1' 5 || fail "right did not choose hidden layer 1"
keys +
wait_for 'chosen: hidden layer 1 \(9 relu units\), unit 2' 5 ||
    fail "+ did not add a unit to hidden layer 1 (the cursor on the new one)"
wait_for '4→9→6→3' 5 || fail "the header does not name the network 4→9→6→3"
wait_for '^4 +9 +6 +3' 5 || fail "the network view's columns do not read 4 9 6 3"
poll 5 journal_has 'change layers 8,6 -> 9,6: unit 2 added to hidden layer 1, the outputs unchanged' ||
    fail "journal.txt does not record the edit: $(tail -n 3 "$(rundir)/journal.txt")"
on_screen 'layers 8,6 -> 9,6' || fail "the events list does not show the edit"
on_screen 'step +0 ' || fail "the edit ran a batch while paused"
echo "ok: + added a unit to hidden layer 1 while paused: view, header, events and journal show 9"

# ---- the output layer's units are the task's: refused, nothing changes ----
keys Right Right
wait_for 'chosen: the output layer \(3 softmax\)' 5 || fail "right right did not reach the output layer"
keys +
wait_for "the output layer's 3 units are fixed by the task" 5 ||
    fail "+ on the output layer was not refused on the status line"
on_screen '4→9→6→3' || fail "a refused edit changed the network"
echo "ok: + on the output layer is refused, saying why"

# ---- c: the chosen hidden layer's next activation -----------------------
keys Left
wait_for 'chosen: hidden layer 2 \(6 relu units\)' 5 || fail "left did not choose hidden layer 2"
keys c
wait_for 'chosen: hidden layer 2 \(6 leaky_relu units\)' 5 || fail "c did not change hidden layer 2's activation"
on_screen '4→9→6→3 mixed' || fail "the header does not say the activations are mixed"
poll 5 journal_has 'hidden layer 2 relu -> leaky_relu' || fail "journal.txt does not record the activation"
echo "ok: c gave hidden layer 2 leaky_relu"

# ---- it trains on at that shape; the model file has it, and eval uses it -
keys Space
wait_for 'RUNNING' 5 || fail "space did not resume"
# shellcheck disable=SC2317 # run through poll
trained() { screen | grep -Eq 'epoch +([2-9][0-9]{2}|[0-9]{4,})/100000'; }
poll 60 trained || fail "the edited network did not train 200 epochs within 60 s"
keys s
wait_for 'EARLY STOPPED' 10 || fail "s did not stop the run"
quit_exits edit 0
RUN=$(rundir)
[ -s "$RUN/model.gtm" ] || fail "no model.gtm in $RUN"
got=$(sizes "$RUN/model.gtm")
[ "$got" = "3 4 9 6 3" ] || fail "model.gtm's shape reads '$got', not '3 4 9 6 3' (3 layers: 4 9 6 3)"
"$GRADTOP" eval --model "$RUN/model.gtm" "$DATA" >"$TMP/eval.out" 2>&1 ||
    fail "eval on the edited model failed: $(cat "$TMP/eval.out")"
# at least 200 epochs were trained: well above chance (a third)
acc=$(sed -n 's/^result: rows=150 loss=[0-9.]* accuracy=\([0-9.]*\)$/\1/p' "$TMP/eval.out")
awk -v a="${acc:-0}" 'BEGIN { exit !(a > 0.8) }' ||
    fail "eval's accuracy '$acc' is not a trained network's: $(tail -n 2 "$TMP/eval.out")"
echo "ok: model.gtm records 4-9-6-3 and eval scores it: $(grep '^result' "$TMP/eval.out")"

# ---- train --resume goes on at the edited shape -------------------------
done_epochs=$(sed -n 's/.* end stopped after \([0-9][0-9]*\) epochs\{0,1\}.*/\1/p' "$RUN/journal.txt" | tail -n 1)
[ -n "$done_epochs" ] || fail "the journal does not say how many epochs ran"
"$GRADTOP" train --resume "$RUN" --epochs "$((done_epochs + 2))" >"$TMP/resume.out" 2>&1 ||
    fail "train --resume of the edited run failed: $(tail -n 3 "$TMP/resume.out")"
grep -q "^result: status=completed epochs=$((done_epochs + 2)) " "$TMP/resume.out" ||
    fail "the resumed run did not complete its epochs: $(tail -n 2 "$TMP/resume.out")"
got=$(sizes "$RUN/model.gtm")
[ "$got" = "3 4 9 6 3" ] || fail "after --resume, model.gtm's shape reads '$got'"
echo "ok: train --resume went on at the edited shape for 2 more epochs"
# config.txt keeps the network the run started with (8,6): a hand edit of
# it is refused, naming both and the shape the live edits made.
cp "$RUN/config.txt" "$TMP/config.kept"
sed 's/^layers = 8,6$/layers = 16/' "$TMP/config.kept" >"$RUN/config.txt"
"$GRADTOP" train --resume "$RUN" --epochs "$((done_epochs + 3))" >"$TMP/edited.out" 2>&1
rc=$?
[ "$rc" -eq 2 ] || fail "train --resume with layers edited in config.txt exited $rc, not 2"
grep -qF "gradtop: --resume: $RUN/config.txt: layers = 16, but $RUN/checkpoint.gtm was saved with layers = 8,6, and edited while it trained into layers = 9,6, as journal.txt says: config.txt was edited by hand" "$TMP/edited.out" ||
    fail "the refusal does not name config.txt and both shapes: $(cat "$TMP/edited.out")"
cp "$TMP/config.kept" "$RUN/config.txt"
echo "ok: layers edited by hand in config.txt are refused, naming both shapes"

# ---- r restarts with the network as edited --------------------------------
start_session restart C.UTF-8 "--start --no-log --patience 0 --epochs 100000 --seed 1 --paused --layers 8,6 '$DATA'"
wait_for 'PAUSED' 15 || fail "the dashboard did not start paused within 15 s"
keys Tab Tab Tab Tab
wait_for 'chosen: the inputs' 5 || fail "four tabs did not reach the network view"
keys Right +
wait_for '4→9→6→3' 5 || fail "+ did not add a unit to hidden layer 1"
keys r
wait_for 'k keep seed' 5 || fail "r did not ask about the seed"
keys k
wait_for 'restarted with the same seed' 10 || fail "r, k did not restart"
wait_for 'chosen: hidden layer 1 \(9 relu units\)' 5 || fail "the restarted run's network is not 4-9-6-3"
on_screen '4→9→6→3 relu' || fail "the restarted run's header does not name 4→9→6→3 relu"
poll 5 off_screen 'layers 8,6 -> 9,6' || fail "the new run's events still show the old run's edit"
echo "ok: r restarts with the network as edited"

# ---- d discretizes the boundary from the network view too; del removes ---
# (d once removed the chosen layer here, while it discretized the boundary
# from every other view)
keys Right
wait_for 'chosen: hidden layer 2 \(6 relu units\)' 5 || fail "right did not choose hidden layer 2"
keys d
wait_for '\[boundary\]' 5 || fail "d in the network view did not go to the boundary, discretized"
wait_for 'd: continuous' 5 || fail "d in the network view did not discretize the boundary"
on_screen '4→9→6→3' || fail "d in the network view changed the network"
keys Tab Tab
wait_for 'chosen: hidden layer 2 \(6 relu units\)' 5 || fail "two tabs did not go back to the network view"
keys DC
wait_for '4→9→3' 5 || fail "delete did not remove the chosen hidden layer"
echo "ok: d discretizes the boundary from the network view as from the others; delete removes a layer"
quit_q_y restart

echo "e2e_netedit: all passed"
