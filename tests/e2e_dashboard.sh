#!/bin/sh
# e2e_dashboard.sh - drives the real dashboard in a tmux pseudo-terminal and
# checks the screen text: training advances; space shows PAUSED and stops the
# epoch counter (two presses in one frame pause and resume, and say so);
# + doubles the learning rate shown, and the form no longer calls it
# "default"; resizing (down to a
# too-small terminal and back; at 80 columns the key bar keeps help and quit) neither crashes nor blanks the screen; q then
# y exits with status 0; SIGTERM exits 143 with the terminal given back; the
# ASCII fallback under LANG=C draws no braille; e opens the form, which
# shows a refused value's whole reason and closes on Esc unchanged; the speed row gives the rate
# while training and the run's mean once s has stopped it (EARLY STOPPED); a
# diverged run shows DIVERGED, in a box as tall as its text, and q exits 3;
# the end event of a run stopped early is a sentence ("stopped early after
# N epochs"), not the files' word.  The key bar names space for
# what it does (pause, or resume while paused or diverged) and, once the
# run has ended, offers r and o rather than keys that would be refused.  With
# no hidden layer the header names no activation; paused, q says so; a
# quit or setup box that the run ended under says it has ended.  An
# event's epoch is the share of the epoch's rows done, across a change of
# batch size.  The help names every mark of the chart's x axis.  The loss
# and accuracy charts put their y axes in one column whatever their labels.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_dashboard.sh
# Every wait is bounded; a failure prints what was expected and the screen.
# shellcheck disable=SC2015
# ("[ A ] && [ B ] || fail" is meant: fail exits)
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
DATA=$PWD/datasets/digits.csv
tmux_harness e2e_dashboard e2e e2e

# The epoch counter and the learning rate of the status panel.
epoch() { screen | sed -n 's/.* epoch  *\([0-9][0-9]*\)\/[0-9][0-9]*.*/\1/p' | head -n 1; }
lr() { screen | grep -Eo ' lr +[0-9][0-9.e+-]*' | head -n 1 | awk '{print $2}'; }

# start NAME LANG: the dashboard in a fresh 120x40 window; the exit status
# goes to $TMP/NAME.exit.
start() {
    start_session "$1" "$2" "--start --no-log --patience 0 --epochs 1000000 --seed 1 '$DATA'"
    wait_for 'RUNNING' 15 || fail "the dashboard did not show RUNNING within 15 s"
}

# ---- training advances -------------------------------------------------
start main C.UTF-8
e1=$(epoch)
[ -n "$e1" ] || fail "no 'epoch N/M' counter on the screen"
# shellcheck disable=SC2317 # run through poll
advanced() { e2=$(epoch); [ "$e2" -gt "$e1" ] 2>/dev/null; }
poll 15 advanced || true
[ -n "$e2" ] && [ "$e2" -gt "$e1" ] || fail "training does not advance: epoch $e1 then $e2"
echo "ok: training advances (epoch $e1 -> $e2)"

# ---- space pauses --------------------------------------------------------
keys Space
wait_for 'PAUSED' 5 || fail "space did not show PAUSED"
sleep 0.3
p1=$(epoch)
sleep 1
p2=$(epoch)
[ -n "$p1" ] && [ "$p1" = "$p2" ] || fail "paused, yet the epoch counter moved: $p1 then $p2"
echo "ok: space shows PAUSED and the epoch counter stays at $p1"

# ---- n: one batch, and the notice says so (not the pause's any more) -----
keys n
wait_for 'one batch, then paused again' 5 || fail "n did not say it ran one batch"
off_screen 'pausing at the next batch' || fail "after n the notice still says 'pausing'"
on_screen 'PAUSED' || fail "after n the run is not paused again"
echo "ok: n runs one batch and says so"

