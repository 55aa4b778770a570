#!/bin/sh
# e2e_setup.sh - the setup screen, driven in a tmux pseudo-terminal; nothing
# is trained (every session ends with esc, twice at most):
#   - quitting takes at most two esc and the key bar says what the next one
#     does: esc undoes an edit under way ("esc undo"), then quits; with rows
#     changed, the first esc asks ("esc quit?", then a message) and the
#     second quits; an esc that undoes while other rows are changed asks
#     at once; an unchanged form quits at the first;
#   - enter moves to the next field and leaves a choice as it was, as the
#     guide (docs/guide.md) says (it does not claim that enter changes a value);
#   - at 80x24 the preview's split row keeps the train count, and the label
#     row gives the 1-based column and the 0-based --label index, as
#     `gradtop inspect` does; the label row accepts that index and refuses
#     the next one;
#   - a message too long for one row (F10 with --lr-schedule plateau and no
#     validation part) and a field's reason too long for one row (70x20)
#     are wrapped whole above the key bar; a reason cut beside its field
#     ends with an ellipsis;
#   - classes that do not fit say "... and N more" (digits at 80x24, iris
#     at 70x20), and so do features (digits' 64 at 120x40);
#   - --noise -1 and --threads 0 read "default (the set's noise)" and
#     "all cores (N)"; a typed -1 reads "default" once left; samples and
#     noise are shown for a generated set only, label and delimiter for a
#     CSV file only, the labels file for IDX images only; a value set for
#     another kind of data (a missing-value policy for IDX images, a noise
#     for iris) is refused at F10;
#   - --cosine-epochs 0 and --patience 0 read "the run's epochs (N)", N
#     following the epochs row, and "off"; a typed 0 reads so once left,
#     and the word typed back is taken;
#   - the "(command line)" mark goes when the value is changed and comes
#     back when it is changed back;
#   - a data file that comes while the form is open, named before it was
#     there, is previewed once it is.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_setup.sh
# Every wait is bounded; a failure prints what was expected and the screen.
# shellcheck disable=SC2015
# ("[ A ] && [ B ] || fail" is meant: fail exits)
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_setup setup setup
[ -r datasets/iris.csv ] && [ -r datasets/digits.csv ] ||
    fail "no datasets/iris.csv or datasets/digits.csv (run from the project root)"

# open NAME COLS ROWS ARGS: the setup screen with ARGS at COLSxROWS, its
# preview loaded (the "features" line of its rows).
# (start_session's own, at the size given: resizing right after the start
# could race the program's first frame)
open() {
    T kill-session -t "$PANE" >/dev/null 2>&1
    rm -f "$TMP/$1.exit"
    T new-session -d -s "$PANE" -x "$2" -y "$3" \
        "cd '$PWD' && LANG=C.UTF-8 LC_ALL=C.UTF-8 '$GRADTOP' --no-log $4; echo \$? > '$TMP/$1.exit'; sleep 60" ||
        fail "tmux cannot start a session"
    wait_for 'F10' 10 || fail "$1: the setup screen did not come up"
    wait_for 'features +[0-9]' 10 || fail "$1: the preview did not load"
}

# close NAME: esc (undoing an edit first, then asking) until the setup
# screen quits, with status 0 (a sanitizer's report would make it 1).
close() {
    _close_i=0
    while [ "$_close_i" -lt 4 ]; do
        keys Escape
        if wait_file "$TMP/$1.exit" 1; then
            [ "$(cat "$TMP/$1.exit")" = 0 ] || fail "$1: quitting exited with status $(cat "$TMP/$1.exit")"
            return 0
        fi
        _close_i=$((_close_i + 1))
    done
    fail "$1: esc did not quit the setup screen"
}


# row LABEL: the form's row LABEL (focused or not), up to the preview.
row() { screen | grep -E "^ [> ] $1  " | head -n 1 | sed 's/│.*//'; }

# ---- quitting: at most two esc, the key bar saying what the next one does ----
# bar_esc WORD: the key bar (the screen's last line) gives esc as WORD.
# shellcheck disable=SC2317 # run through poll
bar_esc() { screen | tail -n 1 | grep -Eq "esc $1( |\$)"; }
# quits_now NAME WHAT: the esc just pressed ended the program, with 0.
quits_now() {
    wait_file "$TMP/$1.exit" 5 || fail "$1: esc did not quit $2"
    [ "$(cat "$TMP/$1.exit")" = 0 ] || fail "$1: quitting exited with status $(cat "$TMP/$1.exit")"
}
# asks NAME PATTERN WHAT: the esc just pressed put PATTERN up and did not quit.
asks() {
    wait_for "$2" 5 || fail "$1: esc did not say that the next esc quits $3"
    [ -s "$TMP/$1.exit" ] && fail "$1: esc quit at once $3"
    poll 5 bar_esc quit || fail "$1: once asked, the key bar does not give esc as quit $3"
}

