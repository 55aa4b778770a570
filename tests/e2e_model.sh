#!/bin/sh
# End to end: a run's model.gtm with eval and predict.  eval --part val must
# give exactly the validation figures training reported for the kept weights;
# predict writes one row per input row, labeled or not, with gaps or not,
# from a file or a pipe; a header matches columns by name; bad model files
# and mismatched data are refused with exit 2; output that can't be written
# exits 1.
set -u
E2E=e2e_model
# shellcheck source=tests/lib/check.sh
. tests/lib/check.sh

timeout 120 "$G" train datasets/iris.csv --lr 0.01 --epochs 40 --logdir "$T/runs" >"$T/train.out" 2>"$T/train.err"
check "train exits 0" [ $? -eq 0 ]
run=$(sed -n 's/.* run=\([^ ]*\).*/\1/p' "$T/train.out")
check "result line names the run" [ -n "$run" ]
check "model.gtm written" [ -f "$run/model.gtm" ]
val_loss=$(sed -n 's/.* val_loss=\([^ ]*\).*/\1/p' "$T/train.out")
val_acc=$(sed -n 's/.* val_accuracy=\([^ ]*\).*/\1/p' "$T/train.out")

timeout 60 "$G" eval --model "$run/model.gtm" datasets/iris.csv --part val >"$T/eval.out" 2>&1
check "eval exits 0" [ $? -eq 0 ]
check "eval --part val reproduces val_loss $val_loss and val_accuracy $val_acc" \
    grep -q "^result: rows=30 loss=$val_loss accuracy=$val_acc\$" "$T/eval.out"
check "eval prints per-class precision and recall" grep -q "^  setosa " "$T/eval.out"

timeout 60 "$G" predict --model "$run/model.gtm" datasets/iris.csv -o "$T/pred.csv" 2>/dev/null
check "predict exits 0" [ $? -eq 0 ]
check "predict writes a header and one row per input row" [ "$(wc -l <"$T/pred.csv")" -eq 151 ]
check "predict header names class probabilities" \
    grep -q "^prediction,p_setosa,p_versicolor,p_virginica\$" "$T/pred.csv"
check "no temporary file left" [ -z "$(ls "$T" | grep tmp)" ]

cut -d, -f1-4 datasets/iris.csv >"$T/features.csv"
timeout 60 "$G" predict --model "$run/model.gtm" "$T/features.csv" >"$T/unl.out" 2>&1
check "predict accepts data without a label column" [ $? -eq 0 ]
check "unlabeled predictions match labeled ones" \
    [ "$(sed -n 2p "$T/unl.out")" = "$(sed -n 2p "$T/pred.csv")" ]

timeout 60 "$G" eval --model datasets/iris.csv datasets/iris.csv >/dev/null 2>"$T/bad.err"
check "a foreign file as model exits 2" [ $? -eq 2 ]
check "the message names the file" grep -q "datasets/iris.csv: not a gradtop model" "$T/bad.err"
head -c 100 "$run/model.gtm" >"$T/trunc.gtm"
timeout 60 "$G" eval --model "$T/trunc.gtm" datasets/iris.csv >/dev/null 2>&1
check "a truncated model exits 2" [ $? -eq 2 ]
timeout 60 "$G" eval --model "$run/model.gtm" datasets/wine.csv >/dev/null 2>"$T/mis.err"
check "data with other columns exits 2" [ $? -eq 2 ]
check "the mismatch is explained" grep -q "feature columns" "$T/mis.err"

timeout 120 "$G" train datasets/diabetes.csv --epochs 10 --logdir "$T/runs" >"$T/reg.out" 2>/dev/null
rrun=$(sed -n 's/.* run=\([^ ]*\).*/\1/p' "$T/reg.out")
vmae=$(sed -n 's/.* val_mae=\([^ ]*\).*/\1/p' "$T/reg.out")
timeout 60 "$G" eval --model "$rrun/model.gtm" datasets/diabetes.csv --part val >"$T/reval.out" 2>&1
check "regression eval reproduces val_mae $vmae" grep -q " mae=$vmae " "$T/reval.out"
timeout 60 "$G" predict --model "$rrun/model.gtm" datasets/diabetes.csv >"$T/rpred.out" 2>/dev/null
first=$(sed -n 2p "$T/rpred.out")
check "regression predictions are in the label's units (50..400): $first" \
    awk -v v="$first" 'BEGIN { exit !(v > 50 && v < 400) }'

