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

from engine.catalog.model import Catalog, Plan, Task
from engine.occurrence import DELIVERABLE, UPDATE
from engine.periods import STEP, period_due, periods
from engine.responsibility import Owners, Responsibility
from engine.timing.models import Milestone, RecurringTiming, TimingClass
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


def schedule(
    catalog: Catalog,
    dates: Dates,
    plan: Plan,
    task: Task,
    timing: RecurringTiming,
    memo: dict[tuple, tuple[RecurringTiming, Schedule]],
    responsibility: Responsibility,
) -> Schedule:
    """``task``'s periods as of ``dates.as_of`` (see the module's rules).

    The answer changes only when the as-of day enters a new period or registry epoch, or
    reaches the start, so ``memo`` (kept across the days of a simulation) is keyed by those
    (and the timing, a composite task having several), not by the day."""
    as_of = dates.as_of
    cycle = catalog.cycle_for(task)
    before_day = cycle.before_day if cycle else timing.before_day
    due_day = cycle.due_day if cycle else timing.due_day
    period = cycle.period if cycle else timing.period
    due_month = None if cycle else timing.month
    window_month = None if cycle else timing.window_month
    update = cycle.kind == UPDATE if cycle else timing.timing_class in _CONTINUOUS
    if update and before_day is None and due_day is None:
        due_day = catalog.policy.update_cutoff_day
    start = max(timing.start or plan.start, plan.start)
    ends = [d for d in (timing.end, plan.end) if d is not None]
    until = max(min(as_of, *ends) if ends else as_of, start)
    # the timing too: the recurring parts of a composite task ("trước ngày 01/6 và 15/11 hằng
    # năm", "định kỳ 6 tháng và hằng năm") each have their own periods. By identity, as hashing
    # it took a third of this function: the memo keeps the timing alive, so its id stays its own
    key = (
        plan.id,
        task.id,
        id(timing),
        until.year,
        (until.month - 1) // STEP[period],
        as_of < start,
        responsibility.epoch(as_of),
    )
    kept = memo.get(key)
    if kept is not None:
        return kept[1]
    rows: list[tuple[str, date]] = []
    windows: list[date | None] = []
    before_start = start if as_of < start else None
    for first_day, last_day, period_key in periods(period, start, until, due_month):
        nominal = period_due(first_day, last_day, before_day, due_day, due_month)
        roll = "backward" if before_day else "forward"
        due = dates.rolled(Milestone(key=period_key, nominal_due=nominal, roll=roll))
        if due < start:
            continue
        rows.append((period_key, due))
        opens = date(first_day.year, window_month, 1) if window_month else None
        windows.append(max(filter(None, (before_start, opens)), default=None))
        if as_of < start:
            break  # not started yet: show the first period only
    kind = UPDATE if update else DELIVERABLE
    owners = tuple(responsibility.owners(task, min(due, as_of)) for _, due in rows)
    counts: dict[str, int] = {}
    owed = []
    for owing in owners if update else ():
        row = []
        for unit, _ in owing:
            counts[unit] = owes = counts.get(unit, 0) + 1
            row.append(owes)
        owed.append(tuple(row))
    found = Schedule(tuple(rows), tuple(windows), kind, owners, tuple(owed))
    memo[key] = (timing, found)
    return found
