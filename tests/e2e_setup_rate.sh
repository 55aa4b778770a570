#!/bin/sh
# e2e_setup_rate.sh - on the setup form, a generated set's own rate (the
# Playground's 0.03, for Adam) follows the optimizer row as --optimizer
# does on the command line: another optimizer takes its own default rate
# (`gradtop train spiral --optimizer sgd` trains at 0.01), Adam the set's
# again; a rate typed in the form or given on the command line stays.
#
# Run from the project root: GRADTOP=build/gradtop sh tests/e2e_setup_rate.sh
# Every wait is bounded; a failure prints what was expected and the screen.
set -u

# shellcheck source=tests/lib/tmux.sh
. tests/lib/tmux.sh
tmux_harness e2e_setup_rate setuprate setuprate

# the rate row as the form shows it
lr_row() { screen | grep -E '^ (>| ) lr  ' | head -n 1; }
lr_is() { lr_row | grep -Eq -- "$1"; }

# what the command line does, which the form must match
line=$("$GRADTOP" train spiral --optimizer sgd --epochs 1 --no-log | head -n 1)
case $line in *"lr 0.01 "*) ;; *) fail "train spiral --optimizer sgd: '$line' is not at lr 0.01" ;; esac

start_session form C.UTF-8 "--logdir '$TMP/runs' spiral"
wait_for 'setup: choose a dataset' 15 || fail "the setup form did not open"
focus optimizer
lr_is ' 0\.03 ' || fail "spiral's rate is not 0.03 at first: '$(lr_row)'"
keys Left
wait_for '^ > optimizer +< sgd >' 5 || fail "left did not choose sgd"
poll 5 lr_is 'default \(0\.01\)' ||
    fail "with sgd the rate stayed '$(lr_row)', not sgd's own (0.01), as --optimizer sgd gives"
keys Right
wait_for '^ > optimizer +< adam >' 5 || fail "right did not choose adam again"
poll 5 lr_is ' 0\.03 ' || fail "back on adam the rate is '$(lr_row)', not spiral's 0.03"
echo "ok: spiral's 0.03 follows the optimizer: sgd default (0.01), adam 0.03 again"

# F10 with sgd: the run trains at sgd's rate
keys Left
poll 5 lr_is 'default \(0\.01\)' || fail "sgd again: '$(lr_row)'"
keys F10
wait_for 'RUNNING|PAUSED|DONE|EARLY STOPPED' 15 || fail "F10 did not start the run"
wait_for 'lr +0\.01$|lr +0\.01 ' 5 || fail "the run does not train at lr 0.01"
keys q
wait_for 'Quit now|setup' 5 || true
keys y
wait_file "$TMP/form.exit" 15 || fail "q, y did not quit"
echo "ok: F10 with sgd trains at 0.01"

# a typed rate, and one given on the command line, stay
start_session typed C.UTF-8 "--logdir '$TMP/runs' spiral"
wait_for 'setup: choose a dataset' 15 || fail "the setup form did not open"
focus lr
keys C-u 0.05
focus optimizer
keys Left
wait_for '^ > optimizer +< sgd >' 5 || fail "left did not choose sgd"
lr_is ' 0\.05 ' || fail "a rate typed in the form changed with the optimizer: '$(lr_row)'"
start_session given C.UTF-8 "--logdir '$TMP/runs' --lr 0.03 spiral"
wait_for 'setup: choose a dataset' 15 || fail "the setup form did not open"
focus optimizer
keys Left
wait_for '^ > optimizer +< sgd >' 5 || fail "left did not choose sgd"
lr_is ' 0\.03 ' || fail "--lr 0.03 changed with the optimizer: '$(lr_row)'"
echo "ok: a typed rate and --lr stay"
echo "e2e_setup_rate: PASS"
