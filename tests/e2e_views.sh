#!/bin/sh
# e2e_views.sh - the teaching views in a real terminal (tmux): tab reaches
# each view; the boundary view on spiral draws the half-block map; the
# gradient view shows a cosine; the confusion view names the classes (iris);
# the diagnosis line is always there; under LANG=C the boundary map is ASCII;
# after a run that ended before any probe, the gradient view and g work;
# digits opens the boundary view on PCA, and x then shows px1 and px2; at
# 80x24 the help overlay wraps and scrolls, and a long diagnosis wraps; cut
# titles keep their figures and, at 80x24, the boundary its plane as x and
# p change it; wine's confusion columns are told apart, and
# the network view's hint and range labels read true; a regression's map
# in thousands labels its scale without an exponent; the regression
# scatter of kept weights shows its x axis's title and the diagonal's
# legend at 120x40 and 80x24, and the gradient view writes its noise scale
# without an exponent and, at 80x24, cuts no figure; at 80x24 the epochs
# table cuts no figure or heading (a column that does not fit is left
# out), scrolled back included, and marks the best epoch ★ at every size;
# the confusion view's key of colours wraps rather than being cut, and
# the network view heads no distribution it leaves out.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_views.sh
# Every wait is bounded; a failure prints what was expected and the screen.
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_views views views

# start NAME LANG ARGS...: the dashboard in a fresh 120x40 window.
start() {
    name=$1
    lang=$2
    shift 2
    start_session "$name" "$lang" "--start --no-log --patience 0 --epochs 1000000 --seed 1 $*"
    wait_for 'RUNNING' 15 || fail "the dashboard did not show RUNNING within 15 s"
}

# the view marked [name] in the header

# ---- spiral: tab reaches every view ---------------------------------------
start spiral C.UTF-8 --layers 16,16 --activation tanh spiral
wait_for 'diagnosis: ' 5 || fail "no diagnosis line on the dashboard"
echo "ok: the diagnosis line is shown"
seen=""
for want in epochs boundary gradient network confusion charts; do
    keys Tab
    i=0
    while [ "$i" -lt 30 ] && [ "$(view)" != "$want" ]; do
        sleep 0.1
        i=$((i + 1))
    done
    [ "$(view)" = "$want" ] || fail "tab did not reach the $want view (at '$(view)')"
    seen="$seen $want"
    case $want in
    boundary)
        wait_for 'decision boundary' 5 || fail "the boundary view has no title"
        wait_for '▀' 5 || fail "the boundary view on spiral shows no half-block map"
        rows=$(screen | grep -c '▀▀▀▀▀▀▀▀▀▀')
        [ "$rows" -ge 10 ] || fail "the half-block map covers only $rows rows"
        wait_for '(●|○)' 5 || fail "the boundary view draws no data points"
        echo "ok: the boundary view draws the half-block map ($rows rows) and the points"
        ;;
    gradient)
        wait_for 'cosine\(mini-batch g, full G\) +-?[0-9]\.[0-9]{3}' 8 ||
            fail "the gradient view shows no cosine number"
        wait_for 'B_simple' 2 || fail "the gradient view shows no noise scale"
        keys g
        wait_for 'worst relative error [0-9.e+-]+ - they agree' 10 ||
            fail "g did not show an agreeing gradcheck"
        echo "ok: the gradient view shows a cosine, the noise scale and a gradcheck"
        ;;
    network)
        wait_for 'W1' 5 || fail "the network view draws no weights"
        wait_for 'activations' 5 || fail "the network view draws no activation histograms"
        echo "ok: the network view draws weights and histograms"
        ;;
    confusion)
        wait_for 'precision +recall' 5 || fail "the confusion view has no precision/recall"
        echo "ok: the confusion view"
        ;;
    esac
done
echo "ok: tab reaches every view:$seen"
quit_q_y spiral
echo "ok: q, y exits with status 0"

