"""What the engine makes of a timing, as plain data (used by ``engine parse`` and the web)."""

from __future__ import annotations

from typing import Any

from engine.catalog.model import Catalog
from engine.timing.models import DatedTiming, RecurringTiming, Timing, TimingClass


def explain(timing: Timing, catalog: Catalog) -> dict[str, Any]:
    """Class, milestones with their due dates after the working-day roll, period rule, etc."""
    calendar = catalog.calendar
    data = timing.model_dump(mode="json")
    data["class"] = str(timing.timing_class)
    if isinstance(timing, DatedTiming):
        data["due"] = [
            (calendar.roll_forward if m.roll == "forward" else calendar.roll_backward)(
                m.nominal_due
            ).isoformat()
            for m in timing.milestones
        ]
    if isinstance(timing, RecurringTiming):
        if timing.before_day:
            rule = f"trước ngày {timing.before_day}"
        elif timing.due_day:
            rule = f"ngày {timing.due_day}"
        elif timing.timing_class == TimingClass.PERIODIC:
            rule = "cuối kỳ"
        else:
            rule = f"ngày {catalog.policy.update_cutoff_day} (hạn cập nhật)"
        data["period_rule"] = rule
    return data
