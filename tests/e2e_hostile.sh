#!/bin/sh
# e2e_hostile.sh - keys a hostile or hasty user presses, each replayed
# exactly as it once broke a screen:
#   - F10 on the setup form in race or sweep mode at once after typing a
#     dataset that does not exist, before the preview has loaded it: the
#     form refuses it (as it does once the preview shows the problem), and
#     the program does not end with the form's settings lost; nor with a
#     --test set that does not exist, which only the start loads, nor with
#     a network too large, which only the race screen builds;
#   - ctrl-\ (SIGQUIT) on the dashboard and on the setup form: the program
#     exits with 131 (128 + SIGQUIT) and the terminal's modes are as they
#     were before it started;
#   - the dashboard's e form at 80x24, a value refused (noise nan; a pace
#     typed as 81 letters): the message names the row and gives the
#     accepted range whole, wrapped, not cut at the box's edge;
#   - the setup form in sweep mode: a space that does not parse ('nan', a
#     grid of 5000 points) is refused as it is typed, beside the row and in
#     full above the key bar, as every other row's value is.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_hostile.sh
# Every wait is bounded; a failure prints what was expected and the screen.
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_hostile hostile hostile

# ---- F10 on a race or a sweep that cannot start -----------------------------

# open_in NAME MODE RIGHTS ARGS: the setup form on ARGS, its preview
# loaded, its mode row moved RIGHTS times right (1: race, 2: sweep).
open_in() {
    start_session "$1" C.UTF-8 "--no-log $4"
    wait_for 'features +[0-9]' 10 || fail "$1: the setup screen or its preview did not come up"
    focus mode
    _r=0
    while [ "$_r" -lt "$3" ]; do
        keys Right
        _r=$((_r + 1))
    done
    wait_for "^ > mode +< $2 >" 5 || fail "$1: the mode row does not read $2"
}

# refused_then_quit NAME WHAT: the program must still run, F10 having been
# refused for WHAT; esc (an undo or a question, then the quit) must then
# quit with 0.
refused_then_quit() {
    [ -s "$TMP/$1.exit" ] && fail "$1: $2 ended the program (status $(cat "$TMP/$1.exit"))"
    for _k in 1 2 3 4; do
        keys Escape
        wait_file "$TMP/$1.exit" 1 && break
    done
    [ "$(cat "$TMP/$1.exit" 2>/dev/null)" = 0 ] || fail "$1: esc did not quit the setup screen with 0"
}

# start_unloaded MODE RIGHTS: in one burst, the dataset row cleared, a
# dataset that does not exist typed and F10 pressed, long before the
# preview would load what was typed: the form must refuse it.
start_unloaded() {
    open_in "$1" "$1" "$2" iris
    keys Home
    wait_for '^ > dataset  ' 5 || fail "Home did not focus the dataset row"
    # one tmux command: the keys arrive together
    keys C-u \; send-keys -t "$PANE" -l no-such-data \; send-keys -t "$PANE" F10
    wait_for "the dataset cannot be loaded: unknown dataset 'no-such-data'" 10 ||
        fail "$1: F10 before the preview loaded did not refuse a dataset that does not exist"
    refused_then_quit "$1" "F10 with a dataset that does not exist"
    echo "ok: $1 mode: F10 before the preview loaded refuses a dataset that does not exist"
}
start_unloaded race 1
start_unloaded sweep 2

# start_bad_test MODE RIGHTS: a --test set that does not exist (the
# preview loads the training set alone); F10 must leave the form up,
# saying why, in MODE.
start_bad_test() {
    open_in "$1-test" "$1" "$2" "--test no-such-test iris"
    keys F10
    wait_for "unknown dataset 'no-such-test'" 15 ||
        fail "$1: F10 with a --test set that does not exist did not say so on the form"
    wait_for 'F10 start' 5 || fail "$1: the setup form is not up after a --test set that does not load"
    focus mode
    wait_for "^ > mode +< $1 >" 5 || fail "$1: the form came back, but not in $1 mode"
    refused_then_quit "$1-test" "a --test set that does not exist"
    echo "ok: $1 mode: a --test set that does not load is refused on the form"
}
start_bad_test race 1
start_bad_test sweep 2

# A race whose racers' network is too large for the machine is refused once
# its screen is open (the racers are built there): back to the form, in
# race mode, saying why, where it ended the program.
open_in race-huge race 1 "--layers 65536,65536,65536,65536 iris"
keys F10
wait_for 'use smaller layers' 30 || fail "race-huge: a network too large is not refused on the form"
wait_for 'F10 start' 5 || fail "race-huge: the setup form is not up after the race was refused"
focus mode
wait_for "^ > mode +< race >" 5 || fail "race-huge: the form came back, but not in race mode"
refused_then_quit race-huge "a racer's network too large"
echo "ok: race mode: a network refused once the race screen is open goes back to the form"