# ---- iris: class names in the confusion matrix, x cycles the pair ------------
start iris C.UTF-8 "'$PWD/datasets/iris.csv'"
for _ in 1 2 3 4 5; do keys Tab; done
wait_for '\[confusion\]' 5 || fail "five tabs did not reach the confusion view"
wait_for 'setosa' 5 || fail "the confusion view does not name the classes"
wait_for 'versicolor' 2 || fail "the confusion view does not name every class"
echo "ok: the confusion view names the classes"
keys x
wait_for '\[boundary\]' 5 || fail "x did not switch to the boundary view"
wait_for 'others at their mean' 5 || fail "x did not show a feature pair"
keys p
wait_for 'PCA plane' 5 || fail "p did not show the PCA plane"
echo "ok: x picks a feature pair, p the PCA plane"
quit_q_y iris

# ---- digits: many features open on the PCA plane; x skips blank pixels ------
start digits C.UTF-8 "'$PWD/datasets/digits.csv'"
keys Tab Tab
wait_for '\[boundary\]' 5 || fail "two tabs did not reach the boundary view"
wait_for 'PCA plane' 10 || fail "digits (64 features) does not open the boundary view on PCA"
keys x
wait_for 'px1 across, px2 up' 5 || fail "x from PCA does not show the first varying pair px1, px2"
echo "ok: digits opens on the PCA plane, and x starts at the first pixels that vary"
quit_q_y digits

# ---- diabetes (regression): the map's legend in the label's own units ---------
start diabetes C.UTF-8 "'$PWD/datasets/diabetes.csv'"
keys Tab Tab
wait_for '\[boundary\]' 5 || fail "two tabs did not reach the boundary view"
# progression runs 25..346: standardized units would read about -2 .. 3
wait_for 'prediction 25 (█|#)+ 346 ' 10 ||
    fail "the regression map's colour scale is not labelled in the label's units"
echo "ok: the regression map's colour scale reads 25 .. 346, the label's units"
keys Tab Tab Tab
wait_for '\[confusion\]' 5 || fail "three more tabs did not reach the scatter"
wait_for '^predicted against actual · [0-9]+ validation rows' 10 ||
    fail "the regression scatter has no title"
# ticks on both axes: values on the y axis, values under the x axis
wait_for '^ *[1-4]00(┤|\+)' 5 || fail "the scatter's y axis has no ticked values"
wait_for ' 100 +200 +300( |$)' 5 || fail "the scatter's x axis has no ticked values"
echo "ok: the regression scatter has ticked axes in the label's units"
quit_q_y diabetes

# ---- a regression in thousands: the map's scale without an exponent ---------
# prices of 1200 to 4447 read "prediction 1.2e+03 ... 4.45e+03" (%.3g);
# the scale is written as the charts' axes are ("1.2k ... 4.45k").
awk 'BEGIN { print "a,b,price"; for (i = 0; i < 200; i++) { x = (i * 37) % 100 / 10;
    y = (i * 53) % 100 / 10; printf "%.1f,%.1f,%d\n", x, y, 1200 + 36 * x * y } }' >"$TMP/prices.csv"
start_session prices C.UTF-8 "--start --no-log --epochs 5 --seed 1 '$TMP/prices.csv'"
wait_for 'DONE' 20 || fail "the prices run did not end"
tab_to boundary
wait_for 'prediction ' 5 || fail "the prices map has no colour scale"
on_screen 'prediction [0-9.]+e' && fail "the prices map's scale is written with an exponent"
on_screen 'prediction [1-4](\.[0-9]+)?k (█|#)+ [1-4](\.[0-9]+)?k ' ||
    fail "the prices map's scale does not read in thousands as the charts write them"
echo "ok: the prices map's scale reads in thousands as the charts write them, without an exponent"
quit_exits prices 0