open q-none 120 40 iris
poll 5 bar_esc quit || fail "q-none: the key bar does not give esc as quit on an unchanged form"
keys Escape
quits_now q-none "an unchanged form"

open q-undo 120 40 iris
focus layers
keys -l ',16'
wait_for '^ > layers +32,16 ' 5 || fail "q-undo: typing ,16 on layers did not show 32,16"
poll 5 bar_esc undo || fail "q-undo: the key bar does not give esc as undo during an edit"
keys Escape
wait_for '^ > layers +32 ' 5 || fail "q-undo: esc did not undo the edit of layers"
poll 5 bar_esc quit || fail "q-undo: after the undo the key bar does not give esc as quit"
keys Escape
quits_now q-undo "after it undid the only edit (undo, ask, quit took three)"

open q-kept 120 40 iris
focus layers
keys -l ',16'
keys Enter
wait_for '^ > activation ' 5 || fail "q-kept: enter did not move on from layers"
poll 5 bar_esc 'quit\?' || fail "q-kept: with a row changed the key bar does not give esc as quit? (it asks)"
keys Escape
asks q-kept 'esc again quits, dropping the settings changed here' "with layers changed"
keys Escape
quits_now q-kept "once it had asked"

open q-both 120 40 iris
focus layers
keys -l ',16'
keys Enter
focus 'batch size'
keys -l 0
wait_for '^ > batch size +320 ' 5 || fail "q-both: typing 0 on batch size did not show 320"
keys Escape
asks q-both 'undone; esc again quits, dropping the other settings changed here' \
    "after undoing batch size with layers changed"
row 'batch size' | grep -Eq 'batch size +32 *$' || fail "q-both: esc did not undo batch size: $(row 'batch size')"
keys Escape
quits_now q-both "after it undid an edit and asked (undo, ask, quit took three)"
echo "ok: quitting takes at most two esc, asks only with rows changed, and the key bar says what esc does"

# ---- enter: the next field, as the guide says -------------------------------
open enter 120 40 iris
focus normalize
keys Enter
wait_for '^ > val split  ' 5 || fail "enter on 'normalize' did not move to the next field"
row normalize | grep -Eq 'normalize +standard' || fail "enter changed normalize: $(row normalize)"
grep -q 'enter or ←/→ to change a value' docs/guide.md &&
    fail "docs/guide.md says enter changes a value, but it moves to the next field"
grep -q 'enter also moves to the next field' docs/guide.md ||
    fail "docs/guide.md does not say that enter moves to the next field"
close enter
echo "ok: enter moves to the next field and changes nothing, as the guide says"

# ---- the preview at 80x24: split and label ------------------------------------
open narrow 80 24 iris
wait_for 'split +~120 train / 30' 5 ||
    fail "at 80x24 the split row lost its train count ('~120 train / 30 validation')"
wait_for 'label +species \(column 5;' 5 && wait_for '--label 4\)' 5 ||
    fail "the label row does not give 'species (column 5; --label 4)' as inspect does"
"$GRADTOP" inspect iris | grep -q 'species (column 5; --label 4)' ||
    fail "gradtop inspect no longer says 'species (column 5; --label 4)'"

focus label
keys C-u 4
sleep 0.5
row label | grep -q 'out of range' && fail "the label row refuses the index the preview gives: $(row label)"
wait_for '--label 4\)' 5 || fail "label 4 changed what the preview calls the label"
keys BSpace 5
# the message names the dataset by its path, so where it wraps depends on
# where the project lives: read the preview's lines as one text
# shellcheck disable=SC2317 # run through poll
preview_says() { screen | sed -n 's/.*│ //p' | tr '\n' ' ' | grep -q "$1"; }
poll 5 preview_says 'label column 5 is out of range' ||
    fail "the label row accepts 5, one past the last index"
close narrow
echo "ok: at 80x24 the preview keeps '~120 train / 30 validation' and says '--label 4', which the label row takes"

