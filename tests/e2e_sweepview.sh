#!/bin/sh
# e2e_sweepview.sh - the sweep screen in tmux, as a person tunes with it:
# started --paused, the leaderboard shows every open trial paused; enter
# opens the trial under the cursor in the full dashboard (its key bar says
# q goes back, it takes no setup or restart), a change made there is
# journaled in the trial's run directory, esc comes back; p lets one trial
# go on alone to its first asha rung, where it waits; + promotes it
# whatever its rank, and while it waits for the slot a paused trial holds
# its row and its dashboard say it is promoted; space resumes every trial
# and the sweep finishes with its files; enter on an ended trial shows its run in the view beside the
# best trial's, and esc or q comes back; a opens the best configuration's
# full run in the dashboard
# and q comes back; q quits with status 0.  Then SIGINT on a paused
# sweep: every trial stops, the files are written, the status is 130.
# A stop or quit box that its trial or the sweep ended under says so.
# The key bar names space for what it does, offers + under asha alone and,
# once the sweep has ended, no key that no longer acts.
# The events list's lines, early_stopped ends among them, align after their
# word.  A sweep on a terminal never prints the headless lines.  The setup form's
# sweep mode shows the sweep's rows and F10 opens the sweep screen.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_sweepview.sh
# Every wait is bounded; a failure prints what was expected and the screen.
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_sweepview sweepview sweepview

SPACE='lr=loguniform(1e-3,1e-1); batch-size=choice(8|16|32)'
# asha with one slot: rungs at epochs 2, 6 and 18
ARGS="sweep --paused --space '$SPACE' --trials 3 --max-epochs 18 --min-epochs 2 --eta 3 \
--scheduler asha --parallel 1 --seed 5 --logdir '$TMP/logs' '$PWD/datasets/iris.csv'"

# the leaderboard row of trial N (its first column is the trial's number, a * after it
# when it was changed by hand)
row() { screen | grep -E "^ *$1\*? +[a-z]" | head -n 1; }
row_has() { row "$1" | grep -Eq -- "$2"; }

# two_moments: reads a screen; a line for each thing on it that another
# part of it contradicts: a trial the events say ended whose row says it
# trains (or waits to), a header that says how long the sweep took beside
# a bar that still offers space (or the other way round), an ended sweep
# with a row still training.  Nothing when the screen is of one moment.
two_moments() {
    perl -ne '
        my $st = qr/waiting|running|paused|at rung|promoted|exploited|pruned|done|early stop|diverged|stopped|failed/;
        my $live = qr/^(waiting|running|paused|at rung|promoted|exploited)$/;
        $row{$1} = $2 if /^ *(\d+)\*? +($st) /;
        push @ended, [$1, $2] if /^ trial +(\d+) (done|early_stopped|pruned|diverged|stopped|failed) /;
        $took = 1 if $. == 1 && /took [0-9]/;
        $bar = $_;
        END {
            my ($t, $b) = ($took ? 1 : 0, $bar =~ /space / ? 0 : 1);
            print "header took: ", ($t ? "yes" : "no"), ", bar: $bar" if $t != $b;
            for (@ended) {
                my ($t, $how) = @$_;
                print "events: trial $t $how, its row: $row{$t}\n" if exists $row{$t} && $row{$t} =~ $live;
            }
            if ($took) {
                for (sort keys %row) { print "ended, trial $_ row: $row{$_}\n" if $row{$_} =~ $live }
            }
        }'
}

start_session sweep C.UTF-8 "$ARGS"
wait_for 'gradtop sweep .*asha \(eta 3\) scheduler.*PAUSED' 15 ||
    fail "the sweep screen has no header saying asha and PAUSED"
poll 10 row_has 0 'paused +- +0/2' || fail "--paused: trial 0 is not shown paused at epoch 0 of 2"
# the epochs asha's rungs will likely take: 3 trials to epoch 2, one of
# them on to 6, a third of one on to 18 (6 + 4 + 4), at most 3 * 18 (it
# said "of at most 54", as if no trial would be pruned)
screen | head -n 1 | grep -Eq 'epochs 0 of ~14 \(at most 54\)' ||
    fail "the asha sweep's header does not expect 14 epochs of at most 54: $(screen | head -n 1)"
# no ETA yet (no epoch done): no gap where it would be (it read "54)    PAUSED")
screen | head -n 1 | grep -Eq '\) {3,}PAUSED' &&
    fail "the header without an ETA leaves a gap before PAUSED: $(screen | head -n 1)"
on_screen 'every trial paused: space resumes them' || fail "no line saying every trial is paused"
# the key bar says what space does now, and offers + under asha
bar() { screen | sed -n '40p'; }
case $(bar) in *'space resume all'*'+ promote'*) ;; *) fail "paused under asha, the bar is: $(bar)" ;; esac
on_screen '^trial +0 start' && fail "the headless lines were printed on the terminal"
echo "ok: --paused, the leaderboard shows trial 0 paused at 0/2"

# ---- too small a terminal: the size it needs, whole ---------------------------
# (the message was once cut at the terminal's width, before the size)
resize 30 8
wait_for 'at least 60x16' 5 || fail "a 30x8 terminal does not say the size it needs: $(screen)"
resize 120 40
wait_for 'gradtop sweep .*asha \(eta 3\) scheduler.*PAUSED' 5 ||
    fail "the sweep screen did not come back after growing to 120x40"
echo "ok: a terminal too small says the size it needs, and the screen recovers"

# ---- enter: the trial in the full dashboard, esc back ----------------------------
keys Enter
wait_for 'sweep trial 0: paused.*q or esc goes back to the sweep' 10 ||
    fail "enter did not open trial 0 in the dashboard"
on_screen 'q back to sweep' || fail "the trial's key bar does not say q goes back"
on_screen 'o setup|r restart' && fail "the trial's key bar offers setup or restart"
keys r
wait_for "a sweep trial is the sweep's: esc goes back to the sweep" 5 ||
    fail "r in a trial did not say why it does not restart"
# its help lists what the keys do here: no restart, setup or network
# edits, and q goes back (it listed them all, and "q quit (asks first)")
keys '?'
wait_for 'gradtop keys' 5 || fail "? did not open the trial's help"
help=""
for _page in 1 2 3 4; do
    help="$help$(screen)"
    keys NPage
    sleep 0.3
done
case $help in *'restart with the current settings'* | *'back to the setup form'* | \
    *'network view: add a unit'* | *'network view: remove the chosen'* | *'quit (asks first'*)
    fail "the trial's help lists keys it refuses: $help" ;;
