#!/bin/sh
# e2e_xtitle.sh - every chart says what its x axis counts.  On the
# dashboard, `gradtop race`, the sweep screen and `gradtop view`, at 80x24,
# 100x30, 120x40 and 160x48, each chart's label row ends with its x title
# ("epoch"; a sweep's scatter, its parameter's name, "lr (log)" on a log
# axis) after at least two tick labels, the first at 0, and every label
# shown stays true: over a tick of the x axis, its value on the line
# through the first and last labels'.  The last tick label once reached
# the row's end and the title was left out: `gradtop race digits` at
# 100x30 showed ticks 0 to 90 and no "epoch" anywhere; the scatters of a
# linear or a choice parameter had no x title.  A choice's scatter keeps
# every value's label: its title ("layers") shows where they leave it
# room, and gives way where they do not (its chart's title names it).
# `gradtop view` of a gradtop run's event file alone (no metrics.csv) says
# "epoch", as its first record names gradtop its writer (it once said
# "step"), and so does an older gradtop's, written before the first record
# named its writer, whose HParams session start names its model.gtm (it
# said "step"); of another writer's, whose steps may count batches, "step",
# in the list too, and its status, which an event file does not tell,
# "unknown" once it is quiet (it read blank).  A long metric name, named
# once in the list's header, is cut there with an ellipsis and leaves the
# other columns their room (it ran off the screen's edge at 80x24).
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_xtitle.sh
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_xtitle xtitle xtitle

IRIS="'$PWD/datasets/iris.csv'"
DIGITS="'$PWD/datasets/digits.csv'"

