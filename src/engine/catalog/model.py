"""The validated catalog: plans, tasks, units, references, grammar, calendar and policy.

Everything here is resolved: unit spellings are unit ids, deadline phrases are typed
timings, sub-tasks carry what they inherit from their parent. The catalog is immutable
data; nothing in it reads the clock, the database or the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from engine.calendar import WorkingCalendar
from engine.catalog.schema import CycleSpec, JobsFile, MilestoneSpec, Policy, ReportingFile
from engine.escalation.rules import EscalationFile
from engine.text import normalize
from engine.timing.models import Timing
from engine.timing.parse import PhraseBook


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    aliases: tuple[str, ...]
    organisation: str
    kind: str
    role: str
    emails: tuple[str, ...]
    valid_from: date | None
    valid_to: date | None
    successor: str | None
    members: tuple[str, ...]

    def exists_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True)
class Task:
    """One task row (or sub-item) of a plan, resolved."""

    plan: str
    id: str
    parent: str | None
    section: str
    content: str
    lead: tuple[str, ...]
    lead_printed: tuple[str, ...]
    cooperating: tuple[str, ...]
    deadline: str
    timing: Timing
    patterns: tuple[str, ...]
    explicit_timing: bool
    product: str | None
    funding: str | None
    note: str | None
    tags: tuple[str, ...]
    milestone_units: dict[str, tuple[str, ...]]
    subtasks: tuple[str, ...]
    file: str
    line: int
    fulfilled_by_signing: bool = False
    implements: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Plan:
    id: str
    number: str
    title: str
    issuer: str
    signed: date
    horizon_text: str
    start: date
    end: date | None
    coordinating_unit: str
    implements: tuple[str, ...]
    source: str | None
    tasks: tuple[Task, ...]
    file: str
    organisation: str = ""

    @property
    def year(self) -> int:
        return self.start.year

    @cached_property
    def _tasks_by_id(self) -> dict[str, Task]:
        return {task.id: task for task in self.tasks}

    def task(self, task_id: str) -> Task | None:
        return self._tasks_by_id.get(task_id)


@dataclass(frozen=True)
class Reference:
    id: str
    title: str
    match: tuple[str, ...]
    milestones: tuple[MilestoneSpec, ...]
    note: str | None

    def milestones_for(self, plan: str, task: str) -> list[MilestoneSpec]:
        """Milestones that apply to a task: unscoped ones and those scoped to it or its plan."""
        return [
            m
            for m in self.milestones
            if m.plan in (None, plan) and (m.task is None or (m.plan == plan and m.task == task))
        ]


@dataclass(frozen=True)
class Organisation:
    """A followed organisation: the office its plans escalate to, and its leadership."""

    name: str
    aliases: tuple[str, ...]
    coordinating_office: str
    leadership: str


@dataclass
class Catalog:
    units: dict[str, Unit]
    plans: dict[str, Plan]
    references: dict[str, Reference]
    phrases: PhraseBook
    calendar: WorkingCalendar
    reporting: ReportingFile
    jobs: JobsFile
    escalation: EscalationFile
    warnings: list[str] = field(default_factory=list)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    _unit_keys: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for unit in self.units.values():
            for spelling in (unit.name, *unit.aliases, unit.id):
                self._unit_keys.setdefault(normalize(spelling), unit.id)

    @property
    def policy(self) -> Policy:
        return self.reporting.policy

    def unit_id(self, spelling: str) -> str | None:
        """The id of the unit a printed spelling names, or None."""
        return self._unit_keys.get(normalize(spelling))

    def find_plan(self, key: str) -> Plan | None:
        """A plan by id or by its printed number ("522/QĐ-BTP", "522")."""
        if key in self.plans:
            return self.plans[key]
        wanted = normalize(key)
        for plan in self.plans.values():
            number = normalize(plan.number)
            if wanted in (number, number.split("/")[0]):
                return plan
        return None

    def organisation(self, spelling: str) -> Organisation | None:
        """The followed organisation a name or alias designates, or None (the first one, in
        the file's order, when several do). Asked once per obligation by the follow-up, so the
        spellings are indexed once per ``organisations`` mapping."""
        indexed = self.__dict__.get("_organisation_keys")
        if indexed is None or indexed[0] is not self.organisations:
            keys: dict[str, Organisation] = {}
            for org in self.organisations.values():
                for name in (org.name, *org.aliases):
                    keys.setdefault(normalize(name), org)
            indexed = self.__dict__["_organisation_keys"] = (self.organisations, keys)
        return indexed[1].get(normalize(spelling))

    def followed(self, unit_id: str) -> bool:
        """Whether a unit belongs to a followed organisation (only those are ever emailed)."""
        return self.organisation(self.units[unit_id].organisation) is not None

    def escalates_to(self, plan: Plan, holder: str) -> Organisation | None:
        """The organisation whose office and leadership hear about an obligation: the plan's
        own organisation when it is followed, else the holder's (a followed unit leading a row
        of an outside plan reports inside its own organisation), else none."""
        return self.organisation(plan.organisation) or self.organisation(
            self.units[holder].organisation
        )

    def cycle_for(self, task: Task) -> CycleSpec | None:
        for tag in task.tags:
            name = self.reporting.tag_cycles.get(tag)  # type: ignore[call-overload]
            if name:
                return self.reporting.cycles[name]
        return None

    def current_unit(self, unit_id: str, day: date) -> str:
        """Follow successor links: who holds ``unit_id``'s tasks on ``day``."""
        seen = {unit_id}
        unit = self.units[unit_id]
        while unit.valid_to is not None and day > unit.valid_to and unit.successor:
            if unit.successor in seen:
                break
            seen.add(unit.successor)
            unit = self.units[unit.successor]
        return unit.id

    def members(self, unit_id: str) -> tuple[str, ...]:
        """A group's member units (recursively), or the unit itself."""
        unit = self.units[unit_id]
        if unit.kind != "group" or not unit.members:
            return (unit_id,)
        out: list[str] = []
        for member in unit.members:
            for leaf in self.members(member):
                if leaf not in out:
                    out.append(leaf)
        return tuple(out)