# A class the model never saw: eval refuses it, naming how many rows and the
# first; predict needs no labels and predicts every row.
{
    head -n 4 datasets/iris.csv
    sed -n 5p datasets/iris.csv | sed 's/,[a-z]*$/,unknownspecies/'
} >"$T/unseen.csv"
timeout 60 "$G" eval --model "$run/model.gtm" "$T/unseen.csv" >/dev/null 2>"$T/unseen.err"
check "eval with an unseen class exits 2" [ $? -eq 2 ]
check "and names the class, its rows and the first one" \
    grep -q "class 'unknownspecies' (1 row, the first is data row 4)" "$T/unseen.err"
timeout 60 "$G" predict --model "$run/model.gtm" "$T/unseen.csv" >"$T/unseen.out" 2>&1
check "predict with an unseen class in the label column exits 0" [ $? -eq 0 ]
check "and predicts all 4 rows" [ "$(wc -l <"$T/unseen.out")" -eq 5 ]
# An empty or NA label column is skipped unread too (new data to score).
{ head -n 1 datasets/iris.csv; sed -n '2,3p' datasets/iris.csv | sed 's/,[^,]*$/,/';
  sed -n '4p' datasets/iris.csv | sed 's/,[^,]*$/,NA/'; } >"$T/empty.csv"
timeout 60 "$G" predict --model "$run/model.gtm" "$T/empty.csv" >"$T/empty.out" 2>&1
check "predict with an empty label column exits 0" [ $? -eq 0 ]
timeout 60 "$G" predict --model "$run/model.gtm" datasets/iris.csv >"$T/pred2.csv" 2>/dev/null
# (the classes: the last digit of a probability moves with the batch's size)
check "and predicts its 3 rows' classes as for the labeled ones" \
    sh -c '[ "$(sed -n 2,4p "$1" | cut -d, -f1)" = "$(sed -n 2,4p "$2" | cut -d, -f1)" ] &&
           [ "$(wc -l <"$1")" -eq 4 ]' sh "$T/empty.out" "$T/pred2.csv"
# eval on data without the label column says so
timeout 60 "$G" eval --model "$run/model.gtm" "$T/features.csv" >/dev/null 2>"$T/nolab.err"
check "eval without the label column exits 2" [ $? -eq 2 ]
check "and says the label column 'species' seems missing" \
    grep -q "the label column 'species', which the file seems to lack" "$T/nolab.err"

# predict gives one output row per input row.  A missing value under
# --missing drop: the row's output is empty ("" and empty probabilities)
# and a warning names the file and line; the model's stored options saying
# drop do the same.  Under --missing mean the row is predicted with the
# training data's means, not this file's.
printf 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n4.9,,1.4,0.2\n6.3,3.3,6.0,2.5\n' >"$T/pmiss.csv"
timeout 60 "$G" predict --model "$run/model.gtm" "$T/pmiss.csv" --missing drop >"$T/pmiss.out" 2>"$T/pmiss.err"
check "predict --missing drop exits 0" [ $? -eq 0 ]
check "and writes 3 rows for 3 (and a header)" [ "$(wc -l <"$T/pmiss.out")" -eq 4 ]
check "the row with a gap is empty" [ "$(sed -n 3p "$T/pmiss.out")" = '"",,,' ]
# The first row is datasets/iris.csv's first: the same class, and the same
# probabilities but for rounding (a BLAS may round a row's products
# otherwise in a 3-row batch than in a 150-row one: OpenBLAS's AVX-512
# kernels move the sixth digit).
same_prediction() {
    awk -F, -v a="$(sed -n 2p "$1")" -v b="$(sed -n 2p "$2")" 'BEGIN {
        n = split(a, x, ","); if (n != split(b, y, ",") || x[1] != y[1]) exit 1
        for (i = 2; i <= n; i++) {
            d = x[i] - y[i]; if (d < 0) d = -d
            m = y[i] < 0 ? -y[i] : y[i]
            if (d > 1e-5 * m + 1e-12) exit 1
        }
    }'
}
check "the others are predicted in order" \
    sh -c '[ "$(sed -n 4p "$1" | cut -d, -f1)" = virginica ]' sh "$T/pmiss.out"
