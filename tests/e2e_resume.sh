#!/bin/sh
# End to end: train --resume after a crash.  A run killed with SIGKILL
# (never a clean stop) at several points and resumed each time ends with
# every epoch in metrics.csv exactly once, in order; a resumed cosine
# schedule keeps its period; a run without checkpoint.gtm or model.gtm says
# that there is nothing to resume and how to start again, exit 2.
# Kills are synchronised on the epoch lines read through a pipe.
set -u
E2E=e2e_resume
# shellcheck source=tests/lib/check.sh
. tests/lib/check.sh

# kill_after N ARGS...: runs gradtop ARGS, reads its standard output through
# a pipe and kills it with SIGKILL once it has printed N epoch lines (a
# crash somewhere after epoch N: the pipe lets it run at most a pipe's
# buffer ahead).  Fails the check when it ended before that.
kill_after() {
    n=$1
    shift
    rm -f "$T/fifo"
    mkfifo "$T/fifo"
    "$G" "$@" >"$T/fifo" 2>>"$T/kill.err" &
    pid=$!
    seen=0
    while IFS= read -r line; do
        case $line in
        epoch*) seen=$((seen + 1)) ;;
        esac
        if [ "$seen" -ge "$n" ]; then
            kill -9 "$pid"
            break
        fi
    done <"$T/fifo"
    { wait "$pid"; } 2>/dev/null
    check "gradtop $* was killed after $n epochs" [ "$seen" -ge "$n" ]
}

# The epochs of metrics.csv's rows, one a line.
epochs_of() {
    tail -n +2 "$1/metrics.csv" | cut -d, -f1
}

