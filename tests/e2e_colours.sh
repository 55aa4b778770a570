#!/bin/sh
# e2e_colours.sh - a colour means one thing on every screen: cyan is the
# training curve and magenta the validation curve, green, red and yellow are
# good, bad and warning.  Read from the escape codes of `tmux capture-pane
# -e`: the gradient view's sparklines are drawn in neither the training nor
# the validation colour, nor are the network view's distributions.
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
sleep 2
capture "$TMP/grad.esc"
area "$TMP/grad.esc" 'cosine\(mini-batch' 'gradcheck' | grep -E ' [▁▂▃▄▅▆▇█] ' >"$TMP/grad.cells"
no_curve_colour "$TMP/grad.cells" "gradient view's sparklines"

# ---- the network view at 256 colours ---------------------------------------
tab_to network
wait_for 'weights over time' 15 || fail "the network view shows no distributions"
sleep 2
capture "$TMP/net.esc"
area "$TMP/net.esc" 'weights over time' 'diagnosis' | grep -E ' [░▒▓█▁▂▃▄▅▆▇] ' >"$TMP/dist.cells"
no_curve_colour "$TMP/dist.cells" "network view's distributions"
quit_q_y grad
