#!/bin/sh
# e2e_chaos.sh - random keys and resizes, from a fixed seed, on the setup
# form, the dashboard while it trains and the sweep screen: every key but
# q and the ctrl keys that send signals, in bursts, with the terminal
# resized between them from 1x1 and 10x5 up to 250x80.  Whatever state the
# keys reach (forms, overlays, views, a restart, the setup form again),
# the program must not end other than by a quit (status 0, or 3 after a
# divergence the keys caused; a sanitizer's report makes it 1), esc, q, y
# must then quit it, and the terminal's modes must be as they were.  What
# it asserts does not depend on how fast the keys are taken.  On failure
# the keys sent are printed, to replay them.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_chaos.sh
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_chaos chaos chaos

SEED=20261207
# next: the next number of a linear congruential generator, in $rnd
rnd=$SEED
next() { rnd=$(((rnd * 1103515245 + 12345) % 2147483648)); }

PRINTABLE='abcdefghijklmnoprstuvwxyz0123456789+-<>[]?.,=_/*!'
NAMED='Up Down Left Right PageUp PageDown Home End Enter Escape BSpace Tab BTab DC IC F1 F5 F10 Space C-a C-e C-u C-k C-l'
SIZES='1x1 10x5 250x80 70x20 69x19 80x24 3x60 200x10 120x40'

# word N LIST: the (N mod the number of words)-th word of LIST, from 0.
word() {
    # shellcheck disable=SC2086
    set -- "$1" $2
    _w=$(($1 % ($# - 1) + 2))
    eval "echo \"\${$_w}\""
}

# burst N: N random keys, each sent and logged to $TMP/keys.
burst() {
    _b=0
    while [ "$_b" -lt "$1" ]; do
        next
        if [ $((rnd % 3)) -eq 0 ]; then
            next
            _key=$(word "$rnd" "$NAMED")
            echo "$_key" >> "$TMP/keys"
            keys "$_key"
        else
            next
            _i=$((rnd % ${#PRINTABLE} + 1))
            _c=$(printf '%s' "$PRINTABLE" | cut -c "$_i")
            echo "-l $_c" >> "$TMP/keys"
            keys -l -- "$_c"
        fi
        _b=$((_b + 1))
    done
}

# reshape: a resize to a size of SIZES, or any up to 250x80.
reshape() {
    next
    if [ $((rnd % 2)) -eq 0 ]; then
        next
        _s=$(word "$rnd" "$SIZES")
        _w=${_s%x*} _h=${_s#*x}
    else
        next
        _w=$((rnd % 250 + 1))
        next
        _h=$((rnd % 80 + 1))
    fi
    echo "resize $_w $_h" >> "$TMP/keys"
    resize "$_w" "$_h"
}

# status_ok FILE: the status in FILE is 0 or 3.
status_ok() { case $(cat "$1") in 0 | 3) return 0 ;; esac; return 1; }

# chaos NAME ARGS BURSTS: "$GRADTOP ARGS" under BURSTS bursts of 20 keys
# with a resize after each; then, back at 120x40, esc, q, y until it quits.
chaos() {
    : > "$TMP/keys"
    T kill-session -t "$PANE" >/dev/null 2>&1
    rm -f "$TMP/$1.exit" "$TMP/$1.after"
    T new-session -d -s "$PANE" -x 120 -y 40 \
        "cd '$PWD' && stty -a > '$TMP/$1.before'; LANG=C.UTF-8 LC_ALL=C.UTF-8 '$GRADTOP' $2; echo \$? > '$TMP/$1.exit'; stty -a > '$TMP/$1.after'; sleep 60" ||
        fail "tmux cannot start a session"
    wait_for "$3" 15 || fail "$1: '$3' did not appear"
    _n=0
    while [ "$_n" -lt "$4" ] && [ ! -s "$TMP/$1.exit" ]; do
        burst 20
        reshape
        _n=$((_n + 1))
    done
    resize 120 40
    _q=0
    while [ ! -s "$TMP/$1.after" ] && [ "$_q" -lt 6 ]; do
        for _k in Escape Escape Escape q y; do
            keys "$_k"
            sleep 0.2
        done
        wait_file "$TMP/$1.after" 2
        _q=$((_q + 1))
    done
    if [ ! -s "$TMP/$1.after" ]; then
        cat "$TMP/keys"
        fail "$1: esc, q, y did not quit it after the keys above"
    fi
    if ! status_ok "$TMP/$1.exit"; then
        cat "$TMP/keys"
        fail "$1: ended with status $(cat "$TMP/$1.exit") after the keys above"
    fi
    sed 1d "$TMP/$1.before" > "$TMP/$1.b"
    sed 1d "$TMP/$1.after" > "$TMP/$1.a"
    if ! cmp -s "$TMP/$1.b" "$TMP/$1.a"; then
        cat "$TMP/keys"
        fail "$1: the terminal's modes are not restored after the keys above"
    fi
    echo "ok: $1: $(wc -l < "$TMP/keys") random keys and resizes, then a clean quit"
}

chaos setup "--no-log iris" F10 12
chaos dashboard "--start --no-log --patience 0 --epochs 1000000 --seed 1 spiral" RUNNING 12
chaos sweep "sweep --no-log --space 'lr=loguniform(1e-3,1)' --trials 4 --max-epochs 100000 spiral" 'trials' 12