# ---- ctrl-\ gives the terminal back ------------------------------------------

# quit_signal NAME READY ARGS: "$GRADTOP ARGS" with the terminal's modes
# written before and after it; once READY is on the screen, ctrl-\ must end
# it within 15 s with 131 and the modes as they were (the size aside).
quit_signal() {
    T kill-session -t "$PANE" >/dev/null 2>&1
    T new-session -d -s "$PANE" -x 120 -y 40 \
        "cd '$PWD' && stty -a > '$TMP/$1.before'; LANG=C.UTF-8 LC_ALL=C.UTF-8 '$GRADTOP' $3; echo \$? > '$TMP/$1.exit'; stty -a > '$TMP/$1.after'; sleep 60" ||
        fail "tmux cannot start a session"
    wait_for "$2" 15 || fail "$1: '$2' did not appear"
    keys "C-\\"
    wait_file "$TMP/$1.after" 15 || fail "$1: ctrl-\\ did not end the program within 15 s"
    [ "$(cat "$TMP/$1.exit")" = 131 ] || fail "$1: ctrl-\\ exited with status $(cat "$TMP/$1.exit"), not 131"
    sed 1d "$TMP/$1.before" > "$TMP/$1.b"
    sed 1d "$TMP/$1.after" > "$TMP/$1.a"
    cmp -s "$TMP/$1.b" "$TMP/$1.a" ||
        fail "$1: after ctrl-\\ the terminal's modes are not restored: $(diff "$TMP/$1.b" "$TMP/$1.a" | tr '\n' ' ')"
    echo "ok: $1: ctrl-\\ exits with 131 and gives the terminal back"
}
quit_signal dashboard RUNNING "--start --no-log --patience 0 --epochs 1000000 --seed 1 spiral"
quit_signal setup F10 "--no-log iris"

# ---- the e form: a refusal names its row and says its range whole --------------

# edit_box: the text inside the dashboard's e form, its rows joined by
# single blanks (the box's frame from column 2 to its top right corner).
edit_box() {
    screen | perl -CS -ne '
        if (/hyperparameters: applied/) { $on = 1; $r = index($_, "\x{2510}"); next }
        next unless $on;
        last if substr($_, 2, 1) eq "\x{2514}";
        my $t = substr($_, 4, $r - 5);
        $t =~ s/^\s+|\s+$//g;
        push @t, $t if length $t;
        END { print join(" ", @t), "\n" }'
}
# shellcheck disable=SC2317 # run through poll
box_says() { edit_box | grep -qF -- "$1"; }

start_session eform C.UTF-8 "--start --no-log --paused --seed 1 spiral"
resize 80 24
wait_for 'PAUSED' 15 || fail "eform: the dashboard did not show PAUSED"
keys e
wait_for '> noise ' 5 || fail "e did not open the form on its noise row"
keys C-u \; send-keys -t "$PANE" -l nan
poll 5 box_says "noise: not a decimal number 'nan' (expected a number from 0 to 1, or negative for the set's default; in decimal, like 0.5 or 1e-3)" ||
    fail "at 80x24 the e form's refusal of noise nan is not whole, with its row's name: $(edit_box)"
keys Escape
keys End Up Up
wait_for "> pace " 5 || fail "End, up, up did not focus the pace row"
long=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
keys C-u \; send-keys -t "$PANE" -l "$long"
poll 5 box_says "pace: not a pace 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' (expected max, Ne for N epochs a second (e.g. 5e) or Nb for N batches a second (e.g. 20b), N from 0.01 to 1000)" ||
    fail "at 80x24 the e form's refusal of a long pace is not whole, with its row's name: $(edit_box)"
keys Escape
echo "ok: the e form's refusals name the row and give the accepted range whole at 80x24"

# ---- the sweep's space is checked as it is typed --------------------------------
open_in space sweep 2 iris
focus space
keys C-u \; send-keys -t "$PANE" -l 'nan'
wait_for "^ > space +nan +'nan' at column 1: no" 5 ||
    fail "space: 'nan' typed into the space row is not refused beside it as it is typed"
wait_for "^ space: 'nan' at column 1: no such option" 5 ||
    fail "space: the refusal of 'nan' is not in full, naming the row, above the key bar"
keys C-u \; send-keys -t "$PANE" -l 'lr=grid(1,2,5000)'
wait_for "the number of points must be a whole number from 2 to 1000" 5 ||
    fail "space: a grid of 5000 points is not refused, with the range, as it is typed"
refused_then_quit space "a space refused as it is typed"
echo "ok: the space row refuses what does not parse as it is typed, naming the row and the range"