# ---- a dataset's name at 80x24: whole, not cut to the choosers' column ----------
open bcname 80 24 breast_cancer
row dataset | grep -q '< breast_cancer >' ||
    fail "at 80x24 the dataset row cuts breast_cancer: '$(row dataset)'"
close bcname
echo "ok: at 80x24 the dataset row reads '< breast_cancer >'"

# ---- the preview's source: a path too long for it is cut at the front ------------
deep="$TMP/a-folder-with-a-rather-long-name/and-another-one-inside-it"
mkdir -p "$deep" && cp datasets/iris.csv "$deep/iris.csv"
open deep 80 24 "'$deep/iris.csv'"
# the cut is marked, never a tail that reads as a relative path of its own
src=$(screen | sed -n 's/.*│ source  *//p')
case $src in
    "…/"*iris.csv) ;;
    *) fail "the preview's source reads '$src' for $deep/iris.csv: cut without '…/' in front" ;;
esac
close deep
echo "ok: a source path too long for the preview reads '$src'"

# ---- long messages wrap -------------------------------------------------------
open plateau 80 24 "--lr-schedule plateau iris"
focus 'val split'
keys C-u 0
sleep 0.3
keys F10
wait_for 'plateau watches val_loss' 5 || fail "F10 with no validation part did not say why it cannot start"
wait_for 'or --monitor loss' 2 || fail "the plateau message is cut at 80 columns, not wrapped"
[ -s "$TMP/plateau.exit" ] && fail "F10 started training with an invalid schedule"
close plateau
open reason 70 20 iris
focus 'val split'
keys C-u 5
wait_for "val split: out of range '5'" 5 || fail "a refused val split does not say why"
wait_for 'to 0\.9\)' 2 && wait_for 'undoes\)' 2 ||
    fail "at 70 columns the field's reason is cut, not wrapped"
close reason
open inline 120 40 iris
focus 'val split'
keys C-u 5
wait_for "out of range '5' \\([^)]*… " 5 || fail "a reason cut beside its field does not end with '…'"
close inline
echo "ok: a long message and a long reason are wrapped whole; a cut reason ends with '…'"

# ---- classes that do not fit ----------------------------------------------------
open digits 80 24 digits
wait_for 'class balance' 5 || fail "digits at 80x24: no class balance"
wait_for '… and [0-9]+ more' 5 || fail "digits at 80x24 leaves classes out without saying so"
shown=$(screen | grep -cE '│ [0-9] +[0-9]+ ')
more=$(screen | sed -n 's/.*… and \([0-9]*\) more.*/\1/p' | head -n 1)
[ $((shown + more)) = 10 ] || fail "digits: $shown classes shown and '$more more' do not make 10"
close digits
open small 70 20 iris
wait_for 'virginica|… and [0-9]+ more' 5 || fail "iris at 70x20 leaves virginica out without saying so"
close small
echo "ok: classes that do not fit are counted ('… and $more more')"

# ---- features that do not fit ---------------------------------------------------
# digits has 64 features, px0 to px63: the list shows whole names and
# counts the rest, never a name cut short as if it were the last
open features 120 40 digits
wait_for 'features' 5 || fail "digits at 120x40: no features list"
list=$(screen | sed -n '/│ features *$/,$p' | sed -n 's/.*│ //p' | tr '\n' ' ')
last=$(printf '%s' "$list" | sed -n 's/.*\(px[0-9]*\)[ ,]*… and [0-9]* more.*/\1/p')
more=$(printf '%s' "$list" | sed -n 's/.*… and \([0-9]*\) more.*/\1/p')
[ -n "$last" ] && [ -n "$more" ] ||
    fail "digits' 64 features are cut without saying how many are left out: $list"
