"""One obligation of one unit with its status as of a day: the record every view reads."""

from __future__ import annotations

from dataclasses import dataclass, fields, make_dataclass
from datetime import date
from operator import attrgetter

from engine.codes import Status

#: Kinds of occurrence: a deliverable with a deadline, a period update, an obligation with no
#: date yet, or a parent's status derived from its sub-tasks. Only deliverables count in the
#: completion rate.
DELIVERABLE, UPDATE, UNDATED, DERIVED = "deliverable", "update", "undated", "derived"

#: Statuses of an obligation still owed: its holder (the owner, or its successor once the owner
#: has ceased) answers for it.
OPEN = frozenset(
    (
        Status.NOT_STARTED,
        Status.IN_PROGRESS,
        Status.DUE_SOON,
        Status.OVERDUE,
        Status.REPORT_MISSING,
    )
)


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


#: The fields of an occurrence in order, and a getter of all their values (what :func:`build`
#: takes): code that changes a few fields of many occurrences builds from these.
FIELDS = tuple(f.name for f in fields(Occurrence))
values_of = attrgetter(*FIELDS)

#: Occurrence's slot layout with plain assignment: built, then retyped as an Occurrence.
Unfrozen = make_dataclass(
    "Unfrozen", [(f.name, f.type) for f in fields(Occurrence)], slots=True, eq=False, repr=False
)


def build(*values: object) -> Occurrence:
    """``Occurrence(*values)`` with every field given positionally, at a sixth of the cost.

    A frozen dataclass sets each of its 21 fields through ``object.__setattr__``; evaluation
    builds one occurrence per obligation, so that dominated it. The instance is built on a
    class with the same slots and plain assignment, then given the Occurrence class: the
    result is an ordinary, frozen Occurrence (equal and hashed as one)."""
    occ = Unfrozen(*values)
    occ.__class__ = Occurrence  # type: ignore[assignment]
    return occ  # type: ignore[return-value]
