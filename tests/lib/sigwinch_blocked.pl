# tests/lib/sigwinch_blocked.pl - runs a command with SIGWINCH blocked, so
# that no resize is ever signalled to it: how a program that starts curses
# sees a resize whose signal came while curses was still starting.
#
#     perl tests/lib/sigwinch_blocked.pl PROGRAM ARGS...
use strict;
use warnings;
use Config;
use POSIX ();

my %num;
@num{ split ' ', $Config{sig_name} } = split ' ', $Config{sig_num};
POSIX::sigprocmask(POSIX::SIG_BLOCK(), POSIX::SigSet->new($num{WINCH}))
    or die "sigprocmask: $!\n";
exec {$ARGV[0]} @ARGV or die "$ARGV[0]: $!\n";
