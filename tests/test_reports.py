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
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from docx.table import Table
from icalendar import Calendar
from openpyxl import Workbook, load_workbook

from engine.catalog.model import Catalog
from engine.progress import Completion, PeriodUpdate, Progress
from engine.reports._docx import CELL_MARGINS_MM, longest_word_mm, text_width_mm
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
    Signer,
    build_monthly_report,
    to_docx,
    to_xlsx,
)
from engine.reports.status_sheet import DONE_WORDS, STATUS_CHOICES, UPDATED_WORDS, milestone_cell
from engine.status import Occurrence, Status, evaluate
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


@pytest.fixture(scope="module")
def report_docx(report: MonthlyReport) -> bytes:
    return to_docx(report)


def docx_texts(data: bytes) -> tuple[Any, list[str], list[list[list[str]]]]:
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[c.text for c in row.cells] for row in table.rows] for table in document.tables]
    return document, paragraphs, tables


def test_docx_is_a_vietnamese_administrative_report(
    report: MonthlyReport, report_docx: bytes
) -> None:
    data = to_docx(report)
    assert data == report_docx  # byte-stable: no clock inside
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
        "Phụ lục I",
        "KẾT QUẢ THỰC HIỆN THEO ĐƠN VỊ CHỦ TRÌ",
        "Phụ lục II",
        "DANH MỤC NHIỆM VỤ QUÁ HẠN",
        "(Kèm theo Báo cáo số      /BC-VP ngày      tháng 7 năm 2023 của Văn phòng Bộ Tư pháp)",
    ):
        assert title in paragraphs
    assert report.units_summary in paragraphs and "tại Phụ lục I kèm theo" in report.units_summary
    assert report.overdue_summary in paragraphs
    assert report.overdue_summary.startswith(f"Có {len(report.overdue)} nhiệm vụ đang thực hiện")
    assert "tại Phụ lục II kèm theo" in report.overdue_summary

    plans_table = tables[1]
    assert plans_table[0] == ["Nội dung", "149/QĐ-BTP", "05/CT-TTg", "522/QĐ-BTP", "Tổng cộng"]
    assert [row[0] for row in plans_table[2:-1]] == list(CATEGORIES.values())
    assert plans_table[-1][0] == "Tỷ lệ hoàn thành" and plans_table[-1][-1].endswith("%")

    updates_table = tables[2]
    office = next(r for r in updates_table if r[1] == "Văn phòng Bộ")
    assert office[3] == "1"
    assert "CHÁNH VĂN PHÒNG" in " ".join(" ".join(row) for row in tables[3])

    units_table = tables[4]  # Phụ lục I
    assert units_table[0][1] == "Đơn vị" and HTQTCT in [row[1] for row in units_table]

    overdue_table = tables[5]  # Phụ lục II
    assert overdue_table[0][-2:] == ["Số ngày quá hạn", "Lý do"]
    assert len(overdue_table) == len(report.overdue) + 1
    row_4 = next(r for r in overdue_table if r[1:3] == ["522/QĐ-BTP", "4"])
    assert row_4[4:] == [HTQTCT, "Tháng 6/2023", "30/06/2023", "20", REASON]
    assert row_4[3].startswith("Khẩn trương thực hiện cấp Giấy khai sinh điện tử")

    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    header_runs = document.tables[5].rows[0].cells[0].paragraphs[0].runs
    assert header_runs[0].bold and header_runs[0].font.size == Pt(13)
    # the body in portrait, the annexes after the signature in one landscape section
    assert [s.orientation for s in document.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    body, annex = (section_of(document, t._tbl) for t in (document.tables[3], document.tables[5]))
    assert (body, annex) == (0, 1)


def section_of(document: Any, element: Any) -> int:
    """The index of the section a body element belongs to."""
    index = 0
    for child in document.element.body.iterchildren():
        if child is element:
            return index
        if child.find(f"{W}pPr/{W}sectPr") is not None:
            index += 1
    raise AssertionError("not in the body")


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_docx_page_numbers_from_page_two(report: MonthlyReport, report_docx: bytes) -> None:
    """A centred PAGE field in the header; none on the first page; the annex numbered too."""
    document = Document(io.BytesIO(report_docx))
    first, annex = document.sections
    assert first.different_first_page_header_footer  # w:titlePg: page 1 has its own header
    assert not "".join(p.text for p in first.first_page_header.paragraphs).strip()
    header = first.header._element
    instructions = [t.text.strip() for t in header.iter(f"{W}instrText")]
    assert instructions == ["PAGE"]
    kinds = [c.get(f"{W}fldCharType") for c in header.iter(f"{W}fldChar")]
    assert kinds == ["begin", "separate", "end"]
    assert first.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert not annex.different_first_page_header_footer
    assert annex.header.is_linked_to_previous  # the same numbered header, counting on


def test_docx_heading_rules(report: MonthlyReport, report_docx: bytes) -> None:
    """The short lines under "VĂN PHÒNG" (1/3 to 1/2 of it) and under the motto (as long)."""
    document = Document(io.BytesIO(report_docx))
    left, right = document.tables[0].rows[0].cells

    def rule_after(cell: Any, text: str) -> float:
        texts = [p.text for p in cell.paragraphs]
        line = cell.paragraphs[texts.index(text) + 1]
        bottom = line._p.find(f"{W}pPr/{W}pBdr/{W}bottom")
        assert bottom is not None and bottom.get(f"{W}val") == "single"
        assert line.text == ""
        fmt = line.paragraph_format
        assert fmt.left_indent == fmt.right_indent  # centred
        cell_mm = cell.width.mm - CELL_MARGINS_MM
        return cell_mm - fmt.left_indent.mm - fmt.right_indent.mm

    office = text_width_mm("VĂN PHÒNG", 13, bold=True)
    assert office / 3 <= rule_after(left, "VĂN PHÒNG") <= office / 2 + 0.5
    motto = text_width_mm("Độc lập - Tự do - Hạnh phúc", 14, bold=True)
    assert rule_after(right, "Độc lập - Tự do - Hạnh phúc") == pytest.approx(motto, abs=0.5)
    # measured independently: the motto is 27 characters of 14 pt bold, 55 to 75 mm
    assert 55 < motto < 75


#: "dd/mm/yyyy" in Times New Roman 13 pt: eight digits of half an em and two slashes of
#: 0.278 em, plus Word's cell margins (1.9 mm each side).
DATE_MM = (8 * 0.5 + 2 * 0.278) * 13 * 25.4 / 72 + 2 * 1.905


def test_docx_tables_have_fixed_widths_that_break_no_word(
    report: MonthlyReport, report_docx: bytes
) -> None:
    document = Document(io.BytesIO(report_docx))
    for index, table in enumerate(document.tables):
        tbl_pr = table._tbl.tblPr
        assert tbl_pr.find(f"{W}tblLayout").get(f"{W}type") == "fixed", index
        grid = [c.get(f"{W}w") for c in table._tbl.tblGrid.iter(f"{W}gridCol")]
        for row in table.rows:
            assert [str(c.width.twips) for c in row.cells] == grid, index
        if index in (0, 3):  # the borderless heading and signature blocks
            continue
        section = document.sections[section_of(document, table._tbl)]
        text_mm = (section.page_width - section.left_margin - section.right_margin) / Mm(1)
        widths = [c.width.mm for c in table.rows[0].cells]
        assert sum(widths) <= text_mm + 0.1, index  # within the text area
        for column, width in enumerate(widths):
            header = table.rows[0].cells[column].text
            assert width >= longest_word_mm(header, 13, bold=True) + CELL_MARGINS_MM - 0.01
            for row in table.rows[1:]:
                text = row.cells[column].text
                assert width >= longest_word_mm(text, 13) + CELL_MARGINS_MM - 0.01, text
                if re.fullmatch(r"\d\d/\d\d/\d{4}", text):
                    assert width >= DATE_MM, (index, column, width)
    overdue = document.tables[5]
    due = [c.text for c in overdue.rows[0].cells].index("Hạn")
    assert overdue.rows[0].cells[due].width.mm >= DATE_MM > 24
    # a plan number may end a line after its hyphen, as Word does, but never inside a word
    assert longest_word_mm("149/QĐ-BTP", 13) == text_width_mm("149/QĐ-", 13)


def test_docx_signature_block(report: MonthlyReport, report_docx: bytes) -> None:
    def signature(data: bytes) -> list[str]:
        return [p.text for p in Document(io.BytesIO(data)).tables[3].rows[0].cells[1].paragraphs]

    default = signature(report_docx)
    assert default[0] == "CHÁNH VĂN PHÒNG" and default[-1] == "[Họ và tên người ký]"
    assert default[1:-1] == [""] * 5  # room for the signature and the seal
    signed = signature(
        to_docx(report, Signer("KT. CHÁNH VĂN PHÒNG|PHÓ CHÁNH VĂN PHÒNG", "Nguyễn Văn An"))
    )
    assert signed[:2] == ["KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"]
    assert signed[2:-1] == [""] * 5 and signed[-1] == "Nguyễn Văn An"


def estimated_pages(document: Any) -> list[float]:
    """Pages per section, from the lines each paragraph and table row needs at its width
    (1.2 × the font size a line; table cells with their margins)."""
    pages = [0.0] * len(document.sections)

    def lines(text: str, width_mm: float, size: float) -> int:
        return max(1, int(text_width_mm(text, size) // max(width_mm, 1)) + 1)

    index = 0
    for child in document.element.body.iterchildren():
        section = document.sections[index]
        text_mm = (section.page_width - section.left_margin - section.right_margin) / Mm(1)
        page_mm = (section.page_height - section.top_margin - section.bottom_margin) / Mm(1)
        line_mm = 1.2 * 14 * 25.4 / 72
        if child.tag == f"{W}p":
            text = "".join(t.text or "" for t in child.iter(f"{W}t"))
            height = lines(text, text_mm, 14) * line_mm + 6 * 25.4 / 72
        elif child.tag == f"{W}tbl":
            table = Table(child, document)
            height = 0.0
            for row in table.rows:
                height += max(
                    lines(c.text, c.width.mm - CELL_MARGINS_MM, 13) * line_mm * 13 / 14
                    for c in row.cells
                )
        else:
            continue
        pages[index] += height / page_mm
        if child.find(f"{W}pPr/{W}sectPr") is not None:
            index += 1
    return pages


def test_docx_annex_takes_the_long_lists_out_of_the_body(
    report: MonthlyReport, report_docx: bytes
) -> None:
    """The body (up to the signature) is short; the long lists are in the annex."""
    document = Document(io.BytesIO(report_docx))
    body, annex = estimated_pages(document)
    assert len(report.overdue) > 40
    assert body < 5 < annex, (body, annex)


def assert_printable(sheet: Any, header_row: int) -> None:
    """Landscape A4, one page wide and as many tall as needed, the header repeated."""
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == f"${header_row}:${header_row}"
    assert sheet.freeze_panes == f"A{header_row + 1}"


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


# -- status workbook: export and import ------------------------------------------------------

HEADER_ROW = 3  # below the title and the as-of row


def sheet_rows(sheet: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1):
        yield row[0].row, {name: cell.value for name, cell in zip(STATUS_COLUMNS, row, strict=True)}


def keyed_rows(sheet: Any, occurrences: list[Occurrence]) -> dict[str, tuple[int, dict[str, Any]]]:
    """The export's rows by occurrence key (one row per occurrence, in the given order)."""
    rows = list(sheet_rows(sheet))
    assert len(rows) == len(occurrences)
    keyed = {}
    for (number, values), occ in zip(rows, occurrences, strict=True):
        assert (values["Mã kế hoạch"], values["Mã nhiệm vụ"], values["Mã đơn vị"]) == (
            occ.plan,
            occ.task,
            occ.unit,
        )
        assert values["Mốc / kỳ"] == milestone_cell(occ)
        keyed[occ.key] = (number, values)
    return keyed


def test_export_layout(catalog: Catalog, occurrences: list[Occurrence]) -> None:
    data = export_status_xlsx(catalog, occurrences, AS_OF)
    assert data == export_status_xlsx(catalog, occurrences, AS_OF)
    sheet = load_workbook(io.BytesIO(data))["Tình hình thực hiện"]
    assert sheet["A1"].value == "TÌNH HÌNH THỰC HIỆN NHIỆM VỤ CÁC KẾ HOẠCH TRIỂN KHAI ĐỀ ÁN 06"
    assert sheet["A2"].value == "Tính đến ngày 20/07/2023"
    assert tuple(c.value for c in sheet[HEADER_ROW]) == STATUS_COLUMNS
    assert sheet.max_row == len(occurrences) + HEADER_ROW
    assert_printable(sheet, HEADER_ROW)
    rows = {key: values for key, (_, values) in keyed_rows(sheet, occurrences).items()}
    row_4 = rows[KEY_4]
    assert row_4["Kế hoạch"] == "522/QĐ-BTP" and row_4["Đơn vị chủ trì"] == HTQTCT
    assert row_4["Mốc / kỳ"] == "tháng 6/2023"
    assert row_4["Hạn"] == datetime(2023, 6, 30) and row_4["Thời hạn"] == "Tháng 6/2023"
    assert row_4["Tình trạng"] == "Đang thực hiện, quá hạn" and row_4["Ngày hoàn thành"] is None
    done = rows["qd-522-btp/1/cuc-cntt/2023-03"]
    assert done["Tình trạng"] == "Đã hoàn thành quá hạn"
    assert done["Ngày hoàn thành"] == datetime(2023, 4, 20)
    due, done_on = STATUS_COLUMNS.index("Hạn") + 1, STATUS_COLUMNS.index("Ngày hoàn thành") + 1
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        assert sheet.cell(row, due).number_format == "DD/MM/YYYY"
        assert sheet.cell(row, done_on).number_format == "DD/MM/YYYY"


def validations(sheet: Any) -> dict[str, Any]:
    """The sheet's data validations by the header of the column they cover."""
    headers = {cell.column_letter: cell.value for cell in sheet[HEADER_ROW]}
    found = {}
    for validation in sheet.data_validations.dataValidation:
        (cells,) = str(validation.sqref).split()
        first, last = cells.split(":")
        assert first[0] == last[0] and first[1:] == str(HEADER_ROW + 1)
        assert int(last[1:]) == sheet.max_row
        found[headers[first[0]]] = validation
    return found


def test_export_drop_downs_are_what_the_import_accepts(
    catalog: Catalog, occurrences: list[Occurrence]
) -> None:
    data = export_status_xlsx(catalog, occurrences, AS_OF)
    sheet = load_workbook(io.BytesIO(data))["Tình hình thực hiện"]
    found = validations(sheet)
    status = found["Tình trạng"]
    assert status.type == "list" and status.errorStyle == "stop" and status.allow_blank
    choices = status.formula1.strip('"').split(",")
    assert tuple(choices) == STATUS_CHOICES == (*DONE_WORDS, *UPDATED_WORDS)
    when = found["Ngày hoàn thành"]
    assert when.type == "date" and when.operator == "between"
    assert int(when.formula2) == (AS_OF - date(1899, 12, 30)).days  # not after the as-of day

    # choosing each value of the drop-down is accepted by the import: one row per value
    deliverables = [
        o.key
        for o in occurrences
        if o.kind == "deliverable" and o.status in (Status.OVERDUE, Status.IN_PROGRESS)
    ]
    updates = [
        o.key for o in occurrences if o.kind == "update" and o.status == Status.REPORT_MISSING
    ]
    picked = {
        key: choice
        for choice, key in zip(
            choices,
            [*deliverables[: len(DONE_WORDS)], *updates[: len(UPDATED_WORDS)]],
            strict=True,
        )
    }
    on = datetime(2023, 7, 15)
    changed, rows = edited(
        data,
        occurrences,
        {key: {"Tình trạng": choice, "Ngày hoàn thành": on} for key, choice in picked.items()},
    )
    preview = parse_progress_xlsx(catalog, occurrences, changed, AS_OF)
    assert preview.ok, preview.errors
    assert sorted((c.row, c.occurrence_key, c.on) for c in preview.changes) == sorted(
        (rows[key], key, on.date()) for key in picked
    )


def edited(
    data: bytes, occurrences: list[Occurrence], edits: dict[str, dict[str, Any]]
) -> tuple[bytes, dict[str, int]]:
    """The exported workbook with cells changed in the rows of the given occurrence keys."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["Tình hình thực hiện"]
    keyed = keyed_rows(sheet, occurrences)
    found: dict[str, int] = {}
    for key, changes in edits.items():
        found[key] = keyed[key][0]
        for name, value in changes.items():
            sheet.cell(keyed[key][0], STATUS_COLUMNS.index(name) + 1).value = value
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
        occurrences,
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
        occurrences,
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


NOW = datetime(2023, 7, 20, 2, 30, tzinfo=UTC)  # 09:30 on 20/07/2023 in Hà Nội
BASE = "https://dean06.btp.example"
FEED = "unit:cuc-htqtct"


def feed_of(catalog: Catalog, occurrences: list[Occurrence], **kwargs: Any) -> bytes:
    arguments: dict[str, Any] = {"feed": FEED, "now": NOW, "base_url": BASE, **kwargs}
    return calendar_feed(catalog, occurrences, "Đề án 06 — Bộ Tư pháp", **arguments)


def test_calendar_feed_one_event_per_unit_and_day(
    catalog: Catalog, occurrences: list[Occurrence]
) -> None:
    first = feed_of(catalog, occurrences)
    assert first == feed_of(catalog, occurrences)  # same data and time → same bytes
    calendar = Calendar.from_ical(first)
    assert str(calendar["X-WR-CALNAME"]) == "Đề án 06 — Bộ Tư pháp"
    events = calendar.walk("VEVENT")
    lo, hi = date(2023, 4, 20), date(2024, 7, 20)  # 3 months back, 12 months ahead
    groups: dict[tuple[date, str], set[str]] = {}
    for occ in occurrences:
        if occ.due is not None and lo <= occ.due <= hi:
            groups.setdefault((occ.due, occ.unit), set()).add(occ.key)
    assert len(events) == len(groups)
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert all(re.fullmatch(r"[A-Za-z0-9._~%-]+@dean06\.btp\.example", u) for u in uids)
    for event in events:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is date and end == start + timedelta(days=1)
        assert lo <= start <= hi
        assert event.decoded("DTSTAMP") == NOW  # the generation time, in UTC
        assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)
    assert first.count(b"DTSTAMP:20230720T023000Z") == len(events)
    # RFC 5545 lines: CRLF ends, none longer than 75 octets
    lines = first.split(b"\r\n")
    assert b"\n" not in first.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75

    by_uid = {str(e["UID"]): e for e in events}
    event = by_uid["unit%3Acuc-htqtct%2Fcuc-htqtct%2F2023-06-30@dean06.btp.example"]
    keys = groups[(date(2023, 6, 30), "cuc-htqtct")]
    assert KEY_4 in keys
    summary = str(event["SUMMARY"])
    if len(keys) == 1:
        assert summary.startswith("[522/QĐ-BTP] Nhiệm vụ 4: Khẩn trương thực hiện")
    else:
        assert f"{len(keys)} nhiệm vụ đến hạn" in summary
    description = str(event["DESCRIPTION"])
    for text in (
        f"Đơn vị chủ trì: {HTQTCT}",
        "Hạn: 30/06/2023",
        "[522/QĐ-BTP] Nhiệm vụ 4 — ",
        "Thời hạn: Tháng 6/2023",
        "Tình trạng: Đang thực hiện, quá hạn",
        f"{BASE}/plans/qd-522-btp/tasks/4",
    ):
        assert text in description
    assert description.count("Tình trạng: ") == len(keys)
    assert str(event["URL"]).startswith(f"{BASE}/")
    # alarms at 09:00 seven days and one day before the due day
    triggers = sorted(a.decoded("TRIGGER") for a in event.walk("VALARM"))
    assert triggers == [timedelta(days=-6, hours=-15), timedelta(hours=-15)]
    assert all(str(a["ACTION"]) == "DISPLAY" for a in event.walk("VALARM"))


def test_calendar_feed_a_single_task_links_to_its_page_and_done_days_ring_no_alarm(
    catalog: Catalog, occurrences: list[Occurrence]
) -> None:
    done = by_key(occurrences, "qd-522-btp/1/cuc-cntt/2023-03")
    assert done.status.label == "Đã hoàn thành quá hạn" and done.due is not None
    calendar = Calendar.from_ical(
        feed_of(catalog, [done], feed="plan:qd-522-btp", now=datetime(2023, 5, 1, tzinfo=UTC))
    )
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]).startswith("[522/QĐ-BTP] Nhiệm vụ 1: ")
    assert str(event["URL"]) == f"{BASE}/plans/qd-522-btp/tasks/1"
    assert "Ngày hoàn thành: 20/04/2023" in str(event["DESCRIPTION"])
    assert event.walk("VALARM") == []  # nothing left to do that day
    assert str(event["UID"]).startswith("plan%3Aqd-522-btp%2Fcuc-cntt%2F")


def test_calendar_feed_window_and_stable_uids(
    catalog: Catalog, occurrences: list[Occurrence]
) -> None:
    events = Calendar.from_ical(feed_of(catalog, occurrences)).walk("VEVENT")
    narrow = Calendar.from_ical(feed_of(catalog, occurrences, months_back=0, months_ahead=1))
    starts = [e.decoded("DTSTART") for e in narrow.walk("VEVENT")]
    assert starts and all(date(2023, 7, 20) <= d <= date(2023, 8, 20) for d in starts)
    # a month later the same unit and day keep the same UID (calendars update, not duplicate)
    later_now = datetime(2023, 8, 21, 2, tzinfo=UTC)
    later = Calendar.from_ical(
        feed_of(catalog, evaluate(catalog, PROGRESS, date(2023, 8, 21)), now=later_now)
    ).walk("VEVENT")
    later_by_day = {(e.decoded("DTSTART"), str(e["UID"])) for e in later}
    kept = [
        (e.decoded("DTSTART"), str(e["UID"]))
        for e in events
        if e.decoded("DTSTART") >= date(2023, 5, 21)
    ]
    assert kept and set(kept) <= later_by_day


def test_calendar_feed_of_the_522_plan_stays_small(catalog: Catalog) -> None:
    """The 522 plan's feed on a busy day: one event per unit and day, bounded in size."""
    day = date(2024, 1, 22)
    rows = [o for o in evaluate(catalog, Progress(), day) if o.plan == "qd-522-btp"]
    now = datetime(2024, 1, 22, 2, tzinfo=UTC)
    data = feed_of(catalog, rows, feed="plan:qd-522-btp", now=now)
    events = Calendar.from_ical(data).walk("VEVENT")
    per_day: dict[date, int] = {}
    for event in events:
        per_day[event.decoded("DTSTART")] = per_day.get(event.decoded("DTSTART"), 0) + 1
    units = {o.unit for o in rows}
    assert max(per_day.values()) <= len(units)
    assert len(data) < 400_000


def test_shorten_cuts_at_a_word() -> None:
    text = "Rà soát,   đánh giá " * 30
    short = shorten(text, 200)
    assert len(short) <= 200 and short.endswith("…") and "  " not in short
    assert shorten("Ngắn gọn", 200) == "Ngắn gọn"
