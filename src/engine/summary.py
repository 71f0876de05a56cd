"""The official tallies of Vietnamese task-tracking reports, computed from occurrences.

Categories (the order reports print them in):

* ``done_on_time`` / ``done_late``: deliverables done on or before / after their due date;
* ``in_progress`` / ``overdue``: deliverables not done, due date not passed / passed
  (``due_soon`` counts as in progress);
* ``no_deadline``: "nhiệm vụ không có thời hạn" — continuous tasks (counted once per task and
  unit, however many periods), tasks awaiting a schedule or an event, tasks with no deadline;
* ``not_started``: not yet in force or window not open; ``stopped``: suspended or cancelled.

Two kinds of tally:

* :func:`tally_tasks` — the official plan rows: **tasks**, not obligations. Each top-level task
  counts once, its status rolled up over every unit and milestone it has (:mod:`engine.rollup`:
  done when all are, on time only if all were, overdue if any is); a parent counts through its
  derived status, never beside its sub-tasks.
* :func:`tally` — a unit's rows: its **obligations**. Deliverables count once per occurrence
  (each milestone or period is an item of work); updates and undated obligations once per task
  and unit; a parent's derived status is not an obligation and does not count.

The completion rate is done / (done + in progress + overdue).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from engine.rollup import Part, combine
from engine.status import DELIVERABLE, DERIVED, Occurrence, Status

CATEGORIES: dict[str, str] = {
    "done_on_time": "Đã hoàn thành đúng hạn",
    "done_late": "Đã hoàn thành quá hạn",
    "in_progress": "Đang thực hiện trong hạn",
    "overdue": "Đang thực hiện quá hạn",
    "no_deadline": "Nhiệm vụ không có thời hạn",
    "not_started": "Chưa đến thời gian thực hiện",
    "stopped": "Tạm dừng / không thực hiện",
}

_BY_STATUS = {
    Status.DONE_ON_TIME: "done_on_time",
    Status.DONE_LATE: "done_late",
    Status.IN_PROGRESS: "in_progress",
    Status.DUE_SOON: "in_progress",
    Status.OVERDUE: "overdue",
    Status.NOT_STARTED: "not_started",
    Status.SUSPENDED: "stopped",
    Status.CANCELLED: "stopped",
}


_COUNTED = (DELIVERABLE, DERIVED)


def category(occurrence: Occurrence) -> str:
    return _category(occurrence.status, occurrence.kind in _COUNTED)


def _category(status: Status, deliverable: bool) -> str:
    if status in (Status.SUSPENDED, Status.CANCELLED):
        return "stopped"
    if not deliverable:
        return "not_started" if status == Status.NOT_STARTED else "no_deadline"
    return _BY_STATUS.get(status, "no_deadline")


@dataclass(frozen=True)
class Tally:
    key: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def completion_rate(self) -> float | None:
        done = self.counts["done_on_time"] + self.counts["done_late"]
        due = done + self.counts["in_progress"] + self.counts["overdue"]
        return done / due if due else None


def tally(occurrences: Iterable[Occurrence], key: Callable[[Occurrence], str]) -> list[Tally]:
    """Counts per ``key`` (plan, unit, ...); non-deliverables once per (task, unit)."""
    counts: Counter[tuple[str, Status, bool]] = Counter()
    seen: set[tuple[str, str, str, str]] = set()
    for occ in occurrences:
        kind = occ.kind
        if kind == DERIVED:
            continue
        group = key(occ)
        if kind != DELIVERABLE:
            marker = (group, occ.plan, occ.task, occ.unit)
            if marker in seen:
                continue
            seen.add(marker)
        counts[(group, occ.status, kind == DELIVERABLE)] += 1
    counters: dict[str, Counter[str]] = {}
    for (group, status, deliverable), count in counts.items():
        counters.setdefault(group, Counter())[_category(status, deliverable)] += count
    return [
        Tally(group, {name: counter.get(name, 0) for name in CATEGORIES})
        for group, counter in sorted(counters.items())
    ]


def task_status(occurrences: Iterable[Occurrence]) -> tuple[Status, bool]:
    """The rolled-up status of one task's top-level occurrences, and whether it is a
    deliverable (it has at least one dated obligation or derived status)."""
    return _rolled({_part(o) for o in occurrences})


def _part(o: Occurrence) -> tuple[Status, bool, date | None, int]:
    return (o.status, o.kind in _COUNTED, o.done_on, o.days_overdue)


def _rolled(parts: set[tuple[Status, bool, date | None, int]]) -> tuple[Status, bool]:
    """:func:`task_status` of the distinct parts of a task's occurrences: the roll-up takes
    minima, maxima and "any" / "all" over its parts, so repeated parts (every unit of a
    national row in the same state) change nothing and are counted once."""
    rolled = [Part(*p) for p in parts]
    return combine(rolled).status, any(p.deliverable for p in rolled)


def tally_tasks(occurrences: Iterable[Occurrence], key: Callable[[Occurrence], str]) -> list[Tally]:
    """Counts of **tasks** per ``key`` (a plan, or "" for all): each top-level task once."""
    tasks: dict[tuple[str, str, str], set[tuple[Status, bool, date | None, int]]] = {}
    for occ in occurrences:
        if occ.parent is None:
            found = tasks.get(marker := (key(occ), occ.plan, occ.task))
            if found is None:
                found = tasks[marker] = set()
            found.add(_part(occ))
    counters: dict[str, Counter[str]] = {}
    for (group, _plan, _task), parts in tasks.items():
        status, deliverable = _rolled(parts)
        counters.setdefault(group, Counter())[_category(status, deliverable)] += 1
    return [
        Tally(group, {name: counter.get(name, 0) for name in CATEGORIES})
        for group, counter in sorted(counters.items())
    ]
