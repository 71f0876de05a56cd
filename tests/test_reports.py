"""Reports from the shipped rules: the monthly report (Word, Excel), the status workbook and
its import preview, and the iCalendar feed.

Occurrences are evaluated as of 20/07/2023 (the monthly report for July is due before the
22nd) with two records: 522/QĐ-BTP task 1 done late by Cục Công nghệ thông tin, and Văn phòng
Bộ's July update of 522's continuous task 2.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Pt
from icalendar import Calendar
from openpyxl import Workbook, load_workbook

from engine.catalog.model import Catalog
from engine.progress import Completion, PeriodUpdate, Progress
from engine.reports._shared import shorten
from engine.reports.excel import (
    STATUS_COLUMNS,
    Change,
    export_status_xlsx,
    parse_progress_xlsx,
)
from engine.reports.ics import calendar_feed
from engine.reports.monthly import (
    NO_REASON,
    SHEETS,
    MonthlyReport,
    build_monthly_report,
    to_docx,
    to_xlsx,
)
from engine.status import Occurrence, evaluate
from engine.summary import CATEGORIES, tally_tasks

AS_OF = date(2023, 7, 20)
PROGRESS = Progress(
    completions=[Completion("qd-522-btp", "1", date(2023, 4, 20), unit="cuc-cntt")],
    updates=[PeriodUpdate("qd-522-btp", "2", "van-phong-bo", "2023-07", date(2023, 7, 10))],
)
KEY_4 = "qd-522-btp/4/cuc-htqtct/2023-06"  # "Tháng 6/2023", due Friday 30/06/2023
HTQTCT = "Cục Hộ tịch, quốc tịch, chứng thực"
REASON = "Chờ Bộ Công an kết nối Cơ sở dữ liệu quốc gia về dân cư"


@pytest.fixture(scope="module")
def occurrences(catalog: Catalog) -> list[Occurrence]:
    return evaluate(catalog, PROGRESS, AS_OF)


def by_key(occurrences: list[Occurrence], key: str) -> Occurrence:
    return next(o for o in occurrences if o.key == key)


# -- monthly report --------------------------------------------------------------------------


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


def docx_texts(data: bytes) -> tuple[Any, list[str], list[list[list[str]]]]:
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[c.text for c in row.cells] for row in table.rows] for table in document.tables]
    return document, paragraphs, tables


def test_docx_is_a_vietnamese_administrative_report(report: MonthlyReport) -> None:
    data = to_docx(report)
    assert data == to_docx(report)  # byte-stable: no clock inside
    document, paragraphs, tables = docx_texts(data)
    heading = " ".join(" ".join(row) for row in tables[0])
    for text in (
        "BỘ TƯ PHÁP",
        "VĂN PHÒNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Hà Nội, ngày 20 tháng 7 năm 2023",
    ):
        assert text in heading
    assert "BÁO CÁO" in paragraphs
    assert "Tình hình thực hiện các Kế hoạch triển khai Đề án 06 tháng 7/2023" in paragraphs
    for title in (
        "I. KẾT QUẢ THỰC HIỆN THEO TỪNG KẾ HOẠCH",
        "II. KẾT QUẢ THỰC HIỆN THEO ĐƠN VỊ CHỦ TRÌ",
        "III. DANH MỤC NHIỆM VỤ QUÁ HẠN",
        "IV. CẬP NHẬT TIẾN ĐỘ NHIỆM VỤ THƯỜNG XUYÊN THÁNG 7/2023",
        "V. ĐỀ XUẤT, KIẾN NGHỊ",
    ):
        assert title in paragraphs

    plans_table = tables[1]
    assert plans_table[0] == ["Nội dung", "149/QĐ-BTP", "05/CT-TTg", "522/QĐ-BTP", "Tổng cộng"]
    assert [row[0] for row in plans_table[2:-1]] == list(CATEGORIES.values())
    assert plans_table[-1][0] == "Tỷ lệ hoàn thành" and plans_table[-1][-1].endswith("%")

    units_table = tables[2]
    assert units_table[0][1] == "Đơn vị" and HTQTCT in [row[1] for row in units_table]

    overdue_table = tables[3]
    assert overdue_table[0][-2:] == ["Số ngày quá hạn", "Lý do"]
    row_4 = next(r for r in overdue_table if r[1:3] == ["522/QĐ-BTP", "4"])
    assert row_4[4:] == [HTQTCT, "Tháng 6/2023", "30/06/2023", "20", REASON]
    assert row_4[3].startswith("Khẩn trương thực hiện cấp Giấy khai sinh điện tử")

    updates_table = tables[4]
    office = next(r for r in updates_table if r[1] == "Văn phòng Bộ")
    assert office[3] == "1"
    assert "CHÁNH VĂN PHÒNG" in " ".join(" ".join(row) for row in tables[-1])

    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    header_runs = document.tables[3].rows[0].cells[0].paragraphs[0].runs
    assert header_runs[0].bold and header_runs[0].font.size == Pt(13)
    assert [s.orientation for s in document.sections] == [
        WD_ORIENT.PORTRAIT,
        WD_ORIENT.LANDSCAPE,
        WD_ORIENT.PORTRAIT,
    ]


def test_xlsx_report_sheets(report: MonthlyReport) -> None:
    data = to_xlsx(report)
    assert data == to_xlsx(report)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == list(SHEETS)
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.column_dimensions["B"].width > 10

    summary = workbook["Tổng hợp"]
    headers = [c.value for c in summary[1]]
    assert headers[:4] == ["STT", "Kế hoạch", "Mã kế hoạch", "Tổng số"]
    assert headers[4:11] == list(CATEGORIES.values())
    last = [c.value for c in summary[summary.max_row]]
    assert last[1] == "Tổng cộng" and last[3] == report.total.total
    assert summary.cell(summary.max_row, 12).number_format == "0.0%"

    units = [c.value for c in workbook["Theo đơn vị"]["B"]]
    assert HTQTCT in units

    overdue = workbook["Quá hạn"]
    rows = [[c.value for c in row] for row in overdue.iter_rows(min_row=2)]
    row_4 = next(r for r in rows if r[1] == "522/QĐ-BTP" and r[2] == "4")
    assert row_4[4:] == [HTQTCT, "2023-06", "Tháng 6/2023", datetime(2023, 6, 30), 20, REASON]

    updates = [[c.value for c in row] for row in workbook["Thường xuyên"].iter_rows(min_row=2)]
    office = next(r for r in updates if r[2] == "van-phong-bo")
    assert office[3:6] == ["2023-07", office[4], 1]


# -- status workbook: export and import ------------------------------------------------------


def sheet_rows(data: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    sheet = load_workbook(io.BytesIO(data))["Tình hình thực hiện"]
    for row in sheet.iter_rows(min_row=2):
        yield row[0].row, {name: cell.value for name, cell in zip(STATUS_COLUMNS, row, strict=True)}


def test_export_layout(catalog: Catalog, occurrences: list[Occurrence]) -> None:
    data = export_status_xlsx(catalog, occurrences, AS_OF)
    assert data == export_status_xlsx(catalog, occurrences, AS_OF)
    sheet = load_workbook(io.BytesIO(data))["Tình hình thực hiện"]
    assert tuple(c.value for c in sheet[1]) == STATUS_COLUMNS
    assert sheet.freeze_panes == "A2" and sheet.max_row == len(occurrences) + 1
    rows = {
        "/".join((r["Mã kế hoạch"], r["Mã nhiệm vụ"], r["Mã đơn vị"], r["Mốc / kỳ"])): r
        for _, r in sheet_rows(data)
    }
    row_4 = rows[KEY_4]
    assert row_4["Kế hoạch"] == "522/QĐ-BTP" and row_4["Đơn vị chủ trì"] == HTQTCT
    assert row_4["Hạn"] == datetime(2023, 6, 30) and row_4["Thời hạn"] == "Tháng 6/2023"
    assert row_4["Tình trạng"] == "Đang thực hiện, quá hạn" and row_4["Ngày hoàn thành"] is None
    done = rows["qd-522-btp/1/cuc-cntt/2023-03"]
    assert done["Tình trạng"] == "Đã hoàn thành quá hạn"
    assert done["Ngày hoàn thành"] == datetime(2023, 4, 20)


def test_unchanged_export_reads_back_as_no_change(
    catalog: Catalog, occurrences: list[Occurrence]
) -> None:
    data = export_status_xlsx(catalog, occurrences, AS_OF)
    preview = parse_progress_xlsx(catalog, occurrences, data, AS_OF)
    assert preview.ok and preview.changes == [] and preview.rows_read == len(occurrences)


def edited(data: bytes, edits: dict[str, dict[str, Any]]) -> tuple[bytes, dict[str, int]]:
    """The exported workbook with cells changed in the rows of the given occurrence keys."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["Tình hình thực hiện"]
    found: dict[str, int] = {}
    for row in sheet.iter_rows(min_row=2):
        values = {name: cell.value for name, cell in zip(STATUS_COLUMNS, row, strict=True)}
        key = "/".join(
            (values["Mã kế hoạch"], values["Mã nhiệm vụ"], values["Mã đơn vị"], values["Mốc / kỳ"])
        )
        if key in edits:
            found[key] = row[0].row
            for name, value in edits[key].items():
                row[STATUS_COLUMNS.index(name)].value = value
    assert set(found) == set(edits)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), found


