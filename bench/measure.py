#!/usr/bin/env python3
"""Runs one command and prints its wall time and peak resident memory as JSON.

Used by the benchmarks so every figure is measured the same way: wall-clock seconds from start to
exit, and the peak RSS of the child (getrusage RUSAGE_CHILDREN, so this process must run exactly one
command). Usage: measure.py -- COMMAND [ARGS...]
"""
import json
import resource
import subprocess
import sys
import time


def main() -> int:
    if len(sys.argv) < 3 or sys.argv[1] != "--":
        print("usage: measure.py -- COMMAND [ARGS...]", file=sys.stderr)
        return 64
    start = time.monotonic()
    done = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.monotonic() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"exit": done.returncode, "wall_s": round(wall, 3), "peak_rss_mb": round(peak_kb / 1024, 1),
                      "stderr_tail": done.stderr.decode(errors="replace")[-400:]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
