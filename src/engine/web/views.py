"""View models of the dashboard pages: pure functions of occurrences and the catalog."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
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
    overdue: list[Occurrence]
    overdue_total: int
    upcoming: list[Occurrence]
    chart: list[ChartPoint]


def overview(
    occurrences: Sequence[Occurrence],
    as_of: date,
    limit: int = 200,
    followed: Callable[[str], bool] | None = None,
) -> Overview:
    """Tallies of everything; the overdue and upcoming lists only of the obligations whose
    holder passes ``followed`` (when given): an office's lists leave outside bodies out."""
    by_plan = tally_tasks(occurrences, lambda o: o.plan)
    by_unit = tally(occurrences, lambda o: o.unit)
    totals: Counter[str] = Counter()
    for t in by_plan:
        totals.update(t.counts)
    if followed is not None:
        followed = cache(followed)  # asked once per obligation, about a few hundred units
    listed = [o for o in occurrences if followed is None or followed(o.answerable)]
    overdue = [o for o in listed if o.status == Status.OVERDUE]
    overdue.sort(key=lambda o: (-o.days_overdue, o.plan, o.task, o.unit))
    horizon = as_of + timedelta(days=30)
    upcoming = [
        o
        for o in listed
        if o.status in (Status.IN_PROGRESS, Status.DUE_SOON)
        and o.due is not None
        and o.due <= horizon
    ]
    upcoming.sort(key=lambda o: (o.due, o.plan, o.task, o.unit))
    return Overview(
        as_of,
        by_plan,
        by_unit,
        {k: totals.get(k, 0) for k in CATEGORIES},
        overdue[:limit],
        len(overdue),
        upcoming[:limit],
        trend(occurrences, as_of),
    )


def chart_svg(points: Sequence[ChartPoint], width: int = 720, height: int = 220) -> dict[str, Any]:
    """Stacked bars as plain SVG rectangles (no JavaScript); returns shapes for the template."""
    top = max((p.on_time + p.late + p.overdue for p in points), default=0) or 1
    bar = width / max(len(points), 1)
    bars = []
    for index, point in enumerate(points):
        x = index * bar + bar * 0.15
        y = float(height)
        for value, colour, label in (
            (point.on_time, "#2e7d32", "đúng hạn"),
            (point.late, "#ef6c00", "quá hạn (đã xong)"),
            (point.overdue, "#c62828", "đang quá hạn"),
        ):
            h = value / top * (height - 20)
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
    labels = [
        {"x": round(i * bar + bar / 2, 1), "text": f"{p.day:%m/%y}"} for i, p in enumerate(points)
    ]
    return {"width": width, "height": height, "bars": bars, "labels": labels}


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