esac
case $help in *'q      back to the sweep'*) ;; *) fail "the trial's help does not say q goes back to the sweep" ;; esac
keys '?'
wait_gone 'gradtop keys' 5 || fail "? did not close the trial's help"
keys +
wait_for 'lr .*→|lr +[0-9.e-]+' 5 || fail "+ in the trial's dashboard did not raise lr"
keys Escape
wait_for 'gradtop sweep ' 10 || fail "esc did not come back to the sweep screen"
# its rate changed by hand: its # has a *, its row still the rate it began with
poll 5 on_screen '^ *0\* +paused' || fail "trial 0, its lr changed in its dashboard, has no * by its number"
on_screen '^ *1\* ' && fail "trial 1, not changed, has a *"
echo "ok: enter opens trial 0 in the dashboard, r is refused there, esc comes back"

# ---- p lets trial 0 alone go on to its first rung, + promotes it -----------------
keys p
poll 30 row_has 0 'at rung' || fail "trial 0, resumed alone, did not wait at its first rung"
poll 10 row_has 1 'paused' || fail "the next trial did not start paused"
keys Home
keys +
wait_for 'trial 0 promoted' 5 || fail "+ on trial 0 at its rung did not promote it"
wait_for 'trial +0 promoted +to rung 1 \(epoch 6\)' 10 || fail "the events list has no promotion"
# trial 1, paused, holds the one slot: trial 0, promoted, waits for it,
# and its row and dashboard say so, not that its rung has yet to decide
poll 5 row_has 0 'promoted +0 +2/6' || fail "trial 0, promoted and waiting for the slot, does not read promoted"
keys Enter
wait_for 'sweep trial 0: promoted to epoch 6, where it trains on when a slot is free' 10 ||
    fail "the dashboard of trial 0, promoted and waiting for the slot, does not say so"
keys Escape
wait_for 'gradtop sweep ' 10 || fail "esc did not come back to the sweep screen"
echo "ok: p runs one trial to its rung, + promotes it"

