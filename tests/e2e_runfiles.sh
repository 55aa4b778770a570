#!/bin/sh
# End to end: a run's and a sweep's files, damaged or replaced by what no
# gradtop writes, read back by train --resume and sweep --resume.  Each
# case ends promptly with the exit code SPEC.md gives and a message naming
# the file, or goes on as the damage allows; none waits for good:
#   - a trial's journal.txt that is a named pipe (opening one to read waits
#     for a writer, which no signal ends): the sweep reads it as a trial
#     without a journal, as it reads one whose journal is missing;
#   - a run's config.txt that names no dataset (emptied, cut short): the
#     resume names that file, not a DATASET missing from the command line.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_runfiles.sh
# Every command is bounded by timeout -s KILL (gradtop catches SIGTERM, and
# a wait in open() goes on after it): a wait for good is a failure.
set -u
E2E=e2e_runfiles
# shellcheck source=tests/lib/check.sh
. tests/lib/check.sh

"$G" sweep --space 'lr=loguniform(1e-3,1e-1)' --trials 2 --max-epochs 2 --seed 3 \
    --logdir "$T/sw" iris >"$T/s.out" 2>"$T/s.err"
check "a sweep of 2 trials exits 0" [ $? -eq 0 ]
sweep=$(ls -d "$T"/sw/*-iris-sweep)
trial=$(ls -d "$sweep"/*-trial-001)

# ---- a trial's journal.txt that is a named pipe -------------------------------
cp -a "$sweep" "$T/nojournal"
rm "$T/nojournal/$(basename "$trial")/journal.txt"
timeout -s KILL 120 "$G" sweep --resume "$T/nojournal" >"$T/a.out" 2>"$T/a.err"
rc=$?
check "a trial without journal.txt: sweep --resume exits 0 (got $rc)" [ "$rc" -eq 0 ]
rm "$trial/journal.txt"
mkfifo "$trial/journal.txt"
timeout -s KILL 120 "$G" sweep --resume "$sweep" >"$T/b.out" 2>"$T/b.err"
rc=$?
check "a trial whose journal.txt is a named pipe: sweep --resume does not wait for a writer (exit $rc)" \
    [ "$rc" -ne 137 ]
check "and ends as with no journal.txt: exit 0 and the same result line" \
    sh -c "[ $rc -eq 0 ] && grep '^result:' '$T/b.out' | sed 's/ run=.*//' >'$T/b.res' &&
           grep '^result:' '$T/a.out' | sed 's/ run=.*//' | cmp -s - '$T/b.res'"
check "and leaves the named pipe as it was" [ -p "$trial/journal.txt" ]

# ---- a run's config.txt that names no dataset ---------------------------------
"$G" train --epochs 2 --seed 1 --logdir "$T/runs" iris >"$T/t.out" 2>"$T/t.err"
check "a run of 2 epochs exits 0" [ $? -eq 0 ]
run=$(ls -d "$T"/runs/*-iris)
cp "$run/config.txt" "$T/config.saved"
for cut in 0 20; do
    head -c "$cut" "$T/config.saved" >"$run/config.txt"
    timeout -s KILL 120 "$G" train --resume "$run" --epochs 3 >"$T/c.out" 2>"$T/c.err"
    rc=$?
    check "config.txt cut to $cut bytes: train --resume exits 2 (got $rc)" [ "$rc" -eq 2 ]
    check "config.txt cut to $cut bytes: the message names config.txt and its missing dataset line" \
        grep -qF "gradtop: --resume: $run/config.txt names no dataset (no 'dataset = ...' line)" "$T/c.err"
    check "config.txt cut to $cut bytes: the run's metrics.csv keeps its 2 epochs" \
        [ "$(wc -l <"$run/metrics.csv")" -eq 3 ]
done

check_done
