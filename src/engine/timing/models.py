"""Typed timings: what a deadline phrase means, before any calendar or progress is applied.

A timing is one of five shapes, told apart by ``kind``:

* ``dated``: one or more milestones with a nominal due date each (fixed month, several months,
  labelled milestones, quarter or quarter range, year, date). Due dates are *nominal*: the
  working-day roll is applied when statuses are computed, so a timing stays calendar-free
  (but for "N ngày làm việc kể từ ngày ban hành", counted on the catalog's calendar when read).
* ``recurring``: an obligation repeated every period (month, quarter, half-year or year) from
  ``start`` to ``end`` (``None``: the plan's horizon). Continuous tasks owe a progress update per period;
  periodic tasks owe a deliverable per period; "Cả năm" adds a year-end result (``final``).
* ``external``: the dates live in a reference document (``reference`` id in ``rules/references``).
* ``triggered``: due a set number of working days after a recorded event, or on a recorded
  request's own date; ``earliest`` is the first day the obligation can exist.
* ``unspecified``: no deadline printed.
* ``composite``: a cell holding parts of different shapes ("Theo Kế hoạch ... và yêu cầu của
  các cơ quan có liên quan" is external *and* on request); every part owes its own obligations.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class TimingClass(StrEnum):
    """The timing classes of the domain spec (``docs/domain.md``)."""

    FIXED_MONTH = "fixed_month"
    SEVERAL_MONTHS = "several_months"
    LABELLED_MILESTONES = "labelled_milestones"
    QUARTER = "quarter"
    YEAR = "year"
    DATE = "date"
    WHOLE_YEAR = "whole_year"
    CONTINUOUS = "continuous"
    PERIODIC = "periodic"
    START_FROM = "start_from"
    EXTERNAL = "external"
    EVENT = "event"
    ON_REQUEST = "on_request"
    UNSPECIFIED = "unspecified"


Roll = Literal["forward", "backward"]
_LONGEST = {m: 29 if m == 2 else 30 if m in (4, 6, 9, 11) else 31 for m in range(1, 13)}
"""The most days each month can have (February: 29, capped to 28 in common years)."""
Period = Literal["month", "quarter", "half_year", "year"]
"""A recurrence period: "Hằng tháng", "Hằng quý", "6 tháng một lần", "Hằng năm"."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Milestone(_Frozen):
    """One dated obligation.

    ``nominal_due`` is the last day as written ("Tháng 4/2023" → 30/4/2023); ``roll`` says
    how a non-working day moves it: ``forward`` for period ends and dates, ``backward`` for
    "before day X" (then ``nominal_due`` is X - 1). ``window_start`` opens the window of a
    quarter range or a start-from task; before it the milestone is "not started".
    """

    key: str
    label: str | None = None
    window_start: date | None = None
    nominal_due: date
    roll: Roll = "forward"


class DatedTiming(_Frozen):
    kind: Literal["dated"] = "dated"
    timing_class: TimingClass
    milestones: tuple[Milestone, ...]


class RecurringTiming(_Frozen):
    """A repeated obligation.

    The due date of a period is, in order of precedence: ``before_day`` (the last working day
    before that day of the period's due month), ``due_day`` (that day of the period's due
    month, rolled forward), else the period end rolled forward. The due month is the period's
    last month, or ``month`` for a yearly duty due in another month than December ("trước
    ngày 30/11 hằng năm", "Tháng 3 hằng năm"); such a duty always has its day (the month's
    last day when none is printed). Continuous tasks leave both days unset and take the update
    cut-off of ``schedules/reporting.yaml``; a task tag may name a reporting cycle there that
    sets them (and then the period ends are the due months). ``window_month`` is the first
    month of each year's work ("Từ tháng 3 đến tháng 11 hằng năm"): before its first day the
    year's duty is not started.
    """

    kind: Literal["recurring"] = "recurring"
    timing_class: TimingClass
    period: Period = "month"
    before_day: int | None = Field(default=None, ge=1, le=31)
    due_day: int | None = Field(default=None, ge=1, le=31)
    month: int | None = Field(default=None, ge=1, le=12)
    window_month: int | None = Field(default=None, ge=1, le=12)
    start: date | None = None
    end: date | None = None
    final: Milestone | None = None

    @model_validator(mode="after")
    def _month_of_a_year(self) -> RecurringTiming:
        """Only a yearly duty has a due month, and with it a day (December: leave it unset);
        its window opens in a month up to the due month."""
        if self.window_month is not None:
            if self.period != "year":
                raise ValueError("chỉ kỳ hằng năm mới ghi được tháng bắt đầu (window_month)")
            if self.window_month > (self.month or 12):
                raise ValueError(
                    f"tháng bắt đầu ({self.window_month}) đứng sau tháng đến hạn ({self.month})"
                )
        if self.month is None:
            return self
        if self.period != "year":
            raise ValueError("chỉ kỳ hằng năm mới ghi được tháng đến hạn (month)")
        if self.month == 12:
            raise ValueError("kỳ hằng năm hạn vào tháng 12: bỏ trống month (mặc định cuối năm)")
        if self.before_day is None and self.due_day is None:
            raise ValueError("kỳ hằng năm có tháng đến hạn cần ngày: before_day hoặc due_day")
        if (self.before_day or self.due_day or 1) > _LONGEST[self.month]:
            raise ValueError(f"tháng {self.month} không có ngày {self.before_day or self.due_day}")
        return self


class ExternalTiming(_Frozen):
    kind: Literal["external"] = "external"
    timing_class: Literal[TimingClass.EXTERNAL] = TimingClass.EXTERNAL
    reference: str | None = None
    reference_text: str


class TriggeredTiming(_Frozen):
    kind: Literal["triggered"] = "triggered"
    timing_class: Literal[TimingClass.EVENT, TimingClass.ON_REQUEST]
    trigger: str
    earliest: date | None = None
    repeats: bool = False


class UnspecifiedTiming(_Frozen):
    kind: Literal["unspecified"] = "unspecified"
    timing_class: Literal[TimingClass.UNSPECIFIED] = TimingClass.UNSPECIFIED


PartTiming = Annotated[
    DatedTiming | RecurringTiming | ExternalTiming | TriggeredTiming,
    Field(discriminator="kind"),
]


class CompositeTiming(_Frozen):
    """Several timings printed in one cell, each living on its own.

    ``timing_class`` is the first part's class (what a one-word summary shows); statuses are
    computed per part, and a part's milestone keys stay distinct because each shape keys its
    milestones differently (dates, periods, ``event:``/``request:`` keys, reference milestones).
    """

    kind: Literal["composite"] = "composite"
    timing_class: TimingClass
    parts: tuple[PartTiming, ...] = Field(min_length=2)


Timing = Annotated[
    DatedTiming
    | RecurringTiming
    | ExternalTiming
    | TriggeredTiming
    | UnspecifiedTiming
    | CompositeTiming,
    Field(discriminator="kind"),
]