# ---- space: every trial on, to the end ---------------------------------------------
keys Space
wait_for 'sweep finished: best trial [0-2]' 90 || fail "the sweep did not finish after space"
sweep=$(ls -d "$TMP"/logs/*-iris-sweep 2>/dev/null)
[ -d "$sweep" ] || fail "no sweep directory"
for f in space.txt trials.csv best.txt; do [ -s "$sweep/$f" ] || fail "no $f"; done
grep -Eq 'lr [0-9.e-]+ -> lr [0-9.e-]+' "$sweep"/*-trial-000/journal.txt || fail "the change made in trial 0 is not journaled"
# trial 0 was promoted to rung 1: it reached epoch 6 at least
e0=$(awk -F, 'NR == 2 { print $4 }' "$sweep/trials.csv")
[ "${e0:-0}" -ge 6 ] || fail "trial 0 did not train to its promoted rung (epochs $e0)"
case $(bar) in *space* | *'+ promote'* | *'p pause'* | *'s stop'*)
    fail "after the sweep the bar offers keys that no longer act: $(bar)" ;;
esac
echo "ok: space resumes every trial; the files are written; the edit and the promotion took"
# the time it took stands still once it has ended (it once counted on)
took() { screen | head -n 1 | grep -Eo 'took [0-9hms.]+'; }
took1=$(took)
[ -n "$took1" ] || fail "the header does not say how long the ended sweep took"
sleep 2.2
[ "$(took)" = "$took1" ] || fail "the ended sweep's '$took1' went on to '$(took)'"
keys Space
wait_for 'the sweep has ended: no trial to pause' 5 || fail "space after the end does not say there is nothing to pause"
off_screen 'PAUSED' || fail "space after the end shows PAUSED"
echo "ok: once ended, '$took1' stands still and space has nothing to pause"

# ---- enter on an ended trial: its run in the view, beside the best ---------------
keys Home Enter
wait_for 'sweep trial [0-2] \([a-z ]+ at epoch [0-9]+, the best so far\); q or esc: back' 10 ||
    fail "enter on the best trial, ended, did not open its run in the view"
wait_for 'gradtop view .*-iris-sweep +[0-9]+ runs +1 charted' 5 || fail "the view does not chart the best trial alone"
best_name=$(screen | grep -E '^\[x\]' | grep -Eo 'trial-00[0-2]')
[ -n "$best_name" ] || fail "the view's list has no charted trial"
keys Escape
wait_for 'gradtop sweep ' 10 || fail "esc did not come back from the view to the sweep screen"
keys Down Enter
wait_for 'sweep trial [0-2] \([a-z ]+ at epoch [0-9]+\) beside the best so far, trial [0-2]; q or esc' 10 ||
    fail "enter on another ended trial did not open it beside the best"
wait_for 'gradtop view .* 2 charted' 5 || fail "the view does not chart the trial and the best"
[ "$(screen | grep -cE '^\[x\]')" -eq 2 ] || fail "not exactly two runs are charted"
screen | grep -E '^\[x\]' | grep -q "$best_name" || fail "the best trial ($best_name) is not among the charted"
on_screen 'q back' || fail "the nested view's key bar does not say q goes back"
keys q
wait_for 'gradtop sweep ' 10 || fail "q did not come back from the view to the sweep screen"
echo "ok: enter on an ended trial shows its run in the view, beside the best; esc and q come back"

# ---- a: the best configuration in full ----------------------------------------------
keys a
wait_for 'gradtop +iris' 15 || fail "a did not open the best configuration's dashboard"
on_screen 'o setup' && fail "the best run's key bar offers a setup form it does not have"
quit_or_back() {
    keys q
    if wait_for 'Quit now' 3; then keys y; fi
    wait_for 'gradtop sweep ' 15
}
quit_or_back || fail "q did not come back from the best run to the sweep screen"
ls -d "$sweep"/*-best-trial-* >/dev/null 2>&1 || fail "the best run has no run directory in the sweep's"
echo "ok: a trains the best configuration in the dashboard; q comes back"

resize 200 60 # the whole help on one page
keys '?'
wait_for 'gradtop sweep keys' 5 || fail "? did not show the help"
wait_for 'up/down, pgup/pgdn and home/end' 5 || fail "the help does not say which keys move the cursor"
# every status word the rows show is explained, waiting included, and
# where the cursor stays
help=$(screen | tr -d '│|' | tr '\n' ' ' | tr -s ' ')
for word in 'waiting (not started yet' 'running;' 'paused (by you)' 'at rung (asha' 'promoted (' \
    'exploited (' 'pruned (' 'done;' 'early stop (' 'diverged;' 'stopped;' 'failed.' \
    'it stays on the first row, the leader, until you move it or act on its trial'; do
    case $help in *"$word"*) ;; *) fail "the help does not explain '$word': $help" ;; esac
done
keys '?'
wait_gone 'gradtop sweep keys' 5 || fail "? did not close the help"
quit_exits sweep 0
echo "ok: ? shows the help; q quits with 0"

# ---- SIGINT: every trial stops, the files are written, 130 -----------------------
start_session sigint C.UTF-8 "$ARGS"
wait_for 'gradtop sweep .*PAUSED' 15 || fail "the second sweep did not start"
poll 10 row_has 0 'paused' || fail "the second sweep shows no paused trial"
keys C-c
wait_file "$TMP/sigint.exit" 15 || fail "SIGINT did not end the sweep"
[ "$(cat "$TMP/sigint.exit")" = 130 ] || fail "SIGINT exited $(cat "$TMP/sigint.exit"), not 130"
n=$(ls -d "$TMP"/logs/*-iris-sweep* | wc -l)
[ "$n" -eq 2 ] || fail "expected two sweep directories, found $n"
last=$(ls -d "$TMP"/logs/*-iris-sweep* | tail -n 1)
grep -q 'stopped' "$last/trials.csv" || fail "after SIGINT trials.csv does not say stopped"
echo "ok: SIGINT stops every trial, writes the files and exits 130"
# ---- a box the sweep, or its trial, ended under ------------------------------
# s and q ask while trials train; a trial, then the sweep, that ended
# behind the box left it asking to stop them ("Stop every trial after its
# batch ... and quit?", "n go on") beside "sweep finished".  Two digits
# trials one after the other, started --paused: nothing trains until the
# test lets it, in the same write as the key that opens the box ("p s",
# then "space q").  The screen reads both keys before it looks at the
# trials again, so the box asks of a trial, or a sweep, it still saw
# open, whatever the machine's speed; the trial then ends behind it.
start_session endbox C.UTF-8 "sweep --paused --space 'lr=loguniform(1e-3,1e-2)' --trials 2 \
--parallel 1 --max-epochs 4000 --patience 0 --seed 1 --no-log '$PWD/datasets/digits.csv'"
wait_for 'every trial paused: space resumes them' 15 || fail "endbox: --paused did not start paused"
poll 10 row_has 0 'paused' || fail "endbox: trial 0 is not shown paused"
keys p s
wait_for 'Stop trial 0 after its batch|Trial 0 has ended' 5 || fail "endbox: s on trial 0, let go by p, did not ask first"
wait_for '^ *0 +done ' 60 || fail "endbox: trial 0 did not end behind the box"
on_screen 'Trial 0 has ended: there is nothing to stop' ||
    fail "endbox: trial 0 has ended, and the box does not say so"
off_screen 'It ends as stopped' || fail "endbox: trial 0 has ended, and the box still offers to stop it"
off_screen 'stop this trial\?' || fail "endbox: trial 0 has ended, and the box's title still asks to stop it"
keys n
wait_gone 'Trial 0 has ended' 5 || fail "endbox: n did not close the box"
# every trial still paused: trial 1 starts paused and waits for space
poll 10 row_has 1 'paused' || fail "endbox: trial 1 did not start paused"
keys Space q
wait_for 'quit\?' 5 || fail "endbox: q while trial 1 trained did not ask first"
wait_for 'sweep finished' 60 || fail "endbox: the sweep did not finish behind the box"
on_screen 'The sweep has finished\. Quit now\?' || fail "endbox: the sweep has finished, and the box does not say so"
off_screen 'Stop every trial|go on' || fail "endbox: the sweep has finished, and the box still offers to stop it"
keys y
wait_file "$TMP/endbox.exit" 10 || fail "endbox: y did not quit"
[ "$(cat "$TMP/endbox.exit")" = 0 ] || fail "endbox: y exited $(cat "$TMP/endbox.exit"), not 0"
echo "ok: a stop or quit box that its trial or the sweep ended under says so"
# ---- no scheduler: + promotes nothing, and the bar does not offer it -------------
start_session nosched C.UTF-8 "sweep --paused --space '$SPACE' --trials 2 --max-epochs 500 \
--scheduler none --seed 5 --no-log '$PWD/datasets/iris.csv'"
wait_for 'every trial paused: space resumes them' 15 || fail "--scheduler none --paused: not paused"
case $(bar) in *'space resume all'*) ;; *) fail "paused, the bar does not say space resumes: $(bar)" ;; esac
case $(bar) in *'+ promote'*) fail "under --scheduler none the bar offers + promote: $(bar)" ;; esac
# under --no-log the quit box does not promise files
keys q
wait_for '\(--no-log: nothing is' 5 || fail "under --no-log the quit box does not say nothing is written"
off_screen 'write the files' || fail "under --no-log the quit box speaks of writing the files"
keys n
wait_gone 'no-log: nothing is' 5 || fail "n did not close the quit box"
keys Space
wait_for 'every trial resumed' 5 || fail "space did not resume every trial"
# (the bar while trials run, or the sweep has finished: its header then
# says how long it took, while the notice may still show.  Each frame
# polled is of one moment: one drawn as the trials ended once showed
# their end in the events and the key bar beside rows still "paused
# 0/500" and a header without 'took')
resumed_or_ended() {
    _now=$(screen)
    _mixed=$(printf '%s\n' "$_now" | two_moments)
    [ -z "$_mixed" ] || fail "a frame shows two moments: $_mixed"
    case $_now in *'space pause all'* | *'took '[0-9]*) return 0 ;; esac
    return 1
}
poll 5 resumed_or_ended || fail "resumed, the bar lacks 'space pause all'"
keys C-c
wait_file "$TMP/nosched.exit" 15 || fail "SIGINT did not end the sweep"
echo "ok: the bar says space resumes while paused, and offers + only under asha"

# ---- median and pbt: epochs out of the trial's full length -------------------------
# (their stops on the way, one epoch ahead or the next barrier, once read
# as lengths: "7/7" for a trial pruned at epoch 7 of 9)
for sched in median pbt; do
    start_session "$sched" C.UTF-8 "sweep --space '$SPACE' --trials 8 --max-epochs 9 --pbt-interval 4 \
--patience 1 --scheduler $sched --seed 3 --no-log '$PWD/datasets/iris.csv'"
    wait_for 'sweep finished: best trial' 30 || fail "the $sched sweep did not finish"
    rows=$(screen | grep -cE '^ *[0-7] +[a-z]')
    [ "$rows" -eq 8 ] || fail "the $sched sweep shows $rows rows, not 8"
    bad=$(screen | grep -E '^ *[0-7] +[a-z]' | grep -vE ' [0-9]/9 ')
    [ -z "$bad" ] || fail "under $sched, rows whose epochs are not out of --max-epochs 9: $bad"
    quit_exits "$sched" 0
done
echo "ok: under median and pbt the epoch column counts out of --max-epochs"

# ---- the scatters' axes: an int range is labelled at two ticks too ---------------
# (at 120 columns each scatter has room for three ticks; the nice step for
# 4..64, 100, once left the int axis without one, and the step of 0.5 for
# 0..0.5 its x title beside the label 0 alone; a title too wide to leave
# two labels, batch-size's, gives way: the chart's title names it)
start_session scatter C.UTF-8 "sweep --paused --space 'dropout=uniform(0,0.5); batch-size=int(4,64)' \
--trials 2 --max-epochs 5 --no-log '$PWD/datasets/iris.csv'"
wait_for 'every trial paused: space resumes them' 15 || fail "the scatter sweep did not start paused"
wait_for '^ +0 .* 0 +0\.2 +dropout +20 +40 +60 *$' 5 ||
    fail "the dropout and batch-size scatters' axes are not labelled 0, 0.2, dropout and 20, 40, 60"
keys C-c
wait_file "$TMP/scatter.exit" 15 || fail "SIGINT did not end the scatter sweep"
echo "ok: a scatter over int(4,64) labels its axis at 20, 40 and 60"

# ---- a narrow header leaves its figures out whole, never cut ----------------------
# (at 60 columns a long data set's name once left "epochs 0/<=20…" of the
# narrow header, or "epochs 6…" of 68: a figure cut short reads as another)
long=iris-measured-by-anderson-1935
cp "$PWD/datasets/iris.csv" "$TMP/$long.csv"
start_session narrow C.UTF-8 "sweep --paused --space 'lr=loguniform(1e-3,1e-1)' --trials 4 \
--max-epochs 50 --no-log '$TMP/$long.csv'"
wait_for 'every trial paused: space resumes them' 15 || fail "the long-named sweep did not start paused"
header_whole() {
    _head=$(screen | head -n 1)
    case $_head in *…*) return 1 ;; esac
    printf '%s\n' "$_head" | grep -Eq "^ sweep $long  .*trials [0-9]+/4.*  PAUSED *$"
}
for size in "60 16" "70 20" "80 24"; do
    # shellcheck disable=SC2086 # two numbers
    resize $size
    poll 5 header_whole || fail "at $size the header is cut: $(screen | head -n 1)"
    # (the curves chart's title too: "val_loss per epoch, every tr…")
    screen | grep 'per epoch' | grep -q '…' &&
        fail "at $size the curves chart's title is cut: $(screen | grep 'per epoch')"
done
keys C-c
wait_file "$TMP/narrow.exit" 15 || fail "SIGINT did not end the long-named sweep"
echo "ok: a narrow header leaves out whole what does not fit, and keeps PAUSED"

# ---- o: the rows in trial order at once, for the keys that follow -----------------
# (o and End in one write: End once went to the last row of the old,
# best-first order, and the cursor then followed that trial)
start_session order C.UTF-8 "sweep --space 'lr=loguniform(1e-3,1e-1)' --trials 40 --max-epochs 3 \
--patience 0 --seed 2 --no-log '$PWD/datasets/iris.csv'"
wait_for 'sweep finished: best trial' 30 || fail "the 40-trial sweep did not finish"
keys o End
# (the rows' range first: trial 39 may rank among the rows shown before
# the keys are read, and its row alone would not tell the keys took)
wait_for '30-40 of 40' 5 || fail "o then End does not show the last rows in trial order"
last_row_39() { screen | grep -E '^ *[0-9]+ +done' | tail -n 1 | grep -Eq '^ *39 +done'; }
poll 5 last_row_39 || fail "o then End: the last row shown is not trial 39, the last in trial order"
# s on a trial that has ended asks nothing: there is nothing to stop
keys s
wait_for 's: trial 39 is not training' 5 || fail "s on trial 39, ended, does not say it is not training"
off_screen 'stop this trial\?' || fail "s on trial 39, ended, asks whether to stop it"
# (no run files: enter says so of the trial under the cursor)
keys Enter
wait_for 'trial 39 is not training, and' 5 || fail "enter after o and End did not act on trial 39"
quit_exits order 0
echo "ok: o orders the rows at once: End then goes to the last trial; s there asks nothing"

# ---- the setup form's sweep mode ------------------------------------------------------
start_session setup C.UTF-8 "--logdir '$TMP/setup' '$PWD/datasets/iris.csv'"
wait_for 'F10' 15 || fail "the setup form did not open"
keys End
wait_for '^ +mode +single' 5 || fail "End did not show the mode row"
off_screen '^ +(space|scheduler|max epochs) ' || fail "the sweep's rows show in single mode"
# rows_to_mode: the labels focused from Home down to the mode row, '|'-separated
rows_to_mode() {
    keys Home
    wait_for '^ > dataset  ' 5 || fail "Home did not focus the dataset row"
    _seen="" _i=0
    while [ "$_i" -lt 80 ]; do
        _now=$(focused)
        case $_now in " > mode  "*) break ;; esac
        _seen="$_seen|$(echo "$_now" | awk '{print $2}')"
        keys Down
        poll 2 focus_moved "$_now" || fail "Down did not move the focus from '$_now'"
        _i=$((_i + 1))
    done
    echo "$_seen|"
}
case $(rows_to_mode) in *"|epochs|"*"|threads|"*"|pace|"*) ;;
*) fail "single mode does not offer epochs, threads and pace" ;; esac
focus mode
keys Right Right
wait_for '^ > mode +< sweep >' 5 || fail "the mode row offers no sweep"
# a sweep's trials train --max-epochs, at full pace, on one thread each
case $(rows_to_mode) in *"|epochs|"* | *"|threads|"* | *"|pace|"*)
    fail "sweep mode offers epochs, threads or pace, which a sweep does not use" ;; esac
focus mode
keys Down
wait_for '^ > space +.*loguniform' 5 || fail "sweep mode shows no space row with a space to edit"
# focused, the row is as wide as when it is not: the offered space shows
# whole (the cursor's end of it scrolled into a value column 24 wide, it
# read "=loguniform(1e-4,1e-1)")
on_screen '^ > space +lr=loguniform\(1e-4,1e-1\)' ||
    fail "the focused space row does not show its space whole: $(focused)"
# ctrl-u clears the offered space, and it stays clear for another to be typed
# (it was once filled in again at once); an empty space is refused beside it
keys C-u
wait_for '^ > space +(│|no parameter to search)' 5 || fail "ctrl-u did not clear the space row: $(focused)"
T send-keys -t "$PANE" -l 'lr=loguniform(1e-3,1e-1); batch-size=choice(8|16|32); layers=choice(4|8,4)'
wait_for '^ > space +.*layers=choice\(4\|8,4\)' 5 || fail "the typed space is not in its row: $(focused)"
focus scheduler
# left, the row shows the space's end up to the form's edge, not cut at its value column
on_screen '^   space +(…)?.*choice\(8\|16\|32\); layers=choice\(4\|8,4\)' ||
    fail "the space row, left, does not show its end: $(screen | grep '   space')"
keys F10
wait_for 'gradtop sweep .*trials [0-9]+ of 16' 15 || fail "F10 in sweep mode did not open the sweep screen"
wait_for '#.*lr .*batch-size .*layers' 5 || fail "the sweep started from setup does not search the typed space"
wait_for 'sweep finished: best trial' 60 || fail "the sweep started from setup did not finish"
ls -d "$TMP"/setup/*-iris-sweep >/dev/null 2>&1 || fail "the sweep started from setup wrote no sweep directory"
quit_exits setup 0
echo "ok: the setup form's sweep mode starts the sweep screen with the form's options"

# ---- trials far worse than the best do not flatten the charts ----------------------
# (rates up to 30 leave some trials' val_loss in the tens to thousands,
# finite: the curves' axis once ran to 150000, every good curve on its floor)
start_session far C.UTF-8 "sweep --space 'lr=loguniform(1e-3,30)' --trials 10 --max-epochs 10 \
--patience 0 --seed 2 --no-log '$PWD/datasets/digits.csv'"
wait_for 'sweep finished: best trial' 60 || fail "the sweep with far worse trials did not finish"
wait_for 'lr: best val_loss  +↑ off chart' 5 ||
    fail "the scatter does not say far worse trials are off the chart (arrows on its top edge)"
wait_for 'above: top edge' 5 || fail "the curves chart does not say what it clips sits on the top edge"
# (the note once ended one blank before the scatter's title beside it:
# "above: top edge lr: best val_loss")
screen | grep 'per epoch' | grep -Eq 'top edge  +lr: best' ||
    fail "the curves' note runs into the scatter's title: $(screen | grep 'per epoch')"
top=$(axis_max 'per epoch' '^events')
awk -v t="$top" 'BEGIN { exit !(t != "none" && t + 0 <= 100) }' ||
    fail "the curves' axis runs to $top with far worse trials clipped"
quit_exits far 0
echo "ok: far worse trials sit on the charts' top edge, arrows on the scatter (the curves' axis tops at $top)"
# Without colour the legend is what tells the best's curve from the
# cursor's: where the chart is wide enough it keeps it beside the clipping
# note (the note once took its place).
start_session farmono "C.UTF-8 NO_COLOR=1" "sweep --space 'lr=loguniform(1e-3,30)' --trials 10 \
--max-epochs 10 --patience 0 --seed 2 --no-log '$PWD/datasets/digits.csv'"
resize 160 48
wait_for 'sweep finished: best trial' 60 || fail "the sweep with far worse trials did not finish (NO_COLOR)"
wait_for 'per epoch.*solid: best.*\([0-9]+\); above: top edge  +lr: best' 5 ||
    fail "without colour, the clipped curves chart lost its legend: $(screen | grep 'per epoch')"
quit_exits farmono 0
echo "ok: without colour, the clipped curves chart keeps its legend beside 'above: top edge'"

# ---- one trial's early spike does not flatten the curves chart ---------------------
# (16 digits trials, rates 1e-4 to 1e-1: a fast one's val_loss jumps to
# about 3 in its first epochs, while the best's curve tops near 1; the
# axis ran to the spike.  The best's and the cursor's curves set it, the
# others up to the 95th percentile of the points drawn.)
rm -rf "$TMP/spike"
start_session spike C.UTF-8 "sweep --space 'lr=loguniform(1e-4,1e-1)' --trials 16 --max-epochs 30 \
--seed 0 --logdir '$TMP/spike' '$PWD/datasets/digits.csv'"
wait_for 'sweep finished: best trial' 90 || fail "the 16-trial digits sweep did not finish"
wait_for 'above: top edge' 5 || fail "the curves chart does not say it clips a trial's spike"
top=$(axis_max 'per epoch' '^events')
peak=$(cat "$TMP"/spike/*-sweep/*-trial-*/metrics.csv | awk -F, '
    NR == 1 || $1 == "epoch" { for (i = 1; i <= NF; i++) if ($i == "val_loss") c = i; next }
    $c + 0 > m { m = $c + 0 } END { print m }')
awk -v t="$top" -v p="$peak" 'BEGIN { exit !(t != "none" && t + 0 < p + 0) }' ||
    fail "the curves' axis runs to $top, the highest val_loss of every trial ($peak)"
quit_exits spike 0
echo "ok: one trial's spike to $peak sits on the curves' top edge (the axis tops at $top)"

# ---- a trial's colour is the same in its row, its curve and its scatter points ------
# (the scatters once drew the best trial's point in the "best" green,
# trial 2's colour, and the others' in one magenta)
start_session colours C.UTF-8 "sweep --space 'lr=loguniform(1e-3,1e-1); layers=choice(4|16)' \
--trials 8 --max-epochs 6 --patience 0 --seed 3 --no-log '$PWD/datasets/iris.csv'"
wait_for 'sweep finished: best trial' 60 || fail "the colours sweep did not finish"
keys End
sleep 0.5
T capture-pane -p -e -t "$PANE" | cells >"$TMP/cells"
# each row's number in its trial's colour: "TRIAL COLOUR"
awk '$1 >= 2 && $1 <= 9 && $2 == 0 { print $4, $3 }' "$TMP/cells" >"$TMP/trials"
[ "$(wc -l <"$TMP/trials")" -eq 8 ] || fail "the leaderboard's numbers: $(tr '\n' ' ' <"$TMP/trials")"
# the scatters: the braille dots right of the column where "lr: best" starts,
# between the charts' title row and the events
srow=$(screen | grep -n 'lr: best' | head -n 1 | cut -d: -f1)
scol=$(screen | sed -n "${srow}p" | perl -CS -ne 'print index($_, "lr: best")')
erow=$(screen | grep -n '^events' | head -n 1 | cut -d: -f1)
perl -CSD -ane 'BEGIN { ($r0, $r1, $c0) = splice @ARGV, 0, 3 }
    print "$F[2]\n" if $F[0] >= $r0 && $F[0] < $r1 - 1 && $F[1] >= $c0 && $F[3] =~ /[\x{2801}-\x{28ff}]/' \
    "$srow" "$erow" "$scol" "$TMP/cells" | sort -u >"$TMP/dots"
[ -s "$TMP/dots" ] || fail "no scatter dots found right of column $scol"
while read -r colour; do
    grep -q " $colour\$" "$TMP/trials" ||
        fail "a scatter point is drawn in colour $colour, no trial's: $(tr '\n' ' ' <"$TMP/trials")"
done <"$TMP/dots"
best=$(screen | sed -n 's/.*best trial \([0-9]*\) .*/\1/p' | head -n 1)
bc=$(awk -v t="$best" '$1 == t { print $2 }' "$TMP/trials")
grep -qx "$bc" "$TMP/dots" || fail "the best trial's ($best) colour $bc is on no scatter point"
# the curves' legend names the best and the cursor's trial, once when they
# are one (it read "bold: best (2) and cursor (2)", as if two trials)
on_screen "bold: best \($best\) and cursor \([0-9]+\)" ||
    fail "with the cursor on the last row, the legend is: $(screen | grep 'per epoch')"
# (with the cursor on the best, the slow trials' first epochs lie above the
# range, and at 120 columns the clipping note takes the legend's place)
resize 160 48
keys Home
wait_for "per epoch.*bold: best and cursor \($best\)" 5 ||
    fail "with the cursor on the best trial, the legend is: $(screen | grep 'per epoch')"
quit_exits colours 0
echo "ok: every scatter point is drawn in its trial's colour, the best's ($best) too"

# ---- pruned trials are drawn faint, as the help says -----------------------------
# (their curves once had their colour at full strength, like every other)
start_session faint C.UTF-8 "sweep --space 'lr=loguniform(1e-4,1); layers=choice(4|16)' \
--trials 8 --parallel 1 --max-epochs 27 --scheduler asha --seed 1 --no-log moons"
wait_for 'sweep finished: best trial' 60 || fail "the asha sweep on moons did not finish"
T capture-pane -p -e -t "$PANE" | cells >"$TMP/cells"
best=$(screen | sed -n 's/.*best trial \([0-9]*\) .*/\1/p' | head -n 1)
# the trials pruned, but the best and the cursor's (the first row)
screen | awk -v b="$best" 'NR >= 4 && NR <= 10 && $2 == "pruned" && $1 != b { print $1 }' >"$TMP/pruned"
[ -s "$TMP/pruned" ] || fail "no trial but the best was pruned: no test"
# their colours, from their numbers on the leaderboard
awk 'NR == FNR { p[$1] = 1; next } $1 >= 2 && $1 <= 9 && $2 == 0 && ($4 in p) { print $3 }' \
    "$TMP/pruned" "$TMP/cells" | sort -u >"$TMP/pcolours"
srow=$(screen | grep -n 'per epoch' | head -n 1 | cut -d: -f1)
scol=$(screen | sed -n "${srow}p" | perl -CS -ne 'print index($_, "layers: best") - 1')
erow=$(screen | grep -n '^events' | head -n 1 | cut -d: -f1)
# the attributes of the braille cells in those colours, on the curves and
# the first scatter: "COUNT ATTR"
perl -CSD -ane 'BEGIN { ($r0, $r1, $c1, $f) = splice @ARGV, 0, 4;
        open my $h, "<", $f or die; chomp(my @c = <$h>); %p = map { $_ => 1 } @c }
    print "$F[4]\n" if $F[0] >= $r0 && $F[0] < $r1 - 1 && $F[1] < $c1 && $p{$F[2]} &&
        $F[3] =~ /[\x{2801}-\x{28ff}]/' "$srow" "$erow" "$scol" "$TMP/pcolours" "$TMP/cells" |
    sort | uniq -c >"$TMP/pattrs"
