#!/usr/bin/env python3
"""offcpu.py - where a process's threads wait: their time off the CPU,
summed by the kernel call they blocked in (or "preempted" when they were
runnable), from a system-wide record of context switches.

    perf record -a -g -e sched:sched_switch -o sched.data -- COMMAND
    perf script -i sched.data -F comm,pid,tid,time,trace,ip,sym > sched.txt
    python3 bench/offcpu.py sched.txt PID [ROWS]

PID is the process's (its threads are told apart as "main" and "other").
A wait runs from the switch away from a thread to the next switch to it;
the record must be system-wide (-a), as the switch back to a thread is
another task's event.
"""
import collections
import re
import sys

SWITCH = re.compile(r"\s*\S+\s+(\d+)/(\d+)\s+([\d.]+):\s+prev_comm=.* prev_pid=(\d+) "
                    r"prev_prio=\d+ prev_state=(\S+) ==> next_comm=.* next_pid=(\d+)")
# the frames every wait goes through, left out of its name
PLUMBING = re.compile(r"(__)?schedule|io_schedule|schedule_timeout|wait_for_completion|"
                      r"submit_bio_wait|__wait|out_of_line|bit_wait|folio_wait|entry_SYSCALL|"
                      r"do_syscall|\[unknown\]")


def main():
    path, pid = sys.argv[1], sys.argv[2]
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    total = collections.defaultdict(float)
    count = collections.Counter()
    away = {}  # tid -> (time, what it waits in)
    ev = None

    def close(ev):
        if not ev:
            return
        t, mine, prev, state, nxt, stack = ev
        if nxt in away:
            t0, key = away.pop(nxt)
            total[key] += t - t0
            count[key] += 1
        if mine:
            frames = [f for f in stack if not PLUMBING.match(f)]
            who = "main " if prev == pid else "other "
            how = "preempted " if state.startswith("R") else ""
            away[prev] = (t, who + how + " < ".join(frames[:5]))

    with open(path) as f:
        for line in f:
            m = SWITCH.match(line)
            if m:
                close(ev)
                ev = [float(m.group(3)), m.group(1) == pid, m.group(4), m.group(5),
                      m.group(6), []]
                continue
            w = line.split()
            if ev and len(w) >= 2 and re.fullmatch(r"[0-9a-f]+", w[0]):
                ev[5].append(w[1].split("+")[0])
    close(ev)
    for key, s in sorted(total.items(), key=lambda kv: -kv[1])[:rows]:
        print(f"{s * 1000:9.1f} ms {count[key]:5d}  {key[:200]}")


if __name__ == "__main__":
    main()