# ---- + doubles the learning rate -----------------------------------------
l1=$(lr)
[ -n "$l1" ] || fail "no 'lr VALUE' on the screen"
keys +
i=0
l2=$l1
while [ "$i" -lt 30 ] && [ "$l2" = "$l1" ]; do
    sleep 0.1
    l2=$(lr)
    i=$((i + 1))
done
awk -v a="$l1" -v b="$l2" 'BEGIN { r = b / a; exit !(r > 1.999 && r < 2.001) }' ||
    fail "+ did not double the learning rate: $l1 then $l2"
echo "ok: + doubles the learning rate ($l1 -> $l2)"

# ---- e: the hyperparameter form -------------------------------------------
keys e
wait_for 'hyperparameters: applied at the next batch' 5 || fail "e did not open the form"
# + moved the rate off the optimizer's default: the form must not call it that
on_screen '│ +lr +default' && fail "after +, the form calls the rate $l2 'default'"
on_screen "│ +lr +$l2 " || fail "after +, the form's lr row does not read $l2"
keys Down
sleep 0.2
keys C-u - 1
wait_for "expected a positive number, or default for the optimizer's own\\)" 5 ||
    fail "a refused rate does not get its whole reason in the form"
# leave the field and come back, then type a valid value: Esc goes back to
# -1, then to the last valid value, then closes; it never cycles
keys Down
sleep 0.2
keys Up
sleep 0.2
keys C-u 0 . 5
sleep 0.3
keys Escape
sleep 0.3
keys Escape
sleep 0.3
keys Escape
wait_for 'edit cancelled: nothing changed' 5 || fail "three Esc did not close the form"
wait_gone 'hyperparameters: applied' 5 || fail "the form is still drawn after it closed"
[ "$(lr)" = "$l2" ] || fail "a cancelled form changed the rate: $l2 then $(lr)"
echo "ok: the form gives a refused value's whole reason, and Esc closes it unchanged"

# ---- resizing --------------------------------------------------------------
resize 80 24
wait_for 'PAUSED' 5 || fail "after resizing to 80x24 the dashboard is gone"
screen | grep -q 'epoch' || fail "after resizing to 80x24 the status panel is gone"
# the key bar gives up its least used entries first: help and quit stay
bar=$(screen | sed -n '24p')
for k in 'space resume' 'tab view' '? help' 'q quit'; do
    case $bar in *"$k"*) ;; *) fail "at 80 columns the key bar lacks '$k': $bar" ;; esac
done
resize 40 10
wait_for 'too small' 5 || fail "a 40x10 terminal did not say it is too small"
resize 120 40
wait_for 'PAUSED' 5 || fail "the dashboard did not come back after growing to 120x40"
[ -s "$TMP/main.exit" ] && fail "the program exited while resizing (status $(cat "$TMP/main.exit"))"
echo "ok: resizing redraws, says when the terminal is too small, and recovers"

# ---- q asks, y quits with 0 ------------------------------------------------
keys Space
wait_for 'RUNNING' 5 || fail "space did not resume"
# two presses read in one frame: pause, then resume, and the notice says
# what the second asked for
keys Space Space
sleep 0.5
on_screen 'pausing at the next batch' && fail "space, space in one frame says 'pausing'"
on_screen 'resuming' && on_screen 'RUNNING' || fail "space, space in one frame did not resume"
quit_q_y main
echo "ok: q asks, y exits with status 0"

# ---- SIGTERM: a clean exit, 128 + 15, and the terminal back -----------------
start term C.UTF-8
shell=$(T display-message -p -t "$PANE" '#{pane_pid}')
pid=$(pgrep -P "$shell" | head -n 1)
[ -n "$pid" ] || fail "cannot find the program's process"
kill -TERM "$pid"
wait_file "$TMP/term.exit" 10 || fail "SIGTERM did not end the program within 10 s"
code=$(cat "$TMP/term.exit")
[ "$code" = 143 ] || fail "SIGTERM exited with status $code, not 143"
sleep 0.3
[ "$(T display-message -p -t "$PANE" '#{alternate_on}')" = 0 ] ||
    fail "after SIGTERM the terminal is still in the alternate screen"
