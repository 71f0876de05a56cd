"""Wordings of real plans (issue 12, points 2–4): what each reads as, what is refused, and how
``engine parse`` explains a reading.

Every row is read with a fixed plan year (and signing date), so no reading depends on today;
the CLI test freezes the clock, because ``engine parse`` takes today's year by default.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from engine.cli import app
from engine.timing.builders import SigningDateNeeded
from engine.timing.models import CompositeTiming, DatedTiming, RecurringTiming, Timing
from engine.timing.parse import ParseContext, PhraseBook, PhraseError, PhrasePattern
from tests.conftest import RULES, SCHEDULES
from tests.test_phrase_cells import _folded, _variant


def parse(catalog, phrase: str, year: int = 2025):  # type: ignore[no-untyped-def]
    return catalog.phrases.parse(phrase, ParseContext(year, date(year, 1, 1)))


def meaning(timing: Timing) -> dict[str, Any]:
    """A timing as the rows below write it: class, due dates, windows, labels, recurrence."""
    if isinstance(timing, CompositeTiming):
        return {"class": "composite", "parts": [meaning(part) for part in timing.parts]}
    data: dict[str, Any] = {"class": str(timing.timing_class)}
    if isinstance(timing, DatedTiming):
        data["due"] = [m.nominal_due.isoformat() for m in timing.milestones]
        if windows := [m.window_start.isoformat() for m in timing.milestones if m.window_start]:
            data["window"] = windows
        if labels := [m.label for m in timing.milestones if m.label]:
            data["label"] = labels
        if any(m.roll == "backward" for m in timing.milestones):
            data["before"] = True
    if isinstance(timing, RecurringTiming):
        data["period"] = timing.period
        for name in ("start", "before_day", "due_day", "month", "window_month"):
            if (value := getattr(timing, name)) is not None:
                data[name] = value.isoformat() if isinstance(value, date) else value
    if hasattr(timing, "trigger"):
        data["trigger"] = timing.trigger
    return data


YEARLY = {"class": "periodic", "period": "year"}
HALF_YEARLY = {"class": "periodic", "period": "half_year"}

# (phrase, meaning) with the plan year 2025; docs/timing.md lists the same wordings.
READINGS: list[tuple[str, dict[str, Any]]] = [
    # month/year without "Tháng", dotted months
    ("9/2026", {"class": "fixed_month", "due": ["2026-09-30"]}),
    ("07/2024", {"class": "fixed_month", "due": ["2024-07-31"]}),
    ("4.2026", {"class": "fixed_month", "due": ["2026-04-30"]}),
    # bare years, years with words, year ranges and periods
    ("2025", {"class": "year", "due": ["2025-12-31"]}),
    ("Năm 2025", {"class": "year", "due": ["2025-12-31"]}),
    ("Trong năm 2025", {"class": "year", "due": ["2025-12-31"]}),
    ("Đến năm 2030", {"class": "year", "due": ["2030-12-31"]}),
    ("Hết năm 2025", {"class": "year", "due": ["2025-12-31"]}),
    ("2021-2025", {"class": "year", "due": ["2025-12-31"], "window": ["2021-01-01"]}),
    ("Giai đoạn 2026 - 2030", {"class": "year", "due": ["2030-12-31"], "window": ["2026-01-01"]}),
    ("Năm 2024 - 2025", {"class": "year", "due": ["2025-12-31"], "window": ["2024-01-01"]}),
    (
        "Trong các năm 2025 - 2026",
        {"class": "year", "due": ["2026-12-31"], "window": ["2025-01-01"]},
    ),
    ("Các năm 2025, 2026", {"class": "several_months", "due": ["2025-12-31", "2026-12-31"]}),
    # a count of months with the months it counts
    (
        "02 tháng (tháng 4 và tháng 8)",
        {"class": "several_months", "due": ["2025-04-30", "2025-08-31"]},
    ),
    # recurrences
    ("2024 và các năm tiếp theo", {**YEARLY, "start": "2024-01-01"}),
    ("Hằng năm, từ năm 2025", {**YEARLY, "start": "2025-01-01"}),
    ("Hằng năm", YEARLY),
    ("Hàng năm", YEARLY),
    ("Định kỳ hằng năm", YEARLY),
    ("Tháng 12 hằng năm", YEARLY),
    ("Quý IV hàng năm", YEARLY),
    ("Trước 15/12 hằng năm", {**YEARLY, "before_day": 15}),
    ("Trước ngày 15 tháng 12 hằng năm", {**YEARLY, "before_day": 15}),
    ("Hằng năm (trước ngày 15/12)", {**YEARLY, "before_day": 15}),
    ("ngày 20/12 hằng năm", {**YEARLY, "due_day": 20}),
    ("Hàng năm, trước ngày 25 tháng 12", {**YEARLY, "before_day": 25}),
    ("Định kỳ hằng năm (trước ngày 15 tháng 12)", {**YEARLY, "before_day": 15}),
    ("trước ngày 30 tháng 11 hàng năm", {**YEARLY, "before_day": 30, "month": 11}),
    ("Tháng 3 hằng năm", {**YEARLY, "due_day": 31, "month": 3}),
    (
        "Từ tháng 3 đến tháng 11 hằng năm",
        {**YEARLY, "due_day": 30, "month": 11, "window_month": 3},
    ),
    ("Định kỳ 06 tháng", HALF_YEARLY),
    ("6 tháng một lần", HALF_YEARLY),
    ("Định kỳ 6 tháng", HALF_YEARLY),
    ("Tháng 6 và tháng 12 hằng năm", HALF_YEARLY),
    ("trước ngày 15/6 và 15/12 hằng năm", {**HALF_YEARLY, "before_day": 15}),
    ("Báo cáo định kỳ 6 tháng và hằng năm", {"class": "composite", "parts": [HALF_YEARLY, YEARLY]}),
    ("Từ năm 2025", {"class": "start_from", "period": "month", "start": "2025-01-01"}),
    ("Từ năm 2026 trở đi", {"class": "start_from", "period": "month", "start": "2026-01-01"}),
    # before a day, a quarter
    ("trước 15/12/2025", {"class": "date", "due": ["2025-12-14"], "before": True}),
    ("trước ngày 15/12/2025", {"class": "date", "due": ["2025-12-14"], "before": True}),
    ("trước quý II/2026", {"class": "quarter", "due": ["2026-03-31"], "before": True}),
    # quarter and month ranges, half-years
    (
        "Quý III/2025 - Quý IV/2025",
        {"class": "quarter", "due": ["2025-12-31"], "window": ["2025-07-01"]},
    ),
    (
        "Quý IV/2025 - Quý I/2026",
        {"class": "quarter", "due": ["2026-03-31"], "window": ["2025-10-01"]},
    ),
    (
        "Từ quý I đến quý III năm 2025",
        {"class": "quarter", "due": ["2025-09-30"], "window": ["2025-01-01"]},
    ),
    (
        "Tháng 3 - Tháng 6/2025",
        {"class": "fixed_month", "due": ["2025-06-30"], "window": ["2025-03-01"]},
    ),
    (
        "tháng 11/2025 - tháng 02/2026",
        {"class": "fixed_month", "due": ["2026-02-28"], "window": ["2025-11-01"]},
    ),
    (
        "6 tháng đầu năm 2025",
        {"class": "quarter", "due": ["2025-06-30"], "window": ["2025-01-01"]},
    ),
    (
        "6 tháng cuối năm 2024",
        {"class": "quarter", "due": ["2024-12-31"], "window": ["2024-07-01"]},
    ),
    # lists sharing one printed year
    (
        "tháng 9, tháng 10 năm 2024",
        {"class": "several_months", "due": ["2024-09-30", "2024-10-31"]},
    ),
    ("Tháng 6 và Tháng 12/2024", {"class": "several_months", "due": ["2024-06-30", "2024-12-31"]}),
    (
        "Quý I và Quý II/2024",
        {
            "class": "several_months",
            "due": ["2024-03-31", "2024-06-30"],
            "window": ["2024-01-01", "2024-04-01"],
        },
    ),
    # an action before the time is the milestone's label
    (
        "Trình Thủ tướng Chính phủ trong tháng 9/2026",
        {"class": "fixed_month", "due": ["2026-09-30"], "label": ["Trình Thủ tướng Chính phủ"]},
    ),
    (
        "Trình Quốc hội tại Kỳ họp thứ 10 (tháng 10/2025)",
        {
            "class": "fixed_month",
            "due": ["2025-10-31"],
            "label": ["Trình Quốc hội tại Kỳ họp thứ 10"],
        },
    ),
    (
        "đưa vào vận hành trong Quý IV/2024",
        {
            "class": "quarter",
            "due": ["2024-12-31"],
            "window": ["2024-10-01"],
            "label": ["đưa vào vận hành"],
        },
    ),
    (
        "hoàn thiện đưa vào sử dụng ngay trong quý 2/2025",
        {
            "class": "quarter",
            "due": ["2025-06-30"],
            "window": ["2025-04-01"],
            "label": ["hoàn thiện đưa vào sử dụng ngay"],
        },
    ),
    (
        "phát triển công nghệ số trong năm 2025",
        {"class": "year", "due": ["2025-12-31"], "label": ["phát triển công nghệ số"]},
    ),
    # events
    (
        "Sau khi Nghị định được ban hành",
        {"class": "event", "trigger": "Nghị định được ban hành"},
    ),
    # more wordings of the corpus of real cells
    ("Quí IV-2025", {"class": "quarter", "due": ["2025-12-31"], "window": ["2025-10-01"]}),
    ("Trước 2030", {"class": "year", "due": ["2029-12-31"], "before": True}),
    (
        "Từ năm 2025 đến hết năm 2030",
        {"class": "year", "due": ["2030-12-31"], "window": ["2025-01-01"]},
    ),
    ("Từ năm 2026 - 2030", {"class": "year", "due": ["2030-12-31"], "window": ["2026-01-01"]}),
    ("Giai đoạn 2026-2030 và những năm tiếp theo", {**YEARLY, "start": "2026-01-01"}),
    ("Quý IV năm 2025 và các năm tiếp theo", {**YEARLY, "start": "2025-10-01"}),
    ("Tháng 7/2025 và các năm tiếp theo", {**YEARLY, "start": "2025-07-01"}),
    (
        "Bắt đầu triển khai từ năm 2026",
        {"class": "start_from", "period": "month", "start": "2026-01-01"},
    ),
    ("Từ 01/7/2025", {"class": "start_from", "period": "month", "start": "2025-07-01"}),
    (
        "Từ tháng 11/2025 đến khi kết thúc Tổng kiểm kê",
        {"class": "start_from", "period": "month", "start": "2025-11-01"},
    ),
    ("sau năm 2028", {"class": "start_from", "period": "month", "start": "2029-01-01"}),
    (
        "Từ ngày 01/01/2026 đến ngày 31/3/2026",
        {"class": "date", "due": ["2026-03-31"], "window": ["2026-01-01"]},
    ),
    ("vào ngày 19 tháng 12 năm 2025", {"class": "date", "due": ["2025-12-19"]}),
    ("Từ nay đến hết ngày 31 tháng 12 năm 2025", {"class": "date", "due": ["2025-12-31"]}),
    (
        "Tổng kết vào tháng 4 năm 2026",
        {"class": "fixed_month", "due": ["2026-04-30"], "label": ["Tổng kết"]},
    ),
    ("từ nay đến tháng 6/2027", {"class": "fixed_month", "due": ["2027-06-30"]}),
    ("(hoàn thành trong tháng 11/2025)", {"class": "fixed_month", "due": ["2025-11-30"]}),
    ("+ Tháng 3/2025", {"class": "fixed_month", "due": ["2025-03-31"]}),
    (
        "08 tháng (từ tháng 3 đến tháng 10)",
        {"class": "fixed_month", "due": ["2025-10-31"], "window": ["2025-03-01"]},
    ),
    (
        "Định kỳ hàng năm hoặc đột xuất",
        {"class": "composite", "parts": [YEARLY, {"class": "on_request", "trigger": ""}]},
    ),
    # "sơ kết giữa kỳ" (a mid-term review) is an action, not a vague time
    (
        "sơ kết giữa kỳ vào năm 2008",
        {"class": "year", "due": ["2008-12-31"], "label": ["sơ kết giữa kỳ"]},
    ),
    # on request, not an event nor a document
    ("Theo yêu cầu", {"class": "on_request", "trigger": ""}),
    ("Khi có yêu cầu của Bộ trưởng", {"class": "on_request", "trigger": "của Bộ trưởng"}),
    (
        "Năm 2025 hoặc theo yêu cầu",
        {
            "class": "composite",
            "parts": [
                {"class": "year", "due": ["2025-12-31"]},
                {"class": "on_request", "trigger": ""},
            ],
        },
    ),
    # one continuous duty per cell
    ("Thường xuyên, liên tục", {"class": "continuous", "period": "month"}),
    ("Thường xuyên, hằng năm", {"class": "continuous", "period": "month"}),
    (
        "Triển khai từ năm 2026 và thực hiện thường xuyên, liên tục",
        {"class": "start_from", "period": "month", "start": "2026-01-01"},
    ),
    # clauses: an action's words across commas, times after an action, notes set aside
    (
        "Hoàn thành trong giai đoạn 2026 - 2027 và vận hành thường xuyên, liên tục",
        {
            "class": "composite",
            "parts": [
                {"class": "year", "due": ["2027-12-31"], "window": ["2026-01-01"]},
                {"class": "continuous", "period": "month"},
            ],
        },
    ),
    (
        "Mạng lưới quan trắc được đầu tư, đồng bộ hoàn thành trước năm 2027 và vận hành"
        " thường xuyên, liên tục.",
        {
            "class": "composite",
            "parts": [
                {
                    "class": "year",
                    "due": ["2026-12-31"],
                    "label": ["Mạng lưới quan trắc được đầu tư, đồng bộ hoàn thành"],
                    "before": True,
                },
                {"class": "continuous", "period": "month"},
            ],
        },
    ),
    (
        "Ban hành trong quý I năm 2026. Thực hiện rà soát, điều chỉnh (nếu có)",
        {
            "class": "quarter",
            "due": ["2026-03-31"],
            "window": ["2026-01-01"],
            "label": ["Ban hành"],
        },
    ),
    (
        "Hoàn thành trong năm 2026 và có rà soát, bổ sung trong các năm tiếp theo (nếu có)",
        {"class": "year", "due": ["2026-12-31"]},
    ),
    (
        "Thí điểm trong giai đoạn 2026 - 2028, nghiên cứu xem xét mở rộng sau thí điểm.",
        {"class": "year", "due": ["2028-12-31"], "window": ["2026-01-01"], "label": ["Thí điểm"]},
    ),
    (
        "Thực hiện các nghiên cứu trong giai đoạn 2026 - 2027. Tổ chức thí điểm từ sau năm 2027",
        {
            "class": "composite",
            "parts": [
                {
                    "class": "year",
                    "due": ["2027-12-31"],
                    "window": ["2026-01-01"],
                    "label": ["Thực hiện các nghiên cứu"],
                },
                {"class": "start_from", "period": "month", "start": "2028-01-01"},
            ],
        },
    ),
]


@pytest.mark.parametrize(("phrase", "expected"), READINGS, ids=[p for p, _ in READINGS])
def test_real_wordings_read_right(catalog, phrase: str, expected: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    assert meaning(parse(catalog, phrase).timing) == expected


# (phrase, words the refusal must quote): refused on purpose, never guessed.
REFUSED: list[tuple[str, str]] = [
    ("Đầu năm 2024", "«Đầu năm» không đủ rõ"),
    ("Tuần đầu tháng 7/2024", "«Tuần đầu» không đủ rõ"),
    ("6 tháng đầu năm", "«đầu năm» không đủ rõ"),
    ("giữa kỳ năm 2008", "«giữa kỳ» không đủ rõ"),
    # yearly duties in their own month are read (tests/test_phrases_yearly.py); an impossible
    # day, or one half-year month printed twice, is not
    ("trước ngày 31/11 hằng năm", "ngày 31/11 không tồn tại"),
    ("trước ngày 15/6 và 15/6 hằng năm", "hạn định kỳ vào tháng 6"),
    ("Quý IV/2026 - Quý I/2026", "quý cuối (Q1) đứng trước quý đầu (Q4)"),
    ("Tháng 6 - Tháng 3/2025", "tháng cuối (3/2025) đứng trước tháng đầu (6/2025)"),
    # a word that only opens a time is no action: "Từ", "Hết" never become labels
    ("Hết Quý II/2025", "không đọc được cụm từ thời hạn «Hết Quý II/2025»"),
    ("Từ quý II/2025", "không đọc được cụm từ thời hạn «Từ quý II/2025»"),
    # a document's number is not a month, nor its date a deadline
    ("Quyết định số 12/2025", "không đọc được cụm từ thời hạn «Quyết định số 12/2025»"),
    ("Chỉ thị số 05/CT-TTg ngày 23/02/2023", "không đọc được cụm từ thời hạn «Chỉ thị số"),
    ("Nghị quyết số 57-NQ/TW ngày 22/12/2024", "không đọc được cụm từ thời hạn «Nghị quyết"),
    # an action tied to another time, or before a bare year, is no label
    ("Trước kỳ họp Quốc hội tháng 10", "không đọc được cụm từ thời hạn «Trước kỳ họp"),
    ("Dịp Tết Nguyên đán 2026", "không đọc được cụm từ thời hạn «Dịp Tết Nguyên đán 2026»"),
    # a count that does not match its range; a recurrence after a note
    ("07 tháng (từ tháng 3 đến tháng 10)", "7 tháng không khớp với khoảng 8 tháng ghi kèm"),
    ("03 tháng (tháng 4 và tháng 8)", "3 tháng không khớp với các tháng ghi kèm"),
    ("02 tháng (Quý I và tháng 8)", "2 tháng không khớp với các tháng ghi kèm"),
    ("Quý I/2025, sau đó báo cáo hằng quý", "không đọc được phần «sau đó báo cáo hằng quý»"),
    # "hoặc" between two deadlines: which one?
    ("Quý I hoặc Quý II/2025", "nối các thời hạn bằng «hoặc», không rõ hạn nào"),
    ("Hằng quý hoặc hằng năm", "nối các thời hạn bằng «hoặc», không rõ hạn nào"),
    # a deadline marked "(nếu có)" alone is not set aside: nothing else would be read
    ("Quý II/2025 (nếu có)", "không đọc được cụm từ thời hạn «Quý II/2025 (nếu có)»"),
]


@pytest.mark.parametrize(("phrase", "words"), REFUSED, ids=[p for p, _ in REFUSED])
def test_unclear_wordings_are_refused(catalog, phrase: str, words: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PhraseError) as info:
        parse(catalog, phrase)
    assert words in str(info.value)


@settings(max_examples=120, deadline=None)
@given(data=st.data(), index=st.integers(0, len(READINGS) - 1))
def test_real_readings_ignore_spacing_case_form_and_dashes(catalog, data, index: int) -> None:  # type: ignore[no-untyped-def]
    phrase, expected = READINGS[index]
    variant = _variant(phrase, data.draw)
    assert _folded(meaning(parse(catalog, variant).timing)) == _folded(expected), variant


@settings(max_examples=60, deadline=None)
@given(data=st.data(), index=st.integers(0, len(REFUSED) - 1))
def test_real_refusals_survive_variants_and_quote_the_printed_part(
    catalog, data, index: int
) -> None:  # type: ignore[no-untyped-def]
    """A variant is refused too, and every «...» the message quotes (before its suggestion)
    is a part of the phrase as printed, up to spacing, case and normal form."""
    variant = _variant(REFUSED[index][0], data.draw)
    with pytest.raises(PhraseError) as info:
        parse(catalog, variant)
    message = str(info.value).split("; hãy ghi rõ")[0]
    key = _folded(variant)
    quoted = [part for part in message.split("«")[1:]]
    assert quoted and all(_folded(part.split("»")[0]) in key for part in quoted), message


def test_a_pattern_without_the_placeholder_its_class_needs_is_an_error(catalog) -> None:  # type: ignore[no-untyped-def]
    """The example of an admin's pattern "đầu quý {quarter}" of class fixed_month fails
    ``engine check`` with a message, not a crash."""
    grammar = catalog.phrases.grammar.model_copy(
        update={
            "patterns": [
                PhrasePattern.model_validate(
                    {"id": "dau-quy", "class": "fixed_month", "match": ["đầu quý {quarter}/{year}"]}
                )
            ]
        }
    )
    with pytest.raises(PhraseError) as info:
        PhraseBook(grammar).parse("Đầu quý II/2026", ParseContext(2026))
    assert "mẫu «dau-quy» thuộc lớp «fixed_month» nhưng không có chỗ trống {month}" in str(
        info.value
    )


@pytest.mark.parametrize(
    ("phrase", "signed", "due"),
    [
        # the 5th working day after Saturday 22/11/2025
        ("chậm nhất 05 ngày làm việc kể từ ngày ban hành Quyết định", "2025-11-22", "2025-11-28"),
        ("không quá 03 ngày làm việc kể từ ngày ban hành Quyết định", "2025-11-30", "2025-12-03"),
        # calendar days
        ("chậm nhất 03 ngày kể từ ngày ban hành Quyết định", "2025-11-18", "2025-11-21"),
    ],
)
def test_days_counted_from_the_plans_signing(catalog, phrase: str, signed: str, due: str) -> None:  # type: ignore[no-untyped-def]
    day = date.fromisoformat(signed)
    timing = catalog.phrases.parse(phrase, ParseContext(day.year, day)).timing
    assert meaning(timing) == {"class": "date", "due": [due]}


def test_days_counted_from_an_unknown_signing_are_refused(catalog) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SigningDateNeeded) as info:
        catalog.phrases.parse(
            "chậm nhất 05 ngày làm việc kể từ ngày ban hành Quyết định", ParseContext(2025)
        )
    assert "cần biết ngày ban hành của Kế hoạch" in str(info.value)


def test_words_set_aside_are_shown_in_the_reading(catalog) -> None:  # type: ignore[no-untyped-def]
    parsed = parse(catalog, "Ban hành trong quý I năm 2026. Thực hiện rà soát, điều chỉnh (nếu có)")
    (only,) = parsed.parts
    assert only.ignored == ("Ban hành",)
    assert only.set_aside == ("Thực hiện rà soát, điều chỉnh (nếu có)",)


def test_vague_refusals_suggest_a_wording(catalog) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PhraseError) as info:
        parse(catalog, "Đầu năm 2024")
    assert "hãy ghi rõ tháng («Tháng 1/2024»), quý («Quý I/2024»)" in str(info.value)
    # a periodic duty in a month no period ends in: tests/test_phrases_yearly.py


def test_the_reading_names_words_values_and_borrowings(catalog) -> None:  # type: ignore[no-untyped-def]
    parsed = parse(catalog, "Trình Thủ tướng Chính phủ trong tháng 9/2026, tháng 10/2026.")
    first, second = parsed.parts
    assert (first.pattern, first.read, first.ignored) == (
        "thang-nam",
        "trong tháng 9/2026",
        ("Trình Thủ tướng Chính phủ",),
    )
    assert dict(first.values) == {"month": "9", "year": "2026"}
    assert second.read == "tháng 10/2026"  # the final "." is not read
    assert second.action_from == first.text
    (only,) = parse(catalog, "Trước 15/12 hằng năm").parts
    assert (only.pattern, dict(only.values)) == (
        "hang-nam-truoc-ngay",
        {"day": "15", "month": "12"},
    )


@freeze_time("2025-03-10")
def test_engine_parse_explains_due_dates_recurrence_and_reading(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ENGINE_RULES_DIR", str(RULES))
    monkeypatch.setenv("ENGINE_SCHEDULES_DIR", str(SCHEDULES))
    runner = CliRunner()
    result = runner.invoke(app, ["parse", "Quý I và Quý II/2024"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "(năm của Kế hoạch: 2025)" in result.output  # today's year by default
    assert "hạn 01/04/2024 (ghi 31/03/2024, dời về ngày làm việc), bắt đầu từ 01/01/2024" in (
        result.output
    )
    assert "«Quý I»: mẫu «quy-khong-nam» đọc «Quý I» (quý = I); lấy năm của «Quý II/2024»" in (
        result.output
    )
    result = runner.invoke(app, ["parse", "Trước 15/12 hằng năm"], env={"COLUMNS": "250"})
    assert "lặp lại hằng năm, hạn mỗi kỳ trước ngày 15 của tháng cuối kỳ" in result.output
    result = runner.invoke(app, ["parse", "Tháng 3 - Tháng 6/2025", "--format", "json"])
    data = json.loads(result.output)
    assert data["due"] == ["2025-06-30"] and data["milestones"][0]["window_start"] == "2025-03-01"
    assert data["reading"][0]["values"] == {"month": "3", "month_end": "6", "year": "2025"}
    result = runner.invoke(app, ["parse", "Đầu năm 2024"])
    assert result.exit_code == 1 and "«Đầu năm» không đủ rõ" in result.output
