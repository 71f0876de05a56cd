"""Months and quarters of recurring obligations: their keys and nominal due dates."""

from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Iterator
from datetime import date, timedelta

_ONE_DAY = timedelta(days=1)
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def month_end(year: int, month: int) -> date:
    return date(year, month, _calendar.monthrange(year, month)[1])


#: Months per period, by period name.
STEP = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}


def periods(
    period: str, start: date, until: date, due_month: int | None = None
) -> Iterator[tuple[date, date, str]]:
    """(first day, last day, key) of every period from ``start``'s to ``until``'s.

    Periods are aligned on the calendar year: months (key ``YYYY-MM``), quarters (``YYYY-Qn``),
    half-years (``YYYY-H1``, ``YYYY-H2``) and years (``YYYY``). A yearly duty due in another
    month than December (``due_month``, "trước ngày 30/11 hằng năm") is keyed by the month it
    falls in (``YYYY-MM``), so two such duties of one cell keep distinct keys.
    """
    step = STEP[period]
    month = 1 + step * ((start.month - 1) // step)
    year = start.year
    while date(year, month, 1) <= until:
        key = _key(year, month, step)
        if step == 12 and due_month is not None:
            key = f"{year}-{due_month:02d}"
        yield date(year, month, 1), month_end(year, month + step - 1), key
        month += step
        if month > 12:
            month -= 12
            year += 1


def _key(year: int, month: int, step: int) -> str:
    if step == 1:
        return f"{year}-{month:02d}"
    if step == 3:
        return f"{year}-Q{(month + 2) // 3}"
    if step == 6:
        return f"{year}-H{(month + 5) // 6}"
    return str(year)


def period_due(
    first: date,
    last: date,
    before_day: int | None,
    due_day: int | None,
    due_month: int | None = None,
) -> date:
    """A period's nominal due date: the day before ``before_day`` of its due month, else
    ``due_day`` of its due month (capped at the month's end), else its last day.

    The due month is the period's last month, or ``due_month`` of the period's year for a
    yearly duty due earlier in the year ("trước ngày 15/11 hằng năm": 14/11)."""
    due_in = month_end(last.year, due_month) if due_month is not None else last
    if before_day is not None:
        return date(due_in.year, due_in.month, min(before_day, due_in.day)) - _ONE_DAY
    if due_day is not None:
        return date(due_in.year, due_in.month, min(due_day, due_in.day))
    return last


def period_label(milestone: str) -> str | None:
    """A milestone key as people say it: "tháng 6/2023", "quý II/2023", "quý III-IV/2023",
    "6 tháng đầu năm 2023", "năm 2025"; None for other keys."""
    if found := re.fullmatch(r"(\d{4})-(\d{2})", milestone):
        return f"tháng {int(found[2])}/{found[1]}"
    if found := re.fullmatch(r"(\d{4})-Q(\d)(?:-Q(\d))?", milestone):
        last = f"-{_ROMAN[int(found[3])]}" if found[3] else ""
        return f"quý {_ROMAN[int(found[2])]}{last}/{found[1]}"
    if found := re.fullmatch(r"(\d{4})-H([12])", milestone):
        return f"6 tháng {'đầu' if found[2] == '1' else 'cuối'} năm {found[1]}"
    if re.fullmatch(r"\d{4}", milestone):
        return f"năm {milestone}"
    return None


def vn_date(day: date | None) -> str:
    """dd/mm/yyyy, the short form used in Vietnamese tables ("—" for no date)."""
    return day.strftime("%d/%m/%Y") if day else "—"


def milestone_text(milestone: str, label: str | None = None) -> str:
    """What a "Mốc / kỳ" cell shows: the period as people say it ("tháng 6/2023"), else the
    milestone's own label ("Hộ tịch"), else its key."""
    return period_label(milestone) or label or milestone