echo "ok: SIGTERM exits 143 and restores the terminal"

# ---- LANG=C: the ASCII fallback --------------------------------------------
start ascii C
wait_for '[+]-+[+]' 15 || fail "LANG=C: no ASCII axes"
# braille is U+2800..U+28FF: bytes E2 A0..A3 xx in UTF-8
pattern=$(printf '\342[\240\241\242\243]')
braille=$(screen | LC_ALL=C grep -c "$pattern")
[ "$braille" = 0 ] || fail "LANG=C, yet $braille lines have braille characters"
screen | grep -Eq '[+]-+[+]' || fail "LANG=C: no ASCII axes"
echo "ok: LANG=C draws ASCII"

# ---- the speed row: the current rate, then the run's mean once stopped -----
wait_for 'speed +[0-9.]+[kM]? samples/s *$' 15 ||
    fail "while training, the speed row gives no rate"
keys s
wait_for 'EARLY STOPPED' 10 || fail "s did not show EARLY STOPPED"
screen | grep -Eq 'speed +[0-9.]+[kM]? samples/s \(mean\)' ||
    fail "after s, the speed row does not give the run's mean rate"
echo "ok: the speed row gives the rate, then the run's mean after s"
# once training has ended the key bar offers what the keys do then: not
# space (nothing to pause), n, +-, <>, e or s, which would be refused; r
# and o, which start the next run
bar=$(screen | sed -n '40p')
for k in 'space' 'nN step' '+- lr' '<> pace' 'e edit' 's stop'; do
    case $bar in *"$k"*) fail "after the end the key bar still offers '$k': $bar" ;; esac
done
for k in 'r restart' 'o setup' 'tab view' 'q quit'; do
    case $bar in *"$k"*) ;; *) fail "after the end the key bar lacks '$k': $bar" ;; esac
done
echo "ok: after the end the key bar offers r and o, and no longer space, nN, +-, <>, e or s"
# and those keys, pressed anyway, say the run has ended: + once said
# "learning rate 0.001 → 0.001 from the next batch", n "n trains one batch
# while paused (space pauses)", and e opened a form "applied at the next
# batch"
lr_end=$(lr)
keys +
wait_for '\+: the run has ended: r starts a new run' 5 || fail "+ after the end does not say the run has ended"
off_screen 'from the next batch' || fail "+ after the end speaks of a next batch"
[ "$(lr)" = "$lr_end" ] || fail "+ after the end changed the panel's lr from $lr_end to $(lr)"
keys -
wait_for '-: the run has ended: r starts a new run' 5 || fail "- after the end does not say the run has ended"
keys n
wait_for 'n: the run has ended: r starts a new run' 5 || fail "n after the end does not say the run has ended"
keys N
wait_for 'N: the run has ended: r starts a new run' 5 || fail "N after the end does not say the run has ended"
keys e
wait_for 'e: the run has ended: r starts a new run' 5 || fail "e after the end does not say the run has ended"
off_screen 'applied at the next batch' || fail "e after the end opened the hyperparameter form"
echo "ok: after the end +, -, n, N and e say the run has ended"
keys q
wait_file "$TMP/ascii.exit" 10 || fail "LANG=C: q did not quit a stopped run"

# ---- a diverged run: DIVERGED, and quitting exits 3 as train would --------
start_session diverge C.UTF-8 "--start --no-log --optimizer sgd --lr 10 --momentum 0.99 --layers 64,64 --epochs 50 --seed 1 '$PWD/datasets/diabetes.csv'"
wait_for 'DIVERGED' 20 || fail "SGD at rate 10 did not show DIVERGED"
wait_for '^space resume ' 5 || fail "a diverged run's key bar does not offer space to resume it"
# its box is as tall as its text: one blank row between the message and
# the advice, none below (it had four empty rows at the bottom)
blank=$(box_rows 'training diverged' | grep -c '^ *$')
last=$(box_rows 'training diverged' | tail -n 1)
[ "$blank" = 1 ] && [ -n "$(echo "$last" | tr -d ' ')" ] ||
    fail "the DIVERGED box has $blank blank rows, its last row '$last'"
