"""What the recorded progress says about one obligation as of a day.

Rules (``docs/timing.md``): a record dated after the as-of day does not count yet. A
completion names a milestone (or none: for a dated obligation, every milestone), a unit (or
none: every unit), and closes the obligations of the task it names or, on a parent, of all its
sub-tasks; the earliest counts. The latest extension granted counts. An admin's cancellation or
suspension (of the task or its parent) applies to the unit it names, to that unit's holder, or
to every unit when it names none.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from engine.catalog.model import Plan, Task
from engine.codes import Status
from engine.progress import Completion, Extension, Progress

#: The records that can change a dated or recurring obligation of a task (triggers only create
#: obligations; period updates are looked up separately).
_TASK_KINDS = ("completions", "cancellations", "suspensions", "extensions")
_PARENT_KINDS = ("completions", "cancellations", "suspensions")
#: An admin's records: they stop an obligation (see ``Recorded.administrative``).
_ADMIN_KINDS = ("cancellations", "suspensions")


class Recorded:
    """Lookups in ``progress`` as of ``as_of``; ``holder`` names who answers for a unit."""

    def __init__(self, progress: Progress, as_of: date, holder: Callable[[str], str]):
        self.progress, self.as_of, self.holder = progress, as_of, holder
        self.empty = progress.empty
        # the (plan, task) pairs that records of each group of kinds name
        self._updated = _named(progress, ("updates",))
        self._named = _named(progress, _TASK_KINDS)
        self._named_parents = _named(progress, _PARENT_KINDS)
        self._administered = _named(progress, _ADMIN_KINDS)

    def quiet(self, plan: Plan, task: Task) -> bool:
        """Whether no record at all concerns ``task``'s dated or recurring obligations, so
        that every owing unit's obligation depends on its dates alone."""
        if task.fulfilled_by_signing:
            return False
        key = (plan.id, task.id)
        if key in self._named or key in self._updated:
            return False
        return not task.parent or (plan.id, task.parent) not in self._named_parents

    def administrative(self, plan: Plan, task: Task, unit: str) -> Status | None:
        """Cancelled or suspended on the as-of day, by an admin's record (the task's or its
        parent's) naming the unit, its holder, or no unit."""
        administered = self._administered
        if (plan.id, task.id) not in administered and (
            not task.parent or (plan.id, task.parent) not in administered
        ):
            return None
        as_of = self.as_of
        holder = self.holder(unit)
        for task_id in (task.id, task.parent) if task.parent else (task.id,):
            for record in self.progress.of("cancellations", plan.id, task_id):
                if record.effective <= as_of and record.unit in (None, unit, holder):
                    return Status.CANCELLED
            for record in self.progress.of("suspensions", plan.id, task_id):
                if (
                    record.start <= as_of
                    and (record.end is None or as_of <= record.end)
                    and record.unit in (None, unit, holder)
                ):
                    return Status.SUSPENDED
        return None

    def completion(
        self, plan: Plan, task: Task, unit: str, key: str, *, dated: bool
    ) -> date | None:
        """The earliest recorded completion of this obligation: one naming its milestone (or,
        for a dated one, no milestone), its unit or no unit, on the task or on its parent.
        A task fulfilled by the plan's signing is done on the signing date."""
        if task.fulfilled_by_signing and plan.signed <= self.as_of:
            return plan.signed
        if self.empty:
            return None
        best: date | None = None
        for task_id, whole in ((task.id, False), (task.parent, True)):
            if task_id is None:
                continue
            records: list[Completion] = self.progress.of("completions", plan.id, task_id)
            for record in records:
                if record.done_on > self.as_of or record.unit not in (None, unit):
                    continue
                if (
                    (whole and record.milestone is None)
                    or record.milestone == key
                    or (record.milestone is None and dated)
                ):
                    best = record.done_on if best is None else min(best, record.done_on)
        return best

    def extension(self, plan: Plan, task: Task, unit: str, key: str) -> date | None:
        """The new due date of the latest extension granted for this obligation, if any."""
        if self.empty:
            return None
        latest: Extension | None = None
        for record in self.progress.of("extensions", plan.id, task.id):
            if record.granted_on > self.as_of or record.unit not in (None, unit):
                continue
            if record.milestone in (None, key) and (
                latest is None or record.granted_on >= latest.granted_on
            ):
                latest = record
        return latest.new_due if latest else None

    def reported(self, plan: Plan, task: Task, unit: str, period: str) -> bool:
        """Whether ``unit`` recorded its update for ``period`` on or before the as-of day."""
        return (plan.id, task.id) in self._updated and any(
            u.reported_on <= self.as_of and u.unit == unit
            for u in self.progress.updates_for(plan.id, task.id, period)
        )


def _named(progress: Progress, kinds: tuple[str, ...]) -> set[tuple[str, str]]:
    """The (plan, task) pairs that records of ``kinds`` name."""
    return {(r.plan, r.task) for kind in kinds for r in getattr(progress, kind)}
