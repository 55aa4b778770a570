#!/bin/sh
# e2e_docs.sh - what the documentation quotes gradtop printing is what it
# prints.  Every fenced block of README.md, docs/guide.md and docs/files.md
# that begins with "$ build/gradtop ..." (continued over lines ending in
# "\") is run, in a scratch directory of its own with the shipped datasets, and its
# output (stdout and stderr) compared with the block's lines byte for byte,
# but for what changes from run to run: a run directory's time stamp and an
# epoch's seconds.  A line "..." in a block stands for lines left out.
# A block that names runs/20261124-211202-iris, the docs' stand-in for a
# run directory, is given a run of iris made here.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_docs.sh
set -u
E2E=e2e_docs
# shellcheck source=tests/lib/check.sh
. tests/lib/check.sh
case $G in /*) ;; *) G=$PWD/$G ;; esac
ROOT=$PWD

mkdir "$T/work" "$T/blocks"
ln -s "$ROOT/datasets" "$T/work/datasets"

# The blocks, as T/blocks/N.where (FILE:LINE), N.cmd and N.want; n counts
# them.
n=0
for f in README.md docs/guide.md docs/files.md; do
    n=$(perl -e '
        my ($file, $dir, $n) = @ARGV;
        open my $in, "<", $file or die "$file: $!\n";
        my @l = <$in>;
        chomp @l;
        for (my $i = 0; $i < @l; $i++) {
            next unless $l[$i] =~ /^```/ && $i + 1 < @l && $l[$i + 1] =~ /^\$ build\/gradtop /;
            my $where = "$file:" . ($i + 2);
            my $j = $i + 1;
            my $cmd = substr $l[$j], 2;
            while ($cmd =~ /\\$/) { $cmd .= "\n" . $l[++$j]; }
            my @want;
            for ($j++; $j < @l && $l[$j] !~ /^```/; $j++) { push @want, $l[$j]; }
            $i = $j;
            $n++;
            for (["where", $where], ["cmd", $cmd], ["want", join("", map { "$_\n" } @want)]) {
                open my $o, ">", "$dir/$n.$_->[0]" or die;
                print $o $_->[1], ($_->[0] eq "want" ? "" : "\n");
            }
        }
        print "$n\n";
    ' "$f" "$T/blocks" "$n") || { echo "$E2E: FAIL: cannot read the blocks of $f"; exit 1; }
done
check "the docs quote gradtop's output in 10 blocks or more (found $n)" [ "$n" -ge 10 ]

# The stand-in run directory: a run of iris made here.
(cd "$T/work" && "$G" train iris --epochs 2 >"$T/stand-in.out" 2>&1)
RUN=$(sed -n 's/.* run=\(runs\/[^ ]*\)$/\1/p' "$T/stand-in.out")
check "a run of iris to stand in for the docs' run directory" [ -d "$T/work/$RUN" ]

# normalize: a run directory's stamp and an epoch's seconds, as they vary.
normalize() {
    sed -E -e "s#$RUN#runs/20261124-211202-iris#g" \
        -e 's/[0-9]{8}-[0-9]{6}/YYYYMMDD-HHMMSS/g' \
        -e 's/  [0-9]+\.[0-9]+s$/  N.NNs/'
}

# same WANT GOT: GOT holds WANT's lines, in order, a "..." line of WANT
# standing for any lines (none included); without one at its start or end,
# the first and last lines must be GOT's.
same() {
    perl -e '
        my ($wf, $gf) = @ARGV;
        open my $w, "<", $wf or die; my @w = <$w>; chomp @w;
        open my $g, "<", $gf or die; my @g = <$g>; chomp @g;
        my @seg = ([]);
        for (@w) { if ($_ eq "...") { push @seg, [] } else { push @{$seg[-1]}, $_ } }
        my $pos = 0;
        for my $k (0 .. $#seg) {
            my @s = @{$seg[$k]};
            next unless @s;
            my $found = -1;
            for (my $p = $pos; $p + @s <= @g; $p++) {
                last if $k == 0 && $p > 0;
                my $ok = 1;
                for my $q (0 .. $#s) { if ($g[$p + $q] ne $s[$q]) { $ok = 0; last } }
                if ($ok) { $found = $p; last }
            }
            exit 1 if $found < 0;
            $pos = $found + @s;
        }
        exit 1 if @{$seg[-1]} && $pos != @g;
        exit 0;
    ' "$1" "$2"
}

i=0
while [ "$i" -lt "$n" ]; do
    i=$((i + 1))
    where=$(cat "$T/blocks/$i.where")
    cmd=$(sed -e "s#^build/gradtop #'$G' #" -e "s#runs/20261124-211202-iris#$RUN#g" "$T/blocks/$i.cmd")
    normalize <"$T/blocks/$i.want" >"$T/want"
    # a block whose refusal needs a network edited live on the dashboard:
    # tests/e2e_netedit.sh makes one and checks that message
    if grep -q 'edited while it trained' "$T/want"; then
        echo "$where: left to tests/e2e_netedit.sh (a network edited live)"
        continue
    fi
    # each block in a directory of its own: two runs of one second would
    # be named apart (-2)
    mkdir "$T/w$i"
    ln -s "$ROOT/datasets" "$T/w$i/datasets"
    grep -q 'runs/20261124-211202-iris' "$T/blocks/$i.cmd" && cp -R "$T/work/runs" "$T/w$i/runs"
    (cd "$T/w$i" && sh -c "$cmd") 2>&1 | normalize >"$T/got"
    if same "$T/want" "$T/got"; then
        echo "ok: $where: $(head -n 1 "$T/blocks/$i.cmd")"
    else
        check "$where: the output of $(head -n 1 "$T/blocks/$i.cmd") is not the one quoted" false
        diff "$T/want" "$T/got" | head -n 20
    fi
done

check_done
