"""The status workbook: export layout, print setup, drop-downs, and reading it back."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from engine.catalog.model import Catalog
from engine.reports.excel import (
    STATUS_COLUMNS,
    Change,
    export_status_xlsx,
    parse_progress_xlsx,
)
from engine.reports.status_sheet import DONE_WORDS, STATUS_CHOICES, UPDATED_WORDS, milestone_cell
from engine.status import Occurrence, Status, evaluate
from tests.reportdata import (
    AS_OF,
    HTQTCT,
    KEY_4,
    PROGRESS,
    assert_printable,
    by_key,
)


@pytest.fixture(scope="module")
def occurrences(catalog: Catalog) -> list[Occurrence]:
    return evaluate(catalog, PROGRESS, AS_OF)


@pytest.fixture(scope="module")
def exported(catalog: Catalog, occurrences: list[Occurrence]) -> bytes:
    """The workbook of the module's occurrences, exported once: an export gives the same bytes
    every time (``test_export_layout``), and the tests only read it or edit copies of it."""
    return export_status_xlsx(catalog, occurrences, AS_OF)


HEADER_ROW = 3  # below the title and the as-of row


@pytest.fixture(scope="module")
def opened(exported: bytes) -> Workbook:
    """The exported workbook, loaded once (loading its thousands of rows takes seconds): tests
    only read it, and :func:`edited` puts back every cell it changes."""
    return load_workbook(io.BytesIO(exported))


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


def test_export_layout(
    catalog: Catalog, occurrences: list[Occurrence], exported: bytes, opened: Workbook
) -> None:
    assert export_status_xlsx(catalog, occurrences, AS_OF) == exported  # the same bytes every time
    sheet = opened["Tình hình thực hiện"]
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


def test_unchanged_export_reads_back_as_no_change(
    catalog: Catalog, occurrences: list[Occurrence], exported: bytes
) -> None:
    data = exported
    preview = parse_progress_xlsx(catalog, occurrences, data, AS_OF)
    assert preview.ok and preview.changes == [] and preview.rows_read == len(occurrences)


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
    catalog: Catalog, occurrences: list[Occurrence], opened: Workbook
) -> None:
    sheet = opened["Tình hình thực hiện"]
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
        opened,
        occurrences,
        {key: {"Tình trạng": choice, "Ngày hoàn thành": on} for key, choice in picked.items()},
    )
    preview = parse_progress_xlsx(catalog, occurrences, changed, AS_OF)
    assert preview.ok, preview.errors
    assert sorted((c.row, c.occurrence_key, c.on) for c in preview.changes) == sorted(
        (rows[key], key, on.date()) for key in picked
    )


def edited(
    workbook: Workbook, occurrences: list[Occurrence], edits: dict[str, dict[str, Any]]
) -> tuple[bytes, dict[str, int]]:
    """The exported workbook (``opened``) saved with cells changed in the rows of the given
    occurrence keys, and those rows; the loaded workbook gets its cells back afterwards."""
    sheet = workbook["Tình hình thực hiện"]
    keyed = keyed_rows(sheet, occurrences)
    found: dict[str, int] = {}
    before: list[tuple[Any, Any]] = []
    try:
        for key, changes in edits.items():
            found[key] = keyed[key][0]
            for name, value in changes.items():
                cell = sheet.cell(keyed[key][0], STATUS_COLUMNS.index(name) + 1)
                before.append((cell, cell.value))
                cell.value = value
        buffer = io.BytesIO()
        workbook.save(buffer)
    finally:
        for cell, value in reversed(before):
            cell.value = value
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
    catalog: Catalog, occurrences: list[Occurrence], opened: Workbook, status: str, done_on: Any
) -> None:
    changed, rows = edited(
        opened,
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
    catalog: Catalog, occurrences: list[Occurrence], opened: Workbook
) -> None:
    update_key = "qd-522-btp/2/cuc-cntt/2023-07"
    assert by_key(occurrences, update_key).kind == "update"
    changed, rows = edited(
        opened,
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
