"""Yearly duties due in a month other than December (issue 12): "trước ngày 30/11 hằng năm",
"Tháng 3 hằng năm", "Từ tháng 3 đến tháng 11 hằng năm", "trước ngày 01/6 và 15/11 hằng năm".

What each wording reads as, how ``engine parse`` explains it, how a hand-written timing is
checked, and the statuses of a plan holding them on frozen days around each due date (before,
on, after; a due date on a weekend or a holiday rolled as everywhere else). Yearly duties
without a month stay due at the year's end.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from engine import clock
from engine.catalog.loader import check, load_catalog
from engine.cli import app
from engine.periods import period_due, periods
from engine.progress import Completion, Progress
from engine.status import Status
from engine.timing.models import RecurringTiming, TimingClass
from engine.timing.parse import ParseContext, PhraseBook, PhraseError, PhrasePattern
from tests.conftest import RULES, SCHEDULES, occurrences_of
from tests.test_phrase_cells import _folded, _variant
from tests.test_phrases_real import meaning, parse

S = Status
D = date
YEARLY = {"class": "periodic", "period": "year"}

# (phrase, meaning): one yearly duty in its own month, or two
READINGS: list[tuple[str, dict[str, Any]]] = [
    ("trước ngày 30/11 hằng năm", {**YEARLY, "before_day": 30, "month": 11}),
    ("Định kỳ hằng năm (trước ngày 30 tháng 11)", {**YEARLY, "before_day": 30, "month": 11}),
    ("hằng năm (trước ngày 15 tháng 11)", {**YEARLY, "before_day": 15, "month": 11}),
    ("trước ngày 25 tháng 01 hàng năm", {**YEARLY, "before_day": 25, "month": 1}),
    ("Trước 15/6 hằng năm", {**YEARLY, "before_day": 15, "month": 6}),
    ("ngày 20/10 hằng năm", {**YEARLY, "due_day": 20, "month": 10}),
    ("Tháng 3 hằng năm", {**YEARLY, "due_day": 31, "month": 3}),
    ("Tháng 2 hằng năm", {**YEARLY, "due_day": 29, "month": 2}),
    ("Quý I hằng năm", {**YEARLY, "due_day": 31, "month": 3}),
    ("Từ tháng 3 đến tháng 11 hằng năm", {**YEARLY, "due_day": 30, "month": 11, "window_month": 3}),
    (
        "từ tháng 3 đến hết tháng 11 hàng năm",
        {**YEARLY, "due_day": 30, "month": 11, "window_month": 3},
    ),
    ("Từ tháng 3 đến tháng 12 hằng năm", {**YEARLY, "window_month": 3}),
    (
        "trước ngày 01/6 và 15/11 hằng năm",
        {
            "class": "composite",
            "parts": [
                {**YEARLY, "before_day": 1, "month": 6},
                {**YEARLY, "before_day": 15, "month": 11},
            ],
        },
    ),
    (
        "trước ngày 15/6 và 20/12 hằng năm",
        {
            "class": "composite",
            "parts": [{**YEARLY, "before_day": 15, "month": 6}, {**YEARLY, "before_day": 20}],
        },
    ),
    (
        "Tháng 3 và tháng 9 hằng năm",
        {
            "class": "composite",
            "parts": [
                {**YEARLY, "due_day": 31, "month": 3},
                {**YEARLY, "due_day": 30, "month": 9},
            ],
        },
    ),
    # unchanged: December, or no month, is the period's end as before
    ("Trước 15/12 hằng năm", {**YEARLY, "before_day": 15}),
    ("Tháng 12 hằng năm", YEARLY),
    ("Quý IV hàng năm", YEARLY),
    ("Hằng năm", YEARLY),
    (
        "trước ngày 15/6 và 15/12 hằng năm",
        {"class": "periodic", "period": "half_year", "before_day": 15},
    ),
]


@pytest.mark.parametrize(("phrase", "expected"), READINGS, ids=[p for p, _ in READINGS])
def test_yearly_wordings_read_right(catalog, phrase: str, expected: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    assert meaning(parse(catalog, phrase).timing) == expected


@settings(max_examples=150, deadline=None)
@given(data=st.data(), index=st.integers(0, len(READINGS) - 1))
def test_yearly_readings_ignore_spacing_case_form_and_dashes(catalog, data, index: int) -> None:  # type: ignore[no-untyped-def]
    phrase, expected = READINGS[index]
    variant = _variant(phrase, data.draw)
    assert _folded(meaning(parse(catalog, variant).timing)) == _folded(expected), variant


@pytest.mark.parametrize(
    ("phrase", "words"),
    [
        ("trước ngày 31/11 hằng năm", "ngày 31/11 không tồn tại"),
        ("ngày 30/02 hằng năm", "ngày 30/2 không tồn tại"),
        ("trước ngày 15/6 và 15/6 hằng năm", "hạn định kỳ vào tháng 6"),
        ("Từ tháng 11 đến tháng 3 hằng năm", "tháng bắt đầu (11) đứng sau tháng đến hạn (3)"),
    ],
)
def test_impossible_yearly_days_are_refused(catalog, phrase: str, words: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PhraseError) as info:
        parse(catalog, phrase)
    assert words in str(info.value) and "«" in str(info.value)


def test_a_half_year_in_other_months_is_still_refused_with_a_suggestion(catalog) -> None:  # type: ignore[no-untyped-def]
    """An admin's half-yearly pattern printing one month that is no half-year end is refused,
    never moved: only yearly duties fall in any month."""
    grammar = catalog.phrases.grammar.model_copy(
        update={
            "patterns": [
                PhrasePattern.model_validate(
                    {
                        "id": "nua-nam-thang",
                        "class": "periodic",
                        "period": "half_year",
                        "match": ["tháng {month} mỗi nửa năm"],
                    }
                )
            ]
        }
    )
    with pytest.raises(PhraseError) as info:
        PhraseBook(grammar).parse("Tháng 3 mỗi nửa năm", ParseContext(2025))
    assert "hãy ghi rõ thời hạn của từng năm, ví dụ «Tháng 3/2025, Tháng 3/2026»" in str(info.value)


def test_engine_parse_explains_the_month_of_a_yearly_duty(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ENGINE_RULES_DIR", str(RULES))
    monkeypatch.setenv("ENGINE_SCHEDULES_DIR", str(SCHEDULES))
    runner = CliRunner()
    shown = {
        "trước ngày 30/11 hằng năm": "lặp lại hằng năm, hạn mỗi kỳ trước ngày 30/11",
        "Tháng 3 hằng năm": "lặp lại hằng năm, hạn mỗi kỳ ngày cuối tháng 3",
        "ngày 05/9 hằng năm": "lặp lại hằng năm, hạn mỗi kỳ ngày 05/09",
        "Từ tháng 3 đến tháng 11 hằng năm": "hạn mỗi kỳ ngày cuối tháng 11, bắt đầu mỗi năm từ "
        "tháng 3",
        "trước ngày 01/6 và 15/11 hằng năm": "Phần 2: định kỳ («periodic»): lặp lại hằng năm, "
        "hạn mỗi kỳ trước ngày 15/11",
    }
    for phrase, words in shown.items():
        result = runner.invoke(app, ["parse", phrase], env={"COLUMNS": "250"})
        assert result.exit_code == 0 and words in result.output, result.output
        assert "của tháng cuối kỳ" not in result.output
    result = runner.invoke(app, ["parse", "trước ngày 30/11 hằng năm", "--format", "json"])
    data = json.loads(result.output)
    assert (data["month"], data["before_day"], data["period_rule"]) == (11, 30, "trước ngày 30/11")


def test_periods_of_a_yearly_duty_in_its_own_month() -> None:
    """Keyed by the month it falls in; due that day of that month, capped at the month's end."""
    years = list(periods("year", D(2025, 3, 1), D(2026, 1, 1), due_month=11))
    assert [key for _, _, key in years] == ["2025-11", "2026-11"]
    assert [key for _, _, key in periods("year", D(2025, 3, 1), D(2026, 1, 1))] == ["2025", "2026"]
    first, last = D(2025, 1, 1), D(2025, 12, 31)
    assert period_due(first, last, 30, None, 11) == D(2025, 11, 29)
    assert period_due(first, last, None, 29, 2) == D(2025, 2, 28)
    assert period_due(D(2024, 1, 1), D(2024, 12, 31), None, 29, 2) == D(2024, 2, 29)
    assert period_due(first, last, None, 15, None) == D(2025, 12, 15)
    assert period_due(first, last, None, None, None) == last


