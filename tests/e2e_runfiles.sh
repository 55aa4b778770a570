#!/bin/sh
# End to end: a run's and a sweep's files, damaged or replaced by what no
# gradtop writes, read back by train --resume and sweep --resume.  Each
# case ends promptly with the exit code SPEC.md gives and a message naming
# the file, or goes on as the damage allows; none waits for good:
#   - a trial's journal.txt that is a named pipe (opening one to read waits
#     for a writer, which no signal ends): the sweep reads it as a trial
#     without a journal, as it reads one whose journal is missing;
#   - a run's config.txt that names no dataset (emptied, cut short): the
#     resume names that file, not a DATASET missing from the command line;
#   - a run's metrics.csv, journal.txt or event file that is a symbolic
#     link to a file elsewhere: train --resume would cut and append to the
#     file it names, so it refuses the link (exit 2, naming it) and leaves
#     that file as it was;
#   - a run's or a sweep's file that a resume replaces (model.gtm,
#     checkpoint.gtm, config.txt; best.txt, trials.csv; an interrupted
#     trial's model.gtm) that is a directory: the resume is refused at the
#     start (exit 2, naming it), before any trial or epoch trains, not
#     failed with exit 1 when it saves after training;
#   - a sweep's space.txt edited into options that do not go together (a
#     pbt interval of max-epochs): the refusal names space.txt, since the
#     command line gave no option.
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

# ---- run files that are symbolic links ----------------------------------------
cp "$T/config.saved" "$run/config.txt"
for f in metrics.csv journal.txt events; do
    rm -rf "$T/linked"
    cp -a "$run" "$T/linked"
    printf 'a line of a file that is not the run'"'"'s\n' >"$T/precious"
    cp "$T/precious" "$T/precious.saved"
    name=$f
    [ "$f" = events ] && name=$(basename "$(ls "$T"/linked/events.out.tfevents.*)")
    rm "$T/linked/$name"
    ln -s "$T/precious" "$T/linked/$name"
    timeout -s KILL 120 "$G" train --resume "$T/linked" --epochs 3 >"$T/l.out" 2>"$T/l.err"
    rc=$?
    check "$f a symbolic link: train --resume exits 2 (got $rc)" [ "$rc" -eq 2 ]
    check "$f a symbolic link: the message names it as one" \
        grep -qF "$T/linked/$name: a symbolic link, not a regular file" "$T/l.err"
    check "$f a symbolic link: the file it names is as it was" cmp -s "$T/precious" "$T/precious.saved"
    check "$f a symbolic link: and it is still a link" [ -L "$T/linked/$name" ]
done

# ---- files a resume replaces that are directories ----------------------------
for f in model.gtm checkpoint.gtm config.txt; do
    rm -rf "$T/dirs"
    cp -a "$run" "$T/dirs"
    rm "$T/dirs/$f"
    mkdir "$T/dirs/$f"
    timeout -s KILL 120 "$G" train --resume "$T/dirs" --epochs 3 >"$T/d.out" 2>"$T/d.err"
    rc=$?
    check "$f a directory: train --resume exits 2 (got $rc)" [ "$rc" -eq 2 ]
    check "$f a directory: the message names it as one" \
        grep -qE "$T/dirs/$f(:| is) .*directory" "$T/d.err"
    check "$f a directory: no epoch trained (metrics.csv keeps its 2)" \
        [ "$(wc -l <"$T/dirs/metrics.csv")" -eq 3 ]
done
rm -rf "$T/dirs"
cp -a "$run" "$T/dirs"
rm "$T/dirs/model.gtm"
mkdir "$T/dirs/model.gtm"
"$G" train --resume "$T/dirs" --epochs 3 >/dev/null 2>"$T/d.err"
check "model.gtm a directory: the message says what to do" \
    grep -qF "gradtop: $T/dirs/model.gtm is a directory: gradtop replaces it with a file; remove or rename it" \
    "$T/d.err"
# a sweep of 3 trials whose first 2 trained: a resume would train the third
for f in best.txt trials.csv trial; do
    rm -rf "$T/swdirs"
    cp -a "$T/nojournal" "$T/swdirs"
    sed -i 's/^trials = .*/trials = 3/' "$T/swdirs/space.txt"
    sed -i "s#$sweep#$T/swdirs#; s#$T/nojournal#$T/swdirs#" "$T/swdirs/trials.csv"
    name=$f
    if [ "$f" = trial ]; then
        # trial 1 killed after its first epoch: taken up again
        sed -i 's/^1,done,,2,2,/1,running,,1,2,/' "$T/swdirs/trials.csv"
        name=$(basename "$trial")/model.gtm
    fi
    rm "$T/swdirs/$name"
    mkdir "$T/swdirs/$name"
    timeout -s KILL 120 "$G" sweep --resume "$T/swdirs" >"$T/w.out" 2>"$T/w.err"
    rc=$?
    check "sweep's $name a directory: sweep --resume exits 2 (got $rc)" [ "$rc" -eq 2 ]
    check "sweep's $name a directory: the message names it as one" \
        grep -qE "$T/swdirs/$name(:| is) .*directory" "$T/w.err"
    check "sweep's $name a directory: no trial trained (no third trial's directory)" \
        [ "$(ls -d "$T"/swdirs/*-trial-* | wc -l)" -eq 2 ]
done

# ---- space.txt edited into options that do not go together ------------------
cp -a "$T/nojournal" "$T/pbt"
sed -i 's/^scheduler = .*/scheduler = pbt/; s/^pbt-interval = .*/pbt-interval = 2/' "$T/pbt/space.txt"
timeout -s KILL 120 "$G" sweep --resume "$T/pbt" >"$T/p.out" 2>"$T/p.err"
rc=$?
check "space.txt with pbt-interval = max-epochs: sweep --resume exits 2 (got $rc)" [ "$rc" -eq 2 ]
check "and the message names space.txt before the option" \
    grep -qF "gradtop: --resume: $T/pbt/space.txt: --pbt-interval 2: at least --max-epochs 2" "$T/p.err"

check_done