kill_after 300 train datasets/iris.csv --lr 0.05 --patience 0 --epochs 100000 --logdir "$T/k"
run=$(ls -d "$T"/k/*)
check "the killed run has a checkpoint" [ -f "$run/checkpoint.gtm" ]
kill_after 100 train --resume "$run" --epochs 100000
kill_after 100 train --resume "$run" --epochs 100000
last=$(epochs_of "$run" | tail -n 1)
total=$((last + 20))
timeout 120 "$G" train --resume "$run" --epochs "$total" >"$T/final.out" 2>"$T/final.err"
check "the last resume exits 0" [ $? -eq 0 ]
check "and ends with epoch $total of $total" grep -q "^result: status=completed epochs=$total " "$T/final.out"
seq 1 "$total" >"$T/want"
epochs_of "$run" >"$T/got"
check "metrics.csv has epochs 1 to $total, each once, in order" cmp -s "$T/want" "$T/got"
check "the journal says what each resume cut back" \
    [ "$(grep -c ' rewind goes on from the end of epoch ' "$run/journal.txt")" -eq 3 ]

# A cosine schedule over "the run's epochs" keeps the period the run began
# with: more --epochs on resume do not move the rate back up.
timeout 120 "$G" train datasets/iris.csv --lr 0.05 --lr-schedule cosine --epochs 20 \
    --patience 0 --logdir "$T/cos" >/dev/null 2>&1
crun=$(ls -d "$T"/cos/*)
timeout 120 "$G" train --resume "$crun" --epochs 40 >/dev/null 2>&1
check "the cosine run resumes" [ $? -eq 0 ]
lr20=$(sed -n 's/^20,.*,\([^,]*\)$/\1/p' "$crun/metrics.csv")
lr21=$(sed -n 's/^21,.*,\([^,]*\)$/\1/p' "$crun/metrics.csv")
check "epoch 21's rate ($lr21) is not above epoch 20's ($lr20)" \
    awk -v a="$lr20" -v b="$lr21" 'BEGIN { exit !(a != "" && b != "" && b + 0 <= a + 0) }'
check "config.txt records the period" grep -q '^cosine-epochs = 20$' "$crun/config.txt"

# An early-stopped run, resumed, trains on: its patience count starts anew
# (the checkpoint's count has run out).
timeout 120 "$G" train datasets/iris.csv --lr 0.05 --patience 5 --epochs 2000 \
    --logdir "$T/es" >"$T/es.out" 2>/dev/null
esrun=$(ls -d "$T"/es/*)
stopped=$(sed -n 's/^result: status=early_stopped epochs=\([0-9]*\) .*/\1/p' "$T/es.out")
check "an iris run stops early (after '$stopped' epochs)" [ -n "$stopped" ]
timeout 120 "$G" train --resume "$esrun" --epochs 4000 >"$T/es2.out" 2>/dev/null
resumed=$(sed -n 's/^result: .* epochs=\([0-9]*\) .*/\1/p' "$T/es2.out")
check "resumed, it runs at least 5 more epochs ($stopped -> $resumed)" \
    [ "${resumed:-0}" -ge "$((${stopped:-0} + 5))" ]

# A run whose checkpoint.gtm and model.gtm are gone (a full disk refused
# them, or they were removed) has nothing to resume, and says which.
timeout 120 "$G" train datasets/iris.csv --epochs 3 --logdir "$T/none" >/dev/null 2>&1
nrun=$(ls -d "$T"/none/*)
rm -f "$nrun/checkpoint.gtm" "$nrun/model.gtm"
timeout 60 "$G" train --resume "$nrun" --epochs 5 >/dev/null 2>"$T/none.err"
check "resuming it exits 2" [ $? -eq 2 ]
check "and says why and what to do" \
    grep -q "nothing to resume: metrics.csv has 3 epochs, but there is neither checkpoint.gtm nor model.gtm.*gradtop train --config $nrun/config.txt" "$T/none.err"

# A network option edited by hand in config.txt is refused: the resume
# would train the saved network while config.txt named another.
timeout 120 "$G" train datasets/iris.csv --layers 8 --epochs 3 --logdir "$T/hand" >/dev/null 2>&1
hrun=$(ls -d "$T"/hand/*)
cp "$hrun/config.txt" "$T/hand.config"
sed 's/^layers = 8$/layers = 16,4/' "$T/hand.config" >"$hrun/config.txt"
timeout 60 "$G" train --resume "$hrun" --epochs 5 >"$T/hand.out" 2>"$T/hand.err"
check "layers edited in config.txt: resuming exits 2" [ $? -eq 2 ]
check "and names config.txt and both networks" grep -qF \
    "gradtop: --resume: $hrun/config.txt: layers = 16,4, but $hrun/checkpoint.gtm was saved with layers = 8: config.txt was edited by hand, and a resumed run keeps the network it saved; put back layers = 8, or start a new run with gradtop train --config $hrun/config.txt" "$T/hand.err"
check "and trains nothing" [ ! -s "$T/hand.out" ]
check "and leaves config.txt as it found it" grep -q '^layers = 16,4$' "$hrun/config.txt"
sed 's/^activation = relu$/activation = tanh/' "$T/hand.config" >"$hrun/config.txt"
timeout 60 "$G" train --resume "$hrun" --epochs 5 >/dev/null 2>"$T/hand.err"
check "activation edited in config.txt is refused too" grep -qF \
    "config.txt: activation = tanh, but $hrun/checkpoint.gtm was saved with activation = relu" "$T/hand.err"
cp "$T/hand.config" "$hrun/config.txt"
timeout 60 "$G" train --resume "$hrun" --epochs 5 >"$T/hand.out" 2>/dev/null
check "put back, the run resumes" grep -q "^result: status=completed epochs=5 " "$T/hand.out"

# A run whose checkpoint.gtm is gone but whose model.gtm is there goes on
# from model.gtm, and says so on stderr: from which weights, and what went
# with the checkpoint (a run from before checkpoints resumes the same way).
timeout 120 "$G" train datasets/iris.csv --lr 0.05 --patience 0 --epochs 10 \
    --logdir "$T/nock" >"$T/nock.out" 2>/dev/null
mrun=$(ls -d "$T"/nock/*)
best=$(sed -n 's/^result: .* best_epoch=\([0-9]*\) .*/\1/p' "$T/nock.out")
cp "$mrun/model.gtm" "$T/model10.gtm"
# resume_bare RUN EPOCHS ERR [OPTION...]: train --resume RUN without its
# checkpoint.gtm, stderr to ERR; it must exit 0.
resume_bare() {
    r=$1 e=$2 err=$3
    shift 3
    rm "$r/checkpoint.gtm"
    timeout 60 "$G" train --resume "$r" --epochs "$e" "$@" >/dev/null 2>"$err"
    check "resuming $r without checkpoint.gtm to epoch $e exits 0" [ $? -eq 0 ]
}
resume_bare "$mrun" 12 "$T/nock.err"
check "and says it goes on from model.gtm" grep -qF \
    "gradtop: --resume: $mrun has no checkpoint.gtm (removed, or never written: its writes failed, or the run is from before checkpoints), so it goes on from model.gtm: " "$T/nock.err"
if [ "${best:-0}" -lt 10 ]; then
    check "the kept weights of epoch $best, numbered as epoch 10" grep -qF \
        "the kept weights, of epoch $best, as the end of epoch 10, with epoch 10's optimizer state. Lost with the checkpoint: epoch 10's weights, the data order" "$T/nock.err"
else
    check "the weights of epoch 10" grep -qF \
        "the weights of epoch 10 and their optimizer state. Lost with the checkpoint: the data order" "$T/nock.err"
fi
check "and the patience count" grep -qF \
    "the data order and the random generators (they start again as in the first epoch), the early-stopping patience count (from 0)" "$T/nock.err"
# model.gtm behind metrics.csv (saved at epoch 10 of 12): the epochs after
# it are cut, and said to be.
cp "$T/model10.gtm" "$mrun/model.gtm"
resume_bare "$mrun" 14 "$T/nock2.err"
check "and says epochs 11-12 are lost" grep -qF \
    "epochs 11-12 (metrics.csv is cut back to epoch 10), the data order" "$T/nock2.err"
seq 1 14 >"$T/want"
epochs_of "$mrun" >"$T/got"
check "metrics.csv has epochs 1 to 14, each once, in order" cmp -s "$T/want" "$T/got"
# With its checkpoint (written again since), a resume says nothing of the kind.
timeout 60 "$G" train --resume "$mrun" --epochs 15 >/dev/null 2>"$T/ck.err"
check "a resume from checkpoint.gtm exits 0" [ $? -eq 0 ]
check "and says nothing of model.gtm" [ "$(grep -c 'model.gtm' "$T/ck.err")" -eq 0 ]
# --no-restore-best: model.gtm has the last epoch's weights; the best
# epoch is not found again.
timeout 120 "$G" train datasets/iris.csv --lr 0.05 --patience 0 --epochs 6 --no-restore-best \
    --logdir "$T/nobest" >/dev/null 2>&1
brun=$(ls -d "$T"/nobest/*)
resume_bare "$brun" 8 "$T/nobest.err"
check "--no-restore-best: the weights of epoch 6, the best epoch lost" grep -qF \
    "so it goes on from model.gtm: the weights of epoch 6 and their optimizer state. Lost with the checkpoint: the data order and the random generators (they start again as in the first epoch), the best epoch and the early-stopping patience count (from 0)" "$T/nobest.err"
# Another optimizer does not take model.gtm's state.
resume_bare "$brun" 10 "$T/sgd.err" --optimizer sgd
check "another --optimizer: a fresh optimizer state" grep -qF \
    "the weights of epoch 8, with a fresh optimizer state. Lost with the checkpoint:" "$T/sgd.err"

# Hyperparameters given with --resume change the run from the resume on:
# the journal says so at that step, as it does a change made while the
# run trained, and view's run list marks the option changed.
timeout 60 "$G" train datasets/iris.csv --lr 0.01 --epochs 3 --logdir "$T/given" >/dev/null 2>&1
grun=$(ls -d "$T"/given/*)
timeout 60 "$G" train --resume "$grun" --epochs 5 --lr 0.05 --batch-size 16 --dropout 0 \
    >/dev/null 2>&1
check "a resume with --lr 0.05 --batch-size 16 completes" [ $? -eq 0 ]
check "the journal has the change at the resume's step, and only what changed" grep -q \
    ' step=12 epoch=3 change lr 0.01 -> lr 0.05, batch_size 32 -> 16 (given to train --resume)$' \
    "$grun/journal.txt"
timeout 60 "$G" train --resume "$grun" --epochs 6 >/dev/null 2>&1
check "a resume that changes nothing journals no change" \
    [ "$(grep -c ' change ' "$grun/journal.txt")" -eq 1 ]

check_done
