"""Working days in Vietnam.

A day is a working day when it is Monday–Friday, not a public holiday of the ``holidays``
package's Vietnam calendar (Tết, Giỗ Tổ Hùng Vương, 30/4, 1/5, 2/9, their observed days and
the swaps the package knows), and not an announced day off; an announced make-up working day
(a Saturday worked in exchange for a bridge day) is a working day whatever the weekday.
Announced days are kept as data in ``schedules/calendar.yaml`` with their source document,
because the government publishes them each year and the package lags behind.

Rolls:

* ``roll_forward(d)``: a deadline written as a period end or a date that falls on a
  non-working day moves to the next working day (Bộ luật Dân sự 2015, Điều 148).
* ``roll_backward(d)``: a deadline written as "before day X" is due on the last working day
  strictly before X; callers pass X - 1 day, which stays if it is a working day.

Counting is O(1): the calendar keeps, for a span of years around the dates it is asked
about, the number of working days up to each day, and widens the span on demand.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import holidays

_ONE_DAY = timedelta(days=1)
_FIRST_YEAR = 2015
_LAST_YEAR = 2040


@dataclass(frozen=True)
class CalendarOverride:
    """One announced change to the ordinary calendar, with its legal source."""

    day: date
    working: bool
    name: str
    source: str


class WorkingCalendar:
    """Vietnam's working-day calendar plus announced overrides."""

    def __init__(self, overrides: Iterable[CalendarOverride] = ()) -> None:
        self.overrides: tuple[CalendarOverride, ...] = tuple(overrides)
        self._off = {o.day: o.name for o in self.overrides if not o.working}
        self._on = frozenset(o.day for o in self.overrides if o.working)
        self._build(_FIRST_YEAR, _LAST_YEAR)

    def _build(self, first_year: int, last_year: int) -> None:
        self._first = date(first_year, 1, 1).toordinal()
        last = date(last_year, 12, 31).toordinal()
        flags: list[bool] = []
        cumulative: list[int] = []
        workdays: list[int] = []
        count = 0
        for ordinal in range(self._first, last + 1):
            working = self._compute(date.fromordinal(ordinal))
            flags.append(working)
            if working:
                count += 1
                workdays.append(ordinal)
            cumulative.append(count)
        self._flags = flags
        self._cumulative = cumulative
        self._workdays = workdays
        self._last = last

    def _ensure(self, ordinal: int) -> None:
        if self._first <= ordinal <= self._last:
            return
        year = date.fromordinal(ordinal).year
        first_year = min(year - 1, date.fromordinal(self._first).year)
        last_year = max(year + 1, date.fromordinal(self._last).year)
        self._build(first_year, last_year)

    def _compute(self, day: date) -> bool:
        if day in self._on:
            return True
        if day in self._off:
            return False
        return day in _ordinary_working_days(day.year)

    def holiday_name(self, day: date) -> str | None:
        """Name of the public holiday or announced day off on ``day``, if any."""
        return self._off.get(day) or _vn_holidays(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        """True when public servants work on ``day``."""
        ordinal = day.toordinal()
        self._ensure(ordinal)
        return self._flags[ordinal - self._first]

    def roll_forward(self, day: date) -> date:
        """``day`` if it is a working day, else the next working day."""
        ordinal = day.toordinal()
        self._ensure(ordinal)
        self._ensure(ordinal + 30)
        return date.fromordinal(self._workdays[bisect_left(self._workdays, ordinal)])

    def roll_backward(self, day: date) -> date:
        """``day`` if it is a working day, else the previous working day."""
        ordinal = day.toordinal()
        self._ensure(ordinal)
        self._ensure(ordinal - 30)
        return date.fromordinal(self._workdays[bisect_right(self._workdays, ordinal) - 1])

    def add_working_days(self, day: date, count: int) -> date:
        """The working day ``count`` working days after (``count`` < 0: before) ``day``.

        ``day`` itself need not be a working day; ``count == 0`` returns ``day`` unchanged.
        """
        if count == 0:
            return day
        ordinal = day.toordinal()
        self._ensure(ordinal)
        self._ensure(ordinal + 2 * count)
        if count > 0:
            index = bisect_right(self._workdays, ordinal) + count - 1
        else:
            index = bisect_left(self._workdays, ordinal) + count
        return date.fromordinal(self._workdays[index])

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end] when end > start; minus those in (end, start] otherwise.

        So ``working_days_between(due, as_of)`` is how many working days an occurrence is
        overdue, and ``working_days_between(as_of, due)`` how many remain.
        """
        a, b = start.toordinal(), end.toordinal()
        self._ensure(a)
        self._ensure(b)
        return self._cumulative[b - self._first] - self._cumulative[a - self._first]

    def working_days(self, start: date, end: date) -> Iterable[date]:
        """Every working day from ``start`` to ``end`` inclusive."""
        day = start
        while day <= end:
            if self.is_working_day(day):
                yield day
            day += _ONE_DAY


@lru_cache(maxsize=128)
def _ordinary_working_days(year: int) -> frozenset[date]:
    """The year's working days by the package alone (no announced overrides), asked once per
    year and process: every catalogue built in a process (a reload, a test) shares them."""
    calendar = _vn_holidays(year)
    first = date(year, 1, 1)
    days = (first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days))
    return frozenset(day for day in days if calendar.is_working_day(day))


@lru_cache(maxsize=128)
def _vn_holidays(year: int) -> holidays.HolidayBase:
    import holidays  # imported on first use: a cached catalogue's calendar rarely needs it

    return holidays.country_holidays("VN", years=year)
