#!/bin/sh
# e2e_layers.sh - the source folders are layers, and a file includes only
# headers of its own layer or of the layers before it, in this order
# (docs/architecture.md):
#
#     core io data nn run insight logdir sweep tui cli
#
# A file of src/L/ or include/gradtop/L/ is of layer L; what it includes
# is of the layer its path names ("gradtop/M/x.h", "../M/x.h"), or its
# own ("x.h").  A folder not in the list fails too, so that a new one is
# given its place.  The checker is first run on a small tree with one
# file that includes a later layer, which it must refuse: a check that
# cannot fail checks nothing.  Exits 1 if any check failed.
set -u

LAYERS="core io data nn run insight logdir sweep tui cli"
fail=0
T=$(mktemp -d /tmp/gradtop-e2e-layers.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT

bad() {
    fail=$((fail + 1))
    echo "e2e_layers: FAIL: $1" >&2
}

# rank NAME: the layer's place in LAYERS (1-based), or 0 when it is none.
rank() {
    i=0
    for l in $LAYERS; do
        i=$((i + 1))
        [ "$l" = "$1" ] && { echo "$i"; return; }
    done
    echo 0
}

# check_tree ROOT: prints one line per include of a later layer, and per
# folder that is no layer, under ROOT/src and ROOT/include/gradtop.
check_tree() {
    for dir in "$1"/src/* "$1"/include/gradtop/*; do
        [ -d "$dir" ] || continue
        layer=${dir##*/}
        r=$(rank "$layer")
        if [ "$r" -eq 0 ]; then
            echo "$dir: a folder that is no layer (give it its place in LAYERS)"
            continue
        fi
        for f in "$dir"/*.c "$dir"/*.h; do
            [ -f "$f" ] || continue
            grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
                sed -n 's@^\([0-9]*\):.*"\(\(gradtop\|\.\.\)/\([a-z_]*\)/[^"]*\)".*@\1 \4 \2@p' |
                while read -r line used path; do
                    u=$(rank "$used")
                    if [ "$u" -eq 0 ]; then
                        echo "$f:$line: includes $path, of no layer"
                    elif [ "$u" -gt "$r" ]; then
                        echo "$f:$line: $layer includes $path, of the later layer $used"
                    fi
                done
        done
    done
}

# ---- the checker refuses an include of a later layer ---------------------
mkdir -p "$T/src/io" "$T/include/gradtop/run" "$T/include/gradtop/core"
printf '#include "gradtop/core/a.h"\n#include "gradtop/run/b.h"\n' >"$T/src/io/x.c"
: >"$T/include/gradtop/run/b.h"
: >"$T/include/gradtop/core/a.h"
out=$(check_tree "$T")
case $out in
*"src/io/x.c:2: io includes gradtop/run/b.h, of the later layer run"*) ;;
*) bad "the checker did not refuse io including run: '$out'" ;;
esac
[ "$(printf '%s\n' "$out" | grep -c .)" -eq 1 ] || bad "the checker refused more than that: '$out'"
echo "ok: the checker refuses an include of a later layer, and only it"

# ---- the tree ---------------------------------------------------------------
out=$(check_tree .)
if [ -n "$out" ]; then
    printf '%s\n' "$out" | sed 's/^/    /' >&2
    bad "$(printf '%s\n' "$out" | grep -c .) includes go against the layers' order"
else
    echo "ok: every include is of its own layer or an earlier one ($LAYERS)"
fi

[ "$fail" -eq 0 ] && echo "e2e_layers: all passed"
[ "$fail" -eq 0 ]
