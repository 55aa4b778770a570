#!/bin/sh
# e2e_colours.sh - a colour means one thing on every screen: cyan is the
# training curve and magenta the validation curve, green, red and yellow are
# good, bad and warning.  Read from the escape codes of `tmux capture-pane
# -e`: the gradient view's sparklines are drawn in neither the training nor
# the validation colour, nor are the network view's distributions; the
# network view's weights are blue when positive and orange when negative
# on 256 colours, never red, and a negative weight is hollow (on 8 colours
# and under NO_COLOR the shape alone tells the sign), which the view's
# title says, and in ASCII a unit is + or - by its bias's sign; the
# regression scatter of validation rows is drawn in the validation colour;
# the confusion matrix says what its colours (or, without colour, its
# attributes) mean; no racer of a race and no trial of a sweep is green or
# red, and under NO_COLOR the sweep's curves chart draws the trials other
# than the best and the cursor's dim.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_colours.sh
# Every wait is bounded; a failure prints what was expected and the screen.
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_colours colours colours

# start NAME ENV ARGS: the dashboard at 120x40 under the environment ENV.
start() { start_running "$1" "$2" "$3"; }

capture() { T capture-pane -p -e -t "$PANE" >"$1"; }

# area FILE FROM TO: the cells (as cells gives them) left of column 80 on
# the rows after the first line matching FROM and before the next matching
# TO (Perl regular expressions, matched on the plain screen).
area() {
    sed 's/\x1b\[[0-9;]*m//g' "$1" >"$1.txt"
    from=$(grep -nE -- "$2" "$1.txt" | head -n 1 | cut -d: -f1)
    [ -n "$from" ] || fail "no line matches '$2'"
    to=$(tail -n +"$((from + 1))" "$1.txt" | grep -nE -- "$3" | head -n 1 | cut -d: -f1)
    [ -n "$to" ] || fail "no line after '$2' matches '$3'"
    cells <"$1" | awk -v a="$from" -v b="$((from + to))" '$1 >= a && $1 < b - 1 && $2 < 80'
}

# no_curve_colour CELLS WHAT: the cells in the file CELLS (WHAT, for the
# message) are there and none is in the training (6, 14) or the validation
# (5, 13) colour.
no_curve_colour() {
    [ -s "$1" ] || fail "the screen shows no $2"
    bad=$(awk '$3 == 5 || $3 == 6 || $3 == 13 || $3 == 14' "$1" | wc -l)
    [ "$bad" -eq 0 ] || fail "$bad cells of the $2 are in the training or validation colour"
    echo "ok: the $2 use neither the training nor the validation colour"
}

# ---- the gradient view: its sparklines are no curve of the charts ---------
start grad TERM=xterm-256color spiral
tab_to gradient
wait_for 'update/W' 15 || fail "the gradient view shows no layer table"
# the sparklines grow with each probe: read once some are drawn
# shellcheck disable=SC2317 # run through poll
grad_cells() {
    capture "$TMP/grad.esc"
    area "$TMP/grad.esc" 'cosine\(mini-batch' 'gradcheck' | grep -E ' [▁▂▃▄▅▆▇█] ' >"$TMP/grad.cells"
    [ "$(wc -l <"$TMP/grad.cells")" -ge 4 ]
}
poll 15 grad_cells || fail "the gradient view draws no sparklines"
no_curve_colour "$TMP/grad.cells" "gradient view's sparklines"

# net_cells: the network view's weights and units (the input units, at
# column 0, left out) into $TMP/w.cells and its distributions' cells into
# $TMP/dist.cells, the screen in $TMP/net.esc; true once both are drawn.
# shellcheck disable=SC2317 # run through poll
net_cells() {
    capture "$TMP/net.esc"
    area "$TMP/net.esc" '^network' '^chosen' | awk '$2 > 0' | grep -E ' [·∙•●∘◦○◉◎] ' >"$TMP/w.cells"
    area "$TMP/net.esc" 'weights over time' 'diagnosis' | grep -E ' [░▒▓█▁▂▃▄▅▆▇] ' >"$TMP/dist.cells"
    [ -s "$TMP/w.cells" ] && [ -s "$TMP/dist.cells" ]
}

# network_weights MODE: in the network view (the dashboard on spiral, under
# the environment MODE, the view reached by tab), the weights and units:
# their cells in $TMP/w.cells (the input units, at column 0, left out),
# the screen in $TMP/net.esc.  None may be red, the colour of errors.
network_weights() {
    start net "$1" spiral
    tab_to network
    wait_for 'weights over time' 15 || fail "$1: the network view shows no distributions"
    # read once weights and distributions are drawn
    poll 15 net_cells || fail "$1: the network view shows no weights or no distributions"
    bad=$(awk '$3 == 1 || $3 == 9 || $3 == 160 || $3 == 196' "$TMP/w.cells" | wc -l)
    [ "$bad" -eq 0 ] || fail "$1: the network view draws $bad weights in red, the colour of errors"
}

