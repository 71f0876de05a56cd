"""Dates typed as people type them (engine.dates): dd/mm/yyyy, d/m/yyyy, ISO; impossible days
refused in Vietnamese."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.dates import DayError, parse_day
from engine.render import vn_date

DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


@given(DAYS)
def test_every_day_reads_back_in_every_accepted_form(day: date) -> None:
    assert parse_day(vn_date(day)) == day
    assert parse_day(f"{day.day}/{day.month}/{day.year}") == day
    assert parse_day(f" {day.day:02d}-{day.month:02d}-{day.year} ") == day
    assert parse_day(f"{day.day}.{day.month}.{day.year}") == day
    assert parse_day(day.isoformat()) == day


@given(st.integers(1900, 2200), st.integers(1, 12), st.integers(29, 31))
def test_a_day_past_the_end_of_its_month_does_not_exist(year: int, month: int, day: int) -> None:
    try:
        expected = date(year, month, day)
    except ValueError:
        with pytest.raises(DayError, match=f"^Ngày {day}/{month:02d}/{year} không tồn tại$"):
            parse_day(f"{day}/{month:02d}/{year}")
    else:
        assert parse_day(f"{day}/{month:02d}/{year}") == expected


def test_impossible_and_malformed_dates_are_refused_in_vietnamese() -> None:
    with pytest.raises(DayError, match=r"^Ngày 31/02/2023 không tồn tại$"):
        parse_day("31/02/2023")
    with pytest.raises(DayError, match=r"^Ngày 0/1/2024 không tồn tại$"):
        parse_day("0/1/2024")
    with pytest.raises(DayError, match=r"^Ngày 2023-02-30 không tồn tại$"):
        parse_day("2023-02-30")
    for typed in ("01/22/24", "22/01-2024", "22 tháng 1 2024", "hôm nay", "2024/01/22"):
        with pytest.raises(DayError, match=r"không phải là ngày .*dd/mm/yyyy"):
            parse_day(typed)
    with pytest.raises(DayError, match="Chưa ghi ngày"):
        parse_day("  ")
