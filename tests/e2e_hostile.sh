#!/bin/sh
# e2e_hostile.sh - keys a hostile or hasty user presses, each replayed
# exactly as it once broke a screen:
#   - F10 on the setup form in race or sweep mode at once after typing a
#     dataset that does not exist, before the preview has loaded it: the
#     form refuses it (as it does once the preview shows the problem), and
#     the program does not end with the form's settings lost;
#   - ctrl-\ (SIGQUIT) on the dashboard and on the setup form: the program
#     exits with 131 (128 + SIGQUIT) and the terminal's modes are as they
#     were before it started.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_hostile.sh
# Every wait is bounded; a failure prints what was expected and the screen.
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_hostile hostile hostile

# ---- F10 before the preview has loaded the dataset typed -------------------

# start_unloaded MODE RIGHTS: the setup form, its mode row moved RIGHTS
# times right (1: race, 2: sweep); then, in one burst, the dataset row
# cleared, a dataset that does not exist typed and F10 pressed.
start_unloaded() {
    start_session "$1" C.UTF-8 "--no-log iris"
    wait_for 'F10' 10 || fail "$1: the setup screen did not come up"
    wait_for 'features +[0-9]' 10 || fail "$1: the preview did not load"
    focus mode
    _r=0
    while [ "$_r" -lt "$2" ]; do
        keys Right
        _r=$((_r + 1))
    done
    wait_for "^ > mode +< $1 >" 5 || fail "the mode row does not read $1"
    keys Home
    wait_for '^ > dataset  ' 5 || fail "Home did not focus the dataset row"
    # one tmux command: the keys arrive together, long before the preview
    # would load what they typed
    keys C-u \; send-keys -t "$PANE" -l no-such-data \; send-keys -t "$PANE" F10
    wait_for "the dataset cannot be loaded: unknown dataset 'no-such-data'" 10 ||
        fail "$1: F10 before the preview loaded did not refuse a dataset that does not exist"
    [ -s "$TMP/$1.exit" ] &&
        fail "$1: F10 with a dataset that does not exist ended the program (status $(cat "$TMP/$1.exit"))"
    # esc: undo the edit; esc: asks; esc: quits
    for _k in 1 2 3 4; do
        keys Escape
        wait_file "$TMP/$1.exit" 1 && break
    done
    [ -s "$TMP/$1.exit" ] || fail "$1: esc did not quit the setup screen"
    [ "$(cat "$TMP/$1.exit")" = 0 ] || fail "$1: quitting exited with status $(cat "$TMP/$1.exit")"
    echo "ok: $1 mode: F10 before the preview loaded refuses a dataset that does not exist"
}
start_unloaded race 1
start_unloaded sweep 2

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
