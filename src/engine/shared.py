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
from engine.timing.models import DatedTiming, Milestone, RecurringTiming

#: A dated task's milestones with their rolled due dates and owners (see ``_milestones``).
Milestones = tuple[tuple[Milestone, date, Owners], ...]

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
        key = (plan.id, task.id, ev.epoch)
        if key not in ev.milestones:
            ev.milestones[key] = _milestones(ev, task, timing)
        rows = ev.milestones[key]
        if rows is None:
            return None
        out: list[Occurrence] = []
        for milestone, due, owners in rows:
            _emit(
                ev, out, plan, task, owners, milestone.key, milestone.label,
                timing.timing_class, DELIVERABLE, due, milestone.window_start, None,
            )  # fmt: skip
        return out
    if isinstance(timing, RecurringTiming):
        return _recurring(ev, plan, task, timing)
    return None


def _milestones(ev: _Evaluator, task: Task, timing: DatedTiming) -> Milestones | None:
    """Each milestone of a dated task with its rolled due date and the units owing it (of
    those a labelled milestone is tied to, if any), or None when two share a key. The same
    on every day of one registry epoch: a timeline keeps them."""
    if len({m.key for m in timing.milestones}) != len(timing.milestones):
        return None
    rows = []
    for milestone in timing.milestones:
        due = ev.dates.rolled(milestone)
        owners = ev.owners(task, due)
        only = task.milestone_units.get(milestone.label or "")
        if only:
            owners = tuple((u, p) for u, p in owners if ev.names(only, u, due))
        rows.append((milestone, due, owners))
    return tuple(rows)


def _recurring(
    ev: _Evaluator, plan: Plan, task: Task, timing: RecurringTiming
) -> list[Occurrence] | None:
    schedule = ev.schedule(plan, task, timing)
    periods, final = schedule.periods, timing.final
    if not periods or (final and any(final.key == k for k, _ in periods)):
        return None
    shown_from = 0
    if ev.recent_periods is not None:
        shown_from = max(0, len(periods) - ev.recent_periods)
    update = schedule.kind == UPDATE
    as_of = ev.as_of
    out: list[Occurrence] = []
    for index in range(shown_from, len(periods)):
        key, due = periods[index]
        # nothing reported: every period up to a past one is missing (periods and their due
        # dates come in order), so a unit's missing updates in a row are the periods it owes
        # up to this one; none while the period is not past
        missed = schedule.owed[index] if update and as_of > due else None
        _emit(
            ev, out, plan, task, schedule.owners[index], key, None, timing.timing_class,
            schedule.kind, due, schedule.windows[index], missed,
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
    missed: tuple[int, ...] | None,
) -> None:
    """One occurrence per owing unit of the obligation ``key`` due on ``due``; ``missed``
    gives, beside each owner, its missing updates in a row (none: 0)."""
    status, effective, days, working_days, to_due = ev.dates.verdict(
        plan.signed, kind, due, None, window, None, False
    )
    holders = ev.holders if status in OPEN else None
    plan_id, task_id, parent, precedes = plan.id, task.id, task.parent, due < plan.signed
    append = out.append
    for index, (unit, printed) in enumerate(owners):
        occ = Unfrozen(
            plan_id, task_id, unit, key, label, timing_class, kind, effective, due, window,
            status, None, days, working_days, to_due, precedes, printed,
            missed[index] if missed is not None else 0,
            holders[unit] if holders is not None else unit, parent, (),
        )  # fmt: skip
        occ.__class__ = Occurrence  # what occurrence.build does, inlined in the hot loop
        append(occ)
