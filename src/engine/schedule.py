"""A recurring task's periods up to a day, with their due dates: the same for every owing unit.

Rules (``docs/timing.md``): a recurring task owes one obligation per period from its start (the
plan's start, or "Từ tháng ...") up to the period containing the as-of day, never past its end
or the plan's; a period whose due date falls before the start is skipped; before the start
only the first period is shown, and it is not started until the start. A reporting cycle
(``reporting.yaml``) sets the period and the due day of the task's updates; continuous tasks
and cycles of kind ``update`` owe an update per period (due on the policy's cut-off day unless
the cell says otherwise), periodic tasks a deliverable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from engine.catalog.model import Catalog, Plan, Task
from engine.occurrence import DELIVERABLE, UPDATE
from engine.periods import STEP, period_due, periods
from engine.responsibility import Owners, Responsibility
from engine.timing.models import RecurringTiming, Roll, TimingClass
from engine.verdict import Dates

_CONTINUOUS = (TimingClass.CONTINUOUS, TimingClass.START_FROM, TimingClass.WHOLE_YEAR)


@dataclass(frozen=True, slots=True)
class Schedule:
    """(period key, rolled due date) of each period shown, each period's window start (the
    task's start before it starts; the first day of a yearly duty's ``window_month``), the
    kind of obligation each period owes, who owes each period (its owners on its due date,
    capped at the as-of day) and, for updates, beside each owner how many periods up to this
    one it owes (its count of missing updates in a row when it reported none and all are
    past)."""

    periods: tuple[tuple[str, date], ...]
    windows: tuple[date | None, ...]
    kind: str
    owners: tuple[Owners, ...]
    owed: tuple[tuple[int, ...], ...]


class Cadence(NamedTuple):
    """What a recurring timing of a task gives every day's schedule: its period, due day
    (``before_day``, ``due_day``, ``due_month``), ``window_month``, whether it owes updates,
    its start and its end (the earlier of its own and the plan's), if any."""

    period: str
    before_day: int | None
    due_day: int | None
    due_month: int | None
    window_month: int | None
    update: bool
    start: date
    end: date | None


def cadence(catalog: Catalog, plan: Plan, task: Task, timing: RecurringTiming) -> Cadence:
    """``timing``'s cadence: a reporting cycle named by a task tag sets the period and due
    day; updates with no due day are due on the policy's cut-off day."""
    cycle = catalog.cycle_for(task)
    before_day = cycle.before_day if cycle else timing.before_day
    due_day = cycle.due_day if cycle else timing.due_day
    update = cycle.kind == UPDATE if cycle else timing.timing_class in _CONTINUOUS
    if update and before_day is None and due_day is None:
        due_day = catalog.policy.update_cutoff_day
    ends = [d for d in (timing.end, plan.end) if d is not None]
    return Cadence(
        cycle.period if cycle else timing.period,
        before_day,
        due_day,
        None if cycle else timing.month,
        None if cycle else timing.window_month,
        update,
        max(timing.start or plan.start, plan.start),
        min(ends) if ends else None,
    )


#: Per (plan, task, timing's identity): the timing (kept alive, so that its id stays its own),
#: its cadence, and its schedules by period, start and registry epoch of the as-of day.
ScheduleMemo = dict[tuple[str, str, int], tuple[RecurringTiming, Cadence, dict[tuple, Schedule]]]


def schedule(
    catalog: Catalog,
    dates: Dates,
    plan: Plan,
    task: Task,
    timing: RecurringTiming,
    memo: ScheduleMemo,
    responsibility: Responsibility,
) -> Schedule:
    """``task``'s periods as of ``dates.as_of`` (see the module's rules).

    The answer changes only when the as-of day enters a new period or registry epoch, or
    reaches the start, so ``memo`` (kept across the days of a simulation) is keyed by those
    (and the timing, a composite task having several: "trước ngày 01/6 và 15/11 hằng năm",
    "định kỳ 6 tháng và hằng năm" each have their own periods), not by the day. The timing is
    keyed by identity: hashing it took a third of this function."""
    as_of = dates.as_of
    kept = memo.get((plan.id, task.id, id(timing)))
    if kept is None:
        kept = memo[(plan.id, task.id, id(timing))] = (
            timing,
            cadence(catalog, plan, task, timing),
            {},
        )
    _, (period, before_day, due_day, due_month, window_month, update, start, end), known = kept
    until = max(min(as_of, end) if end else as_of, start)
    key = (
        until.year,
        (until.month - 1) // STEP[period],
        as_of < start,
        responsibility.epoch(as_of),
    )
    found = known.get(key)
    if found is not None:
        return found
    rows: list[tuple[str, date]] = []
    windows: list[date | None] = []
    before_start = start if as_of < start else None
    roll: Roll = "backward" if before_day else "forward"
    rolled = dates.rolled_date
    for first_day, last_day, period_key in periods(period, start, until, due_month):
        due = rolled(period_due(first_day, last_day, before_day, due_day, due_month), roll)
        if due < start:
            continue
        rows.append((period_key, due))
        if window_month:
            opens = date(first_day.year, window_month, 1)
            windows.append(max(before_start, opens) if before_start else opens)
        else:
            windows.append(before_start)
        if as_of < start:
            break  # not started yet: show the first period only
    kind = UPDATE if update else DELIVERABLE
    owners = responsibility.owners_each(task, (min(due, as_of) for _, due in rows))
    counts: dict[str, int] = {}
    owed = []
    for owing in owners if update else ():
        row = []
        for unit, _ in owing:
            counts[unit] = owes = counts.get(unit, 0) + 1
            row.append(owes)
        owed.append(tuple(row))
    found = known[key] = Schedule(tuple(rows), tuple(windows), kind, owners, tuple(owed))
    return found