# -- hand-written timings (rules/plans/*.yaml ``timing:``) -------------------------------------


def test_a_hand_written_yearly_timing_takes_a_month() -> None:
    timing = RecurringTiming.model_validate(
        {"timing_class": "periodic", "period": "year", "due_day": 15, "month": 2}
    )
    assert (timing.month, timing.due_day, timing.timing_class) == (2, 15, TimingClass.PERIODIC)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"period": "month", "due_day": 15, "month": 2}, "chỉ kỳ hằng năm mới ghi được tháng"),
        ({"period": "year", "month": 2}, "cần ngày: before_day hoặc due_day"),
        ({"period": "year", "before_day": 31, "month": 11}, "tháng 11 không có ngày 31"),
        ({"period": "year", "due_day": 15, "month": 12}, "bỏ trống month"),
        ({"period": "month", "window_month": 3}, "chỉ kỳ hằng năm mới ghi được tháng bắt đầu"),
        (
            {"period": "year", "due_day": 15, "month": 2, "window_month": 3},
            "tháng bắt đầu (3) đứng sau tháng đến hạn (2)",
        ),
    ],
)
def test_engine_check_refuses_a_month_it_cannot_use(
    rules_copy: Path, fields: dict[str, Any], words: str
) -> None:
    plan = rules_copy / "rules" / "plans" / "kh-hang-nam.yaml"
    timing = {"kind": "recurring", "timing_class": "periodic", **fields}
    plan.write_text(_plan("2025-01-02", [("1", "Hằng năm", timing)]), encoding="utf-8")
    errors = [str(e) for e in check(rules_copy / "rules", rules_copy / "schedules")[0]]
    assert any("kh-hang-nam" in e and words in e for e in errors), errors


