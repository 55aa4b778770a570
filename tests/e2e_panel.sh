#!/bin/sh
# e2e_panel.sh - what the dashboard shows is what the run does: a loss
# too small for four decimals is not shown as 0.0000 on the panel or in the
# epochs table, nor a third of a percent of the epochs done as 0%; the
# panel's lr row gives the rate a schedule put in force while training is paused
# (as metrics.csv's lr column records it), not only while it runs; and `e`
# pressed while the help is open shows the edit form it opens, rather than
# leaving it hidden behind the help; no figure on the dashboard is cut
# short (the events panel's "training digits: 1…"), nor an epoch's
# seconds shown as 0.00.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_panel.sh
# Every wait is bounded; a failure prints what was expected and the screen.
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_panel panel panel

# ---- a loss too small for four decimals -------------------------------------
# gauss's two blobs are told apart at once: its validation loss falls to
# about 1e-5, which the panel's latest row and the epochs table showed as
# 0.0000, a loss of nothing.  It must read in a form that keeps its digits.
start_session tiny C.UTF-8 "--start --no-log --patience 0 --epochs 300 --seed 1 gauss"
wait_for 'DONE' 30 || fail "the gauss run did not finish its 300 epochs"
row=$(screen | grep -Eo '│ loss .*' | head -n 1)
echo "$row" | grep -q '0\.0000' && fail "the panel's latest loss reads 0.0000: $row"
echo "$row" | grep -Eq ' [1-9](\.[0-9]+)?e-[0-9]+ *$' ||
    fail "the panel's latest validation loss is not in the exponent form: $row"
tab_to epochs
wait_for '^ +epoch +step +loss' 5 || fail "no epochs table"
screen | grep -Eq '^ +[0-9]+ +[0-9]+ +[0-9.e-]+ +[0-9.]+ +0\.0000 ' &&
    fail "the epochs table's val_loss reads 0.0000"
screen | grep -Eq '^ +300 +[0-9]+ +[0-9.]+ +[0-9.]+ +[1-9](\.[0-9]+)?e-[0-9]+ ' ||
    fail "epoch 300's val_loss is not in the exponent form"
echo "ok: a loss of about 1e-5 reads as such on the panel ($row) and in the epochs table"
quit_exits tiny 0

# ---- no figure cut short ------------------------------------------------------
# A figure is shown whole or not at all: the events panel's last row, cut
# for height, read "training digits: 1…" for 1437 rows at 160x30, and the
# epochs table's rows ended "0.9400…" at 80x24.
start_session cut C.UTF-8 "--start --no-log --patience 0 --epochs 60 --seed 1 digits"
wait_for 'DONE' 60 || fail "the digits run did not finish its 60 epochs"
# no_cut WHAT: fails when a figure on screen ends in an ellipsis
no_cut() {
    _cut=$(screen | grep -E '[0-9.,]…' | head -n 3)
    [ -z "$_cut" ] || fail "$1 cuts a figure: $_cut"
}
resize 160 30
wait_for '· epoch 0 \(step 0\): training digits' 5 || fail "at 160x30 the events panel does not show the run's start"
no_cut "at 160x30 the charts view"
resize 80 24
tab_to epochs
wait_for '^ +epoch +loss +accuracy +val_loss +val_acc +│' 5 || fail "at 80x24 no epochs table"
no_cut "at 80x24 the epochs view"
resize 100 30
wait_for '^ +epoch +loss +accuracy +val_loss +val_acc +lr +seconds +│' 5 || fail "at 100x30 no epochs table"
no_cut "at 100x30 the epochs view"
# a digits epoch takes well under 5 ms: its seconds keep their digits
# ("3.6e-4"), where "0.00" said it took no time
zero=$(screen | grep -E '^ +[0-9]+ .* 0\.00 +│' | head -n 2)
[ -z "$zero" ] || fail "at 100x30 the epochs table says an epoch took 0.00 seconds: $zero"
echo "ok: no figure on the dashboard is cut short (the charts at 160x30, the epochs at 80x24 and 100x30)"
quit_exits cut 0

# ---- the progress of an epoch of many -----------------------------------------
# spiral's 400 training rows in one batch: n trains epoch 1 of 300, a third
# of a percent, which the bar's figure rounded to "0%", as it would have
# shown epoch 299 as "100%".
start_session progress C.UTF-8 "--start --paused --no-log --epochs 300 --batch-size 400 --seed 1 spiral"
wait_for 'PAUSED' 15 || fail "the dashboard did not start paused"
keys n
wait_for 'epoch +1/300' 10 || fail "n did not train epoch 1"
wait_for ' 0\.3%' 5 || fail "epoch 1 of 300 is not 0.3% done: $(screen | grep -E '%' | head -n 1)"
echo "ok: epoch 1 of 300 reads 0.3% done, not 0%"
quit_q_y progress

# ---- a schedule's rate while paused ----------------------------------------
# iris: 120 training rows, 4 batches of 32 an epoch.  The step schedule
# halves the rate every epoch, so the fifth batch (the first of epoch 2)
# trains at 0.0005; paused after it, that is the rate in force.
start_session sched C.UTF-8 "--start --paused --logdir '$TMP/runs' --seed 1 \
    --lr 0.001 --lr-schedule step --step-size 1 --gamma 0.5 iris"
wait_for 'PAUSED' 15 || fail "the dashboard did not start paused"
for i in 1 2 3 4 5; do
    keys n
    wait_for "step +$i  \\(batch" 10 || fail "n did not take batch $i"
done
run=$(ls -d "$TMP"/runs/*-iris 2>/dev/null | head -n 1)
[ -n "$run" ] || fail "no run directory under $TMP/runs"
wait_file "$run/metrics.csv" 5 || fail "no metrics.csv in $run"
# the first epoch's row says what the schedule did at its end
lr1=$(sed -n 2p "$run/metrics.csv" | awk -F, '{print $NF}')
[ "$lr1" = 0.001 ] || fail "metrics.csv gives epoch 1 the rate '$lr1', not 0.001"
wait_for 'lr +0\.001  \(now 0\.0005\)' 5 ||
    fail "paused in epoch 2, the lr row does not give the scheduled rate 0.0005 beside 0.001"
echo "ok: paused, the lr row gives the schedule's rate in force (0.001, now 0.0005)"

# ---- e while the help is open ----------------------------------------------
keys '?'
wait_for 'gradtop keys' 5 || fail "? did not open the help"
keys e
wait_for 'hyperparameters: applied at the next batch' 5 ||
    fail "e with the help open: the edit form is not on the screen"
off_screen 'gradtop keys' || fail "e with the help open: the help still covers the edit form"
keys Escape
wait_for 'edit cancelled' 5 || fail "esc did not close the edit form"
echo "ok: e with the help open shows the edit form"

quit_q_y sched
echo "e2e_panel: PASS"
