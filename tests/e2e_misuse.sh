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

check_done
