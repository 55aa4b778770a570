#!/bin/sh
# e2e_panel.sh - what the dashboard shows is what the run does: the panel's
# lr row gives the rate a schedule put in force while training is paused
# (as metrics.csv's lr column records it), not only while it runs; and `e`
# pressed while the help is open shows the edit form it opens, rather than
# leaving it hidden behind the help.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_panel.sh
# Every wait is bounded; a failure prints what was expected and the screen.
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_panel panel panel

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
