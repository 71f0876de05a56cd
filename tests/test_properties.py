"""Invariants checked with hypothesis."""

from __future__ import annotations

import calendar as _calendar
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.calendar import WorkingCalendar
from engine.progress import Completion, Progress
from engine.status import DELIVERABLE, Status, evaluate
from engine.timing.parse import ParseContext, PhraseError

CAL = WorkingCalendar()
days = st.dates(min_value=date(2022, 1, 1), max_value=date(2026, 12, 31))


def _identity(o):  # type: ignore[no-untyped-def]
    return (o.plan, o.task, o.printed_unit or o.unit, o.milestone)


@settings(max_examples=25, deadline=None)
@given(first=days, gap=st.integers(min_value=1, max_value=900))
def test_without_progress_overdue_never_goes_back(catalog, first: date, gap: int) -> None:  # type: ignore[no-untyped-def]
    later = first + timedelta(days=gap)
    before = {_identity(o): o.status for o in evaluate(catalog, Progress(), first)}
    after = {_identity(o): o.status for o in evaluate(catalog, Progress(), later)}
    for key, status in before.items():
        if status in (Status.OVERDUE, Status.REPORT_MISSING) and key in after:
            assert after[key] == status, key


_AS_OF = date(2026, 12, 31)


@pytest.fixture(scope="module")
def open_dated(catalog):  # type: ignore[no-untyped-def]
    """The dated deliverables due by 31/10/2026 and open on 31/12/2026 without progress
    (not already done by the plan's signing or through a link): one evaluation for every
    example below."""
    return [
        o
        for o in evaluate(catalog, Progress(), _AS_OF)
        if o.kind == DELIVERABLE
        and o.due
        and o.original_due <= date(2026, 10, 31)
        and o.status not in (Status.DONE_ON_TIME, Status.DONE_LATE)
    ]


@settings(max_examples=60, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=10_000),
    offset=st.integers(min_value=-60, max_value=60),
)
def test_done_on_or_before_due_iff_done_on_time(
    catalog, open_dated, index: int, offset: int
) -> None:  # type: ignore[no-untyped-def]
    occ = open_dated[index % len(open_dated)]
    done_on = occ.original_due + timedelta(days=offset)
    progress = Progress(
        completions=[
            Completion(occ.plan, occ.task, done_on, unit=occ.unit, milestone=occ.milestone)
        ]
    )
    (after,) = [o for o in evaluate(catalog, progress, _AS_OF) if o.key == occ.key]
    assert after.status in (Status.DONE_ON_TIME, Status.DONE_LATE) and after.done_on == done_on
    assert (after.status == Status.DONE_ON_TIME) == (done_on <= after.original_due)


@given(day=st.dates(min_value=date(2016, 1, 1), max_value=date(2039, 12, 1)))
def test_roll_forward_is_the_first_working_day_on_or_after(day: date) -> None:
    rolled = CAL.roll_forward(day)
    assert rolled >= day and CAL.is_working_day(rolled)
    assert all(not CAL.is_working_day(day + timedelta(days=i)) for i in range((rolled - day).days))
    back = CAL.roll_backward(day)
    assert back <= day and CAL.is_working_day(back)


@given(day=st.dates(min_value=date(2016, 1, 1), max_value=date(2039, 1, 1)), n=st.integers(1, 60))
def test_add_working_days_and_count_agree(day: date, n: int) -> None:
    later = CAL.add_working_days(day, n)
    assert CAL.is_working_day(later)
    assert CAL.working_days_between(day, later) == n
    assert (
        CAL.add_working_days(later, -n) == CAL.roll_backward(day)
        if not CAL.is_working_day(day)
        else day
    )


@given(
    month=st.integers(1, 12),
    year=st.integers(2000, 2099),
    zero=st.booleans(),
    sep=st.sampled_from(["/", ".", "-", " năm ", " / "]),
    lead=st.sampled_from(["", "trong ", "chậm nhất trong ", "Hoàn thành trong "]),
    upper=st.booleans(),
)
def test_fixed_month_wordings_agree(catalog, month, year, zero, sep, lead, upper) -> None:  # type: ignore[no-untyped-def]
    phrase = f"{lead}tháng {month:02d}{sep}{year}" if zero else f"{lead}Tháng {month}{sep}{year}"
    phrase = phrase.upper() if upper else phrase
    timing = catalog.phrases.parse(phrase, ParseContext(2023)).timing
    (milestone,) = timing.milestones
    assert milestone.nominal_due == date(year, month, _calendar.monthrange(year, month)[1])


@given(
    first=st.tuples(st.integers(1990, 2095), st.integers(1, 4)),
    length=st.integers(0, 7),
    roman=st.booleans(),
    dash=st.sampled_from(["-", " - ", "–", " — "]),
)
def test_quarter_ranges_open_on_the_first_and_fall_due_on_the_last(
    catalog, first, length, roman, dash
) -> None:  # type: ignore[no-untyped-def]
    """ "Quý a/x - Quý b/y": window from the first quarter's first day, due the last's end;
    printed backwards, it is refused."""
    year, quarter = first
    index = 4 * year + quarter - 1 + length
    last_year, last_quarter = divmod(index, 4)
    name = {1: "I", 2: "II", 3: "III", 4: "IV"} if roman else {q: str(q) for q in range(1, 5)}
    phrase = f"Quý {name[quarter]}/{year}{dash}Quý {name[last_quarter + 1]}/{last_year}"
    (milestone,) = catalog.phrases.parse(phrase, ParseContext(2023)).timing.milestones
    assert milestone.window_start == date(year, 3 * quarter - 2, 1)
    end_month = 3 * (last_quarter + 1)
    assert milestone.nominal_due == date(
        last_year, end_month, _calendar.monthrange(last_year, end_month)[1]
    )
    if length:
        backwards = f"Quý {name[last_quarter + 1]}/{last_year}{dash}Quý {name[quarter]}/{year}"
        with pytest.raises(PhraseError):
            catalog.phrases.parse(backwards, ParseContext(2023))


@given(
    start=st.tuples(st.integers(1990, 2095), st.integers(1, 12)),
    length=st.integers(0, 23),
    count=st.booleans(),
)
def test_month_ranges_open_on_the_first_and_fall_due_on_the_last(
    catalog, start, length, count
) -> None:  # type: ignore[no-untyped-def]
    """ "Tháng a/x - Tháng b/y" (or "N tháng (từ tháng a đến tháng b)" in one year): window
    from the first month's first day, due the last month's end; a wrong count is refused."""
    year, month = start
    last_year, last_index = divmod(12 * year + month - 1 + length, 12)
    last_month = last_index + 1
    if count and last_year == year:
        phrase = f"{length + 1:02d} tháng (từ tháng {month} đến tháng {last_month}/{year})"
    else:
        phrase = f"Tháng {month}/{year} - Tháng {last_month}/{last_year}"
    (milestone,) = catalog.phrases.parse(phrase, ParseContext(2023)).timing.milestones
    assert milestone.nominal_due == date(
        last_year, last_month, _calendar.monthrange(last_year, last_month)[1]
    )
    assert milestone.window_start == (date(year, month, 1) if length else None)
    if count and last_year == year:
        wrong = f"{length + 2:02d} tháng (từ tháng {month} đến tháng {last_month}/{year})"
        with pytest.raises(PhraseError):
            catalog.phrases.parse(wrong, ParseContext(2023))
