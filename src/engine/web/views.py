"""View models of the dashboard pages: pure functions of occurrences and the catalog."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from engine.collapse import MissedPeriods, collapse
from engine.notices import add_months
from engine.status import DELIVERABLE, Occurrence, Status
from engine.summary import CATEGORIES, Tally, tally, tally_tasks

OPEN = {Status.IN_PROGRESS, Status.DUE_SOON, Status.OVERDUE, Status.REPORT_MISSING}


@dataclass(frozen=True)
class ChartPoint:
    """Deliverables due by ``day``: done on time, done late, overdue (not done by that day)."""

    day: date
    on_time: int
    late: int
    overdue: int


def trend(occurrences: Sequence[Occurrence], as_of: date, months: int = 12) -> list[ChartPoint]:
    """On-time / late / overdue at each of the last ``months`` month ends (and ``as_of``).

    Computed from one evaluation: a deliverable counts at day D when its original due date is
    before D; it is on time if done by its due date (and by D), late if done after it (by D),
    overdue if not done by D. One sorted pass per series, not one evaluation per point.
    """
    ends = [
        add_months(date(as_of.year, as_of.month, 1), -k) - timedelta(days=1)
        for k in range(months - 1, -1, -1)
    ]
    ends.append(as_of)
    dues: list[date] = []
    on_time: list[date] = []
    late: list[date] = []
    for occ in occurrences:
        if occ.kind != DELIVERABLE or occ.original_due is None or occ.status in (Status.CANCELLED,):
            continue
        dues.append(occ.original_due)
        if occ.done_on is not None:
            (on_time if occ.done_on <= occ.original_due else late).append(
                max(occ.done_on, occ.original_due)
            )
    dues.sort()
    on_time.sort()
    late.sort()
    points = []
    for end in ends:
        due_by = bisect_right(dues, end - timedelta(days=1))
        good, bad = bisect_right(on_time, end), bisect_right(late, end)
        points.append(ChartPoint(end, good, bad, max(due_by - good - bad, 0)))
    return points


@dataclass
class Overview:
    as_of: date
    by_plan: list[Tally]
    by_unit: list[Tally]
    totals: dict[str, int]
    chart: list[ChartPoint]


def overview(occurrences: Sequence[Occurrence], as_of: date) -> Overview:
    """The official tallies of everything, by plan and by unit, and the chart's points (the
    overview's list is :mod:`engine.web.listing`'s)."""
    by_plan = tally_tasks(occurrences, lambda o: o.plan)
    by_unit = tally(occurrences, lambda o: o.unit)
    totals: Counter[str] = Counter()
    for t in by_plan:
        totals.update(t.counts)
    return Overview(
        as_of,
        by_plan,
        by_unit,
        {k: totals.get(k, 0) for k in CATEGORIES},
        trend(occurrences, as_of),
    )


def axis_ticks(top: int, most: int = 5) -> list[int]:
    """Round values for the vertical axis from 0 to at least ``top``: a step of 1, 2 or 5
    times a power of ten, at most ``most`` steps."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor * most >= top:
                size = step * factor
                return list(range(0, -(-max(top, 1) // size) * size + 1, size))
        step *= 10


def chart_svg(
    points: Sequence[ChartPoint], width: int = 720, height: int = 220, left: int = 44
) -> dict[str, Any]:
    """Stacked bars as plain SVG rectangles (no JavaScript); returns shapes for the template:
    bars, month labels under them (the last bar is the day looked at), and the vertical axis's
    ticks with their values (numbers of deliverables)."""
    ticks = axis_ticks(max((p.on_time + p.late + p.overdue for p in points), default=0))
    top = ticks[-1]
    plot = height - 20  # room above the highest tick for its label
    bar = (width - left) / max(len(points), 1)
    bars = []
    for index, point in enumerate(points):
        x = left + index * bar + bar * 0.15
        y = float(height)
        for value, colour, label in (
            (point.on_time, "#2e7d32", "đúng hạn"),
            (point.late, "#ef6c00", "quá hạn (đã xong)"),
            (point.overdue, "#c62828", "đang quá hạn"),
        ):
            h = value / top * plot
            y -= h
            bars.append(
                {
                    "x": round(x, 1),
                    "y": round(y, 1),
                    "w": round(bar * 0.7, 1),
                    "h": round(h, 1),
                    "fill": colour,
                    "title": f"{point.day:%d/%m/%Y}: {value} {label}",
                }
            )
    last = len(points) - 1
    labels = [
        {
            "x": round(left + i * bar + bar / 2, 1),
            "text": f"{p.day:%d/%m}" if i == last else f"{p.day.month}/{p.day:%y}",
        }
        for i, p in enumerate(points)
    ]
    axis = [{"y": round(height - t / top * plot, 1), "text": str(t)} for t in ticks]
    return {
        "width": width,
        "height": height,
        "left": left,
        "bars": bars,
        "labels": labels,
        "ticks": axis,
    }


def unit_owes(occurrences: Sequence[Occurrence], unit: str, as_of: date) -> list[Occurrence]:
    """What a unit owes this month: open occurrences overdue or due before the month ends."""
    month_end = add_months(date(as_of.year, as_of.month, 1), 1) - timedelta(days=1)
    owed = [
        o
        for o in occurrences
        if o.answerable == unit and o.status in OPEN and (o.due is None or o.due <= month_end)
    ]
    return sorted(owed, key=lambda o: (o.due or date.max, o.plan, o.task))


def open_for_unit(
    occurrences: Sequence[Occurrence], unit: str, as_of: date
) -> tuple[list[Occurrence], list[MissedPeriods]]:
    """What a unit can still act on through its link, most recent due date first, and its
    older missing period updates folded into one line per task (``engine.collapse``).

    A unit answers for its own open obligations and for those of the units it succeeded.
    """
    mine = [o for o in occurrences if o.answerable == unit and o.status in OPEN]
    kept, missed = collapse(mine)
    # most recent first: what the reminder was about is at the top
    kept.sort(key=lambda o: (-(o.due or date.min).toordinal(), o.plan, o.task, o.milestone))
    return kept, missed


@dataclass
class TaskGroup:
    """A task's open obligations on a unit's link page: those to act on now (the most recent
    one and any due this month or later) with their forms shown, older ones folded, and the
    older missing period updates in one line."""

    plan: str
    task: str
    now: list[Occurrence]
    older: list[Occurrence]
    missed: list[MissedPeriods]
    current: bool  # something of the task falls due this month or later


def task_groups(
    occurrences: Sequence[Occurrence], missed: Sequence[MissedPeriods], as_of: date
) -> list[TaskGroup]:
    """The link page's groups, one per task: tasks with something due this month (or later,
    or undated) first, then by their most recent due date, most recent first."""
    month_start = date(as_of.year, as_of.month, 1)
    by_task: dict[tuple[str, str], list[Occurrence]] = {}
    for occ in occurrences:
        by_task.setdefault((occ.plan, occ.task), []).append(occ)
    folded: dict[tuple[str, str], list[MissedPeriods]] = {}
    for line in missed:
        folded.setdefault((line.plan, line.task), []).append(line)
    groups = []
    for (plan, task), occs in by_task.items():
        occs = sorted(occs, key=lambda o: (-(o.due or date.max).toordinal(), o.milestone))
        now = [o for i, o in enumerate(occs) if i == 0 or o.due is None or o.due >= month_start]
        older = [o for o in occs if o not in now]
        current = any(o.due is None or o.due >= month_start for o in now)
        groups.append(TaskGroup(plan, task, now, older, folded.get((plan, task), []), current))
    groups.sort(
        key=lambda g: (not g.current, -(g.now[0].due or date.max).toordinal(), g.plan, g.task)
    )
    return groups