@pytest.mark.parametrize(
    ("status", "done_on"),
    [
        ("Đã hoàn thành", "15/07/2023"),
        ("Hoàn thành", datetime(2023, 7, 15)),
        ("ĐÃ HOÀN THÀNH ĐÚNG HẠN", "15/7/2023"),
        (unicodedata.normalize("NFD", "Đã hoàn thành quá hạn"), " 15/07/2023 "),
        ("da hoan thanh", "2023-07-15"),
    ],
)
def test_round_trip_done(
    catalog: Catalog, occurrences: list[Occurrence], status: str, done_on: Any
) -> None:
    data = export_status_xlsx(catalog, occurrences, AS_OF)
    changed, rows = edited(
        data,
        {
            KEY_4: {
                "Tình trạng": status,
                "Ngày hoàn thành": done_on,
                "Văn bản / sản phẩm": "Công văn số 1234/HTQTCT-HT",
                "Ghi chú": "Đã triển khai toàn quốc",
            }
        },
    )
    preview = parse_progress_xlsx(catalog, occurrences, changed, AS_OF)
    assert preview.ok, preview.errors
    assert preview.changes == [
        Change(
            row=rows[KEY_4],
            occurrence_key=KEY_4,
            plan="qd-522-btp",
            task="4",
            unit="cuc-htqtct",
            milestone="2023-06",
            kind="done",
            on=date(2023, 7, 15),
            evidence="Công văn số 1234/HTQTCT-HT",
            note="Đã triển khai toàn quốc",
        )
    ]


