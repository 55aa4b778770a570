#!/bin/sh
# e2e_palette.sh - class colours and legends in a real terminal (tmux): on a
# 256-colour terminal digits' boundary legend and confusion matrix give the
# ten classes ten different colours (read from the escape codes of
# `tmux capture-pane -e`); a ten-class set with Fashion-MNIST's names shows
# every name in the boundary legend at 80x24; on an 8-colour terminal the
# classes that share a colour get different markers; with two classes and
# one sigmoid output, class 1 (a positive output's) is blue, as a positive
# weight in the network view, and class 0 orange; under NO_COLOR the
# chart draws training and validation with different glyphs, its legend
# shows them and names them (solid, dotted), the help names no colour, the
# boundary's legend shows and names its points (reversed, underlined) and
# each class's region characters (sure, unsure), and
# the race's four racers are solid, dotted, dashed and sparse, each row
# beginning with its racer's line.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_palette.sh
# Every wait is bounded; a failure prints what was expected and the screen.
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_palette palette palette

# start NAME ENV ARGS: the dashboard at 80x24 under the environment ENV.
start() { start_running "$1" "$2" "$3" 80 24; }

# swatches: from the coloured screen on stdin, one line "COLOUR NAME" per
# class swatch (two full blocks followed by the class's name), COLOUR the
# foreground the blocks are drawn in (as cells gives it).
swatches() {
    cells | perl -CS -ane '
        sub flush { print "$p $w\n" if defined $w; undef $w; undef $p }
        my ($r, $c, $fg, $ch) = @F;
        if (!defined $row || $r != $row) { flush(); ($row, $blk) = ($r, undef) }
        if (defined $w) {
            if ($c == $last + 1) { $w .= $ch; $last = $c; next }
            flush();
        }
        if ($ch eq "\x{2588}") {
            if (defined $blk && $blk == $c - 1) { $p = $fg; undef $blk } else { $blk = $c }
            next;
        }
        undef $blk;
        if (defined $p) { $w = $ch; $last = $c }
        END { flush() }'
}

# distinct_colours FILE: how many different colours FILE's swatches use.
distinct_colours() { cut -d' ' -f1 "$1" | sort -u | wc -l; }

capture() { T capture-pane -p -e -t "$PANE" >"$1"; }

# ---- digits, 256 colours: ten classes, ten colours ------------------------
start digits TERM=xterm-256color "'$PWD/datasets/digits.csv'"
keys Tab Tab
wait_for '\[boundary\]' 5 || fail "two tabs did not reach the boundary view"
wait_for '██ 9' 10 || fail "the boundary legend does not reach class 9 at 80x24"
capture "$TMP/digits.esc"
swatches <"$TMP/digits.esc" | grep -E ' [0-9]$' >"$TMP/digits.sw"
[ "$(wc -l <"$TMP/digits.sw")" -eq 10 ] ||
    fail "the boundary legend has $(wc -l <"$TMP/digits.sw") class swatches, not 10: $(cat "$TMP/digits.sw")"
n=$(distinct_colours "$TMP/digits.sw")
[ "$n" -eq 10 ] || fail "digits' ten classes have $n colours in the boundary legend: $(tr '\n' ' ' <"$TMP/digits.sw")"
grep -q '^default ' "$TMP/digits.sw" && fail "a class swatch has no colour"
echo "ok: digits' boundary legend gives ten classes ten colours at 256 colours"
keys Tab Tab Tab
wait_for '\[confusion\]' 5 || fail "three more tabs did not reach the confusion view"
wait_for 'precision +recall' 10 || fail "the confusion view shows no matrix"
capture "$TMP/conf.esc"
swatches <"$TMP/conf.esc" | grep -E ' [0-9]$' >"$TMP/conf.sw"
n=$(distinct_colours "$TMP/conf.sw")
[ "$(wc -l <"$TMP/conf.sw")" -eq 10 ] && [ "$n" -eq 10 ] ||
    fail "the confusion matrix's class swatches: $(tr '\n' ' ' <"$TMP/conf.sw")"
cmp -s "$TMP/digits.sw" "$TMP/conf.sw" ||
    fail "the confusion view's class colours differ from the boundary's"
echo "ok: the confusion matrix gives each class the boundary's colour"
quit_q_y digits

