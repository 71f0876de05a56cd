"""Benchmark: rule loading, and status evaluation over a synthetic national catalogue.

The catalogue repeats the directive's common tasks (Chỉ thị 05/CT-TTg, part A) for every
ministry and every province, one plan per year, until it holds at least 200,000
occurrences. Beside the engine it runs a plain-Python baseline that computes only the due
dates of the same occurrences (no statuses, no progress), in the same process.

Run: .venv/bin/python benchmarks/bench_status.py   (prints its figures; see docs/benchmarks.md)
"""

from __future__ import annotations

import argparse
import gc
import re
import resource
import statistics
import time
import tracemalloc
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from engine.calendar import _vn_holidays
from engine.catalog.loader import load_catalog
from engine.catalog.model import Catalog, Plan, Unit
from engine.progress import Progress
from engine.status import evaluate
from engine.timing.models import DatedTiming, RecurringTiming
from engine.timing.parse import ParseContext

ROOT = Path(__file__).resolve().parent.parent
MINISTRIES = 22
PROVINCES = 63


def bench_load(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        load_catalog(ROOT / "rules", ROOT / "schedules")
        times.append(time.perf_counter() - start)
    return times


def national_catalogue(
    base: Catalog, target: int, role: str = "external", units_per_body: int = 1
) -> tuple[Catalog, date]:
    """Plans "syn-YYYY" with part A of 05/CT-TTg led by every ministry and province.

    ``units_per_body`` > 1 gives each ministry and province that many lead units (the body
    and its departments); ``role`` "unit" makes them units the default ladder reminds.
    """
    units = dict(base.units)
    lead: list[str] = []
    for kind, count in (("bo", MINISTRIES), ("tinh", PROVINCES)):
        for i in range(1, count + 1):
            for part in range(units_per_body):
                unit = Unit(
                    f"syn-{kind}-{i}-{part}",
                    f"Đơn vị {kind} {i}.{part}",
                    (),
                    "Tổng hợp",
                    "unit",
                    role,
                    (f"{kind}{i}-{part}@gov.example",),
                    None,
                    None,
                    None,
                    (),
                )
                units[unit.id] = unit
                lead.append(unit.id)
    template = [t for t in base.plans["ct-05-ttg"].tasks if t.id.startswith("A")]
    plans: dict[str, Plan] = {}
    year, total = 2023, 0
    while total < target:
        start, end = date(year, 1, 1), date(year, 12, 31)
        context = ParseContext(year, start, end)
        tasks = []
        for task in template:
            phrase = re.sub(r"20\d\d", str(year), task.deadline)
            timing = base.phrases.parse(phrase, context).timing
            tasks.append(
                replace(task, plan=f"syn-{year}", deadline=phrase, timing=timing, lead=tuple(lead))
            )
            per_unit = (
                12
                if isinstance(timing, RecurringTiming)
                else len(getattr(timing, "milestones", ())) or 1
            )
            total += per_unit * len(lead)
        plan = replace(
            base.plans["ct-05-ttg"],
            id=f"syn-{year}",
            number=f"SYN/{year}",
            signed=start,
            start=start,
            end=end,
            tasks=tuple(tasks),
        )
        plans[plan.id] = plan
        year += 1
    catalog = Catalog(
        units,
        plans,
        base.references,
        base.phrases,
        base.calendar,
        base.reporting,
        base.jobs,
        base.escalation,
    )
    return catalog, date(year - 1, 12, 31)


def baseline_due_dates(catalog: Catalog, as_of: date) -> int:
    """Plain Python: the due date of every occurrence, nothing else."""
    holidays: set[date] = set()
    for year in range(2022, as_of.year + 2):
        holidays.update(_vn_holidays(year).keys())

    def roll(day: date) -> date:
        while day.weekday() >= 5 or day in holidays:
            day += timedelta(days=1)
        return day

    count = 0
    cutoff = catalog.policy.update_cutoff_day
    for plan in catalog.plans.values():
        for task in plan.tasks:
            timing = task.timing
            if isinstance(timing, DatedTiming):
                nominal = [m.nominal_due for m in timing.milestones]
            elif isinstance(timing, RecurringTiming):
                nominal = [date(plan.start.year, m, cutoff) for m in range(plan.start.month, 13)]
            else:
                nominal = []
            for _unit in task.lead:
                for day in nominal:
                    roll(day)
                count += len(nominal) or 1
    return count


def measure(fn, runs: int):  # type: ignore[no-untyped-def]
    """(min wall s, median wall s, result); the median CPU seconds go to ``CPU[fn]``."""
    times, cpu, result = [], [], None
    for _ in range(runs):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU[fn] = statistics.median(cpu)
    return min(times), statistics.median(times), result


CPU: dict[object, float] = {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    load = bench_load(5)
    print(
        f"load+validate shipped rules: min {min(load):.3f} s, median {statistics.median(load):.3f} s (target < 1 s)"
    )

    base = load_catalog(ROOT / "rules", ROOT / "schedules")
    catalog, as_of = national_catalogue(base, args.target)
    print(
        f"synthetic catalogue: {len(catalog.plans)} plans x {len(next(iter(catalog.plans.values())).tasks)} tasks "
        f"x {MINISTRIES + PROVINCES} units, as of {as_of}"
    )

    engine = lambda: evaluate(catalog, Progress(), as_of)  # noqa: E731
    best, median, occurrences = measure(engine, args.runs)
    n = len(occurrences)
    print(
        f"engine statuses:   {n:,} occurrences, min {best:.3f} s, median {median:.3f} s "
        f"-> {n / median:,.0f} occurrences/s (target >= 500,000/s); CPU median {CPU[engine]:.3f} s"
    )
    del occurrences

    loop = lambda: baseline_due_dates(catalog, as_of)  # noqa: E731
    b_best, b_median, b_count = measure(loop, args.runs)
    print(
        f"baseline due dates: {b_count:,} occurrences, min {b_best:.3f} s, median {b_median:.3f} s "
        f"-> {b_count / b_median:,.0f} occurrences/s; CPU median {CPU[loop]:.3f} s"
    )
    print(
        f"ratio: the engine takes {median / b_median:.1f}x the bare due-date loop "
        f"(wall medians, same run), {CPU[engine] / CPU[loop]:.1f}x in CPU time"
    )

    gc.collect()
    tracemalloc.start()
    kept = evaluate(catalog, Progress(), as_of)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak Python memory during evaluation: {peak / 2**20:,.1f} MiB for {len(kept):,} occurrences; "
        f"process max RSS {rss:,.0f} MiB (target < 1 GB)"
    )


if __name__ == "__main__":
    main()
