"""The deadline-phrase grammar: every seed phrase, and the wordings it must generalise to."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from engine.timing.models import (
    DatedTiming,
    ExternalTiming,
    RecurringTiming,
    TimingClass,
    TriggeredTiming,
)
from engine.timing.parse import ParseContext, PhraseError

C = TimingClass

# Every distinct deadline phrase printed in the seed plans, with the class domain.md gives it.
SEED_PHRASES: dict[str, TimingClass] = {
    "Tháng 3/2023": C.FIXED_MONTH,
    "Tháng 03/2023": C.FIXED_MONTH,
    "Tháng 01/2022": C.FIXED_MONTH,
    "Tháng 02/2023": C.FIXED_MONTH,
    "Tháng 2/2022": C.FIXED_MONTH,
    "Tháng 3/2022": C.FIXED_MONTH,
    "Tháng 5/2022": C.FIXED_MONTH,
    "Tháng 6/2022": C.FIXED_MONTH,
    "Tháng 6/2023": C.FIXED_MONTH,
    "Tháng 4/2023": C.FIXED_MONTH,
    "Tháng 7/2023": C.FIXED_MONTH,
    "Tháng 9/2023": C.FIXED_MONTH,
    "Tháng 12/2023": C.FIXED_MONTH,
    "Tháng 6/2025": C.FIXED_MONTH,
    "Tháng 12/2025": C.FIXED_MONTH,
    "Tháng 3": C.FIXED_MONTH,
    "Tháng 12": C.FIXED_MONTH,
    "trong tháng 3 năm 2023": C.FIXED_MONTH,
    "chậm nhất trong tháng 4 năm 2023": C.FIXED_MONTH,
    "Tháng 6 và Tháng 12": C.SEVERAL_MONTHS,
    "Tháng 3/2022 (đối với Hộ tịch)\nTháng 5/2022 (đối với LLTP)": C.LABELLED_MILESTONES,
    "Quý III-IV/2023": C.QUARTER,
    "Năm 2022": C.YEAR,
    "Năm 2025": C.YEAR,
    "Trong năm 2023": C.YEAR,
    "Cả năm": C.WHOLE_YEAR,
    "Thường xuyên": C.CONTINUOUS,
    "Thực hiện thường xuyên": C.CONTINUOUS,
    "Hàng tháng": C.PERIODIC,
    "Hàng Quý": C.PERIODIC,
    "định kỳ trước ngày 22 hàng tháng": C.PERIODIC,
    "định kỳ hàng tháng": C.PERIODIC,
    "Từ tháng 02/2023": C.START_FROM,
    "Từ tháng 5/2023": C.START_FROM,
    "Từ ngày 01/6/2022": C.START_FROM,
    "Thời gian bắt đầu thực hiện từ tháng 02 năm 2023": C.START_FROM,
    "Theo tiến độ của Nghị quyết số 50/NQ-CP ngày 08/4/2022 và Nghị định số 107/2021/NĐ-CP ngày 06/12/2021": C.EXTERNAL,
    "Theo tiến độ, yêu cầu tại Quyết định số 766/QĐ-TTg": C.EXTERNAL,
    "Theo lộ trình của Bộ Công An": C.EXTERNAL,
    "Theo Kế hoạch riêng": C.EXTERNAL,
    "Theo Kế hoạch năm 2025 của Tổ Công tác của Thủ tướng Chính phủ về rà soát VBQPPL và yêu cầu của các cơ quan có liên quan": C.EXTERNAL,
    "Theo tiến độ triển khai Kế hoạch đầu tư công trung hạn giai đoạn 2021-2025": C.EXTERNAL,
    "Theo Kế hoạch đào tạo, bồi dưỡng công chức, viên chức Bộ Tư pháp năm 2025": C.EXTERNAL,
    "Theo lịch họp giao ban của Bộ": C.EXTERNAL,
    "Ngay sau khi Thủ tướng Chính phủ ký ban hành Chỉ thị": C.EVENT,
    "Khi có thay đổi về nhân sự": C.EVENT,
    "Sau khi có hướng dẫn của VPCP (từ tháng 2/2022)": C.EVENT,
    "Theo yêu cầu của Lãnh đạo Chính phủ, Văn phòng Chính phủ, Tổ Công tác Đề án 06 của Chính phủ": C.ON_REQUEST,
    "Theo yêu cầu của Chính phủ, Tổ Công tác Đề án 06 của Chính phủ": C.ON_REQUEST,
    "Theo đề nghị phối hợp của các cơ quan, đơn vị,...": C.ON_REQUEST,
    "": C.UNSPECIFIED,
    # duties of the organisation sections (149 III.1, III.4; 522 III.1, III.4)
    "năm 2022 và các năm tiếp theo": C.PERIODIC,
    "trong năm 2022": C.YEAR,
    "Hàng năm": C.PERIODIC,
    "hàng năm": C.PERIODIC,
    "năm 2023": C.YEAR,
    "trong năm 2023 và những năm tiếp theo": C.PERIODIC,
}


def parse(catalog, phrase: str, year: int = 2023):  # type: ignore[no-untyped-def]
    return catalog.phrases.parse(phrase, ParseContext(year, date(year, 1, 1))).timing


@pytest.mark.parametrize(("phrase", "expected"), SEED_PHRASES.items())
def test_seed_phrase_class(catalog, phrase: str, expected: TimingClass) -> None:  # type: ignore[no-untyped-def]
    assert parse(catalog, phrase).timing_class == expected


def test_every_shipped_deadline_is_a_known_seed_phrase(catalog) -> None:  # type: ignore[no-untyped-def]
    shipped = {t.deadline for p in catalog.plans.values() for t in p.tasks}
    assert shipped <= set(SEED_PHRASES), shipped - set(SEED_PHRASES)
    for plan in catalog.plans.values():
        for task in plan.tasks:
            assert task.timing.timing_class == SEED_PHRASES[task.deadline], (plan.id, task.id)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# Wordings beyond the seeds: (phrase, nominal due dates, roll)
VARIANTS = [
    ("Tháng 3/2023", [date(2023, 3, 31)]),
    ("tháng 03/2023", [date(2023, 3, 31)]),
    ("THÁNG 3/2023", [date(2023, 3, 31)]),
    (nfd("Tháng 3/2023"), [date(2023, 3, 31)]),
    ("  Tháng   3 / 2023 ", [date(2023, 3, 31)]),
    ("Tháng 3.2023", [date(2023, 3, 31)]),
    ("Tháng 3-2023", [date(2023, 3, 31)]),
    ("tháng 3 năm 2023", [date(2023, 3, 31)]),
    ("Trong tháng 02 năm 2024", [date(2024, 2, 29)]),
    ("chậm nhất trong tháng 4 năm 2023.", [date(2023, 4, 30)]),
    ("Hoàn thành trong tháng 11/2023", [date(2023, 11, 30)]),
    ("Quý III–IV/2023", [date(2023, 12, 31)]),
    ("Quý 3-4/2023", [date(2023, 12, 31)]),
    ("quý ii/2023", [date(2023, 6, 30)]),
    ("Quý 2 năm 2023", [date(2023, 6, 30)]),
    ("Quý IV", [date(2023, 12, 31)]),
    ("trong năm 2024", [date(2024, 12, 31)]),
    ("ngày 01/6/2022", [date(2022, 6, 1)]),
    ("Chậm nhất ngày 15 tháng 7 năm 2023", [date(2023, 7, 15)]),
    ("Tháng 6 và tháng 12", [date(2023, 6, 30), date(2023, 12, 31)]),
    ("Tháng 6/2023; Tháng 12/2023", [date(2023, 6, 30), date(2023, 12, 31)]),
    (
        nfd("Tháng 3/2022 (đối với Hộ tịch)\nTháng 5/2022 (đối với LLTP)"),
        [date(2022, 3, 31), date(2022, 5, 31)],
    ),
]


@pytest.mark.parametrize(("phrase", "dues"), VARIANTS)
def test_dated_variants(catalog, phrase: str, dues: list[date]) -> None:  # type: ignore[no-untyped-def]
    timing = parse(catalog, phrase)
    assert isinstance(timing, DatedTiming)
    assert [m.nominal_due for m in timing.milestones] == dues
    assert all(m.roll == "forward" for m in timing.milestones)


@pytest.mark.parametrize(
    ("phrase", "due"),
    [
        ("trước ngày 30/6/2023", date(2023, 6, 29)),
        ("Trước ngày 15 tháng 7 năm 2023", date(2023, 7, 14)),
        ("trước tháng 6/2023", date(2023, 5, 31)),
    ],
)
def test_before_phrases_roll_backward(catalog, phrase: str, due: date) -> None:  # type: ignore[no-untyped-def]
    timing = parse(catalog, phrase)
    assert isinstance(timing, DatedTiming)
    (milestone,) = timing.milestones
    assert (milestone.nominal_due, milestone.roll) == (due, "backward")


def test_labels_keep_their_printed_case(catalog) -> None:  # type: ignore[no-untyped-def]
    timing = parse(catalog, "Tháng 3/2022 (đối với Hộ tịch)\nTháng 5/2022 (đối với LLTP)")
    assert [m.label for m in timing.milestones] == ["Hộ tịch", "LLTP"]


def test_quarter_range_has_a_window(catalog) -> None:  # type: ignore[no-untyped-def]
    (milestone,) = parse(catalog, "Quý III-IV/2023").milestones
    assert (milestone.window_start, milestone.nominal_due) == (date(2023, 7, 1), date(2023, 12, 31))


@pytest.mark.parametrize(
    ("phrase", "period", "before_day"),
    [
        ("Hàng tháng", "month", None),
        ("Hằng tháng", "month", None),
        ("HÀNG QUÝ", "quarter", None),
        ("hằng quý", "quarter", None),
        ("định kỳ trước ngày 22 hàng tháng", "month", 22),
        ("Định kỳ trước ngày 22 hằng tháng", "month", 22),
        ("Hằng tháng, trước ngày 20", "month", 20),
    ],
)
def test_periodic(catalog, phrase: str, period: str, before_day: int | None) -> None:  # type: ignore[no-untyped-def]
    timing = parse(catalog, phrase)
    assert isinstance(timing, RecurringTiming)
    assert (timing.period, timing.before_day) == (period, before_day)


@pytest.mark.parametrize(
    ("phrase", "start"),
    [
        ("Từ tháng 02/2023", date(2023, 2, 1)),
        ("từ tháng 2.2023", date(2023, 2, 1)),
        ("Thời gian bắt đầu thực hiện từ tháng 02 năm 2023", date(2023, 2, 1)),
        ("Từ ngày 01/6/2022", date(2022, 6, 1)),
        ("Từ ngày 1.6.2022", date(2022, 6, 1)),
    ],
)
def test_start_from(catalog, phrase: str, start: date) -> None:  # type: ignore[no-untyped-def]
    timing = parse(catalog, phrase)
    assert timing.timing_class == C.START_FROM
    assert timing.start == start


def test_whole_year_has_monthly_updates_and_a_year_end_result(catalog) -> None:  # type: ignore[no-untyped-def]
    timing = catalog.phrases.parse("Cả năm", ParseContext(2025, date(2025, 3, 5))).timing
    assert (timing.start, timing.end) == (date(2025, 3, 5), date(2025, 12, 31))
    assert timing.final.nominal_due == date(2025, 12, 31)


@pytest.mark.parametrize(
    ("phrase", "reference"),
    [
        ("Theo tiến độ của Nghị quyết số 50/NQ-CP ngày 08/4/2022", "NQ-50-2022"),
        ("theo tiến độ, yêu cầu tại quyết định số 766/QĐ-TTg", "QD-766-TTG"),
        ("Theo lộ trình của Bộ Công an", "LO-TRINH-BCA"),
        ("Theo lịch họp giao ban của Bộ", "GIAO-BAN-BO"),
    ],
)
def test_external_names_its_reference(catalog, phrase: str, reference: str) -> None:  # type: ignore[no-untyped-def]
    timing = parse(catalog, phrase)
    assert isinstance(timing, ExternalTiming)
    assert timing.reference == reference


def test_external_with_unknown_document_has_no_reference(catalog) -> None:  # type: ignore[no-untyped-def]
    timing = parse(catalog, "Theo Nghị định số 999/2030/NĐ-CP")
    assert isinstance(timing, ExternalTiming) and timing.reference is None


def test_event_earliest_and_repeats(catalog) -> None:  # type: ignore[no-untyped-def]
    timing = parse(catalog, "Sau khi có hướng dẫn của VPCP (từ tháng 2/2022)")
    assert isinstance(timing, TriggeredTiming)
    assert (timing.earliest, timing.repeats, timing.trigger) == (
        date(2022, 2, 1),
        False,
        "có hướng dẫn của VPCP",
    )
    assert parse(catalog, "Khi có thay đổi về nhân sự").repeats


@pytest.mark.parametrize(
    "phrase",
    [
        "Sớm",
        "Tháng 13/2023",
        "Quý V/2023",
        "ngày 31/02/2023",
        "Tháng 3/2023 hoặc sớm hơn",
        "Quý IV-II/2023",
    ],
)
def test_unreadable_phrases_are_errors_naming_the_phrase(catalog, phrase: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PhraseError) as info:
        parse(catalog, phrase)
    assert "«" in str(info.value)


def test_grammar_examples_are_read_by_their_own_pattern(catalog) -> None:  # type: ignore[no-untyped-def]
    from engine.timing.parse import examples_problems

    assert examples_problems(catalog.phrases) == []
