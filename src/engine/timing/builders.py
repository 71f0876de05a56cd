"""From a matched pattern to a typed timing: one builder per timing class.

Years left out ("Tháng 3", "Quý IV") are the context's year: the plan's year, or the year
printed later in the same cell (see :mod:`engine.timing.cells`). "Before" patterns ("trước
ngày 22", "trước tháng 6/2023", "trước quý II/2026") give the day before, rolled backward.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from engine.timing.grammar import Captures
from engine.timing.models import (
    DatedTiming,
    ExternalTiming,
    Milestone,
    RecurringTiming,
    Timing,
    TimingClass,
    TriggeredTiming,
    UnspecifiedTiming,
)
from engine.timing.periodic import periodic
from engine.timing.values import PhraseError, SigningDateNeeded, number

if TYPE_CHECKING:
    from engine.timing.parse import PhraseBook, PhrasePattern

#: Classes that give dated milestones (and so may take a year printed later in the cell).
DATED_CLASSES = frozenset(
    {TimingClass.FIXED_MONTH, TimingClass.QUARTER, TimingClass.YEAR, TimingClass.DATE}
)


@dataclass(frozen=True)
class ParseContext:
    """What a phrase needs from its plan: the year of "Tháng 3" and the plan's span."""

    plan_year: int
    plan_start: date | None = None
    plan_end: date | None = None


def build(
    book: PhraseBook,
    spec: PhrasePattern,
    captures: Captures,
    context: ParseContext,
    label: str | None,
) -> Timing:
    """The timing of one matched part; ``label`` keys a labelled milestone."""
    try:
        return _BUILDERS[spec.timing_class](book, spec, captures, context, label)
    except PhraseError as exc:
        raise type(exc)(f"cụm từ thời hạn «{captures.phrase}»: {exc}") from None


def _needed(spec: PhrasePattern, captures: Captures, name: str) -> int:
    """A placeholder the pattern's class cannot do without (an admin's pattern may lack it)."""
    value = number(captures, name)
    if value is None:
        raise PhraseError(
            f"mẫu «{spec.id}» thuộc lớp «{spec.timing_class}» nhưng không có chỗ trống {{{name}}}"
        )
    return value


def _year(captures: Captures, context: ParseContext) -> int:
    return number(captures, "year") or context.plan_year


def _month_end(year: int, month: int) -> date:
    return date(year, month, _calendar.monthrange(year, month)[1])


def _milestone(
    key: str, start: date, end: date, before: bool, label: str | None, window: bool = False
) -> Milestone:
    """A period's milestone: due at its end, or the day before its start for "trước ...".

    Only ranges (quarters, quarter ranges, year ranges) open a window (before it the
    milestone is "not started"); a month or a year is simply the deadline, the work may start
    at once.
    """
    if before:
        due = start - timedelta(days=1)
        return Milestone(key=label or key, label=label, nominal_due=due, roll="backward")
    return Milestone(
        key=label or key, label=label, window_start=start if window else None, nominal_due=end
    )


def _dated(cls: TimingClass, milestone: Milestone) -> DatedTiming:
    return DatedTiming(timing_class=cls, milestones=(milestone,))


def _fixed_month(book, spec, captures, context, label):
    """A month, or a range of months ("Tháng 3 - Tháng 6/2025", "Tháng 11/2025 - Tháng 2/2026").

    A range opens a window on the first month's first day and is due at the last month's end,
    like a quarter range; a year printed once at the end applies to both ends. A count printed
    with it ("08 tháng (từ tháng 3 đến tháng 10)") must be the range's length.
    """
    year, month = _year(captures, context), _needed(spec, captures, "month")
    last_year = number(captures, "year_end") or year
    last = number(captures, "month_end") or month
    if (last_year, last) < (year, month):
        raise PhraseError(f"tháng cuối ({last}/{last_year}) đứng trước tháng đầu ({month}/{year})")
    count = number(captures, "months")
    span = 12 * (last_year - year) + last - month + 1
    if count is not None and count != span:
        raise PhraseError(f"{count} tháng không khớp với khoảng {span} tháng ghi kèm")
    key = f"{year}-{month:02d}"
    if (last_year, last) != (year, month):
        key = f"{key}..{last_year}-{last:02d}"
    milestone = _milestone(
        key,
        date(year, month, 1),
        _month_end(last_year, last),
        spec.before,
        label,
        window=key != f"{year}-{month:02d}",
    )
    return _dated(TimingClass.FIXED_MONTH, milestone)


def _quarter(book, spec, captures, context, label):
    """A quarter, or a range of quarters ("Quý III-IV/2023", "Quý IV/2025 - Quý I/2026").

    Half a year ("6 tháng đầu năm 2025", "6 tháng cuối năm 2025") is the range of its two
    quarters.
    A range within one year keeps the key "2023-Q3-Q4"; a range across years is keyed
    "2025-Q4..2026-Q1".
    """
    year = _year(captures, context)
    half = captures.text("half")
    first = (1 if half == "đầu" else 3) if half else _needed(spec, captures, "quarter")
    last = number(captures, "quarter_end") or (first + 1 if half else first)
    last_year = number(captures, "year_end") or year
    if (last_year, last) < (year, first):
        raise PhraseError(f"quý cuối (Q{last}) đứng trước quý đầu (Q{first})")
    start = date(year, 3 * first - 2, 1)
    if last_year != year:
        key = f"{year}-Q{first}..{last_year}-Q{last}"
    else:
        key = f"{year}-Q{first}" if first == last else f"{year}-Q{first}-Q{last}"
    milestone = _milestone(
        key, start, _month_end(last_year, 3 * last), spec.before, label, window=True
    )
    return _dated(TimingClass.QUARTER, milestone)