[ -s "$TMP/pattrs" ] || fail "no curve or scatter cell in a pruned trial's colour ($(cat "$TMP/pcolours"))"
grep -Eqv ' d$' "$TMP/pattrs" &&
    fail "pruned trials' cells (colours $(tr '\n' ' ' <"$TMP/pcolours")) are not all dim: $(cat "$TMP/pattrs")"
quit_exits faint 0
echo "ok: the curves and scatter points of the trials pruned are dim"

# ---- the rows' position is of the size drawn -------------------------------------
# (grown from 80x24 to 200x60, a finished sweep's header still read
# "1-6 of 12", the 80x24 range, over all twelve rows)
start_session position C.UTF-8 "sweep --space 'lr=loguniform(1e-3,1e-1)' --trials 12 --max-epochs 2 \
--patience 0 --no-log '$PWD/datasets/iris.csv'"
resize 80 24
wait_for 'sweep finished: best trial' 60 || fail "the 12-trial sweep did not finish"
wait_for ' 1-[0-9]+ of 12' 5 || fail "at 80x24 the header does not say which of the 12 rows show"
resize 200 60
wait_for '^ *[0-9]+ +done.*' 5 || fail "the sweep screen did not come back at 200x60"
sleep 0.5
[ "$(screen | grep -cE '^ *[0-9]+ +done ')" -eq 12 ] || fail "at 200x60 not all 12 rows show"
off_screen ' [0-9]+-[0-9]+ of 12' || fail "at 200x60, all 12 rows shown, the header says: $(screen | sed -n 2p | tr -s ' ')"
quit_exits position 0
echo "ok: grown to 200x60, the header's row position is gone with every row in sight"

