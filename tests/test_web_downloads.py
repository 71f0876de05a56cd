"""Downloads and uploads through the web app: the monthly report, the status workbook and its
import, and the calendar feeds — each opened with the library that reads that format."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import docx
import openpyxl
from docx.enum.section import WD_ORIENT
from icalendar import Calendar
from sqlmodel import Session, select

from engine.clock import VN
from engine.store.tables import CompletionRow
from tests.webutil import csrf_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INSTR = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}instrText"


def test_monthly_report_docx_and_xlsx(admin_client) -> None:  # type: ignore[no-untyped-def]
    response = admin_client.get("/reports/monthly.docx?month=2023-06")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Tình hình thực hiện các Kế hoạch triển khai Đề án 06 tháng 6/2023" in text
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "522/QĐ-BTP" in cells and "Đang thực hiện quá hạn" in " ".join(cells)
    # numbered pages, the annex in landscape after the signature
    assert "PAGE" in "".join(t.text for t in document.sections[0].header._element.iter(INSTR))
    assert [s.orientation for s in document.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    assert "Phụ lục I" in text
    workbook = openpyxl.load_workbook(
        io.BytesIO(admin_client.get("/reports/monthly.xlsx?month=2023-06").content)
    )
    assert workbook.sheetnames == ["Tổng hợp", "Theo đơn vị", "Quá hạn", "Thường xuyên"]
    overdue = [
        row
        for row in workbook["Quá hạn"].iter_rows(values_only=True)
        if row and "522/QĐ-BTP" in row
    ]
    assert overdue
    assert admin_client.get("/reports/monthly.docx?month=2023-13").status_code == 400


def test_monthly_report_signer_from_the_settings(app, admin_client) -> None:  # type: ignore[no-untyped-def]
    settings = app.state.web.settings
    settings.report_signer_title = "KT. CHÁNH VĂN PHÒNG|PHÓ CHÁNH VĂN PHÒNG"
    settings.report_signer_name = "Nguyễn Văn An"
    document = docx.Document(
        io.BytesIO(admin_client.get("/reports/monthly.docx?month=2023-06").content)
    )
    signature = next(
        t.rows[0].cells[1] for t in document.tables if "Nơi nhận:" in t.rows[0].cells[0].text
    )
    lines = [p.text for p in signature.paragraphs]
    assert lines[:2] == ["KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"]
    assert lines[-1] == "Nguyễn Văn An" and "" in lines


def _export(admin_client, as_of: str = "2023-07-07") -> openpyxl.Workbook:  # type: ignore[no-untyped-def]
    response = admin_client.get(f"/export.xlsx?as_of={as_of}&plan=qd-522-btp")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert sheet["A2"].value == f"Tính đến ngày {date.fromisoformat(as_of):%d/%m/%Y}"
    assert sheet.print_title_rows == "$3:$3" and sheet.page_setup.orientation == "landscape"
    return workbook


def _choices(sheet) -> list[str]:  # type: ignore[no-untyped-def]
    """The drop-down of the "Tình trạng" column."""
    column = next(c.column_letter for c in sheet[3] if c.value == "Tình trạng")
    (status,) = [
        v for v in sheet.data_validations.dataValidation if str(v.sqref).startswith(column)
    ]
    return status.formula1.strip('"').split(",")


def _upload(admin_client, workbook: openpyxl.Workbook):  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    workbook.save(buffer)
    csrf = csrf_of(admin_client.get("/admin/import").text)
    return admin_client.post(
        "/admin/import",
        data={"csrf": csrf},
        files={"file": ("tien-do.xlsx", buffer.getvalue(), XLSX)},
    )


def _mark_done(
    workbook: openpyxl.Workbook, task: str, unit: str, when: date, evidence: str
) -> None:
    sheet = workbook.active
    header = [cell.value for cell in sheet[3]]  # below the title and the as-of row
    for row in sheet.iter_rows(min_row=4):
        values = {header[i]: cell for i, cell in enumerate(row)}
        if values["Mã nhiệm vụ"].value == task and values["Mã đơn vị"].value == unit:
            values["Tình trạng"].value = _choices(sheet)[0]  # picked from the drop-down
            assert values["Tình trạng"].value == "Đã hoàn thành"
            values["Ngày hoàn thành"].value = when
            values["Văn bản / sản phẩm"].value = evidence
            return
    raise AssertionError("row not found")


def test_import_preview_then_apply(app, admin_client) -> None:  # type: ignore[no-untyped-def]
    workbook = _export(admin_client)
    _mark_done(workbook, "4", "cuc-htqtct", date(2023, 7, 3), "Công văn số 88/HTQTCT")
    preview = _upload(admin_client, workbook)
    assert preview.status_code == 200 and "1 thay đổi, 0 lỗi" in preview.text
    with Session(app.state.web.engine) as session:
        assert session.execute(select(CompletionRow)).first() is None  # nothing written yet
    upload = re.search(r"/admin/import/([0-9a-f]{32})/apply", preview.text)[1]  # type: ignore[index]
    csrf = csrf_of(preview.text)
    applied = admin_client.post(
        f"/admin/import/{upload}/apply", data={"csrf": csrf}, follow_redirects=False
    )
    assert applied.status_code == 303
    with Session(app.state.web.engine) as session:
        row = session.execute(select(CompletionRow)).scalar_one()
    # recorded for the unit the row names: the obligation is Cục HTQTCT's for ever (its
    # successor since 03/2025 only answers for it while it is open)
    assert (row.task, row.unit, row.done_on, row.evidence) == (
        "4",
        "cuc-htqtct",
        date(2023, 7, 3),
        "Công văn số 88/HTQTCT",
    )
    assert row.recorded_by == "import:vp"


def test_import_with_a_bad_row_writes_nothing(app, admin_client) -> None:  # type: ignore[no-untyped-def]
    workbook = _export(admin_client)
    _mark_done(workbook, "4", "cuc-htqtct", date(2023, 7, 3), "Công văn số 88/HTQTCT")
    sheet = workbook.active
    sheet.append(
        [
            "522/QĐ-BTP",
            "qd-522-btp",
            "99",
            "Không có",
            "Cục CNTT",
            "cuc-cntt",
            "",
            "",
            None,
            "Đã hoàn thành",
            None,
            "",
            "",
        ]
    )
    preview = _upload(admin_client, workbook)
    assert "lỗi" in preview.text and f"<td>{sheet.max_row}</td>" in preview.text
    assert "/apply" not in preview.text
    with Session(app.state.web.engine) as session:
        assert session.execute(select(CompletionRow)).first() is None


def test_calendar_feed(app, admin_client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ENGINE_TODAY", "2025-06-02")  # 910/QĐ-BTP's tasks fall due in 2025
    unit_page = admin_client.get("/units/van-phong-bo").text
    feed = re.search(r'href="(/calendar/[^"]+\.ics)"', unit_page)[1]  # type: ignore[index]
    first = admin_client.get(feed)
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(first.content)
    events = [c for c in calendar.walk("VEVENT")]
    uids = [str(e["UID"]) for e in events]
    assert events and len(uids) == len(set(uids))
    assert all(type(e.decoded("DTSTART")) is date for e in events)  # all-day events
    # the window: 3 months back, 12 months ahead of the pinned day
    assert all(date(2025, 3, 2) <= e.decoded("DTSTART") <= date(2026, 6, 2) for e in events)
    # generated "now" on the pinned day in Vietnam, written in UTC (the day before after 17:00 UTC)
    stamps = {e.decoded("DTSTAMP") for e in events}
    assert all(s.utcoffset() == timedelta(0) for s in stamps)
    assert {s.astimezone(VN).date() for s in stamps} == {date(2025, 6, 2)}
    base = app.state.web.settings.base_url
    assert all(str(e["URL"]).startswith(f"{base}/") for e in events)
    days = [e.decoded("DTSTART") for e in events]
    assert len(days) == len(set(days))  # a unit's feed: one event per due day
    assert [
        str(e["UID"]) for e in Calendar.from_ical(admin_client.get(feed).content).walk("VEVENT")
    ] == uids
    assert admin_client.get("/calendar/forged.ics").status_code == 404
    plan_feed = re.search(
        r'href="(/calendar/[^"]+\.ics)"', admin_client.get("/plans/qd-910-btp").text
    )[1]  # type: ignore[index]
    plan_events = Calendar.from_ical(admin_client.get(plan_feed).content).walk("VEVENT")
    assert plan_events and all("910/QĐ-BTP" in str(e["SUMMARY"]) for e in plan_events)
    logged_out = type(admin_client)(app)
    assert logged_out.get(feed).status_code == 200  # calendar apps subscribe without a session
