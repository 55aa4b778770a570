#!/bin/sh
# e2e_sweepaxes.sh - the sweep screen's charts over a rate range wide
# enough that some trials stay at chance or blow up: the scatters' y range
# is the good trials' (the worse quarter left out), the trials past it are
# arrows on the edge and the legend says so; for a loss over decades the
# axis is a log one (ticks 0.1, 0.2, 0.5); for an accuracy the range runs
# down from the best and the arrows point down.  At 120x40 and 80x24, with
# and without colour.
#
# (The scatters once fitted every figure up to 100 times the best: with
# val_loss from 0.1 to 2.35, every good trial sat in the bottom row of an
# axis to 3, and no parameter value could be told better than another.)
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_sweepaxes.sh
# Every wait is bounded; a failure prints what was expected and the screen.
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_sweepaxes sweepaxes sweepaxes

# 24 digits trials, rates 1e-4 to 3: val_loss 0.10 to 0.33 for half of
# them, 0.66 to 2.35 and one 75.8 for the rest (seed 1, on the machine
# where it was written)
SWEEP="sweep --space 'lr=loguniform(1e-4,3); layers=choice(16|64,32)' --trials 24 \
--max-epochs 15 --seed 1 --no-log"

# scatter_ticks TITLE: the y tick labels of the chart whose title, on the
# row that holds "per epoch", starts with TITLE: one value a line.
scatter_ticks() {
    screen | TITLE="$1" perl -CS -ne '
        if (!defined $col) { $col = index($_, $ENV{TITLE}) if /per epoch/; undef $col if defined $col && $col < 0; next }
        last if /^events/;
        my $s = substr($_, $col);
        print "$1\n" if $s =~ /^ *(-?[0-9.]+(?:e[+-]?[0-9]+)?)\x{2524}/;'
}

# title_row: the charts' title row.
title_row() { screen | grep 'per epoch'; }

# ---- a loss: the good trials fill the scatters, the rest are arrows on top -------
start_session loss C.UTF-8 "$SWEEP '$PWD/datasets/digits.csv'"
wait_for 'sweep finished: best trial' 90 || fail "the digits sweep did not finish"
ticks=$(scatter_ticks 'lr: best val_loss' | tr '\n' ' ')
top=$(scatter_ticks 'lr: best val_loss' | sort -g | tail -n 1)
[ -n "$top" ] || fail "no y tick on the lr scatter"
awk -v t="$top" 'BEGIN { exit !(t + 0 < 2.3) }' ||
    fail "the lr scatter's y axis runs to $top (ticks $ticks): the trials at chance set it"
# the log axis's ticks: 0.1, 0.2 and 0.5 between the best and the top
for t in 0.1 0.2 0.5; do
    scatter_ticks 'lr: best val_loss' | grep -qx "$t" ||
        fail "the lr scatter's y ticks are $ticks, not a log axis's 0.1, 0.2, 0.5"
done
title_row | grep -q 'lr: best val_loss  *↑ off' ||
    fail "the lr scatter does not say trials are off the chart: $(title_row)"
screen | grep -q '│.*↑' || fail "no arrow marks a trial off the scatter"
title_row | grep -q 'above: top edge' ||
    fail "the curves chart does not say what it clips: $(title_row)"
echo "ok: the lr scatter's axis tops at $top (ticks $ticks), the trials past it are arrows"
resize 80 24
wait_for 'lr: best val_loss  *↑ off chart' 5 ||
    fail "at 80x24 the lr scatter does not say trials are off the chart: $(title_row)"
wait_for 'val_loss per epoch  *above: top edge' 5 ||
    fail "at 80x24 the curves chart lost its clipping note: $(title_row)"
top=$(scatter_ticks 'lr: best val_loss' | sort -g | tail -n 1)
awk -v t="$top" 'BEGIN { exit !(t != "" && t + 0 < 2.3) }' ||
    fail "at 80x24 the lr scatter's y axis runs to $top"
quit_exits loss 0
echo "ok: at 80x24 the scatter's axis tops at $top, and both charts say what they clip"

# ---- without colour, the same arrows ---------------------------------------------
RUN_WITH="env NO_COLOR=1" start_session mono C.UTF-8 "$SWEEP '$PWD/datasets/digits.csv'"
wait_for 'sweep finished: best trial' 90 || fail "the NO_COLOR sweep did not finish"
title_row | grep -q 'lr: best val_loss  *↑ off' ||
    fail "without colour the lr scatter does not say trials are off the chart: $(title_row)"
screen | grep -q '│.*↑' || fail "without colour no arrow marks a trial off the scatter"
quit_exits mono 0
echo "ok: without colour, trials off the scatter are arrows too"

# ---- an accuracy: the range runs down from the best, the arrows point down -------
start_session acc C.UTF-8 "$SWEEP --monitor val_accuracy '$PWD/datasets/digits.csv'"
wait_for 'sweep finished: best trial' 90 || fail "the val_accuracy sweep did not finish"
low=$(scatter_ticks 'lr: best val_accuracy' | sort -g | head -n 1)
[ -n "$low" ] || fail "no y tick on the val_accuracy lr scatter"
awk -v t="$low" 'BEGIN { exit !(t + 0 >= 0.5) }' ||
    fail "the val_accuracy scatter's y axis runs down to $low: the trials at chance set it"
title_row | grep -q 'lr: best val_accuracy  *↓ off' ||
    fail "the val_accuracy scatter does not say trials are below it: $(title_row)"
title_row | grep -q 'below: bottom edge' ||
    fail "the val_accuracy curves chart does not say what it clips: $(title_row)"
quit_exits acc 0
echo "ok: the val_accuracy scatter's axis starts at $low, the trials below it are arrows"
# ---- no figure at all: every trial diverges before its first epoch --------------
# The charts said "waiting for the first epoch..." and "no trial has a
# figure yet" after the sweep had ended with none: nothing was coming.
start_session none C.UTF-8 "sweep --space 'lr=loguniform(1e4,1e6)' --optimizer sgd --trials 3 \
--max-epochs 5 --seed 1 --no-log '$PWD/datasets/diabetes.csv'"
wait_for 'sweep finished: no trial scored an epoch' 30 || fail "the diverging sweep did not end without an epoch"
on_screen 'waiting for the first epoch|figure yet' &&
    fail "the sweep has ended, but its charts still wait for a figure"
on_screen 'no trial scored an epoch +│' ||
    fail "the curves chart does not say that no trial scored an epoch"
on_screen '│ +no trial has a figure *$' || fail "the scatter does not say that no trial has a figure"
quit_exits none 3
echo "ok: a sweep that ended with no figure says so on its charts"
echo "e2e_sweepaxes: PASS"
