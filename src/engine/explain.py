"""What the engine makes of a timing, as plain data (used by ``engine parse`` and the web)."""

from __future__ import annotations

import calendar as _calendar
from typing import TYPE_CHECKING, Any

from engine.periods import vn_date
from engine.timing.models import (
    CompositeTiming,
    DatedTiming,
    ExternalTiming,
    Milestone,
    RecurringTiming,
    Timing,
    TimingClass,
    TriggeredTiming,
)
from engine.timing.reading import PartReading

if TYPE_CHECKING:
    from engine.catalog.model import Catalog


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
        if timing.month:
            rule = _yearly_rule(timing.month, timing.before_day, timing.due_day)
        elif timing.before_day:
            rule = f"trước ngày {timing.before_day}"
        elif timing.due_day:
            rule = f"ngày {timing.due_day}"
        elif timing.timing_class == TimingClass.PERIODIC:
            rule = "cuối kỳ"
        else:
            rule = f"ngày {catalog.policy.update_cutoff_day} (hạn cập nhật)"
        data["period_rule"] = rule
    return data


def _yearly_rule(month: int, before_day: int | None, due_day: int | None) -> str:
    """The due rule of a yearly duty with its own month: "trước ngày 30/11", "ngày 15/02",
    "ngày cuối tháng 3" (a month printed without a day)."""
    if before_day:
        return f"trước ngày {before_day:02d}/{month:02d}"
    if due_day == _calendar.monthrange(2000, month)[1]:
        return f"ngày cuối tháng {month}"
    return f"ngày {due_day:02d}/{month:02d}"


def explain_reading(parts: tuple[PartReading, ...]) -> list[dict[str, Any]]:
    """How each part of a phrase was read: the words used, the words ignored, the pattern."""
    return [
        {
            "part": p.text,
            "pattern": p.pattern,
            "read": p.read,
            "values": dict(p.values),
            "ignored": list(p.ignored),
            "borrowed": p.borrowed,
            "year_from": p.year_from,
            "action_from": p.action_from,
            "set_aside": list(p.set_aside),
        }
        for p in parts
    ]


_VALUE_NAMES = {
    "day": "ngày",
    "day_end": "ngày (mốc sau)",
    "month": "tháng",
    "month_end": "tháng cuối",
    "quarter": "quý",
    "quarter_end": "quý cuối",
    "half": "nửa năm",
    "year": "năm",
    "year_end": "năm cuối",
    "reference": "văn bản",
    "trigger": "sự kiện",
    "label": "nhãn",
    "days": "số ngày",
    "working_days": "số ngày làm việc",
    "from_quarter": "từ quý",
    "from_month": "từ tháng",
    "until": "đến khi",
}


def describe_reading(part: PartReading) -> str:
    """One line in Vietnamese: which words of a part which pattern read, what was set aside."""
    line = f"«{part.text}»: mẫu «{part.pattern}» đọc «{part.read}»"
    if part.values:
        shown = (
            f"{_VALUE_NAMES.get(k, k)} = {v.upper() if 'quarter' in k else v}"
            for k, v in part.values
        )
        line += " (" + ", ".join(shown) + ")"
    if part.ignored:
        line += "; bỏ qua " + ", ".join(f"«{words}»" for words in part.ignored) + " (nhãn)"
    if part.borrowed:
        line += f"; mượn chữ «{part.borrowed}» của phần đầu"
    if part.year_from:
        line += f"; lấy năm của «{part.year_from}»"
    if part.action_from:
        line += f"; lấy nhãn của «{part.action_from}»"
    if part.set_aside:
        line += "; bỏ qua " + ", ".join(f"«{words}»" for words in part.set_aside)
        line += " (không có thời hạn)"
    return line


CLASS_LABELS: dict[TimingClass, str] = {
    TimingClass.FIXED_MONTH: "tháng",
    TimingClass.SEVERAL_MONTHS: "nhiều mốc",
    TimingClass.LABELLED_MILESTONES: "các mốc có nhãn",
    TimingClass.QUARTER: "quý",
    TimingClass.YEAR: "năm",
    TimingClass.DATE: "ngày",
    TimingClass.WHOLE_YEAR: "cả năm",
    TimingClass.CONTINUOUS: "thường xuyên",
    TimingClass.PERIODIC: "định kỳ",
    TimingClass.START_FROM: "thường xuyên từ một ngày",
    TimingClass.EXTERNAL: "theo văn bản khác",
    TimingClass.EVENT: "sau một sự kiện",
    TimingClass.ON_REQUEST: "theo yêu cầu",
    TimingClass.UNSPECIFIED: "không ghi thời hạn",
}
_PERIODS = {
    "month": "hằng tháng",
    "quarter": "hằng quý",
    "half_year": "6 tháng",
    "year": "hằng năm",
}


def describe_timing(timing: Timing, catalog: Catalog) -> list[str]:
    """What is due when and what recurs, in Vietnamese, a line per milestone or part."""
    if isinstance(timing, CompositeTiming):
        return [
            f"Phần {index}: {line}"
            for index, part in enumerate(timing.parts, 1)
            for line in describe_timing(part, catalog)
        ]
    head = f"{CLASS_LABELS[timing.timing_class]} («{timing.timing_class}»)"
    if isinstance(timing, DatedTiming):
        return [f"{head}: {_describe_milestone(m, catalog)}" for m in timing.milestones]
    if isinstance(timing, RecurringTiming):
        rule = explain(timing, catalog)["period_rule"]
        if timing.period != "month" and not timing.month and (timing.before_day or timing.due_day):
            rule += " của tháng cuối kỳ"
        line = f"{head}: lặp lại {_PERIODS[timing.period]}, hạn mỗi kỳ {rule}"
        if timing.window_month:
            line += f", bắt đầu mỗi năm từ tháng {timing.window_month}"
        if timing.start:
            line += f", từ {vn_date(timing.start)}"
        if timing.end:
            line += f" đến {vn_date(timing.end)}"
        if timing.final:
            line += f"; thêm {_describe_milestone(timing.final, catalog)}"
        return [line]
    if isinstance(timing, ExternalTiming):
        known = (
            f"tệp tham chiếu «{timing.reference}»" if timing.reference else "chưa có tệp tham chiếu"
        )
        return [f"{head}: theo «{timing.reference_text}» ({known})"]
    if isinstance(timing, TriggeredTiming):
        line = f"{head}: khi «{timing.trigger}»" if timing.trigger else f"{head}: khi phát sinh"
        if timing.earliest:
            line += f", sớm nhất {vn_date(timing.earliest)}"
        return [line + ("; mỗi lần phát sinh" if timing.repeats else "")]
    return [head]


def _describe_milestone(milestone: Milestone, catalog: Catalog) -> str:
    calendar = catalog.calendar
    roll = calendar.roll_forward if milestone.roll == "forward" else calendar.roll_backward
    due = roll(milestone.nominal_due)
    text = f"hạn {vn_date(due)}"
    if due != milestone.nominal_due:
        text += f" (ghi {vn_date(milestone.nominal_due)}, dời về ngày làm việc)"
    if milestone.window_start:
        text += f", bắt đầu từ {vn_date(milestone.window_start)}"
    return f"«{milestone.label}» {text}" if milestone.label else text
