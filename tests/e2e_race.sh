#!/bin/sh
# e2e_race.sh - `gradtop race` in a real terminal (tmux): every racer's
# name is on the screen, the race advances, space pauses all racers (the
# status line then says "all paused", never "pausing"; and
# presses read in one frame alternate: pause, resume, pause), q then y
# exits 0 and each racer's run directory is written; ? shows its help.  The header shows
# only what all racers share and each row what sets its racer apart; at
# 80x24 the table fits, its columns line up with their headers (5-digit
# epochs beside 3-digit ones), and once every racer has ended the status
# line says so (space and s do not claim to resume or stop anything).  The
# headless form prints per-epoch lines and a result per racer, honours
# name=, refuses a shared option as a racer's KEY, and on SIGINT, SIGTERM,
# SIGHUP or SIGQUIT stops every racer after its batch: result lines with
# status=stopped, complete run files, exit 130 (131 for SIGQUIT).  Standard output that fails (a full device,
# a reader gone) stops every racer too: exit 1, the journals ended.  A race
# refused for a racer's network makes no run directory.  A quit box that
# every racer ended under says so.  A diverged racer's step is its
# weights', the batches undone left out.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_race.sh
# shellcheck disable=SC2015,SC2012,SC2181
# ("[ A ] && [ B ] || fail" is meant: fail exits; the run directory names are
# plain, so ls on a glob is fine; $? is read right after the command)
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
# the headless race under test (headless_signal), killed if a check fails
HL_PID=
# shellcheck disable=SC2317 # run by the EXIT trap
on_cleanup() { [ -n "$HL_PID" ] && kill -KILL "$HL_PID" 2>/dev/null; }
tmux_harness e2e_race race race

# col_of COLUMN RACER: the racer's cell in the table's COLUMN (by the
# header; a row has the colour bar as its first word, so it is one on)
col_of() {
    screen | awk -v c="$1" -v r="$2" '
        $1 == "racer" { for (i = 1; i <= NF; i++) if ($i == c) k = i + 1; next }
        k && $2 == r { print $k; exit }'
}
step_of() { col_of step "$1"; }

# table_aligned: the race table on the screen (ASCII, LANG=C) has only whole
# header words, and under each header every row has its value: a numeric
# column ends, a text column starts, where its header does; the epochs'
# slashes line up, under the header's last letter or before it.
table_aligned() {
    screen | awk '
        function is_num(h) { return h ~ /^(epoch|step|loss|acc|mae|val_loss|val_acc|val_mae|lr)$/ }
        $1 == "racer" {
            h = $0; n = 0
            for (i = 1; i <= length(h); i++) {
                ch = substr(h, i, 1)
                if (ch != " " && (i == 1 || substr(h, i - 1, 1) == " ")) { n++; st[n] = i }
                if (ch != " " && (i == length(h) || substr(h, i + 1, 1) == " ")) {
                    en[n] = i; name[n] = substr(h, st[n], i - st[n] + 1)
                }
            }
            for (j = 1; j <= n; j++)
                if (name[j] !~ /^(racer|status|epoch|step|loss|acc|mae|val_loss|val_acc|val_mae|lr|best|settings)$/) {
                    print "cut header: " name[j]; bad = 1
                }
            next
        }
        h != "" && /^# / {
            rows++
            for (j = 1; j <= n; j++) {
                if (name[j] == "epoch") {
                    # "  640/20000" over "14640/20000": the slashes line up
                    sl = index($0, "/")
                    if (slash == "") slash = sl
                    if (sl == 0 || sl != slash || sl > en[j]) { print "misaligned epoch: " $0; bad = 1 }
                    continue
                }
                if (is_num(name[j])) { p = en[j]; q = en[j] + 1 } else { p = st[j]; q = st[j] - 1 }
                if (substr($0, p, 1) == " " || (q <= length($0) && substr($0, q, 1) != " ")) {
                    print "misaligned under " name[j] ": " $0; bad = 1
                }
            }
        }
        END { if (h == "" || rows < 2) { print "no table"; bad = 1 }; exit bad }'
}

# ---- the race on screen -------------------------------------------------------
start_session race C.UTF-8 "race --logdir '$TMP/runs' --patience 0 --epochs 1000000 --seed 3 spiral"
wait_for 'gradtop race' 15 || fail "the race screen did not appear within 15 s"
for r in sgd adam rmsprop; do
    wait_for " $r +(RUNNING|PAUSED)" 10 || fail "racer $r is not on the screen"
