#!/usr/bin/env python3
"""Runs a command and splits each of its threads' wall time into time on a
CPU, time runnable but waiting for a CPU (other processes had it) and time
asleep (the thread had nothing to do), from /proc/PID/task/TID/schedstat
(Linux). On a shared machine the wall time of a parallel run says little;
"asleep" is what the runner itself wastes, whatever the neighbours do.

    docs/perf/schedstat.py target/release/stacksim run docs/perf/sweep-100.toml --threads 2 --no-charts -q
"""
import os
import subprocess
import sys
import time

t0 = time.time()
proc = subprocess.Popen(sys.argv[1:])
last = {}
while proc.poll() is None:
    try:
        tids = os.listdir(f"/proc/{proc.pid}/task")
    except OSError:
        tids = []
    for tid in tids:
        try:
            with open(f"/proc/{proc.pid}/task/{tid}/schedstat") as f:
                on_cpu, waiting, _ = map(int, f.read().split())
            last[int(tid)] = (on_cpu / 1e9, waiting / 1e9)
        except OSError:
            pass
    time.sleep(0.05)
wall = time.time() - t0
print(f"wall {wall:.2f} s, exit {proc.returncode}")
for tid, (on_cpu, waiting) in sorted(last.items()):
    asleep = max(0.0, wall - on_cpu - waiting)
    print(f"  thread {tid}: on a CPU {on_cpu:6.2f} s, waiting for one {waiting:6.2f} s, asleep {asleep:6.2f} s")
sys.exit(proc.returncode)
