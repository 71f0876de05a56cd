"""Working days: Vietnam's holidays, announced swaps, and the two rolls."""

from datetime import date

import pytest

from engine.calendar import CalendarOverride, WorkingCalendar

CAL = WorkingCalendar()


def assert_working_day(day: date) -> None:
    assert CAL.is_working_day(day), f"{day} should be a working day"


def assert_non_working_day(day: date) -> None:
    assert not CAL.is_working_day(day), f"{day} should not be a working day"


@pytest.mark.parametrize(
    "day",
    [
        date(2023, 1, 20),
        date(2023, 1, 23),
        date(2023, 1, 26),  # Tết Quý Mão
        date(2024, 2, 8),
        date(2024, 2, 14),  # Tết Giáp Thìn
        date(2025, 1, 27),
        date(2025, 1, 31),  # Tết Ất Tỵ
        date(2023, 5, 1),
        date(2023, 5, 2),
        date(2023, 5, 3),  # 30/4-1/5 and Giỗ Tổ observed
        date(2024, 4, 29),
        date(2024, 4, 30),
        date(2024, 5, 1),  # swap day + holidays
        date(2025, 9, 1),
        date(2025, 9, 2),  # Quốc khánh
        date(2023, 6, 24),
        date(2023, 6, 25),  # an ordinary weekend
    ],
)
def test_non_working_days(day: date) -> None:
    assert_non_working_day(day)


@pytest.mark.parametrize(
    "day",
    [date(2023, 1, 27), date(2024, 5, 4), date(2025, 4, 26), date(2023, 6, 21), date(2022, 2, 7)],
)
def test_working_days(day: date) -> None:
    assert_working_day(day)  # 04/5/2024 and 26/4/2025 are make-up Saturdays


@pytest.mark.parametrize(
    ("day", "forward", "backward"),
    [
        (date(2023, 4, 29), date(2023, 5, 4), date(2023, 4, 28)),  # Giỗ Tổ + 30/4 + 1/5 block
        (date(2023, 1, 21), date(2023, 1, 27), date(2023, 1, 19)),  # Tết
        (date(2023, 6, 30), date(2023, 6, 30), date(2023, 6, 30)),  # a Friday stays
        (date(2023, 9, 30), date(2023, 10, 2), date(2023, 9, 29)),  # a Saturday
        (date(2023, 12, 31), date(2024, 1, 2), date(2023, 12, 29)),  # Sunday + New Year
    ],
)
def test_rolls(day: date, forward: date, backward: date) -> None:
    assert CAL.roll_forward(day) == forward
    assert CAL.roll_backward(day) == backward


def test_working_day_arithmetic() -> None:
    friday = date(2023, 6, 30)
    assert CAL.add_working_days(friday, 1) == date(2023, 7, 3)
    assert CAL.add_working_days(friday, -7) == date(2023, 6, 21)
    assert CAL.add_working_days(date(2023, 7, 1), -1) == date(2023, 6, 30)
    assert CAL.working_days_between(friday, date(2023, 7, 7)) == 5
    assert CAL.working_days_between(date(2023, 7, 7), friday) == -5
    assert CAL.working_days_between(friday, friday) == 0


def test_overrides_win_over_the_package() -> None:
    calendar = WorkingCalendar(
        [
            CalendarOverride(date(2030, 6, 3), False, "Nghỉ thử", "Văn bản thử"),
            CalendarOverride(date(2030, 6, 8), True, "Làm bù thứ Bảy", "Văn bản thử"),
        ]
    )
    assert not calendar.is_working_day(date(2030, 6, 3))
    assert calendar.is_working_day(date(2030, 6, 8))
    assert calendar.holiday_name(date(2030, 6, 3)) == "Nghỉ thử"


def test_far_dates_extend_the_index() -> None:
    assert CAL.roll_forward(date(2041, 1, 1)) == date(2041, 1, 2)
    assert CAL.is_working_day(date(2010, 1, 4))


def test_shipped_overrides_cite_sources(catalog) -> None:  # type: ignore[no-untyped-def]
    for override in catalog.calendar.overrides:
        assert override.source.strip()