done
echo "ok: all three racers are shown"
s1=$(step_of adam)
# shellcheck disable=SC2317 # run through poll
advanced() { s2=$(step_of adam); [ "$s2" -gt "$s1" ] 2>/dev/null; }
poll 15 advanced || true
[ -n "$s1" ] && [ -n "$s2" ] && [ "$s2" -gt "$s1" ] || fail "the race does not advance: step $s1 then $s2"
echo "ok: the race advances (adam step $s1 -> $s2)"
keys Space
for r in sgd adam rmsprop; do
    wait_for " $r +PAUSED" 5 || fail "space did not pause $r"
done
# the status line says what is true once they are: not "pausing", which
# once stayed under three PAUSED racers until the next key
wait_for '^ all paused: space resumes' 5 || fail "every racer PAUSED, but the status line does not say 'all paused'"
on_screen 'pausing' && fail "every racer PAUSED, but the status line still says 'pausing'"
on_screen '^space resume all +n step all ' || fail "every racer PAUSED, but the key bar does not offer space to resume, n to step"
echo "ok: space pauses every racer, and the status line says all are paused"
keys Space
wait_for ' adam +RUNNING' 5 || fail "space did not resume"
# two presses read in one frame: the second sees the first (pause, then
# resume), though the racers' snapshots show the pause only a batch later
for r in sgd adam rmsprop; do
    wait_for " $r +RUNNING" 5 || fail "racer $r did not resume"
done
keys Space Space
wait_for '^ all resumed' 5 || fail "space, space in one frame did not pause, then resume"
sleep 0.5
for r in sgd adam rmsprop; do
    on_screen " $r +RUNNING" || fail "space, space left racer $r paused"
done
keys Space Space Space
for r in sgd adam rmsprop; do
    wait_for " $r +PAUSED" 5 || fail "space, space, space in one frame did not pause $r"
