#!/bin/sh
# e2e_misuse.sh - the headless commands used the wrong way, against
# $GRADTOP (run from the project root, as `make test` does): each case
# must end with the exit code SPEC.md gives and a message that says what
# is wrong and where (the file, or the option and its range), leaving the
# files it was given as they were.
#
# A full disk is a file size limit here (ulimit -f, with SIGXFSZ ignored,
# so that a write past it fails with EFBIG as one past a full disk fails
# with ENOSPC): the same on every machine, root or not.
set -u
E2E=e2e_misuse
# shellcheck source=tests/lib/check.sh
. tests/lib/check.sh

DATA=$PWD/datasets

# has FILE TEXT: FILE holds TEXT (fixed string); says what it holds when not.
has() {
    grep -qF -- "$2" "$1" && return 0
    printf '%s: expected "%s" in:\n' "$E2E" "$2"
    cat "$1"
    return 1
}

# lacks FILE TEXT: FILE does not hold TEXT.
lacks() {
    grep -qF -- "$2" "$1" || return 0
    printf '%s: did not expect "%s" in:\n' "$E2E" "$2"
    cat "$1"
    return 1
}

# is RC WANT: the exit code RC is WANT.
is() {
    [ "$1" -eq "$2" ] && return 0
    printf '%s: exit %s, expected %s\n' "$E2E" "$1" "$2"
    return 1
}

# One trained model for eval and predict.
timeout 120 "$G" train --epochs 3 --seed 1 --logdir "$T/runs" --name m "$DATA/iris.csv" \
    >"$T/train.out" 2>"$T/train.err"