def test_continuous_task_update_and_already_recorded_rows(
    catalog: Catalog, occurrences: list[Occurrence]
) -> None:
    data = export_status_xlsx(catalog, occurrences, AS_OF)
    update_key = "qd-522-btp/2/cuc-cntt/2023-07"
    assert by_key(occurrences, update_key).kind == "update"
    changed, rows = edited(
        data,
        {
            update_key: {"Ngày hoàn thành": "14/07/2023", "Ghi chú": "Đã quán triệt Chỉ thị 05"},
            # already done on that date (recorded): nothing new
            "qd-522-btp/1/cuc-cntt/2023-03": {"Tình trạng": "Đã hoàn thành"},
            # already reported for July: nothing new
            "qd-522-btp/2/van-phong-bo/2023-07": {"Ngày hoàn thành": "10/07/2023"},
            # not done, a note only: nothing to record
            "qd-522-btp/5/cuc-bttp/2023-09": {"Ghi chú": "Đang rà soát"},
        },
    )
    preview = parse_progress_xlsx(catalog, occurrences, changed, AS_OF)
    assert preview.ok, preview.errors
    assert [(c.row, c.occurrence_key, c.kind, c.on, c.note) for c in preview.changes] == [
        (rows[update_key], update_key, "update", date(2023, 7, 14), "Đã quán triệt Chỉ thị 05")
    ]


