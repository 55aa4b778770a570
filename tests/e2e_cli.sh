#!/bin/sh
# e2e_cli.sh - the command line end to end, against $GRADTOP (run from the
# project root, as `make test` does): the headless epoch and result lines,
# --help and --version, usage errors (exit 2 naming the option or file),
# inspect, gradcheck, --config (text of bounded size only), SIGINT and
# SIGHUP (exit 130, status=stopped), SIGQUIT (exit 131, status=stopped, no
# core dump), divergence (exit 3, status=diverged), standard
# output that cannot be written (exit 1, run files complete) and options a
# command does not take (exit 2).  Every invocation runs under
# `timeout` so that nothing hangs.  Prints each failure with the command's
# output and exits 1 if any check failed; nothing is skipped.
set -u

fail=0
checks=0

if [ -z "${GRADTOP:-}" ]; then
    echo "e2e_cli: FAIL: GRADTOP is not set (make test sets it to BUILD/gradtop)" >&2
    exit 1
fi
case $GRADTOP in
/*) G=$GRADTOP ;;
*) G=$PWD/$GRADTOP ;;
esac
if [ ! -x "$G" ]; then
    echo "e2e_cli: FAIL: $G is not an executable (build it first)" >&2
    exit 1
fi
ROOT=$PWD
if [ ! -f "$ROOT/datasets/iris.csv" ]; then
    echo "e2e_cli: FAIL: run from the project root: datasets/iris.csv not found in $ROOT" >&2
    exit 1
fi
if ! command -v timeout >/dev/null 2>&1; then
    echo "e2e_cli: FAIL: timeout(1) is needed" >&2
    exit 1
fi

T=$(mktemp -d /tmp/gradtop-e2e-cli.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT

OUT=$T/out
ERR=$T/err
RC=0

# run ARGS...: runs gradtop with a 60 s limit; stdout in $OUT, stderr in
# $ERR, exit code in $RC.
run() {
    LAST="gradtop $*"
    timeout 60 "$G" "$@" >"$OUT" 2>"$ERR"
    RC=$?
}

# run_fed FEED ARGS...: run, with the output of the shell command FEED on
# gradtop's stdin.
run_fed() {
    feed=$1
    shift
    LAST="$feed | gradtop $*"
    sh -c "$feed" | timeout 60 "$G" "$@" >"$OUT" 2>"$ERR"
    RC=$?
}

# run_signalled SIG ARGS...: run, with SIG sent once gradtop's first epoch
# line has been read from its standard output, a pipe: the signal waits for
# the line itself, however slow the machine, and a run that ends without
# one ends the wait (its end of the pipe closes).
run_signalled() {
    sig=$1
    shift
    LAST="gradtop $*, SIG$sig after its first epoch line"
    rm -f "$T/signalled"
    mkfifo "$T/signalled"
    timeout 60 "$G" "$@" >"$T/signalled" 2>"$ERR" &
    pid=$!
    {
        while IFS= read -r line; do
            printf '%s\n' "$line"
            case $line in epoch*)
                kill -"$sig" "$pid" 2>/dev/null
                break
                ;;
            esac
        done
        cat
    } <"$T/signalled" >"$OUT"
    wait "$pid"
    RC=$?
}

# bad WHAT: records a failure of the last command, with its output.
bad() {
    fail=$((fail + 1))
    echo "e2e_cli: FAIL: $LAST: $1" >&2
    echo "  exit code: $RC" >&2
    echo "  stdout (last 5 lines):" >&2
    tail -n 5 "$OUT" | sed 's/^/    /' >&2
    echo "  stderr (first 5 lines):" >&2
    head -n 5 "$ERR" | sed 's/^/    /' >&2
}

expect_rc() {
    checks=$((checks + 1))
    [ "$RC" -eq "$1" ] || bad "exit code $RC, want $1"
}

# expect_out FILE ERE WHAT: some line of FILE matches ERE.
expect_line() {
    checks=$((checks + 1))
    grep -Eq -- "$2" "$1" || bad "$3"
}

expect_no_line() {
    checks=$((checks + 1))
    if grep -Eq -- "$2" "$1"; then bad "$3"; fi
}

NUM='[0-9]+\.[0-9]{4}'
EPOCH_CLS="^epoch +[0-9]+/[0-9]+  loss $NUM  accuracy $NUM  val_loss $NUM  val_accuracy $NUM  lr [0-9.eE+-]+  [0-9]+\.[0-9]+s\$"

# ---- headless train: epoch lines and the result line ----------------------

run train iris --epochs 3 --no-log
expect_rc 0
checks=$((checks + 1))
n=$(grep -Ec -- "$EPOCH_CLS" "$OUT")
[ "$n" -eq 3 ] || bad "$n lines in the epoch-line format of docs/guide.md, want 3"
checks=$((checks + 1))
nums=$(grep -E '^epoch' "$OUT" | sed -E 's/^epoch +([0-9]+)\/([0-9]+).*/\1of\2/' | tr '\n' ' ')
[ "$nums" = "1of3 2of3 3of3 " ] || bad "epochs numbered '$nums', want 1of3 2of3 3of3"
checks=$((checks + 1))
last=$(tail -n 1 "$OUT")
echo "$last" | grep -Eq "^result: status=completed epochs=3 best_epoch=[1-3] loss=$NUM accuracy=$NUM val_loss=$NUM val_accuracy=$NUM\$" ||
    bad "last line '$last' is not 'result: status=completed epochs=3 best_epoch=N loss=.. accuracy=.. val_loss=.. val_accuracy=..' (and no run= under --no-log)"
checks=$((checks + 1))
lines=$(wc -l <"$OUT")
[ "$lines" -eq 4 ] || bad "$lines lines on stdout, want 3 epoch lines and the result line"

# Regression: mae and r2 take accuracy's place.
run train diabetes --epochs 2 --no-log
expect_rc 0
expect_line "$OUT" "^epoch +1/2  loss $NUM  mae $NUM  r2 -?$NUM  val_loss $NUM  val_mae $NUM  val_r2 -?$NUM  lr [0-9.eE+-]+  [0-9]+\.[0-9]+s\$" \
    "no regression epoch line with mae and r2"
expect_line "$OUT" "^result: status=completed epochs=2 best_epoch=[12] loss=$NUM mae=$NUM r2=-?$NUM val_loss=$NUM val_mae=$NUM val_r2=-?$NUM\$" \
    "no regression result line with mae, r2, val_mae, val_r2"