check "train a model for the checks below" is $? 0
MODEL=$(ls -d "$T"/runs/*-m)/model.gtm
check "the run has a model.gtm" test -f "$MODEL"

# ---- predict -o on a full disk ----------------------------------------------
# Enough rows that the output outgrows stdio's buffer: the first write that
# fails is the one whose reason must be told (not "Input/output error").
awk 'NR == 1 || NR % 50 != 1' "$DATA/iris.csv" >"$T/rows.csv"
i=0
while [ $i -lt 6 ]; do tail -n +2 "$DATA/iris.csv" >>"$T/rows.csv"; i=$((i + 1)); done
echo "the old predictions" >"$T/out.csv"
printf '#!/bin/sh\ntrap "" XFSZ\nulimit -f 8\nexec "$@"\n' >"$T/limited"
timeout 60 sh "$T/limited" "$G" predict --model "$MODEL" "$T/rows.csv" -o "$T/out.csv" \
    >"$T/full.out" 2>"$T/full.err"
check "predict -o on a full disk: exit 1" is $? 1
check "predict -o on a full disk: the reason is the disk's" has "$T/full.err" "$T/out.csv: File too large"
check "predict -o on a full disk: the old file stays" has "$T/out.csv" "the old predictions"
check "predict -o on a full disk: no temporary left" \
    sh -c "! ls '$T'/out.csv.tmp.* >/dev/null 2>&1"

# ---- train --resume of a run whose files do not fit each other ----------------
# A checkpoint.gtm copied in from another run, or a config.txt edited by
# hand: the refusal names the saved file and the data it was tried on.
RUN=$(ls -d "$T"/runs/*-m)
timeout 120 "$G" train --epochs 2 --seed 1 --logdir "$T/wruns" --name w "$DATA/wine.csv" \
    >/dev/null 2>&1
check "train a run on other data" is $? 0
cp -r "$RUN" "$T/copied"
cp "$(ls -d "$T"/wruns/*-w)/checkpoint.gtm" "$T/copied/checkpoint.gtm"
timeout 60 "$G" train --resume "$T/copied" --epochs 5 >/dev/null 2>"$T/copied.err"
check "resume with another run's checkpoint: exit 2" is $? 2
check "resume with another run's checkpoint: the file and the data are named" has "$T/copied.err" \
    "--resume: $T/copied/checkpoint.gtm, on the data of $T/copied/config.txt ($DATA/iris.csv): the saved network takes 13 inputs"
cp -r "$RUN" "$T/edited"
sed 's/^val-split = .*/val-split = 0.5/' "$RUN/config.txt" >"$T/edited/config.txt"
timeout 60 "$G" train --resume "$T/edited" --epochs 5 >/dev/null 2>"$T/edited.err"
check "resume after config.txt's val-split was edited: exit 2" is $? 2
check "resume after config.txt's val-split was edited: the files are named" has "$T/edited.err" \
    "--resume: $T/edited/checkpoint.gtm, on the data of $T/edited/config.txt ($DATA/iris.csv): the checkpoint's data order has"

# ---- predict -o over the files it reads ---------------------------------------
# The output would replace the data (or the model) with predictions.
cp "$DATA/iris.csv" "$T/data.csv"
cp "$MODEL" "$T/model.gtm"
ln -s data.csv "$T/link.csv"
for out in "$T/data.csv" "$T/link.csv" "$T/model.gtm"; do
    timeout 60 "$G" predict --model "$T/model.gtm" "$T/data.csv" -o "$out" >/dev/null \
        2>"$T/same.err"
    check "predict -o $out, a file it reads: exit 2" is $? 2
    check "predict -o $out, a file it reads: says so" has "$T/same.err" \
        "-o $out is the"
done
check "predict -o over its input: the data stays" cmp "$DATA/iris.csv" "$T/data.csv"
check "predict -o over its input: the model stays" cmp "$MODEL" "$T/model.gtm"

# ---- a file or directory option given as "" -------------------------------------
# It names nothing: a usage error naming the option, never a lookup of
# "/config.txt" (--resume "") or a message about the file ''.
for args in "train --config= iris" "eval --model= iris" "predict --model=$MODEL iris -o="; do
    opt=$(printf '%s\n' "$args" | sed 's/.* \(-[-a-z]*\)=\( .*\)*$/\1/')
    # shellcheck disable=SC2086 # the words are meant to split
    timeout 60 "$G" $args >/dev/null 2>"$T/empty.err"
    check "$args: exit 2" is $? 2
    check "$args: names $opt and what it takes" has "$T/empty.err" "gradtop: $opt: an empty name (expected"
done
timeout 60 "$G" train --resume "" >/dev/null 2>"$T/empty.err"
check "train --resume \"\": exit 2" is $? 2
check "train --resume \"\": says so" has "$T/empty.err" \
    "gradtop train: --resume: an empty directory name (give the run directory its result line names: run=DIR)"

# ---- predict -o interrupted while it writes ------------------------------------
# The temporary it writes into (OUT.tmp.PID) is made a FIFO beforehand, so
# that the test knows when writing has begun (the FIFO opens) and holds the
# writer there (a full pipe) until the signal has come: no timing.
awk 'NR == 1' "$DATA/iris.csv" >"$T/many.csv"
i=0
while [ $i -lt 150 ]; do tail -n +2 "$DATA/iris.csv" >>"$T/many.csv"; i=$((i + 1)); done
echo "the old predictions" >"$T/kept.csv"
mkfifo "$T/go"
# shellcheck disable=SC2016 # expanded by the inner shell
sh -c 'read -r x <"$1"; shift; exec "$@"' sh "$T/go" \
    "$G" predict --model "$MODEL" "$T/many.csv" -o "$T/kept.csv" 2>"$T/int.err" &
pid=$!
mkfifo "$T/kept.csv.tmp.$pid"
echo go >"$T/go"
exec 3<"$T/kept.csv.tmp.$pid"
head -c 64 <&3 >/dev/null
kill -TERM "$pid"
cat <&3 >/dev/null
exec 3<&-
wait "$pid"
check "predict -o, SIGTERM while it writes: exit 130" is $? 130
check "predict -o, SIGTERM while it writes: says the file is as it was" has "$T/int.err" \
    "gradtop: interrupted: $T/kept.csv is as it was"
check "predict -o, SIGTERM while it writes: the old file stays" has "$T/kept.csv" "the old predictions"
check "predict -o, SIGTERM while it writes: no temporary left" \
    sh -c "! ls '$T'/kept.csv.tmp.* >/dev/null 2>&1"

# ---- eval --part on other data ------------------------------------------------
# The run's split re-created on another file picks other rows: said.
timeout 60 "$G" eval --model "$MODEL" --part val "$T/many.csv" >/dev/null 2>"$T/part.err"
check "eval --part val on another file: exit 0" is $? 0
check "eval --part val on another file: a warning names both files" has "$T/part.err" \
    "gradtop: warning: --part val re-creates the split of the run's own data ($DATA/iris.csv); $T/many.csv is another file"
timeout 60 "$G" eval --model "$MODEL" --part val "$DATA/iris.csv" >/dev/null 2>"$T/part.err"
check "eval --part val on the run's own file: exit 0" is $? 0
check "eval --part val on the run's own file: no warning" lacks "$T/part.err" "warning"
# A run trained on a bare name (iris) stores that name: the same name, or
# the file it stands for, is the run's own data.
timeout 120 "$G" train --epochs 1 --logdir "$T/runs" --name bare iris >/dev/null 2>&1
check "train a model on the bare name iris" is $? 0
BARE=$(ls -d "$T"/runs/*-bare)/model.gtm
for data in iris datasets/iris.csv; do
    timeout 60 "$G" eval --model "$BARE" --part val "$data" >/dev/null 2>"$T/part.err"
    check "eval --part val of a run on iris, given $data: exit 0" is $? 0
    check "eval --part val of a run on iris, given $data: no warning" lacks "$T/part.err" "warning"
done

# ---- --labels where the data has no labels file ---------------------------------
# CSV data has its label in a column: a labels file given for it is
# refused; one stored with an IDX model goes with that model's own images
# only, so eval of CSV data goes on without it.
timeout 60 "$G" inspect --labels "$T/nothing" "$DATA/iris.csv" >/dev/null 2>"$T/labels.err"
check "--labels with CSV data: exit 2" is $? 2
check "--labels with CSV data: says why" has "$T/labels.err" \
    "--labels $T/nothing: $DATA/iris.csv is CSV text; --labels names the labels file of IDX images"
cp tests/data/idx/tiny-images-idx3-ubyte "$T/tiny-images-idx3-ubyte"
cp tests/data/idx/tiny-labels-idx1-ubyte "$T/tiny.labels"
timeout 60 "$G" train --epochs 2 --logdir "$T/idxruns" --labels "$T/tiny.labels" \
    "$T/tiny-images-idx3-ubyte" >/dev/null 2>&1
check "train on IDX images with --labels" is $? 0
{
    echo "px0,px1,px2,px3,px4,px5,label"
    echo "0,10,20,30,40,50,1"
    echo "50,40,30,20,10,0,0"
} >"$T/pixels.csv"
timeout 60 "$G" eval --model "$(ls -d "$T"/idxruns/*)/model.gtm" "$T/pixels.csv" \
    >"$T/pixels.out" 2>"$T/pixels.err"
check "eval of CSV pixels with an IDX model whose run had --labels: exit 0" is $? 0
check "eval of CSV pixels with an IDX model whose run had --labels: a result" has "$T/pixels.out" \
    "result: rows=2 "

# ---- standard input and output closed -----------------------------------------
# The next files opened would take descriptors 0 and 1: the epoch lines
# went into the signal watch's pipe, read as signals, and the run ended
# mid-write with exit 130.  Output that cannot be written is exit 1, the
# run files complete.
timeout 120 "$G" train --epochs 20 --logdir "$T/closed" xor <&- >&- 2>"$T/closed.err"
check "train with stdin and stdout closed: exit 1" is $? 1
check "train with stdin and stdout closed: says standard output failed" has "$T/closed.err" \
    "gradtop: standard output: Bad file descriptor"
check "train with stdin and stdout closed: no signal came" lacks "$T/closed.err" "signal"
check "train with stdin and stdout closed: the journal ends with its result" \
    sh -c "tail -n 1 '$T'/closed/*/journal.txt | grep -q ' result status=stopped '"

# ---- train --resume of a run with a named pipe among its files ------------------
# Opening it would wait for a writer for good (timeout's SIGKILL says so).
for f in metrics.csv journal.txt; do
    rm -rf "$T/piped"
    cp -r "$RUN" "$T/piped"
    rm "$T/piped/$f"
    mkfifo "$T/piped/$f"
    timeout -s KILL 60 "$G" train --resume "$T/piped" --epochs 5 >/dev/null 2>"$T/piped.err"
    check "resume with $f a named pipe: exit 2" is $? 2
    check "resume with $f a named pipe: names it" has "$T/piped.err" \
        "gradtop: $T/piped/$f: not a regular file (a run's files are)"
done

# ---- an option for one kind of dataset given for another ------------------------
# A generated set's --samples, --noise and --features, a CSV file's --label,
# --delimiter and --missing, IDX images' --labels: given for another kind of
# data they would go unread (iris trained as if --noise 0.2 meant something),
# so each is refused, on the command line of every command whatever its
# value, naming the option, its value, the dataset, its kind and what the
# option is for.
mkdir "$T/idx"
cp tests/data/idx/tiny-images-idx3-ubyte tests/data/idx/tiny-labels-idx1-ubyte "$T/idx/"
IMG=$T/idx/tiny-images-idx3-ubyte
GEN="scatters the points of the generated 2-D sets spiral, circles, xor, gauss and moons"
# refused WHAT ERRFILE TEXT: exit 2 (in $rc) and TEXT in ERRFILE
refused() {
    check "$1: exit 2" is "$rc" 2
    check "$1: says why" has "$2" "$3"
}
# split CASE: CASE's fields, separated by '|', into $given, $data and $why
split() {
    given=${1%%|*}
    rest=${1#*|}
    data=${rest%%|*}
    why=${rest#*|}
}
for cmd in "train --no-log --epochs 1" "race --no-log" \
    "sweep --no-log --max-epochs 1 --space lr=choice(0.1|0.01)" "inspect" "gradcheck"; do
    for case in "--noise 0.2|iris|iris is CSV text; --noise $GEN" \
        "--noise 0.2|$IMG|$IMG is IDX images; --noise $GEN" \
        "--samples 500|iris|iris is CSV text; --samples sets how many points the generated 2-D sets" \
        "--missing drop|$IMG|$IMG is IDX images; --missing says what to do with the empty or NA values of CSV data" \
        "--missing error|$IMG|$IMG is IDX images; --missing says what" \
        "--label 0|$IMG|$IMG is IDX images; --label names the label column of CSV data" \
        "--delimiter ;|fashion-mnist|fashion-mnist is IDX images with labels of their own; --delimiter separates" \
        "--labels nonexistent|xor|xor is a generated set, with no file to read; --labels names the labels file of IDX images given by their path" \
        "--label 0|xor|xor is a generated set, with no file to read; --label names" \
        "--missing drop|xor|xor is a generated set, with no file to read; --missing says" \
        "--labels $T/nothing|$DATA/iris.csv|$DATA/iris.csv is CSV text; --labels names the labels file"; do
        split "$case"
        # shellcheck disable=SC2086 # the command and the option, split on purpose
        timeout 60 "$G" $cmd $given "$data" </dev/null >/dev/null 2>"$T/kind.err"
        rc=$?
        refused "${cmd%% *} $given with $data" "$T/kind.err" "gradtop: $given: $why"
    done
done
# the interactive mode, and eval and predict, which read the data anew
for cmd in "" "eval --model $MODEL" "predict --model $MODEL"; do
    # shellcheck disable=SC2086 # the command and its options, split on purpose
    timeout 60 "$G" $cmd --noise 0.2 iris </dev/null >/dev/null 2>"$T/kind.err"
    rc=$?
    refused "'gradtop $cmd' --noise 0.2 with iris" "$T/kind.err" \
        "gradtop: --noise 0.2: iris is CSV text; --noise $GEN"
done
for data in iris "$IMG"; do
    timeout 60 "$G" train --no-log --epochs 1 --features "x1^2" "$data" >/dev/null 2>"$T/kind.err"
    rc=$?
    refused "train --features x1^2 with $data" "$T/kind.err" \
        "gradtop: --features x1^2: $data is "
done
timeout 60 "$G" train --no-log --epochs 1 --noise 0.2 --samples 100 --features "x1^2" xor \
    >/dev/null 2>&1
check "xor still takes --noise, --samples and --features" is $? 0
timeout 60 "$G" train --no-log --epochs 1 --label species --delimiter , --missing drop iris \
    >/dev/null 2>&1
check "iris still takes --label, --delimiter and --missing" is $? 0
timeout 60 "$G" train --no-log --epochs 1 --labels "$T/idx/tiny-labels-idx1-ubyte" "$IMG" \
    >/dev/null 2>&1
check "IDX images by their path still take --labels" is $? 0
# A dataset that is not there is said to be so, not called CSV text.
timeout 60 "$G" train --no-log --noise 0.2 spirl >/dev/null 2>"$T/kind.err"
rc=$?
refused "--noise for an unknown name" "$T/kind.err" "gradtop: unknown dataset 'spirl'; available:"
timeout 60 "$G" train --no-log --noise 0.2 "$T/gone.csv" >/dev/null 2>"$T/kind.err"
rc=$?
refused "--noise for a file that is not there" "$T/kind.err" \
    "gradtop: $T/gone.csv: can't open: No such file or directory"
# A sweep cannot search them either: every trial shares the data.
timeout 60 "$G" sweep --no-log --max-epochs 1 --space "noise=uniform(0,0.5)" iris >/dev/null \
    2>"$T/kind.err"
rc=$?
refused "a sweep of iris searching --noise" "$T/kind.err" \
    "(--noise ..., for a generated set) instead"
timeout 60 "$G" sweep --max-epochs 1 --space "missing=choice(drop|mean)" "$IMG" >/dev/null \
    2>"$T/kind.err"
rc=$?
refused "a sweep searching --missing" "$T/kind.err" "(--missing ..., for CSV data) instead"

# In a --config file such a line is refused at its line and column
# (--label and --delimiter for IDX images were refused by the loader,
# without the line), unless it holds the option's default: every file
# gradtop writes records every option, those that do not apply at their
# defaults.
for case in "label = 3|spiral|label = 3: spiral is a generated set, with no file to read; --label names the label column of CSV data (remove the line, or write the default: label = \"\")" \
    "noise =  0.2|iris|noise = 0.2: iris is CSV text; --noise $GEN (remove the line, or write the default: noise = -1)" \
    "samples = 50|$IMG|samples = 50: $IMG is IDX images; --samples sets how many points" \
    "features = x1^2|iris|features = x1^2: iris is CSV text; --features makes the inputs of the generated 2-D sets" \
    "missing =  mean|$IMG|missing = mean: $IMG is IDX images; --missing says what to do with the empty or NA values of CSV data (remove the line, or write the default: missing = error)" \
    "label = 0|$IMG|label = 0: $IMG is IDX images; --label names the label column of CSV data" \
    "delimiter = ;|$IMG|delimiter = ;: $IMG is IDX images; --delimiter separates the fields of CSV text (remove the line, or write the default: delimiter = auto)" \
    "labels = $T/nothing|iris|labels = $T/nothing: iris is CSV text; --labels names the labels file"; do
    split "$case"
    key=${given%% *}
    # the column of the value, after "  KEY =" and its blanks
    col=$(printf '  %s\n' "$given" | awk -F= '{ s = substr($0, length($1) + 2); match(s, /[^ ]/); print length($1) + 1 + RSTART }')
    printf '# mine\nepochs = 1\n  %s\n' "$given" >"$T/kind.cfg"
    for cmd in "train" "sweep --space lr=choice(0.1|0.01)" "inspect"; do
        # shellcheck disable=SC2086 # the command and its options, split on purpose
        timeout 60 "$G" $cmd --config "$T/kind.cfg" "$data" </dev/null >/dev/null 2>"$T/kind.err"
        rc=$?
        refused "${cmd%% *} --config with '$key = ...' for $data" "$T/kind.err" \
            "gradtop: $T/kind.cfg:3:$col: $why"
    done
done
printf 'dataset = %s\nmissing = drop\n' "$IMG" >"$T/kind2.cfg"
timeout 60 "$G" train --no-log --epochs 1 --config "$T/kind2.cfg" >/dev/null 2>"$T/kind.err"
rc=$?
refused "a config file's dataset and missing = drop" "$T/kind.err" \
    "gradtop: $T/kind2.cfg:2:11: missing = drop: $IMG is IDX images"
printf 'noise = -0.5\nsamples = 500\nfeatures = x2,x1\nlabel = ""\nlabels =\ndelimiter = auto\nmissing = error\n' \
    >"$T/defaults.cfg"
for data in iris "$IMG" xor; do
    timeout 60 "$G" train --no-log --epochs 1 --config "$T/defaults.cfg" "$data" >/dev/null \
        2>"$T/kind.err"
    check "a config file of every data option at its default, for $data: exit 0" is $? 0
done

# What gradtop wrote loads with --config: a run's config.txt, a sweep's
# best.txt and space.txt, for each kind of dataset.
for data in iris xor "$IMG"; do
    name=$(basename "$data")
    timeout 120 "$G" train --epochs 2 --logdir "$T/kr-$name" "$data" >/dev/null 2>&1
    check "train on $name" is $? 0
    run=$(ls -d "$T/kr-$name"/*)
    check "$name's config.txt records noise = -1 and missing = error" \
        sh -c "grep -qx 'noise = -1' '$run/config.txt' && grep -qx 'missing = error' '$run/config.txt'"
    timeout 60 "$G" train --no-log --epochs 1 --config "$run/config.txt" >/dev/null 2>"$T/kind.err"
    check "--config of $name's config.txt is taken" is $? 0
    timeout 120 "$G" sweep --max-epochs 1 --trials 2 --parallel 1 --space "lr=choice(0.1|0.01)" \
        --logdir "$T/ks-$name" "$data" </dev/null >/dev/null 2>&1
    check "a sweep over $name" is $? 0
    sweep=$(ls -d "$T/ks-$name"/*-sweep)
    timeout 60 "$G" train --no-log --epochs 1 --config "$sweep/best.txt" >/dev/null 2>"$T/kind.err"
    check "--config of $name's sweep's best.txt is taken" is $? 0
    timeout 120 "$G" sweep --no-log --max-epochs 1 --trials 1 --config "$sweep/space.txt" \
        </dev/null >/dev/null 2>"$T/kind.err"
    check "sweep --config of $name's sweep's space.txt is taken" is $? 0
    timeout 120 "$G" train --resume "$run" --epochs 3 >/dev/null 2>"$T/kind.err"
    check "train --resume of the $name run" is $? 0
done
# train --resume reads a run's config.txt as it is, also one that records
# an option the dataset does not take (older versions took --missing for
# IDX images and recorded it).
IRUN=$(ls -d "$T"/kr-tiny-images-idx3-ubyte/*)
sed 's/^missing = .*/missing = drop/' "$IRUN/config.txt" >"$T/idx.txt"
cp "$T/idx.txt" "$IRUN/config.txt"
timeout 60 "$G" train --resume "$IRUN" --epochs 4 >/dev/null 2>"$T/kind.err"
check "train --resume of an IDX run that recorded missing = drop: exit 0" is $? 0
timeout 60 "$G" train --no-log --epochs 1 --config "$IRUN/config.txt" >/dev/null 2>"$T/kind.err"
rc=$?
refused "--config of that config.txt" "$T/kind.err" "missing = drop: $IMG is IDX images"
timeout 120 "$G" sweep --resume "$(ls -d "$T"/ks-iris/*-sweep)" </dev/null >/dev/null 2>"$T/kind.err"
check "sweep --resume of a sweep over iris" is $? 0
# A CSV file of datasets/ named as a built-in is what loads: a CSV file.
mkdir -p "$T/here/datasets"
cp "$DATA/iris.csv" "$T/here/datasets/fashion-mnist.csv"
case $G in /*) GABS=$G ;; *) GABS=$PWD/$G ;; esac
(cd "$T/here" && timeout 60 "$GABS" train --no-log --epochs 1 --missing drop fashion-mnist) \
    >/dev/null 2>"$T/kind.err"
check "--missing for datasets/fashion-mnist.csv, a CSV file: taken" is $? 0

# ---- gradcheck of one class names the file ---------------------------------------
printf 'a,b,c\n1,2,0\n3,4,0\n' >"$T/one.csv"
"$G" gradcheck "$T/one.csv" >/dev/null 2>"$T/one.err"
check "gradcheck of a one-class file: exit 2" is $? 2
check "gradcheck of a one-class file: names it and its label column" has "$T/one.err" \
    "$T/one.csv: the label column 'c' has 1 class: classification needs at least 2"

# ---- a positional argument too long ------------------------------------------
# view's is its LOGDIR, help's a COMMAND, the others' a DATASET: the
# message names which, and how long it may be.
long=$(printf '%2000s' '' | tr ' ' x)
for c in train view; do
    timeout 60 "$G" $c "$T/$long" >"$T/long.out" 2>"$T/long.err"
    check "$c with a 2000-byte argument: exit 2" is $? 2
done
check "view: the message names LOGDIR and its limit" has "$T/long.err" "gradtop view: LOGDIR too long: 20"
check "view: and the limit" has "$T/long.err" "bytes (at most 1023)"
check "view: and no DATASET" lacks "$T/long.err" "dataset"
timeout 60 "$G" train "$T/$long" >"$T/long.out" 2>"$T/long.err"
check "train: the message names DATASET and its limit" has "$T/long.err" "gradtop train: DATASET too long: 20"

# ---- an empty LOGDIR ------------------------------------------------------------
# "" names no directory and none can appear under that name: refused at
# once (with a terminal it was waited for, for good).
timeout 60 "$G" view "" >"$T/empty.out" 2>"$T/empty.err"
check "view \"\": exit 2" is $? 2
check "view \"\": the message says the LOGDIR is empty" has "$T/empty.err" \
    "gradtop view: an empty LOGDIR (give a directory, or none to view runs/)"

# ---- numbers in decimal, lines ending in LF or CRLF ----------------------------
# strtod also reads hexadecimal ("0x1p3" is 8), "inf" and "nan": every
# number option refuses them alike, naming the option, its range and the
# form, on the command line, in a config file, in --space and in --racers.
for v in 0x1p3 0X10 inf nan; do
    timeout 60 "$G" train --no-log --epochs 1 --lr "$v" iris >/dev/null 2>"$T/num.err"
    check "--lr $v: exit 2" is $? 2
    check "--lr $v: the option, its range and the form are named" has "$T/num.err" \
        "gradtop: --lr: not a decimal number '$v' (expected a positive number, or default for the optimizer's own; in decimal, like 0.5 or 1e-3)"
done
printf 'noise = 0x0.1p0\n' >"$T/hex.cfg"
timeout 60 "$G" train --no-log --epochs 1 --config "$T/hex.cfg" spiral >/dev/null 2>"$T/num.err"
check "a config file's noise = 0x0.1p0: exit 2" is $? 2
check "a config file's hexadecimal is refused at its line" has "$T/num.err" \
    "$T/hex.cfg:1: --noise: not a decimal number '0x0.1p0' (expected a number from 0 to 1"
timeout 60 "$G" sweep --no-log --space 'lr=choice(0x1p-3|0.1)' iris >/dev/null 2>"$T/num.err"
check "--space choice(0x1p-3|0.1): exit 2" is $? 2
check "--space choice(0x1p-3|0.1): refused as --lr is" has "$T/num.err" \
    "--space: 'lr' at column 11: --lr: not a decimal number '0x1p-3'"
timeout 60 "$G" race --no-log --epochs 1 --racers 'adam:lr=0x1p-3;sgd' iris >/dev/null 2>"$T/num.err"
check "--racers 'adam:lr=0x1p-3;sgd': exit 2" is $? 2
check "--racers 'adam:lr=0x1p-3;sgd': refused as --lr is" has "$T/num.err" \
    "--lr: not a decimal number '0x1p-3'"
# A config file with old Mac line ends (CR alone) is told so at the first
# CR, not read as one long line; CRLF is read as LF is.
printf 'epochs = 1\rlr = 0.1\r' >"$T/mac.cfg"
timeout 60 "$G" train --no-log --config "$T/mac.cfg" iris >/dev/null 2>"$T/mac.err"
check "a config file with CR line ends: exit 2" is $? 2
check "a config file with CR line ends: told at its line and column" has "$T/mac.err" \
    "$T/mac.cfg:1:11: line ends with a carriage return alone (old Mac line endings): save it with \\n or \\r\\n"
printf 'epochs = 1\r\nlr = 0.1\r\n' >"$T/dos.cfg"
timeout 60 "$G" train --no-log --seed 1 --config "$T/dos.cfg" iris >/dev/null 2>"$T/dos.err"
check "a config file with CRLF line ends is taken" is $? 0

check_done