# ---- two classes, one sigmoid output: the positive class is blue ---------
# The network view draws a positive weight or bias blue (33; 4 on 8
# colours) and a negative one orange (208): class 1, which a positive
# output predicts, must then be the blue one and class 0 the orange one
# (yellow, 3, on 8 colours), as in the TensorFlow Playground.  With two
# softmax outputs no sign stands for a class: class 0 keeps the first hue.
# class_swatches MODE ARGS: the boundary legend's swatches as "COLOUR
# CLASS" pairs on one line in $sw, class 0 first.
class_swatches() {
    start two "$1" "$2"
    tab_to boundary
    wait_for '██ 1 ' 10 || fail "$1 $2: the boundary legend shows no class 1"
    capture "$TMP/two.esc"
    swatches <"$TMP/two.esc" | grep -E '^[0-9]+ [01]$' | sort -k2 >"$TMP/two.sw"
    sw=$(tr '\n' ' ' <"$TMP/two.sw")
}
class_swatches TERM=xterm-256color spiral
[ "$sw" = "208 0 33 1 " ] || fail "256 colours, one sigmoid output: class swatches '$sw', not '208 0 33 1'"
class_swatches TERM=xterm spiral
[ "$sw" = "3 0 4 1 " ] || fail "8 colours, one sigmoid output: class swatches '$sw', not '3 0 4 1'"
class_swatches TERM=xterm-256color "--loss cross_entropy spiral"
[ "$sw" = "33 0 208 1 " ] || fail "256 colours, two softmax outputs: class swatches '$sw', not '33 0 208 1'"
echo "ok: with one sigmoid output class 1 is blue as a positive weight, class 0 orange"
quit_q_y two

# ---- digits, 8 colours: classes sharing a colour get different markers -----
start digits8 TERM=screen "'$PWD/datasets/digits.csv'"
keys Tab Tab
wait_for '\[boundary\]' 5 || fail "two tabs did not reach the boundary view (8 colours)"
wait_for '██. 9' 10 || fail "the 8-colour boundary legend does not reach class 9"
screen | grep -Eo '██. [0-9]' | sort -u >"$TMP/marks"
[ "$(wc -l <"$TMP/marks")" -eq 10 ] || fail "the 8-colour legend: $(tr '\n' ' ' <"$TMP/marks")"
m0=$(grep ' 0$' "$TMP/marks")
m4=$(grep ' 4$' "$TMP/marks")
[ "${m0% *}" != "${m4% *}" ] || fail "classes 0 and 4 share a colour and a marker (${m0% *})"
echo "ok: on 8 colours classes 0 and 4 differ by marker ($m0 vs $m4)"
quit_q_y digits8

# ---- ten long names at 80x24: the legend wraps, every name shown ----------
start fashion TERM=xterm-256color "'$PWD/tests/data/fashion_names.csv'"
keys Tab Tab
wait_for '\[boundary\]' 5 || fail "two tabs did not reach the boundary view"
wait_for '● train' 10 || fail "the boundary legend is not drawn"
for c in T-shirt/top Trouser Pullover Dress Coat Sandal Shirt Sneaker Bag 'Ankle boot'; do
    on_screen "██ $c( |\$)" || fail "the boundary legend at 80x24 does not show '$c'"
done
echo "ok: all ten Fashion-MNIST names are in the boundary legend at 80x24"
quit_q_y fashion

# ---- NO_COLOR: training and validation by shape -----------------------------
start nocolor "NO_COLOR=1" "'$PWD/datasets/iris.csv'"
# the legend says it in words too: the braille samples alone are a few dots
wait_for '⠂ ⠂ val \(dotted\)' 5 || fail "under NO_COLOR the chart legend does not say validation is dotted"
on_screen '⠒⠒⠒ train \(solid\)' || fail "under NO_COLOR the chart legend does not say training is solid"
# in the plot: validation's dots, one column every other cell (left-column
# braille glyphs with blanks between), which the solid line never draws
dot='(⠁|⠂|⠄|⡀|⠃|⠅|⠆|⡁|⡂|⡄|⠇|⡃|⡅|⡆|⡇)'
wait_for "$dot $dot $dot $dot" 10 || fail "under NO_COLOR the chart draws no dotted line"
capture "$TMP/nc.esc"
grep -Eq "$(printf '\033')\[([0-9]+;)*(3[0-7]|38;5;[0-9]+)(;[0-9]+)*m" "$TMP/nc.esc" &&
    fail "under NO_COLOR the screen still sets colours"
keys '?'
wait_for 'gradtop keys' 5 || fail "? did not open the help"
keys End
wait_for 'validation dotted' 5 || fail "under NO_COLOR the help does not say validation is dotted"
off_screen 'cyan|magenta' || fail "under NO_COLOR the help still names colours"
echo "ok: under NO_COLOR validation is dotted, training solid, and the help says so"
keys '?'
# the boundary's points: a class's character, reversed for training and
# underlined for validation, as the legend shows and says (it once read
# "N train N_ val")
keys Tab Tab
wait_for '\[boundary\]' 5 || fail "two tabs did not reach the boundary view"
wait_for '0 train \(reversed\) +0 val \(underlined\)' 10 ||
    fail "under NO_COLOR the boundary legend does not say how training and validation points look"
