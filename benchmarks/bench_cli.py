"""Benchmark: start-up and run time of ``engine`` commands, beside a bare Python start.

Each command runs as a fresh process (``python -m engine.cli …``), several times, on the
shipped rules with an empty SQLite database; ``python -c pass`` runs the same way in the same
loop as the baseline. The first run of the rules commands fills the catalogue cache (under a
temporary ``ENGINE_DATA_DIR``) and is reported apart as "cold". That run also writes the
engine's bytecode (``__pycache__``), as an installed engine has it: ``PYTHONDONTWRITEBYTECODE``
is dropped from the runs' environment (a shell that sets it would otherwise have every run
compile the engine's ~40 modules from source, ~0.04 s).

``--src DIR`` runs another source tree (a checkout, e.g. an older commit unpacked with ``git
archive``, or its ``src`` folder) with the same interpreter. ``--before DIR`` runs that tree and
this one alternately in the same loop (each with its own data folder and database), so that
both see the same machine load; the figures are printed per tree, after the folder each tree's
``engine`` package was imported from.

Run: .venv/bin/python benchmarks/bench_cli.py [--runs 5] [--src DIR | --before DIR]
(see docs/benchmarks.md)
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-30"
COMMANDS: list[tuple[str, list[str]]] = [
    ("engine --help", ["--help"]),
    ('engine parse "Tháng 9/2023"', ["parse", "Tháng 9/2023"]),
    ("engine check", ["check"]),
    ("engine status --format json", ["status", "--as-of", AS_OF, "--format", "json"]),
    ("engine summary", ["summary", "--as-of", AS_OF]),
    ("engine status (table, all plans)", ["status", "--as-of", AS_OF]),
]


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run of ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def _env(scratch: Path, src: Path | None) -> dict[str, str]:
    """The environment of one source tree's runs: its own data folder and empty database."""
    scratch.mkdir(parents=True)
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "ENGINE_DATA_DIR": str(scratch / "var"),
        "ENGINE_DATABASE_URL": f"sqlite:///{scratch / 'engine.db'}",
        "ENGINE_RULES_DIR": str(ROOT / "rules"),
        "ENGINE_SCHEDULES_DIR": str(ROOT / "schedules"),
        "COLUMNS": "200",
    }
    if src:
        env["PYTHONPATH"] = str(_package_root(src))
    return env


def _package_root(tree: Path) -> Path:
    """The folder holding the ``engine`` package: ``tree/src`` for a whole checkout (as
    ``git archive`` unpacks it), else ``tree`` itself."""
    tree = tree.resolve()
    return tree / "src" if (tree / "src" / "engine").is_dir() else tree


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--src", type=Path, help="source tree to run instead of the installed one")
    parser.add_argument("--before", type=Path, help="source tree to run alternately with this one")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    current = _env(scratch / "tree", args.src)
    trees = {"": current}
    if args.before:
        trees = {"before: ": _env(scratch / "before", args.before), "after: ": current}
    engine = [sys.executable, "-m", "engine.cli"]
    for name, env in trees.items():
        where = subprocess.run(
            [sys.executable, "-c", "import engine; print(engine.__file__)"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        print(f"{name}engine from {Path(where.stdout.strip()).parent}")
        cold, cold_cpu = _run([*engine, "check"], env)
        print(
            f"{name}cold engine check (fills the catalogue cache): {cold:.2f} s, CPU {cold_cpu:.2f} s"
        )
    baseline: list[tuple[float, float]] = []
    times = {(name, label): [] for name in trees for label, _ in COMMANDS}
    for _ in range(args.runs):
        baseline.append(_run([sys.executable, "-c", "pass"], current))
        for label, command in COMMANDS:
            for name, env in trees.items():
                times[(name, label)].append(_run([*engine, *command], env))
    base = statistics.median(w for w, _ in baseline)
    base_cpu = statistics.median(c for _, c in baseline)
    print(f"{'baseline: python -c pass':<44} median {base:.3f} s, CPU {base_cpu:.3f} s")
    for (name, label), values in times.items():
        median = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        print(
            f"{name + label:<44} median {median:.2f} s, min {min(w for w, _ in values):.2f} s "
            f"({median / base:.0f}x the bare start); CPU median {cpu:.2f} s ({cpu / base_cpu:.0f}x)"
        )


if __name__ == "__main__":
    main()
