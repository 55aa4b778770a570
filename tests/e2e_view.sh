#!/bin/sh
# e2e_view.sh - drives `gradtop view` in a tmux pseudo-terminal (a private
# server, 120x40) over real runs and checks the screen text: both runs and
# the differing hyperparameter (lr) are listed; the best figure names its
# metric at 80x24, 100x30 and 120x40; the best-figure sort puts the
# better run first and r reverses it; a run started meanwhile with `gradtop
# train` appears within 3 s and its epoch advances; a regex filter lists only
# the matching runs, the header counting them of all, and a bad one shows
# its error inline; resizing (down to a too-small terminal and back)
# recovers; q exits 0; LANG=C draws ASCII; a
# LOGDIR that does not exist yet is waited for; an event file cut mid-record
# is a warning on the status line; beside a run that diverged the loss axis
# keeps the other runs' range (the log axis shows the divergence whole);
# without a terminal it says what it needs and where the run files are; a
# LOGDIR that is a file is exit 2.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_view.sh
# Every wait is bounded; a failure prints what was expected and the screen.
# shellcheck disable=SC2015,SC2035
# ("[ A ] && [ B ] || fail" is meant: fail exits; the run names start with a
# digit, so a glob cannot become an option of ls)
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
DATA=$PWD/datasets/iris.csv
GROW_PID=
# shellcheck disable=SC2317 # run by cleanup
on_cleanup() { [ -n "$GROW_PID" ] && kill "$GROW_PID" 2>/dev/null; }
tmux_harness e2e_view view view

# line_of NAME: the screen line listing run NAME (the name followed by a
# blank, so that "x-iris" does not match "x-iris-fast"), or nothing.
line_of() { screen | grep -n -- "$1 " | head -n 1 | cut -d: -f1; }

# field_after WORD NAME: the field after WORD on run NAME's line.
field_after() {
    screen | grep -- "$2 " | head -n 1 |
        awk -v w="$1" '{ for (i = 1; i < NF; i++) if ($i == w) { print $(i + 1); exit } }'
}

# start NAME LANG LOGDIR: the view in a fresh 120x40 window; the exit status
# goes to $TMP/NAME.exit.
start() { start_session "$1" "$2" "view '$3'"; }

# the best validation accuracy in a run's metrics.csv
best_acc() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "val_accuracy") c = i; next }
             $c > b { b = $c } END { print b + 0 }' "$1/metrics.csv"
}

# ---- two finished runs -----------------------------------------------------
RUNS=$TMP/runs
"$GRADTOP" train "$DATA" --epochs 5 --lr 0.01 --logdir "$RUNS" >"$TMP/slow.out" 2>&1 ||
    fail "gradtop train (lr 0.01) failed: $(cat "$TMP/slow.out")"
"$GRADTOP" train "$DATA" --epochs 5 --lr 0.05 --name fast --logdir "$RUNS" >"$TMP/fast.out" 2>&1 ||
    fail "gradtop train (lr 0.05) failed: $(cat "$TMP/fast.out")"
SLOW=$(cd "$RUNS" && ls -d *-iris)
FAST=$(cd "$RUNS" && ls -d *-iris-fast)
[ -n "$SLOW" ] && [ -n "$FAST" ] || fail "the runs are not in $RUNS: $(ls "$RUNS")"

start main C.UTF-8 "$RUNS"
wait_for "$FAST " 10 || fail "the view did not list $FAST within 10 s"
screen | grep -q -- "$SLOW " || fail "the view does not list $SLOW"
screen | grep -Eq '^run +name.* lr .*status' ||
    fail "no lr column (the hyperparameter that differs) in the list's header"
screen | grep -- "$FAST " | grep -q ' 0\.05 ' || fail "the lr column does not show 0.05 for $FAST"
screen | grep -q 'loss' || fail "no loss chart"
screen | grep -q 'accuracy' || fail "no accuracy chart"
echo "ok: both runs listed with the differing lr column"

# ---- sorting ---------------------------------------------------------------
# start order (oldest first; same second: by name)
[ "$(line_of "$SLOW")" -lt "$(line_of "$FAST")" ] || fail "by start time, $SLOW should come first"
keys s
wait_for 'sort: name' 5 || fail "s did not sort by name"
keys s
wait_for 'sort: best' 5 || fail "s twice did not sort by the best figure"
bs=$(best_acc "$RUNS/$SLOW")
bf=$(best_acc "$RUNS/$FAST")
if awk -v a="$bf" -v b="$bs" 'BEGIN { exit !(a > b) }'; then
    first=$FAST second=$SLOW
elif awk -v a="$bf" -v b="$bs" 'BEGIN { exit !(a < b) }'; then
    first=$SLOW second=$FAST
else
    first=$SLOW second=$FAST # a tie goes by start time