# ---- the scatter of kept weights names its axis and its diagonal -------------
# Once the run has ended with the best epoch's weights, the title names
# them; the x axis's title ("actual") and the legend of the diagonal must
# still show at 120x40 and at 80x24: the last tick label ran to the row's
# end and left the title out, and the long title left the legend out.
start_session diabetes-kept C.UTF-8 "--start --no-log --patience 0 --epochs 300 --seed 1 \
'$PWD/datasets/diabetes.csv'"
wait_for 'DONE' 20 || fail "the diabetes run did not end"
tab_to confusion
for size in "120 40" "80 24"; do
    # shellcheck disable=SC2086 # two numbers
    resize $size
    wait_for '^predicted against actual( · weights of epoch [0-9]+)? +the diagonal is exact' 5 ||
        fail "$size: the scatter's title leaves out the diagonal's legend"
    wait_for ' actual → *│' 5 || fail "$size: the scatter's x axis has no title"
    on_screen '^ +0 +[0-9]+ ' || fail "$size: the x axis's tick labels are gone"
    echo "ok: $size: the scatter of kept weights names the x axis and the diagonal"
done
# The noise scale, about 4500 here, read "4.49e+03" (%.3g); the view's
# figures are written as the charts write theirs.
resize 120 40
tab_to gradient
wait_for 'noise scale B_simple' 5 || fail "the gradient view shows no noise scale"
# the probe's figure is drawn a moment after the line: wait for the whole line
wait_for 'noise scale B_simple.*\|²  [0-9.]+k?  \(this probe [0-9.]+k?\)' 5 ||
    fail "the noise scale's figures are not plain: $(screen | grep -E 'noise scale B_simple')"
line=$(screen | grep -E 'noise scale B_simple' | head -n 1)
echo "$line" | grep -Eq 'e[+-]?0' && fail "the noise scale is written with an exponent: $line"
echo "ok: the noise scale reads plainly: $(echo "$line" | sed 's/ *│.*//')"
# At 80x24 the view's lines were cut through their figures ("354 of…",
# "range -0.…", "(n…"): a figure that does not fit is left out whole.
resize 80 24
wait_for '^noise scale B_simple' 5 || fail "80x24: the gradient view shows no noise scale"
cut=$(screen | sed -n '3,/^layer/p' | grep -v '^layer' | grep '…')
[ -z "$cut" ] || fail "80x24: the gradient view cuts a figure: $cut"
echo "ok: at 80x24 the gradient view leaves out the figures that do not fit, whole"
quit_exits diabetes-kept 0

# ---- LANG=C: the boundary map in ASCII ---------------------------------------
start ascii C spiral
keys Tab Tab
wait_for '\[boundary\]' 5 || fail "LANG=C: tab did not reach the boundary view"
wait_for 'decision boundary' 5 || fail "LANG=C: no boundary view"
sleep 0.5
nonascii=$(screen | LC_ALL=C grep -c '[^ -~]')
[ "$nonascii" = 0 ] || fail "LANG=C, yet $nonascii lines have non-ASCII characters"
screen | grep -Eq '[#@]{10}' || fail "LANG=C: no ASCII map"
echo "ok: LANG=C draws the boundary in ASCII"
quit_q_y ascii

# ---- 80x24: the help overlay wraps and scrolls ---------------------------------
start helpsmall C.UTF-8 iris
resize 80 24
keys '?'
wait_for 'gradtop keys' 5 || fail "? did not open the help overlay at 80x24"
wait_for '(│|\|) +L1/L2, dropout, patience' 3 || fail "e's sentence is cut at 80x24, not wrapped"
wait_for 'more below: down, pgdn' 3 || fail "the help overlay does not say more lies below"
off_screen 'show or hide earlier runs' || fail "b's line fits at 80x24: the test needs a taller help"
# pgdn a page at a time, at most three, until the end of the legend shows
_pg=0
until [ "$_pg" -ge 3 ] || on_screen 'b hides them\.'; do
    keys NPage
    _pg=$((_pg + 1))
    wait_for 'b hides them\.' 2 || true
done
# the help's last key: the network view's, after b's
wait_for "network view: the chosen hidden layer's next activation" 3 ||
    fail "pgdn did not scroll the help overlay past its last key"