check "the first as in the whole file, to rounding" same_prediction "$T/pmiss.out" "$T/pred.csv"
check "a warning names the file, line and column" \
    grep -q "pmiss.csv:3: no prediction for this row: column 'sepal_width' is missing" "$T/pmiss.err"
timeout 60 "$G" predict --model "$run/model.gtm" "$T/pmiss.csv" --missing drop -o "$T/pmiss-o.csv" 2>"$T/pmiss-o.err"
check "-o says how many rows were left empty" \
    grep -q "wrote 3 rows to .*pmiss-o.csv: 2 predictions, 1 left empty" "$T/pmiss-o.err"
timeout 120 "$G" train datasets/iris.csv --lr 0.01 --epochs 5 --missing drop --logdir "$T/drop" >"$T/drop.out" 2>/dev/null
drun=$(sed -n 's/.* run=\([^ ]*\).*/\1/p' "$T/drop.out")
timeout 60 "$G" predict --model "$drun/model.gtm" "$T/pmiss.csv" >"$T/pmiss2.out" 2>/dev/null
check "a model trained with --missing drop predicts 3 rows too" \
    sh -c '[ "$(wc -l <"$1")" -eq 4 ] && [ "$(sed -n 3p "$1")" = "\"\",,," ]' sh "$T/pmiss2.out"
# mean: the training means of iris (sepal_width 3.0573333), whatever this
# file's own mean (here 50.25)
printf 'sepal_length,sepal_width,petal_length,petal_width\n4.9,,1.4,0.2\n6.3,100,6.0,2.5\n4.9,0.5,1.4,0.2\n4.9,3.0573333,1.4,0.2\n' >"$T/pmean.csv"
timeout 60 "$G" predict --model "$run/model.gtm" "$T/pmean.csv" --missing mean >"$T/pmean.out" 2>&1
check "predict --missing mean exits 0 with 4 rows" [ "$(wc -l <"$T/pmean.out")" -eq 5 ]
check "a gap is filled with the training mean" \
    awk -F, 'NR == 2 { split($0, a) } NR == 5 { for (i = 2; i <= 4; i++) if ((a[i] - $i) ^ 2 > 1e-10) exit 1 }' \
        "$T/pmean.out"
# eval may drop rows, and says how many.
{ head -n 3 datasets/iris.csv; sed -n 4p datasets/iris.csv | sed 's/^\([^,]*\),[^,]*,/\1,NA,/';
  sed -n '5,151p' datasets/iris.csv; } >"$T/emiss.csv"
timeout 60 "$G" eval --model "$run/model.gtm" "$T/emiss.csv" --missing drop >"$T/emiss.out" 2>"$T/emiss.err"
check "eval --missing drop exits 0" [ $? -eq 0 ]
check "eval says how many rows it dropped" grep -q "149 rows; 1 with missing values dropped" "$T/emiss.out"
check "its result line too" grep -q "^result: rows=149 dropped=1 loss=" "$T/emiss.out"
check "and stderr warns" grep -q "emiss.csv: 1 row with missing values dropped" "$T/emiss.err"

# A header matches columns by name: the model's features in another order
# give the same predictions; a name the model does not know is refused.
cut -d, -f1-4 datasets/iris.csv | awk -F, -v OFS=, '{ print $4, $3, $2, $1 }' >"$T/reord.csv"
timeout 60 "$G" predict --model "$run/model.gtm" "$T/reord.csv" >"$T/reord.out" 2>&1
check "predict with reordered columns exits 0" [ $? -eq 0 ]
check "and predicts as for the columns in order" cmp -s "$T/reord.out" "$T/unl.out"
awk -F, -v OFS=, '{ print $5, $4, $3, $2, $1 }' datasets/iris.csv >"$T/reordl.csv"
timeout 60 "$G" eval --model "$run/model.gtm" "$T/reordl.csv" >"$T/reordl.out" 2>&1
timeout 60 "$G" eval --model "$run/model.gtm" datasets/iris.csv >"$T/inorder.out" 2>&1
check "eval with the label first and features reversed scores as in order" \
    [ "$(grep '^result:' "$T/reordl.out")" = "$(grep '^result:' "$T/inorder.out")" ]
sed '1s/petal_length/petal_lenght/' "$T/reord.csv" >"$T/typo.csv"
timeout 60 "$G" predict --model "$run/model.gtm" "$T/typo.csv" >/dev/null 2>"$T/typo.err"
check "a column name the model does not know exits 2" [ $? -eq 2 ]
check "naming the file, the column and the expected name" \
    grep -q "typo.csv:1:2: column 'petal_lenght' is not a feature of the model; the model expects 'petal_length'" "$T/typo.err"
