#!/bin/sh
# Runs every test program given, then every tests/e2e_*.sh against
# $BUILD/gradtop, and prints one closing line: "N passed, N failed".
# A test program that exits non-zero counts as failed; nothing is skipped.
# A script that cannot run in this build says so and exits 77: it is
# counted as not run, never as passed.
BUILD=${BUILD:-build}
pass=0
fail=0
notrun=0
failed=""
for t in "$@"; do
    if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed="$failed $t"; fi
done
for s in tests/e2e_*.sh; do
    [ -f "$s" ] || continue
    # valgrind cannot run a sanitizer build; there ASan and UBSan do its job.
    # Not run is not passed: it is left out of the count and said so.
    if [ -n "${SANITIZED:-}" ] && [ "$s" = tests/e2e_valgrind.sh ]; then
        echo "$s: not run in the sanitizer build (ASan checks memory there)"
        notrun=$((notrun + 1))
        continue
    fi
    GRADTOP="$BUILD/gradtop" sh "$s"
    rc=$?
    if [ "$rc" -eq 0 ]; then
        pass=$((pass + 1))
    elif [ "$rc" -eq 77 ]; then
        notrun=$((notrun + 1))
    else
        fail=$((fail + 1)); failed="$failed $s"
    fi
done
[ -n "$failed" ] && echo "failed:$failed"
if [ "$notrun" -gt 0 ]; then
    echo "$pass passed, $fail failed, $notrun not run"
else
    echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
