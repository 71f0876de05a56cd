"""Issue 12 readings outside the corpus: cells in parts, shared years, actions, composites,
vague wordings, and invariance of every reading under spacing, case, NFC/NFD and dashes."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.text import normalize
from engine.timing.models import (
    CompositeTiming,
    DatedTiming,
    ExternalTiming,
    RecurringTiming,
    TimingClass,
    TriggeredTiming,
)
from engine.timing.parse import ParseContext, PhraseError

C = TimingClass


def parse(catalog, phrase: str, year: int = 2023):  # type: ignore[no-untyped-def]
    return catalog.phrases.parse(phrase, ParseContext(year, date(year, 1, 1)))


def dues(timing) -> list[date]:  # type: ignore[no-untyped-def]
    return [m.nominal_due for m in timing.milestones]


# The wordings issue 12 quotes from other plans: (phrase, class, nominal due dates).
DATED = [
    ("Quý I và Quý II/2024", C.SEVERAL_MONTHS, [date(2024, 3, 31), date(2024, 6, 30)]),
    ("Tháng 6 và Tháng 12/2024", C.SEVERAL_MONTHS, [date(2024, 6, 30), date(2024, 12, 31)]),
    ("tháng 9, tháng 10 năm 2024", C.SEVERAL_MONTHS, [date(2024, 9, 30), date(2024, 10, 31)]),
    ("9/2026", C.FIXED_MONTH, [date(2026, 9, 30)]),
    ("07/2024", C.FIXED_MONTH, [date(2024, 7, 31)]),
    ("4.2026", C.FIXED_MONTH, [date(2026, 4, 30)]),
    ("2024", C.YEAR, [date(2024, 12, 31)]),
    ("2021-2025", C.YEAR, [date(2025, 12, 31)]),
    ("Giai đoạn 2026 - 2030", C.YEAR, [date(2030, 12, 31)]),
    ("trước 30/6/2025", C.DATE, [date(2025, 6, 29)]),
    ("trước ngày 30/6/2025", C.DATE, [date(2025, 6, 29)]),
    ("trước quý II/2026", C.QUARTER, [date(2026, 3, 31)]),
    ("trước năm 2026", C.YEAR, [date(2025, 12, 31)]),
    ("đưa vào vận hành trong Quý IV/2024", C.QUARTER, [date(2024, 12, 31)]),
    ("Trình Thủ tướng Chính phủ trong tháng 9/2026", C.FIXED_MONTH, [date(2026, 9, 30)]),
]


@pytest.mark.parametrize(("phrase", "cls", "due"), DATED)
def test_issue_wordings(catalog, phrase: str, cls: TimingClass, due: list[date]) -> None:  # type: ignore[no-untyped-def]
    timing = parse(catalog, phrase).timing
    assert isinstance(timing, DatedTiming)
    assert (timing.timing_class, dues(timing)) == (cls, due)


def test_a_period_of_years_opens_a_window(catalog) -> None:  # type: ignore[no-untyped-def]
    (milestone,) = parse(catalog, "Giai đoạn 2026 - 2030").timing.milestones
    assert (milestone.key, milestone.window_start) == ("2026-2030", date(2026, 1, 1))


def test_the_action_before_the_time_is_the_label(catalog) -> None:  # type: ignore[no-untyped-def]
    parsed = parse(catalog, "Trình Thủ tướng Chính phủ trong tháng 9/2026")
    (milestone,) = parsed.timing.milestones
    assert (milestone.key, milestone.label) == ("2026-09", "Trình Thủ tướng Chính phủ")
    (part,) = parsed.parts
    assert (part.read, part.ignored) == ("trong tháng 9/2026", ("Trình Thủ tướng Chính phủ",))


def test_a_verb_the_time_opens_with_stays_with_the_action(catalog) -> None:  # type: ignore[no-untyped-def]
    parsed = parse(catalog, "cơ bản hoàn thành trong quý 3/2025")
    (milestone,) = parsed.timing.milestones
    assert (milestone.nominal_due, milestone.label) == (date(2025, 9, 30), "cơ bản hoàn thành")


def test_a_document_number_is_not_a_deadline(catalog) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PhraseError):
        parse(catalog, "Ban hành Nghị định thay thế Nghị định số 107/2021/NĐ-CP ngày 06/12/2021")


def test_splitting_never_cuts_inside_a_word(catalog) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PhraseError) as info:
        parse(catalog, "đưa vào vận hành; Tháng 13/2024")
    assert "phần «đưa vào vận hành»" in str(info.value)
    assert "«đưa»" not in str(info.value)


def test_the_year_printed_later_is_shown_in_the_reading(catalog) -> None:  # type: ignore[no-untyped-def]
    first, second = parse(catalog, "Quý I và Quý II/2024", year=2023).parts
    assert (first.year_from, second.year_from) == ("Quý II/2024", None)


def test_a_part_after_the_last_printed_year_is_refused(catalog) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PhraseError, match="«Tháng 6»"):
        parse(catalog, "Tháng 12/2023 và Tháng 6")


@pytest.mark.parametrize(
    ("phrase", "period", "start"),
    [
        ("Hằng năm", "year", None),
        ("Định kỳ hằng năm", "year", None),
        ("6 tháng một lần", "half_year", None),
        ("2024 và các năm tiếp theo", "year", date(2024, 1, 1)),
    ],
)
def test_recurrences(catalog, phrase: str, period: str, start: date | None) -> None:  # type: ignore[no-untyped-def]
    timing = parse(catalog, phrase).timing
    assert isinstance(timing, RecurringTiming)
    assert (timing.timing_class, timing.period, timing.start) == (C.PERIODIC, period, start)


def test_external_and_on_request_in_one_cell(catalog) -> None:  # type: ignore[no-untyped-def]
    phrase = (
        "Theo Kế hoạch năm 2025 của Tổ Công tác của Thủ tướng Chính phủ về rà soát VBQPPL "
        "và yêu cầu của các cơ quan có liên quan"
    )
    parsed = parse(catalog, phrase, year=2025)
    timing = parsed.timing
    assert isinstance(timing, CompositeTiming)
    external, request = timing.parts
    assert isinstance(external, ExternalTiming) and external.reference == "TCT-VBQPPL-2025"
    assert isinstance(request, TriggeredTiming) and request.timing_class == C.ON_REQUEST
    assert parsed.parts[1].borrowed == "Theo"


def test_later_periods_borrow_the_first_periods_wording(catalog) -> None:  # type: ignore[no-untyped-def]
    parsed = parse(catalog, "Định kỳ hàng tháng, quý và 6 tháng")
    timing = parsed.timing
    assert isinstance(timing, CompositeTiming)
    periods = [p.period for p in timing.parts if isinstance(p, RecurringTiming)]
    assert periods == ["month", "quarter", "half_year"]
    assert [p.borrowed for p in parsed.parts] == [None, "Định kỳ hàng", "Định kỳ hàng"]


@pytest.mark.parametrize(
    "phrase",
    [
        "Theo tiến độ của Nghị quyết số 50/NQ-CP ngày 08/4/2022 và Nghị định số 107/2021/NĐ-CP",
        "Theo yêu cầu của Chính phủ và Bộ Tư pháp",
    ],
)
def test_one_reference_or_one_request_stays_whole(catalog, phrase: str) -> None:  # type: ignore[no-untyped-def]
    assert not isinstance(parse(catalog, phrase).timing, CompositeTiming)


def test_dated_and_continuous_in_one_cell(catalog) -> None:  # type: ignore[no-untyped-def]
    timing = parse(catalog, "Thường xuyên; báo cáo trước ngày 15/12/2025").timing
    assert isinstance(timing, CompositeTiming)
    continuous, dated = timing.parts
    assert continuous.timing_class == C.CONTINUOUS
    assert dues(dated) == [date(2025, 12, 14)] and dated.milestones[0].label == "báo cáo"


@pytest.mark.parametrize(
    ("phrase", "words"),
    [
        ("Đầu năm 2024", "Đầu năm"),
        ("Tuần đầu tháng 7/2024", "Tuần đầu"),
        ("Cuối quý II/2025", "Cuối quý"),
        ("Sớm", "Sớm"),
    ],
)
def test_vague_wordings_are_refused_with_a_suggestion(catalog, phrase: str, words: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PhraseError) as info:
        parse(catalog, phrase)
    assert f"«{words}» không đủ rõ" in str(info.value) and "hãy ghi rõ" in str(info.value)


# --- invariance --------------------------------------------------------------------------

READABLE = [p for p, _, _ in DATED] + [
    "Hằng năm",
    "2024 và các năm tiếp theo",
    "Thường xuyên; báo cáo trước ngày 15/12/2025",
    "Tháng 3/2022 (đối với Hộ tịch)\nTháng 5/2022 (đối với LLTP)",
]
REFUSED = ["Đầu năm 2024", "Tuần đầu tháng 7/2024", "Quý I và Tháng 13/2024", "Sớm hay muộn"]


def _variant(phrase: str, draw) -> str:  # type: ignore[no-untyped-def]
    """The same phrase with other spacing, case, normal form and dashes."""
    lines = []
    for line in phrase.split("\n"):
        words = line.split(" ")
        gaps = [" " * draw(st.integers(1, 3)) for _ in words]
        line = "".join(w + g for w, g in zip(words, gaps, strict=True)).rstrip()
        line = re.sub(r" - |-", lambda m: m[0].replace("-", draw(st.sampled_from("-–—"))), line)
        line = draw(st.sampled_from([str.upper, str.lower, str.title, str]))(line)
        lines.append(" " * draw(st.integers(0, 2)) + line)
    form = draw(st.sampled_from(["NFC", "NFD"]))
    return unicodedata.normalize(form, "\n".join(lines))


def _folded(value):  # type: ignore[no-untyped-def]
    """Labels and free text keep the printed case; compare them case- and form-blind."""
    if isinstance(value, str):
        return normalize(value)
    if isinstance(value, dict):
        return {k: _folded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_folded(v) for v in value]
    return value


@settings(max_examples=60, deadline=None)
@given(data=st.data(), index=st.integers(0, len(READABLE) - 1))
def test_readings_ignore_spacing_case_form_and_dashes(catalog, data, index: int) -> None:  # type: ignore[no-untyped-def]
    phrase = READABLE[index]
    variant = _variant(phrase, data.draw)
    expected = _folded(parse(catalog, phrase).timing.model_dump(mode="json"))
    got = _folded(parse(catalog, variant).timing.model_dump(mode="json"))
    assert got == expected, variant


@settings(max_examples=40, deadline=None)
@given(data=st.data(), index=st.integers(0, len(REFUSED) - 1))
def test_refusals_name_the_part_that_could_not_be_read(catalog, data, index: int) -> None:  # type: ignore[no-untyped-def]
    variant = _variant(REFUSED[index], data.draw)
    with pytest.raises(PhraseError) as info:
        parse(catalog, variant)
    message = str(info.value).split("; hãy ghi rõ")[0]  # the suggestion quotes examples
    named = re.findall(r"«([^»]*)»", message)
    key = unicodedata.normalize("NFC", " ".join(variant.split())).casefold()
    assert named and all(
        unicodedata.normalize("NFC", " ".join(part.split())).casefold() in key for part in named
    ), (variant, str(info.value))