fi
sleep 0.2
[ "$(line_of "$first")" -lt "$(line_of "$second")" ] ||
    fail "sorted by best (val_accuracy $bs vs $bf for fast), $first should come first"
keys r
wait_for 'sort: best reversed' 5 || fail "r did not reverse the order"
sleep 0.2
[ "$(line_of "$second")" -lt "$(line_of "$first")" ] || fail "reversed, $second should come first"
keys r
wait_gone 'reversed' 5 || fail "r again did not restore the order"
echo "ok: s sorts by the best figure ($first first), r reverses"

# ---- a run started meanwhile appears and grows ------------------------------
"$GRADTOP" train "$DATA" --epochs 200000 --patience 0 --name growing --logdir "$RUNS" \
    >"$TMP/grow.out" 2>&1 &
GROW_PID=$!
wait_for '-iris-growing ' 10 || fail "a run started with gradtop train did not appear within 10 s"
GROW=$(cd "$RUNS" && ls -d *-iris-growing)
wait_for "$GROW .*running" 10 || fail "the new run is not shown as running"
# Its epoch shows "-" until the first epoch ends: wait for a number first.
epoch_shown() { e=$(field_after running "$GROW"); [ "$e" -ge 0 ] 2>/dev/null; }
poll 5 epoch_shown || fail "the growing run shows no epoch within 5 s"
# The row and its epoch are read from one capture each time: a row read
# from a later capture than its epoch could already show the next epoch.
row_of() { screen | grep -- "$GROW " | head -n 1; }
epoch_in() { echo "$1" | awk '{ for (i = 1; i < NF; i++) if ($i == "running") { print $(i + 1); exit } }'; }
b1=$(row_of)
e1=$(epoch_in "$b1")
epoch_grew() { b2=$(row_of); e2=$(epoch_in "$b2"); [ "$e2" -gt "$e1" ] 2>/dev/null; }
poll 10 epoch_grew || true
[ -n "$e1" ] && [ -n "$e2" ] && [ "$e2" -gt "$e1" ] 2>/dev/null ||
    fail "the growing run's epoch did not advance on screen: '$e1' then '$e2'"
[ "$b1" != "$b2" ] || fail "the growing run's row did not change"
kill "$GROW_PID" 2>/dev/null
wait "$GROW_PID" 2>/dev/null
GROW_PID=
echo "ok: a run started meanwhile appears and grows (epoch $e1 -> $e2)"

# ---- the filter --------------------------------------------------------------
keys / f a s t Enter
wait_for 'filter /fast/' 5 || fail "the filter /fast/ is not shown"
wait_gone "$SLOW " 5 || fail "filtered by /fast/, $SLOW is still listed"
screen | grep -q -- "$FAST " || fail "filtered by /fast/, $FAST is gone"
screen | grep -q -- "$GROW " && fail "filtered by /fast/, $GROW is still listed"
# the header counts the runs listed of those there are (it read "3 runs
# (filtered)" above the one row)
on_screen '^ gradtop view .*  1 of [2-9][0-9]* runs  ' ||
    fail "filtered by /fast/, the header does not say 1 run of them is listed: $(screen | head -n 1)"
keys / C-u 'grow|fast$' Enter
wait_for 'filter /grow\|fast\$/' 5 || fail "the filter /grow|fast\$/ is not shown"
wait_for "$GROW " 5 || fail "filtered by /grow|fast\$/, $GROW is not listed"
screen | grep -q -- "$FAST " || fail "filtered by /grow|fast\$/, $FAST is not listed"
screen | grep -q -- "$SLOW " && fail "filtered by /grow|fast\$/, $SLOW is listed"
wait_for '^ gradtop view .*  2 of [3-9][0-9]* runs  ' 5 ||
    fail "filtered by /grow|fast\$/, the header does not say 2 runs of them are listed: $(screen | head -n 1)"
keys / C-u 'a('
wait_for "filter 'a\\(':" 5 || fail "a bad regex did not show its error inline"
keys Escape
wait_for 'filter /grow\|fast\$/' 5 || fail "esc did not bring the previous filter back"
keys Escape
wait_for "$SLOW " 5 || fail "esc did not drop the filter"
echo "ok: a regex filter lists only the matching runs; a bad one shows its error"

# ---- resizing ----------------------------------------------------------------
resize 80 24
wait_for 'loss' 5 || fail "after resizing to 80x24 the charts are gone"
keys '?'
wait_for 'gradtop view keys' 5 || fail "? did not open the help overlay at 80x24"
wait_for 'more below: down, pgdn' 3 || fail "at 80x24 the help overlay does not say more lies below"
keys End
wait_for 'Reloads every 0\.5 s\.' 3 || fail "end did not scroll the help overlay to its last line"
keys '?'
wait_gone 'gradtop view keys' 3 || fail "? did not close the help overlay"
echo "ok: at 80x24 the help overlay scrolls to its last line"
resize 40 10
wait_for 'too small' 5 || fail "a 40x10 terminal did not say it is too small"
resize 120 40
wait_for "$FAST " 5 || fail "the list did not come back after growing to 120x40"
[ -s "$TMP/main.exit" ] && fail "the program exited while resizing (status $(cat "$TMP/main.exit"))"
echo "ok: resizing redraws, says when the terminal is too small, and recovers"

