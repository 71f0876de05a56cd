"""Occurrences of a task no record concerns, with the work shared by every owing unit.

When no completion, extension, cancellation, suspension or period update names a dated or
recurring task (or its parent), an obligation's status depends on its dates alone: each
milestone's or period's verdict (:mod:`engine.verdict`) is computed once and every owing unit
gets an occurrence built from it directly, already held (its holder and parent set). The
results are those of the general path in :mod:`engine.status` (``share = False`` there),
which ``tests/test_status_incremental.py`` checks.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from engine.occurrence import DELIVERABLE, OPEN, UPDATE, Occurrence, Unfrozen
from engine.responsibility import Owners
from engine.timing.models import DatedTiming, RecurringTiming

if TYPE_CHECKING:
    from engine.catalog.model import Plan, Task
    from engine.status import _Evaluator


def shared_occurrences(ev: _Evaluator, plan: Plan, task: Task) -> list[Occurrence] | None:
    """The occurrences of a quiet task (see the module), or None when its timing needs the
    general path (sub-tasks, several timings in one cell, no dates, repeated keys)."""
    timing = task.timing
    if task.subtasks:
        return None
    if isinstance(timing, DatedTiming):
        if len({m.key for m in timing.milestones}) != len(timing.milestones):
            return None
        out: list[Occurrence] = []
        for milestone in timing.milestones:
            due = ev.dates.rolled(milestone)
            owners = ev.owners(task, due)
            only = task.milestone_units.get(milestone.label or "")
            if only:
                owners = tuple((u, p) for u, p in owners if ev.names(only, u, due))
            _emit(
                ev, out, plan, task, owners, milestone.key, milestone.label,
                timing.timing_class, DELIVERABLE, due, milestone.window_start, None,
            )  # fmt: skip
        return out
    if isinstance(timing, RecurringTiming):
        return _recurring(ev, plan, task, timing)
    return None


def _recurring(
    ev: _Evaluator, plan: Plan, task: Task, timing: RecurringTiming
) -> list[Occurrence] | None:
    schedule = ev.schedule(plan, task, timing)
    final = timing.final
    if not schedule.periods or (final and any(final.key == k for k, _ in schedule.periods)):
        return None
    shown_from = 0
    if ev.recent_periods is not None:
        shown_from = max(0, len(schedule.periods) - ev.recent_periods)
    update = schedule.kind == UPDATE
    missed: dict[str, int] = {}  # per unit: consecutive missing updates up to this period
    out: list[Occurrence] = []
    for index, (key, due) in enumerate(schedule.periods):
        if not update and index < shown_from:
            continue
        owners = ev.owners(task, due)
        if update:  # nothing reported: a period past its date is a gap for every unit
            gap = ev.as_of > due
            for unit, _ in owners:
                missed[unit] = missed.get(unit, 0) + 1 if gap else 0
            if index < shown_from:
                continue
        _emit(
            ev, out, plan, task, owners, key, None, timing.timing_class, schedule.kind, due,
            schedule.windows[index], missed if update else None,
        )  # fmt: skip
    if final is not None:
        due = ev.dates.rolled(final)
        _emit(
            ev, out, plan, task, ev.owners(task, due), final.key, final.label,
            timing.timing_class, DELIVERABLE, due, final.window_start, None,
        )  # fmt: skip
    return out


def _emit(
    ev: _Evaluator,
    out: list[Occurrence],
    plan: Plan,
    task: Task,
    owners: Owners,
    key: str,
    label: str | None,
    timing_class: str,
    kind: str,
    due: date,
    window: date | None,
    missed: dict[str, int] | None,
) -> None:
    """One occurrence per owing unit of the obligation ``key`` due on ``due``."""
    status, effective, days, working_days, to_due = ev.dates.verdict(
        plan.signed, kind, due, None, window, None, False
    )
    is_open = status in OPEN
    holder = ev.holder
    plan_id, task_id, parent, precedes = plan.id, task.id, task.parent, due < plan.signed
    append = out.append
    for unit, printed in owners:
        occ = Unfrozen(
            plan_id, task_id, unit, key, label, timing_class, kind, effective, due, window,
            status, None, days, working_days, to_due, precedes, printed,
            missed[unit] if missed is not None else 0,
            holder(unit) if is_open else unit, parent, (),
        )  # fmt: skip
        occ.__class__ = Occurrence  # what occurrence.build does, inlined in the hot loop
        append(occ)