def workbook_bytes(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_units_own_layout_with_names_and_a_title_row(
    catalog: Catalog, occurrences: list[Occurrence]
) -> None:
    """A unit's own sheet: a title above the header, plan number, alias, no milestone."""
    data = workbook_bytes(
        [
            ["BÁO CÁO TIẾN ĐỘ CỦA CỤC HỘ TỊCH, QUỐC TỊCH, CHỨNG THỰC"],
            ["Kế hoạch", "Mã nhiệm vụ", "Đơn vị chủ trì", "Tình trạng", "Ngày hoàn thành"],
            ["522/QĐ-BTP", 4, "Cục HTQTCT", "Đã hoàn thành", "15/07/2023"],
            [None, None, None, None, None],
            ["522", 6, "Cục Hộ tịch, quốc tịch, chứng thực", "Đang thực hiện", None],
        ]
    )
    preview = parse_progress_xlsx(catalog, occurrences, data, AS_OF)
    assert preview.ok, preview.errors
    assert preview.rows_read == 2
    assert [(c.row, c.occurrence_key, c.on) for c in preview.changes] == [
        (3, KEY_4, date(2023, 7, 15))
    ]


def test_bad_rows_give_row_level_errors(catalog: Catalog, occurrences: list[Occurrence]) -> None:
    header = list(STATUS_COLUMNS)

    def row(plan: str, task: Any, unit: str, milestone: str, status: str, done: Any) -> list[Any]:
        name = catalog.units[unit].name if unit in catalog.units else unit
        plan_number = catalog.plans[plan].number if plan in catalog.plans else plan
        return [
            plan_number,
            plan,
            task,
            "",
            name,
            unit,
            milestone,
            "",
            None,
            status,
            done,
            None,
            None,
        ]

    data = workbook_bytes(
        [
            header,
            row("qd-522-btp", "999", "cuc-cntt", "", "Đã hoàn thành", "01/07/2023"),  # 2
            row("qd-522-btp", "4", "cuc-htqtct", "2023-06", "Đã hoàn thành", None),  # 3
            row("qd-522-btp", "6", "cuc-htqtct", "2023-06", "Đã hoàn thành", "21/07/2023"),  # 4
            row("qd-522-btp", "7", "cuc-khong-co", "2023-06", "Đã hoàn thành", "01/07/2023"),  # 5
            row("qd-522-btp", "7", "cuc-con-nuoi", "2023-06", "Đã hoàn thành", "32/13/2023"),  # 6
            row("qd-522-btp", "TC-1", "cuc-cntt", "", "Đã hoàn thành", "01/07/2023"),  # 7
            row("qd-999-btp", "1", "cuc-cntt", "", "Đã hoàn thành", "01/07/2023"),  # 8
            row("qd-522-btp", "7", "cuc-bttp", "2023-06", "Đang thực hiện", "01/07/2023"),  # 9
            row("qd-522-btp", "6", "ttlltpqg", "2023-06", "Đã hoàn thành", "10/07/2023"),  # 10
            row("qd-522-btp", "6", "ttlltpqg", "2023-06", "Đã hoàn thành", "11/07/2023"),  # 11
        ]
    )
    preview = parse_progress_xlsx(catalog, occurrences, data, AS_OF)
    assert not preview.ok and preview.rows_read == 10
    assert [(e.row, e.column) for e in preview.errors] == [
        (2, "Mã nhiệm vụ"),
        (3, "Ngày hoàn thành"),
        (4, "Ngày hoàn thành"),
        (5, "Mã đơn vị"),
        (6, "Ngày hoàn thành"),
        (7, "Mốc / kỳ"),
        (8, "Mã kế hoạch"),
        (9, "Tình trạng"),
        (11, ""),
    ]
    messages = {e.row: e.message for e in preview.errors}
    assert messages[2] == "Kế hoạch 522/QĐ-BTP không có nhiệm vụ “999”."
    assert messages[3] == "Đã hoàn thành nhưng chưa ghi ngày hoàn thành."
    assert messages[4] == "Ngày 21/07/2023 sau ngày báo cáo 20/07/2023."
    assert "không phải là ngày" in messages[6]
    assert "nhiều mốc / kỳ" in messages[7]
    assert messages[11] == "Trùng với dòng 10 (cùng nhiệm vụ, đơn vị và mốc / kỳ)."
    # the valid row is still previewed; the caller applies nothing while errors remain
    assert [c.row for c in preview.changes] == [10]


def test_bad_header_is_one_error_naming_the_missing_columns(
    catalog: Catalog, occurrences: list[Occurrence]
) -> None:
    data = workbook_bytes(
        [
            ["Kế hoạch", "Nhiệm vụ", "Đơn vị chủ trì", "Trạng thái", "Ngày hoàn thành"],
            ["522/QĐ-BTP", "4", "Cục HTQTCT", "Đã hoàn thành", "15/07/2023"],
        ]
    )
    preview = parse_progress_xlsx(catalog, occurrences, data, AS_OF)
    assert not preview.ok and preview.changes == [] and preview.rows_read == 0
    assert len(preview.errors) == 1
    error = preview.errors[0]
    assert error.row == 1
    assert "“Mã nhiệm vụ”" in error.message and "“Tình trạng”" in error.message
    assert "Ngày hoàn thành" not in error.message

    junk = parse_progress_xlsx(catalog, occurrences, b"not a workbook", AS_OF)
    assert not junk.ok and junk.errors[0].row == 0


# -- iCalendar feed --------------------------------------------------------------------------


def test_calendar_feed(catalog: Catalog, occurrences: list[Occurrence]) -> None:
    name = "Đề án 06 — Bộ Tư pháp"
    first = calendar_feed(catalog, occurrences, name)
    assert first == calendar_feed(catalog, occurrences, name)  # byte-stable
    calendar = Calendar.from_ical(first)
    assert str(calendar["X-WR-CALNAME"]) == name
    events = calendar.walk("VEVENT")
    dated = [o for o in occurrences if o.due is not None]
    assert len(events) == len(dated)
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert all(re.fullmatch(r"[A-Za-z0-9._~%-]+@dean06\.btp\.example", u) for u in uids)
    for event in events:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is date and end == start + timedelta(days=1)
        assert event.decoded("DTSTAMP") == datetime(
            start.year, start.month, start.day, tzinfo=event.decoded("DTSTAMP").tzinfo
        )
        assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)
    assert first.count(b"DTSTART;VALUE=DATE:") == len(events)

    by_uid = {str(e["UID"]): e for e in events}
    event = by_uid["qd-522-btp%2F4%2Fcuc-htqtct%2F2023-06@dean06.btp.example"]
    assert str(event["SUMMARY"]).startswith("[522/QĐ-BTP] Nhiệm vụ 4: Khẩn trương thực hiện")
    assert event.decoded("DTSTART") == date(2023, 6, 30)
    description = str(event["DESCRIPTION"])
    for text in ("Thời hạn: Tháng 6/2023", f"Đơn vị chủ trì: {HTQTCT}", "Đang thực hiện, quá hạn"):
        assert text in description
    done = by_uid["qd-522-btp%2F1%2Fcuc-cntt%2F2023-03@dean06.btp.example"]
    assert "Tình trạng: Đã hoàn thành quá hạn" in str(done["DESCRIPTION"])

    # a month later the same occurrences keep the same UIDs (calendars update, not duplicate)
    later = Calendar.from_ical(
        calendar_feed(catalog, evaluate(catalog, PROGRESS, date(2023, 8, 21)), name)
    )
    assert set(uids) <= {str(e["UID"]) for e in later.walk("VEVENT")}


def test_shorten_cuts_at_a_word() -> None:
    text = "Rà soát,   đánh giá " * 30
    short = shorten(text, 200)
    assert len(short) <= 200 and short.endswith("…") and "  " not in short
    assert shorten("Ngắn gọn", 200) == "Ngắn gọn"
