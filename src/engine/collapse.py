"""Old missing period updates, folded into one line per task and unit for people to read.

The rule (``docs/timing.md``, "Old periods collapse"): among a unit's period updates of one
task, the most recent period listed stays a row of its own; the missing updates before it
become one line, "chưa cập nhật 10 kỳ, từ tháng 4/2023". Emails, the unit page and the unit's
link page show that line; the status JSON keeps one row per period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.codes import Status
from engine.occurrence import UPDATE, Occurrence
from engine.periods import period_label


@dataclass(frozen=True, slots=True)
class MissedPeriods:
    """Missing updates of one task and unit before its most recent period."""

    plan: str
    task: str
    unit: str
    holder: str
    periods: tuple[str, ...]

    @property
    def label(self) -> str:
        """``chưa cập nhật 10 kỳ, từ tháng 4/2023`` (one period: ``chưa cập nhật tháng 4/2023``)."""
        first = period_label(self.periods[0]) or self.periods[0]
        if len(self.periods) == 1:
            return f"chưa cập nhật {first}"
        return f"chưa cập nhật {len(self.periods)} kỳ, từ {first}"


def collapse(occurrences: Iterable[Occurrence]) -> tuple[list[Occurrence], list[MissedPeriods]]:
    """The occurrences to show one by one, and the folded lines of older missing updates.

    Order is kept: a folded line takes the place of the task's first folded row.
    """
    rows = list(occurrences)
    latest: dict[tuple[str, str, str], str] = {}
    for occ in rows:
        if occ.kind == UPDATE:
            group = (occ.plan, occ.task, occ.unit)
            latest[group] = max(latest.get(group, occ.milestone), occ.milestone)
    kept: list[Occurrence] = []
    folded: dict[tuple[str, str, str], list[Occurrence]] = {}
    for occ in rows:
        group = (occ.plan, occ.task, occ.unit)
        if (
            occ.kind == UPDATE
            and occ.status == Status.REPORT_MISSING
            and occ.milestone < latest[group]
        ):
            folded.setdefault(group, []).append(occ)
        else:
            kept.append(occ)
    lines = [
        MissedPeriods(
            plan, task, unit, occs[0].answerable, tuple(sorted(o.milestone for o in occs))
        )
        for (plan, task, unit), occs in folded.items()
    ]
    return kept, lines
