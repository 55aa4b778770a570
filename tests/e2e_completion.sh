#!/bin/sh
# e2e_completion.sh - the bash completion script against $GRADTOP (run from
# the project root, as `make test` does): wherever a dataset may stand (the
# first word, or a command's argument) it offers the built-in datasets, and
# exactly those the data layer knows: the names that an unknown dataset's
# message lists as available, less the CSV files of datasets/.  So the
# script's list cannot drift from the loader's.  Needs bash.
set -u
E2E=e2e_completion
. tests/lib/check.sh
case $G in
/*) ;;
*) G=$PWD/$G ;;
esac
mkdir "$T/empty"

"$G" --bash-completion >"$T/gradtop.bash"
check "--bash-completion writes a script" test -s "$T/gradtop.bash"

# The data layer's built-ins: the available names of an unknown dataset's
# message (run where no datasets/ is), less the CSV files beside the program.
(cd "$T/empty" && "$G" inspect no-such-dataset) >/dev/null 2>"$T/unknown"
sed -n 's/.*; available: \(.*\) (or the path of a CSV or IDX file)$/\1/p' "$T/unknown" |
    tr ',' '\n' | sed 's/^ *//' | sort >"$T/available"
for f in datasets/*.csv; do
    basename "$f" .csv
done | sort >"$T/csv"
comm -23 "$T/available" "$T/csv" >"$T/builtins"
check "the built-ins read from an unknown dataset's message include spiral" \
    grep -qx spiral "$T/builtins"

# offered WORDS...: the completion's words for the last of WORDS (empty:
# everything), sorted, in a directory without files so that only names
# come back.
offered() {
    (cd "$T/empty" && bash -c '. "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _gradtop
        printf "%s\n" "${COMPREPLY[@]}"' "$T/gradtop.bash" "$@") | sort
}

# none_of FILE: FILE is empty, or its words are printed.
none_of() {
    [ ! -s "$1" ] || {
        printf '  %s\n' "$(tr '\n' ' ' <"$1")"
        false
    }
}

offered gradtop "" >"$T/first"
comm -23 "$T/builtins" "$T/first" >"$T/missing"
check "the first word's completions offer every built-in dataset" none_of "$T/missing"
for cmd in train inspect race; do
    offered gradtop "$cmd" "" >"$T/arg"
    comm -23 "$T/builtins" "$T/arg" >"$T/missing"
    check "$cmd's dataset completions offer every built-in dataset" none_of "$T/missing"
    comm -13 "$T/builtins" "$T/arg" >"$T/extra"
    check "$cmd's dataset completions offer only the built-in datasets" none_of "$T/extra"
done
check_done
