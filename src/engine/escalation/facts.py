"""Facts: the flat records escalation conditions are tested against.

One fact per occurrence that could match a rule (closed, undated-and-not-reportable and
not-yet-started occurrences, and parents' derived statuses, whose sub-tasks carry the
follow-up, and rows of a plan carried out by another plan's rows, are left out), plus one per
lead unit without an email address (``issue: no_email``). A fact's ``unit`` is the unit that
answers for the obligation on the day (its owner, or the owner's successor after a
reorganisation); its ``key`` stays the owner's. Fields are plain strings, ints and booleans —
never dates — so that durable-rules and the plain-Python matcher see exactly the same values.
A field that does not apply (``working_days_to_due`` once the due date has passed) is absent,
and absent never matches.

``missed_in_a_row`` (computed by the status core over the whole history) counts, for a
continuous task's update, the consecutive periods up to and including this one whose update
is missing.

A fact is compact: its occurrence, what its (plan, task, unit) share (:class:`Static`, one
per triple) and the day. Its ``fields`` mapping is built only when asked for — for the facts
that end in a notice — and :func:`fact_key` gives matchers a key that determines a fact's
projection onto the fields the rules test, read straight from those parts.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from datetime import date
from operator import attrgetter
from typing import Any, NamedTuple

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


class Static(NamedTuple):
    """The fields one (plan, task, answering unit) gives all its facts."""

    plan: str
    task: str
    unit: str
    tag: str
    unit_role: str
    has_email: bool
    followed: bool


class Fact(NamedTuple):
    """A fact and the occurrence it stands for (``None`` for a unit-level issue)."""

    occurrence: Occurrence | None
    static: Static
    day: date

    @property
    def plan(self) -> str:
        return self.static.plan

    @property
    def task(self) -> str:
        return self.static.task

    @property
    def unit(self) -> str:
        return self.static.unit

    @property
    def key(self) -> str:
        occ = self.occurrence
        return occ.key if occ is not None else f"{self.static.plan}/-/{self.static.unit}/no-email"

    @property
    def fields(self) -> dict[str, Any]:
        """The fact as the rules read it (see the module)."""
        occ, static, day = self
        if occ is None:
            return {
                "key": self.key,
                "plan": static.plan,
                "task": "-",
                "unit": static.unit,
                "milestone": "-",
                "unit_role": static.unit_role,
                "issue": "no_email",
                "has_email": False,
                "day_of_month": day.day,
            }
        fields: dict[str, Any] = {
            "key": occ.key,
            "plan": static.plan,
            "task": static.task,
            "unit": static.unit,
            "milestone": occ.milestone,
            "timing_class": str(occ.timing_class),
            "kind": occ.kind,
            "status": occ.status.value,
            "tag": static.tag,
            "unit_role": static.unit_role,
            "working_days_overdue": occ.working_days_overdue,
            "days_overdue": occ.days_overdue,
            "missed_in_a_row": occ.missed_in_a_row,
            "day_of_month": day.day,
            "has_email": static.has_email,
            "followed": static.followed,
            "issue": "",
        }
        if occ.working_days_to_due is not None and occ.due is not None:
            fields["working_days_to_due"] = occ.working_days_to_due
            fields["days_to_due"] = (occ.due - day).days
        return fields


#: Where each field of an occurrence's fact comes from: the static part, the occurrence's
#: attributes (``working_days_to_due`` is present only with a due date), the day.
_FROM_STATIC = {"plan", "task", "unit", "tag", "unit_role", "has_email", "followed"}
_FROM_OCCURRENCE: dict[str, tuple[str, ...]] = {
    "milestone": ("milestone",),
    "timing_class": ("timing_class",),
    "kind": ("kind",),
    "status": ("status",),
    "working_days_overdue": ("working_days_overdue",),
    "days_overdue": ("days_overdue",),
    "missed_in_a_row": ("missed_in_a_row",),
    "working_days_to_due": ("working_days_to_due", "due"),
    "days_to_due": ("working_days_to_due", "due"),
}
_FROM_DAY = {"day_of_month": attrgetter("day"), "days_to_due": lambda day: day}


def fact_key(names: Iterable[str]) -> Callable[[Fact], Hashable]:
    """A function giving each fact a key such that facts with equal keys have the same
    projection onto ``names``: the static, occurrence and day values those fields are made of
    (a unit-level fact is keyed by its projection itself)."""
    names = sorted(set(names))
    static = [n for n in names if n in _FROM_STATIC]
    attrs = sorted({a for n in names for a in _FROM_OCCURRENCE.get(n, ())})
    days = [_FROM_DAY[n] for n in names if n in _FROM_DAY]
    of_static = attrgetter(*static) if static else (lambda s: ())
    of_occurrence = attrgetter(*attrs) if attrs else (lambda o: ())

    day_parts: dict[date, tuple] = {}

    def key(fact: Fact) -> Hashable:
        occ, part, day = fact
        if occ is None:
            fields = fact.fields
            return ("no_email", *((n, fields[n]) for n in names if n in fields))
        of_day = day_parts.get(day)
        if of_day is None:
            of_day = day_parts[day] = tuple(d(day) for d in days)
        return (of_static(part), of_occurrence(occ), of_day)

    return key


def iter_facts(catalog: Catalog, occurrences: Iterable[Occurrence], as_of: date) -> Iterator[Fact]:
    """The facts of ``occurrences`` on ``as_of``, in their order (see the module)."""
    units_seen: set[tuple[str, str]] = set()
    tags: dict[tuple[str, str], str] = {}
    # per answering unit: role, has an email, followed, and whether it owes a no-email fact
    of_unit: dict[str, tuple[str, bool, bool, bool]] = {}
    statics: dict[tuple[str, str, str], Static] = {}
    quiet, new = _QUIET, tuple.__new__  # new(Fact, ...): Fact(...) without a Python-level call
    for occ in occurrences:
        answerable = occ.holder or occ.unit  # occ.answerable, inlined in this hot loop
        known = of_unit.get(answerable)
        if known is None:
            unit = catalog.units[answerable]
            has_email = bool(unit.emails)
            known = of_unit[answerable] = (
                unit.role,
                has_email,
                catalog.followed(answerable),
                not has_email and unit.role != "external",
            )
        if known[3] and (occ.plan, answerable) not in units_seen:
            units_seen.add((occ.plan, answerable))
            no_email = Static(occ.plan, "-", answerable, "", known[0], False, False)
            yield new(Fact, (None, no_email, as_of))
        if occ.status in quiet or occ.kind == DERIVED or occ.implemented_by:
            continue
        static = statics.get((occ.plan, occ.task, answerable))
        if static is None:
            tag = tags.get((occ.plan, occ.task))
            if tag is None:
                task = catalog.plans[occ.plan].task(occ.task)
                assert task is not None
                tag = tags[(occ.plan, occ.task)] = next((t for t in task.tags if t in _TAGS), "")
            static = statics[(occ.plan, occ.task, answerable)] = Static(
                occ.plan, occ.task, answerable, tag, *known[:3]
            )
        yield new(Fact, (occ, static, as_of))


def build_facts(catalog: Catalog, occurrences: Iterable[Occurrence], as_of: date) -> list[Fact]:
    return list(iter_facts(catalog, occurrences, as_of))
