#!/bin/sh
# End to end: a sweep directory's files work from any directory.  A sweep of
# a dataset named by a relative path writes it in space.txt and best.txt as
# config.txt does, by its absolute path: train --config best.txt and sweep
# --resume, run from another directory, read the same data; an older
# sweep's relative path is read as the file its trials trained on.
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

# A sweep written by a gradtop from before space.txt named files by their
# absolute path: its relative dataset path is the file its trials trained
# on (their config.txt name it), from wherever it is resumed, even where
# the same relative path names another file.
sed "s|^dataset = .*|dataset = data/flowers.csv|" "$sweep/space.txt" >"$T/space.old"
cp "$T/space.old" "$sweep/space.txt"
mkdir "$T/elsewhere/data"
cp datasets/wine.csv "$T/elsewhere/data/flowers.csv"
(cd "$T/elsewhere" && "$G" sweep --resume "$sweep" >"$T/d.out" 2>"$T/d.err")
check "an older sweep's relative dataset path resumes from another directory" [ $? -eq 0 ]
line=$(grep -n '^dataset = ' "$T/space.old" | cut -d: -f1)
check "and stderr names space.txt's line and column and the file read" \
    grep -qF "$sweep/space.txt:$line:11: dataset = data/flowers.csv, a relative path (from a gradtop before space.txt named files by absolute path): read as $T/data/flowers.csv, the file its trials trained on" "$T/d.err"
check "and ends with the sweep's result" \
    sh -c "grep '^result:' '$T/c.out' | sed 's/ run=.*//' >'$T/c.res' &&
           grep '^result:' '$T/d.out' | sed 's/ run=.*//' | cmp -s - '$T/c.res'"
check "and space.txt names it by its absolute path again" \
    grep -qx "dataset = $T/data/flowers.csv" "$sweep/space.txt"
# Without a trial that names the file, and no such file here: refused,
# naming the line and what to do, nothing written.
cp "$T/space.old" "$sweep/space.txt"
sed -i "s|^dataset = .*|dataset = ../nowhere/flowers.csv|" "$sweep/space.txt"
(cd "$T/elsewhere" && "$G" sweep --resume "$sweep" >"$T/e.out" 2>"$T/e.err")
check "a relative dataset path no trial names, not found here, exits 2" [ $? -eq 2 ]
check "naming space.txt's line and column and what to do" \
    grep -qF "$sweep/space.txt:$line:11: dataset = ../nowhere/flowers.csv: a relative path, read from the working directory ($T/elsewhere), where there is no such file, and no trial's config.txt names it: resume from the directory the sweep was started in, or write the file's absolute path on that line" "$T/e.err"
check "and leaves space.txt as it was" grep -qx "dataset = ../nowhere/flowers.csv" "$sweep/space.txt"

# Long paths (a trial's run directory near the 1023 bytes trials.csv's
# run column takes): the note for the dataset and the one for --test both
# come whole, the second once cut short in a buffer sized for shorter ones.
deep=$T
while [ ${#deep} -lt 900 ]; do deep=$deep/dddddddddddddddddddddddddddddddddddddddd; done
deep=$deep/$(printf "%*s" $((920 - ${#deep} - 1)) '' | tr ' ' e)
mkdir -p "$deep/data" "$deep/logs"
cp datasets/iris.csv "$deep/data/flowers.csv"
cp datasets/iris.csv "$deep/data/more-flowers-for-the-test-part-of-this-sweep-with-a-name-long-enough-to-matter-here.csv"
(cd "$deep" && "$G" sweep data/flowers.csv --test data/more-flowers-for-the-test-part-of-this-sweep-with-a-name-long-enough-to-matter-here.csv --space 'lr=loguniform(1e-3,1e-1)' \
    --trials 1 --max-epochs 1 --seed 3 --logdir "$deep/logs" >"$T/f.out" 2>"$T/f.err")
check "a sweep under a long path exits 0" [ $? -eq 0 ]
long=$(ls -d "$deep"/logs/*-flowers-sweep)
sed -i -e "s|^dataset = .*|dataset = data/flowers.csv|" -e "s|^test = .*|test = data/more-flowers-for-the-test-part-of-this-sweep-with-a-name-long-enough-to-matter-here.csv|" \
    "$long/space.txt"
tline=$(grep -n '^test = ' "$long/space.txt" | cut -d: -f1)
(cd "$T/elsewhere" && "$G" sweep --resume "$long" >"$T/g.out" 2>"$T/g.err")
check "resumed from elsewhere, it exits 0" [ $? -eq 0 ]
check "and stderr has the --test path's note whole, after the dataset's" \
    grep -qF "$long/space.txt:$tline:8: test = data/more-flowers-for-the-test-part-of-this-sweep-with-a-name-long-enough-to-matter-here.csv, a relative path (from a gradtop before space.txt named files by absolute path): read as $deep/data/more-flowers-for-the-test-part-of-this-sweep-with-a-name-long-enough-to-matter-here.csv, the file its trials trained on" "$T/g.err"

check_done
