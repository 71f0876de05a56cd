"""The periodic class: one deliverable per month, quarter, half-year or year.

Months printed with a recurrence set the period's due rule exactly as printed. A half-year's or
a quarter's months must be its last months (one same day for all); any other month is refused,
never moved. A yearly duty may fall in any month (``RecurringTiming.month``); two dates of a
year that are not one same day of June and December are two yearly duties.
"""

from __future__ import annotations

import calendar as _calendar
from datetime import date
from typing import TYPE_CHECKING

from pydantic import ValidationError

from engine.timing.grammar import Captures
from engine.timing.models import CompositeTiming, RecurringTiming, TimingClass
from engine.timing.values import PhraseError, number, printed_year

if TYPE_CHECKING:
    from engine.timing.parse import PhrasePattern


def periodic(book, spec, captures, context, label):
    """One deliverable per period; a printed year ("2025 và các năm tiếp theo") starts it, on
    the first day of a printed starting quarter ("Quý IV năm 2025 và các năm tiếp theo").

    Months printed with a recurrence ("Tháng 6 và tháng 12 hằng năm", "Trước 15/12 hằng năm",
    "Quý IV hằng năm") set the period's due rule exactly as printed. For a half-year or a
    quarter they must be the last months of the periods and the days one same day; any other
    months are refused, never moved. A yearly duty may fall in any month ("trước ngày 30/11
    hằng năm": due the last working day before 30/11 each year; "Tháng 3 hằng năm", "Quý I
    hằng năm": due at that month's end; "Từ tháng 3 đến tháng 11 hằng năm": the year's work
    runs to November, due 30/11). Two dates of a year that are not one same day of the
    half-year ends ("trước ngày 01/6 và 15/11 hằng năm") are two yearly duties, a composite
    timing.
    """
    period = spec.period or "month"
    year = printed_year(captures)
    first_month = number(captures, "from_month") or 3 * (number(captures, "from_quarter") or 1) - 2
    start = date(year, first_month, 1) if year else None
    months = _printed_months(captures)
    days = {number(captures, "day"), number(captures, "day_end")}
    if period == "half_year" and len(months) == 2 and (len(days) == 2 or months != {6, 12}):
        parts = [(number(captures, "day"), number(captures, "month"))]
        parts.append((number(captures, "day_end"), number(captures, "month_end")))
        return CompositeTiming(
            timing_class=TimingClass.PERIODIC,
            parts=tuple(_yearly(spec, day, month, start) for day, month in parts),
        )
    day = _same(captures, "day")
    if period == "year":
        window = number(captures, "from_month") if year is None else None
        return _yearly(spec, day, max(months, default=None), start, window)
    _check_period_months(period, months)
    return RecurringTiming(
        timing_class=TimingClass.PERIODIC,
        period=period,
        before_day=day if spec.before else None,
        due_day=None if spec.before else day,
        start=start,
    )


def _yearly(
    spec: PhrasePattern,
    day: int | None,
    month: int | None,
    start: date | None,
    window: int | None = None,
) -> RecurringTiming:
    """A yearly duty due on ``day`` of ``month`` (before it for a "trước" pattern); a month
    without a day is due at its end, December (or no month) as every yearly period. ``window``
    is the month each year's work starts in ("Từ tháng 3 đến tháng 11 hằng năm"), never after
    the due month (a season across two years is refused)."""
    if window is not None and window > (month or 12):
        raise PhraseError(f"tháng bắt đầu ({window}) đứng sau tháng đến hạn ({month})")
    if month == 12 or month is None:
        month = None
    elif day is None:
        day = _calendar.monthrange(2000, month)[1]  # a leap year: 29/2, capped in common years
    try:
        return RecurringTiming(
            timing_class=TimingClass.PERIODIC,
            period="year",
            before_day=day if spec.before else None,
            due_day=None if spec.before else day,
            month=month,
            window_month=window,
            start=start,
        )
    except ValidationError:
        raise PhraseError(f"ngày {day}/{month} không tồn tại") from None


_PERIOD_LAST_MONTHS = {"year": {12}, "half_year": {6, 12}, "quarter": {3, 6, 9, 12}}


def _same(captures: Captures, name: str) -> int | None:
    """The value of ``name`` and ``name_end``, which must be equal when both are printed."""
    value, other = number(captures, name), number(captures, f"{name}_end")
    if other is not None and other != value:
        raise PhraseError(f"hai ngày khác nhau ({value} và {other}) trong cùng một kỳ hạn")
    return value


def _printed_months(captures: Captures) -> set[int]:
    """The months printed with a recurrence: ``month``, ``month_end``, a quarter's last month."""
    months = {number(captures, "month"), number(captures, "month_end")} - {None}
    quarter = number(captures, "quarter")
    if quarter is not None:
        months.add(3 * quarter)
    return months


def _check_period_months(period: str, months: set[int]) -> None:
    if not months or period not in _PERIOD_LAST_MONTHS:
        return
    expected = _PERIOD_LAST_MONTHS[period]
    if months != expected:
        shown = ", ".join(f"tháng {m}" for m in sorted(months))
        wanted = " và ".join(f"tháng {m}" for m in sorted(expected))
        raise PhraseError(
            f"hạn định kỳ vào {shown} chưa tính được (mỗi kỳ chỉ có thể hạn vào {wanted}); "
            f"hãy ghi rõ thời hạn của từng năm, ví dụ «Tháng {min(months)}/2025, "
            f"Tháng {min(months)}/2026»"
        )