# ---- q quits with 0 ------------------------------------------------------------
keys q
wait_file "$TMP/main.exit" 5 || fail "q did not quit within 5 s"
code=$(cat "$TMP/main.exit")
[ "$code" = 0 ] || fail "q exited with status $code, not 0"
echo "ok: q exits with status 0"

# ---- LANG=C: the ASCII fallback ------------------------------------------------
start ascii C "$RUNS"
wait_for "$FAST " 10 || fail "LANG=C: the view did not list $FAST"
sleep 0.5
pattern=$(printf '\342[\240\241\242\243]')
braille=$(screen | LC_ALL=C grep -c "$pattern")
[ "$braille" = 0 ] || fail "LANG=C, yet $braille lines have braille characters"
screen | grep -Eq '[+]-+[+]' || fail "LANG=C: no ASCII axes"
keys q
wait_file "$TMP/ascii.exit" 5 || fail "LANG=C: q did not quit"
echo "ok: LANG=C draws ASCII"

# ---- a LOGDIR that does not exist yet is waited for ------------------------------
LATER=$TMP/later
start wait C.UTF-8 "$LATER"
wait_for 'waiting for .*later to appear' 5 || fail "a missing LOGDIR did not show 'waiting for ... to appear'"
"$GRADTOP" train "$DATA" --epochs 3 --name late --logdir "$LATER" >"$TMP/late.out" 2>&1 ||
    fail "gradtop train into $LATER failed"
wait_for '-iris-late ' 5 || fail "the run in the LOGDIR that appeared is not listed within 5 s"
keys q
wait_file "$TMP/wait.exit" 5 || fail "q did not quit the waiting view"
echo "ok: a missing LOGDIR is waited for, then its runs are listed"

# ---- more runs than rows: the position shows without covering a title ----------------
MANY=$TMP/many
for i in 1 2 3 4 5 6; do
    "$GRADTOP" train "$DATA" --epochs 1 --lr "0.00$i" --logdir "$MANY" >/dev/null 2>&1 ||
        fail "gradtop train (lr 0.00$i) failed"
done
start many C.UTF-8 "$MANY"
resize 80 16
wait_for ' 1-[0-9]( of |/)6 ?$' 5 || fail "at 80x16 the header does not give the position among 6 runs"
on_screen 'epoch best ' || fail "at 80x16 the position covers the best column's title"
echo "ok: with more runs than rows the header gives the position beside the titles"
keys q
wait_file "$TMP/many.exit" 5 || fail "q did not quit"

# ---- the best figure says which metric it is, at every size -----------------------
# Three runs that differ in five options: at 80x24 the list once left out
# the best figure's metric for the options' columns, and read "0.6045 @8"
# without saying of what.  Every run's best is its val_loss (--monitor's
# default): the header names it, at 80x24, 100x30 and 120x40.
WIDE=$TMP/wide
for spec in "adam 0.003 16 16 1" "rmsprop 0.001 8 8,8 2" "sgd 0.05 32 32 3"; do
    # shellcheck disable=SC2086 # five words
    set -- $spec
    "$GRADTOP" train "$DATA" --epochs 2 --optimizer "$1" --lr "$2" --batch-size "$3" --layers "$4" \
        --seed "$5" --logdir "$WIDE" >/dev/null 2>&1 || fail "gradtop train ($spec) failed"
done
start wide C.UTF-8 "$WIDE"
# named: the header says "best val_loss", or each figure is followed by it
best_named() {
    screen | grep -Eq '^run .* best[^ ]* +val_loss( |$)' && return 0
    _rows=$(screen | grep -Ec ' @[0-9]+( |$)')
    [ "$_rows" -gt 0 ] && [ "$_rows" -eq "$(screen | grep -Ec ' @[0-9]+ +val_loss( |$)')" ]
}
for size in "80 24" "100 30" "120 40"; do
    # shellcheck disable=SC2086 # two numbers
    resize $size
    poll 5 best_named || fail "at ${size% *} columns the best figure does not say which metric it is"
    [ "$(screen | grep -Ec ' @[0-9]+( |$)')" -eq 3 ] || fail "at ${size% *} columns not every run's best is shown"
    echo "ok: at $(echo "$size" | tr ' ' x) the best figure names its metric"
done
keys q
wait_file "$TMP/wide.exit" 5 || fail "q did not quit"

