#!/bin/sh
# e2e_features.sh - the TensorFlow Playground's controls for the generated
# 2-D sets, as a person meets them in a real terminal (tmux): the setup
# screen takes a generated set's own defaults and gives them back when
# another dataset is chosen, keeping what was typed; its features row (shown
# for generated sets only) checks what is typed and the preview lists the
# inputs; the regularization kind and rate rows write --l1 and --l2 and
# follow them; on the dashboard a set trained on --features x1^2,x2^2 is drawn
# over x1 and x2 with its inputs in the title, and x says why it cannot
# change the pair.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_features.sh
# Every wait is bounded; a failure prints what was expected and the screen.
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_features features features

# (focus, from tests/lib/tmux.sh, waits for each Down to move the focus:
# one of its own sent Down after Down without waiting, and under load ran
# past the row it looked for)

# ---- the setup screen: a set's own defaults, and features ------------------
start_session setup C.UTF-8 "--no-log spiral"
wait_for 'F10' 10 || fail "the setup screen did not come up"
wait_for '^   layers +16,16 ' 5 || fail "spiral's own layers 16,16 are not on the form"
on_screen '^   activation +tanh ' || fail "spiral's own activation tanh is not on the form"
on_screen '^   lr +0\.03 ' || fail "spiral's own lr 0.03 is not on the form"
on_screen '^   epochs +1000 ' || fail "spiral's own epochs 1000 are not on the form"
on_screen '^   features +x1,x2 ' || fail "no features row for spiral"
echo "ok: the setup screen opens spiral at its own defaults, with a features row"

focus features
keys C-u x 1 , x 3
wait_for "unknown feature 'x3' in" 5 || fail "features x1,x3 is not refused naming x3"
wait_for 'sin\(x1\) \(or sinx1\)' 2 || fail "the refusal does not list the accepted names"
keys BSpace BSpace BSpace BSpace BSpace x 1 ^ 2 , x 2 ^ 2
wait_for '^ > features +x1\^2,x2\^2 ' 5 || fail "features x1^2,x2^2 was not taken"
wait_for '^ +│? *features +x1\^2, x2\^2|x1\^2, x2\^2$' 5 ||
    fail "the preview does not list the inputs x1^2, x2^2"
echo "ok: the features row refuses x3 naming the accepted names, and the preview lists the inputs"

# epochs typed by hand stay when the dataset changes; the rest follows it
focus epochs
keys C-u 4 0
wait_for '^ > epochs +40 ' 5 || fail "epochs 40 was not taken"
focus dataset
keys Right
wait_for '^ > dataset +< circles >' 5 || fail "right did not choose circles"
wait_for '^   layers +8 ' 5 || fail "circles's own layers 8 did not replace spiral's"
on_screen '^   epochs +40 ' || fail "the epochs typed by hand did not stay"
on_screen "circles's own defaults where you set nothing: layers 8, activation tanh" ||
    fail "the screen does not say circles brought its own defaults"
keys Left Left
poll 5 off_screen '^ > dataset +< (spiral|circles) >' || fail "left did not leave the generated sets"
wait_for '^   layers +32 ' 5 || fail "a data file did not get the general layers 32 back"
on_screen '^   activation +relu ' || fail "a data file did not get the general activation back"
off_screen '^   features ' || fail "the features row is shown for a data file"
on_screen 'the general defaults where you set nothing' ||
    fail "the screen does not say a data file takes the general defaults"
echo "ok: another dataset takes its own defaults, the typed epochs stay, features go with the set"
# esc undoes the field, then asks, then quits
for _k in 1 2 3 4; do
    [ -s "$TMP/setup.exit" ] && break
    keys Escape
    poll 2 test -s "$TMP/setup.exit" || :
done
wait_file "$TMP/setup.exit" 5 || fail "esc did not quit the setup screen"

# ---- the setup screen: regularization the Playground's way -----------------
start_session reg C.UTF-8 "--logdir '$TMP/runs' --epochs 2 spiral"
wait_for 'F10' 10 || fail "the setup screen did not come up"
wait_for '^   regularization +none ' 5 || fail "no regularization row reading none"
focus regularization
keys Right
wait_for '^ > regularization +< L1 >' 5 || fail "right did not choose L1"
wait_for '^   l1 +0\.001 ' 5 || fail "L1 did not write the rate 0.001 into l1"
focus 'reg. rate'
keys C-u 0 . 0 3
wait_for '^   l1 +0\.03 ' 5 || fail "the rate 0.03 did not reach l1"
focus regularization
keys Right
wait_for '^ > regularization +< L2 >' 5 || fail "right did not choose L2"
wait_for '^   l2 +0\.03 ' 5 || fail "L2 did not move the rate into l2"
on_screen '^   l1 +0 ' || fail "L2 left l1 set"
focus l1
keys C-u 0 . 5
wait_for '^   regularization +L1 and L2 ' 5 || fail "typing into l1 did not make it L1 and L2"
keys BSpace BSpace BSpace 0
wait_for '^   regularization +L2 ' 5 || fail "l1 back to 0 did not make it L2 again"
keys F10
wait_for 'DONE|EARLY STOPPED' 30 || fail "the run did not start and end"
cfg=$(ls "$TMP"/runs/*/config.txt 2>/dev/null | head -n 1)
grep -q '^l2 = 0.03$' "${cfg:-/dev/null}" || fail "the run's config.txt has not l2 = 0.03"
grep -q '^l1 = 0$' "${cfg:-/dev/null}" || fail "the run's config.txt has not l1 = 0"
echo "ok: regularization none/L1/L2 and its rate on the setup screen set l1 and l2, and the run uses them"
quit_exits reg 0

# ---- the dashboard: the boundary over x1 and x2 -----------------------------
start_session dash C.UTF-8 "--start --no-log --threads 1 --features 'x1^2,x2^2' --layers '' circles"
wait_for 'EARLY STOPPED' 30 || fail "circles on x1^2, x2^2 did not finish"
keys Tab Tab
wait_for 'decision boundary · x1 across, x2 up · inputs x1\^2, x2\^2' 5 ||
    fail "the boundary is not titled over x1 and x2 with its inputs"
keys x
wait_for 'x: the inputs are made from x1 and x2' 5 || fail "x does not say the pair is fixed"
echo "ok: the dashboard draws the boundary over x1 and x2 and lists the inputs"
quit_exits dash 0

echo "e2e_features: all passed"
