"""Shared data of the report tests: occurrences are evaluated as of 20/07/2023 (the monthly
report for July is due before the 22nd) with two records: 522/QĐ-BTP task 1 done late by Cục
Công nghệ thông tin, and Văn phòng Bộ's July update of 522's continuous task 2."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.progress import Completion, PeriodUpdate, Progress
from engine.status import Occurrence

AS_OF = date(2023, 7, 20)
PROGRESS = Progress(
    completions=[Completion("qd-522-btp", "1", date(2023, 4, 20), unit="cuc-cntt")],
    updates=[PeriodUpdate("qd-522-btp", "2", "van-phong-bo", "2023-07", date(2023, 7, 10))],
)
KEY_4 = "qd-522-btp/4/cuc-htqtct/2023-06"  # "Tháng 6/2023", due Friday 30/06/2023
HTQTCT = "Cục Hộ tịch, quốc tịch, chứng thực"
REASON = "Chờ Bộ Công an kết nối Cơ sở dữ liệu quốc gia về dân cư"


def by_key(occurrences: list[Occurrence], key: str) -> Occurrence:
    return next(o for o in occurrences if o.key == key)


def assert_printable(sheet: Any, header_row: int) -> None:
    """Landscape A4, one page wide and as many tall as needed, the header repeated."""
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == f"${header_row}:${header_row}"
    assert sheet.freeze_panes == f"A{header_row + 1}"
    assert sheet.oddFooter.center.text == "Trang &P/&N"