quit_exits diverge 3
echo "ok: a diverged run shows DIVERGED in a box as tall as its text, and q exits 3"

# ---- the end event is said as a sentence -----------------------------------
# journal.txt's "end early_stopped after N epochs" keeps the file's word;
# the events list said it so too
start_session early C.UTF-8 "--start --no-log --patience 1 --epochs 1000 --lr 1 --seed 1 iris"
wait_for 'EARLY STOPPED' 30 || fail "iris at rate 1 with patience 1 did not stop early"
wait_for ': stopped early$' 5 || fail "the end event does not read 'stopped early after N epochs'"
on_screen '│   after [0-9]+ epochs$' || fail "the end event does not go on 'after N epochs'"
off_screen 'early_stopped' || fail "the events list says the file's word early_stopped"
quit_exits early 0
echo "ok: the end event reads 'stopped early after N epochs'"

# ---- a resize whose SIGWINCH was lost is still drawn -------------------------
lost_resize_redraws nowinch C.UTF-8 "--start --no-log --patience 0 --epochs 1000000 iris" \
    'RUNNING' '^ gradtop ' 'q quit'
echo "ok: a resize no SIGWINCH told of is drawn at the new size"

# ---- paused, no hidden layer: the header and the quit box say what is -------
start_session nohidden C.UTF-8 "--start --no-log --layers '' --paused spiral"
wait_for 'PAUSED' 15 || fail "--paused did not show PAUSED"
on_screen '^ gradtop +spiral \([0-9]+ rows\) +2→1 +adam ' ||
    fail "with no hidden layer the header names a hidden activation"
keys q
wait_for 'quit\?' 5 || fail "q did not ask to quit"
on_screen 'Training is paused, not ended\.' || fail "paused, the quit box says training is running"
off_screen 'still running' || fail "paused, the quit box says 'still running'"
keys n
wait_gone 'quit\?' 5 || fail "n did not close the quit box"
echo "ok: with no hidden layer the header reads 2→1; paused, q says so"
# the help names every mark the chart's x axis draws
keys '?'
wait_for 'gradtop keys' 5 || fail "? did not open the help"
keys End
wait_for 'a divergence \(in red\)' 5 || fail "the help's legend does not name the divergence mark"
on_screen '★ the best epoch, ▲ a hyperparameter change' ||
    fail "the help's legend does not give the best epoch's and a change's marks"
keys '?'
wait_gone 'gradtop keys' 5 || fail "? did not close the help"
echo "ok: the help names the chart's marks, divergences included"
keys q
keys y
wait_file "$TMP/nohidden.exit" 10 || fail "q y did not quit the paused run"

