"""What evaluations of one catalog on successive days share.

A simulation (or a catch-up run over missed days) evaluates the same catalog on many days.
Most of the work does not depend on the day: who owes each task in each registry epoch and who
holds a ceased unit's obligations (:mod:`engine.responsibility`), every rolled due date and
"due soon" start (:mod:`engine.verdict`), every recurring task's periods and their owners
while the day stays in the same period and registry epoch (:mod:`engine.schedule`), every
dated task's milestones and their owners while it stays in the same epoch
(:mod:`engine.shared`), the links between plans (:mod:`engine.links`). A :class:`Timeline`
keeps those answers across days, so each day only computes what depends on it: the verdicts
and the occurrences.
"""

from __future__ import annotations

from datetime import date

from engine.catalog.model import Catalog
from engine.links import Link, links
from engine.responsibility import Responsibility
from engine.schedule import ScheduleMemo
from engine.shared import Milestones


class Timeline:
    """Day-independent memos of one catalog (see the module)."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.responsibility = Responsibility(catalog)
        self.rolled: dict[tuple[date, str], date] = {}
        self.soon: dict[date, date] = {}
        self.schedules: ScheduleMemo = {}
        self.links: tuple[Link, ...] = links(catalog)
        self.milestones: dict[tuple[str, str, int], Milestones | None] = {}