# -- statuses on frozen days -------------------------------------------------------------------

TASKS = [
    ("1", "trước ngày 30/11 hằng năm", None),
    ("2", "Tháng 5 hằng năm", None),
    ("3", "Từ tháng 3 đến tháng 11 hằng năm", None),
    ("4", "trước ngày 01/6 và 15/11 hằng năm", None),
    ("5", "ngày 02/9 hằng năm", None),
    ("6", "trước ngày 02/5 hằng năm", None),
    ("7", "Hằng năm", None),
    (
        "8",
        "Hằng năm",
        {
            "kind": "recurring",
            "timing_class": "periodic",
            "period": "year",
            "due_day": 15,
            "month": 2,
        },
    ),
    ("9", "Báo cáo định kỳ 6 tháng và hằng năm", None),
]


def _plan(
    signed: str, tasks: list[tuple[str, str, dict[str, Any] | None]], plan_id: str = "kh-hang-nam"
) -> str:
    """A plan file signed (and starting) on ``signed``, one row per (id, deadline, timing)."""
    rows = [
        {
            "id": task,
            "section": "Nhiệm vụ",
            "content": "Báo cáo kết quả thực hiện",
            "lead": ["Cục Công nghệ thông tin"],
            "deadline": deadline,
            **({"timing": timing} if timing else {}),
        }
        for task, deadline, timing in tasks
    ]
    plan = {
        "id": plan_id,
        "number": "99/KH-BTP",
        "title": "Kế hoạch thử các nhiệm vụ hằng năm",
        "issuer": "Bộ Tư pháp",
        "signed": D.fromisoformat(signed),
        "horizon": {"text": "hằng năm", "start": D.fromisoformat(signed), "end": None},
        "coordinating_unit": "Văn phòng Bộ",
    }
    return yaml.safe_dump({"plan": plan, "tasks": rows}, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="module")