# titles_are REGEX...: x_titles gives one line for each REGEX, each
# matching its own.
titles_are() {
    _got=$(x_titles)
    [ "$(printf '%s\n' "$_got" | grep -c .)" -eq $# ] || return 1
    _k=1
    for _re in "$@"; do
        printf '%s\n' "$_got" | sed -n "${_k}p" | grep -Eq -- "$_re" || return 1
        _k=$((_k + 1))
    done
}

ALL_SIZES="80x24 100x30 120x40 160x48"

# every_size WHAT SIZES REGEX...: at each of SIZES (COLUMNSxROWS, blank
# between) the charts' label rows are as titles_are REGEX... says, within
# 5 s, and their labels are true.
every_size() {
    _what=$1
    _sizes=$2
    shift 2
    for _size in $_sizes; do
        # shellcheck disable=SC2046 # two numbers
        resize $(echo "$_size" | tr x ' ')
        poll 5 titles_are "$@" ||
            fail "$_what at $_size: the charts' label rows are not as expected:
$(x_titles)"
        _false=$(x_labels_false)
        [ -z "$_false" ] || fail "$_what at $_size: tick labels are not true: $_false"
        echo "ok: $_what at $_size: $(x_titles | sed 's/.*[0-9]  *//' | tr '\n' ',' | sed 's/,$//')"
    done
}

# a label row of a chart by epoch: 0 first, another label, the title last
BY_EPOCH='^ *0 .*[0-9] +epoch$'

# ---- the dashboard: loss and accuracy -----------------------------------------
start_session dash C.UTF-8 "--start --no-log --patience 0 --epochs 100 --seed 1 $DIGITS"
wait_for 'DONE' 60 || fail "the dashboard's run on digits did not end"
every_size dashboard "$ALL_SIZES" "$BY_EPOCH" "$BY_EPOCH"
quit_exits dash 0

# ---- gradtop race: loss and accuracy ------------------------------------------
start_session race C.UTF-8 "race --no-log --patience 0 --epochs 100 $DIGITS"
wait_for 'training has ended for every racer' 90 || fail "the race on digits did not end"
every_size race "$ALL_SIZES" "$BY_EPOCH" "$BY_EPOCH"
quit_exits race 0

# ---- the sweep screen: the curves and a scatter per parameter ------------------
start_session sweep C.UTF-8 "sweep --space 'lr=loguniform(1e-3,1e-1); dropout=uniform(0,0.5)' \
--trials 3 --max-epochs 100 --patience 0 --seed 1 --no-log $IRIS"
wait_for 'sweep finished: best trial' 60 || fail "the sweep did not finish"
# (below 120 columns one scatter shows, tab the next)
LR='^ *0\.001 .*[0-9] +lr \(log\)$'
DROPOUT='^ *0 .*[0-9] +dropout$'
every_size sweep "80x24 100x30" "$BY_EPOCH" "$LR"
every_size sweep "120x40 160x48" "$BY_EPOCH" "$LR" "$DROPOUT"
keys Tab
every_size sweep "80x24 100x30" "$BY_EPOCH" "$DROPOUT"
quit_exits sweep 0

# ---- a choice's scatter: every value labelled, its title where they leave room ----
start_session choice C.UTF-8 "sweep --space 'layers=choice(8|16,8); activation=choice(relu|tanh)' \
--trials 4 --max-epochs 30 --patience 0 --seed 1 --no-log $IRIS"
wait_for 'sweep finished: best trial' 60 || fail "the sweep of choices did not finish"
every_size choice "100x30" "$BY_EPOCH" '^ *8 +16,8 +layers$'
every_size choice "80x24" "$BY_EPOCH" '^ *8 +16,8$'
every_size choice "120x40 160x48" "$BY_EPOCH" '^ *8 +16,8$' '^ *relu +tanh( +activation)?$'
quit_exits choice 0

# ---- gradtop view: loss and accuracy of a run on disk --------------------------
"$GRADTOP" train --patience 0 --epochs 100 --seed 1 --logdir "$TMP/runs" "$PWD/datasets/digits.csv" \
    >"$TMP/train.out" 2>&1 || fail "train on digits failed: $(tail -n 3 "$TMP/train.out")"
start_session view C.UTF-8 "view '$TMP/runs'"
wait_for 'digits' 15 || fail "view does not list the run"
every_size view "$ALL_SIZES" "$BY_EPOCH" "$BY_EPOCH"
quit_exits view 0

# ---- gradtop view: event files alone -------------------------------------------
# A gradtop run's event file without the rest of its directory (no
# metrics.csv, no journal): its steps are epochs, as its first record says,
# or, written by an older gradtop, as its HParams session start's model.gtm
# says, and the axis and the list say "epoch"; another writer's steps may
# count batches, and say "step".

# TFRECORD_PERL: perl subroutines that frame a TFRecord: record(DATA), and
# varint(N) for the protobuf inside.
# shellcheck disable=SC2016 # perl's variables, not the shell's
TFRECORD_PERL='
    sub crc { my $c = 0xFFFFFFFF;
              for my $b (unpack "C*", $_[0]) { $c ^= $b; $c = ($c >> 1) ^ ($c & 1 ? 0x82F63B78 : 0) for 1 .. 8 }
              $c ^ 0xFFFFFFFF }
    sub mask { my $c = crc($_[0]); ((($c >> 15) | ($c << 17)) + 0xA282EAD8) & 0xFFFFFFFF }
    sub varint { my ($v, $o) = (shift, ""); while ($v >= 0x80) { $o .= chr(($v & 0x7F) | 0x80); $v >>= 7 } $o . chr($v) }
    sub record { my $h = pack "Q<", length $_[0]; $h . pack("L<", mask($h)) . $_[0] . pack("L<", mask($_[0])) }'

# older_events < FILE > OLD: gradtop's event file as gradtop wrote it before
# the first record named its writer: that record cut back to its wall time
# and file version (no source_metadata), the rest as it is.
older_events() {
    perl -e "$TFRECORD_PERL"'
        binmode STDIN; binmode STDOUT; local $/; my $d = <STDIN>;
        my $len = unpack "Q<", substr($d, 0, 8);
        my $first = substr($d, 12, $len);
        substr($first, 9, 2) eq "\x1a\x0d" or die "no file version where it was expected\n";
        print record(substr($first, 0, 9 + 2 + 13)), substr($d, 12 + $len + 4);'
}

mkdir -p "$TMP/alone/digits" "$TMP/alone/digits-older" "$TMP/other/torch"
cp "$TMP"/runs/*/events.out.tfevents.* "$TMP/alone/digits/"
for f in "$TMP"/runs/*/events.out.tfevents.*; do
    older_events <"$f" >"$TMP/alone/digits-older/${f##*/}" || fail "cannot make an older event file of $f"
done
cmp -s "$TMP"/alone/digits/events.* "$TMP"/alone/digits-older/events.* &&
    fail "the older event file is the same as gradtop's"
start_session alone C.UTF-8 "view '$TMP/alone'"
wait_for 'digits ' 15 || fail "view does not list the event file's run"
wait_for 'digits-older ' 15 || fail "view does not list the older event file's run"
every_size "view of an event file alone" "80x24 120x40" "$BY_EPOCH" "$BY_EPOCH"
screen | grep -Eq '^run .* status +epoch +best' || fail "the list of an event file alone does not say epoch"
quit_exits alone 0

# other_events FILE [TAG]: an event file of another writer (no
# source_metadata in its first record), a loss (tagged TAG, or "loss") at
# steps 25, 50, ... 1000.
other_events() {
    TAG=${2:-loss} perl -e "$TFRECORD_PERL"'
        my $out = record("\x09" . pack("d<", 1000) . "\x1a" . varint(13) . "brain.Event:2");
        for my $s (1 .. 40) {
            my $val = "\x0a" . varint(length $ENV{TAG}) . $ENV{TAG} . "\x15" . pack("f<", 1 / $s);
            my $sum = "\x0a" . varint(length $val) . $val;
            $out .= record("\x09" . pack("d<", 1000 + $s) . "\x10" . varint($s * 25) . "\x2a" . varint(length $sum) . $sum);
        }
        binmode STDOUT; print $out;' >"$1"
}
other_events "$TMP/other/torch/events.out.tfevents.1000.host"
# written two minutes ago: its status is not known (it read blank, and
# "running" while its file was new), as an event file does not say
touch -d '2 minutes ago' "$TMP/other/torch/events.out.tfevents.1000.host"
start_session other C.UTF-8 "view '$TMP/other'"
wait_for 'torch ' 15 || fail "view does not list the other writer's run"
screen | grep -Eq '^\[x\] .* torch .* unknown +1000 ' ||
    fail "the other writer's quiet run does not read unknown in the list"
every_size "view of another writer's event file" "80x24 120x40" '^ *0 .*[0-9] +step$'
screen | grep -Eq '^run .* status +step +best' || fail "the list of another writer's run does not say step"
# and the help says why
resize 200 60
keys '?'
wait_for 'gradtop view keys' 5 || fail "? did not show the view's help"
keys NPage NPage NPage NPage # to the legend, below the keys
wait_for 'Reloads every' 5 || fail "pgdn did not scroll the view's help to its end"
help=$(box_text 'gradtop view keys')
case $help in
*"call step where another writer's event files are shown"*) ;;
*) fail "the view's help does not say when the list and the axis count steps: $help" ;;
esac
case $help in
*"for event files alone growing while they change, else unknown"*) ;;
*) fail "the view's help does not say what the status of event files alone is: $help" ;;
esac
echo "ok: the view's help says when it counts steps, and the status of event files alone"
keys '?'
quit_exits other 0

