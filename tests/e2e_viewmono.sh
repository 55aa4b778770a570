#!/bin/sh
# e2e_viewmono.sh - `gradtop view` without colour tells its charted runs
# apart.  Under NO_COLOR (and on a terminal without colours, TERM
# xterm-mono) every run's curves were drawn in one ink, validation dotted
# and training solid, and three runs' could not be told apart.  Each
# charted run now has a letter, A, B, C down the list, shown in the list
# in place of the colour swatch and at the end of each of its curves (a
# capital at the validation curve's, lower case at the training one's),
# and the legend says so.  Three iris runs of 3, 6 and 12 epochs, at
# 80x24, 100x30 and 120x40: every letter is on both charts, and the
# 3-epoch run's stands well left of the 12-epoch run's, which ends at the
# plot's right edge.  With colour there are no letters.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_viewmono.sh
# Every wait is bounded; a failure prints what was expected and the screen.
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_viewmono viewmono viewmono

RUNS=$TMP/runs
for epochs in 3 6 12; do
    "$GRADTOP" train "$PWD/datasets/iris.csv" --epochs "$epochs" --patience 0 --seed 1 \
        --name "e$epochs" --logdir "$RUNS" >"$TMP/train.out" 2>&1 ||
        fail "gradtop train --epochs $epochs failed: $(tail -n 3 "$TMP/train.out")"
    sleep 1 # one second each: the list's order by start time is theirs
done

# plot_rows: the charts' plot rows (an axis on them, and no title or tick
# label row), each with its line number in the screen.
plot_rows() { screen | grep -n -E '^ *[0-9.]*(│|┤)'; }

