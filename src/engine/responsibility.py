"""Who owes an obligation, and who answers for it today: pure functions of the registry.

Rules (``docs/timing.md``, "Responsibility"):

* **An obligation belongs to the unit responsible on its due date.** A printed lead unit keeps
  every obligation that fell due while it existed, for ever: a reorganisation never merges
  history. An obligation that falls due after the printed unit ceased belongs to its successor.
  The due date is capped at the as-of day ("responsible on the due date, as known that day"),
  so statuses as of D never depend on registry changes effective after D.
* **Groups** ("Các đơn vị thuộc Bộ") stand for their members that exist on that day, minus the
  units the same task names as cooperating: a unit asked to cooperate on a row does not lead it.
* **The holder** of an open obligation on the as-of day is the owner, or its successor once the
  owner has ceased: reminders go to the holder, reports still show the owner.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, timedelta

from engine.catalog.model import Catalog, Task

Owners = tuple[tuple[str, str | None], ...]


class Responsibility:
    """The registry's answers about responsibility, memoised per (lead row, day)."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        # Answers change only on the days a unit starts or stops existing: days between two
        # such boundaries share one "epoch", and the memo is keyed by it, not by the day.
        self.boundaries = sorted(
            {u.valid_from for u in catalog.units.values() if u.valid_from}
            | {u.valid_to + timedelta(days=1) for u in catalog.units.values() if u.valid_to}
        )
        self._owners: dict[tuple[tuple[str, ...], tuple[str, ...], int], Owners] = {}
        self._holders: dict[int, dict[str, str]] = {}

    def epoch(self, day: date) -> int:
        """The registry epoch ``day`` falls in: days of one epoch get the same answers."""
        return bisect_right(self.boundaries, day)

    def owners(self, task: Task, day: date) -> Owners:
        """(owner unit, printed unit when different) of ``task``'s obligations due on ``day``."""
        key = (task.lead, task.cooperating, bisect_right(self.boundaries, day))
        found = self._owners.get(key)
        if found is not None:
            return found
        catalog = self.catalog
        cooperating = set(task.cooperating)
        out: dict[str, str | None] = {}
        for printed in task.lead:
            members = catalog.members(printed)
            is_group = members != (printed,)
            for member in members:
                if is_group and (member in cooperating or not catalog.units[member].exists_on(day)):
                    continue
                owner = catalog.current_unit(member, day)
                if is_group and owner in cooperating:
                    continue
                out.setdefault(owner, printed if owner != printed else None)
        found = self._owners[key] = tuple(out.items())
        return found

    def owners_each(self, task: Task, days: Iterable[date]) -> tuple[Owners, ...]:
        """:meth:`owners` of ``task`` on each of ``days``. Days of one epoch get one answer,
        so it is looked up once per epoch among them (a recurring task's periods fall in a
        few epochs: the lookup's key hashes the task's units)."""
        by_epoch: dict[int, Owners] = {}
        out = []
        for day in days:
            epoch = bisect_right(self.boundaries, day)
            found = by_epoch.get(epoch)
            if found is None:
                found = by_epoch[epoch] = self.owners(task, day)
            out.append(found)
        return tuple(out)

    def holders(self, day: date) -> dict[str, str]:
        """Who answers on ``day`` for an open obligation of each unit: it, or its successor."""
        epoch = bisect_right(self.boundaries, day)
        found = self._holders.get(epoch)
        if found is None:
            current = self.catalog.current_unit
            found = self._holders[epoch] = {unit: current(unit, day) for unit in self.catalog.units}
        return found