# ---- a metric the charted runs do not record says so ------------------------------
MIXED=$TMP/mixed
"$GRADTOP" train datasets/diabetes.csv --epochs 2 --logdir "$MIXED" >/dev/null 2>&1 ||
    fail "gradtop train diabetes failed"
sleep 1 # the runs' directories are named by the second they start in
"$GRADTOP" train "$DATA" --epochs 2 --logdir "$MIXED" >/dev/null 2>&1 || fail "gradtop train failed"
start mixed C.UTF-8 "$MIXED"
wait_for 'diabetes' 5 || fail "the view does not list the diabetes run"
keys Enter # the cursor starts on the first (oldest) run: diabetes alone
wait_for 'none of the charted runs records accuracy' 5 ||
    fail "the accuracy chart of a regression run does not say it records none"
echo "ok: a chart whose metric no charted run records says so"
keys q
wait_file "$TMP/mixed.exit" 5 || fail "q did not quit"

# ---- a run that diverged does not flatten the others ------------------------------
# (tests/data/runs/diverged: blown's last rows reach 3e12 and 5e14 before it
# diverged; recovered's row before its resume does too.  Charted whole,
# the loss axis ran to 5e14 and every other curve lay on its floor.)
cp -R tests/data/runs/diverged "$TMP/diverged"
start diverged C.UTF-8 "$TMP/diverged"
wait_for 'iris-blown ' 5 || fail "the view does not list the diverged run"
wait_for '^ *[0-9.]+┤' 5 || fail "the loss chart has no y axis"
# (the loss chart is at the left edge, the other chart's axis mid-line)
top=$(axis_max)
awk -v t="$top" 'BEGIN { exit !(t + 0 > 0 && t + 0 < 1000) }' ||
    fail "beside a run that diverged the loss axis reaches $top: the others' curves lie flat"
keys l
# shellcheck disable=SC2317 # run through poll
log_axis_whole() { big=$(axis_max); awk -v t="$big" 'BEGIN { exit !(t + 0 >= 1e12) }'; }
poll 5 log_axis_whole || fail "the log axis does not show the divergence whole (its top tick is $big)"
echo "ok: beside a run that diverged the loss axis keeps the others' range ($top; log: $big)"
keys q
wait_file "$TMP/diverged.exit" 5 || fail "q did not quit"

# ---- an event file cut mid-record says what was skipped ---------------------------
# A record cut for good (its run quiet for more than 30 s: the file's time is
# set back, no waiting) is a warning on the status line naming the file.
CUT=$TMP/cut/torch
mkdir -p "$CUT"
ev=$(ls "$RUNS/$SLOW"/events.out.tfevents.* | head -n 1)
head -c "$(($(wc -c <"$ev") - 7))" "$ev" >"$CUT/$(basename "$ev")"
touch -d '2 minutes ago' "$CUT"/events.out.tfevents.*
start cut C.UTF-8 "$TMP/cut"
resize 250 40
wait_for 'torch ' 5 || fail "the run with a cut event file is not listed"
wait_for '1 warning in 1 run; torch: .*events\.out\.tfevents\.[^ ]*: the last record is cut short at byte [0-9]+ \([0-9]+ bytes there, [0-9]+ needed\); skipped' 5 ||
    fail "a record cut mid-way is not a warning saying what was skipped"
echo "ok: an event file cut mid-record shows a warning naming what was skipped"
keys q
wait_file "$TMP/cut.exit" 5 || fail "q did not quit"

# ---- without a terminal: what view needs, and where the figures are -------------
"$GRADTOP" view "$RUNS" </dev/null >"$TMP/notty.out" 2>&1
code=$?
[ "$code" = 2 ] || fail "view without a terminal exited $code, not 2"
grep -q 'gradtop view: the run viewer needs a terminal, and standard input is not one' "$TMP/notty.out" ||
    fail "view without a terminal does not say it needs one: $(cat "$TMP/notty.out")"
grep -q "metrics.csv and journal.txt under $RUNS are plain text" "$TMP/notty.out" ||
    fail "view without a terminal does not say where the figures are: $(cat "$TMP/notty.out")"
grep -q 'gradtop train' "$TMP/notty.out" &&
    fail "view without a terminal suggests gradtop train, which makes a new run"
echo "ok: view without a terminal says what it needs and where the run files are"

# ---- a LOGDIR that is a file is a usage error --------------------------------------
: >"$TMP/afile"
"$GRADTOP" view "$TMP/afile" >"$TMP/file.out" 2>&1
code=$?
[ "$code" = 2 ] || fail "view of a file exited $code, not 2"
grep -q 'not a directory' "$TMP/file.out" || fail "view of a file: no 'not a directory' message"
echo "ok: a LOGDIR that is a file exits 2 with a message"

echo "e2e_view: all passed"
exit 0