# letter_cols L: the columns (from 1) where letter L stands alone in the
# plot rows, one a line.
letter_cols() {
    plot_rows | cut -d: -f2- | LETTER="$1" perl -CSD -ne '
        chomp; my @c = split //;
        for my $i (0 .. $#c) { print $i + 1, "\n" if $c[$i] eq $ENV{LETTER} }'
}

# lettered: the list's rows give A, B, C and every letter is on the charts
lettered() {
    screen | grep -q '^\[x\] A  .*-iris-e3 ' || return 1
    screen | grep -q '^\[x\] B  .*-iris-e6 ' || return 1
    screen | grep -q '^\[x\] C  .*-iris-e12 ' || return 1
    for _l in A B C a b c; do
        [ "$(letter_cols "$_l" | wc -l)" -ge 2 ] || return 1
    done
}

for size in "80 24" "100 30" "120 40"; do
    RUN_WITH="env NO_COLOR=1"
    start_session mono C.UTF-8 "view '$RUNS'"
    RUN_WITH=
    # shellcheck disable=SC2086 # two numbers
    resize $size
    wait_for 'iris-e12 ' 10 || fail "the view does not list the runs"
    poll 5 lettered || fail "at ${size% *} columns the runs are not lettered in the list and on both charts:
A at $(letter_cols A | tr '\n' ' '), C at $(letter_cols C | tr '\n' ' ')"
    on_screen 'A-C: runs' || fail "at ${size% *} columns the legend does not say what the letters are"
    # on the first chart (the left one from 100 columns on, which then
    # take half the width each), the 3-epoch run's curve ends a quarter of
    # the way along, and A with it; the 12-epoch run's at the right edge,
    # and C there
    cols=${size% *}
    half=$cols
    [ "$cols" -ge 100 ] && half=$(((cols - 2) / 2))
    a=$(letter_cols A | awk -v h="$half" '$1 <= h' | sort -n | head -n 1)
    c=$(letter_cols C | awk -v h="$half" '$1 <= h' | sort -n | tail -n 1)
    if [ -z "$a" ] || [ -z "$c" ] || [ "$c" -ne "$half" ] || [ "$a" -gt $((half / 2)) ]; then
        fail "at $cols columns the first chart has A (the 3-epoch run) at column ${a:-none} and C (12 epochs) at ${c:-none}: not at the curves' ends (its right edge: $half)"
    fi
    echo "ok: at $(echo "$size" | tr ' ' x) under NO_COLOR the runs are lettered A-C (A at column $a, C at $c)"
    keys q
    wait_file "$TMP/mono.exit" 5 || fail "q did not quit"
done

# a terminal without colours letters them too; one with colours does not
RUN_WITH="env TERM=xterm-mono"
start_session mono C.UTF-8 "view '$RUNS'"
RUN_WITH=
wait_for 'iris-e12 ' 10 || fail "the view does not list the runs on xterm-mono"
poll 5 lettered || fail "on a terminal without colours the runs are not lettered"
echo "ok: on a terminal without colours the runs are lettered"
keys q
wait_file "$TMP/mono.exit" 5 || fail "q did not quit"
# shellcheck disable=SC2034 # start_session's (tests/lib/tmux.sh)
RUN_WITH="env TERM=xterm-256color"
start_session colour C.UTF-8 "view '$RUNS'"
wait_for 'iris-e12 ' 10 || fail "the view does not list the runs in colour"
on_screen '^\[x\] [A-C]  ' && fail "with colour the list letters the runs"
on_screen 'A-C: runs' && fail "with colour the legend speaks of letters"
echo "ok: with colour the runs keep their colours and have no letters"
keys q
wait_file "$TMP/colour.exit" 5 || fail "q did not quit"
# ---- more runs than letters ---------------------------------------------------
# 30 runs: with colour all are charted; without, only the newest 26, A to Z,
# and the view says so (before, the four past Z were charted with no
# letter, their curves not to be told from the others, and the legend
# said A-Z).
MANY=$TMP/many
iris_runs "$MANY" m 30 2
# list_letters: the letters of the list's rows on the screen, one a line
list_letters() { screen | sed -n 's/^\[x\] \([A-Z]\)  .*iris-m[0-9]* .*/\1/p'; }
RUN_WITH="env NO_COLOR=1"
start_session many C.UTF-8 "view '$MANY'"
RUN_WITH=
resize 200 60
wait_for 'iris-m[0-9]+ ' 10 || fail "the view does not list the 30 runs"
wait_for 'charting the newest 26 of 30 selected runs' 5 ||
    fail "under NO_COLOR 30 runs are charted, though only 26 have letters"
on_screen '30 runs  30 selected  26 charted' ||
    fail "under NO_COLOR the header does not say that 26 of the 30 selected runs are charted"
letters=$(list_letters)
keys End
# the list's place reads "FIRST-30 of 30" once the last row is in view
# (before End too it ends "of 30")
wait_for '-30 of 30 *$' 5 || fail "End did not move to the list's last row"
letters=$(printf '%s\n%s\n' "$letters" "$(list_letters)" | sort -u | tr -d '\n')
[ "$letters" = ABCDEFGHIJKLMNOPQRSTUVWXYZ ] ||
    fail "under NO_COLOR the 30 runs' list gives the letters '$letters', not A to Z once each"
on_screen 'A-Z: runs' || fail "the legend does not say A-Z"
echo "ok: under NO_COLOR 26 of 30 runs are charted, lettered A to Z"
keys q
wait_file "$TMP/many.exit" 5 || fail "q did not quit"
RUN_WITH="env TERM=xterm-256color"
start_session manycolour C.UTF-8 "view '$MANY'"
RUN_WITH=
resize 200 60
wait_for 'iris-m[0-9]+ ' 10 || fail "the view does not list the 30 runs in colour"
on_screen 'charting the newest' && fail "with colour not every one of the 30 runs is charted"
on_screen '30 runs  30 charted' || fail "with colour the header does not say that the 30 runs are charted"
echo "ok: with colour all 30 runs are charted"
keys q
wait_file "$TMP/manycolour.exit" 5 || fail "q did not quit"

echo "e2e_viewmono: all passed"