wait_for 'b hides them\.' 3 || fail "pgdn did not reach the end of the legend"
wait_for 'more above: up, pgup' 3 || fail "the scrolled help overlay does not say more lies above"
keys Escape
wait_gone 'gradtop keys' 3 || fail "esc did not close the help overlay"
echo "ok: at 80x24 the help overlay wraps its sentences and pgdn pgdn scrolls to the end"
# the diagnosis ("healthy: training loss A -> B over the last N epochs,
# validation C" and longer) wraps under its own start instead of being cut
diag_wrapped() { screen | grep -A1 '^ diagnosis: ' | tail -n 1 | grep -Eq '^ {12}[^ ]'; }
poll 15 diag_wrapped || fail "at 80x24 a long diagnosis is not wrapped onto a second row"
echo "ok: at 80x24 a long diagnosis wraps onto a second row"
quit_q_y helpsmall

# ---- a run that ended before any probe: the views are computed at the end ----
start_session ended C.UTF-8 "--start --no-log --epochs 5 --seed 1 '$PWD/datasets/iris.csv'"
wait_for 'DONE' 15 || fail "a 5-epoch iris run did not reach DONE within 15 s"
keys Tab Tab Tab
wait_for '\[gradient\]' 5 || fail "three tabs did not reach the gradient view"
wait_for 'cosine\(mini-batch g, full G\) +-?[0-9]\.[0-9]{3}' 5 ||
    fail "after the run, the gradient view shows no cosine"
keys g
wait_for 'rows: worst relative error [0-9.e+-]+ - they agree' 10 ||
    fail "after the run, g did not check the final weights"
on_screen '^gradcheck: backprop against finite differences \(key g\) *(│|\|)' ||
    fail "the gradcheck title is overdrawn"
echo "ok: after the run, the gradient view and g work on the final weights"
keys q
wait_file "$TMP/ended.exit" 10 || fail "q did not quit an ended run"

# ---- full-batch training: the view names the full batch, not the probe's ----
# halves (iris: 120 training rows, --batch-size 120; the noise scale is
# measured on 2 batches of 60, which once read as if they were the steps')
start_session fullbatch C.UTF-8 "--start --no-log --epochs 5 --seed 1 --batch-size 120 '$PWD/datasets/iris.csv'"
wait_for 'DONE' 15 || fail "a full-batch iris run did not reach DONE within 15 s"
keys Tab Tab Tab
wait_for '\[gradient\]' 5 || fail "three tabs did not reach the gradient view"
wait_for 'full batch: each step' 5 || fail "the full-batch run's gradient view does not say each step's g is G"
wait_for 'the full batch, 120 rows \(G exact\); the noise scale from 2 batches of 60' 5 ||
    fail "the gradient view's head line does not say the batches are the noise scale's"
keys q
wait_file "$TMP/fullbatch.exit" 10 || fail "q did not quit the full-batch run"
echo "ok: a full-batch run's gradient view says the 2 batches of 60 are the noise scale's"

# ---- cut text: the views' titles, notes and labels ---------------------------
# wine ended, at 80x24: the boundary's title keeps its step (it lost it to
# "PCA plane (22% of the varia"); the confusion matrix's columns are told
# apart (wine's names cut to "cla cla cla" were not); a note too long ends
# in an ellipsis or a shorter sentence, never mid-word.
start_session wine C.UTF-8 "--start --no-log --epochs 5 --seed 1 wine"
wait_for 'DONE' 15 || fail "a 5-epoch wine run did not reach DONE within 15 s"
resize 80 24
wait_for '^ diagnosis' 5 || fail "no diagnosis at 80x24"
# the epochs table gives up its step column before the validation accuracy
# (it read "epoch step loss accuracy val_loss…", val_acc cut off)
tab_to epochs
wait_for '^ +epoch +loss +accuracy +val_loss +val_acc' 5 ||
    fail "at 80x24 the epochs table does not show val_acc: $(screen | sed -n 2p)"
screen | grep -Eq '^(★| ) +5 +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+' ||
    fail "at 80x24 epoch 5's row does not show its four figures"
