#!/bin/sh
# End to end: a sweep directory's files work from any directory.  A sweep of
# a dataset named by a relative path writes it in space.txt and best.txt as
# config.txt does, by its absolute path: train --config best.txt and sweep
# --resume, run from another directory, read the same data.
set -u
E2E=e2e_sweepdir
# shellcheck source=tests/lib/check.sh
. tests/lib/check.sh
case $G in /*) ;; *) G=$PWD/$G ;; esac

mkdir "$T/data" "$T/elsewhere"
cp datasets/iris.csv "$T/data/flowers.csv"
(cd "$T" && "$G" sweep data/flowers.csv --space 'lr=loguniform(1e-3,1e-1)' --trials 2 \
    --max-epochs 2 --parallel 2 --seed 3 --logdir "$T/runs" >"$T/a.out" 2>"$T/a.err")
check "a sweep of a dataset named by a relative path exits 0" [ $? -eq 0 ]
sweep=$(ls -d "$T"/runs/*-flowers-sweep)
for f in space.txt best.txt; do
    check "$f names the dataset by its absolute path" \
        grep -qx "dataset = $T/data/flowers.csv" "$sweep/$f"
done
(cd "$T/elsewhere" && "$G" train --config "$sweep/best.txt" --no-log >"$T/b.out" 2>"$T/b.err")
check "train --config best.txt from another directory exits 0" [ $? -eq 0 ]
check "and trains the best trial's configuration to its figures" \
    sh -c "grep '^result:' '$T/b.out' | grep -o 'best_epoch=.*val_accuracy=[0-9.]*' >'$T/b.fig' &&
           grep '^result:' '$T/a.out' | grep -o 'best_epoch=.*val_accuracy=[0-9.]*' |
           cmp -s - '$T/b.fig'"
(cd "$T/elsewhere" && "$G" sweep --resume "$sweep" >"$T/c.out" 2>"$T/c.err")
check "sweep --resume from another directory exits 0" [ $? -eq 0 ]
check "and ends with the sweep's result" grep -q '^result: status=completed trials=2 ' "$T/c.out"

check_done
