# shellcheck shell=sh
# tests/lib/check.sh - the plain harness of the end-to-end scripts that run
# gradtop without a terminal: $G the program (from $GRADTOP), $T a temporary
# directory removed on exit, check to count a failure and check_done to end.
#
# Sourced, never run: tests/run.sh runs only tests/e2e_*.sh. A script, run
# from the project root with sh, does
#
#     set -u
#     E2E=e2e_NAME
#     . tests/lib/check.sh
#     ...checks...
#     check_done
G=${GRADTOP:?GRADTOP must name the gradtop program}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

# check DESCRIPTION COMMAND...: runs the command; when it fails, prints
# "E2E: FAIL: DESCRIPTION" and counts it.
check() {
    d=$1
    shift
    if "$@"; then :; else
        printf '%s: FAIL: %s\n' "$E2E" "$d"
        fails=$((fails + 1))
    fi
}

# check_done: "E2E: all passed" and exit 0, or exit 1 after failures.
check_done() {
    if [ "$fails" -eq 0 ]; then echo "$E2E: all passed"; else exit 1; fi
}
