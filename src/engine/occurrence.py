"""One obligation of one unit with its status as of a day: the record every view reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine.codes import Status

#: Kinds of occurrence: a deliverable with a deadline, a period update, an obligation with no
#: date yet, or a parent's status derived from its sub-tasks. Only deliverables count in the
#: completion rate.
DELIVERABLE, UPDATE, UNDATED, DERIVED = "deliverable", "update", "undated", "derived"


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One obligation of one unit, with its status as of the evaluation day."""

    plan: str
    task: str
    unit: str
    milestone: str
    label: str | None
    timing_class: str
    kind: str
    due: date | None
    original_due: date | None
    window_start: date | None
    status: Status
    done_on: date | None
    days_overdue: int
    working_days_overdue: int
    working_days_to_due: int | None
    precedes_issue: bool
    printed_unit: str | None
    missed_in_a_row: int = 0
    holder: str = ""
    parent: str | None = None
    implemented_by: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Stable identity: ``plan/task/unit/milestone``."""
        return "/".join((self.plan, self.task, self.unit, self.milestone))

    @property
    def answerable(self) -> str:
        """The unit that answers for it on the evaluation day (the owner's successor, if any)."""
        return self.holder or self.unit
