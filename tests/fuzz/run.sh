#!/bin/sh
# Runs each fuzz target named for FUZZ_SECONDS (default 60) from a scratch
# copy of its seed corpus (tests/fuzz/corpus/TARGET plus the crash files of
# tests/fuzz/regress/TARGET), so the committed files never change.  Crash,
# leak, timeout and out-of-memory inputs land in $FUZZ_BUILD/artifacts/TARGET/.
# Exits non-zero when any target failed; the last line says which.
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=""
for t in "$@"; do
    case $t in
    fuzz_csv | fuzz_tfevents | fuzz_trials | fuzz_runset) max_len=65536 ;;
    fuzz_config) max_len=16384 ;;
    fuzz_space) max_len=8192 ;;
    *) max_len=262144 ;;
    esac
    name=${t#fuzz_}
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/gradtop-$t.XXXXXX") || exit 1
    for dir in tests/fuzz/corpus/$name tests/fuzz/regress/$name; do
        [ -d "$dir" ] && cp "$dir"/* "$scratch"/ 2>/dev/null
    done
    artifacts=$FUZZ_BUILD/artifacts/$name
    mkdir -p "$artifacts"
    echo "== $t: $FUZZ_SECONDS s, -max_len=$max_len"
    "$FUZZ_BUILD/$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
        -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$artifacts/" \
        "$scratch" 2>"$FUZZ_BUILD/$t.log"
    rc=$?
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|^#[0-9]+.*DONE' "$FUZZ_BUILD/$t.log"
    if [ "$rc" -ne 0 ]; then
        failed="$failed $t"
        echo "$t FAILED (exit $rc); log: $FUZZ_BUILD/$t.log, inputs: $artifacts/"
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$FUZZ_BUILD/$t.log" | head -5
    fi
    rm -rf "$scratch"
done
if [ -n "$failed" ]; then
    echo "fuzz failed:$failed"
    exit 1
fi
echo "fuzz: $# targets clean"
