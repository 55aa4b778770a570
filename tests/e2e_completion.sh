#!/bin/sh
# e2e_completion.sh - the bash completion script against $GRADTOP (run from
# the project root, as `make test` does): wherever a dataset may stand (the
# first word, a command's argument, --test's value) it offers exactly the
# names the data layer takes: those an unknown dataset's message lists as
# available, the shipped CSV files (iris, ...) found beside the program as
# well as the built-in sets.  The script asks the program for them as it
# completes (gradtop --list-datasets), so a datasets/ directory of the
# working directory counts too, and a file's name there is offered as it
# is, never run as shell words.  Needs bash.
set -u
E2E=e2e_completion
. tests/lib/check.sh
case $G in
/*) ;;
*) G=$PWD/$G ;;
esac
mkdir "$T/empty" "$T/here" "$T/here/datasets" "$T/logs" "$T/logs/runs"

"$G" --bash-completion >"$T/gradtop.bash"
check "--bash-completion writes a script" test -s "$T/gradtop.bash"

# The data layer's names: the available names of an unknown dataset's
# message, run where no datasets/ is.
(cd "$T/empty" && "$G" inspect no-such-dataset) >/dev/null 2>"$T/unknown"
sed -n 's/.*; available: \(.*\) (or the path of a CSV or IDX file)$/\1/p' "$T/unknown" |
    tr ',' '\n' | sed 's/^ *//' | sort >"$T/available"
check "the names read from an unknown dataset's message include spiral" \
    grep -qx spiral "$T/available"
check "the names read from an unknown dataset's message include the shipped iris" \
    grep -qx iris "$T/available"
(cd "$T/empty" && "$G" --list-datasets) | sort >"$T/listed"
check "--list-datasets prints the names an unknown dataset's message lists" \
    cmp -s "$T/available" "$T/listed"

# offered DIR WORDS...: the completion's words for the last of WORDS (empty:
# everything), sorted, run in DIR.
offered() {
    dir=$1
    shift
    (cd "$dir" && bash -c '. "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _gradtop
        printf "%s\n" "${COMPREPLY[@]}"' "$T/gradtop.bash" "$@") | sort
}

# none_of FILE: FILE is empty, or its words are printed.
none_of() {
    [ ! -s "$1" ] || {
        printf '  %s\n' "$(tr '\n' ' ' <"$1")"
        false
    }
}

# In a directory without files only names come back.
offered "$T/empty" "$G" "" >"$T/first"
comm -23 "$T/available" "$T/first" >"$T/missing"
check "the first word's completions offer every dataset" none_of "$T/missing"
for cmd in train inspect race; do
    offered "$T/empty" "$G" "$cmd" "" >"$T/arg"
    comm -23 "$T/available" "$T/arg" >"$T/missing"
    check "$cmd's dataset completions offer every dataset" none_of "$T/missing"
    comm -13 "$T/available" "$T/arg" >"$T/extra"
    check "$cmd's dataset completions offer only datasets" none_of "$T/extra"
done
offered "$T/empty" "$G" train wi >"$T/arg"
check "train wi completes to wine" test "$(cat "$T/arg")" = wine
offered "$T/empty" "$G" train iris --test "" >"$T/arg"
check "--test's completions offer iris" grep -qx iris "$T/arg"

# view takes a LOGDIR: directories, no dataset names
offered "$T/logs" "$G" view "" >"$T/arg"
check "view's completions offer the directories, not datasets" test "$(cat "$T/arg")" = runs

# ./datasets of the working directory, as dataset_load looks there; a
# name that is shell syntax is offered as it is and runs nothing.
: >"$T/here/datasets/mine.csv"
: >"$T/here/datasets/\$(touch pwned).csv"
offered "$T/here" "$G" train "" >"$T/arg"
check "the completions offer datasets/mine.csv of the working directory as mine" \
    grep -qx mine "$T/arg"
check "the completions offer a dataset named \$(touch pwned) as it is" \
    grep -qxF '$(touch pwned)' "$T/arg"
check "completing a dataset's name runs no part of it" test ! -e "$T/here/pwned"

# A file's name is one word, however it is spelt: a blank does not split
# it, and a * is not a pattern of the directory's files.
mkdir "$T/files"
: >"$T/files/my data.csv"
: >"$T/files/*"
: >"$T/files/other"
offered "$T/files" "$G" train my >"$T/arg"
check "a file with a blank in its name is offered as one word" \
    test "$(cat "$T/arg")" = "my data.csv"
offered "$T/files" "$G" train --config "my" >"$T/arg"
check "--config offers a file with a blank in its name as one word" \
    test "$(cat "$T/arg")" = "my data.csv"
offered "$T/files" "$G" train "*" >"$T/arg"
check "a file named * is offered as itself, not as every file" test "$(cat "$T/arg")" = "*"
mkdir "$T/files/some dir"
offered "$T/files" "$G" view "some" >"$T/arg"
check "view offers a directory with a blank in its name as one word" \
    test "$(cat "$T/arg")" = "some dir"

# A program that cannot be asked (not found): the built-ins the script
# was made with.
offered "$T/empty" "$T/no-such-gradtop" train "" >"$T/arg"
check "without the program the completions still offer the built-in spiral" \
    grep -qx spiral "$T/arg"
check_done