def yearly_catalog(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The shipped rules plus a plan signed 02/01/2025 holding the yearly duties of ``TASKS``,
    and one signed 01/07/2025 whose May duty first falls due in 2026."""
    import shutil

    root = tmp_path_factory.mktemp("yearly")
    shutil.copytree(RULES, root / "rules")
    shutil.copytree(SCHEDULES, root / "schedules")
    plans = root / "rules" / "plans"
    (plans / "kh-hang-nam.yaml").write_text(_plan("2025-01-02", TASKS), encoding="utf-8")
    late = _plan("2025-07-01", [("1", "Tháng 5 hằng năm", None)], "kh-hang-nam-muon")
    (plans / "kh-hang-nam-muon.yaml").write_text(late, encoding="utf-8")
    return load_catalog(root / "rules", root / "schedules")


UNIT = "cuc-cntt"
# (case, task, milestone, frozen day, status, rolled due date); 7 working days before a due
# date it is "due soon", on it still, the day after overdue.
ROWS = [
    # "trước ngày 30/11": the day before, 29/11/2025, is a Saturday: rolled back to Friday 28/11
    (
        "before 30/11: 8 working days before",
        "1",
        "2025-11",
        D(2025, 11, 18),
        S.IN_PROGRESS,
        D(2025, 11, 28),
    ),
    (
        "before 30/11: 7 working days before",
        "1",
        "2025-11",
        D(2025, 11, 19),
        S.DUE_SOON,
        D(2025, 11, 28),
    ),
    ("before 30/11: due day", "1", "2025-11", D(2025, 11, 28), S.DUE_SOON, D(2025, 11, 28)),
    (
        "before 30/11: rolled day passed",
        "1",
        "2025-11",
        D(2025, 11, 29),
        S.OVERDUE,
        D(2025, 11, 28),
    ),
    (
        "before 30/11: early in the year",
        "1",
        "2025-11",
        D(2025, 2, 3),
        S.IN_PROGRESS,
        D(2025, 11, 28),
    ),
    (
        "before 30/11: December still owes it",
        "1",
        "2025-11",
        D(2025, 12, 20),
        S.OVERDUE,
        D(2025, 11, 28),
    ),
    # 2026: 29/11/2026 is a Sunday, rolled back to Friday 27/11
    ("before 30/11: next year", "1", "2026-11", D(2026, 11, 30), S.OVERDUE, D(2026, 11, 27)),
    (
        "before 30/11: next year in time",
        "1",
        "2026-11",
        D(2026, 11, 27),
        S.DUE_SOON,
        D(2026, 11, 27),
    ),
    # "Tháng 5": 31/5/2025 is a Saturday, rolled forward to Monday 2/6
    ("May: last day of May", "2", "2025-05", D(2025, 5, 31), S.DUE_SOON, D(2025, 6, 2)),
    ("May: rolled due day", "2", "2025-05", D(2025, 6, 2), S.DUE_SOON, D(2025, 6, 2)),
    ("May: after", "2", "2025-05", D(2025, 6, 3), S.OVERDUE, D(2025, 6, 2)),
    # "Từ tháng 3 đến tháng 11": due 30/11/2025, a Sunday, rolled forward to Monday 1/12
    ("March-November: before March", "3", "2025-11", D(2025, 2, 28), S.NOT_STARTED, D(2025, 12, 1)),
    ("March-November: 1 March", "3", "2025-11", D(2025, 3, 1), S.IN_PROGRESS, D(2025, 12, 1)),
    ("March-November: in March", "3", "2025-11", D(2025, 3, 10), S.IN_PROGRESS, D(2025, 12, 1)),
    (
        "March-November: next year before March",
        "3",
        "2026-11",
        D(2026, 2, 2),
        S.NOT_STARTED,
        D(2026, 11, 30),
    ),
    ("March-November: 30/11", "3", "2025-11", D(2025, 11, 30), S.DUE_SOON, D(2025, 12, 1)),
    ("March-November: after", "3", "2025-11", D(2025, 12, 2), S.OVERDUE, D(2025, 12, 1)),
    # two duties a year: before 01/6 (31/5/2025 Saturday → Friday 30/5) and before 15/11
    ("two dates: first before", "4", "2025-06", D(2025, 5, 20), S.IN_PROGRESS, D(2025, 5, 30)),
    ("two dates: first due", "4", "2025-06", D(2025, 5, 30), S.DUE_SOON, D(2025, 5, 30)),
    ("two dates: first after", "4", "2025-06", D(2025, 5, 31), S.OVERDUE, D(2025, 5, 30)),
    ("two dates: second open", "4", "2025-11", D(2025, 5, 31), S.IN_PROGRESS, D(2025, 11, 14)),
    ("two dates: second after", "4", "2025-11", D(2025, 11, 15), S.OVERDUE, D(2025, 11, 14)),
    # "ngày 02/9": National Day, 1–2/9/2025 off: rolled forward to Wednesday 3/9
    ("2/9: holiday", "5", "2025-09", D(2025, 9, 2), S.DUE_SOON, D(2025, 9, 3)),
    ("2/9: rolled due day", "5", "2025-09", D(2025, 9, 3), S.DUE_SOON, D(2025, 9, 3)),
    ("2/9: after", "5", "2025-09", D(2025, 9, 4), S.OVERDUE, D(2025, 9, 3)),
    # "trước ngày 02/5": 1/5 and 30/4 are holidays: rolled back to Tuesday 29/4/2025
    ("before 2/5: due", "6", "2025-05", D(2025, 4, 29), S.DUE_SOON, D(2025, 4, 29)),
    ("before 2/5: on the holiday", "6", "2025-05", D(2025, 4, 30), S.OVERDUE, D(2025, 4, 29)),
    # no month: unchanged, due at the year's end
    ("no month: year end", "7", "2025", D(2025, 11, 29), S.IN_PROGRESS, D(2025, 12, 31)),
    ("no month: after", "7", "2025", D(2026, 1, 1), S.OVERDUE, D(2025, 12, 31)),
    # hand-written: 15/2/2025 is a Saturday, rolled forward to Monday 17/2
    ("hand-written: due", "8", "2025-02", D(2025, 2, 17), S.DUE_SOON, D(2025, 2, 17)),
    ("hand-written: after", "8", "2025-02", D(2025, 2, 18), S.OVERDUE, D(2025, 2, 17)),
]


@pytest.mark.parametrize(
    ("task", "milestone", "day", "status", "due"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_yearly_status_on_frozen_day(yearly_catalog, task, milestone, day, status, due) -> None:  # type: ignore[no-untyped-def]
    with freeze_time(day.isoformat()):
        as_of = clock.today()
    found = [
        o
        for o in occurrences_of(yearly_catalog, as_of, "kh-hang-nam", task)
        if o.unit == UNIT and o.milestone == milestone
    ]
    assert [(o.status, o.due) for o in found] == [(status, due)]


@pytest.mark.parametrize(
    ("done_on", "status"),
    [
        (D(2025, 11, 20), S.DONE_ON_TIME),
        (D(2025, 11, 28), S.DONE_ON_TIME),
        (D(2025, 12, 1), S.DONE_LATE),
    ],
)
def test_a_yearly_duty_done_before_or_after_its_month(yearly_catalog, done_on, status) -> None:  # type: ignore[no-untyped-def]
    progress = Progress(
        completions=[Completion("kh-hang-nam", "1", done_on, unit=UNIT, milestone="2025-11")]
    )
    found = occurrences_of(yearly_catalog, D(2025, 12, 10), "kh-hang-nam", "1", progress)
    assert {(o.milestone, o.status) for o in found if o.unit == UNIT} == {("2025-11", status)}


def test_a_plan_signed_after_the_month_owes_it_from_next_year(yearly_catalog) -> None:  # type: ignore[no-untyped-def]
    """Signed 01/07/2025, "Tháng 5 hằng năm" first falls due on 31/5/2026 (a Sunday: 1/6)."""
    before = occurrences_of(yearly_catalog, D(2025, 9, 1), "kh-hang-nam-muon", "1")
    assert {(o.milestone, o.status) for o in before} == {("-", S.NOT_STARTED)}
    after = occurrences_of(yearly_catalog, D(2026, 3, 2), "kh-hang-nam-muon", "1")
    assert {(o.milestone, o.status, o.due) for o in after} == {
        ("2026-05", S.IN_PROGRESS, D(2026, 6, 1))
    }


def test_each_recurring_part_of_a_cell_has_its_own_periods(yearly_catalog) -> None:  # type: ignore[no-untyped-def]
    """A half-yearly and a yearly part of one cell: the schedule of one is not the other's."""
    found = occurrences_of(yearly_catalog, D(2025, 3, 3), "kh-hang-nam", "9")
    assert {(o.milestone, o.due) for o in found if o.unit == UNIT} == {
        ("2025-H1", D(2025, 6, 30)),
        ("2025", D(2025, 12, 31)),
    }


def test_a_yearly_window_with_progress_recorded(yearly_catalog) -> None:  # type: ignore[no-untyped-def]
    """With a record for the task (the full evaluation, not the no-record fast path) each
    year's duty still opens on 1 March."""
    progress = Progress(
        completions=[
            Completion("kh-hang-nam", "3", D(2025, 11, 20), unit=UNIT, milestone="2025-11")
        ]
    )
    found = occurrences_of(yearly_catalog, D(2026, 2, 2), "kh-hang-nam", "3", progress)
    assert {(o.milestone, o.status, o.window_start) for o in found if o.unit == UNIT} == {
        ("2025-11", S.DONE_ON_TIME, D(2025, 3, 1)),
        ("2026-11", S.NOT_STARTED, D(2026, 3, 1)),
    }
