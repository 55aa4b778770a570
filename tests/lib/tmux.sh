# shellcheck shell=sh
# tests/lib/tmux.sh - the tmux harness the end-to-end scripts share: a
# private tmux server, a session at a fixed size, bounded polling waits for
# text on the screen or for a file, keys, resizing, the program's exit status
# in a file, cleanup on exit and failure reports that show the screen.
#
# Sourced, never run: tests/run.sh runs only tests/e2e_*.sh. A script, run
# from the project root with sh, does
#
#     set -u
#     . tests/lib/tmux.sh
#     tmux_harness e2e_NAME SOCKTAG PANE
#
# and may define on_cleanup (before tmux_harness) for its own cleanup.
# Every wait is bounded; fail prints what was expected and the screen.

# tmux_harness NAME SOCKTAG PANE: resolves $GRADTOP (default
# build/gradtop) to an absolute path and fails as NAME unless tmux and the
# program are there; then makes $TMP, the private server gradtop-SOCKTAG-PID
# (kept up when its last session ends) and the session name $PANE, and sets
# the traps that clean them up.
tmux_harness() {
    E2E=$1
    GRADTOP=${GRADTOP:-build/gradtop}
    case $GRADTOP in /*) ;; *) GRADTOP=$PWD/$GRADTOP ;; esac
    if ! command -v tmux >/dev/null 2>&1; then
        echo "$E2E: FAIL: tmux is not installed"
        exit 1
    fi
    if [ ! -x "$GRADTOP" ]; then
        echo "$E2E: FAIL: no program at $GRADTOP"
        exit 1
    fi
    SOCK=gradtop-$2-$$
    TMP=$(mktemp -d)
    trap cleanup EXIT
    trap 'exit 1' INT TERM HUP PIPE
    PANE=$3
    # A server that outlives its last session: otherwise killing the one
    # session before starting the next lets the server exit, and a
    # new-session that reaches it while it goes fails ("server exited
    # unexpectedly"; seen once under make asan).
    T start-server \; set-option -s exit-empty off ||
        { echo "$E2E: FAIL: tmux cannot start a server"; exit 1; }
}

# T ARGS...: tmux on the private server.
T() { tmux -L "$SOCK" -f /dev/null "$@"; }

# on_cleanup: the script's own cleanup, run first on exit; none by default.
on_cleanup() { :; }

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    on_cleanup
    T kill-server >/dev/null 2>&1
    # tmux leaves its socket file behind
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"
    rm -rf "$TMP"
}

# screen: the text of the pane, or nothing.
screen() { T capture-pane -p -t "$PANE" 2>/dev/null; }

# box_text TITLE: the text inside the box whose top border begins with
# "┌─ TITLE" (a help), its rows joined by blanks, the screen behind it left
# out.
box_text() { box_rows "$1" | tr '\n' ' ' | tr -s ' '; }

# box_rows TITLE: the rows inside the box whose top border begins with
# "┌─ TITLE", one a line, as box_text finds them.
box_rows() {
    screen | BOX_TITLE="$1" perl -CSD -Mutf8 -ne '
        if (!defined $l && index($_, "┌─ $ENV{BOX_TITLE}") >= 0) { $l = index($_, "┌"); $r = index($_, "┐"); next }
        next unless defined $l; last if substr($_, $l, 1) eq "└";
        print substr($_, $l + 1, $r - $l - 1), "\n"'
}

# axis_columns: a line per chart on the screen, top to bottom: the width of
# its widest y label and the column of its corner (└ or +), which is its
# y axis's.  Charts stacked one above the other must agree on the second.
axis_columns() {
    screen | perl -CSD -Mutf8 -ne '
        if (/^ *([0-9][0-9.e+-]*)[┤+]/) { $w = length $1; $m = $w if $w > $m }
        if (/^( *)(└|\+-)/) { print $m + 0, " ", length $1, "\n"; $m = 0 }'
}

# same_axis_column WHAT: fails unless the screen has two charts whose
# widest y labels differ in width (else there is nothing to align) and
# whose y axes are in one column.
same_axis_column() {
    cols=$(axis_columns)
    [ "$(echo "$cols" | wc -l)" = 2 ] || fail "$1: not two charts ($cols)"
    [ "$(echo "$cols" | awk '{ print $1 }' | sort -u | wc -l)" = 2 ] ||
        fail "$1: the charts' labels are as wide ($cols): nothing to align"
    [ "$(echo "$cols" | awk '{ print $2 }' | sort -u | wc -l)" = 1 ] ||
        fail "$1: the charts' y axes are in different columns (label width, axis column: $cols)"
}

# fail MESSAGE...: says what failed and shows the screen; exits 1.
fail() {
    echo "$E2E: FAIL: $*"
    echo "----- screen -----"
    screen
    echo "------------------"
    exit 1
}

# poll SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds, at
# most SECONDS * 10 times (SECONDS a whole number).
poll() {
    _poll_n=$(($1 * 10))
    shift
    _poll_i=0
    while [ "$_poll_i" -lt "$_poll_n" ]; do
        "$@" && return 0
        sleep 0.1
        _poll_i=$((_poll_i + 1))
    done
    return 1
}

# on_screen PATTERN: the screen matches the extended regular expression.
on_screen() { screen | grep -Eq -- "$1"; }
off_screen() { ! on_screen "$1"; }

# wait_for PATTERN SECONDS: until PATTERN is on the screen.
wait_for() { poll "$2" on_screen "$1"; }

# wait_gone PATTERN SECONDS: until PATTERN is no longer on the screen.
wait_gone() { poll "$2" off_screen "$1"; }

# wait_file FILE SECONDS: until FILE exists and is not empty.
wait_file() { poll "$2" test -s "$1"; }

# start_session NAME LANG ARGS: a fresh 120x40 session $PANE (replacing any
# before it) that runs "$GRADTOP ARGS" in the project root under LANG and
# LC_ALL = LANG and writes its exit status to $TMP/NAME.exit. ARGS is shell
# text: quote inside it what needs quoting. $RUN_WITH, when set, is put
# before the program (shell text too).
start_session() {
    T kill-session -t "$PANE" >/dev/null 2>&1
    rm -f "$TMP/$1.exit"
    T new-session -d -s "$PANE" -x 120 -y 40 \
        "cd '$PWD' && LANG=$2 LC_ALL=$2 ${RUN_WITH:-} '$GRADTOP' $3; echo \$? > '$TMP/$1.exit'; sleep 60" ||
        fail "tmux cannot start a session"
}

# start_running NAME ENV ARGS [COLUMNS ROWS]: start_session NAME under the
# environment ENV (shell text: "TERM=xterm-256color", "NO_COLOR=1") for a
# dashboard that trains at once, for ever, without run files, with seed 1,
# on ARGS (shell text); resized to COLUMNS x ROWS when given; it must show
# RUNNING within 15 s.
start_running() {
    RUN_WITH="env $2"
    start_session "$1" C.UTF-8 "--start --no-log --patience 0 --epochs 1000000 --seed 1 $3"
    RUN_WITH=
    [ $# -ge 5 ] && resize "$4" "$5"
    wait_for 'RUNNING' 15 || fail "$1: the dashboard did not show RUNNING within 15 s"
}

# lost_resize_redraws NAME LANG ARGS READY TOP BOTTOM: starts "$GRADTOP
# ARGS" with SIGWINCH blocked (tests/lib/sigwinch_blocked.pl), so that no
# resize is signalled to it, as when the signal comes while curses starts;
# once READY is on the screen, shrinks the window to 80x24.  Within 5 s the
# first line must match TOP and the 24th BOTTOM: drawn at 120x40, the frame
# would scroll off and wrap.
lost_resize_redraws() {
    RUN_WITH="perl '$PWD/tests/lib/sigwinch_blocked.pl'"
    start_session "$1" "$2" "$3"
    RUN_WITH=
    wait_for "$4" 15 || fail "$1: '$4' did not appear"
    resize 80 24
    poll 5 top_and_bottom "$5" "$6" ||
        fail "$1: after a resize no SIGWINCH told of, the frame is not drawn at 80x24"
}

# top_and_bottom TOP BOTTOM: the screen's first line matches TOP and its
# 24th BOTTOM, in one capture.
top_and_bottom() {
    _tb=$(screen) # one capture for both lines
    printf '%s\n' "$_tb" | sed -n 1p | grep -Eq -- "$1" &&
        printf '%s\n' "$_tb" | sed -n 24p | grep -Eq -- "$2"
}

# axis_max [FROM [TO]]: the largest y tick label (the number before a
# chart's axis tick, at the start of a line: "  1.5┤", 2.5k read as 2500)
# on the screen's lines after the first matching FROM and before the next
# matching TO (Perl regular expressions; without them, every line); "none"
# when there is none.
axis_max() {
    screen | perl -CS -ne '
        BEGIN { ($from, $to) = (shift // "", shift // "") }
        if ($from ne "" && !$on) { $on = 1 if /$from/; next }
        last if $to ne "" && /$to/;
        if (/^ *(-?[0-9.]+(?:e[+-]?[0-9]+)?)([kMG]?)[\x{2524}+]/) {
            my $v = $1 * ({k => 1e3, M => 1e6, G => 1e9}->{$2} // 1);
            $m = $v if !defined $m || $v > $m;
        }
        END { print defined $m ? $m : "none" }' "$@"
}

# x_titles: for each chart on the screen (a "└" on its x axis's row), top
# to bottom and left to right, the text of its label row (the next line)
# from that corner up to the next chart's corner or a "│" (a panel beside
# it), blanks trimmed at the end; one a line.  A chart's x title ends it.
x_titles() { x_label_rows titles; }

# x_labels_false: for each chart as x_titles finds them, a line for each of
# its numeric x tick labels that is not over a tick (the x axis's row
# above it all "─" there), and for a linear axis ("(log)" not in its
# label row) each label whose value is off the line through the first and
# last labels' ticks by more than a column; nothing when every label is
# true.
x_labels_false() { x_label_rows false; }

# x_label_rows titles|false: x_titles and x_labels_false.
x_label_rows() {
    screen | perl -CS -ne '
        BEGIN { $mode = shift }
        push @l, $_;
        END {
            for my $i (0 .. $#l - 1) {
                my @c;
                push @c, $-[0] while $l[$i] =~ /\x{2514}/g;
                for my $k (0 .. $#c) {
                    my $to = $k < $#c ? $c[$k + 1] : length $l[$i + 1];
                    my $row = substr($l[$i + 1], 0, $to);
                    $row =~ s/\x{2502}.*//s;
                    if ($mode eq "titles") {
                        (my $seg = substr($row, $c[$k])) =~ s/\s+$//;
                        print "$seg\n";
                        next;
                    }
                    my (@v, @t);
                    pos($row) = $c[$k];
                    while ($row =~ /\G.*?(?<!\S)(-?[0-9][0-9.]*(?:e-?[0-9]+)?)(k?)(?!\S)/gc) {
                        my ($a, $b) = ($-[1], $+[2]);
                        my $under = substr($l[$i], $a, $b - $a);
                        my $p = -1;
                        for my $j (0 .. length($under) - 1) {
                            $p = $a + $j, last if substr($under, $j, 1) ne "\x{2500}";
                        }
                        if ($p < 0) { print "line ", $i + 2, ": $1$2 is under no tick\n"; next }
                        push @v, $1 * ($2 eq "k" ? 1000 : 1);
                        push @t, $p;
                    }
                    next if $row =~ /\(log\)/ || @v < 3 || $t[-1] == $t[0];
                    my $per = ($v[-1] - $v[0]) / ($t[-1] - $t[0]);
                    for my $j (1 .. $#v - 1) {
                        my $at = $t[0] + ($v[$j] - $v[0]) / $per;
                        print "line ", $i + 2, ": $v[$j] is at column $t[$j], not $at\n"
                            if abs($at - $t[$j]) > 1;
                    }
                }
            }
        }' "$1"
}