# no figure and no heading is cut (a "0.9400…" is not the figure it
# shows): a column that does not fit whole is left out, and every row has
# as many figures as the header has headings
table=$(screen | sed -n '2,/diagnosis/p' | grep -v diagnosis | sed 's/ *[│|].*//')
printf '%s\n' "$table" | grep -q '…' && fail "at 80x24 the epochs table cuts a figure or heading:
$table"
heads=$(printf '%s\n' "$table" | head -n 1 | awk '{ print NF }')
rows=$(printf '%s\n' "$table" | sed 1d | sed 's/^★/ /' | grep -E '^ +[0-9]+ ' | sed 's/ ★$//' |
    awk -v h="$heads" 'NF != h { bad++ } END { print bad + 0 }')
[ "$rows" = 0 ] || fail "at 80x24 $rows rows of the epochs table do not have $heads figures:
$table"
echo "ok: at 80x24 the epochs table drops the step column and keeps val_acc, and cuts nothing"
# the best epoch's row is marked ★ at every size (at 80 columns the row
# fills the view, and the star after it was left out)
# drawn_at COLUMNS ROWS: the key bar is on the last row and the header
# reaches within two of the last column (the tab names end there at each
# of the sizes)
drawn_at() {
    _da=$(screen)
    [ "$(printf '%s\n' "$_da" | sed -n "$2p" | cut -c1-9)" = "r restart" ] &&
        _dl=$(printf '%s\n' "$_da" | head -n 1 | perl -CSD -ne 'chomp; print length') &&
        [ "$_dl" -ge $(($1 - 2)) ] && [ "$_dl" -le "$1" ]
}
best_marked() {
    _be=$(screen | grep -Eo 'best .* @[0-9]+' | head -n 1 | sed 's/.*@//')
    [ -n "$_be" ] && screen | grep -Eq "^(★ +| +)$_be +[0-9.]+ .*" &&
        screen | grep -E "^(★ +| +)$_be +[0-9.]+ " | sed 's/ *[│|].*//' | grep -q '★'
}
for size in '80 24' '80 30' '100 30' '120 40'; do
    # shellcheck disable=SC2086 # two numbers
    resize $size
    # shellcheck disable=SC2086
    poll 5 drawn_at $size || fail "the dashboard was not drawn at $size"
    poll 5 best_marked || fail "at $size the epochs table's best epoch has no ★"
    # and on both charts' x axes
    tab_to charts
    [ "$(screen | grep -c '└.*★')" = 2 ] || fail "at $size the charts do not both mark the best epoch ★"
    tab_to epochs
done
resize 80 24
wait_for '^ +epoch +loss +accuracy +val_loss +val_acc' 5 || fail "the table did not come back at 80x24"
echo "ok: the best epoch is marked ★ in the table and on the charts at 80x24, 80x30, 100x30, 120x40"
tab_to boundary
wait_for '^decision boundary.* step [0-9]+ *(│|\|)' 5 || fail "at 80x24 the boundary's title lost its step"
echo "ok: at 80x24 the boundary's title keeps its step"
tab_to confusion
wait_for 'true \\ pred' 5 || fail "no confusion matrix"
on_screen 'cla +cla' && fail "the confusion matrix's columns read 'cla cla'"
on_screen 'true \\ pred +0 +1 +2 ' || fail "the confusion matrix's columns are not the class indices"
on_screen '^██ 0 class_0 ' || fail "the rows do not show the index that heads their column"
# the colours' key wraps before an item that does not fit ("yellow:
# wrong, und…")
on_screen '^[a-z]+: wrong, under 5% of its row +(│|\|)' ||
    fail "at 80x24 the confusion key is cut: $(screen | grep ': right')"
echo "ok: at 80x24 wine's confusion columns are headed 0 1 2, as its rows are marked, its key whole"
# the network view heads only the distributions it draws: at 80 columns
# the activations' half does not fit, and its heading read "activations
# ove…" over nothing
tab_to network
wait_for '^layer  weights over time, now' 5 || fail "at 80x24 the network view has no distributions"
off_screen 'activations' || fail "at 80x24 the network view heads activations it does not draw"
echo "ok: at 80x24 the network view heads only the weights' distributions it draws"