done
on_screen '^ all paused' || fail "space, space, space does not say 'all paused'"
echo "ok: presses in one frame each see the one before (pause, resume, pause)"
# ? opens the race's help, as on the other screens, and the bar offers it
on_screen '\? help +q quit' || fail "the race's key bar does not offer ? help"
keys '?'
wait_for 'gradtop race keys' 5 || fail "? did not open the race's help"
on_screen 'pause every racer while any trains' || fail "the race's help does not give space's sentence"
keys '?'
wait_gone 'gradtop race keys' 5 || fail "? did not close the race's help"
echo "ok: ? shows the race's help and closes it; the bar offers it"
quit_q_y race
echo "ok: q, y exits with status 0"
for r in sgd adam rmsprop; do
    d=$(ls -d "$TMP"/runs/*-spiral-"$r" 2>/dev/null | head -n 1)
    [ -n "$d" ] && [ -s "$d/metrics.csv" ] && [ -s "$d/model.gtm" ] ||
        fail "no run files for racer $r in $TMP/runs"
done
echo "ok: each racer's run files are written"

# ---- the header shares only what is shared ------------------------------------------
start_session own C.UTF-8 "race --no-log --threads 1 --patience 0 --epochs 300 \
    --racers 'sgd:batch-size=8,layers=8;adam:seed=5,activation=tanh' iris"
wait_for ' adam +(RUNNING|PAUSED|DONE)' 15 || fail "the race with racers' own settings did not appear"
head=$(screen | head -n 1)
case $head in *iris*) ;; *) fail "the header does not name the dataset: $head" ;; esac
for w in 'seed' 'batch' 'relu' 'tanh' '→'; do
    case $head in *"$w"*) fail "the header shows '$w', which the racers do not share: $head" ;; esac
done
screen | grep -Eq '^█ sgd .*4→8→3 relu  batch 8  seed 0$' ||
    fail "sgd's row does not show its own network, batch size and seed"
screen | grep -Eq '^█ adam .*4→32→3 tanh  batch 32  seed 5$' ||
    fail "adam's row does not show its own network, batch size and seed"
echo "ok: the header shows only the shared settings, each row its racer's own"
for r in sgd adam; do
    wait_for "^█ $r +DONE" 60 || fail "$r did not finish 300 epochs of iris within 60 s"
done
# the best figure is written as the loss columns are, four decimals
# (0.1040, not 0.104 beside a 0.1191)
for r in sgd adam; do
    b=$(screen | awk -v r="$r" '$2 == r { for (i = 1; i <= NF; i++) if ($i ~ /^@[0-9]+$/) print $(i - 1) }')
    printf '%s\n' "$b" | grep -Eq '^[0-9]+\.[0-9]{4}$' ||
        fail "$r's best reads '$b', not with four decimals as the loss columns"
done
quit_exits own 0

# ---- 80x24: the table fits and lines up; the status line follows the race ---------
# a batch per epoch; adam ends after 300 epochs while sgd goes on into 5 and
# more digits: short and long epoch counts side by side
start_session narrow C "race --no-log --threads 1 --patience 0 --batch-size 128 \
    --racers 'sgd:epochs=1000000;adam:epochs=300' iris"
resize 80 24
wait_for '^# adam +DONE' 15 || fail "adam did not finish 300 epochs at 80x24 within 15 s"
keys Space
wait_for '^# sgd +PAUSED' 5 || fail "space did not pause sgd"
keys Space
wait_for '^ sgd resumed *$' 5 || fail "the status line does not say that space resumed sgd"
on_screen '^space pause all ' || fail "while sgd trains the key bar does not offer space to pause"
wait_for '^# sgd +RUNNING +[0-9]{5}' 30 || fail "sgd did not reach epoch 10000 within 30 s"
problems=$(table_aligned) || fail "the table at 80 columns: $problems"
col_of epoch sgd | grep -Eq '^[0-9]{5,7}/1000000$' && [ "$(col_of epoch adam)" = 300/300 ] ||
    fail "the epoch column does not hold sgd's N/1000000 and adam's 300/300"
for h in loss val_acc; do
    screen | grep -Eq "^  racer .* $h( |\$)" || fail "the $h column gave way at 80 columns"
done
echo "ok: at 80x24 the table fits, and 5-digit epochs line up with 3-digit ones"
keys s
wait_for 'training has ended for every racer' 15 ||
    fail "once s has stopped the last racer, the status line does not say that training has ended"
sleep 0.3 # a few frames later it still says so
on_screen 'training has ended for every racer' ||
    fail "the status line went back from 'training has ended' to an older message"
# the key bar offers what still acts: no space, n, <> or s
bar=$(screen | sed -n '24p')
for k in 'space' 'step all' 'pace' 'stop all'; do
    case $bar in *"$k"*) fail "once every racer has ended the key bar still offers '$k': $bar" ;; esac
done
case $bar in *'q quit'*) ;; *) fail "once every racer has ended the key bar lacks q: $bar" ;; esac
keys s
wait_for 'nothing to stop' 5 || fail "s after the end does not say there is nothing to stop"
keys Space
wait_for 'nothing to resume' 5 || fail "space after the end does not say there is nothing to resume"
echo "ok: once every racer has ended, the status line says so, and s and space say they do nothing"
quit_exits narrow 0

# ---- a resize whose SIGWINCH was lost is still drawn -------------------------------
# (once, in make test on a fresh machine, the 80x24 race above stayed drawn at
# 120x40: the SIGWINCH had come while curses was starting)
lost_resize_redraws nowinch C "race --no-log --threads 1 --patience 0 --epochs 1000000 iris" \
    ' adam +RUNNING' '^ gradtop race' 'q quit'
echo "ok: a resize no SIGWINCH told of is drawn at the new size"

# ---- headless -------------------------------------------------------------------
out=$("$GRADTOP" race --logdir "$TMP/named" --epochs 2 --racers "sgd:lr=0.05,name=slow;adam:lr=0.01" \
    spiral </dev/null 2>&1)
[ "$?" = 0 ] || { echo "$out"; fail "the headless race did not exit 0"; }
for r in slow adam; do
    echo "$out" | grep -Eq "^$r +epoch +2/2 " || { echo "$out"; fail "no epoch line for $r"; }
    echo "$out" | grep -Eq "^result: racer=$r status=completed" || { echo "$out"; fail "no result for $r"; }
    d=$(ls -d "$TMP"/named/*-spiral-"$r" 2>/dev/null | head -n 1)
    [ -n "$d" ] && [ -s "$d/metrics.csv" ] || fail "no run directory …-spiral-$r"
done
echo "ok: the headless race prints per-epoch lines and a result per racer; name= names a racer and its run"
out=$("$GRADTOP" race --no-log --racers "sgd;adam:val-split=0.5" iris </dev/null 2>&1)
[ "$?" = 2 ] || { echo "$out"; fail "a racer's val-split was not refused with status 2"; }
echo "$out" | grep -q 'racer 2 (adam:val-split=0.5): val-split is shared by all racers' ||
    fail "the refusal does not name the racer and the shared option: $out"
echo "ok: a racer's own data option is refused, naming the racer"
out=$("$GRADTOP" race --no-log --epochs 30 --patience 0 --racers \
    "sgd:lr=10,momentum=0.99;adam" iris </dev/null 2>&1)
[ "$?" = 3 ] || { echo "$out"; fail "a race with a diverged racer did not exit 3"; }
echo "$out" | grep -q '^result: racer=sgd status=diverged' || fail "no diverged result: $out"
echo "$out" | grep -q '^result: racer=adam status=completed' || fail "adam did not finish: $out"
echo "ok: a diverged racer makes the headless race exit 3, the others finish"
# standard output that cannot be written stops the race as it stops `gradtop
# train`: exit 1, the reason on stderr, every racer's files finished
out=$("$GRADTOP" race --no-log --epochs 5 iris </dev/null 2>&1 >/dev/full)
rc=$?
[ "$rc" = 1 ] || { echo "$out"; fail "a race whose stdout is /dev/full exited $rc, not 1"; }
echo "$out" | grep -q '^gradtop race: standard output: No space left on device' ||
    fail "a full stdout is not reported: $out"
echo "ok: a headless race on a full stdout exits 1 and says so"
# a reader that leaves after the first line: the race cannot end before the
# pipe fails (a million epochs), so the write after the reader has gone fails
{
    timeout 60 "$GRADTOP" race --logdir "$TMP/pipe" --epochs 1000000 --patience 0 --threads 1 \
        iris </dev/null 2>"$TMP/pipe.err"
    echo $? >"$TMP/pipe.rc"
} | head -n 1 >"$TMP/pipe.out"
rc=$(cat "$TMP/pipe.rc")
[ "$rc" = 1 ] || { cat "$TMP/pipe.err"; fail "a race whose reader left exited $rc, not 1"; }
grep -q '^gradtop race: standard output: Broken pipe: every racer stopped .*; the run files are complete' \
    "$TMP/pipe.err" || fail "a closed stdout is not reported: $(cat "$TMP/pipe.err")"
grep -Eq '^[a-z]+ +epoch +1/1000000 ' "$TMP/pipe.out" || fail "the first epoch line did not arrive"
for r in sgd adam rmsprop; do
    rd=$(ls -d "$TMP"/pipe/*-iris-"$r" 2>/dev/null | head -n 1)
    [ -n "$rd" ] && [ -s "$rd/model.gtm" ] || fail "the closed pipe left racer $r without its run files"
    grep -q ' end stopped after [0-9]* epochs\?' "$rd/journal.txt" ||
        fail "racer $r's journal has no end record: $(tail -n 2 "$rd/journal.txt")"
    tail -n 1 "$rd/journal.txt" | grep -q ' result status=stopped ' ||
        fail "racer $r's journal does not end with its result: $(tail -n 1 "$rd/journal.txt")"
done
echo "ok: a headless race whose reader left exits 1, says so, and every racer's journal ends"
# a network refused for its size: no racer's run directory is made, whether
# every racer or one racer alone has it (the others are built first)
for spec in "sgd;adam" "sgd;adam:layers=65536,65536,65536,65536"; do
    layers=65536,65536,65536,65536
    [ "$spec" = "sgd;adam" ] || layers=8
    out=$("$GRADTOP" race --logdir "$TMP/huge" --layers "$layers" --racers "$spec" iris </dev/null 2>&1)
    [ "$?" = 1 ] || { echo "$out"; fail "a race with a network too large for memory did not exit 1"; }
    echo "$out" | grep -q 'use smaller layers' || fail "the refusal does not say why: $out"
    [ -z "$(ls -A "$TMP/huge" 2>/dev/null)" ] ||
        fail "a refused race ($spec, layers $layers) left run directories: $(ls "$TMP/huge")"
done
echo "ok: a race refused for a racer's network leaves no run directory behind"
start_session screendiv C.UTF-8 "race --no-log --epochs 30 --patience 0 \
    --racers 'sgd:lr=10,momentum=0.99;adam' iris"
wait_for 'DIVERGED' 20 || fail "the race screen did not show the sgd racer DIVERGED"
wait_for ' adam +DONE' 30 || fail "adam did not finish beside the diverged racer"
# its step is its weights', the end of its last finite epoch (4 batches an
# epoch); it counted the batches undone ("13/30 56")
row=$(screen | grep -E ' sgd +DIVERGED ' | head -n 1)
echo "$row" | awk '{ split($4, e, "/"); exit !(e[1] * 4 == $5) }' ||
    fail "the diverged racer's step is not its weights' (4 an epoch): $row"
# the diverged racer's climb (to 4e35 before its NaN, hundreds for epochs
# before) leaves the loss chart through its top: adam's curve keeps the range
top=$(axis_max 'training loss' 'accuracy')
awk -v t="$top" 'BEGIN { exit !(t + 0 > 0 && t + 0 < 10) }' ||
    fail "beside the diverged racer the loss axis reaches $top: adam's curve lies flat"
quit_exits screendiv 3
echo "ok: the race screen, too, exits 3 when a racer diverged"

# The race's two charts put their y axes in one column: moons after 3
# epochs (seed 0) labels its loss 0.2 to 0.6 and its accuracy 0.84 to
# 0.86 at 100x30, which put the accuracy plot a column to the right.
start_session align C.UTF-8 "race --no-log --epochs 3 --seed 0 moons"
resize 100 30
wait_for 'training has ended for every racer' 30 || fail "align: the 3-epoch moons race did not end"
same_axis_column "race align"
echo "ok: the race's charts, labels $(axis_columns | awk '{ printf "%s ", $1 }')wide, share their y axis's column"
quit_exits align 0

# q asks while a racer trains; once every racer had ended behind the box it
# still read "The race is still running" and offered "n keep racing".
# iris at 60 rows a batch and 1 batch a second: 6 batches, started
# --paused; space resumes it in the same write as q, which the race screen
# reads before it looks at the racers again, so that q asks of a race
# still running, whatever the machine's speed.
start_session endquit C.UTF-8 "race --no-log --paused --pace 1b --batch-size 60 --epochs 3 --patience 0 --seed 1 iris"
wait_for 'PAUSED' 15 || fail "endquit: the race started --paused did not show PAUSED"
keys Space q
wait_for 'Quit now' 5 || fail "endquit: q while the racers trained did not ask first"
wait_for 'training has ended for every racer' 60 || fail "endquit: the race did not end behind the box"
on_screen 'Every racer has ended\. Quit now\?' || fail "endquit: the race has ended, and the box does not say so"
off_screen 'still running|keep racing' || fail "endquit: the race has ended, and the box says it is still running"
keys y
wait_file "$TMP/endquit.exit" 10 || fail "endquit: y did not quit"
[ "$(cat "$TMP/endquit.exit")" = 0 ] || fail "endquit: y exited $(cat "$TMP/endquit.exit"), not 0"
echo "ok: the quit box says so once every racer has ended behind it"

# headless_signal SIG [CODE]: a long headless race gets SIG once every racer
# has printed an epoch; every racer must stop after its batch, print its
# result with status=stopped and finish its run files, and the race exit
# CODE (130 unless given).
# (A background job of a script starts with SIGINT ignored: the race, like
# `gradtop train`, catches it all the same.)
# shellcheck disable=SC2317 # run by poll
all_racing() {
    for r in sgd adam rmsprop; do grep -q "^$r .*epoch" "$1" || return 1; done
}
headless_signal() {
    want=${2:-130}
    d=$TMP/sig-$1
    mkdir -p "$d"
    ( "$GRADTOP" race --logdir "$d/runs" --threads 1 --patience 0 --epochs 1000000 iris \
        </dev/null >"$d/out" 2>"$d/err" &
      echo $! >"$d/pid"
      wait $!
      echo $? >"$d/exit" ) &
    wait_file "$d/pid" 5 || fail "the headless race did not start"
    HL_PID=$(cat "$d/pid")
    poll 20 all_racing "$d/out" || fail "the headless race printed no epochs within 20 s"
    kill -"$1" "$HL_PID"
    wait_file "$d/exit" 20 || fail "SIG$1 did not end the headless race within 20 s"
    HL_PID=
    [ "$(cat "$d/exit")" = "$want" ] || { cat "$d/err"; fail "SIG$1: exit status $(cat "$d/exit"), not $want"; }
    for r in sgd adam rmsprop; do
        grep -Eq "^result: racer=$r status=stopped .* run=" "$d/out" ||
            { tail -n 5 "$d/out"; fail "SIG$1: no result line with status=stopped for $r"; }
        rd=$(ls -d "$d"/runs/*-iris-"$r" 2>/dev/null | head -n 1)
        [ -n "$rd" ] && [ -s "$rd/model.gtm" ] && [ -s "$rd/metrics.csv" ] ||
            fail "SIG$1: no run files for $r"
        tail -n 1 "$rd/journal.txt" | grep -q 'result status=stopped' ||
            fail "SIG$1: $r's journal does not end with its result: $(tail -n 1 "$rd/journal.txt")"
    done
    echo "ok: SIG$1 stops the headless race: every racer's result (stopped) and files, exit $want"
}
headless_signal INT
headless_signal TERM
# SIGHUP (the terminal or SSH session went away) ends the race as SIGTERM does
headless_signal HUP
# SIGQUIT (Ctrl-\) as SIGINT does, exit 131 (128 + 3) as on the race screen,
# where it dumped core with the racers' files half written (or, started in
# the background as here, where it comes ignored, did nothing)
headless_signal QUIT 131

echo "e2e_race: all passed"
exit 0