def _year_class(book, spec, captures, context, label):
    """A year ("Năm 2025", "2025"), or a period of years ("2025-2026", "Giai đoạn 2026 - 2030").

    A period opens a window on 1 January of its first year and is due on 31 December of its
    last, like a quarter range.
    """
    year = _year(captures, context)
    last = number(captures, "year_end") or year
    if last < year:
        raise PhraseError(f"năm cuối ({last}) đứng trước năm đầu ({year})")
    key = str(year) if last == year else f"{year}-{last}"
    milestone = _milestone(
        key, date(year, 1, 1), date(last, 12, 31), spec.before, label, window=last > year
    )
    return _dated(TimingClass.YEAR, milestone)


def _date_class(book, spec, captures, context, label):
    """A day, a range of days ("Từ ngày 01/01/2026 đến ngày 31/3/2026": window from the
    first, due the last), or a count of days after the plan's signing ("chậm nhất 05 ngày làm
    việc kể từ ngày ban hành Quyết định": the 5th working day after it, on the book's working
    calendar; "03 ngày": the 3rd calendar day, rolled forward like any date)."""
    working, days = number(captures, "working_days"), number(captures, "days")
    if working is not None or days is not None:
        if context.plan_start is None:
            raise SigningDateNeeded("cần biết ngày ban hành của Kế hoạch để đếm ngày từ ngày đó")
        if working is not None:
            due = book.calendar.add_working_days(context.plan_start, working)
        else:
            due = context.plan_start + timedelta(days=days or 0)
        key = label or due.isoformat()
        return _dated(TimingClass.DATE, Milestone(key=key, label=label, nominal_due=due))
    day = _date_of(captures, context)
    if captures.text("day_end") is not None:
        end = _date_of(captures, context, "_end")
        if end < day:
            raise PhraseError(f"ngày cuối ({end:%d/%m/%Y}) đứng trước ngày đầu ({day:%d/%m/%Y})")
        return _dated(
            TimingClass.DATE,
            _milestone(f"{day}..{end}", day, end, spec.before, label, window=True),
        )
    key = day.isoformat()
    if spec.before:
        due = day - timedelta(days=1)
        return _dated(
            TimingClass.DATE,
            Milestone(key=label or key, label=label, nominal_due=due, roll="backward"),
        )
    return _dated(TimingClass.DATE, Milestone(key=label or key, label=label, nominal_due=day))


def _date_of(captures: Captures, context: ParseContext, suffix: str = "") -> date:
    """The date printed in the day, month and year placeholders (``suffix`` "_end": the
    range's last day; a year left out is the first day's, or the context's)."""
    year = number(captures, f"year{suffix}") or _year(captures, context)
    month, day = number(captures, f"month{suffix}"), number(captures, f"day{suffix}")
    if month is None:
        raise PhraseError("thiếu tháng")
    try:
        return date(year, month, day or 1)
    except ValueError as exc:
        raise PhraseError(f"ngày {day}/{month}/{year} không tồn tại") from exc


def _whole_year(book, spec, captures, context, label):
    year = _year(captures, context)
    start = date(year, 1, 1)
    if context.plan_start and context.plan_start.year == year:
        start = max(start, context.plan_start)
    final = Milestone(key=str(year), label="Kết quả cả năm", nominal_due=date(year, 12, 31))
    return RecurringTiming(
        timing_class=TimingClass.WHOLE_YEAR, start=start, end=date(year, 12, 31), final=final
    )


def _continuous(book, spec, captures, context, label):
    return RecurringTiming(timing_class=TimingClass.CONTINUOUS, period=spec.period or "month")


def _start_from(book, spec, captures, context, label):
    """Continuous from a date, a month's first day, or a year's first day ("Từ năm 2025"); an
    ``after`` pattern starts the day after that year ("sau năm 2028": from 1/1/2029)."""
    start = _date_of(captures, context) if captures.text("month") else None
    if spec.after:
        start = date(_year(captures, context) + 1, 1, 1)
    return RecurringTiming(
        timing_class=TimingClass.START_FROM,
        period=spec.period or "month",
        start=start or date(_year(captures, context), 1, 1),
    )


def _external(book, spec, captures, context, label):
    text = captures.text("reference") or ""
    return ExternalTiming(reference=book.resolve_reference(text), reference_text=text)


def _triggered(cls: TimingClass) -> Callable[..., Timing]:
    def build_triggered(book, spec, captures, context, label):
        earliest = _date_of(captures, context) if captures.text("month") else None
        return TriggeredTiming(
            timing_class=cls,
            trigger=captures.text("trigger") or "",
            earliest=earliest,
            repeats=spec.repeats,
        )

    return build_triggered


def _unspecified(book, spec, captures, context, label):
    return UnspecifiedTiming()


_BUILDERS: dict[TimingClass, Callable[..., Timing]] = {
    TimingClass.FIXED_MONTH: _fixed_month,
    TimingClass.QUARTER: _quarter,
    TimingClass.YEAR: _year_class,
    TimingClass.DATE: _date_class,
    TimingClass.WHOLE_YEAR: _whole_year,
    TimingClass.CONTINUOUS: _continuous,
    TimingClass.PERIODIC: periodic,
    TimingClass.START_FROM: _start_from,
    TimingClass.EXTERNAL: _external,
    TimingClass.EVENT: _triggered(TimingClass.EVENT),
    TimingClass.ON_REQUEST: _triggered(TimingClass.ON_REQUEST),
    TimingClass.UNSPECIFIED: _unspecified,
}
