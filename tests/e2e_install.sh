#!/bin/sh
# e2e_install.sh - `make install` into a scratch DESTDIR: the program, its
# manual page (man -l renders it, with every command and every option
# --help lists), the bash completion (valid bash that completes commands,
# options and an option's values) and the datasets, which the installed
# program finds from any working directory.  Exits 1 if any check failed.
set -u

fail=0
GRADTOP=${GRADTOP:-build/gradtop}
BUILD=$(dirname "$GRADTOP")
T=$(mktemp -d /tmp/gradtop-e2e-install.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT

bad() {
    fail=$((fail + 1))
    echo "e2e_install: FAIL: $1" >&2
}

if ! make --no-print-directory -s install BUILD="$BUILD" DESTDIR="$T/root" PREFIX=/opt/gt \
    >"$T/make.out" 2>&1; then
    bad "make install failed:"
    sed 's/^/    /' "$T/make.out" >&2
    exit 1
fi
P=$T/root/opt/gt
for f in bin/gradtop share/man/man1/gradtop.1 share/bash-completion/completions/gradtop \
    share/gradtop/datasets/iris.csv share/gradtop/datasets/digits.csv; do
    [ -f "$P/$f" ] || bad "make install did not install $f"
done
[ -x "$P/bin/gradtop" ] || bad "the installed program is not executable"

# ---- the manual page ----------------------------------------------------------
if MANWIDTH=200 man -l "$P/share/man/man1/gradtop.1" >"$T/man.txt" 2>"$T/man.err"; then
    grep -q '^NAME' "$T/man.txt" || bad "man -l shows no NAME section"
    for c in train race gradcheck inspect eval predict view; do
        grep -q "gradtop $c" "$T/man.txt" || bad "the manual does not name the command $c"
    done
    "$GRADTOP" train --help | sed -n 's/^  \(--[a-z0-9-]*\).*/\1/p' >"$T/opts"
    [ -s "$T/opts" ] || bad "train --help lists no options"
    while read -r o; do
        grep -q -- "^ *$o\\b" "$T/man.txt" || bad "the manual has no entry for $o"
    done <"$T/opts"
    grep -q "0.01 for sgd, 0.001 for the others" "$T/man.txt" ||
        bad "the manual does not give --lr's per-optimizer default"
    grep -q '^EXIT STATUS' "$T/man.txt" || bad "the manual has no EXIT STATUS"
else
    bad "man -l cannot render the page: $(head -n 3 "$T/man.err")"
fi

# ---- bash completion ----------------------------------------------------------
C=$P/share/bash-completion/completions/gradtop
if bash -n "$C" 2>"$T/bash.err"; then
    # complete WORDS...: what the completion offers for the last word
    complete_words() {
        bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _gradtop
                 printf "%s\n" "${COMPREPLY[@]}"' sh "$C" "$@"
    }
    complete_words gradtop tr | grep -qx train || bad "completion does not offer 'train' for 'tr'"
    complete_words gradtop train --opt | grep -qx -- --optimizer ||
        bad "completion does not offer --optimizer after 'train --opt'"
    complete_words gradtop eval --opt | grep -q . &&
        bad "completion offers --optimizer to eval, which does not take it"
    complete_words gradtop train --optimizer "" | tr '\n' ' ' | grep -q 'sgd adam rmsprop adamw adagrad' ||
        bad "completion does not offer the optimizers after --optimizer"
    complete_words gradtop race --rac | grep -qx -- --racers ||
        bad "completion does not offer race's own --racers"
else
    bad "the completion script is not valid bash: $(head -n 3 "$T/bash.err")"
fi

# ---- the installed program finds its datasets ---------------------------------
mkdir -p "$T/elsewhere"
if (cd "$T/elsewhere" && "$P/bin/gradtop" train iris --epochs 1 --no-log) >"$T/run.out" 2>&1; then
    grep -q '^result: status=completed' "$T/run.out" || bad "the installed program did not train iris"
else
    bad "the installed program, run elsewhere, cannot train iris: $(tail -n 2 "$T/run.out")"
fi

if [ "$fail" -eq 0 ]; then
    echo "e2e_install: all passed"
    exit 0
fi
echo "e2e_install: $fail checks failed" >&2
exit 1