# ---- the network view at 256 colours ---------------------------------------
network_weights TERM=xterm-256color
no_curve_colour "$TMP/dist.cells" "network view's distributions"
pos=$(awk '$3 == 33 && $4 ~ /^(∙|•|●|◉)$/' "$TMP/w.cells" | wc -l)
neg=$(awk '$3 == 208 && $4 ~ /^(∘|◦|○|◎)$/' "$TMP/w.cells" | wc -l)
[ "$pos" -gt 0 ] && [ "$neg" -gt 0 ] ||
    fail "the weights are not filled blue (+: $pos) and hollow orange (-: $neg)"
wrong=$(awk '($3 == 33 && $4 ~ /^(∘|◦|○|◎)$/) || ($3 == 208 && $4 ~ /^(∙|•|●|◉)$/)' "$TMP/w.cells" | wc -l)
[ "$wrong" -eq 0 ] || fail "$wrong weights have a colour and a shape of different signs"
on_screen 'blue ● \+, orange ○ -' || fail "the network view's title does not name its colours"
echo "ok: the network view's weights are blue and filled (+), orange and hollow (-), never red"

# ---- the network view on 8 colours and under NO_COLOR: the shape tells -----
for mode in "TERM=xterm" "NO_COLOR=1"; do
    network_weights "$mode"
    filled=$(awk '$4 ~ /^(∙|•|●)$/' "$TMP/w.cells" | wc -l)
    hollow=$(awk '$4 ~ /^(∘|◦|○)$/' "$TMP/w.cells" | wc -l)
    [ "$filled" -gt 0 ] && [ "$hollow" -gt 0 ] ||
        fail "$mode: the weights' signs are not shown by their shape (filled $filled, hollow $hollow)"
    on_screen '● \+, ○ -' || fail "$mode: the network view's title does not name its shapes"
    echo "ok: $mode: the network view's weights are filled (+) and hollow (-)"
done

# ---- ASCII without colour: a unit's bias sign is its glyph -----------------
# In a C locale under NO_COLOR a unit was "O" whatever its bias: its sign
# rested on colour alone.  Every hidden and output unit (in the columns
# under the layer sizes, from the second) is now + or -, and the title
# says so.
RUN_WITH="env NO_COLOR=1"
start_session ascii C "--start --no-log --patience 0 --epochs 300 --seed 1 spiral"
RUN_WITH=
wait_for 'DONE' 15 || fail "the ASCII dashboard did not finish its 300 epochs"
tab_to network
wait_for 'bias \+ -' 5 || fail "the ASCII network view's title does not say how a bias shows"
screen | perl -ne '
    if (!defined $size && /^network:/) { $size = 0; next }
    if (defined $size && !$size) { $size = 1; push @col, $-[0] while /\d+/g; shift @col; next }
    last if /W1/;
    next unless $size;
    for my $c (@col) { my $g = substr($_, $c, 1); print "$g\n" if $g =~ /\S/ }' >"$TMP/units"
[ "$(wc -l <"$TMP/units")" -ge 20 ] || fail "the ASCII network view shows only $(wc -l <"$TMP/units") units"
other=$(grep -cv '^[-+]$' "$TMP/units")
plus=$(grep -c '^+$' "$TMP/units")
minus=$(grep -c '^-$' "$TMP/units")
[ "$other" -eq 0 ] && [ "$plus" -gt 0 ] && [ "$minus" -gt 0 ] ||
    fail "ASCII, NO_COLOR: the units are not + or - by their bias (+ $plus, - $minus, other $other)"
echo "ok: in ASCII under NO_COLOR a unit shows its bias's sign (+ $plus, - $minus)"

# ---- the regression scatter of validation rows is in the validation colour --
start scatter TERM=xterm-256color "'$PWD/datasets/diabetes.csv'"
tab_to confusion
wait_for 'predicted against actual .* validation rows' 15 ||
    fail "the confusion view shows no scatter of validation rows"
# shellcheck disable=SC2317 # run through poll
scat_cells() {
    capture "$TMP/scat.esc"
    area "$TMP/scat.esc" '^predicted against' '└' |
        perl -CS -ne 'print if / [\x{2801}-\x{28ff}] /' >"$TMP/scat.cells"
    [ -s "$TMP/scat.cells" ]
}
poll 15 scat_cells || fail "the scatter of validation rows draws no points"
val=$(awk '$3 == 5 || $3 == 13' "$TMP/scat.cells" | wc -l)
train=$(awk '$3 == 6 || $3 == 14' "$TMP/scat.cells" | wc -l)
[ "$val" -gt 0 ] && [ "$train" -eq 0 ] ||
    fail "the scatter of validation rows has $val cells in the validation colour, $train in the training one"
echo "ok: the scatter of validation rows is drawn in the validation colour"


