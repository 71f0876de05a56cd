"""Recorded progress as plain, immutable data: what the core reads besides the rules.

The database (``engine.store``) stores these records; the status computation sees only this
module's types, so it stays a pure function of (catalog, progress, as-of date).

Matching rules:

* ``unit`` ``None`` applies to every lead unit of the task; a unit id also matches the
  occurrences of its successors (progress recorded before a reorganisation still counts).
* ``milestone`` ``None`` on a completion applies to every dated milestone of the task, never
  to the periods of a recurring task: a period is always recorded with its own key
  (``"2023-05"``, ``"2023-Q2"``).
* A record counts as of day D when its date is on or before D.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

TriggerKind = Literal["event", "request"]


@dataclass(frozen=True)
class Completion:
    plan: str
    task: str
    done_on: date
    unit: str | None = None
    milestone: str | None = None
    note: str | None = None
    evidence: str | None = None


@dataclass(frozen=True)
class PeriodUpdate:
    """A continuous task's progress update for one period."""

    plan: str
    task: str
    unit: str
    period: str
    reported_on: date
    note: str | None = None


@dataclass(frozen=True)
class Trigger:
    """A recorded event (for event-triggered tasks) or request (for on-request tasks)."""

    plan: str
    task: str
    kind: TriggerKind
    key: str
    occurred_on: date
    due: date | None = None
    description: str | None = None
    units: tuple[str, ...] = ()  # the units it concerns; empty: every lead unit


@dataclass(frozen=True)
class Suspension:
    plan: str
    task: str
    start: date
    reason: str
    end: date | None = None
    unit: str | None = None
    document: str | None = None


@dataclass(frozen=True)
class Cancellation:
    plan: str
    task: str
    effective: date
    reason: str
    unit: str | None = None
    document: str | None = None


@dataclass(frozen=True)
class Extension:
    """A new due date; the original one still decides on-time / late."""

    plan: str
    task: str
    new_due: date
    granted_on: date
    reason: str
    unit: str | None = None
    milestone: str | None = None
    document: str | None = None


@dataclass
class Progress:
    """Every record, indexed by (plan, task) for the status computation."""

    completions: list[Completion] = field(default_factory=list)
    updates: list[PeriodUpdate] = field(default_factory=list)
    triggers: list[Trigger] = field(default_factory=list)
    suspensions: list[Suspension] = field(default_factory=list)
    cancellations: list[Cancellation] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._index: dict[str, dict[tuple[str, str], list]] = {}
        for name in ("completions", "triggers", "suspensions", "cancellations", "extensions"):
            grouped: dict[tuple[str, str], list] = defaultdict(list)
            for record in getattr(self, name):
                grouped[(record.plan, record.task)].append(record)
            self._index[name] = dict(grouped)
        self._updates: dict[tuple[str, str, str], list[PeriodUpdate]] = defaultdict(list)
        for update in self.updates:
            self._updates[(update.plan, update.task, update.period)].append(update)

    def of(self, kind: str, plan: str, task: str) -> list:
        return self._index[kind].get((plan, task), [])

    def updates_for(self, plan: str, task: str, period: str) -> list[PeriodUpdate]:
        return self._updates.get((plan, task, period), [])

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.completions,
                self.updates,
                self.triggers,
                self.suspensions,
                self.cancellations,
                self.extensions,
            )
        )
