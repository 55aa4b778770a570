#!/bin/sh
# e2e_limits.sh - train short of file descriptors, and interrupted while it
# loads its data.
#
# Descriptors: under ulimit -n 4 to 12 every run either completes, its run
# directory whole, or fails with exit 1 (a runtime failure, not invalid
# input) and a message, leaving no run directory behind.  (Under -n 3 the
# dynamic loader itself has no descriptor for the libraries: exit 127
# before gradtop runs.)
#
# Loading: SIGINT while train, a headless race or a sweep reads its dataset
# from a FIFO ends it with exit 130 and makes nothing.  The FIFO makes
# "while loading" exact: the writer's open returns once the command has
# opened the file (it installs its signal handling before), and the signal
# is sent before the data ends.
set -u
E2E=e2e_limits
. tests/lib/check.sh

# ---- descriptors ----------------------------------------------------------

completed=0
refused=0
# fd_run N: train iris under ulimit -n N; "ok" when it completed with every
# run file or failed with exit 1, a message and no run directory.
fd_run() {
    n=$1
    logdir=$T/fd$n
    (ulimit -n "$n" && exec timeout -k 5 60 "$G" train iris --epochs 2 --logdir "$logdir") \
        >"$T/out" 2>"$T/err"
    rc=$?
    runs=$(find "$logdir" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    case $rc in
    0)
        completed=$((completed + 1))
        dir=$(find "$logdir" -mindepth 1 -maxdepth 1)
        for f in config.txt metrics.csv journal.txt model.gtm; do
            [ -s "$dir/$f" ] || {
                echo "$E2E: ulimit -n $n: completed without $f"
                return 1
            }
        done
        ls "$dir"/events.out.tfevents.* >/dev/null 2>&1 || {
            echo "$E2E: ulimit -n $n: completed without an event file"
            return 1
        }
        grep -q '^result: status=completed' "$T/out" || {
            echo "$E2E: ulimit -n $n: exit 0 without a result line"
            return 1
        }
        ;;
    1)
        refused=$((refused + 1))
        grep -q '^gradtop: .*Too many open files' "$T/err" || {
            echo "$E2E: ulimit -n $n: exit 1 without saying descriptors ran out:"
            head -n 3 "$T/err"
            return 1
        }
        [ "$runs" -eq 0 ] || {
            echo "$E2E: ulimit -n $n: failed, but left a run directory:"
            find "$logdir" -mindepth 1
            return 1
        }
        ;;
    *)
        echo "$E2E: ulimit -n $n: exit $rc, want 0 or 1:"
        head -n 3 "$T/err"
        return 1
        ;;
    esac
}

for n in 4 5 6 7 8 9 10 11 12; do
    check "train under ulimit -n $n completes or fails whole" fd_run "$n"
done
check "some limits were too small ($refused)" test "$refused" -ge 3
check "some limits were enough ($completed)" test "$completed" -ge 2

# ---- SIGINT while loading -------------------------------------------------

# interrupted_loading NAME WHAT ARGS...: gradtop ARGS (its dataset the FIFO
# $T/NAME/data.csv, its run files under $T/NAME/runs) gets SIGINT while it
# reads the data: exit 130, no run directory, no output, and "interrupted
# before WHAT started; nothing was written" on stderr.
interrupted_loading() {
    F=$T/$1
    what=$2
    shift 2
    mkdir "$F"
    mkfifo "$F/data.csv"
    "$G" "$@" >"$F/out" 2>"$F/err" &
    gpid=$!
    # the writer: open (returns once gradtop has opened the FIFO), the rows,
    # SIGINT, then the end of the data; under timeout in case it never opens
    timeout -k 5 60 sh -c 'exec 3>"$1"; cat "$2" >&3; kill -INT "$3"; exec 3>&-' \
        sh "$F/data.csv" datasets/iris.csv "$gpid"
    wrc=$?
    [ "$wrc" -eq 0 ] || kill -KILL "$gpid" 2>/dev/null
    wait "$gpid"
    grc=$?
    check "$1: the FIFO was opened and written (writer exit $wrc)" test "$wrc" -eq 0
    check "$1: SIGINT while loading: exit 130 (got $grc)" test "$grc" -eq 130
    check "$1: SIGINT while loading: no run directory" test ! -e "$F/runs"
    check "$1: SIGINT while loading: says nothing was written" \
        grep -q "interrupted before $what started; nothing was written" "$F/err"
    check "$1: SIGINT while loading: no output" test ! -s "$F/out"
}

interrupted_loading train training train "$T/train/data.csv" --epochs 2 --logdir "$T/train/runs"
# the headless race (stdout is a file) and the sweep watch signals as train does
interrupted_loading race "the race" race "$T/race/data.csv" --epochs 2 --logdir "$T/race/runs"
interrupted_loading sweep "the sweep" sweep "$T/sweep/data.csv" --trials 2 --max-epochs 2 \
    --logdir "$T/sweep/runs"

check_done