# ---- the race: no racer in the colours of good and bad --------------------
# Four racers, each row led by a bar in its colour; DONE beside it is
# green, an error red: no bar may be in either (nor in the 256-colour
# cube's green 34 and red 160), and the four bars differ.
for mode in "TERM=xterm-256color" "TERM=xterm"; do
    RUN_WITH="env $mode"
    start_session race C.UTF-8 "race --no-log --epochs 2 --racers \
'sgd:lr=0.1;adam:lr=0.03;rmsprop:lr=0.01;sgd:lr=0.3,name=sgd-b' spiral"
    RUN_WITH=
    wait_for 'sgd-b' 15 || fail "$mode: the race shows no fourth racer"
    capture "$TMP/race.esc"
    cells <"$TMP/race.esc" | awk '$2 == 0 && $4 == "█"' >"$TMP/bars"
    [ "$(wc -l <"$TMP/bars")" -eq 4 ] || fail "$mode: the race shows $(wc -l <"$TMP/bars") racer bars"
    bad=$(awk '$3 == 1 || $3 == 2 || $3 == 9 || $3 == 10 || $3 == 34 || $3 == 160' "$TMP/bars" | wc -l)
    [ "$bad" -eq 0 ] || fail "$mode: $bad racers are drawn green or red: $(cut -d' ' -f3 "$TMP/bars" | tr '\n' ' ')"
    [ "$(cut -d' ' -f3 "$TMP/bars" | sort -u | wc -l)" -eq 4 ] ||
        fail "$mode: the four racers do not have four colours"
    echo "ok: $mode: the race's four racers have four colours, none green or red"
done

# ---- the sweep screen: trials in neither good's nor bad's colour; without
# colour the best's and the cursor's curves stand out --------------------
# Eight trials of a finished sweep: each trial's number, at the start of its
# row, is in its colour, which no green (the best cell's) or red may be.
# Under NO_COLOR, with the cursor moved off the best, the curves chart's
# other trials are dim (every trial was bold, so none could be told).
sweep_start() {
    RUN_WITH="env $1"
    start_session sweep C.UTF-8 "sweep --no-log --space 'lr=loguniform(1e-3,3e-1); \
batch-size=choice(8|16|32)' --trials 8 --max-epochs 40 --seed 3 '$PWD/datasets/iris.csv'"
    RUN_WITH=
    wait_for 'sweep finished' 30 || fail "$1: the sweep did not finish"
}
sweep_start TERM=xterm-256color
capture "$TMP/sweep.esc"
cells <"$TMP/sweep.esc" | awk '$1 < 10 && $2 == 0 && $4 ~ /^[0-9]$/' >"$TMP/ids"
[ "$(wc -l <"$TMP/ids")" -eq 8 ] || fail "the sweep screen shows $(wc -l <"$TMP/ids") trial numbers"
bad=$(awk '$3 == 1 || $3 == 2 || $3 == 9 || $3 == 10 || $3 == 34 || $3 == 160' "$TMP/ids" | wc -l)
[ "$bad" -eq 0 ] || fail "$bad trials are drawn green or red: $(cut -d' ' -f3,4 "$TMP/ids" | tr '\n' ' ')"
echo "ok: the sweep screen draws no trial green or red"
sweep_start NO_COLOR=1
keys Down Down
wait_for 'cursor \([0-9]\)|above: top edge' 5 || fail "under NO_COLOR the curves chart has no legend"
capture "$TMP/mono.esc"
sed 's/\x1b\[[0-9;]*m//g' "$TMP/mono.esc" >"$TMP/mono.txt"
from=$(grep -n 'per epoch' "$TMP/mono.txt" | head -n 1 | cut -d: -f1)
to=$(grep -n '└' "$TMP/mono.txt" | head -n 1 | cut -d: -f1)
cells <"$TMP/mono.esc" | awk -v a="$from" -v b="$to" '$1 >= a && $1 < b - 1 && $2 > 3 && $2 < 55' |
    perl -CS -ne 'print if / [\x{2801}-\x{28ff}] /' >"$TMP/mono.cells"
bold=$(awk '$5 == "b"' "$TMP/mono.cells" | wc -l)
dim=$(awk '$5 == "d"' "$TMP/mono.cells" | wc -l)
[ "$bold" -gt 0 ] && [ "$dim" -gt 0 ] ||
    fail "under NO_COLOR the curves chart has $bold bold cells and $dim dim: the best and the cursor's cannot be told"
echo "ok: under NO_COLOR the sweep's best and cursor's curves are bold, the others dim"
keys q
wait_for 'Quit' 5 && keys y

# ---- the confusion matrix's legend ----------------------------------------
for mode in "TERM=xterm-256color" "NO_COLOR=1"; do
    start conf "$mode" "'$PWD/datasets/iris.csv'"
    tab_to confusion
    wait_for 'precision +recall' 15 || fail "$mode: the confusion view shows no matrix"
    if [ "$mode" = NO_COLOR=1 ]; then
        legend='bold: right +reversed: wrong +underlined: wrong, under 5% of its row'
    else
        legend='green: right +red: wrong +yellow: wrong, under 5% of its row'
    fi
    wait_for "$legend" 5 || fail "$mode: the confusion matrix does not say what its colours mean"
    echo "ok: $mode: the confusion matrix says what its colours mean"
done

quit_q_y conf