# ---- gradtop view: a long metric name in the list's header ---------------------
# Another writer's runs whose one metric has a long tag: the list's header
# names it once after "best", cut with an ellipsis (at 24 columns, or at
# the screen's edge), and it leaves the name and the dataset their room.
# It took the tag's whole width: at 80x24 the dataset column was cut to
# "dat…" and the tag ran off the screen's edge with nothing to say so.
LONG=val/a_rather_long_name_for_the_cross_entropy_loss_on_holdout
mkdir -p "$TMP/long/torch-a" "$TMP/long/torch-b"
other_events "$TMP/long/torch-a/events.out.tfevents.1000.host" "$LONG"
other_events "$TMP/long/torch-b/events.out.tfevents.1000.host" "$LONG"
start_session long C.UTF-8 "view '$TMP/long'"
resize 80 24
wait_for 'torch-b ' 15 || fail "view does not list the runs of a long metric name"
wait_for '^run +name +dataset .* best val/a_rather_long_name_f…$' 5 ||
    fail "at 80x24 the list's header does not keep the dataset's title and cut the long metric name"
resize 60 16
wait_for '^run .* best val/a_rather_long[a-z_]*…$' 5 ||
    fail "at 60x16 the list's header does not cut the long metric name at the screen's edge"
echo "ok: a long metric name is cut in the list's header, and leaves the other columns their room"
quit_exits long 0
