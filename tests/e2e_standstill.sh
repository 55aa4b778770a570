#!/bin/sh
# e2e_standstill.sh - the teaching views while training stands still, as a
# teacher uses them (tmux): started paused, every view is drawn at once
# from the first weights, and x, p, g and a step each change the picture
# without training on; after a run ended, tab reaches every view drawn;
# after a resize at the end the map is drawn again at the new size; v
# hides and shows the validation points, d discretizes the map; both keys
# are in the key bar on the boundary view only, and in the help.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_standstill.sh
# Every wait is bounded; a failure prints what was expected and the screen.
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_standstill standstill standstill

# rows of the half-block map: lines with ten ▀ in a row
map_rows() { screen | grep -c '▀▀▀▀▀▀▀▀▀▀'; }
map_drawn() { [ "$(map_rows)" -ge "$1" ]; }
# the widest run of map cells (▀ and the points over it) on any line; each
# is 3 bytes of UTF-8, and awk counts bytes
map_width() { screen | sed 's/│.*//' | grep -o '[▀●○]*' | awk '{ if (length > w) w = length } END { print int(w / 3) }'; }
map_wider() { [ "$(map_width)" -ge "$1" ]; }
hollow() { screen | sed 's/│.*//' | grep -o '○' | wc -l; }
no_hollow() { [ "$(hollow)" -eq 0 ]; }
some_hollow() { [ "$(hollow)" -gt 0 ]; }

# ---- paused before the first batch: every view at once --------------------------
start_session paused C.UTF-8 "--start --no-log --paused --seed 1 '$PWD/datasets/iris.csv'"
wait_for 'PAUSED' 15 || fail "--paused did not show PAUSED"
tab_to boundary
wait_for 'decision boundary · sepal_length across, sepal_width up' 5 ||
    fail "paused: the boundary view has no title of its pair"
poll 5 map_drawn 10 || fail "paused at step 0: the boundary map is not drawn ($(map_rows) rows)"
echo "ok: paused before the first batch, the boundary map is drawn ($(map_rows) rows)"
keys x
wait_for 'decision boundary · sepal_length across, petal_length up' 5 ||
    fail "x while paused did not draw the next pair"
poll 5 map_drawn 10 || fail "x while paused: no map"
keys p
wait_for 'decision boundary · PCA plane \([0-9]+% of the variance\)' 5 ||
    fail "p while paused did not draw the PCA plane"
echo "ok: x and p while paused redraw the map at once"
tab_to gradient
wait_for 'cosine\(mini-batch g, full G\) +-?[0-9]\.[0-9]{3}' 5 ||
    fail "paused: the gradient view shows no cosine"
keys g
wait_for 'step 0, [0-9]+ rows: worst relative error [0-9.e+-]+ - they agree' 10 ||
    fail "g while paused did not check the weights of step 0"
on_screen 'step +0 ' || fail "g while paused trained a batch"
echo "ok: paused, the gradient view and g work on the weights of step 0"
tab_to network
wait_for 'W1' 5 || fail "paused: the network view draws no weights"
tab_to confusion
wait_for 'confusion matrix · [0-9]+ validation rows .* step 0' 5 ||
    fail "paused: no confusion matrix of step 0"
wait_for 'precision +recall' 5 || fail "paused: the confusion matrix has no precision/recall"
keys n
wait_for 'confusion matrix · [0-9]+ validation rows .* step 1' 5 ||
    fail "n while paused did not redraw the confusion matrix at step 1"
echo "ok: paused, network and confusion are drawn, and n redraws at step 1"
keys q
wait_for 'Quit now' 5 && keys y
wait_file "$TMP/paused.exit" 10 || fail "q did not quit the paused run"

