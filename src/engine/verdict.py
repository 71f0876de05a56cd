"""The status a dated obligation has as of a day, from its dates alone (no records).

Rules (``docs/timing.md``): "as of D" is the start of day D — due on D is still in time, D+1
is overdue; before the plan's signing or the obligation's window it is not started; within
the policy's "due soon" working days before the (extended) due date it is due soon; a period
update past its date is a missing report. Extensions move the date used for "overdue", never
the one used for on time / late.

Every answer depends only on a handful of dates, which thousands of obligations share (every
owing unit of a period, every period of every plan with the same due date), so each is
computed once per evaluation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from engine.codes import Status
from engine.occurrence import UPDATE
from engine.timing.models import Milestone, Roll

if TYPE_CHECKING:
    from engine.calendar import WorkingCalendar
    from engine.catalog.schema import Policy

#: status, effective due date, days overdue, working days overdue, working days to the due date
Verdict = tuple[Status, date, int, int, int | None]

#: Statuses that count days overdue once the (extended) due date has passed.
LATE = (Status.OVERDUE, Status.REPORT_MISSING)


def counters(
    status: Status, effective: date, as_of: date, working_days_between: Callable[[date, date], int]
) -> tuple[int, int, int | None]:
    """The figures that move with the day, of an obligation with ``status`` due (extended) on
    ``effective``, as of ``as_of``: days and working days overdue (a late status past its due
    date; else 0), and working days left until the due date (None once it has passed)."""
    late = as_of > effective and status in LATE
    return (
        (as_of - effective).days if late else 0,
        working_days_between(effective, as_of) if late else 0,
        working_days_between(as_of, effective) if as_of <= effective else None,
    )


class Dates:
    """Date arithmetic of one evaluation day, memoised."""

    def __init__(
        self,
        calendar: WorkingCalendar,
        policy: Policy,
        as_of: date,
        rolled: dict[tuple[date, str], date] | None = None,
        soon: dict[date, date] | None = None,
    ):
        """``rolled`` and ``soon`` are memos of answers that do not depend on the day: a
        simulation passes the same ones to every day's evaluation."""
        self.calendar, self.policy, self.as_of = calendar, policy, as_of
        self._rolled = {} if rolled is None else rolled
        self._soon = {} if soon is None else soon
        self._verdicts: dict[tuple, Verdict] = {}

    def rolled(self, milestone: Milestone) -> date:
        """The milestone's due date moved off a non-working day (see :meth:`rolled_date`)."""
        return self.rolled_date(milestone.nominal_due, milestone.roll)

    def rolled_date(self, nominal: date, roll: Roll) -> date:
        """``nominal`` moved off a non-working day: to the next working day (``forward``), or
        the previous one (``backward``, for "before day X")."""
        key = (nominal, roll)
        due = self._rolled.get(key)
        if due is None:
            if roll == "forward":
                due = self.calendar.roll_forward(nominal)
            else:
                due = self.calendar.roll_backward(nominal)
            self._rolled[key] = due
        return due

    def soon_from(self, due: date) -> date:
        """The first day on which an obligation due on ``due`` is due soon."""
        start = self._soon.get(due)
        if start is None:
            start = self.calendar.add_working_days(due, -self.policy.due_soon_working_days)
            self._soon[due] = start
        return start

    def to_due(self, due: date | None) -> int | None:
        """Working days left until ``due``; None once it has passed (or with no due date)."""
        if due is None or self.as_of > due:
            return None
        return self.calendar.working_days_between(self.as_of, due)

    def verdict(
        self,
        signed: date,
        kind: str,
        due: date,
        extended: date | None,
        window_start: date | None,
        done_on: date | None,
        reported: bool,
        administrative: Status | None = None,
    ) -> Verdict:
        """The status of an obligation due on ``due`` (``extended``: its extension) of a plan
        signed on ``signed``, with the figures that go with it. ``administrative`` (cancelled,
        suspended) overrides the status and is never late."""
        key = (signed, kind, due, extended, window_start, done_on, reported, administrative)
        found = self._verdicts.get(key)
        if found is not None:
            return found
        as_of = self.as_of
        effective = extended or due
        status = administrative
        if status is None:
            if reported:
                status = Status.REPORTED
            elif done_on is not None:
                status = Status.DONE_ON_TIME if done_on <= due else Status.DONE_LATE
            elif as_of < signed or (window_start is not None and as_of < window_start):
                status = Status.NOT_STARTED
            elif as_of > effective:
                status = Status.REPORT_MISSING if kind == UPDATE else Status.OVERDUE
            elif as_of >= self.soon_from(effective):
                status = Status.DUE_SOON
            else:
                status = Status.IN_PROGRESS
        found = self._verdicts[key] = (
            status,
            effective,
            *counters(status, effective, as_of, self.calendar.working_days_between),
        )
        return found
