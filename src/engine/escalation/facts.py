"""Facts: the flat records escalation conditions are tested against.

One fact per occurrence that could match a rule (closed, undated-and-not-reportable and
not-yet-started occurrences, and parents' derived statuses, whose sub-tasks carry the
follow-up, and rows of a plan carried out by another plan's rows, are left out), plus one per lead unit without an email address
(``issue: no_email``). A fact's ``unit`` is the unit that answers for the obligation on the day
(its owner, or the owner's successor after a reorganisation); its ``key`` stays the owner's. Fields are plain strings, ints and booleans — never dates — so that
durable-rules and the plain-Python matcher see exactly the same values. A field that does not
apply (``working_days_to_due`` once the due date has passed) is absent, and absent never matches.

``missed_in_a_row`` (computed by the status core over the whole history) counts, for a
continuous task's update, the consecutive periods up to and including this one whose update
is missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.catalog.model import Catalog
from engine.status import DERIVED, Occurrence, Status

#: Statuses that never lead to a notice: the work is done, stopped, or not yet due to start.
_QUIET = {
    Status.DONE_ON_TIME,
    Status.DONE_LATE,
    Status.REPORTED,
    Status.CANCELLED,
    Status.SUSPENDED,
    Status.NOT_STARTED,
    Status.AWAITING_EVENT,
}
_TAGS = ("monthly_report", "progress_update", "quarterly_seminar")


@dataclass(frozen=True, slots=True)
class Fact:
    """A fact and the occurrence it stands for (``None`` for a unit-level issue)."""

    fields: dict[str, Any]
    occurrence: Occurrence | None

    @property
    def key(self) -> str:
        return self.fields["key"]


def build_facts(catalog: Catalog, occurrences: Iterable[Occurrence], as_of: date) -> list[Fact]:
    facts: list[Fact] = []
    units_seen: set[tuple[str, str]] = set()
    tags: dict[tuple[str, str], str] = {}
    for occ in occurrences:
        answerable = occ.answerable
        unit = catalog.units[answerable]
        if not unit.emails and unit.role != "external" and (occ.plan, answerable) not in units_seen:
            units_seen.add((occ.plan, answerable))
            facts.append(
                Fact(
                    {
                        "key": f"{occ.plan}/-/{answerable}/no-email",
                        "plan": occ.plan,
                        "task": "-",
                        "unit": answerable,
                        "milestone": "-",
                        "unit_role": unit.role,
                        "issue": "no_email",
                        "has_email": False,
                        "day_of_month": as_of.day,
                    },
                    None,
                )
            )
        if occ.status in _QUIET or occ.kind == DERIVED or occ.implemented_by:
            continue
        tag = tags.get((occ.plan, occ.task))
        if tag is None:
            task = catalog.plans[occ.plan].task(occ.task)
            assert task is not None
            tag = tags[(occ.plan, occ.task)] = next((t for t in task.tags if t in _TAGS), "")
        fields: dict[str, Any] = {
            "key": occ.key,
            "plan": occ.plan,
            "task": occ.task,
            "unit": answerable,
            "milestone": occ.milestone,
            "timing_class": str(occ.timing_class),
            "kind": occ.kind,
            "status": occ.status.value,
            "tag": tag,
            "unit_role": unit.role,
            "working_days_overdue": occ.working_days_overdue,
            "days_overdue": occ.days_overdue,
            "missed_in_a_row": occ.missed_in_a_row,
            "day_of_month": as_of.day,
            "has_email": bool(unit.emails),
            "followed": catalog.followed(answerable),
            "issue": "",
        }
        if occ.working_days_to_due is not None and occ.due is not None:
            fields["working_days_to_due"] = occ.working_days_to_due
            fields["days_to_due"] = (occ.due - as_of).days
        facts.append(Fact(fields, occ))
    return facts