# ---- the leaderboard shows its leader until the cursor is moved -------------------
# (the cursor followed trial 0 from the first frame: at 80x24 this sweep
# ended showing rows 3-8 of 32, its best trial off the screen)
start_session leader C.UTF-8 "sweep --space 'lr=loguniform(1e-4,1e-1); layers=choice(32|64,32|128)' \
--trials 32 --max-epochs 27 --scheduler asha --parallel 2 --no-log digits"
resize 80 24
wait_for 'sweep finished: best trial' 60 || fail "the 32-trial digits sweep did not finish"
best=$(screen | grep -Eo 'sweep finished: best trial [0-9]+' | grep -Eo '[0-9]+$')
wait_for ' 1-6 of 32' 5 || fail "the finished sweep's leaderboard does not show its first rows: $(screen | sed -n 2p)"
screen | sed -n 3p | grep -Eq "^ *$best " ||
    fail "the first row shown is not the best trial $best: $(screen | sed -n 3p)"
# an end's line gives the figure the trial was ranked by before the
# training figures, which 80 columns cut (once "... accuracy=0.1871 val_loss…")
screen | grep -Eq '^ trial +[0-9]+ pruned +epochs=[0-9]+ best_epoch=[0-9]+ val_loss=[0-9]+\.[0-9]{4} loss=' ||
    fail "at 80x24 the events' ends do not show val_loss whole after best_epoch: $(screen | grep -E '^ trial' | tail -n 2)"
