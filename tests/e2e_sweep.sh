#!/bin/sh
# End to end: gradtop sweep headless.  A line per trial event and a result
# line naming the best trial; the sweep directory with a run directory per
# trial, space.txt, trials.csv and best.txt (which train loads with
# --config); the same trials and figures when run again; asha's rungs and
# pbt's exploits (journaled in the trial's run directory); the space from a
# --config file; SIGINT stops every trial, writes the files and exits 130,
# SIGQUIT the same with 131 (synchronised on the event lines read through a
# pipe); a malformed --space is a usage error naming the parameter and its
# column; --resume, after SIGINT and after SIGKILL.
set -u
E2E=e2e_sweep
# shellcheck source=tests/lib/check.sh
. tests/lib/check.sh

SPACE='lr=loguniform(1e-3,3e-1); batch-size=choice(8|16|32)'

# ---- headless lines, result line, files ------------------------------------
"$G" sweep iris --space "$SPACE" --trials 4 --max-epochs 3 --parallel 2 --seed 5 \
    --logdir "$T/a" >"$T/a.out" 2>"$T/a.err"
check "a sweep exits 0" [ $? -eq 0 ]
check "a start line per trial" [ "$(grep -c '^trial  *[0-9]* start ' "$T/a.out")" -eq 4 ]
check "an end line per trial" [ "$(grep -Ec '^trial  *[0-9]* (done|early_stopped) ' "$T/a.out")" -eq 4 ]
last=$(tail -n 1 "$T/a.out")
check "the last line is the result, naming the best trial and its configuration" \
    sh -c "echo '$last' | grep -Eq '^result: status=completed trials=4 epochs_total=12 best_trial=[0-3] config=lr=[0-9.e-]+;batch-size=(8|16|32) epochs=3 best_epoch=[1-3] loss=.* val_accuracy=[0-9.]+ run=.* sweep='"
