"""The monthly report's content and its workbook (the Word layout: test_report_docx.py)."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from engine.catalog.model import Catalog
from engine.reports._shared import shorten
from engine.reports.monthly import (
    NO_REASON,
    SHEETS,
    MonthlyReport,
    build_monthly_report,
    to_xlsx,
)
from engine.status import Occurrence, evaluate
from engine.summary import CATEGORIES, tally_tasks
from tests.reportdata import (
    AS_OF,
    HTQTCT,
    KEY_4,
    PROGRESS,
    REASON,
    assert_printable,
)


@pytest.fixture(scope="module")
def occurrences(catalog: Catalog) -> list[Occurrence]:
    return evaluate(catalog, PROGRESS, AS_OF)


@pytest.fixture(scope="module")
def report(catalog: Catalog, occurrences: list[Occurrence]) -> MonthlyReport:
    return build_monthly_report(catalog, occurrences, 2023, 7, AS_OF, notes={KEY_4: REASON})


def test_monthly_figures_follow_the_official_tallies(
    catalog: Catalog, occurrences: list[Occurrence], report: MonthlyReport
) -> None:
    # 910/QĐ-BTP (signed in 2025) does not exist yet on 20/07/2023
    assert [row.label for row in report.plans] == ["149/QĐ-BTP", "05/CT-TTg", "522/QĐ-BTP"]
    in_force = [o for o in occurrences if o.plan != "qd-910-btp"]
    expected = {t.key: t for t in tally_tasks(in_force, lambda o: o.plan)}
    for row in report.plans:
        assert dict(row.counts) == expected[row.key].counts
        assert row.completion_rate == expected[row.key].completion_rate
    for name in CATEGORIES:
        assert report.total.counts[name] == sum(row.counts[name] for row in report.plans)
    plan_522 = next(row for row in report.plans if row.key == "qd-522-btp")
    assert plan_522.counts["done_late"] == 1
    assert report.total.total == sum(row.total for row in report.plans)
    units = {row.key: row for row in report.units}
    assert units["cuc-htqtct"].label == HTQTCT
    assert "qd-910-btp" not in {o.plan for o in report.overdue}
    assert report.place_date == "Hà Nội, ngày 20 tháng 7 năm 2023"
    assert report.subtitle == "Tình hình thực hiện các Kế hoạch triển khai Đề án 06 tháng 7/2023"


def test_monthly_overdue_list(report: MonthlyReport) -> None:
    days = [item.days_overdue for item in report.overdue]
    assert days == sorted(days, reverse=True) and days[-1] > 0
    item = next(i for i in report.overdue if i.occurrence_key == KEY_4)
    assert (item.plan_number, item.task, item.unit_name) == ("522/QĐ-BTP", "4", HTQTCT)
    assert (item.deadline, item.due, item.days_overdue) == ("Tháng 6/2023", date(2023, 6, 30), 20)
    assert item.reason == REASON and item.reason_reported
    others = [i for i in report.overdue if i.occurrence_key != KEY_4]
    assert all(i.reason == NO_REASON and not i.reason_reported for i in others)
    assert all(len(i.content) <= 200 for i in report.overdue)
    # 522 task 1 was done (late): not overdue any more
    assert not any(i.plan == "qd-522-btp" and i.task == "1" for i in report.overdue)


def test_monthly_continuous_updates_of_the_month(report: MonthlyReport) -> None:
    rows = {row.unit: row for row in report.updates}
    office = rows["van-phong-bo"]
    assert office.unit_name == "Văn phòng Bộ"
    assert office.reported == 1 and office.missing == office.total - 1
    assert "522/QĐ-BTP: nhiệm vụ 2" not in office.missing_tasks
    assert "522/QĐ-BTP: nhiệm vụ 2" in rows["cuc-cntt"].missing_tasks
    assert all(row.reported + row.missing == row.total for row in report.updates)


def test_monthly_rejects_a_bad_month(catalog: Catalog, occurrences: list[Occurrence]) -> None:
    with pytest.raises(ValueError):
        build_monthly_report(catalog, occurrences, 2023, 13, AS_OF)


def test_xlsx_report_sheets(report: MonthlyReport) -> None:
    data = to_xlsx(report)
    assert data == to_xlsx(report)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == list(SHEETS)
    for sheet in workbook.worksheets:
        assert str(sheet["A1"].value).endswith(" THÁNG 7/2023") and sheet["A1"].font.bold
        assert sheet["A2"].value == "Tính đến ngày 20/07/2023"
        assert all(cell.font.bold for cell in sheet[3])
        assert sheet.column_dimensions["B"].width > 10
        assert_printable(sheet, 3)

    summary = workbook["Tổng hợp"]
    headers = [c.value for c in summary[3]]
    assert headers[:4] == ["STT", "Kế hoạch", "Mã kế hoạch", "Tổng số"]
    assert headers[4:11] == list(CATEGORIES.values())
    last = [c.value for c in summary[summary.max_row]]
    assert last[1] == "Tổng cộng" and last[3] == report.total.total
    assert summary.cell(summary.max_row, 12).number_format == "0.0%"

    units = [c.value for c in workbook["Theo đơn vị"]["B"]]
    assert HTQTCT in units

    overdue = workbook["Quá hạn"]
    rows = [[c.value for c in row] for row in overdue.iter_rows(min_row=4)]
    row_4 = next(r for r in rows if r[1] == "522/QĐ-BTP" and r[2] == "4")
    assert row_4[4:] == [HTQTCT, "tháng 6/2023", "Tháng 6/2023", datetime(2023, 6, 30), 20, REASON]
    assert overdue.cell(4, 8).number_format == "DD/MM/YYYY"  # a real date shown dd/mm/yyyy

    updates = [[c.value for c in row] for row in workbook["Thường xuyên"].iter_rows(min_row=4)]
    office = next(r for r in updates if r[2] == "van-phong-bo")
    assert office[3:6] == ["tháng 7/2023", office[4], 1]


def test_shorten_cuts_at_a_word() -> None:
    text = "Rà soát,   đánh giá " * 30
    short = shorten(text, 200)
    assert len(short) <= 200 and short.endswith("…") and "  " not in short
    assert shorten("Ngắn gọn", 200) == "Ngắn gọn"
