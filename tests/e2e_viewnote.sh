#!/bin/sh
# e2e_viewnote.sh - `gradtop view`'s note under its charts, "charting the
# newest 32 of 34 selected runs", is written over the last chart's x labels
# at the right end of their row; a label it covered in part was left cut:
# at 176 columns "... 5   1charting the newest ...", the "1" of 10 read
# as a tick at 1 (and at 89 columns "10charting").  A label the note
# reaches now goes whole, and a blank stands before it.  34 iris runs
# of 20 epochs, all selected (a), at every third width from 80 to 200
# columns: the note stands after a blank.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_viewnote.sh
# Every wait is bounded; a failure prints what was expected and the screen.
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_viewnote viewnote viewnote

RUNS=$TMP/runs
iris_runs "$RUNS" n 34 20

# note_row: the row of the note, or nothing.
note_row() { screen | grep 'charting the newest 32 of 34 selected runs'; }

# note_at WIDTH: the note is drawn at WIDTH columns (it ends the row there).
note_at() { [ "$(note_row | awk '{ print length($0) }')" = "$1" ]; }

RUN_WITH="env TERM=xterm-256color" start_session note C.UTF-8 "view '$RUNS'"
wait_for 'iris-n[0-9]+ ' 15 || fail "the view does not list the runs"
keys a
wait_for 'charting the newest 32 of 34 selected runs' 5 || fail "a did not select the 34 runs"
w=80
while [ "$w" -le 200 ]; do
    resize "$w" 30
    poll 5 note_at "$w" || fail "at $w columns the note is not drawn at the row's end"
    case $(note_row) in
    *[!\ ]charting*) fail "at $w columns the note runs into a label, whole or cut: $(note_row)" ;;
    esac
    w=$((w + 3))
done
echo "ok: from 80 to 200 columns the note under the charts leaves no label cut"
quit_exits note 0
echo "e2e_viewnote: all passed"