# --no-log writes nothing in the working directory.
mkdir "$T/cwd"
LAST="(in an empty directory) gradtop train $ROOT/datasets/iris.csv --epochs 1 --no-log"
(cd "$T/cwd" && timeout 60 "$G" train "$ROOT/datasets/iris.csv" --epochs 1 --no-log >"$OUT" 2>"$ERR")
RC=$?
expect_rc 0
checks=$((checks + 1))
left=$(ls -A "$T/cwd")
[ -z "$left" ] || bad "--no-log left files behind: $left"
# --no-log=false, as --help and the man page say, turns off a config
# file's no-log = true (and --no-no-log is never offered: it reads as a slip).
printf 'no-log = true\n' >"$T/nolog.cfg"
run train iris --epochs 1 --config "$T/nolog.cfg" --no-log=false --logdir "$T/nolog"
expect_rc 0
expect_line "$OUT" '^result: .* run=' "--no-log=false did not turn off the config file's no-log = true"
rm -rf "$T/nolog"
# A --logdir so long that a run directory under it would pass the 1023
# bytes a run's path may take is refused before anything is made (the
# result line's run= was cut short); one that leaves room names its run
# whole.  A sweep leaves room for its trials' directories too.
deep=$T/long
while [ ${#deep} -lt 960 ]; do deep=$deep/dddddddddddddddddddddddddddddddddddddddd; done
deep=$deep/$(printf '%*s' $((1000 - ${#deep} - 1)) '' | tr ' ' e)
run train iris --epochs 1 --logdir "$deep"
expect_rc 2
expect_line "$ERR" "^gradtop: --logdir: 1000 bytes long, and the run directory made under it could take [0-9]+, more than the 1023 a run directory's path may: choose a shorter one \\($T/long/" "a --logdir too long for a run directory is not refused"
checks=$((checks + 1))
[ ! -e "$T/long" ] || bad "a refused --logdir was made"
run train iris --epochs 1 --logdir "${deep%/*}"
expect_rc 0
checks=$((checks + 1))
made=$(sed -n 's/^result: .* run=//p' "$OUT")
[ -d "$made" ] && [ "$(dirname "$made")" = "${deep%/*}" ] || bad "the result line's run= is not the run directory: $made"
run sweep iris --space 'lr=loguniform(1e-3,1e-1)' --trials 1 --max-epochs 1 --logdir "${deep%/*}"
expect_rc 2
expect_line "$ERR" "^gradtop: --logdir: [0-9]+ bytes long, and the runs made under it could take [0-9]+, more than the 1023 a run directory's path may: choose a shorter one \\($T/long/" "a sweep's --logdir too long for its trials is not refused"
rm -rf "$T/long"
run train --help
expect_line "$OUT" '; --no-log takes --no-log=false\.$' "train --help does not say how --no-log is turned off"
expect_no_line "$OUT" '--no-no-' "train --help offers --no-no-..."
run --man
expect_line "$OUT" '^Default false; \\fB\\-\\-no\\-log=false\\fR turns it off\.$' \
    "the man page does not say --no-log=false turns --no-log off"
expect_no_line "$OUT" 'no\\-no\\-' "the man page offers --no-no-..."
run --bash-completion
expect_no_line "$OUT" '--no-no-' "the bash completion offers --no-no-..."

# ---- help and version ------------------------------------------------------

run --help
expect_rc 0
expect_line "$OUT" 'usage' "--help prints no usage"
expect_line "$OUT" 'train' "--help does not list the train command"

run train --help
expect_rc 0
expect_line "$OUT" '--lr' "train --help does not list --lr"
expect_line "$OUT" '--batch-size' "train --help does not list --batch-size"
expect_line "$OUT" '0\.001' "train --help does not show the default rate 0.001"
expect_line "$OUT" "--lr F .*\\[default the optimizer's own: 0\\.01 for sgd, 0\\.001 for the others; a positive number, or default for the optimizer's own\\]" "train --help does not give --lr's per-optimizer default and range"
expect_line "$OUT" '--epochs N .*\[default 100; an integer from 1 to 1000000\]' "train --help does not give --epochs's range"
expect_line "$OUT" '--pace max\|Ne\|Nb .*\[default max; .*N from 0\.01 to 1000\]' "train --help does not give --pace's range"

# --help gives each range in the words of the message that refuses a value
# out of it.
cp "$OUT" "$T/help"
for ov in epochs:0 lr:-1 min-delta:-1 layers:0 seed:-1 val-split:1 noise:11; do
    o=${ov%%:*}
    v=${ov#*:}
    run train iris --no-log "--$o" "$v"
    expect_rc 2
    range=$(sed -n 's/.*(expected \(.*\))$/\1/p' "$ERR" | head -n 1)
    line=$(grep -- "^  --$o " "$T/help")
    checks=$((checks + 1))
    if [ -z "$range" ]; then
        bad "--$o $v: the message gives no '(expected RANGE)'"
    elif ! printf '%s\n' "$line" | grep -qF -- "; $range]"; then
        bad "train --help does not give --$o's range as its message does ('$range'): $line"
    fi
done

# eval and predict read the data as the run did: an option left out takes
# the model's stored value, not a new run's default.
for c in eval predict; do
    run $c --help
    expect_rc 0
    expect_no_line "$OUT" '^  --(seed|missing|delimiter|val-split) .*\[default ' \
        "$c --help gives a new run's default for an option that takes the model's"
    expect_line "$OUT" "^  --seed N .*\\[the model's unless given; an integer from 0 to 18446744073709551615\\]" \
        "$c --help does not say that --seed is the model's unless given"
done

run --version
expect_rc 0
expect_line "$OUT" '^gradtop [0-9]+\.[0-9]+\.[0-9]+' "--version does not print 'gradtop X.Y.Z'"
run -V
expect_rc 0
expect_line "$OUT" '^gradtop [0-9]+\.[0-9]+\.[0-9]+' "-V does not print 'gradtop X.Y.Z'"
run -h
expect_rc 0
expect_line "$OUT" '^usage: gradtop ' "-h prints no usage"

# race --help and the man page describe --racers before its option's
# line, which sends the reader there.
for w in "race --help" "--man"; do
    run $w
    cp "$OUT" "$T/racers"
    sed -e 's/\\-/-/g' -e 's/\\f[BIR]//g' "$T/racers" >"$OUT"
    desc=$(grep -n -- '^--racers SPEC: ' "$OUT" | head -n 1 | cut -d: -f1)
    opt=$(grep -n -- '--racers SPEC *racers separated by\|^racers separated by' "$OUT" | head -n 1 | cut -d: -f1)
    checks=$((checks + 1))
    if [ -z "$desc" ] || [ -z "$opt" ]; then
        bad "no --racers description (line ${desc:-none}) or option (line ${opt:-none})"
    elif [ "$desc" -lt "$opt" ]; then
        sed -n "${opt}p" "$OUT" | grep -q 'see above' || bad "the --racers option does not point up to its description"
    else
        sed -n "${opt}p" "$OUT" | grep -q 'see below' || bad "the --racers option does not point down to its description"
    fi
done

# The options that print something and exit are in --help (and so, by the
# manual's checks below, in the man page); --man, --bash-completion and
# --list-datasets go alone, so a command's --help leaves them out.
run --help
for o in '-h, --help' '-V, --version' '--man' '--bash-completion' '--list-datasets'; do
    expect_line "$OUT" "^  $o  " "--help does not list $o"
done
run train --help
expect_line "$OUT" '^  -V, --version  ' "train --help does not list -V, --version"
expect_no_line "$OUT" '^  --(man|bash-completion|list-datasets) ' "train --help lists an option that goes alone"
run --bash-completion
expect_rc 0
expect_line "$OUT" '^complete -o filenames -F _gradtop gradtop$' "--bash-completion prints no completion script"
expect_line "$OUT" '^    \*\) local opts="--help --version --man --bash-completion ' \
    "the completion does not offer the options that print and exit"
run --man --lr 1
expect_rc 2
expect_line "$ERR" '^gradtop: --man goes alone' "--man with another argument is not refused as such"

# gradtop help [COMMAND] prints what --help prints, and is never taken for
# a dataset called help.
run --help
cp "$OUT" "$T/help.main"
run help
expect_rc 0
checks=$((checks + 1))
cmp -s "$OUT" "$T/help.main" || bad "gradtop help does not print what gradtop --help does"
for c in $(sed -n 's/^  gradtop \([a-z]*\) .*/\1/p' "$T/help.main"); do
    run "$c" --help
    cp "$OUT" "$T/help.cmd"
    run help "$c"
    expect_rc 0
    checks=$((checks + 1))
    cmp -s "$OUT" "$T/help.cmd" || bad "gradtop help $c does not print what gradtop $c --help does"
done
run help no-such-command
expect_rc 2
expect_line "$ERR" "^gradtop help: no command 'no-such-command' \\(the commands: train, " \
    "gradtop help with an unknown command does not say so"
if command -v bash >/dev/null 2>&1; then
    "$G" --bash-completion >"$T/completion"
    LAST="the completion of 'gradtop help tr'"
    checks=$((checks + 1))
    bash -c '. "$1"; COMP_WORDS=(gradtop help tr); COMP_CWORD=2; _gradtop
             printf "%s\n" "${COMPREPLY[@]}"' sh "$T/completion" >"$OUT" 2>"$ERR"
    grep -qx train "$OUT" || bad "the completion does not offer the command train after help"
    # a command's own option with a few words for its value offers them
    LAST="the completion of 'gradtop eval --part '"
    checks=$((checks + 1))
    bash -c '. "$1"; COMP_WORDS=(gradtop eval --part ""); COMP_CWORD=3; _gradtop
             printf "%s\n" "${COMPREPLY[@]}"' sh "$T/completion" >"$OUT" 2>"$ERR"
    [ "$(sort "$OUT" | tr '\n' ' ')" = "all train val " ] ||
        bad "the completion does not offer all, train and val after eval --part: $(tr '\n' ' ' <"$OUT")"
fi

# ---- the manual page: gradtop --man ----------------------------------------
# The page is roff made from the program's tables; these checks read the
# roff itself, so that they need neither man nor groff.  $T/man.1 is the
# page, $T/man.txt its text with the roff escapes undone.

run --man
expect_rc 0
cp "$OUT" "$T/man.1"
sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\e/\\/g' "$T/man.1" >"$T/man.txt"
# The parser takes --NAME=VALUE and "--" before a DATASET: both are said,
# in --help and in the manual alike.
run train --epochs=1 --no-log -- iris
expect_rc 0
for f in "$T/man.txt" "$T/help"; do
    expect_line "$f" "value is the next word or follows '=' \\(--lr=0\\.01\\); '--' ends the options" \
        "$(basename "$f") does not say that --lr=0.01 and '--' are taken"
done
# man_section NAME: the roff lines of section NAME, its .SH line left out.
man_section() {
    awk -v want=".SH $1" '/^\.SH /{on = ($0 == want || $0 == want "\"") ; next} on' "$T/man.1"
}
expect_line "$T/man.1" '^\.TH GRADTOP 1 ' "the manual does not start with .TH GRADTOP 1"
for s in NAME SYNOPSIS DESCRIPTION COMMANDS 'EXIT STATUS' FILES EXAMPLES; do
    checks=$((checks + 1))
    man_section "$s" | grep -q . || bad "the manual has no (or an empty) $s section"
done
# Every control line is a request the page means to make: a text line that
# starts with '.' or "'" would be taken for one and vanish.
checks=$((checks + 1))
odd=$(grep -n "^[.']" "$T/man.1" | grep -Ev '^[0-9]+:\.(TH|SH|SS|TP|IP|PP|B|I|BR|br|nf|fi|RS|RE)( |$)')
[ -z "$odd" ] || bad "the manual has control lines that are no request it means: $odd"
# Every escape is one the generator writes on purpose.
checks=$((checks + 1))
odd=$(grep -o '\\.' "$T/man.1" | sort -u | grep -Fxv -e '\-' -e '\e' -e '\&' -e '\f' | tr '\n' ' ')
[ -z "$odd" ] || bad "the manual has unexpected escapes: $odd"
checks=$((checks + 1))
odd=$(grep -o '\\f.' "$T/man.1" | sort -u | grep -Fxv -e '\fB' -e '\fI' -e '\fR' | tr '\n' ' ')
[ -z "$odd" ] || bad "the manual has unexpected font escapes: $odd"
# A minus sign not written \- is a hyphen to groff: an option copied from
# the rendered page would not work.
checks=$((checks + 1))
odd=$(grep -n -e '^-' -e '[^\\]-' "$T/man.1" | head -n 3)
[ -z "$odd" ] || bad "the manual has a '-' not written '\\-': $odd"
# A bold or italic stretch ends on its line; .nf and .fi alternate; no
# blank line outside .nf (one in filled text is a stray paragraph break).
checks=$((checks + 1))
odd=$(awk '{ n = split($0, a, /\\f/); if (n > 1 && substr(a[n], 1, 1) != "R") print NR": "$0 }
           /^\.nf/ { if (nf) print NR": .nf inside .nf"; nf = 1 }
           /^\.fi/ { if (!nf) print NR": .fi without .nf"; nf = 0 }
           /^$/ && !nf { print NR": blank line in filled text" }
           END { if (nf) print "no .fi after the last .nf" }' "$T/man.1" | head -n 3)
[ -z "$odd" ] || bad "the manual's roff is unbalanced: $odd"
# Where the sweep screen's cursor stays, as the screen's own help says, and
# what sweep --resume refuses in space.txt.
LAST="gradtop --man: SWEEP SCREEN KEYS and FILES"
man_section 'SWEEP SCREEN KEYS' | sed -e 's/\\-/-/g' | tr '\n' ' ' >"$T/man.sec"
expect_line "$T/man.sec" 'it stays on the first row, the leader, until it is moved or its trial acted on' \
    "the manual does not say where the sweep screen's cursor stays"
man_section FILES | sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' | tr '\n' ' ' >"$T/man.sec"
expect_line "$T/man.sec" 'sweep --resume reads it \(refusing sweep settings' \
    "the manual does not say that sweep --resume refuses space.txt's edited settings"
man_section EXAMPLES >"$T/man.sec"
expect_line "$T/man.sec" '\\-\\-lr' "the manual's EXAMPLES do not write --lr as \\-\\-lr"
expect_no_line "$T/man.sec" '\\e' "the manual's EXAMPLES show a literal backslash"
# Every command's synopsis is in SYNOPSIS, and every option any command's
# --help lists has an entry of its own.
man_section SYNOPSIS >"$T/man.sec"
"$G" --help | sed -n 's/^  \(gradtop [a-z]*\) .*/\1/p' >"$T/cmds"
checks=$((checks + 1))
[ "$(wc -l <"$T/cmds")" -ge 8 ] || bad "gradtop --help lists fewer than 8 commands: $(cat "$T/cmds")"
echo gradtop >>"$T/cmds"
while read -r c; do
    words=$(printf '%s\n' "$c" | sed 's/^gradtop//')
    run $words --help
    expect_rc 0
    cp "$OUT" "$T/cmdhelp"
    syn=$(sed -n 's/^usage: //p' "$T/cmdhelp" | sed 's/-/\\-/g')
    checks=$((checks + 1))
    grep -qxF ".B $syn" "$T/man.sec" || bad "the manual's SYNOPSIS lacks '$syn'"
    # the same default and range, in the same words (a command's own
    # option's help says its default, the same text in both)
    sed -n 's/^  --[a-z0-9-]* .* \[default \(.*\)\]\( (.*)\)\{0,1\}$/\1/p' "$T/cmdhelp" >"$T/defaults"
    while read -r d; do
        checks=$((checks + 1))
        grep -qF -e "Default $d." -e "Default \"$d\"." -e "[default $d]" "$T/man.txt" ||
            bad "the manual does not say 'Default $d.' as $c --help does"
    done <"$T/defaults"
    sed -n 's/^  \(-[A-Za-z], \)\{0,1\}--\([a-z0-9-]*\).*/\2/p' "$T/cmdhelp" >"$T/opts"
    checks=$((checks + 1))
    [ -s "$T/opts" ] || bad "$c --help lists no options"
    while read -r o; do
        checks=$((checks + 1))
        e=$(printf '%s' "$o" | sed 's/-/\\-/g')
        grep -qF "\\fB\\-\\-$e\\fR" "$T/man.1" || bad "the manual has no entry for --$o, which $c --help lists"
    done <"$T/opts"
done <"$T/cmds"
# FILES names every file docs/files.md's tables describe (the run
# directory's, checkpoint.gtm included, and the sweep directory's).
LAST="gradtop --man's FILES against docs/files.md"
sed -n 's/^| `\([^`]*\)` |.*/\1/p' "$ROOT/docs/files.md" >"$T/files"
man_section FILES | sed -e 's/\\-/-/g' -e 's/\\&//g' >"$T/man.sec"
checks=$((checks + 1))
[ "$(wc -l <"$T/files")" -ge 9 ] || bad "docs/files.md's tables name fewer than 9 files: $(cat "$T/files")"
while read -r file; do
    checks=$((checks + 1))
    grep -qF -- "$file" "$T/man.sec" || bad "the man page's FILES does not name $file (docs/files.md does)"
done <"$T/files"

# ENVIRONMENT names what the screens read besides the command line.
man_section ENVIRONMENT >"$T/man.sec"
LAST="gradtop --man's ENVIRONMENT"
for e in NO_COLOR TERM LANG; do
    expect_line "$T/man.sec" "^\\.B .*\\<$e\\>" "the man page's ENVIRONMENT does not name $e"
done

# The race screen's keys, as its key table gives them (race_key_table in
# src/tui/keys.c, with the chart rows it shares with the dashboard's,
# CHART_KEY_ROWS; each row's first key, which the man page names), are
# each named in the man page's race keys.
LAST="the race keys of gradtop --man against race_key_table in src/tui/keys.c"
awk '/^#define CHART_KEY_ROWS/,/[^\\]$/; /^const KeyBinding race_key_table\[\]/,/^};/' \
    "$ROOT/src/tui/keys.c" | sed -n "s/^ *{'\(\\\\\?.\)', .*/\1/p" >"$T/race.keys"
awk '/^const KeyBinding key_table\[\]/,/^};/' "$ROOT/src/tui/keys.c" |
    sed -n "s/^ *{'\(.\)', '\(.\)',.*/\2\1/p" >"$T/alt.keys"
sed -n "/^Keys: /,/^Each racer's run files/p" "$T/man.txt" | sed '$d' | tr ' ' '\n' |
    sed -e 's/^\(..*\)[,.;:]$/\1/' -e 's/^(//' -e 's/)$//' >"$T/race.words"
checks=$((checks + 1))
[ "$(wc -l <"$T/race.keys")" -ge 8 ] ||
    bad "cannot read the race's keys from race_key_table in src/tui/keys.c: '$(tr '\n' ' ' <"$T/race.keys")'"
while IFS= read -r k; do
    [ "$k" = " " ] && k=space
    primary=$(awk -v k="$k" 'substr($0, 1, 1) == k { print substr($0, 2, 1) }' "$T/alt.keys")
    [ -n "$primary" ] && k=$primary
    checks=$((checks + 1))
    grep -qxF -- "$k" "$T/race.words" || bad "the man page's race keys do not name '$k', which the race screen takes"
done <"$T/race.keys"

# The run view's keys, as its key table gives them (view_keys in
# src/tui/logview.c, each entry's label), are each an entry of the man
# page's VIEW KEYS, as the sweep screen's are of SWEEP SCREEN KEYS.
LAST="the view keys of gradtop --man against view_keys in src/tui/logview.c"
awk '/^static const ViewKey view_keys\[\]/,/^};/' "$ROOT/src/tui/logview.c" |
    sed -n 's/^ *{[^"]*"\([^"]*\)".*/\1/p' >"$T/view.keys"
man_section 'VIEW KEYS' | sed -e 's/\\-/-/g' -e 's/\\&//g' >"$T/man.sec"
checks=$((checks + 1))
[ "$(wc -l <"$T/view.keys")" -ge 15 ] ||
    bad "cannot read the view's keys from view_keys in src/tui/logview.c: '$(tr '\n' ' ' <"$T/view.keys")'"
while IFS= read -r k; do
    checks=$((checks + 1))
    grep -qxF -- ".B $k" "$T/man.sec" || bad "the man page's VIEW KEYS do not name '$k', which gradtop view takes"
done <"$T/view.keys"

# What the view marks with a triangle: the guide's `gradtop view` section
# names each kind of event that the view's own help (src/tui/logview.c)
# names.
LAST="docs/guide.md's gradtop view section against src/tui/logview.c's help"
sed -n '/^### `gradtop view`/,/^### `gradtop race`/p' "$ROOT/docs/guide.md" | tr '\n' ' ' >"$T/guide.view"
# the source's string literals joined: "a stop or " "early stop"
tr '\n' ' ' <"$ROOT/src/tui/logview.c" | sed 's/"[[:space:]]*"//g' >"$T/logview.c"
for e in 'restored weights' 'a stop or early stop' 'a divergence (in the bad one)'; do
    checks=$((checks + 1))
    if ! grep -qF -- "$e" "$T/logview.c"; then
        bad "the view's help in src/tui/logview.c no longer says '$e': update this check"
    elif ! grep -qF -- "$e" "$T/guide.view"; then
        bad "the guide's gradtop view section does not say the view marks $e"
    fi
done

# The README and the guide name every option some --help lists (an
# option with a one-dash alias, such as -o, may go by it).
LAST="README.md and docs/guide.md against every --help"
cat "$ROOT/README.md" "$ROOT/docs/guide.md" >"$T/docs"
for c in $(sed -n 's/^  gradtop \([a-z]*\) .*/\1/p' "$T/help.main") ""; do "$G" $c --help; done |
    sed -n 's/^  \(-\([A-Za-z]\), \)\{0,1\}--\([a-z0-9-]*\).*/\3 \2/p' | sort -u >"$T/docopts"
checks=$((checks + 1))
[ "$(wc -l <"$T/docopts")" -ge 60 ] || bad "the --help texts list fewer than 60 options"
while read -r o alias; do
    checks=$((checks + 1))
    grep -q -- "--$o\([^a-z0-9-]\|$\)" "$T/docs" ||
        { [ -n "$alias" ] && grep -q -- "-$alias\([^A-Za-z0-9-]\|$\)" "$T/docs"; } ||
        bad "neither README.md nor docs/guide.md names --$o"
done <"$T/docopts"

# The exit codes: --help, the man page and README.md's table say the same
# words (README's backquotes aside).
LAST="gradtop --help, gradtop --man and README.md on the exit codes"
"$G" --help | sed -n '/^Exit codes:$/,$ s/^  \([0-9][0-9]*\) *\(.*\)/\1|\2/p' >"$T/exit.help"
man_section 'EXIT STATUS' | sed -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\e/\\/g' |
    awk '/^\.B / { code = $2; next } /^[^.]/ && code != "" { print code "|" $0; code = "" }' >"$T/exit.man"
sed -n '/^### Exit codes/,/^##* [^E]/ s/^| \([0-9][0-9]*\) | \(.*\) |$/\1|\2/p' "$ROOT/README.md" |
    tr -d '`' >"$T/exit.readme"
checks=$((checks + 1))
[ "$(wc -l <"$T/exit.help")" -ge 5 ] || bad "--help lists fewer than 5 exit codes: $(cat "$T/exit.help")"
checks=$((checks + 1))
cmp -s "$T/exit.help" "$T/exit.man" ||
    bad "the man page's EXIT STATUS differs from --help's: $(diff "$T/exit.help" "$T/exit.man" | head -n 4)"
checks=$((checks + 1))
cmp -s "$T/exit.help" "$T/exit.readme" ||
    bad "README.md's exit codes differ from --help's: $(diff "$T/exit.help" "$T/exit.readme" | head -n 4)"
# Rendered, when groff is here: with every warning on, it says nothing.
# Without groff this is not checked, and says so.
LAST="groff -man -ww on gradtop --man"
if command -v groff >/dev/null 2>&1; then
    checks=$((checks + 1))
    groff -man -Tutf8 -ww -z "$T/man.1" >"$T/groff.err" 2>&1 || echo "groff exit $?" >>"$T/groff.err"
    [ -s "$T/groff.err" ] && bad "groff -ww warns about the manual: $(head -n 3 "$T/groff.err")"
else
    echo "e2e_cli: not checked: groff is not installed, so the manual was not rendered"
fi

# ---- usage errors: exit 2, the option named on stderr ---------------------

# bad_option NAME VALUE: train iris --NAME VALUE must be a usage error.
bad_option() {
    run train iris --epochs 1 --no-log "--$1" "$2"
    expect_rc 2
    expect_line "$ERR" "--$1" "stderr does not name --$1"
    expect_no_line "$OUT" '^epoch' "trained despite a bad --$1"
}
bad_option lr -1
bad_option lr 0
bad_option lr nan
bad_option batch-size 0
bad_option batch-size 1000000000000
bad_option optimizer foo
bad_option layers 0
bad_option layers 64,,32
bad_option epochs 0
bad_option val-split 1

# The accepted range is named too.
run train iris --lr -1
expect_line "$ERR" 'expected a positive number' "--lr error does not give the accepted range"
run train iris --optimizer foo
expect_line "$ERR" 'adam' "--optimizer error does not list the optimizers"

run train iris --frobnicate 3
expect_rc 2
expect_line "$ERR" 'frobnicate' "unknown option not named"

run train
expect_rc 2

# One DATASET at most: a second word is an error, not silently dropped.
run train iris --layers 64 32 --epochs 1 --no-log
expect_rc 2
expect_line "$ERR" "unexpected '32' after --layers 64" "a list given as two words is not refused"
expect_line "$ERR" 'comma-separated' "the extra word after --layers does not point at the list form"
expect_no_line "$OUT" '^epoch' "trained despite an extra argument"
run train iris wine --epochs 1 --no-log
expect_rc 2
expect_line "$ERR" "unexpected 'wine' after 'iris'" "a second dataset is not refused"
run trian iris
expect_rc 2
expect_line "$ERR" "if 'trian' was meant as a command" "a mistyped command is not pointed out"
run predict --model m.gtm iris -o
expect_rc 2
expect_line "$ERR" '^gradtop: -o needs a value' "a missing -o value is not named as typed"
run train iris --name a/b --no-log
expect_rc 2
expect_line "$ERR" "without '/'" "--name does not say '/' is not allowed"

run train datasets/no-such-dataset.csv --no-log
expect_rc 2
expect_line "$ERR" 'no-such-dataset\.csv' "missing dataset file not named"

run train no-such-dataset-name --no-log
expect_rc 2
expect_line "$ERR" 'no-such-dataset-name' "unknown dataset name not named"

run train iris --test no-such-test-set --no-log
expect_rc 2
expect_line "$ERR" "^gradtop: --test: unknown dataset 'no-such-test-set'" "a bad --test does not name --test"

# More threads than cores trains on the cores, and says so.
run train iris --threads 1000 --epochs 1 --no-log
expect_rc 0
expect_line "$ERR" '^gradtop: --threads 1000: this machine has [0-9]+ cores, so at most [0-9]+ threads train' \
    "--threads above the core count is capped without a word"

# Messages about the data name the file and the option that helps.
printf 'a,b,y\n1,,x\n3,4,y\n' >"$T/missing.csv"
run train "$T/missing.csv" --no-log
expect_rc 2
expect_line "$ERR" 'missing\.csv:2:2: .*--missing drop or --missing mean' "a missing value does not name --missing"
printf 'a,b,y\n1,2,x\n3,4,x\n5,6,x\n' >"$T/one-class.csv"
run train "$T/one-class.csv" --no-log
expect_rc 2
expect_line "$ERR" "one-class\.csv: the label column 'y' has 1 class" "a one-class label column does not name the file"
printf 'a,b,y\n1,2,x\n3,4,y\n' >"$T/two-rows.csv"
run train "$T/two-rows.csv" --no-log --epochs 1
expect_rc 0
expect_line "$ERR" 'val-split 0\.2 of 2 rows leaves none' "an empty validation part is blamed on --val-split 0"
run inspect wine
expect_rc 0
expect_line "$OUT" '^label +cultivar \(column 14; --label 13\)' "inspect does not give the --label index"
# A column and a --label index only where --label chooses one: not for an
# IDX file's labels (it said "column 0; --label -1") nor a generated set's.
for d in "$ROOT/tests/data/idx/tiny-images-idx3-ubyte" spiral; do
    run inspect "$d"
    expect_rc 0
    expect_line "$OUT" '^label +[a-z]+$' "inspect $d gives its label a column"
done
expect_no_line "$OUT" '\.\./datasets' "inspect shows a build/../datasets path"

# ---- --config --------------------------------------------------------------

# valid.cfg: dataset wine, epochs 7, label cultivar...; --epochs 2 wins.
run train --config tests/data/config/valid.cfg --epochs 2 --no-log
expect_rc 0
expect_line "$OUT" '^result: status=completed epochs=2 ' "--epochs on the command line did not win over the config"
checks=$((checks + 1))
n=$(grep -c '^epoch' "$OUT")
[ "$n" -eq 2 ] || bad "$n epoch lines, want 2"

run train iris --config tests/data/config/unknown_key.cfg --no-log
expect_rc 2
expect_line "$ERR" 'unknown_key\.cfg:3' "config error does not name FILE:LINE (unknown_key.cfg:3)"

run train iris --config tests/data/config/bad_value.cfg --no-log
expect_rc 2
expect_line "$ERR" 'bad_value\.cfg:4' "config error does not name FILE:LINE (bad_value.cfg:4)"
expect_line "$ERR" '--batch-size' "config error does not name --batch-size"

run train iris --config tests/data/config/no-such.cfg --no-log
expect_rc 2
expect_line "$ERR" 'no-such\.cfg' "missing config file not named"

# ---- inspect and gradcheck -------------------------------------------------

run inspect datasets/iris.csv
expect_rc 0
expect_line "$OUT" '(^|[^0-9])150([^0-9]|$)' "inspect does not show 150 rows"
expect_line "$OUT" 'rows[^0-9]*150' "inspect does not show 'rows ... 150'"
expect_line "$OUT" 'features[^0-9]*4([^0-9]|$)' "inspect does not show 'features ... 4'"
expect_line "$OUT" '3 classes' "inspect does not show 3 classes"
for c in setosa versicolor virginica; do
    expect_line "$OUT" "${c}[^0-9]+50([^0-9]|$)" "inspect does not show class $c with 50 rows"
done
expect_line "$OUT" 'species' "inspect does not name the label column"

run inspect datasets/no-such-dataset.csv
expect_rc 2
expect_line "$ERR" 'no-such-dataset\.csv' "inspect: missing file not named"

run gradcheck iris
expect_rc 0
checks=$((checks + 1))
last=$(tail -n 1 "$OUT")
if ! echo "$last" | grep -Eqw 'agree|agrees' || echo "$last" | grep -Eqi 'disagree|not agree'; then
    bad "last line '$last' does not say the gradients agree"
fi

# relu with zero biases: a row whose first hidden layer is all zeros puts
# layer 2 on relu's kink, which a central difference cannot see past.  The
# entries are left out and said so; the network is correct and agrees.
run gradcheck datasets/wine.csv --layers 7,5 --activation relu --l2 0.01 --seed 3
expect_rc 0
expect_no_line "$OUT" 'MISMATCH' "gradcheck reports a kink of a correct relu network as a mismatch"
expect_line "$OUT" '^  2      7 -> 5 relu        W  .*  ok$' "gradcheck wine: layer 2 W is not checked ok"
expect_line "$OUT" '^ +b +0 +5 +- +- +- +all left out$' "gradcheck wine: layer 2 b is not shown as all left out"
expect_line "$OUT" '^5 entries left out of the verdict: a relu pre-activation lay within the step of its kink at 0$' \
    "gradcheck wine does not say how many entries were left out and why"
expect_line "$OUT" '^layer 2 b: every sampled entry was left out; it is not checked$' \
    "gradcheck wine does not name the tensor it could not check"
checks=$((checks + 1))
last=$(tail -n 1 "$OUT")
echo "$last" | grep -Eq '^backprop agrees with finite differences on the 5 of 6 tensors checked: ' ||
    bad "last line '$last' does not say agreement on the 5 tensors checked"

# ---- reduce-on-plateau follows the monitor's direction -----------------------
# val_accuracy rises over the first epochs (0.63, 0.73, 0.77, 0.80 with seed
# 0): a plateau schedule watching it keeps the rate while it rises.

run train iris --monitor val_accuracy --lr-schedule plateau --plateau-patience 2 --factor 0.5 \
    --epochs 8 --lr 0.01 --patience 0 --no-log
expect_rc 0
checks=$((checks + 1))
accs=$(grep -E '^epoch +[1-4]/' "$OUT" | sed -E 's/.*val_accuracy ([0-9.]+).*/\1/' | tr '\n' ' ')
echo "$accs" | awk '{ exit !($1 < $2 && $2 < $3 && $3 < $4) }' ||
    bad "val_accuracy over epochs 1-4 is '$accs', not rising: the check below would mean nothing"
checks=$((checks + 1))
rates=$(grep -E '^epoch +[1-6]/' "$OUT" | sed -E 's/.* lr ([0-9.eE+-]+) .*/\1/' | sort -u | tr '\n' ' ')
[ "$rates" = "0.01 " ] || bad "the rate over epochs 1-6 is '$rates' while val_accuracy rose or held: want 0.01 throughout"

# ---- divergence: exit 3, status=diverged -----------------------------------

run train diabetes --optimizer sgd --lr 10 --no-log
expect_rc 3
checks=$((checks + 1))
last=$(tail -n 1 "$OUT")
echo "$last" | grep -Eq '^result: status=diverged ' || bad "last line '$last' is not 'result: status=diverged ...'"
checks=$((checks + 1))
[ -s "$ERR" ] || bad "no explanation of the divergence on stderr"

# ---- SIGINT: exit 130, status=stopped --------------------------------------

# Under timeout(1), which passes SIGINT on to gradtop with the default
# disposition, as a terminal's Ctrl-C would find it.  --patience 0 so that
# early stopping cannot end the run before the signal.
run_signalled INT train digits --epochs 100000 --patience 0 --no-log
expect_rc 130
checks=$((checks + 1))
n=$(grep -c '^epoch' "$OUT")
[ "$n" -ge 1 ] || bad "no epoch ran before the signal"
checks=$((checks + 1))
last=$(tail -n 1 "$OUT")
echo "$last" | grep -Eq '^result: status=stopped epochs=[0-9]+ ' ||
    bad "last line '$last' is not 'result: status=stopped epochs=N ...' (killed by the signal instead of stopping?)"

# ---- --config: text only, of bounded size --------------------------------

# A NUL byte is a binary file, named at its line and column; nothing after
# it is dropped unseen.
printf 'lr = 0.5\0garbage\nepochs = 2\n' >"$T/nul.cfg"
run train iris --no-log --config "$T/nul.cfg"
expect_rc 2
expect_line "$ERR" 'nul\.cfg:1:9: NUL byte: this is a binary file, not a config file' \
    "a NUL byte in a config file is not refused at its line and column"
expect_no_line "$OUT" '^epoch' "trained from a config file with a NUL byte"
printf '\0\1\2' >"$T/bin.cfg"
run train iris --no-log --config "$T/bin.cfg"
expect_rc 2
expect_line "$ERR" 'bin\.cfg:1:1: NUL byte' "a binary config file loads as an empty one"

# Endless input ends: /dev/zero at its first byte, text past the size limit.
run train iris --no-log --config /dev/zero
expect_rc 2
expect_line "$ERR" '^gradtop: /dev/zero:1:1: NUL byte' "--config /dev/zero is not refused"
run_fed "yes 'epochs = 2'" train iris --no-log --config /dev/stdin
expect_rc 2
expect_line "$ERR" '^gradtop: /dev/stdin: larger than the 1 MB a config file may be' \
    "endless config text is not refused at the size limit"
# A named pipe nobody writes to is refused, not waited on; one with a
# writer is read.
mkfifo "$T/fifo.cfg"
run train iris --no-log --config "$T/fifo.cfg"
expect_rc 2
expect_line "$ERR" 'fifo\.cfg: a pipe with nothing to read' "a config FIFO without a writer is waited on"
run_fed "echo 'epochs = 2'" train iris --no-log --config /dev/stdin
expect_rc 0
expect_line "$OUT" '^result: status=completed epochs=2 ' "a config read from a pipe is not applied"

# Control bytes are refused by their code, and never echoed: the terminal
# gets no escape sequence from a message.
ESC=$(printf '\033')
printf '\033[31mRED = 1\n' >"$T/esc.cfg"
run train iris --no-log --config "$T/esc.cfg"
expect_rc 2
expect_line "$ERR" 'esc\.cfg:1:1: control character 0x1B' "a control character in a config file is not named"
expect_no_line "$ERR" "$ESC" "an escape byte from a config file reaches the terminal"
run train iris --no-log --optimizer "${ESC}[31mx"
expect_rc 2
expect_line "$ERR" "unknown value '\\\\x1B\\[31mx'" "a bad value's escape byte is not shown as \\x1B"
expect_no_line "$ERR" "$ESC" "an escape byte from a bad value reaches the terminal"

# --noise says what it takes, negative values included, in its message and
# in --help alike.
run train iris --no-log --noise 11
expect_rc 2
expect_line "$ERR" "expected a number from 0 to 1, or negative for the set's default" \
    "--noise's message does not say that a negative value is the set's default"
expect_line "$T/help" "^  --noise F .*or negative for the set's default\\]" \
    "train --help does not say that a negative --noise is the set's default"

# ---- config.txt holds --threads ---------------------------------------------

run train iris --epochs 1 --threads 2 --logdir "$T/thr"
expect_rc 0
cfg=$(ls "$T"/thr/*/config.txt 2>/dev/null | head -n 1)
checks=$((checks + 1))
if [ -z "$cfg" ]; then
    bad "no config.txt written"
else
    expect_line "$cfg" '^threads = 2$' "config.txt leaves out --threads"
    expect_no_line "$cfg" '^(logdir|no-log|config|start) =' "config.txt holds an option of where or how it runs"
    run train --config "$cfg" --epochs 1 --no-log
    expect_rc 0
fi
model=$(ls "$T"/thr/*/model.gtm 2>/dev/null | head -n 1)

# ---- standard output that cannot be written: exit 1 -------------------------

# expect_stopped_run LOGDIR WHY: the one run in LOGDIR ended as a stopped
# run does, its files complete: the journal's end and result, model.gtm,
# an epoch in metrics.csv.
expect_stopped_run() {
    d=$(ls -d "$1"/*/ 2>/dev/null | head -n 1)
    checks=$((checks + 1))
    if [ -z "$d" ] || [ ! -f "$d/journal.txt" ]; then
        bad "no run directory with a journal.txt in $1 after $2"
        return
    fi
    expect_line "$d/journal.txt" ' end stopped after [0-9]+ epoch' "the journal has no end after $2"
    expect_line "$d/journal.txt" ' result status=stopped ' "the journal has no result after $2"
    checks=$((checks + 1))
    [ -s "$d/model.gtm" ] || bad "no model.gtm after $2"
    checks=$((checks + 1))
    [ "$(wc -l <"$d/metrics.csv")" -ge 2 ] || bad "metrics.csv has no epoch after $2"
}

# run_full ARGS...: gradtop ARGS >/dev/full.
run_full() {
    LAST="gradtop $* >/dev/full"
    : >"$OUT"
    timeout 60 "$G" "$@" >/dev/full 2>"$ERR"
    RC=$?
}
run_full train iris --epochs 2 --no-log
expect_rc 1
expect_line "$ERR" '^gradtop: standard output: No space left on device' "train does not report a full stdout"
run_full train iris --epochs 50 --patience 0 --logdir "$T/full"
expect_rc 1
expect_line "$ERR" 'training stopped after epoch 1 of 50; the run files are complete' \
    "train with a full stdout does not stop after the first epoch"
expect_stopped_run "$T/full" "a full stdout"
run_full gradcheck iris
expect_rc 1
expect_line "$ERR" '^gradtop: standard output: No space left on device' "gradcheck does not report a full stdout"
run_full inspect iris
expect_rc 1
run_full --help
expect_rc 1

# A reader that goes away: SIGPIPE does not kill the run half-written; it
# stops as on SIGINT, its files complete, and exits 1 (an I/O error).
LAST="gradtop train digits --epochs 100000 --patience 0 --logdir $T/pipe | head -n 1"
{
    timeout 60 "$G" train digits --epochs 100000 --patience 0 --logdir "$T/pipe" 2>"$ERR"
    echo $? >"$T/pipe.rc"
} | head -n 1 >"$OUT"
RC=$(cat "$T/pipe.rc")
expect_rc 1
expect_line "$OUT" '^epoch +1/100000 ' "the first epoch line did not arrive"
expect_line "$ERR" '^gradtop: standard output: Broken pipe: training stopped after epoch [0-9]+ of 100000; the run files are complete' \
    "a closed stdout is not reported"
expect_stopped_run "$T/pipe" "the reader left"

# ---- SIGHUP: as SIGTERM, the run's files finished -------------------------

# The terminal or SSH session that started a headless run went away: the
# run stops after its batch with its end and result written, exit 130.
# The signal is sent once the first epoch line has been read (it once came
# after a fixed 30 s of polling, before the first epoch of a loaded machine,
# and found the run still loading).
run_signalled HUP train digits --epochs 100000 --patience 0 --logdir "$T/hup"
expect_rc 130
expect_line "$OUT" '^result: status=stopped epochs=[0-9]+ ' "SIGHUP did not stop the run with its result line"
expect_stopped_run "$T/hup" "SIGHUP"

# ---- SIGQUIT: as SIGINT, exit 131, no core dump ----------------------------

# Ctrl-\ on a headless run: the run stops after its batch with its files
# complete, as on SIGINT, and exits 131 (128 + 3, as the screens do), where
# the signal's default action dumped core and left the run without its
# end, its model.gtm (a model.gtm.tmp.PID in its place) and its result.
# Run in a directory of its own with core dumps allowed, where a core file
# would land (when the system writes them to the working directory).
mkdir "$T/quit"
(
    cd "$T/quit" || exit 1
    ulimit -c unlimited 2>/dev/null
    run_signalled QUIT train "$ROOT/datasets/digits.csv" --epochs 100000 --patience 0 --logdir "$T/quit/runs"
    echo "$RC" >"$T/quit.rc"
)
RC=$(cat "$T/quit.rc")
LAST="gradtop train $ROOT/datasets/digits.csv --epochs 100000 --patience 0 --logdir $T/quit/runs, SIGQUIT after its first epoch line"
expect_rc 131
expect_line "$OUT" '^result: status=stopped epochs=[0-9]+ ' "SIGQUIT did not stop the run with its result line"
expect_stopped_run "$T/quit/runs" "SIGQUIT"
checks=$((checks + 1))
ls "$T"/quit/core* >/dev/null 2>&1 && bad "SIGQUIT dumped core: $(ls "$T"/quit/core*)"
checks=$((checks + 1))
ls "$T"/quit/runs/*/model.gtm.tmp.* >/dev/null 2>&1 && bad "SIGQUIT left a model.gtm.tmp behind"

# ---- options a command does not take are refused ---------------------------

run train iris --model foo --part val --epochs 1 --no-log
expect_rc 2
expect_line "$ERR" '^gradtop train: --model is for eval and predict; train starts from scratch \(train --resume RUNDIR continues a run\)' \
    "train takes --model silently"
expect_no_line "$OUT" '^epoch' "trained despite --model"
run inspect iris -o "$T/inspect.csv"
expect_rc 2
expect_line "$ERR" '^gradtop inspect: -o is for predict' "inspect takes -o silently"
checks=$((checks + 1))
[ ! -e "$T/inspect.csv" ] || bad "inspect -o wrote a file"
run eval --model "$model" iris --epochs 5 --lr 3 --start
expect_rc 2
expect_line "$ERR" '^gradtop eval: --epochs is for train, race and the interactive mode; eval takes the network' \
    "eval takes --epochs silently"
run train iris --paused
expect_rc 2
expect_line "$ERR" '^gradtop train: --paused is for race, sweep and the interactive mode; train is headless \(gradtop --start DATASET --paused' \
    "train --paused without pointing at the dashboard"
# race and sweep take --paused for their screens; without one there is
# nothing to resume from
run race iris --paused
expect_rc 2
expect_line "$ERR" '^gradtop race: --paused needs the race screen to resume from, but standard input and output are not both a terminal \(run it in one, or leave --paused out' \
    "a headless race takes --paused silently"
run sweep iris --space 'lr=uniform(0.01,0.1)' --paused
expect_rc 2
expect_line "$ERR" '^gradtop sweep: --paused needs the sweep screen to resume from' \
    "a headless sweep takes --paused silently"
run sweep iris --space 'lr=uniform(0.01,0.1)' --epochs 3
expect_rc 2
expect_line "$ERR" "^gradtop sweep: --epochs is for train, race and the interactive mode; a sweep's trials train at most --max-epochs" \
    "sweep --epochs without naming --max-epochs"
run sweep iris --space 'lr=uniform(0.01,0.1)' --threads 2
expect_rc 2
expect_line "$ERR" "^gradtop sweep: --threads is for train, race and the interactive mode; a sweep's trials train on one thread each, --parallel of them at once" \
    "sweep takes --threads silently (its trials train on one thread each)"
run predict --model "$model" iris --part val
expect_rc 2
expect_line "$ERR" '^gradtop predict: --part is for eval' "predict takes --part silently"
run eval --model "$model" iris --config tests/data/config/valid.cfg
expect_rc 2
expect_line "$ERR" '^gradtop eval: --config is for ' "eval takes --config silently"
run gradcheck iris --epochs 3
expect_rc 2
expect_line "$ERR" '^gradtop gradcheck: --epochs is for ' "gradcheck takes --epochs silently"
run view "$T/thr" --lr 3
expect_rc 2
expect_line "$ERR" '^gradtop view: --lr is for .*; view takes only LOGDIR \(or --logdir\)' "view takes --lr silently"
run train iris --start --epochs 1 --no-log
expect_rc 2
expect_line "$ERR" '^gradtop train: --start is for the interactive mode' "train takes --start silently"
run --resume "$T/thr"
expect_rc 2
expect_line "$ERR" '^gradtop: --resume is for train' "the interactive mode takes --resume silently"

# train --resume goes on with the run's own data, split and network.
rundir=$(dirname "$model")
run train --resume "$rundir" wine --epochs 2
expect_rc 2
expect_line "$ERR" '^gradtop train: --resume continues .* on its own dataset \(iris\): give no DATASET' \
    "train --resume took another DATASET"
run train --resume "$rundir" --layers 8 --epochs 2
expect_rc 2
expect_line "$ERR" '^gradtop train: --layers 8: a resumed run keeps its data, split and network \(.* has layers = 32\)' \
    "train --resume took another --layers"
run train --resume "$rundir" --seed 7 --epochs 2
expect_rc 2
expect_line "$ERR" '^gradtop train: --seed 7: a resumed run keeps' "train --resume took another --seed"
run train --resume "$rundir" --layers 32 --lr 0.01 --epochs 2 --test iris
expect_rc 0
expect_line "$OUT" '^result: status=completed epochs=2 .* test_accuracy=' \
    "train --resume refused the run's own --layers, a new --lr or a --test"

# What each command does use is taken.
run eval --model "$model" iris --label species --delimiter , --missing error --seed 0 --val-split 0.2 --part val
expect_rc 0
expect_line "$OUT" '^result: rows=30 ' "eval refuses the data options it reads the dataset with"
run predict --model "$model" iris --label 4 -o "$T/pred.csv"
expect_rc 0
run inspect spiral --samples 50 --noise 0.1 --seed 3
expect_rc 0
expect_line "$OUT" '^rows +50$' "inspect refuses the options of a generated set"
run gradcheck iris --layers 8 --activation tanh --l2 0.01 --batch-size 16 --normalize minmax --seed 1
expect_rc 0

# COMMAND --help lists what the command takes, its own options included.
run eval --help
expect_rc 0
expect_line "$OUT" '^  --model FILE ' "eval --help does not list --model"
expect_line "$OUT" '^  --part all\|train\|val ' "eval --help does not list --part"
expect_line "$OUT" '^  --label ' "eval --help does not list --label"
expect_no_line "$OUT" '^  --(epochs|lr|layers|start|logdir) ' "eval --help lists an option eval does not take"
run predict --help
expect_line "$OUT" '^  -o, --output FILE ' "predict --help does not list -o"
expect_no_line "$OUT" '^  --(part|epochs|lr) ' "predict --help lists an option predict does not take"
run view --help
expect_line "$OUT" '^  --logdir ' "view --help does not list --logdir"
expect_no_line "$OUT" '^  --(lr|label|epochs|config) ' "view --help lists an option view does not take"
run inspect --help
expect_no_line "$OUT" '^  (-o|--lr|--normalize|--model) ' "inspect --help lists an option inspect does not take"
run train --help
expect_line "$OUT" '^  --resume RUNDIR ' "train --help does not list --resume"
expect_no_line "$OUT" '^  --(model|part|start) ' "train --help lists an option train does not take"
run --help
expect_line "$OUT" '^  --start ' "--help does not list --start"

# ---- a generated set's own defaults (docs/guide.md "Datasets") -------------

# At its defaults, each generated set learns: validation accuracy >= 0.95.
for set in spiral circles xor gauss moons; do
    run train $set --no-log --threads 1
    expect_rc 0
    checks=$((checks + 1))
    va=$(tail -n 1 "$OUT" | sed -nE 's/.* val_accuracy=([0-9.]+).*/\1/p')
    awk -v v="${va:-0}" 'BEGIN { exit !(v >= 0.95) }' ||
        bad "$set at its defaults: val_accuracy ${va:-none}, want >= 0.95"
done
# A race without --racers on a generated set: every racer learns it.
run race spiral --no-log --threads 1
expect_rc 0
checks=$((checks + 1))
n=$(grep -c '^result: racer=' "$OUT")
[ "$n" -eq 3 ] || bad "$n racers' results, want 3"
grep '^result: racer=' "$OUT" | sed -nE 's/^result: racer=([^ ]+) .* val_accuracy=([0-9.]+).*/\1 \2/p' >"$T/racers"
while read -r racer va; do
    checks=$((checks + 1))
    awk -v v="$va" 'BEGIN { exit !(v >= 0.95) }' || bad "race spiral: $racer reached val_accuracy $va, want >= 0.95"
done <"$T/racers"
# Its defaults reach the run's config.txt; an option given on the command
# line or in a --config file wins over them.
run train spiral --logdir "$T/presets" --epochs 2 --threads 1
expect_rc 0
cfg=$(ls "$T"/presets/*/config.txt 2>/dev/null | head -n 1)
expect_line "${cfg:-/dev/null}" '^layers = 16,16$' "spiral's config.txt has not its own layers 16,16"
expect_line "${cfg:-/dev/null}" '^activation = tanh$' "spiral's config.txt has not its own activation tanh"
expect_line "${cfg:-/dev/null}" '^lr = 0.03$' "spiral's config.txt has not its own lr 0.03"
expect_line "${cfg:-/dev/null}" '^epochs = 2$' "--epochs 2 did not win over spiral's own epochs"
rm -rf "$T/presets"
printf 'layers = 5\nactivation = relu\n' >"$T/presets.cfg"
run train moons --config "$T/presets.cfg" --logdir "$T/presets" --epochs 1 --lr default
expect_rc 0
cfg=$(ls "$T"/presets/*/config.txt 2>/dev/null | head -n 1)
expect_line "${cfg:-/dev/null}" '^layers = 5$' "layers from --config did not win over moons's own"
expect_line "${cfg:-/dev/null}" '^activation = relu$' "activation from --config did not win over moons's own"
expect_line "${cfg:-/dev/null}" '^lr = 0.001$' "--lr default did not keep Adam's own rate"
expect_line "${cfg:-/dev/null}" '^patience = 50$' "moons's own patience did not apply"
rm -rf "$T/presets"

# ---- --features: the Playground's input transforms --------------------------

run train spiral --features x1,x3 --no-log
expect_rc 2
expect_line "$ERR" "--features: unknown feature 'x3' in 'x1,x3' \\(expected a comma-separated list of x1, x2, x1\\^2" \
    "a bad --features entry is not named with the accepted names"
run train iris --features 'x1^2,x2^2' --no-log
expect_rc 2
expect_line "$ERR" '^gradtop: --features x1\^2,x2\^2: iris is CSV text; --features makes the inputs of the generated 2-D sets' \
    "--features on a data file is not refused"
# The model file keeps the features: eval re-creates the run's figures,
# predict transforms new points of two columns.
run train circles --features 'x1^2,x2^2' --layers "" --logdir "$T/feat" --threads 1
expect_rc 0
va=$(tail -n 1 "$OUT" | sed -nE 's/.* val_accuracy=([0-9.]+).*/\1/p')
model=$(ls "$T"/feat/*/model.gtm 2>/dev/null | head -n 1)
expect_line "$(dirname "${model:-/dev/null/x}")/config.txt" '^features = x1\^2,x2\^2$' \
    "config.txt does not record --features"
run eval --model "${model:-none}" circles --part val
expect_rc 0
expect_line "$OUT" "^result: rows=100 loss=$NUM accuracy=${va:-none}\$" \
    "eval --part val of a model with features does not give the run's val_accuracy ${va:-}"
printf 'x,y\n0,0\n0.5,-0.5\n4.5,0\n0,-4.6\n' >"$T/points.csv"
run predict --model "${model:-none}" "$T/points.csv"
expect_rc 0
checks=$((checks + 1))
got=$(cut -d, -f1 "$OUT" | tr '\n' ' ')
[ "$got" = "prediction 0 0 1 1 " ] ||
    bad "predictions '$got' for the centre and the ring of circles, want 'prediction 0 0 1 1 '"
rm -rf "$T/feat"

if [ "$fail" -ne 0 ]; then
    echo "e2e_cli: $fail of $checks checks failed" >&2
    exit 1
fi
echo "e2e_cli: all $checks checks passed"
exit 0