# ---- a question asked while training ran, the run ended under it -------------
# q and o ask first while training runs; a run that ends while the box is
# up (its last epoch) made it go on saying "Training is still running" and
# offering "n keep training". iris at 60 rows a batch trains 2 batches an
# epoch, 6 in all at 1 a second, started --paused: space resumes it in the
# same write as q or o, which the dashboard reads before it looks at the
# run again, so that the key asks of a run still training (or paused),
# whatever the machine's speed.
# ended_under_box NAME KEY TITLE: space then KEY asks (TITLE); once DONE
# shows behind the box, it says that training has ended and offers to stay.
ended_under_box() {
    start_session "$1" C.UTF-8 "--start --no-log --paused --pace 1b --batch-size 60 --epochs 3 --patience 0 --seed 1 iris"
    wait_for 'PAUSED' 15 || fail "$1: iris started --paused did not show PAUSED"
    keys Space "$2"
    wait_for "$3" 5 || fail "$1: $2 while training ran did not ask first"
    wait_for ' DONE' 60 || fail "$1: the run did not end behind the box"
    on_screen 'Training has ended\.' || fail "$1: the run has ended, and the box does not say so"
    off_screen 'still running|keep training' || fail "$1: the run has ended, and the box says it is still training"
    on_screen 'n stay' || fail "$1: the run has ended, and n is not offered as staying"
}
ended_under_box endquit q 'quit\?'
on_screen 'y quit' || fail "endquit: y is not offered as quitting"
keys y
wait_file "$TMP/endquit.exit" 10 || fail "endquit: y did not quit"
[ "$(cat "$TMP/endquit.exit")" = 0 ] || fail "endquit: y exited $(cat "$TMP/endquit.exit"), not 0"
ended_under_box endsetup o 'back to setup\?'
on_screen 'Go back to the setup form with these settings\?' ||
    fail "endsetup: the run has ended, and the box still asks to stop it"
on_screen 'y to setup' || fail "endsetup: y is not offered as going to the setup form"
keys y
wait_for 'setup: choose a dataset' 10 || fail "endsetup: y did not go back to the setup form"
echo "ok: a quit or setup box asked while training ran says so once the run has ended"

# ---- the two charts share their y axis's column ------------------------------
# After spiral's first epoch (seed 0) the loss axis is labelled 0.6 to 0.8
# and the accuracy axis 0.52 to 0.58: each chart took the margin its own
# labels needed, so the accuracy plot began a column to the right of the
# loss plot and an epoch's marker stood in different columns.
start_session align C.UTF-8 "--start --no-log --paused --seed 0 spiral"
resize 80 24
wait_for 'PAUSED' 15 || fail "align: spiral --paused did not show PAUSED"
keys N
wait_for 'epoch +1/1000' 15 || fail "align: N did not train the first epoch"
same_axis_column align
echo "ok: labels of widths $(axis_columns | awk '{ printf "%s ", $1 }')leave both y axes in one column"

# ---- the events panel: an epoch's share is its rows done, not its steps -------
# iris trains on 120 rows: one batch of 32, then the batch size 16 from the
# form; the change fell 32/120 = 0.27 into epoch 0 (by steps at the new
# size, 1 of 8 batches, it would read 0.1)
start_session rows C.UTF-8 "--start --no-log --paused --seed 1 iris"
wait_for 'PAUSED' 15 || fail "--paused did not show PAUSED"
keys n
wait_for 'one batch, then paused again' 5 || fail "n did not run one batch"
keys e
wait_for 'hyperparameters: applied at the next batch' 5 || fail "e did not open the form"
# the overlay's focused row: "│ > LABEL  VALUE"
edit_focus() { screen | grep -Eo '│ > [a-z0-9]+( [a-z0-9]+)*' | head -n 1; }
# shellcheck disable=SC2317 # run through poll
edit_moved() { [ "$(edit_focus)" != "$1" ]; }
i=0
while [ "$i" -lt 20 ] && [ "$(edit_focus)" != '│ > batch size' ]; do
    now=$(edit_focus)
    keys Down
    poll 2 edit_moved "$now" || fail "Down did not move the focus from '$now'"
    i=$((i + 1))
done
[ "$(edit_focus)" = '│ > batch size' ] || fail "cannot reach the form's batch size row"
keys C-u 1 6 F10
wait_for 'hyperparameters applied' 5 || fail "F10 did not apply the form"
wait_for 'epoch 0\.3 \(step 1\): batch_size' 5 ||
    fail "the batch size change one batch of 32 into 120 rows is not at epoch 0.3"
echo "ok: the events panel places a change by the rows of the epoch done"
keys q
keys y
wait_file "$TMP/rows.exit" 10 || fail "q y did not quit the paused run"

echo "e2e_dashboard: all passed"
exit 0