keys Down Down Down Down Down Down Down
wait_for ' 3-8 of 32' 5 || fail "seven Downs do not move the rows on: $(screen | sed -n 2p)"
quit_exits leader 0
echo "ok: a finished sweep's leaderboard shows its best row first; Down moves the cursor from it;"
echo "    its events give each end's val_loss after best_epoch"

# ---- the cursor put on a trial stays with it as trials start ----------------------
# (the rows were matched to the last frame's count: trial 0, ranked below
# it once more trials had started, was clamped to that frame's last row,
# and the cursor went on with whichever trial stood there)
start_session follow C.UTF-8 "sweep --paused --parallel 1 --space 'lr=loguniform(1e-3,1e-1)' \
--trials 40 --max-epochs 3 --patience 0 --seed 2 --no-log '$PWD/datasets/iris.csv'"
wait_for '^ *0 +paused' 15 || fail "the 40-trial sweep did not start paused with trial 0's row"
keys Home
keys ' '
wait_for 'sweep finished: best trial 25' 60 || fail "the 40-trial sweep did not finish with trial 25 best"
keys p
wait_for 'p: trial [0-9]+ is not training' 5 || fail "p on an ended trial does not say it is not training"
on_screen 'p: trial 0 is not training' ||
    fail "the cursor put on trial 0 left it: $(screen | grep -Eo 'p: trial [0-9]+ is not training')"
