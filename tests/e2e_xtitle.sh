#!/bin/sh
# e2e_xtitle.sh - every chart says what its x axis counts.  On the
# dashboard, `gradtop race`, the sweep screen and `gradtop view`, at 80x24,
# 100x30, 120x40 and 160x48, each chart's label row ends with its x title
# ("epoch"; a sweep's scatter, its parameter's name, "lr (log)" on a log
# axis) after at least two tick labels, the first at 0, and every label
# shown stays true: over a tick of the x axis, its value on the line
# through the first and last labels'.  The last tick label once reached
# the row's end and the title was left out: `gradtop race digits` at
# 100x30 showed ticks 0 to 90 and no "epoch" anywhere; the scatters of a
# linear or a choice parameter had no x title.  A choice's scatter keeps
# every value's label: its title ("layers") shows where they leave it
# room, and gives way where they do not (its chart's title names it).
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_xtitle.sh
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_xtitle xtitle xtitle

IRIS="'$PWD/datasets/iris.csv'"
DIGITS="'$PWD/datasets/digits.csv'"

# titles_are REGEX...: x_titles gives one line for each REGEX, each
# matching its own.
titles_are() {
    _got=$(x_titles)
    [ "$(printf '%s\n' "$_got" | grep -c .)" -eq $# ] || return 1
    _k=1
    for _re in "$@"; do
        printf '%s\n' "$_got" | sed -n "${_k}p" | grep -Eq -- "$_re" || return 1
        _k=$((_k + 1))
    done
}

ALL_SIZES="80x24 100x30 120x40 160x48"

# every_size WHAT SIZES REGEX...: at each of SIZES (COLUMNSxROWS, blank
# between) the charts' label rows are as titles_are REGEX... says, within
# 5 s, and their labels are true.
every_size() {
    _what=$1
    _sizes=$2
    shift 2
    for _size in $_sizes; do
        # shellcheck disable=SC2046 # two numbers
        resize $(echo "$_size" | tr x ' ')
        poll 5 titles_are "$@" ||
            fail "$_what at $_size: the charts' label rows are not as expected:
$(x_titles)"
        _false=$(x_labels_false)
        [ -z "$_false" ] || fail "$_what at $_size: tick labels are not true: $_false"
        echo "ok: $_what at $_size: $(x_titles | sed 's/.*[0-9]  *//' | tr '\n' ',' | sed 's/,$//')"
    done
}

# a label row of a chart by epoch: 0 first, another label, the title last
BY_EPOCH='^ *0 .*[0-9] +epoch$'

# ---- the dashboard: loss and accuracy -----------------------------------------
start_session dash C.UTF-8 "--start --no-log --patience 0 --epochs 100 --seed 1 $DIGITS"
wait_for 'DONE' 60 || fail "the dashboard's run on digits did not end"
every_size dashboard "$ALL_SIZES" "$BY_EPOCH" "$BY_EPOCH"
quit_exits dash 0

# ---- gradtop race: loss and accuracy ------------------------------------------
start_session race C.UTF-8 "race --no-log --patience 0 --epochs 100 $DIGITS"
wait_for 'training has ended for every racer' 90 || fail "the race on digits did not end"
every_size race "$ALL_SIZES" "$BY_EPOCH" "$BY_EPOCH"
quit_exits race 0

# ---- the sweep screen: the curves and a scatter per parameter ------------------
start_session sweep C.UTF-8 "sweep --space 'lr=loguniform(1e-3,1e-1); dropout=uniform(0,0.5)' \
--trials 3 --max-epochs 100 --patience 0 --seed 1 --no-log $IRIS"
wait_for 'sweep finished: best trial' 60 || fail "the sweep did not finish"
# (below 120 columns one scatter shows, tab the next)
LR='^ *0\.001 .*[0-9] +lr \(log\)$'
DROPOUT='^ *0 .*[0-9] +dropout$'
every_size sweep "80x24 100x30" "$BY_EPOCH" "$LR"
every_size sweep "120x40 160x48" "$BY_EPOCH" "$LR" "$DROPOUT"
keys Tab
every_size sweep "80x24 100x30" "$BY_EPOCH" "$DROPOUT"
quit_exits sweep 0

# ---- a choice's scatter: every value labelled, its title where they leave room ----
start_session choice C.UTF-8 "sweep --space 'layers=choice(8|16,8); activation=choice(relu|tanh)' \
--trials 4 --max-epochs 30 --patience 0 --seed 1 --no-log $IRIS"
wait_for 'sweep finished: best trial' 60 || fail "the sweep of choices did not finish"
every_size choice "100x30" "$BY_EPOCH" '^ *8 +16,8 +layers$'
every_size choice "80x24" "$BY_EPOCH" '^ *8 +16,8$'
every_size choice "120x40 160x48" "$BY_EPOCH" '^ *8 +16,8$' '^ *relu +tanh( +activation)?$'
quit_exits choice 0

# ---- gradtop view: loss and accuracy of a run on disk --------------------------
"$GRADTOP" train --patience 0 --epochs 100 --seed 1 --logdir "$TMP/runs" "$PWD/datasets/digits.csv" \
    >"$TMP/train.out" 2>&1 || fail "train on digits failed: $(tail -n 3 "$TMP/train.out")"
start_session view C.UTF-8 "view '$TMP/runs'"
wait_for 'digits' 15 || fail "view does not list the run"
every_size view "$ALL_SIZES" "$BY_EPOCH" "$BY_EPOCH"
quit_exits view 0