# At 80x24 the boundary's title keeps its plane too: iris's "decision
# boundary · sepal_length across, sepal_width up" did not fit beside its
# step, and the plane was left out, so that x changed the pair with nothing
# on screen saying to which; the view's name, which the tab bar shows,
# gives way first.
start_session irisnarrow C.UTF-8 "--start --no-log --epochs 5 --seed 1 iris"
wait_for 'DONE' 15 || fail "irisnarrow: a 5-epoch iris run did not reach DONE within 15 s"
resize 80 24
wait_for '^ diagnosis' 5 || fail "irisnarrow: no diagnosis at 80x24"
tab_to boundary
wait_for '^(boundary · )?sepal_length across, sepal_width up +(step|weights of epoch) [0-9]+ *(│|\|)' 5 ||
    fail "at 80x24 the boundary's title does not name its plane: $(screen | sed -n 2p)"
keys x
wait_for '^(boundary · )?sepal_length across, petal_length up ' 5 ||
    fail "at 80x24 x changed the pair, and the title does not say to which: $(screen | sed -n 2p)"
keys p
wait_for '^(decision )?boundary · PCA plane \([0-9]+%' 5 ||
    fail "at 80x24 p did not name the PCA plane: $(screen | sed -n 2p)"
echo "ok: at 80x24 the boundary's title names its plane, as x and p change it"
quit_exits irisnarrow 0

# scrolled back at 80x24 the headings leave no room for "(scrolled up)"
# beside them: it goes on the table's last row (it covered "val_loss" and
# "val_acc" to read "val_l(scrolled up)")
start_session scroll C.UTF-8 "--start --no-log --patience 0 --epochs 40 --seed 1 wine"
wait_for 'DONE' 30 || fail "a 40-epoch wine run did not reach DONE within 30 s"
resize 80 24
wait_for '^ diagnosis' 5 || fail "no diagnosis at 80x24"
tab_to epochs
keys Up Up
wait_for '^\(scrolled up\) +(│|\|)' 5 || fail "scrolled back, the table does not say so on its last row"
on_screen '^ +epoch +loss +accuracy +val_loss +val_acc +(│|\|)' ||
    fail "scrolled back, the headings are not whole: $(screen | sed -n 2p)"
echo "ok: scrolled back at 80x24, the epochs table says so below its rows, headings whole"
# the help says which keys scroll it
resize 200 70
keys '?'
wait_for 'gradtop keys' 5 || fail "? did not show the dashboard's help"
# the ? can be read before the resize is: the help is drawn at 80x24 (with
# "more below") and again at 200x70, so the box is read until it is whole
help_says_scroll() {
    case $(box_text 'gradtop keys') in
    *"In the epochs view up, down, pgup, pgdn and home scroll back through the epochs"*) ;;
    *) return 1 ;;
    esac
}
poll 5 help_says_scroll ||
    fail "the help does not say which keys scroll the epochs table: $(box_text 'gradtop keys')"
echo "ok: the help says which keys scroll the epochs table"

# breast_cancer at 120x40: the network view's hint names the keys that do
# what it says (d discretizes the boundary); the range labels keep a blank
# between them (layer 2's "2.1e-02.1e-06..1" ran together).
start_session net C.UTF-8 "--start --no-log --patience 0 --seed 1 breast_cancer"
wait_for 'DONE' 30 || fail "the breast_cancer run did not reach DONE"
tab_to network
wait_for 'a/del layer' 5 || fail "the network view's hint does not say a/del layer"
on_screen ' a d layer' && fail "the network view's hint still says 'a d layer'"
wait_for 'activations over time' 5 || fail "no distributions in the network view"
on_screen '[-0-9.e+]{6,}\.\.' && fail "a range label runs into the one before it"
echo "ok: the network view's hint says a/del and its range labels stand apart"

echo "e2e_views: all passed"
exit 0