timeout 60 "$G" eval --model "$run/model.gtm" "$T/typo.csv" >/dev/null 2>&1
check "eval refuses it too" [ $? -eq 2 ]
tail -n +2 "$T/features.csv" >"$T/nohead.csv"
timeout 60 "$G" predict --model "$run/model.gtm" "$T/nohead.csv" >"$T/nohead.out" 2>&1
check "without a header, columns are taken by position" \
    [ "$(sed -n 2p "$T/nohead.out")" = "$(sed -n 2p "$T/unl.out")" ]

# Data from a pipe, with or without its label column.
cat "$T/features.csv" | timeout 60 "$G" predict --model "$run/model.gtm" /dev/stdin >"$T/stdin.out" 2>&1
check "predict reads a pipe" cmp -s "$T/stdin.out" "$T/unl.out"
cat datasets/iris.csv | timeout 60 "$G" predict --model "$run/model.gtm" /dev/stdin >"$T/stdinl.out" 2>&1
check "predict reads a pipe with the label column" \
    [ "$(cut -d, -f1 "$T/stdinl.out")" = "$(cut -d, -f1 "$T/unl.out")" ]

# Standard output that can't be written: exit 1, saying why.
timeout 60 "$G" eval --model "$run/model.gtm" datasets/iris.csv >/dev/full 2>"$T/full.err"
check "eval that can't write its output exits 1" [ $? -eq 1 ]
check "and says why" grep -q "^gradtop: standard output: No space left on device\$" "$T/full.err"
timeout 60 "$G" predict --model "$run/model.gtm" datasets/iris.csv >/dev/full 2>"$T/full2.err"
check "so does predict" [ $? -eq 1 ]

# Class names that need CSV quoting or escaping: predict's CSV stays valid
# CSV, eval's table shows the newline escaped.
{ echo 'a,b,label'; i=0; while [ $i -lt 40 ]; do
      if [ $((i % 2)) -eq 0 ]; then echo "$i,1,\"y"; echo "z\""; else echo "-$i,0,\"a,b\""; fi
      i=$((i + 1)); done; } >"$T/odd.csv"
timeout 120 "$G" train "$T/odd.csv" --epochs 3 --logdir "$T/odd" >"$T/odd.out" 2>/dev/null
orun=$(sed -n 's/.* run=\([^ ]*\).*/\1/p' "$T/odd.out")
timeout 60 "$G" predict --model "$orun/model.gtm" "$T/odd.csv" >"$T/oddp.out" 2>&1
check "predict quotes class names in its header" \
    [ "$(head -n 2 "$T/oddp.out")" = "$(printf 'prediction,"p_a,b","p_y\nz"')" ]