# cells: from the coloured screen on stdin (capture-pane -e), a line "ROW
# COL FG CHAR ATTR" for every character but spaces, rows and columns from
# 0, FG the colour it is drawn in (an SGR 38;5;N as N, 3N and 9N as N and
# N + 8, "default" for none), ATTR "b" when bold, "d" when dim, "bd" both,
# "-" neither.  Reads the SGR state as a terminal would.
cells() {
    perl -CS -ne '
        my ($fg, $col, $b, $d) = ("default", 0, "", "");
        while (/\G(?:\e\[([0-9;]*)m|\e[^\[]|([^\e]))/gc) {
            if (defined $1) {
                my @p = split /;/, $1;
                @p = (0) unless @p;
                while (@p) {
                    my $c = shift @p;
                    if ($c eq "" || $c == 0) { ($fg, $b, $d) = ("default", "", "") }
                    elsif ($c == 39) { $fg = "default" }
                    elsif ($c == 1) { $b = "b" }
                    elsif ($c == 2) { $d = "d" }
                    elsif ($c == 22) { ($b, $d) = ("", "") }
                    elsif (($c == 38 || $c == 48) && @p >= 2 && $p[0] == 5) {
                        shift @p; my $v = shift @p; $fg = $v if $c == 38 }
                    elsif ($c >= 30 && $c <= 37) { $fg = $c - 30 }
                    elsif ($c >= 90 && $c <= 97) { $fg = $c - 90 + 8 }
                }
            } elsif (defined $2) {
                next if $2 eq "\n";
                print $. - 1, " $col $fg $2 ", ($b . $d || "-"), "\n" if $2 ne " ";
                $col++;
            }
        }'
}
# keys KEY...: tmux send-keys to the session.
keys() { T send-keys -t "$PANE" "$@"; }

# quit_q_y NAME: q must ask ("Quit now") and not quit yet; y must then quit
# within 15 s with status 0 in $TMP/NAME.exit.
quit_q_y() {
    keys q
    wait_for 'Quit now' 5 || fail "q did not ask first"
    [ -s "$TMP/$1.exit" ] && fail "q quit without asking"
    keys y
    wait_file "$TMP/$1.exit" 15 || fail "y did not quit within 15 s"
    [ "$(cat "$TMP/$1.exit")" = 0 ] || fail "q, y exited with status $(cat "$TMP/$1.exit"), not 0"
}

# quit_exits NAME CODE: q must quit at once (nothing to confirm) within 15 s
# with status CODE in $TMP/NAME.exit.
quit_exits() {
    keys q
    wait_file "$TMP/$1.exit" 15 || fail "q did not quit within 15 s"
    [ "$(cat "$TMP/$1.exit")" = "$2" ] || fail "q exited with status $(cat "$TMP/$1.exit"), not $2"
}

# resize COLUMNS ROWS: resizes the session's window.
resize() { T resize-window -t "$PANE" -x "$1" -y "$2"; }

# iris_runs DIR PREFIX N EPOCHS: N runs of `gradtop train` on iris under
# DIR, named PREFIX0 to PREFIX(N-1), of EPOCHS epochs each, the seed their
# number; fails as soon as one does.
iris_runs() {
    _ir=0
    while [ "$_ir" -lt "$3" ]; do
        "$GRADTOP" train "$PWD/datasets/iris.csv" --epochs "$4" --patience 0 --seed "$_ir" \
            --name "$2$_ir" --logdir "$1" >"$TMP/train.out" 2>&1 ||
            fail "gradtop train of run $2$_ir failed: $(tail -n 3 "$TMP/train.out")"
        _ir=$((_ir + 1))
    done
}

# ---- forms and views: what the scripts that drive them share ---------------

# focused: the form's focused row ("> LABEL ..."), or nothing.
focused() { screen | grep -E '^ > ' | head -n 1; }
# shellcheck disable=SC2317 # run through poll
focus_moved() { [ "$(focused)" != "$1" ]; }
# focus LABEL: Home, then down to the row LABEL (its label then two blanks);
# fails when Down does not move or the row is not reached in 80 rows.
focus() {
    keys Home
    wait_for '^ > dataset  ' 5 || fail "Home did not focus the dataset row"
    _focus_i=0
    while [ "$_focus_i" -lt 80 ]; do
        _focus_now=$(focused)
        case $_focus_now in " > $1  "*) return 0 ;; esac
        keys Down
        poll 2 focus_moved "$_focus_now" || fail "Down did not move the focus from '$_focus_now'"
        _focus_i=$((_focus_i + 1))
    done
    fail "cannot move the focus to the row '$1'"
}

# view: the dashboard's view marked [name] in its header.
view() { screen | head -n 1 | grep -Eo '\[[a-z]+\]' | tr -d '[]'; }
# shellcheck disable=SC2317 # run through poll
view_changed() { [ "$(view)" != "$1" ]; }
# tab_to NAME: tab until the header marks NAME (at most six presses).
tab_to() {
    _tab_i=0
    while [ "$(view)" != "$1" ] && [ "$_tab_i" -lt 6 ]; do
        keys Tab
        poll 3 view_changed "$(view)" || true
        _tab_i=$((_tab_i + 1))
    done
    [ "$(view)" = "$1" ] || fail "tab did not reach the $1 view"
}