[ $((${last#px} + 1 + more)) = 64 ] ||
    fail "digits' features: shown up to $last, '$more more', which do not make 64"
close features
echo "ok: features that do not fit are counted (up to $last, '… and $more more')"

# ---- special values and rows that do not apply ------------------------------------
open spiral 120 40 spiral
row noise | grep -Eq 'noise +default \(0\.05\)' || fail "spiral: noise does not read 'default (0.05)': $(row noise)"
row samples | grep -Eq 'samples +500' || fail "spiral: no samples row"
[ -z "$(row delimiter)" ] && [ -z "$(row label)" ] ||
    fail "spiral: the data-file rows (label, delimiter) are shown"
row threads | grep -Eq 'threads +all cores \([0-9]+\)' || fail "threads 0 does not read 'all cores (N)': $(row threads)"
screen | grep -Eq 'noise +-1|threads +0 ' && fail "a raw -1 or 0 is shown"
focus noise
keys C-u 0 . 3 Down
wait_for 'noise +0\.3 ' 5 || fail "noise 0.3 is not taken"
focus noise
keys C-u - 1 Down
wait_for 'noise +default \(0\.05\)' 5 || fail "a typed -1 does not read 'default' once left"
close spiral
open csv 120 40 iris
[ -z "$(row samples)" ] && [ -z "$(row noise)" ] || fail "iris (a CSV file): samples or noise is shown"
[ -n "$(row delimiter)" ] || fail "iris (a CSV file): no delimiter row"
close csv
# IDX images (four 1x2 images of classes 0 and 1): no CSV row, no
# generated set's row; the labels file's row for images given by path
printf '\0\0\10\3\0\0\0\4\0\0\0\1\0\0\0\2\1\2\3\4\5\6\7\10' >"$TMP/tiny-images-idx3-ubyte"
printf '\0\0\10\1\0\0\0\4\0\1\0\1' >"$TMP/tiny-labels-idx1-ubyte"
open idx 120 40 "$TMP/tiny-images-idx3-ubyte"
for r in label delimiter missing samples noise; do
    [ -z "$(row "$r")" ] || fail "IDX images: the $r row is shown: $(row "$r")"
done
[ -n "$(row labels)" ] || fail "IDX images by path: no labels row"
close idx
# A missing-value policy chosen for iris, then IDX images chosen: the
# policy would go unread, and F10 refuses it as gradtop train refuses
# --missing for them (the loader refuses a label column so), saying where
# its hidden row shows.
open idxmissing 120 40 "iris"
focus missing
keys Right
wait_for '^ > missing +< drop >' 5 || fail "right on missing did not choose drop"
focus dataset
keys C-u
keys -l "$TMP/tiny-images-idx3-ubyte"
keys Enter
wait_for 'features +2' 10 || fail "the IDX images' preview did not load"
keys F10
wait_for 'IDX images; --missing says what to do with the empty' 5 ||
    fail "F10 with missing drop on IDX images was not refused"
wait_for '^ --missing drop: ' 5 || fail "the refusal does not name --missing drop"
wait_for 'its row shows for CSV data only' 5 || fail "the refusal does not say where the row shows"
close idxmissing
# A noise typed for the spiral, then iris chosen: the noise would go
# unread (it trained as if it meant something), so F10 refuses it.
open csvnoise 120 40 "spiral"
focus noise
keys C-u 0 . 3 Down
wait_for 'noise +0\.3 ' 5 || fail "noise 0.3 is not taken"
focus dataset
keys C-u
keys -l iris
keys Enter
wait_for 'features +4' 10 || fail "iris's preview did not load"
keys F10
wait_for '^ --noise 0\.3: iris is CSV text; --noise scatters the points of the generated' 5 ||
    fail "F10 with noise 0.3 for iris was not refused"
wait_for 'its row shows for the generated 2-D sets only' 5 ||
    fail "the noise refusal does not say where the row shows"
[ -s "$TMP/csvnoise.exit" ] && fail "F10 started training with noise 0.3 for iris"
close csvnoise
echo "ok: noise and threads read 'default (0.05)' and 'all cores (N)'; rows that do not apply are hidden"
open zero 120 40 "--lr-schedule cosine --patience 0 iris"
row 'cosine epochs' | grep -Eq "cosine epochs +the run's epochs \(100\)" ||
    fail "cosine epochs 0 does not read 'the run's epochs (100)': $(row 'cosine epochs')"
row patience | grep -Eq 'patience +off ' || fail "patience 0 does not read 'off': $(row patience)"
screen | grep -Eq 'cosine epochs +0 |patience +0 ' && fail "a raw 0 is shown"
focus epochs
keys C-u 5 0 Down
wait_for "cosine epochs +the run's epochs \(50\)" 5 ||
    fail "50 epochs: cosine epochs does not read 'the run's epochs (50)': $(row 'cosine epochs')"
focus patience
keys C-u 7 Down
wait_for 'patience +7 ' 5 || fail "patience 7 is not taken"
focus patience
keys C-u 0 Down
wait_for 'patience +off ' 5 || fail "a typed 0 does not read 'off' once left: $(row patience)"
focus 'cosine epochs'
keys C-u 2 0 Down
wait_for 'cosine epochs +20 ' 5 || fail "cosine epochs 20 is not taken"
focus 'cosine epochs'
keys C-u
keys -l "the run's epochs"
keys Down
wait_for "cosine epochs +the run's epochs \(50\)" 5 ||
    fail "the typed words 'the run's epochs' are not taken back: $(row 'cosine epochs')"
close zero
echo "ok: cosine epochs 0 and patience 0 read 'the run's epochs (N)' and 'off'"

# ---- the learning rate: each optimizer's own default -------------------------
open lr 120 40 iris
row lr | grep -Eq 'lr +default \(0\.001\)' || fail "adam's rate does not read 'default (0.001)': $(row lr)"
focus optimizer
keys Left
wait_for '^ > optimizer +< sgd >' 5 || fail "left on 'optimizer' did not choose sgd"
row lr | grep -Eq 'lr +default \(0\.01\)' || fail "sgd's rate does not read 'default (0.01)': $(row lr)"
focus lr
keys C-u 0 . 2 Down
wait_for '^   lr +0\.2 ' 5 || fail "lr 0.2 is not taken: $(row lr)"
focus optimizer
keys Right
wait_for '^ > optimizer +< adam >' 5 || fail "right on 'optimizer' did not choose adam"
row lr | grep -Eq 'lr +0\.2 ' || fail "a rate set by hand did not stay when the optimizer changed: $(row lr)"
focus lr
keys C-u
keys -l default
keys Down
wait_for '^   lr +default \(0\.001\)' 5 || fail "the typed word 'default' does not give adam's rate back: $(row lr)"
close lr
echo "ok: lr reads 'default (0.001)' for adam and 'default (0.01)' for sgd; a rate set by hand stays"

# ---- the (command line) mark --------------------------------------------------------
open mark 120 40 "--threads 2 iris"
row threads | grep -q '(command line)' || fail "--threads 2 is not marked '(command line)': $(row threads)"
focus threads
keys C-u 3
wait_for '^ > threads +3 ' 5 || fail "typing 3 on threads did not show 3"
sleep 0.3
row threads | grep -q '(command line)' && fail "threads changed to 3, yet still marked '(command line)'"
keys BSpace 2
wait_for '^ > threads +2 +\(command line\)' 5 || fail "threads back at 2 is not marked '(command line)' again"
close mark
echo "ok: the '(command line)' mark goes when the value changes and comes back with it"

# ---- a mark cut at 80 columns ends in one ellipsis ------------------------------------
# (the form cut it with an ellipsis and then added its own: "(com……")
open cut 80 24 "iris"
focus 'no log'
row 'no log' | grep -q '(com' || fail "--no-log is not marked at 80 columns: $(row 'no log')"
case $(row 'no log') in *'……'*) fail "the no log row's mark ends in two ellipses: $(row 'no log')" ;; esac
close cut
echo "ok: at 80 columns a cut '(command line)' ends in one ellipsis"

# ---- a data file fetched while the form is open ------------------------------------
# (the preview and the rows were kept for the name: the preview said the file
# was not there, and F10 refused it, after it had come)
rm -f "$TMP/late.csv" "$TMP/late.exit"
T kill-session -t "$PANE" >/dev/null 2>&1
T new-session -d -s "$PANE" -x 120 -y 40 \
    "cd '$PWD' && LANG=C.UTF-8 LC_ALL=C.UTF-8 '$GRADTOP' --no-log '$TMP/late.csv'; echo \$? > '$TMP/late.exit'; sleep 60" ||
    fail "tmux cannot start a session"
wait_for 'F10' 10 || fail "late: the setup screen did not come up"
wait_for 'the loader found a problem' 10 || fail "late: the preview does not say that the file cannot be read"
cp datasets/iris.csv "$TMP/late.csv"
wait_for 'rows +150' 10 || fail "late: the preview did not load the file once it came"
close late
echo "ok: a data file fetched while the form is open is previewed once it is there"

# A long value given on the command line runs on to its "(command line)"
# note, focused or not, with a blank before the note (focused, it ran up
# to the note: "...and-more(command line)")
open given 100 40 "--logdir /tmp/a-very-long-directory-name-for-runs/and-more iris"
focus logdir
wait_for '^ > logdir +.*and-more +\(command line\)' 5 ||
    fail "given: the focused logdir row runs into its note: $(focused)"
close given
echo "ok: a focused value given on the command line stops a blank short of its note"

echo "e2e_setup: all passed"
exit 0