check "and its 40 rows start with a quoted class name" \
    [ "$(grep -c '^"\(a,b\|y\)' "$T/oddp.out")" -eq 40 ]
timeout 60 "$G" eval --model "$orun/model.gtm" "$T/odd.csv" >"$T/odde.out" 2>&1
check "eval's table shows the newline escaped" grep -q '^  y\\nz  ' "$T/odde.out"
check "and no line of the table starts with the rest of a name" sh -c '! grep -q "^z" "$1"' sh "$T/odde.out"

# train --resume: continues the run from its model and optimizer state and
# appends to its files.
timeout 120 "$G" train --resume "$run" --epochs 45 >"$T/resume.out" 2>/dev/null
check "resume exits 0" [ $? -eq 0 ]
check "resume continues with epoch 41" grep -q "^epoch 41/45 " "$T/resume.out"
check "resume reports 45 epochs in all" grep -q "^result: status=completed epochs=45 " "$T/resume.out"
check "metrics.csv has the 45 epochs after its header" [ "$(wc -l <"$run/metrics.csv")" -eq 46 ]
check "the first event file is kept, a second one added" \
    [ "$(ls "$run" | grep -c tfevents)" -eq 2 ]
timeout 60 "$G" train --resume "$run" --epochs 45 >/dev/null 2>"$T/again.err"
check "resuming a finished run without more epochs exits 2" [ $? -eq 2 ]
check "and says to give more epochs" grep -q "epochs" "$T/again.err"

# Resuming an early-stopped run keeps its best epoch: a resumed epoch must
# beat it to be kept (here none can: the rate is the smallest allowed and
# the required improvement 0.001), and its weights and figures come back.
timeout 120 "$G" train datasets/iris.csv --epochs 200 --lr 0.05 --patience 10 \
    --logdir "$T/es" >"$T/es.out" 2>/dev/null
esrun=$(sed -n 's/.* run=\([^ ]*\).*/\1/p' "$T/es.out")
best=$(sed -n 's/^result: status=early_stopped .* best_epoch=\([0-9]*\) .*/\1/p' "$T/es.out")
vloss=$(sed -n 's/^result: .* val_loss=\([^ ]*\) .*/\1/p' "$T/es.out")
check "an iris run stops early (best epoch '$best')" [ -n "$best" ]
timeout 120 "$G" train --resume "$esrun" --epochs 400 --lr 1e-12 --min-delta 0.001 \
    >"$T/es2.out" 2>/dev/null
check "the resumed run keeps best epoch $best" \
    grep -q "^result: .* best_epoch=$best .* val_loss=$vloss " "$T/es2.out"
check "the journal's resume line gives the epoch it resumed at" \
    grep -Eq "epoch=[1-9][0-9]* resume " "$esrun/journal.txt"

# model.gtm records the epoch its weights are from, so a second resume keeps
# it even after the first changed --monitor and --min-delta in config.txt
# (replaying the epochs by val_loss with min-delta 0.01 would pick another).
timeout 120 "$G" train datasets/iris.csv --epochs 40 --lr 0.05 --monitor val_accuracy \
    --patience 0 --logdir "$T/mon" >"$T/mon.out" 2>/dev/null
monrun=$(sed -n 's/.* run=\([^ ]*\).*/\1/p' "$T/mon.out")
mbest=$(sed -n 's/^result: .* best_epoch=\([0-9]*\) .*/\1/p' "$T/mon.out")
mvloss=$(sed -n 's/^result: .* val_loss=\([^ ]*\) .*/\1/p' "$T/mon.out")
timeout 120 "$G" train --resume "$monrun" --epochs 45 --lr 1e-12 --monitor val_loss \
    --min-delta 0.01 >/dev/null 2>&1
timeout 120 "$G" train --resume "$monrun" --epochs 50 --lr 1e-12 >"$T/mon3.out" 2>/dev/null
check "a second resume after --monitor changed keeps best epoch $mbest" \
    grep -q "^result: .* best_epoch=$mbest .* val_loss=$mvloss " "$T/mon3.out"

# config.txt names the dataset by its absolute path: --resume and --config
# work from another directory.
check "config.txt names the dataset by its absolute path" \
    grep -q "^dataset = $PWD/datasets/iris.csv\$" "$run/config.txt"
Gabs=$(cd "$(dirname "$G")" && pwd)/$(basename "$G")
(cd / && timeout 120 "$Gabs" train --resume "$run" --epochs 46 >/dev/null 2>"$T/cd.err")
check "train --resume works from another directory" [ $? -eq 0 ]

# config.txt reproduces its run: the same numbers, epoch by epoch.
timeout 120 "$G" train datasets/wine.csv --epochs 6 --lr 0.003 --dropout 0.2 --seed 7 \
    --optimizer rmsprop --momentum 0.5 --logdir "$T/rep" >"$T/rep1.out" 2>/dev/null
rep=$(sed -n 's/.* run=\([^ ]*\).*/\1/p' "$T/rep1.out")
timeout 120 "$G" train --config "$rep/config.txt" --no-log >"$T/rep2.out" 2>/dev/null
check "the run from config.txt exits 0" [ $? -eq 0 ]
sed -n 's/^\(epoch .* lr [^ ]*\) .*/\1/p' "$T/rep1.out" >"$T/rep1.ep"
sed -n 's/^\(epoch .* lr [^ ]*\) .*/\1/p' "$T/rep2.out" >"$T/rep2.ep"
check "config.txt gives 6 identical epoch lines" \
    sh -c '[ "$(wc -l <"$1")" -eq 6 ] && cmp -s "$1" "$2"' sh "$T/rep1.ep" "$T/rep2.ep"

# A network too large for this machine is refused before allocating, with
# the size it needs, and leaves no run directory behind.
timeout 60 "$G" train datasets/iris.csv --layers 60000,60000 --logdir "$T/big" >/dev/null 2>"$T/big.err"
check "a network too large for memory exits 1" [ $? -eq 1 ]
check "the message gives the size needed" grep -q "needs [0-9.]* GB" "$T/big.err"
check "no run directory is left" [ ! -e "$T/big" ]

# Names from files reach error messages escaped: a header and a model's
# feature names holding a window-title sequence (ESC ] 0 ; ... BEL), a screen
# clear (ESC [ 2 J), bytes that are not UTF-8 and a C1 control, and a class
# name with an escape, through every message of eval, predict and train
# that names them.  terminal_safe FILE: no control byte but newline, no C1
# control, nothing that is not UTF-8.
terminal_safe() {
    ! LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$1" &&
        ! LC_ALL=C grep -q "$(printf '\302[\200-\237]')" "$1" &&
        iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1
}
printf '\033]0;owned\007,\033[2J,b\300\257,\302\205,species\n' >"$T/hostile.csv"
sed 1d datasets/iris.csv >>"$T/hostile.csv"
check "terminal_safe can fail: the hostile header is not safe" eval '! terminal_safe "$T/hostile.csv"'
for cmd in predict eval; do
    timeout 60 "$G" $cmd --model "$run/model.gtm" "$T/hostile.csv" >/dev/null 2>"$T/h-$cmd.err"
    check "$cmd with hostile column names exits 2" [ $? -eq 2 ]
    check "$cmd names the column escaped" \
        grep -q "hostile.csv:1:1: column '\\\\x1B]0;owned\\\\x07' is not a feature" "$T/h-$cmd.err"
    check "$cmd's message reaches the terminal without control bytes" terminal_safe "$T/h-$cmd.err"
done
timeout 120 "$G" train "$T/hostile.csv" --epochs 2 --logdir "$T/hruns" >"$T/htrain.out" 2>/dev/null
hrun=$(sed -n 's/.* run=\([^ ]*\).*/\1/p' "$T/htrain.out")
timeout 60 "$G" eval --model "$hrun/model.gtm" datasets/iris.csv >/dev/null 2>"$T/h-model.err"
check "a model with hostile feature names refuses iris's columns (exit 2)" [ $? -eq 2 ]
check "listing its names escaped" \
    grep -q "\\\\x1B]0;owned\\\\x07, \\\\x1B\\[2J, b\\\\xC0\\\\xAF, \\\\u0085" "$T/h-model.err"
check "and nothing a terminal acts on" terminal_safe "$T/h-model.err"
cut -d, -f1-2 "$T/hostile.csv" | sed 1d >"$T/h-short.csv"
timeout 60 "$G" eval --model "$hrun/model.gtm" "$T/h-short.csv" >/dev/null 2>"$T/h-count.err"
check "a feature count that differs is refused (exit 2)" [ $? -eq 2 ]
check "naming the model's features escaped" terminal_safe "$T/h-count.err"
timeout 60 "$G" train "$T/hostile.csv" --label nosuch --no-log >/dev/null 2>"$T/h-label.err"
check "an unknown --label exits 2" [ $? -eq 2 ]
check "listing the file's columns escaped" terminal_safe "$T/h-label.err"
{ head -1 datasets/iris.csv; printf '5.1,3.5,1.4,0.2,\033[2J\033]0;x\007\302\233\n'; } >"$T/h-class.csv"
timeout 60 "$G" eval --model "$run/model.gtm" "$T/h-class.csv" >/dev/null 2>"$T/h-class.err"
check "eval with a hostile class exits 2" [ $? -eq 2 ]
check "naming the class escaped" grep -q "class '\\\\x1B\\[2J\\\\x1B]0;x\\\\x07\\\\u009B'" "$T/h-class.err"
check "and nothing a terminal acts on" terminal_safe "$T/h-class.err"
{ head -1 "$T/hostile.csv"; printf '5.1,,1.4,0.2,setosa\n'; } >"$T/h-gap.csv"
timeout 60 "$G" predict --model "$hrun/model.gtm" "$T/h-gap.csv" --missing drop >/dev/null \
    2>"$T/h-gap.err"
check "predict's warning for a row with a gap names the column escaped" \
    grep -q "h-gap.csv:2: no prediction for this row: column '\\\\x1B\\[2J' is missing" "$T/h-gap.err"
check "and nothing a terminal acts on" terminal_safe "$T/h-gap.err"

# Model files that are not regular files are refused at once, naming the
# kind: a named pipe without a writer (it would block opening), a
# directory, a device; a sparse file of gigabytes by its header.
mkfifo "$T/fifo.gtm"
for cmd in eval predict; do
    timeout 60 "$G" $cmd --model "$T/fifo.gtm" datasets/iris.csv >/dev/null 2>"$T/fifo-$cmd.err"
    check "$cmd --model FIFO exits 2 (not 124: blocked)" [ $? -eq 2 ]
    check "$cmd says what the file is" \
        grep -q "fifo.gtm: not a regular file (a named pipe)" "$T/fifo-$cmd.err"
done
mkdir "$T/fiforun"
cp "$run/config.txt" "$T/fiforun/"
mkfifo "$T/fiforun/model.gtm"
timeout 60 "$G" train --resume "$T/fiforun" --epochs 50 >/dev/null 2>"$T/fifo-resume.err"
check "train --resume on a FIFO model.gtm exits 2" [ $? -eq 2 ]
check "saying so" grep -q "model.gtm: not a regular file (a named pipe)" "$T/fifo-resume.err"
timeout 60 "$G" eval --model "$T" datasets/iris.csv >/dev/null 2>"$T/dir.err"
check "a directory as model exits 2" [ $? -eq 2 ]
check "saying so" grep -q "not a regular file (a directory)" "$T/dir.err"
timeout 60 "$G" eval --model /dev/zero datasets/iris.csv >/dev/null 2>"$T/zero.err"
check "/dev/zero as model exits 2, saying so" \
    grep -q "^gradtop: /dev/zero: not a regular file (a character device)" "$T/zero.err"
# 1 GB of address space at most; a sanitizer's shadow memory needs more than
# that, so there the limit is left off (test_modelfile's
# huge_files_are_refused_from_their_header counts the bytes read instead).
if [ -n "${SANITIZED:-}" ]; then as_limit=unlimited; else as_limit=1000000; fi
truncate -s 6G "$T/sparse.gtm"
(ulimit -v "$as_limit" && timeout 60 "$G" eval --model "$T/sparse.gtm" datasets/iris.csv) \
    >/dev/null 2>"$T/sparse.err"
check "a 6 GB sparse file is refused in $as_limit KB of address space (exit 2)" [ $? -eq 2 ]
check "by its magic" grep -q "sparse.gtm: not a gradtop model file (bad magic)" "$T/sparse.err"
head -c "$(wc -c <"$run/model.gtm")" "$run/model.gtm" >"$T/padded.gtm"
truncate -s 6G "$T/padded.gtm"
(ulimit -v "$as_limit" && timeout 60 "$G" eval --model "$T/padded.gtm" datasets/iris.csv) \
    >/dev/null 2>"$T/padded.err"
check "a model padded to 6 GB is refused in $as_limit KB of address space (exit 2)" [ $? -eq 2 ]
check "as larger than its sections declare" grep -q "unexpected bytes after the last section" \
    "$T/padded.err"
rm -f "$T/sparse.gtm" "$T/padded.gtm"

# A model whose normalizer is finite but extreme: eval and predict refuse
# it (exit 2) instead of printing loss=-nan or NaN probabilities with exit 0.
for m in extreme_shift extreme_scale; do
    for cmd in eval predict; do
        timeout 60 "$G" $cmd --model "tests/data/models/$m.gtm" datasets/iris.csv \
            >"$T/$m-$cmd.out" 2>"$T/$m-$cmd.err"
        check "$cmd with $m.gtm exits 2" [ $? -eq 2 ]
        check "$cmd with $m.gtm prints no NaN" sh -c '! grep -qi nan "$1"' sh "$T/$m-$cmd.out"
    done
done
check "eval says the outputs overflow" \
    grep -q "extreme_shift.gtm: the model's outputs overflow on datasets/iris.csv (the loss is NaN)" \
    "$T/extreme_shift-eval.err"
check "predict names the first row" \
    grep -q "the model's outputs overflow on data row 1 of datasets/iris.csv" \
    "$T/extreme_shift-predict.err"
check "an overflowing standardization names the row and feature" \
    grep -q "iris.csv: data row 4, feature 'sepal_length': normalized with the model's statistics (shift [^,]*, scale 3e+38) it is beyond the range of a float" \
    "$T/extreme_scale-eval.err"

check_done