quit_exits follow 0
echo "ok: the cursor put on trial 0 stays on it while 39 more trials start and rank around it"

# ---- a resumed sweep's time is this session's, and says so -----------------------
# (it once read "took 3ms" for a sweep whose trials all trained before)
sdir=$(ls -d "$TMP"/setup/*-iris-sweep)
start_session resumed C.UTF-8 "sweep --resume '$sdir'"
wait_for 'sweep finished: best trial' 30 || fail "the resumed sweep did not end"
screen | head -n 1 | grep -Eq 'took [0-9hms.]+ this session' ||
    fail "the resumed sweep's header does not say its time is this session's: $(screen | head -n 1)"
quit_exits resumed 0
echo "ok: a resumed sweep's header says its time is this session's"

# ---- the events list's words make one column --------------------------------------
# (an end's status early_stopped overflowed the 9-wide word column: its lines
# read 4 columns out of step with the starts between them)
start_session columns C.UTF-8 "sweep --space 'lr=loguniform(1e-3,3e-1); batch-size=choice(8|16|32)' \
--trials 6 --max-epochs 30 --patience 2 --parallel 1 --seed 3 --no-log '$PWD/datasets/iris.csv'"
wait_for 'sweep finished: best trial' 60 || fail "the early-stopping sweep did not finish"
events=$(screen | grep -E '^ trial +[0-9]+ ')
{ echo "$events" | grep -Eq '^ trial +[0-9]+ early_stopped ' &&
    echo "$events" | grep -Eq '^ trial +[0-9]+ start '; } ||
    fail "the events list shows no early_stopped end beside a start: $events"
misaligned=$(echo "$events" | awk '!(substr($0, 25, 1) == " " && substr($0, 26, 1) != " ")')
[ -z "$misaligned" ] || fail "events whose text after the word is not in column 26: $misaligned"
quit_exits columns 0
echo "ok: the events list's lines, early_stopped ends among them, align after the word"

# ---- the header's epochs: what ended trials took, not their full length -----------
# (a trial that stopped early kept counting --max-epochs in "of at most N",
# and a finished sweep's header still read "epochs 26 of at most 324")
start_session ceiling C.UTF-8 "sweep --paused --space 'lr=loguniform(1e-3,3e-1)' --trials 3 \
--max-epochs 40 --patience 2 --parallel 1 --seed 3 --logdir '$TMP/ceiling' '$PWD/datasets/iris.csv'"
wait_for '^ *0 +paused' 15 || fail "the paused sweep shows no paused trial 0"
keys p
wait_for '^ *0 +early stop' 60 || fail "trial 0 alone did not stop early"
e0=$(row 0 | awk '{print $4}' | cut -d/ -f1)
header=$(screen | head -n 1)
echo "$header" | grep -Eq "epochs $e0 of at most $((e0 + 2 * 40))( |\$)" ||
    fail "with trial 0 ended at epoch $e0 and two trials of 40 to come, the header reads: $header"
keys ' '
wait_for 'sweep finished: best trial' 60 || fail "the resumed sweep did not finish"
total=$(awk -F, 'NR > 1 { n += $4 } END { print n }' "$TMP"/ceiling/*-sweep/trials.csv)
header=$(screen | head -n 1)
echo "$header" | grep -Eq "epochs $total  took " ||
    fail "the finished sweep's header does not give the $total epochs of trials.csv alone: $header"
quit_exits ceiling 0
echo "ok: the header's epochs count an ended trial at what it took, and once ended the total alone"

# ---- the finished line leaves out whole what does not fit ---------------------------
# (it was cut where the width ran out: "files in /tmp/s30-..." at 120
# columns, "a trains it in full, enter op..." at 80)
start_session finline C.UTF-8 "sweep --space 'lr=loguniform(1e-3,1e-1)' --trials 2 --max-epochs 3 \
--parallel 1 --seed 3 --logdir '$TMP/finline' \
'$PWD/datasets/iris.csv'"
wait_for 'sweep finished: best trial' 60 || fail "the sweep did not finish"
sweepdir=$(ls -d "$TMP"/finline/*-sweep)
fin=$(screen | grep 'sweep finished: best trial')
case $fin in *"files in $sweepdir"*) ;; *) fail "at 120 columns the finished line does not name $sweepdir whole: $fin" ;; esac
resize 80 24
wait_for '^ sweep iris' 10 || fail "the screen was not drawn again at 80x24"
fin=$(screen | grep 'sweep finished: best trial')
echo "$fin" | grep -Eq '^ sweep finished: best trial [0-9]+ \(val_loss [0-9.]+\): a trains it in full *$' ||
    fail "at 80 columns the finished line is not its head and first key whole: $fin"
quit_exits finline 0
echo "ok: the finished line leaves out whole what does not fit, the directory kept where it fits"

# ---- a's notice keeps the run's path, not its words ---------------------------------
# (back from a, "the full run of trial N's configuration is in DIR" was cut
# through DIR at 80 columns, and at 120 under a logdir in /tmp)
start_session fitnote C.UTF-8 "sweep --space 'lr=loguniform(1e-3,1e-1)' --trials 2 --max-epochs 3 \
--parallel 1 --seed 3 --logdir '$TMP/fitnote' '$PWD/datasets/iris.csv'"
wait_for 'sweep finished: best trial' 60 || fail "the sweep did not finish"
sweepdir=$(ls -d "$TMP"/fitnote/*-sweep)
# notice_ends_in_run ROW: the ROWth line (the message line, above the key
# bar) ends in the name of a run of a
notice_ends_in_run() { screen | sed -n "${1}p" | grep -Eq -- '-best-trial-[0-9]+(-[0-9]+)? *$'; }
# best_back ROW: a, the best configuration's run to its end, q back; the
# notice must end in the run's name; note is then its last word
best_back() {
    keys a
    wait_for 'training has ended' 30 || fail "a's run did not end"
    keys q
    poll 5 notice_ends_in_run "$1" ||
        fail "back from a, the notice does not end in the best run's name: $(screen | sed -n "${1}p")"
    note=$(screen | sed -n "${1}p" | awk '{ print $NF }')
}
resize 80 24
best_back 23
run=$(ls -d "$sweepdir"/*-best-trial-*)
case $note in
"$run" | …/*) ;;
*) fail "at 80 columns a's notice is neither $run whole nor its end: $note" ;;
esac
case $run in
*"${note#…}") ;;
*) fail "at 80 columns a's notice's $note is not the end of $run" ;;
esac
case ${note#…} in
*"/${sweepdir##*/}/${run##*/}") ;;
*) fail "at 80 columns a's notice $note does not name the sweep's and the run's directories whole" ;;
esac
resize 120 40
best_back 39
case $note in "$sweepdir"/*) [ -d "$note" ] ;; *) false ;; esac ||
    fail "at 120 columns a's notice does not end in the run's directory under $sweepdir, whole: $note"
# the notice stays until the next key: the reads above bet nothing on how
# soon they came (it went after 5 s, however slow the machine); past its
# old lifetime it is there still, and the next key ends it
sleep 6
notice_ends_in_run 39 || fail "6 s on, a's notice is gone before any key: $(screen | sed -n 39p)"
notice_gone() { ! notice_ends_in_run 39; }
keys o
poll 5 notice_gone || fail "a key did not end a's notice: $(screen | sed -n 39p)"
wait_for '^ sweep finished: best trial' 5 || fail "after the notice, the message line does not say the sweep finished"
quit_exits fitnote 0
echo "ok: a's notice leaves out words, not the run's path: its end at 80 columns, whole at 120;"
echo "    it stays until the next key"

# ---- the leaderboard says how many parameters it leaves out -----------------------
# (the columns of those that did not fit were left out without a word)
start_session hidden C.UTF-8 "sweep --space 'lr=loguniform(1e-3,1e-1); batch-size=choice(8|16); \
dropout=uniform(0,0.3); l1=loguniform(1e-6,1e-3); l2=loguniform(1e-6,1e-3)' --trials 3 \
--max-epochs 2 --parallel 1 --seed 3 --no-log '$PWD/datasets/iris.csv'"
wait_for 'sweep finished: best trial' 60 || fail "the sweep did not finish"
# titles_say: the leaderboard's titles (in titles) name the parameters
# shown (shown counts them) and end in "+N" for the N of the five left
# out, and in no "+N" when none is
titles_say() {
    titles=$(screen | grep -E '^# +status ')
    shown=0
    for p in lr batch-size dropout l1 l2; do
        case " $titles " in *" $p "*) shown=$((shown + 1)) ;; esac
    done
    if [ "$shown" -lt 5 ]; then
        echo "$titles" | grep -Eq " \+$((5 - shown)) *\$"
    else
        ! echo "$titles" | grep -Eq ' \+[0-9]+ *$'
    fi
}
titles_say || fail "at 120 columns the titles do not name the parameters shown or the number left out: $titles"
[ "$shown" -eq 5 ] || fail "at 120 columns not every parameter is shown: $titles"
resize 80 24
wait_for '^ sweep iris' 10 || fail "the screen was not drawn again at 80x24"
titles_say || fail "at 80 columns the titles do not end in +$((5 - shown)), the parameters left out: $titles"
[ "$shown" -lt 5 ] || fail "at 80 columns every parameter is shown: nothing to count: $titles"
quit_exits hidden 0
echo "ok: the leaderboard's titles end in +N, the parameters whose columns it leaves out"

# ---- gradtop view of a sweep directory shows the drawn values -------------------
# (a rate drawn from loguniform, 0.028744269319102043, is wider than its
# column, and a figure is never cut: the column showed only an ellipsis)
"$GRADTOP" sweep --space 'lr=loguniform(1e-3,1e-1)' --trials 2 --max-epochs 2 --parallel 1 \
    --seed 3 --logdir "$TMP/viewed" "$PWD/datasets/iris.csv" >"$TMP/viewed.out" 2>&1 ||
    fail "the headless sweep to view failed: $(cat "$TMP/viewed.out")"
sweepdir=$(ls -d "$TMP"/viewed/*-sweep)
lr0=$(awk -F, 'NR == 2 { printf "%.6g", $(NF - 1) }' "$sweepdir/trials.csv")
start_session viewed C.UTF-8 "view '$sweepdir'"
wait_for 'trial-000' 10 || fail "the view of the sweep directory does not list trial 0"
screen | grep 'trial-000' | grep -q " $lr0 " ||
    fail "the view's row of trial 0 does not show its rate $lr0: $(screen | grep 'trial-000')"
quit_exits viewed 0
echo "ok: the view of a sweep directory shows a drawn rate rounded to its column"
echo "e2e_sweepview: PASS"
