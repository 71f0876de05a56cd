"""The test command's pytest step, timed beside a baseline from the same run.

Run: ``.venv/bin/python benchmarks/bench_suite.py [runs]`` (default 1). Each run times a bare
Python loop of 20 million additions (the baseline: how fast this machine runs Python right
now, which on the shared project machine varies by a factor of two within an hour), then
``scripts/test.sh`` as README.md gives it, then the loop again. It prints the pytest step's
own time (pytest's "N passed in X s"), the whole command's wall and CPU time (every child
process included), and the pytest step divided by the mean of the two loops, the figure that
compares across runs. Arguments after ``--`` go to scripts/test.sh (to pytest).
"""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOOP = "x = 0\nfor i in range(20_000_000):\n    x += i\n"
TARGET = 180.0
"""Issue 14's bound on the pytest step, in seconds."""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _loop() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", LOOP], check=True)
    return time.perf_counter() - start


def _suite(extra: list[str]) -> tuple[float, float, float, str]:
    """(pytest step s, command wall s, command CPU s, pytest's summary line)."""
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(
        ["bash", "scripts/test.sh", *extra], cwd=ROOT, capture_output=True, text=True
    )
    wall, used = time.perf_counter() - start, _children_cpu() - cpu
    summary = [line for line in done.stdout.splitlines() if " in " in line and "passed" in line]
    found = re.search(r" in ([\d.]+)s", summary[-1]) if summary else None
    if done.returncode != 0 or found is None:
        sys.exit(f"scripts/test.sh failed (exit {done.returncode}):\n{done.stdout[-3000:]}")
    return float(found[1]), wall, used, summary[-1].strip("= ")


def main() -> None:
    args = sys.argv[1:]
    extra = args[args.index("--") + 1 :] if "--" in args else []
    runs = int(args[0]) if args and args[0] != "--" else 1
    print(f"{'run':>3}  {'loop before':>11}  {'pytest step':>11}  {'command':>8}  "
          f"{'CPU':>7}  {'loop after':>10}  {'step/loop':>9}  result")  # fmt: skip
    for run in range(1, runs + 1):
        before = _loop()
        step, wall, cpu, summary = _suite(extra)
        after = _loop()
        ratio = step / ((before + after) / 2)
        verdict = f"≤ {TARGET:.0f} s" if step <= TARGET else f"> {TARGET:.0f} s"
        print(f"{run:>3}  {before:>10.2f}s  {step:>10.1f}s  {wall:>7.1f}s  {cpu:>6.1f}s  "
              f"{after:>9.2f}s  {ratio:>9.1f}  {summary} ({verdict})")  # fmt: skip


if __name__ == "__main__":
    main()