capture "$TMP/ncb.esc"
e=$(printf '\033')
# (an SGR with 7, reverse, or 4, underline, right before the 0; others,
# which end it, between the 0 and the words)
grep -Eq "$e\[([0-9]+;)*7(;[0-9]+)*m0($e\[[0-9;]*m)* ($e\[[0-9;]*m)*train \(reversed\)" "$TMP/ncb.esc" ||
    fail "under NO_COLOR the boundary legend's training point is not drawn reversed"
grep -Eq "$e\[([0-9]+;)*4(;[0-9]+)*m0($e\[[0-9;]*m)* ($e\[[0-9;]*m)*val \(underlined\)" "$TMP/ncb.esc" ||
    fail "under NO_COLOR the boundary legend's validation point is not drawn underlined"
# the regions' characters: each class's pair (sure, unsure) after its
# point in its swatch, and what the pair means
on_screen '0#\. setosa +1@, versicolor +2%: virginica' ||
    fail "under NO_COLOR the boundary legend does not give each class's region characters"
on_screen '#\. region: sure, unsure' ||
    fail "under NO_COLOR the boundary legend does not say what the region characters mean"
echo "ok: under NO_COLOR the boundary legend shows and says: training reversed, validation underlined, regions by class"
quit_q_y nocolor

# ---- NO_COLOR: the race's four racers by pattern ---------------------------
RUN_WITH="env NO_COLOR=1"
start_session race C.UTF-8 "race '$PWD/datasets/iris.csv' --racers 'sgd;adam;rmsprop;adagrad' --no-log --epochs 1000000 --patience 0"
RUN_WITH=
wait_for 'racer +status' 15 || fail "the race did not start within 15 s"
# each racer's row starts with its curves' pattern: solid, dotted, dashed, sparse
on_screen '^⠒⠒⠒⠒ sgd ' || fail "under NO_COLOR the race's first racer does not show a solid line"
on_screen '^⠂ ⠂  adam ' || fail "under NO_COLOR the race's second racer does not show a dotted line"
on_screen '^⠒⠒   rmsprop ' || fail "under NO_COLOR the race's third racer does not show a dashed line"
on_screen '^⠂    adagrad ' || fail "under NO_COLOR the race's fourth racer does not show a sparse line"
# the dashed line in the plot: two whole cells, two blank, two whole
wait_for '(⠒⠒|⠤⠤|⠉⠉|⣀⣀)  (⠒⠒|⠤⠤|⠉⠉|⣀⣀)' 15 || fail "under NO_COLOR the race draws no dashed line"
echo "ok: under NO_COLOR the race's racers are solid, dotted, dashed and sparse, as their rows show"
quit_q_y race

# ---- gradtop view: four runs whose hashes want one colour get four -------
# A run's colour starts from the FNV-1a hash of its path (src/logdir/runset.c); four
# copies of one run are named so that all four hashes fall on the same
# colour of both the 12- and the 4-colour palette: only the assignment of
# free colours among the charted runs can tell them apart.
RUNS=$TMP/runs
"$GRADTOP" train "$PWD/datasets/iris.csv" --epochs 2 --logdir "$TMP/one" >"$TMP/train.out" 2>&1 ||
    fail "gradtop train failed: $(cat "$TMP/train.out")"
mkdir -p "$RUNS"
names=$(perl -e '
    sub fnv { my $h = 2166136261; for my $c (unpack "C*", $_[0]) { $h ^= $c; $h = ($h * 16777619) % 4294967296 } $h }
    my (%by, $i);
    for ($i = 0; ; $i++) {
        my $k = fnv("$ARGV[0]/run$i") % 12;
        push @{$by{$k}}, "run$i";
        if (@{$by{$k}} == 4) { print join(" ", @{$by{$k}}), "\n"; last }
    }' "$RUNS")
for n in $names; do cp -R "$TMP/one/"* "$RUNS/$n"; done
RUN_WITH="env TERM=screen"
start_session view C.UTF-8 "view '$RUNS'"
RUN_WITH=
wait_for '4 charted' 10 || fail "gradtop view does not chart the four runs ($names)"
capture "$TMP/view.esc"
swatches <"$TMP/view.esc" | grep -E ' run[0-9]+$' >"$TMP/view.sw"
n=$(distinct_colours "$TMP/view.sw")
[ "$(wc -l <"$TMP/view.sw")" -eq 4 ] && [ "$n" -eq 4 ] ||
    fail "gradtop view's four charted runs have $n colours: $(tr '\n' ' ' <"$TMP/view.sw")"
echo "ok: gradtop view gives four charted runs ($names) four colours on 8 colours"
quit_exits view 0