# ---- a run that ended: tab reaches every view drawn -----------------------------
start_session ended C.UTF-8 "--start --no-log --epochs 5 --seed 1 '$PWD/datasets/iris.csv'"
wait_for 'DONE' 15 || fail "a 5-epoch iris run did not reach DONE"
tab_to boundary
poll 5 map_drawn 10 || fail "after the run, the boundary map is not drawn ($(map_rows) rows)"
wait_for 'decision boundary · sepal_length across' 5 || fail "after the run: no boundary title"
tab_to gradient
wait_for 'cosine\(mini-batch g, full G\) +-?[0-9]\.[0-9]{3}' 5 ||
    fail "after the run, the gradient view shows no cosine"
keys g
wait_for 'rows: worst relative error [0-9.e+-]+ - they agree' 10 ||
    fail "g after the run did not check the final weights"
tab_to network
wait_for 'W1' 5 || fail "after the run, the network view draws no weights"
wait_for 'activations' 5 || fail "after the run, the network view has no activations"
tab_to confusion
wait_for 'precision +recall' 5 || fail "after the run, no confusion matrix"
echo "ok: after the run, boundary, gradient (with g), network and confusion are drawn"
quit_exits ended 0

# ---- resized after the end: drawn again at the new size ----------------------------
start_session resized C.UTF-8 "--start --no-log --epochs 3 --seed 1 spiral"
resize 80 24
wait_for 'DONE' 15 || fail "a 3-epoch spiral run did not reach DONE"
tab_to boundary
poll 5 map_drawn 5 || fail "at 80x24 the boundary map is not drawn"
small=$(map_width)
[ "$small" -le 50 ] || fail "at 80x24 the map is $small cells wide"
resize 160 48
poll 5 map_wider 110 || fail "after a resize to 160x48 the map is $(map_width) cells wide, not redrawn"
poll 5 map_drawn 30 || fail "after a resize to 160x48 the map has $(map_rows) rows"
echo "ok: resized after the end, the map goes from $small to $(map_width) cells across"

# ---- v and d ------------------------------------------------------------------------
on_screen 'v val +d discretize' || fail "the key bar of the boundary view lacks v and d"
poll 3 some_hollow || fail "no validation points (○) on the map"
before=$(hollow)
keys v
poll 5 no_hollow || fail "v left $(hollow) validation points on the map"
wait_for 'v: show val' 3 || fail "after v the legend does not offer to show them"
keys v
poll 5 some_hollow || fail "a second v did not bring the validation points back"
echo "ok: v hides the $before validation points and shows them again"
keys Tab
wait_for '\[gradient\]' 5 || fail "tab did not leave the boundary view"
off_screen 'd discretize' || fail "the key bar shows d outside the boundary view"
keys '?'
wait_for 'gradtop keys' 5 || fail "? did not open the help"
on_screen 'show or hide the validation points' || fail "the help does not list v"
on_screen 'hard class regions or shades' || fail "the help does not list d"
keys Escape
echo "ok: v and d are in the help, and in the key bar on the boundary view only"
quit_exits resized 0

# d, seen in ASCII: the map's faint glyphs (low confidence) give way to the
# sure ones of hard class regions
faint() { screen | sed -n '3,18p' | cut -c1-40 | tr -cd ".,:;'\`~" | wc -c; }
no_faint() { [ "$(faint)" -eq 0 ]; }
some_faint() { [ "$(faint)" -gt 0 ]; }
start_session ascii C "--start --no-log --epochs 1 --seed 1 spiral"
wait_for 'DONE' 15 || fail "LANG=C: a 1-epoch spiral run did not reach DONE"
tab_to boundary
poll 5 some_faint || fail "LANG=C: an untrained spiral map shows no shades of confidence"
shades=$(faint)
keys d
poll 5 no_faint || fail "d left $(faint) faint cells on the map"
wait_for 'd: continuous' 3 || fail "after d the legend does not offer shades back"
keys d
poll 5 some_faint || fail "a second d did not bring the shades back"
echo "ok: d turns $shades faint cells into hard regions and back"
quit_exits ascii 0

echo "e2e_standstill: all passed"
exit 0
