#!/bin/sh
# e2e_memlimit.sh - training under an address-space limit (ulimit -v):
# across a sweep from too small to enough, every run either completes
# (exit 0, a result line) or refuses with exit 1 and a message naming what
# needed how much and which limit refused it; none hangs, none crashes.
#
# Each run is under `timeout -k 5 120`: a run that hangs (OpenBLAS
# retrying a failed mapping forever, deaf to SIGTERM, hence the SIGKILL)
# fails its check instead of stopping the suite; passing never depends on
# speed (the runs take about a second).
#
# A sanitizer build cannot run under ulimit -v (ASan reserves terabytes of
# address space at start), so there this script says it does not run and
# exits 77, which tests/run.sh reports as not run, not as passed.
set -u
E2E=e2e_memlimit
if [ -n "${SANITIZED:-}" ]; then
    echo "$E2E: not run in the sanitizer build (ASan cannot start under ulimit -v)"
    exit 77
fi
. tests/lib/check.sh

# Below about 55 MB the process dies before gradtop's main: OpenBLAS's
# constructor cannot start its threads and raises SIGINT itself.  The
# sweep starts above that, at what gradtop itself can refuse.
refused=0
completed=0
# limit_run KB DATASET OPTS...: runs train under ulimit -v KB; "ok" when it
# completed or refused cleanly.
limit_run() {
    kb=$1
    shift
    (ulimit -v "$kb" && exec timeout -k 5 120 "$G" train "$@" --epochs 1 --no-log) \
        >"$T/out" 2>"$T/err"
    rc=$?
    case $rc in
    0)
        completed=$((completed + 1))
        grep -q '^result: status=completed' "$T/out" || {
            echo "$E2E: ulimit -v $kb $*: exit 0 without a result line"
            return 1
        }
        ;;
    1)
        refused=$((refused + 1))
        grep -Eq '^gradtop: out of memory: .* needs [0-9.]+ [MG]B, more than the [0-9.]+ [MG]B the address-space limit \(ulimit -v\) leaves' "$T/err" || {
            echo "$E2E: ulimit -v $kb $*: exit 1 without the out-of-memory message:"
            head -n 3 "$T/err"
            return 1
        }
        ;;
    *)
        echo "$E2E: ulimit -v $kb $*: exit $rc (124: hung), want 0 or 1:"
        head -n 3 "$T/err"
        return 1
        ;;
    esac
}

for kb in 60000 100000 150000 200000 250000 300000 350000 400000 600000; do
    check "digits under ulimit -v $kb completes or refuses" limit_run "$kb" digits
done
for kb in 120000 250000 400000; do
    check "digits --threads 1 under ulimit -v $kb completes or refuses" \
        limit_run "$kb" digits --threads 1
done
# Fashion-MNIST: 188 MB of images as floats (refused by the loader's own
# check when they do not fit), then the network; skipped nowhere: the
# package is a dependency.
for kb in 150000 400000 700000; do
    check "fashion-mnist under ulimit -v $kb completes or refuses" \
        limit_run "$kb" fashion-mnist
done
# The sweep goes from too small to enough: both outcomes were seen.
check "the sweep saw refusals ($refused)" test "$refused" -ge 3
check "the sweep saw completed runs ($completed)" test "$completed" -ge 3
check_done
