"""Every task row of every seed plan is encoded, verbatim, and evaluated on every day."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from engine.progress import Progress
from engine.status import evaluate
from engine.timeline import Timeline
from tests.conftest import RULES

SHIPPED = ("qd-149-btp", "ct-05-ttg", "qd-522-btp", "qd-910-btp")

# Task rows per plan and section prefix (rules/sources/README.md), plus the organisation-section tasks.
EXPECTED = {
    "qd-149-btp": {"I.": 7, "II.": 7, "III. PHỤC VỤ": 14, "Phụ lục II": 6, "III. TỔ CHỨC": 5},
    # A: 18 numbered rows plus the unnumbered row after A17 (A17a), as the README describes
    "ct-05-ttg": {"A.": 19, "B.": 46, "C.": 8},
    "qd-522-btp": {"PHỤ LỤC": 21, "III. TỔ CHỨC": 4},
    "qd-910-btp": {
        "I.": 15,
        "II.": 8,
        "III. DỊCH VỤ": 14,
        "IV.": 6,
        "V.": 3,
        "VI.": 3,
        "III. TỔ CHỨC": 1,
    },
}


def _top_level(catalog, plan_id):  # type: ignore[no-untyped-def]
    return [t for t in catalog.plans[plan_id].tasks if t.parent is None]


@pytest.mark.parametrize("plan_id", EXPECTED)
def test_task_counts_per_section(catalog, plan_id: str) -> None:  # type: ignore[no-untyped-def]
    counts: Counter[str] = Counter()
    for task in _top_level(catalog, plan_id):
        prefixes = [p for p in EXPECTED[plan_id] if task.section.startswith(p)]
        assert prefixes, (task.id, task.section)
        counts[max(prefixes, key=len)] += 1
    assert dict(counts) == EXPECTED[plan_id]


def test_numbered_ids_are_complete(catalog) -> None:  # type: ignore[no-untyped-def]
    ids = {p: {t.id for t in _top_level(catalog, p)} for p in EXPECTED}
    assert {str(i) for i in range(1, 29)} | {f"PL2-{i}" for i in range(1, 7)} <= ids["qd-149-btp"]
    assert {f"A{i}" for i in range(1, 19)} | {f"B{i}" for i in range(1, 47)} | {
        f"C{i}" for i in range(1, 9)
    } <= ids["ct-05-ttg"]
    assert {str(i) for i in range(1, 22)} <= ids["qd-522-btp"]
    assert {str(i) for i in range(1, 50)} <= ids["qd-910-btp"]


def test_sub_items_of_910(catalog) -> None:  # type: ignore[no-untyped-def]
    plan = catalog.plans["qd-910-btp"]
    assert {k: len(plan.task(k).subtasks) for k in ("16", "33", "36")} == {
        "16": 2,
        "33": 2,
        "36": 9,
    }
    assert plan.task("33").deadline == ""
    assert {plan.task(s).deadline for s in plan.task("33").subtasks} == {
        "Tháng 6/2025",
        "Tháng 12/2025",
    }


def test_organisation_section_tasks(catalog) -> None:  # type: ignore[no-untyped-def]
    report_149 = catalog.plans["qd-149-btp"].task("TC-3")
    report_522 = catalog.plans["qd-522-btp"].task("TC-2")
    assert report_149.lead == ("cuc-cntt",) and "monthly_report" in report_149.tags
    assert report_522.lead == ("van-phong-bo",) and "monthly_report" in report_522.tags
    assert "progress_update" in catalog.plans["qd-522-btp"].task("TC-1").tags


def _squash(text: str) -> str:
    text = re.sub(r"</?[a-z]+[^>]*>", "", unicodedata.normalize("NFC", text))
    return re.sub(r"\s+", "", text)


def _pieces(needle: str, haystack: str) -> int:
    """How many verbatim fragments of the seed ``needle`` is made of (page breaks split rows)."""
    pieces = 0
    while needle:
        low, high = 0, len(needle)
        while low < high:  # longest prefix found in the seed
            mid = (low + high + 1) // 2
            if needle[:mid] in haystack:
                low = mid
            else:
                high = mid - 1
        if low < min(3, len(needle)):
            return 99
        needle = needle[low:]
        pieces += 1
    return pieces


@pytest.mark.parametrize("plan_id", SHIPPED)
def test_texts_are_verbatim(catalog, plan_id: str) -> None:  # type: ignore[no-untyped-def]
    source = catalog.plans[plan_id].source
    assert source is not None
    seed = _squash((RULES / source).read_text(encoding="utf-8"))
    for task in catalog.plans[plan_id].tasks:
        for field in ("content", "deadline", "product"):
            value = getattr(task, field)
            if value:
                # At most three fragments: a row cut by one or two page breaks.
                assert _pieces(_squash(value), seed) <= 3, (task.id, field, value[:80])


def test_every_plan_metadata(catalog) -> None:  # type: ignore[no-untyped-def]
    expected = {
        "qd-149-btp": ("149/QĐ-BTP", date(2022, 1, 28), "cuc-cntt"),
        "ct-05-ttg": ("05/CT-TTg", date(2023, 2, 23), "van-phong-chinh-phu"),
        "qd-522-btp": ("522/QĐ-BTP", date(2023, 4, 7), "van-phong-bo"),
        "qd-910-btp": ("910/QĐ-BTP", date(2025, 3, 5), "van-phong-bo"),
    }
    for plan_id, (number, signed, coordinating) in expected.items():
        plan = catalog.plans[plan_id]
        assert (plan.number, plan.signed, plan.coordinating_unit) == (number, signed, coordinating)


@pytest.mark.slow(8)
def test_status_covers_every_task_on_every_day(catalog) -> None:  # type: ignore[no-untyped-def]
    """From 2022-01-01 to 2026-12-31 (every 7th day and every month end), every task appears
    (one timeline carries the day-independent work across the days, as a simulation does)."""
    every_task = {(p.id, t.id) for p in catalog.plans.values() for t in p.tasks}
    day = date(2022, 1, 1)
    days = []
    while day <= date(2026, 12, 31):
        days.append(day)
        day += timedelta(days=7)
    days += [date(y, m, 28) for y in range(2022, 2027) for m in range(1, 13)] + [date(2026, 12, 31)]
    timeline = Timeline(catalog)
    for day in sorted(days):
        occurrences = evaluate(catalog, Progress(), day, timeline=timeline)
        assert {(o.plan, o.task) for o in occurrences} == every_task, day
        assert all(o.due is None or o.status for o in occurrences)


def test_every_plan_names_its_source_text(catalog) -> None:  # type: ignore[no-untyped-def]
    """Every shipped plan carries its text inside the repository (rules/sources/)."""
    for plan_id in SHIPPED:
        source = catalog.plans[plan_id].source
        assert source == f"sources/{plan_id}.txt"
        assert Path(RULES, source).is_file()
