"""One status for several obligations: a parent over its sub-tasks, a task over its units.

The rule (``docs/timing.md``, "Roll-up"), over the deliverables concerned (or, when there are
none, over every obligation concerned):

* stopped when every obligation is suspended or cancelled (cancelled wins when all are
  cancelled); stopped obligations are otherwise left out;
* **overdue if any is overdue**, with the largest number of days overdue;
* **done when all are done**: on time only if all were, late if any was; done on the last date;
* otherwise due soon if any is, in progress if any is under way or some are done, not started
  when none has started;
* obligations that are not deliverables (period updates, awaiting a schedule or an event, no
  deadline) keep the status most in need of attention: report missing, then awaiting, then
  reported, then not started; done (an undated obligation closed by a completion) only when
  all are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import NamedTuple

from engine.codes import Status
from engine.occurrence import DELIVERABLE, DERIVED, Occurrence, build

_STOPPED = (Status.SUSPENDED, Status.CANCELLED)
_DONE = (Status.DONE_ON_TIME, Status.DONE_LATE)
_ATTENTION = (
    Status.OVERDUE,
    Status.REPORT_MISSING,
    Status.DUE_SOON,
    Status.IN_PROGRESS,
    Status.AWAITING_EVENT,
    Status.AWAITING_SCHEDULE,
    Status.NO_DEADLINE,
    Status.REPORTED,
    Status.NOT_STARTED,
    Status.DONE_LATE,
    Status.DONE_ON_TIME,
)


class Part(NamedTuple):
    """What the roll-up needs of one obligation."""

    status: Status
    deliverable: bool
    done_on: date | None
    days_overdue: int


class Rolled(NamedTuple):
    status: Status
    done_on: date | None
    days_overdue: int


def combine(parts: Sequence[Part]) -> Rolled:
    """The one status of several obligations (see the module's rule)."""
    if not parts:
        return Rolled(Status.NO_DEADLINE, None, 0)
    live = [p for p in parts if p.status not in _STOPPED]
    if not live:
        every_cancelled = all(p.status == Status.CANCELLED for p in parts)
        return Rolled(Status.CANCELLED if every_cancelled else Status.SUSPENDED, None, 0)
    deliverables = [p for p in live if p.deliverable]
    if not deliverables:
        status = min((p.status for p in live), key=_ATTENTION.index)
        worst = max(p.days_overdue for p in live)
        return Rolled(status, None, worst if status == Status.REPORT_MISSING else 0)
    statuses = {p.status for p in deliverables}
    if Status.OVERDUE in statuses:
        return Rolled(Status.OVERDUE, None, max(p.days_overdue for p in deliverables))
    done = [p for p in deliverables if p.status in _DONE]
    if len(done) == len(deliverables):
        last = max(p.done_on for p in done if p.done_on is not None)
        late = Status.DONE_LATE in statuses
        return Rolled(Status.DONE_LATE if late else Status.DONE_ON_TIME, last, 0)
    if Status.DUE_SOON in statuses:
        return Rolled(Status.DUE_SOON, None, 0)
    if Status.IN_PROGRESS in statuses or done:
        return Rolled(Status.IN_PROGRESS, None, 0)
    return Rolled(Status.NOT_STARTED, None, 0)


def derived(
    plan: str,
    task: str,
    timing_class: str,
    subs: Sequence[Occurrence],
    to_due: Callable[[date | None], int | None],
) -> Occurrence:
    """A parent task's ``derived`` occurrence for one unit, rolling up the unit's sub-task
    obligations ``subs``: due with the last of them, overdue by the worst."""
    rolled = combine(
        [Part(o.status, o.kind == DELIVERABLE, o.done_on, o.days_overdue) for o in subs]
    )
    dues = [o.due for o in subs if o.due is not None]
    originals = [o.original_due for o in subs if o.original_due is not None]
    due = max(dues) if dues else None
    overdue = rolled.status in (Status.OVERDUE, Status.REPORT_MISSING)
    return build(
        plan,
        task,
        subs[0].unit,
        "sub-tasks",
        "Theo nhiệm vụ con",
        timing_class,
        DERIVED,
        due,
        max(originals) if originals else None,
        None,
        rolled.status,
        rolled.done_on,
        rolled.days_overdue,
        max(o.working_days_overdue for o in subs) if overdue else 0,
        to_due(due),
        any(o.precedes_issue for o in subs),
        subs[0].printed_unit,
        max(o.missed_in_a_row for o in subs),
        "",
        None,
        (),
    )
