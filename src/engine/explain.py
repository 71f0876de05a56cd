"""What the engine makes of a timing, as plain data (used by ``engine parse`` and the web)."""

from __future__ import annotations

from typing import Any

from engine.catalog.model import Catalog
from engine.timing.cells import PartReading
from engine.timing.models import (
    CompositeTiming,
    DatedTiming,
    RecurringTiming,
    Timing,
    TimingClass,
)


def explain(timing: Timing, catalog: Catalog) -> dict[str, Any]:
    """Class, milestones with their due dates after the working-day roll, period rule, etc.

    A composite timing explains each of its parts the same way, under ``parts``.
    """
    calendar = catalog.calendar
    data = timing.model_dump(mode="json")
    data["class"] = str(timing.timing_class)
    if isinstance(timing, CompositeTiming):
        data["parts"] = [explain(part, catalog) for part in timing.parts]
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


def explain_reading(parts: tuple[PartReading, ...]) -> list[dict[str, Any]]:
    """How each part of a phrase was read: the words used, the words ignored, the pattern."""
    return [
        {
            "part": p.text,
            "pattern": p.pattern,
            "read": p.read,
            "ignored": list(p.ignored),
            "borrowed": p.borrowed,
            "year_from": p.year_from,
        }
        for p in parts
    ]


def describe_reading(part: PartReading) -> str:
    """One line in Vietnamese: which words of a part which pattern read, what was set aside."""
    line = f"«{part.text}»: mẫu «{part.pattern}» đọc «{part.read}»"
    if part.ignored:
        line += "; bỏ qua " + ", ".join(f"«{words}»" for words in part.ignored) + " (nhãn)"
    if part.borrowed:
        line += f"; mượn chữ «{part.borrowed}» của phần đầu"
    if part.year_from:
        line += f"; lấy năm của «{part.year_from}»"
    return line
