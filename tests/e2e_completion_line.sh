#!/bin/sh
# e2e_completion_line.sh - the bash completion script in an interactive
# bash, in tmux: a dataset's name that is shell syntax (a file
# datasets/q$(touch pwned).csv of the working directory) completes onto
# the command line quoted, so that running the line reads that dataset and
# runs no part of its name.  Needs bash and tmux.
set -u
. tests/lib/tmux.sh
tmux_harness e2e_completion_line cline cline

mkdir "$TMP/bin" "$TMP/here" "$TMP/here/datasets"
ln -s "$GRADTOP" "$TMP/bin/gradtop"
: >"$TMP/here/datasets/q\$(touch pwned).csv"
"$GRADTOP" --bash-completion >"$TMP/gradtop.bash" || fail "--bash-completion failed"

T new-session -d -s "$PANE" -x 120 -y 20 \
    "env -i HOME='$TMP' TERM=xterm PATH='$TMP/bin:/usr/bin:/bin' bash --norc --noprofile" ||
    fail "tmux cannot start a session"
T send-keys -t "$PANE" ". '$TMP/gradtop.bash'; cd '$TMP/here'; PS1='ready> '" Enter
wait_for '^ready> ?$' 10 || fail "bash did not start"

# the only name starting with q: completed whole
T send-keys -t "$PANE" "gradtop inspect q" Tab
wait_for '^ready> gradtop inspect q.*pwned' 10 || fail "q did not complete to the dataset's name"
T send-keys -t "$PANE" Enter
# the program ran (an empty CSV file: an error) and bash prompts again
prompts() { [ "$(screen | grep -c '^ready>')" -ge 2 ]; }
poll 10 prompts || fail "the completed line did not run"
[ ! -e "$TMP/here/pwned" ] || fail "running the completed line ran part of the dataset's name"
echo "e2e_completion_line: all passed"