sweep=$(ls -d "$T"/a/*-iris-sweep)
check "the sweep directory is LOGDIR/STAMP-iris-sweep" [ -d "$sweep" ]
for f in space.txt trials.csv best.txt; do check "it has $f" [ -s "$sweep/$f" ]; done
check "trials.csv: a header and a row per trial" [ "$(wc -l <"$sweep/trials.csv")" -eq 5 ]
check "each trial is a run directory with its files" \
    [ "$(ls "$sweep"/*-iris-trial-00[0-3]/metrics.csv | wc -l)" -eq 4 ]
check "train loads best.txt" "$G" train --config "$sweep/best.txt" --no-log --epochs 1 >/dev/null

# ---- the same again ----------------------------------------------------------
"$G" sweep iris --space "$SPACE" --trials 4 --max-epochs 3 --parallel 2 --seed 5 \
    --logdir "$T/b" >"$T/b.out" 2>&1
sweep_b=$(ls -d "$T"/b/*-iris-sweep)
# every column but the run directory
cut -d, -f1-13 "$sweep/trials.csv" >"$T/a.csv"
cut -d, -f1-13 "$sweep_b/trials.csv" >"$T/b.csv"
check "run again, the same trials, statuses and figures" cmp -s "$T/a.csv" "$T/b.csv"
# The lines of one trial come in a fixed order, those of different trials
# as they happen (at --parallel 2 one trial may end before or after the
# next starts, and several ending at once are told in the order they are
# collected): sorted stably by trial, every run prints the same lines.
for s in none median asha pbt; do
    for k in 1 2 3; do
        "$G" sweep iris --space "$SPACE" --trials 9 --max-epochs 6 --min-epochs 1 --eta 3 \
            --pbt-interval 2 --patience 0 --parallel 2 --seed 3 --scheduler $s --no-log |
            sort -s -n -k2,2 >"$T/order-$s-$k.out"
    done
    check "$s: sorted by trial, three runs print the same lines" \
        sh -c "grep -q '^result: status=completed trials=9 ' '$T/order-$s-1.out' &&
               cmp -s '$T/order-$s-1.out' '$T/order-$s-2.out' &&
               cmp -s '$T/order-$s-1.out' '$T/order-$s-3.out'"
done

# ---- asha and pbt ------------------------------------------------------------
"$G" sweep iris --space "$SPACE" --trials 9 --max-epochs 9 --parallel 2 --scheduler asha \
    --logdir "$T/asha" >"$T/asha.out" 2>&1
check "asha exits 0" [ $? -eq 0 ]
check "asha promotes" grep -q '^trial  *[0-9]* promoted      to rung 1 (epoch 3)' "$T/asha.out"
check "asha prunes" grep -q '^trial  *[0-9]* pruned ' "$T/asha.out"
check "a pruned trial's journal says why it stopped" \
    sh -c "grep -l \" stop stopped at the end of epoch [0-9]*: pruned by the sweep's asha rule\" '$T'/asha/*/*/journal.txt | grep -q ."
"$G" sweep iris --space "$SPACE" --trials 4 --max-epochs 6 --pbt-interval 2 --scheduler pbt \
    --logdir "$T/pbt" >"$T/pbt.out" 2>&1
check "pbt exits 0" [ $? -eq 0 ]
check "pbt exploits" grep -q '^trial  *[0-9]* exploit       trial [0-9]* at epoch 2 ' "$T/pbt.out"
check "an exploit is journaled in its trial's run directory" \
    sh -c "grep -l 'exploit: trial [0-9]*.s weights, optimizer state and hyperparameters' '$T'/pbt/*/*/journal.txt | grep -q ."

# ---- the space from a --config file -----------------------------------------
printf 'space = %s\ntrials = 2\nmax-epochs = 2\n' "$SPACE" >"$T/sweep.cfg"
"$G" sweep iris --config "$T/sweep.cfg" --no-log >"$T/cfg.out" 2>&1
check "a --config file holds the space" grep -q '^result: status=completed trials=2 ' "$T/cfg.out"
printf 'trials = 2\n# the space\nspace = lr=loguniform(1e-3,1e-1); layers=choice(8|16\n' >"$T/bad.cfg"
"$G" sweep iris --config "$T/bad.cfg" --no-log >/dev/null 2>"$T/badcfg.err"
check "a malformed space in a --config file exits 2" [ $? -eq 2 ]
printf '  space = "lr=loguniform(0,1)"\n' >"$T/bad2.cfg"
"$G" sweep iris --config "$T/bad2.cfg" --no-log >/dev/null 2>"$T/badcfg2.err"
check "indented and quoted, its column counts the indent and the quote" \
    grep -q "bad2.cfg:1: --space: 'lr' at column 26: loguniform needs a positive lower end, got 0" "$T/badcfg2.err"
"$G" sweep --resume "" >/dev/null 2>"$T/empty-resume.err"
check "--resume with an empty name exits 2" [ $? -eq 2 ]
check "saying so" grep -q "^gradtop sweep: --resume: an empty directory name" "$T/empty-resume.err"
# a directory with no space.txt (a sweep killed before it wrote its first
# file): what it is and what to do; a missing one, or a file: named so
mkdir -p "$T/no-space"
"$G" sweep --resume "$T/no-space" >/dev/null 2>"$T/no-space.err"
check "--resume of a directory without space.txt exits 2" [ $? -eq 2 ]
check "saying it has no space.txt and to run the sweep again" \
    grep -q "^gradtop sweep: --resume: .*/no-space has no space.txt: not a sweep directory, or one whose sweep was cut before it began (no trial had started: run the sweep again)" "$T/no-space.err"
# a space.txt without its space (a run's config.txt in its place, or the
# line removed): the file named, not the command line's --space
mkdir -p "$T/spaceless"
printf 'dataset = iris\nlayers = 8\n' >"$T/spaceless/space.txt"
"$G" sweep --resume "$T/spaceless" >/dev/null 2>"$T/spaceless.err"
check "--resume of a space.txt without a space exits 2" [ $? -eq 2 ]
check "naming the file and the line it lacks" \
    grep -q "^gradtop sweep: --resume: .*/spaceless/space.txt has no 'space = ...' line" "$T/spaceless.err"
"$G" sweep --resume "$T/not-there" >/dev/null 2>"$T/not-there.err"
check "--resume of a missing directory exits 2, naming it" \
    grep -q "^gradtop sweep: --resume: .*/not-there: No such file or directory" "$T/not-there.err"
"$G" sweep --resume "$T/no-space.err" >/dev/null 2>"$T/a-file.err"
check "--resume of a file says it is not a directory" \
    grep -q "^gradtop sweep: --resume: .*/no-space.err: not a directory" "$T/a-file.err"
"$G" sweep iris --space "$SPACE" --trials 2 --max-epochs 2 --no-log >/dev/full 2>"$T/full.err"
check "standard output on a full device exits 1" [ $? -eq 1 ]
check "naming the reason" grep -q "^gradtop: standard output: No space left on device" "$T/full.err"
# the column is the line's, where FILE:LINE sends the reader: the space
# starts at column 9 of 'space = ...', and ends at the space's column 45
check "naming the file and line, and the column in that line" \
    grep -q "^gradtop: $T/bad.cfg:3: --space: 'layers' at column 53: expected '|' or ')', got the end of the spec" "$T/badcfg.err"

# ---- a malformed --space ----------------------------------------------------
"$G" sweep iris --space 'lr=loguniform(1e-4,' --no-log >/dev/null 2>"$T/bad.err"
check "a malformed --space exits 2" [ $? -eq 2 ]
check "naming the parameter and its column" grep -q "^gradtop: --space: 'lr' at column 20: " "$T/bad.err"
"$G" sweep iris --space 'lr=loguniform(1e-4,1); momentum=uniform(0,2)' --no-log >/dev/null 2>"$T/bad2.err"
check "a range the option refuses exits 2" [ $? -eq 2 ]
check "naming it" grep -q "^gradtop: --space: 'momentum' at column " "$T/bad2.err"
"$G" sweep iris --no-log >/dev/null 2>"$T/none.err"
check "no --space exits 2" [ $? -eq 2 ]

# A choice among networks that cannot fit the data fails every trial that
# draws it: refused before any starts, naming the parameter and the value
# (it once failed those trials one by one, and the sweep exited 0).
"$G" sweep iris --space 'lr=uniform(0.01,0.1); loss=choice(cross_entropy|mse)' --trials 2 \
    --max-epochs 1 --no-log >"$T/loss.out" 2>"$T/loss.err"
check "a loss the data cannot take exits 2" [ $? -eq 2 ]
check "naming the parameter, its column and the value" \
    grep -q "^gradtop: --space: 'loss' at column 23: mse: --loss mse is for regression" "$T/loss.err"
check "and no trial started" [ ! -s "$T/loss.out" ]

# ---- memory, checked before the start; every trial diverged ----------------
"$G" sweep iris --space 'layers=choice(3000,3000|8)' --trials 400 --scheduler asha \
    --logdir "$T/mem" >"$T/mem.out" 2>"$T/mem.err"
check "a population too large for memory exits 1" [ $? -eq 1 ]
check "saying how much it needs" grep -q '^gradtop: out of memory: 400 trials open at once .* needs ' "$T/mem.err"
check "and nothing was made" [ ! -e "$T/mem" ]
"$G" sweep iris --space 'lr=choice(1e30|1e31)' --optimizer sgd --trials 2 --max-epochs 3 \
    --no-log >"$T/div.out" 2>&1
check "a sweep whose every trial diverged exits 3" [ $? -eq 3 ]
check "its result names no best trial" grep -q '^result: status=completed trials=2 epochs_total=0 best_trial=none' "$T/div.out"

# ---- SIGINT: every trial stops, the files are written, exit 130 -------------
# sweep_signalled SIG CODE NAME: a long sweep into $T/NAME gets SIG as its
# second trial starts; every trial stops after its batch, the files are
# written, and the sweep exits CODE.
sweep_signalled() {
    rm -f "$T/fifo"
    mkfifo "$T/fifo"
    # (timeout(1) only bounds a sweep that never prints its second start)
    timeout 300 "$G" sweep iris --space "$SPACE" --trials 8 --max-epochs 1000000 --patience 0 \
        --parallel 2 --logdir "$T/$3" >"$T/fifo" 2>"$T/$3.err" &
    pid=$!
    : >"$T/$3.out"
    while IFS= read -r line; do
        printf '%s\n' "$line" >>"$T/$3.out"
        case $line in
        "trial   1 start"*) kill -"$1" "$pid" ;;
        esac
    done <"$T/fifo"
    wait "$pid"
    rc=$?
    check "SIG$1 exits $2" [ "$rc" -eq "$2" ]
    check "SIG$1: the result line says stopped" grep -q '^result: status=stopped trials=2 ' "$T/$3.out"
    check "SIG$1: both trials stopped" [ "$(grep -c '^trial  *[01] stopped ' "$T/$3.out")" -eq 2 ]
    sd=$(ls -d "$T/$3"/*-iris-sweep)
    check "SIG$1: trials.csv lists them, stopped" [ "$(grep -c ',stopped,' "$sd/trials.csv")" -eq 2 ]
    check "SIG$1: their journals end with the result" \
        [ "$(grep -l ' result ' "$sd"/*-trial-00[01]/journal.txt | wc -l)" -eq 2 ]
    check "SIG$1: their journals say the sweep was stopped" \
        [ "$(grep -l ' stop stopped .*: the sweep was stopped$' "$sd"/*-trial-00[01]/journal.txt | wc -l)" -eq 2 ]
}
sweep_signalled INT 130 int
# SIGQUIT (Ctrl-\) stops it as SIGINT does, exit 131 (128 + 3) as on the
# sweep screen, where it dumped core with the trials' files half written
sweep_signalled QUIT 131 quit

# ---- --resume: the interrupted sweep goes on to the same end ------------------
# The trials.csv of an uninterrupted sweep, then the same sweep stopped by
# SIGINT after its third start and resumed: the same trials and figures.
med() {
    "$G" sweep digits --space "$SPACE" --trials 7 --max-epochs 30 --patience 0 --parallel 2 \
        --seed 2 --scheduler median --min-epochs 2 "$@"
}
med --logdir "$T/whole" >/dev/null 2>&1
check "an uninterrupted median sweep exits 0" [ $? -eq 0 ]
whole=$(ls -d "$T"/whole/*-sweep)
# med_signalled N SIG NAME: the median sweep into $T/NAME, sent SIG as its
# trial N starts; returns its exit status.  The signal goes to gradtop
# itself (a wrapper such as timeout would take a SIGKILL in its place and
# leave gradtop running); a watchdog bounds the wait instead.
med_signalled() {
    rm -f "$T/fifo"
    mkfifo "$T/fifo"
    "$G" sweep digits --space "$SPACE" --trials 7 --max-epochs 30 --patience 0 --parallel 2 \
        --seed 2 --scheduler median --min-epochs 2 --logdir "$T/$3" >"$T/fifo" 2>/dev/null &
    pid=$!
    # the watchdog holds none of the script's pipes, and its sleep ends with it
    (
        trap 'kill "$s" 2>/dev/null; exit 0' TERM
        sleep 300 &
        s=$!
        wait "$s" && kill -KILL "$pid"
    ) >/dev/null 2>&1 </dev/null &
    dog=$!
    while IFS= read -r line; do
        case $line in
        "trial   $1 start"*) kill -"$2" "$pid" ;;
        esac
    done <"$T/fifo"
    wait "$pid"
    st=$?
    kill "$dog" 2>/dev/null
    return $st
}
med_signalled 2 INT cut
check "the sweep to resume was interrupted (130)" [ $? -eq 130 ]
cut=$(ls -d "$T"/cut/*-sweep)
check "trials.csv says which trials were stopped" grep -q ',stopped,' "$cut/trials.csv"
# An option beside --resume is refused, named, with what to do instead.
cp "$cut/trials.csv" "$T/cut-given.csv"
"$G" sweep --resume "$cut" --parallel 4 >/dev/null 2>"$T/given.err"
check "--resume with another option exits 2" [ $? -eq 2 ]
check "naming the option, and how to run the sweep with it" \
    grep -qF "gradtop sweep: --parallel 4: --resume goes on with the sweep's own options, those its trials so far were made with ($cut/space.txt): give no others; to run it with other options, start a new sweep with --config $cut/space.txt and them" "$T/given.err"
check "leaving trials.csv as it was" cmp -s "$cut/trials.csv" "$T/cut-given.csv"
# --paused, which changes no trial, is taken beside --resume: headless,
# it is refused as for a new sweep, since no screen can resume it.
"$G" sweep --resume "$cut" --paused >/dev/null 2>"$T/paused.err"
check "--resume --paused headless exits 2" [ $? -eq 2 ]
check "saying --paused needs the sweep screen, not that --resume refuses it" \
    grep -qF "gradtop sweep: --paused needs the sweep screen to resume from" "$T/paused.err"
check "leaving trials.csv as it was (--paused)" cmp -s "$cut/trials.csv" "$T/cut-given.csv"
"$G" sweep --resume "$cut" >"$T/resumed.out" 2>"$T/resumed.err"
check "--resume exits 0" [ $? -eq 0 ]
cut -d, -f1-13 "$whole/trials.csv" >"$T/whole.csv"
cut -d, -f1-13 "$cut/trials.csv" >"$T/cut.csv"
check "resumed, the same trials, statuses and figures as uninterrupted" cmp -s "$T/whole.csv" "$T/cut.csv"
# Resumed where no file can be written (a file size limit of 0, so that
# every write fails with EFBIG, as on a full disk; its output goes through
# a pipe, which the limit spares): it says which file, exits 1, and its
# result line does not call the sweep completed.
cp "$cut/trials.csv" "$T/cut-before.csv"
{ (trap '' XFSZ; ulimit -f 0; exec "$G" sweep --resume "$cut" 2>&1); echo "exit $?"; } |
    cat >"$T/nowrite.out"
check "--resume where nothing can be written exits 1" grep -qx 'exit 1' "$T/nowrite.out"
check "saying the sweep's files could not be written, and which" \
    grep -q "^gradtop: writing the sweep's files failed: .*/space.txt: File too large" "$T/nowrite.out"
check "its result line says stopped, not completed" grep -q '^result: status=stopped ' "$T/nowrite.out"
check "and trials.csv is as it was" cmp -s "$cut/trials.csv" "$T/cut-before.csv"
# The same sweep interrupted, its directory moved, and resumed from another
# working directory: its trials.csv names the trials' runs where they were,
# and they are found where they are now (once, a finished trial read as 0
# epochs and an interrupted one with a checkpoint started over).
med_signalled 2 INT before
check "the sweep to move was interrupted (130)" [ $? -eq 130 ]
mv "$T/before" "$T/moved"
moved=$(ls -d "$T"/moved/*-sweep)
Gabs=$(cd "$(dirname "$G")" && pwd)/$(basename "$G")
(cd "$T/a" && "$Gabs" sweep --resume "$moved" >"$T/moved.out" 2>"$T/moved.err")
check "--resume of a moved sweep from another directory exits 0" [ $? -eq 0 ]
cut -d, -f1-13 "$moved/trials.csv" >"$T/moved.csv"
check "resumed where it was moved to, the same trials, statuses and figures as uninterrupted" \
    cmp -s "$T/whole.csv" "$T/moved.csv"
check "trials.csv names the trials' runs where they are now" \
    [ "$(grep -c ",$moved/" "$moved/trials.csv")" -eq 7 ]
check "and each of them is there" \
    sh -c "tail -n +2 '$moved/trials.csv' | awk -F, '{ print \$NF }' | while read -r d; do [ -d \"\$d\" ] || exit 1; done"
# The same sweep killed (SIGKILL: nothing written after it, and the trials'
# files are not fsynced as they are written, only at the sweep's fixed
# points) when its fourth trial starts, then resumed: the files it left are
# whole and lead to the same end.
med_signalled 3 KILL kill
check "the sweep to resume was killed (SIGKILL)" [ $? -eq 137 ]
killed=$(ls -d "$T"/kill/*-sweep)
"$G" sweep --resume "$killed" >"$T/kresumed.out" 2>"$T/kresumed.err"
check "--resume after SIGKILL exits 0" [ $? -eq 0 ]
cut -d, -f1-13 "$killed/trials.csv" >"$T/killed.csv"
check "resumed after SIGKILL, the same trials, statuses and figures as uninterrupted" \
    cmp -s "$T/whole.csv" "$T/killed.csv"
# A trial killed after its last epoch's checkpoint, before the sweep
# collected it (trials.csv still says running, as the kill above can leave
# it): --resume ends it with the checkpoint's result instead of refusing
# to train it further.
cp -r "$whole" "$T/ended"
awk -F, -v OFS=, 'NR > 1 && $1 == 2 { $2 = "running"; $4 = 3; $8 = $9 = $10 = $11 = "" } 1' \
    "$whole/trials.csv" >"$T/ended/trials.csv"
sed -i "s#$whole#$T/ended#g" "$T/ended/trials.csv"
"$G" sweep --resume "$T/ended" >"$T/ended.out" 2>&1
check "--resume of a trial that had trained to its end exits 0" [ $? -eq 0 ]
check "it is done, not failed" grep -q '^trial   2 done ' "$T/ended.out"
cut -d, -f1-13 "$T/ended/trials.csv" >"$T/ended.csv"
check "and trials.csv is the uninterrupted sweep's" cmp -s "$T/whole.csv" "$T/ended.csv"
# A trial interrupted after its third epoch whose run directory was then
# removed: --resume says so, naming the trial and the directory, before it
# trains it again from its first epoch, to the uninterrupted figures.
cp -r "$whole" "$T/gone"
awk -F, -v OFS=, 'NR > 1 && $1 == 2 { $2 = "stopped"; $4 = 3; $8 = $9 = $10 = $11 = "" } 1' \
    "$whole/trials.csv" >"$T/gone/trials.csv"
sed -i "s#$whole#$T/gone#g" "$T/gone/trials.csv"
gone=$(ls -d "$T"/gone/*-trial-002)
rm -r "$gone"
"$G" sweep --resume "$T/gone" >"$T/gone.out" 2>&1
check "--resume of a trial whose run directory is gone exits 0" [ $? -eq 0 ]
check "saying it starts over, naming the trial and the directory" \
    grep -qxF "trial   2 starts over   from epoch 1: its run is gone ($gone)" "$T/gone.out"
check "before the trial starts again" \
    sh -c "grep -n '^trial   2 st' '$T/gone.out' | head -n 1 | grep -q 'starts over'"
cut -d, -f1-13 "$T/gone/trials.csv" >"$T/gone.csv"
check "and trials.csv is the uninterrupted sweep's (gone)" cmp -s "$T/whole.csv" "$T/gone.csv"
# A trial interrupted in its first epoch, before any checkpoint (made so
# by hand: trials.csv says stopped at epoch 0, the checkpoint is gone):
# --resume trains it again from the first epoch in its own run directory,
# cut back to no epoch (it once started over in a new one beside it).
cp -r "$whole" "$T/nockpt"
awk -F, -v OFS=, 'NR > 1 && $1 == 2 { $2 = "stopped"; $4 = $6 = 0; $7 = $8 = $9 = $10 = $11 = "" } 1' \
    "$whole/trials.csv" >"$T/nockpt/trials.csv"
rm -f "$T"/nockpt/*-trial-002/checkpoint.gtm
"$G" sweep --resume "$T/nockpt" >"$T/nockpt.out" 2>&1
check "--resume of a trial with no checkpoint exits 0" [ $? -eq 0 ]
check "it trains again in its own run directory: one per trial" \
    [ "$(ls -d "$T"/nockpt/*-trial-* | wc -l)" -eq 7 ]
check "whose journal says it starts again" \
    grep -q ' rewind starts again from the first epoch' "$T"/nockpt/*-trial-002/journal.txt
check "whose metrics.csv has its epochs once" \
    [ "$(tail -n +2 "$T"/nockpt/*-trial-002/metrics.csv | cut -d, -f1 | sort -n | uniq -d | wc -l)" -eq 0 ]
cut -d, -f1-13 "$T/nockpt/trials.csv" >"$T/nockpt.csv"
check "and trials.csv is the uninterrupted sweep's" cmp -s "$T/whole.csv" "$T/nockpt.csv"
"$G" sweep --resume "$(ls -d "$T"/pbt/*-sweep)" >/dev/null 2>"$T/resume-pbt.err"
check "--resume of a pbt sweep exits 2" [ $? -eq 2 ]
check "saying how to start it again" grep -q -- '--config .*/space.txt' "$T/resume-pbt.err"
"$G" sweep --resume "$cut" --lr 0.1 >/dev/null 2>"$T/resume-opt.err"
check "--resume with other options is a usage error" [ $? -eq 2 ]
# asha on digits, stopped at its first rung line: the first round's trials
# wait at epoch 1 with their checkpoints; with this seed trial 1, the best
# of them, is promoted later and reopened from its checkpoint (so is any
# trial the signal catches with a checkpoint, however late it comes)
"$G" sweep digits --space "$SPACE" --trials 9 --max-epochs 9 --parallel 2 --seed 4 \
    --scheduler asha --logdir "$T/awhole" >/dev/null 2>&1
rm -f "$T/fifo"
mkfifo "$T/fifo"
timeout 300 "$G" sweep digits --space "$SPACE" --trials 9 --max-epochs 9 --parallel 2 --seed 4 \
    --scheduler asha --logdir "$T/acut" >"$T/fifo" 2>/dev/null &
pid=$!
signalled=0
while IFS= read -r line; do
    case $line in
    "trial "*" rung "*) [ "$signalled" -eq 0 ] && kill -INT "$pid" && signalled=1 ;;
    esac
done <"$T/fifo"
wait "$pid"
check "the asha sweep to resume was interrupted (130)" [ $? -eq 130 ]
acut=$(ls -d "$T"/acut/*-sweep)
cp -R "$acut" "$T/aedit" # for the edits of its settings below
"$G" sweep --resume "$acut" >"$T/aresumed.out" 2>&1
check "--resume of the asha sweep exits 0" [ $? -eq 0 ]
check "a trial stopped with a checkpoint is reopened from it" \
    grep -q '^trial  *[0-9]* resumed       at epoch [1-9]' "$T/aresumed.out"
cut -d, -f1-13 "$(ls -d "$T"/awhole/*-sweep)/trials.csv" >"$T/awhole.csv"
cut -d, -f1-13 "$acut/trials.csv" >"$T/acut.csv"
check "resumed asha, the same trials, statuses and figures as uninterrupted" \
    cmp -s "$T/awhole.csv" "$T/acut.csv"

# The interrupted asha sweep with a setting of its space.txt edited: none
# is in a trial's config.txt, and each was once taken, the sweep going on
# as another.  Refused, naming space.txt's line and column, the value the
# trials were made with (their journals record it) and what to do.
aedit=$T/aedit
cp "$aedit/space.txt" "$T/aedit-space.txt"
cp "$aedit/trials.csv" "$T/aedit-trials.csv"
edited() { # KEY FROM TO: refused, and the files left as they were
    cp "$T/aedit-space.txt" "$aedit/space.txt"
    sed -i "s/^$1 = $2\$/$1 = $3/" "$aedit/space.txt"
    line=$(grep -n "^$1 = " "$aedit/space.txt" | cut -d: -f1)
    "$G" sweep --resume "$aedit" >"$T/aedit.out" 2>"$T/aedit.err"
    check "--resume with $1 edited exits 2" [ $? -eq 2 ]
    check "naming space.txt's line and column, the setting and both values" \
        grep -qF "gradtop: $aedit/space.txt:$line:$((${#1} + 4)): $1 = $3, but this sweep's trials were made with $1 = $2 ($(ls -d "$aedit"/*-trial-000)/journal.txt:2): put back $1 = $2 to go on with the sweep, or start a new sweep with --config $aedit/space.txt to run it with the change" "$T/aedit.err"
    check "leaving trials.csv as it was ($1)" cmp -s "$aedit/trials.csv" "$T/aedit-trials.csv"
}
edited scheduler asha median
edited sampler random tpe
edited eta 3 2
edited budget 0 60
edited trials 9 12
edited seed 4 5
cp "$T/aedit-space.txt" "$aedit/space.txt"
sed -i 's/^parallel = 2$/parallel = 1/' "$aedit/space.txt"
line=$(grep -n '^parallel = ' "$aedit/space.txt" | cut -d: -f1)
"$G" sweep --resume "$aedit" >/dev/null 2>"$T/aedit.err"
check "--resume with parallel edited under asha exits 2" [ $? -eq 2 ]
check "naming the line, both counts and that asha decides by it" \
    grep -qF "gradtop: $aedit/space.txt:$line:12: parallel = 1, 1 trial at once, but this sweep trained 2 at once, which asha's decisions depend on (" "$T/aedit.err"
# cut at a line boundary, as a disk that filled may leave it: the
# settings it lacks would be read as their defaults
head -n -3 "$T/aedit-space.txt" >"$aedit/space.txt"
line=$(($(wc -l <"$aedit/space.txt") + 1))
"$G" sweep --resume "$aedit" >/dev/null 2>"$T/aedit.err"
check "--resume of a space.txt cut at a line boundary exits 2" [ $? -eq 2 ]
check "naming the first setting it lacks and where its line would be" \
    grep -qF "gradtop: $aedit/space.txt:$line:1: no 'min-epochs = ...' line (was space.txt cut short?), where this sweep's trials were made with min-epochs = 1 (" "$T/aedit.err"
check "leaving trials.csv as it was (cut)" cmp -s "$aedit/trials.csv" "$T/aedit-trials.csv"
# a sweep from a gradtop whose trials kept no record: taken as before
cp "$T/aedit-space.txt" "$aedit/space.txt"
sed -i 's/ run sweep trial with .*/ run sweep trial/' "$aedit"/*-trial-*/journal.txt
sed -i 's/^pbt-interval = 4$/pbt-interval = 3/' "$aedit/space.txt"
"$G" sweep --resume "$aedit" >"$T/aedit.out" 2>"$T/aedit.err"
check "--resume of a sweep whose trials kept no record exits 0" [ $? -eq 0 ]
cut -d, -f1-13 "$aedit/trials.csv" >"$T/aedit.csv"
check "and ends as the uninterrupted sweep" cmp -s "$T/awhole.csv" "$T/aedit.csv"

# a trials.csv cut in the middle of a row is named at its line
mkdir "$T/torn"
cp "$cut/space.txt" "$T/torn/"
cp -R "$cut"/*-trial-000 "$T/torn/" # the whole row's trial, whose run is read
head -n 2 "$cut/trials.csv" >"$T/torn/trials.csv"
sed -n 3p "$cut/trials.csv" | cut -c1-20 >>"$T/torn/trials.csv"
"$G" sweep --resume "$T/torn" >/dev/null 2>"$T/torn.err"
check "--resume of a torn trials.csv exits 2" [ $? -eq 2 ]
check "naming the file, line and column" grep -q "^gradtop: $T/torn/trials.csv:3:[0-9][0-9]*: " "$T/torn.err"
"$G" sweep --resume "$T/asha" >/dev/null 2>"$T/resume-nodir.err"
check "--resume of a directory without space.txt exits 2" [ $? -eq 2 ]

# ---- the event lines' columns ------------------------------------------------
# Each event's word, an end's status included, is padded to 13 columns (the
# longest status, early_stopped): what follows it starts in column 25 on
# every line.  (early_stopped overflowed a 9-wide column, its lines 4
# columns out of step with the others.)  Every output above, and an asha
# sweep with early stopping.
"$G" sweep iris --space "$SPACE" --trials 9 --max-epochs 9 --min-epochs 1 --eta 3 \
    --scheduler asha --patience 2 --parallel 1 --seed 3 --no-log >"$T/columns.out" 2>&1
check "an asha sweep with early stopping exits 0" [ $? -eq 0 ]
for w in start resumed 'starts over' 'rung 0' promoted pruned exploit 'done' early_stopped stopped; do
    check "the outputs have a '$w' line" \
        sh -c "cat '$T'/*.out | grep -q '^trial  *[0-9]* $w '"
done
misaligned() { awk '/^trial / && !(substr($0, 24, 1) == " " && substr($0, 25, 1) != " ")' "$@"; }
check "what follows each event's word starts in column 25: $(misaligned "$T"/*.out | head -n 3)" \
    [ -z "$(misaligned "$T"/*.out)" ]
# A sweep of 1000 trials or more numbers every line to its last trial's
# width, so that what follows the word is in one column there too (column
# 26 from 1000 to 9999 trials; "trial %3d" put trial 1000 on a column
# later than trial 999).
"$G" sweep iris --space "lr=loguniform(1e-3,3e-1)" --trials 1001 --max-epochs 1 --parallel 2 \
    --seed 1 --no-log >"$T/thousand.txt" 2>&1
check "a 1001-trial sweep exits 0" [ $? -eq 0 ]
check "its lines number trial 7 in 4 columns" grep -q '^trial    7 start ' "$T/thousand.txt"
check "and trial 1000 too" grep -q '^trial 1000 start ' "$T/thousand.txt"
misaligned4() { awk '/^trial / && !(substr($0, 25, 1) == " " && substr($0, 26, 1) != " ")' "$@"; }
check "what follows each word starts in column 26: $(misaligned4 "$T/thousand.txt" | head -n 3)" \
    [ -z "$(misaligned4 "$T/thousand.txt")" ]

# The best trial is the one with the best figure at its best epoch, as the
# screen ranks them and trials.csv's best column and best.txt give it, also
# under --no-restore-best, where a trial keeps its last epoch's weights and
# the result line's figures are theirs.  (The result and best.txt ranked by
# the last epoch's figures: here trial 3 while the screen and the best
# column named trial 2.)
"$G" sweep iris --space "lr=loguniform(1e-3,3e-1)" --trials 8 --max-epochs 20 --patience 3 \
    --no-restore-best --seed 4 --logdir "$T/norestore" >"$T/norestore.out" 2>&1
check "a sweep under --no-restore-best exits 0" [ $? -eq 0 ]
nr=$(ls -d "$T"/norestore/*-sweep)
by_best=$(awk -F, 'NR > 1 && $6 > 0 && (b == "" || $7 < b) { b = $7; i = $1 } END { print i }' "$nr/trials.csv")
by_last=$(awk -F, 'NR > 1 && $6 > 0 && (b == "" || $10 < b) { b = $10; i = $1 } END { print i }' "$nr/trials.csv")
check "this case ranks another trial first by the last epoch's val_loss ($by_last) than by the best ($by_best)" \
    [ "$by_best" != "$by_last" ]
check "the result names trial $by_best, the best val_loss in trials.csv: $(tail -n 1 "$T/norestore.out" | cut -c1-60)" \
    grep -q "^result: status=completed trials=8 epochs_total=[0-9]* best_trial=$by_best " "$T/norestore.out"
check "best.txt names trial $by_best too: $(head -n 1 "$nr/best.txt" | cut -c1-60)" \
    grep -q "^# the best trial of this sweep: trial $by_best " "$nr/best.txt"

check_done
