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

from pydantic import BaseModel, ConfigDict, Field


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
Period = Literal["month", "quarter", "half_year", "year"]
"""A recurrence period: "Hằng tháng", "Hằng quý", "6 tháng một lần", "Hằng năm"."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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
    before that day of the period's last month), ``due_day`` (that day of the period's last
    month, rolled forward), else the period end rolled forward. Continuous tasks leave both
    unset and take the update cut-off of ``schedules/reporting.yaml``; a task tag may name a
    reporting cycle there that sets them.
    """

    kind: Literal["recurring"] = "recurring"
    timing_class: TimingClass
    period: Period = "month"
    before_day: int | None = Field(default=None, ge=1, le=31)
    due_day: int | None = Field(default=None, ge=1, le=31)
    start: date | None = None
    end: date | None = None
    final: Milestone | None = None


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
